/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuijob.c - the full-screen view's spawned job: started on a pipe, its output read into
 * the log panel, its end noticed and said, signals passed on */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/msg.h"
#include "lib/util.h"
#include "lib/exitcode.h"
#include "view/tui.h"

#define LOG_LINES 5000		/* lines of the job's output kept for the log view */
#define WORKER_GIVE_UP 0.5	/* seconds to wait for a stuck worker on the way out */

void tui_job_output(struct tui *t)
{
	char buf[8192];

	for (;;) {
		ssize_t r = read(t->outfd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				close(t->outfd);
				t->outfd = -1;
				childlog_flush(&t->log);
			}
			return;
		}
		childlog_append(&t->log, buf, (size_t)r);
		if (t->logfile) {
			/* written as it comes: the file is complete whatever ends taskscope */
			fwrite(buf, 1, (size_t)r, t->logfile);
			fflush(t->logfile);
		}
	}
}

void tui_job_check(struct tui *t)
{
	struct rusage ru;
	double wall;

	if (!t->spawned || t->job_over)
		return;
	spawn_reap(&t->s.sp, false);
	if (!t->s.sp.all_done)
		return;
	t->job_over = true;
	if (t->logfile)
		fflush(t->logfile);
	wall = (t->s.sp.end_mono ? t->s.sp.end_mono : util_monotonic()) - t->s.sp.start_mono;
	getrusage(RUSAGE_CHILDREN, &ru);
	if (WIFSIGNALED(t->s.sp.status))
		snprintf(t->jobline, sizeof(t->jobline),
			 "job '%s' killed by signal %d (%s); wall %.2fs, CPU user %.2fs "
			 "system %.2fs; q quits", t->cmdname, WTERMSIG(t->s.sp.status),
			 strsignal(WTERMSIG(t->s.sp.status)), wall,
			 (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
			 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	else
		snprintf(t->jobline, sizeof(t->jobline),
			 "job '%s' exited with status %d; wall %.2fs, CPU user %.2fs "
			 "system %.2fs; q quits", t->cmdname, spawn_exit_code(&t->s.sp), wall,
			 (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
			 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
}

/* After the screen is left: follow the job to its end, its output to the log file (and
 * stderr, so nothing is lost). */
/* While the job is followed after the screen is left, signals still arrive through the
 * signalfd (they stay blocked): pass INT, TERM, HUP and QUIT on to the job, which is in a
 * session of its own and hears nothing of taskscope's terminal (a closed terminal's hangup
 * included), and reap on CHLD. */
static void job_finish_signals(struct tui *t)
{
	struct signalfd_siginfo si;

	while (t->sigfd >= 0 && read(t->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT) {
			spawn_forward(&t->s.sp, sig, si.ssi_code == SI_KERNEL);
			if (!t->quit_sig)
				t->quit_sig = sig;
		}
	}
	spawn_reap(&t->s.sp, false);
}

void tui_job_finish(struct tui *t)
{
	if (!t->spawned)
		return;
	while (!t->s.sp.all_done || t->outfd >= 0) {
		struct pollfd p[2];
		int n = 0;

		if (t->outfd >= 0)
			p[n++] = (struct pollfd){ .fd = t->outfd, .events = POLLIN };
		if (t->sigfd >= 0)
			p[n++] = (struct pollfd){ .fd = t->sigfd, .events = POLLIN };
		/* without a signalfd, look for the end of the job now and then */
		if (poll(p, (nfds_t)n, t->sigfd >= 0 ? -1 : 200) < 0 && errno != EINTR)
			break;
		job_finish_signals(t);
		if (t->outfd >= 0) {
			char buf[8192];
			ssize_t r = read(t->outfd, buf, sizeof(buf));

			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(t->outfd);
				t->outfd = -1;
				continue;
			}
			if (t->logfile)
				fwrite(buf, 1, (size_t)r, t->logfile);
			tui_write_all(STDERR_FILENO, buf, (size_t)r);
		}
	}
	spawn_reap(&t->s.sp, false);
}

void tui_job_input(struct tui *t, const char *buf, size_t n)
{
	int rc = spawn_send_input(&t->s.sp, buf, n);

	if (rc == -EAGAIN)
		tui_message(t, "the job is not reading its input: not all was sent");
	else if (rc)
		tui_message(t, "cannot send input to the job: %s", strerror(-rc));
}

/* Run the job with its output on a pipe the view reads: 0, or the exit status. */
int tui_job_start(struct tui *t)
{
	int pfd[2], status;

	util_sanitize(t->o->cmd[0], strlen(t->o->cmd[0]), t->cmdname, sizeof(t->cmdname));
	if (childlog_init(&t->log, LOG_LINES) || pipe2(pfd, O_CLOEXEC)) {
		msg_error("%s", strerror(errno ? errno : ENOMEM));
		return TS_EXIT_FAILURE;
	}
	status = session_start_job_detached(&t->s, pfd[1]);
	close(pfd[1]);
	if (status) {
		close(pfd[0]);
		return status;
	}
	t->spawned = true;
	t->outfd = pfd[0];
	fcntl(t->outfd, F_SETFL, fcntl(t->outfd, F_GETFL) | O_NONBLOCK);
	return 0;
}

