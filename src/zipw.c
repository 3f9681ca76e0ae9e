/* zipw.c -- deterministic, parallel zip writer
 *
 * The writer thread walks the sorted entries in order. Worker threads
 * prepare entries ahead of it, within a small window: they read the file
 * (up to ZIPW_MEM_LIMIT), compute its CRC and compress it. The writer
 * waits for entry i, writes its local header and data, and moves on. An
 * entry too big to hold in memory is streamed by the writer itself, and
 * its header is patched once its CRC and sizes are known. The central
 * directory goes at the end.
 *
 * Invariant: prep[i] is touched by at most one worker (the one that took
 * job i) until ready is set, and after that only by the writer. */
#include "zipw.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "errors.h"
#include "util.h"

#define ZIPW_CHUNK ((size_t)256 << 10)
#define ZIPW_MAX_JOBS 8
#define ZIPW_MAX_32 0xFFFFFFFFu

/* What a worker made of one entry */
struct zipw_prep {
	int taken;        /* a worker has it */
	int ready;        /* the writer may use it */
	int stream;       /* too big: the writer streams the file */
	int err;          /* errno of a failed read, or 0 */
	uint16_t method;  /* 0 store, 8 deflate */
	uint32_t crc;
	uint64_t usize, csize;
	unsigned char *buf; /* the bytes to write */
	int owned;          /* buf is ours to free */
};

struct zipw_cache_item {
	const void *data;
	size_t len;
	int level;
	struct zipw_prep prep; /* owned buf */
};

struct zipw_cache {
	size_t n, cap;
	struct zipw_cache_item *v;
};

struct zipw_jobs {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job may be available */
	pthread_cond_t done; /* a job finished */
	struct zipw_entry *e;
	struct zipw_prep *p;
	size_t n;
	size_t next;  /* lowest job not yet taken */
	size_t limit; /* workers take jobs below this */
	int level;
	int stop;
};

struct zipw_cache *zipw_cache_new(void)
{
	return xcalloc(1, sizeof(struct zipw_cache));
}

void zipw_cache_free(struct zipw_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].prep.buf);
	free(c->v);
	free(c);
}

static struct zipw_prep *zipw_cache_find(struct zipw_cache *c,
					 const struct zipw_entry *e, int level)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->v[i].data == e->data && c->v[i].len == e->len &&
		    c->v[i].level == level)
			return &c->v[i].prep;
	return NULL;
}

/* Keep a prepared shared entry: the cache takes its buffer. */
static void zipw_cache_put(struct zipw_cache *c, const struct zipw_entry *e,
			   int level, struct zipw_prep *p)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	struct zipw_cache_item *it = &c->v[c->n++];
	it->data = e->data;
	it->len = e->len;
	it->level = level;
	it->prep = *p;
	if (!p->owned) { /* the bytes belong to the entry: copy them */
		it->prep.buf = xmalloc(p->csize ? p->csize : 1);
		memcpy(it->prep.buf, p->buf, p->csize);
	}
	it->prep.owned = 1;
	p->owned = 0; /* the cache frees it now */
	p->buf = it->prep.buf;
}

int zipw_is_compressed(const char *name)
{
	static const char *const exts[] = {
		"png", "jpg", "jpeg", "gif", "webp", "avif", "mp4", "m4v",
		"webm", "mov", "mp3", "m4a", "ogg", "oga", "ogv", "opus",
		"pdf", "woff", "woff2", "zip", "gz", "bz2", "xz", "zst",
		"7z", "docx", "xlsx", "pptx", "odt", "epub", NULL
	};
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');
	if (!dot || (slash && dot < slash))
		return 0;
	for (size_t i = 0; exts[i]; i++)
		if (strcasecmp(dot + 1, exts[i]) == 0)
			return 1;
	return 0;
}

