/*
 * unioncard/csv.h - a strict, streaming RFC 4180 reader and a small writer.
 *
 * Member lists and bank files arrive as CSV from spreadsheets.  The reader
 * accepts what real files contain and nothing else:
 *   - UTF-8, with or without a byte-order mark (EF BB BF) at the start;
 *   - LF or CRLF line ends, and a last line without a line end;
 *   - quoted fields holding commas, doubled quotes ("") and line breaks;
 *   - blank lines at the end of the file (ignored), where a row of empty
 *     unquoted fields (",,,", as spreadsheets export) counts as blank.
 * The separator is ',' unless uc_csv_detect_delimiter() found ';' in the
 * header line.
 * Everything else is UC_ERR_INVALID with a struct uc_diag naming the file,
 * the PHYSICAL line where the offending record starts (1-based), and the
 * field by the header's column name (or "column N" before a header):
 *   - a quote inside an unquoted field, or text after a closing quote;
 *   - an unterminated quote (e.g. a truncated last line);
 *   - a record with a different number of fields than the header;
 *   - a field longer than limits.max_field or a record longer than
 *     limits.max_record bytes, or more than limits.max_fields fields;
 *   - a blank line (or a row of empty fields) followed by more records,
 *     or before the first record;
 *   - a bare CR not followed by LF outside quotes;
 *   - invalid UTF-8 (checked per field).
 *
 * Streaming: uc_csv_next() returns one record as an array of (ptr, len)
 * fields.  The fields BORROW the reader's buffer and stay valid only until
 * the next call to uc_csv_next() or uc_csv_free().  Field bytes are
 * unquoted ("" -> ") and NOT trimmed; each field is NUL-terminated in the
 * buffer (ptr[len] == '\0') for convenience, but may contain NUL itself
 * only if the file does (then the UTF-8 check lets it through; callers
 * that care use len).  Memory use is bounded by the limits, not the file.
 */
#ifndef UNIONCARD_CSV_H
#define UNIONCARD_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_CSV_FIELD_MAX_DEFAULT 1024u
#define UC_CSV_RECORD_MAX_DEFAULT 16384u
#define UC_CSV_FIELDS_MAX_DEFAULT 256u
/* Hard ceilings for caller-given limits (UC_ERR_ARG above them). */
#define UC_CSV_RECORD_MAX_CEILING (16u * 1024u * 1024u)
#define UC_CSV_FIELDS_MAX_CEILING 4096u

struct uc_csv_limits {
	size_t max_field;  /* bytes in one unquoted field */
	size_t max_record; /* bytes of one record as it is in the file */
	size_t max_fields; /* fields in one record */
};

struct uc_csv_field {
	const char *ptr; /* borrowed; NUL-terminated at ptr[len] */
	size_t len;
};

/* Opaque reader. */
struct uc_csv;

/*
 * Open a reader over a stdio stream (NOT closed by uc_csv_free) or over a
 * memory buffer (borrowed: it must outlive the reader).  name is used in
 * diagnostics (copied; NULL -> "-").  limits may be NULL for the defaults;
 * zero members of limits also mean the default.
 * Errors: UC_ERR_ARG, UC_ERR_NOMEM.
 */
UC_API int uc_csv_open_file(struct uc_csv **out, FILE *fp, const char *name,
    const struct uc_csv_limits *limits);
UC_API int uc_csv_open_mem(struct uc_csv **out, const void *data,
    size_t len, const char *name, const struct uc_csv_limits *limits);
/* Free the reader and set *r to NULL (safe on NULL and *r == NULL). */
UC_API void uc_csv_free(struct uc_csv **r);

/*
 * Read the next record.  On success returns 0 and sets *fields and *nfields;
 * at the end of input returns 0 with *fields == NULL and *nfields == 0.
 * (A real record always has at least one field.)  After an error the
 * reader stays in error: later calls return the same code (but see
 * uc_csv_skip_error).
 * Errors: UC_ERR_INVALID (with d), UC_ERR_IO (with d), UC_ERR_NOMEM.
 */
UC_API int uc_csv_next(struct uc_csv *r, const struct uc_csv_field **fields,
    size_t *nfields, struct uc_diag *d);

/*
 * Read the first record as the header row (if not read yet) and map
 * column names to indexes.  names is an array of n column names; the
 * first n_required are required, the rest optional.  Matching ignores
 * ASCII case and surrounding white space.  index[i] (array of n) gets the
 * column index of names[i], or -1 for an absent optional column.
 * A missing required column is UC_ERR_INVALID with d->field = its name;
 * an empty file is UC_ERR_INVALID ("no header row"); a header naming the
 * same column twice, or an empty column name, is UC_ERR_INVALID.
 * Columns not listed are allowed and ignored.  From then on every record
 * must have as many fields as the header.
 */
UC_API int uc_csv_header_require(struct uc_csv *r, const char *const names[],
    size_t n, size_t n_required, int *index, struct uc_diag *d);

