/*
 * text.c - UTF-8 validation, NFC normalization and the ASCII forms of
 * Vietnamese names.
 *
 * Speed matters here: an import runs every name of a million-row file
 * through uc_text_nfc() and uc_text_bank_name().  So:
 *   - everything works on (ptr, len) into caller buffers, no allocation;
 *   - NFC has a fast path: text whose code points all lie in ranges that
 *     are NFC-stable starters that never compose with a neighbour (ASCII,
 *     U+0080..U+02FF, U+1E00..U+1EFF: precomposed Vietnamese) is already
 *     NFC.  test_text.c proves that claim exhaustively with libunistring;
 *   - folding needs no NFD pass: it follows each code point's canonical
 *     decomposition to its base character and drops combining marks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <uninorm.h>

#include "unioncard/error.h"
#include "unioncard/text.h"

/*
 * Decode one UTF-8 sequence at p (p < end).  Returns its length (1..4)
 * and *cp, or 0 if it is malformed (overlong, surrogate, > U+10FFFF,
 * truncated, stray continuation byte).
 */
static size_t
utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t avail = (size_t)(end - p);
	uint32_t c = p[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2)
		return 0; /* continuation byte or overlong 2-byte lead */
	if (c < 0xe0) {
		if (avail < 2 || (p[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((c & 0x1f) << 6) | (p[1] & 0x3f);
		return 2;
	}
	if (c < 0xf0) {
		if (avail < 3 || (p[1] & 0xc0) != 0x80 ||
		    (p[2] & 0xc0) != 0x80)
			return 0;
		c = ((c & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
		    (p[2] & 0x3f);
		if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		*cp = c;
		return 3;
	}
	if (c < 0xf5) {
		if (avail < 4 || (p[1] & 0xc0) != 0x80 ||
		    (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		c = ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
		    ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		if (c < 0x10000 || c > 0x10ffff)
			return 0;
		*cp = c;
		return 4;
	}
	return 0;
}

/* Length of the leading run of ASCII bytes. */
static size_t
ascii_prefix(const unsigned char *p, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
	}
	while (i < len && p[i] < 0x80)
		i++;
	return i;
}

int
uc_text_is_ascii(const char *s, size_t len)
{
	if (s == NULL)
		return len == 0;
	return ascii_prefix((const unsigned char *)s, len) == len;
}

int
uc_text_utf8_check(const char *s, size_t len, size_t *bad_offset)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	uint32_t cp;
	size_t n;

	if (bad_offset != NULL)
		*bad_offset = 0;
	if (s == NULL)
		return len == 0 ? 0 : UC_ERR_ARG;
	while (p < end) {
		if (*p < 0x80) {
			p += ascii_prefix(p, (size_t)(end - p));
			continue;
		}
		if ((n = utf8_decode(p, end, &cp)) == 0) {
			if (bad_offset != NULL)
				*bad_offset = (size_t)(p - (const unsigned char *)s);
			return UC_ERR_INVALID;
		}
		p += n;
	}
	return 0;
}

/*
 * Validate and report whether the text is entirely made of code points
 * that are NFC-stable starters which never compose (see file comment).
 */
static int
check_nfc_stable(const char *s, size_t len, int *stable)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	uint32_t cp;
	size_t n;

	*stable = 1;
	while (p < end) {
		if (*p < 0x80) {
			p += ascii_prefix(p, (size_t)(end - p));
			continue;
		}
		if ((n = utf8_decode(p, end, &cp)) == 0)
			return UC_ERR_INVALID;
		if (!(cp < 0x300 || (cp >= 0x1e00 && cp <= 0x1eff)))
			*stable = 0;
		p += n;
	}
	return 0;
}

static int
check_args(const char *s, size_t len, char *out, size_t cap,
    size_t *out_len)
{
	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || cap == 0 || out_len == NULL ||
	    (s == NULL && len > 0))
		return UC_ERR_ARG;
	out[0] = '\0';
	if (len > UC_TEXT_MAX)
		return UC_ERR_RANGE;
	return 0;
}

int
uc_text_nfc(const char *s, size_t len, char *out, size_t cap,
    size_t *out_len)
{
	uint8_t *res = NULL;
	size_t rlen;
	int stable;
	int r;

	if ((r = check_args(s, len, out, cap, out_len)) != 0)
		return r;
	if ((r = check_nfc_stable(s, len, &stable)) != 0)
		return r;
	if (stable) {
		if (len >= cap)
			return UC_ERR_BUFFER;
		if (len > 0)
			memcpy(out, s, len);
		out[len] = '\0';
		*out_len = len;
		return 0;
	}
	/* libunistring writes into out while it fits, else allocates. */
	rlen = cap - 1;
	res = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len,
	    (uint8_t *)out, &rlen);
	if (res == NULL) {
		out[0] = '\0';
		return UC_ERR_NOMEM;
	}
	if (res != (uint8_t *)out) {
		if (rlen >= cap) {
			r = UC_ERR_BUFFER;
			goto out;
		}
		memcpy(out, res, rlen);
	}
	out[rlen] = '\0';
	*out_len = rlen;
	r = 0;
out:
	if (res != (uint8_t *)out)
		free(res);
	if (r != 0)
		out[0] = '\0';
	return r;
}

/*
 * Run fn with a heap buffer of cap bytes and hand it to the caller.
 */
typedef int (*text_fn)(const char *, size_t, char *, size_t, size_t *);

static int
dup_with(text_fn fn, const char *s, size_t len, size_t cap, char **out)
{
	char *buf = NULL;
	size_t n = 0;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (len > UC_TEXT_MAX)
		return UC_ERR_RANGE;
	if ((buf = malloc(cap)) == NULL)
		return UC_ERR_NOMEM;
	if ((r = fn(s, len, buf, cap, &n)) != 0) {
		free(buf);
		return r;
	}
	*out = buf;
	return 0;
}

int
uc_text_nfc_dup(const char *s, size_t len, char **out)
{
	return dup_with(uc_text_nfc, s, len, UC_TEXT_NFC_CAP(len), out);
}

/*
 * fold_cp() results for the code points names are made of: Latin-1,
 * Latin Extended-A/B, IPA, spacing modifiers, combining marks (U+0080..
 * U+036F) and Latin Extended Additional (U+1E00..U+1EFF, precomposed
 * Vietnamese).  Generated from fold_cp_slow() and checked entry by entry
 * against libunistring by test_text.c.  NONE: no ASCII form; DROP: a mark.
 */
#define NONE 0xff
#define DROP 0
static const unsigned char fold_lo[0x36f - 0x80 + 1] = {
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	' ', NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	'A', 'A', 'A', 'A', 'A', 'A', NONE, 'C',
	'E', 'E', 'E', 'E', 'I', 'I', 'I', 'I',
	NONE, 'N', 'O', 'O', 'O', 'O', 'O', NONE,
	NONE, 'U', 'U', 'U', 'U', 'Y', NONE, NONE,
	'a', 'a', 'a', 'a', 'a', 'a', NONE, 'c',
	'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
	NONE, 'n', 'o', 'o', 'o', 'o', 'o', NONE,
	NONE, 'u', 'u', 'u', 'u', 'y', NONE, 'y',
	'A', 'a', 'A', 'a', 'A', 'a', 'C', 'c',
	'C', 'c', 'C', 'c', 'C', 'c', 'D', 'd',
	'D', 'd', 'E', 'e', 'E', 'e', 'E', 'e',
	'E', 'e', 'E', 'e', 'G', 'g', 'G', 'g',
	'G', 'g', 'G', 'g', 'H', 'h', NONE, NONE,
	'I', 'i', 'I', 'i', 'I', 'i', 'I', 'i',
	'I', NONE, NONE, NONE, 'J', 'j', 'K', 'k',
	NONE, 'L', 'l', 'L', 'l', 'L', 'l', NONE,
	NONE, NONE, NONE, 'N', 'n', 'N', 'n', 'N',
	'n', NONE, NONE, NONE, 'O', 'o', 'O', 'o',
	'O', 'o', NONE, NONE, 'R', 'r', 'R', 'r',
	'R', 'r', 'S', 's', 'S', 's', 'S', 's',
	'S', 's', 'T', 't', 'T', 't', NONE, NONE,
	'U', 'u', 'U', 'u', 'U', 'u', 'U', 'u',
	'U', 'u', 'U', 'u', 'W', 'w', 'Y', 'y',
	'Y', 'Z', 'z', 'Z', 'z', 'Z', 'z', NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, 'D', NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	'O', 'o', NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, 'U',
	'u', NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, 'A', 'a', 'I',
	'i', 'O', 'o', 'U', 'u', 'U', 'u', 'U',
	'u', 'U', 'u', 'U', 'u', NONE, 'A', 'a',
	'A', 'a', NONE, NONE, NONE, NONE, 'G', 'g',
	'K', 'k', 'O', 'o', 'O', 'o', NONE, NONE,
	'j', NONE, NONE, NONE, 'G', 'g', NONE, NONE,
	'N', 'n', 'A', 'a', NONE, NONE, NONE, NONE,
	'A', 'a', 'A', 'a', 'E', 'e', 'E', 'e',
	'I', 'i', 'I', 'i', 'O', 'o', 'O', 'o',
	'R', 'r', 'R', 'r', 'U', 'u', 'U', 'u',
	'S', 's', 'T', 't', NONE, NONE, 'H', 'h',
	NONE, NONE, NONE, NONE, NONE, NONE, 'A', 'a',
	'E', 'e', 'O', 'o', 'O', 'o', 'O', 'o',
	'O', 'o', 'Y', 'y', NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, '\'', NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
	DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
};
static const unsigned char fold_hi[0x1eff - 0x1e00 + 1] = {
	'A', 'a', 'B', 'b', 'B', 'b', 'B', 'b',
	'C', 'c', 'D', 'd', 'D', 'd', 'D', 'd',
	'D', 'd', 'D', 'd', 'E', 'e', 'E', 'e',
	'E', 'e', 'E', 'e', 'E', 'e', 'F', 'f',
	'G', 'g', 'H', 'h', 'H', 'h', 'H', 'h',
	'H', 'h', 'H', 'h', 'I', 'i', 'I', 'i',
	'K', 'k', 'K', 'k', 'K', 'k', 'L', 'l',
	'L', 'l', 'L', 'l', 'L', 'l', 'M', 'm',
	'M', 'm', 'M', 'm', 'N', 'n', 'N', 'n',
	'N', 'n', 'N', 'n', 'O', 'o', 'O', 'o',
	'O', 'o', 'O', 'o', 'P', 'p', 'P', 'p',
	'R', 'r', 'R', 'r', 'R', 'r', 'R', 'r',
	'S', 's', 'S', 's', 'S', 's', 'S', 's',
	'S', 's', 'T', 't', 'T', 't', 'T', 't',
	'T', 't', 'U', 'u', 'U', 'u', 'U', 'u',
	'U', 'u', 'U', 'u', 'V', 'v', 'V', 'v',
	'W', 'w', 'W', 'w', 'W', 'w', 'W', 'w',
	'W', 'w', 'X', 'x', 'X', 'x', 'Y', 'y',
	'Z', 'z', 'Z', 'z', 'Z', 'z', 'h', 't',
	'w', 'y', NONE, NONE, NONE, NONE, NONE, NONE,
	'A', 'a', 'A', 'a', 'A', 'a', 'A', 'a',
	'A', 'a', 'A', 'a', 'A', 'a', 'A', 'a',
	'A', 'a', 'A', 'a', 'A', 'a', 'A', 'a',
	'E', 'e', 'E', 'e', 'E', 'e', 'E', 'e',
	'E', 'e', 'E', 'e', 'E', 'e', 'E', 'e',
	'I', 'i', 'I', 'i', 'O', 'o', 'O', 'o',
	'O', 'o', 'O', 'o', 'O', 'o', 'O', 'o',
	'O', 'o', 'O', 'o', 'O', 'o', 'O', 'o',
	'O', 'o', 'O', 'o', 'U', 'u', 'U', 'u',
	'U', 'u', 'U', 'u', 'U', 'u', 'U', 'u',
	'U', 'u', 'Y', 'y', 'Y', 'y', 'Y', 'y',
	'Y', 'y', NONE, NONE, NONE, NONE, NONE, NONE,
};
#undef NONE
#undef DROP

/*
 * The ASCII form of one code point: a byte, 0 to drop it (combining
 * mark), or -1 if it has none.
 */
static int
fold_cp_slow(uint32_t cp)
{
	ucs4_t dec[UC_DECOMPOSITION_MAX_LENGTH];
	int n, guard;

	for (guard = 0; guard < 8; guard++) {
		if (cp < 0x80)
			return (int)cp;
		switch (cp) {
		case 0x0110: /* Đ: no decomposition in Unicode */
		case 0x0189: /* Ɖ African D, look-alike used by mistake */
			return 'D';
		case 0x0111: /* đ */
			return 'd';
		case 0x2018: /* quotes used as apostrophes in names */
		case 0x2019:
		case 0x02bc:
			return '\'';
		case 0x2010: /* hyphens and dashes */
		case 0x2011:
		case 0x2012:
		case 0x2013:
		case 0x2014:
			return '-';
		case 0xfeff: /* stray byte-order mark: nothing */
			return 0;
		default:
			break;
		}
		if (uc_is_general_category(cp, UC_CATEGORY_M))
			return 0;
		if (uc_is_general_category(cp, UC_CATEGORY_Zs))
			return ' ';
		/*
		 * Canonical decompositions put the base first and marks
		 * after; the marks are dropped anyway, so follow the base.
		 */
		n = uc_canonical_decomposition(cp, dec);
		if (n <= 0)
			return -1;
		cp = dec[0];
	}
	return -1;
}

static int
fold_cp(uint32_t cp)
{
	unsigned char v;

	if (cp >= 0x80 && cp <= 0x36f)
		v = fold_lo[cp - 0x80];
	else if (cp >= 0x1e00 && cp <= 0x1eff)
		v = fold_hi[cp - 0x1e00];
	else
		return fold_cp_slow(cp);
	return v == 0xff ? -1 : (int)v;
}

int
uc_text_fold_ascii(const char *s, size_t len, char *out, size_t cap,
    size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	size_t o = 0, n;
	uint32_t cp;
	int c, r;

	if ((r = check_args(s, len, out, cap, out_len)) != 0)
		return r;
	while (p < end) {
		if (*p < 0x80) {
			n = ascii_prefix(p, (size_t)(end - p));
			if (n >= cap - o) {
				r = UC_ERR_BUFFER;
				goto out;
			}
			memcpy(out + o, p, n);
			o += n;
			p += n;
			continue;
		}
		if ((n = utf8_decode(p, end, &cp)) == 0) {
			r = UC_ERR_INVALID;
			goto out;
		}
		p += n;
		if ((c = fold_cp(cp)) < 0) {
			r = UC_ERR_INVALID;
			goto out;
		}
		if (c == 0)
			continue;
		if (o + 1 >= cap) {
			r = UC_ERR_BUFFER;
			goto out;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*out_len = o;
	r = 0;
out:
	if (r != 0)
		out[0] = '\0';
	return r;
}

int
uc_text_fold_ascii_dup(const char *s, size_t len, char **out)
{
	return dup_with(uc_text_fold_ascii, s, len, len + 1, out);
}

int
uc_text_bank_name(const char *s, size_t len, char *out, size_t cap,
    size_t *out_len)
{
	size_t i, o = 0, n = 0;
	int pending_space = 0;
	int r;

	if ((r = uc_text_fold_ascii(s, len, out, cap, &n)) != 0)
		return r;
	/* Compact in place: o <= i always. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			pending_space = o > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			out[0] = '\0';
			return UC_ERR_INVALID;
		}
		if (pending_space) {
			out[o++] = ' ';
			pending_space = 0;
		}
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

int
uc_text_bank_name_dup(const char *s, size_t len, char **out)
{
	return dup_with(uc_text_bank_name, s, len, len + 1, out);
}

/* Length of a white-space sequence starting at p, or 0. */
static size_t
space_at(const unsigned char *p, size_t avail)
{
	if (avail >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
		return 1;
	if (avail >= 2 && p[0] == 0xc2 && p[1] == 0xa0)
		return 2; /* U+00A0 */
	if (avail < 3)
		return 0;
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3; /* U+FEFF */
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3; /* U+1680 */
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xaf))
		return 3; /* U+2000..U+200A, U+202F */
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3; /* U+205F */
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

void
uc_text_trim(const char **s, size_t *len)
{
	const unsigned char *p;
	size_t n, k, m;

	if (s == NULL || len == NULL || *s == NULL)
		return;
	p = (const unsigned char *)*s;
	n = *len;
	while (n > 0 && (k = space_at(p, n)) != 0) {
		p += k;
		n -= k;
	}
	while (n > 0) {
		/* Try the 1-, 2- and 3-byte forms ending at the last byte. */
		for (m = 1; m <= 3 && m <= n; m++)
			if (space_at(p + n - m, m) == m)
				break;
		if (m > 3 || m > n)
			break;
		n -= m;
	}
	*s = (const char *)p;
	*len = n;
}

int
uc_text_ascii_caseeq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i];
		unsigned char y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

int
uc_text_word_match(const char *s, size_t len, const char *const words[],
    size_t n)
{
	char buf[64];
	size_t k, i;

	if (s == NULL || words == NULL)
		return -1;
	uc_text_trim(&s, &len);
	/* Every word in a list is short: longer input matches nothing. */
	if (len == 0 || len > 20 || uc_text_nfc(s, len, buf, sizeof(buf),
	    &k) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (uc_text_ascii_caseeq(buf, k, words[i], strlen(words[i])))
			return (int)i;
	return -1;
}

int
uc_text_yesno(const char *s, size_t len, int *v)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "có",
	    "Có", "CÓ", "co" };
	static const char *const no[] = { "0", "no", "n", "false", "không",
	    "Không", "KHÔNG", "khong" };

	if (v == NULL)
		return UC_ERR_ARG;
	*v = 0;
	if (uc_text_word_match(s, len, yes, sizeof(yes) / sizeof(yes[0])) >=
	    0) {
		*v = 1;
		return 0;
	}
	if (uc_text_word_match(s, len, no, sizeof(no) / sizeof(no[0])) >= 0)
		return 0;
	return UC_ERR_INVALID;
}
