/*
 * requests.c - card-print requests (the documents' three steps) and the
 * fee schedule that prices each line.
 *
 *   draft --submit--> submitted --approve--> approved --accept--> accepted
 *                         ^   \--reject--> rejected --submit--/
 *
 * A grassroots clerk creates and submits; an approver of the DIRECT
 * superior unit approves or rejects with a reason; the province's printer
 * accepts, which reserves a card serial per line.  Each step is a row in
 * request_events (who, when, why).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

/* Statuses of a card that still stands for its member. */
#define LIVE_CARD "('reserved', 'encoded', 'issued')"
/* Requests that are still on their way (unless withdrawn). */
#define OPEN_REQ "('draft', 'submitted', 'approved', 'rejected')"
/* A withdrawn request shows as "withdrawn" (its row keeps the status it
 * was withdrawn in). */
#define REQ_STATUS "CASE WHEN q.withdrawn_at IS NOT NULL THEN 'withdrawn'" \
	" ELSE q.status END"

/* 1 if request id was withdrawn. */
static int
withdrawn(struct uc_ledger *l, int64_t id)
{
	struct lg_stmt *st = NULL;
	int w = 0;

	if (lg_prepare(l, &st, "SELECT withdrawn_at IS NOT NULL FROM requests"
	    " WHERE id = ?") != 0)
		return 0;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) == LG_ROW)
		w = lg_column_int(st, 0);
	lg_finalize(st);
	return w;
}

static int
fee_amount(struct uc_ledger *l, const char *item, int32_t day, int64_t *amount)
{
	struct lg_stmt *st = NULL;
	int r;

	*amount = 0;
	if ((r = lg_prepare(l, &st, "SELECT amount FROM fees WHERE item = ?"
	    " AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1")) != 0)
		return r;
	lg_bind_text(st, 1, item);
	lg_bind_int(st, 2, day);
	if (lg_step(st) == LG_ROW)
		*amount = lg_column_int64(st, 0);
	else
		r = UC_ERR_NOT_FOUND; /* no schedule in force that day */
	lg_finalize(st);
	return r;
}

static int
event(struct uc_ledger *l, int64_t req, const char *action,
    const char *reason)
{
	struct lg_stmt *st = NULL;
	char at[32];
	int r;

	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO request_events (request_id,"
	    " action, account_id, at, reason) VALUES (?, ?, ?, ?, ?)")) != 0)
		return r;
	lg_bind_int64(st, 1, req);
	lg_bind_text(st, 2, action);
	lg_bind_int64(st, 3, l->acct_id);
	lg_bind_text(st, 4, at);
	lg_bind_text(st, 5, reason);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	return r;
}

struct member_state {
	int64_t id;
	int mandatory;
	int64_t live_card;   /* serial of a live card, 0 if none */
	int64_t last_card;   /* newest non-spoiled card, 0 if none */
	int64_t open_req;    /* an open request already holding the member */
	int cards;           /* non-spoiled cards ever */
};

static int
member_state(struct uc_ledger *l, int64_t member_id, struct member_state *m)
{
	struct lg_stmt *st = NULL;
	int r;

	if ((r = lg_prepare(l, &st, "SELECT"
	    " (SELECT max(serial) FROM cards WHERE member_id = ?1 AND status"
	    "  IN " LIVE_CARD "),"
	    " (SELECT max(serial) FROM cards WHERE member_id = ?1 AND"
	    "  status <> 'spoiled'),"
	    " (SELECT count(*) FROM cards WHERE member_id = ?1 AND"
	    "  status <> 'spoiled'),"
	    " (SELECT max(q.id) FROM request_lines rl JOIN requests q"
	    "  ON q.id = rl.request_id WHERE rl.member_id = ?1 AND q.status IN "
	    OPEN_REQ " AND q.withdrawn_at IS NULL)")) != 0)
		return r;
	lg_bind_int64(st, 1, member_id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_LEDGER;
		goto out;
	}
	m->live_card = lg_column_int64(st, 0);
	m->last_card = lg_column_int64(st, 1);
	m->cards = lg_column_int(st, 2);
	m->open_req = lg_column_int64(st, 3);
out:
	lg_finalize(st);
	return r;
}

