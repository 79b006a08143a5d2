/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dynlib.h - a library loaded at run time (dlopen) by the commands that need it */
#ifndef TASKSCOPE_DYNLIB_H
#define TASKSCOPE_DYNLIB_H

#include <stddef.h>

/* Loads soname (kept loaded to the end) and looks up the n functions names[] into
 * slots[] (after a failure some may be set: use them only on success). 0, or -ELIBACC and
 * why in why:
 * "cannot load SONAME, WHAT: <dlerror>" or "SONAME has no NAME: not KIND this build can
 * use" (what: "the HTTP server library"; kind: "a libmicrohttpd"). */
int dynlib_load(const char *soname, const char *what, const char *kind,
		const char *const *names, size_t n, void **slots, char *why, size_t len);

#endif
