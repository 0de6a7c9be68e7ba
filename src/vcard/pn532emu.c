/*
 * pn532emu.c - a PN532 reader in software (see vcard/pn532emu.h).
 *
 * Two layers: a byte-at-a-time frame parser (bounded, fuzzed) that yields
 * complete host commands, and a command handler that answers them as a
 * PN532 v1.6 with one ISO 14443-4 type A card in its field.  The link layer
 * follows the PN532 User Manual (UM0701-02, section 6.2): every information
 * frame from the host is acknowledged with an ACK frame, then answered with
 * a response frame whose TFI is D5 and whose command code is the host's
 * plus one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "unioncard/error.h"
#include "vcard/pn532emu.h"

/* Frame bytes (UM0701-02 6.2.1). */
#define TFI_HOST 0xD4
#define TFI_CHIP 0xD5
#define NORMAL_LEN_MAX 255u

/* Commands the emulator understands. */
#define CMD_DIAGNOSE 0x00
#define CMD_GET_FIRMWARE_VERSION 0x02
#define CMD_GET_GENERAL_STATUS 0x04
#define CMD_READ_REGISTER 0x06
#define CMD_WRITE_REGISTER 0x08
#define CMD_SET_PARAMETERS 0x12
#define CMD_SAM_CONFIGURATION 0x14
#define CMD_POWER_DOWN 0x16
#define CMD_RF_CONFIGURATION 0x32
#define CMD_IN_DATA_EXCHANGE 0x40
#define CMD_IN_COMMUNICATE_THRU 0x42
#define CMD_IN_DESELECT 0x44
#define CMD_IN_LIST_PASSIVE_TARGET 0x4A
#define CMD_IN_RELEASE 0x52
#define CMD_IN_SELECT 0x54
#define CMD_IN_AUTO_POLL 0x60

/* Status byte values (UM0701-02 7.1). */
#define ST_OK 0x00
#define ST_TIMEOUT 0x01
#define ST_WRONG_CONTEXT 0x27
#define ST_MI 0x40

/* GetFirmwareVersion: IC PN532, version 1.6, supports 14443A/B and DEP. */
static const uint8_t firmware[4] = { 0x32, 0x01, 0x06, 0x07 };

/* SetParameters bit: the chip sends RATS itself and reports the ATS. */
#define PARAM_AUTO_RATS 0x10
/* InAutoPoll target types this card answers to (UM0701-02 7.3.13). */
#define PTT_GENERIC_106 0x00
#define PTT_MIFARE 0x10
#define PTT_ISO14443_4A_106 0x20
/* SAK of an ISO/IEC 14443-4 compliant card. */
#define SAK_ISO14443_4 0x20
/*
 * ATS interface bytes: T0 = TA, TB, TC present and FSCI 8 (256-byte
 * frames); TA = 106 kbit/s only; TB = FWI 7 (~39 ms), SFGI 0; TC = CID
 * supported, no NAD.
 */
static const uint8_t ats_interface[4] = { 0x78, 0x80, 0x70, 0x02 };

/* CIU registers live at 0x63xx, SFRs at 0xFFxx; the rest reads as zero. */
#define REG_BANK_CIU 0x63
#define REG_BANK_SFR 0xFF

enum parse_state {
	P_HUNT,     /* looking for the 00 of a start code */
	P_START,    /* seen 00, expecting FF (more 00s are preamble) */
	P_LEN,
	P_LCS,
	P_XLEN_HI,  /* extended frame: FF FF then LENM LENL LCS */
	P_XLEN_LO,
	P_XLCS,
	P_DATA,
	P_DCS,
};

struct uc_pn532emu {
	struct uc_pn532emu_card card;
	struct uc_pn532emu_stats st;

	/* parser */
	enum parse_state ps;
	uint8_t len_byte;          /* LEN as read, for LCS and ACK/NACK */
	size_t len;                /* TFI + data bytes expected */
	size_t got;
	uint8_t sum;
	uint8_t frame[UC_PN532EMU_LEN_MAX];

	/* chip */
	uint8_t params;
	int field;                 /* RF field on */
	int present;               /* card in the field */
	int selected;              /* target 1 activated */
	unsigned long remove_after;
	uint8_t ciu[256], sfr[256];

