/* package.c -- the build pipeline: sources to SCORM 1.2 zips */
#include "package.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "course.h"
#include "embed.h"
#include "errors.h"
#include "html.h"
#include "manifest.h"
#include "markdown.h"
#include "parse.h"
#include "scormcheck.h"
#include "util.h"
#include "xsd.h"
#include "zipw.h"

#define MEDIA_PREFIX "../media/"
/* adlcp:datafromlms holds at most 255 characters (adlcp XSD) */
#define PACKAGE_DATAFROMLMS_MAX 255

static const char *const package_schemas[] = {
	"adlcp_rootv1p2.xsd", "ims_xml.xsd", "imscp_rootv1p1p2.xsd",
	"imsmd_rootv1p2p1.xsd", NULL
};

/* Rendered Markdown of one language */
struct lang_pages {
	const char *lang;
	struct md_page ***topics; /* [module][topic] */
	struct md_page *resources;
};

struct plan {
	char *name;     /* zip file name */
	char *tmp;      /* where it was written, before the rename */
	size_t nfiles;
};

struct entries {
	size_t n, cap;
	struct zipw_entry *v;
};

static void entries_add(struct entries *e, const char *name, const char *file,
			const void *data, size_t len, int shared)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].name, name) == 0)
			return; /* already there: shared media */
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 32;
		e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = (struct zipw_entry){ xstrdup(name),
					    file ? xstrdup(file) : NULL, data,
					    len, shared };
}

static void entries_free(struct entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].file);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static void add_embedded(struct entries *e, const char *name,
			 const char *embed_name)
{
	const struct embed_file *f = embed_find(embed_name);
	if (!f)
		BUG("'%s' is not embedded", embed_name);
	entries_add(e, name, NULL, f->data, f->len, 1);
}

static void add_media(struct entries *e, const struct course *c,
		      const struct md_page *p)
{
	for (size_t i = 0; p && i < p->nimages; i++) {
		char *name = xasprintf("media/%s", p->images[i]);
		char *file = path_join(c->dir, p->images[i]);
		entries_add(e, name, file, NULL, 0, 0);
		free(name);
		free(file);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = -1;
		*s = saved;
		if (!saved || rc < 0)
			break;
	}
	free(p);
	return rc;
}

static int render_pages(struct course *c, struct lang_pages *lp,
			struct diag *d)
{
	int err = 0;
	lp->topics = xcalloc(c->nmodules, sizeof(*lp->topics));
	for (size_t m = 0; m < c->nmodules; m++) {
		struct module *mod = &c->modules[m];
		lp->topics[m] = xcalloc(mod->ntopics + 1, sizeof(**lp->topics));
		for (size_t t = 0; t < mod->ntopics; t++) {
			const struct topic *tp = &mod->topics[t];
			const char *rel = text_get(&tp->file, c, lp->lang);
			char *full = rel ? path_join(c->dir, rel) : NULL;
			/* a missing file was reported by check_course */
			if (full && path_is_file(full) &&
			    md_render(&lp->topics[m][t], c, rel, tp->file.loc,
				      MEDIA_PREFIX, d) < 0)
				err = ET_EINVALID;
			free(full);
		}
	}
	const char *res = c->resources.n ? text_get(&c->resources, c, lp->lang)
					 : NULL;
	if (res) {
		char *full = path_join(c->dir, res);
		if (path_is_file(full) &&
		    md_render(&lp->resources, c, res, c->resources.loc,
			      MEDIA_PREFIX, d) < 0)
			err = ET_EINVALID;
		free(full);
	}
	return err;
}

static void free_pages(const struct course *c, struct lang_pages *lp)
{
	for (size_t m = 0; lp->topics && m < c->nmodules; m++) {
		for (size_t t = 0; t < c->modules[m].ntopics; t++)
			md_page_free(lp->topics[m][t]);
		free(lp->topics[m]);
	}
	free(lp->topics);
	md_page_free(lp->resources);
}

