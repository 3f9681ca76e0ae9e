/* test_lrs.c -- unit tests of etoolbox lrs: lrs_codec, lrs_keys,
 * lrs_statement, lrs_pack, lrs_multipart, lrs_sig, and lrs_api over an
 * in-memory store (statements, queries and cursors, documents, auth) */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "errors.h"
#include "harness.h"
#include "lrs_api.h"
#include "lrs_codec.h"
#include "lrs_keys.h"
#include "lrs_multipart.h"
#include "lrs_pack.h"
#include "lrs_sig.h"
#include "lrs_statement.h"
#include "lrs_store.h"
#include "util.h"

/* ---- lrs_codec ----------------------------------------------------------- */

void test_lrs_codec(void)
{
	struct buf b = BUF_INIT;
	char t[32], h[40];
	int64_t ms;

	OK(lrs_codec_base64_decode(&b, "YWxpY2U6c2VjcmV0", 16, 0) == 0 &&
	       strcmp(b.ptr, "alice:secret") == 0,
	   "lrs_codec__base64_decode");
	OK(lrs_codec_base64_decode(&b, "YQ==", 4, 0) == 0 && b.len == 1 &&
	       b.ptr[0] == 'a',
	   "lrs_codec__base64_padding");
	OK(lrs_codec_base64_decode(&b, "YQ=", 3, 0) != 0,
	   "lrs_codec__base64_bad_padding");
	OK(lrs_codec_base64_decode(&b, "a$b=", 4, 0) != 0,
	   "lrs_codec__base64_bad_char");
	buf_clear(&b);
	lrs_codec_base64url(&b, "\xfb\xff", 2);
	STR_EQ(b.ptr, "-_8", "lrs_codec__base64url");
	OK(lrs_codec_base64_decode(&b, "-_8", 3, 1) == 0 && b.len == 2 &&
	       (unsigned char)b.ptr[0] == 0xfb,
	   "lrs_codec__base64url_decode");

	OK(lrs_codec_unescape(&b, "a%20b+c", 7, 1) == 0 &&
	       strcmp(b.ptr, "a b c") == 0,
	   "lrs_codec__unescape_form");
	OK(lrs_codec_unescape(&b, "a%2", 3, 1) != 0, "lrs_codec__unescape_cut");
	OK(lrs_codec_unescape(&b, "a%00", 4, 1) != 0, "lrs_codec__unescape_nul");
	buf_clear(&b);
	lrs_codec_escape(&b, "{\"a\":1} ~");
	STR_EQ(b.ptr, "%7B%22a%22%3A1%7D%20~", "lrs_codec__escape");

	OK(lrs_codec_time_parse("2024-05-01T08:00:13.452Z", &ms) == 0 &&
	       ms == 1714550413452LL,
	   "lrs_codec__time_parse_utc");
	OK(lrs_codec_time_parse("2024-05-01T10:00:13.452+02:00", &ms) == 0 &&
	       ms == 1714550413452LL,
	   "lrs_codec__time_parse_offset");
	OK(lrs_codec_time_parse("2024-05-01T03:30:13.4529-0430", &ms) == 0 &&
	       ms == 1714550413452LL,
	   "lrs_codec__time_parse_offset_no_colon_fraction");
	OK(lrs_codec_time_parse("2024-05-01T08:00:13", &ms) != 0,
	   "lrs_codec__time_needs_zone");
	OK(lrs_codec_time_parse("2023-02-29T00:00:00Z", &ms) != 0,
	   "lrs_codec__time_real_dates");
	lrs_codec_time_format(1714550413452LL, t);
	STR_EQ(t, "2024-05-01T08:00:13.452Z", "lrs_codec__time_format");
	lrs_codec_time_format(-1, t);
	STR_EQ(t, "1969-12-31T23:59:59.999Z", "lrs_codec__time_format_before");
	lrs_codec_http_date(1714550413452LL, h);
	STR_EQ(h, "Wed, 01 May 2024 08:00:13 GMT", "lrs_codec__http_date");

	struct lrs_codec_range *r;
	int arr;
	const char *j = " [ {\"a\":\"]},\"}, {\"b\":[1,{}]} ,3 ] ";
	size_t n = lrs_codec_json_split(j, strlen(j), &r, &arr);
	OK(arr && n == 3 && r[0].off == 3 && r[0].len == 11 &&
	       strncmp(j + r[1].off, "{\"b\":[1,{}]}", r[1].len) == 0 &&
	       r[2].len == 1,
	   "lrs_codec__json_split_array");
	free(r);
	n = lrs_codec_json_split(" {\"x\":\"\\\"}\"} ", 13, &r, &arr);
	OK(!arr && n == 1 && r[0].off == 1 && r[0].len == 11,
	   "lrs_codec__json_split_object");
	free(r);
	buf_free(&b);
}

/* ---- lrs_keys ------------------------------------------------------------- */