	/* last response frame, resent on NACK */
	uint8_t last[8 + UC_PN532EMU_LEN_MAX + 2];
	size_t last_len;

	/* card answer being chained out with MI */
	uint8_t *resp;
	size_t resp_len, resp_off;
};

/* ---------------------------------------------------------------------
 * Output frames
 * ------------------------------------------------------------------- */

static int
put_ack(struct uc_buf *out)
{
	static const uint8_t ack[6] = { 0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00 };

	return uc_buf_append(out, ack, sizeof(ack));
}

static int
put_error_frame(struct uc_pn532emu *e, struct uc_buf *out)
{
	/* Application-level error: the command's syntax was not understood. */
	static const uint8_t err[8] = {
		0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00
	};

	memcpy(e->last, err, sizeof(err));
	e->last_len = sizeof(err);
	return uc_buf_append(out, err, sizeof(err));
}

/*
 * A response frame: D5, cmd + 1, then n payload bytes.  n is at most
 * UC_PN532EMU_LEN_MAX - 2 (callers guarantee it).
 */
static int
put_response(struct uc_pn532emu *e, uint8_t cmd, const uint8_t *p, size_t n,
    struct uc_buf *out)
{
	uint8_t *f = e->last;
	size_t i, k = 0, len = n + 2;
	uint8_t dcs;

	if (len > UC_PN532EMU_LEN_MAX)
		return UC_ERR_INTERNAL;
	f[k++] = 0x00;
	f[k++] = 0x00;
	f[k++] = 0xFF;
	if (len <= NORMAL_LEN_MAX) {
		f[k++] = (uint8_t)len;
		f[k++] = (uint8_t)(0x100u - len);
	} else {
		f[k++] = 0xFF;
		f[k++] = 0xFF;
		f[k++] = (uint8_t)(len >> 8);
		f[k++] = (uint8_t)len;
		f[k++] = (uint8_t)(0x100u - ((len >> 8) + (len & 0xFFu)));
	}
	f[k++] = TFI_CHIP;
	f[k++] = (uint8_t)(cmd + 1);
	dcs = (uint8_t)(TFI_CHIP + cmd + 1);
	for (i = 0; i < n; i++) {
		f[k++] = p[i];
		dcs = (uint8_t)(dcs + p[i]);
	}
	f[k++] = (uint8_t)(0x100u - dcs);
	f[k++] = 0x00;
	e->last_len = k;
	return uc_buf_append(out, f, k);
}

/* ---------------------------------------------------------------------
 * The card in the field
 * ------------------------------------------------------------------- */

static void
card_power(struct uc_pn532emu *e, int on)
{
	if (e->card.power != NULL)
		e->card.power(e->card.ctx, on);
}

static void
drop_pending(struct uc_pn532emu *e)
{
	if (e->resp != NULL && e->resp_len > 0)
		OPENSSL_cleanse(e->resp, e->resp_len);
	e->resp_len = 0;
	e->resp_off = 0;
}

/* The target gone: deselected and unpowered. */
static void
lose_target(struct uc_pn532emu *e)
{
	drop_pending(e);
	if (e->selected)
		card_power(e, 0);
	e->selected = 0;
}

/*
 * Target data as InListPassiveTarget reports it for 106 kbit/s type A:
 * Tg, SENS_RES (2), SEL_RES, NFCID1 length, NFCID1, then the ATS (its
 * first byte TL counts itself) when the chip does RATS.
 */
static size_t
target_data(const struct uc_pn532emu *e, uint8_t *t)
{
	size_t k = 0;

	t[k++] = 0x01;
	t[k++] = 0x00;
	/* SENS_RES bits 8-7: UID size single, double, triple. */
	t[k++] = e->card.uid_len == 4 ? 0x04 :
	    e->card.uid_len == 7 ? 0x44 : 0x84;
	t[k++] = SAK_ISO14443_4;
	t[k++] = (uint8_t)e->card.uid_len;
	memcpy(t + k, e->card.uid, e->card.uid_len);
	k += e->card.uid_len;
	if (e->params & PARAM_AUTO_RATS) {
		t[k++] = (uint8_t)(1 + sizeof(ats_interface) +
		    e->card.hist_len);
		memcpy(t + k, ats_interface, sizeof(ats_interface));
		k += sizeof(ats_interface);
		memcpy(t + k, e->card.hist, e->card.hist_len);
		k += e->card.hist_len;
	}
	return k;
}

