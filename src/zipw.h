/* zipw.h -- deterministic, parallel zip writer
 *
 * The same entries give the same bytes on any machine at any time:
 * entries are sorted by name, every entry gets the same DOS timestamp
 * (computed in UTC from the given time, never from the host's clock or
 * time zone), fixed permissions (0644) and no extra fields. Media that is
 * already compressed is stored; everything else is deflated with
 * libdeflate. The archive is plain PKZIP 2.0 (deflate or store, no zip64),
 * as SCORM 1.2 requires.
 *
 * Why not libzip, which etoolbox uses to read zips: libzip compresses one
 * entry at a time on one core with zlib, can't take data compressed once
 * for many packages, and writes through a temporary file of its own.
 * Here, worker threads compress entries ahead of the writer, which writes
 * them in order; shared entries are compressed once per build (see
 * struct zipw_cache).
 *
 * Memory is bounded whatever the media size: a file up to
 * ZIPW_MEM_LIMIT is compressed in memory by a worker, a larger one is
 * streamed by the writer in chunks, and at most a few entries are in
 * flight at once. */
#ifndef ET_ZIPW_H
#define ET_ZIPW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "diag.h"

#define ZIPW_MEM_LIMIT ((size_t)4 << 20)

struct zipw_entry {
	char *name;       /* path inside the zip; owned */
	char *file;       /* read from this file, or NULL; owned */
	const void *data; /* else these bytes; not owned */
	size_t len;
	int shared;       /* the same bytes go in several zips: cache them */
};

/* Compressed forms of shared entries, kept for the whole build. Create
 * with zipw_cache_new(), free with zipw_cache_free(). Not thread-safe
 * across concurrent zipw_write calls. */
struct zipw_cache;
struct zipw_cache *zipw_cache_new(void);
void zipw_cache_free(struct zipw_cache *c);

struct zipw_options {
	time_t mtime;             /* timestamp of every entry */
	int level;                /* deflate level, 1-12 (6 is zip's default) */
	int jobs;                 /* compressing threads; 0 = one per CPU */
	struct zipw_cache *cache; /* may be NULL */
};

#define ZIPW_OPTIONS_INIT { 0, 6, 0, NULL }

/* 1 when files with this name are already compressed (png, jpg, mp4, pdf,
 * woff2, zip ...), so deflating them again only costs time. */
int zipw_is_compressed(const char *name);

/* Write 'n' entries to a new zip at 'path' (truncated if present; the
 * caller renames it into place). Sorts 'entries'. Returns 0, or ET_EIO or
 * ET_EINVALID (too big for a zip without zip64) after reporting; 'path'
 * may then hold part of a zip, which the caller removes. */
int zipw_write(const char *path, struct zipw_entry *entries, size_t n,
	       const struct zipw_options *opt, struct diag *d);

#endif
