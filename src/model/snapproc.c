/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapproc.c - what a sample reads once per process: status memory lines, the smaps_rollup
 * footprint, numa_maps, the cgroup and its files (kept open between passes where it can) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/util.h"
#include "model/samplerint.h"
#include "model/snapshot.h"
#include "sample/keptfd.h"
#include "sample/cgroup.h"
#include "sample/smaps.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

/* What the whole process owns (status memory lines, the smaps_rollup footprint), read once per
 * process and given to each of its rows (rows sorted by tgid).
 * smaps_rollup takes the process's mmap lock and costs 10-50x a stat read: only when a
 * footprint column is asked. When the rows carry stat data (start time known), both files are
 * read through the main thread's directory opened once and checked against that start time,
 * so a PID reused since the scan cannot lend its numbers. Without stat columns a row is only
 * its PID and what these reads return, so each is read by path and nothing can be mixed. */
struct proc_files {
	enum ts_avail mem_av, smaps_av, rss_av, numa_av, cgroup_av;
	struct taskfiles_status_mem sm;
	char *cgroup;		/* sanitized (malloc'ed) */
	bool cgroup_v2;
	uint64_t rss;
	struct smaps_mem rollup;
	struct smaps_numa numa;
	uint64_t mm_key;	/* of the checked stat read (0: none read) */
};

/* numa_maps: a text that does not parse or is too long is neither gone nor denied */
static enum ts_avail numa_avail(int rc)
{
	return rc == -EINVAL || rc == -ERANGE || rc == -EFBIG ? TS_NA : taskfiles_avail(rc);
}

/* The stats of the cgroup at path (raw) into sn->cgroups, once per cgroup (a linear search:
 * a machine has far fewer cgroups than processes). A v1 path is read in the memory
 * controller's hierarchy, so only when it is that hierarchy's (mem). */
static void add_cgroup_stats(struct sampler *s, struct snapshot *sn, const char *path,
			     size_t len, bool v2, bool mem, const char *name)
{
	struct snapshot_cgroup *v, *c;
	struct cgroup_stats st;

	for (size_t i = 0; i < sn->ncgroups; i++)
		if (sn->cgroups[i].v2 == v2 && !strcmp(sn->cgroups[i].name, name))
			return;
	v = realloc(sn->cgroups, (sn->ncgroups + 1) * sizeof(*v));
	if (!v)
		return;
	sn->cgroups = v;
	c = &v[sn->ncgroups];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name)
		return;
	c->v2 = v2;
	if (!s->cgfs || (!v2 && !mem)) {
		c->mem_rc = -ENOENT;
		for (int i = 0; i < 3; i++)
			c->psi_rc[i] = -ENOENT;
	} else {
		cgroup_fs_stats(s->cgfs, v2, path, len, &st);
		c->mem_rc = st.mem_rc;
		c->mem_bytes = st.mem_bytes;
		for (int i = 0; i < 3; i++) {
			c->psi_rc[i] = st.psi_rc[i];
			c->psi_some[i] = st.psi_some_total[i];
			c->psi_full[i] = st.psi_full_total[i];
		}
	}
	sn->ncgroups++;
}

/* The process's cgroup through its checked directory: the path cgroup_primary picks; with
 * RD_CGROUP_STATS that cgroup's stats into sn (once per cgroup). */
static void read_cgroup(struct sampler *s, struct snapshot *sn, int dfd, struct proc_files *pf)
{
	struct cgroup_info *ci = malloc(sizeof(*ci));
	char *buf = malloc(CGROUP_FILE_MAX);
	size_t len = 0;
	int rc = ci && buf ? cgroup_read_at(dfd, "cgroup", buf, &len, ci) : -ENOMEM;
	int k = rc ? -1 : cgroup_primary(ci, buf);

	if (rc == -ENOENT)
		pf->cgroup_av = TS_UNSUPPORTED;	/* the directory is there: no cgroups */
	else if (rc == -EINVAL || rc == -E2BIG || rc == -EFBIG || rc == -ENOMEM)
		pf->cgroup_av = TS_NA;
	else if (rc)
		pf->cgroup_av = taskfiles_avail(rc);
	else if (k < 0)
		pf->cgroup_av = TS_UNSUPPORTED;
	else {
		pf->cgroup = util_sanitize_dup(buf + ci->line[k].path, ci->line[k].path_len);
		pf->cgroup_v2 = k == ci->v2;
		pf->cgroup_av = pf->cgroup ? TS_OK : TS_NA;
		if (pf->cgroup && (s->readers & RD_CGROUP_STATS))
			add_cgroup_stats(s, sn, buf + ci->line[k].path, ci->line[k].path_len,
					 pf->cgroup_v2, cgroup_find(ci, buf, "memory") == k,
					 pf->cgroup);
	}
	free(buf);
	free(ci);
}

