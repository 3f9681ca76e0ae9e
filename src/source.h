/* source.h -- source files in memory: loading, UTF-8 checking, positions
 *
 * A struct source owns a file's bytes and its path. Diagnostics point into
 * sources with struct loc, whose file member borrows source.path, so a
 * source must outlive every diagnostic that names it. */
#ifndef ET_SOURCE_H
#define ET_SOURCE_H

#include <stddef.h>

#include "diag.h"

struct source {
	char *path;  /* as given by the user; owned */
	char *data;  /* file contents, NUL-terminated; owned */
	size_t len;  /* bytes in data, excluding the NUL */
};

/* Load 'path' into a new source. On a missing or unreadable file, reports
 * at 'from' (the place that named the file) and returns ET_ENOTFOUND or
 * ET_EIO. Invalid UTF-8 is reported at its position and gives ET_EINVALID
 * (the source is still returned, so that it can be named). */
int source_load(struct source **out, const char *path, struct loc from,
		struct diag *d);
/* Make a source from bytes in memory (copied). */
struct source *source_from_memory(const char *path, const char *data,
				  size_t len);
void source_free(struct source *src);

/* The location of byte 'offset' in the source. */
struct loc source_loc(const struct source *src, size_t offset);

/* Check that data[0..len) is UTF-8; on failure store the offset of the
 * first bad byte in *bad_offset and return -1. NUL bytes are refused too. */
int source_check_utf8(const char *data, size_t len, size_t *bad_offset);

#endif
