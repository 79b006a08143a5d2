/* SPDX-License-Identifier: GPL-2.0-or-later */
/* coltable.h - the one mechanism behind taskscope's column tables (the task view's, maps')
 *
 * A table is an array of its own entries (struct column, struct maps_column), each with a
 * name, a one-line help and flags; struct coltable describes where those are, so that the
 * lookup by name, the -o list parser and the --list-columns printer exist once. Lists are
 * given back as indices into the table; the typed wrappers (columns_parse_list,
 * mapcols_parse_list) turn them into entry pointers.
 */
#ifndef TASKSCOPE_COLTABLE_H
#define TASKSCOPE_COLTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A mark --list-columns (and the man page) puts after the help of an entry with flag. */
struct coltable_mark {
	unsigned flag;
	const char *text;	/* "[process]" */
};

struct coltable {
	const void *cols;		/* the entries */
	size_t n, size;			/* how many, and the size of one */
	size_t name_off, help_off, flags_off;	/* offsetof its name, help (const char *)
						 * and flags (unsigned) */
	const struct coltable_mark *marks;	/* ends with a { 0, NULL } entry */
	int list_width;			/* --list-columns: names right-aligned in this width */
};

#define COLTABLE(array, type, marks, width) {						\
	(array), sizeof(array) / sizeof((array)[0]), sizeof(type), offsetof(type, name),	\
	offsetof(type, help), offsetof(type, flags), (marks), (width) }

/* The typed accessors of a table instance, defined once for all: prefix_table(),
 * prefix_count(), prefix_get(i) and prefix_find(name) over struct coltable tab. */
#define COLTABLE_ACCESSORS(prefix, type, tab)					\
	const struct coltable *prefix##_table(void) { return &(tab); }		\
	size_t prefix##_count(void) { return (tab).n; }				\
	const type *prefix##_get(size_t i) { return coltable_get(&(tab), i); }	\
	const type *prefix##_find(const char *name)				\
	{									\
		return coltable_find(&(tab), name);				\
	}

/* static int name(rc, idx, n, cols, ncols): the entries of table (an array of type) at the
 * indices idx[0..n-1], which it frees, after rc of the parse that made them: *cols
 * malloc'ed, *ncols; rc, or -ENOMEM. */
#define COLTABLE_ENTRIES(name, type, table)					\
	static int name(int rc, size_t *idx, size_t n, const type ***cols, size_t *ncols) \
	{									\
		const type **v = rc ? NULL : malloc((n ? n : 1) * sizeof(*v));	\
										\
		*cols = v;							\
		*ncols = v ? n : 0;						\
		for (size_t i = 0; v && i < n; i++)				\
			v[i] = &(table)[idx[i]];				\
		free(idx);							\
		return rc ? rc : v ? 0 : -ENOMEM;				\
	}

const char *coltable_name(const struct coltable *t, size_t i);
const char *coltable_help(const struct coltable *t, size_t i);
unsigned coltable_flags(const struct coltable *t, size_t i);
/* The index of the column called name (case-insensitive), or -1. */
long coltable_index(const struct coltable *t, const char *name);
/* Entry i (NULL past the end), and the entry called name (NULL if unknown), to be read
 * as the table's own type. */
const void *coltable_get(const struct coltable *t, size_t i);
const void *coltable_find(const struct coltable *t, const char *name);
/* The columns named by names[0..n-1] (each known), duplicates left out: 0 or -ENOMEM. */
int coltable_names(const struct coltable *t, const char *const *names, size_t n,
		   size_t **idx, size_t *nidx);
/* An -o list "A,B" (or "+A,B": after the defaults names[0..n-1]), each column once:
 * 0, -EINVAL with *bad (malloc'ed, sanitized) naming an unknown column, or -ENOMEM. */
int coltable_parse_list(const struct coltable *t, const char *list,
			const char *const *defaults, size_t ndefaults, size_t **idx,
			size_t *nidx, char **bad);
/* --list-columns: "   NAME  help [mark]..." a line per column (marks: with the marks). */
void coltable_print(const struct coltable *t, FILE *out, bool marks);
/* Why a value is missing: "" for TS_OK (0, it is there), else texts[av] (n texts, indexed
 * by enum ts_avail), and the last of them for a reason that has none or is past them. */
const char *coltable_avail_text(const char *const *texts, size_t n, unsigned av);
/* The JSON key of a column: its name in lower case, into buf. */
const char *coltable_json_key(const char *name, char *buf, size_t len);

#endif
