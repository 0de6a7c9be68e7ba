/*
 * test_entry.c - the one check of text that reaches a card or a terminal
 * (uc_member_text_check, uc_member_unit_code_check), the yes/no words
 * (uc_text_yesno) and the formula-safe CSV cell (uc_csv_write_cell).
 *
 * The ledger's entry points and the card path call the same functions;
 * the last test shows that what the check refuses the card builder
 * refuses too.  Accented text is spelled with escapes so the test does
 * not depend on how an editor stored the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/buf.h"
#include "unioncard/csv.h"
#include "unioncard/dataobj.h"
#include "unioncard/error.h"
#include "unioncard/member.h"
#include "unioncard/text.h"

#define CO "c\u00f3"              /* có */
#define CO_HOOK "c\u1ecf"         /* cỏ: another word */
#define CO_NFD "co\u0301"         /* có, decomposed */
#define KHONG_UP "KH\u00d4NG"     /* KHÔNG */
#define NU "n\u1eef"              /* nữ */
#define NU_ACUTE "n\u1ee9"        /* nứ */
#define E_NFD "e\u0323\u0302"     /* ệ, decomposed: 5 bytes */
#define E_NFC "\u1ec7"            /* ệ: 3 bytes */

static int
check(enum uc_member_text_kind k, const char *s, size_t n, unsigned flags,
    char *out, size_t cap, struct uc_diag *d)
{
	uc_diag_clear(d);
	return uc_member_text_check(k, s, n, flags, out, cap, NULL, NULL,
	    "f", d);
}

static void
test_control_characters_refused(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		const char *named;
	} bad[] = {
		{ "An\0h", 4, "NUL" },
		{ "An\th", 4, "tab" },
		{ "An\rh", 4, "carriage return" },
		{ "An\nh", 4, "line break" },
		{ "An\033[2Jh", 8, "escape" },
		{ "An\177h", 4, "DEL" },
		{ "An\302\205h", 5, "U+0085" },   /* C1 NEL */
		{ "An\302\237h", 5, "U+009F" },
		{ "An\001h", 4, "U+0001" },
	};
	struct uc_diag d;
	char out[UC_MEMBER_REASON_MAX + 1];
	size_t i;
	int k;

	(void)state;
	for (k = UC_MEMBER_TEXT_FULL_NAME; k <= UC_MEMBER_TEXT_REASON; k++)
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(check((enum uc_member_text_kind)k,
			    bad[i].s, bad[i].n, UC_MEMBER_TEXT_TIDY, out,
			    sizeof(out), &d), UC_ERR_INVALID);
			assert_non_null(strstr(d.msg, bad[i].named));
			assert_string_equal(d.field, "f");
			assert_string_equal(out, "");
		}
	/* U+00A0..: not controls */
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, "An \302\240h", 5, 0,
	    out, sizeof(out), &d), 0);
}

static void
test_tidy_trims_and_collapses(void **state)
{
	struct uc_diag d;
	char out[UC_MEMBER_NAME_MAX + 1];
	size_t n = 0;
	const char *s = "  Nguy\u1ec5n   V\u0103n\t ";

	(void)state;
	uc_diag_clear(&d);
	assert_int_equal(uc_member_text_check(UC_MEMBER_TEXT_FULL_NAME, s,
	    strlen(s), UC_MEMBER_TEXT_TIDY, out, sizeof(out), &n, NULL, NULL,
	    &d), 0);
	assert_string_equal(out, "Nguy\u1ec5n V\u0103n");
	assert_int_equal(n, strlen(out));
	/* untidied text (a member file, a card) with spaces at the ends */
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, " An", 3, 0, out,
	    sizeof(out), &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "leading or trailing"));
	/* all spaces is empty */
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, "   ", 3,
	    UC_MEMBER_TEXT_TIDY, out, sizeof(out), &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "empty"));
	/* a position may be empty, a reason may not */
	assert_int_equal(check(UC_MEMBER_TEXT_POSITION, "", 0,
	    UC_MEMBER_TEXT_TIDY, out, sizeof(out), &d), 0);
	assert_int_equal(check(UC_MEMBER_TEXT_REASON, "", 0, 0, out,
	    sizeof(out), &d), UC_ERR_INVALID);
}

static void
test_card_limits(void **state)
{
	struct uc_diag d;
	char in[1024], out[UC_MEMBER_REASON_MAX + 1];
	size_t i;

	(void)state;
	/* full name: 128 bytes of NFC fit, 129 do not */
	memset(in, 'a', 129);
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, in, 128, 0, out,
	    sizeof(out), &d), 0);
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, in, 129, 0, out,
	    sizeof(out), &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "at most 128"));
	assert_non_null(strstr(d.msg, "card"));
	/* unit name: 160 / 161 */
	memset(in, 'b', 161);
	assert_int_equal(check(UC_MEMBER_TEXT_UNIT_NAME, in, 160, 0, out,
	    sizeof(out), &d), 0);
	assert_int_equal(check(UC_MEMBER_TEXT_UNIT_NAME, in, 161, 0, out,
	    sizeof(out), &d), UC_ERR_INVALID);
	/* the limit is on the NFC form: 42 x "ệ" is 210 bytes of NFD and
	 * 126 of NFC */
	in[0] = '\0';
	for (i = 0; i < 42; i++)
		strcat(in, E_NFD);
	assert_int_equal(strlen(in), 210);
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, in, strlen(in), 0,
	    out, sizeof(out), &d), 0);
	assert_int_equal(strlen(out), 126);
	assert_memory_equal(out, E_NFC, 3);
	/* what a card holds must already be NFC */
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, in, strlen(in),
	    UC_MEMBER_TEXT_CARD, out, sizeof(out), &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "NFC"));
	/* bad UTF-8 is named by byte */
	assert_int_equal(check(UC_MEMBER_TEXT_FULL_NAME, "A\xc3", 2, 0, out,
	    sizeof(out), &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "UTF-8"));
}

