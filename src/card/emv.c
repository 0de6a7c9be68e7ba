/*
 * emv.c - the PAN of a linked card's payment application (emv.h).
 *
 * What a terminal does to find and read a payment application, reduced to
 * what the card number needs: application selection (PPSE, PSE, list of
 * AIDs), GET PROCESSING OPTIONS, and READ RECORD over the AFL.  No
 * cryptogram is asked for; nothing on the card changes.
 *
 * Every response is hostile input: one response at most UC_EMV_RESP_MAX
 * bytes, a template that must fill it exactly, BER-TLV checked by the
 * strict reader, children of the right length, BCD digits checked nibble
 * by nibble, AFL entries checked for sense, and the counts of candidates,
 * directory records and AFL records bounded.  Unknown tags inside a
 * template are skipped (real cards carry many); a known tag with a wrong
 * length or contents is an error.
 *
 * The PAN passes through response buffers (struct uc_buf wipes on free)
 * and the local digit buffers below, each wiped on every path.  Messages
 * name the command and tag, never a value.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/apdu.h"
#include "unioncard/bankfile.h"
#include "unioncard/emv.h"
#include "unioncard/tlv.h"
#include "unioncard/transport.h"

#define INS_SELECT 0xA4
#define INS_READ_RECORD 0xB2
#define INS_GPO 0xA8

#define TAG_FCI 0x6Fu
#define TAG_DF_NAME 0x84u
#define TAG_FCI_PROP 0xA5u
#define TAG_FCI_ISSUER 0xBF0Cu
#define TAG_DIR_ENTRY 0x61u
#define TAG_AID 0x4Fu
#define TAG_PRIORITY 0x87u
#define TAG_SFI 0x88u
#define TAG_PDOL 0x9F38u
#define TAG_RECORD 0x70u
#define TAG_GPO_FMT1 0x80u
#define TAG_GPO_FMT2 0x77u
#define TAG_AIP 0x82u
#define TAG_AFL 0x94u
#define TAG_TRACK2 0x57u
#define TAG_PAN 0x5Au
#define TAG_EXPIRY 0x5F24u

#define TRACK2_MAX 19u /* bytes of tag 57 */
#define PAN_BCD_MAX 10u
#define SFI_MAX 30u
#define SFI_EMV_MAX 10u /* SFIs 1-10 hold 70 templates by rule */

static const uint8_t ppse[] = "2PAY.SYS.DDF01";
static const uint8_t pse[] = "1PAY.SYS.DDF01";
#define DDF_LEN 14u

/* Tried in order when neither directory answers. */
static const struct {
	const uint8_t *aid;
	size_t len;
} direct_aids[] = {
	{ (const uint8_t *)UC_EMV_AID_NAPAS, UC_EMV_AID_NAPAS_LEN },
	{ (const uint8_t *)"\xA0\x00\x00\x00\x03\x10\x10", 7 },     /* Visa */
	{ (const uint8_t *)"\xA0\x00\x00\x00\x04\x10\x10", 7 },     /* MC */
	{ (const uint8_t *)"\xA0\x00\x00\x00\x65\x10\x10", 7 },     /* JCB */
	{ (const uint8_t *)"\xA0\x00\x00\x03\x33\x01\x01\x01", 8 }, /* UPI */
};

struct cand {
	uint8_t aid[UC_EMV_AID_MAX];
	size_t len;
	unsigned prio; /* 1 first .. 15, 16 for none */
};

struct cands {
	struct cand c[UC_EMV_MAX_CANDIDATES];
	size_t n;
};

static int
perr(struct uc_diag *d, const char *where, const char *msg)
{
	return uc_diag_set(d, UC_ERR_PROTOCOL, NULL, 0, where, "%s", msg);
}

