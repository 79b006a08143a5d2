/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recjob.c - a recorded job's footprint over a recording's samples (taskscope compare A.db B.db)
 *
 * Each sample adds the tasks not seen before (by TID and start time) and their CPU time
 * and switches; each memory sample (the ones with footprints) adds the sums over its
 * processes and the number of distinct kcmp groups among the tasks alive then.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/recjob.h"
#include "model/recording.h"
#include "sample/task.h"

/* the counters of struct comparison_track used here, at its indices */
enum { T_UTIME, T_STIME, T_VCTX, T_ICTX, T_NFIELDS };


/* Each row: the live compare's metric it is (CMP_* + 1; 0 for none), and its own key, label
 * and unit where the live row's words do not fit a recording (none: the live row's). */
static const struct {
	int live;
	struct comparison_info own;
} rows[RJ_COUNT] = {
	[RJ_PROCS] = { .live = CMP_PROCS + 1 },
	[RJ_THREADS] = { .live = CMP_THREADS + 1 },
	[RJ_SPACES] = { .live = CMP_SPACES + 1 },
	[RJ_FILES] = { .live = CMP_FILES + 1 },
	[RJ_FS] = { .live = CMP_FS + 1 },
	[RJ_SIGHAND] = { .live = CMP_SIGHAND + 1 },
	[RJ_RSS_PEAK] = { .live = CMP_RSS_PEAK + 1 },
	[RJ_RSS_LAST] = { 0, { "rss_sum_last", "RSS sum, last (naive)", CU_BYTES, true } },
	[RJ_PSS_PEAK] = { .live = CMP_PSS_PEAK + 1 },
	[RJ_PSS_LAST] = { 0, { "pss_sum_last", "PSS sum, last", CU_BYTES, true } },
	[RJ_USS_PEAK] = { .live = CMP_USS_PEAK + 1 },
	[RJ_USS_LAST] = { 0, { "uss_sum_last", "USS sum, last", CU_BYTES, true } },
	[RJ_SHARED_PEAK] = { .live = CMP_SHARED_PEAK + 1 },
	[RJ_SHARED_LAST] = { 0, { "shared_sum_last", "shared sum, last", CU_BYTES, true } },
	[RJ_SWAP_PEAK] = { 0, { "swap_sum_peak", "swap sum, peak", CU_BYTES, true } },
	[RJ_SWAP_LAST] = { 0, { "swap_sum_last", "swap sum, last", CU_BYTES, true } },
	[RJ_PTE_PEAK] = { .live = CMP_PTE_PEAK + 1 },
	[RJ_PTE_LAST] = { 0, { "page_tables_last", "page tables, last", CU_BYTES, true } },
	[RJ_CPU_USER] = { CMP_CPU_USER + 1,
			  { "cpu_user", "CPU user (sampled)", CU_SECONDS, true } },
	[RJ_CPU_SYS] = { CMP_CPU_SYS + 1,
			 { "cpu_system", "CPU system (sampled)", CU_SECONDS, true } },
	[RJ_VCTX] = { .live = CMP_VCTX + 1 },
	[RJ_ICTX] = { .live = CMP_ICTX + 1 },
	[RJ_WALL] = { CMP_WALL + 1,
		      { "wall", "recorded time (first to last sample)", CU_SECONDS, true } },
	[RJ_SAMPLES] = { .live = CMP_SAMPLES + 1 },
	[RJ_MEM_SAMPLES] = { 0, { "memory_samples", "memory samples", CU_COUNT, false } },
};

const struct comparison_info *recjob_info(enum recjob_metric m)
{
	if ((unsigned)m >= RJ_COUNT)
		return NULL;
	if (rows[m].own.key)
		return &rows[m].own;
	return comparison_info((enum comparison_metric)(rows[m].live - 1));
}

int recjob_comparison_side(const struct recjob *j, const char *label, const char *name,
			   struct comparison_side *cs)
{
	int rc = comparison_side_init(cs, label, name, NULL, 0);

