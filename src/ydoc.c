/* ydoc.c -- YAML documents as a small tree whose every node knows its place */
#include "ydoc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "errors.h"
#include "util.h"

#define YDOC_MAX_DEPTH 64

struct ydoc_state {
	const struct source *src;
	struct diag *d;
	yaml_parser_t parser;
	int failed; /* the tree could not be built */
	int soft;   /* errors were reported, but the tree is usable */
};

static struct loc ydoc_mark(const struct ydoc_state *st, yaml_mark_t m)
{
	/* libyaml counts columns in characters, 0-based */
	struct loc loc = { st->src->path, (int)m.line + 1, (int)m.column + 1 };
	return loc;
}

const char *ydoc_type_name(enum ydoc_type t)
{
	switch (t) {
	case YDOC_SCALAR:
		return "a string";
	case YDOC_MAP:
		return "a mapping";
	case YDOC_SEQ:
		return "a list";
	}
	return "a value";
}

void ydoc_free(struct ydoc_node *node)
{
	if (!node)
		return;
	size_t count = node->type == YDOC_MAP ? node->n * 2 : node->n;
	for (size_t i = 0; i < count; i++)
		ydoc_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node);
}

/* The character at a libyaml mark (line and column, in characters). */
static int ydoc_char_at(const struct ydoc_state *st, yaml_mark_t m)
{
	const char *p = st->src->data, *end = p + st->src->len;
	for (size_t line = 0; line < m.line && p < end; p++)
		if (*p == '\n')
			line++;
	for (size_t col = 0; p < end && *p != '\n'; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (col++ == m.column)
			return (unsigned char)*p;
	}
	return -1;
}

/* Report libyaml's error where an author would look for it. */
static void ydoc_syntax_error(struct ydoc_state *st)
{
	const yaml_parser_t *pr = &st->parser;
	const char *problem = pr->problem ? pr->problem : "syntax error";
	const char *context = pr->context ? pr->context : "";

	if (pr->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a line */
		diag_error(st->d, source_loc(st->src, pr->problem_offset), "%s",
			   problem);
	} else if (strcmp(context, "while scanning a quoted scalar") == 0) {
		diag_error(st->d, ydoc_mark(st, pr->context_mark),
			   "quoted string is not closed");
	} else if (strcmp(context, "while scanning a simple key") == 0) {
		/* the key that lacks its ':' */
		diag_error(st->d, ydoc_mark(st, pr->context_mark), "%s",
			   problem);
	} else if (strcmp(problem, "found character that cannot start any "
				   "token") == 0 &&
		   ydoc_char_at(st, pr->problem_mark) == '\t') {
		diag_error(st->d, ydoc_mark(st, pr->problem_mark),
			   "tab character in indentation; indent with spaces");
	} else {
		diag_error(st->d, ydoc_mark(st, pr->problem_mark), "%s",
			   problem);
	}
}

static int ydoc_next(struct ydoc_state *st, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&st->parser, ev)) {
		ydoc_syntax_error(st);
		st->failed = 1;
		return -1;
	}
	return 0;
}

static int ydoc_refuse_extras(struct ydoc_state *st, const yaml_event_t *ev,
			      const yaml_char_t *anchor,
			      const yaml_char_t *tag, int implicit)
{
	if (anchor) {
		diag_error(st->d, ydoc_mark(st, ev->start_mark),
			   "YAML anchors are not supported");
		return -1;
	}
	if (tag && !implicit) {
		diag_error(st->d, ydoc_mark(st, ev->start_mark),
			   "YAML tags are not supported");
		return -1;
	}
	return 0;
}

static struct ydoc_node *ydoc_node_new(enum ydoc_type t, struct loc loc)
{
	struct ydoc_node *n = xcalloc(1, sizeof(*n));
	n->type = t;
	n->loc = loc;
	return n;
}

static void ydoc_append(size_t count, size_t *cap, struct ydoc_node ***arr,
			struct ydoc_node *child)
{
	if (count == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		*arr = xrealloc(*arr, *cap * sizeof(**arr));
	}
	(*arr)[count] = child;
}

/* A mapping key that can't be used: not a string, or given twice. Reports
 * it (the document is still built, without that pair). */
static int ydoc_bad_key(struct ydoc_state *st, const struct ydoc_node *map,
			size_t count, const struct ydoc_node *key)
{
	if (key->type != YDOC_SCALAR) {
		diag_error(st->d, key->loc, "mapping keys must be plain strings");
		st->soft = 1;
		return 1;
	}
	for (size_t i = 0; i < count; i += 2) {
		const struct ydoc_node *k = map->items[i];
		if (strcmp(k->value, key->value) != 0)
			continue;
		diag_error(st->d, key->loc, "duplicate key '%s'", key->value);
		diag_note(st->d, k->loc, "'%s' was first given here", k->value);
		st->soft = 1;
		return 1;
	}
	return 0;
}

