/*
 * cmd_card.c - `unioncard readers` and `unioncard card info`.
 *
 * Both only call libunioncard and print.  Text output is for people;
 * --json output is one object on stdout for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "unioncard/applet.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

/* Seconds to wait for a card when --wait is not given. */
#define CARD_WAIT_DEFAULT_MS 0
#define CARD_WAIT_MAX_S 3600

/*
 * The ledger area provides `card show|lost|...` in cmd_ledger_card.c when
 * it is built; a weak reference keeps this file independent of it.
 */
int uc_cmd_card_ledger(struct uc_tool_global *g, int argc, char **argv)
    __attribute__((weak));

static int
fail_transport(const struct uc_tool_global *g, int err, const char *what)
{
	const char *detail = TRANSPORT_WHY();
	const char *sock = getenv("PCSCLITE_CSOCK_NAME");

	if (err == UC_ERR_NO_SERVICE) {
		/* The one failure every new station meets: say it plainly. */
		fprintf(stderr, "%s: %s: pcscd not running (no PC/SC service "
		    "at %s); start pcscd\n", g->prog, what,
		    sock != NULL ? sock : "/run/pcscd/pcscd.comm");
		return UC_EXIT_FAIL;
	}
	if (detail[0] != '\0')
		return uc_tool_fail(g, err, "%s (%s)", what, detail);
	return uc_tool_fail(g, err, "%s", what);
}

/* Options a subcommand shares with the global ones. */
static int
common_option(struct uc_tool_global *g, int argc, char **argv, int *k,
    int *handled)
{
	*handled = 1;
	if (strcmp(argv[*k], "--json") == 0) {
		g->json = 1;
	} else if (strcmp(argv[*k], "--trace") == 0) {
		if (*k + 1 >= argc)
			return uc_tool_usage(g, "--trace needs a file");
		g->trace = argv[++*k];
	} else if (strcmp(argv[*k], "--quiet") == 0 ||
	    strcmp(argv[*k], "-q") == 0) {
		g->quiet = 1;
	} else {
		*handled = 0;
	}
	return 0;
}

static void
readers_usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard readers [--json]\n"
	    "\n"
	    "List the smart-card readers pcscd knows, with the ATR of the\n"
	    "card in each.  Reader names are given as 'pcsc:NAME'; any unique\n"
	    "prefix of NAME is accepted by --reader.\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard readers\n"
	    "  unioncard readers --json | jq -r '.readers[].name'\n"
	    "\n"
	    "Exit status: 0 listed (maybe none), 2 pcscd not running or\n"
	    "usage error.\n");
}

int
uc_cmd_readers(struct uc_tool_global *g, int argc, char **argv)
{
	struct uc_reader_info *ri = NULL;
	size_t n = 0, i;
	char hex[2 * UC_ATR_MAX + 1];
	json_t *root = NULL, *arr, *o;
	int k, r, handled, ret = UC_EXIT_FAIL;

	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-h") == 0 ||
		    strcmp(argv[k], "--help") == 0) {
			readers_usage(stdout);
			return UC_EXIT_OK;
		}
		if ((r = common_option(g, argc, argv, &k, &handled)) != 0)
			return r;
		if (!handled)
			return uc_tool_usage(g, "readers: unexpected '%s'",
			    argv[k]);
	}
	/* libnfc logs every bus it finds no board on ("Unable to find USB
	 * busses") to stderr: noise when listing.  A level set by the user
	 * is kept; 0 is libnfc's "none". */
	(void)setenv("LIBNFC_LOG_LEVEL", "0", 0);
	if ((r = uc_readers_list(&ri, &n)) != 0)
		return fail_transport(g, r, "cannot list readers");
	if (g->json) {
		if ((root = json_object()) == NULL ||
		    (arr = json_array()) == NULL ||
		    json_object_set_new(root, "readers", arr) != 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			uc_hex_encode(ri[i].atr, ri[i].atr_len, hex);
			o = json_pack("{s:s, s:b, s:s?}", "name", ri[i].name,
			    "card_present", ri[i].card_present, "atr",
			    ri[i].card_present ? hex : NULL);
			if (o == NULL || json_array_append_new(arr, o) != 0)
				goto nomem;
		}
		if (json_dumpf(root, stdout, JSON_PRESERVE_ORDER) != 0)
			goto nomem;
		putchar('\n');
	} else {
		if (n == 0 && !g->quiet)
			fprintf(stderr, "unioncard: no readers found\n");
		for (i = 0; i < n; i++) {
			uc_hex_encode(ri[i].atr, ri[i].atr_len, hex);
			printf("%s\t%s%s\n", ri[i].name,
			    ri[i].card_present ? "card, ATR " : "no card",
			    ri[i].card_present ? hex : "");
		}
	}
	ret = UC_EXIT_OK;
	goto out;
