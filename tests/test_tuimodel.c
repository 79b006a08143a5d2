/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_tuimodel.c - unit tests of the full-screen view's model: settings parser, task rows
 * (nesting, tree, sort, filter), the job's log, the meminfo/loadavg readers, and the
 * deltas of a sample against the last one's counters (snapshot_base) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/childlog.h"
#include "model/columns.h"
#include "model/settings.h"
#include "model/snapshot.h"
#include "model/tasklist.h"
#include "sample/sysinfo.h"
#include "sample/taskfiles.h"
#include "tap.h"

/* ---- settings_parse -------------------------------------------------------------------- */
static int parse(const char *text, struct ts_settings *s, char *err, size_t errlen)
{
	return settings_parse(text, strlen(text), s, err, errlen);
}

static void test_settings(void)
{
	struct ts_settings s, d, back;
	char err[200], text[2048];
	static const char good[] =
		"# a comment\n"
		"\n"
		"  columns = pid, tid,Comm ,pss\r\n"
		"sort=TIME\n"
		"order = ascending\n"
		"delay = 2.5\n"
		"view = tree\n";
	static const char *const bad[] = {
		"columns = PID,NOSUCH\n",
		"columns =\n",
		"columns = PID,,TID\n",
		"sort = \n",
		"sort = nosuch\n",
		"order = sideways\n",
		"delay = 0\n",
		"delay = -1\n",
		"delay = 1e9\n",
		"delay = 100000\n",
		"view = flat\n",
		"colour = red\n",
		"just words\n",
		"= 3\n",
	};

	settings_defaults(&d);
	tap_is_rc(parse(good, &s, err, sizeof(err)), 0, "settings: a full file parses");
	tap_is_str(s.columns, "PID,TID,COMM,PSS", "settings: column names canonical, spaces "
		   "and CR dropped");
	tap_is_str(s.sort, "TIME", "settings: sort column");
	tap_ok(s.ascending, "settings: order ascending");
	tap_is_dbl(s.delay, 2.5, 1e-9, "settings: delay");
	tap_is_i64(s.mode, LIST_TREE, "settings: view tree");

	tap_is_rc(parse("", &s, err, sizeof(err)), 0, "settings: an empty file is the defaults");
	tap_ok(!memcmp(&s, &d, sizeof(s)), "settings: ... all of them");

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = parse(bad[i], &s, err, sizeof(err));

		tap_ok(rc == -EINVAL && !strncmp(err, "line 1: ", 8) && !memcmp(&s, &d, sizeof(s)),
		       "settings: rejected with the defaults and a message: %s",
		       tap_q(bad[i]));
		if (rc != -EINVAL)
			tap_diag("rc %d, err '%s'", rc, err);
	}
	/* the error names the right line and never echoes control bytes */
	tap_is_rc(parse("sort = PID\nview = \x1b[2J\x07\n", &s, err, sizeof(err)), -EINVAL,
		  "settings: a bad second line");
	tap_ok(!strncmp(err, "line 2: ", 8) && !strchr(err, '\x1b') && !strchr(err, '\x07') &&
	       strstr(err, "\\x1b"), "settings: the message names line 2, escapes: %s",
	       tap_q(err));
	{
		static const char nul[] = "sort = PID\0 TIME\n";

		tap_is_rc(settings_parse(nul, sizeof(nul) - 1, &s, err, sizeof(err)), -EINVAL,
			  "settings: a NUL inside a value is rejected");
	}
	{
		/* a file larger than the limit is refused whole */
		size_t big = 70000;
		char *b = malloc(big);

		if (b) {
			memset(b, '#', big);
			tap_is_rc(settings_parse(b, big, &s, err, sizeof(err)), -EINVAL,
				  "settings: a 70000-byte file is refused");
			free(b);
		}
	}
	/* what W writes reads back the same */
	tap_is_rc(parse(good, &s, err, sizeof(err)), 0, "settings: parse for the round trip");
	tap_is_rc(settings_format(&s, text, sizeof(text)), 0, "settings: format");
	tap_is_rc(parse(text, &back, err, sizeof(err)), 0, "settings: the written text parses");
	tap_ok(!memcmp(&s, &back, sizeof(s)), "settings: the same settings after the round trip");
	settings_defaults(&s);
	tap_is_rc(settings_format(&s, text, sizeof(text)), 0, "settings: format the defaults");
	tap_is_rc(parse(text, &back, err, sizeof(err)), 0, "settings: the defaults' text parses");
	tap_ok(!memcmp(&s, &back, sizeof(s)), "settings: defaults round trip");
	tap_is_rc(settings_format(&s, text, 10), -ENOSPC, "settings: format into a small buffer");
}

