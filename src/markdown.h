/* markdown.h -- a page's CommonMark source to checked, package-ready HTML
 *
 * Uses cmark. Refuses what would break a package or its accessibility:
 * raw HTML, level-1 headings (the page title is the only one), skipped
 * heading levels, images without alt text or outside the course, and
 * links to local files. Image URLs are rewritten to point into the
 * package's media/ folder. */
#ifndef ET_MARKDOWN_H
#define ET_MARKDOWN_H

#include <stddef.h>

#include "course.h"
#include "diag.h"

struct md_page {
	char *path;      /* course-relative path of the Markdown file */
	char *html;      /* rendered body; owned */
	size_t nimages;  /* images the page shows */
	char **images;   /* their course-relative paths; owned */
};

/* Render course-relative 'relpath'. Image URLs become media_prefix +
 * path. The source is kept in 'c' for diagnostics. Returns 0, or
 * ET_EINVALID / ET_ENOTFOUND after reporting. */
int md_render(struct md_page **out, struct course *c, const char *relpath,
	      struct loc from, const char *media_prefix, struct diag *d);
/* The same for Markdown text in memory, named 'relpath' (for fuzzing and
 * tests); image files are still looked up in the course folder. */
int md_render_text(struct md_page **out, struct course *c,
		   const char *relpath, const char *data, size_t len,
		   const char *media_prefix, struct diag *d);
void md_page_free(struct md_page *p);

/* 1 when a course-relative path only has characters that are safe in a
 * package file name and URL: A-Z a-z 0-9 . _ - / */
int md_path_portable(const char *path);

#endif
