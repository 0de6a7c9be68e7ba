/*
 * test_scp03.c - the host and card sides of SCP03 talking to each other:
 * long sessions at every security level, tampering anywhere in a command
 * or response, wrong keys, the failed-authentication counter, the
 * sequence counter and misuse of either side's state machine.
 *
 * Commands travel as encoded bytes between the sides (encode, parse), as
 * they would over a reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scp03_test_util.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"

#define BIG (70u * 1024u)

static const uint8_t aid[] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43,
	0x41, 0x52, 0x44, 0x01 };
static const uint8_t serial[8] = { 0x55, 0x43, 0x20, 0x26, 0, 0, 0, 0x42 };
static const uint8_t levels[] = { 0x01, 0x03, 0x11, 0x13, 0x31, 0x33 };

/* A card and a host that share keys. */
struct pair {
	struct uc_scp03_keys card_keys;
	struct uc_scp03_card_nv nv;
	struct uc_scp03_card *card;
	struct uc_scp03_host *host;
	uint8_t div[10];
};

static uint8_t *wire, *store, *plain, *resp, *out;

static int
setup(void **state)
{
	(void)state;
	wire = malloc(BIG);
	store = malloc(BIG);
	plain = malloc(BIG);
	resp = malloc(BIG);
	out = malloc(BIG);
	return wire && store && plain && resp && out ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	free(wire);
	free(store);
	free(plain);
	free(resp);
	free(out);
	return 0;
}

/* A deterministic byte stream, so a failure reproduces. */
static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static void
pair_init(struct pair *p)
{
	struct uc_scp03_keys master;

	memset(p, 0, sizeof(*p));
	uc_scp03_dev_keys(&master);
	assert_int_equal(uc_scp03_diversify(&master, serial, &p->card_keys),
	    0);
	uc_scp03_card_nv_init(&p->nv);
	uc_scp03_div_data(serial, p->div);
	assert_int_equal(uc_scp03_card_new(&p->card), 0);
	assert_int_equal(uc_scp03_host_new(&p->host), 0);
}

static void
pair_free(struct pair *p)
{
	uc_scp03_card_free(&p->card);
	uc_scp03_host_free(&p->host);
	assert_null(p->card);
	assert_null(p->host);
	uc_scp03_keys_wipe(&p->card_keys);
}

/* Send a to the card side as bytes; returns the card's view. */
static void
transfer(const struct uc_apdu *a, struct uc_apdu *seen)
{
	size_t n = t_apdu_encode(a, wire, BIG);

	assert_true(n > 0);
	assert_int_equal(t_apdu_parse(wire, n, seen), 0);
}

/*
 * INITIALIZE UPDATE + EXTERNAL AUTHENTICATE with host_keys against the
 * card.  Returns the host's error (0: open).
 */
static int
handshake(struct pair *p, const struct uc_scp03_keys *host_keys,
    unsigned flags, uint8_t sl, uint16_t *ea_sw)
{
	struct uc_apdu a, seen;
	uint8_t r[64];
	size_t rl;
	uint16_t sw;
	int dirty, err;

	assert_int_equal(uc_scp03_host_begin(p->host, host_keys, flags, NULL,
	    &a), 0);
	transfer(&a, &seen);
	assert_int_equal(uc_scp03_card_initialize_update(p->card,
	    &p->card_keys, &p->nv, &dirty, p->div, aid, sizeof(aid), &seen, r,
	    sizeof(r), &rl, &sw), 0);
	err = uc_scp03_host_authenticate(p->host, r, rl, sw, sl, &a);
	if (err != 0)
		return err;
	transfer(&a, &seen);
	assert_int_equal(uc_scp03_card_external_authenticate(p->card, &p->nv,
	    &dirty, &seen, &sw), 0);
	if (ea_sw != NULL)
		*ea_sw = sw;
	return uc_scp03_host_confirm(p->host, sw, NULL);
}

static void
open_pair(struct pair *p, uint8_t sl)
{
	assert_int_equal(handshake(p, &p->card_keys, 0, sl, NULL), 0);
	assert_int_equal(uc_scp03_host_security_level(p->host), sl);
	assert_int_equal(uc_scp03_card_security_level(p->card), sl);
}

