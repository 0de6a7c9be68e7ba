/*
 * applet.c - SELECT of the union applet and its FCI (union-applet.md §5.1).
 *
 * The FCI is the first thing a card says about itself, before any secure
 * channel, so it is read as hostile input: one 6F holding exactly 84 (our
 * AID) then A5, whose children are 80..87 in order with their fixed
 * lengths and an optional 88 of 4F entries.  A card that adds, drops,
 * repeats or reorders anything is not a version-1 union card.
 */
#include <stdio.h>
#include <string.h>

#include "transport/backend.h"
#include "unioncard/applet.h"
#include "unioncard/error.h"
#include "unioncard/tlv.h"
#include "unioncard/transport.h"

#define FCI_WHERE "FCI"

/* A5's fixed children: tag and exact length. */
static const struct {
	uint32_t tag;
	size_t len;
	const char *name;
} fixed[] = {
	{ 0x80, 1, "spec version" },
	{ 0x81, UC_APPLET_SERIAL_LEN, "card serial" },
	{ 0x82, 1, "lifecycle" },
	{ 0x83, 2, "max command data" },
	{ 0x84, 2, "max response data" },
	{ 0x85, 2, "secure channel protocol" },
	{ 0x86, 1, "key version" },
	{ 0x87, 1, "tries left" },
};

static int
bad(struct uc_diag *d, uint32_t tag, const char *problem, const char *what)
{
	char field[16];

	snprintf(field, sizeof(field), "tag %02X", (unsigned)tag);
	return uc_diag_set(d, UC_ERR_PROTOCOL, FCI_WHERE, 0, field, "%s: %s",
	    what, problem);
}

static int
parse_bank_aids(const struct uc_tlv *t88, struct uc_card_info *out,
    struct uc_diag *d)
{
	struct uc_tlv_reader r;
	struct uc_tlv a;

	uc_tlv_reader_init(&r, t88->value, t88->len);
	if (!uc_tlv_reader_more(&r))
		return bad(d, 0x88, "empty list", "bank application AIDs");
	while (uc_tlv_reader_more(&r)) {
		if (uc_tlv_next(&r, &a) != 0)
			return bad(d, 0x88, "malformed BER-TLV",
			    "bank application AIDs");
		if (a.tag != 0x4f)
			return bad(d, 0x88, "expected only 4F entries",
			    "bank application AIDs");
		if (a.len < UC_APPLET_AID_MIN || a.len > UC_APPLET_AID_MAX)
			return bad(d, 0x4f, "AID must be 5 to 16 bytes",
			    "bank application AID");
		if (out->n_bank_aids >= UC_APPLET_MAX_BANK_AIDS)
			return bad(d, 0x88, "more than 4",
			    "bank application AIDs");
		memcpy(out->bank_aids[out->n_bank_aids].bytes, a.value, a.len);
		out->bank_aids[out->n_bank_aids].len = a.len;
		out->n_bank_aids++;
	}
	return 0;
}

static int
valid_lifecycle(uint8_t v)
{
	return v == UC_LIFECYCLE_BLANK || v == UC_LIFECYCLE_PERSONALIZING ||
	    v == UC_LIFECYCLE_PERSONALIZED || v == UC_LIFECYCLE_TERMINATED;
}

static int
parse_fci(const uint8_t *fci, size_t len, struct uc_card_info *out,
    struct uc_diag *d)
{
	struct uc_tlv_reader r;
	struct uc_tlv t6f, t, ta5;
	size_t i;
	int rc;

	if (len == 0 || uc_tlv_parse_one(fci, len, &t6f) != 0)
		return bad(d, 0x6f, "not one well-formed BER-TLV element",
		    "FCI template");
	if (t6f.tag != 0x6f)
		return bad(d, t6f.tag, "expected 6F", "FCI template");

	uc_tlv_reader_init(&r, t6f.value, t6f.len);
	if (uc_tlv_next(&r, &t) != 0 || t.tag != 0x84)
		return bad(d, 0x84, "missing or malformed", "AID");
	if (t.len != UC_APPLET_AID_LEN ||
	    memcmp(t.value, UC_APPLET_AID, UC_APPLET_AID_LEN) != 0)
		return bad(d, 0x84, "not the union applet's AID", "AID");
	if (uc_tlv_next(&r, &ta5) != 0 || ta5.tag != 0xa5)
		return bad(d, 0xa5, "missing or malformed",
		    "proprietary template");
	if (uc_tlv_reader_more(&r))
		return bad(d, 0x6f, "unexpected data after A5",
		    "FCI template");

