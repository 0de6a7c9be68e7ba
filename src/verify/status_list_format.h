/*
 * status_list_format.h - the status-list encoder the ledger's export
 * calls (the format itself: unioncard/statuslist.h).  Internal.
 */
#ifndef UC_VERIFY_STATUS_LIST_FORMAT_H
#define UC_VERIFY_STATUS_LIST_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/statuslist.h"

/*
 * The payload (header + zlib of bits) of a list covering nbits serial
 * indexes (bits: ceil(nbits / 8) bytes, MSB first; nbits at most
 * UC_STATUS_LIST_MAX_BITS, else UC_ERR_RANGE).  *payload is malloc'ed,
 * the CALLER frees it; the signature over it and its length follow it in
 * the file (see unioncard/statuslist.h).
 */
int sl_encode(unsigned prefix, int64_t issued_at, uint32_t ttl,
    const unsigned char *bits, uint64_t nbits, unsigned char **payload,
    size_t *payload_len);

#endif
