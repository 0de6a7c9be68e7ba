/*
 * accounts.c - managing accounts after they are made: the password rule,
 * listing, changing and resetting passwords, disabling and enabling.
 * Making an account and logging in are in ledger.c.
 *
 * Who may manage an account is one rule (lg_need_grantor): an admin of
 * the root, or an admin of a unit strictly above the account's unit.  An
 * account changes its own password by logging in with the old one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/ledger.h"
#include "ledger/ledger_priv.h"

/*
 * The commonest passwords of at least UC_LEDGER_PASSWORD_MIN characters
 * (from the published lists of leaked passwords, and their Vietnamese
 * counterparts: "matkhau" is "password").  Compared without case.
 */
static const char *const common[] = {
	"0123456789", "1029384756", "1111111111", "1122334455",
	"1234512345", "1234554321", "1234567890", "12345678910",
	"123456789a", "123456789q", "1234567890a", "1234qwer!@#$",
	"123123123123", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx3edc",
	"2222222222", "5555555555", "7777777777", "8888888888",
	"9876543210", "a123456789", "a1234567890", "abc1234567",
	"abcd123456", "abcdefghij", "administrator", "asdfghjkl1",
	"asdfghjkl;", "baseball123", "changeme123", "congdoan123",
	"congdoan2021", "dragon1234", "football123", "iloveyou12",
	"iloveyou123", "letmein123", "matkhau123", "matkhau1234",
	"matkhau12345", "monkey1234", "passw0rd123", "password01",
	"password12", "password123", "password1234", "password2021",
	"password2024", "password2025", "password2026", "princess123",
	"q1w2e3r4t5", "qazwsxedc123", "qwerty1234", "qwerty12345",
	"qwerty123456", "qwertyuiop", "qwertyuiop123", "sunshine123",
	"superman123", "trustno1234", "vietnam123", "vietnam1234",
	"welcome123", "welcome1234", "zaq12wsxcde", "zxcvbnm123",
	"zxcvbnm1234", "zxcvbnmasd",
};

static int
same_nocase(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int
uc_ledger_password_check(const char *user, const char *password, char *why,
    size_t cap)
{
	size_t n, i;
	int one_char = 1;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (password == NULL)
		return UC_ERR_ARG;
	n = strlen(password);
	if (n < UC_LEDGER_PASSWORD_MIN) {
		if (why != NULL)
			snprintf(why, cap, "the password has %zu characters;"
			    " at least %d are needed", n,
			    UC_LEDGER_PASSWORD_MIN);
		return UC_ERR_INVALID;
	}
	if (n > UC_LEDGER_PASSWORD_MAX) {
		if (why != NULL)
			snprintf(why, cap, "the password is longer than %d"
			    " bytes", UC_LEDGER_PASSWORD_MAX);
		return UC_ERR_INVALID;
	}
	for (i = 1; i < n; i++)
		if (password[i] != password[0])
			one_char = 0;
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (same_nocase(password, common[i]))
			break;
	if (one_char || i < sizeof(common) / sizeof(common[0]) ||
	    (user != NULL && same_nocase(password, user))) {
		if (why != NULL)
			snprintf(why, cap, "the password is one of the"
			    " commonest (or the account's name): choose"
			    " another");
		return UC_ERR_INVALID;
	}
	return 0;
}

/* Account user's id and unit, for managing it. */
static int
account_find(struct uc_ledger *l, const char *user, int64_t *id,
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
		snprintf(l->refusal, sizeof(l->refusal), "no account named"
		    " %s", user);
		return UC_ERR_NOT_FOUND;
	}
	return lg_unit_by_id(l, unit_id, u);
}

static int
update_account(struct uc_ledger *l, const char *sql, int64_t id,
    const char *text)
{
	struct lg_stmt *st = NULL;
	int r;

	if ((r = lg_prepare(l, &st, sql)) != 0)
		return r;
	lg_bind_int64(st, 1, id);
	if (text != NULL)
		lg_bind_text(st, 2, text);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	return r;
}

