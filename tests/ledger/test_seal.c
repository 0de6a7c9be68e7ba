/*
 * test_seal.c - audit seals and the ledger's file checks through the API:
 * a seal verifies, and no single flipped bit of it does; the parser's
 * bounds; a trail cut after a seal is caught; the card replay; a 0-byte
 * or foreign file is refused at open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "unioncard/buf.h"
#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"

/* The ledger's last refusal, in words (uc_ledger_diag). */
#define LEDGER_WHY(l) (uc_ledger_diag((l), &(struct uc_diag){ 0 })->msg)

#define PW "pw-for-tests"
#define PASS "seal unit test passphrase"

struct fx {
	char dir[64];
	char path[128];
	char keys[128];
	char seal[160];
	struct uc_ledger *l;
	struct uc_signer *sg;
	struct uc_trust *tr;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char key[160];
	struct uc_diag d;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/uc-seal-unit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/l.db", f->dir);
	snprintf(f->keys, sizeof(f->keys), "%s/keys", f->dir);
	snprintf(f->seal, sizeof(f->seal), "%s/day.seal", f->dir);
	snprintf(key, sizeof(key), "%s/status-list.key", f->keys);
	assert_int_equal(uc_ledger_open(&f->l, f->path, 1), 0);
	assert_int_equal(uc_ledger_set_kdf_cost(f->l, 1000), 0);
	assert_int_equal(uc_ledger_init(f->l, "52", "Province", 52, "admin",
	    PW), 0);
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_unit_add(f->l, "D1", "District", "52", 0),
	    0);
	assert_int_equal(uc_keys_init(f->keys, PASS, NULL, &d), 0);
	assert_int_equal(uc_signer_open(key, PASS, &f->sg, &d), 0);
	assert_int_equal(uc_trust_new(&f->tr), 0);
	assert_int_equal(uc_trust_load_dir(f->tr, f->keys, &d), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	uc_ledger_free(&f->l);
	uc_signer_free(&f->sg);
	uc_trust_free(&f->tr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
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
	p = malloc((size_t)sz + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	*len = (size_t)sz;
	return p;
}

static void
sql(const char *path, const char *q)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A seal verifies; flipping any one of its bits makes it fail. */
static void
test_seal_every_bit(void **state)
{
	struct fx *f = *state;
	struct uc_audit_seal s, t;
	struct uc_diag d;
	unsigned char *data;
	char msg[256];
	int64_t rows = 0, bad = 0;
	size_t len, i;
	int b;

	assert_int_equal(uc_ledger_audit_verify(f->l, &bad, msg, sizeof(msg),
	    &rows), 0);
	assert_int_equal(uc_ledger_audit_seal(f->l, f->seal, 0, sign_cb, f->sg,
	    &s), 0);
	assert_int_equal(s.rows, (uint64_t)rows);
	assert_int_equal(s.prefix, 52);
	data = slurp(f->seal, &len);
	assert_int_equal(len, UC_AUDIT_SEAL_PAYLOAD_LEN + 4 + s.sig_len);
	assert_int_equal(uc_audit_seal_verify(data, len, f->tr, &t, &d), 0);
	assert_memory_equal(t.head, s.head, 32);
	assert_int_equal(uc_ledger_audit_seal_check(f->l, &t, msg,
	    sizeof(msg)), 0);
	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			data[i] ^= (unsigned char)(1u << b);
			if (uc_audit_seal_verify(data, len, f->tr, &t, &d) == 0)
				fail_msg("byte %zu bit %d flipped still"
				    " verifies", i, b);
			data[i] ^= (unsigned char)(1u << b);
		}
	}
	/* a byte more or less is not a seal */
	assert_int_equal(uc_audit_seal_parse(data, len - 1, &t),
	    UC_ERR_INVALID);
	data[len] = 0;
	assert_int_equal(uc_audit_seal_parse(data, len + 1, &t),
	    UC_ERR_INVALID);
	assert_int_equal(uc_audit_seal_parse(data, 59, &t), UC_ERR_INVALID);
	/* kept in the ledger too */
	assert_int_equal(uc_ledger_audit_seals_check(f->l, &i, msg,
	    sizeof(msg)), 0);
	assert_int_equal(i, 1);
	free(data);
}

/* Cut the trail after a seal, head fixed up: the chain holds, the seal
 * does not. */
