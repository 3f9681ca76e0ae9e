/* lrs_query.c -- statement queries, a page at a time, and 'more' cursors */
#include "lrs_query.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "lrs_arena.h"
#include "lrs_codec.h"
#include "util.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

/* ---- parameters ------------------------------------------------------------------ */

int lrs_query_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_one(struct lrs_query *q, const char *name, const char *v,
		     struct buf *why)
{
	if (strcmp(name, "agent") == 0) {
		json_error_t err;
		json_t *a = json_loads(v, JSON_REJECT_DUPLICATES, &err);
		struct buf msg = BUF_INIT, key = BUF_INIT;
		struct diag d;
		diag_init(&d, diag_sink_first, &msg);
		int rc = 0;
		if (!a) {
			buf_printf(why, "parameter 'agent' is not JSON: %s",
				   err.text);
			rc = ET_EINVALID;
		} else if (xapi_validate_actor(a, "parameter 'agent'",
					       LOC_NONE, &d)) {
			buf_puts(why, msg.ptr);
			rc = ET_EINVALID;
		} else if (lrs_statement_agent_key(a, &key)) {
			buf_puts(why, "parameter 'agent' must identify an agent "
				      "or a group (mbox, mbox_sha1sum, openid or "
				      "account)");
			rc = ET_EINVALID;
		} else {
			q->agent = buf_detach(&key, NULL);
		}
		json_decref(a);
		buf_free(&msg);
		buf_free(&key);
		return rc;
	}
	if (strcmp(name, "verb") == 0 || strcmp(name, "activity") == 0) {
		if (!xapi_validate_iri(v)) {
			buf_printf(why, "parameter '%s' must be an absolute IRI",
				   name);
			return ET_EINVALID;
		}
		*(name[0] == 'v' ? &q->verb : &q->activity) = xstrdup(v);
		return 0;
	}
	if (strcmp(name, "registration") == 0) {
		if (!xapi_uuid_valid(v)) {
			buf_puts(why, "parameter 'registration' must be a UUID");
			return ET_EINVALID;
		}
		q->registration = xstrdup(v);
		for (char *p = q->registration; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		return 0;
	}
	if (strcmp(name, "since") == 0 || strcmp(name, "until") == 0) {
		int64_t t;
		if (!xapi_validate_timestamp(v) || lrs_codec_time_parse(v, &t)) {
			buf_printf(why,
				   "parameter '%s' must be an ISO 8601 "
				   "timestamp with a time zone",
				   name);
			return ET_EINVALID;
		}
		if (name[0] == 's') {
			q->has_since = 1;
			q->since = t;
		} else {
			q->has_until = 1;
			q->until = t;
		}
		return 0;
	}
	if (strcmp(name, "limit") == 0) {
		char *end;
		if (!*v || strspn(v, "0123456789") != strlen(v) ||
		    strlen(v) > 9) {
			buf_puts(why, "parameter 'limit' must be a whole number "
				      "of 0 or more");
			return ET_EINVALID;
		}
		unsigned long l = strtoul(v, &end, 10);
		q->limit = l == 0 || l > LRS_QUERY_MAX_LIMIT
			       ? LRS_QUERY_MAX_LIMIT
			       : (size_t)l;
		return 0;
	}
	if (strcmp(name, "format") == 0) {
		if (strcmp(v, "exact") == 0)
			q->format = LRS_FORMAT_EXACT;
		else if (strcmp(v, "ids") == 0)
			q->format = LRS_FORMAT_IDS;
		else if (strcmp(v, "canonical") == 0)
			q->format = LRS_FORMAT_CANONICAL;
		else {
			buf_puts(why, "parameter 'format' must be exact, ids or "
				      "canonical");
			return ET_EINVALID;
		}
		return 0;
	}
	int *flag = strcmp(name, "related_agents") == 0	      ? &q->related_agents
		    : strcmp(name, "related_activities") == 0 ? &q->related_activities
		    : strcmp(name, "attachments") == 0	      ? &q->attachments
		    : strcmp(name, "ascending") == 0	      ? &q->ascending
							      : NULL;
	if (flag) {
		if (lrs_query_bool(v, flag)) {
			buf_printf(why, "parameter '%s' must be true or false",
				   name);
			return ET_EINVALID;
		}
		return 0;
	}
	if (strcmp(name, "statementId") == 0 ||
	    strcmp(name, "voidedStatementId") == 0)
		buf_printf(why,
			   "parameter '%s' can't be combined with filters",
			   name);
	else
		buf_printf(why, "unknown parameter '%.100s'", name);
	return ET_EINVALID;
}

/* The cursor's MAC: HMAC-SHA256 of the payload, first 16 bytes. */
static void cursor_mac(const unsigned char key[32], const char *payload,
		       size_t len, unsigned char out[16])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), key, 32, (const unsigned char *)payload, len,
		  mac, &n))
		BUG("HMAC failed");
	memcpy(out, mac, 16);
}

