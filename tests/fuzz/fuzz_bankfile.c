/*
 * fuzz_bankfile.c - the bank file reader on arbitrary bytes.  Besides
 * memory safety it checks the promise that no diagnostic ever contains a
 * run of 12 or more digits (a PAN, full or partly).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/bankfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_no_pan(const struct uc_diag *d)
{
	char text[UC_DIAG_FILE_MAX + UC_DIAG_FIELD_MAX + UC_DIAG_MSG_MAX + 64];
	size_t i, run = 0;

	uc_diag_format(d, text, sizeof(text));
	for (i = 0; text[i] != '\0'; i++) {
		run = (text[i] >= '0' && text[i] <= '9') ? run + 1 : 0;
		if (run >= 12)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 0x42 };
	struct uc_bankfile *bf = NULL;
	struct uc_bank_record rec;
	struct uc_diag d;
	int r;

	memset(&d, 0, sizeof(d));
	r = uc_bankfile_open_mem(&bf, data, size, "fuzz.csv", key,
	    sizeof(key), &d);
	if (r == 0) {
		while ((r = uc_bankfile_next(bf, &rec, &d)) == 0 &&
		    rec.line != 0)
			if (rec.pan_last4[4] != '\0' ||
			    rec.member_code[11] != '\0')
				abort();
	}
	if (r != 0)
		check_no_pan(&d);
	uc_bankfile_free(&bf);
	return 0;
}
