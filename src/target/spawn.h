/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.h - run a command as a followed job: subreaper, signal forwarding, exit status */
#ifndef TASKSCOPE_SPAWN_H
#define TASKSCOPE_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawn {
	pid_t pid;		/* the direct child */
	bool child_done;	/* reaped */
	int status;		/* wait status of the child */
	bool all_done;		/* no children (direct or adopted orphans) left */
	double start_mono, end_mono;
};

/* Become a child subreaper, block the signals the wait loop handles, fork and exec argv.
 * Returns 0, or -errno of the failed exec (ENOENT...) after reaping the child. */
int spawn_start(struct spawn *sp, char *const argv[]);
/* The same with the child's stdout and stderr both going to outfd (when >= 0), e.g. the
 * write end of a pipe the caller drains; the caller closes its copy after the start. */
int spawn_start_output(struct spawn *sp, char *const argv[], int outfd);
/* Reap whatever exited (never blocks unless block is true, then waits for one change). */
void spawn_reap(struct spawn *sp, bool block);
/* Sleep up to seconds, waking early for SIGCHLD and forwarded signals. */
void spawn_wait(struct spawn *sp, double seconds);
/* A signal taskscope received that must still go to the job (0 if none); clears it. */
int spawn_take_pending(void);
/* The exit status taskscope should return: the child's, 128+N when killed by N. */
int spawn_exit_code(const struct spawn *sp);
/* Exit code for a failed exec: 127 not found, 126 otherwise. */
int spawn_exec_failure_code(int err);

#endif
