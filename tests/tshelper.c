/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tshelper.c - small programs the live tests spawn: orphans, exit codes, signals, names */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts))
		;
}

static void *named_thread(void *arg)
{
	prctl(PR_SET_NAME, (const char *)arg, 0, 0, 0);
	sleep_s(atof(getenv("TSHELPER_SLEEP") ? getenv("TSHELPER_SLEEP") : "2"));
	return NULL;
}

/* A child of vmshare: a process of its own in its parent's address space (CLONE_VM),
 * sleeping with bare system calls until its parent ends (it shares the parent's libc state). */
static int vm_child(void *arg)
{
	struct timespec ts = { 1, 0 };

	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	for (;;)
		syscall(SYS_nanosleep, &ts, NULL);
	return 0;
}

/* vmshare NAME N SECONDS: N child processes that share this process's address space
 * (processes, not threads: kcmp VM says they are one address space), then a ready line */
static int vmshare(const char *name, int n, double secs)
{
	static char stacks[16][16384] __attribute__((aligned(16)));
	pid_t kids[16];

	if (n < 1 || n > 16)
		return 2;
	prctl(PR_SET_NAME, name, 0, 0, 0);
	for (int i = 0; i < n; i++) {
		kids[i] = clone(vm_child, stacks[i] + sizeof(stacks[i]), CLONE_VM | SIGCHLD, NULL);
		if (kids[i] < 0)
			return 1;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	sleep_s(secs);
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, __WALL);
	}
	return 0;
}

/* What the vmexec child runs: bare system calls only (it shares its parent's libc state) */
static const char *vx_file, *vx_prog;
static char *vx_argv[3];

/* The vmexec child: in its parent's address space until vx_file exists, then it execs
 * vx_prog (an address space of its own; the parent's lives on) */
static int vx_child(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char *envp[] = { NULL };

	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	while (syscall(SYS_faccessat, AT_FDCWD, vx_file, F_OK, 0))
		syscall(SYS_nanosleep, &ts, NULL);
	syscall(SYS_execve, vx_prog, vx_argv, envp);
	syscall(SYS_exit, 127);
	return 127;
}

/* vmexec NAME MIB FILE PROG ARG: named NAME, with MIB MiB of its own memory touched, and a
 * child process in its address space (CLONE_VM) that execs PROG ARG once FILE exists; a
 * line "ready CHILD"; ends when the child does */
static int vmexec(const char *name, int mib, char **argv)
{
	static char stack[16384] __attribute__((aligned(16)));
	size_t len = (size_t)mib << 20;
	char *mem = len ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0) : NULL;
	pid_t kid;

	if (mib < 0 || mib > 1024 || mem == MAP_FAILED)
		return 2;
	if (len)
		memset(mem, 1, len);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	vx_file = argv[0];
	vx_prog = argv[1];
	vx_argv[0] = argv[1];
	vx_argv[1] = argv[2];
	kid = clone(vx_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	if (kid < 0)
		return 1;
	printf("ready %d\n", (int)kid);
	fflush(stdout);
	waitpid(kid, NULL, __WALL);
	return 0;
}

/* threads NAME N SECONDS: named NAME, with N threads named NAME-1 .. NAME-N */
static int named_threads(const char *name, int n, double secs)
{
	static char names[64][16];
	pthread_t t;
	char buf[32];

	if (n < 1 || n > 64)
		return 2;
	snprintf(buf, sizeof(buf), "%g", secs);
	setenv("TSHELPER_SLEEP", buf, 1);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%.10s-%d", name, i + 1);
		if (pthread_create(&t, NULL, named_thread, names[i]))
			return 1;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	sleep_s(secs);
	return 0;
}

static int usage(void)
{
	fputs("usage: tshelper exit N | signal N | orphan SECONDS FILE | name NAME SECONDS |\n"
	      "       echo TEXT | ignore-int SECONDS | maps N SECONDS | title TEXT SECONDS ARG... |\n"
	      "       blank SECONDS ARG... | argc0 SECONDS | zombie SECONDS |\n"
	      "       vmshare NAME N SECONDS | threads NAME N SECONDS |\n"
	      "       vmexec NAME MIB FILE PROG ARG\n", stderr);
	return 2;
}

/* ---- modes of the maps and command-line tests ---------------------------------------------- */

static const char self_exe[] = "/proc/self/exe";

/* SIGUSR1 in `maps`: become another program (this one, sleeping) in the middle of a read */
static void exec_on_usr1(int sig)
{
	char *const args[] = { "tshelper", "ignore-int", "60", NULL };

	(void)sig;
	execv(self_exe, args);
	_exit(126);
}

/* maps N SECONDS: N mappings (one big one whose every other page is made read-only, so
 * that none merge); SIGUSR1 makes it exec another program */
