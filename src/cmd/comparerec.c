/* SPDX-License-Identifier: GPL-2.0-or-later */
/* comparerec.c - taskscope compare A.db B.db: two recorded jobs' footprints side by side
 *
 * Each side is every task a recording (taskscope record) holds, from its first to its last
 * sample or in --from/--to: the processes and threads seen, the most kcmp groups in one
 * memory sample, the memory sums over the processes at the memory samples (peak and last,
 * with when), and CPU time and switches as sampled. The table and JSON keep the live
 * compare's shape and keys where a row is the same; the plain words are the live ones.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/comparerec.h"
#include "cmd/options.h"
#include "cmd/recfile.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "model/recjob.h"
#include "model/recording.h"
#include "view/compare.h"

struct opts {
	struct common_opts co;	/* the two recordings are its operands; -J, --bytes */
	const char *from, *to;
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope compare [options] A.db B.db\n"
	      "\n"
	      "Compares two recordings (taskscope record) side by side: each one's processes,\n"
	      "threads, address spaces and other kcmp groups, and its memory sums (RSS, PSS,\n"
	      "USS, shared, swap, page tables) at the memory samples, peak and last with when\n"
	      "(seconds after the side's first sample), CPU time and switches as sampled, with\n"
	      "B/A and plain words. A recording is known by its content (an SQLite file).\n"
	      "\n"
	      "Options:\n"
	      "     --from TIME           each recording's samples from TIME on\n"
	      "     --to TIME             each recording's samples up to TIME\n"
	      "                           TIME as in taskscope replay: +SPAN after each one's\n"
	      "                           first sample, -SPAN before its last, HH:MM[:SS], @EPOCH\n"
	      " -J, --json                one JSON document\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n", out);
	cli_help_end(out, "compare",
		     "Exit status: 0 ok, 1 a recording cannot be read, 2 usage error.\n");
}

bool comparerec_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") || !strcmp(argv[i], "--to") ||
		    !strncmp(argv[i], "--from=", 7) || !strncmp(argv[i], "--to=", 5))
			return true;
		if (argv[i][0] != '-' && recfile_is_recording(argv[i]))
			return true;
	}
	return false;
}

/* -p, -t, -d and the workers' options make live sides. */
static const struct cmd_option options[] = {
	{ "from", 0, CMD_STRING, CMD_FIELD(struct opts, from) },
	{ "to", 0, CMD_STRING, CMD_FIELD(struct opts, to) },
	CMD_REFUSED("pid", 'p'),
	CMD_REFUSED("time", 't'),
	CMD_REFUSED("delay", 'd'),
	CMD_REFUSED("workers", 0),
	CMD_REFUSED("mem", 0),
	CMD_REFUSED("shared", 0),
	CMD_REFUSED_FLAG("spin"),
	CMD_REFUSED_FLAG("sleep"),
	{ 0 }
};

/* Two operands, each a recording. */
static int check_opts(void *opts)
{
	struct opts *o = opts;
	size_t n = o->co.noperands;
	char sbuf[160];

	if (n < 2)
		return common_usage_error(&o->co, "%s: compare A.db B.db",
					  n ? "one recording given, side B is missing"
					    : "--from and --to go with two recordings");
	for (size_t i = 0; i < 2; i++)
		if (!recfile_is_recording(o->co.operand[i]))
			return common_usage_error(&o->co, "'%s' is not a recording (taskscope "
						  "record): compare two recordings, or two command "
						  "lines", cli_shown(o->co.operand[i], sbuf,
								     sizeof(sbuf)));
	return CO_CONTINUE;
}

/* ---- reading ---------------------------------------------------------------------------- */

static char *meta_dup(struct recording *rec, const char *key)
{
	const char *v = recording_meta(rec, key);

	return v ? strdup(v) : NULL;
}

static int load_side(const struct opts *o, const char *path, struct compare_recside *s)
{
	struct recording *rec = NULL;
	struct recording_group *g = NULL;
	double first, last, from = 0, to = 0;
	unsigned long n;
	const char *base, *bad;
	char why[512];
	size_t ng;
	int rc;

	util_sanitize(path, strlen(path), s->file, sizeof(s->file));
	base = strrchr(path, '/') && strrchr(path, '/')[1] ? strrchr(path, '/') + 1 : path;
	util_sanitize(base, strlen(base), s->name, sizeof(s->name));
	rc = recording_open(&rec, path, why, sizeof(why));
	if (rc) {
		msg_error("cannot read the recording '%s': %s", s->file, why);
		return TS_EXIT_FAILURE;
	}
	if (recording_span(rec, &n, &first, &last)) {
		msg_error("cannot read the recording '%s': it is damaged: %s", s->file,
			  recording_error(rec));
		recording_close(rec);
		return TS_EXIT_FAILURE;
	}
	bad = o->from && recording_parse_time(o->from, first, last, &from) ? "from" :
	      o->to && recording_parse_time(o->to, first, last, &to) ? "to" : NULL;
	if (bad) {
		recording_close(rec);
		return cli_usage_error("compare", "invalid --%s time '%s'", bad,
				       cli_shown(*bad == 'f' ? o->from : o->to, why, 160));
	}
	s->command = meta_dup(rec, "command");
	s->targets = meta_dup(rec, "targets");
	s->host = meta_dup(rec, "host");
	s->schema1 = recording_groups(rec, first, &g, &ng) == -ENOENT;
	free(g);
	rc = recjob_load(rec, from, to, &s->j);
	if (rc == -ENODATA)
		msg_error("the recording '%s' has no sample%s", s->file,
			  o->from || o->to ? " between --from and --to" : "");
	else if (rc == -EBADMSG)
		msg_error("cannot read the recording '%s': it is damaged: %s", s->file,
			  recording_error(rec));
	else if (rc)
		msg_error("cannot read the recording '%s': %s", s->file, strerror(-rc));
	recording_close(rec);
	return rc ? TS_EXIT_FAILURE : 0;
}

static void side_free(struct compare_recside *s)
{
	recjob_free(&s->j);
	free(s->command);
	free(s->targets);
	free(s->host);
}

/* Both recordings read, then the report. */
static int run(void *opts)
{
	struct opts *o = opts;
	struct compare_recside sides[2];
	struct compare_view v = { .json = o->co.json, .bytes = o->co.bytes, .out = stdout };
	int status = TS_EXIT_OK;

	memset(sides, 0, sizeof(sides));
	for (int k = 0; k < 2 && !status; k++) {
		snprintf(sides[k].label, sizeof(sides[k].label), "%s", k ? "B" : "A");
		status = load_side(o, o->co.operand[k], &sides[k]);
	}
	if (status)
		goto out;
	status = cli_report_status(v.out, compare_print_recordings(&v, &sides[0], &sides[1]));
out:
	side_free(&sides[0]);
	side_free(&sides[1]);
	return status;
}

static const struct cmd_spec comparerec_cmd = {
	.name = "compare", .shown = 160,
	.accept = CO_JSON | CO_BYTES | CO_OPERANDS,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.refused = "-p, -t, -d, --workers, --mem, --shared, --spin and --sleep give live sides: "
		   "recordings are compared as recorded",
	.max_operands = 2, .operand_hint = " (more than two recordings: compare A.db B.db)", .check = check_opts,
	.run = run,
};

int comparerec_main(int argc, char **argv)
{
	struct opts o = { 0 };

	return command_main(&comparerec_cmd, &o, argc, argv);
}
