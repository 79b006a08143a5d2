/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stackptr.c - each thread's stack pointer (task/TID/syscall), name and page faults
 *
 * /proc/PID/task/TID/syscall shows where a thread that is not on a CPU entered the
 * kernel: the system call and its arguments, then its user stack pointer and program
 * counter. The stack pointer lies in the mapping that is the thread's stack, which is
 * how taskscope maps labels thread stacks. The file needs ptrace-attach rights on the
 * thread (PTRACE_MODE_ATTACH_FSCREDS): one's own tasks, or root.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/source.h"
#include "sample/stackptr.h"
#include "sample/taskfiles.h"

/* A runnable thread (on a CPU or waiting for one) shows "running"; one that was woken
 * for a moment may be asleep again after a yield. A spinning thread never shows more. */
#define STACKPTR_TRIES 3

/* A hex digit's value plus one as the kernel writes it (lower case), 0 for anything else */
static unsigned lower_hex1(char c)
{
	return (unsigned)(c - 'A') < 6 ? 0 : util_hex1[(unsigned char)c];
}

static int scan_hex0x(const char **p, const char *end, uint64_t *v)
{
	const char *q = *p;
	uint64_t x = 0;
	unsigned d;

	if (end - q < 3 || q[0] != '0' || q[1] != 'x')
		return -EINVAL;
	q += 2;
	if (!lower_hex1(*q))	/* q < end: three bytes or more */
		return -EINVAL;
	for (; q < end && (d = lower_hex1(*q)); q++) {
		if (x >> 60)
			return -ERANGE;
		x = x << 4 | (d - 1);
	}
	*p = q;
	*v = x;
	return 0;
}

int stackptr_parse_syscall(const char *buf, size_t len, uint64_t *sp)
{
	const char *p = buf, *end = buf + len;
	uint64_t nr, v[8];
	size_t want, n = 0;
	bool blocked = false;

	if (len && end[-1] == '\n')
		end--;
	if (end - p == 7 && !memcmp(p, "running", 7))
		return -EAGAIN;
	if (end - p >= 2 && p[0] == '-' && p[1] == '1') {
		blocked = true;		/* not in a system call: "-1 SP PC" */
		p += 2;
	} else {
		if (p >= end || *p < '0' || *p > '9')
			return -EINVAL;
		for (nr = 0; p < end && *p >= '0' && *p <= '9'; p++) {
			nr = nr * 10 + (uint64_t)(*p - '0');
			if (nr > 1000000)
				return -ERANGE;
		}
	}
	want = blocked ? 2 : 8;
	while (n < want) {
		int rc;

		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		rc = scan_hex0x(&p, end, &v[n]);
		if (rc)
			return rc;
		n++;
	}
	if (p != end)
		return -EINVAL;
	*sp = v[want - 2];
	return 0;
}

static int cmp_tid(const void *a, const void *b)
{
	const struct stackptr_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

void stackptr_free(struct stackptr_thread *threads, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(threads[i].comm);
	free(threads);
}

/*
 * A thread's stat or syscall whole into buf (NUL-terminated), as taskfiles_read reads it,
 * without the read that finds the end: /proc writes such a one-record file in one read when
 * the buffer holds it, and a tree holds only regular files (source_openat), so a read that
 * does not fill the buffer has read all there is. Two system calls fewer a thread.
 * -EFBIG: longer than cap - 1 bytes.
 */
static int read_small(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
	ssize_t r;
	size_t off = 0;
	int fd, rc = 0;
	char c;

	fd = source_openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		r = read(fd, buf, cap - 1);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		rc = -errno;
	else
		off = (size_t)r;
	/* a full buffer: too big when there is more */
	if (!rc && off == cap - 1 && read(fd, &c, 1) > 0)
		rc = -EFBIG;
	close(fd);
	buf[off] = '\0';
	*len = off;
	return rc;
}

/* A thread's name sanitized: as util_sanitize_dup writes it, which leaves printable ASCII
 * other than a backslash as it is (nearly every name: copied without decoding it) */
static char *name_dup(const char *s)
{
	size_t n = strlen(s);
	char *d;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '\\')
			return util_sanitize_dup(s, n);
	d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

/* One thread: its syscall (and, with names, its stat), read relative to the process's
 * task directory; 1 when it is gone (leave it out). Not opening each thread's own
 * directory saves two system calls a thread; the two files of one TID in one thread
 * group are of one task unless the TID is reused in the same process in between. */
static int read_thread(int taskfd, const char *name, bool names, struct stackptr_thread *t)
{
	struct taskfiles_stat st;
	char buf[1024], path[32];
	size_t len, nl = strlen(name);	/* at most 10 digits (stackptr_scan) */
	int rc;

	memset(t, 0, sizeof(*t));
	/* "TID/" then the file's name: no snprintf, two of them a thread */
	memcpy(path, name, nl);
	path[nl] = '/';
	if (names) {
		memcpy(path + nl + 1, "stat", sizeof("stat"));
		rc = read_small(taskfd, path, buf, sizeof(buf), &len);
		if (!rc)
			rc = taskfiles_parse_stat_upto(buf, len, 22, &st);
		if (rc)
			return rc == -ENOMEM ? rc : 1;	/* exited, or not what the kernel writes */
		t->tid = st.pid;
		t->start = st.start;
		t->minflt = st.minflt;
		t->majflt = st.majflt;
		t->comm = name_dup(st.comm);
		if (!t->comm)
			return -ENOMEM;
	} else {
		uint64_t tid;

		if (util_parse_u64(name, 4194304, &tid))
			return 1;
		t->tid = (pid_t)tid;
	}
	memcpy(path + nl + 1, "syscall", sizeof("syscall"));
	for (int i = 0; i < STACKPTR_TRIES; i++) {
		rc = read_small(taskfd, path, buf, 256, &len);
		if (!rc)
			rc = stackptr_parse_syscall(buf, len, &t->sp);
		if (rc != -EAGAIN)
			break;
		sched_yield();
	}
	if (rc == -ENOENT) {
		/* the thread exited, or this kernel has no syscall file */
		if (faccessat(taskfd, name, F_OK, 0)) {
			free(t->comm);
			t->comm = NULL;
			return 1;
		}
		rc = -EOPNOTSUPP;
	}
	t->sp_rc = rc == -EFBIG ? -EINVAL : rc;
	return 0;
}

int stackptr_scan(int piddirfd, bool names, struct stackptr_thread **threads, size_t *n)
{
	struct stackptr_thread *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*threads = NULL;
	*n = 0;
	rc = source_opendir(piddirfd, "task", &d);
	if (rc)
		return rc == -ENOENT ? -ESRCH : rc;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strlen(de->d_name) > 10)
			continue;
		if (util_grow(&v, &cap, cnt, 16, sizeof(*v))) {
			rc = -ENOMEM;
			break;
		}
		rc = read_thread(dirfd(d), de->d_name, names, &v[cnt]);
		if (rc < 0) {
			free(v[cnt].comm);
			break;
		}
		if (rc == 0)
			cnt++;
		rc = 0;
	}
	closedir(d);
	if (rc) {
		stackptr_free(v, cnt);
		return rc;
	}
	if (cnt == 0) {
		free(v);
		return -ESRCH;	/* no thread left: the process is gone */
	}
	qsort(v, cnt, sizeof(*v), cmp_tid);
	*threads = v;
	*n = cnt;
	return 0;
}
