/*
 * scp03_transport.c - the SCP03 host side over a transport: the handshake
 * and one protected command at a time, through uc_apdu_exchange() (which
 * adds command chaining and GET RESPONSE underneath the secure channel:
 * the MACs cover the whole logical command and the whole response).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/error.h"
#include "unioncard/scp03.h"
#include "unioncard/transport.h"

int
uc_scp03_open(struct uc_transport *t, const struct uc_scp03_keys *card_keys,
    uint8_t sl, struct uc_scp03_host **out, uint16_t *sw)
{
	return uc_scp03_open_aid(t, card_keys, NULL, 0, sl, out, sw);
}

/*
 * The key version the card holds, asked with INITIALIZE UPDATE P1 = 00
 * ("the card's default key set"): only the card's answer is read, no
 * EXTERNAL AUTHENTICATE follows.  -1 when the card does not say.
 */
static int
probe_kvn(struct uc_transport *t)
{
	struct uc_buf resp = UC_BUF_INIT;
	uint8_t challenge[UC_SCP03_CHALLENGE_LEN];
	struct uc_apdu iu;
	uint16_t sw = 0;
	int kvn = -1;

	memset(&iu, 0, sizeof(iu));
	memset(challenge, 0x5a, sizeof(challenge));
	iu.cla = 0x80;
	iu.ins = UC_SCP03_INS_INITIALIZE_UPDATE;
	iu.data = challenge;
	iu.lc = sizeof(challenge);
	iu.le = UC_APDU_LE_MAX_SHORT;
	if (uc_apdu_exchange(t, &iu, 0, &resp, &sw) == 0 && sw == UC_SW_OK &&
	    resp.len > UC_SCP03_DIV_DATA_LEN)
		kvn = resp.data[UC_SCP03_DIV_DATA_LEN];
	uc_buf_free(&resp);
	return kvn;
}

int
uc_scp03_open_aid(struct uc_transport *t,
    const struct uc_scp03_keys *card_keys, const uint8_t *aid,
    size_t aid_len, uint8_t sl, struct uc_scp03_host **out, uint16_t *sw)
{
	return uc_scp03_open_aid_kvn(t, card_keys, aid, aid_len, sl, out, sw,
	    NULL);
}

int
uc_scp03_open_aid_kvn(struct uc_transport *t,
    const struct uc_scp03_keys *card_keys, const uint8_t *aid,
    size_t aid_len, uint8_t sl, struct uc_scp03_host **out, uint16_t *sw,
    int *card_kvn)
{
	struct uc_scp03_host *h = NULL;
	struct uc_scp03_card_info info;
	struct uc_buf resp = UC_BUF_INIT;
	struct uc_apdu iu, ea;
	int r;

	if (card_kvn != NULL)
		*card_kvn = -1;
	if (out != NULL)
		*out = NULL;
	if (sw != NULL)
		*sw = 0;
	if (t == NULL || card_keys == NULL || out == NULL || sw == NULL)
		return UC_ERR_ARG;
	if ((r = uc_scp03_host_new(&h)) != 0)
		goto out;
	if ((r = uc_scp03_host_begin(h, card_keys, 0, NULL, &iu)) != 0)
		goto out;
	if (aid != NULL && (r = uc_scp03_host_expect_aid(h, aid,
	    aid_len)) != 0)
		goto out;
	if ((r = uc_apdu_exchange(t, &iu, 0, &resp, sw)) != 0)
		goto out;
	/*
	 * The card cryptogram (and, with the AID, the card challenge) is
	 * checked here, before EXTERNAL AUTHENTICATE exists: a wrong key
	 * costs the card no try.
	 */
	r = uc_scp03_host_authenticate(h, resp.data, resp.len, *sw, sl, &ea);
	if (card_kvn != NULL) {
		if (uc_scp03_host_card_info(h, &info) == 0)
			*card_kvn = info.kvn;
		else if (r == UC_ERR_SW_NOT_FOUND)
			/* 6A 88: the card has no keys of that version */
			*card_kvn = probe_kvn(t);
	}
	if (r != 0)
		goto out;
	uc_buf_reset(&resp);
	if ((r = uc_apdu_exchange(t, &ea, 0, &resp, sw)) != 0)
		goto out;
	if ((r = uc_scp03_host_confirm(h, *sw, NULL)) != 0)
		goto out;
	*out = h;
	h = NULL;
out:
	uc_buf_free(&resp);
	uc_scp03_host_free(&h);
	return r;
}

int
uc_scp03_transmit(struct uc_scp03_host *h, struct uc_transport *t,
    const struct uc_apdu *a, struct uc_buf *resp, uint16_t *sw)
{
	struct uc_buf raw = UC_BUF_INIT;
	struct uc_apdu w;
	uint8_t *store = NULL, *plain = NULL;
	size_t store_len = 0, plain_len = 0;
	int r;

	if (sw != NULL)
		*sw = 0;
	if (h == NULL || t == NULL || a == NULL || sw == NULL)
		return UC_ERR_ARG;
	if (a->lc > UC_SCP03_PLAIN_MAX)
		return UC_ERR_RANGE;
	store_len = UC_SCP03_WRAPPED_MAX(a->lc);
	if ((store = malloc(store_len)) == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_scp03_host_wrap(h, a, store, store_len, &w)) != 0)
		goto out;
	if ((r = uc_apdu_exchange(t, &w, 0, &raw, sw)) != 0) {
		/* the card may or may not have taken the command: the MAC
		 * chain is lost, so is the session */
		uc_scp03_host_close(h);
		goto out;
	}
	if (raw.len > 0 && (plain = malloc(raw.len)) == NULL) {
		uc_scp03_host_close(h);
		r = UC_ERR_NOMEM;
		goto out;
	}
	if ((r = uc_scp03_host_unwrap(h, raw.data, raw.len, *sw, plain,
	    raw.len, &plain_len)) != 0)
		goto out;
	if (resp != NULL && plain_len > 0 &&
	    (r = uc_buf_append(resp, plain, plain_len)) != 0)
		goto out;
	r = 0;
out:
	if (store != NULL) {
		OPENSSL_cleanse(store, store_len);
		free(store);
	}
	if (plain != NULL) {
		OPENSSL_cleanse(plain, raw.len);
		free(plain);
	}
	uc_buf_free(&raw);
	return r;
}
