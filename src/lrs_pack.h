/* lrs_pack.h -- how the LRS keeps statement bodies on disk: raw DEFLATE
 * (zlib) with a preset dictionary of the strings xAPI statements repeat
 *
 * A 1.5 KB statement becomes about 400 bytes, so a database page holds
 * several, and each stored batch writes a third of the pages. A packed
 * body starts with the byte 'z' and the dictionary's version; a body
 * that starts with '{' is plain JSON (both are read). The dictionary is
 * part of the file format: never change LRS_PACK_DICT_V1, add a new
 * version instead.
 *
 * A struct lrs_pack holds the zlib streams of one thread; it is reused
 * for every body of a request. */
#ifndef ET_LRS_PACK_H
#define ET_LRS_PACK_H

#include <stddef.h>

#include "buf.h"

struct lrs_pack;

struct lrs_pack *lrs_pack_new(void);
void lrs_pack_free(struct lrs_pack *p);

/* Pack 'len' bytes of JSON into 'out' (cleared first). */
void lrs_pack_body(struct lrs_pack *p, const char *text, size_t len,
		   struct buf *out);
/* Append the JSON of a stored body to 'out'. Returns 0, or -1 when the
 * body is damaged. */
int lrs_pack_unbody(struct lrs_pack *p, const void *body, size_t len,
		    struct buf *out);

#endif
