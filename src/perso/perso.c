/*
 * perso.c - the personalization sequence (perso.h, applet spec §2, §5).
 *
 * Order matters for safety: everything that can be checked without
 * touching the card (member fits the object limits, card state, linked
 * card has its PAN) is checked before the secure channel opens, and the
 * secure channel itself checks the card cryptogram before sending
 * EXTERNAL AUTHENTICATE, so a wrong master key never costs the card a try
 * nor writes a byte.  The cryptograms prove only the MAC keys, so the
 * first command that may change the card is one whose data is encrypted:
 * STORE DATA of the identity (and bank link), before GENERATE KEY.  A
 * card that cannot decrypt it (a wrong ENC key) refuses it with 69 88 and,
 * STORE DATA being atomic, is left exactly as it was.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "unioncard/applet.h"
#include "unioncard/perso.h"
#include "unioncard/secobj.h"
#include "unioncard/tlv.h"

#define INS_GENERATE_KEY 0x47
#define INS_STORE_DATA 0xE2
#define INS_SET_STATUS 0xF0
#define CLA_GP 0x80 /* the channel adds the SM bit (84) */
#define LIFECYCLE_BLANK UC_LIFECYCLE_BLANK
#define LIFECYCLE_PERSONALIZING UC_LIFECYCLE_PERSONALIZING
#define LIFECYCLE_PERSONALIZED UC_LIFECYCLE_PERSONALIZED

const char *
uc_perso_stage_str(enum uc_perso_stage s)
{
	switch (s) {
	case UC_PERSO_STAGE_NONE:
		return "start";
	case UC_PERSO_STAGE_SELECT:
		return "select";
	case UC_PERSO_STAGE_CHANNEL:
		return "secure channel";
	case UC_PERSO_STAGE_IDENTITY:
		return "store identity";
	case UC_PERSO_STAGE_GENERATE:
		return "generate key";
	case UC_PERSO_STAGE_STORE:
		return "store security object";
	case UC_PERSO_STAGE_LOCK:
		return "lock";
	case UC_PERSO_STAGE_DONE:
		return "done";
	}
	return "?";
}

/* One command through the channel; anything but 90 00 is an error. */
static int
send_sm(struct uc_scp03_host *h, struct uc_transport *t,
    const struct uc_apdu *a, struct uc_buf *resp,
    struct uc_perso_result *res, struct uc_diag *d, const char *what)
{
	uint16_t sw = 0;
	int r;

	if ((r = uc_scp03_transmit(h, t, a, resp, &sw)) != 0)
		return uc_diag_set(d, r, NULL, 0, what, "%s", uc_strerror(r));
	res->last_sw = sw;
	if (sw != UC_SW_OK)
		return uc_diag_set(d, uc_sw_to_err(sw), NULL, 0, what,
		    "card answered %04X (%s)", sw, uc_sw_describe(sw));
	return 0;
}

/* E2 as returned by GENERATE KEY: exactly E2 { 86 [65] 04.. }. */
static int
check_pubkey(const struct uc_buf *e2, uint8_t point[UC_EC_POINT_LEN],
    struct uc_diag *d)
{
	struct uc_tlv o, c;

	if (uc_tlv_parse_one(e2->data, e2->len, &o) != 0 ||
	    o.tag != UC_DO_PUBKEY ||
	    uc_tlv_parse_one(o.value, o.len, &c) != 0 ||
	    c.tag != UC_TAG_EC_POINT || c.len != UC_EC_POINT_LEN ||
	    c.value[0] != 0x04)
		return uc_diag_set(d, UC_ERR_PROTOCOL, NULL, 0, "E2",
		    "GENERATE KEY answer is not an E2 object with a P-256 "
		    "point");
	memcpy(point, c.value, UC_EC_POINT_LEN);
	return 0;
}

static int
sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return UC_ERR_CRYPTO;
	return 0;
}

