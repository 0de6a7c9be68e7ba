/*
 * dataobj.c - building, DGI-encoding and strictly parsing the applet's
 * data objects (applets-spec/union-applet.md §5.3, §6).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "unioncard/dataobj.h"
#include "unioncard/tlv.h"
#include "perso/member_priv.h"

#define PAN_BINDING_LABEL "UNIONCARD-PAN-v1"
#define PAN_MIN 12

/* SCP03 adds padding to a 16-byte multiple (at least one byte) and an
 * 8-byte C-MAC to every STORE DATA block. */
#define SM_BLOCK 16u
#define SM_MAC 8u

static int
put(struct uc_buf *b, uint32_t tag, const void *v, size_t len)
{
	return uc_tlv_put(b, tag, (const uint8_t *)v, len);
}

int
uc_dataobj_identity(const struct uc_member *m,
    const uint8_t serial[UC_CARD_SERIAL_LEN], struct uc_buf *out)
{
	size_t start, mark = 0;
	size_t lcode, lname, lucode, luname;
	char check[UC_MEMBER_UNIT_NAME_MAX + 1];
	int r;

	if (m == NULL || serial == NULL || out == NULL)
		return UC_ERR_ARG;
	lcode = strnlen(m->member_code, sizeof(m->member_code));
	lname = strnlen(m->full_name, sizeof(m->full_name));
	lucode = strnlen(m->unit_code, sizeof(m->unit_code));
	luname = strnlen(m->unit_name, sizeof(m->unit_name));
	if (lcode == 0 || lcode > UC_MEMBER_CODE_MAX || lname == 0 ||
	    lname > UC_MEMBER_NAME_MAX || lucode == 0 ||
	    lucode > UC_MEMBER_UNIT_CODE_MAX || luname == 0 ||
	    luname > UC_MEMBER_UNIT_NAME_MAX ||
	    (m->card_type != UC_CARD_TYPE_REGULAR &&
	    m->card_type != UC_CARD_TYPE_LINKED) ||
	    !uc_member_date_valid(m->issued_on) ||
	    !uc_member_date_valid(m->expires_on) ||
	    strcmp(m->expires_on, m->issued_on) < 0)
		return UC_ERR_INVALID;
	/* The same rules the ledger applied at entry and the card parser
	 * applies on reading: what passes here is what the card accepts. */
	if (uc_member_text_check(UC_MEMBER_TEXT_FULL_NAME, m->full_name,
	    lname, UC_MEMBER_TEXT_CARD, check, sizeof(check), NULL, NULL,
	    NULL, NULL) != 0 ||
	    uc_member_unit_code_check(m->unit_code, lucode, NULL, NULL,
	    NULL) != 0 ||
	    uc_member_text_check(UC_MEMBER_TEXT_UNIT_NAME, m->unit_name,
	    luname, UC_MEMBER_TEXT_CARD, check, sizeof(check), NULL, NULL,
	    NULL, NULL) != 0)
		return UC_ERR_INVALID;
	start = out->len;
	if ((r = uc_tlv_open(out, UC_DO_IDENTITY, &mark)) != 0 ||
	    (r = put(out, UC_TAG_MEMBER_CODE, m->member_code, lcode)) != 0 ||
	    (r = put(out, UC_TAG_FULL_NAME, m->full_name, lname)) != 0 ||
	    (r = put(out, UC_TAG_UNIT_CODE, m->unit_code, lucode)) != 0 ||
	    (r = put(out, UC_TAG_UNIT_NAME, m->unit_name, luname)) != 0 ||
	    (r = put(out, UC_TAG_CARD_TYPE, &m->card_type, 1)) != 0 ||
	    (r = put(out, UC_TAG_ISSUED_ON, m->issued_on, 8)) != 0 ||
	    (r = put(out, UC_TAG_EXPIRES_ON, m->expires_on, 8)) != 0 ||
	    (r = put(out, UC_TAG_SERIAL, serial, UC_CARD_SERIAL_LEN)) != 0 ||
	    (m->card_serial[0] != '\0' && (r = put(out, UC_TAG_CARD_SERIAL,
	    m->card_serial, strnlen(m->card_serial,
	    sizeof(m->card_serial)))) != 0) ||
	    (r = uc_tlv_close(out, mark)) != 0) {
		out->len = start;
		return r;
	}
	return 0;
}

