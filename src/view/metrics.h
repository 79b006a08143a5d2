/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.h - the exporter's model: samples summed into groups, counters carried over for
 * tasks that exited, and the exposition text (Prometheus 0.0.4 or OpenMetrics 1.0)
 *
 * metrics_update() takes each sample (and the memory sample when one came with it);
 * metrics_render() writes the text of everything known so far. Neither reads /proc, neither
 * locks: the caller (the serve sink) publishes the rendered text for the HTTP thread.
 */
#ifndef TASKSCOPE_METRICS_H
#define TASKSCOPE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

enum metrics_group_by {
	MG_COMM,	/* the process name (kernel threads by the name before '/') */
	MG_USER,	/* the effective user's name */
	MG_EXE,		/* the base name of the first word of the command line */
	MG_CGROUP,	/* the CGROUP column's path ("-" when unknown) */
};

/* Metric names and labels: taskscope's own, or process-exporter 0.7's for what both have. */
enum metrics_compat {
	MC_NONE,
	MC_PROCESS_EXPORTER,
};

struct groupcfg;
struct cpumap;

struct metrics_opts {
	enum metrics_group_by group_by;	/* of the processes no rule names a group for */
	const struct groupcfg *rules;	/* --group-config, or NULL */
	enum metrics_compat compat;
	unsigned top;		/* per-process series for the N processes with the largest RSS */
	bool all_pids;		/* per-process series for every target (-p) */
	double group_keep;	/* seconds a group with no process left keeps its series */
	const struct cpumap *cpus;	/* NUMA node of each CPU (NULL: unknown) */
	int ncpus;		/* CPUs 0 .. ncpus-1 (configured): per-CPU series for these */
	int online;		/* CPUs online: a thread allowed fewer is pinned */
	bool threads;		/* --threads: series per thread name within each group */
	bool no_spaces;		/* no kcmp (it asks this machine's kernel: not for a
				 * --proc-root tree's processes): a group whose processes
				 * would need it has no address space count */
};

/* One sample as the exporter takes it (the session's frame). */
struct metrics_input {
	const struct snapshot *sn;	/* process rows */
	const struct snapshot *mem;	/* its memory sample, or NULL when none was due */
	const struct snapshot *thr;	/* its thread sample, or NULL when none was taken */
	bool thr_due;		/* one was due: thr NULL means it failed (the placement is
				 * unknown); not due, the last thread sample's values stay */
	double took, took_thr, took_mem;	/* seconds the three cost (took: all of them) */
};

struct metrics;

int metrics_new(struct metrics **out, const struct metrics_opts *o);
void metrics_free(struct metrics *m);

/* Add a sample. 0 or -ENOMEM. Address spaces are counted with kcmp(2) when the sample has
 * a memory sample (the one thing here that asks the kernel: tasks of the memory sample),
 * but with no_spaces (then a group that needs it has no such series). */
int metrics_update(struct metrics *m, const struct metrics_input *in);

/* The exposition text of the last update (malloc'ed, *len its length, without OpenMetrics's
 * final "# EOF" line so that the server can append its own lines). 0 or -ENOMEM. */
int metrics_render(const struct metrics *m, bool openmetrics, char **text, size_t *len);

/* Label value escaping of the exposition formats (backslash, double quote, newline):
 * writes at most len - 1 bytes and a NUL; returns the length it needed. */
size_t metrics_escape_label(const char *s, char *buf, size_t len);

/* The group name of a process row under group_by (into buf, or a pointer into t's strings). */
const char *metrics_group_of(enum metrics_group_by by, const struct task *t, char *buf,
			     size_t len);

#endif
