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
	int count;
};

/* libxml2 messages end with "\n" and often with "."; drop both. */
static char *xsd_message(const char *msg)
{
	char *s = xstrdup(msg ? msg : "invalid XML");
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
			   err->line > 0 ? (err->int2 > 0 ? err->int2 : 1)
					 : 0 };
	if (r->count < 50)
		diag_error(r->d, loc, "%s", msg);
	else if (r->count == 50)
		diag_error(r->d, loc, "too many errors; stopping here");
	r->count++;
	free(msg);
}

int xsd_parse(xmlDocPtr *out, const char *data, size_t len, const char *name,
	      struct diag *d)
{
	struct xsd_report r = { d, name, 0 };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int err = ET_EINVALID;

	xsd_init();
	*out = NULL;
	if (len > (size_t)1 << 30) {
		diag_error(d, (struct loc){ name, 0, 0 }, "document too large");
		return ET_EINVALID;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return ET_ERROR;
	xmlSetStructuredErrorFunc(&r, xsd_on_error);
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOWARNING |
				    XML_PARSE_NOERROR);
	xmlSetStructuredErrorFunc(NULL, xsd_quiet_structured);
	if (!doc || !ctxt->wellFormed) {
		if (r.count == 0)
			diag_error(d, (struct loc){ name, 1, 1 },
				   "not well-formed XML");
		goto done;
	}
	if (doc->intSubset || doc->extSubset) {
		xmlNodePtr dtd = (xmlNodePtr)(doc->intSubset ? doc->intSubset
							     : doc->extSubset);
		int line = dtd->line > 0 ? dtd->line : 1;
		diag_error(d, (struct loc){ name, line, 1 },
			   "document type declarations (DTDs and entities) are "
			   "not allowed");
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

int xsd_validate(xmlDocPtr doc, const char *name, struct diag *d)
{
	struct xsd_report r = { d, name, 0 };
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
		diag_error(d, (struct loc){ name, 1, 1 },
			   "not valid against the SCORM 1.2 schemas");
	return rc > 0 ? ET_EINVALID : ET_ERROR;
}
