/*
 * store.h - the storage seam: the one interface through which the ledger
 * reaches its SQL engine.
 *
 * Everything above this header (the CSV rules, fees, state machines,
 * scope checks, the audit chain: every other file of src/ledger/) speaks
 * SQL through these calls and never names an engine.  Below it one file
 * per engine implements them: store_sqlite.c (the embedded default).
 * The engine's own DDL lives in one file per engine too (schema.c is
 * SQLite's).  docs/architecture.md says how a second engine plugs in.
 *
 * The shape follows the prepared-statement model every SQL engine has:
 * prepare, bind (parameters ?1..?N), step through rows, read columns,
 * reset, release.  Results are engine-neutral: 0 or a negative UC_ERR_*
 * (the engine's codes are mapped in its file, in one place), and
 * lg_step() answers LG_ROW or LG_DONE.
 *
 * Statement cache: lg_db_prepare() prepares each SQL text once per
 * connection and hands out the prepared statement; lg_finalize() resets
 * it and gives it back to the cache.  A statement is used by one caller
 * at a time: preparing a text whose cached statement is still out (a
 * recursive query) prepares a second one.  Callers keep the old contract:
 * every statement they get they release with lg_finalize() (NULL is
 * fine), and nothing read from it outlives that call.
 */
#ifndef UC_LEDGER_STORE_H
#define UC_LEDGER_STORE_H

#include <stddef.h>
#include <stdint.h>

struct lg_db;   /* a connection, with its statement cache */
struct lg_stmt; /* a prepared statement, lent by the cache */

/* lg_step() outcomes (errors are negative UC_ERR_*). */
#define LG_ROW 1
#define LG_DONE 2

/* Column types (lg_column_type). */
enum lg_type {
	LG_NULL = 0,
	LG_INTEGER,
	LG_FLOAT,
	LG_TEXT,
	LG_BLOB,
};

/*
 * Fold a store result into 0 or a negative UC_ERR_*: LG_ROW and LG_DONE
 * are 0.  (Every store call already answers UC_ERR_* on failure.)
 */
static inline int
lg_err(int rc)
{
	return rc > 0 ? 0 : rc;
}

/* --- the connection --------------------------------------------------- */

enum lg_open_mode {
	LG_OPEN_WRITE,     /* read and write an existing file */
	LG_OPEN_IMMUTABLE, /* read a file nobody here may write, as it is */
};
/*
 * Open path (*db cleared on entry).  On failure *db is NULL, *sys_errno
 * (may be NULL) the OS error behind it (0 if none) and msg the engine's
 * words.  Sets the busy policy: a locked ledger is waited for up to
 * LG_BUSY_TIMEOUT_MS, then UC_ERR_BUSY.
 */
#define LG_BUSY_TIMEOUT_MS 10000
int lg_db_open(struct lg_db **db, const char *path, enum lg_open_mode mode,
    int *sys_errno, char *msg, size_t cap);
/* Release every cached statement, close, NULL (safe on NULL). */
void lg_db_close(struct lg_db **db);
/* 1 when the engine may only read the file. */
int lg_db_read_only(struct lg_db *db);
/* The journal that lets readers go on while one connection writes
 * (SQLite: WAL); on a connection that may write, before anything else. */
int lg_db_set_journal(struct lg_db *db);
/*
 * The engine's settings for a ledger connection (journal, sync,
 * foreign keys, cache; bulk: durability traded for speed, see
 * uc_ledger_set_bulk).
 */
int lg_db_tune(struct lg_db *db, int read_only);
int lg_db_set_bulk(struct lg_db *db, int on);
/* The engine's words for the last failure on db (borrowed). */
const char *lg_db_errmsg(struct lg_db *db);

/* Run SQL without results (several statements allowed; not cached). */
int lg_db_exec(struct lg_db *db, const char *sql);
/* A statement for sql (cached; *st cleared on entry). */
int lg_db_prepare(struct lg_db *db, struct lg_stmt **st, const char *sql);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t lg_db_changes(struct lg_db *db);
/* Row id of the last INSERT (portable SQL prefers RETURNING id). */
int64_t lg_db_last_id(struct lg_db *db);

/* Transactions: begin a write (takes the write lock now, so a busy
 * ledger fails before any work) or a read (one snapshot); commit;
 * roll back (safe outside a transaction). */
int lg_db_begin_write(struct lg_db *db);
int lg_db_begin_read(struct lg_db *db);
int lg_db_commit(struct lg_db *db);
void lg_db_rollback(struct lg_db *db);

/* How many statements the cache holds / has prepared (for tests and the
 * benchmarks). */
void lg_db_cache_stats(struct lg_db *db, size_t *cached, uint64_t *prepares);

/* --- statements ------------------------------------------------------- */

/* Give st back (reset, bindings cleared).  Returns the error of its last
 * step, as the engine reports it, or 0.  NULL is fine. */
int lg_finalize(struct lg_stmt *st);
/* Back to before the first row, bindings kept. */
int lg_reset(struct lg_stmt *st);
int lg_step(struct lg_stmt *st);
int lg_bind_count(struct lg_stmt *st);

int lg_bind_null(struct lg_stmt *st, int i);
int lg_bind_int(struct lg_stmt *st, int i, int v);
int lg_bind_int64(struct lg_stmt *st, int i, int64_t v);
/* n < 0: up to the NUL.  The text is copied. */
int lg_bind_textn(struct lg_stmt *st, int i, const char *s, int n);
/* The same without a copy: s must stay as it is until the next step or
 * reset of st. */
int lg_bind_text_ref(struct lg_stmt *st, int i, const char *s, int n);
int lg_bind_blob(struct lg_stmt *st, int i, const void *p, int n);

enum lg_type lg_column_type(struct lg_stmt *st, int i);
int lg_column_int(struct lg_stmt *st, int i);
int64_t lg_column_int64(struct lg_stmt *st, int i);
/* Borrowed until the next step, reset or finalize; NULL for NULL. */
const unsigned char *lg_column_text(struct lg_stmt *st, int i);
const void *lg_column_blob(struct lg_stmt *st, int i);
int lg_column_bytes(struct lg_stmt *st, int i);

#endif /* UC_LEDGER_STORE_H */
