/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_timeline.c - unit tests of the placement path: ring, sampler, timeline maths, views */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/ring.h"
#include "lib/util.h"
#include "model/timeline.h"
#include "sample/placement.h"
#include "sample/taskfiles.h"
#include "model/cpumap.h"
#include "sample/topo.h"
#include "view/cpus.h"
#include "view/json.h"
#include "view/svg.h"
#include "tap.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/* ---- ring ---------------------------------------------------------------------------------- */

static void test_ring(void)
{
	struct ring r;
	uint32_t in, out[8];
	uint32_t next_in = 0, next_out = 0;
	uint64_t refused = 0;
	bool order_ok = true;

	tap_is_rc(ring_init(&r, 0, 4), -EINVAL, "ring: capacity 0 is refused");
	tap_is_rc(ring_init(&r, 4, 0), -EINVAL, "ring: record size 0 is refused");
	tap_is_rc(ring_init(&r, 5, sizeof(uint32_t)), 0, "ring: init 5 records");
	tap_is_u64(ring_capacity(&r), 8, "ring: capacity rounded up to a power of two");
	tap_is_u64(ring_pop(&r, out, 8), 0, "ring: empty ring pops nothing");

	for (int i = 0; i < 8; i++) {
		in = next_in++;
		if (ring_push(&r, &in))
			order_ok = false;
	}
	tap_ok(order_ok, "ring: 8 pushes fit a ring of 8");
	in = 99;
	tap_is_rc(ring_push(&r, &in), -ENOBUFS, "ring: the 9th push is refused, not overwritten");
	tap_is_u64(ring_dropped(&r), 1, "ring: the refused push is counted");
	tap_is_u64(ring_pop(&r, out, 3), 3, "ring: pop 3 of 8");
	tap_ok(out[0] == 0 && out[1] == 1 && out[2] == 2, "ring: the oldest first (%u %u %u)",
	       out[0], out[1], out[2]);
	next_out = 3;

	/* many rounds across the end of the buffer: pushes and pops of uneven sizes */
	for (int round = 0; round < 1000; round++) {
		size_t n;
		int pushes = 1 + round % 5;

		for (int i = 0; i < pushes; i++) {
			in = next_in;
			if (ring_push(&r, &in) == 0)
				next_in++;
			else
				refused++;
		}
		n = ring_pop(&r, out, 1 + (size_t)(round % 7));
		for (size_t i = 0; i < n; i++)
			if (out[i] != next_out++)
				order_ok = false;
	}
	for (size_t n; (n = ring_pop(&r, out, 8));)
		for (size_t i = 0; i < n; i++)
			if (out[i] != next_out++)
				order_ok = false;
	tap_ok(order_ok, "ring: 1000 rounds across the wrap-around keep every record in order");
	tap_is_u64(next_out, next_in, "ring: every accepted record came out (%u)", next_in);
	tap_is_u64(ring_dropped(&r), 1 + refused, "ring: every refused push counted (%llu)",
		   (unsigned long long)(1 + refused));
	ring_free(&r);
}

/* One producer thread, one consumer: nothing lost, nothing twice, in order. */
struct ring_race {
	struct ring r;
	uint64_t pushed;
	atomic_bool done;
};

static void *ring_producer(void *arg)
{
	struct ring_race *rr = arg;

	for (uint64_t i = 0; i < 200000;) {
		if (ring_push(&rr->r, &i) == 0) {
			i++;
			rr->pushed = i;
		}
	}
	atomic_store(&rr->done, true);
	return NULL;
}

static void test_ring_threads(void)
{
	struct ring_race rr;
	pthread_t th;
	uint64_t buf[64], want = 0;
	bool ok = true;

	memset(&rr, 0, sizeof(rr));
	if (ring_init(&rr.r, 128, sizeof(uint64_t)) ||
	    pthread_create(&th, NULL, ring_producer, &rr)) {
		tap_ok(false, "ring: set up the two-thread test");
		return;
	}
	for (;;) {
		bool done = atomic_load(&rr.done);
		size_t n = ring_pop(&rr.r, buf, 64);

		for (size_t i = 0; i < n; i++)
			if (buf[i] != want++)
				ok = false;
		if (done && n == 0)
			break;
	}
	pthread_join(th, NULL);
	tap_ok(ok && want == 200000, "ring: 200000 records between two threads, in order (%llu)",
	       (unsigned long long)want);
	tap_diag("%llu pushes found the ring full and were retried",
		 (unsigned long long)ring_dropped(&rr.r));
	ring_free(&rr.r);
}

/* ---- timeline maths ------------------------------------------------------------------------ */

static size_t add(struct timeline *tl, pid_t tid, const char *comm)
{
	size_t idx = SIZE_MAX;

	if (timeline_add_thread(tl, 100, tid, 1000 + (uint64_t)tid, comm, &idx))
		tap_diag("timeline_add_thread failed");
	return idx;
}

/* samples from a pattern: one character per slot, a CPU digit for running there ('R'),
 * a to j for waiting ('S', sleeping) after last running on CPU 0 to 9, '.' for none */
static void feed(struct timeline *tl, size_t idx, const char *pattern)
{
	for (uint32_t s = 0; pattern[s]; s++) {
		char c = pattern[s];

		if (c >= '0' && c <= '9')
			timeline_add_sample(tl, idx, s, c - '0', 'R');
		else if (c >= 'a' && c <= 'j')
			timeline_add_sample(tl, idx, s, c - 'a', 'S');
	}
}

static unsigned sum_permille(const struct timeline_share *v, size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i].permille;
	return s;
}

