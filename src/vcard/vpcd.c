/*
 * vpcd.c - the vsmartcard-vpcd frame format, as a bounded parser that
 * never reads past the bytes it is given (it is fuzzed:
 * tests/fuzz/fuzz_vpcd.c).
 */
#include <string.h>

#include "unioncard/error.h"
#include "vcard/vcard.h"

int
uc_vpcd_parse_frame(const uint8_t *buf, size_t len, struct uc_vpcd_frame *out)
{
	size_t n;

	if (out == NULL || (buf == NULL && len != 0))
		return UC_ERR_ARG;
	memset(out, 0, sizeof(*out));
	out->kind = UC_VPCD_INCOMPLETE;
	if (len < 2)
		return 0;
	n = (size_t)buf[0] << 8 | buf[1];
	if (n == 0)
		return UC_ERR_PROTOCOL;
	if (len - 2 < n)
		return 0;
	if (n == 1) {
		switch (buf[2]) {
		case UC_VPCD_POWER_OFF:
		case UC_VPCD_POWER_ON:
		case UC_VPCD_RESET:
		case UC_VPCD_GET_ATR:
			break;
		default:
			return UC_ERR_PROTOCOL;
		}
		out->kind = UC_VPCD_CONTROL;
		out->control = buf[2];
	} else {
		out->kind = UC_VPCD_APDU;
		out->apdu = buf + 2;
		out->apdu_len = n;
	}
	out->consumed = n + 2;
	return 0;
}

int
uc_vpcd_frame_encode(const uint8_t *p, size_t n, uint8_t *out, size_t cap,
    size_t *out_len)
{
	if (out_len != NULL)
		*out_len = 0;
	if (p == NULL || out == NULL || out_len == NULL)
		return UC_ERR_ARG;
	if (n == 0 || n > UC_VPCD_FRAME_MAX)
		return UC_ERR_RANGE;
	if (cap < n + 2)
		return UC_ERR_BUFFER;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	memmove(out + 2, p, n);
	*out_len = n + 2;
	return 0;
}
