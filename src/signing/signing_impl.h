/*
 * signing_impl.h - what the signing module's files share: the signer
 * vtable, the trust store, our OIDs as objects and certificate checks.
 */
#ifndef UC_SIGNING_IMPL_H
#define UC_SIGNING_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"

/* One backend: how to sign and how to let go of the key. */
struct uc_signer_ops {
	const char *kind;
	int (*sign_digest)(struct uc_signer *s, const uint8_t *digest,
	    size_t len, struct uc_buf *sig);
	void (*destroy)(struct uc_signer *s);
};

struct uc_signer {
	const struct uc_signer_ops *ops;
	X509 *cert;
	EVP_PKEY *pkey;
	char station[UC_STATION_MAX + 1];
	void *impl;   /* backend state */
};

/*
 * Roots and CRLs, the X509_STORE built from them once (not per card), and
 * the memo of signer certificates already judged (trust.c: a station or a
 * verifier sees the same few signers card after card).  Adding a root or
 * a CRL empties the memo.
 */
struct trust_memo;
struct uc_trust {
	STACK_OF(X509) *roots;
	STACK_OF(X509_CRL) *crls;
	X509_STORE *store;
	struct trust_memo *memo; /* mutable behind a const uc_trust */
};

/* Signers: finish a backend's open (checks, station) or undo it. */
int uc_signer_finish(struct uc_signer *s, struct uc_diag *diag);
int uc_signer_sign_evp(struct uc_signer *s, const uint8_t *digest,
    size_t len, struct uc_buf *sig);
int uc_signer_file_open(const char *path, const char *passphrase,
    struct uc_signer **out, struct uc_diag *diag);
/* Parse a PKCS#11 URI as uc_signer_pkcs11_open would; opens nothing. */
int uc_signer_pkcs11_uri_check(const char *uri, struct uc_diag *diag);
/* module: the PKCS#11 module when the URI names none (NULL: the default). */
int uc_signer_pkcs11_open(const char *uri, const char *pin,
    const char *module, struct uc_signer **out, struct uc_diag *diag);

/* Our OIDs, parsed once; borrowed, never freed. */
const ASN1_OBJECT *uc_oid_security_object(void);
const ASN1_OBJECT *uc_oid_eku_document_signer(void);
const ASN1_OBJECT *uc_oid_eku_status_list(void);
const ASN1_OBJECT *uc_oid_ext_station(void);

/* The station extension's value into OUT ("" if none); 0 or INVALID. */
int uc_cert_station(X509 *cert, char *out, size_t cap);

/* Does CERT's EKU list OID? */
int uc_cert_has_eku(X509 *cert, const ASN1_OBJECT *oid);
/*
 * 1 when GOT is WANT, or WANT is one of our four OIDs and GOT its twin
 * under the legacy arc (UC_OID_LEGACY_ARC, read but never written).
 */
int uc_oid_match(const ASN1_OBJECT *got, const ASN1_OBJECT *want);

/*
 * Check CERT against TRUST at CHECK_TIME for PURPOSE: chain, validity,
 * digitalSignature, the EKU, the CRL.  0 or UC_ERR_VERIFY with a short
 * sentence in DETAIL; UC_ERR_STATE when the root's CRL is outside its
 * validity window (the verifier's data is stale, not the certificate).  *CRL_CHECKED tells whether a CRL was consulted.
 */
int uc_trust_check_cert(const struct uc_trust *trust, X509 *cert,
    time_t check_time, enum uc_purpose purpose, char *detail, size_t cap,
    int *crl_checked);

/* "YYYY-MM-DD" of an ASN1_TIME into OUT (at least 11 bytes). */
void uc_asn1_time_date(const ASN1_TIME *t, char *out, size_t cap);
/* time_t of an ASN1_TIME; 0 if it does not convert. */
time_t uc_asn1_time_t(const ASN1_TIME *t);

/* Replace the contents of B with P[N]. */
int uc_signing_buf_set(struct uc_buf *b, const void *p, size_t n);

#endif /* UC_SIGNING_IMPL_H */
