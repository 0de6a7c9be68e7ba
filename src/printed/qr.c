/*
 * qr.c - the printed card's signed QR code (unioncard/printed.h,
 * applets-spec/printed-card.md): the card's claims as CBOR, signed as a
 * COSE_Sign1 with ES256 by the station's document signer, in base45
 * behind the prefix "UC1:".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "unioncard/printed.h"
#include "unioncard/text.h"

#include "printed/cbor.h"
#include "printed/printed_priv.h"

#define COSE_TAG_SIGN1 18
#define COSE_HDR_ALG 1
#define COSE_HDR_KID 4
#define COSE_ALG_ES256 7 /* as -1 - 6 = -7 */
#define N_CLAIMS 7
/* Largest signers file read, and most signers held. */
#define SIGNERS_FILE_MAX (1024L * 1024L)
#define SIGNERS_MAX 1024

static const char *const claim_names[N_CLAIMS + 1] = {
	"", "member_code", "full_name", "unit_code", "card_serial",
	"card_type", "issued_on", "expires_on",
};

/* --- claims: one set of rules for making and for reading ----------- */

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
unit_code_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > UC_MEMBER_UNIT_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* Text without control characters, valid UTF-8, 1..max bytes. */
static int
name_ok(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max || uc_text_utf8_check(s, n, NULL) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return 0;
	return 1;
}

static int
bad_claim(struct uc_diag *diag, int key, const char *why)
{
	return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, claim_names[key],
	    "%s", why);
}

/* Check the claims of M (a card's fields).  0 or UC_ERR_INVALID. */
static int
claims_check(const struct uc_member *m, struct uc_diag *diag)
{
	size_t n;

	n = strlen(m->member_code);
	if (n == 0 || n > UC_MEMBER_CODE_MAX || !all_digits(m->member_code, n))
		return bad_claim(diag, UC_QR_MEMBER_CODE,
		    "want 1-20 ASCII digits");
	if (!name_ok(m->full_name, strlen(m->full_name), UC_MEMBER_NAME_MAX))
		return bad_claim(diag, UC_QR_FULL_NAME, "want 1-128 bytes of "
		    "UTF-8 without control characters");
	if (!unit_code_ok(m->unit_code, strlen(m->unit_code)))
		return bad_claim(diag, UC_QR_UNIT_CODE,
		    "want 1-32 of A-Z 0-9 . - _");
	if (strlen(m->card_serial) != UC_MEMBER_CARD_SERIAL_LEN ||
	    !all_digits(m->card_serial, UC_MEMBER_CARD_SERIAL_LEN))
		return bad_claim(diag, UC_QR_CARD_SERIAL,
		    "want the ledger's card serial, 11 digits");
	if (m->card_type != UC_CARD_TYPE_REGULAR &&
	    m->card_type != UC_CARD_TYPE_LINKED)
		return bad_claim(diag, UC_QR_CARD_TYPE, "want 1 (regular) or "
		    "2 (linked)");
	if (!uc_member_date_valid(m->issued_on))
		return bad_claim(diag, UC_QR_ISSUED_ON, "not a date");
	if (!uc_member_date_valid(m->expires_on))
		return bad_claim(diag, UC_QR_EXPIRES_ON, "not a date");
	if (strcmp(m->expires_on, m->issued_on) < 0)
		return bad_claim(diag, UC_QR_EXPIRES_ON,
		    "before the issue date");
	return 0;
}

static uint64_t
date_num(const char *d)
{
	return (uint64_t)strtoul(d, NULL, 10);
}

