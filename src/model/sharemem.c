/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharemem.c - which physical pages address spaces share: exact from PFNs, or estimated
 *
 * Exact (CAP_SYS_ADMIN): every present page of every address space gives its page frame
 * number; each space's frames are sorted and made distinct (one array of 8-byte values per
 * space: memory proportional to the targets' RSS), and one k-way merge of the sorted
 * arrays finds, frame by frame, which spaces map it: the pairwise "bytes both map", what a
 * space alone maps, and, from kpagecount (mappings in the whole system) and kpageflags,
 * what exiting would free and what kind the shared pages are.
 *
 * Estimate (no PFNs): a page mapped only once in the system has pagemap's "exclusively
 * mapped" bit. The others are keyed by what they are likely to be: a file (or shmem) page
 * by (file, page offset) - the page cache has one page per offset, so two mappers of the
 * same file page share it; a private anonymous page by its virtual address - after
 * fork() parent and child share copy-on-write pages at the same addresses. The same merge
 * then pairs the keys.
 *
 * This file: the sorted sets and their merge, the segments (the pages of each set of
 * spaces), the estimate and the whole memory part; sharememread.c reads one address space
 * (keys, frame bitmaps, kpage*), sharememexact.c merges the frames (sorted sets or
 * bitmaps). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "model/sharemem.h"
#include "model/sharememint.h"
#include "sample/pagemap.h"

/* ---- sorted sets ------------------------------------------------------------------------- */

#define RADIX_BITS	11	/* 2048 buckets: 3 passes sort the 25-bit keys of 24 GiB */

void sharemem_sort(uint64_t *v, size_t n, uint64_t *tmp)
{
	static const uint64_t digit = (1u << RADIX_BITS) - 1;
	uint64_t max = 0, *src = v, *dst = tmp;
	size_t count[1u << RADIX_BITS];

	for (size_t i = 0; i < n; i++)
		max |= v[i];
	for (unsigned shift = 0; shift < 64 && (max >> shift); shift += RADIX_BITS) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & digit]++;
		if (count[(src[0] >> shift) & digit] == n)
			continue;	/* one digit for all: nothing to move */
		for (size_t d = 0; d <= digit; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & digit]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

size_t sharemem_dedup(uint64_t *v, size_t n, uint64_t mask, bool mult)
{
	size_t w = 0;

	for (size_t i = 0; i < n;) {
		uint64_t key = v[i] & mask, extra = v[i] & ~mask;
		size_t j = i + 1;

		while (j < n && (v[j] & mask) == key)
			extra &= v[j++];
		v[w] = key | extra;
		if (mult)
			v[w] |= (uint64_t)(j - i > 511 ? 511 : j - i) << 55;
		w++;
		i = j;
	}
	return w;
}

struct head {
	uint64_t key;
	size_t set;
};

static void heap_down(struct head *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && (h[l].key < h[m].key || (h[l].key == h[m].key && h[l].set < h[m].set)))
			m = l;
		if (r < n && (h[r].key < h[m].key || (h[r].key == h[m].key && h[r].set < h[m].set)))
			m = r;
		if (m == i)
			return;
		struct head t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

int sharemem_merge(const struct sharemem_set *sets, size_t nsets, uint64_t mask,
		   sharemem_visit_fn fn, void *ctx)
{
	struct head *h = malloc((nsets ? nsets : 1) * sizeof(*h));
	size_t *pos = calloc(nsets ? nsets : 1, sizeof(*pos));
	size_t *who = malloc((nsets ? nsets : 1) * sizeof(*who));
	uint64_t *raw = malloc((nsets ? nsets : 1) * sizeof(*raw));
	size_t nh = 0;

	if (!h || !pos || !who || !raw) {
		free(h);
		free(pos);
		free(who);
		free(raw);
		return -ENOMEM;
	}
	for (size_t s = 0; s < nsets; s++)
		if (sets[s].n)
			h[nh++] = (struct head){ sets[s].v[0] & mask, s };
	for (size_t i = nh / 2; i-- > 0;)
		heap_down(h, nh, i);
	while (nh) {
		uint64_t key = h[0].key;
		size_t k = 0;

		/* the heap gives equal keys in set order: who[] comes out ascending */
		while (nh && h[0].key == key) {
			size_t s = h[0].set;

			who[k] = s;
			raw[k++] = sets[s].v[pos[s]];
			if (++pos[s] < sets[s].n)
				h[0].key = sets[s].v[pos[s]] & mask;
			else
				h[0] = h[--nh];
			heap_down(h, nh, 0);
		}
		fn(ctx, key, who, raw, k);
	}
	free(h);
	free(pos);
	free(who);
	free(raw);
	return 0;
}


