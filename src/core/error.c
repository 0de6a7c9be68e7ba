/*
 * error.c - the one error table, status-word mapping and diagnostics.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unioncard/error.h"

const char *
uc_strerror(int err)
{
	switch (err) {
#define UC_ERR_DESC(name, value, desc) \
	case value:                    \
		return desc;
		UC_ERROR_TABLE(UC_ERR_DESC)
#undef UC_ERR_DESC
	}
	return "unknown error";
}

const char *
uc_errname(int err)
{
	switch (err) {
#define UC_ERR_NAME(name, value, desc) \
	case value:                    \
		return #name;
		UC_ERROR_TABLE(UC_ERR_NAME)
#undef UC_ERR_NAME
	}
	return "UC_ERR_UNKNOWN";
}

/* The rows of unioncard/sw.h's one list. */
struct sw_row {
	uint16_t value, mask;
	int err;
	const char *desc;
};

static const struct sw_row sw_rows[] = {
#define UC_SW_ROW(name, value, mask, err, desc) { value, mask, err, desc },
	UC_SW_TABLE(UC_SW_ROW)
#undef UC_SW_ROW
};

static const struct sw_row *
sw_find(uint16_t sw)
{
	size_t i;

	for (i = 0; i < sizeof(sw_rows) / sizeof(sw_rows[0]); i++)
		if ((sw & sw_rows[i].mask) == sw_rows[i].value)
			return &sw_rows[i];
	return NULL;
}

int
uc_sw_to_err(uint16_t sw)
{
	const struct sw_row *row = sw_find(sw);

	return row != NULL ? row->err : UC_ERR_SW;
}

const char *
uc_sw_describe(uint16_t sw)
{
	const struct sw_row *row = sw_find(sw);

	return row != NULL ? row->desc : "unknown status word";
}

void
uc_diag_clear(struct uc_diag *d)
{
	if (d != NULL)
		memset(d, 0, sizeof(*d));
}

int
uc_diag_set(struct uc_diag *d, int err, const char *file, unsigned long line,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return err;
	uc_diag_clear(d);
	if (file != NULL)
		snprintf(d->file, sizeof(d->file), "%s", file);
	d->line = line;
	if (field != NULL)
		snprintf(d->field, sizeof(d->field), "%s", field);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

void
uc_diag_format(const struct uc_diag *d, char *buf, size_t len)
{
	size_t off = 0;
	int n;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	if (d == NULL)
		return;
#define APPEND(...)                                               \
	do {                                                      \
		if (off < len) {                                  \
			n = snprintf(buf + off, len - off, __VA_ARGS__); \
			if (n > 0)                                \
				off += (size_t)n;                 \
		}                                                 \
	} while (0)
	if (d->file[0] != '\0') {
		APPEND("%s", d->file);
		if (d->line != 0)
			APPEND(":%lu", d->line);
		APPEND(": ");
	} else if (d->line != 0) {
		APPEND("line %lu: ", d->line);
	}
	if (d->field[0] != '\0')
		APPEND("%s: ", d->field);
	APPEND("%s", d->msg[0] != '\0' ? d->msg : "invalid");
#undef APPEND
}
