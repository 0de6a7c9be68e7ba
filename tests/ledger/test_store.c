/*
 * test_store.c - the storage seam (src/ledger/store.h) over SQLite: the
 * statement cache lends each SQL text's statement once and takes it
 * back, a text still lent gets a second statement, results and errors
 * come back engine-neutral.  A real SQLite file in a temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unioncard/error.h"
#include "ledger/store.h"

struct fx {
	char dir[64];
	char path[96];
	struct lg_db *db;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char msg[128];
	FILE *fp;
	int e;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/uc-store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
	/* lg_db_open opens an existing file (the ledger makes it first) */
	if ((fp = fopen(f->path, "w")) == NULL)
		return -1;
	fclose(fp);
	if (lg_db_open(&f->db, f->path, LG_OPEN_WRITE, &e, msg,
	    sizeof(msg)) != 0)
		return -1;
	if (lg_db_exec(f->db, "CREATE TABLE t (k INTEGER PRIMARY KEY,"
	    " v TEXT NOT NULL UNIQUE)") != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[128];

	lg_db_close(&f->db);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
insert(struct fx *f, const char *v, int want)
{
	struct lg_stmt *st = NULL;

	assert_int_equal(lg_db_prepare(f->db, &st, "INSERT INTO t (v)"
	    " VALUES (?1)"), 0);
	assert_int_equal(lg_bind_textn(st, 1, v, -1), 0);
	assert_int_equal(lg_step(st), want);
	(void)lg_finalize(st);
}

/* One text, prepared once however often it is asked for. */
static void
test_prepared_once(void **state)
{
	struct fx *f = *state;
	uint64_t prepares0, prepares;
	size_t cached;
	int i;

	lg_db_cache_stats(f->db, &cached, &prepares0);
	for (i = 0; i < 50; i++) {
		char v[16];

		snprintf(v, sizeof(v), "v%d", i);
		insert(f, v, LG_DONE);
	}
	lg_db_cache_stats(f->db, &cached, &prepares);
	assert_int_equal(prepares - prepares0, 1);
	assert_int_equal(lg_db_changes(f->db), 1);
	assert_int_equal(lg_db_last_id(f->db), 50);
}

/* A statement still lent out is never lent twice: a query inside the
 * walk of the same query gets its own. */
static void
test_nested_same_text(void **state)
{
	static const char q[] = "SELECT k, v FROM t WHERE k <= ?1 ORDER BY k";
	struct fx *f = *state;
	struct lg_stmt *a = NULL, *b = NULL;
	uint64_t p0, p1;
	int rows = 0;

	insert(f, "x", LG_DONE);
	insert(f, "y", LG_DONE);
	lg_db_cache_stats(f->db, NULL, &p0);
	assert_int_equal(lg_db_prepare(f->db, &a, q), 0);
	assert_int_equal(lg_bind_int64(a, 1, 2), 0);
	while (lg_step(a) == LG_ROW) {
		assert_int_equal(lg_db_prepare(f->db, &b, q), 0);
		assert_ptr_not_equal(a, b);
		assert_int_equal(lg_bind_int64(b, 1, 1), 0);
		assert_int_equal(lg_step(b), LG_ROW);
		assert_string_equal((const char *)lg_column_text(b, 1), "x");
		assert_int_equal(lg_step(b), LG_DONE);
		assert_int_equal(lg_finalize(b), 0);
		rows++;
	}
	assert_int_equal(rows, 2);
	assert_int_equal(lg_finalize(a), 0);
	lg_db_cache_stats(f->db, NULL, &p1);
	assert_int_equal(p1 - p0, 2);
	/* both back in the cache: asked again, neither is prepared anew */
	assert_int_equal(lg_db_prepare(f->db, &a, q), 0);
	assert_int_equal(lg_db_prepare(f->db, &b, q), 0);
	lg_finalize(b);
	lg_finalize(a);
	lg_db_cache_stats(f->db, NULL, &p0);
	assert_int_equal(p0, p1);
	assert_int_equal(lg_finalize(NULL), 0);
}

/* A statement comes back from the cache with no bindings left over. */
static void
test_bindings_cleared(void **state)
{
	struct fx *f = *state;
	struct lg_stmt *st = NULL;

	insert(f, "only", LG_DONE);
	assert_int_equal(lg_db_prepare(f->db, &st, "SELECT count(*) FROM t"
	    " WHERE v = ?1"), 0);
	lg_bind_textn(st, 1, "only", -1);
	assert_int_equal(lg_step(st), LG_ROW);
	assert_int_equal(lg_column_int(st, 0), 1);
	lg_finalize(st);
	assert_int_equal(lg_db_prepare(f->db, &st, "SELECT count(*) FROM t"
	    " WHERE v = ?1"), 0);
	assert_int_equal(lg_step(st), LG_ROW);
	assert_int_equal(lg_column_type(st, 0), LG_INTEGER);
	assert_int_equal(lg_column_int(st, 0), 0); /* ?1 is NULL again */
	lg_finalize(st);
}

/* Errors are UC_ERR_*, the engine's words are kept, and a statement that
 * failed is fine to use again. */
static void
test_errors_mapped(void **state)
{
	struct fx *f = *state;
	struct lg_stmt *st = NULL;

	insert(f, "dup", LG_DONE);
	insert(f, "dup", UC_ERR_CONFLICT);
	assert_non_null(strstr(lg_db_errmsg(f->db), "UNIQUE"));
	insert(f, "other", LG_DONE);
	assert_int_not_equal(lg_db_prepare(f->db, &st, "SELECT nope FROM t"),
	    0);
	assert_null(st);
	assert_int_equal(lg_err(LG_ROW), 0);
	assert_int_equal(lg_err(LG_DONE), 0);
	assert_int_equal(lg_err(UC_ERR_BUSY), UC_ERR_BUSY);
}

/* A rolled-back write leaves nothing; a statement cached across a
 * schema change still works (SQLite prepares it again by itself). */
static void
test_transactions_and_schema(void **state)
{
	struct fx *f = *state;
	struct lg_stmt *st = NULL;

	assert_int_equal(lg_db_begin_write(f->db), 0);
	insert(f, "gone", LG_DONE);
	lg_db_rollback(f->db);
	lg_db_rollback(f->db); /* outside a transaction: nothing */
	assert_int_equal(lg_db_prepare(f->db, &st, "SELECT count(*) FROM t"),
	    0);
	assert_int_equal(lg_step(st), LG_ROW);
	assert_int_equal(lg_column_int64(st, 0), 0);
	lg_finalize(st);
	assert_int_equal(lg_db_exec(f->db, "ALTER TABLE t ADD COLUMN w"
	    " INTEGER"), 0);
	insert(f, "after", LG_DONE);
	assert_int_equal(lg_db_prepare(f->db, &st, "SELECT count(*) FROM t"),
	    0);
	assert_int_equal(lg_step(st), LG_ROW);
	assert_int_equal(lg_column_int64(st, 0), 1);
	lg_finalize(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prepared_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nested_same_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bindings_cleared, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors_mapped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transactions_and_schema,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