static int
valid_replacement(const char *s)
{
	return s == NULL || strcmp(s, "lost") == 0 ||
	    strcmp(s, "stolen") == 0 || strcmp(s, "damaged") == 0 ||
	    strcmp(s, "data_change") == 0;
}

/* Price one line and insert it. */
static int
add_line(struct uc_ledger *l, int64_t req, const char *type,
    const char *payer_choice, const char *replacement, int32_t day,
    const char *code, const struct member_state *m, char *why, size_t cap)
{
	struct lg_stmt *st = NULL;
	const char *item, *payer;
	int64_t amount;
	int r;

	if (m->open_req != 0) {
		snprintf(why, cap, "member %s is already on request %lld",
		    code, (long long)m->open_req);
		return UC_ERR_CONFLICT;
	}
	if (m->live_card != 0 && replacement == NULL) {
		snprintf(why, cap, "member %s already has a live card;"
		    " a second card needs --replacement REASON", code);
		return UC_ERR_CONFLICT;
	}
	if (replacement != NULL && m->last_card == 0) {
		snprintf(why, cap, "member %s has no card to replace", code);
		return UC_ERR_CONFLICT;
	}
	if (strcmp(type, "linked") == 0) {
		if (m->mandatory) {
			item = UC_FEE_LINKED_MANDATORY;
			payer = "province";
		} else {
			item = UC_FEE_LINKED_OTHER;
			payer = payer_choice;
		}
	} else if (m->cards == 0) {
		item = UC_FEE_REGULAR_FIRST;
		payer = "province";
	} else {
		item = UC_FEE_REGULAR_LATER;
		payer = "member";
	}
	if ((r = fee_amount(l, item, day, &amount)) != 0) {
		snprintf(why, cap, "no fee for %s in force on that day", item);
		return r;
	}
	if ((r = lg_prepare(l, &st, "INSERT INTO request_lines (request_id,"
	    " member_id, replaces, fee_item, fee_vnd, payer)"
	    " VALUES (?, ?, ?, ?, ?, ?)")) != 0)
		return r;
	lg_bind_int64(st, 1, req);
	lg_bind_int64(st, 2, m->id);
	if (replacement != NULL)
		lg_bind_int64(st, 3, m->last_card);
	else
		lg_bind_null(st, 3);
	lg_bind_text(st, 4, item);
	lg_bind_int64(st, 5, amount);
	lg_bind_text(st, 6, payer);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	if (r == UC_ERR_CONFLICT)
		snprintf(why, cap, "member %s is listed twice", code);
	return r;
}

