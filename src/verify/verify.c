/*
 * verify.c - read a card back and decide (verify.h).
 *
 * Reading is kept apart from judging: uc_verify_card() only moves bytes
 * (three APDUs on a card that takes extended lengths) and hands them to
 * uc_verify_objects(), which is pure and is what the worked example and
 * the replay tests exercise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "unioncard/aa.h"
#include "unioncard/applet.h"
#include "unioncard/date.h"
#include "unioncard/secobj.h"
#include "unioncard/verify.h"

#define INS_GET_DATA 0xCA
#define INS_INTERNAL_AUTHENTICATE 0x88
#define LIFECYCLE_PERSONALIZED UC_LIFECYCLE_PERSONALIZED

enum {
	CK_OBJECTS,
	CK_HASHES,
	CK_SIGNATURE,
	CK_CHAIN,
	CK_ACTIVE_AUTH,
	CK_EXPIRY,
	CK_STATUS,
	CK_COUNT
};

static const char *const check_names[CK_COUNT] = {
	"objects", "hashes", "signature", "chain", "active_auth", "expiry",
	"status",
};

static void
set(struct uc_verify_result *res, int k, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
set(struct uc_verify_result *res, int k, int ok, const char *fmt, ...)
{
	va_list ap;

	res->checks[k].ok = ok;
	va_start(ap, fmt);
	vsnprintf(res->checks[k].detail, sizeof(res->checks[k].detail), fmt,
	    ap);
	va_end(ap);
}

const struct uc_verify_check *
uc_verify_find(const struct uc_verify_result *res, const char *name)
{
	size_t i;

	if (res == NULL || name == NULL)
		return NULL;
	for (i = 0; i < res->n_checks; i++)
		if (strcmp(res->checks[i].name, name) == 0)
			return &res->checks[i];
	return NULL;
}

/* Today in Vietnam, "YYYYMMDD". */
static void
today_vn(char out[9])
{
	char iso[UC_DATE_ISO_LEN + 1];

	if (uc_date_format_iso(uc_date_today_vn(), iso) != 0)
		iso[0] = '\0';
	snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

/* Noon in Vietnam on day "YYYYMMDD" (05:00 UTC), for certificate checks
 * when the officer asked about another day. */
static time_t
date_time(const char *d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = ((d[0] - '0') * 1000 + (d[1] - '0') * 100 +
	    (d[2] - '0') * 10 + (d[3] - '0')) - 1900;
	tm.tm_mon = (d[4] - '0') * 10 + (d[5] - '0') - 1;
	tm.tm_mday = (d[6] - '0') * 10 + (d[7] - '0');
	tm.tm_hour = 5;
	return timegm(&tm);
}

static void
fmt_date(const char *d, char out[11])
{
	snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

int
uc_verify_objects(const uint8_t serial[UC_CARD_SERIAL_LEN], uint8_t lifecycle,
    const uint8_t *objects, size_t objects_len,
    const uint8_t challenge[UC_VERIFY_CHALLENGE_LEN], const uint8_t *aa_sig,
    size_t aa_sig_len, uint16_t aa_sw, const struct uc_verify_opts *opts,
    struct uc_verify_result *res, struct uc_diag *diag)
{
	struct uc_card_objects o;
	struct uc_secobj_item items[4];
	struct uc_secobj_result so;
	struct uc_diag d;
	char today[9], shown[11], c7hex[2 * UC_CARD_SERIAL_LEN + 1];
	const char *day;
	time_t when;
	const uint8_t *listed;
	uint8_t md[32];
	size_t n = 0;
	int k, r, revoked = 0;

	memset(&o, 0, sizeof(o));
	memset(&so, 0, sizeof(so));
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	uc_diag_clear(diag);
	if (serial == NULL || (objects == NULL && objects_len != 0) ||
	    challenge == NULL || opts == NULL || opts->trust == NULL ||
	    res == NULL)
		return UC_ERR_ARG;
	if (opts->check_date != NULL && !uc_member_date_valid(
	    opts->check_date))
		return uc_diag_set(diag, UC_ERR_ARG, NULL, 0, "date",
		    "not a date YYYYMMDD");
	res->n_checks = CK_COUNT;
	for (k = 0; k < CK_COUNT; k++) {
		res->checks[k].name = check_names[k];
		set(res, k, 0, "not checked: the card's objects are unusable");
	}
	uc_hex_encode(serial, UC_CARD_SERIAL_LEN, res->serial_hex);
	res->lifecycle = lifecycle;

	/* objects */
	if (lifecycle == UC_LIFECYCLE_TERMINATED) {
		set(res, CK_OBJECTS, 0, "the card has been terminated");
		r = 0;
		goto verdict;
	}
	r = uc_card_objects_parse(objects, objects_len, &o, &d);
	if (r == UC_ERR_TLV) {
		/* Not even TLV: broken or hostile, not a verdict. */
		uc_diag_set(diag, r, d.file, 0, d.field, "%s", d.msg);
		goto out;
	}
	if (r != 0) {
		set(res, CK_OBJECTS, 0, "%s%s%s", d.field, d.field[0] ? ": " :
		    "", d.msg);
		r = 0;
		goto verdict;
	}
	res->have_fields = 1;
	res->member = o.member;
	memcpy(res->point, o.point, sizeof(res->point));
	if (o.secobj_tlv != NULL && EVP_Digest(o.secobj_tlv, o.secobj_tlv_len,
	    res->secobj_sha256, NULL, EVP_sha256(), NULL) != 1)
		memset(res->secobj_sha256, 0, sizeof(res->secobj_sha256));
	if (lifecycle != LIFECYCLE_PERSONALIZED)
		set(res, CK_OBJECTS, 0, "the card is not locked (lifecycle "
		    "%02X): its data may still change", lifecycle);
	else
		set(res, CK_OBJECTS, 1, "E1 E2%s EF well-formed, card locked",
		    o.has_bank ? " E3" : "");

	/* hashes, signature, chain */
	items[n++] = (struct uc_secobj_item){ UC_DO_IDENTITY, o.identity_tlv,
		o.identity_tlv_len };
	items[n++] = (struct uc_secobj_item){ UC_DO_PUBKEY, o.pubkey_tlv,
		o.pubkey_tlv_len };
	if (o.has_bank)
		items[n++] = (struct uc_secobj_item){ UC_DO_BANK, o.bank_tlv,
			o.bank_tlv_len };
	today_vn(today);
	day = opts->check_date != NULL ? opts->check_date : today;
	/* Certificates: at check_time, else noon of the asked day unless
	 * that day is today (then now: a signer made this morning counts). */
	today_vn(today);
	when = opts->check_time != 0 ? opts->check_time :
	    opts->check_date != NULL && strcmp(opts->check_date, today) != 0 ?
	    date_time(opts->check_date) : 0;
	r = uc_secobj_verify(o.secobj, o.secobj_len, opts->trust, when, items,
	    n, o.serial, &so, &d);
	if (r == UC_ERR_INVALID) {
		set(res, CK_HASHES, 0, "security object malformed: %s", d.msg);
		set(res, CK_SIGNATURE, 0, "security object malformed");
		set(res, CK_CHAIN, 0, "security object malformed");
	} else if (r != 0 && r != UC_ERR_VERIFY) {
		uc_diag_set(diag, r, NULL, 0, "security object", "%s",
		    uc_strerror(r));
		goto out;
	} else {
		set(res, CK_HASHES, so.hashes == UC_CHECK_PASS, "%s",
		    so.hashes_detail[0] ? so.hashes_detail :
		    uc_check_str(so.hashes));
		set(res, CK_SIGNATURE, so.signature == UC_CHECK_PASS, "%s",
		    so.signature_detail[0] ? so.signature_detail :
		    uc_check_str(so.signature));
		set(res, CK_CHAIN, so.chain == UC_CHECK_PASS, "%s",
		    so.chain_detail[0] ? so.chain_detail :
		    uc_check_str(so.chain));
		snprintf(res->station, sizeof(res->station), "%s",
		    so.station);
	}

	/*
	 * active_auth: the chip, not just its data.  The chip must prove
	 * the key the ISSUER signed: a signature by whatever key E2 shows
	 * proves nothing when E2 itself is not the signed one (a copy of the
	 * data on a chip with its own key).
	 */
	uc_hex_encode(o.serial, UC_CARD_SERIAL_LEN, c7hex);
	listed = r == 0 || r == UC_ERR_VERIFY ?
	    uc_secobj_result_hash(&so, UC_DO_PUBKEY) : NULL;
	if (EVP_Digest(o.pubkey_tlv, o.pubkey_tlv_len, md, NULL,
	    EVP_sha256(), NULL) != 1) {
		r = uc_diag_set(diag, UC_ERR_CRYPTO, NULL, 0, "E2", "SHA-256");
		goto out;
	}
	if (CRYPTO_memcmp(serial, o.serial, UC_CARD_SERIAL_LEN) != 0)
		set(res, CK_ACTIVE_AUTH, 0, "the chip's serial %s is not the "
		    "serial %s its data was issued to", res->serial_hex, c7hex);
	else if (listed == NULL || CRYPTO_memcmp(listed, md, sizeof(md)) != 0)
		set(res, CK_ACTIVE_AUTH, 0, "the chip's key (E2) is not the key "
		    "the issuer signed for this card");
	else if (aa_sw != UC_SW_OK)
		set(res, CK_ACTIVE_AUTH, 0, "the card refused INTERNAL "
		    "AUTHENTICATE (%04X: %s)", aa_sw, uc_sw_describe(aa_sw));
	else if ((r = uc_aa_verify(o.point, o.serial, challenge, aa_sig,
	    aa_sig_len)) != 0)
		set(res, CK_ACTIVE_AUTH, 0, "the chip's signature does not "
		    "match the key in E2 (%s)", uc_strerror(r));
	else
		set(res, CK_ACTIVE_AUTH, 1, "the chip signed a fresh challenge "
		    "with the key in E2");
	r = 0;

	/* expiry */
	fmt_date(o.member.expires_on, shown);
	if (strcmp(day, o.member.issued_on) < 0) {
		char from[11];

		fmt_date(o.member.issued_on, from);
		set(res, CK_EXPIRY, 0, "not valid before %s", from);
	} else if (strcmp(day, o.member.expires_on) > 0)
		set(res, CK_EXPIRY, 0, "expired on %s", shown);
	else
		set(res, CK_EXPIRY, 1, "valid until %s", shown);

	/* status */
	if (opts->status == NULL)
		set(res, CK_STATUS, 1, "skipped: no status list given");
	else {
		char why[UC_VERIFY_DETAIL_MAX] = "";

		if (opts->status(opts->status_ctx, c7hex,
		    o.member.card_serial, o.member.member_code,
		    &revoked, why, sizeof(why)) != 0)
			set(res, CK_STATUS, 0, "the status list cannot answer "
			    "for this card%s%s", why[0] ? ": " : "", why);
		else if (revoked)
			set(res, CK_STATUS, 0, "revoked%s%s", why[0] ? ": " : "",
			    why);
		else
			set(res, CK_STATUS, 1, "not revoked%s%s", why[0] ?
			    ": " : "", why);
	}

verdict:
	res->valid = 1;
	for (k = 0; k < CK_COUNT; k++)
		if (!res->checks[k].ok)
			res->valid = 0;
out:
	if (r != 0 && res != NULL) {
		memset(res, 0, sizeof(*res));
	}
	return r;
}

int
uc_verify_card(struct uc_transport *t, const struct uc_verify_opts *opts,
    struct uc_verify_result *res, struct uc_diag *diag)
{
	struct uc_card_info ci;
	struct uc_buf objs = UC_BUF_INIT, sig = UC_BUF_INIT;
	uint8_t challenge[UC_VERIFY_CHALLENGE_LEN];
	struct uc_apdu a;
	uint64_t first;
	uint16_t sw = 0, aa_sw = 0;
	int r;

	memset(&ci, 0, sizeof(ci));
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	uc_diag_clear(diag);
	if (t == NULL || opts == NULL || res == NULL)
		return UC_ERR_ARG;
	first = uc_transport_apdu_count(t);

	if ((r = uc_applet_select(t, &ci, &sw)) != 0) {
		uc_diag_set(diag, r, NULL, 0, "select", "%s", sw != 0 ?
		    uc_sw_describe(sw) : uc_strerror(r));
		goto out;
	}

	if (ci.lifecycle == UC_LIFECYCLE_TERMINATED) {
		memset(challenge, 0, sizeof(challenge));
		r = uc_verify_objects(ci.serial, ci.lifecycle, NULL, 0,
		    challenge, NULL, 0, 0, opts, res, diag);
		goto out;
	}

	/* Every object in one GET DATA; extended Le when the card takes
	 * it, else the 61xx loop of uc_apdu_exchange. */
	memset(&a, 0, sizeof(a));
	a.cla = 0x00;
	a.ins = INS_GET_DATA;
	a.p1 = (uint8_t)(UC_DO_ALL >> 8);
	a.p2 = (uint8_t)UC_DO_ALL;
	a.le = ci.max_resp > UC_APDU_LE_MAX_SHORT ?
	    UC_APDU_LE_MAX_EXT : UC_APDU_LE_MAX_SHORT;
	/* A contactless link through libnfc carries short APDUs only. */
	if (a.le > uc_transport_max_le(t))
		a.le = uc_transport_max_le(t);
	if ((r = uc_apdu_exchange(t, &a, 0, &objs, &sw)) != 0) {
		uc_diag_set(diag, r, NULL, 0, "get data", "%s",
		    uc_strerror(r));
		goto out;
	}
	if (sw != UC_SW_OK && sw != 0x6A88) {
		r = uc_diag_set(diag, UC_ERR_PROTOCOL, NULL, 0, "get data",
		    "card answered %04X (%s)", sw, uc_sw_describe(sw));
		goto out;
	}
	if (objs.len > UC_DO_ALL_MAX) {
		r = uc_diag_set(diag, UC_ERR_TOO_LONG, NULL, 0, "get data",
		    "%zu bytes of data objects, at most %u", objs.len,
		    UC_DO_ALL_MAX);
		goto out;
	}

	/* A fresh challenge, so a recorded answer is worthless. */
	if ((r = uc_aa_random_challenge(challenge)) != 0)
		goto out;
	memset(&a, 0, sizeof(a));
	a.cla = 0x00;
	a.ins = INS_INTERNAL_AUTHENTICATE;
	a.data = challenge;
	a.lc = sizeof(challenge);
	a.le = UC_APDU_LE_MAX_SHORT;
	if ((r = uc_apdu_exchange(t, &a, 0, &sig, &aa_sw)) != 0) {
		uc_diag_set(diag, r, NULL, 0, "internal authenticate", "%s",
		    uc_strerror(r));
		goto out;
	}
	if (sig.len > UC_AA_SIG_MAX)
		sig.len = UC_AA_SIG_MAX + 1; /* fails as malformed */
	r = uc_verify_objects(ci.serial, ci.lifecycle, objs.data, objs.len,
	    challenge, sig.data, sig.len, aa_sw, opts, res, diag);
	/* Linked cards: the bank side last, it deselects the applet. */
	if (r == 0 && (r = uc_verify_bank_link(t, ci.serial, objs.data,
	    objs.len, opts, res, diag)) != 0)
		memset(res, 0, sizeof(*res));
out:
	if (res != NULL)
		res->apdus = uc_transport_apdu_count(t) - first;
	uc_buf_free(&objs);
	uc_buf_free(&sig);
	return r;
}
