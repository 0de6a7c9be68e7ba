/*
 * vcard/pn532emu.h - a PN532 contactless reader in software, for tests.
 *
 * The emulator speaks the PN532 host protocol over a byte stream (the UART
 * "HSU" link: wake-up preamble, normal and extended information frames, ACK
 * frames) so that the REAL libnfc, with its pn532_uart driver pointed at a
 * pseudo-terminal, talks to the project's virtual card.  It answers what
 * libnfc 1.8.0 sends while opening the device, initialising an initiator,
 * listing and selecting targets and exchanging data:
 *
 *   Diagnose (00), GetFirmwareVersion (02), GetGeneralStatus (04),
 *   ReadRegister / WriteRegister (06 / 08), SetParameters (12),
 *   SAMConfiguration (14), PowerDown (16), RFConfiguration (32),
 *   InDataExchange (40), InCommunicateThru (42), InDeselect (44),
 *   InListPassiveTarget (4A), InRelease (52), InSelect (54),
 *   InAutoPoll (60).
 *
 * One card is in the field: an ISO 14443-4 type A target (SAK 0x20) whose
 * UID and ATS historical bytes the caller gives.  InDataExchange hands the
 * APDU to the card callback and returns its answer with status 0x00.
 * Anything else answers with the PN532's syntax-error frame.
 *
 * The frame parser is a bounded state machine: it takes arbitrary bytes in
 * arbitrary chunks, never reads beyond what it was given, drops frames with
 * bad checksums or a length above UC_PN532EMU_LEN_MAX and resynchronises on
 * the next start code.  It is fuzzed (tests/fuzz/fuzz_pn532.c).
 *
 * Card removal, for tests: uc_pn532emu_set_present(e, 0) takes the target
 * out of the field (InDataExchange then times out with status 0x01, as a
 * real PN532 does when the card is gone); uc_pn532emu_set_remove_after()
 * does it by itself at the n-th APDU, mid-command.
 */
#ifndef UNIONCARD_PN532EMU_H
#define UNIONCARD_PN532EMU_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "unioncard/buf.h"
#include "unioncard/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest LEN of an information frame: TFI + command + 263 data bytes. */
#define UC_PN532EMU_LEN_MAX 265u
/* Largest card response carried in one frame; longer ones are chained
 * with the MI bit of the status byte, as the chip does. */
#define UC_PN532EMU_CHUNK_MAX 262u
/* Largest APDU answer the emulator accepts from the card callback. */
#define UC_PN532EMU_RESP_MAX (65536u + 2u)
#define UC_PN532EMU_UID_MAX 10u
#define UC_PN532EMU_HIST_MAX 15u

/* The card in the field.  The callbacks are borrowed for the emulator's
 * lifetime. */
struct uc_pn532emu_card {
	void *ctx;
	/*
	 * Process one command APDU.  Return 0 with the response (data + SW1
	 * SW2) in resp, or UC_ERR_CARD_REMOVED when the card lost power
	 * without answering (the reader then reports a timeout), or any
	 * other negative code (also reported as a timeout).
	 */
	int (*process)(void *ctx, const uint8_t *cmd, size_t cmd_len,
	    uint8_t *resp, size_t resp_cap, size_t *resp_len);
	/* RF field / selection: on != 0 powers the card up.  May be NULL. */
	void (*power)(void *ctx, int on);
	uint8_t uid[UC_PN532EMU_UID_MAX]; /* NFCID1 */
	size_t uid_len;                   /* 4, 7 or 10 */
	uint8_t hist[UC_PN532EMU_HIST_MAX]; /* ATS historical bytes */
	size_t hist_len;
};

struct uc_pn532emu;

/* Counters (for tests and the emulator's log). */
struct uc_pn532emu_stats {
	unsigned long frames;       /* well-formed information frames */
	unsigned long bad_frames;   /* checksum, length or TFI errors */
	unsigned long garbage;      /* bytes skipped while hunting a start */
	unsigned long acks;         /* ACK frames from the host (aborts) */
	unsigned long unknown;      /* commands answered with an error frame */
	unsigned long apdus;        /* APDUs passed to the card */
	unsigned long selects;      /* targets reported to the host */
};

/* card is copied (its ctx and callbacks are borrowed). */
int uc_pn532emu_new(const struct uc_pn532emu_card *card,
    struct uc_pn532emu **out);
void uc_pn532emu_free(struct uc_pn532emu **e);

/*
 * Feed n bytes received from the host.  Every reply (ACK frame, then the
 * response frame) is appended to out, in order.  Returns 0, or
 * UC_ERR_NOMEM / UC_ERR_RANGE if out could not grow.
 */
int uc_pn532emu_input(struct uc_pn532emu *e, const uint8_t *in,
    size_t n, struct uc_buf *out);

/* Put the card in (1) or take it out of (0) the field. */
void uc_pn532emu_set_present(struct uc_pn532emu *e, int present);
int uc_pn532emu_present(const struct uc_pn532emu *e);
/*
 * Take the card out of the field when the n-th APDU arrives (counted from
 * 1 since creation), before the card sees it; 0 disables.
 */
void uc_pn532emu_set_remove_after(struct uc_pn532emu *e,
    unsigned long n);
void uc_pn532emu_stats(const struct uc_pn532emu *e,
    struct uc_pn532emu_stats *st);

/*
 * The historical bytes of a contact ATR (ISO/IEC 7816-3), for the ATS.
 * Bounded: UC_ERR_PROTOCOL for an ATR that ends inside its interface bytes
 * or claims more historical bytes than it has.
 */
int uc_pn532emu_atr_historical(const uint8_t *atr, size_t atr_len,
    uint8_t hist[UC_PN532EMU_HIST_MAX], size_t *hist_len);

/*
 * A pseudo-terminal for libnfc: opens a master, makes the slave raw (the
 * setting outlives this call) and gives the slave's name.  The caller
 * closes *master_fd.
 */
int uc_pn532emu_pty_open(int *master_fd, char *slave_path,
    size_t slave_path_cap);

/*
 * Serve hosts on fd (the pty master) until *stop becomes non-zero or the
 * link fails.  Returns 0 when stopped, UC_ERR_IO on a read or write
 * error.  *toggle (may be NULL), when non-zero, is cleared and flips the
 * card's presence (a SIGUSR1 handler sets it).
 *
 * Hosts come and go: when the last one closes the slave, the parser is
 * reset and the "claimed" mark libnfc keeps in the tty's c_iflag is
 * cleared, so a host that died without closing properly does not lock
 * the next one out.  Between hosts the master is polled every 20 ms.
 */
int uc_pn532emu_serve(struct uc_pn532emu *e, int fd,
    volatile sig_atomic_t *stop, volatile sig_atomic_t *toggle);

#ifdef __cplusplus
}
#endif

#endif /* UNIONCARD_PN532EMU_H */
