/* SPDX-License-Identifier: GPL-2.0-or-later */
/* comparison.c - the measures of one side of a compare, accumulated over its samples
 *
 * A side is a set of tasks sampled many times while it runs. Each sample adds the tasks it
 * has not seen before (by TID and start time), their last CPU, CPU time, switches and
 * migrations, the memory sums over its processes, and how many distinct address spaces,
 * file tables, fs structs and signal handler tables its live tasks have (kcmp). The
 * finish step turns that into the rows of the report.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/comparison.h"
#include "model/sharing.h"
#include "sample/kcmp.h"

enum { T_UTIME, T_STIME, T_VCTX, T_ICTX, T_MIGR };
enum { M_RSS, M_PSS, M_USS, M_SHARED, M_PTE };

/* One task of a sample that waits (see comparison_side.pending). */
struct pending_row {
	pid_t tid, tgid;
	uint64_t start;		/* with tid, the task's track */
	bool live;		/* not a zombie */
	bool mem_ok;		/* a process's main thread with its memory read */
	double mem[5];
	long grp[4];		/* its kcmp group per resource; -1 left out */
};

struct comparison_pending {
	struct pending_row *rows;
	size_t n;
	int grc[4];		/* 0: grp[] measured; else why not (-ESRCH: a task ended) */
};

static const struct comparison_info infos[CMP_COUNT] = {
	[CMP_PROCS] = { "processes", "processes", CU_COUNT, true },
	[CMP_THREADS] = { "threads", "threads (tasks)", CU_COUNT, true },
	[CMP_SPACES] = { "address_spaces", "address spaces (kcmp VM)", CU_COUNT, true },
	[CMP_FILES] = { "fd_tables", "fd tables (kcmp FILES)", CU_COUNT, true },
	[CMP_FS] = { "fs_structs", "fs root/cwd (kcmp FS)", CU_COUNT, true },
	[CMP_SIGHAND] = { "sighand_tables", "signal handlers (kcmp SIGHAND)", CU_COUNT, true },
	[CMP_RSS_PEAK] = { "rss_sum_peak", "RSS sum, peak (naive)", CU_BYTES, true },
	[CMP_RSS_AVG] = { "rss_sum_avg", "RSS sum, average (naive)", CU_BYTES, true },
	[CMP_PSS_PEAK] = { "pss_sum_peak", "PSS sum, peak", CU_BYTES, true },
	[CMP_PSS_AVG] = { "pss_sum_avg", "PSS sum, average", CU_BYTES, true },
	[CMP_USS_PEAK] = { "uss_sum_peak", "USS sum, peak", CU_BYTES, true },
	[CMP_USS_AVG] = { "uss_sum_avg", "USS sum, average", CU_BYTES, true },
	[CMP_SHARED_PEAK] = { "shared_sum_peak", "shared sum, peak", CU_BYTES, true },
	[CMP_SHARED_AVG] = { "shared_sum_avg", "shared sum, average", CU_BYTES, true },
	[CMP_PTE_PEAK] = { "page_tables_peak", "page tables, peak", CU_BYTES, true },
	[CMP_PTE_AVG] = { "page_tables_avg", "page tables, average", CU_BYTES, true },
	[CMP_KSTACK] = { "kernel_stacks_estimate", "kernel stacks (estimate)", CU_BYTES, true },
	[CMP_STARTED] = { "last_task_started", "last task started after", CU_SECONDS, true },
	[CMP_READY] = { "workers_ready", "all workers ready after", CU_SECONDS, true },
	[CMP_CPU_USER] = { "cpu_user", "CPU user", CU_SECONDS, true },
	[CMP_CPU_SYS] = { "cpu_system", "CPU system", CU_SECONDS, true },
	[CMP_WALL] = { "wall", "wall time", CU_SECONDS, true },
	[CMP_PARALLEL] = { "parallelism", "parallelism (CPU / wall)", CU_FACTOR, true },
	[CMP_VCTX] = { "voluntary_switches", "voluntary switches", CU_COUNT, true },
	[CMP_ICTX] = { "involuntary_switches", "involuntary switches", CU_COUNT, true },
	[CMP_MIGR] = { "migrations", "migrations", CU_COUNT, true },
	[CMP_SYSBUSY] = { "system_cpu_busy", "all CPUs busy (system)", CU_PERCENT, false },
	[CMP_EXIT] = { "exit_status", "exit status", CU_STATUS, false },
	[CMP_SAMPLES] = { "samples", "samples", CU_COUNT, false },
};

