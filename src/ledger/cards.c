/*
 * cards.c - the life of a card serial: reserved for a request line,
 * encoded by a station, issued, or spoiled, lost, stolen, damaged,
 * revoked, replaced.
 *
 * Serials are a forward-only per-ledger counter; shown with the issuer
 * prefix as 11 digits ("52" + 9 digits).  The number without the prefix
 * is the card's index in the status list (docs/status-list.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unioncard/ledger.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

#define LIVE_CARD "('reserved', 'encoded', 'issued')"

int
lg_card_reserve(struct uc_ledger *l, int64_t line_id,
    char serial[UC_LEDGER_SERIAL_LEN + 1])
{
	struct lg_stmt *st = NULL;
	int64_t member_id, replaces = 0, n;
	char type[16], at[32], obj[UC_LEDGER_SERIAL_LEN + 1], det[96];
	int r;

	serial[0] = '\0';
	if ((r = lg_prepare(l, &st, "SELECT rl.member_id, q.type, q.status,"
	    " coalesce(rl.replaces, 0) FROM request_lines rl JOIN requests q"
	    " ON q.id = rl.request_id WHERE rl.id = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, line_id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if (strcmp((const char *)lg_column_text(st, 2), "accepted") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "request of line %lld"
		    " is not accepted for printing", (long long)line_id);
		r = UC_ERR_STATE;
		goto out;
	}
	member_id = lg_column_int64(st, 0);
	snprintf(type, sizeof(type), "%s",
	    (const char *)lg_column_text(st, 1));
	replaces = lg_column_int64(st, 3);
	lg_finalize(st);
	/* Idempotent: a line's unfinished card is the one to encode. */
	if ((r = lg_prepare(l, &st, "SELECT serial FROM cards WHERE"
	    " line_id = ? AND status IN ('reserved', 'encoded')")) != 0)
		goto out;
	lg_bind_int64(st, 1, line_id);
	if (lg_step(st) == LG_ROW) {
		lg_serial_format(l->prefix, lg_column_int64(st, 0),
		    serial);
		r = 0;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	/* a line gets one card that reaches the member */
	if ((r = lg_prepare(l, &st, "SELECT count(*) FROM cards WHERE"
	    " line_id = ? AND status <> 'spoiled'")) != 0)
		goto out;
	lg_bind_int64(st, 1, line_id);
	if (lg_step(st) != LG_ROW || lg_column_int(st, 0) != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "line %lld already"
		    " has its card", (long long)line_id);
		r = UC_ERR_STATE;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	if ((r = lg_counter_next(l, "card_serial", &n)) != 0)
		goto out;
	if (n >= 1000000000LL) {
		r = UC_ERR_RANGE;
		goto out;
	}
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO cards (serial, member_id,"
	    " line_id, type, status, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, 'reserved', ?, ?)")) != 0)
		goto out;
	lg_bind_int64(st, 1, n);
	lg_bind_int64(st, 2, member_id);
	lg_bind_int64(st, 3, line_id);
	lg_bind_text(st, 4, type);
	lg_bind_text(st, 5, at);
	lg_bind_text(st, 6, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	if (replaces != 0) {
		/* The old card stops standing for the member: a live one
		 * becomes "replaced" (revoked in the status list); a lost,
		 * stolen or damaged one keeps its status. */
		if ((r = lg_prepare(l, &st, "UPDATE cards SET replaced_by = ?1,"
		    " status = CASE WHEN status IN " LIVE_CARD
		    " THEN 'replaced' ELSE status END, updated_at = ?2"
		    " WHERE serial = ?3")) != 0)
			goto out;
		lg_bind_int64(st, 1, n);
		lg_bind_text(st, 2, at);
		lg_bind_int64(st, 3, replaces);
		if ((r = lg_err(lg_step(st))) != 0)
			goto out;
	}
	lg_serial_format(l->prefix, n, obj);
	if (replaces != 0) {
		char old[UC_LEDGER_SERIAL_LEN + 1];

		lg_serial_format(l->prefix, replaces, old);
		snprintf(det, sizeof(det), "line=%lld replaces=%s",
		    (long long)line_id, old);
	} else {
		snprintf(det, sizeof(det), "line=%lld", (long long)line_id);
	}
	if ((r = lg_audit(l, "card.reserve", NULL, obj, det)) != 0)
		goto out;
	memcpy(serial, obj, sizeof(obj));
out:
	lg_finalize(st);
	return r;
}

