/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuiwork.c - the TUI's sampler thread: snapshots and panel data taken off the input path
 *
 * The UI thread never reads /proc: it says what it wants (tuiwork_set), and this thread
 * takes the snapshots (process rows, thread rows of the expanded processes, the costly
 * memory columns of the processes on screen) and builds the open panel's text, then hands
 * a finished frame over under a mutex and wakes the UI through an eventfd. A read that
 * blocks (a task stuck in D state) blocks this thread only.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/columns.h"
#include "model/mapcols.h"
#include "model/memmap.h"
#include "model/placewatch.h"
#include "model/sharing.h"
#include "model/system.h"
#include "model/tasklist.h"
#include "model/timeline.h"
#include "target/target.h"
#include "view/cpus.h"
#include "view/maps.h"
#include "view/sharefmt.h"
#include "view/tuiwork.h"
#include "view/tuiworkint.h"


static void want_free(struct tuiwork_want *w)
{
	free(w->expanded);
	free(w->visible);
	free(w->panel_ids);
	memset(w, 0, sizeof(*w));
}

static int dup_pids(pid_t **dst, const pid_t *src, size_t n)
{
	*dst = NULL;
	if (!n)
		return 0;
	*dst = malloc(n * sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * sizeof(**dst));
	return 0;
}

static int want_copy(struct tuiwork_want *dst, const struct tuiwork_want *src)
{
	*dst = *src;
	dst->expanded = dst->visible = dst->panel_ids = NULL;
	if (dup_pids(&dst->expanded, src->expanded, src->nexpanded) ||
	    dup_pids(&dst->visible, src->visible, src->nvisible) ||
	    dup_pids(&dst->panel_ids, src->panel_ids, src->npanel_ids)) {
		want_free(dst);
		return -ENOMEM;
	}
	return 0;
}

void tuiwork_frame_free(struct tuiwork_frame *f)
{
	if (!f)
		return;
	snapshot_put(f->procs);
	snapshot_put(f->threads);
	snapshot_put(f->mem);
	for (size_t i = 0; i < f->nlines; i++)
		free(f->lines[i]);
	free(f->lines);
	free(f);
}

/* The costly columns of every watched process, read again once the last reading is
 * TUIWORK_MEM_ALL_EVERY seconds old (or the delay, when that is longer): a list sorted by
 * PSS must know every process's PSS, at a cost the header states. */
static void mem_all(struct tuiwork *w, struct tuiwork_frame *f, const pid_t *tgids, size_t n,
		    double delay)
{
	double every = delay > TUIWORK_MEM_ALL_EVERY ? delay : TUIWORK_MEM_ALL_EVERY;
	const struct snapshot *sn;

	if ((!w->mem_last || util_monotonic() - w->mem_last->mono >= every - 0.05) &&
	    sampler_take(w->mem, tgids, n, &sn) == 0) {
		snapshot_put(w->mem_last);
		w->mem_last = snapshot_hold(sn);
	}
	if (w->mem_last) {
		f->mem = snapshot_hold(w->mem_last);
		f->mem_all = true;
	}
}

/* ---- one pass -------------------------------------------------------------------------- */

static void samplers_free(struct tuiwork *w)
{
	snapshot_put(w->mem_last);
	w->mem_last = NULL;
	snapshot_put(w->last_procs);
	w->last_procs = NULL;
	sampler_free(w->procs);
	sampler_free(w->threads);
	sampler_free(w->mem);
	w->procs = w->threads = w->mem = NULL;
}

static int samplers_make(struct tuiwork *w, unsigned readers)
{
	/* the list needs stat (names, tree, sorting) whatever the columns; the memory of the
	 * visible processes is matched to the list's rows by start time */
	unsigned cheap = (readers & ~TASKLIST_VISIBLE_READERS) | RD_STAT;
	int rc;

	samplers_free(w);
	rc = sampler_new(&w->procs, cheap, false);
	if (!rc)
		rc = sampler_new(&w->threads, cheap, true);
	if (!rc && (readers & TASKLIST_VISIBLE_READERS))
		rc = sampler_new(&w->mem, (readers & TASKLIST_VISIBLE_READERS) | RD_STAT, false);
	if (rc)
		samplers_free(w);
	else
		w->readers = readers;
	return rc;
}

/* Keep only the ids that are in the watched set (sorted tgids). */
static size_t keep_watched(pid_t *ids, size_t n, const pid_t *tgids, size_t ntg, bool all)
{
	size_t k = 0;

	if (all)
		return n;
	for (size_t i = 0; i < n; i++)
		if (bsearch(&ids[i], tgids, ntg, sizeof(*tgids), util_cmp_int))
			ids[k++] = ids[i];
	return k;
}

