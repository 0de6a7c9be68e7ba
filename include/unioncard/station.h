/*
 * unioncard/station.h - the issuance station: encode an accepted print
 * request, card after card, keeping the ledger true at every step.
 *
 * For each line of the request the station makes sure a card serial is
 * reserved in the ledger BEFORE the first APDU, waits for a blank card,
 * binds the serial to that chip in the ledger BEFORE the first APDU that
 * writes, personalizes it with that serial in E1/CA, reads it back with the
 * verifier's checks, and only then marks it encoded (chip serial, public
 * key, security-object hash).  A card that fails is marked spoiled with the
 * reason, and the line gets a new serial on the next card.
 *
 * Running it again resumes: lines with an encoded or issued card are done;
 * a line whose reserved card is already on a locked chip (the station was
 * stopped between writing and recording) is completed from the chip when
 * the chip carries that serial, verifies and is the chip the serial is
 * bound to; a serial bound to a chip that is gone (another blank chip is
 * in the reader) is spoiled.  See applets-spec/station-recovery.md.
 *
 * A linked request's cards are bank cards carrying the bank's payment
 * application: perso reads the PAN from it and binds the union record to
 * it (E3); the station records the PAN's HMAC under keys->bank_link_key
 * and its last four digits (uc_ledger_card_set_pan) before marking the
 * card encoded.  A linked request without a bank-link key is refused
 * before any card is touched.
 * (The progress bar is the tool's: src/tools/progress.h.)
 * Test hooks (a kill at a ledger step): station-recovery.md.
 */
#ifndef UNIONCARD_STATION_H
#define UNIONCARD_STATION_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"
#include "unioncard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uc_ledger;
struct uc_transport;
struct uc_perso_keys;
struct uc_trust;

enum uc_station_event_kind {
	UC_STATION_WAITING = 1, /* waiting for a blank card for a member */
	UC_STATION_ENCODED,     /* a card encoded, verified and recorded */
	UC_STATION_RECOVERED,   /* a card written earlier, now recorded */
	UC_STATION_SPOILED,     /* a card failed; recorded as spoiled */
	UC_STATION_SKIPPED,     /* a card that is not blank was ejected */
	UC_STATION_DEFERRED,    /* another station holds the line: later */
	UC_STATION_PULLED,      /* the card left mid-write: put it back */
};

struct uc_station_event {
	enum uc_station_event_kind kind;
	const char *member_code;
	const char *full_name;
	const char *card_serial; /* the ledger's serial */
	const char *chip_serial; /* hex, when a chip was read */
	const char *reason;      /* spoiled / skipped: why */
	size_t done, total;      /* lines encoded so far, lines in all */
};

typedef void (*uc_station_event_fn)(void *ctx,
    const struct uc_station_event *ev);

struct uc_station_opts {
	struct uc_ledger *ledger;        /* logged in as a printer */
	int64_t request_id;
	struct uc_transport *transport;  /* a reader, or a vcard: hopper */
	const struct uc_perso_keys *keys;
	const struct uc_trust *trust;    /* for the read-back check */
	int card_timeout_ms;             /* wait for each card; -1 forever */
	int max_spoils_per_line;         /* 0: 3 */
	int years_valid;                 /* 0: 5 */
	uc_station_event_fn event;       /* may be NULL */
	void *event_ctx;
	/*
	 * Set by a signal: stop between cards.  A wait for a card is cut
	 * into 200 ms slices that look at it, so an empty reader does not
	 * hold the stop back for card_timeout_ms.
	 */
	volatile sig_atomic_t *stop;
	/*
	 * Stations on one ledger (processes or containers on one computer,
	 * the file on a local disk): before it
	 * writes a card a station binds the line's serial to the chip under
	 * its claim "HOST/PID" (uc_ledger_card_bind_by).  Another station
	 * finding that claim leaves the line to it while the claim is live -
	 * its process alive on this host, or younger than claim_lease_s on
	 * another - and comes back to it after the other lines; a dead
	 * claim's serial is spoiled (applets-spec/station-recovery.md).
	 * station_host: this host's name in claims (NULL: the host name);
	 * it must differ between hosts (containers) sharing a ledger.
	 */
	const char *station_host;
	int claim_lease_s;               /* 0: 120 */
	/*
	 * Called just before (after = 0) and just after (after = 1) each
	 * ledger write of the run - reserve, bind, encoded, spoiled - with
	 * its number in the run, counted from 1.  May be NULL.  The kill
	 * tests stop the process here at every step (a test hook of the
	 * tool, applets-spec/station-recovery.md).
	 */
	void (*ledger_step)(void *ctx, unsigned long step, int after);
	void *ledger_step_ctx;
};

struct uc_station_summary {
	size_t lines, encoded, recovered, already, spoiled, skipped;
	int stopped; /* 1 when *stop ended the run early */
	/*
	 * Where the run's time went, in milliseconds of the monotonic
	 * clock (for benchmarks and logs): waiting for a card and powering
	 * it (connect), personalizing, reading back, and the ledger
	 * (reading the request and its cards, reserving, recording; each
	 * write one transaction, fsynced).  total_ms is the whole run; what
	 * the four leave over is the lock, events and bookkeeping.
	 */
	double card_wait_ms, perso_ms, verify_ms, ledger_ms, total_ms;
};

/*
 * Encode every line of the request that has no live card.  Returns 0 when
 * every line is done (or *stop was set: summary->stopped), or an error:
 * UC_ERR_STATE (request not accepted), UC_ERR_TIMEOUT (no card came),
 * a ledger error, or the last perso error after max_spoils_per_line
 * spoiled cards on one line.  diag says which member.
 */
UC_API int uc_station_encode(const struct uc_station_opts *o,
    struct uc_station_summary *summary, struct uc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_STATION_H */
