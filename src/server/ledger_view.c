/*
 * ledger_view.c - every call the server makes into the ledger (see
 * ledger_view.h).  The ledger's typed records are copied into the rows
 * of ledger_view.h here and nowhere else; the JSON API's member list is
 * made by src/tools/ledger_json.c, as `member list --json` makes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger_view.h"
#include "tools/ledger_json.h"

struct lv {
	struct uc_ledger *l;
	struct uc_diag why; /* lv_why()'s text */
};

int
lv_check(const char *path, char *why, size_t cap)
{
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	int r;

	uc_diag_clear(&d);
	r = uc_ledger_open_ex(&l, path, NULL, &d);
	if (r != 0)
		snprintf(why, cap, "%s: %s%s%s", path, uc_strerror(r),
		    d.msg[0] != '\0' ? ": " : "", d.msg);
	uc_ledger_free(&l);
	return r;
}

int
lv_login(const char *path, const char *user, const char *password,
    struct lv **out)
{
	struct lv *v;
	int r;

	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_ledger_open_ex(&v->l, path, NULL, NULL)) != 0)
		goto out;
	if ((r = uc_ledger_login(v->l, user, password)) != 0)
		goto out;
	*out = v;
	v = NULL;
out:
	lv_free(&v);
	return r;
}

int
lv_token_login(const char *path, const char *token, struct lv **out)
{
	struct lv *v;
	int r;

	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_ledger_open_ex(&v->l, path, NULL, NULL)) != 0)
		goto out;
	if ((r = uc_ledger_token_login(v->l, token)) != 0)
		goto out;
	*out = v;
	v = NULL;
out:
	lv_free(&v);
	return r;
}

void
lv_free(struct lv **v)
{
	if (v == NULL || *v == NULL)
		return;
	uc_ledger_free(&(*v)->l);
	free(*v);
	*v = NULL;
}

const char *
lv_why(struct lv *v)
{
	if (v == NULL)
		return "";
	return uc_ledger_diag(v->l, &v->why)->msg;
}

int
lv_whoami(struct lv *v, struct lv_actor *out)
{
	struct uc_ledger_actor a;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = uc_ledger_whoami(v->l, &a)) != 0)
		return r;
	snprintf(out->user, sizeof(out->user), "%s", a.user);
	snprintf(out->unit, sizeof(out->unit), "%s", a.unit);
	snprintf(out->unit_name, sizeof(out->unit_name), "%s", a.unit_name);
	out->role = a.role;
	return 0;
}

/* A growing array of rows of size sz: room for one more, or NULL. */
struct rows {
	void *v;
	size_t n, cap, sz;
};

static void *
rows_next(struct rows *a)
{
	void *p;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap != 0 ? 2 * a->cap : 16;
		if ((p = realloc(a->v, cap * a->sz)) == NULL)
			return NULL;
		a->v = p;
		a->cap = cap;
	}
	p = (char *)a->v + a->n * a->sz;
	memset(p, 0, a->sz);
	a->n++;
	return p;
}

static void
member_row(struct lv_member *m, const struct uc_ledger_member *o)
{
	const char *st = uc_ledger_member_status_name((int)o->status);

	memset(m, 0, sizeof(*m));
	snprintf(m->code, sizeof(m->code), "%s", o->member_code);
	snprintf(m->name, sizeof(m->name), "%s", o->full_name);
	snprintf(m->national_id, sizeof(m->national_id), "%s",
	    o->national_id);
	snprintf(m->status, sizeof(m->status), "%s", st != NULL ? st : "");
	snprintf(m->unit, sizeof(m->unit), "%s", o->unit);
	snprintf(m->dob, sizeof(m->dob), "%s", o->date_of_birth);
	snprintf(m->reason, sizeof(m->reason), "%s", o->reject_reason);
}

static int
member_add(void *ctx, const struct uc_ledger_member *o)
{
	struct lv_member *m = rows_next(ctx);

	if (m == NULL)
		return UC_ERR_NOMEM;
	member_row(m, o);
	return 0;
}

