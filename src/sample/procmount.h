/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procmount.h - facts about the /proc mount: hidepid, and processes it lists but hides */
#ifndef TASKSCOPE_PROCMOUNT_H
#define TASKSCOPE_PROCMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Of mountinfo text: true when the last mount on /proc has the option hidepid=noaccess
 * (what the kernel shows for hidepid=1 and hidepid=noaccess). Untrusted text in. */
bool procmount_parse_noaccess(const char *buf, size_t len);
/* The same for the /proc that rootfd is, from rootfd/self/mountinfo: 1 yes, 0 no, -errno. */
int procmount_noaccess(int rootfd);
/* How many processes rootfd lists that are not in seen (sorted ascending) and whose stat may
 * not be opened (EACCES/EPERM): what hidepid=noaccess hides from this user. */
int procmount_count_denied(int rootfd, const pid_t *seen, size_t nseen, size_t *denied);

#endif
