/*
 * bank.c - the bank liaison's side of linked cards: the order sent to the
 * bank, the bank's issuance/status file taken back, and reconciliation of
 * the two (docs/bank-files.md).
 *
 * The bank's file may carry full card numbers.  They are turned into
 * HMAC + last four by the bank reader (src/bank/bankfile.c) before this
 * module sees a record, so neither the ledger nor the audit trail nor a
 * reconciliation detail ever holds a PAN.  The file is opened and read
 * once: its SHA-256 is taken from the very bytes the reader parses.  An
 * import reads and checks the whole file into a temp table before it
 * takes the ledger's write lock for one short transaction.
 *
 * Reconciliation is set-based: one INSERT ... SELECT joins the newest
 * import's records with members, cards and request lines and keeps the
 * per-row mismatches, three more find the missing cards and duplicates,
 * all into one temp table; a million bank lines cost a few index lookups
 * each and no C loop over the ledger.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "unioncard/bankfile.h"
#include "unioncard/csv.h"
#include "unioncard/ledger.h"
#include "ledger/ledger_priv.h"

static const char *const class_names[UC_LEDGER_BANK_CLASSES] = {
	"missing_at_bank", "unknown_to_us", "pan_mismatch", "name_mismatch",
	"duplicate", "status_conflict", "fee_mismatch",
};

const char *
uc_ledger_bank_class_name(int i)
{
	if (i < 0 || i >= UC_LEDGER_BANK_CLASSES)
		return NULL;
	return class_names[i];
}

/* The root unit's liaison or admin: the bank's file covers every unit. */
static int
need_root_liaison(struct uc_ledger *l)
{
	int r;

	if ((r = lg_need(l, UC_ROLE_LIAISON | UC_ROLE_ADMIN, NULL)) != 0)
		return r;
	if (l->acct_unit.depth != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "the bank's file"
		    " covers every unit: the root unit's liaison handles it");
		return UC_ERR_PERM;
	}
	return 0;
}

/* --- export ----------------------------------------------------------- */

