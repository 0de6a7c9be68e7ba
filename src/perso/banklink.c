/*
 * banklink.c - personalization of a linked card: bind the union applet
 * to the bank card it sits on (applets-spec/linked-card.md §5).
 *
 * The PAN is read through the card's own payment application, never
 * typed: a station cannot bind the union data to the wrong bank card by
 * a slip of the keyboard.  It lives in one local buffer for the length of
 * this call; what leaves is the E3 object (a hash with the chip serial),
 * the last four digits and the bank-link HMAC for the ledger.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/applet.h"
#include "unioncard/bankfile.h"
#include "unioncard/dataobj.h"
#include "unioncard/emv.h"
#include "unioncard/perso.h"

int
uc_perso_bank_link(struct uc_transport *t,
    const uint8_t serial[UC_CARD_SERIAL_LEN],
    const struct uc_card_aid *bank_aids, size_t n_bank_aids,
    const char *expect_pan, const uint8_t *key, size_t key_len,
    struct uc_buf *e3, struct uc_perso_result *res, struct uc_diag *diag)
{
	char pan[20], expiry[5];
	uint8_t aid[UC_EMV_AID_MAX], binding[UC_PAN_BINDING_LEN];
	size_t aid_len = 0, n, i;
	int r, listed = 0;

	memset(pan, 0, sizeof(pan));
	memset(binding, 0, sizeof(binding));
	uc_diag_clear(diag);
	if (t == NULL || serial == NULL || (bank_aids == NULL &&
	    n_bank_aids != 0) || e3 == NULL || res == NULL)
		return UC_ERR_ARG;
	if (key != NULL && (key_len < UC_BANK_KEY_MIN ||
	    key_len > UC_BANK_KEY_MAX))
		return uc_diag_set(diag, UC_ERR_KEY, NULL, 0, "bank-link key",
		    "must be %d to %d bytes", UC_BANK_KEY_MIN,
		    UC_BANK_KEY_MAX);

	if ((r = uc_emv_read_pan_diag(t, pan, expiry, aid, &aid_len,
	    diag)) != 0) {
		if (r == UC_ERR_SW_NOT_FOUND)
			uc_diag_set(diag, r, NULL, 0, "card_type", "a linked "
			    "member needs a card with the bank payment "
			    "application; this card has none");
		goto out;
	}
	n = strlen(pan);
	/* The application read must be the one the union applet names. */
	for (i = 0; i < n_bank_aids && !listed; i++)
		listed = bank_aids[i].len == aid_len &&
		    memcmp(bank_aids[i].bytes, aid, aid_len) == 0;
	if (!listed) {
		r = uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "bank AID",
		    "the card's payment application is not the one its union "
		    "applet lists (FCI 88)");
		goto out;
	}
	if (expect_pan != NULL && (strlen(expect_pan) != n ||
	    CRYPTO_memcmp(expect_pan, pan, n) != 0)) {
		r = uc_diag_set(diag, UC_ERR_INVALID, NULL, 0, "pan",
		    "the card's PAN is not the PAN given for it");
		goto out;
	}
	if ((r = uc_dataobj_pan_binding(serial, pan, binding)) != 0 ||
	    (r = uc_dataobj_bank_link(binding, aid, aid_len, e3)) != 0) {
		uc_diag_set(diag, r, NULL, 0, "E3", "cannot build the bank "
		    "link object");
		goto out;
	}
	if (key != NULL) {
		if ((r = uc_bank_pan_hmac(key, key_len, pan, n,
		    res->pan_hmac)) != 0) {
			uc_diag_set(diag, r, NULL, 0, "bank-link key",
			    "cannot compute the PAN's HMAC");
			goto out;
		}
		res->have_pan_hmac = 1;
	}
	memcpy(res->pan_last4, pan + n - 4, 4);
	res->pan_last4[4] = '\0';
	memcpy(res->bank_aid, aid, aid_len);
	res->bank_aid_len = aid_len;
	res->linked = 1;
	r = 0;
out:
	OPENSSL_cleanse(pan, sizeof(pan));
	OPENSSL_cleanse(binding, sizeof(binding));
	if (r != 0) {
		OPENSSL_cleanse(res->pan_hmac, sizeof(res->pan_hmac));
		res->have_pan_hmac = 0;
		memset(res->pan_last4, 0, sizeof(res->pan_last4));
		res->linked = 0;
	}
	return r;
}
