/*
 * bank_station - what the issuance station records for a linked card,
 * for the bank liaison's end-to-end test: the card's bank PAN (as HMAC
 * under the bank-link key + last four, via uc_ledger_card_set_pan), then
 * encoded, optionally issued.  The station itself does not encode linked
 * cards yet, so the test uses the library API on the same ledger file.
 *
 *   bank_station LEDGER USER BANK_KEY_FILE SERIAL PAN encoded|issued
 *
 * Password from $UNIONCARD_PASSWORD.  Exit 0 or 2 with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "unioncard/bankfile.h"
#include "unioncard/keys.h"
#include "unioncard/ledger.h"

/* The ledger's last refusal, in words (uc_ledger_diag). */
#define LEDGER_WHY(l) (uc_ledger_diag((l), &(struct uc_diag){ 0 })->msg)

static int
fail(struct uc_ledger *l, const char *what, int r)
{
	fprintf(stderr, "bank_station: %s: %s%s%s\n", what, uc_strerror(r),
	    l != NULL && LEDGER_WHY(l)[0] ? ": " : "",
	    l != NULL ? LEDGER_WHY(l) : "");
	return 2;
}

int
main(int argc, char **argv)
{
	static const unsigned char pk[65] = { 4 };
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	uint8_t key[UC_BANK_KEY_MAX], hmac[UC_BANK_PAN_HMAC_LEN];
	const char *pw = getenv("UNIONCARD_PASSWORD"), *pan;
	size_t key_len = 0, n;
	int r, ret = 2;

	if (argc != 7 || pw == NULL || (strcmp(argv[6], "encoded") != 0 &&
	    strcmp(argv[6], "issued") != 0)) {
		fprintf(stderr, "usage: bank_station LEDGER USER KEYFILE SERIAL"
		    " PAN encoded|issued\n");
		return 2;
	}
	pan = argv[5];
	n = strlen(pan);
	if ((r = uc_keys_load_bank_link(argv[3], key, &key_len, &d)) != 0) {
		ret = fail(NULL, "bank-link key", r);
		goto out;
	}
	if ((r = uc_bank_pan_hmac(key, key_len, pan, n, hmac)) != 0) {
		ret = fail(NULL, "PAN", r);
		goto out;
	}
	if ((r = uc_ledger_open(&l, argv[1], 0)) != 0 ||
	    (r = uc_ledger_login(l, argv[2], pw)) != 0) {
		ret = fail(l, "ledger", r);
		goto out;
	}
	if ((r = uc_ledger_card_set_pan(l, argv[4], hmac, pan + n - 4)) != 0) {
		ret = fail(l, "card_set_pan", r);
		goto out;
	}
	if ((r = uc_ledger_card_encoded(l, argv[4], "bank-station", pk,
	    sizeof(pk), NULL, 0)) != 0) {
		ret = fail(l, "card_encoded", r);
		goto out;
	}
	if (strcmp(argv[6], "issued") == 0 &&
	    (r = uc_ledger_card_issue(l, argv[4])) != 0) {
		ret = fail(l, "card_issue", r);
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hmac, sizeof(hmac));
	uc_ledger_free(&l);
	return ret;
}