int
uc_ledger_bank_export(struct uc_ledger *l, int64_t id, const char *path,
    size_t *rows_out)
{
	static const char *const header[] = { "member_code", "bank_name",
	    "full_name", "national_id", "unit_code", "unit_name",
	    "branch_code", "branch_name", "payer", "fee_vnd" };
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char obj[32], det[LG_DETAILS_MAX], fee[24], *tmp = NULL;
	const char *v[10], *type, *status, *base;
	size_t rows = 0;
	FILE *f = NULL;
	int r, i;

	memset(&u, 0, sizeof(u));
	if (rows_out != NULL)
		*rows_out = 0;
	if (l == NULL || path == NULL || path[0] == '\0')
		return UC_ERR_ARG;
	snprintf(obj, sizeof(obj), "request %lld", (long long)id);
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT unit_id, type, status FROM"
	    " requests WHERE id = ?")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	if (lg_step(st) != LG_ROW) {
		snprintf(l->refusal, sizeof(l->refusal), "no request %lld",
		    (long long)id);
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = lg_unit_by_id(l, lg_column_int64(st, 0), &u)) != 0)
		goto out;
	if ((r = lg_need(l, UC_ROLE_LIAISON | UC_ROLE_ADMIN, &u)) != 0)
		goto out;
	type = (const char *)lg_column_text(st, 1);
	status = (const char *)lg_column_text(st, 2);
	if (strcmp(type, "linked") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "request %lld is a"
		    " %s request: only linked cards are ordered from the bank",
		    (long long)id, type);
		r = UC_ERR_STATE;
		goto out;
	}
	if (strcmp(status, "approved") != 0 &&
	    strcmp(status, "accepted") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "request %lld is %s:"
		    " only an approved or accepted request goes to the bank",
		    (long long)id, status);
		r = UC_ERR_STATE;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	if ((r = lg_file_open(l, path, &tmp, &f)) != 0)
		goto out;
	/*
	 * The branch is the unit's ancestor at depth 1 (directly under the
	 * root: a district, town or sector union); a unit at depth 0 or 1 is
	 * its own branch.
	 */
	if ((r = lg_prepare(l, &st, "SELECT m.member_code, m.name_ascii,"
	    " m.full_name, m.national_id, u.code, u.name,"
	    " coalesce(b.code, u.code), coalesce(b.name, u.name), rl.payer,"
	    " rl.fee_vnd FROM request_lines rl"
	    " JOIN members m ON m.id = rl.member_id"
	    " JOIN units u ON u.id = m.unit_id"
	    " LEFT JOIN units b ON b.depth = 1 AND u.depth >= 1 AND"
	    "  substr(u.path, 1, length(b.path)) = b.path"
	    " WHERE rl.request_id = ? ORDER BY rl.id")) != 0)
		goto out;
	lg_bind_int64(st, 1, id);
	if ((r = uc_csv_write_row(f, header, 10)) != 0)
		goto out;
	while ((r = lg_step(st)) == LG_ROW) {
		for (i = 0; i < 9; i++)
			v[i] = (const char *)lg_column_text(st, i);
		snprintf(fee, sizeof(fee), "%lld",
		    (long long)lg_column_int64(st, 9));
		v[9] = fee;
		if ((r = uc_csv_write_row(f, v, 10)) != 0)
			goto out;
		rows++;
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	if ((r = lg_file_commit(l, path, tmp, &f)) != 0)
		goto out;
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	snprintf(det, sizeof(det), "rows=%zu file=%s", rows, base);
	if ((r = lg_audit(l, "bank.export", u.code, obj, det)) != 0)
		goto out;
	if (rows_out != NULL)
		*rows_out = rows;
out:
	lg_finalize(st);
	r = lg_file_end(r, tmp, f);
	return lg_end(l, r, "bank.export", u.code[0] ? u.code : NULL, obj);
}

/* --- import ----------------------------------------------------------- */

/*
 * The bank's file is opened once and read once: the bytes the CSV reader
 * parses are the bytes hashed, as they go by, so the SHA-256 stored names
 * exactly what was stored (no window between a hash and a second open).
 * The stream is unbuffered: the reader's own window, wiped line by line,
 * is the only copy of a line's bytes (they may hold full PANs).
 */
struct hashed {
	int fd;
	EVP_MD_CTX *md;
	uint64_t total;
	int err;           /* errno of a read error; EFBIG past the bound */
};

static ssize_t
hashed_read(void *cookie, char *buf, size_t n)
{
	struct hashed *h = cookie;
	ssize_t got;

	do
		got = read(h->fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		h->err = errno;
		return -1;
	}
	h->total += (uint64_t)got;
	if (h->total > UC_LEDGER_BANK_FILE_MAX) {
		h->err = EFBIG;
		return -1;
	}
	if (got > 0 && EVP_DigestUpdate(h->md, buf, (size_t)got) != 1) {
		h->err = EIO;
		return -1;
	}
	return got;
}

/*
 * Open path for reading once: a regular file (not a device such as
 * /dev/zero, a pipe or a directory) of at most UC_LEDGER_BANK_FILE_MAX
 * bytes.  *fp reads it through h.
 */
