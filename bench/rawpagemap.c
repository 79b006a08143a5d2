/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawpagemap.c - the least a PFN-based sharing tool must read: every mapping's pagemap
 *
 * For each PID: read /proc/PID/maps, then pread /proc/PID/pagemap over every mapping in
 * 512 KiB chunks (65536 entries), and count the present pages (and XOR their PFNs, so no
 * read can be skipped). No sorting, no comparison: the kernel's part of the work alone.
 * With -k it also reads /proc/kpagecount of every present frame, one pread per run of
 * adjacent frames (what telling shared frames from private ones costs at the least).
 * A PID that cannot be read (gone, denied) is skipped and counted.
 * Usage: rawpagemap [-k] PID... */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

static uint64_t buf[CHUNK];
static uint64_t cnt[CHUNK];
static int kpc = -1;		/* /proc/kpagecount with -k */

/* kpagecount of the present frames of buf[0..n), one pread per run of adjacent frames */
static void counts(size_t n, uint64_t *sum)
{
	size_t i = 0;

	while (i < n) {
		uint64_t first, pfn;
		size_t j;

		if (!(buf[i] >> 63) || !(buf[i] & ((UINT64_C(1) << 55) - 1))) {
			i++;
			continue;
		}
		first = buf[i] & ((UINT64_C(1) << 55) - 1);
		pfn = first;
		for (j = i + 1; j < n && (buf[j] >> 63) && j - i < CHUNK; j++) {
			if ((buf[j] & ((UINT64_C(1) << 55) - 1)) != pfn + 1)
				break;
			pfn++;
		}
		if (pread(kpc, cnt, (j - i) * 8, (off_t)(first * 8)) > 0)
			*sum += cnt[0];
		i = j;
	}
}

static int scan(const char *pid, uint64_t *present, uint64_t *sum)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	long ps = sysconf(_SC_PAGESIZE);
	FILE *maps;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || fd < 0) {
		/* gone, or not ours to read (a population changes under it): skipped */
		if (maps)
			fclose(maps);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (getline(&line, &cap, maps) > 0) {
		char *end;
		uint64_t start = strtoull(line, &end, 16), stop = strtoull(end + 1, NULL, 16);

		if (start >> 63)
			continue;	/* [vsyscall] */
		for (uint64_t a = start; a < stop;) {
			size_t n = (stop - a) / (uint64_t)ps;
			ssize_t r;

			if (n > CHUNK)
				n = CHUNK;
			r = pread(fd, buf, n * 8, (off_t)(a / (uint64_t)ps * 8));
			if (r <= 0)
				break;
			for (size_t i = 0; i < (size_t)r / 8; i++) {
				if (buf[i] >> 63) {
					(*present)++;
					*sum ^= buf[i] & ((UINT64_C(1) << 55) - 1);
				}
			}
			if (kpc >= 0)
				counts((size_t)r / 8, sum);
			a += (uint64_t)r / 8 * (uint64_t)ps;
		}
	}
	free(line);
	fclose(maps);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t present = 0, sum = 0;
	unsigned skipped = 0;
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "-k")) {
		kpc = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
		if (kpc < 0) {
			perror("/proc/kpagecount");
			return 1;
		}
		i++;
	}
	for (; i < argc; i++)
		if (scan(argv[i], &present, &sum))
			skipped++;
	printf("present pages %" PRIu64 " checksum %" PRIx64 " skipped %u\n", present, sum,
	       skipped);
	return 0;
}
