/*
 * unioncard/transport.h - how bytes reach a card.
 *
 * A transport is a small vtable chosen by reader name:
 *
 *   pcsc:NAME   a PC/SC reader through pcsc-lite (a plain name means pcsc:)
 *   vcard:PATH  the virtual card in-process on its state file (PATH a file),
 *               or a hopper of cards (PATH a directory); not part of this
 *               library: the simulator library (src/vcard/, for tests and
 *               demos) registers it with uc_transport_register()
 *   nfc:CONN    a PN532-class reader through libnfc (connection string)
 *   replay:FILE a recorded transcript, for tests (see applets-spec/)
 *
 * The transport only moves raw APDUs.  Status words are interpreted above
 * it; uc_apdu_exchange() adds chaining, GET RESPONSE and 6Cxx handling.
 * Transport failures (UC_ERR_TRANSPORT, UC_ERR_NO_SERVICE, UC_ERR_NO_READER,
 * UC_ERR_NO_CARD, UC_ERR_CARD_REMOVED, UC_ERR_CARD_RESET, UC_ERR_READER_GONE)
 * never carry a status word.
 */
#ifndef UNIONCARD_TRANSPORT_H
#define UNIONCARD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_ATR_MAX 33
#define UC_READER_NAME_MAX 256

struct uc_transport;
struct uc_trace;

/* The vtable a backend implements (src/transport/<name>.c). */
struct uc_transport_ops {
	const char *scheme; /* "pcsc", "vcard", "nfc", "replay" */
	/* Open the reader named by the part after "scheme:". */
	int (*open)(const char *name, void **ctx);
	/*
	 * Wait up to timeout_ms (-1: forever) for a card to be present, then
	 * connect/power it and return its ATR.  UC_ERR_TIMEOUT if none came.
	 */
	int (*connect)(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len);
	/* Send one raw APDU, get the raw response (data + SW1 SW2). */
	int (*transmit)(void *ctx, const uint8_t *cmd, size_t cmd_len,
	    uint8_t *resp, size_t resp_cap, size_t *resp_len);
	/*
	 * Power the card off / let it go.  eject != 0 asks the reader to
	 * eject it (a printer's hopper moves to the next card).
	 */
	int (*disconnect)(void *ctx, int eject);
	/* Wait up to timeout_ms for the card to be removed. Optional. */
	int (*wait_removed)(void *ctx, int timeout_ms);
	void (*close)(void *ctx);
	/* Largest command data field the link carries in one APDU. */
	size_t max_lc;
};

/* Reader listing (for `unioncard readers`). */
struct uc_reader_info {
	char name[UC_READER_NAME_MAX]; /* full name, with scheme: prefix */
	int card_present;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
};

/*
 * List readers of every built-in backend that can enumerate (PC/SC; nfc
 * when built).  *out is a newly allocated array the caller frees with
 * free(); *n its length.  UC_ERR_NO_SERVICE if pcscd is not running and no
 * other backend has readers.
 */
UC_API int uc_readers_list(struct uc_reader_info **out, size_t *n);

/*
 * Open a transport by reader name (see above).  UC_ERR_NO_READER when the
 * name matches nothing, UC_ERR_UNSUPPORTED when the scheme is not built.
 * uc_transport_free() disconnects, closes and NULLs *t.
 */
UC_API int uc_transport_open(const char *reader, struct uc_transport **t);
UC_API void uc_transport_free(struct uc_transport **t);

/* Connect to (wait for) a card; ATR optional (atr may be NULL). */
UC_API int uc_transport_connect(struct uc_transport *t, int timeout_ms,
    uint8_t *atr, size_t *atr_len);
UC_API int uc_transport_disconnect(struct uc_transport *t, int eject);
UC_API int uc_transport_wait_removed(struct uc_transport *t, int timeout_ms);

/* The reader name as opened (borrowed). */
UC_API const char *uc_transport_name(const struct uc_transport *t);

