/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawnuma.c - bench baseline: read numa_maps or smaps_rollup of every process */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];
static unsigned long long lines;

/* Open /proc/PID/FILE of every process, read it to its end in 64 KiB reads and count its
 * lines (the data is used, so no read can be left out); the number of files with text
 * (a kernel thread's numa_maps is empty, its smaps_rollup cannot be read). */
static long read_all(const char *file)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long procs = 0;

	if (!d)
		exit(1);
	while ((de = readdir(d))) {
		char path[300];
		ssize_t n, got;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/%s", de->d_name, file);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		got = 0;
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			got += n;
			for (ssize_t i = 0; i < n; i++)
				lines += buf[i] == '\n';
		}
		close(fd);
		procs += got > 0;	/* kernel threads have an empty numa_maps */
	}
	closedir(d);
	return procs;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * rawnuma FILE N: read FILE of every process N times (CPU time measured from outside).
 * rawnuma --ab ROUNDS: ROUNDS times, every process's smaps_rollup (A), then every
 * process's numa_maps (B); prints the median, lowest and highest CPU time per process of
 * each and the ratio of the medians.
 */
int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--ab")) {
		long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 21, na = 0, nb = 0;
		double *a, *b;

		if (rounds < 1)
			return 2;
		a = calloc((size_t)rounds, sizeof(*a));
		b = calloc((size_t)rounds, sizeof(*b));
		if (!a || !b)
			return 1;
		for (long r = 0; r < rounds; r++) {
			double t0 = cpu_now(), t1, t2;

			na = read_all("smaps_rollup");
			t1 = cpu_now();
			nb = read_all("numa_maps");
			t2 = cpu_now();
			a[r] = (t1 - t0) * 1e6 / (double)(na ? na : 1);
			b[r] = (t2 - t1) * 1e6 / (double)(nb ? nb : 1);
		}
		qsort(a, (size_t)rounds, sizeof(*a), cmp_double);
		qsort(b, (size_t)rounds, sizeof(*b), cmp_double);
		printf("smaps_rollup: %ld processes, %.1f us CPU per process (median of %ld, %.1f-%.1f)\n",
		       na, a[rounds / 2], rounds, a[0], a[rounds - 1]);
		printf("numa_maps:    %ld processes, %.1f us CPU per process (median of %ld, %.1f-%.1f)\n",
		       nb, b[rounds / 2], rounds, b[0], b[rounds - 1]);
		printf("numa_maps / smaps_rollup: %.2fx (%llu lines read)\n", b[rounds / 2] / a[rounds / 2],
		       lines);
		return 0;
	}
	{
		const char *file = argc > 1 ? argv[1] : "numa_maps";
		long iterations = argc > 2 ? strtol(argv[2], NULL, 10) : 1, procs = 0;

		for (long it = 0; it < iterations; it++)
			procs = read_all(file);
		printf("rawnuma %s: %ld iteration(s), %ld processes in the last, %llu lines\n", file,
		       iterations, procs, lines);
	}
	return 0;
}
