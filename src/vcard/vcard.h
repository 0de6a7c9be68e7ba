/*
 * vcard/vcard.h - the virtual card: the union applet of applets-spec/
 * running in software on a JSON state file (applets-spec/virtual-card.md).
 *
 * It is used three ways: in-process behind the `vcard:` transport, behind
 * pcscd through the vsmartcard-vpcd driver (`unioncard-vcard serve`), and
 * behind the PN532 emulator for the libnfc path.  All three call
 * uc_vcard_process() with raw APDUs.
 *
 * Persistence: every command that changes non-volatile state writes the
 * whole state file anew (temp file, fsync, rename), so the file always holds
 * either the old or the new state.  Volatile state (secure-channel session,
 * STORE DATA staging, command chaining, pending GET RESPONSE data) lives in
 * memory and is lost on uc_vcard_power_off(), as on a real chip.
 */
#ifndef UNIONCARD_VCARD_H
#define UNIONCARD_VCARD_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uc_vcard;

/*
 * Make `vcard:PATH` readers known to uc_transport_open() (the simulator is
 * its own library; libunioncard does not know it).  Call once before
 * opening one; calling again is harmless.  Returns 0 or the error of
 * uc_transport_register().
 */
int uc_vcard_transport_register(void);

/* Options for a new blank card. */
struct uc_vcard_new_opts {
	const uint8_t *serial;   /* 8 bytes, NULL: random */
	/* SCP03 master keys (ENC, MAC, DEK; 16 bytes each) from which the
	 * card's own keys are diversified by its serial.  NULL: the
	 * well-known development keys 40..4F (documented, tests only). */
	const uint8_t *master_enc, *master_mac, *master_dek;
	uint8_t key_version;     /* 0: default 0x30 */
	int linked;              /* also carry the bank payment application */
	const char *pan;         /* linked: PAN digits, NULL: random Luhn-valid */
	const char *expiry_yymm; /* linked: NULL: 3 years ahead */
};

/* Write a new blank card's state file (refuses to overwrite: UC_ERR_EXISTS). */
int uc_vcard_create(const char *path,
    const struct uc_vcard_new_opts *opts);

/* Load a card from its state file.  Malformed files: UC_ERR_INVALID + diag. */
struct uc_diag;
int uc_vcard_load(const char *path, struct uc_vcard **out,
    struct uc_diag *diag);
void uc_vcard_free(struct uc_vcard **c);

/* The card's ATR (at most 33 bytes) and serial (8 bytes). */
int uc_vcard_atr(const struct uc_vcard *c, uint8_t *atr, size_t *len);
void uc_vcard_serial(const struct uc_vcard *c, uint8_t serial[8]);

/* Power: both clear every volatile state. */
void uc_vcard_power_on(struct uc_vcard *c);
void uc_vcard_power_off(struct uc_vcard *c);

/*
 * Process one command APDU and produce the response (data + SW1 SW2).
 * Returns 0 (whatever the SW), UC_ERR_IO if the state could not be saved
 * (the response is then 65 81), or UC_ERR_CARD_REMOVED when a configured
 * tear fires (no response; the card is powered off).
 */
int uc_vcard_process(struct uc_vcard *c, const uint8_t *cmd,
    size_t cmd_len, uint8_t *resp, size_t resp_cap, size_t *resp_len);

/*
 * Tearing, for tests: the card loses power at its n-th APDU (counted from 1
 * since load).  UC_VCARD_TEAR_BEFORE: the APDU is not processed.
 * UC_VCARD_TEAR_AFTER: it is processed (and committed) but no response is
 * sent.  n = 0 disables.
 */
#define UC_VCARD_TEAR_BEFORE 0
#define UC_VCARD_TEAR_AFTER 1
void uc_vcard_set_tear(struct uc_vcard *c, unsigned long n, int mode);

