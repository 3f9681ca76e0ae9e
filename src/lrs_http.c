/* lrs_http.c -- etoolbox lrs on the network (libmicrohttpd) */
#include "lrs_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dynlib.h"
#include "errors.h"
#include "lrs_codec.h"
#include "util.h"

#define EXPOSE_HEADERS                                                       \
	"ETag, Last-Modified, Content-Type, Content-Length, "                \
	"X-Experience-API-Version, X-Experience-API-Consistent-Through"
#define ALLOW_HEADERS                                                        \
	"Authorization, Content-Type, X-Experience-API-Version, If-Match, "  \
	"If-None-Match, Accept-Language, X-Experience-API-Hash"
#define ALLOW_METHODS "GET, HEAD, POST, PUT, DELETE, OPTIONS"

/* libmicrohttpd, opened by lrs_http_start before any server thread runs */
static const struct dynlib_mhd *mhd;

struct lrs_http {
	struct MHD_Daemon *daemon;
	size_t buffered; /* bytes of request bodies held now (atomic) */
	struct lrs_api *api;
	struct lrs_http_opts o;
	char *cors;
	unsigned port;
};

/* One request while it arrives. */
struct req {
	struct buf body;
	size_t counted; /* of lrs_http.buffered */
	int64_t t0;
	int too_large;
	int answered;
};

/* Count 'n' more bytes of bodies held; 0 when that is within the budget,
 * else nothing is counted and -1. */
static int budget_take(struct lrs_http *h, struct req *r, size_t n)
{
	size_t now = __atomic_add_fetch(&h->buffered, n, __ATOMIC_RELAXED);
	if (h->o.body_budget && now > h->o.body_budget) {
		__atomic_sub_fetch(&h->buffered, n, __ATOMIC_RELAXED);
		return -1;
	}
	r->counted += n;
	return 0;
}

static void budget_give(struct lrs_http *h, struct req *r)
{
	if (r->counted)
		__atomic_sub_fetch(&h->buffered, r->counted, __ATOMIC_RELAXED);
	r->counted = 0;
}

static void http_log(struct lrs_http *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void http_log(struct lrs_http *h, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!h->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->o.log(h->o.log_payload, line);
}

/* A diag sink for the server's own errors (a failing database). */
static void error_sink(const struct diag_msg *m, void *payload)
{
	struct lrs_http *h = payload;
	http_log(h, "error: %s", m->text);
}

/* The origin to allow, or NULL. */
static const char *cors_origin(struct lrs_http *h, const char *origin)
{
	if (strcmp(h->cors, "*") == 0)
		return origin ? origin : "*";
	if (!origin)
		return NULL;
	size_t n = strlen(origin);
	for (const char *p = h->cors; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, origin, n) == 0)
			return origin;
		p += len + (e ? 1 : 0);
	}
	return NULL;
}

static enum MHD_Result respond(struct lrs_http *h, struct MHD_Connection *c,
			    const char *method, const char *url,
			    struct lrs_response *res, int close, int64_t t0)
{
	struct MHD_Response *r;
	size_t len = res->body.len;
	char date[40], iso[32];
	if (len) {
		char *data = buf_detach(&res->body, &len);
		r = mhd->create_response_from_buffer(len, data,
						    MHD_RESPMEM_MUST_FREE);
	} else {
		r = mhd->create_response_from_buffer(0, NULL,
						    MHD_RESPMEM_PERSISTENT);
	}
	if (!r)
		return MHD_NO;
	mhd->add_response_header(r, "X-Experience-API-Version", "1.0.3");
	if (res->content_type[0])
		mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					res->content_type);
	if (res->etag[0])
		mhd->add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
	if (res->last_modified) {
		lrs_codec_http_date(res->last_modified, date);
		mhd->add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	}
	if (res->consistent_through) {
		lrs_codec_time_format(res->consistent_through, iso);
		mhd->add_response_header(r, "X-Experience-API-Consistent-Through",
					iso);
	}
	if (res->challenge)
		mhd->add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"etoolbox lrs\", "
					"charset=\"UTF-8\"");
	if (res->allow)
		mhd->add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	if (res->retry_after) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", res->retry_after);
		mhd->add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	mhd->add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	const char *origin = cors_origin(
	    h, mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Origin"));
	if (origin) {
		mhd->add_response_header(r, "Access-Control-Allow-Origin", origin);
		if (strcmp(origin, "*"))
			mhd->add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin");
		mhd->add_response_header(r, "Access-Control-Expose-Headers",
					EXPOSE_HEADERS);
		if (strcmp(method, "OPTIONS") == 0) {
			mhd->add_response_header(r, "Access-Control-Allow-Methods",
						ALLOW_METHODS);
			mhd->add_response_header(r, "Access-Control-Allow-Headers",
						ALLOW_HEADERS);
			mhd->add_response_header(r, "Access-Control-Max-Age",
						"86400");
		}
	}
	if (close)
		mhd->add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ok = mhd->queue_response(c, (unsigned)res->status, r);
	mhd->destroy_response(r);
	if (h->o.access_log || res->status >= 500 || res->status == 413)
		http_log(h, "%s %s %d %zu %lld ms", method, url, res->status,
			 len, (long long)(lrs_codec_now_ms() - t0));
	return ok;
}

