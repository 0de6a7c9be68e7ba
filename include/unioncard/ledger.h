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
 * Listings come back as jansson arrays (json_t *, the CALLER json_decref()s
 * them) so that tools print them as JSON, CSV or tables without the
 * library knowing which.
 *
 * Library code never prints.  Validation errors fill a struct uc_diag.
 */
#ifndef UNIONCARD_LEDGER_H
#define UNIONCARD_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"

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
 * (uc_ledger_why: "account X is locked until T ...").  A disabled
 * account is refused.  The right password clears the count.
 */
UC_API int uc_ledger_login(struct uc_ledger *l, const char *user,
    const char *password);

/*
 * Why the last call was refused or failed a rule, in words for the user
 * ("unit X is outside the subtree of Y", "member ... already has a live
 * card"); "" if nothing to add.  Borrowed, valid until the next call.
 */
UC_API const char *uc_ledger_why(const struct uc_ledger *l);

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
/* [{"code","name","parent","exempt","depth"}...] in tree order. */
UC_API int uc_ledger_unit_list(struct uc_ledger *l, json_t **out);

/*
 * Make account user in unit_code with one role.  Only an admin of the
 * root, or of a unit strictly above unit_code, may (never one of the
 * same unit); a printer account only in the root unit.  The password
 * must pass uc_ledger_password_check.  UC_ERR_PERM, UC_ERR_INVALID (the
 * password; uc_ledger_why says why), UC_ERR_EXISTS.
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
 * [{"name", "unit", "role", "status" (active|locked|disabled),
 * "failed_logins", "locked_until" (UTC or null), "created_at"}...]: the
 * accounts of the actor's subtree (admin only).
 */
UC_API int uc_ledger_account_list(struct uc_ledger *l, json_t **out);

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
/* [{"member_code","full_name","name_ascii","national_id","status",...}]
 * of unit_code AND every unit below it; withdrawn members only with
 * status "withdrawn".  An unknown status is UC_ERR_ARG. */
UC_API int uc_ledger_member_list(struct uc_ledger *l, const char *unit_code,
    const char *status, json_t **out);
/* One member by member code or national ID, with "cards": every card
 * it had [{"serial","status","type","chip_serial","updated_at"}]. */
UC_API int uc_ledger_member_show(struct uc_ledger *l, const char *key,
    json_t **out);

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
 * (0: 10,000), by name.  Rows as uc_ledger_member_list, withdrawn
 * members included.
 */
UC_API int uc_ledger_member_find(struct uc_ledger *l, const char *text,
    size_t limit, json_t **out);
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
UC_API int uc_ledger_request_list(struct uc_ledger *l, json_t **out);
/* {"id","status","type","unit","lines":[{"member_code","fee_vnd","payer"}]} */
UC_API int uc_ledger_request_show(struct uc_ledger *l, int64_t id,
    json_t **out);

/* Admin of the root: amount in VND from date (YYYY-MM-DD) on. */
UC_API int uc_ledger_fee_set(struct uc_ledger *l, const char *item,
    int64_t amount, const char *from);
UC_API int uc_ledger_fee_list(struct uc_ledger *l, json_t **out);

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
	char status[16];
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
UC_API int uc_ledger_card_show(struct uc_ledger *l, const char *serial,
    json_t **out);
/* [{"serial","member_code","status","type"}...] of one request (id > 0)
 * or of every card in the actor's subtree (id == 0). */
UC_API int uc_ledger_card_list(struct uc_ledger *l, int64_t request_id,
    json_t **out);
/*
 * The live card of one request line, for the station, read through the
 * line's index (not the whole request): *done = 1 when the line has an
 * encoded or issued card; else *done = 0 and serial is its reserved card,
 * or "" when it has none.  Same access as uc_ledger_card_list; a line out
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
 * UC_ERR_STATE (uc_ledger_why says so); so is a request not yet approved.
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
 * Every bank file imported, oldest first: [{"import","file","sha256",
 * "rows","account","at","newest"}...] ("newest": the one reconcile
 * reads).  Liaison or admin of the root unit.
 */
UC_API int uc_ledger_bank_imports(struct uc_ledger *l, json_t **out);

/* Mismatch classes of uc_ledger_bank_reconcile, in report order. */
#define UC_LEDGER_BANK_CLASSES 7
/* "missing_at_bank", "unknown_to_us", "pan_mismatch", "name_mismatch",
 * "duplicate", "status_conflict", "fee_mismatch"; NULL out of range. */
UC_API const char *uc_ledger_bank_class_name(int i);

/*
 * Compare the ledger's linked cards with the newest bank import:
 * {"summary": {CLASS: COUNT, ... all seven}, "mismatches": [{"class",
 * "member_code", "detail", "line", "card_ref", "serial"}...]} ordered by
 * class, member code and line (line/card_ref/serial null where they do
 * not apply).  Details name last four digits only.  The CALLER
 * json_decref()s *out.  UC_ERR_NOT_FOUND when nothing was imported yet.
 * Liaison or admin of the root unit; read-only.  The classes are defined
 * in docs/bank-files.md.
 */
