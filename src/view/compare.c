/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare.c - the report of a compare: one table (libsmartcols) or JSON, and plain words;
 * the live sides' report, and what it shares with the recordings' (comparerec.c) */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libsmartcols.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "model/columns.h"
#include "view/compare.h"
#include "view/compareint.h"
#include "view/json.h"

/* A number of the report in its unit's form ("-" when not known); returns buf. */
const char *compare_number_text(enum comparison_unit unit, bool known, double v, bool bytes,
				char *buf, size_t len)
{
	if (!known) {
		snprintf(buf, len, "-");
		return buf;
	}
	switch (unit) {
	case CU_BYTES:
		if (bytes)
			snprintf(buf, len, "%.0f", v);
		else
			util_size_human((uint64_t)v, buf, len);
		break;
	case CU_SECONDS:
		snprintf(buf, len, "%.3fs", v);
		break;
	case CU_FACTOR:
		snprintf(buf, len, "%.2f", v);
		break;
	case CU_PERCENT:
		snprintf(buf, len, "%.1f%%", v);
		break;
	case CU_STATUS:
	case CU_COUNT:
	default:
		snprintf(buf, len, "%.0f", v);
		break;
	}
	return buf;
}

const char *compare_format(const struct comparison_side *s, enum comparison_metric m,
			   bool bytes, char *buf, size_t len)
{
	return compare_number_text(comparison_info(m)->unit, s->m[m].known, s->m[m].v, bytes,
				   buf, len);
}

/* The B/A cell: "2.00x", or "-" when there is no ratio. */
void compare_ratio_cell(bool known, double r, char *buf, size_t len)
{
	if (known)
		snprintf(buf, len, "%.2fx", r);
	else
		snprintf(buf, len, "-");
}

/* A table with a METRIC column and the value columns cols (right-aligned), or NULL. */
struct libscols_table *compare_table_new(const char *const *cols, size_t n)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_enable_noencoding(tb, 1);	/* names are sanitized at their source */
	if (!scols_table_new_column(tb, "METRIC", 0, 0))
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!scols_table_new_column(tb, cols[i], 0, SCOLS_FL_RIGHT))
			goto fail;
	return tb;
fail:
	scols_unref_table(tb);
	return NULL;
}

/* A row of such a table: its label and n cells. 0 or -ENOMEM. */
int compare_table_row(struct libscols_table *tb, const char *label, char cells[][48], size_t n)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln || scols_line_set_data(ln, 0, label))
		return -ENOMEM;
	for (size_t c = 0; c < n; c++)
		if (scols_line_set_data(ln, c + 1, cells[c]))
			return -ENOMEM;
	return 0;
}

