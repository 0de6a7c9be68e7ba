/*
 * fuzz_emv.c - the PAN reader's response parsing (src/card/emv.c).
 *
 * The input is the card's side of a whole PAN read: a sequence of
 * responses, each a 2-byte big-endian length and that many bytes (data +
 * SW1 SW2), handed out one per command by a transport registered for the
 * purpose; the card is "removed" when they run out.  The whole input is
 * also parsed as one READ RECORD answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/emv.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"

static const uint8_t *in_p;
static size_t in_left;

static int
f_open(const char *name, void **ctx)
{
	(void)name;
	*ctx = (void *)&in_p;
	return 0;
}

static int
f_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	(void)ctx;
	(void)timeout_ms;
	if (atr != NULL && atr_len != NULL)
		*atr_len = 0;
	return 0;
}

static int
f_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t cap, size_t *resp_len)
{
	size_t n;

	(void)ctx;
	(void)cmd;
	(void)cmd_len;
	if (in_left < 2)
		return UC_ERR_CARD_REMOVED;
	n = (size_t)in_p[0] << 8 | in_p[1];
	in_p += 2;
	in_left -= 2;
	if (n > in_left)
		n = in_left;
	if (n > cap)
		return UC_ERR_BUFFER;
	memcpy(resp, in_p, n);
	*resp_len = n;
	in_p += n;
	in_left -= n;
	return 0;
}

static int
f_disconnect(void *ctx, int eject)
{
	(void)ctx;
	(void)eject;
	return 0;
}

static void
f_close(void *ctx)
{
	(void)ctx;
}

static const struct uc_transport_ops fuzz_ops = {
	.scheme = "fuzzemv",
	.open = f_open,
	.connect = f_connect,
	.transmit = f_transmit,
	.disconnect = f_disconnect,
	.wait_removed = NULL,
	.close = f_close,
	.max_lc = 255,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int registered;
	struct uc_transport *t = NULL;
	struct uc_diag d;
	char pan[20] = "", expiry[5] = "";
	uint8_t aid[16];
	size_t aid_len = 0;

	uc_emv_parse_record(data, size, pan, expiry, &d);
	if (!registered) {
		if (uc_transport_register(&fuzz_ops) != 0)
			return 0;
		registered = 1;
	}
	in_p = data;
	in_left = size;
	if (uc_transport_open("fuzzemv:x", &t) != 0)
		return 0;
	if (uc_transport_connect(t, 0, NULL, NULL) == 0 &&
	    uc_emv_read_pan_diag(t, pan, expiry, aid, &aid_len, &d) == 0 &&
	    strlen(pan) < 12)
		__builtin_trap(); /* a PAN was returned but is not one */
	OPENSSL_cleanse(pan, sizeof(pan));
	uc_transport_free(&t);
	return 0;
}
