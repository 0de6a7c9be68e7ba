/*
 * bench_sign.c - what signing and checking a card's security object costs,
 * next to the raw ECDSA P-256 operation underneath.
 *
 *   build/bench/bench_sign [SECONDS]
 *
 * Makes a throw-away hierarchy in a temporary directory, then for SECONDS
 * (default 2) each: raw ECDSA sign and verify of a SHA-256 digest;
 * uc_secobj_create over three objects; uc_secobj_verify (CMS signature,
 * hashes, chain and CRL check).  Prints operations per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"

#include "benchlib.h"

#define PASS "benchmark passphrase"

static void
report(const char *what, long n, double secs)
{
	printf("%-40s %9.0f /s  (%ld in %.2f s)\n", what, (double)n / secs, n,
	    secs);
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0, t0, t;
	char dir[] = "/tmp/uc-bench-XXXXXX", keydir[64], path[128], cmd[128];
	uint8_t serial[8] = { 4, 1, 2, 3, 4, 5, 6, 7 };
	uint8_t e1[120], e2[69], e3[36], md[32];
	struct uc_secobj_item items[3] = {
		{ 0xE1, e1, sizeof(e1) }, { 0xE2, e2, sizeof(e2) },
		{ 0xE3, e3, sizeof(e3) },
	};
	struct uc_signer *s = NULL;
	struct uc_trust *tr = NULL;
	struct uc_buf der = UC_BUF_INIT, sig = UC_BUF_INIT;
	struct uc_secobj_result res;
	EVP_PKEY_CTX *vctx;
	long n;

	if (secs <= 0)
		secs = 2.0;
	memset(e1, 0x41, sizeof(e1));
	e1[0] = 0xE1;
	e1[1] = sizeof(e1) - 2;
	memset(e2, 0x42, sizeof(e2));
	e2[0] = 0xE2;
	e2[1] = sizeof(e2) - 2;
	memset(e3, 0x43, sizeof(e3));
	e3[0] = 0xE3;
	e3[1] = sizeof(e3) - 2;
	memset(md, 0x5A, sizeof(md));
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(keydir, sizeof(keydir), "%s/k", dir);
	snprintf(path, sizeof(path), "%s/signers/station-01.key", keydir);
	if (uc_keys_init(keydir, PASS, NULL, NULL) != 0 ||
	    uc_signer_open(path, PASS, &s, NULL) != 0 ||
	    uc_trust_new(&tr) != 0 || uc_trust_load_dir(tr, keydir, NULL) != 0)
		return 2;

	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if (uc_signer_sign_digest(s, md, 32, &sig) != 0)
			return 1;
	report("raw ECDSA P-256 sign (digest)", n, t);
	vctx = EVP_PKEY_CTX_new(X509_get0_pubkey(uc_signer_cert_ptr(s)), NULL);
	if (vctx == NULL || EVP_PKEY_verify_init(vctx) != 1)
		return 2;
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if (EVP_PKEY_verify(vctx, sig.data, sig.len, md, 32) != 1)
			return 1;
	report("raw ECDSA P-256 verify (digest)", n, t);
	EVP_PKEY_CTX_free(vctx);

	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if (uc_secobj_create(s, serial, items, 3, &der) != 0)
			return 1;
	report("security object create (3 objects)", n, t);
	printf("  security object size: %zu bytes (limit %d)\n", der.len,
	    UC_SECOBJ_MAX);
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if (uc_secobj_verify(der.data, der.len, tr, 0, items, 3, serial,
		    &res, NULL) != 0)
			return 1;
	report("security object verify (all checks)", n, t);

	uc_buf_free(&der);
	uc_buf_free(&sig);
	uc_trust_free(&tr);
	uc_signer_free(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 2;
}
