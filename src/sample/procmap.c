/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procmap.c - what `taskscope maps` reads of one process, through one /proc/PID directory */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sample/procmap.h"
#include "sample/taskfiles.h"

static int open_pid(int rootfd, pid_t pid)
{
	char path[24];
	int fd;

	snprintf(path, sizeof(path), "%d", (int)pid);
	fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

int procmap_read(int rootfd, pid_t id, unsigned want, struct procmap *out)
{
	struct taskfiles_stat st;
	char buf[4096];
	size_t len;
	pid_t tgid;
	int dfd, rc;

	memset(out, 0, sizeof(*out));
	out->map_rc = out->threads_rc = -ENODATA;
	dfd = open_pid(rootfd, id);
	if (dfd < 0)
		return dfd;
	/* a thread ID reaches its process */
	rc = taskfiles_read(dfd, "status", buf, sizeof(buf), &len);
	if (rc == -EFBIG)
		rc = 0;
	if (!rc)
		rc = taskfiles_parse_tgid(buf, len, &tgid);
	if (rc)
		goto out;
	if (tgid != id) {
		close(dfd);
		dfd = open_pid(rootfd, tgid);
		if (dfd < 0)
			return dfd;
	}
	rc = taskfiles_read(dfd, "stat", buf, sizeof(buf), &len);
	if (!rc)
		rc = taskfiles_parse_stat(buf, len, &st);
	if (rc)
		goto out;
	out->pid = tgid;
	memcpy(out->comm, st.comm, sizeof(out->comm));
	out->start = st.start;
	out->nlwp = st.nlwp;
	out->map_rc = smaps_read_at(dfd, want & PROCMAP_NUMA, &out->map);
	if (out->map_rc == -ENOMEM) {
		rc = -ENOMEM;
		goto out;
	}
	if (out->map_rc == 0 && (want & PROCMAP_STACKS))
		out->threads_rc = stackptr_scan(dfd, want & PROCMAP_NAMES, &out->threads,
						&out->nthreads);
	if (out->threads_rc == -ENOMEM)
		rc = -ENOMEM;
out:
	close(dfd);
	if (rc == -ENOENT)
		rc = -ESRCH;	/* a file of the directory is gone: so is the process */
	if (rc)
		procmap_free(out);
	return rc;
}

void procmap_free(struct procmap *pm)
{
	smaps_map_free(&pm->map);
	stackptr_free(pm->threads, pm->nthreads);
	pm->threads = NULL;
	pm->nthreads = 0;
}
