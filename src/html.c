/* html.c -- a module's SCO launch page (index.html) */
#include "html.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* Interface words, by page language; English when a language is missing. */
struct html_words {
	const char *lang;
	const char *about, *audience, *objectives, *outcomes;
	const char *module_objectives, *topics, *quiz, *resources, *noscript;
	const char *quiz_intro; /* %zu questions, %d mastery */
};

static const struct html_words html_words_table[] = {
	{ "en", "About this course", "Who this course is for",
	  "General objectives", "Learning outcomes", "Module objectives",
	  "Topics", "Knowledge check", "Resources",
	  "The knowledge check needs JavaScript.",
	  "%zu questions. You pass with %d%% or more." },
	{ "fr", "À propos du cours", "À qui s’adresse ce cours",
	  "Objectifs généraux", "Acquis d’apprentissage",
	  "Objectifs du module", "Thèmes", "Testez vos connaissances",
	  "Ressources", "Le test nécessite JavaScript.",
	  "%zu questions. Vous réussissez avec %d %% ou plus." },
	{ "es", "Acerca del curso", "A quién va dirigido este curso",
	  "Objetivos generales", "Resultados de aprendizaje",
	  "Objetivos del módulo", "Temas", "Prueba de conocimientos",
	  "Recursos", "La prueba necesita JavaScript.",
	  "%zu preguntas. Aprueba con un %d %% o más." },
};

static const struct html_words *html_words_for(const char *lang)
{
	size_t n = sizeof(html_words_table) / sizeof(html_words_table[0]);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(html_words_table[i].lang);
		if (strncmp(lang, html_words_table[i].lang, k) == 0 &&
		    (lang[k] == '\0' || lang[k] == '-'))
			return &html_words_table[i];
	}
	return &html_words_table[0];
}

struct html_ctx {
	struct buf *out;
	const struct html_input *in;
	const struct html_words *w;
};

static const char *T(const struct html_ctx *x, const struct text *t)
{
	const char *s = text_get(t, x->in->course, x->in->lang);
	if (!s)
		BUG("text without a '%s' value", x->in->lang);
	return s;
}

static void html_text(struct html_ctx *x, const char *s)
{
	escape_html(x->out, s);
}

static void html_section_open(struct html_ctx *x, const char *id,
			      const char *kind, const char *topic,
			      const char *title)
{
	struct buf *o = x->out;
	buf_printf(o, "<section class=\"et-page\" id=\"%s\" data-kind=\"%s\"",
		   id, kind);
	if (topic)
		buf_printf(o, " data-topic=\"%s\"", topic);
	buf_printf(o, " aria-labelledby=\"%s-h\">\n<h1 id=\"%s-h\">", id, id);
	html_text(x, title);
	buf_puts(o, "</h1>\n");
}

static void html_list(struct html_ctx *x, const struct textlist *l)
{
	buf_puts(x->out, "<ul>\n");
	for (size_t i = 0; i < l->n; i++) {
		buf_puts(x->out, "<li>");
		html_text(x, T(x, &l->items[i]));
		buf_puts(x->out, "</li>\n");
	}
	buf_puts(x->out, "</ul>\n");
}

static void html_para(struct html_ctx *x, const char *s)
{
	buf_puts(x->out, "<p>");
	html_text(x, s);
	buf_puts(x->out, "</p>\n");
}

static void html_h2(struct html_ctx *x, const char *s)
{
	buf_puts(x->out, "<h2>");
	html_text(x, s);
	buf_puts(x->out, "</h2>\n");
}

static json_t *html_jtext(const struct html_ctx *x, const struct text *t)
{
	return json_string(T(x, t));
}

