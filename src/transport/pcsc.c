/*
 * pcsc.c - the `pcsc:NAME` transport through pcsc-lite.
 *
 * NAME is matched against pcscd's reader names: exactly, else as a prefix
 * that only one reader has ("pcsc:Virtual PCD 00" is ambiguous when two
 * virtual readers exist, "pcsc:Virtual PCD 00 01" is not).  The name is
 * resolved again on every connect, so a reader unplugged and plugged back
 * while we wait for a card is picked up: waiting watches both the reader
 * and pcscd's "\\?PnP?\Notification" pseudo-reader.
 *
 * The card is opened exclusively: a personalization session (an SCP03
 * channel) must not be interleaved with another program's commands.
 * disconnect() resets the card, so no secure channel outlives us, or
 * ejects it when asked (a card printer's hopper moves on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <winscard.h>

#include "transport/backend.h"
#include "unioncard/error.h"

#define PNP_READER "\\\\?PnP?\\Notification"
/* No reader list we would accept is longer than this. */
#define PCSC_READERS_MAX_CHARS (64u * 1024u)
#define PCSC_MAX_READERS 64
/*
 * While a printer swaps cards, SCardConnect is retried after a pause that
 * starts short and doubles: a vpcd hopper swaps in well under a
 * millisecond of work, a real printer takes a second or more, and a fixed
 * 20 ms pause cost the fast case 20 ms on every card.
 */
#define PCSC_SWAP_PAUSE_MIN_US 500
#define PCSC_SWAP_PAUSE_MAX_US 20000
/* How long a reply without status word may take to show up as removal. */
#define PCSC_REMOVAL_GRACE_MS 1500

struct pcsc {
	SCARDCONTEXT hctx;
	SCARDHANDLE hcard;
	int have_card;
	DWORD proto;
	char want[UC_READER_NAME_MAX];   /* as the user gave it */
	char reader[UC_READER_NAME_MAX]; /* the full pcscd name */
};

/*
 * One mapping from PC/SC codes to ours.  absent is what "no card" means
 * where the call was made: UC_ERR_NO_CARD before a connection,
 * UC_ERR_CARD_REMOVED during one.
 */
static int
map_err(LONG rv, int absent)
{
	switch (rv) {
	case SCARD_S_SUCCESS:
		return 0;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
		return UC_ERR_NO_SERVICE;
	case SCARD_E_NO_READERS_AVAILABLE:
	case SCARD_E_UNKNOWN_READER:
		return UC_ERR_NO_READER;
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_NO_SMARTCARD:
		return absent;
	case SCARD_W_RESET_CARD:
		return UC_ERR_CARD_RESET;
	case SCARD_E_READER_UNAVAILABLE:
		return UC_ERR_READER_GONE;
	case SCARD_E_SHARING_VIOLATION:
		return UC_ERR_SHARING;
	case SCARD_E_TIMEOUT:
		return UC_ERR_TIMEOUT;
	case SCARD_E_NO_MEMORY:
		return UC_ERR_NOMEM;
	case SCARD_E_CANCELLED:
		return UC_ERR_INTERRUPTED;
	case SCARD_E_INSUFFICIENT_BUFFER:
		return UC_ERR_BUFFER;
	}
	return UC_ERR_TRANSPORT;
}

static int
fail(const char *call, LONG rv, int absent)
{
	uc_transport_set_detail("%s: %s (0x%08lX)", call,
	    pcsc_stringify_error(rv), (unsigned long)rv);
	return map_err(rv, absent);
}

