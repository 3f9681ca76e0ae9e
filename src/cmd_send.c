/* cmd_send.c -- 'etoolbox send': statements from a file to an LRS, each
 * one exactly once, through outages and crashes */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "errors.h"
#include "journal.h"
#include "lrsclient.h"
#include "sha1.h"
#include "util.h"
#include "xapi_auth.h"
#include "xapi_reader.h"
#include "xapi_uuid.h"
#include "xapi_validate.h"

const char cmd_send_usage[] =
    "usage: " PROGRAM_NAME " send --lrs <url> [--auth-file <file>] "
    "[<options>] <file>|-\n"
    "\n"
    "Send xAPI statements to an LRS, each exactly once. <file> (or '-',\n"
    "standard input) is a JSON array of statements or JSON Lines. Every\n"
    "statement is checked against xAPI 1.0.3 first: if any is invalid,\n"
    "each problem is reported with its position and nothing is sent.\n"
    "A statement without an id gets a deterministic one (a version 5 UUID\n"
    "of its content), so sending the same file twice stores it once.\n"
    "\n"
    "Statements go in batches over one kept-alive connection. Network\n"
    "errors, 429 and 5xx are retried with backoff (honouring Retry-After);\n"
    "a batch answered 400 is split until the bad statements are alone,\n"
    "and those go to the dead-letter file with the LRS's message; 413\n"
    "splits the batch; 409 (the LRS has another statement with that id)\n"
    "drops the statement with a warning. A journal records every batch the\n"
    "LRS acknowledged, so after a crash or kill the same command resumes\n"
    "where it stopped: nothing lost, nothing sent twice.\n"
    "\n"
    "      --auth <key:secret>  LRS credentials (visible to other users in\n"
    "                           the process list: prefer the next two)\n"
    "      --auth-file <file>   read KEY:SECRET from the first line of\n"
    "                           <file> (warns unless only you can read it)\n"
    "                           default: the environment variable\n"
    "                           ETOOLBOX_LRS_AUTH\n"
    "      --batch <n>          statements per request (default 100)\n"
    "      --dead-letter <file> where rejected statements go, one JSON\n"
    "                           object per line (default <file>.rejected\n"
    "                           .jsonl, or send.rejected.jsonl for stdin)\n"
    "  -n, --dry-run            check the statements, send nothing\n"
    "  -h, --help               show this help\n"
    "      --journal <dir>      where journals live (default\n"
    "                           $XDG_STATE_HOME/etoolbox/send, else\n"
    "                           ~/.local/state/etoolbox/send)\n"
    "      --lrs <url>          the LRS endpoint, e.g.\n"
    "                           https://lrs.example.org/xAPI/\n"
    "                           (default: $ETOOLBOX_LRS)\n"
    "      --max-errors <n>     stop checking after n errors (default 100;\n"
    "                           0: no limit)\n"
    "      --no-journal         don't keep a journal\n"
    "  -q, --quiet              print only errors and warnings\n"
    "      --retry-for <s>      give up when the LRS stays unreachable or\n"
    "                           busy this long (default 300)\n"
    "      --timeout <s>        per request (default 60)\n"
    "\n"
    "Exit status: 0 every statement is in the LRS; 1 invalid statements\n"
    "(nothing sent), or some were rejected or conflicting; 2 usage error;\n"
    "3 a file could not be read or written; 4 the LRS could not be\n"
    "reached, refused the credentials or failed (run the same command\n"
    "again to resume).\n";

/* ---- ids seen in the input ------------------------------------------- */

struct idslot {
	unsigned char uuid[16];
	off_t spool_off; /* where its line starts in the spool */
	size_t index;    /* its position in the input */
	int line;
	int used;
};

struct idset {
	struct idslot *v;
	size_t cap, n;
};

static void uuid_bytes(const char *s, unsigned char out[16])
{
	int k = 0;
	for (const char *p = s; *p && k < 32; p++) {
		int c = *p, v;
		if (c == '-')
			continue;
		v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
		if (k % 2 == 0)
			out[k / 2] = (unsigned char)(v << 4);
		else
			out[k / 2] |= (unsigned char)v;
		k++;
	}
}

static uint64_t idset_hash(const unsigned char u[16])
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ u[i]) * 1099511628211ull;
	return h;
}

