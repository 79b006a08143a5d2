/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - what the command entry points share: usage errors, and arguments shown safely */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/util.h"
#include "lib/exitcode.h"

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

const char *cli_shown(const char *s, char *buf, size_t len)
{
	util_sanitize(s, strlen(s), buf, len);
	return buf;
}