int
uc_dataobj_pan_binding(const uint8_t serial[UC_CARD_SERIAL_LEN],
    const char *pan, uint8_t out[UC_PAN_BINDING_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	unsigned int olen = 0;
	size_t i, n;
	int r = UC_ERR_CRYPTO;

	if (out != NULL)
		memset(out, 0, UC_PAN_BINDING_LEN);
	if (serial == NULL || pan == NULL || out == NULL)
		return UC_ERR_ARG;
	n = strnlen(pan, UC_PAN_MAX + 1);
	if (n < PAN_MIN || n > UC_PAN_MAX)
		return UC_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (pan[i] < '0' || pan[i] > '9')
			return UC_ERR_INVALID;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return UC_ERR_NOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, PAN_BINDING_LABEL,
	    sizeof(PAN_BINDING_LABEL) - 1) != 1 ||
	    EVP_DigestUpdate(ctx, serial, UC_CARD_SERIAL_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, pan, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &olen) != 1 ||
	    olen != UC_PAN_BINDING_LEN)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	if (r != 0)
		OPENSSL_cleanse(out, UC_PAN_BINDING_LEN);
	return r;
}

int
uc_dataobj_bank_link(const uint8_t binding[UC_PAN_BINDING_LEN],
    const uint8_t *aid, size_t aid_len, struct uc_buf *out)
{
	size_t start, mark = 0;
	int r;

	if (binding == NULL || aid == NULL || out == NULL)
		return UC_ERR_ARG;
	if (aid_len < UC_BANK_AID_MIN || aid_len > UC_BANK_AID_MAX)
		return UC_ERR_INVALID;
	start = out->len;
	if ((r = uc_tlv_open(out, UC_DO_BANK, &mark)) != 0 ||
	    (r = put(out, UC_TAG_PAN_BINDING, binding,
	    UC_PAN_BINDING_LEN)) != 0 ||
	    (r = put(out, UC_TAG_BANK_AID, aid, aid_len)) != 0 ||
	    (r = uc_tlv_close(out, mark)) != 0) {
		out->len = start;
		return r;
	}
	return 0;
}

int
uc_dgi_append(struct uc_buf *out, uint16_t dgi, const uint8_t *value,
    size_t len)
{
	size_t start;
	int r;

	if (out == NULL || (value == NULL && len != 0))
		return UC_ERR_ARG;
	if (len > 0xffffu)
		return UC_ERR_RANGE;
	start = out->len;
	if ((r = uc_buf_append_u16(out, dgi)) != 0)
		goto fail;
	/* One length byte 00-FE; FF announces two more (EMV CPS). */
	if (len < 0xff)
		r = uc_buf_append_byte(out, (uint8_t)len);
	else if ((r = uc_buf_append_byte(out, 0xff)) == 0)
		r = uc_buf_append_u16(out, (uint16_t)len);
	if (r != 0 || (len > 0 && (r = uc_buf_append(out, value, len)) != 0))
		goto fail;
	return 0;
fail:
	out->len = start;
	return r;
}

int
uc_dgi_append_object(struct uc_buf *out, const uint8_t *tlv, size_t tlv_len)
{
	struct uc_tlv t;
	int r;

	if (out == NULL || tlv == NULL)
		return UC_ERR_ARG;
	if ((r = uc_tlv_parse_one(tlv, tlv_len, &t)) != 0)
		return r;
	if (t.tag != UC_DO_IDENTITY && t.tag != UC_DO_BANK &&
	    t.tag != UC_DO_SECOBJ)
		return UC_ERR_INVALID;
	return uc_dgi_append(out, (uint16_t)t.tag, t.value, t.len);
}

int
uc_store_data_plan(size_t total, size_t block_max,
    struct uc_store_block *blocks, size_t cap, size_t *n)
{
	size_t count, i;

