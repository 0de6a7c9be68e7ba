/*
 * units.c - the tree of union units.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/csv.h"
#include "unioncard/ledger.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

/* The import's problem reports (ledger_priv.h), by their short names. */
#define emit lg_errs_emit
#define bad lg_errs_bad

/* Insert one unit under parent (inside the caller's transaction). */
static int
unit_insert(struct uc_ledger *l, const char *code, const char *name,
    const struct lg_unit *parent, int exempt)
{
	struct lg_stmt *st = NULL;
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
	lg_bind_int64(st, 3, parent->id);
	lg_bind_int(st, 4, parent->depth + 1);
	lg_bind_int(st, 5, exempt ? 1 : 0);
	lg_bind_text(st, 6, at);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	st = NULL;
	if (r == UC_ERR_CONFLICT)
		return UC_ERR_EXISTS;
	if (r != 0)
		return r;
	id = lg_db_last_id(l->db);
	if ((size_t)snprintf(path, sizeof(path), "%s%lld/", parent->path,
	    (long long)id) >= sizeof(path))
		return UC_ERR_RANGE; /* tree deeper than any union's */
	if ((r = lg_prepare(l, &st, "UPDATE units SET path = ? WHERE id = ?"))
	    != 0)
		return r;
	lg_bind_text(st, 1, path);
	lg_bind_int64(st, 2, id);
	r = lg_err(lg_step(st));
	lg_finalize(st);
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

int
lg_parse_bool(const char *s, size_t n, int *v)
{
	return uc_text_yesno(s, n, v);
}

const char *
lg_show_value(const char *s, size_t n, char out[LG_SHOW_CAP])
{
	size_t i, o = 0;

	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n && o + 1 < LG_SHOW_CAP; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			out[o++] = '?';
		} else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			out[o++] = '?';
			i++;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

/* A trimmed code field into out (UC_LEDGER_CODE_MAX + 1); 0 if it fits. */
static int
code_field(const struct uc_csv_field *f, char *out)
{
	const char *s = f->ptr;
	size_t sl = f->len;

	uc_text_trim(&s, &sl);
	out[0] = '\0';
	if (sl == 0 || sl > UC_LEDGER_CODE_MAX)
		return -1;
	memcpy(out, s, sl);
	out[sl] = '\0';
	return 0;
}

/*
 * Check and insert one unit row; every problem of the row is reported.
 * Returns 0 (row stored or reported) or a ledger error (PERM included).
 */
static int
unit_row_import(struct uc_ledger *l, struct uc_csv *csv,
    const struct uc_csv_field *f, const int idx[4], struct lg_errs *e,
    int *stored)
{
	struct lg_unit parent;
	char code[UC_LEDGER_CODE_MAX + 1], pcode[UC_LEDGER_CODE_MAX + 1];
	char nfc[UC_MEMBER_UNIT_NAME_MAX + 1], show[LG_SHOW_CAP];
	struct uc_diag t;
	const char *s;
	size_t sl;
	int ok = 1, exempt = 0, r;

	*stored = 0;
	uc_diag_clear(&t);
	if (code_field(&f[idx[0]], code) != 0) {
		bad(e, csv, idx[0], "unit code must be 1..%d characters",
		    UC_LEDGER_CODE_MAX);
		ok = 0;
	} else if (check_unit(code, strlen(code), NULL, 0, nfc, &t) != 0) {
		bad(e, csv, idx[0], "%s", t.msg);
		ok = 0;
	}
	if (code_field(&f[idx[2]], pcode) != 0) {
		bad(e, csv, idx[2], "parent code missing or longer than %d"
		    " characters", UC_LEDGER_CODE_MAX);
		ok = 0;
	} else if (lg_unit_by_code(l, pcode, &parent) != 0) {
		bad(e, csv, idx[2], "no unit '%s' (a parent must be in the"
		    " ledger or on an earlier line)", pcode);
		ok = 0;
	} else if (lg_need(l, UC_ROLE_ADMIN, &parent) != 0) {
		return UC_ERR_PERM;
	}
	if (idx[3] >= 0) {
		s = f[idx[3]].ptr;
		sl = f[idx[3]].len;
		uc_text_trim(&s, &sl);
		/* the column is optional: an empty cell is "no" */
		if (sl > 0 && lg_parse_bool(s, sl, &exempt) != 0) {
			bad(e, csv, idx[3], "exempt '%s' is not a yes or no:"
			    " write %s", lg_show_value(s, sl, show),
			    LG_BOOL_WORDS);
			ok = 0;
		}
	}
	if (check_unit(NULL, 0, f[idx[1]].ptr, f[idx[1]].len, nfc, &t) != 0) {
		bad(e, csv, idx[1], "%s", t.msg);
		ok = 0;
	}
	if (!ok)
		return 0;
	r = unit_insert(l, code, nfc, &parent, exempt);
	if (r == UC_ERR_EXISTS) {
		bad(e, csv, idx[0], "unit '%s' already exists", code);
		return 0;
	}
	if (r == 0)
		*stored = 1;
	return r;
}

int
uc_ledger_unit_import(struct uc_ledger *l, FILE *fp, const char *fname,
    size_t *count, struct uc_diag *d)
{
	return uc_ledger_unit_import_each(l, fp, fname, count, NULL, NULL,
	    NULL, d);
}

int
uc_ledger_unit_import_each(struct uc_ledger *l, FILE *fp, const char *fname,
    size_t *count, uc_ledger_diag_fn fn, void *ctx, size_t *nerrors,
    struct uc_diag *d)
{
	static const char *const cols[] = { "code", "name", "parent",
	    "exempt" };
	struct uc_csv *csv = NULL;
	const struct uc_csv_field *f;
	struct uc_diag x;
	struct lg_errs e;
	int idx[4], r, stored;
	size_t nf, n = 0;

	memset(&e, 0, sizeof(e));
	e.fn = fn;
	e.ctx = ctx;
	e.first = d;
	if (count != NULL)
		*count = 0;
	if (nerrors != NULL)
		*nerrors = 0;
	uc_diag_clear(d);
	if (l == NULL || fp == NULL)
		return UC_ERR_ARG;
	if ((r = uc_csv_open_file(&csv, fp, fname, NULL)) != 0)
		return r;
	uc_csv_detect_delimiter(csv);
	if ((r = lg_begin(l)) != 0)
		goto done;
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0)
		goto out;
	if ((r = uc_csv_header_require(csv, cols, 4, 3, idx, &x)) != 0) {
		if (r == UC_ERR_INVALID || r == UC_ERR_IO)
			emit(&e, &x);
		goto out;
	}
	for (;;) {
		if ((r = uc_csv_next(csv, &f, &nf, &x)) != 0) {
			if (r != UC_ERR_INVALID && r != UC_ERR_IO)
				goto out;
			emit(&e, &x);
			if (r == UC_ERR_INVALID && uc_csv_skip_error(csv) == 0)
				continue;
			break;
		}
		if (f == NULL)
			break;
		if ((r = unit_row_import(l, csv, f, idx, &e, &stored)) != 0)
			goto out;
		n += (size_t)stored;
	}
	r = e.n > 0 ? UC_ERR_INVALID : 0;
out:
	if (r == 0 && e.n > 0)
		r = UC_ERR_INVALID;
	r = lg_end(l, r, "unit.import", NULL, fname);
	if (r == 0 && count != NULL)
		*count = n;
done:
	if (nerrors != NULL)
		*nerrors = e.n;
	uc_csv_free(&csv);
	return r;
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
uc_ledger_unit_each(struct uc_ledger *l, uc_ledger_unit_fn fn, void *ctx)
{
	struct uc_ledger_unit u;
	struct lg_stmt *st = NULL;
	int r;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	/* path order is tree order within each level of ids */
	if ((r = lg_prepare(l, &st, "SELECT u.code, u.name, p.code,"
	    " u.exempt, u.depth FROM units u LEFT JOIN units p"
	    " ON p.id = u.parent_id WHERE substr(u.path, 1, ?2) = ?1"
	    " ORDER BY u.path")) != 0)
		return r;
	lg_bind_scope(l, st);
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&u, 0, sizeof(u));
		u.exempt = lg_column_int(st, 3);
		u.depth = lg_column_int(st, 4);
		if ((r = put(u.code, sizeof(u.code), lg_column_text(st, 0))) ||
		    (r = put(u.name, sizeof(u.name), lg_column_text(st, 1))) ||
		    (r = put(u.parent, sizeof(u.parent),
		    lg_column_text(st, 2))) ||
		    (fn != NULL && (r = fn(ctx, &u)) != 0))
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

int
uc_ledger_unit_get(struct uc_ledger *l, const char *code,
    struct uc_ledger_unit *out)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	const unsigned char *t;
	int r;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (l == NULL || code == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	/* outside the actor's subtree a unit reads as absent, as in the
	 * list */
	if ((r = lg_unit_by_code(l, code, &u)) != 0)
		return r;
	if (!lg_in_subtree(&l->acct_unit, &u))
		return UC_ERR_NOT_FOUND;
	if ((r = lg_prepare(l, &st, "SELECT u.name, p.code FROM units u"
	    " LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = ?")) != 0)
		return r;
	lg_bind_int64(st, 1, u.id);
	if ((r = lg_step(st)) != LG_ROW) {
		r = r == LG_DONE ? UC_ERR_NOT_FOUND : lg_err(r);
		goto out;
	}
	r = UC_ERR_LEDGER;
	memcpy(out->code, u.code, sizeof(out->code));
	t = lg_column_text(st, 0);
	if (t == NULL || strlen((const char *)t) >= sizeof(out->name))
		goto out;
	memcpy(out->name, t, strlen((const char *)t) + 1);
	t = lg_column_text(st, 1);
	if (t != NULL && strlen((const char *)t) >= sizeof(out->parent))
		goto out;
	if (t != NULL)
		memcpy(out->parent, t, strlen((const char *)t) + 1);
	out->exempt = u.exempt;
	out->depth = u.depth;
	r = 0;
out:
	lg_finalize(st);
	return r;
}

void
lg_errs_emit(struct lg_errs *e, const struct uc_diag *x)
{
	if (e->n == 0 && e->first != NULL)
		*e->first = *x;
	if (e->n < UC_LEDGER_IMPORT_ERRORS_MAX && e->fn != NULL)
		e->fn(e->ctx, x);
	e->n++;
}

void
lg_errs_bad(struct lg_errs *e, struct uc_csv *csv, int col, const char *fmt,
    ...)
{
	char msg[UC_DIAG_MSG_MAX];
	struct uc_diag x;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uc_csv_diag(csv, &x, UC_ERR_INVALID, (size_t)col, "%s", msg);
	lg_errs_emit(e, &x);
}
