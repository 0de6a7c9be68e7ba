/*
 * test_ledger.c - the ledger through its API: migrations, scope, fee
 * dating, forward-only member codes, the audit chain, the status list and
 * the spoilage report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "unioncard/buf.h"
#include "unioncard/keys.h"
#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"
#include "unioncard/membercode.h"

/* The ledger's last refusal, in words (uc_ledger_diag). */
#define LEDGER_WHY(l) (uc_ledger_diag((l), &(struct uc_diag){ 0 })->msg)

#define PW "pw-for-tests"

struct fx {
	char dir[64];
	char path[128];
	struct uc_ledger *l;
};

/* The first row of a progress report (the unit asked for). */
struct first_progress {
	size_t n;
	int64_t entered, approved;
};

static int
first_progress(void *ctx, const struct uc_ledger_progress *p)
{
	struct first_progress *fp = ctx;

	if (fp->n++ == 0) {
		fp->entered = p->entered;
		fp->approved = p->approved;
	}
	return 0;
}

/* Cards seen by uc_ledger_card_each: how many, the first few. */
struct cards {
	size_t n;
	struct uc_ledger_card c[4];
};

static int
collect_card(void *ctx, const struct uc_ledger_card *c)
{
	struct cards *k = ctx;

	if (k->n < 4)
		k->c[k->n] = *c;
	k->n++;
	return 0;
}

/* Members seen by uc_ledger_member_each / _find: how many, the first
 * few. */
struct members {
	size_t n;
	struct uc_ledger_member m[4];
};

static int
collect(void *ctx, const struct uc_ledger_member *m)
{
	struct members *c = ctx;

	if (c->n < 4)
		c->m[c->n] = *m;
	c->n++;
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/uc-ledger-unit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/l.db", f->dir);
	{
		/* The story's day, as the caller fixes it (the clock's
		 * option; the library reads no environment). */
		struct uc_ledger_open_opts o = { .create = 1 };

		assert_int_equal(uc_date_parse("2021-07-15", 10, &o.today),
		    0);
		assert_int_equal(uc_ledger_open_ex(&f->l, f->path, &o, NULL),
		    0);
	}
	assert_int_equal(uc_ledger_set_kdf_cost(f->l, 10), UC_ERR_RANGE);
	assert_int_equal(uc_ledger_set_kdf_cost(f->l, 1000), 0);
	assert_int_equal(uc_ledger_init(f->l, "52", "Province", 52, "admin",
	    PW), 0);
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_unit_add(f->l, "D1", "District", "52", 0),
	    0);
	assert_int_equal(uc_ledger_unit_add(f->l, "G1", "Grassroots", "D1",
	    0), 0);
	assert_int_equal(uc_ledger_unit_add(f->l, "G2", "Grassroots 2", "D1",
	    0), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "g1", "G1",
	    UC_ROLE_CLERK, PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "d1", "D1",
	    UC_ROLE_APPROVER, PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "pr", "52",
	    UC_ROLE_PRINTER, PW), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	uc_ledger_free(&f->l);
	assert_null(f->l);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* whoami names the account, its unit and role; nobody logged in: PERM. */
static void
test_whoami(void **state)
{
	struct fx *f = *state;
	struct uc_ledger *l2 = NULL;
	struct uc_ledger_actor a;

	assert_int_equal(uc_ledger_login(f->l, "d1", PW), 0);
	assert_int_equal(uc_ledger_whoami(f->l, &a), 0);
	assert_string_equal(a.user, "d1");
	assert_string_equal(a.unit, "D1");
	assert_string_equal(a.unit_name, "District");
	assert_int_equal(a.role, UC_ROLE_APPROVER);
	assert_int_equal(uc_ledger_open(&l2, f->path, 0), 0);
	assert_int_equal(uc_ledger_whoami(l2, &a), UC_ERR_PERM);
	assert_string_equal(a.user, "");
	uc_ledger_free(&l2);
}

/* API tokens: shown once, act as their account, revocable; only an
 * admin who may manage the account issues one. */
static void
test_tokens(void **state)
{
	struct fx *f = *state;
	struct uc_ledger *l2 = NULL;
	struct uc_ledger_actor a;
	char tok[UC_LEDGER_TOKEN_LEN + 1], tok2[UC_LEDGER_TOKEN_LEN + 1];
	char keep;

	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_token_add(f->l, "script", "g1", tok),
	    UC_ERR_PERM);
	assert_string_equal(tok, "");
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_token_add(f->l, "script", "g1", tok), 0);
	assert_int_equal(strlen(tok), UC_LEDGER_TOKEN_LEN);
	assert_memory_equal(tok, "uct_", 4);
	assert_int_equal(uc_ledger_token_add(f->l, "script", "d1", tok2),
	    UC_ERR_EXISTS);
	assert_int_equal(uc_ledger_token_add(f->l, "other", "g1", tok2), 0);
	assert_string_not_equal(tok, tok2);

	assert_int_equal(uc_ledger_open(&l2, f->path, 0), 0);
	assert_int_equal(uc_ledger_token_login(l2, tok), 0);
	assert_int_equal(uc_ledger_whoami(l2, &a), 0);
	assert_string_equal(a.user, "g1");
	assert_int_equal(a.role, UC_ROLE_CLERK);
	keep = tok[10];
	tok[10] = tok[10] == 'A' ? 'B' : 'A';
	assert_int_equal(uc_ledger_token_login(l2, tok), UC_ERR_AUTH);
	assert_int_equal(uc_ledger_whoami(l2, &a), UC_ERR_PERM);
	assert_int_equal(uc_ledger_token_login(l2, "uct_short"), UC_ERR_AUTH);
	assert_int_equal(uc_ledger_token_login(l2, NULL), UC_ERR_AUTH);

	assert_int_equal(uc_ledger_token_revoke(f->l, "other"), 0);
	assert_int_equal(uc_ledger_token_login(l2, tok2), UC_ERR_AUTH);
	assert_int_equal(uc_ledger_token_revoke(f->l, "other"),
	    UC_ERR_NOT_FOUND);
	/* a disabled account's tokens are refused too */
	tok[10] = keep;
	assert_int_equal(uc_ledger_token_login(l2, tok), 0);
	assert_int_equal(uc_ledger_account_set_disabled(f->l, "g1", 1), 0);
	assert_int_equal(uc_ledger_token_login(l2, tok), UC_ERR_AUTH);
	uc_ledger_free(&l2);
}

