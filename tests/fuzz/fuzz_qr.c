/*
 * fuzz_qr.c - the printed card's QR text (prefix, base45, COSE_Sign1,
 * claims) on arbitrary bytes, then the same bytes as base45 and as a
 * COSE message behind the prefix, so every layer gets deep inputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unioncard/printed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct uc_qr *q)
{
	if (strlen(q->full_name) > UC_MEMBER_NAME_MAX ||
	    strlen(q->card_serial) != UC_MEMBER_CARD_SERIAL_LEN ||
	    q->kid_len == 0 || q->kid_len > UC_QR_KID_MAX ||
	    q->payload_len > UC_QR_PAYLOAD_MAX ||
	    strcmp(q->expires_on, q->issued_on) < 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[UC_QR_PREFIX_LEN + UC_BASE45_ENCODED_LEN(
	    UC_QR_COSE_MAX) + 1];
	uint8_t raw[UC_QR_TEXT_MAX];
	struct uc_diag d;
	struct uc_qr q;
	size_t n;

	if (uc_qr_parse((const char *)data, size, &q, &d) == 0)
		check(&q);
	(void)uc_base45_decode((const char *)data, size, raw, sizeof(raw), &n);
	if (size <= UC_QR_COSE_MAX) {
		memcpy(text, UC_QR_PREFIX, UC_QR_PREFIX_LEN);
		if (uc_base45_encode(data, size, text + UC_QR_PREFIX_LEN,
		    sizeof(text) - UC_QR_PREFIX_LEN, &n) == 0 &&
		    uc_qr_parse(text, UC_QR_PREFIX_LEN + n, &q, &d) == 0)
			check(&q);
	}
	return 0;
}
