/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recschema.c - a recording's schema, and what its writer and reader share: errors,
 * statements, a hardened connection */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/recint.h"

const char *const recording_schema_sql =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value);\n"
	"CREATE TABLE cpus(cpu INTEGER PRIMARY KEY, core INTEGER, package INTEGER, node INTEGER);\n"
	"CREATE TABLE samples(seq INTEGER PRIMARY KEY, time REAL NOT NULL, mono REAL NOT NULL,"
	" interval REAL NOT NULL, cpu_busy REAL, ndenied INTEGER NOT NULL, tasks INTEGER NOT NULL,"
	" processes INTEGER NOT NULL, rss_sum INTEGER NOT NULL, memory INTEGER NOT NULL);\n"
	"CREATE TABLE task(id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, tid INTEGER NOT NULL,"
	" start INTEGER NOT NULL, kthread INTEGER NOT NULL, first_seq INTEGER NOT NULL,"
	" last_seq INTEGER);\n"
	/* schema 3: a text stored once (a command line, a cgroup path), referred to by id */
	"CREATE TABLE text(id INTEGER PRIMARY KEY, text TEXT NOT NULL);\n"
	/* schema 4: comm a text id too (schema 3: its text) */
	"CREATE TABLE name(task INTEGER NOT NULL, seq INTEGER NOT NULL, comm INTEGER, cmd INTEGER,"
	" cmd_av INTEGER NOT NULL);\n"
	/* schema 4: a task's values in three tables, a run row whenever one of its values
	 * changed, a work row beside it when one of its counters there did, a val row when
	 * one of the seldom changing ones did; keyed by what finds them (no rowid, no index
	 * beside them) */
	"CREATE TABLE run(seq INTEGER NOT NULL, task INTEGER NOT NULL, state INTEGER"
#define X(f, col) ", " col " INTEGER"
	REC_RUN(X)
#undef X
	", PRIMARY KEY(seq, task)) WITHOUT ROWID;\n"
	"CREATE TABLE work(seq INTEGER NOT NULL, task INTEGER NOT NULL"
#define X(f, col) ", " col " INTEGER"
	REC_WORK(X)
#undef X
	", PRIMARY KEY(seq, task)) WITHOUT ROWID;\n"
	"CREATE TABLE val(task INTEGER NOT NULL, seq INTEGER NOT NULL, affinity TEXT"
#define X(f, col) ", " col " INTEGER"
	REC_SLOW_PLAIN(X)
#undef X
	", flags INTEGER, cgroup INTEGER, PRIMARY KEY(task, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE mem(seq INTEGER NOT NULL, pid INTEGER NOT NULL, start INTEGER NOT NULL"
#define X(f, col) ", " col " INTEGER"
	REC_MEMS(X)
#undef X
	");\n"
	/* schema 2: a task's kcmp group per resource (0 VM, 1 FILES, 2 FS, 3 SIGHAND), at
	 * the memory samples, when it is not its main thread's id (a process that shares
	 * with no other) or the one stored last: grp is the id of the group's first task */
	"CREATE TABLE kcmp(seq INTEGER NOT NULL, task INTEGER NOT NULL, res INTEGER NOT NULL,"
	" grp INTEGER NOT NULL);\n"
	"CREATE INDEX kcmp_task ON kcmp(task, res, seq);\n"
	/* views for the sqlite3 command line */
	"CREATE VIEW tasks AS SELECT t.id AS task, t.pid, t.tid, t.start, y.text AS comm,"
	" x.text AS cmd,"
	" t.kthread, (SELECT time FROM samples WHERE seq = t.first_seq) AS first_time,"
	" (SELECT time FROM samples WHERE seq = coalesce(t.last_seq,"
	" (SELECT max(seq) FROM samples))) AS last_time, t.first_seq,"
	" coalesce(t.last_seq, (SELECT max(seq) FROM samples)) AS last_seq FROM task t"
	" LEFT JOIN (SELECT task, comm, cmd, max(rowid) FROM name GROUP BY task) n"
	" ON n.task = t.id LEFT JOIN text y ON y.id = n.comm LEFT JOIN text x ON x.id = n.cmd;\n"
	/* the counters and the RSS summed from their changes */
	"CREATE VIEW changes AS SELECT s.time, r.seq, t.pid, t.tid, t.id AS task, r.state,"
	" r.cpu, v.affinity, r.utime + r.stime AS cpu_ticks, r.rss, r.minflt, r.majflt, r.vctx,"
	" r.ictx, r.migrations, r.run_ns, r.wait_ns, v.nlwp, v.prio, v.nice, c.text AS cgroup"
	" FROM (SELECT u.seq, u.task, " REC_STATE_SQL("u.state") " AS state, cpu"
