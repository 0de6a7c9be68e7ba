/*
 * progress.c - the station's one-line progress bar; see progress.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "progress.h"

#define DEFAULT_COLUMNS 80
#define MAX_COLUMNS 1000

void
uc_tool_progress_duration(double seconds, char *out, size_t cap)
{
	unsigned long s;

	if (cap == 0)
		return;
	if (!(seconds >= 0.0) || isinf(seconds)) {
		snprintf(out, cap, "--");
		return;
	}
	if (seconds >= 100.0 * 3600.0) {
		snprintf(out, cap, "99h+");
		return;
	}
	s = (unsigned long)(seconds + 0.5);
	if (s < 60)
		snprintf(out, cap, "%lus", s);
	else if (s < 3600)
		snprintf(out, cap, "%lum%02lus", s / 60, s % 60);
	else
		snprintf(out, cap, "%luh%02lum", s / 3600, (s % 3600) / 60);
}

/* "142/min", "2.5/min" below ten, "--/min" with nothing to go by. */
static void
rate_text(const struct uc_tool_progress *p, char *out, size_t cap)
{
	double per_min;

	if (p->encoded == 0 || !(p->elapsed_s > 0.0)) {
		snprintf(out, cap, "--/min");
		return;
	}
	per_min = (double)p->encoded * 60.0 / p->elapsed_s;
	if (per_min < 10.0)
		snprintf(out, cap, "%.1f/min", per_min);
	else
		snprintf(out, cap, "%.0f/min", per_min);
}

static void
left_text(const struct uc_tool_progress *p, char *out, size_t cap)
{
	size_t todo = p->total > p->done ? p->total - p->done : 0;

	if (todo == 0)
		snprintf(out, cap, "0s");
	else if (p->encoded == 0 || !(p->elapsed_s > 0.0))
		snprintf(out, cap, "--");
	else
		uc_tool_progress_duration((double)todo * p->elapsed_s /
		    (double)p->encoded, out, cap);
}

/* Columns of UTF-8 text: one for each character (names are NFC). */
static size_t
u8_cols(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Bytes of s that fill at most cols columns, never half a character. */
static size_t
u8_cut(const char *s, size_t cols)
{
	size_t i = 0, n = 0;

	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && n++ == cols)
			break;
		i++;
	}
	return i;
}

/*
 * The line while the station waits for a card: what it waits for comes
 * first in importance, then the counts, then the bar.
 */
static size_t
format_waiting(const struct uc_tool_progress *p, const char *counts,
    const char *shorter, size_t width, char *out, size_t cap)
{
	size_t wcols = u8_cols(p->waiting), c, bar, fill, i, done, len;

	done = p->done < p->total ? p->done : p->total;
	c = strlen(counts);
	if (c + 2 + wcols + 3 + UC_TOOL_PROGRESS_BAR_MIN <= width) {
		bar = width - c - 2 - wcols - 3;
		if (bar > UC_TOOL_PROGRESS_BAR_MAX)
			bar = UC_TOOL_PROGRESS_BAR_MAX;
		fill = p->total == 0 ? bar : bar * done / p->total;
		out[0] = '[';
		for (i = 0; i < bar; i++)
			out[1 + i] = i < fill ? '#' : '-';
		out[1 + bar] = ']';
		out[2 + bar] = '\0';
		snprintf(out + 2 + bar, cap - 2 - bar, " %s  %s", counts,
		    p->waiting);
	} else if (c + 2 + wcols <= width) {
		snprintf(out, cap, "%s  %s", counts, p->waiting);
	} else if (strlen(shorter) + 2 + wcols <= width) {
		snprintf(out, cap, "%s  %s", shorter, p->waiting);
	} else {
		snprintf(out, cap, "%s", p->waiting);
	}
	/* snprintf may have cut a character at cap: drop what is left of
	 * it, then cut to the width. */
	len = strlen(out);
	i = len;
	while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)out[i - 1] & 0x80) != 0) {
		unsigned char lead = (unsigned char)out[i - 1];
		size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

		if (len - (i - 1) < want)
			out[i - 1] = '\0';
	}
	len = u8_cut(out, width);
	out[len] = '\0';
	return len;
}

size_t
uc_tool_progress_format(const struct uc_tool_progress *p, int columns,
    char *out, size_t cap)
{
	char rate[32], left[32], text[UC_TOOL_PROGRESS_LINE_MAX];
	size_t width, len, bar, fill, i, done;
	int n;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	if (p == NULL)
		return 0;
	if (columns < 1)
		columns = 1;
	if (columns > MAX_COLUMNS)
		columns = MAX_COLUMNS;
	width = (size_t)columns - 1;
	if (width >= cap)
		width = cap - 1;
	done = p->done < p->total ? p->done : p->total;
	rate_text(p, rate, sizeof(rate));
	left_text(p, left, sizeof(left));

	n = snprintf(text, sizeof(text), "%zu/%zu  %zu encoded  %zu spoiled"
	    "  %s  %s left", done, p->total, p->encoded, p->spoiled, rate,
	    left);
	len = n < 0 ? 0 : (size_t)n;
	if (p->waiting != NULL && p->waiting[0] != '\0' &&
	    len < sizeof(text)) {
		char shorter[64];

		snprintf(shorter, sizeof(shorter), "%zu/%zu  %s left", done,
		    p->total, left);
		return format_waiting(p, text, shorter, width, out, cap);
	}
	if (len < sizeof(text) && len + 3 + UC_TOOL_PROGRESS_BAR_MIN <= width) {
		/* "[bar] text": as wide as fits, up to the maximum. */
		bar = width - len - 3;
		if (bar > UC_TOOL_PROGRESS_BAR_MAX)
			bar = UC_TOOL_PROGRESS_BAR_MAX;
		/* Nothing to do is all done. */
		fill = p->total == 0 ? bar : bar * done / p->total;
		out[0] = '[';
		for (i = 0; i < bar; i++)
			out[1 + i] = i < fill ? '#' : '-';
		out[1 + bar] = ']';
		out[2 + bar] = ' ';
		memcpy(out + 3 + bar, text, len + 1);
		return bar + 3 + len;
	}
	if (len >= sizeof(text) || len > width) {
		n = snprintf(text, sizeof(text), "%zu/%zu  %s left", done,
		    p->total, left);
		len = n < 0 ? 0 : (size_t)n;
	}
	if (len > width)
		len = width;
	memcpy(out, text, len);
	out[len] = '\0';
	return len;
}

int
uc_tool_progress_columns(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end = NULL;
	long c;

	if (env != NULL && env[0] != '\0') {
		c = strtol(env, &end, 10);
		if (*end == '\0' && c >= 1 && c <= MAX_COLUMNS)
			return (int)c;
	}
	if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col > MAX_COLUMNS ? MAX_COLUMNS : ws.ws_col;
	return DEFAULT_COLUMNS;
}
