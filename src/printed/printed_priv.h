/*
 * printed_priv.h - what the printed card's files share.
 */
#ifndef UC_PRINTED_PRIV_H
#define UC_PRINTED_PRIV_H

#include <openssl/x509.h>

#include "unioncard/printed.h"

/* The certificate whose subjectKeyIdentifier is KID (borrowed), or NULL. */
X509 *uc_qr_signers_find(const struct uc_qr_signers *s, const uint8_t *kid,
    size_t kid_len);

#endif /* UC_PRINTED_PRIV_H */
