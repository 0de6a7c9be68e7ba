/*
 * unioncard/ledger.h - the issuance ledger.
 *
 * One SQLite file (WAL journal, foreign keys on, STRICT tables) holds the
 * tree of union units, their accounts, the members each grassroots union
 * enters, the print requests that go up the tree, the fee schedule, the
 * cards and an append-only audit trail chained by SHA-256.  The file is
 * created and upgraded by numbered migrations (PRAGMA user_version).
 *
 * Every function that changes the ledger runs in ONE transaction: it
 * happens whole or not at all.  A refused action (outside the account's
 * subtree, wrong role, an approver approving its own unit) is rolled back
 * and THEN written to the audit trail in a transaction of its own, so the
 * refusal is on record even though nothing else changed.
 *
 * Acting as someone: uc_ledger_login() checks a password against the
 * salted PBKDF2-HMAC-SHA256 hash and makes that account the actor for
 * every later call on the handle.  Only uc_ledger_init() and the read-only
 * audit verification work without an actor.
 *
 * Objects are named the way users name them: units by code, members by
 * national ID or member code, requests by number, cards by serial text.
 * Records come back typed: documented structs (requests with their lines
 * and events, members, cards, units, accounts, fees, report rows), enums
 * for statuses, card types, payers, roles and reasons, and listings walked
 * through callbacks (the uc_ledger_*_each functions), so that a listing of
 * millions never sits in memory whole.  The front ends render them (the
 * CLI's --json in src/tools/ledger_json.c); the library knows no JSON.
 * docs/architecture.md shows the layers.
 *
 * Library code never prints.  Validation errors fill a struct uc_diag.
 */
#ifndef UNIONCARD_LEDGER_H
#define UNIONCARD_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/statuslist.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this library creates and understands. */
#define UC_LEDGER_SCHEMA_VERSION 10

#define UC_LEDGER_CODE_MAX 32     /* unit code, bytes */
#define UC_LEDGER_NAME_MAX 256    /* unit / member name, bytes */
#define UC_LEDGER_USER_MAX 64     /* account name, bytes */
#define UC_LEDGER_REASON_MAX 512  /* reasons, bytes */
#define UC_LEDGER_PASSWORD_MAX 1024
#define UC_LEDGER_PASSWORD_MIN 10 /* a new password, bytes */
/* Wrong passwords before an account is locked (then for a minute,
 * doubling with each further wrong one, at most a day). */
#define UC_LEDGER_LOGIN_TRIES 5
#define UC_LEDGER_SERIAL_LEN 11   /* "PP" + 9 digits */

/* Seeded fee items (amounts in VND; see docs/ledger.md). */
#define UC_FEE_REGULAR_FIRST "regular.first"       /* 0, province */
#define UC_FEE_REGULAR_LATER "regular.later"       /* 10000, member */
#define UC_FEE_LINKED_MANDATORY "linked.mandatory" /* 0, bank waives */
#define UC_FEE_LINKED_OTHER "linked.other"         /* 50000, member|union */

enum uc_ledger_role {
	UC_ROLE_CLERK = 1,
	UC_ROLE_APPROVER = 2,
	UC_ROLE_PRINTER = 4,
	UC_ROLE_LIAISON = 8,
	UC_ROLE_ADMIN = 16,
};

struct uc_ledger; /* opaque */

/*
 * The ledger's words as enums: what a front end (the CLI, the station,
 * the web server) compares and switches on.  The text forms ("draft",
 * "linked", ...) are the ones the ledger stores and the tools print;
 * uc_ledger_*_name() gives them (NULL out of range), uc_ledger_*_parse()
 * reads them back (0 when unknown; every enum starts at 1).
 */
enum uc_request_status {
	UC_REQUEST_DRAFT = 1,
	UC_REQUEST_SUBMITTED,
	UC_REQUEST_APPROVED,
	UC_REQUEST_REJECTED,
	UC_REQUEST_ACCEPTED,
	UC_REQUEST_WITHDRAWN,
};
enum uc_ledger_card_type {
	UC_LEDGER_CARD_REGULAR = 1, /* printed; no chip required */
	UC_LEDGER_CARD_LINKED,      /* chip with the bank application */
};
enum uc_card_status {
	UC_CARD_RESERVED = 1,
	UC_CARD_ENCODED,
	UC_CARD_ISSUED,
	UC_CARD_SPOILED,
	UC_CARD_LOST,
	UC_CARD_STOLEN,
	UC_CARD_DAMAGED,
	UC_CARD_REVOKED,
	UC_CARD_REPLACED,
};
/* Who pays a line's fee (the province pays a member's first card). */
enum uc_fee_payer {
	UC_PAYER_PROVINCE = 1,
	UC_PAYER_MEMBER,
	UC_PAYER_UNION,
};
/* Why a card replaces an earlier one (UC_REPLACE_NONE: a first card). */
enum uc_replacement {
	UC_REPLACE_NONE = 0,
	UC_REPLACE_LOST,
	UC_REPLACE_STOLEN,
	UC_REPLACE_DAMAGED,
	UC_REPLACE_DATA_CHANGE,
};
enum uc_member_status {
	UC_MEMBER_ENTERED = 1,
	UC_MEMBER_SUBMITTED,
	UC_MEMBER_APPROVED,
	UC_MEMBER_REJECTED,
	UC_MEMBER_WITHDRAWN,
};
UC_API const char *uc_ledger_member_status_name(int v);
UC_API int uc_ledger_member_status_parse(const char *s);
UC_API const char *uc_ledger_request_status_name(int v);
UC_API int uc_ledger_request_status_parse(const char *s);
UC_API const char *uc_ledger_card_type_name(int v);
UC_API int uc_ledger_card_type_parse(const char *s);
UC_API const char *uc_ledger_card_status_name(int v);
UC_API int uc_ledger_card_status_parse(const char *s);
UC_API const char *uc_ledger_payer_name(int v);
UC_API int uc_ledger_payer_parse(const char *s);
/* "" for UC_REPLACE_NONE is NULL: a first card has no reason. */
UC_API const char *uc_ledger_replacement_name(int v);
UC_API int uc_ledger_replacement_parse(const char *s);

/*
 * Open (and with create != 0 create) the ledger at path, then bring its
 * schema up to UC_LEDGER_SCHEMA_VERSION in one transaction per migration.
 * A file with a newer schema is UC_ERR_LEDGER_VERSION.  A missing file
 * without create is UC_ERR_NOT_FOUND.
 */
UC_API int uc_ledger_open(struct uc_ledger **out, const char *path,
    int create);

