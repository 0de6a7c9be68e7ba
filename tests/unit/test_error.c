/*
 * test_error.c - the error table and status-word mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/error.h"

static void
test_names_and_texts(void **state)
{
	(void)state;
	assert_string_equal(uc_errname(UC_ERR_NO_CARD), "UC_ERR_NO_CARD");
	assert_string_equal(uc_strerror(UC_ERR_NO_CARD), "no card in the reader");
	assert_string_equal(uc_errname(-9999), "UC_ERR_UNKNOWN");
	assert_string_equal(uc_strerror(0), "success");
}

static void
test_sw_mapping(void **state)
{
	(void)state;
	assert_int_equal(uc_sw_to_err(0x9000), 0);
	assert_int_equal(uc_sw_to_err(0x6a82), UC_ERR_SW_NOT_FOUND);
	assert_int_equal(uc_sw_to_err(0x63c2), UC_ERR_SW_AUTH_FAILED);
	assert_int_equal(uc_sw_to_err(0x6983), UC_ERR_SW_BLOCKED);
	assert_int_equal(uc_sw_to_err(0x6985), UC_ERR_SW_CONDITIONS);
	assert_int_equal(uc_sw_to_err(0x1234), UC_ERR_SW);
}

static void
test_diag_format(void **state)
{
	struct uc_diag d;
	char buf[512];

	(void)state;
	assert_int_equal(uc_diag_set(&d, UC_ERR_INVALID, "members.csv", 7,
	    "date_of_birth", "not a date: '%s'", "31/02/1990"), UC_ERR_INVALID);
	uc_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf,
	    "members.csv:7: date_of_birth: not a date: '31/02/1990'");
	uc_diag_clear(&d);
	uc_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "invalid");
	/* a tiny buffer is still terminated */
	uc_diag_set(&d, UC_ERR_INVALID, "f", 1, "x", "long message here");
	uc_diag_format(&d, buf, 5);
	assert_int_equal(strlen(buf), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_texts),
		cmocka_unit_test(test_sw_mapping),
		cmocka_unit_test(test_diag_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
