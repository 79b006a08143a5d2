/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskview.h - the task view command (taskscope with no command name) */
#ifndef TASKSCOPE_TASKVIEW_H
#define TASKSCOPE_TASKVIEW_H

struct tui_opts;

/* argv[0] is the program's name; options as taskscope(1) gives them */
int taskview_main(int argc, char **argv);
/* The full-screen view (live, or a recording for replay) once its -o list is known good:
 * the exit status. cmd names the command in a usage error (NULL: the task view). */
int taskview_tui(const char *cmd, struct tui_opts *to);

#endif
