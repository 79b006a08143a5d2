/* SPDX-License-Identifier: GPL-2.0-or-later */
/* threads.c - the per-thread pass: every thread's own stat, read relative to its directory
 *
 * Why not libproc2 here: its threads pass (procps_pids_reap with PIDS_FETCH_THREADS_TOO)
 * stat()s every task directory and opens every stat file by its full path, parses with
 * sscanf, and returns a process's main thread as the whole process (/proc/PID/stat). On
 * 10,000 tasks that alone costs 1.4x a raw reader of the same files (bench/README.md),
 * leaving nothing for the rest of a refresh. This pass opens each process's task directory
 * once, reads every thread's stat relative to it with one read, and parses it with the
 * checked parser of taskfiles.c; the main thread is read as a thread like the others. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/spare.h"
#include "lib/util.h"
#include "sample/keptfd.h"
#include "sample/proc2.h"
#include "sample/source.h"
#include "sample/sysinfo.h"
#include "sample/taskfiles.h"
#include "sample/threads.h"

#define PF_KTHREAD 0x00200000UL

struct rows {
	struct task *v;
	size_t n, cap;
	long pagesize;
	struct keptfd *kept;	/* stat files kept open between passes, or NULL */
	bool deltas_only;	/* THREADS_DELTAS_ONLY */
};

static int rows_grow(struct rows *r)
{
	return util_grow(&r->v, &r->cap, r->n, 1024, sizeof(*r->v));
}

/* comm is at most 64 bytes raw: sanitize on the stack, keep an exact-size copy */
static char *comm_dup(const char *raw)
{
	char buf[64 * 6 + 1];
	size_t n = util_sanitize(raw, strlen(raw), buf, sizeof(buf));
	char *s = malloc(n + 1);

	if (s)
		memcpy(s, buf, n + 1);
	return s;
}

/* One stat file (path relative to dirfd) in one read; 0 or -errno. */
static int read_stat(int dirfd, const char *path, struct taskfiles_stat *st)
{
	char buf[1024];
	ssize_t len;
	int fd;

	fd = source_openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;	/* exited since the directory was listed */
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return len < 0 ? -errno : -ESRCH;
	buf[len] = '\0';
	/* not what the kernel writes: leave the row out */
	return taskfiles_parse_stat(buf, (size_t)len, st);
}

static int add_row(struct rows *r, const struct taskfiles_stat *st, pid_t tgid, uid_t euid,
		   bool whole)
{
	struct task *t;
	int rc;

	rc = rows_grow(r);
	if (rc)
		return rc;
	t = &r->v[r->n];
	memset(t, 0, sizeof(*t));
	t->tid = whole ? tgid : st->pid;
	t->tgid = tgid;
	t->ppid = st->ppid;
	t->euid = euid;
	t->state = st->state;
	t->nlwp = (int)st->nlwp;
	t->cpu = st->cpu;
	t->prio = (int)st->prio;
	t->nice = (int)st->nice;
	t->policy = (int)st->policy;
	t->start_ticks = st->start;
	t->utime_ticks = st->utime;
	t->stime_ticks = st->stime;
	t->cpu_ticks = st->utime + st->stime;
	t->minflt = st->minflt;
	t->majflt = st->majflt;
	t->vsz = st->vsize;
	t->kthread = (st->flags & PF_KTHREAD) != 0;
	t->mm_key = st->mm_key;
	t->whole = whole;
	t->cmd_av = t->mem_av = t->ctxsw_av = t->aff_av = TS_NA;
	t->sched_av = t->schedstat_av = t->smaps_av = t->rss_av = TS_NA;
	if (!r->deltas_only) {
		t->comm = comm_dup(st->comm);
		if (!t->comm)
			return -ENOMEM;
	}
	r->n++;
	return 0;
}

static int add_thread(struct rows *r, int taskfd, const char *name, pid_t tgid, uid_t euid)
{
	struct taskfiles_stat st;
	size_t nl = strlen(name);
	char path[32];

	if (nl > 16)
		return 0;	/* no TID is that long */
	memcpy(path, name, nl);	/* "TID/stat", without snprintf's cost for every thread */
	memcpy(path + nl, "/stat", sizeof("/stat"));
	if (r->kept) {
		uint64_t tid;

		if (util_parse_u64(name, 4194304, &tid) ||
		    keptfd_stat(r->kept, taskfd, path, tgid, (pid_t)tid, &st))
			return 0;
	} else if (read_stat(taskfd, path, &st)) {
		return 0;
	}
	return add_row(r, &st, tgid, euid, false);
}

