/*
 * bankfile.c - the bank's issuance/status CSV, read with the strict CSV
 * reader, with full PANs replaced by an HMAC and wiped line by line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "unioncard/bankfile.h"
#include "unioncard/csv.h"
#include "unioncard/date.h"
#include "unioncard/text.h"

enum {
	COL_MEMBER_CODE,
	COL_CARD_REF,
	COL_FULL_NAME,
	COL_PAN,
	COL_STATUS,
	COL_FEE,
	COL_ISSUED_ON,
	NCOLS
};

static const char *const col_names[NCOLS] = { "member_code", "card_ref",
	"full_name", "pan", "status", "fee_vnd", "issued_on" };

struct uc_bankfile {
	struct uc_csv *csv;
	FILE *fp; /* owned when opened by path */
	uint8_t key[UC_BANK_KEY_MAX];
	size_t key_len;
	int idx[NCOLS];
	int err;
	struct uc_diag err_diag;
};

int
uc_luhn_valid(const char *digits, size_t n)
{
	unsigned sum = 0, v;
	size_t i;
	int dbl = 0;

	if (digits == NULL || n == 0)
		return 0;
	for (i = n; i-- > 0; dbl = !dbl) {
		if (digits[i] < '0' || digits[i] > '9')
			return 0;
		v = (unsigned)(digits[i] - '0');
		if (dbl && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return sum % 10 == 0;
}

static int
all_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

int
uc_bank_pan_hmac(const uint8_t *key, size_t key_len, const char *pan,
    size_t pan_len, uint8_t out[UC_BANK_PAN_HMAC_LEN])
{
	unsigned int mlen = 0;

	if (out == NULL || key == NULL || pan == NULL)
		return UC_ERR_ARG;
	memset(out, 0, UC_BANK_PAN_HMAC_LEN);
	if (key_len < UC_BANK_KEY_MIN || key_len > UC_BANK_KEY_MAX)
		return UC_ERR_KEY;
	if (pan_len < UC_BANK_PAN_MIN || pan_len > UC_BANK_PAN_MAX ||
	    !all_digits(pan, pan_len) || !uc_luhn_valid(pan, pan_len))
		return UC_ERR_INVALID;
	if (HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)pan,
	    pan_len, out, &mlen) == NULL || mlen != UC_BANK_PAN_HMAC_LEN) {
		OPENSSL_cleanse(out, UC_BANK_PAN_HMAC_LEN);
		return UC_ERR_CRYPTO;
	}
	return 0;
}

const char *
uc_bank_status_name(enum uc_bank_status s)
{
	switch (s) {
	case UC_BANK_STATUS_ACTIVE:
		return "active";
	case UC_BANK_STATUS_PENDING:
		return "pending";
	case UC_BANK_STATUS_BLOCKED:
		return "blocked";
	case UC_BANK_STATUS_CLOSED:
		return "closed";
	}
	return "?";
}

/*
 * Diagnostics name columns by their header text, and a file without a
 * header row makes a data line (with its PAN) the header.  So every
 * diagnostic leaving this module has each run of 12 or more digits (spaces
 * and dashes between them allowed) masked with '*'.
 */
static void
mask_pan_runs(char *s)
{
	size_t i, j, digits;

	for (i = 0; s[i] != '\0'; i = j > i ? j : i + 1) {
		for (j = i, digits = 0; s[j] != '\0' && ((s[j] >= '0' &&
		    s[j] <= '9') || s[j] == ' ' || s[j] == '-'); j++)
			if (s[j] >= '0' && s[j] <= '9')
				digits++;
		if (digits >= UC_BANK_PAN_MIN)
			for (; i < j; i++)
				if (s[i] >= '0' && s[i] <= '9')
					s[i] = '*';
	}
}

static int
scrub(struct uc_diag *d, int r)
{
	if (d != NULL && r != 0) {
		mask_pan_runs(d->field);
		mask_pan_runs(d->msg);
	}
	return r;
}

static int
bankfile_init(struct uc_bankfile *bf, const uint8_t *key, size_t key_len,
    struct uc_diag *d)
{
	if (key_len < UC_BANK_KEY_MIN || key_len > UC_BANK_KEY_MAX)
		return uc_diag_set(d, UC_ERR_KEY, NULL, 0, NULL,
		    "bank-link key must be %d to %d bytes", UC_BANK_KEY_MIN,
		    UC_BANK_KEY_MAX);
	memcpy(bf->key, key, key_len);
	bf->key_len = key_len;
	return scrub(d, uc_csv_header_require(bf->csv, col_names, NCOLS,
	    NCOLS, bf->idx, d));
}

