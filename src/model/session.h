/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.h - one run of taskscope: its targets, spawned job, sampler and output, and the
 * sinks every sample is handed to (DESIGN §6)
 *
 * A command parses its options, fills a session_config, and then:
 *
 *	session_open(&s, &cfg)          credentials, output stream, sampler, target check
 *	session_add_sink(&s, &ops, arg) as many as it needs (table, JSON, a recording, ...)
 *	session_start_job(&s)           when it has a command to run
 *	session_run(&s, &loop)          or its own loop with session_follow()
 *	status = session_close(&s, status)
 *
 * The session follows the spawned job (reaps it and its adopted orphans, forwards signals),
 * accounts what the job did for its summary, and prints that summary once at the end;
 * session_close returns the job's exit status and reports a failed write to the output.
 * Sinks receive each sample; a sink never reads /proc.
 */
#ifndef TASKSCOPE_SESSION_H
#define TASKSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "model/snapshot.h"
#include "target/spawn.h"
#include "target/target.h"

/* Where samples come from when not from the sampler: a recording being replayed, say.
 * take() gives the next snapshot (and the memory snapshot recorded with it, or NULL), valid
 * until the next call; -ENODATA at the end. A source has no targets to check and no job. */
struct source_ops {
	const char *name;
	int (*take)(void *arg, const struct snapshot **sn, const struct snapshot **mem);
};

/* What a command asks of its session. */
struct session_config {
	const struct source_ops *source;	/* NULL: the live sampler */
	void *source_arg;
	char *const *proc_root;	/* --proc-root DIR...: the sampler reads these trees with
				 * /proc's layout instead of /proc, sample i the i-th (the
				 * last one repeats) */
	size_t nproc_root;
	const char *cgroup_root;	/* --cgroup-root DIR: the cgroups' own files (readers with
					 * RD_CGROUP_STATS) from DIR, not /sys/fs/cgroup; NULL:
					 * /sys/fs/cgroup for /proc, none for a tree */
	struct target *target;	/* the command's targets (it frees them after the close) */
	char **cmd;		/* a command to run and follow (NULL: none) */
	const char *run_as;	/* its user (--run-as) */
	unsigned readers;	/* RD_* the sinks need (0: the cheapest process pass) */
	bool threads;		/* a row per thread */
	bool no_sampler;	/* the command takes no snapshots and checks no target
				 * (it reads what it needs through its own readers) */
	bool open_root;		/* session.rootfd for those readers: /proc, or the first
				 * --proc-root tree */
	const char *output_file;	/* the report's file (NULL: standard output, or standard
					 * error when a job runs, whose standard output is its own) */
	bool report_on_stdout;	/* with a job and no output file: the report stays on standard
				 * output and the job's standard output goes to standard error
				 * (so that "taskscope -J -- CMD | jq" works) */
	bool job_summary;	/* print the summary line when the job is over */
	bool job_counts;	/* ... with the processes and threads it was seen to have and
				 * its peak RSS sum (a sample of every thread each time) */
	unsigned memory_readers;	/* RD_* of a second, per-process sample taken at its own
					 * cadence (session_loop.memory_every): the footprint
					 * (RD_SMAPS, RD_NUMA, RD_STATUS_MEM), which costs a smaps_rollup read
					 * per process and takes the process's mmap lock */
	bool memory_rows;	/* the memory sample reads the footprint of the sample's own
				 * process rows (no second scan of /proc: sampler_take_rows) */
	unsigned thread_readers;	/* RD_* of a third sample, a row per thread of the same
					 * targets, taken with every reported sample (or every
					 * session_loop.thread_every-th; 0: none): for
					 * a sink that needs process rows and threads (placement) */
};

/* One sample as the sinks see it. */
struct session_frame {
	const struct snapshot *sn;
	const struct snapshot *mem;		/* the memory sample taken with this one (a row per
						 * process, the same targets), NULL when none was due */
	unsigned long seq;			/* 1, 2, ...: the reported samples */
	const struct target_reuse *reused;	/* -p PIDs found reused since the last frame */
	size_t nreused;
	double took;				/* seconds taking sn (and mem, thr) cost */
	const struct snapshot *thr;		/* the thread_readers sample taken with this one,
						 * NULL without (or when it failed) */
	double took_thr, took_mem;		/* of took, the thread and memory samples' */
	bool thr_due;				/* a thread sample was due with this one (thr
						 * NULL with thr_due: it failed) */
};

