/*
 * membercode.c - member codes with a Damm check digit (stub).
 */
#include "unioncard/membercode.h"

int
uc_damm_check(const char *digits, size_t n, int *check)
{
	(void)digits;
	(void)n;
	*check = 0;
	return UC_ERR_UNSUPPORTED;
}
