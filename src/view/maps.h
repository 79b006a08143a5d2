/* SPDX-License-Identifier: GPL-2.0-or-later */
/* maps.h - output of `taskscope maps`: tables (libsmartcols) and one JSON document */
#ifndef TASKSCOPE_VIEW_MAPS_H
#define TASKSCOPE_VIEW_MAPS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "model/mapcols.h"
#include "model/memmap.h"
#include "view/json.h"

struct maps_view {
	const struct maps_column *const *cols;
	size_t ncols;
	enum memmap_group group;
	bool json, raw, bytes;
	FILE *out;
	struct json js;		/* the document, with json */
	bool procs_open;	/* its "processes" array is open */
	size_t nshown;		/* processes printed so far */
};

/* One process as the view shows it. */
struct maps_proc {
	pid_t pid;
	const char *comm;		/* sanitized */
	int err;			/* 0: mm is there; -EACCES/-EPERM: denied; else -errno */
	long nthreads;			/* threads that share the address space */
	const struct memmap *mm;
	const struct memmap_row *groups;	/* with a --group: the grouped rows */
	size_t ngroups;
};

/* The JSON document opens with the first process and closes in maps_view_end. */
void maps_view_begin(struct maps_view *v);
/* One process: a header line, its table and its threads' table (or a JSON member).
 * Returns 0 or -errno (-EPIPE: the reader went away). */
int maps_view_proc(struct maps_view *v, const struct maps_proc *p);
/* Side by side: names[i] rows of several processes (from memmap_compare). */
int maps_view_compare(struct maps_view *v, const struct maps_proc *procs, size_t nprocs,
		      const struct memmap_cmp_row *rows, size_t nrows);
int maps_view_end(struct maps_view *v);

#endif
