/* zipcheck.c -- check any SCORM 1.2 zip the way LMSs and ADL's tests would */
#include "zipcheck.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "buf.h"
#include "embed.h"
#include "errors.h"
#include "escape.h"
#include "scormcheck.h"
#include "util.h"
#include "xsd.h"

#define ZC_MAX_ENTRIES 100000
#define ZC_MAX_TOTAL ((zip_uint64_t)4 << 30)      /* 4 GiB unpacked */
#define ZC_MAX_RATIO 200                            /* for big entries */
#define ZC_RATIO_FLOOR ((zip_uint64_t)100 << 20)   /* 100 MiB */
#define ZC_MAX_MANIFEST ((zip_uint64_t)16 << 20)   /* 16 MiB */
#define ZC_MAX_SCHEMA ((zip_uint64_t)1 << 20)

static const char *const zc_schema_names[] = { "adlcp_rootv1p2.xsd",
					  "ims_xml.xsd",
					  "imscp_rootv1p1p2.xsd",
					  "imsmd_rootv1p2p1.xsd", NULL };

struct zc {
	zip_t *za;
	const char *display;
	struct diag *d;
	size_t n;
	char **names; /* entry names, in zip order */
	size_t dirs;  /* folder entries among them */
	int manifest; /* the manifest was found at the root */
};

/* "course.zip:<entry>", the entry's name made safe to print */
static struct loc zc_at(struct zc *z, const char *entry, char **hold)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, z->display);
	if (entry) {
		buf_putc(&b, ':');
		escape_printable(&b, entry);
	}
	free(*hold);
	*hold = buf_detach(&b, NULL);
	return (struct loc){ *hold, 0, 0 };
}

static int zc_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int zc_casecmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static int zc_url_safe(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		      *p == '-' || *p == '~' || *p == '/'))
			return 0;
	return 1;
}

static int zc_has_dotdot(const char *name)
{
	const char *p = name;
	while (*p) {
		const char *seg = p;
		while (*p && *p != '/' && *p != '\\')
			p++;
		if (p - seg == 2 && seg[0] == '.' && seg[1] == '.')
			return 1;
		if (*p)
			p++;
	}
	return 0;
}

