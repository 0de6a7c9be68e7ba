/*
 * test_scp03_transport.c - uc_scp03_open() and uc_scp03_transmit() over a
 * transport whose "card" is the card side of this module behind a small
 * ISO 7816 front end: command chaining (the link takes 255 bytes), GET
 * RESPONSE for answers longer than 256 bytes, an echo command, and a
 * counter of APDUs received, so the tests can see what went on the wire.
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
#include "unioncard/scp03.h"
#include "unioncard/transport.h"

#define CHAIN_MAX 8192
#define INS_ECHO 0xEE
#define INS_FAIL 0xEF

static const uint8_t aid[] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43,
	0x41, 0x52, 0x44, 0x01 };
static const uint8_t serial[8] = { 0x55, 0x43, 0x20, 0x26, 0, 0, 0, 0x07 };

/* The card behind the transport. */
static struct {
	struct uc_scp03_card *sm;
	struct uc_scp03_keys keys;
	struct uc_scp03_card_nv nv;
	uint8_t chain[CHAIN_MAX]; /* command chaining in progress */
	size_t chain_len;
	uint8_t out[CHAIN_MAX + 64]; /* response waiting for GET RESPONSE */
	size_t out_len, out_pos;
	uint16_t last_sw;
	unsigned long received, ext_auths;
	int corrupt_next_response;
} card;

static uint8_t plain[CHAIN_MAX], body[CHAIN_MAX + 64];

static size_t
answer(uint8_t *resp, const uint8_t *data, size_t len, uint16_t sw)
{
	size_t n = len > 256 ? 256 : len;

	/* keep what does not fit for GET RESPONSE */
	if (len > 0) {
		memcpy(card.out, data, len);
		memcpy(resp, data, n);
	}
	card.out_len = len;
	card.out_pos = n;
	if (len > n) {
		size_t left = len - n;

		resp[n] = 0x61;
		resp[n + 1] = (uint8_t)(left > 255 ? 0 : left);
	} else {
		resp[n] = (uint8_t)(sw >> 8);
		resp[n + 1] = (uint8_t)sw;
		card.out_len = 0;
	}
	card.last_sw = sw;
	return n + 2;
}

static int
card_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	struct uc_apdu a;
	uint8_t r[64], div[10];
	size_t rl, pl, wl;
	uint16_t sw;
	int dirty;

	(void)ctx;
	assert_true(resp_cap >= 258);
	card.received++;
	assert_int_equal(uc_apdu_decode(cmd, cmd_len, &a), 0);

	if (a.ins == 0xC0 && (a.cla & 0x04) == 0) { /* GET RESPONSE */
		size_t left = card.out_len - card.out_pos;
		size_t n = left > 256 ? 256 : left;

		memcpy(resp, card.out + card.out_pos, n);
		card.out_pos += n;
		left -= n;
		if (left > 0) {
			resp[n] = 0x61;
			resp[n + 1] = (uint8_t)(left > 255 ? 0 : left);
		} else {
			resp[n] = (uint8_t)(card.last_sw >> 8);
			resp[n + 1] = (uint8_t)card.last_sw;
		}
		*resp_len = n + 2;
		return 0;
	}
	if ((a.cla & 0x10) != 0) { /* a chain piece */
		assert_true(card.chain_len + a.lc <= CHAIN_MAX);
		memcpy(card.chain + card.chain_len, a.data, a.lc);
		card.chain_len += a.lc;
		*resp_len = answer(resp, NULL, 0, 0x9000);
		return 0;
	}
	if (card.chain_len > 0) { /* the last piece: the whole command */
		assert_true(card.chain_len + a.lc <= CHAIN_MAX);
		memcpy(card.chain + card.chain_len, a.data, a.lc);
		a.lc += card.chain_len;
		a.data = card.chain;
		card.chain_len = 0;
	}

	if (a.ins == 0x50) {
		uc_scp03_div_data(serial, div);
		assert_int_equal(uc_scp03_card_initialize_update(card.sm,
		    &card.keys, &card.nv, &dirty, div, aid, sizeof(aid), &a, r,
		    sizeof(r), &rl, &sw), 0);
		*resp_len = answer(resp, r, rl, sw);
		return 0;
	}
	if (a.ins == 0x82) {
		card.ext_auths++;
		assert_int_equal(uc_scp03_card_external_authenticate(card.sm,
		    &card.nv, &dirty, &a, &sw), 0);
		*resp_len = answer(resp, NULL, 0, sw);
		return 0;
	}
	assert_int_equal(uc_scp03_card_unwrap(card.sm, &a, plain,
	    sizeof(plain), &pl, &sw), 0);
	if (sw == 0x9000 && (a.cla & 0x04) == 0 &&
	    uc_scp03_card_security_level(card.sm) != 0)
		sw = 0x6882; /* this applet wants every command protected */
	if (sw == 0x9000 && a.ins == INS_FAIL)
		sw = 0x6A80;
	if (sw != 0x9000 || a.ins != INS_ECHO)
		pl = 0;
	/* echo: the response is the plain command data, twice */
	if (pl > 0)
		memcpy(plain + pl, plain, pl);
	assert_int_equal(uc_scp03_card_wrap_response(card.sm, plain, 2 * pl,
	    sw, body, sizeof(body), &wl), 0);
	if (card.corrupt_next_response && wl > 0) {
		body[0] ^= 0x01;
		card.corrupt_next_response = 0;
	}
	*resp_len = answer(resp, body, wl, sw);
	return 0;
}

static int
card_open(const char *name, void **ctx)
{
	(void)name;
	*ctx = &card;
	return 0;
}