/* One command; the response data into resp (reset first). */
static int
xchg(struct uc_transport *t, uint8_t cla, uint8_t ins, uint8_t p1,
    uint8_t p2, const uint8_t *data, size_t lc, struct uc_buf *resp,
    uint16_t *sw, const char *where, struct uc_diag *d)
{
	struct uc_apdu a;
	int r;

	uc_buf_reset(resp);
	memset(&a, 0, sizeof(a));
	a.cla = cla;
	a.ins = ins;
	a.p1 = p1;
	a.p2 = p2;
	a.data = data;
	a.lc = lc;
	a.le = UC_APDU_LE_MAX_SHORT;
	if ((r = uc_apdu_exchange(t, &a, 0, resp, sw)) != 0)
		return uc_diag_set(d, r, NULL, 0, where, "%s",
		    uc_strerror(r));
	if (resp->len > UC_EMV_RESP_MAX)
		return uc_diag_set(d, UC_ERR_PROTOCOL, NULL, 0, where,
		    "response of %zu bytes, at most %u", resp->len,
		    UC_EMV_RESP_MAX);
	return 0;
}

/* Exactly one element of the given tag filling data. */
static int
whole(const uint8_t *p, size_t n, uint32_t tag, struct uc_tlv *out,
    const char *where, const char *name, struct uc_diag *d)
{
	if (uc_tlv_parse_one(p, n, out) != 0)
		return uc_diag_set(d, UC_ERR_PROTOCOL, NULL, 0, where,
		    "%s: malformed BER-TLV", name);
	if (out->tag != tag)
		return uc_diag_set(d, UC_ERR_PROTOCOL, NULL, 0, where,
		    "%s: unexpected tag", name);
	return 0;
}

/* Walk the children of a constructed value, all of which must parse. */
static int
children_ok(const uint8_t *p, size_t n)
{
	struct uc_tlv_reader r;
	struct uc_tlv c;

	uc_tlv_reader_init(&r, p, n);
	while (uc_tlv_reader_more(&r))
		if (uc_tlv_next(&r, &c) != 0)
			return 0;
	return 1;
}

/* A 61 directory entry: 4F required, 87 optional. */
static int
add_entry(struct cands *cs, const struct uc_tlv *e, const char *where,
    struct uc_diag *d)
{
	struct uc_tlv aid, prio;
	struct cand *c;
	int r;

	if (!children_ok(e->value, e->len))
		return perr(d, where, "directory entry: malformed BER-TLV");
	if ((r = uc_tlv_find(e->value, e->len, TAG_AID, &aid)) != 0)
		return perr(d, where, "directory entry: no application AID "
		    "(4F)");
	if (aid.len < UC_EMV_AID_MIN || aid.len > UC_EMV_AID_MAX)
		return perr(d, where, "directory entry: AID (4F) not 5-16 "
		    "bytes");
	if (cs->n == UC_EMV_MAX_CANDIDATES)
		return 0; /* more are ignored, not an error */
	c = &cs->c[cs->n];
	memcpy(c->aid, aid.value, aid.len);
	c->len = aid.len;
	c->prio = 16;
	r = uc_tlv_find(e->value, e->len, TAG_PRIORITY, &prio);
	if (r == 0) {
		if (prio.len != 1)
			return perr(d, where, "directory entry: priority (87) "
			    "not 1 byte");
		if ((prio.value[0] & 0x0F) != 0)
			c->prio = prio.value[0] & 0x0Fu;
	}
	cs->n++;
	return 0;
}

/* Every 61 among the children of a template (others skipped). */
static int
add_entries(struct cands *cs, const uint8_t *p, size_t n, const char *where,
    struct uc_diag *d)
{
	struct uc_tlv_reader rd;
	struct uc_tlv e;
	int r;

	uc_tlv_reader_init(&rd, p, n);
	while (uc_tlv_reader_more(&rd)) {
		if (uc_tlv_next(&rd, &e) != 0)
			return perr(d, where, "directory: malformed BER-TLV");
		if (e.tag == TAG_DIR_ENTRY && (r = add_entry(cs, &e, where,
		    d)) != 0)
			return r;
	}
	return 0;
}

/* Stable order by priority (insertion sort: at most 8). */
static void
sort_cands(struct cands *cs)
{
	size_t i, j;
	struct cand tmp;

	for (i = 1; i < cs->n; i++) {
		tmp = cs->c[i];
		for (j = i; j > 0 && cs->c[j - 1].prio > tmp.prio; j--)
			cs->c[j] = cs->c[j - 1];
		cs->c[j] = tmp;
	}
}