int
uc_ledger_request_create(struct uc_ledger *l, const char *unit_code,
    const char *type, const char *const *codes, size_t n, const char *payer,
    const char *replacement, int64_t *id)
{
	struct lg_stmt *st = NULL, *sel = NULL;
	struct lg_unit u;
	struct member_state m;
	int32_t day = lg_today(l);
	int64_t req = 0;
	size_t lines = 0, i;
	char details[256], why[256];
	int r;

	if (id != NULL)
		*id = 0;
	why[0] = '\0';
	if (l == NULL || unit_code == NULL || type == NULL ||
	    (strcmp(type, "regular") != 0 && strcmp(type, "linked") != 0) ||
	    (codes == NULL && n != 0) || !valid_replacement(replacement))
		return UC_ERR_ARG;
	if (payer == NULL)
		payer = "member";
	if (strcmp(payer, "member") != 0 && strcmp(payer, "union") != 0)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_need(l, unit_code, UC_ROLE_CLERK | UC_ROLE_ADMIN,
	    &u)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "INSERT INTO requests (unit_id, type,"
	    " status, payer, replacement, request_day)"
	    " VALUES (?, ?, 'draft', ?, ?, ?)")) != 0)
		goto out;
	lg_bind_int64(st, 1, u.id);
	lg_bind_text(st, 2, type);
	lg_bind_text(st, 3, payer);
	lg_bind_text(st, 4, replacement);
	lg_bind_int(st, 5, day);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	req = lg_db_last_id(l->db);
	if ((r = event(l, req, "create", replacement)) != 0)
		goto out;
	if (codes == NULL) {
		if ((r = lg_prepare(l, &sel, "SELECT id, member_code, mandatory"
		    " FROM members WHERE unit_id = ? AND status = 'approved'"
		    " ORDER BY id")) != 0)
			goto out;
		lg_bind_int64(sel, 1, u.id);
		while (lg_step(sel) == LG_ROW) {
			memset(&m, 0, sizeof(m));
			m.id = lg_column_int64(sel, 0);
			m.mandatory = lg_column_int(sel, 2);
			if ((r = member_state(l, m.id, &m)) != 0)
				goto out;
			/* "all approved" means those still waiting */
			if (m.open_req != 0 ||
			    (replacement == NULL && m.live_card != 0) ||
			    (replacement != NULL && m.last_card == 0))
				continue;
			if ((r = add_line(l, req, type, payer, replacement, day,
			    (const char *)lg_column_text(sel, 1), &m, why,
			    sizeof(why))) != 0)
				goto out;
			lines++;
		}
	} else {
		if ((r = lg_prepare(l, &sel, "SELECT id, status, mandatory,"
		    " unit_id FROM members WHERE member_code = ?")) != 0)
			goto out;
		for (i = 0; i < n; i++) {
			lg_reset(sel);
			lg_bind_text(sel, 1, codes[i]);
			if (lg_step(sel) != LG_ROW ||
			    lg_column_int64(sel, 3) != u.id) {
				snprintf(why, sizeof(why), "no member %s in"
				    " unit %s", codes[i], u.code);
				r = UC_ERR_NOT_FOUND;
				goto out;
			}
			if (strcmp((const char *)lg_column_text(sel, 1),
			    "approved") != 0) {
				snprintf(why, sizeof(why), "member %s is not"
				    " approved", codes[i]);
				r = UC_ERR_STATE;
				goto out;
			}
			memset(&m, 0, sizeof(m));
			m.id = lg_column_int64(sel, 0);
			m.mandatory = lg_column_int(sel, 2);
			if ((r = member_state(l, m.id, &m)) != 0)
				goto out;
			if ((r = add_line(l, req, type, payer, replacement, day,
			    codes[i], &m, why, sizeof(why))) != 0)
				goto out;
			lines++;
		}
	}
	if (lines == 0) {
		snprintf(why, sizeof(why), "no approved member of %s is"
		    " waiting for a card", u.code);
		r = UC_ERR_STATE;
		goto out;
	}
	snprintf(details, sizeof(details), "type=%s lines=%zu payer=%s%s%s",
	    type, lines, payer, replacement ? " replacement=" : "",
	    replacement ? replacement : "");
	snprintf(why, sizeof(why), "%lld", (long long)req);
	r = lg_audit(l, "request.create", u.code, why, details);
out:
	lg_finalize(st);
	lg_finalize(sel);
	if (r != 0 && why[0] != '\0')
		snprintf(l->refusal, sizeof(l->refusal), "%s", why);
	r = lg_end(l, r, "request.create", unit_code, NULL);
	if (r == 0 && id != NULL)
		*id = req;
	return r;
}

/* Load a request's unit and status. */
static int
load_request(struct uc_ledger *l, int64_t id, struct lg_unit *u,
    char status[16])
{
	return lg_unit_status(l, "SELECT unit_id, status FROM requests"
	    " WHERE id = ?", id, u, status);
}

static int
set_status(struct uc_ledger *l, int64_t id, const char *status,
    const char *reason)
{
	struct lg_stmt *st = NULL;
	int r;

	if ((r = lg_prepare(l, &st, "UPDATE requests SET status = ?,"
	    " reject_reason = ? WHERE id = ?")) != 0)
		return r;
	lg_bind_text(st, 1, status);
	lg_bind_text(st, 2, reason);
	lg_bind_int64(st, 3, id);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	return r;
}

enum step { S_SUBMIT, S_APPROVE, S_REJECT, S_ACCEPT };

