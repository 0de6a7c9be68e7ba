/*
 * test_dataobj.c - data objects byte-exact against the spec's field table
 * (§6), DGI encoding and STORE DATA blocking at their boundaries (§5.3),
 * and the strict parser the verifier uses.
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
#include "unioncard/dataobj.h"
#include "unioncard/error.h"

static const uint8_t serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void
member(struct uc_member *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->member_code, "52000012345");
	strcpy(m->full_name, "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	strcpy(m->unit_code, "A.1");
	strcpy(m->unit_name, "U");
	m->card_type = UC_CARD_TYPE_REGULAR;
	strcpy(m->issued_on, "20261125");
	strcpy(m->expires_on, "20311124");
}

static void
assert_hex(const struct uc_buf *b, const char *hex)
{
	char *got = uc_hex_dup(b->data, b->len);
	uint8_t want[8192];
	size_t n;

	assert_int_equal(uc_hex_decode(hex, want, sizeof(want), &n), 0);
	if (n != b->len || memcmp(want, b->data, n) != 0)
		fail_msg("got %s", got);
	free(got);
}

static void
test_identity_exact(void **state)
{
	struct uc_member m;
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	member(&m);
	assert_int_equal(uc_dataobj_identity(&m, serial, &b), 0);
	assert_hex(&b,
	    "E1 48"
	    " C0 0B 3532303030303132333435"
	    " C1 10 4E677579E1BB856E2056C4836E20416E"
	    " C2 03 412E31"
	    " C3 01 55"
	    " C4 01 01"
	    " C5 08 3230323631313235"
	    " C6 08 3230333131313234"
	    " C7 08 0102030405060708");
	uc_buf_free(&b);
}

static void
test_identity_long_form(void **state)
{
	struct uc_member m;
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	member(&m);
	memset(m.member_code, '9', 20);
	memset(m.full_name, 'a', 128);
	memset(m.unit_code, 'Z', 32);
	memset(m.unit_name, 'b', 160);
	m.card_type = UC_CARD_TYPE_LINKED;
	assert_int_equal(uc_dataobj_identity(&m, serial, &b), 0);
	/* 22 + 131 + 34 + 163 + 3 + 30 = 383 bytes: two length octets. */
	assert_int_equal(b.len, 4 + 383);
	assert_memory_equal(b.data, "\xE1\x82\x01\x7F", 4);
	assert_memory_equal(b.data + 4 + 22, "\xC1\x81\x80", 3);
	uc_buf_free(&b);
	/* A member that never went through the parser is still refused. */
	member(&m);
	strcpy(m.expires_on, "20261124");
	assert_int_equal(uc_dataobj_identity(&m, serial, &b), UC_ERR_INVALID);
	member(&m);
	m.card_type = 3;
	assert_int_equal(uc_dataobj_identity(&m, serial, &b), UC_ERR_INVALID);
	assert_int_equal(b.len, 0);
}

static void
test_bank_link(void **state)
{
	struct uc_buf b = UC_BUF_INIT;
	uint8_t bind[32], aid[7] = { 0xA0, 0, 0, 0, 0x03, 0x10, 0x10 };

	(void)state;
	assert_int_equal(uc_dataobj_pan_binding(serial, "9704151234567890",
	    bind), 0);
	assert_int_equal(uc_dataobj_pan_binding(serial, "97041512345a7890",
	    bind), UC_ERR_INVALID);
	assert_int_equal(uc_dataobj_pan_binding(serial, "12345", bind),
	    UC_ERR_INVALID);
	memset(bind, 0xAB, sizeof(bind));
	assert_int_equal(uc_dataobj_bank_link(bind, aid, sizeof(aid), &b), 0);
	assert_int_equal(b.len, 2 + 34 + 9);
	assert_memory_equal(b.data, "\xE3\x2B\xC8\x20\xAB", 5);
	assert_memory_equal(b.data + 36, "\xC9\x07\xA0", 3);
	assert_int_equal(uc_dataobj_bank_link(bind, aid, 4, &b),
	    UC_ERR_INVALID);
	uc_buf_free(&b);
}

