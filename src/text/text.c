/*
 * text.c - UTF-8 validation, NFC and ASCII folding (stub; see text.h).
 */
#include "unioncard/error.h"
#include "unioncard/text.h"

int
uc_text_utf8_check(const char *s, size_t len, size_t *bad_offset)
{
	(void)s;
	(void)len;
	if (bad_offset != NULL)
		*bad_offset = 0;
	return UC_ERR_UNSUPPORTED;
}
