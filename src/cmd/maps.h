/* SPDX-License-Identifier: GPL-2.0-or-later */
/* maps.h - taskscope maps: the memory map of processes, mapping by mapping */
#ifndef TASKSCOPE_CMD_MAPS_H
#define TASKSCOPE_CMD_MAPS_H

/* Entry point of `taskscope maps ...`; argv[0] is "maps". Returns the exit status:
 * 0 ok (also when a process's map was denied), 1 a PID that does not exist or cannot be
 * read, 2 usage error. */
int maps_main(int argc, char **argv);

#endif
