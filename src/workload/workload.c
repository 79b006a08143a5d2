/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workload.c - built-in workloads: N threads or processes with chosen memory, sharing, CPU use */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "workload/internal.h"
#include "workload/workload.h"

/* Set by the stop-signal handler of worker processes and by the parent in threads mode. */
static atomic_int workload_stopping;


/* ---- workers ------------------------------------------------------------ */

/* The signals that stop a workload; SIGCHLD too for the parent of worker processes. */
static void workload_sigset(sigset_t *set, bool chld)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	if (chld)
		sigaddset(set, SIGCHLD);
}

static void workload_on_signal(int sig)
{
	(void)sig;
	atomic_store(&workload_stopping, 1);
}

/* True once the parent asks for a stop, or is gone; waits up to wait_ms for that. */
static bool workload_should_stop(struct workload *wl, int wait_ms)
{
	struct pollfd pfd = { .fd = wl->stop_fd[0], .events = POLLIN };

	if (atomic_load_explicit(&workload_stopping, memory_order_relaxed))
		return true;
	/* nothing is ever written: the pipe only turns readable (EOF) when the
	 * parent closes its write end, on a stop or because it died */
	return poll(&pfd, 1, wait_ms) > 0;
}

/* Map len bytes of private anonymous memory and write every page. */
static int workload_touch(size_t len, size_t pagesize, bool stoppable, unsigned char **out)
{
	unsigned char *p;
	size_t off, n = 0;

	*out = NULL;
	if (!len)
		return 0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (off = 0; off < len; off += pagesize) {
		p[off] = (unsigned char)(n | 1);
		if (stoppable && ++n % WORKLOAD_TOUCH_ROUND == 0 &&
		    atomic_load_explicit(&workload_stopping, memory_order_relaxed))
			break;
	}
	*out = p;
	return 0;
}

/* Read one byte of every shared page, so the worker maps them without writing. */
static void workload_read_shared(const struct workload *wl)
{
	const volatile unsigned char *p = wl->shared_buf;
	unsigned sum = 0;
	size_t off;

	if (!p)
		return;
	for (off = 0; off < wl->shared; off += wl->pagesize)
		sum += p[off];
	(void)sum;
}

static void workload_send(struct workload_worker *w, enum workload_stage stage, int err)
{
	struct workload_report r = {
		.idx = (int32_t)w->idx,
		.tid = (int32_t)gettid(),
		.stage = (int32_t)stage,
		.err = err,
	};
	ssize_t n;

	do
		n = write(w->wl->ready_fd[1], &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	/* a failed write leaves nobody to tell: the parent is gone */
}

static void workload_spin(struct workload *wl)
{
	volatile unsigned long count = 0;
	unsigned i;

	while (!workload_should_stop(wl, 0))
		for (i = 0; i < WORKLOAD_SPIN_ROUND; i++)
			count++;
}

/* Set up one worker (thread or process), report to the parent, run until stopped.
 * Returns 0, or -1 when setup failed (reported to the parent). */
static int workload_work(struct workload_worker *w)
{
	struct workload *wl = w->wl;
	const char *name = wl->name ? wl->name : WORKLOAD_WORKER_NAME;
	unsigned char *mem;
	int rc;

	if (prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL) < 0) {
		workload_send(w, WORKLOAD_STAGE_NAME, errno);
		return -1;
	}
	if (wl->pin.set && sched_setaffinity(0, wl->pin.size, wl->pin.set) < 0) {
		workload_send(w, WORKLOAD_STAGE_PIN, errno);
		return -1;
	}
	workload_read_shared(wl);
	rc = workload_touch(wl->mem, wl->pagesize, true, &mem);
	if (rc) {
		workload_send(w, WORKLOAD_STAGE_MEM, -rc);
		return -1;
	}
	workload_send(w, WORKLOAD_STAGE_READY, 0);
	if (wl->spin)
		workload_spin(wl);
	else
		while (!workload_should_stop(wl, WORKLOAD_NAP_MS))
			;
	if (mem)
		munmap(mem, wl->mem);
	return 0;
}

