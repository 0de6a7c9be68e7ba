/*
 * html.h - the one writer through which every page is rendered.
 *
 * A page is built in a growing buffer.  Markup comes ONLY from string
 * literals (html_lit: the macro refuses anything that is not a literal
 * at compile time); every other text - member names, reasons, unit names,
 * what the ledger says, even catalogue messages - goes through html_text,
 * which escapes & < > " ' so that it can stand in element content and in
 * a quoted attribute alike.  There is no other way to put bytes into a
 * page, so untrusted text can never become markup.
 *
 * Out of memory latches: later calls do nothing and html_ok() says 0.
 */
#ifndef UC_SERVER_HTML_H
#define UC_SERVER_HTML_H

#include <stddef.h>
#include <stdint.h>

struct html {
	char *buf;
	size_t len;
	size_t cap;
	int failed;
};

/* Markup from a string literal only: "" s "" does not compile otherwise. */
#define html_lit(h, s) html_lit_((h), "" s "", sizeof("" s "") - 1)
void html_lit_(struct html *h, const char *lit, size_t n);
/* Untrusted (or any non-literal) text, escaped.  NULL writes nothing. */
void html_text(struct html *h, const char *s);
/* A number. */
void html_int(struct html *h, int64_t v);
/* Text for a URL query value: percent-encoded, then escaped. */
void html_url_value(struct html *h, const char *s);

int html_ok(const struct html *h);
/* Hand the buffer over (the caller free()s it); h is emptied. */
char *html_take(struct html *h, size_t *len);
void html_free(struct html *h);

/* JSON text needs no writer: it is produced by jansson (json_dumps). */

#endif
