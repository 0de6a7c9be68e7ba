/*
 * vcard_test.h - helpers shared by the virtual card's tests.
 */
#ifndef UC_VCARD_TEST_H
#define UC_VCARD_TEST_H

#include <stddef.h>
#include <stdint.h>

/* Copy src to a new temp file; its path into out.  Aborts the test on
 * failure. */
void vt_temp_copy(const char *src, char *out, size_t cap);
/* A fresh temp path that does not exist (in a new temp directory). */
void vt_temp_path(char *out, size_t cap);
/* Remove a temp file and its directory. */
void vt_remove(const char *path);
/* Read a whole file (malloc'd, NUL-terminated); *len without the NUL. */
char *vt_read_file(const char *path, size_t *len);
void vt_write_file(const char *path, const char *text);

#endif
