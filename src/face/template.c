/*
 * template.c - the card face's layout: the built-in default and the
 * "key = value" files that override it (face.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unioncard/face.h"
#include "unioncard/text.h"

#include "face/face_priv.h"

const char *const uc_face_field_names[FF_COUNT] = {
	"issuer", "title", "logo", "photo", "full_name", "date_of_birth",
	"unit", "member_code", "qr", "card_serial", "card_type", "issued_on",
	"expires_on", "notice", "back_note",
};

/*
 * The default: a union card in the federation's red.  Front: the issuer
 * and the title on a red band, the photo, name, date of birth, unit and
 * member code.  Back: the signed QR code, the card's serial, type and
 * dates, the found-card notice and a red band saying what the code is for.
 */
static const char default_text[] =
"# unioncard card face template, version 1.\n"
"# Lengths in millimetres from the card's top-left corner (ID-1: 85.60 x\n"
"# 53.98), font sizes in points, colours #RRGGBB.  Every field has the keys\n"
"#   show (0/1) side (front/back) x y w h size min_size bold (0/1)\n"
"#   align (left/center/right) colour label\n"
"# and the fixed texts (issuer, title, notice, back_note) a text; logo a\n"
"# path (PNG, relative to this file).  A text that does not fit its box\n"
"# wraps, then shrinks down to min_size; past that the render fails.\n"
"font = DejaVu Sans\n"
"code_font = DejaVu Sans Mono\n"
"background = #FFFFFF\n"
"accent = #C8102E\n"
"label_colour = #6B6B6B\n"
"label_size = 5\n"
"# bleed: extra background around the card in the PDF (print bureaus);\n"
"# safe: every field stays this far inside the card's edge.\n"
"bleed = 0\n"
"safe = 2\n"
"band_front = 12\n"
"band_back = 6\n"
"background_image =\n"
"\n"
"issuer.side = front\n"
"issuer.x = 3\n"
"issuer.y = 2.2\n"
"issuer.w = 79.6\n"
"issuer.h = 3.6\n"
"issuer.size = 6.5\n"
"issuer.bold = 1\n"
"issuer.align = center\n"
"issuer.colour = #FFFFFF\n"
"issuer.text = TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\n"
"title.side = front\n"
"title.x = 3\n"
"title.y = 5.8\n"
"title.w = 79.6\n"
"title.h = 5.2\n"
"title.size = 10\n"
"title.min_size = 7\n"
"title.bold = 1\n"
"title.align = center\n"
"title.colour = #FFFFFF\n"
"title.text = THẺ ĐOÀN VIÊN CÔNG ĐOÀN VIỆT NAM\n"
"logo.show = 0\n"
"logo.side = front\n"
"logo.x = 3\n"
"logo.y = 2.2\n"
"logo.w = 8\n"
"logo.h = 8\n"
"photo.side = front\n"
"photo.x = 4\n"
"photo.y = 15\n"
"photo.w = 20\n"
"photo.h = 26.7\n"
"photo.label = Ảnh 3×4\n"
"full_name.side = front\n"
"full_name.x = 27\n"
"full_name.y = 15\n"
"full_name.w = 55\n"
"full_name.h = 10.5\n"
"full_name.size = 11\n"
"full_name.min_size = 6.5\n"
"full_name.bold = 1\n"
"full_name.label = Họ và tên\n"
"date_of_birth.side = front\n"
"date_of_birth.x = 27\n"
"date_of_birth.y = 26.3\n"
"date_of_birth.w = 55\n"
"date_of_birth.h = 6.2\n"
"date_of_birth.size = 8\n"
"date_of_birth.label = Ngày sinh\n"
"unit.side = front\n"
"unit.x = 27\n"
"unit.y = 33\n"
"unit.w = 55\n"
"unit.h = 9.3\n"
"unit.size = 7.5\n"
"unit.min_size = 5\n"
"unit.label = Đơn vị\n"
"member_code.side = front\n"
"member_code.x = 4\n"
"member_code.y = 43.5\n"
"member_code.w = 78\n"
"member_code.h = 8\n"
"member_code.size = 13\n"
"member_code.bold = 1\n"
"member_code.label = Mã số đoàn viên\n"
"# The QR code: w is the code's size without its quiet zone (at least 12).\n"
"qr.side = back\n"
"qr.x = 5\n"
"qr.y = 6\n"
"qr.w = 19\n"
"qr.h = 19\n"
"card_serial.side = back\n"
"card_serial.x = 30\n"
"card_serial.y = 5\n"
"card_serial.w = 52\n"
"card_serial.h = 6.2\n"
"card_serial.size = 8\n"
"card_serial.label = Số thẻ\n"
"card_type.side = back\n"
"card_type.x = 30\n"
"card_type.y = 12\n"
"card_type.w = 52\n"
"card_type.h = 6.2\n"
"card_type.size = 8\n"
"card_type.label = Loại thẻ\n"
"issued_on.side = back\n"
"issued_on.x = 30\n"
"issued_on.y = 19\n"
"issued_on.w = 24\n"
"issued_on.h = 6.2\n"
"issued_on.size = 8\n"
"issued_on.label = Ngày cấp\n"
"expires_on.side = back\n"
"expires_on.x = 56\n"
"expires_on.y = 19\n"
"expires_on.w = 26\n"
"expires_on.h = 6.2\n"
"expires_on.size = 8\n"
"expires_on.label = Có giá trị đến\n"
"notice.side = back\n"
"notice.x = 5\n"
"notice.y = 31\n"
"notice.w = 77\n"
"notice.h = 8\n"
"notice.size = 6\n"
"notice.min_size = 4.5\n"
"notice.text = Thẻ là tài sản của tổ chức Công đoàn. Người nhặt được thẻ xin gửi lại công đoàn nơi cấp hoặc cơ quan gần nhất.\n"
"back_note.side = back\n"
"back_note.x = 3\n"
"back_note.y = 48.5\n"
"back_note.w = 79.6\n"
"back_note.h = 3.8\n"
"back_note.size = 6\n"
"back_note.bold = 1\n"
"back_note.align = center\n"
"back_note.colour = #FFFFFF\n"
"back_note.text = Quét mã QR để kiểm tra thẻ\n";