static void test_summary(void)
{
	struct timeline tl;
	struct timeline_thread_sum s;
	size_t a, b, c;

	tap_is_rc(timeline_init(&tl, 100, 1000), 0, "timeline: init at 100 Hz");
	a = add(&tl, 11, "a");
	b = add(&tl, 12, "b");
	c = add(&tl, 13, "c");
	/* a: 0 0 0 1 1 0 0 0 0 (gap) 2 */
	feed(&tl, a, "000110000.2");
	/* b: pinned to 1 */
	feed(&tl, b, "11111111111");
	/* c: one sample on each of three CPUs: shares of 1/3 */
	feed(&tl, c, "012");

	timeline_thread_summary(&tl, a, &s);
	tap_is_u64(s.samples, 10, "summary a: 10 samples");
	tap_is_u64(s.ncpus, 3, "summary a: 3 distinct CPUs");
	tap_is_u64(s.migrations, 3, "summary a: 3 migrations (0->1, 1->0, 0->2 across the gap)");
	tap_is_u64(s.longest, 4, "summary a: the longest stay is 4 slots");
	tap_is_dbl(s.longest_s, 0.04, 1e-12, "summary a: 4 samples at 100 Hz are 0.04 s");
	tap_is_u64(sum_permille(s.cpus, s.ncpus), 1000, "summary a: shares sum to 100.0%%");
	tap_ok(s.ncpus == 3 && s.cpus[0].cpu == 0 && s.cpus[0].samples == 7 &&
	       s.cpus[0].permille == 700 && s.cpus[1].permille == 200 &&
	       s.cpus[2].permille == 100, "summary a: 70.0%% on 0, 20.0%% on 1, 10.0%% on 2");
	tap_is_i64(s.last_cpu, 2, "summary a: last CPU 2");
	timeline_thread_summary_free(&s);

	timeline_thread_summary(&tl, b, &s);
	tap_ok(s.samples == 11 && s.ncpus == 1 && s.migrations == 0 && s.longest == 11 &&
	       s.cpus[0].cpu == 1 && s.cpus[0].permille == 1000,
	       "summary b: pinned: 100.0%% on CPU 1, no migration, one stay of 11");
	timeline_thread_summary_free(&s);

	timeline_thread_summary(&tl, c, &s);
	tap_ok(s.ncpus == 3 && s.cpus[0].permille == 334 && s.cpus[1].permille == 333 &&
	       s.cpus[2].permille == 333,
	       "summary c: thirds round to 33.4 + 33.3 + 33.3 = 100.0 (largest remainder)");
	tap_is_u64(s.migrations, 2, "summary c: 2 migrations");
	timeline_thread_summary_free(&s);

	/* slots the sampler skipped do not end a stay; another CPU does */
	{
		size_t d = add(&tl, 14, "d");

		feed(&tl, d, "00..0001..1");
		timeline_thread_summary(&tl, d, &s);
		tap_ok(s.samples == 7 && s.longest == 7 && s.migrations == 1 &&
		       tl.threads[d].nruns == 4,
		       "summary d: a stay of 7 slots across a gap, then 4; 4 runs, 1 migration "
		       "(samples %llu, longest %u, migrations %llu)",
		       (unsigned long long)s.samples, s.longest, (unsigned long long)s.migrations);
		timeline_thread_summary_free(&s);
	}

	/* out of order, bad CPU, and the run limit */
	tap_is_rc(timeline_add_sample(&tl, b, 5, 1, 'R'), -EINVAL,
		  "a sample before the last is refused");
	tap_is_rc(timeline_add_sample(&tl, b, 50, -1, 'R'), -EINVAL, "a negative CPU is refused");
	tap_is_rc(timeline_add_sample(&tl, b, 50, TIMELINE_MAX_CPU + 1, 'R'), -EINVAL,
		  "a CPU past the run's 24 bits is refused");
	tap_is_rc(timeline_add_sample(&tl, 99, 50, 1, 'R'), -EINVAL, "an unknown thread is refused");
	tap_is_u64(tl.refused, 4, "the refused samples are counted");
	tap_is_u64(tl.nthreads, 4, "4 threads");
	tap_is_u64(tl.nslots, 11, "11 slots covered");
	timeline_end_thread(&tl, c, 3);
	timeline_end_thread(&tl, c, 7);
	tap_is_u64(tl.threads[c].end_slot, 3, "the first end of a thread counts");
	timeline_free(&tl);

	/* a limit of 3 runs: the 4th run is refused, a longer run is not */
	timeline_init(&tl, 10, 3);
	a = add(&tl, 1, "x");
	feed(&tl, a, "0101");
	tap_is_u64(tl.nruns, 3, "run limit: 3 runs kept");
	tap_is_u64(tl.refused, 1, "run limit: the 4th run is refused and counted");
	tap_is_rc(timeline_add_sample(&tl, a, 4, 0, 'R'), -ENOSPC,
		  "run limit: -ENOSPC for a new run");
	tap_is_rc(timeline_add_sample(&tl, a, 3, 0, 'R'), 0, "run limit: the last run still grows");
	tap_is_rc(timeline_add_sample(&tl, a, 4, 0, 'S'), -ENOSPC,
		  "run limit: another state on the same CPU is a new run");
	timeline_free(&tl);
}

