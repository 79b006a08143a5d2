/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharing.c - what a set of tasks shares: tasks, address spaces, and the kcmp matrices
 *
 * kcmp(2) compares two tasks' resources and, when they differ, says which sorts first:
 * a total order per resource (of obfuscated kernel pointers). Sorting the tasks with it
 * puts the tasks that share a resource next to each other, so n tasks are grouped with
 * O(n log n) calls instead of O(n^2) pairs, and thousands of threads of one process become
 * one address space. The matrices are then computed per address space from the groups. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "sample/kcmp.h"
#include "sample/taskfiles.h"
#include "sample/threads.h"

#define KCMP_TRIES 8	/* a task that exits mid-sort makes the grouping start again */

/* ---- the tasks --------------------------------------------------------------------------- */

struct pick {
	pid_t tgid;
	pid_t tid;	/* 0: the whole process */
	pid_t id;	/* as given */
	bool found;
	bool denied;	/* its status could not be read: permission (hidepid=noaccess) */
};

static int cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return UTIL_CMP2(x->tgid, y->tgid, x->tid, y->tid);
}

static void free_tasks(struct sharing_task *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].comm);
	free(t);
}

/* Append id to a list (ascending once sorted by the caller). */
static int id_push(pid_t **v, size_t *n, pid_t id)
{
	pid_t *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = id;
	return 0;
}

/* The live tasks the IDs name, from one threads pass. An ID that names no task, or one
 * whose files cannot be read, goes to rep->vanished or rep->unreadable. */
/* The picks no task was found for: unreadable (denied) or vanished, each list sorted. */
static int note_missed(struct sharing_report *rep, const struct pick *picks, size_t npicks)
{
	int rc = 0;

	for (size_t i = 0; i < npicks && !rc; i++) {
		if (picks[i].found)
			continue;
		if (picks[i].denied)
			rc = id_push(&rep->unreadable, &rep->nunreadable, picks[i].id);
		else
			rc = id_push(&rep->vanished, &rep->nvanished, picks[i].id);
	}
	if (rep->nvanished > 1)
		qsort(rep->vanished, rep->nvanished, sizeof(pid_t), util_cmp_int);
	if (rep->nunreadable > 1)
		qsort(rep->unreadable, rep->nunreadable, sizeof(pid_t), util_cmp_int);
	return rc;
}

