/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharefmt.h - the report of taskscope share: text matrices and tables, or one JSON document */
#ifndef TASKSCOPE_SHAREFMT_H
#define TASKSCOPE_SHAREFMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model/sharing.h"

/* The report as text: the address spaces, the kcmp matrices, the memory matrix and the
 * per-space table, with footnotes; what names the targets for the header line.
 * bytes: sizes in bytes. Returns 0 or -errno (the stream's errors are left in it). */
int sharefmt_text(FILE *out, const struct sharing_report *rep, bool bytes, const char *what);
/* The report as one JSON document (sizes in bytes, null when unknown), with the ranked
 * pairs and segments (at most top of each, 0: all). */
int sharefmt_json(FILE *out, const struct sharing_report *rep, size_t top);

/* ---- building blocks of sharefmt.c that sharelist.c uses too ------------------------------ */

struct json;

#define SHAREFMT_MAX_NOTES 16
/* Footnotes of the text report, "notes" of the JSON. */
struct sharefmt_notes {
	char *v[SHAREFMT_MAX_NOTES];
	size_t n;
};
void sharefmt_note_add(struct sharefmt_notes *nt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sharefmt_notes_free(struct sharefmt_notes *nt);
void sharefmt_print_notes(FILE *out, const struct sharefmt_notes *nt);
void sharefmt_resource_notes(const struct sharing_report *rep, struct sharefmt_notes *nt);
void sharefmt_memory_notes(const struct sharing_report *rep, struct sharefmt_notes *nt);
/* What an -errno means to the user: "gone", "permission denied", ... */
const char *sharefmt_why(int err);
/* A size in bytes or human-readable, "?" for UINT64_MAX. */
const char *sharefmt_size_text(uint64_t v, bool bytes, char *buf, size_t len);
/* A libsmartcols table; right: bit c set for a right-aligned column c. */
int sharefmt_print_table(FILE *out, const char *const *heads, size_t ncols, unsigned long right,
			 const char *const *cells, size_t nrows);
/* The cells of a table of nrows (at least one) rows and ncols columns for
 * sharefmt_print_table, in *cells, and the text they point to, txt_row bytes a row, which
 * it returns: one zeroed block that free(*cells) frees. NULL when out of memory. */
void *sharefmt_grid(size_t nrows, size_t ncols, size_t txt_row, const char ***cells);
/* "nodes": bytes on each NUMA node of the report (v: nnodes values), null when unknown */
void sharefmt_json_nodes(struct json *j, const struct sharing_report *rep, const uint64_t *v);
/* Nodes the text report shows as columns (more: see -J) */
#define SHAREFMT_MAX_NODES	16
void sharefmt_json_size(struct json *j, const char *key, uint64_t v);
void sharefmt_json_notes(struct json *j, const struct sharefmt_notes *nt);
/* The ranked pairs and segments of a report, as JSON members (sharelist.c). */
int sharefmt_json_lists(struct json *j, const struct sharing_report *rep, size_t top);

/* Many address spaces: the ranked pairs (at most top, 0: all) and the groups of three or
 * more that map the same pages, instead of matrices. */
int sharefmt_list_text(FILE *out, const struct sharing_report *rep, bool bytes, const char *what,
		       size_t top);

/* One process against every other: the ranked partners (at most top, 0: all), with notes. */
int sharefmt_against_text(FILE *out, const struct sharing_against *ag, bool bytes, size_t top);
int sharefmt_against_json(FILE *out, const struct sharing_against *ag, size_t top);

#endif
