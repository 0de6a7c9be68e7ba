/*
 * test_nfc_transport.c - the `nfc:` transport through the real libnfc
 * (pn532_uart driver) to the PN532 emulator on a pseudo-terminal, served
 * from a thread of this process with the trivial test card.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <termios.h>
#include <fcntl.h>

#include <cmocka.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "vcard/pn532emu.h"
#include "unioncard/transport.h"
#include "transport/transport_nfc.h"
#include "testcard.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

static const uint8_t serial[8] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
};
static const uint8_t select_union[] = {
	0x00, 0xA4, 0x04, 0x00, 0x0B, 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E,
	0x43, 0x41, 0x52, 0x44, 0x01, 0x00
};
static const struct uc_transport_ops *ops = &uc_transport_nfc_ops;

struct rig {
	struct testcard tc;
	struct uc_pn532emu_card card;
	struct uc_pn532emu *e;
	int master;
	char pts[256];
	char conn[300];
	pthread_t th;
	volatile sig_atomic_t stop, toggle;
	int serve_rc;
	void *link;
};

static void *
serve(void *arg)
{
	struct rig *g = arg;

	g->serve_rc = uc_pn532emu_serve(g->e, g->master, &g->stop, &g->toggle);
	return NULL;
}

static struct rig *
rig_start(unsigned long remove_after)
{
	struct rig *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	testcard_init(&g->tc, serial, &g->card);
	assert_int_equal(uc_pn532emu_new(&g->card, &g->e), 0);
	uc_pn532emu_set_remove_after(g->e, remove_after);
	assert_int_equal(uc_pn532emu_pty_open(&g->master, g->pts,
	    sizeof(g->pts)), 0);
	snprintf(g->conn, sizeof(g->conn), "pn532_uart:%s", g->pts);
	assert_int_equal(pthread_create(&g->th, NULL, serve, g), 0);
	return g;
}

static void
rig_stop(struct rig *g)
{
	if (g->link != NULL)
		ops->close(g->link);
	g->stop = 1;
	assert_int_equal(pthread_join(g->th, NULL), 0);
	assert_int_equal(g->serve_rc, 0);
	close(g->master);
	uc_pn532emu_free(&g->e);
	free(g);
}

static void
open_connect(struct rig *g)
{
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;

	assert_int_equal(ops->open(g->conn, &g->link), 0);
	assert_int_equal(ops->connect(g->link, 2000, atr, &atr_len), 0);
}

static void
xfer(struct rig *g, const uint8_t *cmd, size_t n, uint8_t *resp,
    size_t *rlen, uint16_t want_sw)
{
	assert_int_equal(ops->transmit(g->link, cmd, n, resp, 300, rlen), 0);
	assert_true(*rlen >= 2);
	assert_int_equal(((unsigned)resp[*rlen - 2] << 8) | resp[*rlen - 1],
	    want_sw);
}

static void
test_open_connect_atr(void **state)
{
	/* 3B 89 80 01 "UNIONCARD" TCK: PC/SC part 3 from the ATS */
	const uint8_t want[] = { 0x3B, 0x89, 0x80, 0x01, 0x55, 0x4E, 0x49,
	    0x4F, 0x4E, 0x43, 0x41, 0x52, 0x44, 0x00 };
	uint8_t atr[UC_ATR_MAX], exp[sizeof(want)];
	size_t atr_len, i;
	struct rig *g = rig_start(0);

	(void)state;
	memcpy(exp, want, sizeof(want));
	for (i = 1; i < sizeof(exp) - 1; i++)
		exp[sizeof(exp) - 1] ^= exp[i];
	assert_int_equal(ops->open(g->conn, &g->link), 0);
	assert_int_equal(ops->connect(g->link, 2000, atr, &atr_len), 0);
	assert_int_equal(atr_len, sizeof(exp));
	assert_memory_equal(atr, exp, sizeof(exp));
	rig_stop(g);
}