/*
 * One protected command and its response through both sides; checks the
 * card saw the plain data and the host got the plain response back.
 */
static void
exchange(struct pair *p, const struct uc_apdu *cmd, const uint8_t *rdata,
    size_t rlen, uint16_t rsw)
{
	struct uc_apdu w, seen;
	size_t pl, wl, hl;
	uint16_t sw;

	assert_int_equal(uc_scp03_host_wrap(p->host, cmd, store, BIG, &w), 0);
	assert_int_equal(w.cla, cmd->cla | 0x04);
	transfer(&w, &seen);
	assert_int_equal(uc_scp03_card_unwrap(p->card, &seen, plain, BIG, &pl,
	    &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(pl, cmd->lc);
	if (pl > 0)
		assert_memory_equal(plain, cmd->data, pl);

	assert_int_equal(uc_scp03_card_wrap_response(p->card, rdata, rlen, rsw,
	    resp, BIG, &wl), 0);
	assert_int_equal(uc_scp03_host_unwrap(p->host, resp, wl, rsw, out, BIG,
	    &hl), 0);
	if (rsw == 0x9000 || (rsw >> 8) == 0x62 || (rsw >> 8) == 0x63) {
		assert_int_equal(hl, rlen);
		if (rlen > 0)
			assert_memory_equal(out, rdata, rlen);
	} else if ((uc_scp03_host_security_level(p->host) & 0x10) != 0) {
		/* under R-MAC, error status words travel alone */
		assert_int_equal(wl, 0);
		assert_int_equal(hl, 0);
	} else {
		assert_int_equal(hl, rlen);
	}
}

/* 50 commands per level: chaining, counters, C-DEC, R-MAC, R-ENC. */
static void
test_long_sessions(void **state)
{
	static const uint16_t sws[] = { 0x9000, 0x9000, 0x6310, 0x6A88,
		0x6283, 0x9000, 0x6982 };
	uint8_t *cdata = malloc(512), *rdata = malloc(512);
	size_t li, i;

	(void)state;
	assert_non_null(cdata);
	assert_non_null(rdata);
	for (li = 0; li < sizeof(levels); li++) {
		struct pair p;

		pair_init(&p);
		open_pair(&p, levels[li]);
		for (i = 0; i < 50; i++) {
			struct uc_apdu a = { 0x80, 0xE2, 0x08, (uint8_t)i,
				cdata, 0, 0, 0 };
			size_t rl = rnd() % 300;

			/* lengths around the block and short-APDU edges */
			a.lc = (i % 5 == 0) ? 0 : (i % 7 == 0) ? 16 * (i % 4) :
			    (i % 11 == 0) ? 247 + i % 9 : rnd() % 300;
			a.le = (i % 3 == 0) ? 0 : 256;
			fill(cdata, a.lc);
			fill(rdata, rl);
			exchange(&p, &a, rdata, rl, sws[i % 7]);

			/* unprotected commands in between change nothing */
			if (i % 9 == 4) {
				struct uc_apdu u = { 0x00, 0xCA, 0x00, 0xFF,
					NULL, 0, 256, 0 }, seen;
				size_t pl, wl;
				uint16_t sw;

				transfer(&u, &seen);
				assert_int_equal(uc_scp03_card_unwrap(p.card,
				    &seen, plain, BIG, &pl, &sw), 0);
				assert_int_equal(sw, 0x9000);
				assert_int_equal(uc_scp03_card_wrap_response(
				    p.card, rdata, 20, 0x9000, resp, BIG, &wl),
				    0);
				assert_int_equal(wl, 20);
				assert_memory_equal(resp, rdata, 20);
			}
		}
		assert_int_equal(uc_scp03_card_security_level(p.card),
		    levels[li]);
		pair_free(&p);
	}
	free(cdata);
	free(rdata);
}

/* The largest command and response an extended APDU can carry. */
static void
test_extended_lengths(void **state)
{
	struct pair p;
	uint8_t *big = malloc(UC_SCP03_PLAIN_MAX + 1);
	struct uc_apdu a = { 0x80, 0xE2, 0x88, 0x00, NULL, 0, 65536, 0 }, w;

	(void)state;
	assert_non_null(big);
	fill(big, UC_SCP03_PLAIN_MAX + 1);
	pair_init(&p);
	open_pair(&p, 0x33);
	a.data = big;
	a.lc = UC_SCP03_PLAIN_MAX;
	exchange(&p, &a, big, 60000, 0x9000);
	a.lc = UC_SCP03_PLAIN_MAX + 1;
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &w),
	    UC_ERR_RANGE);
	a.lc = 10;
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, 17, &w),
	    UC_ERR_BUFFER);
	/* neither refusal disturbed the session */
	exchange(&p, &a, big, 3, 0x9000);
	pair_free(&p);
	free(big);
}

