/*
 * fuzz_csv.c - the strict CSV reader on arbitrary bytes: read the header
 * and every record, with small limits so that the limit paths are hit.
 * Checks what the header promises: fields NUL-terminated, counts equal to
 * the header, diagnostics NUL-terminated.  The separator is told from the
 * header line (',' or ';'), and reading goes on after every record-level
 * error that uc_csv_skip_error() allows, as the ledger's imports do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[] = { "member_code", "full_name",
		"note" };
	struct uc_csv_limits lim = { 64, 256, 8 };
	const struct uc_csv_field *f;
	struct uc_csv *r = NULL;
	struct uc_diag d;
	size_t nf, i;
	int idx[3];

	int sep, ret;
	size_t bad = 0;

	if (uc_csv_open_mem(&r, data, size, "fuzz.csv", &lim) != 0)
		abort();
	sep = uc_csv_detect_delimiter(r);
	if (sep != ',' && sep != ';')
		abort();
	if (uc_csv_header_require(r, cols, 3, 1, idx, &d) == 0) {
		for (;;) {
			ret = uc_csv_next(r, &f, &nf, &d);
			if (ret != 0) {
				/* a bounded number of records can be bad */
				if (++bad > size || uc_csv_skip_error(r) != 0)
					break;
				continue;
			}
			if (nf == 0)
				break;
			if (nf != uc_csv_columns(r))
				abort();
			for (i = 0; i < nf; i++)
				if (f[i].ptr[f[i].len] != '\0' ||
				    f[i].len > lim.max_field)
					abort();
		}
	}
	if (memchr(d.msg, '\0', sizeof(d.msg)) == NULL ||
	    memchr(d.field, '\0', sizeof(d.field)) == NULL)
		abort();
	uc_csv_free(&r);
	return 0;
}
