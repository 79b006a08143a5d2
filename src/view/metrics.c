/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c - the exporter's groups, their counters kept monotonic, and the exposition text */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/columns.h"
#include "view/groupcfg.h"
#include "view/metrics_cgroup.h"
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
	G_PSS, G_USS, G_SHARED, G_SWAP, G_PTE, G_SWAP_PSS,
	NG
};
#define G_FIRST_MEM G_PSS

struct group {
	char *name;
	uint64_t c[NC];		/* increments seen since the group appeared */
	uint64_t g[NG];
	double last_seen;	/* monotonic seconds of the last sample it had a process in */
};

/* What a process's counters were at the last sample: increments are counted against it. */
struct pstate {
	pid_t tgid;
	uint64_t start;
	uint64_t c[NC];
	unsigned have;		/* bits (1 << C_*) of the values known */
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
	struct group *groups;
	size_t ngroups, cgroups;
	int *index;		/* open addressing over groups by name: -1 empty */
	size_t imask;
	struct pstate *ps;
	size_t nps;
	struct pmem *pm;
	size_t npm;
	struct pseries *series;
	size_t nseries;
	long hz;
	/* self */
	uint64_t samples, mem_samples;
	double sample_wall, mem_wall, took, nprocs, nthreads;
	bool mem_known;
	struct metrics_cgroup *cg;	/* --group-by cgroup: the cgroups' own values */
};

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
	if (m->o.group_by == MG_CGROUP && metrics_cgroup_update(&m->cg, sn))
		return -ENOMEM;
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

/* ---- the exposition text ------------------------------------------------------------- */

size_t metrics_escape_label(const char *s, char *buf, size_t len)
{
	size_t n = 0;
	bool full = len == 0;

	for (; *s; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
		size_t el = e ? 2 : 1;

		/* never half an escape, nothing after the first that does not fit */
		if (!full && n + el < len)
			memcpy(buf + n, e ? e : s, el);
		else if (!full)
			buf[n] = '\0', full = true;
		n += el;
	}
	if (!full)
		buf[n] = '\0';
	return n;
}

/* A counter or gauge family and how its series get their values from a group. */
enum kind { K_GAUGE, K_COUNTER };
enum scale { S_ONE, S_TICKS, S_NSEC };

struct part {
	const char *label, *value;	/* an extra label (NULL: none) */
	bool counter;			/* c[] (else g[]) */
	int idx;
	enum scale scale;
};

struct family {
	const char *name;		/* own name, without taskscope_ and _total */
	const char *pe_name;		/* process-exporter's (without _total), NULL: none */
	enum kind kind;
	const char *unit;
	const char *help;
	bool memory;			/* from the memory sample */
	struct part parts[5];		/* a NULL-terminated... by idx < 0 */
};

#define END { NULL, NULL, false, -1, S_ONE }

