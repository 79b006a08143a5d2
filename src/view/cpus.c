/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus.c - the placement report: topology, per-thread and per-CPU tables, strip chart, JSON */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "model/cpumap.h"
#include "view/cpus.h"
#include "view/json.h"

#define SHARES_SHOWN 8		/* CPUs listed in the SHARES column; more as "+N" */
#define LABEL_WIDTH 24		/* "   TID comm" before the strip chart */
#define AXIS_EVERY 10		/* chart columns between two time marks */
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

uint32_t cpus_strip_step(uint32_t nslots, unsigned width)
{
	if (width == 0 || nslots == 0)
		return 1;
	return (uint32_t)(((uint64_t)nslots + width - 1) / width);
}

/* One character a column of step slots: the majority CPU's (or, with topo, its node's)
 * character when running, CPUS_WAIT_CHAR waiting, CPUS_NONE_CHAR not sampled. */
static unsigned strip(const struct timeline *tl, const struct cpumap *topo, size_t idx,
		      uint32_t step, unsigned width, char *buf)
{
	size_t cursor = 0;
	unsigned col = 0;

	if (step == 0)
		step = 1;
	for (uint64_t from = 0; from < tl->nslots && col < width; from += step, col++) {
		uint64_t to = from + step < tl->nslots ? from + step : tl->nslots;
		bool running;
		int cpu = timeline_majority(tl, idx, (uint32_t)from, (uint32_t)to, &cursor,
					    &running);
		int unit = topo && cpu >= 0 ? cpumap_node(topo, cpu) : cpu;

		buf[col] = cpu < 0 ? CPUS_NONE_CHAR : !running ? CPUS_WAIT_CHAR
			 : unit < 0 ? '?' : cpus_cpu_char(unit);
	}
	buf[col] = '\0';
	return col;
}

unsigned cpus_strip_line(const struct timeline *tl, size_t idx, uint32_t step,
			 unsigned width, char *buf)
{
	return strip(tl, NULL, idx, step, width, buf);
}

/* Bytes of s that make at most cols code points; *used gets the code points. */
static size_t utf8_prefix(const char *s, unsigned cols, unsigned *used)
{
	size_t i = 0;
	unsigned n = 0;

	while (s[i]) {
		size_t k = i + 1;

		while (((unsigned char)s[k] & 0xc0) == 0x80)
			k++;
		if (n == cols)
			break;
		n++;
		i = k;
	}
	*used = n;
	return i;
}

void cpus_label(const struct timeline_thread *t, unsigned width, char *buf, size_t len)
{
	char tid[16];
	unsigned used, room;
	size_t off, n;

	if (len == 0)
		return;
	snprintf(tid, sizeof(tid), "%7d ", (int)t->tid);
	off = strlen(tid);
	if (off >= len) {
		buf[0] = '\0';
		return;
	}
	memcpy(buf, tid, off + 1);
	room = width > off ? width - (unsigned)off : 0;
	n = utf8_prefix(t->comm, room, &used);
	/* an escape is cut whole (its characters are ASCII: one column a byte) */
	used -= (unsigned)(n - util_escape_cut(t->comm, n));
	n = util_escape_cut(t->comm, n);
	if (off + n + (room - used) + 1 > len)
		return;
	memcpy(buf + off, t->comm, n);
	off += n;
	for (; used < room; used++)
		buf[off++] = ' ';
	buf[off] = '\0';
}

uint64_t cpus_node_migrations(const struct timeline *tl, const struct cpumap *topo, size_t idx)
{
	const struct timeline_thread *t;
	uint64_t n = 0;

	if (idx >= tl->nthreads)
		return 0;
	t = &tl->threads[idx];
	for (size_t r = 1; r < t->nruns; r++) {
		int a = cpumap_node(topo, t->runs[r - 1].cpu);
		int b = cpumap_node(topo, t->runs[r].cpu);

		if (t->runs[r - 1].cpu != t->runs[r].cpu && a >= 0 && b >= 0 && a != b)
			n++;
	}
	return n;
}

