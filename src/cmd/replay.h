/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.h - taskscope replay: a recording's samples through the task view's batch sink */
#ifndef TASKSCOPE_REPLAY_H
#define TASKSCOPE_REPLAY_H

/* argv[0] is the command's name */
int replay_main(int argc, char **argv);
/* A time of a recording whose samples run from first to last (epoch seconds):
 * HH:MM[:SS] (the first sample's day), YYYY-MM-DD[ T]HH:MM[:SS], +SPAN after the first,
 * -SPAN before the last (SPAN: seconds, or with s, m, h, d), @EPOCH. 0 or -EINVAL. */
int replay_parse_time(const char *s, double first, double last, double *out);

#endif
