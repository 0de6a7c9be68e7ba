/*
 * unioncard/bankfile.h - the bank's issuance/status file for linked cards.
 *
 * The bank liaison sends the bank the list of linked cards to issue and
 * takes back the bank's CSV of what it issued and charged (format in
 * docs/bank-files.md).  This reader turns each line into a struct
 * uc_bank_record that reconciliation compares with the ledger.
 *
 * The file may carry FULL card numbers (PANs).  A full PAN is never kept:
 * as soon as the line is parsed the PAN is replaced by
 * HMAC-SHA256(bank-link key, ASCII digits of the PAN) plus its last four
 * digits, and the bytes of that line are wiped from the reader's memory
 * (record buffer and input window) before uc_bankfile_next() returns, on
 * success AND on error.  uc_bankfile_open_path() reads the file unbuffered
 * so that no stdio buffer holds a copy either; a memory input belongs to
 * the caller, who wipes it.  Diagnostics never quote a field's value, so a
 * PAN in the wrong column cannot leak into an error message or a log.
 */
#ifndef UNIONCARD_BANKFILE_H
#define UNIONCARD_BANKFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/membercode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_BANK_PAN_MIN 12 /* ISO/IEC 7812 lengths in use: 12..19 */
#define UC_BANK_PAN_MAX 19
#define UC_BANK_PAN_FULL_MIN 13 /* a run this long outside pan is a PAN */
#define UC_BANK_PAN_HMAC_LEN 32
#define UC_BANK_KEY_MIN 16 /* bank-link key length, bytes */
#define UC_BANK_KEY_MAX 64
#define UC_BANK_CARD_REF_MAX 32 /* bytes */
#define UC_BANK_NAME_MAX 128    /* bytes of the NFC name */
#define UC_BANK_FEE_MAX 100000000000ull /* VND; far above any card fee */

enum uc_bank_status {
	UC_BANK_STATUS_ACTIVE = 1,
	UC_BANK_STATUS_PENDING,
	UC_BANK_STATUS_BLOCKED,
	UC_BANK_STATUS_CLOSED,
};

/* One line of the bank file.  Holds no full PAN. */
struct uc_bank_record {
	unsigned long line;  /* physical line where the record starts */
	char member_code[UC_MEMBERCODE_LEN + 1];
	char card_ref[UC_BANK_CARD_REF_MAX + 1];  /* the bank's card id */
	char full_name[UC_BANK_NAME_MAX + 1];     /* NFC */
	char bank_name[UC_BANK_NAME_MAX + 1];     /* "HUYNH LE DIEM TUYET" */
	int pan_masked;      /* 1: the file had a masked PAN, no HMAC */
	uint8_t pan_hmac[UC_BANK_PAN_HMAC_LEN];  /* all zero if masked */
	char pan_last4[5];
	enum uc_bank_status status;
	uint64_t fee_vnd;
	int32_t issued_on;   /* days since 1970-01-01 (date.h) */
};

/* Opaque reader. */
struct uc_bankfile;

/*
 * Open the bank file at path (read unbuffered; see above), or a memory
 * buffer (borrowed; name for diagnostics).  key is the bank-link HMAC key,
 * UC_BANK_KEY_MIN..UC_BANK_KEY_MAX bytes; it is copied into the reader
 * and wiped at free.  The header row is read and checked at open: the
 * columns member_code, card_ref, full_name, pan, status, fee_vnd and
 * issued_on are required (any order, case-insensitive); others are
 * ignored (but see uc_bankfile_next).  A path that is not a regular file
 * (/dev/zero, a pipe) is UC_ERR_INVALID.  Errors: UC_ERR_ARG, UC_ERR_KEY
 * (key length), UC_ERR_IO (cannot open; d names the file),
 * UC_ERR_INVALID (header; d), NOMEM.
 */
UC_API int uc_bankfile_open_path(struct uc_bankfile **out, const char *path,
    const uint8_t *key, size_t key_len, struct uc_diag *d);
/* Over a stream the caller opened (borrowed: not closed at free; open
 * it unbuffered, see above).  name is for diagnostics. */
UC_API int uc_bankfile_open_file(struct uc_bankfile **out, FILE *fp,
    const char *name, const uint8_t *key, size_t key_len,
    struct uc_diag *d);
UC_API int uc_bankfile_open_mem(struct uc_bankfile **out, const void *data,
    size_t len, const char *name, const uint8_t *key, size_t key_len,
    struct uc_diag *d);
/* Wipe and free; sets *bf to NULL (safe on NULL). */
UC_API void uc_bankfile_free(struct uc_bankfile **bf);

/*
 * Read and check the next line into *rec (cleared first).  Returns 0 with
 * rec->line != 0 for a record, 0 with rec->line == 0 at the end of the
 * file, or UC_ERR_INVALID / UC_ERR_IO with d naming file, line and field
 * (the column name) - never the value.  Errors are sticky.  A field of
 * any column but pan (the ignored ones too) that holds a full card
 * number - a run of UC_BANK_PAN_FULL_MIN..UC_BANK_PAN_MAX digits, single
 * spaces or dashes allowed between them, passing the Luhn check - is
 * UC_ERR_INVALID: a PAN is replaced in the pan column only, so anywhere
 * else it would be stored as it is.
 */
UC_API int uc_bankfile_next(struct uc_bankfile *bf,
    struct uc_bank_record *rec, struct uc_diag *d);

/* "active", "pending", "blocked", "closed"; "?" otherwise. */
UC_API const char *uc_bank_status_name(enum uc_bank_status s);

/*
 * The PAN pseudonym the reader stores: HMAC-SHA256(key, pan digits).  For
 * reconciliation against a PAN typed or read from a card; the caller
 * wipes its own copy of the PAN.  UC_ERR_INVALID unless pan is 12..19
 * digits passing the Luhn check; UC_ERR_KEY for a bad key length.
 */
UC_API int uc_bank_pan_hmac(const uint8_t *key, size_t key_len,
    const char *pan, size_t pan_len, uint8_t out[UC_BANK_PAN_HMAC_LEN]);

/* 1 if the n ASCII digits pass the Luhn (mod 10) check, else 0. */
UC_API int uc_luhn_valid(const char *digits, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_BANKFILE_H */
