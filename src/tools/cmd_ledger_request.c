/*
 * cmd_ledger_request.c - request create|submit|approve|reject|accept|
 * list|show|edit|withdraw.
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
	puts("Usage: unioncard --as USER request create --unit CODE"
	    " --type regular|linked\n"
	    "           (--all-approved | --members CODE,...)"
	    " [--payer member|union]\n"
	    "           [--replacement lost|stolen|damaged|data_change]\n"
	    "       unioncard --as USER request submit|approve|accept ID\n"
	    "       unioncard --as USER request reject ID --reason TEXT\n"
	    "       unioncard --as USER request list [--json]\n"
	    "       unioncard --as USER request show ID [--json]\n"
	    "       unioncard --as USER request edit ID [--add CODE,...]"
	    " [--remove CODE,...]\n"
	    "       unioncard --as USER request withdraw ID"
	    " [--reason TEXT]\n"
	    "create prints the new request's id alone on standard output.\n"
	    "unioncard request edit|withdraw --help explains those two.");
}

static int
sub_help(const char *sub)
{
	if (strcmp(sub, "edit") == 0) {
		puts("Usage: unioncard --as USER request edit ID"
		    " [--add CODE,...] [--remove CODE,...]\n"
		    "Add approved members of the request's unit to a draft"
		    " or rejected request,\n"
		    "or take members off it (a rejected request is then"
		    " submitted again).\n"
		    "New lines are priced by today's fee schedule. A request"
		    " keeps at least\n"
		    "one line: withdraw it instead.\n"
		    "Example:\n"
		    "  unioncard --as TP01.clerk request edit 3 --remove"
		    " 52000000018 --add 52000000026");
		return 1;
	}
	if (strcmp(sub, "withdraw") == 0) {
		puts("Usage: unioncard --as USER request withdraw ID"
		    " [--reason TEXT]\n"
		    "Withdraw a draft or rejected request: it stays on record"
		    " as 'withdrawn'\n"
		    "and its members are free for another request.\n"
		    "Example:\n"
		    "  unioncard --as TP01.clerk request withdraw 3 --reason"
		    " 'wrong card type'");
		return 1;
	}
	return 0;
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	*id = 0;
	if (s == NULL)
		return UC_ERR_ARG;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return UC_ERR_ARG;
	*id = v;
	return 0;
}

/* Split "A,B,C" into a NULL-free array (strings point into copy). */
static int
split(char *copy, const char ***out, size_t *n)
{
	size_t cap = 1, k = 0;
	char *p, *save = NULL;
	const char **v;

	for (p = copy; *p; p++)
		if (*p == ',')
			cap++;
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return UC_ERR_NOMEM;
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (*p != '\0')
			v[k++] = p;
	*out = v;
	*n = k;
	return 0;
}

static int
create(struct uc_tool_global *g, int argc, char **argv)
{
	const char *unit = lgt_opt(argc, argv, "--unit");
	const char *type = lgt_opt(argc, argv, "--type");
	const char *members = lgt_opt(argc, argv, "--members");
	const char *payer = lgt_opt(argc, argv, "--payer");
	const char *repl = lgt_opt(argc, argv, "--replacement");
	int all = lgt_flag(argc, argv, "--all-approved");
	struct uc_ledger *l = NULL;
	const char **codes = NULL;
	char *copy = NULL;
	size_t n = 0;
	int64_t id;
	int r;

	if (unit == NULL || type == NULL || (members == NULL) == !all)
		return uc_tool_usage(g, "request create --unit CODE --type T"
		    " (--all-approved | --members CODE,...)");
	if (members != NULL) {
		if ((copy = strdup(members)) == NULL ||
		    split(copy, &codes, &n) != 0) {
			free(copy);
			return uc_tool_fail(g, UC_ERR_NOMEM, "request");
		}
		if (n == 0) {
			free(codes);
			free(copy);
			return uc_tool_usage(g, "--members needs codes");
		}
	}
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	r = uc_ledger_request_create(l, unit, type, codes, n, payer, repl,
	    &id);
	if (r != 0) {
		r = lgt_fail(g, l, r, "request create");
		goto out;
	}
	printf("%lld\n", (long long)id);
	r = fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
out:
	uc_ledger_free(&l);
	free(codes);
	free(copy);
	return r;
}