const struct comparison_info *comparison_info(enum comparison_metric m)
{
	return (unsigned)m < CMP_COUNT ? &infos[m] : NULL;
}

uint64_t comparison_thread_size(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	return 16384;	/* THREAD_SIZE without KASAN */
#else
	return 0;
#endif
}

uint64_t comparison_boot_ticks(void)
{
	struct timespec ts;
	long hz = sampler_hertz();

	if (clock_gettime(CLOCK_BOOTTIME, &ts) || hz <= 0)
		return 0;
	return (uint64_t)ts.tv_sec * (uint64_t)hz +
	       (uint64_t)ts.tv_nsec / (1000000000UL / (uint64_t)hz);
}

int comparison_side_init(struct comparison_side *s, const char *label, const char *name,
			 const char *command, uint64_t window_ticks)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->name = strdup(name);
	if (command)
		s->command = util_sanitize_dup(command, strlen(command));
	s->window_ticks = window_ticks;
	for (int i = 0; i < 4; i++)
		s->groups_rc[i] = -ENODATA;
	if (!s->name || (command && !s->command)) {
		comparison_side_free(s);
		return -ENOMEM;
	}
	return 0;
}

void comparison_side_free(struct comparison_side *s)
{
	comparison_tracks_free(s->tracks, s->ntracks);
	for (size_t i = 0; i < s->npending; i++)
		free(s->pending[i].rows);
	free(s->pending);
	free(s->name);
	free(s->command);
	free(s->work);
	memset(s, 0, sizeof(*s));
}

static int cmp_track(const void *a, const void *b)
{
	const struct comparison_track *x = a, *y = b;

	if (x->tid != y->tid)
		return UTIL_CMP(x->tid, y->tid);
	return UTIL_CMP(x->start, y->start);
}

void comparison_track_counters(struct comparison_track *k, const struct task *t)
{
	k->last[T_UTIME] = t->utime_ticks;
	k->last[T_STIME] = t->stime_ticks;
	if (t->ctxsw_av == TS_OK) {
		k->last[T_VCTX] = t->vctx;
		k->last[T_ICTX] = t->ictx;
	} else if (t->ctxsw_av != TS_GONE) {
		k->ctxsw_ok = false;
	}
	if (t->sched_av == TS_OK)
		k->last[T_MIGR] = t->migrations;
	else if (t->sched_av != TS_GONE)
		k->migr_ok = false;
}

struct comparison_track *comparison_track_of(struct comparison_track **v, size_t *n,
					     size_t *cap, uint64_t window_ticks,
					     const struct task *t, size_t nsorted)
{
	struct comparison_track key = { .tid = t->tid, .start = t->start_ticks }, *k;

	if (nsorted) {
		k = bsearch(&key, *v, nsorted, sizeof(key), cmp_track);
		if (k)
			return k;
	}
	if (util_grow(v, cap, *n, 64, sizeof(**v)))
		return NULL;
	key.tgid = t->tgid;
	key.comm = strdup(t->comm ? t->comm : "");
	if (!key.comm)
		return NULL;
	key.ctxsw_ok = t->ctxsw_av == TS_OK;
	key.migr_ok = t->sched_av == TS_OK;
	/* a task that was there before the run began counts from now on, one born during
	 * it counts from zero */
	if (t->start_ticks < window_ticks) {
		key.first[T_UTIME] = t->utime_ticks;
		key.first[T_STIME] = t->stime_ticks;
		key.first[T_VCTX] = t->vctx;
		key.first[T_ICTX] = t->ictx;
		key.first[T_MIGR] = t->migrations;
	}
	(*v)[(*n)++] = key;
	return &(*v)[*n - 1];
}

void comparison_tracks_sort(struct comparison_track *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_track);
}

void comparison_tracks_free(struct comparison_track *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].comm);
	free(v);
}

/* The track of task t in side s (comparison_track_of). */
static struct comparison_track *track_of(struct comparison_side *s, const struct task *t,
					 size_t nsorted)
{
	return comparison_track_of(&s->tracks, &s->ntracks, &s->cap, s->window_ticks, t,
				   nsorted);
}

static const enum kcmp_res group_res[4] = {
	KCMP_RES_VM, KCMP_RES_FILES, KCMP_RES_FS, KCMP_RES_SIGHAND
};

