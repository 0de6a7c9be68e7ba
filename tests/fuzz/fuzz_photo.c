/*
 * fuzz_photo.c - a member's photo file (JPEG or PNG) checked and
 * normalised, on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "unioncard/face.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_buf png = UC_BUF_INIT;
	struct uc_diag d;

	if (uc_face_photo_normalise(data, size, "fuzz", &png, &d) == 0 &&
	    png.len < 8)
		__builtin_trap();
	uc_buf_free(&png);
	return 0;
}
