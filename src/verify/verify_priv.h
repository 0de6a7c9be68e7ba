/*
 * verify_priv.h - what the verifier's files share and callers do not see.
 */
#ifndef UC_VERIFY_PRIV_H
#define UC_VERIFY_PRIV_H

#include <time.h>

#include "unioncard/verify.h"

/*
 * Set res->verdict, res->valid and res->lead from the checks' outcomes
 * (applets-spec/verdicts.md §2): the one place a verdict is decided.
 */
void uc_verify_conclude(struct uc_verify_result *res);

/*
 * The verifier's days (the chip's and the printed card's): today in
 * Vietnam as "YYYYMMDD"; noon in Vietnam (05:00 UTC) of a day
 * "YYYYMMDD", for certificate checks when the officer asks about
 * another day; a day "YYYYMMDD" shown as "YYYY-MM-DD".
 */
void uc_verify_today_vn(char out[9]);
time_t uc_verify_noon_vn(const char *d);
void uc_verify_day_shown(const char *d, char out[11]);

#endif /* UC_VERIFY_PRIV_H */
