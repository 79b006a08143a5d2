/* SPDX-License-Identifier: GPL-2.0-or-later */
/* churner.c - forks 4-thread processes with hostile names as fast as it can (tests/churn.sh) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: churner SECONDS [PID_MAX]
 *
 * Until SECONDS have passed, keeps up to MAX_LIVE children alive; each child starts three
 * threads, and every one of its four tasks names itself "c<its TID>" followed by a hostile
 * suffix (a fake stat field, a newline, ESC, BEL, a C1 control, a bidi override), then the
 * process exits after a few milliseconds. Until a task has named itself it keeps the name
 * it inherited, "churner": no task ever carries another task's ID in its name, so a row
 * whose TID differs from the ID in its name mixes two tasks.
 *
 * With PID_MAX, and only when it runs as PID 1 of its own PID namespace, it first writes
 * PID_MAX to /proc/sys/kernel/pid_max (per namespace since Linux 6.14) so that PIDs are
 * reused fast. At the end it prints one line:
 *   churn forks=N seconds=S rate=R pid_max=P reused=K fork_errors=E
 * where reused counts the PIDs it got from fork() more than once.
 */

#define MAX_LIVE 32
#define THREADS 3
#define PID_LIMIT 4194304

static const char *const suffixes[] = {
	"x) R 1 (",		/* a fake end of the comm field of stat */
	"\nnl",			/* newline */
	"\x1b[2J",		/* ESC: clear screen */
	"\a\abel",		/* BEL */
	"\xc2\x9b" "2J",	/* C1 CSI in UTF-8 */
	"\xe2\x80\xae" "rlo",	/* U+202E right-to-left override */
	")\n\x1b\a",		/* all at once */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t gettid_raw(void)
{
	return (pid_t)gettid();
}

/* The name of task tid: "c<tid>" and a suffix, cut to the kernel's 15 bytes. */
static void make_name(pid_t tid, unsigned k, char *buf, size_t len)
{
	size_t ns = sizeof(suffixes) / sizeof(suffixes[0]);

	snprintf(buf, len, "c%d%s", (int)tid, suffixes[k % ns]);
	if (strlen(buf) > 15)
		buf[15] = '\0';
}

/* Name the calling thread, by its comm file or by pthread_setname_np (alternating). */
static void name_self(unsigned k)
{
	pid_t tid = gettid_raw();
	char name[32], path[64];
	int fd;

	make_name(tid, k, name, sizeof(name));
	if (k & 1) {
		pthread_setname_np(pthread_self(), name);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, name, strlen(name)) < 0)
		prctl(PR_SET_NAME, name, 0, 0, 0);
	if (fd >= 0)
		close(fd);
}

static pthread_barrier_t named;

static void *worker(void *arg)
{
	name_self((unsigned)(uintptr_t)arg);
	pthread_barrier_wait(&named);
	for (;;)
		pause();
	return NULL;
}

static void child_main(unsigned seq)
{
	struct timespec life = { 0, (long)(seq % 8) * 1000000L };	/* 0-7 ms */
	pthread_t t[THREADS];
	char name[32];

	pthread_barrier_init(&named, NULL, THREADS + 1);
	for (unsigned i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(seq + i + 1)))
			_exit(3);
	pthread_barrier_wait(&named);
	/* the main thread last: the threads were created with the name "churner" */
	make_name(gettid_raw(), seq, name, sizeof(name));
	prctl(PR_SET_NAME, name, 0, 0, 0);
	nanosleep(&life, NULL);
	_exit(0);
}

static int set_pid_max(long v)
{
	char buf[32];
	int fd, n, rc = 0;

	if (getpid() != 1) {
		fprintf(stderr, "churner: not PID 1 of a new PID namespace: pid_max left alone\n");
		return -1;
	}
	fd = open("/proc/sys/kernel/pid_max", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, (size_t)n) != n)
		rc = -1;
	close(fd);
	return rc;
}

static volatile sig_atomic_t stop_now;

static void on_term(int sig)
{
	(void)sig;
	stop_now = 1;
}

int main(int argc, char **argv)
{
	static unsigned char forks_of[PID_LIMIT + 1];
	unsigned long forks = 0, errors = 0, reused = 0;
	unsigned live = 0, seq = 0;
	double t0, end, secs;
	long pid_max = 0;
	char *e;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: churner SECONDS [PID_MAX]\n");
		return 2;
	}
	secs = strtod(argv[1], &e);
	if (*e || secs <= 0 || secs > 3600) {
		fprintf(stderr, "churner: bad SECONDS\n");
		return 2;
	}
	if (argc == 3) {
		pid_max = strtol(argv[2], &e, 10);
		if (*e || pid_max < 301 || pid_max > PID_LIMIT) {
			fprintf(stderr, "churner: bad PID_MAX (301 to %d)\n", PID_LIMIT);
			return 2;
		}
		if (set_pid_max(pid_max)) {
			fprintf(stderr, "churner: cannot set pid_max to %ld\n", pid_max);
			return 1;
		}
	}
	prctl(PR_SET_NAME, "churner", 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);	/* ends the churn early, with the summary */
	t0 = now();
	end = t0 + secs;
	while (now() < end && !stop_now) {
		bool full = false;
		pid_t p;
		int st;

		while (live < MAX_LIVE) {
			p = fork();
			if (p < 0) {
				errors++;	/* PIDs exhausted for a moment: reap first */
				full = true;
				break;
			}
			if (p == 0)
				child_main(seq);
			seq += 5;
			live++;
			forks++;
			if (p <= PID_LIMIT && forks_of[p] < 255 && ++forks_of[p] == 2)
				reused++;
		}
		/* reap what ended; when nothing did, wait for one */
		p = waitpid(-1, &st, live >= MAX_LIVE || full ? 0 : WNOHANG);
		while (p > 0) {
			live--;
			p = waitpid(-1, &st, WNOHANG);
		}
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	secs = now() - t0;
	printf("churn forks=%lu seconds=%.1f rate=%.0f pid_max=%ld reused=%lu fork_errors=%lu\n",
	       forks, secs, (double)forks / secs, pid_max, reused, errors);
	return 0;
}