static int collect_tasks(int rootfd, const pid_t *ids, size_t nids, struct sharing_report *rep)
{
	struct pick *picks;
	pid_t *tgids = NULL;
	struct task *rows = NULL;
	size_t nrows = 0, ntg = 0, npicks = 0, n = 0, nok = 0;
	int rc = 0;

	picks = calloc(nids ? nids : 1, sizeof(*picks));
	tgids = calloc(nids ? nids : 1, sizeof(*tgids));
	if (!picks || !tgids) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nids; i++) {
		pid_t tgid;

		rc = taskfiles_tgid(rootfd, ids[i], &tgid);
		if (rc == -ENOENT || rc == -ESRCH) {
			/* ended before it was read: listed, the others go on */
			rc = id_push(&rep->vanished, &rep->nvanished, ids[i]);
			if (rc)
				goto out;
			continue;
		}
		if (rc == -ENOMEM)
			goto out;
		if (rc)
			tgid = ids[i];	/* unreadable status: take it as a process */
		picks[nok] = (struct pick){ .tgid = tgid, .tid = tgid == ids[i] ? 0 : ids[i],
					    .id = ids[i], .denied = rc == -EACCES || rc == -EPERM };
		rc = 0;
		tgids[nok++] = tgid;
	}
	qsort(picks, nok, sizeof(*picks), cmp_pick);
	for (size_t i = 0; i < nok; i++)	/* an ID given twice is one pick */
		if (!npicks || cmp_pick(&picks[npicks - 1], &picks[i]))
			picks[npicks++] = picks[i];
	qsort(tgids, nok, sizeof(*tgids), util_cmp_int);
	for (size_t i = 0; i < nok; i++)
		if (!ntg || tgids[ntg - 1] != tgids[i])
			tgids[ntg++] = tgids[i];
	rc = threads_scan(rootfd, tgids, ntg, &rows, &nrows);
	if (rc)
		goto out;
	rep->tasks = calloc(nrows ? nrows : 1, sizeof(*rep->tasks));
	if (!rep->tasks) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct task *r = &rows[i];
		struct pick kw = { .tgid = r->tgid, .tid = 0 };
		struct pick kt = { .tgid = r->tgid, .tid = r->tid };
		struct pick *pw = bsearch(&kw, picks, npicks, sizeof(*picks), cmp_pick);
		struct pick *pt = bsearch(&kt, picks, npicks, sizeof(*picks), cmp_pick);
		struct sharing_task *t;

		if (!pw && !pt)
			continue;
		if (pw)
			pw->found = true;
		if (pt)
			pt->found = true;
		if (r->state == 'Z' || r->state == 'X') {
			rep->zombies++;	/* an exited thread has no resources left */
			continue;
		}
		if (r->kthread) {
			rep->kthreads++;	/* no address space: nothing to share */
			continue;
		}
		t = &rep->tasks[n++];
		t->tid = r->tid;
		t->tgid = r->tgid;
		t->start_ticks = r->start_ticks;
		t->kthread = r->kthread;
		t->comm = rows[i].comm;	/* sanitized by the threads pass; taken over */
		rows[i].comm = NULL;
		for (int k = 0; k < KCMP_RES_COUNT; k++)
			t->grp[k] = SIZE_MAX;
	}
	rep->ntasks = n;
	rc = note_missed(rep, picks, npicks);
out:
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].comm);
	free(rows);
	free(picks);
	free(tgids);
	return rc;
}

/* ---- kcmp -------------------------------------------------------------------------------- */

/* Drop tasks that ended (gone[i]); keeps the order. */
static void drop_gone(struct sharing_report *rep, const bool *gone)
{
	size_t w = 0;

	for (size_t i = 0; i < rep->ntasks; i++) {
		if (gone[i]) {
			free(rep->tasks[i].comm);
			rep->gone++;
			continue;
		}
		rep->tasks[w++] = rep->tasks[i];
	}
	rep->ntasks = w;
}

/* Access to each task, then a kcmp group per resource for those with access.
 * -EAGAIN when a task ended meanwhile (dropped: try again). none[r]: the group that
 * means "has none" (SIZE_MAX if not known). vmgroups: the number of VM groups. */
