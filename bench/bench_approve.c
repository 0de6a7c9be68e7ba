/*
 * bench_approve - `member approve` of a whole grassroots union against a
 * plain SQLite update of the same rows.
 *
 *   bench_approve [DIR] [MEMBERS]      (defaults: a temp dir, 1,000,000)
 *
 * Builds a ledger with MEMBERS submitted members in one grassroots union
 * (imported and submitted by its clerk), copies the file, then times:
 *   1. uc_ledger_member_approve() of all of them by the approver of the
 *      district above (the `member approve` path: scope and
 *      separation-of-duty checks, member codes from the counter, the
 *      audit row, one transaction);
 *   2. on the copy, a plain SQLite program that sets the same columns of
 *      the same rows to the same values (status, member code, day,
 *      approver) with one prepared UPDATE per row in one transaction,
 *      with the ledger's connection settings - the least any approval
 *      could cost on this schema (its triggers included).
 * Prints both CPU times and their ratio; the goal is at most 1.2
 * (docs/performance.md).  Run by hand; never by the test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "unioncard/ledger.h"
#include "unioncard/membercode.h"

#include "benchlib.h"

#define PW "bench-password-1"

static void
die(const char *what, int r)
{
	fprintf(stderr, "bench_approve: %s: %s\n", what, uc_strerror(r));
	exit(2);
}

static struct uc_ledger *
as(const char *path, const char *user)
{
	struct uc_ledger *l = NULL;
	int r;

	if ((r = uc_ledger_open(&l, path, 0)) != 0)
		die("open", r);
	if ((r = uc_ledger_login(l, user, PW)) != 0)
		die(user, r);
	return l;
}

/* The plain program: one UPDATE per row, same values as the ledger's. */
static double
plain_update(const char *path, long n)
{
	char code[UC_MEMBERCODE_LEN + 1];
	sqlite3_stmt *sel = NULL, *upd = NULL;
	sqlite3 *db = NULL;
	int64_t *ids;
	long k = 0, i;
	clock_t c;

	if ((ids = malloc((size_t)n * sizeof(*ids))) == NULL)
		return -1;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	bench_exec_sql("bench_approve", db, "PRAGMA journal_mode = WAL;"
	    " PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
	    " PRAGMA cache_size = -65536");
	c = clock();
	bench_exec_sql("bench_approve", db, "BEGIN IMMEDIATE");
	if (sqlite3_prepare_v2(db, "SELECT id FROM members WHERE status ="
	    " 'submitted' ORDER BY id", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE members SET status = 'approved',"
	    " member_code = ?1, approved_day = ?2, approved_by = ?3 WHERE"
	    " id = ?4", -1, &upd, NULL) != SQLITE_OK)
		return -1;
	while (k < n && sqlite3_step(sel) == SQLITE_ROW)
		ids[k++] = sqlite3_column_int64(sel, 0);
	sqlite3_finalize(sel);
	for (i = 0; i < k; i++) {
		if (uc_membercode_make(52, (uint32_t)(i + 1), code) != 0)
			return -1;
		sqlite3_bind_text(upd, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(upd, 2, 18820);
		sqlite3_bind_int64(upd, 3, 3);
		sqlite3_bind_int64(upd, 4, ids[i]);
		if (sqlite3_step(upd) != SQLITE_DONE)
			return -1;
		sqlite3_reset(upd);
	}
	sqlite3_finalize(upd);
	bench_exec_sql("bench_approve", db, "COMMIT");
	c = clock() - c;
	sqlite3_close(db);
	free(ids);
	return (double)c / CLOCKS_PER_SEC;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	long n_members = argc > 2 ? atol(argv[2]) : 1000000L;
	char tmpl[] = "/tmp/uc-bench-approve.XXXXXX", path[512], copy[512];
	char csv[512], cmd[2048];
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	double t, cpu, plain;
	size_t n;
	clock_t c;
	FILE *fp;
	long i;
	int r;

	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/approve.db", dir);
	snprintf(copy, sizeof(copy), "%s/plain.db", dir);
	snprintf(csv, sizeof(csv), "%s/members.csv", dir);
	unlink(path);

	if ((r = uc_ledger_open(&l, path, 1)) != 0)
		die("open", r);
	(void)uc_ledger_set_kdf_cost(l, 1000);
	if ((r = uc_ledger_init(l, "52", "Province", 52, "admin", PW)) != 0 ||
	    (r = uc_ledger_login(l, "admin", PW)) != 0 ||
	    (r = uc_ledger_unit_add(l, "D0", "District 0", "52", 0)) != 0 ||
	    (r = uc_ledger_unit_add(l, "G0", "Grassroots 0", "D0", 0)) != 0 ||
	    (r = uc_ledger_account_add(l, "clerk", "G0", UC_ROLE_CLERK,
	    PW)) != 0 ||
	    (r = uc_ledger_account_add(l, "approver", "D0",
	    UC_ROLE_APPROVER, PW)) != 0)
		die("init", r);
	uc_ledger_free(&l);

	if ((fp = fopen(csv, "wb")) == NULL)
		return 2;
	fputs("full_name,date_of_birth,gender,national_id,position,"
	    "joined_on,mandatory\r\n", fp);
	for (i = 0; i < n_members; i++)
		fprintf(fp, "Nguyễn Thị Huỳnh Đoàn %ld,%02ld/%02ld/19%02ld,"
		    "%s,0%011ld,Công nhân may,2015-03-01,%d\r\n", i,
		    1 + i % 28, 1 + i % 12, 60 + i % 40, i % 2 ? "nam" : "nữ",
		    (i * 7919L) % 100000000000L, (int)(i % 10 == 0));
	fclose(fp);
	l = as(path, "clerk");
	if ((fp = fopen(csv, "rb")) == NULL)
		return 2;
	if ((r = uc_ledger_member_import(l, "G0", fp, csv, &n, &d)) != 0) {
		fprintf(stderr, "%s:%lu: %s: %s\n", d.file, d.line, d.field,
		    d.msg);
		die("import", r);
	}
	fclose(fp);
	if ((r = uc_ledger_member_submit(l, "G0", &n)) != 0)
		die("submit", r);
	uc_ledger_free(&l);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path, copy);
	if (system(cmd) != 0)
		return 2;

	l = as(path, "approver");
	t = bench_now();
	c = clock();
	if ((r = uc_ledger_member_approve(l, "G0", NULL, 0, &n)) != 0)
		die("approve", r);
	c = clock() - c;
	t = bench_now() - t;
	cpu = (double)c / CLOCKS_PER_SEC;
	uc_ledger_free(&l);
	printf("member approve: %zu members in %.2f s wall, %.2f s CPU\n", n,
	    t, cpu);
	plain = plain_update(copy, n_members);
	if (plain <= 0)
		die("plain update", UC_ERR_LEDGER);
	printf("plain SQLite update of the same rows: %.2f s CPU\n", plain);
	printf("ratio: %.2f (goal <= 1.2)\n", cpu / plain);
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s'* '%s'*", csv, path, copy);
	if (system(cmd) != 0)
		return 2;
	if (dir == tmpl)
		rmdir(tmpl);
	return 0;
}
