/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fatalsig.h - undo terminal changes before any signal whose default action ends taskscope */
#ifndef TASKSCOPE_FATALSIG_H
#define TASKSCOPE_FATALSIG_H

/* Run fn (it must be async-signal-safe) when a signal whose default action terminates the
 * process (with or without a core: SEGV, ABRT, USR1, ALRM, XCPU, IO, PWR, TRAP, SYS, STKFLT,
 * the real-time signals, ...) arrives, then let the signal take its default action. Other
 * than the faults (SEGV, BUS, ILL, FPE, ABRT, TRAP, SYS), signals that already have a
 * handler or are ignored are left alone (their owner restores the terminal itself). Hooks
 * run newest first. 0, or -ENOSPC when too many are registered. */
int fatalsig_add(void (*fn)(void));
/* Forget fn (a no-op when it was not added). */
void fatalsig_remove(void (*fn)(void));

#endif
