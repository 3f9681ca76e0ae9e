/* lrs_codec.h -- the encodings the LRS reads and writes: base64 and
 * base64url, percent-encoding (URLs and form bodies), hex, and times
 * (ISO 8601 / RFC 3339 timestamps and HTTP dates)
 *
 * Pure functions: no I/O, no global state, safe from any thread. */
#ifndef ET_LRS_CODEC_H
#define ET_LRS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Decode base64 ('url' = 0: the standard alphabet, '=' padding optional)
 * or base64url ('url' = 1: '-' and '_', no padding) into 'out' (cleared
 * first). Returns 0, or -1 on any character outside the alphabet or a
 * length that can't be base64. */
int lrs_codec_base64_decode(struct buf *out, const char *s, size_t len,
			    int url);
/* base64url without padding of 'len' bytes, appended to 'out'. */
void lrs_codec_base64url(struct buf *out, const void *data, size_t len);

/* Lowercase hex of 'len' bytes into 'out' (2 * len + 1 bytes). */
void lrs_codec_hex(const unsigned char *data, size_t len, char *out);
/* Parse exactly 2 * len hex digits (either case) of 's' into 'out'.
 * Returns 0, or -1. */
int lrs_codec_unhex(const char *s, unsigned char *out, size_t len);

/* Percent-decode 'len' bytes of 's' into 'out' (cleared first); with
 * 'plus', '+' means a space (form bodies). Returns 0, or -1 on a bad
 * escape or a decoded NUL. */
int lrs_codec_unescape(struct buf *out, const char *s, size_t len, int plus);
/* Percent-encode 's' for a query string value (RFC 3986 unreserved
 * characters stay as they are), appended to 'out'. */
void lrs_codec_escape(struct buf *out, const char *s);

/* The byte ranges of a JSON text that is known to be valid: the top-level
 * value, or each element when it is an array ('*out_array' = 1). Leading
 * and trailing white space is not part of a range. Returns the number of
 * ranges put in 'out' (a new array the caller frees). */
struct lrs_codec_range {
	size_t off, len;
};
size_t lrs_codec_json_split(const char *s, size_t len,
			    struct lrs_codec_range **out, int *out_array);

/* How many values a JSON text has, about: its '{', '[' and ',' outside
 * strings, plus one. Stops counting past 'max'. */
size_t lrs_codec_json_values(const char *s, size_t len, size_t max);

/* Milliseconds since 1970-01-01T00:00:00Z of an ISO 8601 timestamp with a
 * date, a time and a zone (the form xapi_validate_timestamp accepts; a
 * bare date or a missing zone is refused). Fractions beyond milliseconds
 * are truncated. Returns 0, or -1. */
int lrs_codec_time_parse(const char *s, int64_t *out_ms);
/* "2024-05-01T08:00:13.452Z" (24 characters + NUL) */
void lrs_codec_time_format(int64_t ms, char out[32]);
/* An HTTP date (RFC 7231 IMF-fixdate), "Wed, 01 May 2024 08:00:13 GMT" */
void lrs_codec_http_date(int64_t ms, char out[40]);
/* The current time in milliseconds since the epoch (CLOCK_REALTIME). */
int64_t lrs_codec_now_ms(void);

#endif