unsigned cpus_node_line(const struct timeline *tl, const struct cpumap *topo, size_t idx,
			uint32_t step, unsigned width, char *buf)
{
	return strip(tl, topo, idx, step, width, buf);
}

/* ---- what the tables and JSON share ---- */

struct view {
	const struct cpus_report *r;
	size_t *order;				/* thread indexes in (tgid, tid) order */
	struct timeline_thread_sum *sum;	/* per thread index */
	struct timeline_cpu_sum *cpus;
	size_t ncpus;
	uint64_t *xnode;			/* cross-node migrations per thread index */
};

static void view_free(struct view *v)
{
	if (v->sum)
		for (size_t i = 0; i < v->r->tl->nthreads; i++)
			timeline_thread_summary_free(&v->sum[i]);
	free(v->sum);
	free(v->xnode);
	free(v->order);
	timeline_cpu_summary_free(v->cpus, v->ncpus);
}

static int view_init(struct view *v, const struct cpus_report *r)
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
		view_free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < tl->nthreads; i++) {
		rc = timeline_thread_summary(tl, i, &v->sum[i]);
		if (rc) {
			view_free(v);
			return rc;
		}
		v->xnode[i] = cpus_node_migrations(tl, r->topo, i);
	}
	rc = timeline_cpu_summary(tl, &v->cpus, &v->ncpus);
	if (rc)
		view_free(v);
	return rc;
}

static char *permille_text(unsigned pm, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", pm / 10, pm % 10);
	return buf;
}

static char *seconds_text(double s, char *buf, size_t len)
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
	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
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
		seconds_text((double)s->wait_ns / 1e9, buf, len);
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

static int add_columns(struct libscols_table *tb, const char *const *names, const int *flags,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct libscols_column *cl = scols_table_new_column(tb, names[i], 0, flags[i]);

		if (!cl)
			return -ENOMEM;
		/* sanitized text carries \xHH escapes: keep them as they are */
		scols_column_set_safechars(cl, "\\");
	}
	return 0;
}

static int set_cells(struct libscols_line *ln, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (scols_line_set_data(ln, i, cells[i]))
			return -ENOMEM;
	return 0;
}

static int print_threads(const struct view *v, enum cpus_format fmt, FILE *out)
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
	rc = add_columns(tb, names, flags, ARRAY_SIZE(names));
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
			seconds_text(s->longest_s, longest, sizeof(longest));
		else
			snprintf(longest, sizeof(longest), "-");
		nodes_text(v->r, s, nodes, sizeof(nodes));
		affinity_text(t, aff, sizeof(aff));
		rc = shares_text(s, shares, sizeof(shares));
		if (t->end_slot != TIMELINE_NO_SLOT)
			seconds_text(t->end_slot * tl->period, ended, sizeof(ended));
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
			rc = set_cells(ln, cells, ARRAY_SIZE(cells));
	}
	if (!rc) {
		scols_table_set_stream(tb, out);
		if (scols_print_table(tb))
			rc = -EIO;
	}
	scols_unref_table(tb);
	return rc;
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
static int print_cpus(const struct view *v, enum cpus_format fmt, FILE *out)
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
	rc = raw ? add_columns(tb, rnames, rflags, ARRAY_SIZE(rnames))
		 : add_columns(tb, tnames, tflags, ARRAY_SIZE(tnames));
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

			rc = set_cells(ln, cells, ARRAY_SIZE(cells));
		} else {
			const char *cells[] = { cpu, node, core, pkg, samples, share, waiting };

			rc = set_cells(ln, cells, ARRAY_SIZE(cells));
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

				rc = set_cells(cl, cells, ARRAY_SIZE(cells));
			} else {
				snprintf(label, sizeof(label), "%d %s%s", (int)t->tid, t->comm,
					 ts->samples ? "" : " (waiting)");
				const char *cells[] = { label, "", "", "", tsamples, tshare,
							twait };

				rc = set_cells(cl, cells, ARRAY_SIZE(cells));
			}
		}
	}
	if (!rc) {
		scols_table_set_stream(tb, out);
		if (scols_print_table(tb))
			rc = -EIO;
	}
	scols_unref_table(tb);
	return rc;
}