	if (n != NULL)
		*n = 0;
	if (n == NULL || blocks == NULL || total == 0 || block_max == 0)
		return UC_ERR_ARG;
	count = total / block_max + (total % block_max != 0);
	if (count > UC_STORE_DATA_MAX_BLOCKS)
		return UC_ERR_RANGE;
	if (count > cap)
		return UC_ERR_BUFFER;
	for (i = 0; i < count; i++) {
		blocks[i].off = i * block_max;
		blocks[i].len = i + 1 < count ? block_max :
		    total - i * block_max;
		blocks[i].p1 = i + 1 < count ? UC_STORE_DATA_P1_MORE :
		    UC_STORE_DATA_P1_LAST;
		blocks[i].p2 = (uint8_t)i;
	}
	*n = count;
	return 0;
}

size_t
uc_store_data_block_max(size_t max_cmd, size_t link_max)
{
	size_t m = max_cmd;

	if (link_max != 0 && link_max < m)
		m = link_max;
	if (m < SM_BLOCK + SM_MAC)
		return 0;
	/* Plain p is sent as 16 * (p / 16 + 1) + 8 bytes. */
	return ((m - SM_MAC) / SM_BLOCK) * SM_BLOCK - 1;
}

/* ------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------ */

#define CARD "card"

/* Children of one object: primitive, strictly ascending, known tags. */
struct child_rule {
	uint32_t tag;
	size_t min, max;
	int optional;
};

static int
children(const struct uc_tlv *obj, const char *oname,
    const struct child_rule *rules, size_t nrules, struct uc_tlv *found,
    struct uc_diag *d)
{
	struct uc_tlv_reader rd;
	struct uc_tlv c;
	size_t k = 0;
	char field[16];

	memset(found, 0, nrules * sizeof(*found));
	uc_tlv_reader_init(&rd, obj->value, obj->len);
	while (uc_tlv_reader_more(&rd)) {
		if (uc_tlv_next(&rd, &c) != 0)
			return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, oname,
			    "malformed children");
		while (k < nrules && rules[k].tag < c.tag) {
			if (!rules[k].optional) {
				snprintf(field, sizeof(field), "%s/%02X", oname,
				    (unsigned)rules[k].tag);
				return uc_diag_set(d, UC_ERR_INVALID, CARD, 0,
				    field, "missing");
			}
			k++;
		}
		snprintf(field, sizeof(field), "%s/%X", oname, (unsigned)c.tag);
		if (k == nrules || rules[k].tag != c.tag)
			return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, field,
			    "unknown, repeated or out of order");
		if (c.constructed)
			return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, field,
			    "must be primitive");
		if (c.len < rules[k].min || c.len > rules[k].max)
			return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, field,
			    "length %zu outside %zu-%zu", c.len, rules[k].min,
			    rules[k].max);
		found[k++] = c;
	}
	for (; k < nrules; k++) {
		if (!rules[k].optional) {
			snprintf(field, sizeof(field), "%s/%02X", oname,
			    (unsigned)rules[k].tag);
			return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, field,
			    "missing");
		}
	}
	return 0;
}

static const struct child_rule identity_rules[] = {
	{ UC_TAG_MEMBER_CODE, 1, UC_MEMBER_CODE_MAX, 0 },
	{ UC_TAG_FULL_NAME, 1, UC_MEMBER_NAME_MAX, 0 },
	{ UC_TAG_UNIT_CODE, 1, UC_MEMBER_UNIT_CODE_MAX, 0 },
	{ UC_TAG_UNIT_NAME, 1, UC_MEMBER_UNIT_NAME_MAX, 0 },
	{ UC_TAG_CARD_TYPE, 1, 1, 0 },
	{ UC_TAG_ISSUED_ON, 8, 8, 0 },
	{ UC_TAG_EXPIRES_ON, 8, 8, 0 },
	{ UC_TAG_SERIAL, UC_CARD_SERIAL_LEN, UC_CARD_SERIAL_LEN, 0 },
	{ UC_TAG_CARD_SERIAL, UC_MEMBER_CARD_SERIAL_LEN,
	    UC_MEMBER_CARD_SERIAL_LEN, 1 },
};

static int
parse_date(const struct uc_tlv *c, char out[9], const char *field,
    struct uc_diag *d)
{
	memcpy(out, c->value, 8);
	out[8] = '\0';
	if (memchr(out, '\0', 8) != NULL || !uc_member_date_valid(out)) {
		memset(out, 0, 9);
		return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, field,
		    "not a date YYYYMMDD");
	}
	return 0;
}

