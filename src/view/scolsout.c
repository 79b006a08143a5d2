/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scolsout.c - aligned tables for a file or pipe without libsmartcols' per-character
 * width pass, byte for byte as libsmartcols prints them
 *
 * libsmartcols sizes a column by decoding every cell with mbrtowc and wcwidth, then
 * decodes each cell again to print it: for 10,000 thread rows that was 13.5% of a refresh
 * of the thread view. When its standard output is not a terminal, libsmartcols does not
 * fit a table to any width, and the layout is simple: each column as wide as its widest
 * cell or its heading (or its absolute width hint), cells padded with spaces, the last
 * column not padded. This file does that layout with widths from util_text_width and
 * leaves every other case (a terminal, trees, wrapping...) to libsmartcols. A table built
 * with scolsout_new() keeps its cells in one buffer: no libsmartcols line, cell or copy
 * of each string.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/spare.h"
#include "lib/util.h"
#include "view/scolsout.h"

enum plain { NOT_PLAIN, PLAIN_ALIGNED, PLAIN_RAW };

/* The cases this file prints as libsmartcols would; the others are left to it. */
static enum plain plain_table(struct libscols_table *tb)
{
	struct libscols_iter *it;
	struct libscols_column *cl;
	struct libscols_cell *title = scols_table_get_title(tb);
	enum plain kind = scols_table_is_raw(tb) ? PLAIN_RAW : PLAIN_ALIGNED;

	if (scols_table_is_json(tb) || scols_table_is_export(tb) || scols_table_is_tree(tb) ||
	    scols_table_is_noheadings(tb) || scols_table_is_nolinesep(tb) ||
	    scols_table_get_ncols(tb) == 0)
		return NOT_PLAIN;
	if (kind == PLAIN_ALIGNED) {
		if (scols_table_is_maxout(tb) || scols_table_is_minout(tb) ||
		    !scols_table_is_noencoding(tb) || scols_table_colors_wanted(tb) ||
		    (title && scols_cell_get_data(title)))
			return NOT_PLAIN;
		/* libsmartcols fits the table to a terminal when its standard output is one */
		switch (scols_table_get_termforce(tb)) {
		case SCOLS_TERMFORCE_NEVER:
			break;
		case SCOLS_TERMFORCE_ALWAYS:
			return NOT_PLAIN;
		default:
			if (isatty(STDOUT_FILENO))
				return NOT_PLAIN;
			break;
		}
	}
	it = scols_new_iter(SCOLS_ITER_FORWARD);
	if (!it)
		return NOT_PLAIN;
	while (kind != NOT_PLAIN && scols_table_next_column(tb, it, &cl) == 0) {
		const char *name = scols_cell_get_data(scols_column_get_header(cl));

		if (scols_column_is_hidden(cl) || scols_column_is_wrap(cl) ||
		    scols_column_is_customwrap(cl) || scols_column_is_tree(cl) ||
		    scols_column_is_noextremes(cl) || scols_column_is_strict_width(cl) ||
		    !name || !*name)
			kind = NOT_PLAIN;
	}
	scols_free_iter(it);
	return kind;
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
	return util_reserve(&lb->b, &lb->cap, lb->len + n + 1, 256, 1);	/* never a NULL buffer */
}

/* Write what the buffer holds once it is 4 KiB or more, or when last. */
static void lb_flush(struct linebuf *lb, FILE *out, bool last)
{
	if (lb->len >= 4096 || last) {
		fwrite(lb->b, 1, lb->len, out);
		lb->len = 0;
	}
}

/* Cells and blanks are copied 16 bytes at a time (n rounded up): the text buffer and a line
 * being written keep SLACK bytes spare past their end for it. */
#define SLACK 16

static char *copy16(char *d, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i += SLACK)
		memcpy(d + i, s + i, SLACK);
	return d + n;
}

static char *blanks16(char *d, size_t n)
{
	static const char blanks[SLACK] = "                ";

	for (size_t i = 0; i < n; i += SLACK)
		memcpy(d + i, blanks, SLACK);
	return d + n;
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
	if (len)	/* an empty cell may have no text at all */
		memcpy(lb->b + lb->len + before, s, len);
	lb->len += before + len;
	if (last)
		return 0;
	memset(lb->b + lb->len, ' ', after);
	memcpy(lb->b + lb->len + after, sep, seplen);
	lb->len += after + seplen;
	return 0;
}

