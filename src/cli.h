/* cli.h -- the command-line tool: command table, exit codes, printing
 *
 * Only main.c and cmd_*.c print or choose exit codes; the core reports
 * through struct diag. */
#ifndef ET_CLI_H
#define ET_CLI_H

#include "diag.h"

#define PROGRAM_NAME "etoolbox"
#ifndef ET_VERSION
#define ET_VERSION "0.1.0"
#endif

/* Exit codes, documented in the README and the man page. */
enum {
	CLI_EXIT_OK = 0,    /* success */
	CLI_EXIT_INPUT = 1, /* the input has errors (diagnostics printed) */
	CLI_EXIT_USAGE = 2, /* the command line is wrong */
	CLI_EXIT_IO = 3,    /* a file could not be read or written */
	CLI_EXIT_NET = 4    /* network or server failure */
};

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage; /* the full help text of the command */
};

extern const struct cli_cmd cli_cmds[];
const struct cli_cmd *cli_find(const char *name);

/* The command handlers */
int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_lrs(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_statements(int argc, char **argv);
int cmd_version(int argc, char **argv);

extern const char cmd_build_usage[];
extern const char cmd_check_usage[];
extern const char cmd_help_usage[];
extern const char cmd_lrs_usage[];
extern const char cmd_send_usage[];
extern const char cmd_statements_usage[];
extern const char cmd_version_usage[];

/* A diag sink that prints "file:line:col: severity: message" to stderr,
 * with a caret excerpt when stderr is a terminal. */
void cli_diag_sink(const struct diag_msg *m, void *payload);
/* Map a core return code to an exit code */
int cli_exit_code(int err);
/* "etoolbox: error: ..." plus a hint to run help; returns CLI_EXIT_USAGE */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parse option 'opt''s value 's' as a number in [min, max] (max: HUGE_VAL
 * for no upper bound) into *out; 0, or a usage error (CLI_EXIT_USAGE). */
int cli_number(const char *cmd, const char *opt, const char *s, double min,
	       double max, double *out);

#endif
