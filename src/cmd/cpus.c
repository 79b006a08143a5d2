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

#include "cmd/cli.h"
#include "cmd/cpus.h"
#include "cmd/cpusopts.h"
#include "cmd/cpusrec.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/placewatch.h"
#include "model/session.h"
#include "model/snapshot.h"
#include "model/timeline.h"
#include "model/system.h"
#include "model/cpumap.h"
#include "target/spawn.h"
#include "target/target.h"
#include "lib/exitcode.h"
#include "view/cpus.h"
#include "view/svg.h"

#define DRAIN_EVERY	0.1	/* s between two drains of the sampler's ring */
#define SCAN_EVERY	0.5	/* s between two looks for new threads */
#define SCAN_EARLY	0.1	/* ... in the first second */
#define EARLY_SPAN	1.0
#define FD_SPARE	32	/* descriptors kept for everything but the kept-open files */
#define MAX_SLOTS	4000000000u	/* slot numbers are 32 bits */

struct watch {
	struct cpusopts *o;
	struct session *s;		/* targets (its sampler), the job, the output */
	struct placewatch *pw;
	int rootfd;
	size_t max_threads;
	const struct cpusrec_result *rec;	/* cpus FILE: what was read */
};

/* Look for the targets' threads (see placewatch_refresh). */
static int refresh(struct watch *w, bool add, bool limit, size_t *found)
{
	pid_t *tgids = NULL;
	size_t n = 0;
	bool all;
	int rc = target_resolve(&w->o->co.target, w->s->smp, &tgids, &n, &all);

	*found = 0;
	if (!rc)
		rc = placewatch_refresh(w->pw, tgids, n, all, add, limit, found);
	free(tgids);
	return rc;
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
		msg_error("cannot write to '%s': %s", cli_shown(path, buf, sizeof(buf)), why);
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
	placewatch_stats(w->pw, &st);
	deadline = timed ? st.mono0 + (double)timed_slots(o) / o->rate : INFINITY;
	next_drain = t0 + DRAIN_EVERY;
	next_scan = t0 + SCAN_EARLY;
	for (;;) {
		double now, wake;
		int sig;

		session_follow(w->s, 0);	/* reap, forward signals; no wait */
		if (session_job_over(w->s))
			return 0;
		sig = cli_stop_signal();
		if (sig) {
			*stopped = sig == SIGINT ? "interrupted (SIGINT)"
				 : sig == SIGTERM ? "terminated (SIGTERM)" : "hangup (SIGHUP)";
			return 0;
		}
		now = util_monotonic();
		if (now >= deadline || (timed && placewatch_slot(w->pw) >= timed_slots(o)))
			return 0;
		if (now >= next_drain) {
			placewatch_drain(w->pw);
			next_drain = now + DRAIN_EVERY;
			if (placewatch_limit_hit(w->pw)) {
				*stopped = "the timeline reached its limit of runs";
				return 0;
			}
			if (placewatch_slot(w->pw) >= MAX_SLOTS) {
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

static int report(struct watch *w, const struct cpumap *topo, const char *stopped, FILE *out,
		  FILE *svg)
{
	struct placement_stats st;
	struct cpus_report r;
	struct timeline *tl;
	char what[1024];
	int rc = 0;

	placewatch_close_timeline(w->pw, MAX_SLOTS);
	placewatch_stats(w->pw, &st);
	tl = placewatch_timeline(w->pw);
	target_describe(&w->o->co.target, what, sizeof(what));
	if (w->rec)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " of %s",
			 w->rec->what);
	if (w->o->nproc_root)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " of %zu --proc-root "
			 "tree%s", w->o->nproc_root, w->o->nproc_root == 1 ? "" : "s");
	r = (struct cpus_report){
		.tl = tl, .topo = topo, .what = what, .rate = w->o->rate,
		.duration = tl->nslots * tl->period, .ticks = st.ticks, .missed = st.missed,
		.dropped = st.dropped, .unreadable = st.unreadable, .sampler_cpu = st.cpu_s,
		.unwatched = placewatch_unwatched(w->pw), .max_threads = w->max_threads, .stopped = stopped,
		.topo_why = w->o->nproc_root ? "the first --proc-root tree has no "
			    "sys/devices/system, and no TASKSCOPE_TOPOLOGY file is named"
			  : w->rec ? "the recording has no CPU topology" : NULL,
	};
	if (w->rec) {
		r.rate = w->rec->rate;
		r.wall = w->rec->last;
		r.since = w->rec->first;
		r.host = w->rec->host;
		r.kernel = w->rec->kernel;
		r.sched_why = w->rec->schedstat ? NULL : "run and run-queue times were not "
			      "recorded";
	}
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
static int load_topology(struct cpumap **topo)
{
	const char *file = getenv(CPUMAP_ENV);
	char shown[256];
	int rc = cpumap_load(topo);

	if (rc && file && *file) {
		msg_error("cannot load the topology file '%s' (%s): %s",
			  cli_shown(file, shown, sizeof(shown)), CPUMAP_ENV,
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

	struct placewatch_config pc = {
		.rootfd = w->rootfd, .rate = o->rate, .ring_records = PLACEMENT_RING_RECORDS,
		.max_runs = TIMELINE_MAX_RUNS, .details = true,
	};

	/* raised only now: a job must not inherit the higher limit of open files */
	w->max_threads = pc.max_threads = thread_limit();
	rc = placewatch_new(&w->pw, &pc);
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
		rc = placewatch_start(w->pw, (o->time_set || !o->co.cmd) ? timed_slots(o) : 0);
	if (rc) {
		msg_error("sampling failed: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

/* Sample until the time is up or the job is over, then report. */
static int watch(struct watch *w, const struct cpumap *topo, FILE *svg)
{
	const char *stopped = NULL;
	size_t found;
	int rc = sample(w, &stopped);

	if (!rc)
		rc = refresh(w, false, false, &found);	/* the affinity at the end */
	placewatch_stop(w->pw);
	if (rc) {
		msg_error("sampling failed: %s", strerror(-rc));
		return 1;
	}
	return report(w, topo, stopped, w->s->out, svg) ? 1 : 0;
}

/* ---- trees with /proc's layout (--proc-root) ---- */

/* The trees' topology: the first tree's sys/devices/system, else the TASKSCOPE_TOPOLOGY
 * file, never this machine's (the trees are another's); 0, or 1 when it cannot be read. */
static int tree_topology(const char *dir, struct cpumap **topo)
{
	const char *file = getenv(CPUMAP_ENV);
	int rc = cpumap_load_tree(dir, topo);

	if (rc == -ENOENT)
		return file && *file ? load_topology(topo) : 0;
	if (rc == -EINVAL) {
		msg_error("the --proc-root tree's sys/devices/system cannot be understood as a "
			  "topology (tools/capture-proc.sh copies one)");
		return 1;
	}
	if (rc)
		*topo = NULL;	/* the report says the topology is unknown */
	return 0;
}

/* Each tree one sample (slot i), then the report. */
static int watch_trees(struct watch *w, FILE *svg)
{
	struct cpusopts *o = w->o;
	struct placewatch_config pc = {
		.rate = o->rate, .max_threads = PLACEMENT_MAX_THREADS,
		.max_runs = TIMELINE_MAX_RUNS, .details = true, .trees = true,
	};
	struct cpumap *topo = NULL;
	pid_t *tgids = NULL;
	size_t n = 0;
	char why[320] = "";
	bool all;
	int rc, status = 1;

	if (tree_topology(o->proc_root[0], &topo))
		return 1;
	w->max_threads = pc.max_threads;
	/* the targets as the first tree shows them (the session's sampler reads it) */
	rc = target_resolve(&o->co.target, w->s->smp, &tgids, &n, &all);
	if (!rc)
		rc = placewatch_new(&w->pw, &pc);
	if (!rc)
		rc = placewatch_sample_trees(w->pw, o->proc_root, o->nproc_root, tgids, n, all,
					     why, sizeof(why));
	free(tgids);
	if (rc) {
		msg_error("%s", *why ? why : strerror(-rc));
		goto out;
	}
	if (!placewatch_timeline(w->pw)->nthreads && !target_is_all(&o->co.target)) {
		msg_error("no thread to watch: the target processes are not in the trees");
		goto out;
	}
	status = report(w, topo, NULL, w->s->out, svg) ? 1 : 0;
out:
	cpumap_free(topo);
	return status;
}

/* ---- a recording (cpus FILE) ---- */

/* The recording's samples, then the report. */
static int watch_recording(struct watch *w, FILE *svg)
{
	struct cpusrec_result res;
	struct cpumap *topo = NULL;
	int status;

	if (cpusrec_load(w->o, &w->pw, &topo, &res))
		return 1;
	w->rec = &res;
	w->max_threads = PLACEMENT_MAX_THREADS;
	if (!placewatch_timeline(w->pw)->nthreads && !target_is_all(&w->o->co.target)) {
		msg_error("no thread to show: the target processes are not in the recording's "
			  "samples");
		status = 1;
	} else {
		status = report(w, topo, res.stopped, w->s->out, svg) ? 1 : 0;
	}
	w->rec = NULL;
	cpumap_free(topo);
	return status;
}

static int run(void *ctx)
{
	struct cpusopts *o = ctx;
	struct session_config cfg = {
		.target = &o->co.target, .cmd = o->co.cmd, .run_as = o->co.run_as,
		.output_file = o->co.output_file, .job_summary = true,
		.proc_root = o->proc_root, .nproc_root = o->nproc_root,
	};
	struct session s;
	struct watch w;
	struct cpumap *topo = NULL;
	struct target none;	/* a recording's session: the targets select recorded rows */
	FILE *svg = NULL;
	int status;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.s = &s;
	w.rootfd = -1;
	target_init(&none);
	if (o->recording)
		cfg = (struct session_config){ .target = &none, .output_file = o->co.output_file };
	status = session_open(&s, &cfg);
	if (status)
		goto out;
	if (o->recording || o->nproc_root) {	/* the samples are read, not taken */
		if (o->svg && !(svg = open_out(o->svg)))
			status = 1;
		else
			status = o->recording ? watch_recording(&w, svg) : watch_trees(&w, svg);
		goto out;
	}
	if (load_topology(&topo)) {
		status = 1;
		goto out;
	}
	if (o->svg && !(svg = open_out(o->svg))) {
		status = 1;
		goto out;
	}
	w.rootfd = system_open_root();
	if (w.rootfd < 0) {
		msg_error("cannot open /proc: %s", strerror(-w.rootfd));
		status = 1;
		goto out;
	}
	if (o->co.cmd)
		status = session_start_job(&s);
	else
		cli_catch_stop_signals();
	if (!status)
		status = start(&w);
	if (!status)
		status = watch(&w, topo, svg);
out:
	placewatch_free(w.pw);
	if (w.rootfd >= 0)
		close(w.rootfd);
	cpumap_free(topo);
	if (svg)
		status = outfile_close(svg, o->svg, status);
	status = session_close(&s, status);
	target_free(&none);
	return status;
}

static const struct cmd_spec cpus_cmd = {
	.name = "cpus", .accept = CPUSOPTS_ACCEPT, .usage = cpusopts_usage,
	.options = cpusopts_options, .co = offsetof(struct cpusopts, co),
	.bare = cpusopts_bare, .check = cpusopts_check, .run = run,
};

int cpuscmd_main(int argc, char **argv)
{
	struct cpusopts o = { .rate = CPUSOPTS_DEF_RATE, .time = CPUSOPTS_DEF_TIME };

	return command_main(&cpus_cmd, &o, argc, argv);
}
