/* embed.h -- files compiled into the binary: the package runtime and the
 * SCORM 1.2 schemas
 *
 * The data is generated from src/runtime/ and schemas/scorm12/ by
 * tools/embed.sh at build time, so the installed binary needs no data
 * folder. Names are "runtime/etoolbox.js", "schemas/imscp_rootv1p1p2.xsd"
 * and so on. */
#ifndef ET_EMBED_H
#define ET_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name;
	const unsigned char *data; /* NUL-terminated for convenience */
	size_t len;                /* excluding that NUL */
};

extern const struct embed_file embed_files[];
extern const size_t embed_nfiles;

/* The embedded file called 'name', or NULL. */
const struct embed_file *embed_find(const char *name);

#endif
