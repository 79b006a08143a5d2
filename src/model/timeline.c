/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline.c - where each watched thread ran or waited, slot by slot, and the summaries
 *
 * Samples are kept run-length encoded per thread: a run is consecutive slots on one CPU in
 * one state. A thread that stays put costs one run however long it is watched; the run
 * limit bounds the memory of a timeline whatever the threads do. A running sample ('R')
 * says where the thread ran; a waiting one only where it last ran, so the summaries count
 * the CPU shares over running samples and keep the waiting ones apart.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/timeline.h"

_Static_assert(sizeof(struct timeline_run) == 12, "a run is 12 bytes");

int timeline_init(struct timeline *tl, unsigned rate, size_t max_runs)
{
	memset(tl, 0, sizeof(*tl));
	if (rate == 0 || max_runs == 0)
		return -EINVAL;
	tl->rate = rate;
	tl->period = 1.0 / rate;
	tl->max_runs = max_runs;
	return 0;
}

void timeline_free(struct timeline *tl)
{
	for (size_t i = 0; i < tl->nthreads; i++) {
		struct timeline_thread *t = &tl->threads[i];

		free(t->comm);
		free(t->runs);
		for (size_t k = 0; k < t->naff; k++)
			free(t->aff[k].cpus);
		free(t->aff);
	}
	free(tl->threads);
	tl->threads = NULL;
	tl->nthreads = tl->cap = 0;
}

int timeline_add_thread(struct timeline *tl, pid_t tgid, pid_t tid, uint64_t start_ticks,
			const char *comm, size_t *idx)
{
	struct timeline_thread *t;

	if (util_grow(&tl->threads, &tl->cap, tl->nthreads, 64, sizeof(*tl->threads)))
		return -ENOMEM;
	t = &tl->threads[tl->nthreads];
	memset(t, 0, sizeof(*t));
	t->comm = strdup(comm ? comm : "");
	if (!t->comm)
		return -ENOMEM;
	t->tgid = tgid;
	t->tid = tid;
	t->start_ticks = start_ticks;
	t->end_slot = TIMELINE_NO_SLOT;
	*idx = tl->nthreads++;
	return 0;
}

int timeline_set_comm(struct timeline *tl, size_t idx, const char *comm)
{
	struct timeline_thread *t;
	char *c;

	if (idx >= tl->nthreads)
		return -EINVAL;
	t = &tl->threads[idx];
	if (!strcmp(t->comm, comm))
		return 0;
	c = strdup(comm);
	if (!c)
		return -ENOMEM;
	free(t->comm);
	t->comm = c;
	return 0;
}

void timeline_cover(struct timeline *tl, uint32_t nslots)
{
	if (nslots > tl->nslots)
		tl->nslots = nslots;
}

int timeline_add_sample(struct timeline *tl, size_t idx, uint32_t slot, int cpu, char state)
{
	struct timeline_thread *t;
	struct timeline_run *last;
	unsigned st = (unsigned char)state;

	if (idx >= tl->nthreads || cpu < 0 || cpu > TIMELINE_MAX_CPU ||
	    slot == TIMELINE_NO_SLOT) {
		tl->refused++;
		return -EINVAL;
	}
	if (!((st >= 'A' && st <= 'Z') || (st >= 'a' && st <= 'z')))
		st = '?';
	t = &tl->threads[idx];
	last = t->nruns ? &t->runs[t->nruns - 1] : NULL;
	if (last && slot < last->slot + last->len) {
		tl->refused++;
		return -EINVAL;
	}
	if (last && slot == last->slot + last->len && last->cpu == cpu && last->state == st) {
		last->len++;
	} else {
		if (tl->nruns >= tl->max_runs) {
			tl->refused++;
			return -ENOSPC;
		}
		if (util_grow(&t->runs, &t->cap, t->nruns, 8, sizeof(*t->runs))) {
			tl->refused++;
			return -ENOMEM;
		}
		t->runs[t->nruns++] = (struct timeline_run){ .slot = slot, .len = 1, .cpu = cpu,
							     .state = st };
		tl->nruns++;
	}
	t->samples++;
	tl->samples++;
	if (timeline_running(st)) {
		t->running++;
		tl->running++;
	}
	timeline_cover(tl, slot + 1);
	return 0;
}

