/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharing.h - what a set of tasks shares: kernel resources (kcmp) and physical pages */
#ifndef TASKSCOPE_SHARING_H
#define TASKSCOPE_SHARING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sample/kcmp.h"

/* One cell of a resource matrix. */
enum sharing_cell {
	SHARING_SHARED,		/* every task of both holds the same one */
	SHARING_SEPARATE,	/* no task of one holds what a task of the other holds */
	SHARING_PARTLY,		/* some tasks do, some do not */
	SHARING_NONE,		/* the same only because neither has one (IO, SYSVSEM) */
	SHARING_UNKNOWN,	/* kcmp denied or not supported */
};

struct sharing_task {
	pid_t tid, tgid;
	uint64_t start_ticks;
	char *comm;			/* sanitized */
	bool kthread;
	int access;			/* 0, or kcmp's error (-EPERM, -EACCES, -ENOSYS) */
	size_t space;			/* its address space */
	size_t grp[KCMP_RES_COUNT];	/* kcmp group per resource (tasks with access) */
};

/* Kinds of shared pages, from /proc/kpageflags (a page can be of several). */
enum sharing_kind {
	SHARING_ANON, SHARING_FILE, SHARING_SHMEM, SHARING_KSM, SHARING_THP,
	SHARING_SWAPBACKED, SHARING_KINDS
};

struct sharing_space {
	char label[8];			/* "A", "B", ..., "AA" */
	size_t first, ntasks;		/* its tasks: tasks[first .. first + ntasks) */
	pid_t *pids;			/* the processes it holds tasks of, ascending */
	size_t npids;
	int access;			/* 0: grouped by kcmp; else kcmp's error, grouped by
					 * process (threads of a process share VM and SIGHAND) */
	bool kernel;			/* kernel threads: no user address space */

	/* memory, in bytes; meaningful when mem_rc == 0 */
	int mem_rc;			/* 0, or why pagemap could not be read */
	uint64_t rss;			/* present pages (exact: distinct frames) */
	uint64_t shared;		/* exact: mapped by another target too;
					 * estimate: mapped by any other process too */
	uint64_t only;			/* exact: mapped by no other target */
	uint64_t frees;			/* anonymous pages mapped only here (pagemap's
					 * exclusively-mapped bit): freed on exit */
	uint64_t kind[SHARING_KINDS];	/* what the shared pages are (estimate: ANON and
					 * FILE only, FILE including shmem) */
	bool kinds_known;
};

/* Address spaces that map the same pages: each page two or more spaces map belongs to the
 * segment of exactly the spaces that map it (e.g. every backend mapping one shared
 * memory segment). */
struct sharing_segment {
	size_t *members;		/* space indices, ascending */
	size_t n;
	uint64_t bytes;			/* of pages every member maps */
	uint64_t kind[SHARING_KINDS];	/* what they are (as sharing_space's kind) */
	uint64_t *node_bytes;		/* [report's nnodes]: on each NUMA node (NULL: none
					 * known) */
};

/* Two address spaces, for the ranked list of pairs. */
struct sharing_pair {
	size_t a, b;			/* space indices, a < b */
	uint64_t bytes;			/* mapped by both (UINT64_MAX: unknown) */
	uint64_t kind[SHARING_KINDS];	/* what they are (filled by sharing_pair_kinds) */
	unsigned res;			/* bit r: resource r shared (SHARING_SHARED) */
};

enum sharing_method {
	SHARING_NO_MEMORY,		/* fewer than 2 address spaces to compare */
	SHARING_EXACT,			/* pagemap PFNs, kpagecount, kpageflags */
	SHARING_ESTIMATE,		/* pagemap flags and file offsets, no PFNs */
};

struct sharing_report {
	struct sharing_task *tasks;	/* grouped by space */
	size_t ntasks;
	struct sharing_space *spaces;
	size_t nspaces;
	size_t zombies;			/* exited tasks, not yet reaped: left out */
	size_t gone;			/* tasks that ended while they were compared */
	size_t kthreads;		/* kernel threads: no address space, left out */
	pid_t *vanished;		/* IDs that named no task when they were read (the
					 * process ended, or never was), ascending */
	size_t nvanished;
	pid_t *unreadable;		/* IDs /proc lists but whose files cannot be read
					 * (hidepid=noaccess), ascending */
	size_t nunreadable;
	int kcmp_rc;			/* 0, or -ENOSYS when this kernel has no kcmp */
	bool none_known[KCMP_RES_COUNT];	/* SHARING_NONE can be told (IO, SYSVSEM) */
	enum sharing_cell *res[KCMP_RES_COUNT];	/* nspaces x nspaces, row-major */

