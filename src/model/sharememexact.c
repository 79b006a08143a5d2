/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharememexact.c - exact sharing: the address spaces' frames merged (sorted sets, or the
 * frame bitmaps of a few spaces), with each shared frame's kind and mappings from
 * kpageflags and kpagecount (see sharemem.c) */
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

/* ---- exact: the frames, merged ----------------------------------------------------------- */

/*
 * A frame only one space maps frees on exit when it is anonymous and mapped once in the
 * whole system: pagemap's flags tell that, no kpage* read needed. A frame two or more map
 * is looked up in kpageflags (its kind) and kpagecount (its mappings in the whole system):
 * those reads cost the kernel about as much per frame as pagemap's, so they are kept to
 * the shared frames.
 */
struct exact_ctx {
	struct sharing_report *rep;
	const size_t *space_of;		/* set index -> space */
	uint64_t *uni;			/* the frames two or more spaces map, ascending */
	size_t nuni, cap;
	const uint64_t *flags, *counts;	/* per shared frame, or NULL */
	size_t at;
	int err;
	struct segtab *seg;
	size_t *buf;			/* nspaces */
};

static void collect_shared(void *p, uint64_t key, const size_t *who, const uint64_t *raw,
			   size_t k)
{
	struct exact_ctx *c = p;

	(void)who;
	(void)raw;
	if (c->err || k < 2)
		return;
	c->err = util_grow(&c->uni, &c->cap, c->nuni, 4096, sizeof(*c->uni));
	if (c->err)
		return;
	c->uni[c->nuni++] = key >> 2;
}

/* The kinds of a frame with kpageflags f, added to kind[]. */
static void add_kinds(uint64_t *kind, uint64_t f, uint64_t ps)
{
	if (f & (UINT64_C(1) << KPF_ANON))
		kind[SHARING_ANON] += ps;
	else if (f & (UINT64_C(1) << KPF_SWAPBACKED))
		kind[SHARING_SHMEM] += ps;
	else
		kind[SHARING_FILE] += ps;
	if (f & (UINT64_C(1) << KPF_KSM))
		kind[SHARING_KSM] += ps;
	if (f & (UINT64_C(1) << KPF_THP))
		kind[SHARING_THP] += ps;
	if (f & (UINT64_C(1) << KPF_SWAPBACKED))
		kind[SHARING_SWAPBACKED] += ps;
}

/* Shared frame pfn of segment g: its node's bytes, the segment's and each member's */
static int add_node(struct sharing_report *rep, const struct segtab *seg,
		    struct sharing_segment *g, uint64_t pfn, uint64_t ps)
{
	int n;

	if (!seg->pn || !rep->nnodes)
		return 0;
	n = physnode_of_pfn(seg->pn, pfn, rep->page_size);
	if (n < 0 || n >= rep->nnodes) {
		rep->node_unknown += ps;
		return 0;
	}
	if (!g->node_bytes && !(g->node_bytes = calloc((size_t)rep->nnodes, sizeof(uint64_t))))
		return -ENOMEM;
	g->node_bytes[n] += ps;
	for (size_t i = 0; i < g->n; i++)
		rep->node_shared[g->members[i] * (size_t)rep->nnodes + (size_t)n] += ps;
	return 0;
}

static void count_frame(void *p, uint64_t key, const size_t *who, const uint64_t *raw,
			size_t k)
{
	struct exact_ctx *c = p;
	struct sharing_report *rep = c->rep;
	struct sharing_segment *g;
	uint64_t ps = rep->page_size, f = 0, mappings = 0;

	if (k == 1) {
		struct sharing_space *sp = &rep->spaces[c->space_of[who[0]]];

		sp->rss += ps;
		sp->only += ps;
		if ((raw[0] & (SHAREMEM_ANON | SHAREMEM_EXCL)) == (SHAREMEM_ANON | SHAREMEM_EXCL) &&
		    sharemem_mult(raw[0]) <= 1)
			sp->frees += ps;
		return;
	}
	if (c->err)
		return;
	if (c->flags) {
		size_t at = c->at++;

		f = c->flags[at];
		if (f & (UINT64_C(1) << KPF_ZERO_PAGE)) {
			rep->zero_pages += k;
			return;
		}
		for (size_t i = 0; i < k; i++)
			mappings += sharemem_mult(raw[i]) ? sharemem_mult(raw[i]) : 1;
		if ((f & (UINT64_C(1) << KPF_ANON)) && c->counts[at] <= mappings)
			rep->together += ps;
	}
	for (size_t i = 0; i < k; i++) {
		struct sharing_space *sp = &rep->spaces[c->space_of[who[i]]];

		sp->rss += ps;
		sp->shared += ps;
		if (c->flags)
			add_kinds(sp->kind, f, ps);
	}
	/* the pairs' bytes come from the segments at the end: k^2 work per segment, not
	 * per page */
	g = sharemem_seg_of(c->seg, c->space_of, who, k, c->buf);
	if (!g) {
		c->err = c->seg->err;
		return;
	}
	g->bytes += ps;
	if (c->flags)
		add_kinds(g->kind, f, ps);
	c->err = add_node(rep, c->seg, g, (key & SHAREMEM_FRAME_MASK) >> 2, ps);
}

