/* cmd_build.c -- 'etoolbox build': course sources to SCORM 1.2 zips */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "package.h"
#include "util.h"
#include "xapi_auth.h"

const char cmd_build_usage[] =
    "usage: " PROGRAM_NAME " build [-o <dir>] [--single] [-j <n>] [--level <n>] [-q]\n"
    "                      <course-dir>\n"
    "\n"
    "Build SCORM 1.2 packages from the course in <course-dir>: one zip per\n"
    "module and language, named <course>_<module>_<lang>.zip.\n"
    "\n"
    "  -o, --output <dir>  write the zips to <dir> (default: dist)\n"
    "  -q, --quiet         print nothing but diagnostics\n"
    "      --single        one zip per language with every module as a SCO\n"
    "  -j, --jobs <n>      compress with <n> threads (default: one per CPU)\n"
    "      --level <n>     deflate level, 1 (fastest) to 12 (smallest);\n"
    "                      default 6\n"
    "  -h, --help          show this help\n"
    "\n"
    "xAPI: packages send learners' statements to an LRS when built with\n"
    "      --lrs-endpoint <url>    the LRS's xAPI endpoint\n"
    "      --lrs-home <url>        the LMS's home page (actor account homePage)\n"
    "      --lrs-auth-file <file>  KEY:SECRET of a write-only LRS key (else\n"
    "                              $ETOOLBOX_PACKAGE_AUTH); learners can read it\n"
    "      --lrs-actor-name        also send learners' names\n"
    "\n"
    "A build that runs longer than a second shows its progress on a\n"
    "terminal (ETOOLBOX_PROGRESS_AFTER=<seconds> changes the delay).\n"
    "Every entry's timestamp is SOURCE_DATE_EPOCH when set, else the newest\n"
    "source file's, so the same sources give byte-identical zips. Errors in\n"
    "the sources are all reported as file:line:col: error: message, and\n"
    "then nothing is written.\n";

struct build_ui {
	int quiet;
	int tty;
	double after; /* show progress once the build runs this long */
	struct timespec start;
	int shown;    /* a progress line is on screen */
};

static double build_elapsed(const struct build_ui *ui)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - ui->start.tv_sec) +
	       (double)(now.tv_nsec - ui->start.tv_nsec) / 1e9;
}

static void build_progress(size_t done, size_t total, const char *name,
			   void *payload)
{
	struct build_ui *ui = payload;
	if (ui->quiet || !ui->tty)
		return;
	if (!name) {
		if (ui->shown)
			fputs("\r\033[K", stderr);
		ui->shown = 0;
		return;
	}
	if (build_elapsed(ui) < ui->after)
		return; /* fast builds stay quiet */
	fprintf(stderr, "\r\033[K[%zu/%zu] %s", done + 1, total, name);
	fflush(stderr);
	ui->shown = 1;
}

static void build_written(const char *path, size_t files, long long bytes,
			  void *payload)
{
	struct build_ui *ui = payload;
	if (!ui->quiet)
		printf("wrote %s (%zu files, %lld bytes)\n", path, files,
		       bytes);
}

static int build_is_http(const char *s)
{
	const char *rest = strncmp(s, "https://", 8) == 0  ? s + 8
			   : strncmp(s, "http://", 7) == 0 ? s + 7
							   : NULL;
	return rest && *rest && *rest != '/' && !strpbrk(s, " \t\"<>\\^`{|}");
}

