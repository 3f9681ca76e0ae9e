/* lrs_multipart.c -- multipart/mixed bodies for statements with
 * attachments */
#include "lrs_multipart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lrs_keys.h"
#include "lrs_codec.h"
#include "util.h"

#define MAX_PARTS 1000

/* The boundary parameter of a Content-Type value; 0 or -1. */
static int boundary_of(const char *ct, struct buf *out)
{
	const char *p = ct;
	buf_clear(out);
	while ((p = strchr(p, ';'))) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0) {
			p += 9;
			if (*p == '"') {
				const char *e = strchr(p + 1, '"');
				if (!e)
					return -1;
				buf_add(out, p + 1, (size_t)(e - p - 1));
			} else {
				size_t n = strcspn(p, "; \t");
				buf_add(out, p, n);
			}
			return out->len && out->len <= 70 ? 0 : -1;
		}
	}
	return -1;
}

static const char *find(const char *hay, size_t hlen, const char *needle,
			size_t nlen)
{
	const char *p = hay, *end = hay + hlen;
	if (!nlen || nlen > hlen)
		return NULL;
	while ((size_t)(end - p) >= nlen) {
		p = memchr(p, needle[0], (size_t)(end - p) - nlen + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, nlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

/* Parse the headers of one part (up to the blank line); sets *body to
 * where its content starts. 0 or -1. */
static int part_headers(const char *p, const char *end, struct lrs_part *part,
			const char **body)
{
	while (p < end) {
		const char *eol = find(p, (size_t)(end - p), "\r\n", 2);
		if (!eol)
			return -1;
		if (eol == p) {
			*body = p + 2;
			return 0;
		}
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			return -1;
		size_t nlen = (size_t)(colon - p);
		char **slot = NULL;
		if (nlen == 12 && strncasecmp(p, "Content-Type", 12) == 0)
			slot = &part->content_type;
		else if (nlen == 21 &&
			 strncasecmp(p, "X-Experience-API-Hash", 21) == 0)
			slot = &part->hash;
		else if (nlen == 25 &&
			 strncasecmp(p, "Content-Transfer-Encoding", 25) == 0)
			slot = &part->transfer_encoding;
		if (slot) {
			if (*slot)
				return -1; /* a header twice */
			*slot = trimmed(colon + 1, (size_t)(eol - colon - 1));
		}
		p = eol + 2;
	}
	return -1;
}

int lrs_multipart_parse(const char *content_type, const char *body,
			size_t len, struct lrs_part **out, size_t *out_n,
			struct buf *why)
{
	struct buf b = BUF_INIT, delim = BUF_INIT;
	struct lrs_part *parts = NULL;
	size_t n = 0;
	int rc = -1;
	const char *end = body + len, *p;
	*out = NULL;
	*out_n = 0;
	if (boundary_of(content_type, &b)) {
		buf_puts(why, "multipart/mixed needs a boundary parameter in "
			      "its Content-Type");
		goto done;
	}
	/* the first delimiter: "--boundary", at the start or after CRLF */
	buf_printf(&delim, "--%s", b.ptr);
	if (len >= delim.len && memcmp(body, delim.ptr, delim.len) == 0) {
		p = body + delim.len;
	} else {
		buf_clear(&delim);
		buf_printf(&delim, "\r\n--%s", b.ptr);
		const char *f = find(body, len, delim.ptr, delim.len);
		if (!f) {
			buf_puts(why, "the multipart body has no boundary line");
			goto done;
		}
		p = f + delim.len;
	}
	buf_clear(&delim);
	buf_printf(&delim, "\r\n--%s", b.ptr);
	for (;;) {
		/* after a delimiter: "--" closes, else CRLF and a part */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			buf_puts(why, "malformed multipart boundary line");
			goto done;
		}
		p += 2;
		if (n == MAX_PARTS) {
			buf_puts(why, "too many parts in the multipart body");
			goto done;
		}
		parts = xrealloc(parts, (n + 1) * sizeof(*parts));
		memset(&parts[n], 0, sizeof(*parts));
		n++;
		const char *content;
		if (part_headers(p, end, &parts[n - 1], &content)) {
			buf_printf(why, "malformed headers in multipart part %zu",
				   n);
			goto done;
		}
		const char *next = find(content, (size_t)(end - content),
					delim.ptr, delim.len);
		if (!next) {
			buf_printf(why,
				   "multipart part %zu has no closing boundary",
				   n);
			goto done;
		}
		parts[n - 1].data = content;
		parts[n - 1].len = (size_t)(next - content);
		p = next + delim.len;
	}
	if (n == 0) {
		buf_puts(why, "the multipart body has no parts");
		goto done;
	}
	rc = 0;
	*out = parts;
	*out_n = n;
	parts = NULL;
	n = 0;
done:
	lrs_multipart_free(parts, n);
	buf_free(&b);
	buf_free(&delim);
	return rc;
}

void lrs_multipart_free(struct lrs_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(parts[i].content_type);
		free(parts[i].hash);
		free(parts[i].transfer_encoding);
	}
	free(parts);
}

void lrs_multipart_boundary(char out[48])
{
	unsigned char r[12];
	char hex[25];
	if (lrs_keys_random(r, sizeof(r)))
		memset(r, 0x5a, sizeof(r));
	lrs_codec_hex(r, sizeof(r), hex);
	snprintf(out, 48, "etoolbox-lrs-%s", hex);
}

void lrs_multipart_add(struct buf *out, const char *boundary,
		       const char *content_type, const char *hash,
		       const void *data, size_t len)
{
	buf_printf(out, "--%s\r\nContent-Type: %s\r\n", boundary,
		   content_type);
	if (hash)
		buf_printf(out,
			   "Content-Transfer-Encoding: binary\r\n"
			   "X-Experience-API-Hash: %s\r\n",
			   hash);
	buf_puts(out, "\r\n");
	buf_add(out, data, len);
	buf_puts(out, "\r\n");
}

void lrs_multipart_end(struct buf *out, const char *boundary)
{
	buf_printf(out, "--%s--\r\n", boundary);
}
