/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharefmt.h - the report of taskscope share: text matrices and tables, or one JSON document */
#ifndef TASKSCOPE_SHAREFMT_H
#define TASKSCOPE_SHAREFMT_H

#include <stdbool.h>
#include <stdio.h>
#include "model/sharing.h"

/* The report as text: the address spaces, the kcmp matrices, the memory matrix and the
 * per-space table, with footnotes; what names the targets for the header line.
 * bytes: sizes in bytes. Returns 0 or -errno (the stream's errors are left in it). */
int sharefmt_text(FILE *out, const struct sharing_report *rep, bool bytes, const char *what);
/* The report as one JSON document (sizes in bytes, null when unknown), with the ranked
 * pairs and segments (at most top of each, 0: all). */
int sharefmt_json(FILE *out, const struct sharing_report *rep, size_t top);

/* Many address spaces: the ranked pairs (at most top, 0: all) and the groups of three or
 * more that map the same pages, instead of matrices. */
int sharefmt_list_text(FILE *out, const struct sharing_report *rep, bool bytes, const char *what,
		       size_t top);

/* One process against every other: the ranked partners (at most top, 0: all), with notes. */
int sharefmt_against_text(FILE *out, const struct sharing_against *ag, bool bytes, size_t top);
int sharefmt_against_json(FILE *out, const struct sharing_against *ag, size_t top);

#endif
