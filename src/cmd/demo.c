/* SPDX-License-Identifier: GPL-2.0-or-later */
/* demo.c - taskscope demo: the threads-vs-processes lesson, measured on this machine
 *
 * Runs two comparisons and prints each claim of the lesson next to what this run measured:
 * the built-in workload as N threads and as N processes (CPU-bound, with shared read-only
 * and private data), and, when python3 is on PATH, examples/python/threads.py against
 * processes.py. A claim is printed as shown only when the numbers of this run show it;
 * otherwise the line says "not shown" and why.
 *
 * The Python programs are files, not strings in this binary, so that the user can read and
 * run them: the demo looks in TS_EXAMPLESDIR (the installed $(pkgdatadir)/examples), then
 * in TS_SRCEXAMPLESDIR (the source tree it was built from), so a build tree works before
 * `make install` as well as an installed copy.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/compare.h"
#include "cmd/demo.h"
#include "cmd/options.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/session.h"
#include "model/comparison.h"
#include "target/spawn.h"
#include "cmd/cli.h"
#include "lib/exitcode.h"
#include "view/compare.h"

#ifndef TS_EXAMPLESDIR
#define TS_EXAMPLESDIR "/usr/local/share/taskscope/examples"
#endif
#ifndef TS_SRCEXAMPLESDIR
#define TS_SRCEXAMPLESDIR "examples"
#endif

#define DEF_SECONDS 1.5
#define DEF_ROUNDS 4000000
#define MAX_DEMO_WORKERS 64
/* Parallelism above this means more than one CPU worked at once; at or below it, "near
 * one CPU". */
#define PARALLEL_ONE 1.2

struct opts {
	struct common_opts co;	/* -h */
	unsigned ncpus;		/* usable */
	unsigned workers;
	double seconds;
	uint64_t rounds;
	bool bytes;
};

/* What the demo measured, for the claims. */
struct demo {
	unsigned ncpus;
	unsigned workers;
	bool c_ran;
	struct comparison_side c[2];	/* threads, processes */
	bool py_ran;
	/* why the Python part did not run; the longest names both example directories */
	char py_skip[160 + sizeof(TS_EXAMPLESDIR) + sizeof(TS_SRCEXAMPLESDIR)];
	struct comparison_side py[2];
};

static void usage(FILE *out)
{
	fputs("Usage: taskscope demo [options]\n"
	      "\n"
	      "The threads-vs-processes lesson, measured on this machine now. Compares the\n"
	      "built-in workload as N threads and as N processes (CPU-bound, shared read-only\n"
	      "data, private data), then, when python3 is on PATH, Python threading against\n"
	      "multiprocessing on a CPU-bound task (examples/python/threads.py and\n"
	      "processes.py), and prints each claim of the lesson next to the evidence: shown,\n"
	      "or not shown and why.\n"
	      "\n"
	      "Options:\n"
	      "     --workers N           workers on each side (default: the CPUs taskscope may\n"
	      "                           use, at least 2, at most 8)\n"
	      " -t, --time SECONDS        how long the C workers spin (default 1.5)\n"
	      "     --rounds N            loop rounds of each Python worker (default 4000000)\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n", out);
	cli_help_end(out, "demo",
		     "Exit status: 0 the demo ran (also when a claim was not shown), 1 runtime failure,\n"
		     "2 usage error. ");
}

static unsigned usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	return 1;
}

static const struct cmd_option options[] = {
	{ "workers", 0, CMD_COUNT, CMD_FIELD(struct opts, workers), .lo = 1,
	  .hi = MAX_DEMO_WORKERS, .words = "a whole number from %.0f to %.0f" },
	{ "time", 't', CMD_SECONDS, CMD_FIELD(struct opts, seconds), .hi = 600, .above = true,
	  .words = "seconds, more than %.0f and at most %.0f" },
	{ "rounds", 0, CMD_COUNT, CMD_FIELD(struct opts, rounds), .lo = 1, .hi = 1e12,
	  .words = "a whole number from %.0f" },
	{ "bytes", 0, CMD_FLAG, CMD_FIELD(struct opts, bytes) },
	{ 0 }
};

/* The first executable python3 on PATH into buf; -ENOENT if there is none. */
static int find_python(char *buf, size_t len)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		return -ENOENT;
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t dl = colon ? (size_t)(colon - path) : strlen(path);
		int n = snprintf(buf, len, "%.*s/python3", (int)dl, dl ? path : ".");

		if (n > 0 && (size_t)n < len && access(buf, X_OK) == 0)
			return 0;
		if (!colon)
			break;
		path = colon + 1;
	}
	return -ENOENT;
}

