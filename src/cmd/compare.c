/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare.c - taskscope compare: two workloads run or watched and measured side by side
 *
 * Three ways to get two sides: the built-in workload as N threads and as N processes
 * (--workers), two shell command lines, or two running groups (-p twice). Spawned sides
 * run one after the other, never at once, so that neither takes CPUs or memory bandwidth
 * from the other; each is the process taskscope starts plus all its descendants (taskscope
 * is their subreaper), sampled every --delay seconds until the last of them is gone, and
 * its CPU time and switches are the exact rusage of the reaped tasks. Running groups are
 * sampled together for -t seconds; their CPU time and switches are the sampled deltas.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd/compare.h"
#include "cmd/comparerec.h"
#include "cmd/options.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/comparison.h"
#include "model/session.h"
#include "model/snapshot.h"
#include "model/system.h"
#include "target/spawn.h"
#include "target/target.h"
#include "cmd/cli.h"
#include "lib/exitcode.h"
#include "view/compare.h"

#define MAX_WORKERS 4096
#define MAX_SECONDS 3600.0
#define MIN_DELAY 0.01
#define MAX_DELAY 60.0
#define DEF_SECONDS 2.0
#define SIDE_READERS (RD_STATUS_MEM | RD_RSS | RD_CTXSW | RD_SCHED | RD_SMAPS | RD_CMDLINE)

struct opts {
	struct comparecmd_work work;
	bool workers_given, mem_given, shared_given, mode_given, time_given;
	double seconds;
	double delay;
	struct target groups[2];
	int ngroups;
	char *cmds[2];
	int ncmds;
	struct common_opts co;	/* -J, --bytes, -h (-p: a side each, not a target) */
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope compare [options] --workers N [--mem SIZE] [--shared SIZE] [--spin|--sleep]\n"
	      " taskscope compare [options] 'COMMAND A' 'COMMAND B'\n"
	      " taskscope compare [options] -p PID[,PID...] -p PID[,PID...]\n"
	      " taskscope compare [options] A.db B.db      (two recordings: taskscope record;\n"
	      "                                            compare A.db B.db --help for more)\n"
	      "\n"
	      "Measures two workloads side by side and prints one table: tasks, address spaces\n"
	      "and other kcmp resources, RSS/PSS/USS/shared sums and page tables (peak and\n"
	      "average over the samples), an estimate of kernel stacks, start-up time, CPU\n"
	      "user/system, wall time, parallelism, switches, migrations and exit statuses,\n"
	      "with B/A for each, and plain words on which side cost more of what.\n"
	      "\n"
	      "Sides:\n"
	      "     --workers N           A: the built-in workload as N threads, B: as N\n"
	      "                           processes, with the same work (1-4096)\n"
	      " 'COMMAND A' 'COMMAND B'   two command lines run with /bin/sh -c, one after the\n"
	      "                           other, each followed with all its descendants\n"
	      " -p, --pid PID[,PID...]    twice: two running groups, each PID with its threads\n"
	      "                           and descendants, watched together for -t seconds\n"
	      "\n"
	      "Workload (with --workers):\n"
	      "     --mem SIZE            private memory each worker writes (default 4M)\n"
	      "     --shared SIZE         memory the parent writes and the workers only read\n"
	      "                           (default 16M)\n"
	      "     --spin                every worker burns CPU (the default)\n"
	      "     --sleep               every worker idles\n"
	      "\n"
	      "Options:\n"
	      " -t, --time SECONDS        how long the workers run once all are ready, or how\n"
	      "                           long -p groups are watched (default 2)\n"
	      " -d, --delay SECONDS       time between samples (default 0.1, at least 0.01)\n"
	      " -J, --json                one JSON document\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      "     --from TIME           two recordings: the samples from TIME on\n"
	      "     --to TIME             two recordings: the samples up to TIME\n", out);
	cli_help_end(out, "compare",
		     "The commands' standard output goes to standard error: standard output holds the\n"
		     "report only.\n"
		     "\n"
		     "Exit status: 0 the comparison ran (whatever the commands returned: their statuses\n"
		     "are in the report), 1 runtime failure, 2 usage error. ");
}

