/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile.h - output files opened safely as root, and write errors reported with their cause */
#ifndef TASKSCOPE_OUTFILE_H
#define TASKSCOPE_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Modes of the files taskscope creates (less the umask): the reports of --output-file and
 * --svg are readable by all as a shell's '>' makes them; a --child-log holds the job's own
 * output, which may be private, so it is the invoking user's alone. */
#define OUTFILE_MODE_REPORT 0644
#define OUTFILE_MODE_LOG 0600

/*
 * Open path for writing, safely when run as root in a directory another user can write:
 * - a new file is created (O_EXCL) with mode;
 * - an existing one is opened without following a symbolic link as its last component
 *   (-ELOOP), and must be a regular file or a FIFO owned by the real user (-EPERM), a FIFO
 *   that a process reads already (-ENXIO; the open never blocks), or a character device
 *   (/dev/null); a directory (-EISDIR), a block device or a socket (-EINVAL) and anything
 *   with more than one hard link (-EMLINK) are refused; only then is a regular file
 *   truncated;
 * - /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N are the descriptor taskscope was
 *   given (duplicated, not reopened), which must be open for writing (-EBADF).
 * Returns 0 and *out (a stream whose failed writes keep their errno, see outfile_error), or
 * -errno with the reason in why ("it is a symbolic link", ...). The stream does no locking:
 * only one thread at a time may use it.
 */
int outfile_open(const char *path, mode_t mode, FILE **out, char *why, size_t len);

/* Standard output through a stream that keeps the errno of a failed write, when it is not
 * a terminal (the full-screen view's curses needs the real one). Called first in main; as
 * with outfile_open's streams, one thread at a time writes to it. */
void outfile_init_stdout(void);

/* Flushes f: 0, or -errno of its first failed write (-EIO when stdio lost the cause). */
int outfile_error(FILE *f);

/*
 * The end of an output stream (as util-linux's close_stdout): flushes it and closes it
 * (stdout and stderr stay open). On a write error other than EPIPE (a reader that went away
 * ends taskscope quietly) prints "taskscope: write error: NAME: reason" (NAME NULL: standard
 * output) and returns status if it is not 0 (a job's own status wins), else 1. Otherwise
 * returns status.
 */
int outfile_close(FILE *f, const char *name, int status);

#endif
