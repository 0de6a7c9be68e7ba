/*
 * test_signing.c - the key hierarchy, signers, the security object, the
 * detached status-list signature and active authentication, checked from
 * the outside: with OpenSSL's own verifier where it can say yes or no, and
 * with every failure the field officer must see reported by the right
 * check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "unioncard/aa.h"
#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"

#define PASS "correct horse battery"

static char tmp[256];
static char dir_a[300], dir_b[300];

static const uint8_t serial1[8] = { 0x04, 0x11, 0x22, 0x33, 0x44, 0x55,
	0x66, 0x77 };
static const uint8_t serial2[8] = { 0x04, 0x99, 0x88, 0x77, 0x66, 0x55,
	0x44, 0x33 };

/* A card's objects: identity, public key, bank link (complete TLVs). */
struct card {
	uint8_t e1[64], e2[72], e3[48];
	size_t e1_len, e2_len, e3_len;
	struct uc_secobj_item items[3];
};

static void
make_card(struct card *c, const uint8_t *serial, const char *name)
{
	size_t n = strlen(name), i;

	/* E1 { C1 name, C7 serial } */
	c->e1[0] = 0xE1;
	c->e1[1] = (uint8_t)(2 + n + 10);
	c->e1[2] = 0xC1;
	c->e1[3] = (uint8_t)n;
	memcpy(c->e1 + 4, name, n);
	c->e1[4 + n] = 0xC7;
	c->e1[5 + n] = 8;
	memcpy(c->e1 + 6 + n, serial, 8);
	c->e1_len = 14 + n;
	/* E2 { 86 04 X Y } (a made-up point; only hashed here) */
	c->e2[0] = 0xE2;
	c->e2[1] = 67;
	c->e2[2] = 0x86;
	c->e2[3] = 65;
	c->e2[4] = 0x04;
	for (i = 0; i < 64; i++)
		c->e2[5 + i] = (uint8_t)(serial[7] + i);
	c->e2_len = 69;
	/* E3 { C8 32 bytes } */
	c->e3[0] = 0xE3;
	c->e3[1] = 34;
	c->e3[2] = 0xC8;
	c->e3[3] = 32;
	for (i = 0; i < 32; i++)
		c->e3[4 + i] = (uint8_t)(serial[1] ^ i);
	c->e3_len = 36;
	/* Deliberately out of order: create must sort. */
	c->items[0] = (struct uc_secobj_item){ 0xE3, c->e3, c->e3_len };
	c->items[1] = (struct uc_secobj_item){ 0xE1, c->e1, c->e1_len };
	c->items[2] = (struct uc_secobj_item){ 0xE2, c->e2, c->e2_len };
}

static struct uc_signer *
open_signer(const char *dir, const char *rel)
{
	char path[512];
	struct uc_signer *s = NULL;
	struct uc_diag d;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	uc_diag_clear(&d);
	assert_int_equal(uc_signer_open(path, PASS, &s, &d), 0);
	assert_non_null(s);
	return s;
}

static struct uc_trust *
trust_of(const char *dir)
{
	struct uc_trust *t = NULL;

	assert_int_equal(uc_trust_new(&t), 0);
	assert_int_equal(uc_trust_load_dir(t, dir, NULL), 0);
	return t;
}

static void
sign_card(struct uc_signer *s, const uint8_t *serial, struct card *c,
    struct uc_buf *der)
{
	assert_int_equal(uc_secobj_create(s, serial, c->items, 3, der), 0);
	assert_true(der->len > 100 && der->len <= UC_SECOBJ_MAX);
}

static int
group_setup(void **state)
{
	struct uc_keys_opts o;
	struct uc_diag d;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/uc-signing-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(dir_a, sizeof(dir_a), "%s/a", tmp);
	snprintf(dir_b, sizeof(dir_b), "%s/b", tmp);
	memset(&o, 0, sizeof(o));
	o.station = "hanoi-01";
	uc_diag_clear(&d);
	if (uc_keys_init(dir_a, PASS, &o, &d) != 0) {
		fprintf(stderr, "init: %s\n", d.msg);
		return -1;
	}
	o.station = "foreign-01";
	o.flags = UC_KEYS_SCP_ENCRYPT;
	if (uc_keys_init(dir_b, PASS, &o, &d) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static X509 *
read_cert(const char *dir, const char *rel)
{
	char path[512];
	FILE *f;
	X509 *x;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

/* OpenSSL's verifier, independent of ours. */
static int
openssl_verifies(X509 *root, X509 *leaf)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	X509_STORE_add_cert(st, root);
	X509_STORE_CTX_init(ctx, st, leaf, NULL);
	ok = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return ok;
}

static int
has_eku(X509 *x, const char *oid)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
	    NULL);
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i, found = 0;

	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
		found |= OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), o) == 0;
	EXTENDED_KEY_USAGE_free(eku);
	ASN1_OBJECT_free(o);
	return found;
}