/* ---- segments: the pages of each set of spaces ------------------------------------------ */

static uint64_t seg_hash(const size_t *m, size_t n)
{
	uint64_t h = n;

	for (size_t i = 0; i < n; i++)
		h = mix64(h ^ (m[i] + 1));
	return h;
}

static bool seg_is(const struct sharing_segment *g, const size_t *m, size_t n)
{
	return g->n == n && !memcmp(g->members, m, n * sizeof(*m));
}

static int seg_grow(struct segtab *t)
{
	size_t nn = t->nslot ? t->nslot * 2 : 256;
	size_t *ns = calloc(nn, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < t->rep->nsegments; i++) {
		const struct sharing_segment *g = &t->rep->segments[i];
		size_t at = seg_hash(g->members, g->n) & (nn - 1);

		while (ns[at])
			at = (at + 1) & (nn - 1);
		ns[at] = i + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->nslot = nn;
	return 0;
}

struct sharing_segment *sharemem_seg_find(struct segtab *t, const size_t *m, size_t n)
{
	struct sharing_report *rep = t->rep;
	struct sharing_segment *g;
	size_t at;

	if (t->last < rep->nsegments && seg_is(&rep->segments[t->last], m, n))
		return &rep->segments[t->last];
	if ((rep->nsegments + 1) * 2 > t->nslot && (t->err = seg_grow(t)))
		return NULL;
	at = seg_hash(m, n) & (t->nslot - 1);
	while (t->slot[at]) {
		g = &rep->segments[t->slot[at] - 1];
		if (seg_is(g, m, n)) {
			t->last = t->slot[at] - 1;
			return g;
		}
		at = (at + 1) & (t->nslot - 1);
	}
	if (util_grow(&rep->segments, &t->cap, rep->nsegments, 16, sizeof(*rep->segments))) {
		t->err = -ENOMEM;
		return NULL;
	}
	g = &rep->segments[rep->nsegments];
	memset(g, 0, sizeof(*g));
	g->members = malloc(n * sizeof(*m));
	if (!g->members) {
		t->err = -ENOMEM;
		return NULL;
	}
	memcpy(g->members, m, n * sizeof(*m));
	g->n = n;
	t->slot[at] = rep->nsegments + 1;
	t->last = rep->nsegments++;
	return g;
}

struct sharing_segment *sharemem_seg_of(struct segtab *t, const size_t *space_of,
					const size_t *who, size_t k, size_t *buf)
{
	for (size_t i = 0; i < k; i++)
		buf[i] = space_of[who[i]];
	return sharemem_seg_find(t, buf, k);
}

static int cmp_segment(const void *a, const void *b)
{
	const struct sharing_segment *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->n < y->n) - (x->n > y->n);
}

/* Each pair's bytes from the segments; the segments ranked. */
static void seg_finish(struct sharing_report *rep)
{
	size_t ns = rep->nspaces;

	for (size_t i = 0; i < rep->nsegments; i++) {
		const struct sharing_segment *g = &rep->segments[i];

		for (size_t x = 0; x < g->n; x++)
			for (size_t y = x + 1; y < g->n; y++) {
				rep->both[g->members[x] * ns + g->members[y]] += g->bytes;
				rep->both[g->members[y] * ns + g->members[x]] += g->bytes;
			}
	}
	if (rep->nsegments > 1)
		qsort(rep->segments, rep->nsegments, sizeof(*rep->segments), cmp_segment);
}

/* ---- estimate ---------------------------------------------------------------------------- */