/*
 * Flip every bit of a wrapped command (header, Lc, data, MAC; Le is not
 * covered by SCP03) in a fresh session each time: the card must refuse it
 * and close the session.
 */
static void
test_command_bit_flips(void **state)
{
	static const uint8_t levels_tested[] = { 0x01, 0x13 };
	uint8_t cdata[40];
	size_t li, n, bit, le_len = 1, flips;

	(void)state;
	fill(cdata, sizeof(cdata));
	for (li = 0; li < sizeof(levels_tested); li++) {
		struct uc_apdu a = { 0x80, 0xE2, 0x88, 0x00, cdata,
			sizeof(cdata), 256, 0 }, w, seen;
		struct pair p;
		size_t pl;
		uint16_t sw;

		/* control: the untouched command goes through */
		pair_init(&p);
		open_pair(&p, levels_tested[li]);
		assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &w),
		    0);
		transfer(&w, &seen);
		assert_int_equal(uc_scp03_card_unwrap(p.card, &seen, plain, BIG,
		    &pl, &sw), 0);
		assert_int_equal(sw, 0x9000);
		n = t_apdu_encode(&w, wire, BIG);
		pair_free(&p);

		for (bit = 0, flips = 0; bit < (n - le_len) * 8; bit++) {
			pair_init(&p);
			open_pair(&p, levels_tested[li]);
			/* the same command in this session, then one flip */
			assert_int_equal(uc_scp03_host_wrap(p.host, &a, store,
			    BIG, &w), 0);
			assert_int_equal(t_apdu_encode(&w, wire, BIG), n);
			wire[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
			if (t_apdu_parse(wire, n, &seen) != 0) {
				/* Lc no longer matches: 67 00 on a card */
				pair_free(&p);
				continue;
			}
			flips++;
			assert_int_equal(uc_scp03_card_unwrap(p.card, &seen,
			    plain, BIG, &pl, &sw), 0);
			if (bit == 5) {
				/*
				 * CLA b3 cleared: the card sees a plain
				 * command whose data still ends in the MAC;
				 * the applet refuses it for want of SM, and
				 * nothing was authenticated.
				 */
				assert_int_equal(sw, 0x9000);
				assert_int_equal(seen.cla & 0x04, 0);
				assert_int_equal(pl, seen.lc);
			} else {
				assert_int_equal(sw, 0x6988);
				assert_int_equal(pl, 0);
				assert_int_equal(
				    uc_scp03_card_security_level(p.card), 0);
				/* and the session is gone for good */
				transfer(&w, &seen);
				assert_int_equal(uc_scp03_card_unwrap(p.card,
				    &seen, plain, BIG, &pl, &sw), 0);
				assert_int_equal(sw, 0x6982);
			}
			pair_free(&p);
		}
		/* all but the Lc flips reached the card */
		assert_true(flips >= (n - le_len - 1) * 8);
	}
}

