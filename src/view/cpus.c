/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus.c - the placement report: topology, per-thread and per-CPU tables, strip chart, JSON */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsmartcols.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "model/cpumap.h"
#include "view/cpus.h"
#include "view/cpusview.h"
#include "view/scolstab.h"

#define SHARES_SHOWN 8		/* CPUs listed in the SHARES column; more as "+N" */
#define CPU_THREADS_SHOWN 6	/* threads named on a CPU's line of cpus_cpu_text */

char *cpus_fixed(double v, int decimals, char *buf, size_t len)
{
	uint64_t scale = 1, units;

	if (!(v >= 0) || v > 1e12)
		v = 0;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	units = (uint64_t)(v * (double)scale + 0.5);
	if (decimals)
		snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, units / scale, decimals,
			 units % scale);
	else
		snprintf(buf, len, "%" PRIu64, units);
	return buf;
}

char cpus_cpu_char(int cpu)
{
	if (cpu < 0)
		return '.';
	if (cpu < 10)
		return (char)('0' + cpu);
	if (cpu < 36)
		return (char)('a' + cpu - 10);
	return '+';
}

const char *cpus_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "uninterruptible sleep";
	case 'I':
		return "idle";
	case 'T':
		return "stopped";
	case 't':
		return "tracing stop";
	case 'P':
		return "parked";
	case 'W':
		return "waking";
	case 'K':
		return "wakekill";
	case 'X':
		return "dead";
	case 'Z':
		return "zombie";
	default:
		return "unknown state";
	}
}

/* ---- what the tables and JSON share ---- */

void cpus_view_free(struct cpus_view *v)
{
	if (v->sum)
		for (size_t i = 0; i < v->r->tl->nthreads; i++)
			timeline_thread_summary_free(&v->sum[i]);
	free(v->sum);
	free(v->xnode);
	free(v->order);
	timeline_cpu_summary_free(v->cpus, v->ncpus);
}

int cpus_view_init(struct cpus_view *v, const struct cpus_report *r)
{
	const struct timeline *tl = r->tl;
	int rc;

	memset(v, 0, sizeof(*v));
	v->r = r;
	rc = timeline_order(tl, &v->order);
	if (rc)
		return rc;
	v->sum = calloc(tl->nthreads ? tl->nthreads : 1, sizeof(*v->sum));
	v->xnode = calloc(tl->nthreads ? tl->nthreads : 1, sizeof(*v->xnode));
	if (!v->sum || !v->xnode) {
		cpus_view_free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < tl->nthreads; i++) {
		rc = timeline_thread_summary(tl, i, &v->sum[i]);
		if (rc) {
			cpus_view_free(v);
			return rc;
		}
		v->xnode[i] = cpus_node_migrations(tl, r->topo, i);
	}
	rc = timeline_cpu_summary(tl, &v->cpus, &v->ncpus);
	if (rc)
		cpus_view_free(v);
	return rc;
}

static char *permille_text(unsigned pm, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", pm / 10, pm % 10);
	return buf;
}

char *cpus_seconds_text(double s, char *buf, size_t len)
{
	size_t n;

	cpus_fixed(s, 2, buf, len);
	n = strlen(buf);
	if (n + 2 <= len) {
		buf[n] = 's';
		buf[n + 1] = '\0';
	}
	return buf;
}

/* The NUMA nodes of the CPUs a thread ran on: "0", "0,1"; "-" when unknown or never ran */
static void nodes_text(const struct cpus_report *r, const struct timeline_thread_sum *s,
		       char *buf, size_t len)
{
	int seen[16];
	size_t n = 0, off = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < s->ncpus; k++) {
		int node = cpumap_node(r->topo, s->cpus[k].cpu);
		size_t i;

		if (node < 0 || !s->cpus[k].samples)
			continue;
		for (i = 0; i < n && seen[i] != node; i++)
			;
		if (i < n)
			continue;
		if (n == ARRAY_SIZE(seen))
			break;
		seen[n++] = node;
	}
	/* a few nodes, in order */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && seen[k - 1] > seen[k]; k--) {
			int t = seen[k];

			seen[k] = seen[k - 1];
			seen[k - 1] = t;
		}
	for (size_t i = 0; i < n && off + 12 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "", seen[i]);
	if (!n)
		snprintf(buf, len, "-");
}

