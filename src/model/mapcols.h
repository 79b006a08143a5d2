/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mapcols.h - the one table of columns of `taskscope maps` (a row per mapping or group) */
#ifndef TASKSCOPE_MAPCOLS_H
#define TASKSCOPE_MAPCOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/columns.h"	/* enum col_kind, CF_RIGHT, CF_TRUNC */
#include "model/memmap.h"
#include "sample/task.h"		/* enum ts_avail */

enum mapcols_flags {
	MCF_MAPPING = 1u << 8,	/* a fact of one mapping: no value on a group row */
	MCF_NUMA = 1u << 9,	/* needs numa_maps */
	MCF_NODES = 1u << 10,	/* per-node counts: a JSON array of numbers */
	MCF_STACKS = 1u << 11,	/* needs the threads' stack pointers (thread-stack labels) */
	MCF_ASCII = 1u << 12,	/* its table text is printable ASCII (not measured) */
};

/* A value taken out of a row, before formatting. */
struct mapcols_cell {
	enum ts_avail av;	/* TS_OK, or why there is no value */
	uint64_t u;
	const char *s;
	char buf[96];		/* storage for short computed strings */
};

struct maps_column {
	const char *name;	/* -o name and header; JSON key is its lower case */
	enum col_kind kind;	/* CK_STR, CK_COUNT or CK_SIZE */
	double whint;		/* libsmartcols width hint */
	unsigned flags;		/* CF_RIGHT, CF_TRUNC, MCF_* */
	const char *help;
	void (*get)(const struct memmap *mm, const struct memmap_row *r,
		    struct mapcols_cell *c);
};

size_t mapcols_count(void);
const struct maps_column *mapcols_get(size_t i);
/* The table for coltable.h's lookup, -o lists and --list-columns printer. */
struct coltable;
const struct coltable *mapcols_table(void);
/* case-insensitive lookup; NULL if unknown */
const struct maps_column *mapcols_find(const char *name);
/* default columns of a table per mapping, per kind or per name */
int mapcols_defaults(enum memmap_group g, const struct maps_column ***cols, size_t *ncols);
/* "ADDRESS,RSS" or "+NODES" (added to the defaults of g); -EINVAL with *bad (malloc'ed,
 * sanitized) naming an unknown column, or -ENOMEM */
int mapcols_parse_list(const char *list, enum memmap_group g,
		       const struct maps_column ***cols, size_t *ncols, char **bad);
/* some column needs numa_maps / the threads' stack pointers */
bool mapcols_need_numa(const struct maps_column *const *cols, size_t ncols);
bool mapcols_need_stacks(const struct maps_column *const *cols, size_t ncols);
/* JSON key (lower-case name) into buf */
const char *mapcols_json_key(const char *name, char *buf, size_t len);
/* Table or JSON text of a cell; NULL for a missing value ("-" in tables, null in JSON).
 * bytes: exact sizes in tables. */
const char *mapcols_format(const struct maps_column *col, const struct mapcols_cell *c,
			   bool json, bool bytes, char *buf, size_t len);
/* util_size_human's text of bytes into buf (len >= 16 for the remembered ones): the text of
 * each size is remembered (a map's sizes repeat) */
const char *mapcols_size_human(uint64_t bytes, char *buf, size_t len);
/* What a "-" means, for footnotes */
const char *mapcols_avail_text(enum ts_avail av);

#endif
