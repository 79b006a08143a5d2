/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textfile.c - write + rename of the metrics file for node_exporter's textfile collector */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "view/textfile.h"

int textfile_open(const char *dir, int *dfd)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	*dfd = fd;
	return 0;
}

int textfile_write(int dfd, const char *text, size_t len)
{
	char tmp[64];
	size_t done = 0;
	int fd, rc = 0;

	/* not *.prom: the collector never reads a file being written */
	snprintf(tmp, sizeof(tmp), "." TEXTFILE_NAME ".%ld.tmp", (long)getpid());
	if (unlinkat(dfd, tmp, 0) && errno != ENOENT)
		return -errno;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, TEXTFILE_NAME))
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	return rc;
}
