/*
 * unioncard/secobj.h - the card's signed record (data object EF) and
 * detached signatures over other files (the status list).
 *
 * The security object binds a card's data objects to the issuer, like
 * ICAO's EF.SOD: it lists the SHA-256 of the COMPLETE TLV encoding (tag,
 * length, contents - exactly what GET DATA returns) of every other object,
 * and is signed by a station's document signer.
 *
 *   UnionSecurityObject ::= SEQUENCE {
 *       version          INTEGER (1),
 *       hashAlgorithm    AlgorithmIdentifier,  -- id-sha256, no parameters
 *       cardSerial       OCTET STRING (SIZE(8)),
 *       dataObjectHashes SEQUENCE OF DataObjectHash }  -- ascending tag
 *   DataObjectHash ::= SEQUENCE {
 *       tag  INTEGER,                  -- e.g. 225 for E1
 *       hash OCTET STRING (SIZE(32)) }
 *
 * wrapped in a DER CMS ContentInfo / SignedData with eContentType
 * UC_OID_SECURITY_OBJECT, the content embedded, exactly the signer's
 * certificate embedded, one SignerInfo (issuerAndSerialNumber,
 * sha256, ecdsa-with-SHA256, signed attributes content-type,
 * message-digest and signing-time) and nothing else.  The full
 * description is applets-spec/security-object.md.
 *
 * Verification reports three outcomes separately, so that a verifier can
 * say WHICH check failed:
 *   hashes     the card's objects match the list: every object present is
 *              listed with the right hash, nothing listed is missing, and
 *              the object is for this card serial;
 *   signature  the CMS signature by the embedded certificate is valid;
 *   chain      that certificate chains to a trusted root, is valid at the
 *              check time, has digitalSignature and the document-signer
 *              EKU, and is not revoked by the trust store's CRL.
 * Anything that does not parse as exactly our DER structure is refused as
 * UC_ERR_INVALID before any check runs.
 */
#ifndef UNIONCARD_SECOBJ_H
#define UNIONCARD_SECOBJ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, from the applet spec: EF holds at most 3072 bytes of contents. */
#define UC_SECOBJ_MAX 3072
#define UC_SECOBJ_MAX_OBJECTS 16
#define UC_SECOBJ_TAG_MAX 0xFFFFu
#define UC_CARD_SERIAL_LEN 8
#define UC_SECOBJ_HASH_LEN 32
/* The security object's own tag: never hashed, ignored among objects[]. */
#define UC_SECOBJ_TAG 0xEFu

/*
 * One data object as read from (or about to be written to) the card.
 * TAG is the tag as a number (0xE1); TLV is its complete encoding, which
 * must start with that tag's bytes.  Borrowed.
 */
struct uc_secobj_item {
	unsigned tag;
	const uint8_t *tlv;
	size_t tlv_len;
};

/*
 * Sign the security object for card SERIAL over OBJECTS (any order; at most
 * UC_SECOBJ_MAX_OBJECTS, distinct tags, not EF).  The DER ContentInfo
 * replaces the contents of DER_OUT; it is the value to store in EF.
 * UC_ERR_ARG for bad objects, UC_ERR_TOO_LONG if it would exceed
 * UC_SECOBJ_MAX, UC_ERR_CRYPTO if signing fails.
 */
UC_API int uc_secobj_create(struct uc_signer *signer, const uint8_t *serial,
    const struct uc_secobj_item *objects, size_t n, struct uc_buf *der_out);

enum uc_check {
	UC_CHECK_NOT_RUN = 0,
	UC_CHECK_PASS = 1,
	UC_CHECK_FAIL = 2,
	/* The verifier's own data cannot decide (chain: the root's CRL is
	 * out of its validity window): neither pass nor fail. */
	UC_CHECK_UNDECIDED = 3,
};

#define UC_SECOBJ_DETAIL_MAX 128

struct uc_secobj_hash {
	unsigned tag;
	uint8_t hash[UC_SECOBJ_HASH_LEN];
};

/* Filled by uc_secobj_verify (cleared on entry).  Plain data, no secrets. */
struct uc_secobj_result {
	enum uc_check hashes;
	enum uc_check signature;
	enum uc_check chain;
	char hashes_detail[UC_SECOBJ_DETAIL_MAX];
	char signature_detail[UC_SECOBJ_DETAIL_MAX];
	char chain_detail[UC_SECOBJ_DETAIL_MAX];
	/* From the security object (valid once it parsed). */
	uint8_t serial[UC_CARD_SERIAL_LEN];
	size_t n_hashes;
	struct uc_secobj_hash hashes_listed[UC_SECOBJ_MAX_OBJECTS];
	/* From the signer certificate and the signed attributes. */
	char station[UC_STATION_MAX + 1];
	char signer_subject[256];
	time_t signer_not_after;
	time_t signing_time;      /* 0 if absent */
	int crl_checked;          /* a CRL for the root was consulted */
};

/*
 * Parse and verify the security object DER[LEN] (at most UC_SECOBJ_MAX)
 * against TRUST at CHECK_TIME (0: now), for the card SERIAL whose objects
 * OBJECTS[N] were read back (an EF item among them is ignored).
 * Returns 0 when all three checks pass, UC_ERR_VERIFY when any failed (see
 * RESULT for which and why), UC_ERR_INVALID (+ DIAG) when DER is not a
 * well-formed security object, UC_ERR_ARG for bad arguments.
 */
UC_API int uc_secobj_verify(const uint8_t *der, size_t len,
    const struct uc_trust *trust, time_t check_time,
    const struct uc_secobj_item *objects, size_t n, const uint8_t *serial,
    struct uc_secobj_result *result, struct uc_diag *diag);

/* Text of a check ("pass", "FAIL", "not run"); static storage. */
UC_API const char *uc_check_str(enum uc_check c);

/* Accessors over a result (for bindings; the fields are public too). */
UC_API const char *uc_secobj_result_station(const struct uc_secobj_result *r);
/* The listed hash for TAG, or NULL. */
UC_API const uint8_t *uc_secobj_result_hash(const struct uc_secobj_result *r,
    unsigned tag);

/* Largest detached signature and signed data accepted by the verifier. */
#define UC_DETACHED_SIG_MAX (16u * 1024u)

/*
 * Detached CMS SignedData (DER, id-data, signer certificate embedded,
 * signed attributes) over DATA[LEN]; replaces the contents of CMS_DER.
 */
UC_API int uc_sign_detached(struct uc_signer *signer, const uint8_t *data,
    size_t len, struct uc_buf *cms_der);

/*
 * Verify a detached signature over DATA: signature valid, signer chains to
 * TRUST at CHECK_TIME (0: now), not revoked, and carries the EKU of
 * PURPOSE.  0, UC_ERR_VERIFY (DIAG says why) or UC_ERR_INVALID.
 */
UC_API int uc_verify_detached(const uint8_t *cms, size_t cms_len,
    const uint8_t *data, size_t data_len, const struct uc_trust *trust,
    time_t check_time, enum uc_purpose purpose, struct uc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_SECOBJ_H */
