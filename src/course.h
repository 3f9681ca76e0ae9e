/* course.h -- the course model: course, modules, topics, questions
 *
 * Built by parse_course() from the sources (docs/source-format.md) and
 * read by the renderers. Every node keeps the location it came from, so
 * that later checks can point at it. All strings are owned by the model;
 * course_free() releases everything, sources included.
 *
 * Invariants after a parse with no errors: every id is a valid id
 * (course_id_valid), ids are unique in their scope, every text has a value
 * for every course language, single_choice questions have exactly one
 * correct choice and multiple_choice at least one, 0 <= mastery <= 100. */
#ifndef ET_COURSE_H
#define ET_COURSE_H

#include <stddef.h>
#include <time.h>

#include "diag.h"
#include "source.h"

#define COURSE_ID_MAX 64

/* A text in one or several languages. lang[i] NULL means "the course's
 * default language", which is how a plain YAML string is stored. */
struct text {
	struct loc loc;
	size_t n;
	char **lang; /* n language tags (or NULL) */
	char **val;  /* n values */
};

struct textlist {
	struct loc loc;
	size_t n;
	struct text *items;
};

struct choice {
	struct loc loc;
	struct text text;
	int correct;
	struct text feedback; /* n == 0 when absent */
};

struct pair {
	struct loc loc;
	struct text left;
	struct text right;
};

enum question_type {
	Q_SINGLE_CHOICE,
	Q_MULTIPLE_CHOICE,
	Q_TRUE_FALSE,
	Q_MATCHING
};

struct question {
	struct loc loc;
	char *id;
	struct loc id_loc;
	enum question_type type;
	struct text prompt;
	size_t nchoices;
	struct choice *choices;
	int answer; /* Q_TRUE_FALSE */
	size_t npairs;
	struct pair *pairs;
	struct text fb_correct;
	struct text fb_incorrect;
};

struct topic {
	struct loc loc;
	char *id;
	struct loc id_loc;
	struct text title;
	struct text file; /* course-relative Markdown paths, per language */
};

struct module {
	struct loc loc; /* where course.yml names the module file */
	char *path;     /* course-relative path of module.yml */
	char *id;
	struct loc id_loc;
	struct text title;
	struct text description;
	struct textlist objectives;
	struct textlist keywords;
	size_t ntopics;
	struct topic *topics;
	int mastery;
	struct loc mastery_loc;
	size_t nquestions;
	struct question *questions;
};

struct course {
	char *dir; /* COURSE_DIR as given */
	char *id;
	struct loc id_loc;
	char *version; /* NULL when absent */
	struct text title;
	struct text description;
	size_t nlangs;
	char **langs; /* langs[0] is the default */
	struct loc langs_loc;
	char *xapi_base;
	struct textlist keywords;
	struct text audience_intro;
	struct textlist audience_groups;
	struct textlist objectives;
	struct textlist outcomes;
	struct text resources; /* course-relative Markdown paths; n == 0 if none */
	char *theme;           /* course-relative CSS path or NULL */
	struct loc theme_loc;
	size_t nmodules;
	struct module *modules;
	time_t newest_mtime; /* newest modification time of any source read */
	size_t nsources;
	struct source **sources; /* every file read, owned */
};

/* 1 when 's' is a valid id: an ASCII letter, then letters, digits, '-' or
 * '_', at most COURSE_ID_MAX characters. */
int course_id_valid(const char *s);

/* The value of 't' in 'lang', or NULL. A plain string answers for the
 * course's default language. */
const char *text_get(const struct text *t, const struct course *c,
		     const char *lang);

/* Remember a source so that locations pointing into it stay valid. */
void course_add_source(struct course *c, struct source *src);
/* Record a file's modification time in newest_mtime. */
void course_note_mtime(struct course *c, const char *path);

void course_free(struct course *c);

#endif