static int parse_params(struct lrs_query *q, json_t *params, struct buf *why)
{
	const char *name;
	json_t *v;
	json_object_foreach(params, name, v) {
		if (!json_is_string(v)) {
			buf_puts(why, "parameter 'more' is not a valid cursor");
			return ET_EINVALID;
		}
		int rc = parse_one(q, name, json_string_value(v), why);
		if (rc)
			return rc;
	}
	return 0;
}

int lrs_query_parse(struct lrs_query *q, const struct lrs_param *p,
		    size_t n, const unsigned char key[32], struct buf *why)
{
	memset(q, 0, sizeof(*q));
	q->limit = LRS_QUERY_MAX_LIMIT;
	q->format = LRS_FORMAT_EXACT;
	if (n == 1 && strcmp(p[0].name, "more") == 0) {
		/* <base64url payload>.<base64url mac> */
		const char *tok = p[0].value, *dot = strchr(tok, '.');
		struct buf payload = BUF_INIT, mac = BUF_INIT;
		unsigned char want[16];
		json_t *c = NULL;
		int rc = ET_EINVALID;
		if (!dot ||
		    lrs_codec_base64_decode(&payload, tok, (size_t)(dot - tok),
					    1) ||
		    lrs_codec_base64_decode(&mac, dot + 1, strlen(dot + 1), 1) ||
		    mac.len != 16)
			goto bad;
		cursor_mac(key, payload.ptr, payload.len, want);
		if (CRYPTO_memcmp(want, mac.ptr, 16))
			goto bad;
		c = json_loadb(payload.ptr, payload.len, 0, NULL);
		json_t *params = json_object_get(c, "q");
		if (!json_is_object(params) ||
		    !json_is_integer(json_object_get(c, "s")) ||
		    !json_is_integer(json_object_get(c, "a")))
			goto bad;
		q->params = json_incref(params);
		q->snapshot = json_integer_value(json_object_get(c, "s"));
		q->after = json_integer_value(json_object_get(c, "a"));
		rc = parse_params(q, params, why);
		goto done;
	bad:
		buf_puts(why, "parameter 'more' is not a valid cursor from this "
			      "LRS");
	done:
		json_decref(c);
		buf_free(&payload);
		buf_free(&mac);
		return rc;
	}
	q->params = json_object();
	for (size_t i = 0; i < n; i++) {
		if (json_object_get(q->params, p[i].name)) {
			buf_printf(why, "parameter '%.100s' is given twice",
				   p[i].name);
			return ET_EINVALID;
		}
		int rc = parse_one(q, p[i].name, p[i].value, why);
		if (rc)
			return rc;
		json_object_set_new(q->params, p[i].name,
				    json_string(p[i].value));
	}
	return 0;
}

void lrs_query_release(struct lrs_query *q)
{
	free(q->agent);
	free(q->verb);
	free(q->activity);
	free(q->registration);
	json_decref(q->params);
	memset(q, 0, sizeof(*q));
}

/* ---- running ------------------------------------------------------------------ */

#define SEL_ALL                                                              \
	"SELECT seq, stored, att, body FROM statements "                     \
	"WHERE seq > ?1 AND seq <= ?2 AND voided = 0 "
#define SEL_IDX                                                              \
	"SELECT s.seq, s.stored, s.att, s.body FROM stmt_idx i "             \
	"CROSS JOIN statements s ON s.seq = i.seq "                          \
	"WHERE i.ref = ?4 AND i.kind = ?5 AND i.seq > ?1 AND i.seq <= ?2 "   \
	"AND s.voided = 0"
#define EX(r, k)                                                             \
	" AND EXISTS(SELECT 1 FROM stmt_idx j WHERE j.ref = ?" #r            \
	" AND j.kind = ?" #k " AND j.seq = i.seq)"
#define DESC " ORDER BY i.seq DESC LIMIT ?3"
#define ASC " ORDER BY i.seq ASC LIMIT ?3"

