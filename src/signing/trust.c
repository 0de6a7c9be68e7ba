/*
 * trust.c - the verifier's side of the hierarchy: trusted roots, CRLs, and
 * the one certificate check that both the security object and detached
 * signatures use (chain, time, key usage, EKU, revocation).
 *
 * The check is remembered: a station reads back card after card signed by
 * its one signer, a field officer's verifier sees a few stations' signers.
 * Building the X509 store and verifying the chain and the CRL for every
 * card cost ~40% of the station's read-back, so the store is built as
 * roots and CRLs are added, and a certificate that passed for a purpose
 * is not checked again while the time checked at stays inside the window
 * in which every part of that decision holds (the signer's, its root's
 * and its CRLs' validity).  Failures are not remembered: they are checked
 * afresh each time, with their reasons.  Adding a root or a CRL forgets
 * everything.
 *
 * Also the module's small shared helpers: our OIDs and certificate fields.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "signing_impl.h"

/* Bounds on what a trust store will read. */
#define TRUST_FILE_MAX (1024L * 1024L)
#define TRUST_ROOTS_MAX 64
/* Signer certificates remembered at once (then the oldest goes). */
#define TRUST_MEMO_MAX 32

/* One decision that passed: cert for purpose, while from <= t < until
 * (OpenSSL: a certificate is expired at its notAfter). */
struct memo_entry {
	X509 *cert; /* up-referenced */
	enum uc_purpose purpose;
	time_t from, until;
	int crl_checked;
};

struct trust_memo {
	pthread_mutex_t lock;
	struct memo_entry e[TRUST_MEMO_MAX];
	size_t n, next;
};

static void
memo_forget(struct trust_memo *m)
{
	size_t i;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n; i++) {
		X509_free(m->e[i].cert);
		m->e[i].cert = NULL;
	}
	m->n = m->next = 0;
	pthread_mutex_unlock(&m->lock);
}

static CRYPTO_ONCE oid_once = CRYPTO_ONCE_STATIC_INIT;
static ASN1_OBJECT *oid_secobj, *oid_eku_doc, *oid_eku_status, *oid_station;
/* The same four under the legacy arc, in that order. */
static ASN1_OBJECT *oid_legacy[4];
static int oid_ok;

static void
oid_init(void)
{
	int i;

	oid_secobj = OBJ_txt2obj(UC_OID_SECURITY_OBJECT, 1);
	oid_eku_doc = OBJ_txt2obj(UC_OID_EKU_DOCUMENT_SIGNER, 1);
	oid_eku_status = OBJ_txt2obj(UC_OID_EKU_STATUS_LIST_SIGNER, 1);
	oid_station = OBJ_txt2obj(UC_OID_EXT_STATION, 1);
	oid_legacy[0] = OBJ_txt2obj(UC_OID_LEGACY_ARC ".1", 1);
	oid_legacy[1] = OBJ_txt2obj(UC_OID_LEGACY_ARC ".2", 1);
	oid_legacy[2] = OBJ_txt2obj(UC_OID_LEGACY_ARC ".3", 1);
	oid_legacy[3] = OBJ_txt2obj(UC_OID_LEGACY_ARC ".4", 1);
	oid_ok = oid_secobj != NULL && oid_eku_doc != NULL &&
	    oid_eku_status != NULL && oid_station != NULL;
	for (i = 0; i < 4; i++)
		oid_ok = oid_ok && oid_legacy[i] != NULL;
}

int
uc_oid_match(const ASN1_OBJECT *got, const ASN1_OBJECT *want)
{
	int i;

	if (got == NULL || want == NULL)
		return 0;
	if (OBJ_cmp(got, want) == 0)
		return 1;
	if (!CRYPTO_THREAD_run_once(&oid_once, oid_init) || !oid_ok)
		return 0;
	i = want == oid_secobj ? 0 : want == oid_eku_doc ? 1 :
	    want == oid_eku_status ? 2 : want == oid_station ? 3 : -1;
	return i >= 0 && OBJ_cmp(got, oid_legacy[i]) == 0;
}

static const ASN1_OBJECT *
oid_get(ASN1_OBJECT **which)
{
	if (!CRYPTO_THREAD_run_once(&oid_once, oid_init) || !oid_ok)
		return NULL;
	return *which;
}

const ASN1_OBJECT *
uc_oid_security_object(void)
{
	return oid_get(&oid_secobj);
}

