/*
 * member.c - the strict member-file parser (docs/member-file.md).
 *
 * The file comes from outside the station (a request export, an operator's
 * editor), so every field is checked against the card's limits here,
 * before any APDU is sent: a card must never be half-written because of a
 * bad name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "unioncard/member.h"
#include "unioncard/membercode.h"
#include "unioncard/text.h"
#include "perso/member_priv.h"

static const char *const known_fields[] = {
	"member_code", "full_name", "unit_code", "unit_name", "card_type",
	"issued_on", "expires_on", "card_serial",
};
#define N_FIELDS (sizeof(known_fields) / sizeof(known_fields[0]))

static int
bad(struct uc_diag *d, const char *file, const char *field, const char *msg,
    const char *arg)
{
	return uc_diag_set(d, UC_ERR_INVALID, file, 0, field, "%s%s%s", msg,
	    arg != NULL ? ": " : "", arg != NULL ? arg : "");
}

/* The string value of a required field, or NULL with diag filled. */
static const char *
get_string(json_t *root, const char *file, const char *field,
    struct uc_diag *d, int *r)
{
	json_t *v = json_object_get(root, field);

	if (v == NULL) {
		*r = bad(d, file, field, "missing field", NULL);
		return NULL;
	}
	if (!json_is_string(v)) {
		*r = bad(d, file, field, "must be a JSON string", NULL);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		*r = bad(d, file, field, "contains a NUL character", NULL);
		return NULL;
	}
	return json_string_value(v);
}

/* What a control character is called in an error message. */
static void
control_name(uint32_t c, char *out, size_t cap)
{
	switch (c) {
	case 0x00: snprintf(out, cap, "a NUL character"); break;
	case 0x09: snprintf(out, cap, "a tab"); break;
	case 0x0a: snprintf(out, cap, "a line break (LF)"); break;
	case 0x0d: snprintf(out, cap, "a carriage return (CR)"); break;
	case 0x1b: snprintf(out, cap, "an escape character (ESC)"); break;
	case 0x7f: snprintf(out, cap, "a DEL character"); break;
	default:
		snprintf(out, cap, "a control character (U+%04X)",
		    (unsigned)c);
		break;
	}
}

static const struct {
	const char *what;
	size_t min, max;
} text_kinds[] = {
	[UC_MEMBER_TEXT_FULL_NAME] = { "full name", 1, UC_MEMBER_NAME_MAX },
	[UC_MEMBER_TEXT_UNIT_NAME] = { "unit name", 1,
	    UC_MEMBER_UNIT_NAME_MAX },
	[UC_MEMBER_TEXT_POSITION] = { "position", 0, UC_MEMBER_POSITION_MAX },
	[UC_MEMBER_TEXT_REASON] = { "reason", 1, UC_MEMBER_REASON_MAX },
};

int
uc_member_text_check(enum uc_member_text_kind kind, const char *s,
    size_t n, unsigned flags, char *out, size_t cap, size_t *out_len,
    const char *file, const char *field, struct uc_diag *d)
{
	const uint8_t *u;
	char *tidy = NULL, *nfc = NULL, cname[48];
	size_t i, k, max;
	int r;

	if (out_len != NULL)
		*out_len = 0;
	if (out != NULL && cap > 0)
		out[0] = '\0';
	if ((unsigned)kind >= sizeof(text_kinds) / sizeof(text_kinds[0]) ||
	    (s == NULL && n > 0) || out == NULL || cap == 0)
		return UC_ERR_ARG;
	max = text_kinds[kind].max;
	if (s == NULL)
		s = "";
	/* Far longer than any limit: refuse before copying it. */
	if (n > 4 * max + 64)
		return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "too long: %zu bytes, at most %zu", n, max);
	if (uc_text_utf8_check(s, n, &i) != 0)
		return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "not valid UTF-8 (byte %zu)", i + 1);
	if (flags & UC_MEMBER_TEXT_TIDY) {
		/* Ends trimmed first: a cell's trailing tab is not part of
		 * the name.  Inside, a run of spaces becomes one. */
		uc_text_trim(&s, &n);
		if ((tidy = malloc(n + 1)) == NULL)
			return UC_ERR_NOMEM;
		for (i = 0, k = 0; i < n; i++)
			if (s[i] != ' ' || (k > 0 && tidy[k - 1] != ' '))
				tidy[k++] = s[i];
		tidy[k] = '\0';
		s = tidy;
		n = k;
	}
	u = (const uint8_t *)s;
	for (i = 0; i < n; i++) {
		/* C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8. */
		if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 &&
		    i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)) {
			control_name(u[i] == 0xc2 ? u[i + 1] : u[i], cname,
			    sizeof(cname));
			r = uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
			    "contains %s (byte %zu); control characters are"
			    " not allowed in a %s", cname, i + 1,
			    text_kinds[kind].what);
			goto out;
		}
	}
	if (n == 0) {
		if (text_kinds[kind].min == 0) {
			r = 0;
			goto out;
		}
		r = uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "must not be empty");
		goto out;
	}
	if (s[0] == ' ' || s[n - 1] == ' ') {
		r = uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "has leading or trailing spaces");
		goto out;
	}
	if ((r = uc_text_nfc_dup(s, n, &nfc)) != 0) {
		r = uc_diag_set(d, r, file, 0, field,
		    "cannot normalize to NFC");
		goto out;
	}
	k = strlen(nfc);
	if ((flags & UC_MEMBER_TEXT_CARD) && (k != n ||
	    memcmp(nfc, s, n) != 0)) {
		r = uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "not in Unicode NFC");
		goto out;
	}
	if (k > max) {
		r = uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "too long: %zu bytes of UTF-8 (NFC), at most %zu%s", k,
		    max, kind <= UC_MEMBER_TEXT_UNIT_NAME ?
		    " (what the card holds)" : "");
		goto out;
	}
	if (k >= cap) {
		r = UC_ERR_BUFFER;
		goto out;
	}
	memcpy(out, nfc, k + 1);
	if (out_len != NULL)
		*out_len = k;
	r = 0;
