/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scolstab.h - the steps every libsmartcols table of the views takes: columns, lines, print */
#ifndef TASKSCOPE_SCOLSTAB_H
#define TASKSCOPE_SCOLSTAB_H

#include <stddef.h>
#include <stdio.h>

#include <libsmartcols.h>

/* Columns names[0..n-1] with flags[i] (SCOLS_FL_*), whose sanitized text keeps its "\"
 * escapes as they are: 0 or -ENOMEM. */
int scolstab_columns(struct libscols_table *tb, const char *const *names, const int *flags,
		     size_t n);
/* cells[0..n-1] into line ln: 0 or -ENOMEM. */
int scolstab_cells(struct libscols_line *ln, const char *const *cells, size_t n);
/* Unless rc (the building's result) is an error, print tb to out; then free tb. rc, or
 * -EIO when printing failed. */
int scolstab_print(struct libscols_table *tb, FILE *out, int rc);

#endif
