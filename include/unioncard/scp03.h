/*
 * unioncard/scp03.h - GlobalPlatform Secure Channel Protocol 03.
 *
 * SCP03 is the secure channel of GlobalPlatform Card Specification 2.3,
 * Amendment D: AES keys, session keys from the NIST SP 800-108 KDF in
 * counter mode with AES-CMAC as PRF, mutual authentication by cryptograms,
 * C-MAC chaining across commands, command data encryption (C-DECRYPTION),
 * response MACs (R-MAC) and response encryption (R-ENCRYPTION).
 * applets-spec/secure-channel.md is the byte-level contract; this header is
 * its C face.
 *
 * The module serves both ends of the channel:
 *
 *   - the CARD side (the virtual card): struct uc_scp03_card handles
 *     INITIALIZE UPDATE and EXTERNAL AUTHENTICATE, unwraps protected
 *     commands and wraps responses.  It does no I/O, no allocation after
 *     uc_scp03_card_new(), and keeps only volatile session state; the two
 *     non-volatile values (sequence counter, tries left) live in a
 *     caller-owned struct uc_scp03_card_nv that the caller persists;
 *   - the HOST side (the personalization engine): struct uc_scp03_host
 *     builds INITIALIZE UPDATE, checks the card cryptogram, builds EXTERNAL
 *     AUTHENTICATE, wraps commands and unwraps responses — again pure
 *     functions over buffers;
 *   - two conveniences that run the host side over a transport
 *     (uc_scp03_open, uc_scp03_transmit), built on uc_apdu_exchange().
 *
 * Every buffer is caller-owned and fixed-size (no struct uc_buf in the pure
 * API): the card side never allocates, and secrets never sit in memory this
 * module cannot wipe.  Sizes needed are given by the UC_SCP03_*_MAX macros.
 *
 * Key length: AES-128 ONLY (16-byte keys), S8 mode ONLY (8-byte challenges,
 * cryptograms and MACs).  The card uses i = 0x70 (see UC_SCP03_I_*).
 *
 * Secrets (static keys, session keys, challenges in progress) are held in
 * fixed arrays inside the objects and wiped (OPENSSL_cleanse) by _reset,
 * _free and every failure that closes a session.  MACs and cryptograms are
 * compared in constant time (CRYPTO_memcmp); what may leak through timing
 * is only whether a check failed, never where.
 */
#ifndef UNIONCARD_SCP03_H
#define UNIONCARD_SCP03_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Constants
 * ------------------------------------------------------------------------ */

#define UC_SCP03_KEY_LEN 16        /* AES-128 */
#define UC_SCP03_CHALLENGE_LEN 8   /* S8 mode */
#define UC_SCP03_CRYPTOGRAM_LEN 8
#define UC_SCP03_MAC_LEN 8         /* C-MAC and R-MAC on the wire */
#define UC_SCP03_BLOCK 16          /* AES block */
#define UC_SCP03_SERIAL_LEN 8
#define UC_SCP03_DIV_DATA_LEN 10   /* key diversification data in IU resp */
#define UC_SCP03_SEQ_MAX 0xffffffu /* 3-byte sequence counter */

/* Secure channel protocol identifier and the card's i parameter. */
#define UC_SCP03_ID 0x03
/*
 * i parameter bits (Amendment D, "values of parameter i"):
 *   0x01  S16 mode (16-byte challenges/cryptograms/MACs) — NOT supported
 *   0x10  pseudo-random card challenge (from the sequence counter + AID)
 *   0x20  R-MAC supported
 *   0x40  R-ENCRYPTION supported
 * other bits RFU (0).  Our card: 0x70.
 */
#define UC_SCP03_I_S16 0x01u
#define UC_SCP03_I_PSEUDO_RANDOM 0x10u
#define UC_SCP03_I_RMAC 0x20u
#define UC_SCP03_I_RENC 0x40u
#define UC_SCP03_I_CARD 0x70u

/*
 * Security levels (P1 of EXTERNAL AUTHENTICATE).  Our card requires at
 * least C-MAC and accepts exactly 0x01, 0x03, 0x11, 0x13, 0x31, 0x33
 * (R-ENC needs R-MAC, C-DEC needs C-MAC).  The engine uses
 * UC_SCP03_SL_DEFAULT (0x13 = C-MAC + C-DECRYPTION + R-MAC).
 */
