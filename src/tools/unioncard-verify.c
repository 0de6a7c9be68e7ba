/*
 * unioncard-verify - the field officer's tool: is this card genuine, ours,
 * not revoked, not a copy, and whose is it?
 *
 * Exit status: 0 valid, 1 invalid, 2 could not check (no reader, no card,
 * card pulled, a card that answers garbage).  The last is never reported
 * as "invalid": the officer should try again, not accuse the member.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "unioncard/keys.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"
#include "unioncard/verify.h"

#include "tool.h"
#include "verify_qr.h"

#define CONNECT_TIMEOUT_MS 10000
/* Watch mode: how long one wait for a card (or for its removal) lasts
 * before the loop looks at the stop flag again, and how long to rest
 * before reopening a reader that went away. */
#define WATCH_POLL_MS 300
#define WATCH_RETRY_MS 500
#define WATCH_STATE_MAX 512
#define WATCH_REASON_MAX 384

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard-verify --reader READER --trust ROOT.pem\n"
	    "                        [--status-list FILE] [--crl FILE]\n"
	    "                        [--date YYYY-MM-DD] [--json] [--trace FILE]\n"
	    "                        [--watch]\n"
	    "       unioncard-verify --qr TEXT|- | --qr-image FILE | --watch --qr\n"
	    "                        --trust ROOT.pem [--signers PATH] [...]\n"
	    "\n"
	    "Read a union member card and check it: its data is intact and\n"
	    "signed by a union station (hashes, signature, chain), the chip is\n"
	    "the original and not a copy (active_auth), it has not expired\n"
	    "(expiry) and is not revoked (status, with --status-list).\n"
	    "\n"
	    "Options:\n"
	    "  --reader READER     pcsc:NAME (a plain name means PC/SC; a unique\n"
	    "                      prefix is enough: see 'unioncard readers'),\n"
	    "                      nfc:CONN (e.g. nfc:pn532_uart:/dev/ttyUSB0),\n"
	    "                      vcard:STATE.json\n"
	    "  --trust ROOT.pem    the union root certificate(s) to trust\n"
	    "  --crl FILE          the root's revocation list (revoked signers)\n"
	    "  --status-list FILE  the signed card status list\n"
	    "                      (docs/status-list.md; its signature is in\n"
	    "                      the same file); works offline\n"
	    "  --date YYYY-MM-DD   check expiry and certificates on this day\n"
	    "                      (default: today, Vietnam time)\n"
	    "  --json              print {\"verdict\", \"checks\", \"card\"}\n"
	    "  --trace FILE        write every APDU to FILE\n"
	    "  --watch             read cards one after another until Ctrl-C,\n"
	    "                      one line per card:\n"
	    "                        VALID   CODE  NAME  UNIT  expires DATE\n"
	    "                        INVALID CODE NAME: CHECK \xe2\x80\x94 WHY\n"
	    "                        UNREADABLE: REASON \xe2\x80\x94 try again\n"
	    "                      (with --json one object per card; verdict\n"
	    "                      \"unreadable\" with a \"reason\").  Survives\n"
	    "                      cards pulled early and the reader or pcscd\n"
	    "                      going away and coming back; the status list\n"
	    "                      is re-read for each card.  SIGINT/SIGTERM:\n"
	    "                      stop with a count of valid/invalid/unreadable.\n"
	    "  --qr TEXT           check a printed card's QR code instead of a\n"
	    "                      chip (applets-spec/printed-card.md): TEXT as a\n"
	    "                      barcode scanner types it, '-' one line of\n"
	    "                      standard input; checks signature, chain,\n"
	    "                      expiry, status\n"
	    "  --qr-image FILE     the same from a PNG picture of the card\n"
	    "  --watch --qr        one scanned code a line from standard input\n"
	    "                      until it ends (VALID/INVALID/UNREADABLE lines)\n"
	    "                      (with --reader too: the chip of the same card\n"
	    "                      is checked and must be the card the code names)\n"
	    "  --signers PATH      the stations' document-signer certificates\n"
	    "                      the codes name (a PEM file or a folder of\n"
	    "                      them; default: signers/ beside --trust)\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard-verify --reader 'Virtual PCD 00 00' --trust keys/root.pem\n"
	    "  unioncard-verify --reader vcard:card.json --trust keys/root.pem \\\n"
	    "      --crl keys/root.crl --status-list status.usl --json\n"
	    "  unioncard-verify --watch --reader 'pcsc:ACS ACR39U' \\\n"
	    "      --trust root.pem --status-list today.usl\n"
	    "  unioncard-verify --watch --reader nfc:pn532_uart:/dev/ttyUSB0 \\\n"
	    "      --trust root.pem --status-list today.usl --json\n"
	    "  unioncard-verify --qr-image card-back.png --trust keys/root.pem \\\n"
	    "      --crl keys/root.crl --status-list today.usl\n"
	    "  unioncard-verify --watch --qr --trust root.pem --signers signers/ \\\n"
	    "      --status-list today.usl < /dev/ttyACM0\n"
	    "\n"
	    "Exit status: 0 valid, 1 invalid, 2 could not check.  --watch: 0\n"
	    "when stopped by a signal, 2 if it could not start.\n");
}

