/*
 * buf.c - the growable byte buffer and hex helpers.
 *
 * Buffers may hold secrets (session keys, decrypted STORE DATA), so every
 * path that drops bytes wipes them first: free, reset, and growth (the old
 * block is wiped before it is released, which is why realloc is not used).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"

/* Smallest allocation, so that a run of single-byte appends is cheap. */
#define BUF_MIN_CAP 64u

void
uc_buf_init(struct uc_buf *b)
{
	if (b == NULL)
		return;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
uc_buf_free(struct uc_buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
uc_buf_reset(struct uc_buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	b->len = 0;
}

int
uc_buf_reserve(struct uc_buf *b, size_t extra)
{
	size_t need, ncap;
	uint8_t *n;

	if (b == NULL)
		return UC_ERR_ARG;
	if (extra > UC_BUF_MAX || b->len > UC_BUF_MAX - extra)
		return UC_ERR_RANGE;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	ncap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
	while (ncap < need)
		ncap = ncap > UC_BUF_MAX / 2 ? UC_BUF_MAX : ncap * 2;
	if ((n = malloc(ncap)) == NULL)
		return UC_ERR_NOMEM;
	if (b->data != NULL) {
		memcpy(n, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = n;
	b->cap = ncap;
	return 0;
}

int
uc_buf_append(struct uc_buf *b, const void *p, size_t n)
{
	int r;

	if (b == NULL || (p == NULL && n != 0))
		return UC_ERR_ARG;
	if (n == 0)
		return 0;
	if ((r = uc_buf_reserve(b, n)) != 0)
		return r;
	memmove(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
uc_buf_append_byte(struct uc_buf *b, uint8_t v)
{
	return uc_buf_append(b, &v, 1);
}

int
uc_buf_append_u16(struct uc_buf *b, uint16_t v)
{
	uint8_t t[2];

	t[0] = (uint8_t)(v >> 8);
	t[1] = (uint8_t)v;
	return uc_buf_append(b, t, sizeof(t));
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hex_is_separator(char c)
{
	return c == ' ' || c == ':';
}

/*
 * One pass shared by both decoders: with out == NULL it only counts and
 * validates, so nothing is written for malformed input.
 */
static int
hex_scan(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *hex != '\0'; hex++) {
		if (hex_is_separator(*hex))
			continue;
		if ((v = hex_value(*hex)) < 0)
			return UC_ERR_INVALID;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (out != NULL) {
			if (n >= cap)
				return UC_ERR_BUFFER;
			out[n] = (uint8_t)(hi << 4 | v);
		}
		n++;
		hi = -1;
	}
	if (hi >= 0)
		return UC_ERR_INVALID;
	*out_len = n;
	return 0;
}

int
uc_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = 0;
	int r;

	if (out_len != NULL)
		*out_len = 0;
	if (hex == NULL || out_len == NULL || (out == NULL && cap != 0))
		return UC_ERR_ARG;
	if ((r = hex_scan(hex, NULL, 0, &n)) != 0)
		return r;
	if (n > cap)
		return UC_ERR_BUFFER;
	if ((r = hex_scan(hex, out, cap, &n)) != 0)
		return r;
	*out_len = n;
	return 0;
}

int
uc_hex_decode_buf(const char *hex, struct uc_buf *out)
{
	size_t n = 0;
	int r;

	if (hex == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((r = hex_scan(hex, NULL, 0, &n)) != 0)
		return r;
	if (n == 0)
		return 0;
	if ((r = uc_buf_reserve(out, n)) != 0)
		return r;
	if ((r = hex_scan(hex, out->data + out->len, n, &n)) != 0)
		return r;
	out->len += n;
	return 0;
}

void
uc_hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (out == NULL)
		return;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

char *
uc_hex_dup(const uint8_t *p, size_t n)
{
	char *s;

	if (n > (SIZE_MAX - 1) / 2)
		return NULL;
	if ((s = malloc(2 * n + 1)) == NULL)
		return NULL;
	uc_hex_encode(p, n, s);
	return s;
}
