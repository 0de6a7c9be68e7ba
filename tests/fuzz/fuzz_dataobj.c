/*
 * fuzz_dataobj.c - the verifier's parser of a card's GET DATA 00FF answer:
 * whatever the card sends, parse or refuse, never read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unioncard/dataobj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_card_objects o;
	struct uc_diag d;

	if (uc_card_objects_parse(data, size, &o, &d) == 0) {
		/* Whatever parsed lies inside the input. */
		if (o.identity_tlv < data ||
		    o.identity_tlv + o.identity_tlv_len > data + size ||
		    o.secobj + o.secobj_len > data + size ||
		    strlen(o.member.full_name) > UC_MEMBER_NAME_MAX)
			__builtin_trap();
	}
	return 0;
}
