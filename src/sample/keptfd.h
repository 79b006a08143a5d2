/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keptfd.h - tasks' stat files kept open between refreshes, re-read with pread */
#ifndef TASKSCOPE_KEPTFD_H
#define TASKSCOPE_KEPTFD_H

#include <stddef.h>
#include <sys/types.h>
#include "sample/taskfiles.h"

/*
 * A table of open stat files, one per task ID, that a sampler keeps from one pass to the
 * next: re-reading an open /proc file with pread costs well under half of an
 * open + read + close of it. A kept file is bound to the task it was opened for (the
 * kernel pins that task's struct pid), so once the task is gone it reads ESRCH even when
 * its ID is reused; every re-read is checked on top (the same TID and start time as when it
 * was opened, else the file is closed and the path opened again). Files of tasks not seen
 * in a pass are closed at its end.
 *
 * All tables of a process share one budget: RLIMIT_NOFILE's soft limit, raised to the hard
 * limit by the first keptfd_new, minus KEPTFD_MARGIN descriptors left for everything else
 * (outputs, smaps and pagemap reads, the terminal, a job's pipes). Tasks beyond the budget
 * are read with open + read + close, as without a table.
 *
 * Only for the live /proc: a --proc-root tree's states are different directories, so a
 * file kept from one would read the old state; the sampler does not make a table there.
 */
struct keptfd;

#define KEPTFD_MARGIN 256

int keptfd_new(struct keptfd **out);
void keptfd_free(struct keptfd *k);

/* About n files are coming: the table made big enough for them at once (of at most the
 * budget), not grown and copied five or six times over the first pass. Nothing when the
 * pass is the last and nothing is kept: it would put nothing in the table. */
void keptfd_expect(struct keptfd *k, size_t n);

/* The passes from now on parse each stat only up to field (taskfiles_parse_stat_upto: the
 * start time, 22, at least; 0: the whole line, as at first). */
void keptfd_upto(struct keptfd *k, int field);

/* A pass: keptfd_begin, then keptfd_stat for each task, then keptfd_end (closes the files
 * of tasks that keptfd_stat was not asked about since keptfd_begin). */
void keptfd_begin(struct keptfd *k);
void keptfd_end(struct keptfd *k);
/* The passes from now on are the last: each stat file is closed as soon as it is read (no
 * later pass would read it again; closed at exit, 10,000 files that have gone cold cost the
 * kernel twice what closing each one after its read does). keptfd_counts counts as before. */
void keptfd_last(struct keptfd *k);
bool keptfd_is_last(const struct keptfd *k);

/* The stat of task tid of process tgid, whose stat file is path relative to dirfd (opened
 * with source_openat when it is not kept yet): 0 or -errno (-ESRCH: gone). */
int keptfd_stat(struct keptfd *k, int dirfd, const char *path, pid_t tgid, pid_t tid,
		struct taskfiles_stat *st);

/*
 * Any other file of a task kept the same way (serve's memory pass keeps each process's
 * status and smaps_rollup): keptfd_find gives the file kept for task tid when it was kept
 * for the task that started at start, with the same tag (what else the file depends on:
 * smaps_rollup reads the address space it was opened on), and marks it read in this pass;
 * else -ENOENT, closing a file kept for an earlier task of that ID or another tag.
 * keptfd_keep keeps fd, opened by the caller for that task (identity checked): 0, or
 * -EMFILE when the budget is used up or there is no memory (the caller closes fd; counted
 * as a fallback). keptfd_forget closes the file of tid (a read through it failed, or its
 * text is not to be trusted). A table holds one kind of file.
 */
int keptfd_find(struct keptfd *k, pid_t tid, uint64_t start, uint64_t tag);
int keptfd_keep(struct keptfd *k, pid_t tgid, pid_t tid, uint64_t start, uint64_t tag, int fd);
void keptfd_forget(struct keptfd *k, pid_t tid);
/* Start loading tid's slot into the cache: the next keptfd_reread of tid (after a read of
 * another file) finds it there. */
void keptfd_prefetch(const struct keptfd *k, pid_t tid);

/* The stat of task tid through its kept file only: 0, -ENOENT when none is kept for it,
 * else -errno of a read that failed or found another task (the file is then closed). */
int keptfd_reread(struct keptfd *k, pid_t tgid, pid_t tid, struct taskfiles_stat *st);

/*
 * The tasks a pass found under each process, for the next one: a process that still has
 * as many threads as then (its main thread's stat says how many) and all of whose threads
 * still read is the same set of threads, so its task directory need not be listed again.
 * keptfd_members_set takes v (malloc'ed, n entries sorted by tgid then tid) in place of
 * the last ones; keptfd_members gives those of tgid (sorted by tid) and their number.
 */
struct keptfd_member {
	pid_t tgid, tid;
	uint64_t start;		/* its start time then: the task it was */
};
void keptfd_members_set(struct keptfd *k, struct keptfd_member *v, size_t n);
const struct keptfd_member *keptfd_members(const struct keptfd *k, pid_t tgid, size_t *n);

/* What the last pass did: files held open now, and tasks read with open + read + close
 * because the budget was used up. */
struct keptfd_counts {
	size_t open;
	size_t fallback;
	size_t opened;		/* files opened in the last pass (the rest were re-read) */
	size_t budget;		/* descriptors all tables may hold */
};
void keptfd_counts(const struct keptfd *k, struct keptfd_counts *c);

/* In a child between fork and exec: the RLIMIT_NOFILE soft limit taskscope started with
 * (a job must not inherit the raised one). Async-signal-safe. */
void keptfd_child_limit(void);

#endif
