/*
 * trace.c - the APDU trace file behind `--trace FILE`.
 *
 * The trace is meant to be attached to bug reports, so it must never hold
 * a secret.  The data fields that may carry one are replaced by "**" per
 * byte while the header, Lc/Le and status word stay visible:
 *
 *   commands   EXTERNAL AUTHENTICATE (INS 82): the host cryptogram;
 *              every command with the secure-messaging CLA bit (04) set:
 *              encrypted STORE DATA, key material;
 *   responses  INITIALIZE UPDATE (INS 50): card challenge and cryptogram;
 *              READ RECORD (INS B2) and GET PROCESSING OPTIONS (INS A8):
 *              the bank application's records carry the PAN;
 *              GET RESPONSE (INS C0) continuing one of those.
 *
 * Masking is decided from the command alone, so it does not depend on the
 * card answering sensibly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/apdu.h"
#include "unioncard/error.h"
#include "unioncard/trace.h"

#define INS_EXTERNAL_AUTHENTICATE 0x82
#define INS_INITIALIZE_UPDATE 0x50
#define INS_READ_RECORD 0xb2
#define INS_GET_PROCESSING_OPTIONS 0xa8
#define INS_GET_RESPONSE 0xc0
#define CLA_SECURE_MESSAGING 0x04
#define CLA_INVALID 0xff

struct uc_trace {
	FILE *f;
	int own;
	/* The previous response was masked and asked for GET RESPONSE. */
	int mask_continuation;
};

int
uc_trace_open(const char *path, struct uc_trace **out)
{
	struct uc_trace *t = NULL;
	int fd = -1, r;

	if (out != NULL)
		*out = NULL;
	if (path == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return UC_ERR_NOMEM;
	if (strcmp(path, "-") == 0) {
		t->f = stderr;
		t->own = 0;
	} else {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOCTTY, 0600);
		if (fd < 0) {
			r = UC_ERR_IO;
			goto out;
		}
		if ((t->f = fdopen(fd, "a")) == NULL) {
			r = errno == ENOMEM ? UC_ERR_NOMEM : UC_ERR_IO;
			goto out;
		}
		fd = -1;
		t->own = 1;
	}
	*out = t;
	t = NULL;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(t);
	return r;
}

void
uc_trace_free(struct uc_trace **tp)
{
	struct uc_trace *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	if (t->own)
		fclose(t->f);
	else
		fflush(t->f);
	free(t);
	*tp = NULL;
}

void
uc_trace_note(struct uc_trace *t, const char *fmt, ...)
{
	va_list ap;

	if (t == NULL || fmt == NULL)
		return;
	fputs("# ", t->f);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
	fputc('\n', t->f);
	fflush(t->f);
}

static void
put_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02X", p[i]);
}

static void
put_mask(FILE *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fputs("**", f);
}

static int
command_is_secret(const uint8_t *cmd, size_t len)
{
	if (len < 4)
		return 0;
	if (cmd[0] != CLA_INVALID && (cmd[0] & CLA_SECURE_MESSAGING) != 0)
		return 1;
	return cmd[1] == INS_EXTERNAL_AUTHENTICATE;
}

static int
response_is_secret(const uint8_t *cmd, size_t len)
{
	if (len < 4)
		return 0;
	switch (cmd[1]) {
	case INS_INITIALIZE_UPDATE:
	case INS_READ_RECORD:
	case INS_GET_PROCESSING_OPTIONS:
		return 1;
	}
	return 0;
}

static void
put_command(FILE *f, const uint8_t *cmd, size_t len)
{
	struct uc_apdu a;
	size_t off;

	fputs("> ", f);
	if (!command_is_secret(cmd, len)) {
		put_hex(f, cmd, len);
	} else if (uc_apdu_decode(cmd, len, &a) == 0 && a.lc > 0) {
		off = (size_t)(a.data - cmd);
		put_hex(f, cmd, off);
		put_mask(f, a.lc);
		put_hex(f, cmd + off + a.lc, len - off - a.lc);
	} else if (len > 5) {
		/* Not a well-formed APDU: keep only what is surely header. */
		put_hex(f, cmd, 5);
		put_mask(f, len - 5);
	} else {
		put_hex(f, cmd, len);
	}
	fputc('\n', f);
}

void
uc_trace_apdu(struct uc_trace *t, const uint8_t *cmd, size_t cmd_len,
    const uint8_t *resp, size_t resp_len)
{
	int secret;

	if (t == NULL)
		return;
	if (cmd != NULL && cmd_len > 0)
		put_command(t->f, cmd, cmd_len);
	if (resp == NULL) {
		fflush(t->f);
		return;
	}
	secret = cmd != NULL && (response_is_secret(cmd, cmd_len) ||
	    (t->mask_continuation && cmd_len >= 4 &&
	    cmd[1] == INS_GET_RESPONSE));
	fputs("< ", t->f);
	if (secret && resp_len > 2) {
		put_mask(t->f, resp_len - 2);
		put_hex(t->f, resp + resp_len - 2, 2);
	} else {
		put_hex(t->f, resp, resp_len);
	}
	fputc('\n', t->f);
	fflush(t->f);
	t->mask_continuation = secret && resp_len >= 2 &&
	    resp[resp_len - 2] == 0x61;
}
