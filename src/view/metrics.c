/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c - the exporter's groups and their counters, kept monotonic across exits */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/columns.h"
#include "view/groupcfg.h"
#include "view/metrics_cgroup.h"
#include "view/metricsint.h"

/* ---- group names ---------------------------------------------------------------------- */

const char *metrics_group_of(enum metrics_group_by by, const struct task *t, char *buf,
			     size_t len)
{
	const char *s, *end;
	size_t n;

	switch (by) {
	case MG_CGROUP:
		return t->cgroup_av == TS_OK && t->cgroup ? t->cgroup : "-";
	case MG_USER: {
		const struct column *col = columns_find("USER");
		struct col_ctx ctx = { 0 };
		struct cell c = { .av = TS_OK };

		col->get(&ctx, t, &c);
		if (c.av != TS_OK || !c.s) {
			snprintf(buf, len, "%u", (unsigned)t->euid);
			return buf;
		}
		snprintf(buf, len, "%s", c.s);
		return buf;
	}
	case MG_EXE:
		if (t->cmd && *t->cmd && !t->kthread) {
			/* the first word of the command line, its last path component */
			end = strchr(t->cmd, ' ');
			n = end ? (size_t)(end - t->cmd) : strlen(t->cmd);
			s = t->cmd;
			for (size_t i = 0; i < n; i++)
				if (t->cmd[i] == '/' && i + 1 < n)
					s = t->cmd + i + 1;
			n -= (size_t)(s - t->cmd);
			if (n >= len) {	/* cut on a character boundary */
				n = len - 1;
				while (n && (s[n] & 0xc0) == 0x80)
					n--;
			}
			snprintf(buf, len, "%.*s", (int)n, s);
			return buf;
		}
		/* no command line (kernel threads, zombies): the name */
		__attribute__((fallthrough));
	case MG_COMM:
	default:
		s = t->comm ? t->comm : "";
		/* kworker/0:1-events, ksoftirqd/1: one group per kind of kernel thread */
		if (t->kthread && (end = strchr(s, '/')) && end > s) {
			snprintf(buf, len, "%.*s", (int)(end - s), s);
			return buf;
		}
		snprintf(buf, len, "%s", s);
		return buf;
	}
}

