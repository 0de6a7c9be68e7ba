/*
 * fuzz_pn532.c - the PN532 emulator's frame parser and command handler on
 * arbitrary host bytes.  Besides memory safety it checks one property:
 * the replies do not depend on how the bytes are split into reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/buf.h"
#include "vcard/pn532emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
card_process(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
    size_t cap, size_t *rlen)
{
	size_t k;

	(void)ctx;
	/* Echo the APDU, at most 600 bytes, so long answers get chained. */
	k = n > 600 ? 600 : n;
	if (cap < k + 2)
		return -1;
	memcpy(resp, cmd, k);
	if (n > 0 && cmd[0] == 0xFF) {
		/* pretend to tear */
		*rlen = 0;
		return -24;
	}
	resp[k] = 0x90;
	resp[k + 1] = 0x00;
	*rlen = k + 2;
	return 0;
}

static int
run(const uint8_t *data, size_t size, size_t step, struct uc_buf *out)
{
	struct uc_pn532emu_card card;
	struct uc_pn532emu *e = NULL;
	size_t i, n;
	int r;

	memset(&card, 0, sizeof(card));
	card.process = card_process;
	memcpy(card.uid, "\x01\x02\x03\x04\x05\x06\x07", 7);
	card.uid_len = 7;
	card.hist_len = 2;
	if ((r = uc_pn532emu_new(&card, &e)) != 0)
		return r;
	if (size > 0)
		uc_pn532emu_set_remove_after(e, data[0] & 0x07);
	for (i = 0; i < size; i += n) {
		n = size - i < step ? size - i : step;
		if ((r = uc_pn532emu_input(e, data + i, n, out)) != 0)
			break;
	}
	uc_pn532emu_free(&e);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_buf whole = UC_BUF_INIT, bytes = UC_BUF_INIT;
	int r1, r2;

	r1 = run(data, size, size > 0 ? size : 1, &whole);
	r2 = run(data, size, 1, &bytes);
	if (r1 != r2 || whole.len != bytes.len ||
	    (whole.len > 0 && memcmp(whole.data, bytes.data, whole.len) != 0))
		abort();
	uc_buf_free(&whole);
	uc_buf_free(&bytes);
	return 0;
}