/* Why the secure channel did not open; nothing was written. */
static int
channel_failed(int r, const struct uc_perso_result *res, struct uc_diag *d)
{
	char card[32];

	if (res->card_kvn >= 0)
		snprintf(card, sizeof(card), "%d (0x%02X)", res->card_kvn,
		    (unsigned)res->card_kvn);
	else
		snprintf(card, sizeof(card), "unknown");
	if (r == UC_ERR_AUTH && res->card_kvn == res->keys_kvn)
		return uc_diag_set(d, r, NULL, 0, "secure channel",
		    "the card does not know these keys: the card has key "
		    "version %s and so has the key directory, but its "
		    "master keys are not the card's (another issuer's "
		    "blanks, or the wrong --keys); nothing was written", card);
	if (r == UC_ERR_AUTH)
		return uc_diag_set(d, r, NULL, 0, "secure channel",
		    "the card does not know these keys: the card has key "
		    "version %s, the key directory has %d (0x%02X); nothing "
		    "was written", card, res->keys_kvn,
		    (unsigned)res->keys_kvn);
	if (r == UC_ERR_KEY)
		return uc_diag_set(d, r, NULL, 0, "secure channel",
		    "the secure channel's ENC key does not match this card "
		    "(wrong key file: its MAC key fits, its ENC key does "
		    "not); nothing was written");
	return uc_diag_set(d, r, NULL, 0, "secure channel", "%s",
	    uc_strerror(r));
}

/* One STORE DATA sequence: the DGIs in as many blocks as the card takes. */
static int
store_sequence(struct uc_scp03_host *h, struct uc_transport *t,
    const struct uc_buf *dgis, struct uc_perso_result *res,
    struct uc_diag *d, const char *what)
{
	struct uc_store_block blocks[UC_STORE_DATA_MAX_BLOCKS];
	struct uc_apdu a;
	size_t n_blocks = 0, i;
	int r;

	if ((r = uc_store_data_plan(dgis->len, res->block_max, blocks,
	    UC_STORE_DATA_MAX_BLOCKS, &n_blocks)) != 0)
		return uc_diag_set(d, r, NULL, 0, what,
		    "%zu bytes do not fit 256 blocks of %zu", dgis->len,
		    res->block_max);
	for (i = 0; i < n_blocks; i++) {
		memset(&a, 0, sizeof(a));
		a.cla = CLA_GP;
		a.ins = INS_STORE_DATA;
		a.p1 = blocks[i].p1;
		a.p2 = blocks[i].p2;
		a.data = dgis->data + blocks[i].off;
		a.lc = blocks[i].len;
		if ((r = send_sm(h, t, &a, NULL, res, d, what)) != 0)
			return r;
		res->store_blocks++;
	}
	return 0;
}

/* Did opening the channel check the card challenge, i.e. Key-ENC? */
static int
enc_proven(const struct uc_scp03_host *h)
{
	struct uc_scp03_card_info info;

	return uc_scp03_host_card_info(h, &info) == 0 && info.has_seq;
}

/*
 * The first write: E1 (and E3) in one sequence, encrypted.  The channel
 * opened, so the MAC keys are right; a card that cannot decrypt the data
 * (bad padding: 69 88, secure-channel.md §10) holds another ENC key —
 * unless the card challenge already proved it (a card with a
 * pseudo-random challenge), when 69 88 is something else.  A refused
 * sequence commits nothing (spec §5.3): the card is as it was.
 */
static int
store_identity(struct uc_scp03_host *h, struct uc_transport *t,
    const struct uc_buf *e1, const struct uc_buf *e3,
    struct uc_perso_result *res, struct uc_diag *d)
{
	struct uc_buf dgis = UC_BUF_INIT;
	const char *was = res->lifecycle_before == LIFECYCLE_BLANK ?
	    "still blank" : "as it was";
	int r, proven = enc_proven(h);

	res->stage = UC_PERSO_STAGE_IDENTITY;
	res->last_sw = 0;
	if ((r = uc_dgi_append_object(&dgis, e1->data, e1->len)) != 0 ||
	    (e3->len > 0 && (r = uc_dgi_append_object(&dgis, e3->data,
	    e3->len)) != 0))
		goto out;
	if ((r = store_sequence(h, t, &dgis, res, d, "store identity")) == 0)
		goto out;
	if (res->last_sw == UC_SW_SM_DATA && !proven)
		r = uc_diag_set(d, UC_ERR_KEY, NULL, 0, "secure channel",
		    "the secure channel's ENC key does not match this card "
		    "(wrong key file: its MAC key fits, its ENC key does "
		    "not): the card refused the first write, nothing was "
		    "written");
	else if (res->last_sw != 0 && res->last_sw != UC_SW_OK)
		r = uc_diag_set(d, r, NULL, 0, "store identity",
		    "card answered %04X (%s) to the identity object; nothing "
		    "was written, the card is %s", res->last_sw,
		    uc_sw_describe(res->last_sw), was);
out:
	uc_buf_free(&dgis);
	return r;
}

