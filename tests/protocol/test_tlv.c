/*
 * test_tlv.c - the strict BER-TLV reader and writer, with the malformed
 * inputs a hostile card could send.
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
#include "unioncard/tlv.h"

static int
parse_hex(const char *hex, struct uc_tlv *t)
{
	static uint8_t raw[4096];
	size_t n;

	assert_int_equal(uc_hex_decode(hex, raw, sizeof(raw), &n), 0);
	return uc_tlv_parse_one(raw, n, t);
}

static void
test_simple(void **state)
{
	struct uc_tlv t;

	(void)state;
	assert_int_equal(parse_hex("80 01 01", &t), 0);
	assert_int_equal(t.tag, 0x80);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.value[0], 0x01);
	assert_int_equal(t.header_len, 2);
	assert_false(t.constructed);
	assert_int_equal(parse_hex("5F20 02 4142", &t), 0);
	assert_int_equal(t.tag, 0x5f20);
	assert_int_equal(t.header_len, 3);
	assert_int_equal(parse_hex("7F49 00", &t), 0);
	assert_int_equal(t.tag, 0x7f49);
	assert_true(t.constructed);
	assert_int_equal(t.len, 0);
	/* Three- and four-byte tags. */
	assert_int_equal(parse_hex("DF8101 00", &t), 0);
	assert_int_equal(t.tag, 0xdf8101);
	assert_int_equal(parse_hex("DF818201 00", &t), 0);
	assert_int_equal(t.tag, 0xdf818201);
	assert_int_equal(t.header_len, 5);
}

static void
test_long_lengths(void **state)
{
	static uint8_t raw[4 + 0x10000];
	struct uc_tlv t;

	(void)state;
	memset(raw, 0xab, sizeof(raw));
	raw[0] = 0xc1;
	raw[1] = 0x81;
	raw[2] = 0x80;
	assert_int_equal(uc_tlv_parse_one(raw, 3 + 0x80, &t), 0);
	assert_int_equal(t.len, 0x80);
	raw[1] = 0x82;
	raw[2] = 0x01;
	raw[3] = 0x00;
	assert_int_equal(uc_tlv_parse_one(raw, 4 + 0x100, &t), 0);
	assert_int_equal(t.len, 0x100);
	assert_int_equal(t.header_len, 4);
	raw[0] = 0xc1;
	raw[1] = 0x83;
	raw[2] = 0x01;
	raw[3] = 0x00;
	/* 83 01 00 00 would need 65536 + 5 bytes: too short here. */
	assert_int_equal(uc_tlv_parse_one(raw, sizeof(raw), &t), UC_ERR_TLV);
}

static void
test_malformed(void **state)
{
	struct uc_tlv t;

	(void)state;
	/* indefinite length */
	assert_int_equal(parse_hex("E1 80 C0 01 31 00 00", &t), UC_ERR_TLV);
	/* tag overflow: 5 tag bytes */
	assert_int_equal(parse_hex("DF 81 81 81 01 00", &t), UC_ERR_TLV);
	/* tag that never ends */
	assert_int_equal(parse_hex("DF 81", &t), UC_ERR_TLV);
	/* first subsequent tag byte 80 (padded tag number) */
	assert_int_equal(parse_hex("DF 80 01 00", &t), UC_ERR_TLV);
	/* non-minimal lengths */
	assert_int_equal(parse_hex("80 81 05 0102030405", &t), UC_ERR_TLV);
	assert_int_equal(parse_hex("80 82 00 05 0102030405", &t), UC_ERR_TLV);
	assert_int_equal(parse_hex("80 83 00 00 01 01", &t), UC_ERR_TLV);
	/* more than 3 length octets */
	assert_int_equal(parse_hex("80 84 00 00 00 01 01", &t), UC_ERR_TLV);
	/* length past the end */
	assert_int_equal(parse_hex("80 05 0102", &t), UC_ERR_TLV);
	assert_int_equal(parse_hex("80 82 01", &t), UC_ERR_TLV);
	assert_int_equal(parse_hex("80", &t), UC_ERR_TLV);
	/* trailing bytes after the one element */
	assert_int_equal(parse_hex("80 01 01 00", &t), UC_ERR_TLV);
	/* filler bytes are not skipped */
	assert_int_equal(parse_hex("00 80 01 01", &t), UC_ERR_TLV);
	assert_int_equal(parse_hex("FF 01 01", &t), UC_ERR_TLV);
	assert_int_equal(uc_tlv_parse_one((const uint8_t *)"", 0, &t),
	    UC_ERR_TLV);
	/* out is cleared on failure */
	assert_null(t.value);
	assert_int_equal(t.tag, 0);
}

