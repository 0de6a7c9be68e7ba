/*
 * test_worked_example.c - applets-spec/worked-example.md is true.
 *
 * Reads the machine-readable companion applets-spec/vectors/
 * worked-example.json (a real card's three APDUs and the root certificate)
 * and checks it with the verifier's own code: the FCI parses, every check
 * passes at the recorded date, the fields are what the document says.  Then
 * it changes single bytes of the recorded answers and demands that each
 * change is caught, so the example cannot drift from the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "unioncard/applet.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/verify.h"

struct example {
	json_t *doc;
	struct uc_trust *trust;
	struct uc_buf fci, objects, aa_cmd, aa_resp;
	time_t check_time;
	char check_date[9];
};

static struct example ex;

static void
load_hex(json_t *steps, size_t i, const char *key, struct uc_buf *out)
{
	json_t *step = json_array_get(steps, i);
	const char *hex;

	assert_non_null(step);
	hex = json_string_value(json_object_get(step, key));
	assert_non_null(hex);
	uc_buf_init(out);
	assert_int_equal(uc_hex_decode_buf(hex, out), 0);
}

static int
setup(void **state)
{
	char path[1024];
	const char *spec = getenv("UC_SPEC_DIR");
	const char *pem;
	json_error_t jerr;
	json_t *steps;
	struct uc_diag d;

	(void)state;
	memset(&ex, 0, sizeof(ex));
	snprintf(path, sizeof(path), "%s/vectors/worked-example.json",
	    spec != NULL ? spec : "applets-spec");
	ex.doc = json_load_file(path, 0, &jerr);
	if (ex.doc == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		return -1;
	}
	pem = json_string_value(json_object_get(ex.doc, "root_pem"));
	if (pem == NULL || uc_trust_new(&ex.trust) != 0 ||
	    uc_trust_add_root_mem(ex.trust, (const uint8_t *)pem, strlen(pem),
	    &d) != 0)
		return -1;
	ex.check_time = (time_t)json_integer_value(json_object_get(ex.doc,
	    "check_time"));
	snprintf(ex.check_date, sizeof(ex.check_date), "%s",
	    json_string_value(json_object_get(ex.doc, "check_date")));
	steps = json_object_get(ex.doc, "steps");
	if (json_array_size(steps) != 3)
		return -1;
	load_hex(steps, 0, "response", &ex.fci);
	load_hex(steps, 1, "response", &ex.objects);
	load_hex(steps, 2, "command", &ex.aa_cmd);
	load_hex(steps, 2, "response", &ex.aa_resp);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	uc_buf_free(&ex.fci);
	uc_buf_free(&ex.objects);
	uc_buf_free(&ex.aa_cmd);
	uc_buf_free(&ex.aa_resp);
	uc_trust_free(&ex.trust);
	json_decref(ex.doc);
	return 0;
}

/* Verify (objects, aa) as recorded, or with the given buffers. */
static int
verify(const uint8_t *objects, size_t objects_len, const uint8_t *aa,
    size_t aa_len, struct uc_verify_result *res)
{
	struct uc_card_info ci;
	struct uc_verify_opts opts;
	struct uc_diag d;
	int r;

	assert_true(ex.fci.len > 2);
	assert_int_equal(uc_applet_parse_fci(ex.fci.data, ex.fci.len - 2, &ci,
	    &d), 0);
	memset(&opts, 0, sizeof(opts));
	opts.trust = ex.trust;
	opts.check_date = ex.check_date;
	opts.check_time = ex.check_time;
	/* INTERNAL AUTHENTICATE: 00 88 00 00 20 <challenge 32> 00 */
	assert_int_equal(ex.aa_cmd.len, 5 + UC_VERIFY_CHALLENGE_LEN + 1);
	assert_true(aa_len >= 2);
	r = uc_verify_objects(ci.serial, ci.lifecycle, objects,
	    objects_len - 2, ex.aa_cmd.data + 5, aa, aa_len - 2,
	    (uint16_t)(aa[aa_len - 2] << 8 | aa[aa_len - 1]), &opts, res, &d);
	return r;
}

static void
test_example_verifies(void **state)
{
	struct uc_verify_result res;
	struct uc_card_info ci;
	struct uc_diag d;
	size_t i;

	(void)state;
	assert_int_equal(uc_applet_parse_fci(ex.fci.data, ex.fci.len - 2, &ci,
	    &d), 0);
	assert_int_equal(ci.lifecycle, UC_LIFECYCLE_PERSONALIZED);
	assert_int_equal(verify(ex.objects.data, ex.objects.len,
	    ex.aa_resp.data, ex.aa_resp.len, &res), 0);
	for (i = 0; i < res.n_checks; i++) {
		if (!res.checks[i].ok)
			fprintf(stderr, "%s: %s\n", res.checks[i].name,
			    res.checks[i].detail);
		assert_true(res.checks[i].ok);
	}
	assert_true(res.valid);
	/* What applets-spec/worked-example.md says the card holds. */
	assert_string_equal(res.member.member_code, "52000000010");
	assert_string_equal(res.member.full_name,
	    "Hu\xe1\xbb\xb3nh L\xc3\xaa Di\xe1\xbb\x85m Tuy\xe1\xba\xbft");
	assert_string_equal(res.member.unit_code, "TP01");
	assert_string_equal(res.member.card_serial, "52000000001");
	assert_string_equal(res.serial_hex, "5255000000000042");
	assert_string_equal(res.station, "station-01");
}

/* Every 37th byte of the objects, and bytes of the signature. */
static void
test_every_change_is_caught(void **state)
{
	struct uc_verify_result res;
	uint8_t *copy;
	size_t i, n = 0;
	int r;

	(void)state;
	copy = malloc(ex.objects.len);
	assert_non_null(copy);
	for (i = 0; i + 2 < ex.objects.len; i += 37) {
		memcpy(copy, ex.objects.data, ex.objects.len);
		copy[i] ^= 0x01;
		r = verify(copy, ex.objects.len, ex.aa_resp.data,
		    ex.aa_resp.len, &res);
		/* Either the bytes no longer parse, or a check fails. */
		assert_true(r != 0 || !res.valid);
		n++;
	}
	free(copy);
	copy = malloc(ex.aa_resp.len);
	assert_non_null(copy);
	for (i = 0; i + 2 < ex.aa_resp.len; i += 5) {
		memcpy(copy, ex.aa_resp.data, ex.aa_resp.len);
		copy[i] ^= 0x80;
		r = verify(ex.objects.data, ex.objects.len, copy,
		    ex.aa_resp.len, &res);
		assert_true(r != 0 || !res.valid);
		n++;
	}
	free(copy);
	assert_true(n > 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_verifies),
		cmocka_unit_test(test_every_change_is_caught),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
