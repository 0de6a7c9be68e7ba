/*
 * backend.h - what transport backends share with the transport core.
 *
 * Backends report the "why" of a failure (which step of a transcript did
 * not match, which PC/SC call failed with which code) through
 * uc_transport_set_detail(); the core clears it before each call into a
 * backend and uc_transport_diag() hands it to the tool, since the
 * library itself never prints.
 */
#ifndef UC_TRANSPORT_BACKEND_H
#define UC_TRANSPORT_BACKEND_H

#include "config.h"
#include "unioncard/transport.h"

#if UC_HAVE_PCSC
extern const struct uc_transport_ops uc_transport_pcsc_ops;
/* Reader enumeration for uc_readers_list(). */
int uc_pcsc_list(struct uc_reader_info **out, size_t *n);
#endif
extern const struct uc_transport_ops uc_transport_replay_ops;

/* uc_transport_set_detail() is public (transport.h): registered backends
 * use it too. */
/* uc_transport_backend_ctx() too (transport.h). */
void uc_transport_clear_detail(void);

#endif /* UC_TRANSPORT_BACKEND_H */
