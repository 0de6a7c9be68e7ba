/*
 * scp03_test_util.h - small helpers shared by the secure-channel tests:
 * hex to bytes and a strict short/extended APDU codec of their own, so the
 * tests do not depend on the protocol layer they are not testing.
 */
#ifndef UC_TEST_SCP03_UTIL_H
#define UC_TEST_SCP03_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unioncard/apdu.h"

static inline int
t_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex into out (cap bytes); returns the length or -1. */
static inline long
t_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex), i;

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = t_hexval(hex[2 * i]), lo = t_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

/*
 * Parse a command APDU (all ISO cases, short or extended).  data points
 * into raw.  Returns 0 or -1 when malformed.
 */
static inline int
t_apdu_parse(const uint8_t *raw, size_t len, struct uc_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 4)
		return -1;
	a->cla = raw[0];
	a->ins = raw[1];
	a->p1 = raw[2];
	a->p2 = raw[3];
	raw += 4;
	len -= 4;
	if (len == 0)
		return 0;
	if (len == 1) { /* case 2 short */
		a->le = raw[0] == 0 ? 256 : raw[0];
		return 0;
	}
	if (raw[0] != 0) { /* short case 3 or 4 */
		a->lc = raw[0];
		if (len == 1 + a->lc) {
			a->data = raw + 1;
			return 0;
		}
		if (len == 2 + a->lc) {
			a->data = raw + 1;
			a->le = raw[1 + a->lc] == 0 ? 256 : raw[1 + a->lc];
			return 0;
		}
		return -1;
	}
	/* extended: 00 then two bytes */
	a->extended = 1;
	if (len == 3) {
		size_t le = (size_t)raw[1] << 8 | raw[2];

		a->le = le == 0 ? 65536 : le;
		return 0;
	}
	if (len < 3)
		return -1;
	a->lc = (size_t)raw[1] << 8 | raw[2];
	if (a->lc == 0)
		return -1;
	if (len == 3 + a->lc) {
		a->data = raw + 3;
		return 0;
	}
	if (len == 5 + a->lc) {
		size_t le = (size_t)raw[3 + a->lc] << 8 | raw[4 + a->lc];

		a->data = raw + 3;
		a->le = le == 0 ? 65536 : le;
		return 0;
	}
	return -1;
}

/* Encode (short when possible); returns the length, or 0 if cap is short. */
static inline size_t
t_apdu_encode(const struct uc_apdu *a, uint8_t *out, size_t cap)
{
	int ext = a->extended || a->lc > 255 || a->le > 256;
	size_t n = 0;

	if (cap < 4 + 3 + a->lc + 3)
		return 0;
	out[n++] = a->cla;
	out[n++] = a->ins;
	out[n++] = a->p1;
	out[n++] = a->p2;
	if (a->lc > 0) {
		if (ext) {
			out[n++] = 0;
			out[n++] = (uint8_t)(a->lc >> 8);
			out[n++] = (uint8_t)a->lc;
		} else {
			out[n++] = (uint8_t)a->lc;
		}
		memcpy(out + n, a->data, a->lc);
		n += a->lc;
	}
	if (a->le > 0) {
		if (ext) {
			if (a->lc == 0)
				out[n++] = 0;
			out[n++] = (uint8_t)((a->le & 0xffff) >> 8);
			out[n++] = (uint8_t)a->le;
		} else {
			out[n++] = (uint8_t)a->le; /* 256 -> 00 */
		}
	}
	return n;
}

#endif /* UC_TEST_SCP03_UTIL_H */
