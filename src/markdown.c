/* markdown.c -- a page's CommonMark source to checked, package-ready HTML */
#include "markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"

struct md_state {
	struct course *c;
	const struct source *src;
	struct diag *d;
	char *dir;          /* course-relative folder of the page */
	const char *prefix; /* media URL prefix */
	struct md_page *page;
	size_t cursor;      /* byte offset for locating inline nodes */
};

int md_path_portable(const char *path)
{
	for (const char *p = path; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-' || ch == '/'))
			return 0;
	}
	return *path != '\0';
}

/* Byte offset of the start of 1-based 'line' */
static size_t md_line_offset(const struct source *src, int line)
{
	size_t off = 0;
	for (int l = 1; l < line && off < src->len; off++)
		if (src->data[off] == '\n')
			l++;
	return off;
}

static struct loc md_block_loc(struct md_state *st, cmark_node *n)
{
	/* the block, or its nearest ancestor with a position */
	while (n && cmark_node_get_start_line(n) == 0)
		n = cmark_node_parent(n);
	if (!n)
		return (struct loc){ st->src->path, 1, 1 };
	struct loc loc = { st->src->path, cmark_node_get_start_line(n),
			   cmark_node_get_start_column(n) };
	/* cmark counts columns in bytes; we count characters */
	size_t off = md_line_offset(st->src, loc.line);
	return source_loc(st->src, off + (size_t)(loc.col - 1));
}

/* Byte offset of an inline node's text 'needle', searched from its
 * block's start and after the previous inline found (cmark gives inline
 * nodes no position). 'skip' bytes of the needle are not part of the node's
 * place: "](" before a URL. Returns (size_t)-1 when not found. */
static size_t md_inline_offset(struct md_state *st, cmark_node *n,
			       const char *needle, size_t skip)
{
	struct loc bl = md_block_loc(st, n);
	size_t from = md_line_offset(st->src, bl.line);
	if (st->cursor > from)
		from = st->cursor;
	const char *hit = needle && *needle ? strstr(st->src->data + from,
						     needle)
					    : NULL;
	if (!hit)
		return (size_t)-1;
	size_t off = (size_t)(hit - st->src->data) + skip;
	st->cursor = off + 1;
	return off;
}

static struct loc md_inline_loc(struct md_state *st, cmark_node *n,
				const char *needle, size_t skip)
{
	size_t off = md_inline_offset(st, n, needle, skip);
	return off == (size_t)-1 ? md_block_loc(st, n)
				 : source_loc(st->src, off);
}

/* The place of a link or image destination: after its "](" */
static size_t md_url_offset(struct md_state *st, cmark_node *n,
			    const char *url)
{
	char *needle = xasprintf("](%s", url ? url : "");
	size_t off = md_inline_offset(st, n, needle, 2);
	free(needle);
	if (off == (size_t)-1) { /* the <...> form, for paths with spaces */
		needle = xasprintf("](<%s", url ? url : "");
		off = md_inline_offset(st, n, needle, 3);
		free(needle);
	}
	return off;
}


/* Concatenate the literal text under 'n' into a new string. */
static char *md_plain_text(cmark_node *n)
{
	size_t cap = 64, len = 0;
	char *out = xmalloc(cap);
	cmark_iter *it = cmark_iter_new(n);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *cur = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		const char *lit = NULL;
		switch (cmark_node_get_type(cur)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(cur);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			lit = " ";
			break;
		default:
			break;
		}
		if (!lit)
			continue;
		size_t k = strlen(lit);
		while (len + k + 1 > cap) {
			cap *= 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, lit, k);
		len += k;
	}
	cmark_iter_free(it);
	out[len] = '\0';
	return out;
}

static int md_is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

static int md_is_web_url(const char *url)
{
	return strncmp(url, "https://", 8) == 0 ||
	       strncmp(url, "http://", 7) == 0 ||
	       strncmp(url, "mailto:", 7) == 0;
}

static void md_image(struct md_state *st, cmark_node *img)
{
	const char *url = cmark_node_get_url(img);
	size_t off = md_url_offset(st, img, url);
	struct loc loc = off == (size_t)-1 ? md_block_loc(st, img)
					   : source_loc(st->src, off);
	char *alt = md_plain_text(img);
	char *rel = NULL, *full = NULL;

	if (md_is_blank(alt)) {
		/* the alt text is missing: point at the image's "![" */
		struct loc at = loc;
		for (size_t k = off; off != (size_t)-1 && k > 0; k--) {
			if (st->src->data[k - 1] == '!' &&
			    st->src->data[k] == '[') {
				at = source_loc(st->src, k - 1);
				break;
			}
		}
		diag_error(st->d, at,
			   "image '%s' has no alt text: describe it in "
			   "![...]",
			   url);
	}
	if (!url || !*url || strchr(url, ':') || url[0] == '/') {
		diag_error(st->d, loc,
			   "image '%s' must be a file inside the course "
			   "folder",
			   url ? url : "");
		goto done;
	}
	rel = path_join(st->dir, url);
	if (path_normalize(rel) < 0) {
		diag_error(st->d, loc, "image '%s' is outside the course folder",
			   url);
		goto done;
	}
	if (!md_path_portable(rel)) {
		diag_error(st->d, loc,
			   "image path '%s' has characters that are not safe "
			   "in a package; use A-Z a-z 0-9 . _ - /",
			   url);
		goto done;
	}
	full = path_join(st->c->dir, rel);
	if (!path_is_file(full)) {
		diag_error(st->d, loc, "image '%s' not found", full);
		goto done;
	}
	course_note_mtime(st->c, full);
	char *new_url = xasprintf("%s%s", st->prefix, rel);
	cmark_node_set_url(img, new_url);
	free(new_url);
	struct md_page *p = st->page;
	size_t i;
	for (i = 0; i < p->nimages; i++)
		if (strcmp(p->images[i], rel) == 0)
			break;
	if (i == p->nimages) {
		p->images = xrealloc(p->images,
				     (p->nimages + 1) * sizeof(*p->images));
		p->images[p->nimages++] = rel;
		rel = NULL;
	}
done:
	free(full);
	free(rel);
	free(alt);
}

