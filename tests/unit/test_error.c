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

/*
 * One list (unioncard/sw.h) gives both the error and the text of a word,
 * families by their mask; no two rows claim the same word.
 */
static void
test_sw_one_table(void **state)
{
	static const struct {
		uint16_t value, mask;
		int err;
		const char *desc;
	} rows[] = {
#define ROW(name, value, mask, err, desc) { value, mask, err, desc },
		UC_SW_TABLE(ROW)
#undef ROW
	};
	size_t i, j;
	unsigned w;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(rows[i].value & ~rows[i].mask, 0);
		assert_int_equal(uc_sw_to_err(rows[i].value), rows[i].err);
		assert_string_equal(uc_sw_describe(rows[i].value),
		    rows[i].desc);
		/* every word of a family, and only the family, is its row */
		w = rows[i].value | (~rows[i].mask & 0xffffu);
		assert_string_equal(uc_sw_describe((uint16_t)w), rows[i].desc);
		for (j = 0; j < sizeof(rows) / sizeof(rows[0]); j++)
			if (j != i)
				assert_int_not_equal(w & rows[j].mask,
				    rows[j].value);
	}
	/* the words the card side and the client side both name */
	assert_int_equal(UC_SW_SECURITY, 0x6982);
	assert_int_equal(UC_SW_DATA_NOT_FOUND, 0x6a88);
	assert_int_equal(uc_sw_to_err(UC_SW_WRONG_P1P2), UC_ERR_SW_P1P2);
	assert_string_equal(uc_sw_describe(0x6b00), "wrong parameters");
	assert_string_equal(uc_sw_describe(0x610a), "more data available");
	assert_int_equal(uc_sw_to_err(0x610a), UC_ERR_SW);
	assert_string_equal(uc_sw_describe(0x6c10),
	    "wrong Le, exact length given");
	assert_string_equal(uc_sw_describe(0x63c1),
	    "authentication failed (tries counted)");
	assert_string_equal(uc_sw_describe(0x1234), "unknown status word");
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
		cmocka_unit_test(test_sw_one_table),
		cmocka_unit_test(test_diag_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
