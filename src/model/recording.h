/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recording.h - samples kept in an SQLite file: written by the record sink, read back as
 * snapshots by the replay source (DESIGN §7; the schema is in taskscope-record(1))
 *
 * The file holds the run's metadata and the CPU topology once, a row per sample, a row per
 * task identity (TID, start time) with the samples it was seen in, and, per sample, only
 * what changed: a task's names when they change, its cheap values (state, CPU, times,
 * faults, switches, RSS, affinity, ...) when one of them changes, a process's footprint
 * (PSS, USS, ...) at the memory samples when it changes. The reader rebuilds each sample's
 * snapshot from these exactly as the sampler made it, deltas included.
 */
#ifndef TASKSCOPE_RECORDING_H
#define TASKSCOPE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/session.h"
#include "model/snapshot.h"

/* The schema this taskscope writes; it reads this one and older ones. */
#define RECORDING_SCHEMA 4

/* The readers of a recording's samples: a row per thread with these. */
#define RECORDING_READERS (RD_STAT | RD_CMDLINE | RD_CTXSW | RD_AFFINITY | RD_SCHED | \
			   RD_SCHEDSTAT | RD_RSS | RD_CGROUP)
/* ... and of its memory samples: a row per process (stat: its identity, and the files
 * read through its directory checked against it). */
#define RECORDING_MEMORY_READERS (RD_STAT | RD_SMAPS | RD_STATUS_MEM)

struct topo;
struct recording;

/* What a recording says of its run (the writer's input, the reader's meta table). */
struct recording_info {
	const char *targets;	/* what was watched, in words */
	const char *command;	/* the job (sanitized), or NULL */
	double interval;	/* seconds between samples */
	unsigned memory_every;	/* a memory sample every N samples */
	uint64_t max_size;	/* bytes; 0: no limit (trim the oldest samples beyond it) */
	double max_age;		/* seconds; 0: no limit */
};

/* ---- writing (the record sink) ---- */

/* Create path (a new file: an existing one is refused, a symbolic link is never followed)
 * and its schema. 0, or -errno with the reason in why. */
int recording_create(struct recording **out, const char *path, const struct recording_info *info,
		     const struct topo *tp, char *why, size_t len);
/* The sink: arg is the struct recording; one transaction per sample. On an error (a full
 * disk, ...) it prints why with the number of samples kept and returns -errno. */
extern const struct sink_ops recording_sink_ops;
/* Samples committed so far. */
unsigned long recording_samples(const struct recording *r);
/* Finish: the end of the tasks still alive, a checkpoint into the one file. 0 or -errno
 * (printed). Frees r (also after an error). */
int recording_finish(struct recording *r);

/* ---- reading (the replay source) ---- */

/* Open a recording to read (a symbolic link as the last component is followed: reading is
 * safe). 0, or -errno with the reason in why: not a recording, a newer schema, damaged. */
int recording_open(struct recording **out, const char *path, char *why, size_t len);
void recording_close(struct recording *r);
/* A value of the meta table (NULL when absent), sanitized: host, kernel, version, targets,
 * command, interval, hertz, boot_time, started, ... */
const char *recording_meta(struct recording *r, const char *key);
/* The recording machine's clock ticks per second and boot time (for sampler_set_clock). */
void recording_clock(const struct recording *r, long *hertz, double *boot_time);
/* The recorded CPU topology: the core, package and node of cpu (-1 when unknown). */
int recording_cpu(struct recording *r, int cpu, int *core, int *package, int *node);
/* The first CPU whose core, package or node in tp (this machine's topology) is not the
 * recorded one, or -1 when they are the same. */
int recording_topology_differs(struct recording *r, const struct topo *tp);
/* Samples between from and to (wall clock seconds; 0: no bound) are handed out; the ones
 * before from are still read (the deltas need them). processes: fold the recorded thread
 * rows into process rows (sums of the threads' counters, the main thread's values). */
void recording_set_range(struct recording *r, double from, double to, bool processes);
/* The next sample: *sn (and *mem, the footprints recorded with it, or NULL), valid until
 * the next call. Every row of *sn carries the last footprint recorded for its process
 * (smaps_av/mem_av TS_NA before the first). -ENODATA at the end; -EBADMSG when the file
 * is damaged (recording_error says how). */
int recording_next(struct recording *r, const struct snapshot **sn, const struct snapshot **mem);
/* The wall clock time of every sample, in order (*out malloc'ed). 0 or -errno. */
int recording_times(struct recording *r, double **out, size_t *n);
/* Back to before the first sample (recording_next then gives it again): time travel. */
void recording_rewind(struct recording *r);
/* The process rows of a thread snapshot as recording_next folds them (prev: the previous
 * process snapshot, for the deltas, or NULL); *out is the caller's (snapshot_put). */
int recording_fold(const struct snapshot *threads, const struct snapshot *prev,
		   const struct snapshot **out);
/* The source for a session: arg is the struct recording. */
extern const struct source_ops recording_source_ops;
/* A time of a recording whose samples run from first to last (epoch seconds):
 * HH:MM[:SS] (the first sample's day), YYYY-MM-DD[ T]HH:MM[:SS], +SPAN after the first,
 * -SPAN before the last (SPAN: seconds, or with s, m, h, d), @EPOCH. 0 or -EINVAL. */
int recording_parse_time(const char *s, double first, double last, double *out);
/* ---- sharing (kcmp groups, schema 2 on) ---- */

/* A task's kcmp groups at a sample: per resource (0 VM, 1 FILES, 2 FS, 3 SIGHAND) the id of
 * its group, 0 when not known (kernel threads, a task newer than the last memory sample). */
struct recording_group {
	pid_t tid, tgid;
	uint64_t start;
	int64_t grp[4];
};

/* Sharing that broke or appeared between two samples: tid (with more others of its group)
 * no longer shares res with, or now shares it with, with_tid (and with_more others). */
struct recording_share_change {
	int res;
	bool appeared;
	pid_t tid, tgid;
	size_t more;
	pid_t with_tid, with_tgid;
	size_t with_more;
};

/* "VM", "FILES", "FS", "SIGHAND" */
const char *recording_res_name(int res);
/* The groups of the tasks alive at the last sample at or before when (as measured at the
 * last memory sample before it), sorted by (tid, start). -ENOENT when the recording has no
 * groups (schema 1); 0 or another -errno. */
int recording_groups(struct recording *r, double when, struct recording_group **out,
		     size_t *n);
/* What changed from a to b (both sorted by (tid, start)): groups that split (broke), tasks
 * of two groups now in one, and new tasks that share with another process (appeared). */
int recording_sharing_diff(const struct recording_group *a, size_t na,
			   const struct recording_group *b, size_t nb,
			   struct recording_share_change **out, size_t *n);

/* The last error's text (an SQLite message or what was wrong), "" when none. */
const char *recording_error(const struct recording *r);
/* The number of samples and the first and last sample's times. */
int recording_span(struct recording *r, unsigned long *n, double *first, double *last);

#endif
