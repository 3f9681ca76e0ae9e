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

/* ---- etoolbox lrs: a request through lrs_api ---------------------------- */

#include "lrs_api.h"
#include "lrs_codec.h"
#include "lrs_keys.h"
#include "lrs_store.h"

/* One store and one admin key for the whole run; the store starts over
 * every 2000 inputs so that it stays small. */
static struct {
	int ready;
	char dir[48];
	char *keys_path;
	struct lrs_keys *keys;
	struct lrs_store *store;
	struct lrs_api api;
	char auth[128];
	unsigned runs;
} fuzz_lrs_state;

static void fuzz_lrs_close(void)
{
	if (fuzz_lrs_state.store) {
		lrs_api_release(&fuzz_lrs_state.api);
		lrs_store_close(fuzz_lrs_state.store);
		fuzz_lrs_state.store = NULL;
	}
}

static void fuzz_lrs_cleanup(void)
{
	fuzz_lrs_close();
	lrs_keys_free(fuzz_lrs_state.keys);
	if (fuzz_lrs_state.keys_path) {
		char *lock = xasprintf("%s.lock", fuzz_lrs_state.keys_path);
		unlink(fuzz_lrs_state.keys_path);
		unlink(lock);
		free(lock);
		free(fuzz_lrs_state.keys_path);
	}
	rmdir(fuzz_lrs_state.dir);
}

static int fuzz_lrs_setup(void)
{
	struct diag d;
	size_t total = 0;
	char id[LRS_KEY_ID_LEN + 1], secret[LRS_KEY_SECRET_LEN + 1];
	diag_init(&d, fuzz_sink, &total);
	if (!fuzz_lrs_state.ready) {
		snprintf(fuzz_lrs_state.dir, sizeof(fuzz_lrs_state.dir),
			 "/tmp/etoolbox-fuzz-lrs-XXXXXX");
		if (!mkdtemp(fuzz_lrs_state.dir))
			return -1;
		atexit(fuzz_lrs_cleanup);
		fuzz_lrs_state.keys_path = path_join(fuzz_lrs_state.dir, "k");
		if (lrs_keys_add(fuzz_lrs_state.keys_path, LRS_SCOPE_ADMIN, "fuzz",
				 id, secret, &d) ||
		    lrs_keys_open(&fuzz_lrs_state.keys, fuzz_lrs_state.keys_path,
				  &d))
			return -1;
		char *cred = xasprintf("%s:%s", id, secret);
		char *b64 = util_base64(cred, strlen(cred));
		snprintf(fuzz_lrs_state.auth, sizeof(fuzz_lrs_state.auth),
			 "Basic %s", b64);
		free(cred);
		free(b64);
		fuzz_lrs_state.ready = 1;
	}
	if (fuzz_lrs_state.store && fuzz_lrs_state.runs % 2000 == 0)
		fuzz_lrs_close();
	if (!fuzz_lrs_state.store) {
		if (lrs_store_open(&fuzz_lrs_state.store, ":memory:", &d))
			return -1;
		lrs_api_init(&fuzz_lrs_state.api, fuzz_lrs_state.store,
			     fuzz_lrs_state.keys, "/xAPI", 0);
	}
	fuzz_lrs_state.runs++;
	return 0;
}

int fuzz_lrs(const uint8_t *data, size_t size)
{
	static const enum lrs_method methods[] = { LRS_POST, LRS_GET, LRS_PUT,
						   LRS_DELETE, LRS_HEAD,
						   LRS_OPTIONS };
	static const char *const paths[] = {
		"statements", "statements", "activities/state",
		"activities/profile", "agents/profile", "activities", "agents",
		"about"
	};
	static const char *const types[] = {
		"application/json", "multipart/mixed; boundary=b",
		"application/x-www-form-urlencoded", NULL, "text/plain",
		"application/json; charset=utf-8", "multipart/mixed", ""
	};
	static const char *const versions[] = { "1.0.3", "1.0", NULL, "2.0.0" };
	struct lrs_request req;
	struct lrs_response res;
	struct lrs_param params[32];
	struct buf names[32], values[32];
	size_t total = 0, np = 0;
	struct diag d;
	if (size < 4 || fuzz_lrs_setup())
		return 0;
	diag_init(&d, fuzz_sink, &total);
	memset(&req, 0, sizeof(req));
	req.method = methods[data[0] % 6];
	req.path = paths[data[1] % 8];
	req.content_type = types[data[2] % 8];
	req.version = versions[(data[3] >> 2) % 4];
	req.authorization = (data[3] & 3) == 3 ? "Basic Zm9vOmJhcg==" :
						 fuzz_lrs_state.auth;
	req.if_match = (data[3] & 0x10) ? "*" : NULL;
	req.if_none_match = (data[3] & 0x20) ? "\"x\", *" : NULL;
	req.accept_language = (data[3] & 0x40) ? "fr;q=0.5, en-GB" : NULL;
	/* then "query\nbody": the query split at '&' and '=', decoded */
	const char *q = (const char *)data + 4, *end = (const char *)data + size;
	const char *nl = memchr(q, '\n', (size_t)(end - q));
	const char *qend = nl ? nl : end;
	while (q < qend && np < 32) {
		const char *amp = memchr(q, '&', (size_t)(qend - q));
		const char *fe = amp ? amp : qend;
		const char *eq = memchr(q, '=', (size_t)(fe - q));
		buf_init(&names[np]);
		buf_init(&values[np]);
		if (lrs_codec_unescape(&names[np], q, (size_t)((eq ? eq : fe) - q),
				       1) == 0 &&
		    (!eq || lrs_codec_unescape(&values[np], eq + 1,
					       (size_t)(fe - eq - 1), 1) == 0) &&
		    names[np].len) {
			params[np].name = names[np].ptr;
			params[np].value = values[np].ptr;
			np++;
		} else {
			buf_free(&names[np]);
			buf_free(&values[np]);
		}
		q = amp ? amp + 1 : qend;
	}
	req.params = params;
	req.nparams = np;
	req.body = nl ? nl + 1 : "";
	req.body_len = nl ? (size_t)(end - nl - 1) : 0;
	lrs_response_init(&res);
	lrs_api_handle(&fuzz_lrs_state.api, &req, &res, &d);
	if (res.status < 200 || res.status >= 500) /* a bug, not bad input */
		BUG("status %d", res.status);
	lrs_response_release(&res);
	lrs_request_release(&req);
	for (size_t i = 0; i < np; i++) {
		buf_free(&names[i]);
		buf_free(&values[i]);
	}
	return 0;
}
