/*
 * transport.c - the transport registry, the traced round trip and
 * uc_apdu_exchange(): chaining, GET RESPONSE and 6Cxx.
 *
 * A reader name "scheme:rest" picks a backend by scheme; a name whose part
 * before the first colon is not a scheme we know (PC/SC reader names such
 * as "ACS ACR39U 00 00" may contain anything) is a PC/SC reader.  Backends
 * registered with uc_transport_register() are looked up first and may not
 * shadow a built-in scheme: the simulator library registers `vcard:` that
 * way (src/vcard/), and tests their fault-injecting transports.  The
 * production library does not know the virtual card; `vcard:` in a
 * program that did not register it is UC_ERR_UNSUPPORTED, "not built in".
 *
 * The card on the other side is untrusted: every response is checked for
 * its status word, and the GET RESPONSE loop is bounded both in rounds and
 * in bytes, so a card that answers 61xx forever costs at most
 * UC_APDU_MAX_GET_RESPONSE_ROUNDS round trips.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config.h"
#include "transport/backend.h"
#if UC_HAVE_NFC
#include "transport/transport_nfc.h"
#endif
#include "unioncard/error.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"

#define TRANSPORT_MAX_EXTRA 8
#define SCHEME_MAX 16
#define DETAIL_MAX 256

#define INS_GET_RESPONSE 0xc0
#define CLA_CHAINING 0x10
#define SW1_MORE_DATA (UC_SW_MORE_DATA >> 8)
#define SW1_WRONG_LE (UC_SW_WRONG_LE >> 8)

struct uc_transport {
	const struct uc_transport_ops *ops;
	void *ctx;
	char *name;
	struct uc_trace *trace;
	uint64_t apdus;
	int connected;
};

static const struct uc_transport_ops *const builtin[] = {
#if UC_HAVE_PCSC
	&uc_transport_pcsc_ops,
#endif
#if UC_HAVE_NFC
	&uc_transport_nfc_ops,
#endif
	&uc_transport_replay_ops,
};

/* Schemes that exist in some build; naming one that is not built is
 * UC_ERR_UNSUPPORTED rather than a PC/SC reader of that name. */
static const char *const known_schemes[] = { "pcsc", "vcard", "nfc",
	"replay" };

static const struct uc_transport_ops *extra[TRANSPORT_MAX_EXTRA];
static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local char detail[DETAIL_MAX];

void
uc_transport_set_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
}

void
uc_transport_clear_detail(void)
{
	detail[0] = '\0';
}

const struct uc_diag *
uc_transport_diag(struct uc_diag *d)
{
	uc_diag_clear(d);
	if (d != NULL)
		snprintf(d->msg, sizeof(d->msg), "%s", detail);
	return d;
}

static const struct uc_transport_ops *
find_builtin(const char *scheme, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strlen(builtin[i]->scheme) == n &&
		    strncmp(builtin[i]->scheme, scheme, n) == 0)
			return builtin[i];
	return NULL;
}

static const struct uc_transport_ops *
find_extra(const char *scheme, size_t n)
{
	const struct uc_transport_ops *o = NULL;
	size_t i;

	pthread_mutex_lock(&extra_lock);
	for (i = 0; i < TRANSPORT_MAX_EXTRA && extra[i] != NULL; i++) {
		if (strlen(extra[i]->scheme) == n &&
		    strncmp(extra[i]->scheme, scheme, n) == 0) {
			o = extra[i];
			break;
		}
	}
	pthread_mutex_unlock(&extra_lock);
	return o;
}

static int
is_known_scheme(const char *scheme, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(known_schemes) / sizeof(known_schemes[0]); i++)
		if (strlen(known_schemes[i]) == n &&
		    strncmp(known_schemes[i], scheme, n) == 0)
			return 1;
	return 0;
}

int
uc_transport_register(const struct uc_transport_ops *ops)
{
	size_t i, n;
	int r = UC_ERR_RANGE;

	if (ops == NULL || ops->scheme == NULL || ops->open == NULL ||
	    ops->connect == NULL || ops->transmit == NULL ||
	    ops->disconnect == NULL || ops->close == NULL)
		return UC_ERR_ARG;
	n = strlen(ops->scheme);
	if (n == 0 || n > SCHEME_MAX || strchr(ops->scheme, ':') != NULL)
		return UC_ERR_ARG;
	if (find_builtin(ops->scheme, n) != NULL)
		return UC_ERR_EXISTS;
	pthread_mutex_lock(&extra_lock);
	for (i = 0; i < TRANSPORT_MAX_EXTRA; i++) {
		if (extra[i] == NULL) {
			extra[i] = ops;
			r = 0;
			break;
		}
		if (extra[i] == ops ||
		    strcmp(extra[i]->scheme, ops->scheme) == 0) {
			r = extra[i] == ops ? 0 : UC_ERR_EXISTS;
			break;
		}
	}
	pthread_mutex_unlock(&extra_lock);
	return r;
}

