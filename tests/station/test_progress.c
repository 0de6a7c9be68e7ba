/*
 * test_progress.c - the station's progress line: widths, a zero rate, the
 * time left, nothing to do, narrow terminals ($COLUMNS and a pty's size).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/progress.h"

static const struct uc_tool_progress midway = {
	.done = 37, .total = 200, .encoded = 36, .spoiled = 1,
	.elapsed_s = 18.0,
};
#define MIDWAY_TEXT "37/200  36 encoded  1 spoiled  120/min  1m22s left"

static void
test_full_width(void **state)
{
	char line[UC_TOOL_PROGRESS_LINE_MAX];
	size_t n;

	(void)state;
	/* 80 columns: 79 characters, the bar takes what the text leaves. */
	n = uc_tool_progress_format(&midway, 80, line, sizeof(line));
	assert_int_equal(n, 79);
	assert_int_equal(strlen(line), 79);
	assert_string_equal(line, "[####----------------------] " MIDWAY_TEXT);
	/* Wide: the bar stops at its maximum, the line is shorter. */
	n = uc_tool_progress_format(&midway, 200, line, sizeof(line));
	assert_int_equal(n, UC_TOOL_PROGRESS_BAR_MAX + 3 +
	    strlen(MIDWAY_TEXT));
	assert_string_equal(line, "[#####-------------------------] "
	    MIDWAY_TEXT);
}

static void
test_narrow(void **state)
{
	char line[UC_TOOL_PROGRESS_LINE_MAX];
	size_t n;
	int c;

	(void)state;
	/* Just room for the smallest bar. */
	c = (int)strlen(MIDWAY_TEXT) + 3 + UC_TOOL_PROGRESS_BAR_MIN + 1;
	n = uc_tool_progress_format(&midway, c, line, sizeof(line));
	assert_int_equal(n, (size_t)c - 1);
	assert_string_equal(line, "[#---------] " MIDWAY_TEXT);
	/* One column less: no bar, the whole text. */
	n = uc_tool_progress_format(&midway, c - 1, line, sizeof(line));
	assert_string_equal(line, MIDWAY_TEXT);
	/* Too narrow for the counts: done/total and the time left. */
	n = uc_tool_progress_format(&midway, 40, line, sizeof(line));
	assert_string_equal(line, "37/200  1m22s left");
	/* Narrower still: cut, never wrapped. */
	n = uc_tool_progress_format(&midway, 10, line, sizeof(line));
	assert_int_equal(n, 9);
	assert_string_equal(line, "37/200  1");
	n = uc_tool_progress_format(&midway, 1, line, sizeof(line));
	assert_int_equal(n, 0);
	assert_string_equal(line, "");
	n = uc_tool_progress_format(&midway, -5, line, sizeof(line));
	assert_int_equal(n, 0);
	/* A small buffer bounds the line too. */
	n = uc_tool_progress_format(&midway, 80, line, 8);
	assert_int_equal(n, 7);
	assert_string_equal(line, "37/200 ");
}

static void
test_zero_rate(void **state)
{
	struct uc_tool_progress p = { .done = 0, .total = 5 };
	char line[UC_TOOL_PROGRESS_LINE_MAX];

	(void)state;
	/* Nothing encoded yet, no time yet: no rate, no estimate. */
	uc_tool_progress_format(&p, 45, line, sizeof(line));
	assert_string_equal(line, "0/5  0 encoded  0 spoiled  --/min  -- left");
	/* Only spoiled cards so far: still nothing to estimate from. */
	p.spoiled = 2;
	p.elapsed_s = 30.0;
	uc_tool_progress_format(&p, 46, line, sizeof(line));
	assert_string_equal(line, "0/5  0 encoded  2 spoiled  --/min  -- left");
	/* Slow: one decimal below ten a minute. */
	p.done = p.encoded = 1;
	uc_tool_progress_format(&p, 48, line, sizeof(line));
	assert_string_equal(line, "1/5  1 encoded  2 spoiled  2.0/min  2m00s left");
}

static void
test_total_zero_and_done(void **state)
{
	struct uc_tool_progress p = { .done = 0, .total = 0 };
	char line[UC_TOOL_PROGRESS_LINE_MAX];

	(void)state;
	/* Nothing to do is all done: a full bar, nothing left. */
	uc_tool_progress_format(&p, 80, line, sizeof(line));
	assert_string_equal(line, "[##############################] "
	    "0/0  0 encoded  0 spoiled  --/min  0s left");
	/* Finished, and lines done before this run count as done. */
	p.done = 12;
	p.total = 10;
	p.encoded = 4;
	p.elapsed_s = 2.0;
	uc_tool_progress_format(&p, 50, line, sizeof(line));
	assert_string_equal(line, "10/10  4 encoded  0 spoiled  120/min  0s left");
}

