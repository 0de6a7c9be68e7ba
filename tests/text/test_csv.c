/*
 * test_csv.c - the strict CSV reader on what real files contain, and every
 * error naming its file, line and field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/csv.h"

static const char *const member_cols[] = { "member_code", "full_name",
	"date_of_birth", "phone" };

/* Read all records of a buffer; returns the last status. */
static int
read_all(const char *text, size_t len, const struct uc_csv_limits *lim,
    struct uc_diag *d, size_t *nrec)
{
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	size_t nf;
	int ret;

	*nrec = 0;
	assert_int_equal(uc_csv_open_mem(&r, text, len, "members.csv", lim),
	    0);
	while ((ret = uc_csv_next(r, &f, &nf, d)) == 0 && nf > 0)
		(*nrec)++;
	uc_csv_free(&r);
	assert_null(r);
	return ret;
}

static void
expect_field(const struct uc_csv_field *f, const char *want)
{
	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->ptr, want, f->len);
	assert_int_equal(f->ptr[f->len], '\0');
}

static void
test_real_file_shapes(void **state)
{
	/* BOM, CRLF, quoted comma, doubled quotes, embedded CRLF and LF,
	 * a last line without line end... and trailing blank lines after
	 * a record that ends in a newline are shown in the next test. */
	static const char text[] =
	    "\xef\xbb\xbf" "member_code,full_name,note\r\n"
	    "52000012347,\"Nguy\xe1\xbb\x85n, V\xc4\x83n A\",plain\r\n"
	    "52000012351,\"He said \"\"hi\"\"\",\"two\r\nlines\"\r\n"
	    "52000012365,x,\"three\nshort\nlines\"\n"
	    "52000012379,,\"\"";
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f = NULL;
	struct uc_diag d;
	size_t nf = 0;
	int idx[3];
	static const char *const cols[] = { "MEMBER_CODE", " full_name ",
		"note" };

	(void)state;
	assert_int_equal(uc_csv_open_mem(&r, text, sizeof(text) - 1,
	    "members.csv", NULL), 0);
	assert_int_equal(uc_csv_header_require(r, cols, 3, 3, idx, &d), 0);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 2);
	/* The BOM is not part of the first column's name. */
	assert_string_equal(uc_csv_column_name(r, 0), "member_code");
	assert_int_equal(uc_csv_columns(r), 3);

	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(nf, 3);
	assert_int_equal(uc_csv_line(r), 2);
	expect_field(&f[1], "Nguy\xe1\xbb\x85n, V\xc4\x83n A");
	expect_field(&f[2], "plain");

	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_line(r), 3);
	expect_field(&f[1], "He said \"hi\"");
	expect_field(&f[2], "two\r\nlines");

	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_line(r), 5);
	expect_field(&f[2], "three\nshort\nlines");

	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_line(r), 8);
	expect_field(&f[1], "");
	expect_field(&f[2], "");

	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_null(f);
	assert_int_equal(nf, 0);
	/* End stays end. */
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(nf, 0);
	uc_csv_free(&r);
}

