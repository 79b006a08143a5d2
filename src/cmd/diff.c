/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff.c - taskscope diff: two moments of recordings compared, task by task identity */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cli.h"
#include "cmd/diff.h"
#include "cmd/options.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/recording.h"
#include "view/json.h"

#define MAX_TOP 1000

enum metric { M_PSS, M_USS, M_RSS, M_SWAP, M_COUNT };
static const char *const metric_name[M_COUNT + 1] = { "pss", "uss", "rss", "swap", NULL };

struct opts {
	struct common_opts co;	/* -J, -r, --bytes, --output-file */
	const char *arg[2];
	uint64_t top;
	enum metric by;
};

/* One side: the sample of a recording at a time, as process rows and as thread rows. */
struct moment {
	char file[300];		/* sanitized */
	char at[64];		/* the time asked, sanitized ("" for the end) */
	const struct snapshot *procs, *threads;
	struct recording_group *groups;	/* kcmp groups (groups_rc 0), sorted by (tid, start) */
	size_t ngroups;
	int groups_rc;			/* -ENOENT: not recorded (an older schema) */
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope diff [options] FILE@TIME FILE@TIME\n"
	      " taskscope diff [options] A.db B.db\n"
	      "\n"
	      "Compares two moments of recordings (taskscope record): the processes and threads\n"
	      "that appeared and disappeared (by identity: ID and start time), the processes\n"
	      "whose footprint grew most, the changes of CPU share, the threads that moved to\n"
	      "other CPUs or got another affinity, and the sharing of kernel resources (kcmp:\n"
	      "address space, file table, fs, signal handlers) that broke or appeared. A file\n"
	      "without @TIME is its last sample.\n"
	      "TIME as in taskscope replay --from: HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], +SPAN\n"
	      "after the first sample, -SPAN before the last one, @EPOCH.\n"
	      "\n"
	      "Options:\n"
	      " -J, --json                one JSON document\n"
	      " -r, --raw                 raw lines: no headings, one record a line\n"
	      "     --top N               the N largest changes of each list (default 10)\n"
	      "     --by pss|uss|rss|swap the growth that orders the footprint list (default pss)\n"
	      "     --bytes               sizes in bytes\n"
	      "     --output-file FILE    write the report to FILE\n", out);
	cli_help_end(out, "diff", "");
}

static const struct cmd_option options[] = {
	{ "top", 0, CMD_COUNT, CMD_FIELD(struct opts, top), .lo = 1, .hi = MAX_TOP,
	  .words = "a whole number from %.0f to %.0f" },
	{ "by", 0, CMD_CHOICE, CMD_FIELD(struct opts, by), .choices = metric_name,
	  .words = "pss, uss, rss or swap" },
	{ 0 }
};

static int check_opts(void *ctx)
{
	struct opts *o = ctx;

	if (o->co.noperands != 2)
		return common_usage_error(&o->co, "two moments to compare: FILE@TIME FILE@TIME, or two files");
	o->arg[0] = o->co.operand[0];
	o->arg[1] = o->co.operand[1];
	return CO_CONTINUE;
}

/* ---- the moments ---- */

/* FILE@TIME: the rightmost '@' whose left part is a file (names may hold '@'), else the
 * last '@'; FILE when the whole argument is a file or has no '@'. *path malloc'ed. */
static int split_arg(const char *arg, char **path, const char **at)
{
	const char *p = NULL;
	struct stat st;

	*at = NULL;
	if (stat(arg, &st)) {
		for (const char *q = arg + strlen(arg); q > arg; q--) {
			char *left;
			bool file;

			if (q[-1] != '@')
				continue;
			left = strndup(arg, (size_t)(q - 1 - arg));
			if (!left)
				return -ENOMEM;
			file = !stat(left, &st);
			free(left);
			if (!p)
				p = q - 1;	/* the last '@' */
			if (file) {
				p = q - 1;
				break;
			}
		}
	}
	*path = p ? strndup(arg, (size_t)(p - arg)) : strdup(arg);
	if (p)
		*at = p + 1;
	return *path ? 0 : -ENOMEM;
}

