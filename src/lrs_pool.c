/* lrs_pool.c -- helper threads for the CPU work of a request */
#include "lrs_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct job {
	lrs_pool_fn fn;
	void *ctx;
	size_t n, next, done;
	struct job *link; /* the pool's queue */
	pthread_cond_t finished; /* signalled as each task finishes */
	struct lrs_pool *pool;    /* NULL: runs on its caller */
};

struct lrs_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job *queue; /* jobs with indexes left to hand out */
	int stop;
	unsigned nthreads;
	pthread_t *threads;
};

/* Take the next index of 'j' (under the lock); 0 when none is left. */
static int claim(struct lrs_pool *p, struct job *j, size_t *out)
{
	if (j->next >= j->n)
		return 0;
	*out = j->next++;
	if (j->next == j->n) { /* nothing left to hand out: dequeue */
		struct job **q = &p->queue;
		while (*q && *q != j)
			q = &(*q)->link;
		if (*q)
			*q = j->link;
	}
	return 1;
}

static void finish(struct job *j)
{
	j->done++;
	pthread_cond_broadcast(&j->finished);
}

struct start {
	struct lrs_pool *pool;
	unsigned index;
};

static void *worker(void *arg)
{
	struct start st = *(struct start *)arg;
	struct lrs_pool *p = st.pool;
	free(arg);
	struct lrs_pack *pack = lrs_pack_new();
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct job *j = p->queue;
		size_t i;
		if (!j || !claim(p, j, &i)) {
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		j->fn(j->ctx, i, pack, st.index);
		pthread_mutex_lock(&p->lock);
		finish(j);
	}
	pthread_mutex_unlock(&p->lock);
	lrs_pack_free(pack);
	return NULL;
}

struct lrs_pool *lrs_pool_new(unsigned threads)
{
	struct lrs_pool *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	p->threads = xcalloc(threads ? threads : 1, sizeof(*p->threads));
	for (unsigned i = 0; i < threads; i++) {
		struct start *st = xmalloc(sizeof(*st));
		st->pool = p;
		st->index = p->nthreads + 1;
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, st)) {
			free(st);
			break;
		}
		p->nthreads++;
	}
	return p;
}

void lrs_pool_free(struct lrs_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

void lrs_pool_run(struct lrs_pool *p, size_t n, lrs_pool_fn fn, void *ctx,
		  struct lrs_pack *pack)
{
	if (!n)
		return;
	if (!p || !p->nthreads || n == 1) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, i, pack, 0);
		return;
	}
	struct job j;
	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.ctx = ctx;
	j.n = n;
	pthread_cond_init(&j.finished, NULL);
	pthread_mutex_lock(&p->lock);
	j.link = p->queue;
	p->queue = &j;
	pthread_cond_broadcast(&p->work);
	size_t i;
	while (claim(p, &j, &i)) {
		pthread_mutex_unlock(&p->lock);
		fn(ctx, i, pack, 0);
		pthread_mutex_lock(&p->lock);
		finish(&j);
	}
	while (j.done < j.n)
		pthread_cond_wait(&j.finished, &p->lock);
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&j.finished);
}

struct lrs_pool_job {
	struct job j;
};

struct lrs_pool_job *lrs_pool_start(struct lrs_pool *p, size_t n,
				    lrs_pool_fn fn, void *ctx)
{
	struct lrs_pool_job *pj = xcalloc(1, sizeof(*pj));
	struct job *j = &pj->j;
	j->fn = fn;
	j->ctx = ctx;
	j->n = n;
	pthread_cond_init(&j->finished, NULL);
	if (p && p->nthreads && n > 1) {
		j->pool = p;
		pthread_mutex_lock(&p->lock);
		j->link = p->queue;
		p->queue = j;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->lock);
	}
	return pj;
}

int lrs_pool_help(struct lrs_pool_job *pj, struct lrs_pack *pack)
{
	struct job *j = &pj->j;
	size_t i;
	if (!j->pool) {
		if (j->next >= j->n)
			return 0;
		i = j->next++;
		j->fn(j->ctx, i, pack, 0);
		j->done++;
		return 1;
	}
	struct lrs_pool *p = j->pool;
	pthread_mutex_lock(&p->lock);
	int got = claim(p, j, &i);
	pthread_mutex_unlock(&p->lock);
	if (!got)
		return 0;
	j->fn(j->ctx, i, pack, 0);
	pthread_mutex_lock(&p->lock);
	finish(j);
	pthread_mutex_unlock(&p->lock);
	return 1;
}

void lrs_pool_wait_any(struct lrs_pool_job *pj)
{
	struct job *j = &pj->j;
	if (!j->pool)
		return;
	struct lrs_pool *p = j->pool;
	pthread_mutex_lock(&p->lock);
	size_t seen = j->done;
	while (j->done == seen && j->done < j->n)
		pthread_cond_wait(&j->finished, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void lrs_pool_finish(struct lrs_pool_job *pj, struct lrs_pack *pack)
{
	struct job *j = &pj->j;
	while (lrs_pool_help(pj, pack))
		;
	if (j->pool) {
		struct lrs_pool *p = j->pool;
		pthread_mutex_lock(&p->lock);
		while (j->done < j->n)
			pthread_cond_wait(&j->finished, &p->lock);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_cond_destroy(&j->finished);
	free(pj);
}

unsigned lrs_pool_size(const struct lrs_pool *p)
{
	return p ? p->nthreads + 1 : 1;
}

unsigned lrs_pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}