/*
 * The effective user of the process whose directory is pidfd: the owner of /proc/PID
 * (what libproc2 and ps take), or in a tree, whose files anyone may own, its status
 * "Uid:" line. -errno when there is none.
 */
static int process_euid(int pidfd, unsigned how, uid_t *euid)
{
	struct stat sb;
	char buf[4096];
	size_t len;
	int rc;

	if (!(how & THREADS_STATUS_UID)) {
		if (fstat(pidfd, &sb))
			return -errno;
		*euid = sb.st_uid;
		return 0;
	}
	rc = taskfiles_read(pidfd, "status", buf, sizeof(buf), &len);
	if (rc == -EFBIG)
		rc = 0;		/* Uid: is among the first lines */
	return rc ? rc : taskfiles_parse_euid(buf, len, euid);
}

/* Every row of the process from mark on: its RSS (rss_rc 0) or why there is none. */
static void set_rss(struct rows *r, size_t mark, int rss_rc, uint64_t rss)
{
	for (size_t i = mark; i < r->n; i++) {
		r->v[i].rss = rss_rc ? 0 : rss;
		r->v[i].rss_av = taskfiles_avail(rss_rc);
	}
}

/* A process row: /proc/PID/stat, the whole process's values; with a page size its exact RSS
 * from statm too (stat's is an approximate counter), read through the same directory. */
static int add_whole(struct rows *r, int rootfd, pid_t tgid, unsigned how)
{
	struct taskfiles_stat st;
	char path[24];
	uint64_t rss = 0;
	uid_t euid;
	int fd, rc, rss_rc = -ENODATA;

	snprintf(path, sizeof(path), "%d", (int)tgid);
	fd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone, or hidden from us */
	rc = process_euid(fd, how, &euid);
	if (!rc)
		rc = r->kept ? keptfd_stat(r->kept, fd, "stat", tgid, tgid, &st)
			     : read_stat(fd, "stat", &st);
	if (!rc && r->pagesize > 0)
		rss_rc = taskfiles_statm_at(fd, "statm", r->pagesize, &rss);
	close(fd);
	if (rc || st.pid != tgid)
		return 0;
	rc = add_row(r, &st, tgid, euid, true);
	if (!rc && r->pagesize > 0)
		set_rss(r, r->n - 1, rss_rc, rss);
	return rc;
}

/* A thread of a process listed by the last pass: through its kept file, else (read by
 * open + read + close then: the budget was used up) by its path. */
static int member_stat(struct rows *r, int rootfd, pid_t tgid, pid_t tid,
		       struct taskfiles_stat *st)
{
	char path[48];
	int rc = keptfd_reread(r->kept, tgid, tid, st);

	if (rc != -ENOENT)
		return rc;
	snprintf(path, sizeof(path), "%d/task/%d/stat", (int)tgid, (int)tid);
	return keptfd_stat(r->kept, rootfd, path, tgid, tid, st);
}

/* The RSS of process tgid from its statm, by its path under rootfd. */
static int statm_by_path(const struct rows *r, int rootfd, pid_t tgid, uint64_t *rss)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/statm", (int)tgid);
	return taskfiles_statm_at(rootfd, path, r->pagesize, rss);
}

/*
 * The threads of tgid without listing its task directory again: the last pass found m[0..n-1]
 * there. When its main thread's stat (read first) still counts n threads and every one of
 * them still reads as the task the last pass found (its start time), they are the process's
 * threads (each was alive when that count was taken, and there were n), and they become its
 * rows, in m's order (sorted): 1. Else 0, nothing added (the caller lists the directory), or
 * -ENOMEM. With a page size the process's statm is read first, by its path: the main
 * thread read after it as the same task proves it was that process's.
 */
static int add_known(struct rows *r, int rootfd, pid_t tgid, const struct keptfd_member *m,
		     size_t n)
{
	struct taskfiles_stat lead, st;
	size_t mark = r->n, li = n;
	uint64_t rss = 0;
	struct stat sb;
	char path[32];
	int rc = 0, rss_rc = -ENODATA;

	for (size_t i = 0; i < n && li == n; i++)
		if (m[i].tid == tgid)
			li = i;
	snprintf(path, sizeof(path), "%d/task", (int)tgid);
	if (li == n || fstatat(rootfd, path, &sb, 0))
		return 0;
	if (r->pagesize > 0)
		rss_rc = statm_by_path(r, rootfd, tgid, &rss);
	if (member_stat(r, rootfd, tgid, tgid, &lead) || lead.start != m[li].start ||
	    lead.nlwp != (long)n)
		return 0;
	for (size_t i = 0; !rc && i < n; i++) {
		if (i == li) {
			rc = add_row(r, &lead, tgid, sb.st_uid, false);
			continue;
		}
		if (i + 1 < n)
			keptfd_prefetch(r->kept, m[i + 1].tid);
		rc = member_stat(r, rootfd, tgid, m[i].tid, &st);
		if (!rc && st.start != m[i].start)
			rc = -ESRCH;
		if (!rc)
			rc = add_row(r, &st, tgid, sb.st_uid, false);
	}
	if (!rc) {
		if (r->pagesize > 0)
			set_rss(r, mark, rss_rc, rss);
		return 1;
	}
	for (size_t i = mark; i < r->n; i++)
		free(r->v[i].comm);
	r->n = mark;
	return rc == -ENOMEM ? rc : 0;
}