static int
request_step(struct uc_ledger *l, int64_t id, enum step s, const char *reason)
{
	static const char *const action[] = { "request.submit",
	    "request.approve", "request.reject", "request.accept" };
	static const char *const verb[] = { "submit", "approve", "reject",
	    "accept" };
	struct lg_unit u;
	char status[16], obj[24], details[UC_LEDGER_REASON_MAX + 32];
	const char *to;
	int r;

	snprintf(obj, sizeof(obj), "%lld", (long long)id);
	if (l == NULL || id <= 0)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = load_request(l, id, &u, status)) != 0)
		goto out;
	switch (s) {
	case S_SUBMIT:
		if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, &u)) != 0)
			goto out;
		if (strcmp(status, "draft") != 0 &&
		    strcmp(status, "rejected") != 0)
			r = UC_ERR_STATE;
		if (r == 0 && withdrawn(l, id)) {
			snprintf(status, 16, "withdrawn");
			r = UC_ERR_STATE;
		}
		to = "submitted";
		break;
	case S_APPROVE:
	case S_REJECT:
		if ((r = lg_need_superior(l, &u)) != 0 || (s == S_APPROVE &&
		    (r = lg_need_not_submitter_request(l, id)) != 0))
			goto out;
		if (strcmp(status, "submitted") != 0)
			r = UC_ERR_STATE;
		to = s == S_APPROVE ? "approved" : "rejected";
		break;
	case S_ACCEPT:
	default:
		if ((r = lg_need(l, UC_ROLE_PRINTER, &u)) != 0 ||
		    (r = lg_need_issuer(l)) != 0 ||
		    (r = lg_need_not_submitter_request(l, id)) != 0)
			goto out;
		if (strcmp(status, "approved") != 0)
			r = UC_ERR_STATE;
		to = "accepted";
		break;
	}
	if (r != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "request %lld is %s;"
		    " it cannot be %s now", (long long)id, status,
		    s == S_SUBMIT ? "submitted" : s == S_APPROVE ? "approved" :
		    s == S_REJECT ? "rejected" : "accepted");
		goto out;
	}
	if ((r = set_status(l, id, to, s == S_REJECT ? reason : NULL)) != 0)
		goto out;
	if ((r = event(l, id, verb[s], reason)) != 0)
		goto out;
	if (s == S_ACCEPT) {
		struct lg_stmt *st = NULL;
		char serial[UC_LEDGER_SERIAL_LEN + 1];

		if ((r = lg_prepare(l, &st, "SELECT id FROM request_lines"
		    " WHERE request_id = ? ORDER BY id")) != 0)
			goto out;
		lg_bind_int64(st, 1, id);
		while (r == 0 && lg_step(st) == LG_ROW)
			r = lg_card_reserve(l, lg_column_int64(st, 0),
			    serial);
		lg_finalize(st);
		if (r != 0)
			goto out;
	}
	snprintf(details, sizeof(details), "%s -> %s%s%s", status, to,
	    reason ? " reason=" : "", reason ? reason : "");
	r = lg_audit(l, action[s], u.code, obj, details);
out:
	return lg_end(l, r, action[s], u.code[0] ? u.code : NULL, obj);
}

int
uc_ledger_request_submit(struct uc_ledger *l, int64_t id)
{
	return request_step(l, id, S_SUBMIT, NULL);
}

int
uc_ledger_request_approve(struct uc_ledger *l, int64_t id)
{
	return request_step(l, id, S_APPROVE, NULL);
}

int
uc_ledger_request_reject(struct uc_ledger *l, int64_t id, const char *reason)
{
	int r;

	if (l == NULL || reason == NULL)
		return UC_ERR_ARG;
	if ((r = lg_check_text(l, UC_MEMBER_TEXT_REASON, "reason", reason)) !=
	    0)
		return r;
	return request_step(l, id, S_REJECT, reason);
}

int
uc_ledger_request_accept(struct uc_ledger *l, int64_t id)
{
	return request_step(l, id, S_ACCEPT, NULL);
}

/* A draft or rejected request, not withdrawn, for its unit's clerk or
 * admin to change: its unit in *u, its row's fields in the rest. */
static int
need_changeable(struct uc_ledger *l, int64_t id, const char *verb,
    struct lg_unit *u, char type[16], char payer[16], char repl[16])
{
	struct lg_stmt *st = NULL;
	char status[16];
	int r;

