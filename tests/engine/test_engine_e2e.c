/*
 * test_engine_e2e.c - personalization and verification end to end,
 * in-process, on virtual cards: a real key hierarchy (uc_keys_init), real
 * state files, the real secure channel and signer.  Then the negative set:
 * every way a card can be wrong must fail the right check, and every way
 * a card can misbehave must be "could not check", never a verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "unioncard/date.h"
#include "unioncard/keys.h"
#include "unioncard/member.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"
#include "unioncard/transport.h"
#include "unioncard/vcard.h"
#include "unioncard/verify.h"

#include "card_rig.h"

#define PASS "correct horse battery"

static char tmp[256];
static char keys_dir[300], foreign_dir[300];
static struct uc_scp03_keys master;
static struct uc_signer *signer;
static struct uc_trust *trust;
static unsigned serial_counter;

/* today + n days, "YYYYMMDD" (Vietnam time, as the verifier counts). */
static const char *
day_plus(int n, char out[9])
{
	char iso[UC_DATE_ISO_LEN + 1];

	assert_int_equal(uc_date_format_iso(uc_date_today_vn() + n, iso), 0);
	snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	return out;
}

static void
member(struct uc_member *m, const char *code, const char *name)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->member_code, sizeof(m->member_code), "%s", code);
	snprintf(m->full_name, sizeof(m->full_name), "%s", name);
	strcpy(m->unit_code, "BD.QN.THPT-001");
	strcpy(m->unit_name,
	    "C\xc3\xb4ng \xc4\x91o\xc3\xa0n c\xc6\xa1 s\xe1\xbb\x9f");
	m->card_type = UC_CARD_TYPE_REGULAR;
	day_plus(0, m->issued_on);
	day_plus(5 * 365, m->expires_on);
}

static int
load_master(const char *dir, struct uc_scp03_keys *out)
{
	struct uc_keys_scp_master km;
	struct uc_diag d;
	int r;

	if ((r = uc_keys_load_scp_master(dir, PASS, &km, &d)) != 0)
		return r;
	memcpy(out->enc, km.enc, 16);
	memcpy(out->mac, km.mac, 16);
	memcpy(out->dek, km.dek, 16);
	out->kvn = km.kvn;
	return 0;
}

