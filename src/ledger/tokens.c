/*
 * tokens.c - API tokens (see uc_ledger_token_add in ledger.h): random,
 * shown once, kept as SHA-256, acting as their account.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "unioncard/ledger.h"
#include "ledger/ledger_priv.h"

#define TOKEN_PREFIX "uct_"
#define TOKEN_RANDOM 32

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
token_hash(const char *token, unsigned char out[32])
{
	unsigned int n = 0;

	return EVP_Digest(token, strlen(token), out, &n, EVP_sha256(), NULL)
	    == 1 && n == 32 ? 0 : UC_ERR_CRYPTO;
}

static int
well_formed(const char *t)
{
	size_t i;

	if (t == NULL || strlen(t) != UC_LEDGER_TOKEN_LEN ||
	    strncmp(t, TOKEN_PREFIX, 4) != 0)
		return 0;
	for (i = 4; t[i] != '\0'; i++)
		if (strchr(b64url, t[i]) == NULL)
			return 0;
	return 1;
}

/* The account named user into *id and its unit into *u. */
static int
account_unit(struct uc_ledger *l, const char *user, int64_t *id,
    struct lg_unit *u)
{
	struct lg_stmt *st = NULL;
	int64_t unit_id = 0;
	int r;

	*id = 0;
	if ((r = lg_prepare(l, &st, "SELECT id, unit_id FROM accounts"
	    " WHERE name = ?")) != 0)
		return r;
	lg_bind_text(st, 1, user);
	if (lg_step(st) == LG_ROW) {
		*id = lg_column_int64(st, 0);
		unit_id = lg_column_int64(st, 1);
	}
	lg_finalize(st);
	if (*id == 0) {
		snprintf(l->refusal, sizeof(l->refusal), "no account named %s",
		    user);
		return UC_ERR_NOT_FOUND;
	}
	return lg_unit_by_id(l, unit_id, u);
}

int
uc_ledger_token_add(struct uc_ledger *l, const char *name, const char *user,
    char token[UC_LEDGER_TOKEN_LEN + 1])
{
	unsigned char rnd[TOKEN_RANDOM + 1], h[32];
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char now[32], details[128];
	int64_t acct = 0;
	size_t i, k;
	int r;

	if (token != NULL)
		memset(token, 0, UC_LEDGER_TOKEN_LEN + 1);
	if (l == NULL || token == NULL || !lg_valid_user(name) ||
	    !lg_valid_user(user))
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	memset(&u, 0, sizeof(u));
	if ((r = lg_need_actor(l)) != 0 ||
	    (r = account_unit(l, user, &acct, &u)) != 0 ||
	    (r = lg_need(l, UC_ROLE_ADMIN, &u)) != 0 ||
	    (r = lg_need_grantor(l, &u)) != 0)
		goto out;
	/* 32 random bytes as 43 base64url characters (6 bits each; the
	 * 33rd byte pads the last group) */
	rnd[TOKEN_RANDOM] = 0;
	if (RAND_bytes(rnd, TOKEN_RANDOM) != 1) {
		r = UC_ERR_CRYPTO;
		goto out;
	}
	memcpy(token, TOKEN_PREFIX, 4);
	for (i = 0, k = 4; k < UC_LEDGER_TOKEN_LEN; i += 3) {
		unsigned v = (unsigned)rnd[i] << 16 |
		    (unsigned)(i + 1 < sizeof(rnd) ? rnd[i + 1] : 0) << 8 |
		    (unsigned)(i + 2 < sizeof(rnd) ? rnd[i + 2] : 0);
		int j;

		for (j = 18; j >= 0 && k < UC_LEDGER_TOKEN_LEN; j -= 6)
			token[k++] = b64url[(v >> j) & 63];
	}
	token[UC_LEDGER_TOKEN_LEN] = '\0';
	if ((r = token_hash(token, h)) != 0)
		goto out;
	lg_now(now);
	if ((r = lg_prepare(l, &st, "INSERT INTO api_tokens(name, account_id,"
	    " sha256, created_at) VALUES (?, ?, ?, ?)")) != 0)
		goto out;
	lg_bind_text(st, 1, name);
	lg_bind_int64(st, 2, acct);
	lg_bind_blob(st, 3, h, (int)sizeof(h));
	lg_bind_text(st, 4, now);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	if (r == UC_ERR_CONFLICT) {
		snprintf(l->refusal, sizeof(l->refusal), "a token named %s"
		    " already exists", name);
		r = UC_ERR_EXISTS;
	}
	if (r != 0)
		goto out;
	snprintf(details, sizeof(details), "account=%s", user);
	r = lg_audit(l, "token.add", u.code, name, details);
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(h, sizeof(h));
	if (r != 0)
		OPENSSL_cleanse(token, UC_LEDGER_TOKEN_LEN + 1);
	return lg_end(l, r, "token.add", u.code[0] != '\0' ? u.code : NULL,
	    name);
}

