/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharinggroup.c - grouping tasks by a total order of a shared resource (kcmp's), the
 * matrix cells of two groups, and the spaces' labels (A, B, ... AA) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "sample/kcmp.h"

void sharing_label(size_t i, char *buf, size_t len)
{
	char tmp[16];
	size_t n = 0;

	/* bijective base 26: A..Z, AA..ZZ, AAA.. */
	do {
		tmp[n++] = (char)('A' + i % 26);
		i = i / 26;
	} while (i-- > 0 && n < sizeof(tmp));
	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;
	for (size_t k = 0; k < n; k++)
		buf[k] = tmp[n - 1 - k];
	buf[n] = '\0';
}

/* ---- grouping ---------------------------------------------------------------------------- */

struct group_sort {
	sharing_cmp_fn cmp;
	void *ctx;
	int err;
	bool unordered;
};

/* -1, 0, 1 as a sort wants; an error or "unordered" is kept and the index order used */
static int group_order(struct group_sort *g, size_t a, size_t b)
{
	int r;

	if (a == b)
		return 0;
	if (!g->err && !g->unordered) {
		r = g->cmp(g->ctx, a, b);
		if (r < 0)
			g->err = r;
		else if (r == 3 || r > 3)
			g->unordered = true;
		else
			return r == 0 ? 0 : r == 1 ? -1 : 1;
	}
	return UTIL_CMP(a, b);
}

/* Merge sort of indices: never reads out of bounds, even if the order is inconsistent
 * (a task that changes between two calls). */
static void group_msort(struct group_sort *g, size_t *v, size_t *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	group_msort(g, v, tmp, mid);
	group_msort(g, v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = group_order(g, v[i], v[j]) <= 0 ? v[i++] : v[j++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* Without an order: compare each item with the first item of each group so far. */
static int group_linear(size_t n, sharing_cmp_fn cmp, void *ctx, size_t *group,
			size_t *ngroups)
{
	size_t *first = malloc((n ? n : 1) * sizeof(*first));
	size_t ng = 0;

	if (!first)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t g;

		for (g = 0; g < ng; g++) {
			int r = cmp(ctx, first[g], i);

			if (r < 0) {
				free(first);
				return r;
			}
			if (r == 0)
				break;
		}
		if (g == ng)
			first[ng++] = i;
		group[i] = g;
	}
	free(first);
	*ngroups = ng;
	return 0;
}

int sharing_group(size_t n, sharing_cmp_fn cmp, void *ctx, size_t *group, size_t *ngroups)
{
	struct group_sort g = { .cmp = cmp, .ctx = ctx };
	size_t *order, *tmp, ng = 0;
	int rc = 0;

	*ngroups = 0;
	if (n == 0)
		return 0;
	order = malloc(n * sizeof(*order));
	tmp = malloc(n * sizeof(*tmp));
	if (!order || !tmp) {
		free(order);
		free(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	group_msort(&g, order, tmp, n);
	if (g.err) {
		rc = g.err;
	} else if (g.unordered) {
		rc = group_linear(n, cmp, ctx, group, ngroups);
	} else {
		/* equal items are now adjacent: a new group where a neighbour differs */
		group[order[0]] = 0;
		for (size_t i = 1; i < n && !rc; i++) {
			int r = cmp(ctx, order[i - 1], order[i]);

			if (r < 0)
				rc = r;
			else
				group[order[i]] = r == 0 ? ng : ++ng;
		}
		if (!rc)
			*ngroups = ng + 1;
	}
	free(order);
	free(tmp);
	return rc;
}

enum sharing_cell sharing_cell_of(const size_t *ga, size_t na, const size_t *gb, size_t nb,
				  bool self, size_t none)
{
	size_t i = 0, j = 0;

	if (!na || (!self && !nb))
		return SHARING_UNKNOWN;
	if (self)
		return na > 1 ? SHARING_PARTLY : ga[0] == none ? SHARING_NONE : SHARING_SHARED;
	if (na == 1 && nb == 1 && ga[0] == gb[0])
		return ga[0] == none ? SHARING_NONE : SHARING_SHARED;
	while (i < na && j < nb) {
		if (ga[i] == gb[j])
			return SHARING_PARTLY;
		if (ga[i] < gb[j])
			i++;
		else
			j++;
	}
	return SHARING_SEPARATE;
}

/* ---- tasks grouped by one kcmp resource ---------------------------------------------------- */

struct kcmp_ctx {
	const pid_t *tids;
	enum kcmp_res res;
};

static int cmp_tasks(void *p, size_t a, size_t b)
{
	const struct kcmp_ctx *c = p;

	return kcmp_compare(c->tids[a], c->tids[b], c->res);
}

int sharing_kcmp_group(const pid_t *tids, size_t n, enum kcmp_res res, size_t *group,
		       size_t *ngroups)
{
	struct kcmp_ctx c = { .tids = tids, .res = res };

	return sharing_group(n, cmp_tasks, &c, group, ngroups);
}

int sharing_address_spaces(pid_t *tids, size_t n, size_t *grp, uint64_t *count)
{
	size_t ng = 0;
	int rc = sharing_kcmp_group(tids, n, KCMP_RES_VM, grp, &ng);

	if (rc == -ESRCH) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (kcmp_compare(tids[i], tids[i], KCMP_RES_VM) != -ESRCH)
				tids[k++] = tids[i];
		rc = sharing_kcmp_group(tids, k, KCMP_RES_VM, grp, &ng);
	}
	*count = ng;
	return rc;
}
