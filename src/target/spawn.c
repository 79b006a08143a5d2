/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.c - run a command as a followed job: subreaper, signal forwarding, exit status */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "target/spawn.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t pending_sig;
static sigset_t wait_mask;	/* the mask while sleeping: everything handled unblocked */

static void on_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* A signal from the terminal already reached the whole foreground process group,
	 * the child included; one sent to taskscope alone (kill) must be passed on. */
	if (si && si->si_code == SI_KERNEL)
		return;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	else
		pending_sig = sig;
}

static void on_chld(int sig)
{
	(void)sig;
}

int spawn_take_pending(void)
{
	int s = pending_sig;

	pending_sig = 0;
	return s;
}

int spawn_exec_failure_code(int err)
{
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

int spawn_start(struct spawn *sp, char *const argv[])
{
	return spawn_start_output(sp, argv, -1);
}

int spawn_start_output(struct spawn *sp, char *const argv[], int outfd)
{
	struct sigaction sa;
	sigset_t block, old;
	int pfd[2], err = 0;
	ssize_t r;
	pid_t pid;

	memset(sp, 0, sizeof(*sp));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -errno;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &block, &old))
		return -errno;
	wait_mask = old;
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigdelset(&wait_mask, forwarded[i]);
	sigdelset(&wait_mask, SIGCHLD);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	sp->start_mono = util_monotonic();
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
			sigaction(forwarded[i], &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigaction(SIGPIPE, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(pfd[0]);
		if (outfd >= 0 && (dup2(outfd, STDOUT_FILENO) < 0 ||
				   dup2(outfd, STDERR_FILENO) < 0))
			_exit(126);
		execvp(argv[0], argv);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(spawn_exec_failure_code(err));
	}
	close(pfd[1]);
	sp->pid = pid;
	child_pid = pid;
	do {
		r = read(pfd[0], &err, sizeof(err));
	} while (r < 0 && errno == EINTR);
	close(pfd[0]);
	if (r == (ssize_t)sizeof(err)) {
		int st;

		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		child_pid = 0;
		sp->child_done = true;
		sp->all_done = true;
		sp->status = st;
		return -err;
	}
	return 0;
}

void spawn_reap(struct spawn *sp, bool block)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, block ? 0 : WNOHANG);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD) {
				sp->all_done = true;
				if (!sp->end_mono)
					sp->end_mono = util_monotonic();
			}
			return;
		}
		if (p == 0)
			return;
		if (p == sp->pid) {
			sp->child_done = true;
			sp->status = st;
			child_pid = 0;
		}
		block = false;	/* one change was what a blocking call waited for */
	}
}

void spawn_wait(struct spawn *sp, double seconds)
{
	struct timespec ts;

	(void)sp;
	if (seconds < 0)
		seconds = 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	/* signals are blocked except here, so none is lost between the check and the sleep */
	pselect(0, NULL, NULL, NULL, &ts, &wait_mask);
}

int spawn_exit_code(const struct spawn *sp)
{
	if (WIFEXITED(sp->status))
		return WEXITSTATUS(sp->status);
	if (WIFSIGNALED(sp->status))
		return 128 + WTERMSIG(sp->status);
	return 1;
}
