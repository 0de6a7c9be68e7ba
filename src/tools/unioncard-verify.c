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

#include "unioncard/date.h"
#include "unioncard/keys.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"
#include "unioncard/verify.h"

#include "config.h"
#include "tool.h"
#if UC_WITH_SIMULATOR
#include "vcard/vcard.h"
#endif
#include "verify_qr.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

/* One-card mode: how long to wait for a card (--wait). */
#define WAIT_DEFAULT_S 10
#define WAIT_MAX_S 3600
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
	    "                        [--wait SECONDS | --watch]\n"
	    "       unioncard-verify --qr TEXT|- | --qr-image FILE | --watch --qr\n"
	    "                        --trust ROOT.pem [--signers PATH] [...]\n"
	    "\n"
	    "Read a union member card and check it: it is personalized, locked\n"
	    "and well-formed (objects), its data is intact and signed by a\n"
	    "union station (hashes, signature, chain), the chip is the original\n"
	    "and not a copy (active_auth), it has not expired (expiry) and is\n"
	    "not revoked (status, with --status-list).  The verdict is one of\n"
	    "three (applets-spec/verdicts.md):\n"
	    "  VALID            every check passed\n"
	    "  INVALID          a check failed: the headline names the first\n"
	    "                   one, checks after it that needed it are 'not run'\n"
	    "  COULD NOT CHECK  the card could not be read (pulled, no card,\n"
	    "                   garbage), or the status list or CRL cannot be\n"
	    "                   used (out of date, unsigned, another signer):\n"
	    "                   try again, or fetch a fresh list\n"
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
	    "  --date YYYY-MM-DD   check expiry, certificates and the status\n"
	    "                      list's validity on this day (default:\n"
	    "                      today, Vietnam time)\n"
	    "  --wait SECONDS      one card: wait that long for a card to be\n"
	    "                      inserted or tapped (default 10; 0: only a\n"
	    "                      card already there)\n"
	    "  --json              one line {\"verdict\", \"failed_check\",\n"
	    "                      \"reason\", \"checks\", \"card\"}; verdict is\n"
	    "                      \"valid\", \"invalid\" or \"could_not_check\"\n"
	    "  --trace FILE        write every APDU to FILE\n"
	    "  --watch             read cards one after another until Ctrl-C,\n"
	    "                      one line per card:\n"
	    "                        VALID   CODE  NAME  UNIT  expires DATE  card SERIAL (chip CHIP)\n"
	    "                        INVALID CODE NAME: CHECK \xe2\x80\x94 WHY\n"
	    "                        COULD NOT CHECK CODE NAME: CHECK \xe2\x80\x94 WHY\n"
	    "                        COULD NOT CHECK: REASON \xe2\x80\x94 try again\n"
	    "                      (with --json one object per line).  Survives\n"
	    "                      cards pulled early and the reader or pcscd\n"
	    "                      going away and coming back; the status list\n"
	    "                      is re-read for each card.  SIGINT/SIGTERM:\n"
	    "                      stop with a count of each verdict.\n"
	    );
	fprintf(f,
	    "  --qr TEXT           check a printed card's QR code instead of a\n"
	    "                      chip (applets-spec/printed-card.md): TEXT as a\n"
	    "                      barcode scanner types it, '-' one line of\n"
	    "                      standard input; checks signature, chain,\n"
	    "                      expiry, status\n"
	    "  --qr-image FILE     the same from a PNG picture of the card\n"
	    "  --watch --qr        one scanned code a line from standard input\n"
	    "                      until it ends (VALID/INVALID/COULD NOT CHECK)\n"
	    "                      (with --reader too: the chip of the same card\n"
	    "                      is checked and must be the card the code names)\n"
	    "  --signers PATH      the stations' document-signer certificates\n"
	    "                      the codes name (a PEM file or a folder of\n"
	    "                      them; default: signers/ beside --trust)\n"
	    "  -h, --help          this text\n"
	    "  --version           print the version\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard-verify --reader 'Virtual PCD 00 00' --trust keys/root.pem\n"
	    "  unioncard-verify --reader pcsc:ACS --wait 30 --trust root.pem \\\n"
	    "      --status-list today.usl\n"
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
	    "Exit status: 0 valid, 1 invalid, 2 could not check (or could not\n"
	    "start: a bad option, an unreadable ROOT.pem).  --watch: 0 when\n"
	    "stopped by a signal, 2 if it could not start.\n");
}

