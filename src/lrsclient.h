/* lrsclient.h -- an xAPI 1.0.3 LRS client over libcurl: POST batches of
 * statements and GET statement pages, over one kept-alive connection
 *
 * Every request carries X-Experience-API-Version (1.0.3 by default) and,
 * when credentials are set, HTTP Basic auth. Credentials and the userinfo
 * of URLs never appear in any message.
 *
 * What each answer means (docs/xapi-statements.md, "Sending"):
 *   network error, timeout, 429, 500, 502, 503, 504
 *        transient: the request is retried after an exponential backoff
 *        with full jitter (base * 2^attempt, capped), or after the
 *        Retry-After the LRS asked for, until 'retry_for' seconds have
 *        passed since the first try; then ET_ENET.
 *   200  stored (a resent batch of statements the LRS already has, with
 *        the same ids and content, is answered 200 too: success).
 *   400  the batch is split in halves until each bad statement is alone;
 *        that one is rejected with the LRS's message (dead letter).
 *   409  the same bisection; the lone statement is a conflict: the LRS
 *        holds another statement with its id. It is dropped and logged.
 *   413  the batch is split in halves; a lone statement that is still too
 *        large is rejected.
 *   401, 403, other answers: ET_ENET with the LRS's message; nothing else
 *        is sent.
 * Retries and splits are reported as notes with the rules "lrs-retry" and
 * "lrs-split"; the caller's sink decides whether to show them. */
#ifndef ET_LRSCLIENT_H
#define ET_LRSCLIENT_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

struct lrsclient_opts {
	const char *endpoint; /* e.g. http://127.0.0.1:8081/xAPI/ */
	const char *auth;     /* "key:secret", or NULL for none */
	const char *version;  /* X-Experience-API-Version; NULL = 1.0.3 */
	double timeout;       /* seconds per request; 0 = 60 */
	double retry_for;     /* give up retrying after this; 0 = 300 */
	double backoff_base;  /* first backoff in seconds; 0 = 0.25 */
	double backoff_max;   /* longest backoff; 0 = 30 */
};

struct lrsclient;

/* Returns 0, or ET_EINVALID when the endpoint is not an http(s) URL
 * (reported). The endpoint gets a trailing '/' when it has none. */
int lrsclient_new(struct lrsclient **out, const struct lrsclient_opts *o,
		  struct diag *d);
void lrsclient_free(struct lrsclient *c);

/* The endpoint without userinfo, for messages. */
const char *lrsclient_endpoint(const struct lrsclient *c);

/* One serialized statement of a batch. */
struct lrsclient_item {
	const char *json; /* compact JSON of the statement */
	size_t len;
	size_t index; /* the caller's number for it */
};

enum lrsclient_fate {
	LRSCLIENT_STORED,   /* acknowledged with 200 */
	LRSCLIENT_REJECTED, /* 400 or 413 on its own */
	LRSCLIENT_CONFLICT  /* 409 on its own */
};

/* Called once for each group of items that reached a fate. 'status' is
 * the HTTP status and 'message' the LRS's answer (its "message" and
 * "warnings" when it is JSON, else its text; "" for STORED). A non-zero
 * return stops the sending and is returned by lrsclient_send. */
typedef int (*lrsclient_fate_fn)(const struct lrsclient_item *items,
				 size_t n, enum lrsclient_fate fate,
				 long status, const char *message,
				 void *payload);

/* POST items as one JSON array, splitting as described above, and call
 * 'fn' for every item exactly once, unless it returns ET_ENET (the LRS is
 * unreachable, refused the credentials or answered something unexpected;
 * reported) or the callback's error. */
int lrsclient_send(struct lrsclient *c, const struct lrsclient_item *items,
		   size_t n, lrsclient_fate_fn fn, void *payload,
		   struct diag *d);

/* GET 'resource' (relative to the endpoint, e.g. "statements?limit=10") or
 * a 'more' IRL (an absolute path such as "/xAPI/statements?cursor=..",
 * resolved against the endpoint's scheme and host, or a full URL), with
 * the same retries. On 200, returns 0 with the body in 'out'; any other
 * final answer is ET_ENET (reported). */
int lrsclient_get(struct lrsclient *c, const char *resource, struct buf *out,
		  struct diag *d);

/* Requests sent so far, retries included, and connections opened. */
size_t lrsclient_requests(const struct lrsclient *c);
long lrsclient_connects(const struct lrsclient *c);

/* "http://user:pw@host/x" -> "http://host/x" (a new string). */
char *lrsclient_redact(const char *url);

/* The LRS's message from an error body: "message" and "warnings" of a
 * JSON body, else the text itself, on one line and at most 'max' bytes.
 * A new string. */
char *lrsclient_message(const char *body, size_t len, size_t max);

/* Seconds to wait for a Retry-After value (delta-seconds or an HTTP date,
 * relative to 'now'); -1 when absent or invalid. */
double lrsclient_retry_after(const char *value, long now);

#endif
