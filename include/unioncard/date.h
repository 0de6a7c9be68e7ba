/*
 * unioncard/date.h - calendar dates as they appear in member lists and
 * bank files.
 *
 * A date is an int32_t day number: days since 1970-01-01 (proleptic
 * Gregorian; negative before 1970), so dates compare and subtract as
 * integers and fit an SQLite INTEGER.  Text forms:
 *   ISO 8601   YYYY-MM-DD   (what we store and export)
 *   Vietnamese DD/MM/YYYY   (what spreadsheets in Vietnam contain)
 * Parsing is strict: exactly those digit counts, a real calendar date
 * (29/02 only in leap years), year UC_DATE_YEAR_MIN..UC_DATE_YEAR_MAX,
 * nothing before or after (no spaces; callers trim first).
 */
#ifndef UNIONCARD_DATE_H
#define UNIONCARD_DATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_DATE_YEAR_MIN 1900
#define UC_DATE_YEAR_MAX 2999
#define UC_DATE_ISO_LEN 10 /* "YYYY-MM-DD", without the NUL */
/* Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving since 1975). */
#define UC_DATE_VN_UTC_OFFSET (7 * 3600)

/* Returns 0 or UC_ERR_INVALID; *days cleared to 0 on error. */
UC_API int uc_date_parse_iso(const char *s, size_t len, int32_t *days);
UC_API int uc_date_parse_vn(const char *s, size_t len, int32_t *days);
/* Either form, decided by the separator. */
UC_API int uc_date_parse(const char *s, size_t len, int32_t *days);

/* From/to year, month (1-12), day (1-31).  UC_ERR_INVALID if not real. */
UC_API int uc_date_from_ymd(int year, int month, int day, int32_t *days);
UC_API void uc_date_to_ymd(int32_t days, int *year, int *month, int *day);

/*
 * "YYYY-MM-DD" / "DD/MM/YYYY" into out (at least UC_DATE_ISO_LEN + 1
 * bytes).  UC_ERR_RANGE if the year is outside 0..9999.
 */
UC_API int uc_date_format_iso(int32_t days, char out[UC_DATE_ISO_LEN + 1]);
UC_API int uc_date_format_vn(int32_t days, char out[UC_DATE_ISO_LEN + 1]);

/* The date in Vietnam (UTC+7) at Unix time t. */
UC_API int32_t uc_date_vn_at(time_t t);
/* Today's date in Vietnam (UTC+7). */
UC_API int32_t uc_date_today_vn(void);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_DATE_H */
