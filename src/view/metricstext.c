/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metricstext.c - the exposition text of the exporter's metrics (Prometheus 0.0.4, OpenMetrics) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/cpumap.h"
#include "view/metrics_cgroup.h"
#include "view/metricsint.h"

size_t metrics_escape_label(const char *s, char *buf, size_t len)
{
	size_t n = 0;
	bool full = len == 0;

	for (; *s; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
		size_t el = e ? 2 : 1;

		/* never half an escape, nothing after the first that does not fit */
		if (!full && n + el < len)
			memcpy(buf + n, e ? e : s, el);
		else if (!full)
			buf[n] = '\0', full = true;
		n += el;
	}
	if (!full)
		buf[n] = '\0';
	return n;
}

/* A counter or gauge family and how its series get their values from a group. */
enum kind { K_GAUGE, K_COUNTER };
enum scale { S_ONE, S_TICKS, S_NSEC };

struct part {
	const char *label, *value;	/* an extra label (NULL: none) */
	bool counter;			/* c[] (else g[]) */
	int idx;
	enum scale scale;
};

struct family {
	const char *name;		/* own name, without taskscope_ and _total */
	const char *pe_name;		/* process-exporter's (without _total), NULL: none */
	enum kind kind;
	const char *unit;
	const char *help;
	enum { F_SAMPLE, F_MEMORY, F_THREADS } from;	/* which sample it needs */
	struct part parts[5];		/* a NULL-terminated... by idx < 0 */
};

#define END { NULL, NULL, false, -1, S_ONE }

static const struct family families[] = {
	{ "group_processes", "namedprocess_namegroup_num_procs", K_GAUGE, NULL,
	  "Processes in the group", F_SAMPLE,
	  { { NULL, NULL, false, G_PROCS, S_ONE }, END } },
	{ "group_threads", "namedprocess_namegroup_num_threads", K_GAUGE, NULL,
	  "Threads of the group's processes", F_SAMPLE,
	  { { NULL, NULL, false, G_THREADS, S_ONE }, END } },
	{ "group_cpu_seconds", "namedprocess_namegroup_cpu_seconds", K_COUNTER, "seconds",
	  "CPU time of the group's processes (exited ones included)", F_SAMPLE,
	  { { "mode", "user", true, C_UTIME, S_TICKS }, { "mode", "system", true, C_STIME, S_TICKS },
	    END } },
	{ "group_context_switches", "namedprocess_namegroup_context_switches", K_COUNTER, NULL,
	  "Context switches of the group's threads", F_SAMPLE,
	  { { "kind", "voluntary", true, C_VCTX, S_ONE }, { "kind", "involuntary", true, C_ICTX, S_ONE },
	    END } },
	{ "group_minor_page_faults", "namedprocess_namegroup_minor_page_faults", K_COUNTER, NULL,
	  "Minor page faults of the group's processes", F_SAMPLE,
	  { { NULL, NULL, true, C_MINFLT, S_ONE }, END } },
	{ "group_major_page_faults", "namedprocess_namegroup_major_page_faults", K_COUNTER, NULL,
	  "Major page faults of the group's processes", F_SAMPLE,
	  { { NULL, NULL, true, C_MAJFLT, S_ONE }, END } },
	{ "group_migrations", NULL, K_COUNTER, NULL,
	  "Moves of the group's threads from one CPU to another", F_SAMPLE,
	  { { NULL, NULL, true, C_MIGR, S_ONE }, END } },
	{ "group_runqueue_wait_seconds", NULL, K_COUNTER, "seconds",
	  "Time the group's threads waited on a run queue, runnable but not running", F_SAMPLE,
	  { { NULL, NULL, true, C_WAIT, S_NSEC }, END } },
	{ "group_rss_bytes", NULL, K_GAUGE, "bytes",
	  "Resident memory of the group's processes (shared pages counted in each)", F_SAMPLE,
	  { { NULL, NULL, false, G_RSS, S_ONE }, END } },
	{ "group_pss_bytes", NULL, K_GAUGE, "bytes",
	  "Proportional set size: each shared page divided among the processes mapping it", F_MEMORY,
	  { { NULL, NULL, false, G_PSS, S_ONE }, END } },
	{ "group_uss_bytes", NULL, K_GAUGE, "bytes",
	  "Unique set size: pages only this process maps (freed when it exits)", F_MEMORY,
	  { { NULL, NULL, false, G_USS, S_ONE }, END } },
	{ "group_shared_bytes", NULL, K_GAUGE, "bytes",
	  "Resident pages the group's processes share with some other process", F_MEMORY,
	  { { NULL, NULL, false, G_SHARED, S_ONE }, END } },
	{ "group_swap_bytes", NULL, K_GAUGE, "bytes",
	  "Swapped-out memory of the group's processes", F_MEMORY,
	  { { NULL, NULL, false, G_SWAP, S_ONE }, END } },
	{ "group_page_table_bytes", NULL, K_GAUGE, "bytes",
	  "Page tables of the group's processes", F_MEMORY,
	  { { NULL, NULL, false, G_PTE, S_ONE }, END } },
	{ "group_address_spaces", NULL, K_GAUGE, NULL,
	  "Distinct address spaces of the group's processes (kcmp VM; vfork and CLONE_VM "
	  "children share one)", F_MEMORY,
	  { { NULL, NULL, false, G_SPACES, S_ONE }, END } },
	{ "group_pinned_threads", NULL, K_GAUGE, NULL,
	  "Threads of the group allowed to run on fewer CPUs than are online", F_THREADS,
	  { { NULL, NULL, false, G_PINNED, S_ONE }, END } },
	{ "group_off_affinity_threads", NULL, K_GAUGE, NULL,
	  "Threads of the group whose last CPU is not in their affinity", F_THREADS,
	  { { NULL, NULL, false, G_OFF_AFFINITY, S_ONE }, END } },
	{ "group_allowed_cpus", NULL, K_GAUGE, NULL,
	  "CPUs some thread of the group may run on (the union of their affinities)", F_THREADS,
	  { { NULL, NULL, false, G_ALLOWED_CPUS, S_ONE }, END } },
};