/* Attach a trace (borrowed; NULL detaches). */
UC_API void uc_transport_set_trace(struct uc_transport *t,
    struct uc_trace *trace);

/*
 * One raw APDU round trip (traced).  resp holds data + SW1 SW2.  A
 * transport not yet connected is connected first (no waiting).
 */
UC_API int uc_transport_transmit(struct uc_transport *t, const uint8_t *cmd,
    size_t cmd_len, uint8_t *resp, size_t resp_cap, size_t *resp_len);

/*
 * The largest Le the link carries in one APDU: UC_APDU_LE_MAX_EXT, or
 * UC_APDU_LE_MAX_SHORT on links that carry short APDUs only (nfc: through
 * libnfc and a PN53x, whose chip frame holds at most 264 bytes and which
 * cannot send an extended-length command).  A caller that wants a long
 * answer asks with min(this, what the card takes) and lets
 * uc_apdu_exchange() follow 61xx with GET RESPONSE.
 */
UC_API uint32_t uc_transport_max_le(const struct uc_transport *t);

/* Counters, for benchmarks and the "APDUs per card" figures. */
UC_API uint64_t uc_transport_apdu_count(const struct uc_transport *t);

/*
 * One logical command: encodes a, chains it (CLA bit 0x10) if a->lc exceeds
 * max_lc (0: the transport's own; a larger value is capped to the
 * transport's own, since the link cannot carry more), follows 61xx with
 * GET RESPONSE (CLA keeps only the logical-channel bits; at most
 * UC_APDU_MAX_GET_RESPONSE_ROUNDS rounds, UC_APDU_MAX_RESPONSE_TOTAL bytes),
 * and re-sends once with the exact Le on 6Cxx.  The response data is
 * appended to resp (may be NULL when none is expected: data is then
 * dropped); *sw is the final status word.  A chain piece answered with
 * anything but 90 00 ends the exchange with that status word.
 *
 * Returns 0 when the exchange completed — whatever the status word, so the
 * caller can map it with uc_sw_to_err() — or a transport error, or
 * UC_ERR_PROTOCOL (a reply shorter than 2 bytes, or an SW1 outside
 * 61..6F / 90..9F) / UC_ERR_TOO_LONG / UC_ERR_TOO_MANY_ROUNDS for a card
 * that answers malformed or endlessly.  On error nothing is appended to
 * resp and *sw is 0.
 */
UC_API int uc_apdu_exchange(struct uc_transport *t, const struct uc_apdu *a,
    size_t max_lc, struct uc_buf *resp, uint16_t *sw);

/*
 * Register an extra backend: the simulator's `vcard:`, a test's
 * fault-injecting transport.  ops must outlive every transport opened
 * through it.  Registering the same ops twice is no error; another ops
 * under a scheme already taken is UC_ERR_EXISTS; at most 8 extra backends.
 */
UC_API int uc_transport_register(const struct uc_transport_ops *ops);

/*
 * For backends: t's backend context (what ops->open made) when t was
 * opened through ops, else NULL.  Borrowed pointer.
 */
UC_API void *uc_transport_backend_ctx(struct uc_transport *t,
    const struct uc_transport_ops *ops);

/*
 * For backends: record the one-line explanation of the current failure
 * that uc_transport_diag() gives (thread-local, truncated to 255
 * bytes).  The transport core clears it before each call into a backend.
 */
UC_API void uc_transport_set_detail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * Why the last transport call of this thread failed, as a diagnostic:
 * which PC/SC function failed and how, which transcript step did not
 * match ("" in d->msg when there is nothing to add).  d is cleared and
 * filled; returns d.  Tools print it after uc_strerror(), as they print
 * every struct uc_diag (error.h): one error-context path from every
 * layer.
 */
struct uc_diag;
UC_API const struct uc_diag *uc_transport_diag(struct uc_diag *d);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_TRANSPORT_H */