/*
 * An FCI: 6F { 84 name, A5 {...} } filling the response.  *prop gets A5;
 * *name 84.
 */
static int
parse_fci(const struct uc_buf *b, struct uc_tlv *name, struct uc_tlv *prop,
    const char *where, struct uc_diag *d)
{
	struct uc_tlv fci;
	int r;

	if ((r = whole(b->data, b->len, TAG_FCI, &fci, where, "FCI", d)) != 0)
		return r;
	if (!children_ok(fci.value, fci.len))
		return perr(d, where, "FCI: malformed BER-TLV");
	if (uc_tlv_find(fci.value, fci.len, TAG_DF_NAME, name) != 0)
		return perr(d, where, "FCI: no DF name (84)");
	if (name->len < UC_EMV_AID_MIN || name->len > UC_EMV_AID_MAX)
		return perr(d, where, "FCI: DF name (84) not 5-16 bytes");
	if (uc_tlv_find(fci.value, fci.len, TAG_FCI_PROP, prop) != 0)
		return perr(d, where, "FCI: no proprietary template (A5)");
	if (!children_ok(prop->value, prop->len))
		return perr(d, where, "FCI A5: malformed BER-TLV");
	return 0;
}

/*
 * SELECT directory file ddf (DDF_LEN bytes: the PSE or the PPSE) and
 * check its FCI: *prop is its proprietary template (A5).  UC_ERR_NOT_FOUND
 * when the card has no such file; not_it is the error for an FCI that
 * names another file.
 */
static int
select_ddf(struct uc_transport *t, struct uc_buf *b, const uint8_t *ddf,
    struct uc_tlv *prop, const char *where, const char *not_it,
    struct uc_diag *d)
{
	struct uc_tlv name;
	uint16_t sw = 0;
	int r;

	if ((r = xchg(t, 0x00, INS_SELECT, 0x04, 0x00, ddf, DDF_LEN, b, &sw,
	    where, d)) != 0)
		return r;
	if (sw != UC_SW_OK)
		return UC_ERR_NOT_FOUND;
	if ((r = parse_fci(b, &name, prop, where, d)) != 0)
		return r;
	if (name.len != DDF_LEN || memcmp(name.value, ddf, DDF_LEN) != 0)
		return perr(d, where, not_it);
	return 0;
}

/* PPSE: the directory is in the FCI.  0, UC_ERR_NOT_FOUND or an error. */
static int
from_ppse(struct uc_transport *t, struct uc_buf *b, struct cands *cs,
    struct uc_diag *d)
{
	static const char where[] = "SELECT PPSE";
	struct uc_tlv prop, dir;
	int r;

	if ((r = select_ddf(t, b, ppse, &prop, where,
	    "FCI: DF name (84) is not the PPSE", d)) != 0)
		return r;
	if (uc_tlv_find(prop.value, prop.len, TAG_FCI_ISSUER, &dir) != 0)
		return perr(d, where, "FCI: no directory (BF0C)");
	return add_entries(cs, dir.value, dir.len, where, d);
}

/* PSE: SELECT, then the records of the directory file. */
static int
from_pse(struct uc_transport *t, struct uc_buf *b, struct cands *cs,
    struct uc_diag *d)
{
	static const char where[] = "SELECT PSE";
	struct uc_tlv prop, sfi, rec;
	unsigned n, s;
	uint16_t sw = 0;
	int r;

	if ((r = select_ddf(t, b, pse, &prop, where,
	    "FCI: DF name (84) is not the PSE", d)) != 0)
		return r;
	if (uc_tlv_find(prop.value, prop.len, TAG_SFI, &sfi) != 0 ||
	    sfi.len != 1 || sfi.value[0] < 1 || sfi.value[0] > SFI_EMV_MAX)
		return perr(d, where, "FCI: no directory SFI (88) of 1 byte, "
		    "1-10");
	s = sfi.value[0];
	for (n = 1; n <= UC_EMV_MAX_DIR_RECORDS; n++) {
		if ((r = xchg(t, 0x00, INS_READ_RECORD, (uint8_t)n,
		    (uint8_t)(s << 3 | 4), NULL, 0, b, &sw,
		    "READ RECORD (PSE directory)", d)) != 0)
			return r;
		if (sw == UC_SW_RECORD_NOT_FOUND)
			break;
		if (sw != UC_SW_OK)
			return uc_diag_set(d, uc_sw_to_err(sw), NULL, 0,
			    "READ RECORD (PSE directory)", "card answered "
			    "%04X", sw);
		if ((r = whole(b->data, b->len, TAG_RECORD, &rec,
		    "READ RECORD (PSE directory)", "record", d)) != 0 ||
		    (r = add_entries(cs, rec.value, rec.len,
		    "READ RECORD (PSE directory)", d)) != 0)
			return r;
	}
	return 0;
}

