/*
 * bench_reconcile - the bank liaison's import and reconciliation at the
 * scale of a province's linked cards.
 *
 *   bench_reconcile [DIR] [N]
 *
 * defaults: a temp dir, N = 1,000,000.
 *  1. gen: a ledger with N linked members, each with an issued linked card
 *     whose PAN is kept as HMAC + last four (SQL inserts in bulk, not
 *     timed), and the bank's file of N lines with a sprinkling of
 *     mismatches: per 1000 members one row missing, one wrong PAN, one
 *     wrong name, one wrong fee, one closed at the bank, one duplicated,
 *     one masked PAN (not a mismatch); one lost card in 500 (bank still
 *     says active); plus N/1000 rows for member codes we never issued;
 *  2. import: uc_ledger_bank_import of that file (the `bank import` path);
 *  3. reconcile: uc_ledger_bank_reconcile_each (every mismatch walked);
 *  4. worst: the same file again under a wrong bank-link key, so that
 *     every full PAN mismatches, streamed through
 *     uc_ledger_bank_reconcile_each as `bank reconcile` prints it.
 * Each phase runs in its own process (this program re-executed) so that
 * the peak RSS printed for it (getrusage ru_maxrss of that process) is its
 * own.  Needs about 1 GB of free disk for N = 1,000,000.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <sqlite3.h>

#include "unioncard/bankfile.h"
#include "unioncard/ledger.h"
#include "unioncard/membercode.h"

#include "benchlib.h"

#define PW "bench-password"
#define PREFIX 52

static void
die(const char *what, int r)
{
	fprintf(stderr, "bench_reconcile: %s: %s\n", what, uc_strerror(r));
	exit(2);
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	bench_exec_sql("bench_reconcile", db, sql);
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The 16-digit PAN of member i (variant v gives another card). */
static void
pan_of(long i, int v, char pan[17])
{
	int c;

	snprintf(pan, 17, "970415%1d%08ld", v, i % 100000000L);
	for (c = 0; c < 10; c++) {
		pan[15] = (char)('0' + c);
		if (uc_luhn_valid(pan, 16))
			break;
	}
	pan[16] = '\0';
}

static void
paths(const char *dir, char db[512], char csv[512], char key[512])
{
	snprintf(db, 512, "%s/bench.db", dir);
	snprintf(csv, 512, "%s/bank.csv", dir);
	snprintf(key, 512, "%s/bank-link.bin", dir);
}

static void
load_key(const char *path, uint8_t key[32])
{
	FILE *f = fopen(path, "rb");

	if (f == NULL || fread(key, 1, 32, f) != 32)
		die("key", UC_ERR_IO);
	fclose(f);
}

