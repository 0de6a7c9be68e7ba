/*
 * seal.c - audit seals (docs/audit-seal.md), and the replay of the
 * audited card transitions against the cards table.
 *
 * The hash chain (ledger.c) catches an edited, removed or inserted row in
 * the middle of the trail, but whoever holds the ledger file can cut the
 * last rows off, or recompute every hash from an edited row to a new
 * head: the chain alone cannot tell.  A seal, signed by the status-list
 * signer and kept outside the ledger, fixes the head at a moment; every
 * later trail must extend it.
 *
 *   payload:  "UCAS" | version 1 | flags 0 | prefix u16 | sealed_at u64 |
 *             rows u64 | head[32]                            (56 bytes)
 *   then:     siglen u32 | CMS detached signature over the payload (DER)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/secobj.h"
#include "ledger/ledger_priv.h"

#define SEAL_MAGIC "UCAS"
#define SEAL_VERSION 1

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

static void msgf(char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
msgf(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
}

static void
iso_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "%lld", (long long)t);
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
uc_audit_seal_parse(const unsigned char *data, size_t len,
    struct uc_audit_seal *info)
{
	uint64_t sl, rows;

	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (data == NULL || info == NULL)
		return UC_ERR_ARG;
	if (len < UC_AUDIT_SEAL_PAYLOAD_LEN + 4 || len > UC_AUDIT_SEAL_MAX ||
	    memcmp(data, SEAL_MAGIC, 4) != 0 || data[4] != SEAL_VERSION ||
	    data[5] != 0)
		return UC_ERR_INVALID;
	sl = rd(data + UC_AUDIT_SEAL_PAYLOAD_LEN, 4);
	if (sl > UC_AUDIT_SEAL_SIG_MAX ||
	    sl != len - UC_AUDIT_SEAL_PAYLOAD_LEN - 4)
		return UC_ERR_INVALID;
	rows = rd(data + 16, 8);
	/* row ids are SQLite integers */
	if (rows > (uint64_t)INT64_MAX)
		return UC_ERR_INVALID;
	info->prefix = (unsigned)rd(data + 6, 2);
	info->sealed_at = (int64_t)rd(data + 8, 8);
	info->rows = rows;
	memcpy(info->head, data + 24, 32);
	info->payload_len = UC_AUDIT_SEAL_PAYLOAD_LEN;
	info->sig_off = UC_AUDIT_SEAL_PAYLOAD_LEN + 4;
	info->sig_len = (size_t)sl;
	return 0;
}

int
uc_audit_seal_verify(const unsigned char *data, size_t len,
    const struct uc_trust *trust, struct uc_audit_seal *info,
    struct uc_diag *d)
{
	int r;

	uc_diag_clear(d);
	if (trust == NULL || info == NULL)
		return UC_ERR_ARG;
	if ((r = uc_audit_seal_parse(data, len, info)) != 0)
		return uc_diag_set(d, r, NULL, 0, "seal",
		    "not an audit seal (format %d)", SEAL_VERSION);
	if (info->sig_len == 0)
		return uc_diag_set(d, UC_ERR_VERIFY, NULL, 0, "signature",
		    "the seal is not signed");
	/* Checked at the time it claims: a seal stays good after its
	 * signer's certificate has run out. */
	return uc_verify_detached(data + info->sig_off, info->sig_len, data,
	    info->payload_len, trust, (time_t)info->sealed_at,
	    UC_PURPOSE_STATUS_LIST, d);
}

/* The hash of audit row id into h; 0, or UC_ERR_NOT_FOUND. */
static int
row_hash_of(struct uc_ledger *l, int64_t id, unsigned char h[32])
{
	struct lg_stmt *st = NULL;
	int r;

	if ((r = lg_prepare(l, &st, "SELECT hash FROM audit WHERE id = ?"))
	    != 0)
		return r;
	lg_bind_int64(st, 1, id);
	r = UC_ERR_NOT_FOUND;
	if (lg_step(st) == LG_ROW &&
	    lg_column_type(st, 0) == LG_BLOB &&
	    lg_column_bytes(st, 0) == 32) {
		memcpy(h, lg_column_blob(st, 0), 32);
		r = 0;
	}
	lg_finalize(st);
	return r;
}

