/*
 * unioncard/verify.h - the verifier: is this card genuine, issued by us,
 * not revoked, not a copy, and who is it for?
 *
 * uc_verify_card() reads the card in the fewest APDUs (SELECT, GET DATA
 * 00FF with an extended Le or the 61xx loop, INTERNAL AUTHENTICATE with a
 * fresh 32-byte random challenge), parses every object strictly and runs
 * the checks, in this order:
 *
 *   objects      the card is personalized and locked, its objects are
 *                exactly as spec §6 says (sizes, formats, order, E3 as
 *                C4 says), E2 is on P-256 and E1/C7 is the chip's serial
 *                (applets-spec/verdicts.md §3); when it fails, nothing
 *                else is run;
 *   hashes       every object but E2 matches its hash in the security
 *                object (E2's is active_auth's);
 *   signature    the security object's signature is valid;
 *   chain        its signer chains to a trusted root, is valid at the
 *                check time, is a document signer and is not revoked;
 *   active_auth  E2 is the key the issuer signed, and the chip proves it
 *                holds its private key: a copy of the data on another
 *                chip fails here;
 *   expiry       the check date is within issued_on..expires_on;
 *   status       the status list does not mark the card revoked (when a
 *                list is given; otherwise listed as skipped, ok);
 *   bank_link    linked cards only (E1/C4 = 02 or E3 present): the union
 *                applet sits on the bank card it was issued with - the PAN
 *                read through the payment application, hashed with the
 *                chip serial, equals E3/C8, and E3 is signed
 *                (applets-spec/linked-card.md).  Not listed for regular
 *                cards.
 *
 * Each check ends in one outcome (enum uc_verify_outcome): ok, failed,
 * not run (a check it needs failed first: never counted as failed),
 * skipped (not asked for: no status list given) or could not check (the
 * verifier's own data cannot decide: a status list or CRL out of date,
 * unsigned, from another issuer).  The verdict follows, in one place
 * (applets-spec/verdicts.md):
 *
 *   invalid          some check failed; the headline names the first
 *                    failed check in the order above (res->lead);
 *   could not check  no check failed but one could not decide;
 *   valid            every check ok or skipped.
 *
 * A card that could not be read at all (no reader, no card, card pulled,
 * I/O, a card that answers garbage or endlessly) is an error RETURN, not a
 * result: the tool reports it as "could not check" too, never as invalid:
 * the field officer must be told to try again, not that the card is forged.
 */
#ifndef UNIONCARD_VERIFY_H
#define UNIONCARD_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "unioncard/common.h"
#include "unioncard/dataobj.h"
#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/member.h"
#include "unioncard/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_VERIFY_MAX_CHECKS 8
#define UC_VERIFY_DETAIL_MAX 192
#define UC_VERIFY_CHALLENGE_LEN 32

enum uc_verify_outcome {
	UC_VERIFY_OK = 0,
	UC_VERIFY_FAILED,    /* the card is shown not to be valid */
	UC_VERIFY_NOT_RUN,   /* not run: a check it depends on failed */
	UC_VERIFY_SKIPPED,   /* not asked for (no status list given) */
	UC_VERIFY_UNDECIDED, /* could not check: the verifier's own data
	                      * (status list, CRL) cannot answer */
};

enum uc_verdict {
	UC_VERDICT_VALID = 0,           /* exit status 0 */
	UC_VERDICT_INVALID = 1,         /* exit status 1 */
	UC_VERDICT_COULD_NOT_CHECK = 2, /* exit status 2 */
};

struct uc_verify_check {
	const char *name;  /* static: "objects", "hashes", ... */
	int ok;            /* outcome is UC_VERIFY_OK or UC_VERIFY_SKIPPED */
	enum uc_verify_outcome outcome;
	/* Static: what a failed or undecided check means for the officer,
	 * the words of the headline ("this card is a copy"); "" when ok. */
	const char *why;
	char detail[UC_VERIFY_DETAIL_MAX];
};

/*
 * Status lookup, plugged in by the caller (the tool reads a signed status
 * list, docs/status-list.md).  Sets *revoked to 1 when the card must not
 * be accepted and may explain in detail; returns 0, or an error when the
 * list cannot answer for this card (the status check is then "could not
 * check", with detail as the reason).  A card without a ledger card
 * serial is failed before the lookup is asked.
 */
/*
 * serial_hex is the chip serial (E1/C7), card_serial the ledger's card
 * serial (E1/CA, the status-list index; "" when the card carries none).
 */
typedef int (*uc_verify_status_fn)(void *ctx, const char *serial_hex,
    const char *card_serial, const char *member_code, int *revoked,
    char *detail, size_t cap);

struct uc_verify_opts {
	const struct uc_trust *trust; /* required */
	/* The day to check expiry on, "YYYYMMDD"; NULL: today in Vietnam
	 * (UTC+7).  Certificates are checked at check_time (0: now). */
	const char *check_date;
	time_t check_time;
	uc_verify_status_fn status; /* NULL: status skipped */
	void *status_ctx;
};

