/* lrs_statement.c -- one statement as the LRS stores, finds and shows it */
#include "lrs_statement.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lrs_arena.h"
#include "lrs_codec.h"
#include "util.h"
#include "xapi_uuid.h"

#define VOIDED_VERB "http://adlnet.gov/expapi/verbs/voided"

static const char *const ca_keys[] = { "parent", "grouping", "category",
				       "other", NULL };

/* ---- refs ---------------------------------------------------------------- */

struct refs {
	struct lrs_ref *v;
	size_t n, cap;
};

static void refs_add(struct refs *r, int kind, const char *value)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == kind && strcmp(r->v[i].value, value) == 0)
			return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n].kind = kind;
	r->v[r->n].value = xstrdup(value);
	r->n++;
}

int lrs_statement_agent_key(const json_t *agent, struct buf *out)
{
	static const char *const ifis[] = { "mbox", "mbox_sha1sum", "openid",
					    NULL };
	const char *ot = json_string_value(json_object_get(agent, "objectType"));
	const char *type = ot && strcmp(ot, "Group") == 0 ? "Group" : "Agent";
	buf_clear(out);
	for (int i = 0; ifis[i]; i++) {
		const char *v = json_string_value(json_object_get(agent, ifis[i]));
		if (v) {
			buf_printf(out, "%s|%s|", type, ifis[i]);
			if (i == 1) { /* hex digits: either case */
				for (const char *p = v; *p; p++)
					buf_putc(out, (char)tolower(
							  (unsigned char)*p));
			} else {
				buf_puts(out, v);
			}
			return 0;
		}
	}
	json_t *acc = json_object_get(agent, "account");
	const char *home = json_string_value(json_object_get(acc, "homePage"));
	const char *name = json_string_value(json_object_get(acc, "name"));
	if (home && name) {
		buf_printf(out, "%s|account|%s|%s", type, home, name);
		return 0;
	}
	return -1;
}

static void refs_agent(struct refs *r, const json_t *a, int narrow,
		       struct buf *tmp)
{
	if (!json_is_object(a) || lrs_statement_agent_key(a, tmp))
		return;
	if (narrow)
		refs_add(r, LRS_REF_AGENT, tmp->ptr);
	refs_add(r, LRS_REF_AGENT_RELATED, tmp->ptr);
}

static void refs_activity(struct refs *r, const json_t *a, int narrow)
{
	const char *id = json_string_value(json_object_get(a, "id"));
	if (!id)
		return;
	if (narrow)
		refs_add(r, LRS_REF_ACTIVITY, id);
	refs_add(r, LRS_REF_ACTIVITY_RELATED, id);
}

static int is_type(const json_t *o, const char *type)
{
	const char *ot = json_string_value(json_object_get(o, "objectType"));
	return ot && strcmp(ot, type) == 0;
}

/* The refs of a statement or SubStatement ('sub': everything is only
 * "related"). */