#define UC_SCP03_SL_CMAC 0x01u
#define UC_SCP03_SL_CDEC 0x02u
#define UC_SCP03_SL_RMAC 0x10u
#define UC_SCP03_SL_RENC 0x20u
#define UC_SCP03_SL_DEFAULT 0x13u

/* INITIALIZE UPDATE / EXTERNAL AUTHENTICATE instruction bytes. */
#define UC_SCP03_INS_INITIALIZE_UPDATE 0x50
#define UC_SCP03_INS_EXTERNAL_AUTHENTICATE 0x82
#define UC_SCP03_CLA_SM 0x04u      /* CLA bit b3: secure messaging */

/* INITIALIZE UPDATE response: 10 + 3 + 8 + 8 + 3 (pseudo-random) bytes. */
#define UC_SCP03_IU_RESP_LEN 32
#define UC_SCP03_IU_RESP_LEN_RANDOM 29

/*
 * Key diversification data (first 10 bytes of the INITIALIZE UPDATE
 * response) on our cards: card serial (8) || 00 01 (our scheme, version 1:
 * uc_scp03_diversify).
 */
#define UC_SCP03_DIV_SCHEME_V1_HI 0x00
#define UC_SCP03_DIV_SCHEME_V1_LO 0x01

/*
 * Failed-authentication counter: the card allows UC_SCP03_TRIES_MAX
 * consecutive failed EXTERNAL AUTHENTICATE, answering 63 Cx (x = tries
 * left), then 69 83 for ever.  A success resets it to UC_SCP03_TRIES_MAX.
 */
#define UC_SCP03_TRIES_MAX 5

/* Largest plain command data a wrapped command can carry: the padded,
 * encrypted data plus the MAC must fit an extended Lc (65535). */
#define UC_SCP03_PLAIN_MAX 65519u
/* Room needed for a wrapped command's data / a wrapped response's data. */
#define UC_SCP03_WRAPPED_MAX(plain_len)                                   \
	((((size_t)(plain_len) / UC_SCP03_BLOCK) + 1u) * UC_SCP03_BLOCK +     \
	    UC_SCP03_MAC_LEN)

/* ------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------ */

/*
 * A static key set: Key-ENC, Key-MAC, Key-DEK (AES-128 each) and its key
 * version number.  Contains secrets: wipe with uc_scp03_keys_wipe().
 */
struct uc_scp03_keys {
	uint8_t enc[UC_SCP03_KEY_LEN];
	uint8_t mac[UC_SCP03_KEY_LEN];
	uint8_t dek[UC_SCP03_KEY_LEN];
	uint8_t kvn;
};

UC_API void uc_scp03_keys_wipe(struct uc_scp03_keys *k);

/*
 * Per-card static keys from master keys and the card serial (8 bytes).
 * Each key is derived with the Amendment D KDF (NIST SP 800-108, counter
 * mode, PRF AES-CMAC, same label / L / counter / context layout) keyed by
 * the matching master key, with our derivation constants
 *   0x81 for Key-ENC, 0x82 for Key-MAC, 0x83 for Key-DEK
 * (outside GlobalPlatform's 0x00-0x07), L = 0x0080 and context = serial.
 * out->kvn = master->kvn.  Returns 0 or UC_ERR_ARG / UC_ERR_CRYPTO (out is
 * wiped on failure).
 */
#define UC_SCP03_DC_DIV_ENC 0x81
#define UC_SCP03_DC_DIV_MAC 0x82
#define UC_SCP03_DC_DIV_DEK 0x83
UC_API int uc_scp03_diversify(const struct uc_scp03_keys *master,
    const uint8_t serial[UC_SCP03_SERIAL_LEN], struct uc_scp03_keys *out);

/*
 * The well-known development keys: 40 41 42 .. 4F for ENC, MAC and DEK,
 * kvn 0x30.  FOR TESTS ONLY — every GlobalPlatform tool knows them.
 */
#define UC_SCP03_DEV_KVN 0x30
UC_API void uc_scp03_dev_keys(struct uc_scp03_keys *out);