/* The interpreter a python3 on PATH runs in the end (sys.executable), so that a side is
 * the interpreter and not a wrapper that finds it (pyenv's shims are shell scripts that
 * run helper processes first). Keeps py as it is when that cannot be told. */
static void resolve_python(char *py, size_t len)
{
	char *argv[] = { py, "-c", "import sys; sys.stdout.write(sys.executable)", NULL };
	char out[PATH_MAX];
	size_t n = 0;
	struct target tg;
	struct session_config cfg = { .target = &tg, .cmd = argv, .no_sampler = true };
	struct session ss;
	int pfd[2], status;
	ssize_t r;

	if (pipe2(pfd, O_CLOEXEC))
		return;
	target_init(&tg);
	status = session_open(&ss, &cfg);
	if (!status)
		status = session_start_job_fds(&ss, pfd[1], -1);
	close(pfd[1]);
	if (status) {
		close(pfd[0]);
		session_close(&ss, status);
		target_free(&tg);
		return;
	}
	while (n + 1 < sizeof(out) &&
	       ((r = read(pfd[0], out + n, sizeof(out) - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(pfd[0]);
	status = session_close(&ss, 0);	/* the job followed to its end: its status */
	target_free(&tg);
	out[n] = '\0';
	if (status == 0 && n && n < len && out[0] == '/' && !strchr(out, '\n') &&
	    access(out, X_OK) == 0)
		memcpy(py, out, n + 1);
}

/* The directory that holds python/threads.py and python/processes.py. */
static const char *find_examples(void)
{
	static const char *const dirs[] = { TS_EXAMPLESDIR, TS_SRCEXAMPLESDIR };
	char p[PATH_MAX], q[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s/python/threads.py", dirs[i]);
		snprintf(q, sizeof(q), "%s/python/processes.py", dirs[i]);
		if (access(p, R_OK) == 0 && access(q, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

static int print_side_table(const struct opts *o, const char *title,
			    const struct comparison_side *s)
{
	struct compare_view v = { .mode = "demo", .bytes = o->bytes, .no_notes = true,
				  .out = stdout };

	printf("\n== %s ==\n", title);
	return compare_print(&v, &s[0], &s[1]);
}

static int run_python(struct demo *d, const struct opts *o)
{
	char py[PATH_MAX], script[2][PATH_MAX], nbuf[16], rbuf[24];
	const char *dir;
	static const char *const files[2] = { "threads.py", "processes.py" };
	int rc;

	if (find_python(py, sizeof(py))) {
		snprintf(d->py_skip, sizeof(d->py_skip), "python3 was not found on PATH");
		return 0;
	}
	resolve_python(py, sizeof(py));
	dir = find_examples();
	if (!dir) {
		snprintf(d->py_skip, sizeof(d->py_skip),
			 "examples/python/threads.py and processes.py were not found (looked in %s and %s)",
			 TS_EXAMPLESDIR, TS_SRCEXAMPLESDIR);
		return 0;
	}
	snprintf(nbuf, sizeof(nbuf), "%u", o->workers);
	snprintf(rbuf, sizeof(rbuf), "%llu", (unsigned long long)o->rounds);
	for (int k = 0; k < 2; k++) {
		char cmd[PATH_MAX * 2 + 64];
		char *argv[] = { py, script[k], nbuf, rbuf, NULL };

		snprintf(script[k], sizeof(script[k]), "%s/python/%s", dir, files[k]);
		snprintf(cmd, sizeof(cmd), "%s %s %s %s", py, script[k], nbuf, rbuf);
		rc = comparison_side_init(&d->py[k], k ? "B" : "A",
					  k ? "Python processes" : "Python threads", cmd, 0);
		if (rc)
			return rc;
		rc = comparecmd_run_side(&d->py[k], argv, false, COMPARECMD_DEF_DELAY);
		if (rc)
			return rc;
		if (!d->py[k].m[CMP_EXIT].known || d->py[k].m[CMP_EXIT].v != 0) {
			snprintf(d->py_skip, sizeof(d->py_skip),
				 "python3 %s failed (exit status %.0f)", files[k],
				 d->py[k].m[CMP_EXIT].known ? d->py[k].m[CMP_EXIT].v : -1.0);
			return 0;
		}
	}
	d->py_ran = true;
	return 0;
}

static double val(const struct comparison_side *s, enum comparison_metric m)
{
	return s->m[m].known ? s->m[m].v : -1;
}

static void claim(int n, const char *text, bool shown, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void claim(int n, const char *text, bool shown, const char *fmt, ...)
{
	va_list ap;

	printf("\n%d. %s\n   %s: ", n, text, shown ? "shown" : "not shown");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void claim_spaces(const struct demo *d)
{
	const struct comparison_side *t = &d->c[0], *p = &d->c[1];
	double tp = val(t, CMP_PROCS), ts = val(t, CMP_SPACES);
	double pp = val(p, CMP_PROCS), ps = val(p, CMP_SPACES);

	if (ts < 0 || ps < 0) {
		claim(1, "Every process has its own address space.", false,
		      "kcmp could not compare the tasks' address spaces here");
		return;
	}
	claim(1, "Every process has its own address space.",
	      pp > 1 && ps == pp && ts == 1 && tp == 1,
	      "%.0f processes (a parent and %u workers) had %.0f distinct address spaces (kcmp VM);\n"
	      "   %.0f process with %.0f threads had %.0f.",
	      pp, d->workers, ps, tp, val(t, CMP_THREADS), ts);
}

static void claim_resources(const struct demo *d)
{
	const struct comparison_side *t = &d->c[0], *p = &d->c[1];
	char pt[2][32];
	bool one = true, known = true;

	for (int m = CMP_SPACES; m <= CMP_SIGHAND; m++) {
		known &= t->m[m].known && p->m[m].known;
		one &= val(t, (enum comparison_metric)m) == 1;
	}
	if (!known) {
		claim(2, "Threads share the memory and other resources of their process.", false,
		      "kcmp could not compare the tasks' resources here");
		return;
	}
	compare_format(t, CMP_PTE_PEAK, false, pt[0], sizeof(pt[0]));
	compare_format(p, CMP_PTE_PEAK, false, pt[1], sizeof(pt[1]));
	claim(2, "Threads share the memory and other resources of their process.",
	      one && val(t, CMP_THREADS) > 1,
	      "%.0f threads: %.0f address space, %.0f fd table, %.0f fs, %.0f signal handler table\n"
	      "   (kcmp VM, FILES, FS, SIGHAND) and one set of page tables (%s);\n"
	      "   %.0f processes: %.0f, %.0f, %.0f, %.0f, and page tables of %s in all.",
	      val(t, CMP_THREADS), val(t, CMP_SPACES), val(t, CMP_FILES), val(t, CMP_FS),
	      val(t, CMP_SIGHAND), pt[0], val(p, CMP_PROCS), val(p, CMP_SPACES),
	      val(p, CMP_FILES), val(p, CMP_FS), val(p, CMP_SIGHAND), pt[1]);
}

static void claim_heavier(const struct demo *d)
{
	static const struct {
		enum comparison_metric m;
		const char *what;
	} items[] = {
		{ CMP_PSS_PEAK, "PSS" }, { CMP_USS_PEAK, "USS" },
		{ CMP_PTE_PEAK, "page tables" }, { CMP_KSTACK, "kernel stacks (estimate)" },
		{ CMP_READY, "start-up until all workers were ready" },
	};
	const struct comparison_side *t = &d->c[0], *p = &d->c[1];
	char have[1024] = "", lighter[256] = "";
	size_t off = 0, loff = 0;
	bool pss_more = false, pte_more = false, uss_less = false;
	double shared_r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
		char va[32], vb[32];
		double r;

		if (!comparison_ratio(t, p, items[i].m, &r))
			continue;
		compare_format(t, items[i].m, false, va, sizeof(va));
		compare_format(p, items[i].m, false, vb, sizeof(vb));
		/* compare's rule: beyond the factor and the spread of the samples */
		if (items[i].m == CMP_PSS_PEAK)
			pss_more = comparison_verdict(t, p, items[i].m, &r) == CMP_B_MORE;
		if (items[i].m == CMP_PTE_PEAK)
			pte_more = comparison_verdict(t, p, items[i].m, &r) == CMP_B_MORE;
		if (items[i].m == CMP_USS_PEAK)
			uss_less = r < 1;
		if (off < sizeof(have))
			off += (size_t)snprintf(have + off, sizeof(have) - off, "%s%s %s vs %s (%.3fx)",
						off ? ",\n   " : "", items[i].what, vb, va, r);
		if (r < 1 && loff < sizeof(lighter))
			loff += (size_t)snprintf(lighter + loff, sizeof(lighter) - loff, "%s%s",
						 loff ? ", " : "", items[i].what);
	}
	if (!off) {
		claim(3, "Processes are heavier than threads.", false,
		      "no footprint could be measured here");
		return;
	}
	claim(3, "Processes are heavier than threads.", pss_more && pte_more,
	      "processes vs threads, %u workers each:\n   %s.%s%s%s%s", d->workers, have,
	      loff ? "\n   Not heavier here in: " : "", lighter, loff ? "." : "",
	      pss_more && pte_more ? "" :
	      "\n   (as compare: PSS and page tables must differ by more than 10% and by more"
	      "\n   than the spread of the samples)");
	if (uss_less && comparison_ratio(t, p, CMP_SHARED_PEAK, &shared_r) && shared_r > 1)
		printf("   (USS: the one threaded process holds the shared data as private pages;\n"
		       "   the processes share them, shared sum %.2fx.)\n", shared_r);
}

static void claim_os_threads(const struct demo *d)
{
	const struct comparison_side *t = &d->py[0];
	pid_t pid = 0;
	size_t best = 0, shown = 0;
	char list[512] = "";
	size_t off = 0;
	bool cpus_ok = true;

	if (!d->py_ran) {
		claim(4, "Python threads are OS threads.", false, "%s", d->py_skip);
		return;
	}
	/* the Python process: the one with the most tasks */
	for (size_t i = 0; i < t->ntracks; i++) {
		size_t n = 0;

		for (size_t k = 0; k < t->ntracks; k++)
			n += t->tracks[k].tgid == t->tracks[i].tgid;
		if (n > best) {
			best = n;
			pid = t->tracks[i].tgid;
		}
	}
	for (size_t i = 0; i < t->ntracks; i++) {
		const struct comparison_track *k = &t->tracks[i];
		char cpus[64] = "";
		size_t co = 0;

		if (k->tgid != pid)
			continue;
		for (int c = 0; c < 64 && co < sizeof(cpus); c++)
			if (k->cpus & (UINT64_C(1) << c))
				co += (size_t)snprintf(cpus + co, sizeof(cpus) - co, "%s%d",
						       co ? "," : "", c);
		if (!co)
			cpus_ok = false;
		if (shown < 8 && off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
						"%s%d on CPU%s %s", shown ? ", " : "", (int)k->tid,
						strchr(cpus, ',') ? "s" : "", co ? cpus : "?");
		shown++;
	}
	claim(4, "Python threads are OS threads.", best >= (size_t)d->workers + 1 && cpus_ok,
	      "python3 with %u threading workers was process %d with %zu kernel tasks\n"
	      "   (TID on CPU): %s%s.", d->workers, (int)pid, best, list,
	      shown > 8 ? ", ..." : "");
}

/* "(all CPUs were 97% and 98% busy meanwhile, ...)" on a line of its own, when known */
static void busy_text(const struct comparison_side *s, char *buf, size_t len)
{
	if (s[0].m[CMP_SYSBUSY].known && s[1].m[CMP_SYSBUSY].known)
		snprintf(buf, len, "\n   (all CPUs were %.0f%% and %.0f%% busy meanwhile, other work counted)",
			 s[0].m[CMP_SYSBUSY].v, s[1].m[CMP_SYSBUSY].v);
	else
		buf[0] = '\0';
}

static void claim_parallel(const struct demo *d)
{
	double ct = val(&d->c[0], CMP_PARALLEL), cp = val(&d->c[1], CMP_PARALLEL);
	double pt = d->py_ran ? val(&d->py[0], CMP_PARALLEL) : -1;
	double pp = d->py_ran ? val(&d->py[1], CMP_PARALLEL) : -1;
	char py[400], cv[300], pv[300], cb[128], pb[128];
	bool c_ok, py_ok;

	if (d->ncpus < 2) {
		claim(5, "On an independent CPU-bound problem, threads use many CPUs in C, "
		      "not in CPython.", false,
		      "taskscope may use one CPU only: nothing runs in parallel here");
		return;
	}
	c_ok = ct > PARALLEL_ONE && cp > PARALLEL_ONE;
	busy_text(d->c, cb, sizeof(cb));
	if (c_ok)
		snprintf(cv, sizeof(cv), "In C both threads and processes kept more than %.1f CPUs busy.",
			 PARALLEL_ONE);
	else
		snprintf(cv, sizeof(cv), "In C this run did not get more than %.1f CPUs' worth for both "
			 "sides.%s", PARALLEL_ONE, cb);
	if (d->py_ran)
		snprintf(py, sizeof(py), "CPython threads %.2f, CPython processes %.2f", pt, pp);
	else
		snprintf(py, sizeof(py), "CPython not measured: %s", d->py_skip);
	py_ok = d->py_ran && pt >= 0 && pt <= PARALLEL_ONE && pp > PARALLEL_ONE;
	pv[0] = '\0';
	if (d->py_ran && py_ok) {
		snprintf(pv, sizeof(pv), "\n   In CPython the threads stayed at or below %.1f CPUs (the GIL); "
			 "the processes did not.", PARALLEL_ONE);
	} else if (d->py_ran) {
		busy_text(d->py, pb, sizeof(pb));
		snprintf(pv, sizeof(pv), "\n   In CPython this run did not show threads at or below %.1f "
			 "CPUs and processes above.%s", PARALLEL_ONE, pb);
	}
	claim(5, "On an independent CPU-bound problem, threads use many CPUs in C, "
	      "not in CPython.", c_ok && py_ok,
	      "parallelism (CPU time / wall time), %u workers on %u CPUs:\n"
	      "   C threads %.2f, C processes %.2f; %s.\n   %s%s", d->workers, d->ncpus, ct, cp,
	      py, cv, pv);
}

static int run(void *ctx)
{
	const struct opts *o = ctx;
	struct comparecmd_work w;
	struct demo d;
	char err[256];
	double t0 = util_monotonic();
	int rc, status = TS_EXIT_OK;

	memset(&d, 0, sizeof(d));
	d.ncpus = o->ncpus;
	d.workers = o->workers;
	printf("taskscope demo: threads vs processes, measured on this machine now\n"
	       "(%u CPU%s usable, %u workers on each side; sides run one after the other)\n",
	       d.ncpus, d.ncpus == 1 ? "" : "s", d.workers);
	fflush(stdout);

	w = (struct comparecmd_work){ .workers = o->workers, .mem = 4u << 20,
				      .shared = 32u << 20, .spin = true, .seconds = o->seconds };
	rc = comparecmd_run_workers(&w, COMPARECMD_DEF_DELAY, &d.c[0], &d.c[1], err,
				    sizeof(err));
	if (rc) {
		fprintf(stderr, "taskscope: demo: %s\n", err);
		status = TS_EXIT_FAILURE;
		goto out;
	}
	d.c_ran = true;
	rc = print_side_table(o, "C: the built-in workload, spinning, 32M shared read-only, "
			      "4M private per worker", d.c);
	if (rc)
		goto print_error;

	rc = run_python(&d, o);
	if (rc == -EINTR) {
		fprintf(stderr, "taskscope: demo: interrupted\n");
		status = TS_EXIT_FAILURE;
		goto out;
	}
	if (rc) {
		fprintf(stderr, "taskscope: demo: cannot run python3: %s\n", strerror(-rc));
		status = TS_EXIT_FAILURE;
		goto out;
	}
	if (d.py_ran) {
		rc = print_side_table(o, "Python: threading vs multiprocessing, CPU-bound", d.py);
		if (rc)
			goto print_error;
	} else {
		printf("\n== Python: skipped: %s ==\n", d.py_skip);
	}
	printf("\n");
	compare_print_notes(stdout, true);

	printf("\n== The lesson, measured now ==\n");
	claim_spaces(&d);
	claim_resources(&d);
	claim_heavier(&d);
	claim_os_threads(&d);
	claim_parallel(&d);
	printf("\ndemo took %.1f s\n", util_monotonic() - t0);
	goto out;
print_error:
	/* not a reader that went away nor a write error (main reports that with its cause) */
	if (!outfile_error(stdout)) {
		fprintf(stderr, "taskscope: demo: cannot print the report: %s\n", strerror(-rc));
		status = TS_EXIT_FAILURE;
	}
out:
	for (int k = 0; k < 2; k++) {
		comparison_side_free(&d.c[k]);
		comparison_side_free(&d.py[k]);
	}
	return status;
}

/* Its messages say "taskscope: demo: ..." themselves. */
static const struct cmd_spec demo_cmd = {
	.name = "demo", .permute = true, .plain_messages = true, .help_only = true, .shown = 160,
	.usage = usage, .options = options, .co = offsetof(struct opts, co), .run = run,
};

int democmd_main(int argc, char **argv)
{
	struct opts o = { .ncpus = usable_cpus(), .seconds = DEF_SECONDS, .rounds = DEF_ROUNDS };

	o.workers = o.ncpus < 2 ? 2 : o.ncpus > 8 ? 8 : o.ncpus;
	return command_main(&demo_cmd, &o, argc, argv);
}
