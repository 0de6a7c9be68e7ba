/*
 * vcard_priv.h - the virtual card's insides, shared by the files of src/vcard/.
 *
 * The card's state is split the way a chip's memory is:
 *
 *   struct vc_nv   non-volatile (EEPROM): everything in the state file.  It
 *                  is a plain value with fixed arrays, so a command works on
 *                  a copy, saves the copy, and only then replaces the card's
 *                  state: a failed save leaves the card as it was.
 *   the rest of    volatile (RAM): secure-channel session, command chaining,
 *   struct uc_vcard STORE DATA staging, pending GET RESPONSE data.  Cleared
 *                  by every power-on and power-off.
 */
#ifndef UC_VCARD_PRIV_H
#define UC_VCARD_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"
#include "vcard/vcard.h"

/* Lifecycle states (applets-spec/union-applet.md §2). */
#define VC_LC_BLANK 0x01
#define VC_LC_PERSONALIZING 0x02
#define VC_LC_PERSONALIZED 0x03
#define VC_LC_TERMINATED 0xff

/* Limits of the applet (union-applet.md §3, §6). */
#define VC_MAX_CMD_DATA 2048u  /* FCI tag 83 */
#define VC_MAX_RESP_DATA 2048u /* FCI tag 84 */
#define VC_MAX_CHAIN 8192u     /* reassembled chained command data */
#define VC_MAX_STAGE 8192u     /* staged STORE DATA sequence */
#define VC_E1_MAX 512u
#define VC_E3_MAX 128u
#define VC_EF_MAX 3072u
#define VC_EC_PRIV_LEN 32u
#define VC_EC_PUB_LEN 65u
#define VC_PAN_MIN 12u
#define VC_PAN_MAX 19u
#define VC_BANK_AID_MIN 5u
#define VC_BANK_AID_MAX 16u

/* The applet's AID: F0 "UNIONCARD" 01. */
extern const uint8_t vc_aid[11];

/* Non-volatile state: exactly what the state file holds. */
struct vc_nv {
	uint8_t serial[8];
	uint8_t lifecycle;
	/* SCP03 static keys of this card (already diversified) and the
	 * secure channel's counters (sequence counter, tries left). */
	struct uc_scp03_keys keys;
	struct uc_scp03_card_nv scp;
	/* The card's EC key (P-256); pub is derived from priv on load. */
	int has_key;
	uint8_t ec_priv[VC_EC_PRIV_LEN];
	uint8_t ec_pub[VC_EC_PUB_LEN];
	/* Linked card: the bank payment application beside the applet.  Only
	 * what the union applet shows of it (FCI tag 88) and what testers
	 * need (PAN, expiry) are kept; the bank application itself is not
	 * emulated. */
	int linked;
	char pan[VC_PAN_MAX + 1];
	char expiry[5]; /* YYMM */
	uint8_t bank_aid[VC_BANK_AID_MAX];
	size_t bank_aid_len;
	/* Data objects: contents only (the card adds tag and length). */
	size_t e1_len, e3_len, ef_len; /* 0: absent */
	uint8_t e1[VC_E1_MAX];
	uint8_t e3[VC_E3_MAX];
	uint8_t ef[VC_EF_MAX];
};

struct uc_vcard {
	char *path;
	struct vc_nv nv;
	/* volatile */
	int powered;
	struct uc_scp03_card *sm;  /* secure channel (volatile) */
	int chain_active;          /* collecting a chained command */
	uint8_t chain_hdr[4];      /* CLA (without bit 10) INS P1 P2 */
	struct uc_buf chain;
	int stage_active;          /* STORE DATA sequence under way */
	unsigned stage_next;       /* expected P2 */
	struct uc_buf stage;
	struct uc_buf pending;     /* GET RESPONSE data */
	size_t pending_off;
	uint16_t pending_sw;       /* SW after the last pending byte */
	int pending_bank;          /* pending is the bank side's answer */
	/* Linked cards: the application selected on logical channel 0
	 * (VC_APP_*, the union applet by default) and whether GET
	 * PROCESSING OPTIONS has run since the payment application was
	 * selected (emv.c). */
	int emv_app;
	int emv_gpo;
	/* test hooks */
	unsigned long apdus;
	unsigned long tear_at;
	int tear_mode;
};

/* "BLANK", "PERSONALIZING", ... ("UNKNOWN" otherwise). */
const char *vc_lifecycle_name(uint8_t lc);

/* 1 if s is 12-19 digits with a correct Luhn check digit. */
int vc_pan_valid(const char *s);

/* Wipe a vc_nv (it holds keys). */
void vc_nv_wipe(struct vc_nv *nv);

/* state.c: the JSON state file (applets-spec/virtual-card.md). */
int vc_state_load(const char *path, struct vc_nv *nv, struct uc_diag *diag);
int vc_state_save(const char *path, const struct vc_nv *nv);
/* The same for a new file: UC_ERR_EXISTS if path exists. */
int vc_state_create(const char *path, const struct vc_nv *nv);
/* Check a state's internal consistency (used by load and tests). */
int vc_state_check(const struct vc_nv *nv, const char *file,
    struct uc_diag *diag);

/* objects.c: the object checks of union-applet.md §6.  Return 0 or the
 * status word to answer (0x6A80 malformed, 0x6A84 too large). */
uint16_t vc_check_e1(const uint8_t *v, size_t len, const uint8_t serial[8],
    const char **why);
uint16_t vc_check_e3(const uint8_t *v, size_t len, const char **why);
uint16_t vc_check_ef(const uint8_t *v, size_t len, const char **why);
/* Append an object (tag, length, contents) to out; present objects only. */
int vc_object_encode(const struct vc_nv *nv, uint8_t tag, struct uc_buf *out);
/* 1 if the object with this tag is present. */
int vc_object_present(const struct vc_nv *nv, uint8_t tag);

/* eckey.c: P-256 with OpenSSL. */
int vc_ec_generate(uint8_t priv[VC_EC_PRIV_LEN], uint8_t pub[VC_EC_PUB_LEN]);
int vc_ec_public(const uint8_t priv[VC_EC_PRIV_LEN],
    uint8_t pub[VC_EC_PUB_LEN]);
int vc_ec_sign(const uint8_t priv[VC_EC_PRIV_LEN],
    const uint8_t pub[VC_EC_PUB_LEN], const uint8_t *msg, size_t len,
    struct uc_buf *der);

/* emv.c: the bank payment application of a linked card
 * (applets-spec/linked-card.md). */
#define VC_APP_UNION 0
#define VC_APP_PPSE 1
#define VC_APP_PSE 2
#define VC_APP_PAYMENT 3
struct uc_apdu;
/* Back to the union applet (power on/off, SELECT of the union AID). */
void vc_emv_reset(struct uc_vcard *c);
/* 1 if the command is the payment side's: a SELECT of one of its names,
 * or any command while one of them is selected. */
int vc_emv_claims(const struct uc_vcard *c, const struct vc_nv *nv,
    const struct uc_apdu *a);
/* Answer it: the status word, response data appended to out. */
uint16_t vc_emv_dispatch(struct uc_vcard *c, const struct vc_nv *nv,
    const struct uc_apdu *a, struct uc_buf *out);

#endif /* UC_VCARD_PRIV_H */
