/*
 * test_scp03_kat.c - SCP03 known-answer tests from
 * applets-spec/vectors/scp03-kat.json.
 *
 * Sources of the published values (values only; see the JSON for each):
 *   - AES-CMAC: RFC 4493 section 4 (NIST SP 800-38B, D.1);
 *   - a full session derivation (pseudo-random card challenge, session
 *     keys, cryptograms, EXTERNAL AUTHENTICATE, C-DECRYPTION): the unit test
 *     of asterix SCP03.py by Petr Tobiska (after J.M. Valade);
 *   - three card transcripts at security levels 11, 03 and 33 (C-MAC,
 *     C-DEC, R-MAC, R-ENC, MAC chaining over five commands): the SCP03
 *     tests of osmocom/pysim tests/unittests/test_globalplatform.py;
 *   - our own worked example (secure-channel.md section 9), computed by
 *     the independent model applets-spec/vectors/scp03_model.py.
 *
 * Every transcript is replayed twice: by the host side (each wrapped
 * command and unwrapped response must match byte for byte) and by the card
 * side (the INITIALIZE UPDATE response must match, every wrapped command
 * must unwrap to the plain one, every response must wrap to the wire one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel/kdf.h"
#include "scp03_test_util.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"

#define BUF 4096

static json_t *kat;

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static size_t
jhex(json_t *o, const char *key, uint8_t *out, size_t cap)
{
	long n = t_hex(jstr(o, key), out, cap);

	assert_true(n >= 0);
	return (size_t)n;
}

static void
jkeys(json_t *o, const char *key, struct uc_scp03_keys *k)
{
	json_t *ko = json_object_get(o, key);
	uint8_t kvn;

	assert_non_null(ko);
	memset(k, 0, sizeof(*k));
	assert_int_equal(jhex(ko, "enc", k->enc, 16), 16);
	assert_int_equal(jhex(ko, "mac", k->mac, 16), 16);
	/* asterix's DEK is 16 bytes too; only ENC and MAC enter a session */
	assert_int_equal(jhex(ko, "dek", k->dek, 16), 16);
	assert_int_equal(jhex(ko, "kvn", &kvn, 1), 1);
	k->kvn = kvn;
}

static int
load(void **state)
{
	const char *dir = getenv("UC_SPEC_DIR");
	char path[1024];
	json_error_t err;

	(void)state;
	if (dir == NULL)
		dir = "applets-spec";
	snprintf(path, sizeof(path), "%s/vectors/scp03-kat.json", dir);
	kat = json_load_file(path, 0, &err);
	if (kat == NULL) {
		fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
		return -1;
	}
	return 0;
}

static int
unload(void **state)
{
	(void)state;
	json_decref(kat);
	return 0;
}

static void
test_cmac_rfc4493(void **state)
{
	json_t *c = json_object_get(kat, "cmac"), *cases, *x;
	uint8_t key[16], msg[128], want[16], got[16];
	struct uc_scp03_part part;
	size_t i, n;

	(void)state;
	assert_int_equal(jhex(c, "key", key, sizeof(key)), 16);
	cases = json_object_get(c, "cases");
	assert_int_equal(json_array_size(cases), 4);
	json_array_foreach(cases, i, x) {
		n = jhex(x, "message", msg, sizeof(msg));
		assert_int_equal(jhex(x, "mac", want, sizeof(want)), 16);
		part.p = msg;
		part.n = n;
		assert_int_equal(uc_scp03_cmac(key, &part, 1, got), 0);
		assert_memory_equal(got, want, 16);
	}
	/* split parts give the same MAC as one part */
	n = jhex(json_array_get(cases, 3), "message", msg, sizeof(msg));
	{
		struct uc_scp03_part parts[3] = {
			{ msg, 5 }, { msg + 5, 0 }, { msg + 5, n - 5 }
		};

		assert_int_equal(uc_scp03_cmac(key, parts, 3, got), 0);
		assert_memory_equal(got, want, 16);
	}
}

