/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_scolsout.c - scolsout_print lays out aligned tables byte for byte as libsmartcols */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "lib/util.h"
#include "tap.h"
#include "view/scolsout.h"
#include "view/scolstab.h"

struct col {
	const char *name;
	double whint;
	int flags;
};

/* Print the table both ways (libsmartcols first: it keeps nothing that changes a second
 * print) and compare. */
static bool same_output(struct libscols_table *tb, const char *what)
{
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);
	int ra, rb;
	bool same;

	if (!fa || !fb) {
		tap_ok(false, "%s: open_memstream", what);
		return false;
	}
	scols_table_set_stream(tb, fa);
	ra = scols_print_table(tb);
	scols_table_set_stream(tb, fb);
	rb = scolsout_print(tb);
	fclose(fa);
	fclose(fb);
	same = ra == 0 && rb == 0 && alen == blen && !memcmp(a, b, alen);
	tap_ok(same, "%s: identical to scols_print_table (%zu bytes)", what, alen);
	if (!same) {
		tap_diag("libsmartcols (rc %d):\n%s", ra, a);
		tap_diag("scolsout (rc %d):\n%s", rb, b);
	}
	free(a);
	free(b);
	return same;
}

static struct libscols_table *table(const struct col *cols, size_t ncols, bool raw)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	if (raw)
		scols_table_enable_raw(tb, 1);
	else
		scols_table_enable_noencoding(tb, 1);
	/* as with a pipe, also when the test runs on a terminal */
	scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	for (size_t i = 0; i < ncols; i++)
		if (!scols_table_new_column(tb, cols[i].name, cols[i].whint, cols[i].flags)) {
			scols_unref_table(tb);
			return NULL;
		}
	return tb;
}

/* Every cell printable ASCII (0x20-0x7e): what scolsout_set_ascii may be given */
static bool all_ascii(const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (const char *p = cells[i]; p && *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				return false;
	return true;
}

/* The same table built with scolsout_new() (its cells kept by scolsout when standard output
 * is not a terminal, as under make check) prints what libsmartcols prints for tb; set with
 * scolsout_set_ascii (cells not measured) when ascii. */
static void same_built_as(struct libscols_table *tb, const struct col *cols, size_t ncols,
			  const char *const *cells, size_t nrows, const char *what, bool raw,
			  bool ascii)
{
	struct scolsout *t = scolsout_new(raw);
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);
	int rc = t && fa && fb ? 0 : -ENOMEM;

	for (size_t c = 0; !rc && c < ncols; c++)
		rc = scolsout_column(t, cols[c].name, cols[c].whint, cols[c].flags);
	for (size_t r = 0; !rc && r < nrows; r++) {
		rc = scolsout_line(t);
		for (size_t c = 0; !rc && c < ncols; c++)
			if (cells[r * ncols + c])
				rc = ascii ? scolsout_set_ascii(t, c, cells[r * ncols + c])
					   : scolsout_set(t, c, cells[r * ncols + c]);
	}
	if (!rc)
		rc = scolsout_write(t, fb);
	scols_table_set_stream(tb, fa);
	if (!rc && scols_print_table(tb))
		rc = -EIO;
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	tap_ok(!rc && alen == blen && !memcmp(a, b, alen),
	       "%s: built with scolsout_new%s, identical too (rc %d)", what,
	       ascii ? " and set as ASCII" : "", rc);
	if (rc || alen != blen || memcmp(a, b, alen))
		tap_diag("scolsout_write:\n%s", b ? b : "");
	scolsout_free(t);
	free(a);
	free(b);
}

static void same_built(struct libscols_table *tb, const struct col *cols, size_t ncols,
		       const char *const *cells, size_t nrows, const char *what, bool raw)
{
	same_built_as(tb, cols, ncols, cells, nrows, what, raw, false);
	if (all_ascii(cells, nrows * ncols))
		same_built_as(tb, cols, ncols, cells, nrows, what, raw, true);
}