int timeline_set_schedstat(struct timeline *tl, size_t idx, uint32_t slot, uint64_t run_ns,
			   uint64_t wait_ns)
{
	struct timeline_thread *t;

	if (idx >= tl->nthreads)
		return -EINVAL;
	t = &tl->threads[idx];
	t->sched1 = (struct timeline_sched){ slot, run_ns, wait_ns };
	if (!t->nsched)
		t->sched0 = t->sched1;
	if (t->nsched < 2)
		t->nsched++;
	return 0;
}

void timeline_end_thread(struct timeline *tl, size_t idx, uint32_t slot)
{
	if (idx >= tl->nthreads || tl->threads[idx].end_slot != TIMELINE_NO_SLOT)
		return;
	tl->threads[idx].end_slot = slot;
	timeline_cover(tl, slot);
}

int timeline_set_affinity(struct timeline *tl, size_t idx, uint32_t slot, const char *cpus)
{
	struct timeline_thread *t;
	struct timeline_affinity *a;
	char *c;

	if (idx >= tl->nthreads)
		return -EINVAL;
	t = &tl->threads[idx];
	if (t->naff && !strcmp(t->aff[t->naff - 1].cpus, cpus))
		return 0;
	c = strdup(cpus);
	if (!c)
		return -ENOMEM;
	if (t->naff > TIMELINE_MAX_AFF_CHANGES) {
		/* full: the latest replaces the last kept, so the end is always right */
		a = &t->aff[t->naff - 1];
		free(a->cpus);
		t->aff_lost++;
	} else {
		a = realloc(t->aff, (t->naff + 1) * sizeof(*a));
		if (!a) {
			free(c);
			return -ENOMEM;
		}
		t->aff = a;
		a = &t->aff[t->naff++];
	}
	a->slot = slot;
	a->cpus = c;
	return 0;
}

static int cmp_order(const void *a, const void *b, void *arg)
{
	const struct timeline *tl = arg;
	const struct timeline_thread *x = &tl->threads[*(const size_t *)a];
	const struct timeline_thread *y = &tl->threads[*(const size_t *)b];

	if (x->tgid != y->tgid)
		return UTIL_CMP(x->tgid, y->tgid);
	if (x->tid != y->tid)
		return UTIL_CMP(x->tid, y->tid);
	return UTIL_CMP(x->start_ticks, y->start_ticks);
}

int timeline_order(const struct timeline *tl, size_t **order)
{
	size_t *v = malloc((tl->nthreads ? tl->nthreads : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < tl->nthreads; i++)
		v[i] = i;
	qsort_r(v, tl->nthreads, sizeof(*v), cmp_order, (void *)tl);
	*order = v;
	return 0;
}

/* ---- summaries ---- */

struct remainder {
	uint64_t rem;
	size_t idx;
};

static int cmp_remainder(const void *a, const void *b)
{
	/* the larger remainder first, then the lower index */
	const struct remainder *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem < y->rem ? 1 : -1;
	return UTIL_CMP(x->idx, y->idx);
}

void timeline_permille(struct timeline_share *parts, size_t n)
{
	uint64_t total = 0, given = 0;
	struct remainder *order;

	for (size_t i = 0; i < n; i++)
		total += parts[i].samples;
	for (size_t i = 0; i < n; i++)
		parts[i].permille = 0;
	if (total == 0)
		return;
	order = malloc(n * sizeof(*order));
	for (size_t i = 0; i < n; i++) {
		uint64_t exact = parts[i].samples * 1000;	/* samples < 2^54: no overflow */

		parts[i].permille = (unsigned)(exact / total);
		given += parts[i].permille;
		if (order)
			order[i] = (struct remainder){ .rem = exact % total, .idx = i };
	}
	/* the rest (less than n tenths) to the largest remainders */
	if (order) {
		qsort(order, n, sizeof(*order), cmp_remainder);
		for (size_t k = 0; given < 1000 && k < n; k++, given++)
			parts[order[k].idx].permille++;
		free(order);
	} else {
		/* no memory for the fair way: the rest goes to the largest part */
		size_t big = 0;

		for (size_t i = 1; i < n; i++)
			if (parts[i].samples > parts[big].samples)
				big = i;
		parts[big].permille += (unsigned)(1000 - given);
	}
}

/* index of cpu in the sorted v[0..n), or where it would go (*found false) */
static size_t find_cpu(const struct timeline_share *v, size_t n, int cpu, bool *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].cpu < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n && v[lo].cpu == cpu;
	return lo;
}

/* The entry of cpu in s->cpus, made when missing; NULL without memory. */
static struct timeline_share *sum_cpu(struct timeline_thread_sum *s, size_t *cap, int cpu)
{
	bool found;
	size_t at = find_cpu(s->cpus, s->ncpus, cpu, &found);