static void
test_select_and_commands(void **state)
{
	const uint8_t get_all[] = { 0x00, 0xCA, 0x00, 0xFF, 0x00 };
	const uint8_t bad_ins[] = { 0x00, 0x42, 0x00, 0x00, 0x00 };
	const uint8_t long_rsp[] = { 0x00, 0xEE, 0x00, 0x00, 0x00 };
	uint8_t resp[300];
	size_t n, i;
	struct rig *g = rig_start(0);

	(void)state;
	open_connect(g);
	xfer(g, select_union, sizeof(select_union), resp, &n, 0x9000);
	assert_int_equal(resp[0], 0x6F);
	/* the FCI's proprietary template ends with 81 08 <serial> */
	assert_int_equal(resp[n - 2 - 10], 0x81);
	assert_memory_equal(resp + n - 2 - 8, serial, 8);
	xfer(g, get_all, sizeof(get_all), resp, &n, 0x9000);
	assert_int_equal(n, 2);
	xfer(g, bad_ins, sizeof(bad_ins), resp, &n, 0x6D00);
	/* 256 data bytes + SW: an extended frame on the wire */
	xfer(g, long_rsp, sizeof(long_rsp), resp, &n, 0x9000);
	assert_int_equal(n, 258);
	for (i = 0; i < 256; i++)
		assert_int_equal(resp[i], (uint8_t)i);
	rig_stop(g);
}

/* Lc = 255: libnfc sends an extended frame, the card gets it whole. */
static void
test_long_command_extended_frame(void **state)
{
	uint8_t cmd[5 + 255], resp[300];
	size_t n;
	struct rig *g = rig_start(0);

	(void)state;
	memset(cmd, 0x5A, sizeof(cmd));
	cmd[0] = 0x00;
	cmd[1] = 0xEC; /* the test card echoes INS EC's data */
	cmd[2] = 0x00;
	cmd[3] = 0x00;
	cmd[4] = 0xFF;
	cmd[sizeof(cmd) - 1] = 0xA5;
	open_connect(g);
	xfer(g, cmd, sizeof(cmd), resp, &n, 0x9000);
	assert_int_equal(n, 255 + 2);
	assert_memory_equal(resp, cmd + 5, 255);
	rig_stop(g);
}

static void
test_command_too_long(void **state)
{
	uint8_t cmd[UC_NFC_APDU_MAX + 1], resp[300];
	size_t n;
	struct rig *g = rig_start(0);

	(void)state;
	memset(cmd, 0, sizeof(cmd));
	open_connect(g);
	assert_int_equal(ops->transmit(g->link, cmd, sizeof(cmd), resp,
	    sizeof(resp), &n), UC_ERR_RANGE);
	assert_int_equal(n, 0);
	/* the link still works */
	xfer(g, select_union, sizeof(select_union), resp, &n, 0x9000);
	rig_stop(g);
}

static void
test_card_removed_mid_command(void **state)
{
	const uint8_t get_all[] = { 0x00, 0xCA, 0x00, 0xFF, 0x00 };
	uint8_t resp[300], atr[UC_ATR_MAX];
	size_t n, atr_len;
	struct rig *g = rig_start(2);

	(void)state;
	open_connect(g);
	xfer(g, select_union, sizeof(select_union), resp, &n, 0x9000);
	/* the second APDU: the card leaves the field before answering */
	assert_int_equal(ops->transmit(g->link, get_all, sizeof(get_all),
	    resp, sizeof(resp), &n), UC_ERR_CARD_REMOVED);
	assert_int_equal(n, 0);
	/* no card until it comes back */
	assert_int_equal(ops->transmit(g->link, get_all, sizeof(get_all),
	    resp, sizeof(resp), &n), UC_ERR_NO_CARD);
	assert_int_equal(ops->connect(g->link, 300, atr, &atr_len),
	    UC_ERR_TIMEOUT);
	g->toggle = 1; /* put it back */
	assert_int_equal(ops->connect(g->link, 3000, atr, &atr_len), 0);
	xfer(g, select_union, sizeof(select_union), resp, &n, 0x9000);
	rig_stop(g);
}

static void
test_wait_removed_and_eject(void **state)
{
	uint8_t resp[300], atr[UC_ATR_MAX];
	size_t n, atr_len;
	struct rig *g = rig_start(0);

	(void)state;
	open_connect(g);
	assert_int_equal(ops->wait_removed(g->link, 200), UC_ERR_TIMEOUT);
	/* eject cycles the field: the card powers up afresh */
	assert_int_equal(ops->disconnect(g->link, 1), 0);
	assert_int_equal(ops->connect(g->link, 2000, atr, &atr_len), 0);
	xfer(g, select_union, sizeof(select_union), resp, &n, 0x9000);
	g->toggle = 1; /* the card leaves */
	assert_int_equal(ops->wait_removed(g->link, 3000), 0);
	rig_stop(g);
}

/*
 * A host killed in the middle of a frame, with libnfc's "claimed" mark
 * (a private c_iflag bit) still on the tty: the emulator must drop the
 * half frame when the host is gone, or the next host's wake-up and first
 * command vanish into the old frame and nfc_open() fails.  Where the
 * kernel keeps the mark (this machine's drops it in most sequences), the
 * emulator must lift it too.
 */
