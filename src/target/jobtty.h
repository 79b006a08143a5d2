/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobtty.h - a spawned job's own pseudo-terminal, relayed by taskscope (never root's tty) */
#ifndef TASKSCOPE_JOBTTY_H
#define TASKSCOPE_JOBTTY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

enum jobtty_mode {
	/* batch commands: a terminal among taskscope's fds 0-2 is replaced by the slave of a
	 * pty that taskscope relays both ways (input only while taskscope is in the
	 * terminal's foreground), window size included */
	JOBTTY_RELAY,
	/* the full-screen view: the job's stdin is a pty that gets only what jobtty_send
	 * writes (the TUI's input prompt); what the pty echoes is dropped */
	JOBTTY_DETACHED,
};

struct jobtty {
	enum jobtty_mode mode;
	int master, slave;	/* -1 when the job needs no pty */
	int child_fd[3];	/* what the job gets as 0, 1, 2 (owned: ours to close) */
	int in_fd;		/* taskscope's terminal that input comes from, or -1 */
	int out_fd;		/* where the pty's output goes (owned), or -1 to drop it */
	int win_fd;		/* the terminal whose window size the pty follows, or -1 */
	int stop_fd;		/* eventfd: the relay thread drains and ends */
	bool raw;		/* in_fd's modes are changed (saved holds the old ones) */
	struct termios saved;
	pthread_t thread;
	bool running;
};

/* Decide and open what the job's fds 0-2 are. given[i] >= 0 is used as it is (a pipe or a
 * file of the caller; dup'ed). Otherwise fd i of taskscope: a terminal is replaced by the
 * pty's slave (stdin by /dev/null in relay mode when taskscope is not in the terminal's
 * foreground), a closed fd by /dev/null, anything else (a file, a pipe) is passed on.
 * In detached mode stdin is always the pty. uid >= 0: the slave is given to that user.
 * 0 or -errno. */
int jobtty_prepare(struct jobtty *jt, enum jobtty_mode mode, const int given[3], uid_t uid);
/* In the child, after setsid(): make the pty the controlling terminal and install fds 0-2;
 * every other fd is marked close-on-exec. 0 or -errno (async-signal-safe). */
int jobtty_child(const struct jobtty *jt);
/* In the parent after the fork: close the child's ends, put the terminal into raw input
 * mode when input is relayed, start the relay thread. 0 or -errno. */
int jobtty_start(struct jobtty *jt);
/* Relay what is left of the job's output, stop the relay, restore the terminal and close
 * everything (safe to call more than once, and after a failed prepare). */
void jobtty_finish(struct jobtty *jt);
/* Detached mode: write bytes to the job's terminal input. -ENOTTY without a pty. */
int jobtty_send(struct jobtty *jt, const char *buf, size_t n);
/* Deliver sig as a terminal would: to the foreground process group of the pty master (or
 * pgid without a pty), a stop signal as SIGSTOP. 0 or -errno; async-signal-safe. */
int jobtty_kill(int master, pid_t pgid, int sig);

#endif
