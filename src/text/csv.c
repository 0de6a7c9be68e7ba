/*
 * csv.c - a strict, streaming RFC 4180 reader and a small writer.
 *
 * The reader is a byte-at-a-time state machine over a refillable input
 * window (a 64 KiB stdio buffer, or the caller's memory directly).  Field
 * bytes are unquoted into one record buffer allocated at open, sized from
 * the limits, so reading a record never allocates: a million-row import
 * costs a million passes over bytes, not a million mallocs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/csv.h"
#include "unioncard/text.h"

#define IN_CHUNK (64u * 1024u)

struct uc_csv {
	FILE *fp;                 /* borrowed, or NULL for memory */
	const unsigned char *in;  /* input window */
	size_t in_len;
	size_t in_pos;
	unsigned char *in_buf;    /* owned window for fp */
	int at_eof;               /* no more input after the window */
	int started;              /* BOM check done */

	char name[UC_DIAG_FILE_MAX];
	struct uc_csv_limits lim;

	char *rec;                /* unquoted field bytes, NUL after each */
	size_t rec_cap;
	struct uc_csv_field *fields;
	size_t nfields;

	unsigned long line;       /* physical line of the next byte */
	unsigned long rec_line;   /* where the last record started */
	unsigned long blank_line; /* first blank line since the last record */
	unsigned long nrecords;

	size_t expect;            /* fields per record; 0 until known */
	char **cols;              /* header names, trimmed copies */
	size_t ncols;

	size_t raw_start;         /* window offset where the record began */
	int refilled;             /* the window was refilled since then */
	size_t rec_used;          /* record buffer bytes to wipe */

	int err;                  /* sticky error */
	int soft;                 /* err is about one whole record */
	struct uc_diag err_diag;
	char delim;               /* ',' or ';' */
};

static void
set_limits(struct uc_csv_limits *dst, const struct uc_csv_limits *src)
{
	dst->max_field = UC_CSV_FIELD_MAX_DEFAULT;
	dst->max_record = UC_CSV_RECORD_MAX_DEFAULT;
	dst->max_fields = UC_CSV_FIELDS_MAX_DEFAULT;
	if (src == NULL)
		return;
	if (src->max_field != 0)
		dst->max_field = src->max_field;
	if (src->max_record != 0)
		dst->max_record = src->max_record;
	if (src->max_fields != 0)
		dst->max_fields = src->max_fields;
}

static int
csv_new(struct uc_csv **out, const char *name,
    const struct uc_csv_limits *limits)
{
	struct uc_csv *r = NULL;
	int ret = UC_ERR_NOMEM;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	set_limits(&r->lim, limits);
	if (r->lim.max_record > UC_CSV_RECORD_MAX_CEILING ||
	    r->lim.max_fields > UC_CSV_FIELDS_MAX_CEILING ||
	    r->lim.max_field > r->lim.max_record) {
		ret = UC_ERR_ARG;
		goto out;
	}
	snprintf(r->name, sizeof(r->name), "%s", name != NULL ? name : "-");
	/* Unquoted bytes never exceed raw bytes; one NUL per field. */
	r->rec_cap = r->lim.max_record + r->lim.max_fields + 1;
	if ((r->rec = malloc(r->rec_cap)) == NULL)
		goto out;
	r->fields = calloc(r->lim.max_fields, sizeof(*r->fields));
	if (r->fields == NULL)
		goto out;
	r->line = 1;
	r->delim = ',';
	*out = r;
	r = NULL;
	ret = 0;
out:
	uc_csv_free(&r);
	return ret;
}

int
uc_csv_open_file(struct uc_csv **out, FILE *fp, const char *name,
    const struct uc_csv_limits *limits)
{
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (fp == NULL)
		return UC_ERR_ARG;
	if ((r = csv_new(out, name, limits)) != 0)
		return r;
	if (((*out)->in_buf = malloc(IN_CHUNK)) == NULL) {
		uc_csv_free(out);
		return UC_ERR_NOMEM;
	}
	(*out)->fp = fp;
	(*out)->in = (*out)->in_buf;
	return 0;
}