void *
uc_transport_backend_ctx(struct uc_transport *t,
    const struct uc_transport_ops *ops)
{
	return t != NULL && t->ops == ops ? t->ctx : NULL;
}

int
uc_transport_open(const char *reader, struct uc_transport **out)
{
	const struct uc_transport_ops *ops = NULL;
	struct uc_transport *t = NULL;
	const char *colon, *rest = reader;
	size_t n, nlen;
	int r;

	if (out != NULL)
		*out = NULL;
	uc_transport_clear_detail();
	if (reader == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((colon = strchr(reader, ':')) != NULL) {
		n = (size_t)(colon - reader);
		if ((ops = find_extra(reader, n)) == NULL)
			ops = find_builtin(reader, n);
		if (ops != NULL) {
			rest = colon + 1;
		} else if (is_known_scheme(reader, n)) {
			uc_transport_set_detail("transport '%.*s' is not "
			    "built in", (int)n, reader);
			return UC_ERR_UNSUPPORTED;
		}
	}
	if (ops == NULL) {
		if ((ops = find_builtin("pcsc", 4)) == NULL) {
			uc_transport_set_detail("PC/SC support is not built "
			    "in");
			return UC_ERR_UNSUPPORTED;
		}
		rest = reader;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return UC_ERR_NOMEM;
	nlen = strlen(ops->scheme) + 1 + strlen(rest) + 1;
	if ((t->name = malloc(nlen)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	snprintf(t->name, nlen, "%s:%s", ops->scheme, rest);
	t->ops = ops;
	if ((r = ops->open(rest, &t->ctx)) != 0)
		goto out;
	*out = t;
	t = NULL;
	r = 0;
out:
	if (t != NULL) {
		free(t->name);
		free(t);
	}
	return r;
}

void
uc_transport_free(struct uc_transport **tp)
{
	struct uc_transport *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	if (t->connected)
		t->ops->disconnect(t->ctx, 0);
	t->ops->close(t->ctx);
	free(t->name);
	free(t);
	*tp = NULL;
}

int
uc_transport_connect(struct uc_transport *t, int timeout_ms, uint8_t *atr,
    size_t *atr_len)
{
	uint8_t a[UC_ATR_MAX];
	size_t alen = 0;
	int r;

	if (atr_len != NULL)
		*atr_len = 0;
	if (t == NULL || (atr != NULL && atr_len == NULL))
		return UC_ERR_ARG;
	uc_transport_clear_detail();
	if ((r = t->ops->connect(t->ctx, timeout_ms, a, &alen)) != 0)
		return r;
	if (alen > sizeof(a))
		return UC_ERR_INTERNAL;
	t->connected = 1;
	if (t->trace != NULL) {
		char hex[2 * UC_ATR_MAX + 1];

		uc_hex_encode(a, alen, hex);
		uc_trace_note(t->trace, "connect %s ATR %s", t->name, hex);
	}
	if (atr != NULL) {
		memcpy(atr, a, alen);
		*atr_len = alen;
	}
	return 0;
}

int
uc_transport_disconnect(struct uc_transport *t, int eject)
{
	int r;

	if (t == NULL)
		return UC_ERR_ARG;
	uc_transport_clear_detail();
	if (!t->connected)
		return 0;
	t->connected = 0;
	r = t->ops->disconnect(t->ctx, eject);
	if (t->trace != NULL)
		uc_trace_note(t->trace, "disconnect%s",
		    eject ? " (eject)" : "");
	return r;
}

int
uc_transport_wait_removed(struct uc_transport *t, int timeout_ms)
{
	if (t == NULL)
		return UC_ERR_ARG;
	uc_transport_clear_detail();
	if (t->ops->wait_removed == NULL)
		return UC_ERR_UNSUPPORTED;
	return t->ops->wait_removed(t->ctx, timeout_ms);
}

const char *
uc_transport_name(const struct uc_transport *t)
{
	return t == NULL ? NULL : t->name;
}

void
uc_transport_set_trace(struct uc_transport *t, struct uc_trace *trace)
{
	if (t != NULL)
		t->trace = trace;
}

uint32_t
uc_transport_max_le(const struct uc_transport *t)
{
	if (t == NULL)
		return UC_APDU_LE_MAX_SHORT;
#if UC_HAVE_NFC
	/* libnfc 1.8 and the PN53x: short APDUs only (transport_nfc.h). */
	if (t->ops == &uc_transport_nfc_ops)
		return UC_APDU_LE_MAX_SHORT;
#endif
	return UC_APDU_LE_MAX_EXT;
}

uint64_t
uc_transport_apdu_count(const struct uc_transport *t)
{
	return t == NULL ? 0 : t->apdus;
}

/*
 * A transmit on a transport nobody connected yet connects it first (no
 * waiting), so simple callers need not care; a removed card is reported
 * as such and the next transmit tries to connect again.
 */
int
uc_transport_transmit(struct uc_transport *t, const uint8_t *cmd,
    size_t cmd_len, uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
	int r;

	if (resp_len != NULL)
		*resp_len = 0;
	if (t == NULL || cmd == NULL || cmd_len < 4 || resp == NULL ||
	    resp_len == NULL)
		return UC_ERR_ARG;
	if (!t->connected && (r = uc_transport_connect(t, 0, NULL, NULL)) != 0)
		return r;
	uc_transport_clear_detail();
	r = t->ops->transmit(t->ctx, cmd, cmd_len, resp, resp_cap, resp_len);
	if (r == 0 && *resp_len > resp_cap) {
		*resp_len = 0;
		r = UC_ERR_INTERNAL;
	}
	if (r != 0) {
		*resp_len = 0;
		if (r == UC_ERR_CARD_REMOVED || r == UC_ERR_CARD_RESET ||
		    r == UC_ERR_READER_GONE || r == UC_ERR_NO_CARD)
			t->connected = 0;
		if (t->trace != NULL) {
			uc_trace_apdu(t->trace, cmd, cmd_len, NULL, 0);
			uc_trace_note(t->trace, "transmit failed: %s%s%s",
			    uc_strerror(r), detail[0] != '\0' ? ": " : "",
			    detail);
		}
		return r;
	}
	t->apdus++;
	uc_trace_apdu(t->trace, cmd, cmd_len, resp, *resp_len);
	return 0;
}

/* Encode and send one APDU; split the answer. */
static int
round_trip(struct uc_transport *t, const struct uc_apdu *a,
    struct uc_buf *cmd, uint8_t *raw, size_t *raw_len, uint16_t *sw)
{
	int r;

	uc_buf_reset(cmd);
	if ((r = uc_apdu_encode(a, cmd)) != 0)
		return r;
	if ((r = uc_transport_transmit(t, cmd->data, cmd->len, raw,
	    UC_RAPDU_WIRE_MAX, raw_len)) != 0)
		return r;
	if (*raw_len < 2) {
		uc_transport_set_detail("response of %zu byte(s), no status "
		    "word", *raw_len);
		return UC_ERR_PROTOCOL;
	}
	*sw = (uint16_t)(raw[*raw_len - 2] << 8 | raw[*raw_len - 1]);
	/* ISO 7816-4 5.1.3: SW1 is 61..6F or 90..9F; anything else means
	 * the bytes are not a response at all. */
	if (!(((*sw >> 12) == 0x6 && (*sw >> 8) != 0x60) ||
	    (*sw >> 12) == 0x9)) {
		uc_transport_set_detail("invalid status word %04X", *sw);
		*sw = 0;
		return UC_ERR_PROTOCOL;
	}
	return 0;
}

static int
collect(struct uc_buf *acc, const uint8_t *p, size_t n)
{
	if (n > UC_APDU_MAX_RESPONSE_TOTAL ||
	    acc->len > UC_APDU_MAX_RESPONSE_TOTAL - n) {
		uc_transport_set_detail("response data exceeds %u bytes",
		    UC_APDU_MAX_RESPONSE_TOTAL);
		return UC_ERR_TOO_LONG;
	}
	return uc_buf_append(acc, p, n);
}

int
uc_apdu_exchange(struct uc_transport *t, const struct uc_apdu *a,
    size_t max_lc, struct uc_buf *resp, uint16_t *sw)
{
	struct uc_buf cmd = UC_BUF_INIT, acc = UC_BUF_INIT;
	struct uc_apdu piece, cur;
	uint8_t *raw = NULL;
	size_t raw_len = 0, off = 0, link_max;
	uint16_t s = 0;
	int r, rounds = 0, retried = 0;

	if (sw != NULL)
		*sw = 0;
	if (t == NULL || a == NULL || sw == NULL ||
	    (a->data == NULL && a->lc != 0))
		return UC_ERR_ARG;
	if (a->lc > UC_APDU_LC_MAX_EXT || a->le > UC_APDU_LE_MAX_EXT)
		return UC_ERR_RANGE;
	/* The link's own limit always wins: a caller's larger figure (the
	 * card's FCI) cannot make the reader carry more. */
	link_max = t->ops->max_lc != 0 ? t->ops->max_lc : UC_APDU_LC_MAX_SHORT;
	if (max_lc == 0 || max_lc > link_max)
		max_lc = link_max;
	if (max_lc > UC_APDU_LC_MAX_EXT)
		max_lc = UC_APDU_LC_MAX_EXT;
	if ((raw = malloc(UC_RAPDU_WIRE_MAX)) == NULL)
		return UC_ERR_NOMEM;

	/* Command chaining: every piece but the last with CLA | 10. */
	piece = *a;
	while (a->lc - off > max_lc) {
		piece.cla = a->cla | CLA_CHAINING;
		piece.data = a->data + off;
		piece.lc = max_lc;
		piece.le = 0;
		if ((r = round_trip(t, &piece, &cmd, raw, &raw_len, &s)) != 0)
			goto out;
		if (s != UC_SW_OK)
			goto done; /* the card refused the chain */
		off += max_lc;
	}
	cur = *a;
	cur.data = a->lc > 0 ? a->data + off : NULL;
	cur.lc = a->lc - off;
	if ((r = round_trip(t, &cur, &cmd, raw, &raw_len, &s)) != 0)
		goto out;

	for (;;) {
		if ((s >> 8) == SW1_WRONG_LE && !retried) {
			/* Re-send the same command once with the exact Le;
			 * a second 6Cxx is the final answer. */
			retried = 1;
			cur.le = (s & 0xff) == 0 ? 256 : (s & 0xff);
			if ((r = round_trip(t, &cur, &cmd, raw, &raw_len,
			    &s)) != 0)
				goto out;
			continue;
		}
		if ((s >> 8) != SW1_MORE_DATA)
			break;
		if ((r = collect(&acc, raw, raw_len - 2)) != 0)
			goto out;
		if (++rounds > UC_APDU_MAX_GET_RESPONSE_ROUNDS) {
			uc_transport_set_detail("card still asked for GET "
			    "RESPONSE after %d rounds",
			    UC_APDU_MAX_GET_RESPONSE_ROUNDS);
			r = UC_ERR_TOO_MANY_ROUNDS;
			goto out;
		}
		/* GET RESPONSE keeps only the logical channel bits. */
		memset(&cur, 0, sizeof(cur));
		cur.cla = a->cla & 0x03;
		cur.ins = INS_GET_RESPONSE;
		cur.le = (s & 0xff) == 0 ? 256 : (s & 0xff);
		retried = 0;
		if ((r = round_trip(t, &cur, &cmd, raw, &raw_len, &s)) != 0)
			goto out;
	}
	if ((r = collect(&acc, raw, raw_len - 2)) != 0)
		goto out;
done:
	if (resp != NULL && (r = uc_buf_append(resp, acc.data, acc.len)) != 0)
		goto out;
	*sw = s;
	r = 0;
out:
	if (raw != NULL) {
		OPENSSL_cleanse(raw, raw_len);
		free(raw);
	}
	uc_buf_free(&acc);
	uc_buf_free(&cmd);
	return r;
}

int
uc_readers_list(struct uc_reader_info **out, size_t *n)
{
	int r;

	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (out == NULL || n == NULL)
		return UC_ERR_ARG;
	uc_transport_clear_detail();
#if UC_HAVE_PCSC
	r = uc_pcsc_list(out, n);
#else
	r = UC_ERR_UNSUPPORTED;
#endif
#if UC_HAVE_NFC
	/* libnfc readers after the PC/SC ones; they make a missing pcscd
	 * no error when they exist. */
	if (r == 0 || r == UC_ERR_NO_SERVICE || r == UC_ERR_UNSUPPORTED) {
		struct uc_reader_info found[UC_READERS_NFC_MAX], *grown;
		size_t k = 0;

		if (uc_transport_nfc_list(found, UC_READERS_NFC_MAX, &k) == 0 &&
		    k > 0) {
			grown = realloc(*out, (*n + k) * sizeof(**out));
			if (grown == NULL) {
				free(*out);
				*out = NULL;
				*n = 0;
				return UC_ERR_NOMEM;
			}
			memcpy(grown + *n, found, k * sizeof(*found));
			*out = grown;
			*n += k;
			r = 0;
		}
	}
#endif
	return r;
}
