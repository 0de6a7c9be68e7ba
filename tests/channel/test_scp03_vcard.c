/*
 * test_scp03_vcard.c - the host side of SCP03 against the virtual card
 * through the `vcard:` transport: a session at level 13 with protected
 * commands, a wrong key refused at the card cryptogram with the card's
 * failure counter untouched (checked in the card's state file), a real
 * 63 Cx, the reset of the counter on success, the host diversifying
 * master keys from the data the card reports, and a wrong ENC key alone:
 * caught at the card challenge, and else refused by the card at the first
 * encrypted write, which leaves it BLANK.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

static const uint8_t aid[] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43,
	0x41, 0x52, 0x44, 0x01 };
static const uint8_t serial[8] = { 0x55, 0x43, 0x20, 0x26, 0, 0, 0x13, 0x37 };

static char dir[64], path[128], reader[160];

static int
setup(void **state)
{
	struct uc_vcard_new_opts opts;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/uc-scp03-vcard.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/card.json", dir);
	snprintf(reader, sizeof(reader), "vcard:%s", path);
	memset(&opts, 0, sizeof(opts));
	opts.serial = serial; /* development master keys, kvn 30 */
	return uc_vcard_create(path, &opts) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Connect and SELECT the applet. */
static struct uc_transport *
connect_card(void)
{
	struct uc_transport *t = NULL;
	struct uc_apdu sel = { 0x00, 0xA4, 0x04, 0x00, aid, sizeof(aid), 256,
		0 };
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	uint16_t sw;

	assert_int_equal(uc_transport_open(reader, &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, atr, &atr_len), 0);
	assert_int_equal(uc_apdu_exchange(t, &sel, 0, NULL, &sw), 0);
	assert_int_equal(sw, 0x9000);
	return t;
}

static unsigned
tries_on_card(void)
{
	struct uc_vcard *c = NULL;
	unsigned long seq;
	unsigned tries, kvn;

	assert_int_equal(uc_vcard_load(path, &c, NULL), 0);
	uc_vcard_counters(c, &seq, &tries, &kvn);
	uc_vcard_free(&c);
	return tries;
}

static void
card_keys(struct uc_scp03_keys *k)
{
	struct uc_scp03_keys master;

	uc_scp03_dev_keys(&master);
	assert_int_equal(uc_scp03_diversify(&master, serial, k), 0);
	uc_scp03_keys_wipe(&master);
}

