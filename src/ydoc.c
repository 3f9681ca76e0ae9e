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
	int failed;
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

static int ydoc_next(struct ydoc_state *st, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&st->parser, ev)) {
		const char *problem = st->parser.problem ? st->parser.problem
							 : "syntax error";
		yaml_mark_t m = st->parser.problem_mark;
		if (st->parser.error == YAML_READER_ERROR) {
			/* reader errors carry a byte offset, not a line */
			diag_error(st->d,
				   source_loc(st->src, st->parser.problem_offset),
				   "%s", problem);
		} else {
			diag_error(st->d, ydoc_mark(st, m), "%s", problem);
		}
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
			if (is_map && count % 2 == 0) {
				if (child->type != YDOC_SCALAR) {
					diag_error(st->d, child->loc,
						   "mapping keys must be plain "
						   "strings");
					st->failed = 1;
				} else {
					for (size_t i = 0; i < count; i += 2) {
						struct ydoc_node *k =
						    node->items[i];
						if (strcmp(k->value,
							   child->value))
							continue;
						diag_error(st->d, child->loc,
							   "duplicate key '%s'",
							   child->value);
						diag_note(st->d, k->loc,
							  "'%s' was first "
							  "given here",
							  k->value);
						st->failed = 1;
						break;
					}
				}
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
	struct ydoc_state st = { src, d, { 0 }, 0 };
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
	return 0;
}