nomem:
	ret = uc_tool_fail(g, UC_ERR_NOMEM, "readers");
out:
	json_decref(root);
	free(ri);
	return ret;
}

static void
card_usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard card info --reader READER [--wait SECONDS]\n"
	    "                           [--json] [--trace FILE]\n"
	    "\n"
	    "Select the union applet on the card in READER and show what it\n"
	    "says about itself: ATR, serial, lifecycle state, spec version,\n"
	    "APDU sizes and secure-channel parameters.  Nothing is written.\n"
	    "\n"
	    "READER is 'pcsc:NAME' (or just NAME, a unique prefix is enough),\n"
	    "'vcard:FILE' for a virtual card, 'replay:FILE' for a transcript.\n"
	    "--wait waits that long for a card to be inserted (default: no\n"
	    "waiting).\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard card info --reader 'Virtual PCD 00 00'\n"
	    "  unioncard card info --reader vcard:/tmp/card.json --json\n"
	    "  unioncard card info --reader pcsc:ACS --wait 30 \\\n"
	    "      --trace apdu.log\n"
	    "\n"
	    "Exit status: 0 shown, 2 no reader, no card, not a union card,\n"
	    "or usage error.\n");
}

static int
print_info(const struct uc_tool_global *g, const char *reader,
    const uint8_t *atr, size_t atr_len, const struct uc_card_info *ci)
{
	char atrhex[2 * UC_ATR_MAX + 1], serial[2 * UC_APPLET_SERIAL_LEN + 1];
	char aid[2 * UC_APPLET_AID_MAX + 1];
	json_t *root = NULL, *arr = NULL;
	size_t i;
	int ret = UC_EXIT_FAIL;

	uc_hex_encode(atr, atr_len, atrhex);
	uc_hex_encode(ci->serial, sizeof(ci->serial), serial);
	if (!g->json) {
		printf("reader:          %s\n", reader);
		printf("ATR:             %s\n", atrhex);
		printf("serial:          %s\n", serial);
		printf("lifecycle:       %s\n",
		    uc_applet_lifecycle_name(ci->lifecycle));
		printf("spec version:    %u\n", ci->spec_version);
		printf("max command:     %u bytes\n", ci->max_cmd);
		printf("max response:    %u bytes\n", ci->max_resp);
		printf("secure channel:  SCP%02X i=%02X, key version %02X, "
		    "%u tries left\n", ci->scp, ci->scp_i, ci->kvn,
		    ci->tries_left);
		for (i = 0; i < ci->n_bank_aids; i++) {
			uc_hex_encode(ci->bank_aids[i].bytes,
			    ci->bank_aids[i].len, aid);
			printf("bank AID:        %s\n", aid);
		}
		return UC_EXIT_OK;
	}
	if ((arr = json_array()) == NULL)
		goto nomem;
	for (i = 0; i < ci->n_bank_aids; i++) {
		uc_hex_encode(ci->bank_aids[i].bytes, ci->bank_aids[i].len,
		    aid);
		if (json_array_append_new(arr, json_string(aid)) != 0)
			goto nomem;
	}
	root = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, "
	    "s:i, s:O}",
	    "reader", reader, "atr", atrhex, "serial", serial,
	    "lifecycle", uc_applet_lifecycle_name(ci->lifecycle),
	    "spec_version", (int)ci->spec_version,
	    "max_command", (int)ci->max_cmd,
	    "max_response", (int)ci->max_resp,
	    "scp", (int)ci->scp, "scp_i", (int)ci->scp_i,
	    "key_version", (int)ci->kvn, "tries_left", (int)ci->tries_left,
	    "bank_aids", arr);
	if (root == NULL || json_dumpf(root, stdout, JSON_PRESERVE_ORDER) != 0)
		goto nomem;
	putchar('\n');
	ret = UC_EXIT_OK;
	goto out;
