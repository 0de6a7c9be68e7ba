/*
 * ledger_view.c - every call the server makes into the ledger (see
 * ledger_view.h).  Listings arrive as jansson arrays today; they are
 * copied into the typed rows of ledger_view.h here and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger_view.h"

struct lv {
	struct uc_ledger *l;
	struct uc_diag why; /* lv_why()'s text */
};

static void
copy(char *dst, size_t cap, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, cap, "%s", s != NULL ? s : "");
}

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

static void
member_row(struct lv_member *m, const json_t *o)
{
	memset(m, 0, sizeof(*m));
	copy(m->code, sizeof(m->code), o, "member_code");
	copy(m->name, sizeof(m->name), o, "full_name");
	copy(m->national_id, sizeof(m->national_id), o, "national_id");
	copy(m->status, sizeof(m->status), o, "status");
	copy(m->unit, sizeof(m->unit), o, "unit");
	copy(m->dob, sizeof(m->dob), o, "date_of_birth");
	copy(m->reason, sizeof(m->reason), o, "reject_reason");
}

static int
members_from(json_t *a, struct lv_members *out)
{
	size_t i, n = json_array_size(a);

	out->v = NULL;
	out->n = 0;
	if (n == 0)
		return 0;
	if ((out->v = calloc(n, sizeof(*out->v))) == NULL)
		return UC_ERR_NOMEM;
	for (i = 0; i < n; i++)
		member_row(&out->v[i], json_array_get(a, i));
	out->n = n;
	return 0;
}

void
lv_members_free(struct lv_members *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

int
lv_member_list(struct lv *v, const char *unit, const char *status,
    struct lv_members *out)
{
	json_t *a = NULL;
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_member_list(v->l, unit, status, &a)) == 0)
		r = members_from(a, out);
	json_decref(a);
	return r;
}

int
lv_member_find(struct lv *v, const char *text, struct lv_members *out)
{
	json_t *a = NULL;
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_member_find(v->l, text, 500, &a)) == 0)
		r = members_from(a, out);
	json_decref(a);
	return r;
}

int
lv_member_show(struct lv *v, const char *key, struct lv_member *out)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = uc_ledger_member_show(v->l, key, &o)) == 0)
		member_row(out, o);
	json_decref(o);
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

int
lv_unit_children(struct lv *v, const char *unit, struct lv_units *out)
{
	json_t *a = NULL, *o;
	size_t i, k = 0;
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_unit_list(v->l, &a)) != 0)
		goto out;
	if (json_array_size(a) != 0 &&
	    (out->v = calloc(json_array_size(a), sizeof(*out->v))) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(a, i, o) {
		const char *p = json_string_value(json_object_get(o, "parent"));

		if (p == NULL || strcmp(p, unit) != 0)
			continue;
		copy(out->v[k].code, sizeof(out->v[k].code), o, "code");
		copy(out->v[k].name, sizeof(out->v[k].name), o, "name");
		copy(out->v[k].parent, sizeof(out->v[k].parent), o, "parent");
		k++;
	}
	out->n = k;
out:
	json_decref(a);
	return r;
}

void
lv_requests_free(struct lv_requests *q)
{
	free(q->v);
	q->v = NULL;
	q->n = 0;
}

int
lv_request_list(struct lv *v, struct lv_requests *out)
{
	json_t *a = NULL, *o;
	size_t i;
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_request_list(v->l, &a)) != 0)
		goto out;
	if (json_array_size(a) != 0 &&
	    (out->v = calloc(json_array_size(a), sizeof(*out->v))) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(a, i, o) {
		struct lv_request *q = &out->v[i];

		q->id = json_integer_value(json_object_get(o, "id"));
		copy(q->unit, sizeof(q->unit), o, "unit");
		copy(q->type, sizeof(q->type), o, "type");
		copy(q->status, sizeof(q->status), o, "status");
		copy(q->date, sizeof(q->date), o, "date");
		copy(q->reason, sizeof(q->reason), o, "reject_reason");
		q->lines = json_integer_value(json_object_get(o, "lines"));
		q->total_vnd = json_integer_value(json_object_get(o,
		    "total_vnd"));
	}
	out->n = json_array_size(a);
out:
	json_decref(a);
	return r;
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

int
lv_card_list(struct lv *v, struct lv_cards *out)
{
	json_t *a = NULL, *o;
	size_t i;
	int r;

	out->v = NULL;
	out->n = 0;
	if ((r = uc_ledger_card_list(v->l, 0, &a)) != 0)
		goto out;
	if (json_array_size(a) != 0 &&
	    (out->v = calloc(json_array_size(a), sizeof(*out->v))) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(a, i, o) {
		struct lv_card *c = &out->v[i];

		copy(c->serial, sizeof(c->serial), o, "serial");
		copy(c->member_code, sizeof(c->member_code), o,
		    "member_code");
		copy(c->status, sizeof(c->status), o, "status");
		copy(c->type, sizeof(c->type), o, "type");
	}
	out->n = json_array_size(a);
out:
	json_decref(a);
	return r;
}

int
lv_member_list_json(struct lv *v, const char *unit, char **out)
{
	json_t *a = NULL;
	int r;

	*out = NULL;
	if ((r = uc_ledger_member_list(v->l, unit, NULL, &a)) != 0)
		return r;
	/* as `member list --json` prints it (lgt_print_json) */
	*out = json_dumps(a, JSON_PRESERVE_ORDER);
	json_decref(a);
	return *out != NULL ? 0 : UC_ERR_NOMEM;
}
