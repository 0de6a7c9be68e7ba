/*
 * date.c - strict calendar dates as day numbers since 1970-01-01.
 *
 * The conversions are Howard Hinnant's days_from_civil / civil_from_days,
 * exact for the proleptic Gregorian calendar and free of time zones and
 * libc locale state.
 */
#include <string.h>

#include "unioncard/date.h"
#include "unioncard/error.h"

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31,
		31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

static int32_t
days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void
uc_date_to_ymd(int32_t days, int *year, int *month, int *day)
{
	long long z = (long long)days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = yoe + era * 400;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long d = doy - (153 * mp + 2) / 5 + 1;
	long long m = mp < 10 ? mp + 3 : mp - 9;

	if (m <= 2)
		y++;
	if (year != NULL)
		*year = (int)y;
	if (month != NULL)
		*month = (int)m;
	if (day != NULL)
		*day = (int)d;
}

int
uc_date_from_ymd(int year, int month, int day, int32_t *days)
{
	if (days == NULL)
		return UC_ERR_ARG;
	*days = 0;
	if (year < UC_DATE_YEAR_MIN || year > UC_DATE_YEAR_MAX || month < 1 ||
	    month > 12 || day < 1 || day > days_in_month(year, month))
		return UC_ERR_INVALID;
	*days = days_from_civil(year, month, day);
	return 0;
}

/* n ASCII digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
uc_date_parse_iso(const char *s, size_t len, int32_t *days)
{
	if (days == NULL)
		return UC_ERR_ARG;
	*days = 0;
	if (s == NULL || len != UC_DATE_ISO_LEN || s[4] != '-' || s[7] != '-')
		return UC_ERR_INVALID;
	return uc_date_from_ymd(digits(s, 4), digits(s + 5, 2),
	    digits(s + 8, 2), days);
}

int
uc_date_parse_vn(const char *s, size_t len, int32_t *days)
{
	if (days == NULL)
		return UC_ERR_ARG;
	*days = 0;
	if (s == NULL || len != UC_DATE_ISO_LEN || s[2] != '/' || s[5] != '/')
		return UC_ERR_INVALID;
	return uc_date_from_ymd(digits(s + 6, 4), digits(s + 3, 2),
	    digits(s, 2), days);
}

int
uc_date_parse(const char *s, size_t len, int32_t *days)
{
	if (days == NULL)
		return UC_ERR_ARG;
	*days = 0;
	if (s != NULL && len == UC_DATE_ISO_LEN && s[2] == '/')
		return uc_date_parse_vn(s, len, days);
	return uc_date_parse_iso(s, len, days);
}

static int
format(int32_t days, char *out, int vn)
{
	int y, m, d;

	uc_date_to_ymd(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		out[0] = '\0';
		return UC_ERR_RANGE;
	}
	if (vn) {
		out[0] = (char)('0' + d / 10);
		out[1] = (char)('0' + d % 10);
		out[2] = '/';
		out[3] = (char)('0' + m / 10);
		out[4] = (char)('0' + m % 10);
		out[5] = '/';
		out[6] = (char)('0' + y / 1000);
		out[7] = (char)('0' + y / 100 % 10);
		out[8] = (char)('0' + y / 10 % 10);
		out[9] = (char)('0' + y % 10);
	} else {
		out[0] = (char)('0' + y / 1000);
		out[1] = (char)('0' + y / 100 % 10);
		out[2] = (char)('0' + y / 10 % 10);
		out[3] = (char)('0' + y % 10);
		out[4] = '-';
		out[5] = (char)('0' + m / 10);
		out[6] = (char)('0' + m % 10);
		out[7] = '-';
		out[8] = (char)('0' + d / 10);
		out[9] = (char)('0' + d % 10);
	}
	out[10] = '\0';
	return 0;
}

int
uc_date_format_iso(int32_t days, char out[UC_DATE_ISO_LEN + 1])
{
	if (out == NULL)
		return UC_ERR_ARG;
	return format(days, out, 0);
}

int
uc_date_format_vn(int32_t days, char out[UC_DATE_ISO_LEN + 1])
{
	if (out == NULL)
		return UC_ERR_ARG;
	return format(days, out, 1);
}

int32_t
uc_date_vn_at(time_t t)
{
	/* Floor division so instants before 1970 land on the right day. */
	long long s = (long long)t + UC_DATE_VN_UTC_OFFSET;
	long long q = s / 86400;

	if (s % 86400 < 0)
		q--;
	return (int32_t)q;
}

int32_t
uc_date_today_vn(void)
{
	return uc_date_vn_at(time(NULL));
}