static void
import(struct fx *f, const char *csv, int want)
{
	struct uc_diag d;
	FILE *fp = fmemopen((void *)(uintptr_t)csv, strlen(csv), "r");
	size_t n = 0;

	assert_non_null(fp);
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_import(f->l, "G1", fp, "t.csv", &n,
	    &d), want);
	fclose(fp);
}

static const char two[] =
    "full_name,date_of_birth,gender,national_id,position,joined_on,"
    "mandatory\n"
    "Nguyễn Văn A,1980-01-01,nam,052080000001,CN,2010-01-01,0\n"
    "Trần Thị B,02/02/1982,nữ,052082000002,CN,2011-01-01,1\n";

static void
approve_all(struct fx *f)
{
	size_t n;

	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_submit(f->l, "G1", &n), 0);
	assert_int_equal(uc_ledger_login(f->l, "d1", PW), 0);
	assert_int_equal(uc_ledger_member_approve(f->l, "G1", NULL, 0, &n),
	    0);
}

/*
 * The members of `two` imported and approved, and a regular request for
 * them created and approved (not yet accepted: no card reserved); the
 * printer is logged in.  Returns the request's id.
 */
static int64_t
approved_request(struct fx *f)
{
	int64_t id;

	import(f, two, 0);
	approve_all(f);
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "regular", NULL,
	    0, NULL, NULL, &id), 0);
	assert_int_equal(uc_ledger_request_submit(f->l, id), 0);
	assert_int_equal(uc_ledger_login(f->l, "d1", PW), 0);
	assert_int_equal(uc_ledger_request_approve(f->l, id), 0);
	assert_int_equal(uc_ledger_login(f->l, "pr", PW), 0);
	return id;
}

/* approved_request, accepted by the printer: a reserved card each. */
static int64_t
accepted_request(struct fx *f)
{
	int64_t id = approved_request(f);

	assert_int_equal(uc_ledger_request_accept(f->l, id), 0);
	return id;
}

static void
test_reopen_keeps_schema(void **state)
{
	struct fx *f = *state;
	struct uc_ledger *l2 = NULL;

	/* a second open runs no migration and sees the same data */
	assert_int_equal(uc_ledger_open(&l2, f->path, 0), 0);
	assert_int_equal(uc_ledger_login(l2, "admin", PW), 0);
	assert_int_equal(uc_ledger_login(l2, "admin", "nope"), UC_ERR_AUTH);
	assert_int_equal(uc_ledger_login(l2, "ghost", PW), UC_ERR_AUTH);
	uc_ledger_free(&l2);
	/* init twice is refused */
	assert_int_equal(uc_ledger_init(f->l, "53", "X", 53, "a2", PW),
	    UC_ERR_EXISTS);
}

/*
 * The caller's options, not the environment, set the KDF cost: below the
 * floor is refused before any file is made; a cost set is what new
 * hashes carry.
 */
static void
test_open_options(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_open_opts o = { .create = 1, .kdf_iterations = 10 };
	struct uc_ledger *l2 = NULL;
	struct uc_diag d;
	char p[160], hash[160];

	snprintf(p, sizeof(p), "%s/opts.db", f->dir);
	assert_int_equal(uc_ledger_open_ex(&l2, p, &o, &d), UC_ERR_RANGE);
	assert_null(l2);
	assert_string_equal(d.field, "kdf_iterations");
	assert_int_not_equal(access(p, F_OK), 0);
	o.kdf_iterations = 2000;
	assert_int_equal(uc_ledger_open_ex(&l2, p, &o, &d), 0);
	assert_int_equal(uc_ledger_init(l2, "52", "P", 52, "admin", PW), 0);
	uc_ledger_free(&l2);
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT pw_hash FROM"
		    " accounts WHERE name = 'admin'", -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(hash, sizeof(hash), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	assert_int_equal(strncmp(hash, "pbkdf2-sha256$2000$", 19), 0);
}

static void
test_newer_schema_refused(void **state)
{
	struct fx *f = *state;
	struct uc_ledger *l2 = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(uc_ledger_open(&l2, f->path, 0),
	    UC_ERR_LEDGER_VERSION);
	assert_null(l2);
}

/* A file of the version before (no stations' claims) is upgraded. */
static void
test_older_schema_upgraded(void **state)
{
	struct fx *f = *state;
	struct uc_ledger *l2 = NULL;
	sqlite3_stmt *st;
	sqlite3 *db;

	uc_ledger_free(&f->l);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	/* back to schema 3: undo migrations 4 (claims), 5 (withdrawal),
	 * 6 (seals) and 7 (progress triggers, fee payments) */
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE cards DROP COLUMN"
	    " bound_by; ALTER TABLE cards DROP COLUMN bound_at;"
	    " DROP TRIGGER members_progress_entered;"
	    " DROP TRIGGER members_progress_approved;"
	    " DROP TRIGGER members_progress_delete;"
	    " DROP TABLE fee_payments; DROP INDEX bank_records_pan;"
	    " ALTER TABLE members DROP COLUMN withdrawn_at;"
	    " ALTER TABLE members DROP COLUMN withdrawn_reason;"
	    " ALTER TABLE requests DROP COLUMN withdrawn_at;"
	    " DROP TABLE audit_seals;"
	    " ALTER TABLE accounts DROP COLUMN disabled;"
	    " ALTER TABLE accounts DROP COLUMN failed_logins;"
	    " ALTER TABLE accounts DROP COLUMN locked_until;"
	    " ALTER TABLE members DROP COLUMN submitted_by;"
	    " DROP TABLE login_refusals;"
	    " DROP TABLE api_tokens;"
	    " PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(uc_ledger_open(&l2, f->path, 0), 0);
	assert_int_equal(uc_ledger_login(l2, "admin", PW), 0);
	uc_ledger_free(&l2);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT bound_by, bound_at"
	    " FROM cards", -1, &st, NULL), SQLITE_OK);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), UC_LEDGER_SCHEMA_VERSION);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
