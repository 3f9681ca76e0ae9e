/* lrs_stmts.c -- the Statements resource: POST and PUT (with attachments
 * and signatures), GET of one statement or of filtered pages */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "lrs_api.h"
#include "lrs_arena.h"
#include "lrs_codec.h"
#include "lrs_multipart.h"
#include "lrs_pool.h"
#include "lrs_sig.h"
#include "util.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

/* how many validation errors an answer lists */
#define MAX_ERRORS 20
/* the most JSON values a request's statements may have: a parsed value
 * takes about 100 bytes, so this bounds a request's memory (a batch of
 * 1000 statements of the e-Toolbox has about 100,000) */
#define MAX_VALUES 500000

/* A diag sink collecting messages for the answer. */
struct collected {
	json_t *list;
	size_t n;
};

static void collect_sink(const struct diag_msg *m, void *payload)
{
	struct collected *c = payload;
	if (c->n++ < MAX_ERRORS)
		json_array_append_new(c->list, json_string(m->text));
}

/* 400 with the first message and the list of them. */
static void invalid(struct lrs_response *res, struct collected *c)
{
	json_t *body = json_pack("{s:b, s:i, s:s, s:O}", "error", 1, "code",
				 400, "message",
				 json_string_value(json_array_get(c->list, 0)),
				 "errors", c->list);
	res->status = 400;
	buf_clear(&res->body);
	lrs_arena_dump(body, &res->body);
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
	json_decref(body);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 32;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		BUG("SHA-256 failed");
	lrs_codec_hex(md, 32, out);
}

/* ---- writing ----------------------------------------------------------------- */

/* A write request, while it is parsed, checked and stored. Statement i
 * goes through a task (parse, validate, check its attachments, prepare,
 * pack) on any thread of the pool; the request's thread stores the
 * statements in order as their tasks finish, helping with the tasks
 * while it waits. If any statement is refused, the transaction is rolled
 * back: a batch is stored whole or not at all. */
struct incoming {
	json_t **st; /* the statements (arena values) */
	size_t n;
	struct lrs_part *parts; /* multipart, or NULL */
	size_t nparts;
	char (*hashes)[65];
	const char *text;              /* the statements' JSON text */
	struct lrs_codec_range *range; /* each statement's bytes, or NULL */
	const char *put_id;            /* PUT: the statementId parameter */
	const char *key, *home;        /* the authority */
	/* filled by the tasks */
	json_t **errors;    /* per statement: what is wrong with it */
	json_error_t *perr; /* per statement: why it is not JSON */
	int *bad_json;
	struct lrs_statement *v; /* prepared, when there was no error */
	int *ready;              /* set (atomically) when task i is done */
	struct lrs_arena **arenas; /* the pool threads' JSON, per worker */
	size_t narenas;
};

static void incoming_release(struct incoming *in)
{
	for (size_t i = 0; i < in->n; i++) {
		if (in->v)
			lrs_statement_release(&in->v[i]);
		lrs_arena_decref(in->st ? in->st[i] : NULL);
		lrs_arena_decref(in->errors ? in->errors[i] : NULL);
	}
	free(in->v);
	free(in->ready);
	free(in->st);
	free(in->errors);
	free(in->perr);
	free(in->bad_json);
	for (size_t i = 0; i < in->narenas; i++)
		lrs_arena_free(in->arenas[i]);
	free(in->arenas);
	lrs_multipart_free(in->parts, in->nparts);
	free(in->hashes);
	free(in->range);
	memset(in, 0, sizeof(*in));
}

/* Make worker's arena current (worker 0 is the request's thread, whose
 * arena is current already); returns the one that was, for
 * arena_leave. */
static struct lrs_arena *arena_enter(struct incoming *in, unsigned worker)
{
	struct lrs_arena *prev = lrs_arena_current();
	if (worker && lrs_arena_installed() && worker < in->narenas) {
		if (!in->arenas[worker])
			in->arenas[worker] = lrs_arena_new();
		lrs_arena_swap(in->arenas[worker]);
	}
	return prev;
}

static void arena_leave(struct lrs_arena *prev)
{
	lrs_arena_swap(prev);
}