int
uc_csv_open_mem(struct uc_csv **out, const void *data, size_t len,
    const char *name, const struct uc_csv_limits *limits)
{
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (data == NULL && len > 0)
		return UC_ERR_ARG;
	if ((r = csv_new(out, name, limits)) != 0)
		return r;
	(*out)->in = data;
	(*out)->in_len = len;
	(*out)->at_eof = 1;
	return 0;
}

void
uc_csv_free(struct uc_csv **rp)
{
	struct uc_csv *r;
	size_t i;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	/* Header text can be a data line (a headerless file): wipe it. */
	for (i = 0; i < r->ncols; i++) {
		OPENSSL_cleanse(r->cols[i], strlen(r->cols[i]));
		free(r->cols[i]);
	}
	free(r->cols);
	free(r->fields);
	if (r->rec != NULL)
		OPENSSL_cleanse(r->rec, r->rec_cap);
	free(r->rec);
	if (r->in_buf != NULL)
		OPENSSL_cleanse(r->in_buf, IN_CHUNK);
	free(r->in_buf);
	free(r);
	*rp = NULL;
}

/* Refill the window from fp.  Returns 0, or UC_ERR_IO. */
static int
refill(struct uc_csv *r)
{
	size_t n;

	if (r->at_eof)
		return 0;
	n = fread(r->in_buf, 1, IN_CHUNK, r->fp);
	/* Older bytes past a short read would linger: wipe them. */
	if (n < IN_CHUNK)
		OPENSSL_cleanse(r->in_buf + n, IN_CHUNK - n);
	r->in_len = n;
	r->in_pos = 0;
	r->refilled = 1;
	if (n < IN_CHUNK) {
		if (ferror(r->fp))
			return UC_ERR_IO;
		if (n == 0)
			r->at_eof = 1;
	}
	return 0;
}

/* Next byte, or -1 at end of input, or -2 on a read error. */
static inline int
get_byte(struct uc_csv *r)
{
	if (r->in_pos >= r->in_len) {
		if (r->at_eof)
			return -1;
		if (refill(r) != 0)
			return -2;
		if (r->in_pos >= r->in_len)
			return -1;
	}
	return r->in[r->in_pos++];
}

/* Peek without consuming. */
static inline int
peek_byte(struct uc_csv *r)
{
	int c = get_byte(r);

	if (c >= 0)
		r->in_pos--;
	return c;
}

/* Name of column i for diagnostics. */
static const char *
col_name(const struct uc_csv *r, size_t i, char *tmp, size_t tmplen)
{
	if (i < r->ncols)
		return r->cols[i];
	snprintf(tmp, tmplen, "column %zu", i + 1);
	return tmp;
}

static int
fail(struct uc_csv *r, struct uc_diag *d, int err, unsigned long line,
    long field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Record a sticky error; field < 0: no field. */
static int
fail(struct uc_csv *r, struct uc_diag *d, int err, unsigned long line,
    long field, const char *fmt, ...)
{
	char msg[UC_DIAG_MSG_MAX];
	char tmp[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->rec_used = r->rec_cap; /* partial record: wipe it all */
	uc_diag_set(&r->err_diag, err, r->name, line,
	    field < 0 ? NULL : col_name(r, (size_t)field, tmp, sizeof(tmp)),
	    "%s", msg);
	r->err = err;
	if (d != NULL)
		*d = r->err_diag;
	return err;
}

static int
soft_fail(struct uc_csv *r, struct uc_diag *d, long field, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/*
 * An error in a record read to its end (wrong field count, bad UTF-8):
 * sticky like any other, but uc_csv_skip_error() can go on after it.
 */
static int
soft_fail(struct uc_csv *r, struct uc_diag *d, long field, const char *fmt,
    ...)
{
	char msg[UC_DIAG_MSG_MAX];
	size_t used = r->rec_used;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)fail(r, d, UC_ERR_INVALID, r->rec_line, field, "%s", msg);
	r->rec_used = used;
	r->soft = 1;
	r->nrecords++;
	r->blank_line = 0;
	return UC_ERR_INVALID;
}

/* Skip a UTF-8 byte-order mark at the very start of the input. */
static int
skip_bom(struct uc_csv *r)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };
	r->started = 1;
	if (r->fp != NULL && r->in_len == 0 && refill(r) != 0)
		return UC_ERR_IO;
	/* The 64 KiB window always holds the first three bytes if any. */
	if (r->in_len - r->in_pos >= 3 &&
	    memcmp(r->in + r->in_pos, bom, 3) == 0)
		r->in_pos += 3;
	return 0;
}

