/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reckcmp.c - the record sink's kcmp groups: which tasks share an address space, a file
 * table, an fs struct or signal handlers, stored for a task when its group changes */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

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

/* Each task's group as the id of its first task (the lowest id), stored when it changed.
 * A resource kcmp cannot compare now (denied, a task gone meanwhile, no kcmp) is left for
 * the next memory sample. */
static int put_res(struct recording *r, const pid_t *tids, const size_t *idx, size_t n,
		   int res, unsigned long seq, size_t *grp, sqlite3_int64 *first)
{
	struct cmp_ctx c = { .tids = tids, .res = kept[res] };
	size_t ng = 0;
	int rc = sharing_group(n, cmp, &c, grp, &ng);

	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 0;
	for (size_t g = 0; g < ng; g++)
		first[g] = 0;
	for (size_t k = 0; k < n; k++) {
		sqlite3_int64 id = r->wt[idx[k]].id;

		if (!first[grp[k]] || id < first[grp[k]])
			first[grp[k]] = id;
	}
	for (size_t k = 0; !rc && k < n; k++) {
		struct rec_wtask *w = &r->wt[idx[k]];
		sqlite3_stmt *st = r->st[ST_KCMP];

		if (w->grp[res] == first[grp[k]])
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
	sqlite3_int64 *first = malloc((m + 1) * sizeof(*first));
	int rc = 0;

	if (!tids || !idx || !grp || !first) {
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
	for (int res = 0; !rc && res < REC_KCMP_RES; res++)
		rc = put_res(r, tids, idx, n, res, seq, grp, first);
out:
	free(tids);
	free(idx);
	free(grp);
	free(first);
	return rc;
}
