/*
 * keys.c - the development key hierarchy on disk: root CA, station
 * document signers, the status-list signer, the root's CRL and the SCP03
 * master keys.  See keys/README.md for how the real ceremony differs.
 *
 * Files are written whole to a temporary name and linked or renamed into
 * place, so a crash never leaves half a key; private keys are encrypted
 * PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC) and mode 0600.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jansson.h>

#include "signing_impl.h"

#define PATH_MAX_LEN 4096
#define PBKDF2_ITER 100000
#define SCP_FILE_MAX 4096
#define SIGNERS_MAX 4096
#define DAY (24L * 60L * 60L)

enum cert_kind { KIND_ROOT, KIND_DOCUMENT, KIND_STATUS };

int
uc_keys_station_check(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return UC_ERR_INVALID;
	n = strlen(s);
	if (n == 0 || n > UC_STATION_MAX || s[0] == '.' || s[0] == '-')
		return UC_ERR_INVALID;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return UC_ERR_INVALID;
	}
	return 0;
}

static int
path_join(char *out, const char *dir, const char *a, const char *b,
    const char *c)
{
	int n = snprintf(out, PATH_MAX_LEN, "%s/%s%s%s", dir, a,
	    b != NULL ? b : "", c != NULL ? c : "");

	return n < 0 || n >= PATH_MAX_LEN ? UC_ERR_RANGE : 0;
}

/*
 * Write P[N] to PATH with MODE.  EXCL: fail with UC_ERR_EXISTS rather than
 * replace (link() makes that atomic); otherwise rename over.
 */
static int
write_file(const char *path, const void *p, size_t n, mode_t mode, int excl,
    struct uc_diag *diag)
{
	char tmp[PATH_MAX_LEN + 16];
	int fd = -1, r = UC_ERR_IO;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return UC_ERR_RANGE;
	if ((fd = mkstemp(tmp)) < 0)
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
	if (fchmod(fd, mode) != 0 || write(fd, p, n) != (ssize_t)n ||
	    fsync(fd) != 0) {
		uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (excl) {
		if (link(tmp, path) != 0) {
			r = uc_diag_set(diag, errno == EEXIST ? UC_ERR_EXISTS :
			    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
			goto out;
		}
	} else if (rename(tmp, path) != 0) {
		uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

static int
write_bio(const char *path, BIO *b, mode_t mode, int excl,
    struct uc_diag *diag)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0 || p == NULL)
		return UC_ERR_INTERNAL;
	return write_file(path, p, (size_t)n, mode, excl, diag);
}

static int
write_cert(const char *path, X509 *x, int excl, struct uc_diag *diag)
{
	BIO *b = BIO_new(BIO_s_mem());
	int r = UC_ERR_NOMEM;

	if (b != NULL && PEM_write_bio_X509(b, x) == 1)
		r = write_bio(path, b, 0644, excl, diag);
	BIO_free(b);
	return r;
}

static int
write_cert_der(const char *path, X509 *x, struct uc_diag *diag)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der), r;

	if (n <= 0)
		return UC_ERR_INTERNAL;
	r = write_file(path, der, (size_t)n, 0644, 0, diag);
	OPENSSL_free(der);
	return r;
}

static int
write_private(const char *path, EVP_PKEY *key, const char *pass,
    struct uc_diag *diag)
{
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_SIG *p8 = NULL;
	BIO *b = NULL;
	int r = UC_ERR_CRYPTO;

	if ((p8inf = EVP_PKEY2PKCS8(key)) == NULL ||
	    (p8 = PKCS8_encrypt(-1, EVP_aes_256_cbc(), pass, (int)strlen(pass),
	    NULL, 0, PBKDF2_ITER, p8inf)) == NULL ||
	    (b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PKCS8(b, p8) != 1)
		goto out;
	r = write_bio(path, b, 0600, 1, diag);
out:
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	X509_SIG_free(p8);
	BIO_free(b);
	return r;
}

struct pass_ctx {
	const char *pass;
	int asked;
};

/* Hands OpenSSL our passphrase; never prompts. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_ctx *pc = u;
	size_t n;

	(void)rwflag;
	pc->asked = 1;
	if (pc->pass == NULL)
		return -1;
	n = strlen(pc->pass);
	if (n == 0 || n >= (size_t)size)
		return -1;
	memcpy(buf, pc->pass, n);
	return (int)n;
}

int
uc_keys_load_private(const char *path, const char *passphrase,
    EVP_PKEY **out, struct uc_diag *diag)
{
	struct pass_ctx pc = { passphrase, 0 };
	EVP_PKEY *k;
	FILE *f;

	if (out == NULL || path == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "cannot open private key: %s",
		    strerror(errno));
	ERR_set_mark();
	k = PEM_read_PrivateKey(f, NULL, pass_cb, &pc);
	ERR_pop_to_mark();
	fclose(f);
	if (k == NULL) {
		if (pc.asked)
			return uc_diag_set(diag, UC_ERR_PASSPHRASE, path, 0,
			    NULL, passphrase == NULL ? "passphrase needed" :
			    "wrong passphrase");
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "not a PEM private key");
	}
	if (!pc.asked) {
		/* Our keys are never stored in the clear. */
		EVP_PKEY_free(k);
		return uc_diag_set(diag, UC_ERR_KEY, path, 0, NULL,
		    "private key is not encrypted; refusing it");
	}
	*out = k;
	return 0;
}

