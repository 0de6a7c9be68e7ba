/*
 * nfc.c - the `nfc:` transport: a PN532-class reader through libnfc.
 *
 * The name after "nfc:" is a libnfc connection string such as
 * "pn532_uart:/dev/ttyUSB0" (empty: libnfc's default device, from
 * LIBNFC_DEFAULT_DEVICE, libnfc.conf or a scan).  Only ISO/IEC 14443-4
 * type A cards are accepted: the reader's chip does the block protocol
 * (InDataExchange), so raw APDUs go straight through.
 *
 * The ATR.  A contactless card has no ATR; like PC/SC part 3 (3.1.3.2.3),
 * the transport builds one from the ATS historical bytes:
 *
 *   3B 8n 80 01 H1..Hn TCK     n = number of historical bytes (<= 15)
 *
 * where TCK is the XOR of every byte from T0 (the 8n) to Hn.  A card
 * without ATS gets 3B 80 80 01 01.
 *
 * Errors.  libnfc's codes are mapped once, in map_err():
 *   no device / device not openable     UC_ERR_NO_READER
 *   card not ISO 14443-4                UC_ERR_PROTOCOL (connect)
 *   no card within the timeout          UC_ERR_TIMEOUT (connect)
 *   target released, or an RF failure
 *   after which the card does not
 *   answer the presence check           UC_ERR_CARD_REMOVED
 *   reader did not answer in time       UC_ERR_TIMEOUT
 *   anything else on the wire           UC_ERR_TRANSPORT
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nfc/nfc.h>

#include "unioncard/error.h"
#include "unioncard/transport.h"
#include "transport/backend.h"
#include "transport/transport_nfc.h"

#define NFC_DEVICES_MAX 8u
#define ATS_HIST_MAX 15u

struct nfc_link {
	nfc_context *ctx;
	nfc_device *dev;
	int connected;
};

static const nfc_modulation iso14443a = {
	.nmt = NMT_ISO14443A,
	.nbr = NBR_106,
};

static int
map_err(int e)
{
	switch (e) {
	case NFC_ENOTSUCHDEV:
		return UC_ERR_NO_READER;
	case NFC_ETGRELEASED:
		return UC_ERR_CARD_REMOVED;
	case NFC_ETIMEOUT:
		return UC_ERR_TIMEOUT;
	case NFC_EOVFLOW:
		return UC_ERR_BUFFER;
	case NFC_EOPABORTED:
		return UC_ERR_INTERRUPTED;
	case NFC_ESOFT:
		return UC_ERR_NOMEM;
	default:
		return UC_ERR_TRANSPORT;
	}
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* The PC/SC part 3 pseudo-ATR (see the top of this file). */
static int
build_atr(const nfc_iso14443a_info *a, uint8_t *atr, size_t *atr_len)
{
	size_t pos = 1, n, i, k = 0;
	uint8_t t0, tck = 0;

	n = 0;
	/* ATS less TL: T0, TA/TB/TC as T0 bits 5-7 say, then history. */
	if (a->szAtsLen > 0 && a->szAtsLen <= sizeof(a->abtAts)) {
		t0 = a->abtAts[0];
		for (i = 4; i < 7; i++)
			if (t0 & (1u << i))
				pos++;
		if (pos > a->szAtsLen)
			return UC_ERR_PROTOCOL;
		n = a->szAtsLen - pos;
		if (n > ATS_HIST_MAX)
			return UC_ERR_PROTOCOL;
	}
	if (4 + n + 1 > UC_ATR_MAX)
		return UC_ERR_INTERNAL;
	atr[k++] = 0x3B;
	atr[k++] = (uint8_t)(0x80 | n);
	atr[k++] = 0x80;
	atr[k++] = 0x01;
	if (n > 0)
		memcpy(atr + k, a->abtAts + pos, n);
	k += n;
	for (i = 1; i < k; i++)
		tck ^= atr[i];
	atr[k++] = tck;
	*atr_len = k;
	return 0;
}

static void
link_free(struct nfc_link *l)
{
	if (l == NULL)
		return;
	if (l->dev != NULL)
		nfc_close(l->dev);
	if (l->ctx != NULL)
		nfc_exit(l->ctx);
	free(l);
}

