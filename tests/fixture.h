/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixture.h - the unit tests' fixture files: the fixtures directory, and a file read whole */
#ifndef TASKSCOPE_FIXTURE_H
#define TASKSCOPE_FIXTURE_H

#include <dirent.h>
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

/* The fake /proc tree of the fixtures directory (or of its subdirectory sub): *fixfd gets
 * the directory, *rootfd its proc/. 0, or the exit code for main: a "Bail out!" and
 * TAP_EXIT_FAIL when FIXTURES is set but the directory cannot be opened (the harness always
 * sets it: a packaging bug), TAP_EXIT_SKIP when the fixtures are not found. */
static inline int fixture_open_proc(const char *sub, int *fixfd, int *rootfd)
{
	const char *dir = getenv("FIXTURES");

	*rootfd = -1;
	*fixfd = fixture_open_dir(sub);
	if (*fixfd < 0 && dir) {
		printf("Bail out! FIXTURES=%s%s%s: %s\n", dir, sub ? "/" : "", sub ? sub : "",
		       strerror(errno));
		return TAP_EXIT_FAIL;
	}
	if (*fixfd < 0)
		return tap_skip_all("fixtures not found: set FIXTURES (or top_srcdir) (%s)",
				    strerror(errno));
	*rootfd = openat(*fixfd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		return tap_skip_all("no fake /proc tree in the fixtures%s%s: %s", sub ? "/" : "",
				    sub ? sub : "", strerror(errno));
	return 0;
}

/* How many fds this process has open (to find a reader that leaks one), -1 when unknown. */
static inline int fixture_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
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