static int zipw_cmp(const void *a, const void *b)
{
	const struct zipw_entry *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* DOS date and time of 't' in UTC; clamped to 1980-2107. */
static void zipw_dostime(time_t t, uint16_t *dtime, uint16_t *ddate)
{
	struct tm tm;
	if (t < 315532800) /* 1980-01-01 */
		t = 315532800;
	gmtime_r(&t, &tm);
	if (tm.tm_year > 207) {
		tm.tm_year = 207;
		tm.tm_mon = 11;
		tm.tm_mday = 31;
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 58;
	}
	*dtime = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) |
			    (tm.tm_sec / 2));
	*ddate = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) |
			    tm.tm_mday);
}

/* Read a whole file of at most ZIPW_MEM_LIMIT bytes; larger ones set
 * p->stream. Returns the bytes, or NULL with p->err or p->stream set. */
static unsigned char *zipw_slurp(const char *path, size_t *len,
				 struct zipw_prep *p)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *data = NULL;
	if (fd < 0 || fstat(fd, &st) < 0) {
		p->err = errno ? errno : EIO;
		goto done;
	}
	if ((uint64_t)st.st_size > ZIPW_MEM_LIMIT) {
		p->stream = 1;
		goto done;
	}
	size_t want = (size_t)st.st_size, got = 0;
	data = xmalloc(want ? want : 1);
	while (got < want) {
		ssize_t r = read(fd, data + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			p->err = r < 0 ? errno : EIO; /* shrank while read */
			free(data);
			data = NULL;
			goto done;
		}
		got += (size_t)r;
	}
	*len = got;
done:
	if (fd >= 0)
		close(fd);
	return data;
}

/* Prepare one entry: read, CRC, compress. Runs in a worker. */
static void zipw_prepare(const struct zipw_entry *e, struct zipw_prep *p,
			 int level, struct libdeflate_compressor **comp)
{
	const unsigned char *in = e->data;
	size_t len = e->len;
	unsigned char *owned_in = NULL;

	if (e->file) {
		owned_in = zipw_slurp(e->file, &len, p);
		if (!owned_in)
			return; /* error or streamed */
		in = owned_in;
	}
	p->crc = (uint32_t)libdeflate_crc32(0, in, len);
	p->usize = len;
	if (!zipw_is_compressed(e->name) && len > 0) {
		if (!*comp)
			*comp = libdeflate_alloc_compressor(level);
		if (!*comp)
			BUG("libdeflate_alloc_compressor(%d) failed", level);
		size_t bound = libdeflate_deflate_compress_bound(*comp, len);
		unsigned char *out = xmalloc(bound);
		size_t n = libdeflate_deflate_compress(*comp, in, len, out,
						       bound);
		if (n > 0 && n < len) {
			p->method = 8;
			p->csize = n;
			p->buf = out;
			p->owned = 1;
			free(owned_in);
			return;
		}
		free(out); /* deflate would not make it smaller: store */
	}
	p->method = 0;
	p->csize = len;
	p->buf = (unsigned char *)in;
	p->owned = owned_in != NULL;
}

static void *zipw_worker(void *arg)
{
	struct zipw_jobs *j = arg;
	struct libdeflate_compressor *comp = NULL;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->stop && j->next < j->n &&
		       (j->p[j->next].taken || j->p[j->next].ready))
			j->next++;
		if (j->stop || j->next >= j->n)
			break;
		if (j->next >= j->limit) {
			pthread_cond_wait(&j->work, &j->mu);
			continue;
		}
		size_t i = j->next++;
		j->p[i].taken = 1;
		pthread_mutex_unlock(&j->mu);
		zipw_prepare(&j->e[i], &j->p[i], j->level, &comp);
		pthread_mutex_lock(&j->mu);
		j->p[i].ready = 1;
		pthread_cond_broadcast(&j->done);
	}
	pthread_mutex_unlock(&j->mu);
	libdeflate_free_compressor(comp);
	return NULL;
}

/* SCORM 1.2 packages are plain PKZIP 2.0: no zip64, so 4 GiB at most */
static int zipw_too_big(const char *what, struct diag *d)
{
	diag_error(d, LOC_NONE,
		   "'%s' is over 4 GiB; SCORM 1.2 packages can't use zip64",
		   what);
	return ET_EINVALID;
}

