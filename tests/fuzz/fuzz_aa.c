/*
 * fuzz_aa.c - the verifier's reading of an INTERNAL AUTHENTICATE answer
 * (applets-spec/union-applet.md §5.5, src/signing/aa.c) on arbitrary
 * bytes: the strict DER ECDSA-Sig-Value check and the signature check,
 * and the E2 point check.  The first byte picks what is fuzzed:
 *   even  the answer only, against a P-256 key made at start and a fixed
 *         serial and challenge: the strict DER reader and the range
 *         checks of r and s;
 *   odd   everything: point (65 bytes), serial (8), challenge (32), then
 *         the answer.  The seeds genuine.bin and flipped.bin hold a
 *         real answer (and one with a bit flipped), signed with Python
 *         cryptography by a key made for them and thrown away.
 * An answer accepted must be at most UC_AA_SIG_MAX bytes, for a point
 * the point check accepts.  Touches no file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "unioncard/aa.h"
#include "unioncard/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t point[UC_AA_POINT_LEN];
static const uint8_t serial[8] = { 0x52, 0x55, 0, 0, 0, 0, 0, 0x42 };
static const uint8_t challenge[UC_AA_CHALLENGE_LEN] = { 1, 2, 3, 4, 5 };

static void
init(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	size_t n = 0;

	if (k == NULL || EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &n) != 1 ||
	    n != sizeof(point))
		abort();
	EVP_PKEY_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = point, *s = serial, *c = challenge, *sig;
	size_t sig_len;
	int r;

	if (point[0] == 0)
		init();
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (size < 1 + UC_AA_POINT_LEN + 8 + UC_AA_CHALLENGE_LEN)
			return 0;
		p = data + 1;
		s = p + UC_AA_POINT_LEN;
		c = s + 8;
		sig = c + UC_AA_CHALLENGE_LEN;
	} else
		sig = data + 1;
	sig_len = size - (size_t)(sig - data);
	r = uc_aa_verify(p, s, c, sig, sig_len);
	if (r != 0 && r != UC_ERR_VERIFY && r != UC_ERR_KEY && r != UC_ERR_ARG)
		abort();
	if (r == 0 && (sig_len > UC_AA_SIG_MAX || uc_aa_point_check(p) != 0))
		abort();
	(void)uc_aa_point_check(p);
	return 0;
}
