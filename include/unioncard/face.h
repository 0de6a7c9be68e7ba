/*
 * unioncard/face.h - the printed card face: front and back of an ID-1
 * card (85.60 x 53.98 mm, ISO/IEC 7810) drawn with cairo and pango.
 *
 * A face is a TEMPLATE (where each field goes, in which font, size and
 * colour; which fields appear; the issuer's texts, logo and background)
 * filled with one CARD (the member's data, the signed QR text of
 * printed.h, a photo if there is one).  Output is a two-page PDF (front,
 * back; vector text, fonts embedded as subsets) for a card printer or a
 * print bureau, or one PNG per side at any resolution (300 and 600 dpi
 * for printers, proofs and tests).
 *
 * Text is shaped by pango (HarfBuzz): Vietnamese diacritics, stacked
 * tones and all.  A field that does not fit its box wraps, then shrinks,
 * down to the template's smallest size; text that would still not fit is
 * an error (UC_ERR_RANGE, naming the field), never clipped.  A glyph the
 * fonts lack (a box on the card) is counted, and a render with any is an
 * error too (UC_ERR_UNSUPPORTED).
 *
 * The template file is UTF-8 "key = value" lines (# comments); its keys
 * are those of the default template, which `unioncard face template`
 * prints with a comment on each.  Unknown keys and bad values are errors
 * naming the file, line and key.  Lengths are millimetres from the card's
 * top-left corner; colours #RRGGBB.
 *
 * Only in builds with cairo, pango and libqrencode (UC_HAVE_FACE);
 * otherwise every function returns UC_ERR_UNSUPPORTED.
 */
#ifndef UNIONCARD_FACE_H
#define UNIONCARD_FACE_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"
#include "unioncard/error.h"
#include "unioncard/member.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_FACE_WIDTH_MM 85.60
#define UC_FACE_HEIGHT_MM 53.98
/* The QR code is never printed smaller (applets-spec/printed-card.md). */
#define UC_FACE_QR_MIN_MM 12.0
#define UC_FACE_DPI_MIN 72
#define UC_FACE_DPI_MAX 1200
/* Longest template file read. */
#define UC_FACE_TEMPLATE_MAX (64u * 1024u)

enum uc_face_side {
	UC_FACE_FRONT = 0,
	UC_FACE_BACK = 1,
};

/* What goes on one card.  Borrowed strings; NULL or "" where absent. */
struct uc_face_card {
	struct uc_member member;   /* code, name, unit, serial, type, dates */
	char date_of_birth[9];     /* "YYYYMMDD", or "" */
	const char *photo_png;     /* a PNG file, or NULL: photo_data */
	const uint8_t *photo_data; /* a PNG in memory (the ledger's), or NULL:
	                            * the empty photo box */
	size_t photo_len;
	const char *qr_text;       /* the signed code (uc_qr_make), required */
};

struct uc_face_template;

/* The built-in default template (a union card in red and white). */
UC_API int uc_face_template_default(struct uc_face_template **out);
/*
 * Read a template file: every key it sets overrides the default's.
 * UC_ERR_INVALID with DIAG naming file, line and key; UC_ERR_IO.
 */
UC_API int uc_face_template_load(const char *path,
    struct uc_face_template **out, struct uc_diag *diag);
/* The same from TEXT[LEN] in memory; NAME (may be NULL) for DIAG and as
 * the folder relative paths are taken from. */
UC_API int uc_face_template_parse(const char *text, size_t len,
    const char *name, struct uc_face_template **out, struct uc_diag *diag);
UC_API void uc_face_template_free(struct uc_face_template **t);
/* The default template as a file's text (static storage). */
UC_API const char *uc_face_template_default_text(void);

/* What a render found (cleared by each render). */
struct uc_face_stats {
	unsigned unknown_glyphs;   /* glyphs the fonts lack (must be 0) */
	unsigned qr_modules;       /* modules across, quiet zone excluded */
	double qr_mm;              /* printed size of the code */
	double name_pt;            /* size the name was set in */
	unsigned name_lines;
};

/*
 * Write both sides of CARD as a two-page PDF to PATH (created 0600: it
 * holds personal data; replaced atomically).  STATS may be NULL.
 */
UC_API int uc_face_render_pdf(const struct uc_face_template *t,
    const struct uc_face_card *card, const char *path,
    struct uc_face_stats *stats, struct uc_diag *diag);
/* One side as a PNG at DPI (UC_FACE_DPI_MIN..MAX) to PATH (0600). */
UC_API int uc_face_render_png(const struct uc_face_template *t,
    const struct uc_face_card *card, enum uc_face_side side, unsigned dpi,
    const char *path, struct uc_face_stats *stats, struct uc_diag *diag);

/*
 * How many glyphs of TEXT the template's font lacks (pango's unknown
 * glyphs): 0 means every character prints as a real glyph.
 */
UC_API int uc_face_unknown_glyphs(const struct uc_face_template *t,
    const char *text, unsigned *count);

/* Members' photos: what is accepted, and the one form kept. */
#define UC_FACE_PHOTO_FILE_MAX (8u * 1024u * 1024u)
#define UC_FACE_PHOTO_MIN_W 300
#define UC_FACE_PHOTO_MIN_H 400
#define UC_FACE_PHOTO_MAX_SIDE 8000
#define UC_FACE_PHOTO_W 600
#define UC_FACE_PHOTO_H 800

/*
 * Check a member's photo DATA[LEN] (a JPEG or PNG file's bytes; NAME for
 * DIAG) and normalise it: at most UC_FACE_PHOTO_FILE_MAX bytes, at least
 * 300 x 400 pixels, a 3:4 portrait within a tenth; scaled and cropped to
 * 600 x 800 on white, as a PNG replacing the contents of PNG.
 * UC_ERR_INVALID with DIAG saying what is wrong with the file.
 */
UC_API int uc_face_photo_normalise(const uint8_t *data, size_t len,
    const char *name, struct uc_buf *png, struct uc_diag *diag);

/*
 * Send the PDF at PATH to CUPS queue QUEUE as one duplex job titled TITLE
 * on ID-1 media; *JOB gets the job's id.  SERVER is a host[:port] or a
 * local socket path, NULL for libcups's default (the caller reads the
 * environment).  UC_ERR_TRANSPORT (DIAG: CUPS's own words) when the
 * server cannot be reached or the queue refuses; UC_ERR_UNSUPPORTED in
 * builds without libcups (UC_HAVE_CUPS).
 */
UC_API int uc_face_print_cups(const char *server, const char *queue,
    const char *path, const char *title, int *job, struct uc_diag *diag);

/*
 * Let go of the font caches pango, cairo and fontconfig keep for the life
 * of the process, so that a leak checker sees a clean exit.  Call it last,
 * when no render runs and none will (tools call it before they exit).
 */
UC_API void uc_face_cleanup(void);

/* "52 00000001 0" from "52000000010"; other lengths are copied as-is. */
UC_API void uc_face_group_code(const char *code, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_FACE_H */
