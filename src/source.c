/* source.c -- source files in memory: loading, UTF-8 checking, positions */
#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"

int source_check_utf8(const char *data, size_t len, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned min;
		if (c == 0)
			goto bad;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, min = 0x10000, c &= 0x07;
		} else {
			goto bad;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				goto bad;
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			goto bad;
		i += n + 1;
	}
	return 0;
bad:
	*bad_offset = i;
	return -1;
}

struct source *source_from_memory(const char *path, const char *data,
				  size_t len)
{
	struct source *src = xcalloc(1, sizeof(*src));
	src->path = xstrdup(path);
	src->data = xstrndup(data, len);
	src->len = len;
	return src;
}

int source_load(struct source **out, const char *path, struct loc from,
		struct diag *d)
{
	char *data = NULL;
	size_t len = 0, bad = 0;
	int err = util_read_file(&data, &len, path);

	*out = NULL;
	if (err == ET_ENOTFOUND) {
		diag_error(d, from, "file '%s' not found", path);
		return err;
	}
	if (err) {
		diag_error(d, from, "cannot read '%s': %s", path,
			   strerror(errno));
		return err;
	}
	struct source *src = xcalloc(1, sizeof(*src));
	src->path = xstrdup(path);
	src->data = data;
	src->len = len;
	*out = src;
	if (source_check_utf8(data, len, &bad) < 0) {
		diag_error(d, source_loc(src, bad),
			   bad < len && data[bad] == 0
			       ? "NUL byte in text file"
			       : "invalid UTF-8");
		return ET_EINVALID;
	}
	return 0;
}

void source_free(struct source *src)
{
	if (!src)
		return;
	free(src->path);
	free(src->data);
	free(src);
}

struct loc source_loc(const struct source *src, size_t offset)
{
	struct loc loc = { src->path, 1, 1 };
	if (offset > src->len)
		offset = src->len;
	for (size_t i = 0; i < offset; i++) {
		unsigned char c = (unsigned char)src->data[i];
		if (c == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((c & 0xC0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}