/* ---- tasklist_build ---------------------------------------------------------------------- */
static struct task mk(pid_t tgid, pid_t tid, pid_t ppid, int nlwp, const char *comm,
		      uint64_t ticks)
{
	struct task t;

	memset(&t, 0, sizeof(t));
	t.tgid = tgid;
	t.tid = tid;
	t.ppid = ppid;
	t.nlwp = nlwp;
	t.comm = (char *)comm;
	t.cpu_ticks = ticks;
	t.state = 'S';
	return t;
}

static bool expand_all(void *ctx, pid_t tgid)
{
	(void)ctx;
	(void)tgid;
	return true;
}

static bool expand_20(void *ctx, pid_t tgid)
{
	(void)ctx;
	return tgid == 20;
}

static bool collapse_10(void *ctx, pid_t tgid)
{
	(void)ctx;
	return tgid == 10;
}

/* Each row joined by spaces: "tid:depth[t]" (t on a thread row), or with links
 * "tid:L|-more" (L the last of its siblings, more the ancestors' bits). */
static const char *rows_text(const struct tasklist_row *r, size_t n, bool links, char *buf,
			     size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		const char *sep = i ? " " : "";
		int tid = (int)r[i].t->tid;

		if (links)
			o += (size_t)snprintf(buf + o, len - o, "%s%d:%s%llu", sep, tid,
					      r[i].last ? "L" : "-",
					      (unsigned long long)r[i].more);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%d:%u%s", sep, tid,
					      r[i].depth, r[i].thread ? "t" : "");
	}
	return buf;
}

/* Build the list of o over ps and ts (test name) and check its rows (rows_text) are want
 * (test what); the rows in *rows (free them), their count in *n. */
static void build_is(const struct tasklist_opts *o, const struct snapshot *ps,
		     const struct snapshot *ts, struct tasklist_row **rows, size_t *n,
		     bool links, const char *name, const char *want, const char *what)
{
	char buf[256];

	*rows = NULL;
	*n = 0;
	tap_is_rc(tasklist_build(o, ps, ts, NULL, rows, n), 0, "tasklist: %s", name);
	tap_is_str(rows_text(*rows, *n, links, buf, sizeof(buf)), want, "tasklist: %s", what);
}

