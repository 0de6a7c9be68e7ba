/*
 * unioncard/printed.h - the printed card's signed QR code: what the card
 * face carries so that a phone camera or a barcode scanner can check a
 * card without a reader.
 *
 *   text    = "UC1:" base45( COSE_Sign1 )          (QR alphanumeric mode)
 *   COSE_Sign1 = 18([ bstr .cbor {1: -7, 4: kid},  (protected: ES256, kid)
 *                     {},                          (unprotected: empty)
 *                     bstr .cbor CardClaims,       (payload)
 *                     bstr .size 64 ])             (r || s)
 *   CardClaims = { 1: member code, 2: full name, 3: unit code,
 *                  4: card serial, 5: card type, 6: issued on,
 *                  7: expires on }
 *
 * signed by the station's document signer (the same key and certificate
 * that sign the chip's security object); kid is the signer certificate's
 * subjectKeyIdentifier.  applets-spec/printed-card.md is the contract;
 * applets-spec/vectors/printed-card.json holds its test vectors.
 *
 * Three layers, each usable alone (and each fuzzed):
 *   base45   RFC 9285;
 *   CBOR     a small, strict, bounded subset of RFC 8949: definite
 *            lengths, shortest-form heads, no floats, no indefinite items,
 *            maps with unsigned keys in strictly ascending order;
 *   uc_qr_*  the card's claims and their COSE_Sign1.
 *
 * Parsing never allocates: every field lands in a fixed array of the
 * struct uc_qr the caller owns, so a struct uc_qr needs no _free.
 */
#ifndef UNIONCARD_PRINTED_H
#define UNIONCARD_PRINTED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/member.h"
#include "unioncard/signer.h"
#include "unioncard/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- base45 (RFC 9285) ---------------------------------------------- */

/* Characters base45 needs for N bytes (without a NUL). */
#define UC_BASE45_ENCODED_LEN(n) (((n) / 2) * 3 + ((n) % 2) * 2)

/*
 * Encode P[N] into OUT (capacity CAP, NUL-terminated): UC_ERR_BUFFER when
 * it does not fit.  *OUT_LEN (may be NULL) gets the length without NUL.
 */
UC_API int uc_base45_encode(const uint8_t *p, size_t n, char *out,
    size_t cap, size_t *out_len);
/*
 * Decode S[LEN] into OUT (capacity CAP).  UC_ERR_INVALID for a character
 * outside the alphabet, a dangling single character or a group whose value
 * overflows (RFC 9285 section 6: such input MUST be rejected);
 * UC_ERR_BUFFER when it does not fit.
 */
UC_API int uc_base45_decode(const char *s, size_t len, uint8_t *out,
    size_t cap, size_t *out_len);

/* --- the card's claims and the QR text ------------------------------ */

#define UC_QR_PREFIX "UC1:"
#define UC_QR_PREFIX_LEN 4
/* Longest QR text accepted (what a scanner can type; a version 25 QR). */
#define UC_QR_TEXT_MAX 1800
/* Longest COSE_Sign1 accepted, and its parts. */
#define UC_QR_COSE_MAX 1024
#define UC_QR_PROTECTED_MAX 64
#define UC_QR_PAYLOAD_MAX 640
#define UC_QR_SIG_LEN 64
/* The key identifier: a certificate's subjectKeyIdentifier (SHA-1). */
#define UC_QR_KID_MAX 32

/* The claims' keys (CardClaims), in the order they are encoded. */
enum uc_qr_claim {
	UC_QR_MEMBER_CODE = 1,
	UC_QR_FULL_NAME = 2,
	UC_QR_UNIT_CODE = 3,
	UC_QR_CARD_SERIAL = 4,
	UC_QR_CARD_TYPE = 5,
	UC_QR_ISSUED_ON = 6,
	UC_QR_EXPIRES_ON = 7,
};

/* A parsed QR code.  Plain fixed arrays, no heap memory. */
struct uc_qr {
	/* the claims, with the limits of struct uc_member */
	char member_code[UC_MEMBER_CODE_MAX + 1];
	char full_name[UC_MEMBER_NAME_MAX + 1];
	char unit_code[UC_MEMBER_UNIT_CODE_MAX + 1];
	char card_serial[UC_MEMBER_CARD_SERIAL_LEN + 1];
	uint8_t card_type;            /* UC_CARD_TYPE_* */
	char issued_on[9];            /* "YYYYMMDD" */
	char expires_on[9];
	/* what the signature covers, kept to check it */
	uint8_t kid[UC_QR_KID_MAX];
	size_t kid_len;
	uint8_t protected_hdr[UC_QR_PROTECTED_MAX];
	size_t protected_len;
	uint8_t payload[UC_QR_PAYLOAD_MAX];
	size_t payload_len;
	uint8_t sig[UC_QR_SIG_LEN];   /* r || s, big-endian, 32 bytes each */
};