static void *workload_thread(void *arg)
{
	workload_work(arg);
	return NULL;
}

static _Noreturn void workload_child(struct workload_worker *w)
{
	struct workload *wl = w->wl;
	struct sigaction sa;
	sigset_t set;

	close(wl->sigfd);
	close(wl->stop_fd[1]);
	close(wl->ready_fd[0]);
	/* stop signals are still blocked (inherited mask) until the handler is in place */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = workload_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	workload_sigset(&set, true);
	/* do not outlive the parent, even one killed by SIGKILL */
	prctl(PR_SET_PDEATHSIG, (unsigned long)SIGTERM, 0UL, 0UL, 0UL);
	if (getppid() != wl->parent)
		_exit(0);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	_exit(workload_work(w) ? 1 : 0);
}

/* ---- parent ------------------------------------------------------------- */

/* Read the workers' reports that are waiting; prints the first setup error. */
static void workload_collect(struct workload *wl)
{
	struct workload_report r;
	struct workload_worker *w;
	char buf[256];
	ssize_t n;

	while (!wl->ready_eof) {
		n = read(wl->ready_fd[0], &r, sizeof(r));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			workload_errx("cannot read from the workers: %s", strerror(errno));
			wl->failed = true;
			return;
		}
		if (n == 0) {
			wl->ready_eof = true;	/* every worker process is gone */
			return;
		}
		if (n != (ssize_t)sizeof(r) || r.idx < 0 || (unsigned)r.idx >= wl->nworkers ||
		    r.stage < 0 || r.stage > WORKLOAD_STAGE_MEM) {
			workload_errx("garbled report from a worker");
			wl->failed = true;
			return;
		}
		w = &wl->workers[r.idx];
		if (!wl->procs)
			w->tid = r.tid;
		if (r.stage == WORKLOAD_STAGE_READY) {
			if (!w->ready)
				wl->nready++;
			w->ready = true;
			continue;
		}
		w->failed = true;
		if (wl->failed)
			continue;	/* one message is enough */
		wl->failed = true;
		if (r.stage == WORKLOAD_STAGE_PIN)
			workload_errx("cannot pin worker %d to CPUs '%s': %s%s", (int)r.tid,
				      workload_safe(wl->pin_arg, buf, sizeof(buf)), strerror(r.err),
				      r.err == EINVAL ? " (no usable online CPU in the list)" : "");
		else if (r.stage == WORKLOAD_STAGE_MEM)
			workload_errx("worker %d: cannot allocate --mem (%zu bytes): %s",
				      (int)r.tid, wl->mem, strerror(r.err));
		else
			workload_errx("worker %d: cannot set its name: %s", (int)r.tid,
				      strerror(r.err));
	}
}

/* A worker process ended with status; complain unless that was expected. */
static void workload_judge(struct workload *wl, struct workload_worker *w, int status,
			   bool stopping)
{
	int sig;

	if (w->failed)
		return;		/* its setup error was reported */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (!w->ready && !stopping) {
			workload_errx("worker %d exited before it was ready", (int)w->tid);
			wl->failed = true;
		}
		return;
	}
	if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		workload_errx("worker %d was killed by signal %d (%s)", (int)w->tid, sig,
			      strsignal(sig));
	} else {
		workload_errx("worker %d exited with status %d", (int)w->tid,
			      WEXITSTATUS(status));
	}
	wl->failed = true;
}