/*
 * Skip blank lines.  Returns 1 if a record follows, 0 at end of input, or
 * an error.
 */
static int
skip_blank(struct uc_csv *r, struct uc_diag *d)
{
	int c;

	for (;;) {
		c = peek_byte(r);
		if (c == -2)
			return fail(r, d, UC_ERR_IO, r->line, -1,
			    "read error");
		if (c == -1)
			return 0;
		if (c == '\n') {
			r->in_pos++;
		} else if (c == '\r') {
			r->in_pos++;
			if (get_byte(r) != '\n')
				return fail(r, d, UC_ERR_INVALID, r->line, -1,
				    "carriage return without line feed");
		} else {
			return 1;
		}
		if (r->blank_line == 0)
			r->blank_line = r->line;
		r->line++;
	}
}

/*
 * Copy the run of ordinary bytes at the read position straight from the
 * window - the common case, without a call per byte.  The run ends at a
 * byte the state machine must see (quoted: '"'; unquoted: , CR LF '"'),
 * at the end of the window, or when the room under the field and record
 * limits is used up (the byte-wise code then reports the limit).
 */
static char *
copy_run(struct uc_csv *r, char *w, const char *field_start, size_t *raw,
    int quoted)
{
	const unsigned char *q = r->in + r->in_pos;
	size_t avail = r->in_len - r->in_pos;
	size_t used = (size_t)(w - field_start);
	size_t room, i = 0;

	if (used >= r->lim.max_field || *raw >= r->lim.max_record)
		return w;
	room = r->lim.max_field - used;
	if (r->lim.max_record - *raw < room)
		room = r->lim.max_record - *raw;
	if (avail < room)
		room = avail;
	if (quoted) {
		for (; i < room && q[i] != '"'; i++)
			if (q[i] == '\n')
				r->line++;
	} else {
		for (; i < room && q[i] != r->delim && q[i] != '\n' &&
		    q[i] != '\r' && q[i] != '"'; i++)
			;
	}
	memcpy(w, q, i);
	r->in_pos += i;
	*raw += i;
	return w + i;
}

/*
 * Before one more byte of field nf: UC_ERR_INVALID (sticky, in d) once
 * the row has taken more than max_record bytes (raw) or the field
 * already holds max_field (len); else 0.
 */
static int
too_long(struct uc_csv *r, struct uc_diag *d, size_t raw, size_t len,
    size_t nf)
{
	if (raw > r->lim.max_record)
		return fail(r, d, UC_ERR_INVALID, r->rec_line, (long)nf,
		    "row longer than %zu bytes", r->lim.max_record);
	if (len >= r->lim.max_field)
		return fail(r, d, UC_ERR_INVALID, r->rec_line, (long)nf,
		    "field longer than %zu bytes", r->lim.max_field);
	return 0;
}

/*
 * The rest of a quoted field (its opening quote read): bytes into *wp up
 * to the closing quote, "" as one quote.  *cp is the byte after the
 * closing quote (a separator, CR, LF or -1 at the end), *raw counts what
 * was read.  0, or the error (sticky, in d).
 */
