/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharerec.h - taskscope share FILE[@TIME]: who shared what in a recording (its kcmp groups) */
#ifndef TASKSCOPE_SHAREREC_H
#define TASKSCOPE_SHAREREC_H

#include <stdbool.h>

/* True when share's operand is a recording, FILE or FILE@TIME (known by the file's
 * content, see recfile.h). */
bool sharerec_wanted(int argc, char **argv);

/* taskscope share [options] FILE[@TIME]; argv[0] is "share". The groups of tasks that
 * shared an address space, a file table, an fs struct or signal handlers at the last
 * sample at or before TIME (default: the last sample), the page-level part said not
 * recorded. The exit status: 0, 1 (unreadable, or no groups recorded: schema 1), 2. */
int sharerec_main(int argc, char **argv);

#endif
