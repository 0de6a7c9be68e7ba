/*
 * transport_nfc.h - the `nfc:` backend (src/transport/nfc.c), private.
 *
 * Built only when libnfc is found (UC_HAVE_NFC in config.h).  The registry
 * in transport.c lists uc_transport_nfc_ops under #if UC_HAVE_NFC, and
 * uc_readers_list() may add the readers of uc_transport_nfc_list().
 */
#ifndef UC_TRANSPORT_NFC_H
#define UC_TRANSPORT_NFC_H

#include <stddef.h>

#include "unioncard/transport.h"

/*
 * Largest raw APDU libnfc 1.8.0 carries in one InDataExchange (its
 * 264-byte chip frame less the command code and target number).  Longer
 * commands are refused with UC_ERR_RANGE before they reach libnfc, which
 * does not check.  Short APDUs (Lc <= 255) always fit.
 */
#define UC_NFC_APDU_MAX 262u
/* Largest response: the chip's 264-byte frame less the status byte. */
#define UC_NFC_RESP_MAX 263u
/* How long one APDU may take on the card. */
#define UC_NFC_APDU_TIMEOUT_MS 10000
/* At most this many libnfc readers in uc_readers_list(). */
#define UC_READERS_NFC_MAX 8u
/* How often connect() and wait_removed() look for a card. */
#define UC_NFC_POLL_MS 100

extern const struct uc_transport_ops uc_transport_nfc_ops;

/*
 * The libnfc devices that can be named (as "nfc:CONNSTRING"), without
 * opening them.  Fills at most cap entries of out (card_present is 0: the
 * field is not polled); *n is the count.  Returns 0 or UC_ERR_NOMEM.
 */
int uc_transport_nfc_list(struct uc_reader_info *out, size_t cap, size_t *n);

#endif /* UC_TRANSPORT_NFC_H */
