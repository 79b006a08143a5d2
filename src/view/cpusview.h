/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusview.h - inside the placement report: the summaries its tables and its JSON share */
#ifndef TASKSCOPE_CPUSVIEW_H
#define TASKSCOPE_CPUSVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/timeline.h"
#include "view/cpus.h"

struct cpus_view {
	const struct cpus_report *r;
	size_t *order;				/* thread indexes in (tgid, tid) order */
	struct timeline_thread_sum *sum;	/* per thread index */
	struct timeline_cpu_sum *cpus;
	size_t ncpus;
	uint64_t *xnode;			/* cross-node migrations per thread index */
};

#define LABEL_WIDTH 24		/* "   TID comm" before the strip chart */
#define AXIS_EVERY 10		/* chart columns between two time marks */

/* "1.25s" */
char *cpus_seconds_text(double s, char *buf, size_t len);
int cpus_view_init(struct cpus_view *v, const struct cpus_report *r);
void cpus_view_free(struct cpus_view *v);
/* The strip chart (tables: with its legend and axis): 0 or -errno. */
int cpus_print_strip(const struct cpus_view *v, enum cpus_format fmt, FILE *out);
/* The report as one JSON document: 0 or -errno. */
int cpus_print_json(const struct cpus_view *v, FILE *out);

#endif