/* Activate the card: a fresh power-up, as a new RATS is a reset. */
static int
activate(struct uc_pn532emu *e)
{
	if (!e->field || !e->present)
		return 0;
	lose_target(e);
	card_power(e, 1);
	e->selected = 1;
	e->st.selects++;
	return 1;
}

/* Send the next chunk of a card answer; MI set while more remains. */
static int
put_chunk(struct uc_pn532emu *e, struct uc_buf *out)
{
	uint8_t p[1 + UC_PN532EMU_CHUNK_MAX];
	size_t n = e->resp_len - e->resp_off;

	p[0] = ST_OK;
	if (n > UC_PN532EMU_CHUNK_MAX) {
		n = UC_PN532EMU_CHUNK_MAX;
		p[0] |= ST_MI;
	}
	memcpy(p + 1, e->resp + e->resp_off, n);
	e->resp_off += n;
	if (e->resp_off >= e->resp_len)
		drop_pending(e);
	return put_response(e, CMD_IN_DATA_EXCHANGE, p, 1 + n, out);
}

static int
in_data_exchange(struct uc_pn532emu *e, const uint8_t *d, size_t n,
    struct uc_buf *out)
{
	uint8_t st;
	size_t rlen = 0;
	int r;

	if (n < 1 || (d[0] & 0x3F) != 0x01 || (d[0] & ST_MI) != 0) {
		/* One target, and host-side chaining is not emulated. */
		st = ST_WRONG_CONTEXT;
		goto status;
	}
	if (e->resp_len > 0 && n == 1)
		return put_chunk(e, out); /* the host asks for more */
	drop_pending(e);
	if (!e->selected) {
		st = ST_WRONG_CONTEXT;
		goto status;
	}
	e->st.apdus++;
	if (e->remove_after != 0 && e->st.apdus >= e->remove_after) {
		e->remove_after = 0;
		e->present = 0;
	}
	if (!e->present || !e->field) {
		lose_target(e);
		st = ST_TIMEOUT;
		goto status;
	}
	r = e->card.process(e->card.ctx, d + 1, n - 1, e->resp,
	    UC_PN532EMU_RESP_MAX, &rlen);
	if (r != 0 || rlen < 2 || rlen > UC_PN532EMU_RESP_MAX) {
		/* A torn or broken card answers nothing: the chip times out. */
		lose_target(e);
		st = ST_TIMEOUT;
		goto status;
	}
	e->resp_len = rlen;
	e->resp_off = 0;
	return put_chunk(e, out);
status:
	return put_response(e, CMD_IN_DATA_EXCHANGE, &st, 1, out);
}

/*
 * InCommunicateThru carries raw frames.  libnfc uses it to ping an
 * ISO 14443-4 card (an R(ACK) block, B2/B3) and to probe for card types
 * the chip cannot list; the card answers the ping with R(ACK), and
 * anything else times out as no such card is there.
 */
static int
in_communicate_thru(struct uc_pn532emu *e, const uint8_t *d, size_t n,
    struct uc_buf *out)
{
	uint8_t p[2];

	if (n == 1 && (d[0] & 0xF6) == 0xB2 && e->selected && e->present &&
	    e->field) {
		p[0] = ST_OK;
		p[1] = (uint8_t)(0xA2 | (d[0] & 0x01));
		return put_response(e, CMD_IN_COMMUNICATE_THRU, p, 2, out);
	}
	p[0] = ST_TIMEOUT;
	return put_response(e, CMD_IN_COMMUNICATE_THRU, p, 1, out);
}

static uint8_t *
reg_ptr(struct uc_pn532emu *e, uint8_t hi, uint8_t lo)
{
	if (hi == REG_BANK_CIU)
		return &e->ciu[lo];
	if (hi == REG_BANK_SFR)
		return &e->sfr[lo];
	return NULL;
}

static int
in_list(struct uc_pn532emu *e, const uint8_t *d, size_t n,
    struct uc_buf *out)
{
	uint8_t p[1 + 64];
	size_t k = 1;