static int
edit(struct uc_tool_global *g, struct uc_ledger *l, int64_t id,
    const char *add, const char *remove)
{
	const char **a = NULL, **rm = NULL;
	char *ca = NULL, *cr = NULL;
	size_t na = 0, nr = 0;
	int r;

	if (add == NULL && remove == NULL)
		return uc_tool_usage(g, "request edit ID needs --add CODE,..."
		    " or --remove CODE,...");
	if ((add != NULL && ((ca = strdup(add)) == NULL ||
	    split(ca, &a, &na) != 0)) || (remove != NULL &&
	    ((cr = strdup(remove)) == NULL || split(cr, &rm, &nr) != 0))) {
		r = uc_tool_fail(g, UC_ERR_NOMEM, "request edit");
		goto out;
	}
	if (na + nr == 0) {
		r = uc_tool_usage(g, "--add/--remove need member codes");
		goto out;
	}
	r = uc_ledger_request_edit(l, id, a, na, rm, nr);
	if (r != 0) {
		char what[64];

		snprintf(what, sizeof(what), "request edit %lld",
		    (long long)id);
		r = lgt_fail(g, l, r, what);
	} else if (!g->quiet) {
		fprintf(stderr, "%s: request %lld: %zu lines added, %zu"
		    " removed\n", g->prog, (long long)id, na, nr);
	}
out:
	free(a);
	free(rm);
	free(ca);
	free(cr);
	return r;
}

int
uc_cmd_request(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--type=",
	    "--all-approved", "--members=", "--payer=", "--replacement=",
	    "--reason=", "--json", "--add=", "--remove=", NULL };
	static const char *const cols[] = { "id", "unit", "type", "status",
	    "date", "lines", "total_vnd" };
	static const char *const lcols[] = { "member_code", "full_name",
	    "fee_item", "fee_vnd", "payer" };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	json_t *a = NULL;
	int64_t id = 0;
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		usage();
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (lgt_flag(argc, argv, "--help") && sub_help(sub))
		return UC_EXIT_OK;
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	if (strcmp(sub, "create") == 0)
		return create(g, argc, argv);
	if (strcmp(sub, "list") == 0) {
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_request_each(l,
			    uc_json_request_summary_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "request list");
		else
			r = lgt_print_list(a, cols, 7, lgt_json(g, argc, argv));
		goto out;
	}
	if (parse_id(lgt_pos(argc, argv, 2, known, 0), &id) != 0)
		return uc_tool_usage(g, "request %s ID", sub);
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (strcmp(sub, "submit") == 0) {
		r = uc_ledger_request_submit(l, id);
	} else if (strcmp(sub, "approve") == 0) {
		r = uc_ledger_request_approve(l, id);
	} else if (strcmp(sub, "accept") == 0) {
		r = uc_ledger_request_accept(l, id);
	} else if (strcmp(sub, "reject") == 0) {
		const char *reason = lgt_opt(argc, argv, "--reason");

		if (reason == NULL) {
			r = uc_tool_usage(g, "request reject ID --reason TEXT");
			goto out;
		}
		r = uc_ledger_request_reject(l, id, reason);
	} else if (strcmp(sub, "withdraw") == 0) {
		r = uc_ledger_request_withdraw(l, id,
		    lgt_opt(argc, argv, "--reason"));
	} else if (strcmp(sub, "edit") == 0) {
		r = edit(g, l, id, lgt_opt(argc, argv, "--add"),
		    lgt_opt(argc, argv, "--remove"));
		goto out;
	} else if (strcmp(sub, "show") == 0) {
		struct uc_ledger_request *q = NULL;

		if ((r = uc_ledger_request_get(l, id, &q)) == 0 &&
		    (a = uc_json_request(q)) == NULL)
			r = UC_ERR_NOMEM;
		uc_ledger_request_free(&q);
		if (r != 0) {
			r = lgt_fail(g, l, r, "request show");
		} else if (lgt_json(g, argc, argv)) {
			r = lgt_print_json(a);
		} else {
			printf("request %lld  %s  %s  unit %s\n",
			    (long long)id,
			    json_string_value(json_object_get(a, "type")),
			    json_string_value(json_object_get(a, "status")),
			    json_string_value(json_object_get(a, "unit")));
			r = lgt_print_list(json_object_get(a, "lines"), lcols,
			    5, 0);
		}
		goto out;
	} else {
		r = uc_tool_usage(g, "unknown request command '%s'", sub);
		goto out;
	}
	if (r != 0) {
		char what[64];

		snprintf(what, sizeof(what), "request %s %lld", sub,
		    (long long)id);
		r = lgt_fail(g, l, r, what);
	}
out:
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}