static int
members_end(int r, struct rows *a, struct lv_members *out)
{
	if (r != 0) {
		free(a->v);
		return r;
	}
	out->v = a->v;
	out->n = a->n;
	return 0;
}

void
lv_members_free(struct lv_members *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* status: a member status's name, or NULL for all but the withdrawn. */
static int
status_filter(const char *status)
{
	if (status == NULL)
		return 0;
	return uc_ledger_member_status_parse(status);
}

int
lv_member_list(struct lv *v, const char *unit, const char *status,
    struct lv_members *out)
{
	struct rows a = { NULL, 0, 0, sizeof(struct lv_member) };
	int st = status_filter(status);

	out->v = NULL;
	out->n = 0;
	if (status != NULL && st == 0)
		return UC_ERR_ARG;
	return members_end(uc_ledger_member_each(v->l, unit, st, member_add,
	    &a), &a, out);
}

int
lv_member_find(struct lv *v, const char *text, struct lv_members *out)
{
	struct rows a = { NULL, 0, 0, sizeof(struct lv_member) };

	out->v = NULL;
	out->n = 0;
	return members_end(uc_ledger_member_find(v->l, text, 500, member_add,
	    &a), &a, out);
}

int
lv_member_show(struct lv *v, const char *key, struct lv_member *out)
{
	struct uc_ledger_member m;
	size_t n = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = uc_ledger_member_get(v->l, key, &m, NULL, &n)) == 0)
		member_row(out, &m);
	return r;
}

struct import_ctx {
	lv_diag_fn fn;
	void *ctx;
};

static void
import_diag(void *ctx, const struct uc_diag *d)
{
	struct import_ctx *c = ctx;

	c->fn(c->ctx, d->line, d->field, d->msg);
}

int
lv_member_import(struct lv *v, const char *unit, const char *csv,
    size_t len, const char *file_name, size_t *count, lv_diag_fn fn,
    void *ctx, size_t *nerrors)
{
	struct import_ctx c = { fn, ctx };
	struct uc_diag d;
	FILE *fp;
	int r;

	*count = 0;
	*nerrors = 0;
	uc_diag_clear(&d);
	/* fmemopen refuses a 0-byte buffer: an empty upload reads as "". */
	fp = fmemopen(len != 0 ? (void *)(uintptr_t)csv : (void *)"",
	    len != 0 ? len : 1, "r");
	if (fp == NULL)
		return UC_ERR_NOMEM;
	r = uc_ledger_member_import_each(v->l, unit, fp, file_name, count,
	    import_diag, &c, nerrors, &d);
	fclose(fp);
	return r;
}

int
lv_member_submit(struct lv *v, const char *unit, size_t *count)
{
	*count = 0;
	return uc_ledger_member_submit(v->l, unit, count);
}

int
lv_member_approve(struct lv *v, const char *unit, const char *national_id,
    size_t *count)
{
	const char *ids[1] = { national_id };

	*count = 0;
	return uc_ledger_member_approve(v->l, unit,
	    national_id != NULL ? ids : NULL, national_id != NULL ? 1 : 0,
	    count);
}

int
lv_member_reject(struct lv *v, const char *unit, const char *national_id,
    const char *reason)
{
	return uc_ledger_member_reject(v->l, unit, national_id, reason);
}

void
lv_units_free(struct lv_units *u)
{
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

struct children {
	struct rows a;
	const char *parent;
};

static int
unit_add(void *ctx, const struct uc_ledger_unit *u)
{
	struct children *c = ctx;
	struct lv_unit *o;

	if (strcmp(u->parent, c->parent) != 0)
		return 0;
	if ((o = rows_next(&c->a)) == NULL)
		return UC_ERR_NOMEM;
	snprintf(o->code, sizeof(o->code), "%s", u->code);
	snprintf(o->name, sizeof(o->name), "%s", u->name);
	snprintf(o->parent, sizeof(o->parent), "%s", u->parent);
	return 0;
}

int
lv_unit_children(struct lv *v, const char *unit, struct lv_units *out)
{
	struct children c = { { NULL, 0, 0, sizeof(struct lv_unit) }, unit };
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_unit_each(v->l, unit_add, &c)) != 0) {
		free(c.a.v);
		return r;
	}
	out->v = c.a.v;
	out->n = c.a.n;
	return 0;
}

