/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpumap.h - the machine's CPUs as the views see them: the NUMA node, core and package of
 * each CPU and the counts, copied out of the topology that src/sample/topo.c reads */
#ifndef TASKSCOPE_CPUMAP_H
#define TASKSCOPE_CPUMAP_H

#include <stdbool.h>

/* The environment variable naming an hwloc XML file to use instead of this machine's
 * topology (from lstopo --of xml on another machine, say). */
#define CPUMAP_ENV "TASKSCOPE_TOPOLOGY"

struct cpumap {
	int ncpus;		/* highest OS index + 1 */
	int *node, *core, *package;	/* by CPU number; -1 when unknown */
	bool counted;		/* the counts below are known */
	int packages, cores, nodes, pus;	/* pus: CPUs online */
	int offline, memonly;	/* CPUs known but offline; NUMA nodes without CPUs */
	char *file;		/* the XML file it came from (CPUMAP_ENV), NULL: this machine */
};

/* This machine's, or that of the file CPUMAP_ENV names. 0, -ENOENT/-EACCES... when the
 * file cannot be opened, -EINVAL when hwloc cannot read it, -ENOMEM. */
int cpumap_load(struct cpumap **out);
/* That of dir, a tree with /proc's layout (--proc-root), from its sys/devices/system
 * (see topo_load_tree): -ENOENT when it has none, -EINVAL when it cannot be understood,
 * -EIO when the tree cannot be read. */
int cpumap_load_tree(const char *dir, struct cpumap **out);
void cpumap_free(struct cpumap *m);

/* -1 when m is NULL or the CPU unknown */
int cpumap_node(const struct cpumap *m, int cpu);
int cpumap_core(const struct cpumap *m, int cpu);
int cpumap_package(const struct cpumap *m, int cpu);
int cpumap_ncpus(const struct cpumap *m);	/* 0 when m is NULL */
/* -EINVAL when m is NULL or hwloc gave no counts */
int cpumap_count(const struct cpumap *m, int *packages, int *cores, int *nodes, int *pus);
int cpumap_count_more(const struct cpumap *m, int *offline, int *memonly);
const char *cpumap_file(const struct cpumap *m);	/* NULL: this machine's */

#endif
