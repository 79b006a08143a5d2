/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recplay.c - a recording read back: each sample's snapshot rebuilt, the replay source */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "lib/util.h"
#include "model/recint.h"
#include "sample/threads.h"

/* ---- reading a sample ---- */

/* The next row of cursor k into its statement: 1 when there is one, 0 at the end, or
 * -errno. A row fetched stays until consumed (row[k] = false). */
static int peek(struct recording *r, enum rec_stmt k)
{
	int rc;

	if (r->row[k])
		return 1;
	if (r->done[k])
		return 0;
	rc = sqlite3_step(r->st[k]);
	if (rc == SQLITE_ROW) {
		r->row[k] = true;
		return 1;
	}
	if (rc == SQLITE_DONE) {
		r->done[k] = true;
		return 0;
	}
	return rec_fail(r, rc);
}

static int cmp_rt(const void *a, const void *b)
{
	const struct rec_rtask *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static struct rec_rtask *find_task(struct recording *r, sqlite3_int64 id)
{
	struct rec_rtask key = { .id = id };

	return r->nrt ? bsearch(&key, r->rt, r->nrt, sizeof(key), cmp_rt) : NULL;
}

static void rtask_free(struct rec_rtask *t)
{
	free(t->v.comm);
	free(t->v.cmd);
	free(t->v.affinity);
	free(t->v.cgroup);
}

/* Tasks that ended before this sample go; the ones that start with it come. */
static int update_tasks(struct recording *r)
{
	size_t n = 0;
	bool sorted = true;
	int rc;

	for (size_t i = 0; i < r->nrt; i++) {
		if (r->rt[i].last_seq < r->seq)
			rtask_free(&r->rt[i]);
		else
			r->rt[n++] = r->rt[i];
	}
	r->nrt = n;
	while ((rc = peek(r, ST_R_TASKS)) == 1) {
		sqlite3_stmt *st = r->st[ST_R_TASKS];
		struct rec_rtask *v, *t;

		if (sqlite3_column_int64(st, 5) > r->seq)
			break;
		r->row[ST_R_TASKS] = false;
		if (sqlite3_column_type(st, 6) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 6) < r->seq)
			continue;	/* over before this sample: samples are missing */
		v = realloc(r->rt, (r->nrt + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->rt = v;
		t = &v[r->nrt++];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(st, 0);
		t->v.tgid = rec_col_int(st, 1, 0, INT32_MAX);
		t->v.tid = rec_col_int(st, 2, 0, INT32_MAX);
		t->v.start_ticks = (uint64_t)sqlite3_column_int64(st, 3);
		t->v.kthread = sqlite3_column_int(st, 4) != 0;
		t->v.cpu = -1;
		t->last_seq = sqlite3_column_type(st, 6) == SQLITE_NULL ? INT64_MAX :
			      sqlite3_column_int64(st, 6);
		if (r->nrt > 1 && t->id <= r->rt[r->nrt - 2].id)
			sorted = false;
	}
	if (!sorted)
		qsort(r->rt, r->nrt, sizeof(*r->rt), cmp_rt);
	return rc < 0 ? rc : 0;
}

/* Rows of cursor k up to this sample, each applied by fn to its task. */
static int apply_rows(struct recording *r, enum rec_stmt k,
		      int (*fn)(struct rec_rtask *t, sqlite3_stmt *st))
{
	int rc;

	while ((rc = peek(r, k)) == 1) {
		sqlite3_stmt *st = r->st[k];
		struct rec_rtask *t;

		if (sqlite3_column_int64(st, 0) > r->seq)
			break;
		r->row[k] = false;
		t = find_task(r, sqlite3_column_int64(st, 1));
		if (t && (rc = fn(t, st)))
			return rc;
	}
	return rc < 0 ? rc : 0;
}

static int set_names(struct rec_rtask *t, sqlite3_stmt *st)
{
	char *comm = rec_text_dup(st, 2), *cmd = rec_text_dup(st, 3);

	if ((!comm && sqlite3_column_type(st, 2) != SQLITE_NULL) ||
	    (!cmd && sqlite3_column_type(st, 3) != SQLITE_NULL)) {
		free(comm);
		free(cmd);
		return -ENOMEM;
	}
	free(t->v.comm);
	free(t->v.cmd);
	t->v.comm = comm;
	t->v.cmd = cmd;
	t->v.cmd_av = rec_col_av(st, 4);
	return 0;
}

static int set_vals(struct rec_rtask *t, sqlite3_stmt *st)
{
	const unsigned char *state = sqlite3_column_text(st, 2);
	char *aff = rec_text_dup(st, 3);
	int i = 4;

	if (!aff && sqlite3_column_type(st, 3) != SQLITE_NULL)
		return -ENOMEM;
	free(t->v.affinity);
	t->v.affinity = aff;
	t->v.state = 0;
	if (state && ((*state >= 'A' && *state <= 'Z') || (*state >= 'a' && *state <= 'z')))
		t->v.state = (char)*state;
	else if (state && *state)
		t->v.state = '?';
#define X(f, col) t->v.f = (__typeof__(t->v.f))sqlite3_column_int64(st, i++);
	REC_VALS(X)
#undef X
	rec_fix_task(&t->v);
	return 0;
}

/* Schema 3: the seldom changing values (with the cgroup's path) ... */
static int set_slow(struct rec_rtask *t, sqlite3_stmt *st)
{
	char *aff = rec_text_dup(st, 2);
	char *cg;
	int i = 3;

	if (!aff && sqlite3_column_type(st, 2) != SQLITE_NULL)
		return -ENOMEM;
#define X(f, col) i++;
	REC_SLOW(X)
#undef X
	cg = rec_text_dup(st, i);
	if (!cg && sqlite3_column_type(st, i) != SQLITE_NULL) {
		free(aff);
		return -ENOMEM;
	}
	free(t->v.affinity);
	t->v.affinity = aff;
	free(t->v.cgroup);
	t->v.cgroup = cg;
	i = 3;
#define X(f, col) t->v.f = (__typeof__(t->v.f))sqlite3_column_int64(st, i++);
	REC_SLOW(X)
#undef X
	rec_fix_task(&t->v);
	return 0;
}

/* ... and the ones that change while it runs, its counters as changes (schema 3 on: run,
 * and work's beside it from 4 on). */
static int set_run(struct rec_rtask *t, sqlite3_stmt *st)
{
	const unsigned char *state = sqlite3_column_text(st, 2);
	int i = 3;

	t->v.state = 0;
	if (state && ((*state >= 'A' && *state <= 'Z') || (*state >= 'a' && *state <= 'z')))
		t->v.state = (char)*state;
	else if (state && *state)
		t->v.state = '?';
#define X(f, col) t->v.f = (__typeof__(t->v.f))sqlite3_column_int64(st, i++);
	REC_RUN_ABS(X)
#undef X
	/* the counters: the change since the task's row before */
	/* (unsigned: wraps, a file may hold anything) */
#define X(f, col) t->v.f += (uint64_t)sqlite3_column_int64(st, i++);
	REC_RUN3_DELTA(X)
#undef X
	rec_fix_task(&t->v);
	return 0;
}

static int cmp_mem(const void *a, const void *b)
{
	const struct rec_wmem *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start > y->start) - (x->start < y->start);
}

/* The footprints recorded with this sample, merged into the ones known. */
static int update_mem(struct recording *r)
{
	struct rec_wmem *add = NULL, *merged;
	size_t nadd = 0, i = 0, j = 0, n = 0;
	int rc;

	while ((rc = peek(r, ST_R_MEMS)) == 1) {
		sqlite3_stmt *st = r->st[ST_R_MEMS];
		struct rec_wmem *v, *m;
		int k = 3;

		if (sqlite3_column_int64(st, 0) > r->seq)
			break;
		r->row[ST_R_MEMS] = false;
		v = realloc(add, (nadd + 1) * sizeof(*v));
		if (!v) {
			free(add);
			return -ENOMEM;
		}
		add = v;
		m = &add[nadd++];
		memset(m, 0, sizeof(*m));
		m->pid = rec_col_int(st, 1, 0, INT32_MAX);
		m->start = (uint64_t)sqlite3_column_int64(st, 2);
#define X(f, col) m->v.f = (__typeof__(m->v.f))sqlite3_column_int64(st, k++);
		REC_MEMS(X)
#undef X
		rec_fix_task(&m->v);
	}
	if (rc < 0 || !nadd) {
		free(add);
		return rc < 0 ? rc : 0;
	}
	qsort(add, nadd, sizeof(*add), cmp_mem);
	merged = malloc((r->nrm + nadd) * sizeof(*merged));
	if (!merged) {
		free(add);
		return -ENOMEM;
	}
	while (i < r->nrm || j < nadd) {
		int c = i == r->nrm ? 1 : j == nadd ? -1 : cmp_mem(&r->rm[i], &add[j]);

		if (c < 0) {
			merged[n++] = r->rm[i++];
		} else {
			if (c == 0)
				i++;
			/* a later row of the same process wins */
			if (n && !cmp_mem(&merged[n - 1], &add[j]))
				n--;
			merged[n++] = add[j++];
		}
	}
	free(add);
	free(r->rm);
	r->rm = merged;
	r->nrm = n;
	return 0;
}

static const struct rec_wmem *find_mem(const struct recording *r, pid_t pid, uint64_t start)
{
	struct rec_wmem key = { .pid = pid, .start = start };

	return r->nrm ? bsearch(&key, r->rm, r->nrm, sizeof(key), cmp_mem) : NULL;
}

static void put_footprint(struct task *t, const struct rec_wmem *m)
{
	if (!m) {
		t->mem_av = t->smaps_av = TS_NA;
		return;
	}
#define X(f, col) t->f = m->v.f;
	REC_MEMS(X)
#undef X
}

static void tasks_free(struct task *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].comm);
		free(t[i].cmd);
		free(t[i].affinity);
		free(t[i].cgroup);
	}
	free(t);
}

