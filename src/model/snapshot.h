/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.h - one sample of the watched tasks, and the sampler that takes them */
#ifndef TASKSCOPE_SNAPSHOT_H
#define TASKSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "sample/task.h"

struct topo;

/* A cgroup the processes of a snapshot are in (RD_CGROUP_STATS: the live /proc, or a tree
 * with sampler_cgroup_root), with what its cgroupfs files said; each value has its result
 * code (0, or -errno). */
struct snapshot_cgroup {
	char *name;		/* sanitized path, as the rows' cgroup */
	bool v2;		/* in the v2 hierarchy, else the v1 memory/cpu/... one */
	int mem_rc;
	uint64_t mem_bytes;	/* v2 memory.current, v1 memory.usage_in_bytes */
	int psi_rc[3];		/* cpu, memory, io .pressure (v2 only) */
	double psi_some[3], psi_full[3];	/* seconds stalled; full < 0: no full line */
};

struct snapshot {
	double mono;		/* CLOCK_MONOTONIC seconds when taken */
	double wall;		/* seconds since the epoch */
	double interval;	/* seconds since the previous snapshot; 0 for the first */
	bool threads;		/* a row per thread (else per process) */
	struct task *tasks;	/* sorted by (tgid, tid) */
	size_t ntasks;
	size_t nprocs, nthreads;
	bool nthreads_known;	/* false: the process rows were read without stat (NLWP) */
	double cpu_busy;	/* % of all CPUs over the interval; < 0 when unknown */
	size_t ndenied;		/* all tasks on a hidepid=noaccess /proc: processes it lists
				 * but does not let us read (not in tasks) */
	uint64_t total_rss;	/* sum of RSS over the processes (counts shared pages again) */
	bool kept_on;		/* stat files kept open between samples (the live /proc) */
	size_t kept_open;	/* those held open after this sample */
	size_t kept_fallback;	/* tasks read with open + read + close: RLIMIT_NOFILE */
	struct snapshot_cgroup *cgroups;	/* RD_CGROUP_STATS: the processes' cgroups */
	size_t ncgroups;
	_Atomic unsigned refs;	/* the sampler's reference and snapshot_hold()'s */
};

/* Keep a snapshot beyond the sampler's next take (e.g. in another thread); every hold is
 * paired with a snapshot_put, which frees it when the sampler dropped it too. */
const struct snapshot *snapshot_hold(const struct snapshot *sn);
void snapshot_put(const struct snapshot *sn);

struct sampler;

/* readers: RD_* bits the columns need; the live /proc */
int sampler_new(struct sampler **out, unsigned readers, bool threads);
/* The same from the source src (src/sample/source.h), which the caller keeps open until
 * sampler_free. Each sampler_take reads its current state, then steps it. */
struct source;
int sampler_new_source(struct sampler **out, struct source *src, unsigned readers,
		       bool threads);
/* The same from trees with /proc's layout (--proc-root DIR...: sample i reads dirs[i], the
 * last one repeats), owned by the sampler. On failure why says what is wrong for the user. */
int sampler_new_trees(struct sampler **out, char *const *dirs, size_t n, unsigned readers,
		      bool threads, char *why, size_t whylen);
void sampler_free(struct sampler *s);
/* With RD_CGROUP_STATS: read the cgroups' own files from dir, a cgroupfs root (--cgroup-root),
 * instead of the live /proc's /sys/fs/cgroup (a tree has none without this). 0, or
 * cgroup_fs_open's -errno (-ENODATA: not a cgroupfs root); without RD_CGROUP_STATS, 0. */
int sampler_cgroup_root(struct sampler *s, const char *dir);
/* Take a snapshot of the processes tgids (NULL: all). Deltas are computed against the
 * previous snapshot this sampler took; the caller owns *out until the next call (do not
 * free it: the sampler does). That call keeps only its counters (snapshot_base) and puts
 * it: hold it (snapshot_hold) to use it longer. */
int sampler_take(struct sampler *s, const pid_t *tgids, size_t ntgids,
		 const struct snapshot **out);
/* Leave the processes tgids out of the snapshot the last sampler_take gave (their rows,
 * counts and RSS sum): processes that are not the ones the targets follow. */
