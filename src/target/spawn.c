/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.c - run a command as a followed job: subreaper, signal forwarding, exit status */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/keptfd.h"
#include "target/jobtty.h"
#include "target/spawn.h"

extern char **environ;

/* What the child reports through the pipe when a step before or at exec fails. */
enum { STEP_EXEC, STEP_SETGROUPS, STEP_SETGID, STEP_SETUID, STEP_CHECK, STEP_TTY };
static const char *const step_names[] = {
	[STEP_EXEC] = "exec", [STEP_SETGROUPS] = "setgroups", [STEP_SETGID] = "setgid",
	[STEP_SETUID] = "setuid", [STEP_CHECK] = "credentials check",
	[STEP_TTY] = "terminal set-up",
};

struct child_failure {
	int step;
	int err;
};

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t pending_sig;
static volatile sig_atomic_t last_sig;	/* any forwarded signal taskscope received */
static sigset_t wait_mask;	/* the mask while sleeping: everything handled unblocked */
static sigset_t orig_mask;	/* the mask before the first spawn */
static bool have_orig;
static sigset_t start_ignored;	/* signals ignored when taskscope started */
static volatile int fwd_master = -1;	/* the job's pty: terminal signals go through it */

/* Before main: fds 0-2 that taskscope was started without are /dev/null, so that nothing
 * taskscope opens later (a /proc file) takes their place and is handed to a job as its
 * stdin or stderr; and the signals taskscope was started with ignored (nohup), which a job
 * keeps as it would have without taskscope in between (every other one is reset). */
__attribute__((constructor)) static void spawn_at_start(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd ? O_WRONLY : O_RDONLY);

		if (n >= 0 && n != fd) {
			/* a lower fd was free too and is filled next round */
			dup2(n, fd);
			close(n);
		}
	}
	sigemptyset(&start_ignored);
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (!sigaction(sig, NULL, &sa) && !(sa.sa_flags & SA_SIGINFO) &&
		    sa.sa_handler == SIG_IGN)
			sigaddset(&start_ignored, sig);
	}
	/* those taskscope passes on take their default action in the job, as before */
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigdelset(&start_ignored, forwarded[i]);
}

/* A signal for the job as its terminal would send it: to the foreground process group of
 * its pty, else to its process group (the job leads a session of its own). */
static void forward_terminal(pid_t pid, int sig)
{
	if (jobtty_kill(fwd_master, pid, sig))
		kill(pid, sig);
}

static void on_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_sig = sig;
	/* The job has a session of its own, so nothing from taskscope's terminal reaches it
	 * but what taskscope passes on: a signal from the terminal (^C, ^\, a hangup) as
	 * the job's terminal would deliver it, one sent to taskscope alone to the job. */
	if (child_pid <= 0)
		pending_sig = sig;
	else if (si && si->si_code == SI_KERNEL)
		forward_terminal((pid_t)child_pid, sig);
	else
		kill((pid_t)child_pid, sig);
}

void spawn_forward(struct spawn *sp, int sig, bool from_terminal)
{
	if (sp->child_done || sp->pid <= 0)
		return;
	if (from_terminal)
		forward_terminal(sp->pid, sig);
	else
		kill(sp->pid, sig);
}

int spawn_send_input(struct spawn *sp, const char *buf, size_t n)
{
	if (sp->all_done)
		return -ESRCH;
	return jobtty_send(&sp->tty, buf, n);
}

/* In the child: every signal as at exec without taskscope in between (default, or ignored
 * when taskscope was started so), nothing blocked. */
static void child_signals(void)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		dfl.sa_handler = sigismember(&start_ignored, sig) ? SIG_IGN : SIG_DFL;
		sigaction(sig, &dfl, NULL);	/* fails for glibc's own: left alone */
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
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

int spawn_interrupted(void)
{
	return last_sig;
}

