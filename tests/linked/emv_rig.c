/*
 * emv_rig.c - see emv_rig.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

#include "emv_rig.h"

struct emv_rig emv_rig;

static int
rig_open(const char *name, void **out)
{
	struct uc_vcard *c = NULL;
	int r;

	if ((r = uc_vcard_load(name, &c, NULL)) != 0)
		return r;
	*out = c;
	return 0;
}

static int
rig_connect(void *vc, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	uint8_t a[UC_ATR_MAX];
	size_t n = sizeof(a);

	(void)timeout_ms;
	uc_vcard_power_on(vc);
	if (uc_vcard_atr(vc, a, &n) != 0)
		n = 0;
	if (atr != NULL && atr_len != NULL) {
		memcpy(atr, a, n);
		*atr_len = n;
	}
	return 0;
}

static int
rig_transmit(void *vc, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t cap, size_t *resp_len)
{
	char *hex = uc_hex_dup(cmd, cmd_len);
	size_t i, used;
	int r;

	if (hex == NULL)
		return UC_ERR_NOMEM;
	used = strlen(emv_rig.log);
	if (used + strlen(hex) + 2 < sizeof(emv_rig.log))
		snprintf(emv_rig.log + used, sizeof(emv_rig.log) - used,
		    "%s\n", hex);
	for (i = 0; i < emv_rig.n; i++)
		if (strncmp(hex, emv_rig.ov[i].prefix,
		    strlen(emv_rig.ov[i].prefix)) == 0)
			break;
	free(hex);
	if (i < emv_rig.n) {
		r = uc_hex_decode(emv_rig.ov[i].resp, resp, cap, resp_len);
		return r;
	}
	return uc_vcard_process(vc, cmd, cmd_len, resp, cap, resp_len);
}

static int
rig_disconnect(void *vc, int eject)
{
	(void)eject;
	uc_vcard_power_off(vc);
	return 0;
}

static void
rig_close(void *vc)
{
	struct uc_vcard *c = vc;

	uc_vcard_free(&c);
}

static const struct uc_transport_ops rig_ops = {
	.scheme = "emvrig",
	.open = rig_open,
	.connect = rig_connect,
	.transmit = rig_transmit,
	.disconnect = rig_disconnect,
	.wait_removed = NULL,
	.close = rig_close,
	.max_lc = 255,
};

void
emv_rig_reset(void)
{
	static int registered;

	if (!registered) {
		assert_int_equal(uc_transport_register(&rig_ops), 0);
		registered = 1;
	}
	memset(&emv_rig, 0, sizeof(emv_rig));
}

void
emv_rig_override(const char *prefix, const char *resp)
{
	assert_true(emv_rig.n < EMV_RIG_MAX_OVERRIDES);
	emv_rig.ov[emv_rig.n].prefix = prefix;
	emv_rig.ov[emv_rig.n].resp = resp;
	emv_rig.n++;
}

void
emv_rig_make_card(char *path, size_t cap, const char *pan,
    const char *expiry, int linked)
{
	char dir[] = "/tmp/uc-linked-test.XXXXXX";
	struct uc_vcard_new_opts o;

	assert_non_null(mkdtemp(dir));
	assert_true((size_t)snprintf(path, cap, "%s/card.json", dir) < cap);
	memset(&o, 0, sizeof(o));
	o.linked = linked;
	o.pan = pan;
	o.expiry_yymm = expiry;
	assert_int_equal(uc_vcard_create(path, &o), 0);
}
