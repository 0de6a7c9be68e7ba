/*
 * emv.c - the bank payment application of a linked card
 * (applets-spec/linked-card.md), beside the union applet.
 *
 * A minimal EMV-style debit application, enough for a terminal (or
 * opensc-tool) to find the application and read the card number the way
 * it would on a real VietinBank/NAPAS chip card:
 *
 *   SELECT 2PAY.SYS.DDF01   PPSE: FCI with one directory entry (BF0C/61)
 *   SELECT 1PAY.SYS.DDF01   PSE: FCI naming the directory file (SFI 1)
 *   READ RECORD 1, SFI 1    (PSE selected) the directory record
 *   SELECT <payment AID>    the application's FCI (no PDOL)
 *   GET PROCESSING OPTIONS  format 2: AIP and AFL (SFI 1, records 1-2)
 *   READ RECORD n, SFI 1    (after GPO) the records of the AFL; record 1
 *                           holds track 2 (57), the PAN (5A), expiry (5F24)
 *
 * It keeps no state of its own beyond the volatile selection (which
 * application logical channel 0 has selected, and whether GPO has run),
 * kept in struct uc_vcard and cleared by power on/off.  Its data (PAN,
 * expiry, AID) comes from the linked part of the state file and is never
 * changed: no cryptogram, no PIN, no transaction counter.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/apdu.h"
#include "unioncard/tlv.h"
#include "vcard/vcard_priv.h"


#define INS_SELECT 0xa4
#define INS_READ_RECORD 0xb2
#define INS_GPO 0xa8
#define INS_GET_RESPONSE 0xc0

/* The directory and the application's records are both in SFI 1. */
#define EMV_SFI 1u
#define EMV_RECORDS 2u

static const uint8_t ppse_name[] = "2PAY.SYS.DDF01";
static const uint8_t pse_name[] = "1PAY.SYS.DDF01";
#define DDF_NAME_LEN 14u

/* Application label (50) and language preference (5F2D: Vietnamese,
 * then English). */
static const uint8_t app_label[] = "VIETINBANK ATM";
static const uint8_t languages[] = "vien";

/* AIP: cardholder verification and terminal risk management supported,
 * no offline data authentication (the card holds no keys). */
static const uint8_t aip[2] = { 0x18, 0x00 };
/* AFL: SFI 1, records 1 to 2, none of them for offline authentication. */
static const uint8_t afl[4] = { EMV_SFI << 3, 0x01, EMV_RECORDS, 0x00 };
/* Service code 620: national interchange with a chip, online
 * authorization by the issuer, PIN required (a domestic ATM card). */
static const char service_code[] = "620";
/* Track 2 discretionary data (PIN verification data etc.): zeros. */
static const char track2_disc[] = "00000000";
/* Issuer country code 5F28: Viet Nam, ISO 3166 numeric 704. */
static const uint8_t country[2] = { 0x07, 0x04 };

void
vc_emv_reset(struct uc_vcard *c)
{
	c->emv_app = VC_APP_UNION;
	c->emv_gpo = 0;
}

static int
is_name(const struct uc_apdu *a, const uint8_t *name, size_t len)
{
	return a->lc == len && memcmp(a->data, name, len) == 0;
}

/* Which of ours a SELECT by name names, or VC_APP_UNION for none. */
static int
selected_by(const struct vc_nv *nv, const struct uc_apdu *a)
{
	if (is_name(a, ppse_name, DDF_NAME_LEN))
		return VC_APP_PPSE;
	if (is_name(a, pse_name, DDF_NAME_LEN))
		return VC_APP_PSE;
	if (nv->bank_aid_len != 0 && is_name(a, nv->bank_aid,
	    nv->bank_aid_len))
		return VC_APP_PAYMENT;
	return VC_APP_UNION;
}

int
vc_emv_claims(const struct uc_vcard *c, const struct vc_nv *nv,
    const struct uc_apdu *a)
{
	if (!nv->linked)
		return 0;
	if (a->ins == INS_SELECT) {
		/* SELECT by name of one of ours; every other SELECT goes to
		 * the union applet, which answers it (6A82 for an unknown
		 * AID: the selection then stays as it was). */
		return a->p1 == 0x04 && selected_by(nv, a) != VC_APP_UNION;
	}
	return c->emv_app != VC_APP_UNION;
}

