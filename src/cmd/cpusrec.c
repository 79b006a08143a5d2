/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusrec.c - taskscope cpus FILE: the placement timeline of a recording's samples */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cpusopts.h"
#include "cmd/cpusrec.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "model/cpumap.h"
#include "model/placewatch.h"
#include "model/recording.h"
#include "target/target.h"

#define MAX_TOPO_CPUS	65536

/* The rows of one sample the targets keep (by row index). */
struct keep_set {
	const struct task *base;
	bool *keep;
};

static bool keep_row(const struct task *t, void *arg)
{
	const struct keep_set *k = arg;

	return k->keep[t - k->base];
}

static bool has_pid(const struct target *tg, pid_t pid)
{
	for (size_t i = 0; i < tg->npids; i++)
		if (tg->pids[i] == pid)
			return true;
	return false;
}

static bool has_name(const struct target *tg, const char *comm)
{
	for (size_t i = 0; comm && i < tg->nnames; i++)
		if (!strcmp(tg->names[i], comm))
			return true;
	return false;
}

/* Which rows of sn the targets select: -p by process ID, -C by the process's name (its main
 * thread's), --cgroup by its recorded cgroup, as the live command selects processes (-u is
 * refused: users are not recorded). */
static int select_rows(const struct target *tg, const struct snapshot *sn, bool **keep)
{
	bool *k = calloc(sn->ntasks ? sn->ntasks : 1, sizeof(*k));
	size_t i = 0;

	if (!k)
		return -ENOMEM;
	while (i < sn->ntasks) {
		pid_t tgid = sn->tasks[i].tgid;
		const char *comm = NULL, *cgroup = NULL;
		size_t end = i;
		bool want;

		while (end < sn->ntasks && sn->tasks[end].tgid == tgid) {
			if (sn->tasks[end].tid == tgid) {
				comm = sn->tasks[end].comm;
				cgroup = sn->tasks[end].cgroup_av == TS_OK ? sn->tasks[end].cgroup : NULL;
			}
			end++;
		}
		want = target_is_all(tg) ||
		       (tg->npids && has_pid(tg, tgid)) ||
		       (tg->nnames && has_name(tg, comm)) ||
		       (tg->ncgroups && target_recorded_cgroup_in(tg, cgroup));
		for (; i < end; i++)
			k[i] = want;
	}
	*keep = k;
	return 0;
}

/* The recorded topology as a cpumap (counted from the cpus table); NULL when none. */
static int recorded_topology(struct recording *rec, struct cpumap **out)
{
	struct cpumap *m;
	int n = 0, core, pkg, node;

	*out = NULL;
	while (n < MAX_TOPO_CPUS && !recording_cpu(rec, n, &core, &pkg, &node))
		n++;
	if (!n)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ncpus = n;
	m->node = malloc(n * sizeof(int));
	m->core = malloc(n * sizeof(int));
	m->package = malloc(n * sizeof(int));
	if (!m->node || !m->core || !m->package) {
		cpumap_free(m);
		return -ENOMEM;
	}
	for (int c = 0; c < n; c++) {
		bool newpkg = true, newcore = true, newnode = true;

		recording_cpu(rec, c, &m->core[c], &m->package[c], &m->node[c]);
		for (int d = 0; d < c; d++) {
			if (m->package[d] == m->package[c])
				newpkg = false;
			if (m->package[d] == m->package[c] && m->core[d] == m->core[c])
				newcore = false;
			if (m->node[d] == m->node[c])
				newnode = false;
		}
		m->packages += newpkg && m->package[c] >= 0;
		m->cores += newcore && m->core[c] >= 0;
		m->nodes += newnode && m->node[c] >= 0;
		m->pus++;
	}
	m->counted = true;
	*out = m;
	return 0;
}

/* The seconds between two samples: the recorded interval, else the mean one, else 1. */
static double recorded_interval(struct recording *rec, unsigned long n, double first,
				double last)
{
	const char *v = recording_meta(rec, "interval");
	double iv = 0;

	if (v) {
		char *end;

		iv = strtod(v, &end);
		if (end == v || !isfinite(iv))
			iv = 0;
	}
	if (iv <= 0 && n > 1 && last > first)
		iv = (last - first) / (double)(n - 1);
	return iv > 0 ? iv : 1.0;
}

/* Feed every sample in the range to pw; the slot of a sample is its time after the first
 * one in intervals (a missing sample leaves a slot without samples). */
