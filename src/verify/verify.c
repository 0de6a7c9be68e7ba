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

#include "verify_priv.h"

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
set(struct uc_verify_result *res, int k, enum uc_verify_outcome outcome,
    const char *why, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Set check k: its outcome, the headline's words (why, static) when it
 * failed or could not decide, and the detail line.
 */
static void
set(struct uc_verify_result *res, int k, enum uc_verify_outcome outcome,
    const char *why, const char *fmt, ...)
{
	va_list ap;

	res->checks[k].outcome = outcome;
	res->checks[k].ok = outcome == UC_VERIFY_OK ||
	    outcome == UC_VERIFY_SKIPPED;
	res->checks[k].why = outcome == UC_VERIFY_FAILED ||
	    outcome == UC_VERIFY_UNDECIDED ? why : "";
	va_start(ap, fmt);
	vsnprintf(res->checks[k].detail, sizeof(res->checks[k].detail), fmt,
	    ap);
	va_end(ap);
}

/* The headline's words, one per way a check can fail (verdicts.md). */
#define WHY_BLANK "the card is blank: it was never personalized"
#define WHY_TERMINATED "the card has been terminated"
#define WHY_UNFINISHED "the card was never finished: it is not locked"
#define WHY_LIFECYCLE "the card is in an unknown state"
#define WHY_MALFORMED "the card's data is malformed"
#define WHY_OTHER_CHIP "the chip is not the one its data was issued to: " \
	"this card is a copy"
#define WHY_HASHES "its data was altered after signing"
#define WHY_SIGNATURE "the signature on its data is not valid"
#define WHY_CHAIN "it was not signed by a trusted union station"
#define WHY_CRL "the revocation list cannot be used: fetch a new one"
#define WHY_COPY "this card is a copy"
#define WHY_EXPIRED "the card has expired"
#define WHY_NOT_YET "the card is not yet valid"
#define WHY_REVOKED "the card is revoked, lost, stolen or replaced"
#define WHY_NO_SERIAL "the card carries no ledger card serial: no " \
	"status list can vouch for it"
#define WHY_LIST "the status list cannot vouch for this card"

/*
 * The verdict from the checks, in one place (applets-spec/verdicts.md):
 * the first failed check makes the card invalid; else the first check
 * that could not decide makes it "could not check"; else it is valid.
 */
void
uc_verify_conclude(struct uc_verify_result *res)
{
	size_t i;
	int undecided = -1;

	res->lead = -1;
	for (i = 0; i < res->n_checks; i++) {
		if (res->checks[i].outcome == UC_VERIFY_FAILED) {
			res->lead = (int)i;
			break;
		}
		if (res->checks[i].outcome == UC_VERIFY_UNDECIDED &&
		    undecided < 0)
			undecided = (int)i;
	}
	if (res->lead >= 0)
		res->verdict = UC_VERDICT_INVALID;
	else if (undecided >= 0) {
		res->lead = undecided;
		res->verdict = UC_VERDICT_COULD_NOT_CHECK;
	} else
		res->verdict = UC_VERDICT_VALID;
	res->valid = res->verdict == UC_VERDICT_VALID;
}

const char *
uc_verdict_name(enum uc_verdict v)
{
	switch (v) {
	case UC_VERDICT_VALID: return "valid";
	case UC_VERDICT_INVALID: return "invalid";
	case UC_VERDICT_COULD_NOT_CHECK: return "could not check";
	}
	return "could not check";
}

const char *
uc_verdict_json(enum uc_verdict v)
{
	return v == UC_VERDICT_VALID ? "valid" : v == UC_VERDICT_INVALID ?
	    "invalid" : "could_not_check";
}

const char *
uc_verify_outcome_name(enum uc_verify_outcome o)
{
	switch (o) {
	case UC_VERIFY_OK: return "ok";
	case UC_VERIFY_FAILED: return "failed";
	case UC_VERIFY_NOT_RUN: return "not run";
	case UC_VERIFY_SKIPPED: return "skipped";
	case UC_VERIFY_UNDECIDED: return "could not check";
	}
	return "could not check";
}

const struct uc_verify_check *
uc_verify_lead(const struct uc_verify_result *res)
{
	if (res == NULL || res->lead < 0 || (size_t)res->lead >= res->n_checks)
		return NULL;
	return &res->checks[res->lead];
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

/*
 * The hashes check without E2 (verdicts.md §4): the security object is
 * for this chip, lists exactly the objects read, and every one but E2
 * matches.  E2's hash is active_auth's: a chip whose key is not the
 * signed one is a copy, whatever else it carries.
 */
static int
hashes_but_e2(const struct uc_secobj_result *so,
    const uint8_t serial[UC_CARD_SERIAL_LEN],
    const struct uc_secobj_item *items, size_t n)
{
	const uint8_t *listed;
	uint8_t md[32];
	size_t i;

	if (CRYPTO_memcmp(so->serial, serial, UC_CARD_SERIAL_LEN) != 0 ||
	    so->n_hashes != n)
		return 0;
	for (i = 0; i < n; i++) {
		if ((listed = uc_secobj_result_hash(so, items[i].tag)) == NULL)
			return 0;
		if (items[i].tag == UC_DO_PUBKEY)
			continue;
		if (EVP_Digest(items[i].tlv, items[i].tlv_len, md, NULL,
		    EVP_sha256(), NULL) != 1 ||
		    CRYPTO_memcmp(listed, md, sizeof(md)) != 0)
			return 0;
	}
	return 1;
}

/* Every check from k on: not run, because check `after` failed. */
static void
not_run(struct uc_verify_result *res, int from, const char *after)
{
	int k;

	for (k = from; k < CK_COUNT; k++)
		set(res, k, UC_VERIFY_NOT_RUN, "", "not run: %s failed", after);
}

/*
 * objects (verdicts.md §3): the lifecycle first, then the objects'
 * structure, then E2 on the curve and C7 against the chip.  Returns 0
 * when they pass, 1 when they fail (nothing else can be judged: every
 * other check is not run), or <0 for input that is not even TLV (diag).
 * *o and c7hex are filled as far as the parse got.
 */
static int
check_objects(const uint8_t serial[UC_CARD_SERIAL_LEN], uint8_t lifecycle,
    const uint8_t *objects, size_t objects_len, struct uc_card_objects *o,
    char c7hex[2 * UC_CARD_SERIAL_LEN + 1], struct uc_verify_result *res,
    struct uc_diag *diag)
{
	struct uc_diag d;
	int r;

	if (lifecycle == UC_LIFECYCLE_TERMINATED) {
		set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_TERMINATED,
		    "the card has been terminated (lifecycle FF)");
		return 1;
	}
	if (lifecycle == UC_LIFECYCLE_BLANK) {
		res->blank = 1;
		set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_BLANK, "the card is "
		    "blank (lifecycle 01): no member data was ever written");
		return 1;
	}
	if (lifecycle != UC_LIFECYCLE_PERSONALIZING &&
	    lifecycle != LIFECYCLE_PERSONALIZED) {
		set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_LIFECYCLE,
		    "lifecycle %02X is none of 01 02 03 FF", lifecycle);
		return 1;
	}
	r = uc_card_objects_parse(objects, objects_len, o, &d);
	if (r == UC_ERR_TLV) {
		/* Not even TLV: broken or hostile, not a verdict. */
		uc_diag_set(diag, r, d.file, 0, d.field, "%s", d.msg);
		return r;
	}
	if (r != 0) {
		if (lifecycle == UC_LIFECYCLE_PERSONALIZING)
			set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_UNFINISHED,
			    "the card is not locked (lifecycle 02) and its "
			    "objects are incomplete: %s%s%s", d.field,
			    d.field[0] ? ": " : "", d.msg);
		else
			set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_MALFORMED,
			    "%s%s%s", d.field, d.field[0] ? ": " : "", d.msg);
		return 1;
	}
	res->have_fields = 1;
	res->member = o->member;
	memcpy(res->point, o->point, sizeof(res->point));
	if (o->secobj_tlv != NULL && EVP_Digest(o->secobj_tlv,
	    o->secobj_tlv_len, res->secobj_sha256, NULL, EVP_sha256(),
	    NULL) != 1)
		memset(res->secobj_sha256, 0, sizeof(res->secobj_sha256));
	uc_hex_encode(o->serial, UC_CARD_SERIAL_LEN, c7hex);
	if (lifecycle != LIFECYCLE_PERSONALIZED) {
		set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_UNFINISHED,
		    "the card is not locked (lifecycle %02X): its data may "
		    "still change", lifecycle);
		return 1;
	}
	if (uc_aa_point_check(o->point) != 0) {
		set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_MALFORMED,
		    "E2/86: not a point on P-256");
		return 1;
	}
	if (CRYPTO_memcmp(serial, o->serial, UC_CARD_SERIAL_LEN) != 0) {
		set(res, CK_OBJECTS, UC_VERIFY_FAILED, WHY_OTHER_CHIP,
		    "the chip's serial %s is not the serial %s (E1/C7) its "
		    "data was issued to", res->serial_hex, c7hex);
		return 1;
	}
	set(res, CK_OBJECTS, UC_VERIFY_OK, "", "E1 E2%s EF well-formed, "
	    "card locked, chip serial %s as in E1/C7", o->has_bank ? " E3" :
	    "", c7hex);
	return 0;
}