/*
 * The tasks of launchers in this sample: a single-threaded process that is not running and
 * has a child process among the side's that runs another program (its command line is not
 * the one it was forked with): a shell or wrapper waiting for the program it started, as
 * pyenv's shims or `sh -c 'prog; ...'` do. A parent waiting for children it forked to work
 * (the workload of --workers, multiprocessing) is the workload, not a launcher. Its memory and kernel resources are
 * not the workload's: they are left out, and it is counted apart. *out is malloc'ed (a
 * flag per task of sn), NULL when sn has none.
 */
static int find_launchers(const struct snapshot *sn, bool **out)
{
	bool *mark = NULL;

	*out = NULL;
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		bool alone = (i == 0 || sn->tasks[i - 1].tgid != t->tgid) &&
			     (i + 1 == sn->ntasks || sn->tasks[i + 1].tgid != t->tgid);
		bool parent = false;

		if (t->tid != t->tgid || !alone || t->state == 'R' || t->state == 'Z')
			continue;
		for (size_t j = 0; j < sn->ntasks && !parent; j++)
			parent = sn->tasks[j].tid == sn->tasks[j].tgid && j != i &&
				 sn->tasks[j].ppid == t->tgid && t->cmd && sn->tasks[j].cmd &&
				 strcmp(t->cmd, sn->tasks[j].cmd) != 0;
		if (!parent)
			continue;
		if (!mark && !(mark = calloc(sn->ntasks, sizeof(*mark))))
			return -ENOMEM;
		mark[i] = true;
	}
	*out = mark;
	return 0;
}

/* The kcmp groups of the sample's live tasks, into rows[].grp and p->grc. VM is compared
 * last: a task that exits drops its address space first (before its files, fs and signal
 * handlers), and kcmp then sees "no address space", a group of its own; a thread whose
 * address space is not its process leader's is such a task, and it is left out. */
static int group_rows(struct comparison_pending *p)
{
	static const int order[4] = { 1, 2, 3, 0 };	/* FILES, FS, SIGHAND, VM */
	pid_t *tids = malloc((p->n + 1) * sizeof(*tids));
	size_t *grp = malloc((p->n + 1) * sizeof(*grp)), *row = malloc((p->n + 1) * sizeof(*row));
	size_t n = 0;
	int rc = 0;

	if (!tids || !grp || !row) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		for (int r = 0; r < 4; r++)
			p->rows[i].grp[r] = -1;
		if (p->rows[i].live) {
			row[n] = i;
			tids[n++] = p->rows[i].tid;
		}
	}
	for (int o = 0; o < 4; o++) {
		int r = order[o];
		size_t ng = 0;

		p->grc[r] = n ? sharing_kcmp_group(tids, n, group_res[r], grp, &ng) : -ENODATA;
		if (p->grc[r] == -ENOMEM) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t j = 0; !p->grc[r] && j < n; j++)
			p->rows[row[j]].grp[r] = (long)grp[j];
	}
	if (p->grc[0])
		goto out;
	for (size_t j = 0; j < n; j++) {
		struct pending_row *w = &p->rows[row[j]];

		if (w->tid == w->tgid)
			continue;
		for (size_t l = 0; l < n; l++) {
			const struct pending_row *lead = &p->rows[row[l]];

			if (lead->tid == w->tgid && lead->grp[0] != w->grp[0]) {
				for (int r = 0; r < 4; r++)
					w->grp[r] = -1;
				break;
			}
		}
	}
out:
	free(tids);
	free(grp);
	free(row);
	return rc;
}

/* Whether the task of a row is (now known as) a launcher. */
static bool row_launcher(const struct comparison_side *s, const struct pending_row *w)
{
	struct comparison_track key = { .tid = w->tid, .start = w->start };
	const struct comparison_track *k;

	k = bsearch(&key, s->tracks, s->ntracks, sizeof(key), cmp_track);
	return k && k->launcher;
}

