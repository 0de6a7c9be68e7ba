/*
 * members.c - member lists: import, submit, approve (assigning member
 * codes), reject, list.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/csv.h"
#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "unioncard/member.h"
#include "unioncard/membercode.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

/* The import's problem reports (ledger_priv.h), by their short names. */
#define emit lg_errs_emit
#define bad lg_errs_bad

#define NID_MAX 12
#define FIELD_CAP (UC_MEMBER_POSITION_MAX + 1)
#define HEAD_CAP 96

enum { C_NAME, C_DOB, C_GENDER, C_NID, C_POS, C_JOINED, C_MAND, C_N };

/*
 * Each column's names in the header: the English name first, then the
 * Vietnamese ones a clerk's spreadsheet carries (docs/member-file.md).
 * Header cells are compared in their ASCII fold, lower case, with '_'
 * and runs of spaces read as one space: "Họ và tên", "HỌ VÀ TÊN" and
 * "ho  va ten" are the same column.  NULL ends each list.
 */
static const char *const member_cols[C_N][8] = {
	{ "full_name", "Họ và tên", "Họ tên", NULL },
	{ "date_of_birth", "Ngày sinh", "Ngày tháng năm sinh", NULL },
	{ "gender", "Giới tính", NULL },
	{ "national_id", "Số CCCD", "CCCD", "Số CMND/CCCD", "Số CCCD/CMND",
	    "Số định danh", "Số định danh cá nhân", NULL },
	{ "position", "Chức vụ", "Chức danh", NULL },
	{ "joined_on", "Ngày vào công đoàn", "Ngày vào CĐ",
	    "Ngày kết nạp", NULL },
	{ "mandatory", "Bắt buộc", "Đối tượng bắt buộc", NULL },
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

/* A header cell or column name as compared: ASCII fold, lower case, one
 * space for each run of spaces and underscores, trimmed. */
static void
head_key(const char *s, char out[HEAD_CAP])
{
	char fold[HEAD_CAP];
	size_t n = strlen(s), k = 0, i, o = 0;

	out[0] = '\0';
	if (n >= HEAD_CAP || uc_text_fold_ascii(s, n, fold, sizeof(fold),
	    &k) != 0)
		return;
	for (i = 0; i < k; i++) {
		char c = fold[i];

		if (c == '_' || c == ' ' || c == '\t') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/*
 * Map the header's cells to the columns: idx[c] gets the cell of column
 * c.  Every missing column and every column given twice is reported;
 * returns UC_ERR_INVALID if there was any.
 */
static int
map_header(struct uc_csv *csv, int idx[C_N], struct lg_errs *e)
{
	char key[HEAD_CAP], want[HEAD_CAP];
	struct uc_diag x;
	size_t j, ncols = uc_csv_columns(csv);
	int c, a, bad_head = 0;

	for (c = 0; c < C_N; c++)
		idx[c] = -1;
	for (j = 0; j < ncols; j++) {
		head_key(uc_csv_column_name(csv, j), key);
		for (c = 0; c < C_N; c++) {
			for (a = 0; member_cols[c][a] != NULL; a++) {
				head_key(member_cols[c][a], want);
				if (strcmp(key, want) == 0)
					break;
			}
			if (member_cols[c][a] == NULL)
				continue;
			if (idx[c] >= 0) {
				uc_csv_diag(csv, &x, UC_ERR_INVALID, j,
				    "column '%s' is %s again: keep one of"
				    " the two", uc_csv_column_name(csv,
				    (size_t)idx[c]), member_cols[c][0]);
				emit(e, &x);
				bad_head = 1;
			} else {
				idx[c] = (int)j;
			}
		}
	}
	for (c = 0; c < C_N; c++) {
		if (idx[c] >= 0)
			continue;
		uc_diag_set(&x, UC_ERR_INVALID, uc_csv_name(csv),
		    uc_csv_line(csv) != 0 ? uc_csv_line(csv) : 1,
		    member_cols[c][0], "required column missing from the"
		    " header (name it %s or %s)", member_cols[c][0],
		    member_cols[c][1]);
		emit(e, &x);
		bad_head = 1;
	}
	return bad_head ? UC_ERR_INVALID : 0;
}

static void
field(const struct uc_csv_field *f, int i, const char **s, size_t *n)
{
	*s = f[i].ptr;
	*n = f[i].len;
	uc_text_trim(s, n);
}

/*
 * The checks of one member field, shared by the CSV import and member
 * edit so that a value is accepted the same way through either.  Each
 * fills t's message (no file or field: the caller names them) and
 * returns 0 or UC_ERR_INVALID.
 */
static int
check_name(const char *s, size_t n, struct row *rw, struct uc_diag *t)
{
	size_t k, on;

	if (uc_member_text_check(UC_MEMBER_TEXT_FULL_NAME, s, n,
	    UC_MEMBER_TEXT_TIDY, rw->name, sizeof(rw->name), &on, NULL, NULL,
	    t) != 0)
		return UC_ERR_INVALID;
	if (uc_text_bank_name(rw->name, on, rw->ascii, sizeof(rw->ascii),
	    &k) != 0 || k == 0)
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "full name has a letter with no ASCII form for the bank");
	return 0;
}

static int
check_date(const char *s, size_t n, int32_t *day, struct uc_diag *t)
{
	uc_text_trim(&s, &n);
	if (uc_date_parse(s, n, day) != 0)
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "'%.*s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
		    (int)(n > 40 ? 40 : n), s);
	return 0;
}

static int
check_dob(const char *s, size_t n, int32_t today, struct row *rw,
    struct uc_diag *t)
{
	if (check_date(s, n, &rw->dob, t) != 0)
		return UC_ERR_INVALID;
	if (rw->dob > today)
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "date of birth is in the future");
	return 0;
}

/* Exact words: "nữ" and "nam", not whatever folds to them. */
static int
check_gender(const char *s, size_t n, struct row *rw, struct uc_diag *t)
{
	static const char *const male[] = { "nam", "m", "male" };
	static const char *const female[] = { "nữ", "Nữ", "NỮ", "nu", "f",
	    "female" };

	if (uc_text_word_match(s, n, male, 3) >= 0)
		rw->gender = 'M';
	else if (uc_text_word_match(s, n, female, 6) >= 0)
		rw->gender = 'F';
	else
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "gender must be nam/nữ or M/F");
	return 0;
}

static int
check_nid(const char *s, size_t n, struct row *rw, struct uc_diag *t)
{
	size_t k;

	uc_text_trim(&s, &n);
	if (n != 12 && n != 9)
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "national ID has %zu digits; need 12 (CCCD) or 9 (CMND)",
		    n);
	for (k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
			    "national ID has a non-digit at position %zu",
			    k + 1);
	memcpy(rw->nid, s, n);
	rw->nid[n] = '\0';
	return 0;
}

static int
check_position(const char *s, size_t n, struct row *rw, struct uc_diag *t)
{
	return uc_member_text_check(UC_MEMBER_TEXT_POSITION, s, n,
	    UC_MEMBER_TEXT_TIDY, rw->pos, sizeof(rw->pos), NULL, NULL, NULL,
	    t) != 0 ? UC_ERR_INVALID : 0;
}

static int
check_joined(const char *s, size_t n, int32_t today, struct row *rw,
    struct uc_diag *t)
{
	if (check_date(s, n, &rw->joined, t) != 0)
		return UC_ERR_INVALID;
	if (rw->joined < rw->dob || rw->joined > today)
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "joined before birth or in the future");
	return 0;
}

static int
check_mandatory(const char *s, size_t n, struct row *rw, struct uc_diag *t)
{
	if (uc_text_yesno(s, n, &rw->mandatory) != 0)
		return uc_diag_set(t, UC_ERR_INVALID, NULL, 0, NULL,
		    "'%.*s' is not a yes/no word: use %s",
		    (int)(n > 40 ? 40 : n), s, UC_TEXT_YESNO_WORDS);
	return 0;
}

/*
 * Why a name has no bank form: the first character that has none, named
 * by code point (and shown, unless it is a control character).
 */
