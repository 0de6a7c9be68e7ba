/*
 * fuzz_vpcd.c - the vsmartcard-vpcd frame parser on arbitrary bytes, read
 * the way `unioncard-vcard serve` reads them: frame after frame from one
 * buffer.  Every frame must lie inside the input and re-encode to the same
 * bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vcard/vcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[2 + UC_VPCD_FRAME_MAX];
	struct uc_vpcd_frame f;
	size_t off = 0, n;

	while (off < size) {
		if (uc_vpcd_parse_frame(data + off, size - off, &f) != 0)
			break;
		if (f.kind == UC_VPCD_INCOMPLETE) {
			if (f.consumed != 0)
				abort();
			break;
		}
		if (f.consumed < 3 || f.consumed > size - off)
			abort();
		if (f.kind == UC_VPCD_APDU) {
			if (f.apdu != data + off + 2 ||
			    f.apdu_len + 2 != f.consumed)
				abort();
			if (uc_vpcd_frame_encode(f.apdu, f.apdu_len, out,
			    sizeof(out), &n) != 0 || n != f.consumed ||
			    memcmp(out, data + off, n) != 0)
				abort();
		} else if (f.consumed != 3 || f.control != data[off + 2])
			abort();
		off += f.consumed;
	}
	return 0;
}