static void
test_trailing_blank_lines_ignored(void **state)
{
	static const char text[] = "a,b\n1,2\n3,4\n\n\r\n\n";
	struct uc_diag d;
	size_t n = 0;

	(void)state;
	assert_int_equal(read_all(text, sizeof(text) - 1, NULL, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(read_all("a,b\r\n1,2\r\n", 10, NULL, &d, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(read_all("", 0, NULL, &d, &n), 0);
	assert_int_equal(n, 0);
	/* Rows of empty cells, as spreadsheets export them, are blank. */
	assert_int_equal(read_all("a,b,c\r\n1,2,3\r\n,,\r\n,,\r\n", 22,
	    NULL, &d, &n), 0);
	assert_int_equal(n, 2);
	/* ...but a quoted empty field is data. */
	assert_int_equal(read_all("a,b,c\n1,2,3\n\"\",,\n", 17, NULL, &d,
	    &n), 0);
	assert_int_equal(n, 3);
}

/* Run the member header on text and expect an error at line/field. */
static void
expect_error(const char *text, unsigned long line, const char *field,
    const char *msg_part)
{
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d, d2;
	size_t nf;
	int idx[4];
	int ret;

	assert_int_equal(uc_csv_open_mem(&r, text, strlen(text),
	    "members.csv", NULL), 0);
	memset(&d, 0, sizeof(d));
	ret = uc_csv_header_require(r, member_cols, 4, 3, idx, &d);
	while (ret == 0 && (ret = uc_csv_next(r, &f, &nf, &d)) == 0 && nf > 0)
		;
	if (ret != UC_ERR_INVALID)
		fail_msg("status %d on '%s'", ret, text);
	assert_string_equal(d.file, "members.csv");
	if (d.line != line)
		fail_msg("line %lu, want %lu (%s)", d.line, line, d.msg);
	assert_string_equal(d.field, field);
	if (strstr(d.msg, msg_part) == NULL)
		fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
	/* The error is sticky and repeats itself. */
	if (uc_csv_columns(r) > 0) {
		assert_int_equal(uc_csv_next(r, &f, &nf, &d2), UC_ERR_INVALID);
		assert_string_equal(d2.msg, d.msg);
	}
	uc_csv_free(&r);
}

static void
test_errors_name_file_line_field(void **state)
{
	char big[1200 + 64];

	(void)state;
	expect_error("member_code,full_name\n1,A\n", 1, "date_of_birth",
	    "required column missing");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A,2000-01-01\n2,B\n", 3, "date_of_birth", "2 fields");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A,2000-01-01,extra\n", 2, "column 4", "4 fields");
	/* Unterminated quote on the (truncated) last line. */
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A,2000-01-01\n2,\"Nguy\xe1\xbb\x85n", 3, "full_name",
	    "never closed");
	/* ...and one that swallows the following lines: reported where the
	 * record starts. */
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,\"A,2000-01-01\n2,B,2000-01-02\n", 2, "full_name",
	    "never closed");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,Nguy\"en,2000-01-01\n", 2, "full_name", "quote inside");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,\"A\"B,2000-01-01\n", 2, "full_name", "after the closing");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A,2000-01-01\n\n2,B,2000-01-02\n", 3, "", "blank line");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A\r,2000-01-01\n", 2, "", "carriage return");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A,2000-01-01\n,,\n2,B,2000-01-02\n", 3, "", "blank line");
	expect_error("\nmember_code,full_name,date_of_birth\n", 1, "",
	    "before the first row");
	expect_error("member_code,full_name,date_of_birth\n"
	    "1,A\xc0\xaf,2000-01-01\n", 2, "full_name", "UTF-8");
	expect_error("member_code,full_name,date_of_birth,Member_Code\n",
	    1, "Member_Code", "twice");
	expect_error("", 1, "", "no header");
	expect_error("\n\n", 1, "", "no header");

	/* A field over the 1024-byte default limit. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "member_code,full_name,date_of_birth\n1,", 38);
	memcpy(big + 38 + 1025, ",2000-01-01\n", 13);
	expect_error(big, 2, "full_name", "longer than 1024");
}

static void
test_limits(void **state)
{
	struct uc_csv_limits lim = { 8, 20, 3 };
	struct uc_diag d;
	size_t n;

	(void)state;
	if (read_all("12345678,1\n", 11, &lim, &d, &n) != 0)
		fail_msg("%s", d.msg);
	assert_int_equal(read_all("123456789,1\n", 12, &lim, &d, &n),
	    UC_ERR_INVALID);
	assert_string_equal(d.field, "column 1");
	assert_int_equal(read_all("1234567,1234567,1234567\n", 24, &lim, &d,
	    &n), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "row longer than 20"));
	assert_int_equal(read_all("1,2,3,4\n", 8, &lim, &d, &n),
	    UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "more than 3 fields"));
	assert_string_equal(d.field, "column 4");
	/* Quoted bytes count as well. */
	assert_int_equal(read_all("\"12\"\"34567\",1\n", 14, &lim, &d, &n), 0);
	assert_int_equal(read_all("\"12\"\"345678\",1\n", 15, &lim, &d, &n),
	    UC_ERR_INVALID);
	lim.max_field = 100;
	{
		struct uc_csv *r = NULL;

		assert_int_equal(uc_csv_open_mem(&r, "", 0, "x", &lim),
		    UC_ERR_ARG);
		assert_null(r);
	}
}

