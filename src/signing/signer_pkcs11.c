/*
 * signer_pkcs11.c - a signer whose key stays in a PKCS#11 token (an HSM,
 * or SoftHSM2 in tests), through libp11.
 *
 * libp11's PKCS11_get_private_key() gives an EVP_PKEY whose EC method
 * forwards signing to the token; OpenSSL 3.0 keeps such keys on its legacy
 * path, so CMS_sign and EVP_PKEY_sign work unchanged.  The EVP_PKEY must
 * be freed before the module is unloaded (uc_signer_free does).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "config.h"
#include "signing_impl.h"

#if UC_HAVE_PKCS11

#include <libp11.h>

#define URI_VALUE_MAX 256

struct p11_uri {
	char token[URI_VALUE_MAX];
	char object[URI_VALUE_MAX];
	uint8_t id[URI_VALUE_MAX];
	size_t id_len;
	char pin[URI_VALUE_MAX];
	char module[URI_VALUE_MAX];
	int has_pin;
};

struct p11_state {
	PKCS11_CTX *ctx;
	PKCS11_SLOT *slots;
	unsigned int nslots;
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode V[N] into OUT (CAP bytes); *OUT_LEN without the NUL. */
static int
pct_decode(const char *v, size_t n, uint8_t *out, size_t cap,
    size_t *out_len)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)v[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return UC_ERR_INVALID;
			h = hexval(v[i + 1]);
			l = hexval(v[i + 2]);
			if (h < 0 || l < 0)
				return UC_ERR_INVALID;
			c = h << 4 | l;
			i += 2;
		}
		if (o + 1 >= cap)
			return UC_ERR_INVALID;
		out[o++] = (uint8_t)c;
	}
	out[o] = 0;
	*out_len = o;
	return 0;
}

static int
set_str(char *dst, const char *v, size_t n)
{
	size_t len;

	if (pct_decode(v, n, (uint8_t *)dst, URI_VALUE_MAX, &len) != 0 ||
	    strlen(dst) != len)
		return UC_ERR_INVALID;
	return 0;
}

static int
parse_uri(const char *uri, struct p11_uri *u, struct uc_diag *diag)
{
	const char *p = uri + 7, *end, *eq;
	size_t n;
	int r = 0;

	memset(u, 0, sizeof(*u));
	while (*p != '\0' && r == 0) {
		end = p + strcspn(p, ";?&");
		eq = memchr(p, '=', (size_t)(end - p));
		if (end == p) {
			p++;
			continue;
		}
		if (eq == NULL)
			return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0,
			    "pkcs11", "attribute without '=' in URI");
		n = (size_t)(end - eq - 1);
		if (strncmp(p, "token=", 6) == 0)
			r = set_str(u->token, eq + 1, n);
		else if (strncmp(p, "object=", 7) == 0)
			r = set_str(u->object, eq + 1, n);
		else if (strncmp(p, "id=", 3) == 0)
			r = pct_decode(eq + 1, n, u->id, sizeof(u->id),
			    &u->id_len);
		else if (strncmp(p, "pin-value=", 10) == 0) {
			r = set_str(u->pin, eq + 1, n);
			u->has_pin = 1;
		} else if (strncmp(p, "module-path=", 12) == 0)
			r = set_str(u->module, eq + 1, n);
		/* Other attributes (type=, manufacturer=, ...) are ignored. */
		p = *end != '\0' ? end + 1 : end;
	}
	if (r != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "pkcs11",
		    "malformed value in PKCS#11 URI");
	if (u->object[0] == '\0' && u->id_len == 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "pkcs11",
		    "PKCS#11 URI names no object= or id=");
	return 0;
}

static int
match(const char *label, const unsigned char *id, size_t id_len,
    const struct p11_uri *u)
{
	if (u->object[0] != '\0' && (label == NULL ||
	    strcmp(label, u->object) != 0))
		return 0;
	if (u->id_len != 0 && (id == NULL || id_len != u->id_len ||
	    memcmp(id, u->id, id_len) != 0))
		return 0;
	return 1;
}

static int
p11_sign(struct uc_signer *s, const uint8_t *digest, size_t len,
    struct uc_buf *sig)
{
	return uc_signer_sign_evp(s, digest, len, sig);
}

static void
p11_destroy(struct uc_signer *s)
{
	struct p11_state *st = s->impl;

	if (st == NULL)
		return;
	if (st->slots != NULL)
		PKCS11_release_all_slots(st->ctx, st->slots, st->nslots);
	if (st->ctx != NULL) {
		PKCS11_CTX_unload(st->ctx);
		PKCS11_CTX_free(st->ctx);
	}
	OPENSSL_free(st);
	s->impl = NULL;
}

static const struct uc_signer_ops p11_ops = {
	"pkcs11",
	p11_sign,
	p11_destroy,
};

