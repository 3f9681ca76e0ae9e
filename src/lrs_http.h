/* lrs_http.h -- etoolbox lrs on the network: libmicrohttpd, limits,
 * timeouts, CORS and the response headers, in front of lrs_api
 *
 * A pool of threads answers (epoll). Limits: a request body over
 * max_body bytes is answered 413 as soon as that is known (from
 * Content-Length, or while it arrives) and the connection is closed; a
 * connection idle for idle_timeout seconds is closed; a request whose body
 * takes longer than request_timeout seconds to arrive is dropped;
 * max_connections in all and max_per_ip per client address; request
 * headers are limited by libmicrohttpd's per-connection memory (64 KiB);
 * the bodies being received, all requests together, may take at most
 * body_budget bytes: past that, a request gets 503 with Retry-After (so
 * many slow uploads can't exhaust memory).
 *
 * Every answer carries X-Experience-API-Version: 1.0.3 and, for CORS,
 * Access-Control-Allow-Origin (the origin when it is allowed: every
 * origin with cors = "*", else those listed) and the headers a page may
 * read (Access-Control-Expose-Headers). A preflight (OPTIONS) is answered
 * 204 with the methods and headers xAPI uses, without a key. */
#ifndef ET_LRS_HTTP_H
#define ET_LRS_HTTP_H

#include <stddef.h>

#include "diag.h"
#include "lrs_api.h"

struct lrs_http_opts {
	const char *listen;       /* "127.0.0.1:8080"; port 0: any free one */
	size_t max_body;          /* bytes */
	size_t body_budget;       /* bytes of bodies in memory at once */
	unsigned idle_timeout;    /* seconds */
	unsigned request_timeout; /* seconds for a whole request body */
	unsigned threads;
	unsigned max_connections;
	unsigned max_per_ip;
	const char *cors; /* "*" or "https://a.example,https://b.example" */
	int access_log;   /* log every request, not only errors */
	/* where log lines go (no secrets, no query strings, no bodies) */
	void (*log)(void *payload, const char *line);
	void *log_payload;
};

struct lrs_http;

/* Listen and serve 'api' (which must outlive the server). Returns 0, or
 * ET_EIO / ET_EINVALID (reported: a bad address, a port in use). */
int lrs_http_start(struct lrs_http **out, struct lrs_api *api,
		   const struct lrs_http_opts *o, struct diag *d);
/* The port it listens on. */
unsigned lrs_http_port(const struct lrs_http *h);
/* Stop accepting, finish the requests being answered, and free. */
void lrs_http_stop(struct lrs_http *h);

#endif