static void
no_ascii_why(const char *s, size_t n, char *out, size_t cap)
{
	char tmp[16];
	size_t i = 0, len, k;
	unsigned long cp;
	unsigned char c;

	snprintf(out, cap, "a character with no ASCII form");
	while (i < n) {
		c = (unsigned char)s[i];
		len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i + len > n)
			return;
		if (uc_text_bank_name(s + i, len, tmp, sizeof(tmp), &k) != 0) {
			cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ?
			    c & 0x0f : c & 0x07;
			for (k = 1; k < len; k++)
				cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
				snprintf(out, cap, "control character U+%04lX"
				    " (at byte %zu)", cp, i + 1);
			else
				snprintf(out, cap, "'%.*s' (U+%04lX, at byte"
				    " %zu) has no ASCII form for the bank and"
				    " the card", (int)len, s + i, cp, i + 1);
			return;
		}
		i += len;
	}
}

/* "5.2195E+10", "5,2195e+10": a number a spreadsheet shows in
 * scientific notation, the digits past the fourth or so lost. */
static int
scientific(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		i++;
		d++;
	}
	if (i < n && (s[i] == '.' || s[i] == ','))
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
	if (d == 0 || i >= n || (s[i] != 'E' && s[i] != 'e'))
		return 0;
	i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A date field; day numbers a spreadsheet shows for a date are named. */
static void
date_field(struct lg_errs *e, struct uc_csv *csv, int col, const char *what,
    const char *s, size_t n, int32_t *day, int *ok)
{
	char show[LG_SHOW_CAP];
	size_t k;

	if (uc_date_parse(s, n, day) == 0)
		return;
	*ok = 0;
	for (k = 0; k < n && s[k] >= '0' && s[k] <= '9'; k++)
		;
	if (n == 0)
		bad(e, csv, col, "%s is empty: write it as DD/MM/YYYY (or"
		    " YYYY-MM-DD)", what);
	else if (k == n && n >= 4 && n <= 6)
		bad(e, csv, col, "%s '%.*s' is a spreadsheet day number, not"
		    " a date: format the column as a date DD/MM/YYYY (or as"
		    " Text) and save again", what, (int)n, s);
	else
		bad(e, csv, col, "%s '%s' is not a real date: write it as"
		    " DD/MM/YYYY (or YYYY-MM-DD), e.g. 05/06/1990", what,
		    lg_show_value(s, n, show));
}

/* Exact words only (NFC, the case a clerk types): "cỏ" is not "có". */
static int
word_in(const char *s, size_t n, const char *const *words)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) == n && memcmp(s, words[i], n) == 0)
			return 1;
	return 0;
}

/*
 * Validate one CSV record into rw; every problem is reported (each names
 * its column, what is wrong and what would be right).  Returns 0 when
 * the row is good, UC_ERR_INVALID when anything was reported.
 */
static int
parse_row(struct uc_csv *csv, const struct uc_csv_field *f, const int *idx,
    int32_t today, struct row *rw, struct lg_errs *e)
{
	static const char *const male[] = { "nam", "Nam", "NAM", "M", "m",
	    NULL };
	static const char *const female[] = { "nữ", "Nữ", "NỮ", "F", "f",
	    NULL };
	char why[160], word[32], show[LG_SHOW_CAP];
	struct uc_diag t;
	const char *s;
	size_t n, k, on;
	int ok = 1, dob_ok = 1, joined_ok = 1;

	memset(rw, 0, sizeof(*rw));
	field(f, idx[C_NAME], &s, &n);
	uc_diag_clear(&t);
	if (uc_member_text_check(UC_MEMBER_TEXT_FULL_NAME, s, n,
	    UC_MEMBER_TEXT_TIDY, rw->name, sizeof(rw->name), &on, NULL, NULL,
	    &t) != 0) {
		bad(e, csv, idx[C_NAME], "%s", t.msg);
		ok = 0;
	} else if (uc_text_bank_name(rw->name, on, rw->ascii,
	    sizeof(rw->ascii), &k) != 0 || k == 0) {
		no_ascii_why(rw->name, on, why, sizeof(why));
		bad(e, csv, idx[C_NAME], "full name: %s; write the name in"
		    " Vietnamese or Latin letters", why);
		ok = 0;
	}

	field(f, idx[C_DOB], &s, &n);
	date_field(e, csv, idx[C_DOB], "date of birth", s, n, &rw->dob,
	    &dob_ok);
	if (dob_ok && rw->dob > today) {
		bad(e, csv, idx[C_DOB], "date of birth '%.*s' is in the"
		    " future", (int)n, s);
		dob_ok = 0;
	}

	field(f, idx[C_GENDER], &s, &n);
	rw->gender = 0;
	if (n < sizeof(word) && uc_text_nfc(s, n, word, sizeof(word), &k) ==
	    0) {
		if (word_in(word, k, male))
			rw->gender = 'M';
		else if (word_in(word, k, female))
			rw->gender = 'F';
	}
	if (rw->gender == 0) {
		bad(e, csv, idx[C_GENDER], "gender '%s' is not one of nam,"
		    " nữ, M, F", lg_show_value(s, n, show));
		ok = 0;
	}

	field(f, idx[C_NID], &s, &n);
	for (k = 0; k < n && s[k] >= '0' && s[k] <= '9'; k++)
		;
	if (scientific(s, n)) {
		bad(e, csv, idx[C_NID], "national ID '%s' was turned into a"
		    " number in scientific notation by the spreadsheet and"
		    " its digits are lost: format the column as Text and"
		    " type the 12 digits again", lg_show_value(s, n, show));
		ok = 0;
	} else if (n == 0) {
		bad(e, csv, idx[C_NID], "national ID is empty: type the 12"
		    " digits of the CCCD (or the 9 of an old CMND)");
		ok = 0;
	} else if (k < n) {
		bad(e, csv, idx[C_NID], "national ID has '%c' at position"
		    " %zu: only the digits 0-9, no spaces or dots", s[k] >=
		    0x20 && s[k] < 0x7f ? s[k] : '?', k + 1);
		ok = 0;
	} else if (n == 11 || n == 8) {
		bad(e, csv, idx[C_NID], "national ID '%.*s' has %zu digits;"
		    " a CCCD has 12 (a CMND 9): did the spreadsheet drop a"
		    " leading 0? Format the column as Text", (int)n, s, n);
		ok = 0;
	} else if (n != 12 && n != 9) {
		bad(e, csv, idx[C_NID], "national ID has %zu digits; need 12"
		    " (CCCD) or 9 (CMND)", n);
		ok = 0;
	} else {
		memcpy(rw->nid, s, n);
		rw->nid[n] = '\0';
	}

	field(f, idx[C_POS], &s, &n);
	uc_diag_clear(&t);
	if (check_position(s, n, rw, &t) != 0) {
		bad(e, csv, idx[C_POS], "%s", t.msg);
		ok = 0;
	}

	field(f, idx[C_JOINED], &s, &n);
	date_field(e, csv, idx[C_JOINED], "joining date", s, n, &rw->joined,
	    &joined_ok);
	if (joined_ok && rw->joined > today) {
		bad(e, csv, idx[C_JOINED], "joining date '%.*s' is in the"
		    " future", (int)n, s);
		joined_ok = 0;
	} else if (joined_ok && dob_ok && rw->joined < rw->dob) {
		bad(e, csv, idx[C_JOINED], "joining date '%.*s' is before the"
		    " date of birth", (int)n, s);
		joined_ok = 0;
	}

	field(f, idx[C_MAND], &s, &n);
	if (lg_parse_bool(s, n, &rw->mandatory) != 0) {
		bad(e, csv, idx[C_MAND], "mandatory '%s' is not a yes or"
		    " no: write %s", lg_show_value(s, n, show), LG_BOOL_WORDS);
		ok = 0;
	}
	return ok && dob_ok && joined_ok ? 0 : UC_ERR_INVALID;
}