int sharemem_exact_merge(int rootfd, struct sharing_report *rep, const struct sharemem_set *sets,
			 const size_t *space_of, size_t nsets, struct segtab *seg, size_t *buf)
{
	struct exact_ctx c = { .rep = rep, .space_of = space_of, .seg = seg, .buf = buf };
	struct pagemap_kpage kp = { -1, -1 };
	uint64_t *flags = NULL, *counts = NULL;
	int rc;

	rc = sharemem_merge(sets, nsets, SHAREMEM_FRAME_MASK, collect_shared, &c);
	if (!rc)
		rc = c.err;
	if (rc)
		goto out;
	rep->kpage_rc = pagemap_kpage_open(rootfd, &kp);
	if (!rep->kpage_rc) {
		flags = malloc((c.nuni ? c.nuni : 1) * sizeof(*flags));
		counts = malloc((c.nuni ? c.nuni : 1) * sizeof(*counts));
		if (!flags || !counts) {
			rc = -ENOMEM;
			goto out;
		}
		rep->kpage_rc = sharemem_read_kpage(&kp, c.uni, c.nuni, flags, counts);
	}
	if (!rep->kpage_rc) {
		c.flags = flags;
		c.counts = counts;
	}
	rep->together = c.flags ? 0 : UINT64_MAX;
	for (size_t i = 0; i < nsets; i++)
		rep->spaces[space_of[i]].kinds_known = c.flags != NULL;
	rc = sharemem_merge(sets, nsets, SHAREMEM_FRAME_MASK, count_frame, &c);
	if (!rc)
		rc = c.err;
out:
	pagemap_kpage_close(&kp);
	free(c.uni);
	free(flags);
	free(counts);
	return rc;
}

/* ---- exact, a few spaces: the frame bitmaps, merged --------------------------------------- */

/*
 * Each space's frames are a bitmap of physical memory (FRAME_CHUNK frames a chunk); a
 * frame two or more spaces map has its bit set in two or more bitmaps, which a pass over
 * the chunks finds word by word (64 frames at a time) in frame order: no sorting, no
 * merging, and the kpage* reads go to the shared frames in ascending order. Memory: at
 * most RAM / 8 bytes per space, whatever the spaces' sizes.
 */
struct frames_batch {
	uint64_t *pfn, *flags, *counts;
	uint32_t *who;			/* bit s: space s maps it */
	size_t n;
};

/* How often space sr mapped frame pfn (its repeats are sorted). */
static unsigned frame_mult(const struct sharemem_read *sr, uint64_t pfn)
{
	size_t lo = 0, hi = sr->keys.n;
	unsigned m = 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sr->keys.v[mid] < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo < sr->keys.n && sr->keys.v[lo++] == pfn)
		m++;
	return m;
}

