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
/* What /proc/stat and /proc/uptime tell (the time base of a --proc-root tree). */
struct sysinfo_stat {
	bool have_btime, have_cpu;
	uint64_t btime;			/* boot time, seconds since the epoch */
	uint64_t cpu_total, cpu_busy;	/* ticks of the "cpu " line: all, and all but idle
					 * and iowait (as top and libproc2 count busy) */
};
/* Parse /proc/stat text (need not be NUL-terminated): 0, or -EINVAL when a "cpu " or
 * "btime" line is malformed; lines it does not know are skipped. */
int sysinfo_parse_stat(const char *buf, size_t len, struct sysinfo_stat *out);
/* Parse /proc/uptime text: the first field, seconds since boot ("12345.67"), 0 or -EINVAL. */
int sysinfo_parse_uptime(const char *buf, size_t len, double *up);
/* Read both relative to rootfd (/proc); the parts that cannot be read stay unset. */
void sysinfo_read(int rootfd, struct sysinfo_mem *out);

#endif