/* Bind a parsed row to the insert (id == 0) or update statement. */
static int
bind_row(struct lg_stmt *w, int64_t id, int64_t unit_id, const struct row *rw,
    int64_t import_id, struct uc_csv *csv, int32_t today)
{
	lg_bind_int64(w, 1, id != 0 ? id : unit_id);
	lg_bind_text_ref(w, 2, rw->nid, -1);
	lg_bind_text_ref(w, 3, rw->name, -1);
	lg_bind_text_ref(w, 4, rw->ascii, -1);
	lg_bind_int(w, 5, rw->dob);
	lg_bind_text_ref(w, 6, rw->gender == 'M' ? "M" : "F", 1);
	lg_bind_text_ref(w, 7, rw->pos, -1);
	lg_bind_int(w, 8, rw->joined);
	lg_bind_int(w, 9, rw->mandatory);
	lg_bind_int64(w, 10, import_id);
	lg_bind_int64(w, 11, (int64_t)uc_csv_line(csv));
	if (id == 0)
		lg_bind_int(w, 12, today);
	return 0;
}

struct import_ctx {
	struct lg_stmt *find, *ins, *upd;
};

static void
import_ctx_free(struct import_ctx *c)
{
	lg_finalize(c->find);
	lg_finalize(c->ins);
	lg_finalize(c->upd);
	memset(c, 0, sizeof(*c));
}

/*
 * Store one good row: insert it, or replace the data of an entered or
 * rejected member of this unit.  A row the ledger refuses (the national
 * ID elsewhere, twice in the file, already approved) is reported to e
 * and returns 0 like a stored one; *stored says which.  Anything else
 * nonzero is a ledger error that ends the import.
 */
static int
store_row(struct uc_ledger *l, struct import_ctx *c, struct uc_csv *csv,
    const int *idx, const struct lg_unit *u, const struct row *rw,
    int64_t import_id, int32_t today, struct lg_errs *e, int *stored)
{
	int64_t existing = 0;
	const char *status;
	int r;

	*stored = 0;
	/* Fast path: a new national ID inserts in one step; only a
	 * conflict pays for the lookup that explains it. */
	bind_row(c->ins, 0, u->id, rw, import_id, csv, today);
	r = lg_step(c->ins);
	lg_reset(c->ins);
	if (r == LG_DONE && lg_db_changes(l->db) == 1) {
		*stored = 2;
		return 0;
	}
	if (r != LG_DONE)
		return lg_err(r);
	lg_reset(c->find);
	lg_bind_text_ref(c->find, 1, rw->nid, -1);
	if ((r = lg_step(c->find)) != LG_ROW) {
		lg_reset(c->find);
		return r == LG_DONE ? UC_ERR_LEDGER : lg_err(r);
	}
	status = (const char *)lg_column_text(c->find, 2);
	existing = lg_column_int64(c->find, 0);
	if (lg_column_int64(c->find, 3) == import_id) {
		bad(e, csv, idx[C_NID], "national ID %s is already on line"
		    " %lld of this file: keep one of the two lines", rw->nid,
		    (long long)lg_column_int64(c->find, 4));
		existing = 0;
	} else if (lg_column_int64(c->find, 1) != u->id) {
		bad(e, csv, idx[C_NID], "national ID %s is already a member"
		    " of unit %s (%s)", rw->nid,
		    (const char *)lg_column_text(c->find, 5),
		    lg_column_type(c->find, 6) != LG_NULL ?
		    "withdrawn there: move it here with member transfer, then"
		    " import" : "a move between units is a transfer, not an"
		    " import");
		existing = 0;
	} else if (strcmp(status, "entered") != 0 &&
	    strcmp(status, "rejected") != 0) {
		bad(e, csv, idx[C_NID], "national ID %s is already %s in this"
		    " unit; an import may only correct entered or rejected"
		    " members", rw->nid, status);
		existing = 0;
	}
	lg_reset(c->find);
	if (existing == 0)
		return 0;
	/* a corrected line for an entered or rejected member of this
	 * unit replaces its data */
	bind_row(c->upd, existing, u->id, rw, import_id, csv, today);
	r = lg_err(lg_step(c->upd));
	lg_reset(c->upd);
	if (r != 0)
		return r;
	*stored = 1;
	return 0;
}

int
uc_ledger_member_import(struct uc_ledger *l, const char *unit_code, FILE *fp,
    const char *fname, size_t *count, struct uc_diag *d)
{
	return uc_ledger_member_import_each(l, unit_code, fp, fname, count,
	    NULL, NULL, NULL, d);
}

/* The new members' count, in one statement (schema.c, migration 5: rows
 * of an import are not counted by trigger). */
static int
count_entered(struct uc_ledger *l, int64_t unit_id, int32_t today,
    size_t added)
{
	struct lg_stmt *st = NULL;
	int r;

	if (added == 0)
		return 0;
	if ((r = lg_prepare(l, &st, "INSERT INTO progress_daily"
	    " (unit_id, day, entered, approved) VALUES (?, ?, ?, 0)"
	    " ON CONFLICT (unit_id, day) DO UPDATE SET"
	    " entered = entered + excluded.entered")) != 0)
		return r;
	lg_bind_int64(st, 1, unit_id);
	lg_bind_int(st, 2, today);
	lg_bind_int64(st, 3, (int64_t)added);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	return r;
}

/* Photos of the members import import_id entered or corrected. */
static int
import_photos(struct uc_ledger *l, const struct lg_unit *u, int64_t import_id,
    const struct uc_ledger_member_photo *ph, size_t n, struct lg_errs *e)
{
	struct lg_stmt *st = NULL;
	struct uc_diag x;
	size_t i;
	int r = 0;

	if (n > 0 && (r = lg_prepare(l, &st, "SELECT id,"
	    " coalesce(member_code, national_id) FROM members"
	    " WHERE national_id = ? AND unit_id = ? AND import_id = ?")) != 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		if (ph[i].png == NULL) {
			emit(e, &ph[i].problem);
			continue;
		}
		lg_bind_text(st, 1, ph[i].national_id);
		lg_bind_int64(st, 2, u->id);
		lg_bind_int64(st, 3, import_id);
		if (lg_step(st) != LG_ROW) {
			uc_diag_set(&x, UC_ERR_INVALID, ph[i].file != NULL ?
			    ph[i].file : ph[i].national_id, 0, "photo", "no "
			    "member of national ID %s in the file",
			    ph[i].national_id);
			emit(e, &x);
		} else if (e->n == 0) {
			char code[32];

			snprintf(code, sizeof(code), "%s",
			    (const char *)lg_column_text(st, 1));
			r = lg_member_photo_store(l, lg_column_int64(st,
			    0), u->code, code, ph[i].png, ph[i].len,
			    ph[i].sha256);
		}
		lg_reset(st);
	}
	lg_finalize(st);
	return r;
}

int
uc_ledger_member_import_each(struct uc_ledger *l, const char *unit_code,
    FILE *fp, const char *fname, size_t *count, uc_ledger_diag_fn fn,
    void *ctx, size_t *nerrors, struct uc_diag *d)
{
	return uc_ledger_member_import_photos(l, unit_code, fp, fname, NULL, 0,
	    count, fn, ctx, nerrors, d);
}