/* The group of t: the first --group-config rule that matches, else by group_by. */
static const char *group_name(const struct metrics *m, const struct task *t, char *buf,
			      size_t len)
{
	const char *name = m->o.rules ? groupcfg_match(m->o.rules, t) : NULL;

	return name ? name : metrics_group_of(m->o.group_by, t, buf, len);
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int index_rebuild(struct gtable *tb, size_t want)
{
	size_t cap = 64;
	int *ix;

	while (cap < 2 * want)
		cap *= 2;
	ix = malloc(cap * sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		ix[i] = -1;
	for (size_t i = 0; i < tb->n; i++) {
		size_t h = name_hash(tb->v[i].name) & (cap - 1);

		while (ix[h] >= 0)
			h = (h + 1) & (cap - 1);
		ix[h] = (int)i;
	}
	free(tb->index);
	tb->index = ix;
	tb->imask = cap - 1;
	return 0;
}

struct group *metrics_group_find(const struct gtable *tb, const char *name)
{
	size_t h = name_hash(name) & tb->imask;

	for (; tb->index[h] >= 0; h = (h + 1) & tb->imask)
		if (!strcmp(tb->v[tb->index[h]].name, name))
			return &tb->v[tb->index[h]];
	return NULL;
}

/* The group called name in tb, made when new: NULL when out of memory. */
struct group *metrics_group_get(struct metrics *m, struct gtable *tb, const char *name)
{
	size_t h = name_hash(name) & tb->imask;
	struct group *g = metrics_group_find(tb, name);

	if (g)
		return g;
	while (tb->index[h] >= 0)
		h = (h + 1) & tb->imask;
	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? 2 * tb->cap : 64;
		struct group *v = realloc(tb->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		tb->v = v;
		tb->cap = cap;
	}
	g = &tb->v[tb->n];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	g->on_cpu = tb == &m->g ? calloc((size_t)m->ncpus, sizeof(*g->on_cpu)) : NULL;
	g->allowed = tb == &m->g ? calloc(m->words, sizeof(*g->allowed)) : NULL;
	if (!g->name || (tb == &m->g && (!g->on_cpu || !g->allowed))) {
		free(g->name);
		free(g->on_cpu);
		free(g->allowed);
		return NULL;
	}
	tb->n++;
	if (2 * tb->n > tb->imask + 1) {
		if (index_rebuild(tb, tb->n)) {
			tb->n--;
			free(g->name);
			free(g->on_cpu);
			free(g->allowed);
			return NULL;
		}
	} else {
		tb->index[h] = (int)(tb->n - 1);
	}
	return g;
}

static void group_release(struct group *g)
{
	free(g->name);
	free(g->on_cpu);
	free(g->allowed);
}

/* Groups without a process (thread-name entries: without a thread) for longer than keep
 * end their series; so do all such groups when there are more than MAX_GROUPS (processes
 * that name themselves after their PID would make a group each: the series stay bounded,
 * at the price of a counter reset when such a group comes back). */
#define MAX_GROUPS 5000

int metrics_table_expire(struct gtable *tb, double keep, double now, bool by_procs)
{
	bool crowded = tb->n > MAX_GROUPS;
	size_t k = 0;

	for (size_t i = 0; i < tb->n; i++) {
		struct group *g = &tb->v[i];

		if (g->g[by_procs ? G_PROCS : G_THREADS] == 0 &&
		    (crowded || now - g->last_seen > keep)) {
			group_release(g);
			continue;
		}
		tb->v[k++] = *g;
	}
	if (k == tb->n)
		return 0;
	tb->n = k;
	return index_rebuild(tb, k);
}

/* ---- updates ---------------------------------------------------------------------------- */

int metrics_new(struct metrics **out, const struct metrics_opts *o)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->o = *o;
	m->hz = sampler_hertz();
	if (m->hz <= 0)
		m->hz = 100;
	m->ncpus = o->ncpus > 0 ? o->ncpus : 1;
	m->words = ((size_t)m->ncpus + 63) / 64;
	m->cpu_tasks = calloc((size_t)m->ncpus, sizeof(*m->cpu_tasks));
	if (!m->cpu_tasks || index_rebuild(&m->g, 0) || index_rebuild(&m->t, 0)) {
		metrics_free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

static void series_free(struct metrics *m)
{
	for (size_t i = 0; i < m->nseries; i++)
		free(m->series[i].comm);
	free(m->series);
	m->series = NULL;
	m->nseries = 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->g.n; i++)
		group_release(&m->g.v[i]);
	for (size_t i = 0; i < m->t.n; i++)
		group_release(&m->t.v[i]);
	free(m->g.v);
	free(m->g.index);
	free(m->t.v);
	free(m->t.index);
	free(m->ps);
	free(m->ts);
	free(m->cpu_tasks);
	free(m->pm);
	series_free(m);
	metrics_cgroup_free(m->cg);
	free(m);
}

static bool counter_of(const struct task *t, int k, uint64_t *v)
{
	switch (k) {
	case C_UTIME: *v = t->utime_ticks; return true;
	case C_STIME: *v = t->stime_ticks; return true;
	case C_MINFLT: *v = t->minflt; return true;
	case C_MAJFLT: *v = t->majflt; return true;
	case C_VCTX: *v = t->vctx; return t->ctxsw_av == TS_OK;
	case C_ICTX: *v = t->ictx; return t->ctxsw_av == TS_OK;
	case C_MIGR: *v = t->migrations; return t->sched_av == TS_OK;
	case C_WAIT: *v = t->wait_ns; return t->schedstat_av == TS_OK;
	}
	return false;
}

/* The previous state of task t (same IDs and start time) in old, from *j on (both sorted
 * by (PID, TID)). */
const struct pstate *metrics_prev_of(const struct pstate *old, size_t nold, size_t *j,
				     const struct task *t)
{
	while (*j < nold && (old[*j].tgid < t->tgid ||
			     (old[*j].tgid == t->tgid && old[*j].tid < t->tid)))
		(*j)++;
	if (*j < nold && old[*j].tgid == t->tgid && old[*j].tid == t->tid &&
	    old[*j].start == t->start_ticks)
		return &old[*j];
	return NULL;
}

/* A task's counters into its group: what grew since the last sample (all of it for a
 * task not seen before). A value that went down (a process row sums its live threads:
 * one exited) is the new base. Exited tasks simply add nothing more, so the group's
 * sums never go down. */
void metrics_count_task(struct group *g, const struct task *t, const struct pstate *prev,
			struct pstate *ns)
{
	ns->tgid = t->tgid;
	ns->tid = t->tid;
	ns->start = t->start_ticks;
	ns->have = 0;
	for (int k = 0; k < NC; k++) {
		uint64_t v;

		if (counter_of(t, k, &v)) {
			if (prev && (prev->have & (1u << k)))
				g->c[k] += v > prev->c[k] ? v - prev->c[k] : 0;
			else
				g->c[k] += v;
			ns->c[k] = v;
			ns->have |= 1u << k;
		} else if (prev && (prev->have & (1u << k))) {
			ns->c[k] = prev->c[k];
			ns->have |= 1u << k;
		}
	}
}

static int update_memory(struct metrics *m, const struct snapshot *mem)
{
	struct pmem *pm = calloc(mem->ntasks ? mem->ntasks : 1, sizeof(*pm));
	size_t *gi = malloc((mem->ntasks ? mem->ntasks : 1) * sizeof(*gi));
	size_t n = 0;
	double t0;
	int rc;

	if (!pm || !gi) {
		free(pm);
		free(gi);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->g.n; i++)
		for (int k = G_FIRST_MEM; k < NG; k++)
			m->g.v[i].g[k] = 0;
	for (size_t i = 0; i < mem->ntasks; i++) {
		const struct task *t = &mem->tasks[i];
		char buf[256];
		struct group *g;

		gi[i] = SIZE_MAX;
		if (t->tid != t->tgid || t->smaps_av != TS_OK)
			continue;
		g = metrics_group_get(m, &m->g, group_name(m, t, buf, sizeof(buf)));
		if (!g) {
			free(pm);
			free(gi);
			return -ENOMEM;
		}
		gi[i] = (size_t)(g - m->g.v);
		g->g[G_PSS] += t->pss;
		g->g[G_USS] += t->uss;
		g->g[G_SHARED] += t->shared;
		g->g[G_SWAP_PSS] += t->swap_pss;
		if (t->mem_av == TS_OK) {
			g->g[G_SWAP] += t->swap;
			g->g[G_PTE] += t->pte;
		}
		pm[n++] = (struct pmem){ .tgid = t->tgid, .start = t->start_ticks, .pss = t->pss,
					 .uss = t->uss };
	}
	free(m->pm);
	m->pm = pm;
	m->npm = n;
	m->mem_known = true;
	m->mem_wall = mem->wall;
	m->mem_samples++;
	t0 = util_monotonic();
	rc = metrics_count_spaces(m, mem, gi);
	m->read_s[2] += util_monotonic() - t0;	/* kcmp: part of the memory pass's cost */
	free(gi);
	return rc;
}

static int rss_desc(const void *a, const void *b)
{
	const struct task *x = *(const struct task *const *)a, *y = *(const struct task *const *)b;

	if (x->rss != y->rss)
		return x->rss < y->rss ? 1 : -1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static const struct pmem *pmem_of(const struct metrics *m, const struct task *t)
{
	size_t lo = 0, hi = m->npm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->pm[mid].tgid < t->tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->npm && m->pm[lo].tgid == t->tgid && m->pm[lo].start == t->start_ticks)
		return &m->pm[lo];
	return NULL;
}

/* The processes with series of their own: every target with -p, else the --top N. */
static int update_series(struct metrics *m, const struct snapshot *sn)
{
	const struct task **v;
	size_t n = 0, want;

	series_free(m);
	if (!m->o.all_pids && !m->o.top)
		return 0;
	v = calloc(sn->ntasks ? sn->ntasks : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].tid == sn->tasks[i].tgid)
			v[n++] = &sn->tasks[i];
	want = n;
	if (!m->o.all_pids) {
		qsort(v, n, sizeof(*v), rss_desc);
		if (want > m->o.top)
			want = m->o.top;
	}
	m->series = calloc(want ? want : 1, sizeof(*m->series));
	if (!m->series) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < want; i++) {
		const struct task *t = v[i];
		const struct pmem *pm = pmem_of(m, t);
		struct pseries *p = &m->series[m->nseries];

		p->comm = strdup(t->comm ? t->comm : "");
		if (!p->comm)
			break;
		p->pid = t->tgid;
		p->utime = t->utime_ticks;
		p->stime = t->stime_ticks;
		p->rss = t->rss_av == TS_OK ? t->rss : 0;
		p->threads = t->nlwp > 0 ? (uint64_t)t->nlwp : 1;
		p->have_mem = pm != NULL;
		if (pm) {
			p->pss = pm->pss;
			p->uss = pm->uss;
		}
		m->nseries++;
	}
	free(v);
	return m->nseries == want ? 0 : -ENOMEM;
}