/*
 * hashes, signature, chain: the security object over E1, E2 (and E3),
 * its certificates judged at `when` (0: now).  *have_secobj is set when
 * the security object could be judged at all.  0, or <0 for a failure
 * that is no verdict (diag).
 */
static int
check_secobj(const struct uc_card_objects *o, const struct uc_verify_opts
    *opts, time_t when, struct uc_secobj_result *so, int *have_secobj,
    struct uc_verify_result *res, struct uc_diag *diag)
{
	struct uc_secobj_item items[4];
	struct uc_diag d;
	size_t n = 0;
	int r;

	items[n++] = (struct uc_secobj_item){ UC_DO_IDENTITY, o->identity_tlv,
		o->identity_tlv_len };
	items[n++] = (struct uc_secobj_item){ UC_DO_PUBKEY, o->pubkey_tlv,
		o->pubkey_tlv_len };
	if (o->has_bank)
		items[n++] = (struct uc_secobj_item){ UC_DO_BANK, o->bank_tlv,
			o->bank_tlv_len };
	r = uc_secobj_verify(o->secobj, o->secobj_len, opts->trust, when,
	    items, n, o->serial, so, &d);
	if (r == UC_ERR_INVALID) {
		set(res, CK_HASHES, UC_VERIFY_FAILED, WHY_HASHES,
		    "security object malformed: %s", d.msg);
		set(res, CK_SIGNATURE, UC_VERIFY_NOT_RUN, "",
		    "not run: the security object is malformed");
		set(res, CK_CHAIN, UC_VERIFY_NOT_RUN, "",
		    "not run: the security object is malformed");
		return 0;
	}
	if (r != 0 && r != UC_ERR_VERIFY)
		return uc_diag_set(diag, r, NULL, 0, "security object", "%s",
		    uc_strerror(r));
	*have_secobj = 1;
	if (so->hashes != UC_CHECK_PASS &&
	    hashes_but_e2(so, o->serial, items, n))
		set(res, CK_HASHES, UC_VERIFY_OK, "", "%zu object%s "
		    "match; E2 is not the signed key (active_auth)",
		    n - 1, n - 1 == 1 ? "" : "s");
	else
		set(res, CK_HASHES, so->hashes == UC_CHECK_PASS ?
		    UC_VERIFY_OK : UC_VERIFY_FAILED, WHY_HASHES, "%s",
		    so->hashes_detail[0] ? so->hashes_detail :
		    uc_check_str(so->hashes));
	set(res, CK_SIGNATURE, so->signature == UC_CHECK_PASS ?
	    UC_VERIFY_OK : UC_VERIFY_FAILED, WHY_SIGNATURE, "%s",
	    so->signature_detail[0] ? so->signature_detail :
	    uc_check_str(so->signature));
	set(res, CK_CHAIN, so->chain == UC_CHECK_PASS ? UC_VERIFY_OK :
	    so->chain == UC_CHECK_UNDECIDED ? UC_VERIFY_UNDECIDED :
	    UC_VERIFY_FAILED, so->chain == UC_CHECK_UNDECIDED ? WHY_CRL :
	    WHY_CHAIN, "%s", so->chain_detail[0] ? so->chain_detail :
	    uc_check_str(so->chain));
	snprintf(res->station, sizeof(res->station), "%s", so->station);
	return 0;
}

