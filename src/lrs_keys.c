/* lrs_keys.c -- LRS credentials: keys, scopes, salted SHA-256 hashes */
#include "lrs_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "errors.h"
#include "lrs_codec.h"
#include "util.h"

#define SALT_LEN 16
#define HASH_LEN 32

struct key {
	struct lrs_key_info info;
	unsigned char salt[SALT_LEN];
	unsigned char hash[HASH_LEN];
};

struct lrs_keys {
	char *path;
	pthread_rwlock_t lock;
	struct key *v;
	size_t n;
	/* what the loaded file looked like */
	int have_stat;
	struct stat st;
};

static const char *const scope_names[] = { NULL, "write", "read", "admin" };

const char *lrs_keys_scope_name(enum lrs_scope s)
{
	return (unsigned)s < 4 ? scope_names[s] : NULL;
}

int lrs_keys_scope_parse(const char *s, enum lrs_scope *out)
{
	for (int i = 1; i < 4; i++) {
		if (strcmp(s, scope_names[i]) == 0) {
			*out = (enum lrs_scope)i;
			return 0;
		}
	}
	return -1;
}

int lrs_keys_random(void *out, size_t n)
{
	unsigned char *p = out;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void key_hash(const unsigned char salt[SALT_LEN], const char *secret,
		     size_t len, unsigned char out[HASH_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = HASH_LEN;
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, salt, SALT_LEN) ||
	    !EVP_DigestUpdate(ctx, secret, len) ||
	    !EVP_DigestFinal_ex(ctx, out, &n))
		BUG("SHA-256 failed");
	EVP_MD_CTX_free(ctx);
}

/* ---- the file ---------------------------------------------------------- */

static void keys_clear(struct key *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].info.name);
		OPENSSL_cleanse(v[i].hash, HASH_LEN);
	}
	free(v);
}

/* Split 'line' at tabs into at most 'max' fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		f[n++] = p;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

/* Parse a file's text into keys. */
static int keys_parse(const char *path, char *text, struct key **out,
		      size_t *out_n, struct diag *d)
{
	struct key *v = NULL;
	size_t n = 0;
	int lineno = 0, rc = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		char *f[7];
		int nf = split_tabs(line, f, 7);
		struct key k;
		memset(&k, 0, sizeof(k));
		if (nf < 6 || strlen(f[0]) != LRS_KEY_ID_LEN ||
		    lrs_keys_scope_parse(f[1], &k.info.scope) ||
		    lrs_codec_time_parse(f[2], &k.info.created) ||
		    (strcmp(f[3], "-") &&
		     lrs_codec_time_parse(f[3], &k.info.revoked)) ||
		    strlen(f[4]) != 2 * SALT_LEN ||
		    lrs_codec_unhex(f[4], k.salt, SALT_LEN) ||
		    strlen(f[5]) != 2 * HASH_LEN ||
		    lrs_codec_unhex(f[5], k.hash, HASH_LEN)) {
			diag_error(d, (struct loc){ path, lineno, 1 },
				   "malformed key line (want: id, scope, "
				   "created, revoked, salt, sha256, name "
				   "separated by tabs)");
			rc = ET_EINVALID;
			continue;
		}
		memcpy(k.info.id, f[0], LRS_KEY_ID_LEN + 1);
		k.info.name = xstrdup(nf > 6 ? f[6] : "");
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = k;
	}
	if (rc) {
		keys_clear(v, n);
		return rc;
	}
	*out = v;
	*out_n = n;
	return 0;
}

/* Read and parse 'path'; a missing file is no keys. 'st' gets its stat
 * (st_ino 0 when missing). */
static int keys_read(const char *path, struct key **out, size_t *out_n,
		     struct stat *st, struct diag *d)
{
	char *text = NULL;
	size_t len = 0;
	int rc;
	*out = NULL;
	*out_n = 0;
	memset(st, 0, sizeof(*st));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		diag_error(d, LOC_NONE, "cannot read '%s': %s", path,
			   strerror(errno));
		return ET_EIO;
	}
	if (fstat(fd, st) < 0) {
		close(fd);
		diag_error(d, LOC_NONE, "cannot read '%s': %s", path,
			   strerror(errno));
		return ET_EIO;
	}
	close(fd);
	rc = util_read_file(&text, &len, path);
	if (rc) {
		diag_error(d, LOC_NONE, "cannot read '%s': %s", path,
			   strerror(errno));
		return ET_EIO;
	}
	if (memchr(text, '\0', len)) {
		free(text);
		diag_error(d, (struct loc){ path, 0, 0 },
			   "not a credentials file (it has NUL bytes)");
		return ET_EINVALID;
	}
	rc = keys_parse(path, text, out, out_n, d);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

