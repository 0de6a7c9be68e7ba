/*
 * cmd_ledger_bank.c - the bank liaison's commands: bank export (the order
 * of linked cards), bank import (the bank's issuance/status file) and
 * bank reconcile (every disagreement between the two).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/bankfile.h"
#include "unioncard/csv.h"
#include "unioncard/keys.h"
#include "cmd_ledger.h"
#include "ledger_json.h"
#include "commands.h"

static void
usage(FILE *f)
{
	fputs(
	    "Usage: unioncard --as LIAISON bank export --request ID\n"
	    "                 --out FILE\n"
	    "       unioncard --as LIAISON bank import FILE\n"
	    "                 (--keys DIR | --bank-key FILE) [--json]\n"
	    "       unioncard --as LIAISON bank reconcile [--json | --csv]\n"
	    "       unioncard --as LIAISON bank imports [--json]\n"
	    "\n"
	    "The bank liaison's side of linked cards (bank ATM cards that\n"
	    "also carry the union applet).  Formats: docs/bank-files.md.\n"
	    "\n"
	    "export     write the order for the bank: one CSV row per line\n"
	    "           of an approved or accepted LINKED request (member\n"
	    "           code, name as the bank prints it, national ID, unit,\n"
	    "           branch, payer, fee).  Written atomically; audited.\n"
	    "import     read the bank's file of what it issued and charged.\n"
	    "           The file is the bank's full list; reconcile uses the\n"
	    "           newest import.  Full card numbers become an HMAC\n"
	    "           under the bank-link key and the last four digits\n"
	    "           before anything is stored.  A bad line rejects the\n"
	    "           whole file (file:line: column: why) and changes\n"
	    "           nothing; the same file twice is imported once.\n"
	    "           Refused: not a regular file, over 1 GiB, a header\n"
	    "           with no records, a card number outside the pan\n"
	    "           column.\n"
	    "reconcile  list every mismatch with the newest import, by\n"
	    "           class: missing_at_bank, unknown_to_us,\n"
	    "           pan_mismatch, name_mismatch, duplicate,\n"
	    "           status_conflict, fee_mismatch.  A summary (class,\n"
	    "           count) first, then one line per mismatch.\n"
	    "imports    list every bank file imported: id, file, sha256,\n"
	    "           rows, who, when; the newest is the one reconciled.\n"
	    "\n"
	    "Options:\n"
	    "  --request ID     the linked request to order\n"
	    "  --out FILE       where to write the order\n"
	    "  --keys DIR       the key directory; the key is\n"
	    "                   DIR/bank-link.key\n"
	    "  --bank-key FILE  the bank-link key file itself (hex)\n"
	    "                   import needs exactly one of --keys and\n"
	    "                   --bank-key: there is no default, so a wrong\n"
	    "                   key is never picked up by accident\n"
	    "  --json           machine-readable output\n"
	    "  --csv            reconcile: the columns of --json, one row\n"
	    "                   each: class,member_code,detail,line,\n"
	    "                   card_ref,serial (empty where none)\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard --as liaison bank export --request 12 \\\n"
	    "      --out order-12.csv\n"
	    "  unioncard --as liaison bank import vtb-2024-03.csv \\\n"
	    "      --keys /etc/unioncard/keys\n"
	    "  unioncard --as liaison bank reconcile --csv >mismatches.csv\n"
	    "  unioncard --as liaison bank imports\n"
	    "\n"
	    "Exit status: 0 done (reconcile: no mismatch), 1 reconcile found\n"
	    "mismatches, 2 could not run (usage, refused, bad file, no\n"
	    "import yet).\n",
	    f);
}

static int
parse_id(const char *s, int64_t *id)
{
	long long v;
	char *end;

	*id = 0;
	if (s == NULL)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v <= 0)
		return -1;
	*id = v;
	return 0;
}

static int
do_export(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--request=", "--out=", NULL };
	struct uc_ledger *l = NULL;
	const char *out = lgt_opt(argc, argv, "--out");
	int64_t id;
	size_t rows = 0;
	int r;

	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (parse_id(lgt_opt(argc, argv, "--request"), &id) != 0 ||
	    out == NULL)
		return uc_tool_usage(g, "bank export --request ID --out FILE");
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if ((r = uc_ledger_bank_export(l, id, out, &rows)) != 0) {
		char what[64];

		snprintf(what, sizeof(what), "bank export of request %lld",
		    (long long)id);
		r = lgt_fail(g, l, r, what);
	} else {
		printf("%s: %zu linked cards of request %lld\n", out, rows,
		    (long long)id);
		r = fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
	}
	uc_ledger_free(&l);
	return r;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[p[i] >> 4];
		out[2 * i + 1] = x[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
do_import(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--keys=", "--bank-key=",
	    "--json", NULL };
	struct uc_ledger_bank_import_info info;
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	const char *file = lgt_pos(argc, argv, 2, known, 0);
	const char *keys = lgt_opt(argc, argv, "--keys");
	const char *keyfile = lgt_opt(argc, argv, "--bank-key");
	char path[4096], sha[65];
	uint8_t key[UC_BANK_KEY_MAX];
	size_t key_len = 0;
	int r;

	uc_diag_clear(&d);
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	if (file == NULL)
		return uc_tool_usage(g, "bank import FILE.csv"
		    " (--keys DIR | --bank-key FILE)");
	if ((keys != NULL) == (keyfile != NULL))
		return uc_tool_usage(g, "bank import needs exactly one of"
		    " --keys DIR or --bank-key FILE");
	if (keys != NULL) {
		if (snprintf(path, sizeof(path), "%s/bank-link.key", keys) >=
		    (int)sizeof(path))
			return uc_tool_usage(g, "--keys path too long");
		keyfile = path;
	}
	if ((r = uc_keys_load_bank_link(keyfile, key, &key_len, &d)) != 0)
		return uc_tool_fail_diag(g, r, &d, "bank-link key %s",
		    keyfile);
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	r = uc_ledger_bank_import(l, file, key, key_len, &info, &d);
	if (r == UC_ERR_INVALID || (r == UC_ERR_IO && d.file[0] != '\0')) {
		r = uc_tool_fail_diag(g, r, &d, "bank import %s rejected,"
		    " nothing changed", file);
		goto out;
	}
	if (r != 0) {
		r = lgt_fail(g, l, r, "bank import");
		goto out;
	}
	hex(info.sha256, 32, sha);
	if (lgt_json(g, argc, argv)) {
		json_t *o = json_pack("{s:I, s:I, s:b, s:s}",
		    "import_id", (json_int_t)info.import_id,
		    "rows", (json_int_t)info.rows,
		    "already", info.already, "sha256", sha);

		r = o != NULL ? lgt_print_json(o) : UC_EXIT_FAIL;
		json_decref(o);
		goto out;
	}
	if (info.already)
		printf("%s: already imported as import %lld (%llu rows,"
		    " sha256 %s); nothing changed\n", file,
		    (long long)info.import_id,
		    (unsigned long long)info.rows, sha);
	else
		printf("%s: imported %llu rows as import %lld (sha256 %s)\n",
		    file, (unsigned long long)info.rows,
		    (long long)info.import_id, sha);
	r = fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
out:
	OPENSSL_cleanse(key, sizeof(key));
	uc_ledger_free(&l);
	return r;
}

enum out_mode { OUT_TEXT, OUT_JSON, OUT_CSV };

/*
 * Reconcile output is streamed: the library hands over one mismatch at a
 * time, so a file that mismatches on every row (wrong key) does not have
 * to fit in memory.  The summary comes first: counts are known before the
 * first mismatch.
 */
