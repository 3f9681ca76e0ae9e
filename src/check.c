/* check.c -- rules between items of a parsed course */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"

#define CHECK_MAX_CHOICES 26
#define CHECK_MAX_PAIRS 9

/* Report ids[i] that repeat an earlier one, with a note at the first. */
static void check_unique(struct diag *d, const char *what, size_t n,
			 char *const *ids, const struct loc *locs)
{
	for (size_t i = 0; i < n; i++) {
		if (!ids[i])
			continue;
		for (size_t j = 0; j < i; j++) {
			if (!ids[j] || strcmp(ids[i], ids[j]) != 0)
				continue;
			diag_error(d, locs[i], "duplicate %s id '%s'", what,
				   ids[i]);
			diag_note(d, locs[j], "'%s' is first used here",
				  ids[j]);
			break;
		}
	}
}

static void check_file(struct course *c, struct diag *d, const char *rel,
		       struct loc loc)
{
	char *full = path_join(c->dir, rel);
	if (!path_is_file(full))
		diag_error(d, loc, "file '%s' not found", full);
	else
		course_note_mtime(c, full);
	free(full);
}

static void check_text_files(struct course *c, struct diag *d,
			     const struct text *t)
{
	for (size_t i = 0; i < t->n; i++)
		check_file(c, d, t->val[i], t->loc);
}

static void check_question(struct course *c, struct diag *d,
			   const struct question *q)
{
	const char *id = q->id ? q->id : "?";
	(void)c;
	switch (q->type) {
	case Q_SINGLE_CHOICE:
	case Q_MULTIPLE_CHOICE: {
		if (!q->choices)
			return;
		size_t correct = 0;
		for (size_t i = 0; i < q->nchoices; i++) {
			if (q->choices[i].correct < 0)
				return; /* not a boolean: already reported */
			correct += q->choices[i].correct != 0;
		}
		if (q->nchoices < 2 || q->nchoices > CHECK_MAX_CHOICES)
			diag_error(d, q->loc,
				   "question '%s' has %zu choice%s; give 2 to "
				   "%d",
				   id, q->nchoices, q->nchoices == 1 ? "" : "s",
				   CHECK_MAX_CHOICES);
		if (correct == 0)
			diag_error(d, q->loc,
				   "question '%s' has no correct answer", id);
		else if (q->type == Q_SINGLE_CHOICE && correct > 1)
			diag_error(d, q->loc,
				   "single_choice question '%s' has %zu "
				   "correct choices; give exactly one or use "
				   "multiple_choice",
				   id, correct);
		break;
	}
	case Q_MATCHING:
		if (q->pairs && (q->npairs < 2 || q->npairs > CHECK_MAX_PAIRS))
			diag_error(d, q->loc,
				   "matching question '%s' has %zu pair%s; "
				   "give 2 to %d",
				   id, q->npairs, q->npairs == 1 ? "" : "s",
				   CHECK_MAX_PAIRS);
		for (size_t i = 0; i < q->npairs; i++) {
			const struct text *ri = &q->pairs[i].right;
			for (size_t j = 0; j < i && ri->n; j++) {
				const struct text *rj = &q->pairs[j].right;
				if (rj->n && strcmp(ri->val[0], rj->val[0]) == 0) {
					diag_error(d, ri->loc,
						   "two pairs of question '%s' "
						   "have the same right item "
						   "'%s'",
						   id, ri->val[0]);
					diag_note(d, rj->loc,
						  "'%s' is first used here",
						  rj->val[0]);
					break;
				}
			}
		}
		break;
	case Q_TRUE_FALSE:
		break;
	}
}

static void check_module(struct course *c, struct diag *d, struct module *m)
{
	char **ids = xcalloc(m->ntopics + m->nquestions + 1, sizeof(*ids));
	struct loc *locs = xcalloc(m->ntopics + m->nquestions + 1,
				   sizeof(*locs));

	for (size_t i = 0; i < m->ntopics; i++) {
		ids[i] = m->topics[i].id;
		locs[i] = m->topics[i].id_loc;
		check_text_files(c, d, &m->topics[i].file);
	}
	check_unique(d, "topic", m->ntopics, ids, locs);
	for (size_t i = 0; i < m->nquestions; i++) {
		ids[i] = m->questions[i].id;
		locs[i] = m->questions[i].id_loc;
		check_question(c, d, &m->questions[i]);
	}
	check_unique(d, "question", m->nquestions, ids, locs);
	free(ids);
	free(locs);
}

int check_course(struct course *c, struct diag *d)
{
	size_t errors_before = d->errors;
	char **ids = xcalloc(c->nmodules + 1, sizeof(*ids));
	struct loc *locs = xcalloc(c->nmodules + 1, sizeof(*locs));

	for (size_t i = 0; i < c->nmodules; i++) {
		ids[i] = c->modules[i].id;
		locs[i] = c->modules[i].id_loc;
		check_module(c, d, &c->modules[i]);
	}
	check_unique(d, "module", c->nmodules, ids, locs);
	check_text_files(c, d, &c->resources);
	if (c->theme)
		check_file(c, d, c->theme, c->theme_loc);
	free(ids);
	free(locs);
	return d->errors > errors_before ? ET_EINVALID : 0;
}