/* process-exporter's memory_bytes family: one gauge with a memtype label */
static const struct part pe_memory[] = {
	{ "memtype", "resident", false, G_RSS, S_ONE },
	{ "memtype", "virtual", false, G_VSZ, S_ONE },
	{ "memtype", "swapped", false, G_SWAP, S_ONE },
	{ "memtype", "proportionalResident", false, G_PSS, S_ONE },
	{ "memtype", "proportionalSwapped", false, G_SWAP_PSS, S_ONE },
	END,
};

struct out {
	FILE *f;
	bool om;		/* OpenMetrics */
};

static void header(struct out *o, const char *name, enum kind kind, const char *unit,
		   const char *help)
{
	bool ctr = kind == K_COUNTER;

	/* Prometheus text names the counter's samples' name; OpenMetrics the family */
	fprintf(o->f, "# HELP %s%s %s\n", name, ctr && !o->om ? "_total" : "", help);
	fprintf(o->f, "# TYPE %s%s %s\n", name, ctr && !o->om ? "_total" : "",
		ctr ? "counter" : "gauge");
	if (o->om && unit)
		fprintf(o->f, "# UNIT %s %s\n", name, unit);
}

static void value(struct out *o, uint64_t v, enum scale s, long hz)
{
	if (s == S_TICKS)
		fprintf(o->f, " %.15g\n", (double)v / (double)hz);
	else if (s == S_NSEC)
		fprintf(o->f, " %.15g\n", (double)v / 1e9);
	else
		fprintf(o->f, " %llu\n", (unsigned long long)v);
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct group *g = arg;

	return strcmp(g[*(const size_t *)a].name, g[*(const size_t *)b].name);
}

/* The labels of a group ("group=..."), or of a thread-name entry ("group=...,thread=...") */
static void entry_labels(const struct metrics *m, const struct group *g, bool tnames,
			 char *buf, size_t len)
{
	bool pe = m->o.compat == MC_PROCESS_EXPORTER;
	char gname[512], esc[1024], tesc[1024];

	if (!tnames) {
		metrics_escape_label(g->name, esc, sizeof(esc));
		snprintf(buf, len, "%s=\"%s\"", pe ? "groupname" : "group", esc);
		return;
	}
	snprintf(gname, sizeof(gname), "%.*s", (int)g->split, g->name);
	metrics_escape_label(gname, esc, sizeof(esc));
	metrics_escape_label(g->name + g->split + 1, tesc, sizeof(tesc));
	snprintf(buf, len, "%s=\"%s\",%s=\"%s\"", pe ? "groupname" : "group", esc,
		 pe ? "threadname" : "thread", tesc);
}