/* The -p PIDs found reused, one message (several joined by "; "). */
static void note_reused(struct target *tg, char *buf, size_t len)
{
	struct target_reuse *r;
	size_t n, off = 0;

	if (target_take_reused(tg, &r, &n))
		return;
	for (size_t i = 0; i < n && off + 3 < len; i++) {
		if (i)
			off += (size_t)snprintf(buf + off, len - off, "; ");
		if (off < len)
			target_reuse_text(&r[i], buf + off, len - off);
		off += strlen(buf + off);
	}
	free(r);
}

static struct tuiwork_frame *pass(struct tuiwork *w, struct tuiwork_want *want)
{
	struct tuiwork_frame *f = calloc(1, sizeof(*f));
	const struct snapshot *sn;
	pid_t *tgids = NULL;
	size_t n = 0;
	bool all = false;
	double t0 = util_monotonic();
	int rc;

	if (!f)
		return NULL;
	f->panel = want->panel;
	if (!w->procs || w->readers != want->readers) {
		rc = samplers_make(w, want->readers);
		if (rc) {
			f->err = rc;
			return f;
		}
	}
	rc = target_resolve(w->tg, w->procs, &tgids, &n, &all);
	if (rc) {
		f->err = rc;
		return f;
	}
	note_reused(w->tg, f->note, sizeof(f->note));
	if (n > 1)
		qsort(tgids, n, sizeof(*tgids), util_cmp_int);
	f->all = all;
	if (w->last_procs && t0 - w->last_procs->mono < 0.5 &&
	    t0 - w->last_procs->mono < want->delay / 2) {
		/* a pass asked at once (a new view) right after another: the process rows
		 * are fresh, and over so short an interval they would have no CPU use */
		f->procs = snapshot_hold(w->last_procs);
		f->nwatched = f->procs->nprocs;
	} else if (all || n) {
		rc = sampler_take(w->procs, all ? NULL : tgids, n, &sn);
		if (rc)
			goto fail;
		f->procs = snapshot_hold(sn);
		f->nwatched = sn->nprocs;
		snapshot_put(w->last_procs);
		w->last_procs = snapshot_hold(sn);
	} else {
		snapshot_put(w->last_procs);
		w->last_procs = NULL;
	}
	if (f->procs && want->all_threads) {
		rc = sampler_take(w->threads, all ? NULL : tgids, n, &sn);
		if (rc)
			goto fail;
		f->threads = snapshot_hold(sn);
	} else if (f->procs && want->nexpanded) {
		want->nexpanded = keep_watched(want->expanded, want->nexpanded, tgids, n, all);
		if (want->nexpanded) {
			rc = sampler_take(w->threads, want->expanded, want->nexpanded, &sn);
			if (rc)
				goto fail;
			f->threads = snapshot_hold(sn);
		}
	}
	if (!want->mem_all && w->mem_last) {
		snapshot_put(w->mem_last);
		w->mem_last = NULL;
	}
	if (f->procs && w->mem && want->mem_all) {
		mem_all(w, f, all ? NULL : tgids, n, want->delay);
	} else if (f->procs && w->mem && want->nvisible) {
		want->nvisible = keep_watched(want->visible, want->nvisible, tgids, n, all);
		if (want->nvisible) {
			rc = sampler_take(w->mem, want->visible, want->nvisible, &sn);
			if (!rc)
				f->mem = snapshot_hold(sn);
		}
	}
	f->have_cpu = !cpuload_busy(w->cpus, &f->cpu_all, f->cpu_each, TUIWORK_MAX_CPUS,
				       &f->ncpus);
	system_read_mem(w->rootfd, &f->sys);
	if (want->panel != PANEL_CPUS)
		tuiwork_place_stop(w);
	if (want->panel == PANEL_MAPS && want->npanel_ids)
		rc = tuiwork_panel_maps(w, f, want->panel_ids[0]);
	else if (want->panel == PANEL_SHARE && want->npanel_ids)
		rc = tuiwork_panel_share(w, f, want->panel_ids, want->npanel_ids);
	else if (want->panel == PANEL_CPUS && want->npanel_ids)
		rc = tuiwork_panel_cpus(w, f, want->panel_ids[0]);
	else
		rc = 0;
	if (rc)
		tuiwork_add_line(f, "cannot build the view: %s", strerror(-rc));
	free(tgids);
	f->took = util_monotonic() - t0;
	return f;
fail:
	free(tgids);
	f->err = rc;
	return f;
}

/* The worker's own resources, freed by the worker when it stops. */
static void worker_release(struct tuiwork *w)
{
	tuiwork_place_stop(w);
	tuiwork_frame_free(w->ready);
	w->ready = NULL;
	samplers_free(w);
	sampler_free(w->place);
	w->place = NULL;
	cpuload_free(w->cpus);
	w->cpus = NULL;
	free(w->share_text);
	w->share_text = NULL;
	want_free(&w->want);
	close(w->rootfd);
	w->rootfd = -1;
}