/*
 * PDOL (a data object list: tag, one-byte length, ...) -> the value of
 * 83 for GPO: zeros of the listed lengths (we are no terminal and have
 * no terminal data to give).
 */
static int
pdol_data(const struct uc_tlv *pdol, size_t *total, const char *where,
    struct uc_diag *d)
{
	const uint8_t *p = pdol->value, *end = pdol->value + pdol->len;
	size_t n = 0, tl;

	while (p < end) {
		/* Tag: 1-3 bytes (high tag numbers continue with b8). */
		tl = 1;
		if ((p[0] & 0x1F) == 0x1F) {
			while (tl < 3 && p + tl < end && (p[tl] & 0x80))
				tl++;
			tl++;
		}
		if ((size_t)(end - p) < tl + 1)
			return perr(d, where, "PDOL (9F38): truncated");
		n += p[tl];
		if (n > UC_EMV_PDOL_MAX)
			return perr(d, where, "PDOL (9F38): asks for too much "
			    "data");
		p += tl + 1;
	}
	*total = n;
	return 0;
}

/*
 * SELECT one application: 0 with aid (its DF name) and the PDOL data
 * length, UC_ERR_NOT_FOUND if the card does not have it, or an error.
 */
static int
select_app(struct uc_transport *t, struct uc_buf *b, const struct cand *c,
    uint8_t aid[UC_EMV_AID_MAX], size_t *aid_len, size_t *pdol_len,
    struct uc_diag *d)
{
	static const char where[] = "SELECT application";
	struct uc_tlv name, prop, pdol;
	uint16_t sw = 0;
	int r;

	if ((r = xchg(t, 0x00, INS_SELECT, 0x04, 0x00, c->aid, c->len, b, &sw,
	    where, d)) != 0)
		return r;
	if (sw != UC_SW_OK)
		return UC_ERR_NOT_FOUND;
	if ((r = parse_fci(b, &name, &prop, where, d)) != 0)
		return r;
	/* Exact, or longer when the card matched a partial name. */
	if (name.len < c->len || memcmp(name.value, c->aid, c->len) != 0)
		return perr(d, where, "FCI: DF name (84) is not the AID "
		    "selected");
	*pdol_len = 0;
	if (uc_tlv_find(prop.value, prop.len, TAG_PDOL, &pdol) == 0 &&
	    (r = pdol_data(&pdol, pdol_len, where, d)) != 0)
		return r;
	memcpy(aid, name.value, name.len);
	*aid_len = name.len;
	return 0;
}

