/* SPDX-License-Identifier: GPL-2.0-or-later */
/* columns.c - the one table of task columns that every output mode is built from */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/util.h"
#include "model/coltable.h"
#include "model/columns.h"
#include "model/snapshot.h"
#include "sample/topo.h"

/* ---- user names: a small cache, names sanitized once ----------------------------------- */
/* The TUI's worker and its screen both ask (so a mutex, and getpwuid_r); a name, once made,
 * is never freed or moved, so the pointer returned stays good without the lock. */
struct uname {
	uid_t uid;
	char *name;
};
static struct uname *unames;
static size_t nunames;
static pthread_mutex_t unames_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pwbuf, *pw = NULL;
	char strings[4096];
	const char *name = NULL;
	struct uname *n;

	pthread_mutex_lock(&unames_lock);
	for (size_t i = 0; i < nunames; i++)
		if (unames[i].uid == uid) {
			name = unames[i].name;
			goto out;
		}
	if (getpwuid_r(uid, &pwbuf, strings, sizeof(strings), &pw) || !pw || !pw->pw_name) {
		snprintf(buf, len, "%u", (unsigned)uid);
		name = buf;
		goto out;
	}
	n = realloc(unames, (nunames + 1) * sizeof(*unames));
	if (!n)
		goto out;
	unames = n;
	n[nunames].uid = uid;
	n[nunames].name = util_sanitize_dup(pw->pw_name, strlen(pw->pw_name));
	if (n[nunames].name)
		name = n[nunames++].name;
out:
	pthread_mutex_unlock(&unames_lock);
	return name;
}

/* ---- getters ----------------------------------------------------------------------------- */
#define GET(fn) static void fn(const struct col_ctx *ctx, const struct task *t, struct cell *c)
#define UNUSED_CTX (void)ctx