/* Append BCD digits (a string of '0'-'9' and 'D'), F-padded. */
static int
put_bcd(struct uc_buf *b, uint32_t tag, const char *digits)
{
	uint8_t v[20];
	size_t n = strlen(digits), i;
	int r;

	if ((n + 1) / 2 > sizeof(v))
		return UC_ERR_RANGE;
	memset(v, 0xff, sizeof(v));
	for (i = 0; i < n; i++) {
		uint8_t d = digits[i] == 'D' ? 0x0d :
		    (uint8_t)(digits[i] - '0');

		if (i % 2 == 0)
			v[i / 2] = (uint8_t)(d << 4 | 0x0f);
		else
			v[i / 2] = (uint8_t)((v[i / 2] & 0xf0) | d);
	}
	r = uc_tlv_put(b, tag, v, (n + 1) / 2);
	OPENSSL_cleanse(v, sizeof(v));
	return r;
}

/* Last day of month YYMM (20YY), for 5F24. */
static unsigned
last_day(const char *yymm)
{
	static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };
	unsigned y = 2000u + (unsigned)(yymm[0] - '0') * 10u +
	    (unsigned)(yymm[1] - '0');
	unsigned m = (unsigned)(yymm[2] - '0') * 10u +
	    (unsigned)(yymm[3] - '0');

	if (m < 1 || m > 12)
		return 30;
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* The directory entry (61) listing the payment application. */
static int
put_entry(struct uc_buf *b, const struct vc_nv *nv)
{
	size_t m;
	uint8_t prio = 0x01;
	int r;

	if ((r = uc_tlv_open(b, 0x61, &m)) != 0 ||
	    (r = uc_tlv_put(b, 0x4f, nv->bank_aid, nv->bank_aid_len)) != 0 ||
	    (r = uc_tlv_put(b, 0x50, app_label, sizeof(app_label) - 1)) !=
	    0 || (r = uc_tlv_put(b, 0x87, &prio, 1)) != 0)
		return r;
	return uc_tlv_close(b, m);
}

static int
build_select(struct uc_buf *b, const struct vc_nv *nv, int app)
{
	size_t top, prop, dir;
	uint8_t v;
	int r;

	if ((r = uc_tlv_open(b, 0x6f, &top)) != 0)
		return r;
	switch (app) {
	case VC_APP_PPSE:
		if ((r = uc_tlv_put(b, 0x84, ppse_name, DDF_NAME_LEN)) != 0 ||
		    (r = uc_tlv_open(b, 0xa5, &prop)) != 0 ||
		    (r = uc_tlv_open(b, 0xbf0c, &dir)) != 0 ||
		    (r = put_entry(b, nv)) != 0 ||
		    (r = uc_tlv_close(b, dir)) != 0)
			return r;
		break;
	case VC_APP_PSE:
		v = EMV_SFI;
		if ((r = uc_tlv_put(b, 0x84, pse_name, DDF_NAME_LEN)) != 0 ||
		    (r = uc_tlv_open(b, 0xa5, &prop)) != 0 ||
		    (r = uc_tlv_put(b, 0x88, &v, 1)) != 0 ||
		    (r = uc_tlv_put(b, 0x5f2d, languages,
		    sizeof(languages) - 1)) != 0)
			return r;
		break;
	default:
		v = 0x01;
		if ((r = uc_tlv_put(b, 0x84, nv->bank_aid,
		    nv->bank_aid_len)) != 0 ||
		    (r = uc_tlv_open(b, 0xa5, &prop)) != 0 ||
		    (r = uc_tlv_put(b, 0x50, app_label,
		    sizeof(app_label) - 1)) != 0 ||
		    (r = uc_tlv_put(b, 0x87, &v, 1)) != 0 ||
		    (r = uc_tlv_put(b, 0x5f2d, languages,
		    sizeof(languages) - 1)) != 0)
			return r;
		break;
	}
	if ((r = uc_tlv_close(b, prop)) != 0)
		return r;
	return uc_tlv_close(b, top);
}

/* Record n of the application (1: card number, 2: issuer data). */
static int
build_record(struct uc_buf *b, const struct vc_nv *nv, unsigned n)
{
	char t2[VC_PAN_MAX + 1 + 4 + 3 + sizeof(track2_disc)];
	char exp[7];
	uint8_t seq = 0x01;
	size_t m;
	int r;

	if ((r = uc_tlv_open(b, 0x70, &m)) != 0)
		return r;
	if (n == 1) {
		snprintf(t2, sizeof(t2), "%sD%.4s%s%s", nv->pan, nv->expiry,
		    service_code, track2_disc);
		snprintf(exp, sizeof(exp), "%.4s%02u", nv->expiry,
		    last_day(nv->expiry));
		r = put_bcd(b, 0x57, t2);
		if (r == 0)
			r = put_bcd(b, 0x5a, nv->pan);
		if (r == 0)
			r = put_bcd(b, 0x5f24, exp);
		if (r == 0)
			r = uc_tlv_put(b, 0x5f34, &seq, 1);
		OPENSSL_cleanse(t2, sizeof(t2));
		if (r != 0)
			return r;
	} else {
		char sc[5];

		snprintf(sc, sizeof(sc), "0%s", service_code);
		if ((r = uc_tlv_put(b, 0x5f28, country, sizeof(country))) !=
		    0 || (r = put_bcd(b, 0x5f30, sc)) != 0)
			return r;
	}
	return uc_tlv_close(b, m);
}

