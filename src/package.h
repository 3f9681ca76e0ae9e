/* package.h -- the build pipeline: sources to SCORM 1.2 zips
 *
 * parse -> check -> render Markdown -> for each package: page, manifest,
 * schema validation, own checks -> zip to a temporary file. Only when every
 * package of the run has been written are they renamed into place, so a
 * failed build leaves the output folder as it was. */
#ifndef ET_PACKAGE_H
#define ET_PACKAGE_H

#include <stddef.h>
#include <time.h>

#include "diag.h"

struct package_options {
	const char *outdir; /* created when missing */
	int single;         /* one package with every module as a SCO */
	time_t mtime;       /* timestamp of every entry; -1: newest source */
	int level;          /* deflate level 1-12 (6 by default) */
	int jobs;           /* compressing threads; 0: one per CPU */
	/* the packages' LRS settings as JSON (docs/xapi-statements.md), or
	 * NULL: shipped as assets/lrs.json, and as adlcp:datafromlms
	 * (cmi.launch_data) when it fits in 255 characters */
	const char *lrs_json;
	/* called before each package is assembled; may be NULL */
	void (*progress)(size_t done, size_t total, const char *name,
			 void *payload);
	/* called for each package in place, with its entry count and size */
	void (*written)(const char *path, size_t files, long long bytes,
			void *payload);
	void *payload;
};

#define PACKAGE_OPTIONS_INIT { "dist", 0, -1, 6, 0, NULL, NULL, NULL, NULL }

/* Build the course in 'course_dir'. Returns 0; ET_EINVALID when the
 * sources have errors (all reported, nothing written); ET_EIO when
 * writing failed (nothing left behind). */
int package_build(const char *course_dir, const struct package_options *opt,
		  struct diag *d);

#endif
