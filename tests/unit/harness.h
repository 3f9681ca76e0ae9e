/* harness.h -- a minimal TAP test harness for the C unit tests
 *
 * OK(cond, name) and STR_EQ(got, want, name) print "ok N - name" or
 * "not ok N - name" with details; harness_done() prints the plan and
 * returns the exit status. A collecting diag sink keeps every diagnostic
 * as "file:line:col: severity: message\n" lines for exact comparison. */
#ifndef ET_HARNESS_H
#define ET_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "diag.h"

extern int harness_count, harness_failed;

#define OK(cond, ...)                                                        \
	harness_ok((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)
#define STR_EQ(got, want, ...)                                               \
	harness_str_eq((got), (want), __FILE__, __LINE__, __VA_ARGS__)

void harness_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void harness_str_eq(const char *got, const char *want, const char *file,
		    int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int harness_done(void);

/* A diag whose sink appends each message to 'out' */
struct collect {
	struct diag d;
	struct buf out;
};
void collect_init(struct collect *c);
void collect_free(struct collect *c);

/* A fresh temporary folder (caller frees the string; removed at exit). */
char *harness_tmpdir(void);
/* Write 'text' to dir/rel, creating folders. */
void harness_write(const char *dir, const char *rel, const char *text);

/* The test groups, one per module */
void test_buf(void);
void test_util(void);
void test_source(void);
void test_ydoc(void);
void test_escape(void);
void test_parse(void);
void test_markdown(void);
void test_xsd(void);
void test_scormcheck(void);
void test_manifest(void);
void test_zipw(void);
void test_sha1(void);
void test_uuid(void);
void test_xapi_values(void);
void test_xapi_validate(void);
void test_xapi_reader(void);
void test_xapi_csv(void);
void test_xapi_auth(void);
void test_journal(void);
void test_lrsclient(void);
void test_dynlib(void);
void test_lrs_codec(void);
void test_lrs_keys(void);
void test_lrs_statement(void);
void test_lrs_pack(void);
void test_lrs_multipart(void);
void test_lrs_api(void);
void test_lrs_pool(void);

#endif
