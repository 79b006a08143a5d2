/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawstat.c - the raw reader benchmarks compare against: read every task's stat, N times */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/*
 * What a minimal honest per-thread tool must do on each refresh, and nothing more:
 * list /proc, list each process's task/ directory, and open + read + close each task's
 * stat. To prove the bytes were used it finds the last ')' (the only safe split of stat)
 * and sums one numeric field after it (utime, field 14), so no read can be optimized away.
 * Paths are built with snprintf and opened with open(2), the way most tools do it.
 */

static unsigned long long sum_utime;	/* checksum of the data read */
static unsigned long ntasks;		/* stat files read in the last iteration */

static void use_stat(const char *buf, size_t len)
{
	const char *rp = NULL, *p;
	unsigned field = 2;		/* the character after ')' ends field 2 (comm) */

	for (size_t i = len; i > 0; i--) {
		if (buf[i - 1] == ')') {
			rp = buf + i - 1;
			break;
		}
	}
	if (!rp)
		return;
	/* skip to field 14 (utime): fields are separated by single spaces after ')' */
	for (p = rp + 1; p < buf + len && field < 13; p++)
		if (*p == ' ')
			field++;
	if (field != 13)
		return;
	p++;			/* past the space that starts field 14 */
	while (p < buf + len && isdigit((unsigned char)*p))
		sum_utime = sum_utime * 10 % 1000000007ULL + (unsigned)(*p++ - '0');
}

/* --twice: every file read is kept (up to the descriptor limit; beyond it, its path) and
 * read again after the scan */
static int twice;
static size_t fd_room;
static struct again {
	int fd;			/* -1: open the path again */
	int pid, tid;
} *again;
static size_t nagain, capagain;

static void keep(int fd, const char *pid, const char *tid)
{
	if (nagain == capagain) {
		struct again *v = realloc(again, (capagain * 2 + 1024) * sizeof(*v));

		if (!v) {
			perror("rawstat");
			exit(1);
		}
		again = v;
		capagain = capagain * 2 + 1024;
	}
	if (nagain >= fd_room) {
		close(fd);
		fd = -1;
	}
	again[nagain++] = (struct again){ fd, atoi(pid), atoi(tid) };
}

static void read_task(const char *pid, const char *tid)
{
	char path[2 * NAME_MAX + 32], buf[1024 + 1];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;		/* gone between readdir and open */
	n = read(fd, buf, sizeof(buf) - 1);
	if (twice && n > 0)
		keep(fd, pid, tid);
	else
		close(fd);
	if (n <= 0)
		return;		/* ESRCH: gone between open and read */
	buf[n] = '\0';
	use_stat(buf, (size_t)n);
	ntasks++;
}

/* --twice: the second read of every file of the scan, each closed after it */
static void read_again(void)
{
	char path[64], buf[1024 + 1];

	ntasks = 0;
	for (size_t i = 0; i < nagain; i++) {
		int fd = again[i].fd;
		ssize_t n;

		if (fd < 0) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", again[i].pid,
				 again[i].tid);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		use_stat(buf, (size_t)n);
		ntasks++;
	}
	nagain = 0;
}

static int numeric(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int scan_once(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;

	if (!proc)
		return -errno;
	ntasks = 0;
	while ((pe = readdir(proc))) {
		char path[NAME_MAX + 32];
		DIR *task;
		struct dirent *te;

		if (!numeric(pe->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pe->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((te = readdir(task)))
			if (numeric(te->d_name))
				read_task(pe->d_name, te->d_name);
		closedir(task);
	}
	closedir(proc);
	return 0;
}

int main(int argc, char **argv)
{
	long iters = 1;

	if (argc > 1 && !strcmp(argv[1], "--twice")) {
		/* the least an interval from two reads of every task's stat costs: one listing,
		 * each file opened, read, kept, read again and closed (the soft descriptor limit
		 * raised to the hard one, as taskscope does) */
		struct rlimit rl;

		twice = 1;
		argc--;
		argv++;
		if (!getrlimit(RLIMIT_NOFILE, &rl)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
			fd_room = rl.rlim_cur > 64 ? (size_t)rl.rlim_cur - 64 : 0;
		}
	}
	if (argc > 2 || (argc == 2 && (iters = strtol(argv[1], NULL, 10)) <= 0)) {
		fprintf(stderr, "usage: rawstat [--twice] [ITERATIONS]\n");
		return 2;
	}
	for (long i = 0; i < iters; i++) {
		int rc = scan_once();

		if (rc) {
			fprintf(stderr, "rawstat: /proc: %s\n", strerror(-rc));
			return 1;
		}
		if (twice)
			read_again();
	}
	printf("rawstat: %ld iteration(s), %lu tasks in the last, checksum %llu\n", iters,
	       ntasks, sum_utime);
	return 0;
}