/* status's memory lines from fd, a status file kept open: the read's 0 or -errno, and in
 * *parse_rc the parser's (the read worked, so the task is there, but its text did not
 * parse). */
static int pread_status_mem(int fd, struct taskfiles_status_mem *sm, int *parse_rc)
{
	char buf[16384];
	size_t len;
	int rc = taskfiles_pread(fd, buf, sizeof(buf), &len);

	if (rc == -EFBIG)
		rc = 0;		/* the memory lines come before the long ones at the end */
	*parse_rc = rc ? 0 : taskfiles_parse_status_mem(buf, len, sm);
	return rc;
}

/* smaps_rollup from fd (kept, or just opened), read again from its start. About 900 bytes;
 * a kernel that writes more than 4 KiB is cut at a line. */
static int pread_rollup(int fd, struct smaps_mem *m)
{
	char buf[4096];
	size_t len;
	int rc = taskfiles_pread(fd, buf, sizeof(buf), &len);

	if (rc && rc != -EFBIG) {
		memset(m, 0, sizeof(*m));
		return rc;
	}
	while (len && buf[len - 1] != '\n')
		len--;
	return smaps_parse_rollup(buf, len, m);
}

/* smaps_rollup opened at path relative to dirfd and read; then kept for the next passes,
 * tagged with the row's address space key (mm_key): the file reads the address space it
 * was opened on, so a row with another key (an exec since) does not use it. */
static int read_rollup_keep(struct sampler *s, int dirfd, const char *path,
			    const struct task *leader, struct smaps_mem *m)
{
	int fd = source_openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	if (fd < 0) {
		memset(m, 0, sizeof(*m));
		return -errno;
	}
	rc = pread_rollup(fd, m);
	if (rc || keptfd_keep(s->rolls, leader->tgid, leader->tgid, leader->start_ticks,
			      leader->mm_key, fd))
		close(fd);
	return rc;
}

/*
 * The memory pass over the sample's rows (sampler_take_rows) on the live /proc, for a
 * process whose status file is kept from an earlier pass (s->pins): -ENOENT when none is.
 * That file is the process of the row: it was opened through the process's directory
 * checked against the row's start time, and once the process is reaped it reads ESRCH,
 * even when its PID names another process by then. So whatever else is read, by path
 * (/proc/PID/...) or through a file kept since an earlier pass, is read first and status
 * after it through the kept file: when that read works, the process was alive from the
 * sample until after the other reads, its PID named no other process in between, and what
 * they read was its own. No stat read and no directory open; when status does not read,
 * nothing else read is kept.
 *
 * smaps_rollup is kept open too (s->rolls), but it reads the address space it was opened
 * on, not the process's current one: an exec gives the process another, and the old one
 * may live on in another process that shared it (vfork). So the kept file is used only
 * while the row's address space key (stat's code and stack addresses) is the one it was
 * opened with, and its Rss must be the VmRSS that status, read right after, gives of the
 * current address space; else (or when it does not read) smaps_rollup is read anew by path
 * and status again to vouch for it.
 */
