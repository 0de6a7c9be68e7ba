/*
 * fuzz_rapdu - uc_apdu_exchange against a card whose answers are the fuzz
 * input.  Input: 1 byte of options (command shape), then responses, each
 * a 2-byte big-endian length and that many bytes.  When the input runs
 * out the card is "removed".  The engine must end every exchange within
 * its round and byte limits, whatever the card says.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	const uint8_t *p, *end;
	unsigned long sent;
} in;

static int
f_open(const char *name, void **ctx)
{
	(void)name;
	*ctx = &in;
	return 0;
}

static int
f_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	(void)ctx;
	(void)timeout_ms;
	(void)atr;
	*atr_len = 0;
	return 0;
}

static int
f_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	size_t n;

	(void)ctx;
	(void)cmd;
	(void)cmd_len;
	in.sent++;
	if (in.end - in.p < 2)
		return UC_ERR_CARD_REMOVED;
	n = (size_t)in.p[0] << 8 | in.p[1];
	in.p += 2;
	if (n > (size_t)(in.end - in.p))
		n = (size_t)(in.end - in.p);
	if (n > resp_cap)
		return UC_ERR_BUFFER;
	memcpy(resp, in.p, n);
	in.p += n;
	*resp_len = n;
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
	.scheme = "fuzz",
	.open = f_open,
	.connect = f_connect,
	.transmit = f_transmit,
	.disconnect = f_disconnect,
	.close = f_close,
	.max_lc = 255,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t cmd_data[600];
	struct uc_transport *t = NULL;
	struct uc_buf resp = UC_BUF_INIT;
	struct uc_apdu a;
	uint16_t sw = 0;
	int r;

	if (size < 1)
		return 0;
	if (uc_transport_register(&fuzz_ops) != 0 ||
	    uc_transport_open("fuzz:", &t) != 0)
		__builtin_trap();
	in.p = data + 1;
	in.end = data + size;
	in.sent = 0;
	memset(&a, 0, sizeof(a));
	a.cla = (data[0] & 0x80) ? 0x84 : 0x00;
	a.ins = 0xca;
	a.data = cmd_data;
	/* 0, 1, 255, 256, 600 bytes of command data: chaining or not. */
	switch (data[0] & 0x07) {
	case 0: a.lc = 0; break;
	case 1: a.lc = 1; break;
	case 2: a.lc = 255; break;
	case 3: a.lc = 256; break;
	default: a.lc = sizeof(cmd_data); break;
	}
	a.le = (data[0] & 0x08) ? 256 : 0;
	r = uc_apdu_exchange(t, &a, 0, &resp, &sw);
	if (resp.len > UC_APDU_MAX_RESPONSE_TOTAL)
		__builtin_trap();
	/* Chaining pieces + 1 + GET RESPONSE rounds + one 6C retry each. */
	if (in.sent > 3 + 2 * (UC_APDU_MAX_GET_RESPONSE_ROUNDS + 1))
		__builtin_trap();
	if (r == 0 && sw == 0)
		__builtin_trap();
	uc_buf_free(&resp);
	uc_transport_free(&t);
	return 0;
}
