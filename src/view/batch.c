/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.c - batch tables, raw and JSON output of task snapshots (scolsout, libsmartcols) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsmartcols.h>

#include "lib/outfile.h"
#include "lib/spare.h"
#include "lib/util.h"
#include "model/tasklist.h"
#include "view/batch.h"
#include "view/json.h"
#include "view/scolsout.h"

/* One printed row: the task and its depth in the tree. */
struct brow {
	const struct task *t;
	unsigned depth;
};

static bool always_expanded(void *ctx, pid_t tgid)
{
	(void)ctx;
	(void)tgid;
	return true;
}

static int cmp_task_tid(const void *a, const void *b)
{
	const struct task *x = *(const struct task *const *)a, *y = *(const struct task *const *)b;

	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * The rows in print order: the snapshot's (by PID) unless --sort or --tree ask otherwise,
 * which the full-screen view's list model (tasklist) builds. With -H and --tree its process
 * rows are the main threads, and the other threads hang under them. *rows is malloc'ed.
 */
static int order_rows(const struct batch_opts *o, const struct col_ctx *ctx,
		      const struct snapshot *sn, struct brow **rows, size_t *nrows)
{
	struct tasklist_opts lo = { .keys = o->keys, .nkeys = o->nkeys, .cctx = ctx };
	struct snapshot leaders = { 0 };
	struct tasklist_row *tr = NULL;
	size_t *lidx = NULL;	/* -H --tree: index in sn of each copied main thread */
	struct brow *v;
	size_t n = 0;
	int rc;

	*rows = NULL;
	*nrows = 0;
	v = spare_get((sn->ntasks ? sn->ntasks : 1) * sizeof(*v), NULL);
	if (!v)
		return -ENOMEM;
	if (!o->tree && !o->nkeys) {
		for (size_t i = 0; i < sn->ntasks; i++)
			v[i] = (struct brow){ .t = &sn->tasks[i] };
		*rows = v;
		*nrows = sn->ntasks;
		return 0;
	}
	if (o->tree && o->threads) {
		/* the processes of the tree are the main threads (a copy of their rows) */
		struct task *l = malloc((sn->ntasks ? sn->ntasks : 1) * sizeof(*l));

		lidx = malloc((sn->ntasks ? sn->ntasks : 1) * sizeof(*lidx));
		if (!l || !lidx) {
			free(l);
			free(lidx);
			free(v);
			return -ENOMEM;
		}
		for (size_t i = 0; i < sn->ntasks; i++) {
			if (sn->tasks[i].tid != sn->tasks[i].tgid)
				continue;
			lidx[leaders.ntasks] = i;
			l[leaders.ntasks++] = sn->tasks[i];
		}
		leaders.tasks = l;
		lo.mode = LIST_TREE;
		lo.expanded = always_expanded;
		rc = tasklist_build(&lo, &leaders, sn, sn, &tr, &n);
	} else {
		lo.mode = o->tree ? LIST_TREE : o->threads ? LIST_THREADS : LIST_NESTED;
		rc = tasklist_build(&lo, sn, o->threads ? sn : NULL, sn, &tr, &n);
	}
	if (rc) {
		free(leaders.tasks);
		free(lidx);
		spare_put(v);
		return rc;
	}
	for (size_t i = 0; i < n && i < sn->ntasks; i++) {
		const struct task *t = tr[i].t;

		/* rows point into the snapshot, never into the copy of the main threads */
		if (lidx && t >= leaders.tasks && t < leaders.tasks + leaders.ntasks)
			t = &sn->tasks[lidx[t - leaders.tasks]];
		v[i] = (struct brow){ .t = t, .depth = tr[i].depth };
	}
	if (n > sn->ntasks)
		n = sn->ntasks;
	spare_put(tr);
	/* a thread whose main thread was not listed (it ended between the reads) would be
	 * left out of the tree: it goes at the end, at the top level */
	if (o->tree && o->threads && n < sn->ntasks) {
		const struct task **have = malloc((n ? n : 1) * sizeof(*have));

		if (!have) {
			free(leaders.tasks);
			free(lidx);
			spare_put(v);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++)
			have[i] = v[i].t;
		qsort(have, n, sizeof(*have), cmp_task_tid);
		for (size_t i = 0, m = n; i < sn->ntasks && n < sn->ntasks; i++) {
			const struct task *t = &sn->tasks[i];

			if (!bsearch(&t, have, m, sizeof(*have), cmp_task_tid))
				v[n++] = (struct brow){ .t = t };
		}
		free(have);
	}
	free(leaders.tasks);
	free(lidx);
	*rows = v;
	*nrows = n;
	return 0;
}

static int json_type(enum col_kind k)
{
	switch (k) {
	case CK_INT:
	case CK_COUNT:
	case CK_SIZE:
	case CK_PCT:
	case CK_CPUTIME:
	case CK_NSEC:
		return SCOLS_JSON_NUMBER;
	case CK_NODES:
		return SCOLS_JSON_NUMBER;	/* libsmartcols writes a number's text as it is:
						 * here an array that columns_format made */
	default:
		return SCOLS_JSON_STRING;
	}
}

static void print_header(const struct batch_opts *o, const struct snapshot *sn,
			 unsigned long seq)
{
	char when[32];
	time_t t = (time_t)sn->wall;
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	else
		snprintf(when, sizeof(when), "?");
	if (seq > 1)
		fputc('\n', o->out);
	fprintf(o->out, "taskscope %s  %s: %zu process%s", when,
		o->what ? o->what : "all tasks", sn->nprocs, sn->nprocs == 1 ? "" : "es");
	if (sn->nthreads_known)
		fprintf(o->out, ", %zu thread%s", sn->nthreads, sn->nthreads == 1 ? "" : "s");
	if (sn->ndenied)
		fprintf(o->out, " (%zu more process%s denied: hidepid=noaccess)", sn->ndenied,
			sn->ndenied == 1 ? "" : "es");
	if (sn->cpu_busy >= 0)
		fprintf(o->out, "  CPU busy %.1f%%", sn->cpu_busy);
	if (sn->interval > 0)
		fprintf(o->out, "  interval %.2fs", sn->interval);
	if (sn->kept_fallback)
		fprintf(o->out, "  %zu task%s read without a kept-open file (RLIMIT_NOFILE)",
			sn->kept_fallback, sn->kept_fallback == 1 ? "" : "s");
	fputc('\n', o->out);
}

/* The JSON word for why a value is null. */
static const char *avail_word(enum ts_avail av)
{
	switch (av) {
	case TS_GONE:
		return "gone";
	case TS_DENIED:
		return "denied";
	case TS_UNSUPPORTED:
		return "unsupported";
	case TS_EMPTY:
		return "empty";
	default:
		return "n/a";
	}
}

/* Append "key:why" to a row's list of null values (comma-separated). */
static void why_add(char *buf, size_t len, const struct column *col, enum ts_avail av)
{
	size_t off = strlen(buf);
	char key[32];

	snprintf(buf + off, len - off, "%s%s:%s", off ? "," : "",
		 columns_json_key(col, key, sizeof(key)), avail_word(av));
}

/* The column that carries the tree and the totals label: COMM, else CMD, else the first
 * text column, else the first. */
static size_t label_column(const struct batch_opts *o)
{
	size_t text = o->ncols;

	for (size_t i = 0; i < o->ncols; i++) {
		if (!strcmp(o->cols[i]->name, "COMM"))
			return i;
		if (o->cols[i]->kind == CK_STR && text == o->ncols)
			text = i;
	}
	for (size_t i = 0; i < o->ncols; i++)
		if (!strcmp(o->cols[i]->name, "CMD"))
			return i;
	return text < o->ncols ? text : 0;
}

/* --totals: per additive column the sum over the rows (a process's value once with -H),
 * and how many rows had no value. */
struct totals {
	uint64_t *u;
	double *d;
	size_t *missing;
	size_t rows;
};

static void totals_add(const struct batch_opts *o, const struct col_ctx *ctx,
		       struct totals *tt, const struct task *t)
{
	tt->rows++;
	for (size_t i = 0; i < o->ncols; i++) {
		const struct column *col = o->cols[i];
		struct cell c;

		if (!columns_additive(col))
			continue;
		/* a thread row repeats its process's value: count it on the main thread */
		if (o->threads && (col->flags & CF_PROCESS) && t->tid != t->tgid)
			continue;
		memset(&c, 0, sizeof(c));
		col->get(ctx, t, &c);
		if (c.av != TS_OK) {
			tt->missing[i]++;
			continue;
		}
		switch (col->kind) {
		case CK_PCT:
		case CK_CPUTIME:
			tt->d[i] += c.d;
			break;
		case CK_INT:
			tt->u[i] += c.i > 0 ? (uint64_t)c.i : 0;
			break;
		default:
			tt->u[i] = c.u > UINT64_MAX - tt->u[i] ? UINT64_MAX : tt->u[i] + c.u;
			break;
		}
	}
}

/* The total of column i as text (table) or a JSON value; NULL for a column without one. */
static const char *totals_text(const struct batch_opts *o, const struct totals *tt, size_t i,
			       char *buf, size_t len)
{
	const struct column *col = o->cols[i];
	struct cell c;

	if (!columns_additive(col))
		return NULL;
	memset(&c, 0, sizeof(c));
	c.av = TS_OK;
	if (col->kind == CK_PCT || col->kind == CK_CPUTIME)
		c.d = tt->d[i];
	else if (col->kind == CK_INT)
		c.i = tt->u[i] > INT64_MAX ? INT64_MAX : (int64_t)tt->u[i];
	else
		c.u = tt->u[i];
	return columns_format(col, &c, o->json, o->bytes, buf, len);
}

static bool has_column(const struct batch_opts *o, const char *name)
{
	for (size_t i = 0; i < o->ncols; i++)
		if (!strcmp(o->cols[i]->name, name))
			return true;
	return false;
}

/* The note under a table's totals line: what the sums mean. */
static void totals_note(const struct batch_opts *o, const struct totals *tt)
{
	size_t missing = 0;

	fprintf(o->out, "  total: sums over the %zu row%s%s", tt->rows, tt->rows == 1 ? "" : "s",
		o->threads ? ", a process's memory once (on its main thread)" : "");
	for (size_t i = 0; i < o->ncols; i++)
		if (tt->missing[i] > missing)
			missing = tt->missing[i];
	if (missing)
		fprintf(o->out, "; rows without a value (-) are left out of a sum");
	fputs(".\n", o->out);
	if (has_column(o, "RSS") || has_column(o, "RSSFILE") || has_column(o, "RSSSHMEM") ||
	    has_column(o, "SHARED") || has_column(o, "VSZ"))
		fputs("  The RSS (and VSZ, SHARED) sum counts a page that several processes map "
		      "once for each of them.\n", o->out);
	if (has_column(o, "PSS") || has_column(o, "ANON") || has_column(o, "FILE") ||
	    has_column(o, "SHMEM") || has_column(o, "SWAPPSS"))
		fputs("  The PSS sum counts each page once: a shared page is divided among "
		      "its processes.\n", o->out);
}

/* JSON: the document libsmartcols wrote to doc, with the stamp (time, host, ...) before
 * "tasks" and, with --totals, the "totals" object after it. */
static int finish_json(const struct batch_opts *o, const struct snapshot *sn,
		       const struct totals *tt, const char *doc, size_t len)
{
	const char *open = memchr(doc, '{', len);
	size_t start, end = len;
	struct json_stamp st;
	char key[32], buf[64];

	/* libsmartcols writes "{", a newline, the members, and "}" and a newline */
	while (end > 0 && doc[end - 1] != '}')
		end--;
	if (!open || !end || (size_t)(open - doc) >= end - 1)
		return -EIO;
	start = (size_t)(open - doc) + 1;
	while (start < end && (doc[start] == '\n' || doc[start] == ' '))
		start++;
	json_stamp_init(&st, sn->wall, true, sn->interval);
	if (o->replay) {
		snprintf(st.host, sizeof(st.host), "%s", o->replay->host);
		snprintf(st.kernel, sizeof(st.kernel), "%s", o->replay->kernel);
	}
	fputs("{\n", o->out);
	json_stamp_raw(o->out, &st);
	if (o->replay) {
		fputs("   \"replay\": {\"file\": ", o->out);
		json_write_string(o->out, o->replay->file);
		fputs(", \"recorded_version\": ", o->out);
		json_write_string(o->out, o->replay->version);
		fputs("},\n", o->out);
	}
	if (sn->kept_fallback)
		fprintf(o->out, "   \"kept_files\": {\"open\": %zu, \"fallback\": %zu},\n",
			sn->kept_open, sn->kept_fallback);
	if (o->nnotes) {
		/* -p PIDs found reused since the previous report */
		fputs("   \"reused\": [", o->out);
		for (size_t i = 0; i < o->nnotes; i++) {
			fprintf(o->out, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "",
				o->notes[i].pid);
			json_write_string(o->out, o->notes[i].comm);
			fputc('}', o->out);
		}
		fputs("],\n", o->out);
	}
	fputs("   ", o->out);
	if (!o->totals) {
		fwrite(doc + start, 1, len - start, o->out);
		return 0;
	}
	end--;		/* the closing brace, and the line break before it */
	while (end > start && (doc[end - 1] == '\n' || doc[end - 1] == ' '))
		end--;
	fwrite(doc + start, 1, end - start, o->out);
	fprintf(o->out, ",\n   \"totals\": {\n      \"rows\": %zu", tt->rows);
	for (size_t i = 0; i < o->ncols; i++) {
		const char *v = totals_text(o, tt, i, buf, sizeof(buf));

		if (v)
			fprintf(o->out, ",\n      \"%s\": %s",
				columns_json_key(o->cols[i], key, sizeof(key)), v);
	}
	fprintf(o->out, ",\n      \"processes_once\": %s\n   }\n}\n",
		o->threads ? "true" : "false");
	return 0;
}

/* The table's mode and columns (and JSON's "unavailable"): 0 or -ENOMEM. */
static int setup_columns(const struct batch_opts *o, struct libscols_table *tb, size_t label)
{
	if (o->json) {
		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "tasks");
	} else if (o->raw) {
		scols_table_enable_raw(tb, 1);
	} else {
		/* every string is sanitized at its source: no second encoding pass */
		scols_table_enable_noencoding(tb, 1);
	}
	for (size_t i = 0; i < o->ncols; i++) {
		const struct column *col = o->cols[i];
		struct libscols_column *cl;
		int fl = 0;
		char key[32];

		if (col->flags & CF_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (col->flags & CF_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		if (o->tree && i == label)
			fl = SCOLS_FL_TREE;
		cl = scols_table_new_column(tb, o->json ? columns_json_key(col, key, sizeof(key))
							: col->name, col->whint, fl);
		if (!cl)
			return -ENOMEM;
		if (o->json)
			scols_column_set_json_type(cl, json_type(col->kind));
		/* strings arrive sanitized with \xHH escapes: do not escape those again */
		scols_column_set_safechars(cl, "\\");
	}
	if (o->json && !scols_table_new_column(tb, "unavailable", 0, 0))
		return -ENOMEM;
	return 0;
}

/* Where a line's cells go: a libsmartcols line (JSON, --tree) or the last line of a table
 * built with scolsout (the other tables: no libsmartcols line or cell, no copy of one). */
struct bline {
	struct libscols_line *ln;
	struct scolsout *so;
};

static int bline_set(const struct bline *bl, size_t col, const char *txt)
{
	if (bl->so)
		return scolsout_set(bl->so, col, txt);
	return scols_line_set_data(bl->ln, col, txt) ? -ENOMEM : 0;
}

/* The same for text a column of kind k made: numbers, sizes and times are printable ASCII
 * (no width to measure); names and the start time (a month name in the locale's
 * language) may not be. */
static int bline_set_kind(const struct bline *bl, size_t col, enum col_kind k,
			  const char *txt)
{
	if (bl->so && k != CK_STR && k != CK_WALLTIME)
		return scolsout_set_ascii(bl->so, col, txt);
	return bline_set(bl, col, txt);
}

/* The columns of a table built with scolsout (not JSON, not --tree): as setup_columns makes
 * them, which scolsout_print would lay out the same. 0 or -errno. */
static int setup_plain(const struct batch_opts *o, struct scolsout *so)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < o->ncols; i++) {
		const struct column *col = o->cols[i];
		int fl = 0;

		if (col->flags & CF_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (col->flags & CF_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		rc = scolsout_column(so, col->name, col->whint, fl);
	}
	return rc;
}

/* The cells of task t's line: "-" (or JSON null, named in why) where a value is missing,
 * whose reason goes into *missing. 0 or -errno. */
static int fill_cells(const struct batch_opts *o, const struct col_ctx *ctx,
		      const struct bline *ln, const struct task *t, char *why, size_t whylen,
		      unsigned *missing)
{
	for (size_t i = 0; i < o->ncols; i++) {
		struct cell c;
		char sbuf[64], *buf = sbuf, *big = NULL;
		size_t need;
		const char *txt;
		int set;

		memset(&c, 0, sizeof(c));
		o->cols[i]->get(ctx, t, &c);
		need = columns_format_size(o->cols[i], &c);
		if (need > sizeof(sbuf)) {
			buf = big = malloc(need);
			if (!big)
				return -ENOMEM;
		}
		txt = columns_format(o->cols[i], &c, o->json, o->bytes, buf,
				     big ? need : sizeof(sbuf));
		if (!txt) {
			*missing |= 1u << (c.av == TS_OK ? TS_NA : c.av);
			if (o->json) {
				why_add(why, whylen, o->cols[i],
					c.av == TS_OK ? TS_NA : c.av);
				free(big);
				continue;	/* no data: libsmartcols writes null */
			}
			txt = "-";
		}
		set = bline_set_kind(ln, i, o->cols[i]->kind, txt);
		free(big);
		if (set)
			return set;
	}
	return 0;
}

/* The totals line of a table: 0 or -errno. */
static int totals_line(const struct batch_opts *o, struct libscols_table *tb,
		       struct scolsout *so, const struct totals *tt, size_t label)
{
	struct bline bl = { .so = so };
	int rc = 0;

	if (so)
		rc = scolsout_line(so);
	else if (!(bl.ln = scols_table_new_line(tb, NULL)))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < o->ncols; i++) {
		char buf[64];
		const char *txt = totals_text(o, tt, i, buf, sizeof(buf));

		if (!txt && i == label)
			txt = "TOTAL";
		else if (!txt && o->raw)
			txt = "-";	/* raw fields stay one word each */
		if (txt)
			rc = bline_set(&bl, i, txt);
	}
	return rc;
}

/* The header, the table (JSON with its stamp and totals), the totals' note and the
 * footnotes: 0 or -errno. */
static int emit(const struct batch_opts *o, struct libscols_table *tb, struct scolsout *so,
		const struct snapshot *sn, unsigned long seq, const struct totals *tt,
		unsigned missing)
{
	char *doc = NULL;	/* JSON: libsmartcols' document, to add the stamp and totals to */
	size_t doclen = 0;
	FILE *mem = NULL;
	int rc = 0;

	if (!o->json && !o->raw)
		print_header(o, sn, seq);
	if (o->json) {
		mem = open_memstream(&doc, &doclen);
		if (!mem)
			return -errno;
	}
	if (so) {
		rc = scolsout_write(so, o->out);
	} else {
		scols_table_set_stream(tb, mem ? mem : o->out);
		if (scolsout_print(tb))
			rc = -EIO;
	}
	if (mem) {
		if (fclose(mem) && !rc)
			rc = -EIO;
		mem = NULL;
		if (!rc)
			rc = finish_json(o, sn, tt, doc, doclen);
	}
	if (o->totals && !o->json && !o->raw)
		totals_note(o, tt);
	if (!o->json && !o->raw && missing) {
		for (int av = TS_GONE; av <= TS_NA; av++)
			if (missing & (1u << av))
				fprintf(o->out, "  - %s\n", columns_avail_text((enum ts_avail)av));
	}
	for (size_t i = 0; !o->json && !o->raw && i < o->nnotes; i++)
		fprintf(o->out, "  - %s\n", o->notes[i].text);
	free(doc);
	return rc;
}

/* The rows' lines (each under its parent with --tree: parents has room for nrows) and
 * their cells; the totals summed and the missing values noted on the way. */
static int put_rows(const struct batch_opts *o, const struct col_ctx *ctx,
		    struct libscols_table *tb, struct scolsout *so, const struct brow *rows,
		    size_t nrows, struct libscols_line **parents, struct totals *tt, char *why,
		    size_t whylen, unsigned *missing)
{
	size_t nparents = 0;
	int rc;

	for (size_t r = 0; r < nrows; r++) {
		const struct task *t = rows[r].t;
		struct libscols_line *parent = NULL;
		struct bline bl = { .so = so };

		if (parents) {
			size_t d = rows[r].depth < nparents ? rows[r].depth : nparents;

			parent = d ? parents[d - 1] : NULL;
			nparents = d + 1;
		}
		if (so) {
			rc = scolsout_line(so);
			if (rc)
				return rc;
		} else if (!(bl.ln = scols_table_new_line(tb, parent))) {
			return -ENOMEM;
		}
		if (parents)
			parents[nparents - 1] = bl.ln;
		if (o->totals)
			totals_add(o, ctx, tt, t);
		if (why)
			why[0] = '\0';
		rc = fill_cells(o, ctx, &bl, t, why, whylen, missing);
		if (rc)
			return rc;
		if (why && why[0] && scols_line_set_data(bl.ln, o->ncols, why))
			return -ENOMEM;
	}
	return 0;
}

int batch_print(const struct batch_opts *o, const struct col_ctx *base,
		const struct snapshot *sn, unsigned long seq)
{
	/* START is shown relative to the sample's own time (a replay's, e.g.) */
	struct col_ctx cx = *base;
	const struct col_ctx *ctx = &cx;
	struct libscols_table *tb = NULL;	/* JSON and --tree */
	struct scolsout *so = NULL;		/* the other tables */
	struct libscols_line **parents = NULL;	/* --tree: the last line at each depth */
	struct totals tt = { 0 };
	struct brow *rows = NULL;
	size_t nrows = 0, label = label_column(o);
	unsigned missing = 0;
	char *why = NULL;	/* JSON: the row's null values and why */
	size_t whylen = o->ncols * 48 + 1;
	int rc = 0, werr;

	cx.now = sn->wall;
	if (o->json || o->tree)
		tb = scols_new_table();
	else
		so = scolsout_new(o->raw);
	if (!tb && !so)
		return -ENOMEM;
	if (o->totals) {
		tt.u = calloc(o->ncols + 1, sizeof(*tt.u));
		tt.d = calloc(o->ncols + 1, sizeof(*tt.d));
		tt.missing = calloc(o->ncols + 1, sizeof(*tt.missing));
		if (!tt.u || !tt.d || !tt.missing) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = order_rows(o, ctx, sn, &rows, &nrows);
	if (rc)
		goto out;
	if (o->tree) {
		parents = calloc(nrows + 1, sizeof(*parents));
		if (!parents) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = so ? setup_plain(o, so) : setup_columns(o, tb, label);
	if (!rc && so)
		rc = scolsout_reserve(so, nrows + (o->totals ? 1 : 0));
	if (rc)
		goto out;
	/* JSON has no footnotes: each row names its null values and why, or is null */
	if (o->json && !(why = malloc(whylen))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = put_rows(o, ctx, tb, so, rows, nrows, parents, &tt, why, whylen, &missing);
	if (rc)
		goto out;
	/* a table's totals are its last line, under the columns they sum */
	if (o->totals && !o->json) {
		rc = totals_line(o, tb, so, &tt, label);
		if (rc)
			goto out;
	}
	rc = emit(o, tb, so, sn, seq, &tt, missing);
	werr = outfile_error(o->out);	/* the cause: EPIPE, ENOSPC, ... */
	if (werr)
		rc = werr;
out:
	free(why);
	spare_put(rows);
	free(parents);
	free(tt.u);
	free(tt.d);
	free(tt.missing);
	if (tb)
		scols_unref_table(tb);
	scolsout_free(so);
	return rc;
}
