/*
 * test_nfc_vcard.c - the whole contactless path through real processes:
 * `unioncard-vcard new` makes a card, `unioncard-pn532emu` puts it in the
 * field of an emulated PN532 on a pty, and this program reaches it through
 * libnfc, both with Debian's nfc-list and with the `nfc:` transport.
 * Every process started here is stopped here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"
#include "transport/transport_nfc.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

#define SERIAL_HEX "0102030405060708"

static const uint8_t serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t aid[11] = { 0xF0, 0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43,
	0x41, 0x52, 0x44, 0x01 };

/*
 * Emulators still running.  A failed assertion leaves a test early, so
 * whatever it started is stopped at exit (and by PR_SET_PDEATHSIG if this
 * program is killed outright, e.g. by the meson timeout).
 */
#define LIVE_MAX 8
static pid_t live[LIVE_MAX];

static void
stop_leftovers(void)
{
	int i, st;

	for (i = 0; i < LIVE_MAX; i++) {
		if (live[i] > 0) {
			kill(live[i], SIGTERM);
			waitpid(live[i], &st, 0);
			live[i] = 0;
		}
	}
}

static void
live_set(pid_t p, pid_t q)
{
	int i;

	for (i = 0; i < LIVE_MAX; i++) {
		if (live[i] == p) {
			live[i] = q;
			return;
		}
	}
}

struct rig {
	char dir[64];
	char state[128];
	char link[128];
	char reader[512];
	char pts[256];
	pid_t emu;
};

static const char *
build_dir(void)
{
	const char *b = getenv("UC_BUILD_DIR");

	return b != NULL ? b : ".";
}

