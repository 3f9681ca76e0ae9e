/* xapi_reader.h -- read statements one at a time from a JSON array or
 * from JSON Lines, with the position of each
 *
 * The input is either one JSON array of statements, or a sequence of JSON
 * values separated by white space: JSON Lines (one statement per line)
 * and a single, possibly pretty-printed, statement are both sequences.
 * The first non-blank byte decides: '[' is an array, anything else a
 * sequence. Only one statement is in memory at a time, so any input size
 * reads in constant memory (a statement may be at most
 * XAPI_READER_MAX_STATEMENT bytes).
 *
 * Every byte read is hashed (SHA-1), and can be copied to a 'tee' file:
 * 'etoolbox send' keys its journal on the hash and spools standard input
 * with the tee. */
#ifndef ET_XAPI_READER_H
#define ET_XAPI_READER_H

#include <jansson.h>
#include <stdio.h>

#include "diag.h"
#include "sha1.h"

#define XAPI_READER_MAX_STATEMENT (64u << 20)

/* Where a statement was in the input. */
struct xapi_pos {
	size_t index; /* 0-based: its index in the array, or its ordinal */
	int array;    /* 1 when the input is a JSON array */
	int line;     /* 1-based line and column (characters) of its start */
	int col;
};

struct xapi_reader;

/* Start reading 'in' ('name' is used in locations; both are borrowed and
 * must outlive the reader). 'tee', when not NULL, receives a copy of every
 * byte read. */
struct xapi_reader *xapi_reader_new(FILE *in, const char *name, FILE *tee);
void xapi_reader_free(struct xapi_reader *r);

/* Read the next statement. Returns 1 with *out (a new reference the
 * caller releases) and *pos set; 0 at the end of the input; ET_EINVALID
 * when this statement is not valid JSON (reported; call again to go on
 * with the next one); ET_EIO when reading failed (reported). A broken
 * structure (an unterminated array, a missing ',') is reported, and the
 * following call returns 0. */
int xapi_reader_next(struct xapi_reader *r, json_t **out,
		     struct xapi_pos *pos, struct diag *d);

/* The bytes of the statement the last call returned, as they are in the
 * input; valid until the next call. */
const char *xapi_reader_raw(const struct xapi_reader *r, size_t *len);

/* "statement [3]" for an array element, "statement at line 7" for a
 * statement of a sequence. */
void xapi_reader_label(const struct xapi_pos *pos, char *out, size_t n);

/* Read to the end of the input, without parsing, and give the SHA-1 of
 * every byte of it. Returns 0 or ET_EIO (reported). */
int xapi_reader_finish(struct xapi_reader *r, unsigned char out[SHA1_LEN],
		       struct diag *d);

/* Statements returned so far. */
size_t xapi_reader_count(const struct xapi_reader *r);

#endif
