/*
 * membercode.c - member codes PP SSSSSSSS C with a Damm check digit.
 *
 * Damm's algorithm walks the digits through a totally anti-symmetric
 * quasigroup of order 10; the check digit is the final interim value.
 * Because the table is a Latin square every single-digit substitution
 * changes the result, and because it is totally anti-symmetric
 * (x*c)*y == (y*c)*x implies x == y, every adjacent transposition of
 * different digits does too.  Unlike Luhn, it also needs no doubling and
 * leaves no blind spot such as 09 <-> 90.
 */
#include <string.h>

#include "unioncard/membercode.h"

/* The standard table from H. M. Damm, 2004 (row: interim, col: digit). */
static const unsigned char damm_table[10][10] = {
	{ 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 },
	{ 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 },
	{ 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 },
	{ 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 },
	{ 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 },
	{ 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
	{ 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 },
	{ 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 },
	{ 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 },
	{ 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
};

int
uc_damm_check(const char *digits, size_t n, int *check)
{
	unsigned interim = 0;
	size_t i;

	if (check == NULL || (digits == NULL && n > 0))
		return UC_ERR_ARG;
	*check = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)digits[i];

		if (c < '0' || c > '9')
			return UC_ERR_INVALID;
		interim = damm_table[interim][c - '0'];
	}
	*check = (int)interim;
	return 0;
}

int
uc_membercode_make(unsigned prefix, uint32_t seq,
    char out[UC_MEMBERCODE_LEN + 1])
{
	uint32_t v = seq;
	int check = 0;
	int i;

	if (out == NULL)
		return UC_ERR_ARG;
	out[0] = '\0';
	if (prefix < UC_MEMBERCODE_PREFIX_MIN ||
	    prefix > UC_MEMBERCODE_PREFIX_MAX || seq > UC_MEMBERCODE_SEQ_MAX)
		return UC_ERR_RANGE;
	out[0] = (char)('0' + prefix / 10);
	out[1] = (char)('0' + prefix % 10);
	for (i = UC_MEMBERCODE_PREFIX_DIGITS + UC_MEMBERCODE_SEQ_DIGITS - 1;
	    i >= UC_MEMBERCODE_PREFIX_DIGITS; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	if (uc_damm_check(out, UC_MEMBERCODE_LEN - 1, &check) != 0)
		return UC_ERR_INTERNAL;
	out[UC_MEMBERCODE_LEN - 1] = (char)('0' + check);
	out[UC_MEMBERCODE_LEN] = '\0';
	return 0;
}

int
uc_membercode_validate(const char *s, size_t len, struct uc_diag *d)
{
	int check = 0;
	size_t i;

	if (s == NULL && len > 0)
		return UC_ERR_ARG;
	if (len != UC_MEMBERCODE_LEN)
		return uc_diag_set(d, UC_ERR_INVALID, NULL, 0, "member_code",
		    "member code must be %d digits, got %zu characters",
		    UC_MEMBERCODE_LEN, len);
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return uc_diag_set(d, UC_ERR_INVALID, NULL, 0,
			    "member_code",
			    "member code has a non-digit at position %zu",
			    i + 1);
	if (s[0] == '0' && s[1] == '0')
		return uc_diag_set(d, UC_ERR_INVALID, NULL, 0, "member_code",
		    "member code prefix 00 is not assigned to any issuer");
	if (uc_damm_check(s, len, &check) != 0 || check != 0)
		return uc_diag_set(d, UC_ERR_INVALID, NULL, 0, "member_code",
		    "member code check digit is wrong (mistyped digit?)");
	return 0;
}

int
uc_membercode_split(const char *s, size_t len, unsigned *prefix,
    uint32_t *seq, struct uc_diag *d)
{
	uint32_t v = 0;
	size_t i;
	int r;

	if (prefix != NULL)
		*prefix = 0;
	if (seq != NULL)
		*seq = 0;
	if ((r = uc_membercode_validate(s, len, d)) != 0)
		return r;
	for (i = UC_MEMBERCODE_PREFIX_DIGITS; i < UC_MEMBERCODE_LEN - 1; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	if (prefix != NULL)
		*prefix = (unsigned)((s[0] - '0') * 10 + (s[1] - '0'));
	if (seq != NULL)
		*seq = v;
	return 0;
}
