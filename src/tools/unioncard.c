/*
 * unioncard - the issuance station's command-line tool.
 *
 * Parses the global options, then hands over to one subcommand.  Every
 * subcommand lives in its own cmd_*.c file and only calls libunioncard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "commands.h"
#include "cmd_ledger.h"
#include "help.h"

static int
cmd_version(struct uc_tool_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	printf("unioncard %s\n", UC_VERSION);
	return UC_EXIT_OK;
}

static int cmd_help(struct uc_tool_global *g, int argc, char **argv);

static const struct uc_cmd commands[] = {
	/* Each area adds its top-level words here, and each subcommand's
	 * help text to the table in help.c. */
	{ "help", cmd_help, "help on a command: 'unioncard help member import'" },
	{ "version", cmd_version, "print the version" },
	{ "readers", uc_cmd_readers, "list smart-card readers and cards" },
	{ "card", uc_cmd_card, "card info (the chip) and card show|list|lost|... (the ledger)" },
	{ "keys", uc_cmd_keys, "issuer keys: root CA, station signers, CRL, bank link" },
	{ "perso", uc_cmd_perso, "personalize a blank card for one member" },
	{ "encode", uc_cmd_encode, "the station: encode an accepted request's cards" },
	{ "face", uc_cmd_face, "the printed card: render faces with the signed QR code" },
	{ "print", uc_cmd_print, "print a request's card faces through CUPS; misprints" },
	/* ledger (cmd_ledger_*.c) */
	{ "init", uc_cmd_init, "create the issuance ledger" },
	{ "unit", uc_cmd_unit, "add, import and list union units" },
	{ "account", uc_cmd_account, "accounts: add, list, passwd, disable, enable" },
	{ "member", uc_cmd_member, "import, submit, approve and list members" },
	{ "request", uc_cmd_request, "card-print requests" },
	{ "fee", uc_cmd_fee, "the fee schedule" },
	{ "target", uc_cmd_target, "yearly member targets" },
	{ "report", uc_cmd_report, "progress, fee and card reports" },
	{ "audit", uc_cmd_audit, "verify or export the audit trail" },
	{ "status-list", uc_cmd_status_list, "export the card status list" },
	{ "bank", uc_cmd_bank, "linked cards: order, import the bank's file, reconcile" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "Usage: unioncard [GLOBAL OPTIONS] COMMAND [ARGS]\n"
	    "\n"
	    "Personalize, issue and track Vietnamese trade-union member cards.\n"
	    "\n"
	    "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\n"
	    "Global options:\n"
	    "  --as USER        act as this ledger account (password from\n"
	    "                   $UNIONCARD_PASSWORD or a prompt)\n"
	    "  --ledger PATH    ledger file (default $UNIONCARD_LEDGER, else ./unioncard.db)\n"
	    "  --trace FILE     write every APDU to FILE (secrets masked)\n"
	    "  --json           machine-readable output where offered\n"
	    "  -h, --help       this text; 'unioncard COMMAND [SUBCOMMAND] --help'\n"
	    "                   (or 'unioncard help COMMAND') for a command\n"
	    "  --version        print the version\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard readers\n"
	    "  unioncard card info --reader 'pcsc:Virtual PCD 00 00'\n"
	    "  unioncard card info --reader vcard:/tmp/card.json --json\n"
	    "  unioncard help member import\n"
	    "\n"
	    "Exit status: 0 done, 1 a check said no, 2 could not run.\n");
}

static const struct uc_cmd *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* 1 if argv[1..] asks for help (before a "--" that ends the options). */
static int
help_asked(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/*
 * The help of the path argv[0..] names (argv[0] is the command c):
 * the table's entry, else the command's own usage text.  A group's word
 * that the table does not know (a subcommand without an entry) also gets
 * the command's own text.
 */
static int
show_help(struct uc_tool_global *g, const struct uc_cmd *c, int argc,
    char **argv)
{
	char *own[4];
	const struct uc_help *h;
	int n, i, words = 0;

	/* the path: the words before the first option */
	while (words < argc && argv[words][0] != '-')
		words++;
	h = uc_help_find(words, argv, &n);
	if (h != NULL && n < words && uc_help_is_group(h))
		h = NULL;	/* "member edit" with no entry: member's own */
	if (h != NULL && h->text != NULL) {
		uc_help_print(stdout, h);
		return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
	}
	/* the command's own --help: argv[0], the entry's words, --help */
	n = h != NULL ? n : 1;
	for (i = 0; i < n && i < 3; i++)
		own[i] = argv[i];
	own[i] = "--help";
	return c->fn(g, i + 1, own);
}

/* Refuse options the table's entry for the path does not list. */
static int
check_options(struct uc_tool_global *g, int argc, char **argv)
{
	const struct uc_help *h;
	int words = 0, n;

	while (words < argc && argv[words][0] != '-')
		words++;
	if ((h = uc_help_find(words, argv, &n)) == NULL)
		return 0;
	/* a group's own entry checks nothing: its subcommand is unknown
	 * to the table or missing, and the command says which */
	if (uc_help_is_group(h))
		return 0;
	return uc_help_check_options(g, h, argc, argv, n);
}

static int
cmd_help(struct uc_tool_global *g, int argc, char **argv)
{
	const struct uc_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return UC_EXIT_OK;
	}
	if (strcmp(argv[1], "--list") == 0) {
		size_t i;

		/* every top-level word, then every path of the table */
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			if (uc_help_lookup(commands[i].name) == NULL)
				printf("%s\n", commands[i].name);
		}
		uc_help_list(stdout);
		return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return show_help(g, &commands[0], argc, argv);
	if ((c = find_command(argv[1])) == NULL)
		return uc_tool_usage(g, "help: unknown command '%s'", argv[1]);
	return show_help(g, c, argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
	struct uc_tool_global g;
	const struct uc_cmd *c;
	int k, r;

	/* This tool holds keys, passwords and passphrases: no core dump. */
	uc_tool_no_core_dumps();
	memset(&g, 0, sizeof(g));
	g.prog = "unioncard";
	for (k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return UC_EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("unioncard %s\n", UC_VERSION);
			return UC_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			g.json = 1;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			g.quiet = 1;
		} else if (strcmp(a, "--as") == 0 || strcmp(a, "--ledger") == 0 ||
		    strcmp(a, "--trace") == 0) {
			if (k + 1 >= argc)
				return uc_tool_usage(&g, "%s needs a value", a);
			if (strcmp(a, "--as") == 0)
				g.as = argv[++k];
			else if (strcmp(a, "--ledger") == 0)
				g.ledger = argv[++k];
			else
				g.trace = argv[++k];
		} else if (a[0] == '-') {
			return uc_tool_usage(&g, "unknown global option '%s'", a);
		} else {
			break;
		}
	}
	if (k >= argc) {
		usage(stderr);
		return UC_EXIT_FAIL;
	}
	if ((c = find_command(argv[k])) == NULL)
		return uc_tool_usage(&g, "unknown command '%s'", argv[k]);
	/* 'help' reads its own words: 'help member import --help' */
	if (c->fn != cmd_help) {
		if (help_asked(argc - k, argv + k))
			return show_help(&g, c, argc - k, argv + k);
		if ((r = check_options(&g, argc - k, argv + k)) != 0)
			return r;
	}
	return c->fn(&g, argc - k, argv + k);
}