void test_lrs_keys(void)
{
	struct collect c;
	char *dir = harness_tmpdir();
	char *path = path_join(dir, "lrs.keys");
	char id1[LRS_KEY_ID_LEN + 1], sec1[LRS_KEY_SECRET_LEN + 1];
	char id2[LRS_KEY_ID_LEN + 1], sec2[LRS_KEY_SECRET_LEN + 1];
	char got[LRS_KEY_ID_LEN + 1];
	struct lrs_keys *k = NULL;
	collect_init(&c);

	OK(lrs_keys_add(path, LRS_SCOPE_WRITE, "packages\tand\nmore", id1, sec1,
			&c.d) == 0,
	   "lrs_keys__add");
	OK(lrs_keys_add(path, LRS_SCOPE_READ, NULL, id2, sec2, &c.d) == 0 &&
	       strcmp(id1, id2) && strcmp(sec1, sec2),
	   "lrs_keys__add_second_differs");
	OK(strlen(id1) == LRS_KEY_ID_LEN && strncmp(id1, "et", 2) == 0 &&
	       strlen(sec1) == LRS_KEY_SECRET_LEN,
	   "lrs_keys__shapes");
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	util_read_file(&text, &len, path);
	OK(text && !strstr(text, sec1) && !strstr(text, sec2) &&
	       strstr(text, id1),
	   "lrs_keys__file_has_no_secret");
	OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	   "lrs_keys__file_mode_0600");
	free(text);

	OK(lrs_keys_open(&k, path, &c.d) == 0 && lrs_keys_count(k) == 2,
	   "lrs_keys__open");
	OK(lrs_keys_check(k, id1, strlen(id1), sec1, strlen(sec1), got) ==
		   LRS_SCOPE_WRITE &&
	       strcmp(got, id1) == 0,
	   "lrs_keys__check_write");
	OK(lrs_keys_check(k, id2, strlen(id2), sec2, strlen(sec2), NULL) ==
	       LRS_SCOPE_READ,
	   "lrs_keys__check_read");
	OK(lrs_keys_check(k, id1, strlen(id1), sec2, strlen(sec2), NULL) ==
	       LRS_SCOPE_NONE,
	   "lrs_keys__wrong_secret");
	OK(lrs_keys_check(k, id1, strlen(id1), sec1, strlen(sec1) - 1, NULL) ==
	       LRS_SCOPE_NONE,
	   "lrs_keys__short_secret");
	OK(lrs_keys_check(k, "etnobody", 8, sec1, strlen(sec1), NULL) ==
	       LRS_SCOPE_NONE,
	   "lrs_keys__unknown_id");

	OK(lrs_keys_revoke(path, id1, &c.d) == 0, "lrs_keys__revoke");
	OK(lrs_keys_revoke(path, id1, &c.d) == ET_ENOTFOUND,
	   "lrs_keys__revoke_twice");
	OK(lrs_keys_refresh(k, &c.d) == 0 &&
	       lrs_keys_check(k, id1, strlen(id1), sec1, strlen(sec1), NULL) ==
		   LRS_SCOPE_NONE &&
	       lrs_keys_count(k) == 1,
	   "lrs_keys__refresh_sees_revoke");
	struct lrs_key_info *v;
	size_t n;
	OK(lrs_keys_list(path, &v, &n, &c.d) == 0 && n == 2 && v[0].revoked &&
	       !v[1].revoked && strcmp(v[0].name, "packages and more") == 0,
	   "lrs_keys__list");
	lrs_keys_list_free(v, n);
	lrs_keys_free(k);

	harness_write(dir, "bad.keys", "# comment\nnot a key line\n");
	char *bad = path_join(dir, "bad.keys");
	buf_clear(&c.out);
	OK(lrs_keys_open(&k, bad, &c.d) == ET_EINVALID &&
	       strstr(c.out.ptr, "bad.keys:2:1: error: malformed key line"),
	   "lrs_keys__malformed_line");
	char *none = path_join(dir, "none.keys");
	OK(lrs_keys_open(&k, none, &c.d) == 0 && lrs_keys_count(k) == 0,
	   "lrs_keys__missing_file_is_empty");
	lrs_keys_free(k);
	free(none);
	free(bad);
	free(path);
	free(dir);
	collect_free(&c);
}

/* ---- lrs_statement ------------------------------------------------------------ */

static const char st_text[] =
    "{\"id\":\"0E7F4C41-0000-4000-8000-000000000001\","
    "\"actor\":{\"mbox\":\"mailto:a@example.org\",\"name\":\"A\"},"
    "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/completed\","
    "\"display\":{\"en-US\":\"completed\",\"fr\":\"terminé\"}},"
    "\"object\":{\"id\":\"http://example.org/a\","
    "\"definition\":{\"name\":{\"en-GB\":\"A\",\"en-US\":\"A!\"}}},"
    "\"result\":{\"score\":{\"scaled\":0.10000}},"
    "\"context\":{\"registration\":\"EC531277-B57B-4C15-8D91-D292C5B2B8F7\","
    "\"instructor\":{\"account\":{\"homePage\":\"https://lms.example.org\","
    "\"name\":\"t1\"}},\"contextActivities\":{\"parent\":["
    "{\"id\":\"http://example.org/course\"}]}}}";

