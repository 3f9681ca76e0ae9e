/* scormcheck.c -- the SCORM 1.2 package rules that the XSDs cannot check */
#include "scormcheck.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "escape.h"
#include "util.h"

#define NS_IMSCP "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
#define NS_ADLCP "http://www.adlnet.org/xsd/adlcp_rootv1p2"
#define NS_IMSMD "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
#define NS_XML "http://www.w3.org/XML/1998/namespace"

/* Moodle stores identifiers and titles in 255-character columns */
#define SC_LMS_STRING_MAX 255
/* IMS MD 1.2.1's smallest permitted maximum for a langstring */
#define SC_LOM_STRING_MAX 1000

struct sc {
	const struct scormcheck_input *in;
	struct diag *d;
	xmlNodePtr resources; /* <resources> */
	xmlNodePtr orgs;      /* <organizations> */
	int scos;
	char *listed;         /* per entry: 1 when some <file> lists it */
	size_t nlines;        /* lines of the manifest text */
	size_t *line_start;   /* byte offset where each line starts */
	size_t nres;          /* resource identifiers, sorted */
	char **res_ids;
};

#define X(s) ((const xmlChar *)(s))

static int sc_is(xmlNodePtr n, const char *ns, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, local) == 0;
}

/* The text of 1-based 'line' of the manifest: [*out, *out + *len) */
static int sc_line(const struct sc *s, int line, const char **out,
		   size_t *len)
{
	if (!s->in->text || line < 1 || (size_t)line > s->nlines)
		return -1;
	size_t a = s->line_start[line - 1];
	size_t b = (size_t)line < s->nlines ? s->line_start[line] - 1
					    : s->in->len;
	*out = s->in->text + a;
	*len = b - a;
	return 0;
}

/* The 1-based column of the first 'needle' on 'line', or 0 */
static int sc_find_col(const struct sc *s, int line, const char *needle,
		       int tag)
{
	const char *text;
	size_t len, nl = strlen(needle);
	if (sc_line(s, line, &text, &len) < 0)
		return 0;
	for (size_t i = 0; i + nl <= len; i++) {
		if (memcmp(text + i, needle, nl) != 0)
			continue;
		if (tag && i + nl < len) {
			char after = text[i + nl];
			if (after != ' ' && after != '>' && after != '/' &&
			    after != '\t' && after != '\r')
				continue;
		}
		int col = 1;
		for (size_t k = 0; k < i; k++)
			col += ((unsigned char)text[k] & 0xC0) != 0x80;
		return col;
	}
	return 0;
}

static struct loc sc_loc(const struct sc *s, xmlNodePtr n)
{
	int line = n ? (int)xmlGetLineNo(n) : 0;
	if (line <= 0)
		return (struct loc){ s->in->name, 0, 0 };
	char *tag = n->ns && n->ns->prefix
			? xasprintf("<%s:%s", n->ns->prefix, n->name)
			: xasprintf("<%s", n->name);
	int col = sc_find_col(s, line, tag, 1);
	free(tag);
	return (struct loc){ s->in->name, line, col ? col : 1 };
}

/* The place of attribute 'attr' with 'value' on the element's line, so
 * that three <file>s on one line get three columns. */
static struct loc sc_loc_attr(const struct sc *s, xmlNodePtr n,
			      const char *attr, const char *value)
{
	struct loc loc = sc_loc(s, n);
	if (loc.line <= 0)
		return loc;
	char *needle = xasprintf("%s=\"%s\"", attr, value);
	int col = sc_find_col(s, loc.line, needle, 0);
	free(needle);
	if (col)
		loc.col = col;
	return loc;
}

static char *sc_attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, X(name));
}

static char *sc_text(xmlNodePtr n)
{
	char *s = (char *)xmlNodeGetContent(n);
	if (!s)
		return xstrdup("");
	char *p = s;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	size_t len = strlen(p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
		       p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	char *out = xstrndup(p, len);
	xmlFree(s);
	return out;
}

static int sc_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static long sc_index(const struct scormcheck_input *in, const char *name)
{
	const char *const *hit =
	    in->nentries ? bsearch(name, in->entries, in->nentries,
				   sizeof(*in->entries), sc_cmp)
			 : NULL;
	return hit ? (long)(hit - in->entries) : -1;
}

int scormcheck_has(const struct scormcheck_input *in, const char *name)
{
	return sc_index(in, name) >= 0;
}

static int sc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sc_has_resource(const struct sc *s, const char *id)
{
	return s->nres && bsearch(&id, s->res_ids, s->nres,
				  sizeof(*s->res_ids), sc_cmp_str) != NULL;
}

static int sc_has_id(xmlNodePtr parent, const char *child, const char *id)
{
	for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next) {
		if (!sc_is(n, NS_IMSCP, child))
			continue;
		char *v = sc_attr(n, "identifier");
		int same = v && strcmp(v, id) == 0;
		xmlFree(v);
		if (same)
			return 1;
	}
	return 0;
}

