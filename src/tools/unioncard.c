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

static int
cmd_version(struct uc_tool_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	printf("unioncard %s\n", UC_VERSION);
	return UC_EXIT_OK;
}

static const struct uc_cmd commands[] = {
	/* Each area adds its top-level words here. */
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
	{ "account", uc_cmd_account, "add accounts to units" },
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
	    "  -h, --help       this text; 'unioncard COMMAND --help' for a command\n"
	    "  --version        print the version\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard readers\n"
	    "  unioncard card info --reader 'pcsc:Virtual PCD 00 00'\n"
	    "  unioncard card info --reader vcard:/tmp/card.json --json\n"
	    "\n"
	    "Exit status: 0 done, 1 a check said no, 2 could not run.\n");
}

int
main(int argc, char **argv)
{
	struct uc_tool_global g;
	size_t i;
	int k;

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
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[k], commands[i].name) == 0)
			return commands[i].fn(&g, argc - k, argv + k);
	}
	return uc_tool_usage(&g, "unknown command '%s'", argv[k]);
}
