/* xsd.h -- safe XML reading and validation against the SCORM 1.2 schemas
 *
 * The four official ADL/IMS schemas are compiled into the binary (see
 * embed.h) and loaded through an entity loader that serves only them: no
 * file or network access ever happens while parsing XML. Documents are
 * parsed without DTD loading and without entity substitution, and a
 * document type declaration is refused outright, so XXE and entity
 * expansion attacks have nothing to work with. */
#ifndef ET_XSD_H
#define ET_XSD_H

#include <libxml/tree.h>
#include <stddef.h>

#include "diag.h"

/* Parse XML from memory (rules "xml-malformed", "xml-dtd"). 'name' is how
 * diagnostics name the document, and must stay valid during the call. Returns 0 with *out set, or ET_EINVALID
 * after reporting. The caller frees *out with xmlFreeDoc. */
int xsd_parse(xmlDocPtr *out, const char *data, size_t len, const char *name,
	      struct diag *d);

/* Validate a parsed manifest against the SCORM 1.2 schemas (IMS CP 1.1.2,
 * ADL CP 1.2, IMS MD 1.2.1). Reports each violation (rule "xsd-invalid")
 * with its line, and its column when 'text' (the document's bytes, may be
 * NULL) shows where the element starts. Returns 0, ET_EINVALID, or
 * ET_ERROR when the schemas can't be loaded. */
int xsd_validate(xmlDocPtr doc, const char *name, const char *text,
		 size_t len, struct diag *d);

/* The 1-based column where "<qname" starts on 'line' of 'text', or 1. */
int xsd_node_column(const char *text, size_t len, int line,
		    const char *qname);

/* Install the safe entity loader and silence libxml2's own printing.
 * Called by the functions above; idempotent. */
void xsd_init(void);
/* Free the compiled schemas (for leak checkers). */
void xsd_cleanup(void);

#endif
