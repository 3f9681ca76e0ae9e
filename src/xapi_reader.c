/* xapi_reader.c -- read statements one at a time from a JSON array or
 * from JSON Lines, with the position of each */
#include "xapi_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "util.h"

enum { MODE_START, MODE_ARRAY, MODE_SEQ, MODE_DONE };

struct xapi_reader {
	FILE *in;
	const char *name;
	FILE *tee;
	unsigned char chunk[65536];
	size_t at, len; /* next byte, bytes in chunk */
	int eof, ioerr;
	int line, col; /* of the next byte */
	int mode;
	int first;    /* array: no element read yet */
	size_t count; /* elements handed out or rejected */
	struct sha1 sha;
	struct buf elem;
};

struct xapi_reader *xapi_reader_new(FILE *in, const char *name, FILE *tee)
{
	struct xapi_reader *r = xcalloc(1, sizeof(*r));
	r->in = in;
	r->name = name;
	r->tee = tee;
	r->line = 1;
	r->col = 1;
	r->mode = MODE_START;
	r->first = 1;
	sha1_init(&r->sha);
	buf_init(&r->elem);
	return r;
}

void xapi_reader_free(struct xapi_reader *r)
{
	if (!r)
		return;
	buf_free(&r->elem);
	free(r);
}

const char *xapi_reader_raw(const struct xapi_reader *r, size_t *len)
{
	*len = r->elem.len;
	return r->elem.ptr;
}

size_t xapi_reader_count(const struct xapi_reader *r)
{
	return r->count;
}

static int reader_fill(struct xapi_reader *r)
{
	if (r->at < r->len)
		return 1;
	if (r->eof || r->ioerr)
		return 0;
	r->len = fread(r->chunk, 1, sizeof(r->chunk), r->in);
	r->at = 0;
	if (r->len < sizeof(r->chunk)) {
		if (ferror(r->in))
			r->ioerr = errno ? errno : EIO;
		else
			r->eof = 1;
	}
	if (r->len) {
		sha1_update(&r->sha, r->chunk, r->len);
		if (r->tee && fwrite(r->chunk, 1, r->len, r->tee) != r->len)
			r->ioerr = errno ? errno : EIO;
	}
	return r->len > 0;
}

static int reader_peek(struct xapi_reader *r)
{
	return reader_fill(r) ? r->chunk[r->at] : EOF;
}

static int reader_get(struct xapi_reader *r)
{
	if (!reader_fill(r))
		return EOF;
	int c = r->chunk[r->at++];
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		r->col++;
	}
	return c;
}

static int reader_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void reader_skip_ws(struct xapi_reader *r)
{
	int c;
	while ((c = reader_peek(r)) != EOF && reader_ws(c))
		reader_get(r);
}

static struct loc reader_loc(const struct xapi_reader *r)
{
	return (struct loc){ r->name, r->line, r->col };
}

void xapi_reader_label(const struct xapi_pos *pos, char *out, size_t n)
{
	if (pos->array)
		snprintf(out, n, "statement [%zu]", pos->index);
	else
		snprintf(out, n, "statement at line %d", pos->line);
}

static int reader_io_error(struct xapi_reader *r, struct diag *d)
{
	diag_error(d, (struct loc){ r->name, 0, 0 }, "cannot read: %s",
		   strerror(r->ioerr));
	r->mode = MODE_DONE;
	return ET_EIO;
}

/* Structural errors end the reading. */
static int reader_fatal(struct xapi_reader *r, struct diag *d,
			const char *msg)
{
	if (r->ioerr)
		return reader_io_error(r, d);
	diag_report(d, DIAG_ERROR, "json-syntax", reader_loc(r), "%s", msg);
	r->mode = MODE_DONE;
	return ET_EINVALID;
}

/* Copy one JSON value's bytes into r->elem: a container up to its
 * matching bracket, a string up to its closing quote, or a literal up to
 * the next delimiter. Returns 0, or -1 at a premature end of input or
 * when the value is too large. */
static int reader_scan(struct xapi_reader *r)
{
	int depth = 0, in_str = 0, esc = 0, c = reader_peek(r);
	buf_clear(&r->elem);
	if (c != '{' && c != '[' && c != '"') {
		while ((c = reader_peek(r)) != EOF && !reader_ws(c) &&
		       !strchr(",]}[{\"", c)) {
			buf_putc(&r->elem, (char)reader_get(r));
			if (r->elem.len > 4096)
				return -1;
		}
		return r->elem.len ? 0 : -1;
	}
	/* a container or a string: scan the chunk in place */
	while (reader_fill(r)) {
		const unsigned char *p = r->chunk + r->at;
		const unsigned char *start = p, *end = r->chunk + r->len;
		int done = 0;
		while (p < end && !done) {
			c = *p++;
			if (c == '\n') {
				r->line++;
				r->col = 1;
			} else if ((c & 0xC0) != 0x80) {
				r->col++;
			}
			if (in_str) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					in_str = 0, done = depth == 0;
			} else if (c == '"') {
				in_str = 1;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if (c == '}' || c == ']') {
				done = --depth == 0;
			}
		}
		buf_add(&r->elem, start, (size_t)(p - start));
		r->at = (size_t)(p - r->chunk);
		if (done)
			return 0;
		if (r->elem.len > XAPI_READER_MAX_STATEMENT)
			return -1;
	}
	return -1;
}

