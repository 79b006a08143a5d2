/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharememint.h - what sharemem.c, sharememread.c and sharememexact.c share: sizes, the
 * hash, the segments' table and the parts' entry points (not for other files) */
#ifndef TASKSCOPE_SHAREMEMINT_H
#define TASKSCOPE_SHAREMEMINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/sharemem.h"
#include "model/sharing.h"
#include "sample/physnode.h"

#define READ_CHUNK	65536	/* pagemap entries per pread: 512 KiB */
#define READ_GAP	16	/* absent pages a pread may span to join two ranges */
#define KPAGE_GAP	16	/* frames a kpage* pread may span to join two runs */
#define KEY_PAGE_BITS	SHAREMEM_KEY_PAGE_BITS
#define KEY_PAGE_MASK	((UINT64_C(1) << KEY_PAGE_BITS) - 1)
#define KEY_MAX_FILES	((UINT64_C(1) << (64 - KEY_PAGE_BITS)) - 1)
#define UNKNOWN		UINT64_MAX

#define FRAME_CHUNK_BITS	18	/* frames per chunk: 1 GiB of 4 KiB pages, 32 KiB */
#define FRAME_CHUNK		(UINT64_C(1) << FRAME_CHUNK_BITS)
#define FRAME_WORDS		(FRAME_CHUNK / 64)

/* Bitmaps of frames for a few spaces (sharemem_frames_merge), else sorted sets */
#define FRAMES_MAX_SPACES	16		/* more: sorted sets (memory per page) */
#define FRAMES_MAX_BYTES	(64u << 20)	/* all the bitmaps at most */

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* The segments of a report by their spaces (sharemem.c) */
struct segtab {
	struct sharing_report *rep;
	size_t cap;
	size_t *slot;			/* segment index + 1, 0 empty */
	size_t nslot;			/* a power of two */
	size_t last;			/* the last segment found (consecutive pages repeat) */
	int err;
	const struct physnode *pn;	/* exact: the frames' nodes (rep->nnodes), or NULL */
};

/* The segment of the spaces m[0..n) (ascending), made when new; NULL on ENOMEM (t->err). */
struct sharing_segment *sharemem_seg_find(struct segtab *t, const size_t *m, size_t n);
/* The segment of the spaces who[0..k) (set indices) maps to. */
struct sharing_segment *sharemem_seg_of(struct segtab *t, const size_t *space_of,
					const size_t *who, size_t k, size_t *buf);

/* Read space s of rep into sr (sharememread.c); 0 or -errno (the space's mem_rc). */
int sharemem_read_space(int rootfd, struct sharemem_reader *rd, const struct sharing_report *rep,
			size_t s, struct sharemem_read *sr, bool *scanned);

/* Exact: the sorted sets of frames merged into rep (sharememexact.c). */
int sharemem_exact_merge(int rootfd, struct sharing_report *rep, const struct sharemem_set *sets,
			 const size_t *space_of, size_t nsets, struct segtab *seg, size_t *buf);
/* Exact, a few spaces: their frame bitmaps merged into rep (sharememexact.c). */
int sharemem_frames_merge(int rootfd, struct sharing_report *rep, struct sharemem_frames *fb,
			  struct sharemem_read *sr, struct segtab *seg, size_t *buf);

#endif
