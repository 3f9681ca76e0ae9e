/* zipcheck.h -- check any SCORM 1.2 zip the way LMSs and ADL's tests would
 *
 * Reads the zip's central directory and, never extracting anything to
 * disk, at most the manifest and the four schema files, each read with a
 * size bound. Checks the zip itself (readable, no encryption, no
 * duplicate or case-colliding names, no absolute or '..' paths, no
 * symlinks, sane sizes and compression ratios, URL-safe names), finds the
 * manifest (and says so when it is only found in a folder, as Moodle
 * does), then runs xsd.c and scormcheck.c over it and compares the
 * schemas at the root with the official ones. */
#ifndef ET_ZIPCHECK_H
#define ET_ZIPCHECK_H

#include <stddef.h>

#include "diag.h"

struct zipcheck_summary {
	size_t entries; /* files in the zip */
	size_t scos;    /* SCO resources in the manifest */
};

/* Check the zip at 'path', naming it 'display' in diagnostics. Findings go
 * to 'd'. Returns 0 when no error was found, ET_EINVALID otherwise. */
int zipcheck_file(const char *path, const char *display,
		  struct zipcheck_summary *out, struct diag *d);

/* The same for a zip in memory (for fuzzing). */
int zipcheck_buffer(const void *data, size_t len, const char *display,
		    struct zipcheck_summary *out, struct diag *d);

#endif