/* A sink: sample() returns 0, -EPIPE when its reader went away (it is not called again,
 * quietly), or another -errno (it is not called again and the run fails). A sink that
 * reported an error has printed it, or left it in its stream for session_close. */
struct sink_ops {
	const char *name;
	int (*sample)(void *arg, const struct session_frame *f);
};

#define SESSION_MAX_SINKS 4

/* The timing of session_run. */
struct session_loop {
	double delay;		/* seconds between samples */
	uint64_t iterations;	/* reported samples to take (0: until the targets are gone) */
	bool prime;		/* take a first sample that is not reported, so that the
				 * interval columns of the first reported one have an interval */
	double prime_max;	/* the priming interval is at most this long */
	unsigned prime_readers;	/* RD_* bits the priming sample reads (what the interval
				 * columns need); 0: the session's readers */
	unsigned memory_every;	/* with memory_readers: a memory sample with every Nth reported
				 * sample, the first included (0 or 1: with each) */
	unsigned thread_every;	/* with thread_readers: the same for the thread sample */
};

struct job_seen;

struct session {
	const struct session_config *cfg;
	struct target *target;
	struct sampler *smp;		/* NULL with no_sampler */
	struct sampler *mem_smp;	/* memory_readers' sampler, NULL without */
	struct sampler *thr_smp;	/* thread_readers' sampler, NULL without */
	int rootfd;			/* open_root's directory, else -1 */
	FILE *out;			/* the report's stream */
	struct spawn sp;
	struct spawn *job;		/* &sp once the job started, else NULL */
	struct spawn_cred cred;
	struct job_seen *seen;		/* what the job was seen to have (job_counts) */
	struct {
		const struct sink_ops *ops;
		void *arg;
		bool off;		/* it returned an error or -EPIPE */
	} sinks[SESSION_MAX_SINKS];
	size_t nsinks;
	unsigned long seq;
	bool failed;			/* a sink or the sampler failed: exit status 1 */
};

/* 0, or the exit status to end with (the message is printed). */
int session_open(struct session *s, const struct session_config *cfg);
int session_add_sink(struct session *s, const struct sink_ops *ops, void *arg);
/* Run cfg->cmd (its standard output as the config says): 0, or the exit status to end with
 * (127 not found, 126 not runnable, ...; the message is printed). */
int session_start_job(struct session *s);
/* The same with the job's standard output on out_fd and its standard error on err_fd
 * (-1: as session_start_job would). */
int session_start_job_fds(struct session *s, int out_fd, int err_fd);

/* Sample at loop's pace, handing each sample to the sinks, until the iterations are done,
 * the targets are gone, the job is over, or every sink stopped; then follow the job to its
 * end. 0, or -errno when sampling failed (printed). */
int session_run(struct session *s, const struct session_loop *loop);

/* The full-screen view's: the job's standard output and error on out_fd, its standard input
 * a pty that only spawn_send_input writes to (nothing of the terminal is relayed). */
int session_start_job_detached(struct session *s, int out_fd);

/* Follow the job (reap, forward signals to the orphans it left) until deadline on
 * util_monotonic()'s clock or until the job is over; without a job, sleep until then
 * (a signal ends the sleep early). */
void session_follow(struct session *s, double deadline);
/* The same, waking early too when fd is readable (or at EOF); fd -1: as session_follow. */
void session_follow_fd(struct session *s, double deadline, int fd);
/* Follow the job until it is over (nothing to do without one). */
void session_follow_to_end(struct session *s);
bool session_job_over(const struct session *s);

/* Follow the job to its end and print its summary, free everything, close the output
 * (a write error is reported there). Returns the exit status: the job's when one ran,
 * else status (1 when it was 0 and something failed). */
int session_close(struct session *s, int status);

#endif
