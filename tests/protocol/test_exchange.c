/*
 * test_exchange.c - uc_apdu_exchange() against a scripted, fault-injecting
 * transport: hostile 61xx/6Cxx sequences, truncated answers, a card pulled
 * mid-command, chaining split points; plus the transport registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

#define SCRIPT_MAX 128
#define SENT_MAX 256

/*
 * The script: step i answers the i-th transmit with resp (hex) or fails
 * with err.  Past the end, the last step repeats (an endless card).
 */
struct script_step {
	const char *resp;
	int err;
	size_t fill; /* prepend this many data bytes (0xA5) */
};

static struct {
	struct script_step steps[SCRIPT_MAX];
	size_t n, pos;
	struct uc_buf sent[SENT_MAX];
	size_t nsent;
	size_t max_lc;
} sc;

static void
script_reset(void)
{
	size_t i;

	for (i = 0; i < SENT_MAX; i++)
		uc_buf_free(&sc.sent[i]);
	memset(&sc, 0, sizeof(sc));
}

static void
script_add(const char *resp, int err, size_t fill)
{
	assert_true(sc.n < SCRIPT_MAX);
	sc.steps[sc.n].resp = resp;
	sc.steps[sc.n].err = err;
	sc.steps[sc.n].fill = fill;
	sc.n++;
}

static int
script_open(const char *name, void **ctx)
{
	(void)name;
	*ctx = &sc;
	return 0;
}

static int
script_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	(void)ctx;
	(void)timeout_ms;
	atr[0] = 0x3b;
	atr[1] = 0x00;
	*atr_len = 2;
	return 0;
}

static int
script_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	struct script_step *s;
	size_t n = 0;

	(void)ctx;
	assert_true(sc.n > 0);
	if (sc.nsent < SENT_MAX)
		assert_int_equal(uc_buf_append(&sc.sent[sc.nsent++], cmd,
		    cmd_len), 0);
	s = &sc.steps[sc.pos < sc.n ? sc.pos : sc.n - 1];
	sc.pos++;
	if (s->err != 0)
		return s->err;
	assert_true(s->fill + strlen(s->resp) / 2 <= resp_cap);
	memset(resp, 0xa5, s->fill);
	assert_int_equal(uc_hex_decode(s->resp, resp + s->fill,
	    resp_cap - s->fill, &n), 0);
	*resp_len = s->fill + n;
	return 0;
}

static int
script_disconnect(void *ctx, int eject)
{
	(void)ctx;
	(void)eject;
	return 0;
}

static void
script_close(void *ctx)
{
	(void)ctx;
}

static const struct uc_transport_ops script_ops = {
	.scheme = "script",
	.open = script_open,
	.connect = script_connect,
	.transmit = script_transmit,
	.disconnect = script_disconnect,
	.close = script_close,
	.max_lc = 255,
};

static struct uc_transport *
open_script(void)
{
	struct uc_transport *t = NULL;

	assert_int_equal(uc_transport_register(&script_ops), 0);
	assert_int_equal(uc_transport_open("script:x", &t), 0);
	assert_string_equal(uc_transport_name(t), "script:x");
	return t;
}

static void
assert_sent(size_t i, const char *hex)
{
	char *s;

	assert_true(i < sc.nsent);
	s = uc_hex_dup(sc.sent[i].data, sc.sent[i].len);
	assert_string_equal(s, hex);
	free(s);
}

/* Start the next case: forget the script and what was sent, then answer
 * resp (hex) from now on. */
static void
rescript(const char *resp)
{
	script_reset();
	script_add(resp, 0, 0);
}

static void
select_apdu(struct uc_apdu *a)
{
	static const uint8_t aid[] = { 0xf0, 0x55, 0x4e, 0x49, 0x4f, 0x4e,
		0x43, 0x41, 0x52, 0x44, 0x01 };

	memset(a, 0, sizeof(*a));
	a->cla = 0x00;
	a->ins = 0xa4;
	a->p1 = 0x04;
	a->data = aid;
	a->lc = sizeof(aid);
	a->le = 256;
}

/*
 * What every exchange test starts from (setup, teardown): the script
 * transport open and empty, an empty response buffer, a SELECT of our
 * applet to send, and no status word yet.
 */