/* [number of filters][ascending] */
static const char *const shapes[5][2] = {
	{ SEL_ALL "ORDER BY seq DESC LIMIT ?3",
	  SEL_ALL "ORDER BY seq ASC LIMIT ?3" },
	{ SEL_IDX DESC, SEL_IDX ASC },
	{ SEL_IDX EX(6, 7) DESC, SEL_IDX EX(6, 7) ASC },
	{ SEL_IDX EX(6, 7) EX(8, 9) DESC, SEL_IDX EX(6, 7) EX(8, 9) ASC },
	{ SEL_IDX EX(6, 7) EX(8, 9) EX(10, 11) DESC,
	  SEL_IDX EX(6, 7) EX(8, 9) EX(10, 11) ASC },
};

static const char sql_ref[] = "SELECT id FROM refs WHERE v = ?1";
static const char sql_max[] = "SELECT max(seq) FROM statements";
static const char sql_at[] = "SELECT seq FROM statements WHERE stored <= ?1 "
			     "ORDER BY stored DESC, seq DESC LIMIT 1";
static const char sql_estimate[] =
    "SELECT count(*) FROM (SELECT 1 FROM stmt_idx WHERE ref = ?1 AND "
    "kind = ?2 AND seq > ?3 AND seq <= ?4 LIMIT 2000)";

/* One integer from 'sql' with one optional binding; *out = 0 when no
 * row or NULL. */
static int one_int(struct lrs_db *db, const char *sql, int bind,
		   int64_t arg, const char *text, int64_t *out,
		   struct diag *d)
{
	sqlite3_stmt *st = lrs_db_prepare(db, sql, d);
	*out = 0;
	if (!st)
		return ET_EIO;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else if (bind)
		sqlite3_bind_int64(st, 1, arg);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		diag_error(d, LOC_NONE, "database: query: %s",
			   sqlite3_errmsg(lrs_db_handle(db)));
		return ET_EIO;
	}
	return 0;
}

struct filter {
	int64_t ref;
	int kind;
	int64_t estimate;
};

void lrs_query_render(struct buf *out, const char *body, size_t len,
		      enum lrs_format f, const char *accept_language)
{
	if (f == LRS_FORMAT_EXACT) {
		buf_add(out, body, len);
		return;
	}
	json_t *st = json_loadb(body, len, 0, NULL);
	if (!st) { /* can't happen: the store holds what it wrote */
		buf_add(out, body, len);
		return;
	}
	lrs_statement_format(st, f, accept_language);
	lrs_arena_dump(st, out);
	json_decref(st);
}

/* Add the sha2 values of a statement's attachments to the page. */
static void page_attachments(struct lrs_page *p, const char *body,
			     size_t len)
{
	json_t *st = json_loadb(body, len, 0, NULL);
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(st, "attachments"), i, a) {
		const char *sha = json_string_value(json_object_get(a, "sha2"));
		int seen = 0;
		if (!sha)
			continue;
		for (size_t k = 0; k < p->natt && !seen; k++)
			seen = strcmp(p->att[k], sha) == 0;
		if (!seen) {
			p->att = xrealloc(p->att, (p->natt + 1) * sizeof(*p->att));
			p->att[p->natt++] = xstrdup(sha);
		}
	}
	json_decref(st);
}

static void more_link(struct buf *out, const struct lrs_query *q,
		      const unsigned char key[32], const char *base,
		      int64_t after)
{
	json_t *c = json_pack("{s:O, s:I, s:I}", "q", q->params, "s",
			      (json_int_t)q->snapshot, "a", (json_int_t)after);
	struct buf payload = BUF_INIT;
	lrs_arena_dump(c, &payload);
	unsigned char mac[16];
	cursor_mac(key, payload.ptr, payload.len, mac);
	buf_printf(out, "%s/statements?more=", base);
	lrs_codec_base64url(out, payload.ptr, payload.len);
	buf_putc(out, '.');
	lrs_codec_base64url(out, mac, sizeof(mac));
	buf_free(&payload);
	json_decref(c);
}

int lrs_query_run(struct lrs_db *db, struct lrs_query *q,
		  const unsigned char key[32], const char *base,
		  const char *accept_language, struct lrs_page *out,
		  struct diag *d)
{
	struct filter f[4];
	int nf = 0, rc = 0;
	int64_t lo = 0, hi = 0, v;
	size_t got = 0;
	sqlite3_stmt *st = NULL;

