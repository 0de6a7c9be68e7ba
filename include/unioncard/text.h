/*
 * unioncard/text.h - UTF-8 validation, NFC normalization and the ASCII
 * forms of Vietnamese names.
 *
 * Member data is stored as UTF-8 in Unicode Normalization Form C.  Banks
 * and card embossing need an upper-case ASCII form of the name: diacritics
 * are dropped ("Huỳnh Lê Diễm Tuyết" -> "HUYNH LE DIEM TUYET") and Đ/đ,
 * which have NO Unicode decomposition, are mapped to D/d explicitly.
 *
 * Inputs are (pointer, length) pairs, so CSV fields can be passed without
 * copying; they need not be NUL-terminated.  Every input is validated as
 * UTF-8 first (overlong forms, surrogates and code points above U+10FFFF
 * are rejected with UC_ERR_INVALID).
 *
 * Ownership: the plain functions write into a CALLER buffer (out, cap) and
 * NUL-terminate it; *out_len excludes the NUL.  They do no heap allocation
 * of their own, which is what makes a million-row import cheap (NFC of
 * text outside its fast path is done by libunistring straight into the
 * caller's buffer; it allocates only if the result does not fit there, or
 * for unusually long runs of combining marks).  If cap is too small they
 * return UC_ERR_BUFFER and leave out as an empty string.  The _dup variants return a newly
 * allocated NUL-terminated string which the CALLER FREES with free().
 *
 * Buffer sizes that always suffice (cap includes the NUL):
 *   uc_text_nfc:        UC_TEXT_NFC_CAP(len)   (NFC can grow, at most 3x)
 *   uc_text_fold_ascii: len + 1               (folding never grows)
 *   uc_text_bank_name:  len + 1
 */
#ifndef UNIONCARD_TEXT_H
#define UNIONCARD_TEXT_H

#include <stddef.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest input any function here accepts (UC_ERR_RANGE above it). */
#define UC_TEXT_MAX (1024u * 1024u)
/* Output capacity that always suffices for uc_text_nfc of len bytes. */
#define UC_TEXT_NFC_CAP(len) (3u * (size_t)(len) + 1u)

/*
 * Check that s[0..len) is well-formed UTF-8 (RFC 3629): no overlong forms,
 * no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
 * sequence.  NUL bytes are valid UTF-8 and accepted here.
 * Returns 0 or UC_ERR_INVALID; *bad_offset (optional) gets the offset of
 * the first bad byte.
 */
UC_API int uc_text_utf8_check(const char *s, size_t len, size_t *bad_offset);

/* 1 if every byte is < 0x80, else 0. */
UC_API int uc_text_is_ascii(const char *s, size_t len);

/*
 * NFC normalization.  Pure ASCII input, and text made only of code points
 * that are stable under NFC and never combine (ASCII, Latin-1, Latin
 * Extended-A/B, Latin Extended Additional - i.e. precomposed Vietnamese),
 * is copied as is; anything else goes through libunistring.
 * Errors: UC_ERR_INVALID (bad UTF-8), UC_ERR_RANGE (len > UC_TEXT_MAX),
 * UC_ERR_BUFFER, UC_ERR_NOMEM.
 */
UC_API int uc_text_nfc(const char *s, size_t len, char *out, size_t cap,
    size_t *out_len);
/* As uc_text_nfc; *out is newly allocated, the CALLER FREES it. */
UC_API int uc_text_nfc_dup(const char *s, size_t len, char **out);

/*
 * ASCII folding for search keys and bank fields: decompose (NFD), drop
 * combining marks, map Đ->D and đ->d, map Unicode space separators (e.g.
 * U+00A0) to ' ', keep ASCII unchanged (case is kept).
 * "Huỳnh Lê Diễm Tuyết" -> "Huynh Le Diem Tuyet".
 * A character with no ASCII form (e.g. 'Ø', 'ß', CJK) is NOT silently
 * dropped: the function returns UC_ERR_INVALID, because a bank name that
 * lost a letter is worse than a rejected line.
 */
UC_API int uc_text_fold_ascii(const char *s, size_t len, char *out,
    size_t cap, size_t *out_len);
/* As uc_text_fold_ascii; *out is newly allocated, the CALLER FREES it. */
UC_API int uc_text_fold_ascii_dup(const char *s, size_t len, char **out);

/*
 * The bank/embossing form of a name: folded as above, upper-case, runs of
 * white space collapsed to one ' ', leading and trailing space removed.
 * "  Huỳnh  Lê Diễm\tTuyết " -> "HUYNH LE DIEM TUYET".
 * ASCII control characters other than tab/CR/LF are UC_ERR_INVALID.
 */
UC_API int uc_text_bank_name(const char *s, size_t len, char *out,
    size_t cap, size_t *out_len);
/* As uc_text_bank_name; *out is newly allocated, the CALLER FREES it. */
UC_API int uc_text_bank_name_dup(const char *s, size_t len, char **out);

/*
 * Trim white space at both ends IN PLACE by moving *s and shrinking *len
 * (no copy, no allocation; the result borrows the input).  White space:
 * ASCII space, \t, \n, \v, \f, \r, U+00A0 NO-BREAK SPACE, U+FEFF (a stray
 * byte-order mark) and the other Unicode space separators (Zs).
 * Safe on invalid UTF-8: only whole recognized sequences are removed.
 */
UC_API void uc_text_trim(const char **s, size_t *len);

/*
 * Compare two ASCII strings of given lengths case-insensitively (bytes
 * >= 0x80 compared exactly).  Returns 1 if equal, else 0.
 */
UC_API int uc_text_ascii_caseeq(const char *a, size_t alen, const char *b,
    size_t blen);

/*
 * Match a typed word against a list of exact spellings: s (trimmed, then
 * NFC-normalized) must equal one of words[0..n) byte for byte, except
 * that ASCII letters compare case-insensitively.  List each accented
 * capitalization a user may type ("có", "Có", "CÓ"): "cỏ" or "cố" is NOT
 * "có", because folding accents away would take a different word for a
 * yes.  Returns the index of the match, or -1.
 */
UC_API int uc_text_word_match(const char *s, size_t len,
    const char *const words[], size_t n);

/*
 * The yes/no words of every boolean column the project reads:
 * 1/0, yes/no, y/n, true/false, có/không (also typed without accents:
 * co/khong), in any ASCII case and in the capitalizations "Có", "CÓ",
 * "Không", "KHÔNG".  *v gets 1 or 0.  Anything else, the empty string
 * included, is UC_ERR_INVALID (callers that allow an empty cell decide
 * its meaning first).  UC_TEXT_YESNO_WORDS is the list for messages.
 */
#define UC_TEXT_YESNO_WORDS "1/0, yes/no, true/false or có/không"
UC_API int uc_text_yesno(const char *s, size_t len, int *v);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_TEXT_H */
