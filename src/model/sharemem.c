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
 * then pairs the keys. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "model/sharemem.h"
#include "sample/pagemap.h"

#define READ_CHUNK	65536	/* pagemap entries per pread: 512 KiB */
#define READ_GAP	16	/* absent pages a pread may span to join two ranges */
#define KPAGE_GAP	16	/* frames a kpage* pread may span to join two runs */
#define KEY_PAGE_BITS	SHAREMEM_KEY_PAGE_BITS
#define KEY_PAGE_MASK	((UINT64_C(1) << KEY_PAGE_BITS) - 1)
#define KEY_MAX_FILES	((UINT64_C(1) << (64 - KEY_PAGE_BITS)) - 1)
#define UNKNOWN		UINT64_MAX

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

/* ---- reading one address space ----------------------------------------------------------- */

struct sharemem_file_slot {
	uint64_t a, b;		/* (dev, inode), or (~0, name hash) */
	uint64_t id;		/* 0: empty */
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

uint64_t sharemem_hash(uint64_t key)
{
	return mix64(key);
}

static int file_id(struct sharemem_files *f, uint64_t a, uint64_t b, uint64_t *id)
{
	size_t i;

	if (f->used * 2 >= f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 256;
		struct sharemem_file_slot *ns = calloc(nc, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (size_t k = 0; k < f->cap; k++) {
			if (!f->slot[k].id)
				continue;
			i = mix64(f->slot[k].a ^ mix64(f->slot[k].b)) & (nc - 1);
			while (ns[i].id)
				i = (i + 1) & (nc - 1);
			ns[i] = f->slot[k];
		}
		free(f->slot);
		f->slot = ns;
		f->cap = nc;
	}
	i = mix64(a ^ mix64(b)) & (f->cap - 1);
	while (f->slot[i].id) {
		if (f->slot[i].a == a && f->slot[i].b == b) {
			*id = f->slot[i].id;
			return 0;
		}
		i = (i + 1) & (f->cap - 1);
	}
	/* more files than the key has room for: fold (an estimate may then pair two) */
	f->next = f->next < KEY_MAX_FILES ? f->next + 1 : 1 + mix64(a ^ b) % KEY_MAX_FILES;
	f->slot[i] = (struct sharemem_file_slot){ a, b, f->next };
	f->used++;
	*id = f->next;
	return 0;
}

static int keys_push(struct sharemem_read *sr, uint64_t key)
{
	if (sr->keys.n == sr->cap) {
		size_t nc = sr->cap ? sr->cap * 2 : 4096;
		uint64_t *nv = realloc(sr->keys.v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		sr->keys.v = nv;
		sr->cap = nc;
	}
	sr->keys.v[sr->keys.n++] = key;
	return 0;
}

/* With a probe: the index of key in the probe's keys, collected when it is there. */
static int probe_push(const struct sharemem_probe *pr, struct sharemem_read *sr, uint64_t key)
{
	uint64_t h = sharemem_hash(key & pr->mask) & pr->bloom_mask;
	size_t lo = 0, hi = pr->n;

	if (!(pr->bloom[h >> 6] & (UINT64_C(1) << (h & 63))))
		return 0;
	key &= pr->mask;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k = pr->keys[mid] & pr->mask;

		if (k == key)
			return keys_push(sr, mid);
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int key_take(struct sharemem_reader *rd, struct sharemem_read *sr, uint64_t key)
{
	return rd->probe ? probe_push(rd->probe, sr, key) : keys_push(sr, key);
}

/* The estimate's view of one present entry at addr in vma (NULL: outside any VMA). */
static int estimate_entry(struct sharemem_reader *rd, struct sharemem_read *sr,
			  const struct pagemap_vma *v, uint64_t addr, uint64_t e)
{
	uint64_t id = 0, page;
	int rc;

	if (e & PAGEMAP_EXCLUSIVE) {
		if (!(e & PAGEMAP_FILE))
			sr->excl_anon++;
		return 0;	/* mapped only here: nobody shares it */
	}
	if (!(e & PAGEMAP_FILE) || !v || v->kind == PAGEMAP_VMA_ANON) {
		sr->nonexcl_anon++;
		return key_take(rd, sr, (addr / rd->ps) & KEY_PAGE_MASK);
	}
	sr->nonexcl_file++;
	if (v->kind == PAGEMAP_VMA_FILE) {
		uint64_t dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;

		rc = file_id(&rd->files, dev, v->inode, &id);
		page = v->offset / rd->ps + (addr - v->start) / rd->ps;
	} else {
		rc = file_id(&rd->files, UINT64_MAX, v->name_hash, &id);
		page = (addr - v->start) / rd->ps;
	}
	if (rc)
		return rc;
	return key_take(rd, sr, (id << KEY_PAGE_BITS) | (page & KEY_PAGE_MASK));
}

/* ---- frame bitmaps ------------------------------------------------------------------------ */

#define FRAME_CHUNK_BITS	18	/* frames per chunk: 1 GiB of 4 KiB pages, 32 KiB */
#define FRAME_CHUNK		(UINT64_C(1) << FRAME_CHUNK_BITS)
#define FRAME_WORDS		(FRAME_CHUNK / 64)

static int frames_take(struct sharemem_frames *fb, struct sharemem_read *sr, uint64_t pfn,
		       uint64_t e)
{
	size_t c = (size_t)(pfn >> FRAME_CHUNK_BITS);
	uint64_t bit = UINT64_C(1) << (pfn & 63), *w;

	if (c >= fb->nchunk) {
		size_t nn = c + 1 > fb->nchunk * 2 ? c + 1 : fb->nchunk * 2;
		uint64_t **nv = realloc(fb->chunk, nn * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		memset(nv + fb->nchunk, 0, (nn - fb->nchunk) * sizeof(*nv));
		fb->chunk = nv;
		fb->nchunk = nn;
	}
	if (!fb->chunk[c]) {
		fb->chunk[c] = calloc(FRAME_WORDS, sizeof(uint64_t));
		if (!fb->chunk[c])
			return -ENOMEM;
	}
	w = &fb->chunk[c][(pfn & (FRAME_CHUNK - 1)) >> 6];
	if (*w & bit)
		return keys_push(sr, pfn);	/* mapped again: a repeat */
	*w |= bit;
	sr->distinct++;
	if ((e & PAGEMAP_EXCLUSIVE) && !(e & PAGEMAP_FILE))
		sr->excl_anon++;	/* mapped once in the system: freed on exit */
	return 0;
}

void sharemem_frames_free(struct sharemem_frames *fb)
{
	for (size_t c = 0; c < fb->nchunk; c++)
		free(fb->chunk[c]);
	free(fb->chunk);
	fb->chunk = NULL;
	fb->nchunk = 0;
}

/* Entries of [start, end) read at buf (buf[0] is the page at base). */
static int take_entries(struct sharemem_reader *rd, struct sharemem_read *sr,
			const struct pagemap_vma *vmas, size_t nv, size_t *vi, uint64_t base,
			uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a < end; a += rd->ps) {
		uint64_t e = rd->buf[(a - base) / rd->ps];
		int rc;

		if (!(e & PAGEMAP_PRESENT))
			continue;
		if (rd->exact) {
			uint64_t pfn = e & PAGEMAP_PFN_MASK;

			if (!pfn || pfn > (SHAREMEM_FRAME_MASK >> 2))
				continue;
			sr->present++;
			if (rd->frames)
				rc = frames_take(rd->frames, sr, pfn, e);
			else
				rc = key_take(rd, sr, sharemem_frame_key(pfn, !(e & PAGEMAP_FILE),
									 e & PAGEMAP_EXCLUSIVE));
		} else {
			while (*vi < nv && vmas[*vi].end <= a)
				(*vi)++;
			sr->present++;
			rc = estimate_entry(rd, sr, *vi < nv && vmas[*vi].start <= a ? &vmas[*vi]
				: NULL, a, e);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Read the entries of the ranges (in address order, not overlapping) with as few preads
 * as fit: nearby ranges share one, a long one takes several. */
static int read_ranges(struct sharemem_reader *rd, struct pagemap_task *pt,
		       struct sharemem_read *sr, const struct pagemap_range *r, size_t nr,
		       const struct pagemap_vma *vmas, size_t nv)
{
	const uint64_t chunk = (uint64_t)READ_CHUNK * rd->ps, gap = (uint64_t)READ_GAP * rd->ps;
	size_t i = 0, vi = 0;
	uint64_t from = nr ? r[0].start : 0;	/* where the unread part of range i starts */

	while (i < nr) {
		uint64_t base = from, end = r[i].end;
		size_t j = i, want, got;
		int rc;

		if (end - base > chunk) {
			end = base + chunk;
		} else {
			while (j + 1 < nr && r[j + 1].start - r[j].end <= gap &&
			       r[j + 1].end - base <= chunk)
				j++;
			end = r[j].end;
		}
		want = (size_t)((end - base) / rd->ps);
		rc = pagemap_read(pt, base, rd->buf, want, &got);
		if (rc)
			return rc;
		if (got < want)
			end = base + got * rd->ps;	/* the end of the address space */
		for (size_t k = i; k <= j; k++) {
			uint64_t s = k == i ? from : r[k].start;
			uint64_t e = r[k].end < end ? r[k].end : end;

			if (s < e) {
				rc = take_entries(rd, sr, vmas, nv, &vi, base, s, e);
				if (rc)
					return rc;
			}
		}
		if (got < want)
			break;
		if (end < r[i].end) {
			from = end;	/* the next chunk of a long range */
			continue;
		}
		i = j + 1;
		if (i < nr)
			from = r[i].start;
	}
	return 0;
}

/* Read the present pages of the address space pt has open into sr. */
static int read_open(struct sharemem_reader *rd, struct pagemap_task *pt, struct sharemem_read *sr,
		     bool *scanned)
{
	struct pagemap_vma *vmas = NULL;
	struct pagemap_range *r = NULL;
	size_t nv = 0, nr = 0, cap = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	int rc;

	rc = pagemap_read_maps(pt, &vmas, &nv);
	if (rc == -EINVAL && nv)
		rc = 0;	/* a malformed line: the VMAs before it are good */
	if (rc)
		goto out;
	for (size_t i = 0; i < nv; i++) {
		if (vmas[i].kind == PAGEMAP_VMA_GATE)
			continue;
		if (vmas[i].start < lo)
			lo = vmas[i].start;
		if (vmas[i].end > hi)
			hi = vmas[i].end;
	}
	if (lo >= hi)
		goto out;	/* no mappings: a task on its way out */
	rc = pagemap_scan_present(pt, lo, hi, &r, &nr, &cap);
	if (rc == -EOPNOTSUPP) {
		*scanned = false;
		nr = 0;
		for (size_t i = 0; i < nv; i++) {
			if (vmas[i].kind == PAGEMAP_VMA_GATE)
				continue;
			if (nr == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct pagemap_range *n2 = realloc(r, nc * sizeof(*n2));

				if (!n2) {
					rc = -ENOMEM;
					goto out;
				}
				r = n2;
				cap = nc;
			}
			r[nr].start = vmas[i].start;
			r[nr++].end = vmas[i].end;
		}
		rc = 0;
	}
	if (!rc)
		rc = read_ranges(rd, pt, sr, r, nr, vmas, nv);
out:
	free(vmas);
	free(r);
	return rc;
}

int sharemem_read_task(int rootfd, struct sharemem_reader *rd, pid_t tgid, pid_t tid,
		       uint64_t start_ticks, struct sharemem_read *sr, bool *scanned)
{
	struct pagemap_task pt = { .dirfd = -1, .pmfd = -1 };
	int rc = pagemap_open(rootfd, tgid, tid, start_ticks, &pt);

	if (rc)
		return rc;
	rc = read_open(rd, &pt, sr, scanned);
	pagemap_close(&pt);
	return rc;
}

/* Read the present pages of space s into sr. Returns 0 or why it could not (the space's
 * mem_rc); -ENOMEM is the caller's. */
static int read_space(int rootfd, struct sharemem_reader *rd, const struct sharing_report *rep,
		      size_t s, struct sharemem_read *sr, bool *scanned)
{
	const struct sharing_space *sp = &rep->spaces[s];
	int rc = -ESRCH;

	/* the first task that is still there; a zombie leader has no memory to read */
	for (size_t i = 0; i < sp->ntasks; i++) {
		const struct sharing_task *t = &rep->tasks[sp->first + i];

		rc = sharemem_read_task(rootfd, rd, t->tgid, t->tid, t->start_ticks, sr, scanned);
		if (rc != -ESRCH && rc != -ENOENT)
			break;
	}
	return rc;
}

int sharemem_reader_init(struct sharemem_reader *rd, bool exact, size_t page_size)
{
	memset(rd, 0, sizeof(*rd));
	rd->exact = exact;
	rd->ps = page_size;
	rd->buf = malloc(READ_CHUNK * sizeof(*rd->buf));
	return rd->buf ? 0 : -ENOMEM;
}

void sharemem_reader_free(struct sharemem_reader *rd)
{
	free(rd->buf);
	free(rd->files.slot);
	rd->buf = NULL;
	rd->files.slot = NULL;
}

/* ---- segments: the pages of each set of spaces ------------------------------------------ */

struct segtab {
	struct sharing_report *rep;
	size_t cap;
	size_t *slot;			/* segment index + 1, 0 empty */
	size_t nslot;			/* a power of two */
	size_t last;			/* the last segment found (consecutive pages repeat) */
	int err;
};

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

/* The segment of the spaces m[0..n) (ascending), made when new; NULL on ENOMEM. */
static struct sharing_segment *seg_find(struct segtab *t, const size_t *m, size_t n)
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
	if (rep->nsegments == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		struct sharing_segment *nv = realloc(rep->segments, nc * sizeof(*nv));

		if (!nv) {
			t->err = -ENOMEM;
			return NULL;
		}
		rep->segments = nv;
		t->cap = nc;
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

/* The segment of the spaces who[0..k) (set indices) maps to. */
static struct sharing_segment *seg_of(struct segtab *t, const size_t *space_of, const size_t *who,
				      size_t k, size_t *buf)
{
	for (size_t i = 0; i < k; i++)
		buf[i] = space_of[who[i]];
	return seg_find(t, buf, k);
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
	if (c->nuni == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		uint64_t *nv = realloc(c->uni, nc * sizeof(*nv));

		if (!nv) {
			c->err = -ENOMEM;
			return;
		}
		c->uni = nv;
		c->cap = nc;
	}
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

static void count_frame(void *p, uint64_t key, const size_t *who, const uint64_t *raw,
			size_t k)
{
	struct exact_ctx *c = p;
	struct sharing_report *rep = c->rep;
	struct sharing_segment *g;
	uint64_t ps = rep->page_size, f = 0, mappings = 0;

	(void)key;
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
	g = seg_of(c->seg, c->space_of, who, k, c->buf);
	if (!g) {
		c->err = c->seg->err;
		return;
	}
	g->bytes += ps;
	if (c->flags)
		add_kinds(g->kind, f, ps);
}

/* kpageflags and kpagecount of the frames (ascending), in runs of nearby frames. */
int sharemem_read_kpage(const struct pagemap_kpage *kp, const uint64_t *uni, size_t n,
			uint64_t *flags, uint64_t *counts)
{
	uint64_t *fb = malloc(READ_CHUNK * sizeof(*fb)), *cb = malloc(READ_CHUNK * sizeof(*cb));
	int rc = 0;

	if (!fb || !cb) {
		free(fb);
		free(cb);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !rc;) {
		uint64_t first = uni[i];
		size_t j = i + 1;

		while (j < n && uni[j] - uni[j - 1] <= KPAGE_GAP && uni[j] - first < READ_CHUNK)
			j++;
		rc = pagemap_kpage_read(kp, first, (size_t)(uni[j - 1] - first + 1), fb, cb);
		for (size_t k = i; k < j && !rc; k++) {
			flags[k] = fb[uni[k] - first];
			counts[k] = cb[uni[k] - first];
		}
		i = j;
	}
	free(fb);
	free(cb);
	return rc;
}

static int exact_merge(int rootfd, struct sharing_report *rep, const struct sharemem_set *sets,
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* ---- exact, a few spaces: the frame bitmaps, merged --------------------------------------- */

/*
 * Each space's frames are a bitmap of physical memory (FRAME_CHUNK frames a chunk); a
 * frame two or more spaces map has its bit set in two or more bitmaps, which a pass over
 * the chunks finds word by word (64 frames at a time) in frame order: no sorting, no
 * merging, and the kpage* reads go to the shared frames in ascending order. Memory: at
 * most RAM / 8 bytes per space, whatever the spaces' sizes.
 */
#define FRAMES_MAX_SPACES	16		/* more: sorted sets (memory per page) */
#define FRAMES_MAX_BYTES	(64u << 20)	/* all the bitmaps at most */

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
		g = seg_find(seg, buf, k);
		if (!g)
			return seg->err;
		g->bytes += ps;
		if (known)
			add_kinds(g->kind, f, ps);
	}
	b->n = 0;
	return 0;
}

static int frames_merge(int rootfd, struct sharing_report *rep, struct sharemem_frames *fb,
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
			qsort(sr[s].keys.v, sr[s].keys.n, sizeof(*sr[s].keys.v), cmp_u64);
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
	g = seg_of(c->seg, c->space_of, who, k, c->buf);
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
		sp->mem_rc = read_space(rootfd, rd, rep, s, &sr[s], scanned);
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

int sharemem_collect(int rootfd, struct sharing_report *rep)
{
	size_t ns = rep->nspaces, nuser = 0, nsets = 0;
	struct sharemem_reader rd;
	struct segtab seg = { .rep = rep, .last = SIZE_MAX };
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
		rc = frames_merge(rootfd, rep, fbs, sr, &seg, segbuf);
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
		rc = exact_merge(rootfd, rep, sets, space_of, nsets, &seg, segbuf);
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
	sharemem_reader_free(&rd);
	return rc;
}