int
uc_signer_pkcs11_open(const char *uri, const char *pin,
    const char *default_module, struct uc_signer **out, struct uc_diag *diag)
{
	struct p11_uri u;
	struct uc_signer *s = NULL;
	struct p11_state *st;
	PKCS11_SLOT *slot = NULL;
	PKCS11_KEY *keys = NULL, *key = NULL;
	PKCS11_CERT *certs = NULL;
	unsigned int i, nkeys = 0, ncerts = 0;
	const char *module, *use_pin;
	int r;

	*out = NULL;
	if ((r = parse_uri(uri, &u, diag)) != 0)
		goto out;
	module = u.module[0] != '\0' ? u.module :
	    default_module != NULL && default_module[0] != '\0' ?
	    default_module : UC_PKCS11_DEFAULT_MODULE;
	use_pin = u.has_pin ? u.pin : pin;

	r = UC_ERR_NOMEM;
	if ((s = OPENSSL_zalloc(sizeof(*s))) == NULL ||
	    (st = OPENSSL_zalloc(sizeof(*st))) == NULL)
		goto out;
	s->ops = &p11_ops;
	s->impl = st;
	if ((st->ctx = PKCS11_CTX_new()) == NULL)
		goto out;
	if (PKCS11_CTX_load(st->ctx, module) != 0) {
		/* Unloading a context that never loaded is not allowed. */
		PKCS11_CTX_free(st->ctx);
		st->ctx = NULL;
		r = uc_diag_set(diag, UC_ERR_NOT_FOUND, module, 0, "pkcs11",
		    "cannot load the PKCS#11 module");
		goto out;
	}
	if (PKCS11_enumerate_slots(st->ctx, &st->slots, &st->nslots) != 0) {
		r = uc_diag_set(diag, UC_ERR_KEY, module, 0, "pkcs11",
		    "cannot list the module's slots");
		goto out;
	}
	for (i = 0; i < st->nslots && slot == NULL; i++) {
		PKCS11_SLOT *sl = &st->slots[i];

		if (sl->token != NULL && sl->token->initialized &&
		    (u.token[0] == '\0' || (sl->token->label != NULL &&
		    strcmp(sl->token->label, u.token) == 0)))
			slot = sl;
	}
	if (slot == NULL) {
		r = uc_diag_set(diag, UC_ERR_NOT_FOUND, NULL, 0, "token",
		    "no initialized token '%s'", u.token);
		goto out;
	}
	if (slot->token->loginRequired) {
		if (use_pin == NULL || use_pin[0] == '\0') {
			r = uc_diag_set(diag, UC_ERR_PASSPHRASE, NULL, 0,
			    "pin", "the token needs a PIN");
			goto out;
		}
		if (PKCS11_login(slot, 0, use_pin) != 0) {
			r = uc_diag_set(diag, UC_ERR_PASSPHRASE, NULL, 0,
			    "pin", "token login failed (wrong PIN?)");
			goto out;
		}
	}
	if (PKCS11_enumerate_keys(slot->token, &keys, &nkeys) != 0)
		nkeys = 0;
	for (i = 0; i < nkeys && key == NULL; i++) {
		if (keys[i].isPrivate && match(keys[i].label, keys[i].id,
		    keys[i].id_len, &u))
			key = &keys[i];
	}
	if (key == NULL) {
		r = uc_diag_set(diag, UC_ERR_NOT_FOUND, NULL, 0, "object",
		    "no private key '%s' on token '%s'", u.object, u.token);
		goto out;
	}
	if (PKCS11_enumerate_certs(slot->token, &certs, &ncerts) != 0)
		ncerts = 0;
	for (i = 0; i < ncerts && s->cert == NULL; i++) {
		if (certs[i].x509 != NULL && match(certs[i].label, certs[i].id,
		    certs[i].id_len, &u) &&
		    (s->cert = X509_dup(certs[i].x509)) == NULL) {
			r = UC_ERR_NOMEM;
			goto out;
		}
	}
	if (s->cert == NULL) {
		r = uc_diag_set(diag, UC_ERR_NOT_FOUND, NULL, 0, "object",
		    "no certificate '%s' on token '%s'", u.object, u.token);
		goto out;
	}
	if ((s->pkey = PKCS11_get_private_key(key)) == NULL) {
		r = uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "object",
		    "the token refused the key");
		goto out;
	}
	if ((r = uc_signer_finish(s, diag)) != 0)
		goto out;
	*out = s;
	s = NULL;
	r = 0;
out:
	OPENSSL_cleanse(&u, sizeof(u));
	uc_signer_free(&s);
	return r;
}

int
uc_signer_pkcs11_uri_check(const char *uri, struct uc_diag *diag)
{
	struct p11_uri u;
	int r;

	r = parse_uri(uri, &u, diag);
	OPENSSL_cleanse(&u, sizeof(u));
	return r;
}

#else /* !UC_HAVE_PKCS11 */

int
uc_signer_pkcs11_uri_check(const char *uri, struct uc_diag *diag)
{
	(void)uri;
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, NULL, 0, "signer",
	    "this build has no PKCS#11 support (libp11 not found)");
}

int
uc_signer_pkcs11_open(const char *uri, const char *pin,
    const char *default_module, struct uc_signer **out, struct uc_diag *diag)
{
	(void)uri;
	(void)pin;
	(void)default_module;
	*out = NULL;
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, NULL, 0, "signer",
	    "this build has no PKCS#11 support (libp11 not found)");
}

#endif
