/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fatalsig.c - undo terminal changes before any signal whose default action ends taskscope */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "lib/fatalsig.h"
#include "lib/util.h"

/* The classic signals whose default action is to terminate, with or without a core dump
 * (signal(7)); SIGRTMIN..SIGRTMAX are added at run time. SIGKILL cannot be caught. */
static const int terminating[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV,
	SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
#ifdef SIGPWR
	SIGPWR,
#endif
	SIGSYS,
};

#define MAX_HOOKS 4
static void (*volatile hooks[MAX_HOOKS])(void);
static bool installed;

static void on_fatal(int sig)
{
	int saved = errno;
	struct sigaction dfl;
	sigset_t set;

	for (int i = MAX_HOOKS - 1; i >= 0; i--)
		if (hooks[i])
			hooks[i]();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	errno = saved;
	/* a fault repeats on return and now kills; a sent signal is raised again and taken
	 * when the handler returns and the mask is restored */
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Faults are ours even when a handler is there already (a sanitizer's): the terminal comes
 * first. */
static bool fault(int sig)
{
	return sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGBUS ||
	       sig == SIGFPE || sig == SIGSEGV || sig == SIGSYS;
}

static void install_one(int sig)
{
	struct sigaction old, sa;

	if (sigaction(sig, NULL, &old))
		return;
	if (!fault(sig) && ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL))
		return;		/* handled or ignored by its owner */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int fatalsig_add(void (*fn)(void))
{
	int slot = -1;

	for (int i = 0; i < MAX_HOOKS; i++) {
		if (hooks[i] == fn)
			return 0;
		if (!hooks[i] && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return -ENOSPC;
	hooks[slot] = fn;
	if (!installed) {
		installed = true;
		for (size_t i = 0; i < ARRAY_SIZE(terminating); i++)
			install_one(terminating[i]);
		for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
			install_one(s);
	}
	return 0;
}

void fatalsig_remove(void (*fn)(void))
{
	for (int i = 0; i < MAX_HOOKS; i++)
		if (hooks[i] == fn)
			hooks[i] = NULL;
}
