/*
 * render.c - drawing a card face with cairo and pango (face.h).
 *
 * One drawing routine serves every output: it draws in millimetres on a
 * cairo context that the PDF or PNG surface has scaled, so the PDF, the
 * 300 dpi and the 600 dpi pictures are one layout.  Font hinting is off
 * for the same reason: with hinted metrics a line could wrap at 300 dpi
 * and not in the PDF.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "unioncard/face.h"

#include "face/face_priv.h"

void
uc_face_group_code(const char *code, char *out, size_t cap)
{
	size_t i, n = code != NULL ? strlen(code) : 0;
	int digits = n == 11;

	for (i = 0; digits && i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			digits = 0;
	if (digits)
		snprintf(out, cap, "%.2s %.8s %.1s", code, code + 2, code + 10);
	else
		snprintf(out, cap, "%s", code != NULL ? code : "");
}

#if UC_HAVE_FACE

#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#define PT_MM (25.4 / 72.0)
#define SHRINK_STEP 0.25
#define LABEL_GAP_MM 0.3

struct draw {
	cairo_t *cr;
	const struct uc_face_template *t;
	const struct uc_face_card *card;
	unsigned dpi;                 /* 0: vector output */
	struct uc_face_stats *st;
	struct uc_diag *diag;
};

static void
rgb(cairo_t *cr, uint32_t c)
{
	cairo_set_source_rgb(cr, ((c >> 16) & 0xFF) / 255.0,
	    ((c >> 8) & 0xFF) / 255.0, (c & 0xFF) / 255.0);
}

