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
#include "target/spawn.h"

extern char **environ;

/* What the child reports through the pipe when a step before or at exec fails. */
enum { STEP_EXEC, STEP_SETGROUPS, STEP_SETGID, STEP_SETUID, STEP_CHECK };
static const char *const step_names[] = {
	[STEP_EXEC] = "exec", [STEP_SETGROUPS] = "setgroups", [STEP_SETGID] = "setgid",
	[STEP_SETUID] = "setuid", [STEP_CHECK] = "credentials check",
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
static sigset_t orig_mask;	/* the mask before the first spawn: what a child gets */
static bool have_orig;

static void on_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_sig = sig;
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
static void child_fail(int fd, int step, int err)
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
	struct child_failure f;
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
	/* a later job (compare runs one after the other) starts with the mask taskscope
	 * had before the first one, not with the signals blocked for the wait loop */
	if (!have_orig) {
		orig_mask = old;
		have_orig = true;
	}
	old = orig_mask;
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
		if (out_fd >= 0 && out_fd != STDOUT_FILENO && dup2(out_fd, STDOUT_FILENO) < 0)
			child_fail(pfd[1], STEP_EXEC, errno);
		if (err_fd >= 0 && err_fd != STDERR_FILENO && dup2(err_fd, STDERR_FILENO) < 0)
			child_fail(pfd[1], STEP_EXEC, errno);
		if (cred) {
			child_switch(pfd[1], cred);
			execvpe(argv[0], argv, cred->envp);
		} else {
			execvp(argv[0], argv);
		}
		child_fail(pfd[1], STEP_EXEC, errno);
	}
	close(pfd[1]);
	sp->pid = pid;
	child_pid = pid;
	do {
		r = read(pfd[0], &f, sizeof(f));
	} while (r < 0 && errno == EINTR);
	close(pfd[0]);
	if (r == (ssize_t)sizeof(f)) {
		int st;

		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		child_pid = 0;
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