test_scope(void **state)
{
	struct fx *f = *state;
	size_t n;

	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_submit(f->l, "G2", &n),
	    UC_ERR_PERM);
	assert_int_equal(uc_ledger_unit_add(f->l, "X", "X", "G1", 0),
	    UC_ERR_PERM);
	/* the refusal is on the trail and the chain holds */
	assert_int_equal(uc_ledger_audit_verify(f->l, NULL, NULL, 0, NULL), 0);
}

static void
test_codes_forward_only(void **state)
{
	struct fx *f = *state;
	struct members ms = { 0 };
	const char *c0, *c1;
	uint32_t s0, s1;
	size_t n;

	import(f, two, 0);
	approve_all(f);
	assert_int_equal(uc_ledger_member_each(f->l, "G1", 0, collect, &ms),
	    0);
	assert_int_equal(ms.n, 2);
	c0 = ms.m[0].member_code;
	c1 = ms.m[1].member_code;
	assert_int_equal(uc_membercode_split(c0, strlen(c0), NULL, &s0, NULL),
	    0);
	assert_int_equal(uc_membercode_split(c1, strlen(c1), NULL, &s1, NULL),
	    0);
	assert_true(s1 == s0 + 1);
	/* approving again finds nobody: codes are never handed out twice */
	assert_int_equal(uc_ledger_member_approve(f->l, "G1", NULL, 0, &n), 0);
	assert_int_equal(n, 0);
}

static void
test_fee_dating(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_request *q = NULL;
	int64_t id;

	import(f, two, 0);
	approve_all(f);
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_fee_set(f->l, UC_FEE_LINKED_OTHER, 60000,
	    "2021-07-01"), 0);
	assert_int_equal(uc_ledger_fee_set(f->l, UC_FEE_LINKED_OTHER, 70000,
	    "2022-01-01"), 0);
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "linked", NULL,
	    0, "member", NULL, &id), 0);
	assert_int_equal(uc_ledger_request_get(f->l, id, &q), 0);
	/* line 0: not mandatory, schedule of 2021-07-01; line 1 free */
	assert_int_equal(q->nlines, 2);
	assert_int_equal(q->lines[0].fee_vnd, 60000);
	assert_int_equal(q->lines[1].fee_vnd, 0);
	assert_int_equal(q->type, UC_LEDGER_CARD_LINKED);
	assert_int_equal(q->status, UC_REQUEST_DRAFT);
	uc_ledger_request_free(&q);
	assert_null(q);
	/* a clerk may not change the schedule */
	assert_int_equal(uc_ledger_fee_set(f->l, UC_FEE_LINKED_OTHER, 1,
	    "2021-01-01"), UC_ERR_PERM);
}

static void
test_bad_line_changes_nothing(void **state)
{
	struct fx *f = *state;
	static const char bad[] =
	    "full_name,date_of_birth,gender,national_id,position,joined_on,"
	    "mandatory\n"
	    "Nguyễn Văn A,1980-01-01,nam,052080000001,CN,2010-01-01,0\n"
	    "Trần Thị B,1982-02-02,x,052082000002,CN,2011-01-01,1\n";
	struct uc_diag d;
	FILE *fp = fmemopen((void *)(uintptr_t)bad, strlen(bad), "r");
	struct members ms = { 0 };
	size_t n = 0;

	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_import(f->l, "G1", fp, "b.csv", &n,
	    &d), UC_ERR_INVALID);
	fclose(fp);
	assert_int_equal(d.line, 3);
	assert_string_equal(d.field, "gender");
	assert_string_equal(d.file, "b.csv");
	assert_int_equal(uc_ledger_member_each(f->l, "G1", 0, collect, &ms),
	    0);
	assert_int_equal(ms.n, 0);
}

struct problems {
	size_t calls;
	unsigned long first_line, last_line;
};

static void
count_problem(void *ctx, const struct uc_diag *d)
{
	struct problems *p = ctx;

	if (p->calls++ == 0)
		p->first_line = d->line;
	p->last_line = d->line;
	assert_string_equal(d->field, "mandatory");
	assert_non_null(strstr(d->msg, "có/không"));
}

/* Every problem is counted, the first UC_LEDGER_IMPORT_ERRORS_MAX reach
 * the callback, d gets the first; a good line among them stores nothing. */