static PangoLayout *
layout_new(cairo_t *cr, const char *family, int bold, double pt,
    double w_mm, enum face_align align)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd;
	cairo_font_options_t *fo;

	if (l == NULL)
		return NULL;
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pango_layout_get_context(l), fo);
	cairo_font_options_destroy(fo);
	/* positions in whole user units would be whole millimetres here */
	pango_context_set_round_glyph_positions(pango_layout_get_context(l),
	    FALSE);
	pango_layout_context_changed(l);
	fd = pango_font_description_new();
	pango_font_description_set_family(fd, family);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD :
	    PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(fd, pt * PT_MM * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (w_mm > 0) {
		pango_layout_set_width(l, (int)(w_mm * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_alignment(l, align == FA_CENTER ? PANGO_ALIGN_CENTER :
	    align == FA_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	return l;
}

/* Height and widest line of L, mm. */
static void
layout_size(PangoLayout *l, double *w, double *h)
{
	PangoRectangle ink, logical;

	pango_layout_get_extents(l, &ink, &logical);
	*w = (double)logical.width / PANGO_SCALE;
	*h = (double)logical.height / PANGO_SCALE;
}

/*
 * Set TEXT in box F: its label (if any) in small type on top, then the
 * text, wrapped to the box's width, shrunk step by step until it fits
 * the rest of the box.  UC_ERR_RANGE when it does not fit even at
 * min_size: the card is not printed rather than printed clipped.
 */
static int
draw_text(struct draw *x, enum face_field f, const char *text,
    const char *family)
{
	const struct face_box *b = &x->t->f[f];
	PangoLayout *l;
	double y = b->y, h = b->h, pt, lw, lh;
	unsigned lines;

	if (b->label[0] != '\0') {
		if ((l = layout_new(x->cr, x->t->font, 0, x->t->label_size,
		    b->w, b->align)) == NULL)
			return UC_ERR_NOMEM;
		pango_layout_set_text(l, b->label, -1);
		layout_size(l, &lw, &lh);
		x->st->unknown_glyphs += (unsigned)
		    pango_layout_get_unknown_glyphs_count(l);
		rgb(x->cr, x->t->label_colour);
		cairo_move_to(x->cr, b->x, y);
		pango_cairo_show_layout(x->cr, l);
		g_object_unref(l);
		y += lh + LABEL_GAP_MM;
		h -= lh + LABEL_GAP_MM;
	}
	for (pt = b->size;; pt -= SHRINK_STEP) {
		if (pt < b->min_size - 1e-9)
			return uc_diag_set(x->diag, UC_ERR_RANGE, NULL, 0,
			    uc_face_field_names[f], "\"%s\" does not fit its "
			    "%.1f x %.1f mm box even at %.1f pt", text, b->w,
			    b->h, b->min_size);
		if ((l = layout_new(x->cr, family, b->bold, pt, b->w,
		    b->align)) == NULL)
			return UC_ERR_NOMEM;
		pango_layout_set_text(l, text, -1);
		layout_size(l, &lw, &lh);
		if (lh <= h + 1e-6 && lw <= b->w + 1e-6)
			break;
		g_object_unref(l);
	}
	lines = (unsigned)pango_layout_get_line_count(l);
	x->st->unknown_glyphs += (unsigned)
	    pango_layout_get_unknown_glyphs_count(l);
	if (f == FF_FULL_NAME) {
		x->st->name_pt = pt;
		x->st->name_lines = lines;
	}
	rgb(x->cr, b->colour);
	cairo_move_to(x->cr, b->x, y);
	pango_cairo_show_layout(x->cr, l);
	g_object_unref(l);
	return 0;
}

struct mem_reader {
	const uint8_t *p;
	size_t left;
};

static cairo_status_t
read_fn(void *closure, unsigned char *data, unsigned int len)
{
	struct mem_reader *m = closure;

	if (len > m->left)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, m->p, len);
	m->p += len;
	m->left -= len;
	return CAIRO_STATUS_SUCCESS;
}

/*
 * Paint the PNG at PATH (or, with PATH NULL, the PNG DATA[LEN]) to cover
 * the box (cropped, never stretched).
 */
static int
draw_png(struct draw *x, const char *path, double bx, double by, double bw,
    double bh, const char *field)
{
	struct mem_reader m = { x->card->photo_data, x->card->photo_len };
	cairo_surface_t *img = path != NULL ?
	    cairo_image_surface_create_from_png(path) :
	    cairo_image_surface_create_from_png_stream(read_fn, &m);
	double iw, ih, s;
	int r = 0;

	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		r = uc_diag_set(x->diag, UC_ERR_INVALID, path != NULL ? path :
		    "(the ledger's photo)", 0, field,
		    "cannot read the PNG picture (%s)",
		    cairo_status_to_string(cairo_surface_status(img)));
		cairo_surface_destroy(img);
		return r;
	}
	iw = cairo_image_surface_get_width(img);
	ih = cairo_image_surface_get_height(img);
	s = fmax(bw / iw, bh / ih);
	cairo_save(x->cr);
	cairo_rectangle(x->cr, bx, by, bw, bh);
	cairo_clip(x->cr);
	cairo_translate(x->cr, bx + (bw - iw * s) / 2, by + (bh - ih * s) / 2);
	cairo_scale(x->cr, s, s);
	cairo_set_source_surface(x->cr, img, 0, 0);
	cairo_paint(x->cr);
	cairo_restore(x->cr);
	cairo_surface_destroy(img);
	return r;
}

static int
draw_photo(struct draw *x)
{
	const struct face_box *b = &x->t->f[FF_PHOTO];
	PangoLayout *l;
	double lw, lh;

	if (x->card->photo_png != NULL && x->card->photo_png[0] != '\0')
		return draw_png(x, x->card->photo_png, b->x, b->y, b->w, b->h,
		    "photo");
	if (x->card->photo_data != NULL && x->card->photo_len > 0)
		return draw_png(x, NULL, b->x, b->y, b->w, b->h, "photo");
	/* no photo: a frame where one is glued or printed later */
	cairo_set_source_rgb(x->cr, 0.93, 0.93, 0.93);
	cairo_rectangle(x->cr, b->x, b->y, b->w, b->h);
	cairo_fill_preserve(x->cr);
	rgb(x->cr, x->t->label_colour);
	cairo_set_line_width(x->cr, 0.2);
	cairo_stroke(x->cr);
	if (b->label[0] == '\0')
		return 0;
	if ((l = layout_new(x->cr, x->t->font, 0, x->t->label_size * 1.4,
	    b->w, FA_CENTER)) == NULL)
		return UC_ERR_NOMEM;
	pango_layout_set_text(l, b->label, -1);
	layout_size(l, &lw, &lh);
	x->st->unknown_glyphs += (unsigned)
	    pango_layout_get_unknown_glyphs_count(l);
	cairo_move_to(x->cr, b->x, b->y + (b->h - lh) / 2);
	pango_cairo_show_layout(x->cr, l);
	g_object_unref(l);
	return 0;
}

/*
 * The QR code: the modules as one filled path (no seams between
 * neighbours), on white with a quiet zone of four modules.  In a picture
 * each module is a whole number of pixels when that keeps the code at
 * least 12 mm, so a scan sees sharp edges.
 */
static int
draw_qr(struct draw *x)
{
	const struct face_box *b = &x->t->f[FF_QR];
	QRcode *q;
	double m, ox = b->x, oy = b->y;
	int i, j, r = 0;

	if (x->card->qr_text == NULL || x->card->qr_text[0] == '\0')
		return uc_diag_set(x->diag, UC_ERR_ARG, NULL, 0, "qr",
		    "no signed QR text for this card");
	q = QRcode_encodeString(x->card->qr_text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1);
	if (q == NULL)
		return uc_diag_set(x->diag, UC_ERR_RANGE, NULL, 0, "qr",
		    "the text does not fit a QR code (%s)", strerror(errno));
	m = b->w / q->width;
	if (x->dpi != 0) {
		double px = floor(m * x->dpi / 25.4);

		/* snap only when that costs the code under a tenth */
		if (px >= 1 && px * q->width * 25.4 / x->dpi >=
		    fmax(UC_FACE_QR_MIN_MM, 0.9 * b->w)) {
			m = px * 25.4 / x->dpi;
			ox = floor(ox * x->dpi / 25.4) * 25.4 / x->dpi;
			oy = floor(oy * x->dpi / 25.4) * 25.4 / x->dpi;
		}
	}
	cairo_set_source_rgb(x->cr, 1, 1, 1);
	cairo_rectangle(x->cr, ox - 4 * m, oy - 4 * m, (q->width + 8) * m,
	    (q->width + 8) * m);
	cairo_fill(x->cr);
	cairo_new_path(x->cr);
	for (j = 0; j < q->width; j++)
		for (i = 0; i < q->width; i++)
			if (q->data[j * q->width + i] & 1)
				cairo_rectangle(x->cr, ox + i * m, oy + j * m,
				    m, m);
	cairo_set_source_rgb(x->cr, 0, 0, 0);
	cairo_fill(x->cr);
	x->st->qr_modules = (unsigned)q->width;
	x->st->qr_mm = m * q->width;
	QRcode_free(q);
	return r;
}

/* "YYYYMMDD" as the card prints it: "25/11/2026". */
static void
vn_date(const char *d, char out[11])
{
	if (strlen(d) != 8)
		snprintf(out, 11, "%s", d);
	else
		snprintf(out, 11, "%.2s/%.2s/%.4s", d + 6, d + 4, d);
}

static int
draw_side(struct draw *x, enum uc_face_side side)
{
	const struct uc_face_template *t = x->t;
	const struct uc_member *m = &x->card->member;
	double bl = t->bleed, W = UC_FACE_WIDTH_MM, H = UC_FACE_HEIGHT_MM;
	char buf[FACE_TEXT_MAX * 2], date[11];
	const char *unit;
	int i, r;

	/* the whole page or picture, bleed and the last partial pixel too */
	rgb(x->cr, t->background);
	cairo_paint(x->cr);
	if (t->background_image[0] != '\0' &&
	    (r = draw_png(x, t->background_image, -bl, -bl, W + 2 * bl,
	    H + 2 * bl, "background_image")) != 0)
		return r;
	rgb(x->cr, t->accent);
	if (side == UC_FACE_FRONT && t->band_front > 0)
		cairo_rectangle(x->cr, -bl, -bl, W + 2 * bl,
		    t->band_front + bl);
	else if (side == UC_FACE_BACK && t->band_back > 0)
		cairo_rectangle(x->cr, -bl, H - t->band_back, W + 2 * bl,
		    t->band_back + bl);
	cairo_fill(x->cr);
	for (i = 0; i < FF_COUNT; i++) {
		const struct face_box *b = &t->f[i];

		if (!b->show || b->side != side)
			continue;
		r = 0;
		switch ((enum face_field)i) {
		case FF_ISSUER:
		case FF_TITLE:
		case FF_NOTICE:
		case FF_BACK_NOTE:
			if (b->text[0] != '\0')
				r = draw_text(x, (enum face_field)i, b->text,
				    t->font);
			break;
		case FF_LOGO:
			if (b->path[0] != '\0')
				r = draw_png(x, b->path, b->x, b->y, b->w, b->h,
				    "logo.path");
			break;
		case FF_PHOTO:
			r = draw_photo(x);
			break;
		case FF_FULL_NAME:
			r = draw_text(x, FF_FULL_NAME, m->full_name, t->font);
			break;
		case FF_DATE_OF_BIRTH:
			if (x->card->date_of_birth[0] == '\0')
				break;
			vn_date(x->card->date_of_birth, date);
			r = draw_text(x, FF_DATE_OF_BIRTH, date, t->font);
			break;
		case FF_UNIT:
			unit = m->unit_name[0] != '\0' ? m->unit_name :
			    m->unit_code;
			r = draw_text(x, FF_UNIT, unit, t->font);
			break;
		case FF_MEMBER_CODE:
			uc_face_group_code(m->member_code, buf, sizeof(buf));
			r = draw_text(x, FF_MEMBER_CODE, buf, t->code_font);
			break;
		case FF_QR:
			r = draw_qr(x);
			break;
		case FF_CARD_SERIAL:
			if (m->card_serial[0] != '\0')
				r = draw_text(x, FF_CARD_SERIAL, m->card_serial,
				    t->code_font);
			break;
		case FF_CARD_TYPE:
			r = draw_text(x, FF_CARD_TYPE, m->card_type ==
			    UC_CARD_TYPE_LINKED ? "Thẻ liên kết" :
			    "Thẻ thông thường", t->font);
			break;
		case FF_ISSUED_ON:
			vn_date(m->issued_on, date);
			r = draw_text(x, FF_ISSUED_ON, date, t->font);
			break;
		case FF_EXPIRES_ON:
			vn_date(m->expires_on, date);
			r = draw_text(x, FF_EXPIRES_ON, date, t->font);
			break;
		case FF_COUNT:
			break;
		}
		if (r != 0)
			return r;
	}
	if (cairo_status(x->cr) != CAIRO_STATUS_SUCCESS)
		return uc_diag_set(x->diag, UC_ERR_INTERNAL, NULL, 0, NULL,
		    "cairo: %s", cairo_status_to_string(cairo_status(x->cr)));
	if (x->st->unknown_glyphs != 0)
		return uc_diag_set(x->diag, UC_ERR_UNSUPPORTED, NULL, 0,
		    "font", "%u character(s) have no glyph in \"%s\": install "
		    "a font that has them", x->st->unknown_glyphs, t->font);
	return 0;
}

/* --- output files: 0600, written beside and renamed into place ------ */

struct out {
	char tmp[4096];
	FILE *f;
};

static int
out_open(struct out *o, const char *path, struct uc_diag *diag)
{
	int fd;

	o->f = NULL;
	if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.tmpXXXXXX", path) >=
	    sizeof(o->tmp))
		return uc_diag_set(diag, UC_ERR_RANGE, path, 0, NULL,
		    "path too long");
	if ((fd = mkstemp(o->tmp)) < 0)
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
	(void)fchmod(fd, 0600);
	if ((o->f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		unlink(o->tmp);
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
	}
	return 0;
}

/* Finish: r == 0 renames into place, else the temp file goes. */
static int
out_close(struct out *o, const char *path, int r, struct uc_diag *diag)
{
	int bad = ferror(o->f) != 0;

	bad |= fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
	bad |= fclose(o->f) != 0;
	if (r == 0 && bad)
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "write failed");
	if (r == 0 && rename(o->tmp, path) != 0)
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
	if (r != 0)
		unlink(o->tmp);
	return r;
}

static cairo_status_t
write_fn(void *closure, const unsigned char *data, unsigned int len)
{
	return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS :
	    CAIRO_STATUS_WRITE_ERROR;
}

static int
check_args(const struct uc_face_template *t, const struct uc_face_card *c,
    const char *path)
{
	return t == NULL || c == NULL || path == NULL ? UC_ERR_ARG : 0;
}

int
uc_face_render_pdf(const struct uc_face_template *t,
    const struct uc_face_card *card, const char *path,
    struct uc_face_stats *stats, struct uc_diag *diag)
{
	struct uc_face_stats st;
	cairo_surface_t *s = NULL;
	struct draw x;
	struct out o;
	double k = 72.0 / 25.4;
	int r, side;

	uc_diag_clear(diag);
	memset(&st, 0, sizeof(st));
	if ((r = check_args(t, card, path)) != 0)
		return r;
	if ((r = out_open(&o, path, diag)) != 0)
		return r;
	s = cairo_pdf_surface_create_for_stream(write_fn, o.f,
	    (UC_FACE_WIDTH_MM + 2 * t->bleed) * k,
	    (UC_FACE_HEIGHT_MM + 2 * t->bleed) * k);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
	    "union member card");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR,
	    "unioncard");
	memset(&x, 0, sizeof(x));
	x.cr = cairo_create(s);
	x.t = t;
	x.card = card;
	x.st = &st;
	x.diag = diag;
	cairo_scale(x.cr, k, k);
	cairo_translate(x.cr, t->bleed, t->bleed);
	for (side = UC_FACE_FRONT; r == 0 && side <= UC_FACE_BACK; side++) {
		cairo_save(x.cr);
		r = draw_side(&x, (enum uc_face_side)side);
		cairo_restore(x.cr);
		cairo_show_page(x.cr);
	}
	cairo_destroy(x.cr);
	cairo_surface_finish(s);
	if (r == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "cairo: %s",
		    cairo_status_to_string(cairo_surface_status(s)));
	cairo_surface_destroy(s);
	r = out_close(&o, path, r, diag);
	if (stats != NULL)
		*stats = st;
	return r;
}

