/* lrs_api.h -- the xAPI 1.0.3 resources of etoolbox lrs, over a plain
 * request/response model (no sockets: lrs_http.c feeds it from
 * libmicrohttpd, the tests and the fuzzer call it directly)
 *
 * lrs_api_handle checks, in this order: the alternate request syntax
 * (POST ?method=...), authentication (HTTP Basic with a key; everything
 * but /about and OPTIONS needs one: 401), the X-Experience-API-Version
 * header (1.0.x; else 400), the key's scope (403), then routes:
 *
 *   statements               lrs_stmts.c   POST, PUT, GET, HEAD
 *   activities/state         lrs_state.c   PUT, POST, GET, HEAD, DELETE
 *   activities/profile       lrs_state.c   same
 *   agents/profile           lrs_state.c   same
 *   activities, agents       lrs_api.c     GET, HEAD
 *   about                    lrs_api.c     GET, HEAD (no key needed)
 *
 * Errors are JSON: {"error":true,"code":400,"message":"..."}; messages
 * about a statement name the statement and the field. No message ever
 * holds a credential. */
#ifndef ET_LRS_API_H
#define ET_LRS_API_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lrs_keys.h"
#include "lrs_query.h"
#include "lrs_store.h"

enum lrs_method {
	LRS_GET,
	LRS_HEAD,
	LRS_POST,
	LRS_PUT,
	LRS_DELETE,
	LRS_OPTIONS,
	LRS_OTHER
};

/* One request. Strings are NUL-terminated; 'body' may hold NULs. The
 * caller owns everything it sets; strings lrs_api makes (the alternate
 * syntax) are kept in 'owned' and freed by lrs_request_release. */
struct lrs_request {
	enum lrs_method method;
	const char *path; /* after the base and its '/': "statements" */
	struct lrs_param *params;
	size_t nparams;
	const char *authorization;
	const char *version; /* X-Experience-API-Version */
	const char *content_type;
	const char *if_match;
	const char *if_none_match;
	const char *accept_language;
	const char *body;
	size_t body_len;
	/* set by lrs_api_handle */
	enum lrs_scope scope;
	char key[LRS_KEY_ID_LEN + 1];
	char **owned;
	size_t nowned;
	struct lrs_param *owned_params;
};

#define LRS_MAX_HEADERS 4

struct lrs_response {
	int status;
	struct buf body;
	char content_type[160];
	char etag[64];              /* with quotes, or "" */
	int64_t last_modified;      /* ms, or 0 */
	int64_t consistent_through; /* ms, or 0 */
	int challenge;              /* add WWW-Authenticate (401) */
	const char *allow;          /* Allow, for 405 */
	int retry_after;            /* Retry-After in seconds, or 0 */
};

struct lrs_api {
	struct lrs_store *store;
	struct lrs_keys *keys;
	struct lrs_pool *pool; /* helpers for a request's CPU work */
	char *base; /* the endpoint's path without the final '/': "/xAPI" */
	char *home; /* homePage of the authority's account */
};

/* Set up the API over an open store and keys (both stay the caller's).
 * 'base' is the endpoint's path ("/xAPI"). It starts a helper thread per
 * CPU but one (none when 'helpers' is 0, as tests and fuzzing want). */
void lrs_api_init(struct lrs_api *api, struct lrs_store *store,
		  struct lrs_keys *keys, const char *base, int helpers);
void lrs_api_release(struct lrs_api *api);

void lrs_response_init(struct lrs_response *res);
void lrs_response_release(struct lrs_response *res);
void lrs_request_release(struct lrs_request *req);

/* Answer 'req' into 'res' (initialized by the caller). Never fails: a
 * database error is a 500 with the message (and reported to 'd'). */
void lrs_api_handle(struct lrs_api *api, struct lrs_request *req,
		    struct lrs_response *res, struct diag *d);

/* An error answer: status and a JSON body with the message. */
void lrs_api_error(struct lrs_response *res, int status, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/* The value of parameter 'name', or NULL. */
const char *lrs_api_param(const struct lrs_request *req, const char *name);
/* 1 when the content type (its media type, before any ';') is 'type'. */
int lrs_api_is_type(const char *content_type, const char *type);

/* The resources (lrs_stmts.c, lrs_state.c). */
void lrs_stmts_handle(struct lrs_api *api, struct lrs_request *req,
		      struct lrs_response *res, struct diag *d);
/* kind: 1 Activity State, 2 Activity Profile, 3 Agent Profile */
void lrs_state_handle(struct lrs_api *api, struct lrs_request *req,
		      struct lrs_response *res, int kind, struct diag *d);

#endif
