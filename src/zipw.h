/* zipw.h -- deterministic zip writer over libzip
 *
 * The same entries give the same bytes on any machine at any time:
 * entries are sorted by name, every entry gets the same DOS timestamp
 * (computed in UTC from the given time, never from the host's clock or
 * time zone), fixed permissions (0644) and no extra fields. Media that is
 * already compressed is stored; everything else is deflated at level 6.
 * Files are streamed from disk, so memory does not grow with their size. */
#ifndef ET_ZIPW_H
#define ET_ZIPW_H

#include <stddef.h>
#include <time.h>

#include "diag.h"

struct zipw_entry {
	char *name;       /* path inside the zip; owned */
	char *file;       /* read from this file, or NULL; owned */
	const void *data; /* else these bytes; not owned */
	size_t len;
};

/* 1 when files with this name are already compressed (png, jpg, mp4, pdf,
 * woff2, zip ...), so deflating them again only costs time. */
int zipw_is_compressed(const char *name);

/* Write 'n' entries to a new zip at 'path' (replaced if present). libzip
 * writes to a temporary file beside it and renames it into place, so
 * 'path' never holds half a zip. Sorts 'entries'. Returns 0 or ET_EIO
 * after reporting. */
int zipw_write(const char *path, struct zipw_entry *entries, size_t n,
	       time_t mtime, struct diag *d);

#endif
