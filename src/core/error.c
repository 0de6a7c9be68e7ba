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

int
uc_sw_to_err(uint16_t sw)
{
	if (sw == UC_SW_OK)
		return 0;
	if ((sw & 0xfff0) == 0x63c0 || sw == 0x6300)
		return UC_ERR_SW_AUTH_FAILED;
	switch (sw) {
	case 0x6283:
		return UC_ERR_SW_TERMINATED;
	case 0x6581:
		return UC_ERR_SW_MEMORY;
	case 0x6700:
		return UC_ERR_SW_WRONG_LENGTH;
	case 0x6982:
		return UC_ERR_SW_SECURITY;
	case 0x6983:
		return UC_ERR_SW_BLOCKED;
	case 0x6985:
		return UC_ERR_SW_CONDITIONS;
	case 0x6a80:
		return UC_ERR_SW_WRONG_DATA;
	case 0x6a82:
	case 0x6a88:
		return UC_ERR_SW_NOT_FOUND;
	case 0x6a84:
		return UC_ERR_SW_NO_SPACE;
	case 0x6a86:
	case 0x6b00:
		return UC_ERR_SW_P1P2;
	case 0x6d00:
		return UC_ERR_SW_INS;
	case 0x6e00:
		return UC_ERR_SW_CLA;
	}
	return UC_ERR_SW;
}

const char *
uc_sw_describe(uint16_t sw)
{
	if ((sw & 0xfff0) == 0x63c0)
		return "authentication failed (tries counted)";
	if ((sw & 0xff00) == 0x6100)
		return "more data available";
	if ((sw & 0xff00) == 0x6c00)
		return "wrong Le, exact length given";
	switch (sw) {
	case 0x9000:
		return "ok";
	case 0x6283:
		return "application terminated";
	case 0x6300:
		return "authentication failed";
	case 0x6581:
		return "memory failure";
	case 0x6700:
		return "wrong length";
	case 0x6882:
		return "secure messaging not supported";
	case 0x6884:
		return "command chaining not supported";
	case 0x6982:
		return "security status not satisfied";
	case 0x6983:
		return "authentication method blocked";
	case 0x6985:
		return "conditions of use not satisfied";
	case 0x6988:
		return "incorrect secure messaging data";
	case 0x6a80:
		return "incorrect data";
	case 0x6a82:
		return "application or file not found";
	case 0x6a84:
		return "not enough memory";
	case 0x6a86:
		return "incorrect P1-P2";
	case 0x6a88:
		return "referenced data not found";
	case 0x6b00:
		return "wrong parameters";
	case 0x6d00:
		return "instruction not supported";
	case 0x6e00:
		return "class not supported";
	case 0x6f00:
		return "no precise diagnosis";
	}
	return "unknown status word";
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
