/*
 * cmd_encode.c - `unioncard --as PRINTER encode`: the issuance station.
 *
 * Walks an accepted print request and encodes one card per member through
 * uc_station_encode(); prints one line per card (or one JSON object per
 * event with --json).  On a terminal the lines give way to one progress
 * line redrawn in place (progress.h); spoiled and ejected cards still get
 * a line of their own, so the reasons stay on screen.  Ctrl-C stops after
 * the card in hand.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cmd_ledger.h"
#include "commands.h"
#include "passphrase.h"
#include "stationkeys.h"
#include "testhooks.h"
#include "progress.h"
#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/station.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

#define DEFAULT_WAIT_S 60
#define DEFAULT_LEASE_S 120

static volatile sig_atomic_t stop_flag;

/* What the event callback prints to, and the progress line's numbers. */
struct out {
	int json;
	int bar;        /* stdout is a terminal: one line redrawn in place */
	int drawn;      /* a progress line is on the screen now */
	double start;   /* monotonic seconds when the run began */
	struct uc_tool_progress p;
	/* what the bar says the station waits for (p.waiting points here) */
	char waiting[UC_TOOL_PROGRESS_LINE_MAX];
	struct uc_print_pass *print;  /* --print / --faces-out, else NULL */
	int64_t request_id;
	size_t print_failed;          /* cards encoded but not printed */
};

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Progress only where a person watches, and can be redrawn in place. */
static int
want_bar(int json)
{
	const char *term = getenv("TERM");

	return !json && isatty(STDOUT_FILENO) && term != NULL &&
	    term[0] != '\0' && strcmp(term, "dumb") != 0;
}

static void
bar_clear(struct out *o)
{
	if (o->drawn)
		fputs("\r\033[K", stdout);
	o->drawn = 0;
}

static void
bar_draw(struct out *o)
{
	char line[UC_TOOL_PROGRESS_LINE_MAX];

	o->p.elapsed_s = now_s() - o->start;
	uc_tool_progress_format(&o->p, uc_tool_progress_columns(STDOUT_FILENO),
	    line, sizeof(line));
	printf("\r%s\033[K", line);
	o->drawn = 1;
	fflush(stdout);
}

static void
on_signal(int sig)
{
	stop_flag = sig;
}

/* A number of seconds, 1 to a day; -1 when s is not one. */
static long
seconds(const char *s)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	return end == s || *end != '\0' || v < 1 || v > 86400 ? -1 : v;
}

