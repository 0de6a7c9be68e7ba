/*
 * members.c - member lists: import, submit, approve (assigning member
 * codes), reject, list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/csv.h"
#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "unioncard/membercode.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

#define NID_MAX 12
#define FIELD_CAP UC_TEXT_NFC_CAP(UC_LEDGER_NAME_MAX)

enum { C_NAME, C_DOB, C_GENDER, C_NID, C_POS, C_JOINED, C_MAND, C_N };

static const char *const member_cols[C_N] = {
	"full_name", "date_of_birth", "gender", "national_id", "position",
	"joined_on", "mandatory",
};

struct row {
	char name[FIELD_CAP];
	char ascii[FIELD_CAP];
	char pos[FIELD_CAP];
	char nid[NID_MAX + 1];
	int32_t dob, joined;
	char gender;
	int mandatory;
};

static void
field(const struct uc_csv_field *f, int i, const char **s, size_t *n)
{
	*s = f[i].ptr;
	*n = f[i].len;
	uc_text_trim(s, n);
}

/* Validate one CSV record into r; every error names its column. */
static int
parse_row(struct uc_csv *csv, const struct uc_csv_field *f, const int *idx,
    int32_t today, struct row *rw, struct uc_diag *d)
{
	char fold[32];
	const char *s;
	size_t n, k, on;
	int r;

	field(f, idx[C_NAME], &s, &n);
	if (n == 0 || n > UC_LEDGER_NAME_MAX)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_NAME],
		    "full name is empty or longer than %d bytes",
		    UC_LEDGER_NAME_MAX);
	if (uc_text_nfc(s, n, rw->name, sizeof(rw->name), &on) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_NAME],
		    "full name is not valid UTF-8");
	if (uc_text_bank_name(rw->name, on, rw->ascii, sizeof(rw->ascii),
	    &k) != 0 || k == 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_NAME],
		    "full name has a letter with no ASCII form for the bank");

	field(f, idx[C_DOB], &s, &n);
	if (uc_date_parse(s, n, &rw->dob) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_DOB],
		    "'%.*s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
		    (int)(n > 40 ? 40 : n), s);
	if (rw->dob > today)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_DOB],
		    "date of birth is in the future");

	field(f, idx[C_GENDER], &s, &n);
	if (n == 0 || uc_text_fold_ascii(s, n, fold, sizeof(fold), &k) != 0)
		k = 0;
	if (k > 0 && (uc_text_ascii_caseeq(fold, k, "nam", 3) ||
	    uc_text_ascii_caseeq(fold, k, "m", 1)))
		rw->gender = 'M';
	else if (k > 0 && (uc_text_ascii_caseeq(fold, k, "nu", 2) ||
	    uc_text_ascii_caseeq(fold, k, "f", 1)))
		rw->gender = 'F';
	else
		return uc_csv_diag(csv, d, UC_ERR_INVALID,
		    (size_t)idx[C_GENDER], "gender must be nam/nữ or M/F");

	field(f, idx[C_NID], &s, &n);
	if (n != 12 && n != 9)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_NID],
		    "national ID has %zu digits; need 12 (CCCD) or 9 (CMND)",
		    n);
	for (k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return uc_csv_diag(csv, d, UC_ERR_INVALID,
			    (size_t)idx[C_NID],
			    "national ID has a non-digit at position %zu",
			    k + 1);
	memcpy(rw->nid, s, n);
	rw->nid[n] = '\0';

	field(f, idx[C_POS], &s, &n);
	if (n > UC_LEDGER_NAME_MAX ||
	    uc_text_nfc(s, n, rw->pos, sizeof(rw->pos), &k) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_POS],
		    "position is too long or not valid UTF-8");

	field(f, idx[C_JOINED], &s, &n);
	if (uc_date_parse(s, n, &rw->joined) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID,
		    (size_t)idx[C_JOINED],
		    "'%.*s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
		    (int)(n > 40 ? 40 : n), s);
	if (rw->joined < rw->dob || rw->joined > today)
		return uc_csv_diag(csv, d, UC_ERR_INVALID,
		    (size_t)idx[C_JOINED],
		    "joined before birth or in the future");

	field(f, idx[C_MAND], &s, &n);
	r = UC_ERR_INVALID;
	if (n > 0 && uc_text_fold_ascii(s, n, fold, sizeof(fold), &k) == 0) {
		if (uc_text_ascii_caseeq(fold, k, "co", 2))
			rw->mandatory = 1, r = 0;
		else if (uc_text_ascii_caseeq(fold, k, "khong", 5))
			rw->mandatory = 0, r = 0;
		else
			r = lg_parse_bool(fold, k, &rw->mandatory);
	}
	if (r != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[C_MAND],
		    "mandatory must be 1/0 or yes/no");
	return 0;
}

