/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawsmaps.c - the raw reader `taskscope maps` is compared with: read each PID's smaps */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * What a minimal honest per-mapping tool must do, and nothing more: open
 * /proc/PID/smaps, read it to the end into a 64 KiB buffer (the kernel hands out about
 * one page of entries per read() whatever the buffer size), and close it. To prove the
 * bytes were used it adds up the "Rss:" lines of every entry, so no read can be dropped.
 * Lines that straddle two reads are carried over, as a real parser must.
 *
 * usage: rawsmaps [-n ITERATIONS] PID...
 */

static unsigned long long sum_rss_kb;	/* checksum of the data read */
static unsigned long nmaps;		/* entries seen in the last iteration */

static void use_line(const char *s, size_t n)
{
	if (n > 4 && !memcmp(s, "Rss:", 4)) {
		unsigned long long v = 0;

		for (size_t i = 4; i < n; i++) {
			if (s[i] >= '0' && s[i] <= '9')
				v = v * 10 + (unsigned)(s[i] - '0');
			else if (v)
				break;
		}
		sum_rss_kb += v;
		nmaps++;
	}
}

static int read_smaps(const char *pid)
{
	static char buf[65536];
	char path[64];
	size_t have = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/smaps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - have);
		char *p, *nl, *end;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		end = buf + have + r;
		for (p = buf; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
			use_line(p, (size_t)(nl - p));
		have = (size_t)(end - p);	/* a partial line: keep it for the next read */
		memmove(buf, p, have);
		if (have == sizeof(buf))
			have = 0;		/* no line is that long */
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long iters = 1;
	int first = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		iters = strtol(argv[2], NULL, 10);
		first = 3;
	}
	if (iters <= 0 || first >= argc) {
		fprintf(stderr, "usage: rawsmaps [-n ITERATIONS] PID...\n");
		return 2;
	}
	for (long i = 0; i < iters; i++) {
		nmaps = 0;
		for (int a = first; a < argc; a++) {
			int rc = read_smaps(argv[a]);

			if (rc)
				fprintf(stderr, "rawsmaps: %s: %s\n", argv[a], strerror(-rc));
		}
	}
	printf("rawsmaps: %ld iteration(s), %lu mappings in the last, checksum %llu kB\n",
	       iters, nmaps, sum_rss_kb);
	return 0;
}
