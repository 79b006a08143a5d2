/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.c - taskscope replay: a session whose source is a recording, with the task view's
 * batch sink (the same tables, raw lines and JSON as live) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "cmd/replay.h"
#include "cmd/taskview.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "model/coltable.h"
#include "model/columns.h"
#include "model/recording.h"
#include "model/session.h"
#include "view/batchsink.h"
#include "view/tui.h"

struct opts {
	struct common_opts co;	/* -o, -J, -r, --bytes, --output-file, --list-columns */
	const char *file;
	const char *from, *to;
	bool threads;
	bool batch;
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope replay [options] FILE\n"
	      "\n"
	      "Shows a recording (taskscope record) in the full-screen view, with time travel\n"
	      "([ ] a sample, { } a minute, g a time, Space play, + - pace) within --from and\n"
	      "--to, or prints its samples as the task view printed them live: a table, raw\n"
	      "lines or JSON per sample (with -b, -J, -r, --output-file, or when not on a\n"
	      "terminal).\n"
	      "\n"
	      "Options:\n"
	      " -b, --batch               tables (the default when not on a terminal)\n"
	      " -J, --json                one JSON document per sample, with a \"replay\" key\n"
	      " -r, --raw                 raw output: no alignment, no summary line\n"
	      " -H, --threads             a row per thread (as recorded) instead of per process\n"
	      "                           (process rows sum the recorded threads)\n"
	      " -o, --output LIST         columns to show (+LIST adds to the defaults); memory\n"
	      "                           columns (PSS, USS, ...) show the last footprint recorded\n"
	      "     --list-columns        list every column and exit\n"
	      "     --from TIME           the samples from TIME on\n"
	      "     --to TIME             the samples up to TIME\n"
	      "                           TIME: HH:MM[:SS] (the recording's day), YYYY-MM-DD\n"
	      "                           HH:MM[:SS], +SECONDS after the first sample (s, m, h\n"
	      "                           suffixes), -SECONDS before the last one, @EPOCH\n"
	      "     --bytes               sizes in bytes\n"
	      "     --output-file FILE    write the report to FILE\n", out);
	cli_help_end(out, "replay", "");
}

/* ---- options ---- */

static const struct cmd_option options[] = {
	{ "batch", 'b', CMD_FLAG, CMD_FIELD(struct opts, batch) },
	{ "threads", 'H', CMD_FLAG, CMD_FIELD(struct opts, threads) },
	{ "from", 0, CMD_STRING, CMD_FIELD(struct opts, from) },
	{ "to", 0, CMD_STRING, CMD_FIELD(struct opts, to) },
	{ 0 }
};

static int check_opts(void *ctx)
{
	struct opts *o = ctx;

	o->file = o->co.noperands ? o->co.operand[0] : NULL;
	if (!o->file && !o->co.list_columns)
		return common_usage_error(&o->co, "no recording given (taskscope replay FILE)");
	return CO_CONTINUE;
}

/* ---- the run ---- */