/* rows: ncols strings a row, NULL for a cell left unset */
static void check_one(const char *what, const struct col *cols, size_t ncols,
		      const char *const *cells, size_t nrows, const char *colsep, bool raw)
{
	struct libscols_table *tb = table(cols, ncols, raw);

	if (!tb) {
		tap_ok(false, "%s: table", what);
		return;
	}
	if (colsep)
		scols_table_set_column_separator(tb, colsep);
	for (size_t r = 0; r < nrows; r++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		for (size_t c = 0; ln && c < ncols; c++)
			if (cells[r * ncols + c])
				scols_line_set_data(ln, c, cells[r * ncols + c]);
	}
	if (same_output(tb, what) && !colsep)
		same_built(tb, cols, ncols, cells, nrows, what, raw);
	scols_unref_table(tb);
}

/* the table aligned, then raw */
static void check_table(const char *what, const struct col *cols, size_t ncols,
			const char *const *cells, size_t nrows, const char *colsep)
{
	char rwhat[160];

	check_one(what, cols, ncols, cells, nrows, colsep, false);
	snprintf(rwhat, sizeof(rwhat), "raw: %s", what);
	check_one(rwhat, cols, ncols, cells, nrows, colsep, true);
}

static const struct col cols[] = {
	{ "PID", 6, SCOLS_FL_RIGHT },		/* hint wider than the cells and the heading */
	{ "COMM", 15, SCOLS_FL_TRUNC },
	{ "S", 1, 0 },
	{ "A-LONG-HEADING", 3, SCOLS_FL_RIGHT },	/* heading wider than the hint */
	{ "NAME", 30, 0 },			/* last, left: not padded */
};

static void test_ascii(void)
{
	static const char *const rows[] = {
		"1", "systemd", "S", "12", "/usr/lib/systemd/systemd",
		"1234567", "a-name-longer-than-fifteen", "R", "", "x",
		"42", "", NULL, "7", "",
		"3", "sp ace", "D", "123456789012345678", "trailing  ",
	};
	static const struct col right_last[] = {
		{ "TID", 6, SCOLS_FL_RIGHT }, { "RSS", 6, SCOLS_FL_RIGHT },
	};
	static const char *const rl_rows[] = { "1", "4.0K", "22", "", "333", "1.1G", "4", NULL };
	/* cells narrower than the heading: the heading's width, not the hint */
	static const struct col narrow[] = {
		{ "ID", 6, SCOLS_FL_RIGHT }, { "KIND", 8, 0 }, { "X", 4, 0 },
	};
	static const char *const n_rows[] = { "1", "ab", "x", "2", "", "y" };
	/* cells and blanks longer than 16 bytes (written 16 at a time), either side */
	static const struct col wide_pad[] = {
		{ "ADDRESS", 25, 0 }, { "SIZE", 6, SCOLS_FL_RIGHT }, { "NAME", 30, 0 },
	};
	static const char *const wp_rows[] = {
		"7f0000000000-7f0000010000", "1", "/a/name/of/forty/bytes/or/so/for/a/test",
		"0", "123456789012345678901234567890123", "",
		"", "", "x",
		"ffffffffff600000-ffffffffff601000", "4.0K", "[vsyscall]",
	};

	check_table("ASCII cells, hints, headings, empty and unset cells", cols, ARRAY_SIZE(cols),
		    rows, ARRAY_SIZE(rows) / ARRAY_SIZE(cols), NULL);
	check_table("last column right-aligned", right_last, 2, rl_rows, 4, NULL);
	check_table("cells narrower than the heading and the hint", narrow, 3, n_rows, 2, NULL);
	check_table("cells and padding of more than 16 bytes", wide_pad, 3, wp_rows, 4, NULL);
	check_table("another column separator", cols, ARRAY_SIZE(cols), rows,
		    ARRAY_SIZE(rows) / ARRAY_SIZE(cols), " | ");
	check_table("one row", cols, ARRAY_SIZE(cols), rows, 1, NULL);
	{
		static const char *const high[] = { "1", "a\\b\tc", "S", "\x7f", "\xe9t\xc3\xa9 \xff" };

		check_one("raw: C locale, bytes past ASCII", cols, ARRAY_SIZE(cols), high, 1, NULL,
			  true);
	}
	check_table("no rows: nothing at all", cols, ARRAY_SIZE(cols), rows, 0, NULL);
}

