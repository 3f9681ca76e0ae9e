/* escape.h -- all HTML and XML escaping, in one place */
#ifndef ET_ESCAPE_H
#define ET_ESCAPE_H

#include "buf.h"

/* Append 's' escaped for HTML/XML text and attribute values:
 * & < > " ' become character references. */
void escape_html(struct buf *out, const char *s);

/* Append 's' with control characters and bytes that are not UTF-8
 * written as escapes (\n, \t, \r, \xNN), so that a name from an
 * untrusted file can't forge output lines or drive the terminal. */
void escape_printable(struct buf *out, const char *s);

#endif
