/*
 * bench_perso.c - what personalizing and verifying a card costs the engine.
 *
 *   - cards personalized per second in-process (vcard: transport, each card
 *     a fresh state file whose every change is fsynced, as on a real chip
 *     every write is committed), with the APDUs each took against the
 *     fewest the spec allows (UC_PERSO_MIN_APDUS: SELECT, INITIALIZE
 *     UPDATE, EXTERNAL AUTHENTICATE, one STORE DATA block carrying E1,
 *     GENERATE KEY, one STORE DATA block carrying EF, SET STATUS);
 *   - verification per card: time and APDUs (SELECT, GET DATA 00FF,
 *     INTERNAL AUTHENTICATE);
 *   - security objects signed per second against raw ECDSA P-256 signing
 *     (`openssl speed ecdsap256` is printed beside it when available).
 *
 * Usage: bench_perso [CARDS] [DIR]     (default 200 cards in /tmp)
 * Run by hand; the figures go into the issue notes, never into tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/member.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"
#include "unioncard/verify.h"

#include "benchlib.h"

#define PASS "bench passphrase"

static void
die(const char *what, int r, const struct uc_diag *d)
{
	char buf[600];

	uc_diag_format(d, buf, sizeof(buf));
	fprintf(stderr, "bench_perso: %s: %s (%s)\n", what, uc_strerror(r),
	    buf);
	exit(2);
}

static void
member(struct uc_member *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->member_code, sizeof(m->member_code), "52000012345");
	snprintf(m->full_name, sizeof(m->full_name),
	    "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	snprintf(m->unit_code, sizeof(m->unit_code), "BD.QN.THPT-001");
	snprintf(m->unit_name, sizeof(m->unit_name),
	    "C\xc3\xb4ng \xc4\x91o\xc3\xa0n c\xc6\xa1 s\xe1\xbb\x9f");
	m->card_type = UC_CARD_TYPE_REGULAR;
	memcpy(m->issued_on, "20261125", 9);
	memcpy(m->expires_on, "20311124", 9);
	memcpy(m->card_serial, "52000000001", 12);
}

int
main(int argc, char **argv)
{
	int cards = argc > 1 ? atoi(argv[1]) : 200;
	const char *base = argc > 2 ? argv[2] : "/tmp";
	char dir[512], keys[600], path[700], spec[700];
	const char *what;
	struct uc_scp03_keys master;
	struct uc_signer *signer = NULL;
	struct uc_trust *trust = NULL;
	struct uc_perso_keys pk;
	struct uc_member m;
	struct uc_diag d;
	uint64_t apdus = 0, vapdus = 0;
	double t0, tperso = 0, tverify = 0, tcreate = 0;
	int i, r, nsig;

	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	if (cards <= 0)
		cards = 200;
	snprintf(dir, sizeof(dir), "%s/uc-bench-perso-XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	if ((r = uc_keys_init(keys, PASS, NULL, &d)) != 0)
		die("keys init", r, &d);
	if ((r = bench_station_keys(keys, PASS, &signer, &master, &trust, &d,
	    &what)) != 0)
		die(what, r, &d);
	memset(&pk, 0, sizeof(pk));
	pk.scp_master = &master;
	pk.signer = signer;
	member(&m);

	for (i = 0; i < cards; i++) {
		struct uc_vcard_new_opts vo;
		struct uc_transport *t = NULL;
		struct uc_perso_result pr;
		struct uc_verify_opts opts;
		struct uc_verify_result vr;
		char reader[800];
		double t1;

		memset(&vo, 0, sizeof(vo));
		vo.master_enc = master.enc;
		vo.master_mac = master.mac;
		vo.master_dek = master.dek;
		vo.key_version = master.kvn;
		snprintf(path, sizeof(path), "%s/card-%05d.json", dir, i);
		t1 = bench_now();
		if ((r = uc_vcard_create(path, &vo)) != 0)
			die("vcard create", r, NULL);
		tcreate += bench_now() - t1;
		snprintf(reader, sizeof(reader), "vcard:%s", path);
		if ((r = uc_transport_open(reader, &t)) != 0 ||
		    (r = uc_transport_connect(t, 1000, NULL, NULL)) != 0)
			die("transport", r, NULL);
		t0 = bench_now();
		if ((r = uc_perso_card(t, &m, &pk, &pr, &d)) != 0)
			die("perso", r, &d);
		tperso += bench_now() - t0;
		apdus += pr.apdus;
		memset(&opts, 0, sizeof(opts));
		opts.trust = trust;
		/* today and now (NULL, 0): the keys and certificates are
		 * made by this run, so a fixed past day is before them */
		t0 = bench_now();
		if ((r = uc_verify_card(t, &opts, &vr, &d)) != 0 || !vr.valid)
			die("verify", r != 0 ? r : UC_ERR_VERIFY, &d);
		tverify += bench_now() - t0;
		vapdus += vr.apdus;
		uc_transport_free(&t);
		unlink(path);
	}
	printf("personalization, in-process (vcard:, fsync on every change)\n");
	printf("  %d cards in %.2f s: %.1f cards/s, %.2f ms/card "
	    "(%.0f cards/hour)\n", cards, tperso, cards / tperso,
	    1e3 * tperso / cards, 3600.0 * cards / tperso);
	printf("  APDUs per card: %.1f (spec minimum %d)\n",
	    (double)apdus / cards, UC_PERSO_MIN_APDUS);
	printf("  (blank card creation, not counted: %.2f ms/card)\n",
	    1e3 * tcreate / cards);
	printf("verification, in-process\n");
	printf("  %.2f ms/card, %.1f APDUs per card\n", 1e3 * tverify / cards,
	    (double)vapdus / cards);

	/* Security objects signed per second. */
	{
		uint8_t serial[8] = { 0x52, 0x55, 0, 0, 0, 0, 0, 0x42 };
		uint8_t e1[131], e2[69];
		struct uc_secobj_item objs[2];
		struct uc_buf der = UC_BUF_INIT;

		memset(e1, 0x41, sizeof(e1));
		e1[0] = 0xE1;
		e1[1] = 0x81;
		e1[2] = 0x80;
		memset(e2, 0x42, sizeof(e2));
		e2[0] = 0xE2;
		e2[1] = 0x43;
		objs[0].tag = 0xE1;
		objs[0].tlv = e1;
		objs[0].tlv_len = sizeof(e1);
		objs[1].tag = 0xE2;
		objs[1].tlv = e2;
		objs[1].tlv_len = sizeof(e2);
		t0 = bench_now();
		for (nsig = 0; bench_now() - t0 < 2.0; nsig++) {
			uc_buf_reset(&der);
			if ((r = uc_secobj_create(signer, serial, objs, 2,
			    &der)) != 0)
				die("secobj create", r, NULL);
		}
		printf("security objects (CMS SignedData, ECDSA P-256) signed: "
		    "%.0f/s\n", nsig / (bench_now() - t0));
		uc_buf_free(&der);
	}
	fflush(stdout);
	if (system("command -v openssl >/dev/null 2>&1") == 0) {
		printf("raw ECDSA P-256 for comparison (openssl speed):\n");
		fflush(stdout);
		if (system("openssl speed -seconds 2 ecdsap256 2>/dev/null | "
		    "tail -n 2") != 0)
			printf("  (openssl speed failed)\n");
	}
	uc_trust_free(&trust);
	uc_signer_free(&signer);
	uc_scp03_keys_wipe(&master);
	snprintf(spec, sizeof(spec), "rm -rf '%s'", dir);
	if (system(spec) != 0)
		return 2;
	return 0;
}
