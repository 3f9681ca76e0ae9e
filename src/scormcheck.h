/* scormcheck.h -- the SCORM 1.2 package rules that the XSDs cannot check
 *
 * ../shared/docs/scorm12.md sections 1.3 and 5: schema and schemaversion
 * values, adlcp:scormtype, organizations/@default and every identifierref
 * resolve, every href is relative, stays inside the package and exists in
 * it, masteryscore from 0 to 100, maxtimeallowed and timelimitaction
 * formats, at least one SCO. Then, as warnings, what Moodle's importer
 * gets wrong: another prefix than adlcp:, a prefixed IMS CP namespace,
 * xml:base where Moodle ignores it, files no resource lists, and strings
 * longer than LMSs store.
 *
 * Every finding carries a rule id (see docs/check-rules.md) and says how
 * to fix it. */
#ifndef ET_SCORMCHECK_H
#define ET_SCORMCHECK_H

#include <libxml/tree.h>
#include <stddef.h>

#include "diag.h"

struct scormcheck_input {
	xmlDocPtr doc;      /* the parsed manifest */
	const char *name;   /* how diagnostics name it: "x.zip:imsmanifest.xml" */
	const char *text;   /* its bytes, for columns (may be NULL) */
	size_t len;
	size_t nentries;    /* the package's files (zip entry names), sorted */
	const char *const *entries;
};

/* Check the manifest against the package. Returns 0, or ET_EINVALID
 * when any error (not warning) was reported. */
int scormcheck_manifest(const struct scormcheck_input *in, struct diag *d);

/* 1 when 'name' is in the sorted list */
int scormcheck_has(const struct scormcheck_input *in, const char *name);

#endif
