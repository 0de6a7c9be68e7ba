/*
 * cbor.c - the strict CBOR subset of cbor.h.
 */
#include <string.h>

#include "unioncard/error.h"

#include "printed/cbor.h"

int
uc_cbor_put_head(struct uc_buf *b, unsigned major, uint64_t arg)
{
	uint8_t h[9];
	size_t n, i;

	if (major > 7)
		return UC_ERR_ARG;
	if (arg < 24) {
		h[0] = (uint8_t)(major << 5 | arg);
		n = 1;
	} else {
		unsigned ai;

		if (arg <= 0xFF)
			ai = 24, n = 1;
		else if (arg <= 0xFFFF)
			ai = 25, n = 2;
		else if (arg <= 0xFFFFFFFFu)
			ai = 26, n = 4;
		else
			ai = 27, n = 8;
		h[0] = (uint8_t)(major << 5 | ai);
		for (i = 0; i < n; i++)
			h[1 + i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
		n++;
	}
	return uc_buf_append(b, h, n);
}

int
uc_cbor_put_uint(struct uc_buf *b, uint64_t v)
{
	return uc_cbor_put_head(b, CBOR_UINT, v);
}

int
uc_cbor_put_nint(struct uc_buf *b, uint64_t n)
{
	return uc_cbor_put_head(b, CBOR_NINT, n);
}

int
uc_cbor_put_bstr(struct uc_buf *b, const void *p, size_t n)
{
	int r;

	if ((r = uc_cbor_put_head(b, CBOR_BSTR, n)) != 0)
		return r;
	return n == 0 ? 0 : uc_buf_append(b, p, n);
}

int
uc_cbor_put_tstr(struct uc_buf *b, const char *s, size_t n)
{
	int r;

	if ((r = uc_cbor_put_head(b, CBOR_TSTR, n)) != 0)
		return r;
	return n == 0 ? 0 : uc_buf_append(b, s, n);
}

int
uc_cbor_get_head(struct uc_cbor *c, unsigned *major, uint64_t *arg)
{
	const uint8_t *p = c->p;
	unsigned mt, ai;
	uint64_t v = 0;
	size_t n, i;

	*major = 0;
	*arg = 0;
	if (p == NULL || p >= c->end)
		return UC_ERR_INVALID;
	mt = *p >> 5;
	ai = *p & 0x1F;
	p++;
	if (mt == CBOR_SIMPLE)
		return UC_ERR_INVALID; /* no floats, no simple values */
	if (ai < 24) {
		v = ai;
	} else if (ai <= 27) {
		n = (size_t)1 << (ai - 24);
		if ((size_t)(c->end - p) < n)
			return UC_ERR_INVALID;
		for (i = 0; i < n; i++)
			v = v << 8 | p[i];
		p += n;
		/* shortest form only */
		if ((ai == 24 && v < 24) || (ai == 25 && v <= 0xFF) ||
		    (ai == 26 && v <= 0xFFFF) ||
		    (ai == 27 && v <= 0xFFFFFFFFu))
			return UC_ERR_INVALID;
	} else
		return UC_ERR_INVALID; /* reserved or indefinite */
	if ((mt == CBOR_BSTR || mt == CBOR_TSTR) &&
	    v > (uint64_t)(c->end - p))
		return UC_ERR_INVALID;
	c->p = p;
	*major = mt;
	*arg = v;
	return 0;
}

int
uc_cbor_get_expect(struct uc_cbor *c, unsigned major, uint64_t *arg)
{
	struct uc_cbor save = *c;
	unsigned mt;
	int r;

	if ((r = uc_cbor_get_head(c, &mt, arg)) != 0)
		return r;
	if (mt != major) {
		*c = save;
		*arg = 0;
		return UC_ERR_INVALID;
	}
	return 0;
}

int
uc_cbor_get_uint(struct uc_cbor *c, uint64_t *v)
{
	return uc_cbor_get_expect(c, CBOR_UINT, v);
}

int
uc_cbor_get_int(struct uc_cbor *c, int64_t *v)
{
	struct uc_cbor save = *c;
	unsigned mt;
	uint64_t a;
	int r;

	*v = 0;
	if ((r = uc_cbor_get_head(c, &mt, &a)) != 0)
		return r;
	if ((mt != CBOR_UINT && mt != CBOR_NINT) || a > INT64_MAX) {
		*c = save;
		return UC_ERR_INVALID;
	}
	*v = mt == CBOR_UINT ? (int64_t)a : -1 - (int64_t)a;
	return 0;
}

int
uc_cbor_get_str(struct uc_cbor *c, unsigned major, size_t max,
    const uint8_t **p, size_t *n)
{
	struct uc_cbor save = *c;
	uint64_t len;
	int r;

	*p = NULL;
	*n = 0;
	if (major != CBOR_BSTR && major != CBOR_TSTR)
		return UC_ERR_ARG;
	if ((r = uc_cbor_get_expect(c, major, &len)) != 0)
		return r;
	if (len > max) {
		*c = save;
		return UC_ERR_INVALID;
	}
	*p = c->p;
	*n = (size_t)len;
	c->p += len;
	return 0;
}
