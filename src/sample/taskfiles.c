/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskfiles.c - own readers of per-task /proc files that libproc2 does not expose */
#include "config.h"

#include <errno.h>
#include <sys/syscall.h>
#include <limits.h>
#include <fcntl.h>
#include <dirent.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

enum ts_avail taskfiles_avail(int err)
{
	switch (err) {
	case 0:
		return TS_OK;
	case -EACCES:
	case -EPERM:
		return TS_DENIED;
	case -ENOSYS:
	case -EOPNOTSUPP:
		return TS_UNSUPPORTED;
	default:
		return TS_GONE;
	}
}

/* util_span_dec with the end of the number handed back separately */
static int scan_u64_to(const char *s, const char *end, const char **stop, uint64_t *v)
{
	int rc = util_span_dec(&s, end, v);

	if (!rc)
		*stop = s;
	return rc;
}

int taskfiles_parse_ctxsw(const char *buf, size_t len, uint64_t *vol, uint64_t *invol)
{
	static const char kv[] = "voluntary_ctxt_switches:";
	static const char kn[] = "nonvoluntary_ctxt_switches:";
	const char *p = buf, *end = buf + len;
	int found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		uint64_t *dst = NULL;
		const char *v = NULL;

		if ((size_t)(le - p) > sizeof(kv) - 1 && !memcmp(p, kv, sizeof(kv) - 1)) {
			dst = vol;
			v = p + sizeof(kv) - 1;
		} else if ((size_t)(le - p) > sizeof(kn) - 1 && !memcmp(p, kn, sizeof(kn) - 1)) {
			dst = invol;
			v = p + sizeof(kn) - 1;
		}
		if (dst) {
			const char *stop;

			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			if (scan_u64_to(v, le, &stop, dst) || stop != le)
				return -EINVAL;
			found |= dst == vol ? 1 : 2;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return found == 3 ? 0 : -EINVAL;
}

int taskfiles_open_root(void)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int taskfiles_open_task(int rootfd, pid_t tgid, pid_t tid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%d/task/%d", (int)tgid, (int)tid);
	fd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int taskfiles_read(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
	size_t off = 0;
	int fd, rc;
	char c;

	if (cap < 2)
		return -EINVAL;
	fd = source_openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = util_read_full(fd, buf, cap - 1, -1, &off);
	/* a full buffer: too big when there is more */
	if (!rc && off == cap - 1 && read(fd, &c, 1) > 0)
		rc = -EFBIG;
	close(fd);
	buf[off] = '\0';
	if (len)
		*len = off;
	return rc;
}

int taskfiles_open_checked(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
			struct taskfiles_stat *st)
{
	char buf[1024];
	size_t len;
	int dfd, rc;

	dfd = taskfiles_open_task(rootfd, tgid, tid);
	if (dfd < 0)
		return dfd;
	rc = taskfiles_read(dfd, "stat", buf, sizeof(buf), &len);
	if (!rc)
		rc = taskfiles_parse_stat(buf, len, st);
	if (!rc && st->start != start_ticks)
		rc = -ESRCH;
	if (rc) {
		close(dfd);
		return rc;
	}
	return dfd;
}

int taskfiles_thread_stat(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
			  struct taskfiles_stat *st)
{
	int dfd = taskfiles_open_checked(rootfd, tgid, tid, start_ticks, st);

	if (dfd < 0)
		return dfd;
	close(dfd);
	return 0;
}

int taskfiles_parse_status_mem(const char *buf, size_t len, struct taskfiles_status_mem *m)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "RssAnon:", offsetof(struct taskfiles_status_mem, rss_anon) },
		{ "RssFile:", offsetof(struct taskfiles_status_mem, rss_file) },
		{ "RssShmem:", offsetof(struct taskfiles_status_mem, rss_shmem) },
		{ "VmSwap:", offsetof(struct taskfiles_status_mem, swap) },
		{ "VmPTE:", offsetof(struct taskfiles_status_mem, pte) },
		{ "VmRSS:", offsetof(struct taskfiles_status_mem, vm_rss) },
	};
	const char *p = buf, *end = buf + len;
	unsigned found = 0;

	memset(m, 0, sizeof(*m));
	/* the first line is "Name:" with the (escaped) comm: never a memory line. The keys
	 * are all R... or V... lines, and once each is seen the rest (signal masks,
	 * capabilities, CPU lists: most of the text) need not be looked at. */
	while (p < end && found != (1u << ARRAY_SIZE(keys)) - 1) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		for (size_t k = 0; k < ARRAY_SIZE(keys) && (*p == 'R' || *p == 'V'); k++) {
			size_t kl = strlen(keys[k].key);
			const char *v = p + kl, *stop;
			uint64_t kb;

			if ((size_t)(le - p) <= kl || memcmp(p, keys[k].key, kl))
				continue;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			if (scan_u64_to(v, le, &stop, &kb) || le - stop != 3 || memcmp(stop, " kB", 3) ||
			    kb > UINT64_MAX / 1024)
				return -EINVAL;
			*(uint64_t *)((char *)m + keys[k].off) = kb * 1024;
			found |= 1u << k;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* The value of the status line "key" (with its colon, e.g. "Uid:"), blanks skipped:
 * [*v, *vend); -ENOENT when there is no such line. */
static int status_value(const char *buf, size_t len, const char *key, const char **v,
			const char **vend)
{
	const char *p = buf, *end = buf + len;
	size_t kl = strlen(key);

	/* the first line is "Name:" with the (escaped) comm: never taken for another key */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (p != buf && (size_t)(le - p) > kl && !memcmp(p, key, kl)) {
			p += kl;
			while (p < le && (*p == ' ' || *p == '\t'))
				p++;
			*v = p;
			*vend = le;
			return 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return -ENOENT;
}

int taskfiles_parse_euid(const char *buf, size_t len, uid_t *euid)
{
	const char *p, *end;
	uint64_t real, eff;

	if (status_value(buf, len, "Uid:", &p, &end))
		return -EINVAL;
	/* "Uid:\treal\teffective\tsaved\tfilesystem" */
	if (util_span_dec(&p, end, &real) || util_span_char(&p, end, '\t') ||
	    util_span_dec(&p, end, &eff) || eff > UINT32_MAX - 1 ||
	    (p < end && *p != '\t'))
		return -EINVAL;
	*euid = (uid_t)eff;
	return 0;
}

int taskfiles_parse_cpus_allowed(const char *buf, size_t len, struct cpulist *cl)
{
	const char *p, *end;
	char list[4096];

	if (status_value(buf, len, "Cpus_allowed_list:", &p, &end) ||
	    (size_t)(end - p) >= sizeof(list))
		return -EINVAL;
	memcpy(list, p, (size_t)(end - p));
	list[end - p] = '\0';
	return util_cpulist_parse(list, TASKFILES_MAX_CPUS, cl);
}

int taskfiles_status_affinity(int rootfd, pid_t tgid, pid_t tid, struct cpulist *cl)
{
	char path[64], buf[16384];
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%d/task/%d/status", (int)tgid, (int)tid);
	rc = taskfiles_read(rootfd, path, buf, sizeof(buf), &len);
	if (rc == -EFBIG)
		rc = 0;
	return rc ? rc : taskfiles_parse_cpus_allowed(buf, len, cl);
}

int taskfiles_status_mem_at(int dirfd, const char *name, struct taskfiles_status_mem *m)
{
	char buf[16384];
	size_t len;
	int rc;

	rc = taskfiles_read(dirfd, name, buf, sizeof(buf), &len);
	if (rc == -EFBIG)
		rc = 0;		/* the memory lines come before the long ones at the end */
	return rc ? rc : taskfiles_parse_status_mem(buf, len, m);
}

int taskfiles_pread(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t r;

	*len = 0;
	if (cap < 2)
		return -EINVAL;
	do
		r = pread(fd, buf, cap - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r < 0 ? -errno : -ESRCH;
	buf[r] = '\0';
	*len = (size_t)r;
	return *len == cap - 1 ? -EFBIG : 0;
}

int taskfiles_parse_statm(const char *buf, size_t len, long pagesize, uint64_t *rss)
{
	const char *p = buf, *end = buf + len, *stop;
	uint64_t size, pages;

	/* "size resident shared text lib data dt", pages */
	if (scan_u64_to(p, end, &stop, &size) || stop >= end || *stop != ' ')
		return -EINVAL;
	p = stop + 1;
	if (scan_u64_to(p, end, &stop, &pages) || (stop < end && *stop != ' ' && *stop != '\n'))
		return -EINVAL;
	if (pagesize <= 0 || pages > UINT64_MAX / (uint64_t)pagesize)
		return -ERANGE;
	*rss = pages * (uint64_t)pagesize;
	return 0;
}

int taskfiles_statm_at(int dirfd, const char *name, long pagesize, uint64_t *rss)
{
	char buf[256];
	size_t len;
	int rc;

	rc = taskfiles_read(dirfd, name, buf, sizeof(buf), &len);
	return rc ? rc : taskfiles_parse_statm(buf, len, pagesize, rss);
}

int taskfiles_status_mem(int rootfd, pid_t tgid, uint64_t start_ticks,
			 struct taskfiles_status_mem *m)
{
	struct taskfiles_stat st;
	int dfd, rc;

	dfd = taskfiles_open_checked(rootfd, tgid, tgid, start_ticks, &st);
	if (dfd < 0)
		return dfd;
	rc = taskfiles_status_mem_at(dfd, "status", m);
	close(dfd);
	return rc;
}

int taskfiles_parse_sched(const char *buf, size_t len, uint64_t *migrations)
{
	static const char key[] = "\nse.nr_migrations";
	const char *end = buf + len, *p, *stop;

	/* the first line holds the raw comm: start after the line of dashes below it, which
	 * no 15-byte name can forge */
	p = memmem(buf, len, "\n----------", 11);
	if (!p)
		return -EINVAL;
	p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1);
	if (!p)
		return -EINVAL;
	p += sizeof(key) - 1;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != ':')
		return -EINVAL;
	p++;
	while (p < end && *p == ' ')
		p++;
	if (scan_u64_to(p, end, &stop, migrations) || (stop < end && *stop != '\n'))
		return -EINVAL;
	return 0;
}

int taskfiles_parse_schedstat(const char *buf, size_t len, uint64_t *run_ns, uint64_t *wait_ns,
			      uint64_t *slices)
{
	const char *p = buf, *end = buf + len;
	uint64_t *v[3] = { run_ns, wait_ns, slices };

	for (int i = 0; i < 3; i++) {
		if (i) {
			if (p >= end || *p != ' ')
				return -EINVAL;
			p++;
		}
		if (scan_u64_to(p, end, &p, v[i]))
			return -EINVAL;
	}
	return (p == end || (*p == '\n' && p + 1 == end)) ? 0 : -EINVAL;
}

/* Read what want asks for from the task directory at dirfd (prefix "" or "TID/"). A file
 * that is missing while its directory is there is one this kernel does not have. */
static void read_extras_at(int dirfd, const char *prefix, unsigned want,
			   struct taskfiles_extras *x)
{
	char buf[16384], name[64];
	size_t len;
	int rc;

	if (want & TX_CTXSW) {
		snprintf(name, sizeof(name), "%sstatus", prefix);
		rc = taskfiles_read(dirfd, name, buf, sizeof(buf), &len);
		if (rc == -EFBIG)
			rc = 0;	/* parse what fits: the parser says if the counters are missing */
		x->ctxsw_rc = rc ? rc : taskfiles_parse_ctxsw(buf, len, &x->vctx, &x->ictx);
	}
	if (want & TX_SCHED) {
		snprintf(name, sizeof(name), "%ssched", prefix);
		rc = taskfiles_read(dirfd, name, buf, sizeof(buf), &len);
		if (rc == -EFBIG)
			rc = 0;
		x->sched_rc = rc == -ENOENT ? -EOPNOTSUPP
					    : rc ? rc : taskfiles_parse_sched(buf, len, &x->migrations);
	}
	if (want & TX_SCHEDSTAT) {
		snprintf(name, sizeof(name), "%sschedstat", prefix);
		rc = taskfiles_read(dirfd, name, buf, 256, &len);
		x->schedstat_rc = rc == -ENOENT ? -EOPNOTSUPP
				  : rc ? rc : taskfiles_parse_schedstat(buf, len, &x->run_ns,
									&x->wait_ns, &x->slices);
	}
}

int taskfiles_extras(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks, unsigned want,
		     struct taskfiles_extras *x)
{
	struct taskfiles_stat st;
	int dfd;

	memset(x, 0, sizeof(*x));
	dfd = taskfiles_open_checked(rootfd, tgid, tid, start_ticks, &st);
	if (dfd < 0) {
		x->ctxsw_rc = x->sched_rc = x->schedstat_rc = dfd;
		return dfd;
	}
	read_extras_at(dfd, "", want, x);
	close(dfd);
	return 0;
}

/* Add one thread's values into the process's sum; a field is summed only where read. */
static void extras_add(struct taskfiles_extras *sum, const struct taskfiles_extras *t,
		       unsigned *found)
{
	if (!t->ctxsw_rc) {
		sum->vctx += t->vctx;
		sum->ictx += t->ictx;
		found[0]++;
	} else if (!found[0]) {
		sum->ctxsw_rc = t->ctxsw_rc;
	}
	if (!t->sched_rc) {
		sum->migrations += t->migrations;
		found[1]++;
	} else if (!found[1]) {
		sum->sched_rc = t->sched_rc;
	}
	if (!t->schedstat_rc) {
		sum->run_ns += t->run_ns;
		sum->wait_ns += t->wait_ns;
		sum->slices += t->slices;
		found[2]++;
	} else if (!found[2]) {
		sum->schedstat_rc = t->schedstat_rc;
	}
}

int taskfiles_extras_process(int rootfd, pid_t tgid, uint64_t start_ticks, unsigned want,
			     struct taskfiles_extras *x)
{
	struct taskfiles_stat st;
	struct dirent *de;
	unsigned found[3] = { 0, 0, 0 };
	char path[32];
	DIR *d;
	int dfd, rc;

	memset(x, 0, sizeof(*x));
	x->ctxsw_rc = x->sched_rc = x->schedstat_rc = -ESRCH;
	/* the leader's directory proves the process is still the one started at start_ticks */
	dfd = taskfiles_open_checked(rootfd, tgid, tgid, start_ticks, &st);
	if (dfd < 0) {
		x->ctxsw_rc = x->sched_rc = x->schedstat_rc = dfd;
		return dfd;
	}
	close(dfd);
	snprintf(path, sizeof(path), "%d/task", (int)tgid);
	rc = source_opendir(rootfd, path, &d);
	if (rc)
		return rc;
	while ((de = readdir(d))) {
		struct taskfiles_extras t;
		char prefix[32];

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strlen(de->d_name) > 16)
			continue;
		memset(&t, 0, sizeof(t));
		snprintf(prefix, sizeof(prefix), "%s/", de->d_name);
		read_extras_at(dirfd(d), prefix, want, &t);
		extras_add(x, &t, found);	/* a thread that exited meanwhile adds nothing */
	}
	closedir(d);
	if (found[0])
		x->ctxsw_rc = 0;
	if (found[1])
		x->sched_rc = 0;
	if (found[2])
		x->schedstat_rc = 0;
	return 0;
}