static uint16_t
emv_select(struct uc_vcard *c, const struct vc_nv *nv,
    const struct uc_apdu *a, struct uc_buf *out)
{
	int app = selected_by(nv, a);

	/* Selecting another application ends the union applet's secure
	 * channel session, as any SELECT does (secure-channel.md §13). */
	uc_scp03_card_reset(c->sm);
	/* P2: 00 first occurrence with FCI, 0C without; 02 (next
	 * occurrence) finds nothing more: there is one of each. */
	if (a->p2 == 0x02)
		return UC_SW_FILE_NOT_FOUND;
	if (a->p2 != 0x00 && a->p2 != 0x0c)
		return UC_SW_P1P2;
	c->emv_app = app;
	c->emv_gpo = 0;
	if (a->p2 == 0x00 && build_select(out, nv, app) != 0)
		return UC_SW_UNKNOWN;
	return UC_SW_OK;
}

static uint16_t
emv_gpo(struct uc_vcard *c, const struct uc_apdu *a, struct uc_buf *out)
{
	static const uint8_t no_pdol[2] = { 0x83, 0x00 };
	size_t m;

	if (a->p1 != 0x00 || a->p2 != 0x00)
		return UC_SW_P1P2;
	/* No PDOL in the FCI: the terminal sends an empty 83. */
	if (a->lc != sizeof(no_pdol) || memcmp(a->data, no_pdol,
	    sizeof(no_pdol)) != 0)
		return UC_SW_WRONG_LENGTH;
	if (c->emv_app != VC_APP_PAYMENT || c->emv_gpo)
		return UC_SW_CONDITIONS;
	if (uc_tlv_open(out, 0x77, &m) != 0 ||
	    uc_tlv_put(out, 0x82, aip, sizeof(aip)) != 0 ||
	    uc_tlv_put(out, 0x94, afl, sizeof(afl)) != 0 ||
	    uc_tlv_close(out, m) != 0)
		return UC_SW_UNKNOWN;
	c->emv_gpo = 1;
	return UC_SW_OK;
}

static uint16_t
emv_read_record(struct uc_vcard *c, const struct vc_nv *nv,
    const struct uc_apdu *a, struct uc_buf *out)
{
	unsigned sfi = a->p2 >> 3, rec = a->p1;
	size_t m;

	/* P2 = SFI << 3 | 100: "record P1 of the file SFI". */
	if ((a->p2 & 0x07) != 0x04 || rec == 0)
		return UC_SW_P1P2;
	if (a->lc != 0)
		return UC_SW_WRONG_LENGTH;
	switch (c->emv_app) {
	case VC_APP_PSE:
		if (sfi != EMV_SFI)
			return UC_SW_FILE_NOT_FOUND;
		if (rec != 1)
			return UC_SW_RECORD_NOT_FOUND;
		if (uc_tlv_open(out, 0x70, &m) != 0 ||
		    put_entry(out, nv) != 0 || uc_tlv_close(out, m) != 0)
			return UC_SW_UNKNOWN;
		return UC_SW_OK;
	case VC_APP_PAYMENT:
		if (!c->emv_gpo)
			return UC_SW_CONDITIONS;
		if (sfi != EMV_SFI)
			return UC_SW_FILE_NOT_FOUND;
		if (rec > EMV_RECORDS)
			return UC_SW_RECORD_NOT_FOUND;
		if (build_record(out, nv, rec) != 0)
			return UC_SW_UNKNOWN;
		return UC_SW_OK;
	default:
		/* The PPSE has no records. */
		return UC_SW_FILE_NOT_FOUND;
	}
}

uint16_t
vc_emv_dispatch(struct uc_vcard *c, const struct vc_nv *nv,
    const struct uc_apdu *a, struct uc_buf *out)
{
	uint8_t cla = a->cla & (uint8_t)~0x10u;

	switch (a->ins) {
	case INS_SELECT:
		if (cla != 0x00)
			return UC_SW_CLA;
		return emv_select(c, nv, a, out);
	case INS_READ_RECORD:
		if (cla != 0x00)
			return UC_SW_CLA;
		return emv_read_record(c, nv, a, out);
	case INS_GPO:
		if (cla != 0x80)
			return UC_SW_CLA;
		return emv_gpo(c, a, out);
	case INS_GET_RESPONSE:
		/* CLA 00 is served before dispatch (union-applet.md §3). */
		return UC_SW_CLA;
	default:
		return UC_SW_INS;
	}
}
