/*
 * station.c - encode an accepted print request, card after card.
 *
 * The ledger is written before and after the card, never in between:
 *   1. a serial is reserved for the line (ledger), then
 *   2. bound to the chip in the reader, found by a SELECT (ledger), then
 *   3. the card is personalized with that serial in E1/CA and read back
 *      with the verifier's checks (card), then
 *   4. the card is marked encoded, or spoiled with the reason (ledger).
 * A stop between 1 and 4 leaves a reserved serial that the next run uses
 * again, on the same chip only; see applets-spec/station-recovery.md for
 * what it does with the chip it then finds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "unioncard/applet.h"
#include "unioncard/bankfile.h"
#include "unioncard/buf.h"
#include "unioncard/date.h"
#include "unioncard/emv.h"
#include "unioncard/ledger.h"
#include "unioncard/member.h"
#include "unioncard/perso.h"
#include "unioncard/station.h"
#include "unioncard/transport.h"
#include "unioncard/verify.h"

/* The ledger's last refusal, in words (uc_ledger_diag). */
#define LEDGER_WHY(l) (uc_ledger_diag((l), &(struct uc_diag){ 0 })->msg)
/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

#define DEFAULT_SPOILS_PER_LINE 3
#define DEFAULT_YEARS_VALID 5
#define REASON_MAX 512
/* While waiting for a card, look at *stop this often. */
#define STOP_POLL_MS 200
/* A line another station holds is looked at again this often. */
#define BUSY_POLL_MS 250
/* A card pulled early this often on one line is then spoiled. */
#define MAX_PULLED 3
/* A claim on a line lasts this long without a sign of life. */
#define DEFAULT_CLAIM_LEASE_S 120

/*
 * What became of one try at a line (the functions that return these
 * return a negative UC_ERR_* on an error).
 */
enum attempt {
	WRITTEN = 0,          /* the card is written and recorded */
	AGAIN = 1,            /* spoiled or ejected: the line needs a card */
	DONE_ELSEWHERE = 2,   /* another station finished the line */
	STOPPED = 3,          /* *stop was set while waiting for a card */
	HELD_ELSEWHERE = 4,   /* another station holds the line now */
};

static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Monotonic time in milliseconds, finer, for the summary's timings. */
static double
now_fine_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

struct run {
	const struct uc_station_opts *o;
	struct uc_station_summary *sum;
	struct uc_member tmpl; /* unit, type, dates; per line the rest */
	char me[UC_LEDGER_CLAIMANT_MAX + 1]; /* "HOST/PID": our claims */
	int pulled;            /* cards pulled early on the current line */
	unsigned long steps;   /* ledger writes begun in this run */
};

/*
 * This run's name in the ledger's claims: "HOST/PID", HOST from
 * opts->station_host or the host name.
 */
static int
claimant_init(struct run *x, struct uc_diag *diag)
{
	const char *h = x->o->station_host;
	char name[256];

	if (h == NULL) {
		if (gethostname(name, sizeof(name)) != 0)
			snprintf(name, sizeof(name), "localhost");
		name[sizeof(name) - 1] = '\0';
		h = name;
	}
	if (h[0] == '\0' || strchr(h, '/') != NULL ||
	    strlen(h) > UC_LEDGER_CLAIMANT_MAX - 12)
		return uc_diag_set(diag, UC_ERR_ARG, NULL, 0, "station host",
		    "station host '%.64s': want 1 to %d characters, no '/'",
		    h, UC_LEDGER_CLAIMANT_MAX - 12);
	snprintf(x->me, sizeof(x->me), "%s/%ld", h, (long)getpid());
	return 0;
}

/* Around every ledger write: when = 0 before it, 1 after it. */
static void
ledger_step(struct run *x, int when)
{
	if (when == 0)
		x->steps++;
	if (x->o->ledger_step != NULL)
		x->o->ledger_step(x->o->ledger_step_ctx, x->steps, when);
}

