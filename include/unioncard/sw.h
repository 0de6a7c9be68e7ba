/*
 * unioncard/sw.h - the ISO 7816-4 status words the project speaks, in one
 * list.
 *
 * Both sides use it: the applet client (channel, card, perso, verify)
 * reads the status word a card answered, the virtual card answers with
 * it.  Each row says, once, the word, the error uc_sw_to_err() maps it to
 * and the text uc_sw_describe() gives:
 *
 *   SW(name, value, mask, error, description)
 *
 * A row matches a status word sw when (sw & mask) == value: mask 0xFFFF
 * for one word, 0xFFF0 or 0xFF00 for a family whose low bits carry a
 * count (63Cx tries left, 61xx bytes available, 6Cxx the exact Le).  No
 * two rows match the same word.  A word no row matches is UC_ERR_SW,
 * "unknown status word".
 */
#ifndef UNIONCARD_SW_H
#define UNIONCARD_SW_H

#include <stdint.h>

#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UC_SW_TABLE(SW)                                                        \
	SW(UC_SW_OK, 0x9000, 0xFFFF, 0, "ok")                                  \
	SW(UC_SW_MORE_DATA, 0x6100, 0xFF00, UC_ERR_SW, "more data available") \
	SW(UC_SW_TERMINATED, 0x6283, 0xFFFF, UC_ERR_SW_TERMINATED,             \
	    "application terminated")                                          \
	SW(UC_SW_AUTH_FAILED, 0x6300, 0xFFFF, UC_ERR_SW_AUTH_FAILED,           \
	    "authentication failed")                                           \
	SW(UC_SW_TRIES_LEFT, 0x63C0, 0xFFF0, UC_ERR_SW_AUTH_FAILED,            \
	    "authentication failed (tries counted)")                           \
	SW(UC_SW_MEMORY, 0x6581, 0xFFFF, UC_ERR_SW_MEMORY, "memory failure")   \
	SW(UC_SW_WRONG_LENGTH, 0x6700, 0xFFFF, UC_ERR_SW_WRONG_LENGTH,         \
	    "wrong length")                                                    \
	SW(UC_SW_SM_NOT_SUPPORTED, 0x6882, 0xFFFF, UC_ERR_SW,                  \
	    "secure messaging not supported")                                  \
	SW(UC_SW_CHAINING_NOT_SUPPORTED, 0x6884, 0xFFFF, UC_ERR_SW,            \
	    "command chaining not supported")                                  \
	SW(UC_SW_SECURITY, 0x6982, 0xFFFF, UC_ERR_SW_SECURITY,                 \
	    "security status not satisfied")                                   \
	SW(UC_SW_BLOCKED, 0x6983, 0xFFFF, UC_ERR_SW_BLOCKED,                   \
	    "authentication method blocked")                                   \
	SW(UC_SW_CONDITIONS, 0x6985, 0xFFFF, UC_ERR_SW_CONDITIONS,             \
	    "conditions of use not satisfied")                                 \
	SW(UC_SW_SM_DATA, 0x6988, 0xFFFF, UC_ERR_SW,                           \
	    "incorrect secure messaging data")                                 \
	SW(UC_SW_WRONG_DATA, 0x6A80, 0xFFFF, UC_ERR_SW_WRONG_DATA,             \
	    "incorrect data")                                                  \
	SW(UC_SW_FILE_NOT_FOUND, 0x6A82, 0xFFFF, UC_ERR_SW_NOT_FOUND,          \
	    "application or file not found")                                   \
	SW(UC_SW_RECORD_NOT_FOUND, 0x6A83, 0xFFFF, UC_ERR_SW,                  \
	    "record not found")                                                \
	SW(UC_SW_NO_SPACE, 0x6A84, 0xFFFF, UC_ERR_SW_NO_SPACE,                 \
	    "not enough memory")                                               \
	SW(UC_SW_P1P2, 0x6A86, 0xFFFF, UC_ERR_SW_P1P2, "incorrect P1-P2")      \
	SW(UC_SW_DATA_NOT_FOUND, 0x6A88, 0xFFFF, UC_ERR_SW_NOT_FOUND,          \
	    "referenced data not found")                                       \
	SW(UC_SW_WRONG_P1P2, 0x6B00, 0xFFFF, UC_ERR_SW_P1P2,                   \
	    "wrong parameters")                                                \
	SW(UC_SW_WRONG_LE, 0x6C00, 0xFF00, UC_ERR_SW,                          \
	    "wrong Le, exact length given")                                    \
	SW(UC_SW_INS, 0x6D00, 0xFFFF, UC_ERR_SW_INS,                           \
	    "instruction not supported")                                       \
	SW(UC_SW_CLA, 0x6E00, 0xFFFF, UC_ERR_SW_CLA, "class not supported")    \
	SW(UC_SW_UNKNOWN, 0x6F00, 0xFFFF, UC_ERR_SW, "no precise diagnosis")

/* The words by name (a family's name is its first word: 63C0, 6100). */
enum uc_sw_word {
#define UC_SW_ENUM(name, value, mask, err, desc) name = value,
	UC_SW_TABLE(UC_SW_ENUM)
#undef UC_SW_ENUM
};

/*
 * 0 for 9000, the row's UC_ERR_SW_* code for a listed word, UC_ERR_SW for
 * anything unlisted.
 */
UC_API int uc_sw_to_err(uint16_t sw);
/* The row's description, or "unknown status word"; static storage. */
UC_API const char *uc_sw_describe(uint16_t sw);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_SW_H */
