/*
 * test_emv_read.c - the engine's PAN reader (src/card/emv.c) against the
 * linked virtual card, through the in-process vcard: transport and
 * through a rig that makes chosen answers hostile.  Every failure must be
 * UC_ERR_PROTOCOL (or the SW's error), leave no PAN in the caller's
 * buffer, and say what went wrong without a digit of the PAN.
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

#include "unioncard/emv.h"
#include "unioncard/error.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

#include "emv_rig.h"

#define PAN "9704151234567890"
#define SEL_PPSE "00A404000E325041592E5359532E4444463031"
#define SEL_PSE "00A404000E315041592E5359532E4444463031"
#define SEL_NAPAS "00A4040007A0000007271010"
#define GPO "80A8000002830000"
#define RR1 "00B2010C"
#define RR2 "00B2020C"

static char card_path[512];

static int
setup(void **state)
{
	(void)state;
	emv_rig_reset();
	emv_rig_make_card(card_path, sizeof(card_path), PAN, "3012", 1);
	return 0;
}

static int
teardown(void **state)
{
	char dir[512];

	(void)state;
	unlink(card_path);
	snprintf(dir, sizeof(dir), "%s", card_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	return 0;
}

struct out {
	char pan[20], expiry[5];
	uint8_t aid[16];
	size_t aid_len;
	struct uc_diag d;
};

static int
read_via(const char *scheme, struct out *o)
{
	struct uc_transport *t = NULL;
	char name[600];
	int r;

	memset(o, 0x55, sizeof(*o));
	snprintf(name, sizeof(name), "%s:%s", scheme, card_path);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	r = uc_emv_read_pan_diag(t, o->pan, o->expiry, o->aid, &o->aid_len,
	    &o->d);
	uc_transport_free(&t);
	return r;
}

/* A failure: nothing of the PAN returned or said. */
static void
assert_clean_failure(const struct out *o)
{
	static const char zero[20];

	assert_memory_equal(o->pan, zero, sizeof(o->pan));
	assert_int_equal(o->aid_len, 0);
	assert_true(o->d.msg[0] != '\0');
	assert_null(strstr(o->d.msg, "970415"));
	assert_null(strstr(o->d.msg, "34567890"));
	assert_null(strstr(o->d.field, "970415"));
}

static void
t_ppse(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(read_via("vcard", &o), 0);
	assert_string_equal(o.pan, PAN);
	assert_string_equal(o.expiry, "3012");
	assert_int_equal(o.aid_len, 7);
	assert_memory_equal(o.aid, "\xA0\x00\x00\x07\x27\x10\x10", 7);
}

/* The four steps, in order, and both records of the AFL. */
static void
t_sequence(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(read_via("emvrig", &o), 0);
	assert_string_equal(emv_rig.log,
	    "00A404000E325041592E5359532E444446303100\n"
	    "00A4040007A000000727101000\n"
	    "80A800000283000" "0\n"
	    "00B2010C00\n"
	    "00B2020C00\n");
}

static void
t_pse_fallback(void **state)
{
	struct out o;

	(void)state;
	emv_rig_override(SEL_PPSE, "6A82");
	assert_int_equal(read_via("emvrig", &o), 0);
	assert_string_equal(o.pan, PAN);
	assert_non_null(strstr(emv_rig.log, SEL_PSE));
}

static void
t_direct_fallback(void **state)
{
	struct out o;

	(void)state;
	emv_rig_override(SEL_PPSE, "6A82");
	emv_rig_override(SEL_PSE, "6A82");
	assert_int_equal(read_via("emvrig", &o), 0);
	assert_string_equal(o.pan, PAN);
	/* NAPAS first in the list: found at once. */
	assert_null(strstr(emv_rig.log, "A0000000031010"));
}

