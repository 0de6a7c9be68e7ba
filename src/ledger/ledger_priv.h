/*
 * ledger_priv.h - what the ledger's source files share: the handle, the
 * transaction and audit helpers, and the scope checks.
 */
#ifndef UC_LEDGER_PRIV_H
#define UC_LEDGER_PRIV_H

#include <stdint.h>
#include <stdio.h>

#include "ledger/store.h"

#include "unioncard/ledger.h"
#include "unioncard/member.h"
#include "unioncard/text.h"

#define LG_PATH_MAX 512   /* units.path ("/1/4/9/") */
#define LG_DETAILS_MAX 2048

struct lg_unit {
	int64_t id;
	int64_t parent_id; /* 0 at the root */
	int depth;
	int exempt;
	char code[UC_LEDGER_CODE_MAX + 1];
	char path[LG_PATH_MAX];
};

struct uc_ledger {
	struct lg_db *db;       /* the storage seam (store.h) */
	unsigned prefix;        /* issuer prefix, 0 before init */
	int in_tx;
	unsigned kdf_iter;      /* PBKDF2 iterations for new hashes, 0: default */
	int32_t today;          /* the caller's fixed day (opts), 0: the clock */
	/* the actor, after uc_ledger_login */
	int64_t acct_id;
	int acct_role;
	char acct_name[UC_LEDGER_USER_MAX + 1];
	struct lg_unit acct_unit;
	int read_only;          /* opened read-only (uc_ledger_open_ex) */
	int share_group;        /* files written are 0640, group share_gid */
	unsigned share_gid;
	/* why the last scope check said no (for the refusal audit row) */
	char refusal[256];
	char login_why[256];    /* why the last login was refused */
};

/* Run SQL without results. */
int lg_exec(struct uc_ledger *l, const char *sql);
/* Prepare; *st cleared on entry. */
int lg_prepare(struct uc_ledger *l, struct lg_stmt **st, const char *sql);
/* Bind helpers that treat NULL text as SQL NULL. */
int lg_bind_text(struct lg_stmt *st, int i, const char *s);
/* Bind ?1 and ?2 to the actor's unit path and its length: with
 * "substr(u.path, 1, ?2) = ?1" a query sees the actor's subtree only. */
void lg_bind_scope(struct uc_ledger *l, struct lg_stmt *st);
int lg_begin(struct uc_ledger *l);
int lg_commit(struct uc_ledger *l);
void lg_rollback(struct uc_ledger *l);
/*
 * Finish a transaction begun with lg_begin: commit if r == 0, else roll
 * back; if r is UC_ERR_PERM, append a "refused" audit row for action in
 * a transaction of its own.  Returns the final code.
 */
int lg_end(struct uc_ledger *l, int r, const char *action,
    const char *unit_code, const char *object);

/* Audit a refusal (l->refusal says why) in a transaction of its own. */
void lg_refused(struct uc_ledger *l, const char *action,
    const char *unit_code, const char *object);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
void lg_now(char out[32]);
/* Today in Vietnam as a day number, or the day the caller fixed
 * (uc_ledger_open_opts.today, so that stories with dates replay). */
int32_t lg_today(const struct uc_ledger *l);
/* Parse YYYY-MM-DD or DD/MM/YYYY into a day number. */
int lg_parse_day(const char *s, int32_t *day);

/* Append an audit row (inside the caller's transaction). */
/* Keep member id's photo (a normalised PNG) and audit it; inside the
 * caller's transaction (faces.c). */
int lg_member_photo_store(struct uc_ledger *l, int64_t id,
    const char *unit_code, const char *code, const unsigned char *png,
    size_t len, const unsigned char sha256[32]);
int lg_audit(struct uc_ledger *l, const char *action, const char *unit_code,
    const char *object, const char *details);

/*
 * uc_ledger_audit_verify inside the caller's transaction; head (may be
 * NULL) gets the hash of the last row (32 zero bytes for an empty trail).
 */
int lg_chain_verify(struct uc_ledger *l, int64_t *bad_row, char *msg,
    size_t cap, int64_t *rows, unsigned char head[32]);

