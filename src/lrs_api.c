/* lrs_api.c -- the LRS's request handling: alternate request syntax,
 * authentication, version header, scopes and routing; the About, Agents
 * and Activities resources */
#include "lrs_api.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "lrs_arena.h"
#include "lrs_codec.h"
#include "lrs_pool.h"
#include "util.h"
#include "xapi_validate.h"

#define AUTHORITY_HOME "https://w3id.org/etoolbox/lrs/keys"

void lrs_api_init(struct lrs_api *api, struct lrs_store *store,
		  struct lrs_keys *keys, const char *base, int helpers)
{
	memset(api, 0, sizeof(*api));
	if (helpers) {
		unsigned cpus = lrs_pool_cpus();
		api->pool = lrs_pool_new(cpus > 1 ? cpus - 1 : 0);
	}
	api->store = store;
	api->keys = keys;
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	api->base = xstrndup(base, n);
	api->home = xstrdup(AUTHORITY_HOME);
}

void lrs_api_release(struct lrs_api *api)
{
	lrs_pool_free(api->pool);
	free(api->base);
	free(api->home);
	memset(api, 0, sizeof(*api));
}

void lrs_response_init(struct lrs_response *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	res->status = 500;
}

void lrs_response_release(struct lrs_response *res)
{
	buf_free(&res->body);
}

void lrs_request_release(struct lrs_request *req)
{
	for (size_t i = 0; i < req->nowned; i++)
		free(req->owned[i]);
	free(req->owned);
	free(req->owned_params);
	req->owned = NULL;
	req->nowned = 0;
	req->owned_params = NULL;
}

static const char *own(struct lrs_request *req, char *s)
{
	req->owned = xrealloc(req->owned, (req->nowned + 1) * sizeof(char *));
	req->owned[req->nowned++] = s;
	return s;
}

void lrs_api_error(struct lrs_response *res, int status, const char *fmt,
		   ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *body = json_pack("{s:b, s:i, s:s}", "error", 1, "code", status,
				 "message", msg);
	if (!body) /* not UTF-8: a parameter echoed back */
		body = json_pack("{s:b, s:i, s:s}", "error", 1, "code", status,
				 "message", "invalid request");
	res->status = status;
	buf_clear(&res->body);
	lrs_arena_dump(body, &res->body);
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
	res->etag[0] = '\0';
	res->last_modified = 0;
	json_decref(body);
}

const char *lrs_api_param(const struct lrs_request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

int lrs_api_is_type(const char *content_type, const char *type)
{
	if (!content_type)
		return 0;
	while (*content_type == ' ')
		content_type++;
	size_t n = strlen(type);
	return strncasecmp(content_type, type, n) == 0 &&
	       (content_type[n] == '\0' || content_type[n] == ';' ||
		content_type[n] == ' ');
}

/* ---- alternate request syntax (Communication 1.3) ------------------------ */

static int alternate(struct lrs_request *req, struct lrs_response *res)
{
	const char *m = lrs_api_param(req, "method");
	struct buf name = BUF_INIT, value = BUF_INIT;
	struct lrs_param *params = NULL;
	size_t n = 0;
	int rc = -1;
	if (req->method != LRS_POST) {
		lrs_api_error(res, 400, "the alternate request syntax (?method=) "
					"must be a POST");
		return -1;
	}
	if (req->nparams != 1) {
		lrs_api_error(res, 400,
			      "with the alternate request syntax, 'method' is "
			      "the only parameter in the URL; the others go in "
			      "the form");
		return -1;
	}
	if (!lrs_api_is_type(req->content_type,
			     "application/x-www-form-urlencoded")) {
		lrs_api_error(res, 400,
			      "the alternate request syntax needs a form body "
			      "(application/x-www-form-urlencoded)");
		return -1;
	}
	enum lrs_method meth = !strcmp(m, "GET")      ? LRS_GET
			       : !strcmp(m, "HEAD")   ? LRS_HEAD
			       : !strcmp(m, "PUT")    ? LRS_PUT
			       : !strcmp(m, "POST")   ? LRS_POST
			       : !strcmp(m, "DELETE") ? LRS_DELETE
						      : LRS_OTHER;
	if (meth == LRS_OTHER) {
		lrs_api_error(res, 400, "parameter 'method' must be GET, HEAD, "
					"PUT, POST or DELETE");
		return -1;
	}
	const char *body = NULL, *ctype = NULL;
	size_t body_len = 0;
	const char *p = req->body, *end = req->body + req->body_len;
	if (memchr(p, '\0', req->body_len)) {
		lrs_api_error(res, 400, "the form body has a NUL byte");
		return -1;
	}
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(fe - p));
		const char *ne = eq ? eq : fe;
		if (lrs_codec_unescape(&name, p, (size_t)(ne - p), 1) ||
		    (eq && lrs_codec_unescape(&value, eq + 1,
					      (size_t)(fe - eq - 1), 1))) {
			lrs_api_error(res, 400, "the form body is not "
						"percent-encoded correctly");
			goto done;
		}
		if (!eq)
			buf_clear(&value);
		p = amp ? amp + 1 : end;
		if (!name.len)
			continue;
		const char *v = own(req, xstrndup(value.ptr, value.len));
		if (!strcasecmp(name.ptr, "Authorization"))
			req->authorization = v;
		else if (!strcasecmp(name.ptr, "X-Experience-API-Version"))
			req->version = v;
		else if (!strcasecmp(name.ptr, "Content-Type"))
			ctype = v;
		else if (!strcasecmp(name.ptr, "Content-Length"))
			; /* the form's own length is what counts */
		else if (!strcasecmp(name.ptr, "If-Match"))
			req->if_match = v;
		else if (!strcasecmp(name.ptr, "If-None-Match"))
			req->if_none_match = v;
		else if (!strcmp(name.ptr, "content")) {
			body = v;
			body_len = value.len;
		} else {
			params = xrealloc(params, (n + 1) * sizeof(*params));
			params[n].name = (char *)own(req, buf_detach(&name, NULL));
			params[n].value = (char *)v;
			n++;
		}
	}
	req->method = meth;
	req->params = params;
	req->nparams = n;
	req->owned_params = params;
	params = NULL;
	req->body = body ? body : "";
	req->body_len = body_len;
	req->content_type = ctype ? ctype : "application/json";
	rc = 0;