/* GPO -> the AFL (4 bytes per entry, checked). */
static int
gpo(struct uc_transport *t, struct uc_buf *b, size_t pdol_len,
    uint8_t afl[UC_EMV_RESP_MAX], size_t *afl_len, struct uc_diag *d)
{
	static const char where[] = "GET PROCESSING OPTIONS";
	uint8_t cmd[2 + UC_EMV_PDOL_MAX];
	struct uc_tlv top, aip, list;
	const uint8_t *a = NULL;
	size_t n = 0, i, recs = 0;
	uint16_t sw = 0;
	int r;

	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x83;
	cmd[1] = (uint8_t)pdol_len;
	if ((r = xchg(t, 0x80, INS_GPO, 0x00, 0x00, cmd, 2 + pdol_len, b,
	    &sw, where, d)) != 0)
		return r;
	if (sw != UC_SW_OK)
		return uc_diag_set(d, uc_sw_to_err(sw), NULL, 0, where,
		    "card answered %04X", sw);
	if (uc_tlv_parse_one(b->data, b->len, &top) != 0)
		return perr(d, where, "response: malformed BER-TLV");
	if (top.tag == TAG_GPO_FMT1) {
		if (top.len < 2 || (top.len - 2) % 4 != 0)
			return perr(d, where, "format 1 (80): not AIP + 4n "
			    "bytes of AFL");
		a = top.value + 2;
		n = top.len - 2;
	} else if (top.tag == TAG_GPO_FMT2) {
		if (!children_ok(top.value, top.len))
			return perr(d, where, "format 2 (77): malformed "
			    "BER-TLV");
		if (uc_tlv_find(top.value, top.len, TAG_AIP, &aip) != 0 ||
		    aip.len != 2)
			return perr(d, where, "format 2 (77): no AIP (82) of "
			    "2 bytes");
		if (uc_tlv_find(top.value, top.len, TAG_AFL, &list) != 0 ||
		    list.len % 4 != 0)
			return perr(d, where, "format 2 (77): no AFL (94) of "
			    "4n bytes");
		a = list.value;
		n = list.len;
	} else
		return perr(d, where, "response: neither format 1 (80) nor 2 "
		    "(77)");
	for (i = 0; i < n; i += 4) {
		unsigned sfi = a[i] >> 3;

		if ((a[i] & 0x07) != 0 || sfi < 1 || sfi > SFI_MAX ||
		    a[i + 1] < 1 || a[i + 2] < a[i + 1] ||
		    a[i + 3] > a[i + 2] - a[i + 1] + 1)
			return perr(d, where, "AFL: an entry makes no sense");
		recs += (size_t)(a[i + 2] - a[i + 1]) + 1;
		if (recs > UC_EMV_MAX_RECORDS)
			return perr(d, where, "AFL: lists too many records");
	}
	memcpy(afl, a, n);
	*afl_len = n;
	return 0;
}

/* n BCD bytes -> digits; pad F allowed only as the last nibble(s) when
 * allow_pad.  Returns the digit count, or -1. */
static int
bcd_digits(const uint8_t *p, size_t n, char *out, size_t cap, int allow_pad)
{
	size_t i, k = 0;
	int padded = 0;

	for (i = 0; i < 2 * n; i++) {
		unsigned v = (i % 2 == 0) ? p[i / 2] >> 4 : p[i / 2] & 0x0Fu;

		if (v == 0x0F && allow_pad) {
			padded = 1;
			continue;
		}
		if (v > 9 || padded || k + 1 >= cap)
			return -1;
		out[k++] = (char)('0' + v);
	}
	out[k] = '\0';
	return (int)k;
}

static int
month_ok(const char *yymm)
{
	return (yymm[2] == '0' && yymm[3] >= '1' && yymm[3] <= '9') ||
	    (yymm[2] == '1' && yymm[3] >= '0' && yymm[3] <= '2');
}

/* Merge one value into pan/expiry: first one sets, later must agree. */
static int
merge(char *dst, size_t cap, const char *v, const char *what,
    struct uc_diag *d)
{
	if (dst[0] == '\0') {
		snprintf(dst, cap, "%s", v);
		return 0;
	}
	if (strcmp(dst, v) != 0)
		return uc_diag_set(d, UC_ERR_PROTOCOL, NULL, 0, "READ RECORD",
		    "%s disagree between records or tags", what);
	return 0;
}

