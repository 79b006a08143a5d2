/* SPDX-License-Identifier: GPL-2.0-or-later */
/* comparison.h - the measures of one side of a compare, accumulated over its samples */
#ifndef TASKSCOPE_COMPARISON_H
#define TASKSCOPE_COMPARISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/snapshot.h"
#include "sample/task.h"

/* The rows of the report, in the order shown. */
enum comparison_metric {
	CMP_PROCS,		/* processes seen (distinct PID, start time) */
	CMP_THREADS,		/* tasks seen, main threads included */
	CMP_SPACES,		/* distinct address spaces (kcmp VM), most in one sample */
	CMP_FILES,		/* distinct file descriptor tables (kcmp FILES) */
	CMP_FS,			/* distinct fs structs: root, cwd, umask (kcmp FS) */
	CMP_SIGHAND,		/* distinct signal handler tables (kcmp SIGHAND) */
	CMP_RSS_PEAK, CMP_RSS_AVG,	/* sum of the processes' RSS: counts shared pages again */
	CMP_PSS_PEAK, CMP_PSS_AVG,	/* sum of PSS: the real total */
	CMP_USS_PEAK, CMP_USS_AVG,	/* sum of private pages */
	CMP_SHARED_PEAK, CMP_SHARED_AVG,	/* sum of shared clean + dirty */
	CMP_PTE_PEAK, CMP_PTE_AVG,	/* sum of page tables (status VmPTE) */
	CMP_KSTACK,		/* estimate: most live tasks in one sample x THREAD_SIZE */
	CMP_STARTED,		/* spawn to the start of the last task seen (clock ticks) */
	CMP_READY,		/* spawn to the workload's ready line (every worker set up) */
	CMP_CPU_USER, CMP_CPU_SYS,	/* seconds */
	CMP_WALL,		/* seconds */
	CMP_PARALLEL,		/* (user + system) / wall */
	CMP_VCTX, CMP_ICTX,	/* voluntary / involuntary context switches */
	CMP_MIGR,		/* CPU migrations (sched se.nr_migrations, last value seen) */
	CMP_SYSBUSY,		/* % of all CPUs busy during the run, whoever used them */
	CMP_EXIT,		/* exit status of the spawned command (128+N: killed by N) */
	CMP_SAMPLES,		/* samples in which the side had tasks */
	CMP_COUNT
};

enum comparison_unit { CU_COUNT, CU_BYTES, CU_SECONDS, CU_FACTOR, CU_PERCENT, CU_STATUS };

struct comparison_info {
	const char *key;	/* JSON key */
	const char *label;	/* table row */
	enum comparison_unit unit;
	bool ratio;		/* B/A means something */
};

struct comparison_value {
	bool known;
	double v;
	enum ts_avail why;	/* when not known: TS_NA, TS_DENIED, TS_UNSUPPORTED */
};

/* One task seen during the run. */
struct comparison_track {
	pid_t tid, tgid;
	uint64_t start;		/* start time in clock ticks since boot: with tid, the identity */
	char *comm;		/* sanitized */
	uint64_t first[5], last[5];	/* utime, stime (ticks), vctx, ictx, migrations */
	bool ctxsw_ok, migr_ok;
	uint64_t cpus;		/* CPUs 0-63 it was seen on (bit per CPU) */
	bool cpu_high;		/* seen on a CPU above 63 */
	bool launcher;		/* its process was seen waiting for a child it started (a
				 * shell or wrapper): not part of the workload */
};

/* The track of task t among the first nsorted of the n tracks at *v (sorted by tid and
 * start time), or a new one appended after them (*v grown; counters from t's values when
 * it started before window_ticks, else from zero); NULL when out of memory. The caller
 * sorts again (comparison_tracks_sort) once a sample's tasks are in. */
struct comparison_track *comparison_track_of(struct comparison_track **v, size_t *n,
					     size_t *cap, uint64_t window_ticks,
					     const struct task *t, size_t nsorted);
void comparison_tracks_sort(struct comparison_track *v, size_t n);
/* A sample's counters of task t into its track k (last[]): CPU time, and the switches and
 * migrations when read (a task gone meanwhile keeps its last ones; another failure
 * marks them not known). */
