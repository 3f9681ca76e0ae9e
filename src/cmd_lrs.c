/* cmd_lrs.c -- 'etoolbox lrs': an xAPI 1.0.3 LRS in one process, and
 * 'etoolbox lrs key add|list|revoke' to manage its keys */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "lrs_api.h"
#include "lrs_arena.h"
#include "lrs_codec.h"
#include "lrs_http.h"
#include "lrs_keys.h"
#include "lrs_store.h"
#include "util.h"

#define DEFAULT_DB "etoolbox-lrs.db"

const char cmd_lrs_usage[] =
    "usage: " PROGRAM_NAME " lrs [--listen <host:port>] [--db <file>] "
    "[--credentials <file>] [<options>]\n"
    "       " PROGRAM_NAME " lrs key add --scope write|read|admin "
    "[--name <text>]\n"
    "       " PROGRAM_NAME " lrs key list\n"
    "       " PROGRAM_NAME " lrs key revoke <key>\n"
    "\n"
    "Run an xAPI 1.0.3 LRS (Learning Record Store) with its statements in\n"
    "an SQLite database: the Statements, Activity State, Activity and Agent\n"
    "Profile, Activities, Agents and About resources, at\n"
    "http://<host:port>/xAPI/. Every request but /about needs a key (HTTP\n"
    "Basic, key:secret). A 200 means the statements are on disk. Stop it\n"
    "with Ctrl-C (SIGINT) or SIGTERM.\n"
    "\n"
    "Keys, each with a scope: 'write' for packages (send statements, keep\n"
    "their state; no reading of statements), 'read' for analysts, 'admin'\n"
    "for both. 'key add' prints KEY:SECRET once on standard output (the\n"
    "file keeps only a salted hash); a running server sees new and revoked\n"
    "keys at once.\n"
    "\n"
    "      --access-log          log every request (method, path, status,\n"
    "                            time); errors are always logged\n"
    "      --base <path>         the endpoint's path (default /xAPI)\n"
    "      --cors <origins>      origins that pages may call it from,\n"
    "                            comma-separated, or '*' (default '*')\n"
    "      --credentials <file>  the keys (default: the database's name\n"
    "                            with .keys for .db: etoolbox-lrs.keys)\n"
    "      --db <file>           the SQLite database (default\n"
    "                            " DEFAULT_DB ", created if missing)\n"
    "  -h, --help                show this help\n"
    "      --idle-timeout <s>    close idle connections (default 30)\n"
    "      --listen <host:port>  where to listen (default 127.0.0.1:8080;\n"
    "                            port 0: any free port)\n"
    "      --max-body <bytes>    larger request bodies get 413 (default\n"
    "                            8M; K and M suffixes)\n"
    "      --max-buffered <bytes> request bodies held at once, all\n"
    "                            together; past it, 503 (default 256M, or\n"
    "                            4 x --max-body when more)\n"
    "      --max-connections <n> at once (default 512)\n"
    "      --max-per-ip <n>      connections from one address (default\n"
    "                            128; 0: no limit)\n"
    "      --name <text>         (key add) a label for the key\n"
    "  -q, --quiet               no start-up message\n"
    "      --ready-file <file>   when listening, write {\"lrs\": endpoint,\n"
    "                            \"port\": n, \"pid\": n} to <file>\n"
    "      --request-timeout <s> drop a request whose body takes longer\n"
    "                            (default 60)\n"
    "      --scope <scope>       (key add) write, read or admin\n"
    "      --threads <n>         threads answering requests (default 4)\n"
    "\n"
    "Exit status: 0 stopped by a signal, or the key command worked; 2 usage\n"
    "error; 3 the database, the credentials file or the port could not be\n"
    "used. See docs/lrs.md.\n";

enum {
	O_ACCESS_LOG = 256,
	O_BASE,
	O_CORS,
	O_CREDENTIALS,
	O_DB,
	O_IDLE,
	O_LISTEN,
	O_MAX_BODY,
	O_MAX_BUF,
	O_MAX_CONN,
	O_MAX_IP,
	O_NAME,
	O_READY,
	O_REQ_TIMEOUT,
	O_SCOPE,
	O_THREADS
};