	enum sharing_method method;
	int kpage_rc;			/* exact: 0, or why kpageflags/kpagecount failed */
	bool scanned;			/* PAGEMAP_SCAN listed the present pages */
	uint64_t *both;			/* nspaces x nspaces bytes mapped by both; the
					 * diagonal holds each space's own (rss) */
	size_t page_size;
	uint64_t pages;			/* present pages analysed, all spaces */
	uint64_t together;		/* exact: anonymous pages that two or more of the spaces
					 * map and nobody else (kpagecount): freed when all of
					 * them exit; UINT64_MAX unknown */
	uint64_t zero_pages;		/* mappings of the zero page, left out */
	int nnodes;			/* exact: NUMA nodes the shared frames were told on
					 * (sysfs memory blocks); 0 unknown */
	uint64_t *node_shared;		/* nspaces x nnodes: each space's shared bytes on each
					 * node (NULL without nnodes) */
	uint64_t node_unknown;		/* shared bytes (once per page) on no known node */
	struct sharing_segment *segments;	/* most bytes first */
	size_t nsegments;
};

/* Compare the tasks named by ids (read relative to rootfd, /proc): a process's ID names
 * all its threads, another thread's ID that thread alone. Groups them into address spaces,
 * fills the resource matrices and, with memory and at least two spaces, the memory part.
 * Kernel threads are counted and left out. An ID that names no task (it ended) or whose
 * files cannot be read is listed in rep->vanished or rep->unreadable and the others are
 * compared; only when no ID could be read at all: -ESRCH (no such task) or -EACCES
 * (hidepid=noaccess) with *missing set to the first one. -ENOMEM. On an error *rep is
 * empty. */
int sharing_collect(int rootfd, const pid_t *ids, size_t nids, bool memory,
		    struct sharing_report *rep, pid_t *missing);
void sharing_free(struct sharing_report *rep);

/* The pairs of address spaces that share memory or a kcmp resource, most bytes first
 * (then most resources): malloc'ed. */
int sharing_pairs(const struct sharing_report *rep, struct sharing_pair **out, size_t *n);
/* What the pages of pair p are, from the segments both belong to. */
void sharing_pair_kinds(const struct sharing_report *rep, struct sharing_pair *p);

/* ---- one process against every other ----------------------------------------------------- */

/* Another process that shares something with X. */
struct sharing_partner {
	pid_t pid;
	char *comm;			/* sanitized */
	long nthreads;
	uint64_t shared;		/* bytes of X's pages it maps too (distinct pages) */
	uint64_t kind[SHARING_KINDS];	/* of those: ANON, FILE, SHMEM (estimate: ANON and
					 * FILE, FILE including shmem) */
	unsigned res;			/* bit r: kcmp resource r is the same one as X's */
	int kcmp_rc;			/* 0, or why kcmp could not tell (res is then 0) */
	bool same_vm;			/* X's own address space (CLONE_VM, vfork): shared
					 * is all of X's pages, kind[] unknown */
};

struct sharing_against {
	pid_t pid;			/* X, a process */
	char *comm;			/* sanitized */
	long nthreads;			/* its thread group: they share X's resources */
	enum sharing_method method;	/* EXACT or ESTIMATE */
	size_t page_size;
	int mem_rc;			/* 0, or why X's pagemap could not be read */
	int kpage_rc;			/* exact: 0, or why kpageflags/kpagecount failed */
	bool scanned;			/* PAGEMAP_SCAN listed the present pages */
	uint64_t rss;			/* X's present pages (distinct frames when exact) */
	uint64_t shared;		/* of those, mapped by another process too (exact:
					 * kpagecount; estimate: not exclusively mapped) */
	uint64_t frees;			/* anonymous pages mapped only by X */
	uint64_t kind[SHARING_KINDS];	/* what X's shared pages are */
	bool kinds_known;
	struct sharing_partner *partners;	/* ranked: most bytes first, then most
						 * resources, then PID */
	size_t npartners;
	size_t processes;		/* other processes looked at (kernel threads aside) */
	size_t compared;		/* of those, whose pages were read */
	size_t denied;			/* whose pagemap the caller may not read */
	size_t gone;			/* that ended while they were read */
	size_t kthreads, zombies;	/* left out */
	int kcmp_rc;			/* 0, or -ENOSYS when this kernel has no kcmp */
	unsigned none;			/* bit r: X holds no resource r (IO, SYSVSEM): not
					 * counted as shared */
	bool none_known[KCMP_RES_COUNT];
};