/* Bind a parsed row to the insert (id == 0) or update statement. */
static int
bind_row(sqlite3_stmt *w, int64_t id, int64_t unit_id, const struct row *rw,
    int64_t import_id, struct uc_csv *csv, int32_t today)
{
	sqlite3_bind_int64(w, 1, id != 0 ? id : unit_id);
	sqlite3_bind_text(w, 2, rw->nid, -1, SQLITE_STATIC);
	sqlite3_bind_text(w, 3, rw->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(w, 4, rw->ascii, -1, SQLITE_STATIC);
	sqlite3_bind_int(w, 5, rw->dob);
	sqlite3_bind_text(w, 6, rw->gender == 'M' ? "M" : "F", 1,
	    SQLITE_STATIC);
	sqlite3_bind_text(w, 7, rw->pos, -1, SQLITE_STATIC);
	sqlite3_bind_int(w, 8, rw->joined);
	sqlite3_bind_int(w, 9, rw->mandatory);
	sqlite3_bind_int64(w, 10, import_id);
	sqlite3_bind_int64(w, 11, (sqlite3_int64)uc_csv_line(csv));
	if (id == 0)
		sqlite3_bind_int(w, 12, today);
	return 0;
}

struct import_ctx {
	sqlite3_stmt *find, *ins, *upd;
};

static void
import_ctx_free(struct import_ctx *c)
{
	sqlite3_finalize(c->find);
	sqlite3_finalize(c->ins);
	sqlite3_finalize(c->upd);
	memset(c, 0, sizeof(*c));
}

int
uc_ledger_member_import(struct uc_ledger *l, const char *unit_code, FILE *fp,
    const char *fname, size_t *count, struct uc_diag *d)
{
	struct import_ctx c;
	struct uc_csv *csv = NULL;
	const struct uc_csv_field *f;
	struct lg_unit u;
	struct row *rw = NULL;
	sqlite3_stmt *st = NULL;
	int idx[C_N], r;
	size_t nf, n = 0, added = 0;
	int64_t import_id;
	int32_t today = lg_today();
	char at[32], details[256];

	memset(&c, 0, sizeof(c));
	if (count != NULL)
		*count = 0;
	uc_diag_clear(d);
	if (l == NULL || fp == NULL || unit_code == NULL)
		return UC_ERR_ARG;
	if (fname == NULL)
		fname = "-";
	if ((rw = calloc(1, sizeof(*rw))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_csv_open_file(&csv, fp, fname, NULL)) != 0)
		goto done;
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = lg_unit_need(l, unit_code, UC_ROLE_CLERK | UC_ROLE_ADMIN,
	    &u)) != 0)
		goto out;
	if ((r = uc_csv_header_require(csv, member_cols, C_N, C_N, idx, d))
	    != 0)
		goto out;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO imports (unit_id, file,"
	    " rows, account_id, at) VALUES (?, ?, 0, ?, ?)")) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, u.id);
	lg_bind_text(st, 2, fname);
	sqlite3_bind_int64(st, 3, l->acct_id);
	lg_bind_text(st, 4, at);
	if ((r = lg_err(sqlite3_step(st))) != 0)
		goto out;
	import_id = sqlite3_last_insert_rowid(l->db);
	if ((r = lg_prepare(l, &c.find, "SELECT m.id, m.unit_id, m.status,"
	    " m.import_id, m.import_line, u.code FROM members m"
	    " JOIN units u ON u.id = m.unit_id WHERE m.national_id = ?")) != 0 ||
	    (r = lg_prepare(l, &c.ins, "INSERT INTO members (unit_id,"
	    " national_id, full_name, name_ascii, date_of_birth, gender,"
	    " position, joined_on, mandatory, status, import_id, import_line,"
	    " entered_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " 'entered', ?10, ?11, ?12)"
	    " ON CONFLICT (national_id) DO NOTHING")) != 0 ||
	    (r = lg_prepare(l, &c.upd, "UPDATE members SET full_name = ?3,"
	    " name_ascii = ?4, date_of_birth = ?5, gender = ?6, position = ?7,"
	    " joined_on = ?8, mandatory = ?9, status = 'entered',"
	    " reject_reason = NULL, import_id = ?10, import_line = ?11"
	    " WHERE id = ?1 AND national_id = ?2")) != 0)
		goto out;
	for (;;) {
		int64_t existing = 0;

		if ((r = uc_csv_next(csv, &f, &nf, d)) != 0)
			goto out;
		if (f == NULL)
			break;
		if ((r = parse_row(csv, f, idx, today, rw, d)) != 0)
			goto out;
		/* Fast path: a new national ID inserts in one step; only a
		 * conflict pays for the lookup that explains it. */
		if ((r = bind_row(c.ins, 0, u.id, rw, import_id, csv, today))
		    != 0)
			goto out;
		r = sqlite3_step(c.ins);
		sqlite3_reset(c.ins);
		if (r == SQLITE_DONE && sqlite3_changes(l->db) == 1) {
			n++;
			added++;
			continue;
		}
		if (r != SQLITE_DONE) {
			r = lg_err(r);
			uc_csv_diag(csv, d, r, (size_t)idx[C_NID],
			    "could not store the member");
			goto out;
		}
		sqlite3_reset(c.find);
		sqlite3_bind_text(c.find, 1, rw->nid, -1, SQLITE_STATIC);
		if (sqlite3_step(c.find) == SQLITE_ROW) {
			const char *status =
			    (const char *)sqlite3_column_text(c.find, 2);

			existing = sqlite3_column_int64(c.find, 0);
			if (sqlite3_column_int64(c.find, 3) == import_id) {
				r = uc_csv_diag(csv, d, UC_ERR_INVALID,
				    (size_t)idx[C_NID], "national ID %s is"
				    " already on line %lld of this file",
				    rw->nid, (long long)
				    sqlite3_column_int64(c.find, 4));
				goto out;
			}
			if (sqlite3_column_int64(c.find, 1) != u.id) {
				r = uc_csv_diag(csv, d, UC_ERR_INVALID,
				    (size_t)idx[C_NID], "national ID %s is"
				    " already a member of unit %s", rw->nid,
				    (const char *)
				    sqlite3_column_text(c.find, 5));
				goto out;
			}
			if (strcmp(status, "entered") != 0 &&
			    strcmp(status, "rejected") != 0) {
				r = uc_csv_diag(csv, d, UC_ERR_INVALID,
				    (size_t)idx[C_NID], "national ID %s is"
				    " already %s in this unit", rw->nid,
				    status);
				goto out;
			}
		}
		sqlite3_reset(c.find);
		/* a corrected line for an entered or rejected member of
		 * this unit replaces its data */
		if (existing == 0) {
			r = UC_ERR_LEDGER;
			goto out;
		}
		if ((r = bind_row(c.upd, existing, u.id, rw, import_id, csv,
		    today)) != 0)
			goto out;
		r = lg_err(sqlite3_step(c.upd));
		sqlite3_reset(c.upd);
		if (r != 0) {
			uc_csv_diag(csv, d, r, (size_t)idx[C_NID],
			    "could not store the member");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		r = uc_diag_set(d, UC_ERR_INVALID, fname, 0, NULL,
		    "no members in the file");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((r = lg_prepare(l, &st, "UPDATE imports SET rows = ? WHERE id = ?"))
	    != 0)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
	sqlite3_bind_int64(st, 2, import_id);
	if ((r = lg_err(sqlite3_step(st))) != 0)
		goto out;
	if ((r = lg_progress_add(l, u.id, today, (int64_t)added, 0)) != 0)
		goto out;
	snprintf(details, sizeof(details), "file=%s rows=%zu new=%zu"
	    " import=%lld", fname, n, added, (long long)import_id);
	r = lg_audit(l, "member.import", u.code, fname, details);
out:
	sqlite3_finalize(st);
	import_ctx_free(&c);
	r = lg_end(l, r, "member.import", unit_code, fname);
	if (r == 0 && count != NULL)
		*count = n;
done:
	uc_csv_free(&csv);
	if (rw != NULL)
		OPENSSL_cleanse(rw, sizeof(*rw));
	free(rw);
	return r;
}

int
uc_ledger_member_submit(struct uc_ledger *l, const char *unit_code,
    size_t *count)
{
	sqlite3_stmt *st = NULL;
	struct lg_unit u;
	char details[64];
	int r;

	if (count != NULL)
		*count = 0;
	if (l == NULL || unit_code == NULL)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_need(l, unit_code, UC_ROLE_CLERK | UC_ROLE_ADMIN,
	    &u)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "UPDATE members SET status = 'submitted',"
	    " submitted_by = ?2 WHERE unit_id = ?1 AND status = 'entered'"))
	    != 0)
		goto out;
	sqlite3_bind_int64(st, 1, u.id);
	sqlite3_bind_int64(st, 2, l->acct_id);
	if ((r = lg_err(sqlite3_step(st))) != 0)
		goto out;
	if (count != NULL)
		*count = (size_t)sqlite3_changes(l->db);
	snprintf(details, sizeof(details), "members=%d",
	    sqlite3_changes(l->db));
	r = lg_audit(l, "member.submit", u.code, u.code, details);
