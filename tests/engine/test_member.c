/*
 * test_member.c - the member-file parser: one good file, and one test per
 * kind of mistake an operator can make, each naming the right field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/error.h"
#include "unioncard/member.h"

#define GOOD_NAME "Nguy\xe1\xbb\x85n V\xc4\x83n An" /* Nguyễn Văn An */

static char *
doc(const char *code, const char *name, const char *ucode, const char *uname,
    const char *type, const char *issued, const char *expires,
    const char *extra)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
	    "{\"member_code\": %s, \"full_name\": %s, \"unit_code\": %s, "
	    "\"unit_name\": %s, \"card_type\": %s, \"issued_on\": %s, "
	    "\"expires_on\": %s%s}",
	    code, name, ucode, uname, type, issued, expires,
	    extra != NULL ? extra : "");
	return buf;
}

static char *
good(void)
{
	return doc("\"52000012345\"", "\"" GOOD_NAME "\"", "\"BD.QN-001\"",
	    "\"C\xc3\xb4ng \xc4\x91o\xc3\xa0n c\xc6\xa1 s\xe1\xbb\x9f\"",
	    "\"regular\"", "\"2026-11-25\"", "\"2031-11-24\"", NULL);
}

static void
expect_bad(const char *json, const char *field, const char *msg_part)
{
	struct uc_member m;
	struct uc_diag d;
	int r;

	r = uc_member_parse(json, strlen(json), "m.json", &m, &d);
	assert_int_equal(r, UC_ERR_INVALID);
	assert_string_equal(d.file, "m.json");
	assert_string_equal(d.field, field);
	if (msg_part != NULL && strstr(d.msg, msg_part) == NULL)
		fail_msg("diag '%s' lacks '%s'", d.msg, msg_part);
	/* Nothing half-parsed is left behind. */
	assert_int_equal(m.member_code[0], 0);
}

static void
test_good(void **state)
{
	struct uc_member m;
	struct uc_diag d;
	const char *j = good();

	(void)state;
	assert_int_equal(uc_member_parse(j, strlen(j), "m.json", &m, &d), 0);
	assert_string_equal(m.member_code, "52000012345");
	assert_string_equal(m.full_name, GOOD_NAME);
	assert_string_equal(m.unit_code, "BD.QN-001");
	assert_int_equal(m.card_type, UC_CARD_TYPE_REGULAR);
	assert_string_equal(m.issued_on, "20261125");
	assert_string_equal(m.expires_on, "20311124");
}

static void
test_nfd_normalized(void **state)
{
	struct uc_member m;
	struct uc_diag d;
	/* "Nguyễn" in NFD: e + circumflex (CC 82) + tilde (CC 83). */
	const char *j = doc("\"52000012345\"", "\"Nguye\xcc\x82\xcc\x83n\"", "\"A\"",
	    "\"U\"", "\"linked\"", "\"2024-02-29\"", "\"2024-02-29\"", NULL);

	(void)state;
	assert_int_equal(uc_member_parse(j, strlen(j), NULL, &m, &d), 0);
	assert_string_equal(m.full_name, "Nguy\xe1\xbb\x85n");
	assert_int_equal(m.card_type, UC_CARD_TYPE_LINKED);
}

static void
test_missing_and_types(void **state)
{
	(void)state;
	expect_bad("{\"member_code\": \"52000012345\"}", "full_name",
	    "missing");
	expect_bad(doc("123", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "member_code",
	    "string");
	expect_bad(doc("\"52000012345\"", "null", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "full_name", "string");
	expect_bad("[1, 2]", "", "object");
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", ", \"pan\": \"1\""), "pan",
	    "unknown");
}

