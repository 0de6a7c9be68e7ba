/*
 * ledger.c - opening the ledger, migrations, transactions, the audit
 * chain, accounts and logging in.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "ledger/ledger_priv.h"
#include "ledger/schema.h"

#define PBKDF2_ITER_DEFAULT 600000u
#define PBKDF2_ITER_MIN 1000u
#define PBKDF2_ITER_MAX 100000000u
#define PBKDF2_SALT_LEN 16
#define PBKDF2_HASH_LEN 32
#define HASH_LEN 32
/* Logins: a locked account waits LOCK_BASE_S, doubling, at most a day. */
#define LOCK_BASE_S 60
#define LOCK_MAX_S 86400
#define LOGIN_AUDIT_PER_HOUR 20

int
lg_exec(struct uc_ledger *l, const char *sql)
{
	return lg_db_exec(l->db, sql);
}

int
lg_prepare(struct uc_ledger *l, struct lg_stmt **st, const char *sql)
{
	*st = NULL;
	return lg_db_prepare(l->db, st, sql);
}

int
lg_bind_text(struct lg_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return lg_bind_null(st, i);
	return lg_bind_textn(st, i, s, -1);
}

void
lg_bind_scope(struct uc_ledger *l, struct lg_stmt *st)
{
	lg_bind_text(st, 1, l->acct_unit.path);
	lg_bind_int(st, 2, (int)strlen(l->acct_unit.path));
}

int
lg_begin(struct uc_ledger *l)
{
	int r;

	if (l == NULL || l->db == NULL)
		return UC_ERR_ARG;
	if (l->in_tx)
		return UC_ERR_STATE;
	/* IMMEDIATE: take the write lock now, so a busy ledger fails before
	 * any work rather than at commit. */
	r = lg_db_begin_write(l->db);
	if (r == 0)
		l->in_tx = 1;
	l->refusal[0] = '\0';
	return r;
}

const struct uc_diag *
uc_ledger_diag(const struct uc_ledger *l, struct uc_diag *d)
{
	uc_diag_clear(d);
	if (d != NULL && l != NULL)
		snprintf(d->msg, sizeof(d->msg), "%s", l->refusal);
	return d;
}

int
lg_commit(struct uc_ledger *l)
{
	int r = lg_db_commit(l->db);

	if (r == 0)
		l->in_tx = 0;
	return r;
}

void
lg_rollback(struct uc_ledger *l)
{
	if (l->in_tx)
		lg_db_rollback(l->db);
	l->in_tx = 0;
}

int
lg_end(struct uc_ledger *l, int r, const char *action, const char *unit_code,
    const char *object)
{
	if (r == 0) {
		r = lg_commit(l);
		if (r == 0)
			return 0;
	}
	lg_rollback(l);
	if (r == UC_ERR_PERM)
		lg_refused(l, action, unit_code, object);
	return r;
}

void
lg_refused(struct uc_ledger *l, const char *action, const char *unit_code,
    const char *object)
{
	char act[96], why[sizeof(l->refusal)];

	/* The refusal must outlive any rollback: its own transaction. */
	snprintf(act, sizeof(act), "refused:%s", action);
	memcpy(why, l->refusal, sizeof(why));
	if (l->in_tx || lg_begin(l) != 0)
		return;
	memcpy(l->refusal, why, sizeof(why));
	if (lg_audit(l, act, unit_code, object, why) != 0 || lg_commit(l) != 0)
		lg_rollback(l);
}

void
lg_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
lg_parse_day(const char *s, int32_t *day)
{
	*day = 0;
	if (s == NULL)
		return UC_ERR_ARG;
	return uc_date_parse(s, strlen(s), day);
}

int32_t
lg_today(const struct uc_ledger *l)
{
	if (l != NULL && l->today != 0)
		return l->today;
	return uc_date_today_vn();
}

/* --- audit chain ----------------------------------------------------- */

static int
put_field(EVP_MD_CTX *md, const void *p, size_t n)
{
	unsigned char len[4];

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	if (EVP_DigestUpdate(md, len, 4) != 1 ||
	    (n > 0 && EVP_DigestUpdate(md, p, n) != 1))
		return UC_ERR_CRYPTO;
	return 0;
}

/*
 * The canonical encoding hashed for a row: "UCAUDIT1", then id (decimal),
 * at, account, unit, action, object, details, each as a 4-byte big-endian
 * length and the bytes, then the previous row's 32-byte hash.
 */
static int
row_hash(int64_t id, const char *const f[6], const unsigned char prev[32],
    unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char idt[24];
	unsigned int n = 0;
	int i, r = UC_ERR_CRYPTO;

	if (md == NULL)
		return UC_ERR_NOMEM;
	snprintf(idt, sizeof(idt), "%lld", (long long)id);
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, "UCAUDIT1", 8) != 1)
		goto out;
	if (put_field(md, idt, strlen(idt)) != 0)
		goto out;
	for (i = 0; i < 6; i++)
		if (put_field(md, f[i], strlen(f[i])) != 0)
			goto out;
	if (EVP_DigestUpdate(md, prev, HASH_LEN) != 1 ||
	    EVP_DigestFinal_ex(md, out, &n) != 1 || n != HASH_LEN)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(md);
	return r;
}

