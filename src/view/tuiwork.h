/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuiwork.h - the TUI's sampler thread: snapshots and panel data taken off the input path */
#ifndef TASKSCOPE_TUIWORK_H
#define TASKSCOPE_TUIWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/snapshot.h"
#include "model/system.h"

struct target;

enum tuiwork_panel {
	PANEL_NONE,
	PANEL_MAPS,		/* the memory map of one process */
	PANEL_SHARE,		/* what some tasks share */
	PANEL_CPUS,		/* where one process's threads run */
};

#define TUIWORK_MAX_CPUS 1024
#define TUIWORK_STUCK_AFTER 2.0	/* seconds after which a pass is called stuck */

/* What the UI asks for; the worker copies it at the start of each pass. */
/* How often the costly columns (PSS, USS ...: a smaps_rollup read per process, under the
 * process's mmap lock) are read for every process when the list is sorted by one. */
#define TUIWORK_MEM_ALL_EVERY 5.0

struct tuiwork_want {
	unsigned readers;		/* RD_* of the shown columns */
	bool all_threads;		/* thread rows of every watched process */
	pid_t *expanded;		/* else: thread rows of these processes */
	size_t nexpanded;
	pid_t *visible;			/* processes on screen (for the costly readers) */
	size_t nvisible;
	bool mem_all;			/* the costly readers for every watched process (the
					 * list is sorted by such a column), every
					 * TUIWORK_MEM_ALL_EVERY seconds at most */
	enum tuiwork_panel panel;
	pid_t *panel_ids;		/* the panel's processes */
	size_t npanel_ids;
	double delay;
	bool paused;
};

/* One finished pass, handed to the UI (which owns it until tuiwork_frame_free). */
struct tuiwork_frame {
	unsigned long seq;
	const struct snapshot *procs;	/* process rows (NULL when nothing is watched) */
	const struct snapshot *threads;	/* thread rows asked for, or NULL */
	const struct snapshot *mem;	/* on-screen processes with the costly readers, or NULL */
	bool mem_all;			/* mem has every watched process (want.mem_all) */
	bool all;			/* every process is watched */
	size_t nwatched;		/* processes watched */
	bool have_cpu;
	double cpu_all;			/* busy % of all CPUs */
	double cpu_each[TUIWORK_MAX_CPUS];
	int ncpus;
	struct sysinfo_mem sys;
	enum tuiwork_panel panel;
	char **lines;			/* the panel's text, sanitized lines */
	size_t nlines;
	double took;			/* seconds the pass took */
	int err;			/* 0, or why sampling failed */
	char note[256];			/* -p PIDs found reused (sanitized), or "" */
};

struct tuiwork;

/* Start the thread (signals should already be blocked: it inherits the mask). The
 * target is used by the worker alone from now on. wakefd is written (8 bytes, an eventfd)
 * when a frame is ready. */
int tuiwork_start(struct tuiwork **out, struct target *tg, const struct tuiwork_want *want,
		  int wakefd);
/* Stop sampling: the worker frees what it holds and parks until the process exits (it
 * is never joined or freed). Waits up to timeout seconds for that; false when the worker
 * did not answer in time (a read stuck on a task in D state). Call once, on the way out. */
bool tuiwork_stop(struct tuiwork *w, double timeout);
/* Seconds the running pass has taken so far, 0 between passes. With where, also the file
 * the worker is blocked reading now (say "/proc/42/cmdline", sanitized), or "" when it is
 * not in a read. A pass that takes seconds is a read stuck on a task in D state. */
double tuiwork_busy(struct tuiwork *w, char *where, size_t len);
/* Replace what is asked (copied); now: start a pass at once. */
int tuiwork_set(struct tuiwork *w, const struct tuiwork_want *want, bool now);
/* The newest finished frame, or NULL; older unclaimed frames are dropped. */
struct tuiwork_frame *tuiwork_take(struct tuiwork *w);
void tuiwork_frame_free(struct tuiwork_frame *f);

#endif
