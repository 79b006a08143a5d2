/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tasklist.c - the TUI's rows: processes with nested threads, a flat thread list or a
 * process tree, filtered by name and sorted by any column */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/spare.h"
#include "lib/util.h"
#include "model/tasklist.h"

struct sort_ctx {
	const struct column *col;
	bool ascending;
	const struct tasklist_key *keys;
	size_t nkeys;
	const struct col_ctx *cctx;
};

void tasklist_cell(const struct tasklist_row *r, const struct column *col,
		   const struct col_ctx *ctx, struct cell *c)
{
	const struct task *t = r->t;

	memset(c, 0, offsetof(struct cell, buf));
	c->buf[0] = '\0';
	if (col->readers & TASKLIST_VISIBLE_READERS) {
		if (!r->mem) {
			c->av = TS_NA;
			return;
		}
		t = r->mem;
	}
	col->get(ctx, t, c);
}

static int cmp_num(double a, double b)
{
	return UTIL_CMP(a, b);
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return UTIL_CMP(a, b);
}

static int cmp_i(int64_t a, int64_t b)
{
	return UTIL_CMP(a, b);
}

/* By one column; 0 on a tie. A missing value comes after every known one in either order. */
static int compare_col(const struct tasklist_row *a, const struct tasklist_row *b,
		       const struct column *col, bool ascending, const struct col_ctx *ctx)
{
	struct cell x, y;
	int r = 0;

	if (col) {
		tasklist_cell(a, col, ctx, &x);
		tasklist_cell(b, col, ctx, &y);
		if ((x.av == TS_OK) != (y.av == TS_OK))
			return x.av == TS_OK ? -1 : 1;
		if (x.av == TS_OK) {
			switch (col->kind) {
			case CK_STR:
				r = strcmp(x.s ? x.s : "", y.s ? y.s : "");
				break;
			case CK_INT:
				r = cmp_i(x.i, y.i);
				break;
			case CK_PCT:
			case CK_CPUTIME:
			case CK_WALLTIME:
				r = cmp_num(x.d, y.d);
				break;
			default:
				r = cmp_u(x.u, y.u);
				break;
			}
			if (!ascending)
				r = -r;
		}
	}
	return r;
}

int tasklist_compare(const struct tasklist_row *a, const struct tasklist_row *b,
		     const struct column *col, bool ascending, const struct col_ctx *ctx)
{
	int r = compare_col(a, b, col, ascending, ctx);

	if (!r)
		r = cmp_i(a->t->tgid, b->t->tgid);
	if (!r)
		r = cmp_i(a->t->tid, b->t->tid);
	return r;
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *s = arg;

	for (size_t k = 0; k < s->nkeys; k++) {
		int r = compare_col(pa, pb, s->keys[k].col, s->keys[k].ascending, s->cctx);

		if (r)
			return r;
	}
	return tasklist_compare(pa, pb, s->nkeys ? NULL : s->col, s->ascending, s->cctx);
}

static bool contains_ci(const char *s, const char *needle)
{
	return s && strcasestr(s, needle) != NULL;
}

bool tasklist_matches(const struct task *t, const char *filter)
{
	if (!filter || !filter[0])
		return true;
	return contains_ci(t->comm, filter) || contains_ci(t->cmd, filter);
}

static bool wanted(const struct tasklist_opts *o, const struct task *t)
{
	if (o->hide_kthreads && t->kthread)
		return false;
	return tasklist_matches(t, o->filter);
}

static int cmp_tgid_key(const void *key, const void *elem)
{
	pid_t k = *(const pid_t *)key;
	const struct task *t = elem;

	return UTIL_CMP(k, t->tgid);
}

/* The range of snapshot rows of process tgid (rows sorted by tgid, tid). */
static size_t range_of(const struct snapshot *sn, pid_t tgid, size_t *end)
{
	const struct task *hit;
	size_t i, e;

	*end = 0;
	if (!sn || !sn->ntasks)
		return 0;
	hit = bsearch(&tgid, sn->tasks, sn->ntasks, sizeof(*hit), cmp_tgid_key);
	if (!hit)
		return 0;
	i = e = (size_t)(hit - sn->tasks);
	while (i > 0 && sn->tasks[i - 1].tgid == tgid)
		i--;
	while (e < sn->ntasks && sn->tasks[e].tgid == tgid)
		e++;
	*end = e;
	return i;
}

/* The memory row of process t (same tgid and start time: a PID reused between the two
 * samples does not lend its numbers). */