int
lg_audit(struct uc_ledger *l, const char *action, const char *unit_code,
    const char *object, const char *details)
{
	struct lg_stmt *st = NULL;
	unsigned char prev[HASH_LEN], h[HASH_LEN];
	char at[32];
	const char *f[6];
	int64_t id;
	int r;

	lg_now(at);
	f[0] = at;
	f[1] = l->acct_name[0] != '\0' ? l->acct_name : "-";
	f[2] = unit_code != NULL ? unit_code :
	    (l->acct_unit.code[0] != '\0' ? l->acct_unit.code : "-");
	f[3] = action;
	f[4] = object != NULL ? object : "";
	f[5] = details != NULL ? details : "";
	if ((r = lg_prepare(l, &st,
	    "SELECT last_id, last_hash FROM audit_head WHERE one = 1")) != 0)
		goto out;
	if (lg_step(st) != LG_ROW ||
	    lg_column_bytes(st, 1) != HASH_LEN) {
		r = UC_ERR_LEDGER;
		goto out;
	}
	id = lg_column_int64(st, 0) + 1;
	memcpy(prev, lg_column_blob(st, 1), HASH_LEN);
	lg_finalize(st);
	st = NULL;
	if ((r = row_hash(id, f, prev, h)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "INSERT INTO audit (id, at, account, unit,"
	    " action, object, details, prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	for (int i = 0; i < 6; i++)
		lg_bind_text(st, i + 2, f[i]);
	lg_bind_blob(st, 8, prev, HASH_LEN);
	lg_bind_blob(st, 9, h, HASH_LEN);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	if ((r = lg_prepare(l, &st, "UPDATE audit_head SET last_id = ?,"
	    " last_hash = ? WHERE one = 1")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	lg_bind_blob(st, 2, h, HASH_LEN);
	r = lg_err(lg_step(st));
out:
	lg_finalize(st);
	return r;
}

static void msgf(char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
msgf(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
}

int
uc_ledger_audit_verify(struct uc_ledger *l, int64_t *bad_row, char *msg,
    size_t cap, int64_t *rows)
{
	int r;

	if (bad_row != NULL)
		*bad_row = 0;
	if (rows != NULL)
		*rows = 0;
	msgf(msg, cap, "%s", "");
	if (l == NULL)
		return UC_ERR_ARG;
	/* One read transaction: a consistent snapshot of trail and head. */
	if ((r = lg_db_begin_read(l->db)) != 0)
		return r;
	r = lg_chain_verify(l, bad_row, msg, cap, rows, NULL);
	(void)lg_db_commit(l->db);
	return r;
}

int
lg_chain_verify(struct uc_ledger *l, int64_t *bad_row, char *msg,
    size_t cap, int64_t *rows, unsigned char head[32])
{
	struct lg_stmt *st = NULL;
	unsigned char prev[HASH_LEN], h[HASH_LEN];
	int64_t expect = 1, id, head_id = -1;
	const char *f[6];
	int r, rc, i;

	if (bad_row != NULL)
		*bad_row = 0;
	if (rows != NULL)
		*rows = 0;
	msgf(msg, cap, "%s", "");
	memset(prev, 0, sizeof(prev));
	if ((r = lg_prepare(l, &st, "SELECT id, at, account, unit, action,"
	    " object, details, prev_hash, hash FROM audit ORDER BY id")) != 0)
		goto out;
	while ((rc = lg_step(st)) == LG_ROW) {
		id = lg_column_int64(st, 0);
		if (id != expect) {
			if (bad_row != NULL)
				*bad_row = id < expect ? id : expect;
			msgf(msg, cap, id > expect ?
			    "row %lld is missing (next row is %lld)" :
			    "row %lld is out of sequence",
			    (long long)expect, (long long)id);
			r = UC_ERR_VERIFY;
			goto out;
		}
		for (i = 0; i < 6; i++) {
			if (lg_column_type(st, i + 1) != LG_TEXT)
				break;
			f[i] = (const char *)lg_column_text(st, i + 1);
		}
		if (i < 6 || lg_column_type(st, 7) != LG_BLOB ||
		    lg_column_bytes(st, 7) != HASH_LEN ||
		    lg_column_type(st, 8) != LG_BLOB ||
		    lg_column_bytes(st, 8) != HASH_LEN) {
			if (bad_row != NULL)
				*bad_row = id;
			msgf(msg, cap, "row %lld is malformed", (long long)id);
			r = UC_ERR_VERIFY;
			goto out;
		}
		if (CRYPTO_memcmp(lg_column_blob(st, 7), prev,
		    HASH_LEN) != 0) {
			if (bad_row != NULL)
				*bad_row = id;
			msgf(msg, cap, "row %lld does not chain to row %lld"
			    " (a row was removed or replaced)", (long long)id,
			    (long long)(id - 1));
			r = UC_ERR_VERIFY;
			goto out;
		}
		if ((r = row_hash(id, f, prev, h)) != 0)
			goto out;
		if (CRYPTO_memcmp(lg_column_blob(st, 8), h,
		    HASH_LEN) != 0) {
			if (bad_row != NULL)
				*bad_row = id;
			msgf(msg, cap, "row %lld was altered (its hash does"
			    " not match its contents)", (long long)id);
			r = UC_ERR_VERIFY;
			goto out;
		}
		memcpy(prev, h, HASH_LEN);
		expect++;
	}
	if (rc != LG_DONE) {
		r = lg_err(rc);
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	if ((r = lg_prepare(l, &st, "SELECT last_id, last_hash FROM"
	    " audit_head WHERE one = 1")) != 0)
		goto out;
	if (lg_step(st) == LG_ROW &&
	    lg_column_bytes(st, 1) == HASH_LEN)
		head_id = lg_column_int64(st, 0);
	if (head_id != expect - 1 || CRYPTO_memcmp(
	    lg_column_blob(st, 1), prev, HASH_LEN) != 0) {
		if (bad_row != NULL)
			*bad_row = head_id > expect - 1 ? expect : expect - 1;
		if (head_id > expect - 1)
			msgf(msg, cap, "row %lld is missing (the trail ends"
			    " at row %lld, its head says %lld)",
			    (long long)expect, (long long)(expect - 1),
			    (long long)head_id);
		else
			msgf(msg, cap, "row %lld is not the recorded end of"
			    " the trail (head says %lld): rows were added"
			    " or the head was changed", (long long)(expect - 1),
			    (long long)head_id);
		r = UC_ERR_VERIFY;
		goto out;
	}
	if (rows != NULL)
		*rows = expect - 1;
	if (head != NULL)
		memcpy(head, prev, HASH_LEN);
	r = 0;
out:
	lg_finalize(st);
	return r;
}

/* --- open and migrate ------------------------------------------------ */

static int
user_version(struct uc_ledger *l, int *v)
{
	struct lg_stmt *st = NULL;
	int r;

	*v = 0;
	if ((r = lg_prepare(l, &st, "PRAGMA user_version")) != 0)
		return r;
	if (lg_step(st) == LG_ROW)
		*v = lg_column_int(st, 0);
	else
		r = UC_ERR_LEDGER;
	lg_finalize(st);
	return r;
}

static int
migrate(struct uc_ledger *l)
{
	char sql[64];
	int v, r;

	/* Up to date: no write lock needed (readers stay readers). */
	if ((r = user_version(l, &v)) != 0)
		return r;
	if (v == lg_migration_count)
		return 0;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = user_version(l, &v)) != 0)
		goto fail;
	if (v > lg_migration_count) {
		r = UC_ERR_LEDGER_VERSION;
		goto fail;
	}
	for (; v < lg_migration_count; v++) {
		const char *const *q;

		for (q = lg_migrations[v]; *q != NULL; q++)
			if ((r = lg_exec(l, *q)) != 0)
				goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((r = lg_exec(l, sql)) != 0)
			goto fail;
	}
	return lg_commit(l) == 0 ? 0 : UC_ERR_LEDGER;
fail:
	lg_rollback(l);
	return r;
}

static int
load_prefix(struct uc_ledger *l)
{
	struct lg_stmt *st = NULL;
	int r;

	l->prefix = 0;
	if ((r = lg_prepare(l, &st,
	    "SELECT value FROM meta WHERE key = 'prefix'")) != 0)
		return r;
	if (lg_step(st) == LG_ROW)
		l->prefix = (unsigned)atoi((const char *)
		    lg_column_text(st, 0));
	lg_finalize(st);
	return 0;
}

/* errno of a failed file-system call -> UC_ERR_* */
int
lg_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return UC_ERR_NOT_FOUND;
	case EACCES:
	case EPERM:
		return UC_ERR_ACCESS;
	case ENOSPC:
	case EDQUOT:
		return UC_ERR_NO_SPACE;
	case EROFS:
		return UC_ERR_READ_ONLY;
	case ENOMEM:
		return UC_ERR_NOMEM;
	default:
		return UC_ERR_IO;
	}
}

int
uc_ledger_check_pages(struct uc_ledger *l, int full, char *msg, size_t cap)
{
	struct lg_stmt *st = NULL;
	const char *t;
	int rc, r;

	msgf(msg, cap, "%s", "");
	if (l == NULL || l->db == NULL)
		return UC_ERR_ARG;
	if ((r = lg_prepare(l, &st, full ? "PRAGMA integrity_check(20)" :
	    "PRAGMA quick_check(20)")) != 0) {
		msgf(msg, cap, "%s", lg_db_errmsg(l->db));
		return r;
	}
	rc = lg_step(st);
	if (rc != LG_ROW) {
		r = lg_err(rc);
		msgf(msg, cap, "%s", lg_db_errmsg(l->db));
		if (r == 0)
			r = UC_ERR_CORRUPT;
		goto out;
	}
	t = (const char *)lg_column_text(st, 0);
	if (t != NULL && strcmp(t, "ok") == 0) {
		r = 0;
		goto out;
	}
	/* SQLite's first complaints, on one line */
	{
		size_t k = 0, i;
		int n = 0;

		do {
			t = (const char *)lg_column_text(st, 0);
			if (t == NULL)
				continue;
			if (strncmp(t, "*** in database ", 16) == 0 &&
			    (t = strstr(t, "***\n")) != NULL)
				t += 4;
			else if (t != NULL && strncmp(t, "*** in database ",
			    16) == 0)
				continue;
			for (i = 0; t[i] != '\0' && msg != NULL &&
			    k + 3 < cap; i++)
				msg[k++] = t[i] == '\n' ? ';' : t[i];
			if (msg != NULL && k + 3 < cap) {
				msg[k++] = ';';
				msg[k++] = ' ';
			}
		} while (++n < 3 && lg_step(st) == LG_ROW);
		if (msg != NULL && cap > 0) {
			while (k > 0 && (msg[k - 1] == ' ' ||
			    msg[k - 1] == ';'))
				k--;
			msg[k < cap ? k : cap - 1] = '\0';
		}
	}
	r = UC_ERR_CORRUPT;
out:
	lg_finalize(st);
	return r;
}

int
uc_ledger_read_only(const struct uc_ledger *l)
{
	return l != NULL && l->read_only;
}

/*
 * Make the ledger file itself, before SQLite does, so that it is born
 * 0600 (or 0640 with a group): SQLite gives its -wal and -shm files the
 * mode of the database file.  An existing empty file (touched by an
 * admin) gets the same mode; an existing non-empty one is left as it is
 * (init refuses it).
 */
static int
create_file(const char *path, const char *group, struct uc_diag *d)
{
	struct group *gr = NULL;
	struct stat sb;
	int fd, r = 0;

	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL,
		    "not a regular file (a symbolic link or a device):"
		    " refused");
	if (group != NULL && (gr = getgrnam(group)) == NULL)
		return uc_diag_set(d, UC_ERR_NOT_FOUND, path, 0, "group",
		    "no group named '%s'", group);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return uc_diag_set(d, lg_errno(errno), path, 0, NULL,
		    "cannot create the ledger file: %s", strerror(errno));
	if (fstat(fd, &sb) != 0) {
		r = uc_diag_set(d, lg_errno(errno), path, 0, NULL, "%s",
		    strerror(errno));
		goto out;
	}
	if (sb.st_size != 0)
		goto out;
	if (gr != NULL && fchown(fd, (uid_t)-1, gr->gr_gid) != 0) {
		r = uc_diag_set(d, lg_errno(errno), path, 0, "group",
		    "cannot give the ledger to group %s: %s", group,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, gr != NULL ? 0640 : 0600) != 0)
		r = uc_diag_set(d, lg_errno(errno), path, 0, NULL,
		    "cannot set the ledger's mode: %s", strerror(errno));
out:
	close(fd);
	return r;
}

static int
open_db(struct uc_ledger *l, const char *path, enum lg_open_mode mode,
    struct uc_diag *d)
{
	char why[256];
	int e = 0, r;

	lg_db_close(&l->db);
	r = lg_db_open(&l->db, path, mode, &e, why, sizeof(why));
	if (r != 0) {
		if (e != 0)
			r = lg_errno(e);
		/* the code says why (permission, space...): not twice */
		if (r == UC_ERR_IO || r == UC_ERR_LEDGER)
			return uc_diag_set(d, UC_ERR_IO, path, 0, NULL,
			    "cannot open: %s", e != 0 ? strerror(e) : why);
		return uc_diag_set(d, r, path, 0, NULL, "cannot open");
	}
	return 0;
}

/* A ledger that is not created here must be a regular, non-empty file. */
static int
existing_file(const char *path, struct uc_diag *d)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return uc_diag_set(d, lg_errno(errno), path, 0, NULL, "%s",
		    errno == ENOENT ? "no ledger here (init makes one)" :
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL,
		    "not a regular file");
	if (sb.st_size == 0)
		return uc_diag_set(d, UC_ERR_CORRUPT, path, 0, NULL,
		    "the ledger file is empty (0 bytes): it was wiped or"
		    " truncated; restore it from a backup (only init starts a"
		    " new ledger)");
	return 0;
}