/* Text that an author meant as an image but CommonMark did not take as
 * one, most often because the path has a space: "![alt](my pic.png)". */
static void md_text_image(struct md_state *st, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);
	const char *open = lit ? strstr(lit, "![") : NULL;
	const char *mid = open ? strstr(open, "](") : NULL;
	const char *close = mid ? strchr(mid, ')') : NULL;
	if (!close)
		return;
	char *url = xstrndup(mid + 2, (size_t)(close - mid - 2));
	char *needle = xasprintf("](%s", url);
	struct loc loc = md_inline_loc(st, n, needle, 2);
	diag_error(st->d, loc,
		   "image path '%s' has characters that are not safe in a "
		   "package; use A-Z a-z 0-9 . _ - /",
		   url);
	free(needle);
	free(url);
}

static void md_walk(struct md_state *st, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	int last_level = 1;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_HTML_BLOCK:
			diag_error(st->d, md_block_loc(st, n),
				   "raw HTML is not allowed in a page");
			break;
		case CMARK_NODE_HTML_INLINE:
			diag_error(st->d,
				   md_inline_loc(st, n,
						 cmark_node_get_literal(n), 0),
				   "raw HTML is not allowed in a page");
			break;
		case CMARK_NODE_HEADING: {
			int level = cmark_node_get_heading_level(n);
			if (level == 1)
				diag_error(st->d, md_block_loc(st, n),
					   "level-1 heading: the page title "
					   "comes from the YAML, so start "
					   "sections at '##'");
			else if (level > last_level + 1)
				diag_error(st->d, md_block_loc(st, n),
					   "heading level %d follows level %d; "
					   "don't skip levels",
					   level, last_level);
			last_level = level;
			break;
		}
		case CMARK_NODE_IMAGE:
			md_image(st, n);
			break;
		case CMARK_NODE_TEXT:
			md_text_image(st, n);
			break;
		case CMARK_NODE_LINK: {
			const char *url = cmark_node_get_url(n);
			if (url && *url && url[0] != '#' && !md_is_web_url(url))
				diag_error(st->d,
					   md_inline_loc(st, n, "](", 2),
					   "link '%s' must be a web address "
					   "(https://, http://, mailto:)",
					   url);
			break;
		}
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* Render a source that is already loaded (and UTF-8 checked). */
static int md_render_loaded(struct md_page **out, struct course *c,
			    const struct source *src, const char *relpath,
			    const char *media_prefix, struct diag *d)
{
	size_t errors_before = d->errors;
	struct md_page *page = xcalloc(1, sizeof(*page));
	struct md_state st = { c, src, d, path_dirname(relpath), media_prefix,
			       page, 0 };
	cmark_node *doc = NULL;
	int err = 0;

	page->path = xstrdup(relpath);
	doc = cmark_parse_document(src->data, src->len, CMARK_OPT_DEFAULT);
	md_walk(&st, doc);
	if (d->errors > errors_before) {
		err = ET_EINVALID;
		goto done;
	}
	page->html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	*out = page;
	page = NULL;
done:
	cmark_node_free(doc);
	md_page_free(page);
	free(st.dir);
	return err;
}

int md_render(struct md_page **out, struct course *c, const char *relpath,
	      struct loc from, const char *media_prefix, struct diag *d)
{
	struct source *src = NULL;
	char *full = path_join(c->dir, relpath);
	int err = source_load(&src, full, from, d);

	*out = NULL;
	if (src)
		course_add_source(c, src);
	if (!err) {
		course_note_mtime(c, full);
		err = md_render_loaded(out, c, src, relpath, media_prefix, d);
	}
	free(full);
	return err;
}

int md_render_text(struct md_page **out, struct course *c,
		   const char *relpath, const char *data, size_t len,
		   const char *media_prefix, struct diag *d)
{
	size_t bad = 0;
	struct source *src = source_from_memory(relpath, data, len);
	int err;

	*out = NULL;
	course_add_source(c, src);
	if (source_check_utf8(src->data, src->len, &bad) < 0) {
		diag_error(d, source_loc(src, bad), "invalid UTF-8");
		return ET_EINVALID;
	}
	err = md_render_loaded(out, c, src, relpath, media_prefix, d);
	return err;
}

void md_page_free(struct md_page *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->html);
	for (size_t i = 0; i < p->nimages; i++)
		free(p->images[i]);
	free(p->images);
	free(p);
}