static int
load_cert(const char *path, X509 **out, struct uc_diag *diag)
{
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	ERR_set_mark();
	*out = PEM_read_X509(f, NULL, NULL, NULL);
	ERR_pop_to_mark();
	fclose(f);
	if (*out == NULL)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "not a PEM certificate");
	return 0;
}

static int
check_pass(const char *pass, struct uc_diag *diag)
{
	if (pass == NULL || strlen(pass) < UC_PASSPHRASE_MIN ||
	    strlen(pass) > UC_PASSPHRASE_MAX)
		return uc_diag_set(diag, UC_ERR_PASSPHRASE, NULL, 0,
		    "passphrase", "a passphrase of %d to %d characters is "
		    "needed", UC_PASSPHRASE_MIN, UC_PASSPHRASE_MAX);
	return 0;
}

static EVP_PKEY *
gen_p256(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static X509_NAME *
make_name(enum cert_kind kind, const char *station)
{
	X509_NAME *n = X509_NAME_new();
	char cn[UC_STATION_MAX + 64];
	const unsigned char *o = (const unsigned char *)
	    "Union Card Issuer (development)";

	if (n == NULL)
		return NULL;
	switch (kind) {
	case KIND_ROOT:
		snprintf(cn, sizeof(cn), "Union Card Root CA");
		break;
	case KIND_DOCUMENT:
		snprintf(cn, sizeof(cn), "Document Signer %s", station);
		break;
	case KIND_STATUS:
		snprintf(cn, sizeof(cn), "Status List Signer");
		break;
	}
	if (X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
	    (const unsigned char *)"VN", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, o, -1, -1,
	    0) != 1 ||
	    (kind == KIND_DOCUMENT && X509_NAME_add_entry_by_txt(n, "OU",
	    MBSTRING_ASC, (const unsigned char *)station, -1, -1, 0) != 1) ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok;

	if (e == NULL)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok == 1;
}

static int
add_station_ext(X509 *x, const char *station)
{
	ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	unsigned char *der = NULL;
	int n, ok = 0;

	if (u == NULL || os == NULL ||
	    ASN1_STRING_set(u, station, (int)strlen(station)) != 1 ||
	    (n = i2d_ASN1_UTF8STRING(u, &der)) <= 0 ||
	    ASN1_OCTET_STRING_set(os, der, n) != 1 ||
	    (e = X509_EXTENSION_create_by_OBJ(NULL, uc_oid_ext_station(), 0,
	    os)) == NULL)
		goto out;
	ok = X509_add_ext(x, e, -1) == 1;
out:
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_UTF8STRING_free(u);
	OPENSSL_free(der);
	return ok;
}

static int
random_serial(ASN1_INTEGER *ai)
{
	BIGNUM *bn = BN_new();
	int ok;

	/* 127 random bits: positive, unique, within RFC 5280's 20 octets. */
	ok = bn != NULL && BN_rand(bn, 127, BN_RAND_TOP_ONE,
	    BN_RAND_BOTTOM_ANY) == 1 && BN_to_ASN1_INTEGER(bn, ai) != NULL;
	BN_free(bn);
	return ok;
}

/*
 * A certificate for PUB.  ISSUER/ISSUER_KEY sign it; for the root both are
 * NULL and the certificate signs itself with SELF_KEY.
 */
static int
make_cert(enum cert_kind kind, const char *station, EVP_PKEY *pub,
    X509 *issuer, EVP_PKEY *issuer_key, time_t not_before, unsigned days,
    X509 **out)
{
	X509 *x = X509_new();
	X509_NAME *name = make_name(kind, station);
	X509V3_CTX ctx;
	int ok = 0;

	*out = NULL;
	if (x == NULL || name == NULL || X509_set_version(x, X509_VERSION_3) !=
	    1 || !random_serial(X509_get_serialNumber(x)) ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) != 1 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &not_before) ==
	    NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0,
	    &not_before) == NULL ||
	    X509_set_pubkey(x, pub) != 1)
		goto out;
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if (kind == KIND_ROOT) {
		if (!add_ext(x, &ctx, NID_basic_constraints,
		    "critical,CA:TRUE,pathlen:0") ||
		    !add_ext(x, &ctx, NID_key_usage,
		    "critical,keyCertSign,cRLSign") ||
		    !add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
		    !add_ext(x, &ctx, NID_authority_key_identifier,
		    "keyid:always"))
			goto out;
	} else {
		if (!add_ext(x, &ctx, NID_basic_constraints,
		    "critical,CA:FALSE") ||
		    !add_ext(x, &ctx, NID_key_usage,
		    "critical,digitalSignature") ||
		    !add_ext(x, &ctx, NID_ext_key_usage,
		    kind == KIND_DOCUMENT ? UC_OID_EKU_DOCUMENT_SIGNER :
		    UC_OID_EKU_STATUS_LIST_SIGNER) ||
		    !add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
		    !add_ext(x, &ctx, NID_authority_key_identifier,
		    "keyid:always"))
			goto out;
		if (kind == KIND_DOCUMENT && !add_station_ext(x, station))
			goto out;
	}
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
		goto out;
	*out = x;
	x = NULL;
	ok = 1;
