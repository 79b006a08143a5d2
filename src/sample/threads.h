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

#endif