static void
test_hierarchy(void **state)
{
	X509 *root = read_cert(dir_a, "root.pem");
	X509 *doc = read_cert(dir_a, "signers/hanoi-01.pem");
	X509 *sl = read_cert(dir_a, "status-list.pem");
	X509 *foreign = read_cert(dir_b, "signers/foreign-01.pem");
	BASIC_CONSTRAINTS *bc;

	(void)state;
	assert_int_equal(X509_get_version(root), X509_VERSION_3);
	assert_int_equal(X509_check_ca(root), 1);
	bc = X509_get_ext_d2i(root, NID_basic_constraints, NULL, NULL);
	assert_non_null(bc);
	assert_true(bc->ca);
	assert_int_equal(ASN1_INTEGER_get(bc->pathlen), 0);
	BASIC_CONSTRAINTS_free(bc);
	assert_int_equal(X509_get_key_usage(root), KU_KEY_CERT_SIGN |
	    KU_CRL_SIGN);
	assert_int_equal(X509_self_signed(root, 1), 1);

	assert_int_equal(openssl_verifies(root, doc), 1);
	assert_int_equal(openssl_verifies(root, sl), 1);
	assert_int_equal(openssl_verifies(root, foreign), 0);
	assert_int_equal(X509_check_ca(doc), 0);
	assert_int_equal(X509_get_key_usage(doc), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_key_usage(sl), KU_DIGITAL_SIGNATURE);
	assert_true(has_eku(doc, UC_OID_EKU_DOCUMENT_SIGNER));
	assert_false(has_eku(doc, UC_OID_EKU_STATUS_LIST_SIGNER));
	assert_true(has_eku(sl, UC_OID_EKU_STATUS_LIST_SIGNER));
	assert_false(has_eku(sl, UC_OID_EKU_DOCUMENT_SIGNER));
	/* Signs for three years, plus a card's five (keys/README.md,
	 * "Lifetimes"), to the day; the status-list signer three years
	 * plus a list's longest life. */
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(doc),
	    time(NULL) + (UC_KEYS_SIGNER_DAYS - 1L) * 86400), 1);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(doc),
	    time(NULL) + (UC_KEYS_SIGNER_DAYS + 1L) * 86400), -1);
	assert_int_equal(UC_KEYS_SIGNER_DAYS, 1095 + 1827);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(sl),
	    time(NULL) + (1095L + 366 + 1) * 86400), -1);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(sl),
	    time(NULL) + (1095L + 366 - 1) * 86400), 1);
	X509_free(root);
	X509_free(doc);
	X509_free(sl);
	X509_free(foreign);
}

static void
test_private_keys_encrypted(void **state)
{
	const char *rel[] = { "root.key", "signers/hanoi-01.key",
		"status-list.key" };
	char path[512], line[64];
	struct stat stt;
	EVP_PKEY *k = NULL;
	size_t i;
	FILE *f;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir_a, rel[i]);
		assert_int_equal(stat(path, &stt), 0);
		assert_int_equal(stt.st_mode & 0777, 0600);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		assert_string_equal(line,
		    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
		assert_int_equal(uc_keys_load_private(path, NULL, &k, NULL),
		    UC_ERR_PASSPHRASE);
		assert_null(k);
		assert_int_equal(uc_keys_load_private(path, "wrong horse",
		    &k, NULL), UC_ERR_PASSPHRASE);
		assert_null(k);
		assert_int_equal(uc_keys_load_private(path, PASS, &k, NULL),
		    0);
		assert_non_null(k);
		EVP_PKEY_free(k);
		k = NULL;
	}
	snprintf(path, sizeof(path), "%s/signers/hanoi-01.key", dir_a);
	{
		struct uc_signer *s = NULL;

		assert_int_equal(uc_signer_open(path, "wrong horse", &s, NULL),
		    UC_ERR_PASSPHRASE);
		assert_null(s);
	}
}

