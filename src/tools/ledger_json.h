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

#endif /* UC_TOOLS_LEDGER_JSON_H */
