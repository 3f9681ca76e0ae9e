/* util.h -- allocation that never fails, BUG(), and file and path helpers */
#ifndef ET_UTIL_H
#define ET_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "errors.h"

/* Allocate or die: on out-of-memory these print "etoolbox: out of memory"
 * and abort. They are the only core functions allowed to print. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string that the caller frees */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report an internal invariant violation and abort. Never for user errors. */
#define BUG(...) util_bug(__FILE__, __LINE__, __VA_ARGS__)
void util_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* Read a whole file into a new NUL-terminated buffer. *out_len excludes the
 * NUL. Returns 0, or ET_ENOTFOUND / ET_EIO with errno left set. */
int util_read_file(char **out, size_t *out_len, const char *path);

/* The value of hex digit 'c' (either case), or -1. */
int util_hex_value(int c);

/* Standard base64 (RFC 4648, with padding) of 'len' bytes. Caller frees. */
char *util_base64(const void *data, size_t len);

/* Join a directory and a relative path with one '/'. Caller frees. */
char *path_join(const char *dir, const char *rel);
/* The directory part of a path ("." when there is none). Caller frees. */
char *path_dirname(const char *path);
/* Normalize a relative path in place: drop "." and empty segments and
 * resolve "..". Returns 0, or -1 when ".." would climb above the start or
 * the path is absolute. */
int path_normalize(char *path);
/* 1 when the file exists and is a regular file */
int path_is_file(const char *path);
/* The extension of a file name without the dot, "" when none */
const char *path_ext(const char *path);

#endif