static int many_maps(long n, double secs)
{
	long page = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, (size_t)n * (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (a == MAP_FAILED)
		return 1;
	for (long i = 1; i < n; i += 2)
		if (mprotect(a + i * page, (size_t)page, PROT_READ))
			return 1;
	signal(SIGUSR1, exec_on_usr1);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	sleep_s(secs);
	return 0;
}

/* The argv area the kernel gave: from argv[0] to the NUL after the last argument. */
static size_t argv_area(int argc, char **argv)
{
	return (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
}

/* title TEXT SECONDS ARG...: TEXT over the argv area and NULs after it, as PostgreSQL
 * writes its process titles; blank SECONDS ARG...: the whole argv area NULs */
static int retitle(int argc, char **argv, const char *text, double secs)
{
	size_t len = argv_area(argc, argv), n = text ? strlen(text) : 0;
	char *copy = text ? strdup(text) : NULL;

	if (text && !copy)
		return 1;
	if (n >= len)
		n = len - 1;
	memset(argv[0], 0, len);
	if (copy)
		memcpy(argv[0], copy, n);
	free(copy);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	sleep_s(secs);
	return 0;
}

/* zombie SECONDS: a child that has exited and is not reaped for SECONDS */
static int zombie(double secs)
{
	siginfo_t si;
	pid_t c = fork();

	if (c < 0)
		return 1;
	if (c == 0)
		_exit(0);
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT))
		return 1;
	printf("ready %d %d\n", (int)getpid(), (int)c);
	fflush(stdout);
	sleep_s(secs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 && getenv("TSHELPER_ARGC0")) {
		/* started by argc0 with no argument at all */
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		sleep_s(atof(getenv("TSHELPER_ARGC0")));
		return 0;
	}
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "exit") && argc == 3)
		return atoi(argv[2]);
	if (!strcmp(argv[1], "signal") && argc == 3) {
		signal(atoi(argv[2]), SIG_DFL);
		raise(atoi(argv[2]));
		return 99;
	}
	if (!strcmp(argv[1], "echo") && argc == 3) {
		/* output must reach the user untouched */
		printf("%s\n", argv[2]);
		fprintf(stderr, "%s on stderr\n", argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "orphan") && argc == 4) {
		/* the child forks a grandchild and exits at once: the grandchild is orphaned
		 * and writes its PID to FILE, then lives SECONDS */
		pid_t c = fork();

		if (c < 0)
			return 1;
		if (c == 0) {
			pid_t g = fork();

			if (g < 0)
				_exit(1);
			if (g == 0) {
				FILE *f;

				prctl(PR_SET_NAME, "ts-orphan", 0, 0, 0);
				sleep_s(0.2);	/* let the parent exit first */
				f = fopen(argv[3], "w");
				if (f) {
					fprintf(f, "%d %d\n", (int)getpid(), (int)getppid());
					fclose(f);
				}
				sleep_s(atof(argv[2]));
				_exit(0);
			}
			_exit(0);
		}
		waitpid(c, NULL, 0);
		return 0;	/* the orphan outlives us */
	}
	if (!strcmp(argv[1], "name") && argc == 4) {
		pthread_t t;
		char secs[32];

		snprintf(secs, sizeof(secs), "%s", argv[3]);
		setenv("TSHELPER_SLEEP", secs, 1);
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		if (pthread_create(&t, NULL, named_thread, argv[2]))
			return 1;
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		pthread_join(t, NULL);
		return 0;
	}
	if (!strcmp(argv[1], "ignore-int") && argc == 3) {
		signal(SIGINT, SIG_IGN);
		sleep_s(atof(argv[2]));
		return 0;
	}
	if (!strcmp(argv[1], "maps") && argc == 4)
		return many_maps(atol(argv[2]), atof(argv[3]));
	if (!strcmp(argv[1], "title") && argc >= 4)
		return retitle(argc, argv, argv[2], atof(argv[3]));
	if (!strcmp(argv[1], "blank") && argc >= 3)
		return retitle(argc, argv, NULL, atof(argv[2]));
	if (!strcmp(argv[1], "argc0") && argc == 3) {
		char *const none[] = { NULL };

		setenv("TSHELPER_ARGC0", argv[2], 1);
		execve(self_exe, none, environ);
		return 126;
	}
	if (!strcmp(argv[1], "zombie") && argc == 3)
		return zombie(atof(argv[2]));
	if (!strcmp(argv[1], "threads") && argc == 5)
		return named_threads(argv[2], atoi(argv[3]), atof(argv[4]));
	if (!strcmp(argv[1], "vmshare") && argc == 5)
		return vmshare(argv[2], atoi(argv[3]), atof(argv[4]));
	if (!strcmp(argv[1], "vmexec") && argc == 7)
		return vmexec(argv[2], atoi(argv[3]), argv + 4);
	return usage();
}
