/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recfile.h - a command's operand that is a recording (taskscope record), known by its content */
#ifndef TASKSCOPE_RECFILE_H
#define TASKSCOPE_RECFILE_H

#include <stdbool.h>

/* True when path names a regular file (a symbolic link followed) that begins as an SQLite
 * database does: what taskscope record writes. Nothing else is opened (no FIFO, no
 * device), and nothing is said. */
bool recfile_is_recording(const char *path);

/* maps FILE: mappings are not recorded. When path is a recording, say so on one line (what
 * the recording holds and what to run instead) and return the exit status (1); else
 * return -1 and say nothing. */
int recfile_not_recorded(const char *cmd, const char *path);

#endif
