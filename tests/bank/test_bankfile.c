/*
 * test_bankfile.c - the bank's issuance/status file: fields checked, PANs
 * replaced by their HMAC, errors that name file/line/field and never the
 * PAN, and the reader's memory wiped of each line.
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
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "unioncard/bankfile.h"
#include "unioncard/csv.h"
#include "unioncard/date.h"

static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
	31, 32 };

/* A Vietinbank-BIN 16-digit PAN that passes Luhn (computed, not typed). */
static void
make_pan(char pan[17], const char *body15)
{
	int c;

	memcpy(pan, body15, 15);
	for (c = 0; c < 10; c++) {
		pan[15] = (char)('0' + c);
		if (uc_luhn_valid(pan, 16))
			break;
	}
	pan[16] = '\0';
}

#define HEADER "member_code,card_ref,full_name,pan,status,fee_vnd,issued_on"

static void
test_luhn(void **state)
{
	(void)state;
	assert_true(uc_luhn_valid("4111111111111111", 16));
	assert_true(uc_luhn_valid("79927398713", 11));
	assert_false(uc_luhn_valid("79927398710", 11));
	assert_false(uc_luhn_valid("7992739871a", 11));
	assert_false(uc_luhn_valid("", 0));
}

static void
test_good_file(void **state)
{
	char pan[17], text[1024];
	uint8_t want[32];
	unsigned int wlen = 0;
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	struct uc_diag d;
	int32_t day;

	(void)state;
	make_pan(pan, "970415123456789");
	snprintf(text, sizeof(text),
	    "\xef\xbb\xbf" "Issued_On,member_code,card_ref,full_name,pan,"
	    "status,fee_vnd,branch\r\n"
	    "2024-03-01,52000012345,VTB-0001,\"HUYNH LE DIEM TUYET\",%s,"
	    "active,0,HCM\r\n"
	    "29/02/2024,52000012359,VTB-0002,Nguye\xcc\x82\xcc\x83n V\xc4\x83n"
	    " A, 970415******1234 ,Pending,50000,HN\r\n", pan);
	assert_int_equal(uc_bankfile_open_mem(&bf, text, strlen(text),
	    "bank.csv", key, sizeof(key), &d), 0);

	assert_int_equal(uc_bankfile_next(bf, &rec, &d), 0);
	assert_int_equal(rec.line, 2);
	assert_string_equal(rec.member_code, "52000012345");
	assert_string_equal(rec.card_ref, "VTB-0001");
	assert_string_equal(rec.bank_name, "HUYNH LE DIEM TUYET");
	assert_int_equal(rec.pan_masked, 0);
	assert_string_equal(rec.pan_last4, pan + 12);
	assert_non_null(HMAC(EVP_sha256(), key, sizeof(key),
	    (const unsigned char *)pan, 16, want, &wlen));
	assert_memory_equal(rec.pan_hmac, want, 32);
	assert_int_equal(rec.status, UC_BANK_STATUS_ACTIVE);
	assert_int_equal(rec.fee_vnd, 0);
	assert_int_equal(uc_date_parse("2024-03-01", 10, &day), 0);
	assert_int_equal(rec.issued_on, day);

	assert_int_equal(uc_bankfile_next(bf, &rec, &d), 0);
	assert_int_equal(rec.line, 3);
	assert_string_equal(rec.full_name, "Nguy\u1ec5n V\u0103n A");
	assert_string_equal(rec.bank_name, "NGUYEN VAN A");
	assert_int_equal(rec.pan_masked, 1);
	assert_string_equal(rec.pan_last4, "1234");
	memset(want, 0, sizeof(want));
	assert_memory_equal(rec.pan_hmac, want, 32);
	assert_int_equal(rec.status, UC_BANK_STATUS_PENDING);
	assert_string_equal(uc_bank_status_name(rec.status), "pending");
	assert_int_equal(rec.fee_vnd, 50000);
	assert_int_equal(rec.issued_on, day - 1);

	assert_int_equal(uc_bankfile_next(bf, &rec, &d), 0);
	assert_int_equal(rec.line, 0);
	uc_bankfile_free(&bf);
	assert_null(bf);
}

