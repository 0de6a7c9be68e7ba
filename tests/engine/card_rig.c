/*
 * card_rig.c - see card_rig.h.
 */
#include <stdlib.h>
#include <string.h>

#include "unioncard/error.h"
#include "unioncard/transport.h"

#include "card_rig.h"

struct rig rig;

struct ctx {
	struct uc_vcard *card;
};

static int
rig_open(const char *name, void **out)
{
	struct ctx *c;
	int r;

	(void)name;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_vcard_load(rig.path, &c->card, NULL)) != 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

static int
rig_connect(void *vc, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	struct ctx *c = vc;
	uint8_t a[UC_ATR_MAX];
	size_t n = sizeof(a);

	(void)timeout_ms;
	uc_vcard_power_on(c->card);
	if (uc_vcard_atr(c->card, a, &n) != 0)
		n = 0;
	if (atr != NULL && atr_len != NULL) {
		memcpy(atr, a, n);
		*atr_len = n;
	}
	return 0;
}

static int
answer(const uint8_t *p, size_t n, uint8_t *resp, size_t cap, size_t *len)
{
	if (n > cap)
		return UC_ERR_BUFFER;
	memcpy(resp, p, n);
	*len = n;
	return 0;
}

/* The 32-byte INITIALIZE UPDATE answer cut to the 29 bytes of a card
 * whose challenge is random: the host can no longer check it. */
static int
random_challenge(struct ctx *c, const uint8_t *cmd, size_t cmd_len,
    uint8_t *resp, size_t cap, size_t *resp_len)
{
	int r;

	if ((r = uc_vcard_process(c->card, cmd, cmd_len, resp, cap,
	    resp_len)) != 0 || *resp_len != 34 || resp[32] != 0x90)
		return r;
	resp[12] &= (uint8_t)~0x10u;
	resp[29] = 0x90;
	resp[30] = 0x00;
	*resp_len = 31;
	return 0;
}

static int
rig_transmit(void *vc, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t cap, size_t *resp_len)
{
	struct ctx *c = vc;
	int is_get = cmd_len >= 4 && cmd[1] == 0xCA && cmd[2] == 0x00 &&
	    cmd[3] == 0xFF;
	int is_get_resp = cmd_len >= 2 && cmd[1] == 0xC0;
	int is_select = cmd_len >= 2 && cmd[1] == 0xA4;

	if (is_get)
		rig.get_data_seen++;
	switch (rig.mode) {
	case RIG_ENDLESS_61:
		if (is_get || is_get_resp)
			return answer((const uint8_t *)"\xE1\x61\x00", 3, resp,
			    cap, resp_len);
		break;
	case RIG_OVERSIZED:
		if (is_get)
			return answer((const uint8_t *)
			    "\xE1\x83\xFF\xFF\xFF\xC0\x01\x31\x90\x00", 10,
			    resp, cap, resp_len);
		break;
	case RIG_HUGE_RESPONSE:
		if (is_get) {
			if (cap < 65538)
				return UC_ERR_BUFFER;
			memset(resp, 0xE1, 65536);
			resp[65536] = 0x90;
			resp[65537] = 0x00;
			*resp_len = 65538;
			return 0;
		}
		break;
	case RIG_REMOVED_AT_GET:
		if (is_get) {
			uc_vcard_power_off(c->card);
			return UC_ERR_CARD_REMOVED;
		}
		break;
	case RIG_REPLACE:
		if (is_select && rig.replace_select.len > 0)
			return answer(rig.replace_select.data,
			    rig.replace_select.len, resp, cap, resp_len);
		if (is_get && rig.replace_get.len > 0)
			return answer(rig.replace_get.data, rig.replace_get.len,
			    resp, cap, resp_len);
		break;
	case RIG_RANDOM_CHALLENGE:
		if (cmd_len >= 2 && cmd[1] == 0x50)
			return random_challenge(c, cmd, cmd_len, resp, cap,
			    resp_len);
		break;
	case RIG_PLAIN:
		break;
	}
	return uc_vcard_process(c->card, cmd, cmd_len, resp, cap, resp_len);
}

static int
rig_disconnect(void *vc, int eject)
{
	struct ctx *c = vc;

	(void)eject;
	uc_vcard_power_off(c->card);
	return 0;
}

static void
rig_close(void *vc)
{
	struct ctx *c = vc;

	if (c == NULL)
		return;
	uc_vcard_free(&c->card);
	free(c);
}

static const struct uc_transport_ops rig_ops = {
	.scheme = "rig",
	.open = rig_open,
	.connect = rig_connect,
	.transmit = rig_transmit,
	.disconnect = rig_disconnect,
	.wait_removed = NULL,
	.close = rig_close,
	.max_lc = 65535,
};

int
rig_register(void)
{
	static int done;
	int r;

	if (done)
		return 0;
	if ((r = uc_transport_register(&rig_ops)) != 0)
		return r;
	done = 1;
	return 0;
}