static const struct family families[] = {
	{ "group_processes", "namedprocess_namegroup_num_procs", K_GAUGE, NULL,
	  "Processes in the group", false,
	  { { NULL, NULL, false, G_PROCS, S_ONE }, END } },
	{ "group_threads", "namedprocess_namegroup_num_threads", K_GAUGE, NULL,
	  "Threads of the group's processes", false,
	  { { NULL, NULL, false, G_THREADS, S_ONE }, END } },
	{ "group_cpu_seconds", "namedprocess_namegroup_cpu_seconds", K_COUNTER, "seconds",
	  "CPU time of the group's processes (exited ones included)", false,
	  { { "mode", "user", true, C_UTIME, S_TICKS }, { "mode", "system", true, C_STIME, S_TICKS },
	    END } },
	{ "group_context_switches", "namedprocess_namegroup_context_switches", K_COUNTER, NULL,
	  "Context switches of the group's threads", false,
	  { { "kind", "voluntary", true, C_VCTX, S_ONE }, { "kind", "involuntary", true, C_ICTX, S_ONE },
	    END } },
	{ "group_minor_page_faults", "namedprocess_namegroup_minor_page_faults", K_COUNTER, NULL,
	  "Minor page faults of the group's processes", false,
	  { { NULL, NULL, true, C_MINFLT, S_ONE }, END } },
	{ "group_major_page_faults", "namedprocess_namegroup_major_page_faults", K_COUNTER, NULL,
	  "Major page faults of the group's processes", false,
	  { { NULL, NULL, true, C_MAJFLT, S_ONE }, END } },
	{ "group_migrations", NULL, K_COUNTER, NULL,
	  "Moves of the group's threads from one CPU to another", false,
	  { { NULL, NULL, true, C_MIGR, S_ONE }, END } },
	{ "group_runqueue_wait_seconds", NULL, K_COUNTER, "seconds",
	  "Time the group's threads waited on a run queue, runnable but not running", false,
	  { { NULL, NULL, true, C_WAIT, S_NSEC }, END } },
	{ "group_rss_bytes", NULL, K_GAUGE, "bytes",
	  "Resident memory of the group's processes (shared pages counted in each)", false,
	  { { NULL, NULL, false, G_RSS, S_ONE }, END } },
	{ "group_pss_bytes", NULL, K_GAUGE, "bytes",
	  "Proportional set size: each shared page divided among the processes mapping it", true,
	  { { NULL, NULL, false, G_PSS, S_ONE }, END } },
	{ "group_uss_bytes", NULL, K_GAUGE, "bytes",
	  "Unique set size: pages only this process maps (freed when it exits)", true,
	  { { NULL, NULL, false, G_USS, S_ONE }, END } },
	{ "group_shared_bytes", NULL, K_GAUGE, "bytes",
	  "Resident pages the group's processes share with some other process", true,
	  { { NULL, NULL, false, G_SHARED, S_ONE }, END } },
	{ "group_swap_bytes", NULL, K_GAUGE, "bytes",
	  "Swapped-out memory of the group's processes", true,
	  { { NULL, NULL, false, G_SWAP, S_ONE }, END } },
	{ "group_page_table_bytes", NULL, K_GAUGE, "bytes",
	  "Page tables of the group's processes", true,
	  { { NULL, NULL, false, G_PTE, S_ONE }, END } },
};

/* process-exporter's memory_bytes family: one gauge with a memtype label */
static const struct part pe_memory[] = {
	{ "memtype", "resident", false, G_RSS, S_ONE },
	{ "memtype", "virtual", false, G_VSZ, S_ONE },
	{ "memtype", "swapped", false, G_SWAP, S_ONE },
	{ "memtype", "proportionalResident", false, G_PSS, S_ONE },
	{ "memtype", "proportionalSwapped", false, G_SWAP_PSS, S_ONE },
	END,
};

struct out {
	FILE *f;
	bool om;		/* OpenMetrics */
};

static void header(struct out *o, const char *name, enum kind kind, const char *unit,
		   const char *help)
{
	bool ctr = kind == K_COUNTER;

	/* Prometheus text names the counter's samples' name; OpenMetrics the family */
	fprintf(o->f, "# HELP %s%s %s\n", name, ctr && !o->om ? "_total" : "", help);
	fprintf(o->f, "# TYPE %s%s %s\n", name, ctr && !o->om ? "_total" : "",
		ctr ? "counter" : "gauge");
	if (o->om && unit)
		fprintf(o->f, "# UNIT %s %s\n", name, unit);
}

static void value(struct out *o, uint64_t v, enum scale s, long hz)
{
	if (s == S_TICKS)
		fprintf(o->f, " %.15g\n", (double)v / (double)hz);
	else if (s == S_NSEC)
		fprintf(o->f, " %.15g\n", (double)v / 1e9);
	else
		fprintf(o->f, " %llu\n", (unsigned long long)v);
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct group *g = arg;

	return strcmp(g[*(const size_t *)a].name, g[*(const size_t *)b].name);
}

