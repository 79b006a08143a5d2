/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpustrip.c - the placement report's strip chart: a character per stretch of time and
 * thread (the CPU it ran on, waiting, no sample), with its node line and time axis */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/cpumap.h"
#include "view/cpusview.h"

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

		cpus_seconds_text((double)c * step * r->tl->period, t, sizeof(t));
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

int cpus_print_strip(const struct cpus_view *v, enum cpus_format fmt, FILE *out)
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