/* Assemble, validate and write one package to plan->tmp. */
static int build_one(struct course *c, const struct package_options *opt,
		     struct lang_pages *lp, size_t first, size_t count,
		     struct plan *plan, time_t mtime, struct zipw_cache *cache,
		     struct diag *d)
{
	struct entries e = { 0 };
	struct buf manifest = BUF_INIT;
	struct buf *pages = xcalloc(count, sizeof(*pages));
	char **launch = xcalloc(count, sizeof(*launch));
	const struct module **mods = xcalloc(count, sizeof(*mods));
	const char **shared = NULL, **names = NULL;
	size_t nshared = 0;
	char *ident = NULL, *name = NULL;
	xmlDocPtr doc = NULL;
	int err = ET_EINVALID;

	for (size_t i = 0; i < count; i++) {
		const struct module *mod = &c->modules[first + i];
		struct html_input in = { c, mod, lp->lang, lp->topics[first + i],
					 lp->resources, c->theme != NULL,
					 opt->lrs_json != NULL };
		buf_init(&pages[i]);
		html_render_module(&pages[i], &in);
		mods[i] = mod;
		launch[i] = xasprintf("%s/index.html", mod->id);
		entries_add(&e, launch[i], NULL, pages[i].ptr, pages[i].len, 0);
		for (size_t t = 0; t < mod->ntopics; t++)
			add_media(&e, c, lp->topics[first + i][t]);
	}
	add_media(&e, c, lp->resources);
	add_embedded(&e, "assets/etoolbox.css", "runtime/etoolbox.css");
	add_embedded(&e, "assets/etoolbox.js", "runtime/etoolbox.js");
	add_embedded(&e, "assets/xapi.js", "runtime/xapi.js");
	if (opt->lrs_json)
		entries_add(&e, "assets/lrs.json", NULL, opt->lrs_json,
			    strlen(opt->lrs_json), 1);
	if (c->theme) {
		char *file = path_join(c->dir, c->theme);
		entries_add(&e, "assets/theme.css", file, NULL, 0, 0);
		free(file);
	}
	/* every file but the SCO pages goes in the shared asset resource */
	shared = xcalloc(e.n, sizeof(*shared));
	for (size_t i = 0; i < e.n; i++) {
		int is_launch = 0;
		for (size_t k = 0; k < count; k++)
			is_launch |= strcmp(e.v[i].name, launch[k]) == 0;
		if (!is_launch)
			shared[nshared++] = e.v[i].name;
	}
	qsort(shared, nshared, sizeof(*shared), cmp_str);
	ident = count == 1 && !opt->single
		    ? xasprintf("%s.%s", c->id, mods[0]->id)
		    : xstrdup(c->id);
	struct manifest_input mi = { c, lp->lang, ident, count,
				     mods, (const char *const *)launch,
				     nshared, shared,
				     opt->lrs_json && strlen(opt->lrs_json) <=
							  PACKAGE_DATAFROMLMS_MAX
					 ? opt->lrs_json
					 : NULL };
	if (manifest_write(&manifest, &mi) < 0) {
		diag_error(d, LOC_NONE, "cannot write the manifest of '%s'",
			   plan->name);
		err = ET_ERROR;
		goto done;
	}
	for (size_t i = 0; package_schemas[i]; i++) {
		char *en = xasprintf("schemas/%s", package_schemas[i]);
		add_embedded(&e, package_schemas[i], en);
		free(en);
	}
	entries_add(&e, "imsmanifest.xml", NULL, manifest.ptr, manifest.len,
		    0);

	/* the package must pass what any LMS will check, before it exists */
	name = xasprintf("%s:imsmanifest.xml", plan->name);
	names = xcalloc(e.n, sizeof(*names));
	for (size_t i = 0; i < e.n; i++)
		names[i] = e.v[i].name;
	qsort(names, e.n, sizeof(*names), cmp_str);
	struct scormcheck_input sci = { NULL, name, manifest.ptr, manifest.len,
					e.n, names };
	size_t warnings_before = d->warnings;
	if (xsd_parse(&doc, manifest.ptr, manifest.len, name, d) < 0 ||
	    xsd_validate(doc, name, manifest.ptr, manifest.len, d) < 0 ||
	    (sci.doc = doc, scormcheck_manifest(&sci, d)) < 0 ||
	    d->warnings > warnings_before) {
		diag_note(d, LOC_NONE,
			  "this is a bug in etoolbox: the package it made "
			  "is not valid; please report it");
		err = ET_ERROR;
		goto done;
	}
	plan->nfiles = e.n;
	struct zipw_options zo = { mtime, opt->level, opt->jobs, cache };
	err = zipw_write(plan->tmp, e.v, e.n, &zo, d);
done:
	if (doc)
		xmlFreeDoc(doc);
	for (size_t i = 0; i < count; i++) {
		buf_free(&pages[i]);
		free(launch[i]);
	}
	free(pages);
	free(launch);
	free(mods);
	free(shared);
	free(names);
	free(ident);
	free(name);
	buf_free(&manifest);
	entries_free(&e);
	return err;
}

