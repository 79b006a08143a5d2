/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysinfo.h - system-wide facts for the TUI header: memory, swap and load average */
#ifndef TASKSCOPE_SYSINFO_H
#define TASKSCOPE_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sysinfo_mem {
	bool have_mem;		/* /proc/meminfo was read (a subset=pid mount has none) */
	uint64_t mem_total, mem_avail, swap_total, swap_free;	/* bytes */
	bool have_load;
	double load[3];		/* 1, 5 and 15 minute load averages */
	uint64_t running, total;	/* runnable and all scheduling entities (loadavg) */
};

/* Parse /proc/meminfo text (need not be NUL-terminated): 0 or -EINVAL when MemTotal is
 * missing. */
int sysinfo_parse_meminfo(const char *buf, size_t len, struct sysinfo_mem *out);
/* Parse /proc/loadavg text: 0 or -EINVAL. */
int sysinfo_parse_loadavg(const char *buf, size_t len, struct sysinfo_mem *out);
/* Read both relative to rootfd (/proc); the parts that cannot be read stay unset. */
void sysinfo_read(int rootfd, struct sysinfo_mem *out);

#endif
