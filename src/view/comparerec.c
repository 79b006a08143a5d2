/* SPDX-License-Identifier: GPL-2.0-or-later */
/* comparerec.c - the report of a compare of two recordings (taskscope compare A.db B.db):
 * each side's values and when they were, B/A, what recordings do not hold, the live plain
 * words; a table or JSON in the live report's shape (compare.c) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libsmartcols.h>

#include "lib/util.h"
#include "model/recjob.h"
#include "view/compare.h"
#include "view/compareint.h"
#include "view/json.h"

/* When a value was, as seconds after the side's first sample ("" when it has no time). */
static void format_at(const struct recjob *j, enum recjob_metric m, char *buf, size_t len)
{
	if (j->m[m].known && j->m[m].has_at)
		snprintf(buf, len, "+%.1fs", j->m[m].at - j->first);
	else
		buf[0] = '\0';
}

static void clock_text(double when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "@%.0f", when);
}

/* The live compare's plain words, from the values the recordings have. */
static int rec_findings(const struct compare_recside *a, const struct compare_recside *b,
			char lines[][COMPARE_LINE], size_t max, size_t *nf)
{
	struct comparison_side cs[2];
	int rc;

	*nf = 0;
	rc = recjob_comparison_side(&a->j, a->label, a->name, &cs[0]);
	if (rc)
		return rc;
	rc = recjob_comparison_side(&b->j, b->label, b->name, &cs[1]);
	if (rc) {
		comparison_side_free(&cs[0]);
		return rc;
	}
	*nf = compare_findings(&cs[0], &cs[1], lines, max);
	comparison_side_free(&cs[0]);
	comparison_side_free(&cs[1]);
	return 0;
}

/* What the recordings do not hold, as lines. */
static size_t not_recorded(const struct compare_recside *a, const struct compare_recside *b,
			   char lines[][160])
{
	const struct compare_recside *sides[2] = { a, b };
	size_t n = 0;

	snprintf(lines[n++], 160, "exit statuses and start-up times (no ready line is kept)");
	snprintf(lines[n++], 160, "exact CPU time and switches: sampled here, a task's last "
		 "interval is lost");
	snprintf(lines[n++], 160, "mappings and page frames (maps, share), kernel stacks");
	for (int k = 0; k < 2; k++) {
		if (sides[k]->schema1)
			snprintf(lines[n++], 160, "%s: the kcmp groups (address spaces, fd tables, "
				 "...): a recording of schema 1",
				 sides[k]->label);
		else if (!sides[k]->j.m[RJ_SPACES].known)
			snprintf(lines[n++], 160, "%s: the kcmp groups: no memory sample in the "
				 "range", sides[k]->label);
		if (!sides[k]->j.mem_recorded)
			snprintf(lines[n++], 160, "%s: the memory sums: no memory sample in the "
				 "range", sides[k]->label);
	}
	return n;
}

/* The rows: each side's value and when it was, and B/A. */
static int rec_rows(struct libscols_table *tb, const struct compare_recside *a,
		    const struct compare_recside *b, bool bytes)
{
	const struct compare_recside *sides[2] = { a, b };

	for (int m = 0; m < RJ_COUNT; m++) {
		const struct comparison_info *in = recjob_info((enum recjob_metric)m);
		char buf[5][48];
		bool known;
		double r;
		int rc;

		for (int k = 0; k < 2; k++) {
			const struct recjob_value *rv = &sides[k]->j.m[m];

			compare_number_text(in->unit, rv->known, rv->v, bytes, buf[2 * k],
					    sizeof(buf[0]));
			format_at(&sides[k]->j, (enum recjob_metric)m, buf[2 * k + 1],
				  sizeof(buf[0]));
		}
		known = recjob_ratio(&a->j, &b->j, (enum recjob_metric)m, &r);
		compare_ratio_cell(known, r, buf[4], sizeof(buf[4]));
		rc = compare_table_row(tb, in->label, buf, 5);
		if (rc)
			return rc;
	}
	return 0;
}

