/*
 * print_cups.c - a card's face to a CUPS queue (face.h): one duplex job
 * per card on ID-1 media, so a card printer prints front and back in one
 * pass.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "unioncard/face.h"

#if UC_HAVE_CUPS
#include <cups/cups.h>

int
uc_face_print_cups(const char *server, const char *queue, const char *path,
    const char *title, int *job, struct uc_diag *diag)
{
	cups_option_t *opts = NULL;
	http_t *http;
	int n = 0, id, r = 0;

	uc_diag_clear(diag);
	if (job != NULL)
		*job = 0;
	if (queue == NULL || path == NULL || title == NULL || job == NULL)
		return UC_ERR_ARG;
	http = httpConnect2(server != NULL ? server : cupsServer(), ippPort(),
	    NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 30000, NULL);
	if (http == NULL)
		return uc_diag_set(diag, UC_ERR_TRANSPORT, NULL, 0, "cups",
		    "cannot reach the print server %s",
		    server != NULL ? server : cupsServer());
	n = cupsAddOption("sides", "two-sided-long-edge", n, &opts);
	n = cupsAddOption("media", "Custom.85.6x53.98mm", n, &opts);
	id = cupsPrintFile2(http, queue, path, title, n, opts);
	if (id <= 0)
		r = uc_diag_set(diag, UC_ERR_TRANSPORT, path, 0, "cups",
		    "queue %s refused the job: %s", queue,
		    cupsLastErrorString());
	else
		*job = id;
	cupsFreeOptions(n, opts);
	httpClose(http);
	return r;
}

#else

int
uc_face_print_cups(const char *server, const char *queue, const char *path,
    const char *title, int *job, struct uc_diag *diag)
{
	if (job != NULL)
		*job = 0;
	return uc_diag_set(diag, UC_ERR_UNSUPPORTED, NULL, 0, "cups",
	    "built without libcups");
}

#endif
