/*
 * unioncard/error.h - error codes and validation diagnostics.
 *
 * Every fallible function in libunioncard returns int: 0 on success or a
 * negative UC_ERR_* code.  Three kinds of failure are kept apart:
 *
 *   - transport failures (the reader, pcscd, the wire): UC_ERR_TRANSPORT..;
 *   - card status words: the transfer succeeded and the card said no.  The
 *     status word comes back as a uint16_t through an out-parameter and
 *     uc_sw_to_err() maps it, in one place, to UC_ERR_SW_*;
 *   - validation errors in input (a CSV line, a key file, a card response):
 *     UC_ERR_INVALID and friends, with a struct uc_diag naming the file, line
 *     and field so that the user can fix the input.
 *
 * Library code never prints.  Tools turn codes and diagnostics into text.
 *
 * Context reaches the tools one way, as a struct uc_diag: a function that
 * can say more takes a struct uc_diag * and fills it; what a handle or a
 * layer keeps about its last failure comes out the same way -
 * uc_ledger_diag() (the ledger's last refusal) and uc_transport_diag()
 * (the last failed transport call of this thread).  There is no other
 * error-string channel.
 */
#ifndef UNIONCARD_ERROR_H
#define UNIONCARD_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The single error table: ERR(name, value, description).
 * Values are stable; never renumber, only append.
 */
#define UC_ERROR_TABLE(ERR)                                                   \
	ERR(UC_OK, 0, "success")                                              \
	/* generic */                                                         \
	ERR(UC_ERR_NOMEM, -1, "out of memory")                                \
	ERR(UC_ERR_ARG, -2, "invalid argument")                               \
	ERR(UC_ERR_INTERNAL, -3, "internal error")                            \
	ERR(UC_ERR_IO, -4, "file input/output error")                         \
	ERR(UC_ERR_RANGE, -5, "value out of range")                           \
	ERR(UC_ERR_BUFFER, -6, "buffer too small")                            \
	ERR(UC_ERR_NOT_FOUND, -7, "not found")                                \
	ERR(UC_ERR_EXISTS, -8, "already exists")                              \
	ERR(UC_ERR_UNSUPPORTED, -9, "not supported by this build")            \
	ERR(UC_ERR_INTERRUPTED, -10, "interrupted")                           \
	ERR(UC_ERR_TIMEOUT, -11, "timed out")                                 \
	/* transport */                                                       \
	ERR(UC_ERR_TRANSPORT, -20, "reader communication failed")             \
	ERR(UC_ERR_NO_SERVICE, -21, "smart card service (pcscd) not running") \
	ERR(UC_ERR_NO_READER, -22, "no such reader")                          \
	ERR(UC_ERR_NO_CARD, -23, "no card in the reader")                     \
	ERR(UC_ERR_CARD_REMOVED, -24, "card removed")                         \
	ERR(UC_ERR_CARD_RESET, -25, "card was reset")                         \
	ERR(UC_ERR_READER_GONE, -26, "reader unplugged")                      \
	ERR(UC_ERR_SHARING, -27, "card in use by another program")            \
	/* protocol: the card's answer is malformed or hostile */            \
	ERR(UC_ERR_PROTOCOL, -40, "malformed card response")                  \
	ERR(UC_ERR_TOO_LONG, -41, "response longer than allowed")             \
	ERR(UC_ERR_TOO_MANY_ROUNDS, -42, "card kept asking for more rounds")  \
	ERR(UC_ERR_TLV, -43, "malformed BER-TLV")                             \
	ERR(UC_ERR_TLV_DEPTH, -44, "BER-TLV nested too deeply")               \
	/* card status words (mapped by uc_sw_to_err) */                      \
	ERR(UC_ERR_SW, -60, "card refused the command")                       \
	ERR(UC_ERR_SW_NOT_FOUND, -61, "card: file or application not found")  \
	ERR(UC_ERR_SW_SECURITY, -62, "card: security status not satisfied")   \
	ERR(UC_ERR_SW_CONDITIONS, -63, "card: conditions of use not satisfied") \
	ERR(UC_ERR_SW_AUTH_FAILED, -64, "card: authentication failed")        \
	ERR(UC_ERR_SW_BLOCKED, -65, "card: authentication method blocked")    \
	ERR(UC_ERR_SW_WRONG_DATA, -66, "card: wrong data")                    \
	ERR(UC_ERR_SW_WRONG_LENGTH, -67, "card: wrong length")                \
	ERR(UC_ERR_SW_INS, -68, "card: instruction not supported")            \
	ERR(UC_ERR_SW_CLA, -69, "card: class not supported")                  \
	ERR(UC_ERR_SW_P1P2, -70, "card: incorrect parameters P1-P2")          \
	ERR(UC_ERR_SW_MEMORY, -71, "card: memory failure")                    \
	ERR(UC_ERR_SW_TERMINATED, -72, "card: application terminated")        \
	ERR(UC_ERR_SW_NO_SPACE, -73, "card: not enough memory space")         \
	/* validation and security */                                         \
	ERR(UC_ERR_INVALID, -80, "invalid input")                             \
	ERR(UC_ERR_CRYPTO, -81, "cryptographic operation failed")             \
	ERR(UC_ERR_AUTH, -82, "authentication failed")                        \
	ERR(UC_ERR_VERIFY, -83, "verification failed")                        \
	ERR(UC_ERR_KEY, -84, "key missing or unusable")                       \
	ERR(UC_ERR_PASSPHRASE, -85, "wrong or missing passphrase")            \
	/* ledger and rules */                                                \
	ERR(UC_ERR_LEDGER, -100, "ledger database error")                     \
	ERR(UC_ERR_LEDGER_VERSION, -101, "ledger is newer than this program") \
	ERR(UC_ERR_PERM, -102, "not permitted for this account")              \
	ERR(UC_ERR_STATE, -103, "not allowed in the current state")           \
	ERR(UC_ERR_CONFLICT, -104, "conflicts with existing records")         \
	ERR(UC_ERR_BUSY, -105, "ledger is busy")                              \
	ERR(UC_ERR_NO_SPACE, -110, "no space left on the disk")               \
	ERR(UC_ERR_READ_ONLY, -111, "the file is read-only here")             \
	ERR(UC_ERR_ACCESS, -112, "permission denied")                         \
	ERR(UC_ERR_CORRUPT, -113, "the ledger file is damaged")