out:
	X509_free(x);
	X509_NAME_free(name);
	return ok ? 0 : UC_ERR_CRYPTO;
}

/*
 * Sign a fresh CRL listing REVOKED (borrowed entries are copied) plus
 * ADD (may be NULL), with CRL number NUMBER.
 */
static int
make_crl(X509 *root, EVP_PKEY *root_key, STACK_OF(X509_REVOKED) *revoked,
    ASN1_INTEGER *add, long number, X509_CRL **out)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *now = ASN1_TIME_new(), *next = ASN1_TIME_new();
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_REVOKED *rv = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *e = NULL;
	time_t t = time(NULL);
	int i, ok = 0;

	*out = NULL;
	if (crl == NULL || now == NULL || next == NULL || num == NULL ||
	    X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(root)) != 1 ||
	    X509_time_adj_ex(now, 0, 0, &t) == NULL ||
	    X509_time_adj_ex(next, UC_KEYS_CRL_DAYS, 0, &t) == NULL ||
	    X509_CRL_set1_lastUpdate(crl, now) != 1 ||
	    X509_CRL_set1_nextUpdate(crl, next) != 1 ||
	    ASN1_INTEGER_set(num, number) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1)
		goto out;
	for (i = 0; revoked != NULL && i < sk_X509_REVOKED_num(revoked); i++) {
		X509_REVOKED *src = sk_X509_REVOKED_value(revoked, i);

		if ((rv = X509_REVOKED_dup(src)) == NULL ||
		    X509_CRL_add0_revoked(crl, rv) != 1)
			goto out;
		rv = NULL;
	}
	if (add != NULL) {
		if ((rv = X509_REVOKED_new()) == NULL ||
		    X509_REVOKED_set_serialNumber(rv, add) != 1 ||
		    X509_REVOKED_set_revocationDate(rv, now) != 1 ||
		    X509_CRL_add0_revoked(crl, rv) != 1)
			goto out;
		rv = NULL;
	}
	X509V3_set_ctx(&ctx, root, NULL, NULL, crl, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
	    "keyid:always")) == NULL || X509_CRL_add_ext(crl, e, -1) != 1)
		goto out;
	if (X509_CRL_sort(crl) != 1 ||
	    X509_CRL_sign(crl, root_key, EVP_sha256()) <= 0)
		goto out;
	*out = crl;
	crl = NULL;
	ok = 1;
out:
	X509_REVOKED_free(rv);
	X509_EXTENSION_free(e);
	X509_CRL_free(crl);
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	ASN1_INTEGER_free(num);
	return ok ? 0 : UC_ERR_CRYPTO;
}

static int
write_crl(const char *path, X509_CRL *crl, struct uc_diag *diag)
{
	BIO *b = BIO_new(BIO_s_mem());
	int r = UC_ERR_NOMEM;

	if (b != NULL && PEM_write_bio_X509_CRL(b, crl) == 1)
		r = write_bio(path, b, 0644, 0, diag);
	BIO_free(b);
	return r;
}

/* Issue a signer of KIND for a new key or for PUB (HSM keys). */
static int
issue_signer(const char *dir, enum cert_kind kind, const char *station,
    const char *pass, X509 *root, EVP_PKEY *root_key, EVP_PKEY *pub,
    const struct uc_keys_opts *opts, const char *der_out,
    struct uc_diag *diag)
{
	char kpath[PATH_MAX_LEN], cpath[PATH_MAX_LEN];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	time_t nb = opts != NULL && opts->not_before != 0 ? opts->not_before :
	    time(NULL);
	unsigned days = opts != NULL && opts->signer_days != 0 ?
	    opts->signer_days : kind == KIND_DOCUMENT ? UC_KEYS_SIGNER_DAYS :
	    UC_KEYS_STATUS_SIGNER_DAYS;
	time_t ends = nb + (time_t)days * 86400, root_ends;
	char rend[32];
	int r;

