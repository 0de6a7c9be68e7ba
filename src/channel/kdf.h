/*
 * kdf.h - the cryptographic primitives under SCP03 (private).
 *
 * AES-CMAC (NIST SP 800-38B, through EVP_MAC "CMAC"), the NIST SP 800-108
 * KDF in counter mode with AES-CMAC laid out as in GlobalPlatform
 * Amendment D, and raw AES-128 ECB/CBC without padding (through EVP).
 * Keys are AES-128 only.  No function here keeps state or allocates
 * anything the caller must free; every secret temporary is wiped.
 */
#ifndef UC_CHANNEL_KDF_H
#define UC_CHANNEL_KDF_H

#include <stddef.h>
#include <stdint.h>

#define UC_SCP03_CMAC_LEN 16

/* Derivation constants of Amendment D (the last byte of the label). */
#define UC_SCP03_DC_CARD_CRYPTOGRAM 0x00
#define UC_SCP03_DC_HOST_CRYPTOGRAM 0x01
#define UC_SCP03_DC_CARD_CHALLENGE 0x02
#define UC_SCP03_DC_S_ENC 0x04
#define UC_SCP03_DC_S_MAC 0x06
#define UC_SCP03_DC_S_RMAC 0x07

/* Longest KDF context we build: host + card challenge, or counter + AID. */
#define UC_SCP03_KDF_CONTEXT_MAX 32

/* One part of a message given to uc_scp03_cmac() (p may be NULL if n is 0). */
struct uc_scp03_part {
	const uint8_t *p;
	size_t n;
};

/*
 * AES-CMAC over the concatenation of parts[0..nparts): one call covers
 * "chaining value || header || data" without copying.  out gets 16 bytes.
 * Returns 0 or UC_ERR_CRYPTO (out wiped).
 */
int uc_scp03_cmac(const uint8_t key[16], const struct uc_scp03_part *parts,
    size_t nparts, uint8_t out[UC_SCP03_CMAC_LEN]);

/*
 * The Amendment D KDF: for counter i = 1 .. ceil(L/128),
 *   K(i) = CMAC(key, 00*11 || constant || 00 || L(2, bits) || i || context)
 * and out is the first l_bits/8 bytes of K(1) || K(2) ...
 * l_bits is 64 or a multiple of 128 up to 256; context up to
 * UC_SCP03_KDF_CONTEXT_MAX bytes.  Returns 0, UC_ERR_ARG, UC_ERR_CRYPTO.
 */
int uc_scp03_kdf(const uint8_t key[16], uint8_t constant,
    const uint8_t *context, size_t context_len, unsigned l_bits,
    uint8_t *out);

/* One AES-128 block encryption (ECB).  Returns 0 or UC_ERR_CRYPTO. */
int uc_scp03_aes_block(const uint8_t key[16], const uint8_t in[16],
    uint8_t out[16]);

/*
 * AES-128-CBC over len bytes (a multiple of 16), no padding; in and out
 * may be the same buffer.  enc = 1 encrypts, 0 decrypts.
 * Returns 0, UC_ERR_ARG (len not a multiple of 16), UC_ERR_CRYPTO.
 */
int uc_scp03_aes_cbc(const uint8_t key[16], const uint8_t iv[16], int enc,
    const uint8_t *in, size_t len, uint8_t *out);

#endif /* UC_CHANNEL_KDF_H */