/*
 * uc_ledger_open with what a tool needs to tell the user (d, may be NULL,
 * says what is wrong) and options (o may be NULL: open an existing
 * ledger, quick check).
 *
 * Every open refuses, before touching anything:
 *   - a missing file unless create (UC_ERR_NOT_FOUND);
 *   - a 0-byte file unless create (UC_ERR_CORRUPT): a wiped ledger is
 *     never silently made anew; only init (create) starts a ledger;
 *   - a file that is not a SQLite database, or whose pages fail
 *     PRAGMA quick_check (integrity_check with o->full_check)
 *     (UC_ERR_CORRUPT, d naming SQLite's first complaint);
 *   - a SQLite file without a ledger schema unless create (UC_ERR_INVALID).
 * File-system failures are told apart: UC_ERR_ACCESS (permission
 * denied), UC_ERR_NO_SPACE, UC_ERR_READ_ONLY (a write to a ledger this
 * process may only read), UC_ERR_BUSY, UC_ERR_IO.
 *
 * A ledger the process may read but not write (file or directory not
 * writable) opens read-only: every read, report and audit verify works;
 * every change is UC_ERR_READ_ONLY.  uc_ledger_read_only() says so.
 *
 * create makes the file with mode 0600 (0640 and group o->group when
 * given: a group name, e.g. for an auditors' group); SQLite gives the
 * -wal and -shm files the mode of the ledger file.  Files the ledger
 * writes (bank order, status list, seals) are 0600, or 0640 with the
 * ledger's group when the ledger file is group-readable.
 */
struct uc_ledger_open_opts {
	int create;
	const char *group; /* create: group that may read, or NULL */
	int full_check;    /* PRAGMA integrity_check instead of quick_check */
	/*
	 * The ledger's "today" (the day requests, approvals and fee payments
	 * are dated, and so which fee applies) as a day number
	 * (uc_date_parse); 0: today in Vietnam by the clock.  For test
	 * stories that replay dates; the library reads no environment.
	 */
	int32_t today;
	/* PBKDF2 iterations for new password hashes, as
	 * uc_ledger_set_kdf_cost (0: the default, 600,000). */
	unsigned kdf_iterations;
};
UC_API int uc_ledger_open_ex(struct uc_ledger **out, const char *path,
    const struct uc_ledger_open_opts *o, struct uc_diag *d);
/* 1 when the ledger was opened read-only (see uc_ledger_open_ex). */
UC_API int uc_ledger_read_only(const struct uc_ledger *l);
/*
 * Check the database pages: PRAGMA integrity_check (full) or quick_check.
 * 0 when sound; UC_ERR_CORRUPT with SQLite's first complaint in msg.
 */
UC_API int uc_ledger_check_pages(struct uc_ledger *l, int full, char *msg,
    size_t cap);
/* Close, wipe and NULL (safe on NULL). */
UC_API void uc_ledger_free(struct uc_ledger **l);

/*
 * PBKDF2-HMAC-SHA256 iterations for passwords set through this handle
 * from now on (default 600,000; 1,000..100,000,000).  For test suites
 * that create many accounts; each stored hash keeps its own count, so
 * this never weakens existing accounts.  UC_ERR_RANGE outside the limits.
 */
UC_API int uc_ledger_set_kdf_cost(struct uc_ledger *l, unsigned iterations);

/*
 * Bulk mode for benchmarks and first loads: synchronous=OFF and a larger
 * page cache.  A crash may then lose the last transactions (never tear
 * one: WAL still applies).  Off by default.
 */
UC_API int uc_ledger_set_bulk(struct uc_ledger *l, int on);

/*
 * Create the root unit (province or ministry union) and its first admin.
 * prefix (1..99) is the issuer prefix of member codes and card serials.
 * UC_ERR_EXISTS if the ledger is already initialized.
 */
UC_API int uc_ledger_init(struct uc_ledger *l, const char *root_code,
    const char *root_name, unsigned prefix, const char *admin,
    const char *password);

/*
 * Check the password of account user and make it the actor.  A wrong
 * password or unknown user is UC_ERR_AUTH (the same code, and the same
 * time: an unknown name is checked against a dummy hash of the same
 * cost).  Every refusal is audited (at most a few rows an hour; the rest
 * are counted in the table login_refusals).  After UC_LEDGER_LOGIN_TRIES
 * wrong passwords in a row the account is locked until a time recorded
 * in the ledger: until then it is refused, even with the right password
 * (uc_ledger_diag: "account X is locked until T ...").  A disabled
 * account is refused.  The right password clears the count.
 */
UC_API int uc_ledger_login(struct uc_ledger *l, const char *user,
    const char *password);

/*
 * Why the last call was refused or failed a rule, in words for the user
 * ("unit X is outside the subtree of Y", "member ... already has a live
 * card"), as a diagnostic: d is cleared and its msg filled ("" if nothing
 * to add); returns d.  Error context reaches the tools one way, as a
 * struct uc_diag (error.h), from every layer.
 */
UC_API const struct uc_diag *uc_ledger_diag(const struct uc_ledger *l,
    struct uc_diag *d);

/*
 * Who the actor is (after uc_ledger_login): its account name, the code
 * and name of its unit, and its role.  For front ends that show the
 * account's unit and role on every page.  UC_ERR_PERM when nobody is
 * logged in (out cleared).
 */
struct uc_ledger_actor {
	char user[UC_LEDGER_USER_MAX + 1];
	char unit[UC_LEDGER_CODE_MAX + 1];
	char unit_name[UC_LEDGER_NAME_MAX + 1];
	int role; /* enum uc_ledger_role */
};
UC_API int uc_ledger_whoami(struct uc_ledger *l, struct uc_ledger_actor *out);

/*
 * API tokens, for scripts and integrations of the web console's JSON API
 * (docs/web.md).  A token is "uct_" and 43 base64url characters (32
 * random bytes); the ledger keeps only its SHA-256, so it is shown ONCE,
 * by uc_ledger_token_add.  A token acts as its account, with the
 * account's role and scope; a disabled or locked account's tokens are
 * refused too.  Adding and revoking: an admin who may manage the
 * account (as for uc_ledger_account_add); audited.  name: a label
 * (unique, as an account name is).
 */
#define UC_LEDGER_TOKEN_LEN 47
UC_API int uc_ledger_token_add(struct uc_ledger *l, const char *name,
    const char *user, char token[UC_LEDGER_TOKEN_LEN + 1]);
UC_API int uc_ledger_token_revoke(struct uc_ledger *l, const char *name);
/*
 * Make the account of token the actor, as uc_ledger_login does with a
 * password.  UC_ERR_AUTH for a token unknown, revoked or malformed, or
 * whose account is disabled or locked (uc_ledger_why says which; not
 * audited: a token is not guessable, and each refusal costs one lookup).
 */
UC_API int uc_ledger_token_login(struct uc_ledger *l, const char *token);

/* Role name <-> value ("clerk", ...).  0 / NULL when unknown. */
UC_API int uc_ledger_role_parse(const char *name);
UC_API const char *uc_ledger_role_name(int role);

/*
 * Walks (the uc_ledger_*_each functions) hand each record to a callback
 * with ctx; the record is borrowed for the call.  The callback returns 0
 * to go on, or a negative UC_ERR_* that stops the walk and is returned.
 *
 * Imports report every problem of a file in one run.  fn is called for
 * each, in file order, for the first UC_LEDGER_IMPORT_ERRORS_MAX of
 * them; d (borrowed for the call) names file, line, column and what is
 * wrong.  A caller shows those and says how many more there were.
 */
#define UC_LEDGER_IMPORT_ERRORS_MAX 100
typedef void (*uc_ledger_diag_fn)(void *ctx, const struct uc_diag *d);

