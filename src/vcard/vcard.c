/*
 * vcard.c - the union applet (applets-spec/union-applet.md) in software.
 *
 * uc_vcard_process() takes one raw command APDU and gives one raw response.
 * The path of a command:
 *
 *   decode (6700) -> CLA family (6E00) -> GET RESPONSE or drop pending data
 *   -> command chaining (collect, 9000) -> INS (6D00) -> command handler
 *   -> secure-messaging wrap -> Le rules (61xx / 6Cxx)
 *
 * A handler never touches c->nv directly: it works on a copy (struct
 * vc_nv), and if it changed anything the copy is saved to the state file
 * and only then becomes the card's state.  A failed save answers 65 81 and
 * leaves the card as it was.
 *
 * Every command is checked in the order of union-applet.md §3.1: CLA,
 * (unwrap of a protected command inside a session), lifecycle state,
 * secure messaging present, P1-P2, length, data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "unioncard/apdu.h"
#include "unioncard/tlv.h"
#include "vcard/vcard_priv.h"

const uint8_t vc_aid[11] = { 0xf0, 0x55, 0x4e, 0x49, 0x4f, 0x4e, 0x43, 0x41,
	0x52, 0x44, 0x01 };

/*
 * ATR (T=1 only), documented in applets-spec/virtual-card.md:
 *   3B        TS direct convention
 *   8D        T0: TD1 follows, 13 historical bytes
 *   81        TD1: TD2 follows, protocol T=1
 *   31        TD2: TA3, TB3 follow, protocol T=1
 *   FE        TA3: IFSC 254
 *   45        TB3: BWI 4, CWI 5
 *   80        historical: category 80, compact-TLV objects follow
 *   FB F0..01 compact-TLV tag F (application identifier), 11 bytes: our AID
 *   TCK       XOR of T0..the last historical byte
 */
static const uint8_t atr_bytes[] = { 0x3b, 0x8d, 0x81, 0x31, 0xfe, 0x45,
	0x80, 0xfb, 0xf0, 0x55, 0x4e, 0x49, 0x4f, 0x4e, 0x43, 0x41, 0x52,
	0x44, 0x01 };


#define INS_SELECT 0xa4
#define INS_GET_DATA 0xca
#define INS_GET_RESPONSE 0xc0
#define INS_STORE_DATA 0xe2
#define INS_GENERATE_KEY 0x47
#define INS_INTERNAL_AUTH 0x88
#define INS_SET_STATUS 0xf0

#define AA_LABEL "UNIONCARD-AA-v1"
#define AA_LABEL_LEN 15u
#define AA_CHALLENGE_LEN 32u

/* One command being answered. */
struct exec {
	struct uc_vcard *c;
	struct vc_nv nv;   /* working copy of the non-volatile state */
	int changed;       /* nv must be saved before answering */
	struct uc_buf out; /* response data */
	uint16_t sw;
	int sm;            /* command came through uc_scp03_card_unwrap */
	int bank;          /* the bank side (emv.c) answered it */
};

/* ------------------------------------------------------------------------
 * Volatile state
 * ------------------------------------------------------------------------ */

static void
drop_chain(struct uc_vcard *c)
{
	c->chain_active = 0;
	uc_buf_reset(&c->chain);
}

static void
drop_stage(struct uc_vcard *c)
{
	c->stage_active = 0;
	c->stage_next = 0;
	uc_buf_reset(&c->stage);
}

static void
drop_pending(struct uc_vcard *c)
{
	uc_buf_reset(&c->pending);
	c->pending_off = 0;
	c->pending_bank = 0;
}

static void
clear_volatile(struct uc_vcard *c)
{
	drop_chain(c);
	drop_stage(c);
	drop_pending(c);
	if (c->sm != NULL)
		uc_scp03_card_reset(c->sm);
	vc_emv_reset(c); /* linked cards: the union applet is the default */
}

void
uc_vcard_power_on(struct uc_vcard *c)
{
	if (c == NULL)
		return;
	clear_volatile(c);
	c->powered = 1;
}

void
uc_vcard_power_off(struct uc_vcard *c)
{
	if (c == NULL)
		return;
	clear_volatile(c);
	c->powered = 0;
}

/* ------------------------------------------------------------------------
 * Life of the object
 * ------------------------------------------------------------------------ */