static const struct task *mem_of(const struct snapshot *mem, const struct task *t)
{
	size_t end, i = range_of(mem, t->tgid, &end);

	for (; i < end; i++)
		if (mem->tasks[i].tgid == t->tgid && mem->tasks[i].start_ticks == t->start_ticks)
			return &mem->tasks[i];
	return NULL;
}

struct builder {
	const struct tasklist_opts *o;
	const struct snapshot *threads, *mem;
	struct sort_ctx sc;
	struct tasklist_row *rows;
	size_t n, cap;
};

static int push(struct builder *b, const struct tasklist_row *r)
{
	if (util_grow(&b->rows, &b->cap, b->n, 256, sizeof(*b->rows)))
		return -ENOMEM;
	b->rows[b->n++] = *r;
	return 0;
}

/* A process row, then its threads when expanded (sorted like the processes). */
static int push_process(struct builder *b, const struct tasklist_row *pr)
{
	struct tasklist_row r = *pr;
	size_t end, first, start;
	int rc;

	r.can_expand = r.t->nlwp > 1;
	r.expanded = r.can_expand && b->o->expanded && b->o->expanded(b->o->ctx, r.t->tgid);
	rc = push(b, &r);
	if (rc || !r.expanded)
		return rc;
	first = range_of(b->threads, r.t->tgid, &end);
	start = b->n;
	for (size_t i = first; i < end; i++) {
		/* the main thread is the process row itself (as htop shows it) */
		if (b->threads->tasks[i].tid == r.t->tgid && r.t->nlwp > 1 && end - first > 1)
			continue;
		struct tasklist_row tr = {
			.t = &b->threads->tasks[i], .mem = r.mem, .depth = r.depth + 1,
			.thread = true,
		};

		rc = push(b, &tr);
		if (rc)
			return rc;
	}
	if (b->n - start > 1)
		qsort_r(b->rows + start, b->n - start, sizeof(*b->rows), cmp_rows, &b->sc);
	for (size_t i = start; i < b->n; i++) {
		b->rows[i].more = r.more;
		if (r.depth >= 1 && r.depth < 64 && !r.last)
			b->rows[i].more |= (uint64_t)1 << r.depth;
		/* the last thread ends the branch unless the process's children follow */
		b->rows[i].last = i + 1 == b->n && (!r.has_kids || r.collapsed);
	}
	return 0;
}

static int build_flat(struct builder *b, const struct snapshot *sn, bool processes)
{
	size_t start = b->n;

	for (size_t i = 0; sn && i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		struct tasklist_row r = { .t = t, .mem = mem_of(b->mem, t), .last = true };

		if (!wanted(b->o, t))
			continue;
		if (push(b, &r))
			return -ENOMEM;
	}
	if (b->n - start > 1)
		qsort_r(b->rows + start, b->n - start, sizeof(*b->rows), cmp_rows, &b->sc);
	if (!processes)
		return 0;
	/* expand: re-emit with threads under each process */
	{
		size_t n = b->n - start;
		struct tasklist_row *procs = spare_get((n ? n : 1) * sizeof(*procs), NULL);
		int rc = 0;

		if (!procs)
			return -ENOMEM;
		if (n)	/* b->rows is NULL while nothing was pushed (a job gone already) */
			memcpy(procs, b->rows + start, n * sizeof(*procs));
		b->n = start;
		for (size_t i = 0; !rc && i < n; i++)
			rc = push_process(b, &procs[i]);
		spare_put(procs);
		return rc;
	}
}

/* ---- tree ---- */
struct tnode {
	size_t proc;		/* index in the sorted process rows */
	size_t first_child, next;	/* (size_t)-1: none */
};

static int cmp_pid_idx(const void *a, const void *b, void *arg)
{
	const struct tasklist_row *rows = arg;
	pid_t x = rows[*(const size_t *)a].t->tgid, y = rows[*(const size_t *)b].t->tgid;

	return UTIL_CMP(x, y);
}

struct tframe {
	size_t id;
	unsigned depth;
	bool last;
	uint64_t more;
};

