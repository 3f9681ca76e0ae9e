/* xapi_csv.c -- one CSV row per statement (see xapi_csv.h) */
#include "xapi_csv.h"

#include <stdio.h>
#include <string.h>

static const char *const csv_columns[] = {
	"timestamp", "learner", "verb", "activity_id", "activity_name",
	"module", "response", "success", "score", "completion", "duration",
	"registration", "statement_id", NULL
};

void xapi_csv_header(struct buf *out)
{
	for (int i = 0; csv_columns[i]; i++) {
		if (i)
			buf_putc(out, ',');
		buf_puts(out, csv_columns[i]);
	}
	buf_puts(out, "\r\n");
}

/* One field; 'text' marks free text that gets the formula guard. */
static void csv_field(struct buf *out, const char *s, int text, int first)
{
	if (!first)
		buf_putc(out, ',');
	if (!s)
		return;
	int guard = text && s[0] && strchr("=+-@\t\r", s[0]);
	int quote = guard || strpbrk(s, ",\"\r\n") != NULL;
	if (!quote) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	if (guard)
		buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

static const char *csv_str(const json_t *j)
{
	return json_string_value(j);
}

static const char *csv_langmap(const json_t *m)
{
	static const char *const prefer[] = { "en-US", "en", "en-GB", NULL };
	const char *key;
	json_t *v;
	for (int i = 0; prefer[i]; i++)
		if (json_is_string(json_object_get(m, prefer[i])))
			return csv_str(json_object_get(m, prefer[i]));
	json_object_foreach((json_t *)m, key, v) {
		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

static const char *csv_learner(const json_t *a)
{
	const char *s;
	if ((s = csv_str(json_object_get(json_object_get(a, "account"),
					 "name"))))
		return s;
	if ((s = csv_str(json_object_get(a, "mbox"))))
		return strncmp(s, "mailto:", 7) == 0 ? s + 7 : s;
	if ((s = csv_str(json_object_get(a, "mbox_sha1sum"))) ||
	    (s = csv_str(json_object_get(a, "openid"))))
		return s;
	return csv_str(json_object_get(a, "name"));
}

static const char *csv_verb(const json_t *v)
{
	const char *id = csv_str(json_object_get(v, "id"));
	if (!id)
		return NULL;
	size_t n = strlen(id);
	while (n && id[n - 1] == '/')
		n--;
	const char *seg = id + n;
	while (seg > id && seg[-1] != '/' && seg[-1] != '#' && seg[-1] != ':')
		seg--;
	return seg < id + n ? seg : id;
}

static void csv_bool(struct buf *out, const json_t *b)
{
	csv_field(out, json_is_boolean(b) ? (json_is_true(b) ? "true" : "false")
					  : NULL,
		  0, 0);
}

static void csv_number(struct buf *out, const json_t *n)
{
	char num[64];
	if (json_is_integer(n))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(n));
	else if (json_is_real(n))
		snprintf(num, sizeof(num), "%.10g", json_real_value(n));
	csv_field(out, json_is_number(n) ? num : NULL, 0, 0);
}

static const char *csv_module(const json_t *st)
{
	const json_t *obj = json_object_get(st, "object");
	const json_t *parent = json_object_get(
	    json_object_get(json_object_get(st, "context"),
			    "contextActivities"),
	    "parent");
	const json_t *p0 = json_is_array(parent) ? json_array_get(parent, 0)
						 : parent;
	const char *id = csv_str(json_object_get(p0, "id"));
	if (id)
		return id;
	const char *type = csv_str(
	    json_object_get(json_object_get(obj, "definition"), "type"));
	if (type && (strcmp(type, "http://adlnet.gov/expapi/activities/lesson") ==
			 0 ||
		     strcmp(type, "http://adlnet.gov/expapi/activities/module") ==
			 0))
		return csv_str(json_object_get(obj, "id"));
	return NULL;
}

void xapi_csv_row(const json_t *st, struct buf *out)
{
	const json_t *obj = json_object_get(st, "object");
	const json_t *res = json_object_get(st, "result");
	const json_t *score = json_object_get(res, "score");
	const json_t *sc = json_object_get(score, "scaled");
	if (!json_is_number(sc))
		sc = json_object_get(score, "raw");

	csv_field(out, csv_str(json_object_get(st, "timestamp")), 1, 1);
	csv_field(out, csv_learner(json_object_get(st, "actor")), 1, 0);
	csv_field(out, csv_verb(json_object_get(st, "verb")), 1, 0);
	csv_field(out, csv_str(json_object_get(obj, "id")), 1, 0);
	csv_field(out,
		  csv_langmap(json_object_get(json_object_get(obj, "definition"),
					      "name")),
		  1, 0);
	csv_field(out, csv_module(st), 1, 0);
	csv_field(out, csv_str(json_object_get(res, "response")), 1, 0);
	csv_bool(out, json_object_get(res, "success"));
	csv_number(out, sc);
	csv_bool(out, json_object_get(res, "completion"));
	csv_field(out, csv_str(json_object_get(res, "duration")), 0, 0);
	csv_field(out,
		  csv_str(json_object_get(json_object_get(st, "context"),
					  "registration")),
		  1, 0);
	csv_field(out, csv_str(json_object_get(st, "id")), 1, 0);
	buf_puts(out, "\r\n");
}
