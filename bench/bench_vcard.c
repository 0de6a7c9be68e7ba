/*
 * bench_vcard.c - what the virtual card costs per APDU, so that tests and
 * station simulations know the card is not the bottleneck:
 *
 *   - GET DATA 00FF on a personalized card (read path, no save);
 *   - INTERNAL AUTHENTICATE (one ECDSA P-256 signature);
 *   - a whole personalization through SCP03 on a new card: create, INITIALIZE
 *     UPDATE, EXTERNAL AUTHENTICATE, STORE DATA (E1 + 700-byte EF in
 *     200-byte blocks), GENERATE KEY, SET STATUS — every changing command
 *     saves the state file with fsync.
 *
 * Usage: bench_vcard [DIR]   (DIR for the temp cards, default /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"
#include "unioncard/tlv.h"
#include "vcard/vcard.h"

#include "benchlib.h"

static uint8_t resp[UC_RAPDU_WIRE_MAX];
static size_t rlen;

static uint16_t
send_apdu(struct uc_vcard *c, const struct uc_apdu *a)
{
	struct uc_buf b = UC_BUF_INIT;

	if (uc_apdu_encode(a, &b) != 0 ||
	    uc_vcard_process(c, b.data, b.len, resp, sizeof(resp), &rlen) !=
	    0) {
		fprintf(stderr, "process failed\n");
		exit(2);
	}
	uc_buf_free(&b);
	return (uint16_t)(resp[rlen - 2] << 8 | resp[rlen - 1]);
}

static uint16_t
sm(struct uc_vcard *c, struct uc_scp03_host *h, uint8_t ins, uint8_t p1,
    uint8_t p2, const uint8_t *d, size_t n, size_t le)
{
	static uint8_t storage[4096], plain[4096];
	struct uc_apdu a = { 0x80, ins, p1, p2, d, n, le, 0 }, w;
	size_t plen;
	uint16_t sw;

	if (uc_scp03_host_wrap(h, &a, storage, sizeof(storage), &w) != 0) {
		fprintf(stderr, "INS %02X: wrap failed\n", ins);
		exit(2);
	}
	sw = send_apdu(c, &w);
	if (uc_scp03_host_unwrap(h, resp, rlen - 2, sw, plain, sizeof(plain),
	    &plen) != 0) {
		fprintf(stderr, "INS %02X: response %04X did not verify\n", ins,
		    sw);
		exit(2);
	}
	return sw;
}

static int
personalize(const char *path, unsigned long k)
{
	struct uc_vcard_new_opts o;
	struct uc_vcard *c = NULL;
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_keys master;
	struct uc_diag d;
	struct uc_apdu iu, ea;
	struct uc_buf e1 = UC_BUF_INIT, seq = UC_BUF_INIT;
	uint8_t serial[8] = { 0x55, 0x43, 0x99, 0, 0, 0, 0, 0 }, ef[704];
	size_t off;
	uint8_t p2 = 0;
	uint16_t sw;

	memset(&o, 0, sizeof(o));
	serial[4] = (uint8_t)(k >> 24);
	serial[5] = (uint8_t)(k >> 16);
	serial[6] = (uint8_t)(k >> 8);
	serial[7] = (uint8_t)k;
	o.serial = serial;
	unlink(path);
	if (uc_vcard_create(path, &o) != 0 || uc_vcard_load(path, &c, &d) != 0
	    || uc_scp03_host_new(&h) != 0)
		return -1;
	uc_scp03_dev_keys(&master);
	if (uc_scp03_host_begin(h, &master, UC_SCP03_HOST_MASTER_KEYS, NULL,
	    &iu) != 0)
		return -1;
	sw = send_apdu(c, &iu);
	if (uc_scp03_host_authenticate(h, resp, rlen - 2, sw,
	    UC_SCP03_SL_DEFAULT, &ea) != 0 ||
	    uc_scp03_host_confirm(h, send_apdu(c, &ea), NULL) != 0)
		return -1;
	uc_tlv_put(&e1, 0xc0, (const uint8_t *)"790100000001", 12);
	uc_tlv_put(&e1, 0xc1,
	    (const uint8_t *)"Nguy\xe1\xbb\x85n V\xc4\x83n An", 16);
	uc_tlv_put(&e1, 0xc2, (const uint8_t *)"CDCS.BD-0001", 12);
	uc_tlv_put(&e1, 0xc3, (const uint8_t *)"CDCS", 4);
	uc_tlv_put(&e1, 0xc4, (const uint8_t *)"\x01", 1);
	uc_tlv_put(&e1, 0xc5, (const uint8_t *)"20250101", 8);
	uc_tlv_put(&e1, 0xc6, (const uint8_t *)"20300101", 8);
	uc_tlv_put(&e1, 0xc7, serial, 8);
	uc_buf_append_u16(&seq, 0x00e1);
	uc_buf_append_byte(&seq, (uint8_t)e1.len);
	uc_buf_append(&seq, e1.data, e1.len);
	memset(ef, 0x5a, sizeof(ef));
	ef[0] = 0x30;
	ef[1] = 0x82;
	ef[2] = 0x02;
	ef[3] = 0xbc;
	uc_buf_append_u16(&seq, 0x00ef);
	uc_buf_append_byte(&seq, 0xff);
	uc_buf_append_u16(&seq, sizeof(ef));
	uc_buf_append(&seq, ef, sizeof(ef));
	for (off = 0; off < seq.len; off += 200) {
		size_t n = seq.len - off < 200 ? seq.len - off : 200;

		if (sm(c, h, 0xe2, off + n == seq.len ? 0x88 : 0x08, p2++,
		    seq.data + off, n, 0) != 0x9000)
			return -1;
	}
	if (sm(c, h, 0x47, 0x80, 0x00, NULL, 0, 256) != 0x9000 ||
	    sm(c, h, 0xf0, 0x80, 0x03, NULL, 0, 0) != 0x9000)
		return -1;
	uc_buf_free(&e1);
	uc_buf_free(&seq);
	uc_scp03_keys_wipe(&master);
	uc_scp03_host_free(&h);
	uc_vcard_free(&c);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[512];
	struct uc_vcard *c = NULL;
	struct uc_diag d;
	static const uint8_t getdata[] = { 0x00, 0xca, 0x00, 0xff, 0x00,
		0x00, 0x00 };
	uint8_t aa[5 + 32 + 1] = { 0x00, 0x88, 0x00, 0x00, 0x20 };
	unsigned long i, n;
	double t0, t;

	snprintf(path, sizeof(path), "%s/bench-vcard-%ld.json", dir,
	    (long)getpid());
	if (personalize(path, 0) != 0) {
		fprintf(stderr, "personalization failed\n");
		return 2;
	}
	if (uc_vcard_load(path, &c, &d) != 0)
		return 2;
	n = 200000;
	t0 = bench_now();
	for (i = 0; i < n; i++)
		uc_vcard_process(c, getdata, sizeof(getdata), resp,
		    sizeof(resp), &rlen);
	t = bench_now() - t0;
	printf("GET DATA 00FF (extended, %zu bytes): %.0f APDUs/s, %.2f us "
	    "each\n", rlen - 2, n / t, t / n * 1e6);
	n = 20000;
	t0 = bench_now();
	for (i = 0; i < n; i++)
		uc_vcard_process(c, aa, sizeof(aa), resp, sizeof(resp), &rlen);
	t = bench_now() - t0;
	printf("INTERNAL AUTHENTICATE: %.0f APDUs/s, %.1f us each\n", n / t,
	    t / n * 1e6);
	uc_vcard_free(&c);
	n = 200;
	t0 = bench_now();
	for (i = 1; i <= n; i++)
		if (personalize(path, i) != 0)
			return 2;
	t = bench_now() - t0;
	printf("personalization through SCP03 (new card, IU .. SET STATUS, "
	    "every change saved with fsync) in %s: %.2f ms per card\n", dir,
	    t / n * 1e3);
	unlink(path);
	return 0;
}
