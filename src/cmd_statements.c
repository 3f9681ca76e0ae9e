/* cmd_statements.c -- 'etoolbox statements': read an LRS's statements as
 * JSON Lines or CSV, following 'more' to the end in constant memory */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "errors.h"
#include "lrs_codec.h"
#include "lrsclient.h"
#include "util.h"
#include "xapi_auth.h"
#include "xapi_csv.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

const char cmd_statements_usage[] =
    "usage: " PROGRAM_NAME " statements --lrs <url> [--auth-file <file>] "
    "[<filters>]\n"
    "                           [--format jsonl|csv] [-o <file>]\n"
    "\n"
    "Read statements from an LRS, following its 'more' links to the end,\n"
    "one page in memory at a time, oldest first. JSON Lines (one statement\n"
    "per line, as stored) can be sent to another LRS:\n"
    "  " PROGRAM_NAME " statements --lrs A | " PROGRAM_NAME
    " send --lrs B -\n"
    "CSV has one row per statement: timestamp, learner, verb, activity_id,\n"
    "activity_name, module, response, success, score, completion,\n"
    "duration, registration, statement_id (docs/xapi-statements.md).\n"
    "\n"
    "      --activity <iri>       statements about this activity\n"
    "      --agent <agent>        by this learner: a JSON agent such as\n"
    "                             {\"account\":{\"homePage\":\"H\",\"name\":\"42\"}}\n"
    "                             or mailto:<address>\n"
    "      --auth <key:secret>    LRS credentials (prefer the next two)\n"
    "      --auth-file <file>     read KEY:SECRET from <file>; default:\n"
    "                             the environment variable ETOOLBOX_LRS_AUTH\n"
    "      --format <fmt>         jsonl (default) or csv\n"
    "  -h, --help                 show this help\n"
    "      --lrs <url>            the LRS endpoint (default: $ETOOLBOX_LRS)\n"
    "  -o, --output <file>        write there instead of standard output\n"
    "      --page-size <n>        statements per request (default 500)\n"
    "  -q, --quiet                no summary on standard error\n"
    "      --registration <uuid>  statements of this registration (attempt)\n"
    "      --related-activities   --activity also matches parents, grouping,\n"
    "                             category, other and SubStatements\n"
    "      --related-agents       --agent also matches other agent roles\n"
    "      --retry-for <s>        give up when the LRS stays unreachable this\n"
    "                             long (default 300)\n"
    "      --since <timestamp>    stored after this time (ISO 8601)\n"
    "      --timeout <s>          per request (default 60)\n"
    "      --until <timestamp>    stored at or before this time\n"
    "      --verb <iri>           statements with this verb\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 3 the output could not be written,\n"
    "4 the LRS could not be reached or failed.\n";

static void st_param(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "&%s=", name);
	lrs_codec_escape(b, value);
}

