/*
 * bench_ledger - the ledger at national scale.
 *
 *   bench_ledger [DIR] [MEMBERS_IMPORT] [MEMBERS_REPORT] [UNITS] [CARDS]
 *
 * defaults: a temp dir, 1,000,000, 10,000,000, 10,000, 10,000,000.
 *  1. imports a CSV of MEMBERS_IMPORT members into one grassroots union
 *     through uc_ledger_member_import (the `member import` path: strict
 *     CSV, NFC, bank fold, checks, one transaction);
 *  2. loads MEMBERS_REPORT members spread over UNITS grassroots unions
 *     (under 100 districts) with SQL, rebuilds the per-unit counters and
 *     times `report progress` over the whole tree;
 *  3. gives CARDS of them a card (at random: 2% revoked, 1% lost) and
 *     times the status-list export, printing its size.
 * Prints one line per figure.  Needs several GB of free disk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "unioncard/date.h"
#include "unioncard/ledger.h"

#include "benchlib.h"

#define PW "bench-password"

/* uc_ledger_progress_fn: count the report's rows. */
static int
count_units(void *ctx, const struct uc_ledger_progress *p)
{
	(void)p;
	(*(size_t *)ctx)++;
	return 0;
}

static void
die(const char *what, int r)
{
	fprintf(stderr, "bench_ledger: %s: %s\n", what, uc_strerror(r));
	exit(2);
}

/*
 * The audit rows a ledger would have for the cards loaded by SQL: per
 * card "card.reserve", "reserved -> encoded" and its present status, in
 * one chain (docs/ledger.md), so that status-list export - which
 * verifies the chain and replays the card rows against the cards table
 * before it vouches for any card - sees a ledger that made these cards.
 */
