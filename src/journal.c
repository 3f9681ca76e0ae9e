/* journal.c -- the crash-safe journal of 'etoolbox send' (see journal.h) */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "errors.h"
#include "util.h"

#define JOURNAL_MAGIC "etoolbox-send-journal 1"

static const char *const journal_kinds[] = { "stored", "rejected",
					     "conflict" };

struct journal {
	char *path;
	int fd;
	size_t count;
	unsigned char *state; /* per statement: 0 open, 1 + kind resolved */
	size_t per_kind[3];
};

static uint32_t journal_fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void journal_name(char out[SHA1_HEX_LEN + 9], const char *lrs,
		  const unsigned char input_sha[SHA1_LEN])
{
	struct sha1 s;
	unsigned char d[SHA1_LEN];
	char hex[SHA1_HEX_LEN + 1];
	sha1_hex(input_sha, hex);
	sha1_init(&s);
	sha1_update(&s, lrs, strlen(lrs));
	sha1_update(&s, "\n", 1);
	sha1_update(&s, hex, SHA1_HEX_LEN);
	sha1_final(&s, d);
	sha1_hex(d, out);
	memcpy(out + SHA1_HEX_LEN, ".journal", 9);
}

/* mkdir -p with mode 0700 for what it creates. */
static int journal_mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

static int journal_fsync_dir(const char *path)
{
	char *dir = path_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc = 0;
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

static int journal_write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w, n -= (size_t)w;
	}
	return 0;
}

/* Parse one record line (without its newline). Returns 0 and fills the
 * run, or -1 when the line is not a valid record. */
static int journal_parse(const char *line, size_t len, size_t count,
			 size_t *first, size_t *n, int *kind)
{
	char tmp[128], kname[16];
	unsigned long long a, b;
	unsigned int check;
	int used = 0;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	if (sscanf(tmp, "%llu %llu %15s %8x%n", &a, &b, kname, &check,
		   &used) != 4 ||
	    (size_t)used != len)
		return -1;
	const char *sp = strrchr(tmp, ' ');
	if (!sp || journal_fnv(tmp, (size_t)(sp - tmp)) != check)
		return -1;
	*kind = -1;
	for (int k = 0; k < 3; k++)
		if (strcmp(kname, journal_kinds[k]) == 0)
			*kind = k;
	if (*kind < 0 || b == 0 || a >= count || b > count - a)
		return -1;
	*first = (size_t)a;
	*n = (size_t)b;
	return 0;
}

static void journal_mark(struct journal *j, size_t first, size_t n, int kind)
{
	for (size_t i = first; i < first + n; i++) {
		if (j->state[i])
			j->per_kind[j->state[i] - 1]--;
		j->state[i] = (unsigned char)(kind + 1);
		j->per_kind[kind]++;
	}
}

int journal_open(struct journal **out, const char *dir, const char *lrs,
		 const unsigned char input_sha[SHA1_LEN], size_t count,
		 struct diag *d)
{
	char name[SHA1_HEX_LEN + 9], hex[SHA1_HEX_LEN + 1];
	struct buf header = BUF_INIT, text = BUF_INIT;
	struct journal *j = xcalloc(1, sizeof(*j));
	int rc = ET_EIO;
	struct stat st;

	*out = NULL;
	j->fd = -1;
	j->count = count;
	j->state = xcalloc(count ? count : 1, 1);
	journal_name(name, lrs, input_sha);
	j->path = path_join(dir, name);
	sha1_hex(input_sha, hex);
	buf_printf(&header, JOURNAL_MAGIC "\ninput %s %zu\nlrs %s\n", hex, count,
		   lrs);

