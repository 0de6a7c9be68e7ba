/*
 * scp03.c - GlobalPlatform SCP03 (Card Specification 2.3, Amendment D):
 * the card side and the host side of the secure channel.
 *
 * Both sides share one session core (struct session): the three session
 * keys, the MAC chaining value, the encryption counter and the security
 * level.  The byte layouts follow applets-spec/secure-channel.md; the
 * section numbers in comments refer to Amendment D v1.1.2 / v1.2.
 *
 * Order of checks on the card: a protected command's C-MAC is verified
 * BEFORE anything is decrypted or unpadded, and a response's R-MAC is
 * verified by the host before decryption, so no padding check can act as
 * an oracle.  MACs and cryptograms are compared with CRYPTO_memcmp.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "channel/kdf.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"


#define CLA_GP 0x80u      /* INITIALIZE UPDATE */
#define CLA_GP_SM 0x84u   /* EXTERNAL AUTHENTICATE */
#define CLA_CHAIN 0x10u
#define EA_DATA_LEN (UC_SCP03_CRYPTOGRAM_LEN + UC_SCP03_MAC_LEN)
#define SEQ_LEN 3
#define AID_MIN 5
#define AID_MAX 16
#define HDR_MAX 7         /* CLA INS P1 P2 + Lc as 00 hi lo */

/* ------------------------------------------------------------------------
 * The session core, shared by both sides
 * ------------------------------------------------------------------------ */

struct session {
	uint8_t s_enc[UC_SCP03_KEY_LEN];
	uint8_t s_mac[UC_SCP03_KEY_LEN];
	uint8_t s_rmac[UC_SCP03_KEY_LEN];
	uint8_t chain[UC_SCP03_CMAC_LEN]; /* MAC chaining value */
	uint8_t host_challenge[UC_SCP03_CHALLENGE_LEN];
	uint8_t card_challenge[UC_SCP03_CHALLENGE_LEN];
	uint8_t card_cryptogram[UC_SCP03_CRYPTOGRAM_LEN];
	uint8_t host_cryptogram[UC_SCP03_CRYPTOGRAM_LEN];
	/*
	 * The encryption counter (Amendment D 6.2.6) is a 16-byte block;
	 * 2^64 commands will never be reached, so the low 8 bytes suffice.
	 */
	uint64_t counter;
	uint8_t sl;
};