static const struct option lrs_longopts[] = {
	{ "access-log", no_argument, NULL, O_ACCESS_LOG },
	{ "base", required_argument, NULL, O_BASE },
	{ "cors", required_argument, NULL, O_CORS },
	{ "credentials", required_argument, NULL, O_CREDENTIALS },
	{ "db", required_argument, NULL, O_DB },
	{ "help", no_argument, NULL, 'h' },
	{ "idle-timeout", required_argument, NULL, O_IDLE },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "max-body", required_argument, NULL, O_MAX_BODY },
	{ "max-buffered", required_argument, NULL, O_MAX_BUF },
	{ "max-connections", required_argument, NULL, O_MAX_CONN },
	{ "max-per-ip", required_argument, NULL, O_MAX_IP },
	{ "name", required_argument, NULL, O_NAME },
	{ "quiet", no_argument, NULL, 'q' },
	{ "ready-file", required_argument, NULL, O_READY },
	{ "request-timeout", required_argument, NULL, O_REQ_TIMEOUT },
	{ "scope", required_argument, NULL, O_SCOPE },
	{ "threads", required_argument, NULL, O_THREADS },
	{ NULL, 0, NULL, 0 }
};

struct lrs_cli {
	const char *db, *credentials, *name, *scope, *ready;
	struct lrs_http_opts http;
	const char *base;
	int quiet;
};

/* A whole number in [lo, hi], with K/M suffixes when 'suffix'. */
static int lrs_number(const char *opt, const char *s, unsigned long lo,
		      unsigned long hi, int suffix, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (suffix && (*end == 'K' || *end == 'k'))
		v *= 1024, end++;
	else if (suffix && (*end == 'M' || *end == 'm'))
		v *= 1024 * 1024, end++;
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
		return cli_usage_error("lrs", "%s wants a number from %lu to %lu",
				       opt, lo, hi);
	*out = v;
	return 0;
}

static void lrs_log(void *payload, const char *line)
{
	(void)payload;
	char t[32];
	lrs_codec_time_format(lrs_codec_now_ms(), t);
	fprintf(stderr, "%s %s\n", t, line);
}

/* The credentials file for a database: x.db -> x.keys, else x.keys. */
static char *lrs_keys_path(const char *db)
{
	size_t n = strlen(db);
	if (n > 3 && strcmp(db + n - 3, ".db") == 0)
		return xasprintf("%.*s.keys", (int)(n - 3), db);
	return xasprintf("%s.keys", db);
}

static int lrs_key_cmd(struct lrs_cli *o, int argc, char **argv)
{
	struct diag d;
	diag_init(&d, cli_diag_sink, NULL);
	char *path = o->credentials ? xstrdup(o->credentials)
				    : lrs_keys_path(o->db ? o->db : DEFAULT_DB);
	int rc = CLI_EXIT_OK;
	if (argc < 1) {
		rc = cli_usage_error("lrs", "'lrs key' wants add, list or revoke");
		goto done;
	}
	if (strcmp(argv[0], "add") == 0) {
		enum lrs_scope scope;
		char id[LRS_KEY_ID_LEN + 1], secret[LRS_KEY_SECRET_LEN + 1];
		if (argc != 1) {
			rc = cli_usage_error("lrs", "'lrs key add' takes no "
						    "arguments, only options");
			goto done;
		}
		if (!o->scope || lrs_keys_scope_parse(o->scope, &scope)) {
			rc = cli_usage_error("lrs", "'lrs key add' needs --scope "
						    "write, read or admin");
			goto done;
		}
		int r = lrs_keys_add(path, scope, o->name, id, secret, &d);
		if (r) {
			rc = cli_exit_code(r);
			goto done;
		}
		printf("%s:%s\n", id, secret);
		fflush(stdout);
		memset(secret, 0, sizeof(secret));
		fprintf(stderr,
			PROGRAM_NAME ": added %s key %s to '%s'; its secret is "
				     "shown only this once (as KEY:SECRET above)\n",
			o->scope, id, path);
	} else if (strcmp(argv[0], "list") == 0) {
		struct lrs_key_info *v;
		size_t n;
		if (argc != 1) {
			rc = cli_usage_error("lrs", "'lrs key list' takes no "
						    "arguments");
			goto done;
		}
		int r = lrs_keys_list(path, &v, &n, &d);
		if (r) {
			rc = cli_exit_code(r);
			goto done;
		}
		printf("%-18s  %-5s  %-20s  %-20s  %s\n", "key", "scope",
		       "created", "revoked", "name");
		for (size_t i = 0; i < n; i++) {
			char c[32], r2[32];
			lrs_codec_time_format(v[i].created, c);
			c[19] = 'Z', c[20] = '\0';
			if (v[i].revoked) {
				lrs_codec_time_format(v[i].revoked, r2);
				r2[19] = 'Z', r2[20] = '\0';
			} else {
				snprintf(r2, sizeof(r2), "-");
			}
			printf("%-18s  %-5s  %-20s  %-20s  %s\n", v[i].id,
			       lrs_keys_scope_name(v[i].scope), c, r2,
			       v[i].name);
		}
		lrs_keys_list_free(v, n);
	} else if (strcmp(argv[0], "revoke") == 0) {
		if (argc != 2) {
			rc = cli_usage_error("lrs", "'lrs key revoke' wants one "
						    "key");
			goto done;
		}
		int r = lrs_keys_revoke(path, argv[1], &d);
		if (r) {
			rc = r == ET_ENOTFOUND ? CLI_EXIT_INPUT : cli_exit_code(r);
			goto done;
		}
		fprintf(stderr, PROGRAM_NAME ": revoked key %s in '%s'\n",
			argv[1], path);
	} else {
		rc = cli_usage_error("lrs", "unknown key command '%s' (add, list "
					    "or revoke)",
				     argv[0]);
	}
done:
	free(path);
	return rc;
}

