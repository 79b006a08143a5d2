/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.h - batch tables, raw and JSON output of task snapshots (scolsout, libsmartcols) */
#ifndef TASKSCOPE_BATCH_H
#define TASKSCOPE_BATCH_H

#include <stdbool.h>
#include <stdio.h>
#include "model/columns.h"
#include "model/snapshot.h"
#include "model/tasklist.h"

/* A -p PID found reused since the previous report: the process watched ended and another
 * one (comm, sanitized) has the PID; text says so in a sentence. */
struct batch_note {
	int pid;
	const char *comm;
	const char *text;
};

/* A replay: what the JSON stamp says instead of this machine's and this run's. */
struct batch_replay {
	const char *file;	/* the recording (sanitized) */
	const char *host, *kernel, *version;	/* the recording machine's and taskscope's */
};

struct batch_opts {
	const struct column *const *cols;
	size_t ncols;
	bool json;
	bool raw;
	bool bytes;
	const char *what;	/* what is watched, for the header line ("all tasks", ...) */
	FILE *out;
	bool threads;		/* rows are threads (-H) */
	const struct tasklist_key *keys;	/* --sort; none: by PID */
	size_t nkeys;
	bool tree;		/* --tree: processes under their parents, threads nested */
	bool totals;		/* --totals: the sums of the additive columns */
	const struct batch_note *notes;	/* this report's: a footnote line each (table), */
	size_t nnotes;			/* the "reused" array (JSON); not in raw output */
	const struct batch_replay *replay;	/* JSON: the recording's host and kernel, and
						 * a "replay" object (file, recorded_version) */
};

/* Print one snapshot: a header line and a table (table mode), or one JSON document (with
 * the stamp of json.h first, then the notes, if any, as "reused": [{"pid": N, "comm": "..."}],
 * then "tasks" and, with totals, "totals").
 * Returns 0 or -errno (-EPIPE when the reader went away). */
int batch_print(const struct batch_opts *o, const struct col_ctx *ctx,
		const struct snapshot *sn, unsigned long seq);

#endif
