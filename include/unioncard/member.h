/*
 * unioncard/member.h - the member file: what the station knows about the
 * member whose card it is about to personalize.
 *
 * A member file is one JSON object (docs/member-file.md):
 *
 *   {
 *     "member_code": "0123456789",
 *     "full_name":   "Nguyễn Văn An",
 *     "unit_code":   "BD.QN.001",
 *     "unit_name":   "Công đoàn cơ sở Trường THPT Quy Nhơn",
 *     "card_type":   "regular",          (or "linked")
 *     "issued_on":   "2026-11-25",
 *     "expires_on":  "2031-11-24"
 *   }
 *
 * The parser is strict: every field present exactly once, of the right
 * JSON type, no unknown fields, limits from applets-spec/union-applet.md
 * §6 (E1).  Names must be valid UTF-8 without control characters; they are
 * NORMALIZED to NFC (a file saved in NFD by another tool is accepted and
 * stored in NFC), and the byte limits apply to the NFC form.  Every error
 * fills a struct uc_diag naming the file and the field.
 *
 * struct uc_member holds only plain fixed arrays (no heap memory), so it
 * needs no _free.
 */
#ifndef UNIONCARD_MEMBER_H
#define UNIONCARD_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"
#include "unioncard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Byte limits of the card's identity object E1 (spec §6). */
#define UC_MEMBER_CODE_MAX 20
#define UC_MEMBER_NAME_MAX 128
#define UC_MEMBER_UNIT_CODE_MAX 32
#define UC_MEMBER_UNIT_NAME_MAX 160
/* The ledger's card serial (E1/CA, optional): 11 digits, "PP" + 9. */
#define UC_MEMBER_CARD_SERIAL_LEN 11
/* A member file larger than this is refused unread. */
#define UC_MEMBER_FILE_MAX (64u * 1024u)

/* Card types, with their E1/C4 byte values. */
#define UC_CARD_TYPE_REGULAR 0x01
#define UC_CARD_TYPE_LINKED 0x02

struct uc_member {
	char member_code[UC_MEMBER_CODE_MAX + 1];    /* ASCII digits */
	char full_name[UC_MEMBER_NAME_MAX + 1];      /* UTF-8, NFC */
	char unit_code[UC_MEMBER_UNIT_CODE_MAX + 1]; /* A-Z 0-9 . - _ */
	char unit_name[UC_MEMBER_UNIT_NAME_MAX + 1]; /* UTF-8, NFC */
	uint8_t card_type;                           /* UC_CARD_TYPE_* */
	char issued_on[9];                           /* "YYYYMMDD" */
	char expires_on[9];                          /* "YYYYMMDD" */
	/* The ledger's card serial, the card's index in the status list;
	 * "" when the card is made without a ledger (E1/CA absent). */
	char card_serial[UC_MEMBER_CARD_SERIAL_LEN + 1];
};

/*
 * Parse a member file held in memory.  name is used in diagnostics only
 * (may be NULL).  Returns 0, UC_ERR_INVALID (diag says which field and
 * why) or UC_ERR_NOMEM.  *out is cleared on entry.
 */
UC_API int uc_member_parse(const char *json, size_t len, const char *name,
    struct uc_member *out, struct uc_diag *diag);

/*
 * Read and parse a member file.  UC_ERR_IO (diag names the file) when it
 * cannot be read, UC_ERR_INVALID when larger than UC_MEMBER_FILE_MAX or
 * malformed.
 */
UC_API int uc_member_load(const char *path, struct uc_member *out,
    struct uc_diag *diag);

/*
 * Check a calendar date written "YYYYMMDD" (years 1900-9999, real month
 * lengths, leap years).  1 if valid, 0 otherwise.
 */
UC_API int uc_member_date_valid(const char *yyyymmdd);

/*
 * ONE check for every piece of text that reaches a card or a terminal,
 * shared by the ledger's entry points (member import and edit, unit add
 * and import, every reason) and by the member-file and card-object
 * parsers, so the station never spoils a blank on data the ledger let in.
 *
 * The text must be valid UTF-8 without control characters (C0 including
 * NUL, TAB, CR, LF and ESC; DEL; C1 U+0080..U+009F) and fit its kind's
 * limit in bytes of its NFC form:
 */
enum uc_member_text_kind {
	UC_MEMBER_TEXT_FULL_NAME, /* E1/C1: 1..UC_MEMBER_NAME_MAX */
	UC_MEMBER_TEXT_UNIT_NAME, /* E1/C3: 1..UC_MEMBER_UNIT_NAME_MAX */
	UC_MEMBER_TEXT_POSITION,  /* ledger only: 0..UC_MEMBER_POSITION_MAX */
	UC_MEMBER_TEXT_REASON,    /* ledger only: 1..UC_MEMBER_REASON_MAX */
};
#define UC_MEMBER_POSITION_MAX 256
#define UC_MEMBER_REASON_MAX 512
/*
 * flags: UC_MEMBER_TEXT_TIDY (what a clerk typed): white space at both
 * ends is removed and runs of spaces inside collapse to one before the
 * checks.  UC_MEMBER_TEXT_CARD (what a card holds): the text must already
 * be in NFC.  Without TIDY, leading or trailing spaces are refused.
 * The NFC form goes to out (cap bytes with the NUL; kind's maximum + 1
 * always suffices); *out_len (optional) gets its length.  Errors:
 * UC_ERR_INVALID with d (file and field as given, may be NULL) saying
 * what is wrong, e.g. "contains a line break (byte 7)"; UC_ERR_ARG.
 */
#define UC_MEMBER_TEXT_TIDY 1u
#define UC_MEMBER_TEXT_CARD 2u
UC_API int uc_member_text_check(enum uc_member_text_kind kind,
    const char *s, size_t len, unsigned flags, char *out, size_t cap,
    size_t *out_len, const char *file, const char *field,
    struct uc_diag *d);

/*
 * A unit code as the card carries it (E1/C2): 1..UC_MEMBER_UNIT_CODE_MAX
 * characters of A-Z 0-9 . - _ (no lower case).  0 or UC_ERR_INVALID
 * with d.
 */
#define UC_MEMBER_UNIT_CODE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
UC_API int uc_member_unit_code_check(const char *s, size_t len,
    const char *file, const char *field, struct uc_diag *d);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_MEMBER_H */
