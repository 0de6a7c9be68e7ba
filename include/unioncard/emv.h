/*
 * unioncard/emv.h - reading the card number (PAN) of a linked card's bank
 * payment application, the way a payment terminal does
 * (applets-spec/linked-card.md).
 *
 * The personalization engine binds the union applet to the bank card it
 * sits on (object E3: a hash of the chip serial and the PAN), and the
 * verifier checks that binding; both read the PAN here:
 *
 *   SELECT 2PAY.SYS.DDF01 (PPSE)  -> the directory in the FCI (BF0C/61/4F)
 *   else SELECT 1PAY.SYS.DDF01 (PSE) and READ RECORD its directory file
 *   else SELECT each AID of a built-in list (NAPAS, then the international
 *        schemes)
 *   SELECT the application (highest priority first), its PDOL if any
 *   GET PROCESSING OPTIONS        -> AIP and AFL (format 1 or 2)
 *   READ RECORD every record of the AFL -> 5A PAN, 57 track 2, 5F24 expiry
 *
 * Every response is parsed as hostile input with the strict BER-TLV reader
 * and named limits; a malformed one is UC_ERR_PROTOCOL.  The PAN is a
 * secret of the bank's: it is returned in the caller's fixed buffer only,
 * every intermediate copy is wiped, and no diagnostic ever contains it
 * (nor any digit of it).  The trace module masks the responses that carry
 * it (GPO, READ RECORD).  The caller wipes its buffer with OPENSSL_cleanse
 * as soon as it has used it.
 */
#ifndef UNIONCARD_EMV_H
#define UNIONCARD_EMV_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_EMV_PAN_MIN 12
#define UC_EMV_PAN_MAX 19
#define UC_EMV_AID_MIN 5
#define UC_EMV_AID_MAX 16
/* Limits on what a card may make the reader do. */
#define UC_EMV_RESP_MAX 1024u     /* bytes of one response */
#define UC_EMV_MAX_CANDIDATES 8u  /* applications tried */
#define UC_EMV_MAX_RECORDS 32u    /* READ RECORDs per application */
#define UC_EMV_MAX_DIR_RECORDS 8u /* PSE directory records */
#define UC_EMV_PDOL_MAX 252u      /* bytes of PDOL data sent in GPO */

/* The NAPAS (Vietnam domestic scheme) debit application. */
#define UC_EMV_AID_NAPAS "\xA0\x00\x00\x07\x27\x10\x10"
#define UC_EMV_AID_NAPAS_LEN 7u

/*
 * Read the PAN of the card's payment application behind t (connected).
 * pan gets 12-19 ASCII digits + NUL (Luhn-valid), expiry "YYMM" + NUL,
 * aid/aid_len the application's AID (its DF name).  All are cleared on
 * entry and on failure.  Returns 0, or
 *   UC_ERR_SW_NOT_FOUND  no payment application on the card;
 *   UC_ERR_SW_*          the application refused GPO or READ RECORD;
 *   UC_ERR_PROTOCOL      a malformed, oversized or contradictory response,
 *                        no PAN in the records, a PAN failing its Luhn
 *                        check;
 *   a transport error.
 * The _diag form says what and where (never the PAN) in diag.
 */
UC_API int uc_emv_read_pan(struct uc_transport *t, char pan[20],
    char expiry[5], uint8_t aid[16], size_t *aid_len);
UC_API int uc_emv_read_pan_diag(struct uc_transport *t, char pan[20],
    char expiry[5], uint8_t aid[16], size_t *aid_len, struct uc_diag *diag);

/*
 * The pure part, for tests and the fuzzer: parse the data of one READ
 * RECORD response (the 70 template) and merge what it says about the PAN
 * and expiry into pan/expiry (each "" until found; a record that
 * contradicts an earlier one is UC_ERR_PROTOCOL).  Returns 0 or
 * UC_ERR_PROTOCOL with diag.
 */
UC_API int uc_emv_parse_record(const uint8_t *rec, size_t len, char pan[20],
    char expiry[5], struct uc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_EMV_H */
