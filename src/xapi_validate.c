/* xapi_validate.c -- the xAPI 1.0.3 statement validator (jansson, no I/O) */
#include "xapi_validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "util.h"
#include "xapi_uuid.h"

#define VOIDED_VERB "http://adlnet.gov/expapi/verbs/voided"

/* One validation run: where to report, and the JSON path being checked. */
struct xv {
	struct diag *d;
	const char *label;
	struct loc loc;
	struct buf path; /* "result.score" ("" at the statement itself) */
	int errors;
	unsigned flags; /* XAPI_VALIDATE_* */
};

__attribute__((format(printf, 3, 4))) static void
xv_err(struct xv *v, const char *rule, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->errors++;
	if (v->path.len)
		diag_report(v->d, DIAG_ERROR, rule, v->loc, "%s: '%s' %s",
			    v->label, v->path.ptr, msg);
	else
		diag_report(v->d, DIAG_ERROR, rule, v->loc, "%s: %s", v->label,
			    msg);
}

/* Path handling: push returns the old length for pop. */
static size_t xv_key(struct xv *v, const char *key)
{
	size_t old = v->path.len;
	if (old)
		buf_putc(&v->path, '.');
	buf_puts(&v->path, key);
	return old;
}

static size_t xv_index(struct xv *v, size_t i)
{
	size_t old = v->path.len;
	buf_printf(&v->path, "[%zu]", i);
	return old;
}

static void xv_pop(struct xv *v, size_t old)
{
	v->path.len = old;
	v->path.ptr[old] = '\0';
}

