/* SPDX-License-Identifier: GPL-2.0-or-later */
/* smapsnuma.c - the parsers of /proc/PID/numa_maps: pages per node of each mapping, and
 * a process's resident bytes per node */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "sample/smaps.h"

#define SMAPS_MAX_NODES		4096		/* MAX_NUMNODES is at most 1024 */

static struct smaps_vma *find_vma(struct smaps_map *map, uint64_t start)
{
	size_t lo = 0, hi = map->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->vma[mid].start == start)
			return &map->vma[mid];
		if (map->vma[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The node counts of one numa_maps line: pages per node (a small array in place, a larger
 * one on the heap), the highest node with a count + 1, and the line's page size. */
struct numa_line {
	uint64_t start, pagesize;
	uint64_t local[64];
	uint64_t *pages;	/* local, or malloc'ed when a node number is past it */
	size_t nnodes, cap;
};

static void numa_line_release(struct numa_line *l)
{
	if (l->pages != l->local)
		free(l->pages);
	l->pages = l->local;
}

/* "START POLICY [file=...] [anon=N] ... N0=3 N1=5 kernelpagesize_kB=4": tokens are
 * separated by single spaces; file names have their spaces and '=' escaped (\040). */
static int numa_line_parse(const char *p, const char *end, struct numa_line *l)
{
	int rc;

	l->pagesize = 0;
	l->nnodes = 0;
	l->cap = ARRAY_SIZE(l->local);
	l->pages = l->local;
	memset(l->local, 0, sizeof(l->local));
	rc = util_span_hex(&p, end, &l->start);
	if (rc)
		return rc;
	if (p < end && *p != ' ')
		return -EINVAL;
	while (p < end) {
		const char *tok, *te, *q;
		uint64_t node, n;

		p++;	/* the space */
		tok = p;
		te = memchr(p, ' ', (size_t)(end - p));
		if (!te)
			te = end;
		p = te;
		if (te - tok > 17 && !memcmp(tok, "kernelpagesize_kB=", 18)) {
			q = tok + 18;
			rc = util_span_dec(&q, te, &n);
			if (rc || q != te)
				return rc ? rc : -EINVAL;
			if (n > UINT64_MAX / 1024)
				return -ERANGE;
			l->pagesize = n * 1024;
			continue;
		}
		if (te - tok < 4 || tok[0] != 'N' || tok[1] < '0' || tok[1] > '9')
			continue;	/* policy, file=, anon=, dirty=, ...: not needed */
		q = tok + 1;
		rc = util_span_dec(&q, te, &node);
		if (!rc && (q == te || *q != '='))
			rc = -EINVAL;
		if (!rc) {
			q++;
			rc = util_span_dec(&q, te, &n);
			if (!rc && q != te)
				rc = -EINVAL;
		}
		if (rc)
			return rc;
		if (node >= SMAPS_MAX_NODES)
			return -ERANGE;
		if (node >= l->cap) {
			size_t nc = l->cap;
			uint64_t *np;

			while (nc <= node)
				nc *= 2;
			np = l->pages == l->local ? malloc(nc * sizeof(*np))
						  : realloc(l->pages, nc * sizeof(*np));
			if (!np)
				return -ENOMEM;
			if (l->pages == l->local)
				memcpy(np, l->local, sizeof(l->local));
			memset(np + l->cap, 0, (nc - l->cap) * sizeof(*np));
			l->pages = np;
			l->cap = nc;
		}
		l->pages[node] = n;
		if (node + 1 > l->nnodes)
			l->nnodes = (size_t)node + 1;
	}
	return 0;
}

static int parse_numa_line(const char *p, const char *end, struct smaps_map *map)
{
	struct numa_line l;
	struct smaps_vma *v;
	int rc = numa_line_parse(p, end, &l);

	if (rc)
		goto out;
	v = find_vma(map, l.start);
	if (v) {
		/* at least one element, so that a VMA with no pages is not "not read" */
		free(v->node_pages);
		v->node_pages = calloc(l.nnodes ? l.nnodes : 1, sizeof(uint64_t));
		if (!v->node_pages) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(v->node_pages, l.pages, l.nnodes * sizeof(uint64_t));
		v->nnodes = (int)l.nnodes;
		v->node_pagesize = l.pagesize;
	}
out:
	numa_line_release(&l);
	return rc;
}

int smaps_parse_numa(const char *buf, size_t len, struct smaps_map *map)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int rc;

		if (!nl)
			break;	/* a line cut short: its VMA keeps no node counts */
		rc = parse_numa_line(p, nl, map);
		if (rc)
			return rc;
		p = nl + 1;
	}
	return 0;
}

/* The per-node sums of a whole numa_maps file: what numastat -p shows for a process. */
void smaps_numa_free(struct smaps_numa *n)
{
	if (!n)
		return;
	free(n->bytes);
	memset(n, 0, sizeof(*n));
}

static int numa_add(struct smaps_numa *out, const struct numa_line *l, uint64_t pagesize)
{
	if (l->nnodes > out->nnodes) {
		uint64_t *b = realloc(out->bytes, l->nnodes * sizeof(*b));

		if (!b)
			return -ENOMEM;
		memset(b + out->nnodes, 0, (l->nnodes - out->nnodes) * sizeof(*b));
		out->bytes = b;
		out->nnodes = l->nnodes;
	}
	for (size_t i = 0; i < l->nnodes; i++) {
		uint64_t add;

		if (!l->pages[i])
			continue;
		if (l->pages[i] > UINT64_MAX / pagesize)
			return -ERANGE;
		add = l->pages[i] * pagesize;
		if (add > UINT64_MAX - out->bytes[i] || add > UINT64_MAX - out->total)
			return -ERANGE;
		out->bytes[i] += add;
		out->total += add;
	}
	return 0;
}

int smaps_parse_numa_nodes(const char *buf, size_t len, uint64_t pagesize,
			   struct smaps_numa *out)
{
	const char *p = buf, *end = buf + len;
	bool first = true;
	uint64_t last = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!pagesize)
		return -EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct numa_line l;

		if (!nl) {
			out->truncated = true;	/* a line cut short: left out */
			break;
		}
		rc = numa_line_parse(p, nl, &l);
		if (!rc && !first && l.start <= last) {
			/* a racy read shows a mapping again: count it once */
			out->dropped_repeats++;
		} else if (!rc) {
			rc = numa_add(out, &l, l.pagesize ? l.pagesize : pagesize);
			first = false;
			last = l.start;
		}
		numa_line_release(&l);
		if (rc)
			break;
		p = nl + 1;
	}
	if (rc)
		smaps_numa_free(out);
	return rc;
}