const ASN1_OBJECT *
uc_oid_eku_document_signer(void)
{
	return oid_get(&oid_eku_doc);
}

const ASN1_OBJECT *
uc_oid_eku_status_list(void)
{
	return oid_get(&oid_eku_status);
}

const ASN1_OBJECT *
uc_oid_ext_station(void)
{
	return oid_get(&oid_station);
}

int
uc_cert_station(X509 *cert, char *out, size_t cap)
{
	const ASN1_OBJECT *oid = uc_oid_ext_station();
	X509_EXTENSION *ext;
	ASN1_OCTET_STRING *os;
	ASN1_UTF8STRING *u = NULL;
	const unsigned char *p;
	int idx, len, r = UC_ERR_INVALID;

	out[0] = '\0';
	if (oid == NULL)
		return UC_ERR_INTERNAL;
	/* A signer made before the change names it under the legacy arc. */
	if (X509_get_ext_by_OBJ(cert, oid, -1) < 0 && oid_legacy[3] != NULL &&
	    X509_get_ext_by_OBJ(cert, oid_legacy[3], -1) >= 0)
		oid = oid_legacy[3];
	if ((idx = X509_get_ext_by_OBJ(cert, oid, -1)) < 0)
		return 0;
	if (X509_get_ext_by_OBJ(cert, oid, idx) >= 0)
		return UC_ERR_INVALID; /* twice */
	ext = X509_get_ext(cert, idx);
	os = X509_EXTENSION_get_data(ext);
	p = ASN1_STRING_get0_data(os);
	len = ASN1_STRING_length(os);
	u = d2i_ASN1_UTF8STRING(NULL, &p, len);
	if (u == NULL || p != ASN1_STRING_get0_data(os) + len)
		goto out;
	len = ASN1_STRING_length(u);
	if (len <= 0 || (size_t)len >= cap)
		goto out;
	memcpy(out, ASN1_STRING_get0_data(u), (size_t)len);
	out[len] = '\0';
	if (uc_keys_station_check(out) != 0) {
		out[0] = '\0';
		goto out;
	}
	r = 0;
out:
	ASN1_UTF8STRING_free(u);
	return r;
}