int
uc_ledger_open_ex(struct uc_ledger **out, const char *path,
    const struct uc_ledger_open_opts *o, struct uc_diag *d)
{
	static const struct uc_ledger_open_opts none;
	struct uc_ledger *l = NULL;
	struct stat sb;
	char why[256];
	int v = 0, r;

	uc_diag_clear(d);
	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (o == NULL)
		o = &none;
	if (path == NULL || path[0] == '\0')
		return UC_ERR_ARG;
	if (o->kdf_iterations != 0 && (o->kdf_iterations < PBKDF2_ITER_MIN ||
	    o->kdf_iterations > PBKDF2_ITER_MAX))
		return uc_diag_set(d, UC_ERR_RANGE, NULL, 0, "kdf_iterations",
		    "%u PBKDF2 iterations: want %u..%u", o->kdf_iterations,
		    PBKDF2_ITER_MIN, PBKDF2_ITER_MAX);
	if ((r = o->create ? create_file(path, o->group, d) :
	    existing_file(path, d)) != 0)
		return r;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return UC_ERR_NOMEM;
	l->today = o->today;
	l->kdf_iter = o->kdf_iterations;
	if ((r = open_db(l, path, LG_OPEN_WRITE, d)) != 0)
		goto out;
	l->read_only = lg_db_read_only(l->db);
	if (!l->read_only && (r = lg_db_set_journal(l->db)) != 0) {
		uc_diag_set(d, r, path, 0, NULL, "%s", lg_db_errmsg(l->db));
		goto out;
	}
	r = uc_ledger_check_pages(l, o->full_check, why, sizeof(why));
	if (l->read_only && (r == UC_ERR_READ_ONLY || r == UC_ERR_IO)) {
		/* A WAL ledger nobody here may write: its index (-shm)
		 * cannot be made, so read the file as it stands. */
		if ((r = open_db(l, path, LG_OPEN_IMMUTABLE, d)) != 0)
			goto out;
		r = uc_ledger_check_pages(l, o->full_check, why, sizeof(why));
	}
	if (r != 0) {
		uc_diag_set(d, r, path, 0, NULL, "%s%s", r == UC_ERR_CORRUPT ?
		    "the database is damaged: " : "", why);
		goto out;
	}
	if ((r = lg_db_tune(l->db, l->read_only)) != 0) {
		uc_diag_set(d, r, path, 0, NULL, "%s", lg_db_errmsg(l->db));
		goto out;
	}
	if ((r = user_version(l, &v)) != 0) {
		uc_diag_set(d, r, path, 0, NULL, "%s", lg_db_errmsg(l->db));
		goto out;
	}
	if (!o->create && v == 0) {
		r = uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL,
		    "a SQLite file, but not a unioncard ledger (no schema)");
		goto out;
	}
	if (l->read_only && v != lg_migration_count) {
		r = uc_diag_set(d, v > lg_migration_count ?
		    UC_ERR_LEDGER_VERSION : UC_ERR_READ_ONLY, path, 0, NULL,
		    "schema %d, this program needs %d, and the file may"
		    " not be written here", v, lg_migration_count);
		goto out;
	}
	if ((r = migrate(l)) != 0) {
		uc_diag_set(d, r, path, 0, NULL, "upgrading the schema: %s",
		    r == UC_ERR_LEDGER_VERSION ? "the file is newer than this"
		    " program" : lg_db_errmsg(l->db));
		goto out;
	}
	if ((r = load_prefix(l)) != 0)
		goto out;
	if (stat(path, &sb) == 0 && (sb.st_mode & 0040) != 0) {
		l->share_group = 1;
		l->share_gid = (unsigned)sb.st_gid;
	}
	*out = l;
	l = NULL;
	r = 0;
