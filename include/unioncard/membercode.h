/*
 * unioncard/membercode.h - member codes that 99 issuers can assign
 * without talking to each other.
 *
 * A member code is 11 decimal digits, written without separators:
 *
 *     PP SSSSSSSS C      e.g. 52 00001234 5  ->  "52000012345"
 *
 *   PP        issuer prefix 01..99 (a province, or a ministry/sector union),
 *             allocated centrally once; 00 is never valid;
 *   SSSSSSSS  the issuer's own sequence, 00000000..99999999, zero-padded;
 *   C         Damm check digit over the 10 digits PPSSSSSSSS.
 *
 * Two issuers can never produce the same code because their prefixes
 * differ; within an issuer the ledger hands out each sequence once.
 * The Damm check digit detects EVERY single-digit error and EVERY
 * transposition of two adjacent different digits (docs/member-code.md,
 * proven exhaustively by tests/text/test_membercode.c).
 */
#ifndef UNIONCARD_MEMBERCODE_H
#define UNIONCARD_MEMBERCODE_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"
#include "unioncard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_MEMBERCODE_PREFIX_DIGITS 2
#define UC_MEMBERCODE_SEQ_DIGITS 8
#define UC_MEMBERCODE_LEN 11 /* digits, without the NUL */
#define UC_MEMBERCODE_PREFIX_MIN 1u
#define UC_MEMBERCODE_PREFIX_MAX 99u
#define UC_MEMBERCODE_SEQ_MAX 99999999u /* 10^8 codes per issuer */

/*
 * Damm check digit of n ASCII digits.  Returns 0 and *check (0..9), or
 * UC_ERR_INVALID if a byte is not '0'..'9'.  A string followed by its own
 * check digit has check digit 0 (that is how validation works).
 */
UC_API int uc_damm_check(const char *digits, size_t n, int *check);

/*
 * Make the code for (prefix, seq) into out (UC_MEMBERCODE_LEN + 1 bytes,
 * NUL-terminated).  UC_ERR_RANGE if prefix is not 1..99 or seq > 99999999.
 */
UC_API int uc_membercode_make(unsigned prefix, uint32_t seq,
    char out[UC_MEMBERCODE_LEN + 1]);

/*
 * Validate s[0..len): exactly 11 digits, prefix not 00, correct check
 * digit.  Returns 0 or UC_ERR_INVALID; d (optional) gets field
 * "member_code" and a message saying what is wrong (length, non-digit at
 * position N, prefix 00, bad check digit).  The caller adds file/line.
 * No trimming: callers trim first if their input allows spaces.
 */
UC_API int uc_membercode_validate(const char *s, size_t len,
    struct uc_diag *d);

/* Validate, then split into prefix and sequence (both optional). */
UC_API int uc_membercode_split(const char *s, size_t len, unsigned *prefix,
    uint32_t *seq, struct uc_diag *d);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_MEMBERCODE_H */