void
lv_requests_free(struct lv_requests *q)
{
	free(q->v);
	q->v = NULL;
	q->n = 0;
}

static const char *
name_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int
request_add(void *ctx, const struct uc_ledger_request_summary *o)
{
	struct lv_request *q = rows_next(ctx);

	if (q == NULL)
		return UC_ERR_NOMEM;
	q->id = o->id;
	snprintf(q->unit, sizeof(q->unit), "%s", o->unit);
	snprintf(q->type, sizeof(q->type), "%s",
	    name_or_empty(uc_ledger_card_type_name((int)o->type)));
	snprintf(q->status, sizeof(q->status), "%s",
	    name_or_empty(uc_ledger_request_status_name((int)o->status)));
	snprintf(q->date, sizeof(q->date), "%s", o->date);
	snprintf(q->reason, sizeof(q->reason), "%s", o->reject_reason);
	q->lines = o->lines;
	q->total_vnd = o->total_vnd;
	return 0;
}

int
lv_request_list(struct lv *v, struct lv_requests *out)
{
	struct rows a = { NULL, 0, 0, sizeof(struct lv_request) };
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_request_each(v->l, request_add, &a)) != 0) {
		free(a.v);
		return r;
	}
	out->v = a.v;
	out->n = a.n;
	return 0;
}

int
lv_request_create(struct lv *v, const char *unit, const char *type,
    int64_t *id)
{
	*id = 0;
	return uc_ledger_request_create(v->l, unit, type, NULL, 0, NULL, NULL,
	    id);
}

int
lv_request_submit(struct lv *v, int64_t id)
{
	return uc_ledger_request_submit(v->l, id);
}

int
lv_request_approve(struct lv *v, int64_t id)
{
	return uc_ledger_request_approve(v->l, id);
}

int
lv_request_reject(struct lv *v, int64_t id, const char *reason)
{
	return uc_ledger_request_reject(v->l, id, reason);
}

int
lv_request_accept(struct lv *v, int64_t id)
{
	return uc_ledger_request_accept(v->l, id);
}

void
lv_cards_free(struct lv_cards *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static int
card_add(void *ctx, const struct uc_ledger_card *o)
{
	struct lv_card *c = rows_next(ctx);

	if (c == NULL)
		return UC_ERR_NOMEM;
	snprintf(c->serial, sizeof(c->serial), "%s", o->serial);
	snprintf(c->member_code, sizeof(c->member_code), "%s",
	    o->member_code);
	snprintf(c->status, sizeof(c->status), "%s",
	    name_or_empty(uc_ledger_card_status_name((int)o->status)));
	snprintf(c->type, sizeof(c->type), "%s",
	    name_or_empty(uc_ledger_card_type_name((int)o->type)));
	return 0;
}

int
lv_card_list(struct lv *v, struct lv_cards *out)
{
	struct rows a = { NULL, 0, 0, sizeof(struct lv_card) };
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_card_each(v->l, 0, card_add, &a)) != 0) {
		free(a.v);
		return r;
	}
	out->v = a.v;
	out->n = a.n;
	return 0;
}

int
lv_member_list_json(struct lv *v, const char *unit, char **out)
{
	json_t *a = json_array();
	int r;

	*out = NULL;
	if (a == NULL)
		return UC_ERR_NOMEM;
	r = uc_ledger_member_each(v->l, unit, 0, uc_json_member_append, a);
	/* as `member list --json` prints it (lgt_print_json) */
	if (r == 0 && (*out = json_dumps(a, JSON_PRESERVE_ORDER)) == NULL)
		r = UC_ERR_NOMEM;
	json_decref(a);
	return r;
}