/* ---- value checks ---------------------------------------------------- */

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int xapi_validate_iri(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!is_alpha(*p))
		return 0;
	while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	if (*p++ != ':' || !*p)
		return 0;
	for (; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}\\^`", *p))
			return 0;
		if (*p == '%' && !(is_hex(p[1]) && is_hex(p[2])))
			return 0;
	}
	return 1;
}

/* Digits at p: exactly n of them, value into *out. */
static int xv_digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 1;
}

int xapi_validate_timestamp(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se;
	if (!xv_digits(s, 4, &y) || s[4] != '-' || !xv_digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !xv_digits(s + 8, 2, &d) || s[10] != 'T' ||
	    !xv_digits(s + 11, 2, &h) || s[13] != ':' ||
	    !xv_digits(s + 14, 2, &mi))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59)
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	const char *p = s + 16;
	if (*p == ':') {
		if (!xv_digits(p + 1, 2, &se) || se > 59)
			return 0;
		p += 3;
		if (*p == '.') {
			p++;
			if (!is_digit((unsigned char)*p))
				return 0;
			while (is_digit((unsigned char)*p))
				p++;
		}
	}
	if (p[0] == 'Z' && p[1] == '\0')
		return 1;
	if (*p != '+' && *p != '-')
		return 0; /* no time zone */
	int zh, zm = 0;
	if (!xv_digits(p + 1, 2, &zh) || zh > 23)
		return 0;
	p += 3;
	if (*p == ':')
		p++;
	if (*p) {
		if (!xv_digits(p, 2, &zm) || zm > 59 || p[2])
			return 0;
	}
	return 1;
}

int xapi_validate_duration(const char *s)
{
	/* P[nY][nM][nW|nD][T[nH][nM][n[.n]S]], at least one component; the
	 * same grammar as the Learning Locker validator, minus negative
	 * durations and a bare trailing 'T'. */
	static const char date_units[] = "YMD";
	static const char time_units[] = "HMS";
	const char *p = s;
	int parts = 0, unit = 0;
	if (*p++ != 'P')
		return 0;
	while (*p && *p != 'T') {
		if (!is_digit((unsigned char)*p))
			return 0;
		while (is_digit((unsigned char)*p))
			p++;
		char u = *p == 'W' ? 'D' : *p;
		const char *at = strchr(date_units + unit, u);
		if (!u || !at)
			return 0;
		unit = (int)(at - date_units) + 1;
		p++, parts++;
	}
	if (*p == 'T') {
		int tparts = 0;
		unit = 0;
		p++;
		while (*p) {
			if (!is_digit((unsigned char)*p))
				return 0;
			while (is_digit((unsigned char)*p))
				p++;
			if (*p == '.') {
				p++;
				if (!is_digit((unsigned char)*p))
					return 0;
				while (is_digit((unsigned char)*p))
					p++;
				if (*p != 'S')
					return 0;
			}
			const char *at = *p ? strchr(time_units + unit, *p) : NULL;
			if (!at)
				return 0;
			unit = (int)(at - time_units) + 1;
			p++, tparts++;
		}
		if (!tparts)
			return 0;
		parts += tparts;
	}
	return parts > 0;
}

/* The length of a run of letters (and digits, with 'digits') at p. */
static size_t xv_run(const char *p, int letters, int digits)
{
	size_t n = 0;
	while ((letters && is_alpha((unsigned char)p[n])) ||
	       (digits && is_digit((unsigned char)p[n])))
		n++;
	return n;
}

/* "-a-bc..." after a private-use 'x': one or more 1-8 alphanumerics. */
static int xv_privateuse(const char *p)
{
	int n = 0;
	while (*p == '-') {
		size_t m = xv_run(p + 1, 1, 1);
		if (m < 1 || m > 8)
			return 0;
		p += 1 + m, n++;
	}
	return n > 0 && *p == '\0';
}

int xapi_validate_language(const char *s)
{
	/* RFC 5646 langtag: language[-extlang]{0,3}[-script][-region]
	 * [-variant]*[-extension]*[-privateuse], or private use alone, or
	 * an irregular grandfathered tag. Case-insensitive. */
	static const char *const irregular[] = {
		"en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian",
		"i-hak", "i-klingon", "i-lux", "i-mingo", "i-navajo", "i-pwn",
		"i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL",
		"sgn-CH-DE", NULL
	};
	for (int i = 0; irregular[i]; i++)
		if (strcasecmp(s, irregular[i]) == 0)
			return 1;
	if ((s[0] == 'x' || s[0] == 'X') && s[1] == '-')
		return xv_privateuse(s + 1);
	size_t n = xv_run(s, 1, 0);
	if (n < 2 || n > 8)
		return 0;
	const char *p = s + n;
	int stage = 0, extlangs = 0; /* 1 script, 2 region, 3 variant, 4 ext */
	while (*p == '-') {
		const char *q = p + 1;
		size_t len = xv_run(q, 1, 1);
		size_t alpha = xv_run(q, 1, 0), digits = xv_run(q, 0, 1);
		if (len == 0 || len > 8)
			return 0;
		if (len == 1) { /* a singleton: private use or an extension */
			if (*q == 'x' || *q == 'X')
				return xv_privateuse(q + 1);
			const char *r = q + 1;
			int subs = 0;
			while (*r == '-') {
				size_t m = xv_run(r + 1, 1, 1);
				if (m < 2 || m > 8)
					break;
				r += 1 + m, subs++;
			}
			if (!subs)
				return 0;
			p = r, stage = 4;
			continue;
		}
		if (stage == 4)
			return 0;
		if (stage == 0 && alpha == 3 && len == 3 && extlangs < 3)
			extlangs++;
		else if (stage == 0 && alpha == 4 && len == 4)
			stage = 1;
		else if (stage <= 1 && ((alpha == 2 && len == 2) ||
					(digits == 3 && len == 3)))
			stage = 2;
		else if (len >= 5 || (len == 4 && is_digit((unsigned char)*q)))
			stage = 3;
		else
			return 0;
		p = q + len;
	}
	return *p == '\0';
}

int xapi_validate_mailto(const char *s)
{
	/* mailto:local@domain.tld, as the Learning Locker validator: local
	 * part of letters, digits and .`'_%+-, a dotted domain */
	if (strncasecmp(s, "mailto:", 7) != 0)
		return 0;
	const char *p = s + 7, *at = strchr(p, '@');
	if (!at || at == p)
		return 0;
	for (; p < at; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".`'_%+-", *p))
			return 0;
	const char *dom = at + 1, *dot = strrchr(dom, '.');
	if (!dot || dot == dom || !dot[1])
		return 0;
	for (p = dom; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
	for (p = dot + 1; *p; p++)
		if (!is_alpha((unsigned char)*p))
			return 0;
	return 1;
}

/* ---- structural helpers ---------------------------------------------- */

static const char *xv_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Enter member 'key' of 'obj' if present; reports null values. Returns the
 * member, or NULL when absent (or null, after reporting it). */
static json_t *xv_member(struct xv *v, const json_t *obj, const char *key,
			 int required, size_t *old)
{
	json_t *m = json_object_get(obj, key);
	*old = xv_key(v, key);
	if (!m) {
		if (required)
			xv_err(v, "xapi-required", "is required");
		xv_pop(v, *old);
		return NULL;
	}
	if (json_is_null(m)) {
		xv_err(v, "xapi-null", "must not be null");
		xv_pop(v, *old);
		return NULL;
	}
	return m;
}

/* Report the keys of 'obj' that are not in 'allowed' (NULL-terminated),
 * using 'what' to name the object ("a result"). */
static void xv_keys(struct xv *v, const json_t *obj, const char *const *allowed,
		    const char *what)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val) {
		int ok = 0;
		for (int i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			size_t old = xv_key(v, key);
			xv_err(v, "xapi-unknown-key", "is not a property of %s",
			       what);
			xv_pop(v, old);
		}
	}
}

static int xv_want(struct xv *v, const json_t *j, json_type t, const char *what)
{
	int ok = json_typeof(j) == t ||
		 (t == JSON_REAL && json_is_number(j)) ||
		 (t == JSON_TRUE && json_is_boolean(j));
	if (!ok)
		xv_err(v, "xapi-type", "must be %s, not %s", what,
		       xv_type_name(j));
	return ok;
}