int threads_cmp_row(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	return UTIL_CMP2(x->tgid, y->tgid, x->tid, y->tid);
}

bool threads_sorted(const struct task *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (threads_cmp_row(&v[i - 1], &v[i]) > 0)
			return false;
	return true;
}

/* The RSS of the process whose task directory is taskfd, from its statm: in /proc beside that
 * directory (the same process, whatever has its PID now), in a tree (where ".." is refused
 * and nothing changes) by its path. */
static int process_statm(struct rows *r, int rootfd, int taskfd, pid_t tgid, unsigned how,
			 uint64_t *rss)
{
	if (!(how & THREADS_STATUS_UID))
		return taskfiles_statm_at(taskfd, "../statm", r->pagesize, rss);
	return statm_by_path(r, rootfd, tgid, rss);
}

/* A row for each thread in the task directory taskfd: its entries read with getdents64
 * into a buffer of our own (fdopendir and readdir cost three system calls more for each
 * directory: a fstat and two fcntl). A directory that cannot be read ends the list. */
static int add_threads(struct rows *r, int taskfd, pid_t tgid, uid_t euid)
{
	char buf[8192] __attribute__((aligned(8)));
	int rc = 0;

	for (;;) {
		ssize_t n = getdents64(taskfd, buf, sizeof(buf));

		if (n <= 0)
			return rc;
		for (ssize_t off = 0; !rc && off < n;) {
			const struct dirent64 *de = (const struct dirent64 *)(void *)(buf + off);

			if (de->d_reclen == 0 || de->d_reclen > n - off)
				return rc;	/* not a record: the kernel's, never */
			if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
				rc = add_thread(r, taskfd, de->d_name, tgid, euid);
			off += de->d_reclen;
		}
		if (rc)
			return rc;
	}
}

static int add_process(struct rows *r, int rootfd, pid_t tgid, unsigned how)
{
	char path[32];
	size_t mark = r->n;
	uint64_t rss = 0;
	uid_t euid;
	int fd, rc = 0, rss_rc = -ENODATA;

	if (how & THREADS_PROCESSES)
		return add_whole(r, rootfd, tgid, how);
	if (r->kept && !(how & THREADS_STATUS_UID)) {
		size_t n;
		const struct keptfd_member *m = keptfd_members(r->kept, tgid, &n);

		rc = m ? add_known(r, rootfd, tgid, m, n) : 0;
		if (rc)
			return rc < 0 ? rc : 0;
	}
	snprintf(path, sizeof(path), "%d/task", (int)tgid);
	fd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone, or hidden from us */
	/* the task directory belongs to the process's effective user, as /proc/PID does */
	if (how & THREADS_STATUS_UID) {
		snprintf(path, sizeof(path), "%d", (int)tgid);
		rc = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rc >= 0) {
			int pfd = rc;

			rc = process_euid(pfd, how, &euid);
			close(pfd);
		}
	} else {
		rc = process_euid(fd, how, &euid);
	}
	if (rc) {
		close(fd);
		return 0;
	}
	if (r->pagesize > 0)
		rss_rc = process_statm(r, rootfd, fd, tgid, how, &rss);
	rc = add_threads(r, fd, tgid, euid);
	close(fd);
	if (!rc && r->pagesize > 0)
		set_rss(r, mark, rss_rc, rss);
	/* a task directory lists threads as they were made: after PIDs wrap around, not in
	 * TID order. Sorted here, a few rows, the whole pass need not be sorted again. */
	if (!rc && !threads_sorted(r->v + mark, r->n - mark))
		qsort(r->v + mark, r->n - mark, sizeof(*r->v), threads_cmp_row);
	return rc;
}

struct scan_ctx {
	struct rows *r;
	int rootfd;
	unsigned how;
};

