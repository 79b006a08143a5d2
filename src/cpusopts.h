/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusopts.h - the command line of taskscope cpus: usage, option parsing, messages */
#ifndef TASKSCOPE_CPUSOPTS_H
#define TASKSCOPE_CPUSOPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "target/target.h"

#define CPUSOPTS_DEF_RATE	100
#define CPUSOPTS_DEF_TIME	5.0
#define CPUSOPTS_MAX_TIME	86400.0

struct cpusopts {
	unsigned rate;		/* samples a second */
	double time;		/* seconds to sample */
	bool time_set;		/* -t given (with a command: else until it ends) */
	const char *svg;
	const char *output_file;
	const char *run_as;	/* --run-as USER: the command's user */
	bool json, raw;
	struct target target;	/* initialized by the caller (target_init) */
	char **cmd;		/* after "--" */
};

void cpusopts_usage(FILE *out);
/* Parse argv (argv[0] is "cpus") into o: -1 to go on, or the exit status to return
 * (0 after --help, 1 for an unknown user, 2 for a usage error; the message printed). */
int cpusopts_parse(struct cpusopts *o, int argc, char **argv);
/* An argument the user gave, safe to show in a message (no raw control bytes). */
const char *cpusopts_shown(const char *s, char *buf, size_t len);

#endif
