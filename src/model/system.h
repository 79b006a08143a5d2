/* SPDX-License-Identifier: GPL-2.0-or-later */
/* system.h - what the views may ask of the whole system, through the model: the /proc
 * root, the busy share of each CPU, memory and load, and what a thread is reading now */
#ifndef TASKSCOPE_SYSTEM_H
#define TASKSCOPE_SYSTEM_H

#include <stddef.h>
#include <sys/types.h>

#include "sample/sysinfo.h"	/* struct sysinfo_mem, the record the reader fills */

/* A descriptor of /proc (O_CLOEXEC), or -errno. */
int system_open_root(void);
/* The process (thread group) of task ID tid, relative to rootfd: 0 or -errno. */
int system_tgid_of(int rootfd, pid_t tid, pid_t *tgid);
/* The path of taskscope's own executable (to run `taskscope workload`): 0 or -errno. */
int system_self_exe(char *buf, size_t len);

/* The busy % of all CPUs and of each (each[i] for CPU i, up to max; *n one past the highest
 * CPU seen) since the previous call (the first: since boot). */
struct cpuload;
int cpuload_new(struct cpuload **out);
void cpuload_free(struct cpuload *c);
int cpuload_busy(struct cpuload *c, double *all, double *each, int max, int *n);

/* Memory, swap and load average; the parts that cannot be read stay unset. */
void system_read_mem(int rootfd, struct sysinfo_mem *out);

/* Where thread tid of this process is stuck, when it is in a read of a /proc file (for a
 * "busy reading ..." line): fills where, else leaves it empty. */
void system_thread_reading(pid_t tid, char *where, size_t len);

#endif
