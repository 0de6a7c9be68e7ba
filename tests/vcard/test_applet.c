/*
 * test_applet.c - the union applet on the virtual card, through real SCP03
 * sessions opened with the host side of the scp03 module: lifecycle rules,
 * status words, STORE DATA atomicity under tearing, the failed
 * authentication counter, GENERATE KEY + INTERNAL AUTHENTICATE verified
 * with OpenSSL, and strict loading of damaged state files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"
#include "unioncard/tlv.h"
#include "vcard/vcard.h"
#include "vcard_test.h"

static const uint8_t serial[8] = { 0x55, 0x43, 0x02, 0, 0, 0, 0, 0x42 };
static const uint8_t aid[11] = { 0xf0, 0x55, 0x4e, 0x49, 0x4f, 0x4e, 0x43,
	0x41, 0x52, 0x44, 0x01 };

struct fx {
	char path[512];
	struct uc_vcard *c;
	struct uc_scp03_host *h;
	uint8_t resp[UC_RAPDU_WIRE_MAX];
	size_t rlen;
};

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static struct fx *
fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct uc_vcard_new_opts o;
	struct uc_diag d;

	assert_non_null(f);
	memset(&o, 0, sizeof(o));
	o.serial = serial;
	vt_temp_path(f->path, sizeof(f->path));
	assert_int_equal(uc_vcard_create(f->path, &o), 0);
	assert_int_equal(uc_vcard_load(f->path, &f->c, &d), 0);
	assert_int_equal(uc_scp03_host_new(&f->h), 0);
	return f;
}

static void
fx_reload(struct fx *f)
{
	struct uc_diag d;

	uc_vcard_free(&f->c);
	assert_int_equal(uc_vcard_load(f->path, &f->c, &d), 0);
}

static void
fx_free(struct fx *f)
{
	uc_vcard_free(&f->c);
	uc_scp03_host_free(&f->h);
	vt_remove(f->path);
	free(f);
}

/* Send raw bytes; returns the SW; data in f->resp[0..f->rlen-2). */
static uint16_t
raw(struct fx *f, const uint8_t *cmd, size_t len)
{
	assert_int_equal(uc_vcard_process(f->c, cmd, len, f->resp,
	    sizeof(f->resp), &f->rlen), 0);
	assert_true(f->rlen >= 2);
	return (uint16_t)(f->resp[f->rlen - 2] << 8 | f->resp[f->rlen - 1]);
}

static uint16_t
hex(struct fx *f, const char *h)
{
	struct uc_buf b = UC_BUF_INIT;
	uint16_t sw;

	assert_int_equal(uc_hex_decode_buf(h, &b), 0);
	sw = raw(f, b.data, b.len);
	uc_buf_free(&b);
	return sw;
}

static uint16_t
send_apdu(struct fx *f, const struct uc_apdu *a)
{
	struct uc_buf b = UC_BUF_INIT;
	uint16_t sw;

	assert_int_equal(uc_apdu_encode(a, &b), 0);
	sw = raw(f, b.data, b.len);
	uc_buf_free(&b);
	return sw;
}

static uint16_t
select_applet(struct fx *f)
{
	struct uc_apdu a = { 0x00, 0xa4, 0x04, 0x00, aid, sizeof(aid), 256,
		0 };

	return send_apdu(f, &a);
}

/* Build a correct EXTERNAL AUTHENTICATE (after a fresh INITIALIZE UPDATE). */
static void
begin_auth(struct fx *f, uint8_t sl, struct uc_apdu *ea)
{
	struct uc_scp03_keys master;
	struct uc_apdu iu;
	uint16_t sw;

	uc_scp03_dev_keys(&master);
	assert_int_equal(uc_scp03_host_begin(f->h, &master,
	    UC_SCP03_HOST_MASTER_KEYS, NULL, &iu), 0);
	sw = send_apdu(f, &iu);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(uc_scp03_host_authenticate(f->h, f->resp,
	    f->rlen - 2, sw, sl, ea), 0);
	uc_scp03_keys_wipe(&master);
}

static void
sm_open(struct fx *f)
{
	struct uc_apdu ea;
	uint16_t sw;

	begin_auth(f, UC_SCP03_SL_DEFAULT, &ea);
	sw = send_apdu(f, &ea);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(uc_scp03_host_confirm(f->h, sw, NULL), 0);
}

/* Send a command through the session; plain response data into out. */
static uint16_t
sm_send(struct fx *f, uint8_t ins, uint8_t p1, uint8_t p2,
    const uint8_t *data, size_t len, size_t le, struct uc_buf *out)
{
	uint8_t storage[UC_SCP03_WRAPPED_MAX(4096)];
	uint8_t plain[UC_RAPDU_WIRE_MAX];
	struct uc_apdu a = { 0x80, ins, p1, p2, data, len, le, 0 }, w;
	size_t plen = 0;
	uint16_t sw;

	assert_int_equal(uc_scp03_host_wrap(f->h, &a, storage,
	    sizeof(storage), &w), 0);
	sw = send_apdu(f, &w);
	if ((sw & 0xff00) == 0x6100) {
		/* fetch the rest as the engine would */
		struct uc_buf all = UC_BUF_INIT;

		assert_int_equal(uc_buf_append(&all, f->resp, f->rlen - 2), 0);
		while ((sw & 0xff00) == 0x6100) {
			sw = hex(f, "00C0000000");
			assert_int_equal(uc_buf_append(&all, f->resp,
			    f->rlen - 2), 0);
		}
		memcpy(f->resp, all.data, all.len);
		f->rlen = all.len + 2;
		uc_buf_free(&all);
	}
	if (uc_scp03_host_unwrap(f->h, f->resp, f->rlen - 2, sw, plain,
	    sizeof(plain), &plen) != 0)
		return 0xffff; /* R-MAC did not verify */
	if (out != NULL)
		assert_int_equal(uc_buf_append(out, plain, plen), 0);
	return sw;
}

