/*
 * passphrase.h - reading the key passphrase for a tool.
 */
#ifndef UC_TOOL_PASSPHRASE_H
#define UC_TOOL_PASSPHRASE_H

#include <stddef.h>
#include <stdlib.h>

#include "unioncard/error.h"

#define UC_TOOL_PASSPHRASE_CAP 1025

/*
 * From file (first line) when given, else $UNIONCARD_PASSPHRASE, else a
 * prompt on the terminal without echo.  The caller wipes out.
 * Returns 0, UC_ERR_IO (file unreadable) or UC_ERR_PASSPHRASE.
 */
int uc_tool_passphrase(const char *file, char *out, size_t cap);

#endif
