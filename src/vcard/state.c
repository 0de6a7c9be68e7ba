/*
 * state.c - the virtual card's state file (applets-spec/virtual-card.md).
 *
 * Loading is strict: unknown or missing members, wrong types, wrong hex
 * lengths, impossible counters, objects that a chip would have refused and
 * lifecycle states that contradict the objects are all UC_ERR_INVALID with
 * the member named in the diagnostic ("keys.scp03.enc").  A tester may damage
 * a card on purpose; the card must then refuse to come up rather than
 * behave in a way no chip could.
 *
 * Saving writes a temp file in the same directory, fsyncs it, renames it
 * over the old file and fsyncs the directory: the file holds the old or
 * the new state, never a mixture.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "vcard/vcard_priv.h"

#define STATE_FORMAT "unioncard-vcard-state"
#define STATE_VERSION 1
#define STATE_FILE_MAX (64u * 1024u)

struct lc_name {
	uint8_t value;
	const char *name;
};

static const struct lc_name lc_names[] = {
	{ VC_LC_BLANK, "BLANK" },
	{ VC_LC_PERSONALIZING, "PERSONALIZING" },
	{ VC_LC_PERSONALIZED, "PERSONALIZED" },
	{ VC_LC_TERMINATED, "TERMINATED" },
};

const char *
vc_lifecycle_name(uint8_t lc)
{
	size_t i;

	for (i = 0; i < sizeof(lc_names) / sizeof(lc_names[0]); i++)
		if (lc_names[i].value == lc)
			return lc_names[i].name;
	return "UNKNOWN";
}

void
vc_nv_wipe(struct vc_nv *nv)
{
	OPENSSL_cleanse(nv, sizeof(*nv));
}

/* Only the listed members may appear. */
static int
check_members(json_t *obj, const char *const *allowed, const char *file,
    const char *prefix, struct uc_diag *diag)
{
	const char *key;
	json_t *v;
	size_t i;
	char field[UC_DIAG_FIELD_MAX];

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			snprintf(field, sizeof(field), "%s%s", prefix, key);
			return uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
			    "unknown member");
		}
	}
	return 0;
}

static json_t *
need(json_t *obj, const char *key, json_type type, const char *file,
    const char *field, struct uc_diag *diag, int *r)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		*r = uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
		    "missing");
		return NULL;
	}
	if (json_typeof(v) != type) {
		*r = uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
		    "wrong JSON type");
		return NULL;
	}
	return v;
}

/* Hex string of exactly want bytes (or 1..max when want is 0). */
static int
get_hex(json_t *obj, const char *key, uint8_t *out, size_t want, size_t max,
    size_t *got, const char *file, const char *field, struct uc_diag *diag)
{
	json_t *v;
	const char *s;
	size_t n = 0, i;
	int r = 0;

	if ((v = need(obj, key, JSON_STRING, file, field, diag, &r)) == NULL)
		return r;
	s = json_string_value(v);
	/* Strict: only hex digits, no separators. */
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
			    "not a hex string");
	if (i % 2 != 0 || (want != 0 && i != 2 * want) ||
	    (want == 0 && (i == 0 || i > 2 * max)))
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
		    want != 0 ? "must be %zu bytes" : "must be 1 to %zu bytes",
		    want != 0 ? want : max);
	if (uc_hex_decode(s, out, want != 0 ? want : max, &n) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
		    "not a hex string");
	if (got != NULL)
		*got = n;
	return 0;
}

static int
get_uint(json_t *obj, const char *key, json_int_t max, json_int_t *out,
    const char *file, const char *field, struct uc_diag *diag)
{
	json_t *v;
	int r = 0;

	if ((v = need(obj, key, JSON_INTEGER, file, field, diag, &r)) == NULL)
		return r;
	*out = json_integer_value(v);
	if (*out < 0 || *out > max)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, field,
		    "out of range 0..%lld", (long long)max);
	return 0;
}

