/* SPDX-License-Identifier: GPL-2.0-or-later */
/* samplerint.h - the sampler's insides, shared by snapshot.c (the sampler, its task rows) and
 * snapproc.c (what each process owns: status memory, smaps_rollup, numa_maps, cgroup) */
#ifndef TASKSCOPE_SAMPLERINT_H
#define TASKSCOPE_SAMPLERINT_H

#include <stdbool.h>

#include "model/snapshot.h"
#include "sample/sysinfo.h"

struct sampler {
	unsigned readers;
	bool threads;
	struct source *src;
	bool own_src;		/* opened by sampler_new: closed with the sampler */
	bool live;		/* the live /proc (libproc2 for /proc/stat), else a tree */
	bool priming;		/* sampler_take_only: rows for the next sample's deltas only */
	struct proc2 *p2;
	int rootfd;		/* the source's current state */
	struct sysinfo_stat prev_stat;	/* a tree's /proc/stat of the previous sample */
	struct snapshot *prev;		/* the last sample sampler_take gave (until the next) */
	struct snapshot_base *base;	/* what the next sample's deltas need of the last one:
					 * made from prev as the next sample starts, so that
					 * prev's rows can go before its scan (and be reused) */
	struct topo *topo;
	bool topo_tried;
	bool noaccess;		/* /proc is mounted with hidepid=noaccess */
	struct cgroup_fs *cgfs;	/* RD_CGROUP_STATS: /sys/fs/cgroup on the live /proc, or
				 * sampler_cgroup_root's */
	long pagesize;		/* statm counts pages */
	struct keptfd *kept;	/* the live /proc: stat files kept open between samples */
	struct keptfd *pins;	/* sampler_take_rows on the live /proc: each process's status */
	struct keptfd *rolls;	/* and smaps_rollup kept open between passes (read_pinned) */
	bool pinning;		/* in sampler_take_rows: the pins are read */
};

/* The per-process files the sampler's readers ask for, read once per process and given to
 * each of its rows (rows sorted by tgid) */
void sampler_read_process_extras(struct sampler *s, struct snapshot *sn);

#endif
