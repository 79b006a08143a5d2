/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharerec.c - taskscope share FILE[@TIME]: who shared what in a recording (its kcmp groups)
 *
 * A recording keeps no page frames, so the page-level half of share is not there; what it
 * keeps (schema 2 on) is each task's kcmp group per resource at the memory samples. This
 * lists, at one sample, the groups of two or more tasks: the tasks that shared an address
 * space, a file table, an fs struct or signal handlers, with their processes' names.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cli.h"
#include "cmd/recfile.h"
#include "cmd/options.h"
#include "cmd/sharerec.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/recording.h"
#include "view/json.h"

#define MAX_SHOWN_TIDS 16	/* a process's TIDs listed in a group, then "..." */

struct opts {
	struct common_opts co;	/* -J; the operand FILE[@TIME] */
	char *file;		/* the operand's file part (malloc'ed) */
	const char *at;		/* its TIME, or NULL: the last sample */
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope share [options] FILE[@TIME]\n"
	      "\n"
	      "A recording (taskscope record) holds no page frames; it holds each task's kcmp\n"
	      "groups. This lists the tasks that shared an address space, a file table, an fs\n"
	      "struct or signal handlers at the last sample at or before TIME (default: the\n"
	      "last sample). TIME as in taskscope replay --from.\n"
	      "\n"
	      "Options:\n"
	      " -J, --json                one JSON document\n", out);
	cli_help_end(out, "share",
		     "Exit status: 0 ok, 1 the recording cannot be read or holds no groups (schema\n"
		     "1), 2 usage error. ");
}

/* The recording named by arg, FILE or FILE@TIME: its file part (malloc'ed) and TIME. */
static char *split_operand(const char *arg, const char **at)
{
	*at = NULL;
	if (recfile_is_recording(arg))
		return strdup(arg);
	for (const char *p = strchr(arg, '@'); p; p = strchr(p + 1, '@')) {
		char *file = strndup(arg, (size_t)(p - arg));

		if (file && recfile_is_recording(file)) {
			*at = p + 1;
			return file;
		}
		free(file);
	}
	return NULL;
}

bool sharerec_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *at;
		char *file;

		if (!strcmp(argv[i], "--"))
			break;
		if (argv[i][0] == '-')
			continue;
		file = split_operand(argv[i], &at);
		free(file);
		if (file)
			return true;
	}
	return false;
}

/* share's options for live tasks. */
static const struct cmd_option options[] = {
	CMD_REFUSED("pid", 'p'),
	CMD_REFUSED("user", 'u'),
	CMD_REFUSED("command", 'C'),
	CMD_REFUSED("cgroup", 0),
	CMD_REFUSED("after", 0),
	CMD_REFUSED("top", 0),
	CMD_REFUSED("run-as", 0),
	CMD_REFUSED("output-file", 0),
	CMD_REFUSED_FLAG("bytes"),
	{ 0 }
};

/* The one operand: FILE[@TIME], FILE a recording. */
static int check_opts(void *opts)
{
	struct opts *o = opts;
	char sbuf[160];

	if (!o->co.noperands)
		return common_usage_error(&o->co, "no recording given (share FILE[@TIME])");
	o->file = split_operand(o->co.operand[0], &o->at);
	if (!o->file)
		return common_usage_error(&o->co, "'%s' is not a recording (taskscope record)",
					  cli_shown(o->co.operand[0], sbuf, sizeof(sbuf)));
	return CO_CONTINUE;
}

/* ---- the groups ------------------------------------------------------------------------ */

struct member {
	const struct recording_group *g;
	const char *comm;	/* its process's name at the sample, or "?" */
};

struct report {
	char file[300];		/* sanitized */
	double when;		/* the sample's time */
	unsigned long sample, nsamples;
	const struct snapshot *sn;	/* the sample's thread rows (names) */
	struct recording_group *g;	/* sorted by (tid, start) */
	size_t ng;
	struct member *m;	/* one resource's tasks, sorted by group, then (pid, tid) */
};

