/*
 * html.c - the escaping writer (see html.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

/* Growth is bounded: no page is larger than this. */
#define HTML_MAX (16u * 1024u * 1024u)

static void
put(struct html *h, const char *p, size_t n)
{
	size_t need;
	char *nb;

	if (h->failed || n == 0)
		return;
	if (n > HTML_MAX - h->len) {
		h->failed = 1;
		return;
	}
	need = h->len + n + 1;
	if (need > h->cap) {
		size_t cap = h->cap != 0 ? h->cap : 4096;

		while (cap < need)
			cap *= 2;
		if ((nb = realloc(h->buf, cap)) == NULL) {
			h->failed = 1;
			return;
		}
		h->buf = nb;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, p, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

void
html_lit_(struct html *h, const char *lit, size_t n)
{
	put(h, lit, n);
}

void
html_text(struct html *h, const char *s)
{
	const char *run;

	if (s == NULL)
		return;
	for (run = s; *s != '\0'; s++) {
		const char *e;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		put(h, run, (size_t)(s - run));
		put(h, e, strlen(e));
		run = s + 1;
	}
	put(h, run, (size_t)(s - run));
}

void
html_int(struct html *h, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	put(h, b, (size_t)n);
}

void
html_url_value(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char b[4];

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			put(h, (const char *)&c, 1);
		} else {
			b[0] = '%';
			b[1] = hex[c >> 4];
			b[2] = hex[c & 15];
			put(h, b, 3);
		}
	}
}

int
html_ok(const struct html *h)
{
	return !h->failed;
}

char *
html_take(struct html *h, size_t *len)
{
	char *b = h->buf;

	*len = h->len;
	if (b == NULL)
		b = calloc(1, 1);
	h->buf = NULL;
	h->len = h->cap = 0;
	return b;
}

void
html_free(struct html *h)
{
	free(h->buf);
	h->buf = NULL;
	h->len = h->cap = 0;
}