/* STORE DATA of one block. */
static uint16_t
store(struct fx *f, uint8_t p1, uint8_t p2, const uint8_t *d, size_t n)
{
	return sm_send(f, 0xe2, p1, p2, d, n, 0, NULL);
}

static int
tput(struct uc_buf *b, uint32_t tag, const void *v, size_t n)
{
	return uc_tlv_put(b, tag, (const uint8_t *)v, n);
}

/* A valid E1 for our serial, as a DGI 00E1 (contents only). */
static void
make_e1(struct uc_buf *e1, const char *name)
{
	assert_int_equal(tput(e1, 0xc0, "790100000007", 12), 0);
	assert_int_equal(tput(e1, 0xc1, name, strlen(name)), 0);
	assert_int_equal(tput(e1, 0xc2, "CDCS.BD-0001", 12), 0);
	assert_int_equal(tput(e1, 0xc3, "Công đoàn cơ sở",
	    strlen("Công đoàn cơ sở")), 0);
	assert_int_equal(tput(e1, 0xc4, "\x01", 1), 0);
	assert_int_equal(tput(e1, 0xc5, "20250101", 8), 0);
	assert_int_equal(tput(e1, 0xc6, "20300101", 8), 0);
	assert_int_equal(tput(e1, 0xc7, serial, 8), 0);
}

static void
put_dgi(struct uc_buf *b, uint16_t dgi, const uint8_t *v, size_t n)
{
	assert_int_equal(uc_buf_append_u16(b, dgi), 0);
	if (n < 0xff)
		assert_int_equal(uc_buf_append_byte(b, (uint8_t)n), 0);
	else {
		assert_int_equal(uc_buf_append_byte(b, 0xff), 0);
		assert_int_equal(uc_buf_append_u16(b, (uint16_t)n), 0);
	}
	assert_int_equal(uc_buf_append(b, v, n), 0);
}

/* A stand-in security object: one DER SEQUENCE of n bytes of contents. */
static void
make_ef(struct uc_buf *ef, size_t n)
{
	uint8_t *v = calloc(1, n);

	assert_non_null(v);
	memset(v, 0x5a, n);
	assert_int_equal(tput(ef, 0x30, v, n), 0);
	free(v);
}

static void
dgis_full(struct uc_buf *seq)
{
	struct uc_buf e1 = UC_BUF_INIT, ef = UC_BUF_INIT;

	make_e1(&e1, "Nguyễn Văn An");
	make_ef(&ef, 700);
	put_dgi(seq, 0x00e1, e1.data, e1.len);
	put_dgi(seq, 0x00ef, ef.data, ef.len);
	uc_buf_free(&e1);
	uc_buf_free(&ef);
}

/* Send seq in blocks of blk bytes; returns the last SW. */
static uint16_t
store_seq(struct fx *f, const struct uc_buf *seq, size_t blk)
{
	size_t off = 0;
	uint8_t p2 = 0;
	uint16_t sw = 0;

	while (off < seq->len) {
		size_t n = seq->len - off < blk ? seq->len - off : blk;
		int last = off + n == seq->len;

		sw = store(f, last ? 0x88 : 0x08, p2++, seq->data + off, n);
		if (sw != 0x9000)
			return sw;
		off += n;
	}
	return sw;
}

