/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - where samples come from: the live /proc, or directory trees with its layout */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/proc2.h"
#include "sample/source.h"
#include "sample/sysinfo.h"
#include "sample/taskfiles.h"

struct state {
	int fd;
	double uptime;		/* seconds since boot; < 0 when the tree has no uptime */
};

struct source {
	bool live;
	struct state *states;	/* a tree source's states; live: one, /proc */
	size_t nstates, cur;
	double boot;		/* boot time, seconds since the epoch */
};

/* Set once a tree source is open: from then on source_openat stays inside (see source.h).
 * Process-wide because the readers get directory fds, not the source; a run has one source. */
static bool confined;

int source_openat(int dirfd, const char *path, int flags)
{
	struct open_how how = { 0 };
	char self[48];
	struct stat sb;
	int pfd, fd, err;

	if (!confined)
		return openat(dirfd, path, flags);
	how.flags = O_PATH | O_CLOEXEC | (flags & O_DIRECTORY);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	pfd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (pfd < 0) {
		/* a symlink (ELOOP) or a way out (EXDEV) is as if there were nothing; ENOSYS
		 * before Linux 5.6: nothing is read from a tree */
		if (errno == ELOOP || errno == EXDEV)
			errno = ENOENT;
		return -1;
	}
	if (fstat(pfd, &sb)) {
		err = errno;
		close(pfd);
		errno = err;
		return -1;
	}
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
		close(pfd);
		errno = ENOENT;
		return -1;
	}
	/* the O_PATH fd pins what was checked; opening it for reading goes through our own
	 * fd link, never back through the tree's path */
	if (S_ISDIR(sb.st_mode)) {
		fd = openat(pfd, ".", (flags | O_CLOEXEC) & ~O_NOFOLLOW);
	} else {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
		fd = open(self, (flags | O_CLOEXEC | O_NOCTTY) & ~(O_NOFOLLOW | O_CREAT));
	}
	err = errno;
	close(pfd);
	errno = err;
	return fd;
}

int source_opendir(int dirfd, const char *path, DIR **out)
{
	int fd = source_openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	*out = NULL;
	if (fd < 0)
		return -errno;
	*out = fdopendir(fd);
	if (!*out) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return 0;
}

int source_open_live(struct source **out)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->states = calloc(1, sizeof(*s->states));
	if (!s->states) {
		free(s);
		return -ENOMEM;
	}
	s->live = true;
	s->nstates = 1;
	s->states[0].fd = taskfiles_open_root();
	if (s->states[0].fd < 0) {
		int rc = s->states[0].fd;

		free(s->states);
		free(s);
		return rc;
	}
	s->boot = proc2_boot_time();
	*out = s;
	return 0;
}

/* Does the tree list a process (an all-digit entry that is a directory)? */
static int has_process(int fd)
{
	struct dirent *de;
	DIR *d;
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 0;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -ENOMEM;
	}
	while (!found && (de = readdir(d))) {
		uint64_t pid;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		found = de->d_name[0] >= '1' && de->d_name[0] <= '9' &&
			!util_parse_u64(de->d_name, 4194304, &pid);
	}
	closedir(d);
	return found;
}

/* The tree's uptime (< 0 without one) and, from the first tree, the boot time. */
static void read_times(struct source *s, struct state *st)
{
	char buf[4096];
	size_t len;

	st->uptime = -1;
	if (!taskfiles_read(st->fd, "uptime", buf, sizeof(buf), &len) &&
	    sysinfo_parse_uptime(buf, len, &st->uptime))
		st->uptime = -1;
	if (st == s->states) {
		struct sysinfo_stat ss;
		int rc = taskfiles_read(st->fd, "stat", buf, sizeof(buf), &len);

		if ((!rc || rc == -EFBIG) && !sysinfo_parse_stat(buf, len, &ss) &&
		    ss.have_btime)
			s->boot = (double)ss.btime;
	}
}

static void tree_error(const char *dir, int rc, char *why, size_t whylen)
{
	char shown[256];

	util_sanitize(dir, strlen(dir), shown, sizeof(shown));
	snprintf(why, whylen, "--proc-root '%s': %s", shown,
		 rc == -ENODATA ? "no process directories in it (not a /proc tree)" :
		 rc == -ENOTDIR ? "not a directory" : strerror(-rc));
}

int source_open_trees(struct source **out, char *const *dirs, size_t n, char *why,
		      size_t whylen)
{
	struct source *s = calloc(1, sizeof(*s));
	size_t bad = 0;
	int rc = 0;

	if (whylen)
		why[0] = '\0';
	if (!s || !n || !(s->states = calloc(n, sizeof(*s->states)))) {
		free(s);
		snprintf(why, whylen, "%s", strerror(n ? ENOMEM : EINVAL));
		return n ? -ENOMEM : -EINVAL;
	}
	confined = true;
	for (size_t i = 0; i < n; i++)
		s->states[i].fd = -1;
	s->nstates = n;
	for (size_t i = 0; !rc && i < n; i++) {
		struct state *st = &s->states[i];

		bad = i;
		/* DIR itself is the user's choice, so followed; nothing below it is */
		st->fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->fd < 0) {
			rc = -errno;
			break;
		}
		rc = has_process(st->fd);
		if (rc == 0)
			rc = -ENODATA;
		else if (rc > 0)
			rc = 0;
		if (!rc)
			read_times(s, st);
	}
	if (rc) {
		tree_error(dirs[bad], rc, why, whylen);
		source_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nstates; i++)
		if (s->states[i].fd >= 0)
			close(s->states[i].fd);
	free(s->states);
	free(s);
}

bool source_is_live(const struct source *s)
{
	return s->live;
}

int source_rootfd(const struct source *s)
{
	return s->states[s->cur].fd;
}

void source_step(struct source *s)
{
	if (s->cur + 1 < s->nstates)
		s->cur++;
}

long source_hertz(const struct source *s)
{
	return s->live ? proc2_hertz() : SOURCE_TREE_HZ;
}

long source_pagesize(const struct source *s)
{
	return s->live ? sysconf(_SC_PAGESIZE) : SOURCE_TREE_PAGESIZE;
}

double source_boot_time(const struct source *s)
{
	return s->boot;
}

void source_now(const struct source *s, double *wall, double *mono)
{
	const struct state *st = &s->states[s->cur];
	struct timespec ts;

	if (!s->live && st->uptime >= 0) {
		*mono = st->uptime;
		*wall = s->boot + st->uptime;
		return;
	}
	/* live, or a tree without uptime: this machine's clocks */
	*mono = util_monotonic();
	clock_gettime(CLOCK_REALTIME, &ts);
	*wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int source_each_pid(int rootfd, int (*fn)(void *ctx, pid_t pid), void *ctx)
{
	struct dirent *de;
	DIR *d;
	int rc = source_opendir(rootfd, ".", &d);

	if (rc)
		return rc;
	while (!rc && (de = readdir(d))) {
		uint64_t pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    util_parse_u64(de->d_name, 4194304, &pid))
			continue;
		rc = fn(ctx, (pid_t)pid);
	}
	closedir(d);
	return rc;
}
