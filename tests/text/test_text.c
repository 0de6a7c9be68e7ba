/*
 * test_text.c - UTF-8 validation, NFC, ASCII folding and bank names.
 *
 * Decomposed (NFD) inputs are written with explicit combining marks, so
 * the test does not depend on how an editor stored the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "unioncard/error.h"
#include "unioncard/text.h"

/* Precomposed (NFC) forms, spelled as escapes for the same reason. */
#define NGUYEN_NFC "Nguy\u1ec5n"             /* Nguyễn */
#define NGUYEN_NFD "Nguye\u0302\u0303n"
#define TUYET_NFC "Huy\u0300nh L\u00ea Di\u1ec5m Tuy\u1ebft"
#define TUYET_NFC2 "Hu\u1ef3nh L\u00ea Di\u1ec5m Tuy\u1ebft"
#define TUYET_NFD "Huy\u0300nh Le\u0302 Die\u0302\u0303m Tuye\u0302\u0301t"

static void
check_nfc(const char *in, const char *want)
{
	char out[256];
	size_t n = 99;

	assert_int_equal(uc_text_nfc(in, strlen(in), out, sizeof(out), &n), 0);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n + 1);
}

static void
test_nfc_vietnamese(void **state)
{
	char *dup = NULL;

	(void)state;
	check_nfc(NGUYEN_NFD, NGUYEN_NFC);
	check_nfc(NGUYEN_NFC, NGUYEN_NFC);
	/* TUYET_NFC has a decomposed ỳ: NFC composes it. */
	check_nfc(TUYET_NFC, TUYET_NFC2);
	check_nfc(TUYET_NFD, TUYET_NFC2);
	check_nfc(TUYET_NFC2, TUYET_NFC2);
	check_nfc("Tra\u0302\u0300n Thi\u0323 \u0110a\u0300o",
	    "Tr\u1ea7n Th\u1ecb \u0110\u00e0o");
	/* Marks in non-canonical order are reordered: dot below first. */
	check_nfc("O\u031b\u0309\u0323", "\u1ee2\u0309");
	check_nfc("", "");
	check_nfc("ASCII only", "ASCII only");

	assert_int_equal(uc_text_nfc_dup(NGUYEN_NFD, strlen(NGUYEN_NFD), &dup),
	    0);
	assert_string_equal(dup, NGUYEN_NFC);
	free(dup);
}

static void
test_nfc_buffer_and_errors(void **state)
{
	char out[8];
	size_t n = 5;

	(void)state;
	/* "Nguyễn" is 8 bytes: needs 9 with the NUL. */
	assert_int_equal(uc_text_nfc(NGUYEN_NFD, strlen(NGUYEN_NFD), out,
	    sizeof(out), &n), UC_ERR_BUFFER);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_int_equal(uc_text_nfc(NGUYEN_NFC, strlen(NGUYEN_NFC), out,
	    sizeof(out), &n), UC_ERR_BUFFER);
	assert_int_equal(uc_text_nfc("ab\xc0\xaf", 4, out, sizeof(out), &n),
	    UC_ERR_INVALID);
	assert_int_equal(uc_text_nfc("a\xcc", 2, out, sizeof(out), &n),
	    UC_ERR_INVALID);
}

/*
 * The NFC fast path copies text made only of code points below U+0300 or
 * in U+1E00..U+1EFF.  That is right only if each of them is a starter that
 * NFC leaves alone and no two of them compose.  Prove it for every single
 * code point and every ordered pair.
 */
static void
test_nfc_fast_path_is_sound(void **state)
{
	static uint32_t cps[0x300 + 0x100];
	uint8_t in[16], res[64];
	size_t ncp = 0, i, j, n, rlen;
	uint32_t c;

	(void)state;
	for (c = 1; c < 0x300; c++)
		cps[ncp++] = c;
	for (c = 0x1e00; c <= 0x1eff; c++)
		cps[ncp++] = c;
	for (i = 0; i < ncp; i++) {
		assert_int_equal(uc_combining_class(cps[i]), 0);
		n = (size_t)u8_uctomb(in, cps[i], sizeof(in));
		rlen = sizeof(res);
		assert_non_null(u8_normalize(UNINORM_NFC, in, n, res, &rlen));
		assert_int_equal(rlen, n);
		assert_memory_equal(res, in, n);
	}
	for (i = 0; i < ncp; i++) {
		size_t a = (size_t)u8_uctomb(in, cps[i], sizeof(in));

		for (j = 0; j < ncp; j++) {
			uint8_t *p;

			n = a + (size_t)u8_uctomb(in + a, cps[j],
			    sizeof(in) - a);
			rlen = sizeof(res);
			p = u8_normalize(UNINORM_NFC, in, n, res, &rlen);
			assert_ptr_equal(p, res);
			if (rlen != n || memcmp(res, in, n) != 0)
				fail_msg("U+%04X U+%04X composes",
				    (unsigned)cps[i], (unsigned)cps[j]);
		}
	}
}