static int cmp_share_samples(const void *a, const void *b)
{
	const struct timeline_share *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	return UTIL_CMP(x->cpu, y->cpu);
}

/* "1:61.8,0:38.2": the shares of its running samples, the CPUs with most first; "-" when
 * it never ran */
static int shares_text(const struct timeline_thread_sum *s, char *buf, size_t len)
{
	struct timeline_share *v;
	size_t off = 0, n;

	buf[0] = '\0';
	if (!s->ran_cpus) {
		snprintf(buf, len, "-");
		return 0;
	}
	v = malloc(s->ncpus * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, s->cpus, s->ncpus * sizeof(*v));
	qsort(v, s->ncpus, sizeof(*v), cmp_share_samples);
	n = s->ran_cpus;	/* the CPUs it ran on come first */
	for (size_t k = 0; k < n && k < SHARES_SHOWN && off < len; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d:%u.%u", k ? "," : "", v[k].cpu,
					v[k].permille / 10, v[k].permille % 10);
	if (n > SHARES_SHOWN && off < len)
		snprintf(buf + off, len - off, ",+%zu", n - SHARES_SHOWN);
	free(v);
	return 0;
}

/* RUNQ: the run-queue wait between the first and the latest look; "-" without two */
static void runq_text(const struct timeline_thread_sum *s, char *buf, size_t len)
{
	if (s->sched)
		cpus_seconds_text((double)s->wait_ns / 1e9, buf, len);
	else
		snprintf(buf, len, "-");
}

/* "0-1" when it never changed, "1->0" from the first to the last seen, "-" unknown */
static void affinity_text(const struct timeline_thread *t, char *buf, size_t len)
{
	if (!t->naff)
		snprintf(buf, len, "-");
	else if (t->naff == 1)
		snprintf(buf, len, "%s", t->aff[0].cpus);
	else if (t->naff == 2 && !t->aff_lost)
		snprintf(buf, len, "%s->%s", t->aff[0].cpus, t->aff[1].cpus);
	else
		snprintf(buf, len, "%s->...->%s", t->aff[0].cpus, t->aff[t->naff - 1].cpus);
}

int cpus_run_text(const struct timeline *tl, size_t idx, char *buf, size_t len)
{
	struct timeline_thread_sum s;
	char pct[16];
	size_t off;
	int rc;

	rc = timeline_thread_summary(tl, idx, &s);
	if (rc)
		return rc;
	if (!s.samples) {
		snprintf(buf, len, "not seen");
	} else if (!s.running) {
		snprintf(buf, len, "never ran");
	} else {
		snprintf(buf, len, "%s%% ", permille_text(s.running_permille, pct, sizeof(pct)));
		off = strlen(buf);
		rc = shares_text(&s, buf + off, len - off);
	}
	timeline_thread_summary_free(&s);
	return rc;
}