static int frames_flush(struct sharing_report *rep, const struct pagemap_kpage *kp,
			struct frames_batch *b, const struct sharemem_read *sr, struct segtab *seg,
			size_t *buf)
{
	uint64_t ps = rep->page_size;
	int rc;

	if (!rep->kpage_rc)
		rep->kpage_rc = sharemem_read_kpage(kp, b->pfn, b->n, b->flags, b->counts);
	for (size_t i = 0; i < b->n; i++) {
		bool known = !rep->kpage_rc;
		uint64_t f = known ? b->flags[i] : 0, mappings = 0;
		struct sharing_segment *g;
		size_t k = 0;

		for (size_t s = 0; s < rep->nspaces; s++)
			if (b->who[i] & (UINT32_C(1) << s))
				buf[k++] = s;
		if (known && (f & (UINT64_C(1) << KPF_ZERO_PAGE))) {
			rep->zero_pages += k;
			for (size_t j = 0; j < k; j++)
				rep->spaces[buf[j]].rss -= ps;
			continue;
		}
		for (size_t j = 0; j < k; j++) {
			struct sharing_space *sp = &rep->spaces[buf[j]];

			sp->shared += ps;
			if (known) {
				add_kinds(sp->kind, f, ps);
				mappings += frame_mult(&sr[buf[j]], b->pfn[i]);
			}
		}
		if (known && (f & (UINT64_C(1) << KPF_ANON)) && b->counts[i] <= mappings)
			rep->together += ps;
		g = sharemem_seg_find(seg, buf, k);
		if (!g)
			return seg->err;
		g->bytes += ps;
		if (known)
			add_kinds(g->kind, f, ps);
		rc = add_node(rep, seg, g, b->pfn[i], ps);
		if (rc)
			return rc;
	}
	b->n = 0;
	return 0;
}

int sharemem_frames_merge(int rootfd, struct sharing_report *rep, struct sharemem_frames *fb,
			  struct sharemem_read *sr, struct segtab *seg, size_t *buf)
{
	struct pagemap_kpage kp = { -1, -1 };
	struct frames_batch b = { 0 };
	size_t ns = rep->nspaces, maxc = 0, m[FRAMES_MAX_SPACES];
	int rc = 0;

	b.pfn = malloc(READ_CHUNK * sizeof(*b.pfn));
	b.flags = malloc(READ_CHUNK * sizeof(*b.flags));
	b.counts = malloc(READ_CHUNK * sizeof(*b.counts));
	b.who = malloc(READ_CHUNK * sizeof(*b.who));
	if (!b.pfn || !b.flags || !b.counts || !b.who) {
		rc = -ENOMEM;
		goto out;
	}
	rep->kpage_rc = pagemap_kpage_open(rootfd, &kp);
	rep->together = 0;
	for (size_t s = 0; s < ns; s++) {
		struct sharing_space *sp = &rep->spaces[s];

		if (sp->mem_rc)
			continue;
		if (sr[s].keys.n > 1)
			qsort(sr[s].keys.v, sr[s].keys.n, sizeof(*sr[s].keys.v), util_cmp_u64);
		sp->rss = sr[s].distinct * rep->page_size;
		sp->frees = sr[s].excl_anon * rep->page_size;
		if (fb[s].nchunk > maxc)
			maxc = fb[s].nchunk;
	}
	for (size_t c = 0; c < maxc && !rc; c++) {
		size_t nm = 0;

		for (size_t s = 0; s < ns && nm < FRAMES_MAX_SPACES; s++)
			if (!rep->spaces[s].mem_rc && c < fb[s].nchunk && fb[s].chunk[c])
				m[nm++] = s;
		if (nm < 2)
			continue;
		for (size_t w = 0; w < FRAME_WORDS && !rc; w++) {
			uint64_t ones = 0, twos = 0;

			for (size_t i = 0; i < nm; i++) {
				uint64_t x = fb[m[i]].chunk[c][w];

				twos |= ones & x;
				ones |= x;
			}
			while (twos && !rc) {
				unsigned bit = (unsigned)__builtin_ctzll(twos);
				uint32_t who = 0;

				twos &= twos - 1;
				for (size_t i = 0; i < nm; i++)
					if ((fb[m[i]].chunk[c][w] >> bit) & 1)
						who |= UINT32_C(1) << m[i];
				b.pfn[b.n] = ((uint64_t)c << FRAME_CHUNK_BITS) | (w * 64 + bit);
				b.who[b.n++] = who;
				if (b.n == READ_CHUNK)
					rc = frames_flush(rep, &kp, &b, sr, seg, buf);
			}
		}
	}
	if (!rc && b.n)
		rc = frames_flush(rep, &kp, &b, sr, seg, buf);
	if (rep->kpage_rc)
		rep->together = UINT64_MAX;
	for (size_t s = 0; s < ns; s++) {
		struct sharing_space *sp = &rep->spaces[s];

		if (sp->mem_rc)
			continue;
		sp->kinds_known = !rep->kpage_rc;
		sp->only = sp->rss - sp->shared;
	}
out:
	pagemap_kpage_close(&kp);
	free(b.pfn);
	free(b.flags);
	free(b.counts);
	free(b.who);
	return rc;
}
