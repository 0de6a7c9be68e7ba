/*
 * commands.h - the `unioncard` subcommands, one function per top-level
 * word.  Each gets argc/argv starting at its own name (argv[0] = "readers")
 * and the global options parsed before it.  Return: an exit code.
 */
#ifndef UC_COMMANDS_H
#define UC_COMMANDS_H

#include "tool.h"

typedef int (*uc_cmd_fn)(struct uc_tool_global *g, int argc, char **argv);

struct uc_cmd {
	const char *name;
	uc_cmd_fn fn;
	const char *summary;
};

/* foundation: cmd_card.c */
int uc_cmd_readers(struct uc_tool_global *g, int argc, char **argv);
/* `card info` lives in cmd_card.c; the ledger's `card show|lost|...` go
 * through uc_cmd_card_ledger (cmd_ledger_card.c) when built. */
int uc_cmd_card(struct uc_tool_global *g, int argc, char **argv);
/* ledger: cmd_ledger_card.c (everything but `card info`) */
int uc_cmd_card_ledger(struct uc_tool_global *g, int argc, char **argv);

/* signing: cmd_keys.c */
int uc_cmd_keys(struct uc_tool_global *g, int argc, char **argv);
/* engine: cmd_perso.c */
int uc_cmd_perso(struct uc_tool_global *g, int argc, char **argv);

/* the bank liaison: cmd_ledger_bank.c */
int uc_cmd_bank(struct uc_tool_global *g, int argc, char **argv);

/* the issuance station: cmd_encode.c */
int uc_cmd_encode(struct uc_tool_global *g, int argc, char **argv);

/* the printed card: cmd_face.c */
int uc_cmd_face(struct uc_tool_global *g, int argc, char **argv);
int uc_cmd_print(struct uc_tool_global *g, int argc, char **argv);
/* `member photo KEY FILE` (argv[1] = "photo") */
int uc_cmd_member_photo(struct uc_tool_global *g, int argc, char **argv);

#endif /* UC_COMMANDS_H */