/* The last sample at or before the time (the first one when the time is before it). */
static int read_at(const char *path, const char *at, bool processes,
		   const struct snapshot **out, char *why, size_t len)
{
	struct recording *r;
	const struct snapshot *sn, *mem, *keep = NULL;
	double t = 0, first, last;
	unsigned long n;
	int rc = recording_open(&r, path, why, len);

	if (rc)
		return rc;
	if (recording_span(r, &n, &first, &last)) {
		snprintf(why, len, "it is damaged: %s", recording_error(r));
		recording_close(r);
		return -EBADMSG;
	}
	if (!n) {
		snprintf(why, len, "it holds no sample");
		recording_close(r);
		return -ENODATA;
	}
	if (at && recording_parse_time(at, first, last, &t)) {
		snprintf(why, len, "invalid time after '@' (HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], "
			 "+SPAN, -SPAN, @EPOCH)");
		recording_close(r);
		return -EINVAL;
	}
	recording_set_range(r, 0, 0, processes);
	while (!(rc = recording_next(r, &sn, &mem))) {
		if (keep && at && sn->wall > t + 1e-6)
			break;
		snapshot_put(keep);
		keep = snapshot_hold(sn);
	}
	if (rc && rc != -ENODATA) {
		snprintf(why, len, "it cannot be read: %s", recording_error(r));
		snapshot_put(keep);
		keep = NULL;
	}
	recording_close(r);
	if (!keep)
		return rc ? rc : -ENODATA;
	*out = keep;
	return 0;
}

static int load_moment(const char *arg, struct moment *m)
{
	char *path;
	const char *at;
	char why[512];
	long hz;
	double boot;
	int rc = split_arg(arg, &path, &at);

	if (rc) {
		msg_error("%s", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	util_sanitize(path, strlen(path), m->file, sizeof(m->file));
	util_sanitize(at ? at : "", at ? strlen(at) : 0, m->at, sizeof(m->at));
	rc = read_at(path, at, true, &m->procs, why, sizeof(why));
	if (!rc)
		rc = read_at(path, at, false, &m->threads, why, sizeof(why));
	if (!rc) {
		struct recording *r;

		/* START and the clock of the deltas: the recording machine's */
		m->groups_rc = -ENOENT;
		if (!recording_open(&r, path, why, sizeof(why))) {
			recording_clock(r, &hz, &boot);
			sampler_set_clock(hz, boot);
			m->groups_rc = recording_groups(r, m->procs->wall + 1e-6, &m->groups,
							&m->ngroups);
			recording_close(r);
		}
	}
	free(path);
	if (rc) {
		msg_error("cannot read the recording '%s': %s", m->file, why);
		return rc == -EINVAL ? TS_EXIT_USAGE : TS_EXIT_FAILURE;
	}
	return 0;
}

/* ---- comparing ---- */

static const struct task *find(const struct snapshot *sn, const struct task *t)
{
	size_t lo = 0, hi = sn->ntasks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct task *x = &sn->tasks[mid];

		if (x->tgid < t->tgid || (x->tgid == t->tgid && x->tid < t->tid))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sn->ntasks && sn->tasks[lo].tgid == t->tgid && sn->tasks[lo].tid == t->tid &&
	    sn->tasks[lo].start_ticks == t->start_ticks)
		return &sn->tasks[lo];
	return NULL;
}

/* A size of a row, and whether it is known. */
static bool size_of(const struct task *t, enum metric m, uint64_t *v)
{
	switch (m) {
	case M_PSS:
		*v = t->pss;
		return t->smaps_av == TS_OK;
	case M_USS:
		*v = t->uss;
		return t->smaps_av == TS_OK;
	case M_RSS:
		*v = t->rss;
		return t->rss_av == TS_OK;
	default:
		*v = t->swap;
		return t->mem_av == TS_OK;
	}
}

struct change {
	const struct task *a, *b;	/* before, after */
	double key;
};

static int cmp_change(const void *x, const void *y)
{
	const struct change *p = x, *q = y;

	if (p->key != q->key)
		return p->key < q->key ? 1 : -1;	/* largest first */
	return (p->b->tid > q->b->tid) - (p->b->tid < q->b->tid);
}

static int64_t growth(const struct change *c, enum metric m, bool *known)
{
	uint64_t a, b;

	*known = size_of(c->a, m, &a) && size_of(c->b, m, &b);
	return *known ? (int64_t)(b - a) : 0;
}

/* ---- output ---- */

struct report {
	const struct opts *o;
	FILE *out;
	struct json j;
};

static const char *size_text(const struct report *rp, int64_t v, bool sign, char *buf, size_t len)
{
	char h[24];
	uint64_t mag = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

	if (rp->o->co.bytes || rp->o->co.raw)
		snprintf(h, sizeof(h), "%llu", (unsigned long long)mag);
	else
		util_size_human(mag, h, sizeof(h));
	buf[0] = v < 0 ? '-' : '+';
	snprintf(buf + (v < 0 || sign), len - 1, "%s", h);
	return buf;
}

static void when_text(const struct snapshot *sn, char *buf, size_t len)
{
	time_t t = (time_t)sn->wall;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "?");
}

