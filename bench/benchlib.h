/*
 * benchlib.h - what the benchmarks share: a clock, SQL without results,
 * and loading a station's keys from a key directory.
 */
#ifndef UC_BENCHLIB_H
#define UC_BENCHLIB_H

#include <sqlite3.h>

#include "unioncard/error.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/verify.h"

/* Monotonic seconds (only differences mean anything). */
double bench_now(void);

/* Run sql on db; on an error print "prog: message" and exit 2. */
void bench_exec_sql(const char *prog, sqlite3 *db, const char *sql);

/*
 * From key directory `keys` (made by uc_keys_init with passphrase pass):
 * the station-01 signer, the SCP03 master keys and the trust roots
 * (root.pem).  On failure returns the error, with *what naming the key
 * that failed and d its diagnostic.
 */
int bench_station_keys(const char *keys, const char *pass,
    struct uc_signer **signer, struct uc_scp03_keys *master,
    struct uc_trust **trust, struct uc_diag *d, const char **what);

#endif /* UC_BENCHLIB_H */