out:
	sqlite3_finalize(st);
	return lg_end(l, r, "member.submit", unit_code, unit_code);
}

/* The approver must sit in the unit directly above u. */
static int
need_superior(struct uc_ledger *l, const struct lg_unit *u)
{
	int r;

	if ((r = lg_need(l, UC_ROLE_APPROVER, u)) != 0)
		return r;
	if (u->id == l->acct_unit.id) {
		snprintf(l->refusal, sizeof(l->refusal),
		    "an approver may not approve its own unit %s", u->code);
		return UC_ERR_PERM;
	}
	if (u->parent_id != l->acct_unit.id) {
		snprintf(l->refusal, sizeof(l->refusal),
		    "%s is not the direct superior of %s",
		    l->acct_unit.code, u->code);
		return UC_ERR_PERM;
	}
	return 0;
}

int
lg_need_superior(struct uc_ledger *l, const struct lg_unit *u)
{
	return need_superior(l, u);
}

static int
approve_one(struct uc_ledger *l, sqlite3_stmt *upd, int64_t member_id,
    int32_t today)
{
	char code[UC_MEMBERCODE_LEN + 1];
	int64_t seq;
	int r;

	if ((r = lg_need_not_submitter_member(l, member_id)) != 0)
		return r;
	if ((r = lg_counter_next(l, "member_seq", &seq)) != 0)
		return r;
	if (seq > UC_MEMBERCODE_SEQ_MAX)
		return UC_ERR_RANGE;
	if ((r = uc_membercode_make(l->prefix, (uint32_t)seq, code)) != 0)
		return r;
	sqlite3_reset(upd);
	sqlite3_bind_text(upd, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(upd, 2, today);
	sqlite3_bind_int64(upd, 3, l->acct_id);
	sqlite3_bind_int64(upd, 4, member_id);
	if ((r = lg_err(sqlite3_step(upd))) != 0)
		return r;
	return sqlite3_changes(l->db) == 1 ? 0 : UC_ERR_STATE;
}

int
uc_ledger_member_approve(struct uc_ledger *l, const char *unit_code,
    const char *const *nids, size_t n, size_t *count)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct lg_unit u;
	int32_t today = lg_today();
	size_t done = 0, i;
	char details[64];
	int r;

	if (count != NULL)
		*count = 0;
	if (l == NULL || unit_code == NULL || (nids == NULL && n != 0))
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_by_code(l, unit_code, &u)) != 0)
		goto out;
	if ((r = need_superior(l, &u)) != 0)
		goto out;
	if ((r = lg_prepare(l, &upd, "UPDATE members SET status = 'approved',"
	    " member_code = ?1, approved_day = ?2, approved_by = ?3,"
	    " reject_reason = NULL WHERE id = ?4 AND status = 'submitted'"))
	    != 0)
		goto out;
	if (nids == NULL) {
		if ((r = lg_prepare(l, &sel, "SELECT id FROM members WHERE"
		    " unit_id = ? AND status = 'submitted' ORDER BY id")) != 0)
			goto out;
		sqlite3_bind_int64(sel, 1, u.id);
		/* Collect first: updating the index we walk is unsafe. */
		{
			int64_t *ids = NULL, *t;
			size_t cap = 0, k = 0, j;

			while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
				if (k == cap) {
					cap = cap ? cap * 2 : 256;
					t = realloc(ids, cap * sizeof(*ids));
					if (t == NULL) {
						free(ids);
						r = UC_ERR_NOMEM;
						goto out;
					}
					ids = t;
				}
				ids[k++] = sqlite3_column_int64(sel, 0);
			}
			r = lg_err(r);
			for (j = 0; r == 0 && j < k; j++)
				r = approve_one(l, upd, ids[j], today);
			free(ids);
			if (r != 0)
				goto out;
			done = k;
		}
	} else {
		if ((r = lg_prepare(l, &sel, "SELECT id, status FROM members"
		    " WHERE unit_id = ? AND national_id = ?")) != 0)
			goto out;
		for (i = 0; i < n; i++) {
			int64_t id;

			sqlite3_reset(sel);
			sqlite3_bind_int64(sel, 1, u.id);
			lg_bind_text(sel, 2, nids[i]);
			if (sqlite3_step(sel) != SQLITE_ROW) {
				snprintf(l->refusal, sizeof(l->refusal),
				    "no member with national ID %s in %s",
				    nids[i], u.code);
				r = UC_ERR_NOT_FOUND;
				goto out;
			}
			if (strcmp((const char *)sqlite3_column_text(sel, 1),
			    "submitted") != 0) {
				snprintf(l->refusal, sizeof(l->refusal),
				    "member %s is %s, not submitted", nids[i],
				    (const char *)sqlite3_column_text(sel, 1));
				r = UC_ERR_STATE;
				goto out;
			}
			id = sqlite3_column_int64(sel, 0);
			sqlite3_reset(sel);
			if ((r = approve_one(l, upd, id, today)) != 0)
				goto out;
			done++;
		}
	}
	if ((r = lg_progress_add(l, u.id, today, 0, (int64_t)done)) != 0)
		goto out;
	snprintf(details, sizeof(details), "members=%zu", done);
	r = lg_audit(l, "member.approve", u.code, u.code, details);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	r = lg_end(l, r, "member.approve", unit_code, unit_code);
	if (r == 0 && count != NULL)
		*count = done;
	return r;
}

