/*
 * faces.c - the printed card in the ledger (ledger.h, "printed faces"):
 * each face printed, and the operator's word on it.  A misprint spoils
 * the card's serial in the same transaction, like a spoiled chip, so a
 * member never has two valid cards.
 */
#include <stdio.h>
#include <string.h>

#include "unioncard/ledger.h"
#include "unioncard/text.h"

#include "ledger/ledger_priv.h"

#define FACE_ROLES (UC_ROLE_PRINTER | UC_ROLE_ADMIN)

/*
 * A printed-only card: a regular card still reserved and bound to no chip
 * (`print --without-chip`); its face is the whole card.
 */
static int
printed_only(struct uc_ledger *l, int64_t n)
{
	struct lg_stmt *st = NULL;
	int yes = 0;

	if (lg_prepare(l, &st, "SELECT 1 FROM cards WHERE serial = ? AND"
	    " status = 'reserved' AND type = 'regular' AND"
	    " chip_serial IS NULL") != 0)
		return 0;
	lg_bind_int64(st, 1, n);
	yes = lg_step(st) == LG_ROW;
	lg_finalize(st);
	return yes;
}

/* Card serial -> its number, unit and status, for an actor of roles. */
static int
locate(struct uc_ledger *l, const char *serial, int roles, int64_t *n,
    struct lg_unit *u, char status[16])
{
	int r;

	if (lg_serial_parse(l->prefix, serial, n) != 0)
		return UC_ERR_NOT_FOUND;
	if ((r = lg_unit_status(l, "SELECT m.unit_id, c.status FROM cards c"
	    " JOIN members m ON m.id = c.member_id WHERE c.serial = ?", *n,
	    u, status)) != 0)
		return r;
	return lg_need(l, roles, u);
}

/* The last face row of card n: its id and state ("" and 0: none). */
static int
last_face(struct uc_ledger *l, int64_t n, int64_t *id, char state[16])
{
	struct lg_stmt *st = NULL;
	int r, rc;

	*id = 0;
	state[0] = '\0';
	if ((r = lg_prepare(l, &st, "SELECT id, state FROM card_faces"
	    " WHERE serial = ? ORDER BY id DESC LIMIT 1")) != 0)
		return r;
	lg_bind_int64(st, 1, n);
	rc = lg_step(st);
	if (rc == LG_ROW) {
		*id = lg_column_int64(st, 0);
		snprintf(state, 16, "%s",
		    (const char *)lg_column_text(st, 1));
		r = 0;
	} else
		r = rc == LG_DONE ? 0 : lg_err(rc);
	lg_finalize(st);
	return r;
}

int
uc_ledger_face_printed(struct uc_ledger *l, const char *serial,
    const unsigned char sha256[32], const char *dest)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16], at[32], hex[65], det[UC_LEDGER_FACE_DEST_MAX + 128];
	int64_t n;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || serial == NULL || sha256 == NULL || dest == NULL ||
	    dest[0] == '\0' || strlen(dest) > UC_LEDGER_FACE_DEST_MAX ||
	    uc_text_utf8_check(dest, strlen(dest), NULL) != 0)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = locate(l, serial, FACE_ROLES, &n, &u, status)) != 0)
		goto out;
	if (strcmp(status, "encoded") != 0 && strcmp(status, "issued") != 0 &&
	    !printed_only(l, n)) {
		snprintf(l->refusal, sizeof(l->refusal), "card %s is %s",
		    serial, status);
		r = UC_ERR_STATE;
		goto out;
	}
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO card_faces(serial, sha256,"
	    " destination, state, account_id, at)"
	    " VALUES (?1, ?2, ?3, 'printed', ?4, ?5)")) != 0)
		goto out;
	lg_bind_int64(st, 1, n);
	lg_bind_blob(st, 2, sha256, 32);
	lg_bind_text(st, 3, dest);
	lg_bind_int64(st, 4, l->acct_id);
	lg_bind_text(st, 5, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_hex(sha256, 32, hex);
	snprintf(det, sizeof(det), "face sha256=%s to %s", hex, dest);
	r = lg_audit(l, "card.print", u.code, serial, det);
out:
	lg_finalize(st);
	return lg_end(l, r, "card.print", u.code[0] ? u.code : NULL, serial);
}

/* The operator's word: confirmed, or misprinted (which spoils the card). */
static int
word(struct uc_ledger *l, const char *serial, int misprint,
    const char *reason)
{
	const char *action = misprint ? "card.misprint" : "card.print_ok";
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16], state[16], at[32], why[UC_LEDGER_REASON_MAX + 16];
	int64_t n, id;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || serial == NULL)
		return UC_ERR_ARG;
	if (reason != NULL && (strlen(reason) > UC_LEDGER_REASON_MAX ||
	    uc_text_utf8_check(reason, strlen(reason), NULL) != 0))
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = locate(l, serial, FACE_ROLES, &n, &u, status)) != 0 ||
	    (r = last_face(l, n, &id, state)) != 0)
		goto out;
	if (strcmp(state, "printed") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "card %s has %s",
		    serial, state[0] == '\0' ? "no printed face" :
		    strcmp(state, "confirmed") == 0 ? "a confirmed face" :
		    "a misprinted face");
		r = UC_ERR_STATE;
		goto out;
	}
	if (misprint && strcmp(status, "encoded") != 0 && !printed_only(l, n)) {
		snprintf(l->refusal, sizeof(l->refusal), "card %s is %s: only "
		    "an encoded card not yet handed out is reprinted", serial,
		    status);
		r = UC_ERR_STATE;
		goto out;
	}
	snprintf(why, sizeof(why), "misprint%s%s", reason != NULL ? ": " : "",
	    reason != NULL ? reason : "");
	lg_now(at);
	if ((r = lg_prepare(l, &st, "UPDATE card_faces SET state = ?1,"
	    " reason = ?2 WHERE id = ?3")) != 0)
		goto out;
	lg_bind_text(st, 1, misprint ? "misprinted" : "confirmed");
	lg_bind_text(st, 2, reason);
	lg_bind_int64(st, 3, id);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	if (misprint) {
		if ((r = lg_prepare(l, &st, "UPDATE cards SET status ="
		    " 'spoiled', reason = ?1, updated_at = ?2"
		    " WHERE serial = ?3")) != 0)
			goto out;
		lg_bind_text(st, 1, why);
		lg_bind_text(st, 2, at);
		lg_bind_int64(st, 3, n);
		if ((r = lg_err(lg_step(st))) != 0)
			goto out;
	}
	r = lg_audit(l, action, u.code, serial, !misprint ? "face confirmed" :
	    strcmp(status, "encoded") == 0 ?
	    "encoded -> spoiled reason=misprint" :
	    "reserved -> spoiled reason=misprint");