/* running and waiting samples: what the shares, stays and counts are made of */
static void test_running(void)
{
	struct timeline tl;
	struct timeline_thread_sum s;
	struct timeline_cpu_sum *v = NULL;
	size_t n = 0, m, w, x, y, z;

	timeline_init(&tl, 100, 1000);
	m = add(&tl, 51, "main");
	w = add(&tl, 52, "worker");
	x = add(&tl, 53, "x");
	y = add(&tl, 54, "y");
	/* m sleeps all along after it last ran on CPU 0 */
	feed(&tl, m, "aaaaaaaaaa");
	/* w runs on 1, sleeps there, runs there again */
	feed(&tl, w, "111bbb1111");
	/* x runs on 1, sleeps after running on 0 (unseen), runs on 1 */
	feed(&tl, x, "11a11");
	/* y runs on 1, sleeps on 1, runs on 0 */
	feed(&tl, y, "11bb00");

	timeline_thread_summary(&tl, m, &s);
	tap_ok(s.samples == 10 && s.running == 0 && s.running_permille == 0 && s.ran_cpus == 0,
	       "running: a sleeping thread has 10 samples, none running, no CPU it ran on");
	tap_ok(s.ncpus == 1 && s.cpus[0].cpu == 0 && s.cpus[0].samples == 0 &&
	       s.cpus[0].waiting == 10 && s.cpus[0].permille == 0,
	       "running: its 10 waiting samples are kept apart, with no share of CPU 0");
	tap_ok(s.longest == 0 && s.migrations == 0 && s.last_cpu == 0 && s.last_state == 'S',
	       "running: no stay for a thread that never ran; last seen sleeping after CPU 0");
	timeline_thread_summary_free(&s);

	timeline_thread_summary(&tl, w, &s);
	tap_is_u64(tl.threads[w].nruns, 3, "running: a state change on one CPU starts a run");
	tap_ok(s.samples == 10 && s.running == 7 && s.running_permille == 700 &&
	       s.ran_cpus == 1 && s.cpus[0].cpu == 1 && s.cpus[0].samples == 7 &&
	       s.cpus[0].waiting == 3 && s.cpus[0].permille == 1000,
	       "running: 70.0%% running; CPU 1 has 100.0%% of the running samples");
	tap_ok(s.longest == 10 && s.migrations == 0,
	       "running: sleeping on the CPU it ran on does not end its stay (longest %u)",
	       s.longest);
	timeline_thread_summary_free(&s);

	timeline_thread_summary(&tl, x, &s);
	tap_ok(s.longest == 2 && s.migrations == 2 && s.ran_cpus == 1 && s.ncpus == 2 &&
	       s.cpus[0].cpu == 0 && s.cpus[0].samples == 0 && s.cpus[0].waiting == 1,
	       "running: waiting after running elsewhere ends a stay (longest %u, migr %llu)",
	       s.longest, (unsigned long long)s.migrations);
	timeline_thread_summary_free(&s);

	timeline_thread_summary(&tl, y, &s);
	tap_ok(s.longest == 2 && s.migrations == 1 && s.ran_cpus == 2 &&
	       s.cpus[0].permille == 500 && s.cpus[1].permille == 500,
	       "running: the waiting samples after the last running one do not lengthen a "
	       "stay; shares 50/50 over the 4 running samples");
	timeline_thread_summary_free(&s);

	tap_is_u64(tl.running, 7 + 4 + 4, "running: the timeline counts running samples");
	tap_is_rc(timeline_cpu_summary(&tl, &v, &n), 0, "running: cpu summary computed");
	if (n == 2) {
		tap_ok(v[0].cpu == 0 && v[0].samples == 2 && v[0].waiting == 11 &&
		       v[1].cpu == 1 && v[1].samples == 13 && v[1].waiting == 5 &&
		       v[0].permille + v[1].permille == 1000,
		       "running: per CPU, occupancy from running samples, waiting counted apart "
		       "(cpu0 %llu/%llu, cpu1 %llu/%llu)", (unsigned long long)v[0].samples,
		       (unsigned long long)v[0].waiting, (unsigned long long)v[1].samples,
		       (unsigned long long)v[1].waiting);
		/* CPU 0: y ran there (2), m and x only waited; most running first */
		tap_ok(v[0].nthreads == 3 && v[0].threads[0].cpu == (int)y &&
		       v[0].threads[0].permille == 1000 && v[0].threads[1].cpu == (int)m &&
		       v[0].threads[1].samples == 0 && v[0].threads[1].waiting == 10 &&
		       v[0].threads[1].permille == 0 && v[0].threads[2].cpu == (int)x,
		       "running: a CPU lists the threads that ran there first, then those that "
		       "only waited (no share)");
	} else {
		tap_ok(false, "running: two CPUs in the summary (got %zu)", n);
	}
	timeline_cpu_summary_free(v, n);

	/* a byte that is no state letter is kept as '?', waiting */
	z = add(&tl, 55, "z");
	timeline_add_sample(&tl, z, 0, 1, '\0');
	timeline_add_sample(&tl, z, 1, 1, '\x1b');
	tap_ok(tl.threads[z].nruns == 1 && tl.threads[z].runs[0].state == '?' &&
	       tl.threads[z].running == 0, "running: an unknown state is '?' and waiting");
	timeline_free(&tl);

	/* percentages never round to all or nothing when that is not so */
	timeline_init(&tl, 1000, 1000);
	m = add(&tl, 61, "rare");
	w = add(&tl, 62, "most");
	for (uint32_t i = 0; i < 3000; i++) {
		timeline_add_sample(&tl, m, i, 0, i == 1500 ? 'R' : 'S');
		timeline_add_sample(&tl, w, i, 1, i == 1500 ? 'D' : 'R');
	}
	timeline_thread_summary(&tl, m, &s);
	tap_is_u64(s.running_permille, 1, "running: 1 of 3000 running shows 0.1%%, not 0");
	timeline_thread_summary_free(&s);
	timeline_thread_summary(&tl, w, &s);
	tap_is_u64(s.running_permille, 999, "running: 2999 of 3000 shows 99.9%%, not 100");
	timeline_thread_summary_free(&s);
	timeline_free(&tl);
}

/* schedstat read at several looks: the window from the first to the latest */
static void test_schedstat(void)
{
	struct timeline tl;
	struct timeline_thread_sum s;
	size_t a, b;

	timeline_init(&tl, 100, 100);
	a = add(&tl, 71, "a");
	b = add(&tl, 72, "b");
	timeline_set_schedstat(&tl, a, 0, 1000, 5000);
	timeline_thread_summary(&tl, a, &s);
	tap_ok(!s.sched, "schedstat: one look is no window");
	timeline_thread_summary_free(&s);
	timeline_set_schedstat(&tl, a, 50, 300000000, 20005000);
	timeline_set_schedstat(&tl, a, 150, 700001000, 90005000);
	timeline_thread_summary(&tl, a, &s);
	tap_ok(s.sched && s.run_ns == 700000000 && s.wait_ns == 90000000,
	       "schedstat: run time and run-queue wait from the first to the latest look");
	tap_is_dbl(s.sched_s, 1.5, 1e-9, "schedstat: the window is 150 slots at 100 Hz");
	timeline_thread_summary_free(&s);
	timeline_set_schedstat(&tl, b, 0, 5000, 5000);
	timeline_set_schedstat(&tl, b, 10, 4000, 6000);
	timeline_thread_summary(&tl, b, &s);
	tap_ok(!s.sched, "schedstat: a counter that went back gives no window");
	timeline_thread_summary_free(&s);
	tap_is_rc(timeline_set_schedstat(&tl, 9, 0, 0, 0), -EINVAL, "schedstat: unknown thread");
	timeline_free(&tl);
}