static int has_ref(const struct lrs_statement *s, int kind, const char *v)
{
	for (size_t i = 0; i < s->nrefs; i++)
		if (s->refs[i].kind == kind && strcmp(s->refs[i].value, v) == 0)
			return 1;
	return 0;
}

void test_lrs_statement(void)
{
	struct lrs_statement s;
	json_t *j = json_loads(st_text, 0, NULL);
	lrs_statement_prepare(&s, j, st_text, strlen(st_text), "etkey",
			      "https://w3id.org/etoolbox/lrs/keys");
	OK(strcmp(s.id, "0e7f4c41-0000-4000-8000-000000000001") == 0,
	   "lrs_statement__id_lowercase_key");
	OK(strstr(s.text, "\"scaled\":0.10000") != NULL,
	   "lrs_statement__text_kept_as_sent");
	OK(strstr(s.text, ",\"version\":\"1.0.0\",\"authority\":{") &&
	       strstr(s.text, "\"name\":\"etkey\""),
	   "lrs_statement__version_and_authority_added");
	lrs_statement_patch(&s, 1714550413452LL);
	OK(strstr(s.text, "\"timestamp\":\"2024-05-01T08:00:13.452Z\","
			  "\"stored\":\"2024-05-01T08:00:13.452Z\"}"),
	   "lrs_statement__stored_and_timestamp_patched");
	json_t *back = json_loads(s.text, 0, NULL);
	OK(back && json_equal(back, s.json), "lrs_statement__text_is_the_json");
	json_decref(back);
	OK(has_ref(&s, LRS_REF_AGENT, "Agent|mbox|mailto:a@example.org") &&
	       has_ref(&s, LRS_REF_AGENT_RELATED,
		       "Agent|account|https://lms.example.org|t1") &&
	       !has_ref(&s, LRS_REF_AGENT,
			"Agent|account|https://lms.example.org|t1") &&
	       has_ref(&s, LRS_REF_VERB,
		       "http://adlnet.gov/expapi/verbs/completed") &&
	       has_ref(&s, LRS_REF_ACTIVITY, "http://example.org/a") &&
	       has_ref(&s, LRS_REF_ACTIVITY_RELATED,
		       "http://example.org/course") &&
	       !has_ref(&s, LRS_REF_ACTIVITY, "http://example.org/course") &&
	       has_ref(&s, LRS_REF_REGISTRATION,
		       "ec531277-b57b-4c15-8d91-d292c5b2b8f7") &&
	       has_ref(&s, LRS_REF_AGENT_RELATED,
		       "Agent|account|https://w3id.org/etoolbox/lrs/keys|etkey"),
	   "lrs_statement__refs");

	/* the same statement sent again, differently written */
	struct lrs_statement s2;
	json_t *j2 = json_loads(st_text, 0, NULL);
	json_object_set_new(j2, "stored",
			    json_string("2020-01-01T00:00:00Z")); /* ignored */
	lrs_statement_prepare(&s2, j2, NULL, 0, "other", "https://x.org");
	OK(lrs_statement_same(s.json, &s2), "lrs_statement__same_resend");
	lrs_statement_release(&s2);
	j2 = json_loads(st_text, 0, NULL);
	json_object_set_new(json_object_get(j2, "result"), "success",
			    json_true());
	lrs_statement_prepare(&s2, j2, NULL, 0, "etkey", "https://x.org");
	OK(!lrs_statement_same(s.json, &s2), "lrs_statement__different");
	lrs_statement_release(&s2);

	/* a single contextActivities object becomes an array; no id: one
	 * is made */
	const char *t3 = "{\"actor\":{\"mbox\":\"mailto:b@example.org\"},"
			 "\"verb\":{\"id\":\"http://x.org/v\"},\"object\":{"
			 "\"objectType\":\"StatementRef\",\"id\":"
			 "\"0e7f4c41-0000-4000-8000-000000000001\"},"
			 "\"context\":{\"contextActivities\":{\"other\":"
			 "{\"id\":\"http://x.org/o\"}}},"
			 "\"timestamp\":\"2024-01-01T00:00:00Z\"}";
	lrs_statement_prepare(&s2, json_loads(t3, 0, NULL), t3, strlen(t3), "k",
			      "https://x.org");
	OK(json_is_array(json_object_get(
	       json_object_get(json_object_get(s2.json, "context"),
			       "contextActivities"),
	       "other")) &&
	       strstr(s2.text, "\"other\":[{"),
	   "lrs_statement__context_activities_arrays");
	OK(s2.has_target && !s2.voiding &&
	       strcmp(s2.target, "0e7f4c41-0000-4000-8000-000000000001") == 0 &&
	       strlen(s2.id) == 36 && s2.timestamp_off == 0,
	   "lrs_statement__target_and_new_id");
	lrs_statement_release(&s2);

	/* formats */
	json_t *f = json_loads(s.text, 0, NULL);
	lrs_statement_format(f, LRS_FORMAT_IDS, NULL);
	OK(!json_object_get(json_object_get(f, "actor"), "name") &&
	       !json_object_get(json_object_get(f, "verb"), "display") &&
	       json_object_size(json_object_get(f, "object")) == 1,
	   "lrs_statement__format_ids");
	json_decref(f);
	f = json_loads(s.text, 0, NULL);
	lrs_statement_format(f, LRS_FORMAT_CANONICAL, "fr-CA, en;q=0.5");
	json_t *disp = json_object_get(json_object_get(f, "verb"), "display");
	json_t *name = json_object_get(
	    json_object_get(json_object_get(f, "object"), "definition"), "name");
	OK(json_object_size(disp) == 1 && json_object_get(disp, "fr") &&
	       json_object_size(name) == 1 && json_object_get(name, "en-GB"),
	   "lrs_statement__format_canonical");
	json_decref(f);
	lrs_statement_release(&s);
}