/* Parse one node whose first event is 'ev' (consumed). */
static struct ydoc_node *ydoc_parse_node(struct ydoc_state *st,
					 yaml_event_t *ev, int depth)
{
	struct ydoc_node *node = NULL;
	struct loc loc = ydoc_mark(st, ev->start_mark);

	if (depth > YDOC_MAX_DEPTH) {
		diag_error(st->d, loc, "nesting deeper than %d levels",
			   YDOC_MAX_DEPTH);
		st->failed = 1;
		return NULL;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		diag_error(st->d, loc, "YAML aliases are not supported");
		st->failed = 1;
		return NULL;
	case YAML_SCALAR_EVENT:
		if (ydoc_refuse_extras(st, ev, ev->data.scalar.anchor,
				       ev->data.scalar.tag,
				       ev->data.scalar.plain_implicit ||
					   ev->data.scalar.quoted_implicit) < 0) {
			st->failed = 1;
			return NULL;
		}
		node = ydoc_node_new(YDOC_SCALAR, loc);
		node->value = xstrndup((const char *)ev->data.scalar.value,
				       ev->data.scalar.length);
		node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen(node->value) != ev->data.scalar.length) {
			diag_error(st->d, loc, "NUL character in string");
			st->failed = 1;
		}
		return node;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int is_map = ev->type == YAML_MAPPING_START_EVENT;
		const yaml_char_t *anchor = is_map
					       ? ev->data.mapping_start.anchor
					       : ev->data.sequence_start.anchor;
		const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag
						: ev->data.sequence_start.tag;
		int implicit = is_map ? ev->data.mapping_start.implicit
				      : ev->data.sequence_start.implicit;
		if (ydoc_refuse_extras(st, ev, anchor, tag, implicit) < 0) {
			st->failed = 1;
			return NULL;
		}
		node = ydoc_node_new(is_map ? YDOC_MAP : YDOC_SEQ, loc);
		size_t cap = 0, count = 0;
		yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT
					       : YAML_SEQUENCE_END_EVENT;
		for (;;) {
			yaml_event_t child_ev;
			if (ydoc_next(st, &child_ev) < 0)
				goto fail;
			if (child_ev.type == end) {
				yaml_event_delete(&child_ev);
				break;
			}
			struct ydoc_node *child =
			    ydoc_parse_node(st, &child_ev, depth + 1);
			yaml_event_delete(&child_ev);
			if (!child)
				goto fail;
			if (is_map && count % 2 == 0 && ydoc_bad_key(st, node, count,
								   child)) {
				/* drop the pair: skip the value that follows */
				ydoc_free(child);
				yaml_event_t vev;
				if (ydoc_next(st, &vev) < 0)
					goto fail;
				struct ydoc_node *v =
				    ydoc_parse_node(st, &vev, depth + 1);
				yaml_event_delete(&vev);
				if (!v)
					goto fail;
				ydoc_free(v);
				continue;
			}
			ydoc_append(count, &cap, &node->items, child);
			count++;
		}
		node->n = is_map ? count / 2 : count;
		return node;
	fail:
		node->n = is_map ? (count + 1) / 2 : count;
		if (is_map && count % 2) {
			/* a key without its value: give it a NULL slot */
			ydoc_append(count, &cap, &node->items, NULL);
		}
		ydoc_free(node);
		return NULL;
	}
	default:
		BUG("unexpected YAML event %d", (int)ev->type);
	}
	return NULL;
}

int ydoc_load(struct ydoc_node **out, const struct source *src,
	      struct diag *d)
{
	struct ydoc_state st = { src, d, { 0 }, 0, 0 };
	struct ydoc_node *root = NULL;
	yaml_event_t ev;
	int started = 0;

	*out = NULL;
	yaml_parser_initialize(&st.parser);
	yaml_parser_set_input_string(&st.parser,
				     (const unsigned char *)src->data,
				     src->len);
	yaml_parser_set_encoding(&st.parser, YAML_UTF8_ENCODING);
	for (;;) {
		if (ydoc_next(&st, &ev) < 0)
			break;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT) {
			if (started) {
				diag_error(d, ydoc_mark(&st, ev.start_mark),
					   "only one YAML document is "
					   "allowed per file");
				st.failed = 1;
				yaml_event_delete(&ev);
				break;
			}
			started = 1;
		} else if (t != YAML_STREAM_START_EVENT &&
			   t != YAML_DOCUMENT_END_EVENT) {
			root = ydoc_parse_node(&st, &ev, 0);
			if (!root)
				st.failed = 1;
		}
		yaml_event_delete(&ev);
		if (st.failed)
			break;
	}
	yaml_parser_delete(&st.parser);
	if (!st.failed && !root) {
		diag_error(d, (struct loc){ src->path, 1, 1 },
			   "file is empty");
		st.failed = 1;
	}
	if (st.failed) {
		ydoc_free(root);
		return ET_EINVALID;
	}
	*out = root;
	return st.soft ? ET_EINVALID : 0;
}
