/*
 * csv.c - strict streaming RFC 4180 reader and writer (stub; see csv.h).
 */
#include "unioncard/csv.h"

void
uc_csv_free(struct uc_csv **r)
{
	if (r != NULL)
		*r = NULL;
}