static int scan_one(void *ctx, pid_t pid)
{
	struct scan_ctx *c = ctx;

	return add_process(c->r, c->rootfd, pid, c->how);
}

static int scan_all(struct rows *r, int rootfd, unsigned how)
{
	struct scan_ctx c = { .r = r, .rootfd = rootfd, .how = how };

	return source_each_pid(rootfd, scan_one, &c);
}

int threads_scan(int rootfd, const pid_t *tgids, size_t ntgids, struct task **rows,
		 size_t *nrows)
{
	return threads_scan_ex(rootfd, 0, 0, tgids, ntgids, rows, nrows);
}

int threads_scan_ex(int rootfd, unsigned how, long pagesize, const pid_t *tgids, size_t ntgids,
		    struct task **rows, size_t *nrows)
{
	return threads_scan_kept(rootfd, how, pagesize, tgids, ntgids, NULL, rows, nrows);
}

/* The threads this scan found under each process (rows sorted by tgid and tid), for the
 * next scan's add_known; without memory the next scan lists every directory. */
static void remember_members(struct keptfd *kept, const struct task *v, size_t n)
{
	struct keptfd_member *m = n ? spare_get(n * sizeof(*m), NULL) : NULL;

	for (size_t i = 0; m && i < n; i++)
		m[i] = (struct keptfd_member){ .tgid = v[i].tgid, .tid = v[i].tid,
					       .start = v[i].start_ticks };
	keptfd_members_set(kept, m, n);
}

/* How many tasks the system has now (/proc/loadavg's count of scheduling entities), 0 when
 * it cannot say. */
static size_t system_tasks(int rootfd)
{
	struct sysinfo_mem si = { 0 };
	char buf[128];
	size_t len;

	if (taskfiles_read(rootfd, "loadavg", buf, sizeof(buf), &len) ||
	    sysinfo_parse_loadavg(buf, len, &si) || si.total > 4194304)
		return 0;
	return (size_t)si.total;
}

int threads_scan_kept(int rootfd, unsigned how, long pagesize, const pid_t *tgids,
		      size_t ntgids, struct keptfd *kept, struct task **rows, size_t *nrows)
{
	struct rows r = { .pagesize = pagesize, .kept = kept,
			  .deltas_only = (how & THREADS_DELTAS_ONLY) != 0 };
	size_t usable;
	int rc = 0;

	*rows = NULL;
	*nrows = 0;
	if (kept) {
		struct keptfd_counts kc;

		/* about as many rows as the last pass: no growing copies of the array, no
		 * doubled capacity left unused */
		keptfd_counts(kept, &kc);
		r.cap = kc.open + kc.fallback;
		if (!r.cap && !tgids) {
			/* the first pass over the whole system: about as many as it has */
			r.cap = system_tasks(rootfd);
			keptfd_expect(kept, r.cap);
		}
		r.cap += r.cap / 16 + 64;
		if (r.deltas_only)
			keptfd_upto(kept, 22);
		/* the rows of the sample before the last, when it is gone: no page to fault in */
		r.v = spare_get(r.cap * sizeof(*r.v), &usable);
		r.cap = r.v ? usable / sizeof(*r.v) : 0;
		keptfd_begin(kept);
	}
	if (tgids) {
		for (size_t i = 0; !rc && i < ntgids; i++)
			rc = add_process(&r, rootfd, tgids[i], how);
	} else {
		rc = scan_all(&r, rootfd, how);
	}
	if (kept) {
		keptfd_end(kept);	/* tasks not seen: ended, or no longer watched */
		keptfd_upto(kept, 0);
	}
	if (rc) {
		for (size_t i = 0; i < r.n; i++)
			free(r.v[i].comm);
		spare_put(r.v);
		return rc;
	}
	/* /proc lists processes and their threads in ascending order: sorted already, as a
	 * rule, and then qsort's copy of every row is not needed */
	if (r.n > 1 && !threads_sorted(r.v, r.n))
		qsort(r.v, r.n, sizeof(*r.v), threads_cmp_row);
	/* a PID listed twice (duplicate targets, or a racy directory read): keep one */
	if (r.n > 1) {
		size_t w = 1;

		for (size_t i = 1; i < r.n; i++) {
			if (!threads_cmp_row(&r.v[i], &r.v[w - 1])) {
				free(r.v[i].comm);
				continue;
			}
			r.v[w++] = r.v[i];
		}
		r.n = w;
	}
	/* ... for a next pass, when there is one */
	if (kept && !keptfd_is_last(kept) && !(how & (THREADS_PROCESSES | THREADS_STATUS_UID)))
		remember_members(kept, r.v, r.n);
	/* the unused tail stays: pages never written are not resident, and the array goes
	 * round again (spare_put) */
	*rows = r.v;
	*nrows = r.n;
	return 0;
}

