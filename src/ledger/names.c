/*
 * names.c - the ledger's enums and their text forms (unioncard/ledger.h):
 * one table per enum, the words the schema's CHECK constraints allow and
 * the tools print.
 */
#include <string.h>

#include "unioncard/ledger.h"
#include "unioncard/membercode.h"

static const char *const request_status[] = {
	NULL, "draft", "submitted", "approved", "rejected", "accepted",
	"withdrawn",
};
static const char *const member_status[] = {
	NULL, "entered", "submitted", "approved", "rejected", "withdrawn",
};
static const char *const account_status[] = {
	NULL, "active", "locked", "disabled",
};
static const char *const card_type[] = { NULL, "regular", "linked" };
static const char *const card_status[] = {
	NULL, "reserved", "encoded", "issued", "spoiled", "lost", "stolen",
	"damaged", "revoked", "replaced",
};
static const char *const payer[] = { NULL, "province", "member", "union" };
static const char *const replacement[] = {
	NULL, "lost", "stolen", "damaged", "data_change",
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *
name(const char *const *t, int n, int v)
{
	return v > 0 && v < n ? t[v] : NULL;
}

static int
parse(const char *const *t, int n, const char *s)
{
	int i;

	if (s == NULL)
		return 0;
	for (i = 1; i < n; i++)
		if (strcmp(t[i], s) == 0)
			return i;
	return 0;
}

const char *
uc_ledger_request_status_name(int v)
{
	return name(request_status, COUNT(request_status), v);
}

int
uc_ledger_request_status_parse(const char *s)
{
	return parse(request_status, COUNT(request_status), s);
}

const char *
uc_ledger_card_type_name(int v)
{
	return name(card_type, COUNT(card_type), v);
}

int
uc_ledger_card_type_parse(const char *s)
{
	return parse(card_type, COUNT(card_type), s);
}

const char *
uc_ledger_card_status_name(int v)
{
	return name(card_status, COUNT(card_status), v);
}

int
uc_ledger_card_status_parse(const char *s)
{
	return parse(card_status, COUNT(card_status), s);
}

const char *
uc_ledger_payer_name(int v)
{
	return name(payer, COUNT(payer), v);
}

int
uc_ledger_payer_parse(const char *s)
{
	return parse(payer, COUNT(payer), s);
}

const char *
uc_ledger_replacement_name(int v)
{
	return name(replacement, COUNT(replacement), v);
}

int
uc_ledger_replacement_parse(const char *s)
{
	return parse(replacement, COUNT(replacement), s);
}

const char *
uc_ledger_member_status_name(int v)
{
	return name(member_status, COUNT(member_status), v);
}

int
uc_ledger_member_status_parse(const char *s)
{
	return parse(member_status, COUNT(member_status), s);
}

const char *
uc_ledger_account_status_name(int v)
{
	return name(account_status, COUNT(account_status), v);
}

/* The fixed fields of ledger.h hold what membercode.h makes. */
_Static_assert(sizeof(((struct uc_ledger_member *)0)->member_code) ==
    UC_MEMBERCODE_LEN + 1, "member code field");
_Static_assert(sizeof(((struct uc_ledger_request_line *)0)->member_code) ==
    UC_MEMBERCODE_LEN + 1, "member code field");
