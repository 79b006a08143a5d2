/* SPDX-License-Identifier: GPL-2.0-or-later */
/* groupcfg.h - serve's --group-config: named groups of processes matched by regular expressions
 *
 * The file has a rule per line, "NAME KEY PATTERN", '#' comments and blank lines:
 * NAME is the group (no white space), KEY is comm, exe, cmdline, user or cgroup, and PATTERN (the
 * rest of the line) a POSIX extended regular expression searched in that value of the process
 * (as taskscope shows it: sanitized). The first rule that matches names the group.
 */
#ifndef TASKSCOPE_GROUPCFG_H
#define TASKSCOPE_GROUPCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "model/snapshot.h"	/* struct task */

struct groupcfg;

/* Read path: 0, -errno when it cannot be read (why says so), or -EINVAL for a bad line
 * (why: "LINE: what is wrong"). */
int groupcfg_load(const char *path, struct groupcfg **out, char *why, size_t len);
void groupcfg_free(struct groupcfg *g);
/* Does a rule need the cgroup (RD_CGROUP)? */
bool groupcfg_needs_cgroup(const struct groupcfg *g);
/* Does a rule need the command line? */
bool groupcfg_needs_cmdline(const struct groupcfg *g);
/* The group of t under the first rule that matches it, or NULL. */
const char *groupcfg_match(const struct groupcfg *g, const struct task *t);

#endif
