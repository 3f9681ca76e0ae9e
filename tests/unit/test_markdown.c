/* test_markdown.c -- unit tests of the Markdown page renderer */
#include <stdlib.h>
#include <string.h>

#include "course.h"
#include "harness.h"
#include "markdown.h"
#include "util.h"

void test_markdown(void)
{
	char *dir = harness_tmpdir();
	struct course *c = xcalloc(1, sizeof(*c));
	struct collect col;
	struct md_page *p = NULL;

	c->dir = xstrdup(dir);
	collect_init(&col);
	harness_write(dir, "m/img/a.png", "png");
	harness_write(dir, "m/t/ok.md",
		      "Intro *text*.\n\n## Part\n\n![A chart](../img/a.png)\n\n"
		      "[web](https://example.org/)\n");
	int rc = md_render(&p, c, "m/t/ok.md", LOC_NONE, "../media/", &col.d);
	OK(rc == 0 && p, "markdown__ok: a clean page renders");
	STR_EQ(col.out.ptr, "", "markdown__ok: without diagnostics");
	if (p) {
		OK(strstr(p->html, "<img src=\"../media/m/img/a.png\" "
				   "alt=\"A chart\" />") != NULL,
		   "markdown__image: URL rewritten into media/, alt kept");
		OK(p->nimages == 1 && strcmp(p->images[0], "m/img/a.png") == 0,
		   "markdown__image: the image is collected");
		OK(strstr(p->html, "<h2>Part</h2>") != NULL,
		   "markdown__heading: sections render as h2");
	}
	md_page_free(p);

	harness_write(dir, "m/t/bad.md",
		      "# Title\n\nText\n\n#### Deep\n\n<div>x</div>\n\n"
		      "Inline <b>bold</b> and ![](../img/a.png) and "
		      "![gone](missing.png) and [f](other.md)\n");
	buf_clear(&col.out);
	p = NULL;
	rc = md_render(&p, c, "m/t/bad.md", LOC_NONE, "../media/", &col.d);
	char *want = xasprintf(
	    "%s/m/t/bad.md:1:1: error: level-1 heading: the page title comes "
	    "from the YAML, so start sections at '##'\n"
	    "%s/m/t/bad.md:5:1: error: heading level 4 follows level 1; don't "
	    "skip levels\n"
	    "%s/m/t/bad.md:7:1: error: raw HTML is not allowed in a page\n"
	    "%s/m/t/bad.md:9:8: error: raw HTML is not allowed in a page\n"
	    "%s/m/t/bad.md:9:15: error: raw HTML is not allowed in a page\n"
	    "%s/m/t/bad.md:9:24: error: image '../img/a.png' has no alt "
	    "text: describe it in ![...]\n"
	    "%s/m/t/bad.md:9:54: error: image '%s/m/t/missing.png' not found\n"
	    "%s/m/t/bad.md:9:75: error: link 'other.md' must be a web address "
	    "(https://, http://, mailto:)\n",
	    dir, dir, dir, dir, dir, dir, dir, dir, dir);
	OK(rc < 0 && p == NULL, "markdown__bad: a broken page fails");
	STR_EQ(col.out.ptr, want, "markdown__bad: every problem, located");
	free(want);
	collect_free(&col);
	course_free(c);
	free(dir);
}