/* --- units and accounts (admin) ------------------------------------- */

UC_API int uc_ledger_unit_add(struct uc_ledger *l, const char *code,
    const char *name, const char *parent_code, int exempt);
/*
 * CSV with columns code,name,parent[,exempt]; parents may appear earlier
 * in the same file.  One bad line rejects the whole file.
 */
UC_API int uc_ledger_unit_import(struct uc_ledger *l, FILE *fp,
    const char *name, size_t *count, struct uc_diag *d);
/*
 * As uc_ledger_unit_import, reporting every bad line (see
 * uc_ledger_diag_fn); *nerrors (optional) gets how many problems were
 * found, d the first.  Nothing is stored unless there were none.
 */
UC_API int uc_ledger_unit_import_each(struct uc_ledger *l, FILE *fp,
    const char *name, size_t *count, uc_ledger_diag_fn fn, void *ctx,
    size_t *nerrors, struct uc_diag *d);
/* One unit: code, name, parent ("" at the root), exempt, depth. */
struct uc_ledger_unit {
	char code[UC_LEDGER_CODE_MAX + 1];
	char name[UC_LEDGER_NAME_MAX + 1];
	char parent[UC_LEDGER_CODE_MAX + 1];
	int exempt;
	int depth;
};
/* Unit code into *out (cleared on entry): any role; a unit outside the
 * actor's subtree is UC_ERR_NOT_FOUND, as if absent. */
UC_API int uc_ledger_unit_get(struct uc_ledger *l, const char *code,
    struct uc_ledger_unit *out);
/* Called once per unit (see "Walks" above). */
typedef int (*uc_ledger_unit_fn)(void *ctx, const struct uc_ledger_unit *u);
/* Every unit of the actor's subtree, in tree order, to fn. */
UC_API int uc_ledger_unit_each(struct uc_ledger *l, uc_ledger_unit_fn fn,
    void *ctx);

/*
 * Make account user in unit_code with one role.  Only an admin of the
 * root, or of a unit strictly above unit_code, may (never one of the
 * same unit); a printer account only in the root unit.  The password
 * must pass uc_ledger_password_check.  UC_ERR_PERM, UC_ERR_INVALID (the
 * password; uc_ledger_diag says why), UC_ERR_EXISTS.
 */
UC_API int uc_ledger_account_add(struct uc_ledger *l, const char *user,
    const char *unit_code, int role, const char *password);

/*
 * The rule for a new password: at least UC_LEDGER_PASSWORD_MIN bytes, not
 * one of the commonest passwords (a small list built in), not the
 * account's name, not one character repeated.  0, or UC_ERR_INVALID with
 * the reason in why (cap bytes, may be NULL).  user may be NULL.
 */
UC_API int uc_ledger_password_check(const char *user, const char *password,
    char *why, size_t cap);

/*
 * The accounts of the actor's subtree (admin only), by unit and name:
 * name, unit, role, status (active|locked|disabled), failed logins, when
 * a lock ends, when it was created.
 */
enum uc_account_status {
	UC_ACCOUNT_ACTIVE = 1,
	UC_ACCOUNT_LOCKED,   /* too many wrong passwords, for a while */
	UC_ACCOUNT_DISABLED, /* by an admin */
};
/* "active", "locked", "disabled"; NULL out of range. */
UC_API const char *uc_ledger_account_status_name(int v);
struct uc_ledger_account {
	char name[UC_LEDGER_USER_MAX + 1];
	char unit[UC_LEDGER_CODE_MAX + 1];
	enum uc_ledger_role role;
	enum uc_account_status status;
	int failed_logins;
	char locked_until[32];    /* UTC, "" when never locked */
	char created_at[32];
};
typedef int (*uc_ledger_account_fn)(void *ctx,
    const struct uc_ledger_account *a);
/* The same accounts, one struct each, to fn (admin only). */
UC_API int uc_ledger_account_each(struct uc_ledger *l,
    uc_ledger_account_fn fn, void *ctx);

/*
 * Set a password.  user NULL (or the actor's own name): the actor's own,
 * any role.  Another account: an admin who may manage it (as for
 * uc_ledger_account_add) resets it.  Either way the count of wrong
 * passwords and any lock are cleared.
 */
UC_API int uc_ledger_account_passwd(struct uc_ledger *l, const char *user,
    const char *password);

/*
 * Disable (disabled != 0) or enable account user: by an admin who may
 * manage it, never its own.  Enabling also lifts a lock.
 */
UC_API int uc_ledger_account_set_disabled(struct uc_ledger *l,
    const char *user, int disabled);

/* --- members -------------------------------------------------------- */

/*
 * Import a member list (columns and their Vietnamese names:
 * docs/member-file.md; ',' or ';' separated, told from the header line)
 * into unit unit_code.  Names are stored NFC with an ASCII fold.  One bad
 * line rejects the whole file: nothing changes and d names file, line and
 * field of the first problem.  *count gets the number of members written.
 */
UC_API int uc_ledger_member_import(struct uc_ledger *l, const char *unit_code,
    FILE *fp, const char *name, size_t *count, struct uc_diag *d);
/*
 * The same, reporting every problem of the file to fn (see
 * uc_ledger_diag_fn): each bad field of each line, lines the ledger
 * refuses (a national ID twice in the file or in another unit), missing
 * header columns.  *nerrors (optional) gets how many were found.  A file
 * whose structure breaks (a quote never closed) is read up to there.
 */
UC_API int uc_ledger_member_import_each(struct uc_ledger *l,
    const char *unit_code, FILE *fp, const char *name, size_t *count,
    uc_ledger_diag_fn fn, void *ctx, size_t *nerrors, struct uc_diag *d);
/*
 * The same with the members' photos, in one transaction: each photo is
 * kept for the member of its national ID that this file enters or
 * corrects.  A photo whose png is NULL was refused by the caller (its
 * problem in .problem, e.g. from uc_face_photo_normalise) and is
 * reported with the file's problems; so is a photo whose national ID is
 * not a member of this file.  Any problem: nothing is stored.
 */
struct uc_ledger_member_photo {
	char national_id[64];
	const char *file;              /* the photo's file, for problems */
	const unsigned char *png;      /* normalised PNG, or NULL */
	size_t len;
	unsigned char sha256[32];      /* of png */
	struct uc_diag problem;        /* png == NULL: why (names the file) */
};
UC_API int uc_ledger_member_import_photos(struct uc_ledger *l,
    const char *unit_code, FILE *fp, const char *name,
    const struct uc_ledger_member_photo *photos, size_t n_photos,
    size_t *count, uc_ledger_diag_fn fn, void *ctx, size_t *nerrors,
    struct uc_diag *d);
/* entered -> submitted for every entered member of the unit. */
UC_API int uc_ledger_member_submit(struct uc_ledger *l, const char *unit_code,
    size_t *count);
/*
 * Approve submitted members of a unit directly under the actor's unit:
 * all of them (ids == NULL) or those with the given national IDs.
 * Each gets a member code.  *count: members approved.
 */
UC_API int uc_ledger_member_approve(struct uc_ledger *l,
    const char *unit_code, const char *const *national_ids, size_t n,
    size_t *count);
