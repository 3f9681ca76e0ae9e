/* zipw.c -- deterministic zip writer over libzip */
#include "zipw.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "errors.h"
#include "util.h"

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
static void zipw_dostime(time_t t, zip_uint16_t *dtime, zip_uint16_t *ddate)
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
	*dtime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) |
				(tm.tm_sec / 2));
	*ddate = (zip_uint16_t)(((tm.tm_year - 80) << 9) |
				((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

int zipw_write(const char *path, struct zipw_entry *entries, size_t n,
	       time_t mtime, struct diag *d)
{
	int zerr = 0, err = ET_EIO;
	zip_t *za = NULL;
	zip_uint16_t dtime, ddate;

	qsort(entries, n, sizeof(*entries), zipw_cmp);
	zipw_dostime(mtime, &dtime, &ddate);
	za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		diag_error(d, LOC_NONE, "cannot create '%s': %s", path,
			   zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return ET_EIO;
	}
	for (size_t i = 0; i < n; i++) {
		struct zipw_entry *e = &entries[i];
		zip_source_t *src =
		    e->file ? zip_source_file(za, e->file, 0, -1)
			    : zip_source_buffer(za, e->data, e->len, 0);
		if (!src) {
			diag_error(d, LOC_NONE, "cannot add '%s' to '%s': %s",
				   e->file ? e->file : e->name, path,
				   zip_strerror(za));
			goto done;
		}
		zip_int64_t idx = zip_file_add(za, e->name, src,
					       ZIP_FL_ENC_UTF_8);
		if (idx < 0) {
			zip_source_free(src);
			diag_error(d, LOC_NONE, "cannot add '%s' to '%s': %s",
				   e->name, path, zip_strerror(za));
			goto done;
		}
		zip_uint64_t u = (zip_uint64_t)idx;
		int store = zipw_is_compressed(e->name);
		if (zip_set_file_compression(za, u,
					     store ? ZIP_CM_STORE
						   : ZIP_CM_DEFLATE,
					     store ? 0 : 6) < 0 ||
		    zip_file_set_dostime(za, u, dtime, ddate, 0) < 0 ||
		    zip_file_set_external_attributes(za, u, 0, ZIP_OPSYS_UNIX,
						     0100644u << 16) < 0) {
			diag_error(d, LOC_NONE, "cannot set up '%s' in '%s': %s",
				   e->name, path, zip_strerror(za));
			goto done;
		}
	}
	if (zip_close(za) < 0) {
		diag_error(d, LOC_NONE, "cannot write '%s': %s", path,
			   zip_strerror(za));
		goto done;
	}
	za = NULL;
	err = 0;
done:
	if (za)
		zip_discard(za);
	return err;
}
