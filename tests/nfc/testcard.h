/*
 * testcard.h - a trivial card for the PN532 emulator's own tests, so they
 * do not depend on the virtual card.  It answers:
 *
 *   SELECT of the union AID   6F FCI with 81 <serial> in A5, 90 00
 *   GET DATA 00 FF            90 00 (an empty card)
 *   INS EE, Le = N            N bytes 00 01 02 .. (N up to 256), 90 00
 *   INS EC with data          the data echoed, 90 00
 *   anything else             6D 00
 *
 * It counts power cycles so tests can see that a new activation resets it.
 */
#ifndef UC_TESTCARD_H
#define UC_TESTCARD_H

#include <stddef.h>
#include <stdint.h>

#include "vcard/pn532emu.h"

struct testcard {
	uint8_t serial[8];
	int powered;
	int selected;
	unsigned long power_ups;
};

/* Fill card (callbacks bound to tc, UID = first 7 serial bytes). */
void testcard_init(struct testcard *tc, const uint8_t serial[8],
    struct uc_pn532emu_card *card);

#endif
