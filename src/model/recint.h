/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recint.h - what the recording's writer (recording.c) and reader (recplay.c) share */
#ifndef TASKSCOPE_RECINT_H
#define TASKSCOPE_RECINT_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>

/* SQLite is loaded when a recording is made or opened (rec_sqlite_load), not linked: every
 * other command paid for it at each start (0.4 ms of CPU and 20 page faults of `taskscope
 * --version`'s 5.0 ms and 242, on a 2-CPU VM). Its header gives the types and constants;
 * the functions below are called through rec_sqlite, under their own names. */
#define REC_SQLITE_FUNCS(X) \
	X(bind_double) X(bind_int) X(bind_int64) X(bind_null) \
	X(bind_text) X(busy_timeout) X(clear_bindings) X(close) \
	X(column_bytes) X(column_double) X(column_int) X(column_int64) \
	X(column_text) X(column_type) X(db_config) X(errmsg) \
	X(errstr) X(exec) X(finalize) X(get_autocommit) \
	X(last_insert_rowid) X(open_v2) X(prepare_v2) X(reset) \
	X(step)
struct rec_sqlite {
#define REC_SQLITE_SLOT(f) __typeof__(sqlite3_##f) *f;
	REC_SQLITE_FUNCS(REC_SQLITE_SLOT)
#undef REC_SQLITE_SLOT
};
extern struct rec_sqlite rec_sqlite;
/* Loads SQLITE_SONAME once, from any thread: 0, or -ELIBACC and why in why. Before the
 * first call of any function of it. */
int rec_sqlite_load(char *why, size_t len);
#ifndef REC_SQLITE_LOADER
#define sqlite3_bind_double (*rec_sqlite.bind_double)
#define sqlite3_bind_int (*rec_sqlite.bind_int)
#define sqlite3_bind_int64 (*rec_sqlite.bind_int64)
#define sqlite3_bind_null (*rec_sqlite.bind_null)
#define sqlite3_bind_text (*rec_sqlite.bind_text)
#define sqlite3_busy_timeout (*rec_sqlite.busy_timeout)
#define sqlite3_clear_bindings (*rec_sqlite.clear_bindings)
#define sqlite3_close (*rec_sqlite.close)
#define sqlite3_column_bytes (*rec_sqlite.column_bytes)
#define sqlite3_column_double (*rec_sqlite.column_double)
#define sqlite3_column_int (*rec_sqlite.column_int)
#define sqlite3_column_int64 (*rec_sqlite.column_int64)
#define sqlite3_column_text (*rec_sqlite.column_text)
#define sqlite3_column_type (*rec_sqlite.column_type)
#define sqlite3_db_config (*rec_sqlite.db_config)
#define sqlite3_errmsg (*rec_sqlite.errmsg)
#define sqlite3_errstr (*rec_sqlite.errstr)
#define sqlite3_exec (*rec_sqlite.exec)
#define sqlite3_finalize (*rec_sqlite.finalize)
#define sqlite3_get_autocommit (*rec_sqlite.get_autocommit)
#define sqlite3_last_insert_rowid (*rec_sqlite.last_insert_rowid)
#define sqlite3_open_v2 (*rec_sqlite.open_v2)
#define sqlite3_prepare_v2 (*rec_sqlite.prepare_v2)
#define sqlite3_reset (*rec_sqlite.reset)
#define sqlite3_step (*rec_sqlite.step)
#endif

#include "model/recording.h"

/* "TSRC": PRAGMA application_id of a recording */
#define REC_APP_ID 0x54535243
#define REC_APP_ID_TEXT "1414746691"

/* A task's cheap values: its field and its column. Schema 4 keeps them in three tables:
 * run, a row whenever any value of the task changed, with its state, CPU and the counters
 * a waking task changes (voluntary switches, run and wait time); work, a row beside it
 * when one of the other counters (times, faults, preemptions, migrations, its process's
 * RSS) changed; val, a row when one of the seldom changing values did. Schema 3 had run
 * and work in one table run (REC_RUN3_DELTA in its column order); schemas 1 and 2 kept all in
 * one table val (REC_VALS, in that order). */
#define REC_RUN_ABS(X) X(cpu, "cpu")
/* ... of which these are stored as the change since the task's row before (its first row:
 * the value itself) */
#define REC_RUN_DELTA(X) X(vctx, "vctx") X(run_ns, "run_ns") X(wait_ns, "wait_ns")
#define REC_WORK(X) \
	X(utime_ticks, "utime") X(stime_ticks, "stime") X(minflt, "minflt") \
	X(majflt, "majflt") X(ictx, "ictx") X(migrations, "migrations") X(rss, "rss")
