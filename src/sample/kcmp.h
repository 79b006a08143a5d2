/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kcmp.h - which kernel resources two tasks share, from kcmp(2) */
#ifndef TASKSCOPE_KCMP_H
#define TASKSCOPE_KCMP_H

#include <stdbool.h>
#include <sys/types.h>

/* The resources taskscope compares, in the order it shows them. */
enum kcmp_res {
	KCMP_RES_VM,		/* address space (mm) */
	KCMP_RES_FILES,		/* file descriptor table */
	KCMP_RES_FS,		/* root, cwd, umask */
	KCMP_RES_SIGHAND,	/* signal handlers */
	KCMP_RES_IO,		/* I/O context (ioprio) */
	KCMP_RES_SYSVSEM,	/* System V semaphore undo list */
	KCMP_RES_COUNT
};

/* "VM", "FILES", ... */
const char *kcmp_res_name(enum kcmp_res r);

/* kcmp(tid1, tid2, r): 0 the same, 1 tid1's sorts first, 2 tid2's sorts first, 3 not the
 * same but unordered; -EPERM/-EACCES denied (ptrace read access to both is needed),
 * -ESRCH gone, -ENOSYS/-EOPNOTSUPP not supported by this kernel (CONFIG_KCMP, or
 * CONFIG_SYSVIPC for SYSVSEM). The kernel's order is a total order for each resource. */
int kcmp_compare(pid_t tid1, pid_t tid2, enum kcmp_res r);

/* Tasks of taskscope's own that hold no I/O context and no semaphore undo list: kcmp
 * says "the same" for two tasks that both lack one, so a task that compares equal to a
 * reference lacks one too. Two idle child processes that end when stopped (or when
 * taskscope dies); none_io is false when they got I/O contexts of their own (taskscope
 * runs with an I/O priority set). */
struct kcmp_ref {
	pid_t tid[2];
	int pipefd[2];
	bool none_io, none_sysvsem;
};
int kcmp_ref_start(struct kcmp_ref *ref);
void kcmp_ref_stop(struct kcmp_ref *ref);

#endif