/* Flip every bit of a protected response (data, R-MAC, SW). */
static void
test_response_bit_flips(void **state)
{
	static const uint8_t levels_tested[] = { 0x13, 0x33 };
	uint8_t rdata[37], good[128];
	size_t li, n, bit;

	(void)state;
	fill(rdata, sizeof(rdata));
	for (li = 0; li < sizeof(levels_tested); li++) {
		for (bit = 0;; bit++) {
			struct uc_apdu a = { 0x80, 0xCA, 0x00, 0xFF, NULL, 0,
				256, 0 }, w, seen;
			struct pair p;
			size_t pl, wl;
			uint16_t sw, rsw = 0x9000;
			int r;

			pair_init(&p);
			open_pair(&p, levels_tested[li]);
			assert_int_equal(uc_scp03_host_wrap(p.host, &a, store,
			    BIG, &w), 0);
			transfer(&w, &seen);
			assert_int_equal(uc_scp03_card_unwrap(p.card, &seen,
			    plain, BIG, &pl, &sw), 0);
			assert_int_equal(uc_scp03_card_wrap_response(p.card,
			    rdata, sizeof(rdata), 0x9000, good, sizeof(good),
			    &wl), 0);
			n = wl;
			if (bit >= (n + 2) * 8) {
				pair_free(&p);
				break;
			}
			memcpy(resp, good, n);
			if (bit < n * 8)
				resp[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
			else
				rsw ^= (uint16_t)(0x8000u >> (bit - n * 8));
			r = uc_scp03_host_unwrap(p.host, resp, n, rsw, out, BIG,
			    &pl);
			assert_true(r == UC_ERR_VERIFY || r == UC_ERR_PROTOCOL);
			assert_int_equal(pl, 0);
			assert_int_equal(uc_scp03_host_security_level(p.host),
			    0);
			assert_int_equal(uc_scp03_host_wrap(p.host, &a, store,
			    BIG, &w), UC_ERR_STATE);
			pair_free(&p);
		}
	}
}

/*
 * A wrong key is caught at the card cryptogram: nothing is sent, the
 * card's failure counter is untouched.
 */
static void
test_wrong_key(void **state)
{
	struct pair p;
	struct uc_scp03_keys wrong;
	struct uc_scp03_card_info info;
	struct uc_apdu a, seen;
	uint8_t r[64];
	size_t rl;
	uint16_t sw;
	int dirty;

	(void)state;
	pair_init(&p);
	uc_scp03_dev_keys(&wrong); /* the master, not the card's keys */
	assert_int_equal(uc_scp03_host_begin(p.host, &wrong, 0, NULL, &a), 0);
	transfer(&a, &seen);
	assert_int_equal(uc_scp03_card_initialize_update(p.card, &p.card_keys,
	    &p.nv, &dirty, p.div, aid, sizeof(aid), &seen, r, sizeof(r), &rl,
	    &sw), 0);
	assert_int_equal(sw, 0x9000);
	memset(&a, 0xAA, sizeof(a));
	assert_int_equal(uc_scp03_host_authenticate(p.host, r, rl, sw, 0x13,
	    &a), UC_ERR_AUTH);
	/* no EXTERNAL AUTHENTICATE was produced */
	assert_null(a.data);
	assert_int_equal(a.lc, 0);
	assert_int_equal(p.nv.tries_left, UC_SCP03_TRIES_MAX);
	assert_int_equal(uc_scp03_host_security_level(p.host), 0);
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &a),
	    UC_ERR_STATE);
	/* what the card said is still there for the diagnostic */
	assert_int_equal(uc_scp03_host_card_info(p.host, &info), 0);
	assert_memory_equal(info.div_data, p.div, 10);

	/* a wrong key version never gets as far: 6A 88 */
	wrong = p.card_keys;
	wrong.kvn = 0x31;
	assert_int_equal(handshake(&p, &wrong, 0, 0x13, NULL),
	    UC_ERR_SW_NOT_FOUND);
	assert_int_equal(p.nv.tries_left, UC_SCP03_TRIES_MAX);

	/* P1 = 00 means "any version" */
	wrong.kvn = 0x00;
	assert_int_equal(handshake(&p, &wrong, 0, 0x13, NULL), 0);
	pair_free(&p);
	uc_scp03_keys_wipe(&wrong);
}

/* Master keys on the host, diversified by the serial the card reports. */
static void
test_master_keys(void **state)
{
	struct pair p;
	struct uc_scp03_keys master;
	struct uc_apdu a = { 0x80, 0xE2, 0x88, 0x00, serial, 8, 0, 0 };

	(void)state;
	pair_init(&p);
	uc_scp03_dev_keys(&master);
	assert_int_equal(handshake(&p, &master, UC_SCP03_HOST_MASTER_KEYS,
	    0x13, NULL), 0);
	exchange(&p, &a, serial, 8, 0x9000);
	/* a card whose diversification data is not ours: refused */
	memset(p.div + 8, 0xFF, 2);
	assert_int_equal(handshake(&p, &master, UC_SCP03_HOST_MASTER_KEYS,
	    0x13, NULL), UC_ERR_UNSUPPORTED);
	assert_int_equal(uc_scp03_host_begin(p.host, &master, 0x80, NULL, &a),
	    UC_ERR_ARG);
	pair_free(&p);
}

