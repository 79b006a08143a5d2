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
#include "view/metricsint.h"

/* ---- group names ---------------------------------------------------------------------- */

const char *metrics_group_of(enum metrics_group_by by, const struct task *t, char *buf,
			     size_t len)
{
	const char *s, *end;
	size_t n;

	switch (by) {
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

static int index_rebuild(struct metrics *m, size_t want)
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
	for (size_t i = 0; i < m->ngroups; i++) {
		size_t h = name_hash(m->groups[i].name) & (cap - 1);

		while (ix[h] >= 0)
			h = (h + 1) & (cap - 1);
		ix[h] = (int)i;
	}
	free(m->index);
	m->index = ix;
	m->imask = cap - 1;
	return 0;
}

/* The group called name, made when new: NULL when out of memory. */
static struct group *group_get(struct metrics *m, const char *name)
{
	size_t h = name_hash(name) & m->imask;
	struct group *g;

	for (; m->index[h] >= 0; h = (h + 1) & m->imask)
		if (!strcmp(m->groups[m->index[h]].name, name))
			return &m->groups[m->index[h]];
	if (m->ngroups == m->cgroups) {
		size_t cap = m->cgroups ? 2 * m->cgroups : 64;
		struct group *v = realloc(m->groups, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->groups = v;
		m->cgroups = cap;
	}
	g = &m->groups[m->ngroups];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	if (!g->name)
		return NULL;
	m->ngroups++;
	if (2 * m->ngroups > m->imask + 1) {
		if (index_rebuild(m, m->ngroups)) {
			free(g->name);
			m->ngroups--;
			return NULL;
		}
	} else {
		m->index[h] = (int)(m->ngroups - 1);
	}
	return g;
}

/* Groups without a process for longer than group_keep end their series; so do all groups
 * without a process when there are more than MAX_GROUPS (processes that name themselves
 * after their PID would make a group each: the series stay bounded, at the price of a
 * counter reset when such a group comes back). */
#define MAX_GROUPS 5000

static int groups_expire(struct metrics *m, double now)
{
	bool crowded = m->ngroups > MAX_GROUPS;
	size_t k = 0;

	for (size_t i = 0; i < m->ngroups; i++) {
		if (m->groups[i].g[G_PROCS] == 0 &&
		    (crowded || now - m->groups[i].last_seen > m->o.group_keep)) {
			free(m->groups[i].name);
			continue;
		}
		m->groups[k++] = m->groups[i];
	}
	if (k == m->ngroups)
		return 0;
	m->ngroups = k;
	return index_rebuild(m, k);
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
	if (index_rebuild(m, 0)) {
		free(m);
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
	for (size_t i = 0; i < m->ngroups; i++)
		free(m->groups[i].name);
	free(m->groups);
	free(m->index);
	free(m->ps);
	free(m->pm);
	series_free(m);
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

/* The previous state of t's process (same PID and start time) in old, from *j on (both
 * sorted by PID). */
static const struct pstate *prev_of(const struct pstate *old, size_t nold, size_t *j,
				    const struct task *t)
{
	while (*j < nold && old[*j].tgid < t->tgid)
		(*j)++;
	if (*j < nold && old[*j].tgid == t->tgid && old[*j].start == t->start_ticks)
		return &old[*j];
	return NULL;
}

/* A process's counters into its group: what grew since the last sample (all of it for a
 * process not seen before). A value that went down (a process row sums its live threads:
 * one exited) is the new base. Exited processes simply add nothing more, so the group's
 * sums never go down. */
static void count_process(struct group *g, const struct task *t, const struct pstate *prev,
			  struct pstate *ns)
{
	ns->tgid = t->tgid;
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
	size_t n = 0;

	if (!pm)
		return -ENOMEM;
	for (size_t i = 0; i < m->ngroups; i++)
		for (int k = G_FIRST_MEM; k < NG; k++)
			m->groups[i].g[k] = 0;
	for (size_t i = 0; i < mem->ntasks; i++) {
		const struct task *t = &mem->tasks[i];
		char buf[256];
		struct group *g;

		if (t->tid != t->tgid || t->smaps_av != TS_OK)
			continue;
		g = group_get(m, group_name(m, t, buf, sizeof(buf)));
		if (!g) {
			free(pm);
			return -ENOMEM;
		}
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
	return 0;
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

int metrics_update(struct metrics *m, const struct snapshot *sn, const struct snapshot *mem,
		   double took)
{
	struct pstate *ps = calloc(sn->ntasks ? sn->ntasks : 1, sizeof(*ps));
	size_t n = 0, j = 0;
	int rc;

	if (!ps)
		return -ENOMEM;
	for (size_t i = 0; i < m->ngroups; i++)
		for (int k = 0; k < G_FIRST_MEM; k++)
			m->groups[i].g[k] = 0;
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		char buf[256];
		struct group *g;

		if (t->tid != t->tgid)
			continue;
		g = group_get(m, group_name(m, t, buf, sizeof(buf)));
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
		count_process(g, t, prev_of(m->ps, m->nps, &j, t), &ps[n++]);
	}
	free(m->ps);
	m->ps = ps;
	m->nps = n;
	m->samples++;
	m->sample_wall = sn->wall;
	m->took = took;
	m->nprocs = (double)sn->nprocs;
	m->nthreads = (double)sn->nthreads;
	if (mem) {
		rc = update_memory(m, mem);
		if (rc)
			return rc;
	}
	rc = update_series(m, sn);
	if (rc)
		return rc;
	return groups_expire(m, sn->mono);
}