/* Text util_sanitize never lets through is measured as libsmartcols measures it, too. */
static void test_wide(const char *locale)
{
	static const char *const rows[] = {
		"1", "\xe6\xbc\xa2\xe5\xad\x97", "S", "9", "wide: \xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa",
		"2", "e\xcc\x81t\xc3\xa9", "R", "1", "combining e\xcc\x81 and \xc3\xa9",
		"3", "\xf0\x9f\x98\x80 emoji", "S", "22", "zero\xe2\x80\x8bwidth",
		"4", "\\x1b[31m", "D", "333", "escaped \\x07 \\u200b",
		"5", "\x1b[31mred\x1b[0m", "S", "4", "bell\x07 tab\t end",
		"6", "\x01[no m", "T", "5", "\xc2\xa0nbsp",
		"7", "back\\slash", "Z", "6", "del\x7f end",
	};
	/* bytes that are no text of the locale: only raw output (libsmartcols' width pass
	 * never ends on them in a UTF-8 locale; util_sanitize never lets them through) */
	static const char *const bytes[] = {
		"8", "high\xff\xe9", "S", "7", "\x80\xc3(",
	};
	char what[96];

	if (!setlocale(LC_ALL, locale)) {
		tap_skip("the %s locale is not installed", locale);
		return;
	}
	snprintf(what, sizeof(what), "%s: wide, combining, zero-width, control and colour text",
		 locale);
	check_table(what, cols, ARRAY_SIZE(cols), rows, ARRAY_SIZE(rows) / ARRAY_SIZE(cols), NULL);
	snprintf(what, sizeof(what), "raw: %s: bytes that are not text", locale);
	check_one(what, cols, ARRAY_SIZE(cols), bytes, 1, NULL, true);
	setlocale(LC_ALL, "C");
}

static void test_width(void)
{
	size_t len;

	setlocale(LC_ALL, "C");
	tap_ok(util_text_width("abc def", &len) == 7 && len == 7, "ASCII: a column a byte");
	tap_ok(util_text_width("", &len) == 0 && len == 0, "empty: 0 columns");
	tap_ok(util_text_width("a\x1b[1mb", &len) == 2 && len == 6,
	       "a colour sequence counts 0 columns");
	if (setlocale(LC_ALL, "C.UTF-8")) {
		tap_ok(util_text_width("\xe6\xbc\xa2x", &len) == 3 && len == 4,
		       "C.UTF-8: a CJK character is 2 columns");
		tap_ok(util_text_width("e\xcc\x81", &len) == 1 && len == 3,
		       "C.UTF-8: a combining accent is 0 columns");
		setlocale(LC_ALL, "C");
	} else {
		tap_skip("the C.UTF-8 locale is not installed");
	}
}

/* scolstab: columns that keep "\\" escapes, a line of cells, printed unless an error */
static void test_scolstab(void)
{
	static const char *const names[] = { "NAME", "N" };
	static const int flags[] = { 0, SCOLS_FL_RIGHT };
	const char *cells[] = { "a\\x1b", "7" };
	char *out = NULL;
	size_t len = 0, printed;
	FILE *f = open_memstream(&out, &len);
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;

	if (!f || !tb) {
		tap_skip("scolstab: no memory stream or table");
		return;
	}
	tap_is_rc(scolstab_columns(tb, names, flags, 2), 0, "scolstab: two columns");
	ln = scols_table_new_line(tb, NULL);
	tap_is_rc(ln ? scolstab_cells(ln, cells, 2) : -ENOMEM, 0, "scolstab: a line of two cells");
	tap_is_rc(scolstab_print(tb, f, 0), 0, "scolstab: printed");
	fflush(f);
	tap_ok(out && !strncmp(out, "NAME ", 5) && strstr(out, "\na\\x1b ") &&
	       !strstr(out, "x5c"), "scolstab: the escape is kept as it is: %s", tap_q(out));
	tb = scols_new_table();
	printed = len;
	tap_is_rc(scolstab_print(tb, f, -ENOMEM), -ENOMEM, "scolstab: an error is passed on");
	fflush(f);
	tap_is_u64(len, printed, "scolstab: ... and nothing printed");
	fclose(f);
	free(out);
}