/* The CardClaims map of M into B. */
static int
claims_encode(const struct uc_member *m, struct uc_buf *b)
{
	int r;

	if ((r = uc_cbor_put_head(b, CBOR_MAP, N_CLAIMS)) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_MEMBER_CODE)) != 0 ||
	    (r = uc_cbor_put_tstr(b, m->member_code,
	    strlen(m->member_code))) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_FULL_NAME)) != 0 ||
	    (r = uc_cbor_put_tstr(b, m->full_name,
	    strlen(m->full_name))) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_UNIT_CODE)) != 0 ||
	    (r = uc_cbor_put_tstr(b, m->unit_code,
	    strlen(m->unit_code))) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_CARD_SERIAL)) != 0 ||
	    (r = uc_cbor_put_tstr(b, m->card_serial,
	    strlen(m->card_serial))) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_CARD_TYPE)) != 0 ||
	    (r = uc_cbor_put_uint(b, m->card_type)) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_ISSUED_ON)) != 0 ||
	    (r = uc_cbor_put_uint(b, date_num(m->issued_on))) != 0 ||
	    (r = uc_cbor_put_uint(b, UC_QR_EXPIRES_ON)) != 0 ||
	    (r = uc_cbor_put_uint(b, date_num(m->expires_on))) != 0)
		return r;
	return 0;
}

/* --- ES256 ---------------------------------------------------------- */

int
uc_qr_tbs_digest(const uint8_t *protected_hdr, size_t protected_len,
    const uint8_t *payload, size_t payload_len, uint8_t digest[32])
{
	struct uc_buf b = UC_BUF_INIT;
	int r;

	if ((protected_hdr == NULL && protected_len != 0) ||
	    (payload == NULL && payload_len != 0) || digest == NULL)
		return UC_ERR_ARG;
	/* Sig_structure = ["Signature1", protected, external_aad, payload] */
	if ((r = uc_cbor_put_head(&b, CBOR_ARRAY, 4)) != 0 ||
	    (r = uc_cbor_put_tstr(&b, "Signature1", 10)) != 0 ||
	    (r = uc_cbor_put_bstr(&b, protected_hdr, protected_len)) != 0 ||
	    (r = uc_cbor_put_bstr(&b, NULL, 0)) != 0 ||
	    (r = uc_cbor_put_bstr(&b, payload, payload_len)) != 0)
		goto out;
	r = EVP_Digest(b.data, b.len, digest, NULL, EVP_sha256(), NULL) == 1 ?
	    0 : UC_ERR_CRYPTO;
out:
	uc_buf_free(&b);
	return r;
}

/* DER ECDSA-Sig-Value -> r || s. */
static int
sig_der_to_raw(const uint8_t *der, size_t len, uint8_t raw[UC_QR_SIG_LEN])
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *br, *bs;
	int r = UC_ERR_CRYPTO;

	if (s == NULL)
		return UC_ERR_CRYPTO;
	ECDSA_SIG_get0(s, &br, &bs);
	if (BN_bn2binpad(br, raw, 32) == 32 &&
	    BN_bn2binpad(bs, raw + 32, 32) == 32)
		r = 0;
	ECDSA_SIG_free(s);
	return r;
}

