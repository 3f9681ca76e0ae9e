/* lrs_pool.h -- a few threads that share the CPU work of one request
 * (parsing, validating and packing the statements of a batch)
 *
 * lrs_pool_run hands out the indexes 0..n-1 of a job to the pool's
 * threads and to the calling thread, one at a time, and returns when all
 * are done. Several requests may run jobs at once. Each thread passes its
 * own struct lrs_pack (zlib streams) to the task. */
#ifndef ET_LRS_POOL_H
#define ET_LRS_POOL_H

#include <stddef.h>

#include "lrs_pack.h"

struct lrs_pool;

/* A pool of 'threads' helpers (0: every job runs on its caller). */
struct lrs_pool *lrs_pool_new(unsigned threads);
void lrs_pool_free(struct lrs_pool *p);

/* 'worker' is 0 on the calling thread, 1..lrs_pool_size-1 on the pool's;
 * one thread at a time works as a given worker of a job. */
typedef void (*lrs_pool_fn)(void *ctx, size_t i, struct lrs_pack *pack,
			    unsigned worker);

/* Workers a job may have: the pool's threads and the caller. */
unsigned lrs_pool_size(const struct lrs_pool *p);

/* Run fn(ctx, i, pack, worker) for every i in 0..n-1; 'pack' is the
 * caller's. */
void lrs_pool_run(struct lrs_pool *p, size_t n, lrs_pool_fn fn, void *ctx,
		  struct lrs_pack *pack);

/* The same, a step at a time, for a caller that consumes results as
 * they come: lrs_pool_start queues the job and returns; lrs_pool_help
 * runs one of its tasks on the caller (returns 0 when none is left to
 * start); lrs_pool_wait_any waits until some task finishes (at once when
 * all have); lrs_pool_finish runs what is left, waits for all, and frees
 * the job. A task tells the caller it is done through its context. */
struct lrs_pool_job;
struct lrs_pool_job *lrs_pool_start(struct lrs_pool *p, size_t n,
				    lrs_pool_fn fn, void *ctx);
int lrs_pool_help(struct lrs_pool_job *j, struct lrs_pack *pack);
void lrs_pool_wait_any(struct lrs_pool_job *j);
void lrs_pool_finish(struct lrs_pool_job *j, struct lrs_pack *pack);

/* The number of CPUs this process may use (at least 1). */
unsigned lrs_pool_cpus(void);

#endif