GET(get_pid) { UNUSED_CTX; c->i = t->tgid; }
GET(get_tid) { UNUSED_CTX; c->i = t->tid; }
GET(get_ppid) { UNUSED_CTX; c->i = t->ppid; }
GET(get_user)
{
	UNUSED_CTX;
	c->s = user_name(t->euid, c->buf, sizeof(c->buf));
	if (!c->s)
		c->av = TS_NA;
}
GET(get_comm) { UNUSED_CTX; c->s = t->comm; }
GET(get_cmd)
{
	UNUSED_CTX;
	c->av = t->cmd_av;
	if (t->cmd_av == TS_OK && !t->cmd)
		c->av = TS_EMPTY;
	c->s = t->cmd;
}
GET(get_state)
{
	UNUSED_CTX;
	c->buf[0] = t->state ? t->state : '?';
	c->buf[1] = '\0';
	c->s = c->buf;
}
GET(get_nlwp) { UNUSED_CTX; c->i = t->nlwp; }
GET(get_cpu) { UNUSED_CTX; c->i = t->cpu; if (t->cpu < 0) c->av = TS_UNSUPPORTED; }
GET(get_affinity) { UNUSED_CTX; c->av = t->aff_av; c->s = t->affinity; }
GET(get_node)
{
	const struct topo *tp = sampler_topo(ctx->sampler);
	int node = topo_cpu_node(tp, t->cpu);

	if (!tp)
		c->av = TS_UNSUPPORTED;
	else if (node < 0)
		c->av = TS_NA;
	c->i = node;
}
GET(get_pcpu) { UNUSED_CTX; c->av = t->have_pcpu ? TS_OK : TS_NA; c->d = t->pcpu; }
GET(get_time) { UNUSED_CTX; c->d = (double)t->cpu_ticks / (double)sampler_hertz(); }
GET(get_minflt) { UNUSED_CTX; c->av = t->have_delta ? TS_OK : TS_NA; c->u = t->d_minflt; }
GET(get_majflt) { UNUSED_CTX; c->av = t->have_delta ? TS_OK : TS_NA; c->u = t->d_majflt; }
GET(get_vctx)
{
	UNUSED_CTX;
	c->av = t->ctxsw_av != TS_OK ? t->ctxsw_av : t->have_delta ? TS_OK : TS_NA;
	c->u = t->d_vctx;
}
GET(get_ictx)
{
	UNUSED_CTX;
	c->av = t->ctxsw_av != TS_OK ? t->ctxsw_av : t->have_delta ? TS_OK : TS_NA;
	c->u = t->d_ictx;
}
GET(get_core)
{
	const struct topo *tp = sampler_topo(ctx->sampler);

	c->i = topo_cpu_core(tp, t->cpu);
	c->av = !tp ? TS_UNSUPPORTED : c->i < 0 ? TS_NA : TS_OK;
}
GET(get_package)
{
	const struct topo *tp = sampler_topo(ctx->sampler);

	c->i = topo_cpu_package(tp, t->cpu);
	c->av = !tp ? TS_UNSUPPORTED : c->i < 0 ? TS_NA : TS_OK;
}
/* An interval value read by an optional reader: the reader's verdict first. */
static enum ts_avail interval_av(const struct task *t, enum ts_avail reader)
{
	return reader != TS_OK ? reader : t->have_delta ? TS_OK : TS_NA;
}
GET(get_migr) { UNUSED_CTX; c->av = interval_av(t, t->sched_av); c->u = t->d_migr; }
GET(get_migr_total) { UNUSED_CTX; c->av = t->sched_av; c->u = t->migrations; }
GET(get_run) { UNUSED_CTX; c->av = interval_av(t, t->schedstat_av); c->u = t->d_run_ns; }
GET(get_runq) { UNUSED_CTX; c->av = interval_av(t, t->schedstat_av); c->u = t->d_wait_ns; }
GET(get_affmismatch)
{
	UNUSED_CTX;
	c->av = t->aff_av;
	c->s = t->aff_differs && t->cpu_outside ? "differs,outside"
	       : t->aff_differs ? "differs" : t->cpu_outside ? "outside" : "no";
}
GET(get_pri)
{
	UNUSED_CTX;
	c->i = t->prio;
}
GET(get_ni) { UNUSED_CTX; c->i = t->nice; }
GET(get_policy)
{
	static const char *const names[] = { "TS", "FF", "RR", "B", "ISO", "IDL", "DLN" };

	UNUSED_CTX;
	if (t->policy >= 0 && (size_t)t->policy < ARRAY_SIZE(names)) {
		c->s = names[t->policy];
	} else {
		snprintf(c->buf, sizeof(c->buf), "%d", t->policy);
		c->s = c->buf;
	}
}
GET(get_start)
{
	c->d = sampler_boot_time() + (double)t->start_ticks / (double)sampler_hertz();
	c->now = ctx->now;
}
GET(get_vsz) { UNUSED_CTX; c->u = t->vsz; }
GET(get_rss) { UNUSED_CTX; c->av = t->rss_av; c->u = t->rss; }
GET(get_rssanon) { UNUSED_CTX; c->av = t->mem_av; c->u = t->rss_anon; }
GET(get_rssfile) { UNUSED_CTX; c->av = t->mem_av; c->u = t->rss_file; }
GET(get_rssshmem) { UNUSED_CTX; c->av = t->mem_av; c->u = t->rss_shmem; }
GET(get_swap) { UNUSED_CTX; c->av = t->mem_av; c->u = t->swap; }
GET(get_pte) { UNUSED_CTX; c->av = t->mem_av; c->u = t->pte; }
GET(get_pss) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->pss; }
GET(get_uss) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->uss; }
GET(get_shared) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->shared; }
GET(get_swappss) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->swap_pss; }
GET(get_anon) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->pss_anon; }
GET(get_file) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->pss_file; }
GET(get_shmem) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->pss_shmem; }
GET(get_thp) { UNUSED_CTX; c->av = t->smaps_av; c->u = t->thp; }
GET(get_nodemem)
{
	UNUSED_CTX;
	c->av = t->numa_read ? t->numa_av : TS_NA;
	c->u = t->node_mem_total;
	c->nodes = t->node_mem;
	c->nnodes = t->nnodes_mem;
}
GET(get_cgroup)
{
	UNUSED_CTX;
	c->av = t->cgroup_av;
	if (t->cgroup_av == TS_OK && !t->cgroup)
		c->av = TS_NA;
	c->s = t->cgroup;
}

