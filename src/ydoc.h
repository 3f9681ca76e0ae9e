/* ydoc.h -- YAML documents as a small tree whose every node knows its place
 *
 * Wraps libyaml's event parser. Only plain block YAML is accepted: one
 * document of mappings, sequences and scalars. Anchors, aliases and tags
 * are refused, and so are duplicate keys, each with a diagnostic. */
#ifndef ET_YDOC_H
#define ET_YDOC_H

#include <stddef.h>

#include "diag.h"
#include "source.h"

enum ydoc_type { YDOC_SCALAR, YDOC_MAP, YDOC_SEQ };

struct ydoc_node {
	enum ydoc_type type;
	struct loc loc;           /* where the node starts */
	char *value;              /* SCALAR: its text; owned */
	int plain;                /* SCALAR: 1 when unquoted */
	size_t n;                 /* SEQ: items; MAP: key/value pairs */
	struct ydoc_node **items; /* SEQ: n items; MAP: 2n, key then value */
};

/* Parse 'src' into a tree. Returns 0, or ET_EINVALID after reporting.
 * Some errors (a duplicate key, a key that is not a string) still leave a
 * usable tree in *out, without the offending pair, so that the caller can
 * report the rest of the file's problems in the same run. */
int ydoc_load(struct ydoc_node **out, const struct source *src,
	      struct diag *d);
void ydoc_free(struct ydoc_node *node);

/* The type as a word for messages: "a string", "a mapping", "a list" */
const char *ydoc_type_name(enum ydoc_type t);

#endif