static void
test_caller_diag(void **state)
{
	static const char text[] = "member_code,full_name,date_of_birth\n"
	    "1,A,2000-01-01\n2,B,31/02/1990\n";
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d;
	size_t nf;
	int idx[4];
	char line[512];

	(void)state;
	assert_int_equal(uc_csv_open_mem(&r, text, sizeof(text) - 1,
	    "members.csv", NULL), 0);
	assert_int_equal(uc_csv_header_require(r, member_cols, 4, 3, idx, &d),
	    0);
	assert_int_equal(idx[3], -1); /* optional phone absent */
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_diag(r, &d, UC_ERR_INVALID, (size_t)idx[2],
	    "not a date: '%s'", f[idx[2]].ptr), UC_ERR_INVALID);
	uc_diag_format(&d, line, sizeof(line));
	assert_string_equal(line,
	    "members.csv:3: date_of_birth: not a date: '31/02/1990'");
	uc_csv_free(&r);
}

static void
test_file_reader_across_chunks(void **state)
{
	FILE *fp = tmpfile();
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d;
	size_t nf;
	unsigned long i, n = 0;
	char want[64];
	int idx[2];
	static const char *const cols[] = { "n", "name" };

	(void)state;
	assert_non_null(fp);
	fputs("\xef\xbb\xbf" "n,name\r\n", fp);
	for (i = 0; i < 20000; i++)
		fprintf(fp, "%lu,\"Tr\xe1\xba\xa7n, %lu\nx\"\r\n", i, i);
	rewind(fp);
	assert_int_equal(uc_csv_open_file(&r, fp, "big.csv", NULL), 0);
	assert_int_equal(uc_csv_header_require(r, cols, 2, 2, idx, &d), 0);
	while (uc_csv_next(r, &f, &nf, &d) == 0 && nf > 0) {
		snprintf(want, sizeof(want), "Tr\xe1\xba\xa7n, %lu\nx", n);
		expect_field(&f[1], want);
		assert_int_equal(strtoul(f[0].ptr, NULL, 10), n);
		assert_int_equal(uc_csv_line(r), 2 + 2 * n);
		n++;
	}
	assert_int_equal(n, 20000);
	uc_csv_free(&r);
	fclose(fp);
}

