/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - the command table: every subcommand's name, entry point, synopsis and summary */
#ifndef TASKSCOPE_COMMANDS_H
#define TASKSCOPE_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

struct ts_command {
	const char *name;
	int (*main)(int argc, char **argv);	/* argv[0] is the command's name */
	const char *args;	/* what follows the options in the synopsis, e.g. "PID..." */
	const char *usage;	/* the synopsis line after "taskscope NAME " */
	const char *summary;	/* one line (or two, wrapped with '\n') for --help */
};

/* The table, in the order --help lists it (alphabetical). */
const struct ts_command *commands_all(size_t *n);
/* The command called name, or NULL. */
const struct ts_command *commands_find(const char *name);
/* The command closest to a mistyped name (at most two edits, or a unique prefix), or NULL. */
const struct ts_command *commands_suggest(const char *name);
/* The synopsis lines ("taskscope NAME USAGE") and the "Commands:" block of --help. */
void commands_print_synopsis(FILE *out);
void commands_print_list(FILE *out);

#endif