int
uc_cert_has_eku(X509 *cert, const ASN1_OBJECT *oid)
{
	EXTENDED_KEY_USAGE *eku;
	int i, found = 0;

	if (oid == NULL)
		return 0;
	eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	if (eku == NULL)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		if (uc_oid_match(sk_ASN1_OBJECT_value(eku, i), oid))
			found = 1;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

time_t
uc_asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

void
uc_asn1_time_date(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(out, cap, "an unreadable date");
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

int
uc_trust_new(struct uc_trust **out)
{
	struct uc_trust *t;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((t = OPENSSL_zalloc(sizeof(*t))) == NULL)
		return UC_ERR_NOMEM;
	t->roots = sk_X509_new_null();
	t->crls = sk_X509_CRL_new_null();
	t->store = X509_STORE_new();
	if ((t->memo = OPENSSL_zalloc(sizeof(*t->memo))) != NULL &&
	    pthread_mutex_init(&t->memo->lock, NULL) != 0) {
		OPENSSL_free(t->memo);
		t->memo = NULL;
	}
	if (t->roots == NULL || t->crls == NULL || t->store == NULL ||
	    t->memo == NULL) {
		uc_trust_free(&t);
		return UC_ERR_NOMEM;
	}
	*out = t;
	return 0;
}

void
uc_trust_free(struct uc_trust **tp)
{
	struct uc_trust *t;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	if (t->memo != NULL) {
		memo_forget(t->memo);
		pthread_mutex_destroy(&t->memo->lock);
		OPENSSL_free(t->memo);
	}
	X509_STORE_free(t->store);
	sk_X509_pop_free(t->roots, X509_free);
	sk_X509_CRL_pop_free(t->crls, X509_CRL_free);
	OPENSSL_free(t);
	*tp = NULL;
}

size_t
uc_trust_root_count(const struct uc_trust *t)
{
	return t != NULL ? (size_t)sk_X509_num(t->roots) : 0;
}

/* Take X (owned) as a root if it is a self-signed CA. */
static int
add_root(struct uc_trust *t, X509 *x, const char *what,
    struct uc_diag *diag)
{
	if (X509_check_ca(x) < 1 || X509_self_signed(x, 1) != 1) {
		X509_free(x);
		return uc_diag_set(diag, UC_ERR_INVALID, what, 0, NULL,
		    "trusted root is not a self-signed CA certificate");
	}
	if (sk_X509_num(t->roots) >= TRUST_ROOTS_MAX) {
		X509_free(x);
		return uc_diag_set(diag, UC_ERR_RANGE, what, 0, NULL,
		    "more than %d trusted roots", TRUST_ROOTS_MAX);
	}
	if (X509_STORE_add_cert(t->store, x) != 1) {
		X509_free(x);
		return UC_ERR_NOMEM;
	}
	if (sk_X509_push(t->roots, x) <= 0) {
		X509_free(x);
		return UC_ERR_NOMEM;
	}
	memo_forget(t->memo);
	return 0;
}

static int
add_roots_bio(struct uc_trust *t, BIO *b, const char *what,
    struct uc_diag *diag)
{
	X509 *x;
	int r, n = 0;

	for (;;) {
		ERR_set_mark();
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		ERR_pop_to_mark();
		if (x == NULL)
			break;
		if ((r = add_root(t, x, what, diag)) != 0)
			return r;
		n++;
	}
	if (n == 0)
		return uc_diag_set(diag, UC_ERR_INVALID, what, 0, NULL,
		    "no PEM certificate found");
	return 0;
}

static BIO *
open_file(const char *path, int *err, struct uc_diag *diag)
{
	FILE *f;
	BIO *b;
	long size;

	*err = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		*err = uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > TRUST_FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		*err = uc_diag_set(diag, UC_ERR_TOO_LONG, path, 0, NULL,
		    "unreadable or larger than %ld bytes", TRUST_FILE_MAX);
		return NULL;
	}
	if ((b = BIO_new_fp(f, BIO_CLOSE)) == NULL) {
		fclose(f);
		*err = UC_ERR_NOMEM;
	}
	return b;
}

int
uc_trust_add_roots_file(struct uc_trust *t, const char *path,
    struct uc_diag *diag)
{
	BIO *b;
	int r;

	if (t == NULL || path == NULL)
		return UC_ERR_ARG;
	if ((b = open_file(path, &r, diag)) == NULL)
		return r;
	r = add_roots_bio(t, b, path, diag);
	BIO_free(b);
	return r;
}

int
uc_trust_add_root_mem(struct uc_trust *t, const uint8_t *p, size_t len,
    struct uc_diag *diag)
{
	BIO *b;
	X509 *x;
	const unsigned char *q = p;
	int r;

	if (t == NULL || p == NULL || len == 0 || len > TRUST_FILE_MAX)
		return UC_ERR_ARG;
	if (len > 10 && memcmp(p, "-----BEGIN", 10) == 0) {
		if ((b = BIO_new_mem_buf(p, (int)len)) == NULL)
			return UC_ERR_NOMEM;
		r = add_roots_bio(t, b, "root", diag);
		BIO_free(b);
		return r;
	}
	x = d2i_X509(NULL, &q, (long)len);
	if (x == NULL || q != p + len) {
		X509_free(x);
		return uc_diag_set(diag, UC_ERR_INVALID, "root", 0, NULL,
		    "not a DER certificate");
	}
	return add_root(t, x, "root", diag);
}

int
uc_trust_add_crl_file(struct uc_trust *t, const char *path,
    struct uc_diag *diag)
{
	BIO *b;
	X509_CRL *crl;
	int r;

	if (t == NULL || path == NULL)
		return UC_ERR_ARG;
	if ((b = open_file(path, &r, diag)) == NULL)
		return r;
	ERR_set_mark();
	crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	if (crl == NULL && BIO_reset(b) == 0)
		crl = d2i_X509_CRL_bio(b, NULL);
	ERR_pop_to_mark();
	BIO_free(b);
	if (crl == NULL)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "not a CRL (PEM or DER)");
	if (X509_STORE_add_crl(t->store, crl) != 1) {
		X509_CRL_free(crl);
		return UC_ERR_NOMEM;
	}
	if (sk_X509_CRL_push(t->crls, crl) <= 0) {
		X509_CRL_free(crl);
		return UC_ERR_NOMEM;
	}
	memo_forget(t->memo);
	return 0;
}