/* The plain words at the end of a table, after an empty line. */
void compare_print_findings(FILE *out, char lines[][COMPARE_LINE], size_t n)
{
	if (n)
		fputc('\n', out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s.\n", lines[i]);
}

/* What the plain words talk about, in this order. */
static const struct {
	enum comparison_metric m;
	const char *what;
} findings[] = {
	{ CMP_SPACES, "address spaces" },
	{ CMP_PSS_PEAK, "PSS (peak sum, the real memory total)" },
	{ CMP_USS_PEAK, "USS (peak sum of private memory)" },
	{ CMP_RSS_PEAK, "naive RSS sum (peak)" },
	{ CMP_PTE_PEAK, "page table memory (peak)" },
	{ CMP_KSTACK, "estimated kernel stack memory" },
	{ CMP_READY, "start-up time until all workers were ready" },
	{ CMP_STARTED, "time until its last task started" },
	{ CMP_CPU_USER, "user CPU time" },
	{ CMP_CPU_SYS, "system CPU time" },
	{ CMP_PARALLEL, "parallelism (CPU time / wall time)" },
	{ CMP_WALL, "wall time" },
	{ CMP_ICTX, "involuntary context switches" },
	{ CMP_MIGR, "CPU migrations" },
};

/* Times both under this many seconds are not compared in words. */
#define TIME_FLOOR 0.01

/* "B (3 processes)", or "B" alone when the name is a long command line */
static const char *side_name(const struct comparison_side *s, char *buf, size_t len)
{
	if (strlen(s->name) <= 24)
		snprintf(buf, len, "%s (%s)", s->label, s->name);
	else
		snprintf(buf, len, "%s", s->label);
	return buf;
}

/* Sides watched with -p (no command was run): a row about a run's start, end or length
 * means nothing for them. */
static bool watched(const struct comparison_side *a, const struct comparison_side *b)
{
	return a->watched && b->watched;
}

static bool run_row(enum comparison_metric m)
{
	return m == CMP_STARTED || m == CMP_READY || m == CMP_WALL || m == CMP_EXIT;
}

size_t compare_findings(const struct comparison_side *a, const struct comparison_side *b,
			char lines[][COMPARE_LINE], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(findings) && n < max; i++) {
		enum comparison_metric m = findings[i].m;
		char va[32], vb[32], who[64];
		enum comparison_verdict verdict;
		double r;

		if (!a->m[m].known || !b->m[m].known || (watched(a, b) && run_row(m)))
			continue;
		if (m == CMP_STARTED && a->m[CMP_READY].known && b->m[CMP_READY].known)
			continue;	/* the ready line says it better */
		compare_format(a, m, false, va, sizeof(va));
		compare_format(b, m, false, vb, sizeof(vb));
		if (a->m[m].v == 0 && b->m[m].v == 0)
			continue;
		/* CPU time is accounted in clock ticks: below one, a ratio says nothing */
		if (comparison_info(m)->unit == CU_SECONDS && a->m[m].v < TIME_FLOOR &&
		    b->m[m].v < TIME_FLOOR)
			continue;
		if (a->m[m].v == 0 || b->m[m].v == 0) {
			const struct comparison_side *more = a->m[m].v ? a : b;

			snprintf(lines[n++], COMPARE_LINE, "only %s had %s: %s %s, %s %s",
				 side_name(more, who, sizeof(who)), findings[i].what,
				 a->label, va, b->label, vb);
			continue;
		}
		verdict = comparison_verdict(a, b, m, &r);
		if (verdict == CMP_UNKNOWN)
			continue;
		if (verdict == CMP_B_MORE)
			snprintf(lines[n++], COMPARE_LINE, "%s had %.2fx the %s of %s: %s vs %s",
				 side_name(b, who, sizeof(who)), r, findings[i].what, a->label,
				 vb, va);
		else if (verdict == CMP_A_MORE)
			snprintf(lines[n++], COMPARE_LINE, "%s had %.2fx the %s of %s: %s vs %s",
				 side_name(a, who, sizeof(who)), 1 / r, findings[i].what,
				 b->label, va, vb);
		else
			snprintf(lines[n++], COMPARE_LINE,
				 "%s and %s had about the same %s (B/A %.2f): %s vs %s",
				 a->label, b->label, findings[i].what, r, va, vb);
	}
	return n;
}

/* What a footnote explains: "PSS sum, peak (A, B), USS sum, peak (B)", the first few. */
struct note_rows {
	char text[320];
	size_t n;
};

static void note_add(struct note_rows *nr, enum comparison_metric m, bool ka, bool kb)
{
	size_t len = strlen(nr->text);

	if (nr->n++ == 3) {
		snprintf(nr->text + len, sizeof(nr->text) - len, ", ...");
		return;
	}
	if (nr->n > 4)
		return;
	snprintf(nr->text + len, sizeof(nr->text) - len, "%s%s (%s)", len ? ", " : "",
		 comparison_info(m)->label, !ka && !kb ? "A, B" : !ka ? "A" : "B");
}

static const char *exit_text(const struct comparison_side *s, char *buf, size_t len)
{
	int c = (int)s->m[CMP_EXIT].v;

	if (!s->m[CMP_EXIT].known)
		snprintf(buf, len, "-");
	else if (c > 128 && c < 128 + 65)
		snprintf(buf, len, "%d (signal %d)", c, c - 128);
	else
		snprintf(buf, len, "%d", c);
	return buf;
}

/* The notes under the table: what the rows mean, the launchers, why a cell is "-". */
static void print_footnotes(const struct compare_view *v, const struct comparison_side *a,
			    const struct comparison_side *b, const struct note_rows *notes,
			    unsigned missing, bool no_ready)
{
	const struct comparison_side *sides[2] = { a, b };

	if (!v->no_notes)
		compare_print_notes(v->out, !watched(a, b));
	if (no_ready)
		fputs("  - all workers ready: only the built-in workload (--workers) says when it is\n",
		      v->out);
	for (int k = 0; k < 2; k++)
		if (sides[k]->launchers)
			fprintf(v->out, "  - %s: %zu launcher process%s (%s) left out of every row but CPU\n"
				"    and switches: %s waited for the program %s started\n",
				sides[k]->label, sides[k]->launchers,
				sides[k]->launchers == 1 ? "" : "es", sides[k]->launcher_names,
				sides[k]->launchers == 1 ? "it" : "they",
				sides[k]->launchers == 1 ? "it" : "they");
	for (int av = TS_GONE; av < TS_NA; av++)
		if (missing & (1u << av))
			fprintf(v->out, "  - %s\n    in %s\n", columns_avail_text((enum ts_avail)av),
				notes[av].text);
	if (missing & (1u << TS_NA))
		fprintf(v->out, "  - \"-\": not measured for this side (no sample had its tasks, not spawned,\n"
			"    or no ready line)\n    in %s\n", notes[TS_NA].text);
}

