/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kcmp.c - which kernel resources two tasks share, from kcmp(2) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kcmp.h>

#include "lib/util.h"
#include "sample/kcmp.h"

static const struct {
	const char *name;
	int type;
} kcmp_types[KCMP_RES_COUNT] = {
	[KCMP_RES_VM] = { "VM", KCMP_VM },
	[KCMP_RES_FILES] = { "FILES", KCMP_FILES },
	[KCMP_RES_FS] = { "FS", KCMP_FS },
	[KCMP_RES_SIGHAND] = { "SIGHAND", KCMP_SIGHAND },
	[KCMP_RES_IO] = { "IO", KCMP_IO },
	[KCMP_RES_SYSVSEM] = { "SYSVSEM", KCMP_SYSVSEM },
};

const char *kcmp_res_name(enum kcmp_res r)
{
	return (unsigned)r < KCMP_RES_COUNT ? kcmp_types[r].name : "?";
}

int kcmp_compare(pid_t tid1, pid_t tid2, enum kcmp_res r)
{
	long rc;

	if ((unsigned)r >= KCMP_RES_COUNT)
		return -EINVAL;
#ifdef SYS_kcmp
	rc = syscall(SYS_kcmp, (long)tid1, (long)tid2, (long)kcmp_types[r].type, 0L, 0L);
#else
	errno = ENOSYS;
	rc = -1;
#endif
	if (rc < 0)
		return -errno;
	return (int)rc;
}

/* ---- reference tasks --------------------------------------------------------------------- */

/* The child: waits for EOF on the pipe (taskscope closes it, or dies), then exits. */
static _Noreturn void ref_child(int fd)
{
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int kcmp_ref_start(struct kcmp_ref *ref)
{
	int rc = 0;

	memset(ref, 0, sizeof(*ref));
	ref->pipefd[0] = ref->pipefd[1] = -1;
	if (pipe2(ref->pipefd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			rc = -errno;
			break;
		}
		if (pid == 0) {
			close(ref->pipefd[1]);
			ref_child(ref->pipefd[0]);
		}
		ref->tid[i] = pid;
	}
	if (rc) {
		kcmp_ref_stop(ref);
		return rc;
	}
	/* A forked child has no semaphore undo list (only CLONE_SYSVSEM shares one; a thread
	 * would, and makes one for its process), and no I/O context unless taskscope has an
	 * I/O priority: then each gets one of its own, and the two differ. */
	ref->none_sysvsem = true;
	ref->none_io = kcmp_compare(ref->tid[0], ref->tid[1], KCMP_RES_IO) == 0;
	return 0;
}

void kcmp_ref_stop(struct kcmp_ref *ref)
{
	if (ref->pipefd[1] >= 0)
		close(ref->pipefd[1]);
	if (ref->pipefd[0] >= 0)
		close(ref->pipefd[0]);
	ref->pipefd[0] = ref->pipefd[1] = -1;
	for (int i = 0; i < 2; i++) {
		if (ref->tid[i] > 0)
			while (waitpid(ref->tid[i], NULL, 0) < 0 && errno == EINTR)
				;
		ref->tid[i] = 0;
	}
}