int
uc_ledger_card_reserve(struct uc_ledger *l, int64_t line_id,
    char serial[UC_LEDGER_SERIAL_LEN + 1])
{
	struct lg_unit u;
	char obj[24];
	int r;

	if (serial != NULL)
		serial[0] = '\0';
	if (l == NULL || serial == NULL)
		return UC_ERR_ARG;
	snprintf(obj, sizeof(obj), "line %lld", (long long)line_id);
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_status(l, "SELECT q.unit_id FROM request_lines rl"
	    " JOIN requests q ON q.id = rl.request_id WHERE rl.id = ?",
	    line_id, &u, NULL)) != 0)
		goto out;
	if ((r = lg_need(l, UC_ROLE_PRINTER | UC_ROLE_ADMIN, &u)) != 0 ||
	    (r = lg_need_issuer(l)) != 0)
		goto out;
	r = lg_card_reserve(l, line_id, serial);
out:
	r = lg_end(l, r, "card.reserve", NULL, obj);
	if (r != 0)
		serial[0] = '\0';
	return r;
}

/*
 * The chip a card is bound to (uc_ledger_card_bind) must be `chip`, when
 * there is one: UC_ERR_STATE with the refusal otherwise.
 */
static int
chip_matches(struct uc_ledger *l, int64_t n, const char *serial,
    const char *chip)
{
	struct lg_stmt *st = NULL;
	const char *bound;
	int r;

	if ((r = lg_prepare(l, &st, "SELECT chip_serial FROM cards"
	    " WHERE serial = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, n);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	bound = (const char *)lg_column_text(st, 0);
	if (bound != NULL && strcmp(bound, chip) != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "card %s is bound to"
		    " chip %.64s, not %.64s", serial, bound, chip);
		r = UC_ERR_STATE;
	}
out:
	lg_finalize(st);
	return r;
}

/*
 * Inside a transaction: card `serial`'s number *n, its member's unit *u
 * and its status, once the actor is known to have one of roles over that
 * unit.  UC_ERR_NOT_FOUND for a serial that is not ours.
 */
static int
card_locate(struct uc_ledger *l, const char *serial, int roles, int64_t *n,
    struct lg_unit *u, char status[16])
{
	int r;

	if (lg_serial_parse(l->prefix, serial, n) != 0)
		return UC_ERR_NOT_FOUND;
	if ((r = lg_unit_status(l, "SELECT m.unit_id, c.status FROM cards c"
	    " JOIN members m ON m.id = c.member_id WHERE c.serial = ?", *n,
	    u, status)) != 0)
		return r;
	if ((r = lg_need(l, roles, u)) != 0)
		return r;
	/* The station's and the printer's steps are the root unit's. */
	return (roles & UC_ROLE_CLERK) != 0 ? 0 : lg_need_issuer(l);
}

/*
 * 0 if card `serial`'s status is one of `from` (NULL-terminated), else
 * UC_ERR_STATE with the refusal "card SERIAL is STATUS".
 */
static int
card_status_in(struct uc_ledger *l, const char *serial, const char *status,
    const char *const *from)
{
	for (; *from != NULL; from++)
		if (strcmp(*from, status) == 0)
			return 0;
	snprintf(l->refusal, sizeof(l->refusal), "card %s is %s", serial,
	    status);
	return UC_ERR_STATE;
}

/* Only a reserved card is encoded, or bound to its chip or bank card. */
static const char *const reserved_only[] = { "reserved", NULL };

/*
 * Move card `serial` from one of the statuses in `from` (a SQL list) to
 * `to`, by an actor with one of roles over the member's unit.
 */
static int
transition(struct uc_ledger *l, const char *serial, const char *const *from,
    const char *to, int roles, const char *action, const char *reason,
    const char *chip, const unsigned char *pk, size_t pklen,
    const unsigned char *sod, size_t sodlen)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16], at[32], det[UC_LEDGER_REASON_MAX + 64];
	int64_t n;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || serial == NULL)
		return UC_ERR_ARG;
	if (reason != NULL && (r = lg_check_text(l, UC_MEMBER_TEXT_REASON,
	    "reason", reason)) != 0)
		return r;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = card_locate(l, serial, roles, &n, &u, status)) != 0)
		goto out;
	if ((r = card_status_in(l, serial, status, from)) != 0)
		goto out;
	if (chip != NULL && (r = chip_matches(l, n, serial, chip)) != 0)
		goto out;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "UPDATE cards SET status = ?1,"
	    " reason = coalesce(?2, reason), updated_at = ?3,"
	    " chip_serial = coalesce(?5, chip_serial),"
	    " public_key = coalesce(?6, public_key),"
	    " sod_hash = coalesce(?7, sod_hash) WHERE serial = ?4")) != 0)
		goto out;
	lg_bind_text(st, 1, to);
	lg_bind_text(st, 2, reason);
	lg_bind_text(st, 3, at);
	lg_bind_int64(st, 4, n);
	lg_bind_text(st, 5, chip);
	if (pk != NULL)
		lg_bind_blob(st, 6, pk, (int)pklen);
	if (sod != NULL)
		lg_bind_blob(st, 7, sod, (int)sodlen);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	snprintf(det, sizeof(det), "%s -> %s%s%s", status, to,
	    reason ? " reason=" : "", reason ? reason : "");
	r = lg_audit(l, action, u.code, serial, det);
