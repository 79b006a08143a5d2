/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scolsout.h - aligned tables for a file or pipe without libsmartcols' per-character width
 * pass, byte for byte as libsmartcols prints them */
#ifndef TASKSCOPE_SCOLSOUT_H
#define TASKSCOPE_SCOLSOUT_H

#include <stdbool.h>
#include <stdio.h>

#include <libsmartcols.h>

/*
 * Print tb to its stream exactly as scols_print_table() does. An aligned table whose
 * standard output is not a terminal, with plain columns (no tree, wrapping, hiding, title,
 * colours or encoding), is laid out here with util_text_width, which counts printable
 * ASCII without a multibyte decoder; libsmartcols decodes and measures every character of
 * every cell twice. A raw table with plain columns is written here too, a line at a time.
 * Anything else goes to scols_print_table(). Returns 0 or -errno.
 */
int scolsout_print(struct libscols_table *tb);

/*
 * A table built cell by cell: for raw output, and aligned output that goes to a file or
 * pipe, its cells' text is kept in one buffer here, 8 bytes more a cell for its length and
 * width (no libsmartcols line or cell is made), and
 * printed as above; aligned output to a terminal goes through a libsmartcols table
 * (noencoding, cells sanitized already, "\" not escaped again). Functions return 0 or
 * -errno.
 */
struct scolsout;

/* NULL when out of memory */
struct scolsout *scolsout_new(bool raw);
/* flags: SCOLS_FL_RIGHT, SCOLS_FL_TRUNC */
int scolsout_column(struct scolsout *t, const char *name, double whint, int flags);
/* room for nlines lines in all (after the columns are set): the cells and text of a table
 * of known length are made once, from the blocks the last table left (lib/spare.h),
 * instead of copied while they grow. Only a speed-up: lines beyond still fit. */
int scolsout_reserve(struct scolsout *t, size_t nlines);
/* a new line; its cells are empty until set */
int scolsout_line(struct scolsout *t);
/* cell col of the last line (copied); a line's cells are set in column order, each at most
 * once (-EINVAL otherwise), and a cell not set is empty */
int scolsout_set(struct scolsout *t, size_t col, const char *text);
/* the same for text the caller knows is printable ASCII (0x20-0x7e): not measured */
int scolsout_set_ascii(struct scolsout *t, size_t col, const char *text);
int scolsout_write(struct scolsout *t, FILE *out);
void scolsout_free(struct scolsout *t);

#endif