static int
card_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	(void)ctx;
	(void)timeout_ms;
	atr[0] = 0x3B;
	atr[1] = 0x00;
	*atr_len = 2;
	return 0;
}

static int
card_disconnect(void *ctx, int eject)
{
	(void)ctx;
	(void)eject;
	uc_scp03_card_reset(card.sm);
	return 0;
}

static void
card_close(void *ctx)
{
	(void)ctx;
}

static const struct uc_transport_ops card_ops = {
	.scheme = "scp03card",
	.open = card_open,
	.connect = card_connect,
	.transmit = card_transmit,
	.disconnect = card_disconnect,
	.close = card_close,
	.max_lc = 255,
};

static struct uc_transport *
connect_card(void)
{
	struct uc_transport *t = NULL;
	struct uc_scp03_keys master;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;

	uc_scp03_card_free(&card.sm);
	memset(&card, 0, sizeof(card));
	assert_int_equal(uc_scp03_card_new(&card.sm), 0);
	uc_scp03_dev_keys(&master);
	assert_int_equal(uc_scp03_diversify(&master, serial, &card.keys), 0);
	uc_scp03_card_nv_init(&card.nv);
	assert_int_equal(uc_transport_register(&card_ops), 0);
	assert_int_equal(uc_transport_open("scp03card:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, atr, &atr_len), 0);
	return t;
}

static void
test_open_and_transmit(void **state)
{
	struct uc_transport *t = connect_card();
	struct uc_scp03_host *h = NULL;
	struct uc_buf resp = UC_BUF_INIT;
	uint8_t *data = malloc(3000);
	uint16_t sw;
	size_t i, lens[] = { 0, 1, 15, 16, 200, 239, 240, 255, 300, 1000,
		3000 };

	(void)state;
	assert_non_null(data);
	for (i = 0; i < 3000; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(uc_scp03_open(t, &card.keys, UC_SCP03_SL_DEFAULT, &h,
	    &sw), 0);
	assert_non_null(h);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(card.received, 2);
	assert_int_equal(uc_scp03_card_security_level(card.sm), 0x13);

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct uc_apdu a = { 0x80, INS_ECHO, 0, 0, data, lens[i], 256,
			0 };

		unsigned long before = card.received;
		/* level 13: commands padded and encrypted, answers MACed */
		size_t wire_cmd = (lens[i] == 0 ? 0 :
		    (lens[i] / 16 + 1) * 16) + 8;
		size_t wire_resp = 2 * lens[i] + 8;

		uc_buf_reset(&resp);
		/* long commands are chained, long answers come in pieces */
		assert_int_equal(uc_scp03_transmit(h, t, &a, &resp, &sw), 0);
		assert_int_equal(card.received - before,
		    (wire_cmd + 254) / 255 + (wire_resp - 1) / 256);
		assert_int_equal(sw, 0x9000);
		assert_int_equal(resp.len, 2 * lens[i]);
		if (lens[i] > 0) {
			assert_memory_equal(resp.data, data, lens[i]);
			assert_memory_equal(resp.data + lens[i], data, lens[i]);
		}
	}
	/* a refusal comes back as a status word, the session goes on */
	{
		struct uc_apdu a = { 0x80, INS_FAIL, 0, 0, data, 10, 256, 0 };

		uc_buf_reset(&resp);
		assert_int_equal(uc_scp03_transmit(h, t, &a, &resp, &sw), 0);
		assert_int_equal(sw, 0x6A80);
		assert_int_equal(resp.len, 0);
		a.ins = INS_ECHO;
		assert_int_equal(uc_scp03_transmit(h, t, &a, &resp, &sw), 0);
		assert_int_equal(sw, 0x9000);
		assert_int_equal(resp.len, 20);
	}
	/* a response altered on the way: UC_ERR_VERIFY, session closed */
	{
		struct uc_apdu a = { 0x80, INS_ECHO, 0, 0, data, 10, 256, 0 };

		card.corrupt_next_response = 1;
		assert_int_equal(uc_scp03_transmit(h, t, &a, &resp, &sw),
		    UC_ERR_VERIFY);
		assert_int_equal(uc_scp03_host_security_level(h), 0);
		assert_int_equal(uc_scp03_transmit(h, t, &a, &resp, &sw),
		    UC_ERR_STATE);
	}
	uc_buf_free(&resp);
	uc_scp03_host_free(&h);
	uc_transport_free(&t);
	uc_scp03_card_free(&card.sm);
	free(data);
}

/* A wrong key: one APDU on the wire, no EXTERNAL AUTHENTICATE, no try. */
static void
test_open_wrong_key(void **state)
{
	struct uc_transport *t = connect_card();
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_keys master;
	uint16_t sw;

	(void)state;
	uc_scp03_dev_keys(&master); /* not diversified: wrong */
	assert_int_equal(uc_scp03_open(t, &master, 0x13, &h, &sw),
	    UC_ERR_AUTH);
	assert_null(h);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(card.received, 1);
	assert_int_equal(card.ext_auths, 0);
	assert_int_equal(card.nv.tries_left, UC_SCP03_TRIES_MAX);

	/* blocked keys show through as UC_ERR_SW_BLOCKED */
	card.nv.tries_left = 0;
	assert_int_equal(uc_scp03_open(t, &card.keys, 0x13, &h, &sw),
	    UC_ERR_SW_BLOCKED);
	assert_int_equal(sw, 0x6983);
	assert_null(h);
	uc_transport_free(&t);
	uc_scp03_card_free(&card.sm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_transmit),
		cmocka_unit_test(test_open_wrong_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
