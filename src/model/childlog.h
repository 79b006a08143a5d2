/* SPDX-License-Identifier: GPL-2.0-or-later */
/* childlog.h - a spawned job's output as a bounded list of sanitized lines */
#ifndef TASKSCOPE_CHILDLOG_H
#define TASKSCOPE_CHILDLOG_H

#include <stddef.h>
#include <stdint.h>

#define CHILDLOG_LINE_MAX 1024	/* raw bytes of one line; a longer one is split */

struct childlog {
	char **lines;		/* ring of max sanitized lines */
	size_t max, first, n;
	char part[CHILDLOG_LINE_MAX];	/* raw bytes of the line not ended yet */
	size_t plen;
	uint64_t total;		/* lines ever added */
	uint64_t bytes;		/* bytes ever appended */
};

int childlog_init(struct childlog *l, size_t max_lines);
void childlog_free(struct childlog *l);
/* Raw output bytes; complete lines are sanitized and kept (the oldest dropped past max).
 * Returns 0 or -ENOMEM. */
int childlog_append(struct childlog *l, const char *buf, size_t len);
/* The line not ended by a newline becomes a line (when the output ends). */
int childlog_flush(struct childlog *l);
/* Lines kept, oldest first; i < childlog_count() */
size_t childlog_count(const struct childlog *l);
const char *childlog_line(const struct childlog *l, size_t i);

#endif