/*
 * The options of a vcard: reader (the in-process transport on a card file
 * or a hopper), for tests: tear_at K >= 1 pulls the card at the K-th APDU
 * the reader sends (counted from 1 since it was opened, across the cards
 * of a hopper), once, as tear_mode says; tear_back != 0 puts the torn
 * card back at once (the next card the reader connects to).  tear_at 0:
 * never.
 */
struct uc_vcard_reader_opts {
	unsigned long tear_at;
	int tear_mode;  /* UC_VCARD_TEAR_BEFORE or UC_VCARD_TEAR_AFTER */
	int tear_back;
};
struct uc_transport;
/*
 * Set the options of t, a transport opened on "vcard:PATH", before its
 * first APDU.  UC_ERR_ARG when t is another kind of transport.
 */
UC_API int uc_vcard_reader_set_opts(struct uc_transport *t,
    const struct uc_vcard_reader_opts *o);

/* APDUs processed since load. */
unsigned long uc_vcard_apdu_count(const struct uc_vcard *c);

/*
 * The vsmartcard-vpcd wire format (the reader driver inside pcscd; the card
 * is the TCP client): every message, both ways, is a 2-byte big-endian
 * length and that many bytes.  A 1-byte message from the reader is a
 * control code; a longer one is a command APDU.  Frames of length 0 and
 * unknown control codes are UC_ERR_PROTOCOL (the connection is unusable).
 */
#define UC_VPCD_POWER_OFF 0
#define UC_VPCD_POWER_ON 1
#define UC_VPCD_RESET 2
#define UC_VPCD_GET_ATR 4
#define UC_VPCD_DEFAULT_PORT 35963
#define UC_VPCD_FRAME_MAX 0xffffu /* payload bytes */

enum uc_vpcd_kind {
	UC_VPCD_INCOMPLETE = 0, /* read more bytes and call again */
	UC_VPCD_CONTROL,
	UC_VPCD_APDU,
};

struct uc_vpcd_frame {
	enum uc_vpcd_kind kind;
	uint8_t control;       /* UC_VPCD_CONTROL */
	const uint8_t *apdu;   /* UC_VPCD_APDU: borrowed from the input */
	size_t apdu_len;
	size_t consumed;       /* bytes of input this frame took (0 if none) */
};

/*
 * Parse the first frame of buf[0..len).  Returns 0 (see out->kind; with
 * UC_VPCD_INCOMPLETE nothing is consumed) or UC_ERR_PROTOCOL.
 */
int uc_vpcd_parse_frame(const uint8_t *buf, size_t len,
    struct uc_vpcd_frame *out);

/*
 * Frame a message for the reader: 2-byte length + payload into out.
 * Returns 0, UC_ERR_RANGE (n == 0 or n > UC_VPCD_FRAME_MAX) or
 * UC_ERR_BUFFER (cap < n + 2).
 */
int uc_vpcd_frame_encode(const uint8_t *p, size_t n, uint8_t *out,
    size_t cap, size_t *out_len);

/*
 * Readable state for `unioncard-vcard show` and tests: the lifecycle name
 * ("BLANK", "PERSONALIZING", "PERSONALIZED", "TERMINATED"), the SCP03
 * counters, and each data object (tag E1/E2/E3/EF) as its complete TLV
 * encoding appended to out (UC_ERR_NOT_FOUND if absent).  Keys are never
 * given out.
 */
const char *uc_vcard_lifecycle(const struct uc_vcard *c);
void uc_vcard_counters(const struct uc_vcard *c,
    unsigned long *scp_sequence, unsigned *auth_tries_left,
    unsigned *key_version);
/* Linked cards: the PAN (NUL-terminated digits) and expiry (YYMM + NUL)
 * of the bank application; UC_ERR_NOT_FOUND on a regular card. */
int uc_vcard_linked(const struct uc_vcard *c, char pan[20],
    char expiry[5]);
struct uc_buf;
int uc_vcard_object(const struct uc_vcard *c, uint8_t tag,
    struct uc_buf *out);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_VCARD_H */
