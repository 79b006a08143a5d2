/* SPDX-License-Identifier: GPL-2.0-or-later */
/* smaps.h - own readers of /proc/PID/smaps, smaps_rollup and numa_maps */
#ifndef TASKSCOPE_SMAPS_H
#define TASKSCOPE_SMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The memory fields of one smaps entry (or of smaps_rollup), in bytes. */
struct smaps_mem {
	uint64_t size, rss, pss, pss_anon, pss_file, pss_shmem;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, lazyfree, anon_huge, shmem_pmd, file_pmd;
	uint64_t shared_hugetlb, private_hugetlb, swap, swap_pss, locked;
};

/* One mapping of /proc/PID/smaps. */
struct smaps_vma {
	uint64_t start, end;		/* [start, end) */
	char perms[5];			/* "r-xp" */
	uint64_t offset;
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char *name;			/* raw path or [heap]/[stack]/[vdso]/[anon:NAME]..., or NULL
					 * for anonymous; NOT sanitized (sanitize before output) */
	bool deleted;			/* name ended in " (deleted)" (stripped from name) */
	struct smaps_mem mem;
	char *vmflags;			/* "rd ex mr mw me" or NULL */
	uint64_t *node_pages;		/* from numa_maps: pages per node, NULL when not read */
	int nnodes;
	uint64_t node_pagesize;		/* bytes per page counted in node_pages (0: not said) */
};

/* Why a map is incomplete (smaps_map.cut). */
enum smaps_cut {
	SMAPS_WHOLE = 0,
	SMAPS_CUT_SHORT,	/* the text ended inside an entry, or the read failed */
	SMAPS_CUT_TOO_LONG,	/* longer than SMAPS_READ_CAP */
	SMAPS_CUT_EXITED,	/* the process exited while it was read */
	SMAPS_CUT_EXECED,	/* the process executed another program while it was read */
};

struct smaps_map {
	struct smaps_vma *vma;
	size_t n;
	size_t dropped_repeats;		/* VMAs repeated/overlapping in a racy read, left out */
	bool truncated;			/* the text was cut: its last, partial entry left out
					 * (the parser), or the read ended early (cut says why) */
	enum smaps_cut cut;		/* set by the readers, not by smaps_parse */
	int numa_rc;			/* numa_maps: 0 read, -ENODATA not asked for,
					 * -EOPNOTSUPP no NUMA in this kernel, else -errno */
	struct smaps_strings *strings;	/* where the VMAs' names and VmFlags are kept (each
					 * text once): freed with the map */
};

/* Longest smaps text read; past it the map is cut (truncated). 65,530 VMAs (the default
 * vm.max_map_count) of about 1.1 KiB each fit. */
#define SMAPS_READ_CAP ((size_t)256 << 20)

/* Parsers of untrusted text (0, -EINVAL, -ERANGE, -ENOMEM). A truncated last entry is
 * dropped and reported with -EINVAL only if nothing else parsed. */
int smaps_parse(const char *buf, size_t len, struct smaps_map *out);
int smaps_parse_rollup(const char *buf, size_t len, struct smaps_mem *out);
/* numa_maps: fills node_pages of the VMAs of map whose start matches */
int smaps_parse_numa(const char *buf, size_t len, struct smaps_map *map);
void smaps_map_free(struct smaps_map *m);

/* A whole numa_maps summed per node: the process's resident memory on each NUMA node
 * (numastat -p), pages counted in full whoever else maps them, as RSS does. */
struct smaps_numa {
	uint64_t *bytes;		/* per node 0..nnodes-1, malloc'ed (NULL: no pages) */
	size_t nnodes;			/* the highest node with a count + 1 */
	uint64_t total;			/* the sum over the nodes */
	size_t dropped_repeats;		/* lines of a racy read that repeat a mapping */
	bool truncated;			/* the text ended inside a line (left out) */
};
/* numa_maps text into per-node sums; pagesize counts the pages of a line without
 * kernelpagesize_kB. 0, -EINVAL, -ERANGE, -ENOMEM (then out is empty). */
int smaps_parse_numa_nodes(const char *buf, size_t len, uint64_t pagesize,
			   struct smaps_numa *out);
void smaps_numa_free(struct smaps_numa *n);

/* Readers relative to rootfd (/proc or a fixture tree); -EACCES when denied, -ESRCH/-ENOENT
 * when gone. They read the whole file with large reads. */
int smaps_read(int rootfd, pid_t pid, bool numa, struct smaps_map *out);
int smaps_read_rollup(int rootfd, pid_t pid, struct smaps_mem *out);
/* The smaps_rollup file NAME relative to dirfd: a task directory opened earlier (which pins
 * the task: a reused PID cannot be read through it) or rootfd with "PID/smaps_rollup". */
int smaps_read_rollup_at(int dirfd, const char *name, struct smaps_mem *out);
/* The numa_maps file NAME relative to dirfd (as smaps_read_rollup_at) summed per node:
 * -EOPNOTSUPP when the kernel has no numa_maps (no CONFIG_NUMA), -EACCES when denied,
 * -ESRCH/-ENOENT when gone, -EFBIG past SMAPS_READ_CAP. */
int smaps_read_numa_nodes_at(int dirfd, const char *name, uint64_t pagesize,
			     struct smaps_numa *out);
/* smaps_read relative to an open /proc/PID directory, so that every file read of one
 * process is of the same process even if its PID is reused meanwhile. */
int smaps_read_at(int piddirfd, bool numa, struct smaps_map *out);
/* smaps_read_at that leaves the smaps file open in *fdp (-1 on failure) for
 * smaps_mm_alive(). A read that fails after some text (-ESRCH: the process was reaped)
 * keeps what was read, marked truncated with cut SMAPS_CUT_EXITED. */
int smaps_read_keep(int piddirfd, bool numa, struct smaps_map *out, int *fdp);
/* Whether the address space that the open smaps file fd was opened on still exists:
 * 1 yes, 0 no (the process exited or executed another program since: a read of the file
 * that ended meanwhile may have ended early, since the kernel ends the file then), or
 * -errno (-ESRCH: the process was reaped). */
int smaps_mm_alive(int fd);

#endif
