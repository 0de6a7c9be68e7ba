/*
 * verify_qr.h - unioncard-verify's printed-card side: --qr, --qr-image
 * and --watch --qr (verify_qr.c).
 */
#ifndef UC_TOOL_VERIFY_QR_H
#define UC_TOOL_VERIFY_QR_H

#include "unioncard/verify.h"
#include "tool.h"

struct uc_verify_qr_args {
	int on;                  /* --qr given (with or without TEXT) */
	const char *text;        /* --qr TEXT; "-": one line of stdin */
	const char *image;       /* --qr-image FILE */
	const char *signers;     /* --signers PATH; NULL: beside --trust */
	const char *trust_path;  /* --trust, to find signers/ beside it */
	const char *status_path; /* --status-list, re-read per code */
	int json;
	int watch;               /* lines from stdin until end of input */
	const char *reader;      /* --reader too: the chip of the same card */
};

/* Returns the exit code: 0 valid, 1 invalid, 2 could not check. */
int uc_verify_qr_tool(const struct uc_tool_global *g,
    const struct uc_verify_qr_args *a, struct uc_verify_opts *opts);

#endif /* UC_TOOL_VERIFY_QR_H */
