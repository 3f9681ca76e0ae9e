/* lrsclient.c -- an xAPI 1.0.3 LRS client over libcurl (see lrsclient.h) */
#include "lrsclient.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "dynlib.h"
#include "errors.h"
#include "util.h"

#define LRS_POST_REPLY_MAX (1u << 20)  /* error bodies we keep */
#define LRS_GET_REPLY_MAX (512u << 20) /* one page of statements */

struct lrsclient {
	const struct dynlib_curl *cu; /* libcurl, opened by lrsclient_new */
	CURL *h;
	char *endpoint; /* with a trailing '/' */
	char *shown;    /* the endpoint without userinfo */
	char *origin;   /* scheme://authority, to resolve 'more' */
	char *user, *pass;
	struct curl_slist *hdr_post, *hdr_get;
	double timeout, retry_for, backoff_base, backoff_max;
	size_t requests;
	long connects;
	uint64_t rng;
};

struct lrs_reply {
	long status; /* 0 when no HTTP answer */
	CURLcode cc;
	char err[CURL_ERROR_SIZE];
	struct buf body;
	size_t max;
	int truncated;
	char retry_after[64];
};

static double lrs_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lrs_sleep(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double lrs_random(struct lrsclient *c) /* [0, 1) */
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return (double)(c->rng >> 11) / 9007199254740992.0;
}

char *lrsclient_redact(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return xstrdup(url);
	p += 3;
	size_t alen = strcspn(p, "/?#");
	const char *at = NULL;
	for (const char *q = p; q < p + alen; q++)
		if (*q == '@')
			at = q;
	if (!at)
		return xstrdup(url);
	struct buf b = BUF_INIT;
	buf_add(&b, url, (size_t)(p - url));
	buf_puts(&b, at + 1);
	return buf_detach(&b, NULL);
}

char *lrsclient_message(const char *body, size_t len, size_t max)
{
	struct buf b = BUF_INIT;
	json_t *j = len ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *msg = json_object_get(j, "message");
	json_t *warn = json_object_get(j, "warnings");
	if (json_is_string(msg)) {
		buf_puts(&b, json_string_value(msg));
		size_t i;
		json_t *w;
		json_array_foreach(warn, i, w) {
			buf_puts(&b, i ? "; " : ": ");
			if (json_is_string(w)) {
				buf_puts(&b, json_string_value(w));
			} else {
				char *s = json_dumps(w, JSON_COMPACT |
							    JSON_ENCODE_ANY);
				buf_puts(&b, s ? s : "?");
				free(s);
			}
		}
	} else if (json_is_string(j)) {
		buf_puts(&b, json_string_value(j));
	} else {
		buf_add(&b, body, len);
	}
	json_decref(j);
	/* one line of printable text */
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.ptr[i] < 0x20 || b.ptr[i] == 0x7f)
			b.ptr[i] = ' ';
	if (b.len > max) {
		size_t cut = max;
		while (cut > 0 && ((unsigned char)b.ptr[cut] & 0xC0) == 0x80)
			cut--; /* don't split a UTF-8 sequence */
		b.len = cut;
		b.ptr[cut] = '\0';
		buf_puts(&b, "...");
	}
	return buf_detach(&b, NULL);
}

double lrsclient_retry_after(const char *value, long now)
{
	if (!value || !*value)
		return -1;
	char *end;
	errno = 0;
	long long secs = strtoll(value, &end, 10);
	if (end != value && *end == '\0' && errno == 0)
		return secs < 0 ? -1 : (double)secs;
	const struct dynlib_curl *cu = dynlib_curl();
	time_t when = cu ? cu->getdate(value, NULL) : -1;
	if (when < 0)
		return -1;
	return when > now ? (double)(when - now) : 0.0;
}

static size_t lrs_write_cb(char *data, size_t size, size_t nmemb, void *p)
{
	struct lrs_reply *r = p;
	size_t n = size * nmemb;
	if (r->body.len + n > r->max) {
		r->truncated = 1;
		return 0; /* abort the transfer */
	}
	buf_add(&r->body, data, n);
	return n;
}

static size_t lrs_header_cb(char *data, size_t size, size_t nmemb, void *p)
{
	struct lrs_reply *r = p;
	size_t n = size * nmemb;
	if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		const char *v = data + 12;
		size_t vl = n - 12;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
			      v[vl - 1] == ' '))
			vl--;
		if (vl >= sizeof(r->retry_after))
			vl = sizeof(r->retry_after) - 1;
		memcpy(r->retry_after, v, vl);
		r->retry_after[vl] = '\0';
	}
	return n;
}

