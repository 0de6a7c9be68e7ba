/*
 * secobj.c - the security object: create it at personalization, verify it
 * at every read.
 *
 * All ASN.1 is OpenSSL's.  Our own content type is declared below with
 * OpenSSL's template macros; the CMS wrapper is OpenSSL's CMS.  Because
 * CMS leaves some fields outside the signature (versions, the SignedData
 * digest list, unsigned attributes), verification also parses the input
 * against a skeleton template of exactly the structure we produce and
 * demands that the input is the DER re-encoding of what was parsed, so
 * that no byte of an accepted object can be changed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "signing_impl.h"

/* ---- UnionSecurityObject (see secobj.h) ---- */

typedef struct {
	ASN1_INTEGER *tag;
	ASN1_OCTET_STRING *hash;
} UC_DO_HASH;

DEFINE_STACK_OF(UC_DO_HASH)

typedef struct {
	ASN1_INTEGER *version;
	X509_ALGOR *hashAlgorithm;
	ASN1_OCTET_STRING *cardSerial;
	STACK_OF(UC_DO_HASH) *hashes;
} UC_SECOBJ;

ASN1_SEQUENCE(UC_DO_HASH) = {
	ASN1_SIMPLE(UC_DO_HASH, tag, ASN1_INTEGER),
	ASN1_SIMPLE(UC_DO_HASH, hash, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(UC_DO_HASH)

ASN1_SEQUENCE(UC_SECOBJ) = {
	ASN1_SIMPLE(UC_SECOBJ, version, ASN1_INTEGER),
	ASN1_SIMPLE(UC_SECOBJ, hashAlgorithm, X509_ALGOR),
	ASN1_SIMPLE(UC_SECOBJ, cardSerial, ASN1_OCTET_STRING),
	ASN1_SEQUENCE_OF(UC_SECOBJ, hashes, UC_DO_HASH),
} static_ASN1_SEQUENCE_END(UC_SECOBJ)

/* ---- skeleton of the CMS we produce, for the fields CMS ignores ---- */

typedef struct {
	ASN1_INTEGER *version;
	STACK_OF(X509_ALGOR) *digestAlgorithms;
	ASN1_TYPE *encap;
	STACK_OF(ASN1_TYPE) *certificates;
	STACK_OF(ASN1_TYPE) *crls;
	STACK_OF(ASN1_TYPE) *signerInfos;
} SD_SKEL;

ASN1_SEQUENCE(SD_SKEL) = {
	ASN1_SIMPLE(SD_SKEL, version, ASN1_INTEGER),
	ASN1_SET_OF(SD_SKEL, digestAlgorithms, X509_ALGOR),
	ASN1_SIMPLE(SD_SKEL, encap, ASN1_ANY),
	ASN1_IMP_SET_OF_OPT(SD_SKEL, certificates, ASN1_ANY, 0),
	ASN1_IMP_SET_OF_OPT(SD_SKEL, crls, ASN1_ANY, 1),
	ASN1_SET_OF(SD_SKEL, signerInfos, ASN1_ANY),
} static_ASN1_SEQUENCE_END(SD_SKEL)

typedef struct {
	ASN1_OBJECT *contentType;
	SD_SKEL *content;
} CI_SKEL;

ASN1_SEQUENCE(CI_SKEL) = {
	ASN1_SIMPLE(CI_SKEL, contentType, ASN1_OBJECT),
	ASN1_EXP(CI_SKEL, content, SD_SKEL, 0),
} static_ASN1_SEQUENCE_END(CI_SKEL)

typedef struct {
	ASN1_INTEGER *version;
	ASN1_TYPE *sid;
	X509_ALGOR *digestAlgorithm;
	STACK_OF(ASN1_TYPE) *signedAttrs;
	X509_ALGOR *signatureAlgorithm;
	ASN1_OCTET_STRING *signature;
	STACK_OF(ASN1_TYPE) *unsignedAttrs;
} SI_SKEL;

ASN1_SEQUENCE(SI_SKEL) = {
	ASN1_SIMPLE(SI_SKEL, version, ASN1_INTEGER),
	ASN1_SIMPLE(SI_SKEL, sid, ASN1_ANY),
	ASN1_SIMPLE(SI_SKEL, digestAlgorithm, X509_ALGOR),
	ASN1_IMP_SET_OF_OPT(SI_SKEL, signedAttrs, ASN1_ANY, 0),
	ASN1_SIMPLE(SI_SKEL, signatureAlgorithm, X509_ALGOR),
	ASN1_SIMPLE(SI_SKEL, signature, ASN1_OCTET_STRING),
	ASN1_IMP_SET_OF_OPT(SI_SKEL, unsignedAttrs, ASN1_ANY, 1),
} static_ASN1_SEQUENCE_END(SI_SKEL)

/* The number of signed attributes we write: type, time, digest. */
#define SIGNED_ATTRS 3

/* ---- helpers ---- */

static int
int_is(const ASN1_INTEGER *ai, int64_t want)
{
	int64_t v;

	return ai != NULL && ASN1_INTEGER_get_int64(&v, ai) == 1 && v == want;
}

/* ALG is NID with absent parameters, as OpenSSL writes SHA-2 and ECDSA. */
static int
alg_is(const X509_ALGOR *alg, int nid)
{
	const ASN1_OBJECT *obj;
	int ptype;
	const void *pval;

	if (alg == NULL)
		return 0;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	return OBJ_obj2nid(obj) == nid && ptype == V_ASN1_UNDEF;
}

static size_t
tag_bytes(unsigned tag, uint8_t out[2])
{
	if (tag <= 0xFF) {
		out[0] = (uint8_t)tag;
		return 1;
	}
	out[0] = (uint8_t)(tag >> 8);
	out[1] = (uint8_t)tag;
	return 2;
}

/* Check one caller item: sane tag, TLV starting with that tag. */
static int
item_ok(const struct uc_secobj_item *it)
{
	uint8_t tb[2];
	size_t tl;

	if (it->tag == 0 || it->tag > UC_SECOBJ_TAG_MAX || it->tlv == NULL)
		return 0;
	tl = tag_bytes(it->tag, tb);
	return it->tlv_len > tl && it->tlv_len <= UC_BUF_MAX &&
	    memcmp(it->tlv, tb, tl) == 0;
}

static int
items_ok(const struct uc_secobj_item *objs, size_t n, int allow_ef)
{
	size_t i, j;

	if (n > 0 && objs == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (!item_ok(&objs[i]))
			return 0;
		if (objs[i].tag == UC_SECOBJ_TAG && !allow_ef)
			return 0;
		for (j = 0; j < i; j++) {
			if (objs[j].tag == objs[i].tag)
				return 0;
		}
	}
	return 1;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct uc_secobj_item *x = a, *y = b;

	return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/* ---- create ---- */

static int
encode_content(const uint8_t *serial, const struct uc_secobj_item *objs,
    size_t n, unsigned char **der, int *der_len)
{
	struct uc_secobj_item sorted[UC_SECOBJ_MAX_OBJECTS];
	UC_SECOBJ *so = NULL;
	UC_DO_HASH *h = NULL;
	uint8_t md[32];
	size_t i;
	int r = UC_ERR_NOMEM;

	*der = NULL;
	memcpy(sorted, objs, n * sizeof(*objs));
	qsort(sorted, n, sizeof(*sorted), cmp_item);
	so = (UC_SECOBJ *)ASN1_item_new(ASN1_ITEM_rptr(UC_SECOBJ));
	if (so == NULL || ASN1_INTEGER_set(so->version, 1) != 1 ||
	    X509_ALGOR_set0(so->hashAlgorithm, OBJ_nid2obj(NID_sha256),
	    V_ASN1_UNDEF, NULL) != 1 ||
	    ASN1_OCTET_STRING_set(so->cardSerial, serial,
	    UC_CARD_SERIAL_LEN) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		if (EVP_Digest(sorted[i].tlv, sorted[i].tlv_len, md, NULL,
		    EVP_sha256(), NULL) != 1) {
			r = UC_ERR_CRYPTO;
			goto out;
		}
		h = (UC_DO_HASH *)ASN1_item_new(ASN1_ITEM_rptr(UC_DO_HASH));
		if (h == NULL || ASN1_INTEGER_set(h->tag,
		    (long)sorted[i].tag) != 1 ||
		    ASN1_OCTET_STRING_set(h->hash, md, sizeof(md)) != 1 ||
		    sk_UC_DO_HASH_push(so->hashes, h) <= 0)
			goto out;
		h = NULL;
	}
	if ((*der_len = ASN1_item_i2d((ASN1_VALUE *)so, der,
	    ASN1_ITEM_rptr(UC_SECOBJ))) <= 0) {
		*der = NULL;
		goto out;
	}
	r = 0;
out:
	ASN1_item_free((ASN1_VALUE *)h, ASN1_ITEM_rptr(UC_DO_HASH));
	ASN1_item_free((ASN1_VALUE *)so, ASN1_ITEM_rptr(UC_SECOBJ));
	return r;
}

int
uc_secobj_create(struct uc_signer *signer, const uint8_t *serial,
    const struct uc_secobj_item *objects, size_t n, struct uc_buf *der_out)
{
	unsigned char *content = NULL, *der = NULL;
	int content_len = 0, der_len;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL;
	const unsigned int flags = CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
	int r;

	if (signer == NULL || serial == NULL || der_out == NULL ||
	    n > UC_SECOBJ_MAX_OBJECTS || !items_ok(objects, n, 0))
		return UC_ERR_ARG;
	if (uc_oid_security_object() == NULL)
		return UC_ERR_INTERNAL;
	if ((r = encode_content(serial, objects, n, &content,
	    &content_len)) != 0)
		goto out;
	r = UC_ERR_CRYPTO;
	ERR_set_mark();
	if ((in = BIO_new_mem_buf(content, content_len)) == NULL ||
	    (cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    CMS_set1_eContentType(cms, uc_oid_security_object()) != 1 ||
	    CMS_add1_signer(cms, signer->cert, signer->pkey, EVP_sha256(),
	    flags) == NULL ||
	    CMS_final(cms, in, NULL, CMS_BINARY) != 1 ||
	    (der_len = i2d_CMS_ContentInfo(cms, &der)) <= 0) {
		ERR_pop_to_mark();
		goto out;
	}
	ERR_pop_to_mark();
	if (der_len > UC_SECOBJ_MAX) {
		r = UC_ERR_TOO_LONG;
		goto out;
	}
	r = uc_signing_buf_set(der_out, der, (size_t)der_len);
out:
	OPENSSL_free(content);
	OPENSSL_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return r;
}

/* ---- verify ---- */

const char *
uc_check_str(enum uc_check c)
{
	switch (c) {
	case UC_CHECK_PASS:
		return "pass";
	case UC_CHECK_FAIL:
		return "FAIL";
	case UC_CHECK_UNDECIDED:
		return "could not check";
	case UC_CHECK_NOT_RUN:
		break;
	}
	return "not run";
}

const char *
uc_secobj_result_station(const struct uc_secobj_result *r)
{
	return r != NULL ? r->station : "";
}

const uint8_t *
uc_secobj_result_hash(const struct uc_secobj_result *r, unsigned tag)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n_hashes; i++) {
		if (r->hashes_listed[i].tag == tag)
			return r->hashes_listed[i].hash;
	}
	return NULL;
}

/* d2i of ITEM from P[LEN] that must consume everything and be DER. */
static ASN1_VALUE *
d2i_strict(const unsigned char *p, size_t len, const ASN1_ITEM *it)
{
	const unsigned char *q = p;
	unsigned char *re = NULL;
	ASN1_VALUE *v;
	int relen;

	if (len == 0 || len > UC_BUF_MAX)
		return NULL;
	v = ASN1_item_d2i(NULL, &q, (long)len, it);
	if (v == NULL)
		return NULL;
	if (q != p + len ||
	    (relen = ASN1_item_i2d(v, &re, it)) <= 0 || (size_t)relen != len ||
	    memcmp(re, p, len) != 0) {
		ASN1_item_free(v, it);
		v = NULL;
	}
	OPENSSL_free(re);
	return v;
}

/* The same for CMS, through its own d2i (which also sets up its context). */
static CMS_ContentInfo *
d2i_cms_strict(const unsigned char *p, size_t len)
{
	const unsigned char *q = p;
	unsigned char *re = NULL;
	CMS_ContentInfo *cms;
	int relen;

	cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	if (cms == NULL)
		return NULL;
	if (q != p + len || (relen = i2d_CMS_ContentInfo(cms, &re)) <= 0 ||
	    (size_t)relen != len || memcmp(re, p, len) != 0) {
		CMS_ContentInfo_free(cms);
		cms = NULL;
	}
	OPENSSL_free(re);
	return cms;
}

/*
 * The fields CMS does not protect must be exactly ours: SignedData v3,
 * one digest algorithm (sha256), one certificate, no CRLs, one SignerInfo
 * v1 with three signed and no unsigned attributes.
 */
static int
check_skeleton(const uint8_t *der, size_t len, int detached,
    struct uc_diag *diag)
{
	CI_SKEL *ci = NULL;
	SI_SKEL *si = NULL;
	SD_SKEL *sd;
	ASN1_TYPE *t;
	int r = UC_ERR_INVALID;

	ci = (CI_SKEL *)d2i_strict(der, len, ASN1_ITEM_rptr(CI_SKEL));
	if (ci == NULL) {
		uc_diag_set(diag, r, NULL, 0, "EF",
		    "not a DER CMS ContentInfo");
		goto out;
	}
	sd = ci->content;
	if (OBJ_obj2nid(ci->contentType) != NID_pkcs7_signed) {
		uc_diag_set(diag, r, NULL, 0, "EF", "not CMS SignedData");
		goto out;
	}
	if (!int_is(sd->version, detached ? 1 : 3) ||
	    sk_X509_ALGOR_num(sd->digestAlgorithms) != 1 ||
	    !alg_is(sk_X509_ALGOR_value(sd->digestAlgorithms, 0),
	    NID_sha256) ||
	    sk_ASN1_TYPE_num(sd->certificates) != 1 || sd->crls != NULL ||
	    sk_ASN1_TYPE_num(sd->signerInfos) != 1) {
		uc_diag_set(diag, r, NULL, 0, "EF",
		    "SignedData is not in the security object's form");
		goto out;
	}
	t = sk_ASN1_TYPE_value(sd->signerInfos, 0);
	if (t->type != V_ASN1_SEQUENCE ||
	    (si = (SI_SKEL *)d2i_strict(t->value.sequence->data,
	    (size_t)t->value.sequence->length,
	    ASN1_ITEM_rptr(SI_SKEL))) == NULL ||
	    !int_is(si->version, 1) ||
	    sk_ASN1_TYPE_num(si->signedAttrs) != SIGNED_ATTRS ||
	    si->unsignedAttrs != NULL ||
	    !alg_is(si->digestAlgorithm, NID_sha256) ||
	    !alg_is(si->signatureAlgorithm, NID_ecdsa_with_SHA256)) {
		uc_diag_set(diag, r, NULL, 0, "EF",
		    "SignerInfo is not in the security object's form");
		goto out;
	}
	r = 0;
out:
	ASN1_item_free((ASN1_VALUE *)si, ASN1_ITEM_rptr(SI_SKEL));
	ASN1_item_free((ASN1_VALUE *)ci, ASN1_ITEM_rptr(CI_SKEL));
	return r;
}

/* The single attribute value of NID among SI's signed attributes. */
static ASN1_TYPE *
signed_attr(CMS_SignerInfo *si, int nid)
{
	X509_ATTRIBUTE *a;
	int idx = CMS_signed_get_attr_by_NID(si, nid, -1);

	if (idx < 0 || CMS_signed_get_attr_by_NID(si, nid, idx) >= 0)
		return NULL;
	a = CMS_signed_get_attr(si, idx);
	if (a == NULL || X509_ATTRIBUTE_count(a) != 1)
		return NULL;
	return X509_ATTRIBUTE_get0_type(a, 0);
}

/*
 * Parse the CMS (after the skeleton check) and hand back the one
 * SignerInfo and its embedded certificate (both borrowed from *CMS).
 */
static int
parse_cms(const uint8_t *der, size_t len, int detached,
    const ASN1_OBJECT *ctype, CMS_ContentInfo **cmsp, CMS_SignerInfo **sip,
    X509 **certp, time_t *signing_time, struct uc_diag *diag)
{
	CMS_ContentInfo *cms;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	ASN1_TYPE *t;
	X509 *cert;
	int r;

	*cmsp = NULL;
	if ((r = check_skeleton(der, len, detached, diag)) != 0)
		return r;
	r = UC_ERR_INVALID;
	if ((cms = d2i_cms_strict(der, len)) == NULL)
		return uc_diag_set(diag, r, NULL, 0, "EF",
		    "CMS does not parse as DER");
	if (!uc_oid_match(CMS_get0_eContentType(cms), ctype)) {
		uc_diag_set(diag, r, NULL, 0, "EF",
		    "unexpected encapsulated content type");
		goto out;
	}
	if (CMS_is_detached(cms) != detached) {
		uc_diag_set(diag, r, NULL, 0, "EF", detached ?
		    "content is embedded; expected a detached signature" :
		    "content is not embedded");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	certs = CMS_get1_certs(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1 || sk_X509_num(certs) != 1) {
		uc_diag_set(diag, r, NULL, 0, "EF",
		    "expected one signer and one certificate");
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	cert = sk_X509_value(certs, 0);
	t = signed_attr(si, NID_pkcs9_contentType);
	if (t == NULL || t->type != V_ASN1_OBJECT ||
	    !uc_oid_match(t->value.object, ctype) ||
	    signed_attr(si, NID_pkcs9_messageDigest) == NULL) {
		uc_diag_set(diag, r, NULL, 0, "EF",
		    "signed attributes malformed");
		goto out;
	}
	t = signed_attr(si, NID_pkcs9_signingTime);
	if (t == NULL || (t->type != V_ASN1_UTCTIME &&
	    t->type != V_ASN1_GENERALIZEDTIME)) {
		uc_diag_set(diag, r, NULL, 0, "EF", "signing time malformed");
		goto out;
	}
	*signing_time = uc_asn1_time_t(t->value.utctime);
	*cmsp = cms;
	*sip = si;
	*certp = cert;   /* the CMS holds a reference too */
	cms = NULL;
	r = 0;
out:
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	return r;
}

/*
 * The SignerInfo names CERT, byte for byte.  CMS_SignerInfo_cert_cmp()
 * compares names in canonical form (case and spaces folded), which would
 * let a changed byte in the unsigned sid through.
 */
static int
sid_is_exactly(CMS_SignerInfo *si, X509 *cert)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *sno = NULL;
	unsigned char *a = NULL, *b = NULL;
	int al, bl, ok = 0;

	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) != 1 ||
	    issuer == NULL || sno == NULL || keyid != NULL)
		return 0;
	if (ASN1_INTEGER_cmp(sno, X509_get0_serialNumber(cert)) != 0)
		return 0;
	al = i2d_X509_NAME(issuer, &a);
	bl = i2d_X509_NAME(X509_get_issuer_name(cert), &b);
	ok = al > 0 && al == bl && memcmp(a, b, (size_t)al) == 0;
	OPENSSL_free(a);
	OPENSSL_free(b);
	return ok;
}

/* The CMS signature itself, by the embedded certificate. */
static int
check_signature(CMS_ContentInfo *cms, CMS_SignerInfo *si, X509 *cert,
    BIO *detached_data, char *detail, size_t cap)
{
	BIO *sink = BIO_new(BIO_s_null());
	int ok;

	detail[0] = '\0';
	if (sink == NULL)
		return UC_ERR_NOMEM;
	if (!sid_is_exactly(si, cert)) {
		BIO_free(sink);
		snprintf(detail, cap, "signer certificate not included");
		return UC_ERR_VERIFY;
	}
	if (!EVP_PKEY_is_a(X509_get0_pubkey(cert), "EC")) {
		BIO_free(sink);
		snprintf(detail, cap, "signer key is not ECDSA");
		return UC_ERR_VERIFY;
	}
	ERR_set_mark();
	ok = CMS_verify(cms, NULL, NULL, detached_data, sink,
	    CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1;
	ERR_pop_to_mark();
	BIO_free(sink);
	if (!ok) {
		snprintf(detail, cap, "signature does not verify");
		return UC_ERR_VERIFY;
	}
	return 0;
}

static void set_fail(enum uc_check *c, char *detail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_fail(enum uc_check *c, char *detail, const char *fmt, ...)
{
	va_list ap;

	*c = UC_CHECK_FAIL;
	va_start(ap, fmt);
	vsnprintf(detail, UC_SECOBJ_DETAIL_MAX, fmt, ap);
	va_end(ap);
}

static void
check_hashes(struct uc_secobj_result *res, const uint8_t *serial,
    const struct uc_secobj_item *objs, size_t n)
{
	char a[2 * UC_CARD_SERIAL_LEN + 1], b[2 * UC_CARD_SERIAL_LEN + 1];
	uint8_t md[32];
	size_t i, j;

	if (CRYPTO_memcmp(res->serial, serial, UC_CARD_SERIAL_LEN) != 0) {
		uc_hex_encode(res->serial, UC_CARD_SERIAL_LEN, a);
		uc_hex_encode(serial, UC_CARD_SERIAL_LEN, b);
		res->hashes = UC_CHECK_FAIL;
		snprintf(res->hashes_detail, sizeof(res->hashes_detail),
		    "security object is for card %s, not %s", a, b);
		return;
	}
	for (i = 0; i < n; i++) {
		if (objs[i].tag == UC_SECOBJ_TAG)
			continue;
		for (j = 0; j < res->n_hashes; j++) {
			if (res->hashes_listed[j].tag == objs[i].tag)
				break;
		}
		if (j == res->n_hashes) {
			set_fail(&res->hashes, res->hashes_detail,
			    "object %02X not covered by the security object",
			    objs[i].tag);
			return;
		}
		if (EVP_Digest(objs[i].tlv, objs[i].tlv_len, md, NULL,
		    EVP_sha256(), NULL) != 1 ||
		    CRYPTO_memcmp(md, res->hashes_listed[j].hash, 32) != 0) {
			set_fail(&res->hashes, res->hashes_detail,
			    "object %02X hash mismatch", objs[i].tag);
			return;
		}
	}
	for (j = 0; j < res->n_hashes; j++) {
		for (i = 0; i < n; i++) {
			if (objs[i].tag == res->hashes_listed[j].tag)
				break;
		}
		if (i == n) {
			set_fail(&res->hashes, res->hashes_detail,
			    "object %02X listed but missing from the card",
			    res->hashes_listed[j].tag);
			return;
		}
	}
	res->hashes = UC_CHECK_PASS;
	snprintf(res->hashes_detail, sizeof(res->hashes_detail),
	    "%zu objects match", res->n_hashes);
}

/* Our content type inside the CMS: parse it into RES. */
static int
parse_content(CMS_ContentInfo *cms, struct uc_secobj_result *res,
    struct uc_diag *diag)
{
	ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
	UC_SECOBJ *so = NULL;
	int i, n, r = UC_ERR_INVALID;
	int64_t tag, prev = 0;

	if (pos == NULL || *pos == NULL)
		return uc_diag_set(diag, r, NULL, 0, "EF", "no content");
	so = (UC_SECOBJ *)d2i_strict(ASN1_STRING_get0_data(*pos),
	    (size_t)ASN1_STRING_length(*pos), ASN1_ITEM_rptr(UC_SECOBJ));
	if (so == NULL)
		return uc_diag_set(diag, r, NULL, 0, "EF",
		    "UnionSecurityObject does not parse as DER");
	if (!int_is(so->version, 1)) {
		uc_diag_set(diag, r, NULL, 0, "version", "must be 1");
		goto out;
	}
	if (!alg_is(so->hashAlgorithm, NID_sha256)) {
		uc_diag_set(diag, r, NULL, 0, "hashAlgorithm",
		    "must be id-sha256 without parameters");
		goto out;
	}
	if (ASN1_STRING_length(so->cardSerial) != UC_CARD_SERIAL_LEN) {
		uc_diag_set(diag, r, NULL, 0, "cardSerial",
		    "must be 8 bytes");
		goto out;
	}
	memcpy(res->serial, ASN1_STRING_get0_data(so->cardSerial),
	    UC_CARD_SERIAL_LEN);
	n = sk_UC_DO_HASH_num(so->hashes);
	if (n < 0 || n > UC_SECOBJ_MAX_OBJECTS) {
		uc_diag_set(diag, r, NULL, 0, "dataObjectHashes",
		    "more than %d entries", UC_SECOBJ_MAX_OBJECTS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		UC_DO_HASH *h = sk_UC_DO_HASH_value(so->hashes, i);

		if (ASN1_INTEGER_get_int64(&tag, h->tag) != 1 || tag <= prev ||
		    tag > UC_SECOBJ_TAG_MAX || tag == UC_SECOBJ_TAG) {
			uc_diag_set(diag, r, NULL, 0, "dataObjectHashes",
			    "tags must ascend, without EF, within 1-FFFF");
			goto out;
		}
		if (ASN1_STRING_length(h->hash) != UC_SECOBJ_HASH_LEN) {
			uc_diag_set(diag, r, NULL, 0, "dataObjectHashes",
			    "hash of tag %02X is not 32 bytes", (unsigned)tag);
			goto out;
		}
		res->hashes_listed[i].tag = (unsigned)tag;
		memcpy(res->hashes_listed[i].hash,
		    ASN1_STRING_get0_data(h->hash), UC_SECOBJ_HASH_LEN);
		prev = tag;
	}
	res->n_hashes = (size_t)n;
	r = 0;
out:
	ASN1_item_free((ASN1_VALUE *)so, ASN1_ITEM_rptr(UC_SECOBJ));
	return r;
}

static void
signer_facts(X509 *cert, struct uc_secobj_result *res)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	if (uc_cert_station(cert, res->station, sizeof(res->station)) != 0)
		res->station[0] = '\0';
	res->signer_not_after = uc_asn1_time_t(X509_get0_notAfter(cert));
	if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
	    XN_FLAG_RFC2253) >= 0 && (n = BIO_get_mem_data(b, &p)) > 0)
		snprintf(res->signer_subject, sizeof(res->signer_subject),
		    "%.*s", (int)n, p);
	BIO_free(b);
}

int
uc_secobj_verify(const uint8_t *der, size_t len,
    const struct uc_trust *trust, time_t check_time,
    const struct uc_secobj_item *objects, size_t n, const uint8_t *serial,
    struct uc_secobj_result *res, struct uc_diag *diag)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si = NULL;
	X509 *cert = NULL;
	int r;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if (der == NULL || trust == NULL || serial == NULL || res == NULL ||
	    n > UC_SECOBJ_MAX_OBJECTS + 1 || !items_ok(objects, n, 1))
		return UC_ERR_ARG;
	if (uc_oid_security_object() == NULL)
		return UC_ERR_INTERNAL;
	if (len == 0 || len > UC_SECOBJ_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "EF",
		    "security object of %zu bytes (1-%d allowed)", len,
		    UC_SECOBJ_MAX);
	/* OpenSSL's error queue is ours to clear: callers see UC_ERR_*. */
	ERR_set_mark();
	if ((r = parse_cms(der, len, 0, uc_oid_security_object(), &cms, &si,
	    &cert, &res->signing_time, diag)) != 0)
		goto out;
	if ((r = parse_content(cms, res, diag)) != 0)
		goto out;
	signer_facts(cert, res);

	check_hashes(res, serial, objects, n);
	res->signature = check_signature(cms, si, cert, NULL,
	    res->signature_detail, sizeof(res->signature_detail)) == 0 ?
	    UC_CHECK_PASS : UC_CHECK_FAIL;
	if (res->signature == UC_CHECK_PASS)
		snprintf(res->signature_detail, sizeof(res->signature_detail),
		    "signed by %.100s", res->signer_subject);
	r = uc_trust_check_cert(trust, cert, check_time,
	    UC_PURPOSE_DOCUMENT_SIGNER, res->chain_detail,
	    sizeof(res->chain_detail), &res->crl_checked);
	res->chain = r == 0 ? UC_CHECK_PASS : r == UC_ERR_STATE ?
	    UC_CHECK_UNDECIDED : UC_CHECK_FAIL;
	if (res->chain == UC_CHECK_PASS)
		snprintf(res->chain_detail, sizeof(res->chain_detail),
		    "document signer of station %s, %s", res->station,
		    res->crl_checked ? "not revoked" :
		    "revocation not checked (no CRL)");
	r = res->hashes == UC_CHECK_PASS && res->signature == UC_CHECK_PASS &&
	    res->chain == UC_CHECK_PASS ? 0 : UC_ERR_VERIFY;
out:
	ERR_pop_to_mark();
	CMS_ContentInfo_free(cms);
	return r;
}