int
uc_qr_es256_verify(EVP_PKEY *pkey, const uint8_t digest[32],
    const uint8_t sig[UC_QR_SIG_LEN])
{
	ECDSA_SIG *s = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int len, r = UC_ERR_VERIFY;

	if (pkey == NULL || digest == NULL || sig == NULL)
		return UC_ERR_ARG;
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    EVP_PKEY_get_bits(pkey) != 256)
		return UC_ERR_VERIFY;
	if ((s = ECDSA_SIG_new()) == NULL ||
	    (br = BN_bin2bn(sig, 32, NULL)) == NULL ||
	    (bs = BN_bin2bn(sig + 32, 32, NULL)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if (ECDSA_SIG_set0(s, br, bs) != 1)
		goto out;
	br = bs = NULL;
	if ((len = i2d_ECDSA_SIG(s, &der)) <= 0)
		goto out;
	ERR_set_mark();
	if ((ctx = EVP_PKEY_CTX_new(pkey, NULL)) != NULL &&
	    EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_verify(ctx, der, (size_t)len, digest, 32) == 1)
		r = 0;
	ERR_pop_to_mark();
out:
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(s);
	return r;
}

/* --- making a code -------------------------------------------------- */

int
uc_qr_make(struct uc_signer *signer, const struct uc_member *m,
    struct uc_buf *out, struct uc_diag *diag)
{
	struct uc_buf prot = UC_BUF_INIT, pay = UC_BUF_INIT, cose = UC_BUF_INIT;
	struct uc_buf der = UC_BUF_INIT;
	const ASN1_OCTET_STRING *ski;
	uint8_t digest[32], raw[UC_QR_SIG_LEN];
	X509 *cert;
	char *text = NULL;
	size_t cap, n;
	int r;

	uc_diag_clear(diag);
	if (signer == NULL || m == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((r = claims_check(m, diag)) != 0)
		return r;
	cert = uc_signer_cert_ptr(signer);
	ski = cert != NULL ? X509_get0_subject_key_id(cert) : NULL;
	if (ski == NULL || ASN1_STRING_length(ski) <= 0 ||
	    ASN1_STRING_length(ski) > UC_QR_KID_MAX)
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "kid",
		    "the signer's certificate has no subjectKeyIdentifier");
	if ((r = uc_cbor_put_head(&prot, CBOR_MAP, 2)) != 0 ||
	    (r = uc_cbor_put_uint(&prot, COSE_HDR_ALG)) != 0 ||
	    (r = uc_cbor_put_nint(&prot, COSE_ALG_ES256 - 1)) != 0 ||
	    (r = uc_cbor_put_uint(&prot, COSE_HDR_KID)) != 0 ||
	    (r = uc_cbor_put_bstr(&prot, ASN1_STRING_get0_data(ski),
	    (size_t)ASN1_STRING_length(ski))) != 0 ||
	    (r = claims_encode(m, &pay)) != 0)
		goto out;
	if (pay.len > UC_QR_PAYLOAD_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "payload",
		    "%zu bytes, more than %u", pay.len, UC_QR_PAYLOAD_MAX);
		goto out;
	}
	if ((r = uc_qr_tbs_digest(prot.data, prot.len, pay.data, pay.len,
	    digest)) != 0 ||
	    (r = uc_signer_sign_digest(signer, digest, sizeof(digest),
	    &der)) != 0 ||
	    (r = sig_der_to_raw(der.data, der.len, raw)) != 0)
		goto out;
	if ((r = uc_cbor_put_head(&cose, CBOR_TAG, COSE_TAG_SIGN1)) != 0 ||
	    (r = uc_cbor_put_head(&cose, CBOR_ARRAY, 4)) != 0 ||
	    (r = uc_cbor_put_bstr(&cose, prot.data, prot.len)) != 0 ||
	    (r = uc_cbor_put_head(&cose, CBOR_MAP, 0)) != 0 ||
	    (r = uc_cbor_put_bstr(&cose, pay.data, pay.len)) != 0 ||
	    (r = uc_cbor_put_bstr(&cose, raw, sizeof(raw))) != 0)
		goto out;
	cap = UC_QR_PREFIX_LEN + UC_BASE45_ENCODED_LEN(cose.len) + 1;
	if ((text = malloc(cap)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	memcpy(text, UC_QR_PREFIX, UC_QR_PREFIX_LEN);
	if ((r = uc_base45_encode(cose.data, cose.len, text + UC_QR_PREFIX_LEN,
	    cap - UC_QR_PREFIX_LEN, &n)) != 0)
		goto out;
	uc_buf_reset(out);
	if ((r = uc_buf_append(out, text, UC_QR_PREFIX_LEN + n + 1)) != 0)
		goto out;
	out->len--; /* the NUL stays behind the text */
	r = 0;
out:
	free(text);
	uc_buf_free(&prot);
	uc_buf_free(&pay);
	uc_buf_free(&cose);
	uc_buf_free(&der);
	OPENSSL_cleanse(digest, sizeof(digest));
	return r;
}

/* --- reading a code ------------------------------------------------- */

static int
bad(struct uc_diag *diag, const char *field, const char *why)
{
	return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, field, "%s", why);
}

/* A text claim: KEY then a tstr of 1..CAP-1 bytes copied into OUT. */
static int
get_text(struct uc_cbor *c, int key, char *out, size_t cap,
    struct uc_diag *diag)
{
	const uint8_t *p;
	uint64_t k;
	size_t n;

	if (uc_cbor_get_uint(c, &k) != 0 || k != (uint64_t)key)
		return bad_claim(diag, key, "missing, or the claims are out "
		    "of key order");
	if (uc_cbor_get_str(c, CBOR_TSTR, cap - 1, &p, &n) != 0)
		return bad_claim(diag, key, "want a text string within the "
		    "field's limit");
	memcpy(out, p, n);
	out[n] = '\0';
	if (memchr(out, '\0', n) != NULL)
		return bad_claim(diag, key, "contains a NUL");
	return 0;
}

static int
get_date(struct uc_cbor *c, int key, char out[9], struct uc_diag *diag)
{
	uint64_t k, v;

	if (uc_cbor_get_uint(c, &k) != 0 || k != (uint64_t)key)
		return bad_claim(diag, key, "missing, or the claims are out "
		    "of key order");
	if (uc_cbor_get_uint(c, &v) != 0 || v < 19000101 || v > 99991231)
		return bad_claim(diag, key, "want an unsigned YYYYMMDD");
	snprintf(out, 9, "%08u", (unsigned)v);
	return 0;
}

static int
claims_decode(const uint8_t *p, size_t n, struct uc_qr *q,
    struct uc_diag *diag)
{
	struct uc_cbor c = { p, p + n };
	struct uc_member m;
	uint64_t v, k;
	int r;

	if (uc_cbor_get_expect(&c, CBOR_MAP, &v) != 0 || v != N_CLAIMS)
		return bad(diag, "payload", "want a map of the 7 claims");
	if ((r = get_text(&c, UC_QR_MEMBER_CODE, q->member_code,
	    sizeof(q->member_code), diag)) != 0 ||
	    (r = get_text(&c, UC_QR_FULL_NAME, q->full_name,
	    sizeof(q->full_name), diag)) != 0 ||
	    (r = get_text(&c, UC_QR_UNIT_CODE, q->unit_code,
	    sizeof(q->unit_code), diag)) != 0 ||
	    (r = get_text(&c, UC_QR_CARD_SERIAL, q->card_serial,
	    sizeof(q->card_serial), diag)) != 0)
		return r;
	if (uc_cbor_get_uint(&c, &k) != 0 || k != UC_QR_CARD_TYPE ||
	    uc_cbor_get_uint(&c, &v) != 0 || v > 0xFF)
		return bad_claim(diag, UC_QR_CARD_TYPE, "want 1 or 2");
	q->card_type = (uint8_t)v;
	if ((r = get_date(&c, UC_QR_ISSUED_ON, q->issued_on, diag)) != 0 ||
	    (r = get_date(&c, UC_QR_EXPIRES_ON, q->expires_on, diag)) != 0)
		return r;
	if (c.p != c.end)
		return bad(diag, "payload", "bytes after the claims");
	memset(&m, 0, sizeof(m));
	memcpy(m.member_code, q->member_code, sizeof(m.member_code));
	memcpy(m.full_name, q->full_name, sizeof(m.full_name));
	memcpy(m.unit_code, q->unit_code, sizeof(m.unit_code));
	memcpy(m.card_serial, q->card_serial, sizeof(m.card_serial));
	m.card_type = q->card_type;
	memcpy(m.issued_on, q->issued_on, sizeof(m.issued_on));
	memcpy(m.expires_on, q->expires_on, sizeof(m.expires_on));
	return claims_check(&m, diag);
}

static int
protected_decode(const uint8_t *p, size_t n, struct uc_qr *q,
    struct uc_diag *diag)
{
	struct uc_cbor c = { p, p + n };
	const uint8_t *kid;
	uint64_t v;
	int64_t alg;
	size_t kn;

	if (uc_cbor_get_expect(&c, CBOR_MAP, &v) != 0 || v != 2 ||
	    uc_cbor_get_uint(&c, &v) != 0 || v != COSE_HDR_ALG ||
	    uc_cbor_get_int(&c, &alg) != 0 ||
	    uc_cbor_get_uint(&c, &v) != 0 || v != COSE_HDR_KID)
		return bad(diag, "protected", "want exactly {1: alg, 4: kid}");
	if (alg != -COSE_ALG_ES256)
		return bad(diag, "alg", "not ES256 (-7)");
	if (uc_cbor_get_str(&c, CBOR_BSTR, UC_QR_KID_MAX, &kid, &kn) != 0 ||
	    kn == 0)
		return bad(diag, "kid", "want a byte string of 1-32 bytes");
	if (c.p != c.end)
		return bad(diag, "protected", "bytes after the header");
	memcpy(q->kid, kid, kn);
	q->kid_len = kn;
	return 0;
}

int
uc_qr_parse(const char *text, size_t len, struct uc_qr *out,
    struct uc_diag *diag)
{
	uint8_t cose[UC_QR_COSE_MAX];
	struct uc_cbor c;
	const uint8_t *p;
	uint64_t v;
	size_t n;
	int r;

	uc_diag_clear(diag);
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if ((text == NULL && len != 0) || out == NULL)
		return UC_ERR_ARG;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len > UC_QR_TEXT_MAX)
		return bad(diag, "text", "longer than a card's code can be");
	if (len < UC_QR_PREFIX_LEN ||
	    memcmp(text, UC_QR_PREFIX, UC_QR_PREFIX_LEN) != 0)
		return bad(diag, "prefix", "does not start with \"UC1:\": not "
		    "a union card's code");
	r = uc_base45_decode(text + UC_QR_PREFIX_LEN, len - UC_QR_PREFIX_LEN,
	    cose, sizeof(cose), &n);
	if (r == UC_ERR_BUFFER)
		return bad(diag, "base45", "longer than a card's code can be");
	if (r != 0)
		return bad(diag, "base45", "not base45 (a misread, or not "
		    "ours)");
	c.p = cose;
	c.end = cose + n;
	if (uc_cbor_get_expect(&c, CBOR_TAG, &v) != 0 || v != COSE_TAG_SIGN1)
		return bad(diag, "COSE_Sign1", "want tag 18");
	if (uc_cbor_get_expect(&c, CBOR_ARRAY, &v) != 0 || v != 4)
		return bad(diag, "COSE_Sign1", "want an array of 4");
	if (uc_cbor_get_str(&c, CBOR_BSTR, UC_QR_PROTECTED_MAX, &p, &n) != 0)
		return bad(diag, "protected", "want a short byte string");
	memcpy(out->protected_hdr, p, n);
	out->protected_len = n;
	if ((r = protected_decode(p, n, out, diag)) != 0)
		return r;
	if (uc_cbor_get_expect(&c, CBOR_MAP, &v) != 0 || v != 0)
		return bad(diag, "unprotected", "want an empty map");
	if (uc_cbor_get_str(&c, CBOR_BSTR, UC_QR_PAYLOAD_MAX, &p, &n) != 0)
		return bad(diag, "payload", "want a byte string");
	memcpy(out->payload, p, n);
	out->payload_len = n;
	if ((r = claims_decode(p, n, out, diag)) != 0)
		return r;
	if (uc_cbor_get_str(&c, CBOR_BSTR, UC_QR_SIG_LEN, &p, &n) != 0 ||
	    n != UC_QR_SIG_LEN)
		return bad(diag, "signature", "want 64 bytes (r || s)");
	memcpy(out->sig, p, n);
	if (c.p != c.end)
		return bad(diag, "COSE_Sign1", "bytes after the message");
	return 0;
}