int spawn_exec_failure_code(int err)
{
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

void spawn_cred_free(struct spawn_cred *c)
{
	if (c->envp)
		for (size_t i = 0; c->envp[i]; i++)
			free(c->envp[i]);
	free(c->envp);
	free(c->groups);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

/* environ with HOME, USER and LOGNAME replaced by the user's (all strings owned) */
static int cred_environ(struct spawn_cred *c, const char *name, const char *home)
{
	static const char *const own[] = { "HOME=", "USER=", "LOGNAME=" };
	const char *val[] = { home, name, name };
	size_t n = 0, k = 0;

	while (environ && environ[n])
		n++;
	c->envp = calloc(n + ARRAY_SIZE(own) + 1, sizeof(*c->envp));
	if (!c->envp)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool skip = false;

		for (size_t j = 0; j < ARRAY_SIZE(own); j++)
			skip |= !strncmp(environ[i], own[j], strlen(own[j]));
		if (skip)
			continue;
		c->envp[k] = strdup(environ[i]);
		if (!c->envp[k++])
			return -ENOMEM;
	}
	for (size_t j = 0; j < ARRAY_SIZE(own); j++) {
		size_t len = strlen(own[j]) + strlen(val[j]) + 1;

		c->envp[k] = malloc(len);
		if (!c->envp[k])
			return -ENOMEM;
		snprintf(c->envp[k++], len, "%s%s", own[j], val[j]);
	}
	return 0;
}

int spawn_cred_lookup(struct spawn_cred *c, const char *user)
{
	struct passwd *pw;
	char *name = NULL, *home = NULL;
	uint64_t num;
	int n = 16, rc = -ENOMEM;

	memset(c, 0, sizeof(*c));
	pw = getpwnam(user);
	if (!pw && util_parse_u64(user, 0xfffffffeU, &num) == 0)
		pw = getpwuid((uid_t)num);
	if (!pw)
		return -ENOENT;
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	name = strdup(pw->pw_name);
	home = strdup(pw->pw_dir ? pw->pw_dir : "/");
	if (!name || !home)
		goto out;
	if (geteuid() != 0) {
		rc = -EPERM;
		goto out;
	}
	for (;;) {
		int want = n;
		gid_t *g = realloc(c->groups, (size_t)n * sizeof(*g));

		if (!g)
			goto out;
		c->groups = g;
		if (getgrouplist(name, c->gid, c->groups, &want) >= 0) {
			c->ngroups = (size_t)want;
			break;
		}
		if (want <= n || want > 65536) {
			rc = -EOVERFLOW;
			goto out;
		}
		n = want;
	}
	c->name = util_sanitize_dup(name, strlen(name));
	if (!c->name)
		goto out;
	rc = cred_environ(c, name, home);
out:
	free(name);
	free(home);
	if (rc)
		spawn_cred_free(c);
	return rc;
}

void spawn_cred_error(int rc, const char *user, char *msg, size_t len)
{
	char name[128];

	util_sanitize(user, strlen(user), name, sizeof(name));
	if (rc == -ENOENT)
		snprintf(msg, len, "--run-as: unknown user '%s'", name);
	else if (rc == -EPERM)
		snprintf(msg, len, "--run-as needs root: only root can start a command as "
			 "another user");
	else
		snprintf(msg, len, "--run-as '%s': %s", name, strerror(-rc));
}

/* In the child: report a failed step to the parent and end. */
static _Noreturn void child_fail(int fd, int step, int err)
{
	struct child_failure f = { step, err };

	if (write(fd, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(step == STEP_EXEC ? spawn_exec_failure_code(err) : 126);
}

/* In the child: become cred's user; every step is checked, and root cannot come back. */
static void child_switch(int fd, const struct spawn_cred *cred)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setgroups(cred->ngroups, cred->groups))
		child_fail(fd, STEP_SETGROUPS, errno);
	if (setgid(cred->gid))
		child_fail(fd, STEP_SETGID, errno);
	if (setuid(cred->uid))
		child_fail(fd, STEP_SETUID, errno);
	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		child_fail(fd, STEP_CHECK, errno);
	if (ru != cred->uid || eu != cred->uid || su != cred->uid ||
	    rg != cred->gid || eg != cred->gid || sg != cred->gid)
		child_fail(fd, STEP_CHECK, EPERM);
	if (cred->uid != 0 && setuid(0) == 0)
		child_fail(fd, STEP_CHECK, EPERM);
}

int spawn_failure(const struct spawn *sp, int rc, const char *cmd, const struct spawn_cred *cred,
		  char *msg, size_t len)
{
	char name[128];
	int err = -rc;

	util_sanitize(cmd, strlen(cmd), name, sizeof(name));
	if (sp->failed_step && !strcmp(sp->failed_step, step_names[STEP_TTY])) {
		snprintf(msg, len, "cannot run '%s': its terminal: %s", name, strerror(err));
		return 126;
	}
	if (cred && sp->failed_step && strcmp(sp->failed_step, "exec") != 0) {
		snprintf(msg, len, "cannot run '%s' as user '%s': %s failed: %s", name,
			 cred->name, sp->failed_step, strerror(err));
		return 126;
	}
	if (cred)
		snprintf(msg, len, "cannot run '%s' as user '%s': %s", name, cred->name,
			 strerror(err));
	else
		snprintf(msg, len, "cannot run '%s': %s", name, strerror(err));
	if (err == ENOENT || err == ENOTDIR || err == EACCES || err == ENOEXEC ||
	    err == EISDIR || err == EPERM || err == ELOOP || err == ENAMETOOLONG)
		return spawn_exec_failure_code(err);
	return 1;
}

static int start(struct spawn *sp, char *const argv[], const int given[3],
		 enum jobtty_mode mode, const struct spawn_cred *cred);

int spawn_start(struct spawn *sp, char *const argv[], const struct spawn_cred *cred)
{
	return spawn_start_fds(sp, argv, -1, -1, cred);
}

int spawn_start_io(struct spawn *sp, char *const argv[], int out_fd,
		   const struct spawn_cred *cred)
{
	return spawn_start_fds(sp, argv, out_fd, -1, cred);
}

int spawn_start_output(struct spawn *sp, char *const argv[], int outfd,
		       const struct spawn_cred *cred)
{
	return spawn_start_fds(sp, argv, outfd, outfd, cred);
}

int spawn_start_fds(struct spawn *sp, char *const argv[], int out_fd, int err_fd,
		    const struct spawn_cred *cred)
{
	const int given[3] = { -1, out_fd, err_fd };

	return start(sp, argv, given, JOBTTY_RELAY, cred);
}

int spawn_start_detached(struct spawn *sp, char *const argv[], int outfd,
			 const struct spawn_cred *cred)
{
	const int given[3] = { -1, outfd, outfd };

	return start(sp, argv, given, JOBTTY_DETACHED, cred);
}

/* Block the signals the wait loop handles and install their handlers. */
static int wait_signals(void)
{
	struct sigaction sa;
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &block, &old))
		return -errno;
	/* a later job (compare runs one after the other) sleeps with the mask taskscope had
	 * before the first one, not with the signals blocked for the wait loop */
	if (!have_orig) {
		orig_mask = old;
		have_orig = true;
	}
	wait_mask = orig_mask;
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
	return 0;
}