static int
last_row(struct uc_ledger *l, int64_t *n)
{
	struct lg_stmt *st = NULL;
	int r;

	*n = 0;
	if ((r = lg_prepare(l, &st, "SELECT coalesce(max(id), 0) FROM audit"))
	    != 0)
		return r;
	if (lg_step(st) == LG_ROW)
		*n = lg_column_int64(st, 0);
	else
		r = UC_ERR_LEDGER;
	lg_finalize(st);
	return r;
}

/* The seal check proper, inside a read (or the caller's) transaction. */
static int
seal_check(struct uc_ledger *l, const struct uc_audit_seal *s, char *msg,
    size_t cap)
{
	unsigned char h[32];
	char at[32];
	int64_t n;
	int r;

	iso_time(s->sealed_at, at);
	if (s->prefix != l->prefix) {
		msgf(msg, cap, "the seal of %s is for issuer %02u, this ledger"
		    " is issuer %02u", at, s->prefix, l->prefix);
		return UC_ERR_VERIFY;
	}
	if ((r = last_row(l, &n)) != 0)
		return r;
	if ((uint64_t)n < s->rows) {
		msgf(msg, cap, "the trail ends at row %lld, but the seal of %s"
		    " covers %llu rows: rows %lld..%llu were deleted",
		    (long long)n, at, (unsigned long long)s->rows,
		    (long long)n + 1, (unsigned long long)s->rows);
		return UC_ERR_VERIFY;
	}
	if (s->rows == 0)
		return 0;
	if ((r = row_hash_of(l, (int64_t)s->rows, h)) == UC_ERR_NOT_FOUND) {
		msgf(msg, cap, "row %llu, the head sealed at %s, is missing",
		    (unsigned long long)s->rows, at);
		return UC_ERR_VERIFY;
	}
	if (r != 0)
		return r;
	if (CRYPTO_memcmp(h, s->head, 32) != 0) {
		msgf(msg, cap, "row %llu is not the row sealed at %s: the trail"
		    " up to it was rewritten", (unsigned long long)s->rows,
		    at);
		return UC_ERR_VERIFY;
	}
	return 0;
}

int
uc_ledger_audit_seal_check(struct uc_ledger *l,
    const struct uc_audit_seal *s, char *msg, size_t cap)
{
	int r;

	msgf(msg, cap, "%s", "");
	if (l == NULL || s == NULL)
		return UC_ERR_ARG;
	if ((r = lg_db_begin_read(l->db)) != 0)
		return r;
	r = seal_check(l, s, msg, cap);
	(void)lg_db_commit(l->db);
	return r;
}

int
uc_ledger_audit_seals_check(struct uc_ledger *l, size_t *count, char *msg,
    size_t cap)
{
	struct lg_stmt *st = NULL;
	struct uc_audit_seal s;
	char m[256];
	size_t n = 0;
	int r, rc;

	if (count != NULL)
		*count = 0;
	msgf(msg, cap, "%s", "");
	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_db_begin_read(l->db)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT id, seal FROM audit_seals"
	    " ORDER BY id")) != 0)
		goto out;
	while ((rc = lg_step(st)) == LG_ROW) {
		int64_t id = lg_column_int64(st, 0);

		n++;
		if (lg_column_type(st, 1) != LG_BLOB ||
		    uc_audit_seal_parse(lg_column_blob(st, 1),
		    (size_t)lg_column_bytes(st, 1), &s) != 0) {
			msgf(msg, cap, "kept seal %lld is malformed",
			    (long long)id);
			r = UC_ERR_VERIFY;
			goto out;
		}
		if ((r = seal_check(l, &s, m, sizeof(m))) != 0) {
			msgf(msg, cap, "kept seal %lld: %s", (long long)id, m);
			goto out;
		}
	}
	r = lg_err(rc);