	/* A signer must not outlive its root: what it signs would then
	 * outlive the root too. */
	root_ends = uc_asn1_time_t(X509_get0_notAfter(root));
	if (root_ends != 0 && ends > root_ends) {
		uc_asn1_time_date(X509_get0_notAfter(root), rend, sizeof(rend));
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "root", "the root "
		    "certificate ends on %s, before this signer's would (%u "
		    "days from now): a signer must not outlive its root; make "
		    "the new root first (keys/README.md \"Lifetimes\")", rend,
		    days);
	}

	if (kind == KIND_DOCUMENT) {
		if ((r = path_join(kpath, dir, "signers/", station, ".key")) ||
		    (r = path_join(cpath, dir, "signers/", station, ".pem")))
			return r;
	} else {
		if ((r = path_join(kpath, dir, "status-list.key", NULL,
		    NULL)) != 0 || (r = path_join(cpath, dir,
		    "status-list.pem", NULL, NULL)) != 0)
			return r;
	}
	if (access(cpath, F_OK) == 0)
		return uc_diag_set(diag, UC_ERR_EXISTS, cpath, 0, NULL,
		    "a certificate for this signer already exists");
	if (pub == NULL) {
		if ((key = gen_p256()) == NULL)
			return UC_ERR_CRYPTO;
		pub = key;
	}
	if ((r = make_cert(kind, station, pub, root, root_key, nb, days,
	    &cert)) != 0)
		goto out;
	if (key != NULL && (r = write_private(kpath, key, pass, diag)) != 0)
		goto out;
	if ((r = write_cert(cpath, cert, 1, diag)) != 0) {
		if (key != NULL)
			unlink(kpath);
		goto out;
	}
	if (der_out != NULL && (r = write_cert_der(der_out, cert, diag)) != 0)
		goto out;
	r = 0;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}

static int
write_scp_master(const char *dir, const char *pass,
    const struct uc_keys_opts *opts, struct uc_diag *diag);

int
uc_keys_init(const char *dir, const char *passphrase,
    const struct uc_keys_opts *opts, struct uc_diag *diag)
{
	char path[PATH_MAX_LEN];
	EVP_PKEY *root_key = NULL;
	X509 *root = NULL;
	X509_CRL *crl = NULL;
	const char *station = opts != NULL && opts->station != NULL ?
	    opts->station : "station-01";
	unsigned root_days = opts != NULL && opts->root_days != 0 ?
	    opts->root_days : UC_KEYS_ROOT_DAYS;
	time_t nb = time(NULL) - DAY;
	int r;

	if (dir == NULL)
		return UC_ERR_ARG;
	if ((r = check_pass(passphrase, diag)) != 0)
		return r;
	if (uc_keys_station_check(station) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "station",
		    "station name must be 1-%d of A-Z a-z 0-9 . _ -",
		    UC_STATION_MAX);
	if (uc_oid_ext_station() == NULL)
		return UC_ERR_INTERNAL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return uc_diag_set(diag, UC_ERR_IO, dir, 0, NULL, "%s",
		    strerror(errno));
	if ((r = path_join(path, dir, "root.pem", NULL, NULL)) != 0)
		return r;
	if (access(path, F_OK) == 0)
		return uc_diag_set(diag, UC_ERR_EXISTS, path, 0, NULL,
		    "a hierarchy already exists here");
	if ((r = path_join(path, dir, "signers", NULL, NULL)) != 0)
		return r;
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));

	r = UC_ERR_CRYPTO;
	if ((root_key = gen_p256()) == NULL)
		goto out;
	/* Backdated a day so that stations with a slow clock accept it. */
	if ((r = make_cert(KIND_ROOT, NULL, root_key, NULL, root_key, nb,
	    root_days, &root)) != 0)
		goto out;
	path_join(path, dir, "root.key", NULL, NULL);
	if ((r = write_private(path, root_key, passphrase, diag)) != 0)
		goto out;
	path_join(path, dir, "root.pem", NULL, NULL);
	if ((r = write_cert(path, root, 1, diag)) != 0)
		goto out;
	if ((r = make_crl(root, root_key, NULL, NULL, 1, &crl)) != 0)
		goto out;
	path_join(path, dir, "root.crl", NULL, NULL);
	if ((r = write_crl(path, crl, diag)) != 0)
		goto out;
	if ((r = issue_signer(dir, KIND_DOCUMENT, station, passphrase, root,
	    root_key, NULL, opts, NULL, diag)) != 0)
		goto out;
	if ((r = issue_signer(dir, KIND_STATUS, NULL, passphrase, root,
	    root_key, NULL, opts, NULL, diag)) != 0)
		goto out;
	if ((r = write_scp_master(dir, passphrase, opts, diag)) != 0)
		goto out;
	if ((r = uc_keys_new_bank_link(dir, diag)) != 0)
		goto out;
	r = 0;
out:
	EVP_PKEY_free(root_key);
	X509_free(root);
	X509_CRL_free(crl);
	return r;
}

static int
load_root(const char *dir, const char *pass, X509 **root, EVP_PKEY **key,
    struct uc_diag *diag)
{
	char path[PATH_MAX_LEN];
	int r;

	*root = NULL;
	*key = NULL;
	if ((r = path_join(path, dir, "root.pem", NULL, NULL)) != 0 ||
	    (r = load_cert(path, root, diag)) != 0)
		return r;
	path_join(path, dir, "root.key", NULL, NULL);
	if ((r = uc_keys_load_private(path, pass, key, diag)) != 0)
		goto fail;
	if (X509_check_private_key(*root, *key) != 1) {
		r = uc_diag_set(diag, UC_ERR_KEY, path, 0, NULL,
		    "root key does not match root.pem");
		goto fail;
	}
	return 0;
fail:
	X509_free(*root);
	EVP_PKEY_free(*key);
	*root = NULL;
	*key = NULL;
	return r;
}

