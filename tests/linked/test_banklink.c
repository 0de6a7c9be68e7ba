/*
 * test_banklink.c - linked cards through the engine, in process on the
 * virtual card: personalization binds the union applet to the bank card
 * (E3), returns only the last four digits and the bank-link HMAC of the
 * PAN, and never lets the PAN into the trace; the verifier's bank_link
 * check passes on the card as issued and fails when the union applet's
 * data is moved onto another bank card.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "unioncard/bankfile.h"
#include "unioncard/date.h"
#include "unioncard/dataobj.h"
#include "unioncard/keys.h"
#include "unioncard/member.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"
#include "unioncard/verify.h"

#define PASS "linked test passphrase"
#define PAN "9704151234567890"
#define OTHER_PAN "9704159876543210"

static const uint8_t bank_key[32] = "bank-link key for the test suite";

static char tmp[256], keys_dir[300];
static struct uc_scp03_keys master;
static struct uc_signer *signer;
static struct uc_trust *trust;

static void
day_plus(int n, char out[9])
{
	char iso[UC_DATE_ISO_LEN + 1];

	assert_int_equal(uc_date_format_iso(uc_date_today_vn() + n, iso), 0);
	snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

static void
member(struct uc_member *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->member_code, "52000012345");
	strcpy(m->full_name, "Hu\xe1\xbb\xb3nh L\xc3\xaa Di\xe1\xbb\x85m "
	    "Tuy\xe1\xba\xbft");
	strcpy(m->unit_code, "BD.QN.THPT-001");
	strcpy(m->unit_name, "C\xc3\xb4ng \xc4\x91o\xc3\xa0n");
	m->card_type = type;
	day_plus(0, m->issued_on);
	day_plus(5 * 365, m->expires_on);
}

static int
setup(void **state)
{
	struct uc_keys_scp_master km;
	struct uc_diag d;
	char path[400];

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/uc-banklink-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", tmp);
	if (uc_keys_init(keys_dir, PASS, NULL, &d) != 0 ||
	    uc_keys_load_scp_master(keys_dir, PASS, &km, &d) != 0)
		return -1;
	memcpy(master.enc, km.enc, 16);
	memcpy(master.mac, km.mac, 16);
	memcpy(master.dek, km.dek, 16);
	master.kvn = km.kvn;
	snprintf(path, sizeof(path), "%s/signers/station-01.key", keys_dir);
	if (uc_signer_open(path, PASS, &signer, &d) != 0 ||
	    uc_trust_new(&trust) != 0 ||
	    uc_trust_load_dir(trust, keys_dir, &d) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	uc_signer_free(&signer);
	uc_trust_free(&trust);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void
new_card(char *path, size_t cap, const char *name, uint8_t last,
    const char *pan)
{
	struct uc_vcard_new_opts o;
	uint8_t serial[8] = { 0x55, 0x43, 0x4C, 0x4B, 0, 0, 0, 0 };

	serial[7] = last;
	snprintf(path, cap, "%s/%s.json", tmp, name);
	memset(&o, 0, sizeof(o));
	o.serial = serial;
	o.master_enc = master.enc;
	o.master_mac = master.mac;
	o.master_dek = master.dek;
	o.key_version = master.kvn;
	o.linked = pan != NULL;
	o.pan = pan;
	o.expiry_yymm = pan != NULL ? "3012" : NULL;
	assert_int_equal(uc_vcard_create(path, &o), 0);
}

static int
perso(const char *path, const struct uc_member *m, const char *expect_pan,
    const char *trace_path, struct uc_perso_result *res, struct uc_diag *d)
{
	struct uc_transport *t = NULL;
	struct uc_trace *tr = NULL;
	struct uc_perso_keys k;
	char name[600];
	int r;

	snprintf(name, sizeof(name), "vcard:%s", path);
	assert_int_equal(uc_transport_open(name, &t), 0);
	if (trace_path != NULL) {
		assert_int_equal(uc_trace_open(trace_path, &tr), 0);
		uc_transport_set_trace(t, tr);
	}
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	memset(&k, 0, sizeof(k));
	k.scp_master = &master;
	k.signer = signer;
	k.pan = expect_pan;
	k.bank_link_key = bank_key;
	k.bank_link_key_len = sizeof(bank_key);
	r = uc_perso_card(t, m, &k, res, d);
	uc_transport_free(&t);
	uc_trace_free(&tr);
	return r;
}

static int
verify(const char *path, struct uc_verify_result *res)
{
	struct uc_transport *t = NULL;
	struct uc_verify_opts o;
	struct uc_diag d;
	char name[600];
	int r;

	snprintf(name, sizeof(name), "vcard:%s", path);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	memset(&o, 0, sizeof(o));
	o.trust = trust;
	r = uc_verify_card(t, &o, res, &d);
	uc_transport_free(&t);
	for (size_t i = 0; r == 0 && !res->valid && i < res->n_checks; i++)
		if (!res->checks[i].ok)
			fprintf(stderr, "# %s: %s\n", res->checks[i].name,
			    res->checks[i].detail);
	return r;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
t_perso_linked(void **state)
{
	char path[400], tpath[400];
	struct uc_perso_result res;
	struct uc_verify_result vr;
	struct uc_member m;
	struct uc_vcard *c = NULL;
	struct uc_buf e3 = UC_BUF_INIT;
	struct uc_diag d;
	uint8_t want_hmac[32], serial[8], bind[32];
	const struct uc_verify_check *bl;
	char *text;

	(void)state;
	new_card(path, sizeof(path), "linked", 1, PAN);
	snprintf(tpath, sizeof(tpath), "%s/perso.trace", tmp);
	member(&m, UC_CARD_TYPE_LINKED);
	assert_int_equal(perso(path, &m, NULL, tpath, &res, &d), 0);
	assert_int_equal(res.stage, UC_PERSO_STAGE_DONE);
	/* What the ledger gets: the last four and the HMAC, no PAN. */
	assert_true(res.linked);
	assert_string_equal(res.pan_last4, "7890");
	assert_true(res.have_pan_hmac);
	assert_int_equal(uc_bank_pan_hmac(bank_key, sizeof(bank_key), PAN,
	    strlen(PAN), want_hmac), 0);
	assert_memory_equal(res.pan_hmac, want_hmac, 32);
	assert_null(memmem(&res, sizeof(res), PAN, strlen(PAN)));
	assert_int_equal(res.bank_aid_len, 7);
	/* The card: E3 { C8 binding(serial, PAN), C9 NAPAS AID }. */
	assert_int_equal(uc_vcard_load(path, &c, NULL), 0);
	assert_string_equal(uc_vcard_lifecycle(c), "PERSONALIZED");
	uc_vcard_serial(c, serial);
	assert_int_equal(uc_vcard_object(c, 0xE3, &e3), 0);
	uc_vcard_free(&c);
	assert_int_equal(uc_dataobj_pan_binding(serial, PAN, bind), 0);
	assert_int_equal(e3.len, 2 + 2 + 32 + 2 + 7);
	assert_memory_equal(e3.data, "\xE3\x2B\xC8\x20", 4);
	assert_memory_equal(e3.data + 4, bind, 32);
	assert_memory_equal(e3.data + 36, "\xC9\x07\xA0\x00\x00\x07\x27\x10"
	    "\x10", 9);
	uc_buf_free(&e3);
	/* The trace shows the bank commands, never the PAN. */
	text = slurp(tpath);
	assert_non_null(strstr(text, "> 00B2010C00"));
	assert_null(strstr(text, PAN));
	assert_null(strstr(text, "3456789"));
	free(text);
	/* The verifier: valid, bank_link ok. */
	assert_int_equal(verify(path, &vr), 0);
	bl = uc_verify_find(&vr, "bank_link");
	assert_non_null(bl);
	assert_true(bl->ok);
	assert_true(vr.valid);
	assert_int_equal(vr.n_checks, 8);
}