static int read_pinned(struct sampler *s, const struct task *leader, struct proc_files *pf)
{
	int fd = keptfd_find(s->pins, leader->tgid, leader->start_ticks, 0), rc, prc;
	bool kept_rollup = false;
	char path[48];

	if (fd < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%d/smaps_rollup", (int)leader->tgid);
	if (s->readers & RD_SMAPS) {
		int rfd = keptfd_find(s->rolls, leader->tgid, leader->start_ticks, leader->mm_key);

		kept_rollup = rfd >= 0;
		if (kept_rollup)
			rc = pread_rollup(rfd, &pf->rollup);
		else
			rc = read_rollup_keep(s, s->rootfd, path, leader, &pf->rollup);
		pf->smaps_av = taskfiles_avail(rc);
	}
	if (s->readers & RD_NUMA) {
		char numa[48];

		snprintf(numa, sizeof(numa), "%d/numa_maps", (int)leader->tgid);
		rc = smaps_read_numa_nodes_at(s->rootfd, numa, (uint64_t)s->pagesize, &pf->numa);
		pf->numa_av = numa_avail(rc);
	}
	rc = pread_status_mem(fd, &pf->sm, &prc);
	if (!rc && kept_rollup &&
	    (pf->smaps_av != TS_OK || prc || pf->rollup.rss != pf->sm.vm_rss)) {
		keptfd_forget(s->rolls, leader->tgid);
		rc = read_rollup_keep(s, s->rootfd, path, leader, &pf->rollup);
		pf->smaps_av = taskfiles_avail(rc);
		rc = pread_status_mem(fd, &pf->sm, &prc);
	}
	if (rc) {
		/* gone (or no longer readable): what was read may be another's */
		keptfd_forget(s->pins, leader->tgid);
		keptfd_forget(s->rolls, leader->tgid);
		smaps_numa_free(&pf->numa);
		memset(&pf->rollup, 0, sizeof(pf->rollup));
		pf->mem_av = pf->smaps_av = pf->rss_av = pf->numa_av = taskfiles_avail(rc);
		return 0;
	}
	pf->mem_av = taskfiles_avail(prc);
	if (s->readers & RD_RSS) {
		pf->rss_av = pf->mem_av;
		pf->rss = pf->sm.vm_rss;
	}
	pf->mm_key = leader->mm_key;
	return 0;
}

/* The first pass that sees the process: its status through the checked directory dfd, the
 * file then kept for the next passes (closed when the budget is used up). */
static int read_status_keep(struct sampler *s, int dfd, const struct task *leader,
			    struct taskfiles_status_mem *sm)
{
	int fd = source_openat(dfd, "status", O_RDONLY | O_CLOEXEC), rc, prc;

	if (fd < 0)
		return -errno;
	rc = pread_status_mem(fd, sm, &prc);
	if (rc || keptfd_keep(s->pins, leader->tgid, leader->tgid, leader->start_ticks, 0, fd))
		close(fd);
	return rc ? rc : prc;
}

static void read_process_files(struct sampler *s, struct snapshot *sn,
			       const struct task *leader, struct proc_files *pf)
{
	struct taskfiles_stat st;
	char status[32], rollup[40], statm[32], numa[40];
	int dfd = s->rootfd, rc;

	if (s->pinning && !read_pinned(s, leader, pf))
		return;
	if (s->threads || (s->readers & RD_STAT)) {
		dfd = taskfiles_open_checked(s->rootfd, leader->tgid, leader->tgid,
					     leader->start_ticks, &st);
		if (dfd < 0) {
			pf->mem_av = pf->smaps_av = pf->rss_av = pf->numa_av = taskfiles_avail(dfd);
			pf->cgroup_av = pf->mem_av;
			return;
		}
		pf->mm_key = st.mm_key;
		snprintf(status, sizeof(status), "status");
		snprintf(rollup, sizeof(rollup), "smaps_rollup");
		snprintf(statm, sizeof(statm), "statm");
		snprintf(numa, sizeof(numa), "numa_maps");
	} else {
		snprintf(status, sizeof(status), "%d/status", (int)leader->tgid);
		snprintf(rollup, sizeof(rollup), "%d/smaps_rollup", (int)leader->tgid);
		snprintf(statm, sizeof(statm), "%d/statm", (int)leader->tgid);
		snprintf(numa, sizeof(numa), "%d/numa_maps", (int)leader->tgid);
	}
	/* RSS: status's VmRSS when status is read anyway (then RSS is exactly the sum of the
	 * three Rss lines of the same read), else statm, which costs about a third of status
	 * (bench/README.md). Both are exact sums; stat's field 24 is an approximate counter. */
	if (s->readers & RD_STATUS_MEM) {
		if (s->pinning && dfd != s->rootfd)
			rc = read_status_keep(s, dfd, leader, &pf->sm);
		else
			rc = taskfiles_status_mem_at(dfd, status, &pf->sm);
		pf->mem_av = taskfiles_avail(rc);
		if (s->readers & RD_RSS) {
			pf->rss_av = pf->mem_av;
			pf->rss = pf->sm.vm_rss;
		}
	} else if ((s->readers & RD_RSS) && leader->rss_av != TS_OK) {
		rc = taskfiles_statm_at(dfd, statm, s->pagesize, &pf->rss);
		pf->rss_av = taskfiles_avail(rc);
	}
	if (s->readers & RD_SMAPS) {
		if (s->pinning && dfd != s->rootfd)
			rc = read_rollup_keep(s, dfd, rollup, leader, &pf->rollup);
		else
			rc = smaps_read_rollup_at(dfd, rollup, &pf->rollup);
		pf->smaps_av = taskfiles_avail(rc);
	}
	/* numa_maps walks the page tables under the mmap lock as smaps_rollup does */
	if (s->readers & RD_NUMA) {
		rc = smaps_read_numa_nodes_at(dfd, numa, (uint64_t)s->pagesize, &pf->numa);
		pf->numa_av = numa_avail(rc);
	}
	if ((s->readers & RD_CGROUP) && dfd != s->rootfd)
		read_cgroup(s, sn, dfd, pf);
	if (dfd != s->rootfd)
		close(dfd);
}

static void set_footprint(struct task *t, const struct smaps_mem *m)
{
	t->pss = m->pss;
	t->uss = m->private_clean + m->private_dirty;
	t->shared = m->shared_clean + m->shared_dirty;
	t->swap_pss = m->swap_pss;
	t->pss_anon = m->pss_anon;
	t->pss_file = m->pss_file;
	t->pss_shmem = m->pss_shmem;
	t->thp = m->anon_huge + m->shmem_pmd + m->file_pmd;
}

/* Each row its own copy of the per-node bytes (the snapshot frees every row's). Without
 * memory for the copy the row says so rather than show a wrong list. */
static void set_node_mem(struct task *t, enum ts_avail av, const struct smaps_numa *n)
{
	t->numa_read = true;
	t->numa_av = av;
	if (av != TS_OK || !n->nnodes)
		return;
	t->node_mem = malloc(n->nnodes * sizeof(*t->node_mem));
	if (!t->node_mem) {
		t->numa_av = TS_NA;
		return;
	}
	memcpy(t->node_mem, n->bytes, n->nnodes * sizeof(*t->node_mem));
	t->nnodes_mem = n->nnodes;
	t->node_mem_total = n->total;
}

void sampler_read_process_extras(struct sampler *s, struct snapshot *sn)
{
	/* RSS without status: the scan read each process's statm (threads_scan_kept) */
	if (!(s->readers & (RD_STATUS_MEM | RD_SMAPS | RD_NUMA | RD_CGROUP)))
		return;
	for (size_t i = 0; i < sn->ntasks; ) {
		size_t end = i;
		const struct task *leader = NULL;
		struct proc_files pf = { .mem_av = TS_GONE, .smaps_av = TS_GONE,
					 .rss_av = TS_GONE, .numa_av = TS_GONE,
					 .cgroup_av = TS_GONE };

		while (end < sn->ntasks && sn->tasks[end].tgid == sn->tasks[i].tgid) {
			if (sn->tasks[end].tid == sn->tasks[end].tgid)
				leader = &sn->tasks[end];
			end++;
		}
		if (leader)
			read_process_files(s, sn, leader, &pf);
		for (size_t k = i; k < end; k++) {
			struct task *t = &sn->tasks[k];

			if (pf.mm_key)
				t->mm_key = pf.mm_key;
			if (s->readers & RD_SMAPS) {
				t->smaps_av = pf.smaps_av;
				if (pf.smaps_av == TS_OK)
					set_footprint(t, &pf.rollup);
			}
			if (s->readers & RD_NUMA)
				set_node_mem(t, pf.numa_av, &pf.numa);
			if (s->readers & RD_CGROUP) {
				t->cgroup_av = pf.cgroup_av;
				t->cgroup_v2 = pf.cgroup_v2;
				if (pf.cgroup) {
					t->cgroup = strdup(pf.cgroup);
					if (!t->cgroup)
						t->cgroup_av = TS_NA;
				}
			}
			if ((s->readers & RD_RSS) && t->rss_av != TS_OK) {
				t->rss_av = pf.rss_av;
				t->rss = pf.rss_av == TS_OK ? pf.rss : 0;
			}
			if (!(s->readers & RD_STATUS_MEM))
				continue;
			t->mem_av = pf.mem_av;
			if (pf.mem_av != TS_OK)
				continue;
			t->rss_anon = pf.sm.rss_anon;
			t->rss_file = pf.sm.rss_file;
			t->rss_shmem = pf.sm.rss_shmem;
			t->swap = pf.sm.swap;
			t->pte = pf.sm.pte;
		}
		smaps_numa_free(&pf.numa);
		free(pf.cgroup);
		i = end;
	}
}