static const char *xv_string(struct xv *v, const json_t *j)
{
	return xv_want(v, j, JSON_STRING, "a string") ? json_string_value(j)
							: NULL;
}

static void xv_iri(struct xv *v, const json_t *j, const char *example)
{
	const char *s = xv_string(v, j);
	if (s && !xapi_validate_iri(s))
		xv_err(v, "xapi-iri", "must be an absolute IRI, like %s",
		       example);
}

static void xv_uuid(struct xv *v, const json_t *j)
{
	const char *s = xv_string(v, j);
	if (s && !xapi_uuid_valid(s))
		xv_err(v, "xapi-uuid",
		       "must be a UUID (8-4-4-4-12 hexadecimal digits, RFC 4122 "
		       "variant)");
}

static void xv_timestamp(struct xv *v, const json_t *j)
{
	const char *s = xv_string(v, j);
	if (s && !xapi_validate_timestamp(s)) {
		xv_err(v, "xapi-timestamp",
		       "must be an ISO 8601 date and time with a time zone, "
		       "like 2024-05-01T12:00:00.000Z");
	} else if (s && (v->flags & XAPI_VALIDATE_LRS)) {
		/* RFC 3339: -00:00 says the offset is unknown */
		size_t n = strlen(s);
		if ((n > 3 && strcmp(s + n - 3, "-00") == 0) ||
		    (n > 5 && strcmp(s + n - 5, "-0000") == 0) ||
		    (n > 6 && strcmp(s + n - 6, "-00:00") == 0))
			xv_err(v, "xapi-timestamp",
			       "must not have the offset -00:00, which says the "
			       "time zone is unknown (RFC 3339): use Z for UTC");
	}
}

static void xv_langmap(struct xv *v, const json_t *j)
{
	const char *key;
	json_t *val;
	if (!xv_want(v, j, JSON_OBJECT, "a language map (an object)"))
		return;
	json_object_foreach((json_t *)j, key, val) {
		if (!xapi_validate_language(key)) {
			xv_err(v, "xapi-language",
			       "has the key '%.64s', which is not an RFC 5646 "
			       "language tag",
			       key);
			continue;
		}
		size_t old = xv_key(v, key);
		if (json_is_null(val))
			xv_err(v, "xapi-null", "must not be null");
		else
			xv_string(v, val);
		xv_pop(v, old);
	}
}

static void xv_extensions(struct xv *v, const json_t *j)
{
	const char *key;
	json_t *val;
	if (!xv_want(v, j, JSON_OBJECT, "an object"))
		return;
	json_object_foreach((json_t *)j, key, val) {
		(void)val; /* values are free, null included */
		if (!xapi_validate_iri(key))
			xv_err(v, "xapi-iri",
			       "has the key '%.64s', which is not an absolute "
			       "IRI",
			       key);
	}
}

/* ---- actors ---------------------------------------------------------- */

static const char *const xv_ifis[] = { "mbox", "mbox_sha1sum", "openid",
				       "account", NULL };

/* Check the IFIs of an agent or group; returns how many there are. */
static int xv_ifi(struct xv *v, const json_t *a)
{
	int n = 0;
	size_t old;
	struct buf used = BUF_INIT;
	for (int i = 0; xv_ifis[i]; i++) {
		json_t *m = xv_member(v, a, xv_ifis[i], 0, &old);
		if (json_object_get(a, xv_ifis[i])) {
			n++;
			buf_printf(&used, "%s%s", used.len ? ", " : "",
				   xv_ifis[i]);
		}
		if (!m)
			continue;
		const char *s;
		switch (i) {
		case 0:
			s = xv_string(v, m);
			if (s && !xapi_validate_mailto(s))
				xv_err(v, "xapi-mbox",
				       "must be a mailto: IRI with an e-mail "
				       "address, like mailto:learner@example.org");
			break;
		case 1:
			s = xv_string(v, m);
			if (s) {
				size_t k = 0;
				while (is_hex((unsigned char)s[k]))
					k++;
				if (k != 40 || s[k])
					xv_err(v, "xapi-sha1",
					       "must be 40 hexadecimal digits "
					       "(the SHA-1 of the mailto: IRI)");
			}
			break;
		case 2:
			xv_iri(v, m, "https://openid.example.org/learner");
			break;
		default:
			if (xv_want(v, m, JSON_OBJECT, "an object")) {
				static const char *const keys[] = {
					"homePage", "name", NULL
				};
				size_t o2;
				xv_keys(v, m, keys, "an account");
				json_t *hp = xv_member(v, m, "homePage", 1, &o2);
				if (hp) {
					xv_iri(v, hp, "https://lms.example.org");
					xv_pop(v, o2);
				}
				json_t *nm = xv_member(v, m, "name", 1, &o2);
				if (nm) {
					xv_string(v, nm);
					xv_pop(v, o2);
				}
			}
		}
		xv_pop(v, old);
	}
	if (n > 1)
		xv_err(v, "xapi-ifi",
		       "must have exactly one of mbox, mbox_sha1sum, openid and "
		       "account, not %d (%s)",
		       n, used.ptr);
	buf_free(&used);
	return n;
}

