/* lrs_state.c -- the document resources: Activity State (which the SCORM
 * profile uses), Activity Profile and Agent Profile
 *
 * A document is kept with its Content-Type, an ETag (the SHA-1 of its
 * content, quoted) and when it was last changed. PUT stores; POST merges
 * two JSON objects (top-level keys of the new one replace the old ones)
 * or stores when there is nothing yet; GET with an id returns it, without
 * one the ids (changed after 'since'); DELETE removes one (or, for State
 * without stateId, all of an activity and agent). If-Match and
 * If-None-Match are honoured (412); a PUT of a profile that exists,
 * without either, is a 409 (xAPI Communication 3.1). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "lrs_api.h"
#include "lrs_arena.h"
#include "lrs_codec.h"
#include "sha1.h"
#include "util.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

enum { DOC_STATE = 1, DOC_ACTIVITY_PROFILE = 2, DOC_AGENT_PROFILE = 3 };

/* The document's key, from the parameters. */
struct doc_key {
	const char *activity; /* "" when not part of the key */
	char *agent;          /* agent key, "" when not part of it */
	char registration[37];
	const char *id; /* stateId / profileId, NULL when absent */
	int has_since;
	int64_t since;
};

/* Check the parameters of 'kind' for 'req'; on error answer 400 and
 * return -1. */
static int doc_params(const struct lrs_request *req, int kind,
		      struct doc_key *k, struct lrs_response *res)
{
	static const char *const allowed[4][6] = {
		{ NULL },
		{ "activityId", "agent", "registration", "stateId", "since",
		  NULL },
		{ "activityId", "profileId", "since", NULL },
		{ "agent", "profileId", "since", NULL },
	};
	const char *idname = kind == DOC_STATE ? "stateId" : "profileId";
	memset(k, 0, sizeof(*k));
	k->activity = "";
	for (size_t i = 0; i < req->nparams; i++) {
		int ok = 0;
		for (int a = 0; allowed[kind][a] && !ok; a++)
			ok = strcmp(req->params[i].name, allowed[kind][a]) == 0;
		if (!ok) {
			lrs_api_error(res, 400, "unknown parameter '%.100s'",
				      req->params[i].name);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(req->params[i].name, req->params[j].name) ==
			    0) {
				lrs_api_error(res, 400,
					      "parameter '%.100s' is given twice",
					      req->params[i].name);
				return -1;
			}
		}
	}
	if (kind != DOC_AGENT_PROFILE) {
		const char *a = lrs_api_param(req, "activityId");
		if (!a) {
			lrs_api_error(res, 400, "parameter 'activityId' is "
						"required");
			return -1;
		}
		if (!xapi_validate_iri(a)) {
			lrs_api_error(res, 400, "parameter 'activityId' must be "
						"an absolute IRI");
			return -1;
		}
		k->activity = a;
	}
	if (kind != DOC_ACTIVITY_PROFILE) {
		const char *a = lrs_api_param(req, "agent");
		json_error_t err;
		json_t *j;
		struct buf msg = BUF_INIT, key = BUF_INIT;
		struct diag d;
		int rc = 0;
		if (!a) {
			lrs_api_error(res, 400, "parameter 'agent' is required");
			return -1;
		}
		j = json_loads(a, JSON_REJECT_DUPLICATES, &err);
		diag_init(&d, diag_sink_first, &msg);
		if (!j) {
			lrs_api_error(res, 400,
				      "parameter 'agent' is not JSON: %s",
				      err.text);
			rc = -1;
		} else if (xapi_validate_actor(j, "parameter 'agent'", LOC_NONE,
					       &d)) {
			lrs_api_error(res, 400, "%s", msg.ptr);
			rc = -1;
		} else if (lrs_statement_agent_key(j, &key)) {
			lrs_api_error(res, 400,
				      "parameter 'agent' must identify an agent");
			rc = -1;
		} else {
			k->agent = buf_detach(&key, NULL);
		}
		json_decref(j);
		buf_free(&msg);
		buf_free(&key);
		if (rc)
			return rc;
	}
	if (!k->agent)
		k->agent = xstrdup("");
	const char *r = lrs_api_param(req, "registration");
	if (r) {
		if (!xapi_uuid_valid(r)) {
			lrs_api_error(res, 400,
				      "parameter 'registration' must be a UUID");
			return -1;
		}
		snprintf(k->registration, sizeof(k->registration), "%s", r);
		for (char *p = k->registration; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	k->id = lrs_api_param(req, idname);
	const char *since = lrs_api_param(req, "since");
	if (since) {
		if (req->method != LRS_GET && req->method != LRS_HEAD) {
			lrs_api_error(res, 400, "parameter 'since' is only for "
						"GET");
			return -1;
		}
		if (k->id) {
			lrs_api_error(res, 400,
				      "parameter 'since' can't be combined with "
				      "'%s'",
				      idname);
			return -1;
		}
		if (!xapi_validate_timestamp(since) ||
		    lrs_codec_time_parse(since, &k->since)) {
			lrs_api_error(res, 400, "parameter 'since' must be an "
						"ISO 8601 timestamp with a time "
						"zone");
			return -1;
		}
		k->has_since = 1;
	}
	if (!k->id && (req->method == LRS_PUT || req->method == LRS_POST ||
		       (req->method == LRS_DELETE && kind != DOC_STATE))) {
		lrs_api_error(res, 400, "parameter '%s' is required", idname);
		return -1;
	}
	return 0;
}

static const char sql_doc_get[] =
    "SELECT content_type, body, etag, updated FROM documents WHERE kind = ?1 "
    "AND activity = ?2 AND agent = ?3 AND registration = ?4 AND doc_id = ?5";
static const char sql_doc_put[] =
    "INSERT OR REPLACE INTO documents(kind, activity, agent, registration, "
    "doc_id, content_type, body, etag, updated) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_doc_del[] =
    "DELETE FROM documents WHERE kind = ?1 AND activity = ?2 AND agent = ?3 "
    "AND registration = ?4 AND doc_id = ?5";
static const char sql_doc_del_all[] =
    "DELETE FROM documents WHERE kind = ?1 AND activity = ?2 AND agent = ?3 "
    "AND (?4 = '' OR registration = ?4)";
static const char sql_doc_ids[] =
    "SELECT doc_id, updated FROM documents WHERE kind = ?1 AND activity = ?2 "
    "AND agent = ?3 AND (?4 = '' OR registration = ?4) AND updated > ?5 "
    "ORDER BY doc_id";

static void bind_key(sqlite3_stmt *st, int kind, const struct doc_key *k)
{
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, k->activity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->registration, -1, SQLITE_STATIC);
	if (k->id)
		sqlite3_bind_text(st, 5, k->id, -1, SQLITE_STATIC);
}