static void refs_statement(struct refs *r, const json_t *st, int sub,
			   struct buf *tmp)
{
	json_t *obj = json_object_get(st, "object");
	json_t *ctx = json_object_get(st, "context");
	refs_agent(r, json_object_get(st, "actor"), !sub, tmp);
	const char *verb = json_string_value(
	    json_object_get(json_object_get(st, "verb"), "id"));
	if (verb && !sub)
		refs_add(r, LRS_REF_VERB, verb);
	if (is_type(obj, "Agent") || is_type(obj, "Group"))
		refs_agent(r, obj, !sub, tmp);
	else if (is_type(obj, "SubStatement"))
		refs_statement(r, obj, 1, tmp);
	else if (!is_type(obj, "StatementRef"))
		refs_activity(r, obj, !sub);
	if (json_is_object(ctx)) {
		refs_agent(r, json_object_get(ctx, "instructor"), 0, tmp);
		refs_agent(r, json_object_get(ctx, "team"), 0, tmp);
		json_t *ca = json_object_get(ctx, "contextActivities");
		for (int i = 0; ca && ca_keys[i]; i++) {
			json_t *list = json_object_get(ca, ca_keys[i]);
			size_t k;
			json_t *a;
			if (json_is_object(list))
				refs_activity(r, list, 0);
			json_array_foreach(list, k, a) refs_activity(r, a, 0);
		}
		const char *reg =
		    json_string_value(json_object_get(ctx, "registration"));
		if (reg && !sub) {
			char low[37];
			snprintf(low, sizeof(low), "%s", reg);
			for (char *p = low; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			refs_add(r, LRS_REF_REGISTRATION, low);
		}
	}
	if (!sub)
		refs_agent(r, json_object_get(st, "authority"), 0, tmp);
}

/* ---- preparing ------------------------------------------------------------ */

/* contextActivities values that are single objects become arrays */
static void wrap_context_activities(json_t *st)
{
	json_t *ca = json_object_get(json_object_get(st, "context"),
				     "contextActivities");
	for (int i = 0; json_is_object(ca) && ca_keys[i]; i++) {
		json_t *v = json_object_get(ca, ca_keys[i]);
		if (json_is_object(v)) {
			json_t *arr = json_array();
			json_array_append(arr, v);
			json_object_set_new(ca, ca_keys[i], arr);
		}
	}
	json_t *obj = json_object_get(st, "object");
	if (is_type(obj, "SubStatement"))
		wrap_context_activities(obj);
}

static void lower_copy(char out[37], const char *s)
{
	snprintf(out, 37, "%s", s ? s : "");
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* 1 when every contextActivities value (also a SubStatement's) is an
 * array already */
static int context_arrays(const json_t *st)
{
	json_t *ca = json_object_get(json_object_get(st, "context"),
				     "contextActivities");
	for (int i = 0; json_is_object(ca) && ca_keys[i]; i++) {
		json_t *v = json_object_get(ca, ca_keys[i]);
		if (v && !json_is_array(v))
			return 0;
	}
	json_t *obj = json_object_get(st, "object");
	return !is_type(obj, "SubStatement") || context_arrays(obj);
}

/* The stored text from the received one: '{' [id] members [additions] */
static void splice(struct lrs_statement *out, const char *text, size_t len,
		   const char *new_id, const char *authority, int add_version,
		   int add_ts)
{
	struct buf b = BUF_INIT;
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\n' ||
		       text[len - 1] == '\r' || text[len - 1] == '\t'))
		len--;
	/* text is "{ ... }" */
	buf_grow(&b, len + 256);
	buf_putc(&b, '{');
	if (new_id)
		buf_printf(&b, "\"id\":\"%s\",", new_id);
	buf_add(&b, text + 1, len - 2);
	if (add_version)
		buf_puts(&b, ",\"version\":\"1.0.0\"");
	buf_printf(&b, ",\"authority\":%s", authority);
	if (add_ts)
		buf_puts(&b, ",\"timestamp\":\"" LRS_STORED_PLACEHOLDER "\"");
	buf_puts(&b, ",\"stored\":\"" LRS_STORED_PLACEHOLDER "\"}");
	out->text = buf_detach(&b, &out->len);
}

void lrs_statement_prepare(struct lrs_statement *out, json_t *st,
			   const char *text, size_t len, const char *key_id,
			   const char *home)
{
	struct refs r = { NULL, 0, 0 };
	struct buf tmp = BUF_INIT;
	char id[XAPI_UUID_LEN + 1];
	int has_ts = json_object_get(st, "timestamp") != NULL;
	int has_version = json_object_get(st, "version") != NULL;
	const char *given = json_string_value(json_object_get(st, "id"));
	json_t *authority =
	    json_pack("{s:s, s:{s:s, s:s}}", "objectType", "Agent", "account",
		      "homePage", home, "name", key_id);

	memset(out, 0, sizeof(*out));
	if (!given)
		xapi_uuid_v4(id);
	lower_copy(out->id, given ? given : id);
	int fast = text && len >= 2 && text[0] == '{' &&
		   !json_object_get(st, "stored") &&
		   !json_object_get(st, "authority") && context_arrays(st);
	if (fast) {
		/* the same as dumping 'authority': a key id is hex, and the
		 * home page a fixed IRI */
		char auth[256];
		if (strpbrk(home, "\"\\") || strpbrk(key_id, "\"\\") ||
		    (size_t)snprintf(auth, sizeof(auth),
				     "{\"objectType\":\"Agent\",\"account\":"
				     "{\"homePage\":\"%s\",\"name\":\"%s\"}}",
				     home, key_id) >= sizeof(auth))
			BUG("an authority that needs escaping");
		splice(out, text, len, given ? NULL : id, auth, !has_version,
		       !has_ts);
		/* the same properties in memory, for comparisons */
		if (!given)
			json_object_set_new(st, "id", json_string(id));
		if (!has_version)
			json_object_set_new(st, "version", json_string("1.0.0"));
		json_object_set(st, "authority", authority);
		if (!has_ts)
			json_object_set_new(st, "timestamp",
					    json_string(LRS_STORED_PLACEHOLDER));
		json_object_set_new(st, "stored",
				    json_string(LRS_STORED_PLACEHOLDER));
		out->json = st;
	} else {
		json_t *n = json_object();
		const char *key;
		json_t *val;
		json_object_set_new(n, "id",
				    given ? json_incref(json_object_get(st, "id"))
					  : json_string(id));
		json_object_foreach(st, key, val) {
			if (strcmp(key, "id") && strcmp(key, "stored") &&
			    strcmp(key, "authority"))
				json_object_set(n, key, val);
		}
		json_decref(st);
		wrap_context_activities(n);
		if (!has_version)
			json_object_set_new(n, "version", json_string("1.0.0"));
		json_object_set(n, "authority", authority);
		if (!has_ts)
			json_object_set_new(n, "timestamp",
					    json_string(LRS_STORED_PLACEHOLDER));
		json_object_set_new(n, "stored",
				    json_string(LRS_STORED_PLACEHOLDER));
		out->json = n;
		struct buf t = BUF_INIT;
		lrs_arena_dump(n, &t);
		out->text = buf_detach(&t, &out->len);
	}
	json_decref(authority);
	/* ...,"timestamp":"<24>","stored":"<24>"} */
	out->stored_off = out->len - 2 - LRS_TIME_LEN;
	if (!has_ts)
		out->timestamp_off = out->stored_off - 12 - LRS_TIME_LEN;
	if (memcmp(out->text + out->stored_off, LRS_STORED_PLACEHOLDER,
		   LRS_TIME_LEN) ||
	    (!has_ts && memcmp(out->text + out->timestamp_off,
			       LRS_STORED_PLACEHOLDER, LRS_TIME_LEN)))
		BUG("stored is not where it was put");

	json_t *obj = json_object_get(out->json, "object");
	if (is_type(obj, "StatementRef")) {
		out->has_target = 1;
		lower_copy(out->target,
			   json_string_value(json_object_get(obj, "id")));
		const char *verb = json_string_value(
		    json_object_get(json_object_get(out->json, "verb"), "id"));
		out->voiding = verb && strcmp(verb, VOIDED_VERB) == 0;
	}
	out->attachments =
	    json_array_size(json_object_get(out->json, "attachments")) > 0;
	refs_statement(&r, out->json, 0, &tmp);
	out->refs = r.v;
	out->nrefs = r.n;
	buf_free(&tmp);
}

void lrs_statement_refs(const json_t *st, struct lrs_ref **out,
			size_t *out_n)
{
	struct refs r = { NULL, 0, 0 };
	struct buf tmp = BUF_INIT;
	refs_statement(&r, st, 0, &tmp);
	buf_free(&tmp);
	*out = r.v;
	*out_n = r.n;
}

void lrs_statement_refs_free(struct lrs_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].value);
	free(v);
}

