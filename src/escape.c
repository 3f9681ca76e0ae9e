/* escape.c -- all HTML and XML escaping, in one place */
#include "escape.h"

#include <string.h>

#include "source.h"

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

void escape_printable(struct buf *out, const char *s)
{
	size_t len = strlen(s), i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t bad = 0;
		if (c >= 0x80) {
			/* copy a valid UTF-8 sequence whole */
			size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
							   : (c & 0xF8) == 0xF0 ? 4
										: 1;
			if (n > 1 && i + n <= len &&
			    source_check_utf8(s + i, n, &bad) == 0) {
				buf_add(out, s + i, n);
				i += n;
				continue;
			}
		}
		if (c == '\n')
			buf_puts(out, "\\n");
		else if (c == '\t')
			buf_puts(out, "\\t");
		else if (c == '\r')
			buf_puts(out, "\\r");
		else if (c < 0x20 || c == 0x7F || c >= 0x80)
			buf_printf(out, "\\x%02x", c);
		else
			buf_putc(out, (char)c);
		i++;
	}
}
