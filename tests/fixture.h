/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixture.h - the unit tests' fixture files: the fixtures directory, and a file read whole */
#ifndef TASKSCOPE_FIXTURE_H
#define TASKSCOPE_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

/* The fixtures directory ($FIXTURES, else $top_srcdir/tests/fixtures), or its subdirectory
 * sub when sub is not NULL; an fd or -1 with errno. */
static inline int fixture_open_dir(const char *sub)
{
	const char *dir = getenv("FIXTURES");
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX];

	if (dir && *dir)
		snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
	else
		snprintf(path, sizeof(path), "%s/tests/fixtures%s%s", top && *top ? top : ".",
			 sub ? "/" : "", sub ? sub : "");
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Read fixture rel (relative to dirfd) into an exact-size malloc'ed buffer with no
 * terminating NUL, so that a parser that reads past len shows up under valgrind. One spare
 * byte after the data is allocated and set to a digit, so a parser that reads it also gets
 * a wrong value. NULL (and a diagnostic) when it cannot be read. */
static inline char *fixture_slurp(int dirfd, const char *rel, size_t *len)
{
	char *buf = NULL;
	struct stat sb;
	size_t off = 0;
	int fd;

	*len = 0;
	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size > 1 << 20)
		goto out;
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		goto out;
	while (off < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)sb.st_size - off);

		if (r <= 0) {
			free(buf);
			buf = NULL;
			goto out;
		}
		off += (size_t)r;
	}
	buf[off] = '7';
	*len = off;
out:
	if (fd >= 0)
		close(fd);
	if (!buf)
		tap_diag("cannot read fixture %s: %s", rel, strerror(errno));
	return buf;
}

#endif
