/*
 * tool.c - shared helpers for the command-line tools.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "tool.h"

void
uc_tool_no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void vreport(const struct uc_tool_global *g, int err,
    const struct uc_diag *d, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
vreport(const struct uc_tool_global *g, int err, const struct uc_diag *d,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
vreport(const struct uc_tool_global *g, int err, const struct uc_diag *d,
    const char *fmt, va_list ap)
{
	char where[UC_DIAG_FILE_MAX + UC_DIAG_FIELD_MAX + UC_DIAG_MSG_MAX + 32];

	fprintf(stderr, "%s: ", g != NULL && g->prog != NULL ? g->prog : "unioncard");
	if (fmt != NULL)
		vfprintf(stderr, fmt, ap);
	if (err != 0)
		fprintf(stderr, "%s%s", fmt != NULL ? ": " : "", uc_strerror(err));
	if (d != NULL && (d->msg[0] != '\0' || d->file[0] != '\0')) {
		uc_diag_format(d, where, sizeof(where));
		fprintf(stderr, "\n  %s", where);
	}
	fputc('\n', stderr);
}

int
uc_tool_fail(const struct uc_tool_global *g, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(g, err, NULL, fmt, ap);
	va_end(ap);
	return uc_tool_exit_code(err);
}

int
uc_tool_fail_diag(const struct uc_tool_global *g, int err,
    const struct uc_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(g, err, d, fmt, ap);
	va_end(ap);
	return uc_tool_exit_code(err);
}

int
uc_tool_usage(const struct uc_tool_global *g, const char *fmt, ...)
{
	va_list ap;
	const char *prog = g != NULL && g->prog != NULL ? g->prog : "unioncard";

	fprintf(stderr, "%s: usage error: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return UC_EXIT_FAIL;
}

const char *
uc_tool_ledger_path(const struct uc_tool_global *g)
{
	const char *env;

	if (g != NULL && g->ledger != NULL)
		return g->ledger;
	env = getenv("UNIONCARD_LEDGER");
	if (env != NULL && env[0] != '\0')
		return env;
	return "./unioncard.db";
}

const char *
uc_tool_pkcs11_module(void)
{
	const char *e = getenv("UNIONCARD_PKCS11_MODULE");

	return e != NULL && e[0] != '\0' ? e : NULL;
}

int
uc_tool_exit_code(int err)
{
	switch (err) {
	case 0:
		return UC_EXIT_OK;
	case UC_ERR_VERIFY:
		return UC_EXIT_NO;
	default:
		return UC_EXIT_FAIL;
	}
}