/* Our key diversification data for a card serial: serial || 00 01. */
UC_API void uc_scp03_div_data(const uint8_t serial[UC_SCP03_SERIAL_LEN],
    uint8_t out[UC_SCP03_DIV_DATA_LEN]);

/* ------------------------------------------------------------------------
 * Card side
 * ------------------------------------------------------------------------ */

/*
 * Non-volatile secure-channel state, owned and persisted by the caller.
 *
 *   seq_counter  the 3-byte sequence counter (0 on a new card).  INITIALIZE
 *                UPDATE increments it first and uses the NEW value for the
 *                card challenge, so no value is used twice.  When it has
 *                reached UC_SCP03_SEQ_MAX the card refuses INITIALIZE
 *                UPDATE with 69 85.
 *   tries_left   failed-authentication counter (UC_SCP03_TRIES_MAX on a new
 *                card; see UC_SCP03_TRIES_MAX).
 *
 * A function that changes either field sets *nv_dirty (where offered);
 * the caller MUST commit the new values to non-volatile memory BEFORE it
 * sends the response, so a torn card never reuses a counter or regains a
 * try.
 */
struct uc_scp03_card_nv {
	uint32_t seq_counter;
	uint8_t tries_left;
};

/* Initial values for a new card. */
UC_API void uc_scp03_card_nv_init(struct uc_scp03_card_nv *nv);

/* Opaque volatile session state of one card (one logical channel). */
struct uc_scp03_card;

UC_API int uc_scp03_card_new(struct uc_scp03_card **out);
/* Wipe, free and NULL (safe on NULL and *c == NULL). */
UC_API void uc_scp03_card_free(struct uc_scp03_card **c);
/* Power off / reset / SELECT of another application: close and wipe. */
UC_API void uc_scp03_card_reset(struct uc_scp03_card *c);

/*
 * Card-side functions return 0 whenever they produced a status word in
 * *sw (success or a refusal the caller must send as is), and a negative
 * UC_ERR_* only for caller mistakes (UC_ERR_ARG, UC_ERR_BUFFER: resp too
 * small) or UC_ERR_CRYPTO (OpenSSL failed); then the session is closed and
 * the caller should answer 6F 00.
 */

/*
 * INITIALIZE UPDATE (CLA 80/84, INS 50, P1 = key version or 00, P2 = 00,
 * Lc = 08, host challenge).  Starts a new session (closing any open one).
 *
 * keys      the card's static keys (diversified);
 * nv        the card's non-volatile state (seq_counter incremented);
 * div_data  the 10 bytes of key diversification data the card reports
 *           (ours: uc_scp03_div_data() of the card serial);
 * aid       the selected application's AID (5-16 bytes): context of the
 *           pseudo-random card challenge;
 * cmd       the decoded command;
 * resp      receives the 32-byte response data (cap >= 32).
 *
 * SW, in the order checked: 6E 00 (CLA not 80); 69 83 (tries_left == 0:
 * keys blocked); 6A 86 (P2 != 00); 67 00 (Lc != 8); 6A 88 (P1 names
 * another key version); 69 85 (sequence counter exhausted); 90 00.
 */
UC_API int uc_scp03_card_initialize_update(struct uc_scp03_card *c,
    const struct uc_scp03_keys *keys, struct uc_scp03_card_nv *nv,
    int *nv_dirty, const uint8_t div_data[UC_SCP03_DIV_DATA_LEN],
    const uint8_t *aid, size_t aid_len, const struct uc_apdu *cmd,
    uint8_t *resp, size_t resp_cap, size_t *resp_len, uint16_t *sw);

/*
 * EXTERNAL AUTHENTICATE (CLA 84, INS 82, P1 = security level, P2 = 00,
 * Lc = 10, host cryptogram || C-MAC).  No response data, never R-MAC'd.
 *
 * SW, in the order checked:
 *     6E 00 (CLA not 80/84);  69 83 (tries_left already 0);
 *     68 82 (CLA 80: secure messaging missing);
 *     6A 86 (P1 not an allowed security level, or P2 != 00);
 *     67 00 (Lc != 16);
 *     69 85 (no INITIALIZE UPDATE just before);
 *     63 Cx (host cryptogram or C-MAC wrong, x = tries left after this
 *            failure; x = 0 on the fifth);
 *     90 00 (session open at level P1; tries_left reset).
 * Any outcome but 90 00 leaves no session, and uses up the INITIALIZE
 * UPDATE; only 63 Cx costs a try.
 */
