/*
 * test_qr.c - the printed card's signed QR code (unioncard/printed.h).
 *
 * Known answers first: base45 against RFC 9285's examples, COSE_Sign1
 * against RFC 9052 appendix C.2.1 (its published ES256 signature must
 * verify through our Sig_structure).  Then applets-spec/vectors/
 * printed-card.json, made by an independent implementation of the spec
 * (scripts/gen-printed-vectors.py): the worked example's every byte, the
 * verdict and failing check of each case, the layer and field named for
 * each malformed code.  Last, codes made by the library with a real
 * station signer, every bit of which is flipped and must not verify.
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
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/printed.h"
#include "unioncard/signer.h"

#include "printed/cbor.h"

#define PASS "printed card test"

static json_t *doc;
static char tmp[] = "/tmp/uc-qr-XXXXXX";
static char keys[64];

static const char *
str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	assert_non_null(s);
	return s;
}

static void
hex(const char *h, struct uc_buf *b)
{
	uc_buf_init(b);
	assert_int_equal(uc_hex_decode_buf(h, b), 0);
}

static int
setup(void **state)
{
	const char *spec = getenv("UC_SPEC_DIR");
	struct uc_keys_opts o;
	struct uc_diag d;
	json_error_t jerr;
	char path[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/vectors/printed-card.json",
	    spec != NULL ? spec : "applets-spec");
	if ((doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		return -1;
	}
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(keys, sizeof(keys), "%s/keys", tmp);
	memset(&o, 0, sizeof(o));
	o.station = "station-01";
	if (uc_keys_init(keys, PASS, &o, &d) != 0) {
		fprintf(stderr, "keys init: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	json_decref(doc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- known answers ------------------------------------------------- */

static void
test_base45_rfc9285(void **state)
{
	json_t *v = json_object_get(json_object_get(doc, "published"),
	    "rfc9285_base45"), *e;
	char out[64];
	uint8_t raw[64];
	size_t i, n;

	(void)state;
	assert_true(json_array_size(v) >= 4);
	json_array_foreach(v, i, e) {
		const char *b = str(e, "bytes"), *t = str(e, "text");

		assert_int_equal(uc_base45_encode((const uint8_t *)b,
		    strlen(b), out, sizeof(out), &n), 0);
		assert_string_equal(out, t);
		assert_int_equal(n, strlen(t));
		assert_int_equal(uc_base45_decode(t, strlen(t), raw,
		    sizeof(raw), &n), 0);
		assert_int_equal(n, strlen(b));
		assert_memory_equal(raw, b, n);
	}
	/* RFC 9285 section 6: values past 65535, and a lone character */
	assert_int_equal(uc_base45_decode("GGW", 3, raw, sizeof(raw), &n),
	    UC_ERR_INVALID);
	assert_int_equal(uc_base45_decode("FGW", 3, raw, sizeof(raw), &n), 0);
	assert_int_equal(uc_base45_decode("BB8A", 4, raw, sizeof(raw), &n),
	    UC_ERR_INVALID);
	assert_int_equal(uc_base45_decode("bb8", 3, raw, sizeof(raw), &n),
	    UC_ERR_INVALID);
	assert_int_equal(uc_base45_decode("U:", 2, raw, sizeof(raw), &n),
	    UC_ERR_INVALID); /* 30 + 44*45 = 2010 > 255 */
	assert_int_equal(uc_base45_encode((const uint8_t *)"AB", 2, out, 3,
	    &n), UC_ERR_BUFFER);
}

static EVP_PKEY *
p256_from_xy(const char *x, const char *y)
{
	struct uc_buf spki;
	const unsigned char *p;
	char h[300];
	EVP_PKEY *k;

	snprintf(h, sizeof(h), "3059301306072A8648CE3D020106082A8648CE3D0301"
	    "0703420004%s%s", x, y);
	hex(h, &spki);
	p = spki.data;
	k = d2i_PUBKEY(NULL, &p, (long)spki.len);
	uc_buf_free(&spki);
	assert_non_null(k);
	return k;
}

