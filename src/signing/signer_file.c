/*
 * signer_file.c - a signer whose key is an encrypted PEM file on disk, the
 * certificate beside it (station.key + station.pem).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signing_impl.h"

static int
file_sign(struct uc_signer *s, const uint8_t *digest, size_t len,
    struct uc_buf *sig)
{
	return uc_signer_sign_evp(s, digest, len, sig);
}

static void
file_destroy(struct uc_signer *s)
{
	(void)s;
}

static const struct uc_signer_ops file_ops = {
	"file",
	file_sign,
	file_destroy,
};

static int
load_cert(const char *path, X509 **out, struct uc_diag *diag)
{
	FILE *f;
	X509 *x;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "cannot open certificate: %s",
		    strerror(errno));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "not a PEM certificate");
	*out = x;
	return 0;
}

int
uc_signer_file_open(const char *path, const char *passphrase,
    struct uc_signer **out, struct uc_diag *diag)
{
	struct uc_signer *s = NULL;
	char certpath[UC_SIGNER_SPEC_MAX + 8];
	size_t n = strlen(path);
	int r;

	*out = NULL;
	if (n < 5 || strcmp(path + n - 4, ".key") != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, "signer",
		    "a signer key file must end in .key (certificate in .pem)");
	memcpy(certpath, path, n - 4);
	memcpy(certpath + n - 4, ".pem", 5);

	if ((s = OPENSSL_zalloc(sizeof(*s))) == NULL)
		return UC_ERR_NOMEM;
	s->ops = &file_ops;
	if ((r = load_cert(certpath, &s->cert, diag)) != 0)
		goto out;
	if ((r = uc_keys_load_private(path, passphrase, &s->pkey, diag)) != 0)
		goto out;
	if ((r = uc_signer_finish(s, diag)) != 0)
		goto out;
	*out = s;
	s = NULL;
	r = 0;
out:
	uc_signer_free(&s);
	return r;
}
