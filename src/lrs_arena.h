/* lrs_arena.h -- memory for the JSON of one request: jansson's many
 * small allocations come from bump arenas that are freed in one go when
 * the request is answered, instead of from malloc one by one
 *
 * lrs_arena_install routes jansson's allocations through this module
 * (json_set_alloc_funcs); the server calls it once at start, before any
 * JSON exists. After that, a thread allocates from the arena it made
 * current with lrs_arena_swap, or from malloc when it has none; freeing
 * arena memory does nothing until lrs_arena_free, which frees the arena's
 * blocks, large ones included, and keeps up to 8 MiB of chunks for the
 * next arenas. Every JSON value made
 * in an arena must be gone before the arena is freed: the server keeps no
 * JSON between requests.
 *
 * Not installed, everything here still works and jansson uses malloc
 * (tests, fuzzing, and the sanitizer and valgrind runs, which should see
 * each allocation: ASan builds never install it, and
 * ETOOLBOX_LRS_ARENA=0 turns it off).
 *
 * Because json_dumps returns memory from these allocators, LRS code
 * serializes with lrs_arena_dump into a struct buf instead. */
#ifndef ET_LRS_ARENA_H
#define ET_LRS_ARENA_H

#include <jansson.h>

#include "buf.h"

struct lrs_arena;

/* Route jansson's allocations here. Does nothing in ASan builds, or when
 * 'off' (the command passes ETOOLBOX_LRS_ARENA=0 on as off). */
void lrs_arena_install(int off);
/* 1 when installed */
int lrs_arena_installed(void);

struct lrs_arena *lrs_arena_new(void);
/* Free all the arena's memory. It must not be current on any thread. */
void lrs_arena_free(struct lrs_arena *a);
/* Make 'a' (or NULL: malloc) the calling thread's arena; returns the one
 * that was. */
struct lrs_arena *lrs_arena_swap(struct lrs_arena *a);

/* The calling thread's arena, or NULL. */
struct lrs_arena *lrs_arena_current(void);

/* Release 'j', a value made in an arena: nothing to do when arenas are
 * installed (freeing the arena frees it), json_decref otherwise. Big
 * trees are released this way, which spares a walk over every value. */
void lrs_arena_decref(json_t *j);

/* Append the compact JSON of 'j' to 'out'. */
void lrs_arena_dump(const json_t *j, struct buf *out);

#endif
