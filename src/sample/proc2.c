/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc2.c - task enumeration and standard fields through libproc2 (the only libproc2 user) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/misc.h>
#include <libproc2/pids.h>
#include <libproc2/stat.h>

#include "lib/util.h"
#include "sample/proc2.h"
#include "sample/taskfiles.h"

/* libproc2 4.0.5 dropped the fourth (info) argument of PIDS_VAL. */
#ifdef HAVE_PIDS_VAL3
#define VAL(idx, type, stack, info) PIDS_VAL(idx, type, stack)
#else
#define VAL(idx, type, stack, info) PIDS_VAL(idx, type, stack, info)
#endif

#define PF_KTHREAD 0x00200000UL

/* Items of the process pass: everything here comes from /proc/PID/stat (or the directory). */
enum {
	T_TGID, T_PPID, T_EUID, T_STATE, T_NLWP, T_CPU, T_PRIO, T_NICE, T_POLICY,
	T_START, T_UTIME, T_STIME, T_MINFLT, T_MAJFLT, T_VSIZE, T_FLAGS, T_COMM,
	T_RES,		/* last: only when RD_RSS wants statm (see proc2_open) */
	T_NITEMS
};
static enum pids_item task_items[T_NITEMS] = {
	[T_TGID] = PIDS_ID_TGID, [T_PPID] = PIDS_ID_PPID,
	[T_EUID] = PIDS_ID_EUID, [T_STATE] = PIDS_STATE, [T_NLWP] = PIDS_NLWP,
	[T_CPU] = PIDS_PROCESSOR, [T_PRIO] = PIDS_PRIORITY, [T_NICE] = PIDS_NICE,
	[T_POLICY] = PIDS_SCHED_CLASS, [T_START] = PIDS_TICS_BEGAN,
	[T_UTIME] = PIDS_TICS_USER, [T_STIME] = PIDS_TICS_SYSTEM,
	[T_MINFLT] = PIDS_FLT_MIN, [T_MAJFLT] = PIDS_FLT_MAJ, [T_VSIZE] = PIDS_VSIZE_BYTES,
	[T_FLAGS] = PIDS_FLAGS, [T_COMM] = PIDS_CMD, [T_RES] = PIDS_MEM_RES,
};

/* The process pass when no column needs stat (say -o pid,pss): libproc2 then reads no file,
 * it only lists /proc and stat()s each directory. */
enum { B_TGID, B_EUID, B_RES, B_NITEMS };
static enum pids_item bare_items[B_NITEMS] = {
	[B_TGID] = PIDS_ID_TGID, [B_EUID] = PIDS_ID_EUID, [B_RES] = PIDS_MEM_RES,
};

/* Items of the per-process pass that only a process has: its command line. */
enum { P_PID, P_START, P_CMDLINE, P_NITEMS };
static enum pids_item proc_items[P_NITEMS] = {
	[P_PID] = PIDS_ID_PID, [P_START] = PIDS_TICS_BEGAN, [P_CMDLINE] = PIDS_CMDLINE_V,
};

enum { L_PID, L_PPID, L_EUID, L_START, L_COMM, L_NITEMS };
static enum pids_item light_items[L_NITEMS] = {
	[L_PID] = PIDS_ID_PID, [L_PPID] = PIDS_ID_PPID, [L_EUID] = PIDS_ID_EUID,
	[L_START] = PIDS_TICS_BEGAN, [L_COMM] = PIDS_CMD,
};

struct proc2 {
	unsigned readers;
	struct pids_info *tasks;	/* stat items (or bare_items), processes */
	bool bare;			/* no stat items: RD_STAT not asked */
	bool res;			/* the last item is statm's resident size (exact RSS) */
	struct pids_info *procs;	/* per-process extras; NULL when none asked */
	struct pids_info *light;
	struct stat_info *stat;
	int rootfd;		/* the live /proc, the source's (not ours to close) */
};

long proc2_hertz(void)
{
	static long hz;

	if (!hz)
		hz = procps_hertz_get();
	return hz > 0 ? hz : 100;
}

double proc2_boot_time(void)
{
	double up = 0, idle = 0;
	struct timespec now;

	procps_uptime(&up, &idle);
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9 - up;
}