static int dup_task(struct task *dst, const struct task *src)
{
	*dst = *src;
	dst->comm = src->comm ? strdup(src->comm) : NULL;
	dst->cmd = src->cmd ? strdup(src->cmd) : NULL;
	dst->affinity = src->affinity ? strdup(src->affinity) : NULL;
	dst->cgroup = src->cgroup ? strdup(src->cgroup) : NULL;
	if ((src->comm && !dst->comm) || (src->cmd && !dst->cmd) ||
	    (src->affinity && !dst->affinity) || (src->cgroup && !dst->cgroup))
		return -ENOMEM;
	return 0;
}

/* The thread rows of this sample, sorted, each with its process's last footprint. */
static int thread_rows(struct recording *r, struct task **out, size_t *nout)
{
	struct task *t = calloc(r->nrt ? r->nrt : 1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < r->nrt; i++) {
		if (dup_task(&t[i], &r->rt[i].v)) {
			tasks_free(t, i + 1);
			return -ENOMEM;
		}
	}
	qsort(t, r->nrt, sizeof(*t), threads_cmp_row);
	for (size_t i = 0; i < r->nrt; ) {
		size_t end = i;
		const struct rec_wmem *m = NULL;

		while (end < r->nrt && t[end].tgid == t[i].tgid) {
			if (t[end].tid == t[end].tgid)
				m = find_mem(r, t[end].tgid, t[end].start_ticks);
			end++;
		}
		for (size_t k = i; k < end; k++)
			put_footprint(&t[k], m);
		i = end;
	}
	*out = t;
	*nout = r->nrt;
	return 0;
}