/*
 * active_auth: the chip, not just its data.  The chip must prove the key
 * the ISSUER signed: a signature by whatever key E2 shows proves nothing
 * when E2 itself is not the signed one (a copy of the data on a chip with
 * its own key).  0, or <0 when SHA-256 itself failed (diag).
 */
static int
check_active_auth(const struct uc_card_objects *o,
    const struct uc_secobj_result *so, int have_secobj,
    const uint8_t challenge[UC_VERIFY_CHALLENGE_LEN], const uint8_t *aa_sig,
    size_t aa_sig_len, uint16_t aa_sw, struct uc_verify_result *res,
    struct uc_diag *diag)
{
	const uint8_t *listed;
	uint8_t md[32];
	int r;

	listed = have_secobj ? uc_secobj_result_hash(so, UC_DO_PUBKEY) : NULL;
	if (EVP_Digest(o->pubkey_tlv, o->pubkey_tlv_len, md, NULL,
	    EVP_sha256(), NULL) != 1)
		return uc_diag_set(diag, UC_ERR_CRYPTO, NULL, 0, "E2",
		    "SHA-256");
	if (!have_secobj)
		set(res, CK_ACTIVE_AUTH, UC_VERIFY_NOT_RUN, "", "not run: no "
		    "signed key to check the chip against (hashes failed)");
	else if (listed == NULL || CRYPTO_memcmp(listed, md, sizeof(md)) != 0)
		set(res, CK_ACTIVE_AUTH, UC_VERIFY_FAILED, WHY_COPY, "the chip's "
		    "key (E2) is not the key the issuer signed for this card");
	else if (aa_sw != UC_SW_OK)
		set(res, CK_ACTIVE_AUTH, UC_VERIFY_FAILED, WHY_COPY, "the card "
		    "refused INTERNAL AUTHENTICATE (%04X: %s)", aa_sw,
		    uc_sw_describe(aa_sw));
	else if ((r = uc_aa_verify(o->point, o->serial, challenge, aa_sig,
	    aa_sig_len)) != 0)
		set(res, CK_ACTIVE_AUTH, UC_VERIFY_FAILED, WHY_COPY, "the chip's "
		    "signature does not match the key in E2 (%s)",
		    uc_strerror(r));
	else
		set(res, CK_ACTIVE_AUTH, UC_VERIFY_OK, "", "the chip signed a "
		    "fresh challenge with the key in E2");
	return 0;
}

