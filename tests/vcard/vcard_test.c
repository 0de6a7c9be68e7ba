/*
 * vcard_test.c - temp files for the virtual card's tests: every card is
 * a copy in its own mkdtemp() directory, so tests never touch the vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vcard_test.h"

void
vt_temp_path(char *out, size_t cap)
{
	char dir[] = "/tmp/uc-vcard-test.XXXXXX";

	assert_non_null(mkdtemp(dir));
	assert_true((size_t)snprintf(out, cap, "%s/card.json", dir) < cap);
}

char *
vt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

void
vt_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

void
vt_temp_copy(const char *src, char *out, size_t cap)
{
	char *text = vt_read_file(src, NULL);

	vt_temp_path(out, cap);
	vt_write_file(out, text);
	free(text);
}

void
vt_remove(const char *path)
{
	char dir[1024];
	char *slash;

	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		rmdir(dir);
	}
}