/* Process rows folded from sorted thread rows: the main thread's values, the sums of
 * the threads' counters (a thread that ended took its share with it). */
static int process_rows(const struct task *th, size_t nth, struct task **out, size_t *nout)
{
	struct task *p = calloc(nth ? nth : 1, sizeof(*p));
	size_t n = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < nth; ) {
		size_t end = i, lead = i;
		struct task *row = &p[n];

		while (end < nth && th[end].tgid == th[i].tgid) {
			if (th[end].tid == th[end].tgid)
				lead = end;
			end++;
		}
		if (dup_task(row, &th[lead])) {
			tasks_free(p, n + 1);
			return -ENOMEM;
		}
		n++;
		row->tid = row->tgid;
		row->nlwp = (int)(end - i);
		row->whole = true;
		row->aff_differs = false;
		row->utime_ticks = row->stime_ticks = row->minflt = row->majflt = 0;
		row->vctx = row->ictx = row->migrations = row->run_ns = row->wait_ns = 0;
		for (size_t k = i; k < end; k++) {
			const struct task *t = &th[k];

			row->utime_ticks += t->utime_ticks;
			row->stime_ticks += t->stime_ticks;
			row->minflt += t->minflt;
			row->majflt += t->majflt;
			row->vctx += t->vctx;
			row->ictx += t->ictx;
			row->migrations += t->migrations;
			row->run_ns += t->run_ns;
			row->wait_ns += t->wait_ns;
		}
		row->cpu_ticks = row->utime_ticks + row->stime_ticks;
		i = end;
	}
	*out = p;
	*nout = n;
	return 0;
}