static void xv_actor(struct xv *v, const json_t *a, int group_only);

static void xv_agent_fields(struct xv *v, const json_t *a, int group)
{
	static const char *const agent_keys[] = {
		"objectType", "name", "mbox", "mbox_sha1sum", "openid",
		"account", NULL
	};
	static const char *const group_keys[] = {
		"objectType", "name", "mbox", "mbox_sha1sum", "openid",
		"account", "member", NULL
	};
	size_t old;
	xv_keys(v, a, group ? group_keys : agent_keys,
		group ? "a group" : "an agent");
	json_t *nm = xv_member(v, a, "name", 0, &old);
	if (nm) {
		xv_string(v, nm);
		xv_pop(v, old);
	}
	int ifis = xv_ifi(v, a);
	if (!group) {
		if (ifis == 0)
			xv_err(v, "xapi-ifi",
			       "has no identifier: give one of mbox, "
			       "mbox_sha1sum, openid and account");
		return;
	}
	json_t *mem = xv_member(v, a, "member", 0, &old);
	size_t nmem = 0;
	if (mem) {
		if (xv_want(v, mem, JSON_ARRAY, "an array of agents")) {
			nmem = json_array_size(mem);
			for (size_t i = 0; i < nmem; i++) {
				size_t o2 = xv_index(v, i);
				json_t *m = json_array_get(mem, i);
				const char *ot =
				    json_string_value(json_object_get(m, "objectType"));
				if (ot && strcmp(ot, "Group") == 0)
					xv_err(v, "xapi-group",
					       "must be an agent: a group's members "
					       "can't be groups");
				else
					xv_actor(v, m, 0);
				xv_pop(v, o2);
			}
		}
		xv_pop(v, old);
	}
	if (ifis == 0 && nmem == 0)
		xv_err(v, "xapi-group",
		       "is an anonymous group (no identifier), so it must list "
		       "its members in 'member'");
}

/* An Agent or a Group; with group_only, a Group (context.team). */
static void xv_actor(struct xv *v, const json_t *a, int group_only)
{
	if (json_is_null(a)) {
		xv_err(v, "xapi-null", "must not be null");
		return;
	}
	if (!xv_want(v, a, JSON_OBJECT, "an object"))
		return;
	json_t *ot = json_object_get(a, "objectType");
	const char *t = json_string_value(ot);
	int group = 0;
	if (ot) {
		size_t old = xv_key(v, "objectType");
		if (!t || (strcmp(t, "Agent") && strcmp(t, "Group")))
			xv_err(v, "xapi-object-type", "must be \"Agent\" or "
						      "\"Group\"");
		xv_pop(v, old);
		group = t && strcmp(t, "Group") == 0;
	}
	if (group_only && !group) {
		xv_err(v, "xapi-group",
		       "must be a group, with \"objectType\": \"Group\"");
		return;
	}
	xv_agent_fields(v, a, group);
}

/* ---- verb, activities, definitions ------------------------------------ */

static void xv_verb(struct xv *v, const json_t *vb)
{
	static const char *const keys[] = { "id", "display", NULL };
	size_t old;
	if (!xv_want(v, vb, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, vb, keys, "a verb");
	json_t *id = xv_member(v, vb, "id", 1, &old);
	if (id) {
		xv_iri(v, id, "http://adlnet.gov/expapi/verbs/completed");
		xv_pop(v, old);
	}
	json_t *disp = xv_member(v, vb, "display", 0, &old);
	if (disp) {
		xv_langmap(v, disp);
		xv_pop(v, old);
	}
}

static const char *const xv_itypes[] = {
	"true-false", "choice", "fill-in", "long-fill-in", "matching",
	"performance", "sequencing", "likert", "numeric", "other", NULL
};

static const char *const xv_components[] = { "choices", "scale", "source",
					      "target", "steps", NULL };

/* Which interaction types allow a component list. */
static int xv_component_allowed(const char *list, const char *itype)
{
	if (!itype)
		return 0;
	if (strcmp(list, "choices") == 0)
		return !strcmp(itype, "choice") || !strcmp(itype, "sequencing");
	if (strcmp(list, "scale") == 0)
		return !strcmp(itype, "likert");
	if (strcmp(list, "source") == 0 || strcmp(list, "target") == 0)
		return !strcmp(itype, "matching");
	return !strcmp(itype, "performance"); /* steps */
}

static const char *xv_allowed_with(const char *list)
{
	if (strcmp(list, "choices") == 0)
		return "choice or sequencing";
	if (strcmp(list, "scale") == 0)
		return "likert";
	if (strcmp(list, "steps") == 0)
		return "performance";
	return "matching";
}

static void xv_component_list(struct xv *v, const json_t *list)
{
	static const char *const keys[] = { "id", "description", NULL };
	if (!xv_want(v, list, JSON_ARRAY, "an array of interaction components"))
		return;
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(list, i);
		size_t old = xv_index(v, i), o2;
		if (json_is_null(c)) {
			xv_err(v, "xapi-null", "must not be null");
		} else if (xv_want(v, c, JSON_OBJECT, "an object")) {
			xv_keys(v, c, keys, "an interaction component");
			json_t *id = xv_member(v, c, "id", 1, &o2);
			if (id) {
				const char *s = xv_string(v, id);
				for (size_t k = 0; s && k < i; k++) {
					const char *prev = json_string_value(
					    json_object_get(json_array_get(list, k),
							    "id"));
					if (prev && strcmp(prev, s) == 0) {
						xv_err(v, "xapi-interaction",
						       "repeats the id '%.64s' of "
						       "component [%zu]",
						       s, k);
						break;
					}
				}
				xv_pop(v, o2);
			}
			json_t *desc = xv_member(v, c, "description", 0, &o2);
			if (desc) {
				xv_langmap(v, desc);
				xv_pop(v, o2);
			}
		}
		xv_pop(v, old);
	}
}

