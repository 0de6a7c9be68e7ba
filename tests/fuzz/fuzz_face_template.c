/*
 * fuzz_face_template.c - the card-face template reader on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "unioncard/face.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_face_template *t = NULL;
	struct uc_diag d;

	if (uc_face_template_parse((const char *)data, size, "fuzz", &t,
	    &d) == 0 && t == NULL)
		__builtin_trap();
	uc_face_template_free(&t);
	return 0;
}