struct out {
	enum out_mode mode;
	const uint64_t *counts;
	int started;
	uint64_t n;
};

static void
print_head(struct out *o)
{
	const char *name;
	int k;

	o->started = 1;
	switch (o->mode) {
	case OUT_CSV:
		fputs("class,member_code,detail,line,card_ref,serial\r\n",
		    stdout);
		break;
	case OUT_JSON:
		fputs("{\n  \"summary\": {", stdout);
		for (k = 0; (name = uc_ledger_bank_class_name((int)k)) != NULL; k++)
			printf("%s\n    \"%s\": %llu", k ? "," : "", name,
			    (unsigned long long)o->counts[k]);
		fputs("\n  },\n  \"mismatches\": [", stdout);
		break;
	case OUT_TEXT:
		printf("%-16s %s\n", "class", "count");
		for (k = 0; (name = uc_ledger_bank_class_name((int)k)) != NULL; k++)
			printf("%-16s %llu\n", name,
			    (unsigned long long)o->counts[k]);
		break;
	}
}

static int
print_one(void *ctx, const struct uc_ledger_bank_mismatch *m)
{
	struct out *o = ctx;
	const char *v[6];
	char line[24];
	json_t *j;
	char *s;

	if (!o->started)
		print_head(o);
	switch (o->mode) {
	case OUT_CSV:
		v[0] = m->class_name;
		v[1] = m->member_code;
		v[2] = m->detail;
		line[0] = '\0';
		if (m->line > 0)
			snprintf(line, sizeof(line), "%lld",
			    (long long)m->line);
		v[3] = line;
		v[4] = m->card_ref;
		v[5] = m->serial;
		if (uc_csv_write_row(stdout, v, 6) != 0)
			return UC_ERR_IO;
		break;
	case OUT_JSON:
		j = json_pack("{s:s, s:s?, s:s, s:o, s:s?, s:s?}",
		    "class", m->class_name, "member_code", m->member_code,
		    "detail", m->detail,
		    "line", m->line > 0 ? json_integer(m->line) : json_null(),
		    "card_ref", m->card_ref, "serial", m->serial);
		s = j != NULL ? json_dumps(j, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) : NULL;
		json_decref(j);
		if (s == NULL)
			return UC_ERR_NOMEM;
		printf("%s\n    %s", o->n ? "," : "", s);
		free(s);
		break;
	case OUT_TEXT:
		if (o->n == 0)
			putchar('\n');
		printf("%-16s %-11s %s\n", m->class_name,
		    m->member_code != NULL ? m->member_code : "-", m->detail);
		break;
	}
	o->n++;
	return ferror(stdout) ? UC_ERR_IO : 0;
}

