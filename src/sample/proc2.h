/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc2.h - task enumeration and standard fields through libproc2 (the only libproc2 user) */
#ifndef TASKSCOPE_PROC2_H
#define TASKSCOPE_PROC2_H

#include <stddef.h>
#include <sys/types.h>
#include "sample/task.h"

struct proc2;

/* Which tasks a scan returns. */
struct proc2_select {
	const pid_t *tgids;	/* NULL: every process */
	size_t ntgids;
};

/* Light per-process record used to resolve targets (command names, descendants). */
struct proc2_light {
	pid_t pid;
	pid_t ppid;
	uid_t euid;
	uint64_t start_ticks;
	char comm[64];		/* raw, NOT sanitized: for matching only, never output */
};

/* readers: RD_* bits the views need; without RD_STAT the process pass reads no stat file
 * (rows then carry only PID, TID and the EUID, with no start time) */
int proc2_open(struct proc2 **out, unsigned readers);
void proc2_close(struct proc2 *p);

/* A row per process (PIDS_FETCH_TASKS_ONLY: /proc/PID/stat, the whole process's values),
 * with the per-process items the readers ask for. Rows are malloc'ed into *tasks, sorted by
 * tgid (strings malloc'ed per row; free with proc2_free_tasks). */
int proc2_scan(struct proc2 *p, const struct proc2_select *sel, struct task **tasks,
	       size_t *ntasks);
/* Fill the per-process items (the command line) into rows sorted by
 * (tgid, tid), e.g. the thread rows of threads_scan(); rows are matched by (tgid, start). */
int proc2_add_process_items(struct proc2 *p, const struct proc2_select *sel,
			    struct task *tasks, size_t n);
void proc2_free_tasks(struct task *tasks, size_t ntasks);

/* Every process, stat only: pid, ppid, euid, start time, comm. */
int proc2_scan_light(struct proc2 *p, struct proc2_light **out, size_t *n);

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