int proc2_open(struct proc2 **out, int rootfd, unsigned readers)
{
	struct proc2 *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->readers = readers;
	p->rootfd = rootfd;
	p->bare = !(readers & RD_STAT);
	/* Exact RSS without status: libproc2 reads statm beside stat in its own pass, which
	 * costs one small read more a process (the sampler reads status itself otherwise). */
	p->res = (readers & RD_RSS) && !(readers & RD_STATUS_MEM);
	if (p->bare)
		rc = procps_pids_new(&p->tasks, bare_items, p->res ? B_NITEMS : B_NITEMS - 1);
	else
		rc = procps_pids_new(&p->tasks, task_items, p->res ? T_NITEMS : T_NITEMS - 1);
	if (rc < 0)
		goto fail;
	if (readers & RD_CMDLINE) {
		rc = procps_pids_new(&p->procs, proc_items, P_NITEMS);
		if (rc < 0)
			goto fail;
	}
	*out = p;
	return 0;
fail:
	proc2_close(p);
	return rc < 0 ? rc : -ENOMEM;
}

void proc2_close(struct proc2 *p)
{
	if (!p)
		return;
	if (p->tasks)
		procps_pids_unref(&p->tasks);
	if (p->procs)
		procps_pids_unref(&p->procs);
	if (p->light)
		procps_pids_unref(&p->light);
	if (p->stat)
		procps_stat_unref(&p->stat);
	free(p);
}

void proc2_free_tasks(struct task *tasks, size_t ntasks)
{
	for (size_t i = 0; i < ntasks; i++) {
		free(tasks[i].comm);
		free(tasks[i].cmd);
		free(tasks[i].affinity);
	}
	free(tasks);
}

/* procps_pids_select() takes at most this many IDs (libproc2's FILL_ID_MAX) */
#define SELECT_MAX 255

/* With few processes selected, select them (libproc2 then reads only theirs); with more,
 * read every process and keep the selected ones (see in_selection). */
static bool use_select(const struct proc2_select *sel)
{
	return sel && sel->tgids && sel->ntgids <= SELECT_MAX;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static bool in_selection(const struct proc2_select *sorted, pid_t tgid)
{
	if (!sorted || !sorted->tgids || use_select(sorted))
		return true;
	return bsearch(&tgid, sorted->tgids, sorted->ntgids, sizeof(tgid), cmp_pid) != NULL;
}

static struct pids_fetch *fetch(struct pids_info *info, const struct proc2_select *sel)
{
	if (use_select(sel)) {
		unsigned *ids;
		struct pids_fetch *f;

		if (sel->ntgids == 0)
			return NULL;
		ids = malloc(sel->ntgids * sizeof(*ids));
		if (!ids)
			return NULL;
		for (size_t i = 0; i < sel->ntgids; i++)
			ids[i] = (unsigned)sel->tgids[i];
		f = procps_pids_select(info, ids, (int)sel->ntgids, PIDS_SELECT_PID);
		free(ids);
		return f;
	}
	return procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);
}