static void
test_cose_rfc9052(void **state)
{
	json_t *v = json_object_get(json_object_get(doc, "published"),
	    "rfc9052_c21_sign1");
	struct uc_buf msg, tbs;
	struct uc_cbor c;
	const uint8_t *prot, *pay, *sig, *kid;
	size_t pn, yn, sn, kn;
	uint64_t a;
	uint8_t md[32], want[32], bad[64];
	EVP_PKEY *k;

	(void)state;
	hex(str(v, "cose_hex"), &msg);
	hex(str(v, "tbs_hex"), &tbs);
	c.p = msg.data;
	c.end = msg.data + msg.len;
	assert_int_equal(uc_cbor_get_expect(&c, CBOR_TAG, &a), 0);
	assert_int_equal(a, 18);
	assert_int_equal(uc_cbor_get_expect(&c, CBOR_ARRAY, &a), 0);
	assert_int_equal(a, 4);
	assert_int_equal(uc_cbor_get_str(&c, CBOR_BSTR, 64, &prot, &pn), 0);
	assert_int_equal(uc_cbor_get_expect(&c, CBOR_MAP, &a), 0);
	assert_int_equal(a, 1);
	assert_int_equal(uc_cbor_get_uint(&c, &a), 0);
	assert_int_equal(a, 4);
	assert_int_equal(uc_cbor_get_str(&c, CBOR_BSTR, 8, &kid, &kn), 0);
	assert_memory_equal(kid, "11", 2);
	assert_int_equal(uc_cbor_get_str(&c, CBOR_BSTR, 64, &pay, &yn), 0);
	assert_memory_equal(pay, "This is the content.", 20);
	assert_int_equal(uc_cbor_get_str(&c, CBOR_BSTR, 64, &sig, &sn), 0);
	assert_int_equal(sn, 64);
	assert_ptr_equal(c.p, c.end);
	/* our Sig_structure is the RFC's ToBeSigned, byte for byte */
	assert_int_equal(uc_qr_tbs_digest(prot, pn, pay, yn, md), 0);
	assert_int_equal(EVP_Digest(tbs.data, tbs.len, want, NULL,
	    EVP_sha256(), NULL), 1);
	assert_memory_equal(md, want, 32);
	k = p256_from_xy(str(v, "x_hex"), str(v, "y_hex"));
	assert_int_equal(uc_qr_es256_verify(k, md, sig), 0);
	memcpy(bad, sig, 64);
	bad[63] ^= 0x80;
	assert_int_equal(uc_qr_es256_verify(k, md, bad), UC_ERR_VERIFY);
	md[0] ^= 1;
	assert_int_equal(uc_qr_es256_verify(k, md, sig), UC_ERR_VERIFY);
	EVP_PKEY_free(k);
	uc_buf_free(&msg);
	uc_buf_free(&tbs);
}

static void
test_cbor_strict(void **state)
{
	static const struct {
		const char *hex;
		int ok;
	} heads[] = {
		{ "17", 1 },         /* 23 */
		{ "1817", 0 },       /* 23 in a one-byte argument */
		{ "1818", 1 },       /* 24 */
		{ "190018", 0 },     /* 24 in two bytes */
		{ "1A0000FFFF", 0 }, /* 65535 in four bytes */
		{ "1B00000000FFFFFFFF", 0 },
		{ "1B0000000100000000", 1 },
		{ "1C", 0 },         /* reserved */
		{ "5F", 0 },         /* indefinite byte string */
		{ "9F", 0 },         /* indefinite array */
		{ "F4", 0 },         /* false */
		{ "F93C00", 0 },     /* half float 1.0 */
		{ "19FF", 0 },       /* argument runs past the end */
		{ "4301", 0 },       /* string runs past the end */
		{ "", 0 },
	};
	struct uc_buf b;
	struct uc_cbor c;
	unsigned mt;
	uint64_t a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		hex(heads[i].hex, &b);
		c.p = b.data != NULL ? b.data : (const uint8_t *)"";
		c.end = c.p + b.len;
		assert_int_equal(uc_cbor_get_head(&c, &mt, &a) == 0,
		    heads[i].ok);
		uc_buf_free(&b);
	}
	/* the writer always writes the shortest head */
	uc_buf_init(&b);
	assert_int_equal(uc_cbor_put_uint(&b, 23), 0);
	assert_int_equal(uc_cbor_put_uint(&b, 24), 0);
	assert_int_equal(uc_cbor_put_uint(&b, 256), 0);
	assert_int_equal(uc_cbor_put_uint(&b, 20261125), 0);
	assert_int_equal(uc_cbor_put_nint(&b, 6), 0);
	assert_int_equal(b.len, 1 + 2 + 3 + 5 + 1);
	assert_memory_equal(b.data, "\x17\x18\x18\x19\x01\x00\x1A\x01\x35"
	    "\x29\x05\x26", 12);
	uc_buf_free(&b);
}

