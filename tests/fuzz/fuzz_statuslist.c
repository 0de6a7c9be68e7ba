/*
 * fuzz_statuslist.c - the status-list file a field officer's verifier
 * reads (docs/status-list.md) on arbitrary bytes: the header check (which
 * allocates nothing), the parser, a lookup of a few serials in what it
 * returns, and the signature check against an empty trust store (the CMS
 * parse over the compressed payload; it must refuse, never crash, and
 * never inflate).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/keys.h"
#include "unioncard/statuslist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const serials[] = { "52000000001", "52999999999",
	    "00000000000", "5200000000", "x" };
	static struct uc_trust *trust;
	struct uc_status_list_info info, head;
	unsigned char *bits = NULL;
	struct uc_diag d;
	size_t n = 0, i;

	if (trust == NULL && uc_trust_new(&trust) != 0)
		abort();
	if (uc_status_list_parse_header(data, size, &head) == 0 &&
	    (head.nbits > UC_STATUS_LIST_MAX_BITS ||
	    head.sig_off + head.sig_len != size))
		abort();
	if (uc_status_list_parse(data, size, &info, &bits, &n) == 0) {
		if (memcmp(&info, &head, sizeof(info)) != 0 ||
		    info.payload_len > size || info.sig_off > size ||
		    info.sig_len > size - info.sig_off ||
		    (uint64_t)n * 8 < info.nbits)
			abort();
		for (i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
			int v = uc_status_list_get(&info, bits, n, serials[i]);

			if (v != 0 && v != 1 && v >= 0)
				abort();
		}
	}
	free(bits);
	bits = NULL;
	/* No root is trusted: whatever the bytes, this is a refusal. */
	if (uc_status_list_verify(data, size, trust, 1700000000, &info, &bits,
	    &n, &d) == 0 || bits != NULL)
		abort();
	free(bits);
	return 0;
}