static void
test_import_every_problem(void **state)
{
	struct fx *f = *state;
	struct problems p = { 0, 0, 0 };
	struct uc_diag d;
	char *csv = NULL;
	size_t len = 0, n = 9, nerr = 0;
	FILE *fp, *w;
	struct members ms = { 0 };
	int i;

	assert_non_null(w = open_memstream(&csv, &len));
	fputs("full_name,date_of_birth,gender,national_id,position,"
	    "joined_on,mandatory\n"
	    "Nguyễn Văn A,1980-01-01,nam,052080000001,CN,2010-01-01,0\n", w);
	for (i = 0; i < 150; i++)
		fprintf(w, "Người %d,1980-01-01,nam,0520800%05d,,2010-01-01,"
		    "cỏ\n", i, i + 100);
	assert_int_equal(fclose(w), 0);
	assert_non_null(fp = fmemopen(csv, len, "r"));
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_import_each(f->l, "G1", fp, "e.csv",
	    &n, count_problem, &p, &nerr, &d), UC_ERR_INVALID);
	fclose(fp);
	free(csv);
	assert_int_equal(n, 0);
	assert_int_equal(nerr, 150);
	assert_int_equal(p.calls, UC_LEDGER_IMPORT_ERRORS_MAX);
	assert_int_equal(p.first_line, 3);
	assert_int_equal(p.last_line, 3 + UC_LEDGER_IMPORT_ERRORS_MAX - 1);
	assert_int_equal(d.line, 3);
	assert_string_equal(d.field, "mandatory");
	assert_int_equal(uc_ledger_member_each(f->l, "G1", 0, collect, &ms),
	    0);
	assert_int_equal(ms.n, 0);
}

static void
keep_diag(void *ctx, const struct uc_diag *d)
{
	struct uc_diag *last = ctx;

	*last = *d;
}

/* Photos with the import, in its transaction: a refused photo or one of a
 * national ID not in the file stores nothing; a clean set keeps each. */
static void
test_import_photos(void **state)
{
	static const char csv[] = "full_name,date_of_birth,gender,"
	    "national_id,position,joined_on,mandatory\n"
	    "Nguyễn Văn A,1980-01-01,nam,052080000001,CN,2010-01-01,0\n";
	static const unsigned char png[] = "\x89PNG fake photo";
	struct fx *f = *state;
	struct uc_ledger_member_photo ph[2];
	struct uc_buf got = UC_BUF_INIT;
	struct uc_diag d, last;
	struct members ms;
	size_t n = 9, nerr = 0;
	FILE *fp;
	int pass;

	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	memset(ph, 0, sizeof(ph));
	snprintf(ph[0].national_id, sizeof(ph[0].national_id), "052080000001");
	ph[0].file = "p/052080000001.jpg";
	ph[0].png = png;
	ph[0].len = sizeof(png);
	snprintf(ph[1].national_id, sizeof(ph[1].national_id), "052080000009");
	ph[1].file = "p/052080000009.png";
	ph[1].png = png;
	ph[1].len = sizeof(png);
	for (pass = 0; pass < 3; pass++) {
		size_t k = pass == 2 ? 1 : 2;

		if (pass == 1) { /* refused by the caller: its problem listed */
			ph[1].png = NULL;
			uc_diag_set(&ph[1].problem, UC_ERR_INVALID, ph[1].file,
			    0, "photo", "not a JPEG or PNG");
		}
		assert_non_null(fp = fmemopen((void *)(uintptr_t)csv,
		    sizeof(csv) - 1, "r"));
		memset(&last, 0, sizeof(last));
		assert_int_equal(uc_ledger_member_import_photos(f->l, "G1", fp,
		    "m.csv", ph, k, &n, keep_diag, &last, &nerr, &d),
		    pass == 2 ? 0 : UC_ERR_INVALID);
		fclose(fp);
		memset(&ms, 0, sizeof(ms));
		assert_int_equal(uc_ledger_member_each(f->l, "G1", 0, collect,
		    &ms), 0);
		assert_int_equal(ms.n, pass == 2 ? 1 : 0);
		if (pass == 2)
			break;
		assert_int_equal(nerr, 1);
		assert_string_equal(last.file, ph[1].file);
		assert_non_null(strstr(last.msg, pass == 0 ?
		    "no member of national ID 052080000009" : "not a JPEG"));
	}
	assert_int_equal(n, 1);
	assert_int_equal(uc_ledger_member_photo_get(f->l, "052080000001",
	    &got), 0);
	assert_memory_equal(got.data, png, sizeof(png));
	uc_buf_free(&got);
}

