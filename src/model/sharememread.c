/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharememread.c - one address space's present pages read as sharemem keys (exact: frame
 * numbers, or a bitmap of frames; estimate: file pages and anonymous addresses), and the
 * kpageflags/kpagecount of frames (see sharemem.c) */
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

/* ---- reading one address space ----------------------------------------------------------- */

struct sharemem_file_slot {
	uint64_t a, b;		/* (dev, inode), or (~0, name hash) */
	uint64_t id;		/* 0: empty */
};

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
	if (util_grow(&sr->keys.v, &sr->cap, sr->keys.n, 4096, sizeof(*sr->keys.v)))
		return -ENOMEM;
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
			rc = util_grow(&r, &cap, nr, 64, sizeof(*r));
			if (rc)
				goto out;
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
int sharemem_read_space(int rootfd, struct sharemem_reader *rd, const struct sharing_report *rep,
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
