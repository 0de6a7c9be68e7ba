/*
 * signer.c - the signer interface: choose a backend from the spec string,
 * check what it opened, and sign digests through the EVP_PKEY.
 *
 * Both backends end up with an EVP_PKEY (a real key, or libp11's handle
 * that forwards to the token), so signing itself is common code.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "signing_impl.h"

int
uc_signing_buf_set(struct uc_buf *b, const void *p, size_t n)
{
	uc_buf_reset(b);
	return uc_buf_append(b, p, n);
}

int
uc_signer_open(const char *spec, const char *passphrase,
    struct uc_signer **out, struct uc_diag *diag)
{
	return uc_signer_open_ex(spec, passphrase, NULL, out, diag);
}

int
uc_signer_open_ex(const char *spec, const char *passphrase,
    const char *pkcs11_module, struct uc_signer **out, struct uc_diag *diag)
{
	if (out != NULL)
		*out = NULL;
	if (spec == NULL || out == NULL)
		return UC_ERR_ARG;
	if (spec[0] == '\0' || strlen(spec) > UC_SIGNER_SPEC_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "signer",
		    "signer spec is empty or longer than %d bytes",
		    UC_SIGNER_SPEC_MAX);
	if (strncmp(spec, "pkcs11:", 7) == 0)
		return uc_signer_pkcs11_open(spec, passphrase, pkcs11_module,
		    out, diag);
	return uc_signer_file_open(spec, passphrase, out, diag);
}

int
uc_signer_spec_check(const char *spec, struct uc_diag *diag)
{
	size_t n;

	uc_diag_clear(diag);
	if (spec == NULL)
		return UC_ERR_ARG;
	n = strlen(spec);
	if (n == 0 || n > UC_SIGNER_SPEC_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "signer",
		    "signer spec is empty or longer than %d bytes",
		    UC_SIGNER_SPEC_MAX);
	if (strncmp(spec, "pkcs11:", 7) == 0)
		return uc_signer_pkcs11_uri_check(spec, diag);
	if (n < 5 || strcmp(spec + n - 4, ".key") != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, spec, 0, "signer",
		    "a signer key file must end in .key (certificate in .pem)");
	return 0;
}

void
uc_signer_free(struct uc_signer **sp)
{
	struct uc_signer *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	/* The key must go before the backend that it may point into. */
	EVP_PKEY_free(s->pkey);
	X509_free(s->cert);
	s->pkey = NULL;
	s->cert = NULL;
	if (s->ops != NULL && s->ops->destroy != NULL)
		s->ops->destroy(s);
	OPENSSL_cleanse(s, sizeof(*s));
	OPENSSL_free(s);
	*sp = NULL;
}

/*
 * Checks common to every backend: a P-256 key, a certificate whose public
 * key is the key's, and the station name out of the certificate.
 */
int
uc_signer_finish(struct uc_signer *s, struct uc_diag *diag)
{
	EVP_PKEY *certkey;
	char group[32];
	size_t glen = 0;
	int r;

	if (s->cert == NULL || s->pkey == NULL)
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "signer",
		    "signer has no key or no certificate");
	certkey = X509_get0_pubkey(s->cert);
	if (certkey == NULL || EVP_PKEY_get_base_id(certkey) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(certkey, "group", group,
	    sizeof(group), &glen) != 1 || strcmp(group, "prime256v1") != 0)
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "signer",
		    "signer certificate does not hold an EC P-256 key");
	if (EVP_PKEY_get_base_id(s->pkey) != EVP_PKEY_EC)
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "signer",
		    "signer key is not an EC key");
	if (X509_check_private_key(s->cert, s->pkey) != 1)
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "signer",
		    "signer key does not match its certificate");
	if ((r = uc_cert_station(s->cert, s->station,
	    sizeof(s->station))) != 0)
		return uc_diag_set(diag, r, NULL, 0, "signer",
		    "malformed station extension in signer certificate");
	return 0;
}

int
uc_signer_sign_evp(struct uc_signer *s, const uint8_t *digest, size_t len,
    struct uc_buf *sig)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t der[UC_ECDSA_P256_SIG_MAX + 8];
	size_t dlen = sizeof(der);
	int r = UC_ERR_CRYPTO;

	if ((ctx = EVP_PKEY_CTX_new(s->pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_sign(ctx, der, &dlen, digest, len) != 1)
		goto out;
	r = uc_signing_buf_set(sig, der, dlen);
out:
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int
uc_signer_sign_digest(struct uc_signer *s, const uint8_t *digest,
    size_t digest_len, struct uc_buf *sig)
{
	if (s == NULL || digest == NULL || sig == NULL || s->ops == NULL)
		return UC_ERR_ARG;
	if (digest_len != 32)
		return UC_ERR_ARG;
	return s->ops->sign_digest(s, digest, digest_len, sig);
}

X509 *
uc_signer_cert_ptr(const struct uc_signer *s)
{
	return s != NULL ? s->cert : NULL;
}

EVP_PKEY *
uc_signer_pkey_ptr(const struct uc_signer *s)
{
	return s != NULL ? s->pkey : NULL;
}

const char *
uc_signer_kind(const struct uc_signer *s)
{
	return s != NULL && s->ops != NULL ? s->ops->kind : "";
}

const char *
uc_signer_station_ptr(const struct uc_signer *s)
{
	return s != NULL ? s->station : "";
}

int
uc_signer_check_until(const struct uc_signer *s, time_t until,
    const char *what, struct uc_diag *diag)
{
	X509 *cert;
	char end[32], name[UC_STATION_MAX + 1];
	time_t not_after;

	if (s == NULL || (cert = uc_signer_cert_ptr(s)) == NULL)
		return UC_ERR_ARG;
	not_after = uc_asn1_time_t(X509_get0_notAfter(cert));
	if (not_after != 0 && until <= not_after)
		return 0;
	uc_asn1_time_date(X509_get0_notAfter(cert), end, sizeof(end));
	if (uc_cert_station(cert, name, sizeof(name)) != 0 || name[0] == '\0')
		snprintf(name, sizeof(name), "%s", "status-list");
	return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "signer", "the %s "
	    "signer's certificate ends on %s, before %s: refusing to sign "
	    "what would outlive its signer (a new signer is needed, "
	    "keys/README.md \"Lifetimes\")", name, end,
	    what != NULL ? what : "what it would sign");
}
