/*
 * cmd_ledger_report.c - report progress|fees|cards, audit verify|export,
 * status-list export.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/csv.h"
#include "cmd_ledger.h"

static int
progress_csv(const json_t *a)
{
	static const char *const keys[] = { "unit", "name", "parent",
	    "target", "entered", "approved", "percent", "rank", "exempt",
	    "overdue", "deadline" };
	const char *f[11];
	char buf[11][32];
	size_t i, k;
	json_t *o;

	if (uc_csv_write_strings(stdout, keys, 11) != 0)
		return UC_EXIT_FAIL;
	json_array_foreach(a, i, o) {
		for (k = 0; k < 11; k++) {
			json_t *v = json_object_get(o, keys[k]);

			f[k] = buf[k];
			buf[k][0] = '\0';
			if (json_is_string(v))
				f[k] = json_string_value(v);
			else if (json_is_integer(v))
				snprintf(buf[k], 32, "%lld",
				    (long long)json_integer_value(v));
			else if (json_is_real(v))
				snprintf(buf[k], 32, "%.1f",
				    json_real_value(v));
			else if (json_is_boolean(v))
				snprintf(buf[k], 32, "%d", json_is_true(v));
		}
		if (uc_csv_write_strings(stdout, f, 11) != 0)
			return UC_EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

int
uc_cmd_report(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--as-of=", "--json",
	    "--csv", NULL };
	static const char *const pcols[] = { "unit", "target", "entered",
	    "approved", "percent", "rank", "exempt", "overdue" };
	static const char *const fcols[] = { "period", "unit", "payer",
	    "lines", "total_vnd" };
	static const char *const ccols[] = { "status", "count" };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	json_t *a = NULL;
	int r, json = lgt_json(g, argc, argv);

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		puts("Usage: unioncard --as USER report progress [--unit CODE]"
		    " [--as-of DATE] [--json|--csv]\n"
		    "       unioncard --as USER report fees [--json]\n"
		    "       unioncard --as USER report cards [--json]");
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (strcmp(sub, "progress") == 0) {
		r = uc_ledger_report_progress(l, lgt_opt(argc, argv, "--unit"),
		    lgt_opt(argc, argv, "--as-of"), &a);
		if (r != 0)
			r = lgt_fail(g, l, r, "report progress");
		else if (lgt_flag(argc, argv, "--csv"))
			r = progress_csv(a);
		else
			r = lgt_print_list(a, pcols, 8, json);
	} else if (strcmp(sub, "fees") == 0) {
		if ((r = uc_ledger_report_fees(l, &a)) != 0)
			r = lgt_fail(g, l, r, "report fees");
		else
			r = lgt_print_list(a, fcols, 5, json);
	} else if (strcmp(sub, "cards") == 0) {
		if ((r = uc_ledger_report_cards(l, &a)) != 0)
			r = lgt_fail(g, l, r, "report cards");
		else
			r = lgt_print_list(a, ccols, 2, json);
	} else {
		r = uc_tool_usage(g, "unknown report '%s'", sub);
	}
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_audit(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--csv", "--json", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	char msg[256];
	int64_t bad = 0, rows = 0;
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		puts("Usage: unioncard [--as USER] audit verify [--json]\n"
		    "       unioncard --as USER audit export --csv\n"
		    "verify exits 0 when the chain is intact, 1 when a row"
		    " was edited,\ndeleted or inserted (naming the row).");
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (strcmp(sub, "verify") == 0) {
		/* Checking needs no secret; log in only if asked to. */
		if ((r = lgt_open(g, &l, 0, g->as != NULL)) != 0)
			return r;
		r = uc_ledger_audit_verify(l, &bad, msg, sizeof(msg), &rows);
		if (lgt_json(g, argc, argv)) {
			json_t *o = json_pack("{s:b, s:I, s:I?, s:s?}",
			    "intact", r == 0, "rows", (json_int_t)rows,
			    "bad_row", bad ? json_integer(bad) : NULL,
			    "error", r != 0 ? msg : NULL);

			if (o != NULL)
				lgt_print_json(o);
			json_decref(o);
		}
		if (r == 0) {
			if (!lgt_json(g, argc, argv))
				printf("audit trail intact: %lld rows\n",
				    (long long)rows);
			r = UC_EXIT_OK;
		} else if (r == UC_ERR_VERIFY) {
			fprintf(stderr, "%s: audit trail BROKEN at row %lld:"
			    " %s\n", g->prog, (long long)bad, msg);
			r = UC_EXIT_NO;
		} else {
			r = lgt_fail(g, l, r, "audit verify");
		}
	} else if (strcmp(sub, "export") == 0) {
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		r = uc_ledger_audit_export_csv(l, stdout);
		if (r == 0)
			r = fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
		else
			r = lgt_fail(g, l, r, "audit export");
	} else {
		r = uc_tool_usage(g, "unknown audit command '%s'", sub);
	}
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_status_list(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--out=", "--ttl=", "--unsigned",
	    "--key=", "--json", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *out = lgt_opt(argc, argv, "--out");
	const char *ttls = lgt_opt(argc, argv, "--ttl");
	unsigned long ttl = 86400;
	uint64_t nbits = 0;
	size_t len = 0;
	char *end;
	int r;

	if (sub == NULL || strcmp(sub, "export") != 0) {
		puts("Usage: unioncard --as USER status-list export --out FILE"
		    " [--ttl SECONDS] (--unsigned | --key FILE)\n"
		    "Format: docs/status-list.md");
		return sub != NULL && strcmp(sub, "--help") == 0 ?
		    UC_EXIT_OK : UC_EXIT_FAIL;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (out == NULL)
		return uc_tool_usage(g, "status-list export --out FILE");
	if (ttls != NULL) {
		errno = 0;
		ttl = strtoul(ttls, &end, 10);
		if (errno != 0 || *end != '\0' || ttl == 0 ||
		    ttl > 366UL * 86400UL)
			return uc_tool_usage(g, "--ttl takes 1..31622400"
			    " seconds");
	}
	if (lgt_opt(argc, argv, "--key") != NULL)
		return uc_tool_fail(g, UC_ERR_UNSUPPORTED, "status-list"
		    " signing (this build has no signer; use --unsigned)");
	if (!lgt_flag(argc, argv, "--unsigned"))
		return uc_tool_usage(g, "give --key FILE or --unsigned");
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	r = uc_ledger_status_list_export(l, out, (uint32_t)ttl, 0, NULL,
	    NULL, &nbits, &len);
	if (r != 0) {
		r = lgt_fail(g, l, r, "status-list export");
	} else {
		if (!g->quiet)
			fprintf(stderr, "%s: %s: %llu serials, %zu bytes,"
			    " unsigned\n", g->prog, out,
			    (unsigned long long)nbits, len);
		r = UC_EXIT_OK;
	}
	uc_ledger_free(&l);
	return r;
}
