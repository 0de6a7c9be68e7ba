/*
 * photo.c - members' photos for the card face (face.h): a JPEG or PNG
 * checked (format, size, a 3:4 portrait) and normalised to one PNG of
 * UC_FACE_PHOTO_W x UC_FACE_PHOTO_H, which the ledger keeps and the face
 * prints.  Decoding is libjpeg's and cairo's (libpng); what is accepted,
 * and every bound, is decided here.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "unioncard/face.h"

#if UC_HAVE_FACE
#include <cairo.h>
#include <jpeglib.h>

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

static cairo_status_t
write_fn(void *closure, const unsigned char *data, unsigned int len)
{
	return uc_buf_append(closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS :
	    CAIRO_STATUS_NO_MEMORY;
}

struct jerr {
	struct jpeg_error_mgr mgr;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

static void
jerr_exit(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;

	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

static void
jerr_quiet(j_common_ptr c, int level)
{
	(void)c;
	(void)level; /* warnings (a corrupt tail) are not printed */
}

/* A JPEG into a new cairo RGB24 surface, or NULL with e->msg. */
static cairo_surface_t *
jpeg_decode(const uint8_t *p, size_t n, struct jerr *e, int *w, int *h)
{
	struct jpeg_decompress_struct c;
	cairo_surface_t *volatile s = NULL;
	unsigned char *volatile row = NULL;
	unsigned char *data;
	int stride;
	JDIMENSION x;

	memset(&c, 0, sizeof(c));
	c.err = jpeg_std_error(&e->mgr);
	e->mgr.error_exit = jerr_exit;
	e->mgr.emit_message = jerr_quiet;
	if (setjmp(e->jb) != 0) {
		jpeg_destroy_decompress(&c);
		free(row);
		if (s != NULL)
			cairo_surface_destroy(s);
		return NULL;
	}
	jpeg_create_decompress(&c);
	jpeg_mem_src(&c, p, (unsigned long)n);
	jpeg_read_header(&c, TRUE);
	*w = (int)c.image_width;
	*h = (int)c.image_height;
	if (c.image_width < UC_FACE_PHOTO_MIN_W ||
	    c.image_height < UC_FACE_PHOTO_MIN_H ||
	    c.image_width > UC_FACE_PHOTO_MAX_SIDE ||
	    c.image_height > UC_FACE_PHOTO_MAX_SIDE) {
		jpeg_destroy_decompress(&c);
		return NULL; /* the caller names the size */
	}
	c.out_color_space = JCS_RGB;
	jpeg_start_decompress(&c);
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
	    (int)c.output_width, (int)c.output_height);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		longjmp(e->jb, 1);
	row = malloc((size_t)c.output_width * 3);
	if (row == NULL)
		longjmp(e->jb, 1);
	data = cairo_image_surface_get_data(s);
	stride = cairo_image_surface_get_stride(s);
	while (c.output_scanline < c.output_height) {
		unsigned char *dst = data + (size_t)c.output_scanline * stride;
		JSAMPROW rp = row;

		if (jpeg_read_scanlines(&c, &rp, 1) != 1)
			longjmp(e->jb, 1);
		for (x = 0; x < c.output_width; x++) {
			uint32_t px = (uint32_t)row[3 * x] << 16 |
			    (uint32_t)row[3 * x + 1] << 8 | row[3 * x + 2];

			memcpy(dst + 4 * x, &px, 4);
		}
	}
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	free(row);
	cairo_surface_mark_dirty(s);
	return s;
}

