/*
 * ledger_view.h - the server's one door into the ledger.
 *
 * Every call the server makes into libunioncard's ledger API is in
 * ledger_view.c, and what comes back is turned here into the small typed
 * rows the pages render.  Rules (who may see or approve what, which
 * state may follow which) are the library's; this file only carries the
 * calls and copies the answers.  Errors are the library's negative
 * UC_ERR_* codes; lv_why() says in the library's words why it refused.
 *
 * A struct lv is one signed-in account's handle on the ledger (opened at
 * sign-in, the account made the actor by uc_ledger_login, freed at sign
 * out or expiry).  One handle is used by one request at a time.
 */
#ifndef UC_SERVER_LEDGER_VIEW_H
#define UC_SERVER_LEDGER_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/ledger.h"

struct lv;

/* Check that the ledger at path opens (at start-up); d for the message. */
int lv_check(const char *path, char *why, size_t cap);

/* Open the ledger and sign user in.  UC_ERR_AUTH for any refusal (wrong
 * password, unknown, locked, disabled: audited by the library). */
int lv_login(const char *path, const char *user, const char *password,
    struct lv **out);
/* Open the ledger acting as the account of an API token (one request's
 * handle).  UC_ERR_AUTH for any refusal. */
int lv_token_login(const char *path, const char *token, struct lv **out);
void lv_free(struct lv **v);
const char *lv_why(struct lv *v);

struct lv_actor {
	char user[UC_LEDGER_USER_MAX + 1];
	char unit[UC_LEDGER_CODE_MAX + 1];
	char unit_name[UC_LEDGER_NAME_MAX + 1];
	int role;
};
int lv_whoami(struct lv *v, struct lv_actor *out);

struct lv_member {
	char code[32];      /* "" before approval */
	char name[UC_LEDGER_NAME_MAX + 1];
	char national_id[UC_LEDGER_CODE_MAX + 1];
	char status[16];
	char unit[UC_LEDGER_CODE_MAX + 1];
	char dob[16];
	char reason[UC_LEDGER_REASON_MAX + 1]; /* why rejected, or "" */
};
struct lv_members {
	struct lv_member *v;
	size_t n;
};
void lv_members_free(struct lv_members *m);

/* Members of unit's subtree (status NULL: all but withdrawn). */
int lv_member_list(struct lv *v, const char *unit, const char *status,
    struct lv_members *out);
/* Accent-insensitive search over the actor's subtree. */
int lv_member_find(struct lv *v, const char *text, struct lv_members *out);
int lv_member_show(struct lv *v, const char *key, struct lv_member *out);

/* One problem of an import, for the page that lists them all. */
typedef void (*lv_diag_fn)(void *ctx, unsigned long line, const char *field,
    const char *message);
/* Import csv (len bytes) into unit: nothing stored unless clean. */
int lv_member_import(struct lv *v, const char *unit, const char *csv,
    size_t len, const char *file_name, size_t *count, lv_diag_fn fn,
    void *ctx, size_t *nerrors);
int lv_member_submit(struct lv *v, const char *unit, size_t *count);
/* national_id NULL: every submitted member of unit. */
int lv_member_approve(struct lv *v, const char *unit,
    const char *national_id, size_t *count);
int lv_member_reject(struct lv *v, const char *unit, const char *national_id,
    const char *reason);

struct lv_unit {
	char code[UC_LEDGER_CODE_MAX + 1];
	char name[UC_LEDGER_NAME_MAX + 1];
	char parent[UC_LEDGER_CODE_MAX + 1];
};
struct lv_units {
	struct lv_unit *v;
	size_t n;
};
void lv_units_free(struct lv_units *u);
/* The units directly below unit. */
int lv_unit_children(struct lv *v, const char *unit, struct lv_units *out);

struct lv_request {
	int64_t id;
	char unit[UC_LEDGER_CODE_MAX + 1];
	char type[16];
	char status[16];
	char date[16];
	int64_t lines;
	int64_t total_vnd;
	char reason[UC_LEDGER_REASON_MAX + 1];
};
struct lv_requests {
	struct lv_request *v;
	size_t n;
};
void lv_requests_free(struct lv_requests *r);
int lv_request_list(struct lv *v, struct lv_requests *out);
int lv_request_create(struct lv *v, const char *unit, const char *type,
    int64_t *id);
int lv_request_submit(struct lv *v, int64_t id);
int lv_request_approve(struct lv *v, int64_t id);
int lv_request_reject(struct lv *v, int64_t id, const char *reason);
int lv_request_accept(struct lv *v, int64_t id);

struct lv_card {
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	char member_code[32];
	char status[16];
	char type[16];
};
struct lv_cards {
	struct lv_card *v;
	size_t n;
};
void lv_cards_free(struct lv_cards *c);
/* Every card of the actor's subtree. */
int lv_card_list(struct lv *v, struct lv_cards *out);

/* The JSON of `member list --json` for unit (the CALLER free()s *out). */
int lv_member_list_json(struct lv *v, const char *unit, char **out);

#endif
