/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textfile.h - the metrics written for node_exporter's textfile collector, atomically */
#ifndef TASKSCOPE_TEXTFILE_H
#define TASKSCOPE_TEXTFILE_H

#include <stddef.h>

#define TEXTFILE_NAME "taskscope.prom"

/* The directory (a descriptor kept open: later renames of its path do not matter). 0 or
 * -errno (-ENOTDIR: not a directory; a symbolic link as the last component is refused). */
int textfile_open(const char *dir, int *dfd);

/* Replace DIR/taskscope.prom with text: written to a new temporary file in the same
 * directory (never through a link another user planted), then renamed over it, so that the
 * collector reads the old file or the new one, never half of one. 0 or -errno. */
int textfile_write(int dfd, const char *text, size_t len);

#endif
