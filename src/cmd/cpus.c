/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus.c - taskscope cpus: where threads run, sampled many times a second
 *
 * The command around the placement sampler (src/sample/placement.c): it resolves the
 * targets, finds their threads (every 0.5 s, more often in the first second, so that a
 * new job's threads are picked up fast), hands new ones to the sampler, reads their
 * affinity and schedstat, drains the sampler's ring into the timeline
 * (src/model/timeline.c) ten times a second, and prints the report (src/view/cpus.c,
 * src/view/svg.c) at the end.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cpus.h"
#include "cmd/cpusopts.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/session.h"
#include "model/snapshot.h"
#include "model/timeline.h"
#include "sample/placement.h"
#include "sample/taskfiles.h"
#include "sample/threads.h"
#include "sample/topo.h"
#include "target/spawn.h"
#include "target/target.h"
#include "lib/exitcode.h"
#include "view/cpus.h"
#include "view/svg.h"

#define DRAIN_EVERY	0.1	/* s between two drains of the sampler's ring */
#define SCAN_EVERY	0.5	/* s between two looks for new threads */
#define SCAN_EARLY	0.1	/* ... in the first second */
#define EARLY_SPAN	1.0
#define DRAIN_BATCH	4096
#define FD_SPARE	32	/* descriptors kept for everything but the kept-open files */
#define MAX_SLOTS	4000000000u	/* slot numbers are 32 bits */
#define NOT_WATCHED	SIZE_MAX

/* A thread seen by a scan: watched (idx) or refused (NOT_WATCHED), by (tid, start). */
struct known {
	pid_t tid;
	uint64_t start;
	size_t idx;
};

struct watch {
	struct cpusopts *o;
	struct session *s;		/* targets (its sampler), the job, the output */
	struct sampler *smp;		/* the session's: target resolution */
	struct placement *pl;
	struct timeline tl;
	int rootfd;
	struct known *known;		/* sorted by (tid, start) */
	size_t nknown, capknown;
	size_t max_threads;
	size_t unwatched;
	bool limit_hit;			/* the run limit: sampling must stop */
	struct placement_sample *buf;
};

static volatile sig_atomic_t interrupted;

/* ---- the watched threads ---- */

static int cmp_known(pid_t tid, uint64_t start, const struct known *k)
{
	if (tid != k->tid)
		return tid < k->tid ? -1 : 1;
	return (start > k->start) - (start < k->start);
}

/* Where (tid, start) is or would go in w->known; *found tells which. */
static size_t known_find(const struct watch *w, pid_t tid, uint64_t start, bool *found)
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

static int known_insert(struct watch *w, size_t at, pid_t tid, uint64_t start, size_t idx)
{
	if (w->nknown == w->capknown) {
		size_t cap = w->capknown ? w->capknown * 2 : 256;
		struct known *v = realloc(w->known, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->known = v;
		w->capknown = cap;
	}
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

/*
 * Look for the targets' threads: add new ones to the sampler and the timeline, note the
 * affinity and the schedstat of each. What is read by TID belongs to the thread only if
 * the thread was still there after the read: for known threads it is read before the scan
 * and kept only when the scan finds the thread again; a new thread's is read before
 * placement_add, which checks the thread's identity. *found gets the number of threads
 * the scan saw. With limit set, more than max_threads threads is -E2BIG (*found has the
 * count).
 */
static int refresh(struct watch *w, bool add, bool limit, size_t *found)
{
	struct cpusopts *o = w->o;
	pid_t *tgids = NULL;
	struct task *rows = NULL;
	char **tentative = NULL;
	struct schedread *tsched = NULL;
	size_t n = 0, nrows = 0, ntent = w->tl.nthreads;
	uint32_t slot;
	bool all;
	int rc;

	*found = 0;
	rc = target_resolve(&o->co.target, w->smp, &tgids, &n, &all);
	if (rc)
		return rc;
	if (ntent) {
		tentative = calloc(ntent, sizeof(*tentative));
		tsched = calloc(ntent, sizeof(*tsched));
		if (!tentative || !tsched) {
			free(tentative);
			free(tsched);
			free(tgids);
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
	free(tgids);
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
		aff = affinity_of(t->tid);
		sr = schedstat_of(w->rootfd, t->tgid, t->tid);
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

/* Move the sampler's records into the timeline. */
static void drain(struct watch *w)
{
	for (;;) {
		size_t n = placement_drain(w->pl, w->buf, DRAIN_BATCH);

		for (size_t i = 0; i < n; i++) {
			const struct placement_sample *s = &w->buf[i];

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

/* ---- signals and the spawned job ---- */

static void on_stop_signal(int sig)
{
	interrupted = sig;
}

static void catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the sleep ends at once */
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- the run ---- */

/* Raise the descriptor limit for the kept-open files; the threads that fit. */
static size_t thread_limit(void)
{
	struct rlimit rl;
	rlim_t want = PLACEMENT_MAX_THREADS + FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 64;
	if (rl.rlim_cur < want) {
		struct rlimit nl = rl;

		nl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want
										   : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
			rl = nl;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return PLACEMENT_MAX_THREADS;
	return rl.rlim_cur > 2 * FD_SPARE ? (size_t)(rl.rlim_cur - FD_SPARE) : FD_SPARE;
}

static FILE *open_out(const char *path)
{
	char buf[256], why[160];
	FILE *f;

	if (outfile_open(path, OUTFILE_MODE_REPORT, &f, why, sizeof(why)))
		msg_error("cannot write to '%s': %s", cpusopts_shown(path, buf, sizeof(buf)), why);
	return f;
}

/* Slots of a timed run: the time at the rate, at least one. */
static uint64_t timed_slots(const struct cpusopts *o)
{
	double n = ceil(o->time * o->rate - 1e-9);

	return n < 1 ? 1 : (uint64_t)n;
}

static int sample(struct watch *w, const char **stopped)
{
	double t0 = util_monotonic(), deadline, next_drain, next_scan;
	struct placement_stats st;
	struct cpusopts *o = w->o;
	bool timed = o->time_set || !o->co.cmd;
	size_t found;
	int rc;

	/* the sampler ends by itself after its slots; the last is due a period before this */
	placement_stats(w->pl, &st);
	deadline = timed ? st.mono0 + (double)timed_slots(o) / o->rate : INFINITY;
	next_drain = t0 + DRAIN_EVERY;
	next_scan = t0 + SCAN_EARLY;
	for (;;) {
		double now, wake;

		session_follow(w->s, 0);	/* reap, forward signals; no wait */
		if (session_job_over(w->s))
			return 0;
		if (interrupted) {
			*stopped = interrupted == SIGINT ? "interrupted (SIGINT)"
				 : interrupted == SIGTERM ? "terminated (SIGTERM)" : "hangup (SIGHUP)";
			return 0;
		}
		now = util_monotonic();
		if (now >= deadline || (timed && placement_slot(w->pl) >= timed_slots(o)))
			return 0;
		if (now >= next_drain) {
			drain(w);
			next_drain = now + DRAIN_EVERY;
			if (w->limit_hit) {
				*stopped = "the timeline reached its limit of runs";
				return 0;
			}
			if (placement_slot(w->pl) >= MAX_SLOTS) {
				*stopped = "the timeline reached its longest (4,000,000,000 slots)";
				return 0;
			}
		}
		if (now >= next_scan) {
			rc = refresh(w, true, false, &found);
			if (rc)
				return rc;
			/* the watched processes are gone: nothing more to see */
			if (!found && !w->s->job && !target_is_all(&o->co.target))
				return 0;
			next_scan = now + (now - t0 < EARLY_SPAN ? SCAN_EARLY : SCAN_EVERY);
		}
		wake = next_drain < next_scan ? next_drain : next_scan;
		if (deadline < wake)
			wake = deadline;
		session_follow(w->s, wake);
	}
}

static int report(struct watch *w, const struct topo *topo, const char *stopped, FILE *out,
		  FILE *svg)
{
	struct placement_stats st;
	struct cpus_report r;
	char what[256];
	int rc = 0;

	placement_stats(w->pl, &st);
	/* an end record the ring had no room for: the thread ended after its last sample */
	for (size_t i = 0; i < w->tl.nthreads; i++) {
		const struct timeline_thread *t = &w->tl.threads[i];

		if (placement_ended(w->pl, i) && t->end_slot == TIMELINE_NO_SLOT)
			timeline_end_thread(&w->tl, i,
					    t->nruns ? t->runs[t->nruns - 1].slot +
						       t->runs[t->nruns - 1].len
						     : (uint32_t)st.slots);
	}
	timeline_cover(&w->tl, st.slots > MAX_SLOTS ? MAX_SLOTS : (uint32_t)st.slots);
	target_describe(&w->o->co.target, what, sizeof(what));
	r = (struct cpus_report){
		.tl = &w->tl, .topo = topo, .what = what, .rate = w->o->rate,
		.duration = w->tl.nslots * w->tl.period, .ticks = st.ticks, .missed = st.missed,
		.dropped = st.dropped, .unreadable = st.unreadable, .sampler_cpu = st.cpu_s,
		.unwatched = w->unwatched, .max_threads = w->max_threads, .stopped = stopped,
	};
	/* the reader went away (that is its choice) or a write error, reported at the close */
	rc = cpus_print(&r, w->o->co.json ? CPUS_JSON : w->o->co.raw ? CPUS_RAW : CPUS_TABLE, out);
	if (rc && outfile_error(out))
		rc = 0;
	if (rc)
		msg_error("cannot print the report: %s", strerror(-rc));
	if (svg) {
		int src = svg_write(&r, svg);

		if (src && outfile_error(svg))
			src = 0;
		if (src)
			msg_error("cannot print the SVG chart: %s", strerror(-src));
		if (!rc)
			rc = src;
	}
	return rc;
}

/* The topology: 0 (NULL when it cannot be read), or 1 when a given file cannot be read. */
static int load_topology(struct topo **topo)
{
	const char *file = getenv(TOPO_ENV);
	char shown[256];
	int rc = topo_load(topo);

	if (rc && file && *file) {
		msg_error("cannot load the topology file '%s' (%s): %s",
			  cpusopts_shown(file, shown, sizeof(shown)), TOPO_ENV,
			  rc == -EINVAL ? "hwloc cannot read it as a topology (lstopo --of xml writes "
					  "one)" : strerror(-rc));
		return 1;
	}
	if (rc)
		*topo = NULL;	/* the report says the topology is unknown */
	return 0;
}

/* Start watching: the first scan of the targets' threads and the sampler thread. */
static int start(struct watch *w)
{
	struct cpusopts *o = w->o;
	size_t found;
	int rc;

	/* raised only now: a job must not inherit the higher limit of open files */
	w->max_threads = thread_limit();
	w->buf = malloc(DRAIN_BATCH * sizeof(*w->buf));
	rc = !w->buf ? -ENOMEM
		: placement_new(&w->pl, w->rootfd, o->rate, w->max_threads, PLACEMENT_RING_RECORDS);
	if (rc) {
		msg_error("cannot start the sampler: %s", strerror(-rc));
		return 1;
	}
	rc = refresh(w, true, !o->co.cmd, &found);
	if (rc == -E2BIG) {
		msg_error("the targets have %zu threads, more than the %zu this command watches: "
			  "choose fewer with -p, -u or -C", found, w->max_threads);
		return 1;
	}
	if (!rc && !found && !o->co.cmd && !target_is_all(&o->co.target)) {
		msg_error("no thread to watch: the target processes are gone");
		return 1;
	}
	if (!rc)
		rc = placement_start(w->pl, (o->time_set || !o->co.cmd) ? timed_slots(o) : 0);
	if (rc) {
		msg_error("sampling failed: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

/* Sample until the time is up or the job is over, then report. */
static int watch(struct watch *w, const struct topo *topo, FILE *svg)
{
	const char *stopped = NULL;
	size_t found;
	int rc = sample(w, &stopped);

	if (!rc)
		rc = refresh(w, false, false, &found);	/* the affinity at the end */
	placement_stop(w->pl);
	placement_finish(w->pl);
	drain(w);
	if (rc) {
		msg_error("sampling failed: %s", strerror(-rc));
		return 1;
	}
	return report(w, topo, stopped, w->s->out, svg) ? 1 : 0;
}

static int run(struct cpusopts *o)
{
	struct session_config cfg = {
		.target = &o->co.target, .cmd = o->co.cmd, .run_as = o->co.run_as,
		.output_file = o->co.output_file, .job_summary = true,
	};
	struct session s;
	struct watch w;
	struct topo *topo = NULL;
	FILE *svg = NULL;
	int status;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.s = &s;
	w.rootfd = -1;
	status = session_open(&s, &cfg);
	if (status)
		goto out;
	w.smp = s.smp;
	if (timeline_init(&w.tl, o->rate, TIMELINE_MAX_RUNS) || load_topology(&topo)) {
		status = 1;
		goto out;
	}
	if (o->svg && !(svg = open_out(o->svg))) {
		status = 1;
		goto out;
	}
	w.rootfd = taskfiles_open_root();
	if (w.rootfd < 0) {
		msg_error("cannot open /proc: %s", strerror(-w.rootfd));
		status = 1;
		goto out;
	}
	if (o->co.cmd)
		status = session_start_job(&s);
	else
		catch_stop_signals();
	if (!status)
		status = start(&w);
	if (!status)
		status = watch(&w, topo, svg);
out:
	placement_free(w.pl);
	if (w.rootfd >= 0)
		close(w.rootfd);
	free(w.buf);
	free(w.known);
	timeline_free(&w.tl);
	topo_free(topo);
	if (svg)
		status = outfile_close(svg, o->svg, status);
	return session_close(&s, status);
}

int cpuscmd_main(int argc, char **argv)
{
	struct cpusopts o;
	int rc;

	memset(&o, 0, sizeof(o));
	msg_set_command("cpus");
	rc = cpusopts_parse(&o, argc, argv);
	if (rc < 0)
		rc = run(&o);
	common_free(&o.co);
	msg_set_command(NULL);
	return rc;
}