int
uc_emv_parse_record(const uint8_t *rec, size_t len, char pan[20],
    char expiry[5], struct uc_diag *diag)
{
	static const char where[] = "READ RECORD";
	struct uc_tlv_reader rd;
	struct uc_tlv t, e;
	char digits[2 * TRACK2_MAX + 1], one[UC_EMV_PAN_MAX + 1], yymm[5];
	const char *sep;
	int n, r;

	memset(digits, 0, sizeof(digits));
	memset(one, 0, sizeof(one));
	if (rec == NULL || pan == NULL || expiry == NULL)
		return UC_ERR_ARG;
	if ((r = whole(rec, len, TAG_RECORD, &t, where, "record", diag)) != 0)
		goto out;
	uc_tlv_reader_init(&rd, t.value, t.len);
	while (uc_tlv_reader_more(&rd)) {
		if (uc_tlv_next(&rd, &e) != 0) {
			r = perr(diag, where, "record: malformed BER-TLV");
			goto out;
		}
		switch (e.tag) {
		case TAG_PAN:
			n = e.len <= PAN_BCD_MAX ? bcd_digits(e.value, e.len,
			    one, sizeof(one), 1) : -1;
			if (n < UC_EMV_PAN_MIN || n > UC_EMV_PAN_MAX) {
				r = perr(diag, where, "PAN (5A): not 12-19 "
				    "BCD digits");
				goto out;
			}
			if ((r = merge(pan, 20, one, "PANs", diag)) != 0)
				goto out;
			break;
		case TAG_TRACK2: {
			/* PAN D YYMM SSS discretionary [F]: the separator
			 * D is not a digit, so decode nibbles by hand. */
			size_t i, k = 0;
			int bad_t2 = e.len > TRACK2_MAX || e.len == 0;

			for (i = 0; !bad_t2 && i < 2 * e.len; i++) {
				unsigned v = (i % 2 == 0) ? e.value[i / 2] >> 4
				    : e.value[i / 2] & 0x0Fu;

				if (v == 0x0F && i == 2 * e.len - 1)
					break;
				if (v <= 9)
					digits[k++] = (char)('0' + v);
				else if (v == 0x0D)
					digits[k++] = 'D';
				else
					bad_t2 = 1;
			}
			digits[k] = '\0';
			sep = bad_t2 ? NULL : strchr(digits, 'D');
			if (sep == NULL || strchr(sep + 1, 'D') != NULL ||
			    (size_t)(sep - digits) < UC_EMV_PAN_MIN ||
			    (size_t)(sep - digits) > UC_EMV_PAN_MAX ||
			    strlen(sep + 1) < 7 || !month_ok(sep + 1)) {
				r = perr(diag, where, "track 2 (57): not PAN "
				    "D YYMM service code");
				goto out;
			}
			memcpy(one, digits, (size_t)(sep - digits));
			one[sep - digits] = '\0';
			memcpy(yymm, sep + 1, 4);
			yymm[4] = '\0';
			if ((r = merge(pan, 20, one, "PANs", diag)) != 0 ||
			    (r = merge(expiry, 5, yymm, "expiry dates",
			    diag)) != 0)
				goto out;
			break;
		}
		case TAG_EXPIRY:
			if (e.len != 3 || bcd_digits(e.value, 3, digits,
			    sizeof(digits), 0) != 6 || !month_ok(digits)) {
				r = perr(diag, where, "expiry (5F24): not "
				    "YYMMDD");
				goto out;
			}
			memcpy(yymm, digits, 4);
			yymm[4] = '\0';
			if ((r = merge(expiry, 5, yymm, "expiry dates",
			    diag)) != 0)
				goto out;
			break;
		default:
			break; /* other data of the card's: not ours */
		}
	}
	r = 0;
out:
	OPENSSL_cleanse(digits, sizeof(digits));
	OPENSSL_cleanse(one, sizeof(one));
	return r;
}

/* Read the application's records listed in the AFL. */
static int
read_records(struct uc_transport *t, struct uc_buf *b, const uint8_t *afl,
    size_t afl_len, char pan[20], char expiry[5], struct uc_diag *d)
{
	char where[48];
	size_t i;
	unsigned rec, sfi;
	uint16_t sw = 0;
	int r;

	for (i = 0; i < afl_len; i += 4) {
		sfi = afl[i] >> 3;
		for (rec = afl[i + 1]; rec <= afl[i + 2]; rec++) {
			snprintf(where, sizeof(where), "READ RECORD SFI %u "
			    "record %u", sfi, rec);
			if ((r = xchg(t, 0x00, INS_READ_RECORD, (uint8_t)rec,
			    (uint8_t)(sfi << 3 | 4), NULL, 0, b, &sw, where,
			    d)) != 0)
				return r;
			if (sw != UC_SW_OK)
				return uc_diag_set(d, uc_sw_to_err(sw), NULL,
				    0, where, "card answered %04X", sw);
			/* SFIs 11-30 are the issuer's own formats. */
			if (sfi > SFI_EMV_MAX && (b->len == 0 ||
			    b->data[0] != TAG_RECORD))
				continue;
			if ((r = uc_emv_parse_record(b->data, b->len, pan,
			    expiry, d)) != 0) {
				/* Say which record. */
				if (d != NULL)
					snprintf(d->field, sizeof(d->field),
					    "%s", where);
				return r;
			}
		}
	}
	return 0;
}

