/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff.h - taskscope diff: two moments of recordings compared, task by task identity */
#ifndef TASKSCOPE_DIFF_H
#define TASKSCOPE_DIFF_H

/* argv[0] is the command's name */
int diff_main(int argc, char **argv);

#endif