void sampler_drop_processes(struct sampler *s, const pid_t *tgids, size_t n);
/* The samples from now on are the last ones: stat files are no longer kept open for later
 * samples (each one is closed once read). */
void sampler_last(struct sampler *s);
/* sampler_take reading only what readers asks of the sampler's readers (0: all of them): a
 * priming sample, whose rows only give the next one its deltas (they have no comm). */
int sampler_take_only(struct sampler *s, unsigned readers, const pid_t *tgids, size_t ntgids,
		      const struct snapshot **out);
/* A snapshot of base's processes (base has a row per process) without a scan of /proc: a
 * copy of its rows to which the sampler's readers of process files add their values (the
 * memory footprint), each process's directory checked against the row's start time (a
 * process gone since base is TS_GONE). The rows keep base's command line and cgroup. No
 * deltas. -EINVAL when base has thread rows. Owned by the sampler as sampler_take's. */
int sampler_take_rows(struct sampler *s, const struct snapshot *base,
		      const struct snapshot **out);
/* Topology for NODE (loaded on first use; NULL when hwloc cannot read it). */
const struct topo *sampler_topo(struct sampler *s);
long sampler_hertz(void);
double sampler_boot_time(void);
/* Take the clock ticks per second and boot time of another machine (a recording's) for
 * sampler_hertz, sampler_boot_time and the deltas of snapshot_build; 0: this machine's. */
void sampler_set_clock(long hertz, double boot_time);

/* A snapshot of tasks that did not come from a sampler (a recording being replayed): it owns
 * tasks (malloc'ed, with their comm, cmd and affinity malloc'ed as well), sorts them by
 * (tgid, tid), counts processes, threads and the RSS sum as the sampler does, and computes
 * the deltas against prev (NULL: none) exactly as sampler_take does. cpu_busy is unknown
 * (-1) and ndenied 0 until the caller sets them. Free it with snapshot_put. NULL: no memory
 * (tasks are freed). */
struct snapshot *snapshot_build(struct task *tasks, size_t ntasks, bool threads, double mono,
				double wall, double interval, const struct snapshot *prev);
/* Processes, threads and the RSS sum of sn's rows, again (after rows were left out). */
void snapshot_recount(struct snapshot *sn);
/* Each row's interval values (PCPU, fault and switch deltas, ...) against the same task in
 * prev (NULL: none; a reused TID is another task). 0, or -ENOMEM (no deltas). */
int snapshot_deltas(struct snapshot *cur, const struct snapshot *prev);
/* What those deltas need of a snapshot, without its rows: each row's identity and counters
 * (88 bytes a row), and when it was taken. NULL: no memory. */
struct snapshot_base;
struct snapshot_base *snapshot_base_of(const struct snapshot *sn);
void snapshot_base_free(struct snapshot_base *b);
double snapshot_base_mono(const struct snapshot_base *b);
/* snapshot_deltas against a base (NULL: none) */
void snapshot_deltas_base(struct snapshot *cur, const struct snapshot_base *prev);

/* The process a task ID belongs to (a thread's TID gives its process's PID). */
int sampler_tgid_of(struct sampler *s, pid_t tid, pid_t *tgid);
/* The start time (clock ticks after boot) and raw name (never for output as it is) of the
 * process PID names now: a PID's identity. -ENOENT/-ESRCH when there is none. */
int sampler_start_of(struct sampler *s, pid_t pid, uint64_t *start, char *comm, size_t len);

/* The cgroup file of process PID (checked to be the one that started at start) read raw into buf
 * (CGROUP_FILE_MAX bytes) and parsed into ci (src/sample/cgroup.h): for matching only. */
struct cgroup_info;
int sampler_cgroup_of(struct sampler *s, pid_t pid, uint64_t start, char *buf, size_t *len,
		      struct cgroup_info *ci);

/* The raw name of a process, for matching only (never printed). */
int sampler_raw_comm(struct sampler *s, pid_t pid, char *buf, size_t len);

/* Light list of every process for target resolution */
struct proc2_light;
int sampler_list_processes(struct sampler *s, struct proc2_light **out, size_t *n);

#endif