/* Build an EXTERNAL AUTHENTICATE with a corrupted cryptogram or MAC. */
static uint16_t
bad_authentication(struct pair *p, size_t corrupt_at, int *dirty)
{
	struct uc_apdu a, seen;
	uint8_t r[64], ea[16];
	size_t rl;
	uint16_t sw;

	assert_int_equal(uc_scp03_host_begin(p->host, &p->card_keys, 0, NULL,
	    &a), 0);
	transfer(&a, &seen);
	assert_int_equal(uc_scp03_card_initialize_update(p->card,
	    &p->card_keys, &p->nv, dirty, p->div, aid, sizeof(aid), &seen, r,
	    sizeof(r), &rl, &sw), 0);
	if (sw != 0x9000)
		return sw;
	assert_int_equal(uc_scp03_host_authenticate(p->host, r, rl, sw, 0x13,
	    &a), 0);
	memcpy(ea, a.data, 16);
	ea[corrupt_at] ^= 0x01;
	a.data = ea;
	transfer(&a, &seen);
	assert_int_equal(uc_scp03_card_external_authenticate(p->card, &p->nv,
	    dirty, &seen, &sw), 0);
	return sw;
}

static void
test_failure_counter(void **state)
{
	struct pair p;
	uint16_t sw;
	int dirty, tries, i;

	(void)state;
	pair_init(&p);
	/* two failures, then a success resets the counter */
	assert_int_equal(bad_authentication(&p, 0, &dirty), 0x63C4);
	assert_true(dirty);
	assert_int_equal(uc_scp03_host_confirm(p.host, 0x63C4, &tries),
	    UC_ERR_SW_AUTH_FAILED);
	assert_int_equal(tries, 4);
	assert_int_equal(bad_authentication(&p, 12, &dirty), 0x63C3);
	assert_int_equal(p.nv.tries_left, 3);
	assert_int_equal(handshake(&p, &p.card_keys, 0, 0x13, &sw), 0);
	assert_int_equal(p.nv.tries_left, UC_SCP03_TRIES_MAX);

	/* five consecutive failures block the keys for ever */
	for (i = 0; i < UC_SCP03_TRIES_MAX; i++) {
		sw = bad_authentication(&p, (size_t)(i * 3), &dirty);
		assert_int_equal(sw, 0x63C0 | (UC_SCP03_TRIES_MAX - 1 - i));
		assert_int_equal(uc_scp03_card_security_level(p.card), 0);
	}
	assert_int_equal(p.nv.tries_left, 0);
	assert_int_equal(bad_authentication(&p, 0, &dirty), 0x6983);
	assert_false(dirty);
	/* even the right keys are refused now, before any cryptogram */
	assert_int_equal(handshake(&p, &p.card_keys, 0, 0x13, &sw),
	    UC_ERR_SW_BLOCKED);
	pair_free(&p);
}

static void
test_sequence_counter(void **state)
{
	struct pair p;
	struct uc_scp03_card_info info;

	(void)state;
	pair_init(&p);
	open_pair(&p, 0x01);
	assert_int_equal(p.nv.seq_counter, 1);
	assert_int_equal(uc_scp03_host_card_info(p.host, &info), 0);
	assert_int_equal(info.seq_counter, 1);
	assert_int_equal(info.i, UC_SCP03_I_CARD);
	open_pair(&p, 0x01);
	assert_int_equal(p.nv.seq_counter, 2);
	p.nv.seq_counter = UC_SCP03_SEQ_MAX - 1;
	open_pair(&p, 0x01);
	assert_int_equal(uc_scp03_host_card_info(p.host, &info), 0);
	assert_int_equal(info.seq_counter, UC_SCP03_SEQ_MAX);
	/* exhausted: no more sessions */
	assert_int_equal(handshake(&p, &p.card_keys, 0, 0x01, NULL),
	    UC_ERR_SW_CONDITIONS);
	assert_int_equal(p.nv.seq_counter, UC_SCP03_SEQ_MAX);
	pair_free(&p);
}

