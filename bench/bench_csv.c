/*
 * bench_csv.c - import-path throughput: read a member CSV, put each name
 * into NFC and into its bank form.
 *
 * Generates a member CSV of N rows (default 1,000,000) with Vietnamese
 * names - three in four precomposed (NFC), one in four decomposed (NFD,
 * as some macOS and web exports produce) - into a temporary file, then
 * times reading it back through the stdio reader.  Prints rows/s and MB/s
 * of process CPU time.
 *
 *     build/bench/bench_csv [ROWS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unioncard/csv.h"
#include "unioncard/membercode.h"
#include "unioncard/text.h"

static const char *const family[] = { "Nguy\u1ec5n", "Tr\u1ea7n",
	"L\u00ea", "Ph\u1ea1m", "Hu\u1ef3nh", "Ho\u00e0ng", "\u0110\u1eb7ng",
	"B\u00f9i", "\u0110\u1ed7", "V\u00f5" };
static const char *const family_nfd[] = { "Nguye\u0302\u0303n",
	"Tra\u0302\u0300n", "Le\u0302", "Pha\u0323m", "Huy\u0300nh",
	"Hoa\u0300ng", "\u0110a\u0306\u0323ng", "Bu\u0300i",
	"\u0110o\u0302\u0303", "Vo\u0303" };
static const char *const middle[] = { "V\u0103n", "Th\u1ecb",
	"\u0110\u00ecnh", "Minh", "Ng\u1ecdc", "L\u00ea Di\u1ec5m" };
static const char *const given[] = { "An", "Tuy\u1ebft", "H\u00f9ng",
	"Ph\u01b0\u01a1ng", "\u0110\u1ee9c", "Th\u1ea3o", "Qu\u1ef3nh",
	"Kh\u00e1nh" };

/*
 * CPU time of this process: the machine is shared, and wall time would
 * measure the neighbours.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned long rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	static const char *const cols[] = { "member_code", "full_name",
		"date_of_birth", "unit" };
	char code[UC_MEMBERCODE_LEN + 1], nfc[256], bank[256];
	const struct uc_csv_field *f;
	struct uc_csv *r = NULL;
	struct uc_diag d;
	unsigned long i, n = 0, bytes_name = 0;
	long size;
	size_t nf, len;
	double t0, t1, t2, t_csv;
	int idx[4];
	FILE *fp;

	if ((fp = tmpfile()) == NULL)
		return 2;
	t0 = now();
	fputs("\xef\xbb\xbfmember_code,full_name,date_of_birth,unit\r\n", fp);
	for (i = 0; i < rows; i++) {
		const char *fam = (i % 4 == 3) ? family_nfd[i % 10] :
		    family[i % 10];

		if (uc_membercode_make((unsigned)(i % 63) + 1,
		    (uint32_t)i, code) != 0)
			return 2;
		fprintf(fp, "%s,%s %s %s,%02lu/%02lu/19%02lu,"
		    "\"C\u00f4ng \u0111o\u00e0n c\u01a1 s\u1edf %lu, "
		    "Qu\u1eadn 1\"\r\n", code, fam, middle[i / 10 % 6],
		    given[i / 60 % 8], i % 28 + 1, i % 12 + 1, i % 60 + 40,
		    i % 997);
	}
	fflush(fp);
	size = ftell(fp);
	rewind(fp);
	t1 = now();

	/* Phase 1: the CSV reader alone. */
	if (uc_csv_open_file(&r, fp, "bench.csv", NULL) != 0 ||
	    uc_csv_header_require(r, cols, 4, 4, idx, &d) != 0)
		return 2;
	while (uc_csv_next(r, &f, &nf, &d) == 0 && nf > 0)
		n++;
	uc_csv_free(&r);
	rewind(fp);
	t_csv = now() - t1;
	if (n != rows)
		return 1;
	n = 0;
	t1 = now();

	/* Phase 2: the import path. */
	if (uc_csv_open_file(&r, fp, "bench.csv", NULL) != 0 ||
	    uc_csv_header_require(r, cols, 4, 4, idx, &d) != 0)
		return 2;
	while (uc_csv_next(r, &f, &nf, &d) == 0 && nf > 0) {
		const struct uc_csv_field *name = &f[idx[1]];

		if (uc_text_nfc(name->ptr, name->len, nfc, sizeof(nfc),
		    &len) != 0 ||
		    uc_text_bank_name(nfc, len, bank, sizeof(bank), &len) != 0)
			return 1;
		if (uc_membercode_validate(f[idx[0]].ptr, f[idx[0]].len,
		    &d) != 0)
			return 1;
		bytes_name += len;
		n++;
	}
	t2 = now();
	uc_csv_free(&r);
	fclose(fp);
	if (n != rows) {
		fprintf(stderr, "read %lu rows of %lu: %s\n", n, rows, d.msg);
		return 1;
	}
	printf("generated %lu rows, %.1f MB in %.2f s\n", rows,
	    (double)size / 1e6, t1 - t0);
	printf("CSV reader alone: %.2f s, %.0f rows/s, %.1f MB/s\n", t_csv,
	    (double)rows / t_csv, (double)size / 1e6 / t_csv);
	printf("read + NFC + bank name + member code check: %.2f s, "
	    "%.0f rows/s, %.1f MB/s\n", t2 - t1, (double)n / (t2 - t1),
	    (double)size / 1e6 / (t2 - t1));
	printf("(%lu bank-name bytes)\n", bytes_name);
	return 0;
}