static const char *
lifecycle(struct fx *f)
{
	return uc_vcard_lifecycle(f->c);
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void
test_create(void **state)
{
	struct fx *f = fx_new();
	struct uc_vcard_new_opts o;
	uint8_t s[8], atr[33];
	size_t alen = sizeof(atr), i;
	uint8_t tck = 0;
	unsigned long seq;
	unsigned tries, kvn;
	char *text;

	(void)state;
	uc_vcard_serial(f->c, s);
	assert_memory_equal(s, serial, 8);
	assert_string_equal(lifecycle(f), "BLANK");
	uc_vcard_counters(f->c, &seq, &tries, &kvn);
	assert_int_equal(seq, 0);
	assert_int_equal(tries, 5);
	assert_int_equal(kvn, 0x30);
	/* Keys are diversified: the development master keys are not there. */
	text = vt_read_file(f->path, NULL);
	assert_null(strstr(text, "404142434445464748494A4B4C4D4E4F"));
	free(text);
	/* Never overwrite a card. */
	memset(&o, 0, sizeof(o));
	assert_int_equal(uc_vcard_create(f->path, &o), UC_ERR_EXISTS);
	/* ATR: T=1, historical bytes carry the AID, TCK correct. */
	assert_int_equal(uc_vcard_atr(f->c, atr, &alen), 0);
	assert_int_equal(alen, 20);
	assert_int_equal(atr[0], 0x3b);
	assert_memory_equal(atr + 8, aid, sizeof(aid));
	for (i = 1; i < alen; i++)
		tck ^= atr[i];
	assert_int_equal(tck, 0);
	fx_free(f);
}

/* The whole life of a card, checking every transition of §2. */
static void
test_lifecycle(void **state)
{
	struct fx *f = fx_new();
	struct uc_buf seq = UC_BUF_INIT, e2 = UC_BUF_INIT;

	(void)state;
	assert_int_equal(select_applet(f), 0x9000);
	sm_open(f);
	/* BLANK: SET STATUS 03 is not a transition of §2. */
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0x03, NULL, 0, 0, NULL),
	    0x6985);
	assert_string_equal(lifecycle(f), "BLANK");
	/* First write: PERSONALIZING. */
	dgis_full(&seq);
	assert_int_equal(store_seq(f, &seq, 200), 0x9000);
	assert_string_equal(lifecycle(f), "PERSONALIZING");
	/* No key yet: no INTERNAL AUTHENTICATE, no SET STATUS 03. */
	assert_int_equal(hex(f, "0088000020"
	    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
	    "00"), 0x6985);
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0x03, NULL, 0, 0, NULL),
	    0x6985);
	sm_open(f); /* the plain command above did not close the session */
	assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, NULL, 0, 256, &e2),
	    0x9000);
	assert_int_equal(e2.len, 69);
	assert_int_equal(e2.data[0], 0xe2);
	/* Wrong P2 / P1 of SET STATUS. */
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0x02, NULL, 0, 0, NULL),
	    0x6a86);
	assert_int_equal(sm_send(f, 0xf0, 0x00, 0x03, NULL, 0, 0, NULL),
	    0x6a86);
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0x03, NULL, 0, 0, NULL),
	    0x9000);
	assert_string_equal(lifecycle(f), "PERSONALIZED");
	/* Locked. */
	assert_int_equal(store_seq(f, &seq, 200), 0x6985);
	assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, NULL, 0, 256, NULL),
	    0x6985);
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0x03, NULL, 0, 0, NULL),
	    0x6985);
	/* The state survives a reload. */
	fx_reload(f);
	assert_string_equal(lifecycle(f), "PERSONALIZED");
	assert_int_equal(select_applet(f), 0x9000);
	sm_open(f);
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0xff, NULL, 0, 0, NULL),
	    0x9000);
	assert_string_equal(lifecycle(f), "TERMINATED");
	assert_int_equal(select_applet(f), 0x6283);
	assert_int_equal(hex(f, "00CA00FF00"), 0x6985);
	assert_int_equal(hex(f, "8050300008010203040506070800"), 0x6985);
	uc_buf_free(&seq);
	uc_buf_free(&e2);
	fx_free(f);
}

/* SET STATUS 03 needs E1, E2 and EF; FF works from PERSONALIZING. */
static void
test_personalized_needs_all(void **state)
{
	struct fx *f = fx_new();
	struct uc_buf e1 = UC_BUF_INIT, seq = UC_BUF_INIT, ef = UC_BUF_INIT;

	(void)state;
	sm_open(f);
	make_e1(&e1, "Phạm Thị Dung");
	put_dgi(&seq, 0x00e1, e1.data, e1.len);
	assert_int_equal(store_seq(f, &seq, 255), 0x9000);
	assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, NULL, 0, 256, NULL),
	    0x9000);
	/* E1 + E2, no EF. */
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0x03, NULL, 0, 0, NULL),
	    0x6985);
	/* EF only in a new sequence: E1 stays. */
	uc_buf_reset(&seq);
	make_ef(&ef, 40);
	put_dgi(&seq, 0x00ef, ef.data, ef.len);
	assert_int_equal(store_seq(f, &seq, 255), 0x9000);
	assert_int_equal(hex(f, "00CA00E100"), 0x9000);
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0xff, NULL, 0, 0, NULL),
	    0x9000);
	assert_string_equal(lifecycle(f), "TERMINATED");
	uc_buf_free(&e1);
	uc_buf_free(&seq);
	uc_buf_free(&ef);
	fx_free(f);
}

static void
test_terminate_from_blank(void **state)
{
	struct fx *f = fx_new();

	(void)state;
	sm_open(f);
	assert_int_equal(sm_send(f, 0xf0, 0x80, 0xff, NULL, 0, 0, NULL),
	    0x9000);
	assert_string_equal(lifecycle(f), "TERMINATED");
	fx_free(f);
}

/* Verify an INTERNAL AUTHENTICATE signature against the E2 point. */
static void
check_aa(struct fx *f, const uint8_t *pub, const uint8_t chal[32])
{
	uint8_t cmd[5 + 32 + 1] = { 0x00, 0x88, 0x00, 0x00, 0x20 };
	uint8_t msg[15 + 8 + 32];
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md;
	size_t bit;

	memcpy(cmd + 5, chal, 32);
	cmd[37] = 0x00;
	assert_int_equal(raw(f, cmd, sizeof(cmd)), 0x9000);
	memcpy(msg, "UNIONCARD-AA-v1", 15);
	memcpy(msg + 15, serial, 8);
	memcpy(msg + 23, chal, 32);
	bld = OSSL_PARAM_BLD_new();
	assert_true(OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0));
	assert_true(OSSL_PARAM_BLD_push_octet_string(bld,
	    OSSL_PKEY_PARAM_PUB_KEY, pub, 65));
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	assert_true(EVP_PKEY_fromdata_init(pctx) > 0);
	assert_true(EVP_PKEY_fromdata(pctx, &k, EVP_PKEY_PUBLIC_KEY,
	    params) > 0);
	md = EVP_MD_CTX_new();
	assert_true(EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, k,
	    NULL) > 0);
	assert_int_equal(EVP_DigestVerify(md, f->resp, f->rlen - 2, msg,
	    sizeof(msg)), 1);
	/* A different challenge must not verify against this signature. */
	msg[sizeof(msg) - 1] ^= 0x01;
	for (bit = 0; bit < 1; bit++) {
		EVP_MD_CTX_reset(md);
		assert_true(EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL,
		    NULL, k, NULL) > 0);
		assert_int_not_equal(EVP_DigestVerify(md, f->resp,
		    f->rlen - 2, msg, sizeof(msg)), 1);
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
}

