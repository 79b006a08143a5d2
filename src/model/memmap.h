/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memmap.h - a process's memory map as rows: kinds, thread stacks, groups, totals */
#ifndef TASKSCOPE_MEMMAP_H
#define TASKSCOPE_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sample/smaps.h"
#include "sample/stackptr.h"

/*
 * What a mapping is, decided from its name, permissions and inode (first rule that
 * matches):
 *   heap          [heap]
 *   stack         [stack] (the main thread's stack)
 *   thread-stack  an anonymous private mapping that holds a thread's stack pointer
 *   kernel        other [names] the kernel makes: [vdso], [vvar], [vsyscall], [uprobes]
 *   shm           shared memory: a shared ('s') anonymous mapping (/dev/zero (deleted)),
 *                 System V segments (/SYSV...), memfd (/memfd:...), /dev/shm files,
 *                 [anon_shmem:NAME]
 *   anon          anonymous private memory, also [anon:NAME] and private /dev/zero
 *   code          a file mapped executable (x)
 *   data          a file mapped private and writable, or holding pages copied on write
 *                 (smaps Anonymous): a program's or library's data and RELRO parts
 *   file          any other file mapping: read-only parts of programs and libraries,
 *                 shared file mappings, data files, devices, gaps (---p)
 */
enum memmap_kind {
	MEMMAP_CODE,
	MEMMAP_DATA,
	MEMMAP_HEAP,
	MEMMAP_STACK,
	MEMMAP_THREAD_STACK,
	MEMMAP_ANON,
	MEMMAP_SHM,
	MEMMAP_FILE,
	MEMMAP_KERNEL,
	MEMMAP_NKINDS
};

enum memmap_group {
	MEMMAP_GROUP_NONE,	/* a row per mapping */
	MEMMAP_GROUP_KIND,	/* a row per kind */
	MEMMAP_GROUP_NAME,	/* a row per shown name (file, [heap], [anon], [stack:*]...) */
};

/* One row of a maps table: a mapping, or a group of mappings. */
struct memmap_row {
	const struct smaps_vma *vma;	/* the mapping; NULL on a group row */
	enum memmap_kind kind;		/* a group row: its first kind */
	unsigned kinds;			/* bit (1 << kind) of every kind in the row */
	char *name;			/* shown name, sanitized: owned by the row, or the
					 * mapping's own (memmap_free and memmap_rows_free
					 * know which); never written to */
	size_t nmaps;			/* mappings in the row */
	struct smaps_mem mem;		/* summed over the row's mappings */
	uint64_t *node_pages;		/* a group row: pages per node summed (owned); a mapping
					 * row: the vma's; NULL when numa_maps was not read */
	int nnodes;
	size_t nstack_tids;		/* threads whose stack pointer is in the mapping */
};

/* One thread and where its stack is. */
struct memmap_thread {
	pid_t tid;
	char *comm;			/* sanitized, owned */
	uint64_t minflt, majflt;
	int sp_rc;			/* as stackptr_thread.sp_rc */
	uint64_t sp;
	ssize_t row;			/* the mapping row holding sp, -1 when none */
};

struct memmap {
	pid_t pid;
	struct smaps_map map;		/* owned */
	struct memmap_row *rows;	/* a row per mapping, in address order */
	size_t nrows;
	struct memmap_thread *threads;	/* sorted by TID */
	size_t nthreads;
	int threads_rc;			/* 0, or why the threads could not be listed */
	size_t stacks_labelled;		/* mappings labelled [stack:TID] */
	size_t sp_denied, sp_running, sp_failed;	/* threads without a stack pointer */
	struct smaps_mem total;		/* over all mappings */
	bool numa;			/* node counts were read (map.numa_rc == 0) */
};

const char *memmap_kind_name(enum memmap_kind k);
enum memmap_kind memmap_classify(const struct smaps_vma *v);
/* "none", "kind" or "name"; -EINVAL otherwise */
int memmap_parse_group(const char *s, enum memmap_group *g);

static inline uint64_t memmap_uss(const struct smaps_mem *m)
{
	return m->private_clean + m->private_dirty;
}

static inline uint64_t memmap_shared(const struct smaps_mem *m)
{
	return m->shared_clean + m->shared_dirty;
}

static inline uint64_t memmap_thp(const struct smaps_mem *m)
{
	return m->anon_huge + m->shmem_pmd + m->file_pmd;
}