static int lrs_write_ready(const char *path, const char *url, unsigned port)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;
	if (f) {
		fprintf(f, "{\"lrs\":\"%s\",\"port\":%u,\"pid\":%ld}\n", url, port,
			(long)getpid());
		if (fclose(f) == 0 && rename(tmp, path) == 0)
			rc = 0;
	}
	free(tmp);
	return rc;
}

static int lrs_serve(struct lrs_cli *o)
{
	struct diag d;
	struct lrs_store *store = NULL;
	struct lrs_keys *keys = NULL;
	struct lrs_http *http = NULL;
	struct lrs_api api;
	int rc = CLI_EXIT_OK, have_api = 0;
	sigset_t set;
	char *kpath = o->credentials ? xstrdup(o->credentials)
				     : lrs_keys_path(o->db);
	diag_init(&d, cli_diag_sink, NULL);

	/* signals are waited for here; the server's threads never get them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* before any JSON exists; ETOOLBOX_LRS_ARENA=0 turns it off */
	const char *arena = getenv("ETOOLBOX_LRS_ARENA");
	lrs_arena_install(arena && strcmp(arena, "0") == 0);
	int r = lrs_keys_open(&keys, kpath, &d);
	if (!r)
		r = lrs_store_open(&store, o->db, &d);
	if (r) {
		rc = CLI_EXIT_IO;
		goto done;
	}
	lrs_api_init(&api, store, keys, o->base, 1);
	have_api = 1;
	if (lrs_http_start(&http, &api, &o->http, &d)) {
		rc = CLI_EXIT_IO;
		goto done;
	}
	unsigned port = lrs_http_port(http);
	char host[256];
	snprintf(host, sizeof(host), "%s", o->http.listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	if (!host[0])
		snprintf(host, sizeof(host), "127.0.0.1");
	char *url = xasprintf("http://%s:%u%s/", host, port, api.base);
	if (!o->quiet) {
		size_t n = lrs_keys_count(keys);
		fprintf(stderr,
			PROGRAM_NAME ": lrs listening on %s (database '%s', "
				     "%zu key%s in '%s')\n",
			url, o->db, n, n == 1 ? "" : "s", kpath);
		if (!n)
			fprintf(stderr,
				PROGRAM_NAME ": warning: no keys yet, so every "
					     "request but /about gets 401: make "
					     "one with '" PROGRAM_NAME
					     " lrs key add --scope write'\n");
	}
	if (o->ready && lrs_write_ready(o->ready, url, port))
		fprintf(stderr, PROGRAM_NAME ": warning: cannot write '%s': %s\n",
			o->ready, strerror(errno));
	free(url);
	int sig = 0;
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		; /* keys are reloaded on every request; nothing to do */
	if (!o->quiet)
		fprintf(stderr, PROGRAM_NAME ": lrs stopping (signal %d)\n", sig);
done:
	lrs_http_stop(http);
	if (have_api)
		lrs_api_release(&api);
	lrs_store_close(store);
	lrs_keys_free(keys);
	free(kpath);
	return rc;
}

int cmd_lrs(int argc, char **argv)
{
	struct lrs_cli o;
	unsigned long v;
	int c;
	memset(&o, 0, sizeof(o));
	o.db = DEFAULT_DB;
	o.base = "/xAPI";
	o.http.listen = "127.0.0.1:8080";
	o.http.max_body = 8 * 1024 * 1024;
	o.http.body_budget = 256 * 1024 * 1024;
	o.http.idle_timeout = 30;
	o.http.request_timeout = 60;
	o.http.threads = 4;
	o.http.max_connections = 512;
	o.http.max_per_ip = 128;
	o.http.cors = "*";
	o.http.log = lrs_log;
	int db_given = 0;
	size_t buffered = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", lrs_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(cmd_lrs_usage, stdout);
			return CLI_EXIT_OK;
		case 'q':
			o.quiet = 1;
			break;
		case O_ACCESS_LOG:
			o.http.access_log = 1;
			break;
		case O_BASE:
			if (optarg[0] != '/' || strchr(optarg, '?') ||
			    strlen(optarg) > 100)
				return cli_usage_error("lrs", "--base wants a "
							      "path like /xAPI");
			o.base = optarg;
			break;
		case O_CORS:
			o.http.cors = optarg;
			break;
		case O_CREDENTIALS:
			o.credentials = optarg;
			break;
		case O_DB:
			o.db = optarg;
			db_given = 1;
			break;
		case O_IDLE:
			if (lrs_number("--idle-timeout", optarg, 1, 86400, 0, &v))
				return CLI_EXIT_USAGE;
			o.http.idle_timeout = (unsigned)v;
			break;
		case O_LISTEN:
			o.http.listen = optarg;
			break;
		case O_MAX_BODY:
			if (lrs_number("--max-body", optarg, 1024,
				       1024ul * 1024 * 1024, 1, &v))
				return CLI_EXIT_USAGE;
			o.http.max_body = v;
			break;
		case O_MAX_BUF:
			if (lrs_number("--max-buffered", optarg, 1024,
				       64ul * 1024 * 1024 * 1024, 1, &v))
				return CLI_EXIT_USAGE;
			buffered = v;
			break;
		case O_MAX_CONN:
			if (lrs_number("--max-connections", optarg, 1, 100000, 0,
				       &v))
				return CLI_EXIT_USAGE;
			o.http.max_connections = (unsigned)v;
			break;
		case O_MAX_IP:
			if (lrs_number("--max-per-ip", optarg, 0, 100000, 0, &v))
				return CLI_EXIT_USAGE;
			o.http.max_per_ip = (unsigned)v;
			break;
		case O_NAME:
			o.name = optarg;
			break;
		case O_READY:
			o.ready = optarg;
			break;
		case O_REQ_TIMEOUT:
			if (lrs_number("--request-timeout", optarg, 1, 86400, 0,
				       &v))
				return CLI_EXIT_USAGE;
			o.http.request_timeout = (unsigned)v;
			break;
		case O_SCOPE:
			o.scope = optarg;
			break;
		case O_THREADS:
			if (lrs_number("--threads", optarg, 1, 64, 0, &v))
				return CLI_EXIT_USAGE;
			o.http.threads = (unsigned)v;
			break;
		default:
			return cli_usage_error("lrs", "unknown option");
		}
	}
	if (buffered)
		o.http.body_budget = buffered;
	else if (o.http.body_budget < 4 * o.http.max_body)
		o.http.body_budget = 4 * o.http.max_body;
	if (optind < argc && strcmp(argv[optind], "key") == 0) {
		if (!db_given)
			o.db = NULL;
		return lrs_key_cmd(&o, argc - optind - 1, argv + optind + 1);
	}
	if (optind < argc)
		return cli_usage_error("lrs", "unexpected argument '%s'",
				       argv[optind]);
	if (o.scope || o.name)
		return cli_usage_error("lrs", "--scope and --name are for 'lrs "
					      "key add'");
	return lrs_serve(&o);
}