int cpus_cpu_text(const struct timeline *tl, char **text, size_t *len)
{
	struct timeline_cpu_sum *v = NULL;
	size_t n = 0;
	FILE *f;
	int rc;

	*text = NULL;
	*len = 0;
	rc = timeline_cpu_summary(tl, &v, &n);
	if (rc)
		return rc;
	f = open_memstream(text, len);
	if (!f) {
		timeline_cpu_summary_free(v, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct timeline_cpu_sum *c = &v[i];
		size_t shown = 0, waiting = 0;

		fprintf(f, "cpu%d %u.%u%% of the running samples", c->cpu, c->permille / 10,
			c->permille % 10);
		for (size_t k = 0; k < c->nthreads && c->threads[k].samples; k++, shown++)
			if (shown < CPU_THREADS_SHOWN)
				fprintf(f, "%s%d %u.%u%%", shown ? ", " : ": ",
					(int)tl->threads[c->threads[k].cpu].tid,
					c->threads[k].permille / 10, c->threads[k].permille % 10);
		if (shown > CPU_THREADS_SHOWN)
			fprintf(f, ", +%zu", shown - CPU_THREADS_SHOWN);
		for (size_t k = 0; k < c->nthreads; k++) {
			if (!c->threads[k].waiting)
				continue;
			if (waiting < CPU_THREADS_SHOWN)
				fprintf(f, "%s%d", waiting ? ", " : "; waiting after running here: ",
					(int)tl->threads[c->threads[k].cpu].tid);
			waiting++;
		}
		if (waiting > CPU_THREADS_SHOWN)
			fprintf(f, ", +%zu", waiting - CPU_THREADS_SHOWN);
		fputc('\n', f);
	}
	timeline_cpu_summary_free(v, n);
	if (fclose(f)) {
		free(*text);
		*text = NULL;
		*len = 0;
		return -ENOMEM;
	}
	return 0;
}

/* ---- tables ---- */

static bool utf8_locale(void)
{
	return !strcmp(nl_langinfo(CODESET), "UTF-8");
}

static struct libscols_table *new_table(enum cpus_format fmt)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	if (fmt == CPUS_RAW)
		scols_table_enable_raw(tb, 1);
	else if (utf8_locale())
		scols_table_enable_noencoding(tb, 1);	/* strings are sanitized already */
	/* else libsmartcols shows the bytes past ASCII as \xHH: without encoding, 2.38 loops
	 * forever measuring them in a C locale */
	return tb;
}

static int print_threads(const struct cpus_view *v, enum cpus_format fmt, FILE *out)
{
	static const char *const names[] = { "PID", "TID", "COMM", "SAMPLES", "RUNNING",
					      "RUNQ", "CPUS", "MIGR", "XNODE", "LONGEST",
					      "NODES", "AFFINITY", "SHARES", "ENDED" };
	static const int flags[] = { SCOLS_FL_RIGHT, SCOLS_FL_RIGHT, 0, SCOLS_FL_RIGHT,
				     SCOLS_FL_RIGHT, SCOLS_FL_RIGHT, SCOLS_FL_RIGHT,
				     SCOLS_FL_RIGHT, SCOLS_FL_RIGHT, SCOLS_FL_RIGHT, 0, 0, 0,
				     SCOLS_FL_RIGHT };
	const struct timeline *tl = v->r->tl;
	struct libscols_table *tb = new_table(fmt);
	int rc;

	if (!tb)
		return -ENOMEM;
	rc = scolstab_columns(tb, names, flags, ARRAY_SIZE(names));
	for (size_t k = 0; !rc && k < tl->nthreads; k++) {
		size_t i = v->order[k];
		const struct timeline_thread *t = &tl->threads[i];
		const struct timeline_thread_sum *s = &v->sum[i];
		char pid[16], tid[16], samples[24], ncpu[24], migr[24], longest[32], nodes[64];
		char aff[512], shares[160], ended[32], running[16], runq[32], xnode[24];
		const char *cells[ARRAY_SIZE(names)];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			rc = -ENOMEM;
			break;
		}
		snprintf(pid, sizeof(pid), "%d", (int)t->tgid);
		snprintf(tid, sizeof(tid), "%d", (int)t->tid);
		util_u64_dec(s->samples, samples, sizeof(samples));
		if (s->samples)
			permille_text(s->running_permille, running, sizeof(running));
		else
			snprintf(running, sizeof(running), "-");
		runq_text(s, runq, sizeof(runq));
		util_u64_dec(s->ran_cpus, ncpu, sizeof(ncpu));
		util_u64_dec(s->migrations, migr, sizeof(migr));
		if (v->r->topo)
			util_u64_dec(v->xnode[i], xnode, sizeof(xnode));
		else
			snprintf(xnode, sizeof(xnode), "-");
		if (s->longest)
			cpus_seconds_text(s->longest_s, longest, sizeof(longest));
		else
			snprintf(longest, sizeof(longest), "-");
		nodes_text(v->r, s, nodes, sizeof(nodes));
		affinity_text(t, aff, sizeof(aff));
		rc = shares_text(s, shares, sizeof(shares));
		if (t->end_slot != TIMELINE_NO_SLOT)
			cpus_seconds_text(t->end_slot * tl->period, ended, sizeof(ended));
		else
			snprintf(ended, sizeof(ended), "-");
		cells[0] = pid;
		cells[1] = tid;
		cells[2] = t->comm;
		cells[3] = samples;
		cells[4] = running;
		cells[5] = runq;
		cells[6] = ncpu;
		cells[7] = migr;
		cells[8] = xnode;
		cells[9] = longest;
		cells[10] = nodes;
		cells[11] = aff;
		cells[12] = shares;
		cells[13] = ended;
		if (!rc)
			rc = scolstab_cells(ln, cells, ARRAY_SIZE(cells));
	}
	return scolstab_print(tb, out, rc);
}