int metrics_update(struct metrics *m, const struct metrics_input *in)
{
	const struct snapshot *sn = in->sn;
	struct pstate *ps = calloc(sn->ntasks ? sn->ntasks : 1, sizeof(*ps));
	size_t n = 0, j = 0;
	int rc;

	if (!ps)
		return -ENOMEM;
	/* the thread sample's gauges stay until the next one (--placement-every) */
	for (size_t i = 0; i < m->g.n; i++)
		for (int k = 0; k < G_FIRST_THR; k++)
			m->g.v[i].g[k] = 0;
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		char buf[256];
		struct group *g;

		if (t->tid != t->tgid)
			continue;
		g = metrics_group_get(m, &m->g, group_name(m, t, buf, sizeof(buf)));
		if (!g) {
			free(ps);
			return -ENOMEM;
		}
		g->g[G_PROCS]++;
		g->g[G_THREADS] += t->nlwp > 0 ? (uint64_t)t->nlwp : 1;
		if (t->rss_av == TS_OK)
			g->g[G_RSS] += t->rss;
		g->g[G_VSZ] += t->vsz;
		g->last_seen = sn->mono;
		metrics_count_task(g, t, metrics_prev_of(m->ps, m->nps, &j, t), &ps[n]);
		ps[n++].group = (size_t)(g - m->g.v);
	}
	free(m->ps);
	m->ps = ps;
	m->nps = n;
	m->samples++;
	m->sample_wall = sn->wall;
	m->took = in->took;
	m->read_s[0] += in->took - in->took_thr - in->took_mem;
	m->read_s[1] += in->took_thr;
	m->read_s[2] += in->took_mem;
	m->nprocs = (double)sn->nprocs;
	m->nthreads = (double)sn->nthreads;
	if (m->o.group_by == MG_CGROUP && metrics_cgroup_update(&m->cg, sn))
		return -ENOMEM;
	rc = metrics_update_threads(m, in->thr, in->thr_due, sn->mono);
	if (!rc && in->mem)
		rc = update_memory(m, in->mem);
	if (!rc)
		rc = update_series(m, sn);
	if (!rc && m->o.threads)
		rc = metrics_table_expire(&m->t, m->o.group_keep, sn->mono, false);
	return rc ? rc : metrics_table_expire(&m->g, m->o.group_keep, sn->mono, true);
}
