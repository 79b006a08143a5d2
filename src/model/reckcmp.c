/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reckcmp.c - the record sink's kcmp groups: which tasks share an address space, a file
 * table, an fs struct or signal handlers, stored for a task when its group changes */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"
#include "model/recint.h"
#include "model/sharing.h"
#include "sample/kcmp.h"

static const enum kcmp_res kept[REC_KCMP_RES] = {
	KCMP_RES_VM, KCMP_RES_FILES, KCMP_RES_FS, KCMP_RES_SIGHAND
};

struct cmp_ctx {
	const pid_t *tids;
	enum kcmp_res res;
};

static int cmp(void *arg, size_t a, size_t b)
{
	const struct cmp_ctx *c = arg;

	return kcmp_compare(c->tids[a], c->tids[b], c->res);
}

/* Each task's group, stored when it is not the one stored last (at first: its main
 * thread's id, the group of a process that shares with no other).
 * A thread is compared with its process's main thread first (one call: the same one but
 * for a thread that called unshare, and always for VM and SIGHAND); the main threads and
 * the threads that differ are sorted into groups. A resource kcmp cannot compare now
 * (denied, a task gone meanwhile, no kcmp) is left for the next memory sample. */
static int put_res(struct recording *r, const pid_t *tids, const size_t *idx,
		   const size_t *lead, size_t n, int res, unsigned long seq, size_t *grp,
		   sqlite3_int64 *first)
{
	struct cmp_ctx c = { .res = kept[res] };
	pid_t *sorted = malloc((n + 1) * sizeof(*sorted));
	size_t *pos = malloc((n + 1) * sizeof(*pos)), *sg = malloc((n + 1) * sizeof(*sg));
	size_t m = 0, ng = 0;
	int rc = sorted && pos && sg ? 0 : -ENOMEM;

	for (size_t k = 0; !rc && k < n; k++) {
		pos[k] = SIZE_MAX;
		if (lead[k] != k) {
			int same = kcmp_compare(tids[k], tids[lead[k]], c.res);

			if (same < 0)
				rc = same;
			if (same <= 0)
				continue;
		}
		pos[k] = m;
		sorted[m++] = tids[k];
	}
	c.tids = sorted;
	if (!rc)
		rc = sharing_group(m, cmp, &c, sg, &ng);
	/* a thread that was its main thread's: the main thread's group */
	for (size_t k = 0; !rc && k < n; k++)
		grp[k] = pos[k] != SIZE_MAX ? sg[pos[k]] : SIZE_MAX;
	for (size_t k = 0; !rc && k < n; k++)
		if (grp[k] == SIZE_MAX)
			grp[k] = grp[lead[k]];
	free(sorted);
	free(sg);
	free(pos);
	if (rc)
		return rc == -ENOMEM ? rc : 0;
	for (size_t g = 0; g < ng; g++)
		first[g] = 0;
	/* a group's id: the lowest id of its tasks, a task counting as its main thread when
	 * that is in the group too; a process that shares with no other then has its main
	 * thread's id, which needs no row (a task is in one group: the ids differ) */
	for (size_t k = 0; k < n; k++) {
		sqlite3_int64 id = r->wt[idx[grp[lead[k]] == grp[k] ? lead[k] : k]].id;

		if (!first[grp[k]] || id < first[grp[k]])
			first[grp[k]] = id;
	}
	for (size_t k = 0; !rc && k < n; k++) {
		struct rec_wtask *w = &r->wt[idx[k]];
		sqlite3_stmt *st = r->st[ST_KCMP];
		sqlite3_int64 was = w->grp[res] ? w->grp[res] : r->wt[idx[lead[k]]].id;

		if (was == first[grp[k]])
			continue;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
		sqlite3_bind_int64(st, 2, w->id);
		sqlite3_bind_int(st, 3, res);
		sqlite3_bind_int64(st, 4, first[grp[k]]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
		if (!rc)
			w->grp[res] = first[grp[k]];
	}
	return rc;
}

int rec_put_kcmp(struct recording *r, const struct snapshot *sn, unsigned long seq)
{
	size_t n = 0, m = sn->ntasks < r->nwt ? sn->ntasks : r->nwt;
	pid_t *tids = malloc((m + 1) * sizeof(*tids));
	size_t *idx = malloc((m + 1) * sizeof(*idx)), *grp = malloc((m + 1) * sizeof(*grp));
	size_t *lead = malloc((m + 1) * sizeof(*lead));
	sqlite3_int64 *first = malloc((m + 1) * sizeof(*first));
	int rc = 0;

	if (!tids || !idx || !grp || !lead || !first) {
		rc = -ENOMEM;
		goto out;
	}
	/* r->wt holds sn's tasks in sn's order; kernel threads have nothing of these */
	for (size_t k = 0; k < m; k++) {
		if (sn->tasks[k].kthread || sn->tasks[k].tid != r->wt[k].tid)
			continue;
		tids[n] = sn->tasks[k].tid;
		idx[n++] = k;
	}
	/* each task's main thread among them (sorted by process: its run), else itself */
	for (size_t k = 0, run = 0; k < n; k++) {
		const struct task *t = &sn->tasks[idx[k]];

		if (k == 0 || sn->tasks[idx[k - 1]].tgid != t->tgid) {
			run = k;
			for (size_t e = k; e < n && sn->tasks[idx[e]].tgid == t->tgid; e++)
				if (sn->tasks[idx[e]].tid == t->tgid)
					run = e;
		}
		lead[k] = run;
	}
	for (int res = 0; !rc && res < REC_KCMP_RES; res++)
		rc = put_res(r, tids, idx, lead, n, res, seq, grp, first);
out:
	free(tids);
	free(idx);
	free(grp);
	free(lead);
	free(first);
	return rc;
}

/* ---- reading them back: the groups at a moment, and what changed between two ---- */

const char *recording_res_name(int res)
{
	static const char *const names[REC_KCMP_RES] = { "VM", "FILES", "FS", "SIGHAND" };

	return res >= 0 && res < REC_KCMP_RES ? names[res] : "?";
}

static bool has_groups(struct recording *r)
{
	sqlite3_stmt *st;
	bool yes;

	if (rec_prepare(r, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kcmp'",
			&st))
		return false;
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int recording_groups(struct recording *r, double when, struct recording_group **out,
		     size_t *n)
{
	static const char sql[] =
		"WITH s(seq) AS (SELECT max(seq) FROM samples WHERE time <= ?1)"
		" SELECT t.tid, t.pid, t.start, coalesce((SELECT l.id FROM task l WHERE"
		" l.tid = t.pid AND l.pid = t.pid AND l.first_seq <= s.seq AND"
		" coalesce(l.last_seq, s.seq) >= s.seq), t.id)"
#define G(res) ", (SELECT grp FROM kcmp k WHERE k.task = t.id AND k.res = " #res \
		" AND k.seq <= s.seq ORDER BY k.seq DESC LIMIT 1)"
		G(0) G(1) G(2) G(3)
#undef G
		" FROM task t, s WHERE t.first_seq <= s.seq AND coalesce(t.last_seq, s.seq) >= s.seq"
		" ORDER BY t.tid, t.start";
	struct recording_group *v = NULL;
	size_t k = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (!has_groups(r))
		return -ENOENT;
	rc = rec_prepare(r, sql, &st);
	if (rc)
		return rc;
	sqlite3_bind_double(st, 1, when);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (util_grow(&v, &cap, k, 256, sizeof(*v))) {
			rc = SQLITE_NOMEM;
			break;
		}
		v[k].tid = rec_col_int(st, 0, 0, INT32_MAX);
		v[k].tgid = rec_col_int(st, 1, 0, INT32_MAX);
		v[k].start = (uint64_t)sqlite3_column_int64(st, 2);
		/* no row: its main thread's group (its process shares with no other) */
		for (int res = 0; res < REC_KCMP_RES; res++)
			v[k].grp[res] = sqlite3_column_type(st, 4 + res) == SQLITE_NULL ?
					sqlite3_column_int64(st, 3) :
					sqlite3_column_int64(st, 4 + res);
		k++;
	}
	return rec_rows_end(r, st, rc, &v, k, out, n);
}

/* A task in both moments: its group before and after. */
struct both {
	int64_t g1, g2;
	pid_t tid, tgid;
};

static int cmp_12(const void *x, const void *y)
{
	const struct both *a = x, *b = y;

	if (a->g1 != b->g1)
		return a->g1 < b->g1 ? -1 : 1;
	if (a->g2 != b->g2)
		return a->g2 < b->g2 ? -1 : 1;
	return (a->tid > b->tid) - (a->tid < b->tid);
}

static int add_change(struct recording_share_change **v, size_t *n,
		      const struct recording_share_change *c)
{
	struct recording_share_change *w = realloc(*v, (*n + 1) * sizeof(*w));

	if (!w)
		return -ENOMEM;
	w[(*n)++] = *c;
	*v = w;
	return 0;
}

/* Groups of g1 (sorted by g1, g2) that are split in g2: each part but the largest, against
 * the largest. With g1 and g2 swapped: groups formed from parts (appeared). */
static int splits(struct both *t, size_t n, int res, bool appeared,
		  struct recording_share_change **v, size_t *nv)
{
	qsort(t, n, sizeof(*t), cmp_12);
	for (size_t i = 0; i < n; ) {
		size_t end = i, big = i, bign = 0;

		while (end < n && t[end].g1 == t[i].g1)
			end++;
		for (size_t k = i; k < end; ) {	/* the largest part */
			size_t e = k;

			while (e < end && t[e].g2 == t[k].g2)
				e++;
			if (e - k > bign) {
				bign = e - k;
				big = k;
			}
			k = e;
		}
		for (size_t k = i; k < end; ) {
			size_t e = k;
			struct recording_share_change c;

			while (e < end && t[e].g2 == t[k].g2)
				e++;
			c = (struct recording_share_change){
				.res = res, .appeared = appeared, .tid = t[k].tid,
				.tgid = t[k].tgid, .more = e - k - 1, .with_tid = t[big].tid,
				.with_tgid = t[big].tgid, .with_more = bign - 1 };
			if (k != big && add_change(v, nv, &c))
				return -ENOMEM;
			k = e;
		}
		i = end;
	}
	return 0;
}

/* New tasks of b in a group with a task of another process. */
static int newcomers(const struct recording_group *a, size_t na,
		     const struct recording_group *b, size_t nb, int res,
		     struct recording_share_change **v, size_t *nv)
{
	for (size_t i = 0, j = 0; i < nb; i++) {
		const struct recording_group *x = &b[i];
		struct recording_share_change c = { .res = res, .appeared = true };

		while (j < na && (a[j].tid < x->tid ||
				  (a[j].tid == x->tid && a[j].start < x->start)))
			j++;
		if ((j < na && a[j].tid == x->tid && a[j].start == x->start) || !x->grp[res] ||
		    x->tid != x->tgid)
			continue;	/* not new, not known, or a thread (its process says it) */
		for (size_t k = 0; k < nb && !c.with_tid; k++)
			if (b[k].grp[res] == x->grp[res] && b[k].tgid != x->tgid) {
				c.with_tid = b[k].tid;
				c.with_tgid = b[k].tgid;
			}
		c.tid = x->tid;
		c.tgid = x->tgid;
		if (c.with_tid && add_change(v, nv, &c))
			return -ENOMEM;
	}
	return 0;
}

int recording_sharing_diff(const struct recording_group *a, size_t na,
			   const struct recording_group *b, size_t nb,
			   struct recording_share_change **out, size_t *n)
{
	struct both *t = malloc((na < nb ? na : nb) * sizeof(*t) + sizeof(*t));
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!t)
		return -ENOMEM;
	for (int res = 0; !rc && res < REC_KCMP_RES; res++) {
		size_t m = 0;

		for (size_t i = 0, j = 0; i < na && j < nb; ) {
			int c = a[i].tid != b[j].tid ? (a[i].tid < b[j].tid ? -1 : 1) :
				a[i].start != b[j].start ? (a[i].start < b[j].start ? -1 : 1) : 0;

			if (!c && a[i].grp[res] && b[j].grp[res])
				t[m++] = (struct both){ .g1 = a[i].grp[res], .g2 = b[j].grp[res],
							.tid = a[i].tid, .tgid = a[i].tgid };
			i += c <= 0;
			j += c >= 0;
		}
		rc = splits(t, m, res, false, out, n);
		for (size_t k = 0; !rc && k < m; k++) {
			int64_t g = t[k].g1;

			t[k].g1 = t[k].g2;
			t[k].g2 = g;
		}
		if (!rc)
			rc = splits(t, m, res, true, out, n);
		if (!rc)
			rc = newcomers(a, na, b, nb, res, out, n);
	}
	free(t);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
