/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svg.c - the placement timeline as an SVG chart: thread rows over time, a colour per CPU
 *
 * A run of running samples is solid in its CPU's colour; a run of waiting samples is pale
 * and hatched in the colour of the CPU the thread last ran on (one pattern per palette
 * colour), so a sleeping thread never looks as if it used a CPU.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "model/cpumap.h"
#include "view/svg.h"

#define SVG_WIDTH	1200
#define LABEL_X		8
#define LABEL_CHARS	30	/* label "TID comm", code points */
#define CHART_X		260
#define CHART_W		900
#define TOP		74	/* first row */
#define ROW_H		20
#define BAR_Y		2	/* bar inside a row */
#define BAR_H		12
#define BAND_Y		15	/* NUMA node band under the bar */
#define BAND_H		4
#define LEGEND_COLS	6
#define LEGEND_W	190
#define LEGEND_ROW	18
#define LEGEND_ALL_MAX	64	/* up to this many CPUs the legend lists them all */
#define WAIT_OPACITY	"0.3"	/* the pale background of a waiting run */

/* Fixed palettes: a colour per CPU (repeating past 20), a darker one per NUMA node. */
static const char *const cpu_colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
	"#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
	"#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
};
static const char *const node_colours[] = {
	"#303030", "#c08000", "#00a0a0", "#b22222", "#6a3d9a", "#33a02c", "#8b4513",
	"#1f4e9c",
};

static const char *cpu_colour(int cpu)
{
	return cpu < 0 ? "#ffffff" : cpu_colours[(size_t)cpu % ARRAY_SIZE(cpu_colours)];
}

/* The fill of a run: the CPU's colour, or its waiting pattern. */
static void run_fill(int cpu, bool running, char *buf, size_t len)
{
	if (running)
		snprintf(buf, len, "%s", cpu_colour(cpu));
	else
		snprintf(buf, len, "url(#wait%zu)",
			 cpu < 0 ? (size_t)0 : (size_t)cpu % ARRAY_SIZE(cpu_colours));
}

/* A pattern per palette colour: the colour pale, with diagonal lines of it. */
static void write_patterns(FILE *out)
{
	fputs("<defs>\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(cpu_colours); i++)
		fprintf(out, "<pattern id=\"wait%zu\" width=\"6\" height=\"6\" "
			"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
			"<rect width=\"6\" height=\"6\" fill=\"%s\" fill-opacity=\"" WAIT_OPACITY
			"\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"%s\" "
			"stroke-width=\"2\"/></pattern>\n", i, cpu_colours[i], cpu_colours[i]);
	fputs("</defs>\n", out);
}

static const char *node_colour(int node)
{
	return node < 0 ? "#dddddd" : node_colours[(size_t)node % ARRAY_SIZE(node_colours)];
}

void svg_escape(FILE *out, const char *s)
{
	/* s is sanitized already (names from tasks) or taskscope's own text: sanitizing it
	 * again would double its backslashes. Only what XML cannot hold is replaced, so the
	 * document stays well-formed whatever it is given. */
	static const char special[] = "&<>\"'";
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = util_utf8_seq(s + i, n - i, &cp);
		const char *at;

		if (l == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    cp == 0xfffe || cp == 0xffff) {
			fputc('?', out);
			i += l ? l : 1;
			continue;
		}
		/* the five characters markup gives a meaning, as their entities */
		at = cp < 0x80 ? strchr(special, (int)cp) : NULL;
		if (at)
			fputs(entities[at - special], out);
		else
			fwrite(s + i, 1, l, out);
		i += l;
	}
}

/* A coordinate with two decimals, '.' whatever the locale. */
static const char *num(double v, char *buf, size_t len)
{
	return cpus_fixed(v, 2, buf, len);
}

struct svg {
	const struct cpus_report *r;
	FILE *out;
	double scale;		/* px per slot */
};

static double slot_x(const struct svg *s, double slot)
{
	return CHART_X + slot * s->scale;
}

