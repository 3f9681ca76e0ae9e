/* html.h -- a module's SCO launch page (index.html)
 *
 * Writes the page described in docs/page-contract.md: static sections
 * for the course introduction, the module overview, every topic, the
 * knowledge check and the resources, and the JSON data block that the
 * package's runtime (src/runtime/etoolbox.js) reads. */
#ifndef ET_HTML_H
#define ET_HTML_H

#include "buf.h"
#include "course.h"
#include "markdown.h"

struct html_input {
	const struct course *course;
	const struct module *module;
	const char *lang;
	struct md_page *const *topics;   /* one per module topic, in order */
	const struct md_page *resources; /* NULL when the course has none */
	int has_theme;
	int has_lrs; /* built with LRS settings: assets/lrs.json exists */
};

/* Append the page to 'out'. The input must come from a course that parsed
 * and checked without errors; this cannot fail. */
void html_render_module(struct buf *out, const struct html_input *in);

#endif
