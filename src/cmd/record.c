/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.c - taskscope record: a session whose sink writes every sample to an SQLite file */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "cmd/record.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "model/columns.h"
#include "model/recording.h"
#include "model/session.h"
#include "view/batchsink.h"

#define MAX_DELAY (24.0 * 3600.0)
#define MAX_ITERATIONS 1000000000ULL
#define MAX_EVERY 1000000ULL

struct opts {
	struct common_opts co;	/* targets, --output-file, --run-as, -- */
	const char *file;
	double delay;
	uint64_t iterations;
	uint64_t memory_every;
	const char *json_copy;
	uint64_t max_size;
	double max_age;
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope record [options] [PID...] [-- command [args...]]\n"
	      "\n"
	      "Records every sample of the targets (default: all tasks) to an SQLite file: a\n"
	      "row per thread with its state, CPU, affinity, times, faults, switches, RSS,\n"
	      "migrations and run/queue time (stored when they change), and every process's\n"
	      "footprint (PSS, USS, SHARED, swap, ...) every N samples. Read it with 'taskscope\n"
	      "replay FILE', 'taskscope diff FILE@T1 FILE@T2' or sqlite3.\n"
	      "\n"
	      "Targets:\n"
	      " -p, --pid PID[,PID...]    processes with these IDs (repeatable; bare PIDs too)\n"
	      " -u, --user USER           processes of this user\n"
	      " -C, --command NAME[,...]  processes with this name\n"
	      "     --cgroup CGROUP       processes in this cgroup or below (taskscope(1))\n"
	      " -- command [args...]      run the command and record it and its descendants for\n"
	      "                           its whole life; exits with its exit status\n"
	      "     --run-as USER         run the command as USER\n"
	      "\n"
	      "Options:\n"
	      " -o, --output-file FILE    the recording, a new file (default:\n"
	      "                           taskscope-HOST-YYYYMMDD-HHMMSS.db here)\n"
	      " -d, --delay SECONDS       time between samples (default 1)\n"
	      " -n, --iterations N        stop after N samples (default: until interrupted or\n"
	      "                           the targets are gone)\n"
	      "     --memory-every N      the footprint every N samples (default 10; 1: each)\n"
	      "     --max-size SIZE       drop the oldest samples beyond SIZE (e.g. 100M)\n"
	      "     --max-age SECONDS     drop the samples older than that\n"
	      "     --json-copy FILE      also write the JSON of each sample, as 'taskscope -J -H'\n"
	      "                           prints it, to FILE ('-': standard output)\n", out);
	cli_help_end(out, "record",
		     "SIGINT, SIGTERM or SIGHUP end a recording cleanly; after a kill -9 the file holds\n"
		     "every sample but the one being written. ");
}

static const struct cmd_option options[] = {
	{ "delay", 'd', CMD_SECONDS, CMD_FIELD(struct opts, delay), .hi = MAX_DELAY,
	  .above = true, .words = "seconds above %.0f, at most %.0f" },
	{ "iterations", 'n', CMD_COUNT, CMD_FIELD(struct opts, iterations), .lo = 1,
	  .hi = MAX_ITERATIONS, .words = "a whole number from %.0f to %.0f" },
	{ "memory-every", 0, CMD_COUNT, CMD_FIELD(struct opts, memory_every), .lo = 1,
	  .hi = MAX_EVERY, .words = "a whole number from %.0f to %.0f" },
	{ "json-copy", 0, CMD_FILE, CMD_FIELD(struct opts, json_copy) },
	{ "max-size", 0, CMD_SIZE, CMD_FIELD(struct opts, max_size), .lo = 65536,
	  .hi = (double)UINT64_MAX, .words = "a size of at least 64K (e.g. 100M, 2G)" },
	{ "max-age", 0, CMD_SECONDS, CMD_FIELD(struct opts, max_age), .hi = 1e9, .above = true,
	  .words = "seconds above 0" },
	/* -o and --output-file: the recording */
	{ "output-file", 'o', CMD_FILE, CMD_FIELD(struct opts, file) },
	{ 0 }
};

/* taskscope-HOST-YYYYMMDD-HHMMSS.db: the host name's letters, digits, '.', '-' only */
static void default_name(char *buf, size_t len)
{
	struct utsname u;
	char host[64] = "host", when[32] = "now";
	time_t now = time(NULL);
	struct tm tm;
	size_t n = 0;

	if (!uname(&u)) {
		for (const char *p = u.nodename; *p && n < sizeof(host) - 1; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
				host[n++] = *p;
		host[n ? n : 4] = '\0';
	}
	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "taskscope-%s-%s.db", host, when);
}

/* The record sink and, with --json-copy, the batch sink behind it: one sink, so that a
 * stop signal or a failed write ends both. */
struct record_sink {
	struct recording *rec;
	struct batch_sink *copy;
	bool copy_off;
};