out:
	lg_finalize(st);
	return lg_end(l, r, action, u.code[0] ? u.code : NULL, serial);
}

int
uc_ledger_card_encoded(struct uc_ledger *l, const char *serial,
    const char *chip_serial, const unsigned char *public_key,
    size_t public_key_len, const unsigned char *sod_hash,
    size_t sod_hash_len)
{
	if (chip_serial == NULL || strlen(chip_serial) > 64 ||
	    public_key_len > 1024 || sod_hash_len > 64 ||
	    (public_key == NULL && public_key_len != 0) ||
	    (sod_hash == NULL && sod_hash_len != 0))
		return UC_ERR_ARG;
	return transition(l, serial, reserved_only, "encoded",
	    UC_ROLE_PRINTER | UC_ROLE_ADMIN, "card.encoded", NULL,
	    chip_serial, public_key, public_key_len, sod_hash, sod_hash_len);
}

int
uc_ledger_card_bind(struct uc_ledger *l, const char *serial,
    const char *chip_serial)
{
	return uc_ledger_card_bind_by(l, serial, chip_serial, NULL);
}

int
uc_ledger_card_bind_by(struct uc_ledger *l, const char *serial,
    const char *chip_serial, const char *by)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16], at[32], det[96 + UC_LEDGER_CLAIMANT_MAX];
	int64_t n;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || serial == NULL || chip_serial == NULL ||
	    chip_serial[0] == '\0' || strlen(chip_serial) > 64 ||
	    (by != NULL && (by[0] == '\0' ||
	    strlen(by) > UC_LEDGER_CLAIMANT_MAX)))
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = card_locate(l, serial, UC_ROLE_PRINTER | UC_ROLE_ADMIN, &n,
	    &u, status)) != 0)
		goto out;
	if ((r = card_status_in(l, serial, status, reserved_only)) != 0)
		goto out;
	if ((r = chip_matches(l, n, serial, chip_serial)) != 0)
		goto out;
	lg_now(at);
	/*
	 * Bound already to this chip: nothing to write, unless another
	 * claimant takes the claim over.
	 */
	if ((r = lg_prepare(l, &st, "UPDATE cards SET chip_serial = ?1,"
	    " updated_at = ?2, bound_by = ?4, bound_at = ?5 WHERE serial = ?3"
	    " AND (chip_serial IS NULL OR (?4 IS NOT NULL AND"
	    " bound_by IS NOT ?4))")) != 0)
		goto out;
	lg_bind_text(st, 1, chip_serial);
	lg_bind_text(st, 2, at);
	lg_bind_int64(st, 3, n);
	lg_bind_text(st, 4, by);
	if (by != NULL)
		lg_bind_int64(st, 5, (int64_t)time(NULL));
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if (lg_db_changes(l->db) > 0) {
		snprintf(det, sizeof(det), "chip %s%s%s", chip_serial,
		    by != NULL ? " by " : "", by != NULL ? by : "");
		r = lg_audit(l, "card.bind", u.code, serial, det);
	}
out:
	lg_finalize(st);
	return lg_end(l, r, "card.bind", u.code[0] ? u.code : NULL, serial);
}