/* Entry-level rules; fills z->names. */
static void zc_entries(struct zc *z)
{
	char *hold = NULL;
	zip_uint64_t total = 0;

	z->names = xcalloc(z->n + 1, sizeof(*z->names));
	for (size_t i = 0; i < z->n; i++) {
		zip_stat_t st;
		zip_stat_init(&st);
		if (zip_stat_index(z->za, i, 0, &st) < 0 || !st.name) {
			z->names[i] = xasprintf("#%zu", i);
			diag_report(z->d, DIAG_ERROR, "zip-unreadable",
				    zc_at(z, NULL, &hold),
				    "entry %zu cannot be read: %s", i,
				    zip_strerror(z->za));
			continue;
		}
		const char *name = st.name;
		z->names[i] = xstrdup(name);
		struct loc at = zc_at(z, name, &hold);
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    st.encryption_method != ZIP_EM_NONE)
			diag_report(z->d, DIAG_ERROR, "zip-encrypted", at,
				    "the entry is encrypted; LMSs can't open "
				    "it: zip the package without a password");
		if ((st.valid & ZIP_STAT_COMP_METHOD) &&
		    st.comp_method != ZIP_CM_STORE &&
		    st.comp_method != ZIP_CM_DEFLATE)
			diag_report(z->d, DIAG_ERROR, "zip-compression", at,
				    "compression method %d is not deflate or "
				    "store, which SCORM 1.2 requires (PKZIP "
				    "2.04g)",
				    (int)st.comp_method);
		if (name[0] == '/' || name[0] == '\\' ||
		    (name[0] && name[1] == ':'))
			diag_report(z->d, DIAG_ERROR, "zip-absolute-path", at,
				    "the path is absolute; unpacking would write "
				    "outside the package's folder");
		else if (zc_has_dotdot(name))
			diag_report(z->d, DIAG_ERROR, "zip-dotdot-path", at,
				    "the path contains '..'; unpacking would "
				    "write outside the package's folder "
				    "(zip slip)");
		int backslash = strchr(name, '\\') != NULL;
		if (backslash)
			diag_report(z->d, DIAG_WARNING, "zip-backslash", at,
				    "the path uses '\\' instead of '/'; zip the "
				    "package with a tool that writes '/'");
		zip_uint8_t opsys;
		zip_uint32_t attr;
		if (zip_file_get_external_attributes(z->za, i, 0, &opsys,
						     &attr) == 0 &&
		    opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK)
			diag_report(z->d, DIAG_ERROR, "zip-symlink", at,
				    "the entry is a symbolic link; LMSs don't "
				    "follow links: put the file itself in the "
				    "zip");
		if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE)) {
			total += st.size;
			if (st.size > ZC_RATIO_FLOOR &&
			    st.size / (st.comp_size ? st.comp_size : 1) >
				ZC_MAX_RATIO)
				diag_report(z->d, DIAG_ERROR, "zip-bomb", at,
					    "the entry unpacks from %llu to %llu "
					    "bytes, a ratio over %d:1; this is "
					    "how zip bombs work",
					    (unsigned long long)st.comp_size,
					    (unsigned long long)st.size,
					    ZC_MAX_RATIO);
		}
		size_t len = strlen(name);
		if (len && name[len - 1] == '/')
			z->dirs++;
		else if (!backslash && !zc_url_safe(name))
			diag_report(z->d, DIAG_WARNING, "zip-filename-url", at,
				    "the name has characters that break URLs "
				    "in some LMSs (spaces, '#', '?', '%%', "
				    "non-ASCII); use A-Z a-z 0-9 . _ - ~ /");
	}
	if (total > ZC_MAX_TOTAL)
		diag_report(z->d, DIAG_ERROR, "zip-too-large",
			    zc_at(z, NULL, &hold),
			    "the zip unpacks to %llu bytes, more than the %llu "
			    "an LMS should accept",
			    (unsigned long long)total,
			    (unsigned long long)ZC_MAX_TOTAL);
	/* duplicates and names that differ only in case */
	char **sorted = xcalloc(z->n + 1, sizeof(*sorted));
	memcpy(sorted, z->names, z->n * sizeof(*sorted));
	qsort(sorted, z->n, sizeof(*sorted), zc_cmp);
	for (size_t i = 1; i < z->n; i++)
		if (strcmp(sorted[i], sorted[i - 1]) == 0)
			diag_report(z->d, DIAG_ERROR, "zip-duplicate-name",
				    zc_at(z, sorted[i], &hold),
				    "the zip has two entries with this name; "
				    "which one an LMS unpacks is undefined");
	qsort(sorted, z->n, sizeof(*sorted), zc_casecmp);
	for (size_t i = 1; i < z->n; i++)
		if (strcasecmp(sorted[i], sorted[i - 1]) == 0 &&
		    strcmp(sorted[i], sorted[i - 1]) != 0)
		{
			struct buf other = BUF_INIT;
			escape_printable(&other, sorted[i - 1]);
			diag_report(z->d, DIAG_ERROR, "zip-case-collision",
				    zc_at(z, sorted[i], &hold),
				    "the name differs from '%s' only in case; "
				    "on Windows and macOS servers one "
				    "overwrites the other",
				    other.ptr);
			buf_free(&other);
		}
	free(sorted);
	free(hold);
}

/* Read entry 'i' if it unpacks to at most 'max' bytes. */
static int zc_read(struct zc *z, size_t i, zip_uint64_t max, struct buf *out,
		   int *too_big)
{
	zip_file_t *f = zip_fopen_index(z->za, i, 0);
	*too_big = 0;
	if (!f)
		return -1;
	char chunk[16384];
	zip_int64_t n;
	int err = 0;
	while ((n = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		if ((zip_uint64_t)out->len + (zip_uint64_t)n > max) {
			*too_big = 1;
			err = -1;
			break;
		}
		buf_add(out, chunk, (size_t)n);
	}
	if (n < 0)
		err = -1;
	zip_fclose(f);
	return err;
}

static long zc_find(const struct zc *z, const char *name)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->names[i], name) == 0)
			return (long)i;
	return -1;
}

/* Compare line by line, ignoring line-ending style (CRLF, CR, LF). */
static int zc_same_text(const char *a, size_t alen, const char *b,
			size_t blen)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < alen && a[i] == '\r') {
			if (i + 1 < alen && a[i + 1] == '\n')
				i++;
			else
				break;
		}
		while (j < blen && b[j] == '\r') {
			if (j + 1 < blen && b[j + 1] == '\n')
				j++;
			else
				break;
		}
		if (i == alen || j == blen)
			break;
		char ca = a[i] == '\r' ? '\n' : a[i];
		char cb = b[j] == '\r' ? '\n' : b[j];
		if (ca != cb)
			return 0;
		i++;
		j++;
	}
	/* trailing newlines don't matter */
	while (i < alen && (a[i] == '\n' || a[i] == '\r'))
		i++;
	while (j < blen && (b[j] == '\n' || b[j] == '\r'))
		j++;
	return i == alen && j == blen;
}

