/*
 * cmd_perso.c - `unioncard perso`: write one member onto one blank card.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "unioncard/keys.h"
#include "unioncard/member.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"

#include "commands.h"
#include "passphrase.h"
#include "stationkeys.h"

#define CONNECT_TIMEOUT_MS 10000

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard perso --reader READER --member FILE.json "
	    "--keys DIR\n"
	    "                       [--station NAME] [--signer KEY|PKCS11-URI]\n"
	    "                       [--passphrase-file FILE] [--pan-file FILE|-]\n"
	    "                       [--bank-key FILE]\n"
	    "                       [--trace FILE] [--json]\n"
	    "\n"
	    "Personalize one blank card for the member described in FILE.json\n"
	    "(docs/member-file.md): open a secure channel with the card's keys\n"
	    "(diversified from DIR/scp-master.json by the card serial), let the\n"
	    "card generate its key pair, write the identity, sign the security\n"
	    "object with the station's document signer and lock the card.\n"
	    "A wrong master key is detected before anything is written.\n"
	    "\n"
	    "Options:\n"
	    "  --reader READER      pcsc:NAME, vcard:STATE.json, nfc:CONN\n"
	    "  --member FILE        the member file (JSON)\n"
	    "  --keys DIR           the key directory made by 'unioncard keys init'\n"
	    "  --station NAME       signer DIR/signers/NAME.key (default $UNIONCARD_STATION,\n"
	    "                       else " UC_TOOL_DEFAULT_STATION ")\n"
	    "  --signer SPEC        another signer: a key file or a pkcs11: URI\n"
	    "  --passphrase-file F  read the key passphrase from F; else\n"
	    "                       $UNIONCARD_PASSPHRASE, else a prompt\n"
	    "  --pan-file FILE|-    linked cards: the PAN the card must have, on\n"
	    "                       the first line of FILE ('-': standard input;\n"
	    "                       never on the command line, where ps and the\n"
	    "                       shell's history would show it); the engine\n"
	    "                       reads the card's own from its bank application\n"
	    "  --bank-key FILE      linked cards: the bank-link HMAC key (hex,\n"
	    "                       16-64 bytes; default DIR/bank-link.key);\n"
	    "                       prints the PAN's HMAC for the ledger\n"
	    "                       (never the PAN)\n"
	    "  --trace FILE         write every APDU to FILE (secrets masked)\n"
	    "  --json               print the result as JSON\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard-vcard new card.json\n"
	    "  UNIONCARD_PASSPHRASE=... unioncard perso --reader vcard:card.json \\\n"
	    "      --member docs/examples/member.json --keys keys/\n"
	    "  unioncard perso --reader 'pcsc:Virtual PCD 00 00' --member m.json \\\n"
	    "      --keys /etc/unioncard/keys --station hanoi-02 --trace perso.log\n"
	    "  unioncard perso --reader vcard:linked.json --member linked.json \\\n"
	    "      --keys keys/ --pan-file - < pan.txt\n"
	    "\n"
	    "Exit status: 0 personalized, 2 not (nothing or part written: see the\n"
	    "message for the stage reached).\n");
}

/* The PAN from the first line of file ("-": standard input): digits. */
static int
read_pan(struct uc_tool_global *g, const char *file, char *pan, size_t cap)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	size_t n, i;
	int ok;

	pan[0] = '\0';
	if (f == NULL)
		return uc_tool_fail(g, UC_ERR_IO, "--pan-file %s", file);
	ok = fgets(pan, (int)cap, f) != NULL;
	if (f != stdin)
		fclose(f);
	n = ok ? strcspn(pan, "\r\n") : 0;
	pan[n] = '\0';
	for (i = 0; i < n; i++)
		if (pan[i] < '0' || pan[i] > '9')
			ok = 0;
	if (!ok || n < 12 || n > 19) {
		OPENSSL_cleanse(pan, cap);
		return uc_tool_fail(g, UC_ERR_INVALID, "--pan-file %s: the first"
		    " line must be the card number, 12 to 19 digits", file);
	}
	return 0;
}

