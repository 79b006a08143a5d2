/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metricsplace.c - the exporter's thread sample (where each group's threads run, their
 * affinity, --threads' series per thread name) and its address spaces per group (kcmp) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "view/metricsint.h"

/* Thread names a group gets series for (--threads); threads of further names are summed
 * under THREAD_OTHER. */
#define MAX_THREAD_NAMES 32
#define THREAD_OTHER "(other)"
#define SEP '\x1f'

/* The group index of the process tgid in this update (SIZE_MAX: not in the sample). */
static size_t group_of_tgid(const struct metrics *m, pid_t tgid)
{
	size_t lo = 0, hi = m->nps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ps[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nps && m->ps[lo].tgid == tgid ? m->ps[lo].group : SIZE_MAX;
}

/* The allowed CPUs of a thread as a parsed set, the last one kept (threads mostly share
 * the same affinity text). */
struct aff_cache {
	char *text;
	struct cpulist cl;
	int count;
	bool ok;
	const struct group *in;	/* the group whose allowed CPUs already hold it */
};

static const struct aff_cache *affinity_of(struct aff_cache *c, const char *text, int ncpus)
{
	if (c->text && !strcmp(c->text, text))
		return c;
	free(c->text);
	util_cpulist_free(&c->cl);
	memset(&c->cl, 0, sizeof(c->cl));
	c->in = NULL;
	c->text = strdup(text);
	c->ok = c->text && !util_cpulist_parse(text, ncpus, &c->cl);
	c->count = c->ok ? CPU_COUNT_S(c->cl.size, c->cl.set) : 0;
	return c;
}

static void place_thread(struct metrics *m, struct group *g, const struct task *t,
			 struct aff_cache *ac)
{
	if (t->cpu >= 0 && t->cpu < m->ncpus) {
		g->on_cpu[t->cpu]++;
		m->cpu_tasks[t->cpu]++;
	}
	if (t->aff_av != TS_OK || !t->affinity)
		return;
	if (t->cpu_outside)
		g->g[G_OFF_AFFINITY]++;
	affinity_of(ac, t->affinity, m->ncpus);
	if (!ac->ok)
		return;
	if (ac->count < m->o.online)
		g->g[G_PINNED]++;
	if (ac->in == g)	/* a process's threads come in a row, mostly alike */
		return;
	for (int cpu = 0; cpu < m->ncpus; cpu++)
		if (CPU_ISSET_S((size_t)cpu, ac->cl.size, ac->cl.set))
			g->allowed[cpu / 64] |= 1ULL << (cpu % 64);
	ac->in = g;
}

/* Each group's count of thread-name entries, after some expired. */
static void count_names(struct metrics *m)
{
	char buf[512];

	for (size_t i = 0; i < m->g.n; i++)
		m->g.v[i].tnames = 0;
	for (size_t i = 0; i < m->t.n; i++) {
		const struct group *e = &m->t.v[i];
		struct group *g;

		snprintf(buf, sizeof(buf), "%.*s", (int)e->split, e->name);
		g = metrics_group_find(&m->g, buf);
		if (g)
			g->tnames++;
	}
}

/* The thread-name entry of thread t of group g (NULL: out of memory). */
static struct group *name_entry(struct metrics *m, struct group *g, const struct task *t)
{
	char key[512];
	size_t glen = strlen(g->name), n = m->t.n;
	struct group *e;

	snprintf(key, sizeof(key), "%s%c%s", g->name, SEP, t->comm ? t->comm : "");
	if (!metrics_group_find(&m->t, key) && g->tnames >= MAX_THREAD_NAMES)
		snprintf(key, sizeof(key), "%s%c%s", g->name, SEP, THREAD_OTHER);
	e = metrics_group_get(m, &m->t, key);
	if (e && m->t.n > n) {
		e->split = glen < sizeof(key) ? glen : sizeof(key) - 1;
		g->tnames++;
	}
	return e;
}

/* --threads: thread counters by name, carried over for threads that exited. */
static int count_threads(struct metrics *m, const struct snapshot *thr, double now)
{
	struct pstate *ts = calloc(thr->ntasks ? thr->ntasks : 1, sizeof(*ts));
	size_t n = 0, j = 0;

	if (!ts)
		return -ENOMEM;
	count_names(m);
	for (size_t i = 0; i < m->t.n; i++)
		m->t.v[i].g[G_THREADS] = 0;
	for (size_t i = 0; i < thr->ntasks; i++) {
		const struct task *t = &thr->tasks[i];
		size_t gi = group_of_tgid(m, t->tgid);
		struct group *e;

		if (gi == SIZE_MAX)
			continue;
		e = name_entry(m, &m->g.v[gi], t);
		if (!e) {
			free(ts);
			return -ENOMEM;
		}
		e->g[G_THREADS]++;
		e->last_seen = now;
		metrics_count_task(e, t, metrics_prev_of(m->ts, m->nts, &j, t), &ts[n++]);
	}
	free(m->ts);
	m->ts = ts;
	m->nts = n;
	return 0;
}

int metrics_update_threads(struct metrics *m, const struct snapshot *thr, bool due, double now)
{
	struct aff_cache ac = { 0 };

	if (!due)
		return 0;	/* the last thread sample's values stay, with their time */
	m->thr_known = thr != NULL;
	if (!thr)
		return 0;
	memset(m->cpu_tasks, 0, (size_t)m->ncpus * sizeof(*m->cpu_tasks));
	for (size_t i = 0; i < m->g.n; i++) {
		memset(m->g.v[i].on_cpu, 0, (size_t)m->ncpus * sizeof(*m->g.v[i].on_cpu));
		memset(m->g.v[i].allowed, 0, m->words * sizeof(*m->g.v[i].allowed));
		for (int k = G_FIRST_THR; k < G_FIRST_MEM; k++)
			m->g.v[i].g[k] = 0;
	}
	for (size_t i = 0; i < thr->ntasks; i++) {
		const struct task *t = &thr->tasks[i];
		size_t gi = group_of_tgid(m, t->tgid);

		/* a process that started between the two samples waits for the next */
		if (gi != SIZE_MAX)
			place_thread(m, &m->g.v[gi], t, &ac);
	}
	free(ac.text);
	util_cpulist_free(&ac.cl);
	for (size_t i = 0; i < m->g.n; i++) {
		struct group *g = &m->g.v[i];

		for (size_t w = 0; w < m->words; w++)
			g->g[G_ALLOWED_CPUS] += (uint64_t)__builtin_popcountll(g->allowed[w]);
	}
	m->thr_samples++;
	m->thr_wall = thr->wall;
	return m->o.threads ? count_threads(m, thr, now) : 0;
}

/* ---- address spaces ------------------------------------------------------------------ */

struct gtid {
	size_t group;
	uint64_t key;	/* the task's mm_key: processes of different keys have different maps */
	pid_t tid;
};

static int by_group(const void *a, const void *b)
{
	const struct gtid *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

int metrics_count_spaces(struct metrics *m, const struct snapshot *mem, const size_t *gi)
{
	struct gtid *v = malloc((mem->ntasks ? mem->ntasks : 1) * sizeof(*v));
	pid_t *tids = malloc((mem->ntasks ? mem->ntasks : 1) * sizeof(*tids));
	size_t *grp = malloc((mem->ntasks ? mem->ntasks : 1) * sizeof(*grp));
	size_t n = 0;
	int rc = 0;

	if (!v || !tids || !grp) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < m->g.n; i++)
		m->g.v[i].spaces_known = false;
	for (size_t i = 0; i < mem->ntasks; i++) {
		const struct task *t = &mem->tasks[i];

		if (gi[i] == SIZE_MAX)
			continue;
		/* a group of kernel threads has no address space */
		m->g.v[gi[i]].spaces_known = true;
		if (!t->kthread && t->state != 'Z')
			v[n++] = (struct gtid){ .group = gi[i], .key = t->mm_key, .tid = t->tid };
	}
	/* kcmp only within a group's processes of one key: a key of its own is a map of its
	 * own, without a kcmp call (processes exec'd apart; forked ones keep their parent's
	 * key until they exec, and are compared) */
	qsort(v, n, sizeof(*v), by_group);
	for (size_t i = 0, k; i < n; i = k) {
		struct group *g = &m->g.v[v[i].group];
		uint64_t spaces = 0;
		size_t c = 0;

		for (k = i; k < n && v[k].group == v[i].group && v[k].key == v[i].key; k++)
			tids[c++] = v[k].tid;
		if (c == 1) {
			g->g[G_SPACES]++;
			continue;
		}
		if (m->o.no_spaces) {
			g->spaces_known = false;	/* not kcmp on this machine's PIDs */
			continue;
		}
		rc = sharing_address_spaces(tids, c, grp, &spaces);
		if (rc == -ENOMEM)
			goto out;
		g->g[G_SPACES] += spaces;
		if (rc)
			g->spaces_known = false;
		rc = 0;
	}
out:
	free(v);
	free(tids);
	free(grp);
	return rc;
}
