/*
 * fuzz_vcard.c - the virtual card's command processing on arbitrary APDU
 * sequences.  The input is a list of [len][APDU] records fed to one
 * personalized card (loaded once from the spec's vectors into a temp
 * directory); every response must fit the rules: at least SW1 SW2, and
 * never more than 2048 data bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/error.h"
#include "vcard/vcard.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct uc_vcard *card;
static uint8_t resp[65538];

/* A personalized card in a private temp dir (vectors/cards/...). */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/uc-fuzz-vcard.XXXXXX";
	const char *spec = getenv("UC_SPEC_DIR");
	char src[1024], dst[1100], buf[65536];
	struct uc_diag d;
	FILE *in, *out;
	size_t n;

	(void)argc;
	(void)argv;
	snprintf(src, sizeof(src), "%s/vectors/cards/personalizing.json",
	    spec != NULL ? spec : "applets-spec");
	if (mkdtemp(dir) == NULL || (in = fopen(src, "rb")) == NULL)
		abort();
	snprintf(dst, sizeof(dst), "%s/card.json", dir);
	if ((out = fopen(dst, "wb")) == NULL)
		abort();
	n = fread(buf, 1, sizeof(buf), in);
	if (fwrite(buf, 1, n, out) != n)
		abort();
	fclose(in);
	fclose(out);
	if (uc_vcard_load(dst, &card, &d) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, rlen;
	int r;

	uc_vcard_power_on(card);
	while (off < size) {
		size_t n = data[off++];

		if (n > size - off)
			n = size - off;
		r = uc_vcard_process(card, data + off, n, resp, sizeof(resp),
		    &rlen);
		if (r != 0 && r != UC_ERR_IO)
			abort();
		if (rlen < 2 || rlen > 2048 + 2)
			abort();
		off += n;
	}
	return 0;
}