int package_build(const char *course_dir, const struct package_options *opt,
		  struct diag *d)
{
	struct course *c = NULL;
	struct lang_pages *lps = NULL;
	struct plan *plans = NULL;
	size_t nplans = 0, written = 0;
	struct zipw_cache *cache = zipw_cache_new();
	int err = 0;

	if (parse_course(&c, course_dir, d) < 0)
		err = ET_EINVALID;
	if (check_course(c, d) < 0)
		err = ET_EINVALID;
	lps = xcalloc(c->nlangs + 1, sizeof(*lps));
	for (size_t l = 0; l < c->nlangs; l++) {
		lps[l].lang = c->langs[l];
		if (render_pages(c, &lps[l], d) < 0)
			err = ET_EINVALID;
	}
	if (err || d->errors)
		goto done;

	if (mkdir_p(opt->outdir) < 0) {
		diag_error(d, LOC_NONE, "cannot create '%s': %s", opt->outdir,
			   strerror(errno));
		err = ET_EIO;
		goto done;
	}
	size_t per_lang = opt->single ? 1 : c->nmodules;
	plans = xcalloc(c->nlangs * per_lang, sizeof(*plans));
	for (size_t l = 0; l < c->nlangs; l++) {
		for (size_t k = 0; k < per_lang; k++) {
			struct plan *p = &plans[nplans++];
			p->name = opt->single
				      ? xasprintf("%s_%s.zip", c->id,
						  c->langs[l])
				      : xasprintf("%s_%s_%s.zip", c->id,
						  c->modules[k].id,
						  c->langs[l]);
			p->tmp = xasprintf("%s/.%s.%ld.tmp", opt->outdir,
					   p->name, (long)getpid());
		}
	}
	time_t mtime = opt->mtime >= 0 ? opt->mtime : c->newest_mtime;
	for (size_t i = 0; i < nplans; i++) {
		size_t l = i / per_lang, k = i % per_lang;
		if (opt->progress)
			opt->progress(i, nplans, plans[i].name, opt->payload);
		err = build_one(c, opt, &lps[l], opt->single ? 0 : k,
				opt->single ? c->nmodules : 1, &plans[i],
				mtime, cache, d);
		if (err)
			goto done;
		written = i + 1;
	}
	if (opt->progress)
		opt->progress(nplans, nplans, NULL, opt->payload);
	for (size_t i = 0; i < nplans; i++) {
		char *final = path_join(opt->outdir, plans[i].name);
		if (rename(plans[i].tmp, final) < 0) {
			diag_error(d, LOC_NONE, "cannot rename '%s' to '%s': %s",
				   plans[i].tmp, final, strerror(errno));
			free(final);
			err = ET_EIO;
			goto done;
		}
		struct stat st;
		long long bytes = stat(final, &st) == 0 ? (long long)st.st_size
							: -1;
		if (opt->written)
			opt->written(final, plans[i].nfiles, bytes,
				     opt->payload);
		free(final);
	}
	written = 0; /* all renamed: nothing to clean */
done:
	for (size_t i = 0; i < written; i++)
		unlink(plans[i].tmp);
	for (size_t i = 0; i < nplans; i++) {
		free(plans[i].name);
		free(plans[i].tmp);
	}
	free(plans);
	zipw_cache_free(cache);
	for (size_t l = 0; c && l < c->nlangs; l++)
		free_pages(c, &lps[l]);
	free(lps);
	course_free(c);
	if (!err && d->errors)
		err = ET_EINVALID;
	return err;
}
