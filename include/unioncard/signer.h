/*
 * unioncard/signer.h - who signs: the issuer's signing keys behind one small
 * interface.
 *
 * A struct uc_signer is a private key (in an encrypted PEM file or inside a
 * PKCS#11 token) together with its X.509 certificate.  The security object
 * (secobj.h) and the status list (uc_sign_detached) are signed through it,
 * so the personalization engine never needs to know where a key lives.
 *
 * The signer is selected by one string, the SPEC:
 *
 *   /path/to/station.key      an encrypted PKCS#8 PEM private key; the
 *                             certificate is the file next to it with the
 *                             extension .pem (station.key -> station.pem).
 *   pkcs11:token=T;object=O[;pin-value=P][;module-path=M]
 *                             a key in a PKCS#11 token (RFC 7512 URI; the
 *                             query form "?pin-value=P&module-path=M" is
 *                             accepted too).  The certificate is the
 *                             token's certificate object with the same
 *                             label (or id=) as the key.  The PIN comes
 *                             from pin-value or else from the passphrase
 *                             argument.  The module is module-path, else
 *                             the caller's (uc_signer_open_ex; the tools
 *                             pass $UNIONCARD_PKCS11_MODULE), else
 *                             SoftHSM2's UC_PKCS11_DEFAULT_MODULE.  Only in builds
 *                             with libp11 (UC_HAVE_PKCS11); otherwise
 *                             UC_ERR_UNSUPPORTED.
 *
 * Every signer signs with ECDSA P-256 over SHA-256.  A signer is not
 * thread-safe; open one per thread.
 */
#ifndef UNIONCARD_SIGNER_H
#define UNIONCARD_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_PKCS11_DEFAULT_MODULE \
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"

/* Longest signer spec string accepted (a path or a PKCS#11 URI). */
#define UC_SIGNER_SPEC_MAX 1024

/* Longest station name (see keys.h for the allowed characters). */
#define UC_STATION_MAX 32

/* The largest DER ECDSA-Sig-Value for P-256. */
#define UC_ECDSA_P256_SIG_MAX 72

struct uc_signer;

/*
 * Open the signer named by SPEC.  PASSPHRASE decrypts a key file, or is the
 * token PIN when the URI carries no pin-value; it may be NULL if not needed.
 * The key must be EC P-256 and must match the certificate.
 * Errors: UC_ERR_PASSPHRASE (wrong or missing passphrase / PIN),
 * UC_ERR_NOT_FOUND (no such file, token or object), UC_ERR_KEY (not a P-256
 * key, key and certificate do not match), UC_ERR_UNSUPPORTED (PKCS#11 not
 * built), UC_ERR_INVALID (malformed URI or file), all with diag filled.
 */
UC_API int uc_signer_open(const char *spec, const char *passphrase,
    struct uc_signer **out, struct uc_diag *diag);
/*
 * uc_signer_open with the PKCS#11 module to load when a pkcs11: URI names
 * none (pkcs11_module NULL or "": UC_PKCS11_DEFAULT_MODULE).  The library
 * reads no environment: the tools pass $UNIONCARD_PKCS11_MODULE here.
 */
UC_API int uc_signer_open_ex(const char *spec, const char *passphrase,
    const char *pkcs11_module, struct uc_signer **out, struct uc_diag *diag);

/* Close, release the key handle and NULL *s (safe on NULL). */
UC_API void uc_signer_free(struct uc_signer **s);

/*
 * Check SPEC's form as uc_signer_open() reads it (a .key path, or a
 * PKCS#11 URI with object= or id= and well-formed %-escapes), opening
 * nothing: a tool can refuse a mistyped --signer before any work.
 * 0, UC_ERR_INVALID with diag, or UC_ERR_UNSUPPORTED (no PKCS#11 built).
 */
UC_API int uc_signer_spec_check(const char *spec, struct uc_diag *diag);

/*
 * Sign a SHA-256 digest (DIGEST_LEN must be 32).  The DER ECDSA-Sig-Value
 * replaces the contents of SIG.  UC_ERR_CRYPTO if the key refuses.
 */
UC_API int uc_signer_sign_digest(struct uc_signer *s, const uint8_t *digest,
    size_t digest_len, struct uc_buf *sig);

/*
 * Borrowed OpenSSL handles, valid while the signer is open.  The EVP_PKEY
 * is usable by CMS_sign() and EVP_PKEY_sign(); for a token it forwards to
 * the token and holds no key material.
 */
UC_API X509 *uc_signer_cert_ptr(const struct uc_signer *s);
UC_API EVP_PKEY *uc_signer_pkey_ptr(const struct uc_signer *s);

/*
 * Nothing signed may outlive its signer (keys/README.md, "Lifetimes"):
 * 0 when the signer's certificate is still valid at UNTIL (the end of
 * what it is about to sign: a card's expiry, a status list's issued_at +
 * ttl), else UC_ERR_KEY with diag naming both dates.  WHAT names the
 * thing signed in the message ("a card expiring 2031-11-24").
 */
UC_API int uc_signer_check_until(const struct uc_signer *s, time_t until,
    const char *what, struct uc_diag *diag);

/* "file" or "pkcs11" (static storage). */
UC_API const char *uc_signer_kind(const struct uc_signer *s);

/*
 * The station named in the signer's certificate, or "" for a signer
 * without one (the status-list signer).  Borrowed, NUL-terminated.
 */
UC_API const char *uc_signer_station_ptr(const struct uc_signer *s);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_SIGNER_H */