/* ---- detached signatures (the status list) ---- */

int
uc_sign_detached(struct uc_signer *signer, const uint8_t *data, size_t len,
    struct uc_buf *cms_der)
{
	const unsigned int flags = CMS_BINARY | CMS_NOSMIMECAP | CMS_DETACHED |
	    CMS_PARTIAL;
	CMS_ContentInfo *cms = NULL;
	unsigned char *der = NULL;
	BIO *in = NULL;
	int der_len, r = UC_ERR_CRYPTO;

	if (signer == NULL || (data == NULL && len != 0) || cms_der == NULL ||
	    len > UC_BUF_MAX)
		return UC_ERR_ARG;
	ERR_set_mark();
	if ((in = BIO_new_mem_buf(data != NULL ? data : (const uint8_t *)"",
	    (int)len)) == NULL ||
	    (cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    CMS_add1_signer(cms, signer->cert, signer->pkey, EVP_sha256(),
	    flags) == NULL ||
	    CMS_final(cms, in, NULL, CMS_BINARY | CMS_DETACHED) != 1 ||
	    (der_len = i2d_CMS_ContentInfo(cms, &der)) <= 0) {
		ERR_pop_to_mark();
		goto out;
	}
	ERR_pop_to_mark();
	if ((size_t)der_len > UC_DETACHED_SIG_MAX) {
		r = UC_ERR_TOO_LONG;
		goto out;
	}
	r = uc_signing_buf_set(cms_der, der, (size_t)der_len);
out:
	OPENSSL_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return r;
}

int
uc_verify_detached(const uint8_t *cms_der, size_t cms_len,
    const uint8_t *data, size_t data_len, const struct uc_trust *trust,
    time_t check_time, enum uc_purpose purpose, struct uc_diag *diag)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si = NULL;
	X509 *cert = NULL;
	BIO *in = NULL;
	char detail[UC_SECOBJ_DETAIL_MAX];
	time_t st = 0;
	int crl_checked, r;

