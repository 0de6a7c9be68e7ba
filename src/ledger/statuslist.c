/*
 * statuslist.c - the card status list a verifier reads offline
 * (docs/status-list.md is the exact format).
 *
 *   payload:  "UCSL" | version 1 | flags 0 | prefix u16 | issued_at u64 |
 *             ttl u32 | nbits u64 | zlen u32 | zlib(bitstring)
 *   then:     siglen u32 | CMS detached signature over the payload (DER)
 *
 * All integers big-endian.  Bit i (MSB first in byte i / 8) is 1 when the
 * card with serial number i must NOT be accepted: revoked, lost, stolen,
 * damaged, replaced, spoiled, still only reserved, or never issued.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/secobj.h"
#include "ledger/ledger_priv.h"

#define SL_MAGIC "UCSL"
#define SL_VERSION 1
#define SL_HEADER_LEN 32
#define SL_TTL_DEFAULT 86400u
#define SL_MAX_BITS (UINT64_C(1000000000))
#define SL_MAX_SIG (64u * 1024u)

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

static int
write_all(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : lg_errno(errno);
}

int
uc_ledger_status_list_export(struct uc_ledger *l, const char *path,
    uint32_t ttl, int64_t now, uc_ledger_signer_fn sign, void *sign_ctx,
    uint64_t *nbits_out, size_t *file_len)
{
	struct lg_stmt *st = NULL;
	unsigned char *bits = NULL, *payload = NULL, *sig = NULL;
	unsigned char lenb[4];
	uint64_t nbits = 0, nbytes;
	uLongf zlen;
	size_t sig_len = 0, plen = 0;
	char *tmp = NULL, *seal_tmp = NULL, *seal_path = NULL, det[96];
	unsigned char *seal = NULL;
	size_t seal_len = 0;
	FILE *f = NULL;
	int r;

	if (nbits_out != NULL)
		*nbits_out = 0;
	if (file_len != NULL)
		*file_len = 0;
	if (l == NULL || path == NULL)
		return UC_ERR_ARG;
	if (ttl == 0)
		ttl = SL_TTL_DEFAULT;
	if (now == 0)
		now = (int64_t)time(NULL);
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_need(l, UC_ROLE_PRINTER | UC_ROLE_ADMIN, NULL)) != 0)
		goto out;
	if (l->acct_unit.depth != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "the status list"
		    " covers every card: the root unit exports it");
		r = UC_ERR_PERM;
		goto out;
	}
	/* A card whose status was changed behind the ledger's back (lost
	 * -> encoded with the sqlite3 shell) must not be vouched for. */
	{
		char why[200], bad[UC_LEDGER_SERIAL_LEN + 1];

		if ((r = lg_replay(l, why, sizeof(why), bad, NULL)) != 0) {
			if (r == UC_ERR_VERIFY) {
				snprintf(l->refusal, sizeof(l->refusal),
				    "the cards do not match the audit trail:"
				    " %s", why);
				r = UC_ERR_CORRUPT;
			}
			goto out;
		}
	}
	if ((r = lg_prepare(l, &st, "SELECT value FROM counters WHERE"
	    " name = 'card_serial'")) != 0)
		goto out;
	if (lg_step(st) == LG_ROW)
		nbits = (uint64_t)lg_column_int64(st, 0) + 1;
	lg_finalize(st);
	st = NULL;
	if (nbits > SL_MAX_BITS) {
		r = UC_ERR_RANGE;
		goto out;
	}
	nbytes = (nbits + 7) / 8;
	/* everything starts "not valid"; live cards are cleared */
	if ((bits = malloc(nbytes ? nbytes : 1)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	memset(bits, 0xff, nbytes);
	if ((r = lg_prepare(l, &st, "SELECT serial FROM cards WHERE"
	    " status IN ('encoded', 'issued')")) != 0)
		goto out;
	while ((r = lg_step(st)) == LG_ROW) {
		uint64_t i = (uint64_t)lg_column_int64(st, 0);

		if (i < nbits)
			bits[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	zlen = compressBound((uLong)nbytes);
	if ((payload = malloc(SL_HEADER_LEN + zlen)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if (compress2(payload + SL_HEADER_LEN, &zlen, bits, (uLong)nbytes,
	    Z_BEST_COMPRESSION) != Z_OK) {
		r = UC_ERR_INTERNAL;
		goto out;
	}
	memcpy(payload, SL_MAGIC, 4);
	payload[4] = SL_VERSION;
	payload[5] = 0;
	be(payload + 6, l->prefix, 2);
	be(payload + 8, (uint64_t)now, 8);
	be(payload + 16, ttl, 4);
	be(payload + 20, nbits, 8);
	be(payload + 28, zlen, 4);
	plen = SL_HEADER_LEN + zlen;
	if (sign != NULL) {
		if ((r = sign(sign_ctx, payload, plen, &sig, &sig_len)) != 0)
			goto out;
		if (sig_len > SL_MAX_SIG) {
			r = UC_ERR_RANGE;
			goto out;
		}
	}
	be(lenb, sig_len, 4);
	if ((r = lg_file_open(l, path, &tmp, &f)) != 0)
		goto out;
	if ((r = write_all(f, payload, plen)) != 0 ||
	    (r = write_all(f, lenb, 4)) != 0 ||
	    (sig_len > 0 && (r = write_all(f, sig, sig_len)) != 0))
		goto out;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		r = lg_errno(errno);
		snprintf(l->refusal, sizeof(l->refusal), "cannot write %s:"
		    " %s", path, strerror(errno));
		goto out;
	}
	r = fclose(f) == 0 ? 0 : lg_errno(errno);
	f = NULL;
	if (r != 0)
		goto out;
	snprintf(det, sizeof(det), "bits=%llu ttl=%u signed=%d",
	    (unsigned long long)nbits, ttl, sig_len > 0);
	if ((r = lg_audit(l, "status-list.export", NULL, "status-list", det))
	    != 0)
		goto out;
	/* The seal beside the list covers the export's own row. */
	if (asprintf(&seal_path, "%s.seal", path) < 0) {
		seal_path = NULL;
		r = UC_ERR_NOMEM;
		goto out;
	}
	if ((r = lg_seal_make(l, now, sign, sign_ctx, seal_path, &seal,
	    &seal_len, NULL)) != 0)
		goto out;
	if ((r = lg_seal_write_tmp(l, seal_path, seal, seal_len, &seal_tmp))
	    != 0)
		goto out;
	if (nbits_out != NULL)
		*nbits_out = nbits;
	if (file_len != NULL)
		*file_len = plen + 4 + sig_len;
out:
	lg_finalize(st);
	if (f != NULL)
		fclose(f);
	free(bits);
	free(payload);
	free(sig);
	free(seal);
	/* Both files are whole before the ledger commits; they take their
	 * names only after it did: no list or seal the ledger did not
	 * record. */
	r = lg_end(l, r, "status-list.export", NULL, "status-list");
	if (r == 0)
		r = lg_file_place(l, tmp, path);
	if (r == 0)
		r = lg_file_place(l, seal_tmp, seal_path);
	if (tmp != NULL && r != 0)
		unlink(tmp);
	if (seal_tmp != NULL && r != 0)
		unlink(seal_tmp);
	free(tmp);
	free(seal_tmp);
	free(seal_path);
	return r;
}

int
uc_status_list_parse(const unsigned char *data, size_t len,
    struct uc_status_list_info *info, unsigned char **bits_out,
    size_t *bits_len)
{
	unsigned char *bits = NULL;
	uint64_t nbits, zl, sl;
	uLongf out_len;
	size_t nbytes;
	int r = UC_ERR_INVALID;

	if (bits_out != NULL)
		*bits_out = NULL;
	if (bits_len != NULL)
		*bits_len = 0;
	if (data == NULL || info == NULL || bits_out == NULL ||
	    bits_len == NULL)
		return UC_ERR_ARG;
	memset(info, 0, sizeof(*info));
	if (len < SL_HEADER_LEN + 4 || memcmp(data, SL_MAGIC, 4) != 0 ||
	    data[4] != SL_VERSION || data[5] != 0)
		return UC_ERR_INVALID;
	nbits = rd(data + 20, 8);
	zl = rd(data + 28, 4);
	if (nbits > SL_MAX_BITS || zl > len - SL_HEADER_LEN - 4)
		return UC_ERR_INVALID;
	sl = rd(data + SL_HEADER_LEN + zl, 4);
	if (sl > SL_MAX_SIG || sl != len - SL_HEADER_LEN - zl - 4)
		return UC_ERR_INVALID;
	info->prefix = (unsigned)rd(data + 6, 2);
	info->issued_at = (int64_t)rd(data + 8, 8);
	info->ttl = (uint32_t)rd(data + 16, 4);
	info->nbits = nbits;
	info->payload_len = SL_HEADER_LEN + (size_t)zl;
	info->sig_off = info->payload_len + 4;
	info->sig_len = (size_t)sl;
	nbytes = (size_t)((nbits + 7) / 8);
	if ((bits = malloc(nbytes ? nbytes : 1)) == NULL)
		return UC_ERR_NOMEM;
	out_len = (uLongf)nbytes;
	if (uncompress(bits, &out_len, data + SL_HEADER_LEN, (uLong)zl) !=
	    Z_OK || out_len != nbytes)
		goto out;
	*bits_out = bits;
	*bits_len = nbytes;
	bits = NULL;
	r = 0;
out:
	free(bits);
	return r;
}

int
uc_status_list_verify(const unsigned char *data, size_t len,
    const struct uc_trust *trust, int64_t now,
    struct uc_status_list_info *info, unsigned char **bits_out,
    size_t *bits_len, struct uc_diag *d)
{
	unsigned char *bits = NULL;
	size_t blen = 0;
	int r;

	uc_diag_clear(d);
	if (bits_out != NULL)
		*bits_out = NULL;
	if (bits_len != NULL)
		*bits_len = 0;
	if (trust == NULL || info == NULL || bits_out == NULL ||
	    bits_len == NULL)
		return UC_ERR_ARG;
	if ((r = uc_status_list_parse(data, len, info, &bits, &blen)) != 0)
		return uc_diag_set(d, r, NULL, 0, "status-list",
		    "not a status list (format %d)", SL_VERSION);
	if (now == 0)
		now = (int64_t)time(NULL);
	if (info->sig_len == 0) {
		r = uc_diag_set(d, UC_ERR_VERIFY, NULL, 0, "signature",
		    "the status list is not signed");
		goto out;
	}
	if ((r = uc_verify_detached(data + info->sig_off, info->sig_len,
	    data, info->payload_len, trust, (time_t)now,
	    UC_PURPOSE_STATUS_LIST, d)) != 0)
		goto out;
	if (now < info->issued_at || now - info->issued_at >
	    (int64_t)info->ttl) {
		r = uc_diag_set(d, UC_ERR_VERIFY, NULL, 0, "issued_at",
		    "the status list is %s", now < info->issued_at ?
		    "from the future" : "out of date");
		goto out;
	}
	*bits_out = bits;
	*bits_len = blen;
	bits = NULL;
	r = 0;
out:
	free(bits);
	return r;
}

int
uc_status_list_get(const struct uc_status_list_info *info,
    const unsigned char *bits, size_t bits_len, const char *serial)
{
	int64_t n;

	if (info == NULL || bits == NULL || serial == NULL)
		return UC_ERR_ARG;
	if (lg_serial_parse(info->prefix, serial, &n) != 0)
		return UC_ERR_NOT_FOUND;
	/* beyond the list: a serial this issuer never handed out */
	if ((uint64_t)n >= info->nbits || (size_t)(n / 8) >= bits_len)
		return 1;
	return (bits[n / 8] & (0x80u >> (n % 8))) != 0;
}
