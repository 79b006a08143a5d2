/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scolsout.c - print a libsmartcols table that goes to a file or pipe without its
 * per-character width pass
 *
 * libsmartcols sizes a column by decoding every cell with mbrtowc and wcwidth, then
 * decodes each cell again to print it: for 10,000 thread rows that was 13.5% of a refresh
 * of the thread view. When its standard output is not a terminal, libsmartcols does not
 * fit a table to any width, and the layout is simple: each column as wide as its widest
 * cell or its heading (or its absolute width hint), cells padded with spaces, the last
 * column not padded. This file does that layout with widths from util_text_width and
 * leaves every other case (a terminal, trees, wrapping...) to libsmartcols.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "view/scolsout.h"

/* The cases this file lays out as libsmartcols would; the others are left to it. */
static bool plain_table(struct libscols_table *tb)
{
	struct libscols_iter *it;
	struct libscols_column *cl;
	struct libscols_cell *title = scols_table_get_title(tb);
	bool plain = true;

	if (scols_table_is_json(tb) || scols_table_is_raw(tb) || scols_table_is_export(tb) ||
	    scols_table_is_tree(tb) || scols_table_is_maxout(tb) || scols_table_is_minout(tb) ||
	    scols_table_is_noheadings(tb) || scols_table_is_nolinesep(tb) ||
	    !scols_table_is_noencoding(tb) || scols_table_colors_wanted(tb) ||
	    (title && scols_cell_get_data(title)) || scols_table_get_ncols(tb) == 0)
		return false;
	/* libsmartcols fits the table to a terminal when its standard output is one */
	switch (scols_table_get_termforce(tb)) {
	case SCOLS_TERMFORCE_NEVER:
		break;
	case SCOLS_TERMFORCE_ALWAYS:
		return false;
	default:
		if (isatty(STDOUT_FILENO))
			return false;
		break;
	}
	it = scols_new_iter(SCOLS_ITER_FORWARD);
	if (!it)
		return false;
	while (plain && scols_table_next_column(tb, it, &cl) == 0) {
		const char *name = scols_cell_get_data(scols_column_get_header(cl));

		if (scols_column_is_hidden(cl) || scols_column_is_wrap(cl) ||
		    scols_column_is_customwrap(cl) || scols_column_is_tree(cl) ||
		    scols_column_is_noextremes(cl) || scols_column_is_strict_width(cl) ||
		    !name || !*name)
			plain = false;
	}
	scols_free_iter(it);
	return plain;
}

/* A line being laid out: cells are copied in and written with one fwrite. */
struct linebuf {
	char *b;
	size_t len, cap;
};

static int lb_room(struct linebuf *lb, size_t n)
{
	if (n > SIZE_MAX / 2 - lb->len)
		return -ENOMEM;
	if (lb->len + n > lb->cap) {
		size_t nc = lb->cap ? lb->cap : 256;
		char *nb;

		while (nc < lb->len + n)
			nc *= 2;
		nb = realloc(lb->b, nc);
		if (!nb)
			return -ENOMEM;
		lb->b = nb;
		lb->cap = nc;
	}
	return 0;
}

/* One cell as libsmartcols' print_data() writes it in a table that is not fitted to a
 * terminal (no cell is wider than its column): right-aligned cells padded before, the
 * others after, except in the last column; the separator after every column but the last. */
static int put_cell(struct linebuf *lb, const char *s, size_t len, size_t w, size_t width,
		    bool right, bool last, const char *sep, size_t seplen)
{
	size_t before = 0, after = 0;

	if (last && !right && w < width)
		width = w;
	if (len && right) {
		before = width - w;
		w = width;
	}
	if (!last)
		after = width - w;
	if (lb_room(lb, before + len + after + (last ? 0 : seplen)))
		return -ENOMEM;
	memset(lb->b + lb->len, ' ', before);
	memcpy(lb->b + lb->len + before, s, len);
	lb->len += before + len;
	if (last)
		return 0;
	memset(lb->b + lb->len, ' ', after);
	memcpy(lb->b + lb->len + after, sep, seplen);
	lb->len += after + seplen;
	return 0;
}

struct cellw {
	const char *s;
	uint32_t len, w;
};

