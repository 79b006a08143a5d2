/* SPDX-License-Identifier: GPL-2.0-or-later */
/* internal.h - the workload's state, shared by its option parser and its runner */
#ifndef TASKSCOPE_WORKLOAD_INTERNAL_H
#define TASKSCOPE_WORKLOAD_INTERNAL_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/util.h"

#define WORKLOAD_MAX_WORKERS	4096
#define WORKLOAD_DEF_WORKERS	2
#define WORKLOAD_MAX_SECONDS	31536000.0	/* one year */
#define WORKLOAD_WORKER_NAME	"ts-worker"
/* Longest nap of a sleeping worker. A stop wakes it at once (EOF on the stop pipe, or
 * EINTR from the stop signal in a worker process); the nap only bounds the rare case of a
 * signal that lands between the flag check and poll(). It is long so that a sleeping
 * worker really sleeps: at 100 ms, 10,000 of them made 100,000 wake-ups a second and
 * each showed about 10 voluntary switches a second. */
#define WORKLOAD_NAP_MS		5000
#define WORKLOAD_SPIN_ROUND	(1u << 20)	/* spin iterations between stop checks */
#define WORKLOAD_TOUCH_ROUND	1024		/* pages touched between stop checks */

enum workload_stage {
	WORKLOAD_STAGE_READY = 0,
	WORKLOAD_STAGE_NAME,
	WORKLOAD_STAGE_PIN,
	WORKLOAD_STAGE_MEM,
};

/* What a worker tells the parent once set up (err == 0) or when setup failed.
 * Smaller than PIPE_BUF, so every write to the pipe is atomic. */
struct workload_report {
	int32_t idx;
	int32_t tid;
	int32_t stage;
	int32_t err;
};

struct workload;

struct workload_worker {
	struct workload *wl;
	unsigned idx;
	pid_t tid;		/* TID of a thread, PID of a process */
	pthread_t thread;
	bool running;		/* a thread to join or a child to reap */
	bool ready;		/* reported a finished setup */
	bool failed;		/* reported a failed setup */
};

struct workload {
	/* options */
	unsigned nworkers;
	bool procs;
	bool spin;
	size_t mem;
	size_t shared;
	const char *pin_arg;
	struct cpulist pin;	/* pin.set == NULL: no --pin */
	const char *name;	/* NULL: workers are WORKLOAD_WORKER_NAME */
	bool timed;
	double duration;

	/* run time */
	size_t pagesize;
	pid_t parent;
	unsigned char *shared_buf;
	int ready_fd[2];	/* workers -> parent: struct workload_report */
	int stop_fd[2];		/* write end closed by the parent: stop */
	int sigfd;
	bool masked;
	sigset_t oldmask;
	bool chld_saved;
	struct sigaction oldchld;
	struct workload_worker *workers;
	unsigned nready;
	unsigned nlive;
	bool ready_eof;
	bool failed;		/* an error was printed: exit status 1 */
};

__attribute__((format(printf, 1, 2))) void workload_errx(const char *fmt, ...);
/* User input echoed in a message, made safe for a terminal. */
const char *workload_safe(const char *s, char *buf, size_t len);
/* Parse the command line into wl: 0, -1 for --help (usage printed), or exit status 2. */
int workload_parse(struct workload *wl, int argc, char **argv);

#endif