static int kcmp_pass(struct sharing_report *rep, const struct kcmp_ref *ref, size_t *none,
		     size_t *vmgroups)
{
	size_t n = rep->ntasks, na = 0;
	pid_t *tids = malloc((n + 1) * sizeof(*tids));
	size_t *idx = malloc((n + 1) * sizeof(*idx));
	size_t *grp = malloc((n + 1) * sizeof(*grp));
	bool *gone = calloc(n + 1, sizeof(*gone));
	bool any_gone = false;
	int rc = 0;

	if (!tids || !idx || !grp || !gone) {
		rc = -ENOMEM;
		goto out;
	}
	*vmgroups = 0;
	for (size_t i = 0; i < n; i++) {
		struct sharing_task *t = &rep->tasks[i];
		int r = rep->kcmp_rc ? rep->kcmp_rc : kcmp_compare(t->tid, t->tid, KCMP_RES_VM);

		for (int k = 0; k < KCMP_RES_COUNT; k++)
			t->grp[k] = SIZE_MAX;
		if (r == -ENOSYS || r == -EOPNOTSUPP || r == -EINVAL) {
			rep->kcmp_rc = -ENOSYS;
			r = -ENOSYS;
		}
		t->access = r > 0 ? 0 : r;
		if (r == -ESRCH) {
			gone[i] = any_gone = true;
			continue;
		}
		if (t->access == 0) {
			tids[na] = t->tid;
			idx[na++] = i;
		}
	}
	if (any_gone) {
		drop_gone(rep, gone);
		rc = -EAGAIN;
		goto out;
	}
	for (int r = 0; r < KCMP_RES_COUNT && na; r++) {
		bool with_ref = ref && ((r == KCMP_RES_IO && ref->none_io) ||
					(r == KCMP_RES_SYSVSEM && ref->none_sysvsem));
		size_t ng;

		if (with_ref)
			tids[na] = ref->tid[0];
		rc = sharing_kcmp_group(tids, na + with_ref, (enum kcmp_res)r, grp, &ng);
		if (rc == -ESRCH) {
			/* someone ended mid-sort: find who, drop them, start again */
			for (size_t i = 0; i < na; i++)
				if (kcmp_compare(tids[i], tids[i], KCMP_RES_VM) == -ESRCH)
					gone[idx[i]] = true;
			drop_gone(rep, gone);
			rc = -EAGAIN;
			goto out;
		}
		if (rc)
			goto out;
		for (size_t i = 0; i < na; i++)
			rep->tasks[idx[i]].grp[r] = grp[i];
		none[r] = with_ref ? grp[na] : SIZE_MAX;
		if (r == KCMP_RES_VM)
			*vmgroups = ng;
	}
out:
	free(tids);
	free(idx);
	free(grp);
	free(gone);
	return rc;
}

/* ---- address spaces ---------------------------------------------------------------------- */

/* Where a task goes before the spaces are ordered: its VM group, or (no access) its
 * process; the key's order is by first task. */
struct rawspace {
	pid_t tgid, tid;	/* the smallest (tgid, tid) of its tasks */
	size_t key;
	bool used;
};

static int cmp_task_space(const void *a, const void *b)
{
	const struct sharing_task *x = a, *y = b;

	if (x->space != y->space)
		return UTIL_CMP(x->space, y->space);
	return UTIL_CMP2(x->tgid, y->tgid, x->tid, y->tid);
}

static int cmp_rawspace(const void *a, const void *b)
{
	const struct rawspace *x = a, *y = b;

	return UTIL_CMP2(x->tgid, y->tgid, x->tid, y->tid);
}

/* Space s's label and its processes' PIDs, sorted and distinct: 0 or -ENOMEM. */
static int space_pids(struct sharing_report *rep, size_t s)
{
	struct sharing_space *sp = &rep->spaces[s];

	sharing_label(s, sp->label, sizeof(sp->label));
	sp->pids = malloc(sp->ntasks * sizeof(*sp->pids));
	if (!sp->pids)
		return -ENOMEM;
	for (size_t i = 0; i < sp->ntasks; i++)
		sp->pids[i] = rep->tasks[sp->first + i].tgid;
	qsort(sp->pids, sp->ntasks, sizeof(*sp->pids), util_cmp_int);
	for (size_t i = 0; i < sp->ntasks; i++)
		if (!sp->npids || sp->pids[sp->npids - 1] != sp->pids[i])
			sp->pids[sp->npids++] = sp->pids[i];
	return 0;
}

