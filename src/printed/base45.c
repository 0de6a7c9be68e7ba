/*
 * base45.c - RFC 9285: two bytes as three characters of the QR code's
 * alphanumeric alphabet, so a binary payload fills a QR code's densest
 * text mode.
 */
#include <string.h>

#include "unioncard/printed.h"

static const char alphabet[46] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* The value of character ch, or -1. */
static int
value(char ch)
{
	const char *p;

	if (ch == '\0')
		return -1;
	p = memchr(alphabet, ch, 45);
	return p == NULL ? -1 : (int)(p - alphabet);
}

int
uc_base45_encode(const uint8_t *p, size_t n, char *out, size_t cap,
    size_t *out_len)
{
	size_t need, i, o = 0;

	if (out_len != NULL)
		*out_len = 0;
	if ((p == NULL && n != 0) || out == NULL)
		return UC_ERR_ARG;
	if (n > (SIZE_MAX - 1) / 2)
		return UC_ERR_RANGE;
	need = UC_BASE45_ENCODED_LEN(n);
	if (cap < need + 1) {
		if (cap > 0)
			out[0] = '\0';
		return UC_ERR_BUFFER;
	}
	for (i = 0; i + 1 < n; i += 2) {
		unsigned v = (unsigned)p[i] << 8 | p[i + 1];

		out[o++] = alphabet[v % 45];
		out[o++] = alphabet[(v / 45) % 45];
		out[o++] = alphabet[v / 2025];
	}
	if (i < n) {
		out[o++] = alphabet[p[i] % 45];
		out[o++] = alphabet[p[i] / 45];
	}
	out[o] = '\0';
	if (out_len != NULL)
		*out_len = o;
	return 0;
}

int
uc_base45_decode(const char *s, size_t len, uint8_t *out, size_t cap,
    size_t *out_len)
{
	size_t i, o = 0;

	if (out_len != NULL)
		*out_len = 0;
	if ((s == NULL && len != 0) || (out == NULL && cap != 0))
		return UC_ERR_ARG;
	if (len % 3 == 1)
		return UC_ERR_INVALID;
	if (len / 3 * 2 + (len % 3 == 2) > cap)
		return UC_ERR_BUFFER;
	for (i = 0; i < len; i += 3) {
		int c = value(s[i]), d = i + 1 < len ? value(s[i + 1]) : -1;
		unsigned long v;

		if (c < 0 || d < 0)
			return UC_ERR_INVALID;
		if (i + 2 < len) {
			int e = value(s[i + 2]);

			if (e < 0)
				return UC_ERR_INVALID;
			v = (unsigned long)c + (unsigned long)d * 45 +
			    (unsigned long)e * 2025;
			if (v > 0xFFFF)
				return UC_ERR_INVALID;
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
		} else {
			v = (unsigned long)c + (unsigned long)d * 45;
			if (v > 0xFF)
				return UC_ERR_INVALID;
			out[o++] = (uint8_t)v;
		}
	}
	if (out_len != NULL)
		*out_len = o;
	return 0;
}