static void
test_init_refuses(void **state)
{
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_keys_init(dir_a, PASS, NULL, &d), UC_ERR_EXISTS);
	assert_int_equal(uc_keys_new_signer(dir_a, "hanoi-01", PASS, NULL, &d),
	    UC_ERR_EXISTS);
	assert_int_equal(uc_keys_new_signer(dir_a, "../evil", PASS, NULL, &d),
	    UC_ERR_INVALID);
	assert_int_equal(uc_keys_new_signer(dir_a, "st-x", "wrong horse", NULL,
	    &d), UC_ERR_PASSPHRASE);
	assert_int_equal(uc_keys_init("/nonexistent/x", "short", NULL, &d),
	    UC_ERR_PASSPHRASE);
}

static void
test_scp_master(void **state)
{
	struct uc_keys_scp_master k, k2;
	char path[512], text[512];
	size_t n;
	FILE *f;

	(void)state;
	assert_int_equal(uc_keys_load_scp_master(dir_a, NULL, &k, NULL), 0);
	assert_int_equal(k.kvn, 48);
	snprintf(path, sizeof(path), "%s/scp-master.json", dir_a);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "\"kvn\": 48"));
	assert_true(strlen(text) > 3 * 32);
	/* Encrypted form: right passphrase yes, wrong no. */
	assert_int_equal(uc_keys_load_scp_master(dir_b, PASS, &k2, NULL), 0);
	assert_int_equal(k2.kvn, 48);
	assert_true(memcmp(k.enc, k2.enc, 16) != 0);
	assert_int_equal(uc_keys_load_scp_master(dir_b, "wrong horse", &k2,
	    NULL), UC_ERR_PASSPHRASE);
	assert_int_equal(uc_keys_load_scp_master(dir_b, NULL, &k2, NULL),
	    UC_ERR_PASSPHRASE);
	snprintf(path, sizeof(path), "%s/scp-master.json", dir_b);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void
test_roundtrip(void **state)
{
	struct uc_signer *s = open_signer(dir_a, "signers/hanoi-01.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct uc_diag d;
	struct card c;
	uint8_t md[32];

	(void)state;
	make_card(&c, serial1, "Nguyen Van A");
	assert_string_equal(uc_signer_station_ptr(s), "hanoi-01");
	assert_string_equal(uc_signer_kind(s), "file");
	sign_card(s, serial1, &c, &der);
	uc_diag_clear(&d);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, &d), 0);
	assert_int_equal(res.hashes, UC_CHECK_PASS);
	assert_int_equal(res.signature, UC_CHECK_PASS);
	assert_int_equal(res.chain, UC_CHECK_PASS);
	assert_true(res.crl_checked);
	assert_string_equal(uc_secobj_result_station(&res), "hanoi-01");
	assert_int_equal(res.n_hashes, 3);
	assert_int_equal(res.hashes_listed[0].tag, 0xE1);
	assert_int_equal(res.hashes_listed[2].tag, 0xE3);
	EVP_Digest(c.e2, c.e2_len, md, NULL, EVP_sha256(), NULL);
	assert_memory_equal(uc_secobj_result_hash(&res, 0xE2), md, 32);
	assert_null(uc_secobj_result_hash(&res, 0xE5));
	assert_true(res.signing_time > time(NULL) - 600);
	/* The EF object itself among the objects read is ignored. */
	{
		struct uc_secobj_item all[4];
		struct uc_buf ef = UC_BUF_INIT;

		assert_int_equal(uc_buf_append_byte(&ef, 0xEF), 0);
		assert_int_equal(uc_buf_append_byte(&ef, 0x82), 0);
		assert_int_equal(uc_buf_append_u16(&ef, (uint16_t)der.len), 0);
		assert_int_equal(uc_buf_append(&ef, der.data, der.len), 0);
		memcpy(all, c.items, sizeof(c.items));
		all[3] = (struct uc_secobj_item){ 0xEF, ef.data, ef.len };
		assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, all,
		    4, serial1, &res, &d), 0);
		uc_buf_free(&ef);
	}
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
	assert_null(s);
}

