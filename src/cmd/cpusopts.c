/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusopts.c - the command line of taskscope cpus: usage, option parsing, messages */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/options.h"
#include "cmd/cpusopts.h"
#include "lib/util.h"
#include "model/timeline.h"
#include "model/placewatch.h"
#include "cmd/cli.h"
#include "lib/exitcode.h"

void cpusopts_usage(FILE *out)
{
	char text[320];

	fprintf(out,
		"Usage:\n"
		" taskscope cpus [options] [PID[,PID...]...]\n"
		" taskscope cpus [options] -- command [args...]\n"
		" taskscope cpus [options] FILE            (a recording: taskscope record)\n"
		"\n"
		"Samples where each watched thread is (the CPU it last ran on) and whether it is\n"
		"running (state R, also runnable) or waiting, many times a second, from files kept\n"
		"open, and reports per thread and per CPU, with a timeline: CPU shares count\n"
		"running samples only.\n"
		"\n"
		"Targets (default: all tasks; watching every thread of a big system is costly,\n"
		"and at most %d threads are watched):\n"
		" -p, --pid PID[,PID...]    processes with these IDs (repeatable)\n"
		" -u, --user USER           processes of this user (name or number)\n"
		" -C, --command NAME[,...]  processes with this name (as in /proc/PID/comm)\n"
		"     --cgroup CGROUP       processes in this cgroup or below (taskscope(1))\n"
		" -- command [args...]      run the command and watch it and all its descendants;\n"
		"                           taskscope exits with its exit status\n"
		"     --run-as USER         run the command as USER: its uid, gid and groups\n"
		"                           (taskscope must be root; -u selects targets)\n"
		"\n"
		"Options:\n"
		"     --rate HZ             samples a second of each thread (1-%d, default %d)\n"
		" -t, --time SECONDS        how long to sample (default %.0f; with a command: until\n"
		"                           it ends)\n"
		"     --svg FILE            also write the timeline as an SVG chart to FILE\n"
		"     --proc-root DIR       a sample from DIR, a tree with /proc's layout (and its\n"
		"                           machine's sys/devices/system), not live threads;\n"
		"                           repeat it for more samples (--rate apart, default 1)\n"
		"     --recording FILE      the samples of a recording (taskscope record), not live\n"
		"                           threads; FILE alone does the same when it exists and\n"
		"                           does not start with a digit (a PID)\n"
		"     --from TIME           the recording's samples from TIME (as replay's)\n"
		"     --to TIME             the recording's samples up to TIME\n"
		" -J, --json                the samples and summaries as one JSON document\n"
		" -r, --raw                 raw output: no alignment, no header, no legend\n"
		"     --output-file FILE    write the report to FILE (with a command to run the\n"
		"                           report goes to stderr by default)\n",
		PLACEMENT_MAX_THREADS, PLACEMENT_MAX_RATE, CPUSOPTS_DEF_RATE, CPUSOPTS_DEF_TIME);
	snprintf(text, sizeof(text),
		 "The timeline keeps at most %u runs (a run is consecutive samples of one thread\n"
		 "on one CPU: at least that many samples); sampling stops there and the report says so.\n"
		 "Exit status: 0 ok, 1 runtime failure, 2 usage error, or the command's status.\n",
		 TIMELINE_MAX_RUNS);
	cli_help_end(out, "cpus", text);
}

static int recording_option(void *ctx, const char *arg)
{
	struct cpusopts *o = ctx;

	if (!*arg)
		return cli_usage_error("cpus", "--recording needs a file name");
	if (o->recording)
		return cli_usage_error("cpus", "one recording at a time");
	o->recording = arg;
	return CO_CONTINUE;
}

const struct cmd_option cpusopts_options[] = {
	{ "rate", 0, CMD_COUNT, CMD_FIELD(struct cpusopts, rate),
	  CMD_GIVEN(struct cpusopts, rate_set), .lo = 1, .hi = PLACEMENT_MAX_RATE,
	  .words = "a whole number of samples a second from %.0f to %.0f" },
	{ "time", 't', CMD_SECONDS, CMD_FIELD(struct cpusopts, time),
	  CMD_GIVEN(struct cpusopts, time_set), .hi = CPUSOPTS_MAX_TIME, .above = true,
	  .words = "seconds, more than %.0f and at most %.0f" },
	{ "svg", 0, CMD_FILE, CMD_FIELD(struct cpusopts, svg) },
	{ "proc-root", 0, CMD_LIST, CMD_FIELD(struct cpusopts, proc_root),
	  .count = offsetof(struct cpusopts, nproc_root), .words = "trees" },
	{ "recording", 0, CMD_CALL, .call = recording_option },
	{ "from", 0, CMD_STRING, CMD_FIELD(struct cpusopts, from) },
	{ "to", 0, CMD_STRING, CMD_FIELD(struct cpusopts, to) },
	{ 0 }
};

/* A bare argument before any '--' that is not a PID list (it does not start with a digit)
 * and names a file that exists (not a directory) is a recording: taken, true. Any other
 * stays the usage error it was. */
bool cpusopts_bare(void *ctx, int argc, char **argv)
{
	struct cpusopts *o = ctx;
	struct stat st;
	const char *a;

	if (optind >= argc || !strcmp(argv[optind - 1], "--"))
		return false;
	a = argv[optind];
	if (!*a || isdigit((unsigned char)*a) || o->recording)
		return false;
	if (stat(a, &st) || S_ISDIR(st.st_mode))
		return false;
	o->recording = a;
	optind++;
	return true;
}

/* What a recording's run cannot have: a job, a time, a rate, trees, -u and --cgroup (not
 * recorded). */
static int check_recording(struct cpusopts *o)
{
	const struct target *t = &o->co.target;

	if (o->co.cmd)
		return cli_usage_error("cpus", "a recording cannot be used with a command to run "
				       "('--'): record the job with taskscope record -- CMD");
	if (o->time_set || o->rate_set)
		return cli_usage_error("cpus", "a recording cannot be used with --%s: its samples "
				       "are as recorded (use --from and --to)",
				       o->time_set ? "time" : "rate");
	if (o->nproc_root)
		return cli_usage_error("cpus", "a recording cannot be used with --proc-root");
	if (t->have_user)
		return cli_usage_error("cpus", "a recording cannot be used with -u: the users were "
				       "not recorded (use -p, -C or --cgroup)");
	for (size_t i = 0; i < t->ncgroups; i++)
		if (t->cgroups[i][0] != '/')
			return cli_usage_error("cpus", "a recording holds one cgroup path a process "
					       "(the CGROUP column's): give --cgroup PATH without a "
					       "controller");
	return CO_CONTINUE;
}

int cpusopts_check(void *ctx)
{
	struct cpusopts *o = ctx;

	if (o->recording)
		return check_recording(o);
	if (o->from || o->to)
		return cli_usage_error("cpus", "--from and --to need a recording (cpus FILE)");
	if (!o->nproc_root)
		return CO_CONTINUE;
	/* the trees are the samples: no job, no time to sample for */
	if (o->co.cmd)
		return cli_usage_error("cpus", "--proc-root cannot be used with a command to run "
				       "('--'): the trees are the samples");
	if (o->time_set)
		return cli_usage_error("cpus", "--proc-root cannot be used with --time: each tree "
				       "is one sample (--rate says how far apart)");
	if (!o->rate_set)
		o->rate = 1;	/* capture-proc.sh's trees, made a second apart */
	return CO_CONTINUE;
}
