/*
 * unioncard/perso.h - the personalization engine: one member onto one
 * blank card.
 *
 * uc_perso_card() runs the whole sequence of applets-spec/union-applet.md
 * over a transport, in the fewest APDUs the card's buffer allows:
 *
 *   (linked cards) the PAN     read through the bank payment application
 *                              (emv.h: PPSE, SELECT, GPO, READ RECORD)
 *                              before anything else, for the E3 binding
 *   SELECT                     refuse unless BLANK or PERSONALIZING
 *   INITIALIZE UPDATE          SCP03 with the card's keys, diversified
 *   EXTERNAL AUTHENTICATE      from the master keys by the card serial;
 *                              a wrong master key is detected from the
 *                              card cryptogram BEFORE anything is sent
 *                              that could change the card
 *   STORE DATA x n             E1 (+ E3) in one sequence: the first write,
 *                              and encrypted, so that a card holding
 *                              another ENC key (which the cryptograms do
 *                              not prove) refuses it and, the sequence
 *                              being atomic, stays exactly as it was
 *   GENERATE KEY               the card's own P-256 key: object E2
 *   STORE DATA x n             the security object EF, signed over E1,
 *                              E2 (and E3); n = 1 on a card taking 2 KiB
 *                              per APDU
 *   SET STATUS 03              locked: read-only for ever
 *
 * Seven APDUs for a regular card on the virtual card.  The engine does not
 * read the card back: that is the verifier's job (verify.h), which the
 * station runs next.
 */
#ifndef UNIONCARD_PERSO_H
#define UNIONCARD_PERSO_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"
#include "unioncard/dataobj.h"
#include "unioncard/error.h"
#include "unioncard/member.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fewest APDUs a regular card can be personalized in (see above). */
#define UC_PERSO_MIN_APDUS 7

struct uc_perso_keys {
	/* SCP03 master keys (borrowed); diversified by the card serial. */
	const struct uc_scp03_keys *scp_master;
	/* The station's document signer (borrowed). */
	struct uc_signer *signer;
	/* Linked cards only: the PAN of the card's bank application, for
	 * the E3 binding.  The engine reads it from the card's payment
	 * application (applets-spec/linked-card.md); when pan is given too,
	 * the card's must equal it (UC_ERR_INVALID otherwise). */
	const char *pan;
	/* Linked cards: the bank-link HMAC key (UC_BANK_KEY_MIN..MAX bytes,
	 * borrowed), for res->pan_hmac.  NULL: no HMAC (have_pan_hmac 0). */
	const uint8_t *bank_link_key;
	size_t bank_link_key_len;
};

/* Where a failed personalization stopped (for the station's ledger), in
 * the order of the sequence. */
enum uc_perso_stage {
	UC_PERSO_STAGE_NONE = 0,
	UC_PERSO_STAGE_SELECT,
	UC_PERSO_STAGE_CHANNEL,   /* nothing written yet */
	UC_PERSO_STAGE_IDENTITY,  /* the first write; if refused, none */
	UC_PERSO_STAGE_GENERATE,  /* the card may hold E1 (E3), a new key */
	UC_PERSO_STAGE_STORE,     /* the card may hold E1 (E3) and E2 */
	UC_PERSO_STAGE_LOCK,      /* all objects written, not locked */
	UC_PERSO_STAGE_DONE,
};