int
uc_bankfile_open_path(struct uc_bankfile **out, const char *path,
    const uint8_t *key, size_t key_len, struct uc_diag *d)
{
	struct uc_bankfile *bf = NULL;
	struct stat sb;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (path == NULL || key == NULL)
		return UC_ERR_ARG;
	if ((bf = calloc(1, sizeof(*bf))) == NULL)
		return UC_ERR_NOMEM;
	if ((bf->fp = fopen(path, "rb")) == NULL) {
		r = uc_diag_set(d, UC_ERR_IO, path, 0, NULL,
		    "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fileno(bf->fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL,
		    "not a regular file (a device, pipe or directory)");
		goto out;
	}
	/* No stdio buffer: the reader's own window is wiped line by line. */
	if (setvbuf(bf->fp, NULL, _IONBF, 0) != 0) {
		r = UC_ERR_IO;
		goto out;
	}
	if ((r = uc_csv_open_file(&bf->csv, bf->fp, path, NULL)) != 0)
		goto out;
	if ((r = bankfile_init(bf, key, key_len, d)) != 0)
		goto out;
	*out = bf;
	bf = NULL;
	r = 0;
out:
	uc_bankfile_free(&bf);
	return r;
}

int
uc_bankfile_open_file(struct uc_bankfile **out, FILE *fp, const char *name,
    const uint8_t *key, size_t key_len, struct uc_diag *d)
{
	struct uc_bankfile *bf = NULL;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (fp == NULL || key == NULL)
		return UC_ERR_ARG;
	if ((bf = calloc(1, sizeof(*bf))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_csv_open_file(&bf->csv, fp, name, NULL)) != 0)
		goto out;
	if ((r = bankfile_init(bf, key, key_len, d)) != 0)
		goto out;
	*out = bf;
	bf = NULL;
	r = 0;
out:
	uc_bankfile_free(&bf);
	return r;
}

int
uc_bankfile_open_mem(struct uc_bankfile **out, const void *data,
    size_t len, const char *name, const uint8_t *key, size_t key_len,
    struct uc_diag *d)
{
	struct uc_bankfile *bf = NULL;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (key == NULL)
		return UC_ERR_ARG;
	if ((bf = calloc(1, sizeof(*bf))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_csv_open_mem(&bf->csv, data, len, name, NULL)) != 0)
		goto out;
	if ((r = bankfile_init(bf, key, key_len, d)) != 0)
		goto out;
	*out = bf;
	bf = NULL;
	r = 0;
out:
	uc_bankfile_free(&bf);
	return r;
}

void
uc_bankfile_free(struct uc_bankfile **bfp)
{
	struct uc_bankfile *bf;

	if (bfp == NULL || (bf = *bfp) == NULL)
		return;
	if (bf->csv != NULL)
		uc_csv_wipe_last(bf->csv);
	uc_csv_free(&bf->csv);
	if (bf->fp != NULL)
		fclose(bf->fp);
	OPENSSL_cleanse(bf, sizeof(*bf));
	free(bf);
	*bfp = NULL;
}

/* Copy a trimmed field into a fixed buffer; UC_ERR_BUFFER if too long. */
static int
copy_field(const struct uc_csv_field *f, char *dst, size_t cap,
    const char **p, size_t *n)
{
	*p = f->ptr;
	*n = f->len;
	uc_text_trim(p, n);
	if (dst == NULL)
		return 0;
	if (*n >= cap)
		return UC_ERR_BUFFER;
	memcpy(dst, *p, *n);
	dst[*n] = '\0';
	return 0;
}

/*
 * The PAN column: full (digits, Luhn) -> HMAC + last four; masked
 * (digits, '*' or 'X', four digits) -> last four.  Works on the field in
 * place; the caller wipes the record afterwards.
 */
static int
parse_pan(struct uc_bankfile *bf, const char *p, size_t n,
    struct uc_bank_record *rec, const char **why)
{
	size_t i, stars;

