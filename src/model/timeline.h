/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline.h - where each watched thread ran or waited, slot by slot, and the summaries */
#ifndef TASKSCOPE_TIMELINE_H
#define TASKSCOPE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A timeline keeps at most this many runs (12 bytes each, 48 MiB): at least as many
 * samples, many more when threads stay on a CPU. */
#define TIMELINE_MAX_RUNS	4000000u
#define TIMELINE_MAX_CPU	((1 << 23) - 1)	/* a run's CPU number has 24 bits */
#define TIMELINE_MAX_AFF_CHANGES 64	/* affinity changes kept per thread (more are counted) */
#define TIMELINE_NO_SLOT	UINT32_MAX

/* Consecutive samples of one thread on one CPU in one state. */
struct timeline_run {
	uint32_t slot;		/* the first sample's slot */
	uint32_t len;		/* samples: slots slot .. slot + len - 1 */
	int32_t cpu : 24;	/* 0 .. TIMELINE_MAX_CPU: where it runs, or last ran */
	uint32_t state : 8;	/* the state letter of stat (field 3), see timeline_running() */
};

/* A sample in state 'R' is running (or runnable: on a run queue, its CPU is where it is
 * queued); any other letter (S, D, I, T, t, P...) is waiting, and its CPU is only where
 * the thread last ran. */
static inline bool timeline_running(unsigned state)
{
	return state == 'R';
}

struct timeline_affinity {
	uint32_t slot;		/* when it was seen (the refresh after the change) */
	char *cpus;		/* CPU list text */
};

/* A look at a thread's schedstat: the slot it was in, run time and run-queue wait (ns). */
struct timeline_sched {
	uint32_t slot;
	uint64_t run_ns, wait_ns;
};

struct timeline_thread {
	pid_t tgid, tid;
	uint64_t start_ticks;	/* with tid, the thread's identity */
	char *comm;		/* sanitized; the latest name seen */
	uint32_t end_slot;	/* the slot it was found gone, or TIMELINE_NO_SLOT */
	struct timeline_run *runs;
	size_t nruns, cap;
	uint64_t samples;
	uint64_t running;	/* samples in state R */
	/* schedstat (run time and run-queue wait, ns) at the first and the latest look */
	unsigned nsched;	/* looks that read it: a window needs two */
	struct timeline_sched sched0, sched1;
	struct timeline_affinity *aff;	/* aff[0] is the first seen; then each change */
	size_t naff;
	uint64_t aff_lost;	/* changes past TIMELINE_MAX_AFF_CHANGES */
};

struct timeline {
	unsigned rate;		/* samples a second */
	double period;		/* 1 / rate */
	uint32_t nslots;	/* slots covered: 0 .. nslots - 1 */
	struct timeline_thread *threads;	/* index = the sampler's thread index */
	size_t nthreads, cap;
	size_t max_runs;
	size_t nruns;		/* runs of all threads */
	uint64_t samples;	/* samples of all threads */
	uint64_t running;	/* ... of them running */
	uint64_t refused;	/* samples refused: the run limit, or out of order */
};

int timeline_init(struct timeline *tl, unsigned rate, size_t max_runs);
void timeline_free(struct timeline *tl);
/* A new thread gets the next index; comm is copied (it must be sanitized already). */
int timeline_add_thread(struct timeline *tl, pid_t tgid, pid_t tid, uint64_t start_ticks,
			const char *comm, size_t *idx);
int timeline_set_comm(struct timeline *tl, size_t idx, const char *comm);
/* Thread idx was on cpu at slot, in state (stat's letter; a byte that is no letter is
 * kept as '?', waiting). Slots of one thread must come in increasing order. -ENOSPC when
 * the run limit is reached, -EINVAL out of order or a CPU outside 0..TIMELINE_MAX_CPU
 * (both counted in refused). */
