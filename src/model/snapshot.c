/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.c - one sample of the watched tasks, and the sampler that takes them */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/snapshot.h"
#include "model/samplerint.h"
#include "sample/keptfd.h"
#include "sample/cgroup.h"
#include "sample/proc2.h"
#include "sample/procmount.h"
#include "sample/taskfiles.h"
#include "sample/smaps.h"
#include "sample/source.h"
#include "sample/sysinfo.h"
#include "sample/threads.h"
#include "sample/topo.h"

/* Times of the run's source: the columns ask without a sampler at hand (sampler_hertz) */
static long source_hz = 0;
static double source_boot;

int sampler_new(struct sampler **out, unsigned readers, bool threads)
{
	struct source *src;
	int rc = source_open_live(&src);

	if (rc)
		return rc;
	rc = sampler_new_source(out, src, readers, threads);
	if (rc)
		source_close(src);
	else
		(*out)->own_src = true;
	return rc;
}

int sampler_new_trees(struct sampler **out, char *const *dirs, size_t n, unsigned readers,
		      bool threads, char *why, size_t whylen)
{
	struct source *src;
	int rc = source_open_trees(&src, dirs, n, why, whylen);

	if (rc)
		return rc;
	rc = sampler_new_source(out, src, readers, threads);
	if (rc) {
		snprintf(why, whylen, "%s", strerror(-rc));
		source_close(src);
	} else {
		(*out)->own_src = true;
	}
	return rc;
}

/* A snapshot's rows and a table's cells are megabytes (400 bytes a task) made and freed with
 * every sample. With glibc's moving mmap threshold they soon come from the heap, whose
 * freed gaps then hold 3-6 MiB more resident at 10,000 tasks after some samples than after
 * the first; a fixed threshold maps them and gives them back (bench/README.md). */
