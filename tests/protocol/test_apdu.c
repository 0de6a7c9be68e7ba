/*
 * test_apdu.c - command APDU encoding/decoding in all four ISO cases, short
 * and extended, and response splitting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"

static char *
encode_hex(const struct uc_apdu *a)
{
	struct uc_buf b = UC_BUF_INIT;
	char *s;

	assert_int_equal(uc_apdu_encode(a, &b), 0);
	s = uc_hex_dup(b.data, b.len);
	uc_buf_free(&b);
	return s;
}

static void
check_encode(const struct uc_apdu *a, const char *want)
{
	char *s = encode_hex(a);

	assert_string_equal(s, want);
	free(s);
}

static void
test_encode_short(void **state)
{
	static const uint8_t aid[] = { 0xf0, 0x55, 0x4e, 0x49, 0x4f, 0x4e,
		0x43, 0x41, 0x52, 0x44, 0x01 };
	struct uc_apdu a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.cla = 0x00; a.ins = 0xa4; a.p1 = 0x04; a.p2 = 0x00;
	check_encode(&a, "00A40400");                       /* case 1 */
	a.le = 256;
	check_encode(&a, "00A4040000");                     /* case 2S */
	a.le = 0x20;
	check_encode(&a, "00A4040020");
	a.le = 0;
	a.data = aid;
	a.lc = sizeof(aid);
	check_encode(&a, "00A404000BF0554E494F4E4341524401"); /* case 3S */
	a.le = 256;
	check_encode(&a, "00A404000BF0554E494F4E434152440100"); /* 4S */
}

static void
test_encode_extended(void **state)
{
	static uint8_t data[300];
	struct uc_apdu a;
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.cla = 0x00; a.ins = 0xca; a.p1 = 0x00; a.p2 = 0xff;
	a.le = 65536;
	check_encode(&a, "00CA00FF000000");                 /* case 2E */
	a.le = 257;
	check_encode(&a, "00CA00FF000101");
	a.le = 1;
	a.extended = 1;
	check_encode(&a, "00CA00FF000001");
	a.extended = 0;
	a.le = 0;
	a.data = data;
	a.lc = sizeof(data);
	assert_int_equal(uc_apdu_encode(&a, &b), 0);        /* case 3E */
	assert_int_equal(b.len, 7 + 300);
	assert_memory_equal(b.data, "\x00\xca\x00\xff\x00\x01\x2c", 7);
	uc_buf_reset(&b);
	a.le = 256;                                          /* case 4E */
	assert_int_equal(uc_apdu_encode(&a, &b), 0);
	assert_int_equal(b.len, 7 + 300 + 2);
	assert_memory_equal(b.data + 307, "\x01\x00", 2);
	uc_buf_reset(&b);
	a.le = 65536;
	assert_int_equal(uc_apdu_encode(&a, &b), 0);
	assert_memory_equal(b.data + 307, "\x00\x00", 2);
	uc_buf_reset(&b);
	/* Short data, long Le forces the extended form for both. */
	a.lc = 2;
	a.le = 1000;
	assert_int_equal(uc_apdu_encode(&a, &b), 0);
	assert_int_equal(b.len, 7 + 2 + 2);
	assert_memory_equal(b.data + 4, "\x00\x00\x02", 3);
	assert_memory_equal(b.data + 9, "\x03\xe8", 2);
	uc_buf_free(&b);
}

static void
test_encode_range(void **state)
{
	struct uc_apdu a;
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.le = 65537;
	assert_int_equal(uc_apdu_encode(&a, &b), UC_ERR_RANGE);
	a.le = 0;
	a.lc = 65536;
	a.data = (const uint8_t *)"";
	assert_int_equal(uc_apdu_encode(&a, &b), UC_ERR_RANGE);
	a.lc = 3;
	a.data = NULL;
	assert_int_equal(uc_apdu_encode(&a, &b), UC_ERR_ARG);
	assert_int_equal(b.len, 0);
	uc_buf_free(&b);
}

static int
decode_hex(const char *hex, struct uc_apdu *a)
{
	static uint8_t raw[UC_APDU_WIRE_MAX];
	size_t n;

	assert_int_equal(uc_hex_decode(hex, raw, sizeof(raw), &n), 0);
	return uc_apdu_decode(raw, n, a);
}