static void
test_flipped_object_bits(void **state)
{
	struct uc_signer *s = open_signer(dir_a, "signers/hanoi-01.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;
	size_t o, bit;
	char want[64];

	(void)state;
	make_card(&c, serial1, "Tran Thi B");
	sign_card(s, serial1, &c, &der);
	for (o = 0; o < 3; o++) {
		uint8_t *p = o == 0 ? c.e3 : o == 1 ? c.e1 : c.e2;

		/* Every bit after the tag byte: length and contents. */
		for (bit = 8; bit < c.items[o].tlv_len * 8; bit++) {
			p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(uc_secobj_verify(der.data, der.len, t,
			    0, c.items, 3, serial1, &res, NULL),
			    UC_ERR_VERIFY);
			p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(res.hashes, UC_CHECK_FAIL);
			assert_int_equal(res.signature, UC_CHECK_PASS);
			assert_int_equal(res.chain, UC_CHECK_PASS);
			snprintf(want, sizeof(want), "object %02X hash mismatch",
			    c.items[o].tag);
			assert_string_equal(res.hashes_detail, want);
		}
	}
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static void
test_flip_every_bit_of_secobj(void **state)
{
	struct uc_signer *s = open_signer(dir_a, "signers/hanoi-01.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;
	/* The sanitizer build (UC_TEST_SAMPLE=1) flips every fifth bit; the
	 * normal build flips them all. */
	const char *sample = getenv("UC_TEST_SAMPLE");
	size_t step = sample != NULL && strcmp(sample, "1") == 0 ? 5 : 1;
	size_t bit, invalid = 0, failed = 0;
	int r;

	(void)state;
	make_card(&c, serial1, "Le Van C");
	sign_card(s, serial1, &c, &der);
	for (bit = 0; bit < der.len * 8; bit += step) {
		der.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		r = uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
		    serial1, &res, NULL);
		der.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (r == 0)
			fail_msg("bit %zu of %zu flipped and still verifies",
			    bit, der.len * 8);
		assert_true(r == UC_ERR_VERIFY || r == UC_ERR_INVALID);
		if (r == UC_ERR_INVALID)
			invalid++;
		else
			failed++;
	}
	/* Both kinds happen: structure refused, and checks failing. */
	assert_true(invalid > 0 && failed > 0);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), 0);
	/* Truncations and trailing bytes. */
	for (bit = 0; bit < der.len; bit++)
		assert_int_equal(uc_secobj_verify(der.data, bit, t, 0, c.items,
		    3, serial1, &res, NULL), UC_ERR_INVALID);
	assert_int_equal(uc_buf_append_byte(&der, 0), 0);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), UC_ERR_INVALID);
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static void
test_swapped_and_missing_objects(void **state)
{
	struct uc_signer *s = open_signer(dir_a, "signers/hanoi-01.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der1 = UC_BUF_INIT, der2 = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct uc_secobj_item mix[3], extra[4];
	struct card c1, c2;
	uint8_t e5[4] = { 0xE5, 0x02, 0xC0, 0x01 };

	(void)state;
	make_card(&c1, serial1, "Pham Van D");
	make_card(&c2, serial2, "Hoang Thi E");
	sign_card(s, serial1, &c1, &der1);
	sign_card(s, serial2, &c2, &der2);
	/* Card 1 with card 2's (validly signed) identity swapped in. */
	memcpy(mix, c1.items, sizeof(mix));
	mix[1] = c2.items[1];
	assert_int_equal(uc_secobj_verify(der1.data, der1.len, t, 0, mix, 3,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.hashes, UC_CHECK_FAIL);
	assert_string_equal(res.hashes_detail, "object E1 hash mismatch");
	assert_int_equal(res.signature, UC_CHECK_PASS);
	/* Card 2's whole record copied onto card 1's chip. */
	assert_int_equal(uc_secobj_verify(der2.data, der2.len, t, 0, c2.items,
	    3, serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.hashes, UC_CHECK_FAIL);
	assert_non_null(strstr(res.hashes_detail, "is for card 0499887766"));
	/* An object missing, an object not listed. */
	assert_int_equal(uc_secobj_verify(der1.data, der1.len, t, 0, c1.items,
	    2, serial1, &res, NULL), UC_ERR_VERIFY);
	assert_string_equal(res.hashes_detail,
	    "object E2 listed but missing from the card");
	memcpy(extra, c1.items, sizeof(c1.items));
	extra[3] = (struct uc_secobj_item){ 0xE5, e5, sizeof(e5) };
	assert_int_equal(uc_secobj_verify(der1.data, der1.len, t, 0, extra, 4,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_string_equal(res.hashes_detail,
	    "object E5 not covered by the security object");
	uc_buf_free(&der1);
	uc_buf_free(&der2);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static void
test_foreign_root(void **state)
{
	struct uc_signer *s = open_signer(dir_b, "signers/foreign-01.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;

	(void)state;
	make_card(&c, serial1, "Vo Van F");
	sign_card(s, serial1, &c, &der);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.hashes, UC_CHECK_PASS);
	assert_int_equal(res.signature, UC_CHECK_PASS);
	assert_int_equal(res.chain, UC_CHECK_FAIL);
	assert_string_equal(res.chain_detail,
	    "signed by a root we do not trust");
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static void
test_expired_signer(void **state)
{
	struct uc_keys_opts o;
	struct uc_signer *s;
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;
	struct tm tm;
	char want[64];
	time_t nb = time(NULL) - 4L * 365 * 86400, na = nb + 365L * 86400;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.not_before = nb;
	o.signer_days = 365;
	assert_int_equal(uc_keys_new_signer(dir_a, "old-station", PASS, &o,
	    NULL), 0);
	s = open_signer(dir_a, "signers/old-station.key");
	make_card(&c, serial1, "Dang Van G");
	sign_card(s, serial1, &c, &der);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.signature, UC_CHECK_PASS);
	assert_int_equal(res.chain, UC_CHECK_FAIL);
	gmtime_r(&na, &tm);
	snprintf(want, sizeof(want), "signer certificate expired on "
	    "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_string_equal(res.chain_detail, want);
	/* At a time inside its validity (and the root's) it was fine. */
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static int access_file(const char *dir, const char *name);

/* Nothing outlives its signer (keys/README.md, "Lifetimes"). */
static void
test_lifetimes(void **state)
{
	struct uc_keys_opts o;
	struct uc_signer *s;
	struct uc_diag d;
	time_t ends;

	(void)state;
	/* A signer that would end after the root: refused, nothing written. */
	memset(&o, 0, sizeof(o));
	o.signer_days = UC_KEYS_ROOT_DAYS + 30;
	assert_int_equal(uc_keys_new_signer(dir_a, "too-long", PASS, &o, &d),
	    UC_ERR_KEY);
	assert_non_null(strstr(d.msg, "must not outlive its root"));
	assert_int_equal(access_file(dir_a, "signers/too-long.pem"), 0);
	/* A 1-year signer covers what ends within its year, nothing after. */
	memset(&o, 0, sizeof(o));
	o.signer_days = 365;
	assert_int_equal(uc_keys_new_signer(dir_a, "short-lived", PASS, &o,
	    NULL), 0);
	s = open_signer(dir_a, "signers/short-lived.key");
	ends = time(NULL) + 365L * 86400;
	assert_int_equal(uc_signer_check_until(s, ends - 86400, "x", &d), 0);
	assert_int_equal(uc_signer_check_until(s, ends + 86400,
	    "a card expiring 2099-01-01", &d), UC_ERR_KEY);
	assert_non_null(strstr(d.msg, "short-lived signer's certificate ends "
	    "on"));
	assert_non_null(strstr(d.msg, "before a card expiring 2099-01-01"));
	uc_signer_free(&s);
}

static int
access_file(const char *dir, const char *name)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((f = fopen(p, "rb")) == NULL)
		return 0;
	fclose(f);
	return 1;
}

static void
test_revoked_signer(void **state)
{
	struct uc_signer *s;
	struct uc_trust *t;
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;
	struct uc_cert_info *info = NULL;
	size_t n = 0, i;
	int seen = 0;

	(void)state;
	assert_int_equal(uc_keys_new_signer(dir_a, "lost-laptop", PASS, NULL,
	    NULL), 0);
	s = open_signer(dir_a, "signers/lost-laptop.key");
	make_card(&c, serial1, "Bui Thi H");
	sign_card(s, serial1, &c, &der);
	t = trust_of(dir_a);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), 0);
	uc_trust_free(&t);
	assert_int_equal(uc_keys_revoke_signer(dir_a, "lost-laptop", PASS,
	    NULL), 0);
	assert_int_equal(uc_keys_revoke_signer(dir_a, "lost-laptop", PASS,
	    NULL), UC_ERR_EXISTS);
	t = trust_of(dir_a);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.signature, UC_CHECK_PASS);
	assert_int_equal(res.hashes, UC_CHECK_PASS);
	assert_int_equal(res.chain, UC_CHECK_FAIL);
	assert_string_equal(res.chain_detail, "signer revoked");
	/* Other stations are unaffected. */
	uc_signer_free(&s);
	s = open_signer(dir_a, "signers/hanoi-01.key");
	sign_card(s, serial1, &c, &der);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), 0);
	/* And the listing says so. */
	assert_int_equal(uc_keys_list(dir_a, &info, &n, NULL), 0);
	assert_true(n >= 4);
	assert_int_equal(info[0].role, UC_CERT_ROOT);
	assert_int_equal(info[1].role, UC_CERT_STATUS_LIST);
	for (i = 0; i < n; i++) {
		if (strcmp(info[i].station, "lost-laptop") == 0) {
			assert_true(info[i].revoked);
			seen++;
		} else {
			assert_false(info[i].revoked);
		}
	}
	assert_int_equal(seen, 1);
	free(info);
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

/*
 * One trust store for a whole run remembers the signers it has judged
 * (trust.c): the remembered "valid" must hold only while it is true.  The
 * same card checked now, then at a time past the signer's end, then now
 * again, then after the signer's revocation reached the store: valid,
 * expired, valid, revoked.
 */
static void
test_trust_remembers_only_what_holds(void **state)
{
	struct uc_keys_opts o;
	struct uc_signer *s;
	struct uc_trust *t = NULL;
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;
	char path[1024];
	time_t later = time(NULL) + 400L * 86400;

	(void)state;
	/* The root alone: the revocation list comes later. */
	assert_int_equal(uc_trust_new(&t), 0);
	snprintf(path, sizeof(path), "%s/root.pem", dir_a);
	assert_int_equal(uc_trust_add_roots_file(t, path, NULL), 0);
	memset(&o, 0, sizeof(o));
	o.signer_days = 365;
	assert_int_equal(uc_keys_new_signer(dir_a, "memo-station", PASS, &o,
	    NULL), 0);
	s = open_signer(dir_a, "signers/memo-station.key");
	make_card(&c, serial1, "Ha Van K");
	sign_card(s, serial1, &c, &der);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), 0);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), 0);
	assert_int_equal(res.chain, UC_CHECK_PASS);
	/* Past the end of the signer: expired. */
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, later,
	    c.items, 3, serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.chain, UC_CHECK_FAIL);
	assert_non_null(strstr(res.chain_detail,
	    "signer certificate expired on"));
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), 0);
	assert_int_equal(uc_keys_revoke_signer(dir_a, "memo-station", PASS,
	    NULL), 0);
	snprintf(path, sizeof(path), "%s/root.crl", dir_a);
	assert_int_equal(uc_trust_add_crl_file(t, path, NULL), 0);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_string_equal(res.chain_detail, "signer revoked");
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static void
test_wrong_purpose(void **state)
{
	struct uc_signer *s = open_signer(dir_a, "status-list.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct card c;

	(void)state;
	assert_string_equal(uc_signer_station_ptr(s), "");
	make_card(&c, serial1, "Do Van I");
	sign_card(s, serial1, &c, &der);
	assert_int_equal(uc_secobj_verify(der.data, der.len, t, 0, c.items, 3,
	    serial1, &res, NULL), UC_ERR_VERIFY);
	assert_int_equal(res.chain, UC_CHECK_FAIL);
	assert_string_equal(res.chain_detail,
	    "signer certificate is not a document signer");
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
}

static void
test_detached(void **state)
{
	struct uc_signer *sl = open_signer(dir_a, "status-list.key");
	struct uc_signer *doc = open_signer(dir_a, "signers/hanoi-01.key");
	struct uc_trust *t = trust_of(dir_a);
	struct uc_buf sig = UC_BUF_INIT;
	struct uc_diag d;
	uint8_t data[] = "serial,status\n0411223344556677,revoked\n";
	size_t bit;

	(void)state;
	assert_int_equal(uc_sign_detached(sl, data, sizeof(data), &sig), 0);
	assert_int_equal(uc_verify_detached(sig.data, sig.len, data,
	    sizeof(data), t, 0, UC_PURPOSE_STATUS_LIST, &d), 0);
	uc_diag_clear(&d);
	assert_int_equal(uc_verify_detached(sig.data, sig.len, data,
	    sizeof(data), t, 0, UC_PURPOSE_DOCUMENT_SIGNER, &d),
	    UC_ERR_VERIFY);
	assert_non_null(strstr(d.msg, "not a document signer"));
	data[20] ^= 1;
	assert_int_equal(uc_verify_detached(sig.data, sig.len, data,
	    sizeof(data), t, 0, UC_PURPOSE_STATUS_LIST, &d), UC_ERR_VERIFY);
	data[20] ^= 1;
	for (bit = 0; bit < sig.len * 8; bit++) {
		sig.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(uc_verify_detached(sig.data, sig.len,
		    data, sizeof(data), t, 0, UC_PURPOSE_STATUS_LIST, NULL), 0);
		sig.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* A document signer cannot sign the status list. */
	assert_int_equal(uc_sign_detached(doc, data, sizeof(data), &sig), 0);
	assert_int_equal(uc_verify_detached(sig.data, sig.len, data,
	    sizeof(data), t, 0, UC_PURPOSE_STATUS_LIST, &d), UC_ERR_VERIFY);
	uc_buf_free(&sig);
	uc_trust_free(&t);
	uc_signer_free(&sl);
	uc_signer_free(&doc);
}

static void
test_sign_digest(void **state)
{
	struct uc_signer *s = open_signer(dir_a, "signers/hanoi-01.key");
	struct uc_buf sig = UC_BUF_INIT;
	uint8_t md[32];
	EVP_PKEY_CTX *ctx;

	(void)state;
	memset(md, 0x5A, sizeof(md));
	assert_int_equal(uc_signer_sign_digest(s, md, 32, &sig), 0);
	assert_int_equal(uc_signer_sign_digest(s, md, 20, &sig), UC_ERR_ARG);
	ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(uc_signer_cert_ptr(s)), NULL);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_int_equal(EVP_PKEY_verify(ctx, sig.data, sig.len, md, 32), 1);
	EVP_PKEY_CTX_free(ctx);
	uc_buf_free(&sig);
	uc_signer_free(&s);
}

static void
test_malformed(void **state)
{
	struct uc_trust *t = trust_of(dir_a);
	struct uc_secobj_result res;
	struct uc_diag d;
	uint8_t junk[UC_SECOBJ_MAX + 1];
	uint8_t ser[8] = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 3);
	uc_diag_clear(&d);
	assert_int_equal(uc_secobj_verify(junk, 100, t, 0, NULL, 0, ser, &res,
	    &d), UC_ERR_INVALID);
	assert_true(d.msg[0] != '\0');
	assert_int_equal(uc_secobj_verify(junk, sizeof(junk), t, 0, NULL, 0,
	    ser, &res, &d), UC_ERR_INVALID);
	junk[0] = 0x30;
	junk[1] = 0x82;
	junk[2] = 0xFF;
	junk[3] = 0xFF;
	assert_int_equal(uc_secobj_verify(junk, 300, t, 0, NULL, 0, ser, &res,
	    &d), UC_ERR_INVALID);
	assert_int_equal(uc_secobj_verify(junk, 0, t, 0, NULL, 0, ser, &res,
	    &d), UC_ERR_INVALID);
	uc_trust_free(&t);
}