out:
	lg_finalize(st);
	(void)lg_db_commit(l->db);
	if (count != NULL)
		*count = n;
	return r;
}

int
lg_seal_make(struct uc_ledger *l, int64_t now, uc_ledger_signer_fn sign,
    void *sign_ctx, const char *file, unsigned char **seal, size_t *len,
    struct uc_audit_seal *info)
{
	struct lg_stmt *st = NULL;
	unsigned char payload[UC_AUDIT_SEAL_PAYLOAD_LEN], head[32];
	unsigned char *sig = NULL, *out = NULL;
	char at[32], why[200], det[160], hx[65];
	size_t sig_len = 0, n;
	int64_t rows = 0, bad = 0;
	int r;

	*seal = NULL;
	*len = 0;
	if (now == 0)
		now = (int64_t)time(NULL);
	/* A broken trail is not vouched for. */
	r = lg_chain_verify(l, &bad, why, sizeof(why), &rows, head);
	if (r != 0) {
		if (r == UC_ERR_VERIFY)
			snprintf(l->refusal, sizeof(l->refusal), "the audit"
			    " trail is broken at row %lld (%s): not sealed",
			    (long long)bad, why);
		return r;
	}
	memcpy(payload, SEAL_MAGIC, 4);
	payload[4] = SEAL_VERSION;
	payload[5] = 0;
	be(payload + 6, l->prefix, 2);
	be(payload + 8, (uint64_t)now, 8);
	be(payload + 16, (uint64_t)rows, 8);
	memcpy(payload + 24, head, 32);
	if (sign != NULL) {
		if ((r = sign(sign_ctx, payload, sizeof(payload), &sig,
		    &sig_len)) != 0)
			goto out;
		if (sig_len > UC_AUDIT_SEAL_SIG_MAX) {
			r = UC_ERR_RANGE;
			goto out;
		}
	}
	n = sizeof(payload) + 4 + sig_len;
	if ((out = malloc(n)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	memcpy(out, payload, sizeof(payload));
	be(out + sizeof(payload), sig_len, 4);
	if (sig_len > 0)
		memcpy(out + sizeof(payload) + 4, sig, sig_len);
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO audit_seals (at, rows, head,"
	    " seal, file) VALUES (?, ?, ?, ?, ?)")) != 0)
		goto out;
	lg_bind_text(st, 1, at);
	lg_bind_int64(st, 2, rows);
	lg_bind_blob(st, 3, head, 32);
	lg_bind_blob(st, 4, out, (int)n);
	lg_bind_text(st, 5, file);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_hex(head, 32, hx);
	snprintf(det, sizeof(det), "rows=%lld head=%s signed=%d",
	    (long long)rows, hx, sig_len > 0);
	if ((r = lg_audit(l, "audit.seal", NULL, "audit", det)) != 0)
		goto out;
	if (info != NULL && (r = uc_audit_seal_parse(out, n, info)) != 0)
		goto out;
	*seal = out;
	*len = n;
	out = NULL;
	r = 0;
out:
	lg_finalize(st);
	free(sig);
	free(out);
	return r;
}

int
lg_seal_write_tmp(struct uc_ledger *l, const char *path,
    const unsigned char *p, size_t n, char **tmp)
{
	FILE *f = NULL;
	int r;

	if ((r = lg_file_open(l, path, tmp, &f)) != 0)
		return r;
	if (fwrite(p, 1, n, f) != n ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0) {
		r = lg_errno(errno);
		snprintf(l->refusal, sizeof(l->refusal), "cannot write %s: %s",
		    path, strerror(errno));
	}
	if (fclose(f) != 0 && r == 0)
		r = lg_errno(errno);
	if (r != 0) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return r;
}

