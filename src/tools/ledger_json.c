/*
 * ledger_json.c - typed ledger records to JSON (ledger_json.h).
 */
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
	    "payer", uc_ledger_payer_name(ln->payer),
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
	    "status", uc_ledger_request_status_name(q->status),
	    "type", uc_ledger_card_type_name(q->type),
	    "payer_choice", uc_ledger_payer_name(q->payer_choice),
	    "replacement", uc_ledger_replacement_name(q->replacement),
	    "date", q->date,
	    "reject_reason", q->reject_reason,
	    "lines", array_of(q->lines, q->nlines, sizeof(*q->lines),
	    line_fn),
	    "events", array_of(q->events, q->nevents, sizeof(*q->events),
	    event_fn));
}
