/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawnuma.c - bench baseline: read one file (numa_maps or smaps_rollup) of every process */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * rawnuma FILE N: N times, open /proc/PID/FILE of every process, read it to its end in
 * 64 KiB reads and count its lines (the data is used, so no read can be left out). With
 * FILE numa_maps this is what a NODEMEM column must read at least; with smaps_rollup what
 * PSS must.
 */
int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "numa_maps";
	long iterations = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	static char buf[65536];
	unsigned long long lines = 0;
	long procs = 0;

	for (long it = 0; it < iterations; it++) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		if (!d)
			return 1;
		procs = 0;
		while ((de = readdir(d))) {
			char path[300];
			ssize_t n;
			int fd;

			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/%s", de->d_name, file);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				for (ssize_t i = 0; i < n; i++)
					lines += buf[i] == '\n';
			close(fd);
			procs++;
		}
		closedir(d);
	}
	printf("rawnuma %s: %ld iteration(s), %ld processes in the last, %llu lines\n", file,
	       iterations, procs, lines);
	return 0;
}