/* A stored document. */
struct doc {
	int found;
	char *content_type;
	struct buf body;
	char etag[48];
	int64_t updated;
};

static int doc_load(struct lrs_db *db, int kind, const struct doc_key *k,
		    struct doc *out, struct diag *d)
{
	memset(out, 0, sizeof(*out));
	buf_init(&out->body);
	sqlite3_stmt *st = lrs_db_prepare(db, sql_doc_get, d);
	if (!st)
		return ET_EIO;
	bind_key(st, kind, k);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->found = 1;
		out->content_type =
		    xstrdup((const char *)sqlite3_column_text(st, 0));
		buf_add(&out->body, sqlite3_column_blob(st, 1),
			(size_t)sqlite3_column_bytes(st, 1));
		snprintf(out->etag, sizeof(out->etag), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		out->updated = sqlite3_column_int64(st, 3);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		diag_error(d, LOC_NONE, "database: document: %s",
			   sqlite3_errmsg(lrs_db_handle(db)));
		rc = ET_EIO;
	}
	sqlite3_reset(st);
	return rc;
}

static void doc_release(struct doc *doc)
{
	free(doc->content_type);
	buf_free(&doc->body);
}

static void etag_of(const void *data, size_t len, char out[48])
{
	struct sha1 h;
	unsigned char dg[SHA1_LEN];
	char hex[SHA1_HEX_LEN + 1];
	sha1_init(&h);
	sha1_update(&h, data, len);
	sha1_final(&h, dg);
	sha1_hex(dg, hex);
	snprintf(out, 48, "\"%s\"", hex);
}

/* Does an If-Match / If-None-Match list match 'etag' ("*" matches any
 * existing document)? */