static void put_rect(const struct svg *s, const char *cls, double x, double y, double w,
		     double h, const char *fill)
{
	char a[32], b[32], c[32], d[32];

	fprintf(s->out, "<rect class=\"%s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" "
		"fill=\"%s\"", cls, num(x, a, sizeof(a)), num(y, b, sizeof(b)),
		num(w, c, sizeof(c)), num(h, d, sizeof(d)), fill);
}

static void put_seconds(FILE *out, double s)
{
	char b[32];

	fputs(cpus_fixed(s, 2, b, sizeof(b)), out);
	fputs(" s", out);
}

/* A rect per run, its tooltip saying who, where, in what state, when and how long. */
static void write_runs(const struct svg *s, const struct timeline_thread *t, double y)
{
	const struct timeline *tl = s->r->tl;

	for (size_t k = 0; k < t->nruns; k++) {
		const struct timeline_run *run = &t->runs[k];
		int node = cpumap_node(s->r->topo, run->cpu);
		bool running = timeline_running(run->state);
		char fill[32];

		run_fill(run->cpu, running, fill, sizeof(fill));
		put_rect(s, running ? "run" : "run waiting", slot_x(s, run->slot), y + BAR_Y,
			 run->len * s->scale, BAR_H, fill);
		fprintf(s->out, " data-cpu=\"%d\" data-state=\"%c\"><title>TID %d ", run->cpu,
			(char)run->state, (int)t->tid);
		svg_escape(s->out, t->comm);
		if (running)
			fprintf(s->out, ": running (R) on CPU %d", run->cpu);
		else
			fprintf(s->out, ": waiting (%c, %s), last ran on CPU %d", (char)run->state,
				cpus_state_name((char)run->state), run->cpu);
		if (node >= 0)
			fprintf(s->out, " (node %d)", node);
		fputs("; from ", s->out);
		put_seconds(s->out, run->slot * tl->period);
		fputs(" for ", s->out);
		put_seconds(s->out, run->len * tl->period);
		fprintf(s->out, ", %" PRIu32 " sample%s</title></rect>\n", run->len,
			run->len == 1 ? "" : "s");
	}
}

/* The NUMA node band: runs of equal node merged; a mark where the thread was seen on
 * another node than at its sample before. */
static void write_node_band(const struct svg *s, const struct timeline_thread *t, double y)
{
	const struct timeline *tl = s->r->tl;
	char a[32], b[32];

	for (size_t k = 0; k < t->nruns;) {
		int node = cpumap_node(s->r->topo, t->runs[k].cpu);
		uint32_t from = t->runs[k].slot, to = from + t->runs[k].len;
		size_t e = k + 1;

		while (e < t->nruns && t->runs[e].slot == to &&
		       cpumap_node(s->r->topo, t->runs[e].cpu) == node) {
			to = t->runs[e].slot + t->runs[e].len;
			e++;
		}
		put_rect(s, "node", slot_x(s, from), y + BAND_Y, (to - from) * s->scale, BAND_H,
			 node_colour(node));
		if (node >= 0)
			fprintf(s->out, " data-node=\"%d\"><title>node %d from ", node, node);
		else
			fputs("><title>node unknown from ", s->out);
		put_seconds(s->out, from * tl->period);
		fputs(" for ", s->out);
		put_seconds(s->out, (to - from) * tl->period);
		fputs("</title></rect>\n", s->out);
		if (k > 0) {
			int before = cpumap_node(s->r->topo, t->runs[k - 1].cpu);

			if (before >= 0 && node >= 0 && before != node) {
				double x = slot_x(s, from);

				/* a red triangle over the row's top, pointing at the move */
				fprintf(s->out, "<path class=\"xnode\" d=\"M%s %sh10l-5 7z\"><title>"
					"from node %d to node %d at ", num(x - 5, a, sizeof(a)),
					num(y, b, sizeof(b)), before, node);
				put_seconds(s->out, from * tl->period);
				fputs("</title></path>\n", s->out);
			}
		}
		k = e;
	}
}