int
uc_ledger_card_unbind(struct uc_ledger *l, const char *serial,
    const char *chip_serial, const char *by)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16], det[96 + UC_LEDGER_CLAIMANT_MAX];
	int64_t n;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || serial == NULL || chip_serial == NULL || by == NULL)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = card_locate(l, serial, UC_ROLE_PRINTER | UC_ROLE_ADMIN, &n,
	    &u, status)) != 0)
		goto out;
	if ((r = card_status_in(l, serial, status, reserved_only)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "UPDATE cards SET chip_serial = NULL,"
	    " bound_by = NULL, bound_at = NULL WHERE serial = ?1 AND"
	    " chip_serial = ?2 AND bound_by = ?3")) != 0)
		goto out;
	lg_bind_int64(st, 1, n);
	lg_bind_text(st, 2, chip_serial);
	lg_bind_text(st, 3, by);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if (lg_db_changes(l->db) != 1) {
		snprintf(l->refusal, sizeof(l->refusal), "card %s is not bound"
		    " to chip %.64s by %.127s", serial, chip_serial, by);
		r = UC_ERR_STATE;
		goto out;
	}
	snprintf(det, sizeof(det), "chip %.64s by %s: nothing written",
	    chip_serial, by);
	r = lg_audit(l, "card.unbind", u.code, serial, det);
out:
	lg_finalize(st);
	return lg_end(l, r, "card.unbind", u.code[0] ? u.code : NULL, serial);
}

int
uc_ledger_card_binding(struct uc_ledger *l, const char *serial,
    struct uc_ledger_binding *out)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	const char *c, *by;
	char status[16];
	int64_t n;
	int r;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (l == NULL || serial == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = card_locate(l, serial, ~0, &n, &u, status)) != 0)
		return r;
	if ((out->status = uc_ledger_card_status_parse(status)) == 0)
		return UC_ERR_LEDGER;
	if ((r = lg_prepare(l, &st, "SELECT chip_serial, bound_by,"
	    " coalesce(bound_at, 0) FROM cards WHERE serial = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, n);
	if ((r = lg_step(st)) != LG_ROW) {
		r = r == LG_DONE ? UC_ERR_NOT_FOUND : lg_err(r);
		goto out;
	}
	r = 0;
	c = (const char *)lg_column_text(st, 0);
	by = (const char *)lg_column_text(st, 1);
	snprintf(out->chip, sizeof(out->chip), "%s", c != NULL ? c : "");
	snprintf(out->by, sizeof(out->by), "%s", by != NULL ? by : "");
	out->at = lg_column_int64(st, 2);
out:
	lg_finalize(st);
	return r;
}

int
uc_ledger_card_set_pan(struct uc_ledger *l, const char *serial,
    const unsigned char pan_hmac[32], const char *pan_last4)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16], at[32], det[64];
	int64_t n;
	int r, i;

	memset(&u, 0, sizeof(u));
	if (l == NULL || serial == NULL || pan_hmac == NULL ||
	    pan_last4 == NULL || strlen(pan_last4) != 4)
		return UC_ERR_ARG;
	for (i = 0; i < 4; i++)
		if (pan_last4[i] < '0' || pan_last4[i] > '9')
			return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = card_locate(l, serial, UC_ROLE_PRINTER | UC_ROLE_ADMIN, &n,
	    &u, status)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "SELECT type, pan_hmac, pan_last4"
	    " FROM cards WHERE serial = ?")) != 0)
		goto out;
	lg_bind_int64(st, 1, n);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if (strcmp((const char *)lg_column_text(st, 0), "linked") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "card %s is not a"
		    " linked card", serial);
		r = UC_ERR_STATE;
		goto out;
	}
	if (lg_column_type(st, 1) != LG_NULL) {
		/* set once: the same binding again is fine, another not */
		if (lg_column_bytes(st, 1) == 32 &&
		    memcmp(lg_column_blob(st, 1), pan_hmac, 32) == 0 &&
		    strcmp((const char *)lg_column_text(st, 2),
		    pan_last4) == 0) {
			r = 0;
			goto out;
		}
		snprintf(l->refusal, sizeof(l->refusal), "card %s is already"
		    " bound to another bank card", serial);
		r = UC_ERR_STATE;
		goto out;
	}
	if ((r = card_status_in(l, serial, status, reserved_only)) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "UPDATE cards SET pan_hmac = ?1,"
	    " pan_last4 = ?2, updated_at = ?3 WHERE serial = ?4")) != 0)
		goto out;
	lg_bind_blob(st, 1, pan_hmac, 32);
	lg_bind_text(st, 2, pan_last4);
	lg_bind_text(st, 3, at);
	lg_bind_int64(st, 4, n);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	snprintf(det, sizeof(det), "pan=****%s", pan_last4);
	r = lg_audit(l, "card.pan", u.code, serial, det);
