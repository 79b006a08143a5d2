/* SPDX-License-Identifier: GPL-2.0-or-later */
/* columns.h - the one table of task columns that every output mode is built from */
#ifndef TASKSCOPE_COLUMNS_H
#define TASKSCOPE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sample/task.h"

struct sampler;

/* How a value is shown: in tables as text, in JSON as the given JSON type. */
enum col_kind {
	CK_STR,		/* text, JSON string */
	CK_INT,		/* signed integer, JSON number */
	CK_COUNT,	/* unsigned count, JSON number */
	CK_SIZE,	/* bytes: human-readable in tables unless --bytes, JSON number of bytes */
	CK_PCT,		/* percent with one decimal, JSON number */
	CK_CPUTIME,	/* seconds: M:SS.hh in tables, JSON number of seconds */
	CK_WALLTIME,	/* epoch seconds: HH:MM:SS (today) or MonDD, JSON ISO 8601 string */
	CK_NSEC,	/* nanoseconds: milliseconds with one decimal and "ms" in tables,
			 * JSON number of nanoseconds */
	CK_NODES,	/* bytes per NUMA node: "0:1.2G,1:300M" in tables (bytes with --bytes),
			 * JSON array of {"node": N, "bytes": B}; u is the total, which sorts */
};

enum col_flags {
	CF_RIGHT = 1u << 0,	/* right-aligned */
	CF_TRUNC = 1u << 1,	/* may be truncated in wide tables */
	CF_PROCESS = 1u << 2,	/* the process's value, repeated on each thread row */
	CF_INTERVAL = 1u << 3,	/* counted over the sampling interval */
	CF_WRAP = 1u << 4,	/* long text that may wrap/extend */
};

/* A value taken out of a task, before formatting. */
struct cell {
	enum ts_avail av;	/* TS_OK, or why there is no value */
	union {
		int64_t i;
		uint64_t u;
		double d;
		const char *s;
	};
	const uint64_t *nodes;	/* CK_NODES: bytes on each node 0..nnodes-1 */
	size_t nnodes;
	char buf[32];		/* storage for short computed strings */
	double now;		/* CK_WALLTIME: the sample's wall time, which the text is
				 * relative to (a time of that day, else a date; 0: the
				 * current time) */
};

struct col_ctx {
	struct sampler *sampler;	/* for topology and clock facts */
	bool threads;
	double now;	/* the shown sample's wall time (0: the current time), for START */
};

struct column {
	const char *name;	/* -o name and header; JSON key is its lower case */
	enum col_kind kind;
	double whint;		/* libsmartcols width hint */
	unsigned flags;
	unsigned readers;	/* RD_* bits needed beyond stat */
	const char *help;
	void (*get)(const struct col_ctx *ctx, const struct task *t, struct cell *c);
};

size_t columns_count(void);
const struct column *columns_get(size_t i);
/* The table for coltable.h's lookup, -o lists and --list-columns printer. */
struct coltable;
const struct coltable *columns_table(void);
/* The order a column sorts in unless reversed: true (smallest first) for text, IDs (PID,
 * TID, PPID, CPU, NODE, ...), PRI, NI and START; false (largest first) for quantities. */
bool columns_natural_ascending(const struct column *c);
/* Can the column's values of different processes be added up (sizes, counts, times)? */
bool columns_additive(const struct column *c);
/* case-insensitive lookup; NULL if unknown */
const struct column *columns_find(const char *name);
/* Parse "PID,TID,+RSS" style list ("+LIST" appends to defaults) into column pointers.
 * Returns 0, -EINVAL (then *bad names the offending name, malloc'ed) or -ENOMEM. */
int columns_parse_list(const char *list, bool threads, const struct column ***cols,
		       size_t *ncols, char **bad);
/* default columns for the task view */
int columns_defaults(bool threads, const struct column ***cols, size_t *ncols);
/* union of readers needed */
unsigned columns_readers(const struct column *const *cols, size_t ncols);
/* JSON key (lower-case name) into buf */
const char *columns_json_key(const struct column *col, char *buf, size_t len);

/* Format a cell as table text or JSON value text into buf; returns NULL for a missing
 * value (shown as "-" in tables, null in JSON). bytes: exact sizes in tables. */
const char *columns_format(const struct column *col, const struct cell *c, bool json,
			   bool bytes, char *buf, size_t len);
/* A CK_COUNT or CK_SIZE value (a size human-readable unless json or bytes) into buf */
const char *columns_format_u64(enum col_kind kind, uint64_t u, bool json, bool bytes, char *buf,
			       size_t len);
/* The buffer columns_format needs for the cell (a CK_NODES list grows with its nodes). */
size_t columns_format_size(const struct column *col, const struct cell *c);
/* Text for why a value is missing */
const char *columns_avail_text(enum ts_avail av);

#endif