static void
test_writer_round_trip(void **state)
{
	static const char *const text[] = { "52000012347",
		"Nguy\xe1\xbb\x85n, V\xc4\x83n \"A\"", "two\nlines", "",
		" padded " };
	struct uc_csv_field in[5];
	struct uc_buf b = UC_BUF_INIT;
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d;
	size_t nf, i;
	static const char want[] = "52000012347,\"Nguy\xe1\xbb\x85n, V\xc4\x83n "
	    "\"\"A\"\"\",\"two\nlines\",,\" padded \"\r\n";

	(void)state;
	for (i = 0; i < 5; i++) {
		in[i].ptr = text[i];
		in[i].len = strlen(text[i]);
	}
	assert_int_equal(uc_csv_append_record(&b, in, 5), 0);
	assert_int_equal(b.len, sizeof(want) - 1);
	assert_memory_equal(b.data, want, b.len);
	assert_int_equal(uc_csv_open_mem(&r, b.data, b.len, "out.csv", NULL),
	    0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(nf, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(f[i].len, in[i].len);
		assert_memory_equal(f[i].ptr, in[i].ptr, in[i].len);
	}
	uc_csv_free(&r);
	uc_buf_free(&b);
}

static void
test_writer_to_stream(void **state)
{
	static const char *const row[] = { "a", NULL, "b,c", "say \"x\"" };
	static const char want[] = "a,,\"b,c\",\"say \"\"x\"\"\"\r\n"
	    "a,,\"b,c\",\"say \"\"x\"\"\"\r\n";
	struct uc_csv_field f[4];
	char got[128];
	FILE *fp = tmpfile();
	size_t i, n;

	(void)state;
	assert_non_null(fp);
	assert_int_equal(uc_csv_write_strings(fp, row, 4), 0);
	for (i = 0; i < 4; i++) {
		f[i].ptr = row[i];
		f[i].len = row[i] != NULL ? strlen(row[i]) : 0;
	}
	assert_int_equal(uc_csv_write_record(fp, f, 4), 0);
	rewind(fp);
	n = fread(got, 1, sizeof(got), fp);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(got, want, n);
	fclose(fp);
}

/* OWASP CSV injection: each dangerous first byte is neutralised once. */
static void
test_writer_neutralises_formulas(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"" },
		{ "=HYPERLINK(\"http://x\",\"y\")",
		  "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "+1+1", "\"'+1+1\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\t=1", "\"'\t=1\"" },
		{ "\r=1", "\"'\r=1\"" },
		{ "a=1", "a=1" },
		{ "'=1", "'=1" },
		{ "", "" },
	};
	char got[128];
	size_t i, n;
	FILE *fp;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *row[1] = { cases[i].in };

		assert_non_null(fp = tmpfile());
		assert_int_equal(uc_csv_write_row(fp, row, 1), 0);
		rewind(fp);
		n = fread(got, 1, sizeof(got) - 1, fp);
		got[n] = '\0';
		fclose(fp);
		assert_true(n >= 2);
		got[n - 2] = '\0'; /* CRLF */
		assert_string_equal(got, cases[i].out);
		/* the field writer and the buffer writer agree */
		assert_non_null(fp = tmpfile());
		assert_int_equal(uc_csv_write_field(fp, cases[i].in,
		    strlen(cases[i].in), 1), 0);
		rewind(fp);
		n = fread(got, 1, sizeof(got) - 1, fp);
		got[n] = '\0';
		fclose(fp);
		got[n - 2] = '\0';
		assert_string_equal(got, cases[i].out);
	}
	/* the neutralised cell reads back as "'" + the text, as a
	 * spreadsheet shows it */
	{
		struct uc_buf b = UC_BUF_INIT;
		struct uc_csv_field in = { "=1+2", 4 };
		const struct uc_csv_field *f;
		struct uc_csv *r = NULL;
		struct uc_diag d;

		assert_int_equal(uc_csv_append_record(&b, &in, 1), 0);
		assert_int_equal(uc_csv_open_mem(&r, b.data, b.len, "x", NULL),
		    0);
		assert_int_equal(uc_csv_next(r, &f, &n, &d), 0);
		assert_int_equal(n, 1);
		assert_string_equal(f[0].ptr, "'=1+2");
		uc_csv_free(&r);
		uc_buf_free(&b);
	}
}

