/*
 * test_membercode.c - member codes and the proof of the Damm claim.
 *
 * The claim in docs/member-code.md is that every single-digit error and
 * every transposition of two adjacent different digits changes the Damm
 * check.  It is proven here EXHAUSTIVELY over every 5-digit body (each
 * with its check digit appended, so errors in the check digit itself are
 * covered), and over a large pseudo-random sample of full 11-digit codes
 * with every possible such error applied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/membercode.h"

static int
damm(const char *s, size_t n)
{
	int c = -1;

	assert_int_equal(uc_damm_check(s, n, &c), 0);
	return c;
}

/*
 * Apply every single-digit substitution and every adjacent transposition
 * of different digits to the valid string s (check digit included) and
 * demand that each one is detected.  Returns the number of errors tried.
 */
static unsigned long
all_errors_detected(const char *s, size_t n)
{
	char t[32];
	unsigned long tried = 0;
	size_t i;
	char c;

	assert_true(n < sizeof(t));
	assert_int_equal(damm(s, n), 0);
	for (i = 0; i < n; i++) {
		for (c = '0'; c <= '9'; c++) {
			if (c == s[i])
				continue;
			memcpy(t, s, n);
			t[i] = c;
			if (damm(t, n) == 0)
				fail_msg("substitution at %zu undetected: %.*s",
				    i, (int)n, t);
			tried++;
		}
	}
	for (i = 0; i + 1 < n; i++) {
		if (s[i] == s[i + 1])
			continue;
		memcpy(t, s, n);
		t[i] = s[i + 1];
		t[i + 1] = s[i];
		if (damm(t, n) == 0)
			fail_msg("transposition at %zu undetected: %.*s", i,
			    (int)n, t);
		tried++;
	}
	return tried;
}

static void
test_damm_known_values(void **state)
{
	int c = 7;

	(void)state;
	/* The worked example from the literature: 572 -> 4. */
	assert_int_equal(damm("572", 3), 4);
	assert_int_equal(damm("5724", 4), 0);
	assert_int_equal(damm("", 0), 0);
	assert_int_equal(damm("0", 1), 0);
	assert_int_equal(uc_damm_check("12a", 3, &c), UC_ERR_INVALID);
	assert_int_equal(c, 0);
}

static void
test_exhaustive_five_digit_bodies(void **state)
{
	unsigned long tried = 0;
	char s[16];
	unsigned v;

	(void)state;
	for (v = 0; v < 100000; v++) {
		snprintf(s, sizeof(s), "%05u", v);
		s[5] = (char)('0' + damm(s, 5));
		tried += all_errors_detected(s, 6);
	}
	/*
	 * 100000 bodies x 6 positions x 9 substitutions, plus one
	 * transposition per adjacent pair of different digits.
	 */
	assert_true(tried > 100000ul * 54);
}

/* xorshift64*: a fixed, reproducible sample. */
static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

static void
test_random_full_codes(void **state)
{
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
	char code[UC_MEMBERCODE_LEN + 1];
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		unsigned prefix = (unsigned)(next_rand(&x) % 99) + 1;
		uint32_t seq = (uint32_t)(next_rand(&x) % 100000000u);

		assert_int_equal(uc_membercode_make(prefix, seq, code), 0);
		assert_int_equal(strlen(code), UC_MEMBERCODE_LEN);
		all_errors_detected(code, UC_MEMBERCODE_LEN);
	}
}

static void
test_make_validate_split(void **state)
{
	char code[UC_MEMBERCODE_LEN + 1];
	unsigned prefix = 0;
	uint32_t seq = 0;
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_membercode_make(52, 1234, code), 0);
	assert_memory_equal(code, "5200001234", 10);
	assert_int_equal(code[10] - '0', damm("5200001234", 10));
	assert_int_equal(uc_membercode_validate(code, 11, &d), 0);
	assert_int_equal(uc_membercode_split(code, 11, &prefix, &seq, &d), 0);
	assert_int_equal(prefix, 52);
	assert_int_equal(seq, 1234);

	assert_int_equal(uc_membercode_make(99, UC_MEMBERCODE_SEQ_MAX, code),
	    0);
	assert_int_equal(uc_membercode_split(code, 11, &prefix, &seq, NULL),
	    0);
	assert_int_equal(prefix, 99);
	assert_int_equal(seq, 99999999u);
	assert_int_equal(uc_membercode_make(1, 0, code), 0);
	assert_memory_equal(code, "0100000000", 10);

	assert_int_equal(uc_membercode_make(0, 1, code), UC_ERR_RANGE);
	assert_string_equal(code, "");
	assert_int_equal(uc_membercode_make(100, 1, code), UC_ERR_RANGE);
	assert_int_equal(uc_membercode_make(1, 100000000u, code),
	    UC_ERR_RANGE);
}

static void
test_validate_says_what_is_wrong(void **state)
{
	char code[UC_MEMBERCODE_LEN + 1];
	unsigned prefix = 7;
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_membercode_make(52, 1234, code), 0);

	assert_int_equal(uc_membercode_validate(code, 10, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "member_code");
	assert_non_null(strstr(d.msg, "11 digits"));

	code[4] = 'x';
	assert_int_equal(uc_membercode_validate(code, 11, &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "non-digit at position 5"));

	assert_int_equal(uc_membercode_make(52, 1234, code), 0);
	code[5] = code[5] == '9' ? '0' : (char)(code[5] + 1);
	assert_int_equal(uc_membercode_split(code, 11, &prefix, NULL, &d),
	    UC_ERR_INVALID);
	assert_int_equal(prefix, 0);
	assert_non_null(strstr(d.msg, "check digit"));

	/* 00 + anything with a right check digit is still refused. */
	memcpy(code, "0000001234", 10);
	code[10] = (char)('0' + damm(code, 10));
	assert_int_equal(uc_membercode_validate(code, 11, &d), UC_ERR_INVALID);
	assert_non_null(strstr(d.msg, "prefix 00"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damm_known_values),
		cmocka_unit_test(test_exhaustive_five_digit_bodies),
		cmocka_unit_test(test_random_full_codes),
		cmocka_unit_test(test_make_validate_split),
		cmocka_unit_test(test_validate_says_what_is_wrong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
