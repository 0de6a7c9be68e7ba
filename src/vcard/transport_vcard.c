/*
 * transport_vcard.c - the `vcard:PATH` transport: the virtual card
 * in-process.  Part of the simulator library, not of libunioncard: a
 * program that wants `vcard:` readers calls uc_vcard_transport_register()
 * once, which hands these ops to uc_transport_register().
 *
 * PATH a file: that one card, loaded from its state file on connect (so
 * a test sees every change another process made) and powered off on
 * disconnect.  PATH a directory: a hopper, like a card printer's: the
 * *.json files in byte order of their names, one after another;
 * disconnect(eject = 1) moves to the next card, and connect after the
 * last one finds none (UC_ERR_NO_CARD).
 *
 * Nothing is waited for: the card is there or it is not.
 *
 * Tearing, for tests: the reader's options (struct uc_vcard_reader_opts,
 * uc_vcard_reader_set_opts) pull the card at the K-th APDU this reader
 * sends (counted from 1 since it was opened, across the cards of a
 * hopper), once: before (the default), the card never sees that APDU;
 * after, the card processes and commits it but the answer is lost; back:
 * the card is put back at once.  The tear tests of the station use it to
 * pull a card at every APDU of a run (applets-spec/virtual-card.md); the
 * tool sets it from UNIONCARD_VCARD_TEAR_AT in test-hook builds.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unioncard/error.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

/* A hopper holds at most this many cards. */
#define VCARD_HOPPER_MAX 10000

struct vcard_reader {
	char **paths;
	size_t n, cur;
	int ejected;        /* single card: ejected, gone for good */
	struct uc_vcard *card;
	unsigned long sent;    /* APDUs sent since open, every card */
	unsigned long tear_at; /* the test hook: 0 none */
	int tear_mode;         /* UC_VCARD_TEAR_BEFORE or _AFTER */
	int tear_back;         /* the torn card is put back (not gone) */
};

static const struct uc_transport_ops vcard_ops;

int
uc_vcard_reader_set_opts(struct uc_transport *t,
    const struct uc_vcard_reader_opts *o)
{
	struct vcard_reader *v = uc_transport_backend_ctx(t, &vcard_ops);

	if (v == NULL || o == NULL || (o->tear_mode != UC_VCARD_TEAR_BEFORE &&
	    o->tear_mode != UC_VCARD_TEAR_AFTER))
		return UC_ERR_ARG;
	v->tear_at = o->tear_at;
	v->tear_mode = o->tear_mode;
	v->tear_back = o->tear_back != 0;
	return 0;
}

static void
reader_free(struct vcard_reader *v)
{
	size_t i;

	if (v == NULL)
		return;
	uc_vcard_free(&v->card);
	for (i = 0; i < v->n; i++)
		free(v->paths[i]);
	free(v->paths);
	free(v);
}

static int
is_json(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_hopper(const char *dir, struct vcard_reader *v)
{
	DIR *d;
	struct dirent *e;
	char **grown;
	size_t cap = 0, len;
	int r = 0;

	if ((d = opendir(dir)) == NULL) {
		uc_transport_set_detail("%s: cannot open the hopper", dir);
		return UC_ERR_IO;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_json(e->d_name))
			continue;
		if (v->n >= VCARD_HOPPER_MAX) {
			uc_transport_set_detail("%s: more than %d cards", dir,
			    VCARD_HOPPER_MAX);
			r = UC_ERR_RANGE;
			break;
		}
		if (v->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((grown = realloc(v->paths, cap *
			    sizeof(*grown))) == NULL) {
				r = UC_ERR_NOMEM;
				break;
			}
			v->paths = grown;
		}
		len = strlen(dir) + 1 + strlen(e->d_name) + 1;
		if ((v->paths[v->n] = malloc(len)) == NULL) {
			r = UC_ERR_NOMEM;
			break;
		}
		snprintf(v->paths[v->n], len, "%s/%s", dir, e->d_name);
		v->n++;
	}
	closedir(d);
	if (r == 0 && v->n > 0)
		qsort(v->paths, v->n, sizeof(*v->paths), cmp_names);
	return r;
}

