/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.h - taskscope replay: a recording's samples through the task view's batch sink */
#ifndef TASKSCOPE_REPLAY_H
#define TASKSCOPE_REPLAY_H

/* argv[0] is the command's name */
int replay_main(int argc, char **argv);
#endif