/* A cmdline file of at most this much is read whole; a longer one is cut (libproc2, for
 * the live /proc, reads it all) */
#define CMDLINE_MAX (128 * 1024)

/* The command line of the process whose directory is pidfd: its arguments, split at their
 * NULs (the last one may be missing) and joined. TS_EMPTY for none. */
static enum ts_avail read_cmdline(int pidfd, char **cmd)
{
	char *buf = malloc(CMDLINE_MAX), **argv;
	size_t len, nargs = 0, i = 0;
	int rc;

	*cmd = NULL;
	if (!buf)
		return TS_NA;
	rc = taskfiles_read(pidfd, "cmdline", buf, CMDLINE_MAX, &len);
	if (rc == -EFBIG)
		rc = 0;
	if (rc || !len) {
		free(buf);
		return rc ? taskfiles_avail(rc) : TS_EMPTY;
	}
	for (size_t off = 0; off < len; off += strlen(buf + off) + 1)
		nargs++;
	argv = calloc(nargs + 1, sizeof(*argv));
	if (!argv) {
		free(buf);
		return TS_NA;
	}
	for (size_t off = 0; off < len; off += strlen(buf + off) + 1)
		argv[i++] = buf + off;
	*cmd = util_join_argv(argv);
	free(argv);
	free(buf);
	return *cmd ? TS_OK : TS_EMPTY;
}

int threads_add_cmdlines(int rootfd, struct task *rows, size_t n)
{
	for (size_t i = 0; i < n; ) {
		size_t end = i;
		const struct task *leader = NULL;
		struct taskfiles_stat st;
		enum ts_avail av = TS_GONE;
		char path[24], *cmd = NULL;
		int fd;

		while (end < n && rows[end].tgid == rows[i].tgid) {
			if (rows[end].tid == rows[end].tgid)
				leader = &rows[end];
			end++;
		}
		snprintf(path, sizeof(path), "%d", (int)rows[i].tgid);
		fd = leader ? source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		/* the directory is the process of the rows only if it started when they did */
		if (fd >= 0 && !read_stat(fd, "stat", &st) && st.start == leader->start_ticks) {
			if (leader->kthread || st.state == 'Z' || st.state == 'X')
				av = TS_EMPTY;
			else
				av = read_cmdline(fd, &cmd);
		}
		if (fd >= 0)
			close(fd);
		for (size_t k = i; k < end; k++) {
			rows[k].cmd = cmd ? strdup(cmd) : NULL;
			rows[k].cmd_av = cmd && !rows[k].cmd ? TS_NA : av;
		}
		free(cmd);
		i = end;
	}
	return 0;
}

/* One light record: /proc/PID/stat and the EUID, the raw name kept for matching. */
static int light_one(int rootfd, pid_t pid, unsigned how, struct proc2_light *l)
{
	struct taskfiles_stat st;
	char path[24];
	uid_t euid;
	int fd, rc;

	snprintf(path, sizeof(path), "%d", (int)pid);
	fd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = process_euid(fd, how, &euid);
	if (!rc)
		rc = read_stat(fd, "stat", &st);
	close(fd);
	if (rc)
		return rc;
	l->pid = pid;
	l->ppid = st.ppid;
	l->euid = euid;
	l->start_ticks = st.start;
	memcpy(l->comm, st.comm, sizeof(l->comm) < sizeof(st.comm) ? sizeof(l->comm) :
	       sizeof(st.comm));
	l->comm[sizeof(l->comm) - 1] = '\0';
	return 0;
}

struct light_ctx {
	int rootfd;
	unsigned how;
	struct proc2_light *v;
	size_t k, cap;
};

static int light_add(void *ctx, pid_t pid)
{
	struct light_ctx *c = ctx;

	if (util_grow(&c->v, &c->cap, c->k, 256, sizeof(*c->v)))
		return -ENOMEM;
	if (!light_one(c->rootfd, pid, c->how, &c->v[c->k]))
		c->k++;	/* else gone since the directory was listed, or hidden */
	return 0;
}

int threads_list_processes(int rootfd, unsigned how, struct proc2_light **out, size_t *n)
{
	struct light_ctx c = { .rootfd = rootfd, .how = how };
	int rc = source_each_pid(rootfd, light_add, &c);

	*out = NULL;
	*n = 0;
	if (rc) {
		free(c.v);
		return rc;
	}
	*out = c.v;
	*n = c.k;
	return 0;
}
