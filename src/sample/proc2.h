/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc2.h - what libproc2 gives taskscope: clock ticks, boot time, CPU busy from /proc/stat
 * (the only libproc2 user; tasks are read by our own pass, threads.c) */
#ifndef TASKSCOPE_PROC2_H
#define TASKSCOPE_PROC2_H

#include <stddef.h>
#include <sys/types.h>
#include "sample/task.h"

struct proc2;

/* Light per-process record used to resolve targets (command names, descendants), from
 * threads_list_processes(). */
struct proc2_light {
	pid_t pid;
	pid_t ppid;
	uid_t euid;
	uint64_t start_ticks;
	char comm[64];		/* raw, NOT sanitized: for matching only, never output */
};

/* The live /proc's system-wide counters (libproc2 reads /proc itself). */
int proc2_open(struct proc2 **out);
void proc2_close(struct proc2 *p);

/* Free rows of a task scan (strings malloc'ed per row). */
void proc2_free_tasks(struct task *tasks, size_t ntasks);
/* What one task owns (its comm, cmd and affinity), not the task itself. */
void proc2_free_task_fields(struct task *t);

/* Busy % of all CPUs since the previous call (first call: since boot). */
int proc2_cpu_busy(struct proc2 *p, double *busy);

/* Busy % of each CPU and of all CPUs, from its own reading of /proc/stat (so the
 * snapshot's proc2_cpu_busy deltas are not disturbed). Each call covers the time since the
 * previous one (the first: since boot). each[i] for CPU number i, up to max entries; *n is
 * one past the highest CPU seen (offline CPUs in between read 0). */
struct proc2_cpus;
int proc2_cpus_new(struct proc2_cpus **out);
void proc2_cpus_free(struct proc2_cpus *c);
int proc2_cpus_busy(struct proc2_cpus *c, double *all, double *each, int max, int *n);

long proc2_hertz(void);
/* boot time, seconds since the epoch */
double proc2_boot_time(void);

#endif