/* --- the committed vectors ----------------------------------------- */

struct verifier {
	struct uc_trust *trust;
	struct uc_qr_signers *signers;
};

static void
verifier_of_vectors(struct verifier *v)
{
	const char *pems[] = { "signer_pem", "other_signer_pem" };
	const char *root = str(doc, "root_pem");
	struct uc_diag d;
	size_t i;

	assert_int_equal(uc_trust_new(&v->trust), 0);
	assert_int_equal(uc_trust_add_root_mem(v->trust, (const uint8_t *)root,
	    strlen(root), &d), 0);
	assert_int_equal(uc_qr_signers_new(&v->signers), 0);
	/* the other root's signer is known, its root is not trusted */
	for (i = 0; i < 2; i++) {
		const char *p = str(doc, pems[i]);

		assert_int_equal(uc_qr_signers_add_pem(v->signers, p,
		    strlen(p), &d), 0);
	}
	assert_int_equal(uc_qr_signers_count(v->signers), 2);
}

static void
verifier_free(struct verifier *v)
{
	uc_trust_free(&v->trust);
	uc_qr_signers_free(&v->signers);
}

static void
test_worked_example(void **state)
{
	json_t *ex = json_object_get(doc, "worked_example");
	json_t *c = json_object_get(ex, "claims");
	const char *text = str(ex, "text");
	struct uc_buf prot, pay, sig, tbs;
	struct verifier v;
	struct uc_verify_opts o;
	struct uc_verify_result res;
	struct uc_diag d;
	struct uc_qr q;
	uint8_t md[32], want[32];

	(void)state;
	assert_int_equal(uc_qr_parse(text, strlen(text), &q, &d), 0);
	assert_string_equal(q.member_code, str(c, "member_code"));
	assert_string_equal(q.full_name, str(c, "full_name"));
	assert_string_equal(q.unit_code, str(c, "unit_code"));
	assert_string_equal(q.card_serial, str(c, "card_serial"));
	assert_int_equal(q.card_type,
	    json_integer_value(json_object_get(c, "card_type")));
	assert_string_equal(q.issued_on, str(c, "issued_on"));
	assert_string_equal(q.expires_on, str(c, "expires_on"));
	hex(str(ex, "protected_hex"), &prot);
	hex(str(ex, "payload_hex"), &pay);
	hex(str(ex, "signature_hex"), &sig);
	hex(str(ex, "sig_structure_hex"), &tbs);
	assert_int_equal(q.protected_len, prot.len);
	assert_memory_equal(q.protected_hdr, prot.data, prot.len);
	assert_int_equal(q.payload_len, pay.len);
	assert_memory_equal(q.payload, pay.data, pay.len);
	assert_memory_equal(q.sig, sig.data, 64);
	assert_int_equal(uc_qr_tbs_digest(q.protected_hdr, q.protected_len,
	    q.payload, q.payload_len, md), 0);
	assert_int_equal(EVP_Digest(tbs.data, tbs.len, want, NULL,
	    EVP_sha256(), NULL), 1);
	assert_memory_equal(md, want, 32);
	/* a scanner's line ending is not part of the code */
	{
		char line[UC_QR_TEXT_MAX + 3];
		struct uc_qr q2;

		snprintf(line, sizeof(line), "%s\r\n", text);
		assert_int_equal(uc_qr_parse(line, strlen(line), &q2, &d), 0);
		assert_memory_equal(&q, &q2, sizeof(q));
	}
	verifier_of_vectors(&v);
	memset(&o, 0, sizeof(o));
	o.trust = v.trust;
	o.check_date = "20270601";
	assert_int_equal(uc_verify_qr(&q, v.signers, &o, &res), 0);
	assert_true(res.valid);
	assert_string_equal(res.station, "station-01");
	assert_string_equal(res.member.full_name, str(c, "full_name"));
	verifier_free(&v);
	uc_buf_free(&prot);
	uc_buf_free(&pay);
	uc_buf_free(&sig);
	uc_buf_free(&tbs);
}