static int emit_tree(struct builder *b, const struct tasklist_row *procs, struct tnode *nodes,
		     size_t root)
{
	/* iterative depth-first walk: a deep chain must not overflow the stack */
	size_t n = 0, cap = 64;
	struct tframe *stack = malloc(cap * sizeof(*stack));
	int rc = 0;

	if (!stack)
		return -ENOMEM;
	stack[n++] = (struct tframe){ .id = root, .last = true };
	while (!rc && n) {
		struct tframe f = stack[--n];
		struct tasklist_row r = procs[nodes[f.id].proc];
		size_t kids = 0;
		uint64_t more;

		for (size_t c = nodes[f.id].first_child; c != (size_t)-1; c = nodes[c].next)
			kids++;
		r.depth = f.depth;
		r.last = f.last;
		r.more = f.more;
		r.has_kids = kids > 0;
		r.collapsed = kids && b->o->collapsed && b->o->collapsed(b->o->ctx, r.t->tgid);
		rc = push_process(b, &r);
		if (r.collapsed)
			continue;
		if (util_reserve(&stack, &cap, n + kids, 64, sizeof(*stack))) {
			rc = -ENOMEM;
			break;
		}
		more = f.more;
		if (f.depth >= 1 && f.depth < 64 && !f.last)
			more |= (uint64_t)1 << f.depth;
		/* children are linked in reverse sort order: pushing them in that order pops
		 * them in sort order, and the first linked is the last shown */
		for (size_t c = nodes[f.id].first_child; c != (size_t)-1; c = nodes[c].next)
			stack[n++] = (struct tframe){ .id = c, .depth = f.depth + 1,
						      .last = c == nodes[f.id].first_child,
						      .more = more };
	}
	free(stack);
	return rc;
}

static int build_tree(struct builder *b, const struct snapshot *procs_sn)
{
	struct tasklist_row *procs = NULL;
	struct tnode *nodes = NULL;
	size_t *bypid = NULL, n = 0;
	int rc = -ENOMEM;

	for (size_t i = 0; procs_sn && i < procs_sn->ntasks; i++)
		if (wanted(b->o, &procs_sn->tasks[i]))
			n++;
	if (!n)
		return 0;
	procs = spare_get(n * sizeof(*procs), NULL);
	nodes = spare_get(n * sizeof(*nodes), NULL);
	bypid = spare_get(n * sizeof(*bypid), NULL);
	if (!procs || !nodes || !bypid)
		goto out;
	n = 0;
	for (size_t i = 0; i < procs_sn->ntasks; i++) {
		const struct task *t = &procs_sn->tasks[i];

		if (!wanted(b->o, t))
			continue;
		procs[n] = (struct tasklist_row){ .t = t, .mem = mem_of(b->mem, t) };
		n++;
	}
	qsort_r(procs, n, sizeof(*procs), cmp_rows, &b->sc);
	for (size_t i = 0; i < n; i++) {
		nodes[i] = (struct tnode){ .proc = i, .first_child = (size_t)-1,
					   .next = (size_t)-1 };
		bypid[i] = i;
	}
	qsort_r(bypid, n, sizeof(*bypid), cmp_pid_idx, procs);
	/* link each process under its parent: prepending in sort order leaves each list in
	 * reverse sort order (see emit_tree) */
	for (size_t k = 0; k < n; k++) {
		pid_t pp = procs[k].t->ppid;
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (procs[bypid[mid]].t->tgid < pp)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && procs[bypid[lo]].t->tgid == pp && bypid[lo] != k) {
			nodes[k].next = nodes[bypid[lo]].first_child;
			nodes[bypid[lo]].first_child = k;
		} else {
			nodes[k].next = (size_t)-2;	/* a root */
		}
	}
	rc = 0;
	for (size_t k = 0; !rc && k < n; k++) {
		if (nodes[k].next != (size_t)-2)
			continue;
		nodes[k].next = (size_t)-1;
		rc = emit_tree(b, procs, nodes, k);
	}
out:
	spare_put(procs);
	spare_put(nodes);
	spare_put(bypid);
	return rc;
}

int tasklist_build(const struct tasklist_opts *o, const struct snapshot *procs,
		   const struct snapshot *threads, const struct snapshot *mem,
		   struct tasklist_row **rows, size_t *nrows)
{
	struct builder b = {
		.o = o, .threads = threads, .mem = mem,
		.sc = { .col = o->sort, .ascending = o->ascending, .keys = o->keys,
			.nkeys = o->nkeys, .cctx = o->cctx },
	};
	size_t most = (procs ? procs->ntasks : 0) + (threads ? threads->ntasks : 0), got;
	int rc;

	/* room for every row at once, in the blocks the last list left (lib/spare.h): the
	 * full-screen view makes a list of 10,000 threads at every refresh */
	if (most) {
		b.rows = spare_get(most * sizeof(*b.rows), &got);
		b.cap = b.rows ? got / sizeof(*b.rows) : 0;
	}
	if (o->mode == LIST_THREADS)
		rc = build_flat(&b, threads ? threads : procs, false);
	else if (o->mode == LIST_TREE)
		rc = build_tree(&b, procs);
	else
		rc = build_flat(&b, procs, true);
	if (rc) {
		spare_put(b.rows);
		return rc;
	}
	*rows = b.rows;
	*nrows = b.n;
	return 0;
}
