/* SPDX-License-Identifier: GPL-2.0-or-later */
/* maps.c - taskscope maps: the memory map of processes, mapping by mapping
 *
 * The command around the model of src/model/memmap.c (memmap_load reads smaps, numa_maps
 * and each thread's stack pointer; kinds, thread stacks, groups) and the output of
 * src/view/maps.c, on a session that opens the /proc root (or the --proc-root tree) and
 * the output stream. Each process is read, shown and freed in turn, so memory stays that
 * of one map; with --group name and several processes the groups are kept for the
 * side-by-side table at the end.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/maps.h"
#include "cmd/options.h"
#include "cmd/recfile.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/coltable.h"
#include "model/mapcols.h"
#include "model/memmap.h"
#include "model/session.h"
#include "view/maps.h"

struct opts {
	int *pids;
	size_t npids;
	enum memmap_group group;
	struct common_opts co;	/* -o, --list-columns, -J, -r, --bytes, -h */
	char *proc_root;	/* --proc-root DIR: a tree read instead of /proc */
};

/* One process kept for the side-by-side table. */
struct kept {
	struct maps_proc p;
	struct memmap mm;
	char *comm;
	struct memmap_row *groups;
	size_t ngroups;
};

static void usage(FILE *out)
{
	fputs("Usage: taskscope maps [options] PID...\n"
	      "\n"
	      "The memory map of each process, one row per mapping, from /proc/PID/smaps:\n"
	      "addresses, permissions, what the mapping is (KIND), and how much of it is\n"
	      "resident, proportionally shared (PSS), unique to the process (USS) or swapped.\n"
	      "Each thread's stack is labelled [stack:TID] (the mapping that holds its stack\n"
	      "pointer), and a table of threads tells where each one's stack is (with -o,\n"
	      "only when a column needs the stacks: KIND, NAME; or with --group).\n"
	      "\n"
	      "Kinds: code (a file mapped executable), data (a file mapped private and\n"
	      "writable, or with pages copied on write), heap, stack (the main thread's),\n"
	      "thread-stack, anon (anonymous private), shm (shared memory: shared anonymous,\n"
	      "SysV, memfd, /dev/shm), file (other file mappings) and kernel ([vdso], [vvar],\n"
	      "[vsyscall]).\n"
	      "\n"
	      "Options:\n"
	      " -p, --pid PID[,PID...]    processes to show, like PID arguments (repeatable);\n"
	      "                           a thread ID selects its process, and a process\n"
	      "                           named more than once is shown once\n"
	      "     --group kind|name|none\n"
	      "                           a row per kind, per name (file, [heap], [anon]...;\n"
	      "                           [stack:*] for all thread stacks), or per mapping\n"
	      "                           (none, the default); with 'name' and several PIDs,\n"
	      "                           a last table puts each name's RSS and PSS side by side\n"
	      " -o, --output LIST         columns to show (+LIST adds to the defaults)\n"
	      "     --list-columns        list every column with its help and exit\n"
	      " -J, --json                one JSON document for all the processes\n"
	      " -r, --raw                 raw output: no alignment, only the maps tables\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      "     --proc-root DIR       read DIR, a tree with /proc's layout, not /proc\n", out);
	cli_help_end(out, "maps",
		     "smaps, numa_maps (NODES) and task/TID/syscall (thread stacks) need ptrace read\n"
		     "access: the process's own user, or root. A process that cannot be read is marked\n"
		     "'denied' and the others are still shown.\n"
		     "\n"
		     "A map read while the process exits or executes another program can be cut\n"
		     "short: it is marked incomplete (JSON \"truncated\": true and its reason).\n"
		     "\n"
		     "Exit status: 0 ok (also when a process was denied), 1 when a PID does not exist\n"
		     "or cannot be read for another reason, or a map is incomplete, 2 usage error.\n");
}

static int add_pids(void *ctx, const char *arg)
{
	struct opts *o = ctx;
	char sbuf[128];
	int rc = util_parse_pidlist(arg, &o->pids, &o->npids);

	if (rc == -ENOMEM) {
		msg_error("%s", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	if (rc && (rc = recfile_not_recorded("maps", arg)) >= 0)
		return rc;	/* maps FILE: a recording has no mappings */
	if (rc)
		return cli_usage_error("maps", "invalid PID '%s': %s", cli_shown(arg, sbuf, sizeof(sbuf)),
				   rc == -ERANGE ? "PIDs are 1 to 4194304" : "expected PID[,PID...]");
	return CO_CONTINUE;
}

static int group_option(void *ctx, const char *arg)
{
	struct opts *o = ctx;
	char sbuf[128];

	if (memmap_parse_group(arg, &o->group))
		return cli_usage_error("maps", "invalid --group '%s': kind, name or none",
				       cli_shown(arg, sbuf, sizeof(sbuf)));
	return CO_CONTINUE;
}

static int proc_root_option(void *ctx, const char *arg)
{
	struct opts *o = ctx;

	if (o->proc_root)
		return cli_usage_error("maps", "--proc-root given twice: maps reads one tree");
	o->proc_root = (char *)arg;
	return CO_CONTINUE;
}

/* The options of maps alone: -p is its own PID list, not a target. */
static const struct cmd_option options[] = {
	{ "group", 0, CMD_CALL, .call = group_option },
	{ "proc-root", 0, CMD_CALL, .call = proc_root_option },
	{ "pid", 'p', CMD_CALL, .call = add_pids },
	{ 0 }
};

static int check_opts(void *ctx)
{
	struct opts *o = ctx;
	int rc = common_check(&o->co);

	if (rc == CO_CONTINUE && !o->co.list_columns && !o->npids)
		return cli_usage_error("maps", "no PID given");
	return rc;
}

static bool denied(int err)
{
	return err == -EACCES || err == -EPERM;
}

static void kept_free(struct kept *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memmap_rows_free(k[i].groups, k[i].ngroups);
		memmap_free(&k[i].mm);
		free(k[i].comm);
	}
	free(k);
}

/* Say on stderr what keeps the map of k from being shown whole; *status becomes 1 when
 * the process does not exist, cannot be read, or its map is incomplete. */
static void tell_failure(const struct memmap_loaded *l, pid_t id, int *status)
{
	if (l->err == -ESRCH || l->err == -ENOENT) {
		fprintf(stderr, "taskscope: no such process: %d\n", (int)id);
		*status = TS_EXIT_FAILURE;
	} else if (denied(l->err)) {
		msg_error("PID %d: permission denied", (int)l->pid);
	} else if (l->err) {
		msg_error("PID %d: cannot read its map: %s", (int)l->pid, strerror(-l->err));
		*status = TS_EXIT_FAILURE;
	}
	if (!l->err && l->truncated) {
		msg_error("PID %d: the map is incomplete: %s", (int)l->pid, memmap_cut_text(l->cut));
		*status = TS_EXIT_FAILURE;
	}
}

/* Read and show one process. *status becomes 1 when it does not exist or fails; a
 * process kept for the comparison goes into *k (k->p.err says if it was read).
 * maps PID TID TID...: each process once, where it is first named (seen): -EEXIST,
 * nothing shown, for a later mention; an ID that cannot be resolved is shown once
 * (reading it says why). */
static int one(int rootfd, pid_t id, const struct opts *o, struct maps_view *v,
	       unsigned want, struct util_pidset *seen, struct kept *k, bool keep,
	       int *status)
{
	struct memmap_loaded l;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = memmap_load_once(rootfd, id, want, seen, &l);
	if (rc)
		return rc;
	tell_failure(&l, id, status);
	k->p.pid = l.pid;
	k->p.err = l.err;
	k->p.nthreads = l.nthreads;
	k->comm = l.comm;	/* taken over, as the map */
	k->mm = l.mm;
	if (!l.err) {
		rc = memmap_group(&k->mm, o->group, &k->groups, &k->ngroups);
		if (rc) {
			memmap_free(&k->mm);
			free(k->comm);
			return rc;
		}
		k->p.mm = &k->mm;
		k->p.groups = k->groups;
		k->p.ngroups = k->ngroups;
	}
	/* a process that does not exist has no name: JSON still tells about it */
	k->p.comm = k->comm ? k->comm : "";
	if (k->p.err == -ESRCH && !v->json)
		rc = 0;	/* said on stderr */
	else
		rc = maps_view_proc(v, &k->p);
	if (!keep) {
		memmap_rows_free(k->groups, k->ngroups);
		memmap_free(&k->mm);
		free(k->comm);
		memset(k, 0, sizeof(*k));
	}
	return rc;
}

static int compare(struct maps_view *v, struct kept *k, size_t n)
{
	struct memmap_row **groups = calloc(n, sizeof(*groups));
	size_t *ngroups = calloc(n, sizeof(*ngroups));
	struct maps_proc *procs = calloc(n, sizeof(*procs));
	struct memmap_cmp_row *rows = NULL;
	size_t nrows = 0, nread = 0;
	int rc = -ENOMEM;

	if (!groups || !ngroups || !procs)
		goto out;
	for (size_t i = 0; i < n; i++) {
		procs[i] = k[i].p;
		if (k[i].p.err)
			continue;
		groups[i] = k[i].groups;
		ngroups[i] = k[i].ngroups;
		nread++;
	}
	rc = 0;
	if (nread < 2)
		goto out;
	rc = memmap_compare(groups, ngroups, n, &rows, &nrows);
	if (!rc)
		rc = maps_view_compare(v, procs, n, rows, nrows);
	memmap_compare_free(rows, nrows);
out:
	free(groups);
	free(ngroups);
	free(procs);
	return rc;
}

/* The columns of -o (or the defaults): CO_CONTINUE, or the exit status. */
static int columns(const struct opts *o, const struct maps_column ***cols, size_t *ncols)
{
	char *bad = NULL;
	int rc;

	if (!o->co.output) {
		rc = mapcols_defaults(o->group, cols, ncols);
	} else {
		rc = mapcols_parse_list(o->co.output, o->group, cols, ncols, &bad);
		if (rc == -EINVAL) {
			cli_usage_error("maps", "unknown column '%s' in --output (see --list-columns)",
					bad ? bad : "");
			free(bad);
			return TS_EXIT_USAGE;
		}
	}
	if (rc) {
		msg_error("%s", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	return CO_CONTINUE;
}

/* What memmap_load reads: a thread's syscall file for labels, kinds and groups, its stat
 * for the threads' table. Raw output has no threads' table; aligned output has one only
 * when the stacks are read anyway (the default columns, a column that needs them, or
 * groups); JSON always has it. */
static unsigned what_to_read(const struct opts *o, const struct maps_column **cols,
			     size_t ncols)
{
	unsigned want = 0;

	if (mapcols_need_numa(cols, ncols))
		want |= MEMMAP_LOAD_NUMA;
	if (o->co.json || o->group != MEMMAP_GROUP_NONE || mapcols_need_stacks(cols, ncols))
		want |= o->co.raw ? MEMMAP_LOAD_STACKS : MEMMAP_LOAD_STACKS | MEMMAP_LOAD_NAMES;
	return want;
}

/* Every process in turn, then the side-by-side table: the exit status. */
static int show(struct opts *o, struct session *s, const struct maps_column **cols,
		size_t ncols)
{
	struct maps_view v = {
		.cols = cols, .ncols = ncols, .group = o->group, .json = o->co.json,
		.raw = o->co.raw, .bytes = o->co.bytes, .out = s->out,
	};
	unsigned want = what_to_read(o, cols, ncols);
	struct util_pidset seen;
	struct kept *kept;
	size_t nkept = 0;
	bool keep = o->group == MEMMAP_GROUP_NAME && o->npids > 1;
	int rc, status = TS_EXIT_OK;

	rc = util_pidset_init(&seen, o->npids);
	kept = rc ? NULL : calloc(keep ? o->npids : 1, sizeof(*kept));
	if (!kept) {
		if (!rc)
			util_pidset_free(&seen);
		msg_error("%s", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	maps_view_begin(&v);
	for (size_t i = 0; !rc && i < o->npids; i++) {
		rc = one(s->rootfd, (pid_t)o->pids[i], o, &v, want, &seen, &kept[nkept], keep,
			 &status);
		if (rc == -EEXIST)
			rc = 0;		/* a process named before */
		else if (!rc && keep)
			nkept++;
	}
	util_pidset_free(&seen);
	if (!rc && keep)
		rc = compare(&v, kept, nkept);
	if (!rc)
		rc = maps_view_end(&v);
	/* a reader that went away, or a write error that main reports with its cause */
	if (rc && !outfile_error(v.out)) {
		msg_error("%s", strerror(-rc));
		status = TS_EXIT_FAILURE;
	}
	kept_free(kept, nkept);
	return status;
}

static int run(void *ctx)
{
	struct opts *o = ctx;
	struct session_config cfg = {
		.no_sampler = true, .open_root = true,
		.proc_root = o->proc_root ? &o->proc_root : NULL,
		.nproc_root = o->proc_root ? 1 : 0,
	};
	const struct maps_column **cols = NULL;
	struct session s;
	size_t ncols = 0;
	int status;

	if (o->co.list_columns) {
		coltable_print(mapcols_table(), stdout, true);
		return TS_EXIT_OK;
	}
	status = columns(o, &cols, &ncols);
	if (status != CO_CONTINUE)
		return status;
	status = session_open(&s, &cfg);
	if (!status)
		status = show(o, &s, cols, ncols);
	free(cols);
	return session_close(&s, status);
}

static void free_opts(void *ctx)
{
	struct opts *o = ctx;

	free(o->pids);
}

static const struct cmd_spec maps_cmd = {
	.name = "maps", .accept = CO_COLUMNS | CO_FORMAT | CO_BYTES, .permute = true,
	.usage = usage, .options = options, .co = offsetof(struct opts, co),
	.operand = add_pids, .check = check_opts, .run = run, .done = free_opts,
};

int maps_main(int argc, char **argv)
{
	struct opts o = { 0 };

	return command_main(&maps_cmd, &o, argc, argv);
}