/* One data line after the header; expect an error on field at line 2. */
static void
expect_bad(const char *line, const char *field, const char *must_not_show)
{
	char text[1024], shown[1024];
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	struct uc_diag d;

	snprintf(text, sizeof(text), HEADER "\n%s\n", line);
	assert_int_equal(uc_bankfile_open_mem(&bf, text, strlen(text),
	    "bank.csv", key, sizeof(key), &d), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(uc_bankfile_next(bf, &rec, &d), UC_ERR_INVALID);
	assert_string_equal(d.file, "bank.csv");
	assert_int_equal(d.line, 2);
	if (strcmp(d.field, field) != 0)
		fail_msg("field '%s', want '%s' (%s)", d.field, field, d.msg);
	assert_int_equal(rec.line, 0);
	uc_diag_format(&d, shown, sizeof(shown));
	if (must_not_show != NULL && strstr(shown, must_not_show) != NULL)
		fail_msg("diagnostic shows the PAN: %s", shown);
	/* Sticky. */
	assert_int_equal(uc_bankfile_next(bf, &rec, &d), UC_ERR_INVALID);
	uc_bankfile_free(&bf);
}

static void
test_bad_fields(void **state)
{
	char pan[17], bad[17], line[256];

	(void)state;
	make_pan(pan, "970415123456789");
	memcpy(bad, pan, sizeof(bad));
	bad[15] = bad[15] == '9' ? '0' : (char)(bad[15] + 1);

	snprintf(line, sizeof(line), "52000012345,R1,A,%s,active,0,2024-01-01",
	    bad);
	expect_bad(line, "pan", bad);
	snprintf(line, sizeof(line), "52000012345,R1,A,%s,active,0,2024-01-01",
	    "9704 1512 3456 7890");
	expect_bad(line, "pan", "9704");
	expect_bad("52000012345,R1,A,970415****123,active,0,2024-01-01", "pan",
	    NULL);
	expect_bad("52000012345,R1,A,1234,active,0,2024-01-01", "pan", NULL);
	/* A PAN in the wrong column is not echoed either. */
	snprintf(line, sizeof(line), "52000012345,R1,A,970415******1234,%s,0,"
	    "2024-01-01", pan);
	expect_bad(line, "status", pan);
	snprintf(line, sizeof(line), "52000012345,R1,A,970415******1234,active,"
	    "%s,2024-01-01", pan);
	expect_bad(line, "fee_vnd", "970415");
	snprintf(line, sizeof(line), "%s,R1,A,970415******1234,active,0,"
	    "2024-01-01", pan);
	expect_bad(line, "member_code", "970415");

	expect_bad("52000012348,R1,A,970415******1234,active,0,2024-01-01",
	    "member_code", NULL);
	expect_bad("52000012345,,A,970415******1234,active,0,2024-01-01",
	    "card_ref", NULL);
	expect_bad("52000012345,R 1,A,970415******1234,active,0,2024-01-01",
	    "card_ref", NULL);
	expect_bad("52000012345,R1,,970415******1234,active,0,2024-01-01",
	    "full_name", NULL);
	expect_bad("52000012345,R1,S\xc3\xb8ren,970415******1234,active,0,"
	    "2024-01-01", "full_name", NULL);
	expect_bad("52000012345,R1,A,970415******1234,lost,0,2024-01-01",
	    "status", NULL);
	expect_bad("52000012345,R1,A,970415******1234,active,-1,2024-01-01",
	    "fee_vnd", NULL);
	expect_bad("52000012345,R1,A,970415******1234,active,\"50,000\","
	    "2024-01-01", "fee_vnd", NULL);
	expect_bad("52000012345,R1,A,970415******1234,active,50.5,2024-01-01",
	    "fee_vnd", NULL);
	expect_bad("52000012345,R1,A,970415******1234,active,0,29/02/2023",
	    "issued_on", NULL);
	expect_bad("52000012345,R1,A,970415******1234,active,0", "issued_on",
	    NULL);
}

/* 0 if the one line after HEADER,note reads, else the error (field in
 * d). */
static int
read_note_line(const char *line, struct uc_diag *d)
{
	char text[1024];
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	int r;

	snprintf(text, sizeof(text), HEADER ",note\n%s\n", line);
	assert_int_equal(uc_bankfile_open_mem(&bf, text, strlen(text),
	    "bank.csv", key, sizeof(key), d), 0);
	r = uc_bankfile_next(bf, &rec, d);
	uc_bankfile_free(&bf);
	return r;
}

/* A full PAN outside the pan column is refused, in any column. */
static void
test_pan_elsewhere(void **state)
{
	char pan[17], notluhn[17], p13[14], line[256], sp[24], shown[1024];
	struct uc_diag d;

	(void)state;
	make_pan(pan, "970415123456789");
	memcpy(notluhn, pan, sizeof(notluhn));
	notluhn[15] = notluhn[15] == '9' ? '0' : (char)(notluhn[15] + 1);
	snprintf(sp, sizeof(sp), "%.4s %.4s-%.4s %.4s", pan, pan + 4, pan + 8,
	    pan + 12);
	/* a 13-digit Luhn-valid run: 12 digits and their check digit */
	memcpy(p13, "4000000000006", 14);
	assert_int_equal(uc_luhn_valid(p13, 13), 1);

	snprintf(line, sizeof(line), "52000012345,R1,A,970415******1234,"
	    "active,0,2024-01-01,the card %s", pan);
	assert_int_equal(read_note_line(line, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "note");
	assert_non_null(strstr(d.msg, "full card number"));
	uc_diag_format(&d, shown, sizeof(shown));
	assert_null(strstr(shown, "970415"));

	snprintf(line, sizeof(line), "52000012345,R1,A,970415******1234,"
	    "active,0,2024-01-01,\"card %s\"", sp);
	assert_int_equal(read_note_line(line, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "note");

	/* joined to a date, the run is still found */
	snprintf(line, sizeof(line), "52000012345,R1,A,970415******1234,"
	    "active,0,2024-01-01,2024-01-01 %s 2024", sp);
	assert_int_equal(read_note_line(line, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "note");

	snprintf(line, sizeof(line), "52000012345,%s,A,970415******1234,"
	    "active,0,2024-01-01,", pan);
	assert_int_equal(read_note_line(line, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "card_ref");

	snprintf(line, sizeof(line), "52000012345,R1,NGUYEN %s,"
	    "970415******1234,active,0,2024-01-01,", p13);
	assert_int_equal(read_note_line(line, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "full_name");

	/* not a PAN: failing Luhn, 12 digits, a date, a member code */
	snprintf(line, sizeof(line), "52000012345,R1,A,970415******1234,"
	    "active,0,2024-01-01,ref %s", notluhn);
	assert_int_equal(read_note_line(line, &d), 0);
	assert_int_equal(read_note_line("52000012345,R1,A,970415******1234,"
	    "active,0,2024-01-01,400000000006 2024-01-01 52000012345", &d), 0);
	/* the PAN itself in the pan column is of course fine */
	snprintf(line, sizeof(line), "52000012345,R1,A,%s,active,0,"
	    "2024-01-01,", pan);
	assert_int_equal(read_note_line(line, &d), 0);
}

static void
test_header_and_key(void **state)
{
	static const char text[] =
	    "member_code,card_ref,full_name,status,fee_vnd,issued_on\n";
	struct uc_bankfile *bf = NULL;
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_bankfile_open_mem(&bf, text, sizeof(text) - 1,
	    "bank.csv", key, sizeof(key), &d), UC_ERR_INVALID);
	assert_null(bf);
	assert_string_equal(d.field, "pan");
	assert_string_equal(d.file, "bank.csv");
	assert_int_equal(uc_bankfile_open_mem(&bf, text, sizeof(text) - 1,
	    "bank.csv", key, 8, &d), UC_ERR_KEY);
	assert_int_equal(uc_bankfile_open_path(&bf, "/nonexistent/bank.csv",
	    key, sizeof(key), &d), UC_ERR_IO);
	assert_string_equal(d.file, "/nonexistent/bank.csv");
}

/*
 * A data line taken for the header puts a PAN into a column name, which
 * diagnostics would show: it is masked.
 */
static void
test_pan_in_header_masked(void **state)
{
	static const char text[] = HEADER ",4111 1111 1111 1111\n"
	    "52000012345,R1,A,970415******1234,active,0,2024-01-01\n";
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_bankfile_open_mem(&bf, text, sizeof(text) - 1,
	    "bank.csv", key, sizeof(key), &d), 0);
	assert_int_equal(uc_bankfile_next(bf, &rec, &d), UC_ERR_INVALID);
	assert_int_equal(d.line, 2);
	assert_string_equal(d.field, "**** **** **** ****");
	uc_bankfile_free(&bf);
}

/*
 * The stdio reader wipes a line's bytes on request: the record's fields
 * read as NUL afterwards (they point into the reader's buffer).
 */
static void
test_csv_wipe_last(void **state)
{
	static const char text[] = "a,pan\n1,4111111111111111\n2,x\n";
	FILE *fp = tmpfile();
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d;
	size_t nf, i;
	const char *p;

	(void)state;
	assert_non_null(fp);
	fputs(text, fp);
	rewind(fp);
	assert_int_equal(uc_csv_open_file(&r, fp, "t.csv", NULL), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	p = f[1].ptr;
	assert_memory_equal(p, "4111111111111111", 16);
	uc_csv_wipe_last(r);
	for (i = 0; i < 16; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_memory_equal(f[1].ptr, "x", 2);
	uc_csv_free(&r);
	fclose(fp);
}

static void
test_open_path(void **state)
{
	char path[] = "/tmp/uc_bankfile_XXXXXX";
	char pan[17];
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	struct uc_diag d;
	FILE *fp;
	int fd, n = 0;

	(void)state;
	make_pan(pan, "970415000000001");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fprintf(fp, HEADER "\n");
	for (n = 0; n < 3000; n++)
		fprintf(fp, "52000012345,R%d,A,%s,closed,10000,01/01/2024\n",
		    n, pan);
	fclose(fp);
	assert_int_equal(uc_bankfile_open_path(&bf, path, key, sizeof(key),
	    &d), 0);
	n = 0;
	while (uc_bankfile_next(bf, &rec, &d) == 0 && rec.line != 0) {
		assert_int_equal(rec.status, UC_BANK_STATUS_CLOSED);
		assert_int_equal(rec.line, (unsigned long)n + 2);
		n++;
	}
	assert_int_equal(n, 3000);
	uc_bankfile_free(&bf);
	unlink(path);
	/* not a regular file: refused before a byte is read */
	assert_int_equal(uc_bankfile_open_path(&bf, "/dev/zero", key,
	    sizeof(key), &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "not a regular file"));
	assert_null(bf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luhn),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_pan_elsewhere),
		cmocka_unit_test(test_header_and_key),
		cmocka_unit_test(test_pan_in_header_masked),
		cmocka_unit_test(test_csv_wipe_last),
		cmocka_unit_test(test_open_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