/* Find or add; returns the slot and sets *added. */
static struct idslot *idset_put(struct idset *s, const unsigned char u[16],
				int *added)
{
	if ((s->n + 1) * 2 > s->cap) {
		struct idset g = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
		g.v = xcalloc(g.cap, sizeof(*g.v));
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->v[i].used)
				continue;
			size_t k = idset_hash(s->v[i].uuid) & (g.cap - 1);
			while (g.v[k].used)
				k = (k + 1) & (g.cap - 1);
			g.v[k] = s->v[i];
			g.n++;
		}
		free(s->v);
		*s = g;
	}
	size_t k = idset_hash(u) & (s->cap - 1);
	while (s->v[k].used) {
		if (memcmp(s->v[k].uuid, u, 16) == 0) {
			*added = 0;
			return &s->v[k];
		}
		k = (k + 1) & (s->cap - 1);
	}
	s->v[k].used = 1;
	memcpy(s->v[k].uuid, u, 16);
	s->n++;
	*added = 1;
	return &s->v[k];
}

/* ---- the run ------------------------------------------------------------ */

struct send_run {
	const char *input;   /* as given, "-" for stdin */
	const char *display; /* for messages */
	char *dead_path;
	FILE *dead;
	struct journal *journal;
	int quiet, tty;
	size_t max_errors; /* stop reading after this many; 0 = no limit */
	size_t stored, rejected, conflicts, skipped_earlier, duplicates;
	size_t total; /* statements to deliver (the spool's lines) */
	double start, last_progress;
	struct diag *d;
	/* the current batch: spool lines */
	char **lines;
	size_t *line_pos; /* input index of each */
	int *line_array;
	int *line_no;
};

static double send_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_sink(const struct diag_msg *m, void *payload)
{
	const struct send_run *run = payload;
	if (run && run->quiet && m->sev == DIAG_NOTE)
		return;
	if (run && run->tty)
		fputs("\r\033[K", stderr);
	cli_diag_sink(m, NULL);
}