static void
test_duration(void **state)
{
	char s[16];

	(void)state;
	uc_tool_progress_duration(0.0, s, sizeof(s));
	assert_string_equal(s, "0s");
	uc_tool_progress_duration(59.4, s, sizeof(s));
	assert_string_equal(s, "59s");
	uc_tool_progress_duration(59.6, s, sizeof(s));
	assert_string_equal(s, "1m00s");
	uc_tool_progress_duration(3599.0, s, sizeof(s));
	assert_string_equal(s, "59m59s");
	uc_tool_progress_duration(3600.0, s, sizeof(s));
	assert_string_equal(s, "1h00m");
	uc_tool_progress_duration(7620.0, s, sizeof(s));
	assert_string_equal(s, "2h07m");
	uc_tool_progress_duration(99.0 * 3600 + 59 * 60, s, sizeof(s));
	assert_string_equal(s, "99h59m");
	uc_tool_progress_duration(100.0 * 3600, s, sizeof(s));
	assert_string_equal(s, "99h+");
	uc_tool_progress_duration(-1.0, s, sizeof(s));
	assert_string_equal(s, "--");
	uc_tool_progress_duration(NAN, s, sizeof(s));
	assert_string_equal(s, "--");
	uc_tool_progress_duration(INFINITY, s, sizeof(s));
	assert_string_equal(s, "--");
	uc_tool_progress_duration(7620.0, s, 3);
	assert_string_equal(s, "2h");
}

/* Columns of a UTF-8 line: one a character. */
static size_t
cols(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

#define WAITING "insert a blank card for 52000000013 Huỳnh Lê Diễm Tuyết " \
    "(card 52000000007)"

static void
test_waiting(void **state)
{
	struct uc_tool_progress p = midway;
	char line[UC_TOOL_PROGRESS_LINE_MAX];
	size_t n, w = cols(WAITING);
	int c;

	(void)state;
	p.waiting = WAITING;
	/* Wide: bar, counts, then what the station waits for. */
	n = uc_tool_progress_format(&p, 200, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line, "[#####-------------------------] "
	    MIDWAY_TEXT "  " WAITING);
	/* No room for the bar: the counts and the waiting text. */
	c = (int)(strlen(MIDWAY_TEXT) + 2 + w + 1);
	uc_tool_progress_format(&p, c, line, sizeof(line));
	assert_string_equal(line, MIDWAY_TEXT "  " WAITING);
	/* Narrower: the short counts stay beside it. */
	uc_tool_progress_format(&p, c - 1, line, sizeof(line));
	assert_string_equal(line, "37/200  1m22s left  " WAITING);
	/* Narrower still: only the waiting text, cut to the width without
	 * splitting a character ("Huỳnh" cut after its ỳ). */
	uc_tool_progress_format(&p, 40, line, sizeof(line));
	assert_int_equal(cols(line), 39);
	assert_string_equal(line, "insert a blank card for 52000000013 Huỳ");
	uc_tool_progress_format(&p, (int)w + 1, line, sizeof(line));
	assert_string_equal(line, WAITING);
	/* Never wider than the terminal, never a broken character. */
	for (c = 1; c <= 220; c++) {
		n = uc_tool_progress_format(&p, c, line, sizeof(line));
		assert_true(cols(line) <= (size_t)(c > 1 ? c - 1 : 0));
		assert_int_equal(n, strlen(line));
		assert_true(n == 0 || ((unsigned char)line[n - 1] & 0xC0) !=
		    0xC0);
	}
	/* No waiting text: the line as before. */
	p.waiting = NULL;
	uc_tool_progress_format(&p, 200, line, sizeof(line));
	assert_string_equal(line, "[#####-------------------------] "
	    MIDWAY_TEXT);
}

static void
test_columns(void **state)
{
	struct winsize ws;
	int master, slave = -1;

	(void)state;
	setenv("COLUMNS", "57", 1);
	assert_int_equal(uc_tool_progress_columns(-1), 57);
	/* Not a width: ignored, and no terminal: 80. */
	setenv("COLUMNS", "0", 1);
	assert_int_equal(uc_tool_progress_columns(-1), 80);
	setenv("COLUMNS", "wide", 1);
	assert_int_equal(uc_tool_progress_columns(-1), 80);
	unsetenv("COLUMNS");
	assert_int_equal(uc_tool_progress_columns(-1), 80);
	assert_int_equal(uc_tool_progress_columns(STDIN_FILENO) > 0, 1);

	/* A terminal 33 columns wide (a pty). */
	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) < 0 ||
	    grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0)
		skip();
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = 33;
	ws.ws_row = 10;
	assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
	assert_int_equal(uc_tool_progress_columns(slave), 33);
	/* $COLUMNS wins over the terminal, as for ls(1). */
	setenv("COLUMNS", "120", 1);
	assert_int_equal(uc_tool_progress_columns(slave), 120);
	unsetenv("COLUMNS");
	close(slave);
	close(master);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_width),
		cmocka_unit_test(test_narrow),
		cmocka_unit_test(test_zero_rate),
		cmocka_unit_test(test_total_zero_and_done),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_waiting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
