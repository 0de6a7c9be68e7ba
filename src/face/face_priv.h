/*
 * face_priv.h - the card face's template as the renderer reads it.
 */
#ifndef UC_FACE_PRIV_H
#define UC_FACE_PRIV_H

#include <stdint.h>

#include "unioncard/face.h"

/* The boxes a template places, in the order they are drawn. */
enum face_field {
	FF_ISSUER,
	FF_TITLE,
	FF_LOGO,
	FF_PHOTO,
	FF_FULL_NAME,
	FF_DATE_OF_BIRTH,
	FF_UNIT,
	FF_MEMBER_CODE,
	FF_QR,
	FF_CARD_SERIAL,
	FF_CARD_TYPE,
	FF_ISSUED_ON,
	FF_EXPIRES_ON,
	FF_NOTICE,
	FF_BACK_NOTE,
	FF_COUNT
};

enum face_align { FA_LEFT, FA_CENTER, FA_RIGHT };

#define FACE_TEXT_MAX 256
#define FACE_PATH_MAX 1024
#define FACE_FONT_MAX 64

struct face_box {
	int show;
	enum uc_face_side side;
	double x, y, w, h;          /* mm */
	double size, min_size;      /* points */
	int bold;
	enum face_align align;
	uint32_t colour;            /* 0xRRGGBB */
	char label[FACE_TEXT_MAX];  /* "" : none */
	char text[FACE_TEXT_MAX];   /* fixed texts (issuer, title, notes) */
	char path[FACE_PATH_MAX];   /* logo */
};

struct uc_face_template {
	char font[FACE_FONT_MAX];
	char code_font[FACE_FONT_MAX];
	uint32_t background, accent, label_colour;
	double bleed, safe;
	double band_front, band_back; /* accent bands, mm high */
	double label_size;            /* points */
	char background_image[FACE_PATH_MAX];
	struct face_box f[FF_COUNT];
};

extern const char *const uc_face_field_names[FF_COUNT];

#endif /* UC_FACE_PRIV_H */
