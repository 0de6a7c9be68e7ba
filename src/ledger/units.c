/*
 * units.c - the tree of union units.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/csv.h"
#include "unioncard/ledger.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

/* Insert one unit under parent (inside the caller's transaction). */
static int
unit_insert(struct uc_ledger *l, const char *code, const char *name,
    const struct lg_unit *parent, int exempt)
{
	sqlite3_stmt *st = NULL;
	char at[32], path[LG_PATH_MAX], details[64];
	int64_t id;
	int r;

	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO units (code, name,"
	    " parent_id, path, depth, exempt, created_at)"
	    " VALUES (?, ?, ?, '', ?, ?, ?)")) != 0)
		return r;
	lg_bind_text(st, 1, code);
	lg_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, parent->id);
	sqlite3_bind_int(st, 4, parent->depth + 1);
	sqlite3_bind_int(st, 5, exempt ? 1 : 0);
	lg_bind_text(st, 6, at);
	r = lg_err(sqlite3_step(st));
	sqlite3_finalize(st);
	st = NULL;
	if (r == UC_ERR_CONFLICT)
		return UC_ERR_EXISTS;
	if (r != 0)
		return r;
	id = sqlite3_last_insert_rowid(l->db);
	if ((size_t)snprintf(path, sizeof(path), "%s%lld/", parent->path,
	    (long long)id) >= sizeof(path))
		return UC_ERR_RANGE; /* tree deeper than any union's */
	if ((r = lg_prepare(l, &st, "UPDATE units SET path = ? WHERE id = ?"))
	    != 0)
		return r;
	lg_bind_text(st, 1, path);
	sqlite3_bind_int64(st, 2, id);
	r = lg_err(sqlite3_step(st));
	sqlite3_finalize(st);
	if (r != 0)
		return r;
	snprintf(details, sizeof(details), "parent=%s exempt=%d",
	    parent->code, exempt ? 1 : 0);
	return lg_audit(l, "unit.add", code, code, details);
}

/*
 * A unit's code and name as the card will carry them (E1/C2, E1/C3):
 * the shared check of unioncard/member.h, the name tidied into nfc.
 * UC_ERR_INVALID with t saying what is wrong.
 */
static int
check_unit(const char *code, size_t clen, const char *name, size_t nlen,
    char nfc[UC_MEMBER_UNIT_NAME_MAX + 1], struct uc_diag *t)
{
	if (code != NULL && uc_member_unit_code_check(code, clen, NULL, NULL,
	    t) != 0)
		return UC_ERR_INVALID;
	if (name != NULL && uc_member_text_check(UC_MEMBER_TEXT_UNIT_NAME,
	    name, nlen, UC_MEMBER_TEXT_TIDY, nfc, UC_MEMBER_UNIT_NAME_MAX + 1,
	    NULL, NULL, NULL, t) != 0)
		return UC_ERR_INVALID;
	return 0;
}

int
uc_ledger_unit_add(struct uc_ledger *l, const char *code, const char *name,
    const char *parent_code, int exempt)
{
	struct lg_unit parent;
	struct uc_diag t;
	char nfc[UC_MEMBER_UNIT_NAME_MAX + 1];
	int r;

	if (l == NULL || code == NULL || name == NULL || parent_code == NULL)
		return UC_ERR_ARG;
	uc_diag_clear(&t);
	if (check_unit(code, strlen(code), NULL, 0, nfc, &t) != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "code: %.200s",
		    t.msg);
		return UC_ERR_INVALID;
	}
	if (check_unit(NULL, 0, name, strlen(name), nfc, &t) != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "name: %.200s",
		    t.msg);
		return UC_ERR_INVALID;
	}
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_by_code(l, parent_code, &parent)) != 0)
		goto out;
	if ((r = lg_need(l, UC_ROLE_ADMIN, &parent)) != 0)
		goto out;
	r = unit_insert(l, code, nfc, &parent, exempt);
out:
	return lg_end(l, r, "unit.add", parent_code, code);
}

/* An empty cell is no; otherwise the project's one list of yes/no
 * words (uc_text_yesno). */
static int
parse_bool(const char *s, size_t n, int *v)
{
	*v = 0;
	uc_text_trim(&s, &n);
	if (n == 0)
		return 0;
	return uc_text_yesno(s, n, v);
}

int
lg_parse_bool(const char *s, size_t n, int *v)
{
	return parse_bool(s, n, v);
}

