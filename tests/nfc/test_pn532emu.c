/*
 * test_pn532emu.c - the PN532 emulator's frame parser and command answers,
 * fed byte strings directly (no pty, no libnfc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "vcard/pn532emu.h"
#include "testcard.h"

static const uint8_t serial[8] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
};
static const uint8_t ack[6] = { 0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00 };

struct fx {
	struct testcard tc;
	struct uc_pn532emu_card card;
	struct uc_pn532emu *e;
	struct uc_buf out;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	testcard_init(&f->tc, serial, &f->card);
	assert_int_equal(uc_pn532emu_new(&f->card, &f->e), 0);
	uc_buf_init(&f->out);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	uc_pn532emu_free(&f->e);
	assert_null(f->e);
	uc_buf_free(&f->out);
	free(f);
	return 0;
}

/* A host frame (D4 + body) as libnfc builds it; normal or extended. */
static size_t
host_frame(const uint8_t *body, size_t n, uint8_t *f)
{
	size_t k = 0, i, len = n + 1;
	uint8_t dcs = 0xD4;

	f[k++] = 0x00;
	f[k++] = 0x00;
	f[k++] = 0xFF;
	if (len <= 255) {
		f[k++] = (uint8_t)len;
		f[k++] = (uint8_t)(0x100 - len);
	} else {
		f[k++] = 0xFF;
		f[k++] = 0xFF;
		f[k++] = (uint8_t)(len >> 8);
		f[k++] = (uint8_t)len;
		f[k++] = (uint8_t)(0x100 - ((len >> 8) + (len & 0xFF)));
	}
	f[k++] = 0xD4;
	for (i = 0; i < n; i++) {
		f[k++] = body[i];
		dcs = (uint8_t)(dcs + body[i]);
	}
	f[k++] = (uint8_t)(0x100 - dcs);
	f[k++] = 0x00;
	return k;
}

static void
send(struct fx *f, const uint8_t *body, size_t n)
{
	uint8_t fr[300];
	size_t k = host_frame(body, n, fr);

	assert_int_equal(uc_pn532emu_input(f->e, fr, k, &f->out), 0);
}

/*
 * Check that out holds ACK + one response frame for cmd; return a pointer
 * to its payload (after D5 CMD+1) and its length; consume it.
 */
static const uint8_t *
reply(struct fx *f, uint8_t cmd, size_t *n)
{
	static uint8_t copy[70000];
	const uint8_t *p = f->out.data;
	size_t len, hdr, i;
	uint8_t sum = 0;

	assert_true(f->out.len >= 6 + 9);
	assert_memory_equal(p, ack, 6);
	p += 6;
	assert_int_equal(p[0], 0x00);
	assert_int_equal(p[1], 0x00);
	assert_int_equal(p[2], 0xFF);
	if (p[3] == 0xFF && p[4] == 0xFF) {
		len = ((size_t)p[5] << 8) | p[6];
		assert_int_equal((uint8_t)(p[5] + p[6] + p[7]), 0);
		hdr = 8;
	} else {
		len = p[3];
		assert_int_equal((uint8_t)(p[3] + p[4]), 0);
		hdr = 5;
	}
	assert_int_equal(f->out.len, 6 + hdr + len + 2);
	for (i = 0; i < len + 1; i++)
		sum = (uint8_t)(sum + p[hdr + i]);
	assert_int_equal(sum, 0);
	assert_int_equal(p[hdr + len + 1], 0x00);
	assert_int_equal(p[hdr], 0xD5);
	assert_int_equal(p[hdr + 1], cmd + 1);
	*n = len - 2;
	memcpy(copy, p + hdr + 2, *n);
	uc_buf_reset(&f->out);
	return copy;
}