	if (n < 2 || d[0] < 1 || d[0] > 2)
		return put_error_frame(e, out);
	p[0] = 0;
	/* BrTy 0: 106 kbit/s type A; FeliCa, B and Jewel find nothing. */
	if (d[1] == 0x00 && activate(e)) {
		p[0] = 1;
		k += target_data(e, p + 1);
	}
	return put_response(e, CMD_IN_LIST_PASSIVE_TARGET, p, k, out);
}

static int
in_auto_poll(struct uc_pn532emu *e, const uint8_t *d, size_t n,
    struct uc_buf *out)
{
	uint8_t p[3 + 64];
	size_t i, k = 1, tlen;
	int want = 0;

	if (n < 3 || n > 2 + 15)
		return put_error_frame(e, out);
	for (i = 2; i < n; i++)
		if (d[i] == PTT_GENERIC_106 || d[i] == PTT_MIFARE ||
		    d[i] == PTT_ISO14443_4A_106)
			want = 1;
	p[0] = 0;
	if (want && activate(e)) {
		p[0] = 1;
		p[1] = PTT_ISO14443_4A_106;
		tlen = target_data(e, p + 3);
		p[2] = (uint8_t)tlen;
		k = 3 + tlen;
	}
	return put_response(e, CMD_IN_AUTO_POLL, p, k, out);
}

/* GetGeneralStatus: the field, the target if one is selected, the SAM. */
static int
general_status(struct uc_pn532emu *e, struct uc_buf *out)
{
	uint8_t p[8];
	size_t k = 0;

	p[k++] = ST_OK;
	p[k++] = (uint8_t)(e->field ? 1 : 0);
	p[k++] = (uint8_t)(e->selected ? 1 : 0);
	if (e->selected) {
		p[k++] = 0x01; /* Tg */
		p[k++] = 0x00; /* BrRx 106 */
		p[k++] = 0x00; /* BrTx 106 */
		p[k++] = 0x00; /* type A */
	}
	p[k++] = 0x00; /* SAM status */
	return put_response(e, CMD_GET_GENERAL_STATUS, p, k, out);
}

/* ReadRegister (address pairs) and WriteRegister (address pair, value). */
static int
registers(struct uc_pn532emu *e, uint8_t cmd, const uint8_t *d, size_t n,
    struct uc_buf *out)
{
	uint8_t p[UC_PN532EMU_LEN_MAX];
	uint8_t *reg;
	size_t i, k = 0;

	if (cmd == CMD_READ_REGISTER) {
		if (n == 0 || n % 2 != 0)
			return put_error_frame(e, out);
		for (i = 0; i < n; i += 2) {
			reg = reg_ptr(e, d[i], d[i + 1]);
			p[k++] = reg != NULL ? *reg : 0x00;
		}
		return put_response(e, cmd, p, k, out);
	}
	if (n == 0 || n % 3 != 0)
		return put_error_frame(e, out);
	for (i = 0; i < n; i += 3)
		if ((reg = reg_ptr(e, d[i], d[i + 1])) != NULL)
			*reg = d[i + 2];
	return put_response(e, cmd, NULL, 0, out);
}

