/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pagemap.h - readers of /proc/PID/maps, /proc/PID/pagemap, /proc/kpagecount, /proc/kpageflags */
#ifndef TASKSCOPE_PAGEMAP_H
#define TASKSCOPE_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kernel-page-flags.h>	/* KPF_* bit numbers of /proc/kpageflags */

/* One 64-bit /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PAGEMAP_PFN_BITS	55
#define PAGEMAP_PFN_MASK	((UINT64_C(1) << PAGEMAP_PFN_BITS) - 1)	/* bits 0-54 */
#define PAGEMAP_SOFT_DIRTY	(UINT64_C(1) << 55)
#define PAGEMAP_EXCLUSIVE	(UINT64_C(1) << 56)	/* mapped once in the whole system */
#define PAGEMAP_UFFD_WP		(UINT64_C(1) << 57)
#define PAGEMAP_GUARD		(UINT64_C(1) << 58)	/* guard region (6.15+) */
#define PAGEMAP_FILE		(UINT64_C(1) << 61)	/* file page or shared anonymous */
#define PAGEMAP_SWAP		(UINT64_C(1) << 62)
#define PAGEMAP_PRESENT		(UINT64_C(1) << 63)

/* An entry taken apart. pfn is 0 when the reader lacks CAP_SYS_ADMIN (or not present). */
struct pagemap_entry {
	bool present, swapped, file, exclusive, soft_dirty, uffd_wp, guard;
	uint64_t pfn;			/* present pages only */
	unsigned swap_type;		/* swapped pages only: bits 0-4 */
	uint64_t swap_offset;		/* swapped pages only: bits 5-54 */
};
void pagemap_decode(uint64_t e, struct pagemap_entry *out);

static inline bool pagemap_is_present(uint64_t e)
{
	return (e & PAGEMAP_PRESENT) != 0;
}

static inline uint64_t pagemap_pfn(uint64_t e)
{
	return (e & PAGEMAP_PRESENT) ? (e & PAGEMAP_PFN_MASK) : 0;
}

/* One line of /proc/PID/maps. */
enum pagemap_vma_kind {
	PAGEMAP_VMA_ANON,		/* no file: heap, stack, anonymous mmap */
	PAGEMAP_VMA_FILE,		/* a file or a shmem object (inode != 0) */
	PAGEMAP_VMA_SPECIAL,		/* [vdso], [vvar]...: named, no inode */
	PAGEMAP_VMA_GATE,		/* [vsyscall]: outside the user address range */
};

struct pagemap_vma {
	uint64_t start, end;		/* [start, end) */
	uint64_t offset;		/* file offset in bytes */
	uint64_t inode;
	unsigned dev_major, dev_minor;
	char perms[5];			/* "rw-p" */
	enum pagemap_vma_kind kind;
	uint32_t name_hash;		/* FNV-1a of the raw name (0 without a name): tells
					 * specials like [vdso] apart; the name is not kept */
};

/* Parse maps text (untrusted): 0, -EINVAL when a line is malformed (the lines before it
 * are kept in *out), -ENOMEM. Lines end at '\n' (the kernel escapes '\n' in names). */
int pagemap_parse_maps(const char *buf, size_t len, struct pagemap_vma **out, size_t *n);

/* The open files of one task: its directory, identity checked, then maps and pagemap. */
struct pagemap_task {
	int dirfd;
	int pmfd;
	bool no_scan;			/* PAGEMAP_SCAN is not supported: read whole VMAs */
};

/* Open /proc/TGID/task/TID relative to rootfd and check that it is still the task that
 * started at start_ticks (-ESRCH otherwise), then open its pagemap.
 * -EACCES/-EPERM: denied; -ENOENT/-ESRCH: gone. */
int pagemap_open(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
		 struct pagemap_task *t);
void pagemap_close(struct pagemap_task *t);
/* The task's mappings, in address order (malloc'ed). */
int pagemap_read_maps(struct pagemap_task *t, struct pagemap_vma **out, size_t *n);

/* A range of virtual addresses [start, end). */
struct pagemap_range {
	uint64_t start, end;
};
/* Ranges of [lo, hi) with present pages that are not the zero page, from the PAGEMAP_SCAN
 * ioctl (Linux 6.7+), appended to *out (malloc'ed, grown). -EOPNOTSUPP when the kernel has
 * no such ioctl (then every later call says so at once, from t->no_scan). */
int pagemap_scan_present(struct pagemap_task *t, uint64_t lo, uint64_t hi,
			 struct pagemap_range **out, size_t *n, size_t *cap);
/* The entries of n pages from virtual address addr, in one pread; *got is how many the
 * kernel gave (fewer at the end of the address space). */
int pagemap_read(struct pagemap_task *t, uint64_t addr, uint64_t *entries, size_t n,
		 size_t *got);

/* The processes /proc lists now (its numeric entries), ascending (malloc'ed): the address
 * spaces a "one against all" comparison reads. */
int pagemap_list_processes(int rootfd, pid_t **out, size_t *n);

/* 1 when this process sees PFNs in pagemap (CAP_SYS_ADMIN), 0 when they read as zero,
 * or -errno. Reads the entry of a page of its own stack. */
int pagemap_pfns_visible(int rootfd);

/* /proc/kpageflags and /proc/kpagecount (root only: mode 0400). */
struct pagemap_kpage {
	int flags_fd, count_fd;
};
int pagemap_kpage_open(int rootfd, struct pagemap_kpage *k);
void pagemap_kpage_close(struct pagemap_kpage *k);
/* Flags and mapcounts of the n frames from pfn on, one pread of each file (either
 * array may be NULL). Frames past the end of memory read as 0 flags and 0 count. */
int pagemap_kpage_read(const struct pagemap_kpage *k, uint64_t pfn, size_t n,
		       uint64_t *flags, uint64_t *counts);

#endif