/* ---- lrs_pack, lrs_multipart, lrs_sig --------------------------------------- */

void test_lrs_pack(void)
{
	struct lrs_pack *p = lrs_pack_new();
	struct buf z = BUF_INIT, back = BUF_INIT;
	lrs_pack_body(p, st_text, strlen(st_text), &z);
	OK(z.len < strlen(st_text) && z.ptr[0] == 'z',
	   "lrs_pack__smaller (%zu of %zu bytes)", z.len, strlen(st_text));
	OK(lrs_pack_unbody(p, z.ptr, z.len, &back) == 0 &&
	       strcmp(back.ptr, st_text) == 0,
	   "lrs_pack__round_trip");
	buf_clear(&back);
	OK(lrs_pack_unbody(p, z.ptr, z.len - 3, &back) != 0,
	   "lrs_pack__truncated");
	buf_clear(&back);
	OK(lrs_pack_unbody(p, "{\"a\":1}", 7, &back) == 0 &&
	       strcmp(back.ptr, "{\"a\":1}") == 0,
	   "lrs_pack__plain_json_read");
	OK(lrs_pack_unbody(p, "x", 1, &back) != 0, "lrs_pack__garbage");
	buf_free(&z);
	buf_free(&back);
	lrs_pack_free(p);
}

void test_lrs_multipart(void)
{
	struct lrs_part *parts;
	size_t n;
	struct buf why = BUF_INIT, out = BUF_INIT;
	const char *body = "preamble\r\n--b1\r\nContent-Type: application/json\r\n"
			   "\r\n[{}]\r\n--b1\r\nContent-Type: text/plain\r\n"
			   "X-Experience-API-Hash: abc\r\n"
			   "Content-Transfer-Encoding: binary\r\n\r\nhi\r\n"
			   "there\r\n--b1--\r\n";
	OK(lrs_multipart_parse("multipart/mixed; boundary=b1", body,
			       strlen(body), &parts, &n, &why) == 0 &&
	       n == 2 && parts[0].len == 4 &&
	       strcmp(parts[1].hash, "abc") == 0 && parts[1].len == 9 &&
	       strcmp(parts[1].transfer_encoding, "binary") == 0,
	   "lrs_multipart__parse");
	lrs_multipart_free(parts, n);
	OK(lrs_multipart_parse("multipart/mixed", body, strlen(body), &parts,
			       &n, &why) != 0 &&
	       strstr(why.ptr, "boundary"),
	   "lrs_multipart__needs_boundary");
	buf_clear(&why);
	OK(lrs_multipart_parse("multipart/mixed; boundary=b1",
			       "--b1\r\nContent-Type: a/b\r\n\r\nx", 27, &parts,
			       &n, &why) != 0,
	   "lrs_multipart__unclosed");
	lrs_multipart_add(&out, "bb", "application/json", NULL, "{}", 2);
	lrs_multipart_add(&out, "bb", "text/plain", "ff", "x", 1);
	lrs_multipart_end(&out, "bb");
	OK(lrs_multipart_parse("multipart/mixed; boundary=\"bb\"", out.ptr,
			       out.len, &parts, &n, &why) == 0 &&
	       n == 2 && strcmp(parts[1].hash, "ff") == 0 &&
	       parts[1].len == 1,
	   "lrs_multipart__build_and_parse");
	lrs_multipart_free(parts, n);
	buf_free(&why);
	buf_free(&out);

	/* a JWS over the statement: header {"alg":"RS256"}, unsigned */
	json_t *st = json_loads("{\"actor\":{\"mbox\":\"mailto:a@b.org\"}}", 0,
				NULL);
	struct buf jws = BUF_INIT;
	const char *hdr = "{\"alg\":\"RS256\"}", *pl = "{\"actor\":{\"mbox\":"
						      "\"mailto:a@b.org\"}}";
	lrs_codec_base64url(&jws, hdr, strlen(hdr));
	buf_putc(&jws, '.');
	lrs_codec_base64url(&jws, pl, strlen(pl));
	buf_puts(&jws, ".c2ln");
	OK(lrs_sig_check(st, jws.ptr, jws.len, &why) == 0, "lrs_sig__payload");
	buf_clear(&jws);
	hdr = "{\"alg\":\"HS256\"}";
	lrs_codec_base64url(&jws, hdr, strlen(hdr));
	buf_putc(&jws, '.');
	lrs_codec_base64url(&jws, pl, strlen(pl));
	buf_puts(&jws, ".c2ln");
	OK(lrs_sig_check(st, jws.ptr, jws.len, &why) != 0 &&
	       strstr(why.ptr, "HS256"),
	   "lrs_sig__algorithm");
	buf_clear(&why);
	OK(lrs_sig_check(st, "a.b", 3, &why) != 0, "lrs_sig__not_compact");
	buf_free(&jws);
	buf_free(&why);
	json_decref(st);
}

