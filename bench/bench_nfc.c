/*
 * bench_nfc.c - what the contactless test path costs.
 *
 *   1. the PN532 emulator alone: InDataExchange frames parsed and answered
 *      per second (no I/O);
 *   2. a full APDU round trip through the `nfc:` transport, libnfc's
 *      pn532_uart driver, a pty and the emulator (served from a thread).
 *
 * Run by hand: build/bench/bench_nfc [ROUND_TRIPS]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "vcard/pn532emu.h"
#include "unioncard/transport.h"

#include "benchlib.h"

static const uint8_t select_union[] = {
	0x00, 0xA4, 0x04, 0x00, 0x0B, 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E,
	0x43, 0x41, 0x52, 0x44, 0x01, 0x00
};

/* A card that answers every APDU with 32 bytes and 90 00. */
static int
card_process(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
    size_t cap, size_t *rlen)
{
	(void)ctx;
	(void)cmd;
	(void)n;
	if (cap < 34)
		return UC_ERR_BUFFER;
	memset(resp, 0x42, 32);
	resp[32] = 0x90;
	resp[33] = 0x00;
	*rlen = 34;
	return 0;
}

struct server {
	struct uc_pn532emu *e;
	int master;
	volatile sig_atomic_t stop;
};

static void *
serve(void *arg)
{
	struct server *s = arg;

	uc_pn532emu_serve(s->e, s->master, &s->stop, NULL);
	return NULL;
}

/* The host frame for InDataExchange(1, SELECT). */
static size_t
select_frame(uint8_t *f)
{
	size_t k = 0, i, len = 3 + sizeof(select_union);
	uint8_t dcs = (uint8_t)(0xD4 + 0x40 + 0x01);

	f[k++] = 0x00;
	f[k++] = 0x00;
	f[k++] = 0xFF;
	f[k++] = (uint8_t)len;
	f[k++] = (uint8_t)(0x100 - len);
	f[k++] = 0xD4;
	f[k++] = 0x40;
	f[k++] = 0x01;
	for (i = 0; i < sizeof(select_union); i++) {
		f[k++] = select_union[i];
		dcs = (uint8_t)(dcs + select_union[i]);
	}
	f[k++] = (uint8_t)(0x100 - dcs);
	f[k++] = 0x00;
	return k;
}

int
main(int argc, char **argv)
{
	const uint8_t rf_list[] = { 0x00, 0x00, 0xFF, 0x04, 0xFC, 0xD4, 0x32,
	    0x01, 0x01, 0xF8, 0x00, 0x00, 0x00, 0xFF, 0x04, 0xFC, 0xD4, 0x4A,
	    0x01, 0x00, 0xE1, 0x00 };
	struct uc_pn532emu_card card;
	struct server s;
	struct uc_transport *t = NULL;
	struct uc_buf out = UC_BUF_INIT;
	pthread_t th;
	uint8_t frame[64], resp[300], atr[UC_ATR_MAX];
	size_t flen, n, atr_len;
	char pts[256], reader[300];
	long rounds = argc > 1 ? atol(argv[1]) : 500, i, frames = 200000;
	double t0, dt;
	int r;

	memset(&card, 0, sizeof(card));
	card.process = card_process;
	memcpy(card.uid, "\x01\x02\x03\x04\x05\x06\x07", 7);
	card.uid_len = 7;
	memset(&s, 0, sizeof(s));
	if (uc_pn532emu_new(&card, &s.e) != 0)
		return 2;

	/* 1. the emulator alone */
	uc_pn532emu_input(s.e, rf_list, sizeof(rf_list), &out);
	flen = select_frame(frame);
	t0 = bench_now();
	for (i = 0; i < frames; i++) {
		uc_buf_reset(&out);
		if (uc_pn532emu_input(s.e, frame, flen, &out) != 0)
			return 2;
	}
	dt = bench_now() - t0;
	printf("emulator: %.0f InDataExchange frames/s (%.2f us each)\n",
	    frames / dt, dt / frames * 1e6);
	uc_buf_free(&out);
	uc_pn532emu_free(&s.e);

	/* 2. through libnfc and a pty */
	if (uc_pn532emu_new(&card, &s.e) != 0 ||
	    uc_pn532emu_pty_open(&s.master, pts, sizeof(pts)) != 0)
		return 2;
	pthread_create(&th, NULL, serve, &s);
	snprintf(reader, sizeof(reader), "nfc:pn532_uart:%s", pts);
	t0 = bench_now();
	if ((r = uc_transport_open(reader, &t)) != 0 ||
	    (r = uc_transport_connect(t, 2000, atr, &atr_len)) != 0) {
		fprintf(stderr, "bench_nfc: %s\n", uc_strerror(r));
		return 2;
	}
	printf("libnfc open + init + select: %.1f ms\n", (bench_now() - t0) * 1e3);
	t0 = bench_now();
	for (i = 0; i < rounds; i++) {
		if ((r = uc_transport_transmit(t, select_union,
		    sizeof(select_union), resp, sizeof(resp), &n)) != 0) {
			fprintf(stderr, "bench_nfc: %s\n", uc_strerror(r));
			return 2;
		}
	}
	dt = bench_now() - t0;
	printf("APDU round trip via libnfc + pty + emulator: %.3f ms "
	    "(%ld round trips)\n", dt / rounds * 1e3, rounds);
	uc_transport_free(&t);
	s.stop = 1;
	pthread_join(th, NULL);
	close(s.master);
	uc_pn532emu_free(&s.e);
	return 0;
}
