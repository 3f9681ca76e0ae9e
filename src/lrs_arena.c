/* lrs_arena.c -- bump arenas for the JSON of one request */
#include "lrs_arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CHUNK (256 * 1024)
#define BIG (16 * 1024) /* larger blocks get their own malloc */
#define HDR 16          /* header before each block: where it is from */
#define FROM_HEAP 0x68656170u
#define FROM_ARENA 0x6172656eu
#define FROM_BIG 0x62696721u
#define SPARE_MAX 32 /* chunks kept for the next requests (8 MiB) */

struct chunk {
	struct chunk *next;
	size_t used, size;
	/* memory follows, 16-byte aligned */
};

/* a block larger than BIG, owned by the arena */
struct big {
	struct big *next;
	uint32_t pad[2];
	/* then the HDR and the block */
};

struct lrs_arena {
	struct chunk *chunks;
	struct big *bigs;
};

static _Thread_local struct lrs_arena *current;
static int installed;
/* chunks of freed arenas, reused by new ones */
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk *spare;
static int nspare;

static void *heap_alloc(size_t n)
{
	unsigned char *p = malloc(n + HDR);
	if (!p)
		return NULL;
	*(uint32_t *)p = FROM_HEAP;
	return p + HDR;
}

static void *arena_malloc(size_t n)
{
	struct lrs_arena *a = current;
	if (!a)
		return heap_alloc(n);
	if (n > BIG) {
		struct big *b = malloc(sizeof(struct big) + HDR + n);
		if (!b)
			return NULL;
		b->next = a->bigs;
		a->bigs = b;
		unsigned char *p = (unsigned char *)(b + 1);
		*(uint32_t *)p = FROM_BIG;
		return p + HDR;
	}
	size_t need = HDR + ((n + 15) & ~(size_t)15);
	struct chunk *c = a->chunks;
	if (!c || c->used + need > c->size) {
		pthread_mutex_lock(&spare_lock);
		c = spare;
		if (c) {
			spare = c->next;
			nspare--;
		}
		pthread_mutex_unlock(&spare_lock);
		if (!c) {
			c = malloc(sizeof(struct chunk) + 16 + CHUNK);
			if (!c)
				return NULL;
		}
		c->next = a->chunks;
		c->used = (16 - sizeof(struct chunk) % 16) % 16;
		c->size = CHUNK + 16;
		a->chunks = c;
	}
	unsigned char *p = (unsigned char *)(c + 1) + c->used;
	c->used += need;
	*(uint32_t *)p = FROM_ARENA;
	return p + HDR;
}

static void arena_free(void *ptr)
{
	if (!ptr)
		return;
	unsigned char *p = (unsigned char *)ptr - HDR;
	uint32_t tag = *(uint32_t *)p;
	if (tag == FROM_HEAP)
		free(p);
	else if (tag != FROM_ARENA && tag != FROM_BIG)
		BUG("jansson freed memory it did not allocate");
}

void lrs_arena_install(int off)
{
#if defined(__SANITIZE_ADDRESS__)
	(void)arena_malloc;
	(void)arena_free;
	(void)off;
#else
	if (installed || off)
		return;
	json_set_alloc_funcs(arena_malloc, arena_free);
	installed = 1;
#endif
}

int lrs_arena_installed(void)
{
	return installed;
}

struct lrs_arena *lrs_arena_new(void)
{
	return xcalloc(1, sizeof(struct lrs_arena));
}

void lrs_arena_free(struct lrs_arena *a)
{
	if (!a)
		return;
	while (a->bigs) {
		struct big *next = a->bigs->next;
		free(a->bigs);
		a->bigs = next;
	}
	struct chunk *c = a->chunks;
	while (c) {
		struct chunk *next = c->next;
		pthread_mutex_lock(&spare_lock);
		if (nspare < SPARE_MAX) {
			c->next = spare;
			spare = c;
			nspare++;
			c = NULL;
		}
		pthread_mutex_unlock(&spare_lock);
		free(c);
		c = next;
	}
	free(a);
}

struct lrs_arena *lrs_arena_current(void)
{
	return current;
}

struct lrs_arena *lrs_arena_swap(struct lrs_arena *a)
{
	struct lrs_arena *prev = current;
	current = a;
	return prev;
}

void lrs_arena_decref(json_t *j)
{
	if (!installed)
		json_decref(j);
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	buf_add(data, buffer, size);
	return 0;
}

void lrs_arena_dump(const json_t *j, struct buf *out)
{
	if (json_dump_callback(j, dump_cb, out, JSON_COMPACT | JSON_ENCODE_ANY))
		BUG("json_dump_callback failed");
}
