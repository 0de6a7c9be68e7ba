/*
 * kdf.c - AES-CMAC, the SCP03 KDF and raw AES for the secure channel.
 *
 * Everything goes through OpenSSL 3 EVP (EVP_MAC "CMAC", EVP_CIPHER
 * AES-128-ECB/CBC); nothing here implements AES itself.
 */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "channel/kdf.h"
#include "unioncard/error.h"

#define KDF_LABEL_LEN 12 /* 11 zero bytes + derivation constant */
#define KDF_FIXED_LEN (KDF_LABEL_LEN + 1 + 2 + 1)
#define KDF_MAX_BITS 256

int
uc_scp03_cmac2(const uint8_t key[16], const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, uint8_t out[UC_SCP03_CMAC_LEN])
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char cipher[] = "AES-128-CBC";
	size_t outl = 0;
	int r = UC_ERR_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL)
		goto out;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	if (EVP_MAC_init(ctx, key, 16, params) != 1)
		goto out;
	if (alen > 0 && EVP_MAC_update(ctx, a, alen) != 1)
		goto out;
	if (blen > 0 && EVP_MAC_update(ctx, b, blen) != 1)
		goto out;
	if (EVP_MAC_final(ctx, out, &outl, UC_SCP03_CMAC_LEN) != 1 ||
	    outl != UC_SCP03_CMAC_LEN)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(out, UC_SCP03_CMAC_LEN);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}

int
uc_scp03_kdf(const uint8_t key[16], uint8_t constant,
    const uint8_t *context, size_t context_len, unsigned l_bits,
    uint8_t *out)
{
	uint8_t input[KDF_FIXED_LEN + UC_SCP03_KDF_CONTEXT_MAX];
	uint8_t block[UC_SCP03_CMAC_LEN];
	size_t out_len, done, n;
	uint8_t i;
	int r = UC_ERR_ARG;

	if (key == NULL || out == NULL || context_len > UC_SCP03_KDF_CONTEXT_MAX ||
	    (context == NULL && context_len > 0))
		return UC_ERR_ARG;
	if (l_bits != 64 && (l_bits == 0 || l_bits % 128 != 0 ||
	    l_bits > KDF_MAX_BITS))
		return UC_ERR_ARG;
	out_len = l_bits / 8;

	/* label: 11 zero bytes, then the derivation constant */
	memset(input, 0, KDF_LABEL_LEN);
	input[KDF_LABEL_LEN - 1] = constant;
	/* separation indicator */
	input[KDF_LABEL_LEN] = 0x00;
	/* L, the length of the derived data in bits, big-endian */
	input[KDF_LABEL_LEN + 1] = (uint8_t)(l_bits >> 8);
	input[KDF_LABEL_LEN + 2] = (uint8_t)(l_bits & 0xff);
	if (context_len > 0)
		memcpy(input + KDF_FIXED_LEN, context, context_len);

	for (done = 0, i = 1; done < out_len; done += n, i++) {
		input[KDF_LABEL_LEN + 3] = i; /* the counter */
		r = uc_scp03_cmac2(key, input, KDF_FIXED_LEN + context_len,
		    NULL, 0, block);
		if (r != 0)
			goto out;
		n = out_len - done < sizeof(block) ? out_len - done :
		    sizeof(block);
		memcpy(out + done, block, n);
	}
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(out, out_len);
	OPENSSL_cleanse(input, sizeof(input));
	OPENSSL_cleanse(block, sizeof(block));
	return r;
}

static int
aes_run(const EVP_CIPHER *cipher, const uint8_t key[16], const uint8_t *iv,
    int enc, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, fin = 0;
	int r = UC_ERR_CRYPTO;

	if (len % 16 != 0 || len > INT_MAX)
		return UC_ERR_ARG;
	if (len == 0)
		return 0;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) != 1)
		goto out;
	if (EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + outl, &fin) != 1)
		goto out;
	if ((size_t)outl + (size_t)fin != len)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(ctx); /* wipes the key schedule */
	return r;
}

int
uc_scp03_aes_block(const uint8_t key[16], const uint8_t in[16],
    uint8_t out[16])
{
	return aes_run(EVP_aes_128_ecb(), key, NULL, 1, in, 16, out);
}

int
uc_scp03_aes_cbc(const uint8_t key[16], const uint8_t iv[16], int enc,
    const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_run(EVP_aes_128_cbc(), key, iv, enc, in, len, out);
}
