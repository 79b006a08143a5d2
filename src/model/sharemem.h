/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharemem.h - reading address spaces' pages as keys or frame bitmaps (sharemem.c, shareall.c) */
#ifndef TASKSCOPE_SHAREMEM_H
#define TASKSCOPE_SHAREMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/sharing.h"
#include "sample/pagemap.h"

/* Estimate keys of files: (dev, inode), or the name of a special mapping, to a small id. */
struct sharemem_files {
	struct sharemem_file_slot *slot;
	size_t cap, used;
	uint64_t next;
};

/* Estimate keys: a file id above this many bits (0: an anonymous page's address), the
 * page index below. */
#define SHAREMEM_KEY_PAGE_BITS	44

/* A set of keys to look entries up in instead of collecting every key: the reader then
 * collects the index in keys[] of each entry it finds there. */
struct sharemem_probe {
	const uint64_t *keys;		/* sorted, distinct under mask */
	size_t n;
	uint64_t mask;
	const uint64_t *bloom;		/* a bit per key's hash: most misses stop here */
	uint64_t bloom_mask;		/* bits - 1 (a power of two) */
};

/* The frames one address space maps, as a bitmap of physical memory in chunks allocated
 * when a frame in them is first seen: memory bounded by the machine's RAM / 8 per space,
 * whatever the space's size. */
struct sharemem_frames {
	uint64_t **chunk;
	size_t nchunk;
};

struct sharemem_reader {
	bool exact;			/* PFN keys; else the estimate's keys */
	struct sharemem_frames *frames;	/* exact: set bits here instead of collecting keys
					 * (a frame seen again goes to the keys: repeats) */
	size_t ps;
	struct sharemem_files files;
	uint64_t *buf;			/* one pread's entries */
	const struct sharemem_probe *probe;	/* NULL: collect every key */
};

/* What one address space's read gave. */
struct sharemem_read {
	struct sharemem_set keys;	/* keys, or with a probe the indices found */
	size_t cap;
	uint64_t present;
	uint64_t distinct;		/* with frames: distinct frames */
	uint64_t excl_anon, nonexcl_anon, nonexcl_file;	/* estimate; excl_anon with frames */
};

void sharemem_frames_free(struct sharemem_frames *fb);
int sharemem_reader_init(struct sharemem_reader *rd, bool exact, size_t page_size);
void sharemem_reader_free(struct sharemem_reader *rd);
/* Read the present pages of task tid of process tgid (identity: start_ticks) into sr.
 * *scanned is cleared when PAGEMAP_SCAN was missing. -ESRCH/-ENOENT gone, -EACCES/-EPERM
 * denied, -ENOMEM. */
int sharemem_read_task(int rootfd, struct sharemem_reader *rd, pid_t tgid, pid_t tid,
		       uint64_t start_ticks, struct sharemem_read *sr, bool *scanned);
/* The hash the probe's bloom bits are indexed by. */
uint64_t sharemem_hash(uint64_t key);
/* kpageflags and kpagecount of n ascending distinct frames, in runs of nearby frames. */
int sharemem_read_kpage(const struct pagemap_kpage *kp, const uint64_t *pfns, size_t n,
			uint64_t *flags, uint64_t *counts);

#endif
