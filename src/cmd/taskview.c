/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskview.c - the task view command: its options, then the full-screen view or a session
 * with the batch sink (tables, raw lines or JSON per sample) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "cmd/taskview.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "model/coltable.h"
#include "model/columns.h"
#include "model/session.h"
#include "lib/exitcode.h"
#include "view/batchsink.h"
#include "view/tui.h"

#define MAX_DELAY (24.0 * 3600.0)
#define MAX_ITERATIONS 1000000000ULL
#define PRIME_MAX 0.5	/* the first sample's interval is at most this long */

struct opts {
	struct common_opts co;	/* targets, -o, -J, -r, --bytes, --output-file, --run-as, -- */
	bool batch;
	bool threads;
	uint64_t iterations;	/* 0: until the targets are gone */
	double delay;
	bool delay_set;
	const char *child_log;
	const char *sort;	/* --sort [-]COL[,...] */
	bool tree, totals, children;
	char *proc_root[16];	/* --proc-root DIR...: trees read instead of /proc */
	size_t nproc_root;
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope [options] [-- command [args...]]\n", out);
	commands_print_synopsis(out);
	fputs("\n"
	      "Shows tasks (processes and threads) sampled from /proc: a full-screen view on a\n"
	      "terminal (press h in it for the keys), else a table per sample.\n"
	      "\n"
	      "Commands:\n", out);
	commands_print_list(out);
	fputs("\n"
	      "Targets (default: all tasks):\n"
	      " -p, --pid PID[,PID...]    processes with these IDs (repeatable)\n"
	      " -u, --user USER           processes of this user (name or number)\n"
	      " -C, --command NAME[,...]  processes with this name (as in /proc/PID/comm)\n"
	      "     --cgroup CGROUP       processes in this cgroup or below, as the CGROUP column\n"
	      "                           shows it (/system.slice/x.service; memory:/PATH: v1)\n"
	      "     --children            with -p: also every descendant of those processes,\n"
	      "                           found again at each sample (compare -p's groups)\n"
	      " -- command [args...]      run the command and follow it and all its descendants;\n"
	      "                           taskscope exits with its exit status\n"
	      "     --run-as USER         run the command as USER: its uid, gid and groups\n"
	      "                           (taskscope must be root; -u selects targets)\n"
	      "\n"
	      "Options:\n"
	      " -b, --batch               batch tables instead of the full-screen view (the default\n"
	      "                           when stdin or stdout is not a terminal, and with -n,\n"
	      "                           -J, -r or an output file)\n"
	      " -n, --iterations N        stop after N samples\n"
	      " -d, --delay SECONDS       time between samples (default 1; 0 allowed)\n"
	      " -H, --threads             a row per thread instead of per process\n"
	      " -o, --output LIST         columns to show (+LIST adds to the defaults)\n"
	      "     --list-columns        list every column with its help and exit\n"
	      " -J, --json                one JSON document per sample; a row's key\n"
	      "                           'unavailable' says why its null values are null\n"
	      " -r, --raw                 raw output: no alignment, no summary line\n"
	      "     --sort COL[,...]      batch: rows by these columns in their natural order\n"
	      "                           (sizes, counts, CPU largest first; names and IDs\n"
	      "                           smallest first); -COL reverses; unknown values last\n"
	      "     --totals              batch: a last line with the sums of additive columns\n"
	      "     --tree                batch: processes under their parents (threads under\n"
	      "                           their process with -H)\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      "     --output-file FILE    write the report to FILE (with a spawned command the\n"
	      "                           tables go to stderr by default; -J JSON goes to\n"
	      "                           stdout and the command's stdout to stderr)\n"
	      "     --child-log FILE      full-screen view: also write the job's output to FILE\n"
	      "     --proc-root DIR       batch: read DIR, a tree with /proc's layout, instead of\n"
	      "                           /proc; again for the next sample (see taskscope(1))\n"
	      " -h, --help                show this help and exit\n"
	      " -V, --version             show the version and exit\n"
	      "\n"
	      "Exit status: 0 ok, 1 runtime failure, 2 usage error, or the spawned command's status.\n"
	      "See taskscope(1); a command's manual page: taskscope help COMMAND.\n", out);
}

static const struct cmd_option options[] = {
	{ "batch", 'b', CMD_FLAG, CMD_FIELD(struct opts, batch) },
	{ "iterations", 'n', CMD_COUNT, CMD_FIELD(struct opts, iterations), .lo = 1,
	  .hi = MAX_ITERATIONS, .words = "a whole number from %.0f to %.0f" },
	{ "delay", 'd', CMD_SECONDS, CMD_FIELD(struct opts, delay),
	  CMD_GIVEN(struct opts, delay_set), .hi = MAX_DELAY,
	  .words = "seconds from %.0f to %.0f" },
	{ "threads", 'H', CMD_FLAG, CMD_FIELD(struct opts, threads) },
	{ "child-log", 0, CMD_STRING, CMD_FIELD(struct opts, child_log) },
	{ "sort", 0, CMD_STRING, CMD_FIELD(struct opts, sort) },
	{ "totals", 0, CMD_FLAG, CMD_FIELD(struct opts, totals) },
	{ "tree", 0, CMD_FLAG, CMD_FIELD(struct opts, tree) },
	{ "children", 0, CMD_FLAG, CMD_FIELD(struct opts, children) },
	{ "proc-root", 0, CMD_LIST, CMD_FIELD(struct opts, proc_root),
	  .count = offsetof(struct opts, nproc_root), .words = "trees" },
	{ 0 }
};

/* What the options cannot be together. */
static int check_opts(void *ctx)
{
	struct opts *o = ctx;

	if (o->nproc_root && o->co.cmd)
		return cli_usage_error(NULL, "--proc-root cannot be used with a command to run ('--'): "
				       "its processes are not in the tree");
	if (o->children && !o->co.target.npids)
		return cli_usage_error(NULL, "--children needs -p PID: it adds the descendants of those processes");
	o->co.target.descendants = o->children;
	return CO_CONTINUE;
}

/* --sort [-]COL[,...]: *keys malloc'ed. -EINVAL (a usage error printed), -ENOMEM. */
static int parse_sort(const char *list, struct tasklist_key **keys, size_t *nkeys)
{
	size_t n = 1, k = 0;
	const char *p = list;
	struct tasklist_key *v;
	char shown[64];

	for (const char *q = list; *q; q++)
		n += *q == ',';
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (k < n) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool rev = len && *p == '-';
		char name[32];

		if (rev) {
			p++;
			len--;
		}
		if (len && len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			v[k].col = columns_find(name);
		}
		if (!v[k].col) {
			char tok[160];
			size_t tl = len < sizeof(tok) - 1 ? len : sizeof(tok) - 1;

			memcpy(tok, p, tl);
			tok[tl] = '\0';
			if (len)
				cli_usage_error(NULL, "unknown column '%s' in --sort (see --list-columns)",
						cli_shown(tok, shown, sizeof(shown)));
			else
				cli_usage_error(NULL, "empty column name in --sort '%s'",
						cli_shown(list, shown, sizeof(shown)));
			free(v);
			return -EINVAL;
		}
		v[k].ascending = columns_natural_ascending(v[k].col) != rev;
		k++;
		p = end ? end + 1 : p + len;
	}
	*keys = v;
	*nkeys = n;
	return 0;
}

