/*
 * tlv.c - strict BER-TLV reader and writer.
 *
 * Card responses and personalization data are hostile input.  Every read
 * checks the remaining window before touching a byte, and everything that
 * BER allows but a well-behaved card never sends (indefinite lengths,
 * non-minimal lengths, padded tags, 00/FF filler) is refused, so that two
 * readers of the same bytes can never disagree about what they mean.
 */
#include <string.h>

#include "unioncard/error.h"
#include "unioncard/tlv.h"

void
uc_tlv_reader_init(struct uc_tlv_reader *r, const uint8_t *data, size_t len)
{
	if (r == NULL)
		return;
	r->p = data;
	r->end = data == NULL ? NULL : data + len;
}

int
uc_tlv_reader_more(const struct uc_tlv_reader *r)
{
	return r != NULL && r->p != NULL && r->p < r->end;
}

/*
 * Parse one element at [p, end) without committing anything; on success
 * *next is the first byte after it.
 */
static int
parse_element(const uint8_t *p, const uint8_t *end, struct uc_tlv *out,
    const uint8_t **next)
{
	const uint8_t *start = p;
	uint32_t tag;
	size_t len, i, nlen, tag_bytes = 1;

	if (p == NULL || p >= end)
		return UC_ERR_TLV;
	/* 00 and FF are filler in ISO 7816-4, never a tag's first byte. */
	if (*p == 0x00 || *p == 0xff)
		return UC_ERR_TLV;
	tag = *p;
	out->constructed = (*p & 0x20) != 0;
	if ((*p++ & 0x1f) == 0x1f) {
		/* Subsequent tag bytes: b8 set means "more follows". */
		for (;;) {
			if (p >= end)
				return UC_ERR_TLV;
			/* X.690 8.1.2.4.2: no leading 0x80 padding. */
			if (tag_bytes == 1 && *p == 0x80)
				return UC_ERR_TLV;
			if (++tag_bytes > UC_TLV_TAG_MAX_BYTES)
				return UC_ERR_TLV;
			tag = tag << 8 | *p;
			if ((*p++ & 0x80) == 0)
				break;
		}
	}
	if (p >= end)
		return UC_ERR_TLV;
	if (*p < 0x80) {
		len = *p++;
	} else {
		nlen = *p++ & 0x7f;
		/* 0x80 is the indefinite form; more than 3 octets is absurd. */
		if (nlen == 0 || nlen > UC_TLV_LEN_MAX_BYTES)
			return UC_ERR_TLV;
		if ((size_t)(end - p) < nlen)
			return UC_ERR_TLV;
		/* Minimal: no leading zero octet, and 81 only from 80 up. */
		if (p[0] == 0x00 || (nlen == 1 && p[0] < 0x80))
			return UC_ERR_TLV;
		len = 0;
		for (i = 0; i < nlen; i++)
			len = len << 8 | *p++;
	}
	if (len > (size_t)(end - p))
		return UC_ERR_TLV;
	out->tag = tag;
	out->value = p;
	out->len = len;
	out->header_len = (size_t)(p - start);
	*next = p + len;
	return 0;
}

int
uc_tlv_next(struct uc_tlv_reader *r, struct uc_tlv *out)
{
	struct uc_tlv t;
	const uint8_t *next = NULL;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (r == NULL || out == NULL)
		return UC_ERR_ARG;
	memset(&t, 0, sizeof(t));
	if ((rc = parse_element(r->p, r->end, &t, &next)) != 0)
		return rc;
	*out = t;
	r->p = next;
	return 0;
}

int
uc_tlv_parse_one(const uint8_t *data, size_t len, struct uc_tlv *out)
{
	struct uc_tlv_reader r;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (data == NULL || out == NULL)
		return UC_ERR_ARG;
	uc_tlv_reader_init(&r, data, len);
	if ((rc = uc_tlv_next(&r, out)) != 0)
		return rc;
	if (uc_tlv_reader_more(&r)) {
		memset(out, 0, sizeof(*out));
		return UC_ERR_TLV;
	}
	return 0;
}

int
uc_tlv_find(const uint8_t *value, size_t len, uint32_t tag,
    struct uc_tlv *out)
{
	struct uc_tlv_reader r;
	struct uc_tlv t, found;
	int rc, have = 0;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (out == NULL || (value == NULL && len != 0))
		return UC_ERR_ARG;
	memset(&found, 0, sizeof(found));
	uc_tlv_reader_init(&r, value, len);
	/* Read to the end so that a malformed tail is never overlooked. */
	while (uc_tlv_reader_more(&r)) {
		if ((rc = uc_tlv_next(&r, &t)) != 0)
			return rc;
		if (!have && t.tag == tag) {
			found = t;
			have = 1;
		}
	}
	if (!have)
		return UC_ERR_NOT_FOUND;
	*out = found;
	return 0;
}

/*
 * Top-level elements are at depth 0; an element at depth d is allowed when
 * d < max_depth, so max_depth counts the levels of the tree.  Recursion is
 * bounded by UC_TLV_MAX_DEPTH.
 */