static int record_frame(void *arg, const struct session_frame *f)
{
	struct record_sink *k = arg;
	int rc;

	if (cli_stop_signal())
		return -EPIPE;
	rc = recording_sink_ops.sample(k->rec, f);
	if (!rc && k->copy && !k->copy_off) {
		int c = batch_sink_ops.sample(k->copy, f);

		if (c == -EPIPE)
			k->copy_off = true;
		else if (c)
			return c;
	}
	return rc;
}

static const struct sink_ops record_sink_ops = {
	.name = "record",
	.sample = record_frame,
};

/* The job, unless a stop signal came before it: then none is started (the recording ends
 * with no sample, the status the signal would give). One that comes as the job starts is
 * the job's, as every later one is. */
static int start_job(struct session *s)
{
	int sig = cli_stop_signal(), status;

	if (sig) {
		msg_error("stopped by signal %d (%s) before the job started", sig,
			  strsignal(sig));
		return 128 + sig;
	}
	status = session_start_job(s);
	sig = cli_take_stop_signal();
	if (!status && sig)
		spawn_forward(s->job, sig, false);
	return status;
}

static int record(void *ctx)
{
	struct opts *o = ctx;
	char name[256], what[256], shown[512], why[256];
	const struct column **cols = NULL;
	size_t ncols = 0;
	char *command = NULL;
	struct recording_info info;
	struct session_config cfg;
	struct session_loop loop;
	struct session s;
	struct recording *rec = NULL;
	struct record_sink rs = { 0 };
	struct batch_sink bs;
	int status, rc;

	if (!o->file) {
		default_name(name, sizeof(name));
		o->file = name;
	}
	if (o->json_copy && columns_defaults(true, &cols, &ncols)) {
		msg_error("%s", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	target_describe(&o->co.target, what, sizeof(what));
	if (o->co.cmd)
		command = util_join_argv(o->co.cmd);
	info = (struct recording_info){ .targets = what, .command = command,
					.interval = o->delay,
					.memory_every = (unsigned)o->memory_every,
					.max_size = o->max_size, .max_age = o->max_age };
	cfg = (struct session_config){
		.target = &o->co.target, .cmd = o->co.cmd, .run_as = o->co.run_as,
		.readers = RECORDING_READERS | (o->json_copy ? columns_readers(cols, ncols) : 0),
		.threads = true,
		/* "--json-copy -": the JSON on standard output, a job's on standard error */
		.output_file = o->json_copy && strcmp(o->json_copy, "-") ? o->json_copy : NULL,
		.report_on_stdout = o->json_copy && !strcmp(o->json_copy, "-"),
		.job_summary = true, .memory_readers = RECORDING_MEMORY_READERS,
	};
	loop = (struct session_loop){ .delay = o->delay, .iterations = o->iterations,
				      .memory_every = (unsigned)o->memory_every };
	status = session_open(&s, &cfg);
	/* a stop signal ends the recording cleanly from here on (one that came while the file
	 * was being made killed us and left a file without its tables); with a job, until it
	 * starts: from then on the job gets them */
	if (!status)
		cli_catch_stop_signals();
	if (!status) {
		rc = recording_create(&rec, o->file, &info, s.smp ? sampler_topo(s.smp) : NULL,
				      why, sizeof(why));
		if (rc) {
			util_sanitize(o->file, strlen(o->file), shown, sizeof(shown));
			msg_error("cannot create the recording '%s': %s", shown, why);
			status = TS_EXIT_FAILURE;
		}
	}
	if (!status && o->co.cmd)
		status = start_job(&s);
	if (!status) {
		rs.rec = rec;
		if (o->json_copy) {
			bs.bo = (struct batch_opts){ .cols = cols, .ncols = ncols, .json = true,
						     .what = what, .out = s.out, .threads = true };
			bs.ctx = (struct col_ctx){ .sampler = s.smp, .threads = true };
			rs.copy = &bs;
		}
		session_add_sink(&s, &record_sink_ops, &rs);
		session_run(&s, &loop);
	}
	status = session_close(&s, status);
	if (rec) {
		unsigned long n = recording_samples(rec);

		util_sanitize(o->file, strlen(o->file), shown, sizeof(shown));
		if (recording_finish(rec))
			status = status ? status : TS_EXIT_FAILURE;
		else
			fprintf(stderr, "taskscope: record: %lu sample%s in '%s'\n", n,
				n == 1 ? "" : "s", shown);
	}
	free(command);
	free(cols);
	return status;
}

static const struct cmd_spec record_cmd = {
	.name = "record", .accept = CO_TARGETS | CO_OUTPUT_FILE | CO_JOB | CO_BARE_PIDS | CO_VERSION,
	.usage = usage, .options = options, .co = offsetof(struct opts, co), .run = record,
};

int record_main(int argc, char **argv)
{
	struct opts o = { .delay = 1.0, .memory_every = 10 };

	return command_main(&record_cmd, &o, argc, argv);
}
