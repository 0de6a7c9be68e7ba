/*
 * testhooks.c - the tools' test hooks (see testhooks.h): environment
 * variables read only in builds with -Dtest_hooks=true.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "unioncard/date.h"
#if UC_WITH_SIMULATOR
#include "vcard/vcard.h"
#endif
#include "testhooks.h"

#define TODAY_ENV "UNIONCARD_TODAY"
#define KDF_ENV "UNIONCARD_KDF_ITERATIONS"
#define KILL_ENV "UNIONCARD_TEST_KILL_AT"
#define TEAR_ENV "UNIONCARD_VCARD_TEAR_AT"

int
uc_hook_built(void)
{
	return UC_TEST_HOOKS;
}

/*
 * The variable's value when this build has test hooks; NULL when it is
 * unset or empty, or the build has none (then a set variable is named on
 * stderr, once per variable and process).
 */
static const char *
hook_env(const struct uc_tool_global *g, const char *name)
{
	const char *e = getenv(name);

	if (e == NULL || e[0] == '\0')
		return NULL;
#if UC_TEST_HOOKS
	(void)g;
	return e;
#else
	{
		static char said[4][32];
		size_t i;

		for (i = 0; i < 4 && said[i][0] != '\0'; i++)
			if (strcmp(said[i], name) == 0)
				return NULL;
		if (i < 4)
			snprintf(said[i], sizeof(said[i]), "%s", name);
		fprintf(stderr, "%s: %s ignored: a test hook, and this build "
		    "has none (meson -Dtest_hooks=true)\n",
		    g != NULL && g->prog != NULL ? g->prog : "unioncard", name);
		return NULL;
	}
#endif
}

int
uc_hook_ledger_opts(const struct uc_tool_global *g,
    struct uc_ledger_open_opts *o)
{
	const char *e;
	char *end = NULL;
	unsigned long n;
	int32_t day;

	if ((e = hook_env(g, TODAY_ENV)) != NULL) {
		if (uc_date_parse(e, strlen(e), &day) != 0)
			return uc_tool_fail(g, UC_ERR_INVALID, "%s=%s: want "
			    "YYYY-MM-DD", TODAY_ENV, e);
		o->today = day;
	}
	/*
	 * Test suites (and sanitizer builds, where PBKDF2 is ~10x slower)
	 * lower the cost of NEW password hashes; existing hashes keep the
	 * cost they were made with.  The library refuses values below its
	 * floor.
	 */
	if ((e = hook_env(g, KDF_ENV)) != NULL) {
		errno = 0;
		n = strtoul(e, &end, 10);
		if (e[0] < '0' || e[0] > '9' || errno != 0 || *end != '\0' ||
		    n > 0xffffffffUL)
			return uc_tool_fail(g, UC_ERR_RANGE, "%s", KDF_ENV);
		o->kdf_iterations = (unsigned)n;
	}
	return UC_EXIT_OK;
}

/* N[:before|after], N >= 1; *after 1 for ":after". */
static int
parse_point(const char *e, unsigned long *n, const char **rest)
{
	char *end = NULL;

	errno = 0;
	*n = strtoul(e, &end, 10);
	if (e[0] < '0' || e[0] > '9' || errno != 0 || *n == 0)
		return UC_ERR_ARG;
	*rest = end;
	return 0;
}

static void
kill_at_step(void *ctx, unsigned long step, int after)
{
	const unsigned long *at = ctx; /* {step, after} */

	if (step == at[0] && (unsigned long)after == at[1])
		(void)raise(SIGKILL);
}

int
uc_hook_station_opts(const struct uc_tool_global *g,
    struct uc_station_opts *so)
{
	static unsigned long at[2];
	const char *e, *rest;

	if ((e = hook_env(g, KILL_ENV)) == NULL)
		return UC_EXIT_OK;
	if (parse_point(e, &at[0], &rest) != 0)
		goto bad;
	if (strcmp(rest, ":after") == 0)
		at[1] = 1;
	else if (rest[0] == '\0' || strcmp(rest, ":before") == 0)
		at[1] = 0;
	else
		goto bad;
	so->ledger_step = kill_at_step;
	so->ledger_step_ctx = at;
	return UC_EXIT_OK;
bad:
	return uc_tool_fail(g, UC_ERR_ARG, "%s=%s: want N[:before|after], "
	    "N >= 1", KILL_ENV, e);
}

int
uc_hook_vcard_reader(const struct uc_tool_global *g, struct uc_transport *t)
{
#if UC_WITH_SIMULATOR
	struct uc_vcard_reader_opts o;
	const char *e, *rest;
	int r;

	if (strncmp(uc_transport_name(t), "vcard:", 6) != 0 ||
	    (e = hook_env(g, TEAR_ENV)) == NULL)
		return UC_EXIT_OK;
	memset(&o, 0, sizeof(o));
	o.tear_mode = UC_VCARD_TEAR_BEFORE;
	if (parse_point(e, &o.tear_at, &rest) != 0)
		goto bad;
	if (strncmp(rest, ":after", 6) == 0) {
		o.tear_mode = UC_VCARD_TEAR_AFTER;
		rest += 6;
	} else if (strncmp(rest, ":before", 7) == 0) {
		rest += 7;
	}
	if (strcmp(rest, ":back") == 0)
		o.tear_back = 1;
	else if (rest[0] != '\0')
		goto bad;
	if ((r = uc_vcard_reader_set_opts(t, &o)) != 0)
		return uc_tool_fail(g, r, "%s", TEAR_ENV);
	return UC_EXIT_OK;
bad:
	return uc_tool_fail(g, UC_ERR_ARG, "%s=%s: want K[:before|after]"
	    "[:back], K >= 1", TEAR_ENV, e);
#else
	(void)g;
	(void)t;
	return UC_EXIT_OK; /* no vcard: readers in this build */
#endif
}