int
uc_ledger_audit_seal(struct uc_ledger *l, const char *path, int64_t now,
    uc_ledger_signer_fn sign, void *sign_ctx, struct uc_audit_seal *info)
{
	unsigned char *seal = NULL;
	char *tmp = NULL;
	size_t n = 0;
	int r;

	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_need(l, UC_ROLE_PRINTER | UC_ROLE_ADMIN, NULL)) != 0)
		goto out;
	if (l->acct_unit.depth != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "a seal speaks for"
		    " the whole trail: the root unit makes it");
		r = UC_ERR_PERM;
		goto out;
	}
	if ((r = lg_seal_make(l, now, sign, sign_ctx, path, &seal, &n, info))
	    != 0)
		goto out;
	/* The file first (written whole, not yet in place), then the
	 * ledger, then the rename: a seal file never names a head the
	 * ledger did not keep. */
	if (path != NULL &&
	    (r = lg_seal_write_tmp(l, path, seal, n, &tmp)) != 0)
		goto out;
out:
	r = lg_end(l, r, "audit.seal", NULL, "audit");
	if (tmp != NULL) {
		if (r == 0)
			r = lg_file_place(l, tmp, path);
		if (r != 0)
			unlink(tmp);
		free(tmp);
	}
	free(seal);
	return r;
}

/* --- replay ------------------------------------------------------- */

/*
 * The card rows of the trail: card.reserve (a new card, "reserved";
 * details "line=N[ replaces=SERIAL]": a live replaced card becomes
 * "replaced"), and every card.* row whose details begin "FROM -> TO".
 * The states replayed go to a temporary table, compared with cards.
 */
static int
parse_arrow(const char *det, char from[16], char to[16])
{
	const char *a = strstr(det, " -> ");
	size_t fl, tl;

	if (a == NULL)
		return 0;
	fl = (size_t)(a - det);
	a += 4;
	tl = strcspn(a, " ");
	if (fl == 0 || fl >= 16 || tl == 0 || tl >= 16 ||
	    strcspn(det, " ") != fl)
		return 0;
	memcpy(from, det, fl);
	from[fl] = '\0';
	memcpy(to, a, tl);
	to[tl] = '\0';
	return 1;
}

static int
is_live(const char *s)
{
	return strcmp(s, "reserved") == 0 || strcmp(s, "encoded") == 0 ||
	    strcmp(s, "issued") == 0;
}

static int
replay_set(struct lg_stmt *put, int64_t n, const char *status)
{
	lg_reset(put);
	lg_bind_int64(put, 1, n);
	lg_bind_text(put, 2, status);
	return lg_err(lg_step(put));
}

static int
replay_get(struct lg_stmt *get, int64_t n, char out[16])
{
	const char *t;

	out[0] = '\0';
	lg_reset(get);
	lg_bind_int64(get, 1, n);
	if (lg_step(get) != LG_ROW)
		return 0;
	t = (const char *)lg_column_text(get, 0);
	snprintf(out, 16, "%s", t != NULL ? t : "");
	return 1;
}

int
uc_ledger_audit_replay(struct uc_ledger *l, char *msg, size_t cap,
    char bad_serial[UC_LEDGER_SERIAL_LEN + 1], int64_t *cards)
{
	int r;

	msgf(msg, cap, "%s", "");
	if (bad_serial != NULL)
		bad_serial[0] = '\0';
	if (cards != NULL)
		*cards = 0;
	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_db_begin_read(l->db)) != 0)
		return r;
	r = lg_replay(l, msg, cap, bad_serial, cards);
	(void)lg_db_commit(l->db);
	return r;
}

