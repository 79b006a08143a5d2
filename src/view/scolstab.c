/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scolstab.c - the steps every libsmartcols table of the views takes: columns, lines, print */
#include "config.h"

#include <errno.h>

#include "view/scolstab.h"

int scolstab_columns(struct libscols_table *tb, const char *const *names, const int *flags,
		     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct libscols_column *cl = scols_table_new_column(tb, names[i], 0, flags[i]);

		if (!cl)
			return -ENOMEM;
		/* sanitized text carries \xHH escapes: keep them as they are */
		scols_column_set_safechars(cl, "\\");
	}
	return 0;
}

int scolstab_cells(struct libscols_line *ln, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (scols_line_set_data(ln, i, cells[i]))
			return -ENOMEM;
	return 0;
}

int scolstab_print(struct libscols_table *tb, FILE *out, int rc)
{
	if (!rc) {
		scols_table_set_stream(tb, out);
		if (scols_print_table(tb))
			rc = -EIO;
	}
	scols_unref_table(tb);
	return rc;
}