static void
put(EVP_MD_CTX *md, const char *p)
{
	size_t n = strlen(p);
	unsigned char len[4] = { (unsigned char)(n >> 24),
	    (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	    (unsigned char)n };

	EVP_DigestUpdate(md, len, 4);
	EVP_DigestUpdate(md, p, n);
}

static void
audit_cards(sqlite3 *db, unsigned prefix)
{
	sqlite3_stmt *head = NULL, *cards = NULL, *ins = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char prev[32], h[32];
	char obj[16], idt[24], det[64];
	int64_t id;
	unsigned n;

	if (md == NULL || sqlite3_prepare_v2(db, "SELECT last_id, last_hash"
	    " FROM audit_head", -1, &head, NULL) != SQLITE_OK ||
	    sqlite3_step(head) != SQLITE_ROW)
		die("audit head", UC_ERR_LEDGER);
	id = sqlite3_column_int64(head, 0);
	memcpy(prev, sqlite3_column_blob(head, 1), 32);
	sqlite3_finalize(head);
	if (sqlite3_prepare_v2(db, "SELECT serial, status FROM cards ORDER BY"
	    " serial", -1, &cards, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO audit (id, at, account, unit,"
	    " action, object, details, prev_hash, hash) VALUES (?, 'x',"
	    " 'bench', '-', ?, ?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
		die("audit rows", UC_ERR_LEDGER);
	while (sqlite3_step(cards) == SQLITE_ROW) {
		const char *st = (const char *)sqlite3_column_text(cards, 1);
		int k;

		snprintf(obj, sizeof(obj), "%02u%09lld", prefix,
		    (long long)sqlite3_column_int64(cards, 0));
		for (k = 0; k < 3; k++) {
			const char *act = k == 0 ? "card.reserve" : k == 1 ?
			    "card.encode" : "card.status";

			if (k == 0)
				snprintf(det, sizeof(det), "line=0");
			else if (k == 1)
				snprintf(det, sizeof(det),
				    "reserved -> encoded");
			else
				snprintf(det, sizeof(det), "encoded -> %s", st);
			snprintf(idt, sizeof(idt), "%lld", (long long)++id);
			EVP_DigestInit_ex(md, EVP_sha256(), NULL);
			EVP_DigestUpdate(md, "UCAUDIT1", 8);
			put(md, idt);
			put(md, "x");
			put(md, "bench");
			put(md, "-");
			put(md, act);
			put(md, obj);
			put(md, det);
			EVP_DigestUpdate(md, prev, 32);
			EVP_DigestFinal_ex(md, h, &n);
			sqlite3_bind_int64(ins, 1, id);
			sqlite3_bind_text(ins, 2, act, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, obj, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 4, det, -1, SQLITE_TRANSIENT);
			sqlite3_bind_blob(ins, 5, prev, 32, SQLITE_TRANSIENT);
			sqlite3_bind_blob(ins, 6, h, 32, SQLITE_TRANSIENT);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die("audit row", UC_ERR_LEDGER);
			sqlite3_reset(ins);
			memcpy(prev, h, 32);
		}
	}
	sqlite3_finalize(cards);
	sqlite3_finalize(ins);
	EVP_MD_CTX_free(md);
	if (sqlite3_prepare_v2(db, "UPDATE audit_head SET last_id = ?,"
	    " last_hash = ?", -1, &head, NULL) != SQLITE_OK)
		die("audit head", UC_ERR_LEDGER);
	sqlite3_bind_int64(head, 1, id);
	sqlite3_bind_blob(head, 2, prev, 32, SQLITE_TRANSIENT);
	if (sqlite3_step(head) != SQLITE_DONE)
		die("audit head", UC_ERR_LEDGER);
	sqlite3_finalize(head);
}

static void
exec(sqlite3 *db, const char *sql)
{
	bench_exec_sql("bench_ledger", db, sql);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	long n_import = argc > 2 ? atol(argv[2]) : 1000000L;
	long n_report = argc > 3 ? atol(argv[3]) : 10000000L;
	long n_units = argc > 4 ? atol(argv[4]) : 10000L;
	long n_cards = argc > 5 ? atol(argv[5]) : 10000000L;
	char tmpl[] = "/tmp/uc-bench.XXXXXX", path[512], csv[512], sl[512];
	char sql[2048], code[32], parent[32];
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	size_t nunits;
	sqlite3 *db = NULL;
	uint64_t nbits;
	size_t n, len;
	double t;
	clock_t c;
	FILE *fp;
	long i;
	int r;

	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	snprintf(csv, sizeof(csv), "%s/members.csv", dir);
	snprintf(sl, sizeof(sl), "%s/status.bin", dir);
	unlink(path);
	{
		struct uc_ledger_open_opts o = { .create = 1 };

		if ((r = uc_date_parse("2021-07-15", 10, &o.today)) != 0 ||
		    (r = uc_ledger_open_ex(&l, path, &o, NULL)) != 0)
			die("open", r);
	}
	(void)uc_ledger_set_kdf_cost(l, 1000);
	if ((r = uc_ledger_init(l, "52", "Province", 52, "admin", PW)) != 0 ||
	    (r = uc_ledger_login(l, "admin", PW)) != 0)
		die("init", r);

	/* 1. import */
	if ((r = uc_ledger_unit_add(l, "D0", "District 0", "52", 0)) != 0 ||
	    (r = uc_ledger_unit_add(l, "G0", "Grassroots 0", "D0", 0)) != 0)
		die("unit", r);
	if ((fp = fopen(csv, "wb")) == NULL)
		return 2;
	fputs("full_name,date_of_birth,gender,national_id,position,"
	    "joined_on,mandatory\r\n", fp);
	for (i = 0; i < n_import; i++)
		fprintf(fp, "Nguyễn Thị Huỳnh Đoàn %ld,%02ld/%02ld/19%02ld,"
		    "%s,0%011ld,Công nhân may,2015-03-01,%d\r\n", i,
		    1 + i % 28, 1 + i % 12, 60 + i % 40, i % 2 ? "nam" : "nữ",
		    (i * 7919L) % 100000000000L, (int)(i % 10 == 0));
	fclose(fp);
	fp = fopen(csv, "rb");
	t = bench_now();
	c = clock();
	if ((r = uc_ledger_member_import(l, "G0", fp, csv, &n, &d)) != 0) {
		fprintf(stderr, "%s:%lu: %s: %s\n", d.file, d.line, d.field,
		    d.msg);
		die("import", r);
	}
	t = bench_now() - t;
	c = clock() - c;
	fclose(fp);
	/* the machine is shared: CPU time is the figure that repeats */
	printf("import: %zu members in %.2f s wall, %.2f s CPU"
	    " (%.0f rows/s of CPU)\n", n, t, (double)c / CLOCKS_PER_SEC,
	    (double)n / ((double)c / CLOCKS_PER_SEC));

	/* 2. progress report over n_report members in n_units units */
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 2;
	t = bench_now();
	exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576;"
	    " BEGIN");
	for (i = 0; i < 100; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO units (code, name,"
		    " parent_id, path, depth, exempt, created_at) VALUES"
		    " ('D%ld', 'District %ld', 1, '', 1, 0, 'x')", i + 1,
		    i + 1);
		exec(db, sql);
		snprintf(sql, sizeof(sql), "UPDATE units SET path = '/1/' ||"
		    " id || '/' WHERE code = 'D%ld'", i + 1);
		exec(db, sql);
	}
	for (i = 0; i < n_units; i++) {
		snprintf(code, sizeof(code), "G%ld", i + 1);
		snprintf(parent, sizeof(parent), "D%ld", 1 + i % 100);
		snprintf(sql, sizeof(sql), "INSERT INTO units (code, name,"
		    " parent_id, path, depth, exempt, created_at) SELECT '%s',"
		    " 'Grassroots %s', id, '%s', 2, %d, 'x' FROM units WHERE"
		    " code = '%s'", code, code, code, i % 97 == 0, parent);
		exec(db, sql);
		snprintf(sql, sizeof(sql), "UPDATE units SET path = (SELECT"
		    " p.path FROM units p WHERE p.id = units.parent_id) || id"
		    " || '/' WHERE code = '%s'", code);
		exec(db, sql);
		snprintf(sql, sizeof(sql), "INSERT INTO targets SELECT id,"
		    " 2021, %ld, 18930 FROM units WHERE code = '%s'",
		    n_report / n_units + i % 50, code);
		exec(db, sql);
	}
	snprintf(sql, sizeof(sql), "WITH RECURSIVE s(value) AS (SELECT 1"
	    " UNION ALL SELECT value + 1 FROM s WHERE value < %ld)"
	    " INSERT INTO members (unit_id, national_id,"
	    " full_name, name_ascii, date_of_birth, gender, position,"
	    " joined_on, mandatory, status, member_code, entered_day,"
	    " approved_day) SELECT (SELECT min(id) FROM units WHERE depth = 2"
	    " AND code <> 'G0') + value %% %ld, printf('1%%011d', value),"
	    " 'Nguyễn Văn ' || value, 'NGUYEN VAN ' || value, 3000, 'M', 'CN',"
	    " 15000, 0, CASE WHEN value %% 5 = 0 THEN 'submitted' ELSE"
	    " 'approved' END, CASE WHEN value %% 5 = 0 THEN NULL ELSE"
	    " printf('5%%010d', value) END, 18700 + value %% 100, CASE WHEN"
	    " value %% 5 = 0 THEN NULL ELSE 18750 + value %% 100 END FROM s",
	    n_report, n_units);
	exec(db, sql);
	exec(db, "COMMIT");
	printf("load: %ld members in %ld units (SQL, not timed as import)"
	    " in %.1f s\n", n_report, n_units, bench_now() - t);
	t = bench_now();
	if ((r = uc_ledger_rebuild_counters(l)) != 0)
		die("rebuild", r);
	printf("counters rebuilt from %ld member rows in %.2f s\n",
	    n_report + n_import, bench_now() - t);
	t = bench_now();
	c = clock();
	nunits = 0;
	if ((r = uc_ledger_report_progress_each(l, NULL, "2021-11-01",
	    count_units, &nunits)) != 0)
		die("report", r);
	t = bench_now() - t;
	c = clock() - c;
	printf("report progress: %zu units over %ld members in %.3f s wall,"
	    " %.3f s CPU\n", nunits, n_report + n_import, t,
	    (double)c / CLOCKS_PER_SEC);
	t = bench_now();
	{
		sqlite3_stmt *st;
		long rows = 0;

		/* for comparison: what a report scanning members would pay */
		sqlite3_prepare_v2(db, "SELECT unit_id, count(*),"
		    " sum(status = 'approved') FROM members GROUP BY unit_id",
		    -1, &st, NULL);
		while (sqlite3_step(st) == SQLITE_ROW)
			rows++;
		sqlite3_finalize(st);
		printf("(a GROUP BY over the member rows instead: %ld units in"
		    " %.2f s)\n", rows, bench_now() - t);
	}

	/* 3. status list over n_cards cards */
	t = bench_now();
	exec(db, "BEGIN");
	snprintf(sql, sizeof(sql), "WITH RECURSIVE s(value) AS (SELECT 1"
	    " UNION ALL SELECT value + 1 FROM s WHERE value < %ld)"
	    " INSERT INTO cards (serial, member_id, line_id, type, status,"
	    " created_at, updated_at) SELECT value, value, NULL, 'regular',"
	    " CASE abs(random()) %% 100 WHEN 0 THEN 'revoked' WHEN 1 THEN"
	    " 'revoked' WHEN 2 THEN 'lost' ELSE 'issued' END, 'x', 'x'"
	    " FROM s", n_cards);
	exec(db, sql);
	snprintf(sql, sizeof(sql), "UPDATE counters SET value = %ld WHERE"
	    " name = 'card_serial'", n_cards);
	exec(db, sql);
	audit_cards(db, 52);
	exec(db, "COMMIT");
	sqlite3_close(db);
	printf("load: %ld cards (SQL, with their audit rows) in %.1f s\n",
	    n_cards, bench_now() - t);
	t = bench_now();
	c = clock();
	if ((r = uc_ledger_status_list_export(l, sl, 86400, 0, NULL, NULL,
	    &nbits, &len)) != 0)
		die("status list", r);
	c = clock() - c;
	printf("status-list export: %llu serials, %zu bytes, %.2f s wall,"
	    " %.2f s CPU\n", (unsigned long long)nbits, len, bench_now() - t,
	    (double)c / CLOCKS_PER_SEC);
	uc_ledger_free(&l);
	if (argc <= 1) {
		unlink(csv);
		unlink(sl);
		unlink(path);
		snprintf(sql, sizeof(sql), "%s-wal", path);
		unlink(sql);
		snprintf(sql, sizeof(sql), "%s-shm", path);
		unlink(sql);
		rmdir(dir);
	}
	return 0;
}