UC_API int uc_ledger_member_reject(struct uc_ledger *l, const char *unit_code,
    const char *national_id, const char *reason);
/*
 * One member as the ledger keeps it.  Text is NFC UTF-8; "" where the
 * ledger has nothing (a member code before approval, no reason).
 */
struct uc_ledger_member {
	char member_code[12];     /* UC_MEMBERCODE_LEN + 1 */
	char full_name[UC_LEDGER_NAME_MAX + 1];
	char name_ascii[UC_LEDGER_NAME_MAX + 1]; /* the bank's upper case */
	char national_id[UC_LEDGER_CODE_MAX + 1];
	enum uc_member_status status;
	int mandatory;            /* a mandatory member (free linked card) */
	char gender;              /* 'M' or 'F' */
	char date_of_birth[11];   /* YYYY-MM-DD */
	char position[UC_LEDGER_NAME_MAX + 1];
	char joined_on[11];       /* YYYY-MM-DD */
	char unit[UC_LEDGER_CODE_MAX + 1];
	char reject_reason[UC_LEDGER_REASON_MAX + 1];
	char withdrawn_reason[UC_LEDGER_REASON_MAX + 1];
};
/* Called once per member (see "Walks" above). */
typedef int (*uc_ledger_member_fn)(void *ctx,
    const struct uc_ledger_member *m);
/*
 * Every member of unit_code AND every unit below it, unit by unit in
 * tree order, to fn: all that are not withdrawn (status 0), or those
 * with that status (UC_MEMBER_WITHDRAWN: the withdrawn ones).  A status
 * out of range is UC_ERR_ARG.
 */
UC_API int uc_ledger_member_each(struct uc_ledger *l, const char *unit_code,
    int status, uc_ledger_member_fn fn, void *ctx);
/* A card a member had. */
struct uc_ledger_member_card {
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	enum uc_card_status status;
	enum uc_ledger_card_type type;
	char chip_serial[65];     /* "" before it is encoded */
	char updated_at[32];      /* UTC */
};
/*
 * One member by member code or national ID into *m, and every card it
 * had, oldest first, into *cards (malloc'ed, the CALLER free()s it;
 * cards may be NULL when not wanted) and *ncards.  Any role inside the
 * actor's subtree; a refusal is audited.
 */
UC_API int uc_ledger_member_get(struct uc_ledger *l, const char *key,
    struct uc_ledger_member *m, struct uc_ledger_member_card **cards,
    size_t *ncards);

/*
 * Correct what was entered.  key: member code or national ID.  Each
 * non-NULL field of f is a new value as a clerk types it, checked exactly
 * as the import checks that column (names trimmed, runs of spaces
 * collapsed, the card's limits; see uc_member_text_check).  An approved
 * member whose data changes goes back to "submitted" for approval again
 * (keeping its member code); a rejected one becomes "entered".  The audit
 * row keeps every old and new value.  Refused (UC_ERR_STATE, why says
 * so) for a withdrawn member, one on a request still on its way, or one
 * whose card is being printed.  A bad value is UC_ERR_INVALID with d
 * naming the field.  *changed: fields that differ (0: nothing done).
 * Clerk or admin over the member's unit.
 */
struct uc_ledger_member_fields {
	const char *full_name;
	const char *date_of_birth;
	const char *gender;
	const char *national_id;
	const char *position;
	const char *joined_on;
	const char *mandatory;
};
UC_API int uc_ledger_member_edit(struct uc_ledger *l, const char *key,
    const struct uc_ledger_member_fields *f, const char *reason,
    size_t *changed, struct uc_diag *d);
/*
 * Withdraw a member entered by mistake or rejected for good: the row
 * stays (status "withdrawn" in listings, the audit keeps why), but it
 * counts in no progress and no later step picks it up.  Importing its
 * national ID again into the same unit enters it again.  Refused for a
 * member with a card or on a request still on its way.
 */
UC_API int uc_ledger_member_withdraw(struct uc_ledger *l, const char *key,
    const char *reason);
/*
 * Move a member to another unit (members move between unions), keeping
 * its status and member code.  The actor must be clerk or admin over
 * BOTH units.  Refused as uc_ledger_member_edit is, except that a
 * withdrawn member may move (entered in the wrong union: move it, then
 * import it there to enter it again).
 */
UC_API int uc_ledger_member_transfer(struct uc_ledger *l, const char *key,
    const char *to_unit);
/*
 * Members of the actor's subtree whose name contains text (accents,
 * Đ/đ and case ignored: the text is folded as the bank name is), or
 * whose national ID or member code contains it; at most limit rows
 * (0: 10,000), by name, to fn as uc_ledger_member_each gives them,
 * withdrawn members included.
 */
UC_API int uc_ledger_member_find(struct uc_ledger *l, const char *text,
    size_t limit, uc_ledger_member_fn fn, void *ctx);
/*
 * Every member (not withdrawn) of unit_code's subtree (NULL: the actor's
 * unit) as formula-safe CSV (uc_csv_write_cells) to fp, with a header:
 * member_code, full_name, name_ascii, national_id, date_of_birth,
 * gender, position, joined_on, mandatory, status, unit.  Read from one
 * snapshot without holding the write lock, then audited (rows); on an
 * error the CALLER discards what was written.  The caller creates fp
 * (0600: it is personal data).
 */
UC_API int uc_ledger_member_export_csv(struct uc_ledger *l,
    const char *unit_code, FILE *fp, size_t *rows);

/* --- print requests and fees ---------------------------------------- */

/*
 * Create a draft print request for unit_code.  codes == NULL takes every
 * approved member of the unit without a live card; otherwise the listed
 * member codes.  payer: "member" or "union" (NULL: member) for lines the
 * member side pays.  replacement: NULL, or "lost", "stolen", "damaged",
 * "data_change".  Fees come from the schedule in force today.
 */
UC_API int uc_ledger_request_create(struct uc_ledger *l,
    const char *unit_code, const char *type, const char *const *codes,
    size_t n, const char *payer, const char *replacement, int64_t *id);
UC_API int uc_ledger_request_submit(struct uc_ledger *l, int64_t id);
UC_API int uc_ledger_request_approve(struct uc_ledger *l, int64_t id);
UC_API int uc_ledger_request_reject(struct uc_ledger *l, int64_t id,
    const char *reason);
/* The printer accepts an approved request and reserves a card per line. */
UC_API int uc_ledger_request_accept(struct uc_ledger *l, int64_t id);
/*
 * A draft or rejected request withdrawn by its unit (clerk or admin): it
 * stays on record as "withdrawn" and its members are free for another
 * request.  reason may be NULL.
 */
UC_API int uc_ledger_request_withdraw(struct uc_ledger *l, int64_t id,
    const char *reason);
/*
 * Add lines (approved members of the request's unit, by member code,
 * priced as uc_ledger_request_create prices them) to and remove lines
 * from a draft or rejected request.  A request keeps at least one line
 * (withdraw it instead).
 */
UC_API int uc_ledger_request_edit(struct uc_ledger *l, int64_t id,
    const char *const *add, size_t nadd, const char *const *remove,
    size_t nremove);