int
uc_ledger_member_import_photos(struct uc_ledger *l, const char *unit_code,
    FILE *fp, const char *fname, const struct uc_ledger_member_photo *photos,
    size_t n_photos, size_t *count, uc_ledger_diag_fn fn, void *ctx,
    size_t *nerrors, struct uc_diag *d)
{
	struct import_ctx c;
	struct uc_csv *csv = NULL;
	const struct uc_csv_field *f;
	struct lg_unit u;
	struct row *rw = NULL;
	struct uc_diag x;
	struct lg_errs e;
	struct lg_stmt *st = NULL;
	int idx[C_N], r, stored;
	size_t nf, n = 0, added = 0;
	int64_t import_id;
	int32_t today = lg_today(l);
	char at[32], details[256];

	memset(&c, 0, sizeof(c));
	memset(&e, 0, sizeof(e));
	e.fn = fn;
	e.ctx = ctx;
	e.first = d;
	if (count != NULL)
		*count = 0;
	if (nerrors != NULL)
		*nerrors = 0;
	uc_diag_clear(d);
	if (l == NULL || fp == NULL || unit_code == NULL)
		return UC_ERR_ARG;
	if (fname == NULL)
		fname = "-";
	if ((rw = calloc(1, sizeof(*rw))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_csv_open_file(&csv, fp, fname, NULL)) != 0)
		goto done;
	uc_csv_detect_delimiter(csv);
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = lg_unit_need(l, unit_code, UC_ROLE_CLERK | UC_ROLE_ADMIN,
	    &u)) != 0)
		goto out;
	/* The header alone (no column required here: map_header names
	 * every missing one at once). */
	if ((r = uc_csv_header_require(csv, NULL, 0, 0, NULL, &x)) != 0) {
		if (r == UC_ERR_INVALID || r == UC_ERR_IO)
			emit(&e, &x);
		goto out;
	}
	if ((r = map_header(csv, idx, &e)) != 0)
		goto out;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO imports (unit_id, file,"
	    " rows, account_id, at) VALUES (?, ?, 0, ?, ?)")) != 0)
		goto out;
	lg_bind_int64(st, 1, u.id);
	lg_bind_text(st, 2, fname);
	lg_bind_int64(st, 3, l->acct_id);
	lg_bind_text(st, 4, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	import_id = lg_db_last_id(l->db);
	if ((r = lg_prepare(l, &c.find, "SELECT m.id, m.unit_id, m.status,"
	    " m.import_id, m.import_line, u.code, m.withdrawn_at"
	    " FROM members m JOIN units u ON u.id = m.unit_id"
	    " WHERE m.national_id = ?")) != 0 ||
	    (r = lg_prepare(l, &c.ins, "INSERT INTO members (unit_id,"
	    " national_id, full_name, name_ascii, date_of_birth, gender,"
	    " position, joined_on, mandatory, status, import_id, import_line,"
	    " entered_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " 'entered', ?10, ?11, ?12)"
	    " ON CONFLICT (national_id) DO NOTHING")) != 0 ||
	    (r = lg_prepare(l, &c.upd, "UPDATE members SET full_name = ?3,"
	    " name_ascii = ?4, date_of_birth = ?5, gender = ?6, position = ?7,"
	    " joined_on = ?8, mandatory = ?9, status = 'entered',"
	    " reject_reason = NULL, import_id = ?10, import_line = ?11,"
	    " withdrawn_at = NULL, withdrawn_reason = NULL"
	    " WHERE id = ?1 AND national_id = ?2")) != 0)
		goto out;
	for (;;) {
		if ((r = uc_csv_next(csv, &f, &nf, &x)) != 0) {
			if (r != UC_ERR_INVALID && r != UC_ERR_IO)
				goto out;
			emit(&e, &x);
			/* A bad line alone: go on with the next one; a file
			 * broken past a line (a quote never closed): stop. */
			if (r == UC_ERR_INVALID && uc_csv_skip_error(csv) == 0)
				continue;
			break;
		}
		if (f == NULL)
			break;
		if (parse_row(csv, f, idx, today, rw, &e) != 0)
			continue;
		if ((r = store_row(l, &c, csv, idx, &u, rw, import_id, today,
		    &e, &stored)) != 0) {
			uc_csv_diag(csv, &x, r, (size_t)idx[C_NID],
			    "could not store the member");
			emit(&e, &x);
			goto out;
		}
		if (stored != 0)
			n++;
		if (stored == 2)
			added++;
	}
	if ((r = import_photos(l, &u, import_id, photos, n_photos, &e)) != 0)
		goto out;
	if (e.n > 0) {
		r = UC_ERR_INVALID;
		goto out;
	}
	if (n == 0) {
		uc_diag_set(&x, UC_ERR_INVALID, fname, 0, NULL,
		    "no members in the file (a header and no rows)");
		emit(&e, &x);
		r = UC_ERR_INVALID;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	if ((r = lg_prepare(l, &st, "UPDATE imports SET rows = ? WHERE id = ?"))
	    != 0)
		goto out;
	lg_bind_int64(st, 1, (int64_t)n);
	lg_bind_int64(st, 2, import_id);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if ((r = count_entered(l, u.id, today, added)) != 0)
		goto out;
	snprintf(details, sizeof(details), "file=%s rows=%zu new=%zu"
	    " import=%lld", fname, n, added, (long long)import_id);
	r = lg_audit(l, "member.import", u.code, fname, details);
out:
	lg_finalize(st);
	import_ctx_free(&c);
	if (r == 0 && e.n > 0)
		r = UC_ERR_INVALID;
	r = lg_end(l, r, "member.import", unit_code, fname);
	if (r == 0 && count != NULL)
		*count = n;
done:
	if (nerrors != NULL)
		*nerrors = e.n;
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
	struct lg_stmt *st = NULL;
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
	lg_bind_int64(st, 1, u.id);
	lg_bind_int64(st, 2, l->acct_id);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if (count != NULL)
		*count = (size_t)lg_db_changes(l->db);
	snprintf(details, sizeof(details), "members=%lld",
	    (long long)lg_db_changes(l->db));
	r = lg_audit(l, "member.submit", u.code, u.code, details);
out:
	lg_finalize(st);
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

/* Approve one submitted member, giving it member code number seq (taken
 * from the counter by the caller, one block per batch). */
static int
approve_one(struct uc_ledger *l, struct lg_stmt *upd, int64_t member_id,
    int32_t today, int64_t seq)
{
	char code[UC_MEMBERCODE_LEN + 1];
	int r;

	if (seq > UC_MEMBERCODE_SEQ_MAX)
		return UC_ERR_RANGE;
	if ((r = uc_membercode_make(l->prefix, (uint32_t)seq, code)) != 0)
		return r;
	lg_reset(upd);
	lg_bind_textn(upd, 1, code, -1);
	lg_bind_int(upd, 2, today);
	lg_bind_int64(upd, 3, l->acct_id);
	lg_bind_int64(upd, 4, member_id);
	if ((r = lg_err(lg_step(upd))) != 0)
		return r;
	return lg_db_changes(l->db) == 1 ? 0 : UC_ERR_STATE;
}

/*
 * The submitted members of unit u in id order into *ids (malloc'ed),
 * refusing (as lg_need_not_submitter_member does) when the actor entered
 * or submitted any of them: one query for the whole batch.
 */
static int
submitted_ids(struct uc_ledger *l, const struct lg_unit *u, int64_t **ids,
    size_t *count)
{
	struct lg_stmt *sel = NULL;
	int64_t *a = NULL, *t, mine = 0;
	size_t cap = 0, k = 0;
	int r;

	*ids = NULL;
	*count = 0;
	/* the condition of lg_need_not_submitter_member, for every row */
	if ((r = lg_prepare(l, &sel, "SELECT m.id, coalesce(m.submitted_by"
	    " = ?2 OR i.account_id = ?2, 0) FROM members m LEFT JOIN"
	    " imports i ON i.id = m.import_id WHERE m.unit_id = ?1 AND"
	    " m.status = 'submitted' ORDER BY m.id")) != 0)
		return r;
	lg_bind_int64(sel, 1, u->id);
	lg_bind_int64(sel, 2, l->acct_id);
	/* Collect first: updating the index we walk is unsafe. */
	while ((r = lg_step(sel)) == LG_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 256;
			if ((t = realloc(a, cap * sizeof(*a))) == NULL) {
				r = UC_ERR_NOMEM;
				goto out;
			}
			a = t;
		}
		a[k] = lg_column_int64(sel, 0);
		if (mine == 0 && lg_column_int(sel, 1) != 0)
			mine = a[k];
		k++;
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	lg_finalize(sel);
	sel = NULL;
	if (mine != 0 && (r = lg_need_not_submitter_member(l, mine)) != 0)
		goto out;
	*ids = a;
	*count = k;
	a = NULL;
out:
	lg_finalize(sel);
	free(a);
	return r;
}

int
uc_ledger_member_approve(struct uc_ledger *l, const char *unit_code,
    const char *const *nids, size_t n, size_t *count)
{
	struct lg_stmt *sel = NULL, *upd = NULL;
	struct lg_unit u;
	int32_t today = lg_today(l);
	int64_t seq = 0;
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
	/* a member edited after approval keeps the code it was given */
	if ((r = lg_prepare(l, &upd, "UPDATE members SET status = 'approved',"
	    " member_code = coalesce(member_code, ?1), approved_day = ?2,"
	    " approved_by = ?3,"
	    " reject_reason = NULL WHERE id = ?4 AND status = 'submitted'"))
	    != 0)
		goto out;
	if (nids == NULL) {
		int64_t *ids = NULL;
		size_t k = 0, j;

		if ((r = submitted_ids(l, &u, &ids, &k)) != 0)
			goto out;
		/* one block of member codes for the batch */
		if (k > 0)
			r = lg_counter_take(l, "member_seq", (int64_t)k, &seq);
		for (j = 0; r == 0 && j < k; j++)
			r = approve_one(l, upd, ids[j], today, seq + (int64_t)j);
		free(ids);
		if (r != 0)
			goto out;
		done = k;
	} else {
		if ((r = lg_prepare(l, &sel, "SELECT id, status FROM members"
		    " WHERE unit_id = ? AND national_id = ?")) != 0)
			goto out;
		if (n > 0 && (r = lg_counter_take(l, "member_seq",
		    (int64_t)n, &seq)) != 0)
			goto out;
		for (i = 0; i < n; i++) {
			int64_t id;

			lg_reset(sel);
			lg_bind_int64(sel, 1, u.id);
			lg_bind_text(sel, 2, nids[i]);
			if (lg_step(sel) != LG_ROW) {
				snprintf(l->refusal, sizeof(l->refusal),
				    "no member with national ID %s in %s",
				    nids[i], u.code);
				r = UC_ERR_NOT_FOUND;
				goto out;
			}
			if (strcmp((const char *)lg_column_text(sel, 1),
			    "submitted") != 0) {
				snprintf(l->refusal, sizeof(l->refusal),
				    "member %s is %s, not submitted", nids[i],
				    (const char *)lg_column_text(sel, 1));
				r = UC_ERR_STATE;
				goto out;
			}
			id = lg_column_int64(sel, 0);
			lg_reset(sel);
			if ((r = lg_need_not_submitter_member(l, id)) != 0 ||
			    (r = approve_one(l, upd, id, today,
			    seq + (int64_t)i)) != 0)
				goto out;
			done++;
		}
	}
	snprintf(details, sizeof(details), "members=%zu", done);
	r = lg_audit(l, "member.approve", u.code, u.code, details);
out:
	lg_finalize(sel);
	lg_finalize(upd);
	r = lg_end(l, r, "member.approve", unit_code, unit_code);
	if (r == 0 && count != NULL)
		*count = done;
	return r;
}

int
uc_ledger_member_reject(struct uc_ledger *l, const char *unit_code,
    const char *nid, const char *reason)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char details[UC_LEDGER_REASON_MAX + 16];
	int r;

	if (l == NULL || unit_code == NULL || nid == NULL || reason == NULL)
		return UC_ERR_ARG;
	if ((r = lg_check_text(l, UC_MEMBER_TEXT_REASON, "reason", reason)) !=
	    0)
		return r;
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
	lg_bind_int64(st, 2, u.id);
	lg_bind_text(st, 3, nid);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	if (lg_db_changes(l->db) != 1) {
		snprintf(l->refusal, sizeof(l->refusal), "no submitted member"
		    " with national ID %s in %s", nid, u.code);
		r = UC_ERR_STATE;
		goto out;
	}
	snprintf(details, sizeof(details), "reason=%s", reason);
	r = lg_audit(l, "member.reject", u.code, nid, details);
out:
	lg_finalize(st);
	return lg_end(l, r, "member.reject", unit_code, nid);
}

