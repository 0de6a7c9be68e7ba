/*
 * cmd_ledger_report.c - report progress|fees|cards|spoilage, audit
 * verify|export, status-list export.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/buf.h"
#include "unioncard/csv.h"
#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"
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

static void
spoilage_usage(void)
{
	puts("Usage: unioncard --as USER report spoilage [--request ID]"
	    " [--json]\n"
	    "\n"
	    "The spoilage log: every card blank spoiled while encoding (and"
	    " every card\n"
	    "spoiled by hand with 'card spoil'), in the units you may see;"
	    " with\n"
	    "--request, those of one print request.  First a count by"
	    " reason, most\n"
	    "frequent first, then one line per card: serial, request,"
	    " member code,\n"
	    "when (UTC), the account that recorded it, and the full reason."
	    "  Reasons\n"
	    "are counted up to their second \": \", where the station's"
	    " reasons keep\n"
	    "the per-card detail, e.g. \"personalization failed at opening"
	    " the secure\n"
	    "channel: authentication failed\": blanks made for another"
	    " issuer's keys.\n"
	    "\n"
	    "--json: {\"total\": N, \"by_reason\": {REASON: N...},"
	    " \"cards\": [{\"serial\",\n"
	    "         \"request\", \"member_code\", \"reason\", \"at\","
	    " \"by\"}...]}\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard --as printer report spoilage --request 7\n"
	    "  unioncard --as admin report spoilage --json | jq .by_reason");
}

/* The spoilage log as text: the counts by reason, then the cards. */
static int
spoilage_text(json_t *o)
{
	static const char *const cols[] = { "serial", "request",
	    "member_code", "at", "by", "reason" };
	json_t *by = json_object_get(o, "by_reason");
	const char *k;
	json_t *v;

	printf("spoiled cards: %lld\n", (long long)json_integer_value(
	    json_object_get(o, "total")));
	if (json_object_size(by) > 0) {
		puts("by reason:");
		json_object_foreach(by, k, v)
			printf("%7lld  %s\n", (long long)json_integer_value(v),
			    k);
		putchar('\n');
		return lgt_print_list(json_object_get(o, "cards"), cols, 6, 0);
	}
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

static int
report_spoilage(struct uc_tool_global *g, struct uc_ledger *l, int argc,
    char **argv, int json)
{
	const char *rq = lgt_opt(argc, argv, "--request");
	long long rid = 0;
	json_t *o = NULL;
	char *end = NULL;
	int r;

	if (rq != NULL) {
		rid = strtoll(rq, &end, 10);
		if (end == rq || *end != '\0' || rid <= 0)
			return uc_tool_usage(g, "--request takes a request id");
	}
	if ((r = uc_ledger_report_spoilage(l, (int64_t)rid, &o)) != 0)
		return lgt_fail(g, l, r, "report spoilage");
	r = json ? lgt_print_json(o) : spoilage_text(o);
	json_decref(o);
	return r;
}

int
uc_cmd_report(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--as-of=", "--json",
	    "--csv", "--request=", NULL };
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
		    "       unioncard --as USER report cards [--json]\n"
		    "       unioncard --as USER report spoilage [--request ID]"
		    " [--json]\n"
		    "('report spoilage --help' tells what it lists.)");
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (strcmp(sub, "spoilage") == 0 && lgt_flag(argc, argv, "--help")) {
		spoilage_usage();
		return UC_EXIT_OK;
	}
	if (strcmp(sub, "spoilage") != 0 && lgt_opt(argc, argv,
	    "--request") != NULL)
		return uc_tool_usage(g, "--request is for report spoilage");
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
	} else if (strcmp(sub, "spoilage") == 0) {
		r = report_spoilage(g, l, argc, argv, json);
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

/* The ledger's signer callback over the signing module's signer. */
static int
sign_cb(void *ctx, const unsigned char *payload, size_t len,
    unsigned char **sig, size_t *sig_len)
{
	struct uc_buf b = UC_BUF_INIT;
	int r;

	*sig = NULL;
	*sig_len = 0;
	if ((r = uc_sign_detached(ctx, payload, len, &b)) != 0)
		goto out;
	if ((*sig = malloc(b.len ? b.len : 1)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	memcpy(*sig, b.data, b.len);
	*sig_len = b.len;
out:
	uc_buf_free(&b);
	return r;
}

int
uc_cmd_status_list(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--out=", "--ttl=", "--unsigned",
	    "--key=", "--keys=", "--json", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *out = lgt_opt(argc, argv, "--out");
	const char *ttls = lgt_opt(argc, argv, "--ttl");
	const char *key, *keys;
	struct uc_signer *signer = NULL;
	char spec[UC_SIGNER_SPEC_MAX + 1];
	unsigned long ttl = 86400;
	uint64_t nbits = 0;
	size_t len = 0;
	char *end;
	int r;

	if (sub == NULL || strcmp(sub, "export") != 0) {
		puts("Usage: unioncard --as USER status-list export --out FILE"
		    " [--ttl SECONDS]\n"
		    "           (--keys DIR | --key SPEC | --unsigned)\n"
		    "--keys DIR signs with DIR/status-list.key; --key takes a"
		    " signer spec\n(key file or pkcs11: URI).  Passphrase or PIN"
		    " from $UNIONCARD_PASSPHRASE\nor a prompt.  Format:"
		    " docs/status-list.md");
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
	key = lgt_opt(argc, argv, "--key");
	keys = lgt_opt(argc, argv, "--keys");
	if ((key != NULL) + (keys != NULL) + lgt_flag(argc, argv,
	    "--unsigned") != 1)
		return uc_tool_usage(g, "give one of --key SPEC, --keys DIR"
		    " or --unsigned");
	if (keys != NULL) {
		if (snprintf(spec, sizeof(spec), "%s/status-list.key", keys) >=
		    (int)sizeof(spec))
			return uc_tool_usage(g, "--keys path too long");
		key = spec;
		/* before the password prompt: a missing directory is named */
		if ((r = lgt_need_dir(g, keys, 0, "--keys")) != 0)
			return r;
	}
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (key != NULL) {
		struct uc_diag d;
		char pass[UC_PASSPHRASE_MAX + 2];

		uc_diag_clear(&d);
		if (lgt_password("UNIONCARD_PASSPHRASE", "Key passphrase: ", 0,
		    pass, sizeof(pass)) != 0)
			pass[0] = '\0';
		r = uc_signer_open(key, pass[0] ? pass : NULL, &signer, &d);
		OPENSSL_cleanse(pass, sizeof(pass));
		if (r != 0) {
			r = uc_tool_fail_diag(g, r, &d, "status-list signer %s",
			    key);
			goto out;
		}
	}
	r = uc_ledger_status_list_export(l, out, (uint32_t)ttl, 0,
	    signer != NULL ? sign_cb : NULL, signer, &nbits, &len);
	if (r != 0) {
		r = lgt_fail(g, l, r, "status-list export");
	} else {
		if (!g->quiet)
			fprintf(stderr, "%s: %s: %llu serials, %zu bytes,"
			    " %s\n", g->prog, out,
			    (unsigned long long)nbits, len,
			    signer != NULL ? "signed" : "unsigned");
		r = UC_EXIT_OK;
	}
out:
	uc_signer_free(&signer);
	uc_ledger_free(&l);
	return r;
}
