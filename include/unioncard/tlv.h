/*
 * unioncard/tlv.h - strict BER-TLV (ISO/IEC 7816-4 / X.690 subset).
 *
 * The reader works on a bounded window (pointer + end) and checks every
 * length against what remains.  It accepts multi-byte tags (up to
 * UC_TLV_TAG_MAX_BYTES bytes, so tags fit in a uint32_t), definite lengths
 * in short or long form (up to UC_TLV_LEN_MAX_BYTES length octets), and
 * rejects: indefinite length (0x80), lengths running past the buffer, tag
 * overflow, non-minimal long-form lengths, and nesting deeper than
 * UC_TLV_MAX_DEPTH in uc_tlv_walk().
 *
 * The writer appends to a caller-owned struct uc_buf.
 *
 * Tags are kept as their encoded bytes packed big-endian into a uint32_t:
 * tag 5F20 is 0x5F20, tag E1 is 0xE1, tag 7F4901.. would be 0x7F49.
 */
#ifndef UNIONCARD_TLV_H
#define UNIONCARD_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_TLV_TAG_MAX_BYTES 4
#define UC_TLV_LEN_MAX_BYTES 3 /* long form up to 0x83 LL LL LL */
#define UC_TLV_MAX_DEPTH 8
#define UC_TLV_MAX_LEN 0xffffffu

/* One decoded element.  value points into the caller's buffer (borrowed). */
struct uc_tlv {
	uint32_t tag;
	int constructed; /* bit 6 of the first tag byte */
	const uint8_t *value;
	size_t len;
	size_t header_len; /* tag + length octets */
};

/* A cursor over a window of bytes [p, end). */
struct uc_tlv_reader {
	const uint8_t *p;
	const uint8_t *end;
};

UC_API void uc_tlv_reader_init(struct uc_tlv_reader *r, const uint8_t *data,
    size_t len);

/* 1 if bytes remain, 0 otherwise. */
UC_API int uc_tlv_reader_more(const struct uc_tlv_reader *r);

/*
 * Read the next element and advance.  Returns 0, or UC_ERR_TLV (malformed,
 * truncated, indefinite length, tag overflow) without advancing.
 * Padding bytes 00 and FF between elements are NOT skipped: strict.
 */
UC_API int uc_tlv_next(struct uc_tlv_reader *r, struct uc_tlv *out);

/*
 * Parse exactly one element spanning all of data[0..len).  Trailing bytes
 * are an error (UC_ERR_TLV).
 */
UC_API int uc_tlv_parse_one(const uint8_t *data, size_t len,
    struct uc_tlv *out);

/*
 * Find the first direct child with the given tag inside a constructed
 * value (value/len of a parent).  Returns 0, UC_ERR_NOT_FOUND, or UC_ERR_TLV
 * if the children are malformed.
 */
UC_API int uc_tlv_find(const uint8_t *value, size_t len, uint32_t tag,
    struct uc_tlv *out);

/*
 * Walk every element recursively (depth-first), checking that the whole
 * tree is well formed and no deeper than max_depth (<= UC_TLV_MAX_DEPTH).
 * cb may be NULL (validate only); a non-zero return from cb stops the walk
 * and is returned.  Returns 0, UC_ERR_TLV or UC_ERR_TLV_DEPTH.
 */
typedef int (*uc_tlv_visit_fn)(const struct uc_tlv *t, int depth, void *arg);
UC_API int uc_tlv_walk(const uint8_t *data, size_t len, int max_depth,
    uc_tlv_visit_fn cb, void *arg);

/* Writer: append tag, minimal length, value.  Returns 0 or UC_ERR_NOMEM. */
UC_API int uc_tlv_put(struct uc_buf *b, uint32_t tag, const uint8_t *value,
    size_t len);

/*
 * Nested writing: uc_tlv_open() appends the tag and reserves room for the
 * length and returns a mark; uc_tlv_close() patches in the final minimal
 * length (moving the value if needed).
 */
UC_API int uc_tlv_open(struct uc_buf *b, uint32_t tag, size_t *mark);
UC_API int uc_tlv_close(struct uc_buf *b, size_t mark);

/* Encoded size of a tag, and of a length (0 if out of range). */
UC_API size_t uc_tlv_tag_size(uint32_t tag);
UC_API size_t uc_tlv_len_size(size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_TLV_H */
