/*
 * test_date.c - strict dates, leap years, the Vietnamese form, UTC+7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unioncard/date.h"
#include "unioncard/error.h"

static int
parse(const char *s, int32_t *days)
{
	return uc_date_parse(s, strlen(s), days);
}

static void
test_leap_years(void **state)
{
	int32_t d = 0, e = 0;

	(void)state;
	assert_int_equal(parse("29/02/2023", &d), UC_ERR_INVALID);
	assert_int_equal(parse("29/02/2024", &d), 0);
	assert_int_equal(parse("2024-02-29", &e), 0);
	assert_int_equal(d, e);
	assert_int_equal(parse("1900-02-29", &d), UC_ERR_INVALID);
	assert_int_equal(parse("2000-02-29", &d), 0);
	assert_int_equal(parse("2100-02-29", &d), UC_ERR_INVALID);
}

static void
test_known_day_numbers(void **state)
{
	int32_t d = 5;
	char buf[UC_DATE_ISO_LEN + 1];

	(void)state;
	assert_int_equal(parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(parse("01/03/2000", &d), 0);
	assert_int_equal(d, 11017);
	assert_int_equal(parse("1969-12-31", &d), 0);
	assert_int_equal(d, -1);
	assert_int_equal(uc_date_format_iso(19723, buf), 0);
	assert_string_equal(buf, "2024-01-01");
	assert_int_equal(uc_date_format_vn(19723, buf), 0);
	assert_string_equal(buf, "01/01/2024");
}

static void
test_strictness(void **state)
{
	static const char *const bad[] = {
		"", "2024-1-05", "2024-01-5", "2024-01-05 ", " 2024-01-05",
		"2024/01/05", "05-01-2024", "5/1/2024", "05/01/24",
		"31/04/2024", "32/01/2024", "00/01/2024", "01/13/2024",
		"01/00/2024", "2024-00-10", "1899-12-31", "3000-01-01",
		"2024-01-0x", "+024-01-05", "2024-01-05T00:00", "29.02.2024",
	};
	size_t i;
	int32_t d;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 42;
		if (parse(bad[i], &d) != UC_ERR_INVALID)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(d, 0);
	}
	/* The specific parsers only take their own form. */
	assert_int_equal(uc_date_parse_iso("05/01/2024", 10, &d),
	    UC_ERR_INVALID);
	assert_int_equal(uc_date_parse_vn("2024-01-05", 10, &d),
	    UC_ERR_INVALID);
	/* The length given is what is parsed, not the C string. */
	assert_int_equal(uc_date_parse("2024-01-055", 10, &d), 0);
	assert_int_equal(uc_date_parse("2024-01-055", 11, &d),
	    UC_ERR_INVALID);
}

static void
test_round_trip_every_day(void **state)
{
	char iso[UC_DATE_ISO_LEN + 1], vn[UC_DATE_ISO_LEN + 1];
	int32_t d, first, last, p;
	int y, m, dd;

	(void)state;
	assert_int_equal(uc_date_from_ymd(UC_DATE_YEAR_MIN, 1, 1, &first), 0);
	assert_int_equal(uc_date_from_ymd(UC_DATE_YEAR_MAX, 12, 31, &last), 0);
	for (d = first; d <= last; d++) {
		assert_int_equal(uc_date_format_iso(d, iso), 0);
		assert_int_equal(uc_date_format_vn(d, vn), 0);
		assert_int_equal(parse(iso, &p), 0);
		assert_int_equal(p, d);
		assert_int_equal(parse(vn, &p), 0);
		assert_int_equal(p, d);
		uc_date_to_ymd(d, &y, &m, &dd);
		assert_int_equal(uc_date_from_ymd(y, m, dd, &p), 0);
		assert_int_equal(p, d);
	}
	/* 1100 years; leap years 1904..2996 minus 2100,2200,2300,2500,..: */
	assert_int_equal(last - first + 1, 1100 * 365 + 267);
}

static void
test_vietnam_day(void **state)
{
	int32_t today, now;

	(void)state;
	/* 1970-01-01 00:00 UTC is 07:00 in Hanoi. */
	assert_int_equal(uc_date_vn_at(0), 0);
	/* 16:59:59 UTC is 23:59:59 in Vietnam; one second later, next day. */
	assert_int_equal(uc_date_vn_at(17 * 3600 - 1), 0);
	assert_int_equal(uc_date_vn_at(17 * 3600), 1);
	/* Before 1970: floor, not truncation. */
	assert_int_equal(uc_date_vn_at(-7 * 3600), 0);
	assert_int_equal(uc_date_vn_at(-7 * 3600 - 1), -1);
	today = uc_date_today_vn();
	now = uc_date_vn_at(time(NULL));
	assert_true(today == now || today + 1 == now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_known_day_numbers),
		cmocka_unit_test(test_strictness),
		cmocka_unit_test(test_round_trip_every_day),
		cmocka_unit_test(test_vietnam_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