void lrs_statement_release(struct lrs_statement *s)
{
	lrs_arena_decref(s->json);
	free(s->text);
	free(s->blob);
	lrs_statement_refs_free(s->refs, s->nrefs);
	memset(s, 0, sizeof(*s));
}

void lrs_statement_patch(struct lrs_statement *s, int64_t stored)
{
	char t[32];
	lrs_codec_time_format(stored, t);
	memcpy(s->text + s->stored_off, t, LRS_TIME_LEN);
	json_object_set_new(s->json, "stored", json_string(t));
	if (s->timestamp_off) {
		memcpy(s->text + s->timestamp_off, t, LRS_TIME_LEN);
		json_object_set_new(s->json, "timestamp", json_string(t));
	}
}

/* ---- comparing -------------------------------------------------------------- */

static int same_time(const json_t *a, const json_t *b)
{
	const char *x = json_string_value(a), *y = json_string_value(b);
	int64_t p, q;
	if (!x || !y)
		return json_equal((json_t *)a, (json_t *)b);
	if (strcmp(x, y) == 0)
		return 1;
	return lrs_codec_time_parse(x, &p) == 0 &&
	       lrs_codec_time_parse(y, &q) == 0 && p == q;
}

int lrs_statement_same(const json_t *old, const struct lrs_statement *st)
{
	const json_t *nw = st->json;
	const char *key;
	json_t *val;
	size_t n_old = 0, n_new = 0;
	json_object_foreach((json_t *)old, key, val) {
		if (!strcmp(key, "stored") || !strcmp(key, "authority") ||
		    !strcmp(key, "version"))
			continue;
		if (!strcmp(key, "timestamp") && st->timestamp_off)
			continue;
		n_old++;
		json_t *other = json_object_get(nw, key);
		if (!other)
			return 0;
		if (!strcmp(key, "id")) {
			char a[37], b[37];
			lower_copy(a, json_string_value(val));
			lower_copy(b, json_string_value(other));
			if (strcmp(a, b))
				return 0;
		} else if (!strcmp(key, "timestamp")) {
			if (!same_time(val, other))
				return 0;
		} else if (!json_equal(val, other)) {
			return 0;
		}
	}
	json_object_foreach((json_t *)nw, key, val) {
		if (!strcmp(key, "stored") || !strcmp(key, "authority") ||
		    !strcmp(key, "version"))
			continue;
		if (!strcmp(key, "timestamp") && st->timestamp_off)
			continue;
		n_new++;
	}
	return n_old == n_new;
}