static void table_series(struct out *o, const struct metrics *m, const struct gtable *tb,
			 const size_t *order, const char *name, bool counter,
			 const struct part *parts)
{
	bool pe = m->o.compat == MC_PROCESS_EXPORTER;

	for (size_t i = 0; i < tb->n; i++) {
		const struct group *g = &tb->v[order[i]];
		char lab[2200];

		if (parts[0].idx == G_SPACES && !parts[0].counter && !g->spaces_known)
			continue;
		entry_labels(m, g, tb == &m->t, lab, sizeof(lab));
		for (const struct part *p = parts; p->idx >= 0; p++) {
			fprintf(o->f, "%s%s{%s", name, counter ? "_total" : "", lab);
			if (p->label && pe && (p->idx == C_VCTX || p->idx == C_ICTX) && p->counter)
				fprintf(o->f, ",ctxswitchtype=\"%s\"",
					p->idx == C_VCTX ? "voluntary" : "nonvoluntary");
			else if (p->label)
				fprintf(o->f, ",%s=\"%s\"", p->label, p->value);
			fputc('}', o->f);
			value(o, p->counter ? g->c[p->idx] : g->g[p->idx], p->scale, m->hz);
		}
	}
}

static void render_groups(struct out *o, const struct metrics *m, const size_t *order)
{
	bool pe = m->o.compat == MC_PROCESS_EXPORTER;
	char name[128];

	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		const struct family *fa = &families[f];
		bool ctr = fa->kind == K_COUNTER;

		if ((fa->from == F_MEMORY && !m->mem_known) ||
		    (fa->from == F_THREADS && !m->thr_known))
			continue;
		if (pe && fa->pe_name) {
			snprintf(name, sizeof(name), "%s", fa->pe_name);
		} else {
			if (pe && (fa->parts[0].idx == G_RSS || fa->parts[0].idx == G_PSS ||
				   fa->parts[0].idx == G_SWAP) && !fa->parts[0].counter)
				continue;	/* in namedprocess_namegroup_memory_bytes */
			snprintf(name, sizeof(name), "taskscope_%s", fa->name);
		}
		header(o, name, fa->kind, fa->unit, fa->help);
		table_series(o, m, &m->g, order, name, ctr, fa->parts);
	}
	if (pe) {
		/* before the first memory sample: resident only */
		struct part rss_only[] = { pe_memory[0], pe_memory[1], END };

		header(o, "namedprocess_namegroup_memory_bytes", K_GAUGE, "bytes",
		       "Memory of the group's processes by memtype");
		table_series(o, m, &m->g, order, "namedprocess_namegroup_memory_bytes", false,
			     m->mem_known ? pe_memory : rss_only);
	}
}

/* Threads by CPU and NUMA node: per group only where it has some (a group's series are
 * bounded by its threads), per CPU for every CPU of the machine. */
static void render_placement(struct out *o, const struct metrics *m, const size_t *order)
{
	int nodes = 0;

	if (!m->thr_known)
		return;
	for (int c = 0; c < m->ncpus; c++)
		if (cpumap_node(m->o.cpus, c) + 1 > nodes)
			nodes = cpumap_node(m->o.cpus, c) + 1;
	header(o, "taskscope_cpu_threads", K_GAUGE, NULL,
	       "Threads that last ran on the CPU (all the targets)");
	for (int c = 0; c < m->ncpus; c++)
		fprintf(o->f, "taskscope_cpu_threads{cpu=\"%d\"} %u\n", c, m->cpu_tasks[c]);
	header(o, "taskscope_group_cpu_threads", K_GAUGE, NULL,
	       "Threads of the group that last ran on the CPU (CPUs with none: no series)");
	for (size_t i = 0; i < m->g.n; i++) {
		const struct group *g = &m->g.v[order[i]];
		char lab[1100];

		entry_labels(m, g, false, lab, sizeof(lab));
		for (int c = 0; c < m->ncpus; c++)
			if (g->on_cpu[c])
				fprintf(o->f, "taskscope_group_cpu_threads{%s,cpu=\"%d\"} %u\n", lab, c,
					g->on_cpu[c]);
	}
	if (!nodes)
		return;
	header(o, "taskscope_group_node_threads", K_GAUGE, NULL,
	       "Threads of the group that last ran on a CPU of the NUMA node");
	for (size_t i = 0; i < m->g.n; i++) {
		const struct group *g = &m->g.v[order[i]];
		char lab[1100];

		entry_labels(m, g, false, lab, sizeof(lab));
		for (int nd = 0; nd < nodes; nd++) {
			uint64_t v = 0;

			for (int c = 0; c < m->ncpus; c++)
				if (cpumap_node(m->o.cpus, c) == nd)
					v += g->on_cpu[c];
			fprintf(o->f, "taskscope_group_node_threads{%s,node=\"%d\"} %llu\n", lab, nd,
				(unsigned long long)v);
		}
	}
}

