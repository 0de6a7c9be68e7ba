/*
 * fuzz_secobj.c - uc_secobj_verify() on arbitrary bytes, against a fixed
 * trust root (the development root that signed the seed corpus), at a
 * fixed check time inside the seed signer's validity.  The seed
 * tests/fuzz/corpus/secobj/valid-two-objects.der verifies fully with the
 * objects below, so mutations reach every check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/keys.h"
#include "unioncard/secobj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char root_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIICDTCCAbKgAwIBAgIQfBsVJsqB00v9PLxOJ4c/UDAKBggqhkjOPQQDAjBUMQsw\n"
	"CQYDVQQGEwJWTjEoMCYGA1UECgwfVW5pb24gQ2FyZCBJc3N1ZXIgKGRldmVsb3Bt\n"
	"ZW50KTEbMBkGA1UEAwwSVW5pb24gQ2FyZCBSb290IENBMB4XDTI2MTEyNDA2Mjgw\n"
	"OFoXDTQ2MTEyNDA2MjgwOFowVDELMAkGA1UEBhMCVk4xKDAmBgNVBAoMH1VuaW9u\n"
	"IENhcmQgSXNzdWVyIChkZXZlbG9wbWVudCkxGzAZBgNVBAMMElVuaW9uIENhcmQg\n"
	"Um9vdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDMJASL4FO12DHNuOPbD\n"
	"s+hGhsnQjxq9Z/FhiPDplTVqob2hM/vmGlLnxqU9P3CAz0zwhvqbJhPzpFtZIash\n"
	"aEyjZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQAwDgYDVR0PAQH/BAQDAgEGMB0GA1Ud\n"
	"DgQWBBQMMKZM5sSC1ouyAl6tdiUBuTDhdDAfBgNVHSMEGDAWgBQMMKZM5sSC1ouy\n"
	"Al6tdiUBuTDhdDAKBggqhkjOPQQDAgNJADBGAiEA01id+NRxMKFeDvVZnrZZuzsr\n"
	"x/+DMZqrqTHdA722/C4CIQDx/Mq0HRa1Lv1q5ewV0J/nIYafvwD12koDIRLUE27s\n"
	"wg==\n"
	"-----END CERTIFICATE-----\n";

/* 2026-11-25, a day after the seed was made. */
#define CHECK_TIME ((time_t)1795674489)

static struct uc_trust *trust;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t e1[] = { 0xE1, 0x05, 0xC0, 0x03, '1', '2', '3' };
	static const uint8_t e2[] = { 0xE2, 0x03, 0x86, 0x01, 0x04 };
	static const uint8_t serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct uc_secobj_item items[2] = {
		{ 0xE1, e1, sizeof(e1) },
		{ 0xE2, e2, sizeof(e2) },
	};
	struct uc_secobj_result res;
	struct uc_diag d;

	if (trust == NULL) {
		if (uc_trust_new(&trust) != 0 ||
		    uc_trust_add_root_mem(trust, (const uint8_t *)root_pem,
		    sizeof(root_pem) - 1, NULL) != 0)
			abort();
	}
	(void)uc_secobj_verify(data, size, trust, CHECK_TIME, items, 2,
	    serial, &res, &d);
	return 0;
}