	if (rc)
		return rc;
	for (int m = 0; m < RJ_COUNT; m++) {
		struct comparison_value *v;

		if (!rows[m].live)
			continue;
		v = &cs->m[rows[m].live - 1];
		v->known = j->m[m].known;
		v->v = j->m[m].v;
		v->why = TS_NA;
	}
	/* no spread: a recording's lowest memory sample is mostly its job's start or end, not
	 * the noise of a steady run, so the peaks are compared by the factor alone */
	cs->mem_samples = 0;
	return 0;
}

void recjob_free(struct recjob *j)
{
	comparison_tracks_free(j->tracks, j->ntracks);
	memset(j, 0, sizeof(*j));
}

/* Kept at the precision the report prints, so that B/A can be checked from it. */
static void set(struct recjob *j, enum recjob_metric m, double v)
{
	j->m[m].known = true;
	j->m[m].v = recjob_info(m)->unit == CU_SECONDS ? round(v * 1e6) / 1e6 : round(v);
}

static void set_at(struct recjob *j, enum recjob_metric m, double v, double at)
{
	set(j, m, v);
	j->m[m].has_at = true;
	j->m[m].at = at;
}

/* The track of t among the first nsorted tracks, or a new one after them (the live
 * compare's; a task there before the recording began counts from its first sample, one
 * born during it from zero). */
static struct comparison_track *track_of(struct recjob *j, const struct task *t, size_t nsorted)
{
	return comparison_track_of(&j->tracks, &j->ntracks, &j->cap, j->window_ticks, t,
				   nsorted);
}

static int add_tasks(struct recjob *j, const struct snapshot *sn)
{
	size_t nsorted = j->ntracks;

	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		struct comparison_track *k = track_of(j, t, nsorted);

		if (!k) {
			comparison_tracks_sort(j->tracks, j->ntracks);
			return -ENOMEM;
		}
		comparison_track_counters(k, t);	/* migrations: not recorded, not used */
	}
	if (j->ntracks > nsorted)
		comparison_tracks_sort(j->tracks, j->ntracks);
	return 0;
}

/* One memory sample's sums over its live processes; a sample where no process had its
 * footprint read (the job's end: its process gone or a zombie) is not one. */