/* Add the oldest waiting sample to the sums, launchers (as known now) left out. */
static void settle_oldest(struct comparison_side *s)
{
	struct comparison_pending *p = &s->pending[0];
	double mem[5] = { 0 };
	bool have_mem = false, *in = calloc(p->n + 1, sizeof(*in));
	unsigned char *seen = calloc(p->n + 1, 1);
	size_t live = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct pending_row *w = &p->rows[i];

		if (row_launcher(s, w))
			continue;
		if (in)
			in[i] = true;
		live += w->live;
		if (!w->mem_ok)
			continue;
		for (int f = 0; f < 5; f++)
			mem[f] += w->mem[f];
		have_mem = true;
	}
	if (live > s->tasks_peak)
		s->tasks_peak = live;
	if (have_mem) {
		s->mem_samples++;
		for (int f = 0; f < 5; f++) {
			s->mem_sum[f] += mem[f];
			if (mem[f] > s->mem_peak[f])
				s->mem_peak[f] = mem[f];
			if (s->mem_samples == 1 || mem[f] < s->mem_low[f])
				s->mem_low[f] = mem[f];
		}
	}
	for (int r = 0; r < 4 && in && seen; r++) {
		size_t ng = 0;

		if (p->grc[r]) {
			/* a task that ended meanwhile (ESRCH) spoils this sample only */
			if (p->grc[r] != -ESRCH && p->grc[r] != -ENODATA && s->groups_rc[r])
				s->groups_rc[r] = p->grc[r];
			continue;
		}
		memset(seen, 0, p->n + 1);
		for (size_t i = 0; i < p->n; i++) {
			long g = p->rows[i].grp[r];

			if (in[i] && g >= 0 && (size_t)g < p->n && !seen[g]) {
				seen[g] = 1;
				ng++;
			}
		}
		s->groups_rc[r] = 0;
		if (ng > s->groups_max[r])
			s->groups_max[r] = ng;
	}
	free(in);
	free(seen);
	s->pending_rows -= p->n;
	free(p->rows);
	memmove(s->pending, s->pending + 1, --s->npending * sizeof(*s->pending));
}

/* The rows of a sample, kept until enough later samples are in. */
static int keep_pending(struct comparison_side *s, const struct snapshot *sn)
{
	struct comparison_pending p = { .n = sn->ntasks };
	int rc;

	if (util_grow(&s->pending, &s->pending_cap, s->npending, 16, sizeof(*s->pending)))
		return -ENOMEM;
	p.rows = calloc(p.n + 1, sizeof(*p.rows));
	if (!p.rows)
		return -ENOMEM;
	for (size_t i = 0; i < p.n; i++) {
		const struct task *t = &sn->tasks[i];
		struct pending_row *w = &p.rows[i];

		w->tid = t->tid;
		w->tgid = t->tgid;
		w->start = t->start_ticks;
		w->live = t->state != 'Z' && t->state != 'X';
		w->mem_ok = t->tid == t->tgid && t->smaps_av == TS_OK && t->mem_av == TS_OK;
		w->mem[M_RSS] = (double)t->rss;
		w->mem[M_PSS] = (double)t->pss;
		w->mem[M_USS] = (double)t->uss;
		w->mem[M_SHARED] = (double)t->shared;
		w->mem[M_PTE] = (double)t->pte;
	}
	rc = group_rows(&p);
	if (rc) {
		free(p.rows);
		return rc;
	}
	s->pending[s->npending++] = p;
	s->pending_rows += p.n;
	while (s->npending > 1 && s->pending_rows > COMPARISON_PENDING_ROWS)
		settle_oldest(s);
	return 0;
}

int comparison_side_sample(struct comparison_side *s, const struct snapshot *sn)
{
	bool *launcher = NULL;
	size_t nsorted = s->ntracks;

	if (sn->cpu_busy >= 0 && sn->interval > 0) {
		s->busy_sum += sn->cpu_busy * sn->interval;
		s->busy_time += sn->interval;
	}
	if (!sn->ntasks)
		return 0;
	if (find_launchers(sn, &launcher))
		return -ENOMEM;
	s->nsamples++;
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];
		struct comparison_track *k = track_of(s, t, nsorted);

		if (!k) {
			qsort(s->tracks, s->ntracks, sizeof(*s->tracks), cmp_track);
			free(launcher);
			return -ENOMEM;
		}
		if (t->comm && strcmp(k->comm, t->comm)) {
			/* the name it has now (after an exec, or a thread that named itself) */
			char *c = strdup(t->comm);

			if (!c) {
				qsort(s->tracks, s->ntracks, sizeof(*s->tracks), cmp_track);
				free(launcher);
				return -ENOMEM;
			}
			free(k->comm);
			k->comm = c;
		}
		if (launcher && launcher[i])
			k->launcher = true;
		comparison_track_counters(k, t);
		if (t->cpu >= 0 && t->cpu < 64)
			k->cpus |= UINT64_C(1) << t->cpu;
		else if (t->cpu >= 64)
			k->cpu_high = true;
		/* the process's own memory is read from its main thread's row */
		if (t->tid == t->tgid && (t->smaps_av == TS_DENIED || t->mem_av == TS_DENIED))
			s->mem_denied = true;
	}
	free(launcher);
	if (s->ntracks > nsorted)
		qsort(s->tracks, s->ntracks, sizeof(*s->tracks), cmp_track);
	return keep_pending(s, sn);
}

