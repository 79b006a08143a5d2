/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve.c - taskscope serve: a session whose sink keeps per-group metrics for Prometheus */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "cmd/serve.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "model/cpumap.h"
#include "model/session.h"
#include "lib/exitcode.h"
#include "view/groupcfg.h"
#include "view/httpd.h"
#include "view/metrics.h"
#include "view/textfile.h"

#define DEFAULT_LISTEN "127.0.0.1:9079"
#define DEFAULT_DELAY 5.0	/* a sample per 5 s: fresh enough for a 15 s scrape interval,
				 * cheap enough to run on every machine of a fleet */
#define DEFAULT_MEMORY_EVERY 6	/* PSS/USS every 30 s: smaps_rollup takes each mmap lock */
#define MIN_DELAY 0.1
#define MAX_DELAY 3600.0
#define MAX_TOP 1000
#define GROUP_KEEP 600.0	/* seconds a group without processes keeps its series */

enum {
	OPT_LISTEN = 256, OPT_GROUP_BY, OPT_TOP, OPT_MEMORY_EVERY, OPT_COMPAT, OPT_TEXTFILE,
	OPT_GROUP_CONFIG, OPT_THREADS, OPT_PLACEMENT_EVERY
};

struct opts {
	struct common_opts co;
	const char *listen;
	bool listen_set;
	const char *textfile;
	struct groupcfg *rules;
	double delay;
	uint64_t iterations;
	uint64_t memory_every;
	uint64_t placement_every;
	struct metrics_opts mo;
};

struct serve_sink {
	struct metrics *m;
	struct httpd *h;	/* NULL: no server */
	int dfd;		/* --textfile's directory, or -1 */
	const char *dir;
	bool announced;
	const char *shown;
};

static volatile sig_atomic_t stop_requested;

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope serve [options] [PID...]\n"
	      "\n"
	      "Serves per-group metrics of the tasks over HTTP for Prometheus: /metrics in the\n"
	      "Prometheus text format, or OpenMetrics when the scraper asks for it.\n"
	      "\n"
	      "Targets (default: all processes):\n"
	      " -p, --pid PID[,PID...]    these processes (each also gets series of its own)\n"
	      " -u, --user USER           processes of this user\n"
	      " -C, --command NAME[,...]  processes with this name\n"
	      "     --cgroup CGROUP       processes in this cgroup or below\n"
	      "\n"
	      "Options:\n"
	      "     --listen ADDR:PORT    where to listen (default " DEFAULT_LISTEN "; [ADDR6]:PORT\n"
	      "                           for IPv6, port 0: any free port, printed at start)\n"
	      "     --group-by KEY        comm (default), user, exe (the command's base name) or\n"
	      "                           cgroup (the CGROUP column's path)\n"
	      "     --group-config FILE   named groups: lines of NAME KEY REGEX, KEY comm, exe,\n"
	      "                           cmdline, user or cgroup; the first match names the\n"
	      "                           group, the rest are grouped by --group-by\n"
	      "     --top N               also series per process (pid and comm labels) for the N\n"
	      "                           processes with the largest RSS: these series churn\n"
	      "     --threads             also series per thread name within each group (at most\n"
	      "                           32 names a group, the rest as thread=\"(other)\")\n"
	      " -d, --delay SECONDS       time between samples (default 5, from 0.1)\n"
	      "     --memory-every N      PSS, USS, shared, swap, page tables with every Nth\n"
	      "                           sample (default 6; 0: never)\n"
	      "     --placement-every N   the threads' CPUs and affinities with every Nth sample\n"
	      "                           (default 1: each); between, their last values\n"
	      "     --textfile DIR        write the metrics to DIR/taskscope.prom after each\n"
	      "                           sample (write + rename) for node_exporter's textfile\n"
	      "                           collector, instead of serving them (also with --listen)\n"
	      "     --compat process-exporter\n"
	      "                           process-exporter 0.7's names and labels for the\n"
	      "                           metrics both have\n"
	      " -n, --iterations N        stop after N samples\n"
	      " -h, --help                show this help and exit\n"
	      "\n"
	      "Exit status: 0 ok (stopped by SIGINT or SIGTERM), 1 runtime failure, 2 usage error.\n"
	      "See taskscope-serve(1).\n", out);
}

