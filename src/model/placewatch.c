/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placewatch.c - the placement engine: watched threads, the placement sampler, the timeline */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/placewatch.h"
#include "sample/proc2.h"
#include "sample/source.h"
#include "sample/taskfiles.h"
#include "sample/threads.h"

#define DRAIN_BATCH	4096
#define NOT_WATCHED	SIZE_MAX

/* A thread seen by a scan: watched (idx) or refused (NOT_WATCHED), by (tid, start). */
struct known {
	pid_t tid;
	uint64_t start;
	size_t idx;
};

struct placewatch {
	struct placement *pl;
	struct timeline tl;
	int rootfd;
	bool details;
	size_t max_threads;
	struct known *known;		/* sorted by (tid, start) */
	size_t nknown, capknown;
	size_t unwatched;
	bool limit_hit;			/* the timeline is full: sampling must stop */
	struct placement_sample *buf;
	uint64_t tree_slots;		/* with trees: slots sampled (no sampler) */
};

int placewatch_new(struct placewatch **out, const struct placewatch_config *c)
{
	struct placewatch *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->rootfd = c->rootfd;
	w->details = c->details;
	w->max_threads = c->max_threads;
	w->buf = malloc(DRAIN_BATCH * sizeof(*w->buf));
	rc = w->buf ? timeline_init(&w->tl, c->rate, c->max_runs) : -ENOMEM;
	if (rc) {
		free(w->buf);
		free(w);
		return rc;
	}
	rc = c->trees ? 0 : placement_new(&w->pl, c->rootfd, c->rate, c->max_threads,
					    c->ring_records);
	if (rc) {
		timeline_free(&w->tl);
		free(w->buf);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void placewatch_free(struct placewatch *w)
{
	if (!w)
		return;
	placement_free(w->pl);
	timeline_free(&w->tl);
	free(w->known);
	free(w->buf);
	free(w);
}

int placewatch_start(struct placewatch *w, uint64_t max_slots)
{
	if (!w->pl)
		return -EINVAL;	/* trees have no sampler to start */
	return placement_start(w->pl, max_slots);
}


static int cmp_known(pid_t tid, uint64_t start, const struct known *k)
{
	if (tid != k->tid)
		return tid < k->tid ? -1 : 1;
	return UTIL_CMP(start, k->start);
}

/* Where (tid, start) is or would go in w->known; *found tells which. */
static size_t known_find(const struct placewatch *w, pid_t tid, uint64_t start, bool *found)
{
	size_t lo = 0, hi = w->nknown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_known(tid, start, &w->known[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < w->nknown && !cmp_known(tid, start, &w->known[lo]);
	return lo;
}

static int known_insert(struct placewatch *w, size_t at, pid_t tid, uint64_t start, size_t idx)
{
	if (util_grow(&w->known, &w->capknown, w->nknown, 256, sizeof(*w->known)))
		return -ENOMEM;
	memmove(&w->known[at + 1], &w->known[at], (w->nknown - at) * sizeof(*w->known));
	w->known[at] = (struct known){ .tid = tid, .start = start, .idx = idx };
	w->nknown++;
	return 0;
}

/* The affinity of tid as CPU list text (malloc'ed), NULL when it cannot be read. */
static char *affinity_of(pid_t tid)
{
	struct cpulist cl;
	char buf[2048];
	int rc;

	if (taskfiles_affinity(tid, &cl))
		return NULL;
	rc = util_cpulist_format(&cl, buf, sizeof(buf));
	util_cpulist_free(&cl);
	return strdup(rc ? "?" : buf);
}

/* schedstat of a thread by path, read before its identity is checked (see refresh) */
struct schedread {
	bool ok;
	uint64_t run_ns, wait_ns;
};

static struct schedread schedstat_of(int rootfd, pid_t tgid, pid_t tid)
{
	struct schedread r = { .ok = false };
	char path[64], buf[128];
	uint64_t slices;
	size_t len;

	snprintf(path, sizeof(path), "%d/task/%d/schedstat", (int)tgid, (int)tid);
	if (taskfiles_read(rootfd, path, buf, sizeof(buf), &len) == 0 &&
	    taskfiles_parse_schedstat(buf, len, &r.run_ns, &r.wait_ns, &slices) == 0)
		r.ok = true;
	return r;
}

static void free_rows(struct task *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].comm);
	free(rows);
}

int placewatch_refresh(struct placewatch *w, const pid_t *tgids, size_t n, bool all,
		       bool add, bool limit, size_t *found)
{
	struct task *rows = NULL;
	char **tentative = NULL;
	struct schedread *tsched = NULL;
	size_t nrows = 0, ntent = w->details ? w->tl.nthreads : 0;
	uint32_t slot;
	int rc = 0;

	*found = 0;
	if (ntent) {
		tentative = calloc(ntent, sizeof(*tentative));
		tsched = calloc(ntent, sizeof(*tsched));
		if (!tentative || !tsched) {
			free(tentative);
			free(tsched);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ntent; i++) {
			const struct timeline_thread *th = &w->tl.threads[i];

			if (placement_ended(w->pl, i))
				continue;
			tentative[i] = affinity_of(th->tid);
			tsched[i] = schedstat_of(w->rootfd, th->tgid, th->tid);
		}
	}
	if (all || n)
		rc = threads_scan(w->rootfd, all ? NULL : tgids, n, &rows, &nrows);
	if (rc)
		goto out;
	*found = nrows;
	if (limit && nrows > w->max_threads) {
		rc = -E2BIG;
		goto out;
	}
	slot = (uint32_t)placement_slot(w->pl);
	for (size_t r = 0; r < nrows && !rc; r++) {
		const struct task *t = &rows[r];
		bool hit;
		size_t at = known_find(w, t->tid, t->start_ticks, &hit), idx, tidx;
		struct schedread sr;
		char *aff;

		if (hit) {
			idx = w->known[at].idx;
			if (idx == NOT_WATCHED)
				continue;
			if (idx < ntent && tsched[idx].ok)
				timeline_set_schedstat(&w->tl, idx, slot, tsched[idx].run_ns,
						       tsched[idx].wait_ns);
			if (idx < ntent && tentative[idx])
				rc = timeline_set_affinity(&w->tl, idx, slot, tentative[idx]);
			if (!rc)
				rc = timeline_set_comm(&w->tl, idx, t->comm ? t->comm : "");
			continue;
		}
		if (!add)
			continue;
		aff = w->details ? affinity_of(t->tid) : NULL;
		sr = w->details ? schedstat_of(w->rootfd, t->tgid, t->tid)
				: (struct schedread){ .ok = false };
		rc = placement_add(w->pl, t->tgid, t->tid, t->start_ticks, &idx);
		if (rc == -ENOSPC || rc == -EMFILE || rc == -ENFILE) {
			free(aff);
			w->unwatched++;
			rc = known_insert(w, at, t->tid, t->start_ticks, NOT_WATCHED);
			continue;
		}
		if (rc) {
			free(aff);
			rc = 0;		/* gone since the scan, or unreadable: not watched */
			continue;
		}
		rc = timeline_add_thread(&w->tl, t->tgid, t->tid, t->start_ticks,
					 t->comm ? t->comm : "", &tidx);
		if (!rc && tidx != idx)
			rc = -EPROTO;	/* the sampler and the timeline number threads alike */
		if (!rc && aff)
			rc = timeline_set_affinity(&w->tl, idx, slot, aff);
		if (!rc && sr.ok)
			rc = timeline_set_schedstat(&w->tl, idx, slot, sr.run_ns, sr.wait_ns);
		if (!rc)
			rc = known_insert(w, at, t->tid, t->start_ticks, idx);
		free(aff);
	}
out:
	for (size_t i = 0; i < ntent; i++)
		free(tentative[i]);
	free(tentative);
	free(tsched);
	free_rows(rows, nrows);
	return rc;
}

/* ---- trees with /proc's layout (cpus --proc-root) ---------------------------------------- */

/* The affinity of a tree's thread (status Cpus_allowed_list) as CPU list text, or NULL */
static char *tree_affinity(int rootfd, pid_t tgid, pid_t tid)
{
	struct cpulist cl;
	char buf[2048];
	int rc;

	if (taskfiles_status_affinity(rootfd, tgid, tid, &cl))
		return NULL;
	rc = util_cpulist_format(&cl, buf, sizeof(buf));
	util_cpulist_free(&cl);
	return strdup(rc ? "?" : buf);
}

/* A thread of a tree's or a recording's sample: its name kept up to date when it is
 * watched, watched from now when it is new and there is room, else counted as not watched;
 * its index in *idx (NOT_WATCHED when it is not watched) */
static int watch_thread(struct placewatch *w, const struct task *t, size_t *idx)
{
	bool hit;
	size_t at = known_find(w, t->tid, t->start_ticks, &hit);
	int rc;

	if (hit) {
		*idx = w->known[at].idx;
		if (*idx == NOT_WATCHED)
			return 0;
		rc = timeline_set_comm(&w->tl, *idx, t->comm ? t->comm : "");
	} else if (w->tl.nthreads >= w->max_threads) {
		*idx = NOT_WATCHED;
		w->unwatched++;
		return known_insert(w, at, t->tid, t->start_ticks, NOT_WATCHED);
	} else {
		rc = timeline_add_thread(&w->tl, t->tgid, t->tid, t->start_ticks,
					 t->comm ? t->comm : "", idx);
		if (!rc)
			rc = known_insert(w, at, t->tid, t->start_ticks, *idx);
	}
	return rc;
}

/* A thread of a sample from rows: watched from now (or refused), with the details its
 * row has; *idx as watch_thread's */
static int row_thread(struct placewatch *w, uint32_t slot, const struct task *t, size_t *idx)
{
	int rc = watch_thread(w, t, idx);

	if (rc || *idx == NOT_WATCHED || !w->details)
		return rc;
	if (t->aff_av == TS_OK && t->affinity)
		rc = timeline_set_affinity(&w->tl, *idx, slot, t->affinity);
	if (!rc && t->schedstat_av == TS_OK)
		rc = timeline_set_schedstat(&w->tl, *idx, slot, t->run_ns, t->wait_ns);
	return rc;
}

int placewatch_rows_sample(struct placewatch *w, uint32_t slot, const struct task *rows,
			   size_t n, bool (*keep)(const struct task *t, void *arg), void *arg)
{
	size_t before = w->tl.nthreads;
	bool *seen;
	int rc = 0;

	if (w->pl || (w->tree_slots && slot < w->tree_slots))
		return -EINVAL;	/* a sampler's, or slots going back */
	seen = calloc(before ? before : 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (size_t r = 0; !rc && r < n; r++) {
		size_t idx;

		if (keep && !keep(&rows[r], arg))
			continue;
		rc = row_thread(w, slot, &rows[r], &idx);
		if (rc || idx == NOT_WATCHED)
			continue;
		if (idx < before)
			seen[idx] = true;
		if (timeline_add_sample(&w->tl, idx, slot, rows[r].cpu, rows[r].state) == -ENOSPC)
			w->limit_hit = true;
	}
	for (size_t i = 0; !rc && i < before; i++)
		if (!seen[i] && w->tl.threads[i].end_slot == TIMELINE_NO_SLOT)
			timeline_end_thread(&w->tl, i, slot);
	if (!rc)
		w->tree_slots = slot + 1;
	free(seen);
	return rc;
}

/* A tree's thread row given the details a watched thread's timeline keeps: its affinity
 * (status) and run and wait time (schedstat) */
static void tree_details(int rootfd, struct task *t)
{
	struct schedread sr = schedstat_of(rootfd, t->tgid, t->tid);

	t->affinity = tree_affinity(rootfd, t->tgid, t->tid);
	t->aff_av = t->affinity ? TS_OK : TS_NA;
	t->schedstat_av = sr.ok ? TS_OK : TS_NA;
	t->run_ns = sr.run_ns;
	t->wait_ns = sr.wait_ns;
}

int placewatch_tree_sample(struct placewatch *w, int rootfd, uint32_t slot,
			   const pid_t *tgids, size_t n, bool all)
{
	struct task *rows = NULL;
	size_t nrows = 0;
	int rc = 0;

	if (all || n)
		rc = threads_scan(rootfd, all ? NULL : tgids, n, &rows, &nrows);
	for (size_t r = 0; !rc && w->details && r < nrows; r++)
		tree_details(rootfd, &rows[r]);
	/* a watched thread this tree lacks ends here */
	if (!rc)
		rc = placewatch_rows_sample(w, slot, rows, nrows, NULL, NULL);
	proc2_free_tasks(rows, nrows);
	return rc;
}

int placewatch_sample_trees(struct placewatch *w, char *const *dirs, size_t ndirs,
			    const pid_t *tgids, size_t n, bool all, char *why, size_t whylen)
{
	struct source *src;
	int rc = source_open_trees(&src, dirs, ndirs, why, whylen);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < ndirs; i++) {
		rc = placewatch_tree_sample(w, source_rootfd(src), (uint32_t)i, tgids, n, all);
		source_step(src);
	}
	source_close(src);
	if (rc)
		snprintf(why, whylen, "cannot read the --proc-root trees: %s", strerror(-rc));
	return rc;
}

void placewatch_drain(struct placewatch *w)
{
	if (!w->pl)
		return;
	for (;;) {
		size_t n = placement_drain(w->pl, w->buf, DRAIN_BATCH);

		for (size_t i = 0; i < n; i++) {
			const struct placement_sample *s = &w->buf[i];

			if (s->idx >= w->tl.nthreads)
				continue;	/* added to the sampler, not to the timeline */

			if (s->kind == PLACEMENT_ENDED)
				timeline_end_thread(&w->tl, s->idx, s->slot);
			else if (timeline_add_sample(&w->tl, s->idx, s->slot, s->cpu,
						     s->state) == -ENOSPC)
				w->limit_hit = true;
		}
		if (n < DRAIN_BATCH)
			break;
	}
}


void placewatch_stop(struct placewatch *w)
{
	if (!w->pl)
		return;
	placement_stop(w->pl);
	placement_finish(w->pl);
	placewatch_drain(w);
}

void placewatch_close_timeline(struct placewatch *w, uint64_t max_slots)
{
	struct placement_stats st;

	placewatch_stats(w, &st);
	/* an end record the ring had no room for: the thread ended after its last sample */
	for (size_t i = 0; w->pl && i < w->tl.nthreads; i++) {
		const struct timeline_thread *t = &w->tl.threads[i];

		if (placement_ended(w->pl, i) && t->end_slot == TIMELINE_NO_SLOT)
			timeline_end_thread(&w->tl, i,
					    t->nruns ? t->runs[t->nruns - 1].slot +
						       t->runs[t->nruns - 1].len
						     : (uint32_t)st.slots);
	}
	timeline_cover(&w->tl, (uint32_t)(st.slots > max_slots ? max_slots : st.slots));
}

struct timeline *placewatch_timeline(struct placewatch *w)
{
	return &w->tl;
}

bool placewatch_limit_hit(const struct placewatch *w)
{
	return w->limit_hit;
}

size_t placewatch_unwatched(const struct placewatch *w)
{
	return w->unwatched;
}

uint64_t placewatch_slot(const struct placewatch *w)
{
	return w->pl ? placement_slot(w->pl) : w->tree_slots;
}

void placewatch_stats(const struct placewatch *w, struct placement_stats *st)
{
	if (w->pl) {
		placement_stats(w->pl, st);
		return;
	}
	memset(st, 0, sizeof(*st));
	st->ticks = st->slots = w->tree_slots;
	st->samples = w->tl.samples;
}