/* ---- active authentication ---- */

static EVP_PKEY *
card_key(uint8_t point[65])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	size_t n = 0;

	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_PUB_KEY, point, 65, &n), 1);
	assert_int_equal(n, 65);
	return k;
}

static size_t
card_sign(EVP_PKEY *k, const uint8_t *ch, uint8_t *sig, size_t cap)
{
	struct uc_buf m = UC_BUF_INIT;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = cap;

	assert_int_equal(uc_aa_message(serial1, ch, &m), 0);
	assert_int_equal(m.len, UC_AA_MESSAGE_LEN);
	assert_memory_equal(m.data, "UNIONCARD-AA-v1", 15);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k),
	    1);
	assert_int_equal(EVP_DigestSign(md, sig, &n, m.data, m.len), 1);
	EVP_MD_CTX_free(md);
	uc_buf_free(&m);
	return n;
}

/* DER SEQUENCE { INTEGER r, INTEGER s } from raw INTEGER contents. */
static size_t
der_sig(uint8_t *out, const uint8_t *r, size_t rl, const uint8_t *s,
    size_t sl)
{
	size_t n = 0;

	out[n++] = 0x30;
	out[n++] = (uint8_t)(4 + rl + sl);
	out[n++] = 0x02;
	out[n++] = (uint8_t)rl;
	memcpy(out + n, r, rl);
	n += rl;
	out[n++] = 0x02;
	out[n++] = (uint8_t)sl;
	memcpy(out + n, s, sl);
	return n + sl;
}

