/* test_xapi.c -- unit tests of sha1, xapi_uuid, xapi_validate, xapi_reader,
 * xapi_csv, xapi_auth, journal and the offline parts of lrsclient */
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "dynlib.h"
#include "errors.h"
#include "harness.h"
#include "journal.h"
#include "lrsclient.h"
#include "sha1.h"
#include "util.h"
#include "xapi_auth.h"
#include "xapi_csv.h"
#include "xapi_reader.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

static void sha_of(const char *s, char out[SHA1_HEX_LEN + 1])
{
	struct sha1 h;
	unsigned char d[SHA1_LEN];
	sha1_init(&h);
	sha1_update(&h, s, strlen(s));
	sha1_final(&h, d);
	sha1_hex(d, out);
}

void test_sha1(void)
{
	char hex[SHA1_HEX_LEN + 1];
	sha_of("", hex);
	STR_EQ(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1__empty");
	sha_of("abc", hex);
	STR_EQ(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1__abc");
	sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
	STR_EQ(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	       "sha1__two_blocks");
	/* a million 'a', fed in odd pieces */
	struct sha1 h;
	unsigned char d[SHA1_LEN];
	char chunk[997];
	memset(chunk, 'a', sizeof(chunk));
	sha1_init(&h);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		sha1_update(&h, chunk, n);
		left -= n;
	}
	sha1_final(&h, d);
	sha1_hex(d, hex);
	STR_EQ(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	       "sha1__million_a");
}

void test_uuid(void)
{
	char u[XAPI_UUID_LEN + 1];
	xapi_uuid_v5(xapi_uuid_statement_ns, "abc", 3, u);
	STR_EQ(u, "6880cde4-a222-554a-8529-52eea64699eb",
	       "uuid__v5: matches Python's uuid5 in our namespace");
	xapi_uuid_v4(u);
	OK(xapi_uuid_valid(u) && u[14] == '4', "uuid__v4: valid, version 4");
	char u2[XAPI_UUID_LEN + 1];
	xapi_uuid_v4(u2);
	OK(strcmp(u, u2) != 0, "uuid__v4: two differ");
	OK(xapi_uuid_valid("6B0B2A61-8B5C-4F3E-9D3A-6A0C1F5F4B01"),
	   "uuid__valid: upper case");
	OK(xapi_uuid_valid("01890a5d-ac96-774b-bcce-b302099a8057"),
	   "uuid__valid: version 7");
	OK(!xapi_uuid_valid("6b0b2a61-8b5c-4f3e-7d3a-6a0c1f5f4b01"),
	   "uuid__valid: NCS variant refused");
	OK(!xapi_uuid_valid("6b0b2a618b5c4f3e9d3a6a0c1f5f4b01"),
	   "uuid__valid: no dashes refused");
	OK(!xapi_uuid_valid("{6b0b2a61-8b5c-4f3e-9d3a-6a0c1f5f4b01}"),
	   "uuid__valid: braces refused");

	json_t *a = json_loads("{\"b\":1,\"a\":[0.1,\"x\"]}", 0, NULL);
	json_t *b = json_loads("{\"a\":[0.1,\"x\"],\"b\":1}", 0, NULL);
	json_t *c = json_loads("{\"a\":[0.1,\"x\"],\"b\":1,\"id\":\"z\"}", 0,
			       NULL);
	char ua[XAPI_UUID_LEN + 1], ub[XAPI_UUID_LEN + 1],
	    uc[XAPI_UUID_LEN + 1];
	xapi_uuid_statement(a, ua);
	xapi_uuid_statement(b, ub);
	xapi_uuid_statement(c, uc);
	OK(strcmp(ua, ub) == 0 && strcmp(ua, uc) == 0 && ua[14] == '5',
	   "uuid__statement: key order and id don't change it");
	json_object_set_new(a, "b", json_integer(2));
	xapi_uuid_statement(a, uc);
	OK(strcmp(ua, uc) != 0, "uuid__statement: content changes it");
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

void test_xapi_values(void)
{
	static const char *const good_ts[] = {
		"2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00Z",
		"2024-05-01T12:00Z", "2024-02-29T23:59:59.999999+02:00",
		"2024-05-01T12:00:00-0530", "2024-05-01T12:00:00+01", NULL
	};
	static const char *const bad_ts[] = {
		"2024-05-01T12:00:00", "2024-05-01", "2023-02-29T00:00:00Z",
		"2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z",
		"2024-05-01 12:00:00Z", "2024-05-01T12:00:00.Z",
		"2024-05-01T12:00:60Z", "2024-05-01T12:00:00+2", NULL
	};
	for (int i = 0; good_ts[i]; i++)
		OK(xapi_validate_timestamp(good_ts[i]), "timestamp__ok: %s",
		   good_ts[i]);
	for (int i = 0; bad_ts[i]; i++)
		OK(!xapi_validate_timestamp(bad_ts[i]), "timestamp__bad: %s",
		   bad_ts[i]);
	static const char *const good_d[] = { "PT1H2M3.45S", "P1D", "P2W",
					      "PT0S", "P1Y2M3DT4H5M6S",
					      "PT36H", NULL };
	static const char *const bad_d[] = { "PT", "P", "00:12:30", "P1H",
					     "PT1.5M", "P1DT", "PT1S2M",
					     "P1W2D", "-P1D", "PT1,5S", NULL };
	for (int i = 0; good_d[i]; i++)
		OK(xapi_validate_duration(good_d[i]), "duration__ok: %s",
		   good_d[i]);
	for (int i = 0; bad_d[i]; i++)
		OK(!xapi_validate_duration(bad_d[i]), "duration__bad: %s",
		   bad_d[i]);
	static const char *const good_l[] = { "en", "en-US", "zh-Hant-TW",
					      "sr-Latn-RS", "es-419",
					      "de-CH-1996", "x-private",
					      "en-a-bbb-x-ccc", "i-klingon",
					      "und", NULL };
	static const char *const bad_l[] = { "e", "en_US", "en-", "123",
					     "en-a", "toolongtag",
					     "en-US-x", "", NULL };
	for (int i = 0; good_l[i]; i++)
		OK(xapi_validate_language(good_l[i]), "language__ok: %s",
		   good_l[i]);
	for (int i = 0; bad_l[i]; i++)
		OK(!xapi_validate_language(bad_l[i]), "language__bad: '%s'",
		   bad_l[i]);
	OK(xapi_validate_iri("https://w3id.org/etoolbox/x?attemptId=1#f"),
	   "iri__ok: query and fragment");
	OK(xapi_validate_iri("urn:uuid:6b0b2a61"), "iri__ok: urn");
	OK(!xapi_validate_iri("w3id.org/x"), "iri__bad: no scheme");
	OK(!xapi_validate_iri("http://a b"), "iri__bad: space");
	OK(!xapi_validate_iri("http:"), "iri__bad: nothing after the scheme");
	OK(!xapi_validate_iri("1http://x"), "iri__bad: scheme starts with a digit");
	OK(!xapi_validate_iri("http://x/%zz"), "iri__bad: broken percent");
	OK(xapi_validate_mailto("mailto:a.b+c@example.org"), "mailto__ok");
	OK(!xapi_validate_mailto("a@example.org"), "mailto__bad: no scheme");
	OK(!xapi_validate_mailto("mailto:a@localhost"), "mailto__bad: no dot");
}

/* Validate 'json' and return the messages (caller frees). */
static char *validate(const char *json)
{
	struct collect c;
	json_error_t err;
	json_t *j = json_loads(json, JSON_DECODE_ANY, &err);
	if (!j)
		BUG("bad test JSON: %s: %s", err.text, json);
	collect_init(&c);
	xapi_validate_statement(j, "statement [3]", LOC_NONE, &c.d);
	json_decref(j);
	char *out = buf_detach(&c.out, NULL);
	collect_free(&c);
	return out;
}

#define ST_HEAD                                                              \
	"\"actor\":{\"mbox\":\"mailto:a@example.org\"},\"verb\":{\"id\":"   \
	"\"http://adlnet.gov/expapi/verbs/responded\"},"

static void check_valid(const char *json, const char *want, const char *name)
{
	char *got = validate(json);
	STR_EQ(got, want, "validate__%s", name);
	free(got);
}

void test_xapi_validate(void)
{
	check_valid("{" ST_HEAD "\"object\":{\"id\":\"https://x.org/a\"}}", "",
		    "minimal");
	check_valid("{" ST_HEAD "\"object\":{\"id\":\"https://x.org/a\"},"
		    "\"result\":{\"score\":{\"scaled\":1.5}}}",
		    "error: statement [3]: 'result.score.scaled' must be "
		    "between -1 and 1 [xapi-score]\n",
		    "scaled");
	check_valid("{" ST_HEAD "\"object\":{\"id\":\"https://x.org/a\"},"
		    "\"result\":{\"score\":{\"raw\":-1,\"min\":0,\"max\":0}}}",
		    "error: statement [3]: 'result.score.raw' must not be less "
		    "than 'min' (-1 < 0) [xapi-score]\n"
		    "error: statement [3]: 'result.score.min' must be less "
		    "than 'max' (0 >= 0) [xapi-score]\n",
		    "raw_min_max");
	check_valid("{\"verb\":{\"id\":\"http://x.org/v\"},\"object\":{}}",
		    "error: statement [3]: 'actor' is required [xapi-required]\n"
		    "error: statement [3]: 'object.id' is required "
		    "[xapi-required]\n",
		    "required");
	check_valid("[]",
		    "error: statement [3]: must be a JSON object, not an array "
		    "[xapi-type]\n",
		    "not_object");
	check_valid("{" ST_HEAD "\"object\":{\"id\":\"https://x.org/a\"},"
		    "\"context\":{\"contextActivities\":{\"parent\":[{\"id\":"
		    "\"https://x.org/m\",\"definition\":{\"name\":{\"en\":null}}}"
		    ",null],\"sibling\":[]}}}",
		    "error: statement [3]: "
		    "'context.contextActivities.sibling' is not a property of "
		    "contextActivities [xapi-unknown-key]\n"
		    "error: statement [3]: "
		    "'context.contextActivities.parent[0].definition.name.en' "
		    "must not be null [xapi-null]\n"
		    "error: statement [3]: "
		    "'context.contextActivities.parent[1]' must not be null "
		    "[xapi-null]\n",
		    "context_paths");
	check_valid("{\"actor\":{\"objectType\":\"Group\",\"member\":[{"
		    "\"objectType\":\"Group\",\"mbox\":\"mailto:g@x.org\"}]},"
		    "\"verb\":{\"id\":\"http://x.org/v\"},\"object\":{\"id\":"
		    "\"http://x.org/a\"}}",
		    "error: statement [3]: 'actor.member[0]' must be an agent: "
		    "a group's members can't be groups [xapi-group]\n",
		    "group");
	check_valid("{\"actor\":{\"account\":{\"homePage\":\"lms\",\"nam\":"
		    "\"42\"}},\"verb\":{\"id\":\"http://x.org/v\"},\"object\":"
		    "{\"id\":\"http://x.org/a\"}}",
		    "error: statement [3]: 'actor.account.nam' is not a "
		    "property of an account [xapi-unknown-key]\n"
		    "error: statement [3]: 'actor.account.homePage' must be an "
		    "absolute IRI, like https://lms.example.org [xapi-iri]\n"
		    "error: statement [3]: 'actor.account.name' is required "
		    "[xapi-required]\n",
		    "account");
	check_valid("{" ST_HEAD "\"object\":{\"id\":\"https://x.org/q\","
		    "\"definition\":{\"interactionType\":\"choice\",\"choices\":"
		    "[{\"id\":\"a\"},{\"id\":\"a\"}],\"scale\":[],"
		    "\"correctResponsesPattern\":[\"a\",1]}}}",
		    "error: statement [3]: "
		    "'object.definition.correctResponsesPattern[1]' must be a "
		    "string, not a number [xapi-type]\n"
		    "error: statement [3]: 'object.definition.choices[1].id' "
		    "repeats the id 'a' of component [0] [xapi-interaction]\n"
		    "error: statement [3]: 'object.definition.scale' is only "
		    "allowed with interactionType likert [xapi-interaction]\n",
		    "interaction");
	check_valid("{" ST_HEAD "\"object\":{\"objectType\":\"SubStatement\","
		    ST_HEAD "\"object\":{\"objectType\":\"SubStatement\"},"
		    "\"id\":\"x\"},\"context\":{\"revision\":\"1\"}}",
		    "error: statement [3]: 'object.id' is not a property of a "
		    "SubStatement [xapi-unknown-key]\n"
		    "error: statement [3]: 'object.object' must not be a "
		    "SubStatement inside a SubStatement [xapi-substatement]\n"
		    "error: statement [3]: 'context.revision' is only allowed "
		    "when the object is an activity [xapi-context]\n",
		    "substatement");
	check_valid("{" ST_HEAD "\"object\":{\"id\":\"https://x.org/a\"},"
		    "\"version\":\"1.1.0\",\"timestamp\":\"2024-05-01\","
		    "\"stored\":\"2024-05-01T00:00:00Z\",\"attachments\":[{"
		    "\"usageType\":\"http://x.org/u\",\"display\":{\"en\":\"a\"}"
		    ",\"contentType\":\"pdf\",\"length\":1.5,\"sha2\":\"ab\"}]}",
		    "error: statement [3]: 'timestamp' must be an ISO 8601 date "
		    "and time with a time zone, like 2024-05-01T12:00:00.000Z "
		    "[xapi-timestamp]\n"
		    "error: statement [3]: 'version' must be 1.0.0 or another "
		    "1.0.x version [xapi-version]\n"
		    "error: statement [3]: 'attachments[0].contentType' must be "
		    "an Internet media type, like application/pdf [xapi-type]\n"
		    "error: statement [3]: 'attachments[0].length' must be an "
		    "integer, not a number [xapi-type]\n",
		    "version_attachments");
	check_valid("{\"actor\":{\"mbox\":\"mailto:a@x.org\",\"mbox_sha1sum\":"
		    "\"abc\"},\"verb\":{\"id\":\"http://x.org/v\",\"display\":{"
		    "\"en_US\":\"v\"}},\"object\":{\"id\":\"http://x.org/a\","
		    "\"definition\":{\"extensions\":{\"notiri\":null,"
		    "\"http://x.org/e\":null}}}}",
		    "error: statement [3]: 'actor.mbox_sha1sum' must be 40 "
		    "hexadecimal digits (the SHA-1 of the mailto: IRI) "
		    "[xapi-sha1]\n"
		    "error: statement [3]: 'actor' must have exactly one of "
		    "mbox, mbox_sha1sum, openid and account, not 2 (mbox, "
		    "mbox_sha1sum) [xapi-ifi]\n"
		    "error: statement [3]: 'verb.display' has the key 'en_US', "
		    "which is not an RFC 5646 language tag [xapi-language]\n"
		    "error: statement [3]: 'object.definition.extensions' has "
		    "the key 'notiri', which is not an absolute IRI "
		    "[xapi-iri]\n",
		    "ifi_langmap_extensions");
	check_valid("{\"actor\":{\"mbox\":\"mailto:a@x.org\"},\"verb\":{\"id\":"
		    "\"http://adlnet.gov/expapi/verbs/voided\"},\"object\":{"
		    "\"objectType\":\"StatementRef\",\"id\":"
		    "\"6b0b2a61-8b5c-4f3e-9d3a-6a0c1f5f4b01\"}}",
		    "", "voiding_ok");
}

/* Read everything from 'text'; returns "index:line:col;" for each
 * statement and the messages after a '|'. */
static char *read_all(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct collect c;
	struct buf out = BUF_INIT;
	collect_init(&c);
	struct xapi_reader *r = xapi_reader_new(f, "in", NULL);
	for (int guard = 0; guard < 100; guard++) {
		json_t *j;
		struct xapi_pos pos;
		int rc = xapi_reader_next(r, &j, &pos, &c.d);
		if (rc == 0)
			break;
		if (rc == 1)
			buf_printf(&out, "%zu%s:%d:%d;", pos.index,
				   pos.array ? "a" : "", pos.line, pos.col);
		json_decref(j);
	}
	buf_printf(&out, "|%s", c.out.ptr);
	xapi_reader_free(r);
	collect_free(&c);
	fclose(f);
	return buf_detach(&out, NULL);
}

static void check_read(const char *text, const char *want, const char *name)
{
	char *got = read_all(text);
	STR_EQ(got, want, "reader__%s", name);
	free(got);
}

void test_xapi_reader(void)
{
	check_read("", "|", "empty");
	check_read(" [ ] \n", "|", "empty_array");
	check_read("[{\"a\":1},\n {\"b\":[1,\"]\"]}]",
		   "0a:1:2;1a:2:2;|", "array");
	check_read("{\"a\":1}\n\n{\"b\":\"é}\"}\n  {}",
		   "0:1:1;1:3:1;2:4:3;|", "jsonl");
	check_read("{\"a\":1}\n{\"a\":1,}\n{\"c\":3}",
		   "0:1:1;2:3:1;|in:2:8: error: statement at line 2: invalid "
		   "JSON: string or '}' expected near '}' [json-syntax]\n",
		   "bad_line_then_more");
	check_read("[{\"a\":1} {\"b\":2}]",
		   "0a:1:2;|in:1:10: error: expected ',' or ']' after a "
		   "statement [json-syntax]\n",
		   "missing_comma");
	check_read("[{\"a\":1},]",
		   "0a:1:2;|in:1:10: error: expected a statement after ',' "
		   "[json-syntax]\n",
		   "trailing_comma");
	check_read("[{\"a\":1}",
		   "0a:1:2;|in:1:9: error: the array of statements is not "
		   "closed with ']' [json-syntax]\n",
		   "unclosed_array");
	check_read("[{\"a\":1}] x",
		   "0a:1:2;|in:1:11: error: unexpected data after the array of "
		   "statements [json-syntax]\n",
		   "after_array");
	check_read("{\"a\":\"x",
		   "|in:1:8: error: statement at line 1: the input ends inside "
		   "it [json-syntax]\n",
		   "unclosed_string");
	check_read("{\"a\":1,\"a\":2}",
		   "|in:1:10: error: statement at line 1: invalid JSON: "
		   "duplicate object key near '\"a\"' [json-syntax]\n",
		   "duplicate_key");
	check_read("[1, null]", "0a:1:2;1a:1:5;|", "scalars");
	check_read("# title\nnot json\n{}",
		   "2:3:1;|in:1:1: error: statement at line 1: expected a JSON "
		   "object [json-syntax]\nin:2:1: error: statement at line 2: "
		   "expected a JSON object [json-syntax]\n",
		   "not_jsonl: one error a line");

	/* the hash covers every byte, read in pieces */
	const char *text = "[{\"a\":1}]  \n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct collect c;
	collect_init(&c);
	struct xapi_reader *r = xapi_reader_new(f, "in", NULL);
	json_t *j;
	struct xapi_pos pos;
	while (xapi_reader_next(r, &j, &pos, &c.d) == 1)
		json_decref(j);
	unsigned char d[SHA1_LEN];
	char hex[SHA1_HEX_LEN + 1], want[SHA1_HEX_LEN + 1];
	xapi_reader_finish(r, d, &c.d);
	sha1_hex(d, hex);
	sha_of(text, want);
	STR_EQ(hex, want, "reader__hash: SHA-1 of the whole input");
	xapi_reader_free(r);
	collect_free(&c);
	fclose(f);
}

void test_xapi_csv(void)
{
	struct buf b = BUF_INIT;
	xapi_csv_header(&b);
	STR_EQ(b.ptr,
	       "timestamp,learner,verb,activity_id,activity_name,module,"
	       "response,success,score,completion,duration,registration,"
	       "statement_id\r\n",
	       "csv__header");
	buf_clear(&b);
	json_t *st = json_loads(
	    "{\"id\":\"i\",\"timestamp\":\"t\",\"actor\":{\"account\":{"
	    "\"homePage\":\"h\",\"name\":\"=cmd\"}},\"verb\":{\"id\":"
	    "\"http://adlnet.gov/expapi/verbs/responded\"},\"object\":{\"id\":"
	    "\"q\",\"definition\":{\"name\":{\"fr\":\"Q fr\",\"en-US\":"
	    "\"Q, \\\"en\\\"\"}}},\"result\":{\"response\":\"a[,]b\","
	    "\"success\":false,\"score\":{\"scaled\":0.75,\"raw\":75},"
	    "\"duration\":\"PT1S\"},\"context\":{\"registration\":\"r\","
	    "\"contextActivities\":{\"parent\":[{\"id\":\"m\"}]}}}",
	    0, NULL);
	xapi_csv_row(st, &b);
	STR_EQ(b.ptr,
	       "t,\"'=cmd\",responded,q,\"Q, \"\"en\"\"\",m,\"a[,]b\",false,0.75,,"
	       "PT1S,r,i\r\n",
	       "csv__row: quoting, formula guard, en-US name, parent module");
	json_decref(st);
	buf_clear(&b);
	st = json_loads("{\"actor\":{\"mbox\":\"mailto:a@x.org\"},\"object\":"
			"{\"id\":\"m\",\"definition\":{\"type\":"
			"\"http://adlnet.gov/expapi/activities/lesson\"}},"
			"\"result\":{\"completion\":true,\"score\":{\"raw\":3}}}",
			0, NULL);
	xapi_csv_row(st, &b);
	STR_EQ(b.ptr, ",a@x.org,,m,,m,,,3,true,,,\r\n",
	       "csv__row: mbox learner, lesson is its own module, raw score");
	json_decref(st);
	buf_clear(&b);
	xapi_csv_row(NULL, &b);
	STR_EQ(b.ptr, ",,,,,,,,,,,,\r\n", "csv__row: nothing");
	buf_free(&b);
}

void test_journal(void)
{
	char *dir = harness_tmpdir();
	char *jdir = path_join(dir, "a/b");
	unsigned char sha[SHA1_LEN];
	struct collect c;
	struct journal *j = NULL, *j2 = NULL;
	memset(sha, 7, sizeof(sha));
	collect_init(&c);
	OK(journal_open(&j, jdir, "http://lrs/", sha, 10, &c.d) == 0,
	   "journal__open: creates the folders and the file");
	size_t idx1[] = { 0, 1, 2, 5 }, idx2[] = { 9 };
	OK(journal_record(j, idx1, 4, JOURNAL_STORED, &c.d) == 0 &&
	       journal_record(j, idx2, 1, JOURNAL_REJECTED, &c.d) == 0,
	   "journal__record");
	OK(journal_open(&j2, jdir, "http://lrs/", sha, 10, &c.d) == ET_ERROR,
	   "journal__lock: a second open is refused while the first is open");
	journal_close(j);
	OK(journal_open(&j, jdir, "http://lrs/", sha, 10, &c.d) == 0,
	   "journal__reopen");
	OK(journal_done(j, 0) && journal_done(j, 2) && !journal_done(j, 3) &&
	       journal_done(j, 5) && journal_done(j, 9) &&
	       journal_count(j, JOURNAL_STORED) == 4 &&
	       journal_count(j, JOURNAL_REJECTED) == 1,
	   "journal__reopen: the runs are back");
	char *path = xstrdup(journal_path(j));
	journal_close(j);
	/* a torn last line and a line with a bad check are ignored */
	FILE *f = fopen(path, "a");
	fputs("3 1 stored 00000000\n4 1 stor", f);
	fclose(f);
	OK(journal_open(&j, jdir, "http://lrs/", sha, 10, &c.d) == 0 &&
	       !journal_done(j, 3) && !journal_done(j, 4) &&
	       journal_count(j, JOURNAL_STORED) == 4,
	   "journal__torn: bad and torn lines are ignored");
	size_t idx3[] = { 3, 4 };
	journal_record(j, idx3, 2, JOURNAL_CONFLICT, &c.d);
	journal_close(j);
	OK(journal_open(&j, jdir, "http://lrs/", sha, 10, &c.d) == 0 &&
	       journal_done(j, 3) && journal_done(j, 4) &&
	       journal_count(j, JOURNAL_CONFLICT) == 2,
	   "journal__torn: the tail was cut, so new lines read back");
	journal_close(j);
	/* another LRS: another journal */
	OK(journal_open(&j, jdir, "http://other/", sha, 10, &c.d) == 0 &&
	       !journal_done(j, 0),
	   "journal__key: another LRS starts empty");
	journal_close(j);
	/* a crash while writing the header: start over */
	f = fopen(path, "w");
	fputs("etoolbox-send-jou", f);
	fclose(f);
	OK(journal_open(&j, jdir, "http://lrs/", sha, 10, &c.d) == 0 &&
	       !journal_done(j, 0),
	   "journal__torn_header: starts over");
	journal_close(j);
	f = fopen(path, "w");
	fputs("something else\n", f);
	fclose(f);
	OK(journal_open(&j, jdir, "http://lrs/", sha, 10, &c.d) == ET_ERROR,
	   "journal__foreign: a file that isn't this journal is refused");
	OK(strstr(c.out.ptr, "belongs to another input") &&
	       strstr(c.out.ptr, "is locked"),
	   "journal__messages: foreign file and lock are explained");
	collect_free(&c);
	free(path);
	free(jdir);
	free(dir);
}

void test_xapi_auth(void)
{
	char *dir = harness_tmpdir();
	char *file = path_join(dir, "auth");
	char *auth = NULL;
	struct collect c;
	collect_init(&c);
	harness_write(dir, "auth", "key:s3cret\n");
	chmod(file, 0644);
	OK(xapi_auth_resolve(&auth, NULL, file, NULL, &c.d) == 0 && auth &&
	       strcmp(auth, "key:s3cret") == 0,
	   "auth__file: first line, newline dropped");
	OK(strstr(c.out.ptr, "mode 0644") && strstr(c.out.ptr, "auth-file-mode") &&
	       !strstr(c.out.ptr, "s3cret"),
	   "auth__file: loose mode warned, secret not shown");
	xapi_auth_free(auth);
	buf_clear(&c.out);
	chmod(file, 0600);
	xapi_auth_resolve(&auth, NULL, file, NULL, &c.d);
	STR_EQ(c.out.ptr, "", "auth__file: mode 0600 is quiet");
	xapi_auth_free(auth);
	harness_write(dir, "auth", "nocolon\n");
	OK(xapi_auth_resolve(&auth, NULL, file, NULL, &c.d) == ET_EINVALID &&
	       !auth && !strstr(c.out.ptr, "nocolon"),
	   "auth__file: malformed, and its text is not shown");
	OK(xapi_auth_resolve(&auth, NULL, NULL, "e:v", &c.d) == 0 && auth &&
	       strcmp(auth, "e:v") == 0,
	   "auth__env");
	xapi_auth_free(auth);
	OK(xapi_auth_resolve(&auth, "o:p", NULL, "e:v", &c.d) == 0 &&
	       strcmp(auth, "o:p") == 0,
	   "auth__option: wins over the environment");
	xapi_auth_free(auth);
	OK(xapi_auth_resolve(&auth, NULL, NULL, "", &c.d) == 0 && !auth,
	   "auth__none");
	collect_free(&c);
	free(file);
	free(dir);
}

void test_lrsclient(void)
{
	char *s = lrsclient_redact("https://user:pw@lrs.example.org:8443/xAPI/?a=b@c");
	STR_EQ(s, "https://lrs.example.org:8443/xAPI/?a=b@c",
	       "lrsclient__redact: userinfo dropped, query kept");
	free(s);
	s = lrsclient_redact("http://lrs/xAPI/");
	STR_EQ(s, "http://lrs/xAPI/", "lrsclient__redact: nothing to drop");
	free(s);
	const char *body = "{\"errorId\":\"e\",\"message\":\"Invalid\\nstatement\","
			   "\"warnings\":[\"Problem in 'statements.0.x'\",{\"a\":1}]}";
	s = lrsclient_message(body, strlen(body), 1000);
	STR_EQ(s,
	       "Invalid statement: Problem in 'statements.0.x'; {\"a\":1}",
	       "lrsclient__message: message and warnings on one line");
	free(s);
	s = lrsclient_message("plain text", 10, 5);
	STR_EQ(s, "plain...", "lrsclient__message: text, cut");
	free(s);
	OK(lrsclient_retry_after("3", 0) == 3.0, "lrsclient__retry_after: seconds");
	OK(lrsclient_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", 1445412480) ==
	       10.0,
	   "lrsclient__retry_after: HTTP date");
	OK(lrsclient_retry_after("soon", 0) < 0 && lrsclient_retry_after(NULL, 0) < 0,
	   "lrsclient__retry_after: invalid");
	struct lrsclient *c = NULL;
	struct collect col;
	collect_init(&col);
	struct lrsclient_opts o = { "ftp://u:secret@x/", "k:s", NULL, 0, 0, 0, 0 };
	OK(lrsclient_new(&c, &o, &col.d) == ET_EINVALID && !c &&
	       !strstr(col.out.ptr, "secret"),
	   "lrsclient__new: refuses other schemes without showing userinfo");
	o.endpoint = "http://127.0.0.1:9/xAPI";
	OK(lrsclient_new(&c, &o, &col.d) == 0 &&
	       strcmp(lrsclient_endpoint(c), "http://127.0.0.1:9/xAPI/") == 0,
	   "lrsclient__new: adds the trailing slash");
	lrsclient_free(c);
	collect_free(&col);
}

void test_dynlib(void)
{
	const struct dynlib_curl *cu = dynlib_curl();
	OK(cu != NULL, "dynlib__curl: libcurl opens%s%s", cu ? "" : ": ",
	   dynlib_error());
	if (cu) {
		OK(dynlib_curl() == cu, "dynlib__curl: opened once");
		OK(strlen(cu->easy_strerror(CURLE_OK)) > 0,
		   "dynlib__curl: curl_easy_strerror answers");
		OK(cu->getdate("Sun, 06 Nov 1994 08:49:37 GMT", NULL) ==
		       784111777,
		   "dynlib__curl: curl_getdate answers");
		struct curl_slist *l = cu->slist_append(NULL, "A: b");
		OK(l && strcmp(l->data, "A: b") == 0,
		   "dynlib__curl: curl_slist_append answers");
		cu->slist_free_all(l);
	}
	const struct dynlib_mhd *mhd = dynlib_mhd();
	OK(mhd != NULL, "dynlib__mhd: libmicrohttpd opens%s%s",
	   mhd ? "" : ": ", dynlib_error());
	if (mhd) {
		struct MHD_Response *r =
		    mhd->create_response_from_buffer(0, NULL,
						     MHD_RESPMEM_PERSISTENT);
		OK(r && mhd->add_response_header(r, "X-A", "b") == MHD_YES,
		   "dynlib__mhd: a response with a header");
		if (r)
			mhd->destroy_response(r);
	}
}