/* a size of the process, the same on each of its thread rows */
#define PSIZE(name, readers, get, help) \
	{ name, CK_SIZE, 6, CF_RIGHT | CF_PROCESS, readers, help, get }
static const struct column table[] = {
	{ "PID", CK_INT, 6, CF_RIGHT, 0,
	  "process ID (thread group ID)", get_pid },
	{ "TID", CK_INT, 6, CF_RIGHT, 0,
	  "thread ID (equals PID on the main thread and on process rows)", get_tid },
	{ "PPID", CK_INT, 6, CF_RIGHT, RD_STAT,
	  "parent process ID", get_ppid },
	{ "USER", CK_STR, 8, 0, RD_STAT,
	  "effective user name (or number)", get_user },
	{ "STATE", CK_STR, 1, 0, RD_STAT,
	  "state: R running, S sleeping, D disk sleep, T stopped, t traced, Z zombie, I idle",
	  get_state },
	{ "PRI", CK_INT, 3, CF_RIGHT, RD_STAT,
	  "kernel scheduling priority as in stat (top's PR; -2 to -100 for real-time)", get_pri },
	{ "NI", CK_INT, 3, CF_RIGHT, RD_STAT,
	  "nice value", get_ni },
	{ "POLICY", CK_STR, 3, 0, RD_STAT,
	  "scheduling policy: TS other, B batch, IDL idle, FF fifo, RR round-robin, DLN deadline",
	  get_policy },
	{ "NLWP", CK_INT, 4, CF_RIGHT | CF_PROCESS, RD_STAT,
	  "number of threads in the process", get_nlwp },
	{ "CPU", CK_INT, 3, CF_RIGHT, RD_STAT,
	  "CPU the task last ran on (a process row: its main thread's)", get_cpu },
	{ "NODE", CK_INT, 4, CF_RIGHT, RD_TOPO,
	  "NUMA node of that CPU (hwloc topology)", get_node },
	{ "CORE", CK_INT, 4, CF_RIGHT, RD_TOPO,
	  "core of that CPU (hwloc topology)", get_core },
	{ "PACKAGE", CK_INT, 4, CF_RIGHT, RD_TOPO,
	  "package (socket) of that CPU (hwloc topology)", get_package },
	{ "AFFINITY", CK_STR, 8, 0, RD_AFFINITY,
	  "CPUs the task may run on (sched_getaffinity), as a list like 0-3,8", get_affinity },
	{ "AFFMISMATCH", CK_STR, 8, 0, RD_AFFINITY,
	  "'differs': affinity not the main thread's; 'outside': last CPU not in the affinity; else 'no'",
	  get_affmismatch },
	{ "MIGR", CK_COUNT, 4, CF_RIGHT | CF_INTERVAL, RD_SCHED,
	  "migrations to another CPU in the interval (sched se.nr_migrations; a process row sums its threads)",
	  get_migr },
	{ "MIGR_TOTAL", CK_COUNT, 6, CF_RIGHT, RD_SCHED,
	  "migrations since the task started (a process row sums its live threads)",
	  get_migr_total },
	{ "RUN", CK_NSEC, 7, CF_RIGHT | CF_INTERVAL, RD_SCHEDSTAT,
	  "time on a CPU in the interval (schedstat; a process row sums its threads)", get_run },
	{ "RUNQ", CK_NSEC, 7, CF_RIGHT | CF_INTERVAL, RD_SCHEDSTAT,
	  "time spent runnable, waiting on a run queue, in the interval (schedstat)", get_runq },
	{ "PCPU", CK_PCT, 5, CF_RIGHT | CF_INTERVAL, RD_STAT,
	  "CPU use over the interval, in % of one CPU (a process row sums its threads)",
	  get_pcpu },
	{ "TIME", CK_CPUTIME, 8, CF_RIGHT, RD_STAT,
	  "CPU time used since the task started, user + system", get_time },
	{ "MINFLT", CK_COUNT, 6, CF_RIGHT | CF_INTERVAL, RD_STAT,
	  "minor page faults in the interval", get_minflt },
	{ "MAJFLT", CK_COUNT, 6, CF_RIGHT | CF_INTERVAL, RD_STAT,
	  "major page faults (with I/O) in the interval", get_majflt },
	{ "VCTX", CK_COUNT, 5, CF_RIGHT | CF_INTERVAL, RD_CTXSW,
	  "voluntary context switches in the interval (a process row sums its threads)",
	  get_vctx },
	{ "ICTX", CK_COUNT, 5, CF_RIGHT | CF_INTERVAL, RD_CTXSW,
	  "involuntary context switches in the interval (a process row sums its threads)",
	  get_ictx },
	{ "START", CK_WALLTIME, 8, CF_RIGHT, RD_STAT,
	  "when the task started", get_start },
	PSIZE("VSZ", RD_STAT, get_vsz,
	      "virtual size of the address space (stat vsize)"),
	PSIZE("RSS", RD_RSS, get_rss,
	      "resident set size of the address space, pages shared with others counted in full (status VmRSS, or statm)"),
	PSIZE("RSSANON", RD_STATUS_MEM, get_rssanon,
	      "resident anonymous memory (status RssAnon)"),
	PSIZE("RSSFILE", RD_STATUS_MEM, get_rssfile,
	      "resident file-backed memory (status RssFile)"),
	PSIZE("RSSSHMEM", RD_STATUS_MEM, get_rssshmem,
	      "resident shared memory: shmem, tmpfs, shared anonymous (status RssShmem)"),
	PSIZE("SWAP", RD_STATUS_MEM, get_swap,
	      "swapped-out anonymous memory (status VmSwap)"),
	PSIZE("PTE", RD_STATUS_MEM, get_pte,
	      "page tables of the address space (status VmPTE)"),
	PSIZE("PSS", RD_SMAPS, get_pss,
	      "proportional set size: each resident page divided by the processes mapping it (smaps_rollup)"),
	PSIZE("USS", RD_SMAPS, get_uss,
	      "unique set size: private clean + private dirty pages, what exiting would free"),
	PSIZE("SHARED", RD_SMAPS, get_shared,
	      "resident pages also mapped by another process: shared clean + shared dirty"),
	PSIZE("SWAPPSS", RD_SMAPS, get_swappss,
	      "swap divided among the processes sharing it (smaps_rollup SwapPss)"),
	PSIZE("ANON", RD_SMAPS, get_anon,
	      "PSS of anonymous pages (smaps_rollup Pss_Anon)"),
	PSIZE("FILE", RD_SMAPS, get_file,
	      "PSS of file-backed pages (smaps_rollup Pss_File)"),
	PSIZE("SHMEM", RD_SMAPS, get_shmem,
	      "PSS of shared memory pages (smaps_rollup Pss_Shmem)"),
	PSIZE("THP", RD_SMAPS, get_thp,
	      "memory in transparent huge pages (AnonHugePages + ShmemPmdMapped + FilePmdMapped)"),
	{ "NODEMEM", CK_NODES, 10, CF_PROCESS, RD_NUMA,
	  "resident memory on each NUMA node as NODE:SIZE pairs (0:1.2G,1:300M), nodes without pages left out, shared pages in full as in RSS (numa_maps, as numastat -p); sorts by the sum",
	  get_nodemem },
	{ "CGROUP", CK_STR, 20, CF_TRUNC | CF_PROCESS, RD_CGROUP,
	  "the process's cgroup (/proc/PID/cgroup): its cgroup v2 path; on a v1 or hybrid host the memory controller's path (else cpu's, else name=systemd's)",
	  get_cgroup },
	{ "COMM", CK_STR, 15, CF_TRUNC, RD_STAT,
	  "task name: the thread's own name on thread rows", get_comm },
	{ "CMD", CK_STR, 30, CF_TRUNC | CF_PROCESS | CF_WRAP, RD_CMDLINE,
	  "command line, without the NUL padding of a rewritten title ('-' when empty)", get_cmd },
};