/* GENERATE KEY: the card's P-256 key pair, its public half as E2. */
static int
generate_key(struct uc_scp03_host *h, struct uc_transport *t,
    struct uc_buf *e2, struct uc_perso_result *res, struct uc_diag *d)
{
	struct uc_apdu a;
	int r;

	res->stage = UC_PERSO_STAGE_GENERATE;
	memset(&a, 0, sizeof(a));
	a.cla = CLA_GP;
	a.ins = INS_GENERATE_KEY;
	a.p1 = 0x80;
	a.le = UC_APDU_LE_MAX_SHORT;
	if ((r = send_sm(h, t, &a, e2, res, d, "generate key")) != 0)
		return r;
	return check_pubkey(e2, res->point, d);
}

/* The security object over E1, E2 (and E3), signed and written as EF. */
static int
store_secobj(struct uc_scp03_host *h, struct uc_transport *t,
    const struct uc_perso_keys *keys, const struct uc_buf *e1,
    const struct uc_buf *e2, const struct uc_buf *e3,
    struct uc_perso_result *res, struct uc_diag *d)
{
	struct uc_buf der = UC_BUF_INIT, ef = UC_BUF_INIT, dgis = UC_BUF_INIT;
	struct uc_secobj_item items[3];
	size_t n_items = 0;
	int r;

	res->stage = UC_PERSO_STAGE_STORE;
	items[n_items++] = (struct uc_secobj_item){ UC_DO_IDENTITY, e1->data,
		e1->len };
	items[n_items++] = (struct uc_secobj_item){ UC_DO_PUBKEY, e2->data,
		e2->len };
	if (e3->len > 0)
		items[n_items++] = (struct uc_secobj_item){ UC_DO_BANK,
			e3->data, e3->len };
	if ((r = uc_secobj_create(keys->signer, res->serial, items, n_items,
	    &der)) != 0) {
		uc_diag_set(d, r, NULL, 0, "security object",
		    "cannot sign: %s", uc_strerror(r));
		goto out;
	}
	if ((r = uc_tlv_put(&ef, UC_DO_SECOBJ, der.data, der.len)) != 0 ||
	    (r = sha256(ef.data, ef.len, res->secobj_sha256)) != 0 ||
	    (r = uc_dgi_append(&dgis, UC_DO_SECOBJ, der.data, der.len)) != 0)
		goto out;
	r = store_sequence(h, t, &dgis, res, d, "store security object");
out:
	uc_buf_free(&der);
	uc_buf_free(&ef);
	uc_buf_free(&dgis);
	return r;
}

/* SET STATUS 03: locked, read-only for ever. */
static int
lock_card(struct uc_scp03_host *h, struct uc_transport *t,
    struct uc_perso_result *res, struct uc_diag *d)
{
	struct uc_apdu a;

	res->stage = UC_PERSO_STAGE_LOCK;
	memset(&a, 0, sizeof(a));
	a.cla = CLA_GP;
	a.ins = INS_SET_STATUS;
	a.p1 = 0x80;
	a.p2 = LIFECYCLE_PERSONALIZED;
	return send_sm(h, t, &a, NULL, res, d, "set status");
}

/*
 * The card's last valid moment: the end of its expiry day in Vietnam
 * (UTC+7), against the signer's certificate.  UC_ERR_KEY when the signer
 * ends first.
 */
static int
signer_covers(const struct uc_signer *s, const struct uc_member *m,
    struct uc_diag *diag)
{
	const char *e = m->expires_on;
	char what[64];
	struct tm tm;
	time_t until;

