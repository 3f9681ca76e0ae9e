/* parse.c -- course sources (YAML) to the course model */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"
#include "ydoc.h"

/* <title> in a manifest holds at most 200 characters (imscp XSD) */
#define PARSE_TITLE_MAX 200

struct field {
	const char *key;
	int required;
};

struct pstate {
	struct course *c;
	struct diag *d;
	const char *reldir; /* folder of the YAML file, relative to the course */
	int lenient;        /* the languages are broken: don't check texts' */
};

/* A key with nothing after it ("objectives:") reads as an empty string. */
static int is_empty_value(const struct ydoc_node *n)
{
	return n->type == YDOC_SCALAR && n->plain && n->value[0] == '\0';
}

/* The number of characters (code points) in UTF-8 text */
static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Match the keys of 'map' against 'fields' (NULL-terminated). vals[i] gets
 * the value of fields[i] or NULL. Unknown keys and missing required keys
 * are reported. Returns -1 when 'map' is not a mapping. */
static int parse_fields(struct pstate *ps, const struct ydoc_node *map,
			const char *what, const struct field *fields,
			const struct ydoc_node **vals,
			const struct ydoc_node **keys)
{
	size_t nf = 0;
	while (fields[nf].key)
		nf++;
	for (size_t i = 0; i < nf; i++) {
		vals[i] = NULL;
		if (keys)
			keys[i] = NULL;
	}
	if (is_empty_value(map)) {
		diag_error(ps->d, map->loc, "%s must not be empty", what);
		return -1;
	}
	if (map->type != YDOC_MAP) {
		diag_error(ps->d, map->loc, "%s must be a mapping, not %s",
			   what, ydoc_type_name(map->type));
		return -1;
	}
	for (size_t k = 0; k < map->n; k++) {
		const struct ydoc_node *key = map->items[2 * k];
		size_t i;
		for (i = 0; i < nf; i++)
			if (strcmp(fields[i].key, key->value) == 0)
				break;
		if (i == nf) {
			diag_error(ps->d, key->loc, "unknown key '%s' in %s",
				   key->value, what);
			continue;
		}
		vals[i] = map->items[2 * k + 1];
		if (keys)
			keys[i] = key;
	}
	for (size_t i = 0; i < nf; i++)
		if (fields[i].required && !vals[i])
			diag_error(ps->d, map->loc, "missing key '%s' in %s",
				   fields[i].key, what);
	return 0;
}