struct fx {
	struct uc_transport *t;
	struct uc_buf r;
	struct uc_apdu a;
	uint16_t sw;
};

/* f's APDU, its answer into f->r and f->sw, chained at the link's limit. */
static int
exchange(struct fx *f)
{
	return uc_apdu_exchange(f->t, &f->a, 0, &f->r, &f->sw);
}

static int
setup(void **state)
{
	static struct fx f;

	script_reset();
	memset(&f, 0, sizeof(f));
	f.t = open_script();
	select_apdu(&f.a);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	uc_buf_free(&f->r);
	uc_transport_free(&f->t);
	script_reset();
	return 0;
}

static void
test_plain(void **state)
{
	struct fx *f = *state;

	script_add("01029000", 0, 0);
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->r.len, 2);
	assert_sent(0, "00A404000BF0554E494F4E434152440100");
	assert_int_equal(uc_transport_apdu_count(f->t), 1);
	/* A refusal is a completed exchange: the SW tells. */
	rescript("6A82");
	uc_buf_reset(&f->r);
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x6a82);
	assert_int_equal(f->r.len, 0);
	uc_buf_free(&f->r);
	uc_transport_free(&f->t);
	assert_null(f->t);
}

static void
test_get_response(void **state)
{
	struct fx *f = *state;

	f->a.cla = 0x84; /* GET RESPONSE drops SM, keeps channel bits */
	script_add("AABB6103", 0, 0);
	script_add("CCDD6100", 0, 0);
	script_add("EE9000", 0, 0);
	assert_int_equal(uc_buf_append_byte(&f->r, 0x11), 0);
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->r.len, 6);
	assert_memory_equal(f->r.data, "\x11\xaa\xbb\xcc\xdd\xee", 6);
	assert_int_equal(sc.nsent, 3);
	assert_sent(1, "00C0000003");
	assert_sent(2, "00C0000000");
}

static void
test_endless_61(void **state)
{
	struct fx *f = *state;

	script_add("AA6101", 0, 0);
	assert_int_equal(uc_buf_append_byte(&f->r, 0x11), 0);
	assert_int_equal(exchange(f), UC_ERR_TOO_MANY_ROUNDS);
	/* The first command plus exactly the allowed GET RESPONSE rounds. */
	assert_int_equal(sc.nsent, 1 + UC_APDU_MAX_GET_RESPONSE_ROUNDS);
	assert_int_equal(f->sw, 0);
	/* Nothing half-read reaches the caller. */
	assert_int_equal(f->r.len, 1);
	assert_true(strlen(TRANSPORT_WHY()) > 0);
}

static void
test_61_past_64k(void **state)
{
	struct fx *f = *state;

	/* 4000 bytes a round: 17 rounds pass 64 KiB long before 64 rounds. */
	script_add("6100", 0, 4000);
	assert_int_equal(exchange(f), UC_ERR_TOO_LONG);
	assert_int_equal(sc.nsent, 17);
	assert_int_equal(f->r.len, 0);
	/* Exactly 64 KiB in 16 rounds of 4096 is still fine. */
	script_reset();
	{
		size_t i;

		for (i = 0; i < 15; i++)
			script_add("6100", 0, 4096);
		script_add("9000", 0, 4096);
	}
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->r.len, UC_APDU_MAX_RESPONSE_TOTAL);
	/* ... and one byte more is not. */
	script_reset();
	{
		size_t i;

		for (i = 0; i < 15; i++)
			script_add("6100", 0, 4096);
		script_add("9000", 0, 4097);
	}
	uc_buf_reset(&f->r);
	assert_int_equal(exchange(f), UC_ERR_TOO_LONG);
	assert_int_equal(f->r.len, 0);
}