/* --threads: the groups' threads by name */
static const struct family thread_families[] = {
	{ "threadname_threads", "namedprocess_namegroup_thread_count", K_GAUGE, NULL,
	  "Threads of the group with this name", F_THREADS,
	  { { NULL, NULL, false, G_THREADS, S_ONE }, END } },
	{ "threadname_cpu_seconds", "namedprocess_namegroup_thread_cpu_seconds", K_COUNTER,
	  "seconds", "CPU time of the group's threads of this name (exited ones included)",
	  F_THREADS,
	  { { "mode", "user", true, C_UTIME, S_TICKS }, { "mode", "system", true, C_STIME, S_TICKS },
	    END } },
	{ "threadname_context_switches", "namedprocess_namegroup_thread_context_switches",
	  K_COUNTER, NULL, "Context switches of the group's threads of this name", F_THREADS,
	  { { "kind", "voluntary", true, C_VCTX, S_ONE }, { "kind", "involuntary", true, C_ICTX, S_ONE },
	    END } },
	{ "threadname_minor_page_faults", "namedprocess_namegroup_thread_minor_page_faults",
	  K_COUNTER, NULL, "Minor page faults of the group's threads of this name", F_THREADS,
	  { { NULL, NULL, true, C_MINFLT, S_ONE }, END } },
	{ "threadname_major_page_faults", "namedprocess_namegroup_thread_major_page_faults",
	  K_COUNTER, NULL, "Major page faults of the group's threads of this name", F_THREADS,
	  { { NULL, NULL, true, C_MAJFLT, S_ONE }, END } },
};

static void render_thread_names(struct out *o, const struct metrics *m, const size_t *order)
{
	bool pe = m->o.compat == MC_PROCESS_EXPORTER;
	char name[128];

	if (!m->o.threads || !m->thr_known)
		return;
	for (size_t f = 0; f < ARRAY_SIZE(thread_families); f++) {
		const struct family *fa = &thread_families[f];

		snprintf(name, sizeof(name), pe ? "%s" : "taskscope_%s", pe ? fa->pe_name : fa->name);
		header(o, name, fa->kind, fa->unit, fa->help);
		table_series(o, m, &m->t, order, name, fa->kind == K_COUNTER, fa->parts);
	}
}

static void render_series(struct out *o, const struct metrics *m)
{
	static const char *const names[] = {
		"taskscope_process_cpu_seconds", "taskscope_process_threads",
		"taskscope_process_rss_bytes", "taskscope_process_pss_bytes",
		"taskscope_process_uss_bytes",
	};
	static const char *const helps[] = {
		"CPU time of the process (series per PID churn: --top and -p only)",
		"Threads of the process", "Resident memory of the process",
		"Proportional set size of the process", "Unique set size of the process",
	};

	if (!m->o.all_pids && !m->o.top)
		return;
	for (size_t f = 0; f < ARRAY_SIZE(names); f++) {
		if (f >= 3 && !m->mem_known)
			break;
		header(o, names[f], f == 0 ? K_COUNTER : K_GAUGE,
		       f == 0 ? "seconds" : f == 1 ? NULL : "bytes", helps[f]);
		for (size_t i = 0; i < m->nseries; i++) {
			const struct pseries *p = &m->series[i];
			char esc[512], lab[600];

			if (f >= 3 && !p->have_mem)
				continue;
			metrics_escape_label(p->comm, esc, sizeof(esc));
			snprintf(lab, sizeof(lab), "pid=\"%d\",comm=\"%s\"", (int)p->pid, esc);
			switch (f) {
			case 0:
				fprintf(o->f, "%s_total{%s,mode=\"user\"}", names[f], lab);
				value(o, p->utime, S_TICKS, m->hz);
				fprintf(o->f, "%s_total{%s,mode=\"system\"}", names[f], lab);
				value(o, p->stime, S_TICKS, m->hz);
				break;
			case 1:
				fprintf(o->f, "%s{%s} %llu\n", names[f], lab,
					(unsigned long long)p->threads);
				break;
			default:
				fprintf(o->f, "%s{%s} %llu\n", names[f], lab,
					(unsigned long long)(f == 2 ? p->rss : f == 3 ? p->pss : p->uss));
				break;
			}
		}
	}
}