/* The label of a check's outcome in the one-card listing. */
static const char *
label(const struct uc_verify_check *c)
{
	switch (c->outcome) {
	case UC_VERIFY_OK: return "ok";
	case UC_VERIFY_FAILED: return "FAIL";
	case UC_VERIFY_NOT_RUN: return "--";
	case UC_VERIFY_SKIPPED: return "skip";
	case UC_VERIFY_UNDECIDED: return "??";
	}
	return "??";
}

/*
 * What the headline says after the check's name: the check's words for
 * a failure; for a check that could not decide, its detail (the reason,
 * e.g. the status list's times), which is what the officer must act on.
 */
static const char *
lead_words(const struct uc_verify_check *c)
{
	return c->outcome == UC_VERIFY_UNDECIDED ? c->detail : c->why;
}

static void
iso(const char *d, char out[11])
{
	if (d[0] == '\0')
		out[0] = '\0';
	else
		snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

/* An outcome in --json: "ok", "failed", "not_run", "skipped",
 * "could_not_check". */
static const char *
outcome_json(enum uc_verify_outcome o)
{
	switch (o) {
	case UC_VERIFY_OK: return "ok";
	case UC_VERIFY_FAILED: return "failed";
	case UC_VERIFY_NOT_RUN: return "not_run";
	case UC_VERIFY_SKIPPED: return "skipped";
	case UC_VERIFY_UNDECIDED: return "could_not_check";
	}
	return "could_not_check";
}

/* The verdict as JSON (one line); reason: why the card could not be
 * read at all (res NULL then). */
static void
put_json(const struct uc_verify_result *res, const char *reason)
{
	json_t *o = json_object(), *checks = json_array(), *card;
	const struct uc_verify_check *lead = NULL;
	char issued[11], expires[11];
	char *s;
	size_t i;

	json_object_set_new(o, "verdict", json_string(uc_verdict_json(
	    res != NULL ? res->verdict : UC_VERDICT_COULD_NOT_CHECK)));
	if (res != NULL)
		lead = uc_verify_lead(res);
	if (lead != NULL) {
		json_object_set_new(o, "failed_check", json_string(lead->name));
		json_object_set_new(o, "reason", json_string(lead_words(lead)));
	} else if (reason != NULL)
		json_object_set_new(o, "reason", json_string(reason));
	for (i = 0; res != NULL && i < res->n_checks; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "name",
		    json_string(res->checks[i].name));
		json_object_set_new(c, "ok",
		    json_boolean(res->checks[i].ok));
		json_object_set_new(c, "result", json_string(
		    outcome_json(res->checks[i].outcome)));
		json_object_set_new(c, "detail",
		    json_string(res->checks[i].detail));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "checks", checks);
	card = json_object();
	if (res != NULL) {
		json_object_set_new(card, "serial",
		    json_string(res->serial_hex));
		json_object_set_new(card, "blank", json_boolean(res->blank));
	}
	if (res != NULL && res->have_fields) {
		const struct uc_member *m = &res->member;

		iso(m->issued_on, issued);
		iso(m->expires_on, expires);
		json_object_set_new(card, "card_serial", m->card_serial[0] ?
		    json_string(m->card_serial) : json_null());
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
	s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(o);
	if (s != NULL)
		puts(s);
	free(s);
	fflush(stdout);
}

/* Exit status of a verdict: 0 valid, 1 invalid, 2 could not check. */
static int
verdict_exit(const struct uc_verify_result *res)
{
	return res->verdict == UC_VERDICT_VALID ? UC_EXIT_OK :
	    res->verdict == UC_VERDICT_INVALID ? UC_EXIT_NO : UC_EXIT_FAIL;
}

/* "card 52000000001 (chip 5255000000000042)", or the chip alone. */
static void
card_ids(const struct uc_verify_result *res, char *out, size_t cap)
{
	if (res->have_fields && res->member.card_serial[0] != '\0')
		snprintf(out, cap, "card %s (chip %s)", res->member.card_serial,
		    res->serial_hex);
	else
		snprintf(out, cap, "chip %s", res->serial_hex);
}

static int
print_text(const struct uc_verify_result *res)
{
	const struct uc_member *m = &res->member;
	const struct uc_verify_check *lead;
	char expires[11], ids[64];
	size_t i;

	for (i = 0; i < res->n_checks; i++)
		printf("  %-4s  %-11s  %s\n", label(&res->checks[i]),
		    res->checks[i].name, res->checks[i].detail);
	card_ids(res, ids, sizeof(ids));
	if (res->valid) {
		iso(m->expires_on, expires);
		printf("VALID  %s  %s  %s  %s  until %s  %s  station %s\n",
		    m->member_code, m->full_name, m->unit_code,
		    m->card_type == 2 ? "linked" : "regular", expires,
		    ids, res->station);
		return UC_EXIT_OK;
	}
	/* The headline names the first check that failed (verdicts.md). */
	lead = uc_verify_lead(res);
	if (res->verdict == UC_VERDICT_INVALID)
		printf("INVALID: %s failed \xe2\x80\x94 %s\n", lead->name,
		    lead_words(lead));
	else
		printf("COULD NOT CHECK: %s \xe2\x80\x94 %s\n", lead->name,
		    lead_words(lead));
	if (res->have_fields)
		printf("  %s %s %s %s\n", ids, res->verdict ==
		    UC_VERDICT_INVALID ? "claims to be" : "is for",
		    m->member_code, m->full_name);
	else
		printf("  %s\n", ids);
	return verdict_exit(res);
}

/*
 * Watch mode: one card after another, for a field officer at a gate.
 *
 * The loop never gives up on the reader: a reader unplugged, pcscd
 * restarted, a libnfc device that stops answering all close the
 * transport, and it is opened again until it is back (said once on
 * stderr, not once a poll).  A card pulled early, or one that answers
 * garbage, is one COULD NOT CHECK line, never INVALID.  Waits are short
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
	unsigned long n_valid, n_invalid, n_unsure;
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
	const char *detail = TRANSPORT_WHY();

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

/* A card that could not be read at all: one line (or object). */
static void
print_unread(int json, const char *reason)
{
	if (json)
		put_json(NULL, reason);
	else
		printf("COULD NOT CHECK: %s \xe2\x80\x94 try again\n", reason);
	fflush(stdout);
}

static void
print_verdict(struct watch *w, const struct uc_verify_result *res)
{
	const struct uc_member *m = &res->member;
	const struct uc_verify_check *lead;
	char expires[11], ids[64];

	if (res->verdict == UC_VERDICT_VALID)
		w->n_valid++;
	else if (res->verdict == UC_VERDICT_INVALID)
		w->n_invalid++;
	else
		w->n_unsure++;
	if (w->json) {
		put_json(res, NULL);
		return;
	}
	if (res->valid) {
		iso(m->expires_on, expires);
		card_ids(res, ids, sizeof(ids));
		printf("VALID   %s  %s  %s  expires %s  %s\n", m->member_code,
		    m->full_name, m->unit_name, expires, ids);
	} else {
		lead = uc_verify_lead(res);
		printf("%s ", res->verdict == UC_VERDICT_INVALID ? "INVALID" :
		    "COULD NOT CHECK");
		if (res->have_fields)
			printf("%s %s: ", m->member_code, m->full_name);
		else
			printf("chip %s: ", res->serial_hex);
		printf("%s \xe2\x80\x94 %s\n", lead->name, lead_words(lead));
	}
	fflush(stdout);
}

/*
 * The status source for the next card: the list at path, read again
 * (an officer copies in today's list without restarting; a list that has
 * gone stale since the start must not vouch for anyone).  A list that
 * cannot be used makes the status check "could not check" with why
 * (its reason and times), and the card is still read: a forged card is
 * invalid whatever the list.
 */
static void
open_status(const char *path, struct uc_trust *trust,
    struct uc_verify_opts *opts, struct uc_verify_status_list **sl,
    char *why, size_t cap)
{
	struct uc_diag d;
	int r;

	*sl = NULL;
	opts->status = NULL;
	opts->status_ctx = NULL;
	if (path == NULL)
		return;
	uc_diag_clear(&d);
	if ((r = uc_verify_status_list_load(path, trust, opts->check_time, sl,
	    &d)) != 0) {
		snprintf(why, cap, "%s", d.msg[0] != '\0' ? d.msg :
		    uc_strerror(r));
		opts->status = uc_verify_status_unusable;
		opts->status_ctx = why;
		return;
	}
	opts->status = uc_verify_status_list_lookup;
	opts->status_ctx = *sl;
}

/* One card, connected. */
static void
watch_card(struct watch *w, struct uc_transport *t)
{
	struct uc_verify_status_list *sl = NULL;
	struct uc_verify_result res;
	struct uc_diag d;
	char reason[WATCH_REASON_MAX], why[UC_DIAG_MSG_MAX];
	int r;

	uc_diag_clear(&d);
	open_status(w->status_path, w->trust, w->opts, &sl, why, sizeof(why));
	r = uc_verify_card(t, w->opts, &res, &d);
	w->opts->status = NULL;
	w->opts->status_ctx = NULL;
	uc_verify_status_list_free(&sl);
	if (r == 0) {
		print_verdict(w, &res);
		return;
	}
	if (stop_signal != 0 && r == UC_ERR_INTERRUPTED)
		return;
	unreadable_reason(r, &d, reason, sizeof(reason));
	w->n_unsure++;
	print_unread(w->json, reason);
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

			detail = TRANSPORT_WHY();
			snprintf(reason, sizeof(reason), "%s%s%s",
			    uc_strerror(r), detail[0] != '\0' ? ": " : "",
			    detail);
			w->n_unsure++;
			print_unread(w->json, reason);
		}
		(void)uc_transport_disconnect(t, 0);
		(void)watch_removal(w, &t);
	}
	uc_transport_free(&t);
	/* The summary: on stdout with the lines, on stderr beside JSON. */
	fprintf(w->json ? stderr : stdout, "stopped (%s): %lu card(s) read: "
	    "%lu valid, %lu invalid, %lu could not check\n",
	    stop_signal == SIGTERM ? "SIGTERM" : "SIGINT",
	    w->n_valid + w->n_invalid + w->n_unsure, w->n_valid,
	    w->n_invalid, w->n_unsure);
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
		{ "wait", required_argument, NULL, 'W' },
		{ "qr", optional_argument, NULL, 'Q' },
		{ "qr-image", required_argument, NULL, 'I' },
		{ "signers", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct uc_tool_global g;
	const char *reader = NULL, *trust_path = NULL, *crl = NULL;
	const char *status_path = NULL, *date = NULL, *trace_path = NULL;
	char day[9], why[UC_DIAG_MSG_MAX], reason[WATCH_REASON_MAX];
	char today[UC_DATE_ISO_LEN + 1];
	char *end;
	long wait_s = WAIT_DEFAULT_S;
	struct uc_trust *trust = NULL;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_verify_status_list *sl = NULL;
	struct uc_verify_opts opts;
	struct uc_verify_result res;
	struct uc_diag d;
	struct watch w;
	struct uc_verify_qr_args qr;
	int c, r, rc = UC_EXIT_FAIL, json = 0, watching = 0, wait_set = 0;

	memset(&qr, 0, sizeof(qr));

	memset(&g, 0, sizeof(g));
	g.prog = "unioncard-verify";
#if UC_WITH_SIMULATOR
	/* -Dsimulator=true: `vcard:` readers too (demo, tests). */
	if (uc_vcard_transport_register() != 0)
		return uc_tool_fail(&g, UC_ERR_INTERNAL, "cannot register the "
		    "vcard: transport");
#endif
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
		case 'W':
			wait_s = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait_s < 0 ||
			    wait_s > WAIT_MAX_S)
				return uc_tool_usage(&g, "--wait: 0 to %d "
				    "seconds", WAIT_MAX_S);
			wait_set = 1;
			break;
		case 'Q': qr.on = 1; qr.text = optarg; break;
		case 'I': qr.image = optarg; break;
		case 'G': qr.signers = optarg; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		case 'V':
			printf("unioncard-verify %s\n", UC_VERSION);
			return UC_EXIT_OK;
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
	if (watching && wait_set)
		return uc_tool_usage(&g, "--wait is for one card; --watch "
		    "waits for cards until stopped");
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
		/* Another day than today: the status list is judged at it
		 * too, as the certificates are (noon in Vietnam, 05:00 UTC),
		 * so today's list cannot vouch for an earlier day. */
		if (uc_date_format_iso(uc_date_today_vn(), today) == 0 &&
		    strcmp(today, date) != 0) {
			struct tm tm;

			memset(&tm, 0, sizeof(tm));
			tm.tm_year = atoi(date) - 1900;
			tm.tm_mon = atoi(date + 5) - 1;
			tm.tm_mday = atoi(date + 8);
			tm.tm_hour = 5;
			opts.check_time = timegm(&tm);
		}
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
		/* one code: the list is read here, as for one chip (--watch
		 * --qr reads it again for each code) */
		if (!watching) {
			open_status(status_path, trust, &opts, &sl, why,
			    sizeof(why));
			if (opts.status == uc_verify_status_unusable) {
				printf("COULD NOT CHECK: the status list %s "
				    "cannot be used (%s): fetch a new one\n",
				    status_path, why);
				rc = UC_EXIT_FAIL;
				goto out;
			}
		}
		rc = uc_verify_qr_tool(&g, &qr, &opts);
		goto out;
	}
	if (watching) {
		/* Read once here only to warn at the start; watch() reads
		 * it again for each card. */
		open_status(status_path, trust, &opts, &sl, why, sizeof(why));
		if (opts.status == uc_verify_status_unusable)
			fprintf(stderr, "unioncard-verify: status list %s "
			    "cannot be used (%s): every card is \"could not "
			    "check\" until a usable one is copied there\n",
			    status_path, why);
		uc_verify_status_list_free(&sl);
		opts.status = NULL;
		opts.status_ctx = NULL;
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
	/* A card already there is read at once; else say what we wait
	 * for, and for how long. */
	r = uc_transport_connect(t, 0, NULL, NULL);
	if ((r == UC_ERR_TIMEOUT || r == UC_ERR_NO_CARD) && wait_s > 0) {
		fprintf(stderr, "unioncard-verify: insert or tap a member card "
		    "on %s (waiting up to %ld s, --wait)\n", reader, wait_s);
		r = uc_transport_connect(t, (int)wait_s * 1000, NULL, NULL);
	}
	if (r == UC_ERR_TIMEOUT || r == UC_ERR_NO_CARD) {
		snprintf(reason, sizeof(reason), "no card was presented on %s "
		    "within %ld s", reader, wait_s);
		print_unread(json, reason);
		rc = UC_EXIT_FAIL;
		goto out;
	}
	if (r != 0) {
		uc_diag_clear(&d);
		unreadable_reason(r, &d, reason, sizeof(reason));
		print_unread(json, reason);
		rc = UC_EXIT_FAIL;
		goto out;
	}
	open_status(status_path, trust, &opts, &sl, why, sizeof(why));
	if ((r = uc_verify_card(t, &opts, &res, &d)) != 0) {
		/* Never a verdict against the card: try again. */
		unreadable_reason(r, &d, reason, sizeof(reason));
		print_unread(json, reason);
		rc = UC_EXIT_FAIL;
		goto out;
	}
	if (json) {
		put_json(&res, NULL);
		rc = verdict_exit(&res);
	} else
		rc = print_text(&res);
	/* Let it go, as --watch does: a hopper or vpcd moves on. */
	(void)uc_transport_disconnect(t, 1);
out:
	uc_transport_free(&t);
	uc_trace_free(&trace);
	uc_verify_status_list_free(&sl);
	uc_trust_free(&trust);
	return rc;
}