/* The memory snapshot of this sample: a row per process with a footprint. */
static int memory_rows(struct recording *r, const struct snapshot *sn, struct snapshot **out)
{
	struct task *p = calloc(sn->ntasks ? sn->ntasks : 1, sizeof(*p));
	size_t n = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		const struct rec_wmem *m;

		if (t->tid != t->tgid && sn->threads)
			continue;
		m = find_mem(r, t->tgid, t->start_ticks);
		if (!m)
			continue;
		if (dup_task(&p[n], t)) {
			tasks_free(p, n + 1);
			return -ENOMEM;
		}
		put_footprint(&p[n], m);
		n++;
	}
	*out = snapshot_build(p, n, false, sn->mono, sn->wall, sn->interval, NULL);
	return *out ? 0 : -ENOMEM;
}

/* Footprints of processes no longer there are forgotten. */
static void prune_mem(struct recording *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nrm; i++) {
		bool alive = false;

		for (size_t k = 0; k < r->nrt && !alive; k++)
			alive = r->rt[k].v.tid == r->rm[i].pid && r->rt[k].v.tgid == r->rm[i].pid &&
				r->rt[k].v.start_ticks == r->rm[i].start;
		if (alive)
			r->rm[n++] = r->rm[i];
	}
	r->nrm = n;
}

static int read_sample(struct recording *r, bool *memory, double *cpu_busy, size_t *ndenied,
		       double *wall, double *mono, double *interval)
{
	sqlite3_stmt *st = r->st[ST_R_SAMPLES];
	sqlite3_int64 seq;
	int rc = peek(r, ST_R_SAMPLES);

	if (rc <= 0)
		return rc < 0 ? rc : -ENODATA;
	r->row[ST_R_SAMPLES] = false;
	seq = sqlite3_column_int64(st, 0);
	if (seq <= r->seq) {
		rec_set_error(r, "sample %lld after sample %lld", (long long)seq,
			      (long long)r->seq);
		return -EBADMSG;
	}
	r->seq = seq;
	*wall = rec_col_real(st, 1, 0, 1e11);
	*mono = rec_col_real(st, 2, 0, 1e11);
	*interval = rec_col_real(st, 3, 0, 1e9);
	*cpu_busy = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : rec_col_real(st, 4, -1, 100);
	*ndenied = (size_t)rec_col_int(st, 5, 0, INT32_MAX);
	*memory = sqlite3_column_int(st, 6) != 0;
	return 0;
}