static void steady_heap(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

int sampler_new_source(struct sampler **out, struct source *src, unsigned readers,
		       bool threads)
{
	static pthread_once_t heap_once = PTHREAD_ONCE_INIT;
	struct sampler *s = calloc(1, sizeof(*s));
	int rc;

	pthread_once(&heap_once, steady_heap);

	if (!s)
		return -ENOMEM;
	/* these readers check a task's identity by its start time, which stat gives */
	if (readers & (RD_CMDLINE | RD_CTXSW | RD_AFFINITY | RD_TOPO | RD_USER | RD_SCHED |
		       RD_SCHEDSTAT | RD_CGROUP))
		readers |= RD_STAT;
	s->readers = readers;
	s->threads = threads;
	s->src = src;
	s->live = source_is_live(src);
	s->pagesize = source_pagesize(src);
	s->rootfd = source_rootfd(src);
	source_hz = source_hertz(src);
	source_boot = source_boot_time(src);
	if (!s->live) {
		*out = s;	/* a tree: no libproc2, no mount of its own */
		return 0;
	}
	rc = proc2_open(&s->p2);
	if (rc) {
		free(s);
		return rc;
	}
	s->noaccess = procmount_noaccess(s->rootfd) == 1;
	/* without the table each sample opens every file again: no reason to fail */
	if (keptfd_new(&s->kept))
		s->kept = NULL;
	/* the cgroups' own files: this machine's, so only for the live /proc (a tree's come
	 * with sampler_cgroup_root); without them the cgroups simply have no stats */
	if ((readers & RD_CGROUP_STATS) && cgroup_fs_open(&s->cgfs, NULL))
		s->cgfs = NULL;
	/* prime the busy counter so the first snapshot's value covers its interval */
	{
		double dummy;

		proc2_cpu_busy(s->p2, &dummy);
	}
	*out = s;
	return 0;
}

int sampler_cgroup_root(struct sampler *s, const char *dir)
{
	struct cgroup_fs *fs;
	int rc;

	if (!(s->readers & RD_CGROUP_STATS))
		return 0;
	rc = cgroup_fs_open(&fs, dir);
	if (rc)
		return rc;
	cgroup_fs_close(s->cgfs);
	s->cgfs = fs;
	return 0;
}

/* A tree's CPU busy %: from its /proc/stat, against the previous sample's (the first: since
 * boot). */
static int tree_cpu_busy(struct sampler *s, double *busy)
{
	struct sysinfo_stat now;
	char buf[16384];
	size_t len;
	int rc = taskfiles_read(s->rootfd, "stat", buf, sizeof(buf), &len);

	if (rc && rc != -EFBIG)
		return rc;
	rc = sysinfo_parse_stat(buf, len, &now);
	if (rc || !now.have_cpu)
		return rc ? rc : -ENODATA;
	if (now.cpu_total <= s->prev_stat.cpu_total || now.cpu_busy < s->prev_stat.cpu_busy) {
		rc = -EAGAIN;	/* no tick passed (the same state again): nothing to tell */
	} else {
		*busy = 100.0 * (double)(now.cpu_busy - s->prev_stat.cpu_busy) /
			(double)(now.cpu_total - s->prev_stat.cpu_total);
	}
	s->prev_stat = now;
	return rc;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	snapshot_put(s->prev);
	snapshot_base_free(s->base);
	keptfd_free(s->kept);
	keptfd_free(s->pins);
	keptfd_free(s->rolls);
	proc2_close(s->p2);
	topo_free(s->topo);
	cgroup_fs_close(s->cgfs);
	if (s->own_src)
		source_close(s->src);
	free(s);
}

const struct topo *sampler_topo(struct sampler *s)
{
	if (!s->topo_tried) {
		const char *file = getenv(TOPO_ENV);

		s->topo_tried = true;
		/* a tree is another machine's: its topology from its own sys/devices/system,
		 * else only from a file, never this one */
		if (!s->live && !topo_load_tree(source_rootfd(s->src), &s->topo))
			return s->topo;
		if (!s->live && (!file || !*file))
			s->topo = NULL;
		else if (topo_load(&s->topo))
			s->topo = NULL;
	}
	return s->topo;
}

/* Another machine's clock facts (a recording's), set by sampler_set_clock: 0 when unset. */
static long clock_hertz;
static double clock_boot;

void sampler_set_clock(long hertz, double boot_time)
{
	clock_hertz = hertz;
	clock_boot = boot_time;
}

long sampler_hertz(void)
{
	return clock_hertz > 0 ? clock_hertz : source_hz ? source_hz : proc2_hertz();
}

double sampler_boot_time(void)
{
	if (clock_boot > 0)
		return clock_boot;
	if (source_boot == 0)
		source_boot = proc2_boot_time();
	return source_boot;
}

int sampler_tgid_of(struct sampler *s, pid_t tid, pid_t *tgid)
{
	return taskfiles_tgid(s->rootfd, tid, tgid);
}

int sampler_start_of(struct sampler *s, pid_t pid, uint64_t *start, char *comm, size_t len)
{
	struct taskfiles_stat st;
	int rc = taskfiles_process_stat(s->rootfd, pid, &st);

	if (rc)
		return rc;
	*start = st.start;
	if (len)
		snprintf(comm, len, "%s", st.comm);
	return 0;
}

int sampler_cgroup_of(struct sampler *s, pid_t pid, uint64_t start, char *buf, size_t *len,
		      struct cgroup_info *ci)
{
	struct taskfiles_stat st;
	int dfd = taskfiles_open_checked(s->rootfd, pid, pid, start, &st), rc;

	if (dfd < 0)
		return dfd;
	rc = cgroup_read_at(dfd, "cgroup", buf, len, ci);
	close(dfd);
	return rc;
}

int sampler_raw_comm(struct sampler *s, pid_t pid, char *buf, size_t len)
{
	return taskfiles_comm(s->rootfd, pid, buf, len);
}

int sampler_list_processes(struct sampler *s, struct proc2_light **out, size_t *n)
{
	return threads_list_processes(s->rootfd, s->live ? 0 : THREADS_STATUS_UID, out, n);
}

static void read_task_extras(struct sampler *s, struct task *t)
{
	unsigned want = ((s->readers & RD_CTXSW) ? TX_CTXSW : 0) |
			((s->readers & RD_SCHED) ? TX_SCHED : 0) |
			((s->readers & RD_SCHEDSTAT) ? TX_SCHEDSTAT : 0);

	if (want) {
		struct taskfiles_extras x;

		/* a process row sums its live threads: the kernel's per-process files are
		 * its main thread's */
		if (s->threads)
			taskfiles_extras(s->rootfd, t->tgid, t->tid, t->start_ticks, want, &x);
		else
			taskfiles_extras_process(s->rootfd, t->tgid, t->start_ticks, want, &x);
		if (want & TX_CTXSW) {
			t->ctxsw_av = taskfiles_avail(x.ctxsw_rc);
			t->vctx = x.vctx;
			t->ictx = x.ictx;
		}
		if (want & TX_SCHED) {
			t->sched_av = taskfiles_avail(x.sched_rc);
			t->migrations = x.migrations;
		}
		if (want & TX_SCHEDSTAT) {
			t->schedstat_av = taskfiles_avail(x.schedstat_rc);
			t->run_ns = x.run_ns;
			t->wait_ns = x.wait_ns;
		}
	}
	if (s->readers & RD_AFFINITY) {
		struct cpulist cl = { 0 };
		char buf[4096];
		/* a tree's tasks are not this machine's: their status says it */
		int rc = s->live ? taskfiles_affinity(t->tid, &cl) :
			 taskfiles_status_affinity(s->rootfd, t->tgid, t->tid, &cl);

		if (!rc) {
			t->cpu_outside = t->cpu >= 0 && t->cpu < cl.ncpus &&
					 !CPU_ISSET_S((size_t)t->cpu, cl.size, cl.set);
			rc = util_cpulist_format(&cl, buf, sizeof(buf));
			util_cpulist_free(&cl);
			if (!rc) {
				t->affinity = strdup(buf);
				rc = t->affinity ? 0 : -ENOMEM;
			}
		}
		t->aff_av = taskfiles_avail(rc);
	}
}

/* All tasks on a hidepid=noaccess /proc: count the processes it lists but hides, so that
 * "denied" is told apart from "not there". Only then: it costs a readdir of /proc. */
static void count_denied(struct sampler *s, struct snapshot *sn)
{
	pid_t *seen = malloc((sn->ntasks ? sn->ntasks : 1) * sizeof(*seen));
	size_t n = 0;

	if (!seen)
		return;
	for (size_t i = 0; i < sn->ntasks; i++)	/* sorted by tgid */
		if (!n || seen[n - 1] != sn->tasks[i].tgid)
			seen[n++] = sn->tasks[i].tgid;
	if (procmount_count_denied(s->rootfd, seen, n, &sn->ndenied))
		sn->ndenied = 0;
	free(seen);
}

/* Thread rows whose affinity is not their main thread's (rows sorted by tgid, tid). */
static void mark_affinity_differences(struct snapshot *sn)
{
	for (size_t i = 0; i < sn->ntasks; ) {
		size_t end = i;
		const struct task *leader = NULL;

		while (end < sn->ntasks && sn->tasks[end].tgid == sn->tasks[i].tgid) {
			if (sn->tasks[end].tid == sn->tasks[end].tgid)
				leader = &sn->tasks[end];
			end++;
		}
		for (size_t k = i; leader && leader->aff_av == TS_OK && k < end; k++) {
			struct task *t = &sn->tasks[k];

			t->aff_differs = t->aff_av == TS_OK && strcmp(t->affinity, leader->affinity);
		}
		i = end;
	}
}

void sampler_last(struct sampler *s)
{
	if (s->kept)
		keptfd_last(s->kept);
}

int sampler_take_only(struct sampler *s, unsigned readers, const pid_t *tgids, size_t ntgids,
		      const struct snapshot **out)
{
	unsigned all = s->readers;
	int rc;

	if (!readers)
		return sampler_take(s, tgids, ntgids, out);
	/* stat stays: it is the rows and their identity; their names are not needed */
	s->readers = (all & readers) | (all & RD_STAT);
	s->priming = true;
	rc = sampler_take(s, tgids, ntgids, out);
	s->priming = false;
	s->readers = all;
	return rc;
}

/* The last sample's counters in s->base, and its rows given up: the caller's hold on it
 * ended with this call, so unless another holds it, its rows go back (spare.c) before the
 * next scan, which takes them again instead of faulting in new pages. */
static int rebase(struct sampler *s)
{
	struct snapshot_base *b;

	if (!s->prev)
		return 0;	/* none, or the base is still there (the last take failed) */
	b = snapshot_base_of(s->prev);
	if (!b)
		return -ENOMEM;
	snapshot_base_free(s->base);
	s->base = b;
	snapshot_put(s->prev);
	s->prev = NULL;
	return 0;
}

/* sn is the last sample from now on: the next one's deltas are against it. */
static void set_last(struct sampler *s, struct snapshot *sn)
{
	snapshot_base_free(s->base);
	s->base = NULL;
	snapshot_put(s->prev);
	s->prev = sn;
}

/* The seconds from the last sample to sn (0: none before it). */
static double since_last(const struct sampler *s, const struct snapshot *sn)
{
	if (s->prev)
		return sn->mono - s->prev->mono;
	return s->base ? sn->mono - snapshot_base_mono(s->base) : 0;
}

int sampler_take(struct sampler *s, const pid_t *tgids, size_t ntgids,
		 const struct snapshot **out)
{
	struct snapshot *sn;
	int rc = rebase(s);

	if (rc)
		return rc;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return -ENOMEM;
	atomic_init(&sn->refs, 1);
	sn->threads = s->threads;
	s->rootfd = source_rootfd(s->src);
	source_now(s->src, &sn->wall, &sn->mono);
	{
		/* our own pass for the live /proc and a tree alike (not libproc2's: it is not
		 * slower, bench/README.md, and reads relative to the source's directory).
		 * Exact RSS without status: statm beside stat in the same pass. */
		bool statm = (s->readers & RD_RSS) && !(s->readers & RD_STATUS_MEM);

		rc = threads_scan_kept(s->rootfd, (s->live ? 0 : THREADS_STATUS_UID) |
				       (s->threads ? 0 : THREADS_PROCESSES) |
				       (s->priming ? THREADS_DELTAS_ONLY : 0),
				       statm ? s->pagesize : 0, tgids, ntgids, s->kept,
				       &sn->tasks, &sn->ntasks);
		if (s->kept) {
			struct keptfd_counts kc;

			keptfd_counts(s->kept, &kc);
			sn->kept_on = true;
			sn->kept_open = kc.open;
			sn->kept_fallback = kc.fallback;
		}
		if (!rc && (s->readers & RD_CMDLINE))
			rc = threads_add_cmdlines(s->rootfd, sn->tasks, sn->ntasks);
	}
	if (rc) {
		proc2_free_tasks(sn->tasks, sn->ntasks);
		free(sn);
		return rc;
	}
	if (s->live ? proc2_cpu_busy(s->p2, &sn->cpu_busy) : tree_cpu_busy(s, &sn->cpu_busy))
		sn->cpu_busy = -1;
	for (size_t i = 0; i < sn->ntasks; i++) {
		struct task *t = &sn->tasks[i];

		read_task_extras(s, t);
		if (!s->threads || t->tid == t->tgid)
			sn->nprocs++;
		sn->nthreads += s->threads ? 1 : (size_t)(t->nlwp > 0 ? t->nlwp : 1);
	}
	sn->nthreads_known = s->threads || (s->readers & RD_STAT);
	sampler_read_process_extras(s, sn);
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];

		if ((!s->threads || t->tid == t->tgid) && t->rss_av == TS_OK)
			sn->total_rss += t->rss;
	}
	if (!tgids && s->noaccess)
		count_denied(s, sn);
	if (s->threads && (s->readers & RD_AFFINITY))
		mark_affinity_differences(sn);
	sn->interval = since_last(s, sn);
	snapshot_deltas_base(sn, s->base);
	set_last(s, sn);
	*out = sn;
	/* the next sample (and what is asked before it) reads the source's next state */
	source_step(s->src);
	s->rootfd = source_rootfd(s->src);
	return 0;
}