/* --- the document signers a verifier knows -------------------------- */

struct uc_qr_signers {
	STACK_OF(X509) *certs;
};

int
uc_qr_signers_new(struct uc_qr_signers **out)
{
	struct uc_qr_signers *s;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->certs = sk_X509_new_null()) == NULL) {
		free(s);
		return UC_ERR_NOMEM;
	}
	*out = s;
	return 0;
}

void
uc_qr_signers_free(struct uc_qr_signers **s)
{
	if (s == NULL || *s == NULL)
		return;
	sk_X509_pop_free((*s)->certs, X509_free);
	free(*s);
	*s = NULL;
}

size_t
uc_qr_signers_count(const struct uc_qr_signers *s)
{
	return s == NULL ? 0 : (size_t)sk_X509_num(s->certs);
}

/* Every PEM certificate BIO holds; NAME for diagnostics. */
static int
add_bio(struct uc_qr_signers *s, BIO *bio, const char *path,
    struct uc_diag *diag)
{
	X509 *x;
	int n = 0, r = 0;

	ERR_set_mark();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_num(s->certs) >= SIGNERS_MAX ||
		    !sk_X509_push(s->certs, x)) {
			X509_free(x);
			r = uc_diag_set(diag, UC_ERR_RANGE, path, 0, NULL,
			    "more than %d signer certificates", SIGNERS_MAX);
			break;
		}
		n++;
	}
	ERR_pop_to_mark();
	if (r == 0 && n == 0)
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "no PEM certificate in it");
	return r;
}