	if ((r = load_request(l, id, u, status)) != 0) {
		if (r == UC_ERR_NOT_FOUND)
			snprintf(l->refusal, sizeof(l->refusal), "no request"
			    " %lld", (long long)id);
		return r;
	}
	if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, u)) != 0)
		return r;
	if (withdrawn(l, id))
		snprintf(status, 16, "withdrawn");
	if (strcmp(status, "draft") != 0 && strcmp(status, "rejected") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "request %lld is %s;"
		    " only a draft or rejected request can be %s",
		    (long long)id, status, verb);
		return UC_ERR_STATE;
	}
	if ((r = lg_prepare(l, &st, "SELECT type, payer,"
	    " coalesce(replacement, '') FROM requests WHERE id = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_LEDGER;
	} else {
		snprintf(type, 16, "%s", lg_column_text(st, 0));
		snprintf(payer, 16, "%s", lg_column_text(st, 1));
		snprintf(repl, 16, "%s", lg_column_text(st, 2));
	}
	lg_finalize(st);
	return r;
}

int
uc_ledger_request_withdraw(struct uc_ledger *l, int64_t id,
    const char *reason)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char obj[24], at[32], type[16], payer[16], repl[16];
	char details[UC_LEDGER_REASON_MAX + 32];
	int r;

	memset(&u, 0, sizeof(u));
	snprintf(obj, sizeof(obj), "%lld", (long long)id);
	if (l == NULL || id <= 0)
		return UC_ERR_ARG;
	if (reason != NULL && (r = lg_check_text(l, UC_MEMBER_TEXT_REASON,
	    "reason", reason)) != 0)
		return r;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = need_changeable(l, id, "withdrawn", &u, type, payer, repl)) !=
	    0)
		goto out;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "UPDATE requests SET withdrawn_at = ?"
	    " WHERE id = ?")) != 0)
		goto out;
	lg_bind_text(st, 1, at);
	lg_bind_int64(st, 2, id);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if ((r = event(l, id, "withdraw", reason)) != 0)
		goto out;
	snprintf(details, sizeof(details), "-> withdrawn%s%s",
	    reason ? " reason=" : "", reason ? reason : "");
	r = lg_audit(l, "request.withdraw", u.code, obj, details);
out:
	lg_finalize(st);
	return lg_end(l, r, "request.withdraw", u.code[0] ? u.code : NULL,
	    obj);
}

/* Append code to a "," list in buf (for the audit row). */
static void
list_add(char *buf, size_t cap, const char *code)
{
	size_t k = strlen(buf);

	if (k < cap)
		snprintf(buf + k, cap - k, "%s%s", k ? "," : "", code);
}

