/*
 * progress.h - the station's one-line progress bar on a terminal.
 *
 * `unioncard encode` redraws one line while it works when its output is a
 * terminal:
 *
 *   [##########----------]  37/200  36 encoded  1 spoiled  142/min  1m08s left
 *
 * The line is built by a pure function from numbers, so the tests check
 * widths, a zero rate, the time left and narrow terminals without one.
 * Drawing it (carriage return, clear to end of line) is the tool's job.
 */
#ifndef UC_TOOL_PROGRESS_H
#define UC_TOOL_PROGRESS_H

#include <stddef.h>

/* The bar is at most this wide, and left out below the minimum. */
#define UC_TOOL_PROGRESS_BAR_MAX 30
#define UC_TOOL_PROGRESS_BAR_MIN 10
/* The widest line the formatter builds (cap for its buffer). */
#define UC_TOOL_PROGRESS_LINE_MAX 1024

struct uc_tool_progress {
	size_t done;      /* lines with a card, this run or before */
	size_t total;     /* lines in the request */
	size_t encoded;   /* cards encoded (or recovered) by this run */
	size_t spoiled;   /* cards spoiled by this run */
	double elapsed_s; /* since this run began */
	/* What the station waits for now ("insert a blank card for CODE
	 * NAME (card SERIAL)", UTF-8), or NULL: borrowed. */
	const char *waiting;
};

/*
 * Format the progress line for a terminal columns wide into out (cap
 * bytes, NUL-terminated).  The line never takes more than columns - 1
 * characters, so it cannot wrap: the bar goes first, then the counts
 * shrink to "done/total, time left", then the line is cut.  The rate is
 * cards encoded per minute by this run; with none yet the rate and the
 * time left are "--".  While the station waits for a card (waiting set)
 * the line ends with what it waits for, which goes last when the line is
 * too narrow: the bar goes first, then the counts shrink, then only the
 * waiting text is left, cut to the width (never inside a UTF-8
 * character; a character counts one column).  Returns the line's length
 * in bytes.
 */
size_t uc_tool_progress_format(const struct uc_tool_progress *p,
    int columns, char *out, size_t cap);

/*
 * A duration for a person: "42s", "3m05s", "2h07m", "99h+" beyond 99
 * hours, "--" when unknown (negative, not a number).
 */
void uc_tool_progress_duration(double seconds, char *out, size_t cap);

/*
 * The terminal's width: $COLUMNS when it is a number (1..1000), else the
 * width of the terminal on fd, else 80.
 */
int uc_tool_progress_columns(int fd);

#endif