	if (strlen(e) != 8)
		return 0; /* the identity object refuses it, with its words */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (e[0] - '0') * 1000 + (e[1] - '0') * 100 +
	    (e[2] - '0') * 10 + (e[3] - '0') - 1900;
	tm.tm_mon = (e[4] - '0') * 10 + (e[5] - '0') - 1;
	tm.tm_mday = (e[6] - '0') * 10 + (e[7] - '0') + 1;
	until = timegm(&tm) - 7 * 3600 - 1;
	snprintf(what, sizeof(what), "a card expiring %.4s-%.2s-%.2s", e,
	    e + 4, e + 6);
	return uc_signer_check_until(s, until, what, diag);
}

int
uc_perso_card(struct uc_transport *t, const struct uc_member *m,
    const struct uc_perso_keys *keys, struct uc_perso_result *res,
    struct uc_diag *diag)
{
	return uc_perso_card_selected(t, NULL, m, keys, res, diag);
}

/*
 * Phase 1: which card is this (the caller's SELECT, or ours), may we write
 * to it, and does our signer cover the member's card?
 */
static int
check_card(struct uc_transport *t, const struct uc_card_info *selected,
    const struct uc_member *m, const struct uc_perso_keys *keys,
    struct uc_card_info *ci, struct uc_perso_result *res,
    struct uc_diag *diag)
{
	uint16_t sw = 0;
	int r;

	/* SELECT: which card is this, and may we write to it?  A caller
	 * that has just selected the applet hands its answer over. */
	res->stage = UC_PERSO_STAGE_SELECT;
	if (selected != NULL) {
		*ci = *selected;
	} else if ((r = uc_applet_select(t, ci, &sw)) != 0) {
		res->last_sw = sw;
		uc_diag_set(diag, r, NULL, 0, "select", "%s%s%s",
		    uc_strerror(r), sw != 0 ? ", card answered " : "",
		    sw != 0 ? uc_sw_describe(sw) : "");
		return r;
	}
	memcpy(res->serial, ci->serial, UC_CARD_SERIAL_LEN);
	res->lifecycle_before = ci->lifecycle;
	if (ci->lifecycle != LIFECYCLE_BLANK &&
	    ci->lifecycle != LIFECYCLE_PERSONALIZING)
		return uc_diag_set(diag, UC_ERR_STATE, NULL, 0, "lifecycle",
		    "the card is %s, not blank: refusing to write",
		    ci->lifecycle == LIFECYCLE_PERSONALIZED ? "already "
		    "personalized (locked)" : "terminated");
	/* No card may outlive its signer: refused before any write, so the
	 * blank stays blank (keys/README.md, "Lifetimes"). */
	if ((r = signer_covers(keys->signer, m, diag)) != 0)
		return r;
	res->block_max = uc_store_data_block_max(ci->max_cmd, 0);
	if (res->block_max == 0)
		return uc_diag_set(diag, UC_ERR_PROTOCOL, NULL, 0, "select",
		    "card takes only %u bytes per command",
		    (unsigned)ci->max_cmd);
	return 0;
}

/*
 * Phase 2: everything we can prepare without the secure channel: E1, and
 * for a linked card E3 from the bank application, after which the union
 * applet is selected again (reading the bank side deselected it).
 */
static int
prepare_objects(struct uc_transport *t, const struct uc_card_info *ci,
    const struct uc_member *m, const struct uc_perso_keys *keys,
    struct uc_buf *e1, struct uc_buf *e3, struct uc_perso_result *res,
    struct uc_diag *diag)
{
	struct uc_card_info again;
	uint16_t sw = 0;
	int r;

	if ((r = uc_dataobj_identity(m, ci->serial, e1)) != 0)
		return uc_diag_set(diag, r, NULL, 0, "member",
		    "member data does not fit the identity object");
	if (e1->len > UC_DO_IDENTITY_MAX + 4)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "member",
		    "identity object of %zu bytes exceeds %u", e1->len,
		    UC_DO_IDENTITY_MAX);
	if (m->card_type != UC_CARD_TYPE_LINKED)
		return 0;
	if (ci->n_bank_aids == 0)
		return uc_diag_set(diag, UC_ERR_INVALID, NULL, 0,
		    "card_type", "a linked member needs a card with "
		    "the bank application; this card has none");
	/* Linked cards: the PAN through the bank application and E3
	 * (banklink.c), then the union applet again. */
	if ((r = uc_perso_bank_link(t, ci->serial, ci->bank_aids,
	    ci->n_bank_aids, keys->pan, keys->bank_link_key,
	    keys->bank_link_key_len, e3, res, diag)) != 0)
		return r;
	memset(&again, 0, sizeof(again));
	if ((r = uc_applet_select(t, &again, &sw)) != 0 ||
	    memcmp(again.serial, ci->serial, sizeof(ci->serial)) != 0 ||
	    again.lifecycle != ci->lifecycle) {
		res->last_sw = sw;
		return uc_diag_set(diag, r != 0 ? r : UC_ERR_CARD_REMOVED,
		    NULL, 0, "select", "the union applet could not be "
		    "selected again after reading the bank side");
	}
	return 0;
}

