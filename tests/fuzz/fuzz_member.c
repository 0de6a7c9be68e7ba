/*
 * fuzz_member.c - the member-file parser on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unioncard/member.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_member m;
	struct uc_diag d;

	if (uc_member_parse((const char *)data, size, "fuzz", &m, &d) == 0) {
		if (strlen(m.full_name) > UC_MEMBER_NAME_MAX ||
		    strcmp(m.expires_on, m.issued_on) < 0)
			__builtin_trap();
	}
	return 0;
}