static void
test_firmware_version(void **state)
{
	struct fx *f = *state;
	const uint8_t body[] = { 0x02 };
	const uint8_t fw[] = { 0x32, 0x01, 0x06, 0x07 };
	const uint8_t *p;
	size_t n;

	send(f, body, sizeof(body));
	p = reply(f, 0x02, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(p, fw, 4);
}

static void
test_wakeup_and_byte_at_a_time(void **state)
{
	struct fx *f = *state;
	const uint8_t wake[] = { 0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t body[] = { 0x00, 0x00, 'l', 'i', 'b', 'n', 'f', 'c' };
	uint8_t fr[64];
	const uint8_t *p;
	size_t k, i, n;
	struct uc_pn532emu_stats st;

	assert_int_equal(uc_pn532emu_input(f->e, wake, sizeof(wake),
	    &f->out), 0);
	assert_int_equal(f->out.len, 0);
	k = host_frame(body, sizeof(body), fr);
	for (i = 0; i < k; i++)
		assert_int_equal(uc_pn532emu_input(f->e, fr + i, 1, &f->out),
		    0);
	p = reply(f, 0x00, &n);
	/* Diagnose 00 echoes NumTst and the data, as libnfc checks. */
	assert_int_equal(n, 7);
	assert_memory_equal(p, body + 1, 7);
	uc_pn532emu_stats(f->e, &st);
	assert_int_equal(st.garbage, 0);
	assert_int_equal(st.frames, 1);
}

static void
test_bad_checksums_dropped(void **state)
{
	struct fx *f = *state;
	const uint8_t body[] = { 0x02 };
	uint8_t fr[32];
	size_t k, n;
	struct uc_pn532emu_stats st;

	k = host_frame(body, sizeof(body), fr);
	fr[k - 2] ^= 0x01; /* DCS */
	assert_int_equal(uc_pn532emu_input(f->e, fr, k, &f->out), 0);
	assert_int_equal(f->out.len, 0);
	k = host_frame(body, sizeof(body), fr);
	fr[4] ^= 0x10; /* LCS */
	assert_int_equal(uc_pn532emu_input(f->e, fr, k, &f->out), 0);
	assert_int_equal(f->out.len, 0);
	uc_pn532emu_stats(f->e, &st);
	assert_int_equal(st.bad_frames, 2);
	assert_int_equal(st.frames, 0);
	/* and the next good frame is answered */
	send(f, body, sizeof(body));
	(void)reply(f, 0x02, &n);
}

static void
test_truncated_frame_resyncs(void **state)
{
	struct fx *f = *state;
	/* claims LEN 5 but carries only D4 02 */
	const uint8_t cut[] = { 0x00, 0x00, 0xFF, 0x05, 0xFB, 0xD4, 0x02 };
	const uint8_t body[] = { 0x02 };
	size_t n;

	assert_int_equal(uc_pn532emu_input(f->e, cut, sizeof(cut), &f->out),
	    0);
	/* The next frame is swallowed as the rest of the cut one... */
	send(f, body, sizeof(body));
	assert_int_equal(f->out.len, 0);
	/* ...and the parser is back in step for the one after. */
	send(f, body, sizeof(body));
	(void)reply(f, 0x02, &n);
}

static void
test_oversized_len_rejected(void **state)
{
	struct fx *f = *state;
	/* extended frame claiming 0x0200 bytes, above UC_PN532EMU_LEN_MAX */
	const uint8_t big[] = { 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x02, 0x00,
	    0xFE, 0xD4, 0x02 };
	/* normal frame claiming LEN 1: no room for a command code */
	const uint8_t tiny[] = { 0x00, 0x00, 0xFF, 0x01, 0xFF, 0xD4, 0x2C,
	    0x00 };
	const uint8_t body[] = { 0x02 };
	struct uc_pn532emu_stats st;
	size_t n;

	assert_int_equal(uc_pn532emu_input(f->e, big, sizeof(big), &f->out),
	    0);
	assert_int_equal(uc_pn532emu_input(f->e, tiny, sizeof(tiny),
	    &f->out), 0);
	assert_int_equal(f->out.len, 0);
	uc_pn532emu_stats(f->e, &st);
	assert_int_equal(st.bad_frames, 2);
	send(f, body, sizeof(body));
	(void)reply(f, 0x02, &n);
}

static void
test_garbage_between_frames(void **state)
{
	struct fx *f = *state;
	const uint8_t junk[] = { 0x12, 0x34, 0xFF, 0xD4, 0x56, 0x00, 0x07 };
	const uint8_t body[] = { 0x02 };
	struct uc_pn532emu_stats st;
	size_t n;

	send(f, body, sizeof(body));
	(void)reply(f, 0x02, &n);
	assert_int_equal(uc_pn532emu_input(f->e, junk, sizeof(junk),
	    &f->out), 0);
	assert_int_equal(f->out.len, 0);
	send(f, body, sizeof(body));
	(void)reply(f, 0x02, &n);
	uc_pn532emu_stats(f->e, &st);
	assert_int_equal(st.frames, 2);
	assert_true(st.garbage >= 5);
}

static void
test_wrong_tfi_ignored(void **state)
{
	struct fx *f = *state;
	/* a chip-to-host frame (TFI D5) sent by the host */
	const uint8_t fr[] = { 0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD5, 0x02,
	    0x29, 0x00 };

	assert_int_equal(uc_pn532emu_input(f->e, fr, sizeof(fr), &f->out), 0);
	assert_int_equal(f->out.len, 0);
}

static void
test_ack_and_nack(void **state)
{
	struct fx *f = *state;
	const uint8_t nack[] = { 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00 };
	const uint8_t body[] = { 0x02 };
	uint8_t first[64];
	size_t len;

	assert_int_equal(uc_pn532emu_input(f->e, ack, sizeof(ack), &f->out),
	    0);
	assert_int_equal(f->out.len, 0); /* nothing to resend yet */
	assert_int_equal(uc_pn532emu_input(f->e, nack, sizeof(nack),
	    &f->out), 0);
	assert_int_equal(f->out.len, 0);
	send(f, body, sizeof(body));
	len = f->out.len - 6;
	memcpy(first, f->out.data + 6, len);
	uc_buf_reset(&f->out);
	assert_int_equal(uc_pn532emu_input(f->e, nack, sizeof(nack),
	    &f->out), 0);
	assert_int_equal(f->out.len, len);
	assert_memory_equal(f->out.data, first, len);
}

static void
test_unknown_command_error_frame(void **state)
{
	struct fx *f = *state;
	const uint8_t body[] = { 0x8C, 0x00 }; /* TgInitAsTarget */
	const uint8_t err[] = { 0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81,
	    0x00 };

	send(f, body, sizeof(body));
	assert_int_equal(f->out.len, 6 + sizeof(err));
	assert_memory_equal(f->out.data, ack, 6);
	assert_memory_equal(f->out.data + 6, err, sizeof(err));
}

/* RF field on, then list: one target with our UID and ATS. */
static void
field_and_select(struct fx *f)
{
	const uint8_t rf_on[] = { 0x32, 0x01, 0x01 };
	const uint8_t list[] = { 0x4A, 0x01, 0x00 };
	const uint8_t *p;
	size_t n;

	send(f, rf_on, sizeof(rf_on));
	(void)reply(f, 0x32, &n);
	assert_int_equal(n, 0);
	send(f, list, sizeof(list));
	p = reply(f, 0x4A, &n);
	/* NbTg Tg ATQA(2) SAK UIDlen UID(7) TL T0 TA TB TC hist(9) */
	assert_int_equal(n, 1 + 1 + 2 + 1 + 1 + 7 + 5 + 9);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 1);
	assert_int_equal(p[2], 0x00);
	assert_int_equal(p[3], 0x44);
	assert_int_equal(p[4], 0x20);
	assert_int_equal(p[5], 7);
	assert_memory_equal(p + 6, serial, 7);
	assert_int_equal(p[13], 5 + 9);
	assert_memory_equal(p + 18, "UNIONCARD", 9);
}

static void
test_list_needs_field_and_card(void **state)
{
	struct fx *f = *state;
	const uint8_t list[] = { 0x4A, 0x01, 0x00 };
	const uint8_t felica[] = { 0x4A, 0x01, 0x01, 0x00, 0xFF, 0xFF, 0x01,
	    0x00 };
	const uint8_t *p;
	size_t n;

	send(f, list, sizeof(list)); /* field still off */
	p = reply(f, 0x4A, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 0);
	field_and_select(f);
	send(f, felica, sizeof(felica));
	p = reply(f, 0x4A, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 0);
	uc_pn532emu_set_present(f->e, 0);
	send(f, list, sizeof(list));
	p = reply(f, 0x4A, &n);
	assert_int_equal(p[0], 0);
}

static void
test_select_applet_through_data_exchange(void **state)
{
	struct fx *f = *state;
	const uint8_t sel[] = { 0x40, 0x01, 0x00, 0xA4, 0x04, 0x00, 0x0B,
	    0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43, 0x41, 0x52, 0x44, 0x01,
	    0x00 };
	const uint8_t *p;
	size_t n;

	field_and_select(f);
	assert_int_equal(f->tc.power_ups, 1);
	send(f, sel, sizeof(sel));
	p = reply(f, 0x40, &n);
	assert_int_equal(p[0], 0x00);
	assert_int_equal(p[n - 2], 0x90);
	assert_int_equal(p[n - 1], 0x00);
	assert_memory_equal(p + n - 2 - 8, serial, 8);
}

static void
test_long_answer_extended_frame(void **state)
{
	struct fx *f = *state;
	const uint8_t cmd[] = { 0x40, 0x01, 0x00, 0xEE, 0x00, 0x00, 0x00 };
	const uint8_t *p;
	size_t n;

	field_and_select(f);
	send(f, cmd, sizeof(cmd));
	p = reply(f, 0x40, &n); /* checks the extended header */
	assert_int_equal(n, 1 + 256 + 2);
	assert_int_equal(p[0], 0x00);
	assert_int_equal(p[1 + 255], 0xFF);
	assert_int_equal(p[1 + 256], 0x90);
}

static int
big_process(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
    size_t cap, size_t *rlen)
{
	size_t i;

	(void)ctx;
	(void)cmd;
	(void)n;
	assert_true(cap >= 602);
	for (i = 0; i < 600; i++)
		resp[i] = (uint8_t)(i * 7);
	resp[600] = 0x90;
	resp[601] = 0x00;
	*rlen = 602;
	return 0;
}

static void
test_answer_chained_with_mi(void **state)
{
	struct fx *f = *state;
	const uint8_t cmd[] = { 0x40, 0x01, 0x00, 0xB0, 0x00, 0x00, 0x00 };
	const uint8_t more[] = { 0x40, 0x01 };
	uint8_t all[700];
	const uint8_t *p;
	size_t n, got = 0, i;

	uc_pn532emu_free(&f->e);
	f->card.process = big_process;
	assert_int_equal(uc_pn532emu_new(&f->card, &f->e), 0);
	field_and_select(f);
	send(f, cmd, sizeof(cmd));
	for (i = 0; i < 10; i++) {
		p = reply(f, 0x40, &n);
		assert_true(n >= 1 && n <= 1 + UC_PN532EMU_CHUNK_MAX);
		assert_true(got + n - 1 <= sizeof(all));
		memcpy(all + got, p + 1, n - 1);
		got += n - 1;
		if ((p[0] & 0x40) == 0)
			break;
		send(f, more, sizeof(more));
	}
	assert_int_equal(got, 602);
	for (i = 0; i < 600; i++)
		assert_int_equal(all[i], (uint8_t)(i * 7));
	assert_int_equal(all[600], 0x90);
}

static void
test_remove_after_times_out(void **state)
{
	struct fx *f = *state;
	const uint8_t cmd[] = { 0x40, 0x01, 0x00, 0xCA, 0x00, 0xFF, 0x00 };
	const uint8_t ping[] = { 0x42, 0xB2 };
	const uint8_t *p;
	size_t n;

	field_and_select(f);
	uc_pn532emu_set_remove_after(f->e, 2);
	send(f, cmd, sizeof(cmd));
	p = reply(f, 0x40, &n);
	assert_int_equal(p[0], 0x00);
	send(f, ping, sizeof(ping));
	p = reply(f, 0x42, &n);
	assert_int_equal(p[0], 0x00); /* still there: R(ACK) */
	assert_int_equal(p[1], 0xA2);
	send(f, cmd, sizeof(cmd));
	p = reply(f, 0x40, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 0x01); /* timeout: the card is gone */
	assert_false(uc_pn532emu_present(f->e));
	assert_false(f->tc.powered);
	send(f, ping, sizeof(ping));
	p = reply(f, 0x42, &n);
	assert_int_equal(p[0], 0x01);
}

static void
test_auto_poll(void **state)
{
	struct fx *f = *state;
	const uint8_t rf_on[] = { 0x32, 0x01, 0x01 };
	const uint8_t poll_a[] = { 0x60, 0x01, 0x01, 0x10, 0x20 };
	const uint8_t poll_felica[] = { 0x60, 0x01, 0x01, 0x11, 0x12 };
	const uint8_t *p;
	size_t n;

	send(f, rf_on, sizeof(rf_on));
	(void)reply(f, 0x32, &n);
	send(f, poll_felica, sizeof(poll_felica));
	p = reply(f, 0x60, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 0);
	send(f, poll_a, sizeof(poll_a));
	p = reply(f, 0x60, &n);
	/* NbTg, type 20 (ISO 14443-4A), length, then InList's target data */
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 0x20);
	assert_int_equal(p[2], n - 3);
	assert_int_equal(p[3], 1);
	assert_memory_equal(p + 3 + 5, serial, 7);
}