int
uc_trust_load_dir(struct uc_trust *t, const char *dir, struct uc_diag *diag)
{
	char path[4096];
	int r;

	if (t == NULL || dir == NULL)
		return UC_ERR_ARG;
	if (snprintf(path, sizeof(path), "%s/root.pem", dir) >=
	    (int)sizeof(path))
		return UC_ERR_RANGE;
	if ((r = uc_trust_add_roots_file(t, path, diag)) != 0)
		return r;
	snprintf(path, sizeof(path), "%s/root.crl", dir);
	r = uc_trust_add_crl_file(t, path, diag);
	if (r == UC_ERR_NOT_FOUND) {
		uc_diag_clear(diag);
		r = 0;
	}
	return r;
}

static int
have_crl_for(const struct uc_trust *t, X509 *cert)
{
	int i;

	for (i = 0; i < sk_X509_CRL_num(t->crls); i++) {
		if (X509_NAME_cmp(X509_CRL_get_issuer(sk_X509_CRL_value(t->crls,
		    i)), X509_get_issuer_name(cert)) == 0)
			return 1;
	}
	return 0;
}

/* Turn OpenSSL's verdict into the sentence a field officer reads. */
static void
chain_detail(X509_STORE_CTX *ctx, int err, char *detail, size_t cap)
{
	X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
	X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
	int depth = X509_STORE_CTX_get_error_depth(ctx);
	const char *who = depth == 0 ? "signer certificate" : "root certificate";
	char date[32];

	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		uc_asn1_time_date(bad != NULL ? X509_get0_notAfter(bad) : NULL,
		    date, sizeof(date));
		snprintf(detail, cap, "%s expired on %s", who, date);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		uc_asn1_time_date(bad != NULL ? X509_get0_notBefore(bad) : NULL,
		    date, sizeof(date));
		snprintf(detail, cap, "%s not valid before %s", who, date);
		break;
	case X509_V_ERR_CERT_REVOKED:
		snprintf(detail, cap, "signer revoked");
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		snprintf(detail, cap, "signed by a root we do not trust");
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		snprintf(detail, cap, "%s signature invalid", who);
		break;
	case X509_V_ERR_CRL_HAS_EXPIRED:
		uc_asn1_time_date(crl != NULL ? X509_CRL_get0_nextUpdate(crl) :
		    NULL, date, sizeof(date));
		snprintf(detail, cap, "revocation list expired on %s", date);
		break;
	case X509_V_ERR_CRL_NOT_YET_VALID:
		snprintf(detail, cap, "revocation list not yet valid");
		break;
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
		snprintf(detail, cap, "revocation list signature invalid");
		break;
	default:
		snprintf(detail, cap, "certificate chain: %s",
		    X509_verify_cert_error_string(err));
		break;
	}
}

/* Narrow [*from, *until] to the validity of one certificate or CRL. */
static void
narrow(time_t *from, time_t *until, const ASN1_TIME *nb, const ASN1_TIME *na)
{
	time_t a = nb != NULL ? uc_asn1_time_t(nb) : 0;
	time_t b = na != NULL ? uc_asn1_time_t(na) : 0;

	if (nb != NULL && (a == 0 || a > *from))
		*from = a == 0 ? *until : a; /* unreadable: never a hit */
	if (na != NULL && (b == 0 || b < *until))
		*until = b == 0 ? *from : b;
}