static int
open_hashed(const char *path, struct hashed *h, FILE **fp, struct uc_diag *d)
{
	static const cookie_io_functions_t io = { hashed_read, NULL, NULL,
	    NULL };
	struct stat sb;

	*fp = NULL;
	memset(h, 0, sizeof(*h));
	h->fd = -1;
	if ((h->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0)
		return uc_diag_set(d, UC_ERR_IO, path, 0, NULL,
		    "cannot open: %s", strerror(errno));
	if (fstat(h->fd, &sb) != 0)
		return uc_diag_set(d, UC_ERR_IO, path, 0, NULL,
		    "cannot read: %s", strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL,
		    "not a regular file (a device, pipe or directory):"
		    " give the bank's CSV file itself");
	if ((uint64_t)sb.st_size > UC_LEDGER_BANK_FILE_MAX)
		return uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL,
		    "%lld bytes, more than the %llu a bank file may have",
		    (long long)sb.st_size,
		    (unsigned long long)UC_LEDGER_BANK_FILE_MAX);
	/* O_NONBLOCK only so that opening a FIFO cannot hang; a regular
	 * file does not block, and reads stay simple without it */
	(void)fcntl(h->fd, F_SETFL, fcntl(h->fd, F_GETFL) & ~O_NONBLOCK);
	if ((h->md = EVP_MD_CTX_new()) == NULL)
		return UC_ERR_NOMEM;
	if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		return UC_ERR_CRYPTO;
	if ((*fp = fopencookie(h, "rb", io)) == NULL)
		return UC_ERR_NOMEM;
	if (setvbuf(*fp, NULL, _IONBF, 0) != 0) {
		fclose(*fp);
		*fp = NULL;
		return UC_ERR_IO;
	}
	return 0;
}