UC_API int uc_scp03_card_external_authenticate(struct uc_scp03_card *c,
    struct uc_scp03_card_nv *nv, int *nv_dirty, const struct uc_apdu *cmd,
    uint16_t *sw);

/*
 * Unwrap a command inside a session.
 *
 * If CLA b3 (0x04) is clear the command is NOT protected: its data is
 * copied to plain unchanged, *sw = 90 00, and the session is untouched (the
 * applet decides whether it needed secure messaging: 68 82 / 69 82).  The
 * next uc_scp03_card_wrap_response() then passes the response through.
 *
 * If b3 is set, CLA must be 84 or 04 (basic channel; a chained command is
 * passed in reassembled, without the chaining bit): checks the C-MAC (over
 * the MAC chaining value, CLA INS P1 P2, Lc and the data; Le is not MACed),
 * advances the chaining value, and, at a level with C-DECRYPTION, decrypts
 * the data and strips the 80 00.. padding.  *sw = 90 00 and plain holds
 * the command data the applet should process (cmd's header is unchanged;
 * the applet ignores CLA b3).
 *
 * Any failure (no session, data too short, bad C-MAC, bad padding) closes
 * the session, wipes its keys and gives *sw = 69 88 (no session at all:
 * 69 82).  plain needs cap >= cmd->lc.
 */
UC_API int uc_scp03_card_unwrap(struct uc_scp03_card *c,
    const struct uc_apdu *cmd, uint8_t *plain, size_t plain_cap,
    size_t *plain_len, uint16_t *sw);

/*
 * Wrap the response to the command last passed to uc_scp03_card_unwrap().
 *
 * If that command was protected and the session level has R-MAC, and sw is
 * 90 00, 62 xx or 63 xx: with R-ENC and data present, the data is padded
 * and encrypted (ICV = AES(S-ENC, 80 || counter)); then the R-MAC (over the
 * command's MAC chaining value || data || SW1 SW2) is appended.  Otherwise
 * (error SW, unprotected command, no session, level without R-MAC) the
 * data is copied unchanged.  The status word is NOT written to out: the
 * caller appends SW1 SW2.  out may equal data (in place); out_cap must be
 * >= UC_SCP03_WRAPPED_MAX(len).  An error SW with data drops the data
 * (GlobalPlatform: error responses carry the status word only).
 */
UC_API int uc_scp03_card_wrap_response(struct uc_scp03_card *c,
    const uint8_t *data, size_t len, uint16_t sw, uint8_t *out,
    size_t out_cap, size_t *out_len);

/* Current security level: 0 without an authenticated session. */
UC_API uint8_t uc_scp03_card_security_level(const struct uc_scp03_card *c);

/* ------------------------------------------------------------------------
 * Host side
 * ------------------------------------------------------------------------ */

/* Opaque host session. */
struct uc_scp03_host;

UC_API int uc_scp03_host_new(struct uc_scp03_host **out);
/* Wipe, free and NULL (safe on NULL and *h == NULL). */
UC_API void uc_scp03_host_free(struct uc_scp03_host **h);

/* What the card told us in its INITIALIZE UPDATE response. */
struct uc_scp03_card_info {
	uint8_t div_data[UC_SCP03_DIV_DATA_LEN];
	uint8_t kvn;
	uint8_t scp_id; /* 03 */
	uint8_t i;
	int has_seq;    /* pseudo-random challenge: the counter is present */
	uint32_t seq_counter;
};

/*
 * keys are MASTER keys: diversify them with the card serial found in the
 * key diversification data (which must then use our scheme, 00 01).
 */
#define UC_SCP03_HOST_MASTER_KEYS 0x01u

