/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpusjson.c - the placement report as one JSON document */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/cpumap.h"
#include "view/cpusview.h"
#include "view/json.h"

/* A node, core or package number; null when it is not known (-1). */
static void json_index(struct json *j, const char *key, int v)
{
	if (v >= 0)
		json_i64(j, key, v);
	else
		json_null(j, key);
}

/* A thread's affinity at the start and the end, and its changes in between. */
static void json_thread_affinity(struct json *j, const struct timeline *tl,
				 const struct timeline_thread *t)
{
	json_string(j, "affinity_start", t->naff ? t->aff[0].cpus : NULL);
	json_string(j, "affinity_end", t->naff ? t->aff[t->naff - 1].cpus : NULL);
	json_open_array(j, "affinity_changes", false);
	for (size_t k = 1; k < t->naff; k++) {
		json_open_object(j, NULL, true);
		json_u64(j, "slot", t->aff[k].slot);
		json_double(j, "time", t->aff[k].slot * tl->period, 3);
		json_string(j, "cpus", t->aff[k].cpus);
		json_close_object(j);
	}
	json_close_array(j);
	json_u64(j, "affinity_changes_lost", t->aff_lost);
}

/* The array key of shares sh[0..n-1] with running samples (and their share), or with
 * waiting ones; id writes what each is: a CPU of a thread, a thread of a CPU. */
static void json_shares(struct json *j, const char *key, const struct timeline_share *sh,
			size_t n, bool waiting,
			void (*id)(struct json *j, const void *ctx, int what), const void *ctx)
{
	json_open_array(j, key, false);
	for (size_t k = 0; k < n; k++) {
		uint64_t samples = waiting ? sh[k].waiting : sh[k].samples;

		if (!samples)
			continue;
		json_open_object(j, NULL, true);
		id(j, ctx, sh[k].cpu);
		json_u64(j, "samples", samples);
		if (!waiting)
			json_double(j, "share", sh[k].permille / 10.0, 1);
		json_close_object(j);
	}
	json_close_array(j);
}

/* A CPU a thread ran on: its number and node (ctx: the view) */
static void cpu_id(struct json *j, const void *ctx, int cpu)
{
	const struct cpus_view *v = ctx;

	json_i64(j, "cpu", cpu);
	json_index(j, "node", cpumap_node(v->r->topo, cpu));
}

/* A thread that ran on a CPU: its TID and name (ctx: the timeline) */
static void thread_id(struct json *j, const void *ctx, int idx)
{
	const struct timeline *tl = ctx;

	json_i64(j, "tid", tl->threads[idx].tid);
	json_string(j, "comm", tl->threads[idx].comm);
}

static void json_thread(struct json *j, const struct cpus_view *v, size_t i)
{
	const struct timeline *tl = v->r->tl;
	const struct timeline_thread *t = &tl->threads[i];
	const struct timeline_thread_sum *s = &v->sum[i];

	json_open_object(j, NULL, false);
	json_i64(j, "pid", t->tgid);
	json_i64(j, "tid", t->tid);
	json_string(j, "comm", t->comm);
	json_u64(j, "start_ticks", t->start_ticks);
	json_u64(j, "samples", s->samples);
	json_u64(j, "running_samples", s->running);
	json_u64(j, "waiting_samples", s->samples - s->running);
	if (s->samples)
		json_double(j, "running", s->running_permille / 10.0, 1);
	else
		json_null(j, "running");
	if (s->sched) {
		json_double(j, "runq_wait", (double)s->wait_ns / 1e9, 6);
		json_double(j, "run_time", (double)s->run_ns / 1e9, 6);
		json_double(j, "schedstat_window", s->sched_s, 3);
	} else {
		json_null(j, "runq_wait");
		json_null(j, "run_time");
		json_null(j, "schedstat_window");
	}
	json_u64(j, "distinct_cpus", s->ran_cpus);
	json_u64(j, "migrations", s->migrations);
	if (v->r->topo)
		json_u64(j, "node_migrations", v->xnode[i]);
	else
		json_null(j, "node_migrations");
	json_double(j, "longest_stay", s->longest_s, 3);
	json_u64(j, "longest_stay_slots", s->longest);
	if (s->last_cpu >= 0) {
		char st[2] = { s->last_state, '\0' };

		json_i64(j, "last_cpu", s->last_cpu);
		json_string(j, "last_state", st);
	} else {
		json_null(j, "last_cpu");
		json_null(j, "last_state");
	}
	json_bool(j, "ended", t->end_slot != TIMELINE_NO_SLOT);
	if (t->end_slot != TIMELINE_NO_SLOT) {
		json_u64(j, "end_slot", t->end_slot);
		json_double(j, "end", t->end_slot * tl->period, 3);
	} else {
		json_null(j, "end_slot");
		json_null(j, "end");
	}
	json_thread_affinity(j, tl, t);
	json_shares(j, "cpus", s->cpus, s->ncpus, false, cpu_id, v);
	json_shares(j, "waiting_cpus", s->cpus, s->ncpus, true, cpu_id, v);
	json_open_array(j, "runs", false);
	for (size_t k = 0; k < t->nruns; k++) {
		char st[2] = { (char)t->runs[k].state, '\0' };

		json_open_object(j, NULL, true);
		json_u64(j, "slot", t->runs[k].slot);
		json_u64(j, "samples", t->runs[k].len);
		json_i64(j, "cpu", t->runs[k].cpu);
		json_string(j, "state", st);
		json_bool(j, "running", timeline_running(t->runs[k].state));
		json_close_object(j);
	}
	json_close_array(j);
	json_close_object(j);
}

