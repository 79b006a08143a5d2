/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc2.c - what libproc2 gives taskscope: clock ticks, boot time, CPU busy from /proc/stat
 * (the only libproc2 user; tasks are read by our own pass, threads.c) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/misc.h>
#include <libproc2/stat.h>

#include "lib/spare.h"
#include "sample/proc2.h"

struct proc2 {
	struct stat_info *stat;
};

long proc2_hertz(void)
{
	static long hz;

	if (!hz)
		hz = procps_hertz_get();
	return hz > 0 ? hz : 100;
}

static double ts_sec(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

/* The wall clock time of boot as CLOCK_REALTIME minus CLOCK_BOOTTIME, read back to back:
 * /proc/uptime (what this was) has 10 ms steps, and a task's start time is boot plus its
 * start in ticks, so two runs could print a task's START a second apart. Both clocks are
 * the ones /proc/uptime and a task's start time count in (time namespaces included). */
double proc2_boot_time(void)
{
	struct timespec b0, rt, b1;
	double up = 0, idle = 0;

	if (clock_gettime(CLOCK_BOOTTIME, &b0) || clock_gettime(CLOCK_REALTIME, &rt) ||
	    clock_gettime(CLOCK_BOOTTIME, &b1)) {
		procps_uptime(&up, &idle);
		clock_gettime(CLOCK_REALTIME, &rt);
		return ts_sec(&rt) - up;
	}
	return ts_sec(&rt) - (ts_sec(&b0) + ts_sec(&b1)) / 2;
}

int proc2_open(struct proc2 **out)
{
	struct proc2 *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*out = p;
	return 0;
}

/* Free obj, and first the libproc2 handle *st it holds (NULL: none). */
static void free_with_stat(void *obj, struct stat_info **st)
{
	if (*st)
		procps_stat_unref(st);
	free(obj);
}

void proc2_close(struct proc2 *p)
{
	if (p)
		free_with_stat(p, &p->stat);
}

void proc2_free_task_fields(struct task *t)
{
	free(t->comm);
	free(t->cmd);
	free(t->affinity);
}

void proc2_free_tasks(struct task *tasks, size_t ntasks)
{
	for (size_t i = 0; i < ntasks; i++)
		proc2_free_task_fields(&tasks[i]);
	spare_put(tasks);	/* the next sample's rows, without faulting them in again */
}

int proc2_cpu_busy(struct proc2 *p, double *busy)
{
	/* one read of /proc/stat for both values: each separate get would re-read it */
	enum stat_item items[] = { STAT_TIC_SUM_DELTA_TOTAL, STAT_TIC_SUM_DELTA_BUSY };
	struct stat_stack *st;
	long long dt, db;

	if (!p->stat && procps_stat_new(&p->stat) < 0)
		return -ENOMEM;
	st = procps_stat_select(p->stat, items, 2);
	if (!st)
		return -EIO;
	dt = st->head[0].result.sl_int;
	db = st->head[1].result.sl_int;
	if (dt <= 0)
		return -EAGAIN;	/* no tick passed since the last read: nothing to tell */
	*busy = 100.0 * (double)db / (double)dt;
	return 0;
}

struct proc2_cpus {
	struct stat_info *stat;
};

int proc2_cpus_new(struct proc2_cpus **out)
{
	struct proc2_cpus *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	if (procps_stat_new(&c->stat) < 0) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void proc2_cpus_free(struct proc2_cpus *c)
{
	if (c)
		free_with_stat(c, &c->stat);
}

int proc2_cpus_busy(struct proc2_cpus *c, double *all, double *each, int max, int *n)
{
	enum stat_item items[] = { STAT_TIC_ID, STAT_TIC_SUM_DELTA_TOTAL,
				   STAT_TIC_SUM_DELTA_BUSY };
	struct stat_reaped *r;
	long long dt, db;

	*n = 0;
	r = procps_stat_reap(c->stat, STAT_REAP_CPUS_ONLY, items, 3);
	if (!r || !r->summary)
		return -EIO;
	dt = r->summary->head[1].result.sl_int;
	db = r->summary->head[2].result.sl_int;
	*all = dt > 0 ? 100.0 * (double)db / (double)dt : 0.0;
	for (int i = 0; r->cpus && i < r->cpus->total; i++) {
		struct stat_stack *st = r->cpus->stacks[i];
		int id = st->head[0].result.s_int;

		if (id < 0 || id >= max)
			continue;
		while (*n <= id)
			each[(*n)++] = 0.0;
		dt = st->head[1].result.sl_int;
		db = st->head[2].result.sl_int;
		each[id] = dt > 0 ? 100.0 * (double)db / (double)dt : 0.0;
	}
	return 0;
}