struct uc_perso_result {
	uint8_t serial[UC_CARD_SERIAL_LEN];
	uint8_t lifecycle_before;          /* 01 or 02 */
	uint8_t point[UC_EC_POINT_LEN];    /* the card's public key (E2) */
	uint8_t secobj_sha256[32];         /* SHA-256 of EF's complete TLV */
	uint64_t apdus;                    /* APDUs sent, GET RESPONSE too */
	unsigned store_blocks;             /* STORE DATA APDUs */
	size_t block_max;                  /* plain bytes per STORE DATA */
	enum uc_perso_stage stage;         /* last stage reached */
	uint16_t last_sw;                  /* status word of a refusal */
	/* UC_ERR_AUTH at stage CHANNEL: the SCP03 key version the card
	 * holds (-1 unknown) and the one of our keys. */
	int card_kvn;
	uint8_t keys_kvn;
	/* Linked cards: what the ledger keeps of the PAN (never the PAN):
	 * its last four digits and HMAC-SHA256(bank_link_key, PAN digits),
	 * the pseudonym of bankfile.h (uc_bank_pan_hmac). */
	int linked;                        /* E3 was written */
	char pan_last4[5];
	int have_pan_hmac;
	uint8_t pan_hmac[32];
	uint8_t bank_aid[16];              /* E3/C9 */
	size_t bank_aid_len;
};

/*
 * Personalize the card behind t (connected) for member m.  *res is cleared
 * on entry and filled as far as the sequence got.  Returns 0 or
 *   UC_ERR_STATE         the card is PERSONALIZED or TERMINATED;
 *   UC_ERR_AUTH          wrong master keys (card cryptogram), or the
 *                        card has no keys of our key version (6A 88):
 *                        nothing was written; res->card_kvn and
 *                        keys_kvn say which versions, the diag too;
 *   UC_ERR_KEY           at stage UC_PERSO_STAGE_CHANNEL: the secure
 *                        channel's ENC key does not match the card (its
 *                        MAC key does), seen in the card challenge;
 *                        nothing was written.  At stage IDENTITY, the
 *                        same seen by a card without pseudo-random
 *                        challenges: it refused the first, encrypted
 *                        write with 69 88, and nothing was written.  The
 *                        key file is wrong, not the card;
 *   UC_ERR_SW_*          the card refused a command (res->last_sw);
 *   UC_ERR_SW_NOT_FOUND  a linked member on a card without a payment
 *                        application;
 *   UC_ERR_PROTOCOL      the payment application answered malformed;
 *   UC_ERR_KEY           (at stage SELECT) bank_link_key of the wrong
 *                        length;
 *   UC_ERR_INVALID       the member does not fit the card (diag);
 *   a transport error    the card went away (res->stage says where).
 */
UC_API int uc_perso_card(struct uc_transport *t, const struct uc_member *m,
    const struct uc_perso_keys *keys, struct uc_perso_result *res,
    struct uc_diag *diag);

/*
 * The same, for a caller that has just selected the union applet itself
 * (uc_applet_select() on t, no APDU since): *selected is that answer and
 * the engine does not send SELECT again (the station: it selects to bind
 * the chip before writing, so a card costs one SELECT, not two).
 * selected == NULL: uc_perso_card().  res->apdus then counts from the
 * first APDU after that SELECT.
 */
struct uc_card_info;
UC_API int uc_perso_card_selected(struct uc_transport *t,
    const struct uc_card_info *selected, const struct uc_member *m,
    const struct uc_perso_keys *keys, struct uc_perso_result *res,
    struct uc_diag *diag);

/*
 * The linked-card step on its own (src/perso/banklink.c): read the PAN
 * through the payment application behind t, check the AID read is one of
 * bank_aids (the union applet's FCI 88) and, when expect_pan is given,
 * that the card's PAN equals it; build the complete E3 object into e3;
 * fill res->linked, pan_last4, pan_hmac (when key), bank_aid.  The PAN
 * exists only in a local buffer, wiped before return.
 */
struct uc_card_aid;
UC_API int uc_perso_bank_link(struct uc_transport *t,
    const uint8_t serial[UC_CARD_SERIAL_LEN],
    const struct uc_card_aid *bank_aids, size_t n_bank_aids,
    const char *expect_pan, const uint8_t *key, size_t key_len,
    struct uc_buf *e3, struct uc_perso_result *res, struct uc_diag *diag);

/* A short English name of a stage ("secure channel", ...). */
UC_API const char *uc_perso_stage_str(enum uc_perso_stage s);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_PERSO_H */
