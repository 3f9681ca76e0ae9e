/* manifest.c -- imsmanifest.xml for a SCORM 1.2 package */
#include "manifest.h"

#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"

#define NS_IMSCP "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
#define NS_ADLCP "http://www.adlnet.org/xsd/adlcp_rootv1p2"
#define NS_IMSMD "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define SCHEMA_LOCATION                                                      \
	NS_IMSCP " imscp_rootv1p1p2.xsd " NS_IMSMD " imsmd_rootv1p2p1.xsd "  \
		 NS_ADLCP " adlcp_rootv1p2.xsd"

#define X(s) ((const xmlChar *)(s))

struct mw {
	xmlTextWriterPtr w;
	const struct manifest_input *in;
	int rc; /* sticky: negative once any writer call failed */
};

static void mw_check(struct mw *m, int r)
{
	if (r < 0)
		m->rc = r;
}

static void mw_start(struct mw *m, const char *name)
{
	mw_check(m, xmlTextWriterStartElement(m->w, X(name)));
}

static void mw_end(struct mw *m)
{
	mw_check(m, xmlTextWriterEndElement(m->w));
}

static void mw_attr(struct mw *m, const char *name, const char *value)
{
	mw_check(m, xmlTextWriterWriteAttribute(m->w, X(name), X(value)));
}

static void mw_elem(struct mw *m, const char *name, const char *text)
{
	mw_check(m, xmlTextWriterWriteElement(m->w, X(name), X(text)));
}

static const char *mw_text(struct mw *m, const struct text *t)
{
	const char *s = text_get(t, m->in->course, m->in->lang);
	if (!s)
		BUG("text without a '%s' value", m->in->lang);
	return s;
}

static void mw_langstring(struct mw *m, const char *wrapper, const char *s)
{
	mw_start(m, wrapper);
	mw_start(m, "langstring");
	mw_attr(m, "xml:lang", m->in->lang);
	mw_check(m, xmlTextWriterWriteString(m->w, X(s)));
	mw_end(m);
	mw_end(m);
}

/* Keywords of the course, then of the module, each written once. */
static void mw_keywords(struct mw *m, const struct textlist *course_kw,
			const struct textlist *module_kw)
{
	const struct textlist *lists[2] = { course_kw, module_kw };
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && i < lists[l]->n; i++) {
			const char *kw = mw_text(m, &lists[l]->items[i]);
			int seen = 0;
			for (int pl = 0; pl <= l && !seen; pl++) {
				size_t end = pl < l ? lists[pl]->n : i;
				for (size_t k = 0; k < end && !seen; k++)
					seen = strcmp(mw_text(m,
							      &lists[pl]->items[k]),
						      kw) == 0;
			}
			if (!seen)
				mw_langstring(m, "keyword", kw);
		}
	}
}

static void mw_metadata(struct mw *m)
{
	const struct manifest_input *in = m->in;
	const struct course *c = in->course;
	int single_module = in->nmodules == 1 && c->nmodules > 1;
	const struct module *mod = in->modules[0];

	mw_start(m, "metadata");
	mw_elem(m, "schema", "ADL SCORM");
	mw_elem(m, "schemaversion", "1.2");
	mw_start(m, "lom");
	mw_attr(m, "xmlns", NS_IMSMD);
	mw_start(m, "general");
	mw_langstring(m, "title", single_module ? mw_text(m, &mod->title)
						: mw_text(m, &c->title));
	mw_elem(m, "language", in->lang);
	mw_langstring(m, "description",
		      single_module ? mw_text(m, &mod->description)
				    : mw_text(m, &c->description));
	mw_keywords(m, &c->keywords, single_module ? &mod->keywords : NULL);
	mw_end(m); /* general */
	mw_end(m); /* lom */
	mw_end(m); /* metadata */
}

int manifest_write(struct buf *out, const struct manifest_input *in)
{
	const struct course *c = in->course;
	xmlBufferPtr xb = xmlBufferCreate();
	struct mw m = { NULL, in, 0 };
	char *org = xasprintf("ORG-%s", c->id);
	char *assets = xasprintf("ASSETS-%s", c->id);
	int err = ET_ERROR;

	if (!xb)
		goto done;
	m.w = xmlNewTextWriterMemory(xb, 0);
	if (!m.w)
		goto done;
	xmlTextWriterSetIndent(m.w, 1);
	xmlTextWriterSetIndentString(m.w, X("  "));
	mw_check(&m, xmlTextWriterStartDocument(m.w, "1.0", "UTF-8", NULL));
	mw_start(&m, "manifest");
	mw_attr(&m, "identifier", in->identifier);
	if (c->version)
		mw_attr(&m, "version", c->version);
	mw_attr(&m, "xmlns", NS_IMSCP);
	mw_attr(&m, "xmlns:adlcp", NS_ADLCP);
	mw_attr(&m, "xmlns:xsi", NS_XSI);
	mw_attr(&m, "xsi:schemaLocation", SCHEMA_LOCATION);
	mw_metadata(&m);

	mw_start(&m, "organizations");
	mw_attr(&m, "default", org);
	mw_start(&m, "organization");
	mw_attr(&m, "identifier", org);
	mw_elem(&m, "title", mw_text(&m, &c->title));
	for (size_t i = 0; i < in->nmodules; i++) {
		const struct module *mod = in->modules[i];
		char *item = xasprintf("ITEM-%s", mod->id);
		char *res = xasprintf("RES-%s", mod->id);
		char mastery[8];
		snprintf(mastery, sizeof(mastery), "%d", mod->mastery);
		mw_start(&m, "item");
		mw_attr(&m, "identifier", item);
		mw_attr(&m, "identifierref", res);
		mw_attr(&m, "isvisible", "true");
		mw_elem(&m, "title", mw_text(&m, &mod->title));
		if (in->datafromlms)
			mw_elem(&m, "adlcp:datafromlms", in->datafromlms);
		mw_elem(&m, "adlcp:masteryscore", mastery);
		mw_end(&m);
		free(item);
		free(res);
	}
	mw_end(&m); /* organization */
	mw_end(&m); /* organizations */

	mw_start(&m, "resources");
	for (size_t i = 0; i < in->nmodules; i++) {
		char *res = xasprintf("RES-%s", in->modules[i]->id);
		mw_start(&m, "resource");
		mw_attr(&m, "identifier", res);
		mw_attr(&m, "type", "webcontent");
		mw_attr(&m, "adlcp:scormtype", "sco");
		mw_attr(&m, "href", in->launch[i]);
		mw_start(&m, "file");
		mw_attr(&m, "href", in->launch[i]);
		mw_end(&m);
		mw_start(&m, "dependency");
		mw_attr(&m, "identifierref", assets);
		mw_end(&m);
		mw_end(&m);
		free(res);
	}
	mw_start(&m, "resource");
	mw_attr(&m, "identifier", assets);
	mw_attr(&m, "type", "webcontent");
	mw_attr(&m, "adlcp:scormtype", "asset");
	for (size_t i = 0; i < in->nshared; i++) {
		mw_start(&m, "file");
		mw_attr(&m, "href", in->shared[i]);
		mw_end(&m);
	}
	mw_end(&m); /* resource */
	mw_end(&m); /* resources */
	mw_end(&m); /* manifest */
	mw_check(&m, xmlTextWriterEndDocument(m.w));
	xmlFreeTextWriter(m.w);
	m.w = NULL;
	if (m.rc < 0)
		goto done;
	buf_add(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	err = 0;
done:
	if (m.w)
		xmlFreeTextWriter(m.w);
	if (xb)
		xmlBufferFree(xb);
	free(org);
	free(assets);
	return err;
}