	if (cms_der == NULL || trust == NULL || (data == NULL &&
	    data_len != 0) || data_len > UC_BUF_MAX ||
	    (purpose != UC_PURPOSE_DOCUMENT_SIGNER &&
	    purpose != UC_PURPOSE_STATUS_LIST))
		return UC_ERR_ARG;
	if (cms_len == 0 || cms_len > UC_DETACHED_SIG_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "signature",
		    "signature of %zu bytes (1-%u allowed)", cms_len,
		    UC_DETACHED_SIG_MAX);
	ERR_set_mark();
	if ((r = parse_cms(cms_der, cms_len, 1, OBJ_nid2obj(NID_pkcs7_data),
	    &cms, &si, &cert, &st, diag)) != 0)
		goto out;
	if ((in = BIO_new_mem_buf(data != NULL ? data : (const uint8_t *)"",
	    (int)data_len)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if ((r = check_signature(cms, si, cert, in, detail,
	    sizeof(detail))) != 0) {
		uc_diag_set(diag, r, NULL, 0, "signature", "%s", detail);
		goto out;
	}
	if ((r = uc_trust_check_cert(trust, cert, check_time, purpose, detail,
	    sizeof(detail), &crl_checked)) != 0) {
		uc_diag_set(diag, r, NULL, 0, "signer", "%s", detail);
		goto out;
	}
	r = 0;
out:
	ERR_pop_to_mark();
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return r;
}
