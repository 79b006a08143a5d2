/* SPDX-License-Identifier: GPL-2.0-or-later */
/* threads.h - the per-thread pass: every thread's own stat, read relative to its directory */
#ifndef TASKSCOPE_THREADS_H
#define TASKSCOPE_THREADS_H

#include <stddef.h>
#include <sys/types.h>
#include "sample/task.h"

/* Rows for every thread of the processes tgids (NULL: of every process), sorted by
 * (tgid, tid), strings malloc'ed per row. Tasks that vanish mid-read are left out.
 * rootfd is /proc (or a fixture tree). */
int threads_scan(int rootfd, const pid_t *tgids, size_t ntgids, struct task **rows,
		 size_t *nrows);

/* How a scan reads: */
enum {
	THREADS_PROCESSES = 1u << 0,	/* a row per process from /proc/PID/stat (the whole
					 * process's values), not one per thread */
	THREADS_STATUS_UID = 1u << 1,	/* the EUID from status "Uid:" (a --proc-root tree,
					 * whose files anyone may own), not the directory owner */
	THREADS_DELTAS_ONLY = 1u << 2,	/* rows that only give the next sample its deltas:
					 * without their comm (NULL), each stat parsed up to
					 * the start time (field 22) */
};
/* pagesize > 0: each row's RSS from its process's statm too, read once per process (in
 * pages of that size; rss_av says if it could be read). */
/* The order of a scan's rows: by process (tgid), then by TID. A qsort/bsearch comparator of
 * struct task, and whether v[0..n-1] is in that order. */
int threads_cmp_row(const void *a, const void *b);
bool threads_sorted(const struct task *v, size_t n);
int threads_scan_ex(int rootfd, unsigned how, long pagesize, const pid_t *tgids, size_t ntgids,
		    struct task **rows, size_t *nrows);

/* The same with stat files kept open between calls in kept (src/sample/keptfd.h; NULL:
 * none): each task's stat is re-read through its kept file, the files of tasks not seen in
 * this scan are closed. Only for the live /proc, and only for one kind of scan (how). */
struct keptfd;
int threads_scan_kept(int rootfd, unsigned how, long pagesize, const pid_t *tgids,
		      size_t ntgids, struct keptfd *kept, struct task **rows, size_t *nrows);

/* The command line (cmd, cmd_av) of every row, read once per process from its main thread's
 * /proc/PID/cmdline (at most 128 KiB) when that is still the process the rows show (same
 * start time). Rows sorted by (tgid, tid). */
int threads_add_cmdlines(int rootfd, struct task *rows, size_t n);

/* Every process, light (stat and the EUID), for resolving targets: -u, -C, --children. */
struct proc2_light;
int threads_list_processes(int rootfd, unsigned how, struct proc2_light **out, size_t *n);

#endif
