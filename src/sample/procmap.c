/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procmap.c - what `taskscope maps` reads of one process, through one /proc/PID directory */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/procmap.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

static int open_pid(int rootfd, pid_t pid)
{
	char path[24];
	int fd;

	snprintf(path, sizeof(path), "%d", (int)pid);
	fd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

int procmap_parse_status(const char *buf, size_t len, struct procmap_status *st)
{
	static const char name[] = "Name:\t", threads[] = "\nThreads:";
	const char *p = buf + sizeof(name) - 1, *end = buf + len, *t;
	uint64_t v;
	size_t n = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	if (len < sizeof(name) - 1 || memcmp(buf, name, sizeof(name) - 1))
		return -EINVAL;
	/* the kernel writes a newline in the name as "\n" and a backslash as "\\" */
	for (; p < end && *p != '\n'; p++) {
		char c = *p;

		if (c == '\\' && p + 1 < end && (p[1] == 'n' || p[1] == '\\'))
			c = *++p == 'n' ? '\n' : '\\';
		if (n < sizeof(st->comm) - 1)
			st->comm[n++] = c;
	}
	st->comm[n] = '\0';
	rc = taskfiles_parse_tgid(buf, len, &st->tgid);
	if (rc)
		return rc;
	/* the count only says how many there are: a tree without it shows none (the escaped
	 * name has no newline, so the line found is the kernel's) */
	t = memmem(buf, len, threads, sizeof(threads) - 1);
	if (t) {
		t += sizeof(threads) - 1;
		while (t < end && (*t == ' ' || *t == '\t'))
			t++;
		if (!util_span_dec(&t, end, &v) && (t == end || *t == '\n') && v <= 4194304)
			st->threads = (long)v;
	}
	return 0;
}

#define PF_KTHREAD 0x00200000UL	/* stat flags: a kernel thread */

/*
 * After everything was read: was it all of one live address space? The process's stat,
 * read once and last through the pinned directory, tells if the process still runs (a
 * directory opened before gives -ESRCH once the process is reaped, even if its PID is
 * reused); the smaps file sfd (still open) tells if the address space it was opened on
 * still exists. An address space gone while the process lives means it executed another
 * program.
 */
static enum smaps_cut check_whole(int dfd, int sfd, struct procmap *out)
{
	struct taskfiles_stat now;
	char buf[1024];
	size_t len;
	int alive = sfd >= 0 ? smaps_mm_alive(sfd) : -EBADF, rc;

	rc = taskfiles_read(dfd, "stat", buf, sizeof(buf), &len);
	if (!rc)
		rc = taskfiles_parse_stat(buf, len, &now);
	if (rc)
		return SMAPS_CUT_EXITED;	/* reaped (-ESRCH through the pinned directory) */
	out->start = now.start;
	if (now.state == 'Z' || now.state == 'X')
		return SMAPS_CUT_EXITED;
	if (now.flags & PF_KTHREAD)
		return SMAPS_WHOLE;		/* no address space to lose */
	if (!now.vsize)
		return SMAPS_CUT_EXITED;	/* exiting: its memory is already given back */
	if (alive == 1)
		return SMAPS_WHOLE;
	return alive == 0 ? SMAPS_CUT_EXECED : SMAPS_CUT_EXITED;
}

int procmap_read_once(int rootfd, pid_t id, unsigned want, struct util_pidset *seen,
		      struct procmap *out)
{
	struct procmap_status sid;
	enum smaps_cut cut;
	char buf[4096];
	size_t len;
	int dfd, sfd = -1, rc;

	memset(out, 0, sizeof(*out));
	out->map_rc = out->threads_rc = -ENODATA;
	dfd = open_pid(rootfd, id);
	if (dfd < 0) {
		/* an ID that cannot be read is told once, as a process would be */
		return seen && !util_pidset_add(seen, (int)id) ? -EEXIST : dfd;
	}
	/* status, the one file read before smaps: a thread ID reaches its process, and the
	 * name and thread count are those of the process as its map is read */
	rc = taskfiles_read(dfd, "status", buf, sizeof(buf), &len);
	if (rc == -EFBIG)
		rc = 0;
	if (!rc)
		rc = procmap_parse_status(buf, len, &sid);
	if (seen && !util_pidset_add(seen, rc ? (int)id : (int)sid.tgid)) {
		close(dfd);
		return -EEXIST;		/* named before: shown there */
	}
	if (rc)
		goto out;
	if (sid.tgid != id) {
		close(dfd);
		dfd = open_pid(rootfd, sid.tgid);
		if (dfd < 0)
			return dfd;
	}
	out->pid = sid.tgid;
	memcpy(out->comm, sid.comm, sizeof(out->comm));
	out->nlwp = sid.threads;
	out->map_rc = smaps_read_keep(dfd, want & PROCMAP_NUMA, &out->map, &sfd);
	if (out->map_rc == -ENOMEM) {
		rc = -ENOMEM;
		goto out;
	}
	if (out->map_rc == 0 && (want & PROCMAP_STACKS))
		out->threads_rc = stackptr_scan(dfd, want & PROCMAP_NAMES, &out->threads,
						&out->nthreads);
	if (out->threads_rc == -ENOMEM) {
		rc = -ENOMEM;
		goto out;
	}
	if (out->map_rc)
		goto out;
	cut = check_whole(dfd, sfd, out);
	if (cut != SMAPS_WHOLE && out->map.cut != SMAPS_CUT_EXITED) {
		out->map.truncated = true;
		out->map.cut = cut;
	}
	if (out->map.cut == SMAPS_CUT_EXITED || out->map.cut == SMAPS_CUT_EXECED) {
		/* threads read after the end, or of another program: none is shown */
		stackptr_free(out->threads, out->nthreads);
		out->threads = NULL;
		out->nthreads = 0;
		if (out->threads_rc != -ENODATA)
			out->threads_rc = -ESRCH;
	}
out:
	if (sfd >= 0)
		close(sfd);
	close(dfd);
	if (rc == -ENOENT)
		rc = -ESRCH;	/* a file of the directory is gone: so is the process */
	if (rc)
		procmap_free(out);
	return rc;
}

int procmap_read(int rootfd, pid_t id, unsigned want, struct procmap *out)
{
	return procmap_read_once(rootfd, id, want, NULL, out);
}

void procmap_free(struct procmap *pm)
{
	smaps_map_free(&pm->map);
	stackptr_free(pm->threads, pm->nthreads);
	pm->threads = NULL;
	pm->nthreads = 0;
}
