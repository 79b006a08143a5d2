/* SPDX-License-Identifier: GPL-2.0-or-later */
/* share.h - taskscope share: what tasks share, kernel resources and physical pages */
#ifndef TASKSCOPE_SHARE_H
#define TASKSCOPE_SHARE_H

/* Entry point of `taskscope share ...`; argv[0] is "share". Returns the exit status:
 * 0 ok, 1 runtime failure, 2 usage error, or a spawned command's status. */
int share_main(int argc, char **argv);

#endif
