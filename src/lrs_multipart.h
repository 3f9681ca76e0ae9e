/* lrs_multipart.h -- multipart/mixed bodies (RFC 2046), as xAPI sends
 * statements with their attachments: the first part is the statements
 * (application/json), each other part an attachment's content with an
 * X-Experience-API-Hash header (its SHA-256 in hex)
 *
 * Pure functions over memory; no I/O. */
#ifndef ET_LRS_MULTIPART_H
#define ET_LRS_MULTIPART_H

#include <stddef.h>

#include "buf.h"

struct lrs_part {
	char *content_type;      /* owned; NULL when the part has none */
	char *hash;              /* X-Experience-API-Hash, owned, or NULL */
	char *transfer_encoding; /* Content-Transfer-Encoding, or NULL */
	const char *data;        /* points into the body */
	size_t len;
};

/* Split 'body' by the boundary of the Content-Type header value
 * 'content_type' ("multipart/mixed; boundary=..."). Returns 0 with the
 * parts (free with lrs_multipart_free), or -1 with the reason in 'why'. */
int lrs_multipart_parse(const char *content_type, const char *body,
			size_t len, struct lrs_part **out, size_t *out_n,
			struct buf *why);
void lrs_multipart_free(struct lrs_part *parts, size_t n);

/* Building an answer: a boundary unlikely to be in any content. */
void lrs_multipart_boundary(char out[48]);
/* Append one part (headers, then 'data') to 'out'. 'hash' may be NULL. */
void lrs_multipart_add(struct buf *out, const char *boundary,
		       const char *content_type, const char *hash,
		       const void *data, size_t len);
/* Append the closing delimiter. */
void lrs_multipart_end(struct buf *out, const char *boundary);

#endif
