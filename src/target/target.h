/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.h - what is watched: all tasks, PIDs, a user, command names, or a spawned job */
#ifndef TASKSCOPE_TARGET_H
#define TASKSCOPE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* target_parse_option's value for --cgroup (a long option only) */
#define TARGET_OPT_CGROUP 0x2000

struct sampler;

/* A -p PID found reused: the process it named ended and another one has the PID now. */
struct target_reuse {
	pid_t pid;
	char comm[64];		/* the new process's name, sanitized */
};

struct target {
	int *pids;		/* -p, union of all lists, in the order given, no duplicate */
	size_t npids;
	int *sorted;		/* the same PIDs sorted, for lookups (binary search) */
	uint64_t *start;	/* by sorted: the start time of the process the PID named */
	unsigned char *ended;	/* by sorted: that process ended (its PID is not followed) */
	struct target_reuse *reused;	/* found reused, not taken yet */
	size_t nreused;
	bool have_user;		/* -u */
	uid_t uid;
	char *user;		/* as given, for messages (sanitized) */
	char **names;		/* -C */
	size_t nnames;
	bool odd_names;		/* a name has bytes libproc2 would replace */
	char **cgroups;		/* --cgroup [CONTROLLER:]PATH, as given (checked) */
	size_t ncgroups;
	pid_t spawn_root;	/* spawn: follow the descendants of this process (taskscope) */
	bool descendants;	/* -p PIDs with all their descendants (compare's groups) */
	bool unconfirmed;	/* target_resolve_later listed PIDs not read yet */
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
/* --cgroup [CONTROLLER:]PATH: the processes whose cgroup (the CGROUP column's path) is PATH
 * or below it; with CONTROLLER (memory, cpu, name=systemd, ...) in that v1 hierarchy.
 * -EINVAL when PATH is not an absolute cgroup path (cgroup_check_path). */
int target_add_cgroup(struct target *t, const char *arg);
/* Is a recorded process's cgroup (its sanitized path, NULL when not recorded) in or below
 * one of the --cgroup PATHs given without a controller? The arguments are sanitized the
 * same way, so a hostile name compares as its escapes. */
bool target_recorded_cgroup_in(const struct target *t, const char *path);
/* Apply a target option (-p, -u, -C, or TARGET_OPT_CGROUP) given on a command line.
 * 0 ok; -EINVAL bad syntax and -ENOENT unknown user, both with msg filled (the argument
 * sanitized); -ENOMEM; -ENOTSUP when opt is not a target option. */
int target_parse_option(struct target *t, int opt, const char *arg, char *msg, size_t len);

/* Check at start that the targets name something: -ESRCH with what naming the first PID
 * that /proc does not show or the name nothing matches; -EACCES with what naming a PID
 * that /proc lists but does not let us read (hidepid=noaccess). */
int target_check(struct target *t, struct sampler *s, char *what, size_t len);
/* The processes to sample now: *all true for every process, else a malloc'ed list.
 * A -p PID is followed as the process it named at target_check (PID and start time): once
 * that process has ended the PID is no longer followed, even when another process gets it
 * (that is recorded for target_take_reused). */
int target_resolve(struct target *t, struct sampler *s, pid_t **tgids, size_t *n, bool *all);
/* The same for a sample that reads every process's stat anyway (the session's): -p PIDs
 * alone are listed without reading them (the ones not known to have ended); target_confirm
 * then follows each by its row in the snapshot taken of them, so that a sample reads a
 * process's stat once. */
struct snapshot;
int target_resolve_later(struct target *t, struct sampler *s, pid_t **tgids, size_t *n,
			 bool *all);
/* After target_resolve_later and the sample sn of its list: each -p PID's process as
 * target_resolve would have read it (absent: ended; another start time: reused, noted).
 * *drop (malloc'ed, NULL when none) the processes of sn to leave out: reused PIDs. 0 or
 * -ENOMEM. */
int target_confirm(struct target *t, const struct snapshot *sn, pid_t **drop, size_t *ndrop);
/* The -p PIDs found reused since the last call: *out malloc'ed (NULL when none). */
int target_take_reused(struct target *t, struct target_reuse **out, size_t *n);
/* "PID 1234 is now another process (name): ..." for messages */
void target_reuse_text(const struct target_reuse *r, char *buf, size_t len);
/* A signal taskscope got after its spawned child exited (spawn_take_pending) goes to the
 * target's processes still followed: the orphans it adopted. */
void target_forward_pending(struct target *t, struct sampler *s);
/* "all tasks", "PIDs 1,2", "user root", ... */
void target_describe(const struct target *t, char *buf, size_t len);

#endif
