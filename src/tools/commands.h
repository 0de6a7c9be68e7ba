/*
 * commands.h - the `unioncard` subcommands, one function per top-level
 * word.  Each gets argc/argv starting at its own name (argv[0] = "readers")
 * and the global options parsed before it.  Return: an exit code.
 */
#ifndef UC_COMMANDS_H
#define UC_COMMANDS_H

#include <stdint.h>

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
/* encode --print: each card's face printed as it is encoded (cmd_face.c). */
struct uc_ledger;
struct uc_signer;
struct uc_print_pass;
struct uc_print_pass_opts {
	const char *queue;          /* CUPS queue, or NULL */
	const char *server;         /* CUPS server, NULL: $CUPS_SERVER */
	const char *out;            /* keep the PDFs here, or NULL */
	const char *template_path;  /* NULL: the built-in template */
};
int uc_print_pass_open(struct uc_tool_global *g, struct uc_ledger *l,
    struct uc_signer *signer, const struct uc_print_pass_opts *o,
    struct uc_print_pass **out);
/* Print card SERIAL of request RID unless printed before; exit code. */
int uc_print_pass_card(struct uc_print_pass *p, int64_t rid,
    const char *serial);
void uc_print_pass_free(struct uc_print_pass **p);
/* member import --photos DIR: DIR's photos, read and checked (cmd_face.c) */
struct uc_ledger_member_photo;
struct uc_import_photos {
	struct uc_ledger_member_photo *v;
	size_t n;
};
int uc_import_photos_read(struct uc_tool_global *g, const char *dir,
    struct uc_import_photos *p);
void uc_import_photos_free(struct uc_import_photos *p);
/* `member photo KEY FILE` (argv[1] = "photo") */
int uc_cmd_member_photo(struct uc_tool_global *g, int argc, char **argv);

#endif /* UC_COMMANDS_H */