/* A plain table: columns, and every cell's text in one buffer, a line's cells one after
 * the other in column order (an unset cell is empty: no bytes), so a cell is 8 bytes. */
struct pcol {
	char *name;
	double whint;
	bool right;
	size_t width;		/* the widest cell so far (aligned output) */
};

struct pcell {
	uint32_t len, w;	/* bytes, columns */
};

struct scolsout {
	bool raw;			/* plain raw output: no widths, blanks escaped */
	struct libscols_table *tb;	/* not plain: libsmartcols lays it out */
	struct libscols_line *ln;	/* its last line */
	struct pcol *cols;
	size_t ncols, ccap;
	char *text;
	size_t tlen, tcap;
	struct pcell *cells;		/* nlines x ncols */
	size_t *start;			/* each line's first byte in text */
	size_t nlines, lcap;
	size_t next;			/* the last line's next column that may be set */
};

/* Is every printable ASCII character one column wide in this locale? (util_text_width
 * says, once: the locale is set before any table is made) */
static bool ascii_narrow(void)
{
	static int narrow = -1;

	if (narrow < 0) {
		narrow = 1;
		for (char c = 0x20; c < 0x7f && narrow; c++) {
			char one[2] = { c, '\0' };
			size_t len;

			narrow = util_text_width(one, &len) == 1;
		}
	}
	return narrow;
}

/* The bytes of s and, for aligned output, its width in columns; ascii: s is printable
 * ASCII (the caller knows), one column a byte where the locale says so */
static size_t measure(const struct scolsout *t, const char *s, bool ascii, size_t *len)
{
	if (t->raw) {
		*len = strlen(s);
		return 0;
	}
	if (ascii && ascii_narrow()) {
		*len = strlen(s);
		return *len;
	}
	return util_text_width(s, len);
}

/* Cell col of the last line: its columns are set in order, each once. */
static int cell_put(struct scolsout *t, size_t col, const char *s, bool ascii)
{
	struct pcell *c = &t->cells[(t->nlines - 1) * t->ncols + col];
	size_t len, w;

	if (col < t->next)
		return -EINVAL;
	w = measure(t, s, ascii, &len);
	if (len > UINT32_MAX)
		return -EOVERFLOW;
	if (len > SIZE_MAX / 2 - t->tlen)
		return -ENOMEM;
	if (t->tlen + len + SLACK > t->tcap &&
	    util_reserve(&t->text, &t->tcap, t->tlen + len + SLACK, 4096, 1))
		return -ENOMEM;
	if (len)
		memcpy(t->text + t->tlen, s, len);
	c->len = (uint32_t)len;
	c->w = (uint32_t)w;
	if (w > t->cols[col].width)
		t->cols[col].width = w;
	t->tlen += len;
	t->next = col + 1;
	return 0;
}