static int
vcard_alloc(const char *path, struct uc_vcard **out)
{
	struct uc_vcard *c;
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return UC_ERR_NOMEM;
	if ((c->path = strdup(path)) == NULL) {
		free(c);
		return UC_ERR_NOMEM;
	}
	uc_buf_init(&c->chain);
	uc_buf_init(&c->stage);
	uc_buf_init(&c->pending);
	if ((r = uc_scp03_card_new(&c->sm)) != 0) {
		free(c->path);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void
uc_vcard_free(struct uc_vcard **cp)
{
	struct uc_vcard *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	uc_scp03_card_free(&c->sm);
	uc_buf_free(&c->chain);
	uc_buf_free(&c->stage);
	uc_buf_free(&c->pending);
	vc_nv_wipe(&c->nv);
	free(c->path);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
	*cp = NULL;
}

int
uc_vcard_load(const char *path, struct uc_vcard **out, struct uc_diag *diag)
{
	struct uc_vcard *c = NULL;
	int r;

	uc_diag_clear(diag);
	if (out == NULL || path == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((r = vcard_alloc(path, &c)) != 0)
		return r;
	if ((r = vc_state_load(path, &c->nv, diag)) != 0) {
		uc_vcard_free(&c);
		return r;
	}
	/* A loaded card is in the reader and powered, as after power-on. */
	c->powered = 1;
	*out = c;
	return 0;
}

/*
 * The bank side of a linked card: PAN (given, or random and Luhn-valid
 * under the VietinBank NAPAS BIN 970415), expiry (given, or three years
 * ahead) and the NAPAS payment application AID.
 */
static int
make_linked(struct vc_nv *nv, const struct uc_vcard_new_opts *opts)
{
	static const uint8_t napas_aid[] = { 0xa0, 0x00, 0x00, 0x07, 0x27,
		0x10, 0x10 };
	uint8_t rnd[9];
	unsigned sum = 0, i;
	time_t now;
	struct tm tm;

	if (opts->pan != NULL) {
		if (!vc_pan_valid(opts->pan))
			return UC_ERR_INVALID;
		snprintf(nv->pan, sizeof(nv->pan), "%s", opts->pan);
	} else {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return UC_ERR_CRYPTO;
		memcpy(nv->pan, "970415", 6);
		for (i = 0; i < 9; i++)
			nv->pan[6 + i] = (char)('0' + rnd[i] % 10);
		/* Check digit: Luhn over the 15 digits, doubling from the
		 * right-most of them. */
		for (i = 0; i < 15; i++) {
			unsigned d = (unsigned)(nv->pan[14 - i] - '0');

			if (i % 2 == 0) {
				d *= 2;
				if (d > 9)
					d -= 9;
			}
			sum += d;
		}
		nv->pan[15] = (char)('0' + (10 - sum % 10) % 10);
		nv->pan[16] = '\0';
	}
	if (opts->expiry_yymm != NULL) {
		const char *e = opts->expiry_yymm;

		if (strlen(e) != 4 || e[0] < '0' || e[0] > '9' || e[1] < '0' ||
		    e[1] > '9' || !((e[2] == '0' && e[3] >= '1' && e[3] <= '9')
		    || (e[2] == '1' && e[3] >= '0' && e[3] <= '2')))
			return UC_ERR_INVALID;
		memcpy(nv->expiry, e, 5);
	} else {
		now = time(NULL);
		if (gmtime_r(&now, &tm) == NULL)
			return UC_ERR_INTERNAL;
		nv->expiry[0] = (char)('0' + (tm.tm_year + 3) % 100 / 10);
		nv->expiry[1] = (char)('0' + (tm.tm_year + 3) % 10);
		nv->expiry[2] = (char)('0' + (tm.tm_mon + 1) / 10);
		nv->expiry[3] = (char)('0' + (tm.tm_mon + 1) % 10);
		nv->expiry[4] = '\0';
	}
	memcpy(nv->bank_aid, napas_aid, sizeof(napas_aid));
	nv->bank_aid_len = sizeof(napas_aid);
	nv->linked = 1;
	return 0;
}

int
uc_vcard_create(const char *path, const struct uc_vcard_new_opts *opts)
{
	struct uc_vcard_new_opts dflt;
	struct uc_scp03_keys master;
	struct vc_nv nv;
	int r;

	if (path == NULL)
		return UC_ERR_ARG;
	if (opts == NULL) {
		memset(&dflt, 0, sizeof(dflt));
		opts = &dflt;
	}
	memset(&nv, 0, sizeof(nv));
	memset(&master, 0, sizeof(master));
	if (opts->serial != NULL)
		memcpy(nv.serial, opts->serial, sizeof(nv.serial));
	else if (RAND_bytes(nv.serial, sizeof(nv.serial)) != 1) {
		r = UC_ERR_CRYPTO;
		goto out;
	}
	if (opts->master_enc != NULL || opts->master_mac != NULL ||
	    opts->master_dek != NULL) {
		if (opts->master_enc == NULL || opts->master_mac == NULL ||
		    opts->master_dek == NULL) {
			r = UC_ERR_ARG;
			goto out;
		}
		memcpy(master.enc, opts->master_enc, UC_SCP03_KEY_LEN);
		memcpy(master.mac, opts->master_mac, UC_SCP03_KEY_LEN);
		memcpy(master.dek, opts->master_dek, UC_SCP03_KEY_LEN);
		master.kvn = UC_SCP03_DEV_KVN;
	} else
		uc_scp03_dev_keys(&master);
	if (opts->key_version != 0)
		master.kvn = opts->key_version;
	if (master.kvn > 0x7f) {
		r = UC_ERR_RANGE;
		goto out;
	}
	if ((r = uc_scp03_diversify(&master, nv.serial, &nv.keys)) != 0)
		goto out;
	nv.lifecycle = VC_LC_BLANK;
	uc_scp03_card_nv_init(&nv.scp);
	if (opts->linked && (r = make_linked(&nv, opts)) != 0)
		goto out;
	/* Never overwrite: a card's keys and counters are not lost by a
	 * typo. */
	r = vc_state_create(path, &nv);
out:
	uc_scp03_keys_wipe(&master);
	vc_nv_wipe(&nv);
	return r;
}

int
uc_vcard_atr(const struct uc_vcard *c, uint8_t *atr, size_t *len)
{
	uint8_t tck = 0;
	size_t i;

	if (c == NULL || atr == NULL || len == NULL)
		return UC_ERR_ARG;
	if (*len < sizeof(atr_bytes) + 1)
		return UC_ERR_BUFFER;
	memcpy(atr, atr_bytes, sizeof(atr_bytes));
	for (i = 1; i < sizeof(atr_bytes); i++)
		tck ^= atr_bytes[i];
	atr[sizeof(atr_bytes)] = tck;
	*len = sizeof(atr_bytes) + 1;
	return 0;
}

void
uc_vcard_serial(const struct uc_vcard *c, uint8_t serial[8])
{
	if (c == NULL || serial == NULL)
		return;
	memcpy(serial, c->nv.serial, 8);
}

void
uc_vcard_set_tear(struct uc_vcard *c, unsigned long n, int mode)
{
	if (c == NULL)
		return;
	c->tear_at = n;
	c->tear_mode = mode == UC_VCARD_TEAR_AFTER ? UC_VCARD_TEAR_AFTER :
	    UC_VCARD_TEAR_BEFORE;
}

unsigned long
uc_vcard_apdu_count(const struct uc_vcard *c)
{
	return c == NULL ? 0 : c->apdus;
}

/* ------------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------------ */

static uint16_t
build_fci(struct exec *x)
{
	const struct vc_nv *nv = &x->nv;
	struct uc_buf *b = &x->out;
	uint8_t v[2];
	size_t top, prop;
	int r;

	if ((r = uc_tlv_open(b, 0x6f, &top)) != 0 ||
	    (r = uc_tlv_put(b, 0x84, vc_aid, sizeof(vc_aid))) != 0 ||
	    (r = uc_tlv_open(b, 0xa5, &prop)) != 0)
		return UC_SW_UNKNOWN;
	v[0] = 0x01;
	r |= uc_tlv_put(b, 0x80, v, 1);
	r |= uc_tlv_put(b, 0x81, nv->serial, 8);
	v[0] = nv->lifecycle;
	r |= uc_tlv_put(b, 0x82, v, 1);
	v[0] = VC_MAX_CMD_DATA >> 8;
	v[1] = VC_MAX_CMD_DATA & 0xff;
	r |= uc_tlv_put(b, 0x83, v, 2);
	v[0] = VC_MAX_RESP_DATA >> 8;
	v[1] = VC_MAX_RESP_DATA & 0xff;
	r |= uc_tlv_put(b, 0x84, v, 2);
	v[0] = UC_SCP03_ID;
	v[1] = UC_SCP03_I_CARD;
	r |= uc_tlv_put(b, 0x85, v, 2);
	v[0] = nv->keys.kvn;
	r |= uc_tlv_put(b, 0x86, v, 1);
	v[0] = nv->scp.tries_left;
	r |= uc_tlv_put(b, 0x87, v, 1);
	if (nv->linked) {
		size_t banks;

		r |= uc_tlv_open(b, 0x88, &banks);
		r |= uc_tlv_put(b, 0x4f, nv->bank_aid, nv->bank_aid_len);
		r |= uc_tlv_close(b, banks);
	}
	if (r != 0 || uc_tlv_close(b, prop) != 0 || uc_tlv_close(b, top) != 0)
		return UC_SW_UNKNOWN;
	return 0;
}

static uint16_t
cmd_select(struct exec *x, const struct uc_apdu *a)
{
	uint16_t sw;

	/* Any SELECT, whatever it names and however it ends, ends the
	 * secure channel session (secure-channel.md §13). */
	uc_scp03_card_reset(x->c->sm);
	if (a->p1 != 0x04 || (a->p2 != 0x00 && a->p2 != 0x0c))
		return UC_SW_P1P2;
	if (a->lc != sizeof(vc_aid) ||
	    memcmp(a->data, vc_aid, sizeof(vc_aid)) != 0)
		return UC_SW_FILE_NOT_FOUND;
	vc_emv_reset(x->c); /* linked cards: the bank application is left */
	if (a->p2 == 0x00 && (sw = build_fci(x)) != 0)
		return sw;
	return x->nv.lifecycle == VC_LC_TERMINATED ? UC_SW_TERMINATED : UC_SW_OK;
}

static uint16_t
cmd_get_data(struct exec *x, const struct uc_apdu *a)
{
	static const uint8_t order[] = { 0xe1, 0xe2, 0xe3, 0xef };
	uint16_t tag = (uint16_t)(a->p1 << 8 | a->p2);
	size_t i;

	if (tag != 0x00e1 && tag != 0x00e2 && tag != 0x00e3 &&
	    tag != 0x00ef && tag != 0x00ff)
		return UC_SW_P1P2;
	if (a->lc != 0)
		return UC_SW_WRONG_LENGTH;
	if (tag == 0x00ff) {
		for (i = 0; i < sizeof(order); i++)
			if (vc_object_present(&x->nv, order[i]) &&
			    vc_object_encode(&x->nv, order[i], &x->out) != 0)
				return UC_SW_UNKNOWN;
		return UC_SW_OK;
	}
	if (!vc_object_present(&x->nv, (uint8_t)tag))
		return UC_SW_DATA_NOT_FOUND;
	if (vc_object_encode(&x->nv, (uint8_t)tag, &x->out) != 0)
		return UC_SW_UNKNOWN;
	return UC_SW_OK;
}

/*
 * The commands that need secure messaging (STORE DATA, GENERATE KEY, SET
 * STATUS).  A protected command (CLA b3) inside an open session is
 * unwrapped FIRST, whatever the outcome, so that the C-MAC chain of card
 * and host stays in step even when the card then refuses the command.
 * Then: lifecycle (69 85), secure messaging present (68 82 / 69 82), and
 * the handler with the plain data.
 */
static uint16_t cmd_store_data(struct exec *x, const struct uc_apdu *a);
static uint16_t cmd_generate_key(struct exec *x, const struct uc_apdu *a);
static uint16_t cmd_set_status(struct exec *x, const struct uc_apdu *a);

static uint16_t
sm_command(struct exec *x, const struct uc_apdu *a)
{
	struct uc_apdu p = *a;
	uint8_t *plain = NULL;
	size_t plen = 0, cap = a->lc + 1;
	uint8_t lc = x->nv.lifecycle;
	uint16_t sw = UC_SW_UNKNOWN;

	if ((a->cla & UC_SCP03_CLA_SM) != 0 &&
	    uc_scp03_card_security_level(x->c->sm) != 0) {
		if ((plain = malloc(cap)) == NULL)
			goto out;
		if (uc_scp03_card_unwrap(x->c->sm, a, plain, cap, &plen,
		    &sw) != 0) {
			sw = UC_SW_UNKNOWN;
			goto out;
		}
		if (sw != UC_SW_OK)
			goto out; /* 69 88: the session is closed */
		x->sm = 1;
		p.data = plain;
		p.lc = plen;
	}
	if (lc == VC_LC_TERMINATED ||
	    (a->ins != INS_SET_STATUS && lc != VC_LC_BLANK &&
	    lc != VC_LC_PERSONALIZING)) {
		sw = UC_SW_CONDITIONS;
		goto out;
	}
	if (!x->sm) {
		sw = (a->cla & UC_SCP03_CLA_SM) ? UC_SW_SECURITY : UC_SW_SM_NOT_SUPPORTED;
		goto out;
	}
	if (a->ins == INS_STORE_DATA)
		sw = cmd_store_data(x, &p);
	else if (a->ins == INS_GENERATE_KEY)
		sw = cmd_generate_key(x, &p);
	else
		sw = cmd_set_status(x, &p);
out:
	if (plain != NULL) {
		OPENSSL_cleanse(plain, cap);
		free(plain);
	}
	return sw;
}

/*
 * Parse the staged DGIs into the working copy.  All or nothing: the
 * working copy is thrown away by the caller on any error.
 */
static uint16_t
commit_dgis(struct exec *x, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	int seen_e1 = 0, seen_e3 = 0, seen_ef = 0;
	uint16_t sw;

	if (len == 0)
		return UC_SW_WRONG_DATA;
	while (p < end) {
		uint16_t dgi;
		size_t vlen;
		const uint8_t *v;

		if (end - p < 3)
			return UC_SW_WRONG_DATA;
		dgi = (uint16_t)(p[0] << 8 | p[1]);
		if (p[2] != 0xff) {
			vlen = p[2];
			p += 3;
		} else {
			if (end - p < 5)
				return UC_SW_WRONG_DATA;
			vlen = (size_t)p[3] << 8 | p[4];
			p += 5;
		}
		if ((size_t)(end - p) < vlen)
			return UC_SW_WRONG_DATA;
		v = p;
		p += vlen;
		switch (dgi) {
		case 0x00e1:
			if (seen_e1++)
				return UC_SW_WRONG_DATA;
			if ((sw = vc_check_e1(v, vlen, x->nv.serial,
			    NULL)) != 0)
				return sw;
			memcpy(x->nv.e1, v, vlen);
			x->nv.e1_len = vlen;
			break;
		case 0x00e3:
			if (seen_e3++)
				return UC_SW_WRONG_DATA;
			if ((sw = vc_check_e3(v, vlen, NULL)) != 0)
				return sw;
			memcpy(x->nv.e3, v, vlen);
			x->nv.e3_len = vlen;
			break;
		case 0x00ef:
			if (seen_ef++)
				return UC_SW_WRONG_DATA;
			if ((sw = vc_check_ef(v, vlen, NULL)) != 0)
				return sw;
			memcpy(x->nv.ef, v, vlen);
			x->nv.ef_len = vlen;
			break;
		default:
			/* 00E2 only through GENERATE KEY; others unknown. */
			return UC_SW_WRONG_DATA;
		}
	}
	if (x->nv.lifecycle == VC_LC_BLANK)
		x->nv.lifecycle = VC_LC_PERSONALIZING;
	x->changed = 1;
	return 0;
}

static uint16_t
cmd_store_data(struct exec *x, const struct uc_apdu *a)
{
	struct uc_vcard *c = x->c;
	const uint8_t *plain = a->data;
	size_t plen = a->lc;
	uint16_t sw;

	if (a->p1 != 0x08 && a->p1 != 0x88) {
		sw = UC_SW_P1P2;
		goto fail;
	}
	if (a->p2 == 0x00) {
		/* Block 0 always starts a new sequence. */
		drop_stage(c);
		c->stage_active = 1;
	} else if (!c->stage_active || a->p2 != c->stage_next) {
		sw = UC_SW_P1P2;
		goto fail;
	}
	if (plen > VC_MAX_STAGE - c->stage.len) {
		sw = UC_SW_NO_SPACE;
		goto fail;
	}
	if (uc_buf_append(&c->stage, plain, plen) != 0) {
		sw = UC_SW_UNKNOWN;
		goto fail;
	}
	c->stage_next = (unsigned)a->p2 + 1;
	if (a->p1 & 0x80) {
		sw = commit_dgis(x, c->stage.data, c->stage.len);
		drop_stage(c);
		if (sw != 0)
			goto out;
	}
	sw = UC_SW_OK;
	goto out;
fail:
	drop_stage(c);
out:
	return sw;
}

static uint16_t
cmd_generate_key(struct exec *x, const struct uc_apdu *a)
{
	if (a->p1 != 0x80 || a->p2 != 0x00)
		return UC_SW_P1P2;
	if (a->lc != 0)
		return UC_SW_WRONG_LENGTH;
	if (vc_ec_generate(x->nv.ec_priv, x->nv.ec_pub) != 0)
		return UC_SW_UNKNOWN;
	x->nv.has_key = 1;
	if (x->nv.lifecycle == VC_LC_BLANK)
		x->nv.lifecycle = VC_LC_PERSONALIZING;
	x->changed = 1;
	if (vc_object_encode(&x->nv, 0xe2, &x->out) != 0)
		return UC_SW_UNKNOWN;
	return UC_SW_OK;
}

static uint16_t
cmd_set_status(struct exec *x, const struct uc_apdu *a)
{
	uint8_t lc = x->nv.lifecycle;

	if (a->p1 != 0x80 ||
	    (a->p2 != VC_LC_PERSONALIZED && a->p2 != VC_LC_TERMINATED))
		return UC_SW_P1P2;
	if (a->lc != 0)
		return UC_SW_WRONG_LENGTH;
	if (a->p2 == VC_LC_PERSONALIZED) {
		if (lc != VC_LC_PERSONALIZING || x->nv.e1_len == 0 ||
		    !x->nv.has_key || x->nv.ef_len == 0)
			return UC_SW_CONDITIONS;
	}
	x->nv.lifecycle = a->p2;
	x->changed = 1;
	return UC_SW_OK;
}

static uint16_t
cmd_internal_auth(struct exec *x, const struct uc_apdu *a)
{
	uint8_t msg[AA_LABEL_LEN + 8 + AA_CHALLENGE_LEN];

	if (x->nv.lifecycle == VC_LC_BLANK || !x->nv.has_key)
		return UC_SW_CONDITIONS;
	if (a->p1 != 0x00 || a->p2 != 0x00)
		return UC_SW_P1P2;
	if (a->lc != AA_CHALLENGE_LEN)
		return UC_SW_WRONG_LENGTH;
	memcpy(msg, AA_LABEL, AA_LABEL_LEN);
	memcpy(msg + AA_LABEL_LEN, x->nv.serial, 8);
	memcpy(msg + AA_LABEL_LEN + 8, a->data, AA_CHALLENGE_LEN);
	if (vc_ec_sign(x->nv.ec_priv, x->nv.ec_pub, msg, sizeof(msg),
	    &x->out) != 0)
		return UC_SW_UNKNOWN;
	return UC_SW_OK;
}

static uint16_t
cmd_initialize_update(struct exec *x, const struct uc_apdu *a)
{
	uint8_t resp[UC_SCP03_IU_RESP_LEN];
	uint8_t div[UC_SCP03_DIV_DATA_LEN];
	size_t rlen = 0;
	int dirty = 0;
	uint16_t sw = UC_SW_UNKNOWN;

	uc_scp03_div_data(x->nv.serial, div);
	if (uc_scp03_card_initialize_update(x->c->sm, &x->nv.keys,
	    &x->nv.scp, &dirty, div, vc_aid, sizeof(vc_aid), a,
	    resp, sizeof(resp), &rlen, &sw) != 0)
		return UC_SW_UNKNOWN;
	if (dirty)
		x->changed = 1;
	if (sw == UC_SW_OK && uc_buf_append(&x->out, resp, rlen) != 0)
		sw = UC_SW_UNKNOWN;
	OPENSSL_cleanse(resp, sizeof(resp));
	return sw;
}

static uint16_t
cmd_external_auth(struct exec *x, const struct uc_apdu *a)
{
	int dirty = 0;
	uint16_t sw = UC_SW_UNKNOWN;

	if (uc_scp03_card_external_authenticate(x->c->sm, &x->nv.scp, &dirty,
	    a, &sw) != 0)
		return UC_SW_UNKNOWN;
	if (dirty)
		x->changed = 1;
	return sw;
}

/* ------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------ */

/* What each INS needs: its CLA (without the chaining bit). */
static uint16_t
dispatch(struct exec *x, const struct uc_apdu *a)
{
	uint8_t cla = a->cla & (uint8_t)~0x10u;
	uint8_t lc = x->nv.lifecycle;

	/* Linked cards: the bank payment application (emv.c) answers the
	 * SELECT of its own names and everything while it is selected. */
	if (vc_emv_claims(x->c, &x->nv, a)) {
		x->bank = 1;
		return vc_emv_dispatch(x->c, &x->nv, a, &x->out);
	}
	switch (a->ins) {
	case INS_SELECT:
		if (cla != 0x00)
			return UC_SW_CLA;
		return cmd_select(x, a);
	case INS_GET_DATA:
	case INS_INTERNAL_AUTH:
		if (cla != 0x00)
			return UC_SW_CLA;
		if (lc == VC_LC_TERMINATED)
			return UC_SW_CONDITIONS;
		return a->ins == INS_GET_DATA ? cmd_get_data(x, a) :
		    cmd_internal_auth(x, a);
	case UC_SCP03_INS_INITIALIZE_UPDATE:
		if (cla != 0x80)
			return UC_SW_CLA; /* secure-channel.md: CLA 80 only */
		if (lc == VC_LC_TERMINATED)
			return UC_SW_CONDITIONS;
		/* Blocked keys answer 69 83 before anything else. */
		if (x->nv.scp.tries_left == 0)
			return UC_SW_BLOCKED;
		return cmd_initialize_update(x, a);
	case UC_SCP03_INS_EXTERNAL_AUTHENTICATE:
		if (cla != 0x80 && cla != 0x84)
			return UC_SW_CLA;
		if (lc == VC_LC_TERMINATED)
			return UC_SW_CONDITIONS;
		if (x->nv.scp.tries_left == 0)
			return UC_SW_BLOCKED;
		if (cla != 0x84)
			return UC_SW_SM_NOT_SUPPORTED;
		return cmd_external_auth(x, a);
	case INS_STORE_DATA:
	case INS_GENERATE_KEY:
	case INS_SET_STATUS:
		if (cla != 0x80 && cla != 0x84 && cla != 0x00)
			return UC_SW_CLA;
		return sm_command(x, a);
	case INS_GET_RESPONSE:
		return UC_SW_CLA; /* GET RESPONSE is CLA 00 only */
	default:
		return UC_SW_INS;
	}
}

/*
 * Hand out response data under the Le rules of union-applet.md §3:
 * avail bytes wait in c->pending from pending_off; final_sw is what the
 * last piece ends with.  may_6c: a wrong short Le may be answered 6C xx
 * (not after a command that changed the card: re-sending it would do the
 * change twice).
 */
static void
deliver(struct uc_vcard *c, const struct uc_apdu *a, uint16_t final_sw,
    int may_6c, struct uc_buf *resp, uint16_t *sw)
{
	size_t avail = c->pending.len - c->pending_off;
	size_t n;

	if (avail == 0) {
		drop_pending(c);
		*sw = final_sw;
		return;
	}
	if (a->le == 0)
		/* No Le (case 1/3) but data, e.g. an R-MAC: as if Le were
		 * 00 (short) or 0000 (extended). */
		n = avail < (a->extended ? VC_MAX_RESP_DATA : 256u) ? avail :
		    (a->extended ? VC_MAX_RESP_DATA : 256u);
	else if (a->extended)
		n = a->le < avail ? a->le : avail;
	else if (a->le == UC_APDU_LE_MAX_SHORT)
		n = avail < 256 ? avail : 256;
	else if (a->le > avail && may_6c) {
		*sw = (uint16_t)(UC_SW_WRONG_LE | avail);
		return; /* data stays for the re-sent command */
	} else
		n = a->le < avail ? a->le : avail;
	if (n > VC_MAX_RESP_DATA)
		n = VC_MAX_RESP_DATA;
	if (uc_buf_append(resp, c->pending.data + c->pending_off, n) != 0) {
		drop_pending(c);
		*sw = UC_SW_UNKNOWN;
		return;
	}
	c->pending_off += n;
	avail -= n;
	if (avail == 0) {
		drop_pending(c);
		*sw = final_sw;
	} else
		*sw = (uint16_t)(UC_SW_MORE_DATA | (avail >= 256 ? 0 : avail));
}

/*
 * GET RESPONSE: the pending data goes to the side whose answer is waiting
 * (with nothing waiting, to the selected one): a TERMINATED union applet
 * refuses its own, not the bank side's (linked-card.md §1).
 */
static void
get_response(struct uc_vcard *c, const struct uc_apdu *a,
    struct uc_buf *resp, uint16_t *sw)
{
	int bank = c->pending.len != 0 ? c->pending_bank :
	    c->nv.linked && c->emv_app != VC_APP_UNION;

	/* Part of the previous command's exchange: a STORE DATA sequence
	 * survives it. */
	drop_chain(c);
	if (c->nv.lifecycle == VC_LC_TERMINATED && !bank)
		*sw = UC_SW_CONDITIONS;
	else if (a->p1 != 0 || a->p2 != 0)
		*sw = UC_SW_P1P2;
	else if (a->lc != 0)
		*sw = UC_SW_WRONG_LENGTH;
	else if (c->pending.len == 0)
		*sw = UC_SW_CONDITIONS;
	else {
		struct uc_apdu g = *a;

		if (g.le == 0)
			g.le = UC_APDU_LE_MAX_SHORT;
		deliver(c, &g, c->pending_sw, 1, resp, sw);
	}
}

/*
 * Command chaining: collect the pieces of one command.  Returns 1 when a
 * was a piece (kept; *sw is 90 00) or refused (*sw says why): nothing to
 * run.  Returns 0 when *a is a command to run: the last piece, whose data
 * becomes everything collected (Le and its form are the last piece's), or
 * a command outside any chain.
 */
static int
chain_piece(struct uc_vcard *c, struct uc_apdu *a, uint8_t base,
    uint16_t *sw)
{
	if (c->chain_active && (c->chain_hdr[0] != base ||
	    c->chain_hdr[1] != a->ins || c->chain_hdr[2] != a->p1 ||
	    c->chain_hdr[3] != a->p2))
		drop_chain(c); /* interrupted: the new command runs */
	if (a->cla & 0x10) {
		if (!c->chain_active)
			uc_buf_reset(&c->chain); /* a new chain */
		if (a->lc > VC_MAX_CHAIN - c->chain.len) {
			drop_chain(c);
			*sw = UC_SW_WRONG_LENGTH;
			return 1;
		}
		if (uc_buf_append(&c->chain, a->data, a->lc) != 0) {
			drop_chain(c);
			*sw = UC_SW_UNKNOWN;
			return 1;
		}
		c->chain_active = 1;
		c->chain_hdr[0] = base;
		c->chain_hdr[1] = a->ins;
		c->chain_hdr[2] = a->p1;
		c->chain_hdr[3] = a->p2;
		*sw = UC_SW_OK;
		return 1;
	}
	if (c->chain_active) {
		if (a->lc > VC_MAX_CHAIN - c->chain.len ||
		    uc_buf_append(&c->chain, a->data, a->lc) != 0) {
			drop_chain(c);
			*sw = UC_SW_WRONG_LENGTH;
			return 1;
		}
		a->data = c->chain.data;
		a->lc = c->chain.len;
		c->chain_active = 0;
	}
	return 0;
}

static int
run(struct uc_vcard *c, const uint8_t *raw, size_t raw_len,
    struct uc_buf *resp, uint16_t *sw)
{
	struct exec x;
	struct uc_apdu a;
	uint8_t base;
	int r = 0, may_6c;
	size_t wlen = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	uc_buf_init(&x.out);
	*sw = UC_SW_UNKNOWN;

	if (uc_apdu_decode(raw, raw_len, &a) != 0) {
		drop_chain(c);
		drop_pending(c);
		*sw = UC_SW_WRONG_LENGTH;
		goto out;
	}
	base = a.cla & (uint8_t)~0x10u;
	if (base != 0x00 && base != 0x80 && base != 0x84) {
		drop_chain(c);
		drop_pending(c);
		*sw = UC_SW_CLA;
		goto out;
	}
	/* GET RESPONSE serves the pending data; anything else drops it. */
	if (a.ins == INS_GET_RESPONSE && a.cla == 0x00) {
		get_response(c, &a, resp, sw);
		goto out;
	}
	if (c->pending.len != 0)
		drop_pending(c);
	if (a.ins != INS_STORE_DATA)
		drop_stage(c);
	if (a.lc > VC_MAX_CMD_DATA) {
		drop_chain(c);
		*sw = UC_SW_WRONG_LENGTH;
		goto out;
	}
	if (chain_piece(c, &a, base, sw))
		goto out;

	x.nv = c->nv;
	x.sw = dispatch(&x, &a);
	if (x.sw == UC_SW_UNKNOWN && x.sm)
		uc_scp03_card_reset(c->sm);
	if (x.changed) {
		if (vc_state_save(c->path, &x.nv) != 0) {
			/* The card stays as it was. */
			uc_buf_reset(&x.out);
			*sw = UC_SW_MEMORY;
			r = UC_ERR_IO;
			goto out;
		}
		c->nv = x.nv;
	}
	/* Response secure messaging (R-MAC / R-ENC) for protected commands. */
	if (x.sm) {
		struct uc_buf w = UC_BUF_INIT;

		if (uc_buf_reserve(&w, UC_SCP03_WRAPPED_MAX(x.out.len)) != 0 ||
		    uc_scp03_card_wrap_response(c->sm, x.out.data, x.out.len,
		    x.sw, w.data, w.cap, &wlen) != 0) {
			uc_buf_free(&w);
			uc_buf_reset(&x.out);
			*sw = UC_SW_UNKNOWN;
			goto out;
		}
		w.len = wlen;
		uc_buf_free(&x.out);
		x.out = w;
	} else if (x.sw != UC_SW_OK && x.sw != UC_SW_TERMINATED)
		uc_buf_reset(&x.out); /* errors carry no data */
	/* The response data now waits in pending and is handed out by Le. */
	may_6c = !x.changed;
	drop_pending(c);
	if (x.out.len != 0 && uc_buf_append(&c->pending, x.out.data,
	    x.out.len) != 0) {
		*sw = UC_SW_UNKNOWN;
		goto out;
	}
	c->pending_sw = x.sw;
	c->pending_bank = x.bank;
	deliver(c, &a, x.sw, may_6c, resp, sw);
out:
	if (!c->chain_active)
		uc_buf_reset(&c->chain); /* used up (and maybe secret) */
	uc_buf_free(&x.out);
	vc_nv_wipe(&x.nv);
	return r;
}

int
uc_vcard_process(struct uc_vcard *c, const uint8_t *cmd, size_t cmd_len,
    uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
	struct uc_buf out = UC_BUF_INIT;
	uint16_t sw = UC_SW_UNKNOWN;
	int r;

	if (resp_len != NULL)
		*resp_len = 0;
	if (c == NULL || (cmd == NULL && cmd_len != 0) || resp == NULL ||
	    resp_len == NULL)
		return UC_ERR_ARG;
	if (!c->powered)
		return UC_ERR_CARD_REMOVED;
	c->apdus++;
	if (c->tear_at != 0 && c->apdus == c->tear_at &&
	    c->tear_mode == UC_VCARD_TEAR_BEFORE) {
		uc_vcard_power_off(c);
		return UC_ERR_CARD_REMOVED;
	}
	r = run(c, cmd, cmd_len, &out, &sw);
	if (c->tear_at != 0 && c->apdus == c->tear_at) {
		uc_buf_free(&out);
		uc_vcard_power_off(c);
		return UC_ERR_CARD_REMOVED;
	}
	if (out.len + 2 > resp_cap) {
		uc_buf_free(&out);
		return UC_ERR_BUFFER;
	}
	if (out.len != 0)
		memcpy(resp, out.data, out.len);
	resp[out.len] = (uint8_t)(sw >> 8);
	resp[out.len + 1] = (uint8_t)sw;
	*resp_len = out.len + 2;
	uc_buf_free(&out);
	return r;
}

const char *
uc_vcard_lifecycle(const struct uc_vcard *c)
{
	return c == NULL ? "UNKNOWN" : vc_lifecycle_name(c->nv.lifecycle);
}

void
uc_vcard_counters(const struct uc_vcard *c, unsigned long *scp_sequence,
    unsigned *auth_tries_left, unsigned *key_version)
{
	if (scp_sequence != NULL)
		*scp_sequence = c == NULL ? 0 : c->nv.scp.seq_counter;
	if (auth_tries_left != NULL)
		*auth_tries_left = c == NULL ? 0 : c->nv.scp.tries_left;
	if (key_version != NULL)
		*key_version = c == NULL ? 0 : c->nv.keys.kvn;
}

int
uc_vcard_object(const struct uc_vcard *c, uint8_t tag, struct uc_buf *out)
{
	if (c == NULL || out == NULL)
		return UC_ERR_ARG;
	if (tag != 0xe1 && tag != 0xe2 && tag != 0xe3 && tag != 0xef)
		return UC_ERR_ARG;
	if (!vc_object_present(&c->nv, tag))
		return UC_ERR_NOT_FOUND;
	return vc_object_encode(&c->nv, tag, out);
}

int
uc_vcard_linked(const struct uc_vcard *c, char pan[20], char expiry[5])
{
	if (c == NULL)
		return UC_ERR_ARG;
	if (!c->nv.linked)
		return UC_ERR_NOT_FOUND;
	if (pan != NULL)
		snprintf(pan, 20, "%s", c->nv.pan);
	if (expiry != NULL)
		memcpy(expiry, c->nv.expiry, 5);
	return 0;
}