/* A copy of row t whose strings are its own (comm, command line, cgroup); the readers' other
 * pointers (affinity, per-node bytes) are left out. -ENOMEM leaves nothing allocated. */
static int copy_row(struct task *to, const struct task *t)
{
	*to = *t;
	to->affinity = NULL;
	to->node_mem = NULL;
	to->nnodes_mem = 0;
	to->numa_read = false;
	to->comm = t->comm ? strdup(t->comm) : NULL;
	to->cmd = t->cmd ? strdup(t->cmd) : NULL;
	to->cgroup = t->cgroup ? strdup(t->cgroup) : NULL;
	if ((t->comm && !to->comm) || (t->cmd && !to->cmd) || (t->cgroup && !to->cgroup)) {
		free(to->comm);
		free(to->cmd);
		free(to->cgroup);
		to->comm = to->cmd = to->cgroup = NULL;
		return -ENOMEM;
	}
	return 0;
}

int sampler_take_rows(struct sampler *s, const struct snapshot *base,
		      const struct snapshot **out)
{
	struct snapshot *sn;
	unsigned all = s->readers;
	size_t n = 0;

	if (base->threads)
		return -EINVAL;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return -ENOMEM;
	sn->tasks = malloc((base->ntasks ? base->ntasks : 1) * sizeof(*sn->tasks));
	if (!sn->tasks) {
		free(sn);
		return -ENOMEM;
	}
	atomic_init(&sn->refs, 1);
	s->rootfd = source_rootfd(s->src);
	source_now(s->src, &sn->wall, &sn->mono);
	for (size_t i = 0; i < base->ntasks; i++) {
		if (copy_row(&sn->tasks[n], &base->tasks[i])) {
			proc2_free_tasks(sn->tasks, n);
			free(sn);
			return -ENOMEM;
		}
		n++;
	}
	sn->ntasks = n;
	sn->nprocs = base->nprocs;
	sn->nthreads = base->nthreads;
	sn->nthreads_known = base->nthreads_known;
	sn->cpu_busy = -1;
	/* the rows are base's: what they hold is not read again. RD_STAT stays: each process
	 * directory is opened checked against the row's start time. */
	s->readers = (all & ~(RD_CGROUP | RD_CGROUP_STATS | RD_CMDLINE)) | RD_STAT;
	/* the live /proc: each process's status and smaps_rollup kept open from pass to pass
	 * (read_pinned) */
	if (s->live && (all & RD_STATUS_MEM) && !s->pins &&
	    (keptfd_new(&s->pins) || keptfd_new(&s->rolls))) {
		keptfd_free(s->pins);
		s->pins = NULL;
	}
	s->pinning = s->pins != NULL;
	if (s->pinning) {
		keptfd_begin(s->pins);
		keptfd_begin(s->rolls);
	}
	sampler_read_process_extras(s, sn);
	if (s->pinning) {
		keptfd_end(s->pins);	/* processes no longer in the rows */
		keptfd_end(s->rolls);
	}
	s->pinning = false;
	s->readers = all;
	for (size_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].rss_av == TS_OK)
			sn->total_rss += sn->tasks[i].rss;
	sn->interval = since_last(s, sn);
	set_last(s, sn);
	*out = sn;
	source_step(s->src);
	s->rootfd = source_rootfd(s->src);
	return 0;
}

void sampler_drop_processes(struct sampler *s, const pid_t *tgids, size_t n)
{
	struct snapshot *sn = s->prev;
	size_t w = 0;

	if (!sn || !n)
		return;
	for (size_t i = 0; i < sn->ntasks; i++) {
		bool drop = false;

		for (size_t j = 0; j < n && !drop; j++)
			drop = sn->tasks[i].tgid == tgids[j];
		if (drop)
			proc2_free_task_fields(&sn->tasks[i]);
		else
			sn->tasks[w++] = sn->tasks[i];
	}
	sn->ntasks = w;
	snapshot_recount(sn);
}