static int
signer_common(const char *dir, const char *station, const char *pass,
    const char *pubkey_pem, const struct uc_keys_opts *opts,
    const char *der_out, struct uc_diag *diag)
{
	X509 *root = NULL;
	EVP_PKEY *root_key = NULL, *pub = NULL;
	FILE *f;
	int r;

	if (dir == NULL || station == NULL)
		return UC_ERR_ARG;
	if (uc_keys_station_check(station) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "station",
		    "station name must be 1-%d of A-Z a-z 0-9 . _ -",
		    UC_STATION_MAX);
	if (pubkey_pem == NULL && (r = check_pass(pass, diag)) != 0)
		return r;
	if (uc_oid_ext_station() == NULL)
		return UC_ERR_INTERNAL;
	if (pubkey_pem != NULL) {
		if ((f = fopen(pubkey_pem, "rb")) == NULL)
			return uc_diag_set(diag, UC_ERR_NOT_FOUND, pubkey_pem,
			    0, NULL, "%s", strerror(errno));
		ERR_set_mark();
		pub = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		ERR_pop_to_mark();
		fclose(f);
		if (pub == NULL || !EVP_PKEY_is_a(pub, "EC")) {
			r = uc_diag_set(diag, UC_ERR_KEY, pubkey_pem, 0, NULL,
			    "not a PEM EC public key");
			goto out;
		}
	}
	if ((r = load_root(dir, pass, &root, &root_key, diag)) != 0)
		goto out;
	r = issue_signer(dir, KIND_DOCUMENT, station, pass, root, root_key,
	    pub, opts, der_out, diag);
out:
	X509_free(root);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(pub);
	return r;
}

int
uc_keys_new_signer(const char *dir, const char *station,
    const char *passphrase, const struct uc_keys_opts *opts,
    struct uc_diag *diag)
{
	return signer_common(dir, station, passphrase, NULL, opts, NULL, diag);
}

int
uc_keys_certify_signer(const char *dir, const char *station,
    const char *passphrase, const char *pubkey_pem,
    const struct uc_keys_opts *opts, const char *cert_der_out,
    struct uc_diag *diag)
{
	if (pubkey_pem == NULL)
		return UC_ERR_ARG;
	return signer_common(dir, station, passphrase, pubkey_pem, opts,
	    cert_der_out, diag);
}

static int
load_crl(const char *path, X509_CRL **out)
{
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return errno == ENOENT ? UC_ERR_NOT_FOUND : UC_ERR_IO;
	ERR_set_mark();
	*out = PEM_read_X509_CRL(f, NULL, NULL, NULL);
	ERR_pop_to_mark();
	fclose(f);
	return *out != NULL ? 0 : UC_ERR_INVALID;
}

int
uc_keys_revoke_signer(const char *dir, const char *station,
    const char *passphrase, struct uc_diag *diag)
{
	char path[PATH_MAX_LEN];
	X509 *root = NULL, *cert = NULL;
	EVP_PKEY *root_key = NULL;
	X509_CRL *old = NULL, *crl = NULL;
	X509_REVOKED *found = NULL;
	ASN1_INTEGER *num = NULL;
	long number = 1;
	int r;

	if (dir == NULL || station == NULL)
		return UC_ERR_ARG;
	if (uc_keys_station_check(station) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "station",
		    "not a valid station name");
	if ((r = path_join(path, dir, "signers/", station, ".pem")) != 0 ||
	    (r = load_cert(path, &cert, diag)) != 0)
		goto out;
	if ((r = load_root(dir, passphrase, &root, &root_key, diag)) != 0)
		goto out;
	path_join(path, dir, "root.crl", NULL, NULL);
	r = load_crl(path, &old);
	if (r != 0 && r != UC_ERR_NOT_FOUND) {
		r = uc_diag_set(diag, r, path, 0, NULL, "unreadable CRL");
		goto out;
	}
	if (old != NULL) {
		if (X509_CRL_verify(old, X509_get0_pubkey(root)) != 1) {
			r = uc_diag_set(diag, UC_ERR_VERIFY, path, 0, NULL,
			    "CRL is not signed by this root");
			goto out;
		}
		if (X509_CRL_get0_by_serial(old, &found,
		    X509_get_serialNumber(cert)) == 1) {
			r = uc_diag_set(diag, UC_ERR_EXISTS, NULL, 0,
			    "station", "signer %s is already revoked", station);
			goto out;
		}
		num = X509_CRL_get_ext_d2i(old, NID_crl_number, NULL, NULL);
		if (num != NULL)
			number = ASN1_INTEGER_get(num) + 1;
		if (number <= 0)
			number = 1;
	}
	if ((r = make_crl(root, root_key, old != NULL ?
	    X509_CRL_get_REVOKED(old) : NULL, X509_get_serialNumber(cert),
	    number, &crl)) != 0)
		goto out;
	r = write_crl(path, crl, diag);
out:
	X509_free(root);
	X509_free(cert);
	EVP_PKEY_free(root_key);
	X509_CRL_free(old);
	X509_CRL_free(crl);
	ASN1_INTEGER_free(num);
	return r;
}