/* A remembered pass for cert and purpose at time t: 1 (and *crl_checked). */
static int
memo_find(struct trust_memo *m, X509 *cert, enum uc_purpose purpose,
    time_t t, int *crl_checked)
{
	size_t i;
	int hit = 0;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n; i++) {
		const struct memo_entry *e = &m->e[i];

		if (e->purpose == purpose && e->from <= t && t < e->until &&
		    X509_cmp(e->cert, cert) == 0) {
			*crl_checked = e->crl_checked;
			hit = 1;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return hit;
}

/*
 * Remember that cert passed for purpose with the chain ctx built: valid
 * while t is inside the signer's, its root's and (when revocation was
 * checked) its issuer's CRLs' validity.  Out of memory: not remembered.
 */
static void
memo_add(const struct uc_trust *trust, X509_STORE_CTX *ctx, X509 *cert,
    enum uc_purpose purpose, int crl_checked)
{
	struct trust_memo *m = trust->memo;
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
	struct memo_entry e;
	X509_CRL *crl;
	X509 *x;
	int i;

	memset(&e, 0, sizeof(e));
	e.from = 0;
	e.until = (time_t)INT64_MAX;
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		x = sk_X509_value(chain, i);
		narrow(&e.from, &e.until, X509_get0_notBefore(x),
		    X509_get0_notAfter(x));
	}
	if (crl_checked) {
		for (i = 0; i < sk_X509_CRL_num(trust->crls); i++) {
			crl = sk_X509_CRL_value(trust->crls, i);
			if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
			    X509_get_issuer_name(cert)) != 0)
				continue;
			narrow(&e.from, &e.until, X509_CRL_get0_lastUpdate(crl),
			    X509_CRL_get0_nextUpdate(crl));
		}
	}
	if (chain == NULL || e.from >= e.until || X509_up_ref(cert) != 1)
		return;
	e.cert = cert;
	e.purpose = purpose;
	e.crl_checked = crl_checked;
	pthread_mutex_lock(&m->lock);
	if (m->n < TRUST_MEMO_MAX) {
		m->e[m->n++] = e;
	} else {
		X509_free(m->e[m->next].cert);
		m->e[m->next] = e;
		m->next = (m->next + 1) % TRUST_MEMO_MAX;
	}
	pthread_mutex_unlock(&m->lock);
}

/* What the chain does not decide: the signer's own extensions. */
static int
check_signer_use(X509 *cert, enum uc_purpose purpose, char *detail,
    size_t cap)
{
	const ASN1_OBJECT *eku;

	if ((X509_get_extension_flags(cert) & EXFLAG_CA) != 0) {
		snprintf(detail, cap, "signer certificate is a CA certificate");
		return UC_ERR_VERIFY;
	}
	if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(detail, cap,
		    "signer certificate lacks key usage digitalSignature");
		return UC_ERR_VERIFY;
	}
	eku = purpose == UC_PURPOSE_STATUS_LIST ? uc_oid_eku_status_list() :
	    uc_oid_eku_document_signer();
	if (!uc_cert_has_eku(cert, eku)) {
		snprintf(detail, cap, purpose == UC_PURPOSE_STATUS_LIST ?
		    "signer certificate is not a status-list signer" :
		    "signer certificate is not a document signer");
		return UC_ERR_VERIFY;
	}
	return 0;
}

int
uc_trust_check_cert(const struct uc_trust *trust, X509 *cert,
    time_t check_time, enum uc_purpose purpose, char *detail, size_t cap,
    int *crl_checked)
{
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned long flags = X509_V_FLAG_X509_STRICT;
	time_t at = check_time != 0 ? check_time : time(NULL);
	int i, r = UC_ERR_VERIFY;

	*crl_checked = 0;
	detail[0] = '\0';
	if (sk_X509_num(trust->roots) == 0) {
		snprintf(detail, cap, "no trusted root configured");
		return UC_ERR_VERIFY;
	}
	if (memo_find(trust->memo, cert, purpose, at, crl_checked))
		return 0;
	if ((ctx = X509_STORE_CTX_new()) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if (have_crl_for(trust, cert)) {
		flags |= X509_V_FLAG_CRL_CHECK;
		*crl_checked = 1;
	}
	if (X509_STORE_CTX_init(ctx, trust->store, cert, NULL) != 1) {
		r = UC_ERR_INTERNAL;
		snprintf(detail, cap, "trust store could not be set up");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, flags);
	X509_VERIFY_PARAM_set_time(param, at);
	/* The root signs signers directly: root, signer and nothing else. */
	X509_VERIFY_PARAM_set_depth(param, 0);
	ERR_set_mark();
	i = X509_verify_cert(ctx);
	ERR_pop_to_mark();
	if (i != 1) {
		i = X509_STORE_CTX_get_error(ctx);
		chain_detail(ctx, i, detail, cap);
		/* Our CRL out of date says nothing about the certificate. */
		if (i == X509_V_ERR_CRL_HAS_EXPIRED ||
		    i == X509_V_ERR_CRL_NOT_YET_VALID)
			r = UC_ERR_STATE;
		goto out;
	}
	if ((r = check_signer_use(cert, purpose, detail, cap)) != 0)
		goto out;
	memo_add(trust, ctx, cert, purpose, *crl_checked);
	r = 0;
out:
	X509_STORE_CTX_free(ctx);
	return r;
}
