/* scormcheck.h -- the SCORM 1.2 package rules that the XSDs cannot check
 *
 * ../shared/docs/scorm12.md section 1.3: schema and schemaversion values,
 * organizations/@default and every identifierref resolve, every href is
 * relative, stays inside the package and exists in it, at least one SCO,
 * adlcp:scormtype present, masteryscore from 0 to 100. */
#ifndef ET_SCORMCHECK_H
#define ET_SCORMCHECK_H

#include <libxml/tree.h>

#include "diag.h"

/* Answers whether the package holds a file at 'path' (zip entry name). */
typedef int (*scormcheck_has_fn)(const char *path, void *payload);

/* Check 'doc' (a manifest that was already validated against the XSDs);
 * 'name' names it in diagnostics. Returns 0 or ET_EINVALID. */
int scormcheck_manifest(xmlDocPtr doc, const char *name,
			scormcheck_has_fn has, void *payload, struct diag *d);

#endif
