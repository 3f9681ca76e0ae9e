/* cmd_check.c -- 'etoolbox check': will these SCORM 1.2 zips work in an LMS? */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "zipcheck.h"

const char cmd_check_usage[] =
    "usage: " PROGRAM_NAME " check [--json] [--strict] <zip>...\n"
    "\n"
    "Check SCORM 1.2 packages from any tool before uploading them to an LMS:\n"
    "the zip itself, the manifest against the official SCORM 1.2 schemas,\n"
    "ADL's rules that the schemas can't check, and what Moodle's importer\n"
    "gets wrong. Nothing is extracted to disk and no network is used.\n"
    "\n"
    "      --json    one JSON object per zip, one per line, with every\n"
    "                finding (severity, rule, file, line, column, message)\n"
    "      --strict  warnings count as errors\n"
    "  -h, --help    show this help\n"
    "\n"
    "Exit status: 0 when no zip has errors, 1 when any has (or warnings\n"
    "with --strict), 2 on usage errors. The rules are listed in\n"
    "docs/check-rules.md.\n";

struct finding {
	enum diag_severity sev;
	char *rule;
	char *file; /* inside the zip, or NULL for the zip itself */
	int line, col;
	char *text;
};

struct findings {
	const char *display;
	size_t n, cap;
	struct finding *v;
};

static void check_sink(const struct diag_msg *m, void *payload)
{
	struct findings *f = payload;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	const char *file = m->loc.file;
	size_t dl = strlen(f->display);
	/* "x.zip:imsmanifest.xml" -> "imsmanifest.xml" */
	if (file && strncmp(file, f->display, dl) == 0)
		file = file[dl] == ':' ? file + dl + 1 : NULL;
	f->v[f->n++] = (struct finding){ m->sev,
					 m->rule ? xstrdup(m->rule) : NULL,
					 file ? xstrdup(file) : NULL,
					 m->loc.line, m->loc.col,
					 xstrdup(m->text) };
}

static void check_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].rule);
		free(f->v[i].file);
		free(f->v[i].text);
	}
	free(f->v);
}

static void check_print_text(const struct findings *f, const struct diag *d,
			     const struct zipcheck_summary *sum)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		printf("%s", f->display);
		if (x->file)
			printf(":%s", x->file);
		if (x->line > 0)
			printf(":%d:%d", x->line, x->col > 0 ? x->col : 1);
		printf(": %s: %s", diag_severity_name(x->sev), x->text);
		if (x->rule)
			printf(" [%s]", x->rule);
		putchar('\n');
	}
	if (d->errors || d->warnings)
		printf("%s: %zu error%s, %zu warning%s\n", f->display, d->errors,
		       d->errors == 1 ? "" : "s", d->warnings,
		       d->warnings == 1 ? "" : "s");
	else
		printf("%s: ok (%zu files, %zu SCO%s)\n", f->display,
		       sum->entries, sum->scos, sum->scos == 1 ? "" : "s");
}

static void check_print_json(const struct findings *f, const struct diag *d,
			     const struct zipcheck_summary *sum, int strict)
{
	json_t *o = json_object();
	json_t *list = json_array();
	json_object_set_new(o, "file", json_string(f->display));
	json_object_set_new(o, "ok", json_boolean(d->errors == 0 &&
						  !(strict && d->warnings)));
	json_object_set_new(o, "errors", json_integer((json_int_t)d->errors));
	json_object_set_new(o, "warnings",
			    json_integer((json_int_t)d->warnings));
	json_object_set_new(o, "entries", json_integer((json_int_t)sum->entries));
	json_object_set_new(o, "scos", json_integer((json_int_t)sum->scos));
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		json_t *j = json_object();
		json_object_set_new(j, "severity",
				    json_string(diag_severity_name(x->sev)));
		json_object_set_new(j, "rule",
				    x->rule ? json_string(x->rule) : json_null());
		json_object_set_new(j, "file",
				    x->file ? json_string(x->file) : json_null());
		json_object_set_new(j, "line", x->line > 0
						  ? json_integer(x->line)
						  : json_null());
		json_object_set_new(j, "column", x->line > 0
						    ? json_integer(x->col)
						    : json_null());
		json_object_set_new(j, "message", json_string(x->text));
		json_array_append_new(list, j);
	}
	json_object_set_new(o, "findings", list);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int json = 0, strict = 0, ch, bad = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(cmd_check_usage, stdout);
			return CLI_EXIT_OK;
		case 'j':
			json = 1;
			break;
		case 's':
			strict = 1;
			break;
		default:
			if (optopt)
				return cli_usage_error("check",
						       "unknown option '-%c'",
						       optopt);
			return cli_usage_error("check", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("check", "missing <zip>");
	for (int i = optind; i < argc; i++) {
		struct findings f = { argv[i], 0, 0, NULL };
		struct zipcheck_summary sum;
		struct diag d;
		diag_init(&d, check_sink, &f);
		zipcheck_file(argv[i], argv[i], &sum, &d);
		if (json)
			check_print_json(&f, &d, &sum, strict);
		else
			check_print_text(&f, &d, &sum);
		if (d.errors || (strict && d.warnings))
			bad = 1;
		check_free(&f);
	}
	fflush(stdout);
	return bad ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}
