/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitcode.h - the exit statuses every command returns */
#ifndef TASKSCOPE_H
#define TASKSCOPE_H

enum {
	TS_EXIT_OK = 0,
	TS_EXIT_FAILURE = 1,	/* runtime failure: no such process, cannot read */
	TS_EXIT_USAGE = 2,	/* bad command line */
};

#endif