/*
 * The union applet's data (serial, keys, objects, its chip key) moved
 * onto a bank card with another PAN: every union check passes, bank_link
 * does not.
 */
static void
t_moved(void **state)
{
	char path[400], moved[400];
	struct uc_perso_result res;
	struct uc_verify_result vr;
	struct uc_member m;
	struct uc_diag d;
	const struct uc_verify_check *bl;
	json_t *root;
	json_error_t je;
	size_t i;

	(void)state;
	new_card(path, sizeof(path), "issued", 2, PAN);
	member(&m, UC_CARD_TYPE_LINKED);
	assert_int_equal(perso(path, &m, NULL, NULL, &res, &d), 0);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	assert_int_equal(json_object_set_new(json_object_get(root, "linked"),
	    "pan", json_string(OTHER_PAN)), 0);
	snprintf(moved, sizeof(moved), "%s/moved.json", tmp);
	assert_int_equal(json_dump_file(root, moved, JSON_INDENT(2)), 0);
	json_decref(root);
	assert_int_equal(verify(moved, &vr), 0);
	assert_false(vr.valid);
	for (i = 0; i < vr.n_checks; i++)
		if (strcmp(vr.checks[i].name, "bank_link") != 0)
			assert_true(vr.checks[i].ok);
	bl = uc_verify_find(&vr, "bank_link");
	assert_non_null(bl);
	assert_false(bl->ok);
	assert_non_null(strstr(bl->detail, "union applet is not on the bank "
	    "card it was issued with"));
	assert_null(strstr(bl->detail, "9704"));
	/* The original still verifies. */
	assert_int_equal(verify(path, &vr), 0);
	assert_true(vr.valid);
}

