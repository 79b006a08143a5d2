/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recjob.h - a recorded job's footprint over a recording's samples (taskscope compare A.db B.db)
 *
 * What a recording holds of the tasks it recorded: the distinct processes and threads, the
 * most kcmp groups (address spaces, fd tables, fs structs, signal handlers) in one memory
 * sample, the sums over the processes of RSS, PSS, USS, shared, swap and page tables at the
 * memory samples (the peak and the last, with their times), and the CPU time and switches
 * as sampled.
 */
#ifndef TASKSCOPE_RECJOB_H
#define TASKSCOPE_RECJOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/comparison.h"

struct recording;

/* The rows of the report, in the order shown. */
enum recjob_metric {
	RJ_PROCS, RJ_THREADS,
	RJ_SPACES, RJ_FILES, RJ_FS, RJ_SIGHAND,	/* kcmp VM, FILES, FS, SIGHAND */
	RJ_RSS_PEAK, RJ_RSS_LAST,
	RJ_PSS_PEAK, RJ_PSS_LAST,
	RJ_USS_PEAK, RJ_USS_LAST,
	RJ_SHARED_PEAK, RJ_SHARED_LAST,
	RJ_SWAP_PEAK, RJ_SWAP_LAST,
	RJ_PTE_PEAK, RJ_PTE_LAST,
	RJ_CPU_USER, RJ_CPU_SYS,	/* seconds, as sampled */
	RJ_VCTX, RJ_ICTX,
	RJ_WALL,		/* seconds from the first to the last sample */
	RJ_SAMPLES, RJ_MEM_SAMPLES,
	RJ_COUNT
};

/* The memory sums, in the order of their peak rows (RJ_RSS_PEAK + 2 * i). */
#define RECJOB_NMEM 6

struct recjob_value {
	bool known;
	double v;
	bool has_at;
	double at;		/* wall clock time of the sample it is from */
};

struct recjob {
	struct recjob_value m[RJ_COUNT];
	double first, last;	/* wall clock times of the first and last sample read */
	bool groups_recorded;	/* kcmp groups are in the file (schema 2 on) */
	bool mem_recorded;	/* some memory sample had a footprint */
	/* tasks seen, sorted by (tid, start) */
	struct comparison_track *tracks;
	size_t ntracks, cap;
	uint64_t window_ticks;	/* the recording's start in clock ticks since boot */
};

/* its key, label and unit, in the live compare's form */
const struct comparison_info *recjob_info(enum recjob_metric m);

/* Read rec's samples between from and to (wall clock seconds, 0: no bound) into j (every
 * recorded task: the recording's job or targets). 0, -ENODATA (no sample in the range),
 * -EBADMSG (damaged: recording_error says how), -ENOMEM. */
int recjob_load(struct recording *rec, double from, double to, struct recjob *j);
void recjob_free(struct recjob *j);

/* The live compare's side (comparison_side_init with label and name) with the values a
 * recording has, for the live compare's plain words (compare_findings); no spread of the
 * memory samples (mem_samples 0). 0 or -ENOMEM. */
int recjob_comparison_side(const struct recjob *j, const char *label, const char *name,
			   struct comparison_side *cs);

/* B/A of a metric when both are known, it has a ratio and A is not 0. */
bool recjob_ratio(const struct recjob *a, const struct recjob *b, enum recjob_metric m,
		  double *r);

#endif