static void add_memory(struct recjob *j, const struct snapshot *mem, size_t *nmem)
{
	double sum[RECJOB_NMEM] = { 0 };
	bool have[RECJOB_NMEM] = { false };

	for (size_t i = 0; i < mem->ntasks; i++) {
		const struct task *t = &mem->tasks[i];
		bool sm = t->smaps_av == TS_OK, st = t->mem_av == TS_OK;
		const struct {
			bool ok;
			uint64_t v;
		} f[RECJOB_NMEM] = {
			{ t->rss_av == TS_OK, t->rss }, { sm, t->pss }, { sm, t->uss },
			{ sm, t->shared }, { st, t->swap }, { st, t->pte },
		};

		if (t->tid != t->tgid || t->state == 'Z' || t->state == 'X')
			continue;
		for (int k = 0; k < RECJOB_NMEM; k++) {
			if (!f[k].ok)
				continue;
			sum[k] += (double)f[k].v;
			have[k] = true;
		}
	}
	if (!have[1])
		return;
	(*nmem)++;
	for (int k = 0; k < RECJOB_NMEM; k++) {
		enum recjob_metric peak = (enum recjob_metric)(RJ_RSS_PEAK + 2 * k);

		if (!have[k])
			continue;
		j->mem_recorded = true;
		if (!j->m[peak].known || sum[k] > j->m[peak].v)
			set_at(j, peak, sum[k], mem->wall);
		set_at(j, peak + 1, sum[k], mem->wall);
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The distinct kcmp groups of the tasks alive at a memory sample. */
static int add_groups(struct recjob *j, struct recording *rec, double when)
{
	struct recording_group *g = NULL;
	int64_t *ids;
	size_t n = 0;
	int rc = recording_groups(rec, when, &g, &n);

	if (rc == -ENOENT) {
		j->groups_recorded = false;
		return 0;
	}
	if (rc)
		return rc;
	j->groups_recorded = true;
	ids = malloc((n + 1) * sizeof(*ids));
	if (!ids) {
		free(g);
		return -ENOMEM;
	}
	for (int res = 0; res < 4; res++) {
		enum recjob_metric m = (enum recjob_metric)(RJ_SPACES + res);
		size_t k = 0, distinct = 0;

		for (size_t i = 0; i < n; i++)
			if (g[i].grp[res])
				ids[k++] = g[i].grp[res];
		qsort(ids, k, sizeof(*ids), cmp_i64);
		for (size_t i = 0; i < k; i++)
			distinct += !i || ids[i] != ids[i - 1];
		if (!j->m[m].known || (double)distinct > j->m[m].v)
			set_at(j, m, (double)distinct, when);
	}
	free(ids);
	free(g);
	return 0;
}

/* Processes, threads, CPU time and switches from the tracks. */
static void finish(struct recjob *j, long hz)
{
	uint64_t sum[T_NFIELDS] = { 0 };
	size_t procs = 0;
	bool ctx_ok = true;

	for (size_t i = 0; i < j->ntracks; i++) {
		const struct comparison_track *k = &j->tracks[i];

		procs += k->tid == k->tgid;
		for (int f = 0; f < T_NFIELDS; f++)
			sum[f] += k->last[f] >= k->first[f] ? k->last[f] - k->first[f] : 0;
		ctx_ok &= k->ctxsw_ok;
	}
	set(j, RJ_PROCS, (double)procs);
	set(j, RJ_THREADS, (double)j->ntracks);
	if (hz > 0) {
		set(j, RJ_CPU_USER, (double)sum[T_UTIME] / (double)hz);
		set(j, RJ_CPU_SYS, (double)sum[T_STIME] / (double)hz);
	}
	if (ctx_ok) {
		set(j, RJ_VCTX, (double)sum[T_VCTX]);
		set(j, RJ_ICTX, (double)sum[T_ICTX]);
	}
	set(j, RJ_WALL, j->last - j->first);
}

int recjob_load(struct recording *rec, double from, double to, struct recjob *j)
{
	const struct snapshot *sn, *mem;
	const char *v;
	size_t nsamples = 0, nmem = 0;
	double boot, started = 0;
	long hz;
	int rc;

	memset(j, 0, sizeof(*j));
	recording_clock(rec, &hz, &boot);
	v = recording_meta(rec, "started");
	if (v)
		started = strtod(v, NULL);
	recording_rewind(rec);
	recording_set_range(rec, from, to, false);
	while ((rc = recording_next(rec, &sn, &mem)) == 0) {
		if (!nsamples++) {
			j->first = sn->wall;
			/* the recording's start when it is in the range, else this sample */
			if (!isfinite(started) || started <= 0 || started > sn->wall ||
			    (from > 0 && started < from))
				started = sn->wall;
			if (hz > 0 && started > boot)
				j->window_ticks = (uint64_t)((started - boot) * (double)hz);
		}
		j->last = sn->wall;
		rc = add_tasks(j, sn);
		if (!rc && mem) {
			add_memory(j, mem, &nmem);
			rc = add_groups(j, rec, sn->wall);
		}
		if (rc)
			return rc;
	}
	if (rc != -ENODATA)
		return rc;
	if (!nsamples)
		return -ENODATA;
	finish(j, hz);
	set(j, RJ_SAMPLES, (double)nsamples);
	set(j, RJ_MEM_SAMPLES, (double)nmem);
	return 0;
}

bool recjob_ratio(const struct recjob *a, const struct recjob *b, enum recjob_metric m,
		  double *r)
{
	if ((unsigned)m >= RJ_COUNT || !recjob_info(m)->ratio || !a->m[m].known || !b->m[m].known ||
	    a->m[m].v == 0 || !isfinite(a->m[m].v) || !isfinite(b->m[m].v))
		return false;
	*r = b->m[m].v / a->m[m].v;
	return true;
}
