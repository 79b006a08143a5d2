/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stackptr.h - each thread's stack pointer (task/TID/syscall), name and page faults */
#ifndef TASKSCOPE_STACKPTR_H
#define TASKSCOPE_STACKPTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One thread of a process. */
struct stackptr_thread {
	pid_t tid;
	uint64_t start;		/* start time (clock ticks since boot): with tid, the identity
				 * (0 without names) */
	char *comm;		/* the thread's name, sanitized (NULL without names) */
	uint64_t minflt, majflt;
	int sp_rc;		/* 0: sp is the thread's user stack pointer; -EAGAIN: it was on
				 * a CPU at every try; -EACCES/-EPERM: denied (syscall needs
				 * ptrace access); -ESRCH: it exited; -EOPNOTSUPP: no such file
				 * in this kernel; -EINVAL: unreadable */
	uint64_t sp;
};

/* "NR a1 a2 a3 a4 a5 a6 SP PC" (in a system call), "-1 SP PC" (stopped outside one) or
 * "running": the stack pointer, -EAGAIN for "running", -EINVAL or -ERANGE. */
int stackptr_parse_syscall(const char *buf, size_t len, uint64_t *sp);

/* Every thread of the process whose /proc/PID directory is piddirfd, sorted by TID, with
 * its stack pointer from task/TID/syscall and, with names, its name, start time and page
 * faults from task/TID/stat (one more file a thread: skip it when they are not shown).
 * Threads that exit meanwhile are left out. Returns 0 or -errno (-ESRCH: the process is
 * gone). */
int stackptr_scan(int piddirfd, bool names, struct stackptr_thread **threads, size_t *n);
void stackptr_free(struct stackptr_thread *threads, size_t n);

#endif