static uint16_t
card_iu(struct pair *p, uint8_t cla, uint8_t p1, uint8_t p2, size_t lc)
{
	static const uint8_t hc[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct uc_apdu a = { cla, 0x50, p1, p2, hc, lc, 256, 0 };
	uint8_t r[64];
	size_t rl;
	uint16_t sw;
	int dirty;

	assert_int_equal(uc_scp03_card_initialize_update(p->card,
	    &p->card_keys, &p->nv, &dirty, p->div, aid, sizeof(aid), &a, r,
	    sizeof(r), &rl, &sw), 0);
	if (sw != 0x9000) {
		assert_int_equal(rl, 0);
		assert_false(dirty);
	}
	return sw;
}

static uint16_t
card_ea(struct pair *p, uint8_t cla, uint8_t p1, uint8_t p2, size_t lc)
{
	static const uint8_t d[17];
	struct uc_apdu a = { cla, 0x82, p1, p2, d, lc, 0, 0 };
	uint16_t sw;
	int dirty;

	assert_int_equal(uc_scp03_card_external_authenticate(p->card, &p->nv,
	    &dirty, &a, &sw), 0);
	return sw;
}

/* The card's refusals of malformed INITIALIZE UPDATE / EXT AUTH. */
static void
test_card_refusals(void **state)
{
	struct pair p;
	struct uc_apdu a = { 0x84, 0xE2, 0, 0, aid, 11, 0, 0 };
	size_t pl, wl;
	uint16_t sw;
	static const uint8_t bad_levels[] = { 0x00, 0x02, 0x10, 0x12, 0x20,
		0x21, 0x23, 0x30, 0x41, 0x81, 0xFF };
	size_t i;

	(void)state;
	pair_init(&p);
	assert_int_equal(card_iu(&p, 0x00, 0x30, 0, 8), 0x6E00);
	assert_int_equal(card_iu(&p, 0x84, 0x30, 0, 8), 0x6E00);
	assert_int_equal(card_iu(&p, 0x80, 0x30, 1, 8), 0x6A86);
	assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 9), 0x6700);
	assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 0), 0x6700);
	assert_int_equal(card_iu(&p, 0x80, 0x2F, 0, 8), 0x6A88);
	assert_int_equal(p.nv.seq_counter, 0);

	/* EXTERNAL AUTHENTICATE without INITIALIZE UPDATE */
	assert_int_equal(card_ea(&p, 0x84, 0x13, 0, 16), 0x6985);
	/* each refusal uses up the INITIALIZE UPDATE but not a try */
	assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 8), 0x9000);
	assert_int_equal(card_ea(&p, 0x80, 0x13, 0, 16), 0x6882);
	assert_int_equal(card_ea(&p, 0x84, 0x13, 0, 16), 0x6985);
	for (i = 0; i < sizeof(bad_levels); i++) {
		assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 8), 0x9000);
		assert_int_equal(card_ea(&p, 0x84, bad_levels[i], 0, 16),
		    0x6A86);
	}
	assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 8), 0x9000);
	assert_int_equal(card_ea(&p, 0x84, 0x13, 1, 16), 0x6A86);
	assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 8), 0x9000);
	assert_int_equal(card_ea(&p, 0x84, 0x13, 0, 17), 0x6700);
	assert_int_equal(card_iu(&p, 0x80, 0x30, 0, 8), 0x9000);
	assert_int_equal(card_ea(&p, 0x00, 0x13, 0, 16), 0x6E00);
	assert_int_equal(p.nv.tries_left, UC_SCP03_TRIES_MAX);
	/* the order of the checks: format before state, blocked first */
	assert_int_equal(card_ea(&p, 0x80, 0x13, 0, 16), 0x6882);
	assert_int_equal(card_ea(&p, 0x84, 0x02, 0, 16), 0x6A86);
	assert_int_equal(card_ea(&p, 0x84, 0x13, 0, 8), 0x6700);
	p.nv.tries_left = 0;
	assert_int_equal(card_ea(&p, 0x80, 0x02, 1, 3), 0x6983);
	assert_int_equal(card_iu(&p, 0x80, 0x30, 1, 3), 0x6983);
	assert_int_equal(card_iu(&p, 0x84, 0x30, 0, 8), 0x6E00);
	p.nv.tries_left = UC_SCP03_TRIES_MAX;

	/* protected command without a session */
	assert_int_equal(uc_scp03_card_unwrap(p.card, &a, plain, BIG, &pl,
	    &sw), 0);
	assert_int_equal(sw, 0x6982);
	assert_int_equal(uc_scp03_card_wrap_response(p.card, aid, 11, 0x9000,
	    resp, BIG, &wl), 0);
	assert_int_equal(wl, 11);

	/* protected commands with a CLA we do not MAC, or too short */
	open_pair(&p, 0x13);
	a.cla = 0x85; /* logical channel 1 */
	assert_int_equal(uc_scp03_card_unwrap(p.card, &a, plain, BIG, &pl,
	    &sw), 0);
	assert_int_equal(sw, 0x6988);
	open_pair(&p, 0x13);
	a.cla = 0x84;
	a.lc = 7;
	assert_int_equal(uc_scp03_card_unwrap(p.card, &a, plain, BIG, &pl,
	    &sw), 0);
	assert_int_equal(sw, 0x6988);
	/* a buffer too small is the caller's error, not the card's */
	open_pair(&p, 0x13);
	a.lc = 11;
	assert_int_equal(uc_scp03_card_unwrap(p.card, &a, plain, 10, &pl,
	    &sw), UC_ERR_BUFFER);
	assert_int_equal(uc_scp03_card_security_level(p.card), 0x13);

	/* power off ends the session */
	uc_scp03_card_reset(p.card);
	assert_int_equal(uc_scp03_card_security_level(p.card), 0);
	pair_free(&p);
}