/* The columns of -o (or the defaults) and the --sort keys: 0, or the exit status. */
static int pick_columns(const struct opts *o, const struct column ***cols, size_t *ncols,
			struct tasklist_key **keys, size_t *nkeys)
{
	int rc, status = cli_task_columns(NULL, o->co.output, o->threads, cols, ncols);

	if (status || !o->sort)
		return status;
	rc = parse_sort(o->sort, keys, nkeys);
	if (rc && rc != -EINVAL)
		msg_error("%s", strerror(-rc));
	if (rc)
		free(*cols);
	return rc == -EINVAL ? TS_EXIT_USAGE : rc ? TS_EXIT_FAILURE : 0;
}

/* Batch mode: a session with the batch sink. */
static int run_tasks(struct opts *o)
{
	const struct column **cols = NULL;
	size_t ncols = 0, nkeys = 0;
	struct tasklist_key *keys = NULL;
	struct session_config cfg;
	struct session_loop loop;
	struct session s;
	struct batch_sink bs;
	char what[256];
	int status;

	status = pick_columns(o, &cols, &ncols, &keys, &nkeys);
	if (status)
		return status;
	cfg = (struct session_config){
		.target = &o->co.target, .cmd = o->co.cmd, .run_as = o->co.run_as,
		.readers = columns_readers(cols, ncols), .threads = o->threads,
		.output_file = o->co.output_file,
		/* "taskscope -J -- CMD | jq": the JSON is stdout, the job's stdout stderr */
		.report_on_stdout = o->co.json, .job_summary = true, .job_counts = true,
		.proc_root = o->proc_root, .nproc_root = o->nproc_root,
	};
	loop = (struct session_loop){ .delay = o->delay, .iterations = o->iterations,
				      .prime_max = PRIME_MAX };
	/* a first sample without output gives the interval columns their interval */
	for (size_t i = 0; i < ncols; i++) {
		if (!(cols[i]->flags & CF_INTERVAL))
			continue;
		loop.prime = true;
		loop.prime_readers |= cols[i]->readers | RD_STAT;	/* only what they need */
	}
	/* trees: without -n the last one ends the run (each sample reads the next) */
	if (o->nproc_root && !loop.iterations)
		loop.iterations = o->nproc_root > 1 && loop.prime ? o->nproc_root - 1 :
				  o->nproc_root;
	for (size_t k = 0; k < nkeys; k++)
		cfg.readers |= keys[k].col->readers;	/* a sort column need not be shown */
	if (o->tree)
		cfg.readers |= RD_STAT;			/* the parent of each process */
	status = session_open(&s, &cfg);
	if (!status && o->co.cmd)
		status = session_start_job(&s);
	if (!status) {
		target_describe(&o->co.target, what, sizeof(what));
		if (o->children && strlen(what) + 16 < sizeof(what))
			strcat(what, " and descendants");
		bs.bo = (struct batch_opts){ .cols = cols, .ncols = ncols, .json = o->co.json,
					     .raw = o->co.raw, .bytes = o->co.bytes, .what = what,
					     .out = s.out, .threads = o->threads, .keys = keys,
					     .nkeys = nkeys, .tree = o->tree, .totals = o->totals };
		bs.ctx = (struct col_ctx){ .sampler = s.smp, .threads = o->threads };
		session_add_sink(&s, &batch_sink_ops, &bs);
		session_run(&s, &loop);
	}
	status = session_close(&s, status);
	free(keys);
	free(cols);
	return status;
}