void comparison_track_counters(struct comparison_track *k, const struct task *t);
void comparison_tracks_free(struct comparison_track *v, size_t n);

/* What the engine that ran the side knows beyond the samples. */
struct comparison_run {
	uint64_t window_ticks;	/* start of the run in clock ticks since boot */
	bool spawned;
	double wall;		/* seconds the side ran (or was watched) */
	bool have_rusage;	/* a spawned side: its reaped tasks' exact usage */
	double ru_user, ru_sys;
	uint64_t ru_nvcsw, ru_nivcsw;
	bool have_exit;
	int exit_code;
	bool have_ready;
	double ready;		/* seconds from spawn to the ready line */
};

struct comparison_pending;

struct comparison_side {
	char label[4];		/* "A", "B" */
	char *name;		/* what it is, sanitized ("3 threads", a command line) */
	char *command;		/* the command that ran, sanitized; NULL for -p groups */
	bool watched;		/* a -p group: watched, not run (no start-up, wall, exit) */
	struct comparison_value m[CMP_COUNT];

	/* accumulated over the samples */
	struct comparison_track *tracks;	/* sorted by (tid, start) */
	size_t ntracks, cap;
	uint64_t window_ticks;
	size_t nsamples, mem_samples;
	double mem_sum[5], mem_peak[5];	/* rss, pss, uss, shared, pte */
	double mem_low[5];		/* the lowest sum of a sample: with the peak, the spread */
	bool mem_denied;
	size_t groups_max[4];	/* VM, FILES, FS, SIGHAND */
	int groups_rc[4];	/* 0 measured in some sample; else the last kcmp error */
	size_t tasks_peak;
	/* samples not yet added to the sums above: who is a launcher is known only once its
	 * child ran another program, so a sample waits for the later ones (as many as
	 * COMPARISON_PENDING_ROWS task rows hold) before it counts */
	struct comparison_pending *pending;
	size_t npending, pending_cap, pending_rows;
	double busy_sum, busy_time;	/* system CPU busy % x seconds, and the seconds */
	/* after comparison_side_finish */
	size_t launchers;	/* processes left out as launchers */
	char launcher_names[64];	/* their names ("sh, pyenv"), sanitized */
	char *work;		/* the name of the workload process that used the most CPU */
};

const struct comparison_info *comparison_info(enum comparison_metric m);

/* name (display text, sanitized already: a target's description) is copied as it is,
 * command (raw) sanitized; command may be NULL. -ENOMEM. */
int comparison_side_init(struct comparison_side *s, const char *label, const char *name,
			 const char *command, uint64_t window_ticks);
void comparison_side_free(struct comparison_side *s);

/* Task rows kept in samples that wait for the later ones (see pending above). */
#define COMPARISON_PENDING_ROWS 65536

/* Account one thread-level snapshot of the side's tasks (kcmp groups included).
 * 0 or -ENOMEM. */
int comparison_side_sample(struct comparison_side *s, const struct snapshot *sn);

/* Fill m[] from the samples and what the engine knows. */
void comparison_side_finish(struct comparison_side *s, const struct comparison_run *run);

/* Sides that differ by less than this factor are "about the same". */
#define COMPARISON_SAME_FACTOR 1.10

/* The one rule of compare and demo for "more" and "about the same": B/A beyond
 * COMPARISON_SAME_FACTOR either way, and for a memory peak also beyond the spread of the
 * samples (the lowest sample of the side with more is above the peak of the other). */
enum comparison_verdict { CMP_UNKNOWN, CMP_SAME, CMP_A_MORE, CMP_B_MORE };
enum comparison_verdict comparison_verdict(const struct comparison_side *a,
					   const struct comparison_side *b,
					   enum comparison_metric m, double *r);

/* B/A of a metric when both are known, the metric has a ratio and A is not 0. */
bool comparison_ratio(const struct comparison_side *a, const struct comparison_side *b,
		      enum comparison_metric m, double *r);

/* Kernel stack size per task used by the estimate; 0 when not known for this machine. */
uint64_t comparison_thread_size(void);

/* The clock ticks since boot now (CLOCK_BOOTTIME, what stat's start time counts). */
uint64_t comparison_boot_ticks(void);

#endif
