/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placement_bench.c - CPU per thread-sample: the placement sampler against a raw stat reader */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/placement.h"
#include "sample/taskfiles.h"

/*
 * Starts N threads of its own (sleeping, or spinning with --spin) and reads where they are,
 * in three ways, each round reading every thread's /proc/PID/task/TID/stat once:
 *
 *   raw     open + read + close of each stat, then the CPU field found after the last ')'
 *           (what bench/rawstat.c does for utime): what a minimal honest tool must do;
 *   pread   the sampler's own read path in a loop: pread of a descriptor kept open, the
 *           checked parser (taskfiles_parse_stat), the identity check of the start time;
 *   sampler the real sampler thread (src/sample/placement.c) at --rate Hz for --seconds,
 *           its CPU time (CLOCK_THREAD_CPUTIME_ID, wake-ups and ring included) divided by
 *           the samples it took.
 *
 * raw and pread are timed with this thread's CPU clock; each is run --reps times, the
 * two interleaved, and the median is printed.
 */

#define MAX_THREADS 4096

static atomic_bool stop_spin;
static int idle_pipe[2];

struct worker {
	pthread_t th;
	atomic_int tid;
	bool spin;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char c;

	atomic_store(&w->tid, (int)syscall(SYS_gettid));
	if (w->spin) {
		while (!atomic_load_explicit(&stop_spin, memory_order_relaxed))
			;
		return NULL;
	}
	/* idle until the write end is closed */
	while (read(idle_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long checksum;

/* The CPU field (39) of a stat line, found after the last ')'; -1 if it is not there. */
static int raw_cpu(const char *buf, size_t len)
{
	const char *rp = NULL, *p;
	int field = 2, cpu = 0;

	for (size_t i = len; i > 0; i--)
		if (buf[i - 1] == ')') {
			rp = buf + i - 1;
			break;
		}
	if (!rp)
		return -1;
	for (p = rp + 1; p < buf + len && field < 38; p++)
		if (*p == ' ')
			field++;
	if (field != 38)
		return -1;
	while (p < buf + len && *p >= '0' && *p <= '9')
		cpu = cpu * 10 + (*p++ - '0');
	return cpu;
}

static double run_raw(const pid_t *tids, size_t n, unsigned rounds)
{
	char path[64], buf[1024];
	pid_t pid = getpid();
	double t0 = thread_cpu();

	for (unsigned r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i++) {
			ssize_t len;
			int fd;

			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tids[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (len > 0)
				checksum += (unsigned)raw_cpu(buf, (size_t)len);
		}
	return thread_cpu() - t0;
}

static double run_pread(const int *fds, const pid_t *tids, const uint64_t *starts, size_t n,
			unsigned rounds)
{
	struct taskfiles_stat st;
	char buf[1024];
	double t0 = thread_cpu();

	for (unsigned r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i++) {
			ssize_t len = pread(fds[i], buf, sizeof(buf) - 1, 0);

			if (len <= 0 || taskfiles_parse_stat(buf, (size_t)len, &st))
				continue;
			if (st.pid == tids[i] && st.start == starts[i] && st.state != 'Z')
				checksum += (unsigned)st.cpu;
		}
	return thread_cpu() - t0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
	fputs("Usage: placement_bench [--threads N] [--spin] [--rounds R] [--reps K]\n"
	      "                       [--rate HZ] [--seconds S]\n", stderr);
}

int main(int argc, char **argv)
{
	size_t n = 64;
	unsigned rounds = 2000, reps = 5, rate = 1000;
	double seconds = 5, raw[32], prd[32];
	bool spin = false;
	struct worker *w;
	pid_t *tids;
	int *fds, rootfd;
	uint64_t *starts;
	struct placement *p = NULL;
	struct placement_stats st;
	struct placement_sample *drain;
	char path[64];
	double t_end, raw_us, pread_us, smp_us;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--spin")) {
			spin = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--threads")) {
			n = strtoul(argv[++i], NULL, 10);
		} else if (i + 1 < argc && !strcmp(argv[i], "--rounds")) {
			rounds = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (i + 1 < argc && !strcmp(argv[i], "--reps")) {
			reps = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (i + 1 < argc && !strcmp(argv[i], "--rate")) {
			rate = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (i + 1 < argc && !strcmp(argv[i], "--seconds")) {
			seconds = strtod(argv[++i], NULL);
		} else {
			usage();
			return 2;
		}
	}
	if (n < 1 || n > MAX_THREADS || rounds < 1 || reps < 1 || reps > 32 || rate < 1 ||
	    rate > PLACEMENT_MAX_RATE || !(seconds > 0)) {
		usage();
		return 2;
	}
	w = calloc(n, sizeof(*w));
	tids = calloc(n, sizeof(*tids));
	fds = calloc(n, sizeof(*fds));
	starts = calloc(n, sizeof(*starts));
	drain = calloc(4096, sizeof(*drain));
	if (!w || !tids || !fds || !starts || !drain || pipe(idle_pipe))
		return 1;
	for (size_t i = 0; i < n; i++) {
		w[i].spin = spin;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i])) {
			fprintf(stderr, "cannot start thread %zu\n", i);
			return 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct taskfiles_stat ts;
		char buf[1024];
		ssize_t len;

		while (!atomic_load(&w[i].tid))
			usleep(1000);
		tids[i] = atomic_load(&w[i].tid);
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tids[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		len = fds[i] < 0 ? -1 : pread(fds[i], buf, sizeof(buf) - 1, 0);
		if (len <= 0 || taskfiles_parse_stat(buf, (size_t)len, &ts)) {
			fprintf(stderr, "cannot read %s\n", path);
			return 1;
		}
		starts[i] = ts.start;
	}

	/* warm up both paths once, then interleave */
	run_raw(tids, n, rounds / 10 + 1);
	run_pread(fds, tids, starts, n, rounds / 10 + 1);
	for (unsigned r = 0; r < reps; r++) {
		raw[r] = run_raw(tids, n, rounds);
		prd[r] = run_pread(fds, tids, starts, n, rounds);
	}
	raw_us = median(raw, reps) / ((double)rounds * n) * 1e6;
	pread_us = median(prd, reps) / ((double)rounds * n) * 1e6;

	/* the real sampler */
	rootfd = taskfiles_open_root();
	if (rootfd < 0 || placement_new(&p, rootfd, rate, n, 1u << 16)) {
		fprintf(stderr, "cannot create the sampler\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t idx;

		if (placement_add(p, getpid(), tids[i], starts[i], &idx)) {
			fprintf(stderr, "cannot watch thread %d\n", (int)tids[i]);
			return 1;
		}
	}
	placement_start(p, 0);
	t_end = util_monotonic() + seconds;
	while (util_monotonic() < t_end) {
		usleep(20000);
		while (placement_drain(p, drain, 4096) == 4096)
			;
	}
	placement_stop(p);
	while (placement_drain(p, drain, 4096))
		;
	placement_stats(p, &st);
	smp_us = st.samples ? st.cpu_s / (double)st.samples * 1e6 : 0;

	printf("threads                      %zu (%s), %u rounds x %u reps\n", n,
	       spin ? "spinning" : "sleeping", rounds, reps);
	printf("raw open/read/close          %.3f us per thread-sample\n", raw_us);
	printf("kept-open pread + parse      %.3f us per thread-sample  %.2fx raw\n", pread_us,
	       pread_us / raw_us);
	printf("sampler thread at %u Hz    %.3f us per thread-sample  %.2fx raw  "
	       "(%llu samples, %llu passes, %llu slots missed, %llu dropped, CPU %.3f s "
	       "= %.2f%% of one CPU)\n", rate, smp_us, smp_us / raw_us,
	       (unsigned long long)st.samples, (unsigned long long)st.ticks,
	       (unsigned long long)st.missed, (unsigned long long)st.dropped, st.cpu_s,
	       100.0 * st.cpu_s / seconds);
	printf("sampler at 100 Hz, estimated %.2f%% of one CPU for %zu threads\n",
	       smp_us * 1e-6 * (double)n * 100 * 100, n);
	fprintf(stderr, "(checksum %llu)\n", checksum);

	placement_free(p);
	close(rootfd);
	atomic_store(&stop_spin, true);
	close(idle_pipe[1]);
	for (size_t i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		close(fds[i]);
	}
	free(w);
	free(tids);
	free(fds);
	free(starts);
	free(drain);
	return 0;
}