done:
	free(params);
	buf_free(&name);
	buf_free(&value);
	return rc;
}

/* ---- authentication ---------------------------------------------------------- */

/* The scope of the request's credentials; LRS_SCOPE_NONE when missing or
 * wrong. */
static enum lrs_scope authenticate(struct lrs_api *api,
				   struct lrs_request *req, struct diag *d)
{
	const char *a = req->authorization;
	struct buf cred = BUF_INIT;
	enum lrs_scope scope = LRS_SCOPE_NONE;
	if (!a || strncasecmp(a, "Basic ", 6) != 0)
		return LRS_SCOPE_NONE;
	a += 6;
	while (*a == ' ')
		a++;
	size_t len = strlen(a);
	while (len && a[len - 1] == ' ')
		len--;
	if (len > 512 || lrs_codec_base64_decode(&cred, a, len, 0))
		goto done;
	const char *colon = memchr(cred.ptr, ':', cred.len);
	if (!colon || memchr(cred.ptr, '\0', cred.len))
		goto done;
	lrs_keys_refresh(api->keys, d);
	scope = lrs_keys_check(api->keys, cred.ptr,
			       (size_t)(colon - cred.ptr), colon + 1,
			       cred.len - (size_t)(colon + 1 - cred.ptr),
			       req->key);
done:
	if (cred.cap)
		memset(cred.ptr, 0, cred.len);
	buf_free(&cred);
	return scope;
}

static int version_ok(const char *v)
{
	if (!v || strncmp(v, "1.0", 3) != 0)
		return 0;
	if (v[3] == '\0')
		return 1;
	if (v[3] != '.' || !v[4])
		return 0;
	return strspn(v + 4, "0123456789") == strlen(v + 4) &&
	       strlen(v + 4) <= 4;
}

/* ---- about, agents, activities ----------------------------------------------- */

static void about(struct lrs_response *res)
{
	json_t *b = json_pack("{s:[s], s:{s:{s:s, s:s}}}", "version", "1.0.3",
			      "extensions",
			      "https://w3id.org/etoolbox/lrs/about", "name",
			      "etoolbox lrs", "version", ET_VERSION);
	lrs_arena_dump(b, &res->body);
	json_decref(b);
	res->status = 200;
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
}

static int only_param(const struct lrs_request *req, const char *name,
		      struct lrs_response *res)
{
	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].name, name)) {
			lrs_api_error(res, 400, "unknown parameter '%.100s'",
				      req->params[i].name);
			return -1;
		}
	}
	if (req->nparams > 1) {
		lrs_api_error(res, 400, "parameter '%s' is given twice", name);
		return -1;
	}
	if (!req->nparams) {
		lrs_api_error(res, 400, "parameter '%s' is required", name);
		return -1;
	}
	return 0;
}

