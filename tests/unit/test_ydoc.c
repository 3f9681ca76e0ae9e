/* test_ydoc.c -- unit tests of the YAML tree and the course parser */
#include <stdlib.h>
#include <string.h>

#include "course.h"
#include "harness.h"
#include "parse.h"
#include "util.h"
#include "ydoc.h"

static struct ydoc_node *load(const char *text, struct collect *c)
{
	struct source *src = source_from_memory("t.yml", text, strlen(text));
	struct ydoc_node *root = NULL;
	ydoc_load(&root, src, &c->d);
	/* diagnostics were already formatted; the source can go */
	source_free(src);
	return root;
}

void test_ydoc(void)
{
	struct collect c;
	collect_init(&c);
	struct ydoc_node *r = load("a: 1\nlist:\n  - x\n  - 'y'\n", &c);
	OK(r && r->type == YDOC_MAP && r->n == 2,
	   "ydoc__map: two key/value pairs");
	if (r) {
		struct ydoc_node *list = r->items[3];
		OK(list->type == YDOC_SEQ && list->n == 2,
		   "ydoc__seq: a list of two");
		OK(list->items[1]->loc.line == 4 && list->items[1]->loc.col == 5,
		   "ydoc__loc: 1-based line and column (got %d:%d)",
		   list->items[1]->loc.line, list->items[1]->loc.col);
		OK(list->items[0]->plain && !list->items[1]->plain,
		   "ydoc__plain: quoted scalars are not plain");
	}
	ydoc_free(r);
	STR_EQ(c.out.ptr, "", "ydoc__ok: no diagnostics");

	buf_clear(&c.out);
	r = load("a: 1\nb: 2\na: 3\n", &c);
	OK(r && r->n == 2 && strcmp(r->items[1]->value, "1") == 0,
	   "ydoc__dup: the tree is kept, without the duplicate pair");
	ydoc_free(r);
	STR_EQ(c.out.ptr,
	       "t.yml:3:1: error: duplicate key 'a'\n"
	       "t.yml:1:1: note: 'a' was first given here\n",
	       "ydoc__dup: reported with a note at the first");

	buf_clear(&c.out);
	r = load("a: &x 1\nb: *x\n", &c);
	OK(r == NULL, "ydoc__anchor: anchors are refused");
	STR_EQ(c.out.ptr, "t.yml:1:4: error: YAML anchors are not supported\n",
	       "ydoc__anchor: at the anchor");

	buf_clear(&c.out);
	r = load("a: [1, 2\n", &c);
	OK(r == NULL && strstr(c.out.ptr, "t.yml:2:1: error: ") == c.out.ptr,
	   "ydoc__syntax: a syntax error has a position");

	buf_clear(&c.out);
	r = load("", &c);
	STR_EQ(c.out.ptr, "t.yml:1:1: error: file is empty\n",
	       "ydoc__empty: an empty file is an error");

	buf_clear(&c.out);
	char deep[400];
	size_t k = 0;
	for (int i = 0; i < 100; i++)
		deep[k++] = '[';
	deep[k] = '\0';
	r = load(deep, &c);
	OK(r == NULL && strstr(c.out.ptr, "nesting deeper than"),
	   "ydoc__depth: deep nesting is refused, not a crash");
	collect_free(&c);
}

void test_parse(void)
{
	struct collect c;
	struct course *course = NULL;
	collect_init(&c);
	int rc = parse_course(&course, "tests/fixtures/minimal", &c.d);
	OK(rc == 0, "parse__fixture: the minimal course parses");
	STR_EQ(c.out.ptr, "", "parse__fixture: without diagnostics");
	OK(course->nmodules == 1 && course->modules[0].ntopics == 2 &&
	       course->modules[0].nquestions == 4,
	   "parse__fixture: one module, two topics, four questions");
	const struct module *m = &course->modules[0];
	STR_EQ(text_get(&m->topics[1].file, course, "en"),
	       "modules/basics/topics/checks.md",
	       "parse__path: topic files become course-relative");
	OK(m->mastery == 75, "parse__mastery: the mastery score");
	OK(m->questions[3].type == Q_MATCHING && m->questions[3].npairs == 3,
	   "parse__matching: three pairs");
	course_free(course);

	buf_clear(&c.out);
	course = NULL;
	rc = parse_course(&course, "/nonexistent-course", &c.d);
	OK(rc < 0, "parse__missing: a missing course fails");
	STR_EQ(c.out.ptr,
	       "error: file '/nonexistent-course/course.yml' not found\n",
	       "parse__missing: says which file");
	course_free(course);
	collect_free(&c);

	OK(course_id_valid("core") && course_id_valid("module-1_b"),
	   "course__id: letters, digits, '-' and '_'");
	OK(!course_id_valid("1core") && !course_id_valid("a b") &&
	       !course_id_valid("a:b") && !course_id_valid("a.b") &&
	       !course_id_valid(""),
	   "course__id: no leading digit, space, colon, dot or empty id");
	char longid[70];
	memset(longid, 'a', 65);
	longid[65] = '\0';
	OK(!course_id_valid(longid), "course__id: at most 64 characters");
}