int
uc_cmd_perso(struct uc_tool_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "member", required_argument, NULL, 'm' },
		UC_TOOL_KEYS_LONGOPTS,
		{ "pan", required_argument, NULL, 'p' },
		{ "pan-file", required_argument, NULL, 'F' },
		{ "trace", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reader = NULL, *member_path = NULL, *pan_file = NULL;
	char pan[32];
	const char *trace_path = g->trace;
	char *hex = NULL;
	struct uc_member m;
	struct uc_tool_keys_spec ks;
	struct uc_tool_station_keys keys;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_perso_result res;
	struct uc_diag d;
	int c, r, rc = UC_EXIT_FAIL, json = g->json;

	memset(&keys, 0, sizeof(keys));
	memset(&res, 0, sizeof(res));
	pan[0] = '\0';
	memset(&ks, 0, sizeof(ks));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (uc_tool_keys_option(&ks, c, optarg))
			continue;
		switch (c) {
		case 'r': reader = optarg; break;
		case 'm': member_path = optarg; break;
		case 'p':
			/* The old form, for the one value that is no PAN. */
			if (strcmp(optarg, "-") != 0)
				return uc_tool_usage(g, "a PAN is never taken "
				    "on the command line (ps and the shell's "
				    "history show it): use --pan-file FILE, or "
				    "--pan-file - to read it from standard "
				    "input");
			pan_file = optarg;
			break;
		case 'F': pan_file = optarg; break;
		case 't': trace_path = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(g, "see 'unioncard perso --help'");
		}
	}
	if (optind != argc)
		return uc_tool_usage(g, "unexpected argument '%s'",
		    argv[optind]);
	if (reader == NULL || member_path == NULL || ks.dir == NULL)
		return uc_tool_usage(g, "perso needs --reader, --member and "
		    "--keys");

	/* Inputs first: a bad member file must not cost a card. */
	if ((r = uc_member_load(member_path, &m, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "member file");
		goto out;
	}
	/* a linked card: the hierarchy's bank-link key unless told otherwise */
	ks.want_bank_key = m.card_type == UC_CARD_TYPE_LINKED;
	if ((rc = uc_tool_station_keys_load(g, &ks, &keys)) != UC_EXIT_OK)
		goto out;
	rc = UC_EXIT_FAIL;

	if ((r = uc_transport_open(reader, &t)) != 0) {
		rc = uc_tool_fail(g, r, "reader %s", reader);
		goto out;
	}
	if ((rc = uc_tool_trace_attach(g, trace_path, t, &trace)) !=
	    UC_EXIT_OK)
		goto out;
	rc = UC_EXIT_FAIL;
	if ((r = uc_transport_connect(t, CONNECT_TIMEOUT_MS, NULL,
	    NULL)) != 0) {
		rc = uc_tool_fail(g, r, "reader %s", reader);
		goto out;
	}
	if (pan_file != NULL) {
		if ((rc = read_pan(g, pan_file, pan, sizeof(pan))) != 0)
			goto out;
		rc = UC_EXIT_FAIL;
		keys.pk.pan = pan;
	}
	if ((r = uc_perso_card(t, &m, &keys.pk, &res, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d,
		    "card not personalized (stopped at: %s)",
		    uc_perso_stage_str(res.stage));
		goto out;
	}
	if (json) {
		json_t *o = json_object();
		char *s;

		hex = uc_hex_dup(res.serial, sizeof(res.serial));
		json_object_set_new(o, "serial", json_string(hex));
		free(hex);
		hex = uc_hex_dup(res.point, sizeof(res.point));
		json_object_set_new(o, "public_key", json_string(hex));
		free(hex);
		hex = uc_hex_dup(res.secobj_sha256, 32);
		json_object_set_new(o, "security_object_sha256",
		    json_string(hex));
		free(hex);
		hex = NULL;
		json_object_set_new(o, "member_code",
		    json_string(m.member_code));
		json_object_set_new(o, "station",
		    json_string(uc_signer_station_ptr(keys.signer)));
		json_object_set_new(o, "apdus", json_integer((json_int_t)
		    res.apdus));
		if (res.linked) {
			json_object_set_new(o, "pan_last4",
			    json_string(res.pan_last4));
			hex = uc_hex_dup(res.bank_aid, res.bank_aid_len);
			json_object_set_new(o, "bank_aid", json_string(hex));
			free(hex);
			hex = NULL;
		}
		if (res.have_pan_hmac) {
			hex = uc_hex_dup(res.pan_hmac, sizeof(res.pan_hmac));
			json_object_set_new(o, "pan_hmac", json_string(hex));
			free(hex);
			hex = NULL;
		}
		s = json_dumps(o, JSON_PRESERVE_ORDER);
		if (s != NULL)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		char ser[17], h[65];

		uc_hex_encode(res.serial, sizeof(res.serial), ser);
		uc_hex_encode(res.secobj_sha256, 32, h);
		printf("personalized card %s for %s %s\n", ser, m.member_code,
		    m.full_name);
		printf("  signed by station %s, card locked\n",
		    uc_signer_station_ptr(keys.signer));
		printf("  security object SHA-256 %s\n", h);
		if (res.linked)
			printf("  bound to the bank card ending %s\n",
			    res.pan_last4);
		if (res.have_pan_hmac) {
			uc_hex_encode(res.pan_hmac, sizeof(res.pan_hmac), h);
			printf("  PAN HMAC %s\n", h);
		}
		printf("  %llu APDUs (%u STORE DATA block%s of up to %zu "
		    "bytes)\n", (unsigned long long)res.apdus,
		    res.store_blocks, res.store_blocks == 1 ? "" : "s",
		    res.block_max);
	}
	rc = UC_EXIT_OK;
out:
	uc_transport_free(&t);
	uc_trace_free(&trace);
	uc_tool_station_keys_free(&keys);
	OPENSSL_cleanse(&res, sizeof(res));
	OPENSSL_cleanse(pan, sizeof(pan));
	return rc;
}