/* A request as the list shows it. */
struct uc_ledger_request_summary {
	int64_t id;
	char unit[UC_LEDGER_CODE_MAX + 1];
	enum uc_ledger_card_type type;
	enum uc_request_status status;
	char date[11];            /* YYYY-MM-DD */
	int64_t lines;
	int64_t total_vnd;        /* the sum of its lines' fees */
	char reject_reason[UC_LEDGER_REASON_MAX + 1]; /* "" when none */
};
typedef int (*uc_ledger_request_fn)(void *ctx,
    const struct uc_ledger_request_summary *q);
/* Every request of the actor's subtree, by number, to fn. */
UC_API int uc_ledger_request_each(struct uc_ledger *l,
    uc_ledger_request_fn fn, void *ctx);

/* One line of a request: a member and what its card costs. */
struct uc_ledger_request_line {
	int64_t line_id;          /* the station's handle on the line */
	char member_code[12];     /* UC_MEMBERCODE_LEN + 1 */
	char national_id[UC_LEDGER_CODE_MAX + 1];
	char full_name[UC_LEDGER_NAME_MAX + 1];
	int64_t fee_vnd;
	enum uc_fee_payer payer;
	char fee_item[UC_LEDGER_CODE_MAX + 1]; /* UC_FEE_* */
	char replaces[UC_LEDGER_SERIAL_LEN + 1]; /* the card replaced, or "" */
};
/* One step of a request: who did what when (and why, or NULL). */
struct uc_ledger_request_event {
	char action[16];          /* create, submit, approve, reject, ... */
	char account[UC_LEDGER_USER_MAX + 1];
	char at[32];              /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
	char *reason;             /* NULL when none */
};
struct uc_ledger_request {
	int64_t id;
	char unit[UC_LEDGER_CODE_MAX + 1];
	enum uc_request_status status;
	enum uc_ledger_card_type type;
	enum uc_fee_payer payer_choice; /* member or union */
	enum uc_replacement replacement;
	char date[11];            /* the request's day, YYYY-MM-DD */
	char *reject_reason;      /* NULL when none */
	size_t nlines;
	struct uc_ledger_request_line *lines;
	size_t nevents;
	struct uc_ledger_request_event *events;
};
/*
 * One request with its lines (in line order) and events (oldest first)
 * into *out (cleared on entry; the CALLER frees it with
 * uc_ledger_request_free).  Any role inside the actor's subtree; a
 * refusal is audited.  UC_ERR_NOT_FOUND for no such request.
 */
UC_API int uc_ledger_request_get(struct uc_ledger *l, int64_t id,
    struct uc_ledger_request **out);
/* Free and NULL (safe on NULL). */
UC_API void uc_ledger_request_free(struct uc_ledger_request **r);

/* Admin of the root: amount in VND from date (YYYY-MM-DD) on. */
UC_API int uc_ledger_fee_set(struct uc_ledger *l, const char *item,
    int64_t amount, const char *from);
/* One amount of the fee schedule, in force from a day on. */
struct uc_ledger_fee {
	char item[UC_LEDGER_CODE_MAX + 1]; /* UC_FEE_* */
	char from[11];            /* YYYY-MM-DD */
	int64_t amount_vnd;
};
typedef int (*uc_ledger_fee_fn)(void *ctx, const struct uc_ledger_fee *f);
/* The whole schedule, by item and day, to fn (any role). */
UC_API int uc_ledger_fee_each(struct uc_ledger *l, uc_ledger_fee_fn fn,
    void *ctx);

/* --- cards ---------------------------------------------------------- */

/*
 * Reserve a card serial for request line line_id (idempotent: an existing
 * reserved card of the line is returned).  serial gets the text form.
 */
UC_API int uc_ledger_card_reserve(struct uc_ledger *l, int64_t line_id,
    char serial[UC_LEDGER_SERIAL_LEN + 1]);
/*
 * Bind a reserved card to the chip it is about to be written on (the
 * station does this before the first writing APDU), so the serial can
 * never end up on two chips: once bound, encoding it on another chip is
 * refused (UC_ERR_STATE), and so is binding it to another chip.  Binding
 * again to the same chip is a no-op.  Printer or admin.
 */
UC_API int uc_ledger_card_bind(struct uc_ledger *l, const char *serial,
    const char *chip_serial);

#define UC_LEDGER_CLAIMANT_MAX 127
/*
 * As uc_ledger_card_bind, and record which station bound the card (`by`,
 * e.g. "HOST/PID", 1 to UC_LEDGER_CLAIMANT_MAX bytes) and when: the
 * station's claim on the line.  Binding again to the same chip by another
 * claimant takes the claim over (a station resuming its own card); to
 * another chip it is refused as by uc_ledger_card_bind.
 */
UC_API int uc_ledger_card_bind_by(struct uc_ledger *l, const char *serial,
    const char *chip_serial, const char *by);

/*
 * Undo uc_ledger_card_bind_by: a reserved card bound to chip_serial by
 * `by` is unbound, when the station knows nothing was written on that
 * chip (its keys did not open the card), so that another card may take
 * the serial without spoiling it.  UC_ERR_STATE when the card is not
 * reserved, or bound to another chip or by another station.  Audited.
 */
UC_API int uc_ledger_card_unbind(struct uc_ledger *l, const char *serial,
    const char *chip_serial, const char *by);

/* A card's binding: chip "" when unbound; by "" and at 0 when unknown. */
struct uc_ledger_binding {
	enum uc_card_status status;
	char chip[65];
	char by[UC_LEDGER_CLAIMANT_MAX + 1];
	int64_t at; /* unix seconds */
};
UC_API int uc_ledger_card_binding(struct uc_ledger *l, const char *serial,
    struct uc_ledger_binding *out);
/* reserved -> encoded, recording what the chip holds (which must be the
 * bound chip, if the card is bound). */
UC_API int uc_ledger_card_encoded(struct uc_ledger *l, const char *serial,
    const char *chip_serial, const unsigned char *public_key,
    size_t public_key_len, const unsigned char *sod_hash,
    size_t sod_hash_len);
/*
 * A linked card's bank PAN as the ledger keeps it: HMAC-SHA256 under the
 * bank-link key (32 bytes) and the last four digits.  Only on a reserved
 * card of a linked request, by a printer or admin; audited with the last
 * four only.  Setting the same values again is a no-op; different ones
 * are refused (UC_ERR_STATE).
 */
UC_API int uc_ledger_card_set_pan(struct uc_ledger *l, const char *serial,
    const unsigned char pan_hmac[32], const char *pan_last4);
/* reserved|encoded -> spoiled (a failed or pulled blank). */
UC_API int uc_ledger_card_spoil(struct uc_ledger *l, const char *serial,
    const char *reason);
/* reserved|encoded -> issued (handed to the member). */
UC_API int uc_ledger_card_issue(struct uc_ledger *l, const char *serial);
/*
 * Change a live card's status to "lost", "stolen", "damaged" or "revoked"
 * (reason optional).
 */
UC_API int uc_ledger_card_set_status(struct uc_ledger *l, const char *serial,
    const char *status, const char *reason);