/* Find the part with hash 'sha2'; NULL when none. */
static const struct lrs_part *part_for(const struct incoming *in,
				       const char *sha2)
{
	for (size_t i = 1; i < in->nparts; i++)
		if (in->parts[i].hash && strcasecmp(in->parts[i].hash, sha2) == 0)
			return &in->parts[i];
	return NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Does the text hold exactly the ranges: one value, or '[' the values
 * separated by single commas ']', with white space around? */
static int split_ok(const char *s, size_t len, const struct lrs_codec_range *r,
		    size_t n, int is_array)
{
	size_t i = 0;
	while (i < len && is_space(s[i]))
		i++;
	if (!is_array) {
		if (n != 1 || r[0].off != i)
			return 0;
		i = r[0].off + r[0].len;
	} else {
		if (i >= len || s[i] != '[')
			return 0;
		i++;
		for (size_t k = 0; k < n; k++) {
			while (i < len && is_space(s[i]))
				i++;
			if (k) {
				if (i >= len || s[i] != ',')
					return 0;
				i++;
				while (i < len && is_space(s[i]))
					i++;
			}
			if (r[k].off != i || !r[k].len)
				return 0;
			i += r[k].len;
		}
		while (i < len && is_space(s[i]))
			i++;
		if (i >= len || s[i] != ']')
			return 0;
		i++;
	}
	while (i < len && is_space(s[i]))
		i++;
	return i == len;
}

/* A diag sink collecting messages into a JSON array. */
static void list_sink(const struct diag_msg *m, void *payload)
{
	json_t *list = payload;
	if (json_array_size(list) < MAX_ERRORS)
		json_array_append_new(list, json_string(m->text));
}

/* The checks of statement i that need its attachments: each one without
 * a fileUrl was sent as a part (Content-Transfer-Encoding: binary), and a
 * signature is a valid JWS of the statement. */
static void check_attachments(struct incoming *in, size_t i, const char *label,
			      struct diag *d)
{
	size_t k;
	json_t *a;
	json_array_foreach(json_object_get(in->st[i], "attachments"), k, a) {
		const char *sha = json_string_value(json_object_get(a, "sha2"));
		const char *usage =
		    json_string_value(json_object_get(a, "usageType"));
		const char *ctype =
		    json_string_value(json_object_get(a, "contentType"));
		const struct lrs_part *p = sha ? part_for(in, sha) : NULL;
		if (!p && !json_object_get(a, "fileUrl")) {
			diag_error(d, LOC_NONE,
				   "%s: 'attachments[%zu]' has no fileUrl and its "
				   "content (sha2 %.64s) was not sent: send it as "
				   "a multipart/mixed part",
				   label, k, sha ? sha : "?");
			continue;
		}
		if (p && (!p->transfer_encoding ||
			  strcasecmp(p->transfer_encoding, "binary")))
			diag_error(d, LOC_NONE,
				   "%s: 'attachments[%zu]': its multipart part "
				   "must have Content-Transfer-Encoding: binary",
				   label, k);
		if (usage && strcmp(usage, LRS_SIG_USAGE) == 0) {
			struct buf why = BUF_INIT;
			if (!ctype ||
			    !lrs_api_is_type(ctype, "application/octet-stream"))
				diag_error(d, LOC_NONE,
					   "%s: 'attachments[%zu]' is a signature, "
					   "so its contentType must be "
					   "application/octet-stream",
					   label, k);
			else if (!p)
				diag_error(d, LOC_NONE,
					   "%s: 'attachments[%zu]' is a signature, "
					   "but it was not sent",
					   label, k);
			else if (lrs_sig_check(in->st[i], p->data, p->len, &why))
				diag_error(d, LOC_NONE,
					   "%s: 'attachments[%zu]': %s", label,
					   k, why.ptr);
			buf_free(&why);
		}
	}
}

/* Task: statement i from text to packed, ready to store. */
static void statement_task(void *ctx, size_t i, struct lrs_pack *pack,
			   unsigned worker)
{
	struct incoming *in = ctx;
	struct diag d;
	char label[48];
	struct lrs_arena *prev = arena_enter(in, worker);
	int use_text = in->range != NULL;
	if (in->range) {
		in->st[i] = json_loadb(in->text + in->range[i].off,
				       in->range[i].len,
				       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				       &in->perr[i]);
		if (!in->st[i]) {
			in->bad_json[i] = 1;
			goto done;
		}
	}
	in->errors[i] = json_array();
	diag_init(&d, list_sink, in->errors[i]);
	if (in->n == 1)
		snprintf(label, sizeof(label), "statement");
	else
		snprintf(label, sizeof(label), "statement [%zu]", i);
	json_t *st = in->st[i];
	if (in->put_id && json_is_object(st)) {
		json_t *idj = json_object_get(st, "id");
		const char *given = json_string_value(idj);
		if (given && strcasecmp(given, in->put_id))
			diag_error(&d, LOC_NONE,
				   "statement: 'id' (%.40s) is not the statementId "
				   "parameter (%.40s)",
				   given, in->put_id);
		else if (!idj) {
			json_object_set_new(st, "id", json_string(in->put_id));
			use_text = 0; /* the text has no id */
		}
	}
	xapi_validate_statement_flags(st, label, LOC_NONE, XAPI_VALIDATE_LRS, &d);
	if (!d.errors)
		check_attachments(in, i, label, &d);
	if (!d.errors) {
		lrs_statement_prepare(&in->v[i], json_incref(st),
				      use_text ? in->text + in->range[i].off
					       : NULL,
				      use_text ? in->range[i].len : 0, in->key,
				      in->home);
		lrs_store_pack(pack, &in->v[i]);
	}
done:
	arena_leave(prev);
	__atomic_store_n(&in->ready[i], 1, __ATOMIC_RELEASE);
}

/* The line and column (1-based) of byte 'off' of 's'. */
static void line_col(const char *s, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Take the body apart into the statements' text ('single': PUT, one
 * object): the multipart parts, then the ranges of the JSON. Answers 400
 * and returns -1 on a problem. */
static int split_body(struct lrs_api *api, const struct lrs_request *req,
		      int single, struct incoming *in,
		      struct lrs_response *res)
{
	const char *json = req->body;
	size_t len = req->body_len;
	const char *ct = req->content_type;
	struct buf why = BUF_INIT;
	json_error_t err;
	int is_array = 0;
	memset(in, 0, sizeof(*in));
	if (ct && lrs_api_is_type(ct, "multipart/mixed")) {
		if (lrs_multipart_parse(ct, req->body, req->body_len, &in->parts,
					&in->nparts, &why)) {
			lrs_api_error(res, 400, "%s", why.ptr);
			buf_free(&why);
			return -1;
		}
		if (!in->parts[0].content_type ||
		    !lrs_api_is_type(in->parts[0].content_type,
				     "application/json")) {
			lrs_api_error(res, 400,
				      "the first part of a multipart body must "
				      "be the statements, as application/json");
			return -1;
		}
		json = in->parts[0].data;
		len = in->parts[0].len;
		in->hashes = xcalloc(in->nparts, sizeof(*in->hashes));
		for (size_t i = 1; i < in->nparts; i++) {
			const struct lrs_part *p = &in->parts[i];
			if (!p->hash) {
				lrs_api_error(res, 400,
					      "multipart part %zu has no "
					      "X-Experience-API-Hash header",
					      i + 1);
				return -1;
			}
			sha256_hex(p->data, p->len, in->hashes[i]);
			if (strcasecmp(in->hashes[i], p->hash)) {
				lrs_api_error(res, 400,
					      "multipart part %zu: its content "
					      "does not have the SHA-256 of its "
					      "X-Experience-API-Hash header",
					      i + 1);
				return -1;
			}
		}
	} else if (ct && *ct && !lrs_api_is_type(ct, "application/json")) {
		lrs_api_error(res, 400,
			      "statements are sent as application/json, or "
			      "multipart/mixed with attachments, not '%.60s'",
			      ct);
		return -1;
	}
	in->text = json;
	if (lrs_codec_json_values(json, len, MAX_VALUES) > MAX_VALUES) {
		lrs_api_error(res, 413,
			      "the statements have more than %d JSON values: send "
			      "fewer per request",
			      MAX_VALUES);
		return -1;
	}
	size_t n = lrs_codec_json_split(json, len, &in->range, &is_array);
	if (!split_ok(json, len, in->range, n, is_array)) {
		/* not JSON, or a form the splitter does not know: jansson says
		 * why, or hands over the value */
		json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
		free(in->range);
		in->range = NULL;
		if (!root) {
			lrs_api_error(res, 400,
				      "the body is not JSON: %s (line %d, "
				      "column %d)",
				      err.text, err.line, err.column);
			return -1;
		}
		is_array = json_is_array(root);
		n = is_array ? json_array_size(root) : 1;
		in->st = xcalloc(n ? n : 1, sizeof(*in->st));
		for (size_t i = 0; i < n; i++)
			in->st[i] = json_incref(is_array ? json_array_get(root, i)
							 : root);
		json_decref(root);
	}
	if (is_array && single) {
		lrs_api_error(res, 400, "the body must be one statement (a JSON "
					"object), not an array");
		return -1;
	}
	in->n = n;
	size_t m = n ? n : 1;
	if (!in->st)
		in->st = xcalloc(m, sizeof(*in->st));
	in->errors = xcalloc(m, sizeof(*in->errors));
	in->perr = xcalloc(m, sizeof(*in->perr));
	in->bad_json = xcalloc(m, sizeof(*in->bad_json));
	in->v = xcalloc(m, sizeof(*in->v));
	in->ready = xcalloc(m, sizeof(*in->ready));
	in->narenas = lrs_pool_size(api->pool);
	in->arenas = xcalloc(in->narenas, sizeof(*in->arenas));
	return 0;
}

/* Ids seen in a batch: open addressing over lowercase UUIDs. */
struct idset {
	const char **v;
	size_t cap;
};

static int idset_add(struct idset *s, const char *id)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	size_t k = h & (s->cap - 1);
	while (s->v[k]) {
		if (strcmp(s->v[k], id) == 0)
			return 0;
		k = (k + 1) & (s->cap - 1);
	}
	s->v[k] = id;
	return 1;
}