const char *
uc_face_template_default_text(void)
{
	return default_text;
}

static int
bad(struct uc_diag *d, const char *file, unsigned long line,
    const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
bad(struct uc_diag *d, const char *file, unsigned long line,
    const char *key, const char *fmt, ...)
{
	char msg[UC_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return uc_diag_set(d, UC_ERR_INVALID, file, line, key, "%s", msg);
}

static int
parse_num(const char *v, double lo, double hi, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !(x >= lo && x <= hi))
		return -1;
	*out = x;
	return 0;
}

static int
parse_colour(const char *v, uint32_t *out)
{
	unsigned long x;
	char *end;
	size_t i;

	if (strlen(v) != 7 || v[0] != '#')
		return -1;
	for (i = 1; i < 7; i++)
		if (!((v[i] >= '0' && v[i] <= '9') ||
		    (v[i] >= 'a' && v[i] <= 'f') ||
		    (v[i] >= 'A' && v[i] <= 'F')))
			return -1;
	x = strtoul(v + 1, &end, 16);
	*out = (uint32_t)x;
	return 0;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0) {
		*out = v[0] == '1';
		return 0;
	}
	return -1;
}

static int
copy_text(const char *v, char *out, size_t cap)
{
	size_t n = strlen(v);

	if (n >= cap || uc_text_utf8_check(v, n, NULL) != 0)
		return -1;
	memcpy(out, v, n + 1);
	return 0;
}

