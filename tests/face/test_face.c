/*
 * test_face.c - the card face (unioncard/face.h).
 *
 *   - every letter of the Vietnamese alphabet, with each of the five tones,
 *     prints as a real glyph in the default template's fonts (and a
 *     character no font has is counted, so the check can fail);
 *   - golden images: the worked example's card (applets-spec/vectors/
 *     printed-card.json) rendered at 300 dpi differs from the committed
 *     PNGs in tests/face/golden/ in at most GOLDEN_MAX_PERMILLE of its pixels
 *     (a pixel differs when a channel moves by more than GOLDEN_DELTA) -
 *     and a field moved by one millimetre is caught;
 *   - long names wrap and shrink, a name that cannot fit is refused
 *     naming the field, never clipped;
 *   - template files: overrides, and errors naming file, line and key.
 *
 * UC_FACE_GOLDEN_WRITE=1 rewrites the golden images (after a deliberate
 * layout change; look at them before committing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>
#include <jansson.h>

#include "unioncard/face.h"
#include "unioncard/printed.h"

/* Pixels that may differ from the golden image: 0.5 %. */
#define GOLDEN_MAX_PERMILLE 5.0
#define GOLDEN_DELTA 48

static char tmp[] = "/tmp/uc-face-XXXXXX";
static json_t *doc;
static struct uc_face_template *def;

static int
setup(void **state)
{
	const char *spec = getenv("UC_SPEC_DIR");
	json_error_t jerr;
	char path[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/vectors/printed-card.json",
	    spec != NULL ? spec : "applets-spec");
	if ((doc = json_load_file(path, 0, &jerr)) == NULL ||
	    mkdtemp(tmp) == NULL || uc_face_template_default(&def) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	json_decref(doc);
	uc_face_template_free(&def);
	uc_face_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* The worked example's card, with its committed (fixed) QR text. */
static void
example_card(struct uc_face_card *c)
{
	json_t *ex = json_object_get(doc, "worked_example");

	memset(c, 0, sizeof(*c));
	strcpy(c->member.member_code, "52000000010");
	strcpy(c->member.full_name, "Huỳnh Lê Diễm Tuyết");
	strcpy(c->member.unit_code, "TP01");
	strcpy(c->member.unit_name, "CĐCS Trường THPT Tuy Phước");
	strcpy(c->member.card_serial, "52000000001");
	c->member.card_type = UC_CARD_TYPE_REGULAR;
	strcpy(c->member.issued_on, "20261125");
	strcpy(c->member.expires_on, "20311124");
	strcpy(c->date_of_birth, "19850312");
	c->qr_text = json_string_value(json_object_get(ex, "text"));
	assert_non_null(c->qr_text);
}

static void
test_vietnamese_alphabet(void **state)
{
	static const char *const vowels[] = {
		"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
		"oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
		"AÀÁẢÃẠ", "ĂẰẮẲẴẶ", "ÂẦẤẨẪẬ", "EÈÉẺẼẸ", "ÊỀẾỂỄỆ", "IÌÍỈĨỊ",
		"OÒÓỎÕỌ", "ÔỒỐỔỖỘ", "ƠỜỚỞỠỢ", "UÙÚỦŨỤ", "ƯỪỨỬỮỰ", "YỲÝỶỸỴ",
		"bcdđghklmnpqrstvx", "BCDĐGHKLMNPQRSTVX",
	};
	struct uc_face_card c;
	struct uc_face_stats st;
	struct uc_diag d;
	char path[256];
	unsigned n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vowels) / sizeof(vowels[0]); i++) {
		assert_int_equal(uc_face_unknown_glyphs(def, vowels[i], &n), 0);
		if (n != 0)
			fail_msg("%u missing glyph(s) in \"%s\"", n, vowels[i]);
	}
	/* the counter counts: a private-use character has no glyph */
	assert_int_equal(uc_face_unknown_glyphs(def, "a\xee\x80\x80" "b", &n),
	    0);
	assert_true(n > 0);
	/* and a render with such a character is refused */
	example_card(&c);
	strcpy(c.member.full_name, "Nguy\xee\x80\x80n");
	snprintf(path, sizeof(path), "%s/pua.png", tmp);
	assert_int_equal(uc_face_render_png(def, &c, UC_FACE_FRONT, 150, path,
	    &st, &d), UC_ERR_UNSUPPORTED);
	assert_string_equal(d.field, "font");
	assert_int_equal(access(path, F_OK), -1);
	/* every letter on a real card: no box anywhere */
	strcpy(c.member.full_name, "Đặng Thị Ngọc Hường Ửng Ỷ Ỹ Ợ Ỡ Ẵ Ẫ Ễ");
	snprintf(path, sizeof(path), "%s/all.pdf", tmp);
	assert_int_equal(uc_face_render_pdf(def, &c, path, &st, &d), 0);
	assert_int_equal(st.unknown_glyphs, 0);
}

