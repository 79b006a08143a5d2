/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobtty.c - a spawned job's own pseudo-terminal, relayed by taskscope (never root's tty)
 *
 * A job that holds a descriptor of taskscope's terminal can push input into it with
 * TIOCSTI (or, as root, on any terminal it has open), and a job in taskscope's session and
 * foreground process group reads the keys meant for taskscope. So the job never gets
 * taskscope's terminal: it runs in a session of its own, and where it would have inherited
 * a terminal it gets the slave of a pty; a thread copies the pty's output to the terminal
 * and, while taskscope is in the foreground, the terminal's input to the pty. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#if defined(__has_include)
# if __has_include(<linux/close_range.h>)
#  include <linux/close_range.h>
# endif
#endif

#include "lib/fatalsig.h"
#include "lib/util.h"
#include "target/jobtty.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* For the signal handlers: the one job terminal in use (jobs run one after the other). */
static volatile int sig_master = -1;
static volatile int sig_in = -1, sig_win = -1;
static volatile sig_atomic_t sig_raw;
static struct termios sig_saved, sig_rawmodes;
static struct sigaction old_winch, old_tstp;

static void restore_modes(void)
{
	if (sig_raw && sig_in >= 0)
		tcsetattr(sig_in, TCSADRAIN, &sig_saved);
}

static void on_winch(int sig)
{
	int saved = errno;
	struct winsize ws;

	(void)sig;
	if (sig_win >= 0 && sig_master >= 0 && !ioctl(sig_win, TIOCGWINSZ, &ws))
		ioctl(sig_master, TIOCSWINSZ, &ws);
	errno = saved;
}

int jobtty_kill(int master, pid_t pgid, int sig)
{
	pid_t fg;

	/* the job's process group has no parent in its session (taskscope is in another),
	 * so the kernel drops SIGTSTP, SIGTTIN and SIGTTOU sent to it: stop it for good */
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		sig = SIGSTOP;
	if (master >= 0 && !ioctl(master, TIOCGPGRP, &fg) && fg > 0)
		pgid = fg;
	if (pgid <= 0)
		return -ESRCH;
	return kill(-pgid, sig) ? -errno : 0;
}

/* ^Z on taskscope's terminal: stop the job as its terminal would, give the terminal back
 * in the modes it had, stop; on fg take it again and let the job continue. */
static void on_tstp(int sig)
{
	int saved = errno;

	(void)sig;
	jobtty_kill(sig_master, 0, SIGTSTP);
	restore_modes();
	kill(getpid(), SIGSTOP);
	if (sig_raw && sig_in >= 0)
		tcsetattr(sig_in, TCSADRAIN, &sig_rawmodes);
	jobtty_kill(sig_master, 0, SIGCONT);
	errno = saved;
}

static void jt_init(struct jobtty *jt, enum jobtty_mode mode)
{
	memset(jt, 0, sizeof(*jt));
	jt->mode = mode;
	jt->master = jt->slave = jt->in_fd = jt->out_fd = jt->win_fd = jt->stop_fd = -1;
	for (int i = 0; i < 3; i++)
		jt->child_fd[i] = -1;
}

static int open_pty(struct jobtty *jt, uid_t uid)
{
	char name[64];
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	jt->master = fd;
	if (grantpt(fd) || unlockpt(fd) || ptsname_r(fd, name, sizeof(name)))
		return -errno;
	jt->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (jt->slave < 0)
		return -errno;
	/* the job's user may open its own terminal by name (ttyname), as after a login */
	if (uid != (uid_t)-1 && fchown(jt->slave, uid, (gid_t)-1))
		return -errno;
	return 0;
}

/* The terminal modes and size of the pty: those of taskscope's terminal when it has one. */
static void copy_modes(struct jobtty *jt, int tty)
{
	struct termios tio;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };

	if (tty >= 0 && !tcgetattr(tty, &tio))
		tcsetattr(jt->slave, TCSANOW, &tio);
	if (tty >= 0)
		ioctl(tty, TIOCGWINSZ, &ws);
	if (!ws.ws_row || !ws.ws_col)
		ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	ioctl(jt->master, TIOCSWINSZ, &ws);
}

/* Before what the user typed goes to the job, the size the user's terminal has now: a
 * resize happened before the keys that follow it, but SIGWINCH may reach taskscope's
 * handler (on another thread) after this thread has read them. */
static void follow_size(const struct jobtty *jt)
{
	struct winsize want, have;

	if (jt->win_fd >= 0 && !ioctl(jt->win_fd, TIOCGWINSZ, &want) && want.ws_row &&
	    want.ws_col && !ioctl(jt->master, TIOCGWINSZ, &have) &&
	    (want.ws_row != have.ws_row || want.ws_col != have.ws_col))
		ioctl(jt->master, TIOCSWINSZ, &want);
}

