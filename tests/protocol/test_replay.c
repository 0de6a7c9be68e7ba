/*
 * test_replay.c - the replay: transport plays a vector file and names the
 * step where the engine strays from it.
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

#include "unioncard/apdu.h"
#include "unioncard/buf.h"
#include "unioncard/error.h"
#include "unioncard/transport.h"

/* Why the last transport call failed (uc_transport_diag). */
#define TRANSPORT_WHY() (uc_transport_diag(&(struct uc_diag){ 0 })->msg)

static char path[64];
static char name[80];

static const char vector[] =
    "{\"description\": \"select, then read everything\",\n"
    " \"card\": \"blank.json\",\n"
    " \"atr\": \"3B8080010101\",\n"
    " \"steps\": [\n"
    "  {\"note\": \"SELECT\",\n"
    "   \"command\": \"00A404000BF0554E494F4E434152440100\",\n"
    "   \"response\": \"6F03840100 9000\"},\n"
    "  {\"note\": \"GET DATA all\", \"command\": \"00CA00FF00\",\n"
    "   \"response\": \"E10101 6102\"},\n"
    "  {\"note\": \"rest\", \"command\": \"00C0000002\",\n"
    "   \"response\": \"0203 9000\"},\n"
    "  {\"note\": \"AA\", \"command\": \"0088000020"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "00\", \"response_sw\": \"9000\"}\n"
    " ]}\n";

static void
write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/uc-replay-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
	snprintf(name, sizeof(name), "replay:%s", path);
}

static void
select_apdu(struct uc_apdu *a)
{
	static const uint8_t aid[] = { 0xf0, 0x55, 0x4e, 0x49, 0x4f, 0x4e,
		0x43, 0x41, 0x52, 0x44, 0x01 };

	memset(a, 0, sizeof(*a));
	a->ins = 0xa4;
	a->p1 = 0x04;
	a->data = aid;
	a->lc = sizeof(aid);
	a->le = 256;
}

static void
test_play(void **state)
{
	static const uint8_t chal[32];
	struct uc_transport *t = NULL;
	struct uc_buf r = UC_BUF_INIT;
	struct uc_apdu a;
	uint8_t atr[UC_ATR_MAX];
	size_t atr_len = 0;
	uint16_t sw = 0;

	(void)state;
	write_file(vector);
	assert_int_equal(uc_transport_open(name, &t), 0);
	assert_int_equal(uc_transport_connect(t, 0, atr, &atr_len), 0);
	assert_int_equal(atr_len, 6);
	select_apdu(&a);
	assert_int_equal(uc_apdu_exchange(t, &a, 0, &r, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(r.len, 5);
	/* Steps remain: disconnect says so. */
	assert_int_equal(uc_transport_disconnect(t, 0), UC_ERR_PROTOCOL);
	assert_non_null(strstr(TRANSPORT_WHY(), "GET DATA all"));
	memset(&a, 0, sizeof(a));
	a.ins = 0xca;
	a.p2 = 0xff;
	a.le = 256;
	uc_buf_reset(&r);
	assert_int_equal(uc_apdu_exchange(t, &a, 0, &r, &sw), 0);
	assert_int_equal(r.len, 5);
	/* The signature step has no fixed response: cannot be replayed. */
	a.ins = 0x88;
	a.p2 = 0x00;
	a.data = chal;
	a.lc = sizeof(chal);
	assert_int_equal(uc_apdu_exchange(t, &a, 0, &r, &sw), UC_ERR_PROTOCOL);
	assert_non_null(strstr(TRANSPORT_WHY(), "response_sw"));
	uc_buf_free(&r);
	uc_transport_free(&t);
	unlink(path);
}

static void
test_mismatch(void **state)
{
	struct uc_transport *t = NULL;
	struct uc_apdu a;
	uint16_t sw = 0;

	(void)state;
	write_file(vector);
	assert_int_equal(uc_transport_open(name, &t), 0);
	select_apdu(&a);
	a.p2 = 0x0c;
	assert_int_equal(uc_apdu_exchange(t, &a, 0, NULL, &sw),
	    UC_ERR_PROTOCOL);
	assert_non_null(strstr(TRANSPORT_WHY(),
	    "step 1 (SELECT): expected command 00A404000B"));
	assert_non_null(strstr(TRANSPORT_WHY(),
	    "the engine sent 00A4040C0B"));
	uc_transport_free(&t);
	unlink(path);
}

static void
check_bad(const char *text, const char *detail)
{
	struct uc_transport *t = NULL;

	write_file(text);
	assert_int_equal(uc_transport_open(name, &t), UC_ERR_INVALID);
	assert_null(t);
	if (strstr(TRANSPORT_WHY(), detail) == NULL)
		fail_msg("detail '%s' lacks '%s'", TRANSPORT_WHY(),
		    detail);
	unlink(path);
}

static void
test_malformed_files(void **state)
{
	(void)state;
	check_bad("{\"steps\": []}", "steps");
	check_bad("{\"steps\": [{\"command\": \"00A4\", \"response\": "
	    "\"9000\"}]}", "step 1: command");
	check_bad("{\"steps\": [{\"command\": \"00A40400\", \"response\": "
	    "\"90\"}]}", "step 1: response");
	check_bad("{\"steps\": [{\"command\": \"00A40400\"}]}",
	    "exactly one");
	check_bad("{\"steps\": [{\"command\": \"00A40400\", \"response\": "
	    "\"9000\", \"response_sw\": \"9000\"}]}", "exactly one");
	check_bad("{\"steps\": [{\"command\": \"00A40400\", \"response_sw\": "
	    "\"90\"}]}", "response_sw");
	check_bad("{\"steps\": [{\"command\": \"00A40400\", \"respons\": "
	    "\"9000\"}]}", "unknown field 'respons'");
	check_bad("{\"steps\": [{\"command\": \"00A40400\", \"response\": "
	    "\"9000\"}, {\"command\": \"00A40400\", \"response\": "
	    "\"9000\"}, 3]}", "step 3: not an object");
	check_bad("{\"steps\": [", "");
	check_bad("{\"steps\": [], \"steps\": []}", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_play),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_malformed_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