/* Where a new affinity was seen. */
static void write_affinity_marks(const struct svg *s, const struct timeline_thread *t, double y)
{
	const struct timeline *tl = s->r->tl;
	char a[32], b[32], c[32], d[32];

	for (size_t k = 1; k < t->naff; k++) {
		double x = slot_x(s, t->aff[k].slot);

		/* one buffer per number: the arguments are all formatted before the call */
		fprintf(s->out, "<line class=\"affinity\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\">"
			"<title>affinity ", num(x, a, sizeof(a)), num(y, b, sizeof(b)),
			num(x, c, sizeof(c)), num(y + ROW_H, d, sizeof(d)));
		svg_escape(s->out, t->aff[k - 1].cpus);
		fputs(" -&gt; ", s->out);
		svg_escape(s->out, t->aff[k].cpus);
		fputs(" at ", s->out);
		put_seconds(s->out, t->aff[k].slot * tl->period);
		fputs("</title></line>\n", s->out);
	}
}

static void write_row(const struct svg *s, size_t idx, size_t row)
{
	const struct timeline *tl = s->r->tl;
	const struct timeline_thread *t = &tl->threads[idx];
	double y = TOP + (double)row * ROW_H;
	char label[LABEL_CHARS * 8], a[32], b[32], c[32];

	fprintf(s->out, "<g class=\"thread\" data-tid=\"%d\" data-pid=\"%d\">\n", (int)t->tid,
		(int)t->tgid);
	if (row % 2) {
		put_rect(s, "stripe", CHART_X, y, CHART_W, ROW_H, "#f2f2f2");
		fputs("/>\n", s->out);
	}
	cpus_label(t, LABEL_CHARS, label, sizeof(label));
	for (size_t n = strlen(label); n && label[n - 1] == ' '; n--)
		label[n - 1] = '\0';
	fprintf(s->out, "<text class=\"label\" x=\"%d\" y=\"%s\">", LABEL_X,
		num(y + BAR_Y + BAR_H - 2, a, sizeof(a)));
	svg_escape(s->out, label);
	if (t->samples && !t->running) {
		fputs("<title>never ran while watched</title>", s->out);
	} else if (t->samples) {
		cpus_fixed(100.0 * (double)t->running / (double)t->samples, 1, c, sizeof(c));
		fprintf(s->out, "<title>running in %s%% of its samples</title>", c);
	}
	fputs("</text>\n", s->out);
	write_runs(s, t, y);
	write_node_band(s, t, y);
	write_affinity_marks(s, t, y);
	if (t->end_slot != TIMELINE_NO_SLOT) {
		fprintf(s->out, "<text class=\"ended\" x=\"%s\" y=\"%s\">&#215;<title>ended at ",
			num(slot_x(s, t->end_slot) + 1, a, sizeof(a)),
			num(y + BAR_Y + BAR_H - 1, b, sizeof(b)));
		put_seconds(s->out, t->end_slot * tl->period);
		fputs("</title></text>\n", s->out);
	}
	fputs("</g>\n", s->out);
}

/* Time marks every 1, 2 or 5 times a power of ten seconds: about 5 to 10 of them. */
static double tick_step(double span, int *decimals)
{
	double step = pow(10, floor(log10(span > 0 ? span : 1)));

	if (span / step < 2.5)
		step /= 5;	/* 1 -> 0.2 */
	else if (span / step < 5)
		step /= 2;	/* 1 -> 0.5 */
	*decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	return step;
}

static int write_axis(const struct svg *s, double y)
{
	const struct timeline *tl = s->r->tl;
	double span = tl->nslots * tl->period, step;
	int decimals;
	char a[32], b[32], c[32], d[32];

	fprintf(s->out, "<g class=\"axis\">\n<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\"/>\n",
		CHART_X, num(y, a, sizeof(a)), CHART_X + CHART_W, num(y, b, sizeof(b)));
	step = tick_step(span, &decimals);
	for (int i = 0; i * step <= span * (1 + 1e-9) && i <= 100; i++) {
		double x = CHART_X + (span > 0 ? i * step / span * CHART_W : 0);
		char t[32];

		fprintf(s->out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>", num(x, a, sizeof(a)),
			num(y, b, sizeof(b)), num(x, c, sizeof(c)), num(y + 5, d, sizeof(d)));
		fprintf(s->out, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>\n",
			num(x, a, sizeof(a)), num(y + 18, b, sizeof(b)),
			cpus_fixed(i * step, decimals, t, sizeof(t)));
	}
	fprintf(s->out, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">time (s)</text>\n</g>\n",
		CHART_X - 20, num(y + 18, a, sizeof(a)));
	return 0;
}

