/*
 * unioncard/keys.h - the issuer's key hierarchy and the trust store that
 * checks it.
 *
 *   union root CA (P-256, offline)          DIR/root.pem, root.key, root.crl
 *     +-- document signer, one per station  DIR/signers/<station>.pem, .key
 *     +-- status-list signer                DIR/status-list.pem, .key
 *   SCP03 master keys (per key version)     DIR/scp-master.json
 *
 * Private keys are encrypted PKCS#8 PEM (AES-256-CBC, PBKDF2) under the
 * passphrase.  The document signer's certificate carries the extended key
 * usage UC_OID_EKU_DOCUMENT_SIGNER and names its station in the private
 * extension UC_OID_EXT_STATION; the status-list signer carries
 * UC_OID_EKU_STATUS_LIST_SIGNER.  A verifier accepts a signer only for the
 * one use its EKU names.  See keys/README.md for the ceremony.
 *
 * DIR/scp-master.json is {"kvn": 48, "enc": HEX32, "mac": HEX32,
 * "dek": HEX32} IN THE CLEAR: it is the development hierarchy's file, shared
 * with the virtual card (`unioncard-vcard --keys DIR`).  With
 * UC_KEYS_SCP_ENCRYPT the keys are written instead to
 * DIR/scp-master.json.p7, a CMS EnvelopedData under the passphrase
 * (password recipient, AES-256); uc_keys_load_scp_master() reads either.
 *
 * The passphrase is never taken from a command line; tools read it from
 * $UNIONCARD_PASSPHRASE, a file or the terminal.
 */
#ifndef UNIONCARD_KEYS_H
#define UNIONCARD_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include "unioncard/bankfile.h"
#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Our object identifiers (applets-spec/verdicts.md §6): the union's UUID
 * 07171eeb-ab51-463c-b5d7-7c90701b57b6 under the GUID arc
 * 1.2.840.113556.1.8000.2554, split in groups of 4,4,4,4,4,6,6 hex
 * digits, so that every arc stays below 2^28 and any X.509 library reads
 * them.  UC_OID_LEGACY_ARC is the same UUID as one 128-bit arc under 2.25
 * (ITU-T X.667): never written, still accepted when read.
 */
#define UC_OID_ARC \
	"1.2.840.113556.1.8000.2554.1815.7915.43857.17980.46551.8163440.1791926"
#define UC_OID_LEGACY_ARC "2.25.9424645942167203904415219351383922614"
/* eContentType of the security object (UnionSecurityObject). */
#define UC_OID_SECURITY_OBJECT UC_OID_ARC ".1"
/* Extended key usages. */
#define UC_OID_EKU_DOCUMENT_SIGNER UC_OID_ARC ".2"
#define UC_OID_EKU_STATUS_LIST_SIGNER UC_OID_ARC ".3"
/* Certificate extension: the station name, UTF8String. */
#define UC_OID_EXT_STATION UC_OID_ARC ".4"

/* Shortest passphrase accepted for new keys. */
#define UC_PASSPHRASE_MIN 8
#define UC_PASSPHRASE_MAX 1024

/*
 * Lifetimes (keys/README.md, "Lifetimes"; ICAO 9303-12's rule): a
 * certificate is valid for its signing period plus the longest life of
 * what it signs, and nothing is signed that would outlive it.
 *   card            at most UC_CARD_LIFETIME_MAX_DAYS (5 years)
 *   document signer signs for 3 years: 3 + 5 = 8 years
 *   status list     at most 366 days (status-list export --ttl)
 *   status signer   signs for 3 years: 3 years + 366 days
 *   root            signs signers for 12 years: 12 + 8 = 20 years
 */
#define UC_CARD_LIFETIME_MAX_DAYS 1827          /* 5 years */
#define UC_KEYS_SIGNING_DAYS 1095               /* 3 years */
#define UC_STATUS_LIST_TTL_MAX_DAYS 366
#define UC_KEYS_ROOT_DAYS 7305                  /* 20 years */
#define UC_KEYS_SIGNER_DAYS (UC_KEYS_SIGNING_DAYS + UC_CARD_LIFETIME_MAX_DAYS)
#define UC_KEYS_STATUS_SIGNER_DAYS \
	(UC_KEYS_SIGNING_DAYS + UC_STATUS_LIST_TTL_MAX_DAYS)
#define UC_KEYS_CRL_DAYS 365

/* uc_keys_opts.flags */
#define UC_KEYS_SCP_ENCRYPT 0x1u    /* scp-master.json.p7, not clear JSON */

struct uc_keys_opts {
	const char *station;  /* first station for init; NULL: "station-01" */
	time_t not_before;    /* signer validity start; 0: now */
	unsigned signer_days; /* 0: UC_KEYS_SIGNER_DAYS */
	unsigned root_days;   /* 0: UC_KEYS_ROOT_DAYS */
	unsigned flags;
	uint8_t scp_kvn;      /* 0: 0x30 (48) */
};

/* What a signer is for (its EKU). */
enum uc_purpose {
	UC_PURPOSE_DOCUMENT_SIGNER = 1,
	UC_PURPOSE_STATUS_LIST = 2,
};

/*
 * A station name is 1-32 characters of A-Z a-z 0-9 . _ - and does not start
 * with '.' or '-' (it becomes a file name).  Returns 0 or UC_ERR_INVALID.
 */
UC_API int uc_keys_station_check(const char *station);

/*
 * Create a development hierarchy in DIR (created 0700 if absent):
 * root CA, one document signer for opts->station, the status-list signer,
 * SCP03 master keys and an empty CRL.  UC_ERR_EXISTS if DIR already holds
 * root.pem; UC_ERR_PASSPHRASE if PASSPHRASE is shorter than
 * UC_PASSPHRASE_MIN.  OPTS may be NULL.
 */