/* The text printed in printed-card.md is the vectors' text. */
static void
test_spec_text(void **state)
{
	const char *spec = getenv("UC_SPEC_DIR");
	const char *want = str(json_object_get(doc, "worked_example"),
	    "text");
	char path[1024], line[256], got[UC_QR_TEXT_MAX + 1] = "";
	int in = 0, found = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/printed-card.md",
	    spec != NULL ? spec : "applets-spec");
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (!in && strncmp(line, "UC1:", 4) == 0)
			in = found = 1;
		if (in && strcmp(line, "```") == 0)
			break;
		if (in && strlen(got) + strlen(line) < sizeof(got))
			strcat(got, line);
	}
	fclose(f);
	assert_true(found);
	assert_string_equal(got, want);
}

static void
test_cases(void **state)
{
	json_t *cases = json_object_get(doc, "cases"), *e;
	struct verifier v;
	struct uc_verify_opts o;
	struct uc_verify_result res;
	struct uc_diag d;
	struct uc_qr q;
	size_t i, k;

	(void)state;
	verifier_of_vectors(&v);
	assert_true(json_array_size(cases) >= 8);
	json_array_foreach(cases, i, e) {
		const char *text = str(e, "text");
		const char *failed = json_string_value(json_object_get(e,
		    "failed"));

		memset(&o, 0, sizeof(o));
		o.trust = v.trust;
		o.check_date = str(e, "check_date");
		if (uc_qr_parse(text, strlen(text), &q, &d) != 0)
			fail_msg("%s: %s: %s", str(e, "name"), d.field, d.msg);
		assert_int_equal(uc_verify_qr(&q, v.signers, &o, &res), 0);
		if (failed == NULL) {
			if (!res.valid)
				fail_msg("%s: not valid", str(e, "name"));
			continue;
		}
		assert_false(res.valid);
		/* the named check fails, and every other one passes */
		for (k = 0; k < res.n_checks; k++) {
			int want = strcmp(res.checks[k].name, failed) != 0;

			if (strcmp(failed, "signature") == 0 &&
			    strcmp(res.checks[k].name, "chain") == 0)
				continue; /* unknown kid: nothing to chain */
			if (res.checks[k].ok != want)
				fail_msg("%s: check %s is %s (%s)",
				    str(e, "name"), res.checks[k].name,
				    res.checks[k].ok ? "ok" : "FAIL",
				    res.checks[k].detail);
		}
	}
	verifier_free(&v);
}

static void
test_malformed(void **state)
{
	json_t *m = json_object_get(doc, "malformed"), *e;
	struct uc_diag d;
	struct uc_qr q;
	size_t i;

	(void)state;
	assert_true(json_array_size(m) >= 10);
	json_array_foreach(m, i, e) {
		const char *text = str(e, "text");

		if (uc_qr_parse(text, strlen(text), &q, &d) != UC_ERR_INVALID)
			fail_msg("%s: accepted", str(e, "name"));
		if (strcmp(d.field, str(e, "field")) != 0)
			fail_msg("%s: field '%s' (%s), want '%s'",
			    str(e, "name"), d.field, d.msg, str(e, "field"));
		assert_true(d.msg[0] != '\0');
	}
}

/* --- codes made by the library ------------------------------------- */

static struct uc_signer *
station_signer(void)
{
	struct uc_signer *s = NULL;
	struct uc_diag d;
	char path[128];

	snprintf(path, sizeof(path), "%s/signers/station-01.key", keys);
	assert_int_equal(uc_signer_open(path, PASS, &s, &d), 0);
	return s;
}

static void
member(struct uc_member *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->member_code, "52000000010");
	strcpy(m->full_name, "Đặng Thị Ngọc Hường");
	strcpy(m->unit_code, "TP01");
	strcpy(m->card_serial, "52000000007");
	m->card_type = UC_CARD_TYPE_LINKED;
	strcpy(m->issued_on, "20261125");
	strcpy(m->expires_on, "20311124");
}