static void
test_unit_code_alphabet(void **state)
{
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_member_unit_code_check("TP01", 4, NULL, NULL, &d),
	    0);
	assert_int_equal(uc_member_unit_code_check("BD.QN-0_1", 9, NULL, NULL,
	    &d), 0);
	assert_int_equal(uc_member_unit_code_check("tp01", 4, NULL, NULL, &d),
	    UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "A-Z 0-9"));
	assert_int_equal(uc_member_unit_code_check("TP 01", 5, NULL, NULL,
	    &d), UC_ERR_INVALID);
	assert_int_equal(uc_member_unit_code_check("TP\0", 3, NULL, NULL, &d),
	    UC_ERR_INVALID);
	assert_int_equal(uc_member_unit_code_check("", 0, NULL, NULL, &d),
	    UC_ERR_INVALID);
	assert_int_equal(uc_member_unit_code_check(
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", 33, NULL, NULL, &d),
	    UC_ERR_INVALID);
}

/* What the entry check refuses, the card builder refuses: one rule. */
static void
test_card_builder_shares_the_check(void **state)
{
	static const uint8_t serial[UC_CARD_SERIAL_LEN] = { 1, 2, 3, 4, 5, 6,
	    7, 8 };
	struct uc_member m;
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	memset(&m, 0, sizeof(m));
	strcpy(m.member_code, "52000000010");
	strcpy(m.full_name, "Nguy\u1ec5n V\u0103n An");
	strcpy(m.unit_code, "TP01");
	strcpy(m.unit_name, "C\u0110CS Tr\u01b0\u1eddng THPT");
	m.card_type = UC_CARD_TYPE_REGULAR;
	strcpy(m.issued_on, "20210715");
	strcpy(m.expires_on, "20260714");
	assert_int_equal(uc_dataobj_identity(&m, serial, &b), 0);
	b.len = 0;
	strcpy(m.full_name, "Nguy\u1ec5n\nV\u0103n An");
	assert_int_equal(uc_dataobj_identity(&m, serial, &b),
	    UC_ERR_INVALID);
	strcpy(m.full_name, "Nguy\u1ec5n V\u0103n An");
	strcpy(m.unit_code, "tp01");
	assert_int_equal(uc_dataobj_identity(&m, serial, &b),
	    UC_ERR_INVALID);
	strcpy(m.unit_code, "TP01");
	strcpy(m.unit_name, "CDCS \033[2J");
	assert_int_equal(uc_dataobj_identity(&m, serial, &b),
	    UC_ERR_INVALID);
	uc_buf_free(&b);
}

static void
test_yesno_exact_words(void **state)
{
	static const char *const yes[] = { "1", "yes", "YES", "Y", "true",
	    CO, "C\u00f3", "C\u00d3", CO_NFD, "co", " " CO " " };
	static const char *const no[] = { "0", "no", "No", "n", "FALSE",
	    "kh\u00f4ng", "Kh\u00f4ng", KHONG_UP, "khong" };
	static const char *const neither[] = { "", " ", CO_HOOK, "c\u1ed1",
	    "yes please", "2", "x", "kh\u1ed3ng", "c" };
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = -1;
		assert_int_equal(uc_text_yesno(yes[i], strlen(yes[i]), &v), 0);
		assert_int_equal(v, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		v = -1;
		assert_int_equal(uc_text_yesno(no[i], strlen(no[i]), &v), 0);
		assert_int_equal(v, 0);
	}
	for (i = 0; i < sizeof(neither) / sizeof(neither[0]); i++)
		assert_int_equal(uc_text_yesno(neither[i], strlen(neither[i]),
		    &v), UC_ERR_INVALID);
}

static void
test_word_match(void **state)
{
	static const char *const female[] = { NU, "N\u1eef", "f" };

	(void)state;
	assert_int_equal(uc_text_word_match(NU, strlen(NU), female, 3), 0);
	assert_int_equal(uc_text_word_match("F", 1, female, 3), 2);
	assert_int_equal(uc_text_word_match(NU_ACUTE, strlen(NU_ACUTE),
	    female, 3), -1);
	assert_int_equal(uc_text_word_match("nu", 2, female, 3), -1);
}

static void
cell(const char *in, const char *want)
{
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(uc_csv_write_cell(&b, in, strlen(in)), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	uc_buf_free(&b);
}

static void
test_csv_formula_cells(void **state)
{
	(void)state;
	cell("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"");
	cell("+1", "\"'+1\"");
	cell("-2+3", "\"'-2+3\"");
	cell("@SUM(A1)", "\"'@SUM(A1)\"");
	cell("\tx", "\"'\tx\"");
	cell("\rx", "\"'\rx\"");
	cell("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
	/* only the first character matters; other cells as the writer */
	cell("a=b", "a=b");
	cell("Nguy\u1ec5n V\u0103n \u0110\u1ee9c", "Nguy\u1ec5n V\u0103n "
	    "\u0110\u1ee9c");
	cell("K\u1ebf to\u00e1n, th\u1ee7 qu\u1ef9",
	    "\"K\u1ebf to\u00e1n, th\u1ee7 qu\u1ef9\"");
	cell("", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_characters_refused),
		cmocka_unit_test(test_tidy_trims_and_collapses),
		cmocka_unit_test(test_card_limits),
		cmocka_unit_test(test_unit_code_alphabet),
		cmocka_unit_test(test_card_builder_shares_the_check),
		cmocka_unit_test(test_yesno_exact_words),
		cmocka_unit_test(test_word_match),
		cmocka_unit_test(test_csv_formula_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