int
uc_ledger_member_reject(struct uc_ledger *l, const char *unit_code,
    const char *nid, const char *reason)
{
	sqlite3_stmt *st = NULL;
	struct lg_unit u;
	char details[UC_LEDGER_REASON_MAX + 16];
	int r;

	if (l == NULL || unit_code == NULL || nid == NULL || reason == NULL ||
	    reason[0] == '\0' || strlen(reason) > UC_LEDGER_REASON_MAX ||
	    uc_text_utf8_check(reason, strlen(reason), NULL) != 0)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_by_code(l, unit_code, &u)) != 0)
		goto out;
	if ((r = need_superior(l, &u)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "UPDATE members SET status = 'rejected',"
	    " reject_reason = ? WHERE unit_id = ? AND national_id = ?"
	    " AND status = 'submitted'")) != 0)
		goto out;
	lg_bind_text(st, 1, reason);
	sqlite3_bind_int64(st, 2, u.id);
	lg_bind_text(st, 3, nid);
	if ((r = lg_err(sqlite3_step(st))) != 0)
		goto out;
	if (sqlite3_changes(l->db) != 1) {
		snprintf(l->refusal, sizeof(l->refusal), "no submitted member"
		    " with national ID %s in %s", nid, u.code);
		r = UC_ERR_STATE;
		goto out;
	}
	snprintf(details, sizeof(details), "reason=%s", reason);
	r = lg_audit(l, "member.reject", u.code, nid, details);
