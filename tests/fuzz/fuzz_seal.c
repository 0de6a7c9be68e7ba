/*
 * fuzz_seal.c - the audit seal a verifier of the trail reads
 * (docs/audit-seal.md) on arbitrary bytes: the parser, what it returns
 * checked against the input, and the signature check against an empty
 * trust store (the CMS parse; it must refuse, never crash).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/keys.h"
#include "unioncard/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uc_trust *trust;
	struct uc_audit_seal s;
	struct uc_diag d;

	if (trust == NULL && uc_trust_new(&trust) != 0)
		abort();
	if (uc_audit_seal_parse(data, size, &s) == 0) {
		if (s.payload_len != UC_AUDIT_SEAL_PAYLOAD_LEN ||
		    s.sig_off != s.payload_len + 4 || s.sig_off > size ||
		    s.sig_len != size - s.sig_off ||
		    memcmp(s.head, data + 24, 32) != 0 ||
		    s.rows > (uint64_t)INT64_MAX)
			abort();
	}
	/* No root is trusted: whatever the bytes, this is a refusal. */
	if (uc_audit_seal_verify(data, size, trust, &s, &d) == 0)
		abort();
	return 0;
}
