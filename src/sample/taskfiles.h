/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskfiles.h - own readers of per-task /proc files that libproc2 does not expose */
#ifndef TASKSCOPE_TASKFILES_H
#define TASKSCOPE_TASKFILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/util.h"
#include "sample/task.h"

/* The fields of /proc/PID[/task/TID]/stat that taskscope uses. */
struct taskfiles_stat {
	pid_t pid;
	char comm[64];		/* raw bytes between the first '(' and the last ')', truncated */
	char state;
	pid_t ppid;
	unsigned long flags;
	uint64_t minflt, majflt;
	uint64_t utime, stime;
	long prio, nice, nlwp;
	uint64_t start;
	uint64_t vsize;
	uint64_t rss_pages;
	int cpu;		/* -1 when the kernel's line is too short to have it */
	unsigned policy;
	uint64_t mm_key;	/* startcode, endcode and startstack (fields 26-28) hashed:
				 * tasks that share an address space have the same key (0:
				 * the line is too short to have them) */
};

/* Per-task scheduler facts read beside stat; each part has its own result code. */
enum { TX_CTXSW = 1u << 0, TX_SCHED = 1u << 1, TX_SCHEDSTAT = 1u << 2 };
struct taskfiles_extras {
	int ctxsw_rc, sched_rc, schedstat_rc;	/* 0, or -errno (-EOPNOTSUPP: no such file) */
	uint64_t vctx, ictx;			/* status: voluntary/nonvoluntary switches */
	uint64_t migrations;			/* sched: se.nr_migrations */
	uint64_t run_ns, wait_ns, slices;	/* schedstat */
};

/* Memory lines of a process's status, in bytes (0 when the line is absent: kernel threads
 * have no memory lines at all). */
struct taskfiles_status_mem {
	uint64_t rss_anon, rss_file, rss_shmem, swap, pte;
	uint64_t vm_rss;	/* VmRSS: the three Rss lines' sum, as the kernel adds them */
};

/* Parsers: untrusted text in, 0 or -EINVAL/-ERANGE out. */
int taskfiles_parse_stat(const char *buf, size_t len, struct taskfiles_stat *st);
/* The same up to field last (22, the start time, to 41) of proc(5)'s numbering: the fields
 * after it are neither read nor checked, and are 0 (a thread's name, page faults and
 * identity need fields up to 22: the 19 after it are half of the line's digits). */
int taskfiles_parse_stat_upto(const char *buf, size_t len, int last, struct taskfiles_stat *st);
int taskfiles_parse_ctxsw(const char *buf, size_t len, uint64_t *vol, uint64_t *invol);
int taskfiles_parse_status_mem(const char *buf, size_t len, struct taskfiles_status_mem *m);
int taskfiles_parse_sched(const char *buf, size_t len, uint64_t *migrations);
int taskfiles_parse_schedstat(const char *buf, size_t len, uint64_t *run_ns, uint64_t *wait_ns,
			      uint64_t *slices);

/* /proc as a directory fd, the root the readers work relative to */
int taskfiles_open_root(void);
/* The file taskscope's own thread tid is blocked reading (its syscall file and the fd's
 * link), sanitized into where; empty when it is not blocked in a read. */
void taskfiles_self_reading(pid_t tid, char *where, size_t len);
/* Open /proc/TGID/task/TID (relative to rootfd, normally /proc) as a directory fd. */
int taskfiles_open_task(int rootfd, pid_t tgid, pid_t tid);
/* Read a whole small file relative to dirfd into buf (NUL-terminated), at most cap-1 bytes.
 * -ENOENT/-ESRCH: gone; -EACCES/-EPERM: denied; -EFBIG: longer than cap-1. */
int taskfiles_read(int dirfd, const char *name, char *buf, size_t cap, size_t *len);

/* Thread-level stat of TID, checked to be the task that started at start_ticks
 * (-ESRCH if the TID now names another task). */
int taskfiles_thread_stat(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
			  struct taskfiles_stat *st);
