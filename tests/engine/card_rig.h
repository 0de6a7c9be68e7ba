/*
 * card_rig.h - test transports around the virtual card: an in-process
 * card with fault injection ("rig:"), so the engine's tests can pull the
 * card mid-read, make it answer 61xx for ever, answer oversized lengths,
 * or stand in as a cloning device that replays another card's readable
 * answers while its own chip signs.
 */
#ifndef UC_TEST_CARD_RIG_H
#define UC_TEST_CARD_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "vcard/vcard.h"

enum rig_mode {
	RIG_PLAIN = 0,      /* forward to the virtual card */
	RIG_ENDLESS_61,     /* GET DATA answered 61 00 for ever */
	RIG_OVERSIZED,      /* GET DATA answered with a TLV claiming 16 MB */
	RIG_HUGE_RESPONSE,  /* GET DATA answered with 65536 bytes of junk */
	RIG_REMOVED_AT_GET, /* the card is pulled at GET DATA */
	RIG_REPLACE,        /* SELECT and GET DATA answered from replace_* */
	RIG_RANDOM_CHALLENGE, /* INITIALIZE UPDATE answered as by a card
	                       * with random challenges: i without 10, no
	                       * counter; the cryptogram still holds */
};

struct rig {
	enum rig_mode mode;
	char path[512];             /* the virtual card's state file */
	struct uc_buf replace_select; /* RIG_REPLACE: raw responses */
	struct uc_buf replace_get;
	unsigned long get_data_seen;
};

/* The one rig the "rig:" scheme opens (tests are single-threaded). */
extern struct rig rig;

/* Register "rig:" once; returns 0 or an error. */
int rig_register(void);

#endif