static void test_permille(void)
{
	struct timeline_share v[7];
	unsigned total = 0;
	bool ok = true;

	/* random-ish parts: the shares always sum to exactly 1000 */
	srand(7);
	for (int round = 0; round < 2000 && ok; round++) {
		size_t n = 1 + (size_t)(rand() % 7);

		for (size_t i = 0; i < n; i++)
			v[i] = (struct timeline_share){ .cpu = (int)i,
							.samples = (uint64_t)(rand() % 1000) };
		v[0].samples++;		/* never all zero */
		timeline_permille(v, n);
		total = sum_permille(v, n);
		if (total != 1000) {
			ok = false;
			tap_diag("round %d: %zu parts sum to %u", round, n, total);
		}
	}
	tap_ok(ok, "permille: 2000 random splits each sum to exactly 1000");
	v[0] = (struct timeline_share){ .samples = 0 };
	timeline_permille(v, 1);
	tap_is_u64(v[0].permille, 0, "permille: no samples, no share");
}

static void test_cpu_summary(void)
{
	struct timeline tl;
	struct timeline_cpu_sum *v = NULL;
	size_t n = 0, a, b;

	timeline_init(&tl, 100, 100);
	a = add(&tl, 21, "a");
	b = add(&tl, 22, "b");
	feed(&tl, a, "0001");
	feed(&tl, b, "1111");
	tap_is_rc(timeline_cpu_summary(&tl, &v, &n), 0, "cpu summary: computed");
	tap_is_u64(n, 2, "cpu summary: two CPUs used");
	if (n == 2) {
		tap_ok(v[0].cpu == 0 && v[0].samples == 3 && v[0].nthreads == 1 &&
		       v[0].threads[0].cpu == (int)a && v[0].threads[0].permille == 1000,
		       "cpu summary: CPU 0 had only thread a, 3 samples");
		tap_ok(v[1].cpu == 1 && v[1].samples == 5 && v[1].nthreads == 2 &&
		       v[1].threads[0].cpu == (int)b && v[1].threads[0].permille == 800 &&
		       v[1].threads[1].permille == 200,
		       "cpu summary: CPU 1: b 80.0%%, a 20.0%%, most first");
		tap_is_u64(v[0].permille + v[1].permille, 1000, "cpu summary: CPU shares sum to 100%%");
	}
	timeline_cpu_summary_free(v, n);
	timeline_free(&tl);
}

static void test_affinity(void)
{
	struct timeline tl;
	size_t a;

	timeline_init(&tl, 100, 100);
	a = add(&tl, 31, "a");
	timeline_set_affinity(&tl, a, 0, "0-1");
	timeline_set_affinity(&tl, a, 50, "0-1");
	tap_is_u64(tl.threads[a].naff, 1, "affinity: the same list again is no change");
	timeline_set_affinity(&tl, a, 60, "0");
	tap_ok(tl.threads[a].naff == 2 && tl.threads[a].aff[1].slot == 60 &&
	       !strcmp(tl.threads[a].aff[1].cpus, "0"), "affinity: a change is kept with its slot");
	for (int i = 0; i < 2 * TIMELINE_MAX_AFF_CHANGES; i++)
		timeline_set_affinity(&tl, a, 100 + (uint32_t)i, i % 2 ? "0" : "1");
	timeline_set_affinity(&tl, a, 1000, "5");
	tap_ok(tl.threads[a].naff == TIMELINE_MAX_AFF_CHANGES + 1 && tl.threads[a].aff_lost > 0 &&
	       !strcmp(tl.threads[a].aff[tl.threads[a].naff - 1].cpus, "5") &&
	       !strcmp(tl.threads[a].aff[0].cpus, "0-1"),
	       "affinity: bounded; the first and the latest are always there");
	timeline_free(&tl);
}

/* ---- the strip chart and text helpers -------------------------------------------------------- */