static int
read_quoted(struct uc_csv *r, char **wp, const char *field_start,
    size_t *raw, size_t nf, int *cp, struct uc_diag *d)
{
	char *w = *wp;
	int c, ret;

	for (;;) {
		w = copy_run(r, w, field_start, raw, 1);
		c = get_byte(r);
		(*raw)++;
		if (c < 0) {
			if (c == -2)
				return fail(r, d, UC_ERR_IO, r->rec_line,
				    (long)nf, "read error");
			return fail(r, d, UC_ERR_INVALID, r->rec_line,
			    (long)nf, "quoted field never closed "
			    "(truncated file?)");
		}
		if (c == '"') {
			if (peek_byte(r) != '"') {
				c = get_byte(r);
				(*raw)++;
				break;
			}
			r->in_pos++;
			(*raw)++;
		} else if (c == '\n') {
			r->line++;
		}
		if ((ret = too_long(r, d, *raw, (size_t)(w - field_start),
		    nf)) != 0)
			return ret;
		*w++ = (char)c;
	}
	*wp = w;
	*cp = c;
	if (c != r->delim && c != '\n' && c != '\r' && c >= 0)
		return fail(r, d, UC_ERR_INVALID, r->rec_line, (long)nf,
		    "text after the closing quote of a field");
	return 0;
}

/*
 * An unquoted field whose first byte *cp was read: bytes into *wp up to
 * a separator, CR, LF or the end (that byte in *cp).  0, or the error
 * (sticky, in d).
 */
static int
read_unquoted(struct uc_csv *r, char **wp, const char *field_start,
    size_t *raw, size_t nf, int *cp, struct uc_diag *d)
{
	char *w = *wp;
	int c = *cp, ret;

	while (c >= 0 && c != r->delim && c != '\n' && c != '\r') {
		if (c == '"')
			return fail(r, d, UC_ERR_INVALID, r->rec_line,
			    (long)nf, "quote inside an unquoted field");
		if ((ret = too_long(r, d, *raw, (size_t)(w - field_start),
		    nf)) != 0)
			return ret;
		*w++ = (char)c;
		w = copy_run(r, w, field_start, raw, 0);
		c = get_byte(r);
		(*raw)++;
	}
	*wp = w;
	*cp = c;
	return 0;
}

/*
 * A whole record read: every field UTF-8, and as many fields as the first
 * row had.  0, or the error of this record alone (uc_csv_skip_error()
 * may go on after it).
 */
static int
check_record(struct uc_csv *r, size_t nf, struct uc_diag *d)
{
	size_t i, bad;

	for (i = 0; i < nf; i++)
		if (uc_text_utf8_check(r->fields[i].ptr, r->fields[i].len,
		    &bad) != 0)
			return soft_fail(r, d, (long)i,
			    "not valid UTF-8 (byte %zu of the field; save the"
			    " file as CSV UTF-8)", bad + 1);
	if (r->expect == 0) {
		r->expect = nf;
	} else if (nf != r->expect) {
		if (nf < r->expect)
			return soft_fail(r, d, (long)nf, "row has %zu fields,"
			    " expected %zu (this one and later ones missing)",
			    nf, r->expect);
		return soft_fail(r, d, (long)r->expect, "row has %zu"
		    " fields, expected %zu (a separator too many, or a"
		    " value holding '%c' without quotes?)", nf, r->expect,
		    r->delim);
	}
	return 0;
}

