/* scormcheck.c -- the SCORM 1.2 package rules that the XSDs cannot check */
#include "scormcheck.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"

#define NS_IMSCP "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
#define NS_ADLCP "http://www.adlnet.org/xsd/adlcp_rootv1p2"

struct sc {
	const char *name;
	scormcheck_has_fn has;
	void *payload;
	struct diag *d;
	xmlNodePtr resources; /* <resources> */
	xmlNodePtr orgs;      /* <organizations> */
	int scos;
};

static int sc_is(xmlNodePtr n, const char *ns, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, local) == 0;
}

static struct loc sc_loc(const struct sc *s, xmlNodePtr n)
{
	int line = n ? (int)xmlGetLineNo(n) : 0;
	return (struct loc){ s->name, line > 0 ? line : 0, line > 0 ? 1 : 0 };
}

static char *sc_attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, (const xmlChar *)name);
}

static char *sc_text(xmlNodePtr n)
{
	char *s = (char *)xmlNodeGetContent(n);
	if (!s)
		return NULL;
	/* trim */
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

static void sc_href(struct sc *s, xmlNodePtr n, const char *href,
		    const char *base)
{
	if (strchr(href, ':'))
		return; /* an absolute URL: not a package file */
	if (href[0] == '/') {
		diag_error(s->d, sc_loc(s, n),
			   "href '%s' starts with '/'; hrefs must be relative "
			   "to the package root",
			   href);
		return;
	}
	char *path = xasprintf("%s%s", base ? base : "", href);
	char *q = strpbrk(path, "?#");
	if (q)
		*q = '\0';
	if (path_normalize(path) < 0)
		diag_error(s->d, sc_loc(s, n),
			   "href '%s' points outside the package", href);
	else if (!s->has(path, s->payload))
		diag_error(s->d, sc_loc(s, n),
			   "href '%s' names a file that is not in the package",
			   href);
	free(path);
}

static void sc_items(struct sc *s, xmlNodePtr parent)
{
	for (xmlNodePtr n = parent->children; n; n = n->next) {
		if (sc_is(n, NS_IMSCP, "item")) {
			char *ref = sc_attr(n, "identifierref");
			if (ref && !sc_has_id(s->resources, "resource", ref))
				diag_error(s->d, sc_loc(s, n),
					   "item identifierref '%s' names no "
					   "resource",
					   ref);
			xmlFree(ref);
			sc_items(s, n);
		} else if (sc_is(n, NS_ADLCP, "masteryscore")) {
			char *v = sc_text(n);
			char *end = NULL;
			double x = v && *v ? strtod(v, &end) : -1;
			if (!v || !*v || *end || x < 0 || x > 100)
				diag_error(s->d, sc_loc(s, n),
					   "adlcp:masteryscore '%s' is not a "
					   "number from 0 to 100",
					   v ? v : "");
			free(v);
		}
	}
}

static void sc_metadata(struct sc *s, xmlNodePtr manifest)
{
	xmlNodePtr md = NULL;
	for (xmlNodePtr n = manifest->children; n; n = n->next)
		if (sc_is(n, NS_IMSCP, "metadata"))
			md = n;
	const char *want[2][2] = { { "schema", "ADL SCORM" },
				   { "schemaversion", "1.2" } };
	for (int i = 0; i < 2; i++) {
		xmlNodePtr el = NULL;
		for (xmlNodePtr n = md ? md->children : NULL; n; n = n->next)
			if (sc_is(n, NS_IMSCP, want[i][0]))
				el = n;
		char *v = el ? sc_text(el) : NULL;
		if (!v || strcmp(v, want[i][1]) != 0)
			diag_error(s->d, sc_loc(s, el ? el : md ? md : manifest),
				   "manifest <%s> must be '%s'", want[i][0],
				   want[i][1]);
		free(v);
	}
}

static void sc_resources(struct sc *s)
{
	for (xmlNodePtr r = s->resources ? s->resources->children : NULL; r;
	     r = r->next) {
		if (!sc_is(r, NS_IMSCP, "resource"))
			continue;
		char *type = (char *)xmlGetNsProp(r, (const xmlChar *)"scormtype",
						  (const xmlChar *)NS_ADLCP);
		char *base = (char *)xmlGetNsProp(
		    r, (const xmlChar *)"base",
		    (const xmlChar *)"http://www.w3.org/XML/1998/namespace");
		char *href = sc_attr(r, "href");
		if (!type)
			diag_error(s->d, sc_loc(s, r),
				   "resource has no adlcp:scormtype; LMSs "
				   "treat it as an untracked asset");
		else if (strcmp(type, "sco") == 0)
			s->scos++;
		if (href)
			sc_href(s, r, href, base);
		for (xmlNodePtr f = r->children; f; f = f->next) {
			if (sc_is(f, NS_IMSCP, "file")) {
				char *fh = sc_attr(f, "href");
				if (fh)
					sc_href(s, f, fh, base);
				xmlFree(fh);
			} else if (sc_is(f, NS_IMSCP, "dependency")) {
				char *ref = sc_attr(f, "identifierref");
				if (ref &&
				    !sc_has_id(s->resources, "resource", ref))
					diag_error(s->d, sc_loc(s, f),
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

int scormcheck_manifest(xmlDocPtr doc, const char *name,
			scormcheck_has_fn has, void *payload, struct diag *d)
{
	size_t errors_before = d->errors;
	struct sc s = { name, has, payload, d, NULL, NULL, 0 };
	xmlNodePtr root = xmlDocGetRootElement(doc);

	if (!sc_is(root, NS_IMSCP, "manifest")) {
		diag_error(d, sc_loc(&s, root),
			   "the root element must be <manifest> in the IMS CP "
			   "namespace");
		return ET_EINVALID;
	}
	for (xmlNodePtr n = root->children; n; n = n->next) {
		if (sc_is(n, NS_IMSCP, "organizations"))
			s.orgs = n;
		else if (sc_is(n, NS_IMSCP, "resources"))
			s.resources = n;
	}
	sc_metadata(&s, root);
	if (s.orgs) {
		char *def = sc_attr(s.orgs, "default");
		if (def && !sc_has_id(s.orgs, "organization", def))
			diag_error(d, sc_loc(&s, s.orgs),
				   "organizations default '%s' names no "
				   "organization",
				   def);
		xmlFree(def);
		for (xmlNodePtr o = s.orgs->children; o; o = o->next)
			if (sc_is(o, NS_IMSCP, "organization"))
				sc_items(&s, o);
	}
	sc_resources(&s);
	if (s.scos == 0)
		diag_error(d, sc_loc(&s, s.resources ? s.resources : root),
			   "the package has no SCO (no resource with "
			   "adlcp:scormtype=\"sco\")");
	return d->errors > errors_before ? ET_EINVALID : 0;
}