/* expiry, on `day` (YYYYMMDD). */
static void
check_expiry(const struct uc_card_objects *o, const char *day,
    struct uc_verify_result *res)
{
	char shown[11], from[11];

	uc_verify_day_shown(o->member.expires_on, shown);
	if (strcmp(day, o->member.issued_on) < 0) {
		uc_verify_day_shown(o->member.issued_on, from);
		set(res, CK_EXPIRY, UC_VERIFY_FAILED, WHY_NOT_YET,
		    "not valid before %s", from);
	} else if (strcmp(day, o->member.expires_on) > 0)
		set(res, CK_EXPIRY, UC_VERIFY_FAILED, WHY_EXPIRED,
		    "expired on %s", shown);
	else
		set(res, CK_EXPIRY, UC_VERIFY_OK, "", "valid until %s", shown);
}

/* status: what the caller's status list says of this card. */
static void
check_status(const struct uc_card_objects *o, const char *c7hex,
    const struct uc_verify_opts *opts, struct uc_verify_result *res)
{
	char why[UC_VERIFY_DETAIL_MAX] = "";
	int revoked = 0;

	if (opts->status == NULL)
		set(res, CK_STATUS, UC_VERIFY_SKIPPED, "",
		    "skipped: no status list given");
	else if (o->member.card_serial[0] == '\0')
		set(res, CK_STATUS, UC_VERIFY_FAILED, WHY_NO_SERIAL, "the card "
		    "carries no ledger card serial (E1/CA), so no status list "
		    "can vouch for it");
	else if (opts->status(opts->status_ctx, c7hex,
	    o->member.card_serial, o->member.member_code,
	    &revoked, why, sizeof(why)) != 0)
		set(res, CK_STATUS, UC_VERIFY_UNDECIDED, WHY_LIST, "%s",
		    why[0] ? why : "the status list cannot answer for "
		    "this card");
	else if (revoked)
		set(res, CK_STATUS, UC_VERIFY_FAILED, WHY_REVOKED,
		    "revoked%s%s", why[0] ? ": " : "", why);
	else
		set(res, CK_STATUS, UC_VERIFY_OK, "", "not revoked%s%s",
		    why[0] ? ": " : "", why);
}