/*
 * Seal the trail as it stands in the caller's write transaction
 * (seal.c): verify the chain, sign (sign may be NULL: an unsigned seal),
 * store the seal in audit_seals (file: where it goes, or NULL) and
 * append an audit.seal row.  *seal (malloc'ed, caller frees) gets the
 * seal's bytes, *info what it says.
 */
int lg_seal_make(struct uc_ledger *l, int64_t now, uc_ledger_signer_fn sign,
    void *sign_ctx, const char *file, unsigned char **seal, size_t *len,
    struct uc_audit_seal *info);

/* uc_ledger_audit_replay inside the caller's transaction. */
int lg_replay(struct uc_ledger *l, char *msg, size_t cap,
    char bad_serial[UC_LEDGER_SERIAL_LEN + 1], int64_t *cards);

/* Write n bytes to path's temporary sibling (*tmp, malloc'ed; synced,
 * closed, not yet renamed).  On failure nothing is left behind. */
int lg_seal_write_tmp(struct uc_ledger *l, const char *path,
    const unsigned char *p, size_t n, char **tmp);

/* Look a unit up by code / id (UC_ERR_NOT_FOUND). */
int lg_unit_by_code(struct uc_ledger *l, const char *code, struct lg_unit *u);
int lg_unit_by_id(struct uc_ledger *l, int64_t id, struct lg_unit *u);
/*
 * The unit and status of one object (a request, a card...): sql, with
 * its one ? bound to id, selects the owning unit's id and (unless status
 * is NULL) the object's status text.  UC_ERR_NOT_FOUND without a row.
 */
int lg_unit_status(struct uc_ledger *l, const char *sql, int64_t id,
    struct lg_unit *u, char status[16]);
/* Unit `code` into *u, once the actor is known to have one of roles over
 * it (lg_unit_by_code, then lg_need). */
int lg_unit_need(struct uc_ledger *l, const char *code, int roles,
    struct lg_unit *u);
/* Unit `code` into *u for a read: any role, inside the actor's subtree;
 * a refusal is audited as `action` on that unit (lg_refused). */
int lg_unit_see(struct uc_ledger *l, const char *code, const char *action,
    struct lg_unit *u);

/*
 * Scope checks.  lg_need_actor: someone is logged in.  lg_need: the actor
 * has one of roles (a mask) and u is in the actor's subtree (u == NULL:
 * role only).  On refusal they fill l->refusal and return UC_ERR_PERM.
 */
int lg_need_actor(struct uc_ledger *l);
int lg_need(struct uc_ledger *l, int roles, const struct lg_unit *u);
/* The actor is an approver in the unit directly above u (not u itself). */
int lg_need_superior(struct uc_ledger *l, const struct lg_unit *u);
/* 1 if u lies in the subtree rooted at top. */
int lg_in_subtree(const struct lg_unit *top, const struct lg_unit *u);

/* 1 if s is a valid unit code / user name ([A-Za-z0-9._-], 1..32). */
int lg_valid_code(const char *s);

/*
 * The words of every yes/no column (member import's mandatory, unit
 * import's exempt, docs/member-file.md): 1/0, yes/no, y/n, true/false,
 * có/không - exact words after NFC, in lower, Capitalized or
 * UPPER case ("cỏ" is not "có").  UC_ERR_INVALID for anything else,
 * the empty cell included (a caller whose column may be left empty
 * decides what that means).
 */
int lg_parse_bool(const char *s, size_t n, int *v);
#define LG_BOOL_WORDS UC_TEXT_YESNO_WORDS

/*
 * Where the problems of one import go (member and unit import): the
 * first into *first, the first UC_LEDGER_IMPORT_ERRORS_MAX to fn, all of
 * them counted in n.  lg_errs_bad() reports a problem in field col of
 * the record csv has just read.
 */