static int
vcard_open(const char *name, void **ctx)
{
	struct vcard_reader *v;
	struct stat st;
	int r;

	*ctx = NULL;
	if (name[0] == '\0' || stat(name, &st) != 0) {
		uc_transport_set_detail("%s: no such card file or hopper",
		    name);
		return UC_ERR_NO_READER;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return UC_ERR_NOMEM;
	v->tear_mode = UC_VCARD_TEAR_BEFORE;
	if (S_ISDIR(st.st_mode)) {
		if ((r = load_hopper(name, v)) != 0) {
			reader_free(v);
			return r;
		}
	} else {
		if ((v->paths = calloc(1, sizeof(*v->paths))) == NULL ||
		    (v->paths[0] = strdup(name)) == NULL) {
			reader_free(v);
			return UC_ERR_NOMEM;
		}
		v->n = 1;
	}
	*ctx = v;
	return 0;
}

static int
vcard_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	struct vcard_reader *v = ctx;
	struct uc_diag d;
	char msg[sizeof(d.file) + sizeof(d.field) + sizeof(d.msg) + 8];
	int r;

	(void)timeout_ms;
	*atr_len = 0;
	uc_vcard_free(&v->card);
	if (v->ejected || v->cur >= v->n) {
		uc_transport_set_detail(v->n > 1 || v->n == 0 ?
		    "the hopper is empty" : "the card was ejected");
		return UC_ERR_NO_CARD;
	}
	if ((r = uc_vcard_load(v->paths[v->cur], &v->card, &d)) != 0) {
		uc_diag_format(&d, msg, sizeof(msg));
		uc_transport_set_detail("%s", msg);
		return r;
	}
	uc_vcard_power_on(v->card);
	/* The card counts its APDUs from load: shift the reader's count. */
	if (v->tear_at > v->sent)
		uc_vcard_set_tear(v->card, v->tear_at - v->sent,
		    v->tear_mode);
	/* The core hands us UC_ATR_MAX bytes; the card takes it as in/out. */
	*atr_len = UC_ATR_MAX;
	if ((r = uc_vcard_atr(v->card, atr, atr_len)) != 0) {
		*atr_len = 0;
		uc_vcard_free(&v->card);
		return r;
	}
	return 0;
}

static int
vcard_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	struct vcard_reader *v = ctx;
	int r;

	*resp_len = 0;
	if (v->card == NULL)
		return UC_ERR_NO_CARD;
	v->sent++;
	r = uc_vcard_process(v->card, cmd, cmd_len, resp, resp_cap, resp_len);
	if (r == UC_ERR_CARD_REMOVED) {
		/*
		 * A configured tear: the card left the reader and does not
		 * come back to this one (a hopper feeds the next card),
		 * unless it is put back.
		 */
		uc_vcard_free(&v->card);
		if (!v->tear_back) {
			if (v->n == 1)
				v->ejected = 1;
			else if (v->cur < v->n)
				v->cur++;
		}
		*resp_len = 0;
		return r;
	}
	/* A failed save still produced the card's answer (65 81). */
	if (r == UC_ERR_IO && *resp_len >= 2)
		return 0;
	return r;
}

static int
vcard_disconnect(void *ctx, int eject)
{
	struct vcard_reader *v = ctx;

	if (v->card != NULL)
		uc_vcard_power_off(v->card);
	uc_vcard_free(&v->card);
	if (eject) {
		if (v->n == 1)
			v->ejected = 1;
		else if (v->cur < v->n)
			v->cur++;
	}
	return 0;
}

static int
vcard_wait_removed(void *ctx, int timeout_ms)
{
	(void)timeout_ms;
	/* Nobody holds a virtual card: it is gone as soon as let go. */
	return vcard_disconnect(ctx, 0);
}

static void
vcard_close(void *ctx)
{
	reader_free(ctx);
}

static const struct uc_transport_ops vcard_ops = {
	.scheme = "vcard",
	.open = vcard_open,
	.connect = vcard_connect,
	.transmit = vcard_transmit,
	.disconnect = vcard_disconnect,
	.wait_removed = vcard_wait_removed,
	.close = vcard_close,
	.max_lc = UC_APDU_LC_MAX_EXT,
};

int
uc_vcard_transport_register(void)
{
	return uc_transport_register(&vcard_ops);
}