static const char *
why(const char *check, const struct uc_verify_check *c)
{
	if (strcmp(check, "objects") == 0)
		return "the card's data is malformed or not locked";
	if (strcmp(check, "hashes") == 0)
		return "its data was altered after signing";
	if (strcmp(check, "signature") == 0)
		return "the signature on its data is not valid";
	if (strcmp(check, "chain") == 0)
		return "it was not signed by a trusted union station";
	if (strcmp(check, "active_auth") == 0)
		return "this card is a copy";
	if (strcmp(check, "expiry") == 0)
		return strncmp(c->detail, "expired", 7) == 0 ?
		    "the card has expired" : "the card is not yet valid";
	if (strcmp(check, "status") == 0)
		return strncmp(c->detail, "revoked", 7) == 0 ?
		    "the card is revoked, lost, stolen or replaced" :
		    "the status list cannot vouch for this card";
	if (strcmp(check, "bank_link") == 0)
		return "union applet is not on the bank card it was issued "
		    "with";
	return "a check failed";
}

static void
iso(const char *d, char out[11])
{
	if (d[0] == '\0')
		out[0] = '\0';
	else
		snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

static int
print_json(const struct uc_verify_result *res)
{
	json_t *o = json_object(), *checks = json_array(), *card;
	char issued[11], expires[11];
	char *s;
	size_t i;

	json_object_set_new(o, "verdict",
	    json_string(res->valid ? "valid" : "invalid"));
	for (i = 0; i < res->n_checks; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "name",
		    json_string(res->checks[i].name));
		json_object_set_new(c, "ok",
		    json_boolean(res->checks[i].ok));
		json_object_set_new(c, "detail",
		    json_string(res->checks[i].detail));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "checks", checks);
	card = json_object();
	json_object_set_new(card, "serial", json_string(res->serial_hex));
	if (res->have_fields) {
		const struct uc_member *m = &res->member;

		iso(m->issued_on, issued);
		iso(m->expires_on, expires);
		json_object_set_new(card, "member_code",
		    json_string(m->member_code));
		json_object_set_new(card, "full_name",
		    json_string(m->full_name));
		json_object_set_new(card, "unit_code",
		    json_string(m->unit_code));
		json_object_set_new(card, "unit_name",
		    json_string(m->unit_name));
		json_object_set_new(card, "card_type", json_string(
		    m->card_type == 2 ? "linked" : "regular"));
		json_object_set_new(card, "issued_on", json_string(issued));
		json_object_set_new(card, "expires_on", json_string(expires));
		json_object_set_new(card, "station",
		    json_string(res->station));
	}
	json_object_set_new(o, "card", card);
	s = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return UC_EXIT_FAIL;
	puts(s);
	free(s);
	return res->valid ? UC_EXIT_OK : UC_EXIT_NO;
}

/*
 * The failure that names the cause.  A chip that cannot prove the key the
 * issuer signed is a copy, whatever else differs (a copy made on a chip
 * with its own key also fails the E2 hash); otherwise the first failure
 * is the cause and the rest follow from it.
 */