int
uc_face_render_png(const struct uc_face_template *t,
    const struct uc_face_card *card, enum uc_face_side side, unsigned dpi,
    const char *path, struct uc_face_stats *stats, struct uc_diag *diag)
{
	struct uc_face_stats st;
	cairo_surface_t *s;
	struct draw x;
	struct out o;
	double k;
	int r, w, h;

	uc_diag_clear(diag);
	memset(&st, 0, sizeof(st));
	if ((r = check_args(t, card, path)) != 0)
		return r;
	if (dpi < UC_FACE_DPI_MIN || dpi > UC_FACE_DPI_MAX ||
	    (side != UC_FACE_FRONT && side != UC_FACE_BACK))
		return uc_diag_set(diag, UC_ERR_ARG, NULL, 0, "dpi",
		    "want %d-%d dpi", UC_FACE_DPI_MIN, UC_FACE_DPI_MAX);
	k = dpi / 25.4;
	w = (int)lround(UC_FACE_WIDTH_MM * k);
	h = (int)lround(UC_FACE_HEIGHT_MM * k);
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	memset(&x, 0, sizeof(x));
	x.cr = cairo_create(s);
	x.t = t;
	x.card = card;
	x.dpi = dpi;
	x.st = &st;
	x.diag = diag;
	cairo_scale(x.cr, k, k);
	r = draw_side(&x, side);
	cairo_destroy(x.cr);
	if (r == 0 && (r = out_open(&o, path, diag)) == 0) {
		if (cairo_surface_write_to_png_stream(s, write_fn, o.f) !=
		    CAIRO_STATUS_SUCCESS)
			r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL,
			    "cannot write the PNG");
		r = out_close(&o, path, r, diag);
	}
	cairo_surface_destroy(s);
	if (stats != NULL)
		*stats = st;
	return r;
}