/* ---- formats ------------------------------------------------------------------ */

static void ids_agent(json_t *a);

/* Keep only objectType and the IFI; an anonymous group keeps its
 * members, each cut down too. */
static void ids_agent(json_t *a)
{
	static const char *const keep[] = { "objectType", "mbox",
					    "mbox_sha1sum", "openid",
					    "account", "member", NULL };
	const char *key;
	json_t *val;
	void *tmp;
	if (!json_is_object(a))
		return;
	int identified = json_object_get(a, "mbox") ||
			 json_object_get(a, "mbox_sha1sum") ||
			 json_object_get(a, "openid") ||
			 json_object_get(a, "account");
	json_object_foreach_safe(a, tmp, key, val) {
		int k = 0;
		for (int i = 0; keep[i] && !k; i++)
			k = strcmp(key, keep[i]) == 0;
		if (!k || (identified && strcmp(key, "member") == 0))
			json_object_del(a, key);
	}
	json_t *m = json_object_get(a, "member");
	size_t i;
	json_array_foreach(m, i, val) ids_agent(val);
}

static void ids_activity(json_t *a)
{
	json_object_del(a, "definition");
	json_object_del(a, "objectType");
}

static void ids_statement(json_t *st)
{
	json_t *obj = json_object_get(st, "object");
	json_t *ctx = json_object_get(st, "context");
	ids_agent(json_object_get(st, "actor"));
	json_object_del(json_object_get(st, "verb"), "display");
	if (is_type(obj, "Agent") || is_type(obj, "Group"))
		ids_agent(obj);
	else if (is_type(obj, "SubStatement"))
		ids_statement(obj);
	else if (!is_type(obj, "StatementRef"))
		ids_activity(obj);
	if (json_is_object(ctx)) {
		ids_agent(json_object_get(ctx, "instructor"));
		ids_agent(json_object_get(ctx, "team"));
		json_t *ca = json_object_get(ctx, "contextActivities");
		for (int i = 0; ca && ca_keys[i]; i++) {
			size_t k;
			json_t *a;
			json_array_foreach(json_object_get(ca, ca_keys[i]), k, a)
				ids_activity(a);
		}
	}
	ids_agent(json_object_get(st, "authority"));
}