/* ---- lrs_api over an in-memory store ---------------------------------------- */

struct fixture {
	char *dir, *keys_path;
	struct lrs_keys *keys;
	struct lrs_store *store;
	struct lrs_api api;
	char admin[128], writer[128], reader[128];
	struct collect c;
};

static void basic(char *out, size_t n, const char *id, const char *secret)
{
	char cred[128];
	snprintf(cred, sizeof(cred), "%s:%s", id, secret);
	char *b = util_base64(cred, strlen(cred));
	snprintf(out, n, "Basic %s", b);
	free(b);
}

static void fixture_init(struct fixture *f)
{
	char id[LRS_KEY_ID_LEN + 1], sec[LRS_KEY_SECRET_LEN + 1];
	memset(f, 0, sizeof(*f));
	collect_init(&f->c);
	f->dir = harness_tmpdir();
	f->keys_path = path_join(f->dir, "k.keys");
	lrs_keys_add(f->keys_path, LRS_SCOPE_ADMIN, "a", id, sec, &f->c.d);
	basic(f->admin, sizeof(f->admin), id, sec);
	lrs_keys_add(f->keys_path, LRS_SCOPE_WRITE, "w", id, sec, &f->c.d);
	basic(f->writer, sizeof(f->writer), id, sec);
	lrs_keys_add(f->keys_path, LRS_SCOPE_READ, "r", id, sec, &f->c.d);
	basic(f->reader, sizeof(f->reader), id, sec);
	lrs_keys_open(&f->keys, f->keys_path, &f->c.d);
	lrs_store_open(&f->store, ":memory:", &f->c.d);
	lrs_api_init(&f->api, f->store, f->keys, "/xAPI/", 0);
}

static void fixture_free(struct fixture *f)
{
	lrs_api_release(&f->api);
	lrs_store_close(f->store);
	lrs_keys_free(f->keys);
	free(f->keys_path);
	free(f->dir);
	collect_free(&f->c);
}

/* One request: "METHOD path" with params as "name=value&..." (already
 * decoded, '&' separated). Returns the status; the body in 'out'. */
static int call(struct fixture *f, const char *auth, const char *method,
		const char *path, const char *params, const char *body,
		struct buf *out, struct lrs_response *keep)
{
	struct lrs_request req;
	struct lrs_response res;
	struct lrs_param p[16];
	char *copy = xstrdup(params ? params : "");
	size_t n = 0;
	memset(&req, 0, sizeof(req));
	for (char *save = NULL, *t = strtok_r(copy, "&", &save); t && n < 16;
	     t = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(t, '=');
		if (eq)
			*eq = '\0';
		p[n].name = t;
		p[n].value = eq ? eq + 1 : "";
		n++;
	}
	req.method = !strcmp(method, "GET")	? LRS_GET
		     : !strcmp(method, "POST")	? LRS_POST
		     : !strcmp(method, "PUT")	? LRS_PUT
		     : !strcmp(method, "DELETE") ? LRS_DELETE
						 : LRS_OPTIONS;
	req.path = path;
	req.params = p;
	req.nparams = n;
	req.authorization = auth;
	req.version = "1.0.3";
	req.content_type = "application/json";
	req.body = body ? body : "";
	req.body_len = body ? strlen(body) : 0;
	lrs_response_init(&res);
	lrs_api_handle(&f->api, &req, &res, &f->c.d);
	if (out) {
		buf_clear(out);
		buf_add(out, res.body.ptr, res.body.len);
	}
	int status = res.status;
	if (keep) {
		*keep = res;
	} else {
		lrs_response_release(&res);
	}
	lrs_request_release(&req);
	free(copy);
	return status;
}

static char *statement(int i, const char *verb, const char *learner)
{
	return xasprintf(
	    "{\"id\":\"11111111-2222-4333-8444-%012d\",\"actor\":{\"account\":"
	    "{\"homePage\":\"https://lms.example.org\",\"name\":\"%s\"}},"
	    "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/%s\"},"
	    "\"object\":{\"id\":\"http://example.org/act/%d\"},"
	    "\"context\":{\"registration\":"
	    "\"aaaaaaaa-bbbb-4ccc-8ddd-%012d\",\"contextActivities\":{"
	    "\"grouping\":[{\"id\":\"http://example.org/course\"}]}},"
	    "\"timestamp\":\"2024-05-01T08:00:00.000Z\"}",
	    i, learner, verb, i % 3, i % 2);
}