static int rec_table(const struct compare_view *v, const struct compare_recside *a,
		     const struct compare_recside *b)
{
	static const char *const cols[] = { "A", "A AT", "B", "B AT", "B/A" };
	const struct compare_recside *sides[2] = { a, b };
	struct libscols_table *tb = compare_table_new(cols, ARRAY_SIZE(cols));
	char lines[COMPARE_MAX_FINDINGS][COMPARE_LINE], nr[8][160];
	size_t nf = 0, nn;
	int rc;

	if (!tb)
		return -ENOMEM;
	rc = rec_rows(tb, a, b, v->bytes);
	if (rc)
		goto out;
	for (int k = 0; k < 2; k++) {
		const struct compare_recside *s = sides[k];
		char t0[40], t1[40];

		clock_text(s->j.first, t0, sizeof(t0));
		clock_text(s->j.last, t1, sizeof(t1));
		fprintf(v->out, "%s: %s  [%s%s]  on %s, %s to %s\n", s->label, s->file,
			s->command ? "job: " : "", s->command ? s->command :
			s->targets ? s->targets : "?", s->host ? s->host : "?", t0,
			strchr(t1, ' ') ? strchr(t1, ' ') + 1 : t1);
	}
	scols_table_set_stream(tb, v->out);
	if (scols_print_table(tb))
		rc = -EIO;
	fputs("  Each side is every task its recording holds (its job or targets). Memory rows\n"
	      "  are sums over the processes at the recording's memory samples: the peak and the\n"
	      "  last; AT: seconds after the side's first sample. kcmp rows: the most groups in\n"
	      "  one memory sample. RSS sum counts a shared page once in each process; PSS\n"
	      "  divides it among them.\n", v->out);
	nn = not_recorded(a, b, nr);
	fputs("  Not recorded, so not compared:\n", v->out);
	for (size_t i = 0; i < nn; i++)
		fprintf(v->out, "  - %s\n", nr[i]);
	if (!rc)
		rc = rec_findings(a, b, lines, ARRAY_SIZE(lines), &nf);
	compare_print_findings(v->out, lines, nf);
out:
	scols_unref_table(tb);
	return rc;
}

static const struct comparison_info *rec_info(int m)
{
	return recjob_info((enum recjob_metric)m);
}

static bool rec_value(const void *s, int m, double *v)
{
	const struct compare_recside *rs = s;

	*v = rs->j.m[m].v;
	return rs->j.m[m].known;
}

static bool rec_ratio(const void *a, const void *b, int m, double *r)
{
	const struct compare_recside *ra = a, *rb = b;

	return recjob_ratio(&ra->j, &rb->j, (enum recjob_metric)m, r);
}

static const struct compare_kind rec_kind = { RJ_COUNT, rec_info, rec_value, rec_ratio };

static void json_recside(struct json *j, const struct compare_recside *s)
{
	compare_json_side_open(j, s->label, s->name);
	json_string(j, "file", s->file);
	json_string(j, "command", s->command);
	json_string(j, "targets", s->targets);
	json_string(j, "host", s->host);
	json_double(j, "first_sample", s->j.first, 6);
	json_double(j, "last_sample", s->j.last, 6);
	json_bool(j, "kcmp_recorded", !s->schema1);
	compare_json_metrics(j, &rec_kind, s);
	/* the wall clock time of the sample each value is from */
	json_open_object(j, "at", false);
	for (int m = RJ_SPACES; m <= RJ_PTE_LAST; m++) {
		const struct recjob_value *rv = &s->j.m[m];

		compare_json_number(j, recjob_info((enum recjob_metric)m)->key, CU_SECONDS,
				    rv->known && rv->has_at, rv->at);
	}
	json_close_object(j);
	json_close_object(j);
}

static int rec_json(const struct compare_view *v, const struct compare_recside *a,
		    const struct compare_recside *b)
{
	char lines[COMPARE_MAX_FINDINGS][COMPARE_LINE], nr[8][160];
	size_t nf = 0, nn = not_recorded(a, b, nr);
	struct json j;
	int rc = rec_findings(a, b, lines, ARRAY_SIZE(lines), &nf);

	if (rc)
		return rc;
	compare_json_begin(&j, v->out, "recordings");
	json_recside(&j, a);
	json_recside(&j, b);
	json_close_array(&j);
	compare_json_b_over_a(&j, &rec_kind, a, b);
	json_open_array(&j, "not_recorded", false);
	for (size_t i = 0; i < nn; i++)
		json_string(&j, NULL, nr[i]);
	json_close_array(&j);
	return compare_json_end(&j, lines, nf);
}

int compare_print_recordings(const struct compare_view *v, const struct compare_recside *a,
			     const struct compare_recside *b)
{
	return compare_printed(v->out, v->json ? rec_json(v, a, b) : rec_table(v, a, b));
}