bool columns_natural_ascending(const struct column *c)
{
	switch (c->kind) {
	case CK_STR:
	case CK_WALLTIME:
		return true;
	case CK_INT:
		return strcmp(c->name, "NLWP") != 0;
	default:
		return false;
	}
}

bool columns_additive(const struct column *c)
{
	switch (c->kind) {
	case CK_COUNT:
	case CK_SIZE:
	case CK_PCT:
	case CK_CPUTIME:
	case CK_NSEC:
		return true;
	case CK_INT:
		return !strcmp(c->name, "NLWP");
	default:
		return false;
	}
}

static const struct coltable_mark marks[] = {
	{ CF_PROCESS, "[process]" },
	{ CF_INTERVAL, "[interval]" },
	{ 0, NULL },
};
static const struct coltable tab = COLTABLE(table, struct column, marks, 10);

COLTABLE_ACCESSORS(columns, struct column, tab)

static const char *const defaults_proc[] = {
	"PID", "USER", "PRI", "NI", "STATE", "NLWP", "CPU", "PCPU", "TIME", "RSS", "COMM",
};
static const char *const defaults_thread[] = {
	"PID", "TID", "USER", "PRI", "NI", "STATE", "CPU", "PCPU", "TIME", "RSS", "COMM",
};

/* The entries of the indices idx (freed), after rc of the parse: rc, or -ENOMEM. */
COLTABLE_ENTRIES(entries, struct column, table)