static void
usage(FILE *f)
{
	fputs(
	    "Usage: unioncard --as PRINTER encode --request ID --reader READER\n"
	    "                 --keys DIR [--station NAME] [--signer SPEC]\n"
	    "                 [--passphrase-file F] [--wait SECONDS]\n"
	    "                 [--bank-key FILE] [--trace FILE] [--json]\n"
	    "                 [--host NAME] [--lease SECONDS]\n"
	    "                 [--print QUEUE [--server HOST]] [--faces-out DIR]\n"
	    "                 [--template FILE]\n"
	    "\n"
	    "Encode the cards of an accepted print request, one blank card per\n"
	    "member: the card serial is reserved in the ledger before the first\n"
	    "APDU, the card is personalized with it, read back with the\n"
	    "verifier's checks, and recorded as encoded.  A card that fails is\n"
	    "recorded as spoiled with the reason and the next card is used.\n"
	    "Ctrl-C stops after the card in hand (or at once while waiting for\n"
	    "a card); the same command resumes where it stopped.  A card pulled\n"
	    "out before it is finished is not spoiled: put the same card back\n"
	    "and it is finished (another card in its place spoils its serial).\n"
	    "\n"
	    "On a terminal one line shows the progress: a bar, cards done of\n"
	    "all, encoded and spoiled by this run, cards a minute, the time\n"
	    "left and what it waits for (\"insert a blank card for CODE NAME\n"
	    "(card SERIAL)\", also while the hopper is dry); a spoiled card\n"
	    "also gets a line with the reason.  Otherwise (a pipe, a file,\n"
	    "TERM=dumb) one line per card.\n"
	    "\n"
	    "Keys that do not open the cards (blanks of another issuer, another\n"
	    "key version, a wrong ENC key) stop the run at the first card:\n"
	    "nothing is written, nothing spoiled, and the message names the\n"
	    "card's key version and the key directory's.\n"
	    "\n"
	    "A linked request's cards are bank cards that already carry the\n"
	    "bank's payment application: the station reads each card's PAN\n"
	    "from it, binds the union record to it, and the ledger keeps only\n"
	    "its HMAC under the bank-link key and its last four digits.\n"
	    "\n"
	    "Several stations may work one request at once on one ledger file\n"
	    "(processes, or containers sharing the file on one computer; not\n"
	    "over a network file system): each claims a member's line in the\n"
	    "ledger before it writes the card; a station finding a member\n"
	    "another one holds goes on to the next member and comes back to\n"
	    "that one at the end.  A claim lasts while its station's process\n"
	    "lives (same host) or --lease seconds (another host); after that\n"
	    "its serial is spoiled and the member gets a new card.\n"
	    "\n", f);
	fputs(
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
	    "  --bank-key FILE      linked requests: the bank-link key (default\n"
	    "                       DIR/bank-link.key)\n"
	    "  --trace FILE         every APDU to FILE (secrets masked)\n"
	    "  --json               one JSON object per event: {\"event\",\n"
	    "                       \"member_code\", \"full_name\", \"serial\",\n"
	    "                       \"chip_serial\", \"reason\", \"done\", \"total\"}, event\n"
	    "                       one of waiting, encoded, recovered, spoiled,\n"
	    "                       skipped, deferred (another station holds\n"
	    "                       the member), pulled (put the card back)\n"
	    "  --host NAME          this host's name in the ledger's claims\n"
	    "                       (default: the host name; containers sharing\n"
	    "                       a ledger need different names)\n"
	    "  --lease SECONDS      how long a claim by a station on another\n"
	    "                       host holds a member's card (120)\n"
	    "  --print QUEUE        one pass per card: once a card is encoded\n"
	    "                       and read back, its face goes to the card\n"
	    "                       printer's CUPS queue and is recorded as\n"
	    "                       'print --request' records it; a card\n"
	    "                       printed before is not printed again; a\n"
	    "                       failed print leaves the card encoded (print\n"
	    "                       it later with 'print --request ID')\n"
	    "  --server HOST        the CUPS server or its socket (default\n"
	    "                       $CUPS_SERVER, else the local one)\n"
	    "  --faces-out DIR      keep each card's face PDF here (with or\n"
	    "                       without --print: for a print bureau)\n"
	    "  --template FILE      the face's layout (as 'face render')\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard-vcard hopper cards/ --count 20 --keys keys/\n"
	    "  unioncard --as printer encode --request 7 --reader vcard:cards/ \\\n"
	    "      --keys keys/\n"
	    "  unioncard --as printer encode --request 7 \\\n"
	    "      --reader 'pcsc:Evolis Primacy' --keys /etc/unioncard/keys\n"
	    "  unioncard --as printer encode --request 7 \\\n"
	    "      --reader 'pcsc:Evolis Primacy' --keys keys/ --print Evolis\n"
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
	case UC_STATION_DEFERRED:
		return "deferred";
	case UC_STATION_PULLED:
		return "pulled";
	}
	return "?";
}

/* The terminal's view: counts into the bar, reasons on lines of their own. */
static void
on_event_bar(struct out *o, const struct uc_station_event *ev)
{
	o->p.done = ev->done;
	o->p.total = ev->total;
	if (ev->kind != UC_STATION_WAITING &&
	    ev->kind != UC_STATION_DEFERRED)
		o->p.waiting = NULL;
	switch (ev->kind) {
	case UC_STATION_WAITING:
		/* Shown until the card comes: also when the hopper is dry. */
		snprintf(o->waiting, sizeof(o->waiting), "insert a blank card "
		    "for %s %s (card %s)", ev->member_code, ev->full_name,
		    ev->card_serial);
		o->p.waiting = o->waiting;
		break;
	case UC_STATION_ENCODED:
	case UC_STATION_RECOVERED:
		o->p.encoded++;
		break;
	case UC_STATION_SPOILED:
		o->p.spoiled++;
		bar_clear(o);
		printf("SPOILED card %s for %s: %s\n", ev->card_serial,
		    ev->member_code, ev->reason);
		break;
	case UC_STATION_SKIPPED:
		bar_clear(o);
		printf("ejected chip %s: %s\n", ev->chip_serial, ev->reason);
		break;
	case UC_STATION_DEFERRED:
		/* Routine with two stations: the bar is enough. */
		break;
	case UC_STATION_PULLED:
		bar_clear(o);
		printf("PULLED card %s for %s: %s\n", ev->card_serial,
		    ev->member_code, ev->reason);
		break;
	}
	bar_draw(o);
}

