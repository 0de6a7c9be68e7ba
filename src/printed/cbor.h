/*
 * cbor.h - a small, strict, bounded CBOR (RFC 8949) reader and writer for
 * the printed card's QR code (unioncard/printed.h).
 *
 * Only what the QR code needs: unsigned and negative integers, byte and
 * text strings, arrays, maps and tags, all of DEFINITE length with the
 * SHORTEST head (RFC 8949 section 4.2.1, "preferred serialization").  A
 * reader refuses everything else - indefinite lengths, floats, simple
 * values, a longer head than needed, a length that runs past the end -
 * so one set of bytes has one reading and a signature over it means one
 * thing.  The reader is a cursor over borrowed bytes: nothing is
 * allocated, nothing is copied.
 */
#ifndef UC_PRINTED_CBOR_H
#define UC_PRINTED_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"

/* Major types. */
enum {
	CBOR_UINT = 0,
	CBOR_NINT = 1,
	CBOR_BSTR = 2,
	CBOR_TSTR = 3,
	CBOR_ARRAY = 4,
	CBOR_MAP = 5,
	CBOR_TAG = 6,
	CBOR_SIMPLE = 7,
};

/* Writer: append one head (major type + argument) to B. */
int uc_cbor_put_head(struct uc_buf *b, unsigned major, uint64_t arg);
int uc_cbor_put_uint(struct uc_buf *b, uint64_t v);
/* -1 - n: uc_cbor_put_nint(b, 6) writes -7. */
int uc_cbor_put_nint(struct uc_buf *b, uint64_t n);
int uc_cbor_put_bstr(struct uc_buf *b, const void *p, size_t n);
int uc_cbor_put_tstr(struct uc_buf *b, const char *s, size_t n);

/* Reader: a cursor P..END over borrowed bytes. */
struct uc_cbor {
	const uint8_t *p;
	const uint8_t *end;
};

/*
 * Read one head: *MAJOR and *ARG.  For strings the ARG bytes must still be
 * there (the caller gets them with uc_cbor_get_str).  UC_ERR_INVALID for
 * anything outside the subset; the cursor is left where it was then.
 */
int uc_cbor_get_head(struct uc_cbor *c, unsigned *major, uint64_t *arg);
/* A head of major type MAJOR; UC_ERR_INVALID for another type. */
int uc_cbor_get_expect(struct uc_cbor *c, unsigned major, uint64_t *arg);
int uc_cbor_get_uint(struct uc_cbor *c, uint64_t *v);
/* An integer of either sign into *v (fits int64_t or UC_ERR_INVALID). */
int uc_cbor_get_int(struct uc_cbor *c, int64_t *v);
/* A string of major type MAJOR (BSTR or TSTR) of at most MAX bytes;
 * *P borrows into the input. */
int uc_cbor_get_str(struct uc_cbor *c, unsigned major, size_t max,
    const uint8_t **p, size_t *n);

#endif /* UC_PRINTED_CBOR_H */
