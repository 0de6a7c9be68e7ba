/*
 * status_list.c - the ledger's signed status list as the verifier's
 * status source.  The file format and its parser belong to the ledger
 * (docs/status-list.md, uc_status_list_parse); this only glues it to the
 * signature check and to uc_verify_status_fn.
 */
#include <stdlib.h>
#include <string.h>

#include "unioncard/verify.h"

struct uc_verify_status_list {
	int unused;
};

int
uc_verify_status_list_load(const char *path, const struct uc_trust *trust,
    time_t check_time, struct uc_verify_status_list **out,
    struct uc_diag *diag)
{
	(void)trust;
	(void)check_time;
	if (out != NULL)
		*out = NULL;
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, path, 0, NULL,
	    "status lists are read once the ledger's format is merged");
}

int
uc_verify_status_list_lookup(void *ctx, const char *serial_hex,
    const char *member_code, int *revoked, char *detail, size_t cap)
{
	(void)ctx;
	(void)serial_hex;
	(void)member_code;
	(void)detail;
	(void)cap;
	if (revoked != NULL)
		*revoked = 0;
	return UC_ERR_UNSUPPORTED;
}

void
uc_verify_status_list_free(struct uc_verify_status_list **l)
{
	if (l == NULL || *l == NULL)
		return;
	free(*l);
	*l = NULL;
}
