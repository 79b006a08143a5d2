/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline.h - where each watched thread ran, slot by slot, and the summaries of it */
#ifndef TASKSCOPE_TIMELINE_H
#define TASKSCOPE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A timeline keeps at most this many runs (12 bytes each, 48 MiB): at least as many
 * samples, many more when threads stay on a CPU. */
#define TIMELINE_MAX_RUNS	4000000u
#define TIMELINE_MAX_AFF_CHANGES 64	/* affinity changes kept per thread (more are counted) */
#define TIMELINE_NO_SLOT	UINT32_MAX

/* Consecutive samples of one thread on one CPU. */
struct timeline_run {
	uint32_t slot;		/* the first sample's slot */
	uint32_t len;		/* samples: slots slot .. slot + len - 1 */
	int32_t cpu;
};

struct timeline_affinity {
	uint32_t slot;		/* when it was seen (the refresh after the change) */
	char *cpus;		/* CPU list text */
};

struct timeline_thread {
	pid_t tgid, tid;
	uint64_t start_ticks;	/* with tid, the thread's identity */
	char *comm;		/* sanitized; the latest name seen */
	uint32_t end_slot;	/* the slot it was found gone, or TIMELINE_NO_SLOT */
	struct timeline_run *runs;
	size_t nruns, cap;
	uint64_t samples;
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
	uint64_t refused;	/* samples refused: the run limit, or out of order */
};

int timeline_init(struct timeline *tl, unsigned rate, size_t max_runs);
void timeline_free(struct timeline *tl);
/* A new thread gets the next index; comm is copied (it must be sanitized already). */
int timeline_add_thread(struct timeline *tl, pid_t tgid, pid_t tid, uint64_t start_ticks,
			const char *comm, size_t *idx);
int timeline_set_comm(struct timeline *tl, size_t idx, const char *comm);
/* Thread idx was on cpu at slot. Slots of one thread must come in increasing order.
 * -ENOSPC when the run limit is reached, -EINVAL out of order (both counted in refused). */
int timeline_add_sample(struct timeline *tl, size_t idx, uint32_t slot, int cpu);
void timeline_end_thread(struct timeline *tl, size_t idx, uint32_t slot);
/* The affinity (CPU list text) seen at slot: the first call sets the start, later ones
 * record a change when the text differs. */
int timeline_set_affinity(struct timeline *tl, size_t idx, uint32_t slot, const char *cpus);
/* Extend the covered slots to at least nslots. */
void timeline_cover(struct timeline *tl, uint32_t nslots);

/* The thread indexes sorted by (tgid, tid, start): malloc'ed into *order. */
int timeline_order(const struct timeline *tl, size_t **order);

/* ---- summaries ---- */

struct timeline_share {
	int cpu;		/* in a thread summary; a thread index in a CPU summary */
	uint64_t samples;
	unsigned permille;	/* share in tenths of a percent; the shares of one summary
				 * sum to exactly 1000 (largest remainders) */
};

struct timeline_thread_sum {
	uint64_t samples;
	struct timeline_share *cpus;	/* by CPU number, only CPUs with samples */
	size_t ncpus;			/* distinct CPUs */
	uint64_t migrations;		/* CPU changes between consecutive samples */
	uint32_t longest;		/* the longest stay: consecutive samples on one CPU,
					 * in slots from the first to past the last (slots
					 * the sampler skipped between them count too) */
	double longest_s;		/* the same in seconds (slots * period) */
	int last_cpu;			/* of the last sample; -1 without samples */
};

struct timeline_cpu_sum {
	int cpu;
	uint64_t samples;		/* samples of all threads on this CPU */
	unsigned permille;		/* of all samples of all threads */
	struct timeline_share *threads;	/* .cpu holds the thread index; most samples first */
	size_t nthreads;
};

int timeline_thread_summary(const struct timeline *tl, size_t idx,
			    struct timeline_thread_sum *s);
void timeline_thread_summary_free(struct timeline_thread_sum *s);
/* One entry per CPU with samples, by CPU number. */
int timeline_cpu_summary(const struct timeline *tl, struct timeline_cpu_sum **out, size_t *n);
void timeline_cpu_summary_free(struct timeline_cpu_sum *v, size_t n);

/* Shares in tenths of a percent of parts[i].samples out of their sum, rounded so that
 * they sum to exactly 1000 (largest remainder; ties to the lower index). */
void timeline_permille(struct timeline_share *parts, size_t n);

/* The CPU thread idx was seen on most in slots [from, to); -1 when not sampled there.
 * Ties go to the CPU seen last. *first_run speeds up calls with increasing from. */
int timeline_majority(const struct timeline *tl, size_t idx, uint32_t from, uint32_t to,
		      size_t *first_run);

#endif