/* A path relative to the template file's folder. */
static int
copy_path(const char *v, const char *file, char *out, size_t cap)
{
	const char *slash = file != NULL ? strrchr(file, '/') : NULL;
	int n;

	if (v[0] == '\0' || v[0] == '/' || slash == NULL)
		n = snprintf(out, cap, "%s", v);
	else
		n = snprintf(out, cap, "%.*s/%s", (int)(slash - file), file, v);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int
set_key(struct uc_face_template *t, const char *file, unsigned long line,
    const char *key, const char *v, struct uc_diag *d)
{
	const char *dot = strchr(key, '.');
	struct face_box *b = NULL;
	const char *prop;
	size_t i;

	if (dot == NULL) {
		if (strcmp(key, "font") == 0 || strcmp(key, "code_font") == 0) {
			char *dst = key[0] == 'f' ? t->font : t->code_font;

			if (v[0] == '\0' || copy_text(v, dst, FACE_FONT_MAX))
				return bad(d, file, line, key, "want a font "
				    "family name, got '%s'", v);
			return 0;
		}
		if (strcmp(key, "background") == 0 ||
		    strcmp(key, "accent") == 0 ||
		    strcmp(key, "label_colour") == 0) {
			uint32_t *dst = key[0] == 'b' ? &t->background :
			    key[0] == 'a' ? &t->accent : &t->label_colour;

			if (parse_colour(v, dst) != 0)
				return bad(d, file, line, key, "want a colour "
				    "#RRGGBB, got '%s'", v);
			return 0;
		}
		if (strcmp(key, "bleed") == 0 || strcmp(key, "safe") == 0 ||
		    strcmp(key, "band_front") == 0 ||
		    strcmp(key, "band_back") == 0) {
			double *dst = strcmp(key, "bleed") == 0 ? &t->bleed :
			    strcmp(key, "safe") == 0 ? &t->safe :
			    strcmp(key, "band_front") == 0 ? &t->band_front :
			    &t->band_back;

			if (parse_num(v, 0, 20, dst) != 0)
				return bad(d, file, line, key, "want 0-20 (mm), "
				    "got '%s'", v);
			return 0;
		}
		if (strcmp(key, "label_size") == 0) {
			if (parse_num(v, 3, 20, &t->label_size) != 0)
				return bad(d, file, line, key, "want 3-20 "
				    "(points), got '%s'", v);
			return 0;
		}
		if (strcmp(key, "background_image") == 0) {
			if (copy_path(v, file, t->background_image,
			    FACE_PATH_MAX) != 0)
				return bad(d, file, line, key, "path too long");
			return 0;
		}
		return bad(d, file, line, key, "unknown key");
	}
	for (i = 0; i < FF_COUNT; i++)
		if (strlen(uc_face_field_names[i]) == (size_t)(dot - key) &&
		    strncmp(key, uc_face_field_names[i],
		    (size_t)(dot - key)) == 0)
			b = &t->f[i];
	if (b == NULL)
		return bad(d, file, line, key, "unknown field");
	prop = dot + 1;
	if (strcmp(prop, "show") == 0 || strcmp(prop, "bold") == 0) {
		if (parse_bool(v, prop[0] == 's' ? &b->show : &b->bold) != 0)
			return bad(d, file, line, key, "want 0 or 1, got '%s'",
			    v);
	} else if (strcmp(prop, "side") == 0) {
		if (strcmp(v, "front") == 0)
			b->side = UC_FACE_FRONT;
		else if (strcmp(v, "back") == 0)
			b->side = UC_FACE_BACK;
		else
			return bad(d, file, line, key, "want front or back, "
			    "got '%s'", v);
	} else if (strcmp(prop, "x") == 0 || strcmp(prop, "w") == 0) {
		if (parse_num(v, 0, UC_FACE_WIDTH_MM, prop[0] == 'x' ? &b->x :
		    &b->w) != 0)
			return bad(d, file, line, key, "want 0-85.6 (mm), got "
			    "'%s'", v);
	} else if (strcmp(prop, "y") == 0 || strcmp(prop, "h") == 0) {
		if (parse_num(v, 0, UC_FACE_HEIGHT_MM, prop[0] == 'y' ? &b->y :
		    &b->h) != 0)
			return bad(d, file, line, key, "want 0-53.98 (mm), got "
			    "'%s'", v);
	} else if (strcmp(prop, "size") == 0 ||
	    strcmp(prop, "min_size") == 0) {
		if (parse_num(v, 3, 72, prop[0] == 's' ? &b->size :
		    &b->min_size) != 0)
			return bad(d, file, line, key, "want 3-72 (points), "
			    "got '%s'", v);
	} else if (strcmp(prop, "align") == 0) {
		if (strcmp(v, "left") == 0)
			b->align = FA_LEFT;
		else if (strcmp(v, "center") == 0)
			b->align = FA_CENTER;
		else if (strcmp(v, "right") == 0)
			b->align = FA_RIGHT;
		else
			return bad(d, file, line, key, "want left, center or "
			    "right, got '%s'", v);
	} else if (strcmp(prop, "colour") == 0) {
		if (parse_colour(v, &b->colour) != 0)
			return bad(d, file, line, key, "want a colour #RRGGBB, "
			    "got '%s'", v);
	} else if (strcmp(prop, "label") == 0) {
		if (copy_text(v, b->label, sizeof(b->label)) != 0)
			return bad(d, file, line, key, "want UTF-8 text of at "
			    "most 255 bytes");
	} else if (strcmp(prop, "text") == 0) {
		if (copy_text(v, b->text, sizeof(b->text)) != 0)
			return bad(d, file, line, key, "want UTF-8 text of at "
			    "most 255 bytes");
	} else if (strcmp(prop, "path") == 0) {
		if (copy_path(v, file, b->path, sizeof(b->path)) != 0)
			return bad(d, file, line, key, "path too long");
	} else
		return bad(d, file, line, key, "unknown property");
	return 0;
}

static void
trim(char **s)
{
	char *e;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
}

/* Apply TEXT (a template file's contents) to T. */
static int
apply(struct uc_face_template *t, char *text, const char *file,
    struct uc_diag *d)
{
	unsigned long line = 0;
	char *p = text, *nl, *eq, *key, *val;
	size_t i;
	int r;

	while (*p != '\0') {
		line++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		key = p;
		trim(&key);
		p = nl != NULL ? nl + 1 : p + strlen(p);
		if (key[0] == '\0' || key[0] == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL)
			return bad(d, file, line, NULL, "want key = value");
		*eq = '\0';
		val = eq + 1;
		trim(&key);
		trim(&val);
		if ((r = set_key(t, file, line, key, val, d)) != 0)
			return r;
	}
	/* the whole: boxes inside the safe zone, sizes that make sense */
	for (i = 0; i < FF_COUNT; i++) {
		const struct face_box *b = &t->f[i];

		if (!b->show || i == FF_ISSUER || i == FF_TITLE ||
		    i == FF_BACK_NOTE || i == FF_LOGO)
			continue; /* on the bands: the bands' own rules */
		if (b->x < t->safe || b->y < t->safe ||
		    b->x + b->w > UC_FACE_WIDTH_MM - t->safe + 1e-9 ||
		    b->y + b->h > UC_FACE_HEIGHT_MM - t->safe + 1e-9)
			return uc_diag_set(d, UC_ERR_INVALID, file, 0,
			    uc_face_field_names[i], "the box leaves the safe "
			    "zone (%.1f mm inside the card's edge)", t->safe);
		if (b->w <= 0 || b->h <= 0)
			return bad(d, file, 0, uc_face_field_names[i],
			    "the box has no size");
	}
	if (t->f[FF_QR].show && t->f[FF_QR].w < UC_FACE_QR_MIN_MM)
		return bad(d, file, 0, "qr.w", "the QR code must be at least "
		    "12 mm");
	return 0;
}

static struct uc_face_template *
blank(void)
{
	struct uc_face_template *t = calloc(1, sizeof(*t));
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < FF_COUNT; i++) {
		t->f[i].show = 1;
		t->f[i].size = 8;
		t->f[i].min_size = 0;
		t->f[i].colour = 0x1A1A1A;
	}
	return t;
}