/* NODE, CORE, PACKAGE come from this machine's topology: the recording's must be it. */
static int check_topology(struct recording *rec, struct sampler **smp)
{
	int rc = sampler_new(smp, 0, false), cpu;

	if (rc) {
		msg_error("cannot read /proc: %s", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	cpu = recording_topology_differs(rec, sampler_topo(*smp));
	if (cpu >= 0) {
		msg_error("the recording's CPU topology is not this machine's: NODE, CORE and "
			  "PACKAGE cannot be shown (CPU %d differs)", cpu);
		return TS_EXIT_FAILURE;
	}
	return 0;
}

static int replay(struct opts *o)
{
	const struct column **cols = NULL;
	size_t ncols = 0;
	struct recording *rec = NULL;
	struct sampler *smp = NULL;
	struct session_config cfg;
	struct session_loop loop = { .delay = 0 };
	struct session s;
	struct batch_sink bs;
	struct batch_replay br;
	char why[512], shown[300], what[512];
	double from = 0, to = 0, first, last;
	unsigned long n;
	const char *v;
	int status, rc;

	status = cli_task_columns("replay", o->co.output, o->threads, &cols, &ncols);
	if (status)
		return status;
	util_sanitize(o->file, strlen(o->file), shown, sizeof(shown));
	rc = recording_open(&rec, o->file, why, sizeof(why));
	if (rc) {
		msg_error("cannot read the recording '%s': %s", shown, why);
		free(cols);
		return TS_EXIT_FAILURE;
	}
	if (recording_span(rec, &n, &first, &last)) {
		msg_error("cannot read the recording '%s': it is damaged: %s", shown,
			  recording_error(rec));
		status = TS_EXIT_FAILURE;
	}
	if (!status && o->from && recording_parse_time(o->from, first, last, &from))
		status = common_usage_error(&o->co, "invalid --from time");
	if (!status && o->to && recording_parse_time(o->to, first, last, &to))
		status = common_usage_error(&o->co, "invalid --to time");
	if (!status && (columns_readers(cols, ncols) & RD_TOPO))
		status = check_topology(rec, &smp);
	if (status)
		goto out;
	{
		long hz;
		double boot;

		recording_clock(rec, &hz, &boot);
		sampler_set_clock(hz, boot);
	}
	recording_set_range(rec, from, to, !o->threads);
	v = recording_meta(rec, "targets");
	snprintf(what, sizeof(what), "replay of '%s' (%s)", shown, v ? v : "?");
	br = (struct batch_replay){ .file = shown, .host = recording_meta(rec, "host"),
				    .kernel = recording_meta(rec, "kernel"),
				    .version = recording_meta(rec, "version") };
	if (!br.host)
		br.host = "";
	if (!br.kernel)
		br.kernel = "";
	cfg = (struct session_config){ .source = &recording_source_ops, .source_arg = rec,
				       .output_file = o->co.output_file };
	status = session_open(&s, &cfg);
	if (!status) {
		bs.bo = (struct batch_opts){ .cols = cols, .ncols = ncols, .json = o->co.json,
					     .raw = o->co.raw, .bytes = o->co.bytes, .what = what,
					     .out = s.out, .threads = o->threads, .replay = &br };
		bs.ctx = (struct col_ctx){ .sampler = smp, .threads = o->threads };
		session_add_sink(&s, &batch_sink_ops, &bs);
		session_run(&s, &loop);
	}
	status = session_close(&s, status);
out:
	sampler_free(smp);
	recording_close(rec);
	free(cols);
	return status;
}

/* --from and --to as times of the recording (0: not given), checked before any screen:
 * -1 to go on, or the exit status. */
static int range_of(struct opts *o, double *from, double *to)
{
	struct recording *rec = NULL;
	char why[512], shown[300];
	double first, last;
	unsigned long n;
	int status = -1;

	*from = *to = 0;
	if (!o->from && !o->to)
		return -1;
	util_sanitize(o->file, strlen(o->file), shown, sizeof(shown));
	if (recording_open(&rec, o->file, why, sizeof(why))) {
		msg_error("cannot read the recording '%s': %s", shown, why);
		return TS_EXIT_FAILURE;
	}
	if (recording_span(rec, &n, &first, &last)) {
		msg_error("cannot read the recording '%s': it is damaged: %s", shown,
			  recording_error(rec));
		status = TS_EXIT_FAILURE;
	} else if (o->from && recording_parse_time(o->from, first, last, from)) {
		status = common_usage_error(&o->co, "invalid --from time");
	} else if (o->to && recording_parse_time(o->to, first, last, to)) {
		status = common_usage_error(&o->co, "invalid --to time");
	}
	recording_close(rec);
	return status;
}

/* The full-screen view over the recording, with time travel (in --from/--to). */
static int replay_tui(struct opts *o)
{
	struct tui_opts to = { .replay = o->file, .output = o->co.output, .threads = o->threads };
	int rc = range_of(o, &to.replay_from, &to.replay_to);

	if (rc >= 0)
		return rc;
	return taskview_tui("replay", &to);
}

/* The columns' list, the full-screen view, or the samples printed. */
static int run(void *ctx)
{
	struct opts *o = ctx;

	if (o->co.list_columns) {
		coltable_print(columns_table(), stdout, false);
		return TS_EXIT_OK;
	}
	if (!o->batch && !o->co.json && !o->co.raw && !o->co.output_file &&
	    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return replay_tui(o);
	return replay(o);
}

static const struct cmd_spec replay_cmd = {
	.name = "replay",
	.accept = CO_COLUMNS | CO_FORMAT | CO_BYTES | CO_OUTPUT_FILE | CO_VERSION | CO_OPERANDS,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.max_operands = 1, .check = check_opts, .run = run,
};

int replay_main(int argc, char **argv)
{
	struct opts o = { 0 };

	return command_main(&replay_cmd, &o, argc, argv);
}