int
uc_ledger_unit_import(struct uc_ledger *l, FILE *fp, const char *fname,
    size_t *count, struct uc_diag *d)
{
	static const char *const cols[] = { "code", "name", "parent",
	    "exempt" };
	struct uc_csv *csv = NULL;
	const struct uc_csv_field *f;
	struct lg_unit parent;
	int idx[4], exempt, r;
	size_t nf, n = 0;
	char code[UC_LEDGER_CODE_MAX + 1], pcode[UC_LEDGER_CODE_MAX + 1];
	char nfc[UC_MEMBER_UNIT_NAME_MAX + 1];
	struct uc_diag t;

	if (count != NULL)
		*count = 0;
	uc_diag_clear(d);
	uc_diag_clear(&t);
	if (l == NULL || fp == NULL)
		return UC_ERR_ARG;
	if ((r = uc_csv_open_file(&csv, fp, fname, NULL)) != 0)
		return r;
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0)
		goto out;
	if ((r = uc_csv_header_require(csv, cols, 4, 3, idx, d)) != 0)
		goto out;
	for (;;) {
		const char *s;
		size_t sl;

		if ((r = uc_csv_next(csv, &f, &nf, d)) != 0)
			goto out;
		if (f == NULL)
			break;
		s = f[idx[0]].ptr;
		sl = f[idx[0]].len;
		uc_text_trim(&s, &sl);
		if (sl == 0 || sl > UC_LEDGER_CODE_MAX) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[0],
			    "unit code must be 1..%d characters",
			    UC_LEDGER_CODE_MAX);
			goto out;
		}
		memcpy(code, s, sl);
		code[sl] = '\0';
		if (check_unit(s, sl, NULL, 0, nfc, &t) != 0) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[0],
			    "%s", t.msg);
			goto out;
		}
		s = f[idx[2]].ptr;
		sl = f[idx[2]].len;
		uc_text_trim(&s, &sl);
		if (sl == 0 || sl > UC_LEDGER_CODE_MAX) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[2],
			    "parent code missing or too long");
			goto out;
		}
		memcpy(pcode, s, sl);
		pcode[sl] = '\0';
		if (lg_unit_by_code(l, pcode, &parent) != 0) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[2],
			    "no unit '%s' (parents must come first)", pcode);
			goto out;
		}
		if (lg_need(l, UC_ROLE_ADMIN, &parent) != 0) {
			r = UC_ERR_PERM;
			goto out;
		}
		exempt = 0;
		if (idx[3] >= 0 && parse_bool(f[idx[3]].ptr, f[idx[3]].len,
		    &exempt) != 0) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[3],
			    "not a yes/no word: use %s",
			    UC_TEXT_YESNO_WORDS);
			goto out;
		}
		if (check_unit(NULL, 0, f[idx[1]].ptr, f[idx[1]].len, nfc,
		    &t) != 0) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[1],
			    "%s", t.msg);
			goto out;
		}
		r = unit_insert(l, code, nfc, &parent, exempt);
		if (r == UC_ERR_EXISTS) {
			r = uc_csv_diag(csv, d, UC_ERR_INVALID, (size_t)idx[0],
			    "unit '%s' already exists", code);
			goto out;
		}
		if (r != 0)
			goto out;
		n++;
	}
	r = 0;
out:
	r = lg_end(l, r, "unit.import", NULL, fname);
	if (r == 0 && count != NULL)
		*count = n;
done:
	uc_csv_free(&csv);
	return r;
}

static json_t *
unit_row(struct uc_ledger *l, sqlite3_stmt *st)
{
	(void)l;
	return json_pack("{s:s, s:s, s:s?, s:b, s:i}",
	    "code", (const char *)sqlite3_column_text(st, 0),
	    "name", (const char *)sqlite3_column_text(st, 1),
	    "parent", (const char *)sqlite3_column_text(st, 2),
	    "exempt", sqlite3_column_int(st, 3),
	    "depth", sqlite3_column_int(st, 4));
}

int
uc_ledger_unit_list(struct uc_ledger *l, json_t **out)
{
	/* path order is tree order within each level of ids */
	return lg_list_json(l, "SELECT u.code, u.name, p.code,"
	    " u.exempt, u.depth FROM units u LEFT JOIN units p"
	    " ON p.id = u.parent_id WHERE substr(u.path, 1, ?2) = ?1"
	    " ORDER BY u.path", 1, unit_row, out);
}