static void
test_bad_json_has_line(void **state)
{
	struct uc_member m;
	struct uc_diag d;
	const char *j = "{\n\"member_code\": \"1\",\n oops }";

	(void)state;
	assert_int_equal(uc_member_parse(j, strlen(j), "x.json", &m, &d),
	    UC_ERR_INVALID);
	assert_int_equal(d.line, 3);
	/* Duplicate keys are refused, not silently last-wins. */
	j = "{\"member_code\": \"1\", \"member_code\": \"2\"}";
	assert_int_equal(uc_member_parse(j, strlen(j), "x.json", &m, &d),
	    UC_ERR_INVALID);
}

static void
test_text_fields(void **state)
{
	char big[200];
	char json[256];

	(void)state;
	expect_bad(doc("\"52000012345\"", "\"Nguy\xe1\xbbn\"", "\"A\"", "\"U\"",
	    "\"regular\"", "\"2026-01-01\"", "\"2027-01-01\"", NULL),
	    "", "UTF-8"); /* refused by position, before any field */
	expect_bad(doc("\"52000012345\"", "\"A\\tB\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "full_name",
	    "control");
	expect_bad(doc("\"52000012345\"", "\"A\\u0000B\"", "\"A\"", "\"U\"",
	    "\"regular\"", "\"2026-01-01\"", "\"2027-01-01\"", NULL),
	    "full_name", "NUL");
	expect_bad(doc("\"52000012345\"", "\" An\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "full_name", "spaces");
	expect_bad(doc("\"52000012345\"", "\"\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "full_name", "empty");
	/* 129 bytes is one too many; 128 is fine. */
	memset(big, 'a', 129);
	big[129] = '\0';
	snprintf(json, sizeof(json), "\"%s\"", big);
	expect_bad(doc("\"52000012345\"", json, "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "full_name", "long");
	expect_bad(doc("\"12a\"", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "member_code", "0-9");
	expect_bad(doc("\"123456789012345678901\"", "\"A\"", "\"A\"", "\"U\"",
	    "\"regular\"", "\"2026-01-01\"", "\"2027-01-01\"", NULL),
	    "member_code", "long");
	/* One digit off: the Damm check digit catches it. */
	expect_bad(doc("\"52000012346\"", "\"A\"", "\"A\"", "\"U\"",
	    "\"regular\"", "\"2026-01-01\"", "\"2027-01-01\"", NULL),
	    "member_code", "check");
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"bd.qn\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "unit_code", "A-Z");
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"A\"", "\"U\"", "\"gold\"",
	    "\"2026-01-01\"", "\"2027-01-01\"", NULL), "card_type", "gold");
}

static void
test_dates(void **state)
{
	(void)state;
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026/01/01\"", "\"2027-01-01\"", NULL), "issued_on",
	    "YYYY-MM-DD");
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-01\"", "\"2027-02-29\"", NULL), "expires_on",
	    "calendar");
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-13-01\"", "\"2027-01-01\"", NULL), "issued_on",
	    "calendar");
	expect_bad(doc("\"52000012345\"", "\"A\"", "\"A\"", "\"U\"", "\"regular\"",
	    "\"2026-01-02\"", "\"2026-01-01\"", NULL), "expires_on",
	    "before");
	assert_true(uc_member_date_valid("20000229"));
	assert_false(uc_member_date_valid("21000229"));
	assert_false(uc_member_date_valid("2026011"));
	assert_false(uc_member_date_valid("20260100"));
}

static void
test_load(void **state)
{
	struct uc_member m;
	struct uc_diag d;
	char path[] = "/tmp/uc-member-XXXXXX";
	const char *j = good();
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(uc_member_load("/nonexistent/m.json", &m, &d),
	    UC_ERR_IO);
	assert_string_equal(d.file, "/nonexistent/m.json");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(j, f);
	fclose(f);
	assert_int_equal(uc_member_load(path, &m, &d), 0);
	assert_string_equal(m.member_code, "52000012345");
	remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_nfd_normalized),
		cmocka_unit_test(test_missing_and_types),
		cmocka_unit_test(test_bad_json_has_line),
		cmocka_unit_test(test_text_fields),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