static void heading(struct report *rp, const char *title, size_t n)
{
	if (rp->o->co.raw)
		return;
	fprintf(rp->out, "\n%s (%zu):\n", title, n);
}

/* A list of n: its JSON array, or its heading; true when aligned rows follow (the caller
 * prints their header). */
static bool list_open(struct report *rp, const char *key, const char *title, size_t n)
{
	if (rp->o->co.json) {
		json_open_array(&rp->j, key, false);
		return false;
	}
	heading(rp, title, n);
	return n && !rp->o->co.raw;
}

/* A process's JSON object in a list, opened: its identity and name. */
static void json_process(struct report *rp, const struct task *t)
{
	json_open_object(&rp->j, NULL, true);
	json_i64(&rp->j, "pid", t->tgid);
	json_u64(&rp->j, "start_ticks", t->start_ticks);
	json_string(&rp->j, "comm", t->comm);
}

/* The n changes largest first: how many of them the lists show (--top). */
static size_t largest(const struct report *rp, struct change *c, size_t n)
{
	qsort(c, n, sizeof(*c), cmp_change);
	return n > rp->o->top ? rp->o->top : n;
}

/* Tasks of a that are not in b: processes (threads false) or threads. */
static void gone_list(struct report *rp, const char *key, const char *title,
		      const struct snapshot *a, const struct snapshot *b, bool threads)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < a->ntasks; i++)
		n += !find(b, &a->tasks[i]) && (!threads || a->tasks[i].tid != a->tasks[i].tgid);
	if (list_open(rp, key, title, n)) {
		if (threads)
			fprintf(rp->out, "  %7s %7s  %s\n", "TID", "PID", "COMM");
		else
			fprintf(rp->out, "  %7s  %s\n", "PID", "COMM");
	}
	for (size_t i = 0; i < a->ntasks; i++) {
		const struct task *t = &a->tasks[i];

		if (find(b, t) || (threads && t->tid == t->tgid))
			continue;
		if (rp->o->co.json) {
			json_open_object(&rp->j, NULL, true);
			json_i64(&rp->j, threads ? "tid" : "pid", threads ? t->tid : t->tgid);
			if (threads)
				json_i64(&rp->j, "pid", t->tgid);
			json_u64(&rp->j, "start_ticks", t->start_ticks);
			json_string(&rp->j, "comm", t->comm);
			if (!threads)
				json_string(&rp->j, "cmd", t->cmd);
			json_close_object(&rp->j);
		} else if (rp->o->co.raw) {
			fprintf(rp->out, "%s %d %d %s\n", key, threads ? t->tid : t->tgid, t->tgid,
				t->comm ? t->comm : "-");
		} else if (shown++ < rp->o->top * 5 && threads) {
			fprintf(rp->out, "  %7d %7d  %s\n", t->tid, t->tgid, t->comm ? t->comm : "-");
		} else if (shown <= rp->o->top * 5) {
			fprintf(rp->out, "  %7d  %s\n", t->tgid, t->comm ? t->comm : "-");
		}
	}
	if (rp->o->co.json)
		json_close_array(&rp->j);
	else if (shown > rp->o->top * 5 && !rp->o->co.raw)
		fprintf(rp->out, "  ... and %zu more\n", shown - rp->o->top * 5);
}

