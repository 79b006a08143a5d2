/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placement.h - the placement sampler: each watched thread's last CPU and state, often */
#ifndef TASKSCOPE_PLACEMENT_H
#define TASKSCOPE_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PLACEMENT_MAX_THREADS	4096	/* threads one sampler watches, ended ones included */
#define PLACEMENT_MAX_RATE	1000
#define PLACEMENT_RING_RECORDS	(1u << 17)	/* 2 MiB of samples between two drains */

enum placement_kind {
	PLACEMENT_SAMPLE = 0,	/* thread idx was last on cpu at slot, in state */
	PLACEMENT_ENDED = 1,	/* thread idx was found gone at slot (cpu is -1) */
};

/* One record of the sampler's output, in slot order. */
struct placement_sample {
	uint32_t slot;		/* tick number: slot k was due k / rate seconds after slot 0 */
	uint32_t idx;		/* the thread, as numbered by placement_add */
	int32_t cpu;
	uint16_t kind;		/* enum placement_kind */
	char state;		/* stat field 3: 'R' running or runnable, else waiting ('S', 'D',
				 * 'I', 'T'...); 0 in an end record */
	char spare;
};

struct placement_stats {
	uint64_t ticks;		/* passes over the watched threads */
	uint64_t missed;	/* slots skipped because a pass ended after the next one was due */
	uint64_t slots;		/* the slot the next pass would take (last slot + 1) */
	uint64_t samples;	/* samples handed to the ring */
	uint64_t dropped;	/* samples (and end records) the ring had no room for */
	uint64_t unreadable;	/* reads that gave no CPU though the thread was there */
	double cpu_s;		/* CPU time (user + system) of the sampler thread */
	double mono0;		/* CLOCK_MONOTONIC seconds of slot 0; 0 before the start */
};

struct placement;

/* rootfd: /proc (or a tree laid out like it), borrowed; rate_hz 1..PLACEMENT_MAX_RATE;
 * max_threads 1..PLACEMENT_MAX_THREADS; ring_records: room between two drains. */
int placement_new(struct placement **out, int rootfd, unsigned rate_hz, size_t max_threads,
		  size_t ring_records);
/* Stops the sampler if it runs and closes every file. */
void placement_free(struct placement *p);

/* Watch TID of process TGID, the task that started at start_ticks: opens its stat, keeps it
 * open and checks it is that task. *idx gets its number (0, 1, 2... in the order added).
 * Safe while the sampler runs. -ENOSPC: max_threads are watched already; -ESRCH/-ENOENT:
 * gone (or another task now); -EMFILE/-ENFILE: out of file descriptors. */
int placement_add(struct placement *p, pid_t tgid, pid_t tid, uint64_t start_ticks,
		  size_t *idx);

/* Start the sampler thread (signals blocked in it); slot 0 is taken at once, and the
 * sampler ends by itself after max_slots slots (0: when stopped). */
int placement_start(struct placement *p, uint64_t max_slots);
/* Stop the sampler and wait for it; does nothing when it does not run. */
void placement_stop(struct placement *p);

/* After placement_stop: one more look at the threads not yet found gone, so that those
 * that ended after the last pass (with their job, say) get their end record too. */
void placement_finish(struct placement *p);

/* Move up to max records out of the ring, oldest first; returns how many. */
size_t placement_drain(struct placement *p, struct placement_sample *out, size_t max);
/* true once the sampler found thread idx gone (also when its end record was dropped) */
bool placement_ended(const struct placement *p, size_t idx);
/* The slot the sampler is at now (0 before the start). */
uint64_t placement_slot(const struct placement *p);
void placement_stats(const struct placement *p, struct placement_stats *st);

#endif