/* --print: the face of the card just encoded and read back. */
static void
print_face(struct out *o, const struct uc_station_event *ev)
{
	if (o->print == NULL || (ev->kind != UC_STATION_ENCODED &&
	    ev->kind != UC_STATION_RECOVERED))
		return;
	bar_clear(o);
	if (uc_print_pass_card(o->print, o->request_id, ev->card_serial) !=
	    UC_EXIT_OK) {
		o->print_failed++;
		fprintf(stderr, "unioncard: card %s stays encoded but is not "
		    "printed; print it later with 'print --request %lld'\n",
		    ev->card_serial, (long long)o->request_id);
	}
	fflush(stdout);
}

static void
on_event(void *ctx, const struct uc_station_event *ev)
{
	struct out *out = ctx;
	int json = out->json;

	if (out->bar) {
		on_event_bar(out, ev);
		if (out->print != NULL) {
			print_face(out, ev);
			bar_draw(out);
		}
		return;
	}
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
		char *s = o != NULL ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;

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
	case UC_STATION_DEFERRED:
		printf("        %s %s: %s\n", ev->member_code,
		    ev->full_name, ev->reason);
		break;
	case UC_STATION_PULLED:
		printf("        PULLED card %s for %s: %s\n",
		    ev->card_serial, ev->member_code, ev->reason);
		break;
	}
	fflush(stdout);
	print_face(out, ev);
}

