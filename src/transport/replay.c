/*
 * replay.c - the `replay:FILE` transport: plays a test-vector transcript
 * (applets-spec/vectors/README.md) as if it were a card.
 *
 * Each command the engine sends must equal the next step's command byte
 * for byte; the step's recorded response is then returned.  Anything else
 * -- a different command, a command past the end, a step whose response
 * is not deterministic (only "response_sw" recorded) -- is UC_ERR_PROTOCOL
 * with the step named in uc_transport_diag().  disconnect() fails
 * with UC_ERR_PROTOCOL while steps remain, so a test can check that the
 * engine went through the whole transcript.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/backend.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"

/* A transcript is a test artefact; this bounds what we load. */
#define REPLAY_MAX_STEPS 4096
#define REPLAY_NOTE_MAX 80
#define REPLAY_HEX_SHOWN 40

struct step {
	uint8_t *cmd;
	size_t cmd_len;
	uint8_t *resp; /* NULL: only response_sw recorded */
	size_t resp_len;
	uint16_t sw;
	int prefix;    /* command_prefix: the command only starts so */
	char note[REPLAY_NOTE_MAX];
};

struct replay {
	char *path;
	struct step *steps;
	size_t n, next;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
};

static void
replay_free(struct replay *rp)
{
	size_t i;

	if (rp == NULL)
		return;
	for (i = 0; i < rp->n; i++) {
		free(rp->steps[i].cmd);
		free(rp->steps[i].resp);
	}
	free(rp->steps);
	free(rp->path);
	free(rp);
}

/* Decode a hex string member into a fresh allocation. */
static int
hex_member(json_t *o, const char *key, size_t min, size_t max, uint8_t **out,
    size_t *out_len)
{
	struct uc_buf b = UC_BUF_INIT;
	json_t *v;
	int r;

	*out = NULL;
	*out_len = 0;
	v = json_object_get(o, key);
	if (!json_is_string(v))
		return UC_ERR_INVALID;
	if ((r = uc_hex_decode_buf(json_string_value(v), &b)) != 0) {
		uc_buf_free(&b);
		return r == UC_ERR_NOMEM ? r : UC_ERR_INVALID;
	}
	if (b.len < min || b.len > max) {
		uc_buf_free(&b);
		return UC_ERR_INVALID;
	}
	if ((*out = malloc(b.len > 0 ? b.len : 1)) == NULL) {
		uc_buf_free(&b);
		return UC_ERR_NOMEM;
	}
	if (b.len > 0)
		memcpy(*out, b.data, b.len);
	*out_len = b.len;
	uc_buf_free(&b);
	return 0;
}

static int
load_step(const char *path, size_t i, json_t *js, struct step *s)
{
	const char *key, *what = NULL;
	json_t *v;
	uint8_t *sw = NULL;
	size_t swlen = 0;
	int r, has_resp, has_sw;

	if (!json_is_object(js)) {
		uc_transport_set_detail("%s: step %zu: not an object", path,
		    i + 1);
		return UC_ERR_INVALID;
	}
	json_object_foreach(js, key, v) {
		if (strcmp(key, "note") != 0 && strcmp(key, "command") != 0 &&
		    strcmp(key, "command_prefix") != 0 &&
		    strcmp(key, "response") != 0 &&
		    strcmp(key, "response_sw") != 0) {
			uc_transport_set_detail("%s: step %zu: unknown field "
			    "'%s'", path, i + 1, key);
			return UC_ERR_INVALID;
		}
	}
	v = json_object_get(js, "note");
	if (v != NULL && !json_is_string(v)) {
		what = "note: not a string";
		goto bad;
	}
	if (v != NULL)
		snprintf(s->note, sizeof(s->note), "%s", json_string_value(v));
	/* command_prefix: for a command carrying fresh randomness (the
	 * verifier's INTERNAL AUTHENTICATE challenge), only its start. */
	s->prefix = json_object_get(js, "command_prefix") != NULL;
	if (s->prefix == (json_object_get(js, "command") != NULL)) {
		what = "exactly one of command, command_prefix is needed";
		goto bad;
	}
	if ((r = hex_member(js, s->prefix ? "command_prefix" : "command", 4,
	    UC_APDU_WIRE_MAX, &s->cmd, &s->cmd_len)) != 0) {
		what = "command: missing, not hex, or not an APDU";
		goto fail;
	}
	has_resp = json_object_get(js, "response") != NULL;
	has_sw = json_object_get(js, "response_sw") != NULL;
	if (has_resp == has_sw) {
		what = "exactly one of response, response_sw is needed";
		goto bad;
	}
	if (has_resp) {
		if ((r = hex_member(js, "response", 2, UC_RAPDU_WIRE_MAX,
		    &s->resp, &s->resp_len)) != 0) {
			what = "response: not hex or shorter than a status "
			    "word";
			goto fail;
		}
		s->sw = (uint16_t)(s->resp[s->resp_len - 2] << 8 |
		    s->resp[s->resp_len - 1]);
	} else {
		if ((r = hex_member(js, "response_sw", 2, 2, &sw,
		    &swlen)) != 0) {
			what = "response_sw: not 4 hex digits";
			goto fail;
		}
		s->sw = (uint16_t)(sw[0] << 8 | sw[1]);
		free(sw);
	}
	return 0;
bad:
	r = UC_ERR_INVALID;
fail:
	uc_transport_set_detail("%s: step %zu: %s", path, i + 1, what);
	return r;
}

