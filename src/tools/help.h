/*
 * help.h - the one table of `unioncard` subcommand help texts, and the
 * checks the dispatcher makes with it before a subcommand runs.
 *
 * Each entry names a command path ("member import"), its synopsis, what it
 * does, the options it takes and an example.  The dispatcher answers
 * `unioncard PATH... --help` and `unioncard help PATH...` from it, and
 * refuses an option the entry does not list (or a value outside the
 * listed ones) before the subcommand sees it, so no option is ever
 * silently ignored.  A path with no entry falls back to the command's own
 * usage text; adding a command means adding one entry here.
 */
#ifndef UC_HELP_H
#define UC_HELP_H

#include <stddef.h>
#include <stdio.h>

#include "tool.h"

struct uc_help {
	/* The words after "unioncard": "member import". */
	const char *path;
	/* One or more "unioncard ..." lines, '\n'-separated. */
	const char *synopsis;
	/*
	 * What it does, options explained; NULL when the command's own
	 * --help is the full text (the entry then only registers the path).
	 */
	const char *text;
	/*
	 * The options it takes, space-separated: "--json" (a flag),
	 * "--unit=CODE" (a value), "--status=entered|approved" (one of these
	 * values), "--national-id=ID..." (one or more values).  NULL: the
	 * command checks its options itself.
	 */
	const char *options;
	/* One or more example command lines, '\n'-separated. */
	const char *example;
	/*
	 * How many arguments (words that are not options or their values)
	 * it takes after its path; checked with the options.  Left out: 0.
	 */
	int max_args;
};

/* The table, and its length. */
extern const struct uc_help uc_help_table[];
extern const size_t uc_help_count;

/*
 * The entry for the longest run of words argv[0..] that names a path, or
 * NULL; *nwords gets the number of words it matched.  Borrowed pointer.
 */
const struct uc_help *uc_help_find(int argc, char **argv, int *nwords);

/* The entry whose path is exactly path, or NULL.  Borrowed pointer. */
const struct uc_help *uc_help_lookup(const char *path);

/* 1 if some entry's path continues h's path by one or more words. */
int uc_help_is_group(const struct uc_help *h);

/*
 * Print the help for h (for a group: its subcommands and their examples)
 * on f.
 */
void uc_help_print(FILE *f, const struct uc_help *h);

/*
 * Check argv[from..argc) (the words after the path) against h->options.
 * 0 if every option is listed, every value allowed and there are no more
 * arguments than h->max_args, else prints a usage error naming what is
 * allowed and returns UC_EXIT_FAIL.
 */
int uc_help_check_options(const struct uc_tool_global *g,
    const struct uc_help *h, int argc, char **argv, int from);

/* Print every path, one a line ("member import"). */
void uc_help_list(FILE *f);

#endif /* UC_HELP_H */