/* A table of many lines (the cell, line and text buffers grow several times, the output is
 * written in several pieces) mixing hostile, wide, combining and empty cells, built with
 * scolsout_new as batch tables are: identical to libsmartcols, aligned and raw. */
static void test_many(void)
{
	static const char *const kinds[] = {
		"plain", "", "\\x1b[2J\\x07", "\xe6\xbc\xa2\xe5\xad\x97", "e\xcc\x81t\xc3\xa9",
		"\x1b[31mred\x1b[0m", "tab\there", "\xf0\x9f\x98\x80", "zero\xe2\x80\x8bwidth",
	};
	enum { NROWS = 300, NCOLS = ARRAY_SIZE(cols) };
	const char **cells = calloc(NROWS * NCOLS, sizeof(*cells));
	char (*num)[24] = calloc(NROWS, sizeof(*num));
	char (*longs)[160] = calloc(NROWS, sizeof(*longs));

	if (!cells || !num || !longs || !setlocale(LC_ALL, "C.UTF-8")) {
		tap_skip("many lines: no memory or no C.UTF-8 locale");
		goto out;
	}
	for (size_t r = 0; r < NROWS; r++) {
		const char *k = kinds[r % ARRAY_SIZE(kinds)];

		snprintf(num[r], sizeof(num[r]), "%zu", r * 7919 % 100003);
		snprintf(longs[r], sizeof(longs[r]), "%s %0*zu %s", k, (int)(r % 97), r, k);
		cells[r * NCOLS] = num[r];
		cells[r * NCOLS + 1] = k;
		cells[r * NCOLS + 2] = r % 5 ? "S" : NULL;	/* unset: empty */
		cells[r * NCOLS + 3] = kinds[(r + 3) % ARRAY_SIZE(kinds)];
		cells[r * NCOLS + 4] = r % 11 ? longs[r] : "";
	}
	check_table("300 lines of mixed hostile, wide, combining and empty cells", cols, NCOLS,
		    cells, NROWS, NULL);
	setlocale(LC_ALL, "C");
out:
	free(cells);
	free(num);
	free(longs);
}

/* A built table keeps a line's cells in column order: a cell set out of order or twice is
 * refused, not laid out under another column. */
static void test_order(void)
{
	struct scolsout *t = scolsout_new(true);	/* raw: built here even on a terminal */
	int first, again, back, later;

	if (!t || scolsout_column(t, "A", 1, 0) || scolsout_column(t, "B", 1, 0) ||
	    scolsout_column(t, "C", 1, 0) || scolsout_line(t)) {
		tap_ok(false, "cell order: a table");
		scolsout_free(t);
		return;
	}
	first = scolsout_set(t, 1, "b");
	again = scolsout_set(t, 1, "b2");
	back = scolsout_set(t, 0, "a");
	later = scolsout_set(t, 2, "c");
	tap_ok(first == 0 && later == 0, "cells set in column order, skipping one: accepted");
	tap_ok(again == -EINVAL, "a cell set twice: -EINVAL (rc %d)", again);
	tap_ok(back == -EINVAL, "a cell set before the last one set: -EINVAL (rc %d)", back);
	tap_ok(scolsout_line(t) == 0 && scolsout_set(t, 0, "a") == 0,
	       "a new line starts at the first column again");
	scolsout_free(t);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setlocale(LC_ALL, "C");
	test_ascii();
	test_width();
	test_wide("C.UTF-8");
	test_scolstab();
	test_many();
	test_order();
	return tap_done();
}