/*
 * Go on after an error that was about one whole record - a record with
 * the wrong number of fields, or a field that is not UTF-8 - so that a
 * caller can report every bad line of a file in one run.  Returns 0 when
 * the reader may go on (the next uc_csv_next() reads the next record),
 * or the sticky error when it may not: a quoting error, a limit, a blank
 * line inside the data, or an error in the header leave the reader in
 * the middle of the input.  0 when there was no error.
 */
UC_API int uc_csv_skip_error(struct uc_csv *r);

/*
 * Choose the field separator from the header line, before the first
 * record is read: ';' when the first line has more semicolons than
 * commas outside quotes (spreadsheets set to a locale whose decimal
 * separator is the comma, Vietnamese Excel among them, save "CSV" with
 * ';'), else ','.  Returns the separator in use; after the first record
 * it changes nothing.  Without this call the separator is ','.
 */
UC_API int uc_csv_detect_delimiter(struct uc_csv *r);

/* Number of header columns (0 before the header is read). */
UC_API size_t uc_csv_columns(const struct uc_csv *r);
/*
 * Header name of column i, trimmed (borrowed, valid as long as the
 * reader); "" for an out-of-range index or before a header.
 */
UC_API const char *uc_csv_column_name(const struct uc_csv *r, size_t i);
/* Physical line (1-based) where the last record returned starts. */
UC_API unsigned long uc_csv_line(const struct uc_csv *r);
/* The name given at open (borrowed). */
UC_API const char *uc_csv_name(const struct uc_csv *r);

/*
 * Fill d for a problem the CALLER found in field `column` of the last
 * record: file = reader name, line = record's line, field = the header's
 * column name.  Returns err (for `return uc_csv_diag(...)`).
 */
UC_API int uc_csv_diag(const struct uc_csv *r, struct uc_diag *d, int err,
    size_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Wipe the last record's bytes from the reader's own memory: its unquoted
 * fields (all of the record buffer after an error) and, for stdio readers,
 * the raw bytes of the record in the reader's input window.  For readers
 * of secrets (the bank file's PANs).  NOT wiped: a memory input (the
 * caller's) and the stdio FILE's own buffer (open the stream unbuffered,
 * setvbuf(fp, NULL, _IONBF, 0), if that matters).  The reader also wipes
 * the tail of its window after a short read and everything at free.
 * After this call the last record's fields read as NUL bytes.
 */
UC_API void uc_csv_wipe_last(struct uc_csv *r);

/*
 * Writer: the ONE place the project turns cells into CSV (bank order,
 * audit export, reports, member export).  Two rules, applied once here:
 *   - formula injection (OWASP "CSV Injection"): a cell whose first byte
 *     is '=', '+', '-', '@', TAB or CR is written quoted with a single
 *     quote in front ("'=cmd|' /C calc'!A0"), so a spreadsheet shows it
 *     as text and never evaluates it.  Readers that want the original
 *     back drop one leading "'" of such a cell;
 *   - RFC 4180: a cell holding a comma, a quote, CR or LF, or starting or
 *     ending with a space, is quoted, quotes inside doubled.
 * Records end with CRLF.  No byte-order mark is written.  Writes to a
 * stream return UC_ERR_IO on a short write.
 *
 * uc_csv_write_field: one cell of len bytes (s NULL: empty), followed by
 * a comma, or by CRLF when last is nonzero.
 * uc_csv_write_row: a whole record of NUL-terminated cells (NULL: empty).
 * uc_csv_write_record / uc_csv_append_record: the same for (ptr, len)
 * fields, to a stream or appended to a uc_buf.
 * uc_csv_write_strings: the former name of uc_csv_write_row.
 */
UC_API int uc_csv_write_field(FILE *fp, const char *s, size_t len, int last);
UC_API int uc_csv_write_row(FILE *fp, const char *const fields[], size_t n);
UC_API int uc_csv_append_record(struct uc_buf *out,
    const struct uc_csv_field *fields, size_t n);
UC_API int uc_csv_write_record(FILE *fp, const struct uc_csv_field *fields,
    size_t n);
UC_API int uc_csv_write_strings(FILE *fp, const char *const fields[],
    size_t n);
/* 1 if the writer neutralises this cell as a possible formula. */
UC_API int uc_csv_cell_neutralised(const char *s, size_t len);

/*
 * The formula-safe cell: what every CSV a person may open in a
 * spreadsheet is written with.  A cell beginning with = + - @ TAB or CR
 * would be run as a formula (OWASP "CSV injection"), so it gets a ' in
 * front and is quoted: "'=1+2".  Otherwise as the writer above.
 * uc_csv_write_cell appends one cell of len bytes to out (no separator);
 * uc_csv_write_cells writes a whole record of NUL-terminated strings
 * (NULL: empty) to fp, ending in CRLF (UC_ERR_IO on a short write).
 */
UC_API int uc_csv_write_cell(struct uc_buf *out, const char *s, size_t len);
UC_API int uc_csv_write_cells(FILE *fp, const char *const fields[],
    size_t n);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_CSV_H */