/* How well a language map key matches one Accept-Language range: 3 the
 * same tag, 2 the range is a prefix of the key ("en" for "en-GB"), 1 the
 * key is a prefix of the range, 0 no match. */
static int lang_match(const char *key, const char *range, size_t rlen)
{
	size_t klen = strlen(key);
	if (rlen == 1 && range[0] == '*')
		return 1;
	if (klen == rlen && strncasecmp(key, range, rlen) == 0)
		return 3;
	if (klen > rlen && strncasecmp(key, range, rlen) == 0 &&
	    key[rlen] == '-')
		return 2;
	if (rlen > klen && strncasecmp(key, range, klen) == 0 &&
	    range[klen] == '-')
		return 1;
	return 0;
}

/* Cut a language map to its best entry for 'accept'. */
static void canonical_map(json_t *map, const char *accept)
{
	const char *key, *best = NULL;
	json_t *val;
	double best_score = -1;
	void *tmp;
	if (!json_is_object(map) || json_object_size(map) < 2)
		return;
	json_object_foreach(map, key, val) {
		double score = 0;
		const char *p = accept ? accept : "";
		while (*p) {
			while (*p == ' ' || *p == ',')
				p++;
			const char *r = p;
			while (*p && *p != ';' && *p != ',' && *p != ' ')
				p++;
			size_t rlen = (size_t)(p - r);
			double q = 1;
			while (*p && *p != ',') {
				if (*p == 'q' && p[1] == '=')
					q = strtod(p + 2, NULL);
				p++;
			}
			int m = rlen ? lang_match(key, r, rlen) : 0;
			if (m && q > 0) {
				double s = q * 10 + m;
				if (s > score)
					score = s;
			}
		}
		if (score > best_score) {
			best_score = score;
			best = key;
		}
	}
	json_t *keep = json_incref(json_object_get(map, best));
	char *name = xstrdup(best);
	json_object_foreach_safe(map, tmp, key, val) {
		if (strcmp(key, name))
			json_object_del(map, key);
	}
	free(name);
	json_decref(keep);
}

static void canonical_activity(json_t *a, const char *accept)
{
	static const char *const lists[] = { "choices", "scale", "source",
					     "target", "steps", NULL };
	json_t *def = json_object_get(a, "definition");
	if (!json_is_object(def))
		return;
	canonical_map(json_object_get(def, "name"), accept);
	canonical_map(json_object_get(def, "description"), accept);
	for (int i = 0; lists[i]; i++) {
		size_t k;
		json_t *c;
		json_array_foreach(json_object_get(def, lists[i]), k, c)
			canonical_map(json_object_get(c, "description"), accept);
	}
}

static void canonical_statement(json_t *st, const char *accept)
{
	json_t *obj = json_object_get(st, "object");
	json_t *ctx = json_object_get(st, "context");
	canonical_map(json_object_get(json_object_get(st, "verb"), "display"),
		      accept);
	if (is_type(obj, "SubStatement"))
		canonical_statement(obj, accept);
	else if (!is_type(obj, "StatementRef") && !is_type(obj, "Agent") &&
		 !is_type(obj, "Group"))
		canonical_activity(obj, accept);
	json_t *ca = json_object_get(ctx, "contextActivities");
	for (int i = 0; ca && ca_keys[i]; i++) {
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(ca, ca_keys[i]), k, a)
			canonical_activity(a, accept);
	}
	size_t k;
	json_t *att;
	json_array_foreach(json_object_get(st, "attachments"), k, att) {
		canonical_map(json_object_get(att, "display"), accept);
		canonical_map(json_object_get(att, "description"), accept);
	}
}

void lrs_statement_format(json_t *st, enum lrs_format f,
			  const char *accept_language)
{
	if (f == LRS_FORMAT_IDS)
		ids_statement(st);
	else if (f == LRS_FORMAT_CANONICAL)
		canonical_statement(st, accept_language);
}
