/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rectrim.c - --max-size and --max-age: the oldest samples of a recording dropped while it
 * is written, with every row no kept sample needs */
#include "config.h"

#include <stdint.h>

#include "lib/util.h"
#include "model/recint.h"

/* The bytes the file's live pages take (free pages are reused before it grows). */
static int used_bytes(struct recording *r, uint64_t *bytes)
{
	static const char *const q[] = { "PRAGMA page_count", "PRAGMA freelist_count",
					 "PRAGMA page_size" };
	sqlite3_int64 v[3] = { 0, 0, 0 };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st;
		int rc = rec_prepare(r, q[i], &st);

		if (rc)
			return rc;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			v[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return rec_fail(r, rc);
	}
	*bytes = (uint64_t)(v[0] - v[1]) * (uint64_t)v[2];
	return 0;
}

/* The first sample to keep: the one after the oldest tenth (size), or the first one
 * within max_age. 0: nothing to drop. */
static int first_kept(struct recording *r, double now, bool by_size, sqlite3_int64 *keep)
{
	sqlite3_stmt *st;
	int rc;

	*keep = 0;
	if (by_size)
		rc = rec_prepare(r, "SELECT min(seq) + (max(seq) - min(seq) + 9) / 10 FROM samples",
				 &st);
	else
		rc = rec_prepare(r, "SELECT min(seq) FROM samples WHERE time >= ?", &st);
	if (rc)
		return rc;
	if (!by_size)
		sqlite3_bind_double(st, 1, now - r->info.max_age);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*keep = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rec_fail(r, rc);
}

/* Drop the samples before keep, and every row that no kept sample needs: the tasks over
 * before it, and of the others all values, names and footprints but the last ones before
 * it (the state the first kept sample starts from). */
static int drop_before(struct recording *r, sqlite3_int64 keep)
{
	static const char *const sql[] = {
		"DELETE FROM samples WHERE seq < ?1",
		"DELETE FROM val WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM run WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM work WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM name WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM mem WHERE seq < ?1 AND NOT EXISTS (SELECT 1 FROM task t WHERE"
		" t.tid = mem.pid AND t.start = mem.start AND coalesce(t.last_seq, ?1) >= ?1)",
		"DELETE FROM kcmp WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM task WHERE last_seq < ?1",
		"DELETE FROM val WHERE seq < ?1 AND (task, seq) NOT IN (SELECT task, max(seq)"
		" FROM val WHERE seq < ?1 GROUP BY task)",
		/* the row a task keeps before the first kept sample: its counters the
		 * totals of the rows that go (work's: beside its last run row) ... */
		"INSERT OR REPLACE INTO work SELECT m.seq, w.task"
#define X(f, col) ", sum(w." col ")"
		REC_WORK(X)
#undef X
		" FROM work w JOIN (SELECT task, max(seq) AS seq FROM run WHERE seq < ?1"
		" GROUP BY task) m ON m.task = w.task WHERE w.seq < ?1 GROUP BY w.task",
		"DELETE FROM work WHERE seq < ?1 AND (task, seq) NOT IN (SELECT task, max(seq)"
		" FROM run WHERE seq < ?1 GROUP BY task)",
		/* ... (run's bare columns: the values of max(seq)'s row) */
		"INSERT OR REPLACE INTO run SELECT max(seq), task, state"
#define X(f, col) ", " col
		REC_RUN_ABS(X)
#undef X
#define X(f, col) ", sum(" col ")"
		REC_RUN_DELTA(X)
#undef X
		" FROM run WHERE seq < ?1 GROUP BY task",
		"DELETE FROM run WHERE seq < ?1 AND (task, seq) NOT IN (SELECT task, max(seq)"
		" FROM run WHERE seq < ?1 GROUP BY task)",
		"DELETE FROM name WHERE seq < ?1 AND rowid NOT IN (SELECT max(rowid) FROM name"
		" WHERE seq < ?1 GROUP BY task)",
		"DELETE FROM mem WHERE seq < ?1 AND rowid NOT IN (SELECT max(rowid) FROM mem"
		" WHERE seq < ?1 GROUP BY pid, start)",
		"DELETE FROM kcmp WHERE seq < ?1 AND rowid NOT IN (SELECT max(rowid) FROM kcmp"
		" WHERE seq < ?1 GROUP BY task, res)",
		"DELETE FROM text WHERE id NOT IN (SELECT cmd FROM name WHERE cmd IS NOT NULL)"
		" AND id NOT IN (SELECT comm FROM name WHERE comm IS NOT NULL)"
		" AND id NOT IN (SELECT cgroup FROM val WHERE cgroup IS NOT NULL)",
	};
	int rc = rec_exec(r, "BEGIN IMMEDIATE");

	for (size_t i = 0; !rc && i < ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *st;

		rc = rec_prepare(r, sql[i], &st);
		if (rc)
			break;
		sqlite3_bind_int64(st, 1, keep);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
	}
	if (!rc)
		rc = rec_exec(r, "COMMIT");
	else if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	/* the writer's texts: the ones left (their ids do not change) */
	return rc ? rc : rec_texts_reload(r);
}

/* --max-size, --max-age: checked every 8 samples (the deletes scan the tables). */
int rec_trim(struct recording *r, double now)
{
	sqlite3_int64 keep;
	uint64_t used = 0;
	int rc = 0;

	if ((!r->info.max_size && r->info.max_age <= 0) || ++r->trim_tick % 8)
		return 0;
	if (r->info.max_age > 0) {
		rc = first_kept(r, now, false, &keep);
		if (!rc && keep > 1)
			rc = drop_before(r, keep);
	}
	/* at 90% of the size: the oldest tenth of the samples goes, as often as needed */
	for (int round = 0; !rc && r->info.max_size && round < 9; round++) {
		rc = used_bytes(r, &used);
		if (rc || used <= r->info.max_size / 10 * 9)
			break;
		rc = first_kept(r, now, true, &keep);
		if (!rc && keep > 0)
			rc = drop_before(r, keep);
	}
	return rc;
}