/* A withdrawn member shows as "withdrawn", whatever its row's status. */
#define MEMBER_STATUS "CASE WHEN m.withdrawn_at IS NOT NULL THEN" \
	" 'withdrawn' ELSE m.status END"
#define MEMBER_COLS "SELECT m.member_code, m.full_name, m.name_ascii," \
	" m.national_id, " MEMBER_STATUS ", m.mandatory, m.gender," \
	" m.date_of_birth, m.position, m.joined_on, u.code, m.reject_reason," \
	" m.id, m.withdrawn_reason FROM members m" \
	" JOIN units u ON u.id = m.unit_id "

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

/* One MEMBER_COLS row into *m. */
static int
member_fill(struct lg_stmt *st, struct uc_ledger_member *m)
{
	const unsigned char *g;
	int r;

	memset(m, 0, sizeof(*m));
	if (uc_date_format_iso(lg_column_int(st, 7), m->date_of_birth) != 0 ||
	    uc_date_format_iso(lg_column_int(st, 9), m->joined_on) != 0)
		return UC_ERR_LEDGER;
	m->status = uc_ledger_member_status_parse(
	    (const char *)lg_column_text(st, 4));
	m->mandatory = lg_column_int(st, 5);
	g = lg_column_text(st, 6);
	m->gender = g != NULL ? (char)g[0] : '\0';
	if (m->status == 0 || (m->gender != 'M' && m->gender != 'F'))
		return UC_ERR_LEDGER;
	if ((r = put(m->member_code, sizeof(m->member_code),
	    lg_column_text(st, 0))) != 0 ||
	    (r = put(m->full_name, sizeof(m->full_name),
	    lg_column_text(st, 1))) != 0 ||
	    (r = put(m->name_ascii, sizeof(m->name_ascii),
	    lg_column_text(st, 2))) != 0 ||
	    (r = put(m->national_id, sizeof(m->national_id),
	    lg_column_text(st, 3))) != 0 ||
	    (r = put(m->position, sizeof(m->position),
	    lg_column_text(st, 8))) != 0 ||
	    (r = put(m->unit, sizeof(m->unit), lg_column_text(st, 10))) != 0 ||
	    (r = put(m->reject_reason, sizeof(m->reject_reason),
	    lg_column_text(st, 11))) != 0 ||
	    (r = put(m->withdrawn_reason, sizeof(m->withdrawn_reason),
	    lg_column_text(st, 13))) != 0)
		return r;
	return 0;
}

/* Step st to its end, giving each MEMBER_COLS row to fn. */
static int
member_rows(struct lg_stmt *st, uc_ledger_member_fn fn, void *ctx)
{
	struct uc_ledger_member *m;
	int r;

	if ((m = malloc(sizeof(*m))) == NULL)
		return UC_ERR_NOMEM;
	while ((r = lg_step(st)) == LG_ROW) {
		if ((r = member_fill(st, m)) != 0 ||
		    (fn != NULL && (r = fn(ctx, m)) != 0))
			break;
	}
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
	return lg_err(r);
}

int
uc_ledger_member_each(struct uc_ledger *l, const char *unit_code,
    int status, uc_ledger_member_fn fn, void *ctx)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	int r;

	if (l == NULL || unit_code == NULL)
		return UC_ERR_ARG;
	if (status != 0 && uc_ledger_member_status_name((int)status) == NULL) {
		snprintf(l->refusal, sizeof(l->refusal), "no member status"
		    " %d", status);
		return UC_ERR_ARG;
	}
	if ((r = lg_unit_see(l, unit_code, "member.list", &u)) != 0)
		return r;
	/* the unit and every unit below it (through the members_unit index,
	 * unit by unit); withdrawn members only when asked for */
	if ((r = lg_prepare(l, &st, MEMBER_COLS "WHERE m.unit_id IN"
	    " (SELECT id FROM units WHERE substr(path, 1, length(?1)) = ?1)"
	    " AND ((?2 IS NULL AND m.withdrawn_at IS NULL) OR "
	    MEMBER_STATUS " = ?2) ORDER BY u.path, m.id")) != 0)
		return r;
	lg_bind_text(st, 1, u.path);
	lg_bind_text(st, 2, uc_ledger_member_status_name((int)status));
	r = member_rows(st, fn, ctx);
	lg_finalize(st);
	return r;
}

/* Every card of member_id, oldest first, into *out / *n. */
static int
member_cards(struct uc_ledger *l, int64_t member_id,
    struct uc_ledger_member_card **out, size_t *n)
{
	struct uc_ledger_member_card *a = NULL, *t, *c;
	struct lg_stmt *st = NULL;
	size_t k = 0;
	int r;

