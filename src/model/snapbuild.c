/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapbuild.c - a snapshot as an object: made from rows, held and put by reference, its
 * counts and the deltas against the previous one */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "lib/spare.h"
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

/* What a later sample's deltas need of a row: its identity and its counters (88 bytes, not
 * the row's 392: the sampler keeps these of its last sample, not the rows). */
struct base_row {
	pid_t tgid, tid;
	bool whole;
	enum ts_avail ctxsw_av, sched_av, schedstat_av;
	uint64_t start_ticks, cpu_ticks, minflt, majflt, vctx, ictx, migrations, run_ns, wait_ns;
};

struct snapshot_base {
	double mono, wall;
	size_t n;
	struct base_row *v;	/* sorted by (tgid, tid) */
};

static int base_cmp(const void *a, const void *b)
{
	const struct base_row *x = a, *y = b;

	return UTIL_CMP2(x->tgid, y->tgid, x->tid, y->tid);
}

struct snapshot_base *snapshot_base_of(const struct snapshot *sn)
{
	struct snapshot_base *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->mono = sn->mono;
	b->wall = sn->wall;
	if (sn->ntasks) {
		/* from spare: the same size every sample, no page faulted in again */
		b->v = spare_get(sn->ntasks * sizeof(*b->v), NULL);
		if (!b->v) {
			free(b);
			return NULL;
		}
	}
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];

		b->v[i] = (struct base_row){
			.tgid = t->tgid, .tid = t->tid, .whole = t->whole,
			.ctxsw_av = t->ctxsw_av, .sched_av = t->sched_av,
			.schedstat_av = t->schedstat_av, .start_ticks = t->start_ticks,
			.cpu_ticks = t->cpu_ticks, .minflt = t->minflt, .majflt = t->majflt,
			.vctx = t->vctx, .ictx = t->ictx, .migrations = t->migrations,
			.run_ns = t->run_ns, .wait_ns = t->wait_ns };
	}
	b->n = sn->ntasks;
	if (!threads_sorted(sn->tasks, sn->ntasks))
		qsort(b->v, b->n, sizeof(*b->v), base_cmp);
	return b;
}

void snapshot_base_free(struct snapshot_base *b)
{
	if (!b)
		return;
	spare_put(b->v);
	free(b);
}

double snapshot_base_mono(const struct snapshot_base *b)
{
	return b->mono;
}

/* The row of base with t's (tgid, tid), or NULL. The rows in order (walk): *j where the last
 * one was found, else a binary search. */
static const struct base_row *base_row_of(const struct snapshot_base *b, bool walk, size_t *j,
					  const struct task *t)
{
	struct base_row key = { .tgid = t->tgid, .tid = t->tid };

	if (!b || !b->n)
		return NULL;
	if (!walk)
		return bsearch(&key, b->v, b->n, sizeof(key), base_cmp);
	while (*j < b->n && base_cmp(&b->v[*j], &key) < 0)
		(*j)++;
	return *j < b->n && !base_cmp(&b->v[*j], &key) ? &b->v[*j] : NULL;
}

void snapshot_deltas_base(struct snapshot *cur, const struct snapshot_base *prev)
{
	double hz = (double)sampler_hertz();
	/* the base is sorted; so are samples, as a rule: one walk, not a search for each row */
	bool walk = prev && threads_sorted(cur->tasks, cur->ntasks);
	size_t j = 0;

	for (size_t i = 0; i < cur->ntasks; i++) {
		struct task *t = &cur->tasks[i];
		const struct base_row *o = base_row_of(prev, walk, &j, t);

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

int snapshot_deltas(struct snapshot *cur, const struct snapshot *prev)
{
	struct snapshot_base *b = NULL;

	if (prev && !(b = snapshot_base_of(prev)))
		return -ENOMEM;
	snapshot_deltas_base(cur, b);
	snapshot_base_free(b);
	return 0;
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
	if (snapshot_deltas(sn, prev)) {
		snapshot_put(sn);
		return NULL;
	}
	return sn;
}