int taskview_tui(const char *cmd, struct tui_opts *to)
{
	const struct column **cols = NULL;
	size_t ncols = 0;
	int status = to->output ? cli_task_columns(cmd, to->output, true, &cols, &ncols) : 0;

	free(cols);
	return status ? status : tui_main(to);
}

/* The full-screen view, after the checks of what it does not take. */
static int run_tui(struct opts *o)
{
	struct tui_opts to = {
		.target = &o->co.target, .cmd = o->co.cmd, .child_log = o->child_log,
		.output = o->co.output, .delay = o->delay, .delay_set = o->delay_set,
		.threads = o->threads, .run_as = o->co.run_as,
	};

	return taskview_tui(NULL, &to);
}

static int task_view(void *ctx)
{
	struct opts *o = ctx;

	if (o->co.list_columns) {
		coltable_print(columns_table(), stdout, true);
		return TS_EXIT_OK;
	}
	/* the full-screen view reads keys from stdin: both must be the terminal */
	if (o->iterations || o->co.json || o->co.raw || o->co.output_file || o->sort ||
	    o->totals || o->tree || o->nproc_root || !isatty(STDOUT_FILENO) ||
	    !isatty(STDIN_FILENO))
		o->batch = true;
	if (o->nproc_root && !o->delay_set)
		o->delay = 0;	/* a tree has no clock to wait for */
	if (o->batch && o->child_log)
		return cli_usage_error(NULL, "--child-log is for the full-screen view (in batch mode the "
				       "job's output is its own)");
	return o->batch ? run_tasks(o) : run_tui(o);
}

static const struct cmd_spec taskview_cmd = {
	.accept = CO_TARGETS | CO_COLUMNS | CO_FORMAT | CO_BYTES | CO_OUTPUT_FILE | CO_JOB |
		  CO_VERSION,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.check = check_opts, .run = task_view,
};

int taskview_main(int argc, char **argv)
{
	struct opts o = { .delay = 1.0 };

	return command_main(&taskview_cmd, &o, argc, argv);
}
