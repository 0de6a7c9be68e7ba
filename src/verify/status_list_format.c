/*
 * status_list_format.c - the card status list file (docs/status-list.md):
 * encode it for the ledger's export, check it for a verifier.
 *
 * All integers big-endian.  Bit i (MSB first in byte i / 8) is 1 when the
 * card with serial number i must NOT be accepted: revoked, lost, stolen,
 * damaged, replaced, spoiled, still only reserved, or never issued.
 *
 * A verifier checks before it allocates: uc_status_list_verify() reads the
 * header in place, verifies the signature over the compressed payload and
 * the time window, and only then inflates the bitstring to the size the
 * signed header gives (bounded by UC_STATUS_LIST_MAX_BITS).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/statuslist.h"
#include "verify/status_list_format.h"

#define SL_MAGIC "UCSL"
/* Card serials: 2 prefix digits and 9 counter digits (the ledger's). */
#define SL_SERIAL_LEN 11

static void
be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
rd(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int
sl_encode(unsigned prefix, int64_t issued_at, uint32_t ttl,
    const unsigned char *bits, uint64_t nbits, unsigned char **payload_out,
    size_t *payload_len)
{
	unsigned char *payload = NULL;
	uint64_t nbytes;
	uLongf zlen;

	*payload_out = NULL;
	*payload_len = 0;
	if (nbits > UC_STATUS_LIST_MAX_BITS)
		return UC_ERR_RANGE;
	if (bits == NULL && nbits > 0)
		return UC_ERR_ARG;
	nbytes = (nbits + 7) / 8;
	zlen = compressBound((uLong)nbytes);
	if ((payload = malloc(UC_STATUS_LIST_HEADER_LEN + zlen)) == NULL)
		return UC_ERR_NOMEM;
	if (compress2(payload + UC_STATUS_LIST_HEADER_LEN, &zlen,
	    bits != NULL ? bits : (const unsigned char *)"", (uLong)nbytes,
	    Z_BEST_COMPRESSION) != Z_OK) {
		free(payload);
		return UC_ERR_INTERNAL;
	}
	memcpy(payload, SL_MAGIC, 4);
	payload[4] = UC_STATUS_LIST_VERSION;
	payload[5] = 0;
	be(payload + 6, prefix, 2);
	be(payload + 8, (uint64_t)issued_at, 8);
	be(payload + 16, ttl, 4);
	be(payload + 20, nbits, 8);
	be(payload + 28, zlen, 4);
	*payload_out = payload;
	*payload_len = UC_STATUS_LIST_HEADER_LEN + (size_t)zlen;
	return 0;
}

int
uc_status_list_parse_header(const unsigned char *data, size_t len,
    struct uc_status_list_info *info)
{
	uint64_t nbits, zl, sl;

	if (info == NULL)
		return UC_ERR_ARG;
	memset(info, 0, sizeof(*info));
	if (data == NULL)
		return UC_ERR_ARG;
	if (len < UC_STATUS_LIST_HEADER_LEN + 4 ||
	    memcmp(data, SL_MAGIC, 4) != 0 ||
	    data[4] != UC_STATUS_LIST_VERSION || data[5] != 0)
		return UC_ERR_INVALID;
	nbits = rd(data + 20, 8);
	zl = rd(data + 28, 4);
	if (nbits > UC_STATUS_LIST_MAX_BITS ||
	    zl > len - UC_STATUS_LIST_HEADER_LEN - 4)
		return UC_ERR_INVALID;
	sl = rd(data + UC_STATUS_LIST_HEADER_LEN + zl, 4);
	if (sl > UC_STATUS_LIST_SIG_MAX ||
	    sl != len - UC_STATUS_LIST_HEADER_LEN - zl - 4)
		return UC_ERR_INVALID;
	info->prefix = (unsigned)rd(data + 6, 2);
	info->issued_at = (int64_t)rd(data + 8, 8);
	info->ttl = (uint32_t)rd(data + 16, 4);
	info->nbits = nbits;
	info->payload_len = UC_STATUS_LIST_HEADER_LEN + (size_t)zl;
	info->sig_off = info->payload_len + 4;
	info->sig_len = (size_t)sl;
	return 0;
}

/*
 * Inflate the bitstring of a list whose header is info: exactly
 * ceil(nbits / 8) bytes (nbits was bounded by the header check), or
 * UC_ERR_INVALID for a stream that is broken, shorter or longer.
 */
static int
inflate_bits(const unsigned char *data, const struct uc_status_list_info *info,
    unsigned char **bits_out, size_t *bits_len)
{
	unsigned char *bits;
	size_t nbytes;
	uLongf out_len;

	if (info->nbits > UC_STATUS_LIST_MAX_BITS)
		return UC_ERR_INVALID;
	nbytes = (size_t)((info->nbits + 7) / 8);
	if ((bits = malloc(nbytes ? nbytes : 1)) == NULL)
		return UC_ERR_NOMEM;
	out_len = (uLongf)nbytes;
	if (uncompress(bits, &out_len, data + UC_STATUS_LIST_HEADER_LEN,
	    (uLong)(info->payload_len - UC_STATUS_LIST_HEADER_LEN)) != Z_OK ||
	    out_len != nbytes) {
		free(bits);
		return UC_ERR_INVALID;
	}
	*bits_out = bits;
	*bits_len = nbytes;
	return 0;
}

int
uc_status_list_parse(const unsigned char *data, size_t len,
    struct uc_status_list_info *info, unsigned char **bits_out,
    size_t *bits_len)
{
	int r;

	if (bits_out != NULL)
		*bits_out = NULL;
	if (bits_len != NULL)
		*bits_len = 0;
	if (data == NULL || info == NULL || bits_out == NULL ||
	    bits_len == NULL)
		return UC_ERR_ARG;
	if ((r = uc_status_list_parse_header(data, len, info)) != 0)
		return r;
	return inflate_bits(data, info, bits_out, bits_len);
}

int
uc_status_list_verify(const unsigned char *data, size_t len,
    const struct uc_trust *trust, int64_t now,
    struct uc_status_list_info *info, unsigned char **bits_out,
    size_t *bits_len, struct uc_diag *d)
{
	int r;

	uc_diag_clear(d);
	if (bits_out != NULL)
		*bits_out = NULL;
	if (bits_len != NULL)
		*bits_len = 0;
	if (data == NULL || trust == NULL || info == NULL ||
	    bits_out == NULL || bits_len == NULL)
		return UC_ERR_ARG;
	if ((r = uc_status_list_parse_header(data, len, info)) != 0)
		return uc_diag_set(d, r, NULL, 0, "status-list",
		    "not a status list (format %d)", UC_STATUS_LIST_VERSION);
	if (now == 0)
		now = (int64_t)time(NULL);
	if (info->sig_len == 0)
		return uc_diag_set(d, UC_ERR_VERIFY, NULL, 0, "signature",
		    "the status list is not signed");
	/* Over the compressed payload: nothing is inflated unsigned. */
	if ((r = uc_verify_detached(data + info->sig_off, info->sig_len,
	    data, info->payload_len, trust, (time_t)now,
	    UC_PURPOSE_STATUS_LIST, d)) != 0)
		return r;
	if (now < info->issued_at || now - info->issued_at >
	    (int64_t)info->ttl)
		return uc_diag_set(d, UC_ERR_VERIFY, NULL, 0, "issued_at",
		    "the status list is %s", now < info->issued_at ?
		    "from the future" : "out of date");
	if ((r = inflate_bits(data, info, bits_out, bits_len)) != 0)
		return uc_diag_set(d, r, NULL, 0, "status-list",
		    "not a status list (format %d)", UC_STATUS_LIST_VERSION);
	return 0;
}

/* "PPNNNNNNNNN" of issuer prefix: *n the index; as the ledger writes it. */
static int
serial_index(unsigned prefix, const char *s, int64_t *n)
{
	int64_t v = 0;
	size_t i;

	*n = 0;
	if (strlen(s) != SL_SERIAL_LEN)
		return UC_ERR_INVALID;
	for (i = 0; i < SL_SERIAL_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return UC_ERR_INVALID;
	if ((unsigned)((s[0] - '0') * 10 + (s[1] - '0')) != prefix)
		return UC_ERR_NOT_FOUND;
	for (i = 2; i < SL_SERIAL_LEN; i++)
		v = v * 10 + (s[i] - '0');
	*n = v;
	return 0;
}

int
uc_status_list_get(const struct uc_status_list_info *info,
    const unsigned char *bits, size_t bits_len, const char *serial)
{
	int64_t n;

	if (info == NULL || bits == NULL || serial == NULL)
		return UC_ERR_ARG;
	if (serial_index(info->prefix, serial, &n) != 0)
		return UC_ERR_NOT_FOUND;
	/* beyond the list: a serial this issuer never handed out */
	if ((uint64_t)n >= info->nbits || (size_t)(n / 8) >= bits_len)
		return 1;
	return (bits[n / 8] & (0x80u >> (n % 8))) != 0;
}
