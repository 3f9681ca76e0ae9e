/* manifest.h -- imsmanifest.xml for a SCORM 1.2 package
 *
 * Writes the manifest with libxml2's xmlTextWriter, following
 * ../shared/docs/scorm12.md section 1: IMS CP elements in the default
 * namespace, the literal adlcp: prefix, schema/schemaversion, inline LOM
 * 1.2.1 metadata, one item and one SCO resource per module, and an asset
 * resource listing every shared file, which each SCO depends on.
 *
 * Identifiers come from ids only: ORG-<course>, ITEM-<module>,
 * RES-<module> and ASSETS-<course>, so moving or adding a module or topic
 * changes no other identifier. */
#ifndef ET_MANIFEST_H
#define ET_MANIFEST_H

#include <stddef.h>

#include "buf.h"
#include "course.h"

struct manifest_input {
	const struct course *course;
	const char *lang;
	const char *identifier;  /* manifest/@identifier */
	size_t nmodules;         /* one SCO each */
	const struct module *const *modules;
	const char *const *launch; /* per module: its SCO page, e.g. core/index.html */
	size_t nshared;          /* files of the asset resource, sorted */
	const char *const *shared;
	const char *datafromlms; /* adlcp:datafromlms of every item, or NULL */
};

/* Append the manifest to 'out'. Returns 0, or ET_ERROR if libxml2 fails. */
int manifest_write(struct buf *out, const struct manifest_input *in);

#endif