struct uc_csv;
struct lg_errs {
	uc_ledger_diag_fn fn;
	void *ctx;
	struct uc_diag *first;
	size_t n;
};
void lg_errs_emit(struct lg_errs *e, const struct uc_diag *x);
void lg_errs_bad(struct lg_errs *e, struct uc_csv *csv, int col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * A value from a file as an error message may quote it: its first 40
 * bytes (cut on a character), control characters (C0, DEL, C1) shown as
 * '?', so that a message can never carry an escape sequence to a
 * terminal.  out must hold LG_SHOW_CAP bytes; returns out.
 */
#define LG_SHOW_CAP 48
const char *lg_show_value(const char *s, size_t n, char out[LG_SHOW_CAP]);


/*
 * Text a user typed for the ledger to keep (a reason): the shared check
 * of unioncard/member.h (no control characters, valid UTF-8, within the
 * kind's limit).  UC_ERR_INVALID with l->refusal naming field and fault.
 */
int lg_check_text(struct uc_ledger *l, enum uc_member_text_kind kind,
    const char *field, const char *s);

/* Next value of a named forward-only counter. */
int lg_counter_next(struct uc_ledger *l, const char *name, int64_t *v);
/* The next n (>= 1) values of the counter at once: *first .. *first +
 * n - 1 are the caller's (a batch takes its block in one statement). */
int lg_counter_take(struct uc_ledger *l, const char *name, int64_t n,
    int64_t *first);

/* Reserve a card for a request line inside the caller's transaction. */
int lg_card_reserve(struct uc_ledger *l, int64_t line_id,
    char serial[UC_LEDGER_SERIAL_LEN + 1]);

/* Card serial text <-> number. */
void lg_serial_format(unsigned prefix, int64_t n,
    char out[UC_LEDGER_SERIAL_LEN + 1]);
int lg_serial_parse(unsigned prefix, const char *s, int64_t *n);

/*
 * The progress counters (progress_daily) follow the member rows by
 * trigger (schema.c, migration 5): changing a member's status, unit or
 * days, or deleting it, keeps them right with no call from the code.
 * Members are inserted by the import only, which counts its new rows in
 * one statement; code that inserts members any other way must too.
 */

/*
 * A file written whole or not at all.  lg_file_open: create path's
 * temporary sibling (*tmp, "PATH.tmp.PID") open for writing as *f.
 * lg_file_commit: flush, sync and close *f (*f = NULL), then rename *tmp
 * to path.  lg_file_end: close *f if still open, remove *tmp unless r is
 * 0, free it; returns r.  When why is not NULL, an open or rename failure
 * is also told in why->refusal.
 */
int lg_file_open(struct uc_ledger *why, const char *path, char **tmp,
    FILE **f);
int lg_file_commit(struct uc_ledger *why, const char *path, const char *tmp,
    FILE **f);
int lg_file_end(int r, char *tmp, FILE *f);
/* Rename tmp to path unless path has become a link or special file
 * (UC_ERR_INVALID); why->refusal says what failed. */
int lg_file_place(struct uc_ledger *why, const char *tmp, const char *path);
/* errno -> UC_ERR_*: ACCESS, NO_SPACE, READ_ONLY, NOT_FOUND, NOMEM, IO. */
int lg_errno(int e);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
void lg_utc(int64_t t, char out[32]);

/*
 * Separation of duties (docs/ledger.md, "Who may do what").  Each fills
 * l->refusal and returns UC_ERR_PERM on refusal.
 * lg_need_issuer: printing (accept, encode, status list) is the root
 * unit's own: the actor's unit is the root.
 * lg_need_grantor: the actor may manage accounts of unit u: an admin of
 * the root, or an admin of a unit strictly above u (never u's own).
 * lg_need_not_submitter_request / _member: the actor did not create or
 * submit that request, nor import or submit that member.
 */
int lg_need_issuer(struct uc_ledger *l);
int lg_need_grantor(struct uc_ledger *l, const struct lg_unit *u);
int lg_need_not_submitter_request(struct uc_ledger *l, int64_t request_id);
int lg_need_not_submitter_member(struct uc_ledger *l, int64_t member_id);
/* 1 if s is a valid account name ([A-Za-z0-9._-], 1..64). */
int lg_valid_user(const char *s);

/* Lower-case hex of n bytes, NUL-terminated (out holds 2n + 1). */
void lg_hex(const unsigned char *p, size_t n, char *out);

/* Password hashing (PBKDF2-HMAC-SHA256). */
int lg_pw_hash(const char *password, unsigned iter, char *out, size_t cap);
int lg_pw_check(const char *password, const char *stored);

#endif /* UC_LEDGER_PRIV_H */