/* ---- the strip chart ---- */

static void print_axis(const struct cpus_report *r, uint32_t step, unsigned cols, FILE *out)
{
	char line[LABEL_WIDTH + CPUS_STRIP_WIDTH + 32];
	size_t len = LABEL_WIDTH + 1 + cols + 16;

	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memset(line, ' ', len);
	line[len] = '\0';
	for (unsigned c = 0; c < cols; c += AXIS_EVERY) {
		char t[24];
		size_t at = LABEL_WIDTH + 1 + c, n;

		seconds_text((double)c * step * r->tl->period, t, sizeof(t));
		n = strlen(t);
		if (at + n >= len)
			break;
		memcpy(line + at, t, n);
	}
	/* no trailing blanks */
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	fprintf(out, "%s\n", line);
}

static int print_strip(const struct view *v, enum cpus_format fmt, FILE *out)
{
	const struct cpus_report *r = v->r;
	const struct timeline *tl = r->tl;
	uint32_t step = cpus_strip_step(tl->nslots, CPUS_STRIP_WIDTH);
	unsigned cols = 0;
	char period[32];
	int pk, co, no = 0, pu;
	bool nodes_shown;

	/* a NUMA node line under each thread's when there is more than one node */
	if (r->topo)
		cpumap_count(r->topo, &pk, &co, &no, &pu);
	nodes_shown = fmt == CPUS_TABLE && no > 1;
	if (fmt == CPUS_TABLE) {
		cpus_fixed(step * tl->period, 3, period, sizeof(period));
		fprintf(out, "TIMELINE  a column is %u sample%s (%s s): the CPU it ran on most when "
			"running at least half of it,\n          '%c' waiting (sleeping, blocked, "
			"stopped) most of it, '%c' no sample\n", step, step == 1 ? "" : "s",
			period, CPUS_WAIT_CHAR, CPUS_NONE_CHAR);
		if (nodes_shown)
			fputs("          below each thread, the NUMA node of the CPU it ran on ('?' "
			      "unknown)\n", out);
	}
	for (size_t k = 0; k < tl->nthreads; k++) {
		size_t i = v->order[k];
		char chart[CPUS_STRIP_WIDTH + 1], label[LABEL_WIDTH * 4 + 8];

		cols = cpus_strip_line(tl, i, step, CPUS_STRIP_WIDTH, chart);
		if (fmt == CPUS_RAW) {
			fprintf(out, "%d %s\n", (int)tl->threads[i].tid, chart);
			continue;
		}
		if (k == 0)
			print_axis(r, step, cols, out);
		cpus_label(&tl->threads[i], LABEL_WIDTH, label, sizeof(label));
		if (tl->threads[i].samples && !tl->threads[i].running)
			fprintf(out, "%s|%s| never ran\n", label, chart);
		else
			fprintf(out, "%s|%s|\n", label, chart);
		if (nodes_shown) {
			cpus_node_line(tl, r->topo, i, step, CPUS_STRIP_WIDTH, chart);
			fprintf(out, "%*s|%s|\n", LABEL_WIDTH, "node ", chart);
		}
	}
	if (fmt == CPUS_TABLE && v->ncpus) {
		/* the CPUs the chart shows, with their NUMA node */
		fputs("CPUs (0-9, then a-z, + past 35):", out);
		for (size_t i = 0; i < v->ncpus; i++) {
			int c = v->cpus[i].cpu, node = cpumap_node(r->topo, c);

			if (i && i % 8 == 0)
				fputs("\n    ", out);
			fprintf(out, " %c=cpu%d", cpus_cpu_char(c), c);
			if (node >= 0)
				fprintf(out, "(node %d)", node);
		}
		fputc('\n', out);
	}
	return 0;
}