/* min_size 0 in the default means "same as size". */
static void
settle(struct uc_face_template *t)
{
	size_t i;

	for (i = 0; i < FF_COUNT; i++)
		if (t->f[i].min_size == 0 || t->f[i].min_size > t->f[i].size)
			t->f[i].min_size = t->f[i].size;
}

int
uc_face_template_default(struct uc_face_template **out)
{
	struct uc_face_template *t;
	char *text;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((t = blank()) == NULL || (text = strdup(default_text)) == NULL) {
		free(t);
		return UC_ERR_NOMEM;
	}
	r = apply(t, text, NULL, NULL);
	free(text);
	if (r != 0) {
		free(t);
		return UC_ERR_INTERNAL;
	}
	settle(t);
	*out = t;
	return 0;
}

int
uc_face_template_parse(const char *text, size_t len, const char *name,
    struct uc_face_template **out, struct uc_diag *diag)
{
	struct uc_face_template *t = NULL;
	char *copy = NULL;
	int r;

	uc_diag_clear(diag);
	if ((text == NULL && len != 0) || out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (len > UC_FACE_TEMPLATE_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, name, 0, NULL,
		    "larger than %u bytes", UC_FACE_TEMPLATE_MAX);
	if ((len > 0 && memchr(text, '\0', len) != NULL) ||
	    uc_text_utf8_check(text, len, NULL) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, name, 0, NULL,
		    "not UTF-8 text");
	if ((copy = malloc(len + 1)) == NULL)
		return UC_ERR_NOMEM;
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	if ((r = uc_face_template_default(&t)) != 0)
		goto out;
	/* the default's min_size was settled; a file may lower it again */
	if ((r = apply(t, copy, name, diag)) != 0)
		goto out;
	settle(t);
	*out = t;
	t = NULL;
	r = 0;
out:
	free(t);
	free(copy);
	return r;
}

int
uc_face_template_load(const char *path, struct uc_face_template **out,
    struct uc_diag *diag)
{
	char *text = NULL;
	struct stat st;
	FILE *f = NULL;
	size_t n;
	int r;

	uc_diag_clear(diag);
	if (path == NULL || out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	if (fstat(fileno(f), &st) != 0 || st.st_size > UC_FACE_TEMPLATE_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "larger than %u bytes", UC_FACE_TEMPLATE_MAX);
		goto out;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	n = fread(text, 1, (size_t)st.st_size, f);
	r = uc_face_template_parse(text, n, path, out, diag);
out:
	free(text);
	if (f != NULL)
		fclose(f);
	return r;
}

void
uc_face_template_free(struct uc_face_template **t)
{
	if (t == NULL || *t == NULL)
		return;
	free(*t);
	*t = NULL;
}