int xapi_reader_next(struct xapi_reader *r, json_t **out,
		     struct xapi_pos *pos, struct diag *d)
{
	*out = NULL;
	if (r->mode == MODE_DONE)
		return 0;
	reader_skip_ws(r);
	if (r->ioerr)
		return reader_io_error(r, d);
	if (r->mode == MODE_START) {
		int c = reader_peek(r);
		if (c == EOF) {
			r->mode = MODE_DONE;
			return 0;
		}
		if (c == '[') {
			reader_get(r);
			r->mode = MODE_ARRAY;
		} else {
			r->mode = MODE_SEQ;
		}
	}
	if (r->mode == MODE_ARRAY) {
		reader_skip_ws(r);
		int c = reader_peek(r);
		if (!r->first) {
			if (c == ',') {
				reader_get(r);
				reader_skip_ws(r);
				c = reader_peek(r);
				if (c == ']')
					return reader_fatal(
					    r, d, "expected a statement after ','");
			} else if (c != ']') {
				return reader_fatal(
				    r, d,
				    c == EOF ? "the array of statements is not "
					       "closed with ']'"
					     : "expected ',' or ']' after a "
					       "statement");
			}
		}
		if (c == ']') {
			reader_get(r);
			reader_skip_ws(r);
			if (reader_peek(r) != EOF)
				return reader_fatal(
				    r, d,
				    "unexpected data after the array of "
				    "statements");
			r->mode = MODE_DONE;
			return r->ioerr ? reader_io_error(r, d) : 0;
		}
		if (c == EOF)
			return reader_fatal(r, d,
					    "the array of statements is not "
					    "closed with ']'");
		r->first = 0;
	} else if (reader_peek(r) == EOF) {
		r->mode = MODE_DONE;
		return r->ioerr ? reader_io_error(r, d) : 0;
	} else if (reader_peek(r) != '{' && reader_peek(r) != '[') {
		/* not JSON Lines: report once per line, go on at the next */
		struct loc l = reader_loc(r);
		char label[64];
		struct xapi_pos p = { r->count++, 0, r->line, r->col };
		xapi_reader_label(&p, label, sizeof(label));
		int c;
		while ((c = reader_peek(r)) != EOF && c != '\n')
			reader_get(r);
		if (r->ioerr)
			return reader_io_error(r, d);
		diag_report(d, DIAG_ERROR, "json-syntax", l,
			    "%s: expected a JSON object", label);
		return ET_EINVALID;
	}

	pos->index = r->count++;
	pos->array = r->mode == MODE_ARRAY;
	pos->line = r->line;
	pos->col = r->col;
	char label[64];
	xapi_reader_label(pos, label, sizeof(label));
	if (reader_scan(r) < 0) {
		if (r->ioerr)
			return reader_io_error(r, d);
		char msg[160];
		snprintf(msg, sizeof(msg), "%s: %s", label,
			 r->elem.len > XAPI_READER_MAX_STATEMENT
			     ? "is larger than 64 MiB"
			 : reader_peek(r) == EOF ? "the input ends inside it"
						 : "is not a JSON value");
		return reader_fatal(r, d, msg);
	}
	json_error_t err;
	json_t *j = json_loadb(r->elem.ptr, r->elem.len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!j) {
		struct loc l = { r->name, pos->line, pos->col };
		if (err.line > 1) {
			l.line = pos->line + err.line - 1;
			l.col = err.column > 0 ? err.column : 1;
		} else if (err.column > 0) {
			l.col = pos->col + err.column - 1;
		}
		diag_report(d, DIAG_ERROR, "json-syntax", l,
			    "%s: invalid JSON: %s", label, err.text);
		return ET_EINVALID;
	}
	*out = j;
	return 1;
}

int xapi_reader_finish(struct xapi_reader *r, unsigned char out[SHA1_LEN],
		       struct diag *d)
{
	while (reader_fill(r))
		r->at = r->len;
	if (r->ioerr) {
		reader_io_error(r, d);
		return ET_EIO;
	}
	sha1_final(&r->sha, out);
	return 0;
}