static void
test_status_list(void **state)
{
	struct fx *f = *state;
	char out[160], serial[UC_LEDGER_SERIAL_LEN + 1];
	unsigned char *data, *bits = NULL;
	struct uc_status_list_info info;
	struct cards cs = { 0 };
	size_t len, blen;
	uint64_t nbits;
	int64_t id;
	FILE *fp;
	long sz;

	id = accepted_request(f);
	assert_int_equal(uc_ledger_card_each(f->l, id, collect_card, &cs), 0);
	assert_int_equal(cs.n, 2);
	memcpy(serial, cs.c[0].serial, sizeof(serial));
	assert_int_equal(uc_ledger_card_encoded(f->l, serial, "CHIP1",
	    (const unsigned char *)"pk", 2, (const unsigned char *)"h", 1), 0);
	assert_int_equal(uc_ledger_card_issue(f->l, serial), 0);
	/* the second card stays reserved: not valid in the list */
	snprintf(out, sizeof(out), "%s/status.bin", f->dir);
	assert_int_equal(uc_ledger_status_list_export(f->l, out, 3600,
	    1700000000, NULL, NULL, &nbits, &len), 0);
	assert_int_equal(nbits, 3);
	fp = fopen(out, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	assert_int_equal((size_t)sz, len);
	data = malloc((size_t)sz);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	assert_int_equal(uc_status_list_parse(data, (size_t)sz, &info, &bits,
	    &blen), 0);
	assert_int_equal(info.prefix, 52);
	assert_int_equal(info.issued_at, 1700000000);
	assert_int_equal(info.ttl, 3600);
	assert_int_equal(info.sig_len, 0);
	assert_int_equal(uc_status_list_get(&info, bits, blen, serial), 0);
	assert_int_equal(uc_status_list_get(&info, bits, blen,
	    cs.c[1].serial), 1);
	assert_int_equal(uc_status_list_get(&info, bits, blen,
	    "52999999999"), 1);
	/* revoke, export again: now set */
	assert_int_equal(uc_ledger_card_set_status(f->l, serial, "revoked",
	    "test"), 0);
	free(bits);
	bits = NULL;
	/* truncation and a wrong signature length are rejected */
	assert_int_equal(uc_status_list_parse(data, (size_t)sz - 1, &info,
	    &bits, &blen), UC_ERR_INVALID);
	data[4] = 2;
	assert_int_equal(uc_status_list_parse(data, (size_t)sz, &info, &bits,
	    &blen), UC_ERR_INVALID);
	free(data);
	assert_int_equal(uc_ledger_audit_verify(f->l, NULL, NULL, 0, NULL), 0);
}

/* A reserved card bound to a chip is recorded on that chip only. */
static void
test_card_bind(void **state)
{
	struct fx *f = *state;
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	struct cards cs = { 0 };
	struct uc_ledger_card card;
	int64_t id;

	id = accepted_request(f);
	assert_int_equal(uc_ledger_card_each(f->l, id, collect_card, &cs), 0);
	memcpy(serial, cs.c[0].serial, sizeof(serial));

	assert_int_equal(uc_ledger_card_bind(f->l, serial, ""), UC_ERR_ARG);
	assert_int_equal(uc_ledger_card_bind(f->l, serial, "CHIP1"), 0);
	assert_int_equal(uc_ledger_card_bind(f->l, serial, "CHIP1"), 0);
	assert_int_equal(uc_ledger_card_bind(f->l, serial, "CHIP2"),
	    UC_ERR_STATE);
	assert_int_equal(uc_ledger_card_get(f->l, serial, &card), 0);
	assert_string_equal(card.chip_serial, "CHIP1");
	assert_int_equal(card.status, UC_CARD_RESERVED);
	/* recorded on another chip: refused; on the bound one: fine */
	assert_int_equal(uc_ledger_card_encoded(f->l, serial, "CHIP2",
	    (const unsigned char *)"pk", 2, (const unsigned char *)"h", 1),
	    UC_ERR_STATE);
	assert_int_equal(uc_ledger_card_encoded(f->l, serial, "CHIP1",
	    (const unsigned char *)"pk", 2, (const unsigned char *)"h", 1), 0);
	/* only a reserved card is bound */
	assert_int_equal(uc_ledger_card_bind(f->l, serial, "CHIP1"),
	    UC_ERR_STATE);
	/* a clerk may not bind */
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(uc_ledger_card_each(f->l, id, collect_card, &cs), 0);
	memcpy(serial, cs.c[1].serial, sizeof(serial));
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_not_equal(uc_ledger_card_bind(f->l, serial, "CHIP3"), 0);
	assert_int_equal(uc_ledger_audit_verify(f->l, NULL, NULL, 0, NULL), 0);
}

/* The station's view of one line: its reserved card, its claim, done. */
static void
test_line_card(void **state)
{
	struct fx *f = *state;
	char serial[UC_LEDGER_SERIAL_LEN + 1], old[UC_LEDGER_SERIAL_LEN + 1];
	struct uc_ledger_binding b;
	struct uc_ledger_request *req = NULL;
	struct cards cs = { 0 };
	int64_t id, line_id;
	const char *code;
	size_t i;
	int done;

	id = approved_request(f);
	assert_int_equal(uc_ledger_request_get(f->l, id, &req), 0);
	assert_true(req->nlines >= 2);
	line_id = req->lines[1].line_id;
	code = req->lines[1].member_code;
	assert_true(line_id > 0);
	assert_true(code[0] != '\0');
	/* approved, not accepted: no card reserved yet */
	assert_int_equal(uc_ledger_line_card(f->l, line_id, &done, serial), 0);
	assert_int_equal(done, 0);
	assert_string_equal(serial, "");
	assert_int_equal(uc_ledger_request_accept(f->l, id), 0);
	assert_int_equal(uc_ledger_line_card(f->l, line_id, &done, serial), 0);
	assert_int_equal(done, 0);
	/* the reserved card of that line's member, and only of it */
	assert_int_equal(uc_ledger_card_each(f->l, id, collect_card, &cs), 0);
	assert_true(cs.n <= 4);
	for (i = 0; i < cs.n; i++) {
		int same = strcmp(cs.c[i].serial, serial) == 0;

		assert_int_equal(same, strcmp(cs.c[i].member_code, code) == 0);
	}
	/* a station's claim: recorded with the binding, taken over on the
	 * same chip by another process, never moved to another chip */
	assert_int_equal(uc_ledger_card_binding(f->l, serial, &b), 0);
	assert_int_equal(b.status, UC_CARD_RESERVED);
	assert_string_equal(b.chip, "");
	assert_string_equal(b.by, "");
	assert_int_equal(uc_ledger_card_bind_by(f->l, serial, "CHIPX", ""),
	    UC_ERR_ARG);
	assert_int_equal(uc_ledger_card_bind_by(f->l, serial, "CHIPX",
	    "host-a/41"), 0);
	assert_int_equal(uc_ledger_card_binding(f->l, serial, &b), 0);
	assert_string_equal(b.chip, "CHIPX");
	assert_string_equal(b.by, "host-a/41");
	assert_true(b.at > 1700000000);
	assert_int_equal(uc_ledger_card_bind_by(f->l, serial, "CHIPY",
	    "host-b/7"), UC_ERR_STATE);
	assert_int_equal(uc_ledger_card_bind(f->l, serial, "CHIPX"), 0);
	assert_int_equal(uc_ledger_card_binding(f->l, serial, &b), 0);
	assert_string_equal(b.by, "host-a/41");
	assert_int_equal(uc_ledger_card_bind_by(f->l, serial, "CHIPX",
	    "host-a/42"), 0);
	assert_int_equal(uc_ledger_card_binding(f->l, serial, &b), 0);
	assert_string_equal(b.chip, "CHIPX");
	assert_string_equal(b.by, "host-a/42");
	/* spoiled: no card; a new one reserved: that one; encoded: done */
	assert_int_equal(uc_ledger_card_spoil(f->l, serial, "test"), 0);
	memcpy(old, serial, sizeof(old));
	assert_int_equal(uc_ledger_line_card(f->l, line_id, &done, serial), 0);
	assert_int_equal(done, 0);
	assert_string_equal(serial, "");
	assert_int_equal(uc_ledger_card_binding(f->l, old, &b), 0);
	assert_int_equal(b.status, UC_CARD_SPOILED);
	assert_int_equal(uc_ledger_card_reserve(f->l, line_id, serial), 0);
	assert_string_not_equal(serial, old);
	assert_int_equal(uc_ledger_card_encoded(f->l, serial, "CHIP1",
	    (const unsigned char *)"pk", 2, (const unsigned char *)"h", 1), 0);
	assert_int_equal(uc_ledger_line_card(f->l, line_id, &done, serial), 0);
	assert_int_equal(done, 1);
	assert_string_equal(serial, "");
	/* no such line: no card; bad arguments refused */
	assert_int_equal(uc_ledger_line_card(f->l, line_id + 100, &done,
	    serial), 0);
	assert_int_equal(done, 0);
	assert_int_equal(uc_ledger_line_card(f->l, 0, &done, serial),
	    UC_ERR_ARG);
	uc_ledger_request_free(&req);
	assert_int_equal(uc_ledger_audit_verify(f->l, NULL, NULL, 0, NULL), 0);
}

static int
sign_cb(void *ctx, const unsigned char *p, size_t n, unsigned char **sig,
    size_t *sig_len)
{
	struct uc_buf b = UC_BUF_INIT;
	int r = uc_sign_detached(ctx, p, n, &b);

	*sig = NULL;
	*sig_len = 0;
	if (r == 0) {
		*sig = malloc(b.len);
		assert_non_null(*sig);
		memcpy(*sig, b.data, b.len);
		*sig_len = b.len;
	}
	uc_buf_free(&b);
	return r;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *p;
	long sz;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	p = malloc((size_t)sz);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	*len = (size_t)sz;
	return p;
}

static void
test_status_list_signed(void **state)
{
	static const char pass[] = "unit test passphrase";
	struct fx *f = *state;
	struct uc_signer *sg = NULL;
	struct uc_trust *tr = NULL;
	struct uc_status_list_info info;
	struct uc_diag d;
	char keys[128], key[160], out[160];
	unsigned char *data, *bits = NULL;
	size_t len, blen;
	int64_t t0 = 1900000000;

	snprintf(keys, sizeof(keys), "%s/keys", f->dir);
	snprintf(key, sizeof(key), "%s/status-list.key", keys);
	snprintf(out, sizeof(out), "%s/sl.bin", f->dir);
	assert_int_equal(uc_keys_init(keys, pass, NULL, &d), 0);
	assert_int_equal(uc_signer_open(key, pass, &sg, &d), 0);
	assert_int_equal(uc_trust_new(&tr), 0);
	assert_int_equal(uc_trust_load_dir(tr, keys, &d), 0);
	assert_int_equal(uc_ledger_status_list_export(f->l, out, 600,
	    (int64_t)time(NULL), sign_cb, sg, NULL, NULL), 0);
	data = slurp(out, &len);
	assert_int_equal(uc_status_list_verify(data, len, tr, 0, &info, &bits,
	    &blen, &d), 0);
	assert_non_null(bits);
	free(bits);
	bits = NULL;
	/* out of date after the ttl */
	assert_int_equal(uc_status_list_verify(data, len, tr,
	    (int64_t)time(NULL) + 3600, &info, &bits, &blen, &d),
	    UC_ERR_VERIFY);
	assert_null(bits);
	/* one flipped payload bit breaks the signature */
	data[10] ^= 1;
	assert_int_equal(uc_status_list_verify(data, len, tr, 0, &info, &bits,
	    &blen, &d), UC_ERR_VERIFY);
	free(data);
	/* an unsigned list is not accepted by a verifier */
	assert_int_equal(uc_ledger_status_list_export(f->l, out, 600, t0,
	    NULL, NULL, NULL, NULL), 0);
	data = slurp(out, &len);
	assert_int_equal(uc_status_list_verify(data, len, tr, t0 + 1, &info,
	    &bits, &blen, &d), UC_ERR_VERIFY);
	free(data);
	uc_trust_free(&tr);
	uc_signer_free(&sg);
}

/* The spoilage report: reasons grouped up to their second ": ", a long
 * reason's group cut on a UTF-8 character boundary, a request filter. */
static void
test_spoilage_report(void **state)
{
	struct fx *f = *state;
	char serial[2][UC_LEDGER_SERIAL_LEN + 1], reason[512];
	struct cards cs = { 0 };
	struct uc_ledger_spoilage *rep = NULL;
	size_t i, n;
	int64_t id;

	id = accepted_request(f);
	assert_int_equal(uc_ledger_report_spoilage_get(f->l, 0, &rep), 0);
	assert_int_equal(rep->total, 0);
	assert_int_equal(rep->nreasons, 0);
	uc_ledger_spoilage_free(&rep);
	assert_int_equal(uc_ledger_card_each(f->l, id, collect_card, &cs), 0);
	assert_int_equal(cs.n, 2);
	for (i = 0; i < 2; i++)
		memcpy(serial[i], cs.c[i].serial, sizeof(serial[i]));
	/* 6 ASCII bytes, then two-byte "Đ"s: byte 255 is mid-character. */
	memcpy(reason, "Hong: ", 6);
	n = 6;
	while (n + 2 < 400) {
		reason[n++] = (char)0xc4;
		reason[n++] = (char)0x90;
	}
	reason[n] = '\0';
	assert_int_equal(uc_ledger_card_spoil(f->l, serial[0], reason), 0);
	assert_int_equal(uc_ledger_card_spoil(f->l, serial[1],
	    "read-back: signature failed: the security object"), 0);

	assert_int_equal(uc_ledger_report_spoilage_get(f->l, id, &rep), 0);
	assert_int_equal(rep->total, 2);
	assert_int_equal(rep->ncards, 2);
	assert_int_equal(rep->nreasons, 2);
	n = 0;
	for (i = 0; i < rep->nreasons; i++) {
		const char *key = rep->reasons[i].reason;

		if (strcmp(key, "read-back: signature failed") == 0)
			assert_int_equal(rep->reasons[i].count, 1);
		if (strncmp(key, "Hong: ", 6) != 0)
			continue;
		/* 255 bytes would end inside a "Đ": 254, whole characters. */
		assert_int_equal(strlen(key), 254);
		assert_memory_equal(key, reason, 254);
		n++;
	}
	assert_int_equal(n, 1);
	assert_string_equal(rep->cards[0].serial, serial[0]);
	assert_string_equal(rep->cards[0].reason, reason);
	assert_int_equal(rep->cards[0].request, id);
	assert_string_equal(rep->cards[0].by, "pr");
	uc_ledger_spoilage_free(&rep);
	/* Another request: none of these. */
	assert_int_equal(uc_ledger_report_spoilage_get(f->l, id + 1, &rep), 0);
	assert_int_equal(rep->total, 0);
	uc_ledger_spoilage_free(&rep);
	assert_int_equal(uc_ledger_report_spoilage_get(f->l, -1, &rep),
	    UC_ERR_ARG);
	assert_null(rep);
}

/* "entered/approved" of one unit in the progress report. */
static void
progress_is(struct fx *f, const char *unit, const char *want)
{
	struct first_progress p = { 0 };
	char got[64];

	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_report_progress_each(f->l, unit, NULL,
	    first_progress, &p), 0);
	assert_true(p.n > 0);
	snprintf(got, sizeof(got), "%lld/%lld", (long long)p.entered,
	    (long long)p.approved);
	assert_string_equal(got, want);
}