static void group_series(struct out *o, const struct metrics *m, const size_t *order,
			 const char *name, bool counter, const struct part *parts,
			 const char *glabel)
{
	bool pe = m->o.compat == MC_PROCESS_EXPORTER;

	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[order[i]];
		char esc[1024];

		metrics_escape_label(g->name, esc, sizeof(esc));
		for (const struct part *p = parts; p->idx >= 0; p++) {
			fprintf(o->f, "%s%s{%s=\"%s\"", name, counter ? "_total" : "", glabel, esc);
			if (p->label && pe && (p->idx == C_VCTX || p->idx == C_ICTX) && p->counter)
				fprintf(o->f, ",ctxswitchtype=\"%s\"",
					p->idx == C_VCTX ? "voluntary" : "nonvoluntary");
			else if (p->label)
				fprintf(o->f, ",%s=\"%s\"", p->label, p->value);
			fputc('}', o->f);
			value(o, p->counter ? g->c[p->idx] : g->g[p->idx], p->scale, m->hz);
		}
	}
}

static void render_groups(struct out *o, const struct metrics *m, const size_t *order)
{
	bool pe = m->o.compat == MC_PROCESS_EXPORTER;
	const char *glabel = pe ? "groupname" : "group";
	char name[128];

	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		const struct family *fa = &families[f];
		bool ctr = fa->kind == K_COUNTER;

		if (fa->memory && !m->mem_known)
			continue;
		if (pe && fa->pe_name) {
			snprintf(name, sizeof(name), "%s", fa->pe_name);
		} else {
			if (pe && (fa->parts[0].idx == G_RSS || fa->parts[0].idx == G_PSS ||
				   fa->parts[0].idx == G_SWAP) && !fa->parts[0].counter)
				continue;	/* in namedprocess_namegroup_memory_bytes */
			snprintf(name, sizeof(name), "taskscope_%s", fa->name);
		}
		header(o, name, fa->kind, fa->unit, fa->help);
		group_series(o, m, order, name, ctr, fa->parts, glabel);
	}
	if (pe) {
		/* before the first memory sample: resident only */
		struct part rss_only[] = { pe_memory[0], pe_memory[1], END };

		header(o, "namedprocess_namegroup_memory_bytes", K_GAUGE, "bytes",
		       "Memory of the group's processes by memtype");
		group_series(o, m, order, "namedprocess_namegroup_memory_bytes", false,
			     m->mem_known ? pe_memory : rss_only, glabel);
	}
}

static void render_series(struct out *o, const struct metrics *m)
{
	static const char *const names[] = {
		"taskscope_process_cpu_seconds", "taskscope_process_threads",
		"taskscope_process_rss_bytes", "taskscope_process_pss_bytes",
		"taskscope_process_uss_bytes",
	};
	static const char *const helps[] = {
		"CPU time of the process (series per PID churn: --top and -p only)",
		"Threads of the process", "Resident memory of the process",
		"Proportional set size of the process", "Unique set size of the process",
	};

	if (!m->o.all_pids && !m->o.top)
		return;
	for (size_t f = 0; f < ARRAY_SIZE(names); f++) {
		if (f >= 3 && !m->mem_known)
			break;
		header(o, names[f], f == 0 ? K_COUNTER : K_GAUGE,
		       f == 0 ? "seconds" : f == 1 ? NULL : "bytes", helps[f]);
		for (size_t i = 0; i < m->nseries; i++) {
			const struct pseries *p = &m->series[i];
			char esc[512], lab[600];

			if (f >= 3 && !p->have_mem)
				continue;
			metrics_escape_label(p->comm, esc, sizeof(esc));
			snprintf(lab, sizeof(lab), "pid=\"%d\",comm=\"%s\"", (int)p->pid, esc);
			switch (f) {
			case 0:
				fprintf(o->f, "%s_total{%s,mode=\"user\"}", names[f], lab);
				value(o, p->utime, S_TICKS, m->hz);
				fprintf(o->f, "%s_total{%s,mode=\"system\"}", names[f], lab);
				value(o, p->stime, S_TICKS, m->hz);
				break;
			case 1:
				fprintf(o->f, "%s{%s} %llu\n", names[f], lab,
					(unsigned long long)p->threads);
				break;
			default:
				fprintf(o->f, "%s{%s} %llu\n", names[f], lab,
					(unsigned long long)(f == 2 ? p->rss : f == 3 ? p->pss : p->uss));
				break;
			}
		}
	}
}