/* The multi-string reader list; *list is freed by the caller. */
static int
list_readers(SCARDCONTEXT hctx, char **list, size_t *n_names)
{
	DWORD len = 0;
	LONG rv;
	char *buf = NULL, *p;
	size_t n = 0;

	*list = NULL;
	*n_names = 0;
	rv = SCardListReaders(hctx, NULL, NULL, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return 0;
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardListReaders", rv, UC_ERR_NO_CARD);
	if (len == 0 || len > PCSC_READERS_MAX_CHARS)
		return UC_ERR_TRANSPORT;
	if ((buf = calloc(1, (size_t)len + 1)) == NULL)
		return UC_ERR_NOMEM;
	rv = SCardListReaders(hctx, NULL, buf, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		free(buf);
		return 0;
	}
	if (rv != SCARD_S_SUCCESS) {
		free(buf);
		return fail("SCardListReaders", rv, UC_ERR_NO_CARD);
	}
	for (p = buf; *p != '\0' && n < PCSC_MAX_READERS; p += strlen(p) + 1)
		n++;
	*list = buf;
	*n_names = n;
	return 0;
}

/*
 * Resolve ctx->want to a reader name now present.  UC_ERR_NO_READER if
 * none matches; ambiguity is NO_READER too, with the candidates named.
 */
static int
resolve(struct pcsc *c)
{
	char *list = NULL, *p, *match = NULL;
	size_t n = 0, i, nprefix = 0, wlen = strlen(c->want);
	int r;

	c->reader[0] = '\0';
	if ((r = list_readers(c->hctx, &list, &n)) != 0)
		return r;
	for (i = 0, p = list; i < n; i++, p += strlen(p) + 1) {
		if (strcmp(p, c->want) == 0) {
			match = p;
			nprefix = 1;
			break;
		}
		if (strncmp(p, c->want, wlen) == 0) {
			if (nprefix++ == 0)
				match = p;
		}
	}
	if (nprefix == 1 && strlen(match) < sizeof(c->reader)) {
		memcpy(c->reader, match, strlen(match) + 1);
		r = 0;
	} else if (nprefix > 1) {
		uc_transport_set_detail("'%s' matches %zu readers; give more "
		    "of the name", c->want, nprefix);
		r = UC_ERR_NO_READER;
	} else {
		uc_transport_set_detail("no reader named '%s' (%zu reader(s) "
		    "connected)", c->want, n);
		r = UC_ERR_NO_READER;
	}
	free(list);
	return r;
}

static int
pcsc_open(const char *name, void **ctx)
{
	struct pcsc *c = NULL;
	LONG rv;
	int r;

	*ctx = NULL;
	if (strlen(name) >= sizeof(c->want) || name[0] == '\0') {
		uc_transport_set_detail("reader name empty or too long");
		return UC_ERR_NO_READER;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return UC_ERR_NOMEM;
	memcpy(c->want, name, strlen(name) + 1);
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c->hctx);
	if (rv != SCARD_S_SUCCESS) {
		r = fail("SCardEstablishContext", rv, UC_ERR_NO_CARD);
		free(c);
		return r;
	}
	if ((r = resolve(c)) != 0) {
		SCardReleaseContext(c->hctx);
		free(c);
		return r;
	}
	*ctx = c;
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until the deadline as a PC/SC timeout. */
static DWORD
remaining(long long deadline)
{
	long long left;

	if (deadline < 0)
		return INFINITE;
	left = deadline - now_ms();
	return left <= 0 ? 0 : (DWORD)left;
}

static void
drop_card(struct pcsc *c, DWORD how)
{
	if (c->have_card)
		SCardDisconnect(c->hcard, how);
	c->have_card = 0;
}

/*
 * Wait until the reader shows a card (or the deadline passes), following
 * the reader through unplug and re-plug.
 */
static int
wait_present(struct pcsc *c, long long deadline)
{
	SCARD_READERSTATE st[2];
	LONG rv;
	int r, have_reader;

	memset(st, 0, sizeof(st));
	st[1].szReader = PNP_READER;
	st[1].dwCurrentState = SCARD_STATE_UNAWARE;
	for (;;) {
		r = resolve(c);
		if (r != 0 && r != UC_ERR_NO_READER)
			return r;
		have_reader = r == 0;
		st[0].szReader = c->reader;
		st[0].dwCurrentState = SCARD_STATE_UNAWARE;
		/* Learn the current state without waiting. */
		rv = SCardGetStatusChange(c->hctx, 0,
		    have_reader ? st : st + 1, have_reader ? 2 : 1);
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
			return fail("SCardGetStatusChange", rv,
			    UC_ERR_NO_CARD);
		st[1].dwCurrentState = st[1].dwEventState &
		    ~(DWORD)SCARD_STATE_CHANGED;
		if (have_reader) {
			if ((st[0].dwEventState & SCARD_STATE_PRESENT) &&
			    !(st[0].dwEventState & SCARD_STATE_MUTE))
				return 0;
			st[0].dwCurrentState = st[0].dwEventState &
			    ~(DWORD)SCARD_STATE_CHANGED;
		}
		if (remaining(deadline) == 0) {
			uc_transport_set_detail(have_reader ?
			    "no card in '%s'" : "reader '%s' not connected",
			    have_reader ? c->reader : c->want);
			return have_reader ? UC_ERR_TIMEOUT : UC_ERR_NO_READER;
		}
		rv = SCardGetStatusChange(c->hctx, remaining(deadline),
		    have_reader ? st : st + 1, have_reader ? 2 : 1);
		if (rv == SCARD_E_TIMEOUT) {
			uc_transport_set_detail("no card in '%s'", have_reader ?
			    c->reader : c->want);
			return UC_ERR_TIMEOUT;
		}
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_UNKNOWN_READER &&
		    rv != SCARD_E_READER_UNAVAILABLE)
			return fail("SCardGetStatusChange", rv,
			    UC_ERR_NO_CARD);
		/* Something changed: look again from the top. */
	}
}

static int
pcsc_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	struct pcsc *c = ctx;
	char name[UC_READER_NAME_MAX];
	BYTE a[MAX_ATR_SIZE];
	DWORD alen = sizeof(a), namelen = sizeof(name), state = 0, proto = 0;
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	useconds_t pause = PCSC_SWAP_PAUSE_MIN_US;
	LONG rv;
	int r;

	*atr_len = 0;
	drop_card(c, SCARD_LEAVE_CARD);
	for (;;) {
		if ((r = wait_present(c, deadline)) != 0)
			return r;
		rv = SCardConnect(c->hctx, c->reader, SCARD_SHARE_EXCLUSIVE,
		    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &c->hcard,
		    &c->proto);
		if (rv == SCARD_S_SUCCESS)
			break;
		/*
		 * The card we just powered down may still be listed while a
		 * card printer swaps in the next one: wait and try again
		 * until the deadline rather than fail at once.
		 */
		if (rv != SCARD_W_UNPOWERED_CARD &&
		    rv != SCARD_W_REMOVED_CARD && rv != SCARD_E_NO_SMARTCARD)
			return fail("SCardConnect", rv, UC_ERR_NO_CARD);
		/*
		 * No card came up in time: a timeout, as when none was
		 * listed, so that a caller waiting in slices (the station,
		 * to notice Ctrl-C) goes on waiting through a slow swap.
		 */
		if (deadline >= 0 && now_ms() >= deadline) {
			(void)fail("SCardConnect", rv, UC_ERR_NO_CARD);
			return UC_ERR_TIMEOUT;
		}
		usleep(pause);
		if (pause < PCSC_SWAP_PAUSE_MAX_US)
			pause = pause * 2 > PCSC_SWAP_PAUSE_MAX_US ?
			    PCSC_SWAP_PAUSE_MAX_US : pause * 2;
	}
	c->have_card = 1;
	rv = SCardStatus(c->hcard, name, &namelen, &state, &proto, a, &alen);
	if (rv != SCARD_S_SUCCESS) {
		r = fail("SCardStatus", rv, UC_ERR_NO_CARD);
		drop_card(c, SCARD_LEAVE_CARD);
		return r;
	}
	if (alen > UC_ATR_MAX)
		alen = UC_ATR_MAX;
	memcpy(atr, a, alen);
	*atr_len = alen;
	return 0;
}

