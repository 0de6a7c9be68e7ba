/*
 * test_vectors.c - replay each JSON file in applets-spec/vectors/ against
 * the virtual card, each on a fresh temp copy of its card state file.
 *
 * Files without a "card" member belong to other modules and are skipped.
 * A step gives the command and either the exact response (data + SW) or,
 * for non-deterministic data such as signatures, only the status word.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "vcard/vcard.h"
#include "vcard_test.h"

static int
replay_file(const char *spec_dir, const char *name)
{
	char path[1024], card[1024], tmp[1024];
	json_t *root, *steps, *st;
	json_error_t jerr;
	struct uc_vcard *c = NULL;
	struct uc_diag d;
	uint8_t *resp = malloc(UC_RAPDU_WIRE_MAX);
	size_t i, rlen;
	int failures = 0;

	assert_non_null(resp);
	snprintf(path, sizeof(path), "%s/vectors/%s", spec_dir, name);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		fail_msg("%s: %s", path, jerr.text);
	if (json_object_get(root, "card") == NULL) {
		/* Another module's vectors (e.g. scp03-kat.json). */
		json_decref(root);
		free(resp);
		return -1;
	}
	snprintf(card, sizeof(card), "%s/vectors/cards/%s", spec_dir,
	    json_string_value(json_object_get(root, "card")));
	vt_temp_copy(card, tmp, sizeof(tmp));
	if (uc_vcard_load(tmp, &c, &d) != 0)
		fail_msg("%s: %s: %s", name, d.field, d.msg);
	uc_vcard_power_on(c);
	if (json_object_get(root, "atr") != NULL) {
		struct uc_buf want = UC_BUF_INIT;
		uint8_t atr[33];
		size_t alen = sizeof(atr);

		assert_int_equal(uc_hex_decode_buf(json_string_value(
		    json_object_get(root, "atr")), &want), 0);
		assert_int_equal(uc_vcard_atr(c, atr, &alen), 0);
		assert_int_equal(alen, want.len);
		assert_memory_equal(atr, want.data, alen);
		uc_buf_free(&want);
	}
	steps = json_object_get(root, "steps");
	assert_true(json_is_array(steps) && json_array_size(steps) > 0);
	json_array_foreach(steps, i, st) {
		struct uc_buf cmd = UC_BUF_INIT, want = UC_BUF_INIT;
		const char *note = json_string_value(json_object_get(st,
		    "note"));
		json_t *full = json_object_get(st, "response");
		json_t *sw = json_object_get(st, "response_sw");
		char *got;

		assert_int_equal(uc_hex_decode_buf(json_string_value(
		    json_object_get(st, "command")), &cmd), 0);
		assert_true(full != NULL || sw != NULL);
		assert_int_equal(uc_hex_decode_buf(json_string_value(
		    full != NULL ? full : sw), &want), 0);
		assert_int_equal(uc_vcard_process(c, cmd.data, cmd.len, resp,
		    UC_RAPDU_WIRE_MAX, &rlen), 0);
		got = uc_hex_dup(resp, rlen);
		if (full != NULL ? (rlen != want.len ||
		    memcmp(resp, want.data, rlen) != 0) :
		    (rlen < 2 || memcmp(resp + rlen - 2, want.data, 2) != 0)) {
			print_error("%s step %zu (%s):\n  want %s\n  got  %s\n",
			    name, i + 1, note != NULL ? note : "",
			    json_string_value(full != NULL ? full : sw), got);
			failures++;
		}
		free(got);
		uc_buf_free(&cmd);
		uc_buf_free(&want);
	}
	uc_vcard_free(&c);
	vt_remove(tmp);
	json_decref(root);
	free(resp);
	return failures;
}

static void
test_all_vectors(void **state)
{
	const char *spec = getenv("UC_SPEC_DIR");
	char dir[1024];
	struct dirent **ents = NULL;
	int n, k, files = 0, failures = 0;

	(void)state;
	assert_non_null(spec);
	snprintf(dir, sizeof(dir), "%s/vectors", spec);
	n = scandir(dir, &ents, NULL, alphasort);
	assert_true(n > 0);
	for (k = 0; k < n; k++) {
		size_t l = strlen(ents[k]->d_name);

		if (l > 5 && strcmp(ents[k]->d_name + l - 5, ".json") == 0) {
			int f = replay_file(spec, ents[k]->d_name);

			if (f >= 0) {
				failures += f;
				files++;
			}
		}
		free(ents[k]);
	}
	free(ents);
	assert_true(files >= 5);
	assert_int_equal(failures, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