static int own_option(void *ctx, int c, int argc, char **argv)
{
	struct opts *o = ctx;
	char sbuf[128];
	uint64_t v;

	switch (c) {
	case OPT_LISTEN:
		o->listen = optarg;
		o->listen_set = true;
		break;
	case OPT_TEXTFILE:
		o->textfile = optarg;
		break;
	case OPT_THREADS:
		o->mo.threads = true;
		break;
	case OPT_GROUP_CONFIG: {
		char why[300];
		int rc;

		groupcfg_free(o->rules);
		o->rules = NULL;
		rc = groupcfg_load(optarg, &o->rules, why, sizeof(why));
		if (rc == -ENOMEM) {
			msg_error("%s", strerror(ENOMEM));
			return TS_EXIT_FAILURE;
		}
		if (rc)
			return common_usage_error(&o->co, "--group-config %s: %s",
						  cli_shown(optarg, sbuf, sizeof(sbuf)), why);
		o->mo.rules = o->rules;
		break;
	}
	case OPT_GROUP_BY:
		if (!strcmp(optarg, "comm"))
			o->mo.group_by = MG_COMM;
		else if (!strcmp(optarg, "user"))
			o->mo.group_by = MG_USER;
		else if (!strcmp(optarg, "exe"))
			o->mo.group_by = MG_EXE;
		else if (!strcmp(optarg, "cgroup"))
			o->mo.group_by = MG_CGROUP;
		else
			return common_usage_error(&o->co, "invalid --group-by '%s': comm, user, exe or cgroup",
						  cli_shown(optarg, sbuf, sizeof(sbuf)));
		break;
	case OPT_TOP:
		if (util_parse_u64(optarg, MAX_TOP, &v) || v == 0)
			return common_usage_error(&o->co, "invalid --top '%s': a number from 1 to %d",
						  cli_shown(optarg, sbuf, sizeof(sbuf)), MAX_TOP);
		o->mo.top = (unsigned)v;
		break;
	case 'd':
		if (util_parse_seconds(optarg, MAX_DELAY, &o->delay) || o->delay < MIN_DELAY)
			return common_usage_error(&o->co, "invalid --delay '%s': seconds from %.1f to %.0f",
						  cli_shown(optarg, sbuf, sizeof(sbuf)), MIN_DELAY,
						  MAX_DELAY);
		break;
	case 'n':
		if (util_parse_u64(optarg, 1000000000ULL, &o->iterations) || !o->iterations)
			return common_usage_error(&o->co, "invalid --iterations '%s': a whole number from 1",
						  cli_shown(optarg, sbuf, sizeof(sbuf)));
		break;
	case OPT_MEMORY_EVERY:
		if (util_parse_u64(optarg, 1000000, &o->memory_every))
			return common_usage_error(&o->co, "invalid --memory-every '%s': a number of samples "
						  "from 0 (never) to 1000000",
						  cli_shown(optarg, sbuf, sizeof(sbuf)));
		break;
	case OPT_PLACEMENT_EVERY:
		if (util_parse_u64(optarg, 1000000, &o->placement_every) || !o->placement_every)
			return common_usage_error(&o->co, "invalid --placement-every '%s': a number of "
						  "samples from 1 to 1000000",
						  cli_shown(optarg, sbuf, sizeof(sbuf)));
		break;
	case OPT_COMPAT:
		if (strcmp(optarg, "process-exporter"))
			return common_usage_error(&o->co, "invalid --compat '%s': process-exporter",
						  cli_shown(optarg, sbuf, sizeof(sbuf)));
		o->mo.compat = MC_PROCESS_EXPORTER;
		break;
	default:
		return common_option(&o->co, c, argc, argv);
	}
	return CO_CONTINUE;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "group-by", required_argument, NULL, OPT_GROUP_BY },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "memory-every", required_argument, NULL, OPT_MEMORY_EVERY },
		{ "compat", required_argument, NULL, OPT_COMPAT },
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "group-config", required_argument, NULL, OPT_GROUP_CONFIG },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "placement-every", required_argument, NULL, OPT_PLACEMENT_EVERY },
		COMMON_LONGOPTS
	};
	int rc;

	common_init(&o->co, "serve", CO_TARGETS | CO_BARE_PIDS | CO_VERSION, usage);
	o->listen = DEFAULT_LISTEN;
	o->delay = DEFAULT_DELAY;
	o->memory_every = DEFAULT_MEMORY_EVERY;
	o->placement_every = 1;
	o->mo.group_keep = GROUP_KEEP;
	rc = common_parse(&o->co, argc, argv, "+:d:n:p:u:C:hV", longopts, own_option, o);
	if (rc != CO_CONTINUE)
		return rc;
	o->mo.all_pids = o->co.target.npids > 0;
	return CO_CONTINUE;
}

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int serve_frame(void *arg, const struct session_frame *f)
{
	struct serve_sink *k = arg;
	struct metrics_input in;
	char *prom = NULL, *om = NULL;
	size_t plen, olen;
	int rc;

	if (stop_requested)
		return -EPIPE;	/* a quiet end */
	in = (struct metrics_input){ .sn = f->sn, .mem = f->mem, .thr = f->thr, .took = f->took,
				     .took_thr = f->took_thr, .took_mem = f->took_mem,
				     .thr_due = f->thr_due };
	rc = metrics_update(k->m, &in);
	if (!rc)
		rc = metrics_render(k->m, false, &prom, &plen);
	if (!rc)
		rc = metrics_render(k->m, true, &om, &olen);
	if (rc) {
		free(prom);
		msg_error("cannot make the metrics: %s", strerror(-rc));
		return rc;
	}
	if (k->dfd >= 0) {
		rc = textfile_write(k->dfd, prom, plen);
		if (rc) {
			free(prom);
			free(om);
			msg_error("cannot write %s/%s: %s", k->dir, TEXTFILE_NAME, strerror(-rc));
			return rc;
		}
	}
	if (!k->h) {
		free(prom);
		free(om);
	} else if ((rc = httpd_publish(k->h, prom, plen, om, olen))) {
		msg_error("cannot start the HTTP server on %s", k->shown);
		return rc;
	}
	if (!k->announced) {
		if (k->h)
			printf("taskscope serve: http://%s/metrics\n", k->shown);
		if (k->dfd >= 0)
			printf("taskscope serve: %s/%s\n", k->dir, TEXTFILE_NAME);
		fflush(stdout);
		k->announced = true;
	}
	return 0;
}