static void
check_utf8_bad(const char *s, size_t len, size_t want_off)
{
	size_t off = 99;

	assert_int_equal(uc_text_utf8_check(s, len, &off), UC_ERR_INVALID);
	assert_int_equal(off, want_off);
}

static void
test_utf8_rejects(void **state)
{
	(void)state;
	check_utf8_bad("ab\xc0\xaf", 4, 2);          /* overlong '/' */
	check_utf8_bad("\xc1\xbf", 2, 0);            /* overlong */
	check_utf8_bad("\xe0\x80\xaf", 3, 0);        /* overlong 3-byte */
	check_utf8_bad("\xf0\x80\x80\xaf", 4, 0);    /* overlong 4-byte */
	check_utf8_bad("x\xed\xa0\x80", 4, 1);       /* surrogate D800 */
	check_utf8_bad("\xed\xbf\xbf", 3, 0);        /* surrogate DFFF */
	check_utf8_bad("\xf4\x90\x80\x80", 4, 0);    /* U+110000 */
	check_utf8_bad("\xf5\x80\x80\x80", 4, 0);
	check_utf8_bad("\xff", 1, 0);
	check_utf8_bad("Nguy\xe1\xbb", 6, 4);        /* truncated */
	check_utf8_bad("abcdefghij\x80", 11, 10);    /* stray continuation */
	assert_int_equal(uc_text_utf8_check("\xf4\x8f\xbf\xbf", 4, NULL), 0);
	assert_int_equal(uc_text_utf8_check("\xed\x9f\xbf", 3, NULL), 0);
	assert_int_equal(uc_text_utf8_check(TUYET_NFD, strlen(TUYET_NFD),
	    NULL), 0);
	assert_int_equal(uc_text_utf8_check("", 0, NULL), 0);
}

/* Cross-check the validator against libunistring on every short form. */
static void
test_utf8_agrees_with_libunistring(void **state)
{
	uint8_t b[4];
	uint32_t v;
	int want, got;

	(void)state;
	for (v = 0; v < 0x10000; v++) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
		want = u8_check(b, 2) == NULL;
		got = uc_text_utf8_check((const char *)b, 2, NULL) == 0;
		if (want != got)
			fail_msg("%02x %02x", b[0], b[1]);
	}
	for (v = 0xe00000; v < 0xf00000; v++) {
		b[0] = (uint8_t)(v >> 16);
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)v;
		want = u8_check(b, 3) == NULL;
		got = uc_text_utf8_check((const char *)b, 3, NULL) == 0;
		if (want != got)
			fail_msg("%02x %02x %02x", b[0], b[1], b[2]);
	}
	for (v = 0; v < 0x1000000; v += 7) {
		b[0] = (uint8_t)(0xf0 + (v >> 21));
		b[1] = (uint8_t)(v >> 14 & 0x7f) | 0x80;
		b[2] = (uint8_t)(v >> 7 & 0x7f) | ((v & 1) ? 0x80 : 0x40);
		b[3] = (uint8_t)(v & 0x7f) | 0x80;
		want = u8_check(b, 4) == NULL;
		got = uc_text_utf8_check((const char *)b, 4, NULL) == 0;
		if (want != got)
			fail_msg("%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
	}
}

static void
check_fold(const char *in, const char *want)
{
	char out[256];
	size_t n = 99;
	char *dup = NULL;

	assert_int_equal(uc_text_fold_ascii(in, strlen(in), out, sizeof(out),
	    &n), 0);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(uc_text_fold_ascii_dup(in, strlen(in), &dup), 0);
	assert_string_equal(dup, want);
	free(dup);
}

static void
check_bank(const char *in, const char *want)
{
	char out[256];
	size_t n = 99;
	char *dup = NULL;

	assert_int_equal(uc_text_bank_name(in, strlen(in), out, sizeof(out),
	    &n), 0);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(uc_text_bank_name_dup(in, strlen(in), &dup), 0);
	assert_string_equal(dup, want);
	free(dup);
}

static void
test_fold_ascii(void **state)
{
	(void)state;
	check_fold(TUYET_NFC2, "Huynh Le Diem Tuyet");
	check_fold(TUYET_NFD, "Huynh Le Diem Tuyet");
	check_fold(TUYET_NFC, "Huynh Le Diem Tuyet");
	check_fold(NGUYEN_NFC, "Nguyen");
	/* Đ/đ have no decomposition: mapped explicitly. */
	check_fold("\u0110\u1eb7ng \u0110\u00ecnh \u0111\u1ee9c",
	    "Dang Dinh duc");
	check_fold("Ph\u1ea1m Th\u1ecb \u01af\u1edbc \u01a0n",
	    "Pham Thi Uoc On");
	check_fold("L\u00ea\u00a0V\u0103n", "Le Van");
	check_fold("H\u2019Hen Ni\u00ea", "H'Hen Nie");
	check_fold("plain, ASCII; kept 123", "plain, ASCII; kept 123");
	check_fold("", "");
}

/*
 * The folding rule, written out again independently of text.c: follow the
 * canonical decomposition to the base, drop marks, Zs -> ' ', plus the
 * explicit mappings.  -1: no ASCII form; 0: dropped.
 */