int
uc_emv_read_pan_diag(struct uc_transport *t, char pan[20], char expiry[5],
    uint8_t aid[16], size_t *aid_len, struct uc_diag *diag)
{
	struct uc_buf b = UC_BUF_INIT;
	struct cands cs;
	uint8_t afl[UC_EMV_RESP_MAX];
	size_t afl_len = 0, pdol_len = 0, i;
	int r, found = 0;

	uc_diag_clear(diag);
	if (pan != NULL)
		memset(pan, 0, 20);
	if (expiry != NULL)
		memset(expiry, 0, 5);
	if (aid != NULL)
		memset(aid, 0, UC_EMV_AID_MAX);
	if (aid_len != NULL)
		*aid_len = 0;
	if (t == NULL || pan == NULL || expiry == NULL || aid == NULL ||
	    aid_len == NULL)
		return UC_ERR_ARG;
	memset(&cs, 0, sizeof(cs));

	/* Application selection: PPSE, else PSE, else the list. */
	r = from_ppse(t, &b, &cs, diag);
	if (r == UC_ERR_NOT_FOUND || (r == 0 && cs.n == 0)) {
		memset(&cs, 0, sizeof(cs));
		r = from_pse(t, &b, &cs, diag);
	}
	if (r != 0 && r != UC_ERR_NOT_FOUND)
		goto out;
	if (cs.n == 0) {
		for (i = 0; i < sizeof(direct_aids) / sizeof(direct_aids[0]) &&
		    i < UC_EMV_MAX_CANDIDATES; i++) {
			memcpy(cs.c[i].aid, direct_aids[i].aid,
			    direct_aids[i].len);
			cs.c[i].len = direct_aids[i].len;
			cs.c[i].prio = 16;
		}
		cs.n = i;
	}
	sort_cands(&cs);
	for (i = 0; i < cs.n && !found; i++) {
		r = select_app(t, &b, &cs.c[i], aid, aid_len, &pdol_len, diag);
		if (r == 0)
			found = 1;
		else if (r != UC_ERR_NOT_FOUND)
			goto out;
	}
	if (!found) {
		r = uc_diag_set(diag, UC_ERR_SW_NOT_FOUND, NULL, 0, "SELECT",
		    "no payment application on the card");
		goto out;
	}
	if ((r = gpo(t, &b, pdol_len, afl, &afl_len, diag)) != 0 ||
	    (r = read_records(t, &b, afl, afl_len, pan, expiry, diag)) != 0)
		goto out;
	if (pan[0] == '\0') {
		r = perr(diag, "READ RECORD", "no PAN (5A or 57) in the "
		    "application's records");
		goto out;
	}
	if (!uc_luhn_valid(pan, strlen(pan))) {
		r = perr(diag, "READ RECORD", "the PAN fails its Luhn check");
		goto out;
	}
	if (expiry[0] == '\0') {
		r = perr(diag, "READ RECORD", "no expiry date (5F24 or 57) in "
		    "the application's records");
		goto out;
	}
	r = 0;
out:
	if (r != 0) {
		OPENSSL_cleanse(pan, 20);
		if (expiry != NULL)
			memset(expiry, 0, 5);
		memset(aid, 0, UC_EMV_AID_MAX);
		*aid_len = 0;
	}
	OPENSSL_cleanse(afl, sizeof(afl));
	uc_buf_free(&b);
	return r;
}

int
uc_emv_read_pan(struct uc_transport *t, char pan[20], char expiry[5],
    uint8_t aid[16], size_t *aid_len)
{
	return uc_emv_read_pan_diag(t, pan, expiry, aid, aid_len, NULL);
}
