/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msg.c - the one printer of taskscope's messages on standard error */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "lib/msg.h"

static const char *command;

void msg_set_command(const char *cmd)
{
	command = cmd;
}

void msg_error(const char *fmt, ...)
{
	va_list ap;

	/* one write per line where stdio allows: stderr is unbuffered, so build it first */
	char line[1024];
	int n = command ? snprintf(line, sizeof(line), "taskscope: %s: ", command)
			: snprintf(line, sizeof(line), "taskscope: ");

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