static void test_strip(void)
{
	struct timeline tl;
	char buf[CPUS_STRIP_WIDTH + 1], lab[128], num[32];
	size_t a, b;
	struct timeline_thread t;

	timeline_init(&tl, 100, 1000);
	a = add(&tl, 41, "a");
	b = add(&tl, 42, "b");
	feed(&tl, a, "0001112222....33");
	feed(&tl, b, "..........1");
	tap_is_u64(cpus_strip_step(16, 72), 1, "strip: 16 slots fit 72 columns at 1 a column");
	tap_is_u64(cpus_strip_step(1000, 72), 14, "strip: 1000 slots take 14 a column");
	tap_is_u64(cpus_strip_step(0, 72), 1, "strip: no slot, step 1");
	cpus_strip_line(&tl, a, 1, 72, buf);
	tap_is_str(buf, "0001112222....33", "strip: one slot a column is the samples themselves");
	cpus_strip_line(&tl, a, 4, 72, buf);
	tap_is_str(buf, "0223", "strip: 4 a column: the CPU seen most (ties: the one seen last)");
	cpus_strip_line(&tl, b, 4, 72, buf);
	tap_is_str(buf, "..1.", "strip: a thread seen late and briefly");
	cpus_strip_line(&tl, a, 4, 2, buf);
	tap_is_str(buf, "02", "strip: never wider than asked");
	{
		size_t c = add(&tl, 43, "c"), d = add(&tl, 44, "d");

		feed(&tl, c, "bbbb1b1bbb1b.111");
		feed(&tl, d, "aaaaaaaaaaaaaaaa");
		cpus_strip_line(&tl, c, 1, 72, buf);
		tap_is_str(buf, "----1-1---1-.111",
			   "strip: running samples show their CPU, waiting ones '-'");
		cpus_strip_line(&tl, c, 4, 72, buf);
		tap_is_str(buf, "-1-1", "strip: a column shows the CPU when at least half of it "
			   "ran, else '-'");
		cpus_strip_line(&tl, d, 4, 72, buf);
		tap_is_str(buf, "----", "strip: a thread that never ran is all '-'");
		tap_ok(CPUS_WAIT_CHAR != CPUS_NONE_CHAR && cpus_cpu_char(0) != CPUS_WAIT_CHAR,
		       "strip: waiting, no sample and CPU 0 look different");
		cpus_run_text(&tl, d, lab, sizeof(lab));
		tap_is_str(lab, "never ran", "run text: a thread that never ran says so");
		cpus_run_text(&tl, c, lab, sizeof(lab));
		tap_is_str(lab, "40.0% 1:100.0", "run text: percent running, shares of running");
	}

	tap_ok(cpus_cpu_char(0) == '0' && cpus_cpu_char(9) == '9' && cpus_cpu_char(10) == 'a' &&
	       cpus_cpu_char(35) == 'z' && cpus_cpu_char(36) == '+' && cpus_cpu_char(-1) == '.',
	       "strip: CPU characters 0-9, a-z, + past 35, . for none");
	tap_is_str(cpus_fixed(1.0051, 2, num, sizeof(num)), "1.01", "fixed: 1.0051 -> 1.01");
	tap_is_str(cpus_fixed(0.04, 3, num, sizeof(num)), "0.040", "fixed: three decimals");
	tap_is_str(cpus_fixed(-3, 1, num, sizeof(num)), "0.0", "fixed: negative shows 0");

	memset(&t, 0, sizeof(t));
	t.tid = 1234;
	t.comm = (char *)"\xc3\xa9t\xc3\xa9-worker-long-name";
	cpus_label(&t, 14, lab, sizeof(lab));
	tap_is_str(lab, "   1234 \xc3\xa9t\xc3\xa9-wo", "label: cut on characters, not bytes");
	t.comm = (char *)"x";
	cpus_label(&t, 12, lab, sizeof(lab));
	tap_is_str(lab, "   1234 x   ", "label: padded to the width");
	timeline_free(&tl);
}

/* ---- running and waiting in the report, the JSON and the SVG ------------------------------ */

/* what: 0 the SVG, 1 the JSON, 2 the table */
struct render_call {
	const struct cpus_report *r;
	int what;
};

static int write_render(FILE *f, const void *p)
{
	const struct render_call *c = p;

	if (c->what == 0)
		return svg_write(c->r, f);
	return cpus_print(c->r, c->what == 1 ? CPUS_JSON : CPUS_TABLE, f);
}

static char *render(const struct cpus_report *r, int what)
{
	struct render_call c = { r, what };

	return tap_capture(write_render, &c);
}

static void test_views(void)
{
	struct timeline tl;
	struct cpus_report r;
	size_t m, w;
	char *svg, *json, *table;

	timeline_init(&tl, 100, 100);
	m = add(&tl, 81, "main");
	w = add(&tl, 82, "worker");
	feed(&tl, m, "aaaaaaaa");
	feed(&tl, w, "1111bb11");
	memset(&r, 0, sizeof(r));
	r.tl = &tl;
	r.rate = 100;
	r.duration = 0.08;
	r.what = "test";
	svg = render(&r, 0);
	json = render(&r, 1);
	table = render(&r, 2);
	tap_ok(svg && strstr(svg, "<pattern id=\"wait0\"") &&
	       strstr(svg, "class=\"run waiting\"") && strstr(svg, "fill=\"url(#wait0)\"") &&
	       strstr(svg, "<title>TID 81 main: waiting (S, sleeping), last ran on CPU 0; from "
		      "0.00 s for 0.08 s, 8 samples</title>"),
	       "svg: a sleeping run is hatched in its CPU's pattern, its tooltip says so");
	tap_ok(svg && strstr(svg, "<title>TID 82 worker: running (R) on CPU 1; from 0.00 s for "
			     "0.04 s, 4 samples</title>") &&
	       strstr(svg, "<title>TID 82 worker: running (R) on CPU 1; from 0.06 s for "
			   "0.02 s, 2 samples</title>") &&
	       strstr(svg, "never ran while watched") && strstr(svg, "running or runnable (R)") &&
	       strstr(svg, "waiting (S, D, I, T...)"),
	       "svg: running runs solid with TID, CPU, state, start and length; a legend of both");
	tap_ok(json && strstr(json, "{\"slot\": 0, \"samples\": 8, \"cpu\": 0, \"state\": \"S\", "
			      "\"running\": false}") &&
	       strstr(json, "{\"slot\": 4, \"samples\": 2, \"cpu\": 1, \"state\": \"S\", "
			    "\"running\": false}") &&
	       strstr(json, "\"running_samples\": 6,") && strstr(json, "\"running\": 75.0,"),
	       "json: every run has its state; threads their running samples and percent");
	tap_ok(table && strstr(table, "|--------| never ran") && strstr(table, "|1111--11|\n") &&
	       strstr(table, "81 main (waiting)"),
	       "table: the strip marks waiting and says who never ran; cpu0 lists main apart");
	{
		char *text = NULL;
		size_t len = 0;

		tap_is_rc(cpus_cpu_text(&tl, &text, &len), 0, "cpu text: made");
		tap_is_str(text ? text : "",
			   "cpu0 0.0% of the running samples; waiting after running here: 81\n"
			   "cpu1 100.0% of the running samples: 82 100.0%; waiting after running "
			   "here: 82\n", "cpu text: occupancy from running samples, waiters apart");
		free(text);
	}
	if (!table || !svg || !json)
		tap_diag("render failed");
	free(svg);
	free(json);
	free(table);
	timeline_free(&tl);
}

/* ---- JSON and XML escaping --------------------------------------------------------------- */

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_write_string(f, s);
	fclose(f);
	return buf;
}