/* Values are kept at the precision the report prints (whole bytes and counts, seconds to
 * the microsecond, factors to 1/10000), so that B/A can be checked from the report. */
static void set(struct comparison_side *s, enum comparison_metric m, double v)
{
	switch (infos[m].unit) {
	case CU_SECONDS:
		v = round(v * 1e6) / 1e6;
		break;
	case CU_FACTOR:
		v = round(v * 1e4) / 1e4;
		break;
	case CU_PERCENT:
		v = round(v * 10) / 10;
		break;
	default:
		v = round(v);
		break;
	}
	s->m[m].known = true;
	s->m[m].v = v;
}

static void unknown(struct comparison_side *s, enum comparison_metric m, enum ts_avail why)
{
	s->m[m].known = false;
	s->m[m].why = why;
}

static enum ts_avail avail_of(int rc)
{
	if (rc == -EPERM || rc == -EACCES)
		return TS_DENIED;
	if (rc == -ENOSYS || rc == -EOPNOTSUPP)
		return TS_UNSUPPORTED;
	return TS_NA;
}

/* Who was left out as a launcher, and which program did the work: the name of the
 * workload task with the most CPU time (the first seen on a tie). */
static void note_launchers(struct comparison_side *s)
{
	uint64_t best = 0;
	const char *work = NULL;
	size_t off = 0;

	s->launchers = 0;
	s->launcher_names[0] = '\0';
	for (size_t i = 0; i < s->ntracks; i++) {
		const struct comparison_track *k = &s->tracks[i];
		uint64_t cpu = k->last[T_UTIME] + k->last[T_STIME];

		if (k->launcher) {
			if (k->tid != k->tgid)
				continue;
			s->launchers++;
			if (off + strlen(k->comm) + 3 < sizeof(s->launcher_names) &&
			    !strstr(s->launcher_names, k->comm))
				off += (size_t)snprintf(s->launcher_names + off,
							sizeof(s->launcher_names) - off, "%s%s",
							off ? ", " : "", k->comm);
			continue;
		}
		if (!work || cpu > best) {
			best = cpu;
			work = k->comm;
		}
	}
	free(s->work);
	s->work = work ? strdup(work) : NULL;
}