/* Reap worker processes that have ended (all of them, when block). */
static void workload_reap(struct workload *wl, bool block)
{
	unsigned i;

	for (i = 0; i < wl->nworkers && wl->nlive; i++) {
		struct workload_worker *w = &wl->workers[i];
		int status = 0;
		pid_t r;

		if (!w->running)
			continue;
		do
			r = waitpid(w->tid, &status, block ? 0 : WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			continue;
		w->running = false;
		wl->nlive--;
		if (r < 0)
			continue;	/* ECHILD: reaped by someone else */
		workload_collect(wl);	/* its report came before its exit */
		workload_judge(wl, w, status, block);
	}
}

/* Returns true when a stop signal came; sets *chld on SIGCHLD. */
static bool workload_signals(struct workload *wl, bool *chld)
{
	struct signalfd_siginfo si;
	bool stop = false;
	ssize_t n;

	for (;;) {
		n = read(wl->sigfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			break;		/* EAGAIN: none left */
		if (si.ssi_signo == SIGCHLD)
			*chld = true;
		else
			stop = true;
	}
	return stop;
}

static int workload_print_ready(struct workload *wl)
{
	unsigned i;

	printf("ready pid=%d workers=%u mode=%s tids=", (int)getpid(), wl->nworkers,
	       wl->procs ? "procs" : "threads");
	for (i = 0; i < wl->nworkers; i++)
		printf("%s%d", i ? "," : "", (int)wl->workers[i].tid);
	putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		workload_errx("cannot write to stdout: %s", strerror(errno));
		wl->failed = true;
		return -1;
	}
	return 0;
}

/* Wait until every worker is set up, print the ready line, then wait for the end of
 * --duration or a stop signal. Returns early when setup fails. */
static void workload_wait(struct workload *wl)
{
	bool ready = false;
	double deadline = 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = wl->sigfd, .events = POLLIN },
			{ .fd = wl->ready_fd[0], .events = POLLIN },
		};
		bool chld = false, stop;
		int timeout = -1;

		if (ready && wl->timed) {
			double left = deadline - util_monotonic();

			if (left <= 0)
				return;
			timeout = left * 1000.0 >= (double)INT_MAX ? INT_MAX : (int)(left * 1000.0) + 1;
		}
		if (poll(pfd, ready || wl->ready_eof ? 1 : 2, timeout) < 0 && errno != EINTR) {
			workload_errx("poll: %s", strerror(errno));
			wl->failed = true;
			return;
		}
		if (!ready) {
			workload_collect(wl);
			if (wl->failed)
				return;
			if (wl->nready == wl->nworkers) {
				if (workload_print_ready(wl))
					return;
				ready = true;
				deadline = util_monotonic() + wl->duration;
			}
		}
		stop = workload_signals(wl, &chld);
		if (chld)
			workload_reap(wl, false);
		if (stop || (wl->failed && !ready) || (wl->procs && !wl->nlive))
			return;
	}
}

static void workload_start(struct workload *wl)
{
	unsigned i;
	int rc;

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < wl->nworkers; i++) {
		struct workload_worker *w = &wl->workers[i];
		pid_t pid;

		w->wl = wl;
		w->idx = i;
		if (!wl->procs) {
			rc = pthread_create(&w->thread, NULL, workload_thread, w);
			if (rc) {
				workload_errx("cannot create worker thread %u: %s", i + 1, strerror(rc));
				wl->failed = true;
				return;
			}
		} else {
			pid = fork();
			if (pid < 0) {
				workload_errx("cannot fork worker process %u: %s", i + 1,
					      strerror(errno));
				wl->failed = true;
				return;
			}
			if (pid == 0)
				workload_child(w);
			w->tid = pid;
		}
		w->running = true;
		wl->nlive++;
	}
	if (wl->procs) {
		/* only children write now: EOF tells they are all gone */
		close(wl->ready_fd[1]);
		wl->ready_fd[1] = -1;
	}
}

/* Tell every worker to stop, and wait for all of them. */
static void workload_stop(struct workload *wl)
{
	unsigned i;

	atomic_store(&workload_stopping, 1);
	if (wl->stop_fd[1] >= 0) {
		close(wl->stop_fd[1]);
		wl->stop_fd[1] = -1;
	}
	for (i = 0; i < wl->nworkers; i++) {
		struct workload_worker *w = &wl->workers[i];

		if (!w->running)
			continue;
		if (wl->procs) {
			kill(w->tid, SIGTERM);
			kill(w->tid, SIGCONT);	/* a stopped child could not act on it */
		} else {
			pthread_join(w->thread, NULL);
			w->running = false;
			wl->nlive--;
		}
	}
	if (wl->procs)
		workload_reap(wl, true);
	else
		workload_collect(wl);
}

