/*
 * The web console's one escaping writer (src/server/html.h): what
 * html_text lets through is never markup, in element content or in a
 * quoted attribute; html_url_value leaves only unreserved bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/html.h"

static char *
render_text(const char *s, size_t *len)
{
	struct html h = { 0 };

	html_lit(&h, "<p title=\"");
	html_text(&h, s);
	html_lit(&h, "\">");
	html_text(&h, s);
	html_lit(&h, "</p>");
	assert_true(html_ok(&h));
	return html_take(&h, len);
}

static void
test_escapes_markup(void **state)
{
	size_t len;
	char *out;

	(void)state;
	out = render_text("<script>alert('x')</script> & \"q\"", &len);
	assert_string_equal(out, "<p title=\"&lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt; &amp; &quot;q&quot;\">&lt;script&gt;alert("
	    "&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
	assert_int_equal(len, strlen(out));
	free(out);
}

/* Every byte value: none of < > " ' & survives html_text. */
static void
test_every_byte(void **state)
{
	char in[256];
	size_t i, len;
	struct html h = { 0 };
	char *out;

	(void)state;
	for (i = 1; i < 256; i++)
		in[i - 1] = (char)i;
	in[255] = '\0';
	html_text(&h, in);
	out = html_take(&h, &len);
	for (i = 0; i < len; i++) {
		assert_int_not_equal(out[i], '<');
		assert_int_not_equal(out[i], '>');
		assert_int_not_equal(out[i], '"');
		assert_int_not_equal(out[i], '\'');
		if (out[i] == '&')
			assert_true(strncmp(out + i, "&amp;", 5) == 0 ||
			    strncmp(out + i, "&lt;", 4) == 0 ||
			    strncmp(out + i, "&gt;", 4) == 0 ||
			    strncmp(out + i, "&quot;", 6) == 0 ||
			    strncmp(out + i, "&#39;", 5) == 0);
	}
	free(out);
}

static void
test_url_and_numbers(void **state)
{
	struct html h = { 0 };
	size_t len;
	char *out;

	(void)state;
	html_url_value(&h, "Đức a&b=\"c\"");
	html_lit(&h, "|");
	html_int(&h, -42);
	html_text(&h, NULL);
	out = html_take(&h, &len);
	assert_string_equal(out, "%C4%90%E1%BB%A9c%20a%26b%3D%22c%22|-42");
	free(out);
	/* an empty writer hands over an empty string */
	out = html_take(&h, &len);
	assert_string_equal(out, "");
	assert_int_equal(len, 0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_markup),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_url_and_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