int columns_defaults(bool threads, const struct column ***cols, size_t *ncols)
{
	const char *const *names = threads ? defaults_thread : defaults_proc;
	size_t nd = threads ? ARRAY_SIZE(defaults_thread) : ARRAY_SIZE(defaults_proc);
	size_t *idx = NULL, n = 0;
	int rc;

	rc = coltable_names(&tab, names, nd, &idx, &n);
	return entries(rc, idx, n, cols, ncols);
}

int columns_parse_list(const char *list, bool threads, const struct column ***cols,
		       size_t *ncols, char **bad)
{
	const char *const *names = threads ? defaults_thread : defaults_proc;
	size_t nd = threads ? ARRAY_SIZE(defaults_thread) : ARRAY_SIZE(defaults_proc);
	size_t *idx = NULL, n = 0;
	int rc;

	rc = coltable_parse_list(&tab, list, names, nd, &idx, &n, bad);
	return entries(rc, idx, n, cols, ncols);
}

unsigned columns_readers(const struct column *const *cols, size_t ncols)
{
	unsigned r = 0;

	for (size_t i = 0; i < ncols; i++)
		r |= cols[i]->readers;
	return r;
}

const char *columns_json_key(const struct column *col, char *buf, size_t len)
{
	return coltable_json_key(col->name, buf, len);
}

const char *columns_avail_text(enum ts_avail av)
{
	static const char *const texts[] = {
		[TS_GONE] = "gone: the task exited while it was read",
		[TS_DENIED] = "denied: no permission to read it",
		[TS_UNSUPPORTED] = "not supported by this kernel or system",
		[TS_EMPTY] = "empty: no command line (kernel threads and exited processes have "
			     "none, and a process can blank its own)",
		[TS_NA] = "not available: no previous sample, interval under 2 clock ticks, or n/a",
	};

	return coltable_avail_text(texts, ARRAY_SIZE(texts), av);
}

/* Room for one node of a CK_NODES list: '{"node": ' + 4 digits + ', "bytes": ' + 20
 * digits + '}, ' in JSON, less in tables. */
#define NODE_TEXT_MAX 48

size_t columns_format_size(const struct column *col, const struct cell *c)
{
	size_t n = 64;

	if (col->kind == CK_NODES && c->nnodes < (SIZE_MAX - n) / NODE_TEXT_MAX)
		n += c->nnodes * NODE_TEXT_MAX;
	return n;
}

/*
 * A node list: "0:1.2G,1:300M" ("0:1288490188,..." with bytes; "0B"/"0" with no page on
 * any node), or in JSON [{"node": 0, "bytes": 1288490188}, ...]. Nodes without pages are
 * left out. A table text that does not fit ends with ",+" after the last node that does;
 * JSON that does not fit is NULL (columns_format_size gives the room it needs).
 */