out:
	uc_ledger_free(&l);
	return r;
}

int
uc_ledger_open(struct uc_ledger **out, const char *path, int create)
{
	struct uc_ledger_open_opts o = { .create = create };

	return uc_ledger_open_ex(out, path, &o, NULL);
}

void
uc_ledger_free(struct uc_ledger **lp)
{
	struct uc_ledger *l;

	if (lp == NULL || *lp == NULL)
		return;
	l = *lp;
	if (l->db != NULL) {
		lg_rollback(l);
		lg_db_close(&l->db);
	}
	OPENSSL_cleanse(l, sizeof(*l));
	free(l);
	*lp = NULL;
}

int
uc_ledger_set_kdf_cost(struct uc_ledger *l, unsigned iterations)
{
	if (l == NULL || iterations < PBKDF2_ITER_MIN ||
	    iterations > PBKDF2_ITER_MAX)
		return UC_ERR_RANGE;
	l->kdf_iter = iterations;
	return 0;
}

int
uc_ledger_set_bulk(struct uc_ledger *l, int on)
{
	if (l == NULL)
		return UC_ERR_ARG;
	return lg_db_set_bulk(l->db, on);
}

/* --- units, scope ---------------------------------------------------- */

static int
unit_row(struct lg_stmt *st, struct lg_unit *u)
{
	const char *code, *path;

	memset(u, 0, sizeof(*u));
	u->id = lg_column_int64(st, 0);
	u->parent_id = lg_column_int64(st, 1);
	u->depth = lg_column_int(st, 2);
	u->exempt = lg_column_int(st, 3);
	code = (const char *)lg_column_text(st, 4);
	path = (const char *)lg_column_text(st, 5);
	if (code == NULL || path == NULL || strlen(code) >= sizeof(u->code) ||
	    strlen(path) >= sizeof(u->path))
		return UC_ERR_LEDGER;
	memcpy(u->code, code, strlen(code) + 1);
	memcpy(u->path, path, strlen(path) + 1);
	return 0;
}

#define UNIT_COLS "SELECT id, coalesce(parent_id, 0), depth, exempt, code," \
	" path FROM units "

/* The unit of the row st is prepared for, after binding its ?. */
static int
unit_query(struct lg_stmt *st, struct lg_unit *u)
{
	int r;

	if (lg_step(st) == LG_ROW)
		r = unit_row(st, u);
	else
		r = UC_ERR_NOT_FOUND;
	lg_finalize(st);
	return r;
}

int
lg_unit_by_code(struct uc_ledger *l, const char *code, struct lg_unit *u)
{
	struct lg_stmt *st = NULL;
	int r;

	memset(u, 0, sizeof(*u));
	if (code == NULL)
		return UC_ERR_ARG;
	if ((r = lg_prepare(l, &st, UNIT_COLS "WHERE code = ?")) != 0)
		return r;
	lg_bind_text(st, 1, code);
	return unit_query(st, u);
}

