/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawstacks.c - the least a tool that labels thread stacks reads: each PID's smaps, and the
 * stack pointer of each of its threads from task/TID/syscall */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A floor for `taskscope maps` with its [stack:TID] labels, not a tool: per PID it reads
 * /proc/PID/smaps to the end (64 KiB reads, like rawsmaps.c) and counts its bytes, then
 * opens /proc/PID/task once and reads every thread's syscall file relative to it (one
 * open + read + close a thread, the only place a thread's stack pointer can be read
 * without stopping it) and counts the non-empty ones. No parsing, no output beyond a line.
 *
 * With -s it also reads each thread's stat (one more open + read + close): what the threads'
 * table of the aligned output needs besides (name and page faults).
 *
 * usage: rawstacks [-s] PID...
 */
static long read_all(int dirfd, const char *name, char *buf, size_t cap)
{
	long total = 0;
	ssize_t r;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, cap)) > 0)
		total += r;
	close(fd);
	return total;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	long bytes = 0, stacks = 0, stats = 0;
	int rootfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), first = 1, with_stat = 0;

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		with_stat = 1;
		first = 2;
	}
	if (rootfd < 0 || argc <= first) {
		fprintf(stderr, "usage: rawstacks [-s] PID...\n");
		return 2;
	}
	for (int i = first; i < argc; i++) {
		char path[300];
		struct dirent *de;
		DIR *d;
		long n;
		int tfd;

		snprintf(path, sizeof(path), "%d/smaps", atoi(argv[i]));
		n = read_all(rootfd, path, buf, sizeof(buf));
		if (n > 0)
			bytes += n;
		snprintf(path, sizeof(path), "%d/task", atoi(argv[i]));
		tfd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tfd < 0)
			continue;
		d = fdopendir(tfd);
		if (!d) {
			close(tfd);
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "%s/syscall", de->d_name);
			if (read_all(tfd, path, buf, 256) > 0)
				stacks++;
			if (!with_stat)
				continue;
			snprintf(path, sizeof(path), "%s/stat", de->d_name);
			if (read_all(tfd, path, buf, 1024) > 0)
				stats++;
		}
		closedir(d);
	}
	printf("rawstacks: %ld bytes of smaps, %ld syscall files, %ld stat files\n", bytes, stacks,
	       stats);
	return 0;
}