/*
 * Build the rows of pid's map. Takes over *map (left empty) and the threads' comm
 * strings (threads may be NULL with threads_rc saying why). Each thread's stack pointer
 * is looked up; an anonymous mapping that holds one becomes a thread-stack named
 * [stack:TID] (TIDs joined by ',' when several threads' stacks share one mapping).
 * Returns 0 or -ENOMEM; on failure *mm is empty.
 */
int memmap_build(struct memmap *mm, pid_t pid, struct smaps_map *map,
		 struct stackptr_thread *threads, size_t nthreads, int threads_rc);
void memmap_free(struct memmap *mm);

/*
 * Resident memory per NUMA node and kind (numastat -p's table, with this file's kinds),
 * in bytes: numa_maps counts pages of the mapping's page size (huge pages in full), and
 * counts a page in full whoever else maps it, as RSS does.
 */
struct memmap_nodes {
	int nnodes;			/* the highest node with pages + 1 (0: no pages) */
	uint64_t *bytes;		/* [MEMMAP_NKINDS * nnodes]: kind k on node n at
					 * k * nnodes + n */
	uint64_t *node_total;		/* [nnodes] */
	uint64_t kind_total[MEMMAP_NKINDS];
	uint64_t total;
};

/* mm's mappings summed per node and kind; -ENODATA when numa_maps was not read (mm->numa
 * false), -ENOMEM. pagesize counts a mapping's pages when numa_maps does not say their
 * size. On failure *out is empty. */
int memmap_node_totals(const struct memmap *mm, uint64_t pagesize, struct memmap_nodes *out);
void memmap_nodes_free(struct memmap_nodes *n);

/* A process's map as read (memmap_load). */
struct memmap_loaded {
	pid_t pid;			/* the process (the ID asked for may be one of its TIDs) */
	char *comm;			/* sanitized, malloc'ed; NULL when the process is not there */
	long nthreads;
	int err;			/* 0, or why its map could not be read (-ESRCH: no such
					 * process, -EACCES ...); mm is built only when 0 */
	bool truncated;			/* the map is incomplete: cut says why */
	enum smaps_cut cut;
	struct memmap mm;
};

/* Read the map of the process id belongs to (status, smaps, what want asks for:
 * MEMMAP_LOAD_*, and stat, through one /proc/PID directory) and build it. 0 (the
 * process's own result in out->err), or -ENOMEM. */
enum {
	MEMMAP_LOAD_NUMA = 1u << 0,	/* pages per NUMA node (numa_maps) */
	MEMMAP_LOAD_STACKS = 1u << 1,	/* each thread's stack: [stack:TID] labels */
	MEMMAP_LOAD_NAMES = 1u << 2,	/* with STACKS: each thread's name and faults */
};
int memmap_load(int rootfd, pid_t id, unsigned want, struct memmap_loaded *out);
/* The same, each process once: with seen, -EEXIST (nothing in out) when id's process, or
 * id when it cannot be read, is in seen already (is it a TID of a process named before?
 * its status alone is read); the one read is added. */
struct util_pidset;
int memmap_load_once(int rootfd, pid_t id, unsigned want, struct util_pidset *seen,
		     struct memmap_loaded *out);
void memmap_loaded_free(struct memmap_loaded *l);
/* Why a map is incomplete: a word (JSON's truncated_reason) and a sentence (the message) */
const char *memmap_cut_word(enum smaps_cut c);
const char *memmap_cut_text(enum smaps_cut c);

/* Group rows of mm: per kind (kind order) or per name (largest RSS first). */
int memmap_group(const struct memmap *mm, enum memmap_group g, struct memmap_row **rows,
		 size_t *nrows);
void memmap_rows_free(struct memmap_row *rows, size_t nrows);

/* The same names side by side in several processes (--group name with several PIDs). */
struct memmap_cmp_row {
	const char *name;		/* points into one of the groups given */
	unsigned kinds;
	bool *present;			/* [nprocs]: the process maps it */
	uint64_t *rss, *pss;		/* [nprocs] */
};

/* groups[i], ngroups[i]: process i's per-name rows (memmap_group ..._NAME), or NULL for a
 * process that could not be read. Rows ordered by the largest RSS in any process. */
int memmap_compare(struct memmap_row *const *groups, const size_t *ngroups, size_t nprocs,
		   struct memmap_cmp_row **rows, size_t *nrows);
void memmap_compare_free(struct memmap_cmp_row *rows, size_t nrows);

#endif