static void zc_schemas(struct zc *z)
{
	char *hold = NULL;
	for (size_t k = 0; zc_schema_names[k]; k++) {
		const char *name = zc_schema_names[k];
		long i = zc_find(z, name);
		if (i < 0) {
			diag_report(z->d, DIAG_ERROR, "xsd-missing",
				    zc_at(z, name, &hold),
				    "the schema is not at the zip's root; "
				    "ADL's conformance test fails a package "
				    "without it: copy it from etoolbox's "
				    "schemas/scorm12/");
			continue;
		}
		char *ename = xasprintf("schemas/%s", name);
		const struct embed_file *ref = embed_find(ename);
		free(ename);
		struct buf b = BUF_INIT;
		int too_big;
		if (zc_read(z, (size_t)i, ZC_MAX_SCHEMA, &b, &too_big) < 0 ||
		    !ref ||
		    !zc_same_text(b.ptr, b.len, (const char *)ref->data,
				  ref->len))
			diag_report(z->d, DIAG_ERROR, "xsd-modified",
				    zc_at(z, name, &hold),
				    "the schema differs from the official ADL/IMS "
				    "file; replace it with the one in "
				    "etoolbox's schemas/scorm12/");
		buf_free(&b);
	}
	free(hold);
}

/* Metadata in separate files (<adlcp:location>): each must be well-formed
 * IMS MD 1.2.1, as ADL's meta-data test requires. A missing file is
 * reported by scormcheck (href-missing). */
static void zc_locations(struct zc *z, xmlNodePtr n, int depth)
{
	for (; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns && strcmp((const char *)n->name, "location") == 0 &&
		    strcmp((const char *)n->ns->href,
			   "http://www.adlnet.org/xsd/adlcp_rootv1p2") == 0) {
			xmlChar *v = xmlNodeGetContent(n);
			char *path = xstrdup(v ? (const char *)v : "");
			xmlFree(v);
			long i = path_normalize(path) == 0 ? zc_find(z, path)
							    : -1;
			struct buf text = BUF_INIT;
			int too_big = 0;
			char *name = NULL;
			if (i >= 0 &&
			    zc_read(z, (size_t)i, ZC_MAX_MANIFEST, &text,
				    &too_big) == 0) {
				struct loc at = zc_at(z, path, &name);
				xmlDocPtr md = NULL;
				if (xsd_parse(&md, text.ptr, text.len, at.file,
					      z->d) == 0) {
					xsd_validate(md, at.file, text.ptr,
						     text.len, z->d);
					xmlFreeDoc(md);
				}
			}
			free(name);
			buf_free(&text);
			free(path);
		}
		zc_locations(z, n->children, depth + 1);
	}
}

