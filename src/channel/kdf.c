/*
 * kdf.c - AES-CMAC, the SCP03 KDF and raw AES for the secure channel.
 *
 * Everything goes through OpenSSL 3 EVP (EVP_MAC "CMAC", EVP_CIPHER
 * AES-128-ECB/CBC); nothing here implements AES itself.
 */
#include <limits.h>
#include <pthread.h>
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

/*
 * The CMAC algorithm object is fetched once: EVP_MAC_fetch() takes locks
 * and searches the provider store, which would dominate the cost of MACing
 * a short APDU.  It stays reachable for the life of the process.
 */
static EVP_MAC *cmac_alg;
static pthread_once_t cmac_once = PTHREAD_ONCE_INIT;

static void
cmac_fetch(void)
{
	cmac_alg = EVP_MAC_fetch(NULL, "CMAC", NULL);
}

int
uc_scp03_cmac(const uint8_t key[16], const struct uc_scp03_part *parts,
    size_t nparts, uint8_t out[UC_SCP03_CMAC_LEN])
{
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char cipher[] = "AES-128-CBC";
	size_t outl = 0, i;
	int r = UC_ERR_CRYPTO;

	if (pthread_once(&cmac_once, cmac_fetch) != 0 || cmac_alg == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(cmac_alg)) == NULL)
		goto out;
	if (EVP_MAC_init(ctx, key, 16, params) != 1)
		goto out;
	for (i = 0; i < nparts; i++) {
		if (parts[i].n > 0 &&
		    EVP_MAC_update(ctx, parts[i].p, parts[i].n) != 1)
			goto out;
	}
	if (EVP_MAC_final(ctx, out, &outl, UC_SCP03_CMAC_LEN) != 1 ||
	    outl != UC_SCP03_CMAC_LEN)
		goto out;
	r = 0;
out:
	if (r != 0)
		OPENSSL_cleanse(out, UC_SCP03_CMAC_LEN);
	EVP_MAC_CTX_free(ctx); /* wipes the key schedule */
	return r;
}

int
uc_scp03_kdf(const uint8_t key[16], uint8_t constant,
    const uint8_t *context, size_t context_len, unsigned l_bits,
    uint8_t *out)
{
	uint8_t input[KDF_FIXED_LEN + UC_SCP03_KDF_CONTEXT_MAX];
	uint8_t block[UC_SCP03_CMAC_LEN];
	struct uc_scp03_part part;
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

	part.p = input;
	part.n = KDF_FIXED_LEN + context_len;
	for (done = 0, i = 1; done < out_len; done += n, i++) {
		input[KDF_LABEL_LEN + 3] = i; /* the counter */
		r = uc_scp03_cmac(key, &part, 1, block);
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