static int
do_reconcile(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--json", "--csv", NULL };
	uint64_t counts[UC_LEDGER_BANK_CLASSES];
	struct uc_ledger *l = NULL;
	struct out o;
	int r, csv = lgt_flag(argc, argv, "--csv");

	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if (csv && lgt_json(g, argc, argv))
		return uc_tool_usage(g, "give --json or --csv, not both");
	memset(&o, 0, sizeof(o));
	o.mode = csv ? OUT_CSV : lgt_json(g, argc, argv) ? OUT_JSON : OUT_TEXT;
	o.counts = counts;
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if ((r = uc_ledger_bank_reconcile_each(l, counts, print_one, &o))
	    != 0) {
		fflush(stdout);
		r = lgt_fail(g, l, r, "bank reconcile");
		goto out;
	}
	if (!o.started)
		print_head(&o);
	if (o.mode == OUT_JSON)
		fputs(o.n ? "\n  ]\n}\n" : "]\n}\n", stdout);
	if (fflush(stdout) != 0)
		r = UC_EXIT_FAIL;
	else
		r = o.n > 0 ? UC_EXIT_NO : UC_EXIT_OK;
out:
	uc_ledger_free(&l);
	return r;
}

static int
do_imports(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--json", NULL };
	static const char *const cols[] = { "import", "file", "rows",
	    "account", "at", "newest", "sha256" };
	struct uc_ledger *l = NULL;
	json_t *a = NULL;
	int r;

	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if ((a = json_array()) == NULL)
		r = UC_ERR_NOMEM;
	else
		r = uc_ledger_bank_imports_each(l, uc_json_bank_import_append,
		    a);
	if (r != 0)
		r = lgt_fail(g, l, r, "bank imports");
	else
		r = lgt_print_list(a, cols, 7, lgt_json(g, argc, argv));
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_bank(struct uc_tool_global *g, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub == NULL || strcmp(sub, "--help") == 0 ||
	    strcmp(sub, "-h") == 0 || lgt_flag(argc, argv, "--help")) {
		usage(sub == NULL ? stderr : stdout);
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (strcmp(sub, "export") == 0)
		return do_export(g, argc, argv);
	if (strcmp(sub, "import") == 0)
		return do_import(g, argc, argv);
	if (strcmp(sub, "reconcile") == 0)
		return do_reconcile(g, argc, argv);
	if (strcmp(sub, "imports") == 0)
		return do_imports(g, argc, argv);
	return uc_tool_usage(g, "unknown bank command '%s'", sub);
}
