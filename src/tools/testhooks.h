/*
 * testhooks.h - what the tools take from the environment to steer the
 * library in tests: the ledger's day, the cost of new password hashes,
 * kill points of the station and tear points of the virtual card's
 * reader.  They are compiled only into builds made with
 * `meson -Dtest_hooks=true` (UC_TEST_HOOKS; scripts/test's builds); a
 * production build ignores the variables, says so once on stderr, and so
 * cannot be made to backdate fees or weaken password hashes from the
 * environment.  README.md ("Environment") lists every variable the tools
 * read.
 */
#ifndef UC_TOOL_TESTHOOKS_H
#define UC_TOOL_TESTHOOKS_H

#include "unioncard/ledger.h"
#include "unioncard/station.h"
#include "unioncard/transport.h"
#include "tool.h"

/* 1 when this build honours the test hooks. */
int uc_hook_built(void);

/*
 * UNIONCARD_TODAY=YYYY-MM-DD (o->today) and UNIONCARD_KDF_ITERATIONS=N
 * (o->kdf_iterations).  UC_EXIT_OK, or UC_EXIT_FAIL after saying which
 * value is wrong.
 */
int uc_hook_ledger_opts(const struct uc_tool_global *g,
    struct uc_ledger_open_opts *o);

/*
 * UNIONCARD_TEST_KILL_AT=N[:before|after]: the station raises SIGKILL
 * just before (default) or just after its N-th ledger write of the run,
 * as a power cut or `kill -9` would (so->ledger_step).
 */
int uc_hook_station_opts(const struct uc_tool_global *g,
    struct uc_station_opts *so);

/*
 * UNIONCARD_VCARD_TEAR_AT=K[:before|after][:back]: a vcard: reader t pulls
 * the card at its K-th APDU (uc_vcard_reader_set_opts).  Other readers
 * are left alone.
 */
int uc_hook_vcard_reader(const struct uc_tool_global *g,
    struct uc_transport *t);

#endif /* UC_TOOL_TESTHOOKS_H */
