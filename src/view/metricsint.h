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
	G_PINNED, G_OFF_AFFINITY, G_ALLOWED_CPUS,	/* from the thread sample */
	G_PSS, G_USS, G_SHARED, G_SWAP, G_PTE, G_SWAP_PSS, G_SPACES,
	NG
};
#define G_FIRST_THR G_PINNED
#define G_FIRST_MEM G_PSS

/* A group, or (in the thread-name table) a group's threads of one name. */
struct group {
	char *name;		/* thread names: "GROUP\x1fTHREAD" (a comm has no \x1f) */
	size_t split;		/* thread names: the length of GROUP */
	uint64_t c[NC];		/* increments seen since the group appeared */
	uint64_t g[NG];
	double last_seen;	/* monotonic seconds of the last sample it had a process in */
	uint32_t *on_cpu;	/* threads by the CPU they last ran on (ncpus), or NULL */
	uint64_t *allowed;	/* the union of its threads' affinities (a bit per CPU) */
	unsigned tnames;	/* its entries in the thread-name table */
	bool spaces_known;	/* g[G_SPACES] was counted at the last memory sample */
};

/* Groups by name: open addressing over v by name (-1 empty). */
struct gtable {
	struct group *v;
	size_t n, cap;
	int *index;
	size_t imask;
};

/* What a task's counters were at the last sample: increments are counted against it. */
struct pstate {
	pid_t tgid, tid;
	uint64_t start;
	uint64_t c[NC];
	unsigned have;		/* bits (1 << C_*) of the values known */
	size_t group;		/* its group's index during an update */
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
	struct gtable g;	/* the groups */
	struct gtable t;	/* --threads: the groups' threads by name */
	struct pstate *ps;	/* process rows of the last sample, by PID */
	size_t nps;
	struct pstate *ts;	/* --threads: thread rows of the last thread sample */
	size_t nts;
	int ncpus;		/* CPUs 0 .. ncpus-1 exist (per-CPU series) */
	size_t words;		/* of a group's allowed bitmap */
	struct pmem *pm;
	size_t npm;
	struct pseries *series;
	size_t nseries;
	long hz;
	/* self */
	uint64_t samples, mem_samples, thr_samples;
	double sample_wall, mem_wall, thr_wall, took, nprocs, nthreads;
	double read_s[3];	/* seconds spent reading /proc: tasks, threads, memory */
	bool mem_known, thr_known;
	struct metrics_cgroup *cg;	/* --group-by cgroup: the cgroups' own values */
	uint32_t *cpu_tasks;	/* threads by the CPU they last ran on, all groups */
};

/* metrics.c */
struct group *metrics_group_get(struct metrics *m, struct gtable *tb, const char *name);
struct group *metrics_group_find(const struct gtable *tb, const char *name);
void metrics_count_task(struct group *g, const struct task *t, const struct pstate *prev,
			struct pstate *ns);
const struct pstate *metrics_prev_of(const struct pstate *old, size_t nold, size_t *j,
				     const struct task *t);
int metrics_table_expire(struct gtable *tb, double keep, double now, bool by_procs);
/* metricsplace.c: the thread sample (placement, thread names), address spaces */
int metrics_update_threads(struct metrics *m, const struct snapshot *thr, bool due, double now);
int metrics_count_spaces(struct metrics *m, const struct snapshot *mem, const size_t *gi);

#endif
