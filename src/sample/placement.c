/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placement.c - the placement sampler: each watched thread's last CPU and state, often
 *
 * A thread of its own wakes every 1/rate s (absolute deadlines on CLOCK_MONOTONIC, so the
 * slots do not drift) and, for every watched thread, re-reads /proc/TGID/task/TID/stat
 * from a descriptor opened once (pread at offset 0 regenerates a /proc seq file), takes
 * field 39 (the CPU the thread last ran on) and field 3 (its state: running or runnable,
 * or waiting), and checks field 22 (its start time) against
 * the thread's identity. A read that fails with ESRCH/ENOENT, a start time that differs,
 * or a zombie means the thread is gone: its file is closed and an end record is written.
 *
 * Hand-over: the main thread appends threads to a preallocated array (addresses never
 * change) and publishes the new count under a mutex; the sampler copies the count under
 * that mutex once a pass. Samples leave through a single-producer single-consumer ring
 * that the main thread drains; a full ring refuses the sample and counts it, so the
 * sampler never waits for the rest of taskscope and nothing is lost silently.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/ring.h"
#include "sample/placement.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

#define NSEC 1000000000ULL
#define NAP_MAX_NS 100000000ULL	/* a stop request is seen within 100 ms at low rates */
#define STAT_BUF 1024

struct entry {
	pid_t tgid, tid;
	uint64_t start;
	int fd;			/* the sampler's once published; -1 after the end */
	atomic_bool ended;
};

struct placement {
	int rootfd;
	unsigned rate;
	size_t max;
	struct entry *v;
	size_t n;		/* entries filled; main thread only */

	pthread_mutex_t lock;	/* guards published */
	size_t published;	/* entries the sampler may read */

	struct ring ring;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	uint64_t max_slots;	/* 0: no end */
	struct timespec t0;	/* when slot 0 was due */
	double mono0;

	/* written by the sampler, read by anyone */
	_Atomic uint64_t ticks, missed, slot, samples, unreadable, cpu_ns;
};

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC + (uint64_t)ts->tv_nsec;
}

static struct timespec ns_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC), .tv_nsec = (long)(ns % NSEC) };
}

/* When slot k is due, in ns of CLOCK_MONOTONIC: exact for any k, no drift. */
static uint64_t slot_due(const struct placement *p, uint64_t k)
{
	return ts_ns(&p->t0) + k / p->rate * NSEC + k % p->rate * NSEC / p->rate;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

/* Read a kept-open stat of thread tid that started at start; *cpu gets field 39 and
 * *state field 3, from the same read. -ESRCH: that thread is gone; -EINVAL: not a stat
 * line; -EOPNOTSUPP: no CPU field. */
static int read_cpu(int fd, pid_t tid, uint64_t start, char *buf, size_t cap, int *cpu,
		    char *state)
{
	struct taskfiles_stat st;
	ssize_t len;

	do {
		len = pread(fd, buf, cap - 1, 0);
	} while (len < 0 && errno == EINTR);
	if (len < 0)
		return (errno == ESRCH || errno == ENOENT) ? -ESRCH : -errno;
	if (len == 0)
		return -ESRCH;
	if (taskfiles_parse_stat(buf, (size_t)len, &st))
		return -EINVAL;
	/* another task under that TID, or a zombie that will never run again */
	if (st.pid != tid || st.start != start || st.state == 'Z' || st.state == 'X')
		return -ESRCH;
	if (st.cpu < 0)
		return -EOPNOTSUPP;
	*cpu = st.cpu;
	*state = st.state;
	return 0;
}

int placement_new(struct placement **out, int rootfd, unsigned rate_hz, size_t max_threads,
		  size_t ring_records)
{
	struct placement *p;
	int rc;

	if (rate_hz < 1 || rate_hz > PLACEMENT_MAX_RATE || max_threads < 1 ||
	    max_threads > PLACEMENT_MAX_THREADS || rootfd < 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->v = calloc(max_threads, sizeof(*p->v));
	if (!p->v) {
		free(p);
		return -ENOMEM;
	}
	rc = ring_init(&p->ring, ring_records, sizeof(struct placement_sample));
	if (rc) {
		free(p->v);
		free(p);
		return rc;
	}
	rc = -pthread_mutex_init(&p->lock, NULL);
	if (rc) {
		ring_free(&p->ring);
		free(p->v);
		free(p);
		return rc;
	}
	p->rootfd = rootfd;
	p->rate = rate_hz;
	p->max = max_threads;
	atomic_init(&p->stop, false);
	atomic_init(&p->ticks, 0);
	atomic_init(&p->missed, 0);
	atomic_init(&p->slot, 0);
	atomic_init(&p->samples, 0);
	atomic_init(&p->unreadable, 0);
	atomic_init(&p->cpu_ns, 0);
	*out = p;
	return 0;
}

void placement_free(struct placement *p)
{
	if (!p)
		return;
	placement_stop(p);
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].fd >= 0)
			close(p->v[i].fd);
	pthread_mutex_destroy(&p->lock);
	ring_free(&p->ring);
	free(p->v);
	free(p);
}