int
uc_csv_next(struct uc_csv *r, const struct uc_csv_field **fields,
    size_t *nfields, struct uc_diag *d)
{
	const struct uc_csv_limits *lim;
	char *w, *field_start;
	size_t raw = 0, nf = 0;
	int quoted_any = 0;
	int c, ret;

	if (fields != NULL)
		*fields = NULL;
	if (nfields != NULL)
		*nfields = 0;
	if (r == NULL || fields == NULL || nfields == NULL)
		return UC_ERR_ARG;
	if (r->err != 0) {
		if (d != NULL)
			*d = r->err_diag;
		return r->err;
	}
	lim = &r->lim;
	if (!r->started && skip_bom(r) != 0)
		return fail(r, d, UC_ERR_IO, 1, -1, "read error");
again:
	raw = 0;
	nf = 0;
	quoted_any = 0;
	if ((ret = skip_blank(r, d)) <= 0)
		return ret;
	r->rec_line = r->line;
	r->raw_start = r->in_pos;
	r->refilled = 0;
	w = r->rec;

	for (;;) {
		/* One field per iteration. */
		if (nf >= lim->max_fields)
			return fail(r, d, UC_ERR_INVALID, r->rec_line,
			    (long)nf, "more than %zu fields in a row",
			    lim->max_fields);
		field_start = w;
		c = get_byte(r);
		raw++;
		if (c == '"') {
			quoted_any = 1;
			ret = read_quoted(r, &w, field_start, &raw, nf, &c, d);
		} else {
			ret = read_unquoted(r, &w, field_start, &raw, nf, &c,
			    d);
		}
		if (ret != 0)
			return ret;
		if (c == -2)
			return fail(r, d, UC_ERR_IO, r->rec_line, (long)nf,
			    "read error");
		*w++ = '\0';
		r->fields[nf].ptr = field_start;
		r->fields[nf].len = (size_t)(w - field_start - 1);
		nf++;
		if (c == r->delim)
			continue;
		if (c == '\r' && get_byte(r) != '\n')
			return fail(r, d, UC_ERR_INVALID, r->line, -1,
			    "carriage return without line feed");
		if (c != -1)
			r->line++;
		break;
	}

	/*
	 * A row of empty unquoted fields (",,,," - spreadsheets export the
	 * rows someone once formatted) counts as a blank line.
	 */
	if (!quoted_any && (size_t)(w - r->rec) == nf) {
		if (r->blank_line == 0)
			r->blank_line = r->rec_line;
		goto again;
	}
	if (r->blank_line != 0)
		return fail(r, d, UC_ERR_INVALID, r->blank_line, -1,
		    r->nrecords > 0 ? "blank line inside the data" :
		    "blank line before the first row");
	/*
	 * From here on the whole record has been read: an error is about
	 * this record alone, and uc_csv_skip_error() may go on after it.
	 */
	r->rec_used = (size_t)(w - r->rec);
	r->nfields = nf;
	if ((ret = check_record(r, nf, d)) != 0)
		return ret;
	r->nrecords++;
	r->blank_line = 0;
	*fields = r->fields;
	*nfields = nf;
	return 0;
}

int
uc_csv_header_require(struct uc_csv *r, const char *const names[],
    size_t n, size_t n_required, int *index, struct uc_diag *d)
{
	const struct uc_csv_field *f = NULL;
	size_t nf = 0, i, j;
	int ret;

	if (r == NULL || (names == NULL && n > 0) || n_required > n ||
	    (index == NULL && n > 0))
		return UC_ERR_ARG;
	for (i = 0; i < n; i++)
		index[i] = -1;
	if (r->ncols == 0) {
		if (r->nrecords != 0)
			return UC_ERR_STATE;
		if ((ret = uc_csv_next(r, &f, &nf, d)) != 0)
			return ret;
		if (nf == 0)
			return fail(r, d, UC_ERR_INVALID, 1, -1,
			    "empty file: no header row");
		if ((r->cols = calloc(nf, sizeof(*r->cols))) == NULL)
			return UC_ERR_NOMEM;
		for (i = 0; i < nf; i++) {
			const char *p = f[i].ptr;
			size_t len = f[i].len;

			uc_text_trim(&p, &len);
			if ((r->cols[i] = strndup(p, len)) == NULL)
				return UC_ERR_NOMEM;
			r->ncols = i + 1;
		}
		for (i = 0; i < nf; i++) {
			if (r->cols[i][0] == '\0')
				return fail(r, d, UC_ERR_INVALID,
				    r->rec_line, (long)i,
				    "empty column name in the header");
			for (j = 0; j < i; j++)
				if (uc_text_ascii_caseeq(r->cols[i],
				    strlen(r->cols[i]), r->cols[j],
				    strlen(r->cols[j])))
					return fail(r, d, UC_ERR_INVALID,
					    r->rec_line, (long)i,
					    "column named twice in the "
					    "header");
		}
	}
	for (i = 0; i < n; i++) {
		const char *p = names[i];
		size_t len = strlen(names[i]);

		uc_text_trim(&p, &len);
		for (j = 0; j < r->ncols; j++)
			if (uc_text_ascii_caseeq(p, len, r->cols[j],
			    strlen(r->cols[j])))
				index[i] = (int)j;
		if (index[i] < 0 && i < n_required) {
			/* Sticky: reading records without it makes no sense. */
			r->err = uc_diag_set(&r->err_diag, UC_ERR_INVALID,
			    r->name, r->rec_line, names[i],
			    "required column missing from the header");
			if (d != NULL)
				*d = r->err_diag;
			return r->err;
		}
	}
	return 0;
}