static int build_spaces(struct sharing_report *rep, size_t vmgroups)
{
	size_t nt = rep->ntasks, nraw, ns = 0;
	pid_t *denied = malloc((nt ? nt : 1) * sizeof(*denied));
	struct rawspace *raw = NULL, *order = NULL;
	size_t *final = NULL;
	size_t nden = 0;
	int rc = 0;

	if (!denied)
		return -ENOMEM;
	for (size_t i = 0; i < nt; i++)
		if (rep->tasks[i].grp[KCMP_RES_VM] == SIZE_MAX)
			denied[nden++] = rep->tasks[i].tgid;
	qsort(denied, nden, sizeof(*denied), util_cmp_int);
	{
		size_t w = 0;

		for (size_t i = 0; i < nden; i++)
			if (!w || denied[w - 1] != denied[i])
				denied[w++] = denied[i];
		nden = w;
	}
	nraw = vmgroups + nden;
	raw = calloc(nraw ? nraw : 1, sizeof(*raw));
	order = malloc((nraw ? nraw : 1) * sizeof(*order));
	final = malloc((nraw ? nraw : 1) * sizeof(*final));
	if (!raw || !order || !final) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nt; i++) {
		struct sharing_task *t = &rep->tasks[i];
		size_t k;

		if (t->grp[KCMP_RES_VM] != SIZE_MAX) {
			k = t->grp[KCMP_RES_VM];
		} else {
			pid_t *p = bsearch(&t->tgid, denied, nden, sizeof(*denied), util_cmp_int);

			k = vmgroups + (size_t)(p - denied);
		}
		t->space = k;
		if (!raw[k].used || t->tgid < raw[k].tgid ||
		    (t->tgid == raw[k].tgid && t->tid < raw[k].tid)) {
			raw[k].tgid = t->tgid;
			raw[k].tid = t->tid;
		}
		raw[k].used = true;
	}
	for (size_t k = 0; k < nraw; k++) {
		if (raw[k].used) {
			order[ns] = raw[k];
			order[ns++].key = k;
		}
	}
	qsort(order, ns, sizeof(*order), cmp_rawspace);
	for (size_t s = 0; s < ns; s++)
		final[order[s].key] = s;
	for (size_t i = 0; i < nt; i++)
		rep->tasks[i].space = final[rep->tasks[i].space];
	qsort(rep->tasks, nt, sizeof(*rep->tasks), cmp_task_space);

	rep->spaces = calloc(ns ? ns : 1, sizeof(*rep->spaces));
	if (!rep->spaces) {
		rc = -ENOMEM;
		goto out;
	}
	rep->nspaces = ns;
	for (size_t i = 0; i < nt; i++) {
		struct sharing_space *sp = &rep->spaces[rep->tasks[i].space];

		if (!sp->ntasks) {
			sp->first = i;
			sp->kernel = true;
			sp->access = rep->tasks[i].access;
		}
		sp->ntasks++;
		sp->kernel &= rep->tasks[i].kthread;
	}
	for (size_t s = 0; s < ns && !rc; s++)
		rc = space_pids(rep, s);
out:
	free(denied);
	free(raw);
	free(order);
	free(final);
	return rc;
}

/* The groups of resource r that the tasks of each space are in (sorted, distinct). */
static int space_groups(const struct sharing_report *rep, int r, size_t *buf, size_t **gs,
			size_t *gn)
{
	for (size_t s = 0; s < rep->nspaces; s++) {
		const struct sharing_space *sp = &rep->spaces[s];
		size_t *g = buf + sp->first, n = 0;

		for (size_t i = 0; i < sp->ntasks; i++)
			if (rep->tasks[sp->first + i].grp[r] != SIZE_MAX)
				g[n++] = rep->tasks[sp->first + i].grp[r];
		qsort(g, n, sizeof(*g), util_cmp_size);
		gn[s] = 0;
		for (size_t i = 0; i < n; i++)
			if (!gn[s] || g[gn[s] - 1] != g[i])
				g[gn[s]++] = g[i];
		/* a space with a task kcmp could not see is unknown as a whole */
		if (gn[s] && n != sp->ntasks)
			gn[s] = 0;
		gs[s] = g;
	}
	return 0;
}

