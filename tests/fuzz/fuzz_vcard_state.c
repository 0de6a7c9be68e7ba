/*
 * fuzz_vcard_state.c - the strict state-file loader on arbitrary bytes.
 * A file either loads (and then answers SELECT) or is refused with
 * UC_ERR_INVALID and a diagnostic; nothing else may happen.
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

static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/uc-fuzz-state.XXXXXX";

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/card.json", dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t select[] = { 0x00, 0xa4, 0x04, 0x00, 0x0b, 0xf0,
		0x55, 0x4e, 0x49, 0x4f, 0x4e, 0x43, 0x41, 0x52, 0x44, 0x01,
		0x00 };
	uint8_t resp[300];
	struct uc_vcard *c = NULL;
	struct uc_diag d;
	size_t rlen;
	FILE *f;
	int r;

	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (size != 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	r = uc_vcard_load(path, &c, &d);
	if (r == 0) {
		if (uc_vcard_process(c, select, sizeof(select), resp,
		    sizeof(resp), &rlen) != 0 || rlen < 2)
			abort();
		uc_vcard_free(&c);
	} else if (r != UC_ERR_INVALID || c != NULL || d.msg[0] == '\0')
		abort();
	return 0;
}
