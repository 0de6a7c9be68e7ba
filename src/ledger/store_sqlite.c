/*
 * store_sqlite.c - the storage seam (store.h) for SQLite, the embedded
 * engine: the only file of the ledger that calls sqlite3_*.
 *
 * It owns SQLite's connection settings (WAL, synchronous, foreign keys,
 * the busy timeout), the one map of SQLite's result codes to UC_ERR_*,
 * and the statement cache: a small hash table of prepared statements
 * keyed by their SQL text, so that each text is parsed once per
 * connection instead of on every call.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "unioncard/error.h"
#include "ledger/store.h"

#define CACHE_BUCKETS 256  /* power of two */
#define CACHE_MAX 512      /* statements kept; beyond, used once */

struct lg_stmt {
	sqlite3_stmt *st;
	struct lg_stmt *next;  /* in its bucket */
	uint32_t hash;
	int out;               /* lent to a caller */
	int cached;            /* in the table (else freed on release) */
	char sql[];            /* the text it was prepared from */
};

struct lg_db {
	sqlite3 *db;
	struct lg_stmt *bucket[CACHE_BUCKETS];
	size_t cached;
	uint64_t prepares;
};

/* The one map of SQLite's (extended) result codes to UC_ERR_*. */
static int
map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_ROW:
		return LG_ROW;
	case SQLITE_DONE:
		return LG_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return UC_ERR_BUSY;
	case SQLITE_CONSTRAINT:
		return UC_ERR_CONFLICT;
	case SQLITE_NOMEM:
		return UC_ERR_NOMEM;
	case SQLITE_FULL:
		return UC_ERR_NO_SPACE;
	case SQLITE_READONLY:
		return UC_ERR_READ_ONLY;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return UC_ERR_ACCESS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return UC_ERR_CORRUPT;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return UC_ERR_IO;
	default:
		return UC_ERR_LEDGER;
	}
}

/* Not LG_ROW / LG_DONE: for calls that answer 0 or an error. */
static int
map_ok(int rc)
{
	return lg_err(map_rc(rc));
}

static void
copy_msg(char *msg, size_t cap, const char *s)
{
	size_t n;

	if (msg == NULL || cap == 0)
		return;
	n = strlen(s);
	if (n >= cap)
		n = cap - 1;
	memcpy(msg, s, n);
	msg[n] = '\0';
}

/* "file:" URI for path with immutable=1 (a read-only ledger whose WAL
 * index cannot be made: nobody here may write it). */
static char *
immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path), i, k = 0;
	char *u = malloc(n * 3 + 32);

	if (u == NULL)
		return NULL;
	memcpy(u, "file:", 5);
	k = 5;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
			u[k++] = '%';
			u[k++] = hex[c >> 4];
			u[k++] = hex[c & 15];
		} else {
			u[k++] = (char)c;
		}
	}
	memcpy(u + k, "?immutable=1", 13);
	return u;
}

