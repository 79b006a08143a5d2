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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsmartcols.h>

#include "cmd/cli.h"
#include "cmd/comparerec.h"
#include "cmd/options.h"
#include "cmd/recfile.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/comparison.h"
#include "model/recjob.h"
#include "model/recording.h"
#include "view/compare.h"
#include "view/json.h"

struct opts {
	struct common_opts co;	/* the two recordings are its operands; -J, --bytes */
	const char *from, *to;
};

/* One side: a recording read. */
struct side {
	char label[4];
	char file[300];		/* sanitized */
	char name[64];		/* the file's last component, sanitized, cut */
	char *command;		/* the recorded job (sanitized in the file), or NULL */
	char *targets;		/* what was recorded, in words */
	char *host;
	bool schema1;		/* kcmp groups not recorded */
	struct recjob j;
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
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      " -h, --help                show this help and exit\n"
	      "\n"
	      "Exit status: 0 ok, 1 a recording cannot be read, 2 usage error.\n"
	      "See taskscope-compare(1).\n", out);
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
static int live_option(void *opts, const char *arg)
{
	(void)arg;
	return common_usage_error(&((struct opts *)opts)->co, "-p, -t, -d, --workers, --mem, "
				  "--shared, --spin and --sleep give live sides: recordings are "
				  "compared as recorded");
}

static const struct cmd_option options[] = {
	{ "from", 0, CMD_STRING, CMD_FIELD(struct opts, from) },
	{ "to", 0, CMD_STRING, CMD_FIELD(struct opts, to) },
	{ "pid", 'p', CMD_CALL, .call = live_option },
	{ "time", 't', CMD_CALL, .call = live_option },
	{ "delay", 'd', CMD_CALL, .call = live_option },
	{ "workers", 0, CMD_CALL, .call = live_option },
	{ "mem", 0, CMD_CALL, .call = live_option },
	{ "shared", 0, CMD_CALL, .call = live_option },
	{ "spin", 0, CMD_FLAG, .call = live_option },
	{ "sleep", 0, CMD_FLAG, .call = live_option },
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

static int load_side(const struct opts *o, const char *path, struct side *s)
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

static void side_free(struct side *s)
{
	recjob_free(&s->j);
	free(s->command);
	free(s->targets);
	free(s->host);
}

/* ---- the report ------------------------------------------------------------------------- */

static void format_value(const struct recjob *j, enum recjob_metric m, bool bytes, char *buf,
			 size_t len)
{
	const struct recjob_value *v = &j->m[m];

	if (!v->known)
		snprintf(buf, len, "-");
	else if (recjob_info(m)->unit == CU_BYTES && !bytes)
		util_size_human((uint64_t)v->v, buf, len);
	else if (recjob_info(m)->unit == CU_SECONDS)
		snprintf(buf, len, "%.3fs", v->v);
	else
		snprintf(buf, len, "%.0f", v->v);
}

/* When a value was, as seconds after the side's first sample ("" when it has no time). */
static void format_at(const struct recjob *j, enum recjob_metric m, char *buf, size_t len)
{
	if (j->m[m].known && j->m[m].has_at)
		snprintf(buf, len, "+%.1fs", j->m[m].at - j->first);
	else
		buf[0] = '\0';
}

static void clock_text(double when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "@%.0f", when);
}

/* The live compare's sides with the values a recording has: its plain words. */
static int findings_of(const struct side *sa, const struct side *sb,
		       char lines[][COMPARE_LINE], size_t max, size_t *nf)
{
	static const struct {
		enum recjob_metric r;
		enum comparison_metric c;
	} map[] = {
		{ RJ_PROCS, CMP_PROCS }, { RJ_THREADS, CMP_THREADS }, { RJ_SPACES, CMP_SPACES },
		{ RJ_FILES, CMP_FILES }, { RJ_FS, CMP_FS }, { RJ_SIGHAND, CMP_SIGHAND },
		{ RJ_RSS_PEAK, CMP_RSS_PEAK }, { RJ_PSS_PEAK, CMP_PSS_PEAK },
		{ RJ_USS_PEAK, CMP_USS_PEAK }, { RJ_SHARED_PEAK, CMP_SHARED_PEAK },
		{ RJ_PTE_PEAK, CMP_PTE_PEAK }, { RJ_CPU_USER, CMP_CPU_USER },
		{ RJ_CPU_SYS, CMP_CPU_SYS }, { RJ_VCTX, CMP_VCTX }, { RJ_ICTX, CMP_ICTX },
		{ RJ_WALL, CMP_WALL },
	};
	const struct side *sides[2] = { sa, sb };
	struct comparison_side cs[2];
	int rc = 0;

	*nf = 0;
	for (int k = 0; k < 2; k++) {
		const struct recjob *j = &sides[k]->j;

		rc = comparison_side_init(&cs[k], sides[k]->label, sides[k]->name, NULL, 0);
		if (rc) {
			if (k)
				comparison_side_free(&cs[0]);
			return rc;
		}
		for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
			cs[k].m[map[i].c].known = j->m[map[i].r].known;
			cs[k].m[map[i].c].v = j->m[map[i].r].v;
			cs[k].m[map[i].c].why = TS_NA;
		}
		/* no spread: a recording's lowest memory sample is mostly its job's start or
		 * end, not the noise of a steady run, so the peaks are compared by the factor
		 * alone (mem_samples 0) */
		cs[k].mem_samples = 0;
	}
	*nf = compare_findings(&cs[0], &cs[1], lines, max);
	comparison_side_free(&cs[0]);
	comparison_side_free(&cs[1]);
	return 0;
}