static void xv_definition(struct xv *v, const json_t *def)
{
	static const char *const keys[] = {
		"name", "description", "type", "moreInfo", "extensions",
		"interactionType", "correctResponsesPattern", "choices", "scale",
		"source", "target", "steps", NULL
	};
	size_t old;
	const char *itype = NULL;
	if (!xv_want(v, def, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, def, keys, "an activity definition");
	json_t *m;
	if ((m = xv_member(v, def, "name", 0, &old))) {
		xv_langmap(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, def, "description", 0, &old))) {
		xv_langmap(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, def, "type", 0, &old))) {
		xv_iri(v, m, "http://adlnet.gov/expapi/activities/lesson");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, def, "moreInfo", 0, &old))) {
		xv_iri(v, m, "https://example.org/more");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, def, "extensions", 0, &old))) {
		xv_extensions(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, def, "interactionType", 0, &old))) {
		const char *s = xv_string(v, m);
		if (s) {
			int ok = 0;
			for (int i = 0; xv_itypes[i] && !ok; i++)
				ok = strcmp(s, xv_itypes[i]) == 0;
			if (ok)
				itype = s;
			else
				xv_err(v, "xapi-interaction",
				       "must be one of true-false, choice, "
				       "fill-in, long-fill-in, matching, "
				       "performance, sequencing, likert, "
				       "numeric and other");
		}
		xv_pop(v, old);
	}
	if ((m = xv_member(v, def, "correctResponsesPattern", 0, &old))) {
		if (!json_object_get(def, "interactionType"))
			xv_err(v, "xapi-interaction",
			       "needs 'interactionType' in the same definition");
		if (xv_want(v, m, JSON_ARRAY, "an array of strings")) {
			for (size_t i = 0; i < json_array_size(m); i++) {
				size_t o2 = xv_index(v, i);
				json_t *e = json_array_get(m, i);
				if (json_is_null(e))
					xv_err(v, "xapi-null", "must not be null");
				else
					xv_string(v, e);
				xv_pop(v, o2);
			}
		}
		xv_pop(v, old);
	}
	for (int i = 0; xv_components[i]; i++) {
		if (!(m = xv_member(v, def, xv_components[i], 0, &old)))
			continue;
		if (!xv_component_allowed(xv_components[i], itype) &&
		    json_object_get(def, "interactionType") && !itype)
			; /* the bad interactionType was reported */
		else if (!xv_component_allowed(xv_components[i], itype))
			xv_err(v, "xapi-interaction",
			       "is only allowed with interactionType %s",
			       xv_allowed_with(xv_components[i]));
		xv_component_list(v, m);
		xv_pop(v, old);
	}
}

static void xv_activity(struct xv *v, const json_t *a)
{
	static const char *const keys[] = { "objectType", "id", "definition",
					    NULL };
	size_t old;
	if (!xv_want(v, a, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, a, keys, "an activity");
	json_t *m = xv_member(v, a, "objectType", 0, &old);
	if (m) {
		const char *s = json_string_value(m);
		if (!s || strcmp(s, "Activity"))
			xv_err(v, "xapi-object-type", "must be \"Activity\"");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, a, "id", 1, &old))) {
		xv_iri(v, m, "https://example.org/course/module-1");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, a, "definition", 0, &old))) {
		xv_definition(v, m);
		xv_pop(v, old);
	}
}

static void xv_statement_ref(struct xv *v, const json_t *r)
{
	static const char *const keys[] = { "objectType", "id", NULL };
	size_t old;
	if (!xv_want(v, r, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, r, keys, "a statement reference");
	json_t *m = xv_member(v, r, "objectType", 1, &old);
	if (m) {
		const char *s = json_string_value(m);
		if (!s || strcmp(s, "StatementRef"))
			xv_err(v, "xapi-object-type", "must be \"StatementRef\"");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, r, "id", 1, &old))) {
		xv_uuid(v, m);
		xv_pop(v, old);
	}
}