	*why = NULL;
	if (n < UC_BANK_PAN_MIN || n > UC_BANK_PAN_MAX) {
		*why = "PAN must be 12 to 19 digits, or masked: "
		    "leading digits, * or X, then the last four digits";
		return UC_ERR_INVALID;
	}
	if (all_digits(p, n)) {
		if (!uc_luhn_valid(p, n)) {
			*why = "PAN fails the Luhn check (mistyped digit?)";
			return UC_ERR_INVALID;
		}
		if (uc_bank_pan_hmac(bf->key, bf->key_len, p, n,
		    rec->pan_hmac) != 0) {
			*why = "cannot compute the PAN pseudonym";
			return UC_ERR_CRYPTO;
		}
	} else {
		for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		for (stars = 0; i < n && (p[i] == '*' || p[i] == 'X' ||
		    p[i] == 'x'); i++, stars++)
			;
		if (stars == 0 || n - i != 4 || !all_digits(p + i, 4)) {
			*why = "PAN must be 12 to 19 digits, or masked: "
			    "leading digits, * or X, then the last four "
			    "digits";
			return UC_ERR_INVALID;
		}
		rec->pan_masked = 1;
	}
	memcpy(rec->pan_last4, p + n - 4, 4);
	rec->pan_last4[4] = '\0';
	return 0;
}

static int
parse_fee(const char *p, size_t n, uint64_t *fee)
{
	uint64_t v = 0;
	size_t i;

	*fee = 0;
	if (n == 0 || n > 15)
		return UC_ERR_INVALID;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return UC_ERR_INVALID;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UC_BANK_FEE_MAX)
		return UC_ERR_INVALID;
	*fee = v;
	return 0;
}

static int
card_ref_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > UC_BANK_CARD_REF_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
		    c == '.' || c == '/'))
			return 0;
	}
	return 1;
}

/*
 * 1 if p[0..n) holds a full card number: a run of 13 to 19 digits (one
 * space or dash allowed between two digits, as numbers are written)
 * that passes the Luhn check.  Nothing is copied out but into a stack
 * buffer wiped before return.
 */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
pan_len_luhn(const char *digits, size_t k)
{
	return k >= UC_BANK_PAN_FULL_MIN && k <= UC_BANK_PAN_MAX &&
	    uc_luhn_valid(digits, k);
}

/*
 * From the start of a run of digits at p[i]: the plain run is a PAN, or
 * (sep) the run as card numbers are written, groups of digits with one
 * space or dash between them, ending at any group ("4111 1111-1111 1111
 * 2024" holds one).
 */
static int
run_is_pan(const char *p, size_t n, size_t i, int sep, char *digits)
{
	size_t k = 0;

	for (; i < n && k < UC_BANK_PAN_MAX + 1; i++) {
		if (is_digit(p[i])) {
			digits[k++] = p[i];
			if (sep && (i + 1 == n || !is_digit(p[i + 1])) &&
			    pan_len_luhn(digits, k))
				return 1;
		} else if (!(sep && (p[i] == ' ' || p[i] == '-') &&
		    i + 1 < n && is_digit(p[i + 1]))) {
			break;
		}
	}
	return !sep && (i == n || !is_digit(p[i])) && pan_len_luhn(digits, k);
}

static int
holds_pan(const char *p, size_t n)
{
	char digits[UC_BANK_PAN_MAX + 1];
	size_t i;
	int found = 0;

	for (i = 0; i < n && !found; i++) {
		if (!is_digit(p[i]) || (i > 0 && is_digit(p[i - 1])))
			continue;
		found = run_is_pan(p, n, i, 0, digits) ||
		    run_is_pan(p, n, i, 1, digits);
	}
	OPENSSL_cleanse(digits, sizeof(digits));
	return found;
}