static const char *comm_of(const struct snapshot *sn, pid_t tgid)
{
	for (size_t i = 0; sn && i < sn->ntasks; i++)
		if (sn->tasks[i].tid == tgid && sn->tasks[i].comm)
			return sn->tasks[i].comm;
	return "?";
}

static int res_cmp;	/* the resource cmp_member sorts by */

static int cmp_member(const void *a, const void *b)
{
	const struct recording_group *x = ((const struct member *)a)->g;
	const struct recording_group *y = ((const struct member *)b)->g;

	if (x->grp[res_cmp] != y->grp[res_cmp])
		return (x->grp[res_cmp] > y->grp[res_cmp]) - (x->grp[res_cmp] < y->grp[res_cmp]);
	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* r->m sorted by res's groups (tasks of an unknown group left out); their count. */
static size_t sort_by(struct report *r, int res)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ng; i++)
		if (r->g[i].grp[res])
			r->m[n++] = (struct member){ &r->g[i], comm_of(r->sn, r->g[i].tgid) };
	res_cmp = res;
	qsort(r->m, n, sizeof(*r->m), cmp_member);
	return n;
}

/* The end of the group that starts at i, and its number of processes. */
static size_t group_end(const struct report *r, int res, size_t i, size_t n, size_t *procs)
{
	size_t e = i;

	*procs = 0;
	for (; e < n && r->m[e].g->grp[res] == r->m[i].g->grp[res]; e++)
		*procs += e == i || r->m[e].g->tgid != r->m[e - 1].g->tgid;
	return e;
}

static void clock_text(double when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "@%.0f", when);
}

static void print_text(struct report *r, FILE *out)
{
	char when[40];
	size_t shown = 0;

	clock_text(r->when, when, sizeof(when));
	fprintf(out, "recording '%s' at %s (sample %lu of %lu)\n", r->file, when, r->sample,
		r->nsamples);
	fputs("page frames (which pages each process maps): not recorded; the kcmp groups\n"
	      "below are as measured at the last memory sample at or before it\n", out);
	fprintf(out, "%-8s %5s %5s  %s\n", "RESOURCE", "TASKS", "PROCS", "MEMBERS (PID name: TIDs)");
	for (int res = 0; res < 4; res++) {
		size_t n = sort_by(r, res), procs;

		for (size_t i = 0, e; i < n; i = e) {
			size_t tids = 0;

			e = group_end(r, res, i, n, &procs);
			if (e - i < 2)
				continue;
			shown++;
			fprintf(out, "%-8s %5zu %5zu  ", recording_res_name(res), e - i, procs);
			for (size_t k = i; k < e; k++) {
				const struct recording_group *g = r->m[k].g;
				bool first = k == i || g->tgid != r->m[k - 1].g->tgid;

				if (first) {
					fprintf(out, "%sPID %d %s:", k == i ? "" : "; ", (int)g->tgid,
						r->m[k].comm);
					tids = 0;
				}
				if (tids++ < MAX_SHOWN_TIDS)
					fprintf(out, "%s%d", first ? " " : ",", (int)g->tid);
				else if (tids == MAX_SHOWN_TIDS + 1)
					fputs(",...", out);
			}
			fputc('\n', out);
		}
	}
	if (!shown)
		fputs("(no two tasks shared one of these resources)\n", out);
	fprintf(out, "%zu task%s at that sample; a task not listed shared none of these with "
		"another task\n", r->ng, r->ng == 1 ? "" : "s");
}

static void print_json(struct report *r, FILE *out)
{
	struct json_stamp st;
	struct json j;

	json_stamp_init(&st, r->when, false, 0);
	json_begin(&j, out);
	json_open_object(&j, NULL, false);
	json_stamp_write(&j, &st);
	json_string(&j, "recording", r->file);
	json_double(&j, "sample_time", r->when, 6);
	json_u64(&j, "sample", r->sample);
	json_u64(&j, "samples", r->nsamples);
	json_bool(&j, "page_frames_recorded", false);
	json_u64(&j, "tasks", r->ng);
	json_open_array(&j, "groups", false);
	for (int res = 0; res < 4; res++) {
		size_t n = sort_by(r, res), procs;

		for (size_t i = 0, e; i < n; i = e) {
			e = group_end(r, res, i, n, &procs);
			if (e - i < 2)
				continue;
			json_open_object(&j, NULL, false);
			json_string(&j, "resource", recording_res_name(res));
			json_u64(&j, "processes", procs);
			json_open_array(&j, "tasks", false);
			for (size_t k = i; k < e; k++) {
				json_open_object(&j, NULL, true);
				json_i64(&j, "pid", r->m[k].g->tgid);
				json_i64(&j, "tid", r->m[k].g->tid);
				json_string(&j, "comm", r->m[k].comm);
				json_close_object(&j);
			}
			json_close_array(&j);
			json_close_object(&j);
		}
	}
	json_close_array(&j);
	json_close_object(&j);
	json_end(&j);
}