/* ---- result, context, attachments ------------------------------------- */

static void xv_score(struct xv *v, const json_t *sc)
{
	static const char *const keys[] = { "scaled", "raw", "min", "max",
					    NULL };
	const char *names[4] = { "scaled", "raw", "min", "max" };
	double val[4];
	int have[4] = { 0, 0, 0, 0 };
	if (!xv_want(v, sc, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, sc, keys, "a score");
	for (int i = 0; i < 4; i++) {
		size_t old;
		json_t *m = xv_member(v, sc, names[i], 0, &old);
		if (!m)
			continue;
		if (xv_want(v, m, JSON_REAL, "a number")) {
			val[i] = json_number_value(m);
			have[i] = 1;
		}
		if (i == 0 && have[0] && (val[0] < -1.0 || val[0] > 1.0))
			xv_err(v, "xapi-score", "must be between -1 and 1");
		xv_pop(v, old);
	}
	size_t old = xv_key(v, "raw");
	if (have[1] && have[2] && val[1] < val[2])
		xv_err(v, "xapi-score", "must not be less than 'min' (%g < %g)",
		       val[1], val[2]);
	if (have[1] && have[3] && val[1] > val[3])
		xv_err(v, "xapi-score",
		       "must not be greater than 'max' (%g > %g)", val[1],
		       val[3]);
	xv_pop(v, old);
	old = xv_key(v, "min");
	if (have[2] && have[3] && val[2] >= val[3])
		xv_err(v, "xapi-score", "must be less than 'max' (%g >= %g)",
		       val[2], val[3]);
	xv_pop(v, old);
}

static void xv_result(struct xv *v, const json_t *r)
{
	static const char *const keys[] = { "score", "success", "completion",
					    "response", "duration",
					    "extensions", NULL };
	size_t old;
	json_t *m;
	if (!xv_want(v, r, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, r, keys, "a result");
	if ((m = xv_member(v, r, "score", 0, &old))) {
		xv_score(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, r, "success", 0, &old))) {
		xv_want(v, m, JSON_TRUE, "a boolean");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, r, "completion", 0, &old))) {
		xv_want(v, m, JSON_TRUE, "a boolean");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, r, "response", 0, &old))) {
		xv_string(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, r, "duration", 0, &old))) {
		const char *s = xv_string(v, m);
		if (s && !xapi_validate_duration(s))
			xv_err(v, "xapi-duration",
			       "must be an ISO 8601 duration, like PT1H2M3.45S");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, r, "extensions", 0, &old))) {
		xv_extensions(v, m);
		xv_pop(v, old);
	}
}

static void xv_context_activities(struct xv *v, const json_t *ca)
{
	static const char *const keys[] = { "parent", "grouping", "category",
					    "other", NULL };
	if (!xv_want(v, ca, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, ca, keys, "contextActivities");
	for (int i = 0; keys[i]; i++) {
		size_t old;
		json_t *m = xv_member(v, ca, keys[i], 0, &old);
		if (!m)
			continue;
		if (json_is_array(m)) {
			for (size_t k = 0; k < json_array_size(m); k++) {
				size_t o2 = xv_index(v, k);
				json_t *e = json_array_get(m, k);
				if (json_is_null(e))
					xv_err(v, "xapi-null", "must not be null");
				else
					xv_activity(v, e);
				xv_pop(v, o2);
			}
		} else if (json_is_object(m)) {
			xv_activity(v, m); /* allowed; the LRS wraps it */
		} else {
			xv_err(v, "xapi-type",
			       "must be an array of activities, not %s",
			       xv_type_name(m));
		}
		xv_pop(v, old);
	}
}

static void xv_context(struct xv *v, const json_t *c, int object_is_activity)
{
	static const char *const keys[] = {
		"registration", "instructor", "team", "contextActivities",
		"revision", "platform", "language", "statement", "extensions",
		NULL
	};
	size_t old;
	json_t *m;
	if (!xv_want(v, c, JSON_OBJECT, "an object"))
		return;
	xv_keys(v, c, keys, "a context");
	if ((m = xv_member(v, c, "registration", 0, &old))) {
		xv_uuid(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, c, "instructor", 0, &old))) {
		xv_actor(v, m, 0);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, c, "team", 0, &old))) {
		xv_actor(v, m, 1);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, c, "contextActivities", 0, &old))) {
		xv_context_activities(v, m);
		xv_pop(v, old);
	}
	static const char *const only_act[] = { "revision", "platform", NULL };
	for (int i = 0; only_act[i]; i++) {
		if ((m = xv_member(v, c, only_act[i], 0, &old))) {
			xv_string(v, m);
			if (!object_is_activity)
				xv_err(v, "xapi-context",
				       "is only allowed when the object is an "
				       "activity");
			xv_pop(v, old);
		}
	}
	if ((m = xv_member(v, c, "language", 0, &old))) {
		const char *s = xv_string(v, m);
		if (s && !xapi_validate_language(s))
			xv_err(v, "xapi-language",
			       "must be an RFC 5646 language tag, like en-US");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, c, "statement", 0, &old))) {
		xv_statement_ref(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, c, "extensions", 0, &old))) {
		xv_extensions(v, m);
		xv_pop(v, old);
	}
}

