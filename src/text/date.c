/*
 * date.c - strict calendar dates (stub).
 */
#include "unioncard/date.h"
#include "unioncard/error.h"

int
uc_date_parse(const char *s, size_t len, int32_t *days)
{
	(void)s;
	(void)len;
	*days = 0;
	return UC_ERR_UNSUPPORTED;
}
