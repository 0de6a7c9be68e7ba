/*
 * unioncard/trace.h - an APDU trace file (`--trace FILE`).
 *
 * One line per APDU: "> HEX" for a command, "< HEX" for a response,
 * "# text" for notes.  Secrets are masked before they reach the file: the
 * data field of commands and responses that may carry secrets (SCP03
 * cryptograms, encrypted STORE DATA, the bank application's records that
 * hold the PAN) is replaced by "**" repeated for its length, with the
 * header and status word kept so the trace still shows the flow.
 */
#ifndef UNIONCARD_TRACE_H
#define UNIONCARD_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uc_trace;

/* Open (append) a trace file.  "-" means standard error. */
UC_API int uc_trace_open(const char *path, struct uc_trace **out);
UC_API void uc_trace_free(struct uc_trace **t);
UC_API void uc_trace_note(struct uc_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Called by the transport layer for each round trip. */
UC_API void uc_trace_apdu(struct uc_trace *t, const uint8_t *cmd,
    size_t cmd_len, const uint8_t *resp, size_t resp_len);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_TRACE_H */
