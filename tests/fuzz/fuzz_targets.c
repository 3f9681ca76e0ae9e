/* fuzz_targets.c -- fuzz targets over every parser of outside input */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "course.h"
#include "diag.h"
#include "markdown.h"
#include "scormcheck.h"
#include "source.h"
#include "util.h"
#include "xsd.h"
#include "ydoc.h"
#include "zipcheck.h"

#include <jansson.h>
#include <unistd.h>

#include "buf.h"
#include "journal.h"
#include "lrsclient.h"
#include "xapi_csv.h"
#include "xapi_reader.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

/* Format each diagnostic, as the CLI would, to exercise the messages. */
static void fuzz_sink(const struct diag_msg *m, void *payload)
{
	size_t *total = payload;
	*total += strlen(m->text) + strlen(diag_severity_name(m->sev)) +
		  (m->loc.file ? strlen(m->loc.file) : 0) +
		  (m->rule ? strlen(m->rule) : 0);
}

int fuzz_yaml(const uint8_t *data, size_t size)
{
	size_t total = 0, bad = 0;
	struct diag d;
	struct ydoc_node *root = NULL;
	struct source *src =
	    source_from_memory("course.yml", (const char *)data, size);

	diag_init(&d, fuzz_sink, &total);
	/* a tree comes back even with some errors (a duplicate key) */
	if (source_check_utf8(src->data, src->len, &bad) == 0)
		ydoc_load(&root, src, &d);
	ydoc_free(root);
	source_free(src);
	return 0;
}

static const char *const fuzz_entries[] = { "a.html", "index.html" };

int fuzz_manifest(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	xmlDocPtr doc = NULL;

	diag_init(&d, fuzz_sink, &total);
	if (xsd_parse(&doc, (const char *)data, size, "imsmanifest.xml", &d) <
	    0)
		return 0;
	xsd_validate(doc, "imsmanifest.xml", (const char *)data, size, &d);
	struct scormcheck_input in = { doc, "imsmanifest.xml",
				       (const char *)data, size, 2,
				       fuzz_entries };
	scormcheck_manifest(&in, &d);
	xmlFreeDoc(doc);
	return 0;
}

int fuzz_markdown(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	struct md_page *page = NULL;
	struct course *c = xcalloc(1, sizeof(*c));

	c->dir = xstrdup("tests/fixtures/minimal");
	diag_init(&d, fuzz_sink, &total);
	if (md_render_text(&page, c, "modules/basics/topics/fuzz.md",
			   (const char *)data, size, "../media/", &d) == 0)
		md_page_free(page);
	course_free(c);
	return 0;
}

int fuzz_zip(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	struct zipcheck_summary sum;

	diag_init(&d, fuzz_sink, &total);
	zipcheck_buffer(data, size, "fuzz.zip", &sum, &d);
	return 0;
}

int fuzz_xapi(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct diag d;
	struct buf row = BUF_INIT;
	FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
	if (!f)
		return 0;
	if (!size)
		fgetc(f); /* an empty stream */
	diag_init(&d, fuzz_sink, &total);
	struct xapi_reader *r = xapi_reader_new(f, "fuzz.json", NULL);
	for (int i = 0; i < 10000; i++) {
		json_t *st;
		struct xapi_pos pos;
		char label[64], id[XAPI_UUID_LEN + 1];
		int rc = xapi_reader_next(r, &st, &pos, &d);
		if (rc == 0 || rc == ET_EIO)
			break;
		if (rc < 0)
			continue;
		xapi_reader_label(&pos, label, sizeof(label));
		xapi_validate_statement(st, label,
					(struct loc){ "fuzz.json", pos.line,
						      pos.col },
					&d);
		xapi_uuid_statement(st, id);
		buf_clear(&row);
		xapi_csv_row(st, &row);
		json_decref(st);
	}
	unsigned char sha[SHA1_LEN];
	xapi_reader_finish(r, sha, &d);
	xapi_reader_free(r);
	fclose(f);
	buf_free(&row);
	return 0;
}

int fuzz_lrs_reply(const uint8_t *data, size_t size)
{
	struct buf row = BUF_INIT;
	char *msg = lrsclient_message((const char *)data, size, 4000);
	free(msg);
	json_t *page = json_loadb((const char *)data, size, 0, NULL);
	json_t *list = json_object_get(page, "statements"), *st;
	size_t i;
	json_array_foreach(list, i, st) {
		buf_clear(&row);
		xapi_csv_row(st, &row);
		char *s = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
		free(s);
	}
	json_decref(page);
	buf_free(&row);
	char *z = xstrndup((const char *)data, size);
	(void)lrsclient_retry_after(z, 0);
	free(z);
	return 0;
}

static char fuzz_journal_dir[] = "/tmp/etoolbox-fuzz-journal-XXXXXX";

static void fuzz_journal_cleanup(void)
{
	rmdir(fuzz_journal_dir);
}

int fuzz_journal(const uint8_t *data, size_t size)
{
	char *dir = fuzz_journal_dir;
	static int made;
	size_t total = 0;
	struct diag d;
	unsigned char sha[SHA1_LEN];
	char name[SHA1_HEX_LEN + 9];
	if (!made) {
		if (!mkdtemp(dir))
			return 0;
		made = 1;
		atexit(fuzz_journal_cleanup);
	}
	memset(sha, 1, sizeof(sha));
	journal_name(name, "http://lrs/", sha);
	char *path = path_join(dir, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		/* a valid header, then the fuzz data as the records, half the
		 * time; the raw data as the whole file otherwise */
		if (size && (data[0] & 1))
			fprintf(f, "etoolbox-send-journal 1\ninput "
				   "0101010101010101010101010101010101010101 "
				   "20\nlrs http://lrs/\n");
		fwrite(data, 1, size, f);
		fclose(f);
	}
	diag_init(&d, fuzz_sink, &total);
	struct journal *j = NULL;
	if (journal_open(&j, dir, "http://lrs/", sha, 20, &d) == 0) {
		for (size_t i = 0; i < 21; i++)
			total += (size_t)journal_done(j, i);
		journal_close(j);
	}
	unlink(path);
	free(path);
	return 0;
}