static void
test_dgi(void **state)
{
	struct uc_buf b = UC_BUF_INIT;
	uint8_t v[300];

	(void)state;
	memset(v, 0x5A, sizeof(v));
	/* FE is the largest one-byte length; FF switches to three bytes. */
	assert_int_equal(uc_dgi_append(&b, 0x00E1, v, 0xFE), 0);
	assert_int_equal(b.len, 3 + 0xFE);
	assert_memory_equal(b.data, "\x00\xE1\xFE\x5A", 4);
	uc_buf_reset(&b);
	b.len = 0;
	assert_int_equal(uc_dgi_append(&b, 0x00EF, v, 0xFF), 0);
	assert_int_equal(b.len, 5 + 0xFF);
	assert_memory_equal(b.data, "\x00\xEF\xFF\x00\xFF\x5A", 6);
	b.len = 0;
	assert_int_equal(uc_dgi_append(&b, 0x00E3, NULL, 0), 0);
	assert_int_equal(b.len, 3);
	b.len = 0;
	/* An object becomes DGI 00 <tag> + its contents. */
	assert_int_equal(uc_dgi_append_object(&b,
	    (const uint8_t *)"\xE1\x03\xC4\x01\x01", 5), 0);
	assert_hex(&b, "00E1 03 C40101");
	b.len = 0;
	assert_int_equal(uc_dgi_append_object(&b,
	    (const uint8_t *)"\xE2\x00", 2), UC_ERR_INVALID);
	uc_buf_free(&b);
}