static void
session_wipe(struct session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

static int
sl_allowed(uint8_t sl)
{
	switch (sl) {
	case 0x01:
	case 0x03:
	case 0x11:
	case 0x13:
	case 0x31:
	case 0x33:
		return 1;
	}
	return 0;
}

/*
 * Session keys and both cryptograms from the static keys and the two
 * challenges (Amendment D 6.2.1, 6.2.2.2, 6.2.2.3): context is
 * host challenge || card challenge.
 */
static int
session_derive(struct session *s, const struct uc_scp03_keys *keys)
{
	uint8_t ctx[2 * UC_SCP03_CHALLENGE_LEN];
	int r;

	memcpy(ctx, s->host_challenge, UC_SCP03_CHALLENGE_LEN);
	memcpy(ctx + UC_SCP03_CHALLENGE_LEN, s->card_challenge,
	    UC_SCP03_CHALLENGE_LEN);
	if ((r = uc_scp03_kdf(keys->enc, UC_SCP03_DC_S_ENC, ctx, sizeof(ctx),
	    128, s->s_enc)) != 0)
		goto out;
	if ((r = uc_scp03_kdf(keys->mac, UC_SCP03_DC_S_MAC, ctx, sizeof(ctx),
	    128, s->s_mac)) != 0)
		goto out;
	if ((r = uc_scp03_kdf(keys->mac, UC_SCP03_DC_S_RMAC, ctx, sizeof(ctx),
	    128, s->s_rmac)) != 0)
		goto out;
	if ((r = uc_scp03_kdf(s->s_mac, UC_SCP03_DC_CARD_CRYPTOGRAM, ctx,
	    sizeof(ctx), 64, s->card_cryptogram)) != 0)
		goto out;
	if ((r = uc_scp03_kdf(s->s_mac, UC_SCP03_DC_HOST_CRYPTOGRAM, ctx,
	    sizeof(ctx), 64, s->host_cryptogram)) != 0)
		goto out;
	memset(s->chain, 0, sizeof(s->chain));
	s->counter = 0;
out:
	OPENSSL_cleanse(ctx, sizeof(ctx));
	return r;
}

/*
 * The header as MACed: CLA with the logical channel set to zero, the
 * chaining bit cleared and b3 set (GP proprietary secure messaging), INS,
 * P1, P2, and the Lc of the protected command — one byte up to 255, else
 * 00 hi lo — whatever form (short, extended, chained) carried it.
 */
static size_t
mac_header(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, size_t lc,
    uint8_t hdr[HDR_MAX])
{
	hdr[0] = (uint8_t)((cla & 0xe0u) | UC_SCP03_CLA_SM);
	hdr[1] = ins;
	hdr[2] = p1;
	hdr[3] = p2;
	if (lc <= UC_APDU_LC_MAX_SHORT) {
		hdr[4] = (uint8_t)lc;
		return 5;
	}
	hdr[4] = 0x00;
	hdr[5] = (uint8_t)(lc >> 8);
	hdr[6] = (uint8_t)(lc & 0xff);
	return 7;
}

/* C-MAC: CMAC(S-MAC, chain || header || data); the result is the new chain
 * value, its first 8 bytes the MAC on the wire. */
static int
cmac_command(struct session *s, uint8_t cla, uint8_t ins, uint8_t p1,
    uint8_t p2, size_t lc, const uint8_t *data, size_t len,
    uint8_t out[UC_SCP03_CMAC_LEN])
{
	uint8_t hdr[HDR_MAX];
	struct uc_scp03_part parts[3];

	parts[0].p = s->chain;
	parts[0].n = sizeof(s->chain);
	parts[1].p = hdr;
	parts[1].n = mac_header(cla, ins, p1, p2, lc, hdr);
	parts[2].p = data;
	parts[2].n = len;
	return uc_scp03_cmac(s->s_mac, parts, 3, out);
}

/* R-MAC: CMAC(S-RMAC, chain || response data || SW1 SW2), 8 bytes. */
static int
rmac_response(const struct session *s, const uint8_t *data, size_t len,
    uint16_t sw, uint8_t out[UC_SCP03_MAC_LEN])
{
	uint8_t swb[2] = { (uint8_t)(sw >> 8), (uint8_t)(sw & 0xff) };
	uint8_t full[UC_SCP03_CMAC_LEN];
	struct uc_scp03_part parts[3];
	int r;

	parts[0].p = s->chain;
	parts[0].n = sizeof(s->chain);
	parts[1].p = data;
	parts[1].n = len;
	parts[2].p = swb;
	parts[2].n = sizeof(swb);
	if ((r = uc_scp03_cmac(s->s_rmac, parts, 3, full)) == 0)
		memcpy(out, full, UC_SCP03_MAC_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return r;
}

/*
 * ICV = AES(S-ENC, counter as a 16-byte big-endian block); for responses
 * the first byte of that block is 80 (Amendment D 6.2.6, 6.2.7).
 */
static int
session_icv(const struct session *s, int response, uint8_t icv[16])
{
	uint8_t block[16];
	uint64_t c = s->counter;
	int i, r;

	memset(block, 0, sizeof(block));
	for (i = 15; i >= 8; i--) {
		block[i] = (uint8_t)(c & 0xff);
		c >>= 8;
	}
	if (response)
		block[0] = 0x80;
	r = uc_scp03_aes_block(s->s_enc, block, icv);
	OPENSSL_cleanse(block, sizeof(block));
	return r;
}

/* Pad (80 00..) to a whole number of blocks in place and encrypt.  buf
 * holds len bytes and has room for the padded length, returned in *out. */
static int
pad_encrypt(const struct session *s, int response, uint8_t *buf, size_t len,
    size_t *out)
{
	uint8_t icv[16];
	size_t padded = (len / UC_SCP03_BLOCK + 1) * UC_SCP03_BLOCK;
	int r;

	buf[len] = 0x80;
	memset(buf + len + 1, 0, padded - len - 1);
	if ((r = session_icv(s, response, icv)) != 0)
		goto out;
	if ((r = uc_scp03_aes_cbc(s->s_enc, icv, 1, buf, padded, buf)) != 0)
		goto out;
	*out = padded;
out:
	OPENSSL_cleanse(icv, sizeof(icv));
	return r;
}

/*
 * Decrypt len bytes (a multiple of 16, > 0) from in to out and strip the
 * 80 00.. padding.  Returns 0, UC_ERR_PROTOCOL (bad length or padding),
 * UC_ERR_CRYPTO.  Only ever called on MAC-verified data.
 */
static int
decrypt_unpad(const struct session *s, int response, const uint8_t *in,
    size_t len, uint8_t *out, size_t *out_len)
{
	uint8_t icv[16];
	size_t n;
	int r;

	if (len == 0 || len % UC_SCP03_BLOCK != 0)
		return UC_ERR_PROTOCOL;
	if ((r = session_icv(s, response, icv)) != 0)
		goto out;
	if ((r = uc_scp03_aes_cbc(s->s_enc, icv, 0, in, len, out)) != 0)
		goto out;
	/* the padding is 80 then 0..15 zero bytes, all in the last block */
	for (n = len; n > len - UC_SCP03_BLOCK && out[n - 1] == 0x00; n--)
		;
	if (out[n - 1] != 0x80) {
		OPENSSL_cleanse(out, len);
		r = UC_ERR_PROTOCOL;
		goto out;
	}
	*out_len = n - 1;
	r = 0;
out:
	OPENSSL_cleanse(icv, sizeof(icv));
	return r;
}

/* Is sw one that carries response protection (9000, 62xx, 63xx)? */
static int
sw_protected(uint16_t sw)
{
	return sw == UC_SW_OK || (sw & 0xff00u) == 0x6200u ||
	    (sw & 0xff00u) == 0x6300u;
}

/* ------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------ */

void
uc_scp03_keys_wipe(struct uc_scp03_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

void
uc_scp03_dev_keys(struct uc_scp03_keys *out)
{
	size_t i;

	for (i = 0; i < UC_SCP03_KEY_LEN; i++) {
		out->enc[i] = (uint8_t)(0x40 + i);
		out->mac[i] = (uint8_t)(0x40 + i);
		out->dek[i] = (uint8_t)(0x40 + i);
	}
	out->kvn = UC_SCP03_DEV_KVN;
}

void
uc_scp03_div_data(const uint8_t serial[UC_SCP03_SERIAL_LEN],
    uint8_t out[UC_SCP03_DIV_DATA_LEN])
{
	memcpy(out, serial, UC_SCP03_SERIAL_LEN);
	out[8] = UC_SCP03_DIV_SCHEME_V1_HI;
	out[9] = UC_SCP03_DIV_SCHEME_V1_LO;
}

int
uc_scp03_diversify(const struct uc_scp03_keys *master,
    const uint8_t serial[UC_SCP03_SERIAL_LEN], struct uc_scp03_keys *out)
{
	struct uc_scp03_keys k;
	int r;

	if (master == NULL || serial == NULL || out == NULL)
		return UC_ERR_ARG;
	memset(&k, 0, sizeof(k));
	if ((r = uc_scp03_kdf(master->enc, UC_SCP03_DC_DIV_ENC, serial,
	    UC_SCP03_SERIAL_LEN, 128, k.enc)) != 0)
		goto out;
	if ((r = uc_scp03_kdf(master->mac, UC_SCP03_DC_DIV_MAC, serial,
	    UC_SCP03_SERIAL_LEN, 128, k.mac)) != 0)
		goto out;
	if ((r = uc_scp03_kdf(master->dek, UC_SCP03_DC_DIV_DEK, serial,
	    UC_SCP03_SERIAL_LEN, 128, k.dek)) != 0)
		goto out;
	k.kvn = master->kvn;
	*out = k; /* out may alias master: written only at the end */
out:
	if (r != 0)
		uc_scp03_keys_wipe(out);
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

/* ------------------------------------------------------------------------
 * Card side
 * ------------------------------------------------------------------------ */

enum card_state {
	CARD_IDLE = 0,
	CARD_INITIALIZED, /* INITIALIZE UPDATE answered; awaiting EXT AUTH */
	CARD_OPEN,
};

struct uc_scp03_card {
	enum card_state state;
	struct session s;
	int last_protected; /* the last unwrapped command was protected */
};

void
uc_scp03_card_nv_init(struct uc_scp03_card_nv *nv)
{
	nv->seq_counter = 0;
	nv->tries_left = UC_SCP03_TRIES_MAX;
}

int
uc_scp03_card_new(struct uc_scp03_card **out)
{
	struct uc_scp03_card *c;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return UC_ERR_NOMEM;
	*out = c;
	return 0;
}

void
uc_scp03_card_free(struct uc_scp03_card **c)
{
	if (c == NULL || *c == NULL)
		return;
	OPENSSL_cleanse(*c, sizeof(**c));
	free(*c);
	*c = NULL;
}

void
uc_scp03_card_reset(struct uc_scp03_card *c)
{
	if (c == NULL)
		return;
	session_wipe(&c->s);
	c->state = CARD_IDLE;
	c->last_protected = 0;
}

uint8_t
uc_scp03_card_security_level(const struct uc_scp03_card *c)
{
	if (c == NULL || c->state != CARD_OPEN)
		return 0;
	return c->s.sl;
}

int
uc_scp03_card_initialize_update(struct uc_scp03_card *c,
    const struct uc_scp03_keys *keys, struct uc_scp03_card_nv *nv,
    int *nv_dirty, const uint8_t div_data[UC_SCP03_DIV_DATA_LEN],
    const uint8_t *aid, size_t aid_len, const struct uc_apdu *cmd,
    uint8_t *resp, size_t resp_cap, size_t *resp_len, uint16_t *sw)
{
	uint8_t ctx[SEQ_LEN + AID_MAX];
	uint8_t *p;
	uint32_t seq;
	int r;

	if (sw != NULL)
		*sw = 0;
	if (resp_len != NULL)
		*resp_len = 0;
	if (nv_dirty != NULL)
		*nv_dirty = 0;
	if (c == NULL || keys == NULL || nv == NULL || div_data == NULL ||
	    aid == NULL || aid_len < AID_MIN || aid_len > AID_MAX ||
	    cmd == NULL || resp == NULL || resp_len == NULL || sw == NULL ||
	    (cmd->lc > 0 && cmd->data == NULL))
		return UC_ERR_ARG;
	if (resp_cap < UC_SCP03_IU_RESP_LEN)
		return UC_ERR_BUFFER;

	/* A new INITIALIZE UPDATE always ends the session in progress. */
	uc_scp03_card_reset(c);

	if (cmd->cla != CLA_GP) {
		*sw = UC_SW_CLA;
		return 0;
	}
	if (nv->tries_left == 0) {
		*sw = UC_SW_BLOCKED;
		return 0;
	}
	if (cmd->p2 != 0x00) {
		*sw = UC_SW_P1P2;
		return 0;
	}
	if (cmd->lc != UC_SCP03_CHALLENGE_LEN) {
		*sw = UC_SW_WRONG_LENGTH;
		return 0;
	}
	if (cmd->p1 != 0x00 && cmd->p1 != keys->kvn) {
		*sw = UC_SW_DATA_NOT_FOUND;
		return 0;
	}
	if (nv->seq_counter >= UC_SCP03_SEQ_MAX) {
		*sw = UC_SW_CONDITIONS;
		return 0;
	}

	/* Each counter value is used once: increment, then use. */
	seq = nv->seq_counter + 1;
	nv->seq_counter = seq;
	if (nv_dirty != NULL)
		*nv_dirty = 1;

	/* Pseudo-random card challenge (Amendment D 6.2.2.1). */
	ctx[0] = (uint8_t)(seq >> 16);
	ctx[1] = (uint8_t)(seq >> 8);
	ctx[2] = (uint8_t)seq;
	memcpy(ctx + SEQ_LEN, aid, aid_len);
	if ((r = uc_scp03_kdf(keys->enc, UC_SCP03_DC_CARD_CHALLENGE, ctx,
	    SEQ_LEN + aid_len, 64, c->s.card_challenge)) != 0)
		goto out;
	memcpy(c->s.host_challenge, cmd->data, UC_SCP03_CHALLENGE_LEN);
	if ((r = session_derive(&c->s, keys)) != 0)
		goto out;

	p = resp;
	memcpy(p, div_data, UC_SCP03_DIV_DATA_LEN);
	p += UC_SCP03_DIV_DATA_LEN;
	*p++ = keys->kvn;
	*p++ = UC_SCP03_ID;
	*p++ = UC_SCP03_I_CARD;
	memcpy(p, c->s.card_challenge, UC_SCP03_CHALLENGE_LEN);
	p += UC_SCP03_CHALLENGE_LEN;
	memcpy(p, c->s.card_cryptogram, UC_SCP03_CRYPTOGRAM_LEN);
	p += UC_SCP03_CRYPTOGRAM_LEN;
	memcpy(p, ctx, SEQ_LEN);
	*resp_len = UC_SCP03_IU_RESP_LEN;
	c->state = CARD_INITIALIZED;
	*sw = UC_SW_OK;
	r = 0;
out:
	if (r != 0)
		uc_scp03_card_reset(c);
	OPENSSL_cleanse(ctx, sizeof(ctx));
	return r;
}

int
uc_scp03_card_external_authenticate(struct uc_scp03_card *c,
    struct uc_scp03_card_nv *nv, int *nv_dirty, const struct uc_apdu *cmd,
    uint16_t *sw)
{
	uint8_t mac[UC_SCP03_CMAC_LEN];
	int bad, initialized, r = 0;

	if (sw != NULL)
		*sw = 0;
	if (nv_dirty != NULL)
		*nv_dirty = 0;
	if (c == NULL || nv == NULL || cmd == NULL || sw == NULL ||
	    (cmd->lc > 0 && cmd->data == NULL))
		return UC_ERR_ARG;

	/*
	 * Whatever happens below, a pending INITIALIZE UPDATE is used up:
	 * one host cryptogram may be tried once.  The order of the checks
	 * is the applet's (union-applet.md 3.1): class, blocked keys,
	 * secure messaging, P1-P2, length, state.
	 */
	initialized = c->state == CARD_INITIALIZED;
	c->state = CARD_IDLE;
	if (cmd->cla != CLA_GP && cmd->cla != CLA_GP_SM) {
		*sw = UC_SW_CLA;
		goto fail;
	}
	if (nv->tries_left == 0) {
		*sw = UC_SW_BLOCKED;
		goto fail;
	}
	if (cmd->cla == CLA_GP) {
		*sw = UC_SW_SM_NOT_SUPPORTED;
		goto fail;
	}
	if (cmd->p2 != 0x00 || !sl_allowed(cmd->p1)) {
		*sw = UC_SW_P1P2;
		goto fail;
	}
	if (cmd->lc != EA_DATA_LEN) {
		*sw = UC_SW_WRONG_LENGTH;
		goto fail;
	}
	if (!initialized) {
		*sw = UC_SW_CONDITIONS;
		goto fail;
	}

	/* The chaining value is still all zero: this is the first C-MAC. */
	if ((r = cmac_command(&c->s, cmd->cla, cmd->ins, cmd->p1, cmd->p2,
	    cmd->lc, cmd->data, UC_SCP03_CRYPTOGRAM_LEN, mac)) != 0)
		goto fail;
	bad = CRYPTO_memcmp(cmd->data, c->s.host_cryptogram,
	    UC_SCP03_CRYPTOGRAM_LEN);
	bad |= CRYPTO_memcmp(cmd->data + UC_SCP03_CRYPTOGRAM_LEN, mac,
	    UC_SCP03_MAC_LEN);
	if (bad != 0) {
		/* The decrement reaches the caller's NVM before the SW. */
		nv->tries_left--;
		if (nv_dirty != NULL)
			*nv_dirty = 1;
		*sw = (uint16_t)(UC_SW_TRIES_LEFT | nv->tries_left);
		goto fail;
	}
	if (nv->tries_left != UC_SCP03_TRIES_MAX) {
		nv->tries_left = UC_SCP03_TRIES_MAX;
		if (nv_dirty != NULL)
			*nv_dirty = 1;
	}
	memcpy(c->s.chain, mac, sizeof(c->s.chain));
	c->s.counter = 0;
	c->s.sl = cmd->p1;
	c->state = CARD_OPEN;
	c->last_protected = 0;
	*sw = UC_SW_OK;
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;

fail:
	OPENSSL_cleanse(mac, sizeof(mac));
	uc_scp03_card_reset(c);
	return r;
}

int
uc_scp03_card_unwrap(struct uc_scp03_card *c, const struct uc_apdu *cmd,
    uint8_t *plain, size_t plain_cap, size_t *plain_len, uint16_t *sw)
{
	uint8_t mac[UC_SCP03_CMAC_LEN];
	size_t body;
	int r = 0;

	if (sw != NULL)
		*sw = 0;
	if (plain_len != NULL)
		*plain_len = 0;
	if (c == NULL || cmd == NULL || plain_len == NULL || sw == NULL ||
	    (cmd->lc > 0 && (cmd->data == NULL || plain == NULL)))
		return UC_ERR_ARG;
	if (plain_cap < cmd->lc)
		return UC_ERR_BUFFER;

	c->last_protected = 0;
	if ((cmd->cla & UC_SCP03_CLA_SM) == 0) {
		/* Not protected: pass through, the applet judges. */
		if (cmd->lc > 0)
			memcpy(plain, cmd->data, cmd->lc);
		*plain_len = cmd->lc;
		*sw = UC_SW_OK;
		return 0;
	}
	if (c->state != CARD_OPEN) {
		uc_scp03_card_reset(c);
		*sw = UC_SW_SECURITY;
		return 0;
	}
	/* Every protected command advances the counter, with data or not. */
	c->s.counter++;
	/*
	 * Basic channel only, chains already reassembled: any other CLA
	 * bit would be left out of the MAC, so it is refused instead.
	 */
	if (cmd->cla != CLA_GP_SM && cmd->cla != UC_SCP03_CLA_SM)
		goto reject;
	if (cmd->lc < UC_SCP03_MAC_LEN)
		goto reject;
	body = cmd->lc - UC_SCP03_MAC_LEN;
	if ((r = cmac_command(&c->s, cmd->cla, cmd->ins, cmd->p1, cmd->p2,
	    cmd->lc, cmd->data, body, mac)) != 0)
		goto reject;
	if (CRYPTO_memcmp(mac, cmd->data + body, UC_SCP03_MAC_LEN) != 0)
		goto reject;
	memcpy(c->s.chain, mac, sizeof(c->s.chain));

	if ((c->s.sl & UC_SCP03_SL_CDEC) != 0 && body > 0) {
		if (decrypt_unpad(&c->s, 0, cmd->data, body, plain,
		    plain_len) != 0)
			goto reject;
	} else {
		if (body > 0)
			memcpy(plain, cmd->data, body);
		*plain_len = body;
	}
	c->last_protected = 1;
	*sw = UC_SW_OK;
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;

reject:
	/* Bad secure messaging: the session is over (GP: 69 88). */
	OPENSSL_cleanse(mac, sizeof(mac));
	uc_scp03_card_reset(c);
	*plain_len = 0;
	*sw = UC_SW_SM_DATA;
	return r == UC_ERR_CRYPTO ? r : 0;
}

int
uc_scp03_card_wrap_response(struct uc_scp03_card *c, const uint8_t *data,
    size_t len, uint16_t sw, uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t n = len;
	int protect, r;

	if (out_len != NULL)
		*out_len = 0;
	if (c == NULL || out_len == NULL || (len > 0 && (data == NULL ||
	    out == NULL)) || len > UC_SCP03_PLAIN_MAX)
		return UC_ERR_ARG;

	protect = c->last_protected && c->state == CARD_OPEN &&
	    (c->s.sl & UC_SCP03_SL_RMAC) != 0;
	c->last_protected = 0;
	if (!protect) {
		if (out_cap < len)
			return UC_ERR_BUFFER;
		if (len > 0)
			memmove(out, data, len);
		*out_len = len;
		return 0;
	}
	if (!sw_protected(sw)) {
		/* GP: an error status word travels alone. */
		return 0;
	}
	if (out == NULL || out_cap < UC_SCP03_WRAPPED_MAX(len))
		return UC_ERR_BUFFER;
	if (len > 0)
		memmove(out, data, len);
	if ((c->s.sl & UC_SCP03_SL_RENC) != 0 && len > 0) {
		if ((r = pad_encrypt(&c->s, 1, out, len, &n)) != 0)
			goto fail;
	}
	if ((r = rmac_response(&c->s, out, n, sw, out + n)) != 0)
		goto fail;
	*out_len = n + UC_SCP03_MAC_LEN;
	return 0;
fail:
	OPENSSL_cleanse(out, out_cap < UC_SCP03_WRAPPED_MAX(len) ? out_cap :
	    UC_SCP03_WRAPPED_MAX(len));
	uc_scp03_card_reset(c);
	return r;
}

/* ------------------------------------------------------------------------
 * Host side
 * ------------------------------------------------------------------------ */

enum host_state {
	HOST_IDLE = 0,
	HOST_BEGUN,    /* INITIALIZE UPDATE built */
	HOST_EA_SENT,  /* EXTERNAL AUTHENTICATE built */
	HOST_OPEN,
};

struct uc_scp03_host {
	enum host_state state;
	struct uc_scp03_keys keys;
	unsigned flags;
	struct session s;
	struct uc_scp03_card_info info;
	int have_info;
	int awaiting_response;
	uint8_t ea_data[EA_DATA_LEN];
	uint8_t aid[AID_MAX];   /* uc_scp03_host_expect_aid(); 0: not known */
	size_t aid_len;
};

int
uc_scp03_host_new(struct uc_scp03_host **out)
{
	struct uc_scp03_host *h;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return UC_ERR_NOMEM;
	*out = h;
	return 0;
}

void
uc_scp03_host_close(struct uc_scp03_host *h)
{
	if (h == NULL)
		return;
	OPENSSL_cleanse(h, sizeof(*h));
	h->state = HOST_IDLE;
}

void
uc_scp03_host_free(struct uc_scp03_host **h)
{
	if (h == NULL || *h == NULL)
		return;
	uc_scp03_host_close(*h);
	free(*h);
	*h = NULL;
}

uint8_t
uc_scp03_host_security_level(const struct uc_scp03_host *h)
{
	if (h == NULL || h->state != HOST_OPEN)
		return 0;
	return h->s.sl;
}

int
uc_scp03_host_card_info(const struct uc_scp03_host *h,
    struct uc_scp03_card_info *out)
{
	if (h == NULL || out == NULL)
		return UC_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if (!h->have_info)
		return UC_ERR_STATE;
	*out = h->info;
	return 0;
}

int
uc_scp03_host_begin(struct uc_scp03_host *h, const struct uc_scp03_keys *keys,
    unsigned flags, const uint8_t host_challenge[UC_SCP03_CHALLENGE_LEN],
    struct uc_apdu *iu)
{
	struct uc_scp03_keys k;
	uint8_t hc[UC_SCP03_CHALLENGE_LEN];

	if (iu != NULL)
		memset(iu, 0, sizeof(*iu));
	if (h == NULL || keys == NULL || iu == NULL ||
	    (flags & ~UC_SCP03_HOST_MASTER_KEYS) != 0)
		return UC_ERR_ARG;
	/* copies first: either may point into h (a previous iu->data) */
	k = *keys;
	if (host_challenge != NULL)
		memcpy(hc, host_challenge, sizeof(hc));
	else if (RAND_bytes(hc, sizeof(hc)) != 1) {
		OPENSSL_cleanse(&k, sizeof(k));
		return UC_ERR_CRYPTO;
	}
	uc_scp03_host_close(h);
	h->keys = k;
	h->flags = flags;
	memcpy(h->s.host_challenge, hc, sizeof(hc));
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(hc, sizeof(hc));
	iu->cla = CLA_GP;
	iu->ins = UC_SCP03_INS_INITIALIZE_UPDATE;
	iu->p1 = keys->kvn;
	iu->p2 = 0x00;
	iu->data = h->s.host_challenge;
	iu->lc = UC_SCP03_CHALLENGE_LEN;
	iu->le = UC_APDU_LE_MAX_SHORT;
	h->state = HOST_BEGUN;
	return 0;
}

int
uc_scp03_host_expect_aid(struct uc_scp03_host *h, const uint8_t *aid,
    size_t aid_len)
{
	if (h == NULL || aid == NULL || aid_len < AID_MIN ||
	    aid_len > AID_MAX)
		return UC_ERR_ARG;
	if (h->state != HOST_BEGUN)
		return UC_ERR_STATE;
	memcpy(h->aid, aid, aid_len);
	h->aid_len = aid_len;
	return 0;
}

/*
 * A pseudo-random card challenge is KDF(Key-ENC, 02, SEQ || AID)
 * (Amendment D 6.2.2.1): with the AID known, it proves the card's Key-ENC,
 * which the cryptograms (S-MAC only) do not.  Checked after the card
 * cryptogram, so that keys wrong throughout still give UC_ERR_AUTH.
 */
static int
check_card_challenge(const struct uc_scp03_host *h)
{
	uint8_t ctx[SEQ_LEN + AID_MAX], want[UC_SCP03_CHALLENGE_LEN];
	int r;

	if (h->aid_len == 0 || !h->info.has_seq)
		return 0;
	ctx[0] = (uint8_t)(h->info.seq_counter >> 16);
	ctx[1] = (uint8_t)(h->info.seq_counter >> 8);
	ctx[2] = (uint8_t)h->info.seq_counter;
	memcpy(ctx + SEQ_LEN, h->aid, h->aid_len);
	if ((r = uc_scp03_kdf(h->keys.enc, UC_SCP03_DC_CARD_CHALLENGE, ctx,
	    SEQ_LEN + h->aid_len, 64, want)) == 0 &&
	    CRYPTO_memcmp(want, h->s.card_challenge,
	    UC_SCP03_CHALLENGE_LEN) != 0)
		r = UC_ERR_KEY;
	OPENSSL_cleanse(ctx, sizeof(ctx));
	OPENSSL_cleanse(want, sizeof(want));
	return r;
}

/* Parse the INITIALIZE UPDATE response into h->info and the challenge. */
static int
parse_iu_response(struct uc_scp03_host *h, const uint8_t *resp, size_t len)
{
	const uint8_t *p = resp;

	if (len != UC_SCP03_IU_RESP_LEN && len != UC_SCP03_IU_RESP_LEN_RANDOM)
		return UC_ERR_PROTOCOL;
	memcpy(h->info.div_data, p, UC_SCP03_DIV_DATA_LEN);
	p += UC_SCP03_DIV_DATA_LEN;
	h->info.kvn = *p++;
	h->info.scp_id = *p++;
	h->info.i = *p++;
	memcpy(h->s.card_challenge, p, UC_SCP03_CHALLENGE_LEN);
	p += UC_SCP03_CHALLENGE_LEN;
	p += UC_SCP03_CRYPTOGRAM_LEN; /* checked by the caller */
	if (len == UC_SCP03_IU_RESP_LEN) {
		h->info.has_seq = 1;
		h->info.seq_counter = ((uint32_t)p[0] << 16) |
		    ((uint32_t)p[1] << 8) | p[2];
	}
	h->have_info = 1;
	if (h->info.scp_id != UC_SCP03_ID)
		return UC_ERR_PROTOCOL;
	if ((h->info.i & UC_SCP03_I_S16) != 0)
		return UC_ERR_UNSUPPORTED;
	/* the counter is present exactly when the challenge is derived */
	if (((h->info.i & UC_SCP03_I_PSEUDO_RANDOM) != 0) != h->info.has_seq)
		return UC_ERR_PROTOCOL;
	if (h->keys.kvn != 0 && h->info.kvn != h->keys.kvn)
		return UC_ERR_PROTOCOL;
	return 0;
}

int
uc_scp03_host_authenticate(struct uc_scp03_host *h, const uint8_t *resp,
    size_t resp_len, uint16_t sw, uint8_t sl, struct uc_apdu *ea)
{
	const uint8_t *card_cryptogram;
	uint8_t mac[UC_SCP03_CMAC_LEN];
	uint8_t hdr_lc = EA_DATA_LEN;
	int r;

	if (ea != NULL)
		memset(ea, 0, sizeof(*ea));
	if (h == NULL || ea == NULL || (resp_len > 0 && resp == NULL))
		return UC_ERR_ARG;
	if (h->state != HOST_BEGUN)
		return UC_ERR_STATE;
	memset(mac, 0, sizeof(mac));
	if (sw != UC_SW_OK) {
		r = uc_sw_to_err(sw);
		goto fail;
	}
	if ((r = parse_iu_response(h, resp, resp_len)) != 0)
		goto fail;
	if (!sl_allowed(sl) ||
	    ((sl & UC_SCP03_SL_RMAC) != 0 &&
	    (h->info.i & UC_SCP03_I_RMAC) == 0) ||
	    ((sl & UC_SCP03_SL_RENC) != 0 &&
	    (h->info.i & UC_SCP03_I_RENC) == 0)) {
		r = UC_ERR_ARG;
		goto fail;
	}
	if ((h->flags & UC_SCP03_HOST_MASTER_KEYS) != 0) {
		if (h->info.div_data[8] != UC_SCP03_DIV_SCHEME_V1_HI ||
		    h->info.div_data[9] != UC_SCP03_DIV_SCHEME_V1_LO) {
			r = UC_ERR_UNSUPPORTED;
			goto fail;
		}
		if ((r = uc_scp03_diversify(&h->keys, h->info.div_data,
		    &h->keys)) != 0)
			goto fail;
	}
	if ((r = session_derive(&h->s, &h->keys)) != 0)
		goto fail;
	card_cryptogram = resp + UC_SCP03_DIV_DATA_LEN + 3 +
	    UC_SCP03_CHALLENGE_LEN;
	if (CRYPTO_memcmp(card_cryptogram, h->s.card_cryptogram,
	    UC_SCP03_CRYPTOGRAM_LEN) != 0) {
		/* wrong master key or key version: send nothing more */
		r = UC_ERR_AUTH;
		goto fail;
	}
	/* the MAC keys fit; a wrong ENC key: send nothing more either */
	if ((r = check_card_challenge(h)) != 0)
		goto fail;
	/* The static keys are no longer needed. */
	uc_scp03_keys_wipe(&h->keys);

	if ((r = cmac_command(&h->s, CLA_GP_SM,
	    UC_SCP03_INS_EXTERNAL_AUTHENTICATE, sl, 0x00, hdr_lc,
	    h->s.host_cryptogram, UC_SCP03_CRYPTOGRAM_LEN, mac)) != 0)
		goto fail;
	memcpy(h->s.chain, mac, sizeof(h->s.chain));
	memcpy(h->ea_data, h->s.host_cryptogram, UC_SCP03_CRYPTOGRAM_LEN);
	memcpy(h->ea_data + UC_SCP03_CRYPTOGRAM_LEN, mac, UC_SCP03_MAC_LEN);
	h->s.sl = sl;
	h->s.counter = 0;
	ea->cla = CLA_GP_SM;
	ea->ins = UC_SCP03_INS_EXTERNAL_AUTHENTICATE;
	ea->p1 = sl;
	ea->p2 = 0x00;
	ea->data = h->ea_data;
	ea->lc = EA_DATA_LEN;
	ea->le = 0;
	h->state = HOST_EA_SENT;
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
fail:
	OPENSSL_cleanse(mac, sizeof(mac));
	{
		/* keep what the card said, for the caller's diagnostics */
		struct uc_scp03_card_info info = h->info;
		int have = h->have_info;

		uc_scp03_host_close(h);
		h->info = info;
		h->have_info = have;
	}
	return r;
}

int
uc_scp03_host_confirm(struct uc_scp03_host *h, uint16_t sw, int *tries_left)
{
	struct uc_scp03_card_info info;
	int r;

	if (tries_left != NULL)
		*tries_left = -1;
	if (h == NULL)
		return UC_ERR_ARG;
	if (h->state != HOST_EA_SENT)
		return UC_ERR_STATE;
	if (sw == UC_SW_OK) {
		OPENSSL_cleanse(h->ea_data, sizeof(h->ea_data));
		h->state = HOST_OPEN;
		h->awaiting_response = 0;
		return 0;
	}
	if ((sw & 0xfff0u) == UC_SW_TRIES_LEFT) {
		if (tries_left != NULL)
			*tries_left = sw & 0x0f;
		r = UC_ERR_SW_AUTH_FAILED;
	} else {
		r = uc_sw_to_err(sw);
	}
	info = h->info;
	uc_scp03_host_close(h);
	h->info = info;
	h->have_info = 1;
	return r;
}

int
uc_scp03_host_wrap(struct uc_scp03_host *h, const struct uc_apdu *plain,
    uint8_t *storage, size_t storage_cap, struct uc_apdu *wrapped)
{
	struct uc_apdu a;
	uint8_t mac[UC_SCP03_CMAC_LEN];
	size_t body;
	int r;

	if (plain == NULL) {
		if (wrapped != NULL)
			memset(wrapped, 0, sizeof(*wrapped));
		return UC_ERR_ARG;
	}
	a = *plain; /* plain and wrapped may be the same object */
	if (wrapped != NULL)
		memset(wrapped, 0, sizeof(*wrapped));
	if (h == NULL || storage == NULL || wrapped == NULL ||
	    (a.lc > 0 && a.data == NULL))
		return UC_ERR_ARG;
	if (h->state != HOST_OPEN)
		return UC_ERR_STATE;
	if (a.lc > UC_SCP03_PLAIN_MAX)
		return UC_ERR_RANGE;
	if (storage_cap < UC_SCP03_WRAPPED_MAX(a.lc))
		return UC_ERR_BUFFER;

	h->s.counter++;
	body = a.lc;
	if (body > 0)
		memmove(storage, a.data, body);
	if ((h->s.sl & UC_SCP03_SL_CDEC) != 0 && body > 0) {
		if ((r = pad_encrypt(&h->s, 0, storage, a.lc, &body)) != 0)
			goto fail;
	}
	if ((r = cmac_command(&h->s, a.cla, a.ins, a.p1, a.p2,
	    body + UC_SCP03_MAC_LEN, storage, body, mac)) != 0)
		goto fail;
	memcpy(h->s.chain, mac, sizeof(h->s.chain));
	memcpy(storage + body, mac, UC_SCP03_MAC_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));

	*wrapped = a;
	wrapped->cla = (uint8_t)(a.cla | UC_SCP03_CLA_SM);
	wrapped->data = storage;
	wrapped->lc = body + UC_SCP03_MAC_LEN;
	h->awaiting_response = 1;
	return 0;
fail:
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(storage, storage_cap);
	uc_scp03_host_close(h);
	return r;
}

int
uc_scp03_host_unwrap(struct uc_scp03_host *h, const uint8_t *resp,
    size_t resp_len, uint16_t sw, uint8_t *plain, size_t plain_cap,
    size_t *plain_len)
{
	uint8_t rmac[UC_SCP03_MAC_LEN];
	size_t body;
	int r;

	if (plain_len != NULL)
		*plain_len = 0;
	if (h == NULL || plain_len == NULL ||
	    (resp_len > 0 && (resp == NULL || plain == NULL)))
		return UC_ERR_ARG;
	if (h->state != HOST_OPEN || !h->awaiting_response)
		return UC_ERR_STATE;
	if (plain_cap < resp_len)
		return UC_ERR_BUFFER;
	h->awaiting_response = 0;

	if ((h->s.sl & UC_SCP03_SL_RMAC) == 0) {
		if (resp_len > 0)
			memcpy(plain, resp, resp_len);
		*plain_len = resp_len;
		return 0;
	}
	if (!sw_protected(sw)) {
		/* An error SW comes alone; data here is unauthenticated. */
		if (resp_len == 0)
			return 0;
		r = UC_ERR_VERIFY;
		goto fail;
	}
	if (resp_len < UC_SCP03_MAC_LEN) {
		r = UC_ERR_PROTOCOL;
		goto fail;
	}
	body = resp_len - UC_SCP03_MAC_LEN;
	if ((r = rmac_response(&h->s, resp, body, sw, rmac)) != 0)
		goto fail;
	if (CRYPTO_memcmp(rmac, resp + body, UC_SCP03_MAC_LEN) != 0) {
		r = UC_ERR_VERIFY;
		goto fail;
	}
	if ((h->s.sl & UC_SCP03_SL_RENC) != 0 && body > 0) {
		if ((r = decrypt_unpad(&h->s, 1, resp, body, plain,
		    plain_len)) != 0)
			goto fail;
	} else {
		if (body > 0)
			memcpy(plain, resp, body);
		*plain_len = body;
	}
	OPENSSL_cleanse(rmac, sizeof(rmac));
	return 0;
fail:
	OPENSSL_cleanse(rmac, sizeof(rmac));
	uc_scp03_host_close(h);
	*plain_len = 0;
	return r;
}