/* The answer when a statement was refused before storing: the first one
 * that is not JSON, else every validation message, in order. 0 when no
 * statement was refused. */
static int refused(struct incoming *in, struct lrs_response *res)
{
	for (size_t i = 0; i < in->n; i++) {
		if (!in->bad_json[i])
			continue;
		int line, col;
		line_col(in->text, in->range[i].off + (size_t)in->perr[i].position,
			 &line, &col);
		lrs_api_error(res, 400,
			      "the body is not JSON: %s (line %d, column %d)",
			      in->perr[i].text, line, col);
		return 1;
	}
	struct collected c = { json_array(), 0 };
	struct diag d;
	diag_init(&d, collect_sink, &c);
	for (size_t i = 0; i < in->n; i++) {
		size_t k;
		json_t *m;
		json_array_foreach(in->errors[i], k, m)
			diag_error(&d, LOC_NONE, "%s", json_string_value(m));
	}
	if (d.errors)
		invalid(res, &c);
	json_decref(c.list);
	return d.errors > 0;
}

/* Parse, check and store the statements; answer 200 with their ids (or
 * 204 for PUT). */
static void write(struct lrs_api *api, struct lrs_request *req,
		  struct incoming *in, int put, struct lrs_response *res,
		  struct lrs_pack *pack, struct diag *d)
{
	struct lrs_store_result r = { 0, BUF_INIT, 0, 0 };
	struct idset ids = { NULL, 16 };
	while (ids.cap < 2 * in->n)
		ids.cap *= 2;
	ids.v = xcalloc(ids.cap, sizeof(*ids.v));
	in->key = req->key;
	in->home = api->home;
	struct lrs_pool_job *job =
	    lrs_pool_start(api->pool, in->n, statement_task, in);
	int rc = lrs_store_begin(api->store, &r, d), stop = rc != 0;
	for (size_t i = 0; i < in->n && !stop; i++) {
		while (!__atomic_load_n(&in->ready[i], __ATOMIC_ACQUIRE))
			if (!lrs_pool_help(job, pack))
				lrs_pool_wait_any(job);
		if (!in->v[i].json) { /* refused: see refused() */
			stop = 1;
			break;
		}
		if (!idset_add(&ids, in->v[i].id)) {
			r.status = 400;
			buf_printf(&r.why,
				   "statement [%zu]: 'id' repeats the id of "
				   "another statement in the same batch",
				   i);
			break;
		}
		rc = lrs_store_add(api->store, &in->v[i], &r, d);
		stop = rc || r.status != 200;
	}
	lrs_pool_finish(job, pack);
	if (!stop && r.status == 200) {
		/* every part after the first is one of the attachments */
		for (size_t i = 1; i < in->nparts && r.status == 200; i++) {
			int known = 0;
			for (size_t s = 0; s < in->n && !known; s++) {
				size_t k;
				json_t *a;
				json_array_foreach(
				    json_object_get(in->st[s], "attachments"), k,
				    a) {
					const char *sha = json_string_value(
					    json_object_get(a, "sha2"));
					if (sha &&
					    strcasecmp(sha, in->parts[i].hash) == 0)
						known = 1;
				}
			}
			if (!known) {
				r.status = 400;
				buf_printf(&r.why,
					   "multipart part %zu (hash %.64s) is "
					   "not the content of any attachment of "
					   "the statements",
					   i + 1, in->parts[i].hash);
			}
		}
		for (size_t i = 1; i < in->nparts && r.status == 200 && !rc; i++) {
			struct lrs_attachment att = {
				in->hashes[i],
				in->parts[i].content_type
				    ? in->parts[i].content_type
				    : "application/octet-stream",
				in->parts[i].data, in->parts[i].len
			};
			rc = lrs_store_add_attachment(api->store, &att, d);
		}
	}
	int ok = !rc && !stop && r.status == 200;
	int rc2 = lrs_store_end(api->store, ok, &r, d);
	if (rc || rc2) {
		lrs_api_error(res, 500,
			      "the database failed; nothing was stored (see the "
			      "server's log)");
	} else if (refused(in, res)) {
		; /* answered */
	} else if (r.status != 200) {
		lrs_api_error(res, r.status, "%s", r.why.ptr);
	} else if (put) {
		res->status = 204;
	} else {
		buf_grow(&res->body, 40 * in->n + 2);
		buf_putc(&res->body, '[');
		for (size_t i = 0; i < in->n; i++) {
			const char *id =
			    json_string_value(json_object_get(in->v[i].json, "id"));
			buf_printf(&res->body, "%s\"%s\"", i ? "," : "", id);
		}
		buf_putc(&res->body, ']');
		res->status = 200;
		snprintf(res->content_type, sizeof(res->content_type),
			 "application/json");
	}
	free(ids.v);
	buf_free(&r.why);
}