int
vc_state_check(const struct vc_nv *nv, const char *file, struct uc_diag *diag)
{
	const char *why = NULL;
	int any = nv->e1_len != 0 || nv->e3_len != 0 || nv->ef_len != 0 ||
	    nv->has_key;

	if (nv->e1_len != 0 && vc_check_e1(nv->e1, nv->e1_len, nv->serial,
	    &why) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "objects.E1",
		    "%s", why);
	if (nv->e3_len != 0 && vc_check_e3(nv->e3, nv->e3_len, &why) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "objects.E3",
		    "%s", why);
	if (nv->ef_len != 0 && vc_check_ef(nv->ef, nv->ef_len, &why) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "objects.EF",
		    "%s", why);
	if (nv->scp.tries_left > UC_SCP03_TRIES_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
		    "counters.auth_tries_left", "more than %d",
		    UC_SCP03_TRIES_MAX);
	if (nv->scp.seq_counter > UC_SCP03_SEQ_MAX)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
		    "counters.scp_sequence", "more than 24 bits");
	switch (nv->lifecycle) {
	case VC_LC_BLANK:
		if (any)
			return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
			    "lifecycle", "BLANK card holds objects or a key");
		break;
	case VC_LC_PERSONALIZED:
		if (nv->e1_len == 0 || !nv->has_key || nv->ef_len == 0)
			return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
			    "lifecycle",
			    "PERSONALIZED card lacks E1, E2 or EF");
		break;
	case VC_LC_PERSONALIZING:
	case VC_LC_TERMINATED:
		break;
	default:
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "lifecycle",
		    "unknown state");
	}
	return 0;
}

/* "linked": {"pan": DIGITS, "expiry": "YYMM", "bank_aid": HEX} */
static int
decode_linked(json_t *v, struct vc_nv *nv, const char *file,
    struct uc_diag *diag)
{
	static const char *const members[] = { "pan", "expiry", "bank_aid",
		NULL };
	json_t *s;
	const char *str;
	int r = 0;

	if (!json_is_object(v))
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "linked",
		    "must be null or an object");
	if ((r = check_members(v, members, file, "linked.", diag)) != 0)
		return r;
	if ((s = need(v, "pan", JSON_STRING, file, "linked.pan", diag,
	    &r)) == NULL)
		return r;
	str = json_string_value(s);
	if (!vc_pan_valid(str))
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "linked.pan",
		    "must be 12-19 digits with a valid Luhn check digit");
	snprintf(nv->pan, sizeof(nv->pan), "%s", str);
	if ((s = need(v, "expiry", JSON_STRING, file, "linked.expiry", diag,
	    &r)) == NULL)
		return r;
	str = json_string_value(s);
	if (strlen(str) != 4 || str[0] < '0' || str[0] > '9' ||
	    str[1] < '0' || str[1] > '9' || !((str[2] == '0' && str[3] >= '1'
	    && str[3] <= '9') || (str[2] == '1' && str[3] >= '0' &&
	    str[3] <= '2')))
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
		    "linked.expiry", "must be YYMM");
	memcpy(nv->expiry, str, 5);
	if ((r = get_hex(v, "bank_aid", nv->bank_aid, 0, VC_BANK_AID_MAX,
	    &nv->bank_aid_len, file, "linked.bank_aid", diag)) != 0)
		return r;
	if (nv->bank_aid_len < VC_BANK_AID_MIN)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
		    "linked.bank_aid", "must be 5 to 16 bytes");
	nv->linked = 1;
	return 0;
}

/* "objects": E1, E3 and EF, each optional. */
static int
decode_objects(json_t *root, struct vc_nv *nv, const char *file,
    struct uc_diag *diag)
{
	static const char *const objs[] = { "E1", "E3", "EF", NULL };
	json_t *o;
	int r = 0;

	if ((o = need(root, "objects", JSON_OBJECT, file, "objects", diag,
	    &r)) == NULL)
		return r;
	if ((r = check_members(o, objs, file, "objects.", diag)) != 0)
		return r;
	if (json_object_get(o, "E1") != NULL && (r = get_hex(o, "E1", nv->e1,
	    0, VC_E1_MAX, &nv->e1_len, file, "objects.E1", diag)) != 0)
		return r;
	if (json_object_get(o, "E3") != NULL && (r = get_hex(o, "E3", nv->e3,
	    0, VC_E3_MAX, &nv->e3_len, file, "objects.E3", diag)) != 0)
		return r;
	if (json_object_get(o, "EF") != NULL && (r = get_hex(o, "EF", nv->ef,
	    0, VC_EF_MAX, &nv->ef_len, file, "objects.EF", diag)) != 0)
		return r;
	return 0;
}

