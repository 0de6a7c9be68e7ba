/*
 * member_priv.h - field validators shared by the member-file parser and
 * the card-object parser, so a field read back from a card obeys exactly
 * the rules it was written under.
 */
#ifndef UC_PERSO_MEMBER_PRIV_H
#define UC_PERSO_MEMBER_PRIV_H

#include <stddef.h>

#include "unioncard/error.h"


/* ASCII digits plus the characters in allowed (may be NULL). */
int member_put_ascii(const char *s, size_t n, char *out, size_t cap,
    const char *allowed, const char *file, const char *field,
    const char *what, struct uc_diag *d);

/* An 11-digit member code with its Damm check digit (membercode.h). */
int member_check_code(const char *code, const char *file, const char *field,
    struct uc_diag *d);

#endif