/* One complete, checked host command: frame[0] is D4, frame[1] the code. */
static int
dispatch(struct uc_pn532emu *e, struct uc_buf *out)
{
	const uint8_t cmd = e->frame[1];
	const uint8_t *d = e->frame + 2;
	const size_t n = e->len - 2;
	uint8_t p[UC_PN532EMU_LEN_MAX];
	int r;

	if ((r = put_ack(out)) != 0)
		return r;
	if (cmd != CMD_IN_DATA_EXCHANGE)
		drop_pending(e);
	switch (cmd) {
	case CMD_DIAGNOSE:
		if (n < 1)
			return put_error_frame(e, out);
		if (d[0] == 0x00) /* communication test: echo */
			return put_response(e, cmd, d, n, out);
		p[0] = ST_OK;
		if (d[0] == 0x06 && !(e->selected && e->present && e->field))
			p[0] = ST_TIMEOUT; /* card presence */
		return put_response(e, cmd, p, 1, out);
	case CMD_GET_FIRMWARE_VERSION:
		return put_response(e, cmd, firmware, sizeof(firmware), out);
	case CMD_GET_GENERAL_STATUS:
		return general_status(e, out);
	case CMD_READ_REGISTER:
	case CMD_WRITE_REGISTER:
		return registers(e, cmd, d, n, out);
	case CMD_SET_PARAMETERS:
		if (n != 1)
			return put_error_frame(e, out);
		e->params = d[0];
		return put_response(e, cmd, NULL, 0, out);
	case CMD_SAM_CONFIGURATION:
		if (n < 1 || n > 3)
			return put_error_frame(e, out);
		return put_response(e, cmd, NULL, 0, out);
	case CMD_POWER_DOWN:
		if (n < 1 || n > 2)
			return put_error_frame(e, out);
		lose_target(e);
		e->field = 0;
		p[0] = ST_OK;
		return put_response(e, cmd, p, 1, out);
	case CMD_RF_CONFIGURATION:
		if (n < 1)
			return put_error_frame(e, out);
		if (d[0] == 0x01) { /* RF field */
			if (n != 2)
				return put_error_frame(e, out);
			e->field = d[1] & 0x01;
			if (!e->field)
				lose_target(e);
		}
		return put_response(e, cmd, NULL, 0, out);
	case CMD_IN_DATA_EXCHANGE:
		return in_data_exchange(e, d, n, out);
	case CMD_IN_COMMUNICATE_THRU:
		return in_communicate_thru(e, d, n, out);
	case CMD_IN_DESELECT:
	case CMD_IN_RELEASE:
		if (n != 1)
			return put_error_frame(e, out);
		lose_target(e);
		p[0] = ST_OK;
		return put_response(e, cmd, p, 1, out);
	case CMD_IN_SELECT:
		if (n != 1)
			return put_error_frame(e, out);
		p[0] = (d[0] == 0x01 && activate(e)) ? ST_OK : ST_WRONG_CONTEXT;
		return put_response(e, cmd, p, 1, out);
	case CMD_IN_LIST_PASSIVE_TARGET:
		return in_list(e, d, n, out);
	case CMD_IN_AUTO_POLL:
		return in_auto_poll(e, d, n, out);
	default:
		e->st.unknown++;
		return put_error_frame(e, out);
	}
}

/* ---------------------------------------------------------------------
 * Frame parser
 * ------------------------------------------------------------------- */

static void
bad_frame(struct uc_pn532emu *e)
{
	e->st.bad_frames++;
	e->ps = P_HUNT;
}

/* LEN is known: check it and start collecting TFI + data. */
static void
begin_data(struct uc_pn532emu *e, size_t len)
{
	if (len < 2 || len > UC_PN532EMU_LEN_MAX) {
		bad_frame(e);
		return;
	}
	e->len = len;
	e->got = 0;
	e->sum = 0;
	e->ps = P_DATA;
}

static int
parse_byte(struct uc_pn532emu *e, uint8_t b, struct uc_buf *out)
{
	switch (e->ps) {
	case P_HUNT:
		if (b == 0x00)
			e->ps = P_START;
		else if (b != 0x55) /* 0x55: the HSU wake-up preamble */
			e->st.garbage++;
		return 0;
	case P_START:
		if (b == 0xFF)
			e->ps = P_LEN;
		else if (b != 0x00) {
			e->st.garbage++;
			e->ps = P_HUNT;
		}
		return 0;
	case P_LEN:
		e->len_byte = b;
		e->ps = P_LCS;
		return 0;
	case P_LCS:
		if (e->len_byte == 0x00 && b == 0xFF) {
			/* ACK from the host: it aborts the running command. */
			e->st.acks++;
			drop_pending(e);
			e->ps = P_HUNT;
			return 0;
		}
		if (e->len_byte == 0xFF && b == 0x00) {
			/* NACK: send the last response again. */
			e->ps = P_HUNT;
			if (e->last_len == 0)
				return 0;
			return uc_buf_append(out, e->last, e->last_len);
		}
		if (e->len_byte == 0xFF && b == 0xFF) {
			e->ps = P_XLEN_HI;
			return 0;
		}
		if ((uint8_t)(e->len_byte + b) != 0) {
			bad_frame(e);
			return 0;
		}
		begin_data(e, e->len_byte);
		return 0;
	case P_XLEN_HI:
		e->len = (size_t)b << 8;
		e->len_byte = b;
		e->ps = P_XLEN_LO;
		return 0;
	case P_XLEN_LO:
		e->len |= b;
		e->len_byte = (uint8_t)(e->len_byte + b);
		e->ps = P_XLCS;
		return 0;
	case P_XLCS:
		if ((uint8_t)(e->len_byte + b) != 0) {
			bad_frame(e);
			return 0;
		}
		begin_data(e, e->len);
		return 0;
	case P_DATA:
		e->frame[e->got++] = b;
		e->sum = (uint8_t)(e->sum + b);
		if (e->got == e->len)
			e->ps = P_DCS;
		return 0;
	case P_DCS:
		e->ps = P_HUNT;
		if ((uint8_t)(e->sum + b) != 0 || e->frame[0] != TFI_HOST) {
			e->st.bad_frames++;
			return 0;
		}
		e->st.frames++;
		return dispatch(e, out);
	}
	e->ps = P_HUNT;
	return 0;
}