/* What want (TX_*) asks for, of thread TID (identity checked); returns -errno only when the
 * task itself is gone, the parts' own results are in x. */
int taskfiles_extras(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks, unsigned want,
		     struct taskfiles_extras *x);
/* The same summed over the live threads of process tgid (identity checked on its leader). */
int taskfiles_extras_process(int rootfd, pid_t tgid, uint64_t start_ticks, unsigned want,
			     struct taskfiles_extras *x);
/* voluntary/involuntary context switches of TID from its status, identity checked. */
int taskfiles_ctxsw(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
		    uint64_t *vol, uint64_t *invol);
/* The same summed over the live threads of process tgid (identity checked on its leader). */
int taskfiles_ctxsw_process(int rootfd, pid_t tgid, uint64_t start_ticks,
			    uint64_t *vol, uint64_t *invol);
/* Raw name of a process from /proc/PID/comm (no trailing newline); never for output. */
int taskfiles_comm(int rootfd, pid_t pid, char *buf, size_t len);
/* The stat of process PID, /proc/PID/stat (its start time: who the PID names now). */
int taskfiles_process_stat(int rootfd, pid_t pid, struct taskfiles_stat *st);
/* status "Uid:" line: the effective user (a tree's EUID: its files' owner means nothing). */
int taskfiles_parse_euid(const char *buf, size_t len, uid_t *euid);
/* status "Cpus_allowed_list:" (a tree's affinity, where sched_getaffinity cannot ask);
 * cl is allocated by the callee, for CPUs up to TASKFILES_MAX_CPUS - 1. */
#define TASKFILES_MAX_CPUS 8192
int taskfiles_parse_cpus_allowed(const char *buf, size_t len, struct cpulist *cl);
/* The same read from /proc/TGID/task/TID/status relative to rootfd. */
int taskfiles_status_affinity(int rootfd, pid_t tgid, pid_t tid, struct cpulist *cl);
/* Thread group (process) ID of any task ID, from /proc/TID/status "Tgid:". */
int taskfiles_tgid(int rootfd, pid_t tid, pid_t *tgid);
int taskfiles_parse_tgid(const char *buf, size_t len, pid_t *tgid);
/* The status memory lines of process tgid (identity checked on its main thread). */
int taskfiles_status_mem(int rootfd, pid_t tgid, uint64_t start_ticks,
			 struct taskfiles_status_mem *m);
/* The same from the status file NAME relative to dirfd (see taskfiles_open_checked). */
int taskfiles_status_mem_at(int dirfd, const char *name, struct taskfiles_status_mem *m);
/* A /proc file kept open, read again from its start with one pread (the kernel writes it
 * anew) into buf (NUL-terminated), at most cap-1 bytes: -ESRCH when its task is gone (also
 * for no bytes at all), -EFBIG (buf filled) when there may be more. */
int taskfiles_pread(int fd, char *buf, size_t cap, size_t *len);
/* Resident pages (statm's second field) in bytes, from the statm file NAME relative to dirfd. */
int taskfiles_parse_statm(const char *buf, size_t len, long pagesize, uint64_t *rss);
int taskfiles_statm_at(int dirfd, const char *name, long pagesize, uint64_t *rss);
/* Open TID's task directory and check by its stat that it is still the task started at
 * start_ticks (-ESRCH if not): a directory fd that then pins the task, since reads through
 * it fail once the task is gone even if its ID is reused. st gets the stat read. */
int taskfiles_open_checked(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
			   struct taskfiles_stat *st);
/* CPU affinity of any task (sched_getaffinity); cl is allocated by the callee. */
int taskfiles_affinity(pid_t tid, struct cpulist *cl);

/* The path of taskscope's own executable (/proc/self/exe), to run it again. */
int taskfiles_self_exe(char *buf, size_t len);

/* Map a reader's -errno to what the user is told. */
enum ts_avail taskfiles_avail(int err);

#endif