static void
close_hashed(struct hashed *h, FILE **fp)
{
	if (*fp != NULL)
		fclose(*fp);
	*fp = NULL;
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static int
stage_record(struct lg_stmt *st, const struct uc_bank_record *rec)
{
	int r;

	lg_bind_int64(st, 1, (int64_t)rec->line);
	lg_bind_text(st, 2, rec->member_code);
	lg_bind_text(st, 3, rec->card_ref);
	lg_bind_text(st, 4, rec->full_name);
	lg_bind_text(st, 5, rec->bank_name);
	if (rec->pan_masked)
		lg_bind_null(st, 6);
	else
		lg_bind_blob(st, 6, rec->pan_hmac, UC_BANK_PAN_HMAC_LEN);
	lg_bind_int(st, 7, rec->pan_masked ? 1 : 0);
	lg_bind_text(st, 8, rec->pan_last4);
	lg_bind_text(st, 9, uc_bank_status_name(rec->status));
	lg_bind_int64(st, 10, (int64_t)rec->fee_vnd);
	lg_bind_int(st, 11, rec->issued_on);
	r = lg_err(lg_step(st));
	lg_reset(st);
	return r;
}

/* An import of the same bytes, if any: 0 with *id = 0 when none. */
static int
find_import(struct uc_ledger *l, const unsigned char sha[32], int64_t *id,
    uint64_t *rows)
{
	struct lg_stmt *st = NULL;
	int r;

	*id = 0;
	*rows = 0;
	if ((r = lg_prepare(l, &st, "SELECT id, rows FROM bank_imports"
	    " WHERE sha256 = ?")) != 0)
		return r;
	lg_bind_blob(st, 1, sha, 32);
	if ((r = lg_step(st)) == LG_ROW) {
		*id = lg_column_int64(st, 0);
		*rows = (uint64_t)lg_column_int64(st, 1);
		r = 0;
	} else {
		r = lg_err(r);
	}
	lg_finalize(st);
	return r;
}

/*
 * Read and check the whole file into temp.bk_stage.  The temp schema is
 * the connection's own: this takes no lock on the ledger, so stations
 * keep writing while a large file is read.
 */
static int
stage_file(struct uc_ledger *l, FILE *fp, const char *path,
    const uint8_t *key, size_t key_len, uint64_t *rows, struct uc_diag *d)
{
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	struct lg_stmt *st = NULL;
	unsigned long header_line = 1;
	int r, open = 0;

	*rows = 0;
	memset(&rec, 0, sizeof(rec));
	if ((r = uc_bankfile_open_file(&bf, fp, path, key, key_len, d)) != 0)
		return r;
	if ((r = lg_exec(l, "DROP TABLE IF EXISTS temp.bk_stage;"
	    " CREATE TEMP TABLE bk_stage (line INTEGER PRIMARY KEY,"
	    " member_code TEXT, card_ref TEXT, full_name TEXT,"
	    " bank_name TEXT, pan_hmac BLOB, pan_masked INTEGER,"
	    " pan_last4 TEXT, status TEXT, fee_vnd INTEGER,"
	    " issued_on INTEGER)")) != 0)
		goto out;
	if ((r = lg_db_begin_read(l->db)) != 0)
		goto out;
	open = 1;
	if ((r = lg_prepare(l, &st, "INSERT INTO temp.bk_stage VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) != 0)
		goto out;
	for (;;) {
		if ((r = uc_bankfile_next(bf, &rec, d)) != 0)
			goto out;
		if (rec.line == 0)
			break;
		if ((r = stage_record(st, &rec)) != 0)
			goto out;
		(*rows)++;
	}
	if (*rows == 0) {
		/* the bank's full list with nobody on it is a broken export,
		 * not a snapshot that would make every card missing_at_bank */
		r = uc_diag_set(d, UC_ERR_INVALID, path, header_line, NULL,
		    "a header and no records: the bank's file lists every"
		    " linked card it holds; ask the bank for the full file");
		goto out;
	}
	r = 0;
out:
	lg_finalize(st);
	if (open && r == 0)
		(void)lg_db_commit(l->db);
	else if (open)
		lg_db_rollback(l->db);
	uc_bankfile_free(&bf);
	OPENSSL_cleanse(&rec, sizeof(rec));
	return r;
}

int
uc_ledger_bank_import(struct uc_ledger *l, const char *path,
    const uint8_t *key, size_t key_len,
    struct uc_ledger_bank_import_info *info, struct uc_diag *d)
{
	struct uc_ledger_bank_import_info res;
	struct hashed h;
	struct lg_stmt *st = NULL;
	FILE *fp = NULL;
	char at[32], hx[65], obj[32], det[LG_DETAILS_MAX];
	const char *base;
	unsigned int mdlen = 0;
	uint64_t earlier_rows = 0;
	int r, tx = 0;

	memset(&h, 0, sizeof(h));
	h.fd = -1;

	memset(&res, 0, sizeof(res));
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	uc_diag_clear(d);
	if (l == NULL || path == NULL || key == NULL || info == NULL)
		return UC_ERR_ARG;
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	if ((r = need_root_liaison(l)) != 0) {
		lg_refused(l, "bank.import", NULL, base);
		return r;
	}
	/* 1. The whole file is read once, checked and hashed; the ledger
	 * is untouched. */
	if ((r = open_hashed(path, &h, &fp, d)) != 0)
		goto out;
	r = stage_file(l, fp, path, key, key_len, &res.rows, d);
	if (r != 0 && h.err != 0) {
		r = h.err == EFBIG ? uc_diag_set(d, UC_ERR_INVALID, path, 0,
		    NULL, "grew past the %llu bytes a bank file may have",
		    (unsigned long long)UC_LEDGER_BANK_FILE_MAX) :
		    uc_diag_set(d, UC_ERR_IO, path, 0, NULL,
		    "cannot read: %s", strerror(h.err));
		goto out;
	}
	if (r != 0)
		goto out;
	if (EVP_DigestFinal_ex(h.md, res.sha256, &mdlen) != 1 ||
	    mdlen != 32) {
		r = UC_ERR_CRYPTO;
		goto out;
	}
	close_hashed(&h, &fp);
	if ((r = find_import(l, res.sha256, &res.import_id, &earlier_rows))
	    != 0)
		goto out;
	if (res.import_id != 0) {
		/* The same bytes again: the snapshot is already there. */
		res.already = 1;
		res.rows = earlier_rows;
		goto out;
	}
	/* 2. One transaction: the import, its records, one audit row. */
	if ((r = lg_begin(l)) != 0)
		goto out;
	tx = 1;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO bank_imports (file, sha256,"
	    " rows, account_id, at) VALUES (?, ?, ?, ?, ?) RETURNING id"))
	    != 0)
		goto out;
	lg_bind_text(st, 1, base);
	lg_bind_blob(st, 2, res.sha256, 32);
	lg_bind_int64(st, 3, (int64_t)res.rows);
	lg_bind_int64(st, 4, l->acct_id);
	lg_bind_text(st, 5, at);
	if ((r = lg_step(st)) != LG_ROW) {
		/* imported by someone else meanwhile: UNIQUE (sha256) */
		r = lg_err(r) != 0 ? lg_err(r) : UC_ERR_LEDGER;
		goto out;
	}
	res.import_id = lg_column_int64(st, 0);
	lg_finalize(st);
	st = NULL;
	if ((r = lg_prepare(l, &st, "INSERT INTO bank_records (import_id,"
	    " line, member_code, card_ref, full_name, bank_name, pan_hmac,"
	    " pan_masked, pan_last4, status, fee_vnd, issued_on)"
	    " SELECT ?, * FROM temp.bk_stage ORDER BY line")) != 0)
		goto out;
	lg_bind_int64(st, 1, res.import_id);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	lg_hex(res.sha256, 32, hx);
	snprintf(obj, sizeof(obj), "bank import %lld",
	    (long long)res.import_id);
	snprintf(det, sizeof(det), "file=%s sha256=%s rows=%llu", base, hx,
	    (unsigned long long)res.rows);
	if ((r = lg_audit(l, "bank.import", NULL, obj, det)) != 0)
		goto out;
	r = 0;
out:
	lg_finalize(st);
	close_hashed(&h, &fp);
	if (tx)
		r = lg_end(l, r, "bank.import", NULL, base);
	(void)lg_exec(l, "DROP TABLE IF EXISTS temp.bk_stage");
	if (r == 0)
		*info = res;
	return r;
}

/* --- reconcile -------------------------------------------------------- */

static const char sql_mis[] =
    "CREATE TEMP TABLE bk_mis (cls INTEGER NOT NULL, member_code TEXT,"
    " line INTEGER, card_ref TEXT, serial INTEGER, detail TEXT NOT NULL)";

/*
 * How well a linked card c fits bank row b: a card with the row's PAN
 * (same pseudonym for a full PAN, same last four for a masked one) first,
 * then one that was not spoiled, then the newest.  Row values compare
 * left to right.
 */
#define FIT(c) "((CASE WHEN (b.pan_masked = 0 AND" \
	" " c ".pan_hmac = b.pan_hmac) OR" \
	" (b.pan_masked = 1 AND " c ".pan_last4 = b.pan_last4) THEN 2" \
	" ELSE 0 END) + (" c ".status <> 'spoiled'), " c ".serial)"

/* ?1 import id, ?2 issuer prefix (serials are shown as 11 digits). */
#define SERIAL(s) "printf('%02d%09d', ?2, " s ")"

/*
 * Every class that is about one bank row, in one pass over the newest
 * import: each row joined with its member, the member's best-fitting
 * linked card (no better one exists) and that card's request line, then
 * crossed with the five classes and kept where the class's condition
 * holds.  bank_records is read in key order; every join is one index
 * lookup; nothing is materialized but the mismatches.
 */
static const char sql_rows[] =
    "INSERT INTO bk_mis SELECT k.cls, b.member_code, b.line, b.card_ref,"
    " c.serial, CASE k.cls"
    " WHEN 1 THEN printf('line %d: bank card %s ending %s: %s', b.line,"
    "  b.card_ref, b.pan_last4, CASE WHEN m.id IS NULL THEN 'no member"
    " has this code' ELSE 'the member has no linked card in the ledger'"
    "  END)"
    " WHEN 2 THEN printf('line %d: bank card %s ending %s (%s PAN), ledger"
    " card %s ending %s%s', b.line, b.card_ref, b.pan_last4,"
    "  CASE b.pan_masked WHEN 1 THEN 'masked' ELSE 'full' END,"
    "  " SERIAL("c.serial") ", c.pan_last4, CASE WHEN b.pan_masked = 0 AND"
    "  b.pan_last4 = c.pan_last4 THEN ' (same last four, another card"
    " number)' ELSE '' END)"
    " WHEN 3 THEN printf('line %d: bank name \"%s\", ledger name \"%s\"',"
    "  b.line, b.bank_name, m.name_ascii)"
    " WHEN 5 THEN printf('line %d: bank card %s is %s, ledger card %s is"
    " %s', b.line, b.card_ref, b.status, " SERIAL("c.serial") ","
    "  c.status)"
    " ELSE printf('line %d: bank charged %d VND, the request line of card"
    " %s says %d VND', b.line, b.fee_vnd, " SERIAL("c.serial") ","
    "  rl.fee_vnd) END"
    " FROM bank_records b"
    " LEFT JOIN members m ON m.member_code = b.member_code"
    " LEFT JOIN cards c ON c.member_id = m.id AND c.type = 'linked' AND"
    "  NOT EXISTS (SELECT 1 FROM cards c2 WHERE c2.member_id = m.id AND"
    "  c2.serial <> c.serial AND c2.type = 'linked' AND"
    "  " FIT("c2") " > " FIT("c") ")"
    " LEFT JOIN request_lines rl ON rl.id = c.line_id"
    " CROSS JOIN (SELECT 1 AS cls UNION ALL SELECT 2 UNION ALL SELECT 3"
    "  UNION ALL SELECT 5 UNION ALL SELECT 6) k"
    " WHERE b.import_id = ?1 AND CASE k.cls"
    /* unknown_to_us: no such member, or no linked card */
    " WHEN 1 THEN c.serial IS NULL"
    /* pan_mismatch (not while the card has no PAN recorded) */
    " WHEN 2 THEN c.serial IS NOT NULL AND"
    "  ((b.pan_masked = 0 AND c.pan_hmac IS NOT NULL AND"
    "    b.pan_hmac <> c.pan_hmac) OR"
    "   (b.pan_masked = 1 AND c.pan_last4 IS NOT NULL AND"
    "    b.pan_last4 <> c.pan_last4))"
    /* name_mismatch: both in the bank form (members.name_ascii is) */
    " WHEN 3 THEN c.serial IS NOT NULL AND b.bank_name <> m.name_ascii"
    /* status_conflict */
    " WHEN 5 THEN c.serial IS NOT NULL AND"
    "  ((b.status IN ('closed', 'blocked') AND"
    "    c.status IN ('reserved', 'encoded', 'issued')) OR"
    "   (b.status = 'active' AND c.status IN ('lost', 'stolen', 'revoked',"
    "    'replaced', 'spoiled')))"
    /* fee_mismatch */
    " ELSE c.serial IS NOT NULL AND rl.fee_vnd IS NOT NULL AND"
    "  b.fee_vnd <> rl.fee_vnd END";

static const char *const sql_classes[] = {
	sql_rows,
	/* missing_at_bank: a live linked card, no bank row for its member */
	"INSERT INTO bk_mis SELECT 0, m.member_code, NULL, NULL, c.serial,"
	" printf('ledger card %s (%s%s) has no row in the bank''s file',"
	" " SERIAL("c.serial") ", c.status, CASE WHEN c.pan_last4 IS NULL"
	" THEN '' ELSE ', ending ' || c.pan_last4 END)"
	" FROM cards c JOIN members m ON m.id = c.member_id"
	" WHERE c.type = 'linked' AND c.status IN ('encoded', 'issued') AND"
	" NOT EXISTS (SELECT 1 FROM bank_records b WHERE b.import_id = ?1"
	" AND b.member_code = m.member_code)",
	/* duplicate: a member code, or a card reference, twice or more */
	"INSERT INTO bk_mis SELECT 4, member_code, min(line), NULL, NULL,"
	" printf('member code appears %d times in the bank''s file (lines"
	" %s)', count(*), substr(group_concat(line, ', '), 1, 200))"
	" FROM bank_records WHERE import_id = ?1 GROUP BY member_code"
	" HAVING count(*) > 1",
	"INSERT INTO bk_mis SELECT 4, min(member_code), min(line), card_ref,"
	" NULL, printf('card_ref %s appears %d times in the bank''s file"
	" (lines %s)', card_ref, count(*), substr(group_concat(line, ', '),"
	" 1, 200)) FROM bank_records WHERE import_id = ?1 GROUP BY card_ref"
	" HAVING count(*) > 1",
	/* the same full card number (same pseudonym) on rows of different
	 * members under different card references (one member's rows, or
	 * one reference's, are told above) */
	"INSERT INTO bk_mis SELECT 4, min(member_code), min(line),"
	" min(card_ref), NULL, printf('the same card number (ending %s)"
	" appears %d times in the bank''s file (lines %s)', min(pan_last4),"
	" count(*), substr(group_concat(line, ', '), 1, 200))"
	" FROM bank_records WHERE import_id = ?1 AND pan_hmac IS NOT NULL"
	" GROUP BY pan_hmac HAVING count(DISTINCT member_code) > 1 AND"
	" count(DISTINCT card_ref) > 1",
};
#undef SERIAL
#undef FIT

static int
exec_bound(struct uc_ledger *l, const char *sql, int64_t import_id)
{
	struct lg_stmt *st = NULL;
	int r;

	if ((r = lg_prepare(l, &st, sql)) != 0)
		return r;
	if (lg_bind_count(st) >= 1)
		lg_bind_int64(st, 1, import_id);
	if (lg_bind_count(st) >= 2)
		lg_bind_int(st, 2, (int)l->prefix);
	r = lg_err(lg_step(st));
	lg_finalize(st);
	return r;
}

/* Counts by class, then each mismatch in order, to fn. */
static int
stream_mismatches(struct uc_ledger *l,
    uint64_t counts[UC_LEDGER_BANK_CLASSES], uc_ledger_bank_mismatch_fn fn,
    void *ctx)
{
	struct uc_ledger_bank_mismatch m;
	struct lg_stmt *st = NULL;
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	int r, cls;

	if ((r = lg_prepare(l, &st, "SELECT cls, count(*) FROM bk_mis"
	    " GROUP BY cls")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		cls = lg_column_int(st, 0);
		if (cls < 0 || cls >= UC_LEDGER_BANK_CLASSES) {
			r = UC_ERR_INTERNAL;
			goto out;
		}
		counts[cls] = (uint64_t)lg_column_int64(st, 1);
	}
	if ((r = lg_err(r)) != 0 || fn == NULL)
		goto out;
	lg_finalize(st);
	if ((r = lg_prepare(l, &st, "SELECT cls, member_code, detail, line,"
	    " card_ref, serial FROM bk_mis ORDER BY cls, member_code, line,"
	    " card_ref")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&m, 0, sizeof(m));
		m.cls = lg_column_int(st, 0);
		if (m.cls < 0 || m.cls >= UC_LEDGER_BANK_CLASSES) {
			r = UC_ERR_INTERNAL;
			goto out;
		}
		m.class_name = class_names[m.cls];
		m.member_code = (const char *)lg_column_text(st, 1);
		m.detail = (const char *)lg_column_text(st, 2);
		m.line = lg_column_int64(st, 3);
		m.card_ref = (const char *)lg_column_text(st, 4);
		if (lg_column_type(st, 5) != LG_NULL) {
			lg_serial_format(l->prefix,
			    lg_column_int64(st, 5), serial);
			m.serial = serial;
		}
		if (m.detail == NULL) {
			r = UC_ERR_NOMEM;
			goto out;
		}
		if ((r = fn(ctx, &m)) != 0)
			goto out;
	}
	r = lg_err(r);
out:
	lg_finalize(st);
	return r;
}

int
uc_ledger_bank_reconcile_each(struct uc_ledger *l,
    uint64_t counts[UC_LEDGER_BANK_CLASSES], uc_ledger_bank_mismatch_fn fn,
    void *ctx)
{
	struct lg_stmt *st = NULL;
	int64_t import_id = 0;
	size_t i;
	int r, open = 0;

	if (counts != NULL)
		memset(counts, 0, UC_LEDGER_BANK_CLASSES * sizeof(counts[0]));
	if (l == NULL || counts == NULL)
		return UC_ERR_ARG;
	if ((r = need_root_liaison(l)) != 0) {
		lg_refused(l, "bank.reconcile", NULL, "bank");
		return r;
	}
	/* One read snapshot; the temp table lives in the temp schema only. */
	if ((r = lg_db_begin_read(l->db)) != 0)
		goto out;
	open = 1;
	if ((r = lg_prepare(l, &st, "SELECT max(id) FROM bank_imports"))
	    != 0)
		goto out;
	if (lg_step(st) == LG_ROW &&
	    lg_column_type(st, 0) != LG_NULL)
		import_id = lg_column_int64(st, 0);
	lg_finalize(st);
	st = NULL;
	if (import_id == 0) {
		snprintf(l->refusal, sizeof(l->refusal), "no bank file has"
		    " been imported yet ('bank import FILE')");
		r = UC_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = lg_exec(l, "DROP TABLE IF EXISTS temp.bk_mis")) != 0 ||
	    (r = lg_exec(l, sql_mis)) != 0)
		goto out;
	for (i = 0; i < sizeof(sql_classes) / sizeof(sql_classes[0]); i++)
		if ((r = exec_bound(l, sql_classes[i], import_id)) != 0)
			goto out;
	r = stream_mismatches(l, counts, fn, ctx);
out:
	lg_finalize(st);
	if (open) {
		(void)lg_exec(l, "DROP TABLE IF EXISTS temp.bk_mis");
		(void)lg_db_commit(l->db);
	}
	return r;
}


int
uc_ledger_bank_imports_each(struct uc_ledger *l, uc_ledger_bank_import_fn fn,
    void *ctx)
{
	struct uc_ledger_bank_import b;
	struct lg_stmt *st = NULL;
	int r;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = need_root_liaison(l)) != 0) {
		lg_refused(l, "bank.imports", NULL, "bank");
		return r;
	}
	if ((r = lg_prepare(l, &st, "SELECT b.id, b.file, b.sha256, b.rows,"
	    " a.name, b.at, b.id = (SELECT max(id) FROM bank_imports)"
	    " FROM bank_imports b LEFT JOIN accounts a ON a.id = b.account_id"
	    " ORDER BY b.id")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&b, 0, sizeof(b));
		b.import = lg_column_int64(st, 0);
		if (lg_column_bytes(st, 2) == 32)
			lg_hex(lg_column_blob(st, 2), 32, b.sha256);
		b.rows = (uint64_t)lg_column_int64(st, 3);
		b.file = (const char *)lg_column_text(st, 1);
		b.account = (const char *)lg_column_text(st, 4);
		b.at = (const char *)lg_column_text(st, 5);
		b.newest = lg_column_int(st, 6);
		if (b.file == NULL || b.at == NULL) {
			r = UC_ERR_LEDGER;
			break;
		}
		if (b.account == NULL)
			b.account = "";
		if (fn != NULL && (r = fn(ctx, &b)) != 0)
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