static int
parse_identity(const struct uc_tlv *obj, struct uc_card_objects *o,
    struct uc_diag *d)
{
	struct uc_tlv f[9];
	struct uc_member *m = &o->member;
	int r;

	if (obj->len > UC_DO_IDENTITY_MAX)
		return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, "E1",
		    "larger than %u bytes", UC_DO_IDENTITY_MAX);
	memset(f, 0, sizeof(f));
	if ((r = children(obj, "E1", identity_rules, 9, f, d)) != 0)
		return r;
	if ((r = member_put_ascii((const char *)f[0].value, f[0].len,
	    m->member_code, sizeof(m->member_code), NULL, CARD, "E1/C0",
	    "only the digits 0-9", d)) != 0 ||
	    (r = member_check_code(m->member_code, CARD, "E1/C0", d)) != 0 ||
	    (r = uc_member_text_check(UC_MEMBER_TEXT_FULL_NAME,
	    (const char *)f[1].value, f[1].len, UC_MEMBER_TEXT_CARD,
	    m->full_name, sizeof(m->full_name), NULL, CARD, "E1/C1",
	    d)) != 0 ||
	    (r = uc_member_unit_code_check((const char *)f[2].value,
	    f[2].len, CARD, "E1/C2", d)) != 0 ||
	    (r = uc_member_text_check(UC_MEMBER_TEXT_UNIT_NAME,
	    (const char *)f[3].value, f[3].len, UC_MEMBER_TEXT_CARD,
	    m->unit_name, sizeof(m->unit_name), NULL, CARD, "E1/C3",
	    d)) != 0)
		return r;
	memcpy(m->unit_code, f[2].value, f[2].len);
	m->unit_code[f[2].len] = '\0';
	m->card_type = f[4].value[0];
	if (m->card_type != UC_CARD_TYPE_REGULAR &&
	    m->card_type != UC_CARD_TYPE_LINKED)
		return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, "E1/C4",
		    "card type %02X is neither 01 nor 02", m->card_type);
	if ((r = parse_date(&f[5], m->issued_on, "E1/C5", d)) != 0 ||
	    (r = parse_date(&f[6], m->expires_on, "E1/C6", d)) != 0)
		return r;
	if (strcmp(m->expires_on, m->issued_on) < 0)
		return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, "E1/C6",
		    "expiry before issue");
	memcpy(o->serial, f[7].value, UC_CARD_SERIAL_LEN);
	if (f[8].value != NULL && (r = member_put_ascii(
	    (const char *)f[8].value, f[8].len, m->card_serial,
	    sizeof(m->card_serial), "0123456789", CARD, "E1/CA",
	    "only the digits 0-9", d)) != 0)
		return r;
	return 0;
}

static int
parse_pubkey(const struct uc_tlv *obj, struct uc_card_objects *o,
    struct uc_diag *d)
{
	static const struct child_rule rules[] = {
		{ UC_TAG_EC_POINT, UC_EC_POINT_LEN, UC_EC_POINT_LEN, 0 },
	};
	struct uc_tlv f[1];
	int r;

	if ((r = children(obj, "E2", rules, 1, f, d)) != 0)
		return r;
	if (f[0].value[0] != 0x04)
		return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, "E2/86",
		    "not an uncompressed point");
	memcpy(o->point, f[0].value, UC_EC_POINT_LEN);
	return 0;
}

static int
parse_bank(const struct uc_tlv *obj, struct uc_card_objects *o,
    struct uc_diag *d)
{
	static const struct child_rule rules[] = {
		{ UC_TAG_PAN_BINDING, UC_PAN_BINDING_LEN, UC_PAN_BINDING_LEN,
		    0 },
		{ UC_TAG_BANK_AID, UC_BANK_AID_MIN, UC_BANK_AID_MAX, 0 },
	};
	struct uc_tlv f[2];
	int r;

