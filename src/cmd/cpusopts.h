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

#define CPUSOPTS_ACCEPT (CO_TARGETS | CO_FORMAT | CO_OUTPUT_FILE | CO_JOB | CO_BARE_PIDS)

/* The parts of cpus's struct cmd_spec (src/cmd/options.h) that are its command line. */
void cpusopts_usage(FILE *out);
extern const struct cmd_option cpusopts_options[];
/* FILE among the options: a recording when it exists and does not start with a digit. */
bool cpusopts_bare(void *ctx, int argc, char **argv);
/* What cannot go together (a recording, --proc-root), and --proc-root's default rate. */
int cpusopts_check(void *ctx);

#endif