/* Permille of pixels of A and B (same size) that differ. */
static double
diff_permille(const char *a, const char *b)
{
	cairo_surface_t *sa = cairo_image_surface_create_from_png(a);
	cairo_surface_t *sb = cairo_image_surface_create_from_png(b);
	const unsigned char *pa, *pb;
	int w, h, x, y, k, sta, stb;
	long bad = 0;

	if (cairo_surface_status(sa) != CAIRO_STATUS_SUCCESS)
		fail_msg("cannot read %s", a);
	if (cairo_surface_status(sb) != CAIRO_STATUS_SUCCESS)
		fail_msg("cannot read %s", b);
	w = cairo_image_surface_get_width(sa);
	h = cairo_image_surface_get_height(sa);
	assert_int_equal(w, cairo_image_surface_get_width(sb));
	assert_int_equal(h, cairo_image_surface_get_height(sb));
	pa = cairo_image_surface_get_data(sa);
	pb = cairo_image_surface_get_data(sb);
	sta = cairo_image_surface_get_stride(sa);
	stb = cairo_image_surface_get_stride(sb);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (k = 0; k < 3; k++)
				if (abs(pa[y * sta + 4 * x + k] -
				    pb[y * stb + 4 * x + k]) > GOLDEN_DELTA) {
					bad++;
					break;
				}
	cairo_surface_destroy(sa);
	cairo_surface_destroy(sb);
	return 1000.0 * (double)bad / ((double)w * h);
}

static void
golden_side(const struct uc_face_template *t, enum uc_face_side side,
    const char *name, double *permille)
{
	const char *src = getenv("UC_SOURCE_DIR");
	const char *write = getenv("UC_FACE_GOLDEN_WRITE");
	struct uc_face_card c;
	struct uc_face_stats st;
	struct uc_diag d;
	char got[256], want[1024];

	example_card(&c);
	snprintf(got, sizeof(got), "%s/%s", tmp, name);
	snprintf(want, sizeof(want), "%s/tests/face/golden/%s",
	    src != NULL ? src : ".", name);
	if (uc_face_render_png(t, &c, side, 300, got, &st, &d) != 0)
		fail_msg("render: %s: %s", d.field, d.msg);
	assert_int_equal(st.unknown_glyphs, 0);
	if (write != NULL && strcmp(write, "1") == 0 && t == def) {
		char cmd[2048];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", got, want);
		assert_int_equal(system(cmd), 0);
	}
	*permille = diff_permille(got, want);
}

static void
test_golden_images(void **state)
{
	struct uc_face_template *moved = NULL;
	struct uc_diag d;
	char path[256];
	double front, back;
	FILE *f;

	(void)state;
	golden_side(def, UC_FACE_FRONT, "default-front.png", &front);
	golden_side(def, UC_FACE_BACK, "default-back.png", &back);
	if (front > GOLDEN_MAX_PERMILLE || back > GOLDEN_MAX_PERMILLE)
		fail_msg("layout changed: %.2f / %.2f permille of pixels "
		    "differ (at most %.1f)", front, back, GOLDEN_MAX_PERMILLE);
	/* the test sees a regression: the name one millimetre lower */
	snprintf(path, sizeof(path), "%s/moved.face", tmp);
	assert_non_null(f = fopen(path, "w"));
	fputs("full_name.y = 16\n", f);
	fclose(f);
	assert_int_equal(uc_face_template_load(path, &moved, &d), 0);
	golden_side(moved, UC_FACE_FRONT, "default-front.png", &front);
	if (front <= GOLDEN_MAX_PERMILLE)
		fail_msg("a moved name is not caught (%.2f permille)", front);
	uc_face_template_free(&moved);
}