	if (obj->len > UC_DO_BANK_MAX)
		return uc_diag_set(d, UC_ERR_INVALID, CARD, 0, "E3",
		    "larger than %u bytes", UC_DO_BANK_MAX);
	if ((r = children(obj, "E3", rules, 2, f, d)) != 0)
		return r;
	memcpy(o->pan_binding, f[0].value, UC_PAN_BINDING_LEN);
	memcpy(o->bank_aid, f[1].value, f[1].len);
	o->bank_aid_len = f[1].len;
	o->has_bank = 1;
	return 0;
}

int
uc_card_objects_parse(const uint8_t *data, size_t len,
    struct uc_card_objects *out, struct uc_diag *diag)
{
	struct uc_tlv_reader rd;
	struct uc_tlv t;
	const uint8_t *start;
	int r, seen_e1 = 0, seen_e2 = 0, seen_ef = 0;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	uc_diag_clear(diag);
	if (out == NULL || (data == NULL && len != 0))
		return UC_ERR_ARG;
	/* Framing first: a card whose answer is not even TLV is broken or
	 * hostile, which is not the same thing as a forged card. */
	if (len > UC_DO_ALL_MAX) {
		r = uc_diag_set(diag, UC_ERR_TLV, CARD, 0, NULL,
		    "%zu bytes of data objects, at most %u", len,
		    UC_DO_ALL_MAX);
		goto out;
	}
	uc_tlv_reader_init(&rd, data, len);
	while (uc_tlv_reader_more(&rd)) {
		start = rd.p;
		if ((r = uc_tlv_next(&rd, &t)) != 0) {
			r = uc_diag_set(diag, UC_ERR_TLV, CARD, 0, NULL,
			    "malformed data object");
			goto out;
		}
		r = UC_ERR_INVALID;
		if (!t.constructed) {
			uc_diag_set(diag, r, CARD, 0, NULL,
			    "object %X is not constructed", (unsigned)t.tag);
			goto out;
		}
		if (t.tag == UC_DO_IDENTITY && !seen_e1 && !seen_e2 &&
		    !out->has_bank && !seen_ef) {
			if ((r = parse_identity(&t, out, diag)) != 0)
				goto out;
			out->identity_tlv = start;
			out->identity_tlv_len = t.header_len + t.len;
			seen_e1 = 1;
		} else if (t.tag == UC_DO_PUBKEY && !seen_e2 &&
		    !out->has_bank && !seen_ef) {
			if ((r = parse_pubkey(&t, out, diag)) != 0)
				goto out;
			out->pubkey_tlv = start;
			out->pubkey_tlv_len = t.header_len + t.len;
			seen_e2 = 1;
		} else if (t.tag == UC_DO_BANK && !out->has_bank &&
		    !seen_ef) {
			if ((r = parse_bank(&t, out, diag)) != 0)
				goto out;
			out->bank_tlv = start;
			out->bank_tlv_len = t.header_len + t.len;
		} else if (t.tag == UC_DO_SECOBJ && !seen_ef) {
			if (t.len == 0 || t.len > UC_DO_SECOBJ_MAX) {
				uc_diag_set(diag, r, CARD, 0, "EF",
				    "size %zu outside 1-%u", t.len,
				    UC_DO_SECOBJ_MAX);
				goto out;
			}
			out->secobj_tlv = start;
			out->secobj_tlv_len = t.header_len + t.len;
			out->secobj = t.value;
			out->secobj_len = t.len;
			seen_ef = 1;
		} else {
			uc_diag_set(diag, r, CARD, 0, NULL,
			    "object %X unknown, repeated or out of order",
			    (unsigned)t.tag);
			goto out;
		}
	}
	r = UC_ERR_INVALID;
	if (!seen_e1 || !seen_e2 || !seen_ef) {
		uc_diag_set(diag, r, CARD, 0, !seen_e1 ? "E1" : !seen_e2 ?
		    "E2" : "EF", "missing: the card is not personalized");
		goto out;
	}
	if ((out->member.card_type == UC_CARD_TYPE_LINKED) != out->has_bank) {
		uc_diag_set(diag, r, CARD, 0, "E3", out->has_bank ?
		    "present on a regular card" : "missing on a linked card");
		goto out;
	}
	r = 0;
out:
	if (r != 0 && out != NULL)
		memset(out, 0, sizeof(*out));
	return r;
}
