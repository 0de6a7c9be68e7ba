/*
 * unioncard/dataobj.h - the union applet's data objects (spec §6): how the
 * engine builds them for personalization, how they travel in STORE DATA
 * (DGI format, spec §5.3), and how the verifier parses them back from the
 * card strictly.
 *
 * Building is byte-exact against the spec's field tables: children in
 * ascending tag order, minimal BER lengths.  Parsing accepts exactly that
 * and nothing else (unknown or repeated children, wrong sizes, bad
 * formats are errors), so two readers of one card can never disagree about
 * what it says.
 */
#ifndef UNIONCARD_DATAOBJ_H
#define UNIONCARD_DATAOBJ_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/member.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Data object tags (and their DGIs 00 E1 .. 00 EF). */
#define UC_DO_IDENTITY 0xE1u
#define UC_DO_PUBKEY 0xE2u
#define UC_DO_BANK 0xE3u
#define UC_DO_SECOBJ 0xEFu
/* GET DATA P1P2 for every present object at once. */
#define UC_DO_ALL 0x00FFu

/* Maximum sizes of the objects' contents (spec §6). */
#define UC_DO_IDENTITY_MAX 512u
#define UC_DO_PUBKEY_MAX 67u
#define UC_DO_BANK_MAX 128u
#define UC_DO_SECOBJ_MAX 3072u
/* The largest GET DATA 00FF answer a genuine card can give:
 * each object's contents plus at most 4 header bytes. */
#define UC_DO_ALL_MAX                                                     \
	(UC_DO_IDENTITY_MAX + UC_DO_PUBKEY_MAX + UC_DO_BANK_MAX +         \
	    UC_DO_SECOBJ_MAX + 4u * 4u)

#ifndef UC_CARD_SERIAL_LEN
#define UC_CARD_SERIAL_LEN 8
#endif
#define UC_EC_POINT_LEN 65 /* uncompressed P-256: 04 X Y */
#define UC_PAN_BINDING_LEN 32
#define UC_BANK_AID_MIN 5
#define UC_BANK_AID_MAX 16
#define UC_PAN_MAX 19

/* Children of E1. */
#define UC_TAG_MEMBER_CODE 0xC0u
#define UC_TAG_FULL_NAME 0xC1u
#define UC_TAG_UNIT_CODE 0xC2u
#define UC_TAG_UNIT_NAME 0xC3u
#define UC_TAG_CARD_TYPE 0xC4u
#define UC_TAG_ISSUED_ON 0xC5u
#define UC_TAG_EXPIRES_ON 0xC6u
#define UC_TAG_SERIAL 0xC7u
#define UC_TAG_CARD_SERIAL 0xCAu /* optional: the ledger's card serial */
/* Child of E2. */
#define UC_TAG_EC_POINT 0x86u
/* Children of E3. */
#define UC_TAG_PAN_BINDING 0xC8u
#define UC_TAG_BANK_AID 0xC9u

/* ------------------------------------------------------------------------
 * Building (personalization)
 * ------------------------------------------------------------------------ */

/*
 * Append the complete identity object E1 (tag, length, C0..C7) for member
 * m on the card with this serial.  The member must have passed
 * uc_member_parse(); the limits are checked again (UC_ERR_INVALID).
 */
UC_API int uc_dataobj_identity(const struct uc_member *m,
    const uint8_t serial[UC_CARD_SERIAL_LEN], struct uc_buf *out);

/*
 * The PAN binding of E3/C8: SHA-256("UNIONCARD-PAN-v1" || serial || PAN
 * as ASCII digits).  pan: 12-19 digits.  Returns 0, UC_ERR_INVALID or
 * UC_ERR_CRYPTO.
 */
UC_API int uc_dataobj_pan_binding(const uint8_t serial[UC_CARD_SERIAL_LEN],
    const char *pan, uint8_t out[UC_PAN_BINDING_LEN]);

/* Append the complete bank-link object E3 (C8 binding, C9 AID). */
UC_API int uc_dataobj_bank_link(const uint8_t binding[UC_PAN_BINDING_LEN],
    const uint8_t *aid, size_t aid_len, struct uc_buf *out);