static const struct sink_ops serve_sink_ops = {
	.name = "serve",
	.sample = serve_frame,
};

static int run(struct opts *o)
{
	struct session_config cfg = {
		.target = &o->co.target,
		.readers = RD_STAT | RD_RSS | RD_CTXSW | RD_SCHED | RD_SCHEDSTAT,
		.memory_readers = o->memory_every ? RD_STAT | RD_SMAPS | RD_STATUS_MEM : 0,
		.memory_rows = true,
		/* where each thread last ran and may run; with --threads its counters too */
		.thread_readers = RD_STAT | RD_AFFINITY | (o->mo.threads ? RD_CTXSW : 0),
	};
	struct session_loop loop = {
		.delay = o->delay, .iterations = o->iterations,
		.memory_every = (unsigned)o->memory_every,
		.thread_every = (unsigned)o->placement_every,
	};
	struct serve_sink k = { 0 };
	struct cpumap *cpus;
	struct sigaction sa = { .sa_handler = on_stop };
	struct session s;
	char shown[80], sbuf[128];
	int fd, rc, status;

	if (o->mo.group_by == MG_CGROUP || groupcfg_needs_cgroup(o->rules)) {
		cfg.readers |= RD_CGROUP;
		if (o->mo.group_by == MG_CGROUP)
			cfg.readers |= RD_CGROUP_STATS;
		if (cfg.memory_readers)
			cfg.memory_readers |= RD_CGROUP;
	}
	if (o->mo.group_by == MG_EXE || groupcfg_needs_cmdline(o->rules)) {
		cfg.readers |= RD_CMDLINE;
		if (cfg.memory_readers)
			cfg.memory_readers |= RD_CMDLINE;
	}
	k.dfd = -1;
	k.dir = o->textfile;
	if (o->textfile) {
		rc = textfile_open(o->textfile, &k.dfd);
		if (rc) {
			msg_error("cannot use --textfile '%s': %s",
				  cli_shown(o->textfile, sbuf, sizeof(sbuf)), strerror(-rc));
			return TS_EXIT_FAILURE;
		}
	}
	if (!o->textfile || o->listen_set) {
		rc = httpd_listen(o->listen, &fd, shown, sizeof(shown));
		if (rc == -EINVAL)
			status = common_usage_error(&o->co, "invalid --listen '%s': ADDR:PORT or "
						    "[ADDR6]:PORT with a numeric address",
						    cli_shown(o->listen, sbuf, sizeof(sbuf)));
		else if (rc)
			msg_error("cannot listen on %s: %s",
				  cli_shown(o->listen, sbuf, sizeof(sbuf)), strerror(-rc));
		if (!rc && httpd_new(&k.h, fd)) {
			close(fd);
			msg_error("%s", strerror(ENOMEM));
			rc = -ENOMEM;
		}
		if (rc) {
			if (k.dfd >= 0)
				close(k.dfd);
			return rc == -EINVAL ? status : TS_EXIT_FAILURE;
		}
	}
	k.shown = shown;
	if (cpumap_load(&cpus))
		cpus = NULL;	/* no NUMA node series */
	o->mo.cpus = cpus;
	o->mo.ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (cpumap_ncpus(cpus) > o->mo.ncpus)
		o->mo.ncpus = cpumap_ncpus(cpus);
	o->mo.online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (metrics_new(&k.m, &o->mo)) {
		cpumap_free(cpus);
		msg_error("%s", strerror(ENOMEM));
		httpd_stop(k.h);
		if (k.dfd >= 0)
			close(k.dfd);
		return TS_EXIT_FAILURE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	status = session_open(&s, &cfg);
	if (!status) {
		session_add_sink(&s, &serve_sink_ops, &k);
		session_run(&s, &loop);
	}
	status = session_close(&s, status);
	httpd_stop(k.h);
	if (k.dfd >= 0)
		close(k.dfd);
	metrics_free(k.m);
	cpumap_free(cpus);
	return status;
}

int serve_main(int argc, char **argv)
{
	struct opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	msg_set_command("serve");
	rc = parse_opts(argc, argv, &o);
	if (rc == CO_CONTINUE)
		rc = run(&o);
	common_free(&o.co);
	groupcfg_free(o.rules);
	msg_set_command(NULL);
	return rc;
}