static void send_progress(struct send_run *run, int final)
{
	if (!run->tty || run->quiet)
		return;
	double now = send_now();
	if (!final && now - run->last_progress < 0.5)
		return;
	run->last_progress = now;
	size_t done = run->stored + run->rejected + run->conflicts +
		      run->skipped_earlier;
	fprintf(stderr, "\r\033[K%zu/%zu statements", done, run->total);
	if (final)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static void send_label(char *out, size_t n, int array, size_t index, int line)
{
	struct xapi_pos p = { index, array, line, 1 };
	xapi_reader_label(&p, out, n);
}

static char *send_timestamp(void)
{
	struct timespec ts;
	struct tm tm;
	char s[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%03ldZ", s, ts.tv_nsec / 1000000);
}

static int send_dead_letter(struct send_run *run,
			    const struct lrsclient_item *items, size_t n,
			    long status, const char *message)
{
	if (!run->dead) {
		run->dead = fopen(run->dead_path, "a");
		if (!run->dead) {
			diag_error(run->d, (struct loc){ run->dead_path, 0, 0 },
				   "cannot open the dead-letter file: %s",
				   strerror(errno));
			return ET_EIO;
		}
	}
	char *now = send_timestamp();
	for (size_t i = 0; i < n; i++) {
		char label[64];
		json_t *st = json_loadb(items[i].json, items[i].len, 0, NULL);
		json_t *rec = json_object();
		int array = run->line_array[items[i].index];
		size_t pos = run->line_pos[items[i].index];
		int line = run->line_no[items[i].index];
		send_label(label, sizeof(label), array, pos, line);
		json_object_set_new(rec, "position", json_string(label));
		json_object_set_new(rec, "line", json_integer(line));
		json_object_set_new(rec, "status", json_integer(status));
		json_object_set_new(rec, "error", json_string(message));
		json_object_set_new(rec, "time", json_string(now));
		json_object_set_new(rec, "statement", st ? st : json_null());
		char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s)
			fprintf(run->dead, "%s\n", s);
		free(s);
		json_decref(rec);
		diag_report(run->d, DIAG_WARNING, "lrs-rejected",
			    (struct loc){ run->display, line, 1 },
			    "%s: the LRS rejected it (%ld): %s", label, status,
			    message);
	}
	free(now);
	if (fflush(run->dead) != 0 || fsync(fileno(run->dead)) != 0) {
		diag_error(run->d, (struct loc){ run->dead_path, 0, 0 },
			   "cannot write the dead-letter file: %s",
			   strerror(errno));
		return ET_EIO;
	}
	return 0;
}

static int send_fate(const struct lrsclient_item *items, size_t n,
		     enum lrsclient_fate fate, long status,
		     const char *message, void *payload)
{
	struct send_run *run = payload;
	enum journal_kind kind = JOURNAL_STORED;
	int rc = 0;
	if (fate == LRSCLIENT_REJECTED) {
		rc = send_dead_letter(run, items, n, status, message);
		kind = JOURNAL_REJECTED;
		run->rejected += n;
	} else if (fate == LRSCLIENT_CONFLICT) {
		for (size_t i = 0; i < n; i++) {
			char label[64];
			size_t k = items[i].index;
			send_label(label, sizeof(label), run->line_array[k],
				   run->line_pos[k], run->line_no[k]);
			diag_report(run->d, DIAG_WARNING, "lrs-conflict",
				    (struct loc){ run->display,
						  run->line_no[k], 1 },
				    "%s: the LRS already has a different "
				    "statement with this id (409); dropped: %s",
				    label, message);
		}
		kind = JOURNAL_CONFLICT;
		run->conflicts += n;
	} else {
		run->stored += n;
	}
	if (rc == 0 && run->journal) {
		size_t *idx = xmalloc(n * sizeof(*idx));
		for (size_t i = 0; i < n; i++)
			idx[i] = items[i].index;
		rc = journal_record(run->journal, idx, n, kind, run->d);
		free(idx);
	}
	send_progress(run, 0);
	return rc;
}

/* ---- pass 1: read, check, give ids, spool ------------------------------ */

/* 1 when the statement spooled at 'off' has the same content as 'st' (key
 * order aside). Reads the spool there, then goes back to its end. */
static int send_same_as_spooled(FILE *spool, off_t off, const json_t *st)
{
	char *line = NULL;
	size_t cap = 0;
	int same = 0, used = 0, a, l;
	size_t i;
	off_t end = ftello(spool);
	if (end >= 0 && fseeko(spool, off, SEEK_SET) == 0 &&
	    getline(&line, &cap, spool) > 0 &&
	    sscanf(line, "%d\t%zu\t%d\t%n", &a, &i, &l, &used) == 3) {
		json_t *first = json_loads(line + used, 0, NULL);
		same = first && json_equal(first, st);
		json_decref(first);
	}
	free(line);
	if (fseeko(spool, end, SEEK_SET) != 0)
		BUG("cannot seek in the spool file");
	return same;
}

static int send_prepare(struct send_run *run, FILE *in, FILE *spool,
			unsigned char sha[SHA1_LEN], size_t *out_read)
{
	struct xapi_reader *r = xapi_reader_new(in, run->display, NULL);
	struct idset ids = { NULL, 0, 0 };
	int rc = 0;
	size_t dup_notes = 0;
	for (;;) {
		json_t *st = NULL;
		struct xapi_pos pos;
		int got = xapi_reader_next(r, &st, &pos, run->d);
		if (got == 0)
			break;
		if (got == ET_EIO) {
			rc = ET_EIO;
			break;
		}
		if (run->max_errors && run->d->errors >= run->max_errors) {
			json_decref(st);
			diag_note(run->d, LOC_NONE,
				  "too many errors; stopped reading %s",
				  run->display);
			break;
		}
		if (got < 0)
			continue;
		char label[64];
		struct loc loc = { run->display, pos.line, pos.col };
		xapi_reader_label(&pos, label, sizeof(label));
		if (xapi_validate_statement(st, label, loc, run->d) < 0) {
			json_decref(st);
			continue;
		}
		char idbuf[XAPI_UUID_LEN + 1];
		const char *id = json_string_value(json_object_get(st, "id"));
		if (!id) {
			xapi_uuid_statement(st, idbuf);
			json_object_set_new(st, "id", json_string(idbuf));
			id = idbuf;
		}
		unsigned char u[16];
		uuid_bytes(id, u);
		int added;
		struct idslot *slot = idset_put(&ids, u, &added);
		if (!added) {
			char first[64];
			struct xapi_pos fp = { slot->index, pos.array,
					       slot->line, 1 };
			xapi_reader_label(&fp, first, sizeof(first));
			if (send_same_as_spooled(spool, slot->spool_off, st)) {
				run->duplicates++;
				if (dup_notes++ < 10)
					diag_report(run->d, DIAG_NOTE,
						    "duplicate", loc,
						    "%s: same id and content as "
						    "%s; sent once",
						    label, first);
			} else {
				diag_report(run->d, DIAG_ERROR, "xapi-id-reuse",
					    loc,
					    "%s: 'id' %s is also the id of %s, "
					    "with different content",
					    label, id, first);
			}
			json_decref(st);
			continue;
		}
		slot->spool_off = ftello(spool);
		slot->index = pos.index;
		slot->line = pos.line;
		/* spool the statement as it came when it had an id and is on
		 * one line (JSON Lines), else as jansson writes it */
		size_t rawlen;
		const char *raw = xapi_reader_raw(r, &rawlen);
		char *line = NULL;
		if (id == idbuf || memchr(raw, '\n', rawlen) ||
		    memchr(raw, '\r', rawlen))
			line = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER |
						  JSON_REAL_PRECISION(17));
		if (fprintf(spool, "%d\t%zu\t%d\t", pos.array, pos.index,
			    pos.line) < 0 ||
		    fwrite(line ? line : raw, 1, line ? strlen(line) : rawlen,
			   spool) != (line ? strlen(line) : rawlen) ||
		    putc('\n', spool) == EOF) {
			diag_error(run->d, LOC_NONE,
				   "cannot write the spool file: %s",
				   strerror(errno));
			rc = ET_EIO;
		}
		free(line);
		json_decref(st);
		run->total++;
		if (rc)
			break;
	}
	if (rc == 0 && xapi_reader_finish(r, sha, run->d) < 0)
		rc = ET_EIO;
	*out_read = xapi_reader_count(r);
	if (dup_notes > 10)
		diag_note(run->d, LOC_NONE,
			  "%zu more statements repeat an earlier one; each is "
			  "sent once",
			  dup_notes - 10);
	xapi_reader_free(r);
	free(ids.v);
	return rc;
}