int
uc_ledger_request_edit(struct uc_ledger *l, int64_t id,
    const char *const *add, size_t nadd, const char *const *remove,
    size_t nremove)
{
	struct lg_stmt *st = NULL, *sel = NULL;
	struct lg_unit u;
	struct member_state m;
	int32_t day = lg_today(l);
	char obj[24], type[16], payer[16], repl[16], why[256];
	char added[512] = "", removed[512] = "", details[1100];
	size_t i;
	int r;

	memset(&u, 0, sizeof(u));
	why[0] = '\0';
	snprintf(obj, sizeof(obj), "%lld", (long long)id);
	if (l == NULL || id <= 0 || (add == NULL && nadd > 0) ||
	    (remove == NULL && nremove > 0) || nadd + nremove == 0)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = need_changeable(l, id, "edited", &u, type, payer, repl)) !=
	    0)
		goto out;
	if ((r = lg_prepare(l, &st, "DELETE FROM request_lines WHERE"
	    " request_id = ?1 AND member_id = (SELECT id FROM members"
	    " WHERE member_code = ?2)")) != 0)
		goto out;
	for (i = 0; i < nremove; i++) {
		lg_reset(st);
		lg_bind_int64(st, 1, id);
		lg_bind_text(st, 2, remove[i]);
		if ((r = lg_err(lg_step(st))) != 0)
			goto out;
		if (lg_db_changes(l->db) != 1) {
			snprintf(why, sizeof(why), "member %s is not on"
			    " request %lld", remove[i], (long long)id);
			r = UC_ERR_NOT_FOUND;
			goto out;
		}
		list_add(removed, sizeof(removed), remove[i]);
	}
	if ((r = lg_prepare(l, &sel, "SELECT id, status, mandatory, unit_id,"
	    " withdrawn_at IS NOT NULL FROM members WHERE member_code = ?"))
	    != 0)
		goto out;
	for (i = 0; i < nadd; i++) {
		lg_reset(sel);
		lg_bind_text(sel, 1, add[i]);
		if (lg_step(sel) != LG_ROW ||
		    lg_column_int64(sel, 3) != u.id) {
			snprintf(why, sizeof(why), "no member %s in unit %s",
			    add[i], u.code);
			r = UC_ERR_NOT_FOUND;
			goto out;
		}
		if (strcmp((const char *)lg_column_text(sel, 1),
		    "approved") != 0 || lg_column_int(sel, 4)) {
			snprintf(why, sizeof(why), "member %s is not"
			    " approved", add[i]);
			r = UC_ERR_STATE;
			goto out;
		}
		memset(&m, 0, sizeof(m));
		m.id = lg_column_int64(sel, 0);
		m.mandatory = lg_column_int(sel, 2);
		if ((r = member_state(l, m.id, &m)) != 0)
			goto out;
		if ((r = add_line(l, id, type, payer, repl[0] ? repl : NULL,
		    day, add[i], &m, why, sizeof(why))) != 0)
			goto out;
		list_add(added, sizeof(added), add[i]);
	}
	lg_finalize(st);
	if ((r = lg_prepare(l, &st, "SELECT count(*) FROM request_lines"
	    " WHERE request_id = ?")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) != LG_ROW || lg_column_int64(st, 0) ==
	    0) {
		snprintf(why, sizeof(why), "request %lld would have no lines;"
		    " withdraw it instead (request withdraw %lld)",
		    (long long)id, (long long)id);
		r = UC_ERR_STATE;
		goto out;
	}
	snprintf(details, sizeof(details), "added=%s removed=%s", added,
	    removed);
	if ((r = event(l, id, "edit", details)) != 0)
		goto out;
	r = lg_audit(l, "request.edit", u.code, obj, details);
out:
	lg_finalize(st);
	lg_finalize(sel);
	if (r != 0 && why[0] != '\0')
		snprintf(l->refusal, sizeof(l->refusal), "%s", why);
	return lg_end(l, r, "request.edit", u.code[0] ? u.code : NULL, obj);
}

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

int
uc_ledger_request_each(struct uc_ledger *l, uc_ledger_request_fn fn,
    void *ctx)
{
	struct uc_ledger_request_summary q;
	struct lg_stmt *st = NULL;
	int r;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT q.id, u.code, q.type, "
	    REQ_STATUS ", q.request_day, (SELECT count(*) FROM request_lines"
	    " WHERE request_id = q.id), (SELECT coalesce(sum(fee_vnd), 0)"
	    " FROM request_lines WHERE request_id = q.id), q.reject_reason"
	    " FROM requests q JOIN units u ON u.id = q.unit_id"
	    " WHERE substr(u.path, 1, ?2) = ?1 ORDER BY q.id")) != 0)
		return r;
	lg_bind_scope(l, st);
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&q, 0, sizeof(q));
		q.id = lg_column_int64(st, 0);
		q.type = uc_ledger_card_type_parse(
		    (const char *)lg_column_text(st, 2));
		q.status = uc_ledger_request_status_parse(
		    (const char *)lg_column_text(st, 3));
		uc_date_format_iso(lg_column_int(st, 4), q.date);
		q.lines = lg_column_int64(st, 5);
		q.total_vnd = lg_column_int64(st, 6);
		if (q.type == 0 || q.status == 0) {
			r = UC_ERR_LEDGER;
			break;
		}
		if ((r = put(q.unit, sizeof(q.unit), lg_column_text(st, 1))) ||
		    (r = put(q.reject_reason, sizeof(q.reject_reason),
		    lg_column_text(st, 7))) ||
		    (fn != NULL && (r = fn(ctx, &q)) != 0))
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

/* A malloc'ed copy of text, NULL for NULL (*ok cleared when out of
 * memory). */
static char *
dup_or_null(const unsigned char *t, int *ok)
{
	char *p;

	if (t == NULL)
		return NULL;
	if ((p = strdup((const char *)t)) == NULL)
		*ok = 0;
	return p;
}