nomem:
	ret = uc_tool_fail(g, UC_ERR_NOMEM, "card info");
out:
	json_decref(arr);
	json_decref(root);
	return ret;
}

static int
card_info(struct uc_tool_global *g, int argc, char **argv)
{
	const char *reader = NULL;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_card_info ci;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len = 0;
	uint16_t sw = 0;
	long wait_s = 0;
	char *end;
	int k, r, handled, ret = UC_EXIT_FAIL;

	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-h") == 0 ||
		    strcmp(argv[k], "--help") == 0) {
			card_usage(stdout);
			return UC_EXIT_OK;
		}
		if ((r = common_option(g, argc, argv, &k, &handled)) != 0)
			return r;
		if (handled)
			continue;
		if (strcmp(argv[k], "--reader") == 0 ||
		    strcmp(argv[k], "-r") == 0) {
			if (k + 1 >= argc)
				return uc_tool_usage(g,
				    "--reader needs a name");
			reader = argv[++k];
		} else if (strcmp(argv[k], "--wait") == 0) {
			if (k + 1 >= argc)
				return uc_tool_usage(g, "--wait needs seconds");
			wait_s = strtol(argv[++k], &end, 10);
			if (*argv[k] == '\0' || *end != '\0' || wait_s < 0 ||
			    wait_s > CARD_WAIT_MAX_S)
				return uc_tool_usage(g, "--wait: 0 to %d "
				    "seconds", CARD_WAIT_MAX_S);
		} else {
			return uc_tool_usage(g, "card info: unexpected '%s'",
			    argv[k]);
		}
	}
	if (reader == NULL)
		return uc_tool_usage(g, "card info needs --reader READER "
		    "(see 'unioncard readers')");
	if (g->trace != NULL && (r = uc_trace_open(g->trace, &trace)) != 0)
		return uc_tool_fail(g, r, "cannot open trace file %s",
		    g->trace);
	if ((r = uc_transport_open(reader, &t)) != 0) {
		ret = fail_transport(g, r, reader);
		goto out;
	}
	uc_transport_set_trace(t, trace);
	r = uc_transport_connect(t, wait_s > 0 ? (int)(wait_s * 1000) :
	    CARD_WAIT_DEFAULT_MS, atr, &atr_len);
	if (r != 0) {
		ret = fail_transport(g, r == UC_ERR_TIMEOUT ? UC_ERR_NO_CARD :
		    r, uc_transport_name(t));
		goto out;
	}
	if ((r = uc_applet_select(t, &ci, &sw)) != 0) {
		if (r == UC_ERR_SW_NOT_FOUND)
			ret = uc_tool_fail(g, r, "%s: not a union card (SELECT "
			    "answered %04X)", uc_transport_name(t), sw);
		else if (sw != 0 && sw != UC_SW_OK)
			ret = uc_tool_fail(g, r, "%s: SELECT answered %04X",
			    uc_transport_name(t), sw);
		else
			ret = fail_transport(g, r, uc_transport_name(t));
		goto out;
	}
	ret = print_info(g, uc_transport_name(t), atr, atr_len, &ci);
	uc_transport_disconnect(t, 0);
out:
	uc_transport_free(&t);
	uc_trace_free(&trace);
	return ret;
}

int
uc_cmd_card(struct uc_tool_global *g, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		card_usage(argc < 2 ? stderr : stdout);
		if (uc_cmd_card_ledger != NULL)
			fprintf(argc < 2 ? stderr : stdout, "\nLedger "
			    "commands: 'unioncard card show --help'.\n");
		return argc < 2 ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (strcmp(argv[1], "info") == 0)
		return card_info(g, argc - 1, argv + 1);
	if (uc_cmd_card_ledger != NULL)
		return uc_cmd_card_ledger(g, argc, argv);
	return uc_tool_usage(g, "card: unknown subcommand '%s'", argv[1]);
}