static json_t *html_question_json(const struct html_ctx *x,
				  const struct question *q)
{
	static const char *const types[] = { "single_choice",
					     "multiple_choice", "true_false",
					     "matching" };
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(q->id));
	json_object_set_new(o, "type", json_string(types[q->type]));
	json_object_set_new(o, "prompt", html_jtext(x, &q->prompt));
	if (q->type == Q_SINGLE_CHOICE || q->type == Q_MULTIPLE_CHOICE) {
		json_t *cs = json_array();
		for (size_t i = 0; i < q->nchoices; i++) {
			const struct choice *ch = &q->choices[i];
			json_t *c = json_object();
			char key[2] = { (char)('a' + i), 0 };
			json_object_set_new(c, "key", json_string(key));
			json_object_set_new(c, "text", html_jtext(x, &ch->text));
			json_object_set_new(c, "correct",
					    json_boolean(ch->correct));
			if (ch->feedback.n)
				json_object_set_new(
				    c, "feedback", html_jtext(x, &ch->feedback));
			json_array_append_new(cs, c);
		}
		json_object_set_new(o, "choices", cs);
	} else if (q->type == Q_TRUE_FALSE) {
		json_object_set_new(o, "answer", json_boolean(q->answer));
	} else {
		json_t *ps = json_array();
		for (size_t i = 0; i < q->npairs; i++) {
			json_t *p = json_object();
			char key[2] = { (char)('1' + i), 0 };
			char rkey[2] = { (char)('a' + i), 0 };
			json_object_set_new(p, "key", json_string(key));
			json_object_set_new(p, "left",
					    html_jtext(x, &q->pairs[i].left));
			json_object_set_new(p, "right",
					    html_jtext(x, &q->pairs[i].right));
			json_object_set_new(p, "right_key", json_string(rkey));
			json_array_append_new(ps, p);
		}
		json_object_set_new(o, "pairs", ps);
	}
	json_t *fb = json_object();
	json_object_set_new(fb, "correct", html_jtext(x, &q->fb_correct));
	json_object_set_new(fb, "incorrect", html_jtext(x, &q->fb_incorrect));
	json_object_set_new(o, "feedback", fb);
	return o;
}

static json_t *html_page_json(const char *id, const char *kind,
			      const char *title, const char *topic)
{
	json_t *p = json_object();
	json_object_set_new(p, "id", json_string(id));
	json_object_set_new(p, "kind", json_string(kind));
	json_object_set_new(p, "title", json_string(title));
	if (topic)
		json_object_set_new(p, "topic", json_string(topic));
	return p;
}

static void html_data(struct html_ctx *x)
{
	const struct html_input *in = x->in;
	const struct course *c = in->course;
	const struct module *m = in->module;
	json_t *root = json_object();
	json_t *jc = json_object(), *jm = json_object(), *pages = json_array();
	json_t *qs = json_array();

	json_object_set_new(root, "format", json_integer(1));
	json_object_set_new(root, "lang", json_string(in->lang));
	json_object_set_new(jc, "id", json_string(c->id));
	json_object_set_new(jc, "title", html_jtext(x, &c->title));
	json_object_set_new(jc, "description", html_jtext(x, &c->description));
	json_object_set_new(jc, "xapi_base", json_string(c->xapi_base));
	json_object_set_new(root, "course", jc);
	json_object_set_new(jm, "id", json_string(m->id));
	json_object_set_new(jm, "title", html_jtext(x, &m->title));
	json_object_set_new(jm, "description", html_jtext(x, &m->description));
	json_object_set_new(jm, "mastery_score", json_integer(m->mastery));
	json_object_set_new(root, "module", jm);
	json_array_append_new(pages, html_page_json("page-about", "about",
						    x->w->about, NULL));
	json_array_append_new(pages, html_page_json("page-overview", "overview",
						    T(x, &m->title), NULL));
	for (size_t i = 0; i < m->ntopics; i++) {
		char *id = xasprintf("topic-%s", m->topics[i].id);
		json_array_append_new(
		    pages, html_page_json(id, "topic", T(x, &m->topics[i].title),
					  m->topics[i].id));
		free(id);
	}
	json_array_append_new(pages,
			      html_page_json("page-quiz", "quiz", x->w->quiz,
					     NULL));
	if (in->resources)
		json_array_append_new(pages, html_page_json("page-resources",
							    "resources",
							    x->w->resources,
							    NULL));
	json_object_set_new(root, "pages", pages);
	for (size_t i = 0; i < m->nquestions; i++)
		json_array_append_new(qs,
				      html_question_json(x, &m->questions[i]));
	json_object_set_new(root, "questions", qs);
	/* the emitter fetches its LRS settings only when they exist: a package
	 * built without them makes no request (docs/page-contract.md) */
	if (in->has_lrs)
		json_object_set_new(root, "lrs_config",
				    json_string("../assets/lrs.json"));

	/* JSON_ESCAPE_SLASH keeps "</script>" out of the block */
	char *s = json_dumps(root, JSON_COMPACT | JSON_ESCAPE_SLASH |
				       JSON_PRESERVE_ORDER);
	if (!s)
		BUG("cannot serialize page data");
	buf_puts(x->out, "<script type=\"application/json\" id=\"et-data\">");
	buf_puts(x->out, s);
	buf_puts(x->out, "</script>\n");
	free(s);
	json_decref(root);
}

