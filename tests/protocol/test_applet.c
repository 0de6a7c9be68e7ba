/*
 * test_applet.c - the strict FCI parser of union-applet.md §5.1 and SELECT
 * through a replayed transcript.
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

#include "unioncard/applet.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

#define AID84 "840BF0554E494F4E4341524401"
#define A5_BODY "800101 81080102030405060708 820101 83020800 84020800 " \
	"85020370 860130 870103"
#define FCI_OK "6F31" AID84 "A522" A5_BODY

static int
parse(const char *hex, struct uc_card_info *ci, struct uc_diag *d)
{
	uint8_t raw[512];
	size_t n;

	assert_int_equal(uc_hex_decode(hex, raw, sizeof(raw), &n), 0);
	return uc_applet_parse_fci(raw, n, ci, d);
}

static void
test_fci_ok(void **state)
{
	struct uc_card_info ci;
	struct uc_diag d;

	(void)state;
	assert_int_equal(parse(FCI_OK, &ci, &d), 0);
	assert_int_equal(ci.spec_version, 1);
	assert_memory_equal(ci.serial, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_int_equal(ci.lifecycle, UC_LIFECYCLE_BLANK);
	assert_string_equal(uc_applet_lifecycle_name(ci.lifecycle), "blank");
	assert_int_equal(ci.max_cmd, 2048);
	assert_int_equal(ci.max_resp, 2048);
	assert_int_equal(ci.scp, 3);
	assert_int_equal(ci.scp_i, 0x70);
	assert_int_equal(ci.kvn, 0x30);
	assert_int_equal(ci.tries_left, 3);
	assert_int_equal(ci.n_bank_aids, 0);
	/* Linked card: two bank AIDs. */
	assert_int_equal(parse("6F41" AID84 "A532" A5_BODY
	    "880E 4F05A000000003 4F05A000000004", &ci, &d), 0);
	assert_int_equal(ci.n_bank_aids, 2);
	assert_int_equal(ci.bank_aids[1].len, 5);
	assert_int_equal(ci.bank_aids[1].bytes[4], 0x04);
	assert_string_equal(uc_applet_lifecycle_name(0xff), "terminated");
	assert_string_equal(uc_applet_lifecycle_name(0x02), "personalizing");
	assert_string_equal(uc_applet_lifecycle_name(0x03), "personalized");
	assert_string_equal(uc_applet_lifecycle_name(0x07), "unknown");
}

static void
check_bad(const char *hex, const char *field)
{
	struct uc_card_info ci;
	struct uc_diag d;

	memset(&ci, 0x55, sizeof(ci));
	if (parse(hex, &ci, &d) != UC_ERR_PROTOCOL)
		fail_msg("accepted: %s", hex);
	assert_string_equal(d.file, "FCI");
	if (strcmp(d.field, field) != 0)
		fail_msg("%s: field %s, expected %s (%s)", hex, d.field, field,
		    d.msg);
	/* Nothing half-parsed survives. */
	assert_int_equal(ci.lifecycle, 0);
}

static void
test_fci_bad(void **state)
{
	(void)state;
	check_bad("", "tag 6F");
	check_bad("6F00", "tag 84");
	check_bad("6F3180", "tag 6F");                   /* truncated */
	check_bad("6F31" AID84 "A522" A5_BODY "00", "tag 6F"); /* trailing */
	check_bad("6E31" AID84 "A522" A5_BODY, "tag 6E");
	check_bad("6F31840BF0554E494F4E4341524402A522" A5_BODY, "tag 84");
	check_bad("6F0D" AID84, "tag A5");
	check_bad("6F33" AID84 "A522" A5_BODY "8000", "tag 6F");
	/* A5 children: missing, reordered, wrong length, bad values. */
	check_bad("6F2E" AID84 "A51F" "81080102030405060708 820101 83020800 "
	    "84020800 85020370 860130 870103", "tag 80");
	check_bad("6F31" AID84 "A522" "820101 81080102030405060708 800101 "
	    "83020800 84020800 85020370 860130 870103", "tag 80");
	check_bad("6F30" AID84 "A521" "800101 810701020304050607 820101 "
	    "83020800 84020800 85020370 860130 870103", "tag 81");
	check_bad("6F31" AID84 "A522" "800101 81080102030405060708 820104 "
	    "83020800 84020800 85020370 860130 870103", "tag 82");
	check_bad("6F31" AID84 "A522" "800101 81080102030405060708 820101 "
	    "83020000 84020800 85020370 860130 870103", "tag 83");
	check_bad("6F31" AID84 "A522" "800101 81080102030405060708 820101 "
	    "83020800 84020800 85020270 860130 870103", "tag 85");
	check_bad("6F2E" AID84 "A51F" "800101 81080102030405060708 820101 "
	    "83020800 84020800 85020370 860130", "tag 87");
	check_bad("6F34" AID84 "A525" A5_BODY "890100", "tag 88");
	check_bad("6F33" AID84 "A524" A5_BODY "8800", "tag 88");
	check_bad("6F3A" AID84 "A52B" A5_BODY "8807 4F06A000000003",
	    "tag 88");
	check_bad("6F37" AID84 "A528" A5_BODY "8804 4F02A000", "tag 4F");
	check_bad("6F3A" AID84 "A52B" A5_BODY "8807 5005A000000003",
	    "tag 88");
	check_bad("6F3C" AID84 "A52D" A5_BODY "8807 4F05A000000003 8700",
	    "tag A5");
	check_bad("6F56" AID84 "A547" A5_BODY "8823 4F05A000000001 "
	    "4F05A000000002 4F05A000000003 4F05A000000004 4F05A000000005",
	    "tag 88");
	/* Indefinite length inside. */
	check_bad("6F31" AID84 "A580" A5_BODY, "tag A5");
}

static void
test_select_replayed(void **state)
{
	char path[64], name[80];
	struct uc_transport *t = NULL;
	struct uc_card_info ci;
	uint16_t sw = 0;
	FILE *f;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/uc-applet-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "{\"steps\": ["
	    "{\"command\": \"00A404000BF0554E494F4E434152440100\", "
	    "\"response\": \"%s 9000\"},"
	    "{\"command\": \"00A404000BF0554E494F4E434152440100\", "
	    "\"response\": \"6A82\"},"
	    "{\"command\": \"00A404000BF0554E494F4E434152440100\", "
	    "\"response\": \"%s 6283\"}]}", FCI_OK, FCI_OK);
	fclose(f);
	snprintf(name, sizeof(name), "replay:%s", path);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(uc_applet_select(t, &ci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(ci.serial[7], 0x08);
	assert_int_equal(uc_applet_select(t, &ci, &sw), UC_ERR_SW_NOT_FOUND);
	assert_int_equal(sw, 0x6a82);
	/* 62 83 with a lifecycle that is not FF: inconsistent card. */
	assert_int_equal(uc_applet_select(t, &ci, &sw), UC_ERR_PROTOCOL);
	assert_non_null(strstr(TRANSPORT_WHY(), "6283"));
	assert_int_equal(uc_transport_disconnect(t, 0), 0);
	uc_transport_free(&t);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fci_ok),
		cmocka_unit_test(test_fci_bad),
		cmocka_unit_test(test_select_replayed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
