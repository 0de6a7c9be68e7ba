/*
 * statuslist.c - export the card status list a verifier reads offline.
 * The ledger makes the bitstring from its cards; the file format is the
 * verify layer's (unioncard/statuslist.h, src/verify/status_list_format.c,
 * docs/status-list.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/secobj.h"
#include "unioncard/statuslist.h"
#include "ledger/ledger_priv.h"
#include "verify/status_list_format.h"

#define SL_TTL_DEFAULT 86400u

static void
be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
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
	if (nbits > UC_STATUS_LIST_MAX_BITS) {
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
	if ((r = sl_encode(l->prefix, now, ttl, bits, nbits, &payload,
	    &plen)) != 0)
		goto out;
	if (sign != NULL) {
		if ((r = sign(sign_ctx, payload, plen, &sig, &sig_len)) != 0)
			goto out;
		if (sig_len > UC_STATUS_LIST_SIG_MAX) {
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