out:
	lg_finalize(st);
	return lg_end(l, r, action, u.code[0] ? u.code : NULL, serial);
}

int
uc_ledger_face_confirm(struct uc_ledger *l, const char *serial)
{
	return word(l, serial, 0, NULL);
}

int
uc_ledger_face_misprint(struct uc_ledger *l, const char *serial,
    const char *reason)
{
	return word(l, serial, 1, reason);
}

int
uc_ledger_face_state(struct uc_ledger *l, const char *serial,
    char state[16])
{
	struct lg_unit u;
	char status[16];
	int64_t n, id;
	int r;

	if (state != NULL)
		state[0] = '\0';
	if (l == NULL || serial == NULL || state == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0 ||
	    (r = locate(l, serial, ~0, &n, &u, status)) != 0)
		return r;
	return last_face(l, n, &id, state);
}

/* --- members' photos ------------------------------------------------- */

#define PHOTO_ROLES (UC_ROLE_CLERK | UC_ROLE_PRINTER | UC_ROLE_ADMIN)
#define PHOTO_MAX (8u * 1024u * 1024u)

/* The member with code or national id KEY: id, unit, member code. */
static int
member_locate(struct uc_ledger *l, const char *key, int roles, int64_t *id,
    struct lg_unit *u, char code[32])
{
	struct lg_stmt *st = NULL;
	int r;

	code[0] = '\0';
	if ((r = lg_prepare(l, &st, "SELECT m.id, m.unit_id,"
	    " coalesce(m.member_code, m.national_id) FROM members m"
	    " WHERE m.member_code = ?1 OR m.national_id = ?1")) != 0)
		return r;
	lg_bind_text(st, 1, key);
	if (lg_step(st) != LG_ROW) {
		lg_finalize(st);
		return UC_ERR_NOT_FOUND;
	}
	*id = lg_column_int64(st, 0);
	snprintf(code, 32, "%s", (const char *)lg_column_text(st, 2));
	r = lg_unit_by_id(l, lg_column_int64(st, 1), u);
	lg_finalize(st);
	return r != 0 ? r : lg_need(l, roles, u);
}

int
uc_ledger_member_photo_set(struct uc_ledger *l, const char *key,
    const unsigned char *png, size_t len, const unsigned char sha256[32])
{
	struct lg_unit u;
	char code[32] = "";
	int64_t id;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || key == NULL || png == NULL || len < 8 ||
	    len > PHOTO_MAX || sha256 == NULL)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = member_locate(l, key, PHOTO_ROLES, &id, &u, code)) != 0)
		goto out;
	r = lg_member_photo_store(l, id, u.code, code, png, len, sha256);
out:
	return lg_end(l, r, "member.photo", u.code[0] ? u.code : NULL, key);
}

int
lg_member_photo_store(struct uc_ledger *l, int64_t id, const char *unit_code,
    const char *code, const unsigned char *png, size_t len,
    const unsigned char sha256[32])
{
	struct lg_stmt *st = NULL;
	char at[32], hex[65], det[128];
	int r;

	if (len < 8 || len > PHOTO_MAX)
		return UC_ERR_ARG;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO member_photos(member_id,"
	    " sha256, png, account_id, set_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (member_id) DO UPDATE SET sha256 = ?2, png = ?3,"
	    " account_id = ?4, set_at = ?5")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	lg_bind_blob(st, 2, sha256, 32);
	lg_bind_blob(st, 3, png, (int)len);
	lg_bind_int64(st, 4, l->acct_id);
	lg_bind_text(st, 5, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_hex(sha256, 32, hex);
	snprintf(det, sizeof(det), "photo sha256=%s", hex);
	r = lg_audit(l, "member.photo", unit_code, code, det);
out:
	lg_finalize(st);
	return r;
}

int
uc_ledger_member_photo_get(struct uc_ledger *l, const char *key,
    struct uc_buf *png)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char code[32];
	int64_t id;
	int r;

	if (l == NULL || key == NULL || png == NULL)
		return UC_ERR_ARG;
	uc_buf_reset(png);
	if ((r = lg_need_actor(l)) != 0 ||
	    (r = member_locate(l, key, ~0, &id, &u, code)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT png FROM member_photos"
	    " WHERE member_id = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) != LG_ROW)
		r = UC_ERR_NOT_FOUND;
	else
		r = uc_buf_append(png, lg_column_blob(st, 0),
		    (size_t)lg_column_bytes(st, 0));
	lg_finalize(st);
	return r;
}