int taskfiles_ctxsw(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
		    uint64_t *vol, uint64_t *invol)
{
	struct taskfiles_extras x;
	int rc = taskfiles_extras(rootfd, tgid, tid, start_ticks, TX_CTXSW, &x);

	if (rc)
		return rc;
	*vol = x.vctx;
	*invol = x.ictx;
	return x.ctxsw_rc;
}

int taskfiles_ctxsw_process(int rootfd, pid_t tgid, uint64_t start_ticks,
			    uint64_t *vol, uint64_t *invol)
{
	struct taskfiles_extras x;
	int rc = taskfiles_extras_process(rootfd, tgid, start_ticks, TX_CTXSW, &x);

	if (rc)
		return rc;
	*vol = x.vctx;
	*invol = x.ictx;
	return x.ctxsw_rc;
}

/* Read /proc/PID/NAME (relative to rootfd) like taskfiles_read. */
static int read_pid_file(int rootfd, pid_t pid, const char *name, char *buf, size_t cap,
			 size_t *len)
{
	char path[32];
	int dfd, rc;

	snprintf(path, sizeof(path), "%d", (int)pid);
	dfd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	rc = taskfiles_read(dfd, name, buf, cap, len);
	close(dfd);
	return rc;
}

int taskfiles_comm(int rootfd, pid_t pid, char *buf, size_t len)
{
	size_t n;
	int rc = read_pid_file(rootfd, pid, "comm", buf, len, &n);

	if (rc)
		return rc;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int taskfiles_parse_tgid(const char *buf, size_t len, pid_t *tgid)
{
	static const char key[] = "\nTgid:";
	const char *p = buf, *end = buf + len, *stop;
	uint64_t v;

	p = memmem(p, len, key, sizeof(key) - 1);
	if (!p)
		return -EINVAL;
	p += sizeof(key) - 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (scan_u64_to(p, end, &stop, &v) || stop == p || v == 0 || v > 4194304 ||
	    (stop < end && *stop != '\n'))
		return -EINVAL;
	*tgid = (pid_t)v;
	return 0;
}

int taskfiles_tgid(int rootfd, pid_t tid, pid_t *tgid)
{
	char buf[4096];
	size_t len;
	int rc = read_pid_file(rootfd, tid, "status", buf, sizeof(buf), &len);

	if (rc && rc != -EFBIG)
		return rc;
	return taskfiles_parse_tgid(buf, len, tgid);
}

int taskfiles_process_stat(int rootfd, pid_t pid, struct taskfiles_stat *st)
{
	char buf[1024];
	size_t len;
	int rc = read_pid_file(rootfd, pid, "stat", buf, sizeof(buf), &len);

	return rc ? rc : taskfiles_parse_stat(buf, len, st);
}

int taskfiles_affinity(pid_t tid, struct cpulist *cl)
{
	int ncpus = 1024;

	for (;;) {
		int rc = util_cpulist_init(cl, ncpus);

		if (rc)
			return rc;
		if (sched_getaffinity(tid, cl->size, cl->set) == 0)
			return 0;
		rc = -errno;
		util_cpulist_free(cl);
		if (rc != -EINVAL || ncpus >= (1 << 22))
			return rc;
		ncpus *= 4;	/* the kernel's mask is larger than ours: grow */
	}
}

int taskfiles_self_exe(char *buf, size_t len)
{
	ssize_t n;

	if (len < 2)
		return -EINVAL;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* ---- what one of our own threads is reading ---- */

static bool is_read_call(uint64_t nr)
{
	return nr == SYS_read || nr == SYS_pread64 || nr == SYS_readv || nr == SYS_preadv;
}

/* The file thread tid of this process is reading now: its syscall file says "NR 0xFD ..."
 * while it is blocked in a system call; a read's first argument is the descriptor, whose
 * link names the file. Empty when it is not blocked in a read. Neither file blocks on a
 * stuck task: they are our own thread's (the TUI asks it of its stuck sampler). */
void taskfiles_self_reading(pid_t tid, char *where, size_t len)
{
	char buf[256], name[64], link[256];
	const char *p = buf, *end;
	uint64_t nr, fd;
	size_t n;
	ssize_t l;
	int root = taskfiles_open_root();

	where[0] = '\0';
	if (root < 0)
		return;
	snprintf(name, sizeof(name), "self/task/%d/syscall", (int)tid);
	if (!taskfiles_read(root, name, buf, sizeof(buf), &n)) {
		end = buf + n;
		if (!util_span_dec(&p, end, &nr) && is_read_call(nr) &&
		    !util_span_char(&p, end, ' ') && !util_span_char(&p, end, '0') &&
		    !util_span_char(&p, end, 'x') && !util_span_hex(&p, end, &fd) &&
		    fd <= INT_MAX) {
			snprintf(name, sizeof(name), "self/fd/%d", (int)fd);
			l = readlinkat(root, name, link, sizeof(link));
			if (l > 0 && (size_t)l < sizeof(link))
				util_sanitize(link, (size_t)l, where, len);
		}
	}
	close(root);
}