int
lg_unit_by_id(struct uc_ledger *l, int64_t id, struct lg_unit *u)
{
	struct lg_stmt *st = NULL;
	int r;

	memset(u, 0, sizeof(*u));
	if ((r = lg_prepare(l, &st, UNIT_COLS "WHERE id = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, id);
	return unit_query(st, u);
}

int
lg_unit_status(struct uc_ledger *l, const char *sql, int64_t id,
    struct lg_unit *u, char status[16])
{
	struct lg_stmt *st = NULL;
	int r;

	if (status != NULL)
		status[0] = '\0';
	if ((r = lg_prepare(l, &st, sql)) != 0)
		return r;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if (status != NULL)
		snprintf(status, 16, "%s",
		    (const char *)lg_column_text(st, 1));
	r = lg_unit_by_id(l, lg_column_int64(st, 0), u);
out:
	lg_finalize(st);
	return r;
}

int
lg_unit_need(struct uc_ledger *l, const char *code, int roles,
    struct lg_unit *u)
{
	int r;

	if ((r = lg_unit_by_code(l, code, u)) != 0)
		return r;
	return lg_need(l, roles, u);
}

int
lg_unit_see(struct uc_ledger *l, const char *code, const char *action,
    struct lg_unit *u)
{
	int r;

	if ((r = lg_unit_by_code(l, code, u)) != 0)
		return r;
	if ((r = lg_need(l, ~0, u)) != 0)
		lg_refused(l, action, u->code, u->code);
	return r;
}

int
lg_in_subtree(const struct lg_unit *top, const struct lg_unit *u)
{
	size_t n = strlen(top->path);

	return strncmp(top->path, u->path, n) == 0;
}

int
lg_need_actor(struct uc_ledger *l)
{
	if (l->acct_id == 0) {
		snprintf(l->refusal, sizeof(l->refusal), "not logged in");
		return UC_ERR_PERM;
	}
	return 0;
}

int
lg_need(struct uc_ledger *l, int roles, const struct lg_unit *u)
{
	if (lg_need_actor(l) != 0)
		return UC_ERR_PERM;
	if ((l->acct_role & roles) == 0) {
		snprintf(l->refusal, sizeof(l->refusal),
		    "role %s may not do this",
		    uc_ledger_role_name((int)l->acct_role));
		return UC_ERR_PERM;
	}
	if (u != NULL && !lg_in_subtree(&l->acct_unit, u)) {
		snprintf(l->refusal, sizeof(l->refusal),
		    "unit %s is outside the subtree of %s", u->code,
		    l->acct_unit.code);
		return UC_ERR_PERM;
	}
	return 0;
}

int
lg_need_issuer(struct uc_ledger *l)
{
	if (lg_need_actor(l) != 0)
		return UC_ERR_PERM;
	if (l->acct_unit.parent_id != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "printing belongs to"
		    " the issuer's own unit (the root), not to %s",
		    l->acct_unit.code);
		return UC_ERR_PERM;
	}
	return 0;
}

int
lg_need_grantor(struct uc_ledger *l, const struct lg_unit *u)
{
	if (lg_need(l, UC_ROLE_ADMIN, u) != 0)
		return UC_ERR_PERM;
	if (l->acct_unit.parent_id != 0 && u->id == l->acct_unit.id) {
		snprintf(l->refusal, sizeof(l->refusal), "an admin of %s may"
		    " not manage accounts of its own unit: an admin above it"
		    " (or of the root) does", u->code);
		return UC_ERR_PERM;
	}
	return 0;
}

/* 1 when sql (its ?1 the object, ?2 the actor) finds a row. */
static int
actor_did(struct uc_ledger *l, const char *sql, int64_t id, int *did)
{
	struct lg_stmt *st = NULL;
	int r;

	*did = 0;
	if ((r = lg_prepare(l, &st, sql)) != 0)
		return r;
	lg_bind_int64(st, 1, id);
	lg_bind_int64(st, 2, l->acct_id);
	r = lg_step(st);
	if (r == LG_ROW)
		*did = 1;
	r = r == LG_ROW || r == LG_DONE ? 0 : lg_err(r);
	lg_finalize(st);
	return r;
}

int
lg_need_not_submitter_request(struct uc_ledger *l, int64_t request_id)
{
	int did, r;

	if ((r = actor_did(l, "SELECT 1 FROM request_events WHERE"
	    " request_id = ?1 AND account_id = ?2 AND action IN ('create',"
	    " 'submit')", request_id, &did)) != 0)
		return r;
	if (did) {
		snprintf(l->refusal, sizeof(l->refusal), "%s created or"
		    " submitted request %lld and may not approve or accept it",
		    l->acct_name, (long long)request_id);
		return UC_ERR_PERM;
	}
	return 0;
}

int
lg_need_not_submitter_member(struct uc_ledger *l, int64_t member_id)
{
	int did, r;

	if ((r = actor_did(l, "SELECT 1 FROM members m LEFT JOIN imports i"
	    " ON i.id = m.import_id WHERE m.id = ?1 AND"
	    " (m.submitted_by = ?2 OR i.account_id = ?2)", member_id,
	    &did)) != 0)
		return r;
	if (did) {
		snprintf(l->refusal, sizeof(l->refusal), "%s entered or"
		    " submitted this member and may not approve it",
		    l->acct_name);
		return UC_ERR_PERM;
	}
	return 0;
}

int
lg_counter_take(struct uc_ledger *l, const char *name, int64_t n,
    int64_t *first)
{
	struct lg_stmt *st = NULL;
	int r;

	*first = 0;
	if (n < 1)
		return UC_ERR_ARG;
	if ((r = lg_prepare(l, &st, "UPDATE counters SET value = value + ?2"
	    " WHERE name = ?1 RETURNING value - ?2 + 1")) != 0)
		return r;
	lg_bind_text(st, 1, name);
	lg_bind_int64(st, 2, n);
	if (lg_step(st) == LG_ROW)
		*first = lg_column_int64(st, 0);
	else
		r = UC_ERR_LEDGER;
	lg_finalize(st);
	return r;
}

int
lg_counter_next(struct uc_ledger *l, const char *name, int64_t *v)
{
	return lg_counter_take(l, name, 1, v);
}

void
lg_serial_format(unsigned prefix, int64_t n, char out[UC_LEDGER_SERIAL_LEN + 1])
{
	uint64_t v = (uint64_t)n % UINT64_C(1000000000);
	int i;

	/* fixed width by construction: 2 prefix digits, 9 serial digits */
	out[0] = (char)('0' + (prefix / 10u) % 10u);
	out[1] = (char)('0' + prefix % 10u);
	for (i = UC_LEDGER_SERIAL_LEN - 1; i >= 2; i--) {
		out[i] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	}
	out[UC_LEDGER_SERIAL_LEN] = '\0';
}

int
lg_serial_parse(unsigned prefix, const char *s, int64_t *n)
{
	int64_t v = 0;
	size_t i;

	*n = 0;
	if (s == NULL || strlen(s) != UC_LEDGER_SERIAL_LEN)
		return UC_ERR_INVALID;
	for (i = 0; i < UC_LEDGER_SERIAL_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return UC_ERR_INVALID;
	if ((unsigned)((s[0] - '0') * 10 + (s[1] - '0')) != prefix)
		return UC_ERR_NOT_FOUND;
	for (i = 2; i < UC_LEDGER_SERIAL_LEN; i++)
		v = v * 10 + (s[i] - '0');
	*n = v;
	return 0;
}

/* --- files written whole ---------------------------------------------- */

int
lg_file_open(struct uc_ledger *why, const char *path, char **tmp, FILE **f)
{
	struct stat sb;
	int fd, r, e;

	*f = NULL;
	*tmp = NULL;
	if (why != NULL)
		why->refusal[0] = '\0';
	/* A link at the target could send members' data anywhere the
	 * link's owner chose; a device or a directory is no place for it. */
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (why != NULL)
			snprintf(why->refusal, sizeof(why->refusal),
			    "%s is %s: refused, give a new file name", path,
			    S_ISLNK(sb.st_mode) ? "a symbolic link" :
			    "not a regular file");
		return UC_ERR_INVALID;
	}
	if (asprintf(tmp, "%s.tmp.XXXXXX", path) < 0) {
		*tmp = NULL;
		return UC_ERR_NOMEM;
	}
	/* mkstemp: a fresh name, O_EXCL, mode 0600, in path's directory
	 * (so the rename stays on one file system). */
	if ((fd = mkstemp(*tmp)) < 0) {
		e = errno;
		free(*tmp);
		*tmp = NULL;
		if (why != NULL)
			snprintf(why->refusal, sizeof(why->refusal),
			    "cannot write beside %s: %s", path, strerror(e));
		return lg_errno(e);
	}
	if (why != NULL && why->share_group &&
	    (fchown(fd, (uid_t)-1, (gid_t)why->share_gid) != 0 ||
	    fchmod(fd, 0640) != 0)) {
		e = errno;
		snprintf(why->refusal, sizeof(why->refusal),
		    "cannot give %s the ledger's group: %s", *tmp,
		    strerror(e));
		r = lg_errno(e);
		goto fail;
	}
	if ((*f = fdopen(fd, "wb")) == NULL) {
		r = UC_ERR_NOMEM;
		goto fail;
	}
	return 0;
fail:
	close(fd);
	unlink(*tmp);
	free(*tmp);
	*tmp = NULL;
	return r;
}

int
lg_file_place(struct uc_ledger *why, const char *tmp, const char *path)
{
	struct stat sb;

	/* A link planted since the open is refused too. */
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (why != NULL)
			snprintf(why->refusal, sizeof(why->refusal),
			    "%s became a symbolic link or special file:"
			    " refused", path);
		return UC_ERR_INVALID;
	}
	if (rename(tmp, path) != 0) {
		if (why != NULL)
			snprintf(why->refusal, sizeof(why->refusal),
			    "cannot rename to %s: %s", path, strerror(errno));
		return lg_errno(errno);
	}
	return 0;
}

int
lg_file_commit(struct uc_ledger *why, const char *path, const char *tmp,
    FILE **f)
{
	FILE *fp = *f;
	int e;

	*f = NULL;
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		e = errno;
		fclose(fp);
		if (why != NULL)
			snprintf(why->refusal, sizeof(why->refusal),
			    "cannot write %s: %s", path, strerror(e));
		return lg_errno(e);
	}
	if (fclose(fp) != 0)
		return lg_errno(errno);
	return lg_file_place(why, tmp, path);
}

