/*
 * cmd_ledger_report.c - report progress|fees|cards|spoilage, audit
 * verify|export, status-list export.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "unioncard/buf.h"
#include "unioncard/csv.h"
#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"
#include "cmd_ledger.h"
#include "ledger_json.h"

/* --- the problems of an import ---------------------------------------- */

void
lgt_import_diag(void *ctx, const struct uc_diag *d)
{
	struct lgt_import_errs *e = ctx;

	if (e->v == NULL && (e->v = calloc(UC_LEDGER_IMPORT_ERRORS_MAX,
	    sizeof(*e->v))) == NULL)
		return;
	if (e->n < UC_LEDGER_IMPORT_ERRORS_MAX)
		e->v[e->n++] = *d;
}

void
lgt_import_errs_free(struct lgt_import_errs *e)
{
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

int
lgt_import_fail(struct uc_tool_global *g, struct uc_ledger *l, int err,
    const struct lgt_import_errs *e, size_t total, const char *what)
{
	char where[UC_DIAG_FILE_MAX + UC_DIAG_FIELD_MAX + UC_DIAG_MSG_MAX + 32];
	size_t i;

	if (err != UC_ERR_INVALID || total == 0 || e->n == 0)
		return lgt_fail(g, l, err, what);
	fprintf(stderr, "%s: %s rejected, nothing changed: %zu problem%s\n",
	    g->prog, what, total, total == 1 ? "" : "s");
	for (i = 0; i < e->n; i++) {
		uc_diag_format(&e->v[i], where, sizeof(where));
		fprintf(stderr, "  %s\n", where);
	}
	if (total > e->n)
		fprintf(stderr, "  ... and %zu more\n", total - e->n);
	return uc_tool_exit_code(err);
}

/* --- fee payments --------------------------------------------------- */

static void
fee_pay_usage(void)
{
	puts("Usage: unioncard --as USER fee pay --request ID --member CODE\n"
	    "           --paid-by WHO --receipt NUMBER [--on DATE]\n"
	    "\n"
	    "Record that the fee of one line of an accepted print request"
	    " was paid:\n"
	    "who paid it (the member, the grassroots union...), the receipt"
	    " number\n"
	    "and the day (default today; DD/MM/YYYY or YYYY-MM-DD).  A clerk"
	    " or admin\n"
	    "over the request's unit; each line is paid once; audited.\n"
	    "'report fees' shows paid and unpaid totals, 'report fees"
	    " --unpaid'\n"
	    "each line still to pay.\n"
	    "\n"
	    "Example:\n"
	    "  unioncard --as tp01.clerk fee pay --request 12 --member"
	    " 52000000010 \\\n"
	    "      --paid-by \"Huỳnh Lê Diễm Tuyết\" --receipt BL-2026-0042"
	    " --on 05/11/2026");
}

int
uc_cmd_fee_pay(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--request=", "--member=",
	    "--paid-by=", "--receipt=", "--on=", NULL };
	struct uc_ledger *l = NULL;
	const char *rq = lgt_opt(argc, argv, "--request");
	const char *member = lgt_opt(argc, argv, "--member");
	const char *by = lgt_opt(argc, argv, "--paid-by");
	const char *receipt = lgt_opt(argc, argv, "--receipt");
	const char *on = lgt_opt(argc, argv, "--on");
	long long rid = 0;
	char *end = NULL;
	int r;

	if (lgt_flag(argc, argv, "--help")) {
		fee_pay_usage();
		return UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (rq != NULL)
		rid = strtoll(rq, &end, 10);
	if (rq == NULL || end == rq || *end != '\0' || rid <= 0 ||
	    member == NULL || by == NULL || receipt == NULL)
		return uc_tool_usage(g, "fee pay --request ID --member CODE"
		    " --paid-by WHO --receipt NUMBER [--on DATE]");
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	r = uc_ledger_fee_pay(l, (int64_t)rid, member, by, receipt, on);
	if (r != 0) {
		r = lgt_fail(g, l, r, "fee pay");
	} else {
		printf("request %lld member %s: fee paid by %s, receipt %s\n",
		    rid, member, by, receipt);
		r = fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
	}
	uc_ledger_free(&l);
	return r;
}

#define LIST_CSV_MAX 11

/* A listing as CSV: a header of the keys, then one row per object. */
static int
list_csv(const json_t *a, const char *const *keys, size_t n)
{
	const char *f[LIST_CSV_MAX];
	char buf[LIST_CSV_MAX][32];
	size_t i, k;
	json_t *o;

	if (n > LIST_CSV_MAX || uc_csv_write_row(stdout, keys, n) != 0)
		return UC_EXIT_FAIL;
	json_array_foreach(a, i, o) {
		for (k = 0; k < n; k++) {
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
		if (uc_csv_write_row(stdout, f, n) != 0)
			return UC_EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

static int
progress_csv(const json_t *a)
{
	static const char *const keys[] = { "unit", "name", "parent",
	    "target", "entered", "approved", "percent", "rank", "exempt",
	    "overdue", "deadline" };

	return list_csv(a, keys, 11);
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
	struct uc_ledger_spoilage *sp = NULL;
	long long rid = 0;
	json_t *o = NULL;
	char *end = NULL;
	int r;

	if (rq != NULL) {
		rid = strtoll(rq, &end, 10);
		if (end == rq || *end != '\0' || rid <= 0)
			return uc_tool_usage(g, "--request takes a request id");
	}
	if ((r = uc_ledger_report_spoilage_get(l, (int64_t)rid, &sp)) == 0 &&
	    (o = uc_json_spoilage(sp)) == NULL)
		r = UC_ERR_NOMEM;
	uc_ledger_spoilage_free(&sp);
	if (r != 0)
		return lgt_fail(g, l, r, "report spoilage");
	r = json ? lgt_print_json(o) : spoilage_text(o);
	json_decref(o);
	return r;
}

int
uc_cmd_report(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--as-of=", "--json",
	    "--csv", "--request=", "--unpaid", NULL };
	static const char *const pcols[] = { "unit", "target", "entered",
	    "approved", "percent", "rank", "exempt", "overdue" };
	static const char *const fcols[] = { "period", "unit", "payer",
	    "lines", "total_vnd", "paid_vnd", "unpaid_vnd" };
	static const char *const ucols[] = { "request", "unit",
	    "member_code", "full_name", "payer", "fee_vnd", "request_day" };
	static const char *const ccols[] = { "status", "count" };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	json_t *a = NULL;
	int r, json = lgt_json(g, argc, argv);

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		puts("Usage: unioncard --as USER report progress [--unit CODE]"
		    " [--as-of DATE] [--json|--csv]\n"
		    "       unioncard --as USER report fees [--unpaid] [--json|--csv]\n"
		    "       unioncard --as USER report cards [--json|--csv]\n"
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
	if (strcmp(sub, "fees") != 0 && lgt_flag(argc, argv, "--unpaid"))
		return uc_tool_usage(g, "--unpaid is for report fees");
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (json && lgt_flag(argc, argv, "--csv"))
		return uc_tool_usage(g, "give --json or --csv, not both");
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (strcmp(sub, "progress") == 0) {
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_report_progress_each(l,
			    lgt_opt(argc, argv, "--unit"),
			    lgt_opt(argc, argv, "--as-of"),
			    uc_json_progress_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "report progress");
		else if (lgt_flag(argc, argv, "--csv"))
			r = progress_csv(a);
		else
			r = lgt_print_list(a, pcols, 8, json);
	} else if (strcmp(sub, "fees") == 0 && lgt_flag(argc, argv,
	    "--unpaid")) {
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_report_fees_unpaid_each(l,
			    uc_json_fee_due_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "report fees --unpaid");
		else
			r = lgt_print_list(a, ucols, 7, json);
	} else if (strcmp(sub, "fees") == 0) {
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_report_fees_each(l,
			    uc_json_fee_total_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "report fees");
		else if (lgt_flag(argc, argv, "--csv"))
			r = list_csv(a, fcols, 5);
		else
			r = lgt_print_list(a, fcols, 7, json);
	} else if (strcmp(sub, "spoilage") == 0) {
		r = report_spoilage(g, l, argc, argv, json);
	} else if (strcmp(sub, "cards") == 0) {
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_report_cards_each(l,
			    uc_json_card_count_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "report cards");
		else if (lgt_flag(argc, argv, "--csv"))
			r = list_csv(a, ccols, 2);
		else
			r = lgt_print_list(a, ccols, 2, json);
	} else {
		r = uc_tool_usage(g, "unknown report '%s'", sub);
	}
	json_decref(a);
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

static void
audit_usage(void)
{
	puts("Usage: unioncard [--as USER] audit verify [--seal FILE]..."
	    " [--trust ROOT.pem | --keys DIR]\n"
	    "                                     [--json]\n"
	    "       unioncard --as USER audit seal --out FILE"
	    " (--keys DIR | --key SPEC | --unsigned)\n"
	    "       unioncard --as USER audit export --csv\n"
	    "\n"
	    "verify checks, without logging in:\n"
	    "  pages  the database file itself (PRAGMA integrity_check);\n"
	    "  chain  every row's hash and its link to the row before"
	    " (names the row\n"
	    "         that was edited, deleted or inserted);\n"
	    "  cards  the audited card transitions, replayed, give the"
	    " cards table as\n"
	    "         it is (a status changed by hand is named);\n"
	    "  seals  every seal kept in the ledger, and each --seal FILE:"
	    " the trail\n"
	    "         still extends the sealed head (rows cut off, or a"
	    " chain recomputed\n"
	    "         from an edited row, are caught).  With --trust (or"
	    " --keys DIR:\n"
	    "         DIR/root.pem) each seal file's signature is checked"
	    " too.\n"
	    "Exit 0 all intact, 1 something does not hold (said on"
	    " stderr), 2 could\nnot check.  --json prints {\"intact\","
	    " \"rows\", \"bad_row\", \"error\", \"pages\",\n"
	    "\"cards\", \"seals\": [{\"file\", \"rows\", \"sealed_at\","
	    " \"extends\", \"signature\",\n\"error\"}...], \"kept_seals\"}.\n"
	    "\n"
	    "seal writes a signed seal of the trail as it stands (its"
	    " length and last\nhash; docs/audit-seal.md), keeps it in the"
	    " ledger and in FILE.  Run it daily\n(status-list export also"
	    " writes FILE.seal) and keep the seals away from the\nledger.\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard --as printer audit seal --out /backup/seals/$(date"
	    " +%F).seal \\\n"
	    "      --keys /etc/unioncard/keys\n"
	    "  unioncard audit verify --seal /backup/seals/2026-12-01.seal"
	    " \\\n"
	    "      --trust /etc/unioncard/keys/root.pem\n"
	    "  unioncard --as admin audit export --csv >audit.csv");
}

/*
 * The signer named by --key SPEC or --keys DIR (DIR/status-list.key);
 * *signer stays NULL with --unsigned when allowed.  Returns 0 or an exit
 * code (the reason printed).
 */
static int
open_signer(struct uc_tool_global *g, int argc, char **argv,
    struct uc_signer **signer)
{
	const char *key = lgt_opt(argc, argv, "--key");
	const char *keys = lgt_opt(argc, argv, "--keys");
	char spec[UC_SIGNER_SPEC_MAX + 1];
	char pass[UC_PASSPHRASE_MAX + 2];
	struct uc_diag d;
	int r;

	*signer = NULL;
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
	if (key == NULL)
		return 0;
	uc_diag_clear(&d);
	if (lgt_password("UNIONCARD_PASSPHRASE", "Key passphrase: ", 0,
	    pass, sizeof(pass)) != 0)
		pass[0] = '\0';
	r = uc_signer_open_ex(key, pass[0] ? pass : NULL,
	    uc_tool_pkcs11_module(), signer, &d);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (r != 0)
		return uc_tool_fail_diag(g, r, &d, "status-list signer %s",
		    key);
	return 0;
}

static int
audit_seal(struct uc_tool_global *g, int argc, char **argv)
{
	const char *out = lgt_opt(argc, argv, "--out");
	struct uc_signer *signer = NULL;
	struct uc_ledger *l = NULL;
	struct uc_audit_seal s;
	int r;

	if (out == NULL)
		return uc_tool_usage(g, "audit seal --out FILE");
	if ((r = open_signer(g, argc, argv, &signer)) != 0)
		return r;
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	r = uc_ledger_audit_seal(l, out, 0, signer != NULL ? sign_cb : NULL,
	    signer, &s);
	if (r != 0) {
		r = lgt_fail(g, l, r, "audit seal");
		goto out;
	}
	if (!g->quiet)
		fprintf(stderr, "%s: %s: sealed %llu audit rows, %s\n",
		    g->prog, out, (unsigned long long)s.rows,
		    signer != NULL ? "signed" : "unsigned");
	r = UC_EXIT_OK;
out:
	uc_signer_free(&signer);
	uc_ledger_free(&l);
	return r;
}

static void
iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "%lld", (long long)t);
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Read a whole small file (at most max bytes) into *p (malloc'ed). */
static int
read_small(const char *path, size_t max, unsigned char **p, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	size_t got;
	int r = UC_ERR_IO;

	*p = NULL;
	*n = 0;
	if (f == NULL)
		return errno == ENOENT ? UC_ERR_NOT_FOUND :
		    errno == EACCES ? UC_ERR_ACCESS : UC_ERR_IO;
	if ((b = malloc(max + 1)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	got = fread(b, 1, max + 1, f);
	if (ferror(f))
		goto out;
	if (got > max) {
		r = UC_ERR_INVALID;
		goto out;
	}
	*p = b;
	*n = got;
	b = NULL;
	r = 0;
out:
	free(b);
	fclose(f);
	return r;
}

/* One --seal FILE: parsed, its signature checked against trust (when
 * given), and the trail checked to extend it.  Appends to seals; returns
 * 1 if it holds, 0 if not, or a negative error (could not check). */
static int
check_seal_file(struct uc_tool_global *g, struct uc_ledger *l,
    const char *file, const struct uc_trust *trust, json_t *seals)
{
	unsigned char *data = NULL;
	struct uc_audit_seal s;
	struct uc_diag d;
	char msg[UC_DIAG_MSG_MAX + 32], at[32];
	const char *sig = "not checked";
	size_t n = 0;
	int r, ok = 0;
	json_t *o;

	uc_diag_clear(&d);
	msg[0] = '\0';
	memset(&s, 0, sizeof(s));
	if ((r = read_small(file, UC_AUDIT_SEAL_MAX, &data, &n)) != 0 &&
	    r != UC_ERR_INVALID) {
		uc_tool_fail(g, r, "seal %s", file);
		return r;
	}
	if (r == 0)
		r = uc_audit_seal_parse(data, n, &s);
	if (r != 0) {
		snprintf(msg, sizeof(msg), "not an audit seal");
		sig = "none";
	} else if (trust != NULL) {
		r = uc_audit_seal_verify(data, n, trust, &s, &d);
		sig = r == 0 ? "valid" : s.sig_len == 0 ? "none" : "invalid";
		if (r != 0)
			snprintf(msg, sizeof(msg), "signature: %s", d.msg);
	} else if (s.sig_len == 0) {
		sig = "none";
	}
	if (r == 0) {
		r = uc_ledger_audit_seal_check(l, &s, msg, sizeof(msg));
		if (r == 0)
			ok = 1;
		else if (r != UC_ERR_VERIFY) {
			free(data);
			uc_tool_fail(g, r, "seal %s", file);
			return r;
		}
	}
	free(data);
	iso(s.sealed_at, at);
	o = json_object();
	if (o != NULL) {
		json_object_set_new(o, "file", json_string(file));
		json_object_set_new(o, "rows", json_integer(
		    (json_int_t)s.rows));
		json_object_set_new(o, "sealed_at", s.sealed_at != 0 ?
		    json_string(at) : json_null());
		json_object_set_new(o, "extends", json_boolean(ok));
		json_object_set_new(o, "signature", json_string(sig));
		json_object_set_new(o, "error", ok ? json_null() :
		    json_string(msg));
		json_array_append_new(seals, o);
	}
	if (!ok)
		fprintf(stderr, "%s: seal %s: %s\n", g->prog, file, msg);
	else if (trust == NULL && !g->quiet && !lgt_json(g, 0, NULL))
		fprintf(stderr, "%s: seal %s: signature not checked (give"
		    " --trust ROOT.pem)\n", g->prog, file);
	return ok;
}

static int
audit_verify(struct uc_tool_global *g, int argc, char **argv)
{
	const char *path = uc_tool_ledger_path(g);
	const char *trust_file = lgt_opt(argc, argv, "--trust");
	const char *keys = lgt_opt(argc, argv, "--keys");
	struct uc_ledger_open_opts oo = { .full_check = 1 };
	struct uc_ledger *l = NULL;
	struct uc_trust *trust = NULL;
	struct uc_diag d;
	char msg[256], cmsg[256], smsg[256], pmsg[256];
	char bad_serial[UC_LEDGER_SERIAL_LEN + 1];
	int64_t bad = 0, rows = 0, ncards = 0;
	size_t kept = 0;
	int r, rc, rs, json = lgt_json(g, argc, argv), i, holds = 1;
	json_t *o = NULL, *seals = json_array();

	msg[0] = cmsg[0] = smsg[0] = pmsg[0] = '\0';
	if (seals == NULL)
		return UC_EXIT_FAIL;
	if (trust_file != NULL && keys != NULL) {
		json_decref(seals);
		return uc_tool_usage(g, "give --trust or --keys, not both");
	}
	if (trust_file != NULL || keys != NULL) {
		uc_diag_clear(&d);
		if ((r = uc_trust_new(&trust)) == 0)
			r = trust_file != NULL ? uc_trust_add_roots_file(trust,
			    trust_file, &d) : uc_trust_load_dir(trust, keys,
			    &d);
		if (r != 0) {
			uc_trust_free(&trust);
			json_decref(seals);
			return uc_tool_fail_diag(g, r, &d, "trust %s",
			    trust_file != NULL ? trust_file : keys);
		}
	}
	/* Checking needs no secret; log in only if asked to. */
	r = uc_ledger_open_ex(&l, path, &oo, &d);
	if (r == UC_ERR_CORRUPT) {
		/* A damaged file is an answer: the trail does not hold. */
		snprintf(pmsg, sizeof(pmsg), "%s", d.msg);
		if (json) {
			o = json_pack("{s:b, s:n, s:n, s:s, s:s}", "intact", 0,
			    "rows", "bad_row", "error", pmsg, "pages", pmsg);
			if (o != NULL)
				lgt_print_json(o);
			json_decref(o);
		}
		fprintf(stderr, "%s: ledger %s: BROKEN: %s\n", g->prog, path,
		    pmsg);
		r = UC_EXIT_NO;
		goto out;
	}
	if (r != 0) {
		r = uc_tool_fail(g, r, "ledger %s%s%s", path,
		    d.msg[0] ? ": " : "", d.msg);
		goto out;
	}
	if (g->as != NULL) {
		uc_ledger_free(&l);
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			goto out;
	}
	r = uc_ledger_audit_verify(l, &bad, msg, sizeof(msg), &rows);
	if (r != 0 && r != UC_ERR_VERIFY) {
		r = lgt_fail(g, l, r, "audit verify");
		goto out;
	}
	if (r != 0) {
		holds = 0;
		fprintf(stderr, "%s: audit trail BROKEN at row %lld: %s\n",
		    g->prog, (long long)bad, msg);
	}
	rc = uc_ledger_audit_replay(l, cmsg, sizeof(cmsg), bad_serial,
	    &ncards);
	if (rc != 0 && rc != UC_ERR_VERIFY) {
		r = lgt_fail(g, l, rc, "audit verify: replaying card changes");
		goto out;
	}
	if (rc != 0) {
		holds = 0;
		fprintf(stderr, "%s: cards do not match the audit trail: %s\n",
		    g->prog, cmsg);
	}
	rs = uc_ledger_audit_seals_check(l, &kept, smsg, sizeof(smsg));
	if (rs != 0 && rs != UC_ERR_VERIFY) {
		r = lgt_fail(g, l, rs, "audit verify: kept seals");
		goto out;
	}
	if (rs != 0) {
		holds = 0;
		fprintf(stderr, "%s: the trail no longer extends a seal: %s\n",
		    g->prog, smsg);
	}
	for (i = 2; i < argc; i++) {
		int k;

		if (strcmp(argv[i], "--seal") != 0 || i + 1 >= argc)
			continue;
		k = check_seal_file(g, l, argv[++i], trust, seals);
		if (k < 0) {
			r = uc_tool_exit_code(k);
			goto out;
		}
		if (k == 0)
			holds = 0;
	}
	if (json) {
		o = json_object();
		if (o == NULL) {
			r = UC_EXIT_FAIL;
			goto out;
		}
		json_object_set_new(o, "intact", json_boolean(holds));
		json_object_set_new(o, "rows", json_integer(rows));
		json_object_set_new(o, "bad_row", bad != 0 ?
		    json_integer(bad) : json_null());
		json_object_set_new(o, "error", holds ? json_null() :
		    json_string(msg[0] ? msg : cmsg[0] ? cmsg : smsg[0] ?
		    smsg : "a seal does not hold"));
		json_object_set_new(o, "pages", json_string("ok"));
		json_object_set_new(o, "cards", rc == 0 ? json_string("ok") :
		    json_string(cmsg));
		json_object_set_new(o, "bad_card", bad_serial[0] ?
		    json_string(bad_serial) : json_null());
		json_object_set_new(o, "kept_seals", json_integer(
		    (json_int_t)kept));
		json_object_set_new(o, "seals", seals);
		seals = NULL;
		lgt_print_json(o);
	} else if (holds) {
		printf("audit trail intact: %lld rows, %lld cards agree,"
		    " %zu kept seal(s) hold", (long long)rows,
		    (long long)ncards, kept);
		if (json_array_size(seals) > 0)
			printf(", %zu seal file(s) extended",
			    json_array_size(seals));
		putchar('\n');
	}
	r = holds ? UC_EXIT_OK : UC_EXIT_NO;
out:
	json_decref(o);
	json_decref(seals);
	uc_trust_free(&trust);
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_audit(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--csv", "--json", "--seal=",
	    "--trust=", "--keys=", "--key=", "--out=", "--unsigned",
	    "--help", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0 ||
	    lgt_flag(argc, argv, "--help")) {
		audit_usage();
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (strcmp(sub, "verify") == 0) {
		r = audit_verify(g, argc, argv);
	} else if (strcmp(sub, "seal") == 0) {
		r = audit_seal(g, argc, argv);
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
	    "--key=", "--keys=", "--json", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *out = lgt_opt(argc, argv, "--out");
	const char *ttls = lgt_opt(argc, argv, "--ttl");
	struct uc_signer *signer = NULL;
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
		    " docs/status-list.md.\n"
		    "Also writes FILE.seal, a signed audit seal of the trail"
		    " as it stands\n(docs/audit-seal.md): keep it, and check"
		    " later with\n'unioncard audit verify --seal FILE.seal"
		    " --trust root.pem'.\n"
		    "Example:\n"
		    "  unioncard --as printer status-list export --out"
		    " today.usl --keys /etc/unioncard/keys");
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
	if ((r = open_signer(g, argc, argv, &signer)) != 0)
		return r;
	/* the full page check: a damaged ledger vouches for no card */
	if ((r = lgt_open_ex(g, &l, 0, 1, NULL, 1)) != 0)
		goto out;
	/* A list must not outlive its signer either. */
	if (signer != NULL) {
		struct uc_diag d;

		uc_diag_clear(&d);
		if ((r = uc_signer_check_until(signer, time(NULL) +
		    (time_t)(ttl != 0 ? ttl : 86400), "the list's end of "
		    "validity", &d)) != 0) {
			r = uc_tool_fail_diag(g, r, &d, "status-list signer");
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
			    " %s; audit seal in %s.seal\n", g->prog, out,
			    (unsigned long long)nbits, len,
			    signer != NULL ? "signed" : "unsigned", out);
		r = UC_EXIT_OK;
	}
out:
	uc_signer_free(&signer);
	uc_ledger_free(&l);
	return r;
}