/* ---------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------- */

int
uc_pn532emu_new(const struct uc_pn532emu_card *card, struct uc_pn532emu **out)
{
	struct uc_pn532emu *e;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (card == NULL || card->process == NULL ||
	    (card->uid_len != 4 && card->uid_len != 7 &&
	    card->uid_len != 10) || card->hist_len > UC_PN532EMU_HIST_MAX)
		return UC_ERR_ARG;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return UC_ERR_NOMEM;
	if ((e->resp = malloc(UC_PN532EMU_RESP_MAX)) == NULL) {
		free(e);
		return UC_ERR_NOMEM;
	}
	e->card = *card;
	e->present = 1;
	/* Power-on defaults: RATS done by the chip, field off until asked. */
	e->params = PARAM_AUTO_RATS;
	e->ps = P_HUNT;
	*out = e;
	return 0;
}

void
uc_pn532emu_free(struct uc_pn532emu **ep)
{
	struct uc_pn532emu *e;

	if (ep == NULL || (e = *ep) == NULL)
		return;
	/* Card answers may hold personal data: wipe them. */
	OPENSSL_cleanse(e->resp, UC_PN532EMU_RESP_MAX);
	free(e->resp);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
	*ep = NULL;
}

int
uc_pn532emu_input(struct uc_pn532emu *e, const uint8_t *in, size_t n,
    struct uc_buf *out)
{
	size_t i;
	int r;

	if (e == NULL || out == NULL || (in == NULL && n > 0))
		return UC_ERR_ARG;
	for (i = 0; i < n; i++)
		if ((r = parse_byte(e, in[i], out)) != 0)
			return r;
	return 0;
}

void
uc_pn532emu_set_present(struct uc_pn532emu *e, int present)
{
	if (e == NULL)
		return;
	e->present = present != 0;
	if (!e->present)
		lose_target(e);
}

int
uc_pn532emu_present(const struct uc_pn532emu *e)
{
	return e != NULL && e->present;
}

void
uc_pn532emu_set_remove_after(struct uc_pn532emu *e, unsigned long n)
{
	if (e == NULL)
		return;
	e->remove_after = n == 0 ? 0 : e->st.apdus + n;
}