static int etag_listed(const char *list, const char *etag, int exists)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > s && e[-1] == ' ')
			e--;
		size_t n = (size_t)(e - s);
		if (n == 1 && *s == '*')
			return exists;
		if (n > 2 && s[0] == 'W' && s[1] == '/')
			s += 2, n -= 2;
		if (exists && n == strlen(etag) && strncmp(s, etag, n) == 0)
			return 1;
		/* an unquoted tag matches too */
		if (exists && n + 2 == strlen(etag) &&
		    strncmp(s, etag + 1, n) == 0)
			return 1;
	}
	return 0;
}

/* 412 when the preconditions fail; 'exists' and 'etag' describe the
 * current document. Returns -1 after answering. */
static int preconditions(const struct lrs_request *req, int exists,
			 const char *etag, struct lrs_response *res)
{
	if (req->if_match && !etag_listed(req->if_match, etag, exists)) {
		lrs_api_error(res, 412, "If-Match: the document's ETag is not "
					"one of those given");
		return -1;
	}
	if (req->if_none_match &&
	    etag_listed(req->if_none_match, etag, exists)) {
		lrs_api_error(res, 412,
			      "If-None-Match: the document exists with that "
			      "ETag");
		return -1;
	}
	return 0;
}

static int doc_store(struct lrs_db *db, int kind, const struct doc_key *k,
		     const char *type, const void *body, size_t len,
		     struct diag *d)
{
	char etag[48];
	etag_of(body, len, etag);
	sqlite3_stmt *st = lrs_db_prepare(db, sql_doc_put, d);
	if (!st)
		return ET_EIO;
	bind_key(st, kind, k);
	sqlite3_bind_text(st, 6, type, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 7, body, len, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, etag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, lrs_codec_now_ms());
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		diag_error(d, LOC_NONE, "database: document: %s",
			   sqlite3_errmsg(lrs_db_handle(db)));
		return ET_EIO;
	}
	return 0;
}

/* PUT and POST, under the write lock. */
static int doc_write(struct lrs_db *db, const struct lrs_request *req,
		     int kind, const struct doc_key *k,
		     struct lrs_response *res, struct diag *d)
{
	struct doc cur;
	int rc = doc_load(db, kind, k, &cur, d);
	const char *type = req->content_type && *req->content_type
			       ? req->content_type
			       : "application/octet-stream";
	json_t *nw = NULL, *old = NULL;
	struct buf merged = BUF_INIT;
	if (rc)
		goto done;
	if (preconditions(req, cur.found, cur.etag, res))
		goto done;
	int json = lrs_api_is_type(type, "application/json");
	if (json) {
		nw = json_loadb(req->body, req->body_len,
				JSON_REJECT_DUPLICATES, NULL);
		if (!nw) {
			lrs_api_error(res, 400, "the document is not JSON, but "
						"its Content-Type is "
						"application/json");
			goto done;
		}
	}
	if (req->method == LRS_PUT) {
		if (kind != DOC_STATE && !req->if_match && !req->if_none_match) {
			if (cur.found)
				lrs_api_error(res, 409,
					      "the document exists: send If-Match "
					      "with its ETag to replace it");
			else
				lrs_api_error(res, 400,
					      "a PUT of a profile needs If-Match "
					      "(its ETag) or If-None-Match: * (to "
					      "create it)");
			goto done;
		}
		rc = doc_store(db, kind, k, type, req->body, req->body_len, d);
		if (!rc)
			res->status = 204;
		goto done;
	}
	/* POST: merge JSON objects, or store when there is nothing yet */
	if (!cur.found) {
		if (json && !json_is_object(nw)) {
			lrs_api_error(res, 400, "a posted JSON document must be "
						"an object");
			goto done;
		}
		rc = doc_store(db, kind, k, type, req->body, req->body_len, d);
		if (!rc)
			res->status = 204;
		goto done;
	}
	if (!json || !lrs_api_is_type(cur.content_type, "application/json")) {
		lrs_api_error(res, 400,
			      "POST merges JSON documents: both the stored "
			      "document and this one must be application/json");
		goto done;
	}
	old = json_loadb(cur.body.ptr, cur.body.len, 0, NULL);
	if (!json_is_object(old) || !json_is_object(nw)) {
		lrs_api_error(res, 400, "POST merges JSON objects: both the "
					"stored document and this one must be "
					"objects");
		goto done;
	}
	json_object_update(old, nw);
	lrs_arena_dump(old, &merged);
	rc = doc_store(db, kind, k, "application/json", merged.ptr, merged.len,
		       d);
	if (!rc)
		res->status = 204;
done:
	json_decref(nw);
	json_decref(old);
	buf_free(&merged);
	doc_release(&cur);
	return rc;
}