void
uc_csv_wipe_last(struct uc_csv *r)
{
	size_t from;

	if (r == NULL)
		return;
	if (r->rec_used > 0)
		OPENSSL_cleanse(r->rec, r->rec_used);
	r->rec_used = 0;
	if (r->in_buf == NULL)
		return;
	if (r->err != 0 && !r->soft) {
		/* The rest of a bad record is unread: wipe the window. */
		OPENSSL_cleanse(r->in_buf, IN_CHUNK);
		return;
	}
	from = r->refilled ? 0 : r->raw_start;
	if (r->in_pos > from)
		OPENSSL_cleanse(r->in_buf + from, r->in_pos - from);
}

int
uc_csv_skip_error(struct uc_csv *r)
{
	if (r == NULL)
		return UC_ERR_ARG;
	if (r->err == 0)
		return 0;
	if (!r->soft || r->ncols == 0)
		return r->err;
	r->err = 0;
	r->soft = 0;
	uc_diag_clear(&r->err_diag);
	return 0;
}

int
uc_csv_detect_delimiter(struct uc_csv *r)
{
	size_t i, commas = 0, semis = 0;
	int quoted = 0;

	if (r == NULL)
		return ',';
	if (r->started || r->nrecords != 0)
		return r->delim;
	if (skip_bom(r) != 0)
		return r->delim;
	/* The header line is in the first window (64 KiB) or not at all. */
	for (i = r->in_pos; i < r->in_len; i++) {
		unsigned char c = r->in[i];

		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '\n')
			break;
		else if (!quoted && c == ',')
			commas++;
		else if (!quoted && c == ';')
			semis++;
	}
	if (semis > commas)
		r->delim = ';';
	return r->delim;
}

size_t
uc_csv_columns(const struct uc_csv *r)
{
	return r != NULL ? r->ncols : 0;
}

const char *
uc_csv_column_name(const struct uc_csv *r, size_t i)
{
	if (r == NULL || i >= r->ncols)
		return "";
	return r->cols[i];
}

unsigned long
uc_csv_line(const struct uc_csv *r)
{
	return r != NULL ? r->rec_line : 0;
}

const char *
uc_csv_name(const struct uc_csv *r)
{
	return r != NULL ? r->name : "";
}

int
uc_csv_diag(const struct uc_csv *r, struct uc_diag *d, int err,
    size_t column, const char *fmt, ...)
{
	char msg[UC_DIAG_MSG_MAX];
	char tmp[32];
	va_list ap;

	if (d == NULL || r == NULL)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return uc_diag_set(d, err, r->name, r->rec_line,
	    col_name(r, column, tmp, sizeof(tmp)), "%s", msg);
}

/* --- writer --------------------------------------------------------- */

/*
 * The one CSV writer of the project.  Every cell goes through
 * append_field, which applies two rules once:
 *   - formula injection (OWASP "CSV Injection"): a cell whose first byte
 *     is '=', '+', '-', '@', TAB or CR would be run as a formula by a
 *     spreadsheet; it is written as a quoted cell with a "'" in front, so
 *     the spreadsheet shows the text as typed;
 *   - RFC 4180 quoting: a cell holding a comma, a quote, CR or LF (or
 *     starting or ending with a space) is quoted, quotes doubled.
 */
static int
is_formula_start(const char *p, size_t len)
{
	return len > 0 && (p[0] == '=' || p[0] == '+' || p[0] == '-' ||
	    p[0] == '@' || p[0] == '\t' || p[0] == '\r');
}

int
uc_csv_cell_neutralised(const char *p, size_t len)
{
	return p != NULL && is_formula_start(p, len);
}

static int
needs_quotes(const char *p, size_t len)
{
	size_t i;

	if (len > 0 && (p[0] == ' ' || p[len - 1] == ' '))
		return 1;
	for (i = 0; i < len; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
		    p[i] == '\n')
			return 1;
	return 0;
}

