/*
 * banklink.c - the verifier's bank_link check (applets-spec/linked-card.md
 * §5): is the union applet still on the bank card it was issued with?
 *
 * The union applet's objects can be copied; the bank's card number cannot
 * be changed by whoever copies them.  E3/C8 binds the two: SHA-256 of a
 * label, the chip serial and the PAN.  The check reads the PAN through the
 * payment application, recomputes the binding with the chip's serial and
 * compares, and requires E3 to be one of the objects the issuer signed.
 * The PAN is held in one local buffer and wiped before return.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "unioncard/dataobj.h"
#include "unioncard/emv.h"
#include "unioncard/secobj.h"
#include "unioncard/verify.h"

#include "verify_priv.h"

#define CHECK_NAME "bank_link"
#define NOT_ON_ITS_CARD "union applet is not on the bank card it was issued " \
	"with"

static void
set(struct uc_verify_check *c, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set(struct uc_verify_check *c, int ok, const char *fmt, ...)
{
	va_list ap;

	c->ok = ok;
	c->outcome = ok ? UC_VERIFY_OK : UC_VERIFY_FAILED;
	c->why = ok ? "" : NOT_ON_ITS_CARD;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

/* Is E3 listed, with its own hash, in the security object? */
static int
e3_signed(const struct uc_card_objects *o, const struct uc_verify_opts *opts,
    time_t when)
{
	struct uc_secobj_item items[3];
	struct uc_secobj_result so;
	const uint8_t *listed;
	uint8_t md[32];
	int r;

	memset(&so, 0, sizeof(so));
	items[0] = (struct uc_secobj_item){ UC_DO_IDENTITY, o->identity_tlv,
		o->identity_tlv_len };
	items[1] = (struct uc_secobj_item){ UC_DO_PUBKEY, o->pubkey_tlv,
		o->pubkey_tlv_len };
	items[2] = (struct uc_secobj_item){ UC_DO_BANK, o->bank_tlv,
		o->bank_tlv_len };
	r = uc_secobj_verify(o->secobj, o->secobj_len, opts->trust, when,
	    items, 3, o->serial, &so, NULL);
	if (r != 0 && r != UC_ERR_VERIFY)
		return 0;
	if (so.signature != UC_CHECK_PASS)
		return 0;
	if ((listed = uc_secobj_result_hash(&so, UC_DO_BANK)) == NULL)
		return 0;
	if (EVP_Digest(o->bank_tlv, o->bank_tlv_len, md, NULL, EVP_sha256(),
	    NULL) != 1)
		return 0;
	return CRYPTO_memcmp(listed, md, sizeof(md)) == 0;
}

int
uc_verify_bank_link(struct uc_transport *t,
    const uint8_t serial[UC_CARD_SERIAL_LEN], const uint8_t *objects,
    size_t objects_len, const struct uc_verify_opts *opts,
    struct uc_verify_result *res, struct uc_diag *diag)
{
	struct uc_card_objects o;
	struct uc_verify_check *c;
	struct uc_diag d;
	char pan[20], expiry[5];
	uint8_t aid[UC_EMV_AID_MAX], binding[UC_PAN_BINDING_LEN];
	size_t aid_len = 0;
	int r;

	memset(pan, 0, sizeof(pan));
	memset(binding, 0, sizeof(binding));
	memset(&o, 0, sizeof(o));
	if (t == NULL || serial == NULL || opts == NULL || res == NULL)
		return UC_ERR_ARG;
	/* Only cards whose objects parsed and say they are linked. */
	if (!res->have_fields || uc_card_objects_parse(objects, objects_len,
	    &o, &d) != 0)
		return 0;
	if (!o.has_bank && o.member.card_type != UC_CARD_TYPE_LINKED)
		return 0;
	if (res->n_checks >= UC_VERIFY_MAX_CHECKS)
		return UC_ERR_INTERNAL;
	c = &res->checks[res->n_checks++];
	c->name = CHECK_NAME;
	set(c, 0, "not checked");

	if (!o.has_bank) {
		set(c, 0, "a linked card without its bank link (E3)");
		r = 0;
		goto verdict;
	}
	r = uc_emv_read_pan_diag(t, pan, expiry, aid, &aid_len, diag);
	if (r == UC_ERR_SW_NOT_FOUND) {
		set(c, 0, "%s: the card has no bank payment application",
		    NOT_ON_ITS_CARD);
		uc_diag_clear(diag);
		r = 0;
		goto verdict;
	}
	if (r != 0)
		goto out; /* could not check: not a verdict */
	if ((r = uc_dataobj_pan_binding(serial, pan, binding)) != 0)
		goto out;
	if (CRYPTO_memcmp(binding, o.pan_binding, sizeof(binding)) != 0)
		set(c, 0, "%s (the PAN binding E3/C8 does not match this "
		    "card's PAN and chip serial)", NOT_ON_ITS_CARD);
	else if (aid_len != o.bank_aid_len || memcmp(aid, o.bank_aid,
	    aid_len) != 0)
		set(c, 0, "%s (E3/C9 names another payment application)",
		    NOT_ON_ITS_CARD);
	else if (!e3_signed(&o, opts, opts->check_time))
		set(c, 0, "the bank link (E3) is not covered by the signed "
		    "security object");
	else
		set(c, 1, "bound to the bank card ending %s", pan +
		    strlen(pan) - 4);
	r = 0;
verdict:
	uc_verify_conclude(res);
out:
	OPENSSL_cleanse(pan, sizeof(pan));
	OPENSSL_cleanse(binding, sizeof(binding));
	return r;
}