int
lg_file_end(int r, char *tmp, FILE *f)
{
	if (f != NULL)
		fclose(f);
	if (r != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	return r;
}

/* --- passwords ------------------------------------------------------- */

void
lg_hex(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int v = 0;
		size_t k;

		for (k = 0; k < 2; k++) {
			char c = s[2 * i + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return UC_ERR_INVALID;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* "pbkdf2-sha256$ITER$SALTHEX$HASHHEX" */
int
lg_pw_hash(const char *password, unsigned iter, char *out, size_t cap)
{
	unsigned char salt[PBKDF2_SALT_LEN], dk[PBKDF2_HASH_LEN];
	char sh[2 * PBKDF2_SALT_LEN + 1], dh[2 * PBKDF2_HASH_LEN + 1];
	int r = UC_ERR_CRYPTO;

	if (password == NULL || strlen(password) > UC_LEDGER_PASSWORD_MAX)
		return UC_ERR_ARG;
	if (iter == 0)
		iter = PBKDF2_ITER_DEFAULT;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		goto out;
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
	    sizeof(salt), (int)iter, EVP_sha256(), sizeof(dk), dk) != 1)
		goto out;
	lg_hex(salt, sizeof(salt), sh);
	lg_hex(dk, sizeof(dk), dh);
	if ((size_t)snprintf(out, cap, "pbkdf2-sha256$%u$%s$%s", iter, sh,
	    dh) >= cap) {
		r = UC_ERR_BUFFER;
		goto out;
	}
	r = 0;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	OPENSSL_cleanse(dh, sizeof(dh));
	return r;
}

int
lg_pw_check(const char *password, const char *stored)
{
	unsigned char salt[PBKDF2_SALT_LEN], want[PBKDF2_HASH_LEN];
	unsigned char dk[PBKDF2_HASH_LEN];
	const char *p, *q;
	unsigned long iter;
	char *end;
	int r = UC_ERR_AUTH;

	if (password == NULL || stored == NULL ||
	    strlen(password) > UC_LEDGER_PASSWORD_MAX)
		return UC_ERR_AUTH;
	if (strncmp(stored, "pbkdf2-sha256$", 14) != 0)
		return UC_ERR_AUTH;
	p = stored + 14;
	iter = strtoul(p, &end, 10);
	if (*end != '$' || iter < PBKDF2_ITER_MIN || iter > PBKDF2_ITER_MAX)
		return UC_ERR_AUTH;
	p = end + 1;
	q = strchr(p, '$');
	if (q == NULL || q - p != 2 * PBKDF2_SALT_LEN ||
	    strlen(q + 1) != 2 * PBKDF2_HASH_LEN ||
	    unhex(p, PBKDF2_SALT_LEN, salt) != 0 ||
	    unhex(q + 1, PBKDF2_HASH_LEN, want) != 0)
		return UC_ERR_AUTH;
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
	    sizeof(salt), (int)iter, EVP_sha256(), sizeof(dk), dk) != 1) {
		r = UC_ERR_CRYPTO;
		goto out;
	}
	if (CRYPTO_memcmp(dk, want, sizeof(dk)) == 0)
		r = 0;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	OPENSSL_cleanse(want, sizeof(want));
	return r;
}

/* --- roles, accounts, login, init ------------------------------------ */

static const struct {
	int role;
	const char *name;
} roles[] = {
	{ UC_ROLE_CLERK, "clerk" },
	{ UC_ROLE_APPROVER, "approver" },
	{ UC_ROLE_PRINTER, "printer" },
	{ UC_ROLE_LIAISON, "liaison" },
	{ UC_ROLE_ADMIN, "admin" },
};

int
uc_ledger_role_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(name, roles[i].name) == 0)
			return roles[i].role;
	return 0;
}

const char *
uc_ledger_role_name(int role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return roles[i].name;
	return NULL;
}

int
uc_ledger_whoami(struct uc_ledger *l, struct uc_ledger_actor *out)
{
	struct lg_stmt *st = NULL;
	const char *name;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st,
	    "SELECT name FROM units WHERE id = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, l->acct_unit.id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	name = (const char *)lg_column_text(st, 0);
	snprintf(out->user, sizeof(out->user), "%s", l->acct_name);
	snprintf(out->unit, sizeof(out->unit), "%s", l->acct_unit.code);
	snprintf(out->unit_name, sizeof(out->unit_name), "%s",
	    name != NULL ? name : "");
	out->role = l->acct_role;
	r = 0;
out:
	lg_finalize(st);
	return r;
}