/* The --agent value as compact JSON, or NULL after a usage error. */
static char *st_agent(const char *arg)
{
	json_t *j;
	if (strncmp(arg, "mailto:", 7) == 0) {
		if (!xapi_validate_mailto(arg))
			return NULL;
		j = json_pack("{s:s}", "mbox", arg);
	} else {
		j = json_loads(arg, 0, NULL);
		if (!json_is_object(j)) {
			json_decref(j);
			return NULL;
		}
	}
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

static double st_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_statements(int argc, char **argv)
{
	enum { O_ACTIVITY = 256, O_AGENT, O_AUTH, O_AUTH_FILE, O_FORMAT, O_LRS,
	       O_PAGE, O_REG, O_REL_ACT, O_REL_AGENTS, O_RETRY_FOR, O_SINCE,
	       O_TIMEOUT, O_UNTIL, O_VERB };
	static const struct option longopts[] = {
		{ "activity", required_argument, NULL, O_ACTIVITY },
		{ "agent", required_argument, NULL, O_AGENT },
		{ "auth", required_argument, NULL, O_AUTH },
		{ "auth-file", required_argument, NULL, O_AUTH_FILE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "lrs", required_argument, NULL, O_LRS },
		{ "output", required_argument, NULL, 'o' },
		{ "page-size", required_argument, NULL, O_PAGE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "registration", required_argument, NULL, O_REG },
		{ "related-activities", no_argument, NULL, O_REL_ACT },
		{ "related-agents", no_argument, NULL, O_REL_AGENTS },
		{ "retry-for", required_argument, NULL, O_RETRY_FOR },
		{ "since", required_argument, NULL, O_SINCE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "verb", required_argument, NULL, O_VERB },
		{ NULL, 0, NULL, 0 }
	};
	const char *lrs = getenv("ETOOLBOX_LRS"), *auth_file = NULL;
	const char *activity = NULL, *verb = NULL, *reg = NULL, *since = NULL;
	const char *until = NULL, *output = NULL, *format = "jsonl";
	char *agent = NULL, *auth_copy = NULL, *auth = NULL, *more = NULL;
	int rel_act = 0, rel_agents = 0, quiet = 0, ch, rc = 0;
	int exit_code = CLI_EXIT_OK, csv;
	double page = 500, retry_for = 300, timeout = 60;
	struct lrsclient *client = NULL;
	struct buf query = BUF_INIT, body = BUF_INIT, row = BUF_INIT;
	FILE *out = stdout;
	size_t count = 0, pages = 0;
	struct diag d;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(cmd_statements_usage, stdout);
			goto done;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_ACTIVITY:
			activity = optarg;
			break;
		case O_AGENT:
			free(agent);
			agent = st_agent(optarg);
			if (!agent) {
				exit_code = cli_usage_error(
				    "statements",
				    "--agent wants a JSON object with one "
				    "identifier, or mailto:<address>");
				goto done;
			}
			break;
		case O_AUTH:
			free(auth_copy);
			auth_copy = xstrdup(optarg);
			memset(optarg, 'x', strlen(optarg));
			break;
		case O_AUTH_FILE:
			auth_file = optarg;
			break;
		case O_FORMAT:
			format = optarg;
			break;
		case O_LRS:
			lrs = optarg;
			break;
		case O_PAGE:
			if (cli_number("statements", "--page-size", optarg, 1,
				       100000, &page)) {
				exit_code = CLI_EXIT_USAGE;
				goto done;
			}
			break;
		case O_REG:
			reg = optarg;
			break;
		case O_REL_ACT:
			rel_act = 1;
			break;
		case O_REL_AGENTS:
			rel_agents = 1;
			break;
		case O_RETRY_FOR:
			if (cli_number("statements", "--retry-for", optarg,
				       0.001, 1e9, &retry_for)) {
				exit_code = CLI_EXIT_USAGE;
				goto done;
			}
			break;
		case O_SINCE:
			since = optarg;
			break;
		case O_TIMEOUT:
			if (cli_number("statements", "--timeout", optarg,
				       0.001, 1e9, &timeout)) {
				exit_code = CLI_EXIT_USAGE;
				goto done;
			}
			break;
		case O_UNTIL:
			until = optarg;
			break;
		case O_VERB:
			verb = optarg;
			break;
		default:
			if (optopt > 0 && optopt < 256)
				exit_code = cli_usage_error(
				    "statements",
				    "unknown option or missing value '-%c'",
				    optopt);
			else
				exit_code = cli_usage_error(
				    "statements",
				    "unknown option or missing value '%s'",
				    argv[optind - 1]);
			goto done;
		}
	}
	if (optind < argc) {
		exit_code = cli_usage_error("statements", "unexpected '%s'",
					    argv[optind]);
		goto done;
	}
	if (!lrs || !*lrs) {
		exit_code = cli_usage_error("statements", "missing --lrs <url>");
		goto done;
	}
	csv = strcmp(format, "csv") == 0;
	if (!csv && strcmp(format, "jsonl") != 0) {
		exit_code = cli_usage_error("statements",
					    "--format is jsonl or csv, not '%s'",
					    format);
		goto done;
	}
	if ((verb && !xapi_validate_iri(verb)) ||
	    (activity && !xapi_validate_iri(activity))) {
		exit_code = cli_usage_error("statements",
					    "--%s wants an absolute IRI",
					    verb && !xapi_validate_iri(verb)
						? "verb"
						: "activity");
		goto done;
	}
	if (reg && !xapi_uuid_valid(reg)) {
		exit_code = cli_usage_error("statements",
					    "--registration wants a UUID");
		goto done;
	}
	if ((since && !xapi_validate_timestamp(since)) ||
	    (until && !xapi_validate_timestamp(until))) {
		exit_code = cli_usage_error(
		    "statements",
		    "--since and --until want an ISO 8601 date and time with a "
		    "time zone, like 2024-05-01T00:00:00Z");
		goto done;
	}

	diag_init(&d, cli_diag_sink, NULL);
	rc = xapi_auth_resolve(&auth, auth_copy, auth_file,
			       getenv(XAPI_AUTH_ENV), &d);
	if (rc < 0)
		goto fail;
	struct lrsclient_opts o = { lrs, auth, NULL, timeout, retry_for, 0, 0 };
	rc = lrsclient_new(&client, &o, &d);
	if (rc < 0)
		goto fail;
	if (output && !(out = fopen(output, "wb"))) {
		diag_error(&d, (struct loc){ output, 0, 0 },
			   "cannot write: %s", strerror(errno));
		rc = ET_EIO;
		out = stdout;
		goto fail;
	}

	buf_printf(&query, "statements?ascending=true&limit=%.0f", page);
	if (verb)
		st_param(&query, "verb", verb);
	if (activity)
		st_param(&query, "activity", activity);
	if (agent)
		st_param(&query, "agent", agent);
	if (reg)
		st_param(&query, "registration", reg);
	if (since)
		st_param(&query, "since", since);
	if (until)
		st_param(&query, "until", until);
	if (rel_act)
		buf_puts(&query, "&related_activities=true");
	if (rel_agents)
		buf_puts(&query, "&related_agents=true");

	double start = st_now();
	if (csv) {
		xapi_csv_header(&row);
		fwrite(row.ptr, 1, row.len, out);
	}
	more = buf_detach(&query, NULL);
	while (more) {
		rc = lrsclient_get(client, more, &body, &d);
		if (rc < 0)
			goto fail;
		pages++;
		json_error_t err;
		json_t *res = json_loadb(body.ptr, body.len, 0, &err);
		json_t *list = json_object_get(res, "statements");
		if (!json_is_array(list)) {
			diag_report(&d, DIAG_ERROR, "lrs-status", LOC_NONE,
				    "the LRS at '%s' answered something that "
				    "is not a statement result%s%s",
				    lrsclient_endpoint(client),
				    res ? "" : ": ", res ? "" : err.text);
			json_decref(res);
			rc = ET_ENET;
			goto fail;
		}
		size_t i;
		json_t *st;
		json_array_foreach(list, i, st) {
			buf_clear(&row);
			if (csv) {
				xapi_csv_row(st, &row);
			} else {
				char *s = json_dumps(st, JSON_COMPACT |
							     JSON_PRESERVE_ORDER |
							     JSON_REAL_PRECISION(17));
				if (s)
					buf_puts(&row, s);
				free(s);
				buf_putc(&row, '\n');
			}
			fwrite(row.ptr, 1, row.len, out);
			count++;
		}
		const char *next = json_string_value(json_object_get(res, "more"));
		char *prev = more;
		more = next && *next ? xstrdup(next) : NULL;
		json_decref(res);
		if (more && strcmp(more, prev) == 0) {
			diag_report(&d, DIAG_ERROR, "lrs-more", LOC_NONE,
				    "the LRS at '%s' sent the same 'more' link "
				    "twice",
				    lrsclient_endpoint(client));
			free(prev);
			rc = ET_ENET;
			goto fail;
		}
		free(prev);
		if (fflush(out) != 0 || ferror(out)) {
			diag_error(&d, (struct loc){ output ? output : "<stdout>",
						     0, 0 },
				   "cannot write: %s", strerror(errno));
			rc = ET_EIO;
			goto fail;
		}
	}
	if (!quiet) {
		double secs = st_now() - start;
		fprintf(stderr,
			"%zu statement%s from %s in %.1f s (%zu page%s, "
			"%.0f/s)\n",
			count, count == 1 ? "" : "s", lrsclient_endpoint(client),
			secs, pages, pages == 1 ? "" : "s",
			secs > 0 ? (double)count / secs : 0.0);
	}
	goto done;
fail:
	exit_code = cli_exit_code(rc);
	if (rc == ET_EINVALID)
		exit_code = CLI_EXIT_USAGE;
done:
	if (out && out != stdout && fclose(out) != 0 && exit_code == 0)
		exit_code = CLI_EXIT_IO;
	free(more);
	free(agent);
	buf_free(&query);
	buf_free(&body);
	buf_free(&row);
	lrsclient_free(client);
	xapi_auth_free(auth);
	xapi_auth_free(auth_copy);
	return exit_code;
}
