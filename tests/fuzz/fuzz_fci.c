/*
 * fuzz_fci - the union applet's FCI parser on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "unioncard/applet.h"
#include "unioncard/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_card_info ci;
	struct uc_diag d;

	if (uc_applet_parse_fci(data, size, &ci, &d) == 0 &&
	    (ci.n_bank_aids > UC_APPLET_MAX_BANK_AIDS || ci.max_cmd == 0))
		__builtin_trap();
	return 0;
}