void
uc_pn532emu_stats(const struct uc_pn532emu *e, struct uc_pn532emu_stats *st)
{
	if (st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	if (e != NULL)
		*st = e->st;
}

int
uc_pn532emu_atr_historical(const uint8_t *atr, size_t atr_len,
    uint8_t hist[UC_PN532EMU_HIST_MAX], size_t *hist_len)
{
	size_t pos, k;
	uint8_t y;
	int i;

	if (hist_len != NULL)
		*hist_len = 0;
	if (atr == NULL || hist == NULL || hist_len == NULL)
		return UC_ERR_ARG;
	if (atr_len < 2)
		return UC_ERR_PROTOCOL;
	k = atr[1] & 0x0F;
	y = atr[1] >> 4;
	pos = 2;
	/* Walk TAi..TDi: each Y nibble says which of them follow. */
	while (y != 0) {
		for (i = 0; i < 3; i++)
			if (y & (1u << i))
				pos++;
		if ((y & 0x08) == 0)
			break;
		if (pos >= atr_len)
			return UC_ERR_PROTOCOL;
		y = atr[pos++] >> 4;
	}
	if (pos > atr_len || atr_len - pos < k)
		return UC_ERR_PROTOCOL;
	memcpy(hist, atr + pos, k);
	*hist_len = k;
	return 0;
}

int
uc_pn532emu_pty_open(int *master_fd, char *slave_path, size_t slave_path_cap)
{
	struct termios t;
	int m = -1, s = -1, r = UC_ERR_IO;

	if (master_fd == NULL || slave_path == NULL || slave_path_cap == 0)
		return UC_ERR_ARG;
	*master_fd = -1;
	slave_path[0] = '\0';
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) < 0)
		goto out;
	if (grantpt(m) != 0 || unlockpt(m) != 0)
		goto out;
	if (ptsname_r(m, slave_path, slave_path_cap) != 0)
		goto out;
	if ((s = open(slave_path, O_RDWR | O_NOCTTY)) < 0)
		goto out;
	/* A serial line carries binary frames: no echo, no line editing. */
	if (tcgetattr(s, &t) != 0)
		goto out;
	cfmakeraw(&t);
	if (tcsetattr(s, TCSANOW, &t) != 0)
		goto out;
	*master_fd = m;
	m = -1;
	r = 0;
out:
	if (m >= 0)
		close(m);
	if (s >= 0)
		close(s);
	if (r != 0)
		slave_path[0] = '\0';
	return r;
}

/*
 * libnfc 1.8.0 marks a serial line as in use by setting this otherwise
 * unused c_iflag bit while it has the line open, and refuses lines that
 * carry it.  A host killed before nfc_close() leaves the mark behind.
 */
#define LIBNFC_CLAIMED_IFLAG 0x80000000u

/* The last host closed the slave: forget its half frame, lift its mark. */
static void
host_gone(struct uc_pn532emu *e, int master)
{
	char path[128];
	struct termios t;
	int s;

	e->ps = P_HUNT;
	drop_pending(e);
	if (ptsname_r(master, path, sizeof(path)) != 0)
		return;
	if ((s = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)) < 0)
		return;
	if (tcgetattr(s, &t) == 0 && (t.c_iflag & LIBNFC_CLAIMED_IFLAG)) {
		cfmakeraw(&t);
		t.c_iflag &= ~(tcflag_t)LIBNFC_CLAIMED_IFLAG;
		tcsetattr(s, TCSANOW, &t);
	}
	close(s);
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return UC_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
uc_pn532emu_serve(struct uc_pn532emu *e, int fd, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *toggle)
{
	static const struct timespec idle = { 0, 20 * 1000 * 1000 };
	struct uc_buf out = UC_BUF_INIT;
	struct pollfd pfd;
	uint8_t in[4096];
	ssize_t got;
	int r = 0, host = 0;

	if (e == NULL || fd < 0 || stop == NULL)
		return UC_ERR_ARG;
	while (!*stop) {
		if (toggle != NULL && *toggle) {
			*toggle = 0;
			uc_pn532emu_set_present(e, !e->present);
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) < 0) {
			if (errno == EINTR)
				continue;
			r = UC_ERR_IO;
			goto out;
		}
		if (pfd.revents & POLLIN) {
			got = read(fd, in, sizeof(in));
		} else if (pfd.revents & POLLHUP) {
			got = -1;
			errno = EIO;
		} else {
			continue;
		}
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0 && errno == EIO) {
			/* No host has the slave open (a pty's hang-up). */
			if (host)
				host_gone(e, fd);
			host = 0;
			nanosleep(&idle, NULL);
			continue;
		}
		if (got <= 0) {
			r = UC_ERR_IO;
			goto out;
		}
		host = 1;
		uc_buf_reset(&out);
		if ((r = uc_pn532emu_input(e, in, (size_t)got, &out)) != 0)
			goto out;
		if (out.len > 0 && (r = write_all(fd, out.data, out.len)) != 0)
			goto out;
	}
out:
	OPENSSL_cleanse(in, sizeof(in));
	uc_buf_free(&out);
	return r;
}
