/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msg.h - the one printer of taskscope's messages on standard error */
#ifndef TASKSCOPE_MSG_H
#define TASKSCOPE_MSG_H

/* Messages read "taskscope: TEXT", or "taskscope: CMD: TEXT" once a command set its name
 * (NULL: none again). The name is the program's for a run, not a thread's. */
void msg_set_command(const char *cmd);
/* One message line (the newline is added). */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
