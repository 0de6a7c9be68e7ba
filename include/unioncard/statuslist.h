/*
 * unioncard/statuslist.h - the card status list file (format version 1,
 * docs/status-list.md): the issuer's signed bitstring of the cards a
 * verifier must not accept.
 *
 * The format belongs to the verify layer: the ledger makes the bitstring
 * from its cards and calls the encoder here; the field officer's verifier
 * reads the file with uc_status_list_verify() and links no ledger code.
 *
 *   payload:  "UCSL" | version 1 | flags 0 | prefix u16 | issued_at u64 |
 *             ttl u32 | nbits u64 | zlen u32 | zlib(bitstring)
 *   then:     siglen u32 | CMS detached signature over the payload (DER)
 *
 * The verifier checks before it allocates: the header and lengths are
 * checked in place, the signature is verified over the COMPRESSED payload,
 * and only then is the bitstring inflated, to exactly ceil(nbits / 8)
 * bytes as the signed header says, and never more than
 * UC_STATUS_LIST_MAX_BITS / 8.
 */
#ifndef UNIONCARD_STATUSLIST_H
#define UNIONCARD_STATUSLIST_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"
#include "unioncard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_STATUS_LIST_VERSION 1
#define UC_STATUS_LIST_HEADER_LEN 32
/* Serial indexes a list may cover: the 9-digit card counter (125 MB of
 * bits inflated, at most). */
#define UC_STATUS_LIST_MAX_BITS (UINT64_C(1000000000))
/* Largest signature a list may carry. */
#define UC_STATUS_LIST_SIG_MAX (64u * 1024u)

/* The header fields and where the signed parts lie in the file image. */
struct uc_status_list_info {
	unsigned prefix;
	int64_t issued_at;
	uint32_t ttl;
	uint64_t nbits;
	size_t payload_len; /* signed bytes at the start: header + zlib */
	size_t sig_off;
	size_t sig_len;     /* 0: unsigned */
};

/*
 * Check the envelope of a file image in place (magic, version, flags,
 * nbits <= UC_STATUS_LIST_MAX_BITS, the lengths add up to len exactly) and
 * fill info.  Allocates nothing and inflates nothing; the fields are
 * UNTRUSTED until the signature over info->payload_len bytes is checked.
 * UC_ERR_INVALID when it is not a status list.
 */
UC_API int uc_status_list_parse_header(const unsigned char *data,
    size_t len, struct uc_status_list_info *info);

/*
 * Parse a file image WITHOUT checking its signature: the envelope, then
 * the bitstring inflated (malloc'ed, CALLER frees) to ceil(nbits / 8)
 * bytes.  For the issuer's own tests and tools; a verifier uses
 * uc_status_list_verify(), which inflates only a signed list.
 */
UC_API int uc_status_list_parse(const unsigned char *data, size_t len,
    struct uc_status_list_info *info, unsigned char **bits,
    size_t *bits_len);

/*
 * What a verifier does offline: check the envelope, verify the detached
 * CMS signature over the compressed payload against trust (a struct
 * uc_trust from keys.h; the signer must carry the status-list EKU), check
 * that now (0: current time) lies in [issued_at, issued_at + ttl], and
 * only then inflate the bitstring (as uc_status_list_parse returns it).
 * Errors: UC_ERR_INVALID (malformed), UC_ERR_VERIFY (unsigned, bad
 * signature or expired; d says which).
 */
struct uc_trust;
UC_API int uc_status_list_verify(const unsigned char *data, size_t len,
    const struct uc_trust *trust, int64_t now,
    struct uc_status_list_info *info, unsigned char **bits,
    size_t *bits_len, struct uc_diag *d);

/* 1 if card serial is marked not valid in bits, 0 if valid, <0 error. */
UC_API int uc_status_list_get(const struct uc_status_list_info *info,
    const unsigned char *bits, size_t bits_len, const char *serial);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_STATUSLIST_H */