static void
test_seal_catches_cut(void **state)
{
	struct fx *f = *state;
	struct uc_audit_seal s;
	char msg[256], q[512];
	int64_t rows = 0, bad = 0;
	size_t n;

	assert_int_equal(uc_ledger_audit_seal(f->l, NULL, 0, NULL, NULL, &s),
	    0);
	assert_int_equal(s.sig_len, 0);
	uc_ledger_free(&f->l);
	snprintf(q, sizeof(q), "DROP TRIGGER audit_no_delete;"
	    " DELETE FROM audit WHERE id >= %llu;"
	    " UPDATE audit_head SET last_id = %llu, last_hash ="
	    " (SELECT hash FROM audit WHERE id = %llu)",
	    (unsigned long long)s.rows, (unsigned long long)s.rows - 1,
	    (unsigned long long)s.rows - 1);
	sql(f->path, q);
	assert_int_equal(uc_ledger_open(&f->l, f->path, 0), 0);
	assert_int_equal(uc_ledger_audit_verify(f->l, &bad, msg, sizeof(msg),
	    &rows), 0);
	assert_int_equal(uc_ledger_audit_seal_check(f->l, &s, msg,
	    sizeof(msg)), UC_ERR_VERIFY);
	assert_non_null(strstr(msg, "were deleted"));
	assert_int_equal(uc_ledger_audit_seals_check(f->l, &n, msg,
	    sizeof(msg)), UC_ERR_VERIFY);
	assert_non_null(strstr(msg, "kept seal 1"));
	/* a broken trail is not sealed */
	sql(f->path, "DROP TRIGGER audit_no_update;"
	    " UPDATE audit SET details = 'x' WHERE id = 1");
	assert_int_equal(uc_ledger_login(f->l, "admin", PW), 0);
	assert_int_equal(uc_ledger_audit_seal(f->l, NULL, 0, NULL, NULL, &s),
	    UC_ERR_VERIFY);
	assert_non_null(strstr(LEDGER_WHY(f->l), "broken at row 1"));
}

/* The cards table agrees with the replay; a card row by hand does not. */
static void
test_replay(void **state)
{
	struct fx *f = *state;
	char msg[256], bad[UC_LEDGER_SERIAL_LEN + 1];
	int64_t n = -1;

	assert_int_equal(uc_ledger_audit_replay(f->l, msg, sizeof(msg), bad,
	    &n), 0);
	assert_int_equal(n, 0);
	uc_ledger_free(&f->l);
	sql(f->path, "INSERT INTO members (id, unit_id, national_id,"
	    " full_name, name_ascii, date_of_birth, gender, position,"
	    " joined_on, mandatory, status, entered_day) VALUES (1, 1,"
	    " '052185000123', 'A', 'A', 5000, 'F', 'x', 15000, 0,"
	    " 'approved', 18800)");
	sql(f->path, "INSERT INTO cards (serial, member_id, type, status,"
	    " created_at, updated_at) VALUES (7, 1, 'regular', 'encoded',"
	    " 'x', 'x')");
	assert_int_equal(uc_ledger_open(&f->l, f->path, 0), 0);
	assert_int_equal(uc_ledger_audit_replay(f->l, msg, sizeof(msg), bad,
	    &n), UC_ERR_VERIFY);
	assert_string_equal(bad, "52000000007");
	assert_non_null(strstr(msg, "never reserved"));
}

/* A 0-byte ledger and a foreign SQLite file are refused at open. */
static void
test_open_refusals(void **state)
{
	struct fx *f = *state;
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	char p[192];
	FILE *fp;
	struct stat sb;

	snprintf(p, sizeof(p), "%s/empty.db", f->dir);
	fp = fopen(p, "wb");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(uc_ledger_open_ex(&l, p, NULL, &d), UC_ERR_CORRUPT);
	assert_null(l);
	assert_non_null(strstr(d.msg, "empty (0 bytes)"));
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	snprintf(p, sizeof(p), "%s/other.db", f->dir);
	sql(p, "CREATE TABLE t(x)");
	assert_int_equal(uc_ledger_open_ex(&l, p, NULL, &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "not a unioncard ledger"));
	snprintf(p, sizeof(p), "%s/none.db", f->dir);
	assert_int_equal(uc_ledger_open_ex(&l, p, NULL, &d), UC_ERR_NOT_FOUND);
	/* created 0600 */
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(uc_ledger_read_only(f->l), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seal_every_bit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_seal_catches_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