/* Processes in both whose footprint grew most (by --by). */
static int growers(struct report *rp, const struct snapshot *a, const struct snapshot *b)
{
	struct change *c = calloc(b->ntasks ? b->ntasks : 1, sizeof(*c));
	size_t n = 0;
	char t1[32], t2[32], t3[32], title[64];

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < b->ntasks; i++) {
		const struct task *before = find(a, &b->tasks[i]);
		bool known;

		if (!before)
			continue;
		c[n] = (struct change){ .a = before, .b = &b->tasks[i] };
		c[n].key = (double)growth(&c[n], rp->o->by, &known);
		if (known)
			n++;
	}
	n = largest(rp, c, n);
	snprintf(title, sizeof(title), "Footprint growth, by %s", metric_name[rp->o->by]);
	if (list_open(rp, "growers", title, n))
		fprintf(rp->out, "  %7s  %-16s %10s %10s %10s %10s  %s\n", "PID", "COMM",
			"PSS", "USS", "RSS", "SWAP", "(after, growth)");
	for (size_t i = 0; i < n; i++) {
		const struct task *t = c[i].b;

		if (rp->o->co.json) {
			json_process(rp, t);
			for (enum metric m = 0; m < M_COUNT; m++) {
				char key[32];
				uint64_t v;
				bool known;
				int64_t g = growth(&c[i], m, &known);

				snprintf(key, sizeof(key), "%s_before", metric_name[m]);
				if (size_of(c[i].a, m, &v))
					json_u64(&rp->j, key, v);
				else
					json_null(&rp->j, key);
				snprintf(key, sizeof(key), "%s_after", metric_name[m]);
				if (size_of(t, m, &v))
					json_u64(&rp->j, key, v);
				else
					json_null(&rp->j, key);
				snprintf(key, sizeof(key), "%s_growth", metric_name[m]);
				if (known)
					json_i64(&rp->j, key, g);
				else
					json_null(&rp->j, key);
			}
			json_close_object(&rp->j);
			continue;
		}
		if (rp->o->co.raw)
			fprintf(rp->out, "grower %d %s", t->tgid, t->comm ? t->comm : "-");
		else
			fprintf(rp->out, "  %7d  %-16s", t->tgid, t->comm ? t->comm : "-");
		for (enum metric m = 0; m < M_COUNT; m++) {
			uint64_t v;
			bool known;
			int64_t g = growth(&c[i], m, &known);

			if (rp->o->co.raw)
				fprintf(rp->out, " %s", known ? size_text(rp, g, false, t1, sizeof(t1)) : "-");
			else if (size_of(t, m, &v))
				fprintf(rp->out, " %10s", size_text(rp, (int64_t)v, false, t2, sizeof(t2)));
			else
				fprintf(rp->out, " %10s", "-");
		}
		if (!rp->o->co.raw) {
			bool known;
			int64_t g = growth(&c[i], rp->o->by, &known);

			fprintf(rp->out, "  %s %s", metric_name[rp->o->by],
				size_text(rp, g, true, t3, sizeof(t3)));
		}
		fputc('\n', rp->out);
	}
	if (rp->o->co.json)
		json_close_array(&rp->j);
	free(c);
	return 0;
}