static void post(struct lrs_api *api, struct lrs_request *req,
		 struct lrs_response *res, struct diag *d)
{
	struct incoming in;
	if (req->nparams) {
		lrs_api_error(res, 400,
			      "POST /statements takes no parameters (got "
			      "'%.100s')",
			      req->params[0].name);
		return;
	}
	struct lrs_db *db = lrs_store_reader(api->store, d);
	if (!db) {
		lrs_api_error(res, 500, "the database failed");
		return;
	}
	if (split_body(api, req, 0, &in, res) == 0)
		write(api, req, &in, 0, res, lrs_db_pack(db), d);
	incoming_release(&in);
}

static void put(struct lrs_api *api, struct lrs_request *req,
		struct lrs_response *res, struct diag *d)
{
	struct incoming in;
	const char *id = lrs_api_param(req, "statementId");
	if (!id) {
		lrs_api_error(res, 400, "PUT /statements needs the parameter "
					"'statementId'");
		return;
	}
	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].name, "statementId")) {
			lrs_api_error(res, 400,
				      "PUT /statements takes only 'statementId' "
				      "(got '%.100s')",
				      req->params[i].name);
			return;
		}
	}
	if (req->nparams > 1) {
		lrs_api_error(res, 400, "parameter 'statementId' is given twice");
		return;
	}
	if (!xapi_uuid_valid(id)) {
		lrs_api_error(res, 400, "parameter 'statementId' must be a UUID");
		return;
	}
	struct lrs_db *db = lrs_store_reader(api->store, d);
	if (!db) {
		lrs_api_error(res, 500, "the database failed");
		return;
	}
	if (split_body(api, req, 1, &in, res) == 0) {
		in.put_id = id;
		write(api, req, &in, 1, res, lrs_db_pack(db), d);
	}
	incoming_release(&in);
}