int
uc_qr_signers_add_pem(struct uc_qr_signers *s, const char *pem, size_t len,
    struct uc_diag *diag)
{
	BIO *bio;
	int r;

	uc_diag_clear(diag);
	if (s == NULL || pem == NULL || len > SIGNERS_FILE_MAX)
		return UC_ERR_ARG;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return UC_ERR_NOMEM;
	r = add_bio(s, bio, NULL, diag);
	BIO_free(bio);
	return r;
}

static int
add_file(struct uc_qr_signers *s, const char *path, struct uc_diag *diag)
{
	struct stat st;
	BIO *bio;
	int r;

	if (stat(path, &st) != 0)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	if (st.st_size > SIGNERS_FILE_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "larger than %ld bytes", SIGNERS_FILE_MAX);
	if ((bio = BIO_new_file(path, "r")) == NULL)
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL,
		    "cannot open");
	r = add_bio(s, bio, path, diag);
	BIO_free(bio);
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
uc_qr_signers_add_path(struct uc_qr_signers *s, const char *path,
    struct uc_diag *diag)
{
	struct dirent *e;
	struct stat st;
	char **names = NULL, full[4096];
	size_t n = 0, i, len;
	DIR *d;
	int r = 0;

	uc_diag_clear(diag);
	if (s == NULL || path == NULL)
		return UC_ERR_ARG;
	if (stat(path, &st) != 0)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return add_file(s, path, diag);
	if ((d = opendir(path)) == NULL)
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char **grown;

		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".pem") != 0)
			continue;
		if (n >= SIGNERS_MAX || (grown = realloc(names, (n + 1) *
		    sizeof(*names))) == NULL) {
			r = n >= SIGNERS_MAX ? UC_ERR_RANGE : UC_ERR_NOMEM;
			break;
		}
		names = grown;
		if ((names[n] = strdup(e->d_name)) == NULL) {
			r = UC_ERR_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r == 0 && n == 0)
		r = uc_diag_set(diag, UC_ERR_NOT_FOUND, path, 0, NULL,
		    "no *.pem certificate in this directory");
	if (r == 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; r == 0 && i < n; i++) {
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path,
		    names[i]) >= sizeof(full))
			r = uc_diag_set(diag, UC_ERR_RANGE, path, 0, NULL,
			    "path too long");
		else
			r = add_file(s, full, diag);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

X509 *
uc_qr_signers_find(const struct uc_qr_signers *s, const uint8_t *kid,
    size_t kid_len)
{
	int i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < sk_X509_num(s->certs); i++) {
		X509 *x = sk_X509_value(s->certs, i);
		const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);

		if (ski != NULL && (size_t)ASN1_STRING_length(ski) == kid_len &&
		    memcmp(ASN1_STRING_get0_data(ski), kid, kid_len) == 0)
			return x;
	}
	return NULL;
}
