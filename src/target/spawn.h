/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.h - run a command as a followed job: subreaper, signal forwarding, exit status */
#ifndef TASKSCOPE_SPAWN_H
#define TASKSCOPE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "target/jobtty.h"

struct spawn {
	pid_t pid;		/* the direct child */
	bool child_done;	/* reaped */
	int status;		/* wait status of the child */
	bool all_done;		/* no children (direct or adopted orphans) left */
	double start_mono, end_mono;
	const char *failed_step;	/* after a failed start: "setgroups", "setgid",
					 * "setuid", "terminal set-up" or "exec" */
	struct jobtty tty;	/* the job's own terminal and its relay */
};

/* Who a spawned command runs as (--run-as): looked up before the fork, so the child only
 * makes system calls between fork and exec. */
struct spawn_cred {
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* the user's supplementary groups (as initgroups(3) sets) */
	size_t ngroups;
	char **envp;		/* the environment with HOME, USER and LOGNAME of the user */
	char *name;		/* the user's name, sanitized, for messages */
};

/* Look up user (a name or a number that has a passwd entry) for --run-as: -ENOENT no such
 * user, -EPERM taskscope is not root, -ENOMEM. */
int spawn_cred_lookup(struct spawn_cred *c, const char *user);
void spawn_cred_free(struct spawn_cred *c);
/* The message for an error of spawn_cred_lookup (user as given; sanitized here). */
void spawn_cred_error(int rc, const char *user, char *msg, size_t len);

/* Become a child subreaper, block the signals the wait loop handles, fork and exec argv,
 * as cred's user when cred is not NULL (setgroups, setgid, setuid, each checked, in that
 * order). The job never gets taskscope's terminal (DESIGN §9): it leads a session of its
 * own, a terminal among the fds it would inherit is replaced by a pty that taskscope
 * relays (jobtty.h), every other descriptor is closed at exec, every signal disposition
 * is reset (ignored stays ignored only when it was so when taskscope started) and the mask
 * emptied, and it gets SIGKILL when taskscope dies (PR_SET_PDEATHSIG).
 * Returns 0, or -errno of the failed step (sp->failed_step says which) after reaping the
 * child. */
int spawn_start(struct spawn *sp, char *const argv[], const struct spawn_cred *cred);
/* The same with the child's stdout on out_fd (-1: inherited). It may be called again once
 * the previous job is all done: jobs run one after the other, never at once. */
int spawn_start_io(struct spawn *sp, char *const argv[], int out_fd,
		   const struct spawn_cred *cred);
/* The same with the child's stdout and stderr both going to outfd (when >= 0), e.g. the
 * write end of a pipe the caller drains; the caller closes its copy after the start. */
int spawn_start_output(struct spawn *sp, char *const argv[], int outfd,
		       const struct spawn_cred *cred);
/* The general form: stdout on out_fd, stderr on err_fd (-1: inherited). */
int spawn_start_fds(struct spawn *sp, char *const argv[], int out_fd, int err_fd,
		    const struct spawn_cred *cred);
/* For the full-screen view: stdout and stderr on outfd, stdin a pty that gets only what
 * spawn_send_input writes; nothing of the terminal is relayed. */
int spawn_start_detached(struct spawn *sp, char *const argv[], int outfd,
			 const struct spawn_cred *cred);
/* Write to the job's terminal input (detached jobs). 0, -ENOTTY, -ESRCH, -EAGAIN. */
int spawn_send_input(struct spawn *sp, const char *buf, size_t n);
/* Pass sig on to the job: from_terminal as its terminal would (its foreground process
 * group), else to the job's first process. */
void spawn_forward(struct spawn *sp, int sig, bool from_terminal);
/* The exit status for a failed spawn_start: 127 not found, 126 not runnable or the user
 * could not be switched to, 1 for anything else; the message goes into msg. */
int spawn_failure(const struct spawn *sp, int rc, const char *cmd, const struct spawn_cred *cred,
		  char *msg, size_t len);
/* Reap whatever exited (never blocks unless block is true, then waits for one change). */
void spawn_reap(struct spawn *sp, bool block);
/* Sleep up to seconds, waking early for SIGCHLD and forwarded signals. */
void spawn_wait(struct spawn *sp, double seconds);
/* The same, waking early too when fd is readable (or at EOF). */
void spawn_wait_fd(struct spawn *sp, double seconds, int fd);
/* The last of the forwarded signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) taskscope received,
 * from the terminal or sent to it alone; 0 if none. */
int spawn_interrupted(void);
/* A signal taskscope received that must still go to the job (0 if none); clears it. */
int spawn_take_pending(void);
/* The exit status taskscope should return: the child's, 128+N when killed by N. */
int spawn_exit_code(const struct spawn *sp);
/* Exit code for a failed exec: 127 not found, 126 otherwise. */
int spawn_exec_failure_code(int err);

#endif