static void
test_session(void **state)
{
	struct uc_transport *t = connect_card();
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_keys k;
	struct uc_buf resp = UC_BUF_INIT;
	static const uint8_t bad_dgi[] = { 0x00, 0xE1, 0x05, 0x01 };
	struct uc_apdu gen = { 0x80, 0x47, 0x80, 0x00, NULL, 0, 256, 0 };
	struct uc_apdu store = { 0x80, 0xE2, 0x88, 0x00, bad_dgi,
		sizeof(bad_dgi), 0, 0 };
	uint16_t sw;

	(void)state;
	card_keys(&k);
	assert_int_equal(uc_scp03_open(t, &k, UC_SCP03_SL_DEFAULT, &h, &sw),
	    0);
	assert_int_equal(sw, 0x9000);
	/* GENERATE KEY: its answer (object E2) comes back R-MACed */
	assert_int_equal(uc_scp03_transmit(h, t, &gen, &resp, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(resp.len, 2 + 2 + 65);
	assert_int_equal(resp.data[0], 0xE2);
	assert_int_equal(resp.data[4], 0x04);
	/* a refusal travels without R-MAC and the session goes on */
	uc_buf_reset(&resp);
	assert_int_equal(uc_scp03_transmit(h, t, &store, &resp, &sw), 0);
	assert_int_equal(sw, 0x6A80);
	assert_int_equal(resp.len, 0);
	uc_buf_reset(&resp);
	assert_int_equal(uc_scp03_transmit(h, t, &gen, &resp, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(resp.len, 69);
	uc_buf_free(&resp);
	uc_scp03_host_free(&h);
	uc_transport_free(&t);
	uc_scp03_keys_wipe(&k);
}

static void
test_wrong_key_and_counter(void **state)
{
	struct uc_transport *t = connect_card();
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_keys k, master;
	struct uc_buf r = UC_BUF_INIT;
	struct uc_apdu iu, ea;
	uint8_t bad[16];
	uint64_t before;
	uint16_t sw;
	int tries;

	(void)state;
	/* the master keys themselves are the wrong keys for this card */
	uc_scp03_dev_keys(&master);
	before = uc_transport_apdu_count(t);
	assert_int_equal(uc_scp03_open(t, &master, 0x13, &h, &sw),
	    UC_ERR_AUTH);
	assert_null(h);
	assert_int_equal(uc_transport_apdu_count(t) - before, 1);
	uc_transport_free(&t);
	assert_int_equal(tries_on_card(), UC_SCP03_TRIES_MAX);

	/* a host that sends a wrong cryptogram anyway costs a try */
	t = connect_card();
	card_keys(&k);
	assert_int_equal(uc_scp03_host_new(&h), 0);
	assert_int_equal(uc_scp03_host_begin(h, &k, 0, NULL, &iu), 0);
	assert_int_equal(uc_apdu_exchange(t, &iu, 0, &r, &sw), 0);
	assert_int_equal(uc_scp03_host_authenticate(h, r.data, r.len, sw,
	    0x13, &ea), 0);
	memcpy(bad, ea.data, sizeof(bad));
	bad[3] ^= 0x40;
	ea.data = bad;
	assert_int_equal(uc_apdu_exchange(t, &ea, 0, NULL, &sw), 0);
	assert_int_equal(sw, 0x63C4);
	assert_int_equal(uc_scp03_host_confirm(h, sw, &tries),
	    UC_ERR_SW_AUTH_FAILED);
	assert_int_equal(tries, 4);
	uc_scp03_host_free(&h);
	uc_transport_free(&t);
	assert_int_equal(tries_on_card(), 4);

	/* a success resets it; the host may hold master keys */
	t = connect_card();
	uc_buf_reset(&r);
	assert_int_equal(uc_scp03_host_new(&h), 0);
	assert_int_equal(uc_scp03_host_begin(h, &master,
	    UC_SCP03_HOST_MASTER_KEYS, NULL, &iu), 0);
	assert_int_equal(uc_apdu_exchange(t, &iu, 0, &r, &sw), 0);
	assert_int_equal(uc_scp03_host_authenticate(h, r.data, r.len, sw,
	    0x13, &ea), 0);
	assert_int_equal(uc_apdu_exchange(t, &ea, 0, NULL, &sw), 0);
	assert_int_equal(uc_scp03_host_confirm(h, sw, NULL), 0);
	assert_int_equal(uc_scp03_host_security_level(h), 0x13);
	uc_scp03_host_free(&h);
	uc_transport_free(&t);
	assert_int_equal(tries_on_card(), UC_SCP03_TRIES_MAX);

	uc_buf_free(&r);
	uc_scp03_keys_wipe(&k);
	uc_scp03_keys_wipe(&master);
}

/* A session opened step by step, with a fixed host challenge, so that
 * the session keys (and the card's view of our wrong ENC key) are the
 * same on every run. */
static struct uc_scp03_host *
open_fixed(struct uc_transport *t, const struct uc_scp03_keys *k)
{
	static const uint8_t hc[8] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
		0x77 };
	struct uc_scp03_host *h = NULL;
	struct uc_buf r = UC_BUF_INIT;
	struct uc_apdu iu, ea;
	uint16_t sw;

	assert_int_equal(uc_scp03_host_new(&h), 0);
	assert_int_equal(uc_scp03_host_begin(h, k, 0, hc, &iu), 0);
	assert_int_equal(uc_apdu_exchange(t, &iu, 0, &r, &sw), 0);
	assert_int_equal(uc_scp03_host_authenticate(h, r.data, r.len, sw,
	    UC_SCP03_SL_DEFAULT, &ea), 0);
	assert_int_equal(uc_apdu_exchange(t, &ea, 0, NULL, &sw), 0);
	assert_int_equal(uc_scp03_host_confirm(h, sw, NULL), 0);
	uc_buf_free(&r);
	return h;
}

static void
test_wrong_enc_key(void **state)
{
	/* DGI 00E1 with a well-formed identity for this card's serial. */
	static const uint8_t e1[] = { 0x00, 0xE1, 0x38,
		0xC0, 0x0B, '5', '2', '0', '0', '0', '0', '1', '2', '3', '4',
		'5',
		0xC1, 0x02, 'A', 'n',
		0xC2, 0x01, 'X',
		0xC3, 0x01, 'Y',
		0xC4, 0x01, 0x01,
		0xC5, 0x08, '2', '0', '2', '6', '1', '2', '0', '6',
		0xC6, 0x08, '2', '0', '3', '1', '1', '2', '0', '6',
		0xC7, 0x08, 0x55, 0x43, 0x20, 0x26, 0, 0, 0x13, 0x37 };
	struct uc_apdu store = { 0x80, 0xE2, 0x88, 0x00, e1, sizeof(e1), 0,
		0 };
	struct uc_transport *t;
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_keys k;
	struct uc_vcard_new_opts opts;
	struct uc_vcard *c = NULL;
	struct uc_buf o = UC_BUF_INIT;
	uint64_t before;
	uint16_t sw;

	(void)state;
	/* a fresh blank card: test_session wrote the shared one */
	memset(&opts, 0, sizeof(opts));
	opts.serial = serial;
	unlink(path);
	assert_int_equal(uc_vcard_create(path, &opts), 0);
	card_keys(&k);
	k.enc[5] ^= 0x01;

	/* told the AID, the host sees Key-ENC in the card challenge */
	t = connect_card();
	before = uc_transport_apdu_count(t);
	assert_int_equal(uc_scp03_open_aid(t, &k, aid, sizeof(aid),
	    UC_SCP03_SL_DEFAULT, &h, &sw), UC_ERR_KEY);
	assert_null(h);
	assert_int_equal(uc_transport_apdu_count(t) - before, 1);
	uc_transport_free(&t);

	/* not told it, the session opens (the MAC keys are right) and the
	 * card cannot decrypt the first write: 69 88, nothing written */
	t = connect_card();
	h = open_fixed(t, &k);
	assert_int_equal(uc_scp03_transmit(h, t, &store, NULL, &sw), 0);
	assert_int_equal(sw, 0x6988);
	uc_scp03_host_free(&h);
	uc_transport_free(&t);
	assert_int_equal(uc_vcard_load(path, &c, NULL), 0);
	assert_string_equal(uc_vcard_lifecycle(c), "BLANK");
	assert_int_equal(uc_vcard_object(c, 0xE1, &o), UC_ERR_NOT_FOUND);
	assert_int_equal(uc_vcard_object(c, 0xE2, &o), UC_ERR_NOT_FOUND);
	uc_vcard_free(&c);
	assert_int_equal(tries_on_card(), UC_SCP03_TRIES_MAX);

	/* the same write with the right keys is taken */
	card_keys(&k);
	t = connect_card();
	h = open_fixed(t, &k);
	assert_int_equal(uc_scp03_transmit(h, t, &store, NULL, &sw), 0);
	assert_int_equal(sw, 0x9000);
	uc_scp03_host_free(&h);
	uc_transport_free(&t);
	assert_int_equal(uc_vcard_load(path, &c, NULL), 0);
	assert_string_equal(uc_vcard_lifecycle(c), "PERSONALIZING");
	assert_int_equal(uc_vcard_object(c, 0xE1, &o), 0);
	assert_int_equal(o.len, sizeof(e1) - 1);
	uc_vcard_free(&c);
	uc_buf_free(&o);
	uc_scp03_keys_wipe(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_wrong_key_and_counter),
		cmocka_unit_test(test_wrong_enc_key),
	};

	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
