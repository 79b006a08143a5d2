/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics_cgroup.h - serve's per-cgroup metrics (--group-by cgroup): the cgroups' own memory
 * and pressure stall totals, beside the sums of their processes */
#ifndef TASKSCOPE_METRICS_CGROUP_H
#define TASKSCOPE_METRICS_CGROUP_H

#include <stdbool.h>
#include <stdio.h>

#include "model/snapshot.h"

struct metrics_cgroup;

/* Keep the cgroups of sn (its RD_CGROUP_STATS table) for the next render; *mc is made on the
 * first call. 0 or -ENOMEM (the previous table is kept). */
int metrics_cgroup_update(struct metrics_cgroup **mc, const struct snapshot *sn);
void metrics_cgroup_free(struct metrics_cgroup *mc);
/* The families of the kept table, labelled glabel="cgroup path", in the exposition format
 * (OpenMetrics when om). Nothing when no cgroup has a value. */
void metrics_cgroup_render(FILE *f, bool om, const struct metrics_cgroup *mc,
			   const char *glabel);

#endif