static int
valid_name(const char *s, size_t max)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

int
lg_valid_code(const char *s)
{
	return valid_name(s, UC_LEDGER_CODE_MAX);
}

static int
account_insert(struct uc_ledger *l, const char *user, int64_t unit_id,
    int role, const char *password)
{
	struct lg_stmt *st = NULL;
	char hash[256], at[32];
	int r;

	if ((r = lg_pw_hash(password, l->kdf_iter, hash, sizeof(hash))) != 0)
		return r;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO accounts (name, unit_id,"
	    " role, pw_hash, created_at) VALUES (?, ?, ?, ?, ?)")) != 0)
		goto out;
	lg_bind_text(st, 1, user);
	lg_bind_int64(st, 2, unit_id);
	lg_bind_text(st, 3, uc_ledger_role_name((int)role));
	lg_bind_text(st, 4, hash);
	lg_bind_text(st, 5, at);
	r = lg_err(lg_step(st));
	if (r == UC_ERR_CONFLICT)
		r = UC_ERR_EXISTS;
out:
	lg_finalize(st);
	OPENSSL_cleanse(hash, sizeof(hash));
	return r;
}

int
uc_ledger_init(struct uc_ledger *l, const char *root_code,
    const char *root_name, unsigned prefix, const char *admin,
    const char *password)
{
	struct lg_stmt *st = NULL;
	char at[32], pfx[8], details[512];
	char name[UC_MEMBER_UNIT_NAME_MAX + 1];
	struct uc_diag t;
	int r;

	if (l == NULL || !valid_name(root_code, UC_LEDGER_CODE_MAX) ||
	    root_name == NULL || root_name[0] == '\0' ||
	    strlen(root_name) > UC_LEDGER_NAME_MAX ||
	    !valid_name(admin, UC_LEDGER_USER_MAX) || password == NULL ||
	    prefix < 1 || prefix > 99)
		return UC_ERR_ARG;
	/* the root is a unit like any other: its code and name may go on
	 * a card (unioncard/member.h) */
	uc_diag_clear(&t);
	if (uc_member_unit_code_check(root_code, strlen(root_code), NULL,
	    "code", &t) != 0 || uc_member_text_check(UC_MEMBER_TEXT_UNIT_NAME,
	    root_name, strlen(root_name), UC_MEMBER_TEXT_TIDY, name,
	    sizeof(name), NULL, NULL, "name", &t) != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "%.32s: %.200s", t.field,
		    t.msg);
		return UC_ERR_INVALID;
	}
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = uc_ledger_password_check(admin, password, l->refusal,
	    sizeof(l->refusal))) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "SELECT count(*) FROM units")) != 0)
		goto out;
	if (lg_step(st) != LG_ROW || lg_column_int(st, 0) != 0) {
		r = UC_ERR_EXISTS;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO units (id, code, name,"
	    " parent_id, path, depth, exempt, created_at)"
	    " VALUES (1, ?, ?, NULL, '/1/', 0, 0, ?)")) != 0)
		goto out;
	lg_bind_text(st, 1, root_code);
	lg_bind_text(st, 2, name);
	lg_bind_text(st, 3, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	snprintf(pfx, sizeof(pfx), "%u", prefix);
	if ((r = lg_prepare(l, &st, "INSERT INTO meta VALUES ('prefix', ?),"
	    " ('root', ?)")) != 0)
		goto out;
	lg_bind_text(st, 1, pfx);
	lg_bind_text(st, 2, root_code);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if ((r = account_insert(l, admin, 1, UC_ROLE_ADMIN, password)) != 0)
		goto out;
	snprintf(details, sizeof(details), "prefix=%u admin=%s", prefix,
	    admin);
	snprintf(l->acct_name, sizeof(l->acct_name), "%s", admin);
	r = lg_audit(l, "ledger.init", root_code, root_code, details);
	l->acct_name[0] = '\0';
out:
	lg_finalize(st);
	r = lg_end(l, r, "ledger.init", root_code, root_code);
	if (r == 0)
		l->prefix = prefix;
	return r;
}

/*
 * A stored hash of no account, as costly to check as a real one: an
 * unknown name takes as long to refuse as a wrong password, so the time
 * of a refusal does not tell which names exist.
 */
static void
dummy_hash(const struct uc_ledger *l, char *out, size_t cap)
{
	char zs[2 * PBKDF2_SALT_LEN + 1], zh[2 * PBKDF2_HASH_LEN + 1];

	memset(zs, '0', sizeof(zs) - 1);
	zs[sizeof(zs) - 1] = '\0';
	memset(zh, '0', sizeof(zh) - 1);
	zh[sizeof(zh) - 1] = '\0';
	snprintf(out, cap, "pbkdf2-sha256$%u$%s$%s",
	    l->kdf_iter != 0 ? l->kdf_iter : PBKDF2_ITER_DEFAULT, zs, zh);
}

