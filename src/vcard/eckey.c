/*
 * eckey.c - the virtual card's own P-256 key: generation, the public point
 * from the private scalar, and ECDSA-SHA256 signatures (INTERNAL
 * AUTHENTICATE).  The scalar lives in the card's fixed buffer; the OpenSSL
 * objects built from it are freed (and so wiped) on every path.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "vcard/vcard_priv.h"

int
vc_ec_public(const uint8_t priv[VC_EC_PRIV_LEN], uint8_t pub[VC_EC_PUB_LEN])
{
	EC_GROUP *g = NULL;
	EC_POINT *p = NULL;
	BIGNUM *d = NULL;
	BN_CTX *ctx = NULL;
	int r = UC_ERR_CRYPTO;

	memset(pub, 0, VC_EC_PUB_LEN);
	if ((g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL ||
	    (p = EC_POINT_new(g)) == NULL || (ctx = BN_CTX_new()) == NULL ||
	    (d = BN_secure_new()) == NULL)
		goto out;
	if (BN_bin2bn(priv, VC_EC_PRIV_LEN, d) == NULL)
		goto out;
	/* 1 <= d < n, or it is no private key. */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0) {
		r = UC_ERR_KEY;
		goto out;
	}
	if (!EC_POINT_mul(g, p, d, NULL, NULL, ctx))
		goto out;
	if (EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub,
	    VC_EC_PUB_LEN, ctx) != VC_EC_PUB_LEN)
		goto out;
	r = 0;
out:
	BN_clear_free(d);
	BN_CTX_free(ctx);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return r;
}

int
vc_ec_generate(uint8_t priv[VC_EC_PRIV_LEN], uint8_t pub[VC_EC_PUB_LEN])
{
	EVP_PKEY *k = NULL;
	BIGNUM *d = NULL;
	int r = UC_ERR_CRYPTO;

	memset(priv, 0, VC_EC_PRIV_LEN);
	if ((k = EVP_EC_gen("P-256")) == NULL)
		goto out;
	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d))
		goto out;
	if (BN_bn2binpad(d, priv, VC_EC_PRIV_LEN) != (int)VC_EC_PRIV_LEN)
		goto out;
	r = vc_ec_public(priv, pub);
out:
	if (r != 0)
		OPENSSL_cleanse(priv, VC_EC_PRIV_LEN);
	BN_clear_free(d);
	EVP_PKEY_free(k);
	return r;
}

/* An EVP_PKEY from the raw scalar and point. */
static int
make_pkey(const uint8_t priv[VC_EC_PRIV_LEN], const uint8_t pub[VC_EC_PUB_LEN],
    EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	BIGNUM *d = NULL;
	int r = UC_ERR_CRYPTO;

	*out = NULL;
	if ((d = BN_secure_new()) == NULL ||
	    BN_bin2bn(priv, VC_EC_PRIV_LEN, d) == NULL)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, VC_EC_PUB_LEN) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, out, EVP_PKEY_KEYPAIR, params) <= 0)
		goto out;
	r = 0;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return r;
}

int
vc_ec_sign(const uint8_t priv[VC_EC_PRIV_LEN],
    const uint8_t pub[VC_EC_PUB_LEN], const uint8_t *msg, size_t len,
    struct uc_buf *der)
{
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	uint8_t sig[80];
	size_t slen = sizeof(sig);
	int r;

	if ((r = make_pkey(priv, pub, &k)) != 0)
		goto out;
	r = UC_ERR_CRYPTO;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, k,
	    NULL) <= 0 ||
	    EVP_DigestSign(md, sig, &slen, msg, len) <= 0)
		goto out;
	r = uc_buf_append(der, sig, slen);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return r;
}