/*
 * A card as the ledger keeps it; "" where it has nothing (no chip yet, no
 * reason, not replaced, no PAN, no claim).
 */
struct uc_ledger_card {
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	char member_code[12];     /* UC_MEMBERCODE_LEN + 1 */
	enum uc_card_status status;
	enum uc_ledger_card_type type;
	char full_name[UC_LEDGER_NAME_MAX + 1];
	char chip_serial[65];
	char reason[UC_LEDGER_REASON_MAX + 1];
	char replaced_by[UC_LEDGER_SERIAL_LEN + 1];
	char created_at[32];      /* UTC */
	char updated_at[32];
	char unit[UC_LEDGER_CODE_MAX + 1];
	char pan_last4[5];        /* linked cards, once known */
	char bound_by[UC_LEDGER_CLAIMANT_MAX + 1]; /* the station's claim */
};
/* Called once per card (see "Walks" above). */
typedef int (*uc_ledger_card_fn)(void *ctx, const struct uc_ledger_card *c);
/*
 * One card by its serial, or by the chip's serial as the verifier prints
 * it (hex, any case: that chip's newest card), into *out (cleared on
 * entry).  Any role inside the actor's subtree; a refusal is audited.
 */
UC_API int uc_ledger_card_get(struct uc_ledger *l, const char *serial,
    struct uc_ledger_card *out);
/* Every card of one request (id > 0) or of the actor's subtree (id ==
 * 0), by serial, to fn. */
UC_API int uc_ledger_card_each(struct uc_ledger *l, int64_t request_id,
    uc_ledger_card_fn fn, void *ctx);
/*
 * The live card of one request line, for the station, read through the
 * line's index (not the whole request): *done = 1 when the line has an
 * encoded or issued card; else *done = 0 and serial is its reserved card,
 * or "" when it has none.  Same access as uc_ledger_card_each; a line out
 * of the actor's subtree reads as having no card.
 */
UC_API int uc_ledger_line_card(struct uc_ledger *l, int64_t line_id,
    int *done, char serial[UC_LEDGER_SERIAL_LEN + 1]);

/* --- printed faces (src/ledger/faces.c) ----------------------------- */

#define UC_LEDGER_FACE_DEST_MAX 1024
/*
 * Card serial's face was printed: the SHA-256 of the PDF sent and where it
 * went (dest: "cups:QUEUE job N", "file:PATH").  The card must be encoded
 * or issued - or a printed-only regular card: reserved and bound to no
 * chip (handed out with uc_ledger_card_issue); printer or admin over the
 * member's unit.  Audited
 * "card.print".  A card may be printed again (a second row).
 */
UC_API int uc_ledger_face_printed(struct uc_ledger *l, const char *serial,
    const unsigned char sha256[32], const char *dest);
/*
 * The operator's word on the last printed face: confirmed, or misprinted.
 * A misprint spoils the card (encoded, or printed-only reserved, ->
 * spoiled, reason "misprint: ...") in the same transaction, so one member
 * never holds two valid cards; the next `encode` of the request (or
 * `print --without-chip`) makes the member a new card under a new serial,
 * which is then printed.  UC_ERR_STATE when the card has no
 * printed face awaiting a word (or is no longer encoded, for a misprint).
 */
UC_API int uc_ledger_face_confirm(struct uc_ledger *l, const char *serial);
UC_API int uc_ledger_face_misprint(struct uc_ledger *l, const char *serial,
    const char *reason);
/* The last face's state: "" (never printed), "printed", "confirmed",
 * "misprinted". */
UC_API int uc_ledger_face_state(struct uc_ledger *l, const char *serial,
    char state[16]);
/*
 * A member's photo (KEY: member code or national id), already normalised
 * (uc_face_photo_normalise: a PNG) with its SHA-256; replaces an earlier
 * one.  Clerk, printer or admin over the member's unit; audited
 * "member.photo".  _get appends the PNG to an emptied PNG buffer, or
 * UC_ERR_NOT_FOUND when the member has none.
 */
UC_API int uc_ledger_member_photo_set(struct uc_ledger *l, const char *key,
    const unsigned char *png, size_t len, const unsigned char sha256[32]);
UC_API int uc_ledger_member_photo_get(struct uc_ledger *l, const char *key,
    struct uc_buf *png);

/* --- the bank liaison: linked cards and the bank's file ------------- */

/*
 * The order for the bank: every line of linked request id (approved or
 * accepted) as one CSV row (docs/bank-files.md, "The order"), written to
 * path atomically (temp file + rename) and audited.  A regular request is
 * UC_ERR_STATE (uc_ledger_diag says so); so is a request not yet approved.
 * Liaison or admin over the request's unit.  *rows (optional) gets the
 * number of data rows.
 */
UC_API int uc_ledger_bank_export(struct uc_ledger *l, int64_t id,
    const char *path, size_t *rows);

/* What uc_ledger_bank_import did. */
struct uc_ledger_bank_import_info {
	int64_t import_id;   /* the new import, or the earlier one */
	uint64_t rows;       /* records in the file */
	int already;         /* 1: same bytes imported before; nothing done */
	unsigned char sha256[32];  /* of the file's bytes */
};

/*
 * Import the bank's issuance/status file at path (the bank's FULL list:
 * reconciliation compares the ledger with the newest import).  The file is
 * read with uc_bankfile_* under the bank-link key (key_len bytes); full
 * PANs become HMAC + last four before they reach the ledger.  The whole
 * file is read and checked first (into a temp table of this connection,
 * taking no lock on the ledger, so stations keep working meanwhile); a
 * bad line is UC_ERR_INVALID with d naming file, line and column, and the
 * ledger is unchanged.  Only then are the import and its records written,
 * in ONE transaction with one audit row (file name, SHA-256, row count).
 * A file whose SHA-256 was imported before returns 0 with info->already
 * = 1 and changes nothing (no audit row).  The file is opened and read
 * ONCE, its SHA-256 taken from the bytes parsed, so the hash stored is
 * the hash of what was stored.  Refused with UC_ERR_INVALID and d: a
 * path that is not a regular file (/dev/zero, a pipe), a file over
 * UC_LEDGER_BANK_FILE_MAX bytes, a header without records, a full PAN
 * outside the pan column (bankfile.h).  Liaison or admin of the root
 * unit.
 */
#define UC_LEDGER_BANK_FILE_MAX (1024ull * 1024u * 1024u) /* bytes */
UC_API int uc_ledger_bank_import(struct uc_ledger *l, const char *path,
    const uint8_t *key, size_t key_len,
    struct uc_ledger_bank_import_info *info, struct uc_diag *d);

/*
 * Every bank file imported, oldest first, to fn.  Liaison or admin of
 * the root unit (a refusal is audited).
 */
struct uc_ledger_bank_import {
	int64_t import;
	const char *file;      /* the file's name as imported */
	char sha256[65];       /* of its bytes, lower-case hex */
	uint64_t rows;
	const char *account;   /* who imported it, "" if unknown */
	const char *at;        /* UTC */
	int newest;            /* 1: the one reconcile reads */
};
/* Called once per import (see "Walks" above); every string is borrowed
 * for the call only. */