static void
test_aa(void **state)
{
	static const uint8_t order[32] = {
		0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84,
		0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51 };
	uint8_t point[65], ch[32], ch2[32], sig[80], bad[80], n1[33];
	uint8_t zero = 0, one = 1, neg = 0x80;
	EVP_PKEY *k = card_key(point);
	size_t n, bn, bit;
	const uint8_t *r, *s;
	size_t rl, sl;

	(void)state;
	assert_int_equal(uc_aa_random_challenge(ch), 0);
	assert_int_equal(uc_aa_random_challenge(ch2), 0);
	assert_true(memcmp(ch, ch2, 32) != 0);
	n = card_sign(k, ch, sig, sizeof(sig));
	assert_int_equal(uc_aa_verify(point, serial1, ch, sig, n), 0);
	/* Another challenge, another serial: no. */
	assert_int_equal(uc_aa_verify(point, serial1, ch2, sig, n),
	    UC_ERR_VERIFY);
	assert_int_equal(uc_aa_verify(point, serial2, ch, sig, n),
	    UC_ERR_VERIFY);
	/* Every flipped bit of the signature: no. */
	for (bit = 0; bit < n * 8; bit++) {
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(uc_aa_verify(point, serial1, ch, sig, n),
		    0);
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Trailing byte. */
	sig[n] = 0;
	assert_int_equal(uc_aa_verify(point, serial1, ch, sig, n + 1),
	    UC_ERR_VERIFY);
	/* Pull r and s out of the (short-form) DER we got. */
	assert_int_equal(sig[0], 0x30);
	rl = sig[3];
	r = sig + 4;
	sl = sig[5 + rl];
	s = sig + 6 + rl;
	/* r = 0, s = 0. */
	bn = der_sig(bad, &zero, 1, s, sl);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	bn = der_sig(bad, r, rl, &zero, 1);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	/* r = n, s = n, r = n + 1 (a valid INTEGER, out of range). */
	n1[0] = 0;
	memcpy(n1 + 1, order, 32);
	bn = der_sig(bad, n1, 33, s, sl);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	bn = der_sig(bad, r, rl, n1, 33);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	n1[32] = 0x52;
	bn = der_sig(bad, n1, 33, s, sl);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	/* Negative r (0x80 alone is -128). */
	bn = der_sig(bad, &neg, 1, s, sl);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	/* Non-minimal: the real r with an extra leading zero. */
	{
		uint8_t padded[34];

		padded[0] = 0;
		memcpy(padded + 1, r, rl);
		bn = der_sig(bad, padded, rl + 1, s, sl);
		assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
		    UC_ERR_VERIFY);
	}
	/* s = 1 is in range but wrong. */
	bn = der_sig(bad, r, rl, &one, 1);
	assert_int_equal(uc_aa_verify(point, serial1, ch, bad, bn),
	    UC_ERR_VERIFY);
	/* The point: compressed prefix, off the curve. */
	point[0] = 0x02;
	assert_int_equal(uc_aa_verify(point, serial1, ch, sig, n), UC_ERR_KEY);
	point[0] = 0x04;
	point[64] ^= 1;
	assert_int_equal(uc_aa_verify(point, serial1, ch, sig, n), UC_ERR_KEY);
	point[64] ^= 1;
	assert_int_equal(uc_aa_verify(point, serial1, ch, sig, n), 0);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hierarchy),
		cmocka_unit_test(test_private_keys_encrypted),
		cmocka_unit_test(test_init_refuses),
		cmocka_unit_test(test_scp_master),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_sign_digest),
		cmocka_unit_test(test_flipped_object_bits),
		cmocka_unit_test(test_flip_every_bit_of_secobj),
		cmocka_unit_test(test_swapped_and_missing_objects),
		cmocka_unit_test(test_foreign_root),
		cmocka_unit_test(test_expired_signer),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_revoked_signer),
		cmocka_unit_test(test_trust_remembers_only_what_holds),
		cmocka_unit_test(test_wrong_purpose),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_aa),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
