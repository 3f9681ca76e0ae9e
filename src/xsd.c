/* xsd.c -- safe XML reading and validation against the SCORM 1.2 schemas */
#include "xsd.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "errors.h"
#include "util.h"

static xmlSchemaPtr xsd_schema;
static int xsd_ready;

/* Serve the embedded schemas and nothing else. */
static xmlParserInputPtr xsd_loader(const char *url, const char *id,
				    xmlParserCtxtPtr ctxt)
{
	(void)id;
	if (!url)
		return NULL;
	const char *base = strrchr(url, '/');
	base = base ? base + 1 : url;
	char *name = xasprintf("schemas/%s", base);
	const struct embed_file *f = embed_find(name);
	free(name);
	if (!f)
		return NULL; /* refused: no file or network access */
	xmlParserInputBufferPtr buf = xmlParserInputBufferCreateMem(
	    (const char *)f->data, (int)f->len, XML_CHAR_ENCODING_NONE);
	if (!buf)
		return NULL;
	xmlParserInputPtr in =
	    xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE);
	if (!in) {
		xmlFreeParserInputBuffer(buf);
		return NULL;
	}
	in->filename = (char *)xmlCharStrdup(base);
	return in;
}

static void xsd_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void xsd_quiet_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

void xsd_init(void)
{
	if (xsd_ready)
		return;
	xsd_ready = 1;
	xmlInitParser();
	xmlSetExternalEntityLoader(xsd_loader);
	xmlSetGenericErrorFunc(NULL, xsd_quiet);
	xmlSetStructuredErrorFunc(NULL, xsd_quiet_structured);
}

void xsd_cleanup(void)
{
	if (xsd_schema)
		xmlSchemaFree(xsd_schema);
	xsd_schema = NULL;
	if (xsd_ready)
		xmlCleanupParser();
	xsd_ready = 0;
}

struct xsd_report {
	struct diag *d;
	const char *name;
	const char *text; /* the document's bytes, for columns; may be NULL */
	size_t len;
	const char *rule;
	int count;
};

int xsd_node_column(const char *text, size_t len, int line,
		    const char *qname)
{
	const char *p = text, *end = text + len;
	if (!text || line < 1)
		return 1;
	for (int l = 1; l < line && p < end; p++)
		if (*p == '\n')
			l++;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	size_t qn = qname ? strlen(qname) : 0;
	for (const char *q = p; q + qn < eol; q++) {
		if (*q != '<' || (qn && memcmp(q + 1, qname, qn) != 0))
			continue;
		char after = q[1 + qn];
		if (qn && after != ' ' && after != '>' && after != '/' &&
		    after != '\t' && after != '\r' && after != '\n')
			continue;
		int col = 1;
		for (const char *c = p; c < q; c++)
			col += ((unsigned char)*c & 0xC0) != 0x80;
		return col;
	}
	return 1;
}

/* The column of an element on its line: where its start tag begins. */
static int xsd_err_column(const struct xsd_report *r, xmlErrorPtr err)
{
	xmlNodePtr n = err->node;
	if (err->int2 > 0)
		return err->int2;
	if (!n || n->type != XML_ELEMENT_NODE)
		return 1;
	char *qname = n->ns && n->ns->prefix
			  ? xasprintf("%s:%s", n->ns->prefix, n->name)
			  : xstrdup((const char *)n->name);
	int col = xsd_node_column(r->text, r->len, err->line, qname);
	free(qname);
	return col;
}

/* libxml2 messages end with "\n" and often with "."; drop both, and write
 * the SCORM namespaces as the prefixes people know. */
static char *xsd_message(const char *msg)
{
	static const char *const ns[][2] = {
		{ "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}", "" },
		{ "{http://www.adlnet.org/xsd/adlcp_rootv1p2}", "adlcp:" },
		{ "{http://www.imsglobal.org/xsd/imsmd_rootv1p2p1}", "imsmd:" },
		{ "{http://www.w3.org/XML/1998/namespace}", "xml:" },
	};
	char *s = xstrdup(msg ? msg : "invalid XML");
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		char *hit;
		size_t from = strlen(ns[k][0]), to = strlen(ns[k][1]);
		while ((hit = strstr(s, ns[k][0]))) {
			memmove(hit + to, hit + from, strlen(hit + from) + 1);
			memcpy(hit, ns[k][1], to);
		}
	}
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
	return s;
}

