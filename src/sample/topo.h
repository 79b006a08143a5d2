/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo.h - CPU topology (NUMA node, core, package of each CPU) through hwloc */
#ifndef TASKSCOPE_TOPO_H
#define TASKSCOPE_TOPO_H

struct topo;

/* The environment variable naming an hwloc XML file to load instead of this machine's
 * topology (from lstopo --of xml on another machine, say). */
#define TOPO_ENV "TASKSCOPE_TOPOLOGY"

/* This machine's topology, or the one of the XML file TOPO_ENV names (when set and not
 * empty). -ENOENT/-EACCES...: the file cannot be opened; -EINVAL: hwloc cannot load it. */
int topo_load(struct topo **out);
/* The topology of a tree with /proc's layout (--proc-root): its sys/devices/system, as
 * tools/capture-proc.sh copies it (cpu/online, cpu/present, cpuN/topology/core_id and
 * physical_package_id, node/online, nodeN/cpulist), read below rootfd as the tree's other
 * files are. -ENOENT: the tree has none; -EINVAL: it cannot be understood. */
int topo_load_tree(int rootfd, struct topo **out);
void topo_free(struct topo *t);
/* OS indexes; -1 when the CPU is unknown (offline, out of range) */
int topo_cpu_node(const struct topo *t, int cpu);
int topo_cpu_core(const struct topo *t, int cpu);
int topo_cpu_package(const struct topo *t, int cpu);
int topo_ncpus(const struct topo *t);	/* highest OS index + 1 */
int topo_count(const struct topo *t, int *packages, int *cores, int *nodes, int *pus);
/* CPUs the topology knows but that are offline; NUMA nodes without CPUs (memory only) */
int topo_count_more(const struct topo *t, int *offline, int *memonly);
/* The XML file it was loaded from (TOPO_ENV), NULL for this machine's */
const char *topo_file(const struct topo *t);

#endif
