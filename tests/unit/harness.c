/* harness.c -- a minimal TAP test harness for the C unit tests */
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util.h"

int harness_count, harness_failed;
static char *harness_dirs[64];
static int harness_ndirs;

static void harness_report(int pass, const char *file, int line,
			   const char *fmt, va_list ap)
{
	harness_count++;
	if (!pass)
		harness_failed++;
	printf("%s %d - ", pass ? "ok" : "not ok", harness_count);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		printf("#   at %s:%d\n", file, line);
}

void harness_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	harness_report(pass, file, line, fmt, ap);
	va_end(ap);
}

void harness_str_eq(const char *got, const char *want, const char *file,
		    int line, const char *fmt, ...)
{
	int pass = got && want ? strcmp(got, want) == 0 : got == want;
	va_list ap;
	va_start(ap, fmt);
	harness_report(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",
		       got ? got : "(null)", want ? want : "(null)");
}

static void collect_sink(const struct diag_msg *m, void *payload)
{
	struct buf *b = payload;
	if (m->loc.file && m->loc.line)
		buf_printf(b, "%s:%d:%d: ", m->loc.file, m->loc.line,
			   m->loc.col);
	else if (m->loc.file)
		buf_printf(b, "%s: ", m->loc.file);
	buf_printf(b, "%s: %s", diag_severity_name(m->sev), m->text);
	if (m->rule)
		buf_printf(b, " [%s]", m->rule);
	buf_putc(b, '\n');
}

void collect_init(struct collect *c)
{
	buf_init(&c->out);
	diag_init(&c->d, collect_sink, &c->out);
}

void collect_free(struct collect *c)
{
	buf_free(&c->out);
}

char *harness_tmpdir(void)
{
	char tmpl[] = "/tmp/etoolbox-unit-XXXXXX";
	if (!mkdtemp(tmpl))
		BUG("mkdtemp failed");
	if (harness_ndirs < 64)
		harness_dirs[harness_ndirs++] = xstrdup(tmpl);
	return xstrdup(tmpl);
}

void harness_write(const char *dir, const char *rel, const char *text)
{
	char *path = path_join(dir, rel);
	char *parent = path_dirname(path);
	char *cmd = xasprintf("mkdir -p '%s'", parent);
	if (system(cmd) != 0)
		BUG("mkdir failed");
	FILE *f = fopen(path, "wb");
	if (!f)
		BUG("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	free(cmd);
	free(parent);
	free(path);
}

int harness_done(void)
{
	for (int i = 0; i < harness_ndirs; i++) {
		char *cmd = xasprintf("rm -rf '%s'", harness_dirs[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", harness_dirs[i]);
		free(cmd);
		free(harness_dirs[i]);
	}
	printf("1..%d\n", harness_count);
	return harness_failed ? 1 : 0;
}