static int build_matrices(struct sharing_report *rep, const size_t *none)
{
	size_t ns = rep->nspaces;
	size_t *buf = malloc((rep->ntasks ? rep->ntasks : 1) * sizeof(*buf));
	size_t **gs = calloc(ns ? ns : 1, sizeof(*gs));
	size_t *gn = calloc(ns ? ns : 1, sizeof(*gn));
	int rc = 0;

	if (!buf || !gs || !gn) {
		rc = -ENOMEM;
		goto out;
	}
	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		enum sharing_cell *m = malloc((ns ? ns * ns : 1) * sizeof(*m));

		if (!m) {
			rc = -ENOMEM;
			goto out;
		}
		rep->res[r] = m;
		space_groups(rep, r, buf, gs, gn);
		for (size_t a = 0; a < ns; a++) {
			const struct sharing_space *sa = &rep->spaces[a];

			for (size_t b = 0; b < ns; b++) {
				enum sharing_cell c = sharing_cell_of(gs[a], gn[a], gs[b], gn[b],
								      a == b, none[r]);

				if (r == KCMP_RES_VM && a == b && sa->kernel)
					c = SHARING_NONE;	/* kernel threads have no mm */
				/* threads of one process always share VM and SIGHAND
				 * (CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM) */
				if (a == b && c == SHARING_UNKNOWN && sa->npids == 1 &&
				    (r == KCMP_RES_VM || r == KCMP_RES_SIGHAND))
					c = SHARING_SHARED;
				m[a * ns + b] = c;
			}
		}
	}
out:
	free(buf);
	free(gs);
	free(gn);
	return rc;
}

/* ---- the whole report -------------------------------------------------------------------- */

/* Did any compared task end, or its TID move to a new task, since it was listed? */
static bool recheck_identity(int rootfd, struct sharing_report *rep)
{
	bool *gone = calloc(rep->ntasks ? rep->ntasks : 1, sizeof(*gone));
	bool any = false;

	if (!gone)
		return false;
	for (size_t i = 0; i < rep->ntasks; i++) {
		const struct sharing_task *t = &rep->tasks[i];
		struct taskfiles_stat st;
		int rc = taskfiles_thread_stat(rootfd, t->tgid, t->tid, t->start_ticks, &st);

		if (rc == -ESRCH || rc == -ENOENT || (!rc && (st.state == 'Z' || st.state == 'X')))
			gone[i] = any = true;
	}
	if (any)
		drop_gone(rep, gone);
	free(gone);
	return any;
}

int sharing_collect(int rootfd, const pid_t *ids, size_t nids, bool memory,
		    struct sharing_report *rep, pid_t *missing)
{
	size_t none[KCMP_RES_COUNT], vmgroups = 0;
	struct kcmp_ref ref;
	bool have_ref = false;
	int rc, tries;

	memset(rep, 0, sizeof(*rep));
	rep->page_size = (size_t)sysconf(_SC_PAGESIZE);
	rc = collect_tasks(rootfd, ids, nids, rep);
	if (!rc && !rep->ntasks && !rep->zombies && !rep->kthreads &&
	    (rep->nvanished || rep->nunreadable)) {
		/* not one of them could be read */
		*missing = rep->nunreadable ? rep->unreadable[0] : rep->vanished[0];
		rc = rep->nunreadable ? -EACCES : -ESRCH;
	}
	if (rc) {
		sharing_free(rep);
		return rc;
	}
	if (kcmp_compare(getpid(), getpid(), KCMP_RES_VM) == -ENOSYS)
		rep->kcmp_rc = -ENOSYS;
	if (!rep->kcmp_rc && kcmp_ref_start(&ref) == 0)
		have_ref = true;
	for (tries = 0; tries < KCMP_TRIES; tries++) {
		for (int r = 0; r < KCMP_RES_COUNT; r++)
			none[r] = SIZE_MAX;
		rc = kcmp_pass(rep, have_ref ? &ref : NULL, none, &vmgroups);
		if (rc == -EAGAIN)
			continue;	/* one ended mid-sort: dropped, sort again */
		/* a task that ended (or whose TID was reused) since it was compared is
		 * dropped; the groups of the others stand */
		if (!rc)
			recheck_identity(rootfd, rep);
		break;
	}
	if (have_ref) {
		rep->none_known[KCMP_RES_IO] = ref.none_io;
		rep->none_known[KCMP_RES_SYSVSEM] = ref.none_sysvsem;
		kcmp_ref_stop(&ref);
	}
	if (rc == -EAGAIN) {
		/* the tasks keep changing: show what is left without kcmp's groups */
		for (size_t i = 0; i < rep->ntasks; i++) {
			for (int r = 0; r < KCMP_RES_COUNT; r++)
				rep->tasks[i].grp[r] = SIZE_MAX;
			rep->tasks[i].access = -EAGAIN;
		}
		vmgroups = 0;
		rc = 0;
	}
	if (!rc)
		rc = build_spaces(rep, vmgroups);
	if (!rc)
		rc = build_matrices(rep, none);
	if (!rc && memory)
		rc = sharemem_collect(rootfd, rep);
	if (rc)
		sharing_free(rep);
	return rc;
}

