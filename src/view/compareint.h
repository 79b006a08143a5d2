/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compareint.h - what the two compare reports (live sides, recordings) share: the number
 * formats, the METRIC table, the JSON document and its sides */
#ifndef TASKSCOPE_COMPAREINT_H
#define TASKSCOPE_COMPAREINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libsmartcols.h>

#include "model/comparison.h"
#include "view/compare.h"
#include "view/json.h"

/* A number of the report in its unit's form ("-" when not known); returns buf. */
const char *compare_number_text(enum comparison_unit unit, bool known, double v, bool bytes,
				char *buf, size_t len);
/* The B/A cell: "2.00x", or "-" when there is no ratio. */
void compare_ratio_cell(bool known, double r, char *buf, size_t len);
/* A table with a METRIC column and the value columns cols (right-aligned), or NULL. */
struct libscols_table *compare_table_new(const char *const *cols, size_t n);
/* A row of such a table: its label and n cells. 0 or -ENOMEM. */
int compare_table_row(struct libscols_table *tb, const char *label, char cells[][48], size_t n);
/* The plain words at the end of a table, after an empty line. */
void compare_print_findings(FILE *out, char lines[][COMPARE_LINE], size_t n);

/* A kind of side (live, recorded) as its JSON sees it: its metrics' keys and units, the value
 * of metric m of side s when known, and B/A of metric m of sides a and b when it has one. */
struct compare_kind {
	int nmetrics;
	const struct comparison_info *(*info)(int m);
	bool (*value)(const void *s, int m, double *v);
	bool (*ratio)(const void *a, const void *b, int m, double *r);
};

/* A number of the report in JSON, at its unit's precision; null when not known. */
void compare_json_number(struct json *j, const char *key, enum comparison_unit unit, bool known,
			 double v);
/* The start of a side's object (its label and name), and its "metrics" object. */
void compare_json_side_open(struct json *j, const char *label, const char *name);
void compare_json_metrics(struct json *j, const struct compare_kind *kind, const void *s);
/* "b_over_a": B/A of each metric that has a ratio, null when it is not known. */
void compare_json_b_over_a(struct json *j, const struct compare_kind *kind, const void *a,
			   const void *b);
/* The start of a report's document, up to its open "sides" array; its end: the plain
 * words. compare_json_end: 0 or -errno (json_end). */
void compare_json_begin(struct json *j, FILE *out, const char *mode);
int compare_json_end(struct json *j, char lines[][COMPARE_LINE], size_t n);

/* What a report's printer returns: the cause of a write error on out (EPIPE, ENOSPC, ...)
 * before its own rc. */
int compare_printed(FILE *out, int rc);

#endif
