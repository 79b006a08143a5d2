/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare.h - the report of a compare: one table (libsmartcols) or JSON, and plain words */
#ifndef TASKSCOPE_COMPARE_H
#define TASKSCOPE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "model/comparison.h"
#include "model/recjob.h"

struct compare_view {
	const char *mode;	/* "workers", "commands", "pids" */
	bool json;
	bool bytes;
	bool no_notes;		/* leave out the notes under the table (demo prints them once) */
	FILE *out;
};

/* The report of two sides. 0, or -errno (-EPIPE: the reader went away). */
int compare_print(const struct compare_view *v, const struct comparison_side *a,
		  const struct comparison_side *b);

/* The notes that explain the rows (printed under the table unless no_notes); runs: the
 * sides were run (not watched with -p), so the rows about start-up are there. */
void compare_print_notes(FILE *out, bool runs);

/* A value as the table shows it ("-" when unknown); returns buf. */
const char *compare_format(const struct comparison_side *s, enum comparison_metric m,
			   bool bytes, char *buf, size_t len);

#define COMPARE_LINE 256
#define COMPARE_MAX_FINDINGS 16

/* The plain words under the table: which side had more of what, one sentence per line,
 * made from the measured numbers only. Returns the number of lines. */
size_t compare_findings(const struct comparison_side *a, const struct comparison_side *b,
			char lines[][COMPARE_LINE], size_t max);

/* One side of a compare of two recordings (taskscope compare A.db B.db): a recording read. */
struct compare_recside {
	char label[4];
	char file[300];		/* sanitized */
	char name[64];		/* the file's last component, sanitized, cut */
	char *command;		/* the recorded job (sanitized in the file), or NULL */
	char *targets;		/* what was recorded, in words */
	char *host;
	bool schema1;		/* kcmp groups not recorded */
	struct recjob j;
};

/* The report of two recordings (v->mode unused: "recordings"). 0, or -errno (-EPIPE: the
 * reader went away). */
int compare_print_recordings(const struct compare_view *v, const struct compare_recside *a,
			     const struct compare_recside *b);

#endif
