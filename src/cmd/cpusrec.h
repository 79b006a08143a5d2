/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusrec.h - taskscope cpus FILE: the placement timeline of a recording's samples */
#ifndef TASKSCOPE_CPUSREC_H
#define TASKSCOPE_CPUSREC_H

#include <stdbool.h>

struct cpusopts;
struct cpumap;
struct placewatch;

struct cpusrec_result {
	char what[640];		/* "recording 'FILE' (targets on host)" */
	unsigned rate;		/* samples a second, rounded (at least 1) */
	double period;		/* the recorded interval, seconds */
	unsigned long samples;	/* samples read (in --from/--to) */
	double first, last;	/* their wall clock times */
	bool schedstat;		/* run and run-queue times were recorded */
	char host[72], kernel[72];	/* the recording machine's ("" when not recorded) */
	const char *stopped;	/* why the timeline stopped before the end, or NULL */
};

/* Read o->recording's samples (o->from to o->to, the targets' threads) into a new
 * placement timeline *pw, and its CPU topology into *topo (NULL when not recorded).
 * 0, or 1 with the message printed. */
int cpusrec_load(const struct cpusopts *o, struct placewatch **pw, struct cpumap **topo,
		 struct cpusrec_result *res);

#endif