static void
test_6c(void **state)
{
	struct fx *f = *state;

	memset(&f->a, 0, sizeof(f->a));
	f->a.ins = 0xca;
	f->a.p2 = 0xe1;
	f->a.le = 256;
	script_add("6C03", 0, 0);
	script_add("0102039000", 0, 0);
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->r.len, 3);
	assert_sent(0, "00CA00E100");
	assert_sent(1, "00CA00E103");
	/* A card that keeps saying 6Cxx gets one retry, then its SW. */
	rescript("6C05");
	uc_buf_reset(&f->r);
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x6c05);
	assert_int_equal(sc.nsent, 2);
	assert_int_equal(f->r.len, 0);
	/* 6C on a GET RESPONSE: that GET RESPONSE is re-sent once. */
	rescript("AA6110");
	script_add("6C02", 0, 0);
	script_add("BBCC9000", 0, 0);
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x9000);
	assert_sent(2, "00C0000002");
	assert_int_equal(f->r.len, 3);
}

static void
test_short_response(void **state)
{
	struct fx *f = *state;

	script_add("90", 0, 0);
	assert_int_equal(exchange(f), UC_ERR_PROTOCOL);
	rescript("");
	assert_int_equal(exchange(f), UC_ERR_PROTOCOL);
	/* Status words outside 61..6F, 90..9F are not responses. */
	rescript("0000");
	assert_int_equal(exchange(f), UC_ERR_PROTOCOL);
	assert_int_equal(f->sw, 0);
	rescript("AA6000");
	assert_int_equal(exchange(f), UC_ERR_PROTOCOL);
	rescript("A000");
	assert_int_equal(exchange(f), UC_ERR_PROTOCOL);
	rescript("9F10");
	assert_int_equal(exchange(f), 0);
	assert_int_equal(f->sw, 0x9f10);
	/* Truncated in the middle of a GET RESPONSE sequence. */
	rescript("AA6101");
	script_add("BB", 0, 0);
	assert_int_equal(exchange(f), UC_ERR_PROTOCOL);
	assert_int_equal(f->r.len, 0);
}

static void
test_card_removed(void **state)
{
	struct fx *f = *state;

	f->sw = 0x1234;
	script_add("AA6101", 0, 0);
	script_add(NULL, UC_ERR_CARD_REMOVED, 0);
	assert_int_equal(exchange(f), UC_ERR_CARD_REMOVED);
	assert_int_equal(f->sw, 0);
	assert_int_equal(f->r.len, 0);
	assert_int_equal(uc_transport_apdu_count(f->t), 1);
	/* Mid-chain too. */
	script_reset();
	{
		static uint8_t data[600];

		f->a.data = data;
		f->a.lc = sizeof(data);
	}
	script_add("9000", 0, 0);
	script_add(NULL, UC_ERR_CARD_REMOVED, 0);
	assert_int_equal(exchange(f), UC_ERR_CARD_REMOVED);
	assert_int_equal(sc.nsent, 2);
}

static void
test_chaining(void **state)
{
	static uint8_t data[600];
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	memset(&f->a, 0, sizeof(f->a));
	f->a.cla = 0x84;
	f->a.ins = 0xe2;
	f->a.p1 = 0x88;
	f->a.data = data;
	f->a.lc = sizeof(data);
	f->a.le = 256;
	script_add("9000", 0, 0);
	assert_int_equal(uc_apdu_exchange(f->t, &f->a, 0, NULL, &f->sw), 0);
	assert_int_equal(f->sw, 0x9000);
	/* 255 + 255 + 90, CLA 94 on the first two, Le only on the last. */
	assert_int_equal(sc.nsent, 3);
	assert_int_equal(sc.sent[0].len, 5 + 255);
	assert_memory_equal(sc.sent[0].data, "\x94\xe2\x88\x00\xff", 5);
	assert_int_equal(sc.sent[1].len, 5 + 255);
	assert_int_equal(sc.sent[1].data[0], 0x94);
	assert_int_equal(sc.sent[1].data[5], 255);
	assert_int_equal(sc.sent[2].len, 5 + 90 + 1);
	assert_memory_equal(sc.sent[2].data, "\x84\xe2\x88\x00\x5a", 5);
	assert_int_equal(sc.sent[2].data[5], (uint8_t)510);
	assert_int_equal(sc.sent[2].data[5 + 90], 0x00);

	/* An exact multiple: no empty last piece. */
	rescript("9000");
	f->a.lc = 510;
	assert_int_equal(uc_apdu_exchange(f->t, &f->a, 0, NULL, &f->sw), 0);
	assert_int_equal(sc.nsent, 2);
	assert_int_equal(sc.sent[0].data[0], 0x94);
	assert_int_equal(sc.sent[1].data[0], 0x84);

	/* Exactly the limit: no chaining at all. */
	rescript("9000");
	f->a.lc = 255;
	assert_int_equal(uc_apdu_exchange(f->t, &f->a, 0, NULL, &f->sw), 0);
	assert_int_equal(sc.nsent, 1);
	assert_int_equal(sc.sent[0].data[0], 0x84);

	/* A smaller caller limit, and a larger one (the link wins). */
	rescript("9000");
	f->a.lc = 100;
	assert_int_equal(uc_apdu_exchange(f->t, &f->a, 40, NULL, &f->sw), 0);
	assert_int_equal(sc.nsent, 3);
	assert_int_equal(sc.sent[2].data[4], 20);
	rescript("9000");
	f->a.lc = 600;
	assert_int_equal(uc_apdu_exchange(f->t, &f->a, 2048, NULL, &f->sw), 0);
	assert_int_equal(sc.nsent, 3);

	/* The card refuses the chain: its SW ends the exchange. */
	rescript("9000");
	script_add("6A80", 0, 0);
	script_add("9000", 0, 0);
	assert_int_equal(uc_apdu_exchange(f->t, &f->a, 0, NULL, &f->sw), 0);
	assert_int_equal(f->sw, 0x6a80);
	assert_int_equal(sc.nsent, 2);
}