int timeline_add_sample(struct timeline *tl, size_t idx, uint32_t slot, int cpu, char state);
void timeline_end_thread(struct timeline *tl, size_t idx, uint32_t slot);
/* The affinity (CPU list text) seen at slot: the first call sets the start, later ones
 * record a change when the text differs. */
int timeline_set_affinity(struct timeline *tl, size_t idx, uint32_t slot, const char *cpus);
/* schedstat of thread idx read at slot: the first call starts the window, later ones
 * move its end. */
int timeline_set_schedstat(struct timeline *tl, size_t idx, uint32_t slot, uint64_t run_ns,
			   uint64_t wait_ns);
/* Extend the covered slots to at least nslots. */
void timeline_cover(struct timeline *tl, uint32_t nslots);

/* The thread indexes sorted by (tgid, tid, start): malloc'ed into *order. */
int timeline_order(const struct timeline *tl, size_t **order);

/* ---- summaries ---- */

struct timeline_share {
	int cpu;		/* in a thread summary; a thread index in a CPU summary */
	uint64_t samples;	/* running samples */
	uint64_t waiting;	/* waiting samples (not counted in the shares) */
	unsigned permille;	/* share of the running samples in tenths of a percent; the
				 * shares of one summary sum to exactly 1000 (largest
				 * remainders), or are all 0 when nothing ran */
};

struct timeline_thread_sum {
	uint64_t samples;		/* all, running and waiting */
	uint64_t running;		/* samples in state R */
	unsigned running_permille;	/* running of samples, tenths of a percent */
	struct timeline_share *cpus;	/* by CPU number, every CPU with samples of either
					 * kind; shares over running samples only */
	size_t ncpus;			/* entries of cpus */
	size_t ran_cpus;		/* distinct CPUs it was seen running on */
	uint64_t migrations;		/* CPU changes between consecutive samples */
	uint32_t longest;		/* the longest stay: from the first running sample on
					 * one CPU to past the last one before it was seen on
					 * another (slots the sampler skipped, and waiting
					 * samples on that CPU, count too); 0 if it never ran */
	double longest_s;		/* the same in seconds (slots * period) */
	int last_cpu;			/* of the last sample; -1 without samples */
	char last_state;		/* of the last sample; 0 without samples */
	bool sched;			/* schedstat was read at two looks: */
	uint64_t run_ns, wait_ns;	/* run time and run-queue wait between them */
	double sched_s;			/* the time between them, seconds */
};

struct timeline_cpu_sum {
	int cpu;
	uint64_t samples;		/* running samples of all threads on this CPU */
	unsigned permille;		/* of all running samples of all threads */
	uint64_t waiting;		/* waiting samples of threads that last ran here */
	struct timeline_share *threads;	/* .cpu holds the thread index, .samples its running
					 * samples here (permille of the CPU's), .waiting its
					 * waiting ones; most running first, then most waiting */
	size_t nthreads;
};

int timeline_thread_summary(const struct timeline *tl, size_t idx,
			    struct timeline_thread_sum *s);
void timeline_thread_summary_free(struct timeline_thread_sum *s);
/* One entry per CPU with samples (running or waiting), by CPU number. */
int timeline_cpu_summary(const struct timeline *tl, struct timeline_cpu_sum **out, size_t *n);
void timeline_cpu_summary_free(struct timeline_cpu_sum *v, size_t n);

/* Shares in tenths of a percent of parts[i].samples out of their sum, rounded so that
 * they sum to exactly 1000 (largest remainder; ties to the lower index). */
void timeline_permille(struct timeline_share *parts, size_t n);

/* What thread idx did most in slots [from, to): *running is true when at least half of
 * its samples there were running, and the CPU returned is the one it ran on most; else
 * the CPU it waited on most (where it last ran). -1 when not sampled there. Ties go to
 * the CPU seen last. *first_run speeds up calls with increasing from. */
int timeline_majority(const struct timeline *tl, size_t idx, uint32_t from, uint32_t to,
		      size_t *first_run, bool *running);

#endif
