/*
 * test_emv_app.c - the bank payment application of a linked virtual card
 * (src/vcard/emv.c, applets-spec/linked-card.md): every command, wrong
 * parameters, the records the AFL lists, and how it sits beside the union
 * applet on logical channel 0.
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

#include "unioncard/buf.h"
#include "unioncard/tlv.h"
#include "vcard/vcard.h"

#include "emv_rig.h"

#define PAN "9704151234567890"
#define PAN19 "9704151234567890124"

#define SEL_PPSE "00A404000E325041592E5359532E444446303100"
#define SEL_PSE "00A404000E315041592E5359532E444446303100"
#define SEL_NAPAS "00A4040007A000000727101000"
#define SEL_UNION "00A404000BF0554E494F4E4341524401" "00"
#define GPO "80A8000002830000"
#define RR(p1, p2) "00B2" p1 p2 "00"

struct fx {
	char path[512];
	struct uc_vcard *card;
};

static struct fx *
card(void **state, const char *pan, const char *expiry, int linked)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	emv_rig_make_card(f->path, sizeof(f->path), pan, expiry, linked);
	assert_int_equal(uc_vcard_load(f->path, &f->card, NULL), 0);
	*state = f;
	return f;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char dir[512];

	if (f == NULL)
		return 0;
	uc_vcard_free(&f->card);
	unlink(f->path);
	snprintf(dir, sizeof(dir), "%s", f->path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	free(f);
	return 0;
}

/* Send hex, return the SW; data (may be NULL) gets the response data. */
static uint16_t
tx(struct fx *f, const char *hex, struct uc_buf *data)
{
	uint8_t cmd[300], resp[4096];
	size_t n = 0, rn = 0;

	assert_int_equal(uc_hex_decode(hex, cmd, sizeof(cmd), &n), 0);
	assert_int_equal(uc_vcard_process(f->card, cmd, n, resp, sizeof(resp),
	    &rn), 0);
	assert_true(rn >= 2);
	if (data != NULL) {
		uc_buf_reset(data);
		assert_int_equal(uc_buf_append(data, resp, rn - 2), 0);
	}
	return (uint16_t)(resp[rn - 2] << 8 | resp[rn - 1]);
}

static void
assert_hex(const struct uc_buf *b, const char *hex)
{
	char *h = uc_hex_dup(b->data, b->len);

	assert_non_null(h);
	assert_string_equal(h, hex);
	free(h);
}

/* The exact answers, also printed in applets-spec/linked-card.md. */
static void
t_ppse(void **state)
{
	struct fx *f = card(state, PAN, "3012", 1);
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(tx(f, SEL_PPSE, &b), 0x9000);
	assert_hex(&b, "6F33840E325041592E5359532E4444463031A521BF0C1E611C4F"
	    "07A0000007271010500E56494554494E42414E4B2041544D870101");
	/* No records in the PPSE. */
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x6A82);
	/* GPO needs the payment application. */
	assert_int_equal(tx(f, GPO, &b), 0x6985);
	uc_buf_free(&b);
}

static void
t_pse(void **state)
{
	struct fx *f = card(state, PAN, "3012", 1);
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(tx(f, SEL_PSE, &b), 0x9000);
	assert_hex(&b, "6F1C840E315041592E5359532E4444463031A50A88010"
	    "15F2D047669656E");
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x9000);
	assert_hex(&b, "701E611C4F07A0000007271010500E56494554494E42414E4B"
	    "2041544D870101");
	assert_int_equal(tx(f, RR("02", "0C"), &b), 0x6A83);
	assert_int_equal(tx(f, RR("01", "14"), &b), 0x6A82); /* SFI 2 */
	assert_int_equal(tx(f, RR("00", "0C"), &b), 0x6A86); /* record 0 */
	assert_int_equal(tx(f, RR("01", "0D"), &b), 0x6A86); /* P2 b3-1 */
	uc_buf_free(&b);
}

static void
t_select_app(void **state)
{
	struct fx *f = card(state, PAN, "3012", 1);
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(tx(f, SEL_NAPAS, &b), 0x9000);
	assert_hex(&b, "6F258407A0000007271010A51A500E56494554494E42414E4B"
	    "2041544D8701015F2D047669656E");
	assert_int_equal(tx(f, "00A4040C07A0000007271010", &b), 0x9000);
	assert_int_equal(b.len, 0);
	/* Next occurrence: there is none. */
	assert_int_equal(tx(f, "00A4040207A000000727101000", &b), 0x6A82);
	assert_int_equal(tx(f, "00A4040407A000000727101000", &b), 0x6A86);
	assert_int_equal(tx(f, "80A4040007A000000727101000", &b), 0x6E00);
	/* A partial AID is not ours: the union applet answers 6A82. */
	assert_int_equal(tx(f, "00A4040006A0000007271000", &b), 0x6A82);
	uc_buf_free(&b);
}