int
lg_db_open(struct lg_db **out, const char *path, enum lg_open_mode mode,
    int *sys_errno, char *msg, size_t cap)
{
	struct lg_db *d;
	char *uri = NULL;
	int flags = SQLITE_OPEN_NOMUTEX, rc, r;

	*out = NULL;
	if (sys_errno != NULL)
		*sys_errno = 0;
	copy_msg(msg, cap, "");
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return UC_ERR_NOMEM;
	if (mode == LG_OPEN_IMMUTABLE) {
		if ((uri = immutable_uri(path)) == NULL) {
			free(d);
			return UC_ERR_NOMEM;
		}
		flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	} else {
		flags |= SQLITE_OPEN_READWRITE;
	}
	rc = sqlite3_open_v2(uri != NULL ? uri : path, &d->db, flags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		if (sys_errno != NULL && d->db != NULL)
			*sys_errno = sqlite3_system_errno(d->db);
		copy_msg(msg, cap, sqlite3_errstr(rc));
		r = map_ok(rc);
		sqlite3_close_v2(d->db);
		free(d);
		return r != 0 ? r : UC_ERR_IO;
	}
	sqlite3_busy_timeout(d->db, LG_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(d->db, 1);
	*out = d;
	return 0;
}

void
lg_db_close(struct lg_db **dp)
{
	struct lg_db *d;
	struct lg_stmt *s, *next;
	size_t i;

	if (dp == NULL || *dp == NULL)
		return;
	d = *dp;
	for (i = 0; i < CACHE_BUCKETS; i++) {
		for (s = d->bucket[i]; s != NULL; s = next) {
			next = s->next;
			sqlite3_finalize(s->st);
			free(s);
		}
	}
	/* v2: statements still lent out (a caller's leak) keep the
	 * connection as a zombie instead of failing the close. */
	sqlite3_close_v2(d->db);
	free(d);
	*dp = NULL;
}

int
lg_db_read_only(struct lg_db *d)
{
	return sqlite3_db_readonly(d->db, "main") == 1;
}

int
lg_db_set_journal(struct lg_db *d)
{
	/* WAL: readers never wait for the writer, nor it for them */
	return lg_db_exec(d, "PRAGMA journal_mode = WAL");
}

int
lg_db_tune(struct lg_db *d, int read_only)
{
	int r;

	if ((r = lg_db_exec(d, "PRAGMA foreign_keys = ON")) != 0 ||
	    (!read_only &&
	    (r = lg_db_exec(d, "PRAGMA synchronous = FULL")) != 0) ||
	    /* 64 MiB: a million-row import must not spill to the WAL */
	    (r = lg_db_exec(d, "PRAGMA cache_size = -65536")) != 0 ||
	    (r = lg_db_exec(d, "PRAGMA trusted_schema = OFF")) != 0)
		return r;
	return 0;
}

int
lg_db_set_bulk(struct lg_db *d, int on)
{
	if (on)
		return lg_db_exec(d, "PRAGMA synchronous = OFF;"
		    "PRAGMA cache_size = -262144;"
		    "PRAGMA temp_store = MEMORY");
	return lg_db_exec(d, "PRAGMA synchronous = FULL;"
	    "PRAGMA cache_size = -65536");
}

const char *
lg_db_errmsg(struct lg_db *d)
{
	return d != NULL ? sqlite3_errmsg(d->db) : "no ledger";
}

int
lg_db_exec(struct lg_db *d, const char *sql)
{
	return map_ok(sqlite3_exec(d->db, sql, NULL, NULL, NULL));
}

/* FNV-1a of the SQL text. */
static uint32_t
text_hash(const char *s, size_t *len)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = s; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	*len = (size_t)(p - s);
	return h;
}

int
lg_db_prepare(struct lg_db *d, struct lg_stmt **out, const char *sql)
{
	struct lg_stmt *s;
	size_t n;
	uint32_t h;
	int rc;

	*out = NULL;
	h = text_hash(sql, &n);
	for (s = d->bucket[h & (CACHE_BUCKETS - 1)]; s != NULL; s = s->next) {
		if (s->hash == h && !s->out && strcmp(s->sql, sql) == 0) {
			s->out = 1;
			*out = s;
			return 0;
		}
	}
	if ((s = calloc(1, sizeof(*s) + n + 1)) == NULL)
		return UC_ERR_NOMEM;
	rc = sqlite3_prepare_v2(d->db, sql, (int)n + 1, &s->st, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		return map_ok(rc);
	}
	d->prepares++;
	memcpy(s->sql, sql, n + 1);
	s->hash = h;
	s->out = 1;
	if (d->cached < CACHE_MAX) {
		s->cached = 1;
		s->next = d->bucket[h & (CACHE_BUCKETS - 1)];
		d->bucket[h & (CACHE_BUCKETS - 1)] = s;
		d->cached++;
	}
	*out = s;
	return 0;
}

