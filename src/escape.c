/* escape.c -- all HTML and XML escaping, in one place */
#include "escape.h"

#include <string.h>

void escape_html(struct buf *out, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(out, run, (size_t)(s - run));
		buf_puts(out, rep);
		run = s + 1;
	}
	buf_add(out, run, (size_t)(s - run));
}
