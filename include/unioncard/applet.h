/*
 * unioncard/applet.h - the engine's client of the union applet
 * (applets-spec/union-applet.md).
 *
 * uc_applet_select() selects the applet and parses its FCI (§5.1) into a
 * struct uc_card_info: everything the engine needs before it talks to the
 * card (serial, lifecycle, how much it takes per APDU, the secure-channel
 * parameters).  The FCI parser is strict: the elements must appear exactly
 * as §5.1 lists them, in that order, with exactly those lengths; anything
 * else is a malformed card response.
 */
#ifndef UNIONCARD_APPLET_H
#define UNIONCARD_APPLET_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* F0 + "UNIONCARD" + version 01 */
#define UC_APPLET_AID "\xF0\x55\x4E\x49\x4F\x4E\x43\x41\x52\x44\x01"
#define UC_APPLET_AID_LEN 11u
#define UC_APPLET_SPEC_VERSION 0x01u

#define UC_APPLET_SERIAL_LEN 8u
#define UC_APPLET_AID_MAX 16u
#define UC_APPLET_AID_MIN 5u
/* Bank payment applications listed in FCI tag 88. */
#define UC_APPLET_MAX_BANK_AIDS 4u

/* Lifecycle states (§2). */
#define UC_LIFECYCLE_BLANK 0x01u
#define UC_LIFECYCLE_PERSONALIZING 0x02u
#define UC_LIFECYCLE_PERSONALIZED 0x03u
#define UC_LIFECYCLE_TERMINATED 0xFFu

/* Secure channel protocol identifier in tag 85. */
#define UC_APPLET_SCP03 0x03u

struct uc_card_aid {
	uint8_t bytes[UC_APPLET_AID_MAX];
	size_t len;
};

struct uc_card_info {
	uint8_t spec_version;                  /* 80 */
	uint8_t serial[UC_APPLET_SERIAL_LEN];  /* 81 */
	uint8_t lifecycle;                     /* 82: UC_LIFECYCLE_* */
	uint16_t max_cmd;                      /* 83: command data field */
	uint16_t max_resp;                     /* 84: response data field */
	uint8_t scp;                           /* 85: first byte, 03 */
	uint8_t scp_i;                         /* 85: the "i" parameter */
	uint8_t kvn;                           /* 86: key version number */
	uint8_t tries_left;                    /* 87 */
	size_t n_bank_aids;                    /* 88 (linked cards) */
	struct uc_card_aid bank_aids[UC_APPLET_MAX_BANK_AIDS];
};

struct uc_diag;
struct uc_transport;

/*
 * Parse a SELECT response's data (the FCI, without SW) into *out (cleared
 * on entry).  Returns 0 or UC_ERR_PROTOCOL with diag (optional) naming the
 * offending tag.  Any bytes are safe to pass: this is a fuzz target.
 */
UC_API int uc_applet_parse_fci(const uint8_t *fci, size_t len,
    struct uc_card_info *out, struct uc_diag *diag);

/*
 * SELECT the union applet by its AID (P2 = 00, FCI requested) and parse
 * the FCI.  *sw is the card's status word.  Returns 0 when the card
 * answered 90 00, or 62 83 (terminated; the FCI is still parsed and
 * lifecycle is TERMINATED); uc_sw_to_err(*sw) for any other status word
 * (UC_ERR_SW_NOT_FOUND: not a union card); a transport error; or
 * UC_ERR_PROTOCOL for a malformed FCI (uc_transport_diag() says
 * what was wrong).
 */
UC_API int uc_applet_select(struct uc_transport *t, struct uc_card_info *out,
    uint16_t *sw);

/* "blank", "personalizing", "personalized", "terminated" or "unknown". */
UC_API const char *uc_applet_lifecycle_name(uint8_t lifecycle);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_APPLET_H */