static int pcsc_wait_removed(void *ctx, int timeout_ms);

static int
pcsc_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	struct pcsc *c = ctx;
	DWORD rlen;
	LONG rv;
	int r;

	*resp_len = 0;
	if (!c->have_card)
		return UC_ERR_NO_CARD;
	if (cmd_len > MAX_BUFFER_SIZE_EXTENDED)
		return UC_ERR_RANGE;
	rlen = resp_cap > MAX_BUFFER_SIZE_EXTENDED ? MAX_BUFFER_SIZE_EXTENDED :
	    (DWORD)resp_cap;
	rv = SCardTransmit(c->hcard, c->proto == SCARD_PROTOCOL_T0 ?
	    SCARD_PCI_T0 : SCARD_PCI_T1, cmd, (DWORD)cmd_len, NULL, resp,
	    &rlen);
	r = rv == SCARD_S_SUCCESS ? 0 :
	    fail("SCardTransmit", rv, UC_ERR_CARD_REMOVED);
	/*
	 * A card pulled mid-command shows up, depending on the driver and
	 * the timing, as an empty reply or a plain transaction failure,
	 * with the removal reported only a moment later: call it what it is.
	 */
	if ((r == UC_ERR_TRANSPORT || (r == 0 && rlen < 2)) &&
	    pcsc_wait_removed(c, PCSC_REMOVAL_GRACE_MS) == 0) {
		uc_transport_set_detail("SCardTransmit: %s, then the card "
		    "was gone", r == 0 ? "empty reply" :
		    pcsc_stringify_error(rv));
		r = UC_ERR_CARD_REMOVED;
	}
	if (r != 0) {
		/* The handle is useless after these; connect() starts over. */
		if (r == UC_ERR_CARD_REMOVED || r == UC_ERR_CARD_RESET ||
		    r == UC_ERR_READER_GONE)
			drop_card(c, SCARD_LEAVE_CARD);
		return r;
	}
	*resp_len = rlen;
	return 0;
}