static void topo_cells(const struct cpumap *topo, int cpu, char *node, char *core, char *pkg,
		       size_t len)
{
	int n = cpumap_node(topo, cpu), c = cpumap_core(topo, cpu);
	int p = cpumap_package(topo, cpu);

	if (n >= 0)
		snprintf(node, len, "%d", n);
	else
		snprintf(node, len, "-");
	if (c >= 0)
		snprintf(core, len, "%d", c);
	else
		snprintf(core, len, "-");
	if (p >= 0)
		snprintf(pkg, len, "%d", p);
	else
		snprintf(pkg, len, "-");
}

/* Table mode: a tree, a CPU line with its threads below it: those that ran on it, then
 * those that only waited there. Raw mode: flat lines, the CPU lines with TID "-", the
 * thread lines with their CPU's number. */
static int print_cpus(const struct cpus_view *v, enum cpus_format fmt, FILE *out)
{
	static const char *const tnames[] = { "CPU", "NODE", "CORE", "PKG", "RUNNING", "SHARE",
					      "WAITING" };
	static const int tflags[] = { SCOLS_FL_TREE, SCOLS_FL_RIGHT, SCOLS_FL_RIGHT,
				      SCOLS_FL_RIGHT, SCOLS_FL_RIGHT, SCOLS_FL_RIGHT,
				      SCOLS_FL_RIGHT };
	static const char *const rnames[] = { "CPU", "TID", "COMM", "NODE", "CORE", "PKG",
					      "RUNNING", "SHARE", "WAITING" };
	static const int rflags[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const struct timeline *tl = v->r->tl;
	bool raw = fmt == CPUS_RAW;
	struct libscols_table *tb = new_table(fmt);
	int rc;

	if (!tb)
		return -ENOMEM;
	rc = raw ? scolstab_columns(tb, rnames, rflags, ARRAY_SIZE(rnames))
		 : scolstab_columns(tb, tnames, tflags, ARRAY_SIZE(tnames));
	for (size_t i = 0; !rc && i < v->ncpus; i++) {
		const struct timeline_cpu_sum *c = &v->cpus[i];
		char cpu[16], node[16], core[16], pkg[16], samples[24], share[16], waiting[24];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			rc = -ENOMEM;
			break;
		}
		snprintf(cpu, sizeof(cpu), raw ? "%d" : "cpu%d", c->cpu);
		topo_cells(v->r->topo, c->cpu, node, core, pkg, sizeof(node));
		util_u64_dec(c->samples, samples, sizeof(samples));
		permille_text(c->permille, share, sizeof(share));
		util_u64_dec(c->waiting, waiting, sizeof(waiting));
		if (raw) {
			const char *cells[] = { cpu, "-", "-", node, core, pkg, samples, share,
						waiting };

			rc = scolstab_cells(ln, cells, ARRAY_SIZE(cells));
		} else {
			const char *cells[] = { cpu, node, core, pkg, samples, share, waiting };

			rc = scolstab_cells(ln, cells, ARRAY_SIZE(cells));
		}
		/* the summary lists the threads that ran here first */
		for (size_t k = 0; !rc && k < c->nthreads; k++) {
			const struct timeline_share *ts = &c->threads[k];
			const struct timeline_thread *t = &tl->threads[ts->cpu];
			struct libscols_line *cl = scols_table_new_line(tb, raw ? NULL : ln);
			char label[256], tid[16], tsamples[24], tshare[16], twait[24];

			if (!cl) {
				rc = -ENOMEM;
				break;
			}
			util_u64_dec(ts->samples, tsamples, sizeof(tsamples));
			if (ts->samples)
				permille_text(ts->permille, tshare, sizeof(tshare));
			else
				snprintf(tshare, sizeof(tshare), "-");
			util_u64_dec(ts->waiting, twait, sizeof(twait));
			if (raw) {
				snprintf(tid, sizeof(tid), "%d", (int)t->tid);
				const char *cells[] = { cpu, tid, t->comm, "-", "-", "-",
							tsamples, tshare, twait };

				rc = scolstab_cells(cl, cells, ARRAY_SIZE(cells));
			} else {
				snprintf(label, sizeof(label), "%d %s%s", (int)t->tid, t->comm,
					 ts->samples ? "" : " (waiting)");
				const char *cells[] = { label, "", "", "", tsamples, tshare,
							twait };

				rc = scolstab_cells(cl, cells, ARRAY_SIZE(cells));
			}
		}
	}
	return scolstab_print(tb, out, rc);
}