static void
test_reader_does_not_advance_on_error(void **state)
{
	static const uint8_t raw[] = { 0x80, 0x01, 0x01, 0x81, 0x05, 0x00 };
	struct uc_tlv_reader r;
	struct uc_tlv t;
	const uint8_t *p;

	(void)state;
	uc_tlv_reader_init(&r, raw, sizeof(raw));
	assert_true(uc_tlv_reader_more(&r));
	assert_int_equal(uc_tlv_next(&r, &t), 0);
	p = r.p;
	assert_int_equal(uc_tlv_next(&r, &t), UC_ERR_TLV);
	assert_ptr_equal(r.p, p);
	assert_true(uc_tlv_reader_more(&r));
}

static void
test_find(void **state)
{
	uint8_t raw[64];
	size_t n;
	struct uc_tlv t;

	(void)state;
	assert_int_equal(uc_hex_decode("80 01 01 81 02 AABB 82 01 03", raw,
	    sizeof(raw), &n), 0);
	assert_int_equal(uc_tlv_find(raw, n, 0x81, &t), 0);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.value[1], 0xbb);
	assert_int_equal(uc_tlv_find(raw, n, 0x83, &t), UC_ERR_NOT_FOUND);
	/* A malformed sibling after the match still fails the lookup. */
	assert_int_equal(uc_hex_decode("80 01 01 81 02 AABB 82 05 03", raw,
	    sizeof(raw), &n), 0);
	assert_int_equal(uc_tlv_find(raw, n, 0x80, &t), UC_ERR_TLV);
}

static int
count_cb(const struct uc_tlv *t, int depth, void *arg)
{
	int *c = arg;

	(void)t;
	c[0]++;
	if (depth > c[1])
		c[1] = depth;
	return 0;
}

static int
stop_cb(const struct uc_tlv *t, int depth, void *arg)
{
	(void)depth;
	(void)arg;
	return t->tag == 0x82 ? 42 : 0;
}

static void
test_walk(void **state)
{
	uint8_t raw[128];
	size_t n;
	int c[2] = { 0, 0 };

	(void)state;
	/* The FCI shape of the union applet. */
	assert_int_equal(uc_hex_decode("6F 0E 84 02 F055 A5 08 80 01 01 "
	    "82 01 03 A1 00", raw, sizeof(raw), &n), 0);
	assert_int_equal(uc_tlv_walk(raw, n, UC_TLV_MAX_DEPTH, count_cb, c),
	    0);
	assert_int_equal(c[0], 6);
	assert_int_equal(c[1], 2);
	assert_int_equal(uc_tlv_walk(raw, n, 3, NULL, NULL), 0);
	assert_int_equal(uc_tlv_walk(raw, n, 2, NULL, NULL), UC_ERR_TLV_DEPTH);
	assert_int_equal(uc_tlv_walk(raw, n, 8, stop_cb, NULL), 42);
	assert_int_equal(uc_tlv_walk(raw, n, 0, NULL, NULL), UC_ERR_ARG);
	assert_int_equal(uc_tlv_walk(raw, n, UC_TLV_MAX_DEPTH + 1, NULL, NULL),
	    UC_ERR_ARG);
	/* Malformed inside a constructed value. */
	assert_int_equal(uc_hex_decode("6F 04 A5 02 80 80", raw, sizeof(raw),
	    &n), 0);
	assert_int_equal(uc_tlv_walk(raw, n, 8, NULL, NULL), UC_ERR_TLV);
	assert_int_equal(uc_tlv_walk(raw, 0, 8, NULL, NULL), 0);
}

