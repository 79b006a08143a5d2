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

struct opts {
	struct common_opts co;
	const char *listen;
	bool listen_set;
	const char *textfile;
	struct groupcfg *rules;
	double delay;
	uint64_t iterations;
	uint64_t memory_every;
	bool memory_every_set;
	uint64_t placement_every;
	struct metrics_opts mo;
	char *proc_root[16];	/* --proc-root DIR...: trees read instead of /proc */
	size_t nproc_root;
	const char *cgroup_root;	/* --cgroup-root DIR: the cgroups' files, not /sys/fs/cgroup */
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
	      "     --proc-root DIR       read DIR, a tree with /proc's layout, instead of /proc;\n"
	      "                           again for the next sample (see taskscope-serve(1))\n"
	      "     --cgroup-root DIR     with --group-by cgroup: the cgroups' memory and pressure\n"
	      "                           files from DIR (a cgroupfs root) instead of\n"
	      "                           /sys/fs/cgroup; a --proc-root tree has none without it\n"
	      "     --compat process-exporter\n"
	      "                           process-exporter 0.7's names and labels for the\n"
	      "                           metrics both have\n"
	      " -n, --iterations N        stop after N samples\n", out);
	cli_help_end(out, "serve",
		     "Exit status: 0 ok (stopped by SIGINT or SIGTERM), 1 runtime failure, 2 usage error.\n");
}