struct estimate_ctx {
	struct sharing_report *rep;
	const size_t *space_of;
	struct segtab *seg;
	size_t *buf;
	int err;
};

static void count_key(void *p, uint64_t key, const size_t *who, const uint64_t *raw, size_t k)
{
	struct estimate_ctx *c = p;
	struct sharing_segment *g;
	uint64_t ps = c->rep->page_size;

	(void)raw;
	if (k < 2 || c->err)
		return;
	g = sharemem_seg_of(c->seg, c->space_of, who, k, c->buf);
	if (!g) {
		c->err = c->seg->err;
		return;
	}
	g->bytes += ps;
	g->kind[key >> KEY_PAGE_BITS ? SHARING_FILE : SHARING_ANON] += ps;
}

/* The pair matrix: unknown where a space could not be read, a space's RSS on the diagonal. */
static void both_finish(struct sharing_report *rep)
{
	size_t ns = rep->nspaces;

	for (size_t a = 0; a < ns; a++) {
		for (size_t b = 0; b < ns; b++)
			if (rep->spaces[a].mem_rc || rep->spaces[b].mem_rc)
				rep->both[a * ns + b] = UNKNOWN;
		if (!rep->spaces[a].mem_rc)
			rep->both[a * ns + a] = rep->spaces[a].rss;
	}
}

/* The sizes of each space read, from the estimate's counts. */
static void estimate_sizes(struct sharing_report *rep, const struct sharemem_read *sr)
{
	for (size_t s = 0; s < rep->nspaces; s++) {
		struct sharing_space *sp = &rep->spaces[s];

		if (sp->mem_rc)
			continue;
		sp->rss = sr[s].present * rep->page_size;
		sp->frees = sr[s].excl_anon * rep->page_size;
		sp->kind[SHARING_ANON] = sr[s].nonexcl_anon * rep->page_size;
		sp->kind[SHARING_FILE] = sr[s].nonexcl_file * rep->page_size;
		sp->shared = sp->kind[SHARING_ANON] + sp->kind[SHARING_FILE];
		sp->kinds_known = true;
	}
}

/* Bitmaps of physical frames: as root, for a few spaces, when they fit. */
static bool use_frames(const struct sharemem_reader *rd, size_t ns)
{
	long phys = sysconf(_SC_PHYS_PAGES);

	return rd->exact && ns <= FRAMES_MAX_SPACES && phys > 0 &&
	       ns * ((uint64_t)phys / 8) <= FRAMES_MAX_BYTES;
}

/* Read every space's pages (a space that cannot be read keeps its mem_rc and nothing
 * else); *maxn the most keys of one. 0 or -ENOMEM. */
static int read_spaces(int rootfd, struct sharemem_reader *rd, struct sharing_report *rep,
		       struct sharemem_read *sr, struct sharemem_frames *fbs, bool *scanned,
		       size_t *maxn)
{
	for (size_t s = 0; s < rep->nspaces; s++) {
		struct sharing_space *sp = &rep->spaces[s];

		if (sp->kernel) {
			sp->mem_rc = -EOPNOTSUPP;
			continue;
		}
		rd->frames = fbs ? &fbs[s] : NULL;
		sp->mem_rc = sharemem_read_space(rootfd, rd, rep, s, &sr[s], scanned);
		if (sp->mem_rc == -ENOMEM) {
			rd->frames = NULL;
			return -ENOMEM;
		}
		if (sp->mem_rc) {
			free(sr[s].keys.v);
			memset(&sr[s], 0, sizeof(sr[s]));
			if (fbs)
				sharemem_frames_free(&fbs[s]);
			continue;
		}
		rep->pages += sr[s].present;
		if (sr[s].keys.n > *maxn)
			*maxn = sr[s].keys.n;
	}
	rd->frames = NULL;
	return 0;
}

/* ---- the whole memory part --------------------------------------------------------------- */

/* Exact: which NUMA node each shared frame is on (sysfs memory blocks), when sysfs says. */
static int load_nodes(struct sharing_report *rep, const struct sharemem_reader *rd,
		      struct physnode *pn, struct segtab *seg)
{
	if (!rd->exact || physnode_load(pn) || !pn->nnodes)
		return 0;
	rep->node_shared = calloc(rep->nspaces * (size_t)pn->nnodes, sizeof(*rep->node_shared));
	if (!rep->node_shared)
		return -ENOMEM;
	rep->nnodes = pn->nnodes;
	seg->pn = pn;
	return 0;
}