int
uc_face_unknown_glyphs(const struct uc_face_template *t, const char *text,
    unsigned *count)
{
	cairo_surface_t *s;
	cairo_t *cr;
	PangoLayout *l;
	int r = 0;

	if (count != NULL)
		*count = 0;
	if (t == NULL || text == NULL || count == NULL)
		return UC_ERR_ARG;
	s = cairo_image_surface_create(CAIRO_FORMAT_A8, 8, 8);
	cr = cairo_create(s);
	if ((l = layout_new(cr, t->font, 0, 10, 0, FA_LEFT)) == NULL)
		r = UC_ERR_NOMEM;
	else {
		pango_layout_set_text(l, text, -1);
		*count = (unsigned)pango_layout_get_unknown_glyphs_count(l);
		g_object_unref(l);
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return r;
}

void
uc_face_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

#else /* !UC_HAVE_FACE */

void
uc_face_cleanup(void)
{
}

int
uc_face_render_pdf(const struct uc_face_template *t,
    const struct uc_face_card *card, const char *path,
    struct uc_face_stats *stats, struct uc_diag *diag)
{
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, path, 0, NULL,
	    "built without cairo/pango/libqrencode");
}

int
uc_face_render_png(const struct uc_face_template *t,
    const struct uc_face_card *card, enum uc_face_side side, unsigned dpi,
    const char *path, struct uc_face_stats *stats, struct uc_diag *diag)
{
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, path, 0, NULL,
	    "built without cairo/pango/libqrencode");
}

int
uc_face_unknown_glyphs(const struct uc_face_template *t, const char *text,
    unsigned *count)
{
	return UC_ERR_UNSUPPORTED;
}

#endif