/* Rows are kept sorted by (tgid, tid): a process's rows are contiguous, leader first. */
static int cmp_task_id(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void fill_task(struct proc2 *p, struct task *t, struct pids_stack *s)
{
	const char *comm;

	memset(t, 0, sizeof(*t));
	t->cmd_av = t->mem_av = t->ctxsw_av = t->aff_av = TS_NA;
	t->sched_av = t->schedstat_av = t->smaps_av = t->rss_av = TS_NA;
	t->whole = true;
	if (p->bare) {
		t->tid = t->tgid = VAL(B_TGID, s_int, s, p->tasks);
		t->euid = VAL(B_EUID, u_int, s, p->tasks);
		t->state = '?';
		t->cpu = -1;
		t->comm = strdup("");
		if (p->res) {
			t->rss = VAL(B_RES, ul_int, s, p->tasks) * 1024ULL;
			t->rss_av = TS_OK;
		}
		return;
	}
	if (p->res) {
		t->rss = VAL(T_RES, ul_int, s, p->tasks) * 1024ULL;
		t->rss_av = TS_OK;
	}
	t->tid = VAL(T_TGID, s_int, s, p->tasks);
	t->tgid = VAL(T_TGID, s_int, s, p->tasks);
	t->ppid = VAL(T_PPID, s_int, s, p->tasks);
	t->euid = VAL(T_EUID, u_int, s, p->tasks);
	t->state = (char)VAL(T_STATE, s_ch, s, p->tasks);
	t->nlwp = VAL(T_NLWP, s_int, s, p->tasks);
	t->cpu = VAL(T_CPU, s_int, s, p->tasks);
	t->prio = VAL(T_PRIO, s_int, s, p->tasks);
	t->nice = VAL(T_NICE, s_int, s, p->tasks);
	t->policy = VAL(T_POLICY, s_int, s, p->tasks);
	t->start_ticks = VAL(T_START, ull_int, s, p->tasks);
	t->utime_ticks = VAL(T_UTIME, ull_int, s, p->tasks);
	t->stime_ticks = VAL(T_STIME, ull_int, s, p->tasks);
	t->cpu_ticks = t->utime_ticks + t->stime_ticks;
	t->minflt = VAL(T_MINFLT, ul_int, s, p->tasks);
	t->majflt = VAL(T_MAJFLT, ul_int, s, p->tasks);
	t->vsz = VAL(T_VSIZE, ul_int, s, p->tasks);
	t->kthread = (VAL(T_FLAGS, ul_int, s, p->tasks) & PF_KTHREAD) != 0;
	/* libproc2 < 4.0.6 may hand back NULL strings for a task that vanished mid-read */
	comm = VAL(T_COMM, str, s, p->tasks);
	t->comm = util_sanitize_dup(comm ? comm : "", comm ? strlen(comm) : 0);
}

/*
 * The command line of row t from libproc2's vector v. libproc2 hands "-" for a cmdline
 * file that is empty (kernel threads, zombies, a process that set its argv area empty)
 * or could not be read; a live process's own argument "-" is told apart by the file.
 * Returns TS_OK with *cmd set, or why there is none (TS_EMPTY: no command line).
 */
static enum ts_avail cmdline_of(const struct proc2 *p, const struct task *t, char *const *v,
				char **cmd)
{
	*cmd = NULL;
	if (v && v[0] && !strcmp(v[0], "-") && !v[1]) {
		char path[32], buf[8];
		size_t len;
		int rc;

		if (t->kthread || t->state == 'Z' || t->state == 'X')
			return TS_EMPTY;
		snprintf(path, sizeof(path), "%d/cmdline", (int)t->tgid);
		rc = taskfiles_read(p->rootfd, path, buf, sizeof(buf), &len);
		if (rc == -EFBIG)
			rc = 0;
		else if (!rc && !len)
			return TS_EMPTY;
		if (rc)
			return taskfiles_avail(rc);
	}
	*cmd = util_join_argv(v);
	return *cmd ? TS_OK : TS_EMPTY;
}

/* Per-process pass: the command line, matched to rows by (tgid, start). */
int proc2_add_process_items(struct proc2 *p, const struct proc2_select *sel,
			    struct task *tasks, size_t n)
{
	struct pids_fetch *f;
	int total;

	if (!p->procs || n == 0)
		return 0;
	errno = 0;
	f = fetch(p->procs, sel);
	if (!f)
		return errno ? -errno : -EIO;
	total = f->counts->total;
	for (int i = 0; i < total; i++) {
		struct pids_stack *s = f->stacks[i];
		pid_t pid = VAL(P_PID, s_int, s, p->procs);
		uint64_t start = VAL(P_START, ull_int, s, p->procs);
		struct task key = { .tgid = pid, .tid = pid }, *t;
		enum ts_avail av = TS_NA;
		char *cmd = NULL;

		t = bsearch(&key, tasks, n, sizeof(*tasks), cmp_task_id);
		if (!t || t->start_ticks != start)
			continue;	/* not a row of ours, or the PID was reused in between */
		if (p->readers & RD_CMDLINE)
			av = cmdline_of(p, t, VAL(P_CMDLINE, strv, s, p->procs), &cmd);
		while (t > tasks && t[-1].tgid == pid)
			t--;	/* after PID wrap-around a thread's TID can be below its TGID */
		for (; t < tasks + n && t->tgid == pid; t++) {
			if (p->readers & RD_CMDLINE) {
				t->cmd = cmd ? strdup(cmd) : NULL;
				t->cmd_av = cmd && !t->cmd ? TS_NA : av;
			}
		}
		free(cmd);
	}
	return 0;
}

int proc2_scan(struct proc2 *p, const struct proc2_select *sel, struct task **tasks,
	       size_t *ntasks)
{
	struct proc2_select sorted = { 0 };
	struct pids_fetch *f;
	struct task *rows;
	pid_t *ids = NULL;
	size_t n = 0;
	int total;

	*tasks = NULL;
	*ntasks = 0;
	if (sel && sel->tgids && sel->ntgids == 0)
		return 0;
	if (sel && sel->tgids && !use_select(sel)) {
		ids = malloc(sel->ntgids * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		memcpy(ids, sel->tgids, sel->ntgids * sizeof(*ids));
		qsort(ids, sel->ntgids, sizeof(*ids), cmp_pid);
		sorted = (struct proc2_select){ .tgids = ids, .ntgids = sel->ntgids };
	}
	errno = 0;
	f = fetch(p->tasks, sel);
	if (!f) {
		free(ids);
		return errno ? -errno : -EIO;
	}
	total = f->counts->total;
	if (total <= 0) {
		free(ids);
		return 0;
	}
	rows = calloc((size_t)total, sizeof(*rows));
	if (!rows) {
		free(ids);
		return -ENOMEM;
	}
	for (int i = 0; i < total; i++) {
		struct task *t = &rows[n];

		fill_task(p, t, f->stacks[i]);
		if (!t->comm) {
			proc2_free_tasks(rows, n);
			free(ids);
			return -ENOMEM;
		}
		if (t->tid <= 0 || t->tgid <= 0 || !in_selection(&sorted, t->tgid)) {
			free(t->comm);
			continue;
		}
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_task_id);
	/* a racy read may list a task twice; keep the first */
	if (n > 1) {
		size_t w = 1;

		for (size_t r = 1; r < n; r++) {
			if (rows[r].tid == rows[w - 1].tid && rows[r].tgid == rows[w - 1].tgid) {
				free(rows[r].comm);
				continue;
			}
			rows[w++] = rows[r];
		}
		n = w;
	}
	free(ids);
	proc2_add_process_items(p, sel, rows, n);
	*tasks = rows;
	*ntasks = n;
	return 0;
}

int proc2_scan_light(struct proc2 *p, struct proc2_light **out, size_t *n)
{
	struct pids_fetch *f;
	struct proc2_light *v;
	int total;

	*out = NULL;
	*n = 0;
	if (!p->light && procps_pids_new(&p->light, light_items, L_NITEMS) < 0)
		return -ENOMEM;
	errno = 0;
	f = procps_pids_reap(p->light, PIDS_FETCH_TASKS_ONLY);
	if (!f)
		return errno ? -errno : -EIO;
	total = f->counts->total;
	if (total <= 0)
		return 0;
	v = calloc((size_t)total, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < total; i++) {
		struct pids_stack *s = f->stacks[i];
		const char *comm = VAL(L_COMM, str, s, p->light);

		v[i].pid = VAL(L_PID, s_int, s, p->light);
		v[i].ppid = VAL(L_PPID, s_int, s, p->light);
		v[i].euid = VAL(L_EUID, u_int, s, p->light);
		v[i].start_ticks = VAL(L_START, ull_int, s, p->light);
		if (comm)
			snprintf(v[i].comm, sizeof(v[i].comm), "%s", comm);
	}
	*out = v;
	*n = (size_t)total;
	return 0;
}

int proc2_cpu_busy(struct proc2 *p, double *busy)
{
	/* one read of /proc/stat for both values: each separate get would re-read it */
	enum stat_item items[] = { STAT_TIC_SUM_DELTA_TOTAL, STAT_TIC_SUM_DELTA_BUSY };
	struct stat_stack *st;
	long long dt, db;

	if (!p->stat && procps_stat_new(&p->stat) < 0)
		return -ENOMEM;
	st = procps_stat_select(p->stat, items, 2);
	if (!st)
		return -EIO;
	dt = st->head[0].result.sl_int;
	db = st->head[1].result.sl_int;
	if (dt <= 0)
		return -EAGAIN;	/* no tick passed since the last read: nothing to tell */
	*busy = 100.0 * (double)db / (double)dt;
	return 0;
}

struct proc2_cpus {
	struct stat_info *stat;
};

int proc2_cpus_new(struct proc2_cpus **out)
{
	struct proc2_cpus *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	if (procps_stat_new(&c->stat) < 0) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void proc2_cpus_free(struct proc2_cpus *c)
{
	if (!c)
		return;
	if (c->stat)
		procps_stat_unref(&c->stat);
	free(c);
}

int proc2_cpus_busy(struct proc2_cpus *c, double *all, double *each, int max, int *n)
{
	enum stat_item items[] = { STAT_TIC_ID, STAT_TIC_SUM_DELTA_TOTAL,
				   STAT_TIC_SUM_DELTA_BUSY };
	struct stat_reaped *r;
	long long dt, db;

	*n = 0;
	r = procps_stat_reap(c->stat, STAT_REAP_CPUS_ONLY, items, 3);
	if (!r || !r->summary)
		return -EIO;
	dt = r->summary->head[1].result.sl_int;
	db = r->summary->head[2].result.sl_int;
	*all = dt > 0 ? 100.0 * (double)db / (double)dt : 0.0;
	for (int i = 0; r->cpus && i < r->cpus->total; i++) {
		struct stat_stack *st = r->cpus->stacks[i];
		int id = st->head[0].result.s_int;

		if (id < 0 || id >= max)
			continue;
		while (*n <= id)
			each[(*n)++] = 0.0;
		dt = st->head[1].result.sl_int;
		db = st->head[2].result.sl_int;
		each[id] = dt > 0 ? 100.0 * (double)db / (double)dt : 0.0;
	}
	return 0;
}