/* ---- reading ------------------------------------------------------------------- */

/* The answer as multipart/mixed: the JSON, then each attachment. */
static int with_attachments(struct lrs_db *db, struct lrs_response *res,
			    char **att, size_t natt, struct diag *d)
{
	struct buf out = BUF_INIT, data = BUF_INIT;
	char boundary[48];
	lrs_multipart_boundary(boundary);
	lrs_multipart_add(&out, boundary, "application/json", NULL,
			  res->body.ptr, res->body.len);
	for (size_t i = 0; i < natt; i++) {
		char *type = NULL;
		buf_clear(&data);
		int rc = lrs_store_attachment(db, att[i], &data, &type, d);
		if (rc == ET_ENOTFOUND)
			continue; /* a fileUrl attachment: nothing to send */
		if (rc) {
			buf_free(&out);
			buf_free(&data);
			return rc;
		}
		lrs_multipart_add(&out, boundary, type, att[i], data.ptr,
				  data.len);
		free(type);
	}
	lrs_multipart_end(&out, boundary);
	buf_free(&res->body);
	res->body = out;
	buf_free(&data);
	snprintf(res->content_type, sizeof(res->content_type),
		 "multipart/mixed; boundary=%s", boundary);
	return 0;
}

/* GET ?statementId= or ?voidedStatementId= */
static void get_one(struct lrs_api *api, struct lrs_request *req,
		    struct lrs_response *res, struct diag *d)
{
	const char *sid = lrs_api_param(req, "statementId");
	const char *vid = lrs_api_param(req, "voidedStatementId");
	const char *id = sid ? sid : vid;
	enum lrs_format format = LRS_FORMAT_EXACT;
	int attachments = 0;
	for (size_t i = 0; i < req->nparams; i++) {
		const char *n = req->params[i].name, *v = req->params[i].value;
		if (strcmp(n, "format") == 0) {
			if (strcmp(v, "exact") == 0)
				format = LRS_FORMAT_EXACT;
			else if (strcmp(v, "ids") == 0)
				format = LRS_FORMAT_IDS;
			else if (strcmp(v, "canonical") == 0)
				format = LRS_FORMAT_CANONICAL;
			else {
				lrs_api_error(res, 400,
					      "parameter 'format' must be exact, "
					      "ids or canonical");
				return;
			}
		} else if (strcmp(n, "attachments") == 0) {
			if (lrs_query_bool(v, &attachments)) {
				lrs_api_error(res, 400,
					      "parameter 'attachments' must be "
					      "true or false");
				return;
			}
		} else if (strcmp(n, "statementId") && strcmp(n, "voidedStatementId")) {
			lrs_api_error(res, 400,
				      "parameter '%.100s' can't be combined with "
				      "'%s'",
				      n, sid ? "statementId" : "voidedStatementId");
			return;
		}
	}
	if (sid && vid) {
		lrs_api_error(res, 400, "give 'statementId' or "
					"'voidedStatementId', not both");
		return;
	}
	size_t seen = 0;
	for (size_t i = 0; i < req->nparams; i++)
		seen += strcmp(req->params[i].name, "statementId") == 0 ||
			strcmp(req->params[i].name, "voidedStatementId") == 0;
	if (seen > 1) {
		lrs_api_error(res, 400, "the statement's id is given twice");
		return;
	}
	if (!xapi_uuid_valid(id)) {
		lrs_api_error(res, 400, "parameter '%s' must be a UUID",
			      sid ? "statementId" : "voidedStatementId");
		return;
	}
	struct lrs_db *db = lrs_store_reader(api->store, d);
	char *body = NULL;
	int64_t stored = 0;
	int att = 0;
	int rc = db ? lrs_store_get(db, id, vid != NULL, &body, &stored, &att, d)
		    : ET_EIO;
	if (rc == ET_ENOTFOUND) {
		lrs_api_error(res, 404,
			      vid ? "no voided statement with this id"
				  : "no statement with this id (or it was "
				    "voided: use voidedStatementId)");
		return;
	}
	if (rc) {
		lrs_api_error(res, 500, "the database failed; see the server's "
					"log");
		return;
	}
	lrs_query_render(&res->body, body, strlen(body), format,
			 req->accept_language);
	res->status = 200;
	res->last_modified = stored;
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
	if (attachments && att) {
		struct lrs_page p;
		memset(&p, 0, sizeof(p));
		/* reuse the page's helper through a one-statement list */
		json_t *st = json_loads(body, 0, NULL);
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(st, "attachments"), k, a) {
			const char *sha = json_string_value(json_object_get(a, "sha2"));
			if (!sha)
				continue;
			p.att = xrealloc(p.att, (p.natt + 1) * sizeof(*p.att));
			p.att[p.natt++] = xstrdup(sha);
		}
		json_decref(st);
		if (with_attachments(db, res, p.att, p.natt, d))
			lrs_api_error(res, 500, "the database failed");
		lrs_page_release(&p);
	} else if (attachments) {
		struct buf out = BUF_INIT;
		char boundary[48];
		lrs_multipart_boundary(boundary);
		lrs_multipart_add(&out, boundary, "application/json", NULL,
				  res->body.ptr, res->body.len);
		lrs_multipart_end(&out, boundary);
		buf_free(&res->body);
		res->body = out;
		snprintf(res->content_type, sizeof(res->content_type),
			 "multipart/mixed; boundary=%s", boundary);
	}
	free(body);
}