/* Check one record; the caller wipes the CSV record afterwards. */
static int
parse_record(struct uc_bankfile *bf, const struct uc_csv_field *f,
    size_t nf, struct uc_bank_record *rec, struct uc_diag *d)
{
	static const char *const status_names[] = { "active", "pending",
		"blocked", "closed" };
	struct uc_csv *csv = bf->csv;
	struct uc_diag tmp;
	const char *p, *why;
	size_t n, i, len;
	int r;

#define COL(c) ((size_t)bf->idx[c])
	/* pan first: its bytes are the ones that must not linger. */
	copy_field(&f[COL(COL_PAN)], NULL, 0, &p, &n);
	if ((r = parse_pan(bf, p, n, rec, &why)) != 0)
		return uc_csv_diag(csv, d, r, COL(COL_PAN), "%s", why);
	/* A full PAN anywhere else would be stored as it is: refuse it. */
	for (i = 0; i < nf; i++)
		if (i != COL(COL_PAN) && holds_pan(f[i].ptr, f[i].len))
			return uc_csv_diag(csv, d, UC_ERR_INVALID, i,
			    "holds what looks like a full card number (13 to"
			    " 19 digits passing the Luhn check); card numbers"
			    " belong in the pan column only");

	copy_field(&f[COL(COL_MEMBER_CODE)], NULL, 0, &p, &n);
	if (uc_membercode_validate(p, n, &tmp) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID,
		    COL(COL_MEMBER_CODE), "%s", tmp.msg);
	memcpy(rec->member_code, p, n);
	rec->member_code[n] = '\0';

	copy_field(&f[COL(COL_CARD_REF)], NULL, 0, &p, &n);
	if (!card_ref_ok(p, n))
		return uc_csv_diag(csv, d, UC_ERR_INVALID, COL(COL_CARD_REF),
		    "card_ref must be 1 to %d letters, digits or - _ . /",
		    UC_BANK_CARD_REF_MAX);
	memcpy(rec->card_ref, p, n);
	rec->card_ref[n] = '\0';

	copy_field(&f[COL(COL_FULL_NAME)], NULL, 0, &p, &n);
	if (n == 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, COL(COL_FULL_NAME),
		    "name is empty");
	r = uc_text_nfc(p, n, rec->full_name, sizeof(rec->full_name), &len);
	if (r == UC_ERR_BUFFER || r == UC_ERR_RANGE)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, COL(COL_FULL_NAME),
		    "name longer than %d bytes", UC_BANK_NAME_MAX);
	if (r != 0)
		return uc_csv_diag(csv, d, r, COL(COL_FULL_NAME),
		    "name is not valid text");
	if (uc_text_bank_name(rec->full_name, len, rec->bank_name,
	    sizeof(rec->bank_name), &len) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, COL(COL_FULL_NAME),
		    "name has a character with no bank (ASCII) form");

	copy_field(&f[COL(COL_STATUS)], NULL, 0, &p, &n);
	for (i = 0; i < 4; i++)
		if (uc_text_ascii_caseeq(p, n, status_names[i],
		    strlen(status_names[i])))
			rec->status = (enum uc_bank_status)(i + 1);
	if (rec->status == 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, COL(COL_STATUS),
		    "status must be active, pending, blocked or closed");

	copy_field(&f[COL(COL_FEE)], NULL, 0, &p, &n);
	if (parse_fee(p, n, &rec->fee_vnd) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID, COL(COL_FEE),
		    "fee_vnd must be a whole number of dong, digits only, "
		    "at most 100 billion");

	copy_field(&f[COL(COL_ISSUED_ON)], NULL, 0, &p, &n);
	if (uc_date_parse(p, n, &rec->issued_on) != 0)
		return uc_csv_diag(csv, d, UC_ERR_INVALID,
		    COL(COL_ISSUED_ON),
		    "not a real date in YYYY-MM-DD or DD/MM/YYYY form");
#undef COL
	return 0;
}

int
uc_bankfile_next(struct uc_bankfile *bf, struct uc_bank_record *rec,
    struct uc_diag *d)
{
	const struct uc_csv_field *f = NULL;
	size_t nf = 0;
	int r;

	if (rec != NULL)
		memset(rec, 0, sizeof(*rec));
	if (bf == NULL || rec == NULL)
		return UC_ERR_ARG;
	if (bf->err != 0) {
		if (d != NULL)
			*d = bf->err_diag;
		return bf->err;
	}
	if ((r = uc_csv_next(bf->csv, &f, &nf, &bf->err_diag)) != 0)
		goto out;
	if (nf == 0) {
		r = 0;
		goto out;
	}
	rec->line = uc_csv_line(bf->csv);
	if ((r = parse_record(bf, f, nf, rec, &bf->err_diag)) != 0)
		goto out;
	r = 0;
out:
	/* Success or not, this line's bytes (PAN included) go now. */
	uc_csv_wipe_last(bf->csv);
	if (r != 0) {
		OPENSSL_cleanse(rec, sizeof(*rec));
		bf->err = r;
		scrub(&bf->err_diag, r);
		if (d != NULL)
			*d = bf->err_diag;
	}
	return r;
}