static const struct uc_ledger_member *
member_get(struct fx *f, const char *key)
{
	static struct uc_ledger_member m;

	assert_int_equal(uc_ledger_member_get(f->l, key, &m, NULL, NULL), 0);
	return &m;
}

/* Edit, withdraw and transfer keep the counts true, also after the
 * counters are rebuilt from the rows. */
static void
test_records_edit_withdraw_transfer(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_member_fields e;
	struct uc_diag d;
	struct members ms = { 0 };
	char code[32];
	size_t n;
	int64_t id;

	import(f, two, 0);
	approve_all(f);
	progress_is(f, "G1", "2/2");
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	memcpy(code, member_get(f, "052080000001")->member_code,
	    sizeof(((struct uc_ledger_member *)0)->member_code));

	/* a value the card could not hold: refused, nothing changed */
	memset(&e, 0, sizeof(e));
	e.full_name = "Nguyễn\x1b[2JVăn A";
	assert_int_equal(uc_ledger_member_edit(f->l, code, &e, NULL, &n, &d),
	    UC_ERR_INVALID);
	assert_string_equal(d.field, "full_name");
	assert_non_null(strstr(d.msg, "escape"));
	assert_int_equal(member_get(f, code)->status, UC_MEMBER_APPROVED);

	/* after approval: back for approval, same code, counted once */
	memset(&e, 0, sizeof(e));
	e.full_name = "  Nguyễn   Văn  A ";   /* the same name, tidied */
	e.mandatory = "có";
	assert_int_equal(uc_ledger_member_edit(f->l, code, &e, "sai", &n, &d),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(member_get(f, code)->status, UC_MEMBER_SUBMITTED);
	progress_is(f, "G1", "2/1");
	assert_int_equal(uc_ledger_login(f->l, "d1", PW), 0);
	assert_int_equal(uc_ledger_member_approve(f->l, "G1", NULL, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(member_get(f, "052080000001")->member_code, code);
	progress_is(f, "G1", "2/2");

	/* withdrawn: not counted, not submitted, shown as withdrawn */
	import(f, "full_name,date_of_birth,gender,national_id,position,"
	    "joined_on,mandatory\nLê C,1990-01-01,nam,052090000003,,"
	    "2015-01-01,0\n", 0);
	progress_is(f, "G1", "3/2");
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_withdraw(f->l, "052090000003",
	    "nhập\nnhầm"), UC_ERR_INVALID);
	assert_non_null(strstr(LEDGER_WHY(f->l), "line break"));
	assert_int_equal(uc_ledger_member_withdraw(f->l, "052090000003",
	    "nhập nhầm"), 0);
	assert_int_equal(member_get(f, "052090000003")->status,
	    UC_MEMBER_WITHDRAWN);
	assert_int_equal(uc_ledger_member_submit(f->l, "G1", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(uc_ledger_member_withdraw(f->l, "052090000003", "x"),
	    UC_ERR_STATE);
	progress_is(f, "G1", "2/2");
	assert_int_equal(uc_ledger_rebuild_counters(f->l), 0);
	progress_is(f, "G1", "2/2");

	/* transfer: the clerk of one unit cannot; an admin over both can */
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_member_transfer(f->l, code, "G2"),
	    UC_ERR_PERM);
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_member_transfer(f->l, code, "G2"), 0);
	assert_string_equal(member_get(f, code)->unit, "G2");
	progress_is(f, "G1", "1/1");
	progress_is(f, "G2", "1/1");
	assert_int_equal(uc_ledger_rebuild_counters(f->l), 0);
	progress_is(f, "G1", "1/1");
	progress_is(f, "G2", "1/1");
	progress_is(f, "D1", "2/2");

	/* a withdrawn request frees its member */
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "regular", NULL,
	    0, NULL, NULL, &id), 0);
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "regular", NULL,
	    0, NULL, NULL, NULL), UC_ERR_STATE);
	assert_int_equal(uc_ledger_request_withdraw(f->l, id, NULL), 0);
	assert_int_equal(uc_ledger_request_withdraw(f->l, id, NULL),
	    UC_ERR_STATE);
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "regular", NULL,
	    0, NULL, NULL, NULL), 0);

	/* find: accents and case folded, the caller's subtree only */
	memset(&ms, 0, sizeof(ms));
	assert_int_equal(uc_ledger_member_find(f->l, "TRAN thi", 0, collect,
	    &ms), 0);
	assert_int_equal(ms.n, 1);
	memset(&ms, 0, sizeof(ms));
	assert_int_equal(uc_ledger_member_find(f->l, "nguyễn", 0, collect,
	    &ms), 0);
	assert_int_equal(ms.n, 0); /* moved to G2 */
	assert_int_equal(uc_ledger_audit_verify(f->l, NULL, NULL, 0, NULL), 0);
}