int sharemem_collect(int rootfd, struct sharing_report *rep)
{
	size_t ns = rep->nspaces, nuser = 0, nsets = 0;
	struct sharemem_reader rd;
	struct segtab seg = { .rep = rep, .last = SIZE_MAX };
	struct physnode pn = { 0 };
	struct sharemem_frames *fbs = NULL;
	size_t *segbuf = NULL;
	struct sharemem_read *sr = NULL;
	struct sharemem_set *sets = NULL;
	size_t *space_of = NULL;
	uint64_t *tmp = NULL;
	size_t maxn = 0;
	bool scanned = true;
	int rc = 0;

	for (size_t s = 0; s < ns; s++)
		nuser += !rep->spaces[s].kernel;
	rep->method = SHARING_NO_MEMORY;
	rep->together = UINT64_MAX;
	if (nuser < 2)
		return 0;
	rc = pagemap_pfns_visible(rootfd);
	if (sharemem_reader_init(&rd, rc == 1, rep->page_size))
		return -ENOMEM;
	rep->method = rd.exact ? SHARING_EXACT : SHARING_ESTIMATE;
	rep->both = calloc(ns * ns, sizeof(*rep->both));
	sr = calloc(ns, sizeof(*sr));
	sets = calloc(ns, sizeof(*sets));
	space_of = calloc(ns, sizeof(*space_of));
	segbuf = calloc(ns, sizeof(*segbuf));
	if (!rep->both || !sr || !sets || !space_of || !segbuf) {
		rc = -ENOMEM;
		goto out;
	}
	rc = load_nodes(rep, &rd, &pn, &seg);
	if (rc)
		goto out;
	/* a few spaces, as root: bitmaps of physical frames, if they fit */
	if (use_frames(&rd, ns) && !(fbs = calloc(ns, sizeof(*fbs)))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = read_spaces(rootfd, &rd, rep, sr, fbs, &scanned, &maxn);
	if (rc)
		goto out;
	rep->scanned = scanned;
	if (fbs) {
		rc = sharemem_frames_merge(rootfd, rep, fbs, sr, &seg, segbuf);
		goto merged;
	}
	/* sort each space's keys, make them distinct, and hand them to the merge */
	tmp = malloc((maxn ? maxn : 1) * sizeof(*tmp));
	if (!tmp) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t s = 0; s < ns; s++) {
		if (rep->spaces[s].mem_rc)
			continue;
		sharemem_sort(sr[s].keys.v, sr[s].keys.n, tmp);
		sr[s].keys.n = sharemem_dedup(sr[s].keys.v, sr[s].keys.n, rd.exact ?
					      SHAREMEM_FRAME_MASK : UINT64_MAX, rd.exact);
		sets[nsets] = sr[s].keys;
		space_of[nsets++] = s;
	}
	free(tmp);
	tmp = NULL;
	if (rd.exact) {
		rc = sharemem_exact_merge(rootfd, rep, sets, space_of, nsets, &seg, segbuf);
	} else {
		struct estimate_ctx c = { .rep = rep, .space_of = space_of, .seg = &seg,
					  .buf = segbuf };

		rc = sharemem_merge(sets, nsets, UINT64_MAX, count_key, &c);
		if (!rc)
			rc = c.err;
		estimate_sizes(rep, sr);
	}
merged:
	if (rc)
		goto out;
	seg_finish(rep);
	both_finish(rep);
out:
	for (size_t s = 0; s < ns && sr; s++)
		free(sr[s].keys.v);
	free(sr);
	free(sets);
	free(space_of);
	free(tmp);
	free(seg.slot);
	free(segbuf);
	for (size_t s = 0; fbs && s < ns; s++)
		sharemem_frames_free(&fbs[s]);
	free(fbs);
	physnode_free(&pn);
	sharemem_reader_free(&rd);
	return rc;
}