/* ---- SCP03 master keys ---- */

static int
scp_json(const struct uc_keys_scp_master *k, char *out, size_t cap)
{
	char enc[33], mac[33], dek[33];
	int n;

	uc_hex_encode(k->enc, 16, enc);
	uc_hex_encode(k->mac, 16, mac);
	uc_hex_encode(k->dek, 16, dek);
	n = snprintf(out, cap,
	    "{\"kvn\": %u, \"enc\": \"%s\", \"mac\": \"%s\", \"dek\": \"%s\"}\n",
	    (unsigned)k->kvn, enc, mac, dek);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(dek, sizeof(dek));
	return n > 0 && (size_t)n < cap ? n : -1;
}

/* CMS EnvelopedData for the password recipient PASS, DER. */
static int
scp_encrypt(const char *text, size_t n, const char *pass, BIO *out)
{
	BIO *in = BIO_new_mem_buf(text, (int)n);
	CMS_ContentInfo *cms = NULL;
	unsigned char *pw = NULL;
	int ok = 0;

	if (in == NULL ||
	    (pw = (unsigned char *)OPENSSL_strdup(pass)) == NULL ||
	    (cms = CMS_encrypt(NULL, in, EVP_aes_256_cbc(),
	    CMS_BINARY | CMS_PARTIAL)) == NULL ||
	    CMS_add0_recipient_password(cms, -1, NID_undef, NID_undef, pw,
	    (ossl_ssize_t)strlen(pass), NULL) == NULL)
		goto out;
	pw = NULL; /* owned by the recipient now */
	if (CMS_final(cms, in, NULL, CMS_BINARY) != 1 ||
	    i2d_CMS_bio(out, cms) != 1)
		goto out;
	ok = 1;
out:
	if (pw != NULL)
		OPENSSL_clear_free(pw, strlen(pass));
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return ok;
}

static int
write_scp_master(const char *dir, const char *pass,
    const struct uc_keys_opts *opts, struct uc_diag *diag)
{
	struct uc_keys_scp_master k;
	char path[PATH_MAX_LEN];
	char text[256];
	BIO *b = NULL;
	int n, r = UC_ERR_CRYPTO;

	memset(&k, 0, sizeof(k));
	k.kvn = opts != NULL && opts->scp_kvn != 0 ? opts->scp_kvn : 0x30;
	if (RAND_priv_bytes(k.enc, 16) != 1 || RAND_priv_bytes(k.mac, 16) !=
	    1 || RAND_priv_bytes(k.dek, 16) != 1)
		goto out;
	if ((n = scp_json(&k, text, sizeof(text))) < 0)
		goto out;
	if (opts != NULL && (opts->flags & UC_KEYS_SCP_ENCRYPT) != 0) {
		if ((b = BIO_new(BIO_s_mem())) == NULL ||
		    !scp_encrypt(text, (size_t)n, pass, b))
			goto out;
		path_join(path, dir, "scp-master.json.p7", NULL, NULL);
		r = write_bio(path, b, 0600, 1, diag);
	} else {
		path_join(path, dir, "scp-master.json", NULL, NULL);
		r = write_file(path, text, (size_t)n, 0600, 1, diag);
	}
out:
	BIO_free(b);
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

static int
hex16(json_t *o, const char *name, uint8_t *out, const char *file,
    struct uc_diag *diag)
{
	json_t *v = json_object_get(o, name);
	size_t n = 0;

	if (!json_is_string(v) || json_string_length(v) != 32 ||
	    uc_hex_decode(json_string_value(v), out, 16, &n) != 0 || n != 16)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, name,
		    "must be 32 hex digits");
	return 0;
}

static int
scp_parse(const char *text, size_t n, const char *file,
    struct uc_keys_scp_master *out, struct uc_diag *diag)
{
	json_error_t je;
	json_t *o, *kvn;
	int r;

	o = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL)
		return uc_diag_set(diag, UC_ERR_INVALID, file,
		    (unsigned long)(je.line > 0 ? je.line : 0), NULL, "%s",
		    je.text);
	r = UC_ERR_INVALID;
	kvn = json_object_get(o, "kvn");
	if (!json_is_object(o) || json_object_size(o) != 4) {
		uc_diag_set(diag, r, file, 0, NULL,
		    "must be an object with exactly kvn, enc, mac, dek");
		goto out;
	}
	if (!json_is_integer(kvn) || json_integer_value(kvn) < 1 ||
	    json_integer_value(kvn) > 127) {
		uc_diag_set(diag, r, file, 0, "kvn", "must be 1-127");
		goto out;
	}
	out->kvn = (uint8_t)json_integer_value(kvn);
	if ((r = hex16(o, "enc", out->enc, file, diag)) != 0 ||
	    (r = hex16(o, "mac", out->mac, file, diag)) != 0 ||
	    (r = hex16(o, "dek", out->dek, file, diag)) != 0)
		goto out;
	r = 0;
out:
	json_decref(o);
	return r;
}