static int xv_media_type(const char *s)
{
	/* type/subtype[;param=value]*, as the LRS's validator accepts */
	static const char *const types[] = { "application", "audio", "example",
					     "image", "message", "model",
					     "multipart", "text", "video",
					     NULL };
	const char *slash = strchr(s, '/');
	int ok = 0;
	if (!slash)
		return 0;
	for (int i = 0; types[i] && !ok; i++)
		ok = strlen(types[i]) == (size_t)(slash - s) &&
		     strncmp(s, types[i], (size_t)(slash - s)) == 0;
	if (!ok || !slash[1])
		return 0;
	for (const char *p = slash + 1; *p; p++)
		if ((unsigned char)*p <= 0x20 && *p != ' ')
			return 0;
	return 1;
}

static void xv_attachments(struct xv *v, const json_t *list)
{
	static const char *const keys[] = { "usageType", "display",
					    "description", "contentType",
					    "length", "sha2", "fileUrl", NULL };
	if (!xv_want(v, list, JSON_ARRAY, "an array of attachments"))
		return;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *a = json_array_get(list, i), *m;
		size_t old = xv_index(v, i), o2;
		if (json_is_null(a)) {
			xv_err(v, "xapi-null", "must not be null");
			xv_pop(v, old);
			continue;
		}
		if (!xv_want(v, a, JSON_OBJECT, "an object")) {
			xv_pop(v, old);
			continue;
		}
		xv_keys(v, a, keys, "an attachment");
		if ((m = xv_member(v, a, "usageType", 1, &o2))) {
			xv_iri(v, m,
			       "http://adlnet.gov/expapi/attachments/signature");
			xv_pop(v, o2);
		}
		if ((m = xv_member(v, a, "display", 1, &o2))) {
			xv_langmap(v, m);
			xv_pop(v, o2);
		}
		if ((m = xv_member(v, a, "description", 0, &o2))) {
			xv_langmap(v, m);
			xv_pop(v, o2);
		}
		if ((m = xv_member(v, a, "contentType", 1, &o2))) {
			const char *s = xv_string(v, m);
			if (s && !xv_media_type(s))
				xv_err(v, "xapi-type",
				       "must be an Internet media type, like "
				       "application/pdf");
			xv_pop(v, o2);
		}
		if ((m = xv_member(v, a, "length", 1, &o2))) {
			if (xv_want(v, m, JSON_INTEGER, "an integer") &&
			    json_integer_value(m) < 0)
				xv_err(v, "xapi-type", "must not be negative");
			xv_pop(v, o2);
		}
		if ((m = xv_member(v, a, "sha2", 1, &o2))) {
			xv_string(v, m);
			xv_pop(v, o2);
		}
		if ((m = xv_member(v, a, "fileUrl", 0, &o2))) {
			xv_iri(v, m, "https://example.org/file.pdf");
			xv_pop(v, o2);
		}
		xv_pop(v, old);
	}
}

/* ---- statements ------------------------------------------------------- */

static void xv_statement(struct xv *v, const json_t *st, int sub);

/* The object of a statement; 'sub' when inside a SubStatement. */
static void xv_object(struct xv *v, const json_t *o, int sub)
{
	if (!xv_want(v, o, JSON_OBJECT, "an object"))
		return;
	json_t *ot = json_object_get(o, "objectType");
	const char *t = json_string_value(ot);
	if (ot && !t) {
		size_t old = xv_key(v, "objectType");
		xv_err(v, "xapi-object-type", "must be a string");
		xv_pop(v, old);
		return;
	}
	if (!t || strcmp(t, "Activity") == 0) {
		xv_activity(v, o);
	} else if (strcmp(t, "Agent") == 0 || strcmp(t, "Group") == 0) {
		xv_actor(v, o, 0);
	} else if (strcmp(t, "StatementRef") == 0) {
		xv_statement_ref(v, o);
	} else if (strcmp(t, "SubStatement") == 0) {
		if (sub)
			xv_err(v, "xapi-substatement",
			       "must not be a SubStatement inside a "
			       "SubStatement");
		else
			xv_statement(v, o, 1);
	} else {
		size_t old = xv_key(v, "objectType");
		xv_err(v, "xapi-object-type",
		       "must be one of Activity, Agent, Group, StatementRef and "
		       "SubStatement");
		xv_pop(v, old);
	}
}