int placement_add(struct placement *p, pid_t tgid, pid_t tid, uint64_t start_ticks,
		  size_t *idx)
{
	char path[48], buf[STAT_BUF];
	struct entry *e;
	int fd, rc, cpu;
	char state;

	if (p->n >= p->max)
		return -ENOSPC;
	snprintf(path, sizeof(path), "%d/task/%d/stat", (int)tgid, (int)tid);
	fd = source_openat(p->rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	rc = read_cpu(fd, tid, start_ticks, buf, sizeof(buf), &cpu, &state);
	if (rc) {
		close(fd);
		return rc;
	}
	e = &p->v[p->n];
	e->tgid = tgid;
	e->tid = tid;
	e->start = start_ticks;
	e->fd = fd;
	atomic_init(&e->ended, false);
	*idx = p->n++;
	pthread_mutex_lock(&p->lock);
	p->published = p->n;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void push(struct placement *p, uint64_t slot, size_t idx, int cpu, char state,
		 uint16_t kind)
{
	struct placement_sample s = {
		.slot = (uint32_t)slot, .idx = (uint32_t)idx, .cpu = cpu, .kind = kind,
		.state = state,
	};

	if (ring_push(&p->ring, &s) == 0 && kind == PLACEMENT_SAMPLE)
		atomic_store_explicit(&p->samples,
				      atomic_load_explicit(&p->samples, memory_order_relaxed) + 1,
				      memory_order_relaxed);
}

static void sample_one(struct placement *p, struct entry *e, size_t idx, uint64_t slot,
		       char *buf)
{
	int cpu = -1, rc;
	char state = 0;

	if (e->fd < 0)
		return;
	rc = read_cpu(e->fd, e->tid, e->start, buf, STAT_BUF, &cpu, &state);
	if (rc == -ESRCH) {
		close(e->fd);
		e->fd = -1;
		atomic_store_explicit(&e->ended, true, memory_order_release);
		push(p, slot, idx, -1, 0, PLACEMENT_ENDED);
		return;
	}
	if (rc) {
		atomic_fetch_add_explicit(&p->unreadable, 1, memory_order_relaxed);
		return;
	}
	push(p, slot, idx, cpu, state, PLACEMENT_SAMPLE);
}

/* Sleep until due (ns); true when a stop was asked for meanwhile. */
static bool sleep_until(struct placement *p, uint64_t due)
{
	for (;;) {
		uint64_t now;
		struct timespec ts;

		if (atomic_load_explicit(&p->stop, memory_order_acquire))
			return true;
		now = mono_ns();
		if (now >= due)
			return false;
		ts = ns_ts(due - now > NAP_MAX_NS ? now + NAP_MAX_NS : due);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static void *sampler_main(void *arg)
{
	struct placement *p = arg;
	char buf[STAT_BUF];
	uint64_t slot = 0;
	struct timespec cpu;

	while ((!p->max_slots || slot < p->max_slots) && !sleep_until(p, slot_due(p, slot))) {
		uint64_t now, cur;
		size_t n;

		pthread_mutex_lock(&p->lock);
		n = p->published;
		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < n; i++)
			sample_one(p, &p->v[i], i, slot, buf);
		atomic_fetch_add_explicit(&p->ticks, 1, memory_order_relaxed);

		/* the slot that is due now: a pass that overran skips the slots it missed */
		now = mono_ns();
		cur = (now - ts_ns(&p->t0)) / NSEC * p->rate +
		      (now - ts_ns(&p->t0)) % NSEC * p->rate / NSEC;
		if (p->max_slots && cur > p->max_slots)
			cur = p->max_slots;	/* nothing is missed past the end */
		if (cur > slot) {
			atomic_fetch_add_explicit(&p->missed, cur - slot - 1, memory_order_relaxed);
			slot = cur;
		} else {
			slot++;
		}
		atomic_store_explicit(&p->slot, slot, memory_order_relaxed);
	}
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
		atomic_store_explicit(&p->cpu_ns, ts_ns(&cpu), memory_order_relaxed);
	return NULL;
}

int placement_start(struct placement *p, uint64_t max_slots)
{
	sigset_t all, old;
	int rc;

	if (p->running)
		return -EALREADY;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->mono0 = (double)p->t0.tv_sec + (double)p->t0.tv_nsec / 1e9;
	atomic_store(&p->stop, false);
	p->max_slots = max_slots;
	/* signals are for the main thread (spawn's forwarding, Ctrl-C): the sampler blocks all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&p->thread, NULL, sampler_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return rc;
	p->running = true;
	return 0;
}

void placement_stop(struct placement *p)
{
	if (!p->running)
		return;
	atomic_store_explicit(&p->stop, true, memory_order_release);
	pthread_join(p->thread, NULL);
	p->running = false;
}

void placement_finish(struct placement *p)
{
	uint64_t slot = atomic_load_explicit(&p->slot, memory_order_relaxed);
	char buf[STAT_BUF];

	if (p->running)
		return;		/* the ring has one producer: the sampler, while it runs */
	for (size_t i = 0; i < p->n; i++) {
		struct entry *e = &p->v[i];
		int cpu, rc;
		char state;

		if (e->fd < 0)
			continue;
		rc = read_cpu(e->fd, e->tid, e->start, buf, sizeof(buf), &cpu, &state);
		if (rc != -ESRCH)
			continue;
		close(e->fd);
		e->fd = -1;
		atomic_store_explicit(&e->ended, true, memory_order_release);
		push(p, slot, i, -1, 0, PLACEMENT_ENDED);
	}
}

size_t placement_drain(struct placement *p, struct placement_sample *out, size_t max)
{
	return ring_pop(&p->ring, out, max);
}

bool placement_ended(const struct placement *p, size_t idx)
{
	if (idx >= p->n)
		return false;
	return atomic_load_explicit(&((struct placement *)p)->v[idx].ended, memory_order_acquire);
}

uint64_t placement_slot(const struct placement *p)
{
	return atomic_load_explicit(&((struct placement *)p)->slot, memory_order_relaxed);
}

void placement_stats(const struct placement *p, struct placement_stats *st)
{
	struct placement *q = (struct placement *)p;	/* atomics are read, never written */

	memset(st, 0, sizeof(*st));
	st->ticks = atomic_load_explicit(&q->ticks, memory_order_relaxed);
	st->missed = atomic_load_explicit(&q->missed, memory_order_relaxed);
	st->slots = atomic_load_explicit(&q->slot, memory_order_relaxed);
	st->samples = atomic_load_explicit(&q->samples, memory_order_relaxed);
	st->dropped = ring_dropped(&q->ring);
	st->unreadable = atomic_load_explicit(&q->unreadable, memory_order_relaxed);
	st->mono0 = p->mono0;
	if (p->running) {
		clockid_t cid;
		struct timespec ts;

		if (pthread_getcpuclockid(p->thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
			st->cpu_s = (double)ts_ns(&ts) / 1e9;
	} else {
		st->cpu_s = (double)atomic_load_explicit(&q->cpu_ns, memory_order_relaxed) / 1e9;
	}
}
