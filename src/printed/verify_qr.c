/*
 * verify_qr.c - the verdict on a printed card's QR code (printed.h): the
 * checks signature, chain, expiry and status, named and judged as for a
 * chip (verify.h), so a field officer hears the same words whichever
 * side of the card was read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "unioncard/date.h"
#include "unioncard/printed.h"

#include "printed/printed_priv.h"
#include "signing/signing_impl.h"
#include "verify/verify_priv.h"

enum { CK_SIGNATURE, CK_CHAIN, CK_EXPIRY, CK_STATUS, CK_COUNT };

static const char *const check_names[CK_COUNT] = {
	"signature", "chain", "expiry", "status",
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

/*
 * signature: the kid names a signer we hold, and it signed this; chain:
 * that signer's certificate, as for the chip's signer
 * (security-object.md).  0, or <0 for a failure that is no verdict.
 */
static int
check_signer(const struct uc_qr *q, const struct uc_qr_signers *signers,
    const struct uc_verify_opts *opts, struct uc_verify_result *res)
{
	X509 *cert;
	EVP_PKEY *pkey;
	char today[9], kidhex[2 * UC_QR_KID_MAX + 1];
	char detail[UC_VERIFY_DETAIL_MAX];
	uint8_t digest[32];
	time_t when;
	int r, crl_checked;

	uc_hex_encode(q->kid, q->kid_len, kidhex);
	cert = uc_qr_signers_find(signers, q->kid, q->kid_len);
	pkey = cert != NULL ? X509_get0_pubkey(cert) : NULL;
	if (cert == NULL) {
		set(res, CK_SIGNATURE, 0, "no known document signer has key "
		    "identifier %s", kidhex);
		set(res, CK_CHAIN, 0, "no signer certificate to check");
	} else {
		if ((r = uc_qr_tbs_digest(q->protected_hdr, q->protected_len,
		    q->payload, q->payload_len, digest)) != 0)
			return r;
		r = uc_qr_es256_verify(pkey, digest, q->sig);
		if (r == 0)
			set(res, CK_SIGNATURE, 1, "ES256 signature valid");
		else if (r == UC_ERR_VERIFY)
			set(res, CK_SIGNATURE, 0, "the ES256 signature does "
			    "not match the code's data");
		else
			return r;
		/* chain: as for the chip's signer (security-object.md) */
		uc_verify_today_vn(today);
		when = opts->check_time != 0 ? opts->check_time :
		    opts->check_date != NULL &&
		    strcmp(opts->check_date, today) != 0 ?
		    uc_verify_noon_vn(opts->check_date) : 0;
		r = uc_trust_check_cert(opts->trust, cert, when,
		    UC_PURPOSE_DOCUMENT_SIGNER, detail, sizeof(detail),
		    &crl_checked);
		if (r == 0)
			set(res, CK_CHAIN, 1, "document signer issued by a "
			    "trusted root%s", crl_checked ?
			    ", not revoked (CRL checked)" : "");
		else if (r == UC_ERR_VERIFY)
			set(res, CK_CHAIN, 0, "%s", detail);
		else
			return r;
		(void)uc_cert_station(cert, res->station,
		    sizeof(res->station));
	}
	return 0;
}

int
uc_verify_qr(const struct uc_qr *q, const struct uc_qr_signers *signers,
    const struct uc_verify_opts *opts, struct uc_verify_result *res)
{
	struct uc_member *m;
	char today[9], shown[11];
	const char *day;
	int k, r, revoked = 0;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if (q == NULL || opts == NULL || opts->trust == NULL || res == NULL)
		return UC_ERR_ARG;
	if (opts->check_date != NULL && !uc_member_date_valid(
	    opts->check_date))
		return UC_ERR_ARG;
	res->n_checks = CK_COUNT;
	for (k = 0; k < CK_COUNT; k++)
		res->checks[k].name = check_names[k];
	res->have_fields = 1;
	m = &res->member;
	memcpy(m->member_code, q->member_code, sizeof(m->member_code));
	memcpy(m->full_name, q->full_name, sizeof(m->full_name));
	memcpy(m->unit_code, q->unit_code, sizeof(m->unit_code));
	memcpy(m->card_serial, q->card_serial, sizeof(m->card_serial));
	m->card_type = q->card_type;
	memcpy(m->issued_on, q->issued_on, sizeof(m->issued_on));
	memcpy(m->expires_on, q->expires_on, sizeof(m->expires_on));

	if ((r = check_signer(q, signers, opts, res)) != 0)
		return r;

	/* expiry */
	uc_verify_today_vn(today);
	day = opts->check_date != NULL ? opts->check_date : today;
	uc_verify_day_shown(q->expires_on, shown);
	if (strcmp(day, q->issued_on) < 0) {
		char from[11];

		uc_verify_day_shown(q->issued_on, from);
		set(res, CK_EXPIRY, 0, "not valid before %s", from);
	} else if (strcmp(day, q->expires_on) > 0)
		set(res, CK_EXPIRY, 0, "expired on %s", shown);
	else
		set(res, CK_EXPIRY, 1, "valid until %s", shown);

	/* status */
	if (opts->status == NULL)
		set(res, CK_STATUS, 1, "skipped: no status list given");
	else {
		char why[UC_VERIFY_DETAIL_MAX] = "";

		if (opts->status(opts->status_ctx, "", q->card_serial,
		    q->member_code, &revoked, why, sizeof(why)) != 0)
			set(res, CK_STATUS, 0, "the status list cannot answer "
			    "for this card%s%s", why[0] ? ": " : "", why);
		else if (revoked)
			set(res, CK_STATUS, 0, "revoked%s%s", why[0] ? ": " :
			    "", why);
		else
			set(res, CK_STATUS, 1, "not revoked%s%s", why[0] ?
			    ": " : "", why);
	}
	res->valid = 1;
	for (k = 0; k < CK_COUNT; k++)
		if (!res->checks[k].ok)
			res->valid = 0;
	return 0;
}
