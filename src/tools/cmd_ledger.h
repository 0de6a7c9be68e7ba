/*
 * cmd_ledger.h - what the ledger's subcommands share: opening the ledger
 * as an account, reading passwords, printing listings.
 */
#ifndef UC_CMD_LEDGER_H
#define UC_CMD_LEDGER_H

#include <stddef.h>

#include <jansson.h>

#include "unioncard/ledger.h"
#include "tool.h"

#define LGT_PASSWORD_MAX 1024

/*
 * Open the ledger at the global path (create != 0: create it) and, with
 * login != 0, log in as --as USER with the password from
 * $UNIONCARD_PASSWORD or a no-echo prompt.  On failure prints the reason
 * and returns an exit code (nonzero); 0 on success.
 */
int lgt_open(struct uc_tool_global *g, struct uc_ledger **l, int create,
    int login);
/* lgt_open, with the group for a new ledger (create) and the full page
 * check (PRAGMA integrity_check) instead of the quick one. */
int lgt_open_ex(struct uc_tool_global *g, struct uc_ledger **l, int create,
    int login, const char *group, int full_check);
/* Open path (no login), printing what is wrong on failure. */
int lgt_open_path(struct uc_tool_global *g, struct uc_ledger **l,
    const char *path, int create, const char *group, int full_check);

/*
 * Read a password: from the environment variable env if set (which is
 * then wiped and removed from the environment), else from a no-echo
 * prompt on the terminal (twice when confirm != 0).  Never from the
 * command line.  Returns 0 or UC_ERR_PASSPHRASE.
 */
int lgt_password(const char *env, const char *prompt, int confirm,
    char *buf, size_t cap);

/*
 * A new account password (account add, account passwd, init): the first
 * line of file ("-": standard input) when given, else asked twice on the
 * terminal, naming user.  Never from the environment.  Prints the reason
 * and returns an exit code on failure; 0 on success.
 */
int lgt_new_password(struct uc_tool_global *g, const char *file,
    const char *user, char *buf, size_t cap);

/* Wipe environment variable env's value and remove it (unsetenv). */
void lgt_env_wipe(const char *env);

/*
 * The directory path names (parent != 0: the directory path is in) must
 * exist: else print "WHAT PATH: directory D does not exist" and return
 * an exit code.  0 when it does (or path is NULL).
 */
int lgt_need_dir(struct uc_tool_global *g, const char *path, int parent,
    const char *what);

/* Report err with the ledger's explanation; returns the exit code. */
int lgt_fail(struct uc_tool_global *g, struct uc_ledger *l, int err,
    const char *what);

/* 1 if --json was given globally or in argv. */
int lgt_json(const struct uc_tool_global *g, int argc, char **argv);

/* Print a JSON value on one line of stdout (the tools' one JSON style:
 * one object a line); returns an exit code. */
int lgt_print_json(const json_t *v);

/*
 * Print an array of objects as a table with the given keys (tab
 * separated, with a header), or as JSON when json != 0.
 */
int lgt_print_list(const json_t *a, const char *const *keys, size_t n,
    int json);

/* Print s on stdout with control characters (C0, DEL, C1) as '?'. */
void lgt_print_text(const char *s);

/* Value of option name in argv[from..], or NULL. */
const char *lgt_opt(int argc, char **argv, const char *name);
/* 1 if flag name appears in argv. */
int lgt_flag(int argc, char **argv, const char *name);
/*
 * Check that every argument starting with "--" is one of known (NULL-
 * terminated; names ending in '=' take a value) and that at most
 * max_pos positional arguments appear.  Prints a usage error.
 */
int lgt_check(struct uc_tool_global *g, int argc, char **argv, int from,
    const char *const *known, int max_pos);
/* The i-th positional argument from argv[from], or NULL. */
const char *lgt_pos(int argc, char **argv, int from, const char *const *known,
    int i);

/*
 * An import's problems (uc_ledger_diag_fn): lgt_import_diag keeps them in
 * an lgt_import_errs; lgt_import_fail prints "WHAT rejected, nothing
 * changed: N problems", one line per problem kept and "... and N more",
 * and returns the exit status.  lgt_import_errs_free frees the list.
 */
struct lgt_import_errs {
	struct uc_diag *v;
	size_t n;
};
void lgt_import_diag(void *ctx, const struct uc_diag *d);
int lgt_import_fail(struct uc_tool_global *g, struct uc_ledger *l, int err,
    const struct lgt_import_errs *e, size_t total, const char *what);
void lgt_import_errs_free(struct lgt_import_errs *e);
int uc_cmd_fee_pay(struct uc_tool_global *g, int argc, char **argv);

int uc_cmd_init(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_unit(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_account(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_token(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_member(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_request(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_fee(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_target(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_report(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_audit(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_status_list(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_card_ledger(struct uc_tool_global *g, int argc, char **argv);

#endif /* UC_CMD_LEDGER_H */