static void
test_plan(void **state)
{
	struct uc_store_block bl[UC_STORE_DATA_MAX_BLOCKS];
	size_t n;

	(void)state;
	/* The virtual card takes 2048 bytes: 2031 plain + pad + MAC. */
	assert_int_equal(uc_store_data_block_max(2048, 0), 2031);
	assert_int_equal((2031 / 16 + 1) * 16 + 8, 2040);
	assert_true((2032 / 16 + 1) * 16 + 8 > 2048);
	/* A short-APDU link: 255 -> 239 plain (240 + 8 = 248 <= 255). */
	assert_int_equal(uc_store_data_block_max(2048, 255), 239);
	assert_int_equal(uc_store_data_block_max(23, 0), 0);
	assert_int_equal(uc_store_data_block_max(24, 0), 15);

	assert_int_equal(uc_store_data_plan(2031, 2031, bl, 256, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bl[0].p1, 0x88);
	assert_int_equal(bl[0].p2, 0);
	assert_int_equal(bl[0].len, 2031);
	assert_int_equal(uc_store_data_plan(2032, 2031, bl, 256, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bl[0].p1, 0x08);
	assert_int_equal(bl[1].p1, 0x88);
	assert_int_equal(bl[1].p2, 1);
	assert_int_equal(bl[1].off, 2031);
	assert_int_equal(bl[1].len, 1);
	assert_int_equal(uc_store_data_plan(4062, 2031, bl, 256, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bl[1].len, 2031);
	assert_int_equal(uc_store_data_plan(2560, 10, bl, 256, &n), 0);
	assert_int_equal(n, 256);
	assert_int_equal(bl[255].p2, 255);
	assert_int_equal(uc_store_data_plan(2561, 10, bl, 256, &n),
	    UC_ERR_RANGE);
	assert_int_equal(uc_store_data_plan(100, 10, bl, 5, &n),
	    UC_ERR_BUFFER);
	assert_int_equal(uc_store_data_plan(0, 10, bl, 5, &n), UC_ERR_ARG);
}

/* A minimal well-formed card: E1, E2, EF. */
static void
card(struct uc_buf *b, const struct uc_member *m)
{
	uint8_t pt[65];

	memset(pt, 0x11, sizeof(pt));
	pt[0] = 0x04;
	assert_int_equal(uc_dataobj_identity(m, serial, b), 0);
	assert_int_equal(uc_buf_append(b, "\xE2\x43\x86\x41", 4), 0);
	assert_int_equal(uc_buf_append(b, pt, 65), 0);
	assert_int_equal(uc_buf_append(b, "\xEF\x05\x30\x03\x02\x01\x00", 7),
	    0);
}

static int
parse_hex(const char *hex, struct uc_card_objects *o, struct uc_diag *d)
{
	static uint8_t raw[4096];
	size_t n;

	assert_int_equal(uc_hex_decode(hex, raw, sizeof(raw), &n), 0);
	return uc_card_objects_parse(raw, n, o, d);
}

static void
test_parse(void **state)
{
	struct uc_member m;
	struct uc_buf b = UC_BUF_INIT;
	struct uc_card_objects o;
	struct uc_diag d;

	(void)state;
	member(&m);
	card(&b, &m);
	assert_int_equal(uc_card_objects_parse(b.data, b.len, &o, &d), 0);
	assert_string_equal(o.member.full_name, m.full_name);
	assert_string_equal(o.member.expires_on, "20311124");
	assert_memory_equal(o.serial, serial, 8);
	assert_int_equal(o.point[0], 4);
	assert_ptr_equal(o.identity_tlv, b.data);
	assert_int_equal(o.identity_tlv_len, 2 + 0x48);
	assert_int_equal(o.pubkey_tlv_len, 2 + 67);
	assert_int_equal(o.secobj_len, 5);
	assert_null(o.bank_tlv);
	/* A trailing byte, or a length running past the end: framing. */
	assert_int_equal(uc_buf_append_byte(&b, 0), 0);
	assert_int_equal(uc_card_objects_parse(b.data, b.len, &o, &d),
	    UC_ERR_TLV);
	assert_int_equal(parse_hex("E1 82 FF FF C0", &o, &d), UC_ERR_TLV);
	assert_int_equal(parse_hex("E1 84 00 00 00 01 C0", &o, &d),
	    UC_ERR_TLV);
	/* Objects out of order, missing, or unknown: the spec. */
	assert_int_equal(parse_hex("E2 00 E1 00", &o, &d), UC_ERR_INVALID);
	assert_int_equal(parse_hex("", &o, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "E1");
	/* The linked type without E3. */
	m.card_type = UC_CARD_TYPE_LINKED;
	b.len = 0;
	card(&b, &m);
	assert_int_equal(uc_card_objects_parse(b.data, b.len, &o, &d),
	    UC_ERR_INVALID);
	assert_string_equal(d.field, "E3");
	uc_buf_free(&b);
}

static void
test_parse_fields(void **state)
{
	struct uc_card_objects o;
	struct uc_diag d;
	const char *tail = " E2 43 86 41 04"
	    " 1111111111111111111111111111111111111111111111111111111111111111"
	    " 1111111111111111111111111111111111111111111111111111111111111111"
	    " EF 01 00";
	char hex[1024];

	(void)state;
	/* NFD on the card ("e" + U+0302) is malformed: no normalizing. */
	snprintf(hex, sizeof(hex), "E1 39 C0 0B 3532303030303132333435 C1 03 65CC82 C2 01 41"
	    " C3 01 55 C4 01 01 C5 08 3230323631313235"
	    " C6 08 3230333131313234 C7 08 0102030405060708%s", tail);
	assert_int_equal(parse_hex(hex, &o, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "E1/C1");
	/* Unknown type byte. */
	snprintf(hex, sizeof(hex), "E1 37 C0 0B 3532303030303132333435 C1 01 41 C2 01 41"
	    " C3 01 55 C4 01 03 C5 08 3230323631313235"
	    " C6 08 3230333131313234 C7 08 0102030405060708%s", tail);
	assert_int_equal(parse_hex(hex, &o, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "E1/C4");
	/* Serial of 7 bytes. */
	snprintf(hex, sizeof(hex), "E1 36 C0 0B 3532303030303132333435 C1 01 41 C2 01 41"
	    " C3 01 55 C4 01 01 C5 08 3230323631313235"
	    " C6 08 3230333131313234 C7 07 01020304050607%s", tail);
	assert_int_equal(parse_hex(hex, &o, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "E1/C7");
	/* C2 missing. */
	snprintf(hex, sizeof(hex), "E1 34 C0 0B 3532303030303132333435 C1 01 41"
	    " C3 01 55 C4 01 01 C5 08 3230323631313235"
	    " C6 08 3230333131313234 C7 08 0102030405060708%s", tail);
	assert_int_equal(parse_hex(hex, &o, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "E1/C2");
	/* The well-formed one passes, to prove the cases above differ
	 * from it by their one defect only. */
	snprintf(hex, sizeof(hex), "E1 37 C0 0B 3532303030303132333435 C1 01 41 C2 01 41"
	    " C3 01 55 C4 01 01 C5 08 3230323631313235"
	    " C6 08 3230333131313234 C7 08 0102030405060708%s", tail);
	assert_int_equal(parse_hex(hex, &o, &d), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_exact),
		cmocka_unit_test(test_identity_long_form),
		cmocka_unit_test(test_bank_link),
		cmocka_unit_test(test_dgi),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