/* A regular card lists no bank_link check. */
static void
t_regular(void **state)
{
	char path[400];
	struct uc_perso_result res;
	struct uc_verify_result vr;
	struct uc_member m;
	struct uc_diag d;

	(void)state;
	new_card(path, sizeof(path), "regular", 3, NULL);
	member(&m, UC_CARD_TYPE_REGULAR);
	assert_int_equal(perso(path, &m, NULL, NULL, &res, &d), 0);
	assert_false(res.linked);
	assert_int_equal(verify(path, &vr), 0);
	assert_true(vr.valid);
	assert_null(uc_verify_find(&vr, "bank_link"));
}

static void
t_refusals(void **state)
{
	char path[400];
	struct uc_perso_result res;
	struct uc_member m;
	struct uc_diag d;
	struct uc_vcard *c = NULL;

	(void)state;
	member(&m, UC_CARD_TYPE_LINKED);
	/* A linked member on a regular card. */
	new_card(path, sizeof(path), "plain", 4, NULL);
	assert_int_equal(perso(path, &m, NULL, NULL, &res, &d),
	    UC_ERR_INVALID);
	/* The PAN given is not the card's: nothing written, and the
	 * message names neither. */
	new_card(path, sizeof(path), "mismatch", 5, PAN);
	assert_int_equal(perso(path, &m, OTHER_PAN, NULL, &res, &d),
	    UC_ERR_INVALID);
	assert_null(strstr(d.msg, "9704"));
	assert_false(res.have_pan_hmac);
	assert_int_equal(uc_vcard_load(path, &c, NULL), 0);
	assert_string_equal(uc_vcard_lifecycle(c), "BLANK");
	uc_vcard_free(&c);
	/* The same PAN given: fine. */
	assert_int_equal(perso(path, &m, PAN, NULL, &res, &d), 0);
	assert_string_equal(res.pan_last4, "7890");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_perso_linked),
		cmocka_unit_test(t_moved),
		cmocka_unit_test(t_regular),
		cmocka_unit_test(t_refusals),
	};

	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
