/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scolsout.h - print a libsmartcols table that goes to a file or pipe without its
 * per-character width pass */
#ifndef TASKSCOPE_SCOLSOUT_H
#define TASKSCOPE_SCOLSOUT_H

#include <libsmartcols.h>

/*
 * Print tb to its stream exactly as scols_print_table() does. An aligned table whose
 * standard output is not a terminal, with plain columns (no tree, wrapping, hiding, title,
 * colours or encoding), is laid out here with util_text_width, which counts printable
 * ASCII without a multibyte decoder; libsmartcols decodes and measures every character of
 * every cell twice. Anything else goes to scols_print_table(). Returns 0 or -errno.
 */
int scolsout_print(struct libscols_table *tb);

#endif