int
lg_replay(struct uc_ledger *l, char *msg, size_t cap,
    char bad_serial[UC_LEDGER_SERIAL_LEN + 1], int64_t *cards)
{
	struct lg_stmt *st = NULL, *put = NULL, *get = NULL;
	char from[16], to[16], cur[16], ser[UC_LEDGER_SERIAL_LEN + 1];
	int64_t n;
	int r, rc;

	msgf(msg, cap, "%s", "");
	if (bad_serial != NULL)
		bad_serial[0] = '\0';
	if (cards != NULL)
		*cards = 0;
	if (l == NULL)
		return UC_ERR_ARG;
	/* temp tables live outside the ledger file: fine when read-only */
	if ((r = lg_exec(l, "CREATE TEMP TABLE IF NOT EXISTS uc_replay("
	    " serial INTEGER PRIMARY KEY, status TEXT NOT NULL);"
	    " DELETE FROM temp.uc_replay")) != 0)
		return r;
	if ((r = lg_prepare(l, &put, "INSERT OR REPLACE INTO temp.uc_replay"
	    " VALUES (?, ?)")) != 0 ||
	    (r = lg_prepare(l, &get, "SELECT status FROM temp.uc_replay"
	    " WHERE serial = ?")) != 0 ||
	    (r = lg_prepare(l, &st, "SELECT id, action, object, details FROM"
	    " audit WHERE action LIKE 'card.%' ORDER BY id")) != 0)
		goto out;
	while ((rc = lg_step(st)) == LG_ROW) {
		int64_t id = lg_column_int64(st, 0);
		const char *act = (const char *)lg_column_text(st, 1);
		const char *obj = (const char *)lg_column_text(st, 2);
		const char *det = (const char *)lg_column_text(st, 3);
		const char *rep;

		if (act == NULL || obj == NULL || det == NULL ||
		    lg_serial_parse(l->prefix, obj, &n) != 0)
			continue;
		if (strcmp(act, "card.reserve") == 0) {
			if ((r = replay_set(put, n, "reserved")) != 0)
				goto out;
			rep = strstr(det, "replaces=");
			if (rep != NULL && lg_serial_parse(l->prefix, rep + 9,
			    &n) == 0 && replay_get(get, n, cur) &&
			    is_live(cur) && (r = replay_set(put, n,
			    "replaced")) != 0)
				goto out;
			continue;
		}
		if (!parse_arrow(det, from, to))
			continue;
		if (!replay_get(get, n, cur) || strcmp(cur, from) != 0) {
			msgf(msg, cap, "audit row %lld moves card %s from %s,"
			    " but the trail had it %s", (long long)id, obj,
			    from, cur[0] ? cur : "never reserved");
			if (bad_serial != NULL)
				snprintf(bad_serial, UC_LEDGER_SERIAL_LEN + 1,
				    "%s", obj);
			r = UC_ERR_VERIFY;
			goto out;
		}
		if ((r = replay_set(put, n, to)) != 0)
			goto out;
	}
	if ((r = lg_err(rc)) != 0)
		goto out;
	lg_finalize(st);
	/* both directions: a card the trail never made, or lost */
	if ((r = lg_prepare(l, &st, "SELECT c.serial, c.status, NULL FROM"
	    " cards c LEFT JOIN temp.uc_replay p ON p.serial = c.serial"
	    " WHERE p.status IS NOT c.status"
	    " UNION ALL SELECT p.serial, NULL, p.status FROM temp.uc_replay p"
	    " WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.serial ="
	    " p.serial) ORDER BY 1 LIMIT 1")) != 0)
		goto out;
	if ((rc = lg_step(st)) == LG_ROW) {
		const char *now = (const char *)lg_column_text(st, 1);

		n = lg_column_int64(st, 0);
		lg_serial_format(l->prefix, n, ser);
		if (bad_serial != NULL)
			memcpy(bad_serial, ser, sizeof(ser));
		if (now == NULL) {
			msgf(msg, cap, "card %s is in the audit trail but not"
			    " in the cards table (removed by hand)", ser);
		} else {
			if (!replay_get(get, n, cur))
				snprintf(cur, sizeof(cur), "%s",
				    "never reserved");
			msgf(msg, cap, "card %s is %s in the cards table, but"
			    " the audit trail says %s: changed without the"
			    " ledger's rules", ser, now, cur);
		}
		r = UC_ERR_VERIFY;
		goto out;
	}
	if ((r = lg_err(rc)) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	if (cards != NULL) {
		if ((r = lg_prepare(l, &st, "SELECT count(*) FROM cards")) != 0)
			goto out;
		if (lg_step(st) == LG_ROW)
			*cards = lg_column_int64(st, 0);
	}
	r = 0;
out:
	lg_finalize(st);
	lg_finalize(put);
	lg_finalize(get);
	(void)lg_exec(l, "DELETE FROM temp.uc_replay");
	return r;
}