/* Little-endian writers into a header buffer */
static unsigned char *put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)((v >> 8) & 0xFF);
	return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
	p = put16(p, v & 0xFFFF);
	return put16(p, v >> 16);
}

struct zipw_out {
	FILE *f;
	const char *path;
	uint64_t pos;
	int failed; /* errno of the first write error */
};

static void zipw_put(struct zipw_out *o, const void *data, size_t len)
{
	if (o->failed || len == 0)
		return;
	if (fwrite(data, 1, len, o->f) != len)
		o->failed = errno ? errno : EIO;
	o->pos += len;
}

/* The fields from "version needed" to "extra length", shared by the
 * local and central headers. */
static unsigned char *zipw_common(unsigned char *p, const char *name,
				  uint16_t method, uint16_t dtime,
				  uint16_t ddate, uint32_t crc, uint64_t csize,
				  uint64_t usize)
{
	int utf8 = 0;
	for (const char *c = name; *c; c++)
		utf8 |= (unsigned char)*c >= 0x80;
	p = put16(p, 20);                    /* version needed: 2.0 */
	p = put16(p, utf8 ? 0x0800 : 0);     /* flags: UTF-8 name */
	p = put16(p, method);
	p = put16(p, dtime);
	p = put16(p, ddate);
	p = put32(p, crc);
	p = put32(p, (uint32_t)csize);
	p = put32(p, (uint32_t)usize);
	p = put16(p, (uint32_t)strlen(name));
	p = put16(p, 0);                     /* extra field length */
	return p;
}

/* Stream a big file: store it, or deflate it with zlib, then patch the
 * local header at 'hdr' with the CRC and sizes. */
static int zipw_stream(struct zipw_out *o, const struct zipw_entry *e,
		       uint64_t hdr, int level, struct zipw_prep *p,
		       struct diag *d)
{
	int fd = open(e->file, O_RDONLY | O_CLOEXEC);
	unsigned char *in = NULL, *out = NULL;
	z_stream zs;
	int deflating = !zipw_is_compressed(e->name), zinit = 0, err = ET_EIO;
	uLong crc = crc32(0, NULL, 0);