int
uc_face_photo_normalise(const uint8_t *data, size_t len, const char *name,
    struct uc_buf *png, struct uc_diag *diag)
{
	static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
		0x1A, '\n' };
	cairo_surface_t *img = NULL, *out = NULL;
	struct mem_reader m;
	struct jerr e;
	cairo_t *cr;
	double iw, ih, s;
	int w = 0, h = 0, r, is_jpeg;

	uc_diag_clear(diag);
	if ((data == NULL && len != 0) || png == NULL)
		return UC_ERR_ARG;
	if (len > UC_FACE_PHOTO_FILE_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, name, 0, "photo",
		    "%zu bytes, more than %u", len, UC_FACE_PHOTO_FILE_MAX);
	is_jpeg = len >= 3 && data[0] == 0xFF && data[1] == 0xD8 &&
	    data[2] == 0xFF;
	if (!is_jpeg && (len < 8 || memcmp(data, png_magic, 8) != 0))
		return uc_diag_set(diag, UC_ERR_INVALID, name, 0, "photo",
		    "not a JPEG or PNG picture");
	memset(&e, 0, sizeof(e));
	if (is_jpeg) {
		img = jpeg_decode(data, len, &e, &w, &h);
		if (img == NULL && e.msg[0] != '\0')
			return uc_diag_set(diag, UC_ERR_INVALID, name, 0,
			    "photo", "not a readable JPEG (%s)", e.msg);
	} else {
		/* IHDR's size before cairo allocates for it */
		if (len < 24 || memcmp(data + 12, "IHDR", 4) != 0)
			return uc_diag_set(diag, UC_ERR_INVALID, name, 0,
			    "photo", "not a readable PNG");
		w = (int)((uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 |
		    (uint32_t)data[18] << 8 | data[19]);
		h = (int)((uint32_t)data[20] << 24 | (uint32_t)data[21] << 16 |
		    (uint32_t)data[22] << 8 | data[23]);
		if (w <= 0 || h <= 0 || w > UC_FACE_PHOTO_MAX_SIDE ||
		    h > UC_FACE_PHOTO_MAX_SIDE)
			goto size;
		m.p = data;
		m.left = len;
		img = cairo_image_surface_create_from_png_stream(read_fn, &m);
		if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(img);
			return uc_diag_set(diag, UC_ERR_INVALID, name, 0,
			    "photo", "not a readable PNG");
		}
		w = cairo_image_surface_get_width(img);
		h = cairo_image_surface_get_height(img);
	}
size:
	if (w < UC_FACE_PHOTO_MIN_W || h < UC_FACE_PHOTO_MIN_H ||
	    w > UC_FACE_PHOTO_MAX_SIDE || h > UC_FACE_PHOTO_MAX_SIDE) {
		r = uc_diag_set(diag, UC_ERR_INVALID, name, 0, "photo",
		    "%d x %d pixels: want at least %d x %d, at most %d a side",
		    w, h, UC_FACE_PHOTO_MIN_W, UC_FACE_PHOTO_MIN_H,
		    UC_FACE_PHOTO_MAX_SIDE);
		goto out;
	}
	/* a 3:4 portrait, give or take a tenth */
	if ((double)w / h < 0.675 || (double)w / h > 0.825) {
		r = uc_diag_set(diag, UC_ERR_INVALID, name, 0, "photo",
		    "%d x %d pixels is not a 3:4 portrait (width / height "
		    "%.2f, want 0.68-0.82)", w, h, (double)w / h);
		goto out;
	}
	out = cairo_image_surface_create(CAIRO_FORMAT_RGB24, UC_FACE_PHOTO_W,
	    UC_FACE_PHOTO_H);
	cr = cairo_create(out);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	iw = w;
	ih = h;
	s = UC_FACE_PHOTO_W / iw > UC_FACE_PHOTO_H / ih ?
	    UC_FACE_PHOTO_W / iw : UC_FACE_PHOTO_H / ih;
	cairo_translate(cr, (UC_FACE_PHOTO_W - iw * s) / 2,
	    (UC_FACE_PHOTO_H - ih * s) / 2);
	cairo_scale(cr, s, s);
	cairo_set_source_surface(cr, img, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
	cairo_paint(cr);
	cairo_destroy(cr);
	uc_buf_reset(png);
	if (cairo_surface_write_to_png_stream(out, write_fn, png) !=
	    CAIRO_STATUS_SUCCESS) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	r = 0;
out:
	if (out != NULL)
		cairo_surface_destroy(out);
	if (img != NULL)
		cairo_surface_destroy(img);
	return r;
}

#else

int
uc_face_photo_normalise(const uint8_t *data, size_t len, const char *name,
    struct uc_buf *png, struct uc_diag *diag)
{
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, name, 0, "photo",
	    "built without cairo");
}

#endif