int lrsclient_new(struct lrsclient **out, const struct lrsclient_opts *o,
		  struct diag *d)
{
	struct lrsclient *c;
	const char *e = o->endpoint;
	*out = NULL;
	const struct dynlib_curl *cu = dynlib_curl();
	if (!cu) {
		diag_error(d, LOC_NONE,
			   "%s (send and statements need libcurl: on Debian, "
			   "apt-get install libcurl4)",
			   dynlib_error());
		return ET_EIO;
	}
	if (!e || (strncasecmp(e, "http://", 7) && strncasecmp(e, "https://", 8))) {
		char *shown = lrsclient_redact(e ? e : "");
		diag_report(d, DIAG_ERROR, "lrs-url", LOC_NONE,
			    "the LRS endpoint '%s' is not an http:// or "
			    "https:// URL",
			    shown);
		free(shown);
		return ET_EINVALID;
	}
	c = xcalloc(1, sizeof(*c));
	c->cu = cu;
	size_t el = strlen(e);
	c->endpoint = xasprintf("%s%s", e, el && e[el - 1] == '/' ? "" : "/");
	c->shown = lrsclient_redact(c->endpoint);
	const char *auth_start = strstr(c->shown, "://") + 3;
	c->origin = xstrndup(c->shown,
			     (size_t)(auth_start - c->shown) +
				 strcspn(auth_start, "/?#"));
	if (o->auth) {
		const char *colon = strchr(o->auth, ':');
		c->user = colon ? xstrndup(o->auth, (size_t)(colon - o->auth))
				: xstrdup(o->auth);
		c->pass = xstrdup(colon ? colon + 1 : "");
	}
	c->timeout = o->timeout > 0 ? o->timeout : 60;
	c->retry_for = o->retry_for > 0 ? o->retry_for : 300;
	c->backoff_base = o->backoff_base > 0 ? o->backoff_base : 0.25;
	c->backoff_max = o->backoff_max > 0 ? o->backoff_max : 30;
	if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng) || !c->rng)
		c->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)time(NULL);

	char *ver = xasprintf("X-Experience-API-Version: %s",
			      o->version ? o->version : "1.0.3");
	c->hdr_get = cu->slist_append(NULL, ver);
	c->hdr_get = cu->slist_append(c->hdr_get, "Accept: application/json");
	c->hdr_post = cu->slist_append(NULL, ver);
	c->hdr_post = cu->slist_append(c->hdr_post, "Accept: application/json");
	c->hdr_post = cu->slist_append(c->hdr_post,
					"Content-Type: application/json; "
					"charset=utf-8");
	c->hdr_post = cu->slist_append(c->hdr_post, "Expect:");
	free(ver);

	cu->global_init(CURL_GLOBAL_DEFAULT);
	c->h = cu->easy_init();
	if (!c->h || !c->hdr_get || !c->hdr_post)
		BUG("libcurl initialization failed");
	cu->easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c->h, CURLOPT_TCP_KEEPALIVE, 1L);
	cu->easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
	cu->easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(c->h, CURLOPT_USERAGENT, "etoolbox/" ET_VERSION);
	cu->easy_setopt(c->h, CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
	cu->easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)((c->timeout < 10 ? c->timeout : 10) * 1000));
	cu->easy_setopt(c->h, CURLOPT_ACCEPT_ENCODING, "");
	cu->easy_setopt(c->h, CURLOPT_WRITEFUNCTION, lrs_write_cb);
	cu->easy_setopt(c->h, CURLOPT_HEADERFUNCTION, lrs_header_cb);
	if (c->user) {
		cu->easy_setopt(c->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		cu->easy_setopt(c->h, CURLOPT_USERNAME, c->user);
		cu->easy_setopt(c->h, CURLOPT_PASSWORD, c->pass);
	}
	*out = c;
	return 0;
}

void lrsclient_free(struct lrsclient *c)
{
	if (!c)
		return;
	const struct dynlib_curl *cu = c->cu;
	cu->easy_cleanup(c->h);
	cu->slist_free_all(c->hdr_get);
	cu->slist_free_all(c->hdr_post);
	cu->global_cleanup();
	if (c->pass) /* don't leave the secret in freed memory */
		memset(c->pass, 0, strlen(c->pass));
	free(c->endpoint);
	free(c->shown);
	free(c->origin);
	free(c->user);
	free(c->pass);
	free(c);
}

const char *lrsclient_endpoint(const struct lrsclient *c)
{
	return c->shown;
}

size_t lrsclient_requests(const struct lrsclient *c)
{
	return c->requests;
}

long lrsclient_connects(const struct lrsclient *c)
{
	return c->connects;
}