static int parse_scalar(struct pstate *ps, const struct ydoc_node *n,
			const char *key)
{
	if (n->type == YDOC_SCALAR)
		return 0;
	diag_error(ps->d, n->loc, "'%s' must be a string, not %s", key,
		   ydoc_type_name(n->type));
	return -1;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static int lang_tag_valid(const char *s)
{
	/* BCP 47 shape: 2-3 letter primary subtag, then -subtags of 1-8
	 * letters or digits */
	size_t n = 0;
	while (s[n] && ((s[n] >= 'a' && s[n] <= 'z') ||
			(s[n] >= 'A' && s[n] <= 'Z')))
		n++;
	if (n < 2 || n > 3)
		return 0;
	s += n;
	while (*s == '-') {
		s++;
		n = 0;
		while (s[n] && ((s[n] >= 'a' && s[n] <= 'z') ||
				(s[n] >= 'A' && s[n] <= 'Z') ||
				(s[n] >= '0' && s[n] <= '9')))
			n++;
		if (n < 1 || n > 8)
			return 0;
		s += n;
	}
	return *s == '\0';
}

static int course_has_lang(const struct course *c, const char *lang)
{
	for (size_t i = 0; i < c->nlangs; i++)
		if (strcmp(c->langs[i], lang) == 0)
			return 1;
	return 0;
}

static void text_push(struct text *t, const char *lang, const char *val)
{
	t->lang = xrealloc(t->lang, (t->n + 1) * sizeof(*t->lang));
	t->val = xrealloc(t->val, (t->n + 1) * sizeof(*t->val));
	t->lang[t->n] = lang ? xstrdup(lang) : NULL;
	t->val[t->n] = xstrdup(val);
	t->n++;
}

/* A path relative to the YAML file, as a course-relative path (caller
 * frees), or NULL after reporting when it leaves the course folder. */
static char *parse_resolve(struct pstate *ps, const struct ydoc_node *v)
{
	char *rel = path_join(ps->reldir, v->value);
	if (v->value[0] == '/' || path_normalize(rel) < 0 || !*rel) {
		diag_error(ps->d, v->loc, "path '%s' leaves the course folder",
			   v->value);
		free(rel);
		return NULL;
	}
	return rel;
}

/* A single path (not per language). */
static char *parse_path(struct pstate *ps, const struct ydoc_node *n,
			const char *key)
{
	if (parse_scalar(ps, n, key) < 0)
		return NULL;
	if (is_blank(n->value)) {
		diag_error(ps->d, n->loc, "'%s' is empty", key);
		return NULL;
	}
	return parse_resolve(ps, n);
}

/* A text: a plain string, or a mapping from language to string. With
 * 'is_path', each value is a path relative to the YAML file, stored
 * relative to the course folder. */
static int parse_text(struct pstate *ps, const struct ydoc_node *n,
		      const char *key, struct text *out, int is_path)
{
	struct course *c = ps->c;
	int bad = 0;

	out->loc = n->loc;
	if (n->type == YDOC_SEQ) {
		diag_error(ps->d, n->loc,
			   "'%s' must be a string or a mapping of languages, "
			   "not a list",
			   key);
		return -1;
	}
	size_t count = n->type == YDOC_SCALAR ? 1 : n->n;
	for (size_t i = 0; i < count; i++) {
		const struct ydoc_node *lang_node =
		    n->type == YDOC_MAP ? n->items[2 * i] : NULL;
		const struct ydoc_node *v =
		    n->type == YDOC_MAP ? n->items[2 * i + 1] : n;
		const char *lang = lang_node ? lang_node->value : NULL;
		if (lang_node && !course_has_lang(c, lang) &&
		    !(ps->lenient && lang_tag_valid(lang))) {
			if (!lang_tag_valid(lang))
				diag_error(ps->d, lang_node->loc,
					   "'%s' is not a language tag "
					   "(a string was expected)",
					   lang);
			else
				diag_error(ps->d, lang_node->loc,
					   "language '%s' is not in the "
					   "course's languages",
					   lang);
			bad = 1;
			continue;
		}
		if (v->type != YDOC_SCALAR) {
			diag_error(ps->d, v->loc, "'%s' must be a string, not %s",
				   key, ydoc_type_name(v->type));
			bad = 1;
			continue;
		}
		if (is_blank(v->value)) {
			diag_error(ps->d, v->loc, "'%s' is empty", key);
			bad = 1;
			continue;
		}
		if (!is_path) {
			text_push(out, lang, v->value);
			continue;
		}
		char *rel = parse_resolve(ps, v);
		if (!rel) {
			bad = 1;
			continue;
		}
		text_push(out, lang, rel);
		free(rel);
	}
	if (bad)
		return -1;
	if (ps->lenient)
		return 0;
	/* every course language needs a value */
	for (size_t l = 0; l < c->nlangs; l++) {
		if (!text_get(out, c, c->langs[l])) {
			diag_error(ps->d, n->loc, "'%s' has no '%s' text", key,
				   c->langs[l]);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* A text whose every value must be at most 'max' characters */
static void parse_bounded_text(struct pstate *ps, const struct ydoc_node *n,
			       const char *key, struct text *out, size_t max)
{
	if (parse_text(ps, n, key, out, 0) < 0)
		return;
	for (size_t i = 0; i < out->n; i++) {
		size_t len = utf8_length(out->val[i]);
		if (len > max)
			diag_error(ps->d,
				   n->type == YDOC_MAP ? n->items[2 * i + 1]->loc
						       : n->loc,
				   "'%s' is %zu characters long; use at most %zu",
				   key, len, max);
	}
}

static int parse_textlist(struct pstate *ps, const struct ydoc_node *n,
			  const char *key, struct textlist *out, int nonempty)
{
	int bad = 0;
	out->loc = n->loc;
	if (is_empty_value(n)) {
		diag_error(ps->d, n->loc, "'%s' must not be empty", key);
		return -1;
	}
	if (n->type != YDOC_SEQ) {
		diag_error(ps->d, n->loc, "'%s' must be a list, not %s", key,
			   ydoc_type_name(n->type));
		return -1;
	}
	if (nonempty && n->n == 0) {
		diag_error(ps->d, n->loc, "'%s' must not be empty", key);
		return -1;
	}
	out->items = xcalloc(n->n, sizeof(*out->items));
	out->n = n->n;
	for (size_t i = 0; i < n->n; i++)
		if (parse_text(ps, n->items[i], key, &out->items[i], 0) < 0)
			bad = 1;
	return bad ? -1 : 0;
}

static int parse_id(struct pstate *ps, const struct ydoc_node *n,
		    char **out, struct loc *out_loc)
{
	*out_loc = n->loc;
	if (parse_scalar(ps, n, "id") < 0)
		return -1;
	size_t len = strlen(n->value);
	if (len > COURSE_ID_MAX) {
		diag_error(ps->d, n->loc,
			   "id '%s' is %zu characters long; use at most %d",
			   n->value, utf8_length(n->value), COURSE_ID_MAX);
		return -1;
	}
	if (!course_id_valid(n->value)) {
		diag_error(ps->d, n->loc,
			   "invalid id '%s': use an ASCII letter, then "
			   "letters, digits, '-' or '_' (at most %d "
			   "characters)",
			   n->value, COURSE_ID_MAX);
		return -1;
	}
	*out = xstrdup(n->value);
	return 0;
}

static int parse_bool(struct pstate *ps, const struct ydoc_node *n,
		      const char *key, int *out)
{
	if (n->type == YDOC_SCALAR && n->plain) {
		if (strcmp(n->value, "true") == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(n->value, "false") == 0) {
			*out = 0;
			return 0;
		}
	}
	diag_error(ps->d, n->loc, "'%s' must be true or false", key);
	return -1;
}

static int parse_int(struct pstate *ps, const struct ydoc_node *n,
		     const char *key, int *out)
{
	if (n->type == YDOC_SCALAR && n->plain && n->value[0]) {
		char *end = NULL;
		long v = strtol(n->value, &end, 10);
		if (*end == '\0' && v > -1000000 && v < 1000000) {
			*out = (int)v;
			return 0;
		}
	}
	diag_error(ps->d, n->loc, "'%s' must be a whole number", key);
	return -1;
}

static int parse_feedback(struct pstate *ps, const struct ydoc_node *n,
			  struct question *q)
{
	static const struct field fields[] = {
	    { "correct", 1 }, { "incorrect", 1 }, { NULL, 0 }
	};
	const struct ydoc_node *v[2];
	if (parse_fields(ps, n, "feedback", fields, v, NULL) < 0)
		return -1;
	if (v[0])
		parse_text(ps, v[0], "correct", &q->fb_correct, 0);
	if (v[1])
		parse_text(ps, v[1], "incorrect", &q->fb_incorrect, 0);
	return 0;
}

static const char *const question_types[] = {
	[Q_SINGLE_CHOICE] = "single_choice",
	[Q_MULTIPLE_CHOICE] = "multiple_choice",
	[Q_TRUE_FALSE] = "true_false",
	[Q_MATCHING] = "matching",
};

static void parse_question(struct pstate *ps, const struct ydoc_node *n,
			   struct question *q)
{
	enum { F_ID, F_TYPE, F_PROMPT, F_CHOICES, F_ANSWER, F_PAIRS, F_FB };
	static const struct field fields[] = {
	    { "id", 1 },      { "type", 1 },  { "prompt", 1 },
	    { "choices", 0 }, { "answer", 0 }, { "pairs", 0 },
	    { "feedback", 1 }, { NULL, 0 }
	};
	const struct ydoc_node *v[7], *k[7];

	q->loc = n->loc;
	q->type = (enum question_type)-1;
	if (parse_fields(ps, n, "question", fields, v, k) < 0)
		return;
	if (v[F_ID])
		parse_id(ps, v[F_ID], &q->id, &q->id_loc);
	if (v[F_TYPE] && parse_scalar(ps, v[F_TYPE], "type") == 0) {
		for (size_t i = 0; i < 4; i++)
			if (strcmp(v[F_TYPE]->value, question_types[i]) == 0)
				q->type = (enum question_type)i;
		if ((int)q->type < 0)
			diag_error(ps->d, v[F_TYPE]->loc,
				   "unknown question type '%s': use "
				   "single_choice, multiple_choice, "
				   "true_false or matching",
				   v[F_TYPE]->value);
	}
	if (v[F_PROMPT])
		parse_text(ps, v[F_PROMPT], "prompt", &q->prompt, 0);
	if (v[F_FB])
		parse_feedback(ps, v[F_FB], q);
	if ((int)q->type < 0)
		return;
	int wants_choices = q->type == Q_SINGLE_CHOICE ||
			    q->type == Q_MULTIPLE_CHOICE;
	const char *tname = question_types[q->type];
	/* keys that belong to other question types */
	if (v[F_CHOICES] && !wants_choices)
		diag_error(ps->d, k[F_CHOICES]->loc,
			   "a %s question has no 'choices'", tname);
	if (v[F_ANSWER] && q->type != Q_TRUE_FALSE)
		diag_error(ps->d, k[F_ANSWER]->loc,
			   "a %s question has no 'answer'", tname);
	if (v[F_PAIRS] && q->type != Q_MATCHING)
		diag_error(ps->d, k[F_PAIRS]->loc,
			   "a %s question has no 'pairs'", tname);
	if (wants_choices) {
		const struct ydoc_node *cs = v[F_CHOICES];
		if (!cs) {
			diag_error(ps->d, n->loc,
				   "missing key 'choices' in question");
		} else if (is_empty_value(cs)) {
			diag_error(ps->d, cs->loc, "'choices' must not be empty");
		} else if (cs->type != YDOC_SEQ) {
			diag_error(ps->d, cs->loc,
				   "'choices' must be a list, not %s",
				   ydoc_type_name(cs->type));
		} else {
			q->choices = xcalloc(cs->n, sizeof(*q->choices));
			q->nchoices = cs->n;
			for (size_t i = 0; i < cs->n; i++) {
				static const struct field cf[] = {
				    { "text", 1 },
				    { "correct", 0 },
				    { "feedback", 0 },
				    { NULL, 0 }
				};
				const struct ydoc_node *cv[3];
				struct choice *ch = &q->choices[i];
				ch->loc = cs->items[i]->loc;
				if (parse_fields(ps, cs->items[i], "choice", cf,
						 cv, NULL) < 0)
					continue;
				if (cv[0])
					parse_text(ps, cv[0], "text", &ch->text,
						   0);
				if (cv[1] && parse_bool(ps, cv[1], "correct",
							&ch->correct) < 0)
					ch->correct = -1; /* already reported */
				if (cv[2])
					parse_text(ps, cv[2], "feedback",
						   &ch->feedback, 0);
			}
		}
	} else if (q->type == Q_TRUE_FALSE) {
		if (!v[F_ANSWER])
			diag_error(ps->d, n->loc,
				   "missing key 'answer' in question");
		else
			parse_bool(ps, v[F_ANSWER], "answer", &q->answer);
	} else {
		const struct ydoc_node *ps_ = v[F_PAIRS];
		if (!ps_) {
			diag_error(ps->d, n->loc,
				   "missing key 'pairs' in question");
		} else if (is_empty_value(ps_)) {
			diag_error(ps->d, ps_->loc, "'pairs' must not be empty");
		} else if (ps_->type != YDOC_SEQ) {
			diag_error(ps->d, ps_->loc,
				   "'pairs' must be a list, not %s",
				   ydoc_type_name(ps_->type));
		} else {
			q->pairs = xcalloc(ps_->n, sizeof(*q->pairs));
			q->npairs = ps_->n;
			for (size_t i = 0; i < ps_->n; i++) {
				static const struct field pf[] = {
				    { "left", 1 }, { "right", 1 }, { NULL, 0 }
				};
				const struct ydoc_node *pv[2];
				struct pair *p = &q->pairs[i];
				p->loc = ps_->items[i]->loc;
				if (parse_fields(ps, ps_->items[i], "pair", pf,
						 pv, NULL) < 0)
					continue;
				if (pv[0])
					parse_text(ps, pv[0], "left", &p->left,
						   0);
				if (pv[1])
					parse_text(ps, pv[1], "right",
						   &p->right, 0);
			}
		}
	}
}

static void parse_knowledge_check(struct pstate *ps,
				  const struct ydoc_node *n, struct module *m)
{
	static const struct field fields[] = {
	    { "mastery_score", 1 }, { "questions", 1 }, { NULL, 0 }
	};
	const struct ydoc_node *v[2];
	m->mastery = -1;
	if (parse_fields(ps, n, "knowledge check", fields, v, NULL) < 0)
		return;
	if (v[0]) {
		m->mastery_loc = v[0]->loc;
		if (parse_int(ps, v[0], "mastery_score", &m->mastery) < 0)
			m->mastery = -1;
		else if (m->mastery < 0 || m->mastery > 100) {
			diag_error(ps->d, v[0]->loc,
				   "mastery_score %d is outside 0-100",
				   m->mastery);
			m->mastery = -1;
		}
	}
	const struct ydoc_node *qs = v[1];
	if (!qs)
		return;
	if (is_empty_value(qs)) {
		diag_error(ps->d, qs->loc, "'questions' must not be empty");
		return;
	}
	if (qs->type != YDOC_SEQ) {
		diag_error(ps->d, qs->loc, "'questions' must be a list, not %s",
			   ydoc_type_name(qs->type));
		return;
	}
	if (qs->n == 0) {
		diag_error(ps->d, qs->loc, "'questions' must not be empty");
		return;
	}
	m->questions = xcalloc(qs->n, sizeof(*m->questions));
	m->nquestions = qs->n;
	for (size_t i = 0; i < qs->n; i++)
		parse_question(ps, qs->items[i], &m->questions[i]);
}

static void parse_topics(struct pstate *ps, const struct ydoc_node *n,
			 struct module *m)
{
	if (is_empty_value(n)) {
		diag_error(ps->d, n->loc, "'topics' must not be empty");
		return;
	}
	if (n->type != YDOC_SEQ) {
		diag_error(ps->d, n->loc, "'topics' must be a list, not %s",
			   ydoc_type_name(n->type));
		return;
	}
	if (n->n == 0) {
		diag_error(ps->d, n->loc, "'topics' must not be empty");
		return;
	}
	m->topics = xcalloc(n->n, sizeof(*m->topics));
	m->ntopics = n->n;
	for (size_t i = 0; i < n->n; i++) {
		static const struct field fields[] = {
		    { "id", 1 }, { "title", 1 }, { "file", 1 }, { NULL, 0 }
		};
		const struct ydoc_node *v[3];
		struct topic *t = &m->topics[i];
		t->loc = n->items[i]->loc;
		if (parse_fields(ps, n->items[i], "topic", fields, v, NULL) < 0)
			continue;
		if (v[0])
			parse_id(ps, v[0], &t->id, &t->id_loc);
		if (v[1])
			parse_text(ps, v[1], "title", &t->title, 0);
		if (v[2])
			parse_text(ps, v[2], "file", &t->file, 1);
	}
}

/* Load and parse a YAML file; the tree is returned, the source kept in
 * the course. NULL after reporting when it can't be read or parsed. */
static struct ydoc_node *parse_load_yaml(struct pstate *ps, const char *path,
					 struct loc from)
{
	struct source *src = NULL;
	struct ydoc_node *root = NULL;
	int err = source_load(&src, path, from, ps->d);
	if (src)
		course_add_source(ps->c, src);
	if (err)
		return NULL;
	course_note_mtime(ps->c, path);
	ydoc_load(&root, src, ps->d); /* errors were reported; use any tree */
	return root;
}

static void parse_module(struct pstate *ps, struct module *m)
{
	enum { F_ID, F_TITLE, F_DESC, F_OBJ, F_KW, F_TOPICS, F_KC };
	static const struct field fields[] = {
	    { "id", 1 },       { "title", 1 },  { "description", 1 },
	    { "objectives", 1 }, { "keywords", 0 }, { "topics", 1 },
	    { "knowledge_check", 1 }, { NULL, 0 }
	};
	const struct ydoc_node *v[7];
	char *path = path_join(ps->c->dir, m->path);
	char *reldir = path_dirname(m->path);
	struct pstate sub = { ps->c, ps->d, reldir, ps->lenient };
	struct ydoc_node *root = parse_load_yaml(ps, path, m->loc);

	m->mastery = -1;
	if (!root || parse_fields(&sub, root, "module", fields, v, NULL) < 0)
		goto done;
	if (v[F_ID])
		parse_id(&sub, v[F_ID], &m->id, &m->id_loc);
	if (v[F_TITLE])
		parse_bounded_text(&sub, v[F_TITLE], "title", &m->title,
				   PARSE_TITLE_MAX);
	if (v[F_DESC])
		parse_text(&sub, v[F_DESC], "description", &m->description, 0);
	if (v[F_OBJ])
		parse_textlist(&sub, v[F_OBJ], "objectives", &m->objectives, 1);
	if (v[F_KW])
		parse_textlist(&sub, v[F_KW], "keywords", &m->keywords, 0);
	if (v[F_TOPICS])
		parse_topics(&sub, v[F_TOPICS], m);
	if (v[F_KC])
		parse_knowledge_check(&sub, v[F_KC], m);
done:
	ydoc_free(root);
	free(reldir);
	free(path);
}

static void parse_languages(struct pstate *ps, const struct ydoc_node *n)
{
	struct course *c = ps->c;
	c->langs_loc = n->loc;
	if (n->type != YDOC_SEQ || n->n == 0) {
		diag_error(ps->d, n->loc,
			   "'languages' must be a list of language tags, "
			   "such as [en]");
		return;
	}
	c->langs = xcalloc(n->n, sizeof(*c->langs));
	for (size_t i = 0; i < n->n; i++) {
		const struct ydoc_node *l = n->items[i];
		if (l->type != YDOC_SCALAR || !lang_tag_valid(l->value)) {
			diag_error(ps->d, l->loc, "invalid language tag%s%s%s",
				   l->type == YDOC_SCALAR ? " '" : "",
				   l->type == YDOC_SCALAR ? l->value : "",
				   l->type == YDOC_SCALAR ? "'" : "");
			continue;
		}
		if (course_has_lang(c, l->value)) {
			diag_error(ps->d, l->loc, "language '%s' is listed twice",
				   l->value);
			continue;
		}
		c->langs[c->nlangs++] = xstrdup(l->value);
	}
}

static void parse_xapi_base(struct pstate *ps, const struct ydoc_node *n)
{
	if (parse_scalar(ps, n, "xapi_base") < 0)
		return;
	const char *s = n->value;
	size_t len = strlen(s);
	const char *rest = strncmp(s, "https://", 8) == 0  ? s + 8
			   : strncmp(s, "http://", 7) == 0 ? s + 7
							   : NULL;
	int ok = rest && *rest && *rest != '/' && len > 0 &&
		 s[len - 1] != '/' && !strpbrk(s, "?# \t\"<>\\^`{|}");
	if (!ok) {
		diag_error(ps->d, n->loc,
			   "invalid xapi_base '%s': use an http(s) IRI with no "
			   "query, fragment or trailing '/'",
			   s);
		return;
	}
	ps->c->xapi_base = xstrdup(s);
}

int parse_course(struct course **out, const char *dir, struct diag *d)
{
	enum {
		F_ID, F_VERSION, F_TITLE, F_DESC, F_LANGS, F_XAPI, F_KW,
		F_AUD, F_OBJ, F_OUT, F_RES, F_THEME, F_MODS
	};
	static const struct field fields[] = {
	    { "id", 1 },         { "version", 0 },   { "title", 1 },
	    { "description", 1 }, { "languages", 1 }, { "xapi_base", 1 },
	    { "keywords", 0 },   { "audience", 1 },  { "objectives", 1 },
	    { "outcomes", 1 },   { "resources", 0 }, { "theme", 0 },
	    { "modules", 1 },    { NULL, 0 }
	};
	const struct ydoc_node *v[13];
	size_t errors_before = d->errors;
	struct course *c = xcalloc(1, sizeof(*c));
	struct pstate ps = { c, d, "", 0 };
	char *path = NULL;
	struct ydoc_node *root = NULL;

	c->dir = xstrdup(dir);
	*out = c;
	path = path_join(dir, "course.yml");
	root = parse_load_yaml(&ps, path, LOC_NONE);
	if (!root || parse_fields(&ps, root, "course", fields, v, NULL) < 0)
		goto done;
	if (v[F_LANGS])
		parse_languages(&ps, v[F_LANGS]);
	if (c->nlangs == 0) {
		/* go on without language checks, to report the rest */
		ps.lenient = 1;
		c->langs = xrealloc(c->langs, sizeof(*c->langs));
		c->langs[0] = xstrdup("und");
		c->nlangs = 1;
	}
	if (v[F_ID])
		parse_id(&ps, v[F_ID], &c->id, &c->id_loc);
	if (v[F_VERSION] && parse_scalar(&ps, v[F_VERSION], "version") == 0) {
		if (strlen(v[F_VERSION]->value) > 20 ||
		    is_blank(v[F_VERSION]->value))
			diag_error(d, v[F_VERSION]->loc,
				   "'version' must be 1 to 20 characters");
		else
			c->version = xstrdup(v[F_VERSION]->value);
	}
	if (v[F_TITLE])
		parse_bounded_text(&ps, v[F_TITLE], "title", &c->title,
				   PARSE_TITLE_MAX);
	if (v[F_DESC])
		parse_text(&ps, v[F_DESC], "description", &c->description, 0);
	if (v[F_XAPI])
		parse_xapi_base(&ps, v[F_XAPI]);
	if (v[F_KW])
		parse_textlist(&ps, v[F_KW], "keywords", &c->keywords, 0);
	if (v[F_AUD]) {
		static const struct field af[] = {
		    { "intro", 1 }, { "groups", 1 }, { NULL, 0 }
		};
		const struct ydoc_node *av[2];
		if (parse_fields(&ps, v[F_AUD], "audience", af, av, NULL) == 0) {
			if (av[0])
				parse_text(&ps, av[0], "intro",
					   &c->audience_intro, 0);
			if (av[1])
				parse_textlist(&ps, av[1], "groups",
					       &c->audience_groups, 1);
		}
	}
	if (v[F_OBJ])
		parse_textlist(&ps, v[F_OBJ], "objectives", &c->objectives, 1);
	if (v[F_OUT])
		parse_textlist(&ps, v[F_OUT], "outcomes", &c->outcomes, 1);
	if (v[F_RES])
		parse_text(&ps, v[F_RES], "resources", &c->resources, 1);
	if (v[F_THEME]) {
		c->theme = parse_path(&ps, v[F_THEME], "theme");
		c->theme_loc = v[F_THEME]->loc;
	}
	const struct ydoc_node *mods = v[F_MODS];
	if (mods && (mods->type != YDOC_SEQ || mods->n == 0)) {
		diag_error(d, mods->loc,
			   "'modules' must be a list of module files");
	} else if (mods) {
		c->modules = xcalloc(mods->n, sizeof(*c->modules));
		for (size_t i = 0; i < mods->n; i++) {
			const struct ydoc_node *mn = mods->items[i];
			char *mpath = parse_path(&ps, mn, "modules");
			if (!mpath)
				continue;
			size_t k;
			for (k = 0; k < c->nmodules; k++)
				if (strcmp(c->modules[k].path, mpath) == 0)
					break;
			if (k < c->nmodules) {
				diag_error(d, mn->loc,
					   "module file '%s' is listed twice",
					   mpath);
				diag_note(d, c->modules[k].loc,
					  "'%s' is first listed here", mpath);
				free(mpath);
				continue;
			}
			struct module *m = &c->modules[c->nmodules++];
			m->loc = mn->loc;
			m->path = mpath;
		}
		for (size_t i = 0; i < c->nmodules; i++)
			parse_module(&ps, &c->modules[i]);
	}
done:
	ydoc_free(root);
	free(path);
	return d->errors > errors_before ? ET_EINVALID : 0;
}