typedef int (*uc_ledger_bank_import_fn)(void *ctx,
    const struct uc_ledger_bank_import *b);
UC_API int uc_ledger_bank_imports_each(struct uc_ledger *l,
    uc_ledger_bank_import_fn fn, void *ctx);

/* Mismatch classes of uc_ledger_bank_reconcile_each, in report order. */
#define UC_LEDGER_BANK_CLASSES 7
/* "missing_at_bank", "unknown_to_us", "pan_mismatch", "name_mismatch",
 * "duplicate", "status_conflict", "fee_mismatch"; NULL out of range. */
UC_API const char *uc_ledger_bank_class_name(int i);


/*
 * Compare the ledger's linked cards with the newest bank import and hand
 * each mismatch to fn, ordered by class, member code and line (line,
 * card_ref and serial absent where they do not apply), without holding
 * them all in memory (a bank file read with the wrong key mismatches on
 * every row).  Details name last four digits only.  UC_ERR_NOT_FOUND when
 * nothing was imported yet.  Liaison or admin of the root unit;
 * read-only.  The classes are defined in docs/bank-files.md.  counts[] is filled BEFORE the first call of fn, so fn may print
 * a summary first.  Every string in *m is borrowed for the duration of
 * the call only.  A nonzero return from fn stops the walk and is
 * returned.  fn may be NULL (counts only).
 */
struct uc_ledger_bank_mismatch {
	int cls;                 /* 0 .. UC_LEDGER_BANK_CLASSES - 1 */
	const char *class_name;  /* uc_ledger_bank_class_name(cls) */
	const char *member_code; /* NULL if none */
	const char *detail;
	int64_t line;            /* bank file line, 0 if none */
	const char *card_ref;    /* NULL if none */
	const char *serial;      /* our card, NULL if none */
};
typedef int (*uc_ledger_bank_mismatch_fn)(void *ctx,
    const struct uc_ledger_bank_mismatch *m);
UC_API int uc_ledger_bank_reconcile_each(struct uc_ledger *l,
    uint64_t counts[UC_LEDGER_BANK_CLASSES], uc_ledger_bank_mismatch_fn fn,
    void *ctx);

/* --- targets and reports -------------------------------------------- */

UC_API int uc_ledger_target_set(struct uc_ledger *l, const char *unit_code,
    int year, int64_t members, const char *deadline);
/*
 * Progress of every unit in the subtree of unit_code (NULL: the actor's
 * unit) as of as_of (NULL: today in Vietnam), counts rolled up the tree,
 * in tree order, to fn.  percent = entered * 100 / target (one decimal),
 * rank among siblings by percent (exempt units and units without a target
 * get no rank).
 */
struct uc_ledger_progress {
	const char *unit;         /* borrowed for the call, as are name and */
	const char *name;         /* parent */
	const char *parent;       /* NULL at the top */
	int depth;
	int has_target;
	int64_t target;
	int64_t entered;
	int64_t approved;
	double percent;           /* < 0: no target */
	int rank;                 /* 0: not ranked */
	int exempt;
	int overdue;              /* past the deadline, below the target */
	char deadline[11];        /* YYYY-MM-DD, "" when none */
};
typedef int (*uc_ledger_progress_fn)(void *ctx,
    const struct uc_ledger_progress *p);
UC_API int uc_ledger_report_progress_each(struct uc_ledger *l,
    const char *unit_code, const char *as_of, uc_ledger_progress_fn fn,
    void *ctx);
/* Fee totals of accepted requests of the actor's subtree by month, unit
 * and payer, in that order, to fn. */
struct uc_ledger_fee_total {
	char period[8];           /* YYYY-MM of the requests' day */
	char unit[UC_LEDGER_CODE_MAX + 1];
	enum uc_fee_payer payer;
	int64_t lines;
	int64_t total_vnd;
	int64_t paid_vnd;
	int64_t unpaid_vnd;
};
typedef int (*uc_ledger_fee_total_fn)(void *ctx,
    const struct uc_ledger_fee_total *t);
UC_API int uc_ledger_report_fees_each(struct uc_ledger *l,
    uc_ledger_fee_total_fn fn, void *ctx);
/*
 * Every line of an accepted request whose fee (> 0 VND) has no payment
 * recorded, in the actor's subtree, by request and line, to fn.
 */
struct uc_ledger_fee_due {
	int64_t request;
	char unit[UC_LEDGER_CODE_MAX + 1];
	char member_code[12];     /* UC_MEMBERCODE_LEN + 1 */
	char full_name[UC_LEDGER_NAME_MAX + 1];
	enum uc_fee_payer payer;
	char fee_item[UC_LEDGER_CODE_MAX + 1];
	int64_t fee_vnd;
	char request_day[11];     /* YYYY-MM-DD */
};
typedef int (*uc_ledger_fee_due_fn)(void *ctx,
    const struct uc_ledger_fee_due *d);
UC_API int uc_ledger_report_fees_unpaid_each(struct uc_ledger *l,
    uc_ledger_fee_due_fn fn, void *ctx);

#define UC_LEDGER_PAYER_MAX 256   /* who paid, bytes */
#define UC_LEDGER_RECEIPT_MAX 64  /* receipt number, bytes */
/*
 * Record that the fee of member_code's line on request request_id was
 * paid: by whom (a person or body, 1..UC_LEDGER_PAYER_MAX bytes), on
 * which day (YYYY-MM-DD or DD/MM/YYYY; NULL: today; not before the
 * request's day nor after today), with which receipt number (1..
 * UC_LEDGER_RECEIPT_MAX bytes).  Clerk or admin over the request's unit;
 * the request must be accepted (fees fall due then) and the line's fee
 * above 0; a line is paid once (UC_ERR_EXISTS, uc_ledger_diag names the
 * receipt).  One transaction with a "fee.pay" audit row.
 */
UC_API int uc_ledger_fee_pay(struct uc_ledger *l, int64_t request_id,
    const char *member_code, const char *paid_by, const char *receipt,
    const char *paid_on);
/* Cards of the actor's subtree by status (in the order of the status
 * names), to fn. */
struct uc_ledger_card_count {
	enum uc_card_status status;
	int64_t count;
};
typedef int (*uc_ledger_card_count_fn)(void *ctx,
    const struct uc_ledger_card_count *c);
UC_API int uc_ledger_report_cards_each(struct uc_ledger *l,
    uc_ledger_card_count_fn fn, void *ctx);
/*
 * The spoilage log: every spoiled card of the actor's subtree (of one
 * request when request_id > 0), oldest first, into *out (cleared on
 * entry; the CALLER frees it with uc_ledger_spoilage_free): the cards,
 * and how many there are per reason, most frequent first.  "at" is when
 * the card was spoiled (UTC), "by" the account that recorded it (the
 * ledger does not know which station that was), request 0 for a card
 * outside any request.  Reasons are grouped up to their second ": ",
 * where the station's reasons put the detail that varies from card to
 * card ("personalization failed at STAGE: ERROR: detail"), cut on a
 * character at 255 bytes.  Any role may read it; one pass over the audit
 * trail finds "by".
 */