static void render_self(struct out *o, const struct metrics *m)
{
	if (o->om) {
		fputs("# HELP taskscope_build Version of taskscope serving these metrics\n"
		      "# TYPE taskscope_build info\n", o->f);
	} else {
		fputs("# HELP taskscope_build_info Version of taskscope serving these metrics\n"
		      "# TYPE taskscope_build_info gauge\n", o->f);
	}
	fprintf(o->f, "taskscope_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	header(o, "taskscope_samples", K_COUNTER, NULL, "Samples of /proc taken");
	fprintf(o->f, "taskscope_samples_total %llu\n", (unsigned long long)m->samples);
	header(o, "taskscope_sample_duration_seconds", K_GAUGE, "seconds",
	       "Time the last sample took (its memory sample included)");
	fprintf(o->f, "taskscope_sample_duration_seconds %.9f\n", m->took);
	header(o, "taskscope_sample_timestamp_seconds", K_GAUGE, "seconds",
	       "When the last sample was taken (seconds since the epoch)");
	fprintf(o->f, "taskscope_sample_timestamp_seconds %.3f\n", m->sample_wall);
	header(o, "taskscope_scanned_processes", K_GAUGE, NULL, "Processes in the last sample");
	fprintf(o->f, "taskscope_scanned_processes %.0f\n", m->nprocs);
	header(o, "taskscope_scanned_threads", K_GAUGE, NULL, "Threads in the last sample");
	fprintf(o->f, "taskscope_scanned_threads %.0f\n", m->nthreads);
	header(o, "taskscope_groups", K_GAUGE, NULL, "Groups with series");
	fprintf(o->f, "taskscope_groups %zu\n", m->ngroups);
	header(o, "taskscope_memory_samples", K_COUNTER, NULL,
	       "Memory samples (smaps_rollup of every process) taken");
	fprintf(o->f, "taskscope_memory_samples_total %llu\n", (unsigned long long)m->mem_samples);
	if (m->mem_known) {
		header(o, "taskscope_memory_sample_timestamp_seconds", K_GAUGE, "seconds",
		       "When the memory values were sampled (seconds since the epoch)");
		fprintf(o->f, "taskscope_memory_sample_timestamp_seconds %.3f\n", m->mem_wall);
	}
}

int metrics_render(const struct metrics *m, bool openmetrics, char **text, size_t *len)
{
	struct out o = { .om = openmetrics };
	size_t *order = malloc((m->ngroups ? m->ngroups : 1) * sizeof(*order));
	char *buf = NULL;
	size_t size = 0;
	int rc = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < m->ngroups; i++)
		order[i] = i;
	qsort_r(order, m->ngroups, sizeof(*order), by_name, m->groups);
	o.f = open_memstream(&buf, &size);
	if (!o.f) {
		free(order);
		return -ENOMEM;
	}
	render_groups(&o, m, order);
	if (m->o.compat != MC_PROCESS_EXPORTER)
		metrics_cgroup_render(o.f, o.om, m->cg, "group");
	render_series(&o, m);
	render_self(&o, m);
	if (ferror(o.f))
		rc = -ENOMEM;
	if (fclose(o.f) || rc) {
		free(buf);
		free(order);
		return -ENOMEM;
	}
	free(order);
	*text = buf;
	*len = size;
	return 0;
}