out:
	lg_finalize(st);
	return lg_end(l, r, "card.pan", u.code[0] ? u.code : NULL, serial);
}

int
uc_ledger_card_spoil(struct uc_ledger *l, const char *serial,
    const char *reason)
{
	static const char *const from[] = { "reserved", "encoded", NULL };

	if (reason == NULL || reason[0] == '\0')
		return UC_ERR_ARG;
	return transition(l, serial, from, "spoiled",
	    UC_ROLE_PRINTER | UC_ROLE_ADMIN, "card.spoil", reason, NULL,
	    NULL, 0, NULL, 0);
}

int
uc_ledger_card_issue(struct uc_ledger *l, const char *serial)
{
	static const char *const from[] = { "reserved", "encoded", NULL };

	return transition(l, serial, from, "issued",
	    UC_ROLE_PRINTER | UC_ROLE_ADMIN, "card.issue", NULL, NULL, NULL,
	    0, NULL, 0);
}

int
uc_ledger_card_set_status(struct uc_ledger *l, const char *serial,
    const char *status, const char *reason)
{
	static const char *const from[] = { "reserved", "encoded", "issued",
	    NULL };
	static const char *const from_rev[] = { "reserved", "encoded",
	    "issued", "lost", "stolen", "damaged", NULL };
	char action[32];
	int roles;

	if (status == NULL)
		return UC_ERR_ARG;
	if (strcmp(status, "revoked") == 0) {
		return transition(l, serial, from_rev, "revoked",
		    UC_ROLE_PRINTER | UC_ROLE_ADMIN, "card.revoke", reason,
		    NULL, NULL, 0, NULL, 0);
	}
	if (strcmp(status, "lost") != 0 && strcmp(status, "stolen") != 0 &&
	    strcmp(status, "damaged") != 0)
		return UC_ERR_ARG;
	roles = UC_ROLE_CLERK | UC_ROLE_PRINTER | UC_ROLE_ADMIN;
	snprintf(action, sizeof(action), "card.%s", status);
	return transition(l, serial, from, status, roles, action, reason,
	    NULL, NULL, 0, NULL, 0);
}

#define CARD_COLS "SELECT c.serial, m.member_code, c.status, c.type," \
	" m.full_name, c.chip_serial, c.reason, c.replaced_by, c.line_id," \
	" c.created_at, c.updated_at, u.code, c.pan_last4, c.bound_by" \
	" FROM cards c" \
	" JOIN members m ON m.id = c.member_id JOIN units u" \
	" ON u.id = m.unit_id "

/* Copy text (NULL: "") into a fixed field; UC_ERR_LEDGER if too long. */
static int
put(char *out, size_t cap, const unsigned char *t)
{
	const char *s = t != NULL ? (const char *)t : "";
	size_t n = strlen(s);

	if (n >= cap)
		return UC_ERR_LEDGER;
	memcpy(out, s, n + 1);
	return 0;
}

/* One CARD_COLS row into *c. */
static int
card_fill(struct uc_ledger *l, struct lg_stmt *st, struct uc_ledger_card *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	lg_serial_format(l->prefix, lg_column_int64(st, 0), c->serial);
	if (lg_column_type(st, 7) != LG_NULL)
		lg_serial_format(l->prefix, lg_column_int64(st, 7),
		    c->replaced_by);
	c->status = uc_ledger_card_status_parse(
	    (const char *)lg_column_text(st, 2));
	c->type = uc_ledger_card_type_parse(
	    (const char *)lg_column_text(st, 3));
	if (c->status == 0 || c->type == 0)
		return UC_ERR_LEDGER;
	if ((r = put(c->member_code, sizeof(c->member_code),
	    lg_column_text(st, 1))) != 0 ||
	    (r = put(c->full_name, sizeof(c->full_name),
	    lg_column_text(st, 4))) != 0 ||
	    (r = put(c->chip_serial, sizeof(c->chip_serial),
	    lg_column_text(st, 5))) != 0 ||
	    (r = put(c->reason, sizeof(c->reason),
	    lg_column_text(st, 6))) != 0 ||
	    (r = put(c->created_at, sizeof(c->created_at),
	    lg_column_text(st, 9))) != 0 ||
	    (r = put(c->updated_at, sizeof(c->updated_at),
	    lg_column_text(st, 10))) != 0 ||
	    (r = put(c->unit, sizeof(c->unit), lg_column_text(st, 11))) != 0 ||
	    (r = put(c->pan_last4, sizeof(c->pan_last4),
	    lg_column_text(st, 12))) != 0 ||
	    (r = put(c->bound_by, sizeof(c->bound_by),
	    lg_column_text(st, 13))) != 0)
		return r;
	return 0;
}