static void agents(struct lrs_request *req, struct lrs_response *res)
{
	static const char *const ifis[] = { "mbox", "mbox_sha1sum", "openid",
					    "account", NULL };
	if (only_param(req, "agent", res))
		return;
	json_error_t err;
	json_t *a = json_loads(req->params[0].value, JSON_REJECT_DUPLICATES, &err);
	struct buf msg = BUF_INIT;
	struct diag d;
	diag_init(&d, diag_sink_first, &msg);
	if (!a) {
		lrs_api_error(res, 400, "parameter 'agent' is not JSON: %s",
			      err.text);
	} else if (xapi_validate_actor(a, "parameter 'agent'", LOC_NONE, &d)) {
		lrs_api_error(res, 400, "%s", msg.ptr);
	} else {
		json_t *p = json_pack("{s:s, s:[]}", "objectType", "Person",
				      "name");
		const char *name = json_string_value(json_object_get(a, "name"));
		if (name)
			json_array_append_new(json_object_get(p, "name"),
					      json_string(name));
		for (int i = 0; ifis[i]; i++) {
			json_t *list = json_array();
			json_t *v = json_object_get(a, ifis[i]);
			if (v)
				json_array_append(list, v);
			json_object_set_new(p, ifis[i], list);
		}
		lrs_arena_dump(p, &res->body);
		json_decref(p);
		res->status = 200;
		snprintf(res->content_type, sizeof(res->content_type),
			 "application/json");
	}
	json_decref(a);
	buf_free(&msg);
}

static const char sql_activity[] =
    "SELECT s.body, s.stored FROM stmt_idx i "
    "CROSS JOIN statements s ON s.seq = i.seq "
    "WHERE i.ref = (SELECT id FROM refs WHERE v = ?1) AND i.kind = ?2 "
    "ORDER BY i.seq DESC LIMIT 200";

/* Merge definition 'src' into 'dst': language maps and extensions by
 * key, the rest replaced. 'src' is older, so 'dst' wins. */
static void merge_older(json_t *dst, const json_t *src)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)src, key, val) {
		json_t *cur = json_object_get(dst, key);
		if (!cur) {
			json_object_set(dst, key, val);
		} else if (json_is_object(cur) && json_is_object(val) &&
			   (!strcmp(key, "name") || !strcmp(key, "description") ||
			    !strcmp(key, "extensions"))) {
			const char *k2;
			json_t *v2;
			json_object_foreach(val, k2, v2) {
				if (!json_object_get(cur, k2))
					json_object_set(cur, k2, v2);
			}
		}
	}
}

static void activities(struct lrs_api *api, struct lrs_request *req,
		       struct lrs_response *res, struct diag *d)
{
	if (only_param(req, "activityId", res))
		return;
	const char *id = req->params[0].value;
	if (!xapi_validate_iri(id)) {
		lrs_api_error(res, 400, "parameter 'activityId' must be an "
					"absolute IRI");
		return;
	}
	struct lrs_db *db = lrs_store_reader(api->store, d);
	sqlite3_stmt *st = db ? lrs_db_prepare(db, sql_activity, d) : NULL;
	if (!st) {
		lrs_api_error(res, 500, "the database failed");
		return;
	}
	json_t *def = json_object();
	int found = 0;
	int64_t newest = 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, LRS_REF_ACTIVITY);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *s = lrs_store_row_json(db, st, 0, 1, d);
		json_t *obj = json_object_get(s, "object");
		const char *oid = json_string_value(json_object_get(obj, "id"));
		if (oid && strcmp(oid, id) == 0) {
			json_t *d2 = json_object_get(obj, "definition");
			if (json_is_object(d2))
				merge_older(def, d2);
			if (!found)
				newest = sqlite3_column_int64(st, 1);
			found = 1;
		}
		json_decref(s);
	}
	sqlite3_reset(st);
	if (!found) {
		json_decref(def);
		lrs_api_error(res, 404, "no statement has this activity as its "
					"object");
		return;
	}
	json_t *a = json_pack("{s:s, s:s}", "objectType", "Activity", "id", id);
	if (json_object_size(def))
		json_object_set(a, "definition", def);
	lrs_arena_dump(a, &res->body);
	json_decref(a);
	json_decref(def);
	res->status = 200;
	res->last_modified = newest;
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
}