static int print_plain(struct libscols_table *tb)
{
	size_t ncols = scols_table_get_ncols(tb), nlines = scols_table_get_nlines(tb), l = 0;
	const char *sep = scols_table_get_column_separator(tb);
	const char *lsep = scols_table_get_line_separator(tb);
	FILE *out = scols_table_get_stream(tb);
	struct libscols_column **cols;
	struct libscols_iter *it;
	struct libscols_line *ln;
	struct linebuf lb = { 0 };
	struct cellw *cells;
	size_t *width, seplen, lseplen;
	bool *right;
	int rc = 0;

	if (!out)
		out = stdout;
	if (!sep)
		sep = " ";
	if (!lsep)
		lsep = "\n";
	seplen = strlen(sep);
	lseplen = strlen(lsep);
	if (nlines == 0)
		return 0;	/* libsmartcols prints nothing, not even the headings */
	if (nlines > SIZE_MAX / sizeof(*cells) / ncols)
		return -ENOMEM;
	cols = calloc(ncols, sizeof(*cols));
	width = calloc(ncols, sizeof(*width));
	right = calloc(ncols, sizeof(*right));
	cells = malloc(nlines * ncols * sizeof(*cells));
	it = scols_new_iter(SCOLS_ITER_FORWARD);
	if (!cols || !width || !right || !cells || !it) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t c = 0; c < ncols; c++) {
		if (scols_table_next_column(tb, it, &cols[c])) {
			rc = -EINVAL;
			goto out;
		}
		right[c] = scols_column_is_right(cols[c]);
	}
	/* each cell's width, once */
	scols_reset_iter(it, SCOLS_ITER_FORWARD);
	while (l < nlines && scols_table_next_line(tb, it, &ln) == 0) {
		for (size_t c = 0; c < ncols; c++) {
			struct libscols_cell *ce = scols_line_get_cell(ln, c);
			const char *s = ce ? scols_cell_get_data(ce) : NULL;
			struct cellw *cw = &cells[l * ncols + c];
			size_t len = 0, w = 0;

			if (s)
				w = util_text_width(s, &len);
			if (len > UINT32_MAX) {
				rc = -EOVERFLOW;
				goto out;
			}
			cw->s = s;
			cw->len = (uint32_t)len;
			cw->w = (uint32_t)w;
			if (w > width[c])
				width[c] = w;
		}
		l++;
	}
	nlines = l;
	/* libsmartcols' column width (calculate.c): the widest cell, at least the heading; an
	 * absolute width hint (>= 1) when both are narrower than it */
	for (size_t c = 0; c < ncols; c++) {
		size_t hlen, hw = util_text_width(scols_cell_get_data(scols_column_get_header(cols[c])),
						  &hlen);
		double whint = scols_column_get_whint(cols[c]);
		size_t min = hw ? hw : 1;

		if (width[c] < min)
			width[c] = min;
		else if (whint >= 1 && width[c] < (size_t)whint && min < (size_t)whint)
			width[c] = (size_t)whint;
	}
	/* the headings, the lines with a separator between them, and a line break: what
	 * scols_print_table writes */
	for (size_t c = 0; !rc && c < ncols; c++) {
		const char *h = scols_cell_get_data(scols_column_get_header(cols[c]));
		size_t hlen, hw = util_text_width(h, &hlen);

		rc = put_cell(&lb, h, hlen, hw, width[c], right[c], c + 1 == ncols, sep, seplen);
	}
	for (l = 0; !rc && l < nlines; l++) {
		rc = lb_room(&lb, lseplen);
		if (rc)
			break;
		memcpy(lb.b + lb.len, lsep, lseplen);
		lb.len += lseplen;
		for (size_t c = 0; !rc && c < ncols; c++) {
			const struct cellw *cw = &cells[l * ncols + c];

			rc = put_cell(&lb, cw->s, cw->len, cw->w, width[c], right[c], c + 1 == ncols,
				      sep, seplen);
		}
		if (!rc && (lb.len >= 4096 || l + 1 == nlines)) {
			fwrite(lb.b, 1, lb.len, out);
			lb.len = 0;
		}
	}
	if (!rc)
		fputc('\n', out);
out:
	free(lb.b);
	if (it)
		scols_free_iter(it);
	free(cells);
	free(right);
	free(width);
	free(cols);
	return rc;
}

int scolsout_print(struct libscols_table *tb)
{
	if (plain_table(tb))
		return print_plain(tb);
	return scols_print_table(tb) ? -EIO : 0;
}