struct uc_ledger_spoiled_card {
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	int64_t request;          /* 0: none */
	char member_code[12];     /* UC_MEMBERCODE_LEN + 1 */
	char *reason;             /* the whole reason ("" when none) */
	char at[32];
	char by[UC_LEDGER_USER_MAX + 1]; /* "" when unknown */
};
struct uc_ledger_spoilage_reason {
	char *reason;             /* the group's text */
	uint64_t count;
};
struct uc_ledger_spoilage {
	uint64_t total;
	size_t nreasons;
	struct uc_ledger_spoilage_reason *reasons; /* most frequent first */
	size_t ncards;
	struct uc_ledger_spoiled_card *cards;
};
UC_API int uc_ledger_report_spoilage_get(struct uc_ledger *l,
    int64_t request_id, struct uc_ledger_spoilage **out);
/* Free and NULL (safe on NULL). */
UC_API void uc_ledger_spoilage_free(struct uc_ledger_spoilage **s);
/*
 * Recompute the per-unit daily counters behind the progress report from
 * the member rows (after a bulk load, or to repair).  Admin only.
 */
UC_API int uc_ledger_rebuild_counters(struct uc_ledger *l);

/* --- audit trail ---------------------------------------------------- */

/*
 * Walk the chain.  Returns 0 if intact, UC_ERR_VERIFY if a row was edited,
 * deleted or inserted outside the library; *bad_row (optional) gets the
 * first row id at fault and msg (optional, cap bytes) says what is wrong.
 * Needs no actor.
 */
UC_API int uc_ledger_audit_verify(struct uc_ledger *l, int64_t *bad_row,
    char *msg, size_t cap, int64_t *rows);
/* Write the trail as CSV (RFC 4180, CRLF) to fp. */
UC_API int uc_ledger_audit_export_csv(struct uc_ledger *l, FILE *fp);

/* --- status list ---------------------------------------------------- */

/*
 * Signer callback: sign payload (detached CMS, DER) into *sig (malloc'ed,
 * the library frees it).  NULL signer writes an unsigned list.
 */
typedef int (*uc_ledger_signer_fn)(void *ctx, const unsigned char *payload,
    size_t len, unsigned char **sig, size_t *sig_len);

/*
 * Write the revocation status list of every card (docs/status-list.md)
 * to path, atomically (temp file + rename).  ttl in seconds (0: 86400).
 * now: issue time (0: current time).  *ncards gets the bit count.
 */
UC_API int uc_ledger_status_list_export(struct uc_ledger *l,
    const char *path, uint32_t ttl, int64_t now, uc_ledger_signer_fn sign,
    void *sign_ctx, uint64_t *nbits, size_t *file_len);

/* Reading the list (parse, verify, look up): unioncard/statuslist.h. */

/* --- audit seals (docs/audit-seal.md) ------------------------------- */

/*
 * An audit seal is a signed statement "the audit trail of issuer PREFIX
 * had ROWS rows, the last one hashing to HEAD, at SEALED_AT".  Kept
 * outside the ledger (beside each status list, or wherever `audit seal
 * --out` puts it), a seal proves later that the trail still extends
 * what was sealed: deleting the last rows, all rows, or rewriting the
 * chain from an edited row (new hashes all the way to a new head) is
 * caught against any earlier seal.
 *
 *   payload (56 bytes): "UCAS" | version 1 | flags 0 | prefix u16 |
 *                       sealed_at u64 | rows u64 | head[32]
 *   then:               siglen u32 | CMS detached signature (DER) of the
 *                       payload by the status-list signer (siglen 0:
 *                       unsigned)
 * Integers big-endian; exactly payload + 4 + siglen bytes.
 */
#define UC_AUDIT_SEAL_PAYLOAD_LEN 56
#define UC_AUDIT_SEAL_SIG_MAX (64u * 1024u)
#define UC_AUDIT_SEAL_MAX (UC_AUDIT_SEAL_PAYLOAD_LEN + 4 + \
	UC_AUDIT_SEAL_SIG_MAX)

struct uc_audit_seal {
	unsigned prefix;
	int64_t sealed_at;     /* unix seconds */
	uint64_t rows;         /* chain length: id of the last row sealed */
	unsigned char head[32]; /* that row's hash */
	size_t payload_len;    /* UC_AUDIT_SEAL_PAYLOAD_LEN */
	size_t sig_off;
	size_t sig_len;        /* 0: unsigned */
};

/* Parse a seal's bytes (untrusted; bounded).  UC_ERR_INVALID when it is
 * not exactly a seal. */
UC_API int uc_audit_seal_parse(const unsigned char *data, size_t len,
    struct uc_audit_seal *info);
/*
 * Parse and check the seal's signature against trust: the signer chains
 * to a root in trust, was valid at sealed_at and carries the status-list
 * EKU.  UC_ERR_INVALID (malformed), UC_ERR_VERIFY (unsigned or a bad
 * signature; d says which).
 */
UC_API int uc_audit_seal_verify(const unsigned char *data, size_t len,
    const struct uc_trust *trust, struct uc_audit_seal *info,
    struct uc_diag *d);
/*
 * Seal the trail now (root printer or admin): verify the chain (a broken
 * trail is not sealed: UC_ERR_VERIFY), sign with sign (NULL: unsigned),
 * keep the seal in the ledger, append an audit.seal row, and write the
 * seal to path (temporary file + rename; path may be NULL: ledger only).
 * info (may be NULL) gets what was sealed.  now 0: the current time.
 */
UC_API int uc_ledger_audit_seal(struct uc_ledger *l, const char *path,
    int64_t now, uc_ledger_signer_fn sign, void *sign_ctx,
    struct uc_audit_seal *info);
/*
 * Does the trail extend the seal?  0 when the ledger is the seal's
 * issuer, has at least s->rows rows and row s->rows hashes to s->head;
 * else UC_ERR_VERIFY with msg saying what was lost.  Check the chain
 * itself with uc_ledger_audit_verify (the two together prove rows
 * 1..s->rows are the ones sealed).  Needs no actor.
 */
UC_API int uc_ledger_audit_seal_check(struct uc_ledger *l,
    const struct uc_audit_seal *s, char *msg, size_t cap);
/*
 * Check every seal kept in the ledger against the trail (*count: how
 * many).  0, or UC_ERR_VERIFY naming the first seal the trail no longer
 * extends.  Needs no actor.
 */
UC_API int uc_ledger_audit_seals_check(struct uc_ledger *l, size_t *count,
    char *msg, size_t cap);
/*
 * Replay the audited card transitions (card.reserve and every "FROM ->
 * TO" card row) and compare the result with the cards table: a card
 * whose status was changed, or which was added or removed, without its
 * audit row is UC_ERR_VERIFY naming the card (*bad_serial, may be NULL).
 * *cards (may be NULL) gets how many cards were compared.  Needs no
 * actor.
 */
UC_API int uc_ledger_audit_replay(struct uc_ledger *l, char *msg, size_t cap,
    char bad_serial[UC_LEDGER_SERIAL_LEN + 1], int64_t *cards);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_LEDGER_H */
