/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.h - where samples come from: the live /proc, or directory trees with its layout */
#ifndef TASKSCOPE_SOURCE_H
#define TASKSCOPE_SOURCE_H

#include <dirent.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A source hands the readers of src/sample the directory they read relative to. The live
 * source is /proc. A tree source (--proc-root DIR, repeatable) is one or more directories
 * with /proc's layout, the states of a fixture: sample i reads state i, the last one
 * repeats. A tree's time is its own: uptime gives each state's time since boot (so the
 * interval between two states is fixed), stat's btime the boot time; clock ticks and the
 * page size are fixed defaults (SOURCE_TREE_HZ, SOURCE_TREE_PAGESIZE). A recording could
 * be a third kind: the sampler asks the source, never a path.
 */
struct source;

#define SOURCE_TREE_HZ		100	/* USER_HZ of every Linux architecture in use */
#define SOURCE_TREE_PAGESIZE	4096

/* The live /proc. */
int source_open_live(struct source **out);
/* Trees dirs[0..n-1]. -ENOTDIR: one is not a directory; -ENOENT: missing; -ENODATA:
 * one has no numeric (process) entry; why gets "--proc-root 'DIR': the reason" (the name
 * sanitized) for the user. */
int source_open_trees(struct source **out, char *const *dirs, size_t n, char *why,
		      size_t whylen);
void source_close(struct source *s);

bool source_is_live(const struct source *s);
/* The directory of the current state (live: /proc); owned by the source. */
int source_rootfd(const struct source *s);
/* After a sample: the next state becomes current (the last one stays). */
void source_step(struct source *s);

/* Clock ticks a second and the page size of what the source shows. */
long source_hertz(const struct source *s);
long source_pagesize(const struct source *s);
/* Boot time, seconds since the epoch. */
double source_boot_time(const struct source *s);
/* The current state's time: seconds since the epoch and a monotonic clock (a tree: its
 * boot time plus its uptime, and its uptime). */
void source_now(const struct source *s, double *wall, double *mono);

/*
 * openat(2) for the readers: returns an fd or -1 with errno. Once a tree source is open,
 * every open below the tree refuses to leave it (no "..", no symlink, no magic link:
 * openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and opens nothing but directories and
 * regular files (a FIFO or device planted in a hostile tree is not opened at all):
 * anything else is as if it were not there (ENOENT).
 */
int source_openat(int dirfd, const char *path, int flags);
/* The directory path below dirfd (opened as source_openat does, "." for dirfd's own) for
 * readdir into *out (closedir it). 0 or -errno. */
int source_opendir(int dirfd, const char *path, DIR **out);

/* Call fn for every process directory of the root (a number 1..4194304), in the
 * directory's order, until fn returns non-zero (that is returned); 0, or -errno when the
 * root cannot be listed. */
int source_each_pid(int rootfd, int (*fn)(void *ctx, pid_t pid), void *ctx);

#endif