static int
nfc_link_open(const char *name, void **ctxp)
{
	struct nfc_link *l = NULL;
	int r, e;

	if (ctxp == NULL)
		return UC_ERR_ARG;
	*ctxp = NULL;
	if (name == NULL || strlen(name) >= NFC_BUFSIZE_CONNSTRING)
		return UC_ERR_ARG;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return UC_ERR_NOMEM;
	nfc_init(&l->ctx);
	if (l->ctx == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	l->dev = nfc_open(l->ctx, name[0] != '\0' ? name : NULL);
	if (l->dev == NULL) {
		uc_transport_set_detail("libnfc could not open '%s' (no such "
		    "device, not a PN53x, or in use)", name[0] != '\0' ? name :
		    "(default device)");
		r = UC_ERR_NO_READER;
		goto out;
	}
	if ((e = nfc_initiator_init(l->dev)) < 0) {
		uc_transport_set_detail("nfc_initiator_init: %s",
		    nfc_strerror(l->dev));
		r = map_err(e);
		goto out;
	}
	/*
	 * One InListPassiveTarget per call instead of the chip retrying
	 * forever: connect() keeps the timeout itself.
	 */
	if ((e = nfc_device_set_property_bool(l->dev, NP_INFINITE_SELECT,
	    false)) < 0) {
		r = map_err(e);
		goto out;
	}
	*ctxp = l;
	l = NULL;
	r = 0;
out:
	link_free(l);
	return r;
}

static int
nfc_link_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	struct nfc_link *l = ctx;
	nfc_target nt;
	long long deadline;
	long left;
	int e;

	if (atr_len != NULL)
		*atr_len = 0;
	if (l == NULL || atr == NULL || atr_len == NULL)
		return UC_ERR_ARG;
	deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		memset(&nt, 0, sizeof(nt));
		e = nfc_initiator_select_passive_target(l->dev, iso14443a,
		    NULL, 0, &nt);
		if (e < 0) {
			uc_transport_set_detail("selecting a target: %s",
			    nfc_strerror(l->dev));
			return map_err(e);
		}
		if (e > 0)
			break;
		if (timeout_ms >= 0) {
			left = (long)(deadline - now_ms());
			if (left <= 0)
				return UC_ERR_TIMEOUT;
			sleep_ms(left < UC_NFC_POLL_MS ? left : UC_NFC_POLL_MS);
		} else {
			sleep_ms(UC_NFC_POLL_MS);
		}
	}
	if ((nt.nti.nai.btSak & 0x20) == 0) {
		/* A memory card (MIFARE and friends) speaks no APDUs. */
		nfc_initiator_deselect_target(l->dev);
		uc_transport_set_detail("the card is not ISO 14443-4 (SAK "
		    "%02X): it takes no APDUs", nt.nti.nai.btSak);
		return UC_ERR_PROTOCOL;
	}
	l->connected = 1;
	return build_atr(&nt.nti.nai, atr, atr_len);
}

/* After an RF error: is the card still there? */
static int
gone_or(struct nfc_link *l, int err)
{
	int e = nfc_initiator_target_is_present(l->dev, NULL);

	if (e == NFC_ETGRELEASED || e == NFC_EINVARG) {
		/* EINVARG: libnfc already dropped the target it had. */
		l->connected = 0;
		uc_transport_set_detail("the card stopped answering and is no "
		    "longer in the field");
		return UC_ERR_CARD_REMOVED;
	}
	return err;
}