out:
	sqlite3_finalize(st);
	return lg_end(l, r, "member.reject", unit_code, nid);
}

#define MEMBER_COLS "SELECT m.member_code, m.full_name, m.name_ascii," \
	" m.national_id, m.status, m.mandatory, m.gender, m.date_of_birth," \
	" m.position, m.joined_on, u.code, m.reject_reason FROM members m" \
	" JOIN units u ON u.id = m.unit_id "

static json_t *
member_json(sqlite3_stmt *st)
{
	char dob[UC_DATE_ISO_LEN + 1], joined[UC_DATE_ISO_LEN + 1];

	if (uc_date_format_iso(sqlite3_column_int(st, 7), dob) != 0 ||
	    uc_date_format_iso(sqlite3_column_int(st, 9), joined) != 0)
		return NULL;
	return json_pack("{s:s?, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s,"
	    " s:s, s:s, s:s?}",
	    "member_code", (const char *)sqlite3_column_text(st, 0),
	    "full_name", (const char *)sqlite3_column_text(st, 1),
	    "name_ascii", (const char *)sqlite3_column_text(st, 2),
	    "national_id", (const char *)sqlite3_column_text(st, 3),
	    "status", (const char *)sqlite3_column_text(st, 4),
	    "mandatory", sqlite3_column_int(st, 5),
	    "gender", (const char *)sqlite3_column_text(st, 6),
	    "date_of_birth", dob,
	    "position", (const char *)sqlite3_column_text(st, 8),
	    "joined_on", joined,
	    "unit", (const char *)sqlite3_column_text(st, 10),
	    "reject_reason", (const char *)sqlite3_column_text(st, 11));
}