/* In the child: a session of its own on its own terminal, taskscope's signal handling
 * and descriptors gone, the user switched, killed when taskscope dies; then exec. */
static _Noreturn void child_run(int fd, pid_t parent, char *const argv[], const struct jobtty *jt,
				const struct spawn_cred *cred)
{
	int rc;

	child_signals();
	keptfd_child_limit();	/* the job gets the descriptor limit taskscope was given */
	if (setsid() < 0)
		child_fail(fd, STEP_TTY, errno);
	rc = jobtty_child(jt);
	if (rc)
		child_fail(fd, STEP_TTY, -rc);
	if (cred)
		child_switch(fd, cred);
	/* after the switch: a change of credentials clears the parent-death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		child_fail(fd, STEP_TTY, errno);
	if (getppid() != parent)
		_exit(128 + SIGKILL);	/* taskscope died before the line above */
	if (cred)
		execvpe(argv[0], argv, cred->envp);
	else
		execvp(argv[0], argv);
	child_fail(fd, STEP_EXEC, errno);
	_exit(127);
}

static int start(struct spawn *sp, char *const argv[], const int given[3],
		 enum jobtty_mode mode, const struct spawn_cred *cred)
{
	struct child_failure f;
	pid_t pid, parent = getpid();
	int pfd[2], err;
	ssize_t r;

	memset(sp, 0, sizeof(*sp));
	sp->tty.master = sp->tty.slave = -1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -errno;
	err = wait_signals();
	if (err)
		return err;
	err = jobtty_prepare(&sp->tty, mode, given, cred ? cred->uid : (uid_t)-1);
	if (err) {
		sp->failed_step = step_names[STEP_TTY];
		return err;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		jobtty_finish(&sp->tty);
		return err;
	}
	sp->start_mono = util_monotonic();
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		jobtty_finish(&sp->tty);
		return err;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_run(pfd[1], parent, argv, &sp->tty, cred);
	}
	close(pfd[1]);
	sp->pid = pid;
	child_pid = pid;
	err = jobtty_start(&sp->tty);
	fwd_master = sp->tty.master;
	do {
		r = read(pfd[0], &f, sizeof(f));
	} while (r < 0 && errno == EINTR);
	close(pfd[0]);
	if (r == (ssize_t)sizeof(f) || err) {
		int st;

		if (r != (ssize_t)sizeof(f)) {
			/* the relay could not start: the job must not run without it */
			kill(pid, SIGKILL);
			f = (struct child_failure){ STEP_TTY, -err };
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		child_pid = 0;
		fwd_master = -1;
		jobtty_finish(&sp->tty);
		sp->child_done = true;
		sp->all_done = true;
		sp->status = st;
		sp->failed_step = f.step >= 0 && f.step < (int)ARRAY_SIZE(step_names)
				  ? step_names[f.step] : "exec";
		return f.err > 0 ? -f.err : -EIO;
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
				/* every process that could write to the job's pty has ended */
				fwd_master = -1;
				jobtty_finish(&sp->tty);
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

void spawn_wait_fd(struct spawn *sp, double seconds, int fd)
{
	struct timespec ts;
	fd_set rd;

	(void)sp;
	if (fd < 0 || fd >= FD_SETSIZE) {
		spawn_wait(sp, seconds);
		return;
	}
	if (seconds < 0)
		seconds = 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	pselect(fd + 1, &rd, NULL, NULL, &ts, &wait_mask);
}

int spawn_exit_code(const struct spawn *sp)
{
	if (WIFEXITED(sp->status))
		return WEXITSTATUS(sp->status);
	if (WIFSIGNALED(sp->status))
		return 128 + WTERMSIG(sp->status);
	return 1;
}