/* The rule for new passwords (a pure function). */
static void
test_password_rule(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(uc_ledger_password_check("g1", "a good long one",
	    why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(uc_ledger_password_check("g1", "nine char", why,
	    sizeof(why)), UC_ERR_INVALID);
	assert_non_null(strstr(why, "at least 10"));
	assert_int_equal(uc_ledger_password_check(NULL, "PassWord123", why,
	    sizeof(why)), UC_ERR_INVALID);
	assert_non_null(strstr(why, "commonest"));
	assert_int_equal(uc_ledger_password_check(NULL, "matkhau123", NULL,
	    0), UC_ERR_INVALID);
	assert_int_equal(uc_ledger_password_check(NULL, "zzzzzzzzzzzzzz",
	    why, sizeof(why)), UC_ERR_INVALID);
	assert_int_equal(uc_ledger_password_check("tp01.clerk.x",
	    "TP01.CLERK.X", why, sizeof(why)), UC_ERR_INVALID);
	/* the rule holds in account add too: nothing added */
	assert_int_equal(uc_ledger_account_add(((struct fx *)*state)->l,
	    "g9", "G1", UC_ROLE_CLERK, "short"), UC_ERR_INVALID);
}

/* Five wrong passwords lock the account until a time in the ledger. */
static void
test_login_lock(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	int i;

	for (i = 0; i < UC_LEDGER_LOGIN_TRIES - 1; i++) {
		assert_int_equal(uc_ledger_login(f->l, "g1", "not it at all"),
		    UC_ERR_AUTH);
		assert_null(strstr(LEDGER_WHY(f->l), "locked"));
	}
	assert_int_equal(uc_ledger_login(f->l, "g1", "not it at all"),
	    UC_ERR_AUTH);
	assert_non_null(strstr(LEDGER_WHY(f->l), "is locked until"));
	/* the right password waits too */
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), UC_ERR_AUTH);
	assert_non_null(strstr(LEDGER_WHY(f->l), "account g1 is locked"));
	/* an unknown name: the same code and words as a wrong password */
	assert_int_equal(uc_ledger_login(f->l, "nobody", PW), UC_ERR_AUTH);
	assert_string_equal(LEDGER_WHY(f->l), "wrong user or password");
	/* the lock runs out (moved into the past, not waited for) */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE accounts SET"
	    " locked_until = 1 WHERE name = 'g1'", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
	/* an admin disables it, enables it */
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_account_set_disabled(f->l, "g1", 1), 0);
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), UC_ERR_AUTH);
	assert_non_null(strstr(LEDGER_WHY(f->l), "disabled"));
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_account_set_disabled(f->l, "g1", 0), 0);
	assert_int_equal(uc_ledger_login(f->l, "g1", PW), 0);
}