	uc_tlv_reader_init(&r, ta5.value, ta5.len);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (uc_tlv_next(&r, &t) != 0)
			return bad(d, fixed[i].tag, "missing or malformed",
			    fixed[i].name);
		if (t.tag != fixed[i].tag)
			return bad(d, fixed[i].tag, "missing or out of "
			    "order", fixed[i].name);
		if (t.len != fixed[i].len)
			return bad(d, fixed[i].tag, "wrong length",
			    fixed[i].name);
		switch (t.tag) {
		case 0x80:
			out->spec_version = t.value[0];
			break;
		case 0x81:
			memcpy(out->serial, t.value, UC_APPLET_SERIAL_LEN);
			break;
		case 0x82:
			if (!valid_lifecycle(t.value[0]))
				return bad(d, 0x82, "unknown state",
				    fixed[i].name);
			out->lifecycle = t.value[0];
			break;
		case 0x83:
		case 0x84:
			{
				uint16_t v = (uint16_t)(t.value[0] << 8 |
				    t.value[1]);

				if (v == 0)
					return bad(d, t.tag, "zero",
					    fixed[i].name);
				if (t.tag == 0x83)
					out->max_cmd = v;
				else
					out->max_resp = v;
			}
			break;
		case 0x85:
			if (t.value[0] != UC_APPLET_SCP03)
				return bad(d, 0x85, "not SCP03",
				    fixed[i].name);
			out->scp = t.value[0];
			out->scp_i = t.value[1];
			break;
		case 0x86:
			out->kvn = t.value[0];
			break;
		case 0x87:
			out->tries_left = t.value[0];
			break;
		}
	}
	if (uc_tlv_reader_more(&r)) {
		if (uc_tlv_next(&r, &t) != 0 || t.tag != 0x88)
			return bad(d, 0x88, "unexpected element after 87",
			    "proprietary template");
		if ((rc = parse_bank_aids(&t, out, d)) != 0)
			return rc;
		if (uc_tlv_reader_more(&r))
			return bad(d, 0xa5, "unexpected data after 88",
			    "proprietary template");
	}
	return 0;
}

int
uc_applet_parse_fci(const uint8_t *fci, size_t len, struct uc_card_info *out,
    struct uc_diag *d)
{
	int r;

	uc_diag_clear(d);
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (out == NULL || (fci == NULL && len != 0))
		return UC_ERR_ARG;
	/* Nothing half-parsed reaches the caller. */
	if ((r = parse_fci(fci, len, out, d)) != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int
uc_applet_select(struct uc_transport *t, struct uc_card_info *out,
    uint16_t *sw)
{
	struct uc_buf resp = UC_BUF_INIT;
	struct uc_apdu a;
	struct uc_diag d;
	char msg[sizeof(d.file) + sizeof(d.field) + sizeof(d.msg) + 8];
	int r;

	if (sw != NULL)
		*sw = 0;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (t == NULL || out == NULL || sw == NULL)
		return UC_ERR_ARG;
	memset(&a, 0, sizeof(a));
	a.cla = 0x00;
	a.ins = 0xa4;
	a.p1 = 0x04;
	a.p2 = 0x00;
	a.data = (const uint8_t *)UC_APPLET_AID;
	a.lc = UC_APPLET_AID_LEN;
	a.le = UC_APDU_LE_MAX_SHORT;
	if ((r = uc_apdu_exchange(t, &a, 0, &resp, sw)) != 0)
		goto out;
	if (*sw != UC_SW_OK && *sw != UC_SW_TERMINATED) {
		r = uc_sw_to_err(*sw);
		goto out;
	}
	if ((r = uc_applet_parse_fci(resp.data, resp.len, out, &d)) != 0) {
		uc_diag_format(&d, msg, sizeof(msg));
		uc_transport_set_detail("%s", msg);
		goto out;
	}
	/* 62 83 and lifecycle FF must agree. */
	if ((*sw == UC_SW_TERMINATED) != (out->lifecycle == UC_LIFECYCLE_TERMINATED)) {
		uc_transport_set_detail("FCI: tag 82: lifecycle %02X does not "
		    "match status word %04X", out->lifecycle, *sw);
		memset(out, 0, sizeof(*out));
		r = UC_ERR_PROTOCOL;
		goto out;
	}
	r = 0;
out:
	uc_buf_free(&resp);
	return r;
}

const char *
uc_applet_lifecycle_name(uint8_t lifecycle)
{
	switch (lifecycle) {
	case UC_LIFECYCLE_BLANK:
		return "blank";
	case UC_LIFECYCLE_PERSONALIZING:
		return "personalizing";
	case UC_LIFECYCLE_PERSONALIZED:
		return "personalized";
	case UC_LIFECYCLE_TERMINATED:
		return "terminated";
	}
	return "unknown";
}