/* ---- header ---- */

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
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
		fputs("topology: unknown (hwloc could not read it)\n", out);
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
}

/* CPUs with samples that the topology does not know (offline there, or past its end) */
static void print_unknown_cpus(const struct view *v, FILE *out)
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

/* ---- JSON ---- */

/* A node, core or package number; null when it is not known (-1). */
static void json_index(struct json *j, const char *key, int v)
{
	if (v >= 0)
		json_i64(j, key, v);
	else
		json_null(j, key);
}

static void json_thread(struct json *j, const struct view *v, size_t i)
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
	json_open_array(j, "cpus", false);
	for (size_t k = 0; k < s->ncpus; k++) {
		if (!s->cpus[k].samples)
			continue;
		json_open_object(j, NULL, true);
		json_i64(j, "cpu", s->cpus[k].cpu);
		json_index(j, "node", cpumap_node(v->r->topo, s->cpus[k].cpu));
		json_u64(j, "samples", s->cpus[k].samples);
		json_double(j, "share", s->cpus[k].permille / 10.0, 1);
		json_close_object(j);
	}
	json_close_array(j);
	json_open_array(j, "waiting_cpus", false);
	for (size_t k = 0; k < s->ncpus; k++) {
		if (!s->cpus[k].waiting)
			continue;
		json_open_object(j, NULL, true);
		json_i64(j, "cpu", s->cpus[k].cpu);
		json_index(j, "node", cpumap_node(v->r->topo, s->cpus[k].cpu));
		json_u64(j, "samples", s->cpus[k].waiting);
		json_close_object(j);
	}
	json_close_array(j);
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

static int print_json(const struct view *v, FILE *out)
{
	const struct cpus_report *r = v->r;
	const struct timeline *tl = r->tl;
	struct json_stamp st;
	struct json j;

	/* stamped at the end of the run; the interval is the time it covers */
	json_stamp_init(&st, 0, true, r->duration);
	json_begin(&j, out);
	json_open_object(&j, NULL, false);
	json_stamp_write(&j, &st);
	json_string(&j, "target", r->what ? r->what : "all tasks");
	json_u64(&j, "rate", r->rate);
	json_double(&j, "period", tl->period, 6);
	json_double(&j, "duration", r->duration, 3);
	json_u64(&j, "slots", tl->nslots);
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
		json_open_array(&j, "threads", false);
		for (size_t k = 0; k < c->nthreads; k++) {
			const struct timeline_thread *t = &tl->threads[c->threads[k].cpu];

			if (!c->threads[k].samples)
				continue;
			json_open_object(&j, NULL, true);
			json_i64(&j, "tid", t->tid);
			json_string(&j, "comm", t->comm);
			json_u64(&j, "samples", c->threads[k].samples);
			json_double(&j, "share", c->threads[k].permille / 10.0, 1);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_open_array(&j, "waiting_threads", false);
		for (size_t k = 0; k < c->nthreads; k++) {
			const struct timeline_thread *t = &tl->threads[c->threads[k].cpu];

			if (!c->threads[k].waiting)
				continue;
			json_open_object(&j, NULL, true);
			json_i64(&j, "tid", t->tid);
			json_string(&j, "comm", t->comm);
			json_u64(&j, "samples", c->threads[k].waiting);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	return json_end(&j);
}

int cpus_print(const struct cpus_report *r, enum cpus_format fmt, FILE *out)
{
	struct view v;
	int rc, werr;

	rc = view_init(&v, r);
	if (rc)
		return rc;
	if (fmt == CPUS_JSON) {
		rc = print_json(&v, out);
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
			rc = print_strip(&v, fmt, out);
		}
	}
done:
	view_free(&v);
	werr = outfile_error(out);	/* the cause: EPIPE, ENOSPC, ... */
	return werr ? werr : rc;
}
