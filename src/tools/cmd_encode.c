/*
 * cmd_encode.c - `unioncard --as PRINTER encode`: the issuance station.
 *
 * Walks an accepted print request and encodes one card per member through
 * uc_station_encode(); prints one line per card (or one JSON object per
 * event with --json).  Ctrl-C stops after the card in hand.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cmd_ledger.h"
#include "commands.h"
#include "passphrase.h"
#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/station.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"

#define DEFAULT_STATION "station-01"
#define DEFAULT_WAIT_S 60

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
usage(FILE *f)
{
	fputs(
	    "Usage: unioncard --as PRINTER encode --request ID --reader READER\n"
	    "                 --keys DIR [--station NAME] [--signer SPEC]\n"
	    "                 [--passphrase-file F] [--wait SECONDS]\n"
	    "                 [--trace FILE] [--json]\n"
	    "\n"
	    "Encode the cards of an accepted print request, one blank card per\n"
	    "member: the card serial is reserved in the ledger before the first\n"
	    "APDU, the card is personalized with it, read back with the\n"
	    "verifier's checks, and recorded as encoded.  A card that fails is\n"
	    "recorded as spoiled with the reason and the next card is used.\n"
	    "Ctrl-C stops after the card in hand; the same command resumes.\n"
	    "\n"
	    "Options:\n"
	    "  --request ID         the accepted request\n"
	    "  --reader READER      pcsc:NAME (a card printer's encoder),\n"
	    "                       vcard:DIR (a hopper of virtual cards), nfc:CONN\n"
	    "  --keys DIR           the key directory ('unioncard keys init')\n"
	    "  --station NAME       signer DIR/signers/NAME.key (default\n"
	    "                       $UNIONCARD_STATION, else station-01)\n"
	    "  --signer SPEC        another signer: a key file or a pkcs11: URI\n"
	    "  --passphrase-file F  key passphrase; else $UNIONCARD_PASSPHRASE,\n"
	    "                       else a prompt\n"
	    "  --wait SECONDS       how long to wait for each blank card (60)\n"
	    "  --trace FILE         every APDU to FILE (secrets masked)\n"
	    "  --json               one JSON object per event\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard-vcard hopper cards/ --count 20 --keys keys/\n"
	    "  unioncard --as printer encode --request 7 --reader vcard:cards/ \\\n"
	    "      --keys keys/\n"
	    "  unioncard --as printer encode --request 7 \\\n"
	    "      --reader 'pcsc:Evolis Primacy' --keys /etc/unioncard/keys\n"
	    "\n"
	    "Exit status: 0 every member has a card, 2 stopped or failed (the\n"
	    "message says why; run the same command again to resume).\n", f);
}

static const char *
kind_name(enum uc_station_event_kind k)
{
	switch (k) {
	case UC_STATION_WAITING:
		return "waiting";
	case UC_STATION_ENCODED:
		return "encoded";
	case UC_STATION_RECOVERED:
		return "recovered";
	case UC_STATION_SPOILED:
		return "spoiled";
	case UC_STATION_SKIPPED:
		return "skipped";
	}
	return "?";
}

static void
on_event(void *ctx, const struct uc_station_event *ev)
{
	int json = *(const int *)ctx;

	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I, s:I}",
		    "event", kind_name(ev->kind),
		    "member_code", ev->member_code,
		    "full_name", ev->full_name,
		    "serial", ev->card_serial,
		    "chip_serial", ev->chip_serial,
		    "reason", ev->reason,
		    "done", (json_int_t)ev->done,
		    "total", (json_int_t)ev->total);
		char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s != NULL)
			puts(s);
		free(s);
		json_decref(o);
		fflush(stdout);
		return;
	}
	switch (ev->kind) {
	case UC_STATION_WAITING:
		printf("[%zu/%zu] insert a blank card for %s %s (card %s)\n",
		    ev->done + 1, ev->total, ev->member_code, ev->full_name,
		    ev->card_serial);
		break;
	case UC_STATION_ENCODED:
	case UC_STATION_RECOVERED:
		printf("[%zu/%zu] %s card %s (chip %s) for %s %s\n", ev->done,
		    ev->total, ev->kind == UC_STATION_ENCODED ? "encoded" :
		    "recovered", ev->card_serial, ev->chip_serial,
		    ev->member_code, ev->full_name);
		break;
	case UC_STATION_SPOILED:
		printf("        SPOILED card %s for %s: %s\n", ev->card_serial,
		    ev->member_code, ev->reason);
		break;
	case UC_STATION_SKIPPED:
		printf("        ejected chip %s: %s\n", ev->chip_serial,
		    ev->reason);
		break;
	}
	fflush(stdout);
}

int
uc_cmd_encode(struct uc_tool_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "request", required_argument, NULL, 'R' },
		{ "reader", required_argument, NULL, 'r' },
		{ "keys", required_argument, NULL, 'k' },
		{ "station", required_argument, NULL, 's' },
		{ "signer", required_argument, NULL, 'S' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "wait", required_argument, NULL, 'w' },
		{ "trace", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reader = NULL, *dir = NULL, *station = NULL;
	const char *signer_spec = NULL, *pass_file = NULL, *request = NULL;
	const char *trace_path = g->trace;
	char pass[UC_TOOL_PASSPHRASE_CAP], path[4096], *end = NULL;
	char lock_path[4096];
	struct uc_keys_scp_master km;
	struct uc_scp03_keys master;
	struct uc_signer *signer = NULL;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_trust *trust = NULL;
	struct uc_ledger *l = NULL;
	struct uc_perso_keys pk;
	struct uc_station_opts so;
	struct uc_station_summary sum;
	struct sigaction sa;
	struct uc_diag d;
	long wait_s = DEFAULT_WAIT_S;
	long long rid;
	int c, r, rc = UC_EXIT_FAIL, json = g->json;

	memset(pass, 0, sizeof(pass));
	memset(&km, 0, sizeof(km));
	memset(&master, 0, sizeof(master));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'R': request = optarg; break;
		case 'r': reader = optarg; break;
		case 'k': dir = optarg; break;
		case 's': station = optarg; break;
		case 'S': signer_spec = optarg; break;
		case 'P': pass_file = optarg; break;
		case 'w':
			wait_s = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || wait_s < 1 ||
			    wait_s > 86400)
				return uc_tool_usage(g, "--wait takes 1 to "
				    "86400 seconds");
			break;
		case 't': trace_path = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(g, "see 'unioncard encode --help'");
		}
	}
	if (optind != argc)
		return uc_tool_usage(g, "unexpected argument '%s'",
		    argv[optind]);
	if (request == NULL || reader == NULL || dir == NULL)
		return uc_tool_usage(g, "encode needs --request, --reader and "
		    "--keys");
	rid = strtoll(request, &end, 10);
	if (end == request || *end != '\0' || rid <= 0)
		return uc_tool_usage(g, "--request takes a request id");
	if (station == NULL)
		station = getenv("UNIONCARD_STATION");
	if (station == NULL || station[0] == '\0')
		station = DEFAULT_STATION;

	if ((rc = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	rc = UC_EXIT_FAIL;
	if ((r = uc_tool_passphrase(pass_file, pass, sizeof(pass))) != 0) {
		rc = uc_tool_fail(g, r, "passphrase");
		goto out;
	}
	if (signer_spec == NULL) {
		if ((r = uc_keys_station_check(station)) != 0) {
			rc = uc_tool_fail(g, r, "station name '%s'", station);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/signers/%s.key", dir, station);
		signer_spec = path;
	}
	if ((r = uc_signer_open(signer_spec, pass, &signer, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "signer %s", signer_spec);
		goto out;
	}
	if ((r = uc_keys_load_scp_master(dir, pass, &km, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "SCP03 master keys");
		goto out;
	}
	memcpy(master.enc, km.enc, sizeof(master.enc));
	memcpy(master.mac, km.mac, sizeof(master.mac));
	memcpy(master.dek, km.dek, sizeof(master.dek));
	master.kvn = km.kvn;
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	if ((r = uc_trust_new(&trust)) != 0 ||
	    (r = uc_trust_add_roots_file(trust, path, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "trust %s", path);
		goto out;
	}
	if ((r = uc_transport_open(reader, &t)) != 0) {
		rc = uc_transport_error_detail()[0] != '\0' ?
		    uc_tool_fail(g, r, "reader %s (%s)", reader,
		    uc_transport_error_detail()) :
		    uc_tool_fail(g, r, "reader %s", reader);
		goto out;
	}
	if (trace_path != NULL) {
		if ((r = uc_trace_open(trace_path, &trace)) != 0) {
			rc = uc_tool_fail(g, r, "trace file %s", trace_path);
			goto out;
		}
		uc_transport_set_trace(t, trace);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&pk, 0, sizeof(pk));
	pk.scp_master = &master;
	pk.signer = signer;
	memset(&so, 0, sizeof(so));
	so.ledger = l;
	so.request_id = (int64_t)rid;
	so.transport = t;
	so.keys = &pk;
	so.trust = trust;
	so.card_timeout_ms = (int)(wait_s * 1000);
	so.event = on_event;
	so.event_ctx = &json;
	so.stop = &stop_flag;
	snprintf(lock_path, sizeof(lock_path), "%s.station.lock",
	    uc_tool_ledger_path(g));
	so.lock_path = lock_path;
	r = uc_station_encode(&so, &sum, &d);
	if (!json)
		printf("request %lld: %zu lines: %zu encoded now, %zu recovered,"
		    " %zu done before, %zu spoiled, %zu ejected\n", rid,
		    sum.lines, sum.encoded, sum.recovered, sum.already,
		    sum.spoiled, sum.skipped);
	if (r != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "encoding stopped");
		fprintf(stderr, "Run the same command again to resume.\n");
		goto out;
	}
	if (sum.stopped) {
		fprintf(stderr, "unioncard: stopped after the card in hand. "
		    "Run the same command again to resume.\n");
		goto out;
	}
	rc = UC_EXIT_OK;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	OPENSSL_cleanse(&km, sizeof(km));
	uc_scp03_keys_wipe(&master);
	uc_transport_free(&t);
	uc_trace_free(&trace);
	uc_trust_free(&trust);
	uc_signer_free(&signer);
	uc_ledger_free(&l);
	return rc;
}
