/*
 * test_buf.c - the growable buffer and the hex helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"

static void
test_append_and_grow(void **state)
{
	struct uc_buf b = UC_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(uc_buf_append_byte(&b, (uint8_t)i), 0);
	assert_int_equal(b.len, 1000);
	assert_true(b.cap >= 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(b.data[i], (uint8_t)i);
	assert_int_equal(uc_buf_append_u16(&b, 0x1234), 0);
	assert_int_equal(b.data[1000], 0x12);
	assert_int_equal(b.data[1001], 0x34);
	uc_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	uc_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* Free of an empty or NULL buffer is harmless. */
	uc_buf_free(&b);
	uc_buf_free(NULL);
}

static void
test_cap(void **state)
{
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	assert_int_equal(uc_buf_reserve(&b, UC_BUF_MAX + 1), UC_ERR_RANGE);
	assert_int_equal(uc_buf_append_byte(&b, 1), 0);
	assert_int_equal(uc_buf_reserve(&b, UC_BUF_MAX), UC_ERR_RANGE);
	assert_int_equal(uc_buf_reserve(&b, SIZE_MAX), UC_ERR_RANGE);
	assert_int_equal(b.len, 1);
	assert_int_equal(uc_buf_append(&b, NULL, 3), UC_ERR_ARG);
	uc_buf_free(&b);
}

static void
test_hex_decode(void **state)
{
	uint8_t out[8];
	size_t n = 99;

	(void)state;
	assert_int_equal(uc_hex_decode("00a4 04:0C", out, sizeof(out), &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "\x00\xa4\x04\x0c", 4);
	assert_int_equal(uc_hex_decode("", out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(uc_hex_decode("abc", out, sizeof(out), &n),
	    UC_ERR_INVALID);
	assert_int_equal(n, 0);
	/* Separators are ignored wherever they are, as documented. */
	assert_int_equal(uc_hex_decode("a b", out, sizeof(out), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(uc_hex_decode("0g", out, sizeof(out), &n),
	    UC_ERR_INVALID);
	assert_int_equal(uc_hex_decode("0x00", out, sizeof(out), &n),
	    UC_ERR_INVALID);
	assert_int_equal(uc_hex_decode("000102030405060708", out, sizeof(out),
	    &n), UC_ERR_BUFFER);
	assert_int_equal(n, 0);
}

static void
test_hex_buf_and_encode(void **state)
{
	struct uc_buf b = UC_BUF_INIT;
	char s[9];
	char *d;

	(void)state;
	assert_int_equal(uc_buf_append_byte(&b, 0xee), 0);
	assert_int_equal(uc_hex_decode_buf("DEADbeef", &b), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "\xee\xde\xad\xbe\xef", 5);
	assert_int_equal(uc_hex_decode_buf("DEA", &b), UC_ERR_INVALID);
	assert_int_equal(b.len, 5);
	assert_int_equal(uc_hex_decode_buf("", &b), 0);
	assert_int_equal(b.len, 5);
	uc_hex_encode(b.data + 1, 4, s);
	assert_string_equal(s, "DEADBEEF");
	d = uc_hex_dup(b.data, b.len);
	assert_non_null(d);
	assert_string_equal(d, "EEDEADBEEF");
	free(d);
	d = uc_hex_dup(NULL, 0);
	assert_non_null(d);
	assert_string_equal(d, "");
	free(d);
	uc_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_grow),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_hex_buf_and_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