/* What the recordings do not hold, as lines. */
static size_t not_recorded(const struct side *a, const struct side *b, char lines[][160])
{
	const struct side *sides[2] = { a, b };
	size_t n = 0;

	snprintf(lines[n++], 160, "exit statuses and start-up times (no ready line is kept)");
	snprintf(lines[n++], 160, "exact CPU time and switches: sampled here, a task's last "
		 "interval is lost");
	snprintf(lines[n++], 160, "mappings and page frames (maps, share), kernel stacks");
	for (int k = 0; k < 2; k++) {
		if (sides[k]->schema1)
			snprintf(lines[n++], 160, "%s: the kcmp groups (address spaces, fd tables, "
				 "...): a recording of schema 1",
				 sides[k]->label);
		else if (!sides[k]->j.m[RJ_SPACES].known)
			snprintf(lines[n++], 160, "%s: the kcmp groups: no memory sample in the "
				 "range", sides[k]->label);
		if (!sides[k]->j.mem_recorded)
			snprintf(lines[n++], 160, "%s: the memory sums: no memory sample in the "
				 "range", sides[k]->label);
	}
	return n;
}

static int print_table(const struct opts *o, const struct side *a, const struct side *b,
		       FILE *out)
{
	const struct side *sides[2] = { a, b };
	struct libscols_table *tb = scols_new_table();
	char lines[COMPARE_MAX_FINDINGS][COMPARE_LINE], nr[8][160];
	size_t nf = 0, nn;
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_enable_noencoding(tb, 1);	/* names are sanitized at their source */
	if (!scols_table_new_column(tb, "METRIC", 0, 0) ||
	    !scols_table_new_column(tb, "A", 0, SCOLS_FL_RIGHT) ||
	    !scols_table_new_column(tb, "A AT", 0, SCOLS_FL_RIGHT) ||
	    !scols_table_new_column(tb, "B", 0, SCOLS_FL_RIGHT) ||
	    !scols_table_new_column(tb, "B AT", 0, SCOLS_FL_RIGHT) ||
	    !scols_table_new_column(tb, "B/A", 0, SCOLS_FL_RIGHT)) {
		rc = -ENOMEM;
		goto out;
	}
	for (int m = 0; m < RJ_COUNT; m++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char buf[5][48];
		double r;

		if (!ln) {
			rc = -ENOMEM;
			goto out;
		}
		for (int k = 0; k < 2; k++) {
			format_value(&sides[k]->j, (enum recjob_metric)m, o->co.bytes,
				     buf[2 * k], sizeof(buf[0]));
			format_at(&sides[k]->j, (enum recjob_metric)m, buf[2 * k + 1],
				  sizeof(buf[0]));
		}
		if (recjob_ratio(&a->j, &b->j, (enum recjob_metric)m, &r))
			snprintf(buf[4], sizeof(buf[4]), "%.2fx", r);
		else
			snprintf(buf[4], sizeof(buf[4]), "-");
		if (scols_line_set_data(ln, 0, recjob_info((enum recjob_metric)m)->label))
			rc = -ENOMEM;
		for (int c = 0; c < 5 && !rc; c++)
			if (scols_line_set_data(ln, (size_t)c + 1, buf[c]))
				rc = -ENOMEM;
		if (rc)
			goto out;
	}
	for (int k = 0; k < 2; k++) {
		const struct side *s = sides[k];
		char t0[40], t1[40];

		clock_text(s->j.first, t0, sizeof(t0));
		clock_text(s->j.last, t1, sizeof(t1));
		fprintf(out, "%s: %s  [%s%s]  on %s, %s to %s\n", s->label, s->file,
			s->command ? "job: " : "", s->command ? s->command :
			s->targets ? s->targets : "?", s->host ? s->host : "?", t0,
			strchr(t1, ' ') ? strchr(t1, ' ') + 1 : t1);
	}
	scols_table_set_stream(tb, out);
	if (scols_print_table(tb))
		rc = -EIO;
	fputs("  Each side is every task its recording holds (its job or targets). Memory rows\n"
	      "  are sums over the processes at the recording's memory samples: the peak and the\n"
	      "  last; AT: seconds after the side's first sample. kcmp rows: the most groups in\n"
	      "  one memory sample. RSS sum counts a shared page once in each process; PSS\n"
	      "  divides it among them.\n", out);
	nn = not_recorded(a, b, nr);
	fputs("  Not recorded, so not compared:\n", out);
	for (size_t i = 0; i < nn; i++)
		fprintf(out, "  - %s\n", nr[i]);
	if (!rc)
		rc = findings_of(a, b, lines, ARRAY_SIZE(lines), &nf);
	if (nf)
		fputc('\n', out);
	for (size_t i = 0; i < nf; i++)
		fprintf(out, "%s.\n", lines[i]);
out:
	scols_unref_table(tb);
	return rc;
}

