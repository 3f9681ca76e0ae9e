/* diag.c -- located diagnostics: what went wrong in the input, and where */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "util.h"

void diag_init(struct diag *d, diag_sink_fn sink, void *payload)
{
	d->sink = sink;
	d->payload = payload;
	d->errors = 0;
	d->warnings = 0;
}

static void diag_emit(struct diag *d, enum diag_severity sev,
		      const char *rule, struct loc loc, const char *fmt,
		      va_list ap)
{
	if (sev == DIAG_ERROR)
		d->errors++;
	else if (sev == DIAG_WARNING)
		d->warnings++;
	if (!d->sink)
		return;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("bad format '%s'", fmt);
	char *msg = xmalloc((size_t)n + 1);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	struct diag_msg m = { sev, loc, rule, msg };
	d->sink(&m, d->payload);
	free(msg);
}

void diag_error(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_emit(d, DIAG_ERROR, NULL, loc, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_emit(d, DIAG_WARNING, NULL, loc, fmt, ap);
	va_end(ap);
}

void diag_note(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_emit(d, DIAG_NOTE, NULL, loc, fmt, ap);
	va_end(ap);
}

void diag_report(struct diag *d, enum diag_severity sev, const char *rule,
		 struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_emit(d, sev, rule, loc, fmt, ap);
	va_end(ap);
}

const char *diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	case DIAG_NOTE:
		return "note";
	}
	return "error";
}

void diag_sink_first(const struct diag_msg *m, void *payload)
{
	struct buf *b = payload;
	if (!b->len)
		buf_puts(b, m->text);
}