int
uc_ledger_account_passwd(struct uc_ledger *l, const char *user,
    const char *password)
{
	struct lg_unit u;
	char hash[256];
	const char *who, *action;
	int64_t id = 0;
	int r;

	if (l == NULL || password == NULL ||
	    (user != NULL && !lg_valid_user(user)))
		return UC_ERR_ARG;
	who = user != NULL ? user : l->acct_name;
	hash[0] = '\0';
	memset(&u, 0, sizeof(u));
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_need_actor(l)) != 0)
		goto out;
	if (strcmp(who, l->acct_name) == 0) {
		/* Its own: the actor logged in with the old password. */
		action = "account.passwd";
		id = l->acct_id;
		u = l->acct_unit;
	} else {
		action = "account.reset";
		if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0 ||
		    (r = account_find(l, who, &id, &u)) != 0 ||
		    (r = lg_need_grantor(l, &u)) != 0)
			goto out;
	}
	if ((r = uc_ledger_password_check(who, password, l->refusal,
	    sizeof(l->refusal))) != 0)
		goto out;
	if ((r = lg_pw_hash(password, l->kdf_iter, hash, sizeof(hash))) != 0)
		goto out;
	/* A new password also ends a lock: its owner (or an admin) knows it. */
	if ((r = update_account(l, "UPDATE accounts SET pw_hash = ?2,"
	    " failed_logins = 0, locked_until = NULL WHERE id = ?1", id,
	    hash)) != 0)
		goto out;
	r = lg_audit(l, action, u.code, who, "password set");
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	return lg_end(l, r, strcmp(who, l->acct_name) == 0 ?
	    "account.passwd" : "account.reset", u.code[0] ? u.code : NULL,
	    who);
}

int
uc_ledger_account_set_disabled(struct uc_ledger *l, const char *user,
    int disabled)
{
	const char *action = disabled ? "account.disable" : "account.enable";
	struct lg_unit u;
	int64_t id = 0;
	int r;

	if (l == NULL || !lg_valid_user(user))
		return UC_ERR_ARG;
	memset(&u, 0, sizeof(u));
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0 ||
	    (r = account_find(l, user, &id, &u)) != 0 ||
	    (r = lg_need_grantor(l, &u)) != 0)
		goto out;
	if (id == l->acct_id) {
		snprintf(l->refusal, sizeof(l->refusal), "an admin may not"
		    " disable or enable its own account");
		r = UC_ERR_PERM;
		goto out;
	}
	/* Enabling also lifts a lock: the admin vouches for the owner. */
	if ((r = update_account(l, disabled ? "UPDATE accounts SET"
	    " disabled = 1 WHERE id = ?1" : "UPDATE accounts SET disabled = 0,"
	    " failed_logins = 0, locked_until = NULL WHERE id = ?1", id,
	    NULL)) != 0)
		goto out;
	r = lg_audit(l, action, u.code, user, disabled ? "disabled" :
	    "enabled");
out:
	return lg_end(l, r, action, u.code[0] ? u.code : NULL, user);
}

int
uc_ledger_account_each(struct uc_ledger *l, uc_ledger_account_fn fn,
    void *ctx)
{
	struct uc_ledger_account a;
	struct lg_stmt *st = NULL;
	const char *t;
	int64_t locked;
	int r;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT a.name, u.code, a.role, a.disabled,"
	    " a.failed_logins, coalesce(a.locked_until, 0),"
	    " coalesce(a.locked_until, 0) >"
	    " CAST(strftime('%s', 'now') AS INTEGER), a.created_at"
	    " FROM accounts a JOIN units u ON u.id = a.unit_id"
	    " WHERE substr(u.path, 1, ?2) = ?1 ORDER BY u.path, a.name")) != 0)
		return r;
	lg_bind_scope(l, st);
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&a, 0, sizeof(a));
		a.role = uc_ledger_role_parse(
		    (const char *)lg_column_text(st, 2));
		a.status = lg_column_int(st, 3) ? UC_ACCOUNT_DISABLED :
		    lg_column_int(st, 6) ? UC_ACCOUNT_LOCKED :
		    UC_ACCOUNT_ACTIVE;
		a.failed_logins = lg_column_int(st, 4);
		if ((locked = lg_column_int64(st, 5)) > 0)
			lg_utc(locked, a.locked_until);
		r = UC_ERR_LEDGER;
		if (a.role == 0)
			break;
		if ((t = (const char *)lg_column_text(st, 0)) == NULL ||
		    strlen(t) >= sizeof(a.name))
			break;
		memcpy(a.name, t, strlen(t) + 1);
		if ((t = (const char *)lg_column_text(st, 1)) == NULL ||
		    strlen(t) >= sizeof(a.unit))
			break;
		memcpy(a.unit, t, strlen(t) + 1);
		if ((t = (const char *)lg_column_text(st, 7)) == NULL ||
		    strlen(t) >= sizeof(a.created_at))
			break;
		memcpy(a.created_at, t, strlen(t) + 1);
		r = LG_ROW;
		if (fn != NULL && (r = fn(ctx, &a)) != 0)
			break;
		r = LG_ROW;
	}
	lg_finalize(st);
	OPENSSL_cleanse(&a, sizeof(a));
	return lg_err(r);
}
