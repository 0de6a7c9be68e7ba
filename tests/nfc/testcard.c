/*
 * testcard.c - see testcard.h.
 */
#include <string.h>

#include "unioncard/error.h"
#include "testcard.h"

static const uint8_t union_aid[11] = {
	0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43, 0x41, 0x52, 0x44, 0x01
};
/* Historical bytes: "UNIONCARD" in ASCII, as a card maker might put it. */
static const uint8_t hist[9] = {
	0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43, 0x41, 0x52, 0x44
};

static int
tc_process(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
    size_t cap, size_t *rlen)
{
	struct testcard *tc = ctx;
	size_t k = 0, i, le;

	*rlen = 0;
	if (!tc->powered || cap < 300)
		return UC_ERR_CARD_REMOVED;
	if (n >= 5 + sizeof(union_aid) && cmd[1] == 0xA4 && cmd[2] == 0x04 &&
	    cmd[4] == sizeof(union_aid) &&
	    memcmp(cmd + 5, union_aid, sizeof(union_aid)) == 0) {
		tc->selected = 1;
		resp[k++] = 0x6F;
		resp[k++] = 2 + sizeof(union_aid) + 2 + 10;
		resp[k++] = 0x84;
		resp[k++] = sizeof(union_aid);
		memcpy(resp + k, union_aid, sizeof(union_aid));
		k += sizeof(union_aid);
		resp[k++] = 0xA5;
		resp[k++] = 10;
		resp[k++] = 0x81;
		resp[k++] = 8;
		memcpy(resp + k, tc->serial, 8);
		k += 8;
	} else if (n == 5 && cmd[1] == 0xCA && cmd[2] == 0x00 &&
	    cmd[3] == 0xFF && tc->selected) {
		/* empty card: no data */
	} else if (n >= 5 && cmd[1] == 0xEC && n == 5u + cmd[4]) {
		memcpy(resp, cmd + 5, cmd[4]);
		k = cmd[4];
	} else if (n == 5 && cmd[1] == 0xEE) {
		le = cmd[4] == 0 ? 256 : cmd[4];
		for (i = 0; i < le; i++)
			resp[k++] = (uint8_t)i;
	} else {
		resp[k++] = 0x6D;
		resp[k++] = 0x00;
		*rlen = k;
		return 0;
	}
	resp[k++] = 0x90;
	resp[k++] = 0x00;
	*rlen = k;
	return 0;
}

static void
tc_power(void *ctx, int on)
{
	struct testcard *tc = ctx;

	if (on && !tc->powered)
		tc->power_ups++;
	tc->powered = on;
	tc->selected = 0;
}

void
testcard_init(struct testcard *tc, const uint8_t serial[8],
    struct uc_pn532emu_card *card)
{
	memset(tc, 0, sizeof(*tc));
	memcpy(tc->serial, serial, 8);
	memset(card, 0, sizeof(*card));
	card->ctx = tc;
	card->process = tc_process;
	card->power = tc_power;
	memcpy(card->uid, serial, 7);
	card->uid_len = 7;
	memcpy(card->hist, hist, sizeof(hist));
	card->hist_len = sizeof(hist);
}