#define REC_RUN(X) REC_RUN_ABS(X) REC_RUN_DELTA(X)
/* Schema 3's run table, and the reader's columns of any schema from 3 on: the counters
 * and the RSS as changes */
#define REC_RUN3_DELTA(X) \
	X(utime_ticks, "utime") X(stime_ticks, "stime") X(minflt, "minflt") \
	X(majflt, "majflt") X(vctx, "vctx") X(ictx, "ictx") X(migrations, "migrations") \
	X(run_ns, "run_ns") X(wait_ns, "wait_ns") X(rss, "rss")
/* Schema 4's state: an index into this string (the likeliest first: 0 and 1 cost no byte
 * in SQLite's record), another letter its character code, NULL none. */
#define REC_STATES "SRIDTtZXPxKW"
/* ... as SQL: the letter of column col (NULL when NULL or out of range) */
#define REC_STATE_SQL(col) \
	"CASE WHEN " col " >= 0 AND " col " < 12 THEN substr('" REC_STATES "', " col \
	" + 1, 1) WHEN " col " >= 12 AND " col " < 128 THEN char(" col ") END"
/* The seldom changing values: schema 3 has a column for each (REC_SLOW, the reader's
 * order); schema 4 one for each of REC_SLOW_PLAIN, and the availability codes and flags
 * (REC_FLAGS: Y(X, field, column, shift, mask)) packed in one column flags, read back as
 * (flags >> shift) & mask (the likeliest non-zero ones in the low bits: one byte) */
#define REC_SLOW_PLAIN(X) \
	X(ppid, "ppid") X(euid, "euid") X(nlwp, "nlwp") X(prio, "prio") X(nice, "nice") \
	X(policy, "policy") X(vsz, "vsz")
#define REC_FLAGS(X, Y) \
	Y(X, rss_av, "rss_av", 4, 7) Y(X, ctxsw_av, "ctxsw_av", 7, 7) \
	Y(X, sched_av, "sched_av", 10, 7) Y(X, schedstat_av, "schedstat_av", 13, 7) \
	Y(X, aff_av, "aff_av", 16, 7) Y(X, cpu_outside, "cpu_outside", 2, 1) \
	Y(X, aff_differs, "aff_differs", 3, 1) Y(X, whole, "whole", 1, 1) \
	Y(X, cgroup_av, "cgroup_av", 19, 7) Y(X, cgroup_v2, "cgroup_v2", 0, 1)
#define REC_FLAG_AS_VAL(X, f, col, sh, m) X(f, col)
#define REC_SLOW(X) REC_SLOW_PLAIN(X) REC_FLAGS(X, REC_FLAG_AS_VAL)
#define REC_VALS(X) \
	X(ppid, "ppid") X(euid, "euid") X(nlwp, "nlwp") X(cpu, "cpu") X(prio, "prio") \
	X(nice, "nice") X(policy, "policy") X(utime_ticks, "utime") X(stime_ticks, "stime") \
	X(minflt, "minflt") X(majflt, "majflt") X(vsz, "vsz") X(rss, "rss") \
	X(rss_av, "rss_av") X(vctx, "vctx") X(ictx, "ictx") X(ctxsw_av, "ctxsw_av") \
	X(migrations, "migrations") X(sched_av, "sched_av") X(run_ns, "run_ns") \
	X(wait_ns, "wait_ns") X(schedstat_av, "schedstat_av") X(aff_av, "aff_av") \
	X(cpu_outside, "cpu_outside") X(aff_differs, "aff_differs") X(whole, "whole")

/* A process's footprint: its field and its column in table mem. */
#define REC_MEMS(X) \
	X(mem_av, "mem_av") X(rss_anon, "rss_anon") X(rss_file, "rss_file") \
	X(rss_shmem, "rss_shmem") X(swap, "swap") X(pte, "pte") X(smaps_av, "smaps_av") \
	X(pss, "pss") X(uss, "uss") X(shared, "shared") X(swap_pss, "swap_pss") \
	X(pss_anon, "pss_anon") X(pss_file, "pss_file") X(pss_shmem, "pss_shmem") X(thp, "thp")

enum rec_stmt {
	ST_SAMPLE, ST_TASK, ST_END, ST_NAME, ST_VAL, ST_RUN, ST_WORK, ST_TEXT, ST_MEM, ST_KCMP,
	ST_BEGIN, ST_COMMIT,
	ST_R_SAMPLES, ST_R_TASKS, ST_R_NAMES, ST_R_VALS, ST_R_RUNS, ST_R_MEMS,
	ST_COUNT
};

