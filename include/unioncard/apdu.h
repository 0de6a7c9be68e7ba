/*
 * unioncard/apdu.h - ISO/IEC 7816-4 command and response APDUs.
 *
 * Encoding picks the short form when Lc <= 255 and Le <= 256, and the
 * extended form otherwise (or when forced).  Le is given as a count of bytes
 * expected: 0 means "no response data expected" (no Le field), and
 * UC_APDU_LE_MAX_SHORT (256) / UC_APDU_LE_MAX_EXT (65536) mean "as much as
 * you have" (encoded 00 / 0000).
 *
 * uc_apdu_exchange() (see transport.h) runs one logical command over a
 * transport: command chaining when the data exceeds what the card accepts
 * in one APDU, the GET RESPONSE loop for 61xx (capped in rounds and total
 * bytes), and a single retry for 6Cxx.
 */
#ifndef UNIONCARD_APDU_H
#define UNIONCARD_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_APDU_LC_MAX_SHORT 255u
#define UC_APDU_LE_MAX_SHORT 256u
#define UC_APDU_LC_MAX_EXT 65535u
#define UC_APDU_LE_MAX_EXT 65536u
/* A raw APDU on the wire: 7 header/Lc bytes + 65535 data + 3 Le bytes. */
#define UC_APDU_WIRE_MAX (4u + 3u + 65535u + 3u)
/* A raw response on the wire: up to 65536 data + SW1 SW2. */
#define UC_RAPDU_WIRE_MAX (65536u + 2u)

/* Limits of the GET RESPONSE loop (hostile cards may never stop). */
#define UC_APDU_MAX_GET_RESPONSE_ROUNDS 64
#define UC_APDU_MAX_RESPONSE_TOTAL (64u * 1024u)

struct uc_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* borrowed */
	size_t lc;
	size_t le;    /* 0: none; 1..65536 bytes expected */
	int extended; /* force the extended form */
};

/*
 * Encode a command APDU.  Returns 0, UC_ERR_RANGE (lc/le out of range) or
 * UC_ERR_NOMEM.  The bytes are appended to out.
 */
UC_API int uc_apdu_encode(const struct uc_apdu *a, struct uc_buf *out);

/*
 * Decode a command APDU (as a card sees it).  Strict: all four ISO cases,
 * short and extended; trailing or missing bytes are UC_ERR_PROTOCOL.
 * data points into raw (borrowed).
 */
UC_API int uc_apdu_decode(const uint8_t *raw, size_t len, struct uc_apdu *out);

/*
 * Split a raw response into data and status word.  A response shorter than
 * 2 bytes is UC_ERR_PROTOCOL.  data points into raw (borrowed).
 */
UC_API int uc_rapdu_parse(const uint8_t *raw, size_t len,
    const uint8_t **data, size_t *data_len, uint16_t *sw);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_APDU_H */
