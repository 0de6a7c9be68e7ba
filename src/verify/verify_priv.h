/*
 * verify_priv.h - what the verifier's files share and callers do not see.
 */
#ifndef UC_VERIFY_PRIV_H
#define UC_VERIFY_PRIV_H

#include "unioncard/verify.h"

/*
 * Set res->verdict, res->valid and res->lead from the checks' outcomes
 * (applets-spec/verdicts.md §2): the one place a verdict is decided.
 */
void uc_verify_conclude(struct uc_verify_result *res);

#endif /* UC_VERIFY_PRIV_H */
