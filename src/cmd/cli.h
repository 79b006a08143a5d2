/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the command entry points share: usage errors, and arguments shown safely */
#ifndef TASKSCOPE_CLI_H
#define TASKSCOPE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct column;

/* "taskscope: CMD: message" and the --help hint on stderr (cmd NULL: the task view);
 * returns the usage exit status (2). */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The end of a command's --help: the -h line, an empty line, text (what the exit statuses
 * mean, ...: it ends with the space or newline before) and "See taskscope-CMD(1)." */
void cli_help_end(FILE *out, const char *cmd, const char *text);
/* The exit status after a report was written to out with rc (0 or -errno): a write error
 * on out (a reader that went away, a full disk) is main's to report with its cause, so
 * 0 then; another error is said here (1). */
int cli_report_status(FILE *out, int rc);
/* An argument the user gave, for a message: sanitized into buf, never raw control bytes. */
const char *cli_shown(const char *s, char *buf, size_t len);
/* SIGINT, SIGTERM and SIGHUP end a run cleanly: each sets the number cli_stop_signal
 * returns (0 until one came); no SA_RESTART, so that a sleep ends at once. */
void cli_catch_stop_signals(void);
int cli_stop_signal(void);
/* The same, forgotten once returned: a signal that was passed on (to a job). */
int cli_take_stop_signal(void);
/* The task view's columns of -o LIST (NULL: the defaults), for a row per thread or per
 * process; *cols malloc'ed. 0, or the exit status: an unknown column is cmd's usage error,
 * another failure a message. */
int cli_task_columns(const char *cmd, const char *list, bool threads,
		     const struct column ***cols, size_t *ncols);

#endif
