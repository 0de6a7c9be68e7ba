/*
 * scan.c - find the union's QR code in a picture (a scan of a card face,
 * a photo, a page rendered by pdftoppm), for `unioncard-verify
 * --qr-image`.  PNG is read with cairo, the code found with zbar.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "unioncard/printed.h"

#if UC_HAVE_ZBAR
#include <cairo.h>
#include <zbar.h>

/* A picture larger than this is refused unread (a 600 dpi A4 page). */
#define SCAN_FILE_MAX (64L * 1024L * 1024L)
#define SCAN_PIXELS_MAX (7100L * 5100L)

int
uc_qr_scan_png(const char *path, char *out, size_t cap, size_t *n_codes,
    struct uc_diag *diag)
{
	cairo_surface_t *img = NULL;
	zbar_image_scanner_t *sc = NULL;
	zbar_image_t *zi = NULL;
	const zbar_symbol_t *sym;
	unsigned char *gray = NULL, *px;
	struct stat st;
	int w, h, stride, x, y, r, found = 0, any = 0;

	uc_diag_clear(diag);
	if (n_codes != NULL)
		*n_codes = 0;
	if (path == NULL || out == NULL || cap == 0)
		return UC_ERR_ARG;
	out[0] = '\0';
	if (stat(path, &st) != 0)
		return uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	if (st.st_size > SCAN_FILE_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "larger than %ld bytes", SCAN_FILE_MAX);
	img = cairo_image_surface_create_from_png(path);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "not a PNG picture (%s)", cairo_status_to_string(
		    cairo_surface_status(img)));
		goto out;
	}
	w = cairo_image_surface_get_width(img);
	h = cairo_image_surface_get_height(img);
	if (w <= 0 || h <= 0 || (long)w * h > SCAN_PIXELS_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "%dx%d pixels: too large", w, h);
		goto out;
	}
	/* cairo's ARGB32/RGB24 into 8-bit gray (Y800) for zbar */
	cairo_surface_flush(img);
	px = cairo_image_surface_get_data(img);
	stride = cairo_image_surface_get_stride(img);
	if ((gray = malloc((size_t)w * (size_t)h)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			const unsigned char *p = px + (size_t)y * stride + 4 *
			    (size_t)x;
			unsigned v;

			switch (cairo_image_surface_get_format(img)) {
			case CAIRO_FORMAT_A8:
				v = 255u - px[(size_t)y * stride + x];
				break;
			case CAIRO_FORMAT_ARGB32:
			case CAIRO_FORMAT_RGB24:
				/* BGRA in memory on little-endian; a
				 * transparent pixel counts as white */
				v = (p[2] * 77u + p[1] * 150u +
				    p[0] * 29u) >> 8;
				if (cairo_image_surface_get_format(img) ==
				    CAIRO_FORMAT_ARGB32)
					v = v + (255u - p[3]);
				if (v > 255)
					v = 255;
				break;
			default:
				v = 255;
				break;
			}
			gray[(size_t)y * w + x] = (unsigned char)v;
		}
	if ((sc = zbar_image_scanner_create()) == NULL ||
	    (zi = zbar_image_create()) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, (unsigned)w, (unsigned)h);
	zbar_image_set_data(zi, gray, (unsigned long)w * (unsigned long)h,
	    NULL);
	if (zbar_scan_image(sc, zi) < 0) {
		r = uc_diag_set(diag, UC_ERR_INTERNAL, path, 0, NULL,
		    "the QR decoder failed");
		goto out;
	}
	for (sym = zbar_image_first_symbol(zi); sym != NULL;
	    sym = zbar_symbol_next(sym)) {
		const char *data = zbar_symbol_get_data(sym);
		unsigned len = zbar_symbol_get_data_length(sym);

		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
			continue;
		any++;
		if (found || len < UC_QR_PREFIX_LEN ||
		    memcmp(data, UC_QR_PREFIX, UC_QR_PREFIX_LEN) != 0)
			continue;
		if (len >= cap) {
			r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
			    "a QR code of %u characters: too long", len);
			goto out;
		}
		memcpy(out, data, len);
		out[len] = '\0';
		found = 1;
	}
	if (n_codes != NULL)
		*n_codes = (size_t)any;
	if (!found) {
		r = uc_diag_set(diag, UC_ERR_NOT_FOUND, path, 0, NULL, "%s",
		    any ? "its QR code is not a union card's (no UC1: prefix)" :
		    "no QR code found in the picture");
		goto out;
	}
	r = 0;
out:
	if (zi != NULL)
		zbar_image_destroy(zi);
	if (sc != NULL)
		zbar_image_scanner_destroy(sc);
	free(gray);
	if (img != NULL)
		cairo_surface_destroy(img);
	return r;
}

#else

int
uc_qr_scan_png(const char *path, char *out, size_t cap, size_t *n_codes,
    struct uc_diag *diag)
{
	if (out != NULL && cap > 0)
		out[0] = '\0';
	if (n_codes != NULL)
		*n_codes = 0;
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, path, 0, NULL,
	    "built without zbar");
}

#endif
