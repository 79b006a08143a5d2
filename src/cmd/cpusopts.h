/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusopts.h - the command line of taskscope cpus: usage, option parsing, messages */
#ifndef TASKSCOPE_CPUSOPTS_H
#define TASKSCOPE_CPUSOPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "cmd/options.h"

#define CPUSOPTS_DEF_RATE	100
#define CPUSOPTS_DEF_TIME	5.0
#define CPUSOPTS_MAX_TIME	86400.0

struct cpusopts {
	unsigned rate;		/* samples a second */
	double time;		/* seconds to sample */
	bool time_set;		/* -t given (with a command: else until it ends) */
	bool rate_set;		/* --rate given */
	const char *svg;
	char *proc_root[16];	/* --proc-root DIR...: each tree one sample, no live threads */
	size_t nproc_root;
	const char *recording;	/* cpus FILE, --recording FILE: the samples of a recording */
	const char *from, *to;	/* --from, --to: of the recording (recording_parse_time) */
	struct common_opts co;	/* targets, -J, -r, --output-file, --run-as, -- command */
};

void cpusopts_usage(FILE *out);
/* Parse argv (argv[0] is "cpus") into o (common_free(&o->co) after it): -1 to go on, or the exit status to return
 * (0 after --help, 1 for an unknown user, 2 for a usage error; the message printed). */
int cpusopts_parse(struct cpusopts *o, int argc, char **argv);
/* An argument the user gave, safe to show in a message (no raw control bytes). */
const char *cpusopts_shown(const char *s, char *buf, size_t len);

#endif