/* 1 when 'href' is a URL with a scheme (http:, https:, ...) */
static int sc_is_url(const char *href)
{
	const char *p = href;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':' && p - href > 1; /* "c:" is a drive, not a scheme */
}

static void sc_href(struct sc *s, xmlNodePtr n, const char *href,
		    const char *base, int is_file)
{
	struct loc at = sc_loc_attr(s, n, "href", href);
	if (sc_is_url(href))
		return; /* not a package file */
	if (href[0] == '/' || href[0] == '\\') {
		diag_report(s->d, DIAG_ERROR, "href-absolute", at,
			    "href '%s' starts with '%c'; make it relative to "
			    "the package root (LMSs serve packages from a "
			    "sub-folder)",
			    href, href[0]);
		return;
	}
	char *path = xasprintf("%s%s", base && !sc_is_url(base) ? base : "",
			       href);
	char *q = strpbrk(path, "?#");
	if (q)
		*q = '\0';
	/* percent-decode, as a browser would before asking for the file */
	char *w = path;
	for (const char *r = path; *r; r++) {
		int hi = r[0] == '%' ? util_hex_value((unsigned char)r[1]) : -1;
		int lo = hi >= 0 ? util_hex_value((unsigned char)r[2]) : -1;
		if (lo >= 0 && hi * 16 + lo > 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	if (path_normalize(path) < 0) {
		diag_report(s->d, DIAG_ERROR, "href-outside", at,
			    "href '%s' points outside the package; keep every "
			    "file inside the zip",
			    href);
	} else {
		long i = sc_index(s->in, path);
		if (i < 0)
			diag_report(s->d, DIAG_ERROR, "href-missing", at,
				    "href '%s' names a file that is not in the "
				    "package; add the file or fix the path "
				    "(names are case-sensitive)",
				    href);
		else if (is_file)
			s->listed[i] = 1;
	}
	free(path);
}

static int sc_timespan_ok(const char *v)
{
	/* HHHH:MM:SS.SS: 2-4 hour digits, 2 minute and second digits,
	 * optionally 1-2 decimals */
	const char *p = v;
	int n = 0;
	while (*p >= '0' && *p <= '9')
		p++, n++;
	if (n < 2 || n > 4 || *p++ != ':')
		return 0;
	for (int part = 0; part < 2; part++) {
		if (!(p[0] >= '0' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9'))
			return 0;
		p += 2;
		if (part == 0 && *p++ != ':')
			return 0;
	}
	if (*p == '.') {
		p++;
		n = 0;
		while (*p >= '0' && *p <= '9')
			p++, n++;
		if (n < 1 || n > 2)
			return 0;
	}
	return *p == '\0';
}

static void sc_long_string(struct sc *s, xmlNodePtr n, const char *what,
			   const char *value, size_t max)
{
	size_t len = 0;
	for (const char *p = value; *p; p++)
		len += ((unsigned char)*p & 0xC0) != 0x80;
	if (len > max)
		diag_report(s->d, DIAG_WARNING, "metadata-too-long",
			    sc_loc(s, n),
			    "%s is %zu characters long; LMSs such as Moodle "
			    "store at most %zu, so shorten it",
			    what, len, max);
}

/* A CMIDecimal ("85", "85.5", "-3") as a number; -1 when it is not one
 * (no exponents, hex, NaN or infinities, which strtod would take). */
static double sc_decimal(const char *v)
{
	const char *p = v;
	if (*p == '-' || *p == '+')
		p++;
	int digits = 0, dot = 0;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && !dot)
			dot = 1;
		else
			return -1;
	}
	return digits ? strtod(v, NULL) : -1;
}

static void sc_item_ext(struct sc *s, xmlNodePtr n)
{
	char *v = sc_text(n);
	if (sc_is(n, NS_ADLCP, "masteryscore")) {
		double x = sc_decimal(v);
		if (x < 0 || x > 100)
			diag_report(s->d, DIAG_ERROR, "masteryscore-range",
				    sc_loc(s, n),
				    "adlcp:masteryscore '%s' is not a number "
				    "from 0 to 100",
				    v);
	} else if (sc_is(n, NS_ADLCP, "maxtimeallowed")) {
		if (!sc_timespan_ok(v))
			diag_report(s->d, DIAG_ERROR, "maxtimeallowed-format",
				    sc_loc(s, n),
				    "adlcp:maxtimeallowed '%s' is not a "
				    "CMITimespan; write HHHH:MM:SS.SS, such "
				    "as 0001:30:00",
				    v);
	} else if (sc_is(n, NS_ADLCP, "timelimitaction")) {
		static const char *const ok[] = { "exit,message",
						   "exit,no message",
						   "continue,message",
						   "continue,no message", NULL };
		int found = 0;
		for (size_t i = 0; ok[i]; i++)
			found |= strcmp(v, ok[i]) == 0;
		if (!found)
			diag_report(s->d, DIAG_ERROR, "timelimitaction-value",
				    sc_loc(s, n),
				    "adlcp:timelimitaction '%s' is not one of "
				    "'exit,message', 'exit,no message', "
				    "'continue,message', 'continue,no message'",
				    v);
	}
	free(v);
}

static void sc_items(struct sc *s, xmlNodePtr parent)
{
	for (xmlNodePtr n = parent->children; n; n = n->next) {
		if (sc_is(n, NS_IMSCP, "item")) {
			char *ref = sc_attr(n, "identifierref");
			if (ref && !sc_has_resource(s, ref))
				diag_report(s->d, DIAG_ERROR, "identifierref",
					    sc_loc_attr(s, n, "identifierref",
							ref),
					    "item identifierref '%s' names no "
					    "resource; the item would launch "
					    "nothing",
					    ref);
			xmlFree(ref);
			sc_items(s, n);
		} else if (sc_is(n, NS_IMSCP, "title")) {
			char *t = sc_text(n);
			sc_long_string(s, n, "the title", t, SC_LMS_STRING_MAX);
			free(t);
		} else if (n->type == XML_ELEMENT_NODE && n->ns &&
			   strcmp((const char *)n->ns->href, NS_ADLCP) == 0) {
			sc_item_ext(s, n);
		}
	}
}

static void sc_metadata(struct sc *s, xmlNodePtr manifest)
{
	xmlNodePtr md = NULL;
	for (xmlNodePtr n = manifest->children; n; n = n->next)
		if (sc_is(n, NS_IMSCP, "metadata"))
			md = n;
	static const char *const want[2][3] = {
		{ "schema", "ADL SCORM", "schema-value" },
		{ "schemaversion", "1.2", "schemaversion-value" }
	};
	for (int i = 0; i < 2; i++) {
		xmlNodePtr el = NULL;
		for (xmlNodePtr n = md ? md->children : NULL; n; n = n->next)
			if (sc_is(n, NS_IMSCP, want[i][0]))
				el = n;
		char *v = el ? sc_text(el) : NULL;
		if (!v || strcmp(v, want[i][1]) != 0)
			diag_report(s->d, DIAG_ERROR, want[i][2],
				    sc_loc(s, el ? el : md ? md : manifest),
				    "the manifest's <metadata> needs <%s>%s</%s>",
				    want[i][0], want[i][1], want[i][0]);
		free(v);
	}
}

static void sc_resources(struct sc *s)
{
	for (xmlNodePtr r = s->resources ? s->resources->children : NULL; r;
	     r = r->next) {
		if (!sc_is(r, NS_IMSCP, "resource"))
			continue;
		char *type = (char *)xmlGetNsProp(r, X("scormtype"),
						  X(NS_ADLCP));
		char *base = (char *)xmlGetNsProp(r, X("base"), X(NS_XML));
		char *href = sc_attr(r, "href");
		if (!type)
			diag_report(s->d, DIAG_ERROR, "scormtype-missing",
				    sc_loc(s, r),
				    "resource has no adlcp:scormtype; LMSs treat "
				    "it as an untracked asset: add "
				    "adlcp:scormtype=\"sco\" or \"asset\"");
		else if (strcmp(type, "sco") == 0)
			s->scos++;
		if (href)
			sc_href(s, r, href, base, 0);
		for (xmlNodePtr f = r->children; f; f = f->next) {
			if (sc_is(f, NS_IMSCP, "file")) {
				char *fh = sc_attr(f, "href");
				if (fh)
					sc_href(s, f, fh, base, 1);
				xmlFree(fh);
			} else if (sc_is(f, NS_IMSCP, "dependency")) {
				char *ref = sc_attr(f, "identifierref");
				if (ref &&
				    !sc_has_resource(s, ref))
					diag_report(s->d, DIAG_ERROR,
						    "identifierref",
						    sc_loc_attr(s, f,
								"identifierref",
								ref),
						    "dependency identifierref "
						    "'%s' names no resource",
						    ref);
				xmlFree(ref);
			}
		}
		xmlFree(type);
		xmlFree(base);
		xmlFree(href);
	}
}

/* Every element: metadata locations, and what Moodle's
 * non-namespace-aware importer gets wrong */
static void sc_walk(struct sc *s, xmlNodePtr n, int depth)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (sc_is(n, NS_ADLCP, "location")) {
			/* metadata in a separate file: it must be there */
			char *loc = sc_text(n);
			sc_href(s, n, loc, NULL, 1);
			free(loc);
		}
		const char *href = n->ns ? (const char *)n->ns->href : "";
		const char *prefix =
		    n->ns && n->ns->prefix ? (const char *)n->ns->prefix : NULL;
		if (strcmp(href, NS_ADLCP) == 0 &&
		    (!prefix || strcmp(prefix, "adlcp") != 0))
			diag_report(s->d, DIAG_WARNING, "moodle-adlcp-prefix",
				    sc_loc(s, n),
				    "ADL element '%s' uses the prefix '%s'; "
				    "Moodle only understands 'adlcp:', so "
				    "declare xmlns:adlcp and use it",
				    n->name, prefix ? prefix : "(none)");
		if (strcmp(href, NS_IMSCP) == 0 && prefix)
			diag_report(s->d, DIAG_WARNING, "moodle-cp-prefix",
				    sc_loc(s, n),
				    "IMS CP element '%s:%s' has a prefix; "
				    "Moodle only reads unprefixed elements, so "
				    "make the IMS CP namespace the default",
				    prefix, n->name);
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			if (!a->ns)
				continue;
			const char *ah = (const char *)a->ns->href;
			const char *ap = (const char *)a->ns->prefix;
			if (strcmp(ah, NS_ADLCP) == 0 &&
			    (!ap || strcmp(ap, "adlcp") != 0))
				diag_report(s->d, DIAG_WARNING,
					    "moodle-adlcp-prefix", sc_loc(s, n),
					    "attribute '%s:%s' uses another "
					    "prefix than 'adlcp:'; Moodle then "
					    "loses the SCO type and tracking",
					    ap ? ap : "", a->name);
			if (strcmp(ah, NS_XML) == 0 &&
			    strcmp((const char *)a->name, "base") == 0 &&
			    !sc_is(n, NS_IMSCP, "resource"))
				diag_report(s->d, DIAG_WARNING,
					    "moodle-xml-base", sc_loc(s, n),
					    "xml:base on <%s> is ignored by "
					    "Moodle, which honours it only on "
					    "<resource>; move it there",
					    n->name);
		}
		if (sc_is(n, NS_IMSMD, "langstring")) {
			char *t = sc_text(n);
			sc_long_string(s, n, "a metadata string", t,
				       SC_LOM_STRING_MAX);
			free(t);
		}
		char *id = sc_attr(n, "identifier");
		if (id)
			sc_long_string(s, n, "the identifier", id,
				       SC_LMS_STRING_MAX);
		xmlFree(id);
		if (depth < 64)
			sc_walk(s, n->children, depth + 1);
	}
}