out:
	free(tidy);
	free(nfc);
	return r;
}

int
uc_member_unit_code_check(const char *s, size_t n, const char *file,
    const char *field, struct uc_diag *d)
{
	size_t i;

	if (s == NULL || n == 0)
		return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "unit code must not be empty");
	if (n > UC_MEMBER_UNIT_CODE_MAX)
		return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "unit code is %zu characters, at most %d", n,
		    UC_MEMBER_UNIT_CODE_MAX);
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(UC_MEMBER_UNIT_CODE_CHARS, s[i]) ==
		    NULL)
			return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
			    "unit code character %zu is not allowed: only"
			    " A-Z 0-9 . - _ (what the card holds)", i + 1);
	return 0;
}

int
member_put_ascii(const char *s, size_t n, char *out, size_t cap,
    const char *allowed, const char *file, const char *field,
    const char *what, struct uc_diag *d)
{
	size_t i;

	if (n == 0)
		return bad(d, file, field, "must not be empty", NULL);
	if (n >= cap)
		return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
		    "too long: %zu characters, at most %zu", n, cap - 1);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= '0' && ch <= '9') ||
		    (allowed != NULL && ch != '\0' && strchr(allowed, ch))))
			return uc_diag_set(d, UC_ERR_INVALID, file, 0, field,
			    "character %zu is not allowed: %s", i + 1, what);
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int
member_check_code(const char *code, const char *file, const char *field,
    struct uc_diag *d)
{
	struct uc_diag why;

	uc_diag_clear(&why);
	if (uc_membercode_validate(code, strlen(code), &why) != 0)
		return uc_diag_set(d, UC_ERR_INVALID, file, 0, field, "%s",
		    why.msg[0] != '\0' ? why.msg : "not a member code");
	return 0;
}