static int
nfc_link_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len,
    uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
	struct nfc_link *l = ctx;
	int e;

	if (resp_len != NULL)
		*resp_len = 0;
	if (l == NULL || cmd == NULL || resp == NULL || resp_len == NULL ||
	    cmd_len < 4)
		return UC_ERR_ARG;
	if (cmd_len > UC_NFC_APDU_MAX) {
		uc_transport_set_detail("APDU of %zu bytes exceeds what the "
		    "PN53x carries in one frame (%u)", cmd_len,
		    UC_NFC_APDU_MAX);
		return UC_ERR_RANGE;
	}
	if (!l->connected)
		return UC_ERR_NO_CARD;
	e = nfc_initiator_transceive_bytes(l->dev, cmd, cmd_len, resp,
	    resp_cap, UC_NFC_APDU_TIMEOUT_MS);
	if (e < 0)
		uc_transport_set_detail("nfc_initiator_transceive_bytes: %s",
		    nfc_strerror(l->dev));
	if (e == NFC_ERFTRANS || e == NFC_ETGRELEASED || e == NFC_EINVARG)
		return gone_or(l, e == NFC_ETGRELEASED ? UC_ERR_CARD_REMOVED :
		    UC_ERR_TRANSPORT);
	if (e < 0)
		return map_err(e);
	if (e < 2)
		return UC_ERR_PROTOCOL;
	*resp_len = (size_t)e;
	return 0;
}

static int
nfc_link_disconnect(void *ctx, int eject)
{
	struct nfc_link *l = ctx;
	int e, r = 0;

	if (l == NULL)
		return UC_ERR_ARG;
	if (l->connected && (e = nfc_initiator_deselect_target(l->dev)) < 0)
		r = map_err(e);
	l->connected = 0;
	if (eject) {
		/*
		 * No card moves on a contactless reader: cycling the field
		 * powers the card down, the nearest thing to an eject.
		 */
		if ((e = nfc_device_set_property_bool(l->dev,
		    NP_ACTIVATE_FIELD, false)) < 0 && r == 0)
			r = map_err(e);
		if ((e = nfc_device_set_property_bool(l->dev,
		    NP_ACTIVATE_FIELD, true)) < 0 && r == 0)
			r = map_err(e);
	}
	return r;
}

static int
nfc_link_wait_removed(void *ctx, int timeout_ms)
{
	struct nfc_link *l = ctx;
	nfc_target nt;
	long long deadline;
	int e;

	if (l == NULL)
		return UC_ERR_ARG;
	deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		if (l->connected) {
			e = nfc_initiator_target_is_present(l->dev, NULL);
			if (e == NFC_ETGRELEASED || e == NFC_EINVARG) {
				l->connected = 0;
				return 0;
			}
		} else {
			e = nfc_initiator_select_passive_target(l->dev,
			    iso14443a, NULL, 0, &nt);
			if (e == 0)
				return 0;
			if (e > 0)
				nfc_initiator_deselect_target(l->dev);
		}
		if (e < 0 && e != NFC_ERFTRANS)
			return map_err(e);
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return UC_ERR_TIMEOUT;
		sleep_ms(UC_NFC_POLL_MS);
	}
}

static void
nfc_link_close(void *ctx)
{
	link_free(ctx);
}

int
uc_transport_nfc_list(struct uc_reader_info *out, size_t cap, size_t *n)
{
	nfc_connstring found[NFC_DEVICES_MAX];
	nfc_context *ctx = NULL;
	size_t i, got;

	if (n != NULL)
		*n = 0;
	if (out == NULL || n == NULL)
		return UC_ERR_ARG;
	nfc_init(&ctx);
	if (ctx == NULL)
		return UC_ERR_NOMEM;
	got = nfc_list_devices(ctx, found, NFC_DEVICES_MAX);
	for (i = 0; i < got && *n < cap; i++) {
		memset(&out[*n], 0, sizeof(out[*n]));
		found[i][NFC_BUFSIZE_CONNSTRING - 1] = '\0';
		if (strlen(found[i]) + 5 > sizeof(out[*n].name))
			continue; /* a name we could not give back whole */
		memcpy(out[*n].name, "nfc:", 4);
		memcpy(out[*n].name + 4, found[i], strlen(found[i]) + 1);
		(*n)++;
	}
	nfc_exit(ctx);
	return 0;
}

const struct uc_transport_ops uc_transport_nfc_ops = {
	.scheme = "nfc",
	.open = nfc_link_open,
	.connect = nfc_link_connect,
	.transmit = nfc_link_transmit,
	.disconnect = nfc_link_disconnect,
	.wait_removed = nfc_link_wait_removed,
	.close = nfc_link_close,
	.max_lc = 255,
};
