/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c - the workload's command line: usage, option parsing, messages */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload/internal.h"
#include "workload/workload.h"

void workload_errx(const char *fmt, ...)
{
	va_list ap;

	fputs("taskscope: workload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* User input echoed in a message, made safe for a terminal. */
const char *workload_safe(const char *s, char *buf, size_t len)
{
	util_sanitize(s, strlen(s), buf, len);
	return buf;
}

void workload_usage(FILE *out)
{
	fputs("Usage: taskscope workload [options]\n"
	      "\n"
	      "Run worker threads or worker processes with chosen memory, sharing and CPU\n"
	      "behaviour. Prints one line \"ready pid=P workers=N mode=threads|procs tids=T,...\"\n"
	      "on stdout once every worker is set up.\n"
	      "\n"
	      "Options:\n"
	      "      --threads N         N worker threads in one process (1-4096, default 2)\n"
	      "      --procs N           N worker processes forked from one parent (1-4096)\n"
	      "      --mem SIZE          private memory each worker allocates and writes (e.g. 64M)\n"
	      "      --shared SIZE       memory the parent writes before the workers start;\n"
	      "                          workers only read it (threads share it, processes\n"
	      "                          share it copy-on-write)\n"
	      "      --spin              every worker burns CPU\n"
	      "      --sleep             every worker idles (default)\n"
	      "      --pin CPULIST       pin every worker to these CPUs (e.g. 1, 0-1, 0,2)\n"
	      "      --name NAME         task name of the parent and every worker\n"
	      "                          (default: workers are \"" WORKLOAD_WORKER_NAME "\")\n"
	      "      --duration SECONDS  stop SECONDS after the ready line (default: run until\n"
	      "                          SIGINT, SIGTERM or SIGHUP)\n"
	      "  -h, --help              show this help\n"
	      "\nSee taskscope-workload(1).\n", out);
}

/* ---- option parsing ----------------------------------------------------- */

enum {
	WORKLOAD_OPT_THREADS = 256,
	WORKLOAD_OPT_PROCS,
	WORKLOAD_OPT_MEM,
	WORKLOAD_OPT_SHARED,
	WORKLOAD_OPT_SPIN,
	WORKLOAD_OPT_SLEEP,
	WORKLOAD_OPT_PIN,
	WORKLOAD_OPT_NAME,
	WORKLOAD_OPT_DURATION,
};

static const struct option workload_options[] = {
	{ "threads",	required_argument,	NULL, WORKLOAD_OPT_THREADS },
	{ "procs",	required_argument,	NULL, WORKLOAD_OPT_PROCS },
	{ "mem",	required_argument,	NULL, WORKLOAD_OPT_MEM },
	{ "shared",	required_argument,	NULL, WORKLOAD_OPT_SHARED },
	{ "spin",	no_argument,		NULL, WORKLOAD_OPT_SPIN },
	{ "sleep",	no_argument,		NULL, WORKLOAD_OPT_SLEEP },
	{ "pin",	required_argument,	NULL, WORKLOAD_OPT_PIN },
	{ "name",	required_argument,	NULL, WORKLOAD_OPT_NAME },
	{ "duration",	required_argument,	NULL, WORKLOAD_OPT_DURATION },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int workload_bad(const char *opt, const char *val, const char *why)
{
	char buf[256];

	workload_errx("invalid %s '%s': %s", opt, workload_safe(val, buf, sizeof(buf)), why);
	return 2;
}

static int workload_parse_count(const char *opt, const char *val, unsigned *out)
{
	uint64_t v;

	if (util_parse_u64(val, WORKLOAD_MAX_WORKERS, &v) || v < 1)
		return workload_bad(opt, val, "must be 1-4096");
	*out = (unsigned)v;
	return 0;
}

static int workload_parse_bytes(const char *opt, const char *val, size_t *out)
{
	uint64_t v;
	int rc = util_parse_size(val, &v);

	if (rc == -ERANGE || (rc == 0 && v > (uint64_t)PTRDIFF_MAX))
		return workload_bad(opt, val, "too large");
	if (rc)
		return workload_bad(opt, val, "not a size (e.g. 4096, 64K, 64M, 1G)");
	*out = (size_t)v;
	return 0;
}

static int workload_parse_pin(struct workload *wl, const char *val)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	char why[96];
	int rc;

	if (conf < 1 || conf > INT_MAX)
		conf = CPU_SETSIZE;
	util_cpulist_free(&wl->pin);
	rc = util_cpulist_parse(val, (int)conf, &wl->pin);
	if (rc == -ERANGE) {
		snprintf(why, sizeof(why), "no such CPU (this system has CPUs 0-%ld)", conf - 1);
		return workload_bad("--pin", val, why);
	}
	if (rc == -ENOMEM) {
		workload_errx("cannot allocate a CPU set: %s", strerror(ENOMEM));
		return 1;
	}
	if (rc)
		return workload_bad("--pin", val, "not a CPU list (e.g. 1, 0-1, 0,2)");
	wl->pin_arg = val;
	return 0;
}

static int workload_parse_opt(struct workload *wl, int c, const char *arg)
{
	int rc;

	switch (c) {
	case WORKLOAD_OPT_THREADS:
		return workload_parse_count("--threads", arg, &wl->nworkers);
	case WORKLOAD_OPT_PROCS:
		return workload_parse_count("--procs", arg, &wl->nworkers);
	case WORKLOAD_OPT_MEM:
		return workload_parse_bytes("--mem", arg, &wl->mem);
	case WORKLOAD_OPT_SHARED:
		return workload_parse_bytes("--shared", arg, &wl->shared);
	case WORKLOAD_OPT_SPIN:
	case WORKLOAD_OPT_SLEEP:
		return 0;
	case WORKLOAD_OPT_PIN:
		return workload_parse_pin(wl, arg);
	case WORKLOAD_OPT_NAME:
		wl->name = arg;
		return 0;
	case WORKLOAD_OPT_DURATION:
		rc = util_parse_seconds(arg, WORKLOAD_MAX_SECONDS, &wl->duration);
		if (rc == -ERANGE)
			return workload_bad("--duration", arg, "must be 0-31536000 seconds");
		if (rc)
			return workload_bad("--duration", arg, "not a number of seconds");
		wl->timed = true;
		return 0;
	}
	return 2;
}

static unsigned workload_opt_bit(int opt)
{
	return 1u << (opt - WORKLOAD_OPT_THREADS);
}

/* Returns 0 to run, -1 after --help, 1 or 2 (exit status) after printing an error. */
int workload_parse(struct workload *wl, int argc, char **argv)
{
	const unsigned modes = workload_opt_bit(WORKLOAD_OPT_THREADS) |
			       workload_opt_bit(WORKLOAD_OPT_PROCS);
	const unsigned behaviours = workload_opt_bit(WORKLOAD_OPT_SPIN) |
				    workload_opt_bit(WORKLOAD_OPT_SLEEP);
	unsigned seen = 0;	/* workload_opt_bit() of every option given */
	int saved_opterr = opterr;
	int rc = 0, c;

	wl->nworkers = WORKLOAD_DEF_WORKERS;
	if (argc < 1 || !argv)
		return 0;
	optind = 0;		/* full reset: main may have used getopt already */
	opterr = 0;		/* we print our own messages */
	while (!rc && (c = getopt_long(argc, argv, "+:h", workload_options, NULL)) != -1) {
		const char *bad = argv[optind - 1];
		char buf[256];

		if (c == 'h') {
			rc = -1;
		} else if (c == ':') {
			workload_errx("option '%s' needs an argument", workload_safe(bad, buf, sizeof(buf)));
			rc = 2;
		} else if (c == '?') {
			if (optopt > 0 && optopt < 128) {
				char opt[3] = { '-', (char)optopt, '\0' };

				workload_errx("unknown option '%s'", workload_safe(opt, buf, sizeof(buf)));
			}
			else if (optopt >= WORKLOAD_OPT_THREADS)
				workload_errx("option '%s' takes no argument",
					      workload_safe(bad, buf, sizeof(buf)));
			else
				workload_errx("unknown option '%s'", workload_safe(bad, buf, sizeof(buf)));
			rc = 2;
		} else {
			seen |= workload_opt_bit(c);
			rc = workload_parse_opt(wl, c, optarg);
		}
	}
	opterr = saved_opterr;
	if (rc)
		goto out;
	if (optind < argc) {
		char buf[256];

		workload_errx("unexpected argument '%s'",
			      workload_safe(argv[optind], buf, sizeof(buf)));
		rc = 2;
	} else if ((seen & modes) == modes) {
		workload_errx("--threads and --procs are mutually exclusive");
		rc = 2;
	} else if ((seen & behaviours) == behaviours) {
		workload_errx("--spin and --sleep are mutually exclusive");
		rc = 2;
	}
	wl->procs = seen & workload_opt_bit(WORKLOAD_OPT_PROCS);
	wl->spin = seen & workload_opt_bit(WORKLOAD_OPT_SPIN);
out:
	if (rc == 2)
		fputs("Try 'taskscope workload --help' for more information.\n", stderr);
	return rc;
}