static void
test_generate_key_and_aa(void **state)
{
	struct fx *f = fx_new();
	struct uc_buf e2 = UC_BUF_INIT, e2b = UC_BUF_INIT, got = UC_BUF_INIT;
	uint8_t chal[32];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		chal[i] = (uint8_t)(0xa0 + i);
	sm_open(f);
	/* Non-empty data or wrong P1/P2: refused. */
	assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, chal, 1, 256, NULL),
	    0x6700);
	assert_int_equal(sm_send(f, 0x47, 0x00, 0x00, NULL, 0, 256, NULL),
	    0x6a86);
	assert_string_equal(lifecycle(f), "BLANK");
	assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, NULL, 0, 256, &e2),
	    0x9000);
	assert_string_equal(lifecycle(f), "PERSONALIZING");
	/* E2 = E2 43 86 41 04 X Y, and GET DATA gives the same. */
	assert_int_equal(e2.len, 69);
	assert_memory_equal(e2.data, "\xe2\x43\x86\x41\x04", 5);
	assert_int_equal(uc_vcard_object(f->c, 0xe2, &got), 0);
	assert_int_equal(got.len, e2.len);
	assert_memory_equal(got.data, e2.data, e2.len);
	check_aa(f, e2.data + 4, chal);
	/* The key survives a reload (it is in the state file). */
	fx_reload(f);
	check_aa(f, e2.data + 4, chal);
	/* Again while PERSONALIZING: a new key replaces the old. */
	sm_open(f);
	assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, NULL, 0, 256, &e2b),
	    0x9000);
	assert_memory_not_equal(e2b.data, e2.data, 69);
	check_aa(f, e2b.data + 4, chal);
	uc_buf_free(&e2);
	uc_buf_free(&e2b);
	uc_buf_free(&got);
	fx_free(f);
}

static void
test_store_data_checks(void **state)
{
	struct fx *f = fx_new();
	struct uc_buf e1 = UC_BUF_INIT, seq = UC_BUF_INIT, big = UC_BUF_INIT;
	struct uc_buf out = UC_BUF_INIT;
	uint8_t wrong_serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t i;

	(void)state;
	sm_open(f);
#define SEQ_RESET() uc_buf_reset(&seq), seq.len = 0
	/* 00E2 may only be made by GENERATE KEY. */
	put_dgi(&seq, 0x00e2, (const uint8_t *)"\x86\x01\x04", 3);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	/* Unknown DGI. */
	put_dgi(&seq, 0x0101, (const uint8_t *)"\x01", 1);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	/* Truncated DGI. */
	assert_int_equal(store(f, 0x88, 0, (const uint8_t *)"\x00\xe1\x10\xc0",
	    4), 0x6a80);
	/* E1 with another serial in C7. */
	make_e1(&e1, "Trần Thị Bình");
	memcpy(e1.data + e1.len - 8, wrong_serial, 8);
	put_dgi(&seq, 0x00e1, e1.data, e1.len);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	uc_buf_reset(&e1);
	e1.len = 0;
	/* Name not in NFC (e + combining circumflex + acute). */
	make_e1(&e1, "Nguye\xcc\x82\xcc\x81n");
	put_dgi(&seq, 0x00e1, e1.data, e1.len);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	/* Children out of order: C1 before C0. */
	assert_int_equal(tput(&big, 0xc1, "A", 1), 0);
	assert_int_equal(tput(&big, 0xc0, "1", 1), 0);
	put_dgi(&seq, 0x00e1, big.data, big.len);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	uc_buf_reset(&big);
	big.len = 0;
	/* E1 over 512 bytes: 6A84. */
	for (i = 0; i < 600; i++)
		assert_int_equal(uc_buf_append_byte(&big, 0x41), 0);
	put_dgi(&seq, 0x00e1, big.data, big.len);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a84);
	SEQ_RESET();
	/* EF not a SEQUENCE. */
	put_dgi(&seq, 0x00ef, (const uint8_t *)"\x04\x01\x00", 3);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	/* The same DGI twice in one sequence. */
	uc_buf_reset(&e1);
	e1.len = 0;
	make_e1(&e1, "Lê Văn Cường");
	put_dgi(&seq, 0x00e1, e1.data, e1.len);
	put_dgi(&seq, 0x00e1, e1.data, e1.len);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x6a80);
	SEQ_RESET();
	/* Bad P1; a gap in P2; P2 1 without a sequence. */
	put_dgi(&seq, 0x00e1, e1.data, e1.len);
	assert_int_equal(store(f, 0x80, 0, seq.data, seq.len), 0x6a86);
	assert_int_equal(store(f, 0x08, 0, seq.data, 4), 0x9000);
	assert_int_equal(store(f, 0x88, 2, seq.data + 4, seq.len - 4),
	    0x6a86);
	/* ...and the staged sequence is gone: block 1 no longer fits. */
	assert_int_equal(store(f, 0x88, 1, seq.data + 4, seq.len - 4),
	    0x6a86);
	assert_string_equal(lifecycle(f), "BLANK");
	/* Nothing was ever stored. */
	assert_int_equal(hex(f, "00CA00FF00"), 0x9000);
	assert_int_equal(f->rlen, 2);
	/* A good E1 and E3 in one block. */
	sm_open(f);
	uc_buf_reset(&big);
	big.len = 0;
	memset(wrong_serial, 0x11, 8);
	{
		uint8_t pan[32], bank[7] = { 0xa0, 0, 0, 0, 0x04, 0x10, 0x10 };

		memset(pan, 0x22, sizeof(pan));
		assert_int_equal(tput(&big, 0xc8, pan, 32), 0);
		assert_int_equal(tput(&big, 0xc9, bank, 7), 0);
	}
	put_dgi(&seq, 0x00e3, big.data, big.len);
	assert_int_equal(store(f, 0x88, 0, seq.data, seq.len), 0x9000);
	assert_string_equal(lifecycle(f), "PERSONALIZING");
	assert_int_equal(hex(f, "00CA00E300"), 0x9000);
	assert_int_equal(f->rlen, 2 + 2 + big.len);
	assert_int_equal(uc_vcard_object(f->c, 0xe1, &out), 0);
	assert_int_equal(out.len, (e1.len < 128 ? 2 : 3) + e1.len);
	uc_buf_free(&e1);
	uc_buf_free(&seq);
	uc_buf_free(&big);
	uc_buf_free(&out);
	fx_free(f);