/* Answer 'res' before the body is all in, and drop what was buffered. */
static enum MHD_Result refuse(struct lrs_http *h, struct MHD_Connection *c,
			      const char *method, const char *url,
			      struct req *r, struct lrs_response *res)
{
	r->answered = 1;
	budget_give(h, r);
	buf_free(&r->body);
	enum MHD_Result ok = respond(h, c, method, url, res, 1, r->t0);
	lrs_response_release(res);
	return ok;
}

static enum MHD_Result busy(struct lrs_http *h, struct MHD_Connection *c,
			    const char *method, const char *url, struct req *r)
{
	struct lrs_response res;
	lrs_response_init(&res);
	lrs_api_error(&res, 503,
		      "this LRS is receiving too much at once: try again in a "
		      "moment");
	res.retry_after = 1;
	return refuse(h, c, method, url, r, &res);
}

static enum MHD_Result too_large(struct lrs_http *h, struct MHD_Connection *c,
				 const char *method, const char *url,
				 struct req *r)
{
	struct lrs_response res;
	lrs_response_init(&res);
	lrs_api_error(&res, 413,
		      "the request body is larger than this LRS accepts (%zu "
		      "bytes): send fewer statements per request",
		      h->o.max_body);
	r->too_large = 1;
	return refuse(h, c, method, url, r, &res);
}

struct params {
	struct lrs_param *v;
	size_t n;
	int bad;
};

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct params *p = cls;
	(void)kind;
	if (p->n == 64) {
		p->bad = 1;
		return MHD_NO;
	}
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n].name = (char *)key;
	p->v[p->n].value = (char *)(value ? value : "");
	p->n++;
	return MHD_YES;
}

static enum lrs_method method_of(const char *m)
{
	static const struct {
		const char *name;
		enum lrs_method m;
	} t[] = { { "GET", LRS_GET },	    { "HEAD", LRS_HEAD },
		  { "POST", LRS_POST },	    { "PUT", LRS_PUT },
		  { "DELETE", LRS_DELETE }, { "OPTIONS", LRS_OPTIONS } };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(m, t[i].name) == 0)
			return t[i].m;
	return LRS_OTHER;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct lrs_http *h = cls;
	struct req *r = *con_cls;
	(void)version;
	if (!r) {
		r = xcalloc(1, sizeof(*r));
		buf_init(&r->body);
		r->t0 = lrs_codec_now_ms();
		*con_cls = r;
		const char *cl = mhd->lookup_connection_value(
		    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(cl, &end, 10);
			if (errno || *end || n > h->o.max_body)
				return too_large(h, c, method, url, r);
			/* the whole body is coming: room for it now */
			if (n && budget_take(h, r, (size_t)n))
				return busy(h, c, method, url, r);
			buf_grow(&r->body, (size_t)n);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->answered) {
			*upload_size = 0;
			return MHD_YES;
		}
		if (h->o.request_timeout &&
		    lrs_codec_now_ms() - r->t0 >
			(int64_t)h->o.request_timeout * 1000) {
			http_log(h, "%s %s: the body did not arrive within %u s; "
				    "connection closed",
				 method, url, h->o.request_timeout);
			return MHD_NO;
		}
		if (r->body.len + *upload_size > h->o.max_body) {
			*upload_size = 0;
			return too_large(h, c, method, url, r);
		}
		if (r->body.len + *upload_size > r->counted &&
		    budget_take(h, r,
				r->body.len + *upload_size - r->counted)) {
			*upload_size = 0;
			return busy(h, c, method, url, r);
		}
		buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	r->answered = 1;

	struct lrs_request req;
	struct lrs_response res;
	struct params params = { NULL, 0, 0 };
	struct diag d;
	memset(&req, 0, sizeof(req));
	lrs_response_init(&res);
	diag_init(&d, error_sink, h);
	const char *base = h->api->base;
	size_t blen = strlen(base);
	req.method = method_of(method);
	if (strncmp(url, base, blen) != 0 || url[blen] != '/') {
		lrs_api_error(&res, 404, "no such resource: the endpoint is "
					 "%s/",
			      base);
		goto answer;
	}
	if (req.method == LRS_OTHER) {
		lrs_api_error(&res, 405, "method not allowed");
		res.allow = ALLOW_METHODS;
		goto answer;
	}
	mhd->get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param,
				  &params);
	if (params.bad) {
		lrs_api_error(&res, 400, "too many parameters");
		goto answer;
	}
	req.path = url + blen + 1;
	req.params = params.v;
	req.nparams = params.n;