/* Roles come from above; a printer only at the root. */
static void
test_grant_from_above(void **state)
{
	struct fx *f = *state;

	assert_int_equal(uc_ledger_account_add(f->l, "d1.admin", "D1",
	    UC_ROLE_ADMIN, PW), 0);
	assert_int_equal(uc_ledger_login(f->l, "d1.admin", PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "d1.appr2", "D1",
	    UC_ROLE_APPROVER, PW), UC_ERR_PERM);
	assert_int_equal(uc_ledger_account_add(f->l, "g1.printer", "G1",
	    UC_ROLE_PRINTER, PW), UC_ERR_PERM);
	assert_int_equal(uc_ledger_account_add(f->l, "g1.clerk2", "G1",
	    UC_ROLE_CLERK, PW), 0);
	assert_int_equal(uc_ledger_account_passwd(f->l, "d1",
	    "another good one"), UC_ERR_PERM);
	assert_int_equal(uc_ledger_account_passwd(f->l, "g1",
	    "another good one"), 0);
	assert_int_equal(uc_ledger_login(f->l, "g1", "another good one"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reopen_keeps_schema,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_options,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_schema_upgraded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whoami, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_rule, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_login_lock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_grant_from_above, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_codes_forward_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fee_dating, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_every_problem,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_photos,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_line_changes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_spoilage_report, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_line_card, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_card_bind, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_records_edit_withdraw_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_list_signed,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