	if (journal_mkdirs(dir) < 0) {
		diag_error(d, LOC_NONE, "cannot create the journal folder '%s': %s",
			   dir, strerror(errno));
		goto done;
	}
	j->fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		diag_error(d, LOC_NONE, "cannot open the journal '%s': %s",
			   j->path, strerror(errno));
		goto done;
	}
	if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
		diag_error(d, LOC_NONE,
			   "another 'etoolbox send' of the same input to the "
			   "same LRS is running (journal '%s' is locked)",
			   j->path);
		rc = ET_ERROR;
		goto done;
	}
	if (fstat(j->fd, &st) < 0)
		goto io;
	buf_grow(&text, (size_t)st.st_size + 1);
	for (;;) {
		ssize_t r = read(j->fd, text.ptr + text.len, text.cap - text.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto io;
		if (r == 0)
			break;
		text.len += (size_t)r;
		text.ptr[text.len] = '\0';
		if (text.cap - text.len < 2)
			buf_grow(&text, 4096);
	}

	size_t good = 0; /* bytes of the file that are whole, valid lines */
	if (text.len >= header.len &&
	    memcmp(text.ptr, header.ptr, header.len) == 0) {
		good = header.len;
		size_t at = header.len;
		while (at < text.len) {
			char *nl = memchr(text.ptr + at, '\n', text.len - at);
			if (!nl)
				break; /* torn last line */
			size_t first, n, len = (size_t)(nl - (text.ptr + at));
			int kind;
			if (journal_parse(text.ptr + at, len, count, &first, &n,
					  &kind) == 0) {
				journal_mark(j, first, n, kind);
				good = (size_t)(nl - text.ptr) + 1;
			}
			at = (size_t)(nl - text.ptr) + 1;
		}
	} else if (text.len > 0 &&
		   !(text.len < header.len &&
		     memcmp(text.ptr, header.ptr, text.len) == 0)) {
		diag_error(d, LOC_NONE,
			   "the journal '%s' belongs to another input; remove "
			   "it or choose another --journal folder",
			   j->path);
		rc = ET_ERROR;
		goto done;
	}
	if (good == 0) { /* new, or a header torn by a crash: start over */
		if (ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0 ||
		    journal_write_all(j->fd, header.ptr, header.len) < 0 ||
		    fsync(j->fd) < 0 || journal_fsync_dir(j->path) < 0)
			goto io;
	} else if (good < text.len) { /* cut a torn tail */
		if (ftruncate(j->fd, (off_t)good) < 0 || fsync(j->fd) < 0)
			goto io;
	}
	if (lseek(j->fd, 0, SEEK_END) < 0)
		goto io;
	*out = j;
	j = NULL;
	rc = 0;
	goto done;
io:
	diag_error(d, LOC_NONE, "cannot use the journal '%s': %s", j->path,
		   strerror(errno));
done:
	buf_free(&header);
	buf_free(&text);
	journal_close(j);
	return rc;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd); /* releases the lock */
	free(j->path);
	free(j->state);
	free(j);
}

int journal_done(const struct journal *j, size_t i)
{
	return i < j->count && j->state[i] != 0;
}

size_t journal_count(const struct journal *j, enum journal_kind kind)
{
	return j->per_kind[kind];
}

const char *journal_path(const struct journal *j)
{
	return j->path;
}

int journal_record(struct journal *j, const size_t *idx, size_t n,
		   enum journal_kind kind, struct diag *d)
{
	struct buf b = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n;) {
		size_t k = i + 1;
		while (k < n && idx[k] == idx[k - 1] + 1)
			k++;
		if (idx[i] >= j->count || idx[k - 1] >= j->count)
			BUG("journal index %zu out of %zu", idx[k - 1], j->count);
		size_t start = b.len;
		buf_printf(&b, "%zu %zu %s", idx[i], k - i,
			   journal_kinds[kind]);
		uint32_t h = journal_fnv(b.ptr + start, b.len - start);
		buf_printf(&b, " %08" PRIx32 "\n", h);
		i = k;
	}
	if (journal_write_all(j->fd, b.ptr, b.len) < 0 || fdatasync(j->fd) < 0) {
		diag_error(d, LOC_NONE, "cannot write the journal '%s': %s",
			   j->path, strerror(errno));
		rc = ET_EIO;
	} else {
		for (size_t i = 0; i < n; i++)
			journal_mark(j, idx[i], 1, (int)kind);
	}
	buf_free(&b);
	return rc;
}