/* The kcmp resources a recording keeps groups of (schema 2): VM, FILES, FS, SIGHAND, as
 * the values of kcmp.res. */
#define REC_KCMP_RES 4

/* The writer's memory of a task: what it stored last. */
struct rec_wtask {
	pid_t tid, tgid;
	uint64_t start;
	sqlite3_int64 id;
	struct task v;		/* comm, cmd and affinity owned (cgroup: NULL) */
	sqlite3_int64 cgroup;	/* the id of its cgroup's text (0: none) */
	sqlite3_int64 grp[REC_KCMP_RES];	/* the kcmp groups stored last (0: none) */
};

struct rec_wmem {
	pid_t pid;
	uint64_t start;
	struct task v;		/* no strings */
};

/* The reader's task: its values now. */
struct rec_rtask {
	sqlite3_int64 id;
	sqlite3_int64 last_seq;	/* the last sample it is in (INT64_MAX: to the end) */
	struct task v;		/* comm, cmd, affinity and cgroup owned */
};

/* A text stored once in table text (schema 3: command lines, cgroup paths). */
struct rec_text {
	char *s;
	sqlite3_int64 id;	/* 0: a free slot */
};

struct rec_meta {
	char *key, *value;
};

struct recording {
	sqlite3 *db;
	char *path;			/* sanitized, for messages */
	char err[512];
	bool writer;
	bool broken;			/* a write failed: no more */
	struct recording_info info;
	sqlite3_stmt *st[ST_COUNT];
	bool row[ST_COUNT];		/* a fetched row waits in st[k] */
	bool done[ST_COUNT];		/* st[k] has no more rows */
	unsigned long samples;		/* the writer's committed samples */
	double first_wall;		/* the writer's oldest sample kept */
	unsigned trim_tick;
	/* the writer's */
	struct rec_wtask *wt;
	size_t nwt;
	struct rec_wmem *wm;
	size_t nwm;
	struct rec_text *texts;		/* open addressing, ntext_slots a power of two */
	size_t ntexts, ntext_slots;
	/* the reader's */
	int schema;			/* the file's schema */
	struct rec_meta *meta;
	size_t nmeta;
	int *cpus;			/* core, package, node of each CPU (-1 unknown) */
	int ncpus;
	struct rec_rtask *rt;		/* alive, by id */
	size_t nrt;
	struct rec_wmem *rm;		/* footprints, by (pid, start) */
	size_t nrm;
	const struct snapshot *prev, *cur, *curmem;
	long hertz;			/* the recording machine's clock ticks per second */
	double boot;			/* ... and boot time (0: unknown) */
	double from, to;
	bool processes;
	sqlite3_int64 seq;		/* the sample being read */
};

extern const char *const recording_schema_sql;

void rec_set_error(struct recording *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int rec_sql_errno(int rc);
int rec_fail(struct recording *r, int rc);
int rec_exec(struct recording *r, const char *sql);
int rec_prepare(struct recording *r, const char *sql, sqlite3_stmt **st);
/* The end of a query whose rows were collected into an array: st finalized; when the last
 * step (rc) was SQLITE_DONE, the array at *(T **)arr and its k elements go to *(T **)out
 * and *n, else it is freed and the error is r's. 0 or -errno. */
int rec_rows_end(struct recording *r, sqlite3_stmt *st, int rc, void *arr, size_t k,
		 void *out, size_t *n);
void rec_harden(sqlite3 *db);
void rec_free(struct recording *r);
void rec_reader_free(struct recording *r);
/* The reader's values from a file that anyone may have made (recopen.c): text as the
 * sampler gives it (sanitized when not), numbers kept in range. */
char *rec_text_dup(sqlite3_stmt *st, int col);
enum ts_avail rec_col_av(sqlite3_stmt *st, int col);
int rec_col_int(sqlite3_stmt *st, int col, int lo, int hi);
double rec_col_real(sqlite3_stmt *st, int col, double lo, double hi);
void rec_fix_task(struct task *t);
/* The kcmp groups of the sample's tasks (r->wt in sn's order), a row per task whose group
 * changed (reckcmp.c). */
int rec_put_kcmp(struct recording *r, const struct snapshot *sn, unsigned long seq);
/* --max-size / --max-age: drop the oldest samples beyond them (rectrim.c). */
int rec_trim(struct recording *r, double now);
/* After a trim: the writer's texts are the ones still in the file (recording.c). */
int rec_texts_reload(struct recording *r);

#endif