static int
read_small(const char *path, uint8_t *buf, size_t cap, size_t *n)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	*n = 0;
	if (f == NULL)
		return errno == ENOENT ? UC_ERR_NOT_FOUND : UC_ERR_IO;
	got = fread(buf, 1, cap, f);
	if (ferror(f) || (got == cap && fgetc(f) != EOF)) {
		fclose(f);
		return UC_ERR_TOO_LONG;
	}
	fclose(f);
	*n = got;
	return 0;
}

int
uc_keys_load_scp_master(const char *dir, const char *passphrase,
    struct uc_keys_scp_master *out, struct uc_diag *diag)
{
	char path[PATH_MAX_LEN];
	uint8_t raw[SCP_FILE_MAX];
	char text[SCP_FILE_MAX];
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *plain = NULL;
	const unsigned char *p = raw;
	size_t n = 0;
	unsigned char pw[UC_PASSPHRASE_MAX + 1];
	char *pt = NULL;
	long ptn = 0;
	int r;

	if (dir == NULL || out == NULL)
		return UC_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if ((r = path_join(path, dir, "scp-master.json.p7", NULL, NULL)) != 0)
		return r;
	r = read_small(path, raw, sizeof(raw), &n);
	if (r == UC_ERR_NOT_FOUND) {
		path_join(path, dir, "scp-master.json", NULL, NULL);
		r = read_small(path, (uint8_t *)text, sizeof(text), &n);
		if (r != 0) {
			r = uc_diag_set(diag, r, path, 0, NULL,
			    "cannot read the SCP03 master keys");
			goto out;
		}
		r = scp_parse(text, n, path, out, diag);
		goto out;
	}
	if (r != 0) {
		r = uc_diag_set(diag, r, path, 0, NULL, "cannot read");
		goto out;
	}
	if (passphrase == NULL) {
		r = uc_diag_set(diag, UC_ERR_PASSPHRASE, path, 0, NULL,
		    "passphrase needed");
		goto out;
	}
	r = UC_ERR_INVALID;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
	if (cms == NULL || p != raw + n ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_enveloped) {
		uc_diag_set(diag, r, path, 0, NULL, "not a CMS EnvelopedData");
		goto out;
	}
	r = UC_ERR_NOMEM;
	if ((plain = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	ERR_set_mark();
	if (strlen(passphrase) >= sizeof(pw)) {
		r = uc_diag_set(diag, UC_ERR_PASSPHRASE, path, 0, NULL,
		    "passphrase too long");
		goto out;
	}
	memcpy(pw, passphrase, strlen(passphrase));
	if (CMS_decrypt_set1_password(cms, pw,
	    (ossl_ssize_t)strlen(passphrase)) != 1 ||
	    CMS_decrypt(cms, NULL, NULL, NULL, plain, CMS_BINARY) != 1) {
		ERR_pop_to_mark();
		r = uc_diag_set(diag, UC_ERR_PASSPHRASE, path, 0, NULL,
		    "wrong passphrase");
		goto out;
	}
	ERR_pop_to_mark();
	ptn = BIO_get_mem_data(plain, &pt);
	if (ptn <= 0 || (size_t)ptn >= sizeof(text)) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "decrypted keys malformed");
		goto out;
	}
	r = scp_parse(pt, (size_t)ptn, path, out, diag);
out:
	if (r != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	if (pt != NULL && ptn > 0)
		OPENSSL_cleanse(pt, (size_t)ptn);
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(pw, sizeof(pw));
	BIO_free(plain);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return r;
}

/* ---- listing ---- */

static int
describe(const char *path, enum cert_kind kind, X509_CRL *crl,
    struct uc_cert_info *ci, struct uc_diag *diag)
{
	X509 *x = NULL;
	X509_REVOKED *rv = NULL;
	BIO *b = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char kpath[PATH_MAX_LEN];
	size_t plen = strlen(path);
	long n;
	char *p;
	int r;

	memset(ci, 0, sizeof(*ci));
	if ((r = load_cert(path, &x, diag)) != 0)
		return r;
	r = UC_ERR_NOMEM;
	ci->role = kind == KIND_ROOT ? UC_CERT_ROOT : kind == KIND_DOCUMENT ?
	    UC_CERT_DOCUMENT_SIGNER : UC_CERT_STATUS_LIST;
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253) < 0)
		goto out;
	n = BIO_get_mem_data(b, &p);
	if (n > 0)
		snprintf(ci->subject, sizeof(ci->subject), "%.*s", (int)n, p);
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) ==
	    NULL || (hex = BN_bn2hex(bn)) == NULL)
		goto out;
	snprintf(ci->serial_hex, sizeof(ci->serial_hex), "%s", hex);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		goto out;
	uc_hex_encode(md, 32, ci->sha256_hex);
	ci->not_before = uc_asn1_time_t(X509_get0_notBefore(x));
	ci->not_after = uc_asn1_time_t(X509_get0_notAfter(x));
	if (uc_cert_station(x, ci->station, sizeof(ci->station)) != 0)
		ci->station[0] = '\0';
	if (crl != NULL && kind != KIND_ROOT)
		ci->revoked = X509_CRL_get0_by_serial(crl, &rv,
		    X509_get_serialNumber(x)) == 1;
	if (plen > 4 && plen < sizeof(kpath)) {
		memcpy(kpath, path, plen - 4);
		memcpy(kpath + plen - 4, ".key", 5);
		ci->key_present = access(kpath, F_OK) == 0;
	}
	r = 0;