/* ---- header ---- */

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "YYYY-MM-DD HH:MM:SS" local time of an epoch time */
static const char *clock_text(double t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "@%.0f", t);
	return buf;
}

static void print_header(const struct cpus_report *r, FILE *out)
{
	const struct timeline *tl = r->tl;
	int pk, co, no, pu;
	char dur[32], cpu[32], pct[32];

	cpus_fixed(r->duration, 2, dur, sizeof(dur));
	fprintf(out, "taskscope cpus  %s: %zu thread%s at %u Hz for %s s (%" PRIu32 " slot%s)\n",
		r->what ? r->what : "all tasks", tl->nthreads, plural(tl->nthreads, "", "s"),
		r->rate, dur, tl->nslots, plural(tl->nslots, "", "s"));
	if (r->topo && cpumap_count(r->topo, &pk, &co, &no, &pu) == 0) {
		int off = 0, memonly = 0;

		cpumap_count_more(r->topo, &off, &memonly);
		fprintf(out, "topology: %d package%s, %d core%s, %d NUMA node%s", pk,
			plural((uint64_t)pk, "", "s"), co, plural((uint64_t)co, "", "s"), no,
			plural((uint64_t)no, "", "s"));
		if (memonly)
			fprintf(out, " (%d without CPUs)", memonly);
		fprintf(out, ", %d CPU%s online", pu, plural((uint64_t)pu, "", "s"));
		if (off)
			fprintf(out, " (%d offline)", off);
		fputc('\n', out);
		if (cpumap_file(r->topo)) {
			char shown[256];

			util_sanitize(cpumap_file(r->topo), strlen(cpumap_file(r->topo)), shown,
				      sizeof(shown));
			fprintf(out, "note: the topology is from %s (%s), not this machine's: CPU "
				"numbers are this machine's\n", shown, CPUMAP_ENV);
		}
	} else {
		fprintf(out, "topology: unknown (%s)\n",
			r->topo_why ? r->topo_why : "hwloc could not read it");
	}
	cpus_fixed(r->sampler_cpu, 3, cpu, sizeof(cpu));
	cpus_fixed(r->duration > 0 ? 100.0 * r->sampler_cpu / r->duration : 0, 2, pct,
		   sizeof(pct));
	fprintf(out, "sampler: %" PRIu64 " sample%s (%" PRIu64 " running) in %" PRIu64
		" pass%s; its CPU %s s (%s%% of one CPU)\n", tl->samples,
		plural(tl->samples, "", "s"), tl->running, r->ticks, plural(r->ticks, "", "es"),
		cpu, pct);
	if (r->missed)
		fprintf(out, "note: the sampler was late and skipped %" PRIu64 " of %" PRIu64
			" slots\n", r->missed, r->missed + r->ticks);
	if (r->dropped)
		fprintf(out, "note: %" PRIu64 " samples dropped: the report fell behind the "
			"sampler\n", r->dropped);
	if (tl->refused)
		fprintf(out, "note: %" PRIu64 " samples not kept (the limit of %zu runs)\n",
			tl->refused, tl->max_runs);
	if (r->unreadable)
		fprintf(out, "note: %" PRIu64 " reads gave no CPU\n", r->unreadable);
	if (r->unwatched)
		fprintf(out, "note: %zu thread%s not watched: the limit is %zu threads (and a "
			"file descriptor each)\n", r->unwatched, plural(r->unwatched, "", "s"),
			r->max_threads);
	if (r->stopped)
		fprintf(out, "note: sampling stopped early: %s\n", r->stopped);
	if (r->since > 0) {
		char a[32], b[32];

		fprintf(out, "recorded: %s to %s (the recording's clock)\n",
			clock_text(r->since, a, sizeof(a)), clock_text(r->wall, b, sizeof(b)));
	}
	if (r->sched_why)
		fprintf(out, "note: RUNQ is unknown: %s\n", r->sched_why);
}