/* Phase 3: the secure channel with this card's own keys. */
static int
open_channel(struct uc_transport *t, const struct uc_card_info *ci,
    const struct uc_perso_keys *keys, struct uc_scp03_keys *card_keys,
    struct uc_scp03_host **h, struct uc_perso_result *res,
    struct uc_diag *diag)
{
	uint16_t sw = 0;
	int r;

	res->stage = UC_PERSO_STAGE_CHANNEL;
	if ((r = uc_scp03_diversify(keys->scp_master, ci->serial,
	    card_keys)) != 0)
		return r;
	res->keys_kvn = card_keys->kvn;
	if ((r = uc_scp03_open_aid_kvn(t, card_keys,
	    (const uint8_t *)UC_APPLET_AID, UC_APPLET_AID_LEN,
	    UC_SCP03_SL_DEFAULT, h, &sw, &res->card_kvn)) != 0) {
		res->last_sw = sw;
		/* 6A 88 to INITIALIZE UPDATE: no keys of our version */
		if (r == UC_ERR_SW_NOT_FOUND && sw == 0x6A88)
			r = UC_ERR_AUTH;
		return channel_failed(r, res, diag);
	}
	return 0;
}

int
uc_perso_card_selected(struct uc_transport *t,
    const struct uc_card_info *selected, const struct uc_member *m,
    const struct uc_perso_keys *keys, struct uc_perso_result *res,
    struct uc_diag *diag)
{
	struct uc_card_info ci;
	struct uc_scp03_keys card_keys;
	struct uc_scp03_host *h = NULL;
	struct uc_buf e1 = UC_BUF_INIT, e2 = UC_BUF_INIT, e3 = UC_BUF_INIT;
	uint64_t first = 0;
	int r;

	memset(&card_keys, 0, sizeof(card_keys));
	memset(&ci, 0, sizeof(ci));
	if (res != NULL) {
		memset(res, 0, sizeof(*res));
		res->card_kvn = -1;
	}
	uc_diag_clear(diag);
	if (t == NULL || m == NULL || keys == NULL || keys->scp_master ==
	    NULL || keys->signer == NULL || res == NULL)
		return UC_ERR_ARG;
	first = uc_transport_apdu_count(t);

	if ((r = check_card(t, selected, m, keys, &ci, res, diag)) != 0 ||
	    (r = prepare_objects(t, &ci, m, keys, &e1, &e3, res,
	    diag)) != 0 ||
	    (r = open_channel(t, &ci, keys, &card_keys, &h, res, diag)) != 0)
		goto out;

	/* E1 (+ E3) first: encrypted, so a wrong ENC key changes nothing;
	 * then the key, then EF (it covers E2), then the lock. */
	if ((r = store_identity(h, t, &e1, &e3, res, diag)) != 0 ||
	    (r = generate_key(h, t, &e2, res, diag)) != 0 ||
	    (r = store_secobj(h, t, keys, &e1, &e2, &e3, res, diag)) != 0 ||
	    (r = lock_card(h, t, res, diag)) != 0)
		goto out;
	res->stage = UC_PERSO_STAGE_DONE;
	r = 0;
out:
	if (res != NULL && t != NULL)
		res->apdus = uc_transport_apdu_count(t) - first;
	uc_scp03_host_free(&h);
	uc_scp03_keys_wipe(&card_keys);
	uc_buf_free(&e1);
	uc_buf_free(&e2);
	uc_buf_free(&e3);
	return r;
}