	memset(out, 0, sizeof(*out));
	buf_puts(&out->json, "{\"statements\":[");
	if (lrs_db_exec(db, "BEGIN", d))
		return ET_EIO;
	if (!q->snapshot) {
		if ((rc = one_int(db, sql_max, 0, 0, NULL, &q->snapshot, d)))
			goto done;
		if (!q->snapshot) /* nothing stored yet */
			goto finish;
	}
	hi = q->snapshot;
	if (q->has_since) {
		if ((rc = one_int(db, sql_at, 1, q->since, NULL, &lo, d)))
			goto done;
	}
	if (q->has_until) {
		if ((rc = one_int(db, sql_at, 1, q->until, NULL, &v, d)))
			goto done;
		if (v < hi)
			hi = v;
	}
	if (q->after) {
		if (q->ascending && q->after > lo)
			lo = q->after;
		if (!q->ascending && q->after - 1 < hi)
			hi = q->after - 1;
	}
	if (lo >= hi)
		goto finish;

	/* the filters, as interned refs */
	const char *vals[4] = { q->agent, q->verb, q->activity,
				q->registration };
	int kinds[4] = { q->related_agents ? LRS_REF_AGENT_RELATED
					   : LRS_REF_AGENT,
			 LRS_REF_VERB,
			 q->related_activities ? LRS_REF_ACTIVITY_RELATED
					       : LRS_REF_ACTIVITY,
			 LRS_REF_REGISTRATION };
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		if ((rc = one_int(db, sql_ref, 0, 0, vals[i], &v, d)))
			goto done;
		if (!v) /* never seen: nothing matches */
			goto finish;
		f[nf].ref = v;
		f[nf].kind = kinds[i];
		f[nf].estimate = 0;
		nf++;
	}
	/* the filter with the fewest statements drives */
	if (nf > 1) {
		for (int i = 0; i < nf; i++) {
			st = lrs_db_prepare(db, sql_estimate, d);
			if (!st) {
				rc = ET_EIO;
				goto done;
			}
			sqlite3_bind_int64(st, 1, f[i].ref);
			sqlite3_bind_int(st, 2, f[i].kind);
			sqlite3_bind_int64(st, 3, lo);
			sqlite3_bind_int64(st, 4, hi);
			if (sqlite3_step(st) == SQLITE_ROW)
				f[i].estimate = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
		}
		for (int i = 1; i < nf; i++) {
			struct filter t = f[i];
			int k = i;
			while (k > 0 && f[k - 1].estimate > t.estimate) {
				f[k] = f[k - 1];
				k--;
			}
			f[k] = t;
		}
	}
	st = lrs_db_prepare(db, shapes[nf][q->ascending ? 1 : 0], d);
	if (!st) {
		rc = ET_EIO;
		goto done;
	}
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, (int64_t)q->limit + 1);
	for (int i = 0; i < nf; i++) {
		sqlite3_bind_int64(st, 4 + 2 * i, f[i].ref);
		sqlite3_bind_int(st, 5 + 2 * i, f[i].kind);
	}
	int64_t last_seq = 0;
	int more = 0;
	struct buf text = BUF_INIT;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (got == q->limit) {
			more = 1;
			break;
		}
		int64_t seq = sqlite3_column_int64(st, 0);
		int64_t stored = sqlite3_column_int64(st, 1);
		buf_clear(&text);
		if (lrs_store_text(db, sqlite3_column_blob(st, 3),
				   (size_t)sqlite3_column_bytes(st, 3), stored,
				   &text, d)) {
			rc = SQLITE_ERROR;
			break;
		}
		if (got)
			buf_putc(&out->json, ',');
		lrs_query_render(&out->json, text.ptr, text.len, q->format,
				 accept_language);
		if (q->attachments && sqlite3_column_int(st, 2))
			page_attachments(out, text.ptr, text.len);
		if (stored > out->last_stored)
			out->last_stored = stored;
		last_seq = seq;
		got++;
	}
	sqlite3_reset(st);
	buf_free(&text);
	if (rc == SQLITE_ERROR) {
		rc = ET_EIO;
		goto done;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		diag_error(d, LOC_NONE, "database: query: %s",
			   sqlite3_errmsg(lrs_db_handle(db)));
		rc = ET_EIO;
		goto done;
	}
	rc = 0;
	buf_puts(&out->json, "],\"more\":\"");
	if (more)
		more_link(&out->json, q, key, base, last_seq);
	buf_puts(&out->json, "\"}");
	goto done;
finish:
	buf_puts(&out->json, "],\"more\":\"\"}");
done:;
	struct diag quiet;
	diag_init(&quiet, NULL, NULL);
	lrs_db_exec(db, "COMMIT", &quiet);
	if (rc)
		lrs_page_release(out);
	return rc;
}

void lrs_page_release(struct lrs_page *p)
{
	buf_free(&p->json);
	for (size_t i = 0; i < p->natt; i++)
		free(p->att[i]);
	free(p->att);
	memset(p, 0, sizeof(*p));
}
