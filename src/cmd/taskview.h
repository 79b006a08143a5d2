/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskview.h - the task view command (taskscope with no command name) */
#ifndef TASKSCOPE_TASKVIEW_H
#define TASKSCOPE_TASKVIEW_H

/* argv[0] is the program's name; options as taskscope(1) gives them */
int taskview_main(int argc, char **argv);

#endif