/* "counters": the SCP03 sequence counter and the tries left. */
static int
decode_counters(json_t *root, struct vc_nv *nv, const char *file,
    struct uc_diag *diag)
{
	static const char *const ctrs[] = { "scp_sequence", "auth_tries_left",
		NULL };
	json_t *o;
	json_int_t n;
	int r = 0;

	if ((o = need(root, "counters", JSON_OBJECT, file, "counters", diag,
	    &r)) == NULL)
		return r;
	if ((r = check_members(o, ctrs, file, "counters.", diag)) != 0)
		return r;
	if ((r = get_uint(o, "scp_sequence", UC_SCP03_SEQ_MAX, &n, file,
	    "counters.scp_sequence", diag)) != 0)
		return r;
	nv->scp.seq_counter = (uint32_t)n;
	if ((r = get_uint(o, "auth_tries_left", UC_SCP03_TRIES_MAX, &n, file,
	    "counters.auth_tries_left", diag)) != 0)
		return r;
	nv->scp.tries_left = (uint8_t)n;
	return 0;
}

/* "keys": the SCP03 keys, and the card's own EC key once generated. */
static int
decode_keys(json_t *root, struct vc_nv *nv, const char *file,
    struct uc_diag *diag)
{
	static const char *const keys[] = { "scp03", "ec_private",
		"ec_public", NULL };
	static const char *const scp[] = { "kvn", "enc", "mac", "dek", NULL };
	json_t *v, *k, *s;
	json_int_t n;
	uint8_t pub[VC_EC_PUB_LEN];
	int r = 0;

	if ((k = need(root, "keys", JSON_OBJECT, file, "keys", diag,
	    &r)) == NULL)
		return r;
	if ((r = check_members(k, keys, file, "keys.", diag)) != 0)
		return r;
	if ((s = need(k, "scp03", JSON_OBJECT, file, "keys.scp03", diag,
	    &r)) == NULL)
		return r;
	if ((r = check_members(s, scp, file, "keys.scp03.", diag)) != 0)
		return r;
	if ((r = get_uint(s, "kvn", 0x7f, &n, file, "keys.scp03.kvn",
	    diag)) != 0)
		return r;
	if (n == 0)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
		    "keys.scp03.kvn", "must be 1..127");
	nv->keys.kvn = (uint8_t)n;
	if ((r = get_hex(s, "enc", nv->keys.enc, UC_SCP03_KEY_LEN, 0, NULL,
	    file, "keys.scp03.enc", diag)) != 0 ||
	    (r = get_hex(s, "mac", nv->keys.mac, UC_SCP03_KEY_LEN, 0, NULL,
	    file, "keys.scp03.mac", diag)) != 0 ||
	    (r = get_hex(s, "dek", nv->keys.dek, UC_SCP03_KEY_LEN, 0, NULL,
	    file, "keys.scp03.dek", diag)) != 0)
		return r;
	v = json_object_get(k, "ec_private");
	if (v != NULL && !json_is_null(v)) {
		if ((r = get_hex(k, "ec_private", nv->ec_priv, VC_EC_PRIV_LEN,
		    0, NULL, file, "keys.ec_private", diag)) != 0)
			return r;
		if (vc_ec_public(nv->ec_priv, nv->ec_pub) != 0)
			return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
			    "keys.ec_private", "not a P-256 private key");
		nv->has_key = 1;
	}
	v = json_object_get(k, "ec_public");
	if (v != NULL && !json_is_null(v)) {
		/* Informational copy; it must agree with the private key. */
		if ((r = get_hex(k, "ec_public", pub, VC_EC_PUB_LEN, 0, NULL,
		    file, "keys.ec_public", diag)) != 0)
			return r;
		if (!nv->has_key || memcmp(pub, nv->ec_pub, sizeof(pub)) != 0)
			return uc_diag_set(diag, UC_ERR_INVALID, file, 0,
			    "keys.ec_public",
			    "does not match keys.ec_private");
	}
	return 0;
}