enum uc_err {
#define UC_ERR_ENUM(name, value, desc) name = value,
	UC_ERROR_TABLE(UC_ERR_ENUM)
#undef UC_ERR_ENUM
};

/* Human description of an error code; never NULL, static storage. */
UC_API const char *uc_strerror(int err);

/* Symbolic name ("UC_ERR_NO_CARD"); never NULL, static storage. */
UC_API const char *uc_errname(int err);

/*
 * Status words: one table in unioncard/sw.h (UC_SW_* names, uc_sw_to_err
 * mapping to UC_ERR_SW_*, uc_sw_describe texts).
 */

/*
 * Diagnostics for validation errors.  Parsers of files and card data take
 * an optional struct uc_diag *; on failure they fill in what they know.
 * line is 1-based (0: not applicable); field is a column, tag or key name.
 */
#define UC_DIAG_FILE_MAX 256
#define UC_DIAG_FIELD_MAX 64
#define UC_DIAG_MSG_MAX 256

struct uc_diag {
	char file[UC_DIAG_FILE_MAX];
	unsigned long line;
	char field[UC_DIAG_FIELD_MAX];
	char msg[UC_DIAG_MSG_MAX];
};

/* Clear a diagnostic (safe on NULL). */
UC_API void uc_diag_clear(struct uc_diag *d);

/*
 * Fill a diagnostic (safe on NULL d; file/field may be NULL).
 * Returns err, so parsers can write: return uc_diag_set(d, UC_ERR_INVALID,..).
 */
UC_API int uc_diag_set(struct uc_diag *d, int err, const char *file,
    unsigned long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Render "file:line: field: msg" into buf (always NUL-terminated).
 * Parts that are empty are left out.
 */
UC_API void uc_diag_format(const struct uc_diag *d, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#include "unioncard/sw.h"

#endif /* UNIONCARD_ERROR_H */