/*
 * Append one DGI: DGI (2 bytes, big-endian), length (one byte 00-FE, or
 * FF + two bytes), value.  UC_ERR_RANGE for values over 65535 bytes.
 */
UC_API int uc_dgi_append(struct uc_buf *out, uint16_t dgi,
    const uint8_t *value, size_t len);

/*
 * Append the DGI carrying a complete object: a complete TLV (tag E1 / E3 /
 * EF + length + contents) becomes DGI 00 <tag> with the CONTENTS as value,
 * since the card adds the tag and length itself (spec §5.3).
 */
UC_API int uc_dgi_append_object(struct uc_buf *out, const uint8_t *tlv,
    size_t tlv_len);

/*
 * STORE DATA blocking.  A sequence of DGIs (total bytes) is cut into
 * blocks of at most block_max bytes: every block full but the last, so
 * the sequence costs the fewest APDUs the card's buffer allows; a DGI may
 * span blocks (spec §5.3).  Block i has P1 08 (88 for the last) and P2 i.
 * At most 256 blocks (P2 is one byte): UC_ERR_RANGE beyond.  An empty
 * sequence is UC_ERR_ARG.
 */
#define UC_STORE_DATA_MAX_BLOCKS 256u
#define UC_STORE_DATA_P1_MORE 0x08u
#define UC_STORE_DATA_P1_LAST 0x88u

struct uc_store_block {
	size_t off, len;
	uint8_t p1, p2;
};

UC_API int uc_store_data_plan(size_t total, size_t block_max,
    struct uc_store_block *blocks, size_t cap, size_t *n);

/*
 * The largest plain STORE DATA block for a card that takes max_cmd bytes
 * of command data in one APDU (FCI tag 83), once SCP03 C-DECRYPTION
 * padding (to a 16-byte multiple, at least one byte) and the 8-byte C-MAC
 * are added.  link_max (0: none) further caps it for readers that only
 * carry short APDUs.  0 if nothing fits.
 */
UC_API size_t uc_store_data_block_max(size_t max_cmd, size_t link_max);

/* ------------------------------------------------------------------------
 * Parsing (verification)
 * ------------------------------------------------------------------------ */

/*
 * A card's objects as read by GET DATA 00 FF.  The *_tlv pointers borrow
 * the caller's buffer and span each object's complete encoding (the bytes
 * the security object hashes); the fields are decoded copies.
 */
struct uc_card_objects {
	const uint8_t *identity_tlv;
	size_t identity_tlv_len;
	const uint8_t *pubkey_tlv;
	size_t pubkey_tlv_len;
	const uint8_t *bank_tlv; /* NULL: no E3 */
	size_t bank_tlv_len;
	const uint8_t *secobj_tlv;
	size_t secobj_tlv_len;
	const uint8_t *secobj; /* contents of EF: the DER ContentInfo */
	size_t secobj_len;

	struct uc_member member; /* C0..C6 */
	uint8_t serial[UC_CARD_SERIAL_LEN]; /* C7 */
	uint8_t point[UC_EC_POINT_LEN];     /* E2/86 */
	int has_bank;
	uint8_t pan_binding[UC_PAN_BINDING_LEN];
	uint8_t bank_aid[UC_BANK_AID_MAX];
	size_t bank_aid_len;
};

/*
 * Parse the answer to GET DATA 00 FF: E1, E2, optional E3, EF, each once,
 * in that order, nothing else, every child exactly as in spec §6 (text
 * must already be NFC: a card holding NFD is malformed).
 *
 * Returns 0; UC_ERR_TLV when the bytes are not even well-formed BER-TLV
 * (lengths past the end, trailing garbage: a hostile or broken card);
 * UC_ERR_INVALID when the framing is sound but an object breaks the spec
 * (diag names the object and field, e.g. "E1/C1").  *out is cleared.
 */
UC_API int uc_card_objects_parse(const uint8_t *data, size_t len,
    struct uc_card_objects *out, struct uc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_DATAOBJ_H */