int
uc_cmd_encode(struct uc_tool_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "request", required_argument, NULL, 'R' },
		{ "reader", required_argument, NULL, 'r' },
		UC_TOOL_KEYS_LONGOPTS,
		{ "wait", required_argument, NULL, 'w' },
		{ "trace", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "lease", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "print", required_argument, NULL, 'q' },
		{ "server", required_argument, NULL, 'v' },
		{ "faces-out", required_argument, NULL, 'o' },
		{ "template", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reader = NULL, *request = NULL, *dir, *host = NULL;
	const char *trace_path = g->trace;
	char path[4096], *end = NULL;
	struct uc_tool_keys_spec ks;
	struct uc_tool_station_keys keys;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_trust *trust = NULL;
	struct uc_ledger *l = NULL;
	struct uc_station_opts so;
	struct uc_station_summary sum;
	struct sigaction sa;
	struct uc_diag d;
	struct out out;
	struct uc_print_pass_opts po;
	struct uc_print_pass *pp = NULL;
	char took[32];
	long wait_s = DEFAULT_WAIT_S, lease_s = DEFAULT_LEASE_S;
	long long rid;
	int c, r, rc = UC_EXIT_FAIL, json = g->json;

	memset(&keys, 0, sizeof(keys));
	memset(&ks, 0, sizeof(ks));
	memset(&po, 0, sizeof(po));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (uc_tool_keys_option(&ks, c, optarg))
			continue;
		switch (c) {
		case 'R': request = optarg; break;
		case 'r': reader = optarg; break;
		case 'w':
			if ((wait_s = seconds(optarg)) < 0)
				return uc_tool_usage(g, "--wait takes 1 to "
				    "86400 seconds");
			break;
		case 't': trace_path = optarg; break;
		case 'H': host = optarg; break;
		case 'L':
			if ((lease_s = seconds(optarg)) < 0)
				return uc_tool_usage(g, "--lease takes 1 to "
				    "86400 seconds");
			break;
		case 'j': json = 1; break;
		case 'q': po.queue = optarg; break;
		case 'v': po.server = optarg; break;
		case 'o': po.out = optarg; break;
		case 'T': po.template_path = optarg; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(g, "see 'unioncard encode --help'");
		}
	}
	if (optind != argc)
		return uc_tool_usage(g, "unexpected argument '%s'",
		    argv[optind]);
	dir = ks.dir;
	if (request == NULL || reader == NULL || dir == NULL)
		return uc_tool_usage(g, "encode needs --request, --reader and "
		    "--keys");
	rid = strtoll(request, &end, 10);
	if (end == request || *end != '\0' || rid <= 0)
		return uc_tool_usage(g, "--request takes a request id");
	if ((po.server != NULL || po.template_path != NULL) &&
	    po.queue == NULL && po.out == NULL)
		return uc_tool_usage(g, "--server and --template go with "
		    "--print QUEUE or --faces-out DIR");
	if (json && (po.queue != NULL || po.out != NULL))
		return uc_tool_usage(g, "--print and --faces-out print plain "
		    "lines: not with --json");
	/* Before the password prompt: a missing key directory is named. */
	if ((rc = lgt_need_dir(g, dir, 0, "--keys")) != 0)
		goto out;
	if ((rc = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	/* Linked cards: the hierarchy's bank-link key unless told otherwise
	 * (the station refuses a linked request without one). */
	ks.want_bank_key = 1;
	if ((rc = uc_tool_station_keys_load(g, &ks, &keys)) != UC_EXIT_OK)
		goto out;
	if ((po.queue != NULL || po.out != NULL) &&
	    (rc = uc_print_pass_open(g, l, keys.signer, &po, &pp)) !=
	    UC_EXIT_OK)
		goto out;
	rc = UC_EXIT_FAIL;
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	if ((r = uc_trust_new(&trust)) != 0 ||
	    (r = uc_trust_add_roots_file(trust, path, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "trust %s", path);
		goto out;
	}
	if ((r = uc_transport_open(reader, &t)) != 0) {
		rc = TRANSPORT_WHY()[0] != '\0' ?
		    uc_tool_fail(g, r, "reader %s (%s)", reader,
		    TRANSPORT_WHY()) :
		    uc_tool_fail(g, r, "reader %s", reader);
		goto out;
	}
	if ((rc = uc_hook_vcard_reader(g, t)) != UC_EXIT_OK)
		goto out;
	if ((rc = uc_tool_trace_attach(g, trace_path, t, &trace)) !=
	    UC_EXIT_OK)
		goto out;
	rc = UC_EXIT_FAIL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&so, 0, sizeof(so));
	so.ledger = l;
	so.request_id = (int64_t)rid;
	so.transport = t;
	so.keys = &keys.pk;
	so.trust = trust;
	so.card_timeout_ms = (int)(wait_s * 1000);
	memset(&out, 0, sizeof(out));
	out.json = json;
	out.bar = want_bar(json);
	out.start = now_s();
	out.print = pp;
	out.request_id = (int64_t)rid;
	so.event = on_event;
	so.event_ctx = &out;
	so.stop = &stop_flag;
	so.station_host = host;
	so.claim_lease_s = (int)lease_s;
	if ((rc = uc_hook_station_opts(g, &so)) != UC_EXIT_OK)
		goto out;
	rc = UC_EXIT_FAIL;
	r = uc_station_encode(&so, &sum, &d);
	bar_clear(&out);
	if (!json)
		printf("request %lld: %zu lines: %zu encoded now, %zu recovered,"
		    " %zu done before, %zu spoiled, %zu ejected\n", rid,
		    sum.lines, sum.encoded, sum.recovered, sum.already,
		    sum.spoiled, sum.skipped);
	if (pp != NULL && out.print_failed > 0)
		printf("%zu encoded card(s) not printed: print them with "
		    "'print --request %lld'\n", out.print_failed, rid);
	if (out.bar) {
		out.p.elapsed_s = now_s() - out.start;
		uc_tool_progress_duration(out.p.elapsed_s, took, sizeof(took));
		printf("took %s", took);
		if (out.p.encoded > 0 && out.p.elapsed_s > 0.0)
			printf(", %.1f cards a minute", (double)out.p.encoded *
			    60.0 / out.p.elapsed_s);
		putchar('\n');
	}
	fflush(stdout);
	if (r != 0 && strcmp(d.field, "request") == 0 && r != UC_ERR_KEY) {
		/* No such request, or not one to encode: nothing to resume. */
		rc = uc_tool_fail_diag(g, r, &d, "encode");
		goto out;
	}
	if (r != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "encoding stopped");
		fprintf(stderr, "%sRun the same command again to resume.\n",
		    r == UC_ERR_KEY || r == UC_ERR_AUTH ? "Mend the keys "
		    "first (--keys, --bank-key), or feed blanks made for "
		    "these keys: see the message above.  " : "");
		goto out;
	}
	if (sum.stopped) {
		/* The card in hand, if any, was finished before stopping. */
		fprintf(stderr, "unioncard: stopped by %s; no card was left "
		    "half-done: %zu of %zu members have a card, each recorded "
		    "in the ledger.\nRun the same command again to resume.\n",
		    stop_flag == SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)",
		    sum.encoded + sum.recovered + sum.already, sum.lines);
		goto out;
	}
	rc = out.print_failed > 0 ? UC_EXIT_FAIL : UC_EXIT_OK;
out:
	uc_print_pass_free(&pp);
	uc_tool_station_keys_free(&keys);
	uc_transport_free(&t);
	uc_trace_free(&trace);
	uc_trust_free(&trust);
	uc_ledger_free(&l);
	return rc;
}