static int workload_setup(struct workload *wl)
{
	struct sigaction dfl;
	sigset_t set;
	long ps = sysconf(_SC_PAGESIZE);
	int rc;

	wl->pagesize = ps > 0 ? (size_t)ps : 4096;
	wl->parent = getpid();
	wl->workers = calloc(wl->nworkers, sizeof(*wl->workers));
	if (!wl->workers) {
		workload_errx("cannot allocate %u workers: %s", wl->nworkers, strerror(ENOMEM));
		return -1;
	}
	if (pipe2(wl->ready_fd, O_CLOEXEC) < 0 || pipe2(wl->stop_fd, O_CLOEXEC) < 0 ||
	    fcntl(wl->ready_fd[0], F_SETFL, O_NONBLOCK) < 0) {
		workload_errx("cannot create a pipe: %s", strerror(errno));
		return -1;
	}

	workload_sigset(&set, wl->procs);
	if (wl->procs) {
		/* an inherited SIG_IGN would make children vanish without a status */
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		if (sigaction(SIGCHLD, &dfl, &wl->oldchld) == 0)
			wl->chld_saved = true;
	}
	/* blocked before any thread starts, so only signalfd ever sees them */
	rc = pthread_sigmask(SIG_BLOCK, &set, &wl->oldmask);
	if (rc) {
		workload_errx("cannot block signals: %s", strerror(rc));
		return -1;
	}
	wl->masked = true;
	wl->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (wl->sigfd < 0) {
		workload_errx("cannot create a signalfd: %s", strerror(errno));
		return -1;
	}

	if (wl->name && prctl(PR_SET_NAME, (unsigned long)wl->name, 0UL, 0UL, 0UL) < 0) {
		workload_errx("cannot set the task name: %s", strerror(errno));
		return -1;
	}
	rc = workload_touch(wl->shared, wl->pagesize, false, &wl->shared_buf);
	if (rc) {
		workload_errx("cannot allocate --shared (%zu bytes): %s", wl->shared, strerror(-rc));
		return -1;
	}
	return 0;
}

static void workload_cleanup(struct workload *wl)
{
	struct signalfd_siginfo si;
	int *fds[] = { &wl->ready_fd[0], &wl->ready_fd[1], &wl->stop_fd[0], &wl->stop_fd[1],
		       &wl->sigfd };
	size_t i;

	if (wl->sigfd >= 0)	/* drop stop signals that came late: we stop anyway */
		while (read(wl->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (wl->masked)
		pthread_sigmask(SIG_SETMASK, &wl->oldmask, NULL);
	if (wl->chld_saved)
		sigaction(SIGCHLD, &wl->oldchld, NULL);
	if (wl->shared_buf)
		munmap(wl->shared_buf, wl->shared);
	wl->shared_buf = NULL;
	free(wl->workers);
	wl->workers = NULL;
	util_cpulist_free(&wl->pin);
}

int workload_main(int argc, char **argv)
{
	struct workload wl = {
		.ready_fd = { -1, -1 },
		.stop_fd = { -1, -1 },
		.sigfd = -1,
	};
	int rc;

	atomic_store(&workload_stopping, 0);
	rc = workload_parse(&wl, argc, argv);
	if (rc) {
		util_cpulist_free(&wl.pin);
		if (rc < 0) {
			workload_usage(stdout);
			return 0;	/* main checks that it was written */
		}
		return rc;
	}
	if (workload_setup(&wl) == 0) {
		workload_start(&wl);
		if (!wl.failed)
			workload_wait(&wl);
		workload_stop(&wl);
	} else {
		wl.failed = true;
	}
	workload_cleanup(&wl);
	return wl.failed ? 1 : 0;
}
