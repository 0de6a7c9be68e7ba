/*
 * unioncard/aa.h - active authentication (applet spec §5.5): tell the
 * genuine chip from a copy of its data.
 *
 * The verifier sends a fresh random challenge; the card signs
 *   "UNIONCARD-AA-v1" (15 bytes) || card serial (8) || challenge (32)
 * with its P-256 key (ECDSA, SHA-256) and returns a DER ECDSA-Sig-Value.
 * The public key comes from object E2 (tag 86, uncompressed point), which
 * the security object covers, so a copied card fails here.
 */
#ifndef UNIONCARD_AA_H
#define UNIONCARD_AA_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_AA_PREFIX "UNIONCARD-AA-v1"
#define UC_AA_PREFIX_LEN 15
#define UC_AA_CHALLENGE_LEN 32
#define UC_AA_POINT_LEN 65
#define UC_AA_MESSAGE_LEN (UC_AA_PREFIX_LEN + 8 + UC_AA_CHALLENGE_LEN)
/* Longest DER signature accepted (P-256: at most 72 bytes). */
#define UC_AA_SIG_MAX 72

/* The message the card signs; replaces the contents of OUT. */
UC_API int uc_aa_message(const uint8_t *serial, const uint8_t *challenge,
    struct uc_buf *out);

/* 32 bytes from the OpenSSL CSPRNG; UC_ERR_CRYPTO if it is not seeded. */
UC_API int uc_aa_random_challenge(uint8_t *challenge);

/*
 * Check the card's answer.  POINT is the 65-byte uncompressed P-256 point
 * (04 X Y, on the curve); SIG_DER a strict DER ECDSA-Sig-Value: minimal
 * positive INTEGERs, 0 < r, s < n, nothing after it.
 * Returns 0, UC_ERR_VERIFY (bad signature or malformed encoding),
 * UC_ERR_KEY (POINT is not a valid point) or UC_ERR_ARG.
 */
UC_API int uc_aa_verify(const uint8_t *point, const uint8_t *serial,
    const uint8_t *challenge, const uint8_t *sig_der, size_t sig_len);

/*
 * Is POINT (65 bytes, 04 X Y) a point on P-256?  0, or UC_ERR_KEY
 * (UC_ERR_ARG for NULL).  The verifier's objects check (E2 on the curve).
 */
UC_API int uc_aa_point_check(const uint8_t *point);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_AA_H */