void html_render_module(struct buf *out, const struct html_input *in)
{
	const struct course *c = in->course;
	const struct module *m = in->module;
	struct html_ctx x = { out, in, html_words_for(in->lang) };

	buf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n",
		   in->lang);
	buf_puts(out, "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		      "content=\"width=device-width, initial-scale=1\">\n"
		      "<title>");
	html_text(&x, T(&x, &m->title));
	buf_puts(out, " – ");
	html_text(&x, T(&x, &c->title));
	buf_puts(out, "</title>\n<link rel=\"stylesheet\" "
		      "href=\"../assets/etoolbox.css\">\n");
	if (in->has_theme)
		buf_puts(out, "<link rel=\"stylesheet\" "
			      "href=\"../assets/theme.css\">\n");
	buf_puts(out, "</head>\n<body class=\"et-nojs\">\n"
		      "<header class=\"et-header\">\n<p class=\"et-course\">");
	html_text(&x, T(&x, &c->title));
	buf_puts(out, "</p>\n<p class=\"et-module\">");
	html_text(&x, T(&x, &m->title));
	buf_puts(out, "</p>\n</header>\n<main id=\"et-main\">\n");

	/* the course introduction */
	html_section_open(&x, "page-about", "about", NULL, x.w->about);
	html_para(&x, T(&x, &c->description));
	html_h2(&x, x.w->audience);
	html_para(&x, T(&x, &c->audience_intro));
	html_list(&x, &c->audience_groups);
	html_h2(&x, x.w->objectives);
	html_list(&x, &c->objectives);
	html_h2(&x, x.w->outcomes);
	html_list(&x, &c->outcomes);
	buf_puts(out, "</section>\n");

	/* the module overview */
	html_section_open(&x, "page-overview", "overview", NULL,
			  T(&x, &m->title));
	html_para(&x, T(&x, &m->description));
	html_h2(&x, x.w->module_objectives);
	html_list(&x, &m->objectives);
	html_h2(&x, x.w->topics);
	buf_puts(out, "<ol>\n");
	for (size_t i = 0; i < m->ntopics; i++) {
		buf_puts(out, "<li>");
		html_text(&x, T(&x, &m->topics[i].title));
		buf_puts(out, "</li>\n");
	}
	buf_puts(out, "</ol>\n</section>\n");

	for (size_t i = 0; i < m->ntopics; i++) {
		const struct topic *t = &m->topics[i];
		char *id = xasprintf("topic-%s", t->id);
		html_section_open(&x, id, "topic", t->id, T(&x, &t->title));
		buf_puts(out, in->topics[i]->html);
		buf_puts(out, "</section>\n");
		free(id);
	}

	html_section_open(&x, "page-quiz", "quiz", NULL, x.w->quiz);
	buf_puts(out, "<p class=\"et-quiz-intro\">");
	char *intro = xasprintf(x.w->quiz_intro, m->nquestions, m->mastery);
	html_text(&x, intro);
	free(intro);
	buf_puts(out, "</p>\n<div id=\"et-quiz\"></div>\n<noscript><p>");
	html_text(&x, x.w->noscript);
	buf_puts(out, "</p></noscript>\n</section>\n");

	if (in->resources) {
		html_section_open(&x, "page-resources", "resources", NULL,
				  x.w->resources);
		buf_puts(out, in->resources->html);
		buf_puts(out, "</section>\n");
	}
	buf_puts(out, "</main>\n");
	html_data(&x);
	buf_puts(out, "<script src=\"../assets/xapi.js\"></script>\n"
		      "<script src=\"../assets/etoolbox.js\"></script>\n"
		      "</body>\n</html>\n");
}