static int sc_is_control_file(const char *name)
{
	static const char *const names[] = {
		"imsmanifest.xml", "adlcp_rootv1p2.xsd", "ims_xml.xsd",
		"imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd", NULL
	};
	for (size_t i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	/* metadata files named by adlcp:location, and other schemas */
	const char *ext = path_ext(name);
	return !strchr(name, '/') && (strcmp(ext, "xsd") == 0 ||
				      strcmp(ext, "dtd") == 0);
}

/* Absolute, '..' or backslash paths: not files to list, but problems */
static int sc_unsafe_name(const char *e)
{
	if (e[0] == '/' || e[0] == '\\' || (e[0] && e[1] == ':') ||
	    strchr(e, '\\'))
		return 1;
	for (const char *p = e; (p = strstr(p, "..")); p += 2)
		if ((p == e || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 1;
	return 0;
}

static void sc_build_index(struct sc *s, xmlNodePtr root)
{
	const char *t = s->in->text;
	size_t cap = 64;
	s->line_start = xmalloc(cap * sizeof(*s->line_start));
	s->line_start[s->nlines++] = 0;
	for (size_t i = 0; t && i < s->in->len; i++) {
		if (t[i] != '\n')
			continue;
		if (s->nlines == cap) {
			cap *= 2;
			s->line_start = xrealloc(s->line_start,
						 cap * sizeof(*s->line_start));
		}
		s->line_start[s->nlines++] = i + 1;
	}
	(void)root;
	size_t rcap = 0;
	for (xmlNodePtr r = s->resources ? s->resources->children : NULL; r;
	     r = r->next) {
		if (!sc_is(r, NS_IMSCP, "resource"))
			continue;
		char *id = sc_attr(r, "identifier");
		if (!id)
			continue;
		if (s->nres == rcap) {
			rcap = rcap ? rcap * 2 : 16;
			s->res_ids = xrealloc(s->res_ids,
					      rcap * sizeof(*s->res_ids));
		}
		s->res_ids[s->nres++] = xstrdup(id);
		xmlFree(id);
	}
	if (s->nres)
		qsort(s->res_ids, s->nres, sizeof(*s->res_ids), sc_cmp_str);
}

int scormcheck_manifest(const struct scormcheck_input *in, struct diag *d)
{
	size_t errors_before = d->errors;
	struct sc s = { in, d, NULL, NULL, 0, NULL, 0, NULL, 0, NULL };
	xmlNodePtr root = xmlDocGetRootElement(in->doc);

	if (!sc_is(root, NS_IMSCP, "manifest")) {
		diag_report(d, DIAG_ERROR, "manifest-root", sc_loc(&s, root),
			    "the root element must be <manifest> in the "
			    "namespace " NS_IMSCP);
		return ET_EINVALID;
	}
	s.listed = xcalloc(in->nentries + 1, 1);
	for (xmlNodePtr n = root->children; n; n = n->next) {
		if (sc_is(n, NS_IMSCP, "organizations"))
			s.orgs = n;
		else if (sc_is(n, NS_IMSCP, "resources"))
			s.resources = n;
	}
	sc_build_index(&s, root);
	sc_metadata(&s, root);
	if (s.orgs) {
		char *def = sc_attr(s.orgs, "default");
		if (def && !sc_has_id(s.orgs, "organization", def))
			diag_report(d, DIAG_ERROR, "organizations-default",
				    sc_loc_attr(&s, s.orgs, "default", def),
				    "organizations default '%s' names no "
				    "organization; LMSs would not know what "
				    "to launch",
				    def);
		xmlFree(def);
		for (xmlNodePtr o = s.orgs->children; o; o = o->next)
			if (sc_is(o, NS_IMSCP, "organization"))
				sc_items(&s, o);
	}
	sc_resources(&s);
	if (s.scos == 0)
		diag_report(d, DIAG_ERROR, "no-sco",
			    sc_loc(&s, s.resources ? s.resources : root),
			    "the package has no SCO: no resource has "
			    "adlcp:scormtype=\"sco\", so nothing is tracked");
	sc_walk(&s, root, 0);
	/* files that no resource lists */
	for (size_t i = 0; i < in->nentries; i++) {
		const char *e = in->entries[i];
		size_t len = strlen(e);
		if (s.listed[i] || sc_is_control_file(e) ||
		    (len && e[len - 1] == '/'))
			continue;
		if (sc_unsafe_name(e) ||
		    (i > 0 && strcmp(e, in->entries[i - 1]) == 0) ||
		    (i + 1 < in->nentries && strcmp(e, in->entries[i + 1]) == 0))
			continue; /* zipcheck reports these names itself */
		struct buf shown = BUF_INIT;
		escape_printable(&shown, e);
		diag_report(d, DIAG_WARNING, "file-unlisted",
			    (struct loc){ in->name, 0, 0 },
			    "'%s' is in the package but no resource lists it; "
			    "add a <file href=\"%s\"/>",
			    shown.ptr, shown.ptr);
		buf_free(&shown);
	}
	free(s.listed);
	free(s.line_start);
	for (size_t i = 0; i < s.nres; i++)
		free(s.res_ids[i]);
	free(s.res_ids);
	return d->errors > errors_before ? ET_EINVALID : 0;
}