static void
phase_gen(const char *dir, long n)
{
	char db_path[512], csv[512], kpath[512], code[UC_MEMBERCODE_LEN + 1];
	char pan[17], sql[512];
	uint8_t key[32], hmac[32];
	struct uc_ledger *l = NULL;
	sqlite3_stmt *sm = NULL, *sl = NULL, *sc = NULL;
	sqlite3 *db = NULL;
	FILE *f;
	double t = bench_now();
	long i, lines = 0;
	int r, mand;

	paths(dir, db_path, csv, kpath);
	unlink(db_path);
	if (RAND_bytes(key, sizeof(key)) != 1)
		die("key", UC_ERR_CRYPTO);
	if ((f = fopen(kpath, "wb")) == NULL ||
	    fwrite(key, 1, 32, f) != 32 || fclose(f) != 0)
		die("key file", UC_ERR_IO);
	if ((r = uc_ledger_open(&l, db_path, 1)) != 0)
		die("open", r);
	(void)uc_ledger_set_kdf_cost(l, 1000);
	if ((r = uc_ledger_init(l, "52", "Province", PREFIX, "admin", PW))
	    != 0 || (r = uc_ledger_login(l, "admin", PW)) != 0 ||
	    (r = uc_ledger_unit_add(l, "D1", "District 1", "52", 0)) != 0 ||
	    (r = uc_ledger_unit_add(l, "G1", "Grassroots 1", "D1", 0)) != 0)
		die("init", r);
	uc_ledger_free(&l);

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		die("sqlite", UC_ERR_LEDGER);
	exec_sql(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;"
	    " BEGIN");
	exec_sql(db, "INSERT INTO requests (id, unit_id, type, status, payer,"
	    " request_day) SELECT 1, id, 'linked', 'accepted', 'union', 19700"
	    " FROM units WHERE code = 'G1'");
	if (sqlite3_prepare_v2(db, "INSERT INTO members (id, unit_id,"
	    " national_id, full_name, name_ascii, date_of_birth, gender,"
	    " position, joined_on, mandatory, status, member_code,"
	    " entered_day, approved_day) SELECT ?1, id, printf('0%011d', ?1),"
	    " 'Nguyễn Văn Tư ' || ?1, 'NGUYEN VAN TU ' || ?1, 3000, 'M',"
	    " 'CN', 15000, ?2, 'approved', ?3, 19600, 19600 FROM units"
	    " WHERE code = 'G1'", -1, &sm, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO request_lines (id,"
	    " request_id, member_id, fee_item, fee_vnd, payer) VALUES"
	    " (?1, 1, ?1, ?2, ?3, ?4)", -1, &sl, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO cards (serial, member_id,"
	    " line_id, type, status, created_at, updated_at, pan_hmac,"
	    " pan_last4) VALUES (?1, ?1, ?1, 'linked', ?2, 'x', 'x', ?3, ?4)",
	    -1, &sc, NULL) != SQLITE_OK)
		die("prepare", UC_ERR_LEDGER);
	for (i = 1; i <= n; i++) {
		mand = i % 10 == 0;
		uc_membercode_make(PREFIX, (uint32_t)i, code);
		sqlite3_bind_int64(sm, 1, i);
		sqlite3_bind_int(sm, 2, mand);
		sqlite3_bind_text(sm, 3, code, -1, SQLITE_STATIC);
		if (sqlite3_step(sm) != SQLITE_DONE)
			die("member", UC_ERR_LEDGER);
		sqlite3_reset(sm);
		sqlite3_bind_int64(sl, 1, i);
		sqlite3_bind_text(sl, 2, mand ? "linked.mandatory" :
		    "linked.other", -1, SQLITE_STATIC);
		sqlite3_bind_int(sl, 3, mand ? 0 : 50000);
		sqlite3_bind_text(sl, 4, mand ? "province" : "union", -1,
		    SQLITE_STATIC);
		if (sqlite3_step(sl) != SQLITE_DONE)
			die("line", UC_ERR_LEDGER);
		sqlite3_reset(sl);
		pan_of(i, 1, pan);
		if ((r = uc_bank_pan_hmac(key, 32, pan, 16, hmac)) != 0)
			die("hmac", r);
		sqlite3_bind_int64(sc, 1, i);
		sqlite3_bind_text(sc, 2, i % 500 == 250 ? "lost" : "issued",
		    -1, SQLITE_STATIC);
		sqlite3_bind_blob(sc, 3, hmac, 32, SQLITE_STATIC);
		sqlite3_bind_text(sc, 4, pan + 12, 4, SQLITE_STATIC);
		if (sqlite3_step(sc) != SQLITE_DONE)
			die("card", UC_ERR_LEDGER);
		sqlite3_reset(sc);
	}
	sqlite3_finalize(sm);
	sqlite3_finalize(sl);
	sqlite3_finalize(sc);
	snprintf(sql, sizeof(sql), "UPDATE counters SET value = %ld", n);
	exec_sql(db, sql);
	exec_sql(db, "COMMIT");
	sqlite3_close(db);

	/* The bank's file. */
	if ((f = fopen(csv, "wb")) == NULL)
		die("bank file", UC_ERR_IO);
	fputs("member_code,card_ref,full_name,pan,status,fee_vnd,issued_on\r\n",
	    f);
	for (i = 1; i <= n + n / 1000; i++) {
		long k = i % 1000;
		int fee = i % 10 == 0 ? 0 : 50000;

		uc_membercode_make(PREFIX, (uint32_t)i, code);
		if (i > n) { /* member codes we never issued */
			pan_of(i, 3, pan);
			fprintf(f, "%s,VTB-%ld,NGUYEN VAN TU %ld,%s,active,"
			    "50000,2024-02-20\r\n", code, i, i, pan);
			lines++;
			continue;
		}
		if (k == 1)
			continue; /* missing at the bank */
		pan_of(i, k == 2 ? 2 : 1, pan);
		if (k == 7) /* masked: only the last four compared */
			memset(pan + 6, '*', 6);
		fprintf(f, "%s,VTB-%ld,%s %ld,%s,%s,%d,2024-02-20\r\n", code,
		    i, k == 3 ? "NGUYEN VAN TUAN" : "Nguyễn Văn Tư", i, pan,
		    k == 5 ? "closed" : "active",
		    k == 4 ? 50000 - fee : fee);
		lines++;
		if (k == 6) { /* the same member twice */
			fprintf(f, "%s,VTB-%ld-2,Nguyễn Văn Tư %ld,%s,active,"
			    "%d,2024-02-21\r\n", code, i, i, pan, fee);
			lines++;
		}
	}
	if (fclose(f) != 0)
		die("bank file", UC_ERR_IO);
	printf("gen: %ld members with linked cards (SQL) and a bank file of"
	    " %ld lines in %.1f s\n", n, lines, bench_now() - t);
}

static struct uc_ledger *
open_admin(const char *db_path)
{
	struct uc_ledger *l = NULL;
	int r;

	if ((r = uc_ledger_open(&l, db_path, 0)) != 0 ||
	    (r = uc_ledger_login(l, "admin", PW)) != 0)
		die("open", r);
	return l;
}

static void
phase_import(const char *dir)
{
	char db_path[512], csv[512], kpath[512];
	struct uc_ledger_bank_import_info info;
	struct uc_ledger *l;
	struct uc_diag d;
	uint8_t key[32];
	double t;
	clock_t c;
	int r;

	paths(dir, db_path, csv, kpath);
	load_key(kpath, key);
	l = open_admin(db_path);
	t = bench_now();
	c = clock();
	if ((r = uc_ledger_bank_import(l, csv, key, 32, &info, &d)) != 0) {
		fprintf(stderr, "%s:%lu: %s: %s\n", d.file, d.line, d.field,
		    d.msg);
		die("import", r);
	}
	t = bench_now() - t;
	c = clock() - c;
	uc_ledger_free(&l);
	printf("import: %llu bank lines in %.2f s wall, %.2f s CPU;"
	    " peak RSS %.1f MB\n", (unsigned long long)info.rows, t,
	    (double)c / CLOCKS_PER_SEC, (double)peak_rss_kib() / 1024.0);
}

static int
count_mismatch(void *ctx, const struct uc_ledger_bank_mismatch *m)
{
	(void)m;
	(*(size_t *)ctx)++;
	return 0;
}

static void
phase_reconcile(const char *dir)
{
	char db_path[512], csv[512], kpath[512];
	uint64_t counts[UC_LEDGER_BANK_CLASSES];
	struct uc_ledger *l;
	size_t n = 0;
	double t;
	clock_t c;
	int r, i;

	paths(dir, db_path, csv, kpath);
	l = open_admin(db_path);
	t = bench_now();
	c = clock();
	if ((r = uc_ledger_bank_reconcile_each(l, counts, count_mismatch, &n)) != 0)
		die("reconcile", r);
	t = bench_now() - t;
	c = clock() - c;
	uc_ledger_free(&l);
	printf("reconcile: %zu mismatches in %.2f s wall, %.2f s CPU;"
	    " peak RSS %.1f MB\n ", n, t, (double)c / CLOCKS_PER_SEC,
	    (double)peak_rss_kib() / 1024.0);
	for (i = 0; i < UC_LEDGER_BANK_CLASSES; i++)
		printf(" %s=%llu", uc_ledger_bank_class_name((int)i),
		    (unsigned long long)counts[i]);
	putchar('\n');
}

static int
count_one(void *ctx, const struct uc_ledger_bank_mismatch *m)
{
	/* what `bank reconcile --csv >file` does with each mismatch */
	return fprintf(ctx, "%s,%s,%s\n", m->class_name,
	    m->member_code != NULL ? m->member_code : "", m->detail) < 0 ?
	    UC_ERR_IO : 0;
}

/*
 * The worst case: the same file read with the wrong key (one more blank
 * line at the end, so that it is a new import), so that every full PAN
 * mismatches; reconciled through the streaming API as the CLI does.
 */
static void
phase_worst(const char *dir)
{
	char db_path[512], csv[512], kpath[512], wrong[600], buf[65536];
	struct uc_ledger_bank_import_info info;
	uint64_t counts[UC_LEDGER_BANK_CLASSES], total = 0;
	struct uc_ledger *l;
	struct uc_diag d;
	uint8_t key[32];
	FILE *in, *out, *sink;
	size_t n, i;
	double t;
	int r;

	paths(dir, db_path, csv, kpath);
	snprintf(wrong, sizeof(wrong), "%s/bank-again.csv", dir);
	if ((in = fopen(csv, "rb")) == NULL ||
	    (out = fopen(wrong, "wb")) == NULL)
		die("copy", UC_ERR_IO);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fputs("\r\n", out);
	fclose(in);
	if (fclose(out) != 0)
		die("copy", UC_ERR_IO);
	load_key(kpath, key);
	key[0] ^= 0xff;
	l = open_admin(db_path);
	t = bench_now();
	if ((r = uc_ledger_bank_import(l, wrong, key, 32, &info, &d)) != 0)
		die("import", r);
	printf("worst case: the file again under a wrong key, imported in"
	    " %.2f s\n", bench_now() - t);
	if ((sink = fopen("/dev/null", "w")) == NULL)
		die("/dev/null", UC_ERR_IO);
	t = bench_now();
	if ((r = uc_ledger_bank_reconcile_each(l, counts, count_one, sink))
	    != 0)
		die("reconcile", r);
	t = bench_now() - t;
	fclose(sink);
	uc_ledger_free(&l);
	for (i = 0; i < UC_LEDGER_BANK_CLASSES; i++)
		total += counts[i];
	printf("worst case: %llu mismatches streamed (as reconcile --csv) in"
	    " %.2f s wall; peak RSS %.1f MB\n", (unsigned long long)total, t,
	    (double)peak_rss_kib() / 1024.0);
	unlink(wrong);
}

/* Run this program again for one phase; its own rusage comes back. */
static void
run_phase(const char *self, const char *phase, const char *dir,
    const char *n)
{
	struct rusage ru;
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) < 0)
		die("fork", UC_ERR_INTERNAL);
	if (pid == 0) {
		execl(self, self, "--phase", phase, dir, n, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die(phase, UC_ERR_INTERNAL);
}

int
main(int argc, char **argv)
{
	char tmpl[] = "/tmp/uc-bench-rec.XXXXXX", nbuf[32], p[600];
	const char *dir;
	long n;

	if (argc == 5 && strcmp(argv[1], "--phase") == 0) {
		if (strcmp(argv[2], "gen") == 0)
			phase_gen(argv[3], atol(argv[4]));
		else if (strcmp(argv[2], "import") == 0)
			phase_import(argv[3]);
		else if (strcmp(argv[2], "reconcile") == 0)
			phase_reconcile(argv[3]);
		else if (strcmp(argv[2], "worst") == 0)
			phase_worst(argv[3]);
		else
			return 2;
		return 0;
	}
	dir = argc > 1 ? argv[1] : NULL;
	n = argc > 2 ? atol(argv[2]) : 1000000L;
	if (n < 1000 || n > 99999999L)
		return 2;
	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL)
		return 2;
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	run_phase("/proc/self/exe", "gen", dir, nbuf);
	run_phase("/proc/self/exe", "import", dir, nbuf);
	run_phase("/proc/self/exe", "reconcile", dir, nbuf);
	run_phase("/proc/self/exe", "worst", dir, nbuf);
	if (argc <= 1) {
		static const char *const files[] = { "bench.db", "bench.db-wal",
		    "bench.db-shm", "bank.csv", "bank-link.bin" };
		size_t i;

		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return 0;
}
