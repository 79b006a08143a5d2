/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapbuild.c - a snapshot as an object: made from rows, held and put by reference, its
 * counts and the deltas against the previous one */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "lib/util.h"
#include "model/snapshot.h"
#include "sample/proc2.h"
#include "sample/threads.h"

static void snapshot_free(struct snapshot *sn)
{
	if (!sn)
		return;
	for (size_t i = 0; i < sn->ntasks; i++) {
		free(sn->tasks[i].node_mem);
		free(sn->tasks[i].cgroup);
	}
	for (size_t i = 0; i < sn->ncgroups; i++)
		free(sn->cgroups[i].name);
	free(sn->cgroups);
	proc2_free_tasks(sn->tasks, sn->ntasks);
	free(sn);
}

const struct snapshot *snapshot_hold(const struct snapshot *sn)
{
	if (sn)
		atomic_fetch_add(&((struct snapshot *)sn)->refs, 1);
	return sn;
}

void snapshot_put(const struct snapshot *sn)
{
	struct snapshot *s = (struct snapshot *)sn;

	if (s && atomic_fetch_sub(&s->refs, 1) == 1)
		snapshot_free(s);
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : 0;
}

/* The row of prev with t's (tgid, tid), or NULL. Both sorted (walk, the rows in order, *j
 * where the last one was), else a binary search. */
static const struct task *prev_row(const struct snapshot *prev, bool walk, size_t *j,
				   const struct task *t)
{
	if (!prev || !prev->ntasks)
		return NULL;
	if (!walk)
		return bsearch(t, prev->tasks, prev->ntasks, sizeof(*t), threads_cmp_row);
	while (*j < prev->ntasks && threads_cmp_row(&prev->tasks[*j], t) < 0)
		(*j)++;
	return *j < prev->ntasks && !threads_cmp_row(&prev->tasks[*j], t) ? &prev->tasks[*j] : NULL;
}

void snapshot_deltas(struct snapshot *cur, const struct snapshot *prev)
{
	double hz = (double)sampler_hertz();
	/* both sorted, as samples are: one walk through prev, not a search for each row */
	bool walk = prev && threads_sorted(cur->tasks, cur->ntasks) &&
		    threads_sorted(prev->tasks, prev->ntasks);
	size_t j = 0;

	for (size_t i = 0; i < cur->ntasks; i++) {
		struct task *t = &cur->tasks[i];
		const struct task *o = prev_row(prev, walk, &j, t);

		if (o && (o->start_ticks != t->start_ticks || o->whole != t->whole))
			o = NULL;	/* a reused TID is another task; a changed source no delta */
		if (!o && prev) {
			/* new since the previous sample: everything it did, it did in the interval */
			double born = sampler_boot_time() + (double)t->start_ticks / hz;

			if (born + 1.0 / hz < prev->wall)
				continue;	/* older but not seen before (e.g. just targeted) */
		}
		if (!prev || cur->interval <= 0)
			continue;
		t->have_delta = true;
		/* CPU time comes in clock ticks: over less than two ticks a single tick would
		 * read as hundreds of percent, so such an interval gives no PCPU */
		t->have_pcpu = cur->interval >= 2.0 / hz;
		t->pcpu = 100.0 * (double)delta(t->cpu_ticks, o ? o->cpu_ticks : 0) / hz /
			  cur->interval;
		t->d_minflt = delta(t->minflt, o ? o->minflt : 0);
		t->d_majflt = delta(t->majflt, o ? o->majflt : 0);
		if (t->ctxsw_av == TS_OK && (!o || o->ctxsw_av == TS_OK)) {
			t->d_vctx = delta(t->vctx, o ? o->vctx : 0);
			t->d_ictx = delta(t->ictx, o ? o->ictx : 0);
		}
		if (t->sched_av == TS_OK && (!o || o->sched_av == TS_OK))
			t->d_migr = delta(t->migrations, o ? o->migrations : 0);
		if (t->schedstat_av == TS_OK && (!o || o->schedstat_av == TS_OK)) {
			t->d_run_ns = delta(t->run_ns, o ? o->run_ns : 0);
			t->d_wait_ns = delta(t->wait_ns, o ? o->wait_ns : 0);
		}
	}
}

/* Processes, threads and the RSS sum of sn's rows. */
void snapshot_recount(struct snapshot *sn)
{
	sn->nprocs = 0;
	sn->nthreads = 0;
	sn->total_rss = 0;
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];

		if (!sn->threads || t->tid == t->tgid) {
			sn->nprocs++;
			if (t->rss_av == TS_OK)
				sn->total_rss += t->rss;
		}
		sn->nthreads += sn->threads ? 1 : (size_t)(t->nlwp > 0 ? t->nlwp : 1);
	}
}

struct snapshot *snapshot_build(struct task *tasks, size_t ntasks, bool threads, double mono,
				double wall, double interval, const struct snapshot *prev)
{
	struct snapshot *sn = calloc(1, sizeof(*sn));

	if (!sn) {
		proc2_free_tasks(tasks, ntasks);
		return NULL;
	}
	atomic_init(&sn->refs, 1);
	sn->threads = threads;
	sn->mono = mono;
	sn->wall = wall;
	sn->interval = interval;
	sn->tasks = tasks;
	sn->ntasks = ntasks;
	sn->cpu_busy = -1;
	sn->nthreads_known = true;
	qsort(sn->tasks, sn->ntasks, sizeof(*sn->tasks), threads_cmp_row);
	snapshot_recount(sn);
	snapshot_deltas(sn, prev);
	return sn;
}