int
uc_verify_objects(const uint8_t serial[UC_CARD_SERIAL_LEN], uint8_t lifecycle,
    const uint8_t *objects, size_t objects_len,
    const uint8_t challenge[UC_VERIFY_CHALLENGE_LEN], const uint8_t *aa_sig,
    size_t aa_sig_len, uint16_t aa_sw, const struct uc_verify_opts *opts,
    struct uc_verify_result *res, struct uc_diag *diag)
{
	struct uc_card_objects o;
	struct uc_secobj_result so;
	char today[9], c7hex[2 * UC_CARD_SERIAL_LEN + 1];
	const char *day;
	time_t when;
	int k, r, have_secobj = 0;

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
	for (k = 0; k < CK_COUNT; k++)
		res->checks[k].name = check_names[k];
	uc_hex_encode(serial, UC_CARD_SERIAL_LEN, res->serial_hex);
	res->lifecycle = lifecycle;

	r = check_objects(serial, lifecycle, objects, objects_len, &o, c7hex,
	    res, diag);
	if (r < 0)
		goto out;
	if (r > 0) {
		not_run(res, CK_HASHES, "objects");
		r = 0;
		goto verdict;
	}
	uc_verify_today_vn(today);
	day = opts->check_date != NULL ? opts->check_date : today;
	/* Certificates: at check_time, else noon of the asked day unless
	 * that day is today (then now: a signer made this morning counts). */
	when = opts->check_time != 0 ? opts->check_time :
	    opts->check_date != NULL && strcmp(opts->check_date, today) != 0 ?
	    uc_verify_noon_vn(opts->check_date) : 0;
	if ((r = check_secobj(&o, opts, when, &so, &have_secobj, res,
	    diag)) != 0 ||
	    (r = check_active_auth(&o, &so, have_secobj, challenge, aa_sig,
	    aa_sig_len, aa_sw, res, diag)) != 0)
		goto out;
	check_expiry(&o, day, res);
	check_status(&o, c7hex, opts, res);
verdict:
	uc_verify_conclude(res);
out:
	if (r != 0 && res != NULL) {
		memset(res, 0, sizeof(*res));
		res->lead = -1;
		res->verdict = UC_VERDICT_COULD_NOT_CHECK;
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

	/* Terminated (refuses everything) or blank (holds nothing): the
	 * lifecycle alone decides, no further APDU. */
	if (ci.lifecycle == UC_LIFECYCLE_TERMINATED ||
	    ci.lifecycle == UC_LIFECYCLE_BLANK) {
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
	if (sw != UC_SW_OK && sw != UC_SW_DATA_NOT_FOUND) {
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
	if (r != 0 && res != NULL) {
		memset(res, 0, sizeof(*res));
		res->lead = -1;
		res->verdict = UC_VERDICT_COULD_NOT_CHECK;
	}
	if (res != NULL)
		res->apdus = uc_transport_apdu_count(t) - first;
	uc_buf_free(&objs);
	uc_buf_free(&sig);
	return r;
}

void
uc_verify_today_vn(char out[9])
{
	char iso[UC_DATE_ISO_LEN + 1];

	if (uc_date_format_iso(uc_date_today_vn(), iso) != 0)
		iso[0] = '\0';
	snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

time_t
uc_verify_noon_vn(const char *d)
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

void
uc_verify_day_shown(const char *d, char out[11])
{
	snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}