static json_t *
member_row(struct uc_ledger *l, sqlite3_stmt *st)
{
	(void)l;
	return member_json(st);
}

int
uc_ledger_member_list(struct uc_ledger *l, const char *unit_code,
    const char *status, json_t **out)
{
	sqlite3_stmt *st = NULL;
	struct lg_unit u;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (l == NULL || unit_code == NULL)
		return UC_ERR_ARG;
	if ((r = lg_unit_see(l, unit_code, "member.list", &u)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, MEMBER_COLS "WHERE m.unit_id = ?1 AND"
	    " (?2 IS NULL OR m.status = ?2) ORDER BY m.id")) != 0)
		return r;
	sqlite3_bind_int64(st, 1, u.id);
	lg_bind_text(st, 2, status);
	r = lg_rows_json(l, st, member_row, out);
	sqlite3_finalize(st);
	return r;
}

int
uc_ledger_member_show(struct uc_ledger *l, const char *key, json_t **out)
{
	sqlite3_stmt *st = NULL;
	struct lg_unit u;
	int r;

	if ((r = lg_read_start(l, out, key == NULL)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, MEMBER_COLS "WHERE m.member_code = ?1"
	    " OR m.national_id = ?1")) != 0)
		return r;
	lg_bind_text(st, 1, key);
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = lg_unit_by_code(l, (const char *)sqlite3_column_text(st, 10),
	    &u)) != 0)
		goto out;
	if ((r = lg_need(l, ~0, &u)) != 0) {
		sqlite3_finalize(st);
		st = NULL;
		lg_refused(l, "member.show", u.code, key);
		goto out;
	}
	if ((*out = member_json(st)) == NULL)
		r = UC_ERR_NOMEM;
out:
	sqlite3_finalize(st);
	return r;
}
