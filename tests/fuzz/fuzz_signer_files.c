/*
 * fuzz_signer_files.c - a station's signer files (keys/README.md: the
 * encrypted PKCS#8 key signers/NAME.key and its certificate NAME.pem)
 * read by uc_signer_open() on arbitrary bytes.  The first byte picks:
 *   even  the certificate is the input; the key is a real encrypted P-256
 *         key made at start (passphrase known), so a certificate that
 *         parses reaches the key/certificate match and the station
 *         extension;
 *   odd   the key file is the input, beside a real certificate, opened
 *         without a passphrase: the PEM and PKCS#8 readers run, the
 *         PBKDF2 of an encrypted key does not (its iteration count is in
 *         the file; the issuer's own file, not a card's).
 * A signer that opens has a certificate.  The two files live in one
 * temporary directory, removed at exit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "unioncard/signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASS "fuzz signer passphrase"

static char dir[96], key_path[128], cert_path[128];
static unsigned char *good_key, *good_cert;
static size_t good_key_len, good_cert_len;

static void
cleanup(void)
{
	if (dir[0] == '\0')
		return;
	(void)unlink(key_path);
	(void)unlink(cert_path);
	(void)rmdir(dir);
	free(good_key);
	free(good_cert);
}

static unsigned char *
bio_bytes(BIO *b, size_t *len)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);
	unsigned char *out;

	if (n <= 0 || (out = malloc((size_t)n)) == NULL)
		abort();
	memcpy(out, p, (size_t)n);
	*len = (size_t)n;
	return out;
}

/* A P-256 key, encrypted, and a self-signed certificate for it. */
static void
make_pair(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());

	if (k == NULL || x == NULL || kb == NULL || cb == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400L) == NULL ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"fuzz", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
	    X509_set_pubkey(x, k) != 1 || X509_sign(x, k, EVP_sha256()) <= 0 ||
	    PEM_write_bio_PKCS8PrivateKey(kb, k, EVP_aes_256_cbc(), NULL, 0,
	    NULL, (void *)PASS) != 1 || PEM_write_bio_X509(cb, x) != 1)
		abort();
	good_key = bio_bytes(kb, &good_key_len);
	good_cert = bio_bytes(cb, &good_cert_len);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
init(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/uc-fuzz-signer.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(key_path, sizeof(key_path), "%s/station.key", dir);
	snprintf(cert_path, sizeof(cert_path), "%s/station.pem", dir);
	make_pair();
}

static void
put(const char *p, const uint8_t *b, size_t n)
{
	FILE *f;

	if ((f = fopen(p, "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(b, 1, n, f) != n)
		abort();
	if (fclose(f) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_signer *s = NULL;
	struct uc_diag d;
	int r;

	if (dir[0] == '\0')
		init();
	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		put(cert_path, data + 1, size - 1);
		put(key_path, good_key, good_key_len);
		r = uc_signer_open(key_path, PASS, &s, &d);
	} else {
		put(cert_path, good_cert, good_cert_len);
		put(key_path, data + 1, size - 1);
		r = uc_signer_open(key_path, NULL, &s, &d);
	}
	if (r == 0 && (s == NULL || uc_signer_cert_ptr(s) == NULL))
		abort();
	if (r != 0 && s != NULL)
		abort();
	uc_signer_free(&s);
	return 0;
}