static int print_table(const struct compare_view *v, const struct comparison_side *a,
		       const struct comparison_side *b)
{
	static const char *const cols[] = { "A", "B", "B/A" };
	const struct comparison_side *sides[2] = { a, b };
	struct libscols_table *tb = compare_table_new(cols, ARRAY_SIZE(cols));
	char lines[COMPARE_MAX_FINDINGS][COMPARE_LINE];
	struct note_rows notes[TS_NA + 1];
	unsigned missing = 0;
	bool no_ready = false;
	int rc = 0;

	memset(notes, 0, sizeof(notes));
	if (!tb)
		return -ENOMEM;
	for (int m = 0; m < CMP_COUNT; m++) {
		char buf[3][48];
		bool known;
		double r;

		if (watched(a, b) && run_row((enum comparison_metric)m))
			continue;
		for (int k = 0; k < 2; k++) {
			if (m == CMP_EXIT)
				exit_text(sides[k], buf[k], sizeof(buf[k]));
			else
				compare_format(sides[k], (enum comparison_metric)m, v->bytes,
					       buf[k], sizeof(buf[k]));
			if (!sides[k]->m[m].known)
				missing |= 1u << sides[k]->m[m].why;
			if (!sides[k]->m[m].known && m == CMP_READY)
				no_ready = true;
		}
		for (int av = TS_GONE; av <= TS_NA; av++)
			if ((!a->m[m].known && (int)a->m[m].why == av) ||
			    (!b->m[m].known && (int)b->m[m].why == av))
				note_add(&notes[av], (enum comparison_metric)m,
					 a->m[m].known || (int)a->m[m].why != av,
					 b->m[m].known || (int)b->m[m].why != av);
		known = comparison_ratio(a, b, (enum comparison_metric)m, &r);
		compare_ratio_cell(known, r, buf[2], sizeof(buf[2]));
		rc = compare_table_row(tb, comparison_info((enum comparison_metric)m)->label, buf, 3);
		if (rc)
			goto out;
	}
	for (int k = 0; k < 2; k++) {
		fprintf(v->out, "%s: %s", sides[k]->label, sides[k]->name);
		if (sides[k]->command)
			fprintf(v->out, "  [%s]", sides[k]->command);
		/* launched through a wrapper: say which program did the work */
		if (sides[k]->launchers && sides[k]->work)
			fprintf(v->out, "  (work: %s)", sides[k]->work);
		fputc('\n', v->out);
	}
	scols_table_set_stream(tb, v->out);
	if (scols_print_table(tb))
		rc = -EIO;
	print_footnotes(v, a, b, notes, missing, no_ready);
	compare_print_findings(v->out, lines, compare_findings(a, b, lines, ARRAY_SIZE(lines)));
out:
	scols_unref_table(tb);
	return rc;
}

void compare_print_notes(FILE *out, bool runs)
{
	fputs("  RSS sum counts a page shared by several processes once in each of them; PSS\n"
	      "  divides it among them. Sides are the spawned process and all its descendants\n"
	      "  (or the -p processes and theirs); counts are distinct tasks seen in the run,\n"
	      "  kcmp groups the most in one sample. Memory rows are sums over the processes,\n"
	      "  peak and average over the samples.\n", out);
	if (comparison_thread_size())
		fprintf(out, "  kernel stacks: an estimate, the most live tasks in one sample x %llu KiB\n"
			"  (THREAD_SIZE of this architecture).\n",
			(unsigned long long)comparison_thread_size() / 1024);
	if (runs)
		fprintf(out, "  last task started: from spawn to the start time (/proc stat, 1/%ld s ticks) of\n"
			"  the last task seen; all workers ready: from spawn to the workload's ready line.\n",
			sampler_hertz());
	else
		fputs("  Watched groups: rows about a run's start, end and length are left out.\n", out);
}

/* A number of the report in JSON, at its unit's precision; null when not known. */
void compare_json_number(struct json *j, const char *key, enum comparison_unit unit, bool known,
			 double v)
{
	if (!known) {
		json_null(j, key);
		return;
	}
	switch (unit) {
	case CU_SECONDS:
		json_double(j, key, v, 6);
		break;
	case CU_FACTOR:
		json_double(j, key, v, 4);
		break;
	case CU_PERCENT:
		json_double(j, key, v, 1);
		break;
	default:
		json_i64(j, key, (int64_t)v);
		break;
	}
}

static const struct comparison_info *live_info(int m)
{
	return comparison_info((enum comparison_metric)m);
}

