/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metricsint.h - the exporter's internal state, shared by its update and rendering halves */
#ifndef TASKSCOPE_METRICSINT_H
#define TASKSCOPE_METRICSINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "view/metrics.h"

/* The counters of a process, summed into its group as increments. */
enum {
	C_UTIME, C_STIME,	/* clock ticks */
	C_VCTX, C_ICTX, C_MINFLT, C_MAJFLT, C_MIGR,
	C_WAIT,			/* nanoseconds */
	NC
};

/* Gauges of a group: the cheap ones from every sample, the memory ones from the last
 * memory sample. */
enum {
	G_PROCS, G_THREADS, G_RSS, G_VSZ,
	G_PSS, G_USS, G_SHARED, G_SWAP, G_PTE, G_SWAP_PSS,
	NG
};
#define G_FIRST_MEM G_PSS

struct group {
	char *name;
	uint64_t c[NC];		/* increments seen since the group appeared */
	uint64_t g[NG];
	double last_seen;	/* monotonic seconds of the last sample it had a process in */
};

/* What a process's counters were at the last sample: increments are counted against it. */
struct pstate {
	pid_t tgid;
	uint64_t start;
	uint64_t c[NC];
	unsigned have;		/* bits (1 << C_*) of the values known */
};

/* A process shown with its own series (--top, -p). */
struct pseries {
	pid_t pid;
	char *comm;
	uint64_t utime, stime, rss, threads;
	bool have_mem;
	uint64_t pss, uss;
};

/* The footprint of a process at the last memory sample, for its own series. */
struct pmem {
	pid_t tgid;
	uint64_t start, pss, uss;
};

struct metrics {
	struct metrics_opts o;
	struct group *groups;
	size_t ngroups, cgroups;
	int *index;		/* open addressing over groups by name: -1 empty */
	size_t imask;
	struct pstate *ps;
	size_t nps;
	struct pmem *pm;
	size_t npm;
	struct pseries *series;
	size_t nseries;
	long hz;
	/* self */
	uint64_t samples, mem_samples;
	double sample_wall, mem_wall, took, nprocs, nthreads;
	bool mem_known;
};

#endif