#undef SEQ_RESET
}

/*
 * Tear a STORE DATA sequence at every block, in both modes: the state
 * file is byte-identical to before unless the last block was processed.
 */
static void
test_store_data_atomic(void **state)
{
	struct uc_buf seq = UC_BUF_INIT;
	const size_t blk = 128;
	size_t nblocks, k;
	int mode;

	(void)state;
	dgis_full(&seq);
	nblocks = (seq.len + blk - 1) / blk;
	assert_true(nblocks >= 6);
	for (mode = 0; mode < 2; mode++) {
		for (k = 1; k <= nblocks; k++) {
			struct fx *f = fx_new();
			char *before, *after;
			size_t blen, alen, off = 0;
			uint8_t p2 = 0;
			int r = 0;

			/* A first object, so "before" is not just BLANK. */
			sm_open(f);
			assert_int_equal(sm_send(f, 0x47, 0x80, 0x00, NULL, 0,
			    256, NULL), 0x9000);
			before = vt_read_file(f->path, &blen);
			uc_vcard_set_tear(f->c, uc_vcard_apdu_count(f->c) + k,
			    mode == 0 ? UC_VCARD_TEAR_BEFORE :
			    UC_VCARD_TEAR_AFTER);
			while (off < seq.len) {
				uint8_t storage[UC_SCP03_WRAPPED_MAX(128)];
				struct uc_apdu a = { 0x80, 0xe2, 0, 0, NULL, 0,
					0, 0 }, w;
				struct uc_buf b = UC_BUF_INIT;
				size_t n = seq.len - off < blk ?
				    seq.len - off : blk;

				a.p1 = off + n == seq.len ? 0x88 : 0x08;
				a.p2 = p2++;
				a.data = seq.data + off;
				a.lc = n;
				assert_int_equal(uc_scp03_host_wrap(f->h, &a,
				    storage, sizeof(storage), &w), 0);
				assert_int_equal(uc_apdu_encode(&w, &b), 0);
				r = uc_vcard_process(f->c, b.data, b.len,
				    f->resp, sizeof(f->resp), &f->rlen);
				uc_buf_free(&b);
				if (r != 0)
					break;
				assert_int_equal(f->resp[f->rlen - 2], 0x90);
				assert_int_equal(uc_scp03_host_unwrap(f->h,
				    f->resp, f->rlen - 2, 0x9000, storage,
				    sizeof(storage), &n), 0);
				off += a.lc;
			}
			assert_int_equal(r, UC_ERR_CARD_REMOVED);
			/* Powered off: nothing more until power-on. */
			assert_int_equal(uc_vcard_process(f->c,
			    (const uint8_t *)"\x00\xca\x00\xff\x00", 5,
			    f->resp, sizeof(f->resp), &f->rlen),
			    UC_ERR_CARD_REMOVED);
			after = vt_read_file(f->path, &alen);
			if (mode == 1 && k == nblocks) {
				/* The last block was processed: committed. */
				assert_true(alen != blen ||
				    memcmp(before, after, blen) != 0);
				fx_reload(f);
				assert_string_equal(lifecycle(f),
				    "PERSONALIZING");
				assert_int_equal(hex(f, "00CA00EF00") & 0xff00,
				    0x6100);
			} else {
				assert_int_equal(alen, blen);
				assert_memory_equal(before, after, blen);
				/* And after power-on nothing is staged. */
				uc_vcard_power_on(f->c);
				assert_int_equal(hex(f, "00CA00E100"), 0x6a88);
			}
			free(before);
			free(after);
			fx_free(f);
		}
	}
	uc_buf_free(&seq);
}

/* A different command between blocks discards the sequence. */
static void
test_store_data_interrupted(void **state)
{
	struct fx *f = fx_new();
	struct uc_buf seq = UC_BUF_INIT;
	char *before, *after;

	(void)state;
	dgis_full(&seq);
	sm_open(f);
	before = vt_read_file(f->path, NULL);
	assert_int_equal(store(f, 0x08, 0, seq.data, 300), 0x9000);
	assert_int_equal(hex(f, "00CA00E100"), 0x6a88);
	assert_int_equal(store(f, 0x88, 1, seq.data + 300, seq.len - 300),
	    0x6a86);
	after = vt_read_file(f->path, NULL);
	assert_string_equal(before, after);
	assert_string_equal(lifecycle(f), "BLANK");
	free(before);
	free(after);
	uc_buf_free(&seq);
	fx_free(f);
}