	memset(&zs, 0, sizeof(zs));
	if (fd < 0) {
		diag_error(d, LOC_NONE, "cannot read '%s': %s", e->file,
			   strerror(errno));
		goto done;
	}
	in = xmalloc(ZIPW_CHUNK);
	out = xmalloc(ZIPW_CHUNK);
	if (deflating) {
		if (deflateInit2(&zs, level > 9 ? 9 : level, Z_DEFLATED, -15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			BUG("deflateInit2 failed");
		zinit = 1;
	}
	uint64_t usize = 0, start = o->pos;
	for (;;) {
		ssize_t r = read(fd, in, ZIPW_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diag_error(d, LOC_NONE, "cannot read '%s': %s",
				   e->file, strerror(errno));
			goto done;
		}
		usize += (uint64_t)r;
		crc = crc32(crc, in, (uInt)r);
		if (!deflating) {
			zipw_put(o, in, (size_t)r);
		} else {
			zs.next_in = in;
			zs.avail_in = (uInt)r;
			int flush = r == 0 ? Z_FINISH : Z_NO_FLUSH;
			int zr;
			do {
				zs.next_out = out;
				zs.avail_out = (uInt)ZIPW_CHUNK;
				zr = deflate(&zs, flush);
				zipw_put(o, out, ZIPW_CHUNK - zs.avail_out);
			} while (zs.avail_out == 0 && zr != Z_STREAM_END);
		}
		if (r == 0)
			break;
	}
	p->method = deflating ? 8 : 0;
	p->crc = (uint32_t)crc;
	p->usize = usize;
	p->csize = o->pos - start;
	if (p->usize > ZIPW_MAX_32 || p->csize > ZIPW_MAX_32) {
		err = zipw_too_big(e->file, d);
		goto done;
	}
	/* patch method, CRC and sizes into the local header */
	unsigned char fix[16], *q = fix;
	q = put16(q, p->method);
	if (fflush(o->f) != 0 && !o->failed)
		o->failed = errno ? errno : EIO;
	if (!o->failed &&
	    pwrite(fileno(o->f), fix, 2, (off_t)(hdr + 8)) != 2)
		o->failed = errno ? errno : EIO;
	q = fix;
	q = put32(q, p->crc);
	q = put32(q, (uint32_t)p->csize);
	put32(q, (uint32_t)p->usize);
	if (!o->failed &&
	    pwrite(fileno(o->f), fix, 12, (off_t)(hdr + 14)) != 12)
		o->failed = errno ? errno : EIO;
	err = 0;
done:
	if (zinit)
		deflateEnd(&zs);
	free(in);
	free(out);
	if (fd >= 0)
		close(fd);
	return err;
}

static int zipw_jobs_count(const struct zipw_options *opt, size_t n)
{
	long jobs = opt->jobs > 0 ? opt->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	if (jobs < 1)
		jobs = 1;
	if (jobs > ZIPW_MAX_JOBS)
		jobs = ZIPW_MAX_JOBS;
	if ((size_t)jobs > n)
		jobs = (long)(n ? n : 1);
	return (int)jobs;
}

int zipw_write(const char *path, struct zipw_entry *entries, size_t n,
	       const struct zipw_options *opt, struct diag *d)
{
	struct zipw_out o = { NULL, path, 0, 0 };
	struct zipw_prep *prep = xcalloc(n + 1, sizeof(*prep));
	uint64_t *offsets = xcalloc(n + 1, sizeof(*offsets));
	struct zipw_jobs j;
	pthread_t threads[ZIPW_MAX_JOBS];
	int nthreads = 0, err = ET_EIO, level = opt->level;
	uint16_t dtime, ddate;
	char *iobuf = NULL;

	if (level < 1 || level > 12)
		level = 6;
	if (n > 65535) {
		diag_error(d, LOC_NONE,
			   "'%s' would hold %zu files; a zip without zip64 "
			   "holds at most 65535",
			   path, n);
		free(prep);
		free(offsets);
		return ET_EINVALID;
	}
	qsort(entries, n, sizeof(*entries), zipw_cmp);
	zipw_dostime(opt->mtime, &dtime, &ddate);
	for (size_t i = 0; i < n; i++) {
		const struct zipw_prep *hit =
		    entries[i].shared && !entries[i].file
			? zipw_cache_find(opt->cache, &entries[i], level)
			: NULL;
		if (hit) {
			prep[i] = *hit;
			prep[i].owned = 0;
			prep[i].ready = 1;
		}
	}

	o.f = fopen(path, "wb");
	if (!o.f) {
		diag_error(d, LOC_NONE, "cannot create '%s': %s", path,
			   strerror(errno));
		free(prep);
		free(offsets);
		return ET_EIO;
	}
	iobuf = xmalloc(ZIPW_CHUNK);
	setvbuf(o.f, iobuf, _IOFBF, ZIPW_CHUNK);

	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.work, NULL);
	pthread_cond_init(&j.done, NULL);
	j.e = entries;
	j.p = prep;
	j.n = n;
	j.next = 0;
	j.level = level;
	j.stop = 0;
	int jobs = zipw_jobs_count(opt, n);
	size_t window = (size_t)jobs * 2;
	j.limit = window < n ? window : n;
	for (int t = 0; t < jobs; t++) {
		if (pthread_create(&threads[t], NULL, zipw_worker, &j) != 0)
			break;
		nthreads++;
	}
	if (nthreads == 0)
		BUG("cannot start a compression thread");

	for (size_t i = 0; i < n; i++) {
		struct zipw_entry *e = &entries[i];
		struct zipw_prep *p = &prep[i];
		pthread_mutex_lock(&j.mu);
		j.limit = i + window < n ? i + window : n;
		pthread_cond_broadcast(&j.work);
		while (!p->ready)
			pthread_cond_wait(&j.done, &j.mu);
		pthread_mutex_unlock(&j.mu);
		if (p->err) {
			diag_error(d, LOC_NONE, "cannot read '%s': %s",
				   e->file ? e->file : e->name,
				   strerror(p->err));
			goto done;
		}
		offsets[i] = o.pos;
		if (o.pos > ZIPW_MAX_32) {
			err = zipw_too_big(path, d);
			goto done;
		}
		unsigned char hdr[30], *q = hdr;
		q = put32(q, 0x04034b50);
		zipw_common(q, e->name, p->method, dtime, ddate, p->crc,
			    p->csize, p->usize);
		zipw_put(&o, hdr, sizeof(hdr));
		zipw_put(&o, e->name, strlen(e->name));
		if (p->stream) {
			int rc = zipw_stream(&o, e, offsets[i], level, p, d);
			if (rc < 0) {
				err = rc;
				goto done;
			}
		} else {
			zipw_put(&o, p->buf, p->csize);
			if (e->shared && !e->file && opt->cache &&
			    !zipw_cache_find(opt->cache, e, level))
				zipw_cache_put(opt->cache, e, level, p);
			if (p->owned)
				free(p->buf);
			p->buf = NULL;
			p->owned = 0;
		}
		if (o.failed)
			break;
	}

	/* the central directory */
	uint64_t cd_start = o.pos;
	for (size_t i = 0; i < n && !o.failed; i++) {
		const struct zipw_prep *p = &prep[i];
		unsigned char hdr[46], *q = hdr;
		q = put32(q, 0x02014b50);
		q = put16(q, (3u << 8) | 20u); /* made by: Unix, 2.0 */
		q = zipw_common(q, entries[i].name, p->method, dtime, ddate,
				p->crc, p->csize, p->usize);
		q = put16(q, 0);                  /* comment length */
		q = put16(q, 0);                  /* disk number */
		q = put16(q, 0);                  /* internal attributes */
		q = put32(q, 0100644u << 16);     /* external: -rw-r--r-- */
		put32(q, (uint32_t)offsets[i]);
		zipw_put(&o, hdr, sizeof(hdr));
		zipw_put(&o, entries[i].name, strlen(entries[i].name));
	}
	uint64_t cd_size = o.pos - cd_start;
	if (cd_start > ZIPW_MAX_32 || o.pos > ZIPW_MAX_32) {
		err = zipw_too_big(path, d);
		goto done;
	}
	unsigned char eocd[22], *q = eocd;
	q = put32(q, 0x06054b50);
	q = put16(q, 0);
	q = put16(q, 0);
	q = put16(q, (uint32_t)n);
	q = put16(q, (uint32_t)n);
	q = put32(q, (uint32_t)cd_size);
	q = put32(q, (uint32_t)cd_start);
	put16(q, 0);
	zipw_put(&o, eocd, sizeof(eocd));
	if (!o.failed && fflush(o.f) != 0)
		o.failed = errno ? errno : EIO;
	if (o.failed) {
		diag_error(d, LOC_NONE, "cannot write '%s': %s", path,
			   strerror(o.failed));
		goto done;
	}
	err = 0;
done:
	pthread_mutex_lock(&j.mu);
	j.stop = 1;
	pthread_cond_broadcast(&j.work);
	pthread_mutex_unlock(&j.mu);
	for (int t = 0; t < nthreads; t++)
		pthread_join(threads[t], NULL);
	for (size_t i = 0; i < n; i++)
		if (prep[i].owned)
			free(prep[i].buf);
	if (o.f && fclose(o.f) != 0 && !err) {
		diag_error(d, LOC_NONE, "cannot write '%s': %s", path,
			   strerror(errno));
		err = ET_EIO;
	}
	free(iobuf);
	pthread_cond_destroy(&j.work);
	pthread_cond_destroy(&j.done);
	pthread_mutex_destroy(&j.mu);
	free(prep);
	free(offsets);
	return err;
}