static int
replay_open(const char *name, void **ctx)
{
	struct replay *rp = NULL;
	json_error_t jerr;
	json_t *root = NULL, *steps, *v;
	size_t i;
	int r;

	*ctx = NULL;
	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return UC_ERR_NOMEM;
	if ((rp->path = strdup(name)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	root = json_load_file(name, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		uc_transport_set_detail("%s:%d: %s", name, jerr.line,
		    jerr.text);
		r = jerr.line <= 0 && jerr.position == 0 ? UC_ERR_IO :
		    UC_ERR_INVALID;
		goto out;
	}
	steps = json_object_get(root, "steps");
	if (!json_is_array(steps) || json_array_size(steps) == 0 ||
	    json_array_size(steps) > REPLAY_MAX_STEPS) {
		uc_transport_set_detail("%s: steps: need an array of 1 to %d "
		    "steps", name, REPLAY_MAX_STEPS);
		r = UC_ERR_INVALID;
		goto out;
	}
	if ((v = json_object_get(root, "atr")) != NULL) {
		uint8_t *atr = NULL;

		if ((r = hex_member(root, "atr", 2, UC_ATR_MAX, &atr,
		    &rp->atr_len)) != 0) {
			uc_transport_set_detail("%s: atr: not 2 to %d bytes "
			    "of hex", name, UC_ATR_MAX);
			goto out;
		}
		memcpy(rp->atr, atr, rp->atr_len);
		free(atr);
	}
	rp->steps = calloc(json_array_size(steps), sizeof(*rp->steps));
	if (rp->steps == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < json_array_size(steps); i++) {
		rp->n = i + 1;
		if ((r = load_step(name, i, json_array_get(steps, i),
		    &rp->steps[i])) != 0)
			goto out;
	}
	*ctx = rp;
	rp = NULL;
	r = 0;
out:
	json_decref(root);
	replay_free(rp);
	return r;
}

static int
replay_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	struct replay *rp = ctx;

	(void)timeout_ms;
	memcpy(atr, rp->atr, rp->atr_len);
	*atr_len = rp->atr_len;
	return 0;
}

static void
hex_prefix(const uint8_t *p, size_t n, char *out)
{
	size_t shown = n > REPLAY_HEX_SHOWN ? REPLAY_HEX_SHOWN : n;

	uc_hex_encode(p, shown, out);
	if (shown < n)
		strcpy(out + 2 * shown, "..");
}

static int
replay_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	struct replay *rp = ctx;
	struct step *s;
	char want[2 * REPLAY_HEX_SHOWN + 3], got[2 * REPLAY_HEX_SHOWN + 3];

	*resp_len = 0;
	hex_prefix(cmd, cmd_len, got);
	if (rp->next >= rp->n) {
		uc_transport_set_detail("%s: transcript ended after %zu steps "
		    "but the engine sent %s", rp->path, rp->n, got);
		return UC_ERR_PROTOCOL;
	}
	s = &rp->steps[rp->next];
	if (s->prefix ? cmd_len < s->cmd_len ||
	    memcmp(s->cmd, cmd, s->cmd_len) != 0 :
	    s->cmd_len != cmd_len || memcmp(s->cmd, cmd, cmd_len) != 0) {
		hex_prefix(s->cmd, s->cmd_len, want);
		uc_transport_set_detail("%s: step %zu (%s): expected command "
		    "%s, the engine sent %s", rp->path, rp->next + 1, s->note,
		    want, got);
		return UC_ERR_PROTOCOL;
	}
	if (s->resp == NULL) {
		uc_transport_set_detail("%s: step %zu (%s): only response_sw "
		    "%04X was recorded (not deterministic), so it cannot be "
		    "replayed", rp->path, rp->next + 1, s->note, s->sw);
		return UC_ERR_PROTOCOL;
	}
	if (s->resp_len > resp_cap)
		return UC_ERR_BUFFER;
	memcpy(resp, s->resp, s->resp_len);
	*resp_len = s->resp_len;
	rp->next++;
	return 0;
}

static int
replay_disconnect(void *ctx, int eject)
{
	struct replay *rp = ctx;

	(void)eject;
	if (rp->next < rp->n) {
		uc_transport_set_detail("%s: %zu of %zu steps were not "
		    "replayed (next: %s)", rp->path, rp->n - rp->next, rp->n,
		    rp->steps[rp->next].note);
		return UC_ERR_PROTOCOL;
	}
	return 0;
}

static void
replay_close(void *ctx)
{
	replay_free(ctx);
}

const struct uc_transport_ops uc_transport_replay_ops = {
	.scheme = "replay",
	.open = replay_open,
	.connect = replay_connect,
	.transmit = replay_transmit,
	.disconnect = replay_disconnect,
	.wait_removed = NULL,
	.close = replay_close,
	.max_lc = UC_APDU_LC_MAX_EXT,
};
