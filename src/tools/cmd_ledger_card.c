/*
 * cmd_ledger_card.c - the ledger's card commands: show, list, lost,
 * stolen, damaged, revoke, replace, issue, spoil.  (`card info` reads a
 * card through a reader and lives in cmd_card.c.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_ledger.h"
#include "ledger_json.h"

static void
usage(void)
{
	puts("Usage: unioncard --as USER card show SERIAL|CHIP-SERIAL"
	    " [--json]\n"
	    "           (the ledger's serial, PP + 9 digits, or the chip"
	    " serial\n"
	    "           unioncard-verify prints, e.g. card show"
	    " 0102030405060708)\n"
	    "       unioncard --as USER card list [--request ID] [--json]\n"
	    "       unioncard --as USER card lost|stolen|damaged SERIAL"
	    " [--reason TEXT]\n"
	    "       unioncard --as USER card revoke SERIAL --reason TEXT\n"
	    "       unioncard --as USER card replace SERIAL --reason"
	    " lost|stolen|damaged|data_change [--payer member|union]\n"
	    "           (creates a draft replacement request; prints its id)\n"
	    "       unioncard --as USER card issue SERIAL\n"
	    "       unioncard --as USER card spoil SERIAL --reason TEXT");
}

static int
replace(struct uc_tool_global *g, struct uc_ledger *l, const char *serial,
    const char *reason, const char *payer)
{
	struct uc_ledger_card c;
	const char *code;
	int64_t id;
	int r;

	if ((r = uc_ledger_card_get(l, serial, &c)) != 0)
		return lgt_fail(g, l, r, "card replace");
	code = c.member_code;
	r = uc_ledger_request_create(l, c.unit,
	    uc_ledger_card_type_name((int)c.type), &code, 1, payer, reason, &id);
	if (r != 0)
		return lgt_fail(g, l, r, "card replace");
	printf("%lld\n", (long long)id);
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

int
uc_cmd_card_ledger(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--request=", "--reason=",
	    "--payer=", "--json", NULL };
	static const char *const cols[] = { "serial", "member_code", "type",
	    "status" };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *serial, *reason;
	json_t *a = NULL;
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		usage();
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	serial = lgt_pos(argc, argv, 2, known, 0);
	reason = lgt_opt(argc, argv, "--reason");
	if (strcmp(sub, "list") == 0) {
		const char *rq = lgt_opt(argc, argv, "--request");
		long long id = 0;
		char *end;

		if (rq != NULL) {
			errno = 0;
			id = strtoll(rq, &end, 10);
			if (errno != 0 || *end != '\0' || id <= 0)
				return uc_tool_usage(g, "--request ID");
		}
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_card_each(l, id, uc_json_card_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "card list");
		else
			r = lgt_print_list(a, cols, 4, lgt_json(g, argc, argv));
		goto out;
	}
	if (serial == NULL)
		return uc_tool_usage(g, "card %s SERIAL", sub);
	if ((strcmp(sub, "revoke") == 0 || strcmp(sub, "spoil") == 0 ||
	    strcmp(sub, "replace") == 0) && reason == NULL)
		return uc_tool_usage(g, "card %s SERIAL --reason TEXT", sub);
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (strcmp(sub, "show") == 0) {
		struct uc_ledger_card c;

		if ((r = uc_ledger_card_get(l, serial, &c)) == 0 &&
		    (a = uc_json_card(&c)) == NULL)
			r = UC_ERR_NOMEM;
		if (r != 0)
			r = lgt_fail(g, l, r, "card show");
		else
			r = lgt_print_json(a);
		goto out;
	} else if (strcmp(sub, "replace") == 0) {
		r = replace(g, l, serial, reason,
		    lgt_opt(argc, argv, "--payer"));
		goto out;
	} else if (strcmp(sub, "lost") == 0 || strcmp(sub, "stolen") == 0 ||
	    strcmp(sub, "damaged") == 0) {
		r = uc_ledger_card_set_status(l, serial, sub, reason);
	} else if (strcmp(sub, "revoke") == 0) {
		r = uc_ledger_card_set_status(l, serial, "revoked", reason);
	} else if (strcmp(sub, "issue") == 0) {
		r = uc_ledger_card_issue(l, serial);
	} else if (strcmp(sub, "spoil") == 0) {
		r = uc_ledger_card_spoil(l, serial, reason);
	} else {
		r = uc_tool_usage(g, "unknown card command '%s'", sub);
		goto out;
	}
	if (r != 0) {
		char what[64];

		snprintf(what, sizeof(what), "card %s %s", sub, serial);
		r = lgt_fail(g, l, r, what);
	}
out:
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}
