/*
 * fuzz_text.c - UTF-8 check, NFC, folding, bank names and trimming on
 * arbitrary bytes.  Checks the promises of text.h: NFC succeeds exactly
 * on valid UTF-8, NFC is idempotent, folding output is ASCII and never
 * longer than the input, bank names have no doubled or edge spaces.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *nfc = NULL, *again = NULL, *fold = NULL;
	size_t cap = UC_TEXT_NFC_CAP(size);
	size_t n = 0, n2 = 0, i;
	int valid, r;
	const char *t = s;
	size_t tlen = size;

	if (size > 4096)
		return 0;
	valid = uc_text_utf8_check(s, size, NULL) == 0;
	nfc = malloc(cap);
	again = malloc(cap);
	fold = malloc(size + 1);
	if (nfc == NULL || again == NULL || fold == NULL)
		abort();
	r = uc_text_nfc(s, size, nfc, cap, &n);
	if ((r == 0) != valid)
		abort();
	if (r == 0) {
		if (uc_text_nfc(nfc, n, again, cap, &n2) != 0 || n2 != n ||
		    memcmp(nfc, again, n) != 0)
			abort();
	}
	if (uc_text_fold_ascii(s, size, fold, size + 1, &n) == 0) {
		if (!valid || n > size || !uc_text_is_ascii(fold, n))
			abort();
	}
	if (uc_text_bank_name(s, size, fold, size + 1, &n) == 0) {
		if (n > 0 && (fold[0] == ' ' || fold[n - 1] == ' '))
			abort();
		for (i = 0; i + 1 < n; i++)
			if ((fold[i] == ' ' && fold[i + 1] == ' ') ||
			    (fold[i] >= 'a' && fold[i] <= 'z'))
				abort();
	}
	uc_text_trim(&t, &tlen);
	if (t < s || t + tlen > s + size)
		abort();
	free(nfc);
	free(again);
	free(fold);
	return 0;
}