/* Grow *a (of *n elements of size sz) by one, zeroed; NULL: no memory. */
static void *
grow(void *a, size_t *n, size_t sz, void **out)
{
	unsigned char *p = realloc(a, (*n + 1) * sz);

	*out = NULL;
	if (p == NULL)
		return NULL;
	memset(p + *n * sz, 0, sz);
	*out = p + *n * sz;
	(*n)++;
	return p;
}

static int
request_lines(struct uc_ledger *l, struct uc_ledger_request *q)
{
	struct uc_ledger_request_line *ln;
	struct lg_stmt *st = NULL;
	void *a, *e;
	int r;

	if ((r = lg_prepare(l, &st, "SELECT m.member_code, m.full_name,"
	    " rl.fee_vnd, rl.payer, rl.fee_item, rl.replaces, m.national_id,"
	    " rl.id FROM request_lines rl JOIN members m ON m.id ="
	    " rl.member_id WHERE rl.request_id = ? ORDER BY rl.id")) != 0)
		return r;
	lg_bind_int64(st, 1, q->id);
	while ((r = lg_step(st)) == LG_ROW) {
		if ((a = grow(q->lines, &q->nlines, sizeof(*ln), &e)) == NULL) {
			r = UC_ERR_NOMEM;
			break;
		}
		q->lines = a;
		ln = e;
		ln->line_id = lg_column_int64(st, 7);
		ln->fee_vnd = lg_column_int64(st, 2);
		ln->payer = uc_ledger_payer_parse(
		    (const char *)lg_column_text(st, 3));
		if (lg_column_type(st, 5) != LG_NULL)
			lg_serial_format(l->prefix, lg_column_int64(st, 5),
			    ln->replaces);
		if ((r = put(ln->member_code, sizeof(ln->member_code),
		    lg_column_text(st, 0))) != 0 ||
		    (r = put(ln->full_name, sizeof(ln->full_name),
		    lg_column_text(st, 1))) != 0 ||
		    (r = put(ln->fee_item, sizeof(ln->fee_item),
		    lg_column_text(st, 4))) != 0 ||
		    (r = put(ln->national_id, sizeof(ln->national_id),
		    lg_column_text(st, 6))) != 0)
			break;
		if (ln->payer == 0) {
			r = UC_ERR_LEDGER;
			break;
		}
	}
	lg_finalize(st);
	return lg_err(r);
}

