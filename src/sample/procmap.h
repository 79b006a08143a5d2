/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procmap.h - what `taskscope maps` reads of one process, through one /proc/PID directory */
#ifndef TASKSCOPE_PROCMAP_H
#define TASKSCOPE_PROCMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sample/smaps.h"
#include "sample/stackptr.h"

struct procmap {
	pid_t pid;			/* the process: the thread group of the ID asked for */
	char comm[64];			/* raw name (from status): sanitize before output */
	uint64_t start;			/* start time, clock ticks since boot (0: the map
					 * was not read, or the process was gone after it) */
	long nlwp;			/* threads, from status */
	int map_rc;			/* 0, or why smaps could not be read (-EACCES...) */
	struct smaps_map map;
	int threads_rc;			/* 0, or why the threads could not be listed */
	struct stackptr_thread *threads;
	size_t nthreads;
};

/* What to read besides stat and smaps */
enum {
	PROCMAP_NUMA = 1u << 0,		/* numa_maps: pages per node */
	PROCMAP_STACKS = 1u << 1,	/* each thread's stack pointer (task/TID/syscall) */
	PROCMAP_NAMES = 1u << 2,	/* with STACKS: each thread's name and faults (stat) */
};

/* What status tells of a task before anything else is read: its name (Name:, the
 * kernel's escapes of a newline and a backslash undone: the raw bytes as stat has them,
 * truncated as stat's), its process (Tgid:) and thread count (Threads:, 0 when absent). */
struct procmap_status {
	char comm[64];
	pid_t tgid;
	long threads;
};
int procmap_parse_status(const char *buf, size_t len, struct procmap_status *st);

struct util_pidset;

/*
 * Read the map of the process that id (a PID or any of its TIDs) belongs to: status,
 * smaps, what want (PROCMAP_*) asks for, then stat (is it still the same live address
 * space?), each file once. Everything is read relative to one open /proc/PID directory,
 * so it is all of the same process even if the PID is reused meanwhile. Returns 0 (the
 * parts' own results in map_rc and threads_rc), -ESRCH when there is no such process, or
 * -errno.
 */
int procmap_read(int rootfd, pid_t id, unsigned want, struct procmap *out);
/* The same, once a process: with seen, a process (or an ID that cannot be read) already
 * in it is not read again (-EEXIST, after its status alone), and one read is added. */
int procmap_read_once(int rootfd, pid_t id, unsigned want, struct util_pidset *seen,
		      struct procmap *out);
void procmap_free(struct procmap *pm);

#endif
