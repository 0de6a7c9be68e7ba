/*
 * fuzz_tlv - uc_tlv_walk over arbitrary bytes, plus the first element's
 * children through uc_tlv_find: nothing may read out of bounds, and an
 * accepted tree must re-encode to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-encode each top-level primitive element; compare with the input. */
static int
reencode(const struct uc_tlv *t, int depth, void *arg)
{
	struct uc_buf *b = arg;

	if (depth == 0 && uc_tlv_put(b, t->tag, t->value, t->len) != 0)
		return UC_ERR_INTERNAL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_buf b = UC_BUF_INIT;
	struct uc_tlv t;

	if (uc_tlv_walk(data, size, UC_TLV_MAX_DEPTH, reencode, &b) == 0) {
		/* Strict DER-like lengths: one encoding per tree. */
		if (b.len != size || (size > 0 && memcmp(b.data, data,
		    size) != 0))
			__builtin_trap();
	}
	uc_buf_free(&b);
	if (uc_tlv_parse_one(data, size, &t) == 0 && t.constructed)
		(void)uc_tlv_find(t.value, t.len, 0x81, &t);
	return 0;
}
