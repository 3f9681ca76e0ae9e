/* fuzz_targets.c -- fuzz targets over every parser of outside input */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "course.h"
#include "diag.h"
#include "markdown.h"
#include "scormcheck.h"
#include "source.h"
#include "util.h"
#include "xsd.h"
#include "ydoc.h"
#include "zipcheck.h"

/* Format each diagnostic, as the CLI would, to exercise the messages. */
static void fuzz_sink(const struct diag_msg *m, void *payload)
{
	size_t *total = payload;
	*total += strlen(m->text) + strlen(diag_severity_name(m->sev)) +
		  (m->loc.file ? strlen(m->loc.file) : 0) +
		  (m->rule ? strlen(m->rule) : 0);
}

int fuzz_yaml(const uint8_t *data, size_t size)
{
	size_t total = 0, bad = 0;
	struct diag d;
	struct ydoc_node *root = NULL;
	struct source *src =
	    source_from_memory("course.yml", (const char *)data, size);

	diag_init(&d, fuzz_sink, &total);
	if (source_check_utf8(src->data, src->len, &bad) == 0 &&
	    ydoc_load(&root, src, &d) == 0)
		ydoc_free(root);
	source_free(src);
	return 0;
}

static const char *const fuzz_entries[] = { "a.html", "index.html" };

int fuzz_manifest(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	xmlDocPtr doc = NULL;

	diag_init(&d, fuzz_sink, &total);
	if (xsd_parse(&doc, (const char *)data, size, "imsmanifest.xml", &d) <
	    0)
		return 0;
	xsd_validate(doc, "imsmanifest.xml", (const char *)data, size, &d);
	struct scormcheck_input in = { doc, "imsmanifest.xml",
				       (const char *)data, size, 2,
				       fuzz_entries };
	scormcheck_manifest(&in, &d);
	xmlFreeDoc(doc);
	return 0;
}

int fuzz_markdown(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	struct md_page *page = NULL;
	struct course *c = xcalloc(1, sizeof(*c));

	c->dir = xstrdup("tests/fixtures/minimal");
	diag_init(&d, fuzz_sink, &total);
	if (md_render_text(&page, c, "modules/basics/topics/fuzz.md",
			   (const char *)data, size, "../media/", &d) == 0)
		md_page_free(page);
	course_free(c);
	return 0;
}

int fuzz_zip(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	struct zipcheck_summary sum;

	diag_init(&d, fuzz_sink, &total);
	zipcheck_buffer(data, size, "fuzz.zip", &sum, &d);
	return 0;
}