int
uc_ledger_token_revoke(struct uc_ledger *l, const char *name)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char user[UC_LEDGER_USER_MAX + 1] = "", now[32];
	int64_t acct = 0;
	int r;

	if (l == NULL || !lg_valid_user(name))
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	memset(&u, 0, sizeof(u));
	if ((r = lg_need_actor(l)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "SELECT a.name FROM api_tokens t JOIN"
	    " accounts a ON a.id = t.account_id WHERE t.name = ?"
	    " AND t.revoked_at IS NULL")) != 0)
		goto out;
	lg_bind_text(st, 1, name);
	if (lg_step(st) == LG_ROW)
		snprintf(user, sizeof(user), "%s",
		    (const char *)lg_column_text(st, 0));
	lg_finalize(st);
	if (user[0] == '\0') {
		snprintf(l->refusal, sizeof(l->refusal), "no live token named"
		    " %s", name);
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = account_unit(l, user, &acct, &u)) != 0 ||
	    (r = lg_need(l, UC_ROLE_ADMIN, &u)) != 0 ||
	    (r = lg_need_grantor(l, &u)) != 0)
		goto out;
	lg_now(now);
	if ((r = lg_prepare(l, &st, "UPDATE api_tokens SET revoked_at = ?"
	    " WHERE name = ?")) != 0)
		goto out;
	lg_bind_text(st, 1, now);
	lg_bind_text(st, 2, name);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	if (r == 0)
		r = lg_audit(l, "token.revoke", u.code, name, NULL);
out:
	return lg_end(l, r, "token.revoke", u.code[0] != '\0' ? u.code : NULL,
	    name);
}

int
uc_ledger_token_login(struct uc_ledger *l, const char *token)
{
	struct lg_stmt *st = NULL;
	unsigned char h[32];
	char user[UC_LEDGER_USER_MAX + 1] = "";
	int64_t id = 0, unit_id = 0, locked = 0, now = (int64_t)time(NULL);
	int role = 0, disabled = 0, r;

	if (l == NULL)
		return UC_ERR_ARG;
	l->acct_id = 0;
	l->acct_role = 0;
	l->acct_name[0] = '\0';
	l->refusal[0] = '\0';
	memset(&l->acct_unit, 0, sizeof(l->acct_unit));
	if (!well_formed(token)) {
		snprintf(l->refusal, sizeof(l->refusal), "not a token");
		return UC_ERR_AUTH;
	}
	if ((r = token_hash(token, h)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT a.id, a.unit_id, a.role, a.name,"
	    " a.disabled, coalesce(a.locked_until, 0) FROM api_tokens t"
	    " JOIN accounts a ON a.id = t.account_id WHERE t.sha256 = ?"
	    " AND t.revoked_at IS NULL")) != 0)
		return r;
	lg_bind_blob(st, 1, h, (int)sizeof(h));
	if (lg_step(st) == LG_ROW) {
		id = lg_column_int64(st, 0);
		unit_id = lg_column_int64(st, 1);
		role = uc_ledger_role_parse(
		    (const char *)lg_column_text(st, 2));
		snprintf(user, sizeof(user), "%s",
		    (const char *)lg_column_text(st, 3));
		disabled = lg_column_int(st, 4);
		locked = lg_column_int64(st, 5);
	}
	lg_finalize(st);
	OPENSSL_cleanse(h, sizeof(h));
	if (id == 0 || role == 0) {
		snprintf(l->refusal, sizeof(l->refusal), "unknown or revoked"
		    " token");
		return UC_ERR_AUTH;
	}
	if (disabled || locked > now) {
		snprintf(l->refusal, sizeof(l->refusal), "account %s is %s",
		    user, disabled ? "disabled" : "locked");
		return UC_ERR_AUTH;
	}
	if ((r = lg_unit_by_id(l, unit_id, &l->acct_unit)) != 0)
		return UC_ERR_AUTH;
	l->acct_id = id;
	l->acct_role = role;
	snprintf(l->acct_name, sizeof(l->acct_name), "%s", user);
	return 0;
}