int
uc_member_date_valid(const char *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	int y, m, dd, i, leap;

	if (s == NULL || strlen(s) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	dd = (s[6] - '0') * 10 + (s[7] - '0');
	if (y < 1900 || m < 1 || m > 12 || dd < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dd <= mdays[m - 1] + (m == 2 && leap);
}

/* "YYYY-MM-DD" -> "YYYYMMDD" in out[9]. */
static int
put_date(const char *s, char out[9], const char *file, const char *field,
    struct uc_diag *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return bad(d, file, field, "must be a date written YYYY-MM-DD",
		    s);
	memcpy(out, s, 4);
	memcpy(out + 4, s + 5, 2);
	memcpy(out + 6, s + 8, 2);
	out[8] = '\0';
	if (!uc_member_date_valid(out))
		return bad(d, file, field, "not a calendar date (1900-9999)", s);
	return 0;
}

/*
 * The fields of a member file's object, each checked and copied into out.
 * 0, or UC_ERR_INVALID with the field named in diag.
 */
static int
read_fields(json_t *root, const char *file, struct uc_member *out,
    struct uc_diag *diag)
{
	const char *s;
	int r = UC_ERR_INVALID;

	if ((s = get_string(root, file, "member_code", diag, &r)) == NULL ||
	    (r = member_put_ascii(s, strlen(s), out->member_code,
	    sizeof(out->member_code), NULL, file, "member_code",
	    "only the digits 0-9", diag)) != 0 ||
	    (r = member_check_code(out->member_code, file, "member_code",
	    diag)) != 0)
		return r;
	if ((s = get_string(root, file, "full_name", diag, &r)) == NULL ||
	    (r = uc_member_text_check(UC_MEMBER_TEXT_FULL_NAME, s, strlen(s),
	    0, out->full_name, sizeof(out->full_name), NULL, file,
	    "full_name", diag)) != 0)
		return r;
	if ((s = get_string(root, file, "unit_code", diag, &r)) == NULL ||
	    (r = uc_member_unit_code_check(s, strlen(s), file, "unit_code",
	    diag)) != 0)
		return r;
	memcpy(out->unit_code, s, strlen(s) + 1);
	if ((s = get_string(root, file, "unit_name", diag, &r)) == NULL ||
	    (r = uc_member_text_check(UC_MEMBER_TEXT_UNIT_NAME, s, strlen(s),
	    0, out->unit_name, sizeof(out->unit_name), NULL, file,
	    "unit_name", diag)) != 0)
		return r;
	if ((s = get_string(root, file, "card_type", diag, &r)) == NULL)
		return r;
	if (strcmp(s, "regular") == 0)
		out->card_type = UC_CARD_TYPE_REGULAR;
	else if (strcmp(s, "linked") == 0)
		out->card_type = UC_CARD_TYPE_LINKED;
	else {
		r = bad(diag, file, "card_type",
		    "must be \"regular\" or \"linked\"", s);
		return r;
	}
	if ((s = get_string(root, file, "issued_on", diag, &r)) == NULL ||
	    (r = put_date(s, out->issued_on, file, "issued_on", diag)) != 0)
		return r;
	if ((s = get_string(root, file, "expires_on", diag, &r)) == NULL ||
	    (r = put_date(s, out->expires_on, file, "expires_on", diag)) != 0)
		return r;
	if (strcmp(out->expires_on, out->issued_on) < 0) {
		r = bad(diag, file, "expires_on", "is before issued_on", NULL);
		return r;
	}
	/* Optional: the ledger's card serial (its status-list index). */
	if (json_object_get(root, "card_serial") != NULL) {
		size_t k;

		if ((s = get_string(root, file, "card_serial", diag, &r)) ==
		    NULL)
			return r;
		if (strlen(s) != UC_MEMBER_CARD_SERIAL_LEN) {
			r = bad(diag, file, "card_serial",
			    "must be 11 digits (province prefix + 9)", s);
			return r;
		}
		for (k = 0; k < UC_MEMBER_CARD_SERIAL_LEN; k++)
			if (s[k] < '0' || s[k] > '9') {
				r = bad(diag, file, "card_serial",
				    "must be 11 digits (province prefix + 9)",
				    s);
				return r;
			}
		memcpy(out->card_serial, s, UC_MEMBER_CARD_SERIAL_LEN + 1);
	}
	return 0;
}

int
uc_member_parse(const char *json, size_t len, const char *name,
    struct uc_member *out, struct uc_diag *diag)
{
	json_t *root = NULL;
	json_error_t jerr;
	const char *file = name != NULL ? name : "member file";
	const char *key;
	json_t *v;
	size_t i;
	int r = UC_ERR_INVALID;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	uc_diag_clear(diag);
	if (json == NULL || out == NULL)
		return UC_ERR_ARG;
	if (len > UC_MEMBER_FILE_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, file, 0, NULL,
		    "larger than %u bytes", UC_MEMBER_FILE_MAX);
		goto out;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL) {
		/* jansson checks UTF-8 before we see any field, so a
		 * bad name is reported by position. */
		r = uc_diag_set(diag, UC_ERR_INVALID, file,
		    jerr.line > 0 ? (unsigned long)jerr.line : 0, NULL,
		    "%s (column %d): %s", strstr(jerr.text, "decode") !=
		    NULL || strstr(jerr.text, "UTF-8") != NULL ?
		    "not valid UTF-8 text" : "not valid JSON", jerr.column,
		    jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		r = bad(diag, file, NULL, "must be one JSON object {...}",
		    NULL);
		goto out;
	}
	json_object_foreach(root, key, v) {
		for (i = 0; i < N_FIELDS; i++)
			if (strcmp(key, known_fields[i]) == 0)
				break;
		if (i == N_FIELDS) {
			r = bad(diag, file, key, "unknown field", NULL);
			goto out;
		}
	}
	r = read_fields(root, file, out, diag);
out:
	json_decref(root);
	if (r != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return r;
}

int
uc_member_load(const char *path, struct uc_member *out, struct uc_diag *diag)
{
	char *data = NULL;
	FILE *f = NULL;
	size_t n;
	int r;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	uc_diag_clear(diag);
	if (path == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((data = malloc(UC_MEMBER_FILE_MAX + 1)) == NULL)
		return UC_ERR_NOMEM;
	if ((f = fopen(path, "rb")) == NULL) {
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "cannot open: %s",
		    strerror(errno));
		goto out;
	}
	n = fread(data, 1, UC_MEMBER_FILE_MAX + 1, f);
	if (ferror(f)) {
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "cannot read");
		goto out;
	}
	if (n > UC_MEMBER_FILE_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "larger than %u bytes", UC_MEMBER_FILE_MAX);
		goto out;
	}
	r = uc_member_parse(data, n, path, out, diag);
out:
	if (f != NULL)
		fclose(f);
	free(data);
	return r;
}