static void
test_atr_historical(void **state)
{
	/* 3B 8A 80 01 + 10 historical bytes + TCK */
	const uint8_t atr[] = { 0x3B, 0x8A, 0x80, 0x01, 1, 2, 3, 4, 5, 6, 7,
	    8, 9, 10, 0x00 };
	/* TD1 says TD2 follows, but the ATR ends */
	const uint8_t cut[] = { 0x3B, 0x80, 0x80 };
	/* claims 5 historical bytes, has 2 */
	const uint8_t short_hist[] = { 0x3B, 0x05, 0x01, 0x02 };
	uint8_t h[UC_PN532EMU_HIST_MAX];
	size_t n;

	(void)state;
	assert_int_equal(uc_pn532emu_atr_historical(atr, sizeof(atr), h, &n),
	    0);
	assert_int_equal(n, 10);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[9], 10);
	assert_int_equal(uc_pn532emu_atr_historical(cut, sizeof(cut), h, &n),
	    UC_ERR_PROTOCOL);
	assert_int_equal(n, 0);
	assert_int_equal(uc_pn532emu_atr_historical(short_hist,
	    sizeof(short_hist), h, &n), UC_ERR_PROTOCOL);
}

static void
test_bad_args(void **state)
{
	struct uc_pn532emu_card card;
	struct uc_pn532emu *e = (struct uc_pn532emu *)&card;

	(void)state;
	memset(&card, 0, sizeof(card));
	assert_int_equal(uc_pn532emu_new(&card, &e), UC_ERR_ARG);
	assert_null(e);
	uc_pn532emu_free(NULL);
	uc_pn532emu_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_firmware_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wakeup_and_byte_at_a_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksums_dropped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_frame_resyncs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_len_rejected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_between_frames,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_tfi_ignored, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ack_and_nack, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_unknown_command_error_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_needs_field_and_card,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_select_applet_through_data_exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_long_answer_extended_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_chained_with_mi,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_after_times_out,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_poll, setup,
		    teardown),
		cmocka_unit_test(test_atr_historical),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