/* Run a program to completion; its exit status. */
static int
run(char *const argv[])
{
	pid_t p = fork();
	int st;

	assert_true(p >= 0);
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
copy_file(const char *from, const char *to)
{
	FILE *in, *out;
	char buf[4096];
	size_t n;

	assert_non_null(in = fopen(from, "rb"));
	assert_non_null(out = fopen(to, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(fclose(in), 0);
	assert_int_equal(fclose(out), 0);
}

/* A card (a copy of card_src, else a new blank one) behind the emulator. */
static void
rig_start_card(struct rig *g, const char *card_src, char *opt, char *val)
{
	char vcard[512], emu[512];
	ssize_t n;
	int i;

	memset(g, 0, sizeof(*g));
	snprintf(g->dir, sizeof(g->dir), "/tmp/uc-nfc-XXXXXX");
	assert_non_null(mkdtemp(g->dir));
	snprintf(g->state, sizeof(g->state), "%s/card.json", g->dir);
	snprintf(g->link, sizeof(g->link), "%s/pn532", g->dir);
	snprintf(vcard, sizeof(vcard), "%s/src/tools/unioncard-vcard",
	    build_dir());
	snprintf(emu, sizeof(emu), "%s/src/tools/unioncard-pn532emu",
	    build_dir());
	if (card_src != NULL) {
		copy_file(card_src, g->state);
	} else {
		char *argv[] = { vcard, (char *)"new", g->state,
		    (char *)"--serial", (char *)SERIAL_HEX, NULL };

		assert_int_equal(run(argv), 0);
	}
	g->emu = fork();
	assert_true(g->emu >= 0);
	if (g->emu > 0)
		live_set(0, g->emu);
	if (g->emu == 0) {
		char *argv[] = { emu, g->state, (char *)"--pty-link", g->link,
		    opt, val, NULL };
		int fd = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM);

		if (fd >= 0)
			dup2(fd, 1);
		execv(emu, argv);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		n = readlink(g->link, g->pts, sizeof(g->pts) - 1);
		if (n > 0) {
			g->pts[n] = '\0';
			break;
		}
		usleep(20000);
	}
	assert_true(g->pts[0] != '\0');
	snprintf(g->reader, sizeof(g->reader), "nfc:pn532_uart:%s", g->pts);
}

static void
rig_start(struct rig *g, char *opt, char *val)
{
	rig_start_card(g, NULL, opt, val);
}

static void
rig_stop(struct rig *g)
{
	char path[160];
	int st;

	assert_int_equal(kill(g->emu, SIGTERM), 0);
	assert_int_equal(waitpid(g->emu, &st, 0), g->emu);
	live_set(g->emu, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the emulator removed its link */
	assert_int_equal(access(g->link, F_OK), -1);
	unlink(g->state);
	snprintf(path, sizeof(path), "%s/card.json.tmp", g->dir);
	unlink(path);
	assert_int_equal(rmdir(g->dir), 0);
}

static int
select_union(struct uc_transport *t, struct uc_buf *fci, uint16_t *sw)
{
	struct uc_apdu sel = { 0x00, 0xA4, 0x04, 0x00, aid, sizeof(aid), 256,
	    0 };

	uc_buf_reset(fci);
	return uc_apdu_exchange(t, &sel, 0, fci, sw);
}

/* Does the FCI hold 81 08 <serial>? */
static int
fci_has_serial(const struct uc_buf *fci)
{
	size_t i;

	for (i = 0; i + 10 <= fci->len; i++)
		if (fci->data[i] == 0x81 && fci->data[i + 1] == 0x08 &&
		    memcmp(fci->data + i + 2, serial, 8) == 0)
			return 1;
	return 0;
}

static void
test_nfc_list_sees_vcard(void **state)
{
	struct rig g;
	char cmd[600], line[512];
	FILE *p;
	int uid = 0, sak = 0;

	(void)state;
	rig_start(&g, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "LIBNFC_DEVICE=pn532_uart:%s "
	    "LIBNFC_AUTO_SCAN=false timeout 30 nfc-list -t 1 2>&1", g.pts);
	assert_non_null(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strstr(line, "UID (NFCID1): 01  02  03  04  05  06  07")
		    != NULL)
			uid = 1;
		if (strstr(line, "SAK (SEL_RES): 20") != NULL)
			sak = 1;
	}
	assert_int_equal(pclose(p), 0);
	assert_true(uid);
	assert_true(sak);
	rig_stop(&g);
}

static void
test_select_get_data(void **state)
{
	/* 3B 8D 80 01 + the card's 13 historical bytes + TCK */
	const uint8_t hist[13] = { 0x80, 0xFB, 0xF0, 0x55, 0x4E, 0x49, 0x4F,
	    0x4E, 0x43, 0x41, 0x52, 0x44, 0x01 };
	struct uc_apdu get = { 0x00, 0xCA, 0x00, 0xFF, NULL, 0, 256, 0 };
	struct uc_apdu bad = { 0x00, 0x7E, 0x00, 0x00, NULL, 0, 0, 0 };
	struct uc_transport *t = NULL;
	struct uc_buf fci = UC_BUF_INIT;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	uint16_t sw;
	struct rig g;

	(void)state;
	rig_start(&g, NULL, NULL);
	assert_int_equal(uc_transport_open(g.reader, &t), 0);
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	assert_int_equal(atr_len, 4 + sizeof(hist) + 1);
	assert_int_equal(atr[1], 0x8D);
	assert_memory_equal(atr + 4, hist, sizeof(hist));

	assert_int_equal(select_union(t, &fci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(fci.data[0], 0x6F);
	assert_true(fci_has_serial(&fci));

	/* A blank card stores nothing: 00 FF answers 90 00, no data. */
	uc_buf_reset(&fci);
	assert_int_equal(uc_apdu_exchange(t, &get, 0, &fci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(fci.len, 0);
	assert_int_equal(uc_apdu_exchange(t, &bad, 0, NULL, &sw), 0);
	assert_int_equal(sw, 0x6D00);
	uc_transport_free(&t);
	uc_buf_free(&fci);
	rig_stop(&g);
}

/* The card tears (loses power) at its 2nd APDU: the reader times out. */
static void
test_tear_mid_command(void **state)
{
	struct uc_apdu get = { 0x00, 0xCA, 0x00, 0xFF, NULL, 0, 256, 0 };
	struct uc_transport *t = NULL;
	struct uc_buf fci = UC_BUF_INIT;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	uint16_t sw;
	struct rig g;

	(void)state;
	rig_start(&g, (char *)"--tear-at", (char *)"2");
	assert_int_equal(uc_transport_open(g.reader, &t), 0);
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	assert_int_equal(select_union(t, &fci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(uc_apdu_exchange(t, &get, 0, &fci, &sw),
	    UC_ERR_CARD_REMOVED);
	/* still in the field: a new activation powers it up again */
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	assert_int_equal(select_union(t, &fci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_true(fci_has_serial(&fci));
	uc_transport_free(&t);
	uc_buf_free(&fci);
	rig_stop(&g);
}

/* The card leaves the field (SIGUSR1), then comes back. */
static void
test_removed_and_back(void **state)
{
	struct uc_transport *t = NULL;
	struct uc_buf fci = UC_BUF_INIT;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	uint16_t sw;
	struct rig g;

	(void)state;
	rig_start(&g, NULL, NULL);
	assert_int_equal(uc_transport_open(g.reader, &t), 0);
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	assert_int_equal(select_union(t, &fci, &sw), 0);
	assert_int_equal(kill(g.emu, SIGUSR1), 0);
	assert_int_equal(uc_transport_wait_removed(t, 3000), 0);
	assert_int_equal(select_union(t, &fci, &sw), UC_ERR_NO_CARD);
	assert_int_equal(uc_transport_connect(t, 300, atr, &atr_len),
	    UC_ERR_TIMEOUT);
	assert_int_equal(kill(g.emu, SIGUSR1), 0);
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	assert_int_equal(select_union(t, &fci, &sw), 0);
	assert_int_equal(sw, 0x9000);
	uc_transport_free(&t);
	uc_buf_free(&fci);
	rig_stop(&g);
}

/* The reader goes away mid-session: a transport error, soon, no crash. */
static void
test_reader_unplugged(void **state)
{
	struct uc_transport *t = NULL;
	struct uc_buf fci = UC_BUF_INIT;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len;
	uint16_t sw;
	struct timespec a, b;
	struct rig g;
	int st, r;

	(void)state;
	rig_start(&g, NULL, NULL);
	assert_int_equal(uc_transport_open(g.reader, &t), 0);
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	assert_int_equal(select_union(t, &fci, &sw), 0);
	assert_int_equal(kill(g.emu, SIGTERM), 0);
	assert_int_equal(waitpid(g.emu, &st, 0), g.emu);
	live_set(g.emu, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = select_union(t, &fci, &sw);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(r == UC_ERR_TRANSPORT || r == UC_ERR_READER_GONE);
	assert_true(b.tv_sec - a.tv_sec < 3);
	uc_transport_free(&t);
	uc_buf_free(&fci);
	unlink(g.state);
	assert_int_equal(rmdir(g.dir), 0);
}

/*
 * The applet's spec vectors (applets-spec/vectors/), replayed against the
 * virtual card over the contactless path: each command goes through the
 * nfc: transport, libnfc and the emulator, and each answer must be the
 * recorded one.  Answers longer than a PN53x frame (UC_NFC_RESP_MAX; only
 * extended-Le reads) cannot cross libnfc 1.8.0: those steps must fail
 * with a transport error, never with wrong data.
 */
static int
replay_vector(const char *dir, const char *name, unsigned *too_long)
{
	json_t *root, *steps, *st, *cmd_j, *resp_j, *sw_j;
	json_error_t je;
	struct uc_transport *t = NULL;
	struct uc_buf cmd = UC_BUF_INIT, want = UC_BUF_INIT;
	char path[600], card[600];
	uint8_t resp[600], atr[UC_ATR_MAX];
	size_t i, n, atr_len;
	struct rig g;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	steps = json_object_get(root, "steps");
	if (!json_is_array(steps) ||
	    !json_is_string(json_object_get(root, "card"))) {
		json_decref(root); /* not a transcript (e.g. the SCP03 KAT) */
		return 0;
	}
	snprintf(card, sizeof(card), "%s/cards/%s", dir,
	    json_string_value(json_object_get(root, "card")));
	rig_start_card(&g, card, NULL, NULL);
	assert_int_equal(uc_transport_open(g.reader, &t), 0);
	assert_int_equal(uc_transport_connect(t, 3000, atr, &atr_len), 0);
	json_array_foreach(steps, i, st) {
		cmd_j = json_object_get(st, "command");
		resp_j = json_object_get(st, "response");
		sw_j = json_object_get(st, "response_sw");
		uc_buf_reset(&cmd);
		uc_buf_reset(&want);
		assert_int_equal(uc_hex_decode_buf(json_string_value(cmd_j),
		    &cmd), 0);
		assert_int_equal(uc_hex_decode_buf(json_string_value(
		    resp_j != NULL ? resp_j : sw_j), &want), 0);
		r = uc_transport_transmit(t, cmd.data, cmd.len, resp,
		    sizeof(resp), &n);
		if (resp_j != NULL && want.len > UC_NFC_RESP_MAX) {
			if (r != UC_ERR_TRANSPORT)
				fail_msg("%s step %zu: %zu-byte answer gave %s",
				    name, i, want.len, uc_errname(r));
			(*too_long)++;
			continue;
		}
		if (r != 0)
			fail_msg("%s step %zu: %s (%s)", name, i,
			    uc_errname(r), TRANSPORT_WHY());
		if (resp_j != NULL) {
			if (n != want.len || memcmp(resp, want.data, n) != 0)
				fail_msg("%s step %zu: answer differs", name,
				    i);
		} else {
			assert_true(n >= 2);
			assert_memory_equal(resp + n - 2, want.data, 2);
		}
	}
	uc_transport_free(&t);
	uc_buf_free(&cmd);
	uc_buf_free(&want);
	json_decref(root);
	rig_stop(&g);
	return 1;
}

static void
test_spec_vectors(void **state)
{
	const char *spec = getenv("UC_SPEC_DIR");
	char dir[512];
	unsigned done = 0, too_long = 0;
	DIR *d;
	struct dirent *de;
	size_t len;

	(void)state;
	assert_non_null(spec);
	snprintf(dir, sizeof(dir), "%s/vectors", spec);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
			done += (unsigned)replay_vector(dir, de->d_name,
			    &too_long);
	}
	closedir(d);
	assert_true(done >= 5);
	print_message("replayed %u transcripts over nfc; %u answers too long "
	    "for a PN53x frame\n", done, too_long);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfc_list_sees_vcard),
		cmocka_unit_test(test_select_get_data),
		cmocka_unit_test(test_tear_mid_command),
		cmocka_unit_test(test_removed_and_back),
		cmocka_unit_test(test_reader_unplugged),
		cmocka_unit_test(test_spec_vectors),
	};

	setenv("LIBNFC_AUTO_SCAN", "false", 1);
	setenv("LIBNFC_INTRUSIVE_SCAN", "false", 1);
	signal(SIGPIPE, SIG_IGN);
	atexit(stop_leftovers);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