static int plain_column(struct scolsout *t, const char *name, double whint, bool right)
{
	if (t->nlines)
		return -EINVAL;		/* every column before the first line */
	if (t->ncols == t->ccap) {
		size_t nc = t->ccap ? t->ccap * 2 : 16;
		struct pcol *nv = realloc(t->cols, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		t->cols = nv;
		t->ccap = nc;
	}
	t->cols[t->ncols].name = strdup(name);
	if (!t->cols[t->ncols].name)
		return -ENOMEM;
	t->cols[t->ncols].whint = whint;
	t->cols[t->ncols].right = right;
	t->cols[t->ncols].width = 0;
	t->ncols++;
	return 0;
}

static int plain_line(struct scolsout *t)
{
	if (!t->ncols)
		return -EINVAL;
	if (t->nlines == t->lcap) {
		size_t nc = t->lcap ? t->lcap * 2 : 64;
		struct pcell *nv;
		size_t *ns;

		if (nc > SIZE_MAX / sizeof(*nv) / t->ncols)
			return -ENOMEM;
		nv = realloc(t->cells, nc * t->ncols * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		t->cells = nv;
		ns = realloc(t->start, nc * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		t->start = ns;
		t->lcap = nc;
	}
	memset(&t->cells[t->nlines * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->start[t->nlines] = t->tlen;
	t->nlines++;
	t->next = 0;
	return 0;
}

/* A raw cell as libsmartcols writes it (fputs_nonblank): a blank, a backslash and every
 * byte that is not printable in the locale as "\xHH", so that a field is one word. */
static void put_raw_in(struct linebuf *lb, const char *s, size_t len, bool last,
			const char *sep, size_t seplen)
{
	static const char hex[] = "0123456789abcdef";
	char *d = lb->b + lb->len;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c > 0x20 && c < 0x7f && c != '\\') ||
		    (c >= 0x80 && !isblank(c) && isprint(c) && !iscntrl(c))) {
			*d++ = (char)c;
			continue;
		}
		*d++ = '\\';
		*d++ = 'x';
		*d++ = hex[c >> 4];
		*d++ = hex[c & 15];
	}
	if (!last) {
		if (seplen == 1)
			*d++ = *sep;
		else
			d = (char *)memcpy(d, sep, seplen) + seplen;
	}
	lb->len = (size_t)(d - lb->b);
}

/* The same, with room made for it */
static int put_raw(struct linebuf *lb, const char *s, size_t len, bool last, const char *sep,
		   size_t seplen)
{
	if (lb_room(lb, 4 * len + seplen))
		return -ENOMEM;
	put_raw_in(lb, s, len, last, sep, seplen);
	return 0;
}

/* An aligned line's cells from d on, as put_cell writes them: the end of what it wrote.
 * Room was made for every column's width and separator, the line's text and SLACK. */
static char *aligned_cells(const struct scolsout *t, size_t l, char *d, const size_t *width,
			   const char *sep, size_t seplen)
{
	const struct pcell *pc = &t->cells[l * t->ncols];
	size_t off = t->start[l];

	for (size_t c = 0; c < t->ncols; c++, pc++) {
		size_t len = pc->len, w = pc->w, wd = width[c], before = 0;
		bool right = t->cols[c].right, last = c + 1 == t->ncols;

		if (last && !right && w < wd)
			wd = w;
		if (len && right) {
			before = wd - w;
			w = wd;
		}
		d = blanks16(d, before);
		if (len)	/* a table whose cells are all empty has no text buffer */
			d = copy16(d, t->text + off, len);
		off += len;
		if (!last) {
			d = blanks16(d, wd - w);
			if (seplen == 1)	/* " ": a store, not a call */
				*d++ = *sep;
			else
				d = (char *)memcpy(d, sep, seplen) + seplen;
		}
	}
	return d;
}

/* The lines after the headings in lb, each after the line separator, its cells as they are
 * (width NULL: raw) or padded to width[], the buffer written out as it fills, then the
 * final line break: 0 or -errno. */
static int write_lines(const struct scolsout *t, struct linebuf *lb, FILE *out,
		       const size_t *width, const char *sep, const char *lsep)
{
	size_t ncols = t->ncols, seplen = strlen(sep), lseplen = strlen(lsep), fixed = lseplen;
	int rc = 0;

	/* a line's bytes: at most each column's width and separator and its text (aligned),
	 * or 4 bytes for each byte of text and the separators (raw) */
	for (size_t c = 0; c < ncols; c++)
		fixed += (width ? width[c] : 0) + seplen;
	fixed += SLACK;
	for (size_t l = 0; !rc && l < t->nlines; l++) {
		size_t tl = (l + 1 < t->nlines ? t->start[l + 1] : t->tlen) - t->start[l];

		if (tl > (SIZE_MAX / 2 - fixed) / 4) {
			rc = -ENOMEM;
			break;
		}
		rc = lb_room(lb, fixed + (width ? tl : 4 * tl));
		if (rc)
			break;
		memcpy(lb->b + lb->len, lsep, lseplen);
		lb->len += lseplen;
		if (width) {
			lb->len = (size_t)(aligned_cells(t, l, lb->b + lb->len, width, sep, seplen) -
					   lb->b);
		} else {
			size_t off = t->start[l];

			for (size_t c = 0; c < ncols; c++) {
				const struct pcell *pc = &t->cells[l * ncols + c];

				put_raw_in(lb, pc->len ? t->text + off : "", pc->len, c + 1 == ncols,
					   sep, seplen);
				off += pc->len;
			}
		}
		lb_flush(lb, out, l + 1 == t->nlines);
	}
	if (!rc)
		fputc('\n', out);
	return rc;
}

/* What scols_print_table writes for a plain raw table: the headings and the lines, fields
 * separated by the column separator, lines by the line separator, and a line break. */
static int raw_write(const struct scolsout *t, FILE *out, const char *sep, const char *lsep)
{
	size_t ncols = t->ncols, seplen = strlen(sep);
	struct linebuf lb = { 0 };
	int rc = 0;

	if (!t->nlines)
		return 0;
	for (size_t c = 0; !rc && c < ncols; c++)
		rc = put_raw(&lb, t->cols[c].name, strlen(t->cols[c].name), c + 1 == ncols, sep,
			     seplen);
	if (!rc)
		rc = write_lines(t, &lb, out, NULL, sep, lsep);
	free(lb.b);
	return rc;
}

/* What scols_print_table writes for a plain table: the headings, the lines with a line
 * separator between them, and a line break; nothing at all without lines. */
static int plain_write(const struct scolsout *t, FILE *out, const char *sep, const char *lsep)
{
	size_t ncols = t->ncols, seplen = strlen(sep);
	struct linebuf lb = { 0 };
	size_t *width;
	int rc = 0;

	if (!t->nlines)
		return 0;	/* libsmartcols prints nothing, not even the headings */
	width = calloc(ncols, sizeof(*width));
	if (!width)
		return -ENOMEM;
	/* libsmartcols' column width (calculate.c): the widest cell (counted as the cells
	 * came), at least the heading; an absolute width hint (>= 1) when both are narrower */
	for (size_t c = 0; c < ncols; c++) {
		size_t hlen, hw = util_text_width(t->cols[c].name, &hlen), min = hw ? hw : 1;
		double whint = t->cols[c].whint;

		width[c] = t->cols[c].width;
		if (width[c] < min)
			width[c] = min;
		else if (whint >= 1 && width[c] < (size_t)whint && min < (size_t)whint)
			width[c] = (size_t)whint;
	}
	for (size_t c = 0; !rc && c < ncols; c++) {
		size_t hlen, hw = util_text_width(t->cols[c].name, &hlen);

		rc = put_cell(&lb, t->cols[c].name, hlen, hw, width[c], t->cols[c].right,
			      c + 1 == ncols, sep, seplen);
	}
	if (!rc)
		rc = write_lines(t, &lb, out, width, sep, lsep);
	free(lb.b);
	free(width);
	return rc;
}

static void plain_free(struct scolsout *t)
{
	for (size_t c = 0; c < t->ncols; c++)
		free(t->cols[c].name);
	free(t->cols);
	spare_put(t->text);	/* for the next table's scolsout_reserve */
	spare_put(t->cells);
	spare_put(t->start);
}

/* A libsmartcols table that plain_table() accepts, copied into a plain one and printed
 * (a table batch.c still builds with libsmartcols is a tree or JSON: not plain). */
static int print_plain(struct libscols_table *tb, bool raw)
{
	const char *sep = scols_table_get_column_separator(tb);
	const char *lsep = scols_table_get_line_separator(tb);
	FILE *out = scols_table_get_stream(tb);
	struct libscols_iter *it = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_column *cl;
	struct libscols_line *ln;
	struct scolsout t;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	t.raw = raw;
	if (!it)
		return -ENOMEM;
	while (!rc && scols_table_next_column(tb, it, &cl) == 0)
		rc = plain_column(&t, scols_cell_get_data(scols_column_get_header(cl)),
				  scols_column_get_whint(cl), scols_column_is_right(cl));
	scols_reset_iter(it, SCOLS_ITER_FORWARD);
	while (!rc && scols_table_next_line(tb, it, &ln) == 0) {
		rc = plain_line(&t);
		for (size_t c = 0; !rc && c < t.ncols; c++) {
			struct libscols_cell *ce = scols_line_get_cell(ln, c);
			const char *s = ce ? scols_cell_get_data(ce) : NULL;

			if (s)
				rc = cell_put(&t, c, s, false);
		}
	}
	scols_free_iter(it);
	if (!rc)
		rc = (raw ? raw_write : plain_write)(&t, out ? out : stdout, sep ? sep : " ",
						      lsep ? lsep : "\n");
	plain_free(&t);
	return rc;
}

int scolsout_print(struct libscols_table *tb)
{
	enum plain kind = plain_table(tb);

	if (kind != NOT_PLAIN)
		return print_plain(tb, kind == PLAIN_RAW);
	return scols_print_table(tb) ? -EIO : 0;
}

/* ---- tables built here ------------------------------------------------------------------- */

struct scolsout *scolsout_new(bool raw)
{
	struct scolsout *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->raw = raw;
	if (raw || !isatty(STDOUT_FILENO))
		return t;	/* plain: nothing of libsmartcols */
	t->tb = scols_new_table();
	if (!t->tb) {
		free(t);
		return NULL;
	}
	scols_table_enable_noencoding(t->tb, 1);	/* every string is sanitized already */
	return t;
}

int scolsout_column(struct scolsout *t, const char *name, double whint, int flags)
{
	struct libscols_column *cl;

	if (!t->tb)
		return plain_column(t, name, whint, flags & SCOLS_FL_RIGHT);
	cl = scols_table_new_column(t->tb, name, whint, flags);
	if (!cl)
		return -ENOMEM;
	/* strings arrive sanitized with \xHH escapes: do not escape those again */
	scols_column_set_safechars(cl, "\\");
	return 0;
}

/* the bytes of text a cell takes, as a first guess (numbers, short names) */
#define CELL_GUESS 8

int scolsout_reserve(struct scolsout *t, size_t nlines)
{
	struct pcell *cells;
	size_t *start, got;

	if (t->tb || !t->ncols || nlines <= t->lcap)
		return 0;
	if (nlines > SIZE_MAX / CELL_GUESS / sizeof(*cells) / t->ncols)
		return -ENOMEM;
	cells = spare_get(nlines * t->ncols * sizeof(*cells), NULL);
	start = spare_get(nlines * sizeof(*start), NULL);
	if (!cells || !start) {
		spare_put(cells);
		spare_put(start);
		return -ENOMEM;
	}
	if (t->nlines) {
		memcpy(cells, t->cells, t->nlines * t->ncols * sizeof(*cells));
		memcpy(start, t->start, t->nlines * sizeof(*start));
	}
	spare_put(t->cells);
	spare_put(t->start);
	t->cells = cells;
	t->start = start;
	t->lcap = nlines;
	if (!t->text) {
		t->text = spare_get(nlines * t->ncols * CELL_GUESS, &got);
		t->tcap = t->text ? got : 0;
	}
	return 0;
}

int scolsout_line(struct scolsout *t)
{
	if (!t->tb)
		return plain_line(t);
	t->ln = scols_table_new_line(t->tb, NULL);
	return t->ln ? 0 : -ENOMEM;
}

int scolsout_set(struct scolsout *t, size_t col, const char *text)
{
	if (!t->tb) {
		if (col >= t->ncols || !t->nlines)
			return -EINVAL;
		return cell_put(t, col, text, false);
	}
	if (!t->ln)
		return -EINVAL;
	return scols_line_set_data(t->ln, col, text) ? -ENOMEM : 0;
}

int scolsout_set_ascii(struct scolsout *t, size_t col, const char *text)
{
	if (!t->tb) {
		if (col >= t->ncols || !t->nlines)
			return -EINVAL;
		return cell_put(t, col, text, true);
	}
	return scolsout_set(t, col, text);
}

int scolsout_write(struct scolsout *t, FILE *out)
{
	if (!t->tb)
		return (t->raw ? raw_write : plain_write)(t, out, " ", "\n");
	scols_table_set_stream(t->tb, out);
	return scols_print_table(t->tb) ? -EIO : 0;
}

void scolsout_free(struct scolsout *t)
{
	if (!t)
		return;
	if (t->tb)
		scols_unref_table(t->tb);
	plain_free(t);
	free(t);
}