/* Processes in both whose CPU share (over the interval before each sample) changed most. */
static int cpu_changes(struct report *rp, const struct snapshot *a, const struct snapshot *b)
{
	struct change *c = calloc(b->ntasks ? b->ntasks : 1, sizeof(*c));
	size_t n = 0;

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < b->ntasks; i++) {
		const struct task *before = find(a, &b->tasks[i]);
		double d;

		if (!before || !before->have_pcpu || !b->tasks[i].have_pcpu)
			continue;
		d = b->tasks[i].pcpu - before->pcpu;
		if (d > -0.05 && d < 0.05)
			continue;
		c[n] = (struct change){ .a = before, .b = &b->tasks[i], .key = d < 0 ? -d : d };
		n++;
	}
	n = largest(rp, c, n);
	if (list_open(rp, "cpu_share", "CPU share changes (% of one CPU)", n))
		fprintf(rp->out, "  %7s  %-16s %7s %7s %8s\n", "PID", "COMM", "BEFORE", "AFTER",
			"CHANGE");
	for (size_t i = 0; i < n; i++) {
		const struct task *t = c[i].b;

		if (rp->o->co.json) {
			json_process(rp, t);
			json_double(&rp->j, "pcpu_before", c[i].a->pcpu, 1);
			json_double(&rp->j, "pcpu_after", t->pcpu, 1);
			json_close_object(&rp->j);
		} else if (rp->o->co.raw) {
			fprintf(rp->out, "cpu %d %s %.1f %.1f\n", t->tgid, t->comm ? t->comm : "-",
				c[i].a->pcpu, t->pcpu);
		} else {
			fprintf(rp->out, "  %7d  %-16s %7.1f %7.1f %+8.1f\n", t->tgid,
				t->comm ? t->comm : "-", c[i].a->pcpu, t->pcpu, t->pcpu - c[i].a->pcpu);
		}
	}
	if (rp->o->co.json)
		json_close_array(&rp->j);
	free(c);
	return 0;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Another CPU, or another affinity (when both are known). */
static bool moved(const struct task *x, const struct task *y, bool *aff)
{
	*aff = x->aff_av == TS_OK && y->aff_av == TS_OK && !same_text(x->affinity, y->affinity);
	return *aff || (x->cpu != y->cpu && x->cpu >= 0 && y->cpu >= 0);
}

/* Threads in both on another CPU or with another affinity. */
static void placement(struct report *rp, const struct snapshot *a, const struct snapshot *b)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < b->ntasks; i++) {
		const struct task *x = find(a, &b->tasks[i]), *y = &b->tasks[i];
		bool aff;

		n += x && moved(x, y, &aff);
	}
	if (list_open(rp, "placement", "Threads on another CPU or with another affinity", n))
		fprintf(rp->out, "  %7s %7s  %-16s %5s %5s  %s\n", "TID", "PID", "COMM", "CPU",
			"NOW", "AFFINITY (before -> now)");
	for (size_t i = 0; i < b->ntasks; i++) {
		const struct task *x = find(a, &b->tasks[i]), *y = &b->tasks[i];
		bool aff;

		if (!x || !moved(x, y, &aff))
			continue;
		if (rp->o->co.json) {
			json_open_object(&rp->j, NULL, true);
			json_i64(&rp->j, "tid", y->tid);
			json_i64(&rp->j, "pid", y->tgid);
			json_string(&rp->j, "comm", y->comm);
			json_i64(&rp->j, "cpu_before", x->cpu);
			json_i64(&rp->j, "cpu_after", y->cpu);
			json_string(&rp->j, "affinity_before", x->affinity);
			json_string(&rp->j, "affinity_after", y->affinity);
			json_close_object(&rp->j);
		} else if (rp->o->co.raw) {
			fprintf(rp->out, "placement %d %d %s %d %d %s %s\n", y->tid, y->tgid,
				y->comm ? y->comm : "-", x->cpu, y->cpu,
				x->affinity ? x->affinity : "-", y->affinity ? y->affinity : "-");
		} else if (shown++ < rp->o->top * 5) {
			fprintf(rp->out, "  %7d %7d  %-16s %5d %5d  %s%s%s\n", y->tid, y->tgid,
				y->comm ? y->comm : "-", x->cpu, y->cpu,
				aff ? (x->affinity ? x->affinity : "-") : "",
				aff ? " -> " : "", aff ? (y->affinity ? y->affinity : "-") : "same");
		}
	}
	if (rp->o->co.json)
		json_close_array(&rp->j);
}