static void render_self(struct out *o, const struct metrics *m)
{
	if (o->om) {
		fputs("# HELP taskscope_build Version of taskscope serving these metrics\n"
		      "# TYPE taskscope_build info\n", o->f);
	} else {
		fputs("# HELP taskscope_build_info Version of taskscope serving these metrics\n"
		      "# TYPE taskscope_build_info gauge\n", o->f);
	}
	fprintf(o->f, "taskscope_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	header(o, "taskscope_samples", K_COUNTER, NULL, "Samples of /proc taken");
	fprintf(o->f, "taskscope_samples_total %llu\n", (unsigned long long)m->samples);
	header(o, "taskscope_sample_duration_seconds", K_GAUGE, "seconds",
	       "Time the last sample took (its memory sample included)");
	fprintf(o->f, "taskscope_sample_duration_seconds %.9f\n", m->took);
	header(o, "taskscope_proc_read_seconds", K_COUNTER, "seconds",
	       "Time spent reading /proc (and kcmp), by pass: tasks every sample, threads for "
	       "the placement, memory (smaps_rollup) every --memory-every samples");
	fprintf(o->f, "taskscope_proc_read_seconds_total{pass=\"tasks\"} %.9f\n"
		"taskscope_proc_read_seconds_total{pass=\"threads\"} %.9f\n"
		"taskscope_proc_read_seconds_total{pass=\"memory\"} %.9f\n",
		m->read_s[0], m->read_s[1], m->read_s[2]);
	header(o, "taskscope_sample_timestamp_seconds", K_GAUGE, "seconds",
	       "When the last sample was taken (seconds since the epoch)");
	fprintf(o->f, "taskscope_sample_timestamp_seconds %.3f\n", m->sample_wall);
	header(o, "taskscope_scanned_processes", K_GAUGE, NULL, "Processes in the last sample");
	fprintf(o->f, "taskscope_scanned_processes %.0f\n", m->nprocs);
	header(o, "taskscope_scanned_threads", K_GAUGE, NULL, "Threads in the last sample");
	fprintf(o->f, "taskscope_scanned_threads %.0f\n", m->nthreads);
	header(o, "taskscope_groups", K_GAUGE, NULL, "Groups with series");
	fprintf(o->f, "taskscope_groups %zu\n", m->g.n);
	header(o, "taskscope_memory_samples", K_COUNTER, NULL,
	       "Memory samples (smaps_rollup of every process) taken");
	fprintf(o->f, "taskscope_memory_samples_total %llu\n", (unsigned long long)m->mem_samples);
	if (m->mem_known) {
		header(o, "taskscope_memory_sample_timestamp_seconds", K_GAUGE, "seconds",
		       "When the memory values were sampled (seconds since the epoch)");
		fprintf(o->f, "taskscope_memory_sample_timestamp_seconds %.3f\n", m->mem_wall);
	}
	header(o, "taskscope_placement_samples", K_COUNTER, NULL,
	       "Thread samples (CPU, affinity of every thread) taken");
	fprintf(o->f, "taskscope_placement_samples_total %llu\n",
		(unsigned long long)m->thr_samples);
	if (m->thr_known) {
		header(o, "taskscope_placement_sample_timestamp_seconds", K_GAUGE, "seconds",
		       "When the placement values were sampled (seconds since the epoch)");
		fprintf(o->f, "taskscope_placement_sample_timestamp_seconds %.3f\n", m->thr_wall);
	}
}

int metrics_render(const struct metrics *m, bool openmetrics, char **text, size_t *len)
{
	struct out o = { .om = openmetrics };
	size_t *order = malloc((m->g.n ? m->g.n : 1) * sizeof(*order));
	char *buf = NULL;
	size_t size = 0;
	int rc = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < m->g.n; i++)
		order[i] = i;
	qsort_r(order, m->g.n, sizeof(*order), by_name, m->g.v);
	o.f = open_memstream(&buf, &size);
	if (!o.f) {
		free(order);
		return -ENOMEM;
	}
	render_groups(&o, m, order);
	render_placement(&o, m, order);
	if (m->o.threads) {
		size_t *tord = malloc((m->t.n ? m->t.n : 1) * sizeof(*tord));

		if (!tord)
			rc = -ENOMEM;
		for (size_t i = 0; tord && i < m->t.n; i++)
			tord[i] = i;
		if (tord) {
			qsort_r(tord, m->t.n, sizeof(*tord), by_name, m->t.v);
			render_thread_names(&o, m, tord);
		}
		free(tord);
	}
	if (m->o.compat != MC_PROCESS_EXPORTER)
		metrics_cgroup_render(o.f, o.om, m->cg, "group");
	render_series(&o, m);
	render_self(&o, m);
	if (ferror(o.f))
		rc = -ENOMEM;
	if (fclose(o.f) || rc) {
		free(buf);
		free(order);
		return -ENOMEM;
	}
	free(order);
	*text = buf;
	*len = size;
	return 0;
}