void comparison_side_finish(struct comparison_side *s, const struct comparison_run *run)
{
	static const enum comparison_metric peak[5] = {
		CMP_RSS_PEAK, CMP_PSS_PEAK, CMP_USS_PEAK, CMP_SHARED_PEAK, CMP_PTE_PEAK
	};
	double hz = (double)sampler_hertz();
	uint64_t sum[5] = { 0 }, last_start = 0;
	size_t procs = 0, tasks = 0;
	bool ctx_ok = true, migr_ok = true;

	while (s->npending)
		settle_oldest(s);
	for (int m = 0; m < CMP_COUNT; m++)
		unknown(s, (enum comparison_metric)m, TS_NA);
	note_launchers(s);
	for (size_t i = 0; i < s->ntracks; i++) {
		const struct comparison_track *k = &s->tracks[i];

		if (k->tid == k->tgid && !k->launcher)
			procs++;
		if (!k->launcher)
			tasks++;
		for (int f = 0; f < 5; f++)
			sum[f] += k->last[f] >= k->first[f] ? k->last[f] - k->first[f] : 0;
		ctx_ok &= k->ctxsw_ok;
		migr_ok &= k->migr_ok;
		if (k->start > last_start)
			last_start = k->start;
	}
	set(s, CMP_SAMPLES, (double)s->nsamples);
	set(s, CMP_EXIT, 0);
	if (run->have_exit)
		set(s, CMP_EXIT, run->exit_code);
	else
		unknown(s, CMP_EXIT, TS_NA);
	set(s, CMP_WALL, run->wall);
	if (s->busy_time > 0)
		set(s, CMP_SYSBUSY, s->busy_sum / s->busy_time);
	if (run->have_ready)
		set(s, CMP_READY, run->ready);
	if (run->have_rusage) {
		set(s, CMP_CPU_USER, run->ru_user);
		set(s, CMP_CPU_SYS, run->ru_sys);
		set(s, CMP_VCTX, (double)run->ru_nvcsw);
		set(s, CMP_ICTX, (double)run->ru_nivcsw);
	}
	if (!s->ntracks)
		goto cpu;
	set(s, CMP_PROCS, (double)procs);
	set(s, CMP_THREADS, (double)tasks);
	for (int r = 0; r < 4; r++) {
		if (s->groups_rc[r] == 0)
			set(s, (enum comparison_metric)(CMP_SPACES + r), (double)s->groups_max[r]);
		else
			unknown(s, (enum comparison_metric)(CMP_SPACES + r),
				avail_of(s->groups_rc[r]));
	}
	for (int i = 0; i < 5; i++) {
		if (s->mem_samples) {
			set(s, peak[i], s->mem_peak[i]);
			set(s, peak[i] + 1, s->mem_sum[i] / (double)s->mem_samples);
		} else {
			unknown(s, peak[i], s->mem_denied ? TS_DENIED : TS_NA);
			unknown(s, peak[i] + 1, s->mem_denied ? TS_DENIED : TS_NA);
		}
	}
	if (!s->tasks_peak)
		unknown(s, CMP_KSTACK, TS_NA);	/* no sample saw a live task */
	else if (comparison_thread_size())
		set(s, CMP_KSTACK, (double)(s->tasks_peak * comparison_thread_size()));
	else
		unknown(s, CMP_KSTACK, TS_UNSUPPORTED);
	if (run->spawned && hz > 0)
		set(s, CMP_STARTED, last_start > run->window_ticks
				    ? (double)(last_start - run->window_ticks) / hz : 0);
	if (!run->have_rusage && hz > 0) {
		set(s, CMP_CPU_USER, (double)sum[T_UTIME] / hz);
		set(s, CMP_CPU_SYS, (double)sum[T_STIME] / hz);
		if (ctx_ok) {
			set(s, CMP_VCTX, (double)sum[T_VCTX]);
			set(s, CMP_ICTX, (double)sum[T_ICTX]);
		} else {
			unknown(s, CMP_VCTX, TS_UNSUPPORTED);
			unknown(s, CMP_ICTX, TS_UNSUPPORTED);
		}
	}
	if (migr_ok)
		set(s, CMP_MIGR, (double)sum[T_MIGR]);
	else
		unknown(s, CMP_MIGR, TS_UNSUPPORTED);
cpu:
	if (s->m[CMP_CPU_USER].known && s->m[CMP_CPU_SYS].known && run->wall > 0)
		set(s, CMP_PARALLEL, (s->m[CMP_CPU_USER].v + s->m[CMP_CPU_SYS].v) / run->wall);
}

bool comparison_ratio(const struct comparison_side *a, const struct comparison_side *b,
		      enum comparison_metric m, double *r)
{
	if ((unsigned)m >= CMP_COUNT || !infos[m].ratio || !a->m[m].known || !b->m[m].known ||
	    a->m[m].v == 0 || !isfinite(a->m[m].v) || !isfinite(b->m[m].v))
		return false;
	*r = b->m[m].v / a->m[m].v;
	return true;
}

/* The index into mem_peak/mem_low of a memory peak metric, -1 for another. */
static int mem_index(enum comparison_metric m)
{
	switch (m) {
	case CMP_RSS_PEAK: return 0;
	case CMP_PSS_PEAK: return 1;
	case CMP_USS_PEAK: return 2;
	case CMP_SHARED_PEAK: return 3;
	case CMP_PTE_PEAK: return 4;
	default: return -1;
	}
}

enum comparison_verdict comparison_verdict(const struct comparison_side *a,
					   const struct comparison_side *b,
					   enum comparison_metric m, double *r)
{
	int i = mem_index(m);

	if (!comparison_ratio(a, b, m, r))
		return CMP_UNKNOWN;
	if (*r < COMPARISON_SAME_FACTOR && *r > 1 / COMPARISON_SAME_FACTOR)
		return CMP_SAME;
	if (i >= 0 && a->mem_samples && b->mem_samples) {
		/* the samples' spread: the ranges [lowest, peak] of the two must not overlap */
		if (*r > 1 && b->mem_low[i] <= a->mem_peak[i])
			return CMP_SAME;
		if (*r < 1 && a->mem_low[i] <= b->mem_peak[i])
			return CMP_SAME;
	}
	return *r > 1 ? CMP_B_MORE : CMP_A_MORE;
}
