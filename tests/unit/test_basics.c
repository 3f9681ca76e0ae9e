/* test_basics.c -- unit tests of buf, util (paths), source and escape */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "harness.h"
#include "source.h"
#include "util.h"

void test_buf(void)
{
	struct buf b = BUF_INIT;
	STR_EQ(b.ptr, "", "buf__init: empty buffer reads as \"\"");
	buf_puts(&b, "abc");
	buf_printf(&b, "-%d-", 42);
	buf_putc(&b, 'x');
	STR_EQ(b.ptr, "abc-42-x", "buf__append: puts, printf and putc");
	OK(b.len == 8, "buf__len: len excludes the NUL");
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, "0123456789");
	OK(b.len == 10008 && b.ptr[b.len] == '\0',
	   "buf__grow: stays NUL-terminated while growing");
	size_t len = 0;
	char *s = buf_detach(&b, &len);
	OK(len == 10008 && b.len == 0 && strcmp(b.ptr, "") == 0,
	   "buf__detach: hands over the contents and resets");
	free(s);
	buf_free(&b);
}

static void check_norm(const char *in, const char *want)
{
	char *p = xstrdup(in);
	int rc = path_normalize(p);
	if (!want)
		OK(rc < 0, "util__normalize: '%s' is refused", in);
	else
		STR_EQ(rc < 0 ? NULL : p, want, "util__normalize: '%s'", in);
	free(p);
}

void test_util(void)
{
	check_norm("a/b/c.md", "a/b/c.md");
	check_norm("./a//b/./c", "a/b/c");
	check_norm("a/b/../c", "a/c");
	check_norm("a/../../x", NULL);
	check_norm("../x", NULL);
	check_norm("/etc/passwd", NULL);
	check_norm("a/b/", "a/b");
	char *j = path_join("dir", "f.md");
	STR_EQ(j, "dir/f.md", "util__join: adds one slash");
	free(j);
	j = path_join(".", "f.md");
	STR_EQ(j, "f.md", "util__join: '.' adds nothing");
	free(j);
	j = path_dirname("a/b/c.md");
	STR_EQ(j, "a/b", "util__dirname: the folder part");
	free(j);
	j = path_dirname("c.md");
	STR_EQ(j, ".", "util__dirname: '.' when there is none");
	free(j);
	STR_EQ(path_ext("a.b/c.PNG"), "PNG", "util__ext: after the last dot");
	STR_EQ(path_ext("a.b/c"), "", "util__ext: none in the file name");
}

static void check_utf8(const char *bytes, size_t len, long want_bad,
		       const char *what)
{
	size_t bad = 0;
	int rc = source_check_utf8(bytes, len, &bad);
	if (want_bad < 0)
		OK(rc == 0, "source__utf8: %s is valid", what);
	else
		OK(rc < 0 && bad == (size_t)want_bad,
		   "source__utf8: %s is refused at byte %ld (got %zu)", what,
		   want_bad, bad);
}

void test_source(void)
{
	check_utf8("plain ascii", 11, -1, "ASCII");
	check_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, -1,
		   "2-, 3- and 4-byte sequences");
	check_utf8("ab\xff", 3, 2, "a 0xFF byte");
	check_utf8("a\xc0\xaf", 3, 1, "an overlong '/'");
	check_utf8("a\xed\xa0\x80", 4, 1, "a UTF-16 surrogate");
	check_utf8("a\xe2\x82", 3, 1, "a truncated sequence");
	check_utf8("a\0b", 3, 1, "a NUL byte");
	check_utf8("\xf4\x90\x80\x80", 4, 0, "a code point above U+10FFFF");

	struct source *src = source_from_memory("f.md", "ab\ncé x\n", 9);
	struct loc l = source_loc(src, 7); /* the 'x' */
	OK(l.line == 2 && l.col == 4,
	   "source__loc: columns count characters, not bytes (got %d:%d)",
	   l.line, l.col);
	source_free(src);

	struct collect c;
	collect_init(&c);
	struct source *missing = NULL;
	int rc = source_load(&missing, "/nonexistent/x.md",
			     (struct loc){ "course.yml", 3, 7 }, &c.d);
	OK(rc < 0 && missing == NULL, "source__load: a missing file fails");
	STR_EQ(c.out.ptr,
	       "course.yml:3:7: error: file '/nonexistent/x.md' not found\n",
	       "source__load: reported where the file is named");
	collect_free(&c);
}

void test_escape(void)
{
	struct buf b = BUF_INIT;
	escape_html(&b, "a<b>&\"c'd");
	STR_EQ(b.ptr, "a&lt;b&gt;&amp;&quot;c&#39;d",
	       "escape__html: the five special characters");
	buf_clear(&b);
	escape_html(&b, "plain é");
	STR_EQ(b.ptr, "plain é", "escape__html: other text unchanged");
	buf_free(&b);
}