#define HDR(name) mhd->lookup_connection_value(c, MHD_HEADER_KIND, name)
	req.authorization = HDR(MHD_HTTP_HEADER_AUTHORIZATION);
	req.version = HDR("X-Experience-API-Version");
	req.content_type = HDR(MHD_HTTP_HEADER_CONTENT_TYPE);
	req.if_match = HDR(MHD_HTTP_HEADER_IF_MATCH);
	req.if_none_match = HDR(MHD_HTTP_HEADER_IF_NONE_MATCH);
	req.accept_language = HDR(MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
#undef HDR
	req.body = r->body.ptr;
	req.body_len = r->body.len;
	lrs_api_handle(h->api, &req, &res, &d);
answer:;
	enum MHD_Result ok = respond(h, c, method, url, &res, 0, r->t0);
	lrs_response_release(&res);
	lrs_request_release(&req);
	free(params.v);
	budget_give(h, r);
	buf_free(&r->body);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct lrs_http *h = cls;
	struct req *r = *con_cls;
	(void)c;
	(void)toe;
	if (r) {
		budget_give(h, r);
		buf_free(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct lrs_http *h = cls;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	http_log(h, "http: %s", line);
}

/* "host:port", "[v6]:port" or ":port" (= 127.0.0.1). */
static int parse_listen(const char *s, struct sockaddr_storage *ss,
			socklen_t *len, int *v6, struct diag *d)
{
	char host[256];
	const char *colon, *port;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = '\0';
		port = e + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	if (!host[0])
		snprintf(host, sizeof(host), "127.0.0.1");
	if (!*port || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || strtoul(port, NULL, 10) > 65535)
		goto bad;
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc || !ai) {
		diag_error(d, LOC_NONE, "cannot listen on '%s': %s", s,
			   gai_strerror(rc));
		return ET_EINVALID;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return 0;
bad:
	diag_error(d, LOC_NONE,
		   "cannot listen on '%s': want HOST:PORT, like "
		   "127.0.0.1:8080",
		   s);
	return ET_EINVALID;
}

int lrs_http_start(struct lrs_http **out, struct lrs_api *api,
		   const struct lrs_http_opts *o, struct diag *d)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int v6 = 0;
	int rc = parse_listen(o->listen, &ss, &slen, &v6, d);
	if (rc)
		return rc;
	if (!(mhd = dynlib_mhd())) {
		diag_error(d, LOC_NONE,
			   "%s (the LRS needs libmicrohttpd: on Debian, "
			   "apt-get install libmicrohttpd12)",
			   dynlib_error());
		return ET_EIO;
	}
	struct lrs_http *h = xcalloc(1, sizeof(*h));
	h->api = api;
	h->o = *o;
	h->cors = xstrdup(o->cors ? o->cors : "*");
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	h->daemon = mhd->start_daemon(
	    flags, 0, NULL, NULL, handler, h, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_logger, h, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads ? o->threads : 4),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->idle_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->max_per_ip,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, h,
	    MHD_OPTION_END);
	if (!h->daemon) {
		diag_error(d, LOC_NONE,
			   "cannot listen on '%s' (is the port in use?)",
			   o->listen);
		free(h->cors);
		free(h);
		return ET_EIO;
	}
	const union MHD_DaemonInfo *info =
	    mhd->get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	*out = h;
	return 0;
}

unsigned lrs_http_port(const struct lrs_http *h)
{
	return h->port;
}

void lrs_http_stop(struct lrs_http *h)
{
	if (!h)
		return;
	mhd->stop_daemon(h->daemon);
	free(h->cors);
	free(h);
}