static int
append_field(struct uc_buf *out, const char *p, size_t len)
{
	size_t j, start;
	int r, formula;

	if (p == NULL)
		len = 0;
	formula = is_formula_start(p, len);
	if (!formula && !needs_quotes(p, len))
		return len > 0 ? uc_buf_append(out, p, len) : 0;
	if ((r = uc_buf_append_byte(out, '"')) != 0)
		return r;
	if (formula && (r = uc_buf_append_byte(out, '\'')) != 0)
		return r;
	for (start = 0, j = 0; j < len; j++) {
		if (p[j] != '"')
			continue;
		/* Emit up to and including the quote, then one more. */
		if ((r = uc_buf_append(out, p + start, j - start + 1)) != 0 ||
		    (r = uc_buf_append_byte(out, '"')) != 0)
			return r;
		start = j + 1;
	}
	if (len > start &&
	    (r = uc_buf_append(out, p + start, len - start)) != 0)
		return r;
	return uc_buf_append_byte(out, '"');
}

int
uc_csv_append_record(struct uc_buf *out, const struct uc_csv_field *fields,
    size_t n)
{
	size_t i;
	int r;

	if (out == NULL || (fields == NULL && n > 0))
		return UC_ERR_ARG;
	for (i = 0; i < n; i++) {
		if (i > 0 && (r = uc_buf_append_byte(out, ',')) != 0)
			return r;
		if ((r = append_field(out, fields[i].ptr, fields[i].len)) != 0)
			return r;
	}
	return uc_buf_append(out, "\r\n", 2);
}

/*
 * The end of a write: when r is 0, b's bytes go to fp (UC_ERR_IO if they
 * do not all go); b is freed either way.  Returns the result.
 */
static int
write_buf(FILE *fp, struct uc_buf *b, int r)
{
	if (r == 0 && b->len > 0 && fwrite(b->data, 1, b->len, fp) != b->len)
		r = errno == ENOSPC || errno == EDQUOT ? UC_ERR_NO_SPACE :
		    UC_ERR_IO;
	uc_buf_free(b);
	return r;
}

int
uc_csv_write_field(FILE *fp, const char *s, size_t len, int last)
{
	struct uc_buf b = UC_BUF_INIT;
	int r;

	if (fp == NULL)
		return UC_ERR_ARG;
	r = append_field(&b, s, s != NULL ? len : 0);
	if (r == 0)
		r = last ? uc_buf_append(&b, "\r\n", 2) :
		    uc_buf_append_byte(&b, ',');
	return write_buf(fp, &b, r);
}

int
uc_csv_write_record(FILE *fp, const struct uc_csv_field *fields, size_t n)
{
	struct uc_buf b = UC_BUF_INIT;

	if (fp == NULL)
		return UC_ERR_ARG;
	return write_buf(fp, &b, uc_csv_append_record(&b, fields, n));
}

int
uc_csv_write_row(FILE *fp, const char *const fields[], size_t n)
{
	struct uc_buf b = UC_BUF_INIT;
	const char *s;
	size_t i;
	int r = 0;

	if (fp == NULL || (fields == NULL && n > 0))
		return UC_ERR_ARG;
	/* One field at a time: no array sized by n on the stack. */
	for (i = 0; i < n && r == 0; i++) {
		s = fields[i] != NULL ? fields[i] : "";
		if (i > 0)
			r = uc_buf_append_byte(&b, ',');
		if (r == 0)
			r = append_field(&b, s, strlen(s));
	}
	if (r == 0)
		r = uc_buf_append(&b, "\r\n", 2);
	return write_buf(fp, &b, r);
}

int
uc_csv_write_strings(FILE *fp, const char *const fields[], size_t n)
{
	return uc_csv_write_row(fp, fields, n);
}

/* The same rule as every other writer here: one append_field. */
int
uc_csv_write_cell(struct uc_buf *out, const char *s, size_t len)
{
	if (out == NULL || (s == NULL && len > 0))
		return UC_ERR_ARG;
	return append_field(out, s, len);
}

int
uc_csv_write_cells(FILE *fp, const char *const fields[], size_t n)
{
	return uc_csv_write_row(fp, fields, n);
}
