/*
 * bench_scp03.c - SCP03 throughput: full handshakes per second, and
 * protected commands per second (host wrap, card unwrap, card response
 * wrap, host unwrap, measured apart) for a few data sizes and levels.
 *
 *   build/bench/bench_scp03 [seconds per figure, default 1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/scp03.h"

#include "benchlib.h"

#define CAP 4096

static const uint8_t aid[] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43,
	0x41, 0x52, 0x44, 0x01 };

static int
handshake(struct uc_scp03_card *c, struct uc_scp03_host *h,
    const struct uc_scp03_keys *k, struct uc_scp03_card_nv *nv, uint8_t sl)
{
	struct uc_apdu a;
	uint8_t r[64], div[10] = { 0 };
	size_t rl;
	uint16_t sw;
	int dirty;

	if (nv->seq_counter >= UC_SCP03_SEQ_MAX - 1)
		nv->seq_counter = 0;
	if (uc_scp03_host_begin(h, k, 0, NULL, &a) != 0 ||
	    uc_scp03_card_initialize_update(c, k, nv, &dirty, div, aid,
	    sizeof(aid), &a, r, sizeof(r), &rl, &sw) != 0 ||
	    uc_scp03_host_authenticate(h, r, rl, sw, sl, &a) != 0 ||
	    uc_scp03_card_external_authenticate(c, nv, &dirty, &a, &sw) != 0 ||
	    uc_scp03_host_confirm(h, sw, NULL) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint8_t levels[] = { 0x01, 0x13, 0x33 };
	static const size_t sizes[] = { 0, 16, 200, 2000 };
	static uint8_t data[CAP], store[CAP], plain[CAP], resp[CAP], back[CAP];
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct uc_scp03_card *c = NULL;
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_keys k;
	struct uc_scp03_card_nv nv;
	unsigned long n;
	double t0, t[4];
	size_t li, si, pl, rl, bl;
	uint16_t sw;

	if (secs <= 0)
		secs = 1.0;
	uc_scp03_dev_keys(&k);
	uc_scp03_card_nv_init(&nv);
	memset(data, 0x5A, sizeof(data));
	if (uc_scp03_card_new(&c) != 0 || uc_scp03_host_new(&h) != 0)
		return 2;

	t0 = bench_now();
	for (n = 0; bench_now() - t0 < secs; n++) {
		if (handshake(c, h, &k, &nv, 0x13) != 0) {
			fprintf(stderr, "handshake failed\n");
			return 2;
		}
	}
	printf("handshake (IU + EA, both sides): %.0f /s\n",
	    (double)n / (bench_now() - t0));

	printf("%-6s %6s %12s %12s %12s %12s %12s\n", "level", "bytes",
	    "host wrap/s", "card unwrap/s", "card rwrap/s", "host unwrap/s",
	    "round trip/s");
	for (li = 0; li < sizeof(levels); li++) {
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			struct uc_apdu a = { 0x80, 0xE2, 0x88, 0x00, data,
				sizes[si], 256, 0 }, w;

			if (handshake(c, h, &k, &nv, levels[li]) != 0)
				return 2;
			memset(t, 0, sizeof(t));
			t0 = bench_now();
			for (n = 0; bench_now() - t0 < secs; n++) {
				double a0 = bench_now(), a1, a2, a3, a4;

				if (uc_scp03_host_wrap(h, &a, store,
				    sizeof(store), &w) != 0)
					return 2;
				a1 = bench_now();
				if (uc_scp03_card_unwrap(c, &w, plain,
				    sizeof(plain), &pl, &sw) != 0 ||
				    sw != 0x9000)
					return 2;
				a2 = bench_now();
				if (uc_scp03_card_wrap_response(c, plain, pl,
				    0x9000, resp, sizeof(resp), &rl) != 0)
					return 2;
				a3 = bench_now();
				if (uc_scp03_host_unwrap(h, resp, rl, 0x9000,
				    back, sizeof(back), &bl) != 0 ||
				    bl != sizes[si])
					return 2;
				a4 = bench_now();
				t[0] += a1 - a0;
				t[1] += a2 - a1;
				t[2] += a3 - a2;
				t[3] += a4 - a3;
			}
			printf("%02X     %6zu %12.0f %12.0f %12.0f %12.0f "
			    "%12.0f\n", levels[li], sizes[si], (double)n / t[0],
			    (double)n / t[1], (double)n / t[2],
			    (double)n / t[3],
			    (double)n / (t[0] + t[1] + t[2] + t[3]));
		}
	}
	uc_scp03_card_free(&c);
	uc_scp03_host_free(&h);
	uc_scp03_keys_wipe(&k);
	return 0;
}
