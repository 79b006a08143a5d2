/* SPDX-License-Identifier: GPL-2.0-or-later */
/* demo.h - taskscope demo: the threads-vs-processes lesson, measured on this machine */
#ifndef TASKSCOPE_DEMOCMD_H
#define TASKSCOPE_DEMOCMD_H

/* Entry point of `taskscope demo ...`; argv[0] is "demo". Returns the exit status: 0 the
 * demo ran (also when a claim was not shown), 1 runtime failure, 2 usage error. */
int democmd_main(int argc, char **argv);

#endif