/* One request, no retries. */
static void lrs_perform(struct lrsclient *c, const char *url, const char *body,
			size_t len, struct lrs_reply *r)
{
	const struct dynlib_curl *cu = c->cu;
	buf_clear(&r->body);
	r->status = 0;
	r->truncated = 0;
	r->err[0] = '\0';
	r->retry_after[0] = '\0';
	cu->easy_setopt(c->h, CURLOPT_URL, url);
	cu->easy_setopt(c->h, CURLOPT_WRITEDATA, r);
	cu->easy_setopt(c->h, CURLOPT_HEADERDATA, r);
	cu->easy_setopt(c->h, CURLOPT_ERRORBUFFER, r->err);
	if (body) {
		cu->easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdr_post);
		cu->easy_setopt(c->h, CURLOPT_POST, 1L);
		cu->easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
		cu->easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
	} else {
		cu->easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdr_get);
		cu->easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	}
	c->requests++;
	r->cc = cu->easy_perform(c->h);
	long nc = 0;
	if (cu->easy_getinfo(c->h, CURLINFO_NUM_CONNECTS, &nc) == CURLE_OK)
		c->connects += nc;
	if (r->cc == CURLE_OK || r->cc == CURLE_WRITE_ERROR)
		cu->easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->truncated)
		r->cc = CURLE_OK; /* an oversized body: keep what we have */
	cu->easy_setopt(c->h, CURLOPT_ERRORBUFFER, NULL);
}

static int lrs_transient_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 ||
	       s == 504;
}

static int lrs_permanent_curl(CURLcode cc)
{
	return cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL ||
	       cc == CURLE_PEER_FAILED_VERIFICATION ||
	       cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM ||
	       cc == CURLE_LOGIN_DENIED || cc == CURLE_NOT_BUILT_IN;
}

static const char *lrs_curl_text(const struct lrs_reply *r)
{
	return r->err[0] ? r->err : dynlib_curl()->easy_strerror(r->cc);
}

/* A request with retries of transient failures. Returns 0 with the final
 * HTTP answer in r, or ET_ENET (reported) when the LRS stayed unreachable
 * or busy for retry_for seconds. */
static int lrs_request(struct lrsclient *c, const char *url, const char *body,
		       size_t len, struct lrs_reply *r, struct diag *d)
{
	double start = lrs_now();
	for (int attempt = 1;; attempt++) {
		lrs_perform(c, url, body, len, r);
		if (r->cc != CURLE_OK && lrs_permanent_curl(r->cc)) {
			diag_report(d, DIAG_ERROR, "lrs-network", LOC_NONE,
				    "cannot talk to the LRS at '%s': %s",
				    c->shown, lrs_curl_text(r));
			return ET_ENET;
		}
		if (r->cc == CURLE_OK && !lrs_transient_status(r->status))
			return 0;
		double wait = lrsclient_retry_after(r->retry_after,
						    (long)time(NULL));
		if (r->cc != CURLE_OK || wait < 0) {
			double cap = c->backoff_base;
			for (int i = 1; i < attempt && cap < c->backoff_max; i++)
				cap *= 2;
			if (cap > c->backoff_max)
				cap = c->backoff_max;
			wait = cap / 2 + lrs_random(c) * cap / 2;
		} else {
			wait += lrs_random(c) * 0.1; /* don't all come back at once */
		}
		char what[512];
		if (r->cc != CURLE_OK)
			snprintf(what, sizeof(what), "cannot reach the LRS: %s",
				 lrs_curl_text(r));
		else
			snprintf(what, sizeof(what), "the LRS answered %ld%s",
				 r->status,
				 r->retry_after[0] ? " with Retry-After" : "");
		if (lrs_now() - start + wait > c->retry_for) {
			diag_report(d, DIAG_ERROR, "lrs-network", LOC_NONE,
				    "%s; gave up after %d attempts in %.0f s "
				    "(--retry-for)",
				    what, attempt, lrs_now() - start);
			return ET_ENET;
		}
		diag_report(d, DIAG_NOTE, "lrs-retry", LOC_NONE,
			    "%s; retrying in %.1f s (attempt %d)", what, wait,
			    attempt + 1);
		lrs_sleep(wait);
	}
}