static void
test_make_verify_flip(void **state)
{
	struct uc_signer *s = station_signer();
	struct uc_trust *trust = NULL;
	struct uc_qr_signers *signers = NULL;
	struct uc_verify_opts o;
	struct uc_verify_result res;
	struct uc_member m;
	struct uc_buf text = UC_BUF_INIT;
	struct uc_diag d;
	struct uc_qr q;
	uint8_t cose[UC_QR_COSE_MAX];
	char path[128], flipped[UC_QR_TEXT_MAX + 1];
	size_t n, bit, verified = 0;

	(void)state;
	member(&m);
	assert_int_equal(uc_qr_make(s, &m, &text, &d), 0);
	assert_int_equal(strlen((char *)text.data), text.len);
	assert_memory_equal(text.data, "UC1:", 4);
	assert_true(text.len < 400);
	assert_int_equal(uc_trust_new(&trust), 0);
	assert_int_equal(uc_trust_load_dir(trust, keys, &d), 0);
	assert_int_equal(uc_qr_signers_new(&signers), 0);
	snprintf(path, sizeof(path), "%s/signers", keys);
	assert_int_equal(uc_qr_signers_add_path(signers, path, &d), 0);
	memset(&o, 0, sizeof(o));
	o.trust = trust;
	o.check_date = "20270601";
	assert_int_equal(uc_qr_parse((char *)text.data, text.len, &q, &d), 0);
	assert_string_equal(q.full_name, m.full_name);
	assert_int_equal(uc_verify_qr(&q, signers, &o, &res), 0);
	assert_true(res.valid);
	assert_string_equal(res.station, "station-01");

	/* every bit of the message: refused or not valid, never valid */
	assert_int_equal(uc_base45_decode((char *)text.data + 4, text.len - 4,
	    cose, sizeof(cose), &n), 0);
	for (bit = 0; bit < 8 * n; bit++) {
		cose[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memcpy(flipped, "UC1:", 4);
		assert_int_equal(uc_base45_encode(cose, n, flipped + 4,
		    sizeof(flipped) - 4, NULL), 0);
		if (uc_qr_parse(flipped, strlen(flipped), &q, &d) == 0) {
			assert_int_equal(uc_verify_qr(&q, signers, &o, &res),
			    0);
			if (res.valid)
				fail_msg("bit %zu flipped still verifies", bit);
			verified++;
		}
		cose[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_true(verified > 0);

	/* fields the claims cannot carry are refused, naming the field */
	strcpy(m.card_serial, "5200000000");
	assert_int_equal(uc_qr_make(s, &m, &text, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "card_serial");
	member(&m);
	strcpy(m.expires_on, "20261124");
	assert_int_equal(uc_qr_make(s, &m, &text, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "expires_on");
	member(&m);
	strcpy(m.full_name, "Nguy\x1b" "n");
	assert_int_equal(uc_qr_make(s, &m, &text, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "full_name");

	uc_buf_free(&text);
	uc_qr_signers_free(&signers);
	uc_trust_free(&trust);
	uc_signer_free(&s);
}

/* The longest name and unit code still make a code of bounded size. */
static void
test_longest_fields(void **state)
{
	struct uc_signer *s = station_signer();
	struct uc_buf text = UC_BUF_INIT;
	struct uc_member m;
	struct uc_diag d;
	struct uc_qr q;
	size_t i;

	(void)state;
	member(&m);
	for (i = 0; i + 2 <= UC_MEMBER_NAME_MAX; i += 2)
		memcpy(m.full_name + i, "\xc3\xa0", 2); /* à */
	m.full_name[i] = '\0';
	memset(m.unit_code, 'A', UC_MEMBER_UNIT_CODE_MAX);
	m.unit_code[UC_MEMBER_UNIT_CODE_MAX] = '\0';
	memset(m.member_code, '9', UC_MEMBER_CODE_MAX);
	m.member_code[UC_MEMBER_CODE_MAX] = '\0';
	assert_int_equal(uc_qr_make(s, &m, &text, &d), 0);
	assert_true(text.len <= 500);
	assert_int_equal(uc_qr_parse((char *)text.data, text.len, &q, &d), 0);
	assert_string_equal(q.full_name, m.full_name);
	uc_buf_free(&text);
	uc_signer_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base45_rfc9285),
		cmocka_unit_test(test_cose_rfc9052),
		cmocka_unit_test(test_cbor_strict),
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_spec_text),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_make_verify_flip),
		cmocka_unit_test(test_longest_fields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