static void
test_registry(void **state)
{
	static const struct uc_transport_ops clash = {
		.scheme = "script",
		.open = script_open,
		.connect = script_connect,
		.transmit = script_transmit,
		.disconnect = script_disconnect,
		.close = script_close,
	};
	static const struct uc_transport_ops builtin_clash = {
		.scheme = "replay",
		.open = script_open,
		.connect = script_connect,
		.transmit = script_transmit,
		.disconnect = script_disconnect,
		.close = script_close,
	};
	struct uc_transport *t = NULL;

	(void)state;
	assert_int_equal(uc_transport_register(&script_ops), 0);
	assert_int_equal(uc_transport_register(&script_ops), 0);
	assert_int_equal(uc_transport_register(&clash), UC_ERR_EXISTS);
	assert_int_equal(uc_transport_register(&builtin_clash), UC_ERR_EXISTS);
	assert_int_equal(uc_transport_register(NULL), UC_ERR_ARG);
#if !UC_HAVE_NFC
	assert_int_equal(uc_transport_open("nfc:pn532_uart:/dev/null", &t),
	    UC_ERR_UNSUPPORTED);
	assert_null(t);
#endif
	assert_int_equal(uc_transport_open("replay:/nonexistent/x.json", &t),
	    UC_ERR_IO);
	assert_null(t);
}

/* Names without a known scheme go to PC/SC; here no pcscd answers. */
static void
test_names_default_to_pcsc(void **state)
{
	struct uc_transport *t = NULL;
	struct uc_reader_info *ri = NULL;
	size_t n = 99;

	(void)state;
#if UC_HAVE_PCSC
	setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/uc-test/pcscd.comm", 1);
	assert_int_equal(uc_transport_open("ACS ACR39U 00 00", &t),
	    UC_ERR_NO_SERVICE);
	assert_int_equal(uc_transport_open("pcsc:ACS ACR39U 00 00", &t),
	    UC_ERR_NO_SERVICE);
	/* A colon inside a reader name is not a scheme. */
	assert_int_equal(uc_transport_open("Gemalto: PC Twin", &t),
	    UC_ERR_NO_SERVICE);
	assert_non_null(strstr(TRANSPORT_WHY(),
	    "SCardEstablishContext"));
	assert_int_equal(uc_readers_list(&ri, &n), UC_ERR_NO_SERVICE);
	assert_null(ri);
	assert_int_equal(n, 0);
#else
	assert_int_equal(uc_transport_open("ACS ACR39U 00 00", &t),
	    UC_ERR_UNSUPPORTED);
	(void)ri;
	(void)n;
#endif
	assert_null(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_response, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_endless_61, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_61_past_64k, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_6c, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_response, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_card_removed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_chaining, setup,
		    teardown),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_names_default_to_pcsc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