static int
decode(json_t *root, struct vc_nv *nv, const char *file, struct uc_diag *diag)
{
	static const char *const top[] = { "format", "version", "serial",
		"lifecycle", "objects", "counters", "keys", "linked", NULL };
	json_t *v;
	json_int_t n;
	const char *str;
	size_t i;
	int r = 0;

	if (!json_is_object(root))
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, NULL,
		    "not a JSON object");
	if ((r = check_members(root, top, file, "", diag)) != 0)
		return r;
	if ((v = need(root, "format", JSON_STRING, file, "format", diag,
	    &r)) == NULL)
		return r;
	if (strcmp(json_string_value(v), STATE_FORMAT) != 0)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "format",
		    "not \"%s\"", STATE_FORMAT);
	if ((r = get_uint(root, "version", 1000, &n, file, "version",
	    diag)) != 0)
		return r;
	if (n != STATE_VERSION)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "version",
		    "unsupported version %lld", (long long)n);
	if ((r = get_hex(root, "serial", nv->serial, 8, 0, NULL, file,
	    "serial", diag)) != 0)
		return r;
	if ((v = need(root, "lifecycle", JSON_STRING, file, "lifecycle", diag,
	    &r)) == NULL)
		return r;
	str = json_string_value(v);
	for (i = 0; i < sizeof(lc_names) / sizeof(lc_names[0]); i++)
		if (strcmp(str, lc_names[i].name) == 0)
			break;
	if (i == sizeof(lc_names) / sizeof(lc_names[0]))
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "lifecycle",
		    "unknown state \"%s\"", str);
	nv->lifecycle = lc_names[i].value;
	if ((r = decode_objects(root, nv, file, diag)) != 0 ||
	    (r = decode_counters(root, nv, file, diag)) != 0 ||
	    (r = decode_keys(root, nv, file, diag)) != 0)
		return r;
	if ((v = json_object_get(root, "linked")) == NULL)
		return uc_diag_set(diag, UC_ERR_INVALID, file, 0, "linked",
		    "missing");
	if (!json_is_null(v) && (r = decode_linked(v, nv, file, diag)) != 0)
		return r;
	return vc_state_check(nv, file, diag);
}

int
vc_state_load(const char *path, struct vc_nv *nv, struct uc_diag *diag)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t n;
	json_t *root = NULL;
	json_error_t jerr;
	int r;

	memset(nv, 0, sizeof(*nv));
	if ((f = fopen(path, "rb")) == NULL) {
		r = uc_diag_set(diag, errno == ENOENT ? UC_ERR_NOT_FOUND :
		    UC_ERR_IO, path, 0, NULL, "%s", strerror(errno));
		goto out;
	}
	if ((text = malloc(STATE_FILE_MAX + 1)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	n = fread(text, 1, STATE_FILE_MAX + 1, f);
	if (ferror(f)) {
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL, "read error");
		goto out;
	}
	if (n > STATE_FILE_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "larger than %u bytes", STATE_FILE_MAX);
		goto out;
	}
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path,
		    (unsigned long)(jerr.line > 0 ? jerr.line : 0), NULL, "%s",
		    jerr.text);
		goto out;
	}
	r = decode(root, nv, path, diag);
out:
	if (r != 0)
		vc_nv_wipe(nv);
	json_decref(root);
	if (text != NULL) {
		OPENSSL_cleanse(text, STATE_FILE_MAX + 1);
		free(text);
	}
	if (f != NULL)
		fclose(f);
	return r;
}

static int
set_hex(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
	char *h = uc_hex_dup(p, n);
	int r;

	if (h == NULL)
		return UC_ERR_NOMEM;
	r = json_object_set_new(obj, key, json_string(h)) == 0 ? 0 :
	    UC_ERR_NOMEM;
	OPENSSL_cleanse(h, strlen(h));
	free(h);
	return r;
}