static void
test_auth_counter(void **state)
{
	struct fx *f = fx_new();
	struct uc_apdu ea;
	uint8_t bad[16];
	unsigned tries;
	int i;

	(void)state;
	/* Two failures, then a success resets the counter. */
	for (i = 0; i < 2; i++) {
		begin_auth(f, UC_SCP03_SL_DEFAULT, &ea);
		memcpy(bad, ea.data, 16);
		bad[0] ^= 0x01;
		ea.data = bad;
		assert_int_equal(send_apdu(f, &ea), 0x63c4 - i);
	}
	uc_vcard_counters(f->c, NULL, &tries, NULL);
	assert_int_equal(tries, 3);
	sm_open(f);
	uc_vcard_counters(f->c, NULL, &tries, NULL);
	assert_int_equal(tries, 5);
	/* Five failures: 63 C4 .. 63 C0, then 69 83 for ever. */
	for (i = 0; i < 5; i++) {
		begin_auth(f, UC_SCP03_SL_DEFAULT, &ea);
		memcpy(bad, ea.data, 16);
		bad[15] ^= 0x80; /* the C-MAC this time */
		ea.data = bad;
		assert_int_equal(send_apdu(f, &ea), 0x63c4 - i);
		/* Persisted before the answer. */
		fx_reload(f);
	}
	uc_vcard_counters(f->c, NULL, &tries, NULL);
	assert_int_equal(tries, 0);
	assert_int_equal(hex(f, "8050300008010203040506070800"), 0x6983);
	assert_int_equal(hex(f, "8482130010"
	    "00000000000000000000000000000000"),
	    0x6983);
	assert_int_equal(select_applet(f), 0x9000);
	assert_int_equal(f->resp[f->rlen - 3], 0x00); /* FCI 87 01 00 */
	fx_reload(f);
	assert_int_equal(hex(f, "8050300008010203040506070800"), 0x6983);
	fx_free(f);
}

static void
test_sm_errors(void **state)
{
	struct fx *f = fx_new();
	uint8_t storage[64];
	struct uc_apdu a = { 0x80, 0x47, 0x80, 0x00, NULL, 0, 256, 0 }, w;
	struct uc_buf b = UC_BUF_INIT;

	(void)state;
	sm_open(f);
	assert_int_equal(uc_scp03_host_wrap(f->h, &a, storage,
	    sizeof(storage), &w), 0);
	storage[0] ^= 0x01; /* break the C-MAC */
	assert_int_equal(send_apdu(f, &w), 0x6988);
	/* The session is closed. */
	uc_buf_free(&b);
	assert_int_equal(hex(f, "8447800008000000000000000000"), 0x6982);
	assert_string_equal(lifecycle(f), "BLANK");
	/* SELECT closes a session too, even a failed one. */
	sm_open(f);
	assert_int_equal(select_applet(f), 0x9000);
	assert_int_equal(hex(f, "84F080FF080000000000000000"), 0x6982);
	sm_open(f);
	assert_int_equal(hex(f, "00A4040007A000000727101000"), 0x6a82);
	assert_int_equal(hex(f, "84F080FF080000000000000000"), 0x6982);
	/* So does power-off. */
	sm_open(f);
	uc_vcard_power_off(f->c);
	uc_vcard_power_on(f->c);
	assert_int_equal(hex(f, "84F080FF080000000000000000"), 0x6982);
	assert_string_equal(lifecycle(f), "BLANK");
	fx_free(f);
}

static void
test_transport_rules(void **state)
{
	struct fx *f = fx_new();

	(void)state;
	/* Malformed APDUs. */
	assert_int_equal(hex(f, "00CA00"), 0x6700);
	assert_int_equal(hex(f, "00CA00FF0500"), 0x6700);
	/* Lc larger than the card's 2048 (extended). */
	{
		uint8_t *cmd = calloc(1, 7 + 2049);

		memcpy(cmd, "\x00\x88\x00\x00\x00\x08\x01", 7);
		assert_int_equal(raw(f, cmd, 7 + 2049), 0x6700);
		free(cmd);
	}
	/* A chain that grows past 8192 bytes is refused. */
	{
		uint8_t cmd[5 + 255];
		int i;
		uint16_t sw = 0;

		memset(cmd, 0, sizeof(cmd));
		memcpy(cmd, "\x10\x88\x00\x00\xff", 5);
		for (i = 0; i < 40 && (sw = raw(f, cmd, sizeof(cmd))) ==
		    0x9000; i++)
			;
		assert_int_equal(sw, 0x6700);
		assert_true(i >= 32);
	}
	/* Power-off drops pending response data. */
	assert_int_equal(hex(f, "00A404000BF0554E494F4E434152440110") &
	    0xff00, 0x6100);
	uc_vcard_power_off(f->c);
	uc_vcard_power_on(f->c);
	assert_int_equal(hex(f, "00C0000000"), 0x6985);
	/* Tear before: the APDU is not processed, no response. */
	uc_vcard_set_tear(f->c, uc_vcard_apdu_count(f->c) + 1,
	    UC_VCARD_TEAR_BEFORE);
	assert_int_equal(uc_vcard_process(f->c, (const uint8_t *)
	    "\x00\xca\x00\xff\x00", 5, f->resp, sizeof(f->resp), &f->rlen),
	    UC_ERR_CARD_REMOVED);
	assert_int_equal(f->rlen, 0);
	uc_vcard_power_on(f->c);
	assert_int_equal(hex(f, "00CA00FF00"), 0x9000);
	fx_free(f);
}