struct uc_verify_result {
	int valid;                       /* verdict == UC_VERDICT_VALID */
	enum uc_verdict verdict;
	int lead;      /* index of the check the headline names, -1: none */
	int blank;     /* the card is BLANK: never personalized */
	size_t n_checks;
	struct uc_verify_check checks[UC_VERIFY_MAX_CHECKS];
	/* The card, as far as it could be read (have_fields: E1 parsed). */
	int have_fields;
	char serial_hex[2 * UC_CARD_SERIAL_LEN + 1]; /* the chip's, FCI */
	uint8_t lifecycle;
	struct uc_member member;
	uint8_t point[UC_EC_POINT_LEN];    /* E2/86, when have_fields */
	uint8_t secobj_sha256[32];         /* SHA-256 of EF's complete TLV */
	char station[UC_STATION_MAX + 1];  /* from the signer certificate */
	uint64_t apdus;                    /* APDUs this verification took */
};

/*
 * Read and verify the card behind t (connected).  Returns 0 when a verdict
 * was reached (res->valid says which), or a transport / protocol error
 * (UC_ERR_NO_CARD, UC_ERR_CARD_REMOVED, UC_ERR_TOO_LONG,
 * UC_ERR_TOO_MANY_ROUNDS, UC_ERR_PROTOCOL, UC_ERR_TLV ...) when the card
 * could not be checked; diag then says at which step.
 */
UC_API int uc_verify_card(struct uc_transport *t,
    const struct uc_verify_opts *opts, struct uc_verify_result *res,
    struct uc_diag *diag);

/*
 * The same checks over data already read: the chip serial and lifecycle
 * (from SELECT), the GET DATA 00FF bytes, the challenge sent and the
 * INTERNAL AUTHENTICATE answer (aa_sw its status word).  Used by
 * uc_verify_card() and by tests replaying a recorded card
 * (applets-spec/worked-example.md).  Returns 0 with a verdict, or
 * UC_ERR_TLV when objects is not even BER-TLV.
 */
UC_API int uc_verify_objects(const uint8_t serial[UC_CARD_SERIAL_LEN],
    uint8_t lifecycle, const uint8_t *objects, size_t objects_len,
    const uint8_t challenge[UC_VERIFY_CHALLENGE_LEN], const uint8_t *aa_sig,
    size_t aa_sig_len, uint16_t aa_sw, const struct uc_verify_opts *opts,
    struct uc_verify_result *res, struct uc_diag *diag);

/*
 * The signed card status list (docs/status-list.md, written by the ledger)
 * as a status source.  Load checks the list's signature against trust
 * (a status-list signer, at check_time, 0: now) and its freshness; when
 * it refuses a list that parsed, diag's message names the list's times
 * ("made ... UTC, valid until ... UTC");
 * lookup has the uc_verify_status_fn signature, with ctx the loaded list.
 */
struct uc_verify_status_list;
UC_API int uc_verify_status_list_load(const char *path,
    const struct uc_trust *trust, time_t check_time,
    struct uc_verify_status_list **out, struct uc_diag *diag);
UC_API int uc_verify_status_list_lookup(void *ctx, const char *serial_hex,
    const char *card_serial, const char *member_code, int *revoked,
    char *detail, size_t cap);
UC_API void uc_verify_status_list_free(struct uc_verify_status_list **l);

/*
 * A status source for a list that could not be loaded: ctx is the reason
 * (a NUL-terminated string, borrowed, e.g. the load's diag message with
 * the list's times); every lookup answers "could not check" with it.  So
 * a stale list still lets the card be read and judged on everything else.
 */
UC_API int uc_verify_status_unusable(void *ctx, const char *serial_hex,
    const char *card_serial, const char *member_code, int *revoked,
    char *detail, size_t cap);

/*
 * The bank_link check on its own (src/verify/banklink.c), run by
 * uc_verify_card() after the other checks: when the objects (GET DATA
 * 00FF bytes) are a linked card's, reads the PAN through the payment
 * application behind t, appends the check "bank_link" to res and clears
 * res->valid if it failed.  Regular cards: nothing appended.  Returns 0,
 * or a transport / protocol error when the bank side could not be read
 * (diag says where; never the PAN).
 */
UC_API int uc_verify_bank_link(struct uc_transport *t,
    const uint8_t serial[UC_CARD_SERIAL_LEN], const uint8_t *objects,
    size_t objects_len, const struct uc_verify_opts *opts,
    struct uc_verify_result *res, struct uc_diag *diag);

/*
 * The names of a verdict ("valid", "invalid", "could not check") and of
 * an outcome ("ok", "failed", "not run", "skipped", "could not check");
 * static storage.  uc_verdict_json: "valid", "invalid",
 * "could_not_check", the --json spelling.
 */
UC_API const char *uc_verdict_name(enum uc_verdict v);
UC_API const char *uc_verdict_json(enum uc_verdict v);
UC_API const char *uc_verify_outcome_name(enum uc_verify_outcome o);

/* The check the headline names (res->lead), or NULL when valid. */
UC_API const struct uc_verify_check *uc_verify_lead(
    const struct uc_verify_result *res);

/* The check named name in res, or NULL. */
UC_API const struct uc_verify_check *uc_verify_find(
    const struct uc_verify_result *res, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_VERIFY_H */