/* The host's state machine and its checks of the card's answers. */
static void
test_host_refusals(void **state)
{
	struct pair p;
	struct uc_apdu a = { 0x80, 0xCA, 0, 0xFF, NULL, 0, 256, 0 }, iu;
	uint8_t r[64];
	size_t rl, pl;
	uint16_t sw;
	int dirty;

	(void)state;
	pair_init(&p);
	assert_int_equal(uc_scp03_host_authenticate(p.host, r, 32, 0x9000,
	    0x13, &a), UC_ERR_STATE);
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &a),
	    UC_ERR_STATE);
	assert_int_equal(uc_scp03_host_unwrap(p.host, r, 0, 0x9000, out, BIG,
	    &pl), UC_ERR_STATE);
	assert_int_equal(uc_scp03_host_confirm(p.host, 0x9000, NULL),
	    UC_ERR_STATE);
	assert_int_equal(uc_scp03_host_card_info(p.host,
	    &(struct uc_scp03_card_info){ 0 }), UC_ERR_STATE);

	/* a real response, then variations of it */
	assert_int_equal(uc_scp03_host_begin(p.host, &p.card_keys, 0, NULL,
	    &iu), 0);
	assert_int_equal(iu.cla, 0x80);
	assert_int_equal(iu.ins, 0x50);
	assert_int_equal(iu.p1, 0x30);
	assert_int_equal(iu.lc, 8);
	assert_int_equal(uc_scp03_card_initialize_update(p.card, &p.card_keys,
	    &p.nv, &dirty, p.div, aid, sizeof(aid), &iu, r, sizeof(r), &rl,
	    &sw), 0);
	assert_int_equal(rl, 32);