int recording_next(struct recording *r, const struct snapshot **sn, const struct snapshot **mem)
{
	for (;;) {
		struct task *th = NULL, *rows;
		size_t nth = 0, nrows;
		struct snapshot *cur, *m = NULL;
		double cpu_busy, wall, mono, interval;
		size_t ndenied;
		bool memory;
		int rc;

		snapshot_put(r->curmem);
		r->curmem = NULL;
		rc = read_sample(r, &memory, &cpu_busy, &ndenied, &wall, &mono, &interval);
		if (!rc && r->to > 0 && wall > r->to)
			rc = -ENODATA;
		if (!rc)
			rc = update_tasks(r);
		if (!rc)
			rc = apply_rows(r, ST_R_NAMES, set_names);
		if (!rc)
			rc = apply_rows(r, ST_R_VALS, r->schema < 3 ? set_vals : set_slow);
		if (!rc)
			rc = apply_rows(r, ST_R_RUNS, set_run);
		if (!rc)
			rc = update_mem(r);
		if (!rc && memory)
			prune_mem(r);
		if (!rc)
			rc = thread_rows(r, &th, &nth);
		if (!rc && r->processes) {
			rc = process_rows(th, nth, &rows, &nrows);
			tasks_free(th, nth);
			th = NULL;
		} else {
			rows = th;
			nrows = nth;
		}
		if (rc) {
			if (!*r->err)
				rec_set_error(r, "%s", strerror(-rc));
			return rc;
		}
		cur = snapshot_build(rows, nrows, !r->processes, mono, wall, interval, r->prev);
		if (!cur)
			return -ENOMEM;
		cur->cpu_busy = cpu_busy;
		cur->ndenied = ndenied;
		snapshot_put(r->prev);
		r->prev = cur;
		if (memory) {
			rc = memory_rows(r, cur, &m);
			if (rc)
				return rc;
			r->curmem = m;
		}
		if (r->from > 0 && wall < r->from)
			continue;
		*sn = cur;
		*mem = m;
		return 0;
	}
}

void recording_rewind(struct recording *r)
{
	for (int k = ST_R_SAMPLES; k <= ST_R_MEMS; k++) {
		if (r->st[k])
			sqlite3_reset(r->st[k]);
		r->row[k] = r->done[k] = false;
	}
	for (size_t i = 0; i < r->nrt; i++)
		rtask_free(&r->rt[i]);
	r->nrt = 0;
	r->nrm = 0;
	snapshot_put(r->prev);
	snapshot_put(r->curmem);
	r->prev = r->curmem = NULL;
	r->seq = 0;
	r->err[0] = '\0';
}

int recording_fold(const struct snapshot *threads, const struct snapshot *prev,
		   const struct snapshot **out)
{
	struct task *rows;
	size_t n;
	struct snapshot *p;
	int rc = process_rows(threads->tasks, threads->ntasks, &rows, &n);

	if (rc)
		return rc;
	p = snapshot_build(rows, n, false, threads->mono, threads->wall, threads->interval, prev);
	if (!p)
		return -ENOMEM;
	p->cpu_busy = threads->cpu_busy;
	p->ndenied = threads->ndenied;
	*out = p;
	return 0;
}

static int take(void *arg, const struct snapshot **sn, const struct snapshot **mem)
{
	struct recording *r = arg;
	int rc = recording_next(r, sn, mem);

	if (rc && rc != -ENODATA)
		msg_error("the recording '%s' cannot be read: %s", r->path,
			  *r->err ? r->err : strerror(-rc));
	return rc;
}

const struct source_ops recording_source_ops = {
	.name = "replay stopped",
	.take = take,
};
