/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare.h - taskscope compare: two workloads run or watched and measured side by side */
#ifndef TASKSCOPE_COMPARECMD_H
#define TASKSCOPE_COMPARECMD_H

#include <stdbool.h>
#include <stdint.h>
#include "model/comparison.h"

#define COMPARECMD_DEF_DELAY 0.1	/* seconds between samples */

/* The built-in workload of both sides of `compare --workers`. */
struct comparecmd_work {
	unsigned workers;
	uint64_t mem;		/* private bytes each worker writes */
	uint64_t shared;	/* bytes the parent writes, workers read */
	bool spin;
	double seconds;		/* how long the workers run after all are ready */
};

/* Run argv (stdout to stderr, or read for the workload's ready line) as one side: s is
 * initialized by the caller; the run fills it to the end of the side (the command and all
 * its descendants gone). 0; -errno when it could not start; -EINTR when taskscope was
 * interrupted (the side is still complete). */
int comparecmd_run_side(struct comparison_side *s, char *const argv[], bool ready_line,
			double delay);

/* Both sides of the built-in workload: a = N threads, b = N processes, one after the other.
 * 0 or -errno (what in err). */
int comparecmd_run_workers(const struct comparecmd_work *w, double delay,
			   struct comparison_side *a, struct comparison_side *b,
			   char *err, size_t len);

/* Entry point of `taskscope compare ...`; argv[0] is "compare". Returns the exit status:
 * 0 ok (whatever the compared commands returned), 1 runtime failure, 2 usage error. */
int comparecmd_main(int argc, char **argv);

#endif