/* Sharing of kernel resources (kcmp groups) that broke or appeared. */
static const char *comm_of(const struct snapshot *sn, pid_t tid)
{
	for (size_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].tid == tid)
			return sn->tasks[i].comm ? sn->tasks[i].comm : "-";
	return "-";
}

static int sharing(struct report *rp, const struct moment *a, const struct moment *b)
{
	struct recording_share_change *c = NULL;
	size_t n = 0;
	int rc = a->groups_rc ? a->groups_rc : b->groups_rc;

	if (!rc)
		rc = recording_sharing_diff(a->groups, a->ngroups, b->groups, b->ngroups, &c, &n);
	if (rc && rc != -ENOENT)
		return rc;
	if (rc && !rp->o->co.json) {
		if (!rp->o->co.raw)
			fprintf(rp->out, "\nSharing (kcmp groups): not recorded (a recording of "
				"schema 1)\n");
		return 0;
	}
	if (list_open(rp, "sharing", "Sharing that broke or appeared (kcmp, at the memory samples)",
		      n))
		fprintf(rp->out, "  %-8s %-9s %7s %7s  %-16s %s\n", "RESOURCE", "CHANGE", "TID",
			"PID", "COMM", "SHARED WITH (TID PID COMM)");
	for (size_t i = 0; i < n; i++) {
		const struct recording_share_change *x = &c[i];
		const struct snapshot *s = x->appeared ? b->threads : a->threads;
		const char *what = x->appeared ? "appeared" : "broke";

		if (rp->o->co.json) {
			json_open_object(&rp->j, NULL, true);
			json_string(&rp->j, "resource", recording_res_name(x->res));
			json_string(&rp->j, "change", what);
			json_i64(&rp->j, "tid", x->tid);
			json_i64(&rp->j, "pid", x->tgid);
			json_string(&rp->j, "comm", comm_of(s, x->tid));
			json_u64(&rp->j, "more", x->more);
			json_i64(&rp->j, "with_tid", x->with_tid);
			json_i64(&rp->j, "with_pid", x->with_tgid);
			json_string(&rp->j, "with_comm", comm_of(s, x->with_tid));
			json_u64(&rp->j, "with_more", x->with_more);
			json_close_object(&rp->j);
		} else if (rp->o->co.raw) {
			fprintf(rp->out, "sharing %s %s %d %d %s %zu %d %d %zu\n",
				recording_res_name(x->res), what, x->tid, x->tgid,
				comm_of(s, x->tid), x->more, x->with_tid, x->with_tgid,
				x->with_more);
		} else if (i < rp->o->top * 5) {
			char more[64] = "";

			if (x->more || x->with_more)
				snprintf(more, sizeof(more), " (+%zu with %d, +%zu with %d)",
					 x->more, x->tid, x->with_more, x->with_tid);
			fprintf(rp->out, "  %-8s %-9s %7d %7d  %-16s %d %d %s%s\n",
				recording_res_name(x->res), what, x->tid, x->tgid,
				comm_of(s, x->tid), x->with_tid, x->with_tgid,
				comm_of(s, x->with_tid), more);
		}
	}
	if (rp->o->co.json) {
		json_close_array(&rp->j);
		if (rc)
			json_bool(&rp->j, "sharing_recorded", false);
	}
	free(c);
	return 0;
}