static size_t count_statements(const char *body)
{
	json_t *j = json_loads(body, 0, NULL);
	size_t n = json_array_size(json_object_get(j, "statements"));
	json_decref(j);
	return n;
}

void test_lrs_api(void)
{
	struct fixture f;
	struct buf out = BUF_INIT, batch = BUF_INIT, q = BUF_INIT;
	fixture_init(&f);

	OK(call(&f, NULL, "GET", "about", NULL, NULL, &out, NULL) == 200 &&
	       strstr(out.ptr, "\"1.0.3\""),
	   "lrs_api__about_without_key");
	OK(call(&f, NULL, "GET", "statements", NULL, NULL, &out, NULL) == 401,
	   "lrs_api__no_key_401");
	OK(call(&f, "Basic bm9ib2R5OnNlY3JldA==", "GET", "statements", NULL,
		NULL, &out, NULL) == 401,
	   "lrs_api__unknown_key_401");

	/* a batch of 30 */
	buf_putc(&batch, '[');
	for (int i = 0; i < 30; i++) {
		char *s = statement(i, i % 3 ? "experienced" : "completed",
				    i < 10 ? "l1" : "l2");
		buf_printf(&batch, "%s%s", i ? "," : "", s);
		free(s);
	}
	buf_putc(&batch, ']');
	OK(call(&f, f.writer, "POST", "statements", NULL, batch.ptr, &out,
		NULL) == 200 &&
	       strncmp(out.ptr, "[\"11111111-2222-4333-8444-000000000000\"", 39) ==
		   0,
	   "lrs_api__post_batch");
	OK(call(&f, f.writer, "POST", "statements", NULL, batch.ptr, &out,
		NULL) == 200,
	   "lrs_api__post_same_batch_again_200");
	OK(call(&f, f.writer, "GET", "statements", NULL, NULL, &out, NULL) ==
	       403,
	   "lrs_api__write_key_cant_read");
	OK(call(&f, f.reader, "POST", "statements", NULL, batch.ptr, &out,
		NULL) == 403,
	   "lrs_api__read_key_cant_write");
	OK(call(&f, f.reader, "GET", "statements", NULL, NULL, &out, NULL) ==
		   200 &&
	       count_statements(out.ptr) == 30,
	   "lrs_api__read_all");

	/* filters */
	OK(call(&f, f.reader, "GET", "statements",
		"verb=http://adlnet.gov/expapi/verbs/completed", NULL, &out,
		NULL) == 200 &&
	       count_statements(out.ptr) == 10,
	   "lrs_api__filter_verb");
	OK(call(&f, f.reader, "GET", "statements",
		"agent={\"account\":{\"homePage\":\"https://lms.example.org\","
		"\"name\":\"l1\"}}",
		NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 10,
	   "lrs_api__filter_agent");
	OK(call(&f, f.reader, "GET", "statements",
		"activity=http://example.org/course", NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 0,
	   "lrs_api__filter_activity_narrow");
	OK(call(&f, f.reader, "GET", "statements",
		"activity=http://example.org/course&related_activities=true",
		NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 30,
	   "lrs_api__filter_activity_related");
	OK(call(&f, f.reader, "GET", "statements",
		"registration=AAAAAAAA-BBBB-4CCC-8DDD-000000000001&verb=http://"
		"adlnet.gov/expapi/verbs/experienced",
		NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 10,
	   "lrs_api__filter_registration_and_verb");
	OK(call(&f, f.reader, "GET", "statements", "since=2999-01-01T00:00:00Z",
		NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 0,
	   "lrs_api__filter_since");
	OK(call(&f, f.reader, "GET", "statements", "until=2000-01-01T00:00:00Z",
		NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 0,
	   "lrs_api__filter_until");
	OK(call(&f, f.reader, "GET", "statements", "verb=not an iri", NULL,
		&out, NULL) == 400 &&
	       strstr(out.ptr, "parameter 'verb'"),
	   "lrs_api__bad_filter_named");
	OK(call(&f, f.reader, "GET", "statements", "colour=red", NULL, &out,
		NULL) == 400 &&
	       strstr(out.ptr, "unknown parameter 'colour'"),
	   "lrs_api__unknown_parameter");

	/* paging: 7 at a time, ascending, across inserts */
	size_t seen = 0, pages = 0;
	buf_puts(&q, "limit=7&ascending=true");
	int order_ok = 1;
	char last[64] = "";
	while (pages < 20) {
		if (call(&f, f.reader, "GET", "statements", q.ptr, NULL, &out,
			 NULL) != 200)
			break;
		json_t *j = json_loads(out.ptr, 0, NULL);
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(j, "statements"), i, s) {
			const char *id = json_string_value(json_object_get(s, "id"));
			if (strcmp(id, last) <= 0)
				order_ok = 0;
			snprintf(last, sizeof(last), "%s", id);
			seen++;
		}
		const char *more = json_string_value(json_object_get(j, "more"));
		pages++;
		if (pages == 1) { /* stored after the first page */
			char *s2 = statement(999, "completed", "l3");
			call(&f, f.writer, "POST", "statements", NULL, s2, NULL,
			     NULL);
			free(s2);
		}
		buf_clear(&q);
		if (more && *more) {
			OK(strncmp(more, "/xAPI/statements?more=", 22) == 0,
			   "lrs_api__more_link_shape (page %zu)", pages);
			buf_printf(&q, "more=%s", more + 22);
		}
		json_decref(j);
		if (!q.len)
			break;
	}
	OK(seen == 30 && pages == 5 && order_ok,
	   "lrs_api__paging_snapshot (%zu in %zu pages)", seen, pages);
	OK(call(&f, f.reader, "GET", "statements", "more=AAAA.BBBB", NULL, &out,
		NULL) == 400,
	   "lrs_api__forged_cursor");

	/* one statement; conflicts; voiding */
	OK(call(&f, f.reader, "GET", "statements",
		"statementId=11111111-2222-4333-8444-000000000003", NULL, &out,
		NULL) == 200 &&
	       strstr(out.ptr, "\"stored\":\"20") &&
	       !strstr(out.ptr, LRS_STORED_PLACEHOLDER),
	   "lrs_api__get_one_with_stored");
	char *changed = statement(3, "passed", "l1");
	OK(call(&f, f.writer, "PUT", "statements",
		"statementId=11111111-2222-4333-8444-000000000003", changed, &out,
		NULL) == 409,
	   "lrs_api__conflict_409");
	free(changed);
	char *same = statement(3, "completed", "l1");
	OK(call(&f, f.writer, "PUT", "statements",
		"statementId=11111111-2222-4333-8444-000000000003", same, &out,
		NULL) == 204,
	   "lrs_api__same_put_204");
	free(same);
	const char *voider =
	    "{\"id\":\"99999999-2222-4333-8444-000000000001\",\"actor\":"
	    "{\"mbox\":\"mailto:admin@example.org\"},\"verb\":{\"id\":"
	    "\"http://adlnet.gov/expapi/verbs/voided\"},\"object\":{"
	    "\"objectType\":\"StatementRef\",\"id\":"
	    "\"11111111-2222-4333-8444-000000000003\"}}";
	OK(call(&f, f.admin, "POST", "statements", NULL, voider, &out, NULL) ==
	       200,
	   "lrs_api__void");
	OK(call(&f, f.reader, "GET", "statements",
		"statementId=11111111-2222-4333-8444-000000000003", NULL, &out,
		NULL) == 404 &&
	       call(&f, f.reader, "GET", "statements",
		    "voidedStatementId=11111111-2222-4333-8444-000000000003",
		    NULL, &out, NULL) == 200,
	   "lrs_api__voided_only_by_voidedStatementId");
	OK(call(&f, f.reader, "GET", "statements",
		"agent={\"account\":{\"homePage\":\"https://lms.example.org\","
		"\"name\":\"l1\"}}",
		NULL, &out, NULL) == 200 &&
	       count_statements(out.ptr) == 10 &&
	       strstr(out.ptr, "99999999-2222-4333-8444-000000000001") &&
	       !strstr(out.ptr, "{\"id\":\"11111111-2222-4333-8444-000000000003"),
	   "lrs_api__voiding_found_through_its_target");
	const char *revoid =
	    "{\"actor\":{\"mbox\":\"mailto:admin@example.org\"},\"verb\":{"
	    "\"id\":\"http://adlnet.gov/expapi/verbs/voided\"},\"object\":{"
	    "\"objectType\":\"StatementRef\",\"id\":"
	    "\"99999999-2222-4333-8444-000000000001\"}}";
	OK(call(&f, f.admin, "POST", "statements", NULL, revoid, &out, NULL) ==
		   400 &&
	       strstr(out.ptr, "voiding statement"),
	   "lrs_api__void_a_voider_400");

	/* invalid statements: 400 naming the statement and the field */
	const char *bad = "[{\"actor\":{\"mbox\":\"mailto:a@b.org\"},\"verb\":{"
			  "\"id\":\"http://x.org/v\"},\"object\":{\"id\":"
			  "\"http://x.org/o\"}},{\"actor\":{\"mbox\":"
			  "\"mailto:a@b.org\"},\"verb\":{\"id\":\"http://x.org/"
			  "v\"},\"object\":{\"id\":\"http://x.org/o\"},"
			  "\"result\":{\"score\":{\"scaled\":2}}}]";
	OK(call(&f, f.writer, "POST", "statements", NULL, bad, &out, NULL) ==
		   400 &&
	       strstr(out.ptr, "statement [1]: 'result.score.scaled' must be "
			       "between -1 and 1"),
	   "lrs_api__invalid_named");
	OK(call(&f, f.writer, "POST", "statements", NULL, "[{\"a\":1,\"a\":2}]",
		&out, NULL) == 400 &&
	       strstr(out.ptr, "not JSON") && strstr(out.ptr, "duplicate"),
	   "lrs_api__duplicate_keys");
	OK(call(&f, f.writer, "POST", "statements", NULL, "[{}, ", &out,
		NULL) == 400 &&
	       strstr(out.ptr, "not JSON"),
	   "lrs_api__broken_json");
	OK(call(&f, f.reader, "GET", "statements", NULL, NULL, &out, NULL) ==
		   200 &&
	       count_statements(out.ptr) == 31,
	   "lrs_api__nothing_stored_from_bad_batches");

	/* Activity State */
	const char *sp = "activityId=http://example.org/act/1&agent={\"mbox\":"
			 "\"mailto:a@b.org\"}&stateId=s1";
	struct lrs_response keep;
	OK(call(&f, f.writer, "PUT", "activities/state", sp, "{\"a\":1,\"b\":2}",
		&out, NULL) == 204,
	   "lrs_api__state_put");
	OK(call(&f, f.writer, "POST", "activities/state", sp, "{\"b\":3}", &out,
		NULL) == 204,
	   "lrs_api__state_post_merge");
	OK(call(&f, f.writer, "GET", "activities/state", sp, NULL, &out, &keep) ==
		   200 &&
	       strcmp(out.ptr, "{\"a\":1,\"b\":3}") == 0 &&
	       strlen(keep.etag) == 42 && keep.etag[0] == '"',
	   "lrs_api__state_get_merged_with_etag");
	lrs_response_release(&keep);
	OK(call(&f, f.reader, "PUT", "activities/state", sp, "{}", &out,
		NULL) == 403,
	   "lrs_api__state_read_key_cant_write");
	OK(call(&f, f.writer, "GET", "activities/state",
		"activityId=http://example.org/act/1&agent={\"mbox\":"
		"\"mailto:a@b.org\"}",
		NULL, &out, NULL) == 200 &&
	       strcmp(out.ptr, "[\"s1\"]") == 0,
	   "lrs_api__state_ids");
	OK(call(&f, f.writer, "DELETE", "activities/state", sp, NULL, &out,
		NULL) == 204 &&
	       call(&f, f.writer, "GET", "activities/state", sp, NULL, &out,
		    NULL) == 404,
	   "lrs_api__state_delete");
	OK(call(&f, f.writer, "PUT", "activities/state",
		"activityId=http://example.org/act/1&stateId=s1", "{}", &out,
		NULL) == 400 &&
	       strstr(out.ptr, "parameter 'agent' is required"),
	   "lrs_api__state_needs_agent");

	OK(call(&f, f.admin, "GET", "nothing", NULL, NULL, &out, NULL) == 404,
	   "lrs_api__unknown_resource_404");

	buf_free(&out);
	buf_free(&batch);
	buf_free(&q);
	fixture_free(&f);
}

/* ---- lrs_pool ------------------------------------------------------------------ */

#include "lrs_pool.h"

struct pool_ctx {
	int done[1000];
	int workers[1000];
	int ready[1000];
};

static void pool_task(void *ctx, size_t i, struct lrs_pack *pack,
		      unsigned worker)
{
	struct pool_ctx *c = ctx;
	(void)pack;
	c->done[i]++;
	c->workers[i] = (int)worker;
	__atomic_store_n(&c->ready[i], 1, __ATOMIC_RELEASE);
}

void test_lrs_pool(void)
{
	static struct pool_ctx c;
	struct lrs_pool *p = lrs_pool_new(2);
	struct lrs_pack *pack = lrs_pack_new();
	OK(lrs_pool_size(p) == 3 && lrs_pool_size(NULL) == 1,
	   "lrs_pool__size");
	memset(&c, 0, sizeof(c));
	lrs_pool_run(p, 1000, pool_task, &c, pack);
	int once = 1, by_caller = 0;
	for (int i = 0; i < 1000; i++) {
		once &= c.done[i] == 1;
		by_caller += c.workers[i] == 0;
	}
	OK(once, "lrs_pool__run_each_task_once");
	/* consuming in order while the tasks run */
	memset(&c, 0, sizeof(c));
	struct lrs_pool_job *j = lrs_pool_start(p, 1000, pool_task, &c);
	int in_order = 1;
	for (int i = 0; i < 1000; i++) {
		while (!__atomic_load_n(&c.ready[i], __ATOMIC_ACQUIRE))
			if (!lrs_pool_help(j, pack))
				lrs_pool_wait_any(j);
		in_order &= c.done[i] == 1;
	}
	lrs_pool_finish(j, pack);
	OK(in_order, "lrs_pool__start_help_finish");
	/* no threads: everything on the caller */
	memset(&c, 0, sizeof(c));
	j = lrs_pool_start(NULL, 10, pool_task, &c);
	lrs_pool_finish(j, pack);
	OK(c.done[0] == 1 && c.done[9] == 1 && c.workers[9] == 0,
	   "lrs_pool__without_threads");
	(void)by_caller;
	lrs_pack_free(pack);
	lrs_pool_free(p);
}
