/*
 * fuzz_ledger_import.c - the ledger's member import (row parser and
 * storage) and unit import on arbitrary bytes, against an in-memory
 * ledger (":memory:", nothing on disk).  A file whose first line names a
 * "parent" column goes to the unit import, anything else to the member
 * import of unit G1.  Besides memory safety it checks the promises:
 * a refused file changes nothing (member and unit counts), an accepted
 * one reported no problem, and at most UC_LEDGER_IMPORT_ERRORS_MAX
 * problems reach the callback, each with NUL-terminated text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "unioncard/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PW "fuzz-password-1"
/* A fresh ledger now and then: accepted files pile up rows. */
#define RUNS_PER_LEDGER 2000

static struct uc_ledger *ledger;
static unsigned runs;

static void
fresh_ledger(void)
{
	uc_ledger_free(&ledger);
	if (uc_ledger_open(&ledger, ":memory:", 1) != 0 ||
	    uc_ledger_set_kdf_cost(ledger, 1000) != 0 ||
	    uc_ledger_init(ledger, "52", "Province", 52, "admin", PW) != 0 ||
	    uc_ledger_login(ledger, "admin", PW) != 0 ||
	    uc_ledger_unit_add(ledger, "G1", "CĐCS G1", "52", 0) != 0)
		abort();
	runs = 0;
}

static int
count_one(void *ctx, const struct uc_ledger_member *m)
{
	(void)m;
	(*(size_t *)ctx)++;
	return 0;
}

static int
count_unit(void *ctx, const struct uc_ledger_unit *u)
{
	(void)u;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t
count(int units)
{
	size_t n = 0;

	if ((units ? uc_ledger_unit_each(ledger, count_unit, &n) :
	    uc_ledger_member_each(ledger, "G1", 0, count_one, &n)) != 0)
		abort();
	return n;
}

struct seen {
	size_t calls;
};

static void
on_problem(void *ctx, const struct uc_diag *d)
{
	struct seen *s = ctx;

	if (memchr(d->msg, '\0', sizeof(d->msg)) == NULL ||
	    memchr(d->field, '\0', sizeof(d->field)) == NULL ||
	    memchr(d->file, '\0', sizeof(d->file)) == NULL ||
	    d->msg[0] == '\0')
		abort();
	s->calls++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *eol;
	struct seen s = { 0 };
	struct uc_diag d;
	size_t n = 0, nerr = 0, before_m, before_u, head;
	FILE *fp;
	int units, r;

	if (ledger == NULL || ++runs > RUNS_PER_LEDGER)
		fresh_ledger();
	if (size == 0 || (fp = fmemopen((void *)(uintptr_t)data, size, "rb"))
	    == NULL)
		return 0;
	eol = memchr(data, '\n', size);
	head = eol != NULL ? (size_t)(eol - data) : size;
	units = memmem(data, head, "parent", 6) != NULL;
	before_m = count(0);
	before_u = count(1);
	if (units)
		r = uc_ledger_unit_import_each(ledger, fp, "fuzz.csv", &n,
		    on_problem, &s, &nerr, &d);
	else
		r = uc_ledger_member_import_each(ledger, "G1", fp, "fuzz.csv",
		    &n, on_problem, &s, &nerr, &d);
	fclose(fp);
	if (s.calls > UC_LEDGER_IMPORT_ERRORS_MAX || s.calls > nerr)
		abort();
	if (r != 0) {
		if (n != 0 || count(0) != before_m || count(1) != before_u)
			abort();
		if (r == UC_ERR_INVALID && (nerr == 0 || s.calls == 0))
			abort();
	} else if (nerr != 0 || s.calls != 0 || (!units && n == 0) ||
	    count(1) != before_u + (units ? n : 0)) {
		abort();
	}
	return 0;
}