/* A side given with -p: its PIDs and all their descendants. */
static int side_option(void *ctx, const char *arg)
{
	struct opts *o = ctx;
	char sbuf[160];
	int rc;

	if (o->ngroups == 2)
		return cli_usage_error("compare", "-p is given twice, once per side");
	rc = target_parse_option(&o->groups[o->ngroups], 'p', arg, sbuf, sizeof(sbuf));
	if (rc == -EINVAL)
		return cli_usage_error("compare", "%s", sbuf);
	if (rc) {
		msg_error("%s", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	o->groups[o->ngroups].descendants = true;
	o->ngroups++;
	return CO_CONTINUE;
}

static int sleep_option(void *ctx, const char *arg)
{
	struct opts *o = ctx;

	(void)arg;
	o->work.spin = false;
	o->mode_given = true;
	return CO_CONTINUE;
}

static const struct cmd_option options[] = {
	{ "workers", 0, CMD_COUNT, CMD_FIELD(struct opts, work.workers),
	  CMD_GIVEN(struct opts, workers_given), .lo = 1, .hi = MAX_WORKERS,
	  .words = "a whole number from %.0f to %.0f" },
	{ "mem", 0, CMD_SIZE, CMD_FIELD(struct opts, work.mem), CMD_GIVEN(struct opts, mem_given),
	  .hi = (double)((uint64_t)1 << 40), .words = "a size such as 64M (at most 1T)" },
	{ "shared", 0, CMD_SIZE, CMD_FIELD(struct opts, work.shared),
	  CMD_GIVEN(struct opts, shared_given), .hi = (double)((uint64_t)1 << 40),
	  .words = "a size such as 64M (at most 1T)" },
	{ "spin", 0, CMD_FLAG, CMD_FIELD(struct opts, work.spin),
	  CMD_GIVEN(struct opts, mode_given) },
	{ "sleep", 0, CMD_FLAG, .call = sleep_option },
	{ "time", 't', CMD_SECONDS, CMD_FIELD(struct opts, seconds),
	  CMD_GIVEN(struct opts, time_given), .hi = MAX_SECONDS, .above = true,
	  .words = "seconds, more than %.0f and at most %.0f" },
	{ "delay", 'd', CMD_SECONDS, CMD_FIELD(struct opts, delay), .lo = MIN_DELAY,
	  .hi = MAX_DELAY, .words = "seconds from %.2f to %.0f" },
	{ "pid", 'p', CMD_CALL, .call = side_option },
	{ 0 }
};

/* A side given as a command line. */
static int command_line(void *ctx, const char *arg)
{
	struct opts *o = ctx;
	char sbuf[160];

	if (o->ncmds == 2)
		return cli_usage_error("compare", "more than two commands: '%s' (quote each command line)",
				       cli_shown(arg, sbuf, sizeof(sbuf)));
	if (!arg[0])
		return cli_usage_error("compare", "an empty command line");
	o->cmds[o->ncmds++] = (char *)arg;
	return CO_CONTINUE;
}

/* The ways to give the sides, one at a time. */
static int check_opts(void *ctx)
{
	struct opts *o = ctx;

	if (o->workers_given + (o->ncmds > 0) + (o->ngroups > 0) > 1)
		return cli_usage_error("compare", "--workers, command lines and -p are three different ways to "
				   "give the sides: use one");
	if (!o->workers_given && (o->mem_given || o->shared_given || o->mode_given))
		return cli_usage_error("compare", "--mem, --shared, --spin and --sleep go with --workers");
	if (o->ncmds == 1)
		return cli_usage_error("compare", "one command line given: side B is missing");
	if (o->ngroups == 1)
		return cli_usage_error("compare", "one -p given: side B is missing (-p PIDS -p PIDS)");
	if (o->ncmds && o->time_given)
		return cli_usage_error("compare", "--time goes with --workers or -p: commands run to their end");
	if (!o->workers_given && !o->ncmds && !o->ngroups)
		return cli_usage_error("compare", "no sides given: --workers N, two command lines, or -p twice");
	o->work.seconds = o->seconds;
	return CO_CONTINUE;
}

/* ---- the engine ---------------------------------------------------------------------------- */

/* Take one sample of a target into a side. */
static int sample_side(struct comparison_side *s, struct target *tg, struct sampler *smp,
		       size_t *ntasks)
{
	const struct snapshot *sn;
	pid_t *tgids = NULL;
	size_t n = 0;
	bool all;
	int rc = target_resolve(tg, smp, &tgids, &n, &all);

	*ntasks = 0;
	if (!rc && n)
		rc = sampler_take(smp, tgids, n, &sn);
	free(tgids);
	if (rc || !n)
		return rc;
	*ntasks = sn->ntasks;
	return comparison_side_sample(s, sn);
}

/* Read what the workload wrote; the time of the first complete line is its ready line. */
static void read_ready(int fd, const struct spawn *sp, bool *seen, double *ready)
{
	char buf[4096];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if (!*seen && memchr(buf, '\n', (size_t)r)) {
			*seen = true;
			*ready = util_monotonic() - sp->start_mono;
		}
	}
}

static double tv_sec(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* The run's own measures once the job is over: wall time, rusage, exit. */
static void side_run_end(struct comparison_run *run, const struct spawn *sp,
			 const struct rusage *ru0)
{
	struct rusage ru1;

	getrusage(RUSAGE_CHILDREN, &ru1);
	run->wall = (sp->end_mono ? sp->end_mono : util_monotonic()) - sp->start_mono;
	run->have_rusage = true;
	run->ru_user = tv_sec(&ru1.ru_utime) - tv_sec(&ru0->ru_utime);
	run->ru_sys = tv_sec(&ru1.ru_stime) - tv_sec(&ru0->ru_stime);
	run->ru_nvcsw = (uint64_t)(ru1.ru_nvcsw - ru0->ru_nvcsw);
	run->ru_nivcsw = (uint64_t)(ru1.ru_nivcsw - ru0->ru_nivcsw);
	run->have_exit = sp->child_done;
	run->exit_code = spawn_exit_code(sp);
}

/* Sample the side every delay until its job is over, noting when its ready line came.
 * false when a sample ran out of memory (the job is still followed to its end). */
static bool follow_side(struct session *ss, struct comparison_side *s, struct target *tg,
			int readfd, double delay, bool *ready_seen, double *ready)
{
	double next = util_monotonic();
	bool nomem = false;
	size_t n;

	for (;;) {
		session_follow(ss, 0);
		if (readfd >= 0)
			read_ready(readfd, ss->job, ready_seen, ready);
		if (session_job_over(ss))
			return !nomem;
		/* a task gone mid-sample spoils that sample only */
		if (!nomem && sample_side(s, tg, ss->smp, &n) == -ENOMEM)
			nomem = true;
		next += delay;
		if (next < util_monotonic())
			next = util_monotonic();
		while (!session_job_over(ss) && util_monotonic() < next) {
			session_follow_fd(ss, next, *ready_seen ? -1 : readfd);
			if (!*ready_seen && readfd >= 0)
				read_ready(readfd, ss->job, ready_seen, ready);
		}
	}
}

int comparecmd_run_side(struct comparison_side *s, char *const argv[], bool ready_line,
			double delay)
{
	struct comparison_run run = { .spawned = true };
	struct target tg;
	struct session_config cfg = { .target = &tg, .cmd = (char **)argv,
				      .readers = SIDE_READERS, .threads = true };
	struct session ss;
	struct rusage ru0;
	int pfd[2] = { -1, -1 };
	bool ready_seen = false, ok;
	int rc;

	if (ready_line && pipe2(pfd, O_CLOEXEC))
		return -errno;
	if (pfd[0] >= 0)
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	target_init(&tg);
	getrusage(RUSAGE_CHILDREN, &ru0);
	fflush(NULL);
	run.window_ticks = comparison_boot_ticks();
	s->window_ticks = run.window_ticks;
	rc = session_open(&ss, &cfg);
	if (!rc)
		rc = session_start_job_fds(&ss, ready_line ? pfd[1] : STDERR_FILENO, -1);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (rc) {
		if (pfd[0] >= 0)
			close(pfd[0]);
		session_close(&ss, rc);
		target_free(&tg);
		return -ECHILD;	/* said by the session */
	}
	ok = follow_side(&ss, s, &tg, pfd[0], delay, &ready_seen, &run.ready);
	if (pfd[0] >= 0) {
		read_ready(pfd[0], ss.job, &ready_seen, &run.ready);
		close(pfd[0]);
	}
	side_run_end(&run, ss.job, &ru0);
	run.have_ready = ready_line && ready_seen;
	comparison_side_finish(s, &run);
	session_close(&ss, 0);
	target_free(&tg);
	if (!ok)
		return -ENOMEM;
	return spawn_interrupted() ? -EINTR : 0;
}

/* argv of `taskscope workload` for one side; strings in bufs. */
static void workload_argv(const struct comparecmd_work *w, bool procs, char *exe,
			  char bufs[4][32], char *argv[16])
{
	int n = 0;

	snprintf(bufs[0], sizeof(bufs[0]), "%u", w->workers);
	snprintf(bufs[1], sizeof(bufs[1]), "%llu", (unsigned long long)w->mem);
	snprintf(bufs[2], sizeof(bufs[2]), "%llu", (unsigned long long)w->shared);
	snprintf(bufs[3], sizeof(bufs[3]), "%.3f", w->seconds);
	argv[n++] = exe;
	argv[n++] = "workload";
	argv[n++] = procs ? "--procs" : "--threads";
	argv[n++] = bufs[0];
	argv[n++] = w->spin ? "--spin" : "--sleep";
	if (w->mem) {
		argv[n++] = "--mem";
		argv[n++] = bufs[1];
	}
	if (w->shared) {
		argv[n++] = "--shared";
		argv[n++] = bufs[2];
	}
	argv[n++] = "--duration";
	argv[n++] = bufs[3];
	argv[n] = NULL;
}

/* The command line as text, for the report. */
static void join_argv(char *const argv[], const char *exe_name, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && off + 1 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					i == 0 && exe_name ? exe_name : argv[i]);
}

int comparecmd_run_workers(const struct comparecmd_work *w, double delay,
			   struct comparison_side *a, struct comparison_side *b,
			   char *err, size_t len)
{
	char exe[PATH_MAX], bufs[4][32], name[64], cmd[512];
	char *argv[16];
	int rc;

	rc = system_self_exe(exe, sizeof(exe));
	if (rc) {
		snprintf(err, len, "cannot find taskscope's own executable: %s", strerror(-rc));
		return rc;
	}
	for (int k = 0; k < 2; k++) {
		struct comparison_side *s = k ? b : a;

		workload_argv(w, k == 1, exe, bufs, argv);
		snprintf(name, sizeof(name), "%u %s", w->workers,
			 k ? (w->workers == 1 ? "process" : "processes")
			   : (w->workers == 1 ? "thread" : "threads"));
		join_argv(argv, "taskscope", cmd, sizeof(cmd));
		rc = comparison_side_init(s, k ? "B" : "A", name, cmd, 0);
		if (rc) {
			snprintf(err, len, "%s", strerror(-rc));
			return rc;
		}
		rc = comparecmd_run_side(s, argv, true, delay);
		if (rc) {
			snprintf(err, len, rc == -EINTR ? "interrupted" :
				 rc == -ECHILD ? "cannot run the workload" :
				 "cannot run the workload: %s", strerror(-rc));
			return rc;
		}
		if (!s->m[CMP_EXIT].known || s->m[CMP_EXIT].v != 0) {
			snprintf(err, len, "the workload of side %s failed (exit status %.0f)",
				 s->label, s->m[CMP_EXIT].known ? s->m[CMP_EXIT].v : -1.0);
			return -ECHILD;
		}
	}
	return 0;
}

/* Two running groups, sampled together for seconds (or until both are gone). */
/* A watched side by its main command: "nginx (PID 42 and descendants)". */
static void side_label(const struct target *tg, struct sampler *smp, char *buf, size_t len)
{
	char raw[64], name[64 * 4 + 1], pids[200];

	target_describe(tg, pids, sizeof(pids));
	if (tg->npids && sampler_raw_comm(smp, tg->pids[0], raw, sizeof(raw)) == 0) {
		util_sanitize(raw, strlen(raw), name, sizeof(name));
		snprintf(buf, len, "%.80s (%.150s and descendants)", name, pids);
	} else {
		snprintf(buf, len, "%s and descendants", pids);
	}
}

static int run_groups(struct opts *o, struct comparison_side *sides)
{
	struct sampler *smp[2] = { NULL, NULL };
	struct comparison_run run[2] = { { 0 } };
	bool gone[2] = { false, false };
	double start, next;
	char what[256];
	int rc = 0;

	for (int k = 0; k < 2 && !rc; k++) {
		rc = sampler_new(&smp[k], SIDE_READERS, true);
		if (rc) {
			fprintf(stderr, "taskscope: cannot read /proc: %s\n", strerror(-rc));
			rc = TS_EXIT_FAILURE;
			break;
		}
		if (target_check(&o->groups[k], smp[k], what, sizeof(what))) {
			fprintf(stderr, "taskscope: %s\n", what);
			rc = TS_EXIT_FAILURE;
			break;
		}
		side_label(&o->groups[k], smp[k], what, sizeof(what));
		run[k].window_ticks = comparison_boot_ticks();
		if (comparison_side_init(&sides[k], k ? "B" : "A", what, NULL,
					 run[k].window_ticks)) {
			msg_error("%s", strerror(ENOMEM));
			rc = TS_EXIT_FAILURE;
		}
		sides[k].watched = true;
	}
	if (rc) {
		sampler_free(smp[0]);
		sampler_free(smp[1]);
		return rc;
	}
	start = next = util_monotonic();
	for (;;) {
		double now = util_monotonic();

		for (int k = 0; k < 2; k++) {
			size_t n = 0;

			if (gone[k])
				continue;
			if (sample_side(&sides[k], &o->groups[k], smp[k], &n) == -ENOMEM) {
				msg_error("%s", strerror(ENOMEM));
				rc = TS_EXIT_FAILURE;
				goto out;
			}
			if (!n) {
				gone[k] = true;
				run[k].wall = now - start;
			}
		}
		if ((gone[0] && gone[1]) || now - start >= o->seconds)
			break;
		next += o->delay;
		if (next > start + o->seconds)
			next = start + o->seconds;
		if (next > util_monotonic()) {
			double left = next - util_monotonic();
			struct timespec ts = { (time_t)left,
					       (long)((left - (double)(time_t)left) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	for (int k = 0; k < 2; k++) {
		if (!gone[k])
			run[k].wall = util_monotonic() - start;
		comparison_side_finish(&sides[k], &run[k]);
	}
out:
	sampler_free(smp[0]);
	sampler_free(smp[1]);
	return rc;
}

static int run_commands(struct opts *o, struct comparison_side *sides)
{
	for (int k = 0; k < 2; k++) {
		char *argv[] = { "/bin/sh", "-c", o->cmds[k], NULL };
		int rc = comparison_side_init(&sides[k], k ? "B" : "A", o->cmds[k], NULL, 0);

		if (!rc)
			rc = comparecmd_run_side(&sides[k], argv, false, o->delay);
		if (rc == -EINTR) {
			msg_error("interrupted");
			return TS_EXIT_FAILURE;
		}
		if (rc && rc != -ECHILD)	/* -ECHILD: the session said why */
			msg_error("cannot run /bin/sh: %s", strerror(-rc));
		if (rc)
			return TS_EXIT_FAILURE;
	}
	return 0;
}

/* The two sides measured, then the table. */
static int run(void *ctx)
{
	struct opts *o = ctx;
	struct comparison_side sides[2];
	struct compare_view v;
	char err[256];
	int rc, status = TS_EXIT_OK;

	memset(sides, 0, sizeof(sides));
	if (o->workers_given) {
		rc = comparecmd_run_workers(&o->work, o->delay, &sides[0], &sides[1], err,
					    sizeof(err));
		if (rc) {
			msg_error("%s", err);
			status = TS_EXIT_FAILURE;
			goto out;
		}
	} else if (o->ncmds) {
		status = run_commands(o, sides);
	} else {
		status = run_groups(o, sides);
	}
	if (status)
		goto out;
	v = (struct compare_view){ .mode = o->workers_given ? "workers" : o->ncmds ? "commands"
									   : "pids",
				   .json = o->co.json, .bytes = o->co.bytes, .out = stdout };
	status = cli_report_status(v.out, compare_print(&v, &sides[0], &sides[1]));
out:
	comparison_side_free(&sides[0]);
	comparison_side_free(&sides[1]);
	return status;
}

static void free_opts(void *ctx)
{
	struct opts *o = ctx;

	target_free(&o->groups[0]);
	target_free(&o->groups[1]);
}

static const struct cmd_spec compare_cmd = {
	.name = "compare", .accept = CO_JSON | CO_BYTES, .permute = true, .shown = 160,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.operand = command_line, .check = check_opts, .run = run, .done = free_opts,
};

int comparecmd_main(int argc, char **argv)
{
	struct opts o = {
		.work = { .mem = 4u << 20, .shared = 16u << 20, .spin = true },
		.seconds = DEF_SECONDS, .delay = COMPARECMD_DEF_DELAY,
	};

	if (comparerec_wanted(argc, argv))
		return comparerec_main(argc, argv);	/* compare A.db B.db */
	target_init(&o.groups[0]);
	target_init(&o.groups[1]);
	return command_main(&compare_cmd, &o, argc, argv);
}