/* The cases of test_tasklist, each a list built and its rows' text checked, in order */
enum list_check { CHECK_NONE, CHECK_MARKS, CHECK_FOLDED };
static const struct list_case {
	enum ts_listmode mode;
	const char *sort;
	bool ascending;
	const char *filter;
	bool (*expanded)(void *ctx, pid_t tgid);
	bool (*collapsed)(void *ctx, pid_t tgid);
	bool kthread_hidden;	/* process 40 a kernel thread, and those hidden */
	bool links;		/* rows_text with links */
	enum list_check check;	/* one more check of the rows */
	const char *name, *want, *what;
} list_cases[] = {
	{ LIST_NESTED, "PID", true, NULL, expand_20, NULL, false, false, CHECK_MARKS,
	  "nested", "1:0 10:0 20:0 21:1t 22:1t 30:0 40:0",
	  "nested by PID, the expanded process's threads under it, no row for its main thread" },
	{ LIST_NESTED, "TIME", false, NULL, expand_20, NULL, false, false, CHECK_NONE,
	  "by TIME", "10:0 30:0 20:0 22:1t 21:1t 1:0 40:0",
	  "processes and threads each sorted by TIME, descending" },
	{ LIST_NESTED, "COMM", true, "ER", expand_20, NULL, false, false, CHECK_NONE,
	  "filter", "30:0 20:0 21:1t 22:1t",
	  "filter 'ER' matches Logger and server, case-insensitive" },
	{ LIST_THREADS, "TID", false, NULL, expand_20, NULL, false, false, CHECK_NONE,
	  "threads", "22:0 21:0 20:0", "flat thread list, every thread (main thread included)" },
	{ LIST_TREE, "PID", true, NULL, NULL, NULL, false, false, CHECK_NONE,
	  "tree", "1:0 10:1 20:2 30:1 40:0",
	  "tree by parent, children in sort order; an unwatched parent makes a root" },
	{ LIST_TREE, "TIME", false, NULL, expand_all, NULL, false, false, CHECK_NONE,
	  "tree by TIME", "1:0 10:1 20:2 22:3t 21:3t 30:1 40:0",
	  "roots and siblings by TIME, threads one deeper than their process" },
	/* connectors: the last of its siblings, and which ancestors' lines go on below */
	{ LIST_TREE, "PID", true, NULL, expand_all, NULL, false, true, CHECK_NONE,
	  "connectors", "1:L0 10:-0 20:L2 21:-2 22:L2 30:L0 40:L0",
	  "10 has a sibling below (30), so the lines under it go on at depth 1; 22 is the last "
	  "thread of 20" },
	{ LIST_TREE, "PID", true, NULL, expand_all, collapse_10, false, false, CHECK_FOLDED,
	  "folded", "1:0 10:1 30:1 40:0", "a folded process hides its subtree" },
	{ LIST_TREE, "PID", true, NULL, expand_all, NULL, true, false, CHECK_NONE,
	  "no kthreads", "1:0 10:1 20:2 21:3t 22:3t 30:1", "kernel threads left out" },
};

static void test_tasklist(void)
{
	/* processes: 1 (init) -> 10 -> 20 (3 threads), 1 -> 30; 40 whose parent is not
	 * watched; TIME: 10 most, then 30, 20, 1, 40 */
	struct task procs[] = {
		mk(1, 1, 0, 1, "init", 50),
		mk(10, 10, 1, 1, "shell", 900),
		mk(20, 20, 10, 3, "server", 300),
		mk(30, 30, 1, 1, "Logger", 400),
		mk(40, 40, 999, 1, "orphan", 10),
	};
	struct task threads[] = {
		mk(20, 20, 10, 3, "server", 100),
		mk(20, 21, 10, 3, "worker-a", 50),
		mk(20, 22, 10, 3, "worker-b", 150),
	};
	struct snapshot ps = { .tasks = procs, .ntasks = ARRAY_SIZE(procs) };
	struct snapshot ts = { .tasks = threads, .ntasks = ARRAY_SIZE(threads), .threads = true };
	struct col_ctx cctx = { .threads = true };
	struct tasklist_opts o = { .cctx = &cctx };
	struct tasklist_row *rows = NULL;
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(list_cases); i++) {
		const struct list_case *c = &list_cases[i];

		o.mode = c->mode;
		o.sort = columns_find(c->sort);
		o.ascending = c->ascending;
		o.filter = c->filter;
		o.expanded = c->expanded;
		o.collapsed = c->collapsed;
		o.hide_kthreads = procs[4].kthread = c->kthread_hidden;
		build_is(&o, &ps, &ts, &rows, &n, c->links, c->name, c->want, c->what);
		if (c->check == CHECK_MARKS)
			tap_ok(n > 2 && rows[2].can_expand && rows[2].expanded &&
			       !rows[1].can_expand, "tasklist: expandable and expanded marks");
		else if (c->check == CHECK_FOLDED)
			tap_ok(n == 4 && rows[1].collapsed && rows[1].has_kids && !rows[2].has_kids,
			       "tasklist: the folded row says so");
		free(rows);
	}
	o.collapsed = NULL;
	o.hide_kthreads = procs[4].kthread = false;

	{
		/* a parent loop (PIDs reused) must neither hang nor crash */
		struct task loop[] = { mk(5, 5, 6, 1, "a", 1), mk(6, 6, 5, 1, "b", 2),
				       mk(7, 7, 7, 1, "self", 3) };
		struct snapshot ls = { .tasks = loop, .ntasks = ARRAY_SIZE(loop) };

		o.expanded = NULL;
		tap_is_rc(tasklist_build(&o, &ls, NULL, NULL, &rows, &n), 0,
			  "tasklist: a parent loop and a self-parent");
		tap_ok(n <= 3, "tasklist: ... %zu rows, none twice", n);
		free(rows);
	}
	{
		struct snapshot empty = { 0 };

		rows = NULL;
		tap_is_rc(tasklist_build(&o, &empty, NULL, NULL, &rows, &n), 0,
			  "tasklist: no process");
		tap_is_u64(n, 0, "tasklist: no rows");
		free(rows);
	}
	{
		/* a costly column without the on-screen snapshot has no value; with it, it has */
		struct task memt = mk(20, 20, 10, 3, "server", 0);
		struct snapshot ms = { .tasks = &memt, .ntasks = 1 };
		const struct column *pss = columns_find("PSS");
		struct cell c;

		memt.pss = 12345;
		o.mode = LIST_NESTED;
		o.sort = columns_find("PID");
		o.ascending = true;
		tap_is_rc(tasklist_build(&o, &ps, NULL, &ms, &rows, &n), 0, "tasklist: with mem");
		tasklist_cell(&rows[0], pss, &cctx, &c);
		tap_ok(c.av == TS_NA, "tasklist: PSS of a process off screen: no value");
		tasklist_cell(&rows[2], pss, &cctx, &c);
		tap_ok(c.av == TS_OK && c.u == 12345, "tasklist: PSS from the on-screen snapshot");
		free(rows);
	}
}

