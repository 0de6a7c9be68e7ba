/*
 * ledger_json.h - the ledger's typed records as JSON, for the tools'
 * --json output (and the same shapes for any later front end): the one
 * place where a struct of unioncard/ledger.h becomes JSON.
 *
 * Each function returns a new reference (the CALLER json_decref()s it),
 * NULL when out of memory.  The shapes are those documented in
 * docs/ledger.md and asserted by the tests.
 */
#ifndef UC_TOOLS_LEDGER_JSON_H
#define UC_TOOLS_LEDGER_JSON_H

#include <jansson.h>

#include "unioncard/ledger.h"

/* {"id","unit","status","type","payer_choice","replacement","date",
 *  "reject_reason","lines":[...],"events":[...]} */
json_t *uc_json_request(const struct uc_ledger_request *q);
/* {"line_id","member_code","national_id","full_name","fee_vnd","payer",
 *  "fee_item","replaces"} */
json_t *uc_json_request_line(const struct uc_ledger_request_line *ln);
/* {"action","account","at","reason"} */
json_t *uc_json_request_event(const struct uc_ledger_request_event *ev);

/* {"member_code","full_name","name_ascii","national_id","status",
 *  "mandatory","gender","date_of_birth","position","joined_on","unit",
 *  "reject_reason","withdrawn_reason"} (null where the ledger has
 *  nothing) */
json_t *uc_json_member(const struct uc_ledger_member *m);
/* The member with "cards": [{"serial","status","type","chip_serial",
 * "updated_at"}...] */
json_t *uc_json_member_cards(const struct uc_ledger_member *m,
    const struct uc_ledger_member_card *cards, size_t n);
/* A uc_ledger_member_fn that appends uc_json_member(m) to the json_t
 * array ctx (UC_ERR_NOMEM when it cannot). */
int uc_json_member_append(void *ctx, const struct uc_ledger_member *m);

/* card show: {"serial","member_code","status","type","full_name",
 * "chip_serial","reason","replaced_by","created_at","updated_at","unit",
 * "pan_last4","bound_by"} */
json_t *uc_json_card(const struct uc_ledger_card *c);
/* A uc_ledger_card_fn appending card list's row {"serial","member_code",
 * "status","type"[,"pan_last4"]} to the json_t array ctx. */
int uc_json_card_append(void *ctx, const struct uc_ledger_card *c);

/*
 * Callbacks for the uc_ledger_*_each walks that append one object per
 * record to the json_t array ctx (UC_ERR_NOMEM when they cannot):
 *   unit     {"code","name","parent","exempt","depth"}
 *   account  {"name","unit","role","status","failed_logins",
 *             "locked_until","created_at"}
 *   request  {"id","unit","type","status","date","lines","total_vnd",
 *             "reject_reason"}
 *   fee      {"item","from","amount_vnd"}
 */
int uc_json_unit_append(void *ctx, const struct uc_ledger_unit *u);
int uc_json_account_append(void *ctx, const struct uc_ledger_account *a);
int uc_json_request_summary_append(void *ctx,
    const struct uc_ledger_request_summary *q);
int uc_json_fee_append(void *ctx, const struct uc_ledger_fee *f);
/* report fees {"period","unit","payer","lines","total_vnd","paid_vnd",
 * "unpaid_vnd"}; report fees --unpaid {"request","unit","member_code",
 * "full_name","payer","fee_item","fee_vnd","request_day"}; report cards
 * {"status","count"} */
int uc_json_fee_total_append(void *ctx, const struct uc_ledger_fee_total *t);
int uc_json_fee_due_append(void *ctx, const struct uc_ledger_fee_due *d);
int uc_json_card_count_append(void *ctx,
    const struct uc_ledger_card_count *c);
/* report progress {"unit","name","parent","depth","target","entered",
 * "approved","percent","rank","exempt","overdue","deadline"} */
int uc_json_progress_append(void *ctx, const struct uc_ledger_progress *p);
/* report spoilage {"total": N, "by_reason": {REASON: N...} (most
 * frequent first), "cards": [{"serial","request","member_code","reason",
 * "at","by"}...]} */
json_t *uc_json_spoilage(const struct uc_ledger_spoilage *s);
/* bank import {"import","file","sha256","rows","account","at","newest"} */
int uc_json_bank_import_append(void *ctx,
    const struct uc_ledger_bank_import *b);

#endif /* UC_TOOLS_LEDGER_JSON_H */