/* The packages' LRS settings as JSON. Returns 0 or an exit code. */
static int build_lrs_config(char **out, const char *endpoint,
			    const char *home, const char *auth_file,
			    int actor_name, struct diag *d)
{
	char *auth = NULL;
	if (!endpoint || !home)
		return cli_usage_error("build", "--lrs-endpoint and --lrs-home "
						"go together");
	if (!build_is_http(endpoint) || strpbrk(endpoint, "?#"))
		return cli_usage_error("build",
				       "--lrs-endpoint must be an http(s) URL "
				       "without a query");
	if (!build_is_http(home))
		return cli_usage_error("build",
				       "--lrs-home must be an http(s) URL");
	if (auth_file) {
		if (xapi_auth_resolve(&auth, NULL, auth_file, NULL, d) < 0)
			return CLI_EXIT_INPUT;
	} else {
		const char *env = getenv("ETOOLBOX_PACKAGE_AUTH");
		if (env && *env) {
			if (!strchr(env, ':'))
				return cli_usage_error(
				    "build", "ETOOLBOX_PACKAGE_AUTH must be "
					     "KEY:SECRET");
			auth = xstrdup(env);
		}
	}
	json_t *o = json_object();
	size_t n = strlen(endpoint);
	char *ep = n && endpoint[n - 1] == '/' ? xstrdup(endpoint)
					       : xasprintf("%s/", endpoint);
	json_object_set_new(o, "endpoint", json_string(ep));
	if (auth) {
		char *b64 = util_base64(auth, strlen(auth));
		char *basic = xasprintf("Basic %s", b64);
		json_object_set_new(o, "auth", json_string(basic));
		free(basic);
		free(b64);
		xapi_auth_free(auth);
	}
	json_object_set_new(o, "lms_home", json_string(home));
	json_object_set_new(o, "actor_name", json_boolean(actor_name));
	*out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	free(ep);
	return 0;
}

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "level", required_argument, NULL, 'l' },
		{ "lrs-actor-name", no_argument, NULL, 'N' },
		{ "lrs-auth-file", required_argument, NULL, 'A' },
		{ "lrs-endpoint", required_argument, NULL, 'E' },
		{ "lrs-home", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "single", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct package_options opt = PACKAGE_OPTIONS_INIT;
	struct build_ui ui = { 0, isatty(STDERR_FILENO), 1.0, { 0, 0 }, 0 };
	struct diag d;
	const char *lrs_endpoint = NULL, *lrs_home = NULL, *lrs_auth_file = NULL;
	int lrs_actor_name = 0, ch;
	char *lrs_json = NULL;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+hj:o:q", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'j':
		case 'l': {
			char *end = NULL;
			long v = strtol(optarg, &end, 10);
			long max = ch == 'j' ? 64 : 12;
			if (*end || end == optarg || v < 1 || v > max)
				return cli_usage_error(
				    "build", "%s '%s' is not a number from 1 to %ld",
				    ch == 'j' ? "--jobs" : "--level", optarg, max);
			if (ch == 'j')
				opt.jobs = (int)v;
			else
				opt.level = (int)v;
			break;
		}
		case 'h':
			fputs(cmd_build_usage, stdout);
			return CLI_EXIT_OK;
		case 'o':
			opt.outdir = optarg;
			break;
		case 'A':
			lrs_auth_file = optarg;
			break;
		case 'E':
			lrs_endpoint = optarg;
			break;
		case 'H':
			lrs_home = optarg;
			break;
		case 'N':
			lrs_actor_name = 1;
			break;
		case 'q':
			ui.quiet = 1;
			break;
		case 's':
			opt.single = 1;
			break;
		default:
			if (optopt)
				return cli_usage_error("build",
						       "unknown option '-%c'",
						       optopt);
			return cli_usage_error("build", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("build", optind >= argc
						    ? "missing <course-dir>"
						    : "too many arguments");
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (errno || *end || v < 0)
			return cli_usage_error(
			    "build", "SOURCE_DATE_EPOCH '%s' is not a number of "
				     "seconds", sde);
		opt.mtime = (time_t)v;
	}
	const char *after = getenv("ETOOLBOX_PROGRESS_AFTER");
	if (after && *after)
		ui.after = strtod(after, NULL);
	diag_init(&d, cli_diag_sink, NULL);
	if (lrs_endpoint || lrs_home || lrs_auth_file || lrs_actor_name) {
		int rc = build_lrs_config(&lrs_json, lrs_endpoint, lrs_home,
					  lrs_auth_file, lrs_actor_name, &d);
		if (rc)
			return rc;
		opt.lrs_json = lrs_json;
	}
	clock_gettime(CLOCK_MONOTONIC, &ui.start);
	opt.progress = build_progress;
	opt.written = build_written;
	opt.payload = &ui;
	int err = package_build(argv[optind], &opt, &d);
	free(lrs_json);
	if (err && d.errors)
		fprintf(stderr, PROGRAM_NAME ": %zu error%s; nothing was "
				"written\n",
			d.errors, d.errors == 1 ? "" : "s");
	return cli_exit_code(err);
}