int64_t
lg_db_changes(struct lg_db *d)
{
	return sqlite3_changes64(d->db);
}

int64_t
lg_db_last_id(struct lg_db *d)
{
	return sqlite3_last_insert_rowid(d->db);
}

int
lg_db_begin_write(struct lg_db *d)
{
	/* IMMEDIATE: the write lock now, not at the first write. */
	return lg_db_exec(d, "BEGIN IMMEDIATE");
}

int
lg_db_begin_read(struct lg_db *d)
{
	return lg_db_exec(d, "BEGIN");
}

int
lg_db_commit(struct lg_db *d)
{
	return lg_db_exec(d, "COMMIT");
}

void
lg_db_rollback(struct lg_db *d)
{
	if (!sqlite3_get_autocommit(d->db))
		(void)sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

void
lg_db_cache_stats(struct lg_db *d, size_t *cached, uint64_t *prepares)
{
	if (cached != NULL)
		*cached = d->cached;
	if (prepares != NULL)
		*prepares = d->prepares;
}

/* --- statements ------------------------------------------------------ */

int
lg_finalize(struct lg_stmt *s)
{
	int rc;

	if (s == NULL)
		return 0;
	rc = sqlite3_reset(s->st);
	if (!s->cached) {
		sqlite3_finalize(s->st);
		free(s);
		return map_ok(rc);
	}
	sqlite3_clear_bindings(s->st);
	s->out = 0;
	return map_ok(rc);
}

int
lg_reset(struct lg_stmt *s)
{
	return map_ok(sqlite3_reset(s->st));
}

int
lg_step(struct lg_stmt *s)
{
	return map_rc(sqlite3_step(s->st));
}

int
lg_bind_count(struct lg_stmt *s)
{
	return sqlite3_bind_parameter_count(s->st);
}

int
lg_bind_null(struct lg_stmt *s, int i)
{
	return map_ok(sqlite3_bind_null(s->st, i));
}

int
lg_bind_int(struct lg_stmt *s, int i, int v)
{
	return map_ok(sqlite3_bind_int(s->st, i, v));
}

int
lg_bind_int64(struct lg_stmt *s, int i, int64_t v)
{
	return map_ok(sqlite3_bind_int64(s->st, i, (sqlite3_int64)v));
}

int
lg_bind_textn(struct lg_stmt *s, int i, const char *t, int n)
{
	return map_ok(sqlite3_bind_text(s->st, i, t, n, SQLITE_TRANSIENT));
}

int
lg_bind_text_ref(struct lg_stmt *s, int i, const char *t, int n)
{
	return map_ok(sqlite3_bind_text(s->st, i, t, n, SQLITE_STATIC));
}

int
lg_bind_blob(struct lg_stmt *s, int i, const void *p, int n)
{
	return map_ok(sqlite3_bind_blob(s->st, i, p, n, SQLITE_TRANSIENT));
}

enum lg_type
lg_column_type(struct lg_stmt *s, int i)
{
	switch (sqlite3_column_type(s->st, i)) {
	case SQLITE_INTEGER:
		return LG_INTEGER;
	case SQLITE_FLOAT:
		return LG_FLOAT;
	case SQLITE_TEXT:
		return LG_TEXT;
	case SQLITE_BLOB:
		return LG_BLOB;
	default:
		return LG_NULL;
	}
}

int
lg_column_int(struct lg_stmt *s, int i)
{
	return sqlite3_column_int(s->st, i);
}

int64_t
lg_column_int64(struct lg_stmt *s, int i)
{
	return sqlite3_column_int64(s->st, i);
}

const unsigned char *
lg_column_text(struct lg_stmt *s, int i)
{
	return sqlite3_column_text(s->st, i);
}

const void *
lg_column_blob(struct lg_stmt *s, int i)
{
	return sqlite3_column_blob(s->st, i);
}

int
lg_column_bytes(struct lg_stmt *s, int i)
{
	return sqlite3_column_bytes(s->st, i);
}