static int
pcsc_disconnect(void *ctx, int eject)
{
	struct pcsc *c = ctx;
	LONG rv;

	if (!c->have_card)
		return 0;
	c->have_card = 0;
	/*
	 * "Eject" powers the card down: desktop readers cannot eject, and a
	 * card printer's encoder (like the virtual hopper behind vpcd) takes
	 * the power-off after use as the signal to feed the next card.
	 */
	rv = SCardDisconnect(c->hcard, eject ? SCARD_UNPOWER_CARD :
	    SCARD_RESET_CARD);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_W_REMOVED_CARD &&
	    rv != SCARD_E_NO_SMARTCARD)
		return fail("SCardDisconnect", rv, UC_ERR_CARD_REMOVED);
	return 0;
}

static int
pcsc_wait_removed(void *ctx, int timeout_ms)
{
	struct pcsc *c = ctx;
	SCARD_READERSTATE st;
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	LONG rv;

	memset(&st, 0, sizeof(st));
	st.szReader = c->reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	for (;;) {
		rv = SCardGetStatusChange(c->hctx, st.dwCurrentState ==
		    SCARD_STATE_UNAWARE ? 0 : remaining(deadline), &st, 1);
		if (rv == SCARD_E_TIMEOUT)
			return UC_ERR_TIMEOUT;
		/* A reader that vanished has no card in it either. */
		if (rv == SCARD_E_UNKNOWN_READER ||
		    rv == SCARD_E_READER_UNAVAILABLE)
			return 0;
		if (rv != SCARD_S_SUCCESS)
			return fail("SCardGetStatusChange", rv,
			    UC_ERR_NO_CARD);
		if (st.dwEventState & (SCARD_STATE_EMPTY |
		    SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN))
			return 0;
		if (st.dwCurrentState != SCARD_STATE_UNAWARE &&
		    remaining(deadline) == 0)
			return UC_ERR_TIMEOUT;
		st.dwCurrentState = st.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	}
}

static void
pcsc_close(void *ctx)
{
	struct pcsc *c = ctx;

	if (c == NULL)
		return;
	drop_card(c, SCARD_RESET_CARD);
	SCardReleaseContext(c->hctx);
	free(c);
}

int
uc_pcsc_list(struct uc_reader_info **out, size_t *n)
{
	SCARDCONTEXT hctx;
	SCARD_READERSTATE *st = NULL;
	struct uc_reader_info *ri = NULL;
	char *list = NULL, *p;
	size_t count = 0, i;
	LONG rv;
	int r;

	*out = NULL;
	*n = 0;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &hctx);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardEstablishContext", rv, UC_ERR_NO_CARD);
	if ((r = list_readers(hctx, &list, &count)) != 0)
		goto out;
	if (count == 0) {
		r = 0;
		goto out;
	}
	st = calloc(count, sizeof(*st));
	ri = calloc(count, sizeof(*ri));
	if (st == NULL || ri == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	for (i = 0, p = list; i < count; i++, p += strlen(p) + 1) {
		st[i].szReader = p;
		st[i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	rv = SCardGetStatusChange(hctx, 0, st, (DWORD)count);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
		r = fail("SCardGetStatusChange", rv, UC_ERR_NO_CARD);
		goto out;
	}
	for (i = 0; i < count; i++) {
		snprintf(ri[i].name, sizeof(ri[i].name), "pcsc:%s",
		    st[i].szReader);
		ri[i].card_present =
		    (st[i].dwEventState & SCARD_STATE_PRESENT) != 0;
		if (ri[i].card_present && st[i].cbAtr <= UC_ATR_MAX) {
			memcpy(ri[i].atr, st[i].rgbAtr, st[i].cbAtr);
			ri[i].atr_len = st[i].cbAtr;
		}
	}
	*out = ri;
	*n = count;
	ri = NULL;
	r = 0;
out:
	free(ri);
	free(st);
	free(list);
	SCardReleaseContext(hctx);
	return r;
}

const struct uc_transport_ops uc_transport_pcsc_ops = {
	.scheme = "pcsc",
	.open = pcsc_open,
	.connect = pcsc_connect,
	.transmit = pcsc_transmit,
	.disconnect = pcsc_disconnect,
	.wait_removed = pcsc_wait_removed,
	.close = pcsc_close,
	/* Short APDUs work on every reader and T=0; longer data is chained. */
	.max_lc = UC_APDU_LC_MAX_SHORT,
};