static bool live_value(const void *s, int m, double *v)
{
	const struct comparison_side *cs = s;

	*v = cs->m[m].v;
	return cs->m[m].known;
}

static bool live_ratio(const void *a, const void *b, int m, double *r)
{
	return comparison_ratio(a, b, (enum comparison_metric)m, r);
}

static const struct compare_kind live_kind = { CMP_COUNT, live_info, live_value, live_ratio };

/* The start of a side's object, and its "metrics" */
void compare_json_side_open(struct json *j, const char *label, const char *name)
{
	json_open_object(j, NULL, false);
	json_string(j, "label", label);
	json_string(j, "name", name);
}

void compare_json_metrics(struct json *j, const struct compare_kind *kind, const void *s)
{
	json_open_object(j, "metrics", false);
	for (int m = 0; m < kind->nmetrics; m++) {
		const struct comparison_info *in = kind->info(m);
		double v;
		bool known = kind->value(s, m, &v);

		compare_json_number(j, in->key, in->unit, known, v);
	}
	json_close_object(j);
}

/* "b_over_a": B/A of each metric that has a ratio, null when it is not known. */
void compare_json_b_over_a(struct json *j, const struct compare_kind *kind, const void *a,
			   const void *b)
{
	json_open_object(j, "b_over_a", false);
	for (int m = 0; m < kind->nmetrics; m++) {
		const struct comparison_info *in = kind->info(m);
		double r;

		if (!in->ratio)
			continue;
		if (kind->ratio(a, b, m, &r))
			json_double(j, in->key, r, 6);
		else
			json_null(j, in->key);
	}
	json_close_object(j);
}

/* The start of a report's document, up to its open "sides" array. */
void compare_json_begin(struct json *j, FILE *out, const char *mode)
{
	struct json_stamp st;

	json_stamp_init(&st, 0, false, 0);
	json_begin(j, out);
	json_open_object(j, NULL, false);
	json_stamp_write(j, &st);
	json_string(j, "mode", mode);
	json_open_array(j, "sides", false);
}

/* The end of a report's document: its plain words. 0 or -errno (json_end). */
int compare_json_end(struct json *j, char lines[][COMPARE_LINE], size_t n)
{
	json_open_array(j, "summary", false);
	for (size_t i = 0; i < n; i++)
		json_string(j, NULL, lines[i]);
	json_close_array(j);
	json_close_object(j);
	return json_end(j);
}

static void json_side(struct json *j, const struct comparison_side *s)
{
	compare_json_side_open(j, s->label, s->name);
	json_string(j, "command", s->command);
	json_u64(j, "launchers", s->launchers);
	json_string(j, "work", s->work);
	compare_json_metrics(j, &live_kind, s);
	json_open_array(j, "tasks", false);
	for (size_t i = 0; i < s->ntracks; i++) {
		const struct comparison_track *k = &s->tracks[i];
		struct cpulist cl = { 0 };
		char cpus[256] = "";

		json_open_object(j, NULL, true);
		json_i64(j, "tid", k->tid);
		json_i64(j, "pid", k->tgid);
		json_string(j, "comm", k->comm);
		if (!util_cpulist_init(&cl, 64)) {
			for (int c = 0; c < 64; c++)
				if (k->cpus & (UINT64_C(1) << c))
					CPU_SET_S((size_t)c, cl.size, cl.set);
			if (util_cpulist_format(&cl, cpus, sizeof(cpus)))
				cpus[0] = '\0';
			util_cpulist_free(&cl);
		}
		json_string(j, "cpus", k->cpu_high ? NULL : cpus);
		json_close_object(j);
	}
	json_close_array(j);
	json_close_object(j);
}

static int print_json(const struct compare_view *v, const struct comparison_side *a,
		      const struct comparison_side *b)
{
	char lines[COMPARE_MAX_FINDINGS][COMPARE_LINE];
	size_t nf = compare_findings(a, b, lines, ARRAY_SIZE(lines));
	struct json j;

	compare_json_begin(&j, v->out, v->mode);
	json_side(&j, a);
	json_side(&j, b);
	json_close_array(&j);
	compare_json_b_over_a(&j, &live_kind, a, b);
	json_u64(&j, "kernel_stack_per_task", comparison_thread_size());
	return compare_json_end(&j, lines, nf);
}

/* What a report's printer returns: the cause of a write error on out (EPIPE, ENOSPC, ...)
 * before its own rc. */
int compare_printed(FILE *out, int rc)
{
	int werr = outfile_error(out);

	return werr ? werr : rc;
}

int compare_print(const struct compare_view *v, const struct comparison_side *a,
		  const struct comparison_side *b)
{
	return compare_printed(v->out, v->json ? print_json(v, a, b) : print_table(v, a, b));
}
