/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusopts.c - the command line of taskscope cpus: usage, option parsing, messages */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpusopts.h"
#include "lib/util.h"
#include "model/timeline.h"
#include "sample/placement.h"
#include "cli.h"
#include "taskscope.h"

void cpusopts_usage(FILE *out)
{
	fprintf(out,
		"Usage:\n"
		" taskscope cpus [options] [-- command [args...]]\n"
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
		" -J, --json                the samples and summaries as one JSON document\n"
		" -r, --raw                 raw output: no alignment, no header, no legend\n"
		"     --output-file FILE    write the report to FILE (with a command to run the\n"
		"                           report goes to stderr by default)\n"
		" -h, --help                show this help and exit\n"
		"\n"
		"The timeline keeps at most %u runs (a run is consecutive samples of one thread\n"
		"on one CPU: at least that many samples); sampling stops there and the report says so.\n"
		"Exit status: 0 ok, 1 runtime failure, 2 usage error, or the command's status.\n"
		"See taskscope(1).\n",
		PLACEMENT_MAX_THREADS, PLACEMENT_MAX_RATE, CPUSOPTS_DEF_RATE, CPUSOPTS_DEF_TIME, TIMELINE_MAX_RUNS);
}

const char *cpusopts_shown(const char *s, char *buf, size_t len)
{
	util_sanitize(s, strlen(s), buf, len);
	return buf;
}

int cpusopts_parse(struct cpusopts *o, int argc, char **argv)
{
	enum { OPT_RATE = 256, OPT_SVG, OPT_OUTPUT_FILE, OPT_RUN_AS };
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "time", required_argument, NULL, 't' },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
		{ "run-as", required_argument, NULL, OPT_RUN_AS },
		{ "pid", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "command", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char sbuf[128];
	uint64_t v;
	int c, rc;

	o->rate = CPUSOPTS_DEF_RATE;
	o->time = CPUSOPTS_DEF_TIME;
	opterr = 0;	/* our own messages: they must not echo raw bytes */
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:t:Jrp:u:C:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_RATE:
			if (util_parse_u64(optarg, PLACEMENT_MAX_RATE, &v) || v < 1)
				return cli_usage_error("cpus", "invalid --rate '%s': a whole number of samples a "
						   "second from 1 to %d",
						   cpusopts_shown(optarg, sbuf, sizeof(sbuf)),
						   PLACEMENT_MAX_RATE);
			o->rate = (unsigned)v;
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
		case 'J':
			o->json = true;
			break;
		case 'r':
			o->raw = true;
			break;
		case OPT_OUTPUT_FILE:
			if (!*optarg)
				return cli_usage_error("cpus", "--output-file needs a file name");
			o->output_file = optarg;
			break;
		case OPT_RUN_AS:
			o->run_as = optarg;
			break;
		case 'p':
		case 'u':
		case 'C':
			rc = target_parse_option(&o->target, c, optarg, sbuf, sizeof(sbuf));
			if (rc == -EINVAL)
				return cli_usage_error("cpus", "%s", sbuf);
			if (rc == -ENOENT)
				fprintf(stderr, "taskscope: cpus: %s\n", sbuf);
			if (rc)
				return TS_EXIT_FAILURE;
			break;
		case 'h':
			cpusopts_usage(stdout);
			return TS_EXIT_OK;	/* main checks that it was written */
		case ':':
		default:
			return cli_usage_error("cpus", "%s", util_getopt_error(c, argv, optind, optopt,
								     sbuf, sizeof(sbuf)));
		}
	}
	if (optind < argc) {
		if (optind == 0 || strcmp(argv[optind - 1], "--") != 0)
			return cli_usage_error("cpus", "unexpected argument '%s' (a command to run goes after '--')",
					   cpusopts_shown(argv[optind], sbuf, sizeof(sbuf)));
		o->cmd = &argv[optind];
	} else if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		return cli_usage_error("cpus", "no command after '--'");
	}
	if (o->json && o->raw)
		return cli_usage_error("cpus", "--json and --raw cannot be used together");
	if (o->cmd && !target_is_all(&o->target))
		return cli_usage_error("cpus", "-p, -u and -C cannot be used with a command to run ('--')");
	if (o->run_as && !o->cmd)
		return cli_usage_error("cpus", "--run-as needs a command to run ('-- command')");
	return -1;
}