static int
expected_fold(uint32_t cp)
{
	ucs4_t dec[UC_DECOMPOSITION_MAX_LENGTH];

	for (;;) {
		if (cp < 0x80)
			return (int)cp;
		if (cp == 0x110 || cp == 0x189)
			return 'D';
		if (cp == 0x111)
			return 'd';
		if (cp == 0x2018 || cp == 0x2019 || cp == 0x2bc)
			return '\'';
		if (cp >= 0x2010 && cp <= 0x2014)
			return '-';
		if (cp == 0xfeff || uc_is_general_category(cp, UC_CATEGORY_M))
			return 0;
		if (uc_is_general_category(cp, UC_CATEGORY_Zs))
			return ' ';
		if (uc_canonical_decomposition(cp, dec) <= 0)
			return -1;
		cp = dec[0];
	}
}

/* Every code point of the BMP and beyond folds as the rule says. */
static void
test_fold_every_code_point(void **state)
{
	uint8_t in[8];
	char out[8];
	uint32_t cp;
	size_t n, len;
	int want, r;

	(void)state;
	for (cp = 0x80; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		len = (size_t)u8_uctomb(in, cp, sizeof(in));
		want = expected_fold(cp);
		r = uc_text_fold_ascii((const char *)in, len, out, sizeof(out),
		    &n);
		if (want < 0 ? r != UC_ERR_INVALID :
		    (r != 0 || n != (want > 0) || (n == 1 && out[0] != want)))
			fail_msg("U+%04X: got %d/%zu, want %d", (unsigned)cp, r,
			    n, want);
	}
}

static void
test_fold_refuses_what_it_cannot_fold(void **state)
{
	char out[64];
	size_t n = 9;

	(void)state;
	assert_int_equal(uc_text_fold_ascii("S\u00f8ren", 7, out, sizeof(out),
	    &n), UC_ERR_INVALID);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_int_equal(uc_text_fold_ascii("\u4e2d", 3, out, sizeof(out),
	    &n), UC_ERR_INVALID);
	assert_int_equal(uc_text_fold_ascii("a\xed\xa0\x80", 4, out,
	    sizeof(out), &n), UC_ERR_INVALID);
	/* Folding never grows: len + 1 always suffices, len does not. */
	assert_int_equal(uc_text_fold_ascii("abc", 3, out, 3, &n),
	    UC_ERR_BUFFER);
	assert_int_equal(uc_text_fold_ascii("abc", 3, out, 4, &n), 0);
}

static void
test_bank_name(void **state)
{
	char out[64];
	size_t n;

	(void)state;
	check_bank(TUYET_NFC2, "HUYNH LE DIEM TUYET");
	check_bank("  Hu\u1ef3nh  L\u00ea Di\u1ec5m\tTuy\u1ebft \r\n",
	    "HUYNH LE DIEM TUYET");
	check_bank(TUYET_NFD, "HUYNH LE DIEM TUYET");
	check_bank("Tr\u1ea7n Th\u1ecb \u0110\u00e0o", "TRAN THI DAO");
	check_bank("\u0111\u1ed7 \u0111\u1ee9c", "DO DUC");
	check_bank("\u00a0 L\u00ea\u3000V\u0103n\u00a0", "LE VAN");
	check_bank("   ", "");
	assert_int_equal(uc_text_bank_name("A\x01" "B", 3, out, sizeof(out),
	    &n), UC_ERR_INVALID);
}

static void
check_trim(const char *in, const char *want)
{
	const char *p = in;
	size_t n = strlen(in);

	uc_text_trim(&p, &n);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

static void
test_trim(void **state)
{
	(void)state;
	check_trim("  abc \t", "abc");
	check_trim("\xef\xbb\xbf" "abc", "abc");
	check_trim("\xc2\xa0\xe3\x80\x80 L\u00ea \xe2\x80\xaf\r\n", "L\u00ea");
	check_trim("a b", "a b");
	check_trim("   ", "");
	check_trim("", "");
	/* A lone 0xa0 byte (invalid) is not white space. */
	check_trim("x\xa0", "x\xa0");
	check_trim("\u1ec5", "\u1ec5");
}

static void
test_ascii_helpers(void **state)
{
	(void)state;
	assert_true(uc_text_ascii_caseeq("Member_Code", 11, "member_code", 11));
	assert_false(uc_text_ascii_caseeq("member_code", 11, "member_cod", 10));
	assert_true(uc_text_is_ascii("0123456789abcdefghij", 20));
	assert_false(uc_text_is_ascii("0123456789abcdef\xc3\xa0", 18));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfc_vietnamese),
		cmocka_unit_test(test_nfc_buffer_and_errors),
		cmocka_unit_test(test_nfc_fast_path_is_sound),
		cmocka_unit_test(test_utf8_rejects),
		cmocka_unit_test(test_utf8_agrees_with_libunistring),
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_fold_every_code_point),
		cmocka_unit_test(test_fold_refuses_what_it_cannot_fold),
		cmocka_unit_test(test_bank_name),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_ascii_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