/* The CPUs the legend lists: every CPU of a small machine and every CPU with samples. */
static int legend_cpus(const struct cpus_report *r, int **out, size_t *n)
{
	int ncpus = cpumap_ncpus(r->topo);
	struct timeline_cpu_sum *used = NULL;
	size_t nused = 0, cnt = 0, w = 0;
	int *v;
	int rc;

	rc = timeline_cpu_summary(r->tl, &used, &nused);
	if (rc)
		return rc;
	if (ncpus > LEGEND_ALL_MAX)
		ncpus = 0;
	v = malloc(((size_t)ncpus + nused + 1) * sizeof(*v));
	if (!v) {
		timeline_cpu_summary_free(used, nused);
		return -ENOMEM;
	}
	for (int c = 0; c < ncpus; c++)
		if (cpumap_core(r->topo, c) >= 0 || cpumap_node(r->topo, c) >= 0 ||
		    cpumap_package(r->topo, c) >= 0)
			v[cnt++] = c;
	for (size_t u = 0; u < nused; u++)
		v[cnt++] = used[u].cpu;
	timeline_cpu_summary_free(used, nused);
	qsort(v, cnt, sizeof(*v), util_cmp_int);
	for (size_t i = 0; i < cnt; i++)
		if (!w || v[w - 1] != v[i])
			v[w++] = v[i];
	*out = v;
	*n = w;
	return 0;
}

static void write_legend(const struct svg *s, double y, const int *cpus, size_t n,
			 double *end)
{
	char a[32], b[32];
	int nodes[64];
	size_t nn = 0;

	fputs("<g class=\"legend\">\n", s->out);
	for (size_t i = 0; i < n; i++) {
		double x = CHART_X + (double)(i % LEGEND_COLS) * LEGEND_W;
		double yy = y + (double)(i / LEGEND_COLS) * LEGEND_ROW;
		int node = cpumap_node(s->r->topo, cpus[i]);
		size_t k;

		put_rect(s, "key", x, yy, 12, 12, cpu_colour(cpus[i]));
		fprintf(s->out, "/><text x=\"%s\" y=\"%s\">CPU %d", num(x + 16, a, sizeof(a)),
			num(yy + 10, b, sizeof(b)), cpus[i]);
		if (node >= 0)
			fprintf(s->out, " (node %d)", node);
		fputs("</text>\n", s->out);
		for (k = 0; k < nn && nodes[k] != node; k++)
			;
		if (k == nn && nn < ARRAY_SIZE(nodes))
			nodes[nn++] = node;
	}
	y += (double)((n + LEGEND_COLS - 1) / LEGEND_COLS) * LEGEND_ROW + 6;
	/* what solid and hatched mean, drawn in the first CPU's colour */
	{
		int cpu = n ? cpus[0] : 0;
		char fill[32];

		fprintf(s->out, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">state</text>\n",
			CHART_X - 8, num(y + 10, a, sizeof(a)));
		run_fill(cpu, true, fill, sizeof(fill));
		put_rect(s, "key", CHART_X, y, 24, 12, fill);
		fprintf(s->out, "/><text x=\"%s\" y=\"%s\">running or runnable (R): solid, its "
			"CPU's colour</text>\n", num(CHART_X + 28, a, sizeof(a)),
			num(y + 10, b, sizeof(b)));
		run_fill(cpu, false, fill, sizeof(fill));
		put_rect(s, "key", CHART_X + 2 * LEGEND_W, y, 24, 12, fill);
		fprintf(s->out, "/><text x=\"%s\" y=\"%s\">waiting (S, D, I, T...): pale, hatched, "
			"the colour of the CPU it last ran on</text>\n",
			num(CHART_X + 2 * LEGEND_W + 28, a, sizeof(a)), num(y + 10, b, sizeof(b)));
		y += LEGEND_ROW;
	}
	fprintf(s->out, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">NUMA node band</text>\n",
		CHART_X - 8, num(y + 10, a, sizeof(a)));
	for (size_t i = 0; i < nn; i++) {
		double x = CHART_X + (double)i * LEGEND_W;

		put_rect(s, "key", x, y + 4, 24, BAND_H + 1, node_colour(nodes[i]));
		if (nodes[i] >= 0)
			fprintf(s->out, "/><text x=\"%s\" y=\"%s\">node %d</text>\n",
				num(x + 28, a, sizeof(a)), num(y + 10, b, sizeof(b)), nodes[i]);
		else
			fprintf(s->out, "/><text x=\"%s\" y=\"%s\">node unknown</text>\n",
				num(x + 28, a, sizeof(a)), num(y + 10, b, sizeof(b)));
	}
	fputs("</g>\n", s->out);
	*end = y + LEGEND_ROW + 8;
}