/*
 * Step 1: start a session (closing and wiping any previous one) and build
 * INITIALIZE UPDATE: 80 50 kvn 00 08 <host challenge> 00.
 *
 * keys            static keys of the card (or master keys, see flags);
 *                 copied into the session;
 * host_challenge  8 bytes, or NULL for 8 random bytes (RAND_bytes);
 * iu              filled; iu->data points into h (valid until the next
 *                 call on h).
 */
UC_API int uc_scp03_host_begin(struct uc_scp03_host *h,
    const struct uc_scp03_keys *keys, unsigned flags,
    const uint8_t host_challenge[UC_SCP03_CHALLENGE_LEN],
    struct uc_apdu *iu);

/*
 * Step 1b, optional: the AID of the application the card derives its
 * pseudo-random challenge from (5-16 bytes).  Step 2 then also checks the
 * card challenge, KDF(Key-ENC, 02, counter || AID): it proves the card's
 * Key-ENC, which the cryptograms (S-MAC only) do not.  Call after step 1
 * (which forgets it).  Returns 0, UC_ERR_ARG, UC_ERR_STATE.
 */
UC_API int uc_scp03_host_expect_aid(struct uc_scp03_host *h,
    const uint8_t *aid, size_t aid_len);

/*
 * Step 2: consume the INITIALIZE UPDATE response (data without SW, and the
 * SW), derive the session keys, verify the card cryptogram and build
 * EXTERNAL AUTHENTICATE 84 82 sl 00 10 <host cryptogram || C-MAC>.
 *
 * Returns
 *   0                  ea is ready to send (ea->data points into h);
 *   UC_ERR_AUTH        card cryptogram mismatch: wrong master key or key
 *                      version.  NOTHING must be sent: the card's failure
 *                      counter is untouched;
 *   UC_ERR_KEY         the cryptogram is right but, with the AID given
 *                      (step 1b) and a pseudo-random challenge, the card
 *                      challenge is not: the card's Key-ENC differs from
 *                      ours (its Key-MAC does not).  Nothing must be sent;
 *   UC_ERR_SW_* (uc_sw_to_err) for a status word other than 90 00 (69 83:
 *                      UC_ERR_SW_BLOCKED);
 *   UC_ERR_PROTOCOL    response of the wrong length, SCP id not 03, key
 *                      version differing from the one asked for;
 *   UC_ERR_UNSUPPORTED S16 mode (i bit 0x01), or MASTER_KEYS with
 *                      diversification data not in our scheme;
 *   UC_ERR_ARG         sl not an allowed level, or R-MAC/R-ENC asked of a
 *                      card whose i does not offer it; UC_ERR_STATE out of
 *                      order.
 * Any failure wipes the session.
 */
UC_API int uc_scp03_host_authenticate(struct uc_scp03_host *h,
    const uint8_t *resp, size_t resp_len, uint16_t sw, uint8_t sl,
    struct uc_apdu *ea);

/*
 * Step 3: the status word of EXTERNAL AUTHENTICATE.  90 00 opens the
 * session (returns 0); 63 Cx gives UC_ERR_SW_AUTH_FAILED and *tries_left =
 * x (tries_left may be NULL); anything else its uc_sw_to_err() code.
 */
UC_API int uc_scp03_host_confirm(struct uc_scp03_host *h, uint16_t sw,
    int *tries_left);

/* The card's INITIALIZE UPDATE data (after step 2).  UC_ERR_STATE before. */
UC_API int uc_scp03_host_card_info(const struct uc_scp03_host *h,
    struct uc_scp03_card_info *out);

/* Security level of the open session; 0 if none. */
UC_API uint8_t uc_scp03_host_security_level(const struct uc_scp03_host *h);

/*
 * Wrap a command: CLA |= 04; at C-DEC levels, pad (80 00..) and encrypt
 * the data (if any) with ICV = AES(S-ENC, counter); append the C-MAC.
 * The encryption counter advances for EVERY command, with or without data.
 * wrapped's data points into storage (cap >= UC_SCP03_WRAPPED_MAX(lc));
 * the header and le are copied from plain (extended is set when the
 * wrapped Lc exceeds 255).  Returns 0, UC_ERR_STATE (no open session),
 * UC_ERR_RANGE (plain->lc > UC_SCP03_PLAIN_MAX), UC_ERR_BUFFER,
 * UC_ERR_CRYPTO.
 */