static void test_json(void)
{
	char *out;
	char *doc = NULL;
	size_t len = 0;
	FILE *f;
	struct json j;

	out = json_of("a\"b\\c\n\t\x01\x1b[31m\x7f");
	tap_is_str(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001b[31m\\u007f\"",
		   "json: quote, backslash and every control byte escaped");
	free(out);
	out = json_of("\xc3\xa9\xe2\x80\xae ok");
	tap_is_str(out, "\"\xc3\xa9\xe2\x80\xae ok\"", "json: valid UTF-8 passes through");
	free(out);
	out = json_of("bad \xff\xc3 \xed\xa0\x80 \xc0\xaf end");
	tap_is_str(out, "\"bad \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd end\"",
		   "json: invalid UTF-8, surrogates and overlong forms become U+FFFD");
	free(out);

	f = open_memstream(&doc, &len);
	json_begin(&j, f);
	json_open_object(&j, NULL, false);
	json_string(&j, "s", "x");
	json_double(&j, "d", 12.345, 2);
	json_double(&j, "neg", -0.0001, 2);
	json_u64(&j, "u", 18446744073709551615ULL);
	json_i64(&j, "i", -5);
	json_null(&j, "n");
	json_open_array(&j, "a", true);
	json_bool(&j, NULL, true);
	json_open_object(&j, NULL, false);
	json_close_object(&j);
	json_close_array(&j);
	json_open_array(&j, "e", false);
	json_close_array(&j);
	json_close_object(&j);
	tap_is_rc(json_end(&j), 0, "json: a balanced document");
	fclose(f);
	tap_is_str(doc, "{\n  \"s\": \"x\",\n  \"d\": 12.35,\n  \"neg\": 0.00,\n"
		   "  \"u\": 18446744073709551615,\n  \"i\": -5,\n  \"n\": null,\n"
		   "  \"a\": [true, {}],\n  \"e\": []\n}\n", "json: the document as expected");
	free(doc);

	doc = NULL;
	f = open_memstream(&doc, &len);
	json_begin(&j, f);
	json_open_object(&j, NULL, false);
	tap_is_rc(json_end(&j), -EINVAL, "json: an unclosed object is an error");
	fclose(f);
	free(doc);

	doc = NULL;
	f = open_memstream(&doc, &len);
	svg_escape(f, "<a href=\"x\">&'\\x1b[0m\\\\\x1b\xff\xef\xbf\xbf\xc2\x9b\xc3\xa9</a>");
	fclose(f);
	tap_is_str(doc, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\x1b[0m\\\\????\xc3\xa9&lt;/a&gt;",
		   "svg: markup escaped; sanitized text kept as it is (backslashes not doubled), "
		   "what XML cannot hold (control, invalid, U+FFFF, C1) is '?'");
	free(doc);
}

/* ---- the sampler on the fake /proc tree ------------------------------------------------- */

static int open_fixtures(void)
{
	const char *dir = getenv("FIXTURES");
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX];

	if (dir && *dir)
		return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/tests/fixtures", top && *top ? top : ".");
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void test_sampler_fixtures(int rootfd)
{
	struct placement *p = NULL;
	struct placement_sample buf[64];
	struct placement_stats st;
	uint64_t got[3] = { 0 }, last_slot[3] = { 0 }, total = 0;
	bool ok = true;
	size_t idx;

	/* a small ring: the test drains it while the sampler runs at 1000 Hz */
	tap_is_rc(placement_new(&p, rootfd, 1000, 3, 16), 0, "sampler: new on the fake /proc");
	if (!p)
		return;
	tap_is_rc(placement_add(p, 4242, 4242, 1, &idx), -ESRCH,
		  "sampler: a wrong start time is another task: -ESRCH");
	tap_is_rc(placement_add(p, 4242, 4299, 62067, &idx), -ESRCH,
		  "sampler: a thread that does not exist: -ESRCH");
	tap_is_rc(placement_add(p, 4242, 4242, 62067, &idx), 0, "sampler: add 4242");
	tap_is_rc(placement_add(p, 4242, 4243, 62082, &idx), 0,
		  "sampler: add 4243, whose comm is \"x) R 1 (y\"");
	tap_is_rc(placement_add(p, 4242, 4244, 62090, &idx), 0,
		  "sampler: add 4244, whose comm has ESC and a newline");
	tap_is_u64(idx, 2, "sampler: threads are numbered in the order added");
	tap_is_rc(placement_add(p, 4242, 4244, 62090, &idx), -ENOSPC,
		  "sampler: the fourth thread is over the limit of 3");
	tap_is_rc(placement_start(p, 300), 0, "sampler: start for 300 slots at 1000 Hz");
	for (;;) {
		size_t n = placement_drain(p, buf, 5);

		for (size_t i = 0; i < n; i++) {
			const struct placement_sample *s = &buf[i];
			static const int want[3] = { 1, 0, 0 };	/* stat field 39 of each */
			static const char want_state[3] = { 'R', 'S', 'S' };	/* field 3 */

			if (s->idx > 2 || s->kind != PLACEMENT_SAMPLE || s->cpu != want[s->idx] ||
			    s->state != want_state[s->idx] ||
			    (got[s->idx] && s->slot <= last_slot[s->idx])) {
				ok = false;
				tap_diag("bad record: idx %u kind %u cpu %d state %d slot %u", s->idx,
					 s->kind, s->cpu, s->state, s->slot);
				continue;
			}
			got[s->idx]++;
			last_slot[s->idx] = s->slot;
			total++;
		}
		placement_stats(p, &st);
		if (n == 0 && st.slots >= 300)
			break;
		if (n == 0)
			sleep_ms(1);
	}
	placement_stop(p);
	while (placement_drain(p, buf, 64))
		ok = false;	/* everything was read above */
	placement_stats(p, &st);
	tap_ok(ok, "sampler: every sample has the fixture's CPU and state, slots increase per "
	       "thread");
	tap_is_u64(st.slots, 300, "sampler: stopped by itself after 300 slots");
	tap_is_u64(st.ticks + st.missed, 300, "sampler: every slot is a pass or counted missed");
	tap_is_u64(total + st.dropped, 3 * st.ticks,
		   "sampler: samples read + dropped = 3 threads x %llu passes (%llu dropped)",
		   (unsigned long long)st.ticks, (unsigned long long)st.dropped);
	tap_is_u64(st.samples, total, "sampler: its sample count is what came out of the ring");
	tap_ok(got[0] + st.dropped >= st.ticks && got[1] + st.dropped >= st.ticks &&
	       got[2] + st.dropped >= st.ticks,
	       "sampler: each thread was sampled at every pass, but for drops (%llu %llu %llu)",
	       (unsigned long long)got[0], (unsigned long long)got[1],
	       (unsigned long long)got[2]);
	tap_ok(st.cpu_s > 0 && st.cpu_s < 5, "sampler: its CPU time is measured (%.6f s)", st.cpu_s);
	placement_free(p);
}

/* ---- fixture topologies through TASKSCOPE_TOPOLOGY ------------------------------------------ */

/* The path of a fixture topology, in buf. */
static const char *fixture_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("FIXTURES");
	const char *top = getenv("top_srcdir");

	if (dir && *dir)
		snprintf(buf, len, "%s/topology/%s", dir, name);
	else
		snprintf(buf, len, "%s/tests/fixtures/topology/%s", top && *top ? top : ".", name);
	return buf;
}

static struct topo *fixture_topo(const char *name)
{
	char path[PATH_MAX];
	struct topo *t = NULL;
	int rc;

	setenv(TOPO_ENV, fixture_path(name, path, sizeof(path)), 1);
	rc = topo_load(&t);
	unsetenv(TOPO_ENV);
	tap_is_rc(rc, 0, "topology: %s loads", name);
	return rc ? NULL : t;
}

/* The model's copy of a fixture topology (what the views get). */
static struct cpumap *fixture_map(const char *name)
{
	char path[PATH_MAX];
	struct cpumap *m = NULL;
	int rc;

	setenv(CPUMAP_ENV, fixture_path(name, path, sizeof(path)), 1);
	rc = cpumap_load(&m);
	unsetenv(CPUMAP_ENV);
	tap_is_rc(rc, 0, "cpumap: %s loads", name);
	return rc ? NULL : m;
}

/* The model's copy says what hwloc's topology says, CPU by CPU and in its counts. */
static void check_map(const struct topo *t, const struct cpumap *m, const char *name)
{
	int a[4], b[4], c[2], d[2];
	bool same = cpumap_ncpus(m) == topo_ncpus(t);

	for (int cpu = -1; same && cpu <= topo_ncpus(t); cpu++)
		same = cpumap_node(m, cpu) == topo_cpu_node(t, cpu) &&
		       cpumap_core(m, cpu) == topo_cpu_core(t, cpu) &&
		       cpumap_package(m, cpu) == topo_cpu_package(t, cpu);
	tap_ok(same, "cpumap %s: node, core and package of every CPU as the topology's", name);
	topo_count(t, &a[0], &a[1], &a[2], &a[3]);
	topo_count_more(t, &c[0], &c[1]);
	tap_ok(cpumap_count(m, &b[0], &b[1], &b[2], &b[3]) == 0 &&
	       cpumap_count_more(m, &d[0], &d[1]) == 0 && !memcmp(a, b, sizeof(a)) &&
	       !memcmp(c, d, sizeof(c)) && cpumap_file(m) && topo_file(t) &&
	       !strcmp(cpumap_file(m), topo_file(t)),
	       "cpumap %s: the same counts and file", name);
}

static void test_topology(void)
{
	struct cpumap *m;
	struct topo *t;
	struct timeline tl;
	char buf[CPUS_STRIP_WIDTH + 1];
	int pk, co, no, pu, off, mem;
	size_t a, b;

	setenv(TOPO_ENV, "/nonexistent/topology.xml", 1);
	tap_is_rc(topo_load(&t), -ENOENT, "topology: a missing file is -ENOENT, not this machine");
	unsetenv(TOPO_ENV);

	t = fixture_topo("2pkg-4node-smt.xml");
	if (t) {
		topo_count(t, &pk, &co, &no, &pu);
		topo_count_more(t, &off, &mem);
		tap_ok(pk == 2 && co == 32 && no == 4 && pu == 64 && off == 0 && mem == 0,
		       "topology: 2 packages, 32 cores, 4 nodes, 64 CPUs");
		tap_ok(topo_cpu_node(t, 0) == 0 && topo_cpu_node(t, 1) == 2 &&
		       topo_cpu_package(t, 1) == 1 && topo_cpu_core(t, 33) == topo_cpu_core(t, 1),
		       "topology: CPU 1 on node 2 of package 1, CPU 33 its sibling");
		m = fixture_map("2pkg-4node-smt.xml");
		if (m)
			check_map(t, m, "2pkg-4node-smt.xml");
		timeline_init(&tl, 100, 100);
		a = add(&tl, 91, "mover");
		b = add(&tl, 92, "smt");
		feed(&tl, a, "0000111aab00");
		/* CPU 0 and CPU 0's sibling are one node: no move across nodes */
		for (uint32_t i = 0; i < 4; i++)
			timeline_add_sample(&tl, b, i, i % 2 ? 32 : 0, 'R');
		tap_is_u64(cpus_node_migrations(&tl, m, a), 4,
			   "topology: CPU 0, 1, 0 (asleep), 1 (asleep), 0: 4 moves across nodes, "
			   "asleep or not");
		tap_is_u64(cpus_node_migrations(&tl, m, b), 0,
			   "topology: moves between SMT siblings stay on the node");
		cpus_node_line(&tl, m, a, 1, 72, buf);
		tap_is_str(buf, "0000222---00", "topology: the node strip: the node where it ran, "
			   "'-' asleep");
		timeline_free(&tl);
		topo_free(t);
		cpumap_free(m);
	}
	t = fixture_topo("4node-offline-memonly.xml");
	if (t) {
		topo_count(t, &pk, &co, &no, &pu);
		topo_count_more(t, &off, &mem);
		tap_ok(pk == 1 && no == 5 && pu == 15 && off == 1 && mem == 1,
		       "topology: 5 nodes, one without CPUs; 15 CPUs online, 1 offline");
		tap_ok(topo_cpu_node(t, 1) < 0 && topo_cpu_node(t, 5) == 1 &&
		       topo_cpu_node(t, 0) == 0 && topo_cpu_node(t, 15) == 3,
		       "topology: the offline CPU has no node; the others are on their own, never "
		       "on the node without CPUs");
		m = fixture_map("4node-offline-memonly.xml");
		if (m)
			check_map(t, m, "4node-offline-memonly.xml");
		cpumap_free(m);
		topo_free(t);
	}
}

/* ---- the sampler on a live thread that moves and ends ---------------------------------------- */

struct mover {
	atomic_int tid;
	atomic_int phase;	/* 0 start, 1 on CPU a, 2 move to b, 3 on b, 4 exit */
	int a, b;
};

static void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;

	pin_self(m->a);
	atomic_store(&m->tid, (int)syscall(SYS_gettid));
	atomic_store(&m->phase, 1);
	while (atomic_load(&m->phase) < 2)
		;	/* spin on CPU a */
	pin_self(m->b);
	atomic_store(&m->phase, 3);
	while (atomic_load(&m->phase) < 4)
		;	/* spin on CPU b */
	return NULL;
}