/* A failed save answers 65 81 and leaves the card as it was. */
static void
test_save_failure(void **state)
{
	struct fx *f = fx_new();
	char dir[512], *slash;

	(void)state;
	sm_open(f);
	snprintf(dir, sizeof(dir), "%s", f->path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(rmdir(dir), 0);
	{
		uint8_t storage[64];
		struct uc_apdu a = { 0x80, 0x47, 0x80, 0x00, NULL, 0, 256, 0 },
		    w;
		struct uc_buf b = UC_BUF_INIT;

		assert_int_equal(uc_scp03_host_wrap(f->h, &a, storage,
		    sizeof(storage), &w), 0);
		assert_int_equal(uc_apdu_encode(&w, &b), 0);
		assert_int_equal(uc_vcard_process(f->c, b.data, b.len,
		    f->resp, sizeof(f->resp), &f->rlen), UC_ERR_IO);
		uc_buf_free(&b);
	}
	assert_int_equal(f->rlen, 2);
	assert_memory_equal(f->resp, "\x65\x81", 2);
	assert_string_equal(lifecycle(f), "BLANK");
	assert_int_equal(hex(f, "00CA00E200"), 0x6a88);
	fx_free(f);
}

/* A linked card shows its bank application in the FCI (tag 88). */
static void
test_linked(void **state)
{
	static const uint8_t fci88[] = { 0x88, 0x09, 0x4f, 0x07, 0xa0, 0x00,
		0x00, 0x07, 0x27, 0x10, 0x10 };
	struct uc_vcard_new_opts o;
	struct uc_vcard *c = NULL;
	struct uc_diag d;
	char path[512], pan[20], exp[5];
	uint8_t resp[300];
	size_t rlen;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.serial = serial;
	o.linked = 1;
	o.pan = "9704150000000001"; /* Luhn wrong */
	vt_temp_path(path, sizeof(path));
	assert_int_equal(uc_vcard_create(path, &o), UC_ERR_INVALID);
	o.pan = "9704150000000003";
	o.expiry_yymm = "2913";
	assert_int_equal(uc_vcard_create(path, &o), UC_ERR_INVALID);
	o.expiry_yymm = "2912";
	assert_int_equal(uc_vcard_create(path, &o), 0);
	assert_int_equal(uc_vcard_load(path, &c, &d), 0);
	assert_int_equal(uc_vcard_linked(c, pan, exp), 0);
	assert_string_equal(pan, "9704150000000003");
	assert_string_equal(exp, "2912");
	assert_int_equal(uc_vcard_process(c, (const uint8_t *)"\x00\xa4\x04"
	    "\x00\x0b\xf0\x55\x4e\x49\x4f\x4e\x43\x41\x52\x44\x01\x00", 17,
	    resp, sizeof(resp), &rlen), 0);
	assert_memory_equal(resp + rlen - 2, "\x90\x00", 2);
	assert_non_null(memmem(resp, rlen, fci88, sizeof(fci88)));
	/* The FCI ends with tag 88 (after 87 01 05). */
	assert_memory_equal(resp + rlen - 2 - sizeof(fci88), fci88,
	    sizeof(fci88));
	uc_vcard_free(&c);
	vt_remove(path);
}

/* ------------------------------------------------------------------------
 * Damaged state files
 * ------------------------------------------------------------------------ */

struct damage {
	const char *from, *to; /* replace the first occurrence */
	const char *field;     /* the member the diagnostic must name */
};

static char *
replace(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	char *out;
	size_t n;

	assert_non_null(p);
	n = strlen(text) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(p - text), text, to,
	    p + strlen(from));
	return out;
}