static void *worker_main(void *arg)
{
	struct tuiwork *w = arg;
	double next = 0;

	pthread_mutex_lock(&w->lock);
	w->tid = (pid_t)syscall(SYS_gettid);
	for (;;) {
		struct tuiwork_want want;
		struct tuiwork_frame *f;
		double now = util_monotonic();
		uint64_t one = 1;

		if (w->stop)
			break;
		if (!w->kick && (w->want.paused || now < next)) {
			struct timespec ts;
			double until = w->want.paused ? now + 3600 : next;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			until = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + (until - now);
			ts.tv_sec = (time_t)until;
			ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
			pthread_cond_timedwait(&w->cond, &w->lock, &ts);
			continue;
		}
		w->kick = false;
		if (want_copy(&want, &w->want)) {
			next = now + 1;
			continue;
		}
		w->busy_since = util_monotonic();
		pthread_mutex_unlock(&w->lock);

		f = pass(w, &want);

		pthread_mutex_lock(&w->lock);
		w->busy_since = 0;
		next = now + (want.delay > 0.05 ? want.delay : 0.05);
		want_free(&want);
		if (f) {
			f->seq = ++w->seq;
			/* a note of a frame the UI did not take is not lost */
			if (w->ready && w->ready->note[0] && !f->note[0])
				memcpy(f->note, w->ready->note, sizeof(f->note));
			tuiwork_frame_free(w->ready);
			w->ready = f;
			if (write(w->wakefd, &one, sizeof(one)) < 0)
				(void)0;	/* the counter is full: the UI is woken anyway */
		}
	}
	worker_release(w);
	w->done = true;
	pthread_cond_broadcast(&w->cond);
	/* Park until the process exits: libproc2 keeps per-thread read buffers that a
	 * thread's exit would leave unreachable (a leak report), and a parked thread costs
	 * nothing. */
	for (;;)
		pthread_cond_wait(&w->cond, &w->lock);
	return NULL;
}

int tuiwork_start(struct tuiwork **out, struct target *tg, const struct tuiwork_want *want,
		  int wakefd)
{
	struct tuiwork *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	int rc;

	if (!w)
		return -ENOMEM;
	w->tg = tg;
	w->wakefd = wakefd;
	w->kick = true;
	w->rootfd = system_open_root();
	if (w->rootfd < 0) {
		rc = w->rootfd;
		free(w);
		return rc;
	}
	rc = want_copy(&w->want, want);
	if (!rc)
		rc = cpuload_new(&w->cpus);
	if (!rc) {
		double all, each[1];
		int n;

		/* prime it: the first frame's CPU bars then cover the first interval */
		cpuload_busy(w->cpus, &all, each, 0, &n);
		rc = samplers_make(w, want->readers);
	}
	if (rc)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	rc = -pthread_create(&w->thread, NULL, worker_main, w);
	if (rc) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	samplers_free(w);
	cpuload_free(w->cpus);
	want_free(&w->want);
	close(w->rootfd);
	free(w);
	return rc;
}

bool tuiwork_stop(struct tuiwork *w, double timeout)
{
	struct timespec ts;
	double until;
	bool done;

	if (!w)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + timeout;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	while (!w->done && pthread_cond_timedwait(&w->cond, &w->lock, &ts) != ETIMEDOUT)
		;
	done = w->done;
	pthread_mutex_unlock(&w->lock);
	return done;
}

int tuiwork_set(struct tuiwork *w, const struct tuiwork_want *want, bool now)
{
	struct tuiwork_want copy;
	int rc = want_copy(&copy, want);

	if (rc)
		return rc;
	pthread_mutex_lock(&w->lock);
	want_free(&w->want);
	w->want = copy;
	if (now)
		w->kick = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

struct tuiwork_frame *tuiwork_take(struct tuiwork *w)
{
	struct tuiwork_frame *f;

	pthread_mutex_lock(&w->lock);
	f = w->ready;
	w->ready = NULL;
	pthread_mutex_unlock(&w->lock);
	return f;
}

/* ---- a pass that does not end ------------------------------------------------------------ */

double tuiwork_busy(struct tuiwork *w, char *where, size_t len)
{
	double since;
	pid_t tid;

	if (where && len)
		where[0] = '\0';
	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	since = w->busy_since;
	tid = w->tid;
	pthread_mutex_unlock(&w->lock);
	if (!since)
		return 0;
	if (where && len && tid > 0)
		system_thread_reading(tid, where, len);
	return util_monotonic() - since;
}