static void test_sampler_live(void)
{
	struct mover m = { .a = -1, .b = -1 };
	struct placement *p = NULL;
	struct placement_sample buf[256];
	struct taskfiles_stat st;
	struct timeline tl;
	struct timeline_thread_sum s;
	cpu_set_t mine;
	pthread_t th;
	char path[64], text[1024];
	size_t idx, tidx, len;
	int rootfd, dfd;
	bool ended = false;

	if (sched_getaffinity(0, sizeof(mine), &mine) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &mine)) {
				if (m.a < 0)
					m.a = c;
				else if (m.b < 0)
					m.b = c;
			}
	if (m.b < 0) {
		tap_skip("live sampler: needs 2 CPUs in this test's affinity");
		return;
	}
	rootfd = taskfiles_open_root();
	if (rootfd < 0 || pthread_create(&th, NULL, mover_main, &m)) {
		tap_ok(false, "live sampler: set up");
		return;
	}
	while (atomic_load(&m.phase) < 1)
		sleep_ms(1);
	snprintf(path, sizeof(path), "%d/task/%d", (int)getpid(), atomic_load(&m.tid));
	dfd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || taskfiles_read(dfd, "stat", text, sizeof(text), &len) ||
	    taskfiles_parse_stat(text, len, &st)) {
		tap_ok(false, "live sampler: read the mover's stat");
		atomic_store(&m.phase, 4);
		pthread_join(th, NULL);
		return;
	}
	close(dfd);
	timeline_init(&tl, 200, 100000);
	timeline_add_thread(&tl, getpid(), st.pid, st.start, "mover", &tidx);
	placement_new(&p, rootfd, 200, 8, 4096);
	tap_is_rc(placement_add(p, getpid(), st.pid, st.start, &idx), 0, "live sampler: add the mover");
	placement_start(p, 0);
	sleep_ms(300);
	atomic_store(&m.phase, 2);
	while (atomic_load(&m.phase) < 3)
		sleep_ms(1);
	sleep_ms(300);
	atomic_store(&m.phase, 4);
	pthread_join(th, NULL);
	/* the sampler sees the thread gone at its next pass */
	for (int i = 0; i < 200 && !placement_ended(p, idx); i++)
		sleep_ms(5);
	sleep_ms(20);
	placement_stop(p);
	for (size_t n; (n = placement_drain(p, buf, 256));)
		for (size_t i = 0; i < n; i++) {
			if (buf[i].kind == PLACEMENT_ENDED) {
				ended = true;
				timeline_end_thread(&tl, buf[i].idx, buf[i].slot);
			} else {
				timeline_add_sample(&tl, buf[i].idx, buf[i].slot, buf[i].cpu,
						    buf[i].state);
			}
		}
	tap_ok(ended && placement_ended(p, idx), "live sampler: the ended thread got its end record");
	timeline_thread_summary(&tl, tidx, &s);
	tap_ok(s.samples >= 20, "live sampler: it kept its samples (%llu)",
	       (unsigned long long)s.samples);
	tap_ok(s.running * 10 >= s.samples * 9,
	       "live sampler: a spinning thread is running or runnable (R) in its samples "
	       "(%llu of %llu)", (unsigned long long)s.running, (unsigned long long)s.samples);
	tap_ok(s.ncpus >= 1 && s.cpus[0].cpu == m.a && s.samples > 0 &&
	       tl.threads[tidx].runs[0].cpu == m.a && s.last_cpu == m.b,
	       "live sampler: first on CPU %d, last on CPU %d (runs %zu, last %d)", m.a, m.b,
	       tl.threads[tidx].nruns, s.last_cpu);
	tap_ok(tl.threads[tidx].end_slot != TIMELINE_NO_SLOT &&
	       tl.threads[tidx].end_slot >= tl.threads[tidx].runs[tl.threads[tidx].nruns - 1].slot,
	       "live sampler: the end comes after the last sample");
	timeline_thread_summary_free(&s);
	placement_free(p);
	timeline_free(&tl);
	close(rootfd);
}

int main(void)
{
	int fixfd, rootfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_ring();
	test_ring_threads();
	test_summary();
	test_running();
	test_schedstat();
	test_permille();
	test_cpu_summary();
	test_affinity();
	test_strip();
	test_views();
	test_topology();
	test_json();
	fixfd = open_fixtures();
	rootfd = fixfd >= 0 ? openat(fixfd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (rootfd >= 0)
		test_sampler_fixtures(rootfd);
	else
		tap_skip("sampler on fixtures: no fake /proc tree (set FIXTURES)");
	test_sampler_live();
	if (rootfd >= 0)
		close(rootfd);
	if (fixfd >= 0)
		close(fixfd);
	return tap_done();
}
