/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.h - taskscope record, replay and diff: a run's samples in an SQLite file */
#ifndef TASKSCOPE_RECORD_H
#define TASKSCOPE_RECORD_H

/* argv[0] is the command's name */
int record_main(int argc, char **argv);

#endif
