/*
 * apdu.c - ISO/IEC 7816-4 command APDU encoding and decoding, response
 * splitting.
 *
 * The four cases, short and extended (7816-4 §5.1):
 *   1   CLA INS P1 P2
 *   2S  ... Le                  2E  ... 00 Le1 Le2
 *   3S  ... Lc data             3E  ... 00 Lc1 Lc2 data
 *   4S  ... Lc data Le          4E  ... 00 Lc1 Lc2 data Le1 Le2
 * Le 00 (short) means 256 and 0000 (extended) 65536.  The decoder accepts
 * exactly these shapes and nothing else, since the virtual card uses it on
 * bytes that arrive from outside.
 */
#include <string.h>

#include "unioncard/apdu.h"
#include "unioncard/error.h"

int
uc_apdu_encode(const struct uc_apdu *a, struct uc_buf *out)
{
	uint8_t hdr[4 + 3];
	size_t hlen = 4, mark;
	int ext, r;

	if (a == NULL || out == NULL || (a->data == NULL && a->lc != 0))
		return UC_ERR_ARG;
	if (a->lc > UC_APDU_LC_MAX_EXT || a->le > UC_APDU_LE_MAX_EXT)
		return UC_ERR_RANGE;
	ext = a->extended || a->lc > UC_APDU_LC_MAX_SHORT ||
	    a->le > UC_APDU_LE_MAX_SHORT;
	hdr[0] = a->cla;
	hdr[1] = a->ins;
	hdr[2] = a->p1;
	hdr[3] = a->p2;
	if (a->lc > 0) {
		if (ext) {
			hdr[hlen++] = 0x00;
			hdr[hlen++] = (uint8_t)(a->lc >> 8);
		}
		hdr[hlen++] = (uint8_t)a->lc;
	}
	mark = out->len;
	if ((r = uc_buf_reserve(out, hlen + a->lc + 3)) != 0)
		return r;
	if ((r = uc_buf_append(out, hdr, hlen)) != 0 ||
	    (r = uc_buf_append(out, a->data, a->lc)) != 0)
		goto out;
	if (a->le > 0) {
		if (!ext) {
			/* 256 wraps to 00 by the cast. */
			r = uc_buf_append_byte(out, (uint8_t)a->le);
		} else {
			/* Case 2E carries its own 00 marker. */
			if (a->lc == 0 &&
			    (r = uc_buf_append_byte(out, 0x00)) != 0)
				goto out;
			r = uc_buf_append_u16(out, (uint16_t)a->le);
		}
		if (r != 0)
			goto out;
	}
	r = 0;
out:
	if (r != 0)
		out->len = mark;
	return r;
}

int
uc_apdu_decode(const uint8_t *raw, size_t len, struct uc_apdu *out)
{
	size_t lc, le, body;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (raw == NULL || out == NULL)
		return UC_ERR_ARG;
	if (len < 4 || len > UC_APDU_WIRE_MAX)
		return UC_ERR_PROTOCOL;
	out->cla = raw[0];
	out->ins = raw[1];
	out->p1 = raw[2];
	out->p2 = raw[3];
	if (len == 4)
		return 0; /* case 1 */
	body = len - 4;
	if (body == 1) { /* case 2S */
		out->le = raw[4] == 0 ? 256 : raw[4];
		return 0;
	}
	if (raw[4] != 0x00) { /* case 3S or 4S */
		lc = raw[4];
		if (body == 1 + lc) {
			le = 0;
		} else if (body == 2 + lc) {
			le = raw[5 + lc] == 0 ? 256 : raw[5 + lc];
		} else {
			memset(out, 0, sizeof(*out));
			return UC_ERR_PROTOCOL;
		}
		out->data = raw + 5;
		out->lc = lc;
		out->le = le;
		return 0;
	}
	/* Extended: 00 then two bytes. */
	out->extended = 1;
	if (body == 3) { /* case 2E */
		le = (size_t)raw[5] << 8 | raw[6];
		out->le = le == 0 ? 65536 : le;
		return 0;
	}
	if (body < 3)
		goto bad;
	lc = (size_t)raw[5] << 8 | raw[6];
	if (lc == 0)
		goto bad;
	if (body == 3 + lc) {
		le = 0;
	} else if (body == 5 + lc) {
		le = (size_t)raw[7 + lc] << 8 | raw[8 + lc];
		if (le == 0)
			le = 65536;
	} else {
		goto bad;
	}
	out->data = raw + 7;
	out->lc = lc;
	out->le = le;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return UC_ERR_PROTOCOL;
}

int
uc_rapdu_parse(const uint8_t *raw, size_t len, const uint8_t **data,
    size_t *data_len, uint16_t *sw)
{
	if (data != NULL)
		*data = NULL;
	if (data_len != NULL)
		*data_len = 0;
	if (sw != NULL)
		*sw = 0;
	if (raw == NULL && len != 0)
		return UC_ERR_ARG;
	if (len < 2 || len > UC_RAPDU_WIRE_MAX)
		return UC_ERR_PROTOCOL;
	if (data != NULL)
		*data = raw;
	if (data_len != NULL)
		*data_len = len - 2;
	if (sw != NULL)
		*sw = (uint16_t)(raw[len - 2] << 8 | raw[len - 1]);
	return 0;
}