static void get(struct lrs_api *api, struct lrs_request *req,
		struct lrs_response *res, struct diag *d)
{
	/* before anything is read: see lrs_store_consistent_through */
	res->consistent_through = lrs_store_consistent_through(api->store);
	if (lrs_api_param(req, "statementId") ||
	    lrs_api_param(req, "voidedStatementId")) {
		get_one(api, req, res, d);
		return;
	}
	struct lrs_query q;
	struct buf why = BUF_INIT;
	const unsigned char *key = lrs_store_cursor_key(api->store);
	if (lrs_query_parse(&q, req->params, req->nparams, key, &why)) {
		lrs_api_error(res, 400, "%s", why.ptr);
		buf_free(&why);
		lrs_query_release(&q);
		return;
	}
	struct lrs_db *db = lrs_store_reader(api->store, d);
	struct lrs_page page;
	if (!db || lrs_query_run(db, &q, key, api->base, req->accept_language,
				 &page, d)) {
		lrs_api_error(res, 500, "the database failed; see the server's "
					"log");
		lrs_query_release(&q);
		return;
	}
	buf_free(&res->body);
	res->body = page.json;
	buf_init(&page.json);
	res->status = 200;
	res->last_modified =
	    page.last_stored ? page.last_stored : res->consistent_through;
	snprintf(res->content_type, sizeof(res->content_type),
		 "application/json");
	if (q.attachments &&
	    with_attachments(db, res, page.att, page.natt, d))
		lrs_api_error(res, 500, "the database failed");
	lrs_page_release(&page);
	lrs_query_release(&q);
}

void lrs_stmts_handle(struct lrs_api *api, struct lrs_request *req,
		      struct lrs_response *res, struct diag *d)
{
	switch (req->method) {
	case LRS_POST:
		post(api, req, res, d);
		break;
	case LRS_PUT:
		put(api, req, res, d);
		break;
	case LRS_GET:
	case LRS_HEAD:
		get(api, req, res, d);
		break;
	default:
		lrs_api_error(res, 405, "the statements resource takes GET, HEAD, "
					"POST and PUT");
		res->allow = "GET, HEAD, POST, PUT, OPTIONS";
	}
}