/* The asterix session: KDF outputs one by one. */
static void
test_session_derivation(void **state)
{
	json_t *s = json_object_get(kat, "session");
	struct uc_scp03_keys k;
	uint8_t aid[16], hc[8], want[16], got[16], ctx[32], s_mac[16];
	size_t aid_len;
	json_int_t seq;

	(void)state;
	jkeys(s, "keys", &k);
	aid_len = jhex(s, "aid", aid, sizeof(aid));
	jhex(s, "host_challenge", hc, sizeof(hc));
	seq = json_integer_value(json_object_get(s, "seq_counter"));

	ctx[0] = (uint8_t)(seq >> 16);
	ctx[1] = (uint8_t)(seq >> 8);
	ctx[2] = (uint8_t)seq;
	memcpy(ctx + 3, aid, aid_len);
	assert_int_equal(uc_scp03_kdf(k.enc, UC_SCP03_DC_CARD_CHALLENGE, ctx,
	    3 + aid_len, 64, got), 0);
	jhex(s, "card_challenge", want, sizeof(want));
	assert_memory_equal(got, want, 8);

	memcpy(ctx, hc, 8);
	memcpy(ctx + 8, want, 8);
	assert_int_equal(uc_scp03_kdf(k.enc, UC_SCP03_DC_S_ENC, ctx, 16, 128,
	    got), 0);
	jhex(s, "s_enc", want, sizeof(want));
	assert_memory_equal(got, want, 16);
	assert_int_equal(uc_scp03_kdf(k.mac, UC_SCP03_DC_S_MAC, ctx, 16, 128,
	    s_mac), 0);
	jhex(s, "s_mac", want, sizeof(want));
	assert_memory_equal(s_mac, want, 16);
	assert_int_equal(uc_scp03_kdf(k.mac, UC_SCP03_DC_S_RMAC, ctx, 16, 128,
	    got), 0);
	jhex(s, "s_rmac", want, sizeof(want));
	assert_memory_equal(got, want, 16);
	assert_int_equal(uc_scp03_kdf(s_mac, UC_SCP03_DC_CARD_CRYPTOGRAM, ctx,
	    16, 64, got), 0);
	jhex(s, "card_cryptogram", want, sizeof(want));
	assert_memory_equal(got, want, 8);
	assert_int_equal(uc_scp03_kdf(s_mac, UC_SCP03_DC_HOST_CRYPTOGRAM, ctx,
	    16, 64, got), 0);
	jhex(s, "host_cryptogram", want, sizeof(want));
	assert_memory_equal(got, want, 8);

	/* the MAC chaining value after EXTERNAL AUTHENTICATE (level 01) */
	{
		uint8_t ea[32], zero[16] = { 0 };
		size_t n = jhex(s, "external_authenticate_sl01", ea, sizeof(ea));
		struct uc_scp03_part parts[2] = { { zero, 16 }, { ea, n - 8 } };

		assert_int_equal(uc_scp03_cmac(s_mac, parts, 2, got), 0);
		jhex(s, "mac_chaining_after_ea", want, sizeof(want));
		assert_memory_equal(got, want, 16);
		assert_memory_equal(ea + n - 8, want, 8);
	}
	/* bad KDF arguments */
	assert_int_equal(uc_scp03_kdf(k.enc, 0, ctx, 16, 96, got), UC_ERR_ARG);
	assert_int_equal(uc_scp03_kdf(k.enc, 0, ctx, 33, 128, got), UC_ERR_ARG);
	uc_scp03_keys_wipe(&k);
}