int svg_write(const struct cpus_report *r, FILE *out)
{
	const struct timeline *tl = r->tl;
	struct svg s = { .r = r, .out = out };
	size_t *order = NULL, ncpus = 0;
	int *cpus = NULL;
	double axis_y, legend_y, height;
	int rc, pk, co, no, pu;
	char dur[32];

	rc = timeline_order(tl, &order);
	if (!rc)
		rc = legend_cpus(r, &cpus, &ncpus);
	if (rc) {
		free(order);
		return rc;
	}
	s.scale = (double)CHART_W / (tl->nslots ? tl->nslots : 1);
	axis_y = TOP + (double)tl->nthreads * ROW_H + 6;
	legend_y = axis_y + 34;
	/* the height needs the legend's: rows of CPUs, then the node band line */
	height = legend_y + (double)((ncpus + LEGEND_COLS - 1) / LEGEND_COLS) * LEGEND_ROW + 6 +
		 LEGEND_ROW + LEGEND_ROW + 8 + 8;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_WIDTH, height, SVG_WIDTH, height);
	fputs("<style>\n"
	      ".label { font-family: monospace; white-space: pre; }\n"
	      ".axis line { stroke: #000; stroke-width: 1; }\n"
	      ".affinity { stroke: #000; stroke-width: 2; stroke-dasharray: 3 2; }\n"
	      ".ended { font-weight: bold; fill: #c00; }\n"
	      ".run:hover { stroke: #000; }\n"
	      ".xnode { fill: #c00; }\n"
	      "</style>\n", out);
	write_patterns(out);
	fputs("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", out);
	fputs("<text x=\"8\" y=\"22\" font-size=\"15\" font-weight=\"bold\">taskscope cpus: ",
	      out);
	svg_escape(out, r->what ? r->what : "all tasks");
	fprintf(out, "</text>\n<text x=\"8\" y=\"42\">%zu thread%s, %u samples a second for %s s",
		tl->nthreads, tl->nthreads == 1 ? "" : "s", r->rate,
		cpus_fixed(r->duration, 2, dur, sizeof(dur)));
	if (r->topo && cpumap_count(r->topo, &pk, &co, &no, &pu) == 0)
		fprintf(out, "; %d package%s, %d core%s, %d NUMA node%s, %d CPU%s online", pk,
			pk == 1 ? "" : "s", co, co == 1 ? "" : "s", no, no == 1 ? "" : "s", pu,
			pu == 1 ? "" : "s");
	if (cpumap_file(r->topo)) {
		fputs(" (topology from ", out);
		svg_escape(out, cpumap_file(r->topo));
		fputs(", not this machine's)", out);
	}
	fputs("</text>\n<text x=\"8\" y=\"42\" dy=\"16\">a colour per CPU: solid where the "
	      "thread ran there, pale and hatched where it waited after it last ran there; the "
	      "band below each bar is the NUMA node, a red mark a move to another node</text>\n",
	      out);

	for (size_t k = 0; k < tl->nthreads; k++)
		write_row(&s, order[k], k);
	write_axis(&s, axis_y);
	write_legend(&s, legend_y, cpus, ncpus, &height);
	fputs("</svg>\n", out);
	free(order);
	free(cpus);
	return outfile_error(out);	/* the cause: EPIPE, ENOSPC, ... */
}