/* ---- routing --------------------------------------------------------------------- */

enum need { NEED_READ, NEED_WRITE, NEED_DOCS_READ, NEED_DOCS_WRITE };

static int allowed(enum lrs_scope s, enum need n)
{
	switch (n) {
	case NEED_READ:
		return s == LRS_SCOPE_READ || s == LRS_SCOPE_ADMIN;
	case NEED_WRITE:
	case NEED_DOCS_WRITE:
		return s == LRS_SCOPE_WRITE || s == LRS_SCOPE_ADMIN;
	default:
		return s != LRS_SCOPE_NONE;
	}
}

static void handle(struct lrs_api *api, struct lrs_request *req,
		   struct lrs_response *res, struct diag *d);

void lrs_api_handle(struct lrs_api *api, struct lrs_request *req,
		    struct lrs_response *res, struct diag *d)
{
	/* the request's JSON comes from one arena, freed at the end */
	struct lrs_arena *a = lrs_arena_installed() ? lrs_arena_new() : NULL;
	struct lrs_arena *prev = lrs_arena_swap(a);
	handle(api, req, res, d);
	lrs_arena_swap(prev);
	lrs_arena_free(a);
}

static void handle(struct lrs_api *api, struct lrs_request *req,
		   struct lrs_response *res, struct diag *d)
{
	const char *path = req->path ? req->path : "";
	size_t plen = strlen(path);
	char clean[64];
	while (plen && path[plen - 1] == '/')
		plen--;
	if (plen >= sizeof(clean)) {
		lrs_api_error(res, 404, "no such resource");
		return;
	}
	memcpy(clean, path, plen);
	clean[plen] = '\0';
	path = clean;

	if (req->method == LRS_OPTIONS) { /* CORS preflight: lrs_http.c */
		res->status = 204;
		return;
	}
	if (lrs_api_param(req, "method") && alternate(req, res))
		return;
	int is_about = strcmp(path, "about") == 0;
	if (!is_about) {
		req->scope = authenticate(api, req, d);
		if (req->scope == LRS_SCOPE_NONE) {
			lrs_api_error(res, 401,
				      "this LRS needs a key: HTTP Basic with a "
				      "key made by 'etoolbox lrs key add'");
			res->challenge = 1;
			return;
		}
		if (!version_ok(req->version)) {
			lrs_api_error(res, 400,
				      req->version
					  ? "X-Experience-API-Version must be "
					    "1.0.x (this LRS speaks 1.0.3)"
					  : "the header X-Experience-API-Version "
					    "is required (1.0.3)");
			return;
		}
	}
	int reading = req->method == LRS_GET || req->method == LRS_HEAD;
	if (is_about) {
		if (!reading) {
			lrs_api_error(res, 405, "the about resource takes GET");
			res->allow = "GET, HEAD, OPTIONS";
			return;
		}
		about(res);
	} else if (strcmp(path, "statements") == 0) {
		if (!allowed(req->scope, reading ? NEED_READ : NEED_WRITE)) {
			lrs_api_error(res, 403,
				      reading ? "this key may not read statements "
						"(it is a write-only key)"
					      : "this key may not write "
						"statements (it is a read "
						"key)");
			return;
		}
		lrs_stmts_handle(api, req, res, d);
	} else if (strcmp(path, "activities/state") == 0 ||
		   strcmp(path, "activities/profile") == 0 ||
		   strcmp(path, "agents/profile") == 0) {
		if (!allowed(req->scope,
			     reading ? NEED_DOCS_READ : NEED_DOCS_WRITE)) {
			lrs_api_error(res, 403, "this key may not change "
						"documents (it is a read key)");
			return;
		}
		int kind = strcmp(path, "agents/profile") == 0	    ? 3
			   : strcmp(path, "activities/state") == 0 ? 1
								   : 2;
		lrs_state_handle(api, req, res, kind, d);
	} else if (strcmp(path, "activities") == 0 ||
		   strcmp(path, "agents") == 0) {
		if (!reading) {
			lrs_api_error(res, 405, "this resource takes GET");
			res->allow = "GET, HEAD, OPTIONS";
			return;
		}
		if (!allowed(req->scope, NEED_READ)) {
			lrs_api_error(res, 403, "this key may not read (it is "
						"a write-only key)");
			return;
		}
		if (path[1] == 'c')
			activities(api, req, res, d);
		else
			agents(req, res);
	} else {
		lrs_api_error(res, 404, "no such resource");
	}
}