static void
test_killed_host_does_not_lock_out(void **state)
{
	uint8_t resp[300];
	size_t n;
	pid_t p;
	int st;
	struct rig *g = rig_start(0);

	(void)state;
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		/* LEN 0x20, but only 5 of its 32 bytes before the "crash" */
		static const uint8_t half[] = { 0x00, 0x00, 0xFF, 0x20, 0xE0,
		    0xD4, 0x40, 0x01, 0x00, 0xA4 };
		struct termios t;
		int fd = open(g->pts, O_RDWR | O_NOCTTY);

		if (fd < 0 || tcgetattr(fd, &t) != 0)
			_exit(1);
		t.c_iflag |= 0x80000000u;
		if (tcsetattr(fd, TCSANOW, &t) != 0 ||
		    write(fd, half, sizeof(half)) != (ssize_t)sizeof(half))
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	usleep(200 * 1000); /* the emulator polls every 20 ms between hosts */
	open_connect(g);
	xfer(g, select_union, sizeof(select_union), resp, &n, 0x9000);
	rig_stop(g);
}

/* The public path: registry, uc_transport_*, uc_apdu_exchange(). */
static void
test_through_registry(void **state)
{
	static const uint8_t aid[11] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E,
	    0x43, 0x41, 0x52, 0x44, 0x01 };
	struct uc_apdu sel = { 0x00, 0xA4, 0x04, 0x00, aid, sizeof(aid), 256,
	    0 };
	struct uc_apdu get = { 0x00, 0xCA, 0x00, 0xFF, NULL, 0, 256, 0 };
	struct uc_transport *t = NULL;
	struct uc_buf resp = UC_BUF_INIT;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	uint16_t sw;
	char name[320];
	struct rig *g = rig_start(0);

	(void)state;
	snprintf(name, sizeof(name), "nfc:%s", g->conn);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_string_equal(uc_transport_name(t), name);
	assert_int_equal(uc_transport_connect(t, 2000, atr, &atr_len), 0);
	assert_int_equal(atr[0], 0x3B);
	assert_int_equal(uc_apdu_exchange(t, &sel, 0, &resp, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_true(resp.len > 10);
	assert_memory_equal(resp.data + resp.len - 8, serial, 8);
	uc_buf_reset(&resp);
	assert_int_equal(uc_apdu_exchange(t, &get, 0, &resp, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(resp.len, 0);
	assert_int_equal(uc_transport_apdu_count(t), 2);
	uc_transport_free(&t);
	assert_null(t);
	uc_buf_free(&resp);
	rig_stop(g);
}

/* A libnfc device named by LIBNFC_DEVICE shows up in uc_readers_list. */
static void
test_readers_list(void **state)
{
	struct uc_reader_info *list = NULL;
	size_t n = 0, i;
	int found = 0, r;
	char want[320];

	(void)state;
	setenv("LIBNFC_DEVICE", "pn532_uart:/dev/null-reader", 1);
	r = uc_readers_list(&list, &n);
	unsetenv("LIBNFC_DEVICE");
	assert_int_equal(r, 0);
	snprintf(want, sizeof(want), "nfc:pn532_uart:/dev/null-reader");
	for (i = 0; i < n; i++)
		if (strcmp(list[i].name, want) == 0)
			found = 1;
	assert_true(found);
	free(list);
}

static void
test_no_reader(void **state)
{
	void *link = (void *)&link;

	(void)state;
	assert_int_equal(ops->open("pn532_uart:/nonexistent/tty", &link),
	    UC_ERR_NO_READER);
	assert_null(link);
	assert_int_equal(ops->open("nosuchdriver:x", &link),
	    UC_ERR_NO_READER);
	assert_non_null(strstr(TRANSPORT_WHY(), "nosuchdriver"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_connect_atr),
		cmocka_unit_test(test_select_and_commands),
		cmocka_unit_test(test_long_command_extended_frame),
		cmocka_unit_test(test_command_too_long),
		cmocka_unit_test(test_card_removed_mid_command),
		cmocka_unit_test(test_wait_removed_and_eject),
		cmocka_unit_test(test_killed_host_does_not_lock_out),
		cmocka_unit_test(test_through_registry),
		cmocka_unit_test(test_readers_list),
		cmocka_unit_test(test_no_reader),
	};

	/* Only the emulated reader: never probe this machine's ports. */
	setenv("LIBNFC_AUTO_SCAN", "false", 1);
	setenv("LIBNFC_INTRUSIVE_SCAN", "false", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