	if ((r = lg_prepare(l, &st, "SELECT serial, status, type,"
	    " chip_serial, updated_at FROM cards WHERE member_id = ?"
	    " ORDER BY serial")) != 0)
		return r;
	lg_bind_int64(st, 1, member_id);
	while ((r = lg_step(st)) == LG_ROW) {
		if ((t = realloc(a, (k + 1) * sizeof(*a))) == NULL) {
			r = UC_ERR_NOMEM;
			break;
		}
		a = t;
		c = &a[k++];
		memset(c, 0, sizeof(*c));
		lg_serial_format(l->prefix, lg_column_int64(st, 0), c->serial);
		c->status = uc_ledger_card_status_parse(
		    (const char *)lg_column_text(st, 1));
		c->type = uc_ledger_card_type_parse(
		    (const char *)lg_column_text(st, 2));
		if (c->status == 0 || c->type == 0) {
			r = UC_ERR_LEDGER;
			break;
		}
		if ((r = put(c->chip_serial, sizeof(c->chip_serial),
		    lg_column_text(st, 3))) != 0 ||
		    (r = put(c->updated_at, sizeof(c->updated_at),
		    lg_column_text(st, 4))) != 0)
			break;
	}
	lg_finalize(st);
	if ((r = lg_err(r)) != 0) {
		free(a);
		return r;
	}
	*out = a;
	*n = k;
	return 0;
}

int
uc_ledger_member_get(struct uc_ledger *l, const char *key,
    struct uc_ledger_member *m, struct uc_ledger_member_card **cards,
    size_t *ncards)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	int r;

	if (m != NULL)
		memset(m, 0, sizeof(*m));
	if (cards != NULL)
		*cards = NULL;
	if (ncards != NULL)
		*ncards = 0;
	if (l == NULL || key == NULL || m == NULL ||
	    (cards != NULL && ncards == NULL))
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, MEMBER_COLS "WHERE m.member_code = ?1"
	    " OR m.national_id = ?1")) != 0)
		return r;
	lg_bind_text(st, 1, key);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = lg_unit_by_code(l, (const char *)lg_column_text(st, 10),
	    &u)) != 0)
		goto out;
	if ((r = lg_need(l, ~0, &u)) != 0) {
		lg_finalize(st);
		st = NULL;
		lg_refused(l, "member.show", u.code, key);
		goto out;
	}
	if ((r = member_fill(st, m)) != 0)
		goto out;
	if (cards != NULL)
		r = member_cards(l, lg_column_int64(st, 12), cards, ncards);
out:
	lg_finalize(st);
	if (r != 0)
		memset(m, 0, sizeof(*m));
	return r;
}

/* --- keeping records right: edit, withdraw, transfer ------------------ */

int
lg_check_text(struct uc_ledger *l, enum uc_member_text_kind kind,
    const char *field, const char *s)
{
	struct uc_diag t;
	char *buf;
	size_t n = s != NULL ? strlen(s) : 0;
	int r;

	if ((buf = malloc(UC_MEMBER_REASON_MAX + 1)) == NULL)
		return UC_ERR_NOMEM;
	uc_diag_clear(&t);
	r = uc_member_text_check(kind, s, n, 0, buf, UC_MEMBER_REASON_MAX + 1,
	    NULL, NULL, NULL, &t);
	free(buf);
	if (r == UC_ERR_INVALID || r == UC_ERR_BUFFER) {
		snprintf(l->refusal, sizeof(l->refusal), "%.32s: %.200s", field,
		    t.msg[0] != '\0' ? t.msg : "too long");
		return UC_ERR_INVALID;
	}
	return r;
}

/* A member as edit, withdraw and transfer find it. */
struct mrec {
	int64_t id;
	struct lg_unit unit;
	char status[16];
	int withdrawn;
	char code[UC_MEMBERCODE_LEN + 1];
	struct row rw;
};

