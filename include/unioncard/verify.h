/*
 * unioncard/verify.h - the verifier: is this card genuine, issued by us,
 * not revoked, not a copy, and who is it for?
 *
 * uc_verify_card() reads the card in the fewest APDUs (SELECT, GET DATA
 * 00FF with an extended Le or the 61xx loop, INTERNAL AUTHENTICATE with a
 * fresh 32-byte random challenge), parses every object strictly and runs
 * the checks, in this order:
 *
 *   objects      the card is personalized and locked, and its objects are
 *                exactly as spec §6 says (sizes, formats, order);
 *   hashes       every object matches its hash in the security object;
 *   signature    the security object's signature is valid;
 *   chain        its signer chains to a trusted root, is valid at the
 *                check time, is a document signer and is not revoked;
 *   active_auth  the chip proves it holds the private key of E2 and has
 *                the serial the objects name: a copy of the data on
 *                another chip fails here;
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
 * The verdict is valid only if every check is ok.  A check that could not
 * run because an earlier one failed is reported as failed with the reason.
 *
 * "Could not check" (no reader, no card, card pulled, I/O, a card that
 * answers garbage or endlessly) is an error RETURN, never a verdict: the
 * field officer must be told to try again, not that the card is forged.
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

struct uc_verify_check {
	const char *name;  /* static: "objects", "hashes", ... */
	int ok;
	char detail[UC_VERIFY_DETAIL_MAX];
};

/*
 * Status lookup, plugged in by the caller (the tool reads a signed status
 * list, docs/status-list.md).  Sets *revoked to 1 when the card must not
 * be accepted and may explain in detail; returns 0, or an error when the
 * list cannot answer for this card (the status check then fails).
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
	int valid;                       /* the verdict */
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
 * (a status-list signer, at check_time, 0: now) and its freshness;
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

/* The check named name in res, or NULL. */
UC_API const struct uc_verify_check *uc_verify_find(
    const struct uc_verify_result *res, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_VERIFY_H */
