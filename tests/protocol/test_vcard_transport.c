/*
 * test_vcard_transport.c - the vcard: transport (one card, a hopper) and
 * the engine's SELECT against the spec's own transcript.
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

#include "unioncard/applet.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

static char dir[64];

static void
make_card(const char *name, uint8_t last)
{
	struct uc_vcard_new_opts o;
	uint8_t serial[8] = { 0x55, 0x43, 0, 0, 0, 0, 0, 0 };
	char path[128];

	serial[7] = last;
	memset(&o, 0, sizeof(o));
	o.serial = serial;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(uc_vcard_create(path, &o), 0);
}

static uint8_t
select_serial_last(struct uc_transport *t)
{
	struct uc_card_info ci;
	uint16_t sw = 0;

	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	assert_int_equal(uc_applet_select(t, &ci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(ci.lifecycle, UC_LIFECYCLE_BLANK);
	return ci.serial[7];
}

static void
test_hopper(void **state)
{
	struct uc_transport *t = NULL;
	char name[96], cmd[128];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/uc-hopper-XXXXXX");
	assert_non_null(mkdtemp(dir));
	make_card("card-0002.json", 2);
	make_card("card-0001.json", 1);
	make_card("card-0010.json", 10);
	snprintf(name, sizeof(name), "%s/notes.txt", dir);
	f = fopen(name, "w");
	assert_non_null(f);
	fclose(f);

	snprintf(name, sizeof(name), "vcard:%s", dir);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(select_serial_last(t), 1);
	/* Without eject, the same card comes back. */
	assert_int_equal(uc_transport_disconnect(t, 0), 0);
	assert_int_equal(select_serial_last(t), 1);
	assert_int_equal(uc_transport_disconnect(t, 1), 0);
	assert_int_equal(select_serial_last(t), 2);
	assert_int_equal(uc_transport_disconnect(t, 1), 0);
	assert_int_equal(select_serial_last(t), 10);
	assert_int_equal(uc_transport_disconnect(t, 1), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL),
	    UC_ERR_NO_CARD);
	assert_int_equal(uc_transport_apdu_count(t), 4);
	uc_transport_free(&t);

	/* One card: eject means gone. */
	snprintf(name, sizeof(name), "vcard:%s/card-0002.json", dir);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(select_serial_last(t), 2);
	assert_int_equal(uc_transport_disconnect(t, 1), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL),
	    UC_ERR_NO_CARD);
	uc_transport_free(&t);

	assert_int_equal(uc_transport_open("vcard:/nonexistent/x.json", &t),
	    UC_ERR_NO_READER);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The spec's SELECT transcript, replayed into the engine's parser. */
static void
test_select_vector(void **state)
{
	const char *spec = getenv("UC_SPEC_DIR");
	char path[512], name[600];
	struct uc_transport *t = NULL;
	struct uc_card_info ci;
	uint8_t serial[8];
	size_t n = 0;
	uint16_t sw = 0;
	json_t *card;

	(void)state;
	if (spec == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/vectors/cards/blank.json", spec);
	card = json_load_file(path, 0, NULL);
	assert_non_null(card);
	assert_int_equal(uc_hex_decode(json_string_value(json_object_get(card,
	    "serial")), serial, sizeof(serial), &n), 0);
	assert_int_equal(n, 8);
	json_decref(card);

	snprintf(name, sizeof(name), "replay:%s/vectors/select.json", spec);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(uc_applet_select(t, &ci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_memory_equal(ci.serial, serial, 8);
	assert_int_equal(ci.lifecycle, UC_LIFECYCLE_BLANK);
	assert_int_equal(ci.spec_version, UC_APPLET_SPEC_VERSION);
	uc_transport_free(&t);
}

/*
 * The production library does not know the virtual card: before the
 * simulator registers it, `vcard:` is a scheme that is not built in.
 * Then registering it once more is harmless.
 */
static void
test_not_built_in_until_registered(void **state)
{
	struct uc_transport *t = NULL;
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_transport_open("vcard:/nonexistent/x.json", &t),
	    UC_ERR_UNSUPPORTED);
	assert_null(t);
	assert_string_equal(uc_transport_diag(&d)->msg,
	    "transport 'vcard' is not built in");
	assert_int_equal(uc_vcard_transport_register(), 0);
	assert_int_equal(uc_vcard_transport_register(), 0);
	assert_int_equal(uc_transport_open("vcard:/nonexistent/x.json", &t),
	    UC_ERR_NO_READER);
}

int
main(void)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_not_built_in_until_registered),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hopper),
		cmocka_unit_test(test_select_vector),
	};
	int r;

	if ((r = cmocka_run_group_tests_name("before the simulator registers",
	    before, NULL, NULL)) != 0)
		return r;
	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
