/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.h - what is watched: all tasks, PIDs, a user, command names, or a spawned job */
#ifndef TASKSCOPE_TARGET_H
#define TASKSCOPE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sampler;

struct target {
	int *pids;		/* -p, union of all lists, in the order given, no duplicate */
	size_t npids;
	int *sorted;		/* the same PIDs sorted, for lookups (binary search) */
	bool have_user;		/* -u */
	uid_t uid;
	char *user;		/* as given, for messages (sanitized) */
	char **names;		/* -C */
	size_t nnames;
	bool odd_names;		/* a name has bytes libproc2 would replace */
	pid_t spawn_root;	/* spawn: follow the descendants of this process (taskscope) */
	bool descendants;	/* -p PIDs with all their descendants (compare's groups) */
};

void target_init(struct target *t);
void target_free(struct target *t);
bool target_is_all(const struct target *t);
/* -EINVAL bad syntax, -ERANGE bad number */
int target_add_pids(struct target *t, const char *list);
/* user name or number; -ENOENT if no such user */
int target_set_user(struct target *t, const char *user);
/* comma-separated process names (as in /proc/PID/comm) */
int target_add_names(struct target *t, const char *list);
/* Apply a target option (-p, -u, -C; opt is that letter) given on a command line.
 * 0 ok; -EINVAL bad syntax and -ENOENT unknown user, both with msg filled (the argument
 * sanitized); -ENOMEM; -ENOTSUP when opt is not a target option. */
int target_parse_option(struct target *t, int opt, const char *arg, char *msg, size_t len);

/* Check at start that the targets name something: -ESRCH with what naming the first PID
 * that /proc does not show or the name nothing matches; -EACCES with what naming a PID
 * that /proc lists but does not let us read (hidepid=noaccess). */
int target_check(struct target *t, struct sampler *s, char *what, size_t len);
/* The processes to sample now: *all true for every process, else a malloc'ed list. */
int target_resolve(struct target *t, struct sampler *s, pid_t **tgids, size_t *n, bool *all);
/* A signal taskscope got after its spawned child exited (spawn_take_pending) goes to the
 * target's processes still followed: the orphans it adopted. */
void target_forward_pending(struct target *t, struct sampler *s);
/* "all tasks", "PIDs 1,2", "user root", ... */
void target_describe(const struct target *t, char *buf, size_t len);

#endif
