/* buf.h -- growable byte buffer used for all string building
 *
 * Invariants: ptr is never NULL after buf_init (it points at a static ""
 * until the first append), ptr[len] is always '\0', and len excludes it. */
#ifndef ET_BUF_H
#define ET_BUF_H

#include <stddef.h>

struct buf {
	char *ptr;  /* contents, NUL-terminated */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated; 0 while ptr is the static "" */
};

#define BUF_INIT { buf__empty, 0, 0 }
extern char buf__empty[1];

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_clear(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand the contents to the caller (who frees them) and reset the buffer. */
char *buf_detach(struct buf *b, size_t *out_len);

#endif