/* ---- childlog ---------------------------------------------------------------------------- */
static void test_childlog(void)
{
	struct childlog l;
	char big[3000];

	tap_is_rc(childlog_init(&l, 3), 0, "childlog: init");
	childlog_append(&l, "one\ntw", 6);
	tap_is_u64(childlog_count(&l), 1, "childlog: an unfinished line is not a line yet");
	childlog_append(&l, "o\n\x1b[2Jthree\nfour\n", 17);
	tap_is_u64(childlog_count(&l), 3, "childlog: at most 3 lines kept");
	tap_is_u64(l.total, 4, "childlog: 4 lines seen");
	tap_is_str(childlog_line(&l, 0), "two", "childlog: the oldest dropped, a line split "
		   "across two reads joined");
	tap_is_str(childlog_line(&l, 1), "\\x1b[2Jthree", "childlog: control bytes escaped");
	tap_ok(childlog_line(&l, 3) == NULL, "childlog: past the end is NULL");
	childlog_append(&l, "t\\x00a\0il\0", 10);
	childlog_flush(&l);
	tap_is_str(childlog_line(&l, 2), "t\\\\x00a\\x00il\\x00", "childlog: flush ends the last "
		   "line; a NUL byte is the escape \\x00, not an end, the text \\x00 is not");
	memset(big, 'x', sizeof(big));
	childlog_append(&l, big, sizeof(big));
	childlog_flush(&l);
	tap_is_u64(strlen(childlog_line(&l, 0)), CHILDLOG_LINE_MAX,
		   "childlog: a long line is split at %d bytes", CHILDLOG_LINE_MAX);
	tap_is_u64(strlen(childlog_line(&l, 2)), sizeof(big) - 2 * CHILDLOG_LINE_MAX,
		   "childlog: ... the rest in the last piece");
	childlog_free(&l);
	tap_is_rc(childlog_init(&l, 0), -EINVAL, "childlog: room for no line is refused");
}

