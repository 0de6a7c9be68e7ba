/*
 * fuzz_entry.c - the one entry check of text that reaches a card or a
 * terminal (uc_member_text_check), the unit-code check, the yes/no words
 * and the formula-safe CSV cell, on arbitrary bytes.  Checks their
 * promises: what is accepted has no control character, fits the kind's
 * limit, is NFC (the card's strict mode accepts it again unchanged) and,
 * tidied, has no doubled or edge spaces; a written cell never begins
 * with a character a spreadsheet would run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/buf.h"
#include "unioncard/csv.h"
#include "unioncard/member.h"
#include "unioncard/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t max[] = { UC_MEMBER_NAME_MAX, UC_MEMBER_UNIT_NAME_MAX,
	UC_MEMBER_POSITION_MAX, UC_MEMBER_REASON_MAX };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char out[UC_MEMBER_REASON_MAX + 1], again[UC_MEMBER_REASON_MAX + 1];
	struct uc_buf b = UC_BUF_INIT;
	struct uc_diag d;
	size_t n, n2, i;
	unsigned flags;
	int k, v;

	if (size > 4096)
		return 0;
	for (k = 0; k < 4; k++)
		for (flags = 0; flags < 4; flags++) {
			if (uc_member_text_check((enum uc_member_text_kind)k, s,
			    size, flags, out, sizeof(out), &n, NULL, NULL, &d)
			    != 0)
				continue;
			if (n > max[k] || strlen(out) != n)
				abort();
			for (i = 0; i < n; i++) {
				unsigned char c = (unsigned char)out[i];

				if (c < 0x20 || c == 0x7f || (c == 0xc2 &&
				    i + 1 < n && (unsigned char)out[i + 1] <
				    0xa0))
					abort();
				if ((flags & UC_MEMBER_TEXT_TIDY) && c == ' ' &&
				    (i == 0 || i + 1 == n || out[i + 1] == ' '))
					abort();
			}
			if (n > 0 && (uc_member_text_check(
			    (enum uc_member_text_kind)k, out, n,
			    UC_MEMBER_TEXT_CARD, again, sizeof(again), &n2,
			    NULL, NULL, &d) != 0 || n2 != n ||
			    memcmp(out, again, n) != 0))
				abort();
		}
	if (uc_member_unit_code_check(s, size, NULL, NULL, &d) == 0)
		for (i = 0; i < size; i++)
			if (s[i] == '\0' || strchr(UC_MEMBER_UNIT_CODE_CHARS,
			    s[i]) == NULL)
				abort();
	if (uc_text_yesno(s, size, &v) == 0 && v != 0 && v != 1)
		abort();
	if (uc_csv_write_cell(&b, s, size) != 0)
		abort();
	if (b.len > 0 && b.data[0] != '\0' && strchr("=+-@\t\r",
	    b.data[0]) != NULL)
		abort();
	uc_buf_free(&b);
	return 0;
}
