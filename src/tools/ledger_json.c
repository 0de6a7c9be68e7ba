/*
 * ledger_json.c - typed ledger records to JSON (ledger_json.h).
 */
#include "unioncard/error.h"
#include "ledger_json.h"

/* A string, or null for NULL / "". */
static json_t *
str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *
uc_json_request_line(const struct uc_ledger_request_line *ln)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:o}",
	    "line_id", (json_int_t)ln->line_id,
	    "member_code", ln->member_code,
	    "national_id", ln->national_id,
	    "full_name", ln->full_name,
	    "fee_vnd", (json_int_t)ln->fee_vnd,
	    "payer", uc_ledger_payer_name((int)ln->payer),
	    "fee_item", ln->fee_item,
	    "replaces", str_or_null(ln->replaces));
}

json_t *
uc_json_request_event(const struct uc_ledger_request_event *ev)
{
	return json_pack("{s:s, s:s, s:s, s:s?}",
	    "action", ev->action,
	    "account", ev->account,
	    "at", ev->at,
	    "reason", ev->reason);
}

/* Append every element made by fn to a new array. */
static json_t *
array_of(const void *a, size_t n, size_t sz, json_t *(*fn)(const void *))
{
	json_t *arr = json_array(), *o;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = fn((const unsigned char *)a + i * sz)) == NULL ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *
line_fn(const void *p)
{
	return uc_json_request_line(p);
}

static json_t *
event_fn(const void *p)
{
	return uc_json_request_event(p);
}

json_t *
uc_json_request(const struct uc_ledger_request *q)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:o,"
	    " s:o}",
	    "id", (json_int_t)q->id,
	    "unit", q->unit,
	    "status", uc_ledger_request_status_name((int)q->status),
	    "type", uc_ledger_card_type_name((int)q->type),
	    "payer_choice", uc_ledger_payer_name((int)q->payer_choice),
	    "replacement", uc_ledger_replacement_name((int)q->replacement),
	    "date", q->date,
	    "reject_reason", q->reject_reason,
	    "lines", array_of(q->lines, q->nlines, sizeof(*q->lines),
	    line_fn),
	    "events", array_of(q->events, q->nevents, sizeof(*q->events),
	    event_fn));
}

json_t *
uc_json_member(const struct uc_ledger_member *m)
{
	char gender[2] = { m->gender, '\0' };

	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s,"
	    " s:s, s:s, s:o, s:o}",
	    "member_code", str_or_null(m->member_code),
	    "full_name", m->full_name,
	    "name_ascii", m->name_ascii,
	    "national_id", m->national_id,
	    "status", uc_ledger_member_status_name((int)m->status),
	    "mandatory", m->mandatory,
	    "gender", gender,
	    "date_of_birth", m->date_of_birth,
	    "position", m->position,
	    "joined_on", m->joined_on,
	    "unit", m->unit,
	    "reject_reason", str_or_null(m->reject_reason),
	    "withdrawn_reason", str_or_null(m->withdrawn_reason));
}

static json_t *
member_card(const struct uc_ledger_member_card *c)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s}",
	    "serial", c->serial,
	    "status", uc_ledger_card_status_name((int)c->status),
	    "type", uc_ledger_card_type_name((int)c->type),
	    "chip_serial", str_or_null(c->chip_serial),
	    "updated_at", c->updated_at);
}

static json_t *
card_fn(const void *p)
{
	return member_card(p);
}

json_t *
uc_json_member_cards(const struct uc_ledger_member *m,
    const struct uc_ledger_member_card *cards, size_t n)
{
	json_t *o = uc_json_member(m), *a;

	if (o == NULL)
		return NULL;
	if ((a = array_of(cards, n, sizeof(*cards), card_fn)) == NULL ||
	    json_object_set_new(o, "cards", a) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
uc_json_member_append(void *ctx, const struct uc_ledger_member *m)
{
	json_t *o = uc_json_member(m);

	if (o == NULL || json_array_append_new(ctx, o) != 0)
		return UC_ERR_NOMEM;
	return 0;
}

json_t *
uc_json_card(const struct uc_ledger_card *c)
{
	/* bound_by: the station's claim while the card is reserved */
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s,"
	    " s:s, s:s, s:o, s:o}", "serial", c->serial,
	    "member_code", c->member_code,
	    "status", uc_ledger_card_status_name((int)c->status),
	    "type", uc_ledger_card_type_name((int)c->type),
	    "full_name", c->full_name,
	    "chip_serial", str_or_null(c->chip_serial),
	    "reason", str_or_null(c->reason),
	    "replaced_by", str_or_null(c->replaced_by),
	    "created_at", c->created_at,
	    "updated_at", c->updated_at,
	    "unit", c->unit,
	    "pan_last4", str_or_null(c->pan_last4),
	    "bound_by", str_or_null(c->bound_by));
}

int
uc_json_card_append(void *ctx, const struct uc_ledger_card *c)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "serial", c->serial,
	    "member_code", c->member_code,
	    "status", uc_ledger_card_status_name((int)c->status),
	    "type", uc_ledger_card_type_name((int)c->type));

	/* linked cards: the bank card's last four digits, once known */
	if (o != NULL && c->pan_last4[0] != '\0' && json_object_set_new(o,
	    "pan_last4", json_string(c->pan_last4)) != 0) {
		json_decref(o);
		o = NULL;
	}
	if (o == NULL || json_array_append_new(ctx, o) != 0)
		return UC_ERR_NOMEM;
	return 0;
}

