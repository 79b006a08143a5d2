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


static const struct comparison_info infos[RJ_COUNT] = {
	[RJ_PROCS] = { "processes", "processes", CU_COUNT, true },
	[RJ_THREADS] = { "threads", "threads (tasks)", CU_COUNT, true },
	[RJ_SPACES] = { "address_spaces", "address spaces (kcmp VM)", CU_COUNT, true },
	[RJ_FILES] = { "fd_tables", "fd tables (kcmp FILES)", CU_COUNT, true },
	[RJ_FS] = { "fs_structs", "fs root/cwd (kcmp FS)", CU_COUNT, true },
	[RJ_SIGHAND] = { "sighand_tables", "signal handlers (kcmp SIGHAND)", CU_COUNT, true },
	[RJ_RSS_PEAK] = { "rss_sum_peak", "RSS sum, peak (naive)", CU_BYTES, true },
	[RJ_RSS_LAST] = { "rss_sum_last", "RSS sum, last (naive)", CU_BYTES, true },
	[RJ_PSS_PEAK] = { "pss_sum_peak", "PSS sum, peak", CU_BYTES, true },
	[RJ_PSS_LAST] = { "pss_sum_last", "PSS sum, last", CU_BYTES, true },
	[RJ_USS_PEAK] = { "uss_sum_peak", "USS sum, peak", CU_BYTES, true },
	[RJ_USS_LAST] = { "uss_sum_last", "USS sum, last", CU_BYTES, true },
	[RJ_SHARED_PEAK] = { "shared_sum_peak", "shared sum, peak", CU_BYTES, true },
	[RJ_SHARED_LAST] = { "shared_sum_last", "shared sum, last", CU_BYTES, true },
	[RJ_SWAP_PEAK] = { "swap_sum_peak", "swap sum, peak", CU_BYTES, true },
	[RJ_SWAP_LAST] = { "swap_sum_last", "swap sum, last", CU_BYTES, true },
	[RJ_PTE_PEAK] = { "page_tables_peak", "page tables, peak", CU_BYTES, true },
	[RJ_PTE_LAST] = { "page_tables_last", "page tables, last", CU_BYTES, true },
	[RJ_CPU_USER] = { "cpu_user", "CPU user (sampled)", CU_SECONDS, true },
	[RJ_CPU_SYS] = { "cpu_system", "CPU system (sampled)", CU_SECONDS, true },
	[RJ_VCTX] = { "voluntary_switches", "voluntary switches", CU_COUNT, true },
	[RJ_ICTX] = { "involuntary_switches", "involuntary switches", CU_COUNT, true },
	[RJ_WALL] = { "wall", "recorded time (first to last sample)", CU_SECONDS, true },
	[RJ_SAMPLES] = { "samples", "samples", CU_COUNT, false },
	[RJ_MEM_SAMPLES] = { "memory_samples", "memory samples", CU_COUNT, false },
};

const struct comparison_info *recjob_info(enum recjob_metric m)
{
	return (unsigned)m < RJ_COUNT ? &infos[m] : NULL;
}

int recjob_comparison_side(const struct recjob *j, const char *label, const char *name,
			   struct comparison_side *cs)
{
	static const struct {
		enum recjob_metric r;
		enum comparison_metric c;
	} map[] = {
		{ RJ_PROCS, CMP_PROCS }, { RJ_THREADS, CMP_THREADS }, { RJ_SPACES, CMP_SPACES },
		{ RJ_FILES, CMP_FILES }, { RJ_FS, CMP_FS }, { RJ_SIGHAND, CMP_SIGHAND },
		{ RJ_RSS_PEAK, CMP_RSS_PEAK }, { RJ_PSS_PEAK, CMP_PSS_PEAK },
		{ RJ_USS_PEAK, CMP_USS_PEAK }, { RJ_SHARED_PEAK, CMP_SHARED_PEAK },
		{ RJ_PTE_PEAK, CMP_PTE_PEAK }, { RJ_CPU_USER, CMP_CPU_USER },
		{ RJ_CPU_SYS, CMP_CPU_SYS }, { RJ_VCTX, CMP_VCTX }, { RJ_ICTX, CMP_ICTX },
		{ RJ_WALL, CMP_WALL },
	};
	int rc = comparison_side_init(cs, label, name, NULL, 0);

	if (rc)
		return rc;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		cs->m[map[i].c].known = j->m[map[i].r].known;
		cs->m[map[i].c].v = j->m[map[i].r].v;
		cs->m[map[i].c].why = TS_NA;
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
	j->m[m].v = infos[m].unit == CU_SECONDS ? round(v * 1e6) / 1e6 : round(v);
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
		k->last[T_UTIME] = t->utime_ticks;
		k->last[T_STIME] = t->stime_ticks;
		if (t->ctxsw_av == TS_OK) {
			k->last[T_VCTX] = t->vctx;
			k->last[T_ICTX] = t->ictx;
		} else if (t->ctxsw_av != TS_GONE) {
			k->ctxsw_ok = false;
		}
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
	if ((unsigned)m >= RJ_COUNT || !infos[m].ratio || !a->m[m].known || !b->m[m].known ||
	    a->m[m].v == 0 || !isfinite(a->m[m].v) || !isfinite(b->m[m].v))
		return false;
	*r = b->m[m].v / a->m[m].v;
	return true;
}