/* The sample at or before when: its time, index and thread rows (held). */
static int read_to(struct recording *rec, double when, struct report *r)
{
	const struct snapshot *sn, *mem;
	int rc;

	recording_set_range(rec, 0, when, false);
	while ((rc = recording_next(rec, &sn, &mem)) == 0) {
		snapshot_put(r->sn);
		r->sn = snapshot_hold(sn);
		r->when = sn->wall;
		r->sample++;
	}
	return rc == -ENODATA ? (r->sn ? 0 : -ENOENT) : rc;
}

static int run(void *opts)
{
	struct opts *o = opts;
	struct recording *rec = NULL;
	struct report r = { .sn = NULL };
	double first, last, when;
	char why[512];
	int rc, status = TS_EXIT_FAILURE;

	util_sanitize(o->file, strlen(o->file), r.file, sizeof(r.file));
	if (recording_open(&rec, o->file, why, sizeof(why))) {
		msg_error("cannot read the recording '%s': %s", r.file, why);
		return TS_EXIT_FAILURE;
	}
	if (recording_span(rec, &r.nsamples, &first, &last)) {
		msg_error("cannot read the recording '%s': it is damaged: %s", r.file,
			  recording_error(rec));
		goto out;
	}
	when = last;
	if (o->at && recording_parse_time(o->at, first, last, &when)) {
		status = common_usage_error(&o->co, "invalid time '%s' (FILE@TIME)",
					    cli_shown(o->at, why, 160));
		goto out;
	}
	rc = read_to(rec, when, &r);
	if (!rc)
		rc = recording_groups(rec, r.when, &r.g, &r.ng);
	if (!rc && !(r.m = calloc(r.ng + 1, sizeof(*r.m))))
		rc = -ENOMEM;
	if (rc == -ENOENT && !r.sn)
		msg_error("the recording '%s' has no sample at or before that time", r.file);
	else if (rc == -ENOENT)
		msg_error("the recording '%s' is of schema 1: it holds no kcmp groups, and no "
			  "recording holds page frames: nothing to show", r.file);
	else if (rc == -EBADMSG || (rc && *recording_error(rec)))
		msg_error("cannot read the recording '%s': it is damaged: %s", r.file,
			  recording_error(rec));
	else if (rc)
		msg_error("cannot read the recording '%s': %s", r.file, strerror(-rc));
	if (rc)
		goto out;
	if (o->co.json)
		print_json(&r, stdout);
	else
		print_text(&r, stdout);
	status = TS_EXIT_OK;	/* a write error: main says it, with its cause */
out:
	snapshot_put(r.sn);
	free(r.g);
	free(r.m);
	recording_close(rec);
	return status;
}

static void free_opts(void *opts)
{
	free(((struct opts *)opts)->file);
}

static const struct cmd_spec sharerec_cmd = {
	.name = "share", .shown = 160, .accept = CO_JSON | CO_OPERANDS,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.refused = "-p, -u, -C, --cgroup, --after, --top, --bytes, --output-file, --run-as and a "
		   "command are for live tasks: a recording shows every recorded task's groups",
	.max_operands = 1,
	.operand_hint = " (one recording only, and no command with it: share FILE[@TIME])",
	.check = check_opts, .run = run, .done = free_opts,
};

int sharerec_main(int argc, char **argv)
{
	struct opts o = { 0 };

	return command_main(&sharerec_cmd, &o, argc, argv);
}
