/* course.c -- the course model: course, modules, topics, questions */
#include "course.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int course_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > COURSE_ID_MAX)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

const char *text_get(const struct text *t, const struct course *c,
		     const char *lang)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->lang[i] ? strcmp(t->lang[i], lang) == 0
			       : (c->nlangs && strcmp(c->langs[0], lang) == 0))
			return t->val[i];
	}
	return NULL;
}

void course_add_source(struct course *c, struct source *src)
{
	c->sources = xrealloc(c->sources,
			      (c->nsources + 1) * sizeof(*c->sources));
	c->sources[c->nsources++] = src;
}

void course_note_mtime(struct course *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && st.st_mtime > c->newest_mtime)
		c->newest_mtime = st.st_mtime;
}

static void text_free(struct text *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->lang[i]);
		free(t->val[i]);
	}
	free(t->lang);
	free(t->val);
	memset(t, 0, sizeof(*t));
}

static void textlist_free(struct textlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		text_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void question_free(struct question *q)
{
	free(q->id);
	text_free(&q->prompt);
	for (size_t i = 0; i < q->nchoices; i++) {
		text_free(&q->choices[i].text);
		text_free(&q->choices[i].feedback);
	}
	free(q->choices);
	for (size_t i = 0; i < q->npairs; i++) {
		text_free(&q->pairs[i].left);
		text_free(&q->pairs[i].right);
	}
	free(q->pairs);
	text_free(&q->fb_correct);
	text_free(&q->fb_incorrect);
}

static void module_free(struct module *m)
{
	free(m->path);
	free(m->id);
	text_free(&m->title);
	text_free(&m->description);
	textlist_free(&m->objectives);
	textlist_free(&m->keywords);
	for (size_t i = 0; i < m->ntopics; i++) {
		free(m->topics[i].id);
		text_free(&m->topics[i].title);
		text_free(&m->topics[i].file);
	}
	free(m->topics);
	for (size_t i = 0; i < m->nquestions; i++)
		question_free(&m->questions[i]);
	free(m->questions);
}

void course_free(struct course *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c->id);
	free(c->version);
	text_free(&c->title);
	text_free(&c->description);
	for (size_t i = 0; i < c->nlangs; i++)
		free(c->langs[i]);
	free(c->langs);
	free(c->xapi_base);
	textlist_free(&c->keywords);
	text_free(&c->audience_intro);
	textlist_free(&c->audience_groups);
	textlist_free(&c->objectives);
	textlist_free(&c->outcomes);
	text_free(&c->resources);
	free(c->theme);
	for (size_t i = 0; i < c->nmodules; i++)
		module_free(&c->modules[i]);
	free(c->modules);
	for (size_t i = 0; i < c->nsources; i++)
		source_free(c->sources[i]);
	free(c->sources);
	free(c);
}