UC_API int uc_scp03_host_wrap(struct uc_scp03_host *h,
    const struct uc_apdu *plain, uint8_t *storage, size_t storage_cap,
    struct uc_apdu *wrapped);

/*
 * Unwrap the response to the command last wrapped (data without SW, and
 * the SW).  At R-MAC levels, for 90 00 / 62 xx / 63 xx, verify and strip the
 * R-MAC (and decrypt at R-ENC levels); for other status words the response
 * must carry no data.  plain needs cap >= resp_len.
 *
 * Returns 0 (the SW is the caller's to judge), UC_ERR_VERIFY (R-MAC
 * mismatch, or data with an error SW; the session is closed and wiped),
 * UC_ERR_PROTOCOL (too short for an R-MAC, bad R-ENC padding; session
 * closed), UC_ERR_STATE (nothing wrapped since the last unwrap).
 */
UC_API int uc_scp03_host_unwrap(struct uc_scp03_host *h,
    const uint8_t *resp, size_t resp_len, uint16_t sw, uint8_t *plain,
    size_t plain_cap, size_t *plain_len);

/* Close the session and wipe its keys (the object may be begun again). */
UC_API void uc_scp03_host_close(struct uc_scp03_host *h);

/* ------------------------------------------------------------------------
 * Host side over a transport (src/channel/scp03_transport.c; needs the
 * transport layer: uc_apdu_exchange).
 * ------------------------------------------------------------------------ */

struct uc_transport;

/*
 * Run INITIALIZE UPDATE (random host challenge, P1 = card_keys->kvn) and
 * EXTERNAL AUTHENTICATE at level sl over t.  *out is a new open session
 * the caller frees.  *sw is the last status word seen.  Returns 0,
 * UC_ERR_AUTH (card cryptogram mismatch: wrong master key or key version —
 * no EXTERNAL AUTHENTICATE was sent), UC_ERR_SW_AUTH_FAILED (the card
 * refused our cryptogram: 63 Cx), UC_ERR_SW_BLOCKED (69 83), another
 * UC_ERR_SW_*, or a transport error.
 */
UC_API int uc_scp03_open(struct uc_transport *t,
    const struct uc_scp03_keys *card_keys, uint8_t sl,
    struct uc_scp03_host **out, uint16_t *sw);

/*
 * uc_scp03_open() that also checks the card challenge against aid, the
 * application selected (uc_scp03_host_expect_aid): UC_ERR_KEY when the
 * card's Key-ENC is not ours although its Key-MAC is — no EXTERNAL
 * AUTHENTICATE was sent either.  aid NULL: as uc_scp03_open().
 */
UC_API int uc_scp03_open_aid(struct uc_transport *t,
    const struct uc_scp03_keys *card_keys, const uint8_t *aid,
    size_t aid_len, uint8_t sl, struct uc_scp03_host **out, uint16_t *sw);

/*
 * uc_scp03_open_aid() that also tells the key version the card holds
 * (*card_kvn, -1 when unknown): read from its INITIALIZE UPDATE answer,
 * or, when the card refused the version asked for (6A 88,
 * UC_ERR_SW_NOT_FOUND), asked once more with P1 = 00.  Neither sends
 * EXTERNAL AUTHENTICATE: the card loses no try.  For telling the
 * operator which keys a card has when ours do not open it.
 */
UC_API int uc_scp03_open_aid_kvn(struct uc_transport *t,
    const struct uc_scp03_keys *card_keys, const uint8_t *aid,
    size_t aid_len, uint8_t sl, struct uc_scp03_host **out, uint16_t *sw,
    int *card_kvn);

/*
 * Send one command through the session: wrap, exchange (chaining, GET
 * RESPONSE), unwrap.  The plain response data is appended to resp (may be
 * NULL if none is expected).  Returns 0 whatever the SW (judge *sw), or
 * UC_ERR_VERIFY (bad R-MAC), a wrap error, or a transport error.
 */
UC_API int uc_scp03_transmit(struct uc_scp03_host *h, struct uc_transport *t,
    const struct uc_apdu *a, struct uc_buf *resp, uint16_t *sw);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_SCP03_H */