static const struct uc_verify_check *
lead_failure(const struct uc_verify_result *res)
{
	size_t i;

	for (i = 0; i < res->n_checks; i++)
		if (!res->checks[i].ok &&
		    strcmp(res->checks[i].name, "active_auth") == 0)
			return &res->checks[i];
	for (i = 0; i < res->n_checks; i++)
		if (!res->checks[i].ok)
			return &res->checks[i];
	return NULL;
}

static int
print_text(const struct uc_verify_result *res)
{
	const struct uc_member *m = &res->member;
	const struct uc_verify_check *lead;
	char expires[11];
	size_t i;

	for (i = 0; i < res->n_checks; i++)
		printf("  %-4s  %-11s  %s\n", res->checks[i].ok ? "ok" : "FAIL",
		    res->checks[i].name, res->checks[i].detail);
	if (res->valid) {
		iso(m->expires_on, expires);
		printf("VALID  %s  %s  %s  %s  until %s  card %s  station %s\n",
		    m->member_code, m->full_name, m->unit_code,
		    m->card_type == 2 ? "linked" : "regular", expires,
		    res->serial_hex, res->station);
		return UC_EXIT_OK;
	}
	/* The headline names the cause (lead_failure). */
	lead = lead_failure(res);
	if (lead != NULL)
		printf("INVALID: %s failed \xe2\x80\x94 %s\n", lead->name,
		    why(lead->name, lead));
	if (res->have_fields)
		printf("  card %s claims to be %s %s\n", res->serial_hex,
		    m->member_code, m->full_name);
	return UC_EXIT_NO;
}

/*
 * Watch mode: one card after another, for a field officer at a gate.
 *
 * The loop never gives up on the reader: a reader unplugged, pcscd
 * restarted, a libnfc device that stops answering all close the
 * transport, and it is opened again until it is back (said once on
 * stderr, not once a poll).  A card pulled early, or one that answers
 * garbage, is one UNREADABLE line, never a verdict.  Waits are short
 * (WATCH_POLL_MS) so SIGINT/SIGTERM end the loop promptly; the card being
 * read when the signal comes is finished first.
 */
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

struct watch {
	const char *reader;
	const char *status_path;
	struct uc_trust *trust;
	struct uc_trace *trace;
	struct uc_verify_opts *opts;
	int json;
	unsigned long n_valid, n_invalid, n_unreadable;
	char state[WATCH_STATE_MAX]; /* last thing said on stderr */
};