/* ---- sysinfo ----------------------------------------------------------------------------- */
static void test_sysinfo(int sysfd)
{
	struct sysinfo_mem m;
	char buf[8192];
	size_t len = 0;
	static const char noavail[] = "MemTotal: 100 kB\nSwapTotal: 8 kB\nSwapFree: 10 kB\n";
	static const char nototal[] = "MemFree: 100 kB\n";
	static const char huge[] = "MemTotal: 99999999999999999999 kB\n";
	static const char toobig[] = "MemTotal: 18014398509481984 kB\n";

	memset(&m, 0, sizeof(m));
	if (sysfd >= 0 && !taskfiles_read(sysfd, "meminfo", buf, sizeof(buf), &len)) {
		/* the fixture is a real /proc/meminfo of a machine with 24 GiB and no swap */
		tap_is_rc(sysinfo_parse_meminfo(buf, len, &m), 0, "sysinfo: real meminfo");
		tap_is_u64(m.mem_total, 24683652ull * 1024, "sysinfo: MemTotal in bytes");
		tap_is_u64(m.mem_avail, 23318452ull * 1024, "sysinfo: MemAvailable in bytes");
		tap_is_u64(m.swap_total, 0, "sysinfo: no swap");
	} else {
		tap_ok(false, "sysinfo: fixtures sys/meminfo readable");
	}
	tap_is_rc(sysinfo_parse_meminfo(noavail, sizeof(noavail) - 1, &m), 0,
		  "sysinfo: meminfo without MemAvailable");
	tap_ok(m.mem_avail == 0 && m.swap_free == m.swap_total,
	       "sysinfo: no MemAvailable reads 0; SwapFree above SwapTotal is capped");
	tap_is_rc(sysinfo_parse_meminfo(nototal, sizeof(nototal) - 1, &m), -EINVAL,
		  "sysinfo: no MemTotal");
	tap_is_rc(sysinfo_parse_meminfo(huge, sizeof(huge) - 1, &m), -EINVAL,
		  "sysinfo: a number past 64 bits");
	tap_is_rc(sysinfo_parse_meminfo(toobig, sizeof(toobig) - 1, &m), -EINVAL,
		  "sysinfo: KiB that overflow as bytes");
	if (sysfd >= 0 && !taskfiles_read(sysfd, "loadavg", buf, sizeof(buf), &len)) {
		tap_is_rc(sysinfo_parse_loadavg(buf, len, &m), 0, "sysinfo: real loadavg");
		tap_ok(m.load[0] == 16.14 && m.load[1] == 8.63 && m.load[2] == 5.63 &&
		       m.running == 8 && m.total == 3387, "sysinfo: 16.14 8.63 5.63 8/3387");
	} else {
		tap_ok(false, "sysinfo: fixtures sys/loadavg readable");
	}
	tap_is_rc(sysinfo_parse_loadavg("1.0 2.0", 7, &m), -EINVAL, "sysinfo: short loadavg");
	tap_is_rc(sysinfo_parse_loadavg("a b c 1/2 3", 11, &m), -EINVAL, "sysinfo: no numbers");
	tap_is_rc(sysinfo_parse_loadavg("1.0 2.0 3.0 1/", 14, &m), -EINVAL,
		  "sysinfo: cut after the slash");
}


/* ---- deltas against the last sample ------------------------------------------------------ */
#define HZ 100
#define BOOT 1700000000.0

static struct task row(pid_t tgid, pid_t tid, uint64_t start, uint64_t cpu, uint64_t minflt)
{
	return (struct task){ .tgid = tgid, .tid = tid, .start_ticks = start, .cpu_ticks = cpu,
			      .minflt = minflt, .ctxsw_av = TS_NA, .sched_av = TS_NA,
			      .schedstat_av = TS_NA };
}

static struct task *rows(const struct task *v, size_t n)
{
	struct task *m = malloc(n * sizeof(*m));

	if (m)
		memcpy(m, v, n * sizeof(*m));
	return m;
}

static const struct task *find_row(const struct snapshot *sn, pid_t tid)
{
	for (size_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].tid == tid)
			return &sn->tasks[i];
	return NULL;
}

static void reverse(struct snapshot *sn)
{
	for (size_t i = 0; i < sn->ntasks / 2; i++) {
		struct task t = sn->tasks[i];

		sn->tasks[i] = sn->tasks[sn->ntasks - 1 - i];
		sn->tasks[sn->ntasks - 1 - i] = t;
	}
}