static void
test_decode(void **state)
{
	struct uc_apdu a;

	(void)state;
	assert_int_equal(decode_hex("00A40400", &a), 0);
	assert_int_equal(a.lc, 0);
	assert_int_equal(a.le, 0);
	assert_int_equal(decode_hex("00C0000000", &a), 0);
	assert_int_equal(a.ins, 0xc0);
	assert_int_equal(a.le, 256);
	assert_int_equal(decode_hex("00A404000BF0554E494F4E4341524401", &a),
	    0);
	assert_int_equal(a.lc, 11);
	assert_int_equal(a.le, 0);
	assert_int_equal(a.data[0], 0xf0);
	assert_int_equal(decode_hex("00A404000BF0554E494F4E434152440110", &a),
	    0);
	assert_int_equal(a.le, 0x10);
	assert_false(a.extended);
	assert_int_equal(decode_hex("00CA00FF000000", &a), 0);
	assert_int_equal(a.le, 65536);
	assert_true(a.extended);
	assert_int_equal(decode_hex("00CA00FF000002AABB", &a), 0);
	assert_int_equal(a.lc, 2);
	assert_int_equal(a.le, 0);
	assert_int_equal(decode_hex("00CA00FF000002AABB0100", &a), 0);
	assert_int_equal(a.le, 256);
	assert_int_equal(decode_hex("00CA00FF000002AABB0000", &a), 0);
	assert_int_equal(a.le, 65536);
}

static void
test_decode_malformed(void **state)
{
	struct uc_apdu a;

	(void)state;
	assert_int_equal(decode_hex("", &a), UC_ERR_PROTOCOL);
	assert_int_equal(decode_hex("00A404", &a), UC_ERR_PROTOCOL);
	/* Lc says 11, only 10 data bytes */
	assert_int_equal(decode_hex("00A404000BF0554E494F4E43415244", &a),
	    UC_ERR_PROTOCOL);
	/* Lc says 2, then two extra bytes */
	assert_int_equal(decode_hex("00A4040002AABBCCDD", &a),
	    UC_ERR_PROTOCOL);
	/* extended marker with too few bytes */
	assert_int_equal(decode_hex("00A4040000AA", &a), UC_ERR_PROTOCOL);
	/* extended Lc 0 */
	assert_int_equal(decode_hex("00A40400000000AA", &a), UC_ERR_PROTOCOL);
	/* extended Lc past the end */
	assert_int_equal(decode_hex("00A4040000FFFFAA", &a), UC_ERR_PROTOCOL);
	/* extended case 4 with a one-byte Le */
	assert_int_equal(decode_hex("00CA00FF000002AABB01", &a),
	    UC_ERR_PROTOCOL);
	assert_null(a.data);
	assert_int_equal(a.lc, 0);
}

static void
test_roundtrip(void **state)
{
	static uint8_t data[70000];
	static const size_t lcs[] = { 0, 1, 255, 256, 65535 };
	static const size_t les[] = { 0, 1, 255, 256, 257, 65536 };
	struct uc_apdu a, d;
	struct uc_buf b = UC_BUF_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (i = 0; i < sizeof(lcs) / sizeof(lcs[0]); i++) {
		for (j = 0; j < sizeof(les) / sizeof(les[0]); j++) {
			memset(&a, 0, sizeof(a));
			a.cla = 0x80; a.ins = 0xe2; a.p1 = 0x88; a.p2 = 0x01;
			a.data = data;
			a.lc = lcs[i];
			a.le = les[j];
			uc_buf_reset(&b);
			assert_int_equal(uc_apdu_encode(&a, &b), 0);
			assert_int_equal(uc_apdu_decode(b.data, b.len, &d), 0);
			assert_int_equal(d.cla, 0x80);
			assert_int_equal(d.p2, 0x01);
			assert_int_equal(d.lc, a.lc);
			assert_int_equal(d.le, a.le);
			if (a.lc > 0)
				assert_memory_equal(d.data, data, a.lc);
		}
	}
	uc_buf_free(&b);
}

static void
test_rapdu(void **state)
{
	static const uint8_t r1[] = { 0x01, 0x02, 0x90, 0x00 };
	const uint8_t *data;
	size_t n;
	uint16_t sw;

	(void)state;
	assert_int_equal(uc_rapdu_parse(r1, sizeof(r1), &data, &n, &sw), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sw, 0x9000);
	assert_ptr_equal(data, r1);
	assert_int_equal(uc_rapdu_parse(r1 + 2, 2, &data, &n, &sw), 0);
	assert_int_equal(n, 0);
	/* truncated responses */
	assert_int_equal(uc_rapdu_parse(r1, 1, &data, &n, &sw),
	    UC_ERR_PROTOCOL);
	assert_int_equal(sw, 0);
	assert_int_equal(n, 0);
	assert_int_equal(uc_rapdu_parse(r1, 0, &data, &n, &sw),
	    UC_ERR_PROTOCOL);
	assert_int_equal(uc_rapdu_parse(r1, UC_RAPDU_WIRE_MAX + 1, &data, &n,
	    &sw), UC_ERR_PROTOCOL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_short),
		cmocka_unit_test(test_encode_extended),
		cmocka_unit_test(test_encode_range),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rapdu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
