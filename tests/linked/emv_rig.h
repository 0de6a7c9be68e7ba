/*
 * emv_rig.h - a test transport ("emvrig:STATE") around the virtual card
 * that can answer chosen commands itself: every command whose hex starts
 * with an override's prefix gets the override's response (data + SW, in
 * hex) instead of the card's.  Used to make the bank application hostile
 * (truncated TLV, wrong tags, no PAN, ...) while the rest of the card
 * stays real.  Also counts and records the commands sent.
 */
#ifndef UC_TEST_EMV_RIG_H
#define UC_TEST_EMV_RIG_H

#include <stddef.h>

#define EMV_RIG_MAX_OVERRIDES 8
#define EMV_RIG_LOG_MAX 8192

struct emv_rig {
	size_t n;
	struct {
		const char *prefix; /* upper-case hex of the command start */
		const char *resp;   /* hex of the whole response */
	} ov[EMV_RIG_MAX_OVERRIDES];
	/* Every command sent, as hex, one per line. */
	char log[EMV_RIG_LOG_MAX];
};

extern struct emv_rig emv_rig;

/* Register "emvrig:" once (idempotent) and clear the overrides. */
void emv_rig_reset(void);
void emv_rig_override(const char *prefix, const char *resp);

/* A linked virtual card with this PAN in a fresh temp directory. */
void emv_rig_make_card(char *path, size_t cap, const char *pan,
    const char *expiry, int linked);

#endif