static void format_line(struct buf *b, const struct key *k)
{
	char created[32], revoked[32], salt[2 * SALT_LEN + 1],
	    hash[2 * HASH_LEN + 1];
	lrs_codec_time_format(k->info.created, created);
	if (k->info.revoked)
		lrs_codec_time_format(k->info.revoked, revoked);
	else
		snprintf(revoked, sizeof(revoked), "-");
	lrs_codec_hex(k->salt, SALT_LEN, salt);
	lrs_codec_hex(k->hash, HASH_LEN, hash);
	buf_printf(b, "%s\t%s\t%s\t%s\t%s\t%s\t", k->info.id,
		   lrs_keys_scope_name(k->info.scope), created, revoked, salt,
		   hash);
	/* a name never holds a tab or a line break */
	for (const char *p = k->info.name; *p; p++)
		buf_putc(b, (*p == '\t' || *p == '\n' || *p == '\r') ? ' '
								     : *p);
	buf_putc(b, '\n');
}

/* Write every key to 'path' atomically, mode 0600. */
static int keys_write(const char *path, const struct key *v, size_t n,
		      struct diag *d)
{
	struct buf b = BUF_INIT;
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = ET_EIO, fd = -1;
	buf_puts(&b, "# etoolbox lrs credentials: managed by 'etoolbox lrs key "
		     "add|list|revoke'.\n"
		     "# Secrets are not stored; each line has a random salt "
		     "and SHA-256(salt || secret).\n"
		     "# id\tscope\tcreated\trevoked\tsalt\tsha256\tname\n");
	for (size_t i = 0; i < n; i++)
		format_line(&b, &v[i]);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	size_t off = 0;
	while (off < b.len) {
		ssize_t w = write(fd, b.ptr + off, b.len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	/* make the rename itself durable */
	char *dir = path_dirname(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	rc = 0;
	goto done;
fail:
	diag_error(d, LOC_NONE, "cannot write '%s': %s", path,
		   strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
done:
	OPENSSL_cleanse(b.ptr, b.len);
	buf_free(&b);
	free(tmp);
	return rc;
}

/* Hold the lock file of 'path' for a change; returns the fd or -1. */
static int keys_lock(const char *path, struct diag *d)
{
	char *lock = xasprintf("%s.lock", path);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		diag_error(d, LOC_NONE, "cannot lock '%s': %s", lock,
			   strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(lock);
	return fd;
}

/* ---- management -------------------------------------------------------- */

int lrs_keys_add(const char *path, enum lrs_scope scope, const char *name,
		 char id_out[LRS_KEY_ID_LEN + 1],
		 char secret_out[LRS_KEY_SECRET_LEN + 1], struct diag *d)
{
	struct key *v = NULL;
	size_t n = 0;
	struct stat st;
	unsigned char idb[8], sec[32];
	struct buf s = BUF_INIT;
	int rc, lock = keys_lock(path, d);
	if (lock < 0)
		return ET_EIO;
	rc = keys_read(path, &v, &n, &st, d);
	if (rc)
		goto done;
	if (lrs_keys_random(idb, sizeof(idb)) ||
	    lrs_keys_random(sec, sizeof(sec))) {
		diag_error(d, LOC_NONE, "no random bytes: %s", strerror(errno));
		rc = ET_EIO;
		goto done;
	}
	struct key k;
	memset(&k, 0, sizeof(k));
	k.info.id[0] = 'e';
	k.info.id[1] = 't';
	lrs_codec_hex(idb, sizeof(idb), k.info.id + 2);
	k.info.scope = scope;
	k.info.created = lrs_codec_now_ms() / 1000 * 1000;
	k.info.name = xstrdup(name ? name : "");
	if (lrs_keys_random(k.salt, SALT_LEN)) {
		free(k.info.name);
		rc = ET_EIO;
		goto done;
	}
	lrs_codec_base64url(&s, sec, sizeof(sec));
	key_hash(k.salt, s.ptr, s.len, k.hash);
	v = xrealloc(v, (n + 1) * sizeof(*v));
	v[n++] = k;
	rc = keys_write(path, v, n, d);
	if (rc == 0) {
		memcpy(id_out, k.info.id, LRS_KEY_ID_LEN + 1);
		memcpy(secret_out, s.ptr, LRS_KEY_SECRET_LEN + 1);
	}
done:
	OPENSSL_cleanse(sec, sizeof(sec));
	if (s.cap)
		OPENSSL_cleanse(s.ptr, s.len);
	buf_free(&s);
	keys_clear(v, n);
	close(lock);
	return rc;
}

int lrs_keys_list(const char *path, struct lrs_key_info **out,
		  size_t *out_n, struct diag *d)
{
	struct key *v = NULL;
	size_t n = 0;
	struct stat st;
	int rc = keys_read(path, &v, &n, &st, d);
	*out = NULL;
	*out_n = 0;
	if (rc)
		return rc;
	if (n) {
		*out = xcalloc(n, sizeof(**out));
		for (size_t i = 0; i < n; i++) {
			(*out)[i] = v[i].info;
			v[i].info.name = NULL;
		}
	}
	*out_n = n;
	keys_clear(v, n);
	return 0;
}

void lrs_keys_list_free(struct lrs_key_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

int lrs_keys_revoke(const char *path, const char *id, struct diag *d)
{
	struct key *v = NULL;
	size_t n = 0;
	struct stat st;
	int rc, lock = keys_lock(path, d);
	if (lock < 0)
		return ET_EIO;
	rc = keys_read(path, &v, &n, &st, d);
	if (rc)
		goto done;
	rc = ET_ENOTFOUND;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].info.id, id) == 0 && !v[i].info.revoked) {
			v[i].info.revoked = lrs_codec_now_ms() / 1000 * 1000;
			rc = keys_write(path, v, n, d);
			goto done;
		}
	}
	diag_error(d, LOC_NONE, "no active key '%s' in '%s'", id, path);
done:
	keys_clear(v, n);
	close(lock);
	return rc;
}

/* ---- the server's view ------------------------------------------------- */

int lrs_keys_open(struct lrs_keys **out, const char *path, struct diag *d)
{
	struct lrs_keys *k = xcalloc(1, sizeof(*k));
	k->path = xstrdup(path);
	pthread_rwlock_init(&k->lock, NULL);
	int rc = keys_read(path, &k->v, &k->n, &k->st, d);
	if (rc) {
		lrs_keys_free(k);
		return rc;
	}
	k->have_stat = 1;
	*out = k;
	return 0;
}

void lrs_keys_free(struct lrs_keys *k)
{
	if (!k)
		return;
	keys_clear(k->v, k->n);
	pthread_rwlock_destroy(&k->lock);
	free(k->path);
	free(k);
}

size_t lrs_keys_count(struct lrs_keys *k)
{
	size_t n = 0;
	pthread_rwlock_rdlock(&k->lock);
	for (size_t i = 0; i < k->n; i++)
		n += !k->v[i].info.revoked;
	pthread_rwlock_unlock(&k->lock);
	return n;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int lrs_keys_refresh(struct lrs_keys *k, struct diag *d)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	if (stat(k->path, &st) < 0)
		memset(&st, 0, sizeof(st)); /* missing: no keys */
	pthread_rwlock_rdlock(&k->lock);
	int same = k->have_stat && same_file(&st, &k->st);
	pthread_rwlock_unlock(&k->lock);
	if (same)
		return 0;
	struct key *v = NULL;
	size_t n = 0;
	struct stat got;
	int rc = keys_read(k->path, &v, &n, &got, d);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&k->lock);
	keys_clear(k->v, k->n);
	k->v = v;
	k->n = n;
	k->st = got;
	k->have_stat = 1;
	pthread_rwlock_unlock(&k->lock);
	return 0;
}

enum lrs_scope lrs_keys_check(struct lrs_keys *k, const char *id,
			      size_t id_len, const char *secret,
			      size_t secret_len, char *out_id)
{
	enum lrs_scope scope = LRS_SCOPE_NONE;
	if (id_len != LRS_KEY_ID_LEN)
		return LRS_SCOPE_NONE;
	pthread_rwlock_rdlock(&k->lock);
	for (size_t i = 0; i < k->n; i++) {
		struct key *e = &k->v[i];
		if (memcmp(e->info.id, id, LRS_KEY_ID_LEN) != 0)
			continue;
		unsigned char h[HASH_LEN];
		key_hash(e->salt, secret, secret_len, h);
		if (CRYPTO_memcmp(h, e->hash, HASH_LEN) == 0 &&
		    !e->info.revoked) {
			scope = e->info.scope;
			if (out_id)
				memcpy(out_id, e->info.id, LRS_KEY_ID_LEN + 1);
		}
		break;
	}
	pthread_rwlock_unlock(&k->lock);
	return scope;
}