	if (found)
		return &s->cpus[at];
	if (util_grow(&s->cpus, cap, s->ncpus, 4, sizeof(*s->cpus)))
		return NULL;
	memmove(&s->cpus[at + 1], &s->cpus[at], (s->ncpus - at) * sizeof(*s->cpus));
	s->cpus[at] = (struct timeline_share){ .cpu = cpu };
	s->ncpus++;
	return &s->cpus[at];
}

int timeline_thread_summary(const struct timeline *tl, size_t idx,
			    struct timeline_thread_sum *s)
{
	const struct timeline_thread *t;
	size_t cap = 0;
	int stay_cpu = -1;	/* the CPU of the stay that goes on, -1 for none */
	uint32_t stay_from = 0;

	memset(s, 0, sizeof(*s));
	s->last_cpu = -1;
	if (idx >= tl->nthreads)
		return -EINVAL;
	t = &tl->threads[idx];
	for (size_t r = 0; r < t->nruns; r++) {
		const struct timeline_run *run = &t->runs[r];
		struct timeline_share *c = sum_cpu(s, &cap, run->cpu);
		bool running = timeline_running(run->state);

		if (!c) {
			timeline_thread_summary_free(s);
			return -ENOMEM;
		}
		if (running) {
			if (!c->samples)
				s->ran_cpus++;
			c->samples += run->len;
			s->running += run->len;
		} else {
			c->waiting += run->len;
		}
		s->samples += run->len;
		if (r > 0 && run->cpu != t->runs[r - 1].cpu)
			s->migrations++;
		/* a stay: running samples on one CPU, whatever slots were not sampled and
		 * whatever waiting samples on that CPU came between them; a sample on
		 * another CPU ends it */
		if (run->cpu != stay_cpu)
			stay_cpu = -1;
		if (running) {
			uint32_t span;

			if (stay_cpu < 0) {
				stay_cpu = run->cpu;
				stay_from = run->slot;
			}
			span = run->slot + run->len - stay_from;
			if (span > s->longest)
				s->longest = span;
		}
		s->last_cpu = run->cpu;
		s->last_state = (char)run->state;
	}
	s->longest_s = s->longest * tl->period;
	s->running_permille = s->samples ? (unsigned)((s->running * 1000 + s->samples / 2) /
						      s->samples) : 0;
	/* rounding must not claim all or nothing when that is not so */
	if (s->running && s->running < s->samples && s->running_permille == 1000)
		s->running_permille = 999;
	if (s->running && s->running_permille == 0)
		s->running_permille = 1;
	timeline_permille(s->cpus, s->ncpus);
	if (t->nsched >= 2 && t->sched1.run_ns >= t->sched0.run_ns &&
	    t->sched1.wait_ns >= t->sched0.wait_ns) {
		s->sched = true;
		s->run_ns = t->sched1.run_ns - t->sched0.run_ns;
		s->wait_ns = t->sched1.wait_ns - t->sched0.wait_ns;
		s->sched_s = (t->sched1.slot - t->sched0.slot) * tl->period;
	}
	return 0;
}

void timeline_thread_summary_free(struct timeline_thread_sum *s)
{
	free(s->cpus);
	s->cpus = NULL;
	s->ncpus = 0;
}

static int cmp_share_desc(const void *a, const void *b)
{
	const struct timeline_share *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	if (x->waiting != y->waiting)
		return x->waiting < y->waiting ? 1 : -1;
	return UTIL_CMP(x->cpu, y->cpu);
}

void timeline_cpu_summary_free(struct timeline_cpu_sum *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].threads);
	free(v);
}

/* The entry of cpu in the sorted v[0..*nv), made when missing; NULL without memory. */
static struct timeline_cpu_sum *cpu_entry(struct timeline_cpu_sum **v, size_t *nv,
					  size_t *cap, int cpu)
{
	size_t lo = 0, hi = *nv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((*v)[mid].cpu < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *nv && (*v)[lo].cpu == cpu)
		return &(*v)[lo];
	if (util_grow(v, cap, *nv, 8, sizeof(**v)))
		return NULL;
	memmove(&(*v)[lo + 1], &(*v)[lo], (*nv - lo) * sizeof(**v));
	memset(&(*v)[lo], 0, sizeof((*v)[lo]));
	(*v)[lo].cpu = cpu;
	(*nv)++;
	return &(*v)[lo];
}