void
lg_utc(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Audit a refused login inside the caller's transaction: the first
 * LOGIN_AUDIT_PER_HOUR of each UTC hour get a row each, the rest are
 * only counted in login_refusals, so that callers who never logged in
 * cannot grow the trail without bound.
 */
static int
login_refused_audit(struct uc_ledger *l, const char *user, const char *why)
{
	struct lg_stmt *st = NULL;
	char details[sizeof(l->refusal) + 128];
	int64_t n = 0;
	int r;

	if ((r = lg_prepare(l, &st, "INSERT INTO login_refusals VALUES"
	    " (?1, 1) ON CONFLICT(hour) DO UPDATE SET refused = refused + 1"))
	    != 0)
		return r;
	lg_bind_int64(st, 1, (int64_t)time(NULL) / 3600);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	st = NULL;
	if (r != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT refused FROM login_refusals"
	    " WHERE hour = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, (int64_t)time(NULL) / 3600);
	if (lg_step(st) == LG_ROW)
		n = lg_column_int64(st, 0);
	lg_finalize(st);
	if (n > LOGIN_AUDIT_PER_HOUR)
		return 0;
	snprintf(details, sizeof(details), "%s%s", why,
	    n == LOGIN_AUDIT_PER_HOUR ? "; further refused logins this hour"
	    " are counted in login_refusals, not recorded here" : "");
	/* A name that no account can have is not copied into the trail. */
	return lg_audit(l, "refused:login", "-", valid_name(user,
	    UC_LEDGER_USER_MAX) ? user : "?", details);
}

/* Refuse a login: l->refusal says why; counted and audited. */
static int
login_refuse(struct uc_ledger *l, const char *user, int64_t id, int failed,
    int64_t locked_until)
{
	struct lg_stmt *st = NULL;
	int r;

	memset(&l->acct_unit, 0, sizeof(l->acct_unit));
	if (lg_begin(l) != 0)
		return UC_ERR_AUTH;
	/* lg_begin cleared the reason; login set it before. */
	r = 0;
	if (id != 0 && failed >= 0) {
		if ((r = lg_prepare(l, &st, "UPDATE accounts SET"
		    " failed_logins = ?, locked_until = ? WHERE id = ?")) == 0) {
			lg_bind_int(st, 1, failed);
			if (locked_until > 0)
				lg_bind_int64(st, 2, locked_until);
			else
				lg_bind_null(st, 2);
			lg_bind_int64(st, 3, id);
			r = lg_err(lg_step(st));
		}
		lg_finalize(st);
	}
	if (r == 0)
		r = login_refused_audit(l, user, l->login_why);
	if (r != 0 || lg_commit(l) != 0)
		lg_rollback(l);
	snprintf(l->refusal, sizeof(l->refusal), "%s", l->login_why);
	return UC_ERR_AUTH;
}

int
uc_ledger_login(struct uc_ledger *l, const char *user, const char *password)
{
	struct lg_stmt *st = NULL;
	char hash[256], until[32];
	int64_t id = 0, unit_id = 0, locked = 0, now = (int64_t)time(NULL);
	int role = 0, disabled = 0, failed = 0, r;

	if (l == NULL)
		return UC_ERR_ARG;
	l->acct_id = 0;
	l->acct_role = 0;
	l->acct_name[0] = '\0';
	l->refusal[0] = '\0';
	memset(&l->acct_unit, 0, sizeof(l->acct_unit));
	dummy_hash(l, hash, sizeof(hash));
	if (user != NULL && valid_name(user, UC_LEDGER_USER_MAX)) {
		if ((r = lg_prepare(l, &st, "SELECT id, unit_id, role,"
		    " pw_hash, disabled, failed_logins,"
		    " coalesce(locked_until, 0) FROM accounts WHERE name = ?"))
		    != 0)
			return r;
		lg_bind_text(st, 1, user);
		if (lg_step(st) == LG_ROW) {
			id = lg_column_int64(st, 0);
			unit_id = lg_column_int64(st, 1);
			role = uc_ledger_role_parse(
			    (const char *)lg_column_text(st, 2));
			snprintf(hash, sizeof(hash), "%s",
			    (const char *)lg_column_text(st, 3));
			disabled = lg_column_int(st, 4);
			failed = lg_column_int(st, 5);
			locked = lg_column_int64(st, 6);
		}
		lg_finalize(st);
	}
	if (id != 0 && locked > now) {
		/* Waiting out its lock: not even the right password opens
		 * it, and the attempt does not lengthen the wait. */
		OPENSSL_cleanse(hash, sizeof(hash));
		lg_utc(locked, until);
		snprintf(l->login_why, sizeof(l->login_why), "account %s is"
		    " locked until %s after %d wrong passwords", user, until,
		    failed);
		return login_refuse(l, user, 0, -1, 0);
	}
	r = lg_pw_check(password, hash);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (id == 0 || role == 0)
		r = UC_ERR_AUTH;
	if (r != 0) {
		snprintf(l->login_why, sizeof(l->login_why),
		    "wrong user or password");
		if (id == 0)
			return login_refuse(l, user, 0, -1, 0);
		failed++;
		locked = 0;
		if (failed >= UC_LEDGER_LOGIN_TRIES) {
			int64_t wait = LOCK_BASE_S;
			int k;

			/* doubles with every failure past the free tries */
			for (k = UC_LEDGER_LOGIN_TRIES; k < failed &&
			    wait < LOCK_MAX_S; k++)
				wait *= 2;
			if (wait > LOCK_MAX_S)
				wait = LOCK_MAX_S;
			locked = now + wait;
			lg_utc(locked, until);
			snprintf(l->login_why, sizeof(l->login_why), "wrong user"
			    " or password; after %d wrong passwords account %s"
			    " is locked until %s", failed, user, until);
		}
		return login_refuse(l, user, id, failed, locked);
	}
	if (disabled) {
		snprintf(l->login_why, sizeof(l->login_why), "account %s is"
		    " disabled (an admin above its unit enables it)", user);
		return login_refuse(l, user, 0, -1, 0);
	}
	if ((r = lg_unit_by_id(l, unit_id, &l->acct_unit)) != 0) {
		snprintf(l->login_why, sizeof(l->login_why), "account %s has"
		    " no unit", user);
		return login_refuse(l, user, 0, -1, 0);
	}
	if (failed != 0 || locked != 0) {
		/* The right password: the count of wrong ones starts over. */
		if ((r = lg_begin(l)) != 0)
			return r;
		if ((r = lg_prepare(l, &st, "UPDATE accounts SET"
		    " failed_logins = 0, locked_until = NULL WHERE id = ?"))
		    == 0) {
			lg_bind_int64(st, 1, id);
			r = lg_err(lg_step(st));
		}
		lg_finalize(st);
		if (r != 0 || (r = lg_commit(l)) != 0) {
			lg_rollback(l);
			memset(&l->acct_unit, 0, sizeof(l->acct_unit));
			return r;
		}
	}
	l->acct_id = id;
	l->acct_role = role;
	snprintf(l->acct_name, sizeof(l->acct_name), "%s", user);
	return 0;
}

int
lg_valid_user(const char *s)
{
	return valid_name(s, UC_LEDGER_USER_MAX);
}

int
uc_ledger_account_add(struct uc_ledger *l, const char *user,
    const char *unit_code, int role, const char *password)
{
	struct lg_unit u;
	char details[128];
	int r;

	if (l == NULL || !valid_name(user, UC_LEDGER_USER_MAX) ||
	    uc_ledger_role_name((int)role) == NULL || password == NULL ||
	    unit_code == NULL)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_need(l, unit_code, UC_ROLE_ADMIN, &u)) != 0 ||
	    (r = lg_need_grantor(l, &u)) != 0)
		goto out;
	if (role == UC_ROLE_PRINTER && u.parent_id != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "printing belongs to"
		    " the issuer's own unit: a printer account is made in the"
		    " root unit, not in %s", u.code);
		r = UC_ERR_PERM;
		goto out;
	}
	if ((r = uc_ledger_password_check(user, password, l->refusal,
	    sizeof(l->refusal))) != 0)
		goto out;
	if ((r = account_insert(l, user, u.id, role, password)) != 0) {
		if (r == UC_ERR_EXISTS)
			snprintf(l->refusal, sizeof(l->refusal), "an account"
			    " named %s already exists", user);
		goto out;
	}
	snprintf(details, sizeof(details), "role=%s",
	    uc_ledger_role_name((int)role));
	r = lg_audit(l, "account.add", u.code, user, details);
out:
	return lg_end(l, r, "account.add", unit_code, user);
}