/* CPUs with samples that the topology does not know (offline there, or past its end) */
static void print_unknown_cpus(const struct cpus_view *v, FILE *out)
{
	size_t n = 0;

	if (!v->r->topo)
		return;
	for (size_t i = 0; i < v->ncpus; i++) {
		int c = v->cpus[i].cpu;

		if (cpumap_node(v->r->topo, c) >= 0 || cpumap_core(v->r->topo, c) >= 0 ||
		    cpumap_package(v->r->topo, c) >= 0)
			continue;
		fprintf(out, "%scpu%d", n++ ? ", " : "note: CPUs in the samples that the topology "
			"does not know (offline in it, or past its CPUs): ", c);
	}
	if (n)
		fputc('\n', out);
}

int cpus_print(const struct cpus_report *r, enum cpus_format fmt, FILE *out)
{
	struct cpus_view v;
	int rc, werr;

	rc = cpus_view_init(&v, r);
	if (rc)
		return rc;
	if (fmt == CPUS_JSON) {
		rc = cpus_print_json(&v, out);
	} else {
		if (fmt == CPUS_TABLE) {
			print_header(r, out);
			print_unknown_cpus(&v, out);
			if (!r->tl->nthreads)
				fputs("no thread was sampled\n", out);
			else
				fputc('\n', out);
		}
		if (!r->tl->nthreads)
			goto done;	/* libsmartcols prints nothing for a table without lines */
		rc = print_threads(&v, fmt, out);
		if (!rc) {
			fputc('\n', out);
			rc = print_cpus(&v, fmt, out);
		}
		if (!rc) {
			fputc('\n', out);
			rc = cpus_print_strip(&v, fmt, out);
		}
	}
done:
	cpus_view_free(&v);
	werr = outfile_error(out);	/* the cause: EPIPE, ENOSPC, ... */
	return werr ? werr : rc;
}