int
uc_ledger_card_get(struct uc_ledger *l, const char *serial,
    struct uc_ledger_card *out)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	int64_t n;
	int r;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (l == NULL || serial == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	/* a ledger serial (PP + 9 digits), else the chip's serial as the
	 * verifier prints it (hex, any case): its newest card */
	if (lg_serial_parse(l->prefix, serial, &n) == 0) {
		if ((r = lg_prepare(l, &st, CARD_COLS "WHERE c.serial = ?")) !=
		    0)
			return r;
		lg_bind_int64(st, 1, n);
	} else {
		if ((r = lg_prepare(l, &st, CARD_COLS "WHERE"
		    " lower(c.chip_serial) = lower(?) ORDER BY c.serial DESC"
		    " LIMIT 1")) != 0)
			return r;
		lg_bind_text(st, 1, serial);
	}
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = lg_unit_by_code(l, (const char *)lg_column_text(st, 11),
	    &u)) != 0)
		goto out;
	if ((r = lg_need(l, ~0, &u)) != 0) {
		lg_finalize(st);
		st = NULL;
		lg_refused(l, "card.show", u.code, serial);
		goto out;
	}
	if ((r = card_fill(l, st, out)) != 0)
		memset(out, 0, sizeof(*out));
out:
	lg_finalize(st);
	return r;
}

int
uc_ledger_card_each(struct uc_ledger *l, int64_t request_id,
    uc_ledger_card_fn fn, void *ctx)
{
	struct uc_ledger_card *c = NULL;
	struct lg_stmt *st = NULL;
	int r;

	if (l == NULL || request_id < 0)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((c = malloc(sizeof(*c))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = lg_prepare(l, &st, CARD_COLS "LEFT JOIN request_lines rl"
	    " ON rl.id = c.line_id WHERE substr(u.path, 1, ?2) = ?1 AND"
	    " (?3 = 0 OR rl.request_id = ?3) ORDER BY c.serial")) != 0)
		goto out;
	lg_bind_scope(l, st);
	lg_bind_int64(st, 3, request_id);
	while ((r = lg_step(st)) == LG_ROW) {
		if ((r = card_fill(l, st, c)) != 0 ||
		    (fn != NULL && (r = fn(ctx, c)) != 0))
			break;
	}
	r = lg_err(r);
out:
	lg_finalize(st);
	free(c);
	return r;
}

int
uc_ledger_line_card(struct uc_ledger *l, int64_t line_id, int *done,
    char serial[UC_LEDGER_SERIAL_LEN + 1])
{
	struct lg_stmt *st = NULL;
	const char *status;
	int r, s;

	if (done == NULL || serial == NULL)
		return UC_ERR_ARG;
	*done = 0;
	serial[0] = '\0';
	if (l == NULL || line_id <= 0)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT c.serial, c.status FROM cards c"
	    " JOIN members m ON m.id = c.member_id JOIN units u"
	    " ON u.id = m.unit_id WHERE c.line_id = ?3"
	    " AND substr(u.path, 1, ?2) = ?1"
	    " AND c.status IN ('reserved', 'encoded', 'issued')"
	    " ORDER BY c.serial")) != 0)
		return r;
	lg_bind_scope(l, st);
	lg_bind_int64(st, 3, line_id);
	while ((s = lg_step(st)) == LG_ROW) {
		status = (const char *)lg_column_text(st, 1);
		if (strcmp(status, "reserved") != 0) {
			*done = 1;
			serial[0] = '\0';
			break;
		}
		lg_serial_format(l->prefix, lg_column_int64(st, 0),
		    serial);
	}
	if (s != LG_ROW)
		r = lg_err(s);
	lg_finalize(st);
	return r;
}
