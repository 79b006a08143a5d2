/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placewatch.h - the placement engine: which threads are watched, the placement sampler
 * that reads them many times a second, and the timeline its records go into; shared by
 * `taskscope cpus` and the full-screen view's placement panel */
#ifndef TASKSCOPE_PLACEWATCH_H
#define TASKSCOPE_PLACEWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/timeline.h"
#include "sample/placement.h"

struct placewatch_config {
	int rootfd;		/* /proc, borrowed */
	unsigned rate;		/* samples a second */
	size_t max_threads;	/* watched at most (ended ones included) */
	size_t ring_records;	/* the sampler's room between two drains */
	size_t max_runs;	/* the timeline's */
	bool details;		/* note each thread's affinity and schedstat at each refresh */
	bool trees;		/* no sampler: the samples come from placewatch_tree_sample */
};

struct placewatch;
struct task;

int placewatch_new(struct placewatch **out, const struct placewatch_config *c);
/* Stops the sampler if it runs. */
void placewatch_free(struct placewatch *pw);
/* Start sampling; it ends by itself after max_slots slots (0: when stopped). */
int placewatch_start(struct placewatch *pw, uint64_t max_slots);

/*
 * Look at the threads of the processes tgids (all: every process): with add, a thread not
 * seen before is watched (up to max_threads; the others are counted as unwatched); a known
 * one gets its name (and with details its affinity and schedstat) noted. What is read by
 * TID belongs to the thread only if the thread was still there after the read: for known
 * threads it is read before the scan and kept only when the scan finds the thread again;
 * a new thread's is read before placement_add, which checks the thread's identity.
 * *found: the threads the scan saw. With limit, more than max_threads is -E2BIG.
 */
int placewatch_refresh(struct placewatch *pw, const pid_t *tgids, size_t n, bool all,
		       bool add, bool limit, size_t *found);
/* Move the sampler's records into the timeline. */
void placewatch_drain(struct placewatch *pw);
/* Stop sampling, take the end records of threads that ended after the last pass, drain. */
void placewatch_stop(struct placewatch *pw);
/* After the stop: end every ended thread's runs and cover the timeline up to the last slot
 * (at most max_slots). */
void placewatch_close_timeline(struct placewatch *pw, uint64_t max_slots);

/*
 * With trees: one sample at slot from a tree with /proc's layout (cpus --proc-root): the
 * threads of the processes tgids (all: every process) as the tree's files say: stat's
 * last CPU and state, status's Cpus_allowed_list, schedstat. A thread first seen is
 * watched (up to max_threads); a watched one the tree lacks ended at slot.
 */
int placewatch_tree_sample(struct placewatch *pw, int rootfd, uint32_t slot,
			   const pid_t *tgids, size_t n, bool all);
/* Tree dirs[i] is slot i (as placewatch_tree_sample); why gets the message when a tree
 * cannot be opened. */
int placewatch_sample_trees(struct placewatch *pw, char *const *dirs, size_t ndirs,
			    const pid_t *tgids, size_t n, bool all, char *why, size_t whylen);

/*
 * With trees: one sample at slot from rows a recorder kept (cpus FILE): each row's last CPU
 * and state, its affinity and schedstat when they were recorded (aff_av, schedstat_av).
 * keep (NULL: every row) says which rows are watched. A thread first seen is watched (up
 * to max_threads); a watched one the rows lack ended at slot. Slots must grow.
 */
int placewatch_rows_sample(struct placewatch *pw, uint32_t slot, const struct task *rows,
			   size_t n, bool (*keep)(const struct task *t, void *arg), void *arg);

struct timeline *placewatch_timeline(struct placewatch *pw);
bool placewatch_limit_hit(const struct placewatch *pw);	/* the timeline is full */
size_t placewatch_unwatched(const struct placewatch *pw);
uint64_t placewatch_slot(const struct placewatch *pw);
void placewatch_stats(const struct placewatch *pw, struct placement_stats *st);

#endif
