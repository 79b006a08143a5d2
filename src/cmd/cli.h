/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the command entry points share: usage errors, and arguments shown safely */
#ifndef TASKSCOPE_CLI_H
#define TASKSCOPE_CLI_H

#include <stddef.h>

/* "taskscope: CMD: message" and the --help hint on stderr (cmd NULL: the task view);
 * returns the usage exit status (2). */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An argument the user gave, for a message: sanitized into buf, never raw control bytes. */
const char *cli_shown(const char *s, char *buf, size_t len);

#endif