static void moment_json(struct report *rp, const char *key, const struct moment *m)
{
	struct json_stamp st;

	json_stamp_init(&st, m->procs->wall, false, 0);
	json_open_object(&rp->j, key, true);
	json_string(&rp->j, "file", m->file);
	json_string(&rp->j, "time", st.time);
	json_double(&rp->j, "unix_time", st.unix_time, 6);
	json_u64(&rp->j, "processes", m->procs->ntasks);
	json_u64(&rp->j, "threads", m->threads->ntasks);
	json_close_object(&rp->j);
}

static int report(const struct opts *o, FILE *out, const struct moment *a,
		  const struct moment *b)
{
	struct report rp = { .o = o, .out = out };
	char w1[64], w2[64];
	int rc;

	if (o->co.json) {
		json_begin(&rp.j, out);
		json_open_object(&rp.j, NULL, false);
		json_string(&rp.j, "taskscope_version", PACKAGE_VERSION);
		moment_json(&rp, "before", a);
		moment_json(&rp, "after", b);
	} else if (!o->co.raw) {
		when_text(a->procs, w1, sizeof(w1));
		when_text(b->procs, w2, sizeof(w2));
		fprintf(out, "taskscope diff: %s %s (%zu processes, %zu threads)\n"
			"            -> %s %s (%zu processes, %zu threads)\n", a->file, w1,
			a->procs->ntasks, a->threads->ntasks, b->file, w2, b->procs->ntasks,
			b->threads->ntasks);
	}
	gone_list(&rp, "processes_appeared", "Processes that appeared", b->procs, a->procs, false);
	gone_list(&rp, "processes_gone", "Processes that are gone", a->procs, b->procs, false);
	gone_list(&rp, "threads_appeared", "Threads that appeared (besides main threads)",
		  b->threads, a->threads, true);
	gone_list(&rp, "threads_gone", "Threads that are gone (besides main threads)",
		  a->threads, b->threads, true);
	rc = growers(&rp, a->procs, b->procs);
	if (!rc)
		rc = cpu_changes(&rp, a->procs, b->procs);
	if (!rc)
		placement(&rp, a->threads, b->threads);
	if (!rc)
		rc = sharing(&rp, a, b);
	if (o->co.json) {
		json_close_object(&rp.j);
		if (!rc)
			rc = json_end(&rp.j);
	}
	if (rc)
		msg_error("cannot print the report: %s", strerror(-rc));
	return rc ? TS_EXIT_FAILURE : 0;
}

static int run(void *ctx)
{
	const struct opts *o = ctx;
	struct moment m[2];
	FILE *out = stdout;
	char why[160], shown[256];
	int status;

	memset(m, 0, sizeof(m));
	status = load_moment(o->arg[0], &m[0]);
	if (!status)
		status = load_moment(o->arg[1], &m[1]);
	if (!status && o->co.output_file &&
	    outfile_open(o->co.output_file, OUTFILE_MODE_REPORT, &out, why, sizeof(why))) {
		util_sanitize(o->co.output_file, strlen(o->co.output_file), shown, sizeof(shown));
		msg_error("cannot write to '%s': %s", shown, why);
		status = TS_EXIT_FAILURE;
		out = stdout;
	}
	if (!status)
		status = report(o, out, &m[0], &m[1]);
	if (out != stdout)
		status = outfile_close(out, o->co.output_file, status);
	for (int i = 0; i < 2; i++) {
		snapshot_put(m[i].procs);
		snapshot_put(m[i].threads);
		free(m[i].groups);
	}
	return status;
}

static const struct cmd_spec diff_cmd = {
	.name = "diff", .accept = CO_FORMAT | CO_BYTES | CO_OUTPUT_FILE | CO_VERSION | CO_OPERANDS,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.max_operands = 2, .operand_hint = " (two moments to compare)",
	.check = check_opts, .run = run,
};

int diff_main(int argc, char **argv)
{
	struct opts o = { .top = 10 };

	return command_main(&diff_cmd, &o, argc, argv);
}