static int
encode(const struct vc_nv *nv, json_t **out)
{
	json_t *root = NULL, *o, *k, *s;
	int r = UC_ERR_NOMEM;

	*out = NULL;
	if ((root = json_object()) == NULL)
		goto out;
	if (json_object_set_new(root, "format", json_string(STATE_FORMAT)) ||
	    json_object_set_new(root, "version", json_integer(STATE_VERSION)))
		goto out;
	if ((r = set_hex(root, "serial", nv->serial, 8)) != 0)
		goto out;
	r = UC_ERR_NOMEM;
	if (json_object_set_new(root, "lifecycle",
	    json_string(vc_lifecycle_name(nv->lifecycle))))
		goto out;
	if ((o = json_object()) == NULL ||
	    json_object_set_new(root, "objects", o))
		goto out;
	if ((nv->e1_len && (r = set_hex(o, "E1", nv->e1, nv->e1_len)) != 0) ||
	    (nv->e3_len && (r = set_hex(o, "E3", nv->e3, nv->e3_len)) != 0) ||
	    (nv->ef_len && (r = set_hex(o, "EF", nv->ef, nv->ef_len)) != 0))
		goto out;
	r = UC_ERR_NOMEM;
	if ((o = json_object()) == NULL ||
	    json_object_set_new(root, "counters", o) ||
	    json_object_set_new(o, "scp_sequence",
	    json_integer(nv->scp.seq_counter)) ||
	    json_object_set_new(o, "auth_tries_left",
	    json_integer(nv->scp.tries_left)))
		goto out;
	if ((k = json_object()) == NULL ||
	    json_object_set_new(root, "keys", k) ||
	    (s = json_object()) == NULL ||
	    json_object_set_new(k, "scp03", s) ||
	    json_object_set_new(s, "kvn", json_integer(nv->keys.kvn)))
		goto out;
	if ((r = set_hex(s, "enc", nv->keys.enc, UC_SCP03_KEY_LEN)) != 0 ||
	    (r = set_hex(s, "mac", nv->keys.mac, UC_SCP03_KEY_LEN)) != 0 ||
	    (r = set_hex(s, "dek", nv->keys.dek, UC_SCP03_KEY_LEN)) != 0)
		goto out;
	if (nv->has_key) {
		if ((r = set_hex(k, "ec_private", nv->ec_priv,
		    VC_EC_PRIV_LEN)) != 0 ||
		    (r = set_hex(k, "ec_public", nv->ec_pub,
		    VC_EC_PUB_LEN)) != 0)
			goto out;
	} else {
		r = UC_ERR_NOMEM;
		if (json_object_set_new(k, "ec_private", json_null()))
			goto out;
	}
	r = UC_ERR_NOMEM;
	if (!nv->linked) {
		if (json_object_set_new(root, "linked", json_null()))
			goto out;
	} else {
		if ((o = json_object()) == NULL ||
		    json_object_set_new(root, "linked", o) ||
		    json_object_set_new(o, "pan", json_string(nv->pan)) ||
		    json_object_set_new(o, "expiry", json_string(nv->expiry)))
			goto out;
		if ((r = set_hex(o, "bank_aid", nv->bank_aid,
		    nv->bank_aid_len)) != 0)
			goto out;
	}
	*out = root;
	root = NULL;
	r = 0;
out:
	json_decref(root);
	return r;
}

/* fsync the directory holding path, so the rename itself is durable. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r = 0;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return UC_ERR_IO;
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return UC_ERR_IO;
	if (fsync(fd) != 0 && errno != EINVAL)
		r = UC_ERR_IO;
	close(fd);
	return r;
}

static int
save(const char *path, const struct vc_nv *nv, int exclusive)
{
	json_t *root = NULL;
	char *text = NULL, *tmp = NULL;
	size_t len, off = 0;
	int fd = -1, r;

	if ((r = encode(nv, &root)) != 0)
		goto out;
	if ((text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	len = strlen(text);
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		r = UC_ERR_NOMEM;
		goto out;
	}
	r = UC_ERR_IO;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (exclusive) {
		/* link() fails if path exists: a new card never replaces
		 * another, and there is no moment with an empty file. */
		if (link(tmp, path) != 0) {
			r = errno == EEXIST ? UC_ERR_EXISTS : UC_ERR_IO;
			goto out;
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0)
		goto out;
	free(tmp);
	tmp = NULL;
	r = sync_dir(path);
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	json_decref(root);
	return r;
}

int
vc_state_save(const char *path, const struct vc_nv *nv)
{
	return save(path, nv, 0);
}

int
vc_state_create(const char *path, const struct vc_nv *nv)
{
	return save(path, nv, 1);
}