/*
 * Make the QR text for member M (member_code, full_name, unit_code,
 * card_serial, card_type, issued_on, expires_on; every one required),
 * signed by SIGNER (a document signer).  The text replaces the contents of
 * OUT (NUL-terminated; out->len excludes the NUL).  UC_ERR_INVALID (+DIAG
 * naming the field) for a field the claims cannot carry, UC_ERR_KEY when
 * the signer's certificate has no subjectKeyIdentifier, UC_ERR_CRYPTO if
 * signing fails.
 */
UC_API int uc_qr_make(struct uc_signer *signer, const struct uc_member *m,
    struct uc_buf *out, struct uc_diag *diag);

/*
 * Parse QR text TEXT[LEN] (a trailing CR/LF, as a scanner types it, is
 * ignored) into OUT (cleared on entry) without checking the signature.
 * Strict: the prefix, base45, exactly the COSE_Sign1 above with the
 * protected header {1: -7, 4: kid} and every claim present once, in key
 * order, of its type and within its limits.  UC_ERR_INVALID with DIAG
 * saying which layer and field is wrong.
 */
UC_API int uc_qr_parse(const char *text, size_t len, struct uc_qr *out,
    struct uc_diag *diag);

/*
 * The COSE Sig_structure ["Signature1", protected, h'', payload] of Q,
 * SHA-256 hashed: what ES256 signs.  Exposed for the known-answer tests.
 */
UC_API int uc_qr_tbs_digest(const uint8_t *protected_hdr, size_t protected_len,
    const uint8_t *payload, size_t payload_len, uint8_t digest[32]);

/*
 * Check a raw ES256 signature SIG (r || s) over DIGEST with public key
 * PKEY (EC P-256).  0 when it verifies, UC_ERR_VERIFY when not.
 */
UC_API int uc_qr_es256_verify(EVP_PKEY *pkey, const uint8_t digest[32],
    const uint8_t sig[UC_QR_SIG_LEN]);

/* --- document signers known to a QR verifier ------------------------ */

/*
 * A QR code names its signer by kid only (the certificate would not fit
 * in a code 12 mm wide), so a verifier holds the document-signer
 * certificates it may meet: every .pem of the keys directory's
 * signers/ folder, or a bundle of them.  Each is checked against the
 * trust store (chain, validity, EKU, CRL) when a code names it, not when
 * it is loaded.
 */
struct uc_qr_signers;
UC_API int uc_qr_signers_new(struct uc_qr_signers **out);
UC_API void uc_qr_signers_free(struct uc_qr_signers **s);
/* Every certificate in a PEM file, or in every *.pem of a directory. */
UC_API int uc_qr_signers_add_path(struct uc_qr_signers *s, const char *path,
    struct uc_diag *diag);
/* The same from PEM text in memory. */
UC_API int uc_qr_signers_add_pem(struct uc_qr_signers *s, const char *pem,
    size_t len, struct uc_diag *diag);
UC_API size_t uc_qr_signers_count(const struct uc_qr_signers *s);

/*
 * Find the union's code in a PNG picture (a scan, a photo, a rendered
 * face): the first QR code whose text starts with "UC1:" goes into
 * OUT[CAP], NUL-terminated; *N_CODES (may be NULL) gets how many QR codes
 * the picture holds.  UC_ERR_NOT_FOUND (DIAG says whether there was no
 * code or only others), UC_ERR_INVALID (not a PNG, too large),
 * UC_ERR_UNSUPPORTED in builds without zbar (UC_HAVE_ZBAR).
 */
UC_API int uc_qr_scan_png(const char *path, char *out, size_t cap,
    size_t *n_codes, struct uc_diag *diag);

/*
 * The verdict on a parsed code Q, with the trust store, dates and status
 * source of OPTS (as for a chip; opts->status gets "" as the chip serial).
 * RES gets four checks, in this order:
 *   signature  the kid names a certificate in SIGNERS and the ES256
 *              signature over the code's protected header and claims is
 *              valid under its key;
 *   chain      that certificate is a document signer issued by a trusted
 *              root, valid at the check time and not on the root's CRL;
 *   expiry     the check day is within issued_on..expires_on;
 *   status     the status list does not mark the card serial revoked.
 * res->member gets the claims (unit_name stays ""), res->station the
 * signer's station; res->serial_hex stays "" (no chip was read).
 * Returns 0 with a verdict in res->valid, or UC_ERR_ARG / UC_ERR_CRYPTO.
 */
UC_API int uc_verify_qr(const struct uc_qr *q,
    const struct uc_qr_signers *signers, const struct uc_verify_opts *opts,
    struct uc_verify_result *res);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_PRINTED_H */
