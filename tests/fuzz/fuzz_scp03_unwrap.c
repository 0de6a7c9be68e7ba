/*
 * fuzz_scp03_unwrap.c - the card side of SCP03 in an open session (level
 * 33: C-MAC, C-DEC, R-MAC, R-ENC) against arbitrary input.
 *
 * First byte even: the rest is a raw APDU given to uc_scp03_card_unwrap()
 * (it must refuse anything the host did not MAC, and never read out of
 * bounds).  First byte odd: the rest is command data the host wraps; the
 * card must unwrap it to the same bytes, and the response it wraps must
 * unwrap on the host to the same bytes (a differential check of both
 * sides).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../channel/scp03_test_util.h"
#include "unioncard/scp03.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP (UC_SCP03_WRAPPED_MAX(UC_SCP03_PLAIN_MAX) + 16)

static const uint8_t aid[] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43,
	0x41, 0x52, 0x44, 0x01 };
static const uint8_t host_challenge[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static uint8_t store[CAP], plain[CAP], resp[CAP], back[CAP];

/* Open a session between a fresh card and host; 0 on success. */
static int
open_session(struct uc_scp03_card *c, struct uc_scp03_host *h)
{
	struct uc_scp03_keys k;
	struct uc_scp03_card_nv nv;
	struct uc_apdu a;
	uint8_t r[64], div[10] = { 0 };
	size_t rl;
	uint16_t sw;
	int dirty;

	uc_scp03_dev_keys(&k);
	uc_scp03_card_nv_init(&nv);
	if (uc_scp03_host_begin(h, &k, 0, host_challenge, &a) != 0 ||
	    uc_scp03_card_initialize_update(c, &k, &nv, &dirty, div, aid,
	    sizeof(aid), &a, r, sizeof(r), &rl, &sw) != 0 || sw != 0x9000 ||
	    uc_scp03_host_authenticate(h, r, rl, sw, 0x33, &a) != 0 ||
	    uc_scp03_card_external_authenticate(c, &nv, &dirty, &a, &sw) != 0 ||
	    uc_scp03_host_confirm(h, sw, NULL) != 0)
		return -1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_scp03_card *c = NULL;
	struct uc_scp03_host *h = NULL;
	struct uc_apdu a, w;
	size_t pl, rl, bl;
	uint16_t sw;

	if (size < 1 || size - 1 > UC_SCP03_PLAIN_MAX)
		return 0;
	if (uc_scp03_card_new(&c) != 0 || uc_scp03_host_new(&h) != 0)
		abort();
	if (open_session(c, h) != 0)
		abort();

	if ((data[0] & 1) == 0) {
		if (t_apdu_parse(data + 1, size - 1, &a) == 0) {
			if (uc_scp03_card_unwrap(c, &a, plain, sizeof(plain),
			    &pl, &sw) != 0)
				abort();
			/* only an unprotected command gets through */
			if (sw == 0x9000 && (a.cla & 0x04) != 0)
				abort();
			if (uc_scp03_card_wrap_response(c, a.data, a.lc, 0x9000,
			    resp, sizeof(resp), &rl) != 0)
				abort();
		}
	} else {
		a.cla = 0x80;
		a.ins = 0xE2;
		a.p1 = 0x88;
		a.p2 = 0x00;
		a.data = data + 1;
		a.lc = size - 1;
		a.le = 256;
		a.extended = 0;
		if (uc_scp03_host_wrap(h, &a, store, sizeof(store), &w) != 0)
			abort();
		if (uc_scp03_card_unwrap(c, &w, plain, sizeof(plain), &pl,
		    &sw) != 0 || sw != 0x9000 || pl != a.lc ||
		    (pl > 0 && memcmp(plain, a.data, pl) != 0))
			abort();
		if (uc_scp03_card_wrap_response(c, plain, pl, 0x9000, resp,
		    sizeof(resp), &rl) != 0)
			abort();
		if (uc_scp03_host_unwrap(h, resp, rl, 0x9000, back,
		    sizeof(back), &bl) != 0 || bl != pl ||
		    (bl > 0 && memcmp(back, a.data, bl) != 0))
			abort();
	}
	uc_scp03_card_free(&c);
	uc_scp03_host_free(&h);
	return 0;
}