static int
copy_col(struct lg_stmt *st, int i, char *out, size_t cap)
{
	const char *v = (const char *)lg_column_text(st, i);

	if (v == NULL)
		v = "";
	if (strlen(v) >= cap)
		return UC_ERR_LEDGER;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* The member whose member code or national ID is key, in m. */
static int
member_load(struct uc_ledger *l, const char *key, struct mrec *m)
{
	struct lg_stmt *st = NULL;
	const char *g;
	int r;

	memset(m, 0, sizeof(*m));
	if ((r = lg_prepare(l, &st, "SELECT id, unit_id, status,"
	    " withdrawn_at, member_code, national_id, full_name, name_ascii,"
	    " date_of_birth, gender, position, joined_on, mandatory"
	    " FROM members WHERE member_code = ?1 OR national_id = ?1")) != 0)
		return r;
	lg_bind_text(st, 1, key);
	if (lg_step(st) != LG_ROW) {
		snprintf(l->refusal, sizeof(l->refusal), "no member with"
		    " member code or national ID %s", key);
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	m->id = lg_column_int64(st, 0);
	m->withdrawn = lg_column_type(st, 3) != LG_NULL;
	m->rw.dob = lg_column_int(st, 8);
	m->rw.joined = lg_column_int(st, 11);
	m->rw.mandatory = lg_column_int(st, 12);
	g = (const char *)lg_column_text(st, 9);
	m->rw.gender = g != NULL && g[0] == 'M' ? 'M' : 'F';
	if ((r = copy_col(st, 2, m->status, sizeof(m->status))) != 0 ||
	    (r = copy_col(st, 4, m->code, sizeof(m->code))) != 0 ||
	    (r = copy_col(st, 5, m->rw.nid, sizeof(m->rw.nid))) != 0 ||
	    (r = copy_col(st, 6, m->rw.name, sizeof(m->rw.name))) != 0 ||
	    (r = copy_col(st, 7, m->rw.ascii, sizeof(m->rw.ascii))) != 0 ||
	    (r = copy_col(st, 10, m->rw.pos, sizeof(m->rw.pos))) != 0)
		goto out;
	r = lg_unit_by_id(l, lg_column_int64(st, 1), &m->unit);
out:
	lg_finalize(st);
	return r;
}

/* How a member is named in messages and the audit: code, else ID. */
static const char *
mname(const struct mrec *m)
{
	return m->code[0] != '\0' ? m->code : m->rw.nid;
}

/*
 * Refuse (UC_ERR_STATE, l->refusal says why) to change a member that is
 * withdrawn, on a request still on its way, being printed (a reserved
 * card), or - with any_card - that has any card but a spoiled one.
 */
static int
member_free(struct uc_ledger *l, const struct mrec *m, const char *verb,
    int any_card)
{
	struct lg_stmt *st = NULL;
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	int r;

	if (m->withdrawn) {
		snprintf(l->refusal, sizeof(l->refusal), "member %s is"
		    " withdrawn; it cannot be %s", mname(m), verb);
		return UC_ERR_STATE;
	}
	if ((r = lg_prepare(l, &st, "SELECT"
	    " (SELECT max(q.id) FROM request_lines rl JOIN requests q"
	    "  ON q.id = rl.request_id WHERE rl.member_id = ?1 AND q.status IN"
	    "  ('draft', 'submitted', 'approved', 'rejected') AND"
	    "  q.withdrawn_at IS NULL),"
	    " (SELECT max(serial) FROM cards WHERE member_id = ?1 AND"
	    "  status = 'reserved'),"
	    " (SELECT max(serial) FROM cards WHERE member_id = ?1 AND"
	    "  status <> 'spoiled')")) != 0)
		return r;
	lg_bind_int64(st, 1, m->id);
	if (lg_step(st) != LG_ROW) {
		r = UC_ERR_LEDGER;
	} else if (lg_column_type(st, 0) != LG_NULL) {
		snprintf(l->refusal, sizeof(l->refusal), "member %s is on"
		    " request %lld; take it off first (request edit %lld"
		    " --remove %s) or withdraw the request", mname(m),
		    (long long)lg_column_int64(st, 0),
		    (long long)lg_column_int64(st, 0), mname(m));
		r = UC_ERR_STATE;
	} else if (lg_column_type(st, 1) != LG_NULL) {
		lg_serial_format(l->prefix, lg_column_int64(st, 1),
		    serial);
		snprintf(l->refusal, sizeof(l->refusal), "member %s has card"
		    " %s reserved for printing; it cannot be %s now",
		    mname(m), serial, verb);
		r = UC_ERR_STATE;
	} else if (any_card && lg_column_type(st, 2) != LG_NULL) {
		lg_serial_format(l->prefix, lg_column_int64(st, 2),
		    serial);
		snprintf(l->refusal, sizeof(l->refusal), "member %s has card"
		    " %s; a member with a card is not %s (revoke the card,"
		    " or correct the member with member edit)", mname(m),
		    serial, verb);
		r = UC_ERR_STATE;
	}
	lg_finalize(st);
	return r;
}

/* Append "; key: 'old' -> 'new'" to the audit details. */
static void
change(char *det, size_t cap, size_t *changed, const char *key,
    const char *old, const char *new)
{
	size_t k = strlen(det);

	if (strcmp(old, new) == 0)
		return;
	(*changed)++;
	if (k < cap)
		snprintf(det + k, cap - k, "%s%s: '%s' -> '%s'", k ? "; " : "",
		    key, old, new);
}

static void
day_text(int32_t day, char out[UC_DATE_ISO_LEN + 1])
{
	if (uc_date_format_iso(day, out) != 0)
		snprintf(out, UC_DATE_ISO_LEN + 1, "?");
}

/* Check one edited field into nw; d names the field on error. */
static int
edit_field(const char *v, const char *name, int (*check)(const char *,
    size_t, struct row *, struct uc_diag *), struct row *nw,
    struct uc_diag *d)
{
	struct uc_diag t;

	if (v == NULL)
		return 0;
	uc_diag_clear(&t);
	if (check(v, strlen(v), nw, &t) != 0)
		return uc_diag_set(d, UC_ERR_INVALID, NULL, 0, name, "%s",
		    t.msg);
	return 0;
}

int
uc_ledger_member_edit(struct uc_ledger *l, const char *key,
    const struct uc_ledger_member_fields *f, const char *reason,
    size_t *changed, struct uc_diag *d)
{
	struct lg_stmt *st = NULL;
	struct mrec *m = NULL;
	struct row *nw = NULL;
	struct uc_diag t;
	int32_t today = lg_today(l);
	char *det = NULL, a[UC_DATE_ISO_LEN + 1], b[UC_DATE_ISO_LEN + 1];
	const char *to;
	size_t n = 0;
	int r;

	if (changed != NULL)
		*changed = 0;
	uc_diag_clear(d);
	uc_diag_clear(&t);
	if (l == NULL || key == NULL || f == NULL)
		return UC_ERR_ARG;
	if (reason != NULL && (r = lg_check_text(l, UC_MEMBER_TEXT_REASON,
	    "reason", reason)) != 0)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (nw = calloc(1, sizeof(*nw))) == NULL ||
	    (det = calloc(1, LG_DETAILS_MAX)) == NULL) {
		r = UC_ERR_NOMEM;
		goto done;
	}
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = member_load(l, key, m)) != 0)
		goto out;
	if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, &m->unit)) != 0)
		goto out;
	if ((r = member_free(l, m, "edited", 0)) != 0)
		goto out;
	*nw = m->rw;
	if ((r = edit_field(f->full_name, "full_name", check_name, nw, d)) !=
	    0 || (r = edit_field(f->gender, "gender", check_gender, nw, d)) !=
	    0 || (r = edit_field(f->national_id, "national_id", check_nid, nw,
	    d)) != 0 || (r = edit_field(f->position, "position",
	    check_position, nw, d)) != 0 || (r = edit_field(f->mandatory,
	    "mandatory", check_mandatory, nw, d)) != 0)
		goto out;
	if (f->date_of_birth != NULL && check_dob(f->date_of_birth,
	    strlen(f->date_of_birth), today, nw, &t) != 0) {
		r = uc_diag_set(d, UC_ERR_INVALID, NULL, 0, "date_of_birth",
		    "%s", t.msg);
		goto out;
	}
	/* joined_on is checked against the (new) date of birth */
	if (f->joined_on != NULL ? check_joined(f->joined_on,
	    strlen(f->joined_on), today, nw, &t) != 0 :
	    (nw->joined < nw->dob)) {
		if (f->joined_on == NULL)
			uc_diag_set(&t, UC_ERR_INVALID, NULL, 0, NULL,
			    "joined before birth");
		r = uc_diag_set(d, UC_ERR_INVALID, NULL, 0,
		    f->joined_on != NULL ? "joined_on" : "date_of_birth",
		    "%s", t.msg);
		goto out;
	}
	change(det, LG_DETAILS_MAX, &n, "full_name", m->rw.name, nw->name);
	day_text(m->rw.dob, a);
	day_text(nw->dob, b);
	change(det, LG_DETAILS_MAX, &n, "date_of_birth", a, b);
	change(det, LG_DETAILS_MAX, &n, "gender",
	    m->rw.gender == 'M' ? "M" : "F", nw->gender == 'M' ? "M" : "F");
	change(det, LG_DETAILS_MAX, &n, "national_id", m->rw.nid, nw->nid);
	change(det, LG_DETAILS_MAX, &n, "position", m->rw.pos, nw->pos);
	day_text(m->rw.joined, a);
	day_text(nw->joined, b);
	change(det, LG_DETAILS_MAX, &n, "joined_on", a, b);
	change(det, LG_DETAILS_MAX, &n, "mandatory",
	    m->rw.mandatory ? "1" : "0", nw->mandatory ? "1" : "0");
	if (n == 0) {
		r = 0; /* nothing differs: nothing to record */
		goto out;
	}
	if (strcmp(nw->nid, m->rw.nid) != 0) {
		if ((r = lg_prepare(l, &st, "SELECT u.code FROM members m"
		    " JOIN units u ON u.id = m.unit_id WHERE m.national_id = ?"
		    )) != 0)
			goto out;
		lg_bind_text(st, 1, nw->nid);
		if (lg_step(st) == LG_ROW) {
			r = uc_diag_set(d, UC_ERR_INVALID, NULL, 0,
			    "national_id", "national ID %s is already a"
			    " member of unit %s", nw->nid,
			    (const char *)lg_column_text(st, 0));
			goto out;
		}
		lg_finalize(st);
		st = NULL;
	}
	/* approved data that changes goes back for approval; a rejected
	 * member corrected is entered again, to be submitted */
	to = strcmp(m->status, "approved") == 0 ? "submitted" :
	    strcmp(m->status, "rejected") == 0 ? "entered" : m->status;
	if ((r = lg_prepare(l, &st, "UPDATE members SET national_id = ?2,"
	    " full_name = ?3, name_ascii = ?4, date_of_birth = ?5,"
	    " gender = ?6, position = ?7, joined_on = ?8, mandatory = ?9,"
	    " reject_reason = CASE WHEN ?10 = status THEN reject_reason END,"
	    " approved_day = CASE WHEN ?10 = status THEN approved_day END,"
	    " approved_by = CASE WHEN ?10 = status THEN approved_by END,"
	    " status = ?10 WHERE id = ?1")) != 0)
		goto out;
	lg_bind_int64(st, 1, m->id);
	lg_bind_text(st, 2, nw->nid);
	lg_bind_text(st, 3, nw->name);
	lg_bind_text(st, 4, nw->ascii);
	lg_bind_int(st, 5, nw->dob);
	lg_bind_text(st, 6, nw->gender == 'M' ? "M" : "F");
	lg_bind_text(st, 7, nw->pos);
	lg_bind_int(st, 8, nw->joined);
	lg_bind_int(st, 9, nw->mandatory);
	lg_bind_text(st, 10, to);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	{
		size_t k = strlen(det);

		if (k < LG_DETAILS_MAX && strcmp(to, m->status) != 0)
			k += (size_t)snprintf(det + k, LG_DETAILS_MAX - k,
			    "; status: %s -> %s", m->status, to);
		if (k < LG_DETAILS_MAX && reason != NULL)
			snprintf(det + k, LG_DETAILS_MAX - k, "; reason=%s",
			    reason);
	}
	r = lg_audit(l, "member.edit", m->unit.code, mname(m), det);
out:
	lg_finalize(st);
	r = lg_end(l, r, "member.edit", m->unit.code[0] ? m->unit.code : NULL,
	    key);
	if (r == 0 && changed != NULL)
		*changed = n;
done:
	if (m != NULL)
		OPENSSL_cleanse(m, sizeof(*m));
	if (nw != NULL)
		OPENSSL_cleanse(nw, sizeof(*nw));
	free(m);
	free(nw);
	free(det);
	return r;
}