static void zc_manifest(struct zc *z, struct zipcheck_summary *sum)
{
	char *hold = NULL;
	long mi = zc_find(z, "imsmanifest.xml");
	if (mi < 0) {
		const char *nested = NULL, *cased = NULL;
		for (size_t i = 0; i < z->n; i++) {
			const char *base = strrchr(z->names[i], '/');
			base = base ? base + 1 : z->names[i];
			if (strcmp(base, "imsmanifest.xml") == 0 && !nested)
				nested = z->names[i];
			else if (strcasecmp(base, "imsmanifest.xml") == 0 &&
				 !cased)
				cased = z->names[i];
		}
		if (nested)
			diag_report(z->d, DIAG_ERROR, "manifest-nested",
				    zc_at(z, nested, &hold),
				    "imsmanifest.xml is in a folder, not at the "
				    "zip's root (Moodle: \"An imsmanifest.xml "
				    "file was found but it was not in the root "
				    "of your zip file\"); zip the folder's "
				    "contents, not the folder");
		else if (cased)
			diag_report(z->d, DIAG_ERROR, "manifest-case",
				    zc_at(z, cased, &hold),
				    "the manifest must be named imsmanifest.xml, "
				    "in lowercase");
		else
			diag_report(z->d, DIAG_ERROR, "manifest-missing",
				    zc_at(z, NULL, &hold),
				    "no imsmanifest.xml: this is not a SCORM "
				    "package (Moodle: \"Incorrect file package "
				    "- missing imsmanifest.xml or AICC "
				    "structure\")");
		free(hold);
		return;
	}
	struct buf text = BUF_INIT;
	int too_big = 0;
	char *name = xasprintf("%s:imsmanifest.xml", z->display);
	if (zc_read(z, (size_t)mi, ZC_MAX_MANIFEST, &text, &too_big) < 0) {
		if (too_big)
			diag_report(z->d, DIAG_ERROR, "manifest-too-large",
				    (struct loc){ name, 0, 0 },
				    "the manifest unpacks to more than %llu "
				    "bytes",
				    (unsigned long long)ZC_MAX_MANIFEST);
		else
			diag_report(z->d, DIAG_ERROR, "zip-unreadable",
				    (struct loc){ name, 0, 0 },
				    "the manifest cannot be unpacked: %s",
				    zip_strerror(z->za));
		goto done;
	}
	xmlDocPtr doc = NULL;
	if (xsd_parse(&doc, text.ptr, text.len, name, z->d) < 0)
		goto done;
	xsd_validate(doc, name, text.ptr, text.len, z->d);
	char **sorted = xcalloc(z->n + 1, sizeof(*sorted));
	memcpy(sorted, z->names, z->n * sizeof(*sorted));
	qsort(sorted, z->n, sizeof(*sorted), zc_cmp);
	struct scormcheck_input in = { doc, name, text.ptr, text.len, z->n,
				       (const char *const *)sorted };
	z->manifest = 1;
	scormcheck_manifest(&in, z->d);
	zc_locations(z, xmlDocGetRootElement(doc), 0);
	/* count SCOs for the summary */
	for (xmlNodePtr r = xmlDocGetRootElement(doc)->children; r;
	     r = r->next) {
		if (r->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)r->name, "resources") != 0)
			continue;
		for (xmlNodePtr res = r->children; res; res = res->next) {
			if (res->type != XML_ELEMENT_NODE)
				continue;
			xmlChar *t = xmlGetNsProp(
			    res, (const xmlChar *)"scormtype",
			    (const xmlChar *)"http://www.adlnet.org/xsd/"
					     "adlcp_rootv1p2");
			if (t && strcmp((const char *)t, "sco") == 0)
				sum->scos++;
			xmlFree(t);
		}
	}
	free(sorted);
	xmlFreeDoc(doc);
done:
	buf_free(&text);
	free(name);
}

static int zc_run(zip_t *za, const char *display,
		  struct zipcheck_summary *out, struct diag *d,
		  size_t errors_before)
{
	struct zc z = { za, display, d, 0, NULL, 0, 0 };
	char *hold = NULL;
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n < 0 || n > ZC_MAX_ENTRIES) {
		diag_report(d, DIAG_ERROR, "zip-too-many-entries",
			    zc_at(&z, NULL, &hold),
			    "the zip has %lld entries; at most %d are "
			    "checked",
			    (long long)n, ZC_MAX_ENTRIES);
		goto done;
	}
	z.n = (size_t)n;
	zc_entries(&z);
	out->entries = z.n - z.dirs;
	zc_manifest(&z, out);
	if (z.manifest)
		zc_schemas(&z);
done:
	for (size_t i = 0; z.names && i < z.n; i++)
		free(z.names[i]);
	free(z.names);
	free(hold);
	return d->errors > errors_before ? ET_EINVALID : 0;
}

/* Before libzip reads the whole central directory: the entry count from
 * the end-of-central-directory record (and its zip64 form), so that a zip
 * claiming millions of entries is refused at once. 'tail' is the last
 * 'len' bytes of a file of 'total' bytes. */