static int
request_events(struct uc_ledger *l, struct uc_ledger_request *q)
{
	struct uc_ledger_request_event *ev;
	struct lg_stmt *st = NULL;
	void *a, *e;
	int r, ok = 1;

	if ((r = lg_prepare(l, &st, "SELECT e.action, a.name, e.at, e.reason"
	    " FROM request_events e JOIN accounts a ON a.id = e.account_id"
	    " WHERE e.request_id = ? ORDER BY e.id")) != 0)
		return r;
	lg_bind_int64(st, 1, q->id);
	while ((r = lg_step(st)) == LG_ROW) {
		if ((a = grow(q->events, &q->nevents, sizeof(*ev), &e)) ==
		    NULL) {
			r = UC_ERR_NOMEM;
			break;
		}
		q->events = a;
		ev = e;
		ev->reason = dup_or_null(lg_column_text(st, 3), &ok);
		if (!ok) {
			r = UC_ERR_NOMEM;
			break;
		}
		if ((r = put(ev->action, sizeof(ev->action),
		    lg_column_text(st, 0))) != 0 ||
		    (r = put(ev->account, sizeof(ev->account),
		    lg_column_text(st, 1))) != 0 ||
		    (r = put(ev->at, sizeof(ev->at),
		    lg_column_text(st, 2))) != 0)
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

void
uc_ledger_request_free(struct uc_ledger_request **qp)
{
	struct uc_ledger_request *q;
	size_t i;

	if (qp == NULL || *qp == NULL)
		return;
	q = *qp;
	for (i = 0; i < q->nevents; i++)
		free(q->events[i].reason);
	free(q->events);
	free(q->lines);
	free(q->reject_reason);
	free(q);
	*qp = NULL;
}

int
uc_ledger_request_get(struct uc_ledger *l, int64_t id,
    struct uc_ledger_request **out)
{
	struct uc_ledger_request *q = NULL;
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char status[16];
	int r, ok = 1;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = load_request(l, id, &u, status)) != 0)
		return r;
	if ((r = lg_need(l, ~0, &u)) != 0) {
		char obj[24];

		snprintf(obj, sizeof(obj), "%lld", (long long)id);
		lg_refused(l, "request.show", u.code, obj);
		return r;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return UC_ERR_NOMEM;
	q->id = id;
	memcpy(q->unit, u.code, sizeof(q->unit));
	if ((r = lg_prepare(l, &st, "SELECT type, " REQ_STATUS ", payer,"
	    " replacement, request_day, reject_reason FROM requests q"
	    " WHERE id = ?")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	uc_date_format_iso(lg_column_int(st, 4), q->date);
	q->type = uc_ledger_card_type_parse(
	    (const char *)lg_column_text(st, 0));
	q->status = uc_ledger_request_status_parse(
	    (const char *)lg_column_text(st, 1));
	q->payer_choice = uc_ledger_payer_parse(
	    (const char *)lg_column_text(st, 2));
	q->replacement = uc_ledger_replacement_parse(
	    (const char *)lg_column_text(st, 3));
	q->reject_reason = dup_or_null(lg_column_text(st, 5), &ok);
	if (q->type == 0 || q->status == 0 || q->payer_choice == 0 ||
	    (q->replacement == 0 && lg_column_type(st, 3) != LG_NULL)) {
		r = UC_ERR_LEDGER;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	if (!ok) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if ((r = request_lines(l, q)) != 0 ||
	    (r = request_events(l, q)) != 0)
		goto out;
	*out = q;
	q = NULL;
out:
	lg_finalize(st);
	uc_ledger_request_free(&q);
	return r;
}

/* --- fee schedule ---------------------------------------------------- */

int
uc_ledger_fee_set(struct uc_ledger *l, const char *item, int64_t amount,
    const char *from)
{
	struct lg_stmt *st = NULL;
	int32_t day;
	char at[32], details[128];
	int r;

	if (l == NULL || item == NULL || amount < 0 ||
	    amount > INT64_C(1000000000) || lg_parse_day(from, &day) != 0)
		return UC_ERR_ARG;
	if (strcmp(item, UC_FEE_REGULAR_FIRST) != 0 &&
	    strcmp(item, UC_FEE_REGULAR_LATER) != 0 &&
	    strcmp(item, UC_FEE_LINKED_MANDATORY) != 0 &&
	    strcmp(item, UC_FEE_LINKED_OTHER) != 0)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	/* the schedule is the whole ledger's: admins of the root only */
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0)
		goto out;
	if (l->acct_unit.depth != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "only an admin of"
		    " the root unit sets fees");
		r = UC_ERR_PERM;
		goto out;
	}
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO fees (item, valid_from,"
	    " amount, account_id, set_at) VALUES (?, ?, ?, ?, ?)"
	    " ON CONFLICT (item, valid_from) DO UPDATE SET"
	    " amount = excluded.amount, account_id = excluded.account_id,"
	    " set_at = excluded.set_at")) != 0)
		goto out;
	lg_bind_text(st, 1, item);
	lg_bind_int(st, 2, day);
	lg_bind_int64(st, 3, amount);
	lg_bind_int64(st, 4, l->acct_id);
	lg_bind_text(st, 5, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	snprintf(details, sizeof(details), "amount=%lld from=%s",
	    (long long)amount, from);
	r = lg_audit(l, "fee.set", NULL, item, details);
out:
	lg_finalize(st);
	return lg_end(l, r, "fee.set", NULL, item);
}

int
uc_ledger_fee_each(struct uc_ledger *l, uc_ledger_fee_fn fn, void *ctx)
{
	struct uc_ledger_fee fee;
	struct lg_stmt *st = NULL;
	int r;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT item, valid_from, amount FROM"
	    " fees ORDER BY item, valid_from")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&fee, 0, sizeof(fee));
		uc_date_format_iso(lg_column_int(st, 1), fee.from);
		fee.amount_vnd = lg_column_int64(st, 2);
		if ((r = put(fee.item, sizeof(fee.item),
		    lg_column_text(st, 0))) != 0 ||
		    (fn != NULL && (r = fn(ctx, &fee)) != 0))
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}
