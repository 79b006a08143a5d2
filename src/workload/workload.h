/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workload.h - built-in thread/process workloads (taskscope workload) */
#ifndef TASKSCOPE_WORKLOAD_H
#define TASKSCOPE_WORKLOAD_H

#include <stdio.h>

/* Entry point of `taskscope workload ...`; argv[0] is "workload".
 * Returns the process exit status (0 ok, 1 runtime failure, 2 usage error). */
int workload_main(int argc, char **argv);
void workload_usage(FILE *out);

#endif
