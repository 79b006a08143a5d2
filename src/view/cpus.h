/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus.h - the placement report: topology, per-thread and per-CPU tables, strip chart, JSON */
#ifndef TASKSCOPE_VIEW_CPUS_H
#define TASKSCOPE_VIEW_CPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/timeline.h"

struct cpumap;

#define CPUS_STRIP_WIDTH 72	/* chart columns of the strip chart */
#define CPUS_WAIT_CHAR '-'	/* in the strip chart: waiting (sleeping, blocked, stopped) */
#define CPUS_NONE_CHAR '.'	/* ... no sample */

/* Everything a report shows; the view only reads it. */
struct cpus_report {
	const struct timeline *tl;
	const struct cpumap *topo;	/* NULL when hwloc could not read the topology */
	const char *topo_why;		/* why topo is NULL when not that (NULL: hwloc) */
	const char *what;		/* what was watched ("PID 1234", "spawned job"...) */
	unsigned rate;
	double duration;		/* seconds sampled */
	uint64_t ticks;			/* passes the sampler made */
	uint64_t missed;		/* slots it skipped, being late */
	uint64_t dropped;		/* samples the ring had no room for */
	uint64_t unreadable;		/* reads without a CPU */
	double sampler_cpu;		/* seconds of CPU the sampler thread used */
	size_t unwatched;		/* threads seen but not watched (limit, no files) */
	size_t max_threads;		/* the thread limit */
	const char *stopped;		/* why sampling stopped before the end, or NULL */
	double wall, since;		/* a recording's last and first sample (epoch s); 0:
					 * live, the report stands for now */
	const char *sched_why;		/* why run and run-queue times are unknown, or NULL */
	const char *host, *kernel;	/* a recording's machine (JSON stamp), NULL: this one */
};

enum cpus_format {
	CPUS_TABLE,		/* header, aligned tables, strip chart */
	CPUS_RAW,		/* the same without alignment, header and legend */
	CPUS_JSON,		/* one JSON document */
};

/* Print the report. Returns 0 or -errno (-EPIPE when the reader went away). */
int cpus_print(const struct cpus_report *r, enum cpus_format fmt, FILE *out);

/* ---- helpers shared with the SVG view and the tests ---- */

/* v with decimals (0-6) and '.' whatever the locale; negative or non-finite as 0 */
char *cpus_fixed(double v, int decimals, char *buf, size_t len);
/* The strip chart's character for a CPU: 0-9 then a-z; '+' past 35; '.' for -1. */
char cpus_cpu_char(int cpu);
/* A word for stat's state letter: "running", "sleeping", "uninterruptible sleep"... */
const char *cpus_state_name(char state);
/* Samples per chart column so that nslots fit in width columns (at least 1). */
uint32_t cpus_strip_step(uint32_t nslots, unsigned width);
/* The chart of thread idx: one character per step slots, NUL-terminated; buf must hold
 * width + 1 bytes: the CPU it ran on most when at least half of the samples there were
 * running, CPUS_WAIT_CHAR when most were waiting, CPUS_NONE_CHAR without samples.
 * Returns the number of columns written. */
unsigned cpus_strip_line(const struct timeline *tl, size_t idx, uint32_t step,
			 unsigned width, char *buf);
/* Thread idx in short: "62.5% 1:60.0,0:40.0" (percent of its samples running, then the
 * shares of its running samples), "never ran" or "not seen". */
int cpus_run_text(const struct timeline *tl, size_t idx, char *buf, size_t len);
/* A line per CPU with samples: its share of the running samples, the TIDs that ran on it
 * with their shares of it, then the TIDs that waited after last running there. *text is
 * malloc'ed (NUL-terminated, *len bytes). */
int cpus_cpu_text(const struct timeline *tl, char **text, size_t *len);
/* Migrations of thread idx between CPUs of different NUMA nodes (both known) */
uint64_t cpus_node_migrations(const struct timeline *tl, const struct cpumap *topo, size_t idx);
/* As cpus_strip_line, with the NUMA node of the CPU instead of the CPU ('?' unknown) */
unsigned cpus_node_line(const struct timeline *tl, const struct cpumap *topo, size_t idx,
			uint32_t step, unsigned width, char *buf);
/* "1234 comm" padded or cut to exactly width display columns (UTF-8 aware) */
void cpus_label(const struct timeline_thread *t, unsigned width, char *buf, size_t len);

#endif