int timeline_cpu_summary(const struct timeline *tl, struct timeline_cpu_sum **out, size_t *n)
{
	struct timeline_cpu_sum *v = NULL;
	struct timeline_share *tot = NULL;
	size_t nv = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < tl->nthreads && !rc; i++) {
		struct timeline_thread_sum s;

		rc = timeline_thread_summary(tl, i, &s);
		if (rc)
			break;
		for (size_t k = 0; k < s.ncpus && !rc; k++) {
			struct timeline_cpu_sum *c = cpu_entry(&v, &nv, &cap, s.cpus[k].cpu);
			struct timeline_share *th;

			if (!c) {
				rc = -ENOMEM;
				break;
			}
			th = realloc(c->threads, (c->nthreads + 1) * sizeof(*th));
			if (!th) {
				rc = -ENOMEM;
				break;
			}
			c->threads = th;
			th[c->nthreads++] = (struct timeline_share){ .cpu = (int)i,
								    .samples = s.cpus[k].samples,
								    .waiting = s.cpus[k].waiting };
			c->samples += s.cpus[k].samples;
			c->waiting += s.cpus[k].waiting;
		}
		timeline_thread_summary_free(&s);
	}
	if (!rc && nv) {
		tot = malloc(nv * sizeof(*tot));
		if (!tot)
			rc = -ENOMEM;
	}
	if (rc) {
		timeline_cpu_summary_free(v, nv);
		return rc;
	}
	for (size_t i = 0; i < nv; i++) {
		tot[i] = (struct timeline_share){ .cpu = v[i].cpu, .samples = v[i].samples };
		qsort(v[i].threads, v[i].nthreads, sizeof(*v[i].threads), cmp_share_desc);
		timeline_permille(v[i].threads, v[i].nthreads);
	}
	timeline_permille(tot, nv);
	for (size_t i = 0; i < nv; i++)
		v[i].permille = tot[i].permille;
	free(tot);
	*out = v;
	*n = nv;
	return 0;
}

struct tally {
	int cpu;
	uint32_t n;
};

/* Count cnt samples on cpu in seen[]; the CPU with most so far (ties: the latest) */
static void tally_add(struct tally *seen, size_t *nseen, size_t max, int cpu, uint32_t cnt,
		      int *best, uint32_t *bestn)
{
	size_t k;

	for (k = 0; k < *nseen && seen[k].cpu != cpu; k++)
		;
	if (k == *nseen && *nseen < max)
		seen[(*nseen)++] = (struct tally){ cpu, 0 };
	if (k < *nseen) {
		seen[k].n += cnt;
		cnt = seen[k].n;
	}
	/* >=: a tie goes to the CPU seen last */
	if (cnt >= *bestn) {
		*bestn = cnt;
		*best = cpu;
	}
}

int timeline_majority(const struct timeline *tl, size_t idx, uint32_t from, uint32_t to,
		      size_t *first_run, bool *running)
{
	struct tally ran[32], waited[32];
	const struct timeline_thread *t;
	size_t nran = 0, nwaited = 0, r;
	int best_ran = -1, best_waited = -1;
	uint32_t bestn_ran = 0, bestn_waited = 0;
	uint64_t sum_ran = 0, sum_waited = 0;

	*running = false;
	if (idx >= tl->nthreads || from >= to)
		return -1;
	t = &tl->threads[idx];
	r = first_run ? *first_run : 0;
	/* runs that end before the range are done with */
	while (r < t->nruns && t->runs[r].slot + t->runs[r].len <= from)
		r++;
	if (first_run)
		*first_run = r;
	for (; r < t->nruns && t->runs[r].slot < to; r++) {
		const struct timeline_run *run = &t->runs[r];
		uint32_t a = run->slot > from ? run->slot : from;
		uint32_t b = run->slot + run->len < to ? run->slot + run->len : to;

		if (timeline_running(run->state)) {
			tally_add(ran, &nran, sizeof(ran) / sizeof(ran[0]), run->cpu, b - a,
				  &best_ran, &bestn_ran);
			sum_ran += b - a;
		} else {
			tally_add(waited, &nwaited, sizeof(waited) / sizeof(waited[0]), run->cpu,
				  b - a, &best_waited, &bestn_waited);
			sum_waited += b - a;
		}
	}
	if (sum_ran && sum_ran >= sum_waited) {
		*running = true;
		return best_ran;
	}
	return sum_waited ? best_waited : -1;
}