static const char *format_nodes(const struct cell *c, bool json, bool bytes, char *buf,
				size_t len)
{
	size_t off = 0, last = 0;
	bool any = false;

	if (len < 4)
		return NULL;
	if (json)
		buf[off++] = '[';
	for (size_t i = 0; i < c->nnodes; i++) {
		char v[32], item[NODE_TEXT_MAX + 8];
		size_t more = 0;
		int n;

		if (!c->nodes[i])
			continue;
		for (size_t k = i + 1; k < c->nnodes && !more; k++)
			more = c->nodes[k] != 0;
		if (json || bytes)
			util_u64_dec(c->nodes[i], v, sizeof(v));
		else
			util_size_human(c->nodes[i], v, sizeof(v));
		if (json)
			n = snprintf(item, sizeof(item), "%s{\"node\": %zu, \"bytes\": %s}",
				     any ? ", " : "", i, v);
		else
			n = snprintf(item, sizeof(item), "%s%zu:%s", any ? "," : "", i, v);
		/* room for the item, then "]" or (a table's mark that more follow) ",+" */
		if (n < 0 || (size_t)n >= sizeof(item) ||
		    off + (size_t)n + (json ? 1 : more ? 2 : 0) + 1 > len) {
			if (json)
				return NULL;
			off = last;
			memcpy(buf + off, any ? ",+" : "+", any ? 3 : 2);
			return buf;
		}
		memcpy(buf + off, item, (size_t)n);
		off += (size_t)n;
		last = off;
		any = true;
	}
	if (json)
		buf[off++] = ']';
	else if (!any)
		return bytes ? util_u64_dec(0, buf, len) : util_size_human(0, buf, len);
	buf[off] = '\0';
	return buf;
}

/* A start time as ps shows it: the time of day when it is the day of now (the sample's time
 * when the cell says, as in a replay, else the current time), else the date, else the
 * year; in JSON the whole ISO 8601 time. */
static const char *format_walltime(double epoch, double at, bool json, char *buf, size_t len)
{
	time_t t = (time_t)epoch, now = at > 0 ? (time_t)at : time(NULL);
	struct tm tm, tnow;

	if (!localtime_r(&t, &tm) || !localtime_r(&now, &tnow))
		return NULL;
	if (json) {
		size_t l = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);

		/* ISO 8601 extended form wants the offset as +hh:mm */
		if (l >= 5 && l + 2 <= len) {
			memmove(buf + l - 1, buf + l - 2, 3);
			buf[l - 2] = ':';
		}
	}
	else if (tm.tm_year == tnow.tm_year && tm.tm_yday == tnow.tm_yday)
		strftime(buf, len, "%H:%M:%S", &tm);
	else if (tm.tm_year == tnow.tm_year)
		strftime(buf, len, "%b%d", &tm);
	else
		strftime(buf, len, "%Y", &tm);
	return buf;
}

const char *columns_format_u64(enum col_kind kind, uint64_t u, bool json, bool bytes, char *buf,
			       size_t len)
{
	if (kind == CK_SIZE && !json && !bytes)
		return util_size_human(u, buf, len);
	return util_u64_dec(u, buf, len);
}

const char *columns_format(const struct column *col, const struct cell *c, bool json,
			   bool bytes, char *buf, size_t len)
{
	if (c->av != TS_OK)
		return NULL;
	switch (col->kind) {
	case CK_STR:
		return c->s;	/* already sanitized at the source */
	case CK_INT:
		return util_i64_dec(c->i, buf, len);
	case CK_COUNT:
	case CK_SIZE:
		return columns_format_u64(col->kind, c->u, json, bytes, buf, len);
	case CK_PCT:
		return util_fixed1(c->d, buf, len);
	case CK_CPUTIME:
		if (json)
			snprintf(buf, len, "%.2f", c->d);
		else
			util_cputime(c->d, buf, len);
		return buf;
	case CK_WALLTIME:
		return format_walltime(c->d, c->now, json, buf, len);
	case CK_NSEC:
		if (json)
			return util_u64_dec(c->u, buf, len);
		util_fixed1((double)c->u / 1e6, buf, len);
		if (strlen(buf) + 3 <= len)
			strcat(buf, "ms");
		return buf;
	case CK_NODES:
		return format_nodes(c, json, bytes, buf, len);
	}
	return NULL;
}