static void json_metric(struct json *j, const struct recjob *rj, enum recjob_metric m,
			bool at)
{
	const struct recjob_value *v = &rj->m[m];
	const char *key = recjob_info(m)->key;

	if (at) {
		if (!v->known || !v->has_at)
			json_null(j, key);
		else
			json_double(j, key, v->at, 6);
	} else if (!v->known) {
		json_null(j, key);
	} else if (recjob_info(m)->unit == CU_SECONDS) {
		json_double(j, key, v->v, 6);
	} else {
		json_i64(j, key, (int64_t)v->v);
	}
}

static void json_side(struct json *j, const struct side *s)
{
	json_open_object(j, NULL, false);
	json_string(j, "label", s->label);
	json_string(j, "name", s->name);
	json_string(j, "file", s->file);
	json_string(j, "command", s->command);
	json_string(j, "targets", s->targets);
	json_string(j, "host", s->host);
	json_double(j, "first_sample", s->j.first, 6);
	json_double(j, "last_sample", s->j.last, 6);
	json_bool(j, "kcmp_recorded", !s->schema1);
	json_open_object(j, "metrics", false);
	for (int m = 0; m < RJ_COUNT; m++)
		json_metric(j, &s->j, (enum recjob_metric)m, false);
	json_close_object(j);
	/* the wall clock time of the sample each value is from */
	json_open_object(j, "at", false);
	for (int m = RJ_SPACES; m <= RJ_PTE_LAST; m++)
		json_metric(j, &s->j, (enum recjob_metric)m, true);
	json_close_object(j);
	json_close_object(j);
}

static int print_json(const struct side *a, const struct side *b, FILE *out)
{
	char lines[COMPARE_MAX_FINDINGS][COMPARE_LINE], nr[8][160];
	size_t nf = 0, nn = not_recorded(a, b, nr);
	struct json_stamp st;
	struct json j;
	int rc = findings_of(a, b, lines, ARRAY_SIZE(lines), &nf);

	if (rc)
		return rc;
	json_stamp_init(&st, 0, false, 0);
	json_begin(&j, out);
	json_open_object(&j, NULL, false);
	json_stamp_write(&j, &st);
	json_string(&j, "mode", "recordings");
	json_open_array(&j, "sides", false);
	json_side(&j, a);
	json_side(&j, b);
	json_close_array(&j);
	json_open_object(&j, "b_over_a", false);
	for (int m = 0; m < RJ_COUNT; m++) {
		const struct comparison_info *in = recjob_info((enum recjob_metric)m);
		double r;

		if (!in->ratio)
			continue;
		if (recjob_ratio(&a->j, &b->j, (enum recjob_metric)m, &r))
			json_double(&j, in->key, r, 6);
		else
			json_null(&j, in->key);
	}
	json_close_object(&j);
	json_open_array(&j, "not_recorded", false);
	for (size_t i = 0; i < nn; i++)
		json_string(&j, NULL, nr[i]);
	json_close_array(&j);
	json_open_array(&j, "summary", false);
	for (size_t i = 0; i < nf; i++)
		json_string(&j, NULL, lines[i]);
	json_close_array(&j);
	json_close_object(&j);
	return json_end(&j);
}

/* Both recordings read, then the report. */
static int run(void *opts)
{
	struct opts *o = opts;
	struct side sides[2];
	int rc, status = TS_EXIT_OK;

	memset(sides, 0, sizeof(sides));
	for (int k = 0; k < 2 && !status; k++) {
		snprintf(sides[k].label, sizeof(sides[k].label), "%s", k ? "B" : "A");
		status = load_side(o, o->co.operand[k], &sides[k]);
	}
	if (status)
		goto out;
	rc = o->co.json ? print_json(&sides[0], &sides[1], stdout)
			: print_table(o, &sides[0], &sides[1], stdout);
	if (!rc)
		rc = outfile_error(stdout);
	/* a reader that went away, or a write error that main reports with its cause */
	if (rc && !outfile_error(stdout)) {
		msg_error("cannot write the report: %s", strerror(-rc));
		status = TS_EXIT_FAILURE;
	}
out:
	side_free(&sides[0]);
	side_free(&sides[1]);
	return status;
}

static const struct cmd_spec comparerec_cmd = {
	.name = "compare", .shown = 160,
	.accept = CO_JSON | CO_BYTES | CO_OPERANDS,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.max_operands = 2, .operand_hint = " (more than two recordings: compare A.db B.db)", .check = check_opts,
	.run = run,
};

int comparerec_main(int argc, char **argv)
{
	struct opts o = { 0 };

	return command_main(&comparerec_cmd, &o, argc, argv);
}