static void json_topology(struct json *j, const struct cpus_report *r)
{
	int pk, co, no, pu;

	if (!r->topo || cpumap_count(r->topo, &pk, &co, &no, &pu)) {
		json_null(j, "topology");
		return;
	}
	json_open_object(j, "topology", false);
	json_string(j, "file", cpumap_file(r->topo));
	json_i64(j, "packages", pk);
	json_i64(j, "cores", co);
	json_i64(j, "numa_nodes", no);
	json_i64(j, "cpus_online", pu);
	{
		int off = 0, memonly = 0;

		cpumap_count_more(r->topo, &off, &memonly);
		json_i64(j, "numa_nodes_without_cpus", memonly);
		json_i64(j, "cpus_offline", off);
	}
	json_open_array(j, "cpus", false);
	for (int c = 0; c < cpumap_ncpus(r->topo); c++) {
		int node = cpumap_node(r->topo, c), core = cpumap_core(r->topo, c);
		int pkg = cpumap_package(r->topo, c);

		if (node < 0 && core < 0 && pkg < 0)
			continue;
		json_open_object(j, NULL, true);
		json_i64(j, "cpu", c);
		json_index(j, "node", node);
		json_index(j, "core", core);
		json_index(j, "package", pkg);
		json_close_object(j);
	}
	json_close_array(j);
	json_close_object(j);
}

int cpus_print_json(const struct cpus_view *v, FILE *out)
{
	const struct cpus_report *r = v->r;
	const struct timeline *tl = r->tl;
	struct json_stamp st;
	struct json j;

	/* stamped at the end of the run; the interval is the time it covers */
	json_stamp_init(&st, r->wall, true, r->duration);
	if (r->host && *r->host)
		snprintf(st.host, sizeof(st.host), "%s", r->host);
	if (r->kernel && *r->kernel)
		snprintf(st.kernel, sizeof(st.kernel), "%s", r->kernel);
	json_begin(&j, out);
	json_open_object(&j, NULL, false);
	json_stamp_write(&j, &st);
	json_string(&j, "target", r->what ? r->what : "all tasks");
	json_u64(&j, "rate", r->rate);
	json_double(&j, "period", tl->period, 6);
	json_double(&j, "duration", r->duration, 3);
	json_u64(&j, "slots", tl->nslots);
	if (r->since > 0) {
		json_double(&j, "recorded_from", r->since, 6);
		json_double(&j, "recorded_to", r->wall, 6);
	}
	if (r->sched_why)
		json_string(&j, "runq_wait_unknown", r->sched_why);
	json_topology(&j, r);
	json_open_object(&j, "sampler", false);
	json_u64(&j, "passes", r->ticks);
	json_u64(&j, "missed_slots", r->missed);
	json_u64(&j, "samples", tl->samples);
	json_u64(&j, "running_samples", tl->running);
	json_u64(&j, "dropped", r->dropped);
	json_u64(&j, "refused", tl->refused);
	json_u64(&j, "unreadable", r->unreadable);
	json_u64(&j, "unwatched_threads", r->unwatched);
	json_u64(&j, "max_threads", r->max_threads);
	json_u64(&j, "max_runs", tl->max_runs);
	json_double(&j, "cpu_time", r->sampler_cpu, 6);
	json_string(&j, "stopped_early", r->stopped);
	json_close_object(&j);
	json_open_array(&j, "threads", false);
	for (size_t k = 0; k < tl->nthreads; k++)
		json_thread(&j, v, v->order[k]);
	json_close_array(&j);
	json_open_array(&j, "cpus", false);
	for (size_t i = 0; i < v->ncpus; i++) {
		const struct timeline_cpu_sum *c = &v->cpus[i];

		json_open_object(&j, NULL, false);
		json_i64(&j, "cpu", c->cpu);
		json_index(&j, "node", cpumap_node(r->topo, c->cpu));
		json_index(&j, "core", cpumap_core(r->topo, c->cpu));
		json_index(&j, "package", cpumap_package(r->topo, c->cpu));
		json_u64(&j, "samples", c->samples);
		json_double(&j, "share", c->permille / 10.0, 1);
		json_u64(&j, "waiting_samples", c->waiting);
		json_shares(&j, "threads", c->threads, c->nthreads, false, thread_id, tl);
		json_shares(&j, "waiting_threads", c->threads, c->nthreads, true, thread_id, tl);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	return json_end(&j);
}