UC_API int uc_keys_init(const char *dir, const char *passphrase,
    const struct uc_keys_opts *opts, struct uc_diag *diag);

/*
 * Issue a document signer for STATION: a new key in
 * DIR/signers/<station>.key and its certificate from the root.  PASSPHRASE
 * opens root.key and encrypts the new key.  OPTS (may be NULL) sets the
 * validity.  UC_ERR_EXISTS if the station already has a certificate.
 */
UC_API int uc_keys_new_signer(const char *dir, const char *station,
    const char *passphrase, const struct uc_keys_opts *opts,
    struct uc_diag *diag);

/*
 * Issue a document-signer certificate for a key held elsewhere (an HSM):
 * PUBKEY_PEM is the public key (PEM SubjectPublicKeyInfo); the certificate
 * goes to DIR/signers/<station>.pem and, when CERT_DER_OUT is not NULL,
 * also as DER there (for loading onto the token).
 */
UC_API int uc_keys_certify_signer(const char *dir, const char *station,
    const char *passphrase, const char *pubkey_pem,
    const struct uc_keys_opts *opts, const char *cert_der_out,
    struct uc_diag *diag);

/*
 * Revoke STATION's document signer: add its serial to DIR/root.crl (new
 * CRL number, signed by the root).  UC_ERR_EXISTS if already revoked.
 */
UC_API int uc_keys_revoke_signer(const char *dir, const char *station,
    const char *passphrase, struct uc_diag *diag);

/*
 * Load an encrypted private key (any of ours) to test a passphrase or to
 * sign.  Caller frees *out with EVP_PKEY_free().  UC_ERR_PASSPHRASE if the
 * passphrase is missing or wrong.
 */
UC_API int uc_keys_load_private(const char *path, const char *passphrase,
    EVP_PKEY **out, struct uc_diag *diag);

/* SCP03 static keys of one key version (AES-128). */
struct uc_keys_scp_master {
	uint8_t kvn;
	uint8_t enc[16];
	uint8_t mac[16];
	uint8_t dek[16];
};

/*
 * Read DIR/scp-master.json.p7 (with PASSPHRASE) or else DIR/scp-master.json
 * (PASSPHRASE ignored).  Strict: exactly the four members, 32 hex digits,
 * kvn 1-127.  OUT is wiped on every failure; the caller wipes it after use
 * (OPENSSL_cleanse).
 */
UC_API int uc_keys_load_scp_master(const char *dir, const char *passphrase,
    struct uc_keys_scp_master *out, struct uc_diag *diag);

/*
 * The bank-link key (linked cards): the HMAC key under which the ledger
 * keeps a bank card's PAN (see unioncard/bankfile.h).  uc_keys_init()
 * makes DIR/bank-link.key; uc_keys_new_bank_link() makes one in an older
 * directory (UC_ERR_EXISTS if one is there: it is never replaced).
 * uc_keys_load_bank_link() reads such a file: 16..64 bytes in hex.
 */
#define UC_BANK_LINK_KEY_LEN 32
UC_API int uc_keys_new_bank_link(const char *dir, struct uc_diag *diag);
UC_API int uc_keys_load_bank_link(const char *path,
    uint8_t key[UC_BANK_KEY_MAX], size_t *len, struct uc_diag *diag);

/* What `keys show` prints about one certificate. */
enum uc_cert_role {
	UC_CERT_ROOT = 1,
	UC_CERT_DOCUMENT_SIGNER = 2,
	UC_CERT_STATUS_LIST = 3,
};

struct uc_cert_info {
	enum uc_cert_role role;
	char subject[256];           /* one line, RFC 2253 */
	char station[UC_STATION_MAX + 1];
	char serial_hex[41];
	char sha256_hex[65];         /* fingerprint of the DER */
	time_t not_before;
	time_t not_after;
	int revoked;                 /* listed in DIR/root.crl */
	int key_present;             /* a .key file next to it */
};

/*
 * Describe every certificate in DIR: the root, the status-list signer and
 * the station signers (sorted by name).  *OUT is an array the caller frees
 * with free(); *N its length.
 */
UC_API int uc_keys_list(const char *dir, struct uc_cert_info **out,
    size_t *n, struct uc_diag *diag);

/*
 * The trust store of a verifier: trusted roots and, optionally, their
 * CRLs.  When a CRL is present for a root, revocation is checked and a
 * CRL past its nextUpdate fails the chain.
 */
struct uc_trust;

UC_API int uc_trust_new(struct uc_trust **out);
UC_API void uc_trust_free(struct uc_trust **t);
/* Every certificate in a PEM file; each must be a self-signed CA. */
UC_API int uc_trust_add_roots_file(struct uc_trust *t, const char *path,
    struct uc_diag *diag);
/* The same from memory (PEM or one DER certificate). */
UC_API int uc_trust_add_root_mem(struct uc_trust *t, const uint8_t *p,
    size_t len, struct uc_diag *diag);
/* A CRL (PEM or DER). */
UC_API int uc_trust_add_crl_file(struct uc_trust *t, const char *path,
    struct uc_diag *diag);
/* DIR/root.pem and, if present, DIR/root.crl. */
UC_API int uc_trust_load_dir(struct uc_trust *t, const char *dir,
    struct uc_diag *diag);
/* Number of roots (for tools: refuse to verify against none). */
UC_API size_t uc_trust_root_count(const struct uc_trust *t);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_KEYS_H */