static void
t_gpo(void **state)
{
	struct fx *f = card(state, PAN, "3012", 1);
	struct uc_buf b = UC_BUF_INIT;

	/* The union applet is selected at power-on: it has no GPO. */
	assert_int_equal(tx(f, GPO, &b), 0x6D00);
	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x9000);
	assert_int_equal(tx(f, "80A8010002830000", &b), 0x6A86);
	assert_int_equal(tx(f, "80A8000003830100" "00", &b), 0x6700);
	assert_int_equal(tx(f, "00A8000002830000", &b), 0x6E00);
	/* READ RECORD before GPO. */
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x6985);
	assert_int_equal(tx(f, GPO, &b), 0x9000);
	/* Format 2: AIP 1800, AFL SFI 1 records 1-2. */
	assert_hex(&b, "770A8202180094040801020" "0");
	/* Once per selection. */
	assert_int_equal(tx(f, GPO, &b), 0x6985);
	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x9000);
	assert_int_equal(tx(f, GPO, &b), 0x9000);
	uc_buf_free(&b);
}

static void
t_records(void **state)
{
	struct fx *f = card(state, PAN, "3002", 1);
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x9000);
	assert_int_equal(tx(f, GPO, NULL), 0x9000);
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x9000);
	/* 57: PAN D 3002 620 00000000; 5A: PAN; 5F24: 300228 (not leap);
	 * 5F34 sequence 01. */
	assert_hex(&b, "7026"
	    "5710" "9704151234567890D300262000000000"
	    "5A08" "9704151234567890"
	    "5F2403" "300228"
	    "5F340101");
	assert_int_equal(tx(f, RR("02", "0C"), &b), 0x9000);
	assert_hex(&b, "700A5F280207045F30020620");
	assert_int_equal(tx(f, RR("03", "0C"), &b), 0x6A83);
	assert_int_equal(tx(f, RR("01", "14"), &b), 0x6A82);
	assert_int_equal(tx(f, RR("00", "0C"), &b), 0x6A86);
	assert_int_equal(tx(f, "80B2010C00", &b), 0x6E00);
	assert_int_equal(tx(f, "00B2010C01AA00", &b), 0x6700);
	/* Le rules of union-applet.md §3: a short Le gets that much and
	 * 61xx; a long one 6C with the exact length. */
	assert_int_equal(tx(f, "00B2010C05", &b), 0x6123);
	assert_int_equal(b.len, 5);
	assert_int_equal(tx(f, "00B2010C30", &b), 0x6C28);
	assert_int_equal(tx(f, "00B2010C28", &b), 0x9000);
	assert_int_equal(b.len, 0x28);
	uc_buf_free(&b);
}

static void
t_odd_pan(void **state)
{
	struct fx *f = card(state, PAN19, "2802", 1);
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(tx(f, SEL_PPSE, NULL), 0x9000);
	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x9000);
	assert_int_equal(tx(f, GPO, NULL), 0x9000);
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x9000);
	/* 19 digits: F-padded; 2028 is a leap year. */
	assert_hex(&b, "702A"
	    "5712" "9704151234567890124D280262000000000F"
	    "5A0A" "9704151234567890124F"
	    "5F2403" "280229"
	    "5F340101");
	uc_buf_free(&b);
}

/* Selecting one application deselects the other. */
static void
t_coexistence(void **state)
{
	struct fx *f = card(state, PAN, "3012", 1);
	struct uc_buf b = UC_BUF_INIT;

	assert_int_equal(tx(f, "00CA00FF00", &b), 0x9000); /* union */
	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x9000);
	assert_int_equal(tx(f, "00CA00FF00", &b), 0x6D00); /* bank's */
	assert_int_equal(tx(f, "8050300008" "0102030405060708" "00", &b),
	    0x6D00);
	assert_int_equal(tx(f, GPO, NULL), 0x9000);
	/* An unknown AID: 6A82 and the selection stays. */
	assert_int_equal(tx(f, "00A4040005A00000000100", &b), 0x6A82);
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x9000);
	/* The union applet again: its FCI lists the bank AID (88). */
	assert_int_equal(tx(f, SEL_UNION, &b), 0x9000);
	assert_non_null(memmem(b.data, b.len, "\x88\x09\x4F\x07\xA0\x00\x00"
	    "\x07\x27\x10\x10", 11));
	assert_int_equal(tx(f, RR("01", "0C"), &b), 0x6D00);
	assert_int_equal(tx(f, "00CA00FF00", &b), 0x9000);
	/* Power cycle: the union applet is the default again. */
	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x9000);
	uc_vcard_power_off(f->card);
	uc_vcard_power_on(f->card);
	assert_int_equal(tx(f, GPO, NULL), 0x6D00);
	assert_int_equal(tx(f, "00CA00FF00", &b), 0x9000);
	uc_buf_free(&b);
}