static int group_config(void *ctx, const char *arg)
{
	struct opts *o = ctx;
	char why[300], sbuf[128];
	int rc;

	groupcfg_free(o->rules);
	o->rules = NULL;
	rc = groupcfg_load(arg, &o->rules, why, sizeof(why));
	if (rc == -ENOMEM) {
		msg_error("%s", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	if (rc)
		return common_usage_error(&o->co, "--group-config %s: %s",
					  cli_shown(arg, sbuf, sizeof(sbuf)), why);
	o->mo.rules = o->rules;
	return CO_CONTINUE;
}

static const char *const group_by_names[] = { "comm", "user", "exe", "cgroup", NULL };
static const char *const compat_names[] = { "process-exporter", NULL };

static const struct cmd_option options[] = {
	{ "listen", 0, CMD_STRING, CMD_FIELD(struct opts, listen),
	  CMD_GIVEN(struct opts, listen_set) },
	{ "group-by", 0, CMD_CHOICE, CMD_FIELD(struct opts, mo.group_by), .lo = MG_COMM,
	  .choices = group_by_names, .words = "comm, user, exe or cgroup" },
	{ "top", 0, CMD_COUNT, CMD_FIELD(struct opts, mo.top), .lo = 1, .hi = MAX_TOP,
	  .words = "a number from %.0f to %.0f" },
	{ "delay", 'd', CMD_SECONDS, CMD_FIELD(struct opts, delay), .lo = MIN_DELAY,
	  .hi = MAX_DELAY, .words = "seconds from %.1f to %.0f" },
	{ "iterations", 'n', CMD_COUNT, CMD_FIELD(struct opts, iterations), .lo = 1,
	  .hi = 1000000000, .words = "a whole number from %.0f" },
	{ "memory-every", 0, CMD_COUNT, CMD_FIELD(struct opts, memory_every),
	  CMD_GIVEN(struct opts, memory_every_set), .hi = 1000000,
	  .words = "a number of samples from %.0f (never) to %.0f" },
	{ "placement-every", 0, CMD_COUNT, CMD_FIELD(struct opts, placement_every), .lo = 1,
	  .hi = 1000000, .words = "a number of samples from %.0f to %.0f" },
	{ "compat", 0, CMD_CHOICE, CMD_FIELD(struct opts, mo.compat), .lo = MC_PROCESS_EXPORTER,
	  .choices = compat_names, .words = "process-exporter" },
	{ "textfile", 0, CMD_STRING, CMD_FIELD(struct opts, textfile) },
	{ "group-config", 0, CMD_CALL, .call = group_config },
	{ "threads", 0, CMD_FLAG, CMD_FIELD(struct opts, mo.threads) },
	{ "proc-root", 0, CMD_LIST, CMD_FIELD(struct opts, proc_root),
	  .count = offsetof(struct opts, nproc_root), .words = "trees" },
	{ "cgroup-root", 0, CMD_STRING, CMD_FIELD(struct opts, cgroup_root) },
	{ 0 }
};

static int check_opts(void *ctx)
{
	struct opts *o = ctx;

	o->mo.all_pids = o->co.target.npids > 0;
	if (o->cgroup_root && o->mo.group_by != MG_CGROUP)
		return common_usage_error(&o->co, "--cgroup-root is read with --group-by cgroup "
					  "only (the cgroups' memory and pressure)");
	/* the memory and thread samples read a tree each time they are taken: with several
	 * trees they must be taken with every sample to read the same one */
	if (o->nproc_root > 1 && (o->memory_every > 1 || o->placement_every > 1)) {
		if (o->memory_every_set && o->memory_every > 1)
			return common_usage_error(&o->co, "--memory-every must be 0 or 1 with "
						  "several --proc-root trees (each sample reads "
						  "the next)");
		if (o->placement_every > 1)
			return common_usage_error(&o->co, "--placement-every must be 1 with "
						  "several --proc-root trees (each sample reads "
						  "the next)");
		o->memory_every = o->memory_every ? 1 : 0;
	}
	/* kcmp(2) would compare this machine's tasks of the tree's PIDs */
	o->mo.no_spaces = o->nproc_root > 0;
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

/* The readers grouping needs: the cgroup (and its files when grouped by it), the command line */
static void add_group_readers(const struct opts *o, struct session_config *cfg)
{
	if (o->mo.group_by == MG_CGROUP || groupcfg_needs_cgroup(o->rules)) {
		cfg->readers |= RD_CGROUP;
		if (o->mo.group_by == MG_CGROUP)
			cfg->readers |= RD_CGROUP_STATS;
		if (cfg->memory_readers)
			cfg->memory_readers |= RD_CGROUP;
	}
	if (o->mo.group_by == MG_EXE || groupcfg_needs_cmdline(o->rules)) {
		cfg->readers |= RD_CMDLINE;
		if (cfg->memory_readers)
			cfg->memory_readers |= RD_CMDLINE;
	}
}

/* The CPUs the per-CPU and node series count (NULL: no node series), into o->mo: a tree's
 * are those of its sys/devices/system; without one, this machine's */
static struct cpumap *load_cpus(struct opts *o)
{
	struct cpumap *cpus;

	if (o->nproc_root ? cpumap_load_tree(o->proc_root[0], &cpus) : cpumap_load(&cpus))
		cpus = NULL;
	o->mo.cpus = cpus;
	o->mo.ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	o->mo.online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o->nproc_root && cpus)
		o->mo.ncpus = o->mo.online = cpumap_ncpus(cpus);
	if (cpumap_ncpus(cpus) > o->mo.ncpus)
		o->mo.ncpus = cpumap_ncpus(cpus);
	return cpus;
}

static int run(void *ctx)
{
	struct opts *o = ctx;
	struct session_config cfg = {
		.target = &o->co.target,
		.readers = RD_STAT | RD_RSS | RD_CTXSW | RD_SCHED | RD_SCHEDSTAT,
		.memory_readers = o->memory_every ? RD_STAT | RD_SMAPS | RD_STATUS_MEM : 0,
		.memory_rows = true,
		/* where each thread last ran and may run; with --threads its counters too */
		.thread_readers = RD_STAT | RD_AFFINITY | (o->mo.threads ? RD_CTXSW : 0),
		.proc_root = o->proc_root, .nproc_root = o->nproc_root,
		.cgroup_root = o->cgroup_root,
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
	char shown[80], sbuf[128], why[512];
	int fd, rc, status = TS_EXIT_FAILURE;

	add_group_readers(o, &cfg);
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
		if (!rc && (rc = httpd_new(&k.h, fd, why, sizeof(why)))) {
			close(fd);
			msg_error("%s", why);
		}
		if (rc) {
			if (k.dfd >= 0)
				close(k.dfd);
			return status;	/* a usage error for --listen, else a failure */
		}
	}
	k.shown = shown;
	cpus = load_cpus(o);
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

static void free_opts(void *ctx)
{
	struct opts *o = ctx;

	groupcfg_free(o->rules);
}

static const struct cmd_spec serve_cmd = {
	.name = "serve", .accept = CO_TARGETS | CO_BARE_PIDS | CO_VERSION,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.check = check_opts, .run = run, .done = free_opts,
};

int serve_main(int argc, char **argv)
{
	struct opts o = {
		.listen = DEFAULT_LISTEN, .delay = DEFAULT_DELAY,
		.memory_every = DEFAULT_MEMORY_EVERY, .placement_every = 1, .mo.group_keep = GROUP_KEEP,
	};

	return command_main(&serve_cmd, &o, argc, argv);
}
