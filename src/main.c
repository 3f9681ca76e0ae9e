/* main.c -- etoolbox's entry point: global options and the command table */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "util.h"
#include "xsd.h"

const struct cli_cmd cli_cmds[] = {
	{ "build", cmd_build, "Build SCORM 1.2 packages from course sources",
	  cmd_build_usage },
	{ "check", cmd_check, "Check SCORM 1.2 zips before uploading them",
	  cmd_check_usage },
	{ "help", cmd_help, "Show help for etoolbox or one of its commands",
	  cmd_help_usage },
	{ "lrs", cmd_lrs, "Run an xAPI LRS on this machine, and manage its keys",
	  cmd_lrs_usage },
	{ "send", cmd_send, "Send xAPI statements to an LRS, each exactly once",
	  cmd_send_usage },
	{ "statements", cmd_statements,
	  "Read an LRS's statements as JSON Lines or CSV",
	  cmd_statements_usage },
	{ "version", cmd_version, "Show the version", cmd_version_usage },
	{ NULL, NULL, NULL, NULL }
};

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int cli_exit_code(int err)
{
	switch (err) {
	case 0:
		return CLI_EXIT_OK;
	case ET_EINVALID:
	case ET_ENOTFOUND:
		return CLI_EXIT_INPUT;
	case ET_ENET:
		return CLI_EXIT_NET;
	case ET_EIO:
	default:
		return CLI_EXIT_IO;
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs(PROGRAM_NAME ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n" PROGRAM_NAME ": try '" PROGRAM_NAME " help%s%s' "
			"for more information\n",
		cmd ? " " : "", cmd ? cmd : "");
	return CLI_EXIT_USAGE;
}

int cli_number(const char *cmd, const char *opt, const char *s, double min,
	       double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || v < min || v > max) {
		if (max == HUGE_VAL)
			return cli_usage_error(cmd, "%s wants a number of at "
						    "least %g, not '%s'",
					       opt, min, s);
		return cli_usage_error(cmd,
				       "%s wants a number from %g to %g, not '%s'",
				       opt, min, max, s);
	}
	*out = v;
	return 0;
}

/* Print the source line of 'loc' with a caret under its column. */
static void cli_excerpt(const struct loc *loc)
{
	FILE *f = fopen(loc->file, "rb");
	if (!f)
		return;
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		if (++n == loc->line) {
			while (len && (line[len - 1] == '\n' ||
				       line[len - 1] == '\r'))
				line[--len] = '\0';
			fprintf(stderr, "    %s\n    ", line);
			int col = 1;
			for (size_t i = 0; i < len && col < loc->col; i++) {
				unsigned char ch = (unsigned char)line[i];
				if ((ch & 0xC0) == 0x80)
					continue;
				fputc(ch == '\t' ? '\t' : ' ', stderr);
				col++;
			}
			fputs("^\n", stderr);
			break;
		}
		while (len && line[len - 1] != '\n' && fgets(line, sizeof(line), f))
			len = strlen(line);
	}
	fclose(f);
}

void cli_diag_sink(const struct diag_msg *m, void *payload)
{
	const struct loc *loc = &m->loc;
	const char *sev = diag_severity_name(m->sev);
	(void)payload;
	if (loc->file && loc->line > 0)
		fprintf(stderr, "%s:%d:%d: %s: %s", loc->file, loc->line,
			loc->col > 0 ? loc->col : 1, sev, m->text);
	else if (loc->file)
		fprintf(stderr, "%s: %s: %s", loc->file, sev, m->text);
	else
		fprintf(stderr, PROGRAM_NAME ": %s: %s", sev, m->text);
	if (m->rule)
		fprintf(stderr, " [%s]", m->rule);
	fputc('\n', stderr);
	if (loc->file && loc->line > 0 && isatty(STDERR_FILENO) &&
	    !getenv("ETOOLBOX_NO_EXCERPT"))
		cli_excerpt(loc);
}

static void cli_print_overview(FILE *out)
{
	fputs("usage: " PROGRAM_NAME " [--version] [--help] <command> "
	      "[<args>]\n\ncommands:\n",
	      out);
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun '" PROGRAM_NAME " help <command>' for a command's "
	      "options.\nExit status: 0 ok, 1 input errors, 2 usage error, "
	      "3 I/O error, 4 network error.\n",
	      out);
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		cli_print_overview(stdout);
		return CLI_EXIT_OK;
	}
	const struct cli_cmd *c = cli_find(argv[1]);
	if (!c)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	fputs(c->usage, stdout);
	return CLI_EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf(PROGRAM_NAME " %s\n", ET_VERSION);
	return CLI_EXIT_OK;
}

const char cmd_help_usage[] =
    "usage: " PROGRAM_NAME " help [<command>]\n\n"
    "Without a command, list the commands. With one, show its options.\n";
const char cmd_version_usage[] =
    "usage: " PROGRAM_NAME " version\n       " PROGRAM_NAME
    " --version\n\nShow the version.\n";

int main(int argc, char **argv)
{
	int rc;
	if (argc < 2) {
		cli_print_overview(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	const struct cli_cmd *c = cli_find(name);
	if (!c)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	rc = c->fn(argc - 1, argv + 1);
	xsd_cleanup();
	return rc;
}