/*
 * The union applet TERMINATED (its state file edited, as the vector
 * cards are built): the bank side answers as on any other card,
 * GET RESPONSE of its own answers included (linked-card.md §1).
 */
static void
terminate(struct fx *f)
{
	FILE *fp = fopen(f->path, "r");
	char text[8192], *at;
	size_t n;

	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	at = strstr(text, "\"BLANK\"");
	assert_non_null(at);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fprintf(fp, "%.*s\"TERMINATED\"%s", (int)(at - text), text,
	    at + strlen("\"BLANK\""));
	assert_int_equal(fclose(fp), 0);
	uc_vcard_free(&f->card);
	assert_int_equal(uc_vcard_load(f->path, &f->card, NULL), 0);
}

static void
t_terminated(void **state)
{
	struct fx *f = card(state, PAN, "3002", 1);
	struct uc_buf b = UC_BUF_INIT, all = UC_BUF_INIT;

	terminate(f);
	/* The union applet itself is dead. */
	assert_int_equal(tx(f, SEL_UNION, &b), 0x6283);
	assert_int_equal(tx(f, "00CA00FF00", &b), 0x6985);
	assert_int_equal(tx(f, "00C0000000", &b), 0x6985);
	/* The bank side: its FCI in two pieces, GET RESPONSE continuing. */
	assert_int_equal(tx(f, "00A4040007A000000727101005", &b), 0x6122);
	assert_int_equal(b.len, 5);
	assert_int_equal(uc_buf_append(&all, b.data, b.len), 0);
	assert_int_equal(tx(f, "00C0000022", &b), 0x9000);
	assert_int_equal(uc_buf_append(&all, b.data, b.len), 0);
	assert_hex(&all, "6F258407A0000007271010A51A500E56494554494E42414E4B"
	    "2041544D8701015F2D047669656E");
	assert_int_equal(tx(f, GPO, NULL), 0x9000);
	assert_int_equal(tx(f, "00B2010C05", &b), 0x6123);
	assert_int_equal(tx(f, "00C0000000", &b), 0x9000);
	assert_int_equal(b.len, 0x23);
	/* Nothing waiting: the bank side's GET RESPONSE answers as it
	 * would on a card whose union applet lives. */
	assert_int_equal(tx(f, "00C0000000", &b), 0x6985);
	assert_int_equal(tx(f, "00C0010000", &b), 0x6A86);
	assert_int_equal(tx(f, SEL_PPSE, &b), 0x9000);
	assert_int_equal(b.len, 0x35);
	/* The union applet's own answer waiting: it is the union applet's
	 * GET RESPONSE, refused while it is TERMINATED. */
	assert_int_equal(tx(f, "00A404000BF0554E494F4E434152440105", &b) &
	    0xFF00, 0x6100);
	assert_int_equal(b.len, 5);
	assert_int_equal(tx(f, "00C0000000", &b), 0x6985);
	assert_int_equal(tx(f, GPO, NULL), 0x6D00);
	uc_buf_free(&b);
	uc_buf_free(&all);
}

/* A regular card has no bank application at all. */
static void
t_regular(void **state)
{
	struct fx *f = card(state, NULL, NULL, 0);

	assert_int_equal(tx(f, SEL_PPSE, NULL), 0x6A82);
	assert_int_equal(tx(f, SEL_PSE, NULL), 0x6A82);
	assert_int_equal(tx(f, SEL_NAPAS, NULL), 0x6A82);
	assert_int_equal(tx(f, GPO, NULL), 0x6D00);
	assert_int_equal(tx(f, RR("01", "0C"), NULL), 0x6D00);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(t_ppse, teardown),
		cmocka_unit_test_teardown(t_pse, teardown),
		cmocka_unit_test_teardown(t_select_app, teardown),
		cmocka_unit_test_teardown(t_gpo, teardown),
		cmocka_unit_test_teardown(t_records, teardown),
		cmocka_unit_test_teardown(t_odd_pan, teardown),
		cmocka_unit_test_teardown(t_coexistence, teardown),
		cmocka_unit_test_teardown(t_regular, teardown),
		cmocka_unit_test_teardown(t_terminated, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