/* ';' is chosen from the header line, and only there; quotes count. */
static void
test_semicolon_detected(void **state)
{
	static const char semi[] = "\xef\xbb\xbf" "code;name;note\r\n"
	    "TP01;\"CĐCS; Trường\";\"a, b\"\r\n"
	    "TP02;x,y;\r\n";
	static const char comma[] = "code,name,\"a;b;c\"\r\n1,2,3\r\n";
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d;
	size_t nf;

	(void)state;
	assert_int_equal(uc_csv_open_mem(&r, semi, sizeof(semi) - 1, "s.csv",
	    NULL), 0);
	assert_int_equal(uc_csv_detect_delimiter(r), ';');
	assert_int_equal(uc_csv_header_require(r, NULL, 0, 0, NULL, &d), 0);
	assert_int_equal(uc_csv_columns(r), 3);
	assert_string_equal(uc_csv_column_name(r, 2), "note");
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(nf, 3);
	expect_field(&f[1], "CĐCS; Trường");
	expect_field(&f[2], "a, b");
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	expect_field(&f[1], "x,y");
	expect_field(&f[2], "");
	/* once records were read, the separator stays */
	assert_int_equal(uc_csv_detect_delimiter(r), ';');
	uc_csv_free(&r);

	assert_int_equal(uc_csv_open_mem(&r, comma, sizeof(comma) - 1,
	    "c.csv", NULL), 0);
	assert_int_equal(uc_csv_detect_delimiter(r), ',');
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(nf, 3);
	expect_field(&f[2], "a;b;c");
	uc_csv_free(&r);

	/* without the call a ';' file is one column */
	assert_int_equal(uc_csv_open_mem(&r, semi, sizeof(semi) - 1, "s.csv",
	    NULL), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(nf, 1);
	uc_csv_free(&r);
}

/* A record with the wrong field count or bad UTF-8 can be skipped; a
 * quoting error, a blank line inside the data or a header error cannot. */
static void
test_skip_error(void **state)
{
	static const char text[] = "a,b,c\n"
	    "1,2,3\n"
	    "4,5\n"                 /* line 3: one field short */
	    "6,\xff,7\n"            /* line 4: bad UTF-8 */
	    "8,9,10,11\n"           /* line 5: one too many */
	    "12,13,14\n"
	    "15,\"16\n";            /* line 7: never closed */
	struct uc_csv *r = NULL;
	const struct uc_csv_field *f;
	struct uc_diag d;
	unsigned long lines[8];
	size_t nf, good = 0, bad = 0;
	int ret;

	(void)state;
	assert_int_equal(uc_csv_open_mem(&r, text, sizeof(text) - 1, "k.csv",
	    NULL), 0);
	assert_int_equal(uc_csv_skip_error(r), 0); /* no error: nothing */
	assert_int_equal(uc_csv_header_require(r, NULL, 0, 0, NULL, &d), 0);
	for (;;) {
		ret = uc_csv_next(r, &f, &nf, &d);
		if (ret == 0 && f == NULL)
			break;
		if (ret == 0) {
			good++;
			continue;
		}
		assert_int_equal(ret, UC_ERR_INVALID);
		lines[bad++] = d.line;
		/* sticky until skipped */
		assert_int_equal(uc_csv_next(r, &f, &nf, NULL), UC_ERR_INVALID);
		if (uc_csv_skip_error(r) != 0)
			break;
	}
	assert_int_equal(good, 2);
	assert_int_equal(bad, 4);
	assert_int_equal(lines[0], 3);
	assert_int_equal(lines[1], 4);
	assert_int_equal(lines[2], 5);
	assert_int_equal(lines[3], 7);
	assert_string_equal(d.field, "b");
	assert_non_null(strstr(d.msg, "never closed"));
	assert_int_equal(uc_csv_skip_error(r), UC_ERR_INVALID);
	uc_csv_free(&r);

	/* a blank line inside the data stops the reading */
	assert_int_equal(uc_csv_open_mem(&r, "a\n1\n\n2\n", 8, "b.csv",
	    NULL), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), 0);
	assert_int_equal(uc_csv_next(r, &f, &nf, &d), UC_ERR_INVALID);
	assert_int_equal(uc_csv_skip_error(r), UC_ERR_INVALID);
	uc_csv_free(&r);

	/* bad UTF-8 in the header: no header, no going on */
	assert_int_equal(uc_csv_open_mem(&r, "a,\xff\n1,2\n", 9, "h.csv",
	    NULL), 0);
	assert_int_equal(uc_csv_header_require(r, NULL, 0, 0, NULL, &d),
	    UC_ERR_INVALID);
	assert_int_equal(uc_csv_skip_error(r), UC_ERR_INVALID);
	uc_csv_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_file_shapes),
		cmocka_unit_test(test_trailing_blank_lines_ignored),
		cmocka_unit_test(test_errors_name_file_line_field),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_caller_diag),
		cmocka_unit_test(test_file_reader_across_chunks),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_writer_to_stream),
		cmocka_unit_test(test_writer_neutralises_formulas),
		cmocka_unit_test(test_semicolon_detected),
		cmocka_unit_test(test_skip_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