/* ---- pass 2: batches --------------------------------------------------- */

#define SEND_BATCH_BYTES (4u << 20)

static int send_batches(struct send_run *run, struct lrsclient *c, FILE *spool,
			size_t batch)
{
	struct lrsclient_item *items = xcalloc(batch, sizeof(*items));
	char **held = xcalloc(batch, sizeof(*held));
	size_t n = 0, bytes = 0, k = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	run->line_pos = xcalloc(run->total ? run->total : 1, sizeof(size_t));
	run->line_array = xcalloc(run->total ? run->total : 1, sizeof(int));
	run->line_no = xcalloc(run->total ? run->total : 1, sizeof(int));
	rewind(spool);
	for (;;) {
		len = getline(&line, &cap, spool);
		int flush = len < 0;
		if (len > 0) {
			int array = 0, lineno = 0, used = 0;
			size_t pos = 0;
			if (sscanf(line, "%d\t%zu\t%d\t%n", &array, &pos, &lineno,
				   &used) < 3 ||
			    k >= run->total)
				BUG("bad spool line %zu", k);
			run->line_array[k] = array;
			run->line_pos[k] = pos;
			run->line_no[k] = lineno;
			if (run->journal && journal_done(run->journal, k)) {
				run->skipped_earlier++;
				k++;
				continue;
			}
			size_t jl = (size_t)len - (size_t)used - 1;
			held[n] = xstrndup(line + used, jl);
			items[n] = (struct lrsclient_item){ held[n], jl, k };
			n++, k++;
			bytes += jl;
			flush = n == batch || bytes >= SEND_BATCH_BYTES;
		}
		if (flush && n) {
			rc = lrsclient_send(c, items, n, send_fate, run, run->d);
			for (size_t i = 0; i < n; i++)
				free(held[i]);
			n = 0, bytes = 0;
			if (rc < 0)
				break;
		}
		if (len < 0)
			break;
	}
	if (rc == 0 && ferror(spool)) {
		diag_error(run->d, LOC_NONE, "cannot read the spool file: %s",
			   strerror(errno));
		rc = ET_EIO;
	}
	for (size_t i = 0; i < n; i++)
		free(held[i]);
	free(line);
	free(held);
	free(items);
	return rc;
}

/* ---- the command ------------------------------------------------------ */

static char *send_default_journal_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	if (x && *x == '/')
		return xasprintf("%s/etoolbox/send", x);
	if (home && *home)
		return xasprintf("%s/.local/state/etoolbox/send", home);
	return xstrdup(".etoolbox/send");
}