static int feed(struct recording *rec, const struct target *tg, struct placewatch *pw,
		double interval, struct cpusrec_result *res)
{
	const struct snapshot *sn, *mem;
	uint32_t next = 0;
	int rc;

	while ((rc = recording_next(rec, &sn, &mem)) == 0) {
		struct keep_set ks = { .base = sn->tasks };
		double at;
		uint32_t slot;

		if (!res->samples)
			res->first = sn->wall;
		at = floor((sn->wall - res->first) / interval + 0.5);
		slot = at < next ? next : at > (double)UINT32_MAX - 2 ? UINT32_MAX - 1
								      : (uint32_t)at;
		if (slot == UINT32_MAX - 1) {
			res->stopped = "the recording's samples run too long for the timeline";
			return 0;
		}
		rc = select_rows(tg, sn, &ks.keep);
		for (size_t i = 0; !rc && i < sn->ntasks; i++)
			if (ks.keep[i] && sn->tasks[i].schedstat_av == TS_OK)
				res->schedstat = true;
		if (!rc)
			rc = placewatch_rows_sample(pw, slot, sn->tasks, sn->ntasks, keep_row, &ks);
		free(ks.keep);
		if (rc)
			return rc;
		res->samples++;
		res->last = sn->wall;
		next = slot + 1;
		if (placewatch_limit_hit(pw)) {
			res->stopped = "the timeline reached its limit of runs";
			return 0;
		}
	}
	return rc == -ENODATA ? 0 : rc;
}

int cpusrec_load(const struct cpusopts *o, struct placewatch **pw, struct cpumap **topo,
		 struct cpusrec_result *res)
{
	struct recording *rec = NULL;
	char why[512], shown[300];
	double first, last, from = 0, to = 0, interval;
	unsigned long n;
	long hz;
	double boot;
	int rc;

	memset(res, 0, sizeof(*res));
	*pw = NULL;
	*topo = NULL;
	util_sanitize(o->recording, strlen(o->recording), shown, sizeof(shown));
	rc = recording_open(&rec, o->recording, why, sizeof(why));
	if (rc) {
		msg_error("cannot read the recording '%s': %s", shown, why);
		return 1;
	}
	if (o->co.target.ncgroups && !(recording_meta(rec, "schema") &&
				       atof(recording_meta(rec, "schema")) >= 3)) {
		msg_error("the recording '%s' has no cgroups (they are recorded from recording "
			  "schema 3 on): use -p or -C", shown);
		goto fail;
	}
	if (recording_span(rec, &n, &first, &last)) {
		msg_error("cannot read the recording '%s': it is damaged: %s", shown,
			  recording_error(rec));
		goto fail;
	}
	if (o->from && recording_parse_time(o->from, first, last, &from)) {
		msg_error("invalid --from time '%s'", o->from);
		goto fail;
	}
	if (o->to && recording_parse_time(o->to, first, last, &to)) {
		msg_error("invalid --to time '%s'", o->to);
		goto fail;
	}
	recording_clock(rec, &hz, &boot);
	interval = recorded_interval(rec, n, first, last);
	res->rate = interval >= 1 ? 1 : (unsigned)floor(1 / interval + 0.5);
	res->period = interval;
	rc = recorded_topology(rec, topo);
	if (!rc) {
		struct placewatch_config pc = {
			.rate = res->rate, .max_threads = PLACEMENT_MAX_THREADS,
			.max_runs = TIMELINE_MAX_RUNS, .details = true, .trees = true,
		};

		rc = placewatch_new(pw, &pc);
	}
	if (!rc) {
		placewatch_timeline(*pw)->period = interval;
		recording_set_range(rec, from, to, false);
		rc = feed(rec, &o->co.target, *pw, interval, res);
	}
	if (rc == -EBADMSG) {
		msg_error("cannot read the recording '%s': it is damaged: %s", shown,
			  recording_error(rec));
		goto fail;
	}
	if (rc) {
		msg_error("cannot read the recording '%s': %s", shown, strerror(-rc));
		goto fail;
	}
	if (!res->samples) {
		msg_error("the recording '%s' has no sample%s", shown,
			  o->from || o->to ? " between --from and --to" : "");
		goto fail;
	}
	{
		const char *tgt = recording_meta(rec, "targets");
		const char *host = recording_meta(rec, "host");

		const char *kernel = recording_meta(rec, "kernel");

		snprintf(res->what, sizeof(res->what), "recording '%s' (%s on %s)", shown,
			 tgt ? tgt : "?", host ? host : "?");
		snprintf(res->host, sizeof(res->host), "%s", host ? host : "");
		snprintf(res->kernel, sizeof(res->kernel), "%s", kernel ? kernel : "");
	}
	recording_close(rec);
	return 0;
fail:
	recording_close(rec);
	placewatch_free(*pw);
	*pw = NULL;
	cpumap_free(*topo);
	*topo = NULL;
	return 1;
}
