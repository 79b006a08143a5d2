/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawrollup.c - bench baseline: read every process's smaps_rollup, sum its Pss lines
 *
 *   rawrollup [ITERATIONS [PID...]]   (with PIDs: only theirs, as taskscope serve -p reads) */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One process's smaps_rollup: its Pss added to *pss; 1 when it was read. */
static int read_one(const char *pid, unsigned long long *pss)
{
	char path[300], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/smaps_rollup", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* use the data: add the Pss line, as a PSS tool must */
	char *p = strstr(buf, "\nPss:");
	if (p)
		*pss += strtoull(p + 5, NULL, 10);
	return 1;
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	unsigned long long pss = 0;
	long procs = 0;

	for (long it = 0; it < iterations && argc > 2; it++) {
		procs = 0;
		for (int i = 2; i < argc; i++)
			procs += read_one(argv[i], &pss);
	}
	for (long it = 0; it < iterations && argc <= 2; it++) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		if (!d)
			return 1;
		procs = 0;
		while ((de = readdir(d)))
			if (isdigit((unsigned char)de->d_name[0]))
				procs += read_one(de->d_name, &pss);
		closedir(d);
	}
	printf("rawrollup: %ld iteration(s), %ld processes in the last, Pss sum %llu kB\n",
	       iterations, procs, pss);
	return 0;
}