static void
test_walk_depth_limit(void **state)
{
	uint8_t raw[2 * 20];
	size_t i, depth = 20;

	(void)state;
	/* 20 nested constructed elements A0 A0 ... A0 00. */
	for (i = 0; i < depth; i++) {
		raw[2 * i] = 0xa0;
		raw[2 * i + 1] = (uint8_t)(2 * (depth - 1 - i));
	}
	assert_int_equal(uc_tlv_walk(raw, sizeof(raw), UC_TLV_MAX_DEPTH, NULL,
	    NULL), UC_ERR_TLV_DEPTH);
	/* Exactly UC_TLV_MAX_DEPTH levels is fine. */
	assert_int_equal(uc_tlv_walk(raw + 2 * (depth - UC_TLV_MAX_DEPTH),
	    2 * UC_TLV_MAX_DEPTH, UC_TLV_MAX_DEPTH, NULL, NULL), 0);
	assert_int_equal(uc_tlv_walk(raw + 2 * (depth - UC_TLV_MAX_DEPTH - 1),
	    2 * (UC_TLV_MAX_DEPTH + 1), UC_TLV_MAX_DEPTH, NULL, NULL),
	    UC_ERR_TLV_DEPTH);
}

static void
test_writer(void **state)
{
	struct uc_buf b = UC_BUF_INIT;
	static uint8_t big[0x10000];
	struct uc_tlv t;
	size_t m1, m2;
	char *hex;

	(void)state;
	assert_int_equal(uc_tlv_put(&b, 0x80, (const uint8_t *)"\x01", 1), 0);
	assert_int_equal(uc_tlv_put(&b, 0x5f20, NULL, 0), 0);
	hex = uc_hex_dup(b.data, b.len);
	assert_string_equal(hex, "8001015F2000");
	free(hex);
	uc_buf_reset(&b);

	/* Nested: the outer length grows to the long form on close. */
	assert_int_equal(uc_tlv_open(&b, 0x6f, &m1), 0);
	assert_int_equal(uc_tlv_open(&b, 0xa5, &m2), 0);
	assert_int_equal(uc_tlv_put(&b, 0xc1, big, 200), 0);
	assert_int_equal(uc_tlv_close(&b, m2), 0);
	assert_int_equal(uc_tlv_close(&b, m1), 0);
	assert_int_equal(uc_tlv_parse_one(b.data, b.len, &t), 0);
	assert_int_equal(t.tag, 0x6f);
	assert_int_equal(t.header_len, 3);
	assert_int_equal(t.len, 3 + 3 + 200);
	assert_int_equal(uc_tlv_walk(b.data, b.len, 3, NULL, NULL), 0);
	uc_buf_reset(&b);

	assert_int_equal(uc_tlv_put(&b, 0xc1, big, sizeof(big)), 0);
	assert_int_equal(b.len, 1 + 4 + sizeof(big));
	assert_int_equal(b.data[1], 0x83);
	assert_int_equal(uc_tlv_parse_one(b.data, b.len, &t), 0);
	assert_int_equal(t.len, sizeof(big));
	uc_buf_reset(&b);

	/* Tags the reader would not accept are refused by the writer. */
	assert_int_equal(uc_tlv_put(&b, 0x1f, NULL, 0), UC_ERR_ARG);
	assert_int_equal(uc_tlv_put(&b, 0x5f80, NULL, 0), UC_ERR_ARG);
	assert_int_equal(uc_tlv_put(&b, 0x5f8080, NULL, 0), UC_ERR_ARG);
	assert_int_equal(uc_tlv_put(&b, 0x8001, NULL, 0), UC_ERR_ARG);
	assert_int_equal(uc_tlv_put(&b, 0, NULL, 0), UC_ERR_ARG);
	assert_int_equal(b.len, 0);
	assert_int_equal(uc_tlv_tag_size(0xdf818201), 4);
	assert_int_equal(uc_tlv_len_size(0x7f), 1);
	assert_int_equal(uc_tlv_len_size(0x80), 2);
	assert_int_equal(uc_tlv_len_size(0x100), 3);
	assert_int_equal(uc_tlv_len_size(0x10000), 4);
	assert_int_equal(uc_tlv_len_size(0x1000000), 0);
	uc_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_long_lengths),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_reader_does_not_advance_on_error),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_depth_limit),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