static void xv_statement(struct xv *v, const json_t *st, int sub)
{
	static const char *const keys[] = { "id", "actor", "verb", "object",
					    "result", "context", "timestamp",
					    "stored", "authority", "version",
					    "attachments", NULL };
	static const char *const sub_keys[] = { "objectType", "actor", "verb",
						"object", "result", "context",
						"timestamp", "attachments",
						NULL };
	size_t old;
	json_t *m;
	xv_keys(v, st, sub ? sub_keys : keys,
		sub ? "a SubStatement" : "a statement");
	if (!sub && (m = xv_member(v, st, "id", 0, &old))) {
		xv_uuid(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, st, "actor", 1, &old))) {
		xv_actor(v, m, 0);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, st, "verb", 1, &old))) {
		xv_verb(v, m);
		xv_pop(v, old);
	}
	json_t *obj = xv_member(v, st, "object", 1, &old);
	if (obj) {
		xv_object(v, obj, sub);
		xv_pop(v, old);
	}
	const char *ot =
	    obj ? json_string_value(json_object_get(obj, "objectType")) : NULL;
	const char *verb = json_string_value(
	    json_object_get(json_object_get(st, "verb"), "id"));
	if (obj && verb && strcmp(verb, VOIDED_VERB) == 0 &&
	    !(ot && strcmp(ot, "StatementRef") == 0)) {
		old = xv_key(v, "object");
		xv_err(v, "xapi-voiding",
		       "must be a StatementRef when the verb is voided");
		xv_pop(v, old);
	}
	if ((m = xv_member(v, st, "result", 0, &old))) {
		xv_result(v, m);
		xv_pop(v, old);
	}
	if ((m = xv_member(v, st, "context", 0, &old))) {
		xv_context(v, m,
			   json_is_object(obj) &&
			       (!ot || strcmp(ot, "Activity") == 0));
		xv_pop(v, old);
	}
	if ((m = xv_member(v, st, "timestamp", 0, &old))) {
		xv_timestamp(v, m);
		xv_pop(v, old);
	}
	if (!sub && (m = xv_member(v, st, "stored", 0, &old))) {
		xv_timestamp(v, m);
		xv_pop(v, old);
	}
	if (!sub && (m = xv_member(v, st, "authority", 0, &old))) {
		xv_actor(v, m, 0);
		const char *aot =
		    json_string_value(json_object_get(m, "objectType"));
		if ((v->flags & XAPI_VALIDATE_LRS) && aot &&
		    strcmp(aot, "Group") == 0) {
			json_t *mem = json_object_get(m, "member");
			int ifi = 0;
			for (int i = 0; xv_ifis[i]; i++)
				ifi |= json_object_get(m, xv_ifis[i]) != NULL;
			if (ifi || !json_is_array(mem) ||
			    json_array_size(mem) != 2)
				xv_err(v, "xapi-authority",
				       "may be a group only for OAuth: an "
				       "anonymous group of exactly two agents");
		}
		xv_pop(v, old);
	}
	if (!sub && (m = xv_member(v, st, "version", 0, &old))) {
		const char *s = xv_string(v, m);
		if (s && !(strncmp(s, "1.0", 3) == 0 &&
			   (s[3] == '\0' ||
			    (s[3] == '.' && is_digit((unsigned char)s[4]) &&
			     strspn(s + 4, "0123456789") == strlen(s + 4)))))
			xv_err(v, "xapi-version",
			       "must be 1.0.0 or another 1.0.x version");
		xv_pop(v, old);
	}
	if (sub && (m = xv_member(v, st, "objectType", 1, &old))) {
		xv_pop(v, old); /* checked by the caller */
	}
	if ((m = xv_member(v, st, "attachments", 0, &old))) {
		xv_attachments(v, m);
		xv_pop(v, old);
	}
}

int xapi_validate_statement(const json_t *st, const char *label,
			    struct loc loc, struct diag *d)
{
	return xapi_validate_statement_flags(st, label, loc, 0, d);
}

int xapi_validate_statement_flags(const json_t *st, const char *label,
				  struct loc loc, unsigned flags,
				  struct diag *d)
{
	struct xv v = { d, label, loc, BUF_INIT, 0, flags };
	if (!json_is_object(st))
		xv_err(&v, "xapi-type", "must be a JSON object, not %s",
		       st ? xv_type_name(st) : "nothing");
	else
		xv_statement(&v, st, 0);
	buf_free(&v.path);
	return v.errors ? ET_EINVALID : 0;
}

int xapi_validate_actor(const json_t *a, const char *label, struct loc loc,
			struct diag *d)
{
	struct xv v = { d, label, loc, BUF_INIT, 0, 0 };
	if (!json_is_object(a))
		xv_err(&v, "xapi-type", "must be a JSON object, not %s",
		       a ? xv_type_name(a) : "nothing");
	else
		xv_actor(&v, a, 0);
	buf_free(&v.path);
	return v.errors ? ET_EINVALID : 0;
}
