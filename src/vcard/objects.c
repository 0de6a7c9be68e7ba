/*
 * objects.c - the data objects of union-applet.md §6: their checks and
 * their encoding.  The same checks run on STORE DATA (answering 6A80/6A84)
 * and on loading a state file (a tampered file is refused), so a card can
 * never hold an object that a real chip would have refused.
 */
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>
#include <unistr.h>

#include "unioncard/tlv.h"
#include "vcard/vcard_priv.h"


/* One allowed child of an object. */
struct child_rule {
	uint8_t tag;
	size_t min, max;
	int (*valid)(const uint8_t *v, size_t len);
	int optional;
};

static int
is_digits(const uint8_t *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

static int
is_unit_code(const uint8_t *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t ch = v[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '.' || ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

/* Valid UTF-8, no control characters, and already in Unicode NFC. */
static int
is_nfc_text(const uint8_t *v, size_t len)
{
	uint8_t *norm;
	size_t nlen = 0, i;
	int ok;

	if (u8_check(v, len) != NULL)
		return 0;
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	norm = u8_normalize(UNINORM_NFC, v, len, NULL, &nlen);
	if (norm == NULL)
		return 0;
	ok = nlen == len && memcmp(norm, v, len) == 0;
	free(norm);
	return ok;
}

static int
is_card_type(const uint8_t *v, size_t len)
{
	return len == 1 && (v[0] == 0x01 || v[0] == 0x02);
}

/* YYYYMMDD naming a real calendar day. */
static int
is_date(const uint8_t *v, size_t len)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y, m, d;

	if (len != 8 || !is_digits(v, len))
		return 0;
	y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 +
	    (v[3] - '0');
	m = (v[4] - '0') * 10 + (v[5] - '0');
	d = (v[6] - '0') * 10 + (v[7] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0))
		return 0;
	return 1;
}

static int
any_bytes(const uint8_t *v, size_t len)
{
	(void)v;
	(void)len;
	return 1;
}

static const struct child_rule e1_rules[] = {
	{ 0xc0, 1, 20, is_digits, 0 },
	{ 0xc1, 1, 128, is_nfc_text, 0 },
	{ 0xc2, 1, 32, is_unit_code, 0 },
	{ 0xc3, 1, 160, is_nfc_text, 0 },
	{ 0xc4, 1, 1, is_card_type, 0 },
	{ 0xc5, 8, 8, is_date, 0 },
	{ 0xc6, 8, 8, is_date, 0 },
	{ 0xc7, 8, 8, any_bytes, 0 },
	{ 0xca, 11, 11, is_digits, 1 }, /* the ledger's card serial */
};

static const struct child_rule e3_rules[] = {
	{ 0xc8, 32, 32, any_bytes, 0 },
	{ 0xc9, 5, 16, any_bytes, 0 },
};

/*
 * Check that v holds exactly the children of rules, each once, primitive,
 * in ascending tag order (which the rule table is in), and fill found[]
 * with each child's value.
 */
static uint16_t
check_children(const uint8_t *v, size_t len, const struct child_rule *rules,
    size_t nrules, struct uc_tlv *found, const char **why)
{
	struct uc_tlv_reader rd;
	struct uc_tlv t;
	size_t next = 0, i;

	uc_tlv_reader_init(&rd, v, len);
	while (uc_tlv_reader_more(&rd)) {
		if (uc_tlv_next(&rd, &t) != 0) {
			*why = "malformed BER-TLV";
			return UC_SW_WRONG_DATA;
		}
		for (i = next; i < nrules; i++)
			if (rules[i].tag == t.tag)
				break;
		if (i == nrules) {
			*why = "unknown, repeated or out-of-order child tag";
			return UC_SW_WRONG_DATA;
		}
		for (; next < i; next++)
			if (!rules[next].optional) {
				*why = "missing child tag";
				return UC_SW_WRONG_DATA;
			}
		if (t.constructed || t.len < rules[i].min ||
		    t.len > rules[i].max || !rules[i].valid(t.value, t.len)) {
			*why = "child value has a wrong size or format";
			return UC_SW_WRONG_DATA;
		}
		found[i] = t;
		next++;
	}
	for (; next < nrules; next++)
		if (!rules[next].optional) {
			*why = "missing child tag";
			return UC_SW_WRONG_DATA;
		}
	return 0;
}

uint16_t
vc_check_e1(const uint8_t *v, size_t len, const uint8_t serial[8],
    const char **why)
{
	struct uc_tlv f[sizeof(e1_rules) / sizeof(e1_rules[0])];
	const char *dummy;
	uint16_t sw;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (len > VC_E1_MAX) {
		*why = "E1 larger than 512 bytes";
		return UC_SW_NO_SPACE;
	}
	memset(f, 0, sizeof(f));
	sw = check_children(v, len, e1_rules, sizeof(e1_rules) /
	    sizeof(e1_rules[0]), f, why);
	if (sw != 0)
		return sw;
	/* C6 expires not before C5 issued: YYYYMMDD compares as text. */
	if (memcmp(f[6].value, f[5].value, 8) < 0) {
		*why = "C6 (expires on) is before C5 (issued on)";
		return UC_SW_WRONG_DATA;
	}
	if (memcmp(f[7].value, serial, 8) != 0) {
		*why = "C7 (card serial) is not this card's serial";
		return UC_SW_WRONG_DATA;
	}
	return 0;
}

uint16_t
vc_check_e3(const uint8_t *v, size_t len, const char **why)
{
	struct uc_tlv f[2];
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (len > VC_E3_MAX) {
		*why = "E3 larger than 128 bytes";
		return UC_SW_NO_SPACE;
	}
	return check_children(v, len, e3_rules, 2, f, why);
}

/*
 * The security object's contents must be one DER SEQUENCE (a CMS
 * ContentInfo) filling them exactly.  Its signature is the verifier's
 * business, not the chip's.
 */
uint16_t
vc_check_ef(const uint8_t *v, size_t len, const char **why)
{
	struct uc_tlv t;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (len > VC_EF_MAX) {
		*why = "EF larger than 3072 bytes";
		return UC_SW_NO_SPACE;
	}
	if (len == 0 || uc_tlv_parse_one(v, len, &t) != 0 || t.tag != 0x30) {
		*why = "EF is not one DER SEQUENCE";
		return UC_SW_WRONG_DATA;
	}
	return 0;
}

int
vc_pan_valid(const char *s)
{
	size_t n = strlen(s), i;
	unsigned sum = 0;

	if (n < VC_PAN_MIN || n > VC_PAN_MAX ||
	    !is_digits((const uint8_t *)s, n))
		return 0;
	/* Luhn: double every second digit from the right. */
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[n - 1 - i] - '0');

		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int
vc_object_present(const struct vc_nv *nv, uint8_t tag)
{
	switch (tag) {
	case 0xe1:
		return nv->e1_len != 0;
	case 0xe2:
		return nv->has_key;
	case 0xe3:
		return nv->e3_len != 0;
	case 0xef:
		return nv->ef_len != 0;
	default:
		return 0;
	}
}

int
vc_object_encode(const struct vc_nv *nv, uint8_t tag, struct uc_buf *out)
{
	uint8_t e2[2 + VC_EC_PUB_LEN];

	switch (tag) {
	case 0xe1:
		return uc_tlv_put(out, tag, nv->e1, nv->e1_len);
	case 0xe2:
		e2[0] = 0x86;
		e2[1] = VC_EC_PUB_LEN;
		memcpy(e2 + 2, nv->ec_pub, VC_EC_PUB_LEN);
		return uc_tlv_put(out, tag, e2, sizeof(e2));
	case 0xe3:
		return uc_tlv_put(out, tag, nv->e3, nv->e3_len);
	case 0xef:
		return uc_tlv_put(out, tag, nv->ef, nv->ef_len);
	default:
		return UC_ERR_ARG;
	}
}