/* X (the process of task id) against every other process the caller may read: which map
 * the same physical pages as X and how many bytes (exact from PFNs with CAP_SYS_ADMIN,
 * the estimate otherwise), which share kcmp resources with X. -ESRCH when id names no
 * live task, -EOPNOTSUPP when it is a kernel thread, -EACCES when its files cannot be
 * read (hidepid=noaccess); -ENOMEM. A process that ends or cannot be read meanwhile is
 * counted, not an error. The entry point of the views ("s" on a process in the TUI). */
int sharing_against_all(int rootfd, pid_t id, struct sharing_against *ag);
void sharing_against_free(struct sharing_against *ag);

/* ---- building blocks (exposed for the unit tests) ---------------------------------------- */

/* A comparison like kcmp's: 0 the same, 1 a first, 2 b first, 3 unordered, or -errno. */
typedef int (*sharing_cmp_fn)(void *ctx, size_t a, size_t b);

/* Number n items into groups of equal ones (group[i], 0 .. *ngroups-1, in sort order)
 * with an O(n log n) sort by cmp, or by comparing with each group's first item when cmp
 * has no order. Returns 0, or the first error cmp gave. */
int sharing_group(size_t n, sharing_cmp_fn cmp, void *ctx, size_t *group, size_t *ngroups);

/* sharing_group of the tasks tids by kcmp resource res (the same one: the same group). 0,
 * or kcmp's first error (-ESRCH: a task is gone, -EPERM/-EACCES, -ENOSYS), -ENOMEM. */
int sharing_kcmp_group(const pid_t *tids, size_t n, enum kcmp_res res, size_t *group,
		       size_t *ngroups);

/* The distinct address spaces among tids (n of them, reordered; grp room for n): kcmp VM
 * groups into *count. A task that ended meanwhile is left out and the count taken again,
 * once. 0 or -errno (-ESRCH again, -ENOMEM, kcmp's). */
int sharing_address_spaces(pid_t *tids, size_t n, size_t *grp, uint64_t *count);

/* The cell for two sets of group ids (sorted, distinct); self: a space with itself.
 * none: the group id that means "has none" (SIZE_MAX: no such group). */
enum sharing_cell sharing_cell_of(const size_t *ga, size_t na, const size_t *gb, size_t nb,
				  bool self, size_t none);

/* Labels: 0 -> "A", 25 -> "Z", 26 -> "AA", ... */
void sharing_label(size_t i, char *buf, size_t len);

/* Sorted sets of 64-bit keys (page frames, or file/address keys in an estimate). */
struct sharemem_set {
	uint64_t *v;
	size_t n;
};

/* Sort ascending (LSD radix sort: tmp holds n values). */
void sharemem_sort(uint64_t *v, size_t n, uint64_t *tmp);
/* Drop repeats (equal under mask) of a sorted array; returns the new count. A kept value
 * has the bits outside mask that all its repeats have (AND), and with mult how often it
 * was there (at most 511) in bits 55-63, which the values must leave free then. */
size_t sharemem_dedup(uint64_t *v, size_t n, uint64_t mask, bool mult);
static inline unsigned sharemem_mult(uint64_t v)
{
	return (unsigned)(v >> 55);
}

/* The keys of the exact path: a page frame number with two pagemap flags below it. */
#define SHAREMEM_ANON		UINT64_C(1)	/* not file or shmem (bit 61 clear) */
#define SHAREMEM_EXCL		UINT64_C(2)	/* mapped once in the system (bit 56) */
#define SHAREMEM_FRAME_MASK	((UINT64_C(1) << 55) - 4)	/* the frame number's bits */
static inline uint64_t sharemem_frame_key(uint64_t pfn, bool anon, bool excl)
{
	return (pfn << 2) | (anon ? SHAREMEM_ANON : 0) | (excl ? SHAREMEM_EXCL : 0);
}

/* For each key present in any of the sets (compared under mask), in ascending order:
 * fn(ctx, key & mask, who, raw, k) with the k sets that hold it (who[] ascending) and each
 * one's own value (its flags and multiplicity). The sets must be sorted and distinct
 * under mask. A k-way merge of sorted arrays: O(T log S) for T keys in S sets, every
 * pairwise intersection in one pass. */
typedef void (*sharemem_visit_fn)(void *ctx, uint64_t key, const size_t *who,
				  const uint64_t *raw, size_t k);
int sharemem_merge(const struct sharemem_set *sets, size_t nsets, uint64_t mask,
		   sharemem_visit_fn fn, void *ctx);

/* The memory part of the report (sharing_collect calls it). */
int sharemem_collect(int rootfd, struct sharing_report *rep);

#endif
