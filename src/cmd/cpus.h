/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus.h - taskscope cpus: where threads run, sampled many times a second */
#ifndef TASKSCOPE_CPUSCMD_H
#define TASKSCOPE_CPUSCMD_H

/* Entry point of `taskscope cpus ...`; argv[0] is "cpus". Returns the exit status:
 * 0 ok, 1 runtime failure, 2 usage error, or the spawned command's status. */
int cpuscmd_main(int argc, char **argv);

#endif
