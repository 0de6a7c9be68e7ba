/*
 * tool.h - what the command-line tools share: exit codes, error printing,
 * and the global options every tool takes.
 *
 * Tools parse arguments, call libunioncard and print.  Nothing here is part
 * of the library's API.
 */
#ifndef UC_TOOL_H
#define UC_TOOL_H

#include <stdio.h>

#include "unioncard/error.h"

/* Exit codes shared by every tool. */
#define UC_EXIT_OK 0      /* done; a check said yes */
#define UC_EXIT_NO 1      /* a check said no (invalid card, broken audit) */
#define UC_EXIT_FAIL 2    /* could not run (usage, I/O, no reader) */

struct uc_tool_global {
	const char *prog;   /* "unioncard" */
	const char *as;     /* --as USER (ledger commands) */
	const char *ledger; /* --ledger PATH, else $UNIONCARD_LEDGER, else ./unioncard.db */
	const char *trace;  /* --trace FILE */
	int json;           /* --json */
	int quiet;
};

/* "prog: what: error text" on stderr; returns UC_EXIT_FAIL. */
int uc_tool_fail(const struct uc_tool_global *g, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with a diagnostic ("file:line: field: msg") appended. */
int uc_tool_fail_diag(const struct uc_tool_global *g, int err,
    const struct uc_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "prog: usage error: ..." + hint to --help; returns UC_EXIT_FAIL. */
int uc_tool_usage(const struct uc_tool_global *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The ledger path after applying the default rules. */
const char *uc_tool_ledger_path(const struct uc_tool_global *g);

/*
 * For a tool that holds keys or passwords: no core dump (RLIMIT_CORE 0)
 * and not dumpable (prctl PR_SET_DUMPABLE 0: no core, no ptrace attach
 * by the same user, /proc/PID/mem closed).
 */
void uc_tool_no_core_dumps(void);

/* Exit code for an error code: UC_ERR_VERIFY etc. -> 1, others -> 2. */
int uc_tool_exit_code(int err);

/* $UNIONCARD_PKCS11_MODULE: the PKCS#11 module for a pkcs11: signer URI
 * that names none (NULL: unset; the library's default then). */
const char *uc_tool_pkcs11_module(void);

#endif /* UC_TOOL_H */
