/*
 * unioncard/buf.h - a growable byte buffer and hex helpers.
 *
 * struct uc_buf is caller-owned (usually on the stack); its data is heap
 * memory owned by the buffer.  uc_buf_free() wipes before freeing, so a
 * buffer may hold secrets.  Growth is capped at UC_BUF_MAX.
 */
#ifndef UNIONCARD_BUF_H
#define UNIONCARD_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_BUF_MAX (64u * 1024u * 1024u)

struct uc_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

#define UC_BUF_INIT { NULL, 0, 0 }

UC_API void uc_buf_init(struct uc_buf *b);
/* Wipe and free the contents; the struct is reusable afterwards. */
UC_API void uc_buf_free(struct uc_buf *b);
/* Wipe contents, keep capacity. */
UC_API void uc_buf_reset(struct uc_buf *b);
UC_API int uc_buf_reserve(struct uc_buf *b, size_t extra);
UC_API int uc_buf_append(struct uc_buf *b, const void *p, size_t n);
UC_API int uc_buf_append_byte(struct uc_buf *b, uint8_t v);
UC_API int uc_buf_append_u16(struct uc_buf *b, uint16_t v); /* big-endian */

/*
 * Hex.  uc_hex_decode() accepts upper or lower case and ignores spaces and
 * colons; it returns UC_ERR_INVALID for odd digit counts or non-hex
 * characters and UC_ERR_BUFFER if out is too small.  *out_len is set to the
 * decoded length.
 */
UC_API int uc_hex_decode(const char *hex, uint8_t *out, size_t cap,
    size_t *out_len);
/* Into a uc_buf (appends). */
UC_API int uc_hex_decode_buf(const char *hex, struct uc_buf *out);
/* Upper-case hex, NUL-terminated; out must hold 2*n+1 bytes. */
UC_API void uc_hex_encode(const uint8_t *p, size_t n, char *out);
/* Newly allocated upper-case hex string; caller frees. NULL on ENOMEM. */
UC_API char *uc_hex_dup(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_BUF_H */