/* Say how the reader is, on stderr, only when that changed. */
static void
say_state(struct watch *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say_state(struct watch *w, const char *fmt, ...)
{
	char now[WATCH_STATE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(now, sizeof(now), fmt, ap);
	va_end(ap);
	if (strcmp(now, w->state) == 0)
		return;
	memcpy(w->state, now, sizeof(now));
	fprintf(stderr, "unioncard-verify: %s\n", now);
}

/* The reader is not there (yet, or any more): say why, once. */
static void
say_waiting(struct watch *w, int r)
{
	const char *detail = uc_transport_error_detail();

	say_state(w, "reader %s: %s%s%s; waiting for it", w->reader,
	    uc_strerror(r), detail[0] != '\0' ? ": " : "", detail);
}

/* Rest ms milliseconds, or less when a signal comes. */
static void
nap(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/* Errors after which the reader itself must be opened again. */
static int
reader_lost(int r)
{
	return r == UC_ERR_NO_SERVICE || r == UC_ERR_NO_READER ||
	    r == UC_ERR_READER_GONE || r == UC_ERR_TRANSPORT;
}

/* Why a card could not be checked, in the officer's words. */
static void
unreadable_reason(int r, const struct uc_diag *d, char *out, size_t cap)
{
	const char *what;

	switch (r) {
	case UC_ERR_CARD_REMOVED:
	case UC_ERR_NO_CARD:
	case UC_ERR_CARD_RESET:
		what = "the card was taken away before it was read";
		break;
	case UC_ERR_SW_NOT_FOUND:
		what = "not a union member card (no union applet on it)";
		break;
	case UC_ERR_SHARING:
		what = "another program is using the card";
		break;
	case UC_ERR_PROTOCOL:
	case UC_ERR_TLV:
	case UC_ERR_TLV_DEPTH:
	case UC_ERR_TOO_LONG:
	case UC_ERR_TOO_MANY_ROUNDS:
		what = "the card answered garbage";
		break;
	default:
		what = uc_strerror(r);
		break;
	}
	if (d != NULL && d->field[0] != '\0')
		snprintf(out, cap, "%s (%s: %s)", what, d->field,
		    d->msg[0] != '\0' ? d->msg : uc_strerror(r));
	else
		snprintf(out, cap, "%s", what);
}

static void
print_unreadable(struct watch *w, const char *reason)
{
	w->n_unreadable++;
	if (w->json) {
		json_t *o = json_object();
		char *s;

		json_object_set_new(o, "verdict", json_string("unreadable"));
		json_object_set_new(o, "reason", json_string(reason));
		json_object_set_new(o, "checks", json_array());
		json_object_set_new(o, "card", json_object());
		s = json_dumps(o, JSON_PRESERVE_ORDER);
		json_decref(o);
		if (s != NULL)
			puts(s);
		free(s);
	} else
		printf("UNREADABLE: %s \xe2\x80\x94 try again\n", reason);
	fflush(stdout);
}

static void
print_verdict(struct watch *w, const struct uc_verify_result *res)
{
	const struct uc_member *m = &res->member;
	const struct uc_verify_check *lead;
	char expires[11];

	if (res->valid)
		w->n_valid++;
	else
		w->n_invalid++;
	if (w->json) {
		(void)print_json(res);
	} else if (res->valid) {
		iso(m->expires_on, expires);
		printf("VALID   %s  %s  %s  expires %s\n", m->member_code,
		    m->full_name, m->unit_name, expires);
	} else {
		lead = lead_failure(res);
		if (res->have_fields)
			printf("INVALID %s %s: ", m->member_code, m->full_name);
		else
			printf("INVALID card %s: ", res->serial_hex);
		if (lead != NULL)
			printf("%s \xe2\x80\x94 %s\n", lead->name,
			    why(lead->name, lead));
		else
			printf("not valid\n");
	}
	fflush(stdout);
}

/*
 * One card, connected: the status list is read again first (an officer
 * copies in today's list without restarting; a list that has gone stale
 * since the start must not vouch for anyone), then the card.
 */
static void
watch_card(struct watch *w, struct uc_transport *t)
{
	struct uc_verify_status_list *sl = NULL;
	struct uc_verify_result res;
	struct uc_diag d;
	char reason[WATCH_REASON_MAX], msg[WATCH_REASON_MAX / 2];
	int r;

	uc_diag_clear(&d);
	if (w->status_path != NULL) {
		if ((r = uc_verify_status_list_load(w->status_path, w->trust,
		    w->opts->check_time, &sl, &d)) != 0) {
			uc_diag_format(&d, msg, sizeof(msg));
			snprintf(reason, sizeof(reason), "the status list "
			    "cannot be used (%s); fetch a new one", msg);
			print_unreadable(w, reason);
			return;
		}
		w->opts->status = uc_verify_status_list_lookup;
		w->opts->status_ctx = sl;
	}
	r = uc_verify_card(t, w->opts, &res, &d);
	w->opts->status_ctx = NULL;
	uc_verify_status_list_free(&sl);
	if (r == 0) {
		print_verdict(w, &res);
		return;
	}
	if (stop_signal != 0 && r == UC_ERR_INTERRUPTED)
		return;
	unreadable_reason(r, &d, reason, sizeof(reason));
	print_unreadable(w, reason);
}

/*
 * Wait until the card is gone.  Returns 0, or 1 when the reader went away
 * meanwhile (*t is then freed).
 */
static int
watch_removal(struct watch *w, struct uc_transport **t)
{
	int r, told = 0;

	while (stop_signal == 0) {
		r = uc_transport_wait_removed(*t, WATCH_POLL_MS);
		if (r == 0 || r == UC_ERR_UNSUPPORTED)
			return 0;
		if (r == UC_ERR_TIMEOUT) {
			if (!told)
				say_state(w, "remove the card");
			told = 1;
			continue;
		}
		uc_transport_free(t);
		return 1;
	}
	return 0;
}

static int
watch(struct watch *w)
{
	struct sigaction sa;
	struct uc_transport *t = NULL;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	const char *detail;
	int r;

	/* No SA_RESTART: a signal cuts a wait short. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fprintf(stderr, "unioncard-verify: watching %s for cards "
	    "(Ctrl-C to stop)\n", w->reader);
	while (stop_signal == 0) {
		if (t == NULL) {
			if ((r = uc_transport_open(w->reader, &t)) != 0) {
				say_waiting(w, r);
				nap(WATCH_RETRY_MS);
				continue;
			}
			uc_transport_set_trace(t, w->trace);
		}
		r = uc_transport_connect(t, WATCH_POLL_MS, atr, &atr_len);
		if (r == 0) {
			say_state(w, "reading the card");
			watch_card(w, t);
			/* Let it go: a hopper, a printer, vpcd move on. */
			(void)uc_transport_disconnect(t, 1);
			if (watch_removal(w, &t) == 0)
				say_state(w, "ready: insert a card");
			continue;
		}
		if (r == UC_ERR_TIMEOUT) {
			say_state(w, "ready: insert a card");
			continue;
		}
		if (reader_lost(r)) {
			say_waiting(w, r);
			uc_transport_free(&t);
			nap(WATCH_RETRY_MS);
			continue;
		}
		if (r == UC_ERR_NO_CARD || r == UC_ERR_CARD_REMOVED ||
		    r == UC_ERR_INTERRUPTED) {
			/* Came and went, or a backend that does not wait. */
			nap(WATCH_POLL_MS);
			continue;
		}
		/* A card is there but cannot be spoken to (mute, not
		 * ISO 14443-4): say so once, then wait for it to go. */
		{
			char reason[WATCH_REASON_MAX];

			detail = uc_transport_error_detail();
			snprintf(reason, sizeof(reason), "%s%s%s",
			    uc_strerror(r), detail[0] != '\0' ? ": " : "",
			    detail);
			print_unreadable(w, reason);
		}
		(void)uc_transport_disconnect(t, 0);
		(void)watch_removal(w, &t);
	}
	uc_transport_free(&t);
	/* The summary: on stdout with the lines, on stderr beside JSON. */
	fprintf(w->json ? stderr : stdout, "stopped (%s): %lu card(s) read: "
	    "%lu valid, %lu invalid, %lu unreadable\n",
	    stop_signal == SIGTERM ? "SIGTERM" : "SIGINT",
	    w->n_valid + w->n_invalid + w->n_unreadable, w->n_valid,
	    w->n_invalid, w->n_unreadable);
	fflush(stdout);
	return UC_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "trust", required_argument, NULL, 'T' },
		{ "crl", required_argument, NULL, 'c' },
		{ "status-list", required_argument, NULL, 's' },
		{ "date", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "trace", required_argument, NULL, 't' },
		{ "watch", no_argument, NULL, 'w' },
		{ "qr", optional_argument, NULL, 'Q' },
		{ "qr-image", required_argument, NULL, 'I' },
		{ "signers", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uc_tool_global g;
	const char *reader = NULL, *trust_path = NULL, *crl = NULL;
	const char *status_path = NULL, *date = NULL, *trace_path = NULL;
	char day[9];
	struct uc_trust *trust = NULL;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_verify_status_list *sl = NULL;
	struct uc_verify_opts opts;
	struct uc_verify_result res;
	struct uc_diag d;
	struct watch w;
	struct uc_verify_qr_args qr;
	int c, r, rc = UC_EXIT_FAIL, json = 0, watching = 0;

	memset(&qr, 0, sizeof(qr));

	memset(&g, 0, sizeof(g));
	g.prog = "unioncard-verify";
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': reader = optarg; break;
		case 'T': trust_path = optarg; break;
		case 'c': crl = optarg; break;
		case 's': status_path = optarg; break;
		case 'd': date = optarg; break;
		case 'j': json = 1; break;
		case 't': trace_path = optarg; break;
		case 'w': watching = 1; break;
		case 'Q': qr.on = 1; qr.text = optarg; break;
		case 'I': qr.image = optarg; break;
		case 'G': qr.signers = optarg; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(&g, "bad option");
		}
	}
	/* --qr TEXT: the text is the one argument after it */
	if (qr.on && qr.text == NULL && !watching && optind < argc)
		qr.text = argv[optind++];
	if (optind != argc)
		return uc_tool_usage(&g, "unexpected argument '%s'",
		    argv[optind]);
	if ((qr.on || qr.image != NULL) && (trust_path == NULL ||
	    (reader != NULL && watching)))
		return uc_tool_usage(&g, "--qr and --qr-image need --trust; "
		    "--reader with them (the same card's chip) not in --watch");
	if (!qr.on && qr.image == NULL && (reader == NULL ||
	    trust_path == NULL))
		return uc_tool_usage(&g, "--reader and --trust are required");
	memset(&opts, 0, sizeof(opts));
	if (date != NULL) {
		if (strlen(date) != 10 || date[4] != '-' || date[7] != '-')
			return uc_tool_usage(&g, "--date wants YYYY-MM-DD");
		snprintf(day, sizeof(day), "%.4s%.2s%.2s", date, date + 5,
		    date + 8);
		if (!uc_member_date_valid(day))
			return uc_tool_usage(&g, "--date %s is not a date",
			    date);
		opts.check_date = day;
	}
	if ((r = uc_trust_new(&trust)) != 0 ||
	    (r = uc_trust_add_roots_file(trust, trust_path, &d)) != 0) {
		rc = uc_tool_fail_diag(&g, r, &d, "trust %s", trust_path);
		goto out;
	}
	if (crl != NULL && (r = uc_trust_add_crl_file(trust, crl, &d)) != 0) {
		rc = uc_tool_fail_diag(&g, r, &d, "CRL %s", crl);
		goto out;
	}
	opts.trust = trust;
	if (status_path != NULL) {
		if ((r = uc_verify_status_list_load(status_path,
		    trust, opts.check_time, &sl, &d)) != 0) {
			rc = uc_tool_fail_diag(&g, r, &d, "status list %s",
			    status_path);
			goto out;
		}
		opts.status = uc_verify_status_list_lookup;
		opts.status_ctx = sl;
	}
	if (trace_path != NULL &&
	    (r = uc_trace_open(trace_path, &trace)) != 0) {
		rc = uc_tool_fail(&g, r, "trace %s", trace_path);
		goto out;
	}
	if (qr.on || qr.image != NULL) {
		qr.trust_path = trust_path;
		qr.status_path = status_path;
		qr.json = json;
		qr.watch = watching;
		qr.reader = reader;
		rc = uc_verify_qr_tool(&g, &qr, &opts);
		goto out;
	}
	if (watching) {
		/* The list was checked once above, to fail at the start
		 * rather than at the first card; watch() reads it again for
		 * each card. */
		uc_verify_status_list_free(&sl);
		opts.status = NULL;
		memset(&w, 0, sizeof(w));
		w.reader = reader;
		w.status_path = status_path;
		w.trust = trust;
		w.trace = trace;
		w.opts = &opts;
		w.json = json;
		rc = watch(&w);
		goto out;
	}
	if ((r = uc_transport_open(reader, &t)) != 0) {
		rc = uc_tool_fail(&g, r, "reader %s", reader);
		goto out;
	}
	uc_transport_set_trace(t, trace);
	if ((r = uc_transport_connect(t, CONNECT_TIMEOUT_MS, NULL,
	    NULL)) != 0) {
		rc = uc_tool_fail(&g, r, "could not check the card");
		goto out;
	}
	if ((r = uc_verify_card(t, &opts, &res, &d)) != 0) {
		/* Never a verdict: tell the officer to try again. */
		rc = uc_tool_fail_diag(&g, r, &d,
		    "could not check the card (try again)");
		rc = UC_EXIT_FAIL;
		goto out;
	}
	rc = json ? print_json(&res) : print_text(&res);
out:
	uc_transport_free(&t);
	uc_trace_free(&trace);
	uc_verify_status_list_free(&sl);
	uc_trust_free(&trust);
	return rc;
}