static int
walk(const uint8_t *data, size_t len, int depth, int max_depth,
    uc_tlv_visit_fn cb, void *arg)
{
	struct uc_tlv_reader r;
	struct uc_tlv t;
	int rc;

	if (depth >= max_depth)
		return UC_ERR_TLV_DEPTH;
	uc_tlv_reader_init(&r, data, len);
	while (uc_tlv_reader_more(&r)) {
		if ((rc = uc_tlv_next(&r, &t)) != 0)
			return rc;
		if (cb != NULL && (rc = cb(&t, depth, arg)) != 0)
			return rc;
		if (t.constructed && t.len > 0 &&
		    (rc = walk(t.value, t.len, depth + 1, max_depth, cb,
		    arg)) != 0)
			return rc;
	}
	return 0;
}

int
uc_tlv_walk(const uint8_t *data, size_t len, int max_depth,
    uc_tlv_visit_fn cb, void *arg)
{
	if ((data == NULL && len != 0) || max_depth < 1 ||
	    max_depth > UC_TLV_MAX_DEPTH)
		return UC_ERR_ARG;
	if (len == 0)
		return 0;
	return walk(data, len, 0, max_depth, cb, arg);
}

size_t
uc_tlv_tag_size(uint32_t tag)
{
	uint8_t b[UC_TLV_TAG_MAX_BYTES];
	size_t n, i;

	if (tag == 0)
		return 0;
	for (n = UC_TLV_TAG_MAX_BYTES; n > 0; n--)
		if ((tag >> (8 * (n - 1))) != 0)
			break;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(tag >> (8 * (n - 1 - i)));
	/* The packed bytes must be exactly what the reader would accept. */
	if (b[0] == 0xff)
		return 0;
	if ((b[0] & 0x1f) != 0x1f)
		return n == 1 ? 1 : 0;
	if (n == 1 || b[1] == 0x80)
		return 0;
	for (i = 1; i < n - 1; i++)
		if ((b[i] & 0x80) == 0)
			return 0;
	if ((b[n - 1] & 0x80) != 0)
		return 0;
	return n;
}

size_t
uc_tlv_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xff)
		return 2;
	if (len <= 0xffff)
		return 3;
	if (len <= UC_TLV_MAX_LEN)
		return 4;
	return 0;
}

static void
put_len(uint8_t *p, size_t len, size_t n)
{
	size_t i;

	if (n == 1) {
		p[0] = (uint8_t)len;
		return;
	}
	p[0] = (uint8_t)(0x80 | (n - 1));
	for (i = 1; i < n; i++)
		p[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

static int
put_tag(struct uc_buf *b, uint32_t tag)
{
	uint8_t t[UC_TLV_TAG_MAX_BYTES];
	size_t n, i;

	if ((n = uc_tlv_tag_size(tag)) == 0)
		return UC_ERR_ARG;
	for (i = 0; i < n; i++)
		t[i] = (uint8_t)(tag >> (8 * (n - 1 - i)));
	return uc_buf_append(b, t, n);
}

int
uc_tlv_put(struct uc_buf *b, uint32_t tag, const uint8_t *value, size_t len)
{
	uint8_t l[1 + UC_TLV_LEN_MAX_BYTES];
	size_t ln, tn, mark;
	int r;

	if (b == NULL || (value == NULL && len != 0))
		return UC_ERR_ARG;
	if ((tn = uc_tlv_tag_size(tag)) == 0 ||
	    (ln = uc_tlv_len_size(len)) == 0)
		return UC_ERR_ARG;
	mark = b->len;
	if ((r = uc_buf_reserve(b, tn + ln + len)) != 0)
		return r;
	if ((r = put_tag(b, tag)) != 0)
		goto out;
	put_len(l, len, ln);
	if ((r = uc_buf_append(b, l, ln)) != 0 ||
	    (r = uc_buf_append(b, value, len)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0)
		b->len = mark;
	return r;
}

int
uc_tlv_open(struct uc_buf *b, uint32_t tag, size_t *mark)
{
	size_t start;
	int r;

	if (mark != NULL)
		*mark = 0;
	if (b == NULL || mark == NULL)
		return UC_ERR_ARG;
	start = b->len;
	if ((r = put_tag(b, tag)) != 0)
		return r;
	/* One placeholder length octet; close() widens it if needed. */
	if ((r = uc_buf_append_byte(b, 0)) != 0) {
		b->len = start;
		return r;
	}
	*mark = b->len - 1;
	return 0;
}

int
uc_tlv_close(struct uc_buf *b, size_t mark)
{
	size_t vlen, n;
	int r;

	if (b == NULL || b->data == NULL || mark >= b->len)
		return UC_ERR_ARG;
	vlen = b->len - mark - 1;
	if ((n = uc_tlv_len_size(vlen)) == 0)
		return UC_ERR_RANGE;
	if (n > 1) {
		if ((r = uc_buf_reserve(b, n - 1)) != 0)
			return r;
		memmove(b->data + mark + n, b->data + mark + 1, vlen);
		b->len += n - 1;
	}
	put_len(b->data + mark, vlen, n);
	return 0;
}