#define AGAIN(resp_, len_, sw_, sl_, want_)                                  \
	do {                                                                 \
		assert_int_equal(uc_scp03_host_begin(p.host, &p.card_keys, 0, \
		    hc, &iu), 0);                                            \
		assert_int_equal(uc_scp03_host_authenticate(p.host, resp_,   \
		    len_, sw_, sl_, &a), want_);                              \
	} while (0)
	{
		uint8_t hc[8], bad[64];

		memcpy(hc, iu.data, 8);
		AGAIN(r, rl, 0x6983, 0x13, UC_ERR_SW_BLOCKED);
		AGAIN(r, rl - 1, 0x9000, 0x13, UC_ERR_PROTOCOL);
		AGAIN(r, 29, 0x9000, 0x13, UC_ERR_PROTOCOL); /* no counter */
		AGAIN(r, rl, 0x9000, 0x02, UC_ERR_ARG);
		AGAIN(r, rl, 0x9000, 0x00, UC_ERR_ARG);
		memcpy(bad, r, rl);
		bad[11] = 0x02; /* SCP02 */
		AGAIN(bad, rl, 0x9000, 0x13, UC_ERR_PROTOCOL);
		memcpy(bad, r, rl);
		bad[12] = 0x71; /* S16 */
		AGAIN(bad, rl, 0x9000, 0x13, UC_ERR_UNSUPPORTED);
		memcpy(bad, r, rl);
		bad[12] = 0x10; /* no R-MAC offered */
		AGAIN(bad, rl, 0x9000, 0x13, UC_ERR_ARG);
		memcpy(bad, r, rl);
		bad[12] = 0x30; /* R-MAC but no R-ENC */
		AGAIN(bad, rl, 0x9000, 0x33, UC_ERR_ARG);
		memcpy(bad, r, rl);
		bad[10] = 0x31; /* another key version than asked for */
		AGAIN(bad, rl, 0x9000, 0x13, UC_ERR_PROTOCOL);
		memcpy(bad, r, rl);
		bad[20] ^= 0x01; /* card challenge */
		AGAIN(bad, rl, 0x9000, 0x13, UC_ERR_AUTH);
		AGAIN(r, rl, 0x9000, 0x13, 0);
	}
#undef AGAIN
	/* confirm maps the card's answer */
	assert_int_equal(uc_scp03_host_confirm(p.host, 0x6982, NULL),
	    UC_ERR_SW_SECURITY);
	assert_int_equal(uc_scp03_host_security_level(p.host), 0);

	/* error status words: no R-MAC, and data with one is refused */
	open_pair(&p, 0x13);
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &a), 0);
	assert_int_equal(uc_scp03_host_unwrap(p.host, r, 0, 0x6A88, out, BIG,
	    &pl), 0);
	assert_int_equal(uc_scp03_host_unwrap(p.host, r, 0, 0x6A88, out, BIG,
	    &pl), UC_ERR_STATE);
	a.cla = 0x80;
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &a), 0);
	assert_int_equal(uc_scp03_host_unwrap(p.host, r, 4, 0x6A88, out, BIG,
	    &pl), UC_ERR_VERIFY);
	assert_int_equal(uc_scp03_host_security_level(p.host), 0);
	/* a protected SW without room for an R-MAC */
	open_pair(&p, 0x13);
	a.cla = 0x80;
	assert_int_equal(uc_scp03_host_wrap(p.host, &a, store, BIG, &a), 0);
	assert_int_equal(uc_scp03_host_unwrap(p.host, r, 7, 0x9000, out, BIG,
	    &pl), UC_ERR_PROTOCOL);
	pair_free(&p);
}

static void
test_dev_keys(void **state)
{
	struct uc_scp03_keys k;
	size_t i;

	(void)state;
	uc_scp03_dev_keys(&k);
	for (i = 0; i < 16; i++) {
		assert_int_equal(k.enc[i], 0x40 + i);
		assert_int_equal(k.mac[i], 0x40 + i);
		assert_int_equal(k.dek[i], 0x40 + i);
	}
	assert_int_equal(k.kvn, 0x30);
	uc_scp03_keys_wipe(&k);
	for (i = 0; i < 16; i++)
		assert_int_equal(k.enc[i], 0);
	assert_int_equal(uc_scp03_diversify(NULL, serial, &k), UC_ERR_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_sessions),
		cmocka_unit_test(test_extended_lengths),
		cmocka_unit_test(test_command_bit_flips),
		cmocka_unit_test(test_response_bit_flips),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_master_keys),
		cmocka_unit_test(test_failure_counter),
		cmocka_unit_test(test_sequence_counter),
		cmocka_unit_test(test_card_refusals),
		cmocka_unit_test(test_host_refusals),
		cmocka_unit_test(test_dev_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