static void
test_damaged_state(void **state)
{
	static const struct damage cases[] = {
		{ "\"serial\": \"5543", "\"serial\": \"55", "serial" },
		{ "\"serial\": \"5543", "\"serial\": \"ZZ43", "serial" },
		{ "\"version\": 1", "\"version\": 2", "version" },
		{ "\"version\": 1", "\"version\": \"1\"", "version" },
		{ "\"format\": \"unioncard-vcard-state\"",
		    "\"format\": \"other\"", "format" },
		{ "\"lifecycle\": \"PERSONALIZED\"",
		    "\"lifecycle\": \"LOCKED\"", "lifecycle" },
		{ "\"lifecycle\": \"PERSONALIZED\"",
		    "\"lifecycle\": \"BLANK\"", "lifecycle" },
		{ "\"auth_tries_left\": 5", "\"auth_tries_left\": 6",
		    "counters.auth_tries_left" },
		{ "\"scp_sequence\": 0", "\"scp_sequence\": -1",
		    "counters.scp_sequence" },
		{ "\"scp_sequence\": 0", "\"scp_sequence\": 16777216",
		    "counters.scp_sequence" },
		{ "\"kvn\": 48", "\"kvn\": 0", "keys.scp03.kvn" },
		{ "\"enc\": \"4041", "\"enc\": \"41", "keys.scp03.enc" },
		{ "\"mac\": \"4041", "\"mac\": \"4G41", "keys.scp03.mac" },
		{ "\"ec_private\": \"4098", "\"ec_private\": \"4099",
		    "keys.ec_public" },
		/* A scalar >= n is no private key. */
		{ "\"ec_private\": \"40989B6A9277E2783F27E47FD3D65BBC"
		    "21756FEFB4629BD40ACF0264209033B9\"",
		    "\"ec_private\": \"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
		    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\"",
		    "keys.ec_private" },
		{ "\"E1\": \"C00C", "\"E1\": \"C00D", "objects.E1" },
		{ "C7085543010000000001", "C7085543010000000002",
		    "objects.E1" },
		{ "\"EF\": \"30", "\"EF\": \"31", "objects.EF" },
		{ "\"EF\": \"30", "\"E2\": \"30", "objects.E2" },
		{ "\"linked\": null", "\"linked\": {}", "linked.pan" },
		{ "\"linked\": null", "\"linked\": 1", "linked" },
		{ "\"linked\": null", "\"linked\": {\"pan\": "
		    "\"9704150000000001\", \"expiry\": \"2912\", "
		    "\"bank_aid\": \"A0000007271010\"}", "linked.pan" },
		{ "\"linked\": null", "\"linked\": {\"pan\": "
		    "\"9704150000000003\", \"expiry\": \"2913\", "
		    "\"bank_aid\": \"A0000007271010\"}", "linked.expiry" },
		{ "\"linked\": null", "\"linked\": {\"pan\": "
		    "\"9704150000000003\", \"expiry\": \"2912\", "
		    "\"bank_aid\": \"A000000727\", \"x\": 1}", "linked.x" },
		{ "\"linked\": null", "\"linked\": null, \"extra\": 1",
		    "extra" },
		{ "\"counters\": {", "\"counters\": {\"x\": 1, ",
		    "counters.x" },
	};
	char src[1024], tmp[512];
	const char *spec = getenv("UC_SPEC_DIR");
	char *orig, *bad;
	struct uc_vcard *c = NULL;
	struct uc_diag d;
	size_t i;

	(void)state;
	assert_non_null(spec);
	snprintf(src, sizeof(src), "%s/vectors/cards/personalized.json",
	    spec);
	orig = vt_read_file(src, NULL);
	vt_temp_path(tmp, sizeof(tmp));
	vt_write_file(tmp, orig);
	assert_int_equal(uc_vcard_load(tmp, &c, &d), 0);
	uc_vcard_free(&c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = replace(orig, cases[i].from, cases[i].to);
		vt_write_file(tmp, bad);
		assert_int_equal(uc_vcard_load(tmp, &c, &d), UC_ERR_INVALID);
		assert_null(c);
		if (strcmp(d.field, cases[i].field) != 0)
			fail_msg("case %zu: field '%s' (%s), want '%s'", i,
			    d.field, d.msg, cases[i].field);
		assert_string_equal(d.file, tmp);
		free(bad);
	}
	/* Not JSON at all: the line is named. */
	vt_write_file(tmp, "{\n  \"format\": \n}\n");
	assert_int_equal(uc_vcard_load(tmp, &c, &d), UC_ERR_INVALID);
	assert_int_equal(d.line, 3);
	/* Duplicate members are rejected. */
	bad = replace(orig, "\"version\": 1", "\"version\": 1, \"version\": 1");
	vt_write_file(tmp, bad);
	assert_int_equal(uc_vcard_load(tmp, &c, &d), UC_ERR_INVALID);
	free(bad);
	/* Missing file. */
	vt_remove(tmp);
	assert_int_equal(uc_vcard_load(tmp, &c, &d), UC_ERR_NOT_FOUND);
	free(orig);
}

/* ------------------------------------------------------------------------
 * vpcd frames
 * ------------------------------------------------------------------------ */

static void
test_vpcd_frames(void **state)
{
	struct uc_vpcd_frame fr;
	uint8_t buf[16], out[8];
	size_t n;

	(void)state;
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"", 0, &fr), 0);
	assert_int_equal(fr.kind, UC_VPCD_INCOMPLETE);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00", 1, &fr),
	    0);
	assert_int_equal(fr.kind, UC_VPCD_INCOMPLETE);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00\x01", 2,
	    &fr), 0);
	assert_int_equal(fr.kind, UC_VPCD_INCOMPLETE);
	assert_int_equal(fr.consumed, 0);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00\x01\x04"
	    "\x00", 4, &fr), 0);
	assert_int_equal(fr.kind, UC_VPCD_CONTROL);
	assert_int_equal(fr.control, UC_VPCD_GET_ATR);
	assert_int_equal(fr.consumed, 3);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00\x01\x03",
	    3, &fr), UC_ERR_PROTOCOL);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00\x00", 2,
	    &fr), UC_ERR_PROTOCOL);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00\x05\x00"
	    "\xca\x00\xff\x00", 7, &fr), 0);
	assert_int_equal(fr.kind, UC_VPCD_APDU);
	assert_int_equal(fr.apdu_len, 5);
	assert_int_equal(fr.consumed, 7);
	assert_int_equal(uc_vpcd_parse_frame((const uint8_t *)"\x00\x05\x00"
	    "\xca\x00\xff", 6, &fr), 0);
	assert_int_equal(fr.kind, UC_VPCD_INCOMPLETE);
	assert_int_equal(uc_vpcd_frame_encode((const uint8_t *)"\x90\x00", 2,
	    out, sizeof(out), &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "\x00\x02\x90\x00", 4);
	assert_int_equal(uc_vpcd_frame_encode(buf, 7, out, sizeof(out), &n),
	    UC_ERR_BUFFER);
	assert_int_equal(uc_vpcd_frame_encode(buf, 0, out, sizeof(out), &n),
	    UC_ERR_RANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_terminate_from_blank),
		cmocka_unit_test(test_personalized_needs_all),
		cmocka_unit_test(test_generate_key_and_aa),
		cmocka_unit_test(test_store_data_checks),
		cmocka_unit_test(test_store_data_atomic),
		cmocka_unit_test(test_store_data_interrupted),
		cmocka_unit_test(test_auth_counter),
		cmocka_unit_test(test_sm_errors),
		cmocka_unit_test(test_transport_rules),
		cmocka_unit_test(test_save_failure),
		cmocka_unit_test(test_linked),
		cmocka_unit_test(test_damaged_state),
		cmocka_unit_test(test_vpcd_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
