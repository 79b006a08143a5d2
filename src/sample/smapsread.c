/* SPDX-License-Identifier: GPL-2.0-or-later */
/* smapsread.c - reading /proc/PID/smaps, smaps_rollup and numa_maps whole (parsed in smaps.c
 * and smapsnuma.c) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/smaps.h"
#include "sample/source.h"

#define SMAPS_READ_FIRST	(64u << 10)	/* first buffer; it doubles as needed */

/* The whole of an open file into a malloc'ed buffer of first bytes (0: SMAPS_READ_FIRST), with
 * reads as large as the buffer; it doubles up to cap bytes, and *capped says the file went on
 * past them. An error after some text was read goes to *late (when late is not NULL) and the
 * text read is kept. */
static int read_fd(int fd, size_t first, size_t cap, char **buf, size_t *len, bool *capped,
		   int *late)
{
	size_t size, off = 0;
	char *b;
	int rc = 0;

	*buf = NULL;
	*len = 0;
	*capped = false;
	if (late)
		*late = 0;
	if (first < SMAPS_READ_FIRST)
		first = SMAPS_READ_FIRST;
	size = first < cap ? first : cap;
	b = malloc(size);
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (off == size) {
			char *nb;

			if (size >= cap) {
				*capped = true;
				break;
			}
			size = size > cap / 2 ? cap : size * 2;
			nb = realloc(b, size);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + off, size - off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			if (late && off) {
				*late = rc;
				rc = 0;
			}
			break;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	if (rc) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = off;
	return 0;
}

static int read_whole(int dirfd, const char *name, size_t cap, char **buf, size_t *len,
		      bool *capped)
{
	int fd = source_openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	*buf = NULL;
	*len = 0;
	*capped = false;
	if (fd < 0)
		return -errno;
	rc = read_fd(fd, 0, cap, buf, len, capped, NULL);
	close(fd);
	return rc;
}

int smaps_read_keep(int piddirfd, bool numa, struct smaps_map *out, int *fdp)
{
	/* the length of the last smaps read here: the processes of one program (or the same
	 * process again) have maps of about the same size, and a first buffer a quarter larger
	 * than that is read without growing it (a copy each time) */
	static _Thread_local size_t last_len;
	char *buf;
	size_t len, first;
	bool capped;
	int fd, late, rc;

	memset(out, 0, sizeof(*out));
	*fdp = -1;
	fd = source_openat(piddirfd, "smaps", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	first = last_len < SMAPS_READ_CAP / 2 ? (last_len + last_len / 4 + 4095) & ~(size_t)4095 : 0;
	rc = read_fd(fd, first, SMAPS_READ_CAP, &buf, &len, &capped, &late);
	if (rc) {
		close(fd);
		return rc;
	}
	last_len = len;
	if (capped || late) {
		/* parse whole lines only: the cut one is the truncated entry */
		while (len && buf[len - 1] != '\n')
			len--;
	}
	rc = smaps_parse(buf, len, out);
	free(buf);
	if (rc == -EINVAL && late) {
		/* nothing whole was read before the error: the error is the answer */
		rc = late;
	}
	if (rc) {
		close(fd);
		return rc;
	}
	if (out->truncated)
		out->cut = SMAPS_CUT_SHORT;
	if (capped) {
		out->truncated = true;
		out->cut = SMAPS_CUT_TOO_LONG;
	}
	if (late) {
		/* the task was reaped mid-read (-ESRCH), or the kernel failed: cut short */
		out->truncated = true;
		out->cut = late == -ESRCH ? SMAPS_CUT_EXITED : SMAPS_CUT_SHORT;
	}
	*fdp = fd;
	if (!numa)
		return 0;
	out->numa_rc = read_whole(piddirfd, "numa_maps", SMAPS_READ_CAP, &buf, &len,
				       &capped);
	if (out->numa_rc == -ENOENT)
		out->numa_rc = -EOPNOTSUPP;	/* a kernel without CONFIG_NUMA */
	if (out->numa_rc)
		return 0;
	out->numa_rc = smaps_parse_numa(buf, len, out);
	free(buf);
	if (out->numa_rc == -ENOMEM) {
		smaps_map_free(out);
		close(fd);
		*fdp = -1;
		return -ENOMEM;
	}
	return 0;
}

int smaps_read_at(int piddirfd, bool numa, struct smaps_map *out)
{
	int fd, rc = smaps_read_keep(piddirfd, numa, out, &fd);

	if (fd >= 0)
		close(fd);
	return rc;
}

int smaps_mm_alive(int fd)
{
	char c;
	ssize_t r;

	/* each read of smaps takes a reference on the address space the file was opened on,
	 * and ends the file (reads 0) when it has none left; reading from offset 0 again
	 * starts with its first mapping, so one byte tells if there is still one */
	do {
		r = pread(fd, &c, 1, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r > 0;
}

static int open_pid(int rootfd, pid_t pid)
{
	char path[24];
	int fd;

	snprintf(path, sizeof(path), "%d", (int)pid);
	fd = source_openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int smaps_read(int rootfd, pid_t pid, bool numa, struct smaps_map *out)
{
	int dfd = open_pid(rootfd, pid), rc;

	memset(out, 0, sizeof(*out));
	if (dfd < 0)
		return dfd;
	rc = smaps_read_at(dfd, numa, out);
	close(dfd);
	return rc;
}

int smaps_read_rollup_at(int dirfd, const char *name, struct smaps_mem *out)
{
	char buf[4096];
	size_t off = 0;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	fd = source_openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* about 900 bytes; a kernel that writes more than 4 KiB is cut at a line */
	while (off < sizeof(buf)) {
		ssize_t r = read(fd, buf + off, sizeof(buf) - off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	if (rc)
		return rc;
	while (off && buf[off - 1] != '\n')
		off--;
	return smaps_parse_rollup(buf, off, out);
}

int smaps_read_numa_nodes_at(int dirfd, const char *name, uint64_t pagesize,
			     struct smaps_numa *out)
{
	char *buf;
	size_t len;
	bool capped;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_whole(dirfd, name, SMAPS_READ_CAP, &buf, &len, &capped);
	if (rc == -ENOENT) {
		/* no such file beside the stat of a process that is there: no NUMA in this
		 * kernel (a reaped process has no stat either) */
		const char *slash = strrchr(name, '/');
		char stat_path[64];
		struct stat sb;

		snprintf(stat_path, sizeof(stat_path), "%.*sstat",
			 slash ? (int)(slash - name + 1) : 0, name);
		if (!fstatat(dirfd, stat_path, &sb, 0))
			rc = -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	if (capped) {
		free(buf);
		return -EFBIG;	/* a sum over part of the mappings would be wrong */
	}
	rc = smaps_parse_numa_nodes(buf, len, pagesize, out);
	free(buf);
	return rc;
}

int smaps_read_rollup(int rootfd, pid_t pid, struct smaps_mem *out)
{
	char path[40];

	snprintf(path, sizeof(path), "%d/smaps_rollup", (int)pid);
	return smaps_read_rollup_at(rootfd, path, out);
}
