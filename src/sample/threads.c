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

#include "lib/util.h"
#include "sample/taskfiles.h"
#include "sample/threads.h"

#define PF_KTHREAD 0x00200000UL

struct rows {
	struct task *v;
	size_t n, cap;
	long pagesize;
};

static int rows_grow(struct rows *r)
{
	size_t cap;
	struct task *v;

	if (r->n < r->cap)
		return 0;
	cap = r->cap ? r->cap * 2 : 1024;
	v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
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

static int add_thread(struct rows *r, int taskfd, const char *name, pid_t tgid, uid_t euid)
{
	struct taskfiles_stat st;
	char path[32], buf[1024];
	struct task *t;
	ssize_t len;
	int fd, rc;

	if (strlen(name) > 16)
		return 0;	/* no TID is that long */
	snprintf(path, sizeof(path), "%.16s/stat", name);
	fd = openat(taskfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* exited since the directory was listed */
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (taskfiles_parse_stat(buf, (size_t)len, &st))
		return 0;	/* not what the kernel writes: leave the row out */
	rc = rows_grow(r);
	if (rc)
		return rc;
	t = &r->v[r->n];
	memset(t, 0, sizeof(*t));
	t->tid = st.pid;
	t->tgid = tgid;
	t->ppid = st.ppid;
	t->euid = euid;
	t->state = st.state;
	t->nlwp = (int)st.nlwp;
	t->cpu = st.cpu;
	t->prio = (int)st.prio;
	t->nice = (int)st.nice;
	t->policy = (int)st.policy;
	t->start_ticks = st.start;
	t->utime_ticks = st.utime;
	t->stime_ticks = st.stime;
	t->cpu_ticks = st.utime + st.stime;
	t->minflt = st.minflt;
	t->majflt = st.majflt;
	t->vsz = st.vsize;
	t->kthread = (st.flags & PF_KTHREAD) != 0;
	t->whole = false;
	t->cmd_av = t->mem_av = t->ctxsw_av = t->aff_av = TS_NA;
	t->sched_av = t->schedstat_av = t->smaps_av = t->rss_av = TS_NA;
	t->comm = comm_dup(st.comm);
	if (!t->comm)
		return -ENOMEM;
	r->n++;
	return 0;
}

static int add_process(struct rows *r, int rootfd, pid_t tgid)
{
	char path[32];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%d/task", (int)tgid);
	fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone, or hidden from us */
	/* the task directory belongs to the process's effective user, as /proc/PID does */
	if (fstat(fd, &sb)) {
		close(fd);
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return errno == ENOMEM ? -ENOMEM : 0;
	}
	while (!rc && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			rc = add_thread(r, dirfd(d), de->d_name, tgid, sb.st_uid);
	closedir(d);
	return rc;
}

static int cmp_row(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int scan_all(struct rows *r, int rootfd)
{
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		uint64_t pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    util_parse_u64(de->d_name, 4194304, &pid))
			continue;
		rc = add_process(r, rootfd, (pid_t)pid);
	}
	closedir(d);
	return rc;
}

int threads_scan(int rootfd, const pid_t *tgids, size_t ntgids, struct task **rows,
		 size_t *nrows)
{
	struct rows r = { 0 };
	int rc = 0;

	*rows = NULL;
	*nrows = 0;
	if (tgids) {
		for (size_t i = 0; !rc && i < ntgids; i++)
			rc = add_process(&r, rootfd, tgids[i]);
	} else {
		rc = scan_all(&r, rootfd);
	}
	if (rc) {
		for (size_t i = 0; i < r.n; i++)
			free(r.v[i].comm);
		free(r.v);
		return rc;
	}
	if (r.n > 1)
		qsort(r.v, r.n, sizeof(*r.v), cmp_row);
	/* a PID listed twice (duplicate targets, or a racy directory read): keep one */
	if (r.n > 1) {
		size_t w = 1;

		for (size_t i = 1; i < r.n; i++) {
			if (!cmp_row(&r.v[i], &r.v[w - 1])) {
				free(r.v[i].comm);
				continue;
			}
			r.v[w++] = r.v[i];
		}
		r.n = w;
	}
	*rows = r.v;
	*nrows = r.n;
	return 0;
}
