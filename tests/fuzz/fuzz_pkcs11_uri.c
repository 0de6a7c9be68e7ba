/*
 * fuzz_pkcs11_uri.c - the signer spec reader (unioncard/signer.h) on
 * arbitrary bytes: the PKCS#11 URI parser (RFC 7512 path and query
 * attributes, %-escapes, token=, object=, id=, pin-value=, module-path=)
 * behind uc_signer_spec_check(), which opens nothing.  Each input is tried
 * as it is and behind "pkcs11:", so the URI parser sees every input.
 * Touches no file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char spec[UC_SIGNER_SPEC_MAX + 16];
	struct uc_diag d;
	int r;

	if (size > UC_SIGNER_SPEC_MAX + 8)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	r = uc_signer_spec_check(spec, &d);
	if (r != 0 && r != UC_ERR_INVALID && r != UC_ERR_UNSUPPORTED)
		abort();
	memcpy(spec, "pkcs11:", 7);
	memcpy(spec + 7, data, size);
	spec[7 + size] = '\0';
	r = uc_signer_spec_check(spec, &d);
	if (r != 0 && r != UC_ERR_INVALID && r != UC_ERR_UNSUPPORTED)
		abort();
	/* A URI accepted names an object: never without object= or id=. */
	if (r == 0 && strstr(spec, "object=") == NULL &&
	    strstr(spec, "id=") == NULL)
		abort();
	return 0;
}