static int
setup(void **state)
{
	struct uc_diag d;
	char path[400];

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/uc-engine-e2e-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", tmp);
	snprintf(foreign_dir, sizeof(foreign_dir), "%s/foreign", tmp);
	if (uc_keys_init(keys_dir, PASS, NULL, &d) != 0 ||
	    uc_keys_init(foreign_dir, PASS, NULL, &d) != 0) {
		fprintf(stderr, "keys init: %s\n", d.msg);
		return -1;
	}
	if (load_master(keys_dir, &master) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/signers/station-01.key", keys_dir);
	if (uc_signer_open(path, PASS, &signer, &d) != 0) {
		fprintf(stderr, "signer: %s\n", d.msg);
		return -1;
	}
	if (uc_trust_new(&trust) != 0 ||
	    uc_trust_load_dir(trust, keys_dir, &d) != 0)
		return -1;
	return rig_register();
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	uc_signer_free(&signer);
	uc_trust_free(&trust);
	uc_buf_free(&rig.replace_select);
	uc_buf_free(&rig.replace_get);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (getenv("UC_KEEP_TMP") == NULL && system(cmd) != 0)
		return -1;
	return 0;
}

/* A new blank card with its own serial, keys from the test master. */
static void
new_card_serial(char *path, size_t cap, const char *name,
    const uint8_t *serial_in)
{
	struct uc_vcard_new_opts o;
	uint8_t serial[8] = { 0x55, 0x43, 0xE2, 0xE2, 0, 0, 0, 0 };

	serial[7] = (uint8_t)++serial_counter;
	if (serial_in != NULL)
		memcpy(serial, serial_in, 8);
	snprintf(path, cap, "%s/%s.json", tmp, name);
	memset(&o, 0, sizeof(o));
	o.serial = serial;
	o.master_enc = master.enc;
	o.master_mac = master.mac;
	o.master_dek = master.dek;
	o.key_version = master.kvn;
	assert_int_equal(uc_vcard_create(path, &o), 0);
}

static void
new_card(char *path, size_t cap, const char *name)
{
	new_card_serial(path, cap, name, NULL);
}

/* SELECT + GET DATA 00FF of a card: (raw FCI response, objects). */
static void
read_card(const char *path, struct uc_buf *select, struct uc_buf *objs)
{
	struct uc_transport *t = NULL;
	struct uc_apdu a;
	uint8_t raw[512];
	size_t n = 0;
	uint16_t sw = 0;

	rig.mode = RIG_PLAIN;
	snprintf(rig.path, sizeof(rig.path), "%s", path);
	assert_int_equal(uc_transport_open("rig:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	assert_int_equal(uc_transport_transmit(t,
	    (const uint8_t *)"\x00\xA4\x04\x00\x0B\xF0\x55\x4E\x49\x4F\x4E"
	    "\x43\x41\x52\x44\x01\x00", 17, raw, sizeof(raw), &n), 0);
	if (select != NULL)
		assert_int_equal(uc_buf_append(select, raw, n), 0);
	memset(&a, 0, sizeof(a));
	a.ins = 0xCA;
	a.p2 = 0xFF;
	a.le = 65536;
	assert_int_equal(uc_apdu_exchange(t, &a, 0, objs, &sw), 0);
	assert_int_equal(sw, 0x9000);
	uc_transport_free(&t);
}

/* uc_perso_card on the rig in a given mode, keeping the diagnostic. */
static int
perso_on(const char *path, enum rig_mode mode, const struct uc_member *m,
    const struct uc_scp03_keys *mk, struct uc_perso_result *res,
    struct uc_diag *d)
{
	struct uc_transport *t = NULL;
	struct uc_perso_keys k;
	int r;

	rig.mode = mode;
	snprintf(rig.path, sizeof(rig.path), "%s", path);
	assert_int_equal(uc_transport_open("rig:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	memset(&k, 0, sizeof(k));
	k.scp_master = mk;
	k.signer = signer;
	r = uc_perso_card(t, m, &k, res, d);
	uc_transport_free(&t);
	rig.mode = RIG_PLAIN;
	return r;
}

static int
perso(const char *path, const struct uc_member *m,
    const struct uc_scp03_keys *mk, struct uc_perso_result *res)
{
	struct uc_diag d;
	int r = perso_on(path, RIG_PLAIN, m, mk, res, &d);

	if (r != 0)
		fprintf(stderr, "# perso: %s: %s (%s) sw %04X\n", d.field,
		    d.msg, uc_errname(r), res->last_sw);
	return r;
}

static int
verify_with(const char *path, enum rig_mode mode, const struct uc_trust *tr,
    const char *date, struct uc_verify_result *res)
{
	struct uc_transport *t = NULL;
	struct uc_verify_opts o;
	struct uc_diag d;
	int r;

	rig.mode = mode;
	snprintf(rig.path, sizeof(rig.path), "%s", path);
	assert_int_equal(uc_transport_open("rig:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	memset(&o, 0, sizeof(o));
	o.trust = tr;
	o.check_date = date;
	r = uc_verify_card(t, &o, res, &d);
	uc_transport_free(&t);
	rig.mode = RIG_PLAIN;
	return r;
}

static int
verify(const char *path, struct uc_verify_result *res)
{
	return verify_with(path, RIG_PLAIN, trust, NULL, res);
}

/* The checks that failed, as "name name ...", for readable asserts. */
static const char *
failed(const struct uc_verify_result *res)
{
	static char out[256];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < res->n_checks; i++) {
		if (!res->checks[i].ok) {
			if (out[0] != '\0')
				strcat(out, " ");
			strcat(out, res->checks[i].name);
		}
	}
	return out;
}

static void
expect_invalid(const struct uc_verify_result *res, const char *first)
{
	size_t i;

	assert_false(res->valid);
	for (i = 0; i < res->n_checks; i++)
		if (!res->checks[i].ok)
			break;
	assert_true(i < res->n_checks);
	if (strcmp(res->checks[i].name, first) != 0)
		fail_msg("first failure %s (%s), expected %s; failed: %s",
		    res->checks[i].name, res->checks[i].detail, first,
		    failed(res));
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = calloc(1, (size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return p;
}

/* Edit a card's state file: objects.<obj> hex, flip bit of byte off. */
static void
flip_object_bit(const char *path, const char *obj, long off, int bit)
{
	json_error_t e;
	json_t *root = json_load_file(path, 0, &e), *o;
	char *hex;
	size_t n;
	int v;
	char keep;

	assert_non_null(root);
	o = json_object_get(json_object_get(root, "objects"), obj);
	assert_non_null(o);
	hex = strdup(json_string_value(o));
	n = strlen(hex) / 2;
	if (off < 0)
		off += (long)n;
	assert_true(off >= 0 && (size_t)off < n);
	sscanf(hex + 2 * off, "%2x", (unsigned *)&v);
	v ^= 1 << bit;
	keep = hex[2 * off + 2];
	snprintf(hex + 2 * off, 3, "%02X", v & 0xff);
	hex[2 * off + 2] = keep;
	json_object_set_new(json_object_get(root, "objects"), obj,
	    json_string(hex));
	free(hex);
	assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
	json_decref(root);
}

static void
copy_objects(const char *from, const char *to, const char *const *objs)
{
	json_error_t e;
	json_t *a = json_load_file(from, 0, &e), *b = json_load_file(to, 0, &e);
	size_t i;

	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; objs[i] != NULL; i++)
		json_object_set(json_object_get(b, "objects"), objs[i],
		    json_object_get(json_object_get(a, "objects"), objs[i]));
	assert_int_equal(json_dump_file(b, to, JSON_INDENT(2)), 0);
	json_decref(a);
	json_decref(b);
}

static void
personalized(char *path, size_t cap, const char *name, const char *code)
{
	struct uc_member m;
	struct uc_perso_result res;

	new_card(path, cap, name);
	member(&m, code, "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	assert_int_equal(perso(path, &m, &master, &res), 0);
}

/* ------------------------------------------------------------------ */

static void
test_perso_then_verify(void **state)
{
	char path[512];
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_verify_result vr;
	size_t i;
	char *before, *after;

	(void)state;
	new_card(path, sizeof(path), "good");
	member(&m, "52000012345", "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	assert_int_equal(perso(path, &m, &master, &pr), 0);
	assert_int_equal(pr.stage, UC_PERSO_STAGE_DONE);
	assert_int_equal(pr.lifecycle_before, 0x01);
	assert_int_equal(pr.point[0], 0x04);
	/* SELECT, IU, EA, STORE DATA E1, GENERATE KEY, STORE DATA EF,
	 * SET STATUS. */
	assert_int_equal(pr.store_blocks, 2);
	assert_int_equal(pr.apdus, UC_PERSO_MIN_APDUS);

	assert_int_equal(verify(path, &vr), 0);
	for (i = 0; i < vr.n_checks; i++)
		if (!vr.checks[i].ok)
			fail_msg("%s: %s", vr.checks[i].name,
			    vr.checks[i].detail);
	assert_true(vr.valid);
	assert_int_equal(vr.n_checks, 7);
	assert_string_equal(vr.member.member_code, "52000012345");
	assert_string_equal(vr.member.full_name, m.full_name);
	assert_string_equal(vr.station, "station-01");
	assert_string_equal(vr.serial_hex, "5543E2E200000001");
	/* SELECT, GET DATA (extended Le), INTERNAL AUTHENTICATE. */
	assert_int_equal(vr.apdus, 3);

	/* The card refuses any further write, and nothing changes. */
	before = slurp(path);
	assert_int_equal(perso(path, &m, &master, &pr), UC_ERR_STATE);
	assert_int_equal(pr.apdus, 1);
	after = slurp(path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void
test_wrong_master_key(void **state)
{
	char path[512];
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_scp03_keys wrong, mac_only = master;
	json_error_t e;
	json_t *a, *b;
	int i;

	(void)state;
	/* Another issuer's scp-master.json: every key differs. */
	assert_int_equal(load_master(foreign_dir, &wrong), 0);
	new_card(path, sizeof(path), "wrongkey");
	a = json_load_file(path, 0, &e);
	member(&m, "52000012345", "An");
	mac_only.mac[0] ^= 0x01;
	for (i = 0; i < 2; i++) {
		assert_int_equal(perso(path, &m, i == 0 ? &wrong : &mac_only,
		    &pr), UC_ERR_AUTH);
		assert_int_equal(pr.stage, UC_PERSO_STAGE_CHANNEL);
		/* SELECT and INITIALIZE UPDATE only: no EXTERNAL
		 * AUTHENTICATE, so the card loses no try either. */
		assert_int_equal(pr.apdus, 2);
	}
	b = json_load_file(path, 0, &e);
	/* Objects, lifecycle, keys and the try counter are untouched
	 * (INITIALIZE UPDATE advances the SCP03 sequence counter by
	 * design, so that no card challenge is ever reused). */
	assert_true(json_equal(json_object_get(a, "objects"),
	    json_object_get(b, "objects")));
	assert_true(json_equal(json_object_get(a, "lifecycle"),
	    json_object_get(b, "lifecycle")));
	assert_true(json_equal(json_object_get(a, "keys"),
	    json_object_get(b, "keys")));
	assert_true(json_equal(
	    json_object_get(json_object_get(a, "counters"), "auth_tries_left"),
	    json_object_get(json_object_get(b, "counters"),
	    "auth_tries_left")));
	json_decref(a);
	json_decref(b);
	/* The right key still works afterwards. */
	assert_int_equal(perso(path, &m, &master, &pr), 0);
}
/* The card's objects, lifecycle, keys and tries are as in before. */
static void
assert_unchanged(json_t *before, const char *path)
{
	json_error_t e;
	json_t *after = json_load_file(path, 0, &e);

	assert_non_null(after);
	assert_string_equal(json_string_value(json_object_get(after,
	    "lifecycle")), "BLANK");
	assert_true(json_equal(json_object_get(before, "objects"),
	    json_object_get(after, "objects")));
	assert_true(json_equal(json_object_get(before, "keys"),
	    json_object_get(after, "keys")));
	assert_true(json_equal(
	    json_object_get(json_object_get(before, "counters"),
	    "auth_tries_left"),
	    json_object_get(json_object_get(after, "counters"),
	    "auth_tries_left")));
	json_decref(after);
}

/* A card left BLANK by a wrong key file takes the right one, and verifies. */
static void
right_keys_write(const char *path, enum rig_mode mode,
    const struct uc_member *m)
{
	struct uc_perso_result pr;
	struct uc_verify_result vr;
	struct uc_diag d;

	assert_int_equal(perso_on(path, mode, m, &master, &pr, &d), 0);
	assert_int_equal(pr.lifecycle_before, 0x01);
	assert_int_equal(verify(path, &vr), 0);
	assert_true(vr.valid);
}

/*
 * A key file whose ENC key alone is wrong: the cryptograms (MAC keys only)
 * pass, the card challenge (Key-ENC) does not.  The engine says so before
 * EXTERNAL AUTHENTICATE; the card stays BLANK with no object, no key and
 * every try, and takes the right key file afterwards.
 */
static void
test_wrong_enc_key(void **state)
{
	char path[512];
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_scp03_keys enc_only = master;
	struct uc_diag d;
	json_error_t e;
	json_t *a;

	(void)state;
	new_card(path, sizeof(path), "wrongenc");
	a = json_load_file(path, 0, &e);
	member(&m, "52000012345", "An");
	enc_only.enc[7] ^= 0x80;

	assert_int_equal(perso_on(path, RIG_PLAIN, &m, &enc_only, &pr, &d),
	    UC_ERR_KEY);
	assert_int_equal(pr.stage, UC_PERSO_STAGE_CHANNEL);
	assert_string_equal(d.field, "secure channel");
	assert_non_null(strstr(d.msg, "ENC key does not match this card"));
	assert_non_null(strstr(d.msg, "nothing was written"));
	/* SELECT and INITIALIZE UPDATE only. */
	assert_int_equal(pr.apdus, 2);

	assert_unchanged(a, path);
	json_decref(a);
	/* The same card with the right key file. */
	right_keys_write(path, RIG_PLAIN, &m);
}

/*
 * The same key file and a card whose challenge cannot be checked (random
 * challenges): the channel opens, and the card refuses the first write,
 * which is encrypted, so that it is still BLANK with no object and no
 * key.  In about one run in 255 the garbage it decrypts ends in valid
 * padding and it refuses the identity object itself (6A 80) instead of
 * 69 88: nothing is written either way.
 */
static void
test_wrong_enc_key_first_write(void **state)
{
	char path[512];
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_scp03_keys enc_only = master;
	struct uc_diag d;
	json_error_t e;
	json_t *a;
	int r;

	(void)state;
	new_card(path, sizeof(path), "wrongenc2");
	a = json_load_file(path, 0, &e);
	member(&m, "52000012345", "An");
	enc_only.enc[0] ^= 0x01;
	r = perso_on(path, RIG_RANDOM_CHALLENGE, &m, &enc_only, &pr, &d);
	assert_int_equal(pr.stage, UC_PERSO_STAGE_IDENTITY);
	/* SELECT, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, STORE DATA. */
	assert_int_equal(pr.apdus, 4);
	if (pr.last_sw == 0x6988) {
		assert_int_equal(r, UC_ERR_KEY);
		assert_non_null(strstr(d.msg,
		    "ENC key does not match this card"));
	} else {
		assert_int_equal(pr.last_sw, 0x6A80);
		assert_int_equal(r, UC_ERR_SW_WRONG_DATA);
	}
	assert_non_null(strstr(d.msg, "nothing was written"));
	assert_unchanged(a, path);
	json_decref(a);
	/* The right key file writes it, challenge unchecked or not. */
	right_keys_write(path, RIG_RANDOM_CHALLENGE, &m);
}

static void
test_tampered_identity(void **state)
{
	char path[512];
	struct uc_verify_result vr;

	(void)state;
	personalized(path, sizeof(path), "tamper-e1", "52000012345");
	/* "Nguyễn" -> "Nfuyễn": one bit of the name (C1 starts at 15). */
	flip_object_bit(path, "E1", 16, 0);
	assert_int_equal(verify(path, &vr), 0);
	expect_invalid(&vr, "hashes");
	assert_string_equal(failed(&vr), "hashes");
}

static void
test_tampered_secobj(void **state)
{
	char path[512];
	struct uc_verify_result vr;

	(void)state;
	personalized(path, sizeof(path), "tamper-ef", "52000012345");
	/* The last byte of EF is inside the ECDSA signature's s. */
	flip_object_bit(path, "EF", -1, 0);
	assert_int_equal(verify(path, &vr), 0);
	expect_invalid(&vr, "signature");
}

static void
test_tampered_pubkey(void **state)
{
	char path[512];
	struct uc_verify_result vr;
	struct uc_buf objs = UC_BUF_INIT;
	uint8_t *p;

	(void)state;
	personalized(path, sizeof(path), "tamper-e2", "52000012345");
	/* E2 cannot be edited in the state file (the card derives it from
	 * its private key), so a device in the middle flips one bit of the
	 * point in the GET DATA answer. */
	read_card(path, NULL, &objs);
	p = memmem(objs.data, objs.len, "\xE2\x43\x86\x41\x04", 5);
	assert_non_null(p);
	p[5 + 10] ^= 0x01;
	rig.replace_select.len = 0;
	rig.replace_get.len = 0;
	assert_int_equal(uc_buf_append(&rig.replace_get, objs.data, objs.len),
	    0);
	assert_int_equal(uc_buf_append(&rig.replace_get, "\x90\x00", 2), 0);
	assert_int_equal(verify_with(path, RIG_REPLACE, trust, NULL, &vr), 0);
	/* A flipped bit of X leaves no point on P-256: the objects check
	 * (verdicts.md §3) refuses it before any hash is compared. */
	expect_invalid(&vr, "objects");
	assert_non_null(strstr(vr.checks[0].detail, "P-256"));
	assert_int_equal(vr.checks[1].outcome, UC_VERIFY_NOT_RUN);
	uc_buf_free(&objs);
}
static void
test_swapped_object(void **state)
{
	char a[512], b[512];
	struct uc_verify_result vr;
	struct uc_buf oa = UC_BUF_INIT, ob = UC_BUF_INIT;
	struct uc_card_objects ca, cb;
	struct uc_diag d;

	(void)state;
	personalized(a, sizeof(a), "swap-a", "52000012345");
	personalized(b, sizeof(b), "swap-b", "37000000013");
	read_card(a, NULL, &oa);
	read_card(b, NULL, &ob);
	assert_int_equal(uc_card_objects_parse(oa.data, oa.len, &ca, &d), 0);
	assert_int_equal(uc_card_objects_parse(ob.data, ob.len, &cb, &d), 0);
	/* A's card answering with B's identity (a valid, signed object;
	 * the virtual card itself refuses to hold another card's E1, so
	 * the swap happens on the wire). */
	rig.replace_select.len = 0;
	rig.replace_get.len = 0;
	assert_int_equal(uc_buf_append(&rig.replace_get, cb.identity_tlv,
	    cb.identity_tlv_len), 0);
	assert_int_equal(uc_buf_append(&rig.replace_get, ca.pubkey_tlv,
	    oa.len - (size_t)(ca.pubkey_tlv - oa.data)), 0);
	assert_int_equal(uc_buf_append(&rig.replace_get, "\x90\x00", 2), 0);
	assert_int_equal(verify_with(a, RIG_REPLACE, trust, NULL, &vr), 0);
	/* B's E1 names B's chip (C7): the objects check says so first. */
	expect_invalid(&vr, "objects");
	assert_non_null(strstr(vr.checks[0].detail, "E1/C7"));
	assert_string_equal(vr.member.member_code, "37000000013");
	uc_buf_free(&oa);
	uc_buf_free(&ob);
}
static void
test_foreign_root(void **state)
{
	char path[512];
	struct uc_verify_result vr;
	struct uc_trust *foreign = NULL;
	struct uc_diag d;

	(void)state;
	personalized(path, sizeof(path), "foreign", "52000012345");
	assert_int_equal(uc_trust_new(&foreign), 0);
	assert_int_equal(uc_trust_load_dir(foreign, foreign_dir, &d), 0);
	assert_int_equal(verify_with(path, RIG_PLAIN, foreign, NULL, &vr), 0);
	expect_invalid(&vr, "chain");
	assert_string_equal(failed(&vr), "chain");
	uc_trust_free(&foreign);
}

static void
test_expired_signer_and_card(void **state)
{
	char path[512], d[9];
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_verify_result vr;

	(void)state;
	struct uc_trust *roots = NULL;
	char root_pem[600];
	struct uc_diag dg;

	personalized(path, sizeof(path), "expired", "52000012345");
	/* Signers outlive their cards (3 years of signing + 5 of a card,
	 * keys/README.md "Lifetimes"): on the card's last day every check
	 * passes, the chain included. */
	snprintf(root_pem, sizeof(root_pem), "%s/root.pem", keys_dir);
	assert_int_equal(uc_trust_new(&roots), 0);
	assert_int_equal(uc_trust_add_roots_file(roots, root_pem, &dg), 0);
	assert_int_equal(verify_with(path, RIG_PLAIN, roots,
	    day_plus(5 * 365, d), &vr), 0);
	assert_string_equal(failed(&vr), "");  /* status: skipped, no list */
	assert_int_equal(vr.verdict, UC_VERDICT_VALID);
	/* The day after the card's own expiry: expiry, and only it. */
	assert_int_equal(verify_with(path, RIG_PLAIN, roots,
	    day_plus(5 * 365 + 1, d), &vr), 0);
	expect_invalid(&vr, "expiry");
	assert_int_equal(vr.verdict, UC_VERDICT_INVALID);
	uc_trust_free(&roots);
	/* With the root's CRL (a year's validity) four years on: the CRL
	 * is out of date, so the chain could not be checked - the card is
	 * not called forged. */
	assert_int_equal(verify_with(path, RIG_PLAIN, trust,
	    day_plus(4 * 365, d), &vr), 0);
	assert_int_equal(vr.verdict, UC_VERDICT_COULD_NOT_CHECK);
	assert_string_equal(uc_verify_lead(&vr)->name, "chain");
	/* A card issued for tomorrow is not valid today. */
	new_card(path, sizeof(path), "future");
	member(&m, "52000012345", "An");
	day_plus(1, m.issued_on);
	assert_int_equal(perso(path, &m, &master, &pr), 0);
	assert_int_equal(verify(path, &vr), 0);
	assert_string_equal(failed(&vr), "expiry");
}
static void
test_revoked_signer(void **state)
{
	char path[512], dir[400], key[500];
	struct uc_verify_result vr;
	struct uc_trust *tr = NULL;
	struct uc_signer *s2 = NULL;
	struct uc_signer *keep = signer;
	struct uc_diag d;

	(void)state;
	/* A second station, whose signer is revoked after it signed. */
	snprintf(dir, sizeof(dir), "%s", keys_dir);
	assert_int_equal(uc_keys_new_signer(dir, "station-02", PASS, NULL,
	    &d), 0);
	snprintf(key, sizeof(key), "%s/signers/station-02.key", dir);
	assert_int_equal(uc_signer_open(key, PASS, &s2, &d), 0);
	signer = s2;
	personalized(path, sizeof(path), "revoked", "52000012345");
	signer = keep;
	uc_signer_free(&s2);
	assert_int_equal(uc_keys_revoke_signer(dir, "station-02", PASS, &d),
	    0);
	assert_int_equal(uc_trust_new(&tr), 0);
	assert_int_equal(uc_trust_load_dir(tr, dir, &d), 0);
	assert_int_equal(verify_with(path, RIG_PLAIN, tr, NULL, &vr), 0);
	expect_invalid(&vr, "chain");
	assert_string_equal(failed(&vr), "chain");
	uc_trust_free(&tr);
}

static void
test_clone_state_file(void **state)
{
	char orig[512], clone[512];
	struct uc_verify_result vr;
	struct uc_buf sel = UC_BUF_INIT, objs = UC_BUF_INIT;
	struct uc_card_objects o;
	struct uc_diag d;
	struct uc_member m;
	struct uc_perso_result pr;
	static const char *const readable[] = { "E1", "EF", NULL };

	(void)state;
	personalized(orig, sizeof(orig), "clone-orig", "52000012345");
	read_card(orig, &sel, &objs);
	assert_int_equal(uc_card_objects_parse(objs.data, objs.len, &o, &d),
	    0);
	/* A counterfeit chip claiming the same serial, with its own key
	 * pair, carrying a copy of every object anyone can read. */
	new_card_serial(clone, sizeof(clone), "clone-copy", o.serial);
	member(&m, "37000000021", "Someone Else");
	assert_int_equal(perso(clone, &m, &master, &pr), 0);
	copy_objects(orig, clone, readable);
	assert_int_equal(verify(clone, &vr), 0);
	assert_false(vr.valid);
	assert_non_null(strstr(failed(&vr), "active_auth"));
	assert_non_null(strstr(vr.checks[4].detail, "not the key"));
	uc_buf_free(&sel);
	uc_buf_free(&objs);
}
static void
test_clone_emulator(void **state)
{
	char orig[512], clone[512];
	struct uc_verify_result vr;

	(void)state;
	personalized(orig, sizeof(orig), "emu-orig", "52000012345");
	personalized(clone, sizeof(clone), "emu-copy", "37000000021");
	/* Record the original's SELECT and GET DATA answers... */
	rig.replace_select.len = 0;
	rig.replace_get.len = 0;
	read_card(orig, &rig.replace_select, &rig.replace_get);
	assert_int_equal(uc_buf_append(&rig.replace_get, "\x90\x00", 2), 0);
	/* ...and replay them from a device whose chip is the clone: every
	 * byte it shows is genuine; only its signature is its own. */
	assert_int_equal(verify_with(clone, RIG_REPLACE, trust, NULL, &vr),
	    0);
	expect_invalid(&vr, "active_auth");
	assert_string_equal(failed(&vr), "active_auth");
}

static void
test_hostile_cards(void **state)
{
	char path[512];
	struct uc_verify_result vr;

	(void)state;
	personalized(path, sizeof(path), "hostile", "52000012345");
	assert_int_equal(verify_with(path, RIG_ENDLESS_61, trust, NULL, &vr),
	    UC_ERR_TOO_MANY_ROUNDS);
	assert_false(vr.valid);
	assert_int_equal(verify_with(path, RIG_OVERSIZED, trust, NULL, &vr),
	    UC_ERR_TLV);
	assert_int_equal(verify_with(path, RIG_HUGE_RESPONSE, trust, NULL,
	    &vr), UC_ERR_TOO_LONG);
	assert_int_equal(verify_with(path, RIG_REMOVED_AT_GET, trust, NULL,
	    &vr), UC_ERR_CARD_REMOVED);
	/* And the real card is still fine after all that. */
	assert_int_equal(verify(path, &vr), 0);
	assert_true(vr.valid);
}

static void
test_blank_card_is_invalid(void **state)
{
	char path[512];
	struct uc_verify_result vr;

	(void)state;
	new_card(path, sizeof(path), "blank");
	assert_int_equal(verify(path, &vr), 0);
	expect_invalid(&vr, "objects");
	/* Says it is blank, and the rest is not run, never "failed". */
	assert_true(vr.blank);
	assert_int_equal(vr.verdict, UC_VERDICT_INVALID);
	assert_int_equal(vr.lead, 0);
	assert_non_null(strstr(vr.checks[0].why, "blank"));
	for (size_t i = 1; i < vr.n_checks; i++)
		assert_int_equal(vr.checks[i].outcome, UC_VERIFY_NOT_RUN);
}

/* A status source that cannot answer, or says revoked. */
static int
status_says(void *ctx, const char *serial_hex, const char *card_serial,
    const char *member_code, int *revoked, char *detail, size_t cap)
{
	const char *what = ctx;

	(void)serial_hex;
	(void)card_serial;
	(void)member_code;
	if (what == NULL)
		return UC_ERR_ARG;
	*revoked = strcmp(what, "revoked") == 0;
	snprintf(detail, cap, "%s", what);
	return strcmp(what, "stale") == 0 ? UC_ERR_VERIFY : 0;
}

static void
verify_status(const char *path, const char *says, struct uc_verify_result *vr)
{
	struct uc_transport *t = NULL;
	struct uc_verify_opts o;
	struct uc_diag d;
	static char what[32];

	snprintf(what, sizeof(what), "%s", says);
	memset(&o, 0, sizeof(o));
	o.trust = trust;
	o.status = status_says;
	o.status_ctx = what;
	rig.mode = RIG_PLAIN;
	snprintf(rig.path, sizeof(rig.path), "%s", path);
	assert_int_equal(uc_transport_open("rig:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	assert_int_equal(uc_verify_card(t, &o, vr, &d), 0);
	uc_transport_free(&t);
}

static void
test_verdict_classes(void **state)
{
	char path[512], bare[512];
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_verify_result vr;

	(void)state;
	new_card(path, sizeof(path), "classes");
	member(&m, "52000012345", "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	snprintf(m.card_serial, sizeof(m.card_serial), "52000000007");
	assert_int_equal(perso(path, &m, &master, &pr), 0);

	/* A list that cannot answer: could not check, named status. */
	verify_status(path, "stale", &vr);
	assert_int_equal(vr.verdict, UC_VERDICT_COULD_NOT_CHECK);
	assert_false(vr.valid);
	assert_string_equal(uc_verify_lead(&vr)->name, "status");
	assert_int_equal(uc_verify_lead(&vr)->outcome, UC_VERIFY_UNDECIDED);
	assert_string_equal(uc_verify_lead(&vr)->detail, "stale");
	/* Revoked: invalid.  Not revoked: valid. */
	verify_status(path, "revoked", &vr);
	assert_int_equal(vr.verdict, UC_VERDICT_INVALID);
	assert_string_equal(uc_verify_lead(&vr)->name, "status");
	verify_status(path, "fine", &vr);
	assert_int_equal(vr.verdict, UC_VERDICT_VALID);
	assert_true(vr.valid);
	assert_null(uc_verify_lead(&vr));

	/* The root's CRL (valid 365 days) out of date at the check time:
	 * chain could not check, the card is not called forged. */
	{
		struct uc_transport *t = NULL;
		struct uc_verify_opts o;
		struct uc_diag d;
		char day[9];
		time_t when = time(NULL) + 400L * 86400;
		struct tm tm;

		gmtime_r(&when, &tm);
		strftime(day, sizeof(day), "%Y%m%d", &tm);
		memset(&o, 0, sizeof(o));
		o.trust = trust;
		o.check_time = when;
		o.check_date = day;
		snprintf(rig.path, sizeof(rig.path), "%s", path);
		assert_int_equal(uc_transport_open("rig:x", &t), 0);
		assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
		assert_int_equal(uc_verify_card(t, &o, &vr, &d), 0);
		uc_transport_free(&t);
		assert_int_equal(vr.verdict, UC_VERDICT_COULD_NOT_CHECK);
		assert_string_equal(uc_verify_lead(&vr)->name, "chain");
		assert_non_null(strstr(uc_verify_lead(&vr)->detail,
		    "revocation list expired on"));
		assert_non_null(strstr(uc_verify_lead(&vr)->why, "fetch a new"));
	}

	/* No E1/CA: no list can index it, a failure of the card. */
	personalized(bare, sizeof(bare), "classes-bare", "52000012345");
	verify_status(bare, "stale", &vr);
	assert_int_equal(vr.verdict, UC_VERDICT_INVALID);
	assert_string_equal(uc_verify_lead(&vr)->name, "status");
}

/* Big-endian N bytes of V at P (docs/status-list.md). */
static void
be(uint8_t *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/*
 * A status list as docs/status-list.md lays it out, signed by the
 * status-list signer of keys_dir: issuer 52, 16 serials, none revoked,
 * made at ISSUED with TTL seconds.
 */
static void
write_list(const char *path, int64_t issued, uint32_t ttl)
{
	uint8_t payload[128], bits[2] = { 0, 0 }, len4[4];
	uLongf zlen = sizeof(payload) - 32;
	struct uc_signer *sl = NULL;
	struct uc_buf sig = UC_BUF_INIT;
	struct uc_diag d;
	char key[512];
	FILE *f;

	memcpy(payload, "UCSL", 4);
	payload[4] = 1;
	payload[5] = 0;
	be(payload + 6, 52, 2);
	be(payload + 8, (uint64_t)issued, 8);
	be(payload + 16, ttl, 4);
	be(payload + 20, 16, 8);
	assert_int_equal(compress2(payload + 32, &zlen, bits, sizeof(bits),
	    9), Z_OK);
	be(payload + 28, zlen, 4);
	snprintf(key, sizeof(key), "%s/status-list.key", keys_dir);
	assert_int_equal(uc_signer_open(key, PASS, &sl, &d), 0);
	assert_int_equal(uc_sign_detached(sl, payload, 32 + zlen, &sig), 0);
	be(len4, sig.len, 4);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(payload, 1, 32 + zlen, f), 32 + zlen);
	assert_int_equal(fwrite(len4, 1, 4, f), 4);
	assert_int_equal(fwrite(sig.data, 1, sig.len, f), sig.len);
	assert_int_equal(fclose(f), 0);
	uc_buf_free(&sig);
	uc_signer_free(&sl);
}

/* A status list from the future, or stale: its times in the reason,
 * and the card "could not check"; inside its window: valid. */
static void
test_status_list_times(void **state)
{
	char path[512], list[600], why[UC_DIAG_MSG_MAX];
	struct uc_verify_status_list *l = NULL;
	struct uc_member m;
	struct uc_perso_result pr;
	struct uc_verify_result vr;
	struct uc_transport *t = NULL;
	struct uc_verify_opts o;
	struct uc_diag d;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	new_card(path, sizeof(path), "listed");
	member(&m, "52000012345", "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	snprintf(m.card_serial, sizeof(m.card_serial), "52000000007");
	assert_int_equal(perso(path, &m, &master, &pr), 0);
	snprintf(list, sizeof(list), "%s.usl", path);

	write_list(list, now + 3600, 86400);
	assert_int_equal(uc_verify_status_list_load(list, trust, 0, &l, &d),
	    UC_ERR_VERIFY);
	assert_null(l);
	assert_non_null(strstr(d.msg, "from the future: made "));
	assert_non_null(strstr(d.msg, "valid until "));
	snprintf(why, sizeof(why), "%s", d.msg);
	memset(&o, 0, sizeof(o));
	o.trust = trust;
	o.status = uc_verify_status_unusable;
	o.status_ctx = why;
	snprintf(rig.path, sizeof(rig.path), "%s", path);
	assert_int_equal(uc_transport_open("rig:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	assert_int_equal(uc_verify_card(t, &o, &vr, &d), 0);
	uc_transport_free(&t);
	assert_int_equal(vr.verdict, UC_VERDICT_COULD_NOT_CHECK);
	assert_string_equal(uc_verify_lead(&vr)->name, "status");
	assert_non_null(strstr(uc_verify_lead(&vr)->detail, "from the future"));

	write_list(list, now - 2 * 86400, 86400);
	assert_int_equal(uc_verify_status_list_load(list, trust, 0, &l, &d),
	    UC_ERR_VERIFY);
	assert_non_null(strstr(d.msg, "out of date: made "));
	assert_non_null(strstr(d.msg, ", expired "));

	write_list(list, now - 60, 86400);
	assert_int_equal(uc_verify_status_list_load(list, trust, 0, &l, &d),
	    0);
	o.status = uc_verify_status_list_lookup;
	o.status_ctx = l;
	assert_int_equal(uc_transport_open("rig:x", &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	assert_int_equal(uc_verify_card(t, &o, &vr, &d), 0);
	uc_transport_free(&t);
	assert_int_equal(vr.verdict, UC_VERDICT_VALID);
	uc_verify_status_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perso_then_verify),
		cmocka_unit_test(test_wrong_master_key),
		cmocka_unit_test(test_wrong_enc_key),
		cmocka_unit_test(test_wrong_enc_key_first_write),
		cmocka_unit_test(test_tampered_identity),
		cmocka_unit_test(test_tampered_secobj),
		cmocka_unit_test(test_tampered_pubkey),
		cmocka_unit_test(test_swapped_object),
		cmocka_unit_test(test_foreign_root),
		cmocka_unit_test(test_expired_signer_and_card),
		cmocka_unit_test(test_revoked_signer),
		cmocka_unit_test(test_clone_state_file),
		cmocka_unit_test(test_clone_emulator),
		cmocka_unit_test(test_hostile_cards),
		cmocka_unit_test(test_blank_card_is_invalid),
		cmocka_unit_test(test_verdict_classes),
		cmocka_unit_test(test_status_list_times),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