#define X(f, col) ", sum(" col ") OVER w AS " col
	REC_RUN_DELTA(X)
#undef X
#define X(f, col) ", sum(coalesce(" col ", 0)) OVER w AS " col
	REC_WORK(X)
#undef X
	" FROM run u LEFT JOIN work k ON k.seq = u.seq AND k.task = u.task"
	" WINDOW w AS (PARTITION BY u.task ORDER BY u.seq)) r"
	" JOIN task t ON t.id = r.task JOIN samples s ON s.seq = r.seq"
	" LEFT JOIN val v ON v.task = r.task AND v.seq = (SELECT max(seq) FROM val w"
	" WHERE w.task = r.task AND w.seq <= r.seq) LEFT JOIN text c ON c.id = v.cgroup;\n"
	"CREATE VIEW memory AS SELECT s.time, m.seq, m.pid, m.start, m.pss, m.uss, m.shared,"
	" m.swap, m.swap_pss, m.rss_anon, m.rss_file, m.rss_shmem, m.pte, m.thp"
	" FROM mem m JOIN samples s ON s.seq = m.seq WHERE m.smaps_av = 0;\n"
	"CREATE VIEW sharing AS SELECT s.time, k.seq, t.pid, t.tid, t.id AS task,"
	" CASE k.res WHEN 0 THEN 'VM' WHEN 1 THEN 'FILES' WHEN 2 THEN 'FS' ELSE 'SIGHAND' END"
	" AS resource, k.grp AS grp, g.pid AS grp_pid, g.tid AS grp_tid"
	" FROM kcmp k JOIN task t ON t.id = k.task LEFT JOIN task g ON g.id = k.grp"
	" JOIN samples s ON s.seq = k.seq;\n";

/* ---- shared with the reader ---- */

/* SQLite's messages quote the file's own bytes (a damaged schema's text): sanitized. */
void rec_set_error(struct recording *r, const char *fmt, ...)
{
	char raw[sizeof(r->err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	util_sanitize(raw, strlen(raw), r->err, sizeof(r->err));
}

int rec_sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_READONLY:
		return -EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_SCHEMA:
	case SQLITE_ERROR:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

/* A failed SQLite call: its message into r->err, -errno. */
int rec_fail(struct recording *r, int rc)
{
	const char *m = r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc);

	rec_set_error(r, "%s", m ? m : sqlite3_errstr(rc));
	return rec_sql_errno(rc);
}

int rec_exec(struct recording *r, const char *sql)
{
	int rc = sqlite3_exec(r->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : rec_fail(r, rc);
}

int rec_rows_end(struct recording *r, sqlite3_stmt *st, int rc, void *arr, size_t k,
		 void *out, size_t *n)
{
	void *v;

	rc = rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
	sqlite3_finalize(st);
	memcpy(&v, arr, sizeof(v));
	if (rc) {
		free(v);
		return rc;
	}
	memcpy(out, &v, sizeof(v));
	*n = k;
	return 0;
}

int rec_prepare(struct recording *r, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(r->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : rec_fail(r, rc);
}

/* A connection that trusts nothing in the file: no code in the schema, no writes to it
 * through the schema's own objects, no extensions. */
void rec_harden(sqlite3 *db)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_busy_timeout(db, 5000);
}

void rec_free(struct recording *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(r->st); i++)
		sqlite3_finalize(r->st[i]);
	rec_reader_free(r);
	for (size_t i = 0; i < r->nwt; i++) {
		free(r->wt[i].v.comm);
		free(r->wt[i].v.cmd);
		free(r->wt[i].v.affinity);
	}
	free(r->wt);
	free(r->wm);
	for (size_t i = 0; i < r->ntext_slots; i++)
		free(r->texts[i].s);
	free(r->texts);
	if (r->db)
		sqlite3_close(r->db);
	free(r->path);
	free(r);
}

const char *recording_error(const struct recording *r)
{
	return r->err;
}
