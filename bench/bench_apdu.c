/*
 * bench_apdu - APDU round trips per second through the engine's transport
 * stack: uc_apdu_exchange() + the transport + the card.
 *
 *   bench_apdu                       in-process virtual card (vcard:)
 *   bench_apdu --reader 'pcsc:NAME'  a reader, e.g. pcscd + vpcd +
 *                                    unioncard-vcard serve
 *   --seconds N                      how long each run lasts (default 3)
 *
 * The command is SELECT of the union applet with the FCI (49 bytes back)
 * and GET DATA 00FF, which do not write the card's state file, so what is
 * measured is the path, not the disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/applet.h"
#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

#include "benchlib.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

static int
run(const char *reader, double seconds)
{
	struct uc_transport *t = NULL;
	struct uc_buf resp = UC_BUF_INIT;
	struct uc_apdu sel, gd;
	unsigned long n = 0;
	uint16_t sw = 0;
	double t0, el;
	int r;

	if ((r = uc_transport_open(reader, &t)) != 0 ||
	    (r = uc_transport_connect(t, 5000, NULL, NULL)) != 0) {
		fprintf(stderr, "bench_apdu: %s: %s %s\n", reader,
		    uc_strerror(r), TRANSPORT_WHY());
		uc_transport_free(&t);
		return 1;
	}
	memset(&sel, 0, sizeof(sel));
	sel.ins = 0xa4;
	sel.p1 = 0x04;
	sel.data = (const uint8_t *)UC_APPLET_AID;
	sel.lc = UC_APPLET_AID_LEN;
	sel.le = 256;
	memset(&gd, 0, sizeof(gd));
	gd.ins = 0xca;
	gd.p2 = 0xff;
	gd.le = 256;
	t0 = bench_now();
	do {
		uc_buf_reset(&resp);
		if ((r = uc_apdu_exchange(t, (n & 1) ? &gd : &sel, 0, &resp,
		    &sw)) != 0 || (sw != UC_SW_OK)) {
			fprintf(stderr, "bench_apdu: exchange: %s, SW %04X\n",
			    uc_strerror(r), sw);
			break;
		}
		n++;
	} while ((n & 63) != 0 || bench_now() - t0 < seconds);
	el = bench_now() - t0;
	printf("%-40s %9lu APDUs in %.2f s: %10.0f APDUs/s, %8.1f us each "
	    "(transport count %llu)\n", reader, n, el, (double)n / el,
	    el * 1e6 / (double)n,
	    (unsigned long long)uc_transport_apdu_count(t));
	uc_buf_free(&resp);
	uc_transport_free(&t);
	return r == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *reader = NULL;
	char dir[] = "/tmp/uc-bench-XXXXXX", path[64], name[80];
	double seconds = 3;
	int i, rc;

	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc) {
			reader = argv[++i];
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench_apdu [--reader NAME] "
			    "[--seconds N]\n");
			return 2;
		}
	}
	if (reader != NULL)
		return run(reader, seconds);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/card.json", dir);
	if (uc_vcard_create(path, NULL) != 0) {
		fprintf(stderr, "bench_apdu: cannot create a virtual card\n");
		return 1;
	}
	snprintf(name, sizeof(name), "vcard:%s", path);
	rc = run(name, seconds);
	unlink(path);
	rmdir(dir);
	return rc;
}
