/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics_cgroup.c - serve's per-cgroup metrics (--group-by cgroup): the cgroups' own memory
 * and pressure stall totals, beside the sums of their processes */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view/metrics.h"
#include "view/metrics_cgroup.h"

struct metrics_cgroup {
	struct snapshot_cgroup *v;	/* sorted by name; names owned */
	size_t n;
};

static void table_free(struct snapshot_cgroup *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int by_name(const void *a, const void *b)
{
	const struct snapshot_cgroup *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->v2 - (int)y->v2;
}

int metrics_cgroup_update(struct metrics_cgroup **mc, const struct snapshot *sn)
{
	struct snapshot_cgroup *v;

	if (!*mc) {
		*mc = calloc(1, sizeof(**mc));
		if (!*mc)
			return -ENOMEM;
	}
	v = calloc(sn->ncgroups ? sn->ncgroups : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < sn->ncgroups; i++) {
		v[i] = sn->cgroups[i];
		v[i].name = strdup(sn->cgroups[i].name);
		if (!v[i].name) {
			table_free(v, i);
			return -ENOMEM;
		}
	}
	qsort(v, sn->ncgroups, sizeof(*v), by_name);
	table_free((*mc)->v, (*mc)->n);
	(*mc)->v = v;
	(*mc)->n = sn->ncgroups;
	return 0;
}

void metrics_cgroup_free(struct metrics_cgroup *mc)
{
	if (!mc)
		return;
	table_free(mc->v, mc->n);
	free(mc);
}

/* HELP/TYPE (and UNIT) lines as the exposition format wants them for a family */
static void family(FILE *f, bool om, const char *name, bool counter, const char *help)
{
	const char *sfx = counter && !om ? "_total" : "";

	fprintf(f, "# HELP %s%s %s\n", name, sfx, help);
	fprintf(f, "# TYPE %s%s %s\n", name, sfx, counter ? "counter" : "gauge");
	if (om)
		fprintf(f, "# UNIT %s %s\n", name, strstr(name, "seconds") ? "seconds" : "bytes");
}

void metrics_cgroup_render(FILE *f, bool om, const struct metrics_cgroup *mc,
			   const char *glabel)
{
	static const char *const res[3] = { "cpu", "memory", "io" };
	bool any_mem = false, any_psi = false;

	if (!mc)
		return;
	for (size_t i = 0; i < mc->n; i++) {
		any_mem |= mc->v[i].mem_rc == 0;
		for (int r = 0; r < 3; r++)
			any_psi |= mc->v[i].psi_rc[r] == 0;
	}
	if (any_mem) {
		family(f, om, "taskscope_cgroup_memory_bytes", false,
		       "Memory charged to the group's cgroup (v2 memory.current, v1 memory.usage_in_bytes): page cache and kernel memory included");
		for (size_t i = 0; i < mc->n; i++) {
			char esc[1024];

			if (mc->v[i].mem_rc)
				continue;
			metrics_escape_label(mc->v[i].name, esc, sizeof(esc));
			fprintf(f, "taskscope_cgroup_memory_bytes{%s=\"%s\"} %llu\n", glabel, esc,
				(unsigned long long)mc->v[i].mem_bytes);
		}
	}
	if (!any_psi)
		return;
	family(f, om, "taskscope_cgroup_pressure_stalled_seconds", true,
	       "Time some (or all: kind full) of the cgroup's tasks were stalled on the resource (cgroup v2 PSI total)");
	for (size_t i = 0; i < mc->n; i++) {
		char esc[1024];

		metrics_escape_label(mc->v[i].name, esc, sizeof(esc));
		for (int r = 0; r < 3; r++) {
			if (mc->v[i].psi_rc[r])
				continue;
			fprintf(f, "taskscope_cgroup_pressure_stalled_seconds_total{%s=\"%s\",resource=\"%s\",kind=\"some\"} %.6f\n",
				glabel, esc, res[r], mc->v[i].psi_some[r]);
			if (mc->v[i].psi_full[r] >= 0)
				fprintf(f, "taskscope_cgroup_pressure_stalled_seconds_total{%s=\"%s\",resource=\"%s\",kind=\"full\"} %.6f\n",
					glabel, esc, res[r], mc->v[i].psi_full[r]);
		}
	}
}