int
uc_ledger_member_withdraw(struct uc_ledger *l, const char *key,
    const char *reason)
{
	struct lg_stmt *st = NULL;
	struct mrec *m = NULL;
	char at[32], det[UC_LEDGER_REASON_MAX + 64];
	int r;

	if (l == NULL || key == NULL || reason == NULL)
		return UC_ERR_ARG;
	if ((r = lg_check_text(l, UC_MEMBER_TEXT_REASON, "reason", reason)) !=
	    0)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = member_load(l, key, m)) != 0)
		goto out;
	if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, &m->unit)) != 0)
		goto out;
	if ((r = member_free(l, m, "withdrawn", 1)) != 0)
		goto out;
	lg_now(at);
	/* 'rejected' keeps every later step (submit, approve, request)
	 * from picking the row up; withdrawn_at says why it is there */
	if ((r = lg_prepare(l, &st, "UPDATE members SET status = 'rejected',"
	    " withdrawn_at = ?2, withdrawn_reason = ?3, approved_day = NULL"
	    " WHERE id = ?1")) != 0)
		goto out;
	lg_bind_int64(st, 1, m->id);
	lg_bind_text(st, 2, at);
	lg_bind_text(st, 3, reason);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	snprintf(det, sizeof(det), "status=%s reason=%s", m->status, reason);
	r = lg_audit(l, "member.withdraw", m->unit.code, mname(m), det);
out:
	lg_finalize(st);
	r = lg_end(l, r, "member.withdraw",
	    m->unit.code[0] ? m->unit.code : NULL, key);
done:
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
	return r;
}

int
uc_ledger_member_transfer(struct uc_ledger *l, const char *key,
    const char *to_unit)
{
	struct lg_stmt *st = NULL;
	struct mrec *m = NULL;
	struct lg_unit to;
	char det[128];
	int r;

	if (l == NULL || key == NULL || to_unit == NULL)
		return UC_ERR_ARG;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = member_load(l, key, m)) != 0)
		goto out;
	/* both ends: the actor answers for the unit it takes the member
	 * from and the one it puts the member in */
	if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, &m->unit)) != 0)
		goto out;
	if ((r = lg_unit_by_code(l, to_unit, &to)) != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "no unit %s",
		    to_unit);
		goto out;
	}
	if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, &to)) != 0)
		goto out;
	if (to.id == m->unit.id) {
		snprintf(l->refusal, sizeof(l->refusal), "member %s is"
		    " already in %s", mname(m), to.code);
		r = UC_ERR_STATE;
		goto out;
	}
	/* a withdrawn member may move (it was entered in the wrong union);
	 * it counts nowhere, so no counter moves with it */
	if (!m->withdrawn && (r = member_free(l, m, "transferred", 0)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "UPDATE members SET unit_id = ?2"
	    " WHERE id = ?1")) != 0)
		goto out;
	lg_bind_int64(st, 1, m->id);
	lg_bind_int64(st, 2, to.id);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	/* progress follows the row (migration 7's triggers) */
	snprintf(det, sizeof(det), "from=%s to=%s status=%s", m->unit.code,
	    to.code, m->withdrawn ? "withdrawn" : m->status);
	r = lg_audit(l, "member.transfer", to.code, mname(m), det);
out:
	lg_finalize(st);
	r = lg_end(l, r, "member.transfer",
	    m->unit.code[0] ? m->unit.code : NULL, key);
done:
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
	return r;
}

/* --- find and export -------------------------------------------------- */

int
uc_ledger_member_find(struct uc_ledger *l, const char *text, size_t limit,
    uc_ledger_member_fn fn, void *ctx)
{
	struct lg_stmt *st = NULL;
	const char *s = text;
	char *fold = NULL;
	size_t n, k;
	int r;

	if (l == NULL || text == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	n = strlen(s);
	uc_text_trim(&s, &n);
	if (n == 0 || n > UC_LEDGER_NAME_MAX) {
		snprintf(l->refusal, sizeof(l->refusal), "search text must be"
		    " 1..%d bytes", UC_LEDGER_NAME_MAX);
		return UC_ERR_ARG;
	}
	/* the stored ASCII form is the bank's: folded, upper case, spaces
	 * collapsed; the text is folded the same way (Đ -> D) */
	if ((fold = malloc(n + 1)) == NULL)
		return UC_ERR_NOMEM;
	if (uc_text_bank_name(s, n, fold, n + 1, &k) != 0 || k == 0) {
		snprintf(l->refusal, sizeof(l->refusal), "search text has a"
		    " letter no member name can hold");
		r = UC_ERR_ARG;
		goto out;
	}
	if (limit == 0 || limit > 10000)
		limit = 10000;
	if ((r = lg_prepare(l, &st, MEMBER_COLS "WHERE m.unit_id IN"
	    " (SELECT id FROM units WHERE substr(path, 1, ?2) = ?1)"
	    " AND (instr(m.name_ascii, ?3) > 0"
	    " OR instr(m.national_id, ?4) > 0 OR"
	    " instr(coalesce(m.member_code, ''), ?4) > 0)"
	    " ORDER BY m.name_ascii, m.id LIMIT ?5")) != 0)
		goto out;
	lg_bind_scope(l, st);
	lg_bind_text(st, 3, fold);
	lg_bind_textn(st, 4, s, (int)n);
	lg_bind_int64(st, 5, (int64_t)limit);
	r = member_rows(st, fn, ctx);
out:
	lg_finalize(st);
	free(fold);
	return r;
}

int
uc_ledger_member_export_csv(struct uc_ledger *l, const char *unit_code,
    FILE *fp, size_t *rows)
{
	static const char *const head[] = { "member_code", "full_name",
	    "name_ascii", "national_id", "date_of_birth", "gender",
	    "position", "joined_on", "mandatory", "status", "unit" };
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	const char *v[11];
	char dob[UC_DATE_ISO_LEN + 1], joined[UC_DATE_ISO_LEN + 1];
	char det[64];
	size_t n = 0;
	int r;

	if (rows != NULL)
		*rows = 0;
	if (l == NULL || fp == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_unit_see(l, unit_code != NULL ? unit_code :
	    l->acct_unit.code, "member.export", &u)) != 0)
		return r;
	/*
	 * One read (a WAL snapshot: stations keep writing meanwhile), then
	 * the audit row in a short transaction of its own.  The caller
	 * discards what was written if this returns an error, so no export
	 * leaves unaudited.
	 */
	if ((r = uc_csv_write_cells(fp, head, 11)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, MEMBER_COLS "WHERE m.unit_id IN"
	    " (SELECT id FROM units WHERE substr(path, 1, length(?1)) = ?1)"
	    " AND m.withdrawn_at IS NULL ORDER BY u.path, m.id")) != 0)
		return r;
	lg_bind_text(st, 1, u.path);
	while ((r = lg_step(st)) == LG_ROW) {
		day_text(lg_column_int(st, 7), dob);
		day_text(lg_column_int(st, 9), joined);
		v[0] = (const char *)lg_column_text(st, 0);
		v[1] = (const char *)lg_column_text(st, 1);
		v[2] = (const char *)lg_column_text(st, 2);
		v[3] = (const char *)lg_column_text(st, 3);
		v[4] = dob;
		v[5] = (const char *)lg_column_text(st, 6);
		v[6] = (const char *)lg_column_text(st, 8);
		v[7] = joined;
		v[8] = lg_column_int(st, 5) ? "1" : "0";
		v[9] = (const char *)lg_column_text(st, 4);
		v[10] = (const char *)lg_column_text(st, 10);
		if ((r = uc_csv_write_cells(fp, v, 11)) != 0)
			goto out;
		n++;
	}
	r = lg_err(r);
	lg_finalize(st);
	st = NULL;
	if (r != 0)
		goto out;
	if ((r = lg_begin(l)) != 0)
		goto out;
	snprintf(det, sizeof(det), "rows=%zu", n);
	r = lg_audit(l, "member.export", u.code, u.code, det);
	r = lg_end(l, r, "member.export", u.code, u.code);
out:
	lg_finalize(st);
	if (r == 0 && rows != NULL)
		*rows = n;
	return r;
}
