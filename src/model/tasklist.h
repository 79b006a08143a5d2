/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tasklist.h - the TUI's rows: processes with nested threads, a flat thread list or a
 * process tree, filtered by name and sorted by any column */
#ifndef TASKSCOPE_TASKLIST_H
#define TASKSCOPE_TASKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/columns.h"
#include "model/settings.h"
#include "model/snapshot.h"

/* Readers so costly that only the processes on screen get them (smaps_rollup, numa_maps). */
#define TASKLIST_VISIBLE_READERS (RD_SMAPS | RD_NUMA)

struct tasklist_row {
	const struct task *t;		/* a process row, or a thread row */
	const struct task *mem;		/* the process in the on-screen snapshot, or NULL */
	unsigned depth;			/* indentation: tree depth, +1 for a nested thread */
	bool thread;			/* a thread nested under its process */
	bool can_expand;		/* a process row with more than one thread */
	bool expanded;
	/* connectors (nested threads, the tree): */
	bool last;			/* the last of its siblings */
	bool has_kids;			/* tree: a process with children (shown or not) */
	bool collapsed;			/* tree: its children are hidden */
	uint64_t more;			/* bit d: the ancestor at depth d has siblings below */
};

/* One key of a multi-column order (batch --sort). */
struct tasklist_key {
	const struct column *col;
	bool ascending;
};

struct tasklist_opts {
	enum ts_listmode mode;
	const struct column *sort;	/* NULL: by PID */
	bool ascending;
	const struct tasklist_key *keys;	/* when nkeys > 0: these instead of sort */
	size_t nkeys;
	const char *filter;		/* case-insensitive part of COMM or CMD; NULL: all */
	bool (*expanded)(void *ctx, pid_t tgid);	/* nested/tree: show its threads */
	bool (*collapsed)(void *ctx, pid_t tgid);	/* tree: hide its children (or NULL) */
	bool hide_kthreads;		/* leave kernel threads out */
	void *ctx;
	const struct col_ctx *cctx;
};

/*
 * The rows for procs (a process snapshot) and threads (a thread snapshot of the processes
 * that show threads, or NULL); mem is the snapshot of the on-screen processes with the
 * TASKLIST_VISIBLE_READERS (or NULL). *rows is malloc'ed (free it, or spare_put it for the
 * next list) and points into the snapshots.
 * Returns 0 or -ENOMEM.
 */
int tasklist_build(const struct tasklist_opts *o, const struct snapshot *procs,
		   const struct snapshot *threads, const struct snapshot *mem,
		   struct tasklist_row **rows, size_t *nrows);
/* The value of col for a row: on-screen-only columns come from row->mem. */
void tasklist_cell(const struct tasklist_row *r, const struct column *col,
		   const struct col_ctx *ctx, struct cell *c);
/* Compare two rows by col (missing values last whatever the order): <0, 0, >0. */
int tasklist_compare(const struct tasklist_row *a, const struct tasklist_row *b,
		     const struct column *col, bool ascending, const struct col_ctx *ctx);
/* Does the task's COMM or CMD hold filter (case-insensitive)? */
bool tasklist_matches(const struct task *t, const char *filter);

#endif
