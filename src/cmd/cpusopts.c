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

enum { OPT_RATE = 256, OPT_SVG, OPT_PROC_ROOT, OPT_RECORDING, OPT_FROM, OPT_TO };

void cpusopts_usage(FILE *out)
{
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
		"                           report goes to stderr by default)\n"
		" -h, --help                show this help and exit\n"
		"\n"
		"The timeline keeps at most %u runs (a run is consecutive samples of one thread\n"
		"on one CPU: at least that many samples); sampling stops there and the report says so.\n"
		"Exit status: 0 ok, 1 runtime failure, 2 usage error, or the command's status.\n"
		"See taskscope-cpus(1).\n",
		PLACEMENT_MAX_THREADS, PLACEMENT_MAX_RATE, CPUSOPTS_DEF_RATE, CPUSOPTS_DEF_TIME, TIMELINE_MAX_RUNS);
}

const char *cpusopts_shown(const char *s, char *buf, size_t len)
{
	util_sanitize(s, strlen(s), buf, len);
	return buf;
}

/* The options of cpus alone; the common ones go to common_option. */
static int own_option(void *ctx, int c, int argc, char **argv)
{
	struct cpusopts *o = ctx;
	char sbuf[128];
	uint64_t v;

	switch (c) {
	case OPT_RATE:
		if (util_parse_u64(optarg, PLACEMENT_MAX_RATE, &v) || v < 1)
			return cli_usage_error("cpus", "invalid --rate '%s': a whole number of samples a "
					       "second from 1 to %d",
					       cpusopts_shown(optarg, sbuf, sizeof(sbuf)),
					       PLACEMENT_MAX_RATE);
		o->rate = (unsigned)v;
		o->rate_set = true;
		break;
	case 't':
		if (util_parse_seconds(optarg, CPUSOPTS_MAX_TIME, &o->time) || o->time <= 0)
			return cli_usage_error("cpus", "invalid --time '%s': seconds, more than 0 and at "
					       "most %.0f", cpusopts_shown(optarg, sbuf, sizeof(sbuf)),
					       CPUSOPTS_MAX_TIME);
		o->time_set = true;
		break;
	case OPT_SVG:
		if (!*optarg)
			return cli_usage_error("cpus", "--svg needs a file name");
		o->svg = optarg;
		break;
	case OPT_PROC_ROOT:
		if (o->nproc_root == ARRAY_SIZE(o->proc_root))
			return cli_usage_error("cpus", "--proc-root: at most %zu trees",
					       ARRAY_SIZE(o->proc_root));
		o->proc_root[o->nproc_root++] = optarg;
		break;
	case OPT_RECORDING:
		if (!*optarg)
			return cli_usage_error("cpus", "--recording needs a file name");
		if (o->recording)
			return cli_usage_error("cpus", "one recording at a time");
		o->recording = optarg;
		break;
	case OPT_FROM:
		o->from = optarg;
		break;
	case OPT_TO:
		o->to = optarg;
		break;
	default:
		return common_option(&o->co, c, argc, argv);
	}
	return CO_CONTINUE;
}

/* A bare argument before any '--' that is not a PID list (it does not start with a digit)
 * and names a file that exists (not a directory) is a recording: taken, true. Any other
 * stays the usage error it was. */
static bool bare_recording(struct cpusopts *o, int argc, char **argv)
{
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

/* common_parse, with a bare recording name between the options */
static int parse_all(struct cpusopts *o, int argc, char **argv, const struct option *longopts)
{
	bool again;
	int c, rc;

	do {
		while ((c = getopt_long(argc, argv, "+:t:Jrp:u:C:h", longopts, NULL)) != -1) {
			rc = own_option(o, c, argc, argv);
			if (rc != CO_CONTINUE)
				return rc;
		}
		if (bare_recording(o, argc, argv)) {
			again = true;
			continue;
		}
		rc = common_finish(&o->co, argc, argv, &again);
		if (rc != CO_CONTINUE)
			return rc;
	} while (again);
	return CO_CONTINUE;
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
	if (t->ncgroups || t->have_user)
		return cli_usage_error("cpus", "a recording cannot be used with %s: the %s were "
				       "not recorded (use -p or -C)", t->ncgroups ? "--cgroup" : "-u",
				       t->ncgroups ? "cgroups" : "users");
	return CO_CONTINUE;
}

int cpusopts_parse(struct cpusopts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "time", required_argument, NULL, 't' },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "recording", required_argument, NULL, OPT_RECORDING },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		COMMON_LONGOPTS
	};
	common_init(&o->co, "cpus", CO_TARGETS | CO_FORMAT | CO_OUTPUT_FILE | CO_JOB |
				     CO_BARE_PIDS, cpusopts_usage);
	int rc;

	o->rate = CPUSOPTS_DEF_RATE;
	o->time = CPUSOPTS_DEF_TIME;
	rc = parse_all(o, argc, argv, longopts);
	if (rc >= 0)
		return rc;
	if (o->recording)
		return check_recording(o);
	if (o->from || o->to)
		return cli_usage_error("cpus", "--from and --to need a recording (cpus FILE)");
	if (!o->nproc_root)
		return rc;
	/* the trees are the samples: no job, no time to sample for */
	if (o->co.cmd)
		return cli_usage_error("cpus", "--proc-root cannot be used with a command to run "
				       "('--'): the trees are the samples");
	if (o->time_set)
		return cli_usage_error("cpus", "--proc-root cannot be used with --time: each tree "
				       "is one sample (--rate says how far apart)");
	if (!o->rate_set)
		o->rate = 1;	/* capture-proc.sh's trees, made a second apart */
	return rc;
}