static bool foreground(int fd)
{
	pid_t fg = tcgetpgrp(fd);

	return fg > 0 && fg == getpgrp();
}

int jobtty_prepare(struct jobtty *jt, enum jobtty_mode mode, const int given[3], uid_t uid)
{
	bool tty[3], want_pty = mode == JOBTTY_DETACHED;
	int from[3], tty_fd = -1, rc;

	jt_init(jt, mode);
	for (int i = 0; i < 3; i++) {
		/* a terminal is never passed on, whether inherited or given by the caller */
		from[i] = given[i] >= 0 ? given[i] : fcntl(i, F_GETFD) >= 0 ? i : -1;
		tty[i] = from[i] >= 0 && isatty(from[i]);
		if (tty[i]) {
			want_pty = true;
			if (tty_fd < 0)
				tty_fd = from[i];
		}
	}
	if (mode == JOBTTY_DETACHED && tty_fd < 0)
		for (int i = 0; i < 3 && tty_fd < 0; i++)
			if (isatty(i))
				tty_fd = i;
	if (want_pty) {
		rc = open_pty(jt, uid);
		if (rc)
			goto fail;
		copy_modes(jt, tty_fd);
	}
	for (int i = 0; i < 3; i++) {
		int src = from[i];

		if (tty[i] || (i == 0 && mode == JOBTTY_DETACHED && given[0] < 0))
			src = jt->slave;
		if (i == 0 && mode == JOBTTY_RELAY && tty[0] && !foreground(from[0]))
			src = -1;	/* in the background: no input for the job */
		if (src < 0)
			jt->child_fd[i] = open("/dev/null", i ? O_WRONLY | O_CLOEXEC
						: O_RDONLY | O_CLOEXEC);
		else
			jt->child_fd[i] = fcntl(src, F_DUPFD_CLOEXEC, 3);
		if (jt->child_fd[i] < 0) {
			rc = -errno;
			goto fail;
		}
	}
	if (jt->master < 0)
		return 0;
	if (mode == JOBTTY_RELAY) {
		/* the output goes where the job's terminal output would have gone */
		int out = tty[1] ? from[1] : tty[2] ? from[2] : tty[0] ? from[0] : -1;

		if (out >= 0 && (jt->out_fd = fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0) {
			rc = -errno;
			goto fail;
		}
		if (tty[0] && foreground(from[0]))
			jt->in_fd = from[0];
		jt->win_fd = tty_fd;
	}
	/* detached: what the pty echoes is dropped (the input prompt showed it); a copy of
	 * the job's output pipe here would keep its reader from seeing the end */
	jt->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (jt->stop_fd < 0) {
		rc = -errno;
		goto fail;
	}
	return 0;
fail:
	jobtty_finish(jt);
	return rc;
}

int jobtty_child(const struct jobtty *jt)
{
	int fd[3];

	if (jt->slave >= 0 && ioctl(jt->slave, TIOCSCTTY, 0))
		return -errno;
	/* the sources are above 2 (F_DUPFD_CLOEXEC, 3), so no dup2 overwrites another's */
	for (int i = 0; i < 3; i++)
		fd[i] = jt->child_fd[i];
	for (int i = 0; i < 3; i++)
		if (dup2(fd[i], i) < 0)
			return -errno;
	/* nothing of taskscope's reaches the job: every other descriptor closes at exec
	 * (marked, not closed, so the start-failure pipe still works until then) */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)) {
		long max = sysconf(_SC_OPEN_MAX);

		for (long i = 3; i < (max > 0 && max < 1048576 ? max : 65536); i++)
			fcntl((int)i, F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

static void write_out(struct jobtty *jt, const char *buf, size_t n)
{
	while (n && jt->out_fd >= 0) {
		ssize_t w = write(jt->out_fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;		/* the reader is gone: the output is dropped */
		buf += w;
		n -= (size_t)w;
	}
}

/* The relay: the pty's output to out_fd, in_fd's input to the pty; on a stop request it
 * reads the pty until the job's side is closed (all its processes ended) or stays quiet. */
static void *relay_main(void *arg)
{
	struct jobtty *jt = arg;
	char in[4096], buf[8192];
	size_t inlen = 0, inoff = 0;
	bool in_open = jt->in_fd >= 0, master_open = true, stopping = false;

	while (master_open || !stopping) {
		struct pollfd p[3];
		int n = 0, im = -1, mm = -1, r;

		p[n++] = (struct pollfd){ .fd = jt->stop_fd, .events = POLLIN };
		if (master_open) {
			mm = n;
			p[n++] = (struct pollfd){ .fd = jt->master,
						  .events = POLLIN | (inoff < inlen ? POLLOUT : 0) };
		}
		if (in_open && inoff == inlen && !stopping) {
			im = n;
			p[n++] = (struct pollfd){ .fd = jt->in_fd, .events = POLLIN };
		}
		r = poll(p, (nfds_t)n, stopping ? 500 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;		/* stopping and quiet: whatever holds the pty is not ours */
		if (p[0].revents) {
			uint64_t v;

			if (read(jt->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				break;
			stopping = true;
		}
		if (mm >= 0 && (p[mm].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t k = read(jt->master, buf, sizeof(buf));

			if (k > 0)
				write_out(jt, buf, (size_t)k);
			else if (k == 0 || (errno != EAGAIN && errno != EINTR))
				master_open = false;	/* EIO: no process has the slave open */
		}
		if (mm >= 0 && (p[mm].revents & POLLOUT) && inoff < inlen) {
			ssize_t w = write(jt->master, in + inoff, inlen - inoff);

			if (w > 0)
				inoff += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				inoff = inlen;
		}
		if (im >= 0 && (p[im].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t k = read(jt->in_fd, in, sizeof(in));

			if (k > 0) {
				inlen = (size_t)k;
				inoff = 0;
				follow_size(jt);
			} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
				in_open = false;
			}
		}
	}
	return NULL;
}

static void set_handler(int sig, void (*fn)(int), struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, old);
}

static void raw_input(struct jobtty *jt)
{
	struct termios raw;

	if (tcgetattr(jt->in_fd, &jt->saved))
		return;
	raw = jt->saved;
	/* the pty does the line editing and echo; ^C, ^\ and ^Z still reach taskscope,
	 * which passes them on; output processing stays on for taskscope's own lines */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	sig_saved = jt->saved;
	sig_rawmodes = raw;
	sig_in = jt->in_fd;
	if (tcsetattr(jt->in_fd, TCSADRAIN, &raw))
		return;
	jt->raw = true;
	sig_raw = 1;
	fatalsig_add(restore_modes);
}

int jobtty_start(struct jobtty *jt)
{
	sigset_t all, old;
	int rc;

	for (int i = 0; i < 3; i++) {
		if (jt->child_fd[i] >= 0)
			close(jt->child_fd[i]);
		jt->child_fd[i] = -1;
	}
	if (jt->slave >= 0)
		close(jt->slave);
	jt->slave = -1;
	if (jt->master < 0)
		return 0;
	fcntl(jt->master, F_SETFL, fcntl(jt->master, F_GETFL) | O_NONBLOCK);
	sig_master = jt->master;
	sig_win = jt->win_fd;
	if (jt->in_fd >= 0)
		raw_input(jt);
	if (jt->win_fd >= 0)
		set_handler(SIGWINCH, on_winch, &old_winch);
	set_handler(SIGTSTP, on_tstp, &old_tstp);
	/* the relay thread takes no signal: they are the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&jt->thread, NULL, relay_main, jt);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	jt->running = rc == 0;
	return rc;
}

void jobtty_finish(struct jobtty *jt)
{
	if (jt->running) {
		uint64_t one = 1;

		if (write(jt->stop_fd, &one, sizeof(one)) < 0)
			pthread_cancel(jt->thread);
		pthread_join(jt->thread, NULL);
		jt->running = false;
	}
	if (jt->master >= 0 && sig_master == jt->master) {
		sigaction(SIGTSTP, &old_tstp, NULL);
		if (sig_win >= 0)
			sigaction(SIGWINCH, &old_winch, NULL);
		sig_master = sig_win = -1;
	}
	if (jt->raw) {
		fatalsig_remove(restore_modes);
		tcsetattr(jt->in_fd, TCSADRAIN, &jt->saved);
		sig_raw = 0;
		sig_in = -1;
		jt->raw = false;
	}
	for (int i = 0; i < 3; i++)
		if (jt->child_fd[i] >= 0)
			close(jt->child_fd[i]);
	if (jt->slave >= 0)
		close(jt->slave);
	if (jt->master >= 0)
		close(jt->master);
	if (jt->out_fd >= 0)
		close(jt->out_fd);
	if (jt->stop_fd >= 0)
		close(jt->stop_fd);
	jt_init(jt, jt->mode);
}

int jobtty_send(struct jobtty *jt, const char *buf, size_t n)
{
	struct pollfd p;

	if (jt->master < 0)
		return -ENOTTY;
	while (n) {
		ssize_t w = write(jt->master, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			/* the job is not reading: wait a little, then give up on the rest */
			p = (struct pollfd){ .fd = jt->master, .events = POLLOUT };
			if (poll(&p, 1, 200) <= 0)
				return -EAGAIN;
			continue;
		}
		if (w <= 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