out:
	OPENSSL_free(hex);
	BN_free(bn);
	BIO_free(b);
	X509_free(x);
	return r;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
uc_keys_list(const char *dir, struct uc_cert_info **out, size_t *n,
    struct uc_diag *diag)
{
	char path[PATH_MAX_LEN];
	struct uc_cert_info *v = NULL;
	char **names = NULL;
	size_t nn = 0, cap = 0, i, count = 0;
	X509_CRL *crl = NULL;
	DIR *d = NULL;
	struct dirent *de;
	int r;

	if (dir == NULL || out == NULL || n == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	*n = 0;
	path_join(path, dir, "root.crl", NULL, NULL);
	(void)load_crl(path, &crl);
	if ((r = path_join(path, dir, "signers", NULL, NULL)) != 0)
		goto out;
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			size_t l = strlen(de->d_name);
			char **nv;

			if (l < 5 || strcmp(de->d_name + l - 4, ".pem") != 0)
				continue;
			if (nn >= SIGNERS_MAX) {
				r = UC_ERR_RANGE;
				goto out;
			}
			if (nn == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				nv = realloc(names, cap * sizeof(*names));
				if (nv == NULL) {
					r = UC_ERR_NOMEM;
					goto out;
				}
				names = nv;
			}
			if ((names[nn] = strdup(de->d_name)) == NULL) {
				r = UC_ERR_NOMEM;
				goto out;
			}
			nn++;
		}
	}
	if (nn > 0)
		qsort(names, nn, sizeof(*names), cmp_name);
	if ((v = calloc(nn + 2, sizeof(*v))) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	path_join(path, dir, "root.pem", NULL, NULL);
	if ((r = describe(path, KIND_ROOT, crl, &v[count], diag)) != 0)
		goto out;
	count++;
	path_join(path, dir, "status-list.pem", NULL, NULL);
	if (access(path, F_OK) == 0) {
		if ((r = describe(path, KIND_STATUS, crl, &v[count],
		    diag)) != 0)
			goto out;
		count++;
	}
	for (i = 0; i < nn; i++) {
		if ((r = path_join(path, dir, "signers/", names[i], NULL)) ||
		    (r = describe(path, KIND_DOCUMENT, crl, &v[count], diag)))
			goto out;
		count++;
	}
	*out = v;
	*n = count;
	v = NULL;
	r = 0;
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(v);
	X509_CRL_free(crl);
	return r;
}

/*
 * The bank-link key: 32 random bytes as 64 hex digits and a newline,
 * DIR/bank-link.key, mode 0600.  Never replaced: a new key would make
 * every PAN hash in the ledger unmatchable.
 */
int
uc_keys_new_bank_link(const char *dir, struct uc_diag *diag)
{
	char path[PATH_MAX_LEN], text[UC_BANK_LINK_KEY_LEN * 2 + 2];
	uint8_t key[UC_BANK_LINK_KEY_LEN];
	int r;

	if (dir == NULL)
		return UC_ERR_ARG;
	if ((r = path_join(path, dir, "bank-link.key", NULL, NULL)) != 0)
		return r;
	if (RAND_bytes(key, sizeof(key)) != 1)
		return UC_ERR_CRYPTO;
	uc_hex_encode(key, sizeof(key), text);
	strcat(text, "\n");
	r = write_file(path, text, strlen(text), 0600, 1, diag);
	if (r == UC_ERR_EXISTS)
		uc_diag_set(diag, r, path, 0, NULL, "a bank-link key is "
		    "already there; it is never replaced (the ledger's PAN "
		    "hashes depend on it)");
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(text, sizeof(text));
	return r;
}

int
uc_keys_load_bank_link(const char *path, uint8_t key[UC_BANK_KEY_MAX],
    size_t *len, struct uc_diag *diag)
{
	uint8_t text[512];
	size_t n = 0;
	int r;

	if (len != NULL)
		*len = 0;
	if (path == NULL || key == NULL || len == NULL)
		return UC_ERR_ARG;
	r = read_small(path, text, sizeof(text) - 1, &n);
	if (r == UC_ERR_NOT_FOUND || r == UC_ERR_IO)
		return uc_diag_set(diag, r, path, 0, NULL, "%s",
		    strerror(errno));
	if (r != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "too long for a bank-link key");
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	if (uc_hex_decode((const char *)text, key, UC_BANK_KEY_MAX, len) != 0 ||
	    *len < UC_BANK_KEY_MIN) {
		OPENSSL_cleanse(key, UC_BANK_KEY_MAX);
		*len = 0;
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "a bank-link key is %d to %d bytes written in hex",
		    UC_BANK_KEY_MIN, UC_BANK_KEY_MAX);
	}
	OPENSSL_cleanse(text, sizeof(text));
	return r;
}