/* The current rows of test_deltas against the last ones: 2 s later */
static void check_deltas(const struct snapshot *cur, const char *how)
{
	const struct task *a = find_row(cur, 10), *b = find_row(cur, 11), *c = find_row(cur, 20),
			  *d = find_row(cur, 30), *e = find_row(cur, 40);

	if (!tap_ok(a && b && c && d && e, "deltas %s: every row is there", how))
		return;
	tap_ok(a->have_delta && a->have_pcpu, "deltas %s: a task seen before has deltas", how);
	tap_is_dbl(a->pcpu, 100.0, 1e-9, "deltas %s: 200 ticks in 2 s at 100 Hz are 100%%", how);
	tap_is_u64(a->d_minflt, 30, "deltas %s: its page faults since then", how);
	tap_is_u64(a->d_vctx, 4, "deltas %s: its switches, read both times", how);
	tap_is_dbl(b->pcpu, 0.0, 1e-9, "deltas %s: a task that did not run: 0%%", how);
	tap_is_u64(b->d_vctx, 0, "deltas %s: switches not read the last time: no delta", how);
	tap_ok(c->have_delta, "deltas %s: a reused TID born after the last sample is new", how);
	tap_is_dbl(c->pcpu, 10.0, 1e-9, "deltas %s: ... all its CPU time is in the interval",
		   how);
	tap_ok(!d->have_delta, "deltas %s: a row of another kind (process, thread) has none", how);
	tap_ok(!e->have_delta, "deltas %s: an old task not seen before has none", how);
}

static void test_deltas(void)
{
	/* the last sample at 1,000 s after boot, its rows out of order */
	struct task before[] = {
		row(20, 20, 700, 5, 0), row(10, 11, 600, 10, 0), row(10, 10, 500, 100, 50),
		row(30, 30, 800, 40, 0),
	};
	/* 2 s later: TID 20 is a process started at 1,000.5 s, 30 is a thread row now, 40 an
	 * old process not in the last sample */
	struct task after[] = {
		row(10, 10, 500, 300, 80), row(10, 11, 600, 10, 0), row(20, 20, 100050, 20, 0),
		row(30, 30, 800, 41, 0), row(40, 40, 200, 90, 0),
	};
	struct snapshot *prev, *cur, *plain;

	sampler_set_clock(HZ, BOOT);
	before[3].whole = true;
	before[2].ctxsw_av = TS_OK;
	before[2].vctx = 5;
	after[0].ctxsw_av = after[1].ctxsw_av = TS_OK;
	after[0].vctx = 9;
	after[1].vctx = 7;
	prev = snapshot_build(rows(before, 4), 4, true, 10.0, BOOT + 1000, 0, NULL);
	cur = snapshot_build(rows(after, 5), 5, true, 12.0, BOOT + 1002, 2.0, prev);
	if (!tap_ok(prev && cur, "deltas: snapshots built")) {
		snapshot_put(prev);
		snapshot_put(cur);
		return;
	}
	check_deltas(cur, "(rows in order)");
	/* the same rows out of order, the last sample's too: each one looked up, not walked */
	plain = snapshot_build(rows(after, 5), 5, true, 12.0, BOOT + 1002, 2.0, NULL);
	if (tap_ok(plain != NULL, "deltas: a snapshot without them")) {
		reverse(plain);
		reverse(prev);
		tap_is_rc(snapshot_deltas(plain, prev), 0, "deltas: computed afterwards");
		check_deltas(plain, "(rows out of order)");
	}
	snapshot_put(plain);
	snapshot_put(cur);
	snapshot_put(prev);
	sampler_set_clock(0, 0);
}

int main(void)
{
	const char *dir = getenv("FIXTURES"), *top = getenv("top_srcdir");
	char path[PATH_MAX];
	int sysfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (dir && *dir)
		snprintf(path, sizeof(path), "%s/sys", dir);
	else
		snprintf(path, sizeof(path), "%s/tests/fixtures/sys", top && *top ? top : ".");
	sysfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sysfd < 0 && dir)
		printf("# fixtures %s: %s\n", path, strerror(errno));
	test_settings();
	test_tasklist();
	test_childlog();
	test_deltas();
	test_sysinfo(sysfd);
	if (sysfd >= 0)
		close(sysfd);
	return tap_done();
}