static void
test_long_names(void **state)
{
	struct uc_face_card c;
	struct uc_face_stats st;
	struct uc_diag d;
	char path[256];
	size_t i;

	(void)state;
	example_card(&c);
	snprintf(path, sizeof(path), "%s/n.png", tmp);
	assert_int_equal(uc_face_render_png(def, &c, UC_FACE_FRONT, 150, path,
	    &st, &d), 0);
	assert_int_equal(st.name_lines, 1);
	assert_true(st.name_pt == 11.0);
	strcpy(c.member.full_name, "Tôn Nữ Huyền Trân Công Tằng Tôn Nữ Thị "
	    "Xuân Hương Phượng Hoàng Nguyễn Phúc Bảo Châu");
	assert_int_equal(uc_face_render_png(def, &c, UC_FACE_FRONT, 150, path,
	    &st, &d), 0);
	assert_true(st.name_lines >= 2 || st.name_pt < 11.0);
	/* 128 bytes of the widest letter do not fit: refused, not clipped */
	for (i = 0; i < UC_MEMBER_NAME_MAX; i++)
		c.member.full_name[i] = 'W';
	c.member.full_name[i] = '\0';
	unlink(path);
	assert_int_equal(uc_face_render_png(def, &c, UC_FACE_FRONT, 150, path,
	    &st, &d), UC_ERR_RANGE);
	assert_string_equal(d.field, "full_name");
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_outputs(void **state)
{
	struct uc_face_card c;
	struct uc_face_stats st;
	struct uc_diag d;
	struct stat sb;
	char path[256];
	char text[UC_QR_TEXT_MAX + 1];
	size_t n;

	(void)state;
	example_card(&c);
	snprintf(path, sizeof(path), "%s/c.pdf", tmp);
	assert_int_equal(uc_face_render_pdf(def, &c, path, &st, &d), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(st.qr_mm >= UC_FACE_QR_MIN_MM);
	snprintf(path, sizeof(path), "%s/c-600.png", tmp);
	assert_int_equal(uc_face_render_png(def, &c, UC_FACE_BACK, 600, path,
	    &st, &d), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* the code on the picture is the code given */
	assert_int_equal(uc_qr_scan_png(path, text, sizeof(text), &n, &d), 0);
	assert_int_equal(n, 1);
	assert_string_equal(text, c.qr_text);
	assert_int_equal(uc_face_render_png(def, &c, UC_FACE_BACK, 20, path,
	    &st, &d), UC_ERR_ARG);
	{
		char g[32];

		uc_face_group_code("52000000010", g, sizeof(g));
		assert_string_equal(g, "52 00000001 0");
		uc_face_group_code("123", g, sizeof(g));
		assert_string_equal(g, "123");
	}
}

static int
load_text(const char *text, struct uc_face_template **t, struct uc_diag *d)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/t.face", tmp);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return uc_face_template_load(path, t, d);
}

static void
test_template_files(void **state)
{
	static const struct {
		const char *text;
		unsigned long line;
		const char *key;
	} bad[] = {
		{ "# ok\nfont = DejaVu Serif\ncolour = red\n", 3, "colour" },
		{ "accent = #C8102\n", 1, "accent" },
		{ "full_name.x = 90\n", 1, "full_name.x" },
		{ "full_name.sise = 9\n", 1, "full_name.sise" },
		{ "photo.side = left\n", 1, "photo.side" },
		{ "\n\nno equals sign\n", 3, "" },
		{ "qr.w = 10\n", 0, "qr.w" },
		{ "unit.x = 40\n", 0, "unit" },
	};
	struct uc_face_template *t = NULL;
	struct uc_face_card c;
	struct uc_face_stats st;
	struct uc_diag d;
	char path[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load_text(bad[i].text, &t, &d) != UC_ERR_INVALID)
			fail_msg("template %zu accepted", i);
		assert_null(t);
		assert_int_equal(d.line, bad[i].line);
		assert_string_equal(d.field, bad[i].key);
		assert_non_null(strstr(d.file, "t.face"));
	}
	/* the default's own text loads as a file, and overrides apply */
	assert_int_equal(load_text(uc_face_template_default_text(), &t, &d), 0);
	uc_face_template_free(&t);
	assert_int_equal(load_text("accent = #005BAC\nphoto.show = 0\n"
	    "title.text = THẺ ĐOÀN VIÊN\nqr.w = 14\n", &t, &d), 0);
	example_card(&c);
	snprintf(path, sizeof(path), "%s/blue.png", tmp);
	assert_int_equal(uc_face_render_png(t, &c, UC_FACE_BACK, 300, path,
	    &st, &d), 0);
	assert_true(st.qr_mm >= 12.0 && st.qr_mm <= 14.01);
	uc_face_template_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vietnamese_alphabet),
		cmocka_unit_test(test_golden_images),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_template_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