static void
t_regular_card(void **state)
{
	char dir[512];
	struct out o;

	(void)state;
	unlink(card_path);
	snprintf(dir, sizeof(dir), "%s", card_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	emv_rig_make_card(card_path, sizeof(card_path), NULL, NULL, 0);
	assert_int_equal(read_via("vcard", &o), UC_ERR_SW_NOT_FOUND);
	assert_clean_failure(&o);
}

/* One hostile answer; the read must fail with err. */
static void
hostile(const char *prefix, const char *resp, int err)
{
	struct out o;

	emv_rig_reset();
	emv_rig_override(prefix, resp);
	assert_int_equal(read_via("emvrig", &o), err);
	assert_clean_failure(&o);
}

static void
t_truncated(void **state)
{
	(void)state;
	/* 70 claims 0x24 bytes, has fewer. */
	hostile(RR1, "7024570F9704151234567890D3002620000000005A08970415"
	    "12345678909000", UC_ERR_PROTOCOL);
	/* A 5A cut short inside a correct 70. */
	hostile(RR1, "70045A0897049000", UC_ERR_PROTOCOL);
	hostile(GPO, "770A820218009404080102" "9000", UC_ERR_PROTOCOL);
	hostile(SEL_PPSE, "6F2F840E3250419000", UC_ERR_PROTOCOL);
	/* Indefinite length. */
	hostile(RR1, "70805A0897041512345678900000" "9000", UC_ERR_PROTOCOL);
}

static void
t_wrong_tags(void **state)
{
	(void)state;
	hostile(RR1, "710A5A0897041512345678909000", UC_ERR_PROTOCOL);
	hostile(GPO, "780A8202180094040801020" "09000", UC_ERR_PROTOCOL);
	/* Format 2 without an AFL. */
	hostile(GPO, "770482021800" "9000", UC_ERR_PROTOCOL);
	/* FCI of the application names another AID. */
	hostile(SEL_NAPAS, "6F0B8407A0000000031010A500" "9000",
	    UC_ERR_PROTOCOL);
	/* PPSE directory entry without 4F. */
	hostile(SEL_PPSE, "6F1D840E325041592E5359532E4444463031A50BBF0C08"
	    "6106870101500100" "9000", UC_ERR_PROTOCOL);
	/* AFL with SFI 0, and with last < first. */
	hostile(GPO, "770A820218009404000102009000", UC_ERR_PROTOCOL);
	hostile(GPO, "770A820218009404080201009000", UC_ERR_PROTOCOL);
	/* Trailing bytes after the template. */
	hostile(RR2, "700A5F280207045F3002062000" "9000", UC_ERR_PROTOCOL);
	/* A non-BCD nibble in the PAN. */
	hostile(RR1, "700A5A0897041512345678A0" "9000", UC_ERR_PROTOCOL);
}

static void
t_no_pan(void **state)
{
	(void)state;
	hostile(RR1, "70095F24033012315F340101" "9000", UC_ERR_PROTOCOL);
}

static void
t_not_luhn(void **state)
{
	(void)state;
	/* 5A and 57 agree on a PAN with a wrong check digit. */
	hostile(RR1, "701F570F9704151234567891D3012620000000005A08970415"
	    "12345678915F2403301231" "9000", UC_ERR_PROTOCOL);
}

static void
t_disagree(void **state)
{
	(void)state;
	/* 57 says one PAN, 5A another (both Luhn-valid). */
	hostile(RR1, "701F570F9704151234567890D3012620000000005A08970415"
	    "98765432105F2403301231" "9000", UC_ERR_PROTOCOL);
	/* Expiry in 57 and 5F24 disagree. */
	hostile(RR1, "701F570F9704151234567890D3012620000000005A08970415"
	    "12345678905F2403291231" "9000", UC_ERR_PROTOCOL);
}

static void
t_oversized(void **state)
{
	char *big;
	size_t i, n = 2 * (4 + 1200 + 2) + 1;

	(void)state;
	/* 70 82 04 B0 + 1200 bytes of an unknown tag's value: well formed,
	 * but larger than any record we accept. */
	big = malloc(n);
	assert_non_null(big);
	strcpy(big, "708204B0DF8104AB");
	for (i = strlen(big); i < 2 * (4 + 1200); i++)
		big[i] = '0';
	strcpy(big + 2 * (4 + 1200), "9000");
	hostile(RR1, big, UC_ERR_PROTOCOL);
	free(big);
	/* A record 5A of 11 bytes (20+ digits). */
	hostile(RR1, "700D5A0B9704151234567890123456" "9000",
	    UC_ERR_PROTOCOL);
}

static void
t_refusals(void **state)
{
	(void)state;
	hostile(GPO, "6985", UC_ERR_SW_CONDITIONS);
	hostile(RR1, "6A83", UC_ERR_SW);
}

/* The PAN never reaches the trace file. */
static void
t_trace(void **state)
{
	char tpath[] = "/tmp/uc-linked-trace.XXXXXX";
	struct uc_transport *t = NULL;
	struct uc_trace *tr = NULL;
	struct out o;
	char name[600], text[8192];
	FILE *f;
	size_t n;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(tpath)) >= 0);
	close(fd);
	snprintf(name, sizeof(name), "vcard:%s", card_path);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(uc_trace_open(tpath, &tr), 0);
	uc_transport_set_trace(t, tr);
	assert_int_equal(uc_transport_connect(t, 0, NULL, NULL), 0);
	assert_int_equal(uc_emv_read_pan(t, o.pan, o.expiry, o.aid,
	    &o.aid_len), 0);
	assert_string_equal(o.pan, PAN);
	uc_transport_free(&t);
	uc_trace_free(&tr);
	assert_non_null(f = fopen(tpath, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(tpath);
	/* The flow is there, the number is not. */
	assert_non_null(strstr(text, "> 00B2010C00"));
	assert_non_null(strstr(text, "> 80A8000002830000"));
	assert_non_null(strstr(text, "****9000"));
	assert_null(strstr(text, "970415"));
	assert_null(strstr(text, "34567890"));
}

/* The pure record parser. */
static void
t_parse_record(void **state)
{
	char pan[20] = "", exp[5] = "";
	struct uc_diag d;

	(void)state;
	assert_int_equal(uc_emv_parse_record((const uint8_t *)"\x70\x00", 2,
	    pan, exp, &d), 0);
	assert_string_equal(pan, "");
	assert_int_equal(uc_emv_parse_record((const uint8_t *)
	    "\x70\x0D\x5A\x08\x97\x04\x15\x12\x34\x56\x78\x90"
	    "\x5F\x24\x03\x30\x12\x31", 15, pan, exp, &d), UC_ERR_PROTOCOL);
	assert_int_equal(uc_emv_parse_record((const uint8_t *)
	    "\x70\x10\x5A\x08\x97\x04\x15\x12\x34\x56\x78\x90"
	    "\x5F\x24\x03\x30\x12\x31", 18, pan, exp, &d), 0);
	assert_string_equal(pan, PAN);
	assert_string_equal(exp, "3012");
	/* A month 13 expiry. */
	pan[0] = exp[0] = '\0';
	assert_int_equal(uc_emv_parse_record((const uint8_t *)
	    "\x70\x06\x5F\x24\x03\x30\x13\x31", 8, pan, exp, &d),
	    UC_ERR_PROTOCOL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_ppse, setup, teardown),
		cmocka_unit_test_setup_teardown(t_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(t_pse_fallback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_direct_fallback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_regular_card, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(t_wrong_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(t_no_pan, setup, teardown),
		cmocka_unit_test_setup_teardown(t_not_luhn, setup, teardown),
		cmocka_unit_test_setup_teardown(t_disagree, setup, teardown),
		cmocka_unit_test_setup_teardown(t_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(t_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(t_trace, setup, teardown),
		cmocka_unit_test(t_parse_record),
	};

	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
