/*
 * test_trace.c - the trace file shows the APDU flow and never a secret.
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
#include "unioncard/error.h"
#include "unioncard/trace.h"

static char path[64];

static void
apdu(struct uc_trace *t, const char *cmd, const char *resp)
{
	uint8_t c[512], r[512];
	size_t cn, rn;

	assert_int_equal(uc_hex_decode(cmd, c, sizeof(c), &cn), 0);
	assert_int_equal(uc_hex_decode(resp, r, sizeof(r), &rn), 0);
	uc_trace_apdu(t, c, cn, r, rn);
}

static char *
slurp(void)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 8192);

	assert_non_null(f);
	assert_non_null(s);
	assert_true(fread(s, 1, 8191, f) > 0);
	fclose(f);
	return s;
}

static void
test_masking(void **state)
{
	struct uc_trace *t = NULL;
	char *s;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/uc-trace-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(uc_trace_open(path, &t), 0);
	uc_trace_note(t, "card %d", 1);
	/* SELECT: nothing secret. */
	apdu(t, "00A404000BF0554E494F4E434152440100", "6F01AA9000");
	/* INITIALIZE UPDATE: host challenge visible, card answer masked. */
	apdu(t, "8050300008111111111111111100", "0102030405060708099000");
	/* EXTERNAL AUTHENTICATE with SM: cryptogram + MAC masked. */
	apdu(t, "848233001022222222222222223333333333333333",
	    "9000");
	/* EXTERNAL AUTHENTICATE without the SM bit: still masked. */
	apdu(t, "008200000444444444", "9000");
	/* STORE DATA in SM (extended length). */
	apdu(t, "84E288000000035555550000", "9000");
	/* READ RECORD: PAN in the response, continued by GET RESPONSE. */
	apdu(t, "00B2010C00", "5A0866666666666666666102");
	apdu(t, "00C0000002", "77779000");
	/* A later GET RESPONSE for a harmless command is shown. */
	apdu(t, "00CA00FF00", "E1016102");
	apdu(t, "00C0000002", "88889000");
	/* GET PROCESSING OPTIONS. */
	apdu(t, "80A8000002830000", "7781999000");
	uc_trace_free(&t);
	assert_null(t);
	s = slurp();
	assert_non_null(strstr(s, "# card 1\n"));
	assert_non_null(strstr(s,
	    "> 00A404000BF0554E494F4E434152440100\n< 6F01AA9000\n"));
	assert_non_null(strstr(s, "> 8050300008111111111111111100\n"
	    "< ******************9000\n"));
	assert_non_null(strstr(s, "> 8482330010"
	    "********************************\n"));
	assert_non_null(strstr(s, "> 0082000004********\n"));
	assert_non_null(strstr(s, "> 84E28800000003******0000\n"));
	assert_non_null(strstr(s, "> 00B2010C00\n< "
	    "********************6102\n> 00C0000002\n< ****9000\n"));
	assert_non_null(strstr(s, "< 88889000\n"));
	assert_non_null(strstr(s, "< ******9000\n"));
	/* No secret byte pattern survived anywhere. */
	assert_null(strstr(s, "0102030405"));
	assert_null(strstr(s, "2222"));
	assert_null(strstr(s, "3333"));
	assert_null(strstr(s, "4444"));
	assert_null(strstr(s, "5555"));
	assert_null(strstr(s, "6666"));
	assert_null(strstr(s, "7777"));
	assert_null(strstr(s, "7781"));
	free(s);
	unlink(path);
}

static void
test_open_errors(void **state)
{
	struct uc_trace *t = NULL;

	(void)state;
	assert_int_equal(uc_trace_open("/nonexistent-dir/trace", &t),
	    UC_ERR_IO);
	assert_null(t);
	/* NULL traces are ignored. */
	uc_trace_note(NULL, "x");
	uc_trace_apdu(NULL, NULL, 0, NULL, 0);
	uc_trace_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
