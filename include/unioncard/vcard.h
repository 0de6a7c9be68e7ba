/*
 * unioncard/vcard.h - the virtual card: the union applet of applets-spec/
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
UC_API int uc_vcard_create(const char *path,
    const struct uc_vcard_new_opts *opts);

/* Load a card from its state file.  Malformed files: UC_ERR_INVALID + diag. */
struct uc_diag;
UC_API int uc_vcard_load(const char *path, struct uc_vcard **out,
    struct uc_diag *diag);
UC_API void uc_vcard_free(struct uc_vcard **c);

/* The card's ATR (at most 33 bytes) and serial (8 bytes). */
UC_API int uc_vcard_atr(const struct uc_vcard *c, uint8_t *atr, size_t *len);
UC_API void uc_vcard_serial(const struct uc_vcard *c, uint8_t serial[8]);

/* Power: both clear every volatile state. */
UC_API void uc_vcard_power_on(struct uc_vcard *c);
UC_API void uc_vcard_power_off(struct uc_vcard *c);

/*
 * Process one command APDU and produce the response (data + SW1 SW2).
 * Returns 0 (whatever the SW), UC_ERR_IO if the state could not be saved
 * (the response is then 65 81), or UC_ERR_CARD_REMOVED when a configured
 * tear fires (no response; the card is powered off).
 */
UC_API int uc_vcard_process(struct uc_vcard *c, const uint8_t *cmd,
    size_t cmd_len, uint8_t *resp, size_t resp_cap, size_t *resp_len);

/*
 * Tearing, for tests: the card loses power at its n-th APDU (counted from 1
 * since load).  UC_VCARD_TEAR_BEFORE: the APDU is not processed.
 * UC_VCARD_TEAR_AFTER: it is processed (and committed) but no response is
 * sent.  n = 0 disables.
 */
#define UC_VCARD_TEAR_BEFORE 0
#define UC_VCARD_TEAR_AFTER 1
UC_API void uc_vcard_set_tear(struct uc_vcard *c, unsigned long n, int mode);

/* APDUs processed since load. */
UC_API unsigned long uc_vcard_apdu_count(const struct uc_vcard *c);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_VCARD_H */
