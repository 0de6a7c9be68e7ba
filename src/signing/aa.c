/*
 * aa.c - active authentication: check the card's ECDSA signature over our
 * challenge with the public key from its E2 object (applet spec §5.5).
 *
 * The card is untrusted input: the point must be an uncompressed P-256
 * point on the curve, the signature strict DER with 0 < r, s < n.  The
 * DER itself is parsed by OpenSSL and accepted only if it re-encodes to
 * the same bytes, which rules out non-minimal or padded encodings.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "unioncard/aa.h"
#include "unioncard/error.h"

int
uc_aa_message(const uint8_t *serial, const uint8_t *challenge,
    struct uc_buf *out)
{
	int r;

	if (serial == NULL || challenge == NULL || out == NULL)
		return UC_ERR_ARG;
	uc_buf_reset(out);
	if ((r = uc_buf_append(out, UC_AA_PREFIX, UC_AA_PREFIX_LEN)) != 0 ||
	    (r = uc_buf_append(out, serial, 8)) != 0 ||
	    (r = uc_buf_append(out, challenge, UC_AA_CHALLENGE_LEN)) != 0)
		return r;
	return 0;
}

int
uc_aa_random_challenge(uint8_t *challenge)
{
	if (challenge == NULL)
		return UC_ERR_ARG;
	if (RAND_bytes(challenge, UC_AA_CHALLENGE_LEN) != 1)
		return UC_ERR_CRYPTO;
	return 0;
}

/* EVP_PKEY for the card's point, or NULL if it is not a valid point. */
static EVP_PKEY *
card_key(const uint8_t *point)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pkey = NULL;

	if (point[0] != 0x04)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, UC_AA_POINT_LEN) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto fail;
	/* On the curve, not the point at infinity, in the right subgroup. */
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(chk) != 1)
		goto fail;
	goto out;
fail:
	EVP_PKEY_free(pkey);
	pkey = NULL;
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

int
uc_aa_point_check(const uint8_t *point)
{
	EVP_PKEY *pkey;

	if (point == NULL)
		return UC_ERR_ARG;
	if ((pkey = card_key(point)) == NULL)
		return UC_ERR_KEY;
	EVP_PKEY_free(pkey);
	return 0;
}

/* Strict DER ECDSA-Sig-Value with 0 < r, s < n. */
static int
sig_ok(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	ECDSA_SIG *sig = NULL;
	EC_GROUP *grp = NULL;
	const BIGNUM *r, *s, *n;
	int relen, ok = 0;

	if (len < 8 || len > UC_AA_SIG_MAX)
		return 0;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL ||
	    p != der + len)
		goto out;
	if ((relen = i2d_ECDSA_SIG(sig, &re)) <= 0 || (size_t)relen != len ||
	    memcmp(re, der, len) != 0)
		goto out;
	if ((grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL)
		goto out;
	n = EC_GROUP_get0_order(grp);
	ECDSA_SIG_get0(sig, &r, &s);
	if (r == NULL || s == NULL || BN_is_zero(r) || BN_is_zero(s) ||
	    BN_is_negative(r) || BN_is_negative(s) || BN_cmp(r, n) >= 0 ||
	    BN_cmp(s, n) >= 0)
		goto out;
	ok = 1;
out:
	OPENSSL_free(re);
	ECDSA_SIG_free(sig);
	EC_GROUP_free(grp);
	return ok;
}

int
uc_aa_verify(const uint8_t *point, const uint8_t *serial,
    const uint8_t *challenge, const uint8_t *sig_der, size_t sig_len)
{
	uint8_t msg[UC_AA_MESSAGE_LEN];
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *pkey = NULL;
	int r;

	if (point == NULL || serial == NULL || challenge == NULL ||
	    (sig_der == NULL && sig_len != 0))
		return UC_ERR_ARG;
	ERR_set_mark();
	if ((pkey = card_key(point)) == NULL) {
		r = UC_ERR_KEY;
		goto out;
	}
	r = UC_ERR_VERIFY;
	if (sig_der == NULL || !sig_ok(sig_der, sig_len))
		goto out;
	memcpy(msg, UC_AA_PREFIX, UC_AA_PREFIX_LEN);
	memcpy(msg + UC_AA_PREFIX_LEN, serial, 8);
	memcpy(msg + UC_AA_PREFIX_LEN + 8, challenge, UC_AA_CHALLENGE_LEN);
	if ((md = EVP_MD_CTX_new()) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestVerify(md, sig_der, sig_len, msg, sizeof(msg)) == 1)
		r = 0;
out:
	ERR_pop_to_mark();
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return r;
}
