/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - what the command entry points share: usage errors, and arguments shown safely */
#include "config.h"

#include <signal.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "lib/exitcode.h"
#include "model/columns.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (cmd)
		fprintf(stderr, "taskscope: %s: ", cmd);
	else
		fputs("taskscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'taskscope %s --help' for more information.\n", cmd);
	else
		fputs("\nTry 'taskscope --help' for more information.\n", stderr);
	return TS_EXIT_USAGE;
}

void cli_help_end(FILE *out, const char *cmd, const char *text)
{
	fprintf(out, " -h, --help                show this help and exit\n\n%sSee taskscope-%s(1).\n",
		text, cmd);
}

int cli_report_status(FILE *out, int rc)
{
	if (!rc || outfile_error(out))
		return TS_EXIT_OK;
	msg_error("cannot write the report: %s", strerror(-rc));
	return TS_EXIT_FAILURE;
}

const char *cli_shown(const char *s, char *buf, size_t len)
{
	util_sanitize(s, strlen(s), buf, len);
	return buf;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void cli_catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

int cli_stop_signal(void)
{
	return stop_signal;
}

int cli_take_stop_signal(void)
{
	int sig = stop_signal;

	stop_signal = 0;
	return sig;
}

int cli_task_columns(const char *cmd, const char *list, bool threads,
		     const struct column ***cols, size_t *ncols)
{
	char *bad = NULL;
	int rc = list ? columns_parse_list(list, threads, cols, ncols, &bad)
		      : columns_defaults(threads, cols, ncols);

	if (rc == -EINVAL)
		cli_usage_error(cmd, "unknown column '%s' in --output (see --list-columns)",
				bad ? bad : "");
	else if (rc)
		msg_error("%s", strerror(-rc));
	free(bad);
	if (rc) {
		free(*cols);
		*cols = NULL;
	}
	return rc == -EINVAL ? TS_EXIT_USAGE : rc ? TS_EXIT_FAILURE : 0;
}