/* Append o (a new reference, NULL when out of memory) to the array. */
static int
append(json_t *arr, json_t *o)
{
	if (o == NULL || json_array_append_new(arr, o) != 0)
		return UC_ERR_NOMEM;
	return 0;
}

int
uc_json_unit_append(void *ctx, const struct uc_ledger_unit *u)
{
	return append(ctx, json_pack("{s:s, s:s, s:o, s:b, s:i}",
	    "code", u->code,
	    "name", u->name,
	    "parent", str_or_null(u->parent),
	    "exempt", u->exempt,
	    "depth", u->depth));
}

int
uc_json_account_append(void *ctx, const struct uc_ledger_account *a)
{
	return append(ctx, json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:s}",
	    "name", a->name,
	    "unit", a->unit,
	    "role", uc_ledger_role_name((int)a->role),
	    "status", uc_ledger_account_status_name((int)a->status),
	    "failed_logins", a->failed_logins,
	    "locked_until", str_or_null(a->locked_until),
	    "created_at", a->created_at));
}

int
uc_json_request_summary_append(void *ctx,
    const struct uc_ledger_request_summary *q)
{
	return append(ctx, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I,"
	    " s:o}",
	    "id", (json_int_t)q->id,
	    "unit", q->unit,
	    "type", uc_ledger_card_type_name((int)q->type),
	    "status", uc_ledger_request_status_name((int)q->status),
	    "date", q->date,
	    "lines", (json_int_t)q->lines,
	    "total_vnd", (json_int_t)q->total_vnd,
	    "reject_reason", str_or_null(q->reject_reason)));
}

int
uc_json_fee_append(void *ctx, const struct uc_ledger_fee *f)
{
	return append(ctx, json_pack("{s:s, s:s, s:I}",
	    "item", f->item,
	    "from", f->from,
	    "amount_vnd", (json_int_t)f->amount_vnd));
}

int
uc_json_bank_import_append(void *ctx, const struct uc_ledger_bank_import *b)
{
	return append(ctx, json_pack("{s:I, s:s, s:s, s:I, s:o, s:s, s:b}",
	    "import", (json_int_t)b->import,
	    "file", b->file,
	    "sha256", b->sha256,
	    "rows", (json_int_t)b->rows,
	    "account", str_or_null(b->account),
	    "at", b->at,
	    "newest", b->newest));
}

int
uc_json_fee_total_append(void *ctx, const struct uc_ledger_fee_total *t)
{
	return append(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
	    "period", t->period,
	    "unit", t->unit,
	    "payer", uc_ledger_payer_name((int)t->payer),
	    "lines", (json_int_t)t->lines,
	    "total_vnd", (json_int_t)t->total_vnd,
	    "paid_vnd", (json_int_t)t->paid_vnd,
	    "unpaid_vnd", (json_int_t)t->unpaid_vnd));
}

int
uc_json_fee_due_append(void *ctx, const struct uc_ledger_fee_due *d)
{
	return append(ctx, json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:I,"
	    " s:s}",
	    "request", (json_int_t)d->request,
	    "unit", d->unit,
	    "member_code", str_or_null(d->member_code),
	    "full_name", d->full_name,
	    "payer", uc_ledger_payer_name((int)d->payer),
	    "fee_item", d->fee_item,
	    "fee_vnd", (json_int_t)d->fee_vnd,
	    "request_day", d->request_day));
}

int
uc_json_card_count_append(void *ctx, const struct uc_ledger_card_count *c)
{
	return append(ctx, json_pack("{s:s, s:I}",
	    "status", uc_ledger_card_status_name((int)c->status),
	    "count", (json_int_t)c->count));
}

int
uc_json_progress_append(void *ctx, const struct uc_ledger_progress *p)
{
	return append(ctx, json_pack("{s:s, s:s, s:s?, s:i, s:o, s:I, s:I,"
	    " s:o, s:o, s:b, s:b, s:o}",
	    "unit", p->unit,
	    "name", p->name,
	    "parent", p->parent,
	    "depth", p->depth,
	    "target", p->has_target ? json_integer((json_int_t)p->target) :
	    json_null(),
	    "entered", (json_int_t)p->entered,
	    "approved", (json_int_t)p->approved,
	    "percent", p->percent >= 0 ? json_real(p->percent) : json_null(),
	    "rank", p->rank > 0 ? json_integer(p->rank) : json_null(),
	    "exempt", p->exempt,
	    "overdue", p->overdue,
	    "deadline", str_or_null(p->deadline)));
}

static json_t *
spoiled_fn(const void *p)
{
	const struct uc_ledger_spoiled_card *c = p;

	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}",
	    "serial", c->serial,
	    "request", c->request > 0 ? json_integer((json_int_t)c->request) :
	    json_null(),
	    "member_code", c->member_code,
	    "reason", c->reason,
	    "at", c->at,
	    "by", str_or_null(c->by));
}

json_t *
uc_json_spoilage(const struct uc_ledger_spoilage *s)
{
	json_t *by = json_object();
	size_t i;

	if (by == NULL)
		return NULL;
	for (i = 0; i < s->nreasons; i++)
		if (json_object_set_new(by, s->reasons[i].reason,
		    json_integer((json_int_t)s->reasons[i].count)) != 0) {
			json_decref(by);
			return NULL;
		}
	return json_pack("{s:I, s:o, s:o}", "total", (json_int_t)s->total,
	    "by_reason", by, "cards", array_of(s->cards, s->ncards,
	    sizeof(*s->cards), spoiled_fn));
}
