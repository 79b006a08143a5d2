/* SPDX-License-Identifier: GPL-2.0-or-later */
/* task.h - one task (thread or process row) as sampled at one instant */
#ifndef TASKSCOPE_TASK_H
#define TASKSCOPE_TASK_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

/* Why a value is missing; TS_OK means it is there. One byte (a row has ten of them). */
enum __attribute__((packed)) ts_avail {
	TS_OK = 0,
	TS_GONE,		/* the task exited while it was read */
	TS_DENIED,		/* permission */
	TS_UNSUPPORTED,		/* this kernel has no such file or field */
	TS_EMPTY,		/* the kernel gives nothing: no command line (kernel threads,
				 * zombies, a process that blanked its own) */
	TS_NA,			/* does not apply (e.g. no previous sample yet) */
};

/* Fields a reader fills; used as bits in task.have and in column reader masks. */
enum ts_reader {
	RD_STAT = 1u << 0,	/* stat fields and the start time (identity); -H reads it always */
	RD_CMDLINE = 1u << 1,	/* process cmdline (process pass) */
	RD_STATUS_MEM = 1u << 2,	/* RssAnon/RssFile/RssShmem/VmSwap/VmPTE (own status reader,
					 * once per process) */
	RD_CTXSW = 1u << 3,	/* voluntary/involuntary switches (own status reader) */
	RD_AFFINITY = 1u << 4,	/* sched_getaffinity() */
	RD_TOPO = 1u << 5,	/* hwloc topology for CPU -> node */
	RD_USER = 1u << 6,	/* user name lookup */
	RD_SCHED = 1u << 7,	/* migrations (own sched reader) */
	RD_SCHEDSTAT = 1u << 8,	/* run time and run-queue wait (own schedstat reader) */
	RD_SMAPS = 1u << 9,	/* PSS, USS, ... from smaps_rollup (own reader, once per process) */
	RD_RSS = 1u << 10,	/* exact RSS: status VmRSS when RD_STATUS_MEM reads status anyway,
				 * else statm (once per process; stat's field 24 is approximate) */
	RD_NUMA = 1u << 11,	/* resident bytes per NUMA node from numa_maps (own reader, once
				 * per process; as costly as smaps_rollup) */
	RD_CGROUP = 1u << 12,	/* the process's cgroup from /proc/PID/cgroup (own reader, once
				 * per process) */
	RD_CGROUP_STATS = 1u << 13,	/* with RD_CGROUP: each cgroup's memory and pressure
					 * files, once per cgroup (snapshot.cgroups) */
};

struct task {
	/* the narrow fields first, then the eight-byte ones: no padding between them (a
	 * refresh at 10,000 tasks makes two arrays of rows, and every page of them is a
	 * fault in) */
	pid_t tid;		/* == tgid for a process row */
	pid_t tgid;
	pid_t ppid;
	uid_t euid;
	int nlwp;
	int cpu;		/* last CPU */
	int prio;		/* kernel priority as in stat (top's PR) */
	int nice;
	int policy;
	char state;
	bool kthread;
	bool whole;		/* times/faults are the whole process's (process rows, and the
				 * leader row of a single-threaded process) */
	bool numa_read;		/* node_mem and numa_av were read (RD_NUMA) */
	bool cpu_outside;	/* the last CPU is not in the task's affinity */
	bool aff_differs;	/* the affinity differs from its main thread's */
	bool cgroup_v2;		/* the cgroup path is in the v2 hierarchy (else v1 memory/cpu/...) */
	/* deltas against the previous sample of the same task (tid, start time) */
	bool have_delta;
	bool have_pcpu;		/* the interval was long enough to measure CPU use */

	/* availability of the optional readers' results */
	enum ts_avail cgroup_av;
	enum ts_avail cmd_av, mem_av, ctxsw_av, aff_av, sched_av, schedstat_av, smaps_av, rss_av;
	enum ts_avail numa_av;

	uint64_t start_ticks;	/* since boot, clock ticks: with tid, the task identity */
	uint64_t cpu_ticks;	/* utime + stime */
	uint64_t utime_ticks;
	uint64_t stime_ticks;
	uint64_t minflt;
	uint64_t majflt;
	uint64_t vsz;		/* bytes */
	uint64_t rss;		/* bytes (address-space wide), exact: status VmRSS or statm */
	uint64_t rss_anon, rss_file, rss_shmem, swap, pte;	/* bytes, from status */
	/* bytes, from smaps_rollup: the process's footprint */
	uint64_t pss, uss, shared, swap_pss, pss_anon, pss_file, pss_shmem, thp;
	/* from numa_maps: resident bytes on each NUMA node 0..nnodes_mem-1 (malloc'ed per row,
	 * freed with the snapshot; NULL when there are none) and their sum */
	uint64_t *node_mem;
	size_t nnodes_mem;
	uint64_t node_mem_total;
	uint64_t vctx, ictx;
	uint64_t migrations;	/* se.nr_migrations since the task started */
	uint64_t run_ns, wait_ns;	/* on a CPU / waiting on a run queue, since it started */
	uint64_t mm_key;	/* taskfiles_stat.mm_key of the row's stat read (0: unknown):
				 * processes with different keys do not share their memory map */

	char *comm;		/* sanitized, owned by the snapshot */
	char *cmd;		/* sanitized command line, owned by the snapshot (may be NULL) */
	char *affinity;		/* cpu list text, owned by the snapshot (may be NULL) */
	/* the process's cgroup path (src/sample/cgroup.h: cgroup_primary), sanitized; its own
	 * copy in each row, freed with the snapshot (NULL unless cgroup_av is TS_OK) */
	char *cgroup;

	double pcpu;		/* % of one CPU over the interval */
	uint64_t d_minflt, d_majflt, d_vctx, d_ictx;
	uint64_t d_migr, d_run_ns, d_wait_ns;
};

#endif