int cmd_send(int argc, char **argv)
{
	enum { O_AUTH = 256, O_AUTH_FILE, O_BATCH, O_DEAD, O_JOURNAL, O_LRS,
	       O_MAX_ERRORS, O_NO_JOURNAL, O_RETRY_FOR, O_TIMEOUT };
	static const struct option longopts[] = {
		{ "auth", required_argument, NULL, O_AUTH },
		{ "auth-file", required_argument, NULL, O_AUTH_FILE },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "dead-letter", required_argument, NULL, O_DEAD },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "journal", required_argument, NULL, O_JOURNAL },
		{ "lrs", required_argument, NULL, O_LRS },
		{ "max-errors", required_argument, NULL, O_MAX_ERRORS },
		{ "no-journal", no_argument, NULL, O_NO_JOURNAL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "retry-for", required_argument, NULL, O_RETRY_FOR },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	const char *lrs = getenv("ETOOLBOX_LRS"), *auth_opt = NULL;
	const char *auth_file = NULL, *dead = NULL, *jdir = NULL;
	int dry = 0, no_journal = 0, ch, rc = 0, exit_code = CLI_EXIT_OK;
	double batch = 100, retry_for = 300, timeout = 60, max_errors = 100;
	char *auth_copy = NULL, *auth = NULL, *journal_dir = NULL;
	FILE *in = NULL, *spool = NULL;
	struct lrsclient *client = NULL;
	struct send_run run;
	struct diag d;

	memset(&run, 0, sizeof(run));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+hnq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(cmd_send_usage, stdout);
			return CLI_EXIT_OK;
		case 'n':
			dry = 1;
			break;
		case 'q':
			run.quiet = 1;
			break;
		case O_AUTH:
			/* keep a copy and hide it from the process list */
			free(auth_copy);
			auth_copy = xstrdup(optarg);
			memset(optarg, 'x', strlen(optarg));
			auth_opt = auth_copy;
			break;
		case O_AUTH_FILE:
			auth_file = optarg;
			break;
		case O_BATCH:
			if (cli_number("send", "--batch", optarg, 1,
				       HUGE_VAL, &batch))
				goto usage;
			break;
		case O_DEAD:
			dead = optarg;
			break;
		case O_JOURNAL:
			jdir = optarg;
			break;
		case O_LRS:
			lrs = optarg;
			break;
		case O_MAX_ERRORS:
			if (cli_number("send", "--max-errors", optarg, 0,
				       HUGE_VAL, &max_errors))
				goto usage;
			break;
		case O_NO_JOURNAL:
			no_journal = 1;
			break;
		case O_RETRY_FOR:
			if (cli_number("send", "--retry-for", optarg, 0.001,
				       HUGE_VAL, &retry_for))
				goto usage;
			break;
		case O_TIMEOUT:
			if (cli_number("send", "--timeout", optarg, 0.001,
				       HUGE_VAL, &timeout))
				goto usage;
			break;
		default:
			if (optopt > 0 && optopt < 256)
				exit_code = cli_usage_error(
				    "send", "unknown option or missing value "
					    "'-%c'",
				    optopt);
			else
				exit_code = cli_usage_error(
				    "send", "unknown option or missing value "
					    "'%s'",
				    argv[optind - 1]);
			goto done;
		}
	}
	if (optind + 1 != argc) {
		exit_code = cli_usage_error(
		    "send", optind >= argc ? "missing <file> (or '-')"
					   : "only one <file> at a time");
		goto done;
	}
	if (!dry && (!lrs || !*lrs)) {
		exit_code = cli_usage_error("send", "missing --lrs <url>");
		goto done;
	}
	if (batch > 10000)
		batch = 10000;

	run.max_errors = (size_t)max_errors;
	run.input = argv[optind];
	run.display = strcmp(run.input, "-") == 0 ? "<stdin>" : run.input;
	run.tty = isatty(STDERR_FILENO);
	run.d = &d;
	run.start = send_now();
	diag_init(&d, send_sink, &run);

	if (!dry) {
		rc = xapi_auth_resolve(&auth, auth_opt, auth_file,
				       getenv(XAPI_AUTH_ENV), &d);
		if (rc < 0)
			goto fail;
		if (auth_opt && !run.quiet)
			diag_report(&d, DIAG_NOTE, "auth-argv", LOC_NONE,
				    "--auth puts the credentials where other "
				    "users can see them (ps); prefer "
				    "--auth-file or " XAPI_AUTH_ENV);
		struct lrsclient_opts o = { lrs, auth, NULL, timeout,
					    retry_for, 0, 0 };
		rc = lrsclient_new(&client, &o, &d);
		if (rc < 0)
			goto fail;
	}

	/* pass 1 */
	in = strcmp(run.input, "-") == 0 ? stdin : fopen(run.input, "rb");
	if (!in) {
		diag_error(&d, (struct loc){ run.input, 0, 0 }, "cannot open: %s",
			   strerror(errno));
		rc = errno == ENOENT ? ET_ENOTFOUND : ET_EIO;
		goto fail;
	}
	spool = tmpfile();
	if (!spool) {
		diag_error(&d, LOC_NONE, "cannot create a temporary file: %s",
			   strerror(errno));
		rc = ET_EIO;
		goto fail;
	}
	unsigned char sha[SHA1_LEN];
	size_t nread = 0;
	rc = send_prepare(&run, in, spool, sha, &nread);
	if (rc < 0)
		goto fail;
	if (fflush(spool) != 0) {
		diag_error(&d, LOC_NONE, "cannot write the spool file: %s",
			   strerror(errno));
		rc = ET_EIO;
		goto fail;
	}
	if (d.errors) {
		fprintf(stderr, PROGRAM_NAME ": %zu error%s in %s; nothing was "
					     "sent\n",
			d.errors, d.errors == 1 ? "" : "s", run.display);
		exit_code = CLI_EXIT_INPUT;
		goto done;
	}
	if (dry) {
		if (!run.quiet)
			printf("%s: %zu statement%s, all valid\n", run.display,
			       nread, nread == 1 ? "" : "s");
		goto done;
	}

	/* the journal and the dead-letter file */
	if (!no_journal && run.total) {
		journal_dir = jdir ? xstrdup(jdir) : send_default_journal_dir();
		rc = journal_open(&run.journal, journal_dir,
				  lrsclient_endpoint(client), sha, run.total,
				  &d);
		if (rc < 0)
			goto fail;
	}
	if (dead)
		run.dead_path = xstrdup(dead);
	else if (strcmp(run.input, "-") == 0)
		run.dead_path = xstrdup("send.rejected.jsonl");
	else
		run.dead_path = xasprintf("%s.rejected.jsonl", run.input);

	/* pass 2 */
	rc = send_batches(&run, client, spool, (size_t)batch);
	send_progress(&run, 1);
	if (run.journal) {
		/* what earlier runs resolved, by kind */
		size_t jr = journal_count(run.journal, JOURNAL_REJECTED);
		size_t jc = journal_count(run.journal, JOURNAL_CONFLICT);
		if (jr > run.rejected || jc > run.conflicts)
			diag_report(&d, DIAG_WARNING, "lrs-rejected", LOC_NONE,
				    "earlier runs left %zu rejected statement%s "
				    "in '%s' and dropped %zu conflicting one%s",
				    jr - run.rejected,
				    jr - run.rejected == 1 ? "" : "s",
				    run.dead_path, jc - run.conflicts,
				    jc - run.conflicts == 1 ? "" : "s");
		if (jr || jc)
			exit_code = CLI_EXIT_INPUT;
	}
	if (!run.quiet) {
		double secs = send_now() - run.start;
		printf("%s: %zu sent to %s in %.1f s (%.0f/s, %zu requests)",
		       run.display, run.stored, lrsclient_endpoint(client), secs,
		       secs > 0 ? (double)run.stored / secs : 0.0,
		       lrsclient_requests(client));
		if (run.skipped_earlier)
			printf(", %zu already sent earlier", run.skipped_earlier);
		if (run.duplicates)
			printf(", %zu duplicates skipped", run.duplicates);
		if (run.rejected)
			printf(", %zu rejected (see %s)", run.rejected,
			       run.dead_path);
		if (run.conflicts)
			printf(", %zu conflicts dropped", run.conflicts);
		putchar('\n');
		fflush(stdout);
	}
	if (rc < 0)
		goto fail;
	if (run.rejected || run.conflicts)
		exit_code = CLI_EXIT_INPUT;
	goto done;
usage:
	exit_code = CLI_EXIT_USAGE;
	goto done;
fail:
	exit_code = cli_exit_code(rc);
	if (rc == ET_ENET && run.journal)
		fprintf(stderr,
			PROGRAM_NAME ": %zu of %zu statements are in the LRS; "
				     "run the same command again to send the "
				     "rest\n",
			journal_count(run.journal, JOURNAL_STORED),
			run.total);
done:
	if (in && in != stdin)
		fclose(in);
	if (spool)
		fclose(spool);
	if (run.dead)
		fclose(run.dead);
	journal_close(run.journal);
	lrsclient_free(client);
	xapi_auth_free(auth);
	xapi_auth_free(auth_copy);
	free(journal_dir);
	free(run.dead_path);
	free(run.line_pos);
	free(run.line_array);
	free(run.line_no);
	return exit_code;
}
