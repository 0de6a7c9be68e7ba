/*
 * test_serve.c - `unioncard-vcard serve` and `hopper` against a fake vpcd:
 * this test listens on a local TCP port and speaks the reader's side of
 * the vpcd frame format (2-byte length + bytes; 1-byte control codes), as
 * the vsmartcard driver inside pcscd would.  The real pcscd path is tested
 * end to end elsewhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unioncard/buf.h"
#include "vcard/vcard.h"
#include "vcard_test.h"

#define IO_TIMEOUT_S 10

static const char select_apdu[] = "00A404000BF0554E494F4E434152440100";
static const char atr_hex[] = "3B8D8131FE4580FBF0554E494F4E43415244014B";

static char tool[1024];

static int
listen_local(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int
accept_card(int lfd)
{
	struct pollfd p = { lfd, POLLIN, 0 };
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	int fd;

	assert_int_equal(poll(&p, 1, IO_TIMEOUT_S * 1000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static pid_t
spawn(char *const argv[])
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Exit status of the child, waiting at most IO_TIMEOUT_S. */
static int
wait_exit(pid_t pid)
{
	int st, i;

	for (i = 0; i < IO_TIMEOUT_S * 20; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 +
			    WTERMSIG(st);
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	fail_msg("unioncard-vcard did not exit");
	return -1;
}

static void
send_frame(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	assert_int_equal(send(fd, hdr, 2, MSG_NOSIGNAL), 2);
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void
send_ctrl(int fd, uint8_t code)
{
	send_frame(fd, &code, 1);
}

static int
recv_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One frame from the card into b; -1 if the card hung up. */
static int
recv_frame(int fd, struct uc_buf *b)
{
	uint8_t hdr[2];
	size_t n;

	uc_buf_reset(b);
	if (recv_all(fd, hdr, 2) != 0)
		return -1;
	n = (size_t)hdr[0] << 8 | hdr[1];
	assert_int_equal(uc_buf_reserve(b, n), 0);
	assert_int_equal(recv_all(fd, b->data, n), 0);
	b->len = n;
	return 0;
}

/* Send an APDU (hex) and return the SW; response in b. */
static uint16_t
apdu(int fd, const char *hex, struct uc_buf *b)
{
	struct uc_buf cmd = UC_BUF_INIT;

	assert_int_equal(uc_hex_decode_buf(hex, &cmd), 0);
	send_frame(fd, cmd.data, cmd.len);
	uc_buf_free(&cmd);
	assert_int_equal(recv_frame(fd, b), 0);
	assert_true(b->len >= 2);
	return (uint16_t)(b->data[b->len - 2] << 8 | b->data[b->len - 1]);
}

static void
new_card(char *path, size_t cap, const uint8_t serial[8])
{
	struct uc_vcard_new_opts o;

	memset(&o, 0, sizeof(o));
	o.serial = serial;
	vt_temp_path(path, cap);
	assert_int_equal(uc_vcard_create(path, &o), 0);
}

static int
setup(void **state)
{
	const char *b = getenv("UC_BUILD_DIR");

	(void)state;
	if (b == NULL)
		return -1;
	snprintf(tool, sizeof(tool), "%s/src/tools/unioncard-vcard", b);
	return access(tool, X_OK);
}

static void
test_serve_session(void **state)
{
	static const uint8_t serial[8] = { 0xaa, 1, 2, 3, 4, 5, 6, 7 };
	char path[512], addr[64];
	struct uc_buf b = UC_BUF_INIT, want = UC_BUF_INIT;
	int port = 0, lfd, fd;
	pid_t pid;

	(void)state;
	new_card(path, sizeof(path), serial);
	lfd = listen_local(&port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { tool, (char *)"serve", path, (char *)"--vpcd",
			addr, (char *)"--once", NULL };

		pid = spawn(argv);
	}
	fd = accept_card(lfd);
	/* pcscd's polling: power on, ATR, power off without an APDU. */
	send_ctrl(fd, UC_VPCD_POWER_ON);
	send_ctrl(fd, UC_VPCD_GET_ATR);
	assert_int_equal(recv_frame(fd, &b), 0);
	assert_int_equal(uc_hex_decode_buf(atr_hex, &want), 0);
	assert_int_equal(b.len, want.len);
	assert_memory_equal(b.data, want.data, want.len);
	send_ctrl(fd, UC_VPCD_POWER_OFF);
	/* --once: that was no session, the card must still answer. */
	send_ctrl(fd, UC_VPCD_POWER_ON);
	assert_int_equal(apdu(fd, select_apdu, &b), 0x9000);
	assert_non_null(memmem(b.data, b.len, serial, 8));
	assert_int_equal(apdu(fd, "00CA00FF00", &b), 0x9000);
	assert_int_equal(b.len, 2);
	/* Two frames in one write are both answered. */
	{
		uint8_t two[] = { 0, 5, 0x00, 0xca, 0x00, 0xe1, 0x00, 0, 5,
			0x00, 0xca, 0x00, 0xe2, 0x00 };

		assert_int_equal(send(fd, two, sizeof(two), MSG_NOSIGNAL),
		    (ssize_t)sizeof(two));
		assert_int_equal(recv_frame(fd, &b), 0);
		assert_memory_equal(b.data, "\x6a\x88", 2);
		assert_int_equal(recv_frame(fd, &b), 0);
		assert_memory_equal(b.data, "\x6a\x88", 2);
	}
	send_ctrl(fd, UC_VPCD_POWER_OFF);
	assert_int_equal(wait_exit(pid), 0);
	/* The card hung up. */
	assert_int_equal(recv_frame(fd, &b), -1);
	close(fd);
	close(lfd);
	uc_buf_free(&b);
	uc_buf_free(&want);
	vt_remove(path);
}

static void
test_serve_tear(void **state)
{
	static const uint8_t serial[8] = { 0xaa, 0, 0, 0, 0, 0, 0, 2 };
	char path[512], addr[64], *before, *after;
	struct uc_buf b = UC_BUF_INIT;
	int port = 0, lfd, fd;
	pid_t pid;

	(void)state;
	new_card(path, sizeof(path), serial);
	before = vt_read_file(path, NULL);
	lfd = listen_local(&port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { tool, (char *)"serve", path, (char *)"--vpcd",
			addr, (char *)"--tear-at", (char *)"2",
			(char *)"--tear-mode", (char *)"before", NULL };

		pid = spawn(argv);
	}
	fd = accept_card(lfd);
	send_ctrl(fd, UC_VPCD_POWER_ON);
	assert_int_equal(apdu(fd, select_apdu, &b), 0x9000);
	/* The second APDU (INITIALIZE UPDATE would bump the counter) is
	 * never processed: the card is pulled. */
	send_frame(fd, (const uint8_t *)"\x80\x50\x30\x00\x08"
	    "\x01\x02\x03\x04\x05\x06\x07\x08\x00", 14);
	assert_int_equal(recv_frame(fd, &b), -1);
	assert_int_equal(wait_exit(pid), 3);
	after = vt_read_file(path, NULL);
	assert_string_equal(before, after);
	free(before);
	free(after);
	close(fd);
	close(lfd);
	uc_buf_free(&b);
	vt_remove(path);
}

/* serve waits for vpcd to appear, and stops cleanly on SIGTERM. */
static void
test_serve_retry_and_sigterm(void **state)
{
	static const uint8_t serial[8] = { 0xaa, 0, 0, 0, 0, 0, 0, 3 };
	char path[512], addr[64];
	struct uc_buf b = UC_BUF_INIT;
	int port = 0, lfd, fd;
	pid_t pid;

	(void)state;
	new_card(path, sizeof(path), serial);
	/* Find a free port, then start serve before anyone listens on it. */
	lfd = listen_local(&port);
	close(lfd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { tool, (char *)"serve", path, (char *)"--vpcd",
			addr, NULL };

		pid = spawn(argv);
	}
	usleep(700000);
	lfd = listen_local(&port);
	fd = accept_card(lfd);
	send_ctrl(fd, UC_VPCD_POWER_ON);
	assert_int_equal(apdu(fd, select_apdu, &b), 0x9000);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(pid), 0);
	close(fd);
	close(lfd);
	uc_buf_free(&b);
	vt_remove(path);
}

static void
test_hopper(void **state)
{
	char dir[] = "/tmp/uc-vcard-hopper.XXXXXX", addr[64], path[600];
	struct uc_buf b = UC_BUF_INIT;
	uint8_t first[8];
	int port = 0, lfd, fd, k;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	lfd = listen_local(&port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { tool, (char *)"hopper", dir, (char *)"--count",
			(char *)"2", (char *)"--vpcd", addr, NULL };

		pid = spawn(argv);
	}
	for (k = 0; k < 2; k++) {
		const uint8_t *s;

		fd = accept_card(lfd);
		/* Polling alone does not move the hopper on. */
		send_ctrl(fd, UC_VPCD_POWER_ON);
		send_ctrl(fd, UC_VPCD_POWER_OFF);
		send_ctrl(fd, UC_VPCD_POWER_ON);
		assert_int_equal(apdu(fd, select_apdu, &b), 0x9000);
		/* FCI: 6F L 84 0B AID A5 L 80 01 01 81 08 <serial> */
		assert_true(b.len > 24);
		s = b.data + 4 + 11 + 2 + 3 + 2;
		if (k == 0)
			memcpy(first, s, 8);
		else
			assert_memory_not_equal(first, s, 8);
		send_ctrl(fd, UC_VPCD_POWER_OFF);
		/* The card leaves the reader. */
		assert_int_equal(recv_frame(fd, &b), -1);
		close(fd);
	}
	assert_int_equal(wait_exit(pid), 0);
	close(lfd);
	for (k = 1; k <= 2; k++) {
		snprintf(path, sizeof(path), "%s/card-%04d.json", dir, k);
		assert_int_equal(unlink(path), 0);
	}
	rmdir(dir);
	uc_buf_free(&b);
}

static void
test_usage(void **state)
{
	char *help[] = { tool, (char *)"--help", NULL };
	char *bad[] = { tool, (char *)"serve", NULL };
	char *bogus[] = { tool, (char *)"bogus", NULL };
	char path[512];
	char *exists[] = { tool, (char *)"new", path, NULL };
	int devnull[2];

	(void)state;
	/* Quieten the children's stderr/stdout. */
	devnull[0] = dup(1);
	devnull[1] = dup(2);
	assert_non_null(freopen("/dev/null", "w", stdout));
	assert_non_null(freopen("/dev/null", "w", stderr));
	assert_int_equal(wait_exit(spawn(help)), 0);
	assert_int_equal(wait_exit(spawn(bad)), 2);
	assert_int_equal(wait_exit(spawn(bogus)), 2);
	vt_temp_path(path, sizeof(path));
	assert_int_equal(wait_exit(spawn(exists)), 0);
	assert_int_equal(wait_exit(spawn(exists)), 1);
	dup2(devnull[0], 1);
	dup2(devnull[1], 2);
	vt_remove(path);
}

/* serve --tear-mode after: the APDU is committed, no answer, exit 3. */
static void
test_serve_tear_after(void **state)
{
	static const uint8_t serial[8] = { 0xaa, 0, 0, 0, 0, 0, 0, 4 };
	char path[512], addr[64], *after;
	struct uc_buf b = UC_BUF_INIT;
	int port = 0, lfd, fd;
	pid_t pid;

	(void)state;
	new_card(path, sizeof(path), serial);
	lfd = listen_local(&port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { tool, (char *)"serve", path, (char *)"--vpcd",
			addr, (char *)"--tear-at", (char *)"1",
			(char *)"--tear-mode", (char *)"after", NULL };

		pid = spawn(argv);
	}
	fd = accept_card(lfd);
	send_ctrl(fd, UC_VPCD_POWER_ON);
	/* INITIALIZE UPDATE: processed (sequence counter saved), no answer. */
	send_frame(fd, (const uint8_t *)"\x80\x50\x30\x00\x08"
	    "\x01\x02\x03\x04\x05\x06\x07\x08\x00", 14);
	assert_int_equal(recv_frame(fd, &b), -1);
	assert_int_equal(wait_exit(pid), 3);
	after = vt_read_file(path, NULL);
	assert_non_null(strstr(after, "\"scp_sequence\": 1"));
	free(after);
	close(fd);
	close(lfd);
	uc_buf_free(&b);
	vt_remove(path);
}

/* show --json: what a tester reads, and never a key. */
static void
test_show_json(void **state)
{
	static const uint8_t serial[8] = { 0xaa, 0, 0, 0, 0, 0, 0, 5 };
	char path[512], out[600], cmd[3000], *text;
	int rc;

	(void)state;
	new_card(path, sizeof(path), serial);
	snprintf(out, sizeof(out), "%s.show", path);
	snprintf(cmd, sizeof(cmd), "'%s' show '%s' --json > '%s'", tool,
	    path, out);
	rc = system(cmd);
	assert_int_equal(rc, 0);
	text = vt_read_file(out, NULL);
	assert_non_null(strstr(text, "\"serial\": \"AA00000000000005\""));
	assert_non_null(strstr(text, "\"lifecycle\": \"BLANK\""));
	assert_non_null(strstr(text, "\"auth_tries_left\": 5"));
	assert_null(strstr(text, "\"enc\""));
	assert_null(strstr(text, "\"keys\""));
	assert_null(strstr(text, "ec_private"));
	free(text);
	unlink(out);
	vt_remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_session),
		cmocka_unit_test(test_serve_tear),
		cmocka_unit_test(test_serve_tear_after),
		cmocka_unit_test(test_show_json),
		cmocka_unit_test(test_serve_retry_and_sigterm),
		cmocka_unit_test(test_hopper),
		cmocka_unit_test(test_usage),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, NULL);
}