static int lrs_send_range(struct lrsclient *c,
			  const struct lrsclient_item *items, size_t n,
			  lrsclient_fate_fn fn, void *payload,
			  struct lrs_reply *r, struct diag *d)
{
	struct buf body = BUF_INIT;
	int rc;
	buf_putc(&body, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&body, ',');
		buf_add(&body, items[i].json, items[i].len);
	}
	buf_putc(&body, ']');
	char *url = xasprintf("%sstatements", c->endpoint);
	rc = lrs_request(c, url, body.ptr, body.len, r, d);
	free(url);
	buf_free(&body);
	if (rc < 0)
		return rc;
	long s = r->status;
	if (s == 200 || s == 204)
		return fn(items, n, LRSCLIENT_STORED, s, "", payload);
	if (s == 400 || s == 409 || s == 413) {
		if (n == 1) {
			char *msg = s == 413 && r->body.len == 0
					? xstrdup("request entity too large")
					: lrsclient_message(r->body.ptr,
							    r->body.len, 4000);
			rc = fn(items, 1,
				s == 409 ? LRSCLIENT_CONFLICT
					 : LRSCLIENT_REJECTED,
				s, msg, payload);
			free(msg);
			return rc;
		}
		size_t half = n / 2;
		diag_report(d, DIAG_NOTE, "lrs-split", LOC_NONE,
			    "the LRS answered %ld to a batch of %zu; sending it "
			    "as %zu and %zu",
			    s, n, half, n - half);
		rc = lrs_send_range(c, items, half, fn, payload, r, d);
		if (rc == 0)
			rc = lrs_send_range(c, items + half, n - half, fn,
					    payload, r, d);
		return rc;
	}
	char *msg = lrsclient_message(r->body.ptr, r->body.len, 500);
	if (s == 401 || s == 403)
		diag_report(d, DIAG_ERROR, "lrs-auth", LOC_NONE,
			    "the LRS at '%s' refused the credentials (%ld): %s",
			    c->shown, s, msg);
	else
		diag_report(d, DIAG_ERROR, "lrs-status", LOC_NONE,
			    "the LRS at '%s' answered %ld: %s", c->shown, s,
			    msg);
	free(msg);
	return ET_ENET;
}

int lrsclient_send(struct lrsclient *c, const struct lrsclient_item *items,
		   size_t n, lrsclient_fate_fn fn, void *payload,
		   struct diag *d)
{
	struct lrs_reply r;
	memset(&r, 0, sizeof(r));
	buf_init(&r.body);
	r.max = LRS_POST_REPLY_MAX;
	int rc = n ? lrs_send_range(c, items, n, fn, payload, &r, d) : 0;
	buf_free(&r.body);
	return rc;
}

int lrsclient_get(struct lrsclient *c, const char *resource, struct buf *out,
		  struct diag *d)
{
	struct lrs_reply r;
	char *url;
	int rc;
	memset(&r, 0, sizeof(r));
	buf_init(&r.body);
	r.max = LRS_GET_REPLY_MAX;
	if (strncasecmp(resource, "http://", 7) == 0 ||
	    strncasecmp(resource, "https://", 8) == 0) {
		size_t ol = strlen(c->origin);
		char *shown = lrsclient_redact(resource);
		if (strncasecmp(shown, c->origin, ol) != 0 ||
		    !strchr("/?#", shown[ol])) {
			/* never send the credentials to another host */
			diag_report(d, DIAG_ERROR, "lrs-more", LOC_NONE,
				    "the LRS sent a 'more' link to another "
				    "server: '%s'",
				    shown);
			free(shown);
			buf_free(&r.body);
			return ET_ENET;
		}
		free(shown);
		url = xstrdup(resource);
	} else if (resource[0] == '/') {
		/* keep the endpoint's userinfo, if any, by splicing the path
		 * after its authority */
		const char *a = strstr(c->endpoint, "://") + 3;
		url = xasprintf("%.*s%s",
				(int)((a - c->endpoint) + strcspn(a, "/?#")),
				c->endpoint, resource);
	} else {
		url = xasprintf("%s%s", c->endpoint, resource);
	}
	rc = lrs_request(c, url, NULL, 0, &r, d);
	free(url);
	if (rc == 0 && r.status != 200) {
		char *msg = lrsclient_message(r.body.ptr, r.body.len, 500);
		diag_report(d, DIAG_ERROR,
			    r.status == 401 || r.status == 403 ? "lrs-auth"
							       : "lrs-status",
			    LOC_NONE, "the LRS at '%s' answered %ld: %s",
			    c->shown, r.status, msg);
		free(msg);
		rc = ET_ENET;
	} else if (rc == 0 && r.truncated) {
		diag_report(d, DIAG_ERROR, "lrs-status", LOC_NONE,
			    "a page from the LRS at '%s' is larger than "
			    "512 MiB; use a smaller --page-size",
			    c->shown);
		rc = ET_ENET;
	}
	if (rc == 0) {
		buf_clear(out);
		buf_add(out, r.body.ptr, r.body.len);
	}
	buf_free(&r.body);
	return rc;
}