/* The asterix session through both sides' public API, plus C-DEC. */
static void
test_session_api(void **state)
{
	json_t *s = json_object_get(kat, "session"), *iu, *cd;
	struct uc_scp03_keys k;
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_card *c = NULL;
	struct uc_scp03_card_nv nv;
	struct uc_apdu a, w;
	uint8_t aid[16], hc[8], want[BUF], got[BUF], raw[BUF], store[BUF];
	uint8_t div[10];
	size_t aid_len, n, wn, rl;
	uint16_t sw;
	int dirty;

	(void)state;
	jkeys(s, "keys", &k);
	aid_len = jhex(s, "aid", aid, sizeof(aid));
	jhex(s, "host_challenge", hc, sizeof(hc));
	jhex(s, "div_data", div, sizeof(div));
	iu = json_object_get(s, "initialize_update");

	/* host: INITIALIZE UPDATE (the source writes it without Le) */
	assert_int_equal(uc_scp03_host_new(&h), 0);
	assert_int_equal(uc_scp03_host_begin(h, &k, 0, hc, &a), 0);
	n = t_apdu_encode(&a, got, sizeof(got));
	wn = jhex(iu, "command", want, sizeof(want));
	assert_int_equal(n, wn + 1);
	assert_memory_equal(got, want, wn);

	/* card: the same INITIALIZE UPDATE gives the published response */
	assert_int_equal(uc_scp03_card_new(&c), 0);
	uc_scp03_card_nv_init(&nv);
	nv.seq_counter =
	    (uint32_t)json_integer_value(json_object_get(s, "seq_counter")) - 1;
	assert_int_equal(uc_scp03_card_initialize_update(c, &k, &nv, &dirty,
	    div, aid, aid_len, &a, raw, sizeof(raw), &rl, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_true(dirty);
	wn = jhex(iu, "response", want, sizeof(want));
	assert_int_equal(rl, wn);
	assert_memory_equal(raw, want, wn);

	/* host: EXTERNAL AUTHENTICATE at level 01 */
	assert_int_equal(uc_scp03_host_authenticate(h, raw, rl, 0x9000, 0x01,
	    &a), 0);
	n = t_apdu_encode(&a, got, sizeof(got));
	wn = jhex(s, "external_authenticate_sl01", want, sizeof(want));
	assert_int_equal(n, wn);
	assert_memory_equal(got, want, wn);
	assert_int_equal(uc_scp03_card_external_authenticate(c, &nv, &dirty,
	    &a, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(uc_scp03_card_security_level(c), 0x01);
	assert_int_equal(uc_scp03_host_confirm(h, sw, NULL), 0);

	/* C-DECRYPTION (level 03): the first command's ciphertext */
	cd = json_object_get(s, "cdec_sl03");
	assert_int_equal(uc_scp03_host_begin(h, &k, 0, hc, &a), 0);
	assert_int_equal(uc_scp03_card_initialize_update(c, &k, &nv, &dirty,
	    div, aid, aid_len, &a, raw, sizeof(raw), &rl, &sw), 0);
	/* the counter moved on, so the card challenge differs: replay the
	 * published response to the host instead */
	wn = jhex(iu, "response", want, sizeof(want));
	assert_int_equal(uc_scp03_host_authenticate(h, want, wn, 0x9000, 0x03,
	    &a), 0);
	assert_int_equal(uc_scp03_host_confirm(h, 0x9000, NULL), 0);
	n = jhex(cd, "plain", raw, sizeof(raw));
	{
		struct uc_apdu p;

		assert_int_equal(t_apdu_parse(raw, n, &p), 0);
		assert_int_equal(uc_scp03_host_wrap(h, &p, store, sizeof(store),
		    &w), 0);
	}
	wn = jhex(cd, "encrypted_data", want, sizeof(want));
	assert_int_equal(w.lc, wn + UC_SCP03_MAC_LEN);
	assert_memory_equal(w.data, want, wn);

	uc_scp03_host_free(&h);
	uc_scp03_card_free(&c);
	assert_null(h);
	assert_null(c);
	uc_scp03_keys_wipe(&k);
}

static uint16_t
jsw(json_t *o, const char *key)
{
	uint8_t b[2];

	assert_int_equal(jhex(o, key, b, 2), 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void
replay_host(json_t *t)
{
	json_t *iu = json_object_get(t, "initialize_update"), *ex, *x;
	struct uc_scp03_keys k;
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_card_info info;
	struct uc_apdu a, p;
	uint8_t hc[8], want[BUF], got[BUF], raw[BUF], store[BUF], sl;
	size_t n, wn, i, pl;

	jkeys(t, "keys", &k);
	jhex(t, "host_challenge", hc, sizeof(hc));
	jhex(t, "security_level", &sl, 1);
	assert_int_equal(uc_scp03_host_new(&h), 0);
	assert_int_equal(uc_scp03_host_begin(h, &k, 0, hc, &a), 0);
	n = t_apdu_encode(&a, got, sizeof(got));
	wn = jhex(iu, "command", want, sizeof(want));
	assert_int_equal(n, wn);
	assert_memory_equal(got, want, wn);

	wn = jhex(iu, "response", raw, sizeof(raw));
	assert_int_equal(uc_scp03_host_authenticate(h, raw, wn,
	    jsw(iu, "sw"), sl, &a), 0);
	assert_int_equal(uc_scp03_host_card_info(h, &info), 0);
	assert_int_equal(info.scp_id, 3);
	assert_int_equal(info.i, 0x70);
	assert_true(info.has_seq);
	assert_int_equal(info.seq_counter,
	    json_integer_value(json_object_get(t, "seq_counter")));
	n = t_apdu_encode(&a, got, sizeof(got));
	wn = jhex(json_object_get(t, "external_authenticate"), "command", want,
	    sizeof(want));
	assert_int_equal(n, wn);
	assert_memory_equal(got, want, wn);
	assert_int_equal(uc_scp03_host_security_level(h), 0);
	assert_int_equal(uc_scp03_host_confirm(h, 0x9000, NULL), 0);
	assert_int_equal(uc_scp03_host_security_level(h), sl);

	ex = json_object_get(t, "exchanges");
	json_array_foreach(ex, i, x) {
		n = jhex(x, "plain", raw, sizeof(raw));
		assert_int_equal(t_apdu_parse(raw, n, &p), 0);
		assert_int_equal(uc_scp03_host_wrap(h, &p, store, sizeof(store),
		    &a), 0);
		n = t_apdu_encode(&a, got, sizeof(got));
		wn = jhex(x, "wrapped", want, sizeof(want));
		assert_int_equal(n, wn);
		assert_memory_equal(got, want, wn);
		if (json_object_get(x, "response_wire") == NULL)
			continue;
		wn = jhex(x, "response_wire", raw, sizeof(raw));
		assert_int_equal(uc_scp03_host_unwrap(h, raw, wn,
		    jsw(x, "sw"), got, sizeof(got), &pl), 0);
		wn = jhex(x, "response_plain", want, sizeof(want));
		assert_int_equal(pl, wn);
		assert_memory_equal(got, want, wn);
	}
	uc_scp03_host_free(&h);
	uc_scp03_keys_wipe(&k);
}

static void
replay_card(json_t *t)
{
	json_t *iu = json_object_get(t, "initialize_update"), *ex, *x;
	struct uc_scp03_keys k;
	struct uc_scp03_card *c = NULL;
	struct uc_scp03_card_nv nv;
	struct uc_apdu a, p;
	uint8_t want[BUF], got[BUF], raw[BUF], aid[16], sl;
	size_t n, wn, i, rl, aid_len;
	uint16_t sw;
	int dirty;

	jkeys(t, "keys", &k);
	jhex(t, "security_level", &sl, 1);
	aid_len = jhex(t, "aid", aid, sizeof(aid));
	assert_int_equal(uc_scp03_card_new(&c), 0);
	uc_scp03_card_nv_init(&nv);
	nv.seq_counter =
	    (uint32_t)json_integer_value(json_object_get(t, "seq_counter")) - 1;

	n = jhex(iu, "command", raw, sizeof(raw));
	assert_int_equal(t_apdu_parse(raw, n, &a), 0);
	wn = jhex(iu, "response", want, sizeof(want));
	/* the diversification data is the card's to state: take it as given */
	assert_int_equal(uc_scp03_card_initialize_update(c, &k, &nv, &dirty,
	    want, aid, aid_len, &a, got, sizeof(got), &rl, &sw), 0);
	assert_int_equal(sw, jsw(iu, "sw"));
	assert_int_equal(rl, wn);
	assert_memory_equal(got, want, wn);

	n = jhex(json_object_get(t, "external_authenticate"), "command", raw,
	    sizeof(raw));
	assert_int_equal(t_apdu_parse(raw, n, &a), 0);
	assert_int_equal(uc_scp03_card_external_authenticate(c, &nv, &dirty,
	    &a, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(uc_scp03_card_security_level(c), sl);
	assert_int_equal(nv.tries_left, UC_SCP03_TRIES_MAX);

	ex = json_object_get(t, "exchanges");
	json_array_foreach(ex, i, x) {
		n = jhex(x, "wrapped", raw, sizeof(raw));
		assert_int_equal(t_apdu_parse(raw, n, &a), 0);
		assert_int_equal(uc_scp03_card_unwrap(c, &a, got, sizeof(got),
		    &rl, &sw), 0);
		assert_int_equal(sw, 0x9000);
		n = jhex(x, "plain", raw, sizeof(raw));
		assert_int_equal(t_apdu_parse(raw, n, &p), 0);
		assert_int_equal(rl, p.lc);
		if (p.lc > 0)
			assert_memory_equal(got, p.data, p.lc);
		if (json_object_get(x, "response_wire") == NULL)
			continue;
		n = jhex(x, "response_plain", raw, sizeof(raw));
		assert_int_equal(uc_scp03_card_wrap_response(c, raw, n,
		    jsw(x, "sw"), got, sizeof(got), &rl), 0);
		wn = jhex(x, "response_wire", want, sizeof(want));
		assert_int_equal(rl, wn);
		if (wn > 0)
			assert_memory_equal(got, want, wn);
	}
	uc_scp03_card_free(&c);
	uc_scp03_keys_wipe(&k);
}

static void
test_transcripts_host(void **state)
{
	json_t *ts = json_object_get(kat, "transcripts"), *t;
	size_t i;

	(void)state;
	assert_true(json_array_size(ts) >= 4);
	json_array_foreach(ts, i, t)
		replay_host(t);
}

static void
test_transcripts_card(void **state)
{
	json_t *ts = json_object_get(kat, "transcripts"), *t;
	size_t i;

	(void)state;
	json_array_foreach(ts, i, t)
		replay_card(t);
}

/* Our diversification: the worked example's master keys and serial. */
static void
test_diversification(void **state)
{
	json_t *ts = json_object_get(kat, "transcripts"), *t, *iu;
	struct uc_scp03_keys master, want, got;
	uint8_t serial[8], div[10], resp[64];
	size_t i;
	int found = 0;

	(void)state;
	json_array_foreach(ts, i, t) {
		if (json_object_get(t, "master_keys") == NULL)
			continue;
		found++;
		jkeys(t, "master_keys", &master);
		jkeys(t, "keys", &want);
		assert_int_equal(jhex(t, "serial", serial, sizeof(serial)), 8);
		assert_int_equal(uc_scp03_diversify(&master, serial, &got), 0);
		assert_memory_equal(&got, &want, sizeof(got));
		/* in place */
		assert_int_equal(uc_scp03_diversify(&master, serial, &master),
		    0);
		assert_memory_equal(&master, &want, sizeof(got));
		uc_scp03_div_data(serial, div);
		iu = json_object_get(t, "initialize_update");
		jhex(iu, "response", resp, sizeof(resp));
		assert_memory_equal(div, resp, sizeof(div));
		/* the master keys are the development keys */
		jkeys(t, "master_keys", &master);
		uc_scp03_dev_keys(&got);
		assert_memory_equal(&got, &master, sizeof(got));
	}
	assert_int_equal(found, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmac_rfc4493),
		cmocka_unit_test(test_session_derivation),
		cmocka_unit_test(test_session_api),
		cmocka_unit_test(test_transcripts_host),
		cmocka_unit_test(test_transcripts_card),
		cmocka_unit_test(test_diversification),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