UC_API int uc_ledger_bank_reconcile(struct uc_ledger *l, json_t **out);

/*
 * The same mismatches one at a time, for output that must not hold them
 * all in memory (a bank file read with the wrong key mismatches on every
 * row).  counts[] is filled BEFORE the first call of fn, so fn may print
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
 * unit) as of as_of (NULL: today in Vietnam), counts rolled up the tree:
 * [{"unit","name","parent","depth","target","entered","approved",
 *   "percent","rank","exempt","overdue","deadline"}...] in tree order.
 * percent = entered * 100 / target (one decimal), rank among siblings by
 * percent (exempt units and units without a target get rank null).
 */
UC_API int uc_ledger_report_progress(struct uc_ledger *l,
    const char *unit_code, const char *as_of, json_t **out);
/* Fee totals of accepted requests by payer, unit and month:
 * [{"period","unit","payer","lines","total_vnd","paid_vnd",
 * "unpaid_vnd"}...]. */
UC_API int uc_ledger_report_fees(struct uc_ledger *l, json_t **out);
/*
 * Every line of an accepted request whose fee (> 0 VND) has no payment
 * recorded, in the actor's subtree: [{"request","unit","member_code",
 * "full_name","payer","fee_item","fee_vnd","request_day"}...].
 */
UC_API int uc_ledger_report_fees_unpaid(struct uc_ledger *l, json_t **out);

#define UC_LEDGER_PAYER_MAX 256   /* who paid, bytes */
#define UC_LEDGER_RECEIPT_MAX 64  /* receipt number, bytes */
/*
 * Record that the fee of member_code's line on request request_id was
 * paid: by whom (a person or body, 1..UC_LEDGER_PAYER_MAX bytes), on
 * which day (YYYY-MM-DD or DD/MM/YYYY; NULL: today; not before the
 * request's day nor after today), with which receipt number (1..
 * UC_LEDGER_RECEIPT_MAX bytes).  Clerk or admin over the request's unit;
 * the request must be accepted (fees fall due then) and the line's fee
 * above 0; a line is paid once (UC_ERR_EXISTS, uc_ledger_why names the
 * receipt).  One transaction with a "fee.pay" audit row.
 */
UC_API int uc_ledger_fee_pay(struct uc_ledger *l, int64_t request_id,
    const char *member_code, const char *paid_by, const char *receipt,
    const char *paid_on);
/* Cards by status: [{"status","count"}...]. */
UC_API int uc_ledger_report_cards(struct uc_ledger *l, json_t **out);
/*
 * The spoilage log: every spoiled card of the actor's subtree (of one
 * request when request_id > 0), oldest first:
 *   {"total": N,
 *    "by_reason": {"REASON": count...},   most frequent first
 *    "cards": [{"serial","request","member_code","reason","at","by"}...]}
 * "at" is when the card was spoiled (UTC), "by" the account that recorded
 * it (the ledger does not know which station that was), "request" null
 * for a card outside any request.  by_reason groups on the reason up to
 * its second ": ", where the station's reasons put the detail that varies
 * from card to card ("personalization failed at STAGE: ERROR: detail").
 * Any role may read it; one pass over the audit trail finds "by".
 */
UC_API int uc_ledger_report_spoilage(struct uc_ledger *l, int64_t request_id,
    json_t **out);
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

/*
 * Parse a status list file image: check the envelope and return the
 * bitstring (malloc'ed, CALLER frees) and header fields.  Signature
 * checking is the caller's (payload_len bytes at the start are signed).
 */
struct uc_status_list_info {
	unsigned prefix;
	int64_t issued_at;
	uint32_t ttl;
	uint64_t nbits;
	size_t payload_len;
	size_t sig_off;
	size_t sig_len;
};
UC_API int uc_status_list_parse(const unsigned char *data, size_t len,
    struct uc_status_list_info *info, unsigned char **bits,
    size_t *bits_len);
/*
 * What a verifier does offline: parse the file image, verify its detached
 * CMS signature over the payload against trust (a struct uc_trust from
 * keys.h; the signer must carry the status-list EKU), and check that now
 * (0: current time) lies in [issued_at, issued_at + ttl].  On success the
 * bitstring is returned as by uc_status_list_parse.  Errors:
 * UC_ERR_INVALID (malformed), UC_ERR_VERIFY (unsigned, bad signature or
 * expired; d says which).
 */
struct uc_trust;
UC_API int uc_status_list_verify(const unsigned char *data, size_t len,
    const struct uc_trust *trust, int64_t now,
    struct uc_status_list_info *info, unsigned char **bits,
    size_t *bits_len, struct uc_diag *d);

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

/* 1 if card serial is marked not valid in bits, 0 if valid, <0 error. */
UC_API int uc_status_list_get(const struct uc_status_list_info *info,
    const unsigned char *bits, size_t bits_len, const char *serial);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_LEDGER_H */