static void
emit(struct run *x, enum uc_station_event_kind kind, const struct uc_member *m,
    const char *chip, const char *reason)
{
	struct uc_station_event ev;

	if (x->o->event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.member_code = m->member_code;
	ev.full_name = m->full_name;
	ev.card_serial = m->card_serial;
	ev.chip_serial = chip;
	ev.reason = reason;
	ev.done = x->sum->encoded + x->sum->recovered + x->sum->already;
	ev.total = x->sum->lines;
	x->o->event(x->o->event_ctx, &ev);
}

static int
stopped(const struct run *x)
{
	return x->o->stop != NULL && *x->o->stop != 0;
}

/* Copy a ledger field into a fixed one; UC_ERR_INVALID if too long. */
static int
get_str(const char *s, char *out, size_t cap)
{
	if (strlen(s) >= cap)
		return UC_ERR_INVALID;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Dates: issued today (Vietnam), expiring years later, "YYYYMMDD". */
static void
dates(struct uc_member *m, int years)
{
	int y, mo, d;
	int32_t days;

	uc_date_to_ymd(uc_date_today_vn(), &y, &mo, &d);
	/* Dates are 1900-2999 (date.h): four digits, two, two. */
	snprintf(m->issued_on, sizeof(m->issued_on), "%04u%02u%02u",
	    (unsigned)y % 10000u, (unsigned)mo % 100u, (unsigned)d % 100u);
	/* 29 February has no twin in most years: expire on the 28th. */
	if (mo == 2 && d == 29 && uc_date_from_ymd(y + years, 2, 29,
	    &days) != 0)
		d = 28;
	snprintf(m->expires_on, sizeof(m->expires_on), "%04u%02u%02u",
	    (unsigned)(y + years) % 10000u, (unsigned)mo % 100u,
	    (unsigned)d % 100u);
}

/* The request's unit name. */
static int
unit_name(struct uc_ledger *l, const char *code, char *out, size_t cap)
{
	struct uc_ledger_unit u;
	int r;

	if ((r = uc_ledger_unit_get(l, code, &u)) != 0)
		return r;
	return get_str(u.name, out, cap);
}

/*
 * Data let in before the ledger checked its entries may not fit the card
 * (uc_member_text_check, the ledger's own entry check).  Found here,
 * before a card is touched, it stops the run and spoils nothing.
 */
static int
fits_card(int is_code, enum uc_member_text_kind kind, const char *s,
    const char *who, const char *what, struct uc_diag *diag)
{
	char buf[UC_MEMBER_UNIT_NAME_MAX + 1];
	struct uc_diag t;
	int r;

	uc_diag_clear(&t);
	if (is_code)
		r = uc_member_unit_code_check(s, strlen(s), NULL, NULL, &t);
	else
		r = uc_member_text_check(kind, s, strlen(s),
		    UC_MEMBER_TEXT_CARD, buf, sizeof(buf), NULL, NULL, NULL,
		    &t);
	if (r != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, who,
		    "the ledger's %s does not fit the card: %s; run stopped,"
		    " nothing spoiled (correct it in the ledger first)", what,
		    t.msg);
	return 0;
}

/* Record the card behind t as encoded for m (after a valid read-back). */
static int
record(struct run *x, const struct uc_member *m,
    const struct uc_verify_result *vr, const uint8_t point[UC_EC_POINT_LEN],
    const uint8_t sod[32])
{
	int r;

	ledger_step(x, 0);
	r = uc_ledger_card_encoded(x->o->ledger, m->card_serial,
	    vr->serial_hex, point, UC_EC_POINT_LEN, sod, 32);
	ledger_step(x, 1);
	return r;
}

static int
spoil(struct run *x, const struct uc_member *m, const char *reason)
{
	int r;

	ledger_step(x, 0);
	r = uc_ledger_card_spoil(x->o->ledger, m->card_serial, reason);
	ledger_step(x, 1);
	return r;
}

/* A linked card's bank PAN as the ledger keeps it: HMAC and last four. */
static int
set_pan(struct run *x, const struct uc_member *m, const uint8_t hmac[32],
    const char *last4)
{
	int r;

	ledger_step(x, 0);
	r = uc_ledger_card_set_pan(x->o->ledger, m->card_serial, hmac, last4);
	ledger_step(x, 1);
	return r;
}

static int
bind_serial(struct run *x, const struct uc_member *m, const char *chip)
{
	int r;

	ledger_step(x, 0);
	r = uc_ledger_card_bind_by(x->o->ledger, m->card_serial, chip, x->me);
	ledger_step(x, 1);
	return r;
}

/*
 * Eject a card nothing was written on; the line keeps its serial.
 * Returns 1 (try the next card) or an error.
 */
static int
skip(struct run *x, const struct uc_member *m, const char *chip,
    const char *why, struct uc_diag *diag)
{
	int r;

	x->sum->skipped++;
	emit(x, UC_STATION_SKIPPED, m, chip, why);
	uc_transport_disconnect(x->o->transport, 1);
	/*
	 * A hand-fed reader keeps the card until someone takes it out: wait
	 * for that rather than read it again and again.  (A hopper has fed
	 * the next card already.)
	 */
	r = uc_transport_wait_removed(x->o->transport, x->o->card_timeout_ms);
	if (r != 0 && r != UC_ERR_UNSUPPORTED && r != UC_ERR_NO_CARD)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "a card that cannot be written (chip %s) is still in the "
		    "reader: take it out", chip);
	return AGAIN;
}

/* The chip the line's reserved serial is bound to, "" when none. */
static int
bound_chip(struct run *x, const struct uc_member *m, char *out, size_t cap)
{
	struct uc_ledger_binding b;
	int r;

	out[0] = '\0';
	if ((r = uc_ledger_card_binding(x->o->ledger, m->card_serial,
	    &b)) != 0)
		return r;
	if (strlen(b.chip) >= cap)
		return UC_ERR_LEDGER;
	memcpy(out, b.chip, strlen(b.chip) + 1);
	return 0;
}

/*
 * Is the station that bound this card still at work on it?  Not when the
 * claim is ours (an earlier attempt of this run), older than the lease,
 * or made before claims were recorded.  On this host: when its process
 * is alive.  On another host: while the lease runs (a station there may
 * take that long with one card).
 */
static int
claim_live(const struct run *x, const struct uc_ledger_binding *b)
{
	const struct uc_station_opts *o = x->o;
	int lease = o->claim_lease_s > 0 ? o->claim_lease_s :
	    DEFAULT_CLAIM_LEASE_S;
	const char *slash = strrchr(b->by, '/');
	size_t host_len = (size_t)(strrchr(x->me, '/') - x->me);
	long long age = (long long)time(NULL) - (long long)b->at;
	char *end = NULL;
	long pid;

	if (b->by[0] == '\0' || strcmp(b->by, x->me) == 0 ||
	    age >= lease || slash == NULL)
		return 0;
	/* Another host (HOST is x->me up to its '/'). */
	if ((size_t)(slash - b->by) != host_len ||
	    strncmp(b->by, x->me, host_len) != 0)
		return 1;
	errno = 0;
	pid = strtol(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0 || (pid_t)pid != pid)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/*
 * Before the first APDU that writes: which chip is this (SELECT), and, if
 * it may be written (BLANK or PERSONALIZING), bind the line's serial to it
 * in the ledger under this station's claim, so that serial never ends up
 * on two chips.  Returns 0 to go on; 4 when another station holds the
 * line now (its claim is live, or it changed the line under us): the card
 * stays in the reader, untouched, for another line; 1 when the serial was
 * bound to another chip by a run that died before recording it and not in
 * the reader now: that serial is spoiled (the lost chip may carry it) and
 * the card stays in the reader, blank, for the line's next serial.  A card
 * that cannot be selected is ejected untouched (1): nothing may go on past
 * a failed SELECT, since the transport would connect to whatever card came
 * next.  *ci is the SELECT's answer: personalization goes on from it
 * without selecting again (the applet stays selected; only the ledger is
 * spoken to in between).
 */
static int
bind_chip(struct run *x, struct uc_member *m, struct uc_card_info *ci,
    struct uc_diag *diag)
{
	struct uc_ledger_binding b;
	char chip[2 * UC_CARD_SERIAL_LEN + 1], reason[REASON_MAX];
	uint16_t sw = 0;
	int r;

	memset(ci, 0, sizeof(*ci));
	if ((r = uc_applet_select(x->o->transport, ci, &sw)) != 0) {
		snprintf(reason, sizeof(reason), "the card cannot be selected: "
		    "%s%s%s", uc_strerror(r), sw != 0 ? ", card answered " :
		    "", sw != 0 ? uc_sw_describe(sw) : "");
		return skip(x, m, "?", reason, diag);
	}
	if (ci->lifecycle != UC_LIFECYCLE_BLANK &&
	    ci->lifecycle != UC_LIFECYCLE_PERSONALIZING)
		return 0;
	uc_hex_encode(ci->serial, UC_CARD_SERIAL_LEN, chip);
	if ((r = uc_ledger_card_binding(x->o->ledger, m->card_serial,
	    &b)) != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "ledger: cannot read card %s", m->card_serial);
	if (b.status != UC_CARD_RESERVED ||
	    (b.chip[0] != '\0' && strcmp(b.chip, chip) != 0 &&
	    claim_live(x, &b)))
		goto busy;
	if (b.chip[0] == '\0' || strcmp(b.chip, chip) == 0) {
		r = bind_serial(x, m, chip);
		/* Another station got there between the read and the bind. */
		if (r == UC_ERR_STATE)
			goto busy;
		if (r != 0)
			return uc_diag_set(diag, r, NULL, 0, m->member_code,
			    "ledger: cannot bind card %s to chip %s",
			    m->card_serial, chip);
		return 0;
	}
	if (strcmp(b.by, x->me) == 0)
		snprintf(reason, sizeof(reason), "bound to chip %s, which "
		    "was taken out before it was finished and may carry it; "
		    "chip %s came instead", b.chip, chip);
	else
		snprintf(reason, sizeof(reason), "bound to chip %s by a run "
		    "that stopped before recording it (%s), which may have "
		    "written it; chip %s came instead", b.chip,
		    b.by[0] != '\0' ? b.by : "station unknown", chip);
	if ((r = spoil(x, m, reason)) != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "ledger: cannot spoil card %s", m->card_serial);
	x->sum->spoiled++;
	emit(x, UC_STATION_SPOILED, m, b.chip, reason);
	/* Not ejected: this blank card is for the line's next serial. */
	uc_transport_disconnect(x->o->transport, 0);
	return AGAIN;
busy:
	uc_transport_disconnect(x->o->transport, 0);
	return HELD_ELSEWHERE;
}

static int
reserve(struct run *x, int64_t line_id, struct uc_member *m)
{
	int r;

	ledger_step(x, 0);
	r = uc_ledger_card_reserve(x->o->ledger, line_id, m->card_serial);
	ledger_step(x, 1);
	return r;
}

/*
 * A linked card written by an interrupted run: read the PAN through the
 * bank application again and bind it to the reserved serial (the same
 * binding twice is a no-op in the ledger).  The PAN lives only here.
 */
static int
bind_pan_from_chip(struct run *x, const struct uc_member *m,
    struct uc_diag *diag)
{
	const struct uc_perso_keys *k = x->o->keys;
	uint8_t aid[16], hmac[UC_BANK_PAN_HMAC_LEN];
	char pan[20], expiry[5], last4[5];
	size_t aid_len = 0, n;
	struct uc_diag d;
	int r;

	uc_diag_clear(&d);
	if ((r = uc_emv_read_pan_diag(x->o->transport, pan, expiry, aid,
	    &aid_len, &d)) != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "card %s: cannot read its bank application: %s",
		    m->card_serial, d.msg);
	n = strlen(pan);
	r = uc_bank_pan_hmac(k->bank_link_key, k->bank_link_key_len, pan, n,
	    hmac);
	memcpy(last4, pan + (n >= 4 ? n - 4 : 0), 4);
	last4[4] = '\0';
	OPENSSL_cleanse(pan, sizeof(pan));
	if (r != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "card %s: the bank application's card number is not "
		    "valid", m->card_serial);
	r = set_pan(x, m, hmac, last4);
	OPENSSL_cleanse(hmac, sizeof(hmac));
	if (r != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "ledger: cannot record the bank card of %s: %s",
		    m->card_serial, LEDGER_WHY(x->o->ledger));
	return 0;
}

static int write_card(struct run *x, struct uc_member *m,
    struct uc_diag *diag);

/*
 * Wait for a card.  With a stop flag the wait goes in slices of
 * STOP_POLL_MS, so that Ctrl-C at an empty reader ends the run at once
 * instead of after the whole card timeout.  Returns 0 (a card), 3 (*stop
 * was set; no card in hand), or the transport's error at the deadline.
 */
static int
connect_card(const struct run *x)
{
	const struct uc_station_opts *o = x->o;
	long long deadline = o->card_timeout_ms < 0 ? -1 :
	    now_ms() + o->card_timeout_ms;
	long long left;
	int r, slice;

	if (o->stop == NULL)
		return uc_transport_connect(o->transport, o->card_timeout_ms,
		    NULL, NULL);
	for (;;) {
		if (stopped(x))
			return STOPPED;
		left = deadline < 0 ? STOP_POLL_MS : deadline - now_ms();
		slice = left > STOP_POLL_MS ? STOP_POLL_MS : left < 0 ? 0 :
		    (int)left;
		r = uc_transport_connect(o->transport, slice, NULL, NULL);
		/* The signal may have cut the wait short with an error. */
		if (r != 0 && stopped(x))
			return STOPPED;
		/* No card (or no reader) yet: only the deadline ends it. */
		if ((r != UC_ERR_TIMEOUT && r != UC_ERR_NO_READER) ||
		    (deadline >= 0 && now_ms() >= deadline))
			return r;
	}
}

/*
 * Wait for a card, then re-read the line (another station may have
 * finished it, or spoiled its card and reserved a new serial) and write
 * the card.  Returns 0 written; 1 spoiled or ejected (the line needs
 * another try); 2 when the line turned out done; 4 when another station
 * holds it now (in both, the card stays in the reader, blank, for the
 * next line); 3 when *stop was set while waiting for a card.  `announce`:
 * tell the operator which member the card is for (not when a line
 * another station held is looked at again).
 */
static int
one_card(struct run *x, int64_t line_id, struct uc_member *m, int announce,
    struct uc_diag *diag)
{
	const struct uc_station_opts *o = x->o;
	double t0;
	int done, r;

	if (announce)
		emit(x, UC_STATION_WAITING, m, NULL, NULL);
	t0 = now_fine_ms();
	r = connect_card(x);
	x->sum->card_wait_ms += now_fine_ms() - t0;
	if (r == STOPPED)
		return STOPPED;
	if (r != 0 && x->pulled > 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "the card pulled out for %s %s did not come back (card "
		    "%s stays reserved for it; any other card spoils that "
		    "serial)", m->member_code, m->full_name, m->card_serial);
	if (r != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "no blank card came for %s %s%s%s", m->member_code,
		    m->full_name, TRANSPORT_WHY()[0] != '\0' ?
		    ": " : "", TRANSPORT_WHY());
	t0 = now_fine_ms();
	r = uc_ledger_line_card(o->ledger, line_id, &done, m->card_serial);
	x->sum->ledger_ms += now_fine_ms() - t0;
	if (r != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "ledger: cannot read the line of %s", m->member_code);
	if (done || m->card_serial[0] == '\0') {
		/* Done, or its serial spoiled by another station. */
		uc_transport_disconnect(o->transport, 0);
		return done ? DONE_ELSEWHERE : AGAIN;
	}
	return write_card(x, m, diag);
}

/* The card went away mid-write (pulled, or the reader failed). */
static int
card_gone(int r)
{
	return r == UC_ERR_CARD_REMOVED || r == UC_ERR_NO_CARD ||
	    r == UC_ERR_CARD_RESET || r == UC_ERR_READER_GONE ||
	    r == UC_ERR_TRANSPORT;
}

/*
 * The card left the reader before it was finished.  Nothing is spoiled
 * yet: the serial stays reserved and bound to that chip, and the line
 * waits for a card again.  The same card put back is finished (or, if it
 * was written whole, recorded as recovered); another card spoils the
 * serial, since the pulled one may carry it (bind_chip).  Returns 1.
 */
static int
pulled(struct run *x, const struct uc_member *m, const char *chip,
    const char *stage)
{
	char why[REASON_MAX];

	x->pulled++;
	snprintf(why, sizeof(why), "the card left the reader during %s "
	    "before it was finished: put the same card back to finish it "
	    "(another card spoils serial %s)", stage, m->card_serial);
	emit(x, UC_STATION_PULLED, m, chip, why);
	uc_transport_disconnect(x->o->transport, 0);
	return AGAIN;
}

/*
 * The station's keys do not open the card: its ENC key alone is wrong
 * (UC_ERR_KEY), or the master keys or their version are not the card's
 * (UC_ERR_AUTH at the secure channel: the card cryptogram does not
 * match, or the card has no keys of that version).  Nothing was written
 * and the card lost no try, so the blank is good: the run stops at this
 * first card and spoils nothing, rather than spoil blank after blank
 * that would each fail the same way.  The message says which key version
 * the card has and which the directory has (perso.h).
 */
static int
key_file_wrong(int r, const struct uc_perso_result *pr)
{
	return (r == UC_ERR_KEY && pr->stage <= UC_PERSO_STAGE_IDENTITY) ||
	    (r == UC_ERR_AUTH && pr->stage == UC_PERSO_STAGE_CHANNEL);
}

/*
 * perso found the chip locked: ours from an interrupted run (valid, our
 * serial, bound to this chip or to none), recorded as recovered; or a
 * card that is not blank, skipped.
 */
static int
recover_locked(struct run *x, struct uc_member *m,
    const struct uc_verify_opts *vo, const char *chip, struct uc_diag *diag)
{
	const struct uc_station_opts *o = x->o;
	struct uc_verify_result vr;
	struct uc_diag d;
	char bound[65];
	int r;

	if (uc_verify_card(o->transport, vo, &vr, &d) == 0 &&
	    vr.valid && strcmp(vr.member.card_serial,
	    m->card_serial) == 0 &&
	    bound_chip(x, m, bound, sizeof(bound)) == 0 &&
	    (bound[0] == '\0' || strcmp(bound, vr.serial_hex) == 0)) {
		if (m->card_type == UC_CARD_TYPE_LINKED &&
		    (r = bind_pan_from_chip(x, m, diag)) != 0)
			return r;
		if ((r = record(x, m, &vr, vr.point,
		    vr.secobj_sha256)) != 0)
			return uc_diag_set(diag, r, NULL, 0,
			    m->member_code, "ledger: cannot record "
			    "card %s", m->card_serial);
		x->sum->recovered++;
		emit(x, UC_STATION_RECOVERED, m, vr.serial_hex, NULL);
		uc_transport_disconnect(o->transport, 1);
		return 0;
	}
	return skip(x, m, chip, "the card is not blank (already "
	    "personalized)", diag);
}

/* The card failed after writes began: spoil its serial, eject it (AGAIN). */
static int
spoil_card(struct run *x, struct uc_member *m, const char *chip,
    const char *reason, struct uc_diag *diag)
{
	double t0 = now_fine_ms();
	int r;

	r = spoil(x, m, reason);
	x->sum->ledger_ms += now_fine_ms() - t0;
	if (r != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "ledger: cannot spoil card %s", m->card_serial);
	x->sum->spoiled++;
	emit(x, UC_STATION_SPOILED, m, chip, reason);
	uc_transport_disconnect(x->o->transport, 1);
	return AGAIN;
}

static int
write_card(struct run *x, struct uc_member *m, struct uc_diag *diag)
{
	const struct uc_station_opts *o = x->o;
	struct uc_card_info ci;
	struct uc_perso_result pr;
	struct uc_verify_opts vo;
	struct uc_verify_result vr;
	struct uc_diag d;
	char reason[REASON_MAX], chip[2 * UC_CARD_SERIAL_LEN + 1];
	const struct uc_verify_check *bad = NULL;
	size_t i;
	double t0;
	int r;

	memset(&vo, 0, sizeof(vo));
	vo.trust = o->trust;

	if ((r = bind_chip(x, m, &ci, diag)) != 0)
		return r;
	t0 = now_fine_ms();
	r = uc_perso_card_selected(o->transport, &ci, m, o->keys, &pr, &d);
	x->sum->perso_ms += now_fine_ms() - t0;
	uc_hex_encode(pr.serial, UC_CARD_SERIAL_LEN, chip);
	if (r == UC_ERR_STATE)
		return recover_locked(x, m, &vo, chip, diag);
	if (r != 0 && card_gone(r) && x->pulled < MAX_PULLED)
		return pulled(x, m, chip, uc_perso_stage_str(pr.stage));
	if (key_file_wrong(r, &pr)) {
		/* Nothing was written on this chip: the serial is free for
		 * whichever card comes next, this one or another. */
		ledger_step(x, 0);
		(void)uc_ledger_card_unbind(o->ledger, m->card_serial, chip,
		    x->me);
		ledger_step(x, 1);
		return uc_diag_set(diag, r, NULL, 0, m->member_code, "%s; "
		    "run stopped, nothing spoiled: card %s is still blank",
		    d.msg, chip);
	}
	if (r != 0) {
		snprintf(reason, sizeof(reason), "personalization failed at %.40s:"
		    " %.80s%s%.256s", uc_perso_stage_str(pr.stage),
		    uc_strerror(r), d.msg[0] != '\0' ? ": " : "", d.msg);
		goto spoil;
	}
	/* Read it back exactly as a field officer would. */
	t0 = now_fine_ms();
	r = uc_verify_card(o->transport, &vo, &vr, &d);
	x->sum->verify_ms += now_fine_ms() - t0;
	if (r != 0 && card_gone(r) && x->pulled < MAX_PULLED)
		return pulled(x, m, chip, "read-back");
	if (r != 0) {
		snprintf(reason, sizeof(reason), "read-back failed: %s",
		    uc_strerror(r));
		goto spoil;
	}
	if (!vr.valid) {
		for (i = 0; i < vr.n_checks && bad == NULL; i++)
			if (!vr.checks[i].ok)
				bad = &vr.checks[i];
		snprintf(reason, sizeof(reason), "read-back: %s failed: %s",
		    bad != NULL ? bad->name : "?", bad != NULL ? bad->detail :
		    "");
		goto spoil;
	}
	t0 = now_fine_ms();
	if (m->card_type == UC_CARD_TYPE_LINKED) {
		if (!pr.have_pan_hmac) {
			snprintf(reason, sizeof(reason), "linked card: no PAN "
			    "binding was made");
			goto spoil;
		}
		if ((r = set_pan(x, m, pr.pan_hmac, pr.pan_last4)) != 0)
			return uc_diag_set(diag, r, NULL, 0, m->member_code,
			    "ledger: cannot record the bank card of %s: %s",
			    m->card_serial, LEDGER_WHY(o->ledger));
	}
	r = record(x, m, &vr, pr.point, pr.secobj_sha256);
	x->sum->ledger_ms += now_fine_ms() - t0;
	if (r != 0)
		return uc_diag_set(diag, r, NULL, 0, m->member_code,
		    "ledger: cannot record card %s", m->card_serial);
	x->sum->encoded++;
	emit(x, UC_STATION_ENCODED, m, vr.serial_hex, NULL);
	uc_transport_disconnect(o->transport, 1);
	return 0;
spoil:
	return spoil_card(x, m, chip, reason, diag);
}

/* Sleep ms in slices that look at *stop; 1 when it was set. */
static int
pause_ms(const struct run *x, int ms)
{
	struct timespec ts;
	int slice;

	for (; ms > 0; ms -= slice) {
		if (stopped(x))
			return 1;
		slice = ms > STOP_POLL_MS ? STOP_POLL_MS : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)slice * 1000000L;
		(void)nanosleep(&ts, NULL);
	}
	return stopped(x);
}

/*
 * 1 when another station holds the line's reserved serial now (bound to
 * its chip under a live claim): the line is left to it without taking a
 * card out of the hopper; 0 when not; <0 a ledger error.
 */
static int
line_held(struct run *x, const struct uc_member *m)
{
	struct uc_ledger_binding b;
	int r;

	if (m->card_serial[0] == '\0')
		return 0;
	if ((r = uc_ledger_card_binding(x->o->ledger, m->card_serial,
	    &b)) != 0)
		return r;
	return b.status == UC_CARD_RESERVED && b.chip[0] != '\0' &&
	    claim_live(x, &b);
}

/*
 * One line of the request, until it has its card.  Returns 0 when the
 * line is done (here or by another station; or *stop was set:
 * summary->stopped), 4 when another station holds it now, or an error.
 */
static int
do_line(struct run *x, const struct uc_ledger_request_line *line,
    int announce, struct uc_diag *diag)
{
	const struct uc_station_opts *o = x->o;
	struct uc_member m = x->tmpl;
	int64_t line_id = line->line_id;
	double t0;
	int done, r, spoils;

	x->pulled = 0;
	if (get_str(line->member_code, m.member_code,
	    sizeof(m.member_code)) != 0 ||
	    get_str(line->full_name, m.full_name,
	    sizeof(m.full_name)) != 0 || line_id <= 0)
		return UC_ERR_LEDGER;
	if ((r = fits_card(0, UC_MEMBER_TEXT_FULL_NAME, m.full_name,
	    m.member_code, "full name", diag)) != 0)
		return r;
	t0 = now_fine_ms();
	r = uc_ledger_line_card(o->ledger, line_id, &done, m.card_serial);
	x->sum->ledger_ms += now_fine_ms() - t0;
	if (r != 0)
		return r;
	if (done) {
		x->sum->already++;
		return 0;
	}
	if ((r = line_held(x, &m)) != 0)
		goto held;
	for (spoils = 0;;) {
		if (stopped(x)) {
			x->sum->stopped = 1;
			return 0;
		}
		/* The serial is in the ledger before the first APDU. */
		t0 = now_fine_ms();
		r = m.card_serial[0] == '\0' ? reserve(x, line_id, &m) : 0;
		x->sum->ledger_ms += now_fine_ms() - t0;
		if (r != 0)
			return uc_diag_set(diag, r, NULL, 0, m.member_code,
			    "ledger: cannot reserve a card for %s",
			    m.member_code);
		r = one_card(x, line_id, &m, announce, diag);
		if (r < 0 || r == WRITTEN)
			return r;
		if (r == STOPPED) {
			/* The reserved serial waits for the next run. */
			x->sum->stopped = 1;
			return 0;
		}
		if (r == DONE_ELSEWHERE) {
			/* Another station finished this line. */
			x->sum->already++;
			return 0;
		}
		if (r == HELD_ELSEWHERE)
			goto held;
		/*
		 * Spoiled: the line needs a new serial.  Skipped (not a
		 * blank): the reserved serial waits for the next.
		 */
		if ((r = uc_ledger_line_card(o->ledger, line_id, &done,
		    m.card_serial)) != 0)
			return r;
		if (done) {
			/* Another station finished this line. */
			x->sum->already++;
			return 0;
		}
		if (m.card_serial[0] == '\0' &&
		    ++spoils >= (o->max_spoils_per_line > 0 ?
		    o->max_spoils_per_line : DEFAULT_SPOILS_PER_LINE))
			return uc_diag_set(diag, UC_ERR_STATE, NULL, 0,
			    m.member_code, "%d cards spoiled in a row for %s: "
			    "stopping", spoils, m.member_code);
	}
held:
	if (r < 0)
		return uc_diag_set(diag, r, NULL, 0, m.member_code,
		    "ledger: cannot read card %s", m.card_serial);
	if (announce)
		emit(x, UC_STATION_DEFERRED, &m, NULL, "another station is "
		    "writing this member's card; back to it later");
	return HELD_ELSEWHERE;
}

/*
 * Every line once in order, then the lines other stations held, again
 * and again until each is done here or there.  0, or <0 an error; a stop
 * (x->sum->stopped) ends it with 0.
 */
static int
run_lines(struct run *x, const struct uc_ledger_request *req,
    struct uc_diag *diag)
{
	size_t i, *busy = NULL, nbusy = 0, keep;
	int r;

	if ((busy = calloc(x->sum->lines + 1, sizeof(*busy))) == NULL)
		return UC_ERR_NOMEM;
	for (i = 0; i < req->nlines; i++) {
		if ((r = do_line(x, &req->lines[i], 1, diag)) < 0)
			goto out;
		if (x->sum->stopped)
			goto stop;
		if (r == HELD_ELSEWHERE)
			busy[nbusy++] = i;
	}
	while (nbusy > 0) {
		for (i = 0, keep = 0; i < nbusy; i++) {
			r = do_line(x, &req->lines[busy[i]], 0, diag);
			if (r < 0)
				goto out;
			if (x->sum->stopped)
				goto stop;
			if (r == HELD_ELSEWHERE)
				busy[keep++] = busy[i];
		}
		if (keep == nbusy && pause_ms(x, BUSY_POLL_MS)) {
			x->sum->stopped = 1;
			goto stop;
		}
		nbusy = keep;
	}
stop:
	r = 0;
out:
	free(busy);
	return r;
}

int
uc_station_encode(const struct uc_station_opts *o,
    struct uc_station_summary *sum, struct uc_diag *diag)
{
	struct run x;
	struct uc_ledger_request *req = NULL;
	const char *unit;
	double start = now_fine_ms(), t0;
	int r;

	if (sum != NULL)
		memset(sum, 0, sizeof(*sum));
	uc_diag_clear(diag);
	if (o == NULL || sum == NULL || o->ledger == NULL ||
	    o->transport == NULL || o->keys == NULL || o->trust == NULL)
		return UC_ERR_ARG;
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.sum = sum;
	if ((r = claimant_init(&x, diag)) != 0)
		return r;

	t0 = now_fine_ms();
	r = uc_ledger_request_get(o->ledger, o->request_id, &req);
	sum->ledger_ms += now_fine_ms() - t0;
	if (r == UC_ERR_NOT_FOUND) {
		r = uc_diag_set(diag, r, NULL, 0, "request", "request %lld "
		    "does not exist", (long long)o->request_id);
		goto out;
	}
	if (r == UC_ERR_PERM) {
		r = uc_diag_set(diag, r, NULL, 0, "request", "request %lld: "
		    "%s", (long long)o->request_id,
		    LEDGER_WHY(o->ledger));
		goto out;
	}
	if (r != 0)
		goto out;
	unit = req->unit;
	if (req->status != UC_REQUEST_ACCEPTED) {
		r = uc_diag_set(diag, UC_ERR_STATE, NULL, 0, "request",
		    "request %lld is %s: only an accepted request is encoded",
		    (long long)o->request_id,
		    uc_ledger_request_status_name((int)req->status));
		goto out;
	}
	x.tmpl.card_type = UC_CARD_TYPE_REGULAR;
	if (req->type == UC_LEDGER_CARD_LINKED) {
		/* The ledger keeps the PAN's HMAC: no key, no linked card. */
		if (o->keys->bank_link_key == NULL) {
			r = uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "request",
			    "request %lld is for linked cards: the bank-link "
			    "key is needed", (long long)o->request_id);
			goto out;
		}
		x.tmpl.card_type = UC_CARD_TYPE_LINKED;
	}
	if (get_str(req->unit, x.tmpl.unit_code,
	    sizeof(x.tmpl.unit_code)) != 0 ||
	    (r = unit_name(o->ledger, unit, x.tmpl.unit_name,
	    sizeof(x.tmpl.unit_name))) != 0) {
		r = uc_diag_set(diag, UC_ERR_LEDGER, NULL, 0, "unit",
		    "unit %s: no name in the ledger", unit);
		goto out;
	}
	if ((r = fits_card(1, UC_MEMBER_TEXT_UNIT_NAME, x.tmpl.unit_code,
	    unit, "unit code", diag)) != 0 ||
	    (r = fits_card(0, UC_MEMBER_TEXT_UNIT_NAME, x.tmpl.unit_name,
	    unit, "unit name", diag)) != 0)
		goto out;
	dates(&x.tmpl, o->years_valid > 0 ? o->years_valid :
	    DEFAULT_YEARS_VALID);
	sum->lines = req->nlines;
	r = run_lines(&x, req, diag);
out:
	sum->total_ms = now_fine_ms() - start;
	uc_ledger_request_free(&req);
	return r;
}