static int doc_delete(struct lrs_db *db, const struct lrs_request *req,
		      int kind, const struct doc_key *k,
		      struct lrs_response *res, struct diag *d)
{
	if (k->id) {
		struct doc cur;
		int rc = doc_load(db, kind, k, &cur, d);
		if (rc)
			return rc;
		int ok = preconditions(req, cur.found, cur.etag, res) == 0;
		doc_release(&cur);
		if (!ok)
			return 0;
	}
	sqlite3_stmt *st =
	    lrs_db_prepare(db, k->id ? sql_doc_del : sql_doc_del_all, d);
	if (!st)
		return ET_EIO;
	bind_key(st, kind, k);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		diag_error(d, LOC_NONE, "database: document: %s",
			   sqlite3_errmsg(lrs_db_handle(db)));
		return ET_EIO;
	}
	res->status = 204;
	return 0;
}

static int doc_get(struct lrs_db *db, int kind, const struct doc_key *k,
		   struct lrs_response *res, struct diag *d)
{
	if (k->id) {
		struct doc cur;
		int rc = doc_load(db, kind, k, &cur, d);
		if (rc)
			return rc;
		if (!cur.found) {
			lrs_api_error(res, 404, "no such document");
		} else {
			res->status = 200;
			buf_add(&res->body, cur.body.ptr, cur.body.len);
			snprintf(res->content_type, sizeof(res->content_type),
				 "%s", cur.content_type);
			snprintf(res->etag, sizeof(res->etag), "%s", cur.etag);
			res->last_modified = cur.updated;
		}
		doc_release(&cur);
		return 0;
	}
	sqlite3_stmt *st = lrs_db_prepare(db, sql_doc_ids, d);
	if (!st)
		return ET_EIO;
	bind_key(st, kind, k);
	sqlite3_bind_int64(st, 5, k->has_since ? k->since : INT64_MIN);
	json_t *ids = json_array();
	int64_t newest = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(
		    ids, json_string((const char *)sqlite3_column_text(st, 0)));
		if (sqlite3_column_int64(st, 1) > newest)
			newest = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(ids);
		diag_error(d, LOC_NONE, "database: documents: %s",
			   sqlite3_errmsg(lrs_db_handle(db)));
		return ET_EIO;
	}
	lrs_arena_dump(ids, &res->body);
	json_decref(ids);
	res->status = 200;
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
	if (newest)
		res->last_modified = newest;
	return 0;
}

void lrs_state_handle(struct lrs_api *api, struct lrs_request *req,
		      struct lrs_response *res, int kind, struct diag *d)
{
	struct doc_key k;
	int rc = 0;
	if (req->method != LRS_GET && req->method != LRS_HEAD &&
	    req->method != LRS_PUT && req->method != LRS_POST &&
	    req->method != LRS_DELETE) {
		lrs_api_error(res, 405, "method not allowed here");
		res->allow = "GET, HEAD, PUT, POST, DELETE, OPTIONS";
		return;
	}
	if (doc_params(req, kind, &k, res)) {
		free(k.agent);
		return;
	}
	if (req->method == LRS_GET || req->method == LRS_HEAD) {
		struct lrs_db *db = lrs_store_reader(api->store, d);
		rc = db ? doc_get(db, kind, &k, res, d) : ET_EIO;
	} else {
		struct lrs_db *db = lrs_store_write_begin(api->store);
		if (req->method == LRS_DELETE)
			rc = doc_delete(db, req, kind, &k, res, d);
		else
			rc = doc_write(db, req, kind, &k, res, d);
		lrs_store_write_end(api->store);
	}
	if (rc)
		lrs_api_error(res, 500, "the database failed; see the server's "
					"log");
	free(k.agent);
}