static int zc_precheck(const unsigned char *tail, size_t len, uint64_t total,
		       const char *display, struct diag *d)
{
	(void)total;
	if (len < 22)
		return 0; /* libzip says what is wrong */
	for (size_t i = len - 22 + 1; i-- > 0;) {
		const unsigned char *p = tail + i;
		if (!(p[0] == 'P' && p[1] == 'K' && p[2] == 5 && p[3] == 6))
			continue;
		uint64_t count = (uint64_t)p[10] | (uint64_t)p[11] << 8;
		/* a zip64 locator just before: the real count is in the zip64
		 * end record, which normally sits right before the locator */
		int zip64 = i >= 20 && tail[i - 20] == 'P' &&
			    tail[i - 19] == 'K' && tail[i - 18] == 6 &&
			    tail[i - 17] == 7;
		if (zip64 && i >= 76 && tail[i - 76] == 'P' &&
		    tail[i - 75] == 'K' && tail[i - 74] == 6 &&
		    tail[i - 73] == 6) {
			const unsigned char *r = tail + i - 76 + 32;
			uint64_t c64 = 0;
			for (int k = 7; k >= 0; k--)
				c64 = c64 << 8 | r[k];
			if (c64 > count)
				count = c64;
		}
		if (count > ZC_MAX_ENTRIES) {
			diag_report(d, DIAG_ERROR, "zip-too-many-entries",
				    (struct loc){ display, 0, 0 },
				    "the zip has %llu entries; at most %d are "
				    "checked",
				    (unsigned long long)count, ZC_MAX_ENTRIES);
			return -1;
		}
		if (zip64)
			diag_report(d, DIAG_ERROR, "zip-zip64",
				    (struct loc){ display, 0, 0 },
				    "the zip uses zip64, which SCORM 1.2 "
				    "packages can't (PKZIP 2.04g)");
		return 0;
	}
	return 0;
}

static int zc_precheck_file(const char *path, const char *display,
			    struct diag *d)
{
	unsigned char tail[65557];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0; /* zip_open reports it */
	int rc = 0;
	if (fseeko(f, 0, SEEK_END) == 0) {
		off_t size = ftello(f);
		off_t from = size > (off_t)sizeof(tail) ? size - (off_t)sizeof(tail)
						       : 0;
		if (size > 0 && fseeko(f, from, SEEK_SET) == 0) {
			size_t n = fread(tail, 1, (size_t)(size - from), f);
			rc = zc_precheck(tail, n, (uint64_t)size, display, d);
		}
	}
	fclose(f);
	return rc;
}

static void zc_open_error(const char *display, int code, struct diag *d)
{
	zip_error_t ze;
	zip_error_init_with_code(&ze, code);
	diag_report(d, DIAG_ERROR, "zip-unreadable",
		    (struct loc){ display, 0, 0 },
		    "not a readable zip (%s); LMSs reject it (Moodle: \"You "
		    "must provide a valid zip file\")",
		    zip_error_strerror(&ze));
	zip_error_fini(&ze);
}

int zipcheck_file(const char *path, const char *display,
		  struct zipcheck_summary *out, struct diag *d)
{
	size_t errors_before = d->errors;
	int code = 0;
	struct stat st;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	errno = 0;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		int is_dir = errno == 0 || S_ISDIR(st.st_mode);
		diag_report(d, DIAG_ERROR, "zip-unreadable",
			    (struct loc){ display, 0, 0 }, "cannot read: %s",
			    is_dir ? "not a file" : strerror(errno));
		return ET_EINVALID;
	}
	if (zc_precheck_file(path, display, d) < 0)
		return ET_EINVALID;
	zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	if (!za && code == ZIP_ER_EXISTS) /* duplicate names: report them */
		za = zip_open(path, ZIP_RDONLY, &code);
	if (!za) {
		zc_open_error(display, code, d);
		return ET_EINVALID;
	}
	int err = zc_run(za, display, out, d, errors_before);
	zip_discard(za);
	return err;
}

int zipcheck_buffer(const void *data, size_t len, const char *display,
		    struct zipcheck_summary *out, struct diag *d)
{
	size_t errors_before = d->errors;
	zip_error_t ze;
	zip_error_init(&ze);
	memset(out, 0, sizeof(*out));
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return ET_ERROR;
	}
	size_t tail = len > 65557 ? 65557 : len;
	if (zc_precheck((const unsigned char *)data + (len - tail), tail, len,
			display, d) < 0) {
		zip_source_free(src);
		zip_error_fini(&ze);
		return ET_EINVALID;
	}
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!za && zip_error_code_zip(&ze) == ZIP_ER_EXISTS) {
		zip_error_fini(&ze);
		zip_error_init(&ze);
		za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	}
	/* ours plus the one zip_source_keep added; an open archive took the
	 * latter, a failed open took neither */
	zip_source_free(src);
	if (!za) {
		zc_open_error(display, zip_error_code_zip(&ze), d);
		zip_source_free(src);
		zip_error_fini(&ze);
		return ET_EINVALID;
	}
	zip_error_fini(&ze);
	int err = zc_run(za, display, out, d, errors_before);
	zip_discard(za);
	return err;
}