void sharing_free(struct sharing_report *rep)
{
	free_tasks(rep->tasks, rep->ntasks);
	for (size_t s = 0; s < rep->nspaces; s++)
		free(rep->spaces[s].pids);
	free(rep->spaces);
	for (int r = 0; r < KCMP_RES_COUNT; r++)
		free(rep->res[r]);
	free(rep->both);
	free(rep->vanished);
	free(rep->unreadable);
	for (size_t i = 0; i < rep->nsegments; i++) {
		free(rep->segments[i].members);
		free(rep->segments[i].node_bytes);
	}
	free(rep->segments);
	free(rep->node_shared);
	memset(rep, 0, sizeof(*rep));
}

static int cmp_pair(const void *a, const void *b)
{
	const struct sharing_pair *x = a, *y = b;
	uint64_t bx = x->bytes == UINT64_MAX ? 0 : x->bytes;
	uint64_t by = y->bytes == UINT64_MAX ? 0 : y->bytes;
	int rx = __builtin_popcount(x->res), ry = __builtin_popcount(y->res);

	if (bx != by)
		return bx > by ? -1 : 1;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return UTIL_CMP(x->b, y->b);
}

int sharing_pairs(const struct sharing_report *rep, struct sharing_pair **out, size_t *n)
{
	size_t ns = rep->nspaces, cnt = 0, cap = 0;
	struct sharing_pair *v = NULL;

	*out = NULL;
	*n = 0;
	for (size_t a = 0; a < ns; a++)
		for (size_t b = a + 1; b < ns; b++) {
			struct sharing_pair p = { .a = a, .b = b, .bytes = UINT64_MAX };

			if (rep->both)
				p.bytes = rep->both[a * ns + b];
			for (int r = 0; r < KCMP_RES_COUNT; r++)
				if (rep->res[r] && rep->res[r][a * ns + b] == SHARING_SHARED)
					p.res |= 1u << r;
			if ((p.bytes == 0 || p.bytes == UINT64_MAX) && !p.res)
				continue;
			if (util_grow(&v, &cap, cnt, 64, sizeof(*v))) {
				free(v);
				return -ENOMEM;
			}
			v[cnt++] = p;
		}
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_pair);
	*out = v;
	*n = cnt;
	return 0;
}

static bool has_member(const struct sharing_segment *g, size_t s)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->members[mid] == s)
			return true;
		if (g->members[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void sharing_pair_kinds(const struct sharing_report *rep, struct sharing_pair *p)
{
	memset(p->kind, 0, sizeof(p->kind));
	for (size_t i = 0; i < rep->nsegments; i++) {
		const struct sharing_segment *g = &rep->segments[i];

		if (has_member(g, p->a) && has_member(g, p->b))
			for (int k = 0; k < SHARING_KINDS; k++)
				p->kind[k] += g->kind[k];
	}
}
