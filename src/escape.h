/* escape.h -- all HTML and XML escaping, in one place */
#ifndef ET_ESCAPE_H
#define ET_ESCAPE_H

#include "buf.h"

/* Append 's' escaped for HTML/XML text and attribute values:
 * & < > " ' become character references. */
void escape_html(struct buf *out, const char *s);

#endif
