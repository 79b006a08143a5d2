/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuiworkint.h - inside the full-screen view's worker: its state, and the panel builders of
 * tuipanels.c that its passes call */
#ifndef TASKSCOPE_TUIWORKINT_H
#define TASKSCOPE_TUIWORKINT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/placewatch.h"
#include "model/system.h"
#include "view/tuiwork.h"

#define PLACEMENT_RATE 20	/* samples a second of the placement panel's strip */
#define STRIP_WIDTH 60
#define SHARE_ALL_EVERY 5.0	/* seconds between two readings of every process's pages */

struct tuiwork {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, kick, done;
	struct tuiwork_want want;	/* guarded by lock */
	struct tuiwork_frame *ready;	/* guarded by lock */
	int wakefd;
	unsigned long seq;
	double busy_since;		/* guarded by lock: start of the running pass, or 0 */
	pid_t tid;			/* guarded by lock: the worker's thread ID, 0 until it runs */

	/* the worker's own */
	struct target *tg;
	int rootfd;
	unsigned readers;		/* the samplers were made for these */
	const struct snapshot *last_procs;	/* held: reused by a pass right after another */
	const struct snapshot *mem_last;	/* held: the last reading of every process's
						 * costly columns (want.mem_all) */
	struct sampler *procs, *threads, *mem, *place;
	struct cpuload *cpus;
	/* share panel: the last "against every other" report */
	char *share_text;
	size_t share_len;
	pid_t share_pid;
	double share_mono;
	/* placement panel */
	pid_t place_pid;
	struct placewatch *pw;
};

/* A line of a panel (printf-like), the lines of a text: 0 or -ENOMEM. */
int tuiwork_add_line(struct tuiwork_frame *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tuiwork_split_lines(struct tuiwork_frame *f, const char *text, size_t len);
/* The panels: 0 or -errno. */
int tuiwork_panel_maps(struct tuiwork *w, struct tuiwork_frame *f, pid_t pid);
int tuiwork_panel_share(struct tuiwork *w, struct tuiwork_frame *f, const pid_t *ids,
			size_t n);
int tuiwork_panel_cpus(struct tuiwork *w, struct tuiwork_frame *f, pid_t pid);
/* Stop the placement engine of the cpus panel. */
void tuiwork_place_stop(struct tuiwork *w);

#endif
