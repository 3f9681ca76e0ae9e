/* diag.h -- located diagnostics: what went wrong in the input, and where
 *
 * Every core entry point takes a struct diag * as its last parameter and
 * reports problems through it; core code never prints. The CLI installs a
 * sink that prints "file:line:col: severity: message"; tests install one
 * that collects.
 *
 * Lines and columns are 1-based. Columns count characters (Unicode code
 * points), not bytes, so a caret lines up under the character in a UTF-8
 * terminal. A location with line 0 has no position; with file NULL it is
 * printed as "etoolbox: severity: message". */
#ifndef ET_DIAG_H
#define ET_DIAG_H

#include <stddef.h>

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct loc {
	const char *file; /* path as the user gave it; not owned */
	int line;         /* 1-based; 0 = no position */
	int col;          /* 1-based, in characters */
};

#define LOC_NONE ((struct loc){ NULL, 0, 0 })

/* One diagnostic, as a sink receives it. Valid during the call only. */
struct diag_msg {
	enum diag_severity sev;
	struct loc loc;
	const char *rule; /* a rule id such as "href-missing", or NULL */
	const char *text; /* the message: lowercase, no final period */
};

typedef void (*diag_sink_fn)(const struct diag_msg *m, void *payload);

struct diag {
	diag_sink_fn sink; /* NULL: messages are counted, not shown */
	void *payload;     /* passed to sink */
	size_t errors;     /* errors reported so far */
	size_t warnings;   /* warnings reported so far */
};

void diag_init(struct diag *d, diag_sink_fn sink, void *payload);
void diag_error(struct diag *d, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(struct diag *d, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(struct diag *d, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report with a rule id, for checks that users look up or filter by rule. */
void diag_report(struct diag *d, enum diag_severity sev, const char *rule,
		 struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
const char *diag_severity_name(enum diag_severity sev);

/* A sink that keeps the text of the first message in 'payload', a
 * struct buf, and drops the rest: for callers that answer with one
 * message (an HTTP 400, say). */
void diag_sink_first(const struct diag_msg *m, void *payload);

#endif