static void xsd_on_error(void *ctx, xmlErrorPtr err)
{
	struct xsd_report *r = ctx;
	if (err->level == XML_ERR_WARNING)
		return;
	char *msg = xsd_message(err->message);
	struct loc loc = { r->name, err->line > 0 ? err->line : 0,
			   err->line > 0 ? xsd_err_column(r, err) : 0 };
	if (r->count < 50)
		diag_report(r->d, DIAG_ERROR, r->rule, loc, "%s", msg);
	else if (r->count == 50)
		diag_report(r->d, DIAG_ERROR, r->rule, loc,
			    "too many errors; stopping here");
	r->count++;
	free(msg);
}

/* A document type declaration is where XXE and entity expansion attacks
 * live: stop the parser as soon as one starts, before any entity is
 * declared, and remember where it was. */
struct xsd_dtd_guard {
	xmlParserCtxtPtr ctxt;
	int line; /* the line of <!DOCTYPE, or 0 when none was seen */
};

static struct xsd_dtd_guard *xsd_guard; /* parsing is single-threaded */

static void xsd_on_doctype(void *ctx, const xmlChar *name,
			   const xmlChar *external_id,
			   const xmlChar *system_id)
{
	(void)ctx;
	(void)name;
	(void)external_id;
	(void)system_id;
	if (!xsd_guard || xsd_guard->line)
		return;
	xmlParserInputPtr in = xsd_guard->ctxt->input;
	xsd_guard->line = in && in->line > 0 ? in->line : 1;
	xmlStopParser(xsd_guard->ctxt);
}

int xsd_parse(xmlDocPtr *out, const char *data, size_t len, const char *name,
	      struct diag *d)
{
	struct xsd_report r = { d, name, data, len, "xml-malformed", 0 };
	struct xsd_dtd_guard guard = { NULL, 0 };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int err = ET_EINVALID;

	xsd_init();
	*out = NULL;
	if (len > (size_t)1 << 30) {
		diag_report(d, DIAG_ERROR, "xml-too-large",
			    (struct loc){ name, 0, 0 }, "document too large");
		return ET_EINVALID;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return ET_ERROR;
	guard.ctxt = ctxt;
	xsd_guard = &guard;
	ctxt->sax->internalSubset = xsd_on_doctype;
	xmlSetStructuredErrorFunc(&r, xsd_on_error);
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOWARNING |
				    XML_PARSE_NOERROR);
	xmlSetStructuredErrorFunc(NULL, xsd_quiet_structured);
	xsd_guard = NULL;
	if (guard.line) {
		/* earlier well-formedness errors were already reported */
		diag_report(d, DIAG_ERROR, "xml-dtd",
			    (struct loc){ name, guard.line, 1 },
			    "document type declarations (DTDs and entities) "
			    "are not allowed: they are how XXE and entity "
			    "expansion attacks work; remove the <!DOCTYPE>");
		goto done;
	}
	if (!doc || !ctxt->wellFormed) {
		if (r.count == 0)
			diag_report(d, DIAG_ERROR, "xml-malformed",
				    (struct loc){ name, 1, 1 },
				    "not well-formed XML");
		goto done;
	}
	*out = doc;
	doc = NULL;
	err = 0;
done:
	if (doc)
		xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return err;
}

static int xsd_load_schema(struct diag *d)
{
	if (xsd_schema)
		return 0;
	const struct embed_file *w = embed_find("schemas/scorm12_validate.xsd");
	if (!w)
		BUG("schema wrapper not embedded");
	xmlSchemaParserCtxtPtr pc =
	    xmlSchemaNewMemParserCtxt((const char *)w->data, (int)w->len);
	if (!pc)
		return ET_ERROR;
	xmlSchemaSetParserStructuredErrors(pc, xsd_quiet_structured, NULL);
	xsd_schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (!xsd_schema) {
		diag_error(d, LOC_NONE, "cannot load the SCORM 1.2 schemas");
		return ET_ERROR;
	}
	return 0;
}

int xsd_validate(xmlDocPtr doc, const char *name, const char *text,
		 size_t len, struct diag *d)
{
	struct xsd_report r = { d, name, text, len, "xsd-invalid", 0 };
	xmlSchemaValidCtxtPtr vc = NULL;
	int err;

	xsd_init();
	if ((err = xsd_load_schema(d)) < 0)
		return err;
	vc = xmlSchemaNewValidCtxt(xsd_schema);
	if (!vc)
		return ET_ERROR;
	xmlSchemaSetValidStructuredErrors(vc, xsd_on_error, &r);
	int rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	if (rc == 0)
		return 0;
	if (r.count == 0)
		diag_report(d, DIAG_ERROR, "xsd-invalid",
			    (struct loc){ name, 1, 1 },
			    "not valid against the SCORM 1.2 schemas");
	return rc > 0 ? ET_EINVALID : ET_ERROR;
}
